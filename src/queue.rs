//! The event queue: a monotone priority queue ordered by `(time, seq)`
//! (determinism rule 2).
//!
//! `seq` is a global insertion counter, so events scheduled for the same
//! instant come out first-in first-out and no tie is ever left to the data
//! structure. Simulated time never goes backwards — every event is scheduled
//! at or after the time of the event being processed — which the queue
//! exploits twice:
//!
//! - **A calendar** (Brown 1988) of time buckets `width` nanoseconds wide, a
//!   ring covering `slots × width` from the current bucket on. A push is an
//!   append to its bucket's vector. When the current bucket is used up, the
//!   next non-empty one (found in an occupancy bit set) is sorted into
//!   `(time, seq)` order and becomes the **batch** the pops walk through.
//!   Because the batch is known, the run loop can look a few events ahead
//!   ([`EventQueue::upcoming`]) and start loading their nodes' state.
//! - Events beyond the ring's horizon (a write scheduled seconds ahead) wait
//!   in a binary heap and move into the ring as it advances; events
//!   scheduled into the bucket being walked (a latency shorter than a
//!   bucket) wait in a second binary heap merged with the batch. In a
//!   gossip run both hold few events: rounds and deliveries fall in the
//!   ring.
//! - **A lane** for events that come in order already
//!   ([`EventQueue::push_periodic`]): with perfect clocks every node's next
//!   round is one interval after its last, so the rounds are pushed in
//!   `(time, seq)` order and a first-in first-out queue holds them, with no
//!   bucket and no sort. The pops merge the lane with the calendar. A lane
//!   entry needs no `seq` to be placed among the calendar's: it notes how
//!   many entries its bucket held when it was pushed, which tells a tie with
//!   one of them apart (`EventQueue::next_source`).
//!
//! The pop order is the total order on `(time, seq)`, whatever the width
//! and ring size: they only decide how fast it is.

use crate::time::SimTime;
use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;

/// Most sub-buckets the batch sort counts into: `2^16` (a batch of more
/// entries shares them).
const MAX_SUB_BITS: u32 = 16;

/// How many moves per entry, on average, the batch sort's insertion pass
/// may make before the batch is sorted the `O(n log n)` way instead.
const MOVES_PER_ENTRY: usize = 4;

/// An event under its key, ordered by the key alone (keys are unique).
#[derive(Debug)]
struct Keyed<E>(u128, E);

impl<E> PartialEq for Keyed<E> {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}
impl<E> Eq for Keyed<E> {}
impl<E> PartialOrd for Keyed<E> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl<E> Ord for Keyed<E> {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.cmp(&other.0)
    }
}

/// An event in the lane: its time, and how many entries its bucket's ring
/// slot held when it was pushed (those were pushed before it; later ones
/// after).
#[derive(Clone, Copy, Debug)]
struct LaneEntry<E> {
    time: u64,
    event: E,
    before: u32,
}

/// A first-in first-out queue in a ring of a power-of-two size, so that an
/// index wraps around with a mask (a `VecDeque` wraps with a compare and
/// a subtraction on every access).
#[derive(Debug)]
struct Fifo<T> {
    /// The ring; its length is 0 or a power of two.
    ring: Vec<T>,
    /// The index of the front entry.
    head: usize,
    len: usize,
}

impl<T> Default for Fifo<T> {
    fn default() -> Self {
        Fifo {
            ring: Vec::new(),
            head: 0,
            len: 0,
        }
    }
}

impl<T: Copy> Fifo<T> {
    fn len(&self) -> usize {
        self.len
    }

    /// The entry `k` places after the front.
    #[inline(always)]
    fn get(&self, k: usize) -> Option<&T> {
        (k < self.len).then(|| &self.ring[(self.head + k) & (self.ring.len() - 1)])
    }

    #[inline(always)]
    fn front(&self) -> Option<&T> {
        self.get(0)
    }

    #[inline(always)]
    fn push_back(&mut self, x: T) {
        if self.len == self.ring.len() {
            self.grow(x);
        }
        let mask = self.ring.len() - 1;
        self.ring[(self.head + self.len) & mask] = x;
        self.len += 1;
    }

    /// Doubles the ring (`fill` only fills the new slots until they are
    /// used), the entries in order from its start.
    #[cold]
    #[inline(never)]
    fn grow(&mut self, fill: T) {
        let size = (self.ring.len() * 2).max(64);
        let mut ring = Vec::with_capacity(size);
        ring.extend((0..self.len).filter_map(|k| self.get(k).copied()));
        ring.resize(size, fill);
        self.ring = ring;
        self.head = 0;
    }

    #[inline(always)]
    fn pop_front(&mut self) -> Option<T> {
        let x = *self.front()?;
        self.head = (self.head + 1) & (self.ring.len() - 1);
        self.len -= 1;
        Some(x)
    }
}

/// Where the next event comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Source {
    /// The sorted batch of the bucket being walked.
    Batch,
    /// The heap of events pushed into that bucket after it was sorted.
    Late,
    /// The lane of events pushed in order.
    Lane,
}

