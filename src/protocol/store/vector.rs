//! Version vectors at four widths. A stored entry is a [`Version`]: `u8`,
//! `u16`, `u32` or `u64`, the smallest that has held every version the
//! store took so far (see the [`super`] module docs). Outside the store a
//! vector is read through [`Versions`], a borrowed view at any of the
//! widths, and travels as a [`Digest`], a shared snapshot; both read as
//! `u64` entries indexed by origin, whatever their width.

use std::fmt;
use std::ops::{BitAnd, BitOr};
use std::sync::Arc;

/// The entry type of a stored version vector: `u8`, `u16`, `u32` or `u64`.
/// Values are the same versions at every width; only the width differs.
pub(super) trait Version:
    Copy + Ord + Default + fmt::Debug + Into<u64> + TryFrom<u64> + BitOr<Output = Self> + BitAnd<Output = Self>
{
    /// Zero.
    const ZERO: Self;
    /// Only the top bit set.
    const TOP: Self;
    /// The width in bits.
    const BITS: u32;
    /// Entries per block of the digest scan: 64 for `u8` and 32 for `u16`
    /// (64 bytes, one cache line, as 16 `u32`), 16 for `u32` and `u64`. At
    /// most 64 (one bit each in the mask of [`newer`]); small entries get more per
    /// block because [`maybe_newer`] is a call, not inlined.
    const BLOCK: usize;

    /// `self - other`, wrapping around.
    fn wrapping_sub(self, other: Self) -> Self;

    /// `version` as an entry, if it fits.
    fn narrow(version: u64) -> Option<Self> {
        Self::try_from(version).ok()
    }

    /// [`maybe_newer`] on one block: `mine` and `digest` hold
    /// [`Self::BLOCK`] entries each.
    fn block_newer(mine: &[Self], digest: &[Self]) -> bool;

    /// [`differ`] on one block: `mine` and `digest` hold [`Self::BLOCK`]
    /// entries each.
    fn block_differs(mine: &[Self], digest: &[Self]) -> bool;

    /// [`newer`] for a block at this width: [`simd_newer`] for `u8` and
    /// `u16`, whose plain loop compiles to lane shuffles.
    fn newer(mine: &[Self], digest: &[Self]) -> u64;

    /// The whole both-ways scan of `mine` against `digest` by wide SIMD
    /// (AVX2 at `u8`, where the processor has it; see
    /// [`crate::simd::both_ways_u8`]): `block(first, newer, older)` for each
    /// block that differs, every block 64 entries (the last one overlapping
    /// the one before, its shared bits clear). `false`, and no call, where
    /// there is none.
    fn both_ways(mine: &[Self], digest: &[Self], block: impl FnMut(usize, u64, u64)) -> bool;

    /// A vector of this width as a [`Versions`].
    fn view(vector: &[Self]) -> Versions<'_>;

    /// `versions` as a slice of this width, if it has this width.
    fn of(versions: Versions<'_>) -> Option<&[Self]>;

    /// A shared vector of this width as a [`Digest`].
    fn digest(vector: Arc<[Self]>) -> Digest;
}

/// Implements [`Version`] for `$t`, whose [`Slice`] and [`Shared`] variant
/// is `$variant`, with blocks of `$block` entries and `$newer` as its
/// [`Version::newer`]; and the view of a slice of `$t` as a [`Versions`].
macro_rules! version {
    ($t:ty, $variant:ident, $block:literal, $newer:expr, $both_ways:expr) => {
        impl Version for $t {
            const ZERO: $t = 0;
            const TOP: $t = 1 << (<$t>::BITS - 1);
            const BITS: u32 = <$t>::BITS;
            const BLOCK: usize = $block;

            fn wrapping_sub(self, other: $t) -> $t {
                <$t>::wrapping_sub(self, other)
            }

            fn block_newer(mine: &[$t], digest: &[$t]) -> bool {
                let mine: &[$t; $block] = mine.try_into().expect("a whole block");
                let digest: &[$t; $block] = digest.try_into().expect("a whole block");
                maybe_newer(mine, digest)
            }

            fn block_differs(mine: &[$t], digest: &[$t]) -> bool {
                let mine: &[$t; $block] = mine.try_into().expect("a whole block");
                let digest: &[$t; $block] = digest.try_into().expect("a whole block");
                differ(mine, digest)
            }

            fn newer(mine: &[$t], digest: &[$t]) -> u64 {
                ($newer)(mine, digest)
            }

            fn both_ways(mine: &[$t], digest: &[$t], block: impl FnMut(usize, u64, u64)) -> bool {
                ($both_ways)(mine, digest, block)
            }

            fn view(vector: &[$t]) -> Versions<'_> {
                Versions(Slice::$variant(vector))
            }

            fn of(versions: Versions<'_>) -> Option<&[$t]> {
                match versions.0 {
                    Slice::$variant(v) => Some(v),
                    _ => None,
                }
            }

            fn digest(vector: Arc<[$t]>) -> Digest {
                Digest(Shared::$variant(vector))
            }
        }

        impl<'a> From<&'a [$t]> for Versions<'a> {
            /// A view of `entries` at their width.
            fn from(entries: &'a [$t]) -> Versions<'a> {
                Versions(Slice::$variant(entries))
            }
        }
    };
}

