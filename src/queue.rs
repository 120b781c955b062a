//! The event queue: a monotone priority queue ordered by `(time, seq)`
//! (determinism rule 2).
//!
//! `seq` is a global insertion counter, so events scheduled for the same
//! instant come out first-in first-out and no tie is ever left to the data
//! structure. Simulated time never goes backwards — every event is scheduled
//! at or after the time of the event being processed — so the queue is a
//! **radix heap** (Ahuja, Mehlhorn, Orlin, Tarjan 1990) over the 128-bit key
//! `time << 64 | seq`: bucket `i` holds keys whose highest bit differing from
//! the last popped key is bit `i - 1`. A push is an append to a vector; a pop
//! takes from bucket 0 or, when it is empty, redistributes the first
//! non-empty bucket around its minimum. Each entry moves at most 128 times
//! and in practice a handful, through sequential memory, which is much
//! friendlier to the cache than a binary heap of hundreds of thousands of
//! entries.

use crate::time::SimTime;

const BUCKETS: usize = 129;

/// A priority queue of events ordered by `(time, insertion order)`, for
/// times that never go below the last popped time.
#[derive(Debug)]
pub struct EventQueue<E> {
    last: u128,
    buckets: Vec<Vec<(u128, E)>>,
    /// Bit `i` set: bucket `i` may be non-empty (set on every push into it,
    /// cleared when it is found or made empty), so a refill finds the first
    /// non-empty bucket without scanning 129 vectors.
    occupied: [u64; 3],
    len: usize,
    next_seq: u64,
}

impl<E> Default for EventQueue<E> {
    fn default() -> Self {
        Self::with_capacity(0)
    }
}

#[inline]
fn bucket(key: u128, last: u128) -> usize {
    (128 - (key ^ last).leading_zeros()) as usize
}

impl<E> EventQueue<E> {
    /// An empty queue with room for about `capacity` events.
    pub fn with_capacity(capacity: usize) -> Self {
        let mut buckets: Vec<Vec<(u128, E)>> = (0..BUCKETS).map(|_| Vec::new()).collect();
        // The high buckets (about the time bits) take most entries at first.
        for b in buckets.iter_mut().skip(64) {
            b.reserve(capacity / 16);
        }
        EventQueue {
            last: 0,
            buckets,
            occupied: [0; 3],
            len: 0,
            next_seq: 0,
        }
    }

    /// Schedules `event` at `time`; returns its sequence number.
    ///
    /// # Panics
    /// If `time` is earlier than the last popped event's time (simulated
    /// time never runs backwards).
    pub fn push(&mut self, time: SimTime, event: E) -> u64 {
        let seq = self.next_seq;
        self.next_seq += 1;
        let key = ((time.0 as u128) << 64) | seq as u128;
        assert!(key >= self.last, "event scheduled in the past: {time:?}");
        let b = bucket(key, self.last);
        self.buckets[b].push((key, event));
        self.occupied[b / 64] |= 1 << (b % 64);
        self.len += 1;
        seq
    }

    /// Removes and returns the earliest event (FIFO among equal times).
    pub fn pop(&mut self) -> Option<(SimTime, E)> {
        if self.len == 0 {
            return None;
        }
        if self.buckets[0].is_empty() {
            self.refill();
        }
        let (key, e) = self.buckets[0]
            .pop()
            .expect("refill leaves the minimum in bucket 0");
        self.len -= 1;
        Some((SimTime((key >> 64) as u64), e))
    }

    /// Moves the first non-empty bucket's entries down around its minimum.
    fn refill(&mut self) {
        let i = self.first_occupied();
        let mut moving = std::mem::take(&mut self.buckets[i]);
        self.occupied[i / 64] &= !(1 << (i % 64));
        let min = moving.iter().map(|(k, _)| *k).min().expect("non-empty");
        self.last = min;
        for (k, e) in moving.drain(..) {
            let b = bucket(k, min);
            self.buckets[b].push((k, e));
            self.occupied[b / 64] |= 1 << (b % 64);
        }
        // Give the (now empty) vector back so its capacity is reused.
        self.buckets[i] = moving;
    }