impl<E> Keyed<E> {
    /// The event's time (the key is `time << 64 | seq`).
    fn time(&self) -> u64 {
        (self.0 >> 64) as u64
    }
}

/// A priority queue of events ordered by `(time, insertion order)`, for
/// times that never go below the last popped time. Events are small
/// `Copy` values (an index into the caller's own tables).
#[derive(Debug)]
pub struct EventQueue<E> {
    /// `log2` of the bucket width in nanoseconds.
    shift: u32,
    /// The ring: absolute bucket `b` (time `>> shift`) lives in slot
    /// `b & (slots.len() - 1)` while `cur < b < cur + slots.len()`.
    slots: Vec<Vec<(u64, E)>>,
    /// Bit `i` set exactly when `slots[i]` is non-empty.
    occupied: Vec<u64>,
    /// The absolute bucket being walked.
    cur: u64,
    /// Bucket `cur`'s events under their times, in `(time, seq)` order;
    /// `batch[pos..]` are pending. (Ring and batch entries need no `seq`:
    /// see [`EventQueue::advance`].)
    batch: Vec<(u64, E)>,
    pos: usize,
    /// Events pushed into bucket `cur` after its batch was sorted (so
    /// later in `seq` than every batch entry).
    late: BinaryHeap<Reverse<Keyed<E>>>,
    /// Events at or beyond bucket `cur + slots.len()`.
    overflow: BinaryHeap<Reverse<Keyed<E>>>,
    /// Events pushed by [`EventQueue::push_periodic`] in `(time, seq)`
    /// order, each at a bucket in the ring when it was pushed.
    lane: Fifo<LaneEntry<E>>,
    /// The time of the lane's first event (`u64::MAX` when it is empty),
    /// and of the last one pushed into it.
    lane_first: u64,
    lane_last: u64,
    /// Whether the last pop came from the lane (which
    /// [`EventQueue::upcoming`] then looks ahead in).
    last_from_lane: bool,
    /// The last popped time: no push may go below it.
    last: u64,
    len: usize,
    next_seq: u64,
    /// Scratch for the batch sort: sub-bucket starts, sort keys, and the
    /// batch in order. Once the batch is sorted, `sorted` holds it as it
    /// was pushed (for [`EventQueue::pushed_at`]).
    starts: Vec<u32>,
    keys: Vec<u64>,
    sorted: Vec<(u64, E)>,
}

impl<E: Copy> Default for EventQueue<E> {
    /// A queue with 1 µs buckets and a ring of 4,096 (4 ms).
    fn default() -> Self {
        Self::new(1 << 10, 1 << 22)
    }
}

impl<E: Copy> EventQueue<E> {
    /// An empty queue whose buckets are about `width_ns` wide (rounded down
    /// to a power of two, at least 1 ns) and whose ring reaches about
    /// `horizon_ns` ahead (rounded up to a power-of-two number of buckets,
    /// between 64 and 65,536). Events at about one per bucket, and a horizon
    /// beyond most events' delay, make it fastest.
    pub fn new(width_ns: u64, horizon_ns: u64) -> Self {
        let shift = 63 - width_ns.max(1).leading_zeros();
        let slots = (horizon_ns >> shift).clamp(64, 1 << 16).next_power_of_two() as usize;
        EventQueue {
            shift,
            slots: (0..slots).map(|_| Vec::new()).collect(),
            occupied: vec![0; slots / 64],
            cur: 0,
            batch: Vec::new(),
            pos: 0,
            late: BinaryHeap::new(),
            overflow: BinaryHeap::new(),
            lane: Fifo::default(),
            lane_first: u64::MAX,
            lane_last: 0,
            last_from_lane: false,
            last: 0,
            len: 0,
            next_seq: 0,
            starts: Vec::new(),
            keys: Vec::new(),
            sorted: Vec::new(),
        }
    }

    /// Schedules `event` at `time`; returns its sequence number.
    ///
    /// # Panics
    /// If `time` is earlier than the last popped event's time (simulated
    /// time never runs backwards).
    #[inline(always)]
    pub fn push(&mut self, time: SimTime, event: E) -> u64 {
        let seq = self.admit(time);
        self.place(time.0, seq, event);
        seq
    }

    /// Counts a push at `time` pending and returns its sequence number.
    ///
    /// # Panics
    /// If `time` is earlier than the last popped event's time.
    #[inline(always)]
    fn admit(&mut self, time: SimTime) -> u64 {
        let seq = self.next_seq;
        self.next_seq += 1;
        assert!(time.0 >= self.last, "event scheduled in the past: {time:?}");
        self.len += 1;
        seq
    }