version!(
    u8,
    U8,
    64,
    |m, d| simd_newer(m, d, crate::simd::greater_u8),
    crate::simd::both_ways_u8
);
version!(
    u16,
    U16,
    32,
    |m, d| simd_newer(m, d, crate::simd::greater_u16),
    no_both_ways
);
version!(u32, U32, 16, newer, no_both_ways);
version!(u64, U64, 16, newer, no_both_ways);

/// The both-ways scan of `mine` against `digest` (of equal length) by
/// blocks of [`Version::BLOCK`] entries, the last one shorter: for each
/// block that differs, in order, `block(first, newer, older)`, with bit `j`
/// of `newer` set when `mine[first + j] > digest[first + j]` and of `older`
/// when the reverse. Where [`Version::both_ways`] runs it gives the same
/// masks, except that its last block is the vector's last 64 entries with
/// the bits of the block before cleared (see [`crate::simd::both_ways_u8`]).
pub(super) fn both_ways_by_blocks<V: Version>(
    mine: &[V],
    digest: &[V],
    mut block: impl FnMut(usize, u64, u64),
) {
    let (a, b) = (mine.chunks_exact(V::BLOCK), digest.chunks_exact(V::BLOCK));
    let (rest_a, rest_b) = (a.remainder(), b.remainder());
    for (i, (a, b)) in a.zip(b).enumerate() {
        // Both vectors are cold in a large cluster (10 KB each at 10,000
        // nodes): ask for the lines six blocks on.
        let ahead = (i + 6) * V::BLOCK;
        if let (Some(x), Some(y)) = (mine.get(ahead), digest.get(ahead)) {
            crate::prefetch::prefetch(x);
            crate::prefetch::prefetch(y);
        }
        if V::block_differs(a, b) {
            block(i * V::BLOCK, V::newer(a, b), V::newer(b, a));
        }
    }
    // The tail (shorter than a block) at the block's width too: `u8` and
    // `u16` entries by SIMD (see `simd_newer`).
    let (newer, older) = (V::newer(rest_a, rest_b), V::newer(rest_b, rest_a));
    if newer | older != 0 {
        block(mine.len() - rest_a.len(), newer, older);
    }
}

/// [`Version::both_ways`] at a width without a wide SIMD scan.
fn no_both_ways<V>(_: &[V], _: &[V], _: impl FnMut(usize, u64, u64)) -> bool {
    false
}

/// Whether some entry of `mine` may be newer than the same entry of
/// `digest`: never false when one is (so a `false` block can be skipped),
/// rarely true when none is (the caller then compares exactly). Where
/// `mine` is below the top bit ([`Version::TOP`]: 2^7 for `u8`, 2^15,
/// 2^31, 2^63 for `u64`), `digest - mine` wraps to a number with the top
/// bit set exactly when `mine` is newer; an entry of `mine` at the top bit
/// or above sets the bit itself (it is ORed in whole: only the top bit of
/// the result is read, and masking each entry instead makes the compiler
/// shuffle lanes). One accumulator of subtractions and ORs, which the
/// compiler vectorises even for baseline x86-64 (`psubb` … `psubq` and
/// `por`, no compare needed; 16 `u8` lanes per register down to two
/// `u64`) — as long as it is not inlined into the scan, which keeps the
/// loaded entries for the exact pass instead.
#[inline(never)]
pub(super) fn maybe_newer<V: Version, const W: usize>(mine: &[V; W], digest: &[V; W]) -> bool {
    let mut acc = V::ZERO;
    for j in 0..W {
        acc = acc | digest[j].wrapping_sub(mine[j]) | mine[j];
    }
    acc & V::TOP != V::ZERO
}