    /// The first non-empty bucket above 0 (the queue is not empty and
    /// bucket 0 is). Stale bits (a bucket emptied by pops) are cleared on
    /// the way.
    fn first_occupied(&mut self) -> usize {
        self.occupied[0] &= !1;
        loop {
            let w = self.occupied.iter().position(|&w| w != 0).expect("len > 0");
            let i = w * 64 + self.occupied[w].trailing_zeros() as usize;
            if !self.buckets[i].is_empty() {
                return i;
            }
            self.occupied[w] &= !(1 << (i % 64));
        }
    }

    /// The time of the earliest event, if any.
    pub fn peek_time(&mut self) -> Option<SimTime> {
        if self.len == 0 {
            return None;
        }
        if self.buckets[0].is_empty() {
            self.refill();
        }
        self.buckets[0].last().map(|(k, _)| SimTime((*k >> 64) as u64))
    }

    /// Number of pending events.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether no event is pending.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};

    #[test]
    fn equal_times_are_fifo() {
        let mut q = EventQueue::default();
        for i in 0..100 {
            q.push(SimTime(5), i);
        }
        q.push(SimTime(1), -1);
        assert_eq!(q.pop(), Some((SimTime(1), -1)));
        for i in 0..100 {
            assert_eq!(q.pop(), Some((SimTime(5), i)));
        }
        assert!(q.pop().is_none());
    }

    #[test]
    fn pops_in_total_order_against_a_sorted_reference() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
        let mut q = EventQueue::default();
        let mut reference = Vec::new();
        for i in 0..10_000u32 {
            let t = rng.random_range(0..50u64);
            q.push(SimTime(t), i);
            reference.push((t, i));
        }
        reference.sort(); // (time, insertion index) — insertion index is the seq
        let popped: Vec<(u64, u32)> = std::iter::from_fn(|| q.pop().map(|(t, e)| (t.0, e))).collect();
        assert_eq!(popped, reference);
    }

    /// Times whose keys differ in the top bits reach the last buckets
    /// (index 128, the third word of the occupancy mask).
    #[test]
    fn extreme_times_pop_in_order() {
        let mut q = EventQueue::default();
        let times = [u64::MAX - 1, 1 << 63, 0, (1 << 63) + 1, 1 << 32, 1];
        for (i, &t) in times.iter().enumerate() {
            q.push(SimTime(t), i);
        }
        let mut want: Vec<(u64, usize)> = times.iter().copied().zip(0..).collect();
        want.sort();
        let got: Vec<(u64, usize)> = std::iter::from_fn(|| q.pop().map(|(t, e)| (t.0, e))).collect();
        assert_eq!(got, want);
    }

    /// Interleaved pushes (always at or after the current time, like a
    /// simulation) and pops match a simple sorted-list reference model.
    #[test]
    fn interleaved_monotone_schedule_matches_a_reference() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        let mut q = EventQueue::default();
        let mut model = std::collections::BTreeSet::new(); // (time, seq)
        let mut now = 0u64;
        let mut seq = 0u64;
        for _ in 0..50_000 {
            if rng.random_bool(0.55) || model.is_empty() {
                let shift = rng.random_range(0..40);
                let t = now + rng.random_range(0..1u64 << shift);
                assert_eq!(q.push(SimTime(t), seq), seq);
                model.insert((t, seq));
                seq += 1;
            } else {
                let want = model.pop_first().unwrap();
                assert_eq!(q.peek_time(), Some(SimTime(want.0)));
                let (t, e) = q.pop().unwrap();
                assert_eq!((t.0, e), want);
                now = t.0;
            }
            assert_eq!(q.len(), model.len());
        }
    }

    #[test]
    #[should_panic(expected = "in the past")]
    fn scheduling_in_the_past_is_a_bug() {
        let mut q = EventQueue::default();
        q.push(SimTime(10), ());
        q.pop();
        q.push(SimTime(9), ());
    }
}