    /// Schedules `event` at `time`, as [`EventQueue::push`] does (same
    /// order, same sequence number), in the lane when it can: when `time`
    /// is no earlier than the lane's last event and its bucket is in the
    /// ring, after the one being walked. A stream of events each pushed
    /// later than the one before (a node's rounds under perfect clocks)
    /// then needs no bucket and no sort; any other event goes where
    /// [`EventQueue::push`] puts it.
    ///
    /// # Panics
    /// If `time` is earlier than the last popped event's time.
    #[inline(always)]
    pub fn push_periodic(&mut self, time: SimTime, event: E) -> u64 {
        let b = time.0 >> self.shift;
        // (With the lane empty, its last event was popped: no later than
        // any push.)
        if time.0 < self.lane_last || b <= self.cur || b - self.cur >= self.slots.len() as u64 {
            return self.push(time, event);
        }
        let Ok(before) = u32::try_from(self.slots[b as usize & (self.slots.len() - 1)].len()) else {
            return self.push(time, event);
        };
        let seq = self.admit(time);
        self.lane.push_back(LaneEntry {
            time: time.0,
            event,
            before,
        });
        self.lane_first = self.lane_first.min(time.0);
        self.lane_last = time.0;
        seq
    }

    /// Puts an entry where its bucket says: the late heap, the ring or the
    /// overflow heap.
    #[inline(always)]
    fn place(&mut self, time: u64, seq: u64, event: E) {
        let b = time >> self.shift;
        let key = || (u128::from(time) << 64) | u128::from(seq);
        if b <= self.cur {
            // The bucket being walked (or, after a peek moved on, one
            // between the last popped event and it).
            self.late.push(Reverse(Keyed(key(), event)));
        } else if b - self.cur < self.slots.len() as u64 {
            let i = b as usize & (self.slots.len() - 1);
            let slot = &mut self.slots[i];
            // Only a bucket's first entry marks it (most entries find it
            // marked).
            if slot.is_empty() {
                self.occupied[i / 64] |= 1 << (i % 64);
            }
            slot.push((time, event));
        } else {
            self.overflow.push(Reverse(Keyed(key(), event)));
        }
    }

    /// Removes and returns the earliest event (FIFO among equal times).
    #[inline(always)]
    pub fn pop(&mut self) -> Option<(SimTime, E)> {
        let source = self.next_source()?;
        Some(self.take(source))
    }

    /// Removes the next event of `source`, which must have one.
    #[inline(always)]
    fn take(&mut self, source: Source) -> (SimTime, E) {
        let (time, e) = match source {
            Source::Batch => {
                self.pos += 1;
                self.batch[self.pos - 1]
            }
            Source::Late => {
                let Reverse(k) = self.late.pop().expect("a late event");
                (k.time(), k.1)
            }
            Source::Lane => {
                let r = self.lane.pop_front().expect("a lane event");
                self.lane_first = self.lane.front().map_or(u64::MAX, |r| r.time);
                (r.time, r.event)
            }
        };
        self.last_from_lane = source == Source::Lane;
        self.last = time;
        self.len -= 1;
        (SimTime(time), e)
    }

    /// Where the earliest event is, moving the calendar on to its next
    /// bucket when the current one is used up; `None` when no event is
    /// left.
    ///
    /// Between the batch and the late heap, the batch entry goes first at
    /// equal times (late entries were pushed after the batch was sorted).
    /// Between the lane and the calendar at equal times: a late entry was
    /// pushed once its bucket was being walked, a lane entry before (its
    /// bucket was ahead of the walked one), so the lane goes first; a
    /// batch entry goes first exactly when it was pushed into its slot
    /// before the lane entry, that is, when it stood among the first
    /// `before` entries of the slot ([`EventQueue::pushed_at`]).
    fn next_source(&mut self) -> Option<Source> {
        let (source, time) = loop {
            match (self.batch.get(self.pos), self.late.peek()) {
                (Some(b), Some(Reverse(l))) if l.time() < b.0 => break (Source::Late, l.time()),
                (Some(b), _) => break (Source::Batch, b.0),
                (None, Some(Reverse(l))) => break (Source::Late, l.time()),
                (None, None) => {
                    if !self.advance() {
                        return self.lane.front().map(|_| Source::Lane);
                    }
                }
            }
        };
        let Some(r) = self.lane.front() else {
            return Some(source);
        };
        Some(if r.time != time {
            if r.time < time {
                Source::Lane
            } else {
                source
            }
        } else if source == Source::Batch && self.pushed_at(self.pos) < r.before as usize {
            Source::Batch
        } else {
            Source::Lane
        })
    }

    /// The index in its ring slot, as pushed, of batch entry `pos`. Entries
    /// of equal time keep their pushed order in the batch, so the entry is
    /// the `k`-th of its time in both orders. Only called on a tie between
    /// the batch and the lane (rare): it scans the bucket.
    #[cold]
    #[inline(never)]
    fn pushed_at(&self, pos: usize) -> usize {
        let time = self.batch[pos].0;
        let rank = self.batch[..pos].iter().rev().take_while(|e| e.0 == time).count();
        self.sorted
            .iter()
            .enumerate()
            .filter(|(_, e)| e.0 == time)
            .nth(rank)
            .map(|(i, _)| i)
            .expect("a batch entry is in its bucket as pushed")
    }