/// Whether some entry of `mine` differs from the same entry of `digest`:
/// one accumulator of wrapping differences (vectorised like
/// [`maybe_newer`], and not inlined for the same reason).
#[inline(never)]
pub(super) fn differ<V: Version, const W: usize>(mine: &[V; W], digest: &[V; W]) -> bool {
    let mut acc = V::ZERO;
    for j in 0..W {
        acc = acc | mine[j].wrapping_sub(digest[j]);
    }
    acc != V::ZERO
}

/// The entries of `mine` (at most 64) newer than the same entries of
/// `digest`, at any two widths: bit `j` set when `mine[j] > digest[j]`.
pub(super) fn newer<M: Version, D: Version>(mine: &[M], digest: &[D]) -> u64 {
    debug_assert!(mine.len() <= 64 && mine.len() == digest.len());
    let mut newer = 0u64;
    for (j, (&have, &theirs)) in mine.iter().zip(digest).enumerate() {
        let (have, theirs): (u64, u64) = (have.into(), theirs.into());
        newer |= u64::from(have > theirs) << j;
    }
    newer
}

/// [`newer`] at one width, exact for every value, computed on `u64` words
/// of `64 / V::BITS` entries each with plain integer operations (SIMD
/// within a register). Per entry, with `H` its top bit and `lo` the bits
/// below: `(theirs | H) - (have & !H)` keeps the top bit exactly when
/// `theirs.lo >= have.lo`, and borrows from no neighbour (it is at least 1);
/// so `have > theirs` is the top bit of `have & !theirs` (top bits differ
/// that way) or of `!(have ^ theirs) & !that` (top bits equal, low bits
/// decide). One multiplication then gathers the top bits of a word into
/// its top `64 / V::BITS` bits: each lands on its own bit, no two sum.
pub(super) fn packed_newer<V: Version>(mine: &[V], digest: &[V]) -> u64 {
    debug_assert!(mine.len() <= 64 && mine.len() == digest.len());
    let lanes = (u64::BITS / V::BITS) as usize;
    // One bit per entry (its lowest), its top bit, and the gathering
    // factor: entry k's flag (bit `BITS * k`) times bit `c_m` of the
    // factor lands on `64 - lanes + k` when `m = lanes - 1 - k`.
    let ones = u64::MAX / (u64::MAX >> (u64::BITS - V::BITS));
    let top = ones << (V::BITS - 1);
    let gather = (0..lanes as u32).fold(0u64, |f, m| {
        f | 1 << (u64::BITS - lanes as u32 - (V::BITS - 1) * (lanes as u32 - 1 - m))
    });
    let word = |entries: &[V]| {
        (entries.iter().enumerate()).fold(0u64, |w, (j, &v)| w | v.into() << (j as u32 * V::BITS))
    };
    let mut newer = 0u64;
    for (i, (have, theirs)) in mine.chunks(lanes).zip(digest.chunks(lanes)).enumerate() {
        let (have, theirs) = (word(have), word(theirs));
        let low_not_newer = (theirs | top) - (have & !top);
        let flags = ((have & !theirs) | (!(have ^ theirs) & !low_not_newer)) & top;
        let bits = (flags >> (V::BITS - 1)).wrapping_mul(gather) >> (u64::BITS - lanes as u32);
        newer |= bits << (i * lanes);
    }
    newer
}

/// [`newer`] for `u8` and `u16` entries: whole groups of 16 through
/// `greater` ([`crate::simd::greater_u8`] or [`crate::simd::greater_u16`],
/// SSE2), then a shorter tail as the last 16 entries (overlapping the
/// groups before), or, in fewer than 16 entries (and every entry off
/// x86-64), through [`packed_newer`].
pub(super) fn simd_newer<V: Version>(
    mine: &[V],
    digest: &[V],
    greater: fn(&[V], &[V]) -> Option<u64>,
) -> u64 {
    let len = mine.len();
    let whole = len / 16 * 16;
    let Some(bits) = greater(&mine[..whole], &digest[..whole]) else {
        return packed_newer(mine, digest);
    };
    let rest = len - whole;
    if rest == 0 {
        bits
    } else if len >= 16 {
        // Bit `k` of the last group's mask is entry `len - 16 + k`: past
        // the `16 - rest` entries already compared, the tail's.
        let last = greater(&mine[len - 16..], &digest[len - 16..]).expect("compared above");
        bits | (last >> (16 - rest)) << whole
    } else {
        bits | packed_newer(&mine[whole..], &digest[whole..]) << whole
    }
}

