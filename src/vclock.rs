//! Vector clocks (Fidge–Mattern) and the partial order they define.
//!
//! A [`VectorClock`] has one entry per node. The three rules of DESIGN.md §1:
//! a local event increments the node's own entry ([`VectorClock::tick`]); a
//! send ticks and attaches a copy; a receipt takes the element-wise maximum
//! with the attached clock and then ticks ([`VectorClock::receive`]).
//! `a -> b` (happens-before) iff `a <= b` element-wise and `a != b`;
//! [`PartialOrd`] returns `None` for concurrent clocks. The same partial order
//! compares Scuttlebutt version vectors ([`compare`]).

use std::cmp::Ordering;

/// A Fidge–Mattern vector clock over `n` nodes.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct VectorClock(pub Vec<u64>);

impl VectorClock {
    /// The zero clock over `n` nodes.
    pub fn new(n: usize) -> VectorClock {
        VectorClock(vec![0; n])
    }

    /// Rule 1 (and the first half of rule 2): a local event at `node`.
    pub fn tick(&mut self, node: usize) {
        self.0[node] += 1;
    }

    /// Rule 3: receipt at `node` of a message carrying `attached`.
    /// Calls `changed(index, new_value)` for every entry that changed, in
    /// index order (the trace records only changed entries).
    pub fn receive(&mut self, node: usize, attached: &[u64], mut changed: impl FnMut(usize, u64)) {
        debug_assert_eq!(attached.len(), self.0.len());
        for (i, (mine, theirs)) in self.0.iter_mut().zip(attached).enumerate() {
            if *theirs > *mine {
                *mine = *theirs;
                if i != node {
                    changed(i, *mine);
                }
            }
        }
        self.0[node] += 1;
        changed(node, self.0[node]);
    }

    /// `self -> other`: strictly happened before.
    pub fn happened_before(&self, other: &VectorClock) -> bool {
        self.partial_cmp(other) == Some(Ordering::Less)
    }

    /// Neither happened before the other, and they differ.
    pub fn concurrent(&self, other: &VectorClock) -> bool {
        self.partial_cmp(other).is_none()
    }
}

impl PartialOrd for VectorClock {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        compare(&self.0, &other.0)
    }
}

/// The element-wise partial order of two equal-length vectors: `Some(Less)`
/// if `a <= b` and `a != b`, `Some(Equal)`, `Some(Greater)`, or `None` when
/// each has an entry larger than the other's (concurrent).
pub fn compare<T: Ord>(a: &[T], b: &[T]) -> Option<Ordering> {
    assert_eq!(a.len(), b.len(), "comparing vectors of different lengths");
    let mut less = false;
    let mut greater = false;
    for (x, y) in a.iter().zip(b) {
        match x.cmp(y) {
            Ordering::Less => less = true,
            Ordering::Greater => greater = true,
            Ordering::Equal => {}
        }
        if less && greater {
            return None;
        }
    }
    Some(match (less, greater) {
        (false, false) => Ordering::Equal,
        (true, false) => Ordering::Less,
        _ => Ordering::Greater,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// DESIGN.md §1: P=[1,0] sends to Q=[0,0]: P becomes [2,0] and attaches
    /// it; Q becomes [2,1].
    #[test]
    fn design_worked_example() {
        let mut p = VectorClock(vec![1, 0]);
        let mut q = VectorClock::new(2);
        p.tick(0); // send
        let attached = p.clone();
        assert_eq!(p.0, vec![2, 0]);
        let mut changes = Vec::new();
        q.receive(1, &attached.0, |i, v| changes.push((i, v)));
        assert_eq!(q.0, vec![2, 1]);
        assert_eq!(changes, vec![(0, 2), (1, 1)]);
        assert!(attached.happened_before(&q));
    }

    #[test]
    fn hand_built_orders() {
        let a = VectorClock(vec![1, 0, 0]);
        let b = VectorClock(vec![1, 1, 0]);
        let c = VectorClock(vec![0, 0, 1]);
        assert!(a.happened_before(&b));
        assert!(!b.happened_before(&a));
        assert!(a.concurrent(&c));
        assert!(b.concurrent(&c));
        assert!(!a.concurrent(&a));
        assert_eq!(a.partial_cmp(&a), Some(Ordering::Equal));
        assert_eq!(b.partial_cmp(&a), Some(Ordering::Greater));
        // Transitivity on a chain a -> b -> d.
        let d = VectorClock(vec![2, 1, 1]);
        assert!(b.happened_before(&d) && a.happened_before(&d));
    }
}