    /// Removes and returns the earliest event if it comes before `limit`
    /// (`None`, and the event left in place, if it does not): what
    /// [`EventQueue::peek_time`] then [`EventQueue::pop`] give, with one
    /// look at the queue when the next event is in the sorted batch or the
    /// lane, clearly before the other, and nothing was scheduled into the
    /// current bucket since it was sorted (the run loop's usual case).
    #[inline(always)]
    pub fn pop_before(&mut self, limit: SimTime) -> Option<(SimTime, E)> {
        if self.late.is_empty() {
            if let Some(&(time, e)) = self.batch.get(self.pos) {
                let lane = self.lane_first;
                if time < lane {
                    if time >= limit.0 {
                        return None;
                    }
                    self.pos += 1;
                    self.last_from_lane = false;
                    self.last = time;
                    self.len -= 1;
                    return Some((SimTime(time), e));
                }
                if lane < time {
                    if lane >= limit.0 {
                        return None;
                    }
                    return Some(self.take(Source::Lane));
                }
            }
        }
        let source = self.next_source()?;
        let time = match source {
            Source::Batch => self.batch[self.pos].0,
            Source::Late => self.late.peek().expect("a late event").0.time(),
            Source::Lane => self.lane.front().expect("a lane event").time,
        };
        (time < limit.0).then(|| self.take(source))
    }

    /// The time of the earliest event, if any.
    pub fn peek_time(&mut self) -> Option<SimTime> {
        let time = match self.next_source()? {
            Source::Batch => self.batch[self.pos].0,
            Source::Late => self.late.peek().expect("a late event").0.time(),
            Source::Lane => self.lane.front().expect("a lane event").time,
        };
        Some(SimTime(time))
    }

    /// The event `k` places after the next one in the sorted batch, or in
    /// the lane if the last pop came from there, if that reaches so far: a
    /// hint for prefetching (it ignores the other source, and events
    /// scheduled into the current bucket after it was sorted).
    #[inline]
    pub fn upcoming(&self, k: usize) -> Option<&E> {
        if self.last_from_lane {
            self.lane.get(k).map(|r| &r.event)
        } else {
            self.batch.get(self.pos + k).map(|(_, e)| e)
        }
    }

    /// The width of a bucket in nanoseconds (a power of two).
    pub fn bucket_ns(&self) -> u64 {
        1 << self.shift
    }

    /// Number of pending events.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether no event is pending.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Makes the next non-empty bucket the batch: moves on to it, pulls the
    /// overflow events the ring now covers, and sorts the bucket. `false`
    /// when no event is left outside the lane, or none before the lane's
    /// first event's bucket: the calendar then stays where it is, so that
    /// the lane's events and what they push keep to the ring (moving on
    /// to a far bucket would send every push before it to the late heap).
    fn advance(&mut self) -> bool {
        if self.len == self.lane.len() {
            return false;
        }
        let next = match self.next_occupied() {
            Some(b) => b,
            // The ring is empty: jump to the earliest overflow event.
            None => self.overflow.peek().expect("an event outside the lane").0.time() >> self.shift,
        };
        if self.lane_first >> self.shift < next {
            return false;
        }
        self.batch.clear();
        self.pos = 0;
        let span = self.slots.len() as u64;
        self.cur = next;
        while let Some(Reverse(k)) = self.overflow.peek() {
            let b = k.time() >> self.shift;
            if b - self.cur >= span {
                break;
            }
            let Reverse(k) = self.overflow.pop().expect("peeked");
            let i = b as usize & (self.slots.len() - 1);
            self.slots[i].push((k.time(), k.1));
            self.occupied[i / 64] |= 1 << (i % 64);
        }
        let i = self.cur as usize & (self.slots.len() - 1);
        self.occupied[i / 64] &= !(1 << (i % 64));
        // Swap vectors so both keep their capacity.
        std::mem::swap(&mut self.batch, &mut self.slots[i]);
        // A bucket's entries are in `seq` order already: those pulled from
        // the overflow heap above (in key order, and all pushed before the
        // bucket entered the ring, so with smaller `seq`) come first, then
        // the ring's pushes in the order made. So a stable sort by time
        // alone gives the `(time, seq)` order, and the ring and the batch
        // keep no `seq`.
        self.sort_batch();
        true
    }