/// A version vector (or a digest) as stored, at any width, read as `u64`
/// entries indexed by origin. Borrowed: a view, not a copy.
#[derive(Copy, Clone)]
pub struct Versions<'a>(pub(super) Slice<'a>);

/// The four widths of a [`Versions`].
#[derive(Copy, Clone)]
pub(super) enum Slice<'a> {
    U8(&'a [u8]),
    U16(&'a [u16]),
    U32(&'a [u32]),
    U64(&'a [u64]),
}

/// Runs `$e` with `$v` bound to the entries of the [`Slice`] `$slice`.
macro_rules! slice {
    ($slice:expr, $v:ident => $e:expr) => {
        match $slice {
            Slice::U8($v) => $e,
            Slice::U16($v) => $e,
            Slice::U32($v) => $e,
            Slice::U64($v) => $e,
        }
    };
}

/// `entry` as a `u64`, whatever its width.
fn wide<V: Version>(entry: V) -> u64 {
    entry.into()
}

impl<'a> Versions<'a> {
    /// Number of entries (one per origin).
    pub fn len(self) -> usize {
        slice!(self.0, v => v.len())
    }

    /// Whether there are no entries.
    pub fn is_empty(self) -> bool {
        self.len() == 0
    }

    /// The entry of `origin`, if there is one.
    pub fn get(self, origin: usize) -> Option<u64> {
        slice!(self.0, v => v.get(origin).copied().map(wide))
    }

    /// The entries in origin order.
    pub fn iter(self) -> impl ExactSizeIterator<Item = u64> + 'a {
        let slice = self.0;
        (0..self.len()).map(move |i| slice!(slice, v => wide(v[i])))
    }

    /// The entries as a vector of `u64` (a copy).
    pub fn to_vec(self) -> Vec<u64> {
        self.iter().collect()
    }

    /// The width of the stored entries in bits: 8, 16, 32 or 64 (tests:
    /// which width a store or a digest has, so which path a scan takes).
    pub fn bits(self) -> u32 {
        match self.0 {
            Slice::U8(_) => u8::BITS,
            Slice::U16(_) => u16::BITS,
            Slice::U32(_) => u32::BITS,
            Slice::U64(_) => u64::BITS,
        }
    }
}

impl<'a, const N: usize> From<&'a [u64; N]> for Versions<'a> {
    /// A `u64` view of `entries`.
    fn from(entries: &'a [u64; N]) -> Versions<'a> {
        Versions(Slice::U64(entries))
    }
}

impl PartialEq for Versions<'_> {
    /// Equal entries, whatever the widths.
    fn eq(&self, other: &Versions<'_>) -> bool {
        match (self.0, other.0) {
            (Slice::U8(a), Slice::U8(b)) => a == b,
            (Slice::U16(a), Slice::U16(b)) => a == b,
            (Slice::U32(a), Slice::U32(b)) => a == b,
            (Slice::U64(a), Slice::U64(b)) => a == b,
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

/// The four widths of a [`Digest`].
#[derive(Clone)]
pub(super) enum Shared {
    U8(Arc<[u8]>),
    U16(Arc<[u16]>),
    U32(Arc<[u32]>),
    U64(Arc<[u64]>),
}

impl Digest {
    /// The entries, indexed by origin.
    pub fn versions(&self) -> Versions<'_> {
        match &self.0 {
            Shared::U8(v) => Versions(Slice::U8(v)),
            Shared::U16(v) => Versions(Slice::U16(v)),
            Shared::U32(v) => Versions(Slice::U32(v)),
            Shared::U64(v) => Versions(Slice::U64(v)),
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

    /// Whether this digest is `vector` itself (the same shared entries, not
    /// equal ones): a vector a digest shares has not changed since the
    /// digest was taken, as a change while a digest is alive copies it.
    pub(super) fn is<V: Version>(&self, vector: &Arc<[V]>) -> bool {
        V::of(self.versions()).is_some_and(|d| std::ptr::eq(d, &**vector))
    }
}

impl From<Vec<u64>> for Digest {
    /// A `u64` digest holding `entries` (one per origin), shared with no
    /// node.
    fn from(entries: Vec<u64>) -> Digest {
        Digest(Shared::U64(entries.into()))
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
