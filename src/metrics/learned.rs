//! When each node first held each write: `nodes` times per write, kept only
//! on request ([`super::Collector::with_learned`]) because it is
//! O(writes × N) memory, unlike the spread levels.
//!
//! A node *learns* write `(origin, v)` the first time its version-vector
//! entry for `origin` reaches `v` or more (the writer at the write itself).
//! A lost-state restart can make it forget and learn again; the time kept
//! is the first.

/// First-held times of every write, per origin, in version order.
#[derive(Clone, Debug)]
pub(crate) struct Learned {
    nodes: usize,
    /// Per origin: `nodes` slots per write (ns; `u64::MAX`: never held).
    at: Vec<Vec<u64>>,
}

impl Learned {
    pub(crate) fn new(nodes: u32) -> Learned {
        Learned {
            nodes: nodes as usize,
            at: vec![Vec::new(); nodes as usize],
        }
    }

    /// A new write of `origin` (after its earlier ones).
    pub(crate) fn write(&mut self, origin: u32) {
        self.at[origin as usize].extend(std::iter::repeat_n(u64::MAX, self.nodes));
    }

    /// `node` holds write number `index` of `origin` at `t`: kept if it is
    /// the first time.
    pub(crate) fn held(&mut self, origin: u32, index: usize, node: u32, t: u64) {
        let slot = &mut self.at[origin as usize][index * self.nodes + node as usize];
        if *slot == u64::MAX {
            *slot = t;
        }
    }

    /// When each node (by id) first held write number `index` of `origin`;
    /// `u64::MAX`: never.
    pub(crate) fn times(&self, origin: u32, index: usize) -> &[u64] {
        &self.at[origin as usize][index * self.nodes..(index + 1) * self.nodes]
    }
}

/// One write and when each node first held it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LearnedWrite<'a> {
    /// The writer.
    pub origin: u32,
    /// The key written.
    pub key: u32,
    /// The write's version.
    pub version: u64,
    /// True time of the write (ns).
    pub t_ns: u64,
    /// Per node id: true time (ns) it first held the write; `u64::MAX`: never.
    pub learned_ns: &'a [u64],
}