    /// Sorts the batch by time, stably: first by a counting sort on the
    /// top bits of the time within the bucket (about one sub-bucket per
    /// entry, so that most sub-buckets hold one entry or none), then by an
    /// insertion sort that only has to order the entries sharing a
    /// sub-bucket. Both are stable, so equal times keep their `seq` order.
    /// Should the times crowd into a few sub-buckets (the insertion sort
    /// moving entries more than [`MOVES_PER_ENTRY`] times each on
    /// average), the batch is sorted by [`EventQueue::sort_by_keys`]
    /// instead, so no batch costs more than `O(n log n)`. Every way leaves
    /// the batch as pushed in `sorted`.
    fn sort_batch(&mut self) {
        let n = self.batch.len();
        if n < 2 {
            self.sorted.clear();
            self.sorted.extend_from_slice(&self.batch);
            return;
        }
        if u32::try_from(n).is_err() {
            self.sort_by_keys();
            return;
        }
        // `bits` top bits of the time within the bucket (at most `shift`:
        // then each sub-bucket holds one time).
        let bits = (usize::BITS - (n - 1).leading_zeros())
            .min(self.shift)
            .min(MAX_SUB_BITS);
        let base = self.cur << self.shift;
        let down = self.shift - bits;
        let sub = |t: u64| ((t - base) >> down) as usize;
        // Counts per sub-bucket, then (exclusive prefix sums) their starts.
        self.starts.clear();
        self.starts.resize(1 << bits, 0);
        let starts = &mut self.starts[..];
        for &(t, _) in &self.batch {
            starts[sub(t)] += 1;
        }
        let mut at = 0;
        for s in starts.iter_mut() {
            let count = *s;
            *s = at;
            at += count;
        }
        // Every slot is written below; earlier contents only give the length.
        self.sorted.resize(n, self.batch[0]);
        let sorted = &mut self.sorted[..n];
        for &e in &self.batch {
            let at = &mut starts[sub(e.0)];
            sorted[*at as usize] = e;
            *at += 1;
        }
        // Entries of different sub-buckets are in order now: an entry moves
        // back only past later times of its own sub-bucket.
        let (mut moves, most) = (0, n * MOVES_PER_ENTRY);
        for i in 1..n {
            let e = sorted[i];
            if sorted[i - 1].0 <= e.0 {
                continue;
            }
            let mut j = i;
            while j > 0 && sorted[j - 1].0 > e.0 {
                sorted[j] = sorted[j - 1];
                j -= 1;
            }
            sorted[j] = e;
            moves += i - j;
            if moves > most {
                // Crowded: `batch` is still in `seq` order.
                self.sort_by_keys();
                return;
            }
        }
        std::mem::swap(&mut self.batch, &mut self.sorted);
    }

    /// Sorts the batch by time, stably, in `O(n log n)` whatever the times:
    /// as `u64` keys (the time within the bucket above the entry's index,
    /// so all keys differ and an unstable sort of plain integers keeps the
    /// order of equal times), then gathered; the general stable sort when
    /// they do not fit in 64 bits.
    fn sort_by_keys(&mut self) {
        let n = self.batch.len();
        let index_bits = usize::BITS - (n - 1).leading_zeros();
        if self.shift + index_bits > 64 {
            self.sorted.clear();
            self.sorted.extend_from_slice(&self.batch);
            self.batch.sort_by_key(|&(t, _)| t);
            return;
        }
        let base = self.cur << self.shift;
        self.keys.clear();
        self.keys.extend(
            self.batch
                .iter()
                .enumerate()
                .map(|(i, &(t, _))| ((t - base) << index_bits) | i as u64),
        );
        self.keys.sort_unstable();
        let mask = (1u64 << index_bits) - 1;
        self.sorted.clear();
        self.sorted
            .extend(self.keys.iter().map(|&k| self.batch[(k & mask) as usize]));
        std::mem::swap(&mut self.batch, &mut self.sorted);
    }

