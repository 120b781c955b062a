//! What the run loop schedules, and how the queue holds it: an [`Event`]
//! packed into 8 bytes ([`Packed`]), so that a queue entry (time and event)
//! is 16 bytes rather than 24 — less for the batch sort to move and for a
//! large run's ring of buckets to hold.

use crate::node::NodeId;
use crate::scenario::MAX_NODES;

/// One thing to do at one time.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(super) enum Event {
    /// A gossip round of `node`, armed by its timer number `timer`.
    Round { node: NodeId, timer: u32 },
    /// A flight's arrival: its slot, and its receiver (to prefetch its state).
    Deliver { slot: u32, to: NodeId },
    /// A workload write of this node.
    Write(NodeId),
    /// The scheduled write of this index.
    Scheduled(u32),
    /// The planned fault of this index.
    Fault(u32),
    /// A staleness sample.
    Sample,
}

/// An [`Event`] in one `u64`: the kind in the top 3 bits, a node id in the
/// 29 bits below (the node of a round, the receiver of a delivery), and a
/// 32-bit number in the low half (the timer, the slot, or the index or
/// node of the other kinds).
#[derive(Copy, Clone, Debug)]
pub(super) struct Packed(u64);

/// Bits of the node id field.
const NODE_BITS: u32 = 29;

// Every node id fits its field.
const _: () = assert!((MAX_NODES as u64) <= 1 << NODE_BITS);

const ROUND: u64 = 0;
const DELIVER: u64 = 1;
const WRITE: u64 = 2;
const SCHEDULED: u64 = 3;
const FAULT: u64 = 4;
const SAMPLE: u64 = 5;

impl Packed {
    #[inline(always)]
    fn of(kind: u64, node: NodeId, low: u32) -> Packed {
        debug_assert!(node < 1 << NODE_BITS, "node {node} beyond the packed field");
        Packed(kind << 61 | u64::from(node) << 32 | u64::from(low))
    }

    /// The node of a round, or the receiver of a delivery (0 otherwise).
    #[inline(always)]
    fn node(self) -> NodeId {
        (self.0 >> 32) as u32 & ((1 << NODE_BITS) - 1)
    }

    /// What the run loop starts loading a few events ahead: the node of a
    /// round, or the slot and receiver of a delivery; `None` for the other
    /// kinds. Cheaper than [`Packed::unpack`].
    #[inline(always)]
    pub(super) fn hint(self) -> Option<Event> {
        match self.0 >> 61 {
            ROUND => Some(Event::Round {
                node: self.node(),
                timer: 0,
            }),
            DELIVER => Some(Event::Deliver {
                slot: self.0 as u32,
                to: self.node(),
            }),
            _ => None,
        }
    }

    /// The event packed.
    #[inline(always)]
    pub(super) fn unpack(self) -> Event {
        let (node, low) = (self.node(), self.0 as u32);
        match self.0 >> 61 {
            ROUND => Event::Round { node, timer: low },
            DELIVER => Event::Deliver { slot: low, to: node },
            WRITE => Event::Write(low),
            SCHEDULED => Event::Scheduled(low),
            FAULT => Event::Fault(low),
            _ => Event::Sample,
        }
    }
}

impl From<Event> for Packed {
    #[inline(always)]
    fn from(e: Event) -> Packed {
        match e {
            Event::Round { node, timer } => Packed::of(ROUND, node, timer),
            Event::Deliver { slot, to } => Packed::of(DELIVER, to, slot),
            Event::Write(node) => Packed::of(WRITE, 0, node),
            Event::Scheduled(i) => Packed::of(SCHEDULED, 0, i),
            Event::Fault(i) => Packed::of(FAULT, 0, i),
            Event::Sample => Packed::of(SAMPLE, 0, 0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every kind comes back as it went in, at the extremes of its fields
    /// (the largest node id, and 32-bit numbers with every bit set), and
    /// its prefetch hint says what it should.
    #[test]
    fn every_event_unpacks_to_itself() {
        let top = MAX_NODES - 1;
        let events = [
            Event::Round { node: 0, timer: 0 },
            Event::Round {
                node: top,
                timer: u32::MAX,
            },
            Event::Deliver {
                slot: u32::MAX,
                to: top,
            },
            Event::Deliver { slot: 7, to: 1 << 23 },
            Event::Write(u32::MAX),
            Event::Write(3),
            Event::Scheduled(u32::MAX),
            Event::Fault(u32::MAX),
            Event::Fault(0),
            Event::Sample,
        ];
        for e in events {
            let packed = Packed::from(e);
            assert_eq!(packed.unpack(), e);
            // The hint names a round's node (not its timer) and a delivery whole.
            let hint = match e {
                Event::Round { node, .. } => Some(Event::Round { node, timer: 0 }),
                Event::Deliver { .. } => Some(e),
                _ => None,
            };
            assert_eq!(packed.hint(), hint, "{e:?}");
        }
        assert_eq!(std::mem::size_of::<(u64, Packed)>(), 16);
    }
}
