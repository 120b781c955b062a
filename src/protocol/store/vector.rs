//! Version vectors at two widths. A stored entry is a [`Version`]: `u32`
//! while every version in the store fits in 32 bits, `u64` after (see the
//! [`super`] module docs). Outside the store a vector is read through
//! [`Versions`], a borrowed view at either width, and travels as a
//! [`Digest`], a shared snapshot; both read as `u64` entries indexed by
//! origin, whatever their width.

use std::fmt;
use std::ops::{BitAnd, BitOr};
use std::sync::Arc;

/// The entry type of a stored version vector: `u32` (narrow) or `u64`
/// (wide). Values are the same versions either way; only the width differs.
pub(super) trait Version:
    Copy + Ord + Default + fmt::Debug + Into<u64> + TryFrom<u64> + BitOr<Output = Self> + BitAnd<Output = Self>
{
    /// Zero.
    const ZERO: Self;
    /// Only the top bit set.
    const TOP: Self;

    /// `self - other`, wrapping around.
    fn wrapping_sub(self, other: Self) -> Self;

    /// `version` as an entry, if it fits.
    fn narrow(version: u64) -> Option<Self> {
        Self::try_from(version).ok()
    }

    /// A vector of this width as a [`Versions`].
    fn view(vector: &[Self]) -> Versions<'_>;

    /// `versions` as a slice of this width, if it has this width.
    fn of(versions: Versions<'_>) -> Option<&[Self]>;

    /// A shared vector of this width as a [`Digest`].
    fn digest(vector: Arc<[Self]>) -> Digest;
}

impl Version for u32 {
    const ZERO: u32 = 0;
    const TOP: u32 = 1 << 31;

    fn wrapping_sub(self, other: u32) -> u32 {
        u32::wrapping_sub(self, other)
    }

    fn view(vector: &[u32]) -> Versions<'_> {
        Versions(Slice::Narrow(vector))
    }

    fn of(versions: Versions<'_>) -> Option<&[u32]> {
        match versions.0 {
            Slice::Narrow(v) => Some(v),
            Slice::Wide(_) => None,
        }
    }

    fn digest(vector: Arc<[u32]>) -> Digest {
        Digest(Shared::Narrow(vector))
    }
}

impl Version for u64 {
    const ZERO: u64 = 0;
    const TOP: u64 = 1 << 63;

    fn wrapping_sub(self, other: u64) -> u64 {
        u64::wrapping_sub(self, other)
    }

    fn view(vector: &[u64]) -> Versions<'_> {
        Versions(Slice::Wide(vector))
    }

    fn of(versions: Versions<'_>) -> Option<&[u64]> {
        match versions.0 {
            Slice::Wide(v) => Some(v),
            Slice::Narrow(_) => None,
        }
    }

    fn digest(vector: Arc<[u64]>) -> Digest {
        Digest(Shared::Wide(vector))
    }
}

/// Whether some entry of `mine` may be newer than the same entry of
/// `digest`: never false when one is (so a `false` block can be skipped),
/// rarely true when none is (the caller then compares exactly). Where
/// `mine` is below the top bit (2^31 for `u32`, 2^63 for `u64`),
/// `digest - mine` wraps to a number with the top bit set exactly when
/// `mine` is newer; an entry of `mine` at the top bit or above sets the bit
/// itself (it is ORed in whole: only the top bit of the result is read,
/// and masking each entry instead makes the compiler shuffle lanes). One
/// accumulator of subtractions and ORs, which the compiler vectorises even
/// for baseline x86-64 (`psubd` / `psubq` and `por`, no compare needed;
/// four `u32` lanes per register, two `u64`) — as long as it is not inlined
/// into the scan, which keeps the loaded entries for the exact pass instead.
#[inline(never)]
pub(super) fn maybe_newer<V: Version, const W: usize>(mine: &[V; W], digest: &[V; W]) -> bool {
    let mut acc = V::ZERO;
    for j in 0..W {
        acc = acc | digest[j].wrapping_sub(mine[j]) | mine[j];
    }
    acc & V::TOP != V::ZERO
}

/// A version vector (or a digest) as stored, narrow or wide, read as `u64`
/// entries indexed by origin. Borrowed: a view, not a copy.
#[derive(Copy, Clone)]
pub struct Versions<'a>(pub(super) Slice<'a>);