    /// The absolute bucket of the first non-empty slot after `cur`, if any.
    fn next_occupied(&self) -> Option<u64> {
        let slots = self.slots.len();
        let words = self.occupied.len();
        let start = self.cur.wrapping_add(1) as usize & (slots - 1);
        // Bits from `start` to the end of its word, then whole words
        // around the ring, then the bits of the first word before `start`.
        let (w0, b0) = (start / 64, start % 64);
        let first = self.occupied[w0] & (!0u64 << b0);
        let found = if first != 0 {
            Some(w0 * 64 + first.trailing_zeros() as usize)
        } else {
            (1..=words).find_map(|d| {
                let w = (w0 + d) % words;
                let mut bits = self.occupied[w];
                if w == w0 {
                    bits &= !(!0u64 << b0);
                }
                (bits != 0).then(|| w * 64 + bits.trailing_zeros() as usize)
            })
        }?;
        let ahead = (found + slots - start) % slots + 1;
        Some(self.cur + ahead as u64)
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

    /// Times near 0, 2^32, 2^63 and `u64::MAX` (beyond any ring: they wait
    /// in the overflow heap, and the ring jumps when it is empty).
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

    /// The same interleaved schedule against the reference for calendars
    /// of every shape: buckets of 1 ns to 1 s, rings of 64 buckets to far
    /// beyond the delays (events in the bucket being walked, in the ring,
    /// beyond it, and an empty ring jumping ahead). A peek may move the
    /// queue on to the next bucket before a push lands between it and the
    /// last popped event.
    #[test]
    fn every_calendar_shape_pops_in_total_order() {
        for (width, horizon) in [
            (1, 1),
            (1 << 10, 1 << 16),
            (1 << 20, 1 << 30),
            (1 << 30, 1 << 40),
            (3, 1 << 12),
        ] {
            let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(width);
            let mut q = EventQueue::new(width, horizon);
            let mut model = std::collections::BTreeSet::new();
            let (mut now, mut seq) = (0u64, 0u64);
            for _ in 0..20_000 {
                if rng.random_bool(0.55) || model.is_empty() {
                    seq = push_random(&mut q, &mut model, &mut rng, now, seq);
                } else {
                    let want = model.pop_first().unwrap();
                    assert_eq!(q.peek_time(), Some(SimTime(want.0)), "width {width}");
                    if rng.random_bool(0.1) {
                        // After the peek: an event at the last popped time.
                        q.push(SimTime(now), seq);
                        model.insert((now, seq));
                        seq += 1;
                        model.insert(want);
                        continue;
                    }
                    assert_eq!(q.pop().map(|(t, e)| (t.0, e)), Some(want), "width {width}");
                    now = want.0;
                }
                assert_eq!(q.len(), model.len());
            }
            let rest: Vec<(u64, u64)> = std::iter::from_fn(|| q.pop().map(|(t, e)| (t.0, e))).collect();
            assert_eq!(rest, model.into_iter().collect::<Vec<_>>(), "width {width}");
        }
    }

    /// Pushes the next event (`seq`) at a random time from `now` up to
    /// 2^36 ns on into the queue and the model; returns the next `seq`.
    fn push_random(
        q: &mut EventQueue<u64>,
        model: &mut std::collections::BTreeSet<(u64, u64)>,
        rng: &mut rand_chacha::ChaCha8Rng,
        now: u64,
        seq: u64,
    ) -> u64 {
        let shift = rng.random_range(0..36);
        let t = now + rng.random_range(0..1u64 << shift);
        q.push(SimTime(t), seq);
        model.insert((t, seq));
        seq + 1
    }

    /// `pop_before` against the reference, on calendars whose bucket being
    /// walked takes pushes (1 ns and 3 ns buckets) and whose ring is left
    /// behind (events far ahead): it pops the earliest event exactly when
    /// that comes before the limit, and leaves the queue as it was
    /// otherwise.
    #[test]
    fn pop_before_pops_only_what_comes_before_the_limit() {
        for (width, horizon) in [(1, 1), (3, 1 << 12), (1 << 10, 1 << 16), (1 << 20, 1 << 30)] {
            let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(width + 100);
            let mut q = EventQueue::new(width, horizon);
            let mut model = std::collections::BTreeSet::new();
            let (mut now, mut seq, mut refused) = (0u64, 0u64, 0);
            for _ in 0..20_000 {
                if rng.random_bool(0.5) || model.is_empty() {
                    seq = push_random(&mut q, &mut model, &mut rng, now, seq);
                } else {
                    let first = *model.first().unwrap();
                    // At, just before and just after the next event's time,
                    // or anywhere up to far beyond it.
                    let limit = match rng.random_range(0..4) {
                        0 => first.0,
                        1 => first.0 + 1,
                        2 => first.0.saturating_sub(1),
                        _ => now + rng.random_range(0..1u64 << 37),
                    };
                    let got = q.pop_before(SimTime(limit)).map(|(t, e)| (t.0, e));
                    if first.0 < limit {
                        assert_eq!(got, model.pop_first(), "width {width}");
                        now = first.0;
                    } else {
                        assert_eq!(got, None, "width {width}, limit {limit}");
                        refused += 1;
                    }
                }
                assert_eq!(q.len(), model.len());
            }
            assert!(refused > 1_000, "width {width}: only {refused} refusals");
            let rest: Vec<(u64, u64)> = std::iter::from_fn(|| q.pop().map(|(t, e)| (t.0, e))).collect();
            assert_eq!(rest, model.into_iter().collect::<Vec<_>>(), "width {width}");
        }
    }

    /// Many events at a few equal times in one bucket — some waiting beyond
    /// the ring first, some pushed while the queue runs — pop in push order
    /// per time (the batch sort relies on a bucket's entries being in push
    /// order).
    #[test]
    fn ties_in_a_bucket_pop_in_push_order() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(9);
        let mut q = EventQueue::new(1 << 10, 1 << 16);
        let mut model = std::collections::BTreeSet::new();
        let times = [5_000u64, 5_001, 5_500, 1 << 20, (1 << 20) + 3];
        let mut seq = 0u64;
        for _ in 0..2_000 {
            let t = times[rng.random_range(0..times.len())];
            q.push(SimTime(t), seq);
            model.insert((t, seq));
            seq += 1;
        }
        while let Some((t, e)) = q.pop() {
            assert_eq!(Some((t.0, e)), model.pop_first());
            if rng.random_bool(0.3) {
                let later = times.iter().copied().filter(|&x| x > t.0 + 1024);
                if let Some(at) = later.min() {
                    q.push(SimTime(at), seq);
                    model.insert((at, seq));
                    seq += 1;
                }
            }
        }
        assert!(model.is_empty());
    }

    /// Batches with many ties: more than 2^16 events (more than the
    /// counting sort's sub-buckets) and buckets so wide (2^60 ns) that a
    /// sub-bucket spans about 2^50 ns. Every event comes out in `(time,
    /// seq)` order.
    #[test]
    fn both_batch_sorts_keep_the_total_order() {
        for (width, spread, count) in [(1u64 << 20, 1u64 << 20, 70_000), (1 << 60, u64::MAX / 4, 5_000)] {
            let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(width);
            // Few distinct times, so there are many ties; from the second
            // bucket on (the first takes pushes into the bucket being
            // walked, which are not sorted as a batch).
            let times = (0..count).map(|_| width + rng.random_range(0..8u64) * (spread / 8));
            assert_pops_in_order(width, times);
        }
    }

    /// Pushes `times` into a queue of `width`-ns buckets, each under its
    /// index as the event, and checks that they pop in `(time, index)`
    /// order.
    fn assert_pops_in_order(width: u64, times: impl IntoIterator<Item = u64>) {
        let mut q = EventQueue::new(width, width << 2);
        let mut model = Vec::new();
        for (seq, t) in (0u64..).zip(times) {
            q.push(SimTime(t), seq);
            model.push((t, seq));
        }
        model.sort();
        let got: Vec<(u64, u64)> = std::iter::from_fn(|| q.pop().map(|(t, e)| (t.0, e))).collect();
        assert_eq!(got, model, "width {width}");
    }

    /// Batches whose times crowd into a few sub-buckets in falling order,
    /// so that the insertion pass gives up and the batch is sorted the
    /// `O(n log n)` way: as keys (a 2^20 ns bucket) and by the general
    /// stable sort (a 2^60 ns bucket, where time and index do not fit in
    /// one 64-bit key). Pairs of equal times keep their push order.
    #[test]
    fn crowded_batches_fall_back_and_keep_the_total_order() {
        for width in [1u64 << 20, 1 << 60] {
            let count = 5_000u64;
            assert_pops_in_order(width, (0..count).map(|seq| width + (count - seq) / 2));
        }
    }