/// The two widths of a [`Versions`].
#[derive(Copy, Clone)]
pub(super) enum Slice<'a> {
    Narrow(&'a [u32]),
    Wide(&'a [u64]),
}

impl<'a> Versions<'a> {
    /// Number of entries (one per origin).
    pub fn len(self) -> usize {
        match self.0 {
            Slice::Narrow(v) => v.len(),
            Slice::Wide(v) => v.len(),
        }
    }

    /// Whether there are no entries.
    pub fn is_empty(self) -> bool {
        self.len() == 0
    }

    /// The entry of `origin`, if there is one.
    pub fn get(self, origin: usize) -> Option<u64> {
        match self.0 {
            Slice::Narrow(v) => v.get(origin).map(|&x| u64::from(x)),
            Slice::Wide(v) => v.get(origin).copied(),
        }
    }

    /// The entries in origin order.
    pub fn iter(self) -> impl ExactSizeIterator<Item = u64> + 'a {
        let slice = self.0;
        (0..self.len()).map(move |i| match slice {
            Slice::Narrow(v) => u64::from(v[i]),
            Slice::Wide(v) => v[i],
        })
    }

    /// The entries as a vector of `u64` (a copy).
    pub fn to_vec(self) -> Vec<u64> {
        self.iter().collect()
    }

    /// Whether the entries are stored as `u32` (tests: which path a scan takes).
    pub fn is_narrow(self) -> bool {
        matches!(self.0, Slice::Narrow(_))
    }
}

impl<'a> From<&'a [u64]> for Versions<'a> {
    /// A wide view of `entries`.
    fn from(entries: &'a [u64]) -> Versions<'a> {
        Versions(Slice::Wide(entries))
    }
}

impl<'a, const N: usize> From<&'a [u64; N]> for Versions<'a> {
    /// A wide view of `entries`.
    fn from(entries: &'a [u64; N]) -> Versions<'a> {
        Versions(Slice::Wide(entries))
    }
}

impl<'a> From<&'a [u32]> for Versions<'a> {
    /// A narrow view of `entries`.
    fn from(entries: &'a [u32]) -> Versions<'a> {
        Versions(Slice::Narrow(entries))
    }
}

impl PartialEq for Versions<'_> {
    /// Equal entries, whatever the widths.
    fn eq(&self, other: &Versions<'_>) -> bool {
        match (self.0, other.0) {
            (Slice::Narrow(a), Slice::Narrow(b)) => a == b,
            (Slice::Wide(a), Slice::Wide(b)) => a == b,
            _ => self.len() == other.len() && self.iter().eq(other.iter()),
        }
    }
}

impl Eq for Versions<'_> {}

impl PartialEq<[u64]> for Versions<'_> {
    fn eq(&self, other: &[u64]) -> bool {
        *self == Versions::from(other)
    }
}

impl<const N: usize> PartialEq<[u64; N]> for Versions<'_> {
    fn eq(&self, other: &[u64; N]) -> bool {
        *self == Versions::from(other)
    }
}

impl<const N: usize> PartialEq<&[u64; N]> for Versions<'_> {
    fn eq(&self, other: &&[u64; N]) -> bool {
        *self == Versions::from(*other)
    }
}

impl fmt::Debug for Versions<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// A node's version vector as it was when [`super::Store::snapshot`] took
/// it, at the width the store had then, shared with the node until the node
/// changes its vector (which then copies it). Read it through
/// [`Digest::versions`].
#[derive(Clone)]
pub struct Digest(pub(super) Shared);

/// The two widths of a [`Digest`].
#[derive(Clone)]
pub(super) enum Shared {
    Narrow(Arc<[u32]>),
    Wide(Arc<[u64]>),
}

impl Digest {
    /// The entries, indexed by origin.
    pub fn versions(&self) -> Versions<'_> {
        match &self.0 {
            Shared::Narrow(v) => Versions(Slice::Narrow(v)),
            Shared::Wide(v) => Versions(Slice::Wide(v)),
        }
    }

    /// Number of entries (one per origin).
    pub fn len(&self) -> usize {
        self.versions().len()
    }

    /// Whether there are no entries.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The entries as a vector of `u64` (a copy).
    pub fn to_vec(&self) -> Vec<u64> {
        self.versions().to_vec()
    }
}

impl From<Vec<u64>> for Digest {
    /// A wide digest holding `entries` (one per origin), shared with no node.
    fn from(entries: Vec<u64>) -> Digest {
        Digest(Shared::Wide(entries.into()))
    }
}

impl PartialEq for Digest {
    /// Equal entries, whatever the widths.
    fn eq(&self, other: &Digest) -> bool {
        self.versions() == other.versions()
    }
}

impl Eq for Digest {}

impl fmt::Debug for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Digest").field(&self.versions()).finish()
    }
}