    /// The batch sort alone, against the standard library's stable sort by
    /// time, on buckets of 1 ns to 2^63 ns at the start and the end of time:
    /// ties from a few times, times spread evenly, falling pairs (which the
    /// insertion pass gives up on) and clusters a few ns wide, in batches of
    /// 2 to 2^16 + 2 entries (around the most sub-buckets there are).
    #[test]
    fn batch_sort_is_a_stable_sort_by_time() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(42);
        let mut q: EventQueue<u32> = EventQueue::new(1, 1);
        for round in 0..600 {
            let shift = [0u32, 1, 3, 10, 16, 17, 20, 40, 47, 60, 63][rng.random_range(0..11)];
            let last_bucket = u64::MAX >> shift;
            let cur = [0, last_bucket, rng.random_range(0..=last_bucket)][rng.random_range(0..3)];
            let top = u64::MAX >> (63 - shift) >> 1; // the latest offset in a bucket
            let n: usize = match rng.random_range(0..8) {
                0 => rng.random_range(2..5),
                1 | 2 => rng.random_range(5..100),
                3..=5 => rng.random_range(100..3_000),
                6 => rng.random_range(3_000..20_000),
                _ => rng.random_range(65_535..65_539),
            };
            let pool: Vec<u64> = (0..rng.random_range(1..=64))
                .map(|_| match rng.random_range(0..4) {
                    0 => 0,
                    1 => top,
                    2 => rng.random_range(0..=top.min(64)),
                    _ => rng.random_range(0..=top),
                })
                .collect();
            let mode = rng.random_range(0..4);
            q.shift = shift;
            q.cur = cur;
            q.batch = (0..n)
                .map(|i| {
                    let offset = match mode {
                        0 => pool[rng.random_range(0..pool.len())],
                        1 => rng.random_range(0..=top),
                        2 => top - (i as u64 / 2).min(top),
                        _ => (pool[rng.random_range(0..pool.len())] + rng.random_range(0..4)).min(top),
                    };
                    ((cur << shift) + offset, i as u32)
                })
                .collect();
            let pushed = q.batch.clone();
            let mut want = pushed.clone();
            want.sort_by_key(|&(t, _)| t);
            q.sort_batch();
            let at = format!("round {round}: shift {shift}, bucket {cur}, {n} entries, mode {mode}");
            assert_eq!(q.batch, want, "{at}");
            assert_eq!(q.sorted, pushed, "{at}: the batch as pushed is kept");
        }
    }

    /// A simulation's schedule against the reference: rounds of 40 nodes
    /// every 1,000 ns pushed with `push_periodic`, deliveries 1 to 80 steps
    /// of 25 ns ahead (or at the current time), all on a 25-ns grid so that
    /// many tie with a round, and now and then a lane push out of order
    /// (mostly out of order, so they go to the calendar). Calendars of several shapes: 1-ns
    /// buckets, a ring shorter than the period (rounds beyond it), and
    /// buckets holding several rounds. Pops, `pop_before` and peeks all
    /// give the `(time, seq)` order.
    #[test]
    fn the_lane_merges_with_the_calendar_in_total_order() {
        let (nodes, period, step) = (40u64, 1_000u64, 25u64);
        for (width, horizon) in [
            (1, 1),
            (64, 1 << 9),
            (1 << 8, 1 << 11),
            (1 << 9, 1 << 16),
            (1 << 20, 1 << 30),
        ] {
            let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(width + 7);
            let mut q = EventQueue::new(width, horizon);
            let mut model = std::collections::BTreeSet::new();
            // The node of each round, by `seq` (`None` for other events).
            let mut round_of: Vec<Option<u64>> = Vec::new();
            for node in 0..nodes {
                let (at, seq) = (rng.random_range(0..period / step) * step, round_of.len() as u64);
                assert_eq!(q.push(SimTime(at), seq), seq);
                model.insert((at, seq));
                round_of.push(Some(node));
            }
            let (mut in_lane, mut mixed_ties, mut last) = (0, 0, None::<(u64, bool)>);
            while let Some(&want) = model.first() {
                if want.0 > 40 * period {
                    break;
                }
                assert_eq!(q.peek_time(), Some(SimTime(want.0)), "width {width}");
                let got = if rng.random_bool(0.5) {
                    assert_eq!(q.pop_before(SimTime(want.0)), None, "width {width}");
                    q.pop_before(SimTime(want.0 + 1))
                } else {
                    q.pop()
                };
                assert_eq!(got.map(|(t, e)| (t.0, e)), model.pop_first(), "width {width}");
                let (now, seq) = want;
                let round = round_of[seq as usize];
                if let Some((t, was_round)) = last {
                    mixed_ties += usize::from(t == now && was_round != round.is_some());
                }
                last = Some((now, round.is_some()));
                let mut push = |q: &mut EventQueue<u64>, at: u64, node: Option<u64>, lane: bool| {
                    let seq = round_of.len() as u64;
                    let before = q.lane.len();
                    let got = if lane {
                        q.push_periodic(SimTime(at), seq)
                    } else {
                        q.push(SimTime(at), seq)
                    };
                    assert_eq!(got, seq);
                    in_lane += q.lane.len() - before;
                    model.insert((at, seq));
                    round_of.push(node);
                };
                for _ in 0..rng.random_range(0..3) {
                    // Lane pushes within a period: mostly before the last
                    // round pushed, so out of order.
                    let lane = rng.random_bool(0.05);
                    let at = now + rng.random_range(0..=if lane { 39 } else { 80 }) * step;
                    push(&mut q, at, None, lane);
                }
                if let Some(node) = round {
                    push(&mut q, now + period, Some(node), true);
                }
                assert_eq!(q.len(), model.len());
            }
            // Rounds take the lane when a period ahead is in the ring,
            // past the bucket being walked.
            let (bucket, ring) = (1u64 << q.shift, (q.slots.len() as u64) << q.shift);
            let lane_fits = bucket < period && period < ring;
            assert!(
                !lane_fits || in_lane > 1_000,
                "width {width}: {in_lane} lane pushes"
            );
            assert!(
                mixed_ties > 100,
                "width {width}: {mixed_ties} ties of a round and another event"
            );
        }
    }

    /// With only the lane's rounds and one event far ahead (a fault a
    /// minute on), the calendar does not move on to the far event's bucket
    /// while rounds come before it: events the rounds push a few buckets ahead
    /// go to the ring, never to the late heap (a jump would send every one
    /// there). The order stays the reference's.
    #[test]
    fn a_far_event_does_not_send_the_lanes_pushes_to_the_late_heap() {
        let (period, far) = (1u64 << 16, 1u64 << 40);
        let mut q = EventQueue::new(1 << 10, 1 << 20);
        let mut model = std::collections::BTreeSet::new();
        let mut seq = 0u64;
        let mut push = |q: &mut EventQueue<u64>,
                        at: u64,
                        lane: bool,
                        model: &mut std::collections::BTreeSet<(u64, u64)>| {
            let s = if lane {
                q.push_periodic(SimTime(at), seq)
            } else {
                q.push(SimTime(at), seq)
            };
            model.insert((at, s));
            seq += 1;
            s
        };
        push(&mut q, far, false, &mut model);
        let mut rounds = std::collections::BTreeSet::new();
        for node in 0..10 {
            rounds.insert(push(&mut q, 2_000 + node * 999, false, &mut model));
        }
        for _ in 0..2_000 {
            let (now, e) = q.pop().map(|(t, e)| (t.0, e)).unwrap();
            assert_eq!(Some((now, e)), model.pop_first());
            if rounds.remove(&e) {
                push(&mut q, now + 5_000, false, &mut model);
                rounds.insert(push(&mut q, now + period, true, &mut model));
            }
            assert!(
                q.late.is_empty(),
                "at {now}: {} events in the late heap",
                q.late.len()
            );
        }
        let rest: Vec<(u64, u64)> = std::iter::from_fn(|| q.pop().map(|(t, e)| (t.0, e)))
            .take(50)
            .collect();
        assert_eq!(rest, model.into_iter().take(50).collect::<Vec<_>>());
    }

    /// `upcoming(k)` names the event that the `k + 1`-th next pop returns,
    /// as long as nothing was scheduled into the current bucket since it
    /// was sorted.
    #[test]
    fn upcoming_names_the_next_pops() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5);
        let mut q = EventQueue::new(1 << 10, 1 << 20);
        for i in 0..5_000u32 {
            q.push(SimTime(rng.random_range(0..1u64 << 24)), i);
        }
        let mut seen = 0;
        while !q.is_empty() {
            q.peek_time();
            let ahead: Vec<u32> = (0..3).filter_map(|k| q.upcoming(k).copied()).collect();
            let popped: Vec<u32> = (0..ahead.len()).map(|_| q.pop().unwrap().1).collect();
            assert_eq!(ahead, popped);
            seen += popped.len().max(1);
            if popped.is_empty() {
                q.pop();
            }
        }
        assert!(seen >= 5_000);
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
