//! Staleness over time (van Renesse et al. 2008, §5): for every node `n`,
//! origin `o` and key `k`, the *mapping* `(n, o, k)` is **stale** at time `t`
//! when `o` has written `k` since the newest version of it `n` holds, and
//! its **staleness** is how long ago the first such write happened. A
//! sample reports the number of stale mappings, the largest staleness and
//! the mean staleness over the stale mappings (undefined when none is
//! stale: a mean of nothing, not a staleness of 0).
//!
//! The newest version of `(o, k)` that `n` holds is read from its store
//! ([`Staleness::sample_held`]); the first write to `k` that `n` lacks is
//! the first write of `o` to `k` above it. Without a store to read (or in
//! tests), [`Staleness::sample`] takes it from `n`'s vector entry for `o`:
//! the newest write to `k` at or below the entry. The two agree unless a
//! size limit cut a message short after a key's older version had been
//! superseded at the sender: the receiver's entry then passes versions of
//! that key it does not hold (the sender no longer had them), and only the
//! store shows the mapping is still stale.

use serde::{Deserialize, Serialize};

/// One staleness sample.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StalenessSample {
    /// Sample time (ns).
    pub t_ns: u64,
    /// Stale `(node, origin, key)` mappings.
    pub stale: u64,
    /// Largest staleness (ns).
    pub max_ns: u64,
    /// Mean staleness over the stale mappings (ns); `None` when none is
    /// stale.
    pub mean_ns: Option<u64>,
}

/// Every node's vector, mirrored from `version` records.
#[derive(Clone, Debug)]
pub(crate) struct Staleness {
    n: usize,
    vv: Vec<u64>,
    seen: Vec<u32>,
    stamp: u32,
    /// One origin's writes per key, `(version, time)`: reused by each
    /// [`Staleness::sample_held`].
    by_key: Vec<Vec<(u64, u64)>>,
    /// The keys with writes in `by_key`, in order of first write.
    written: Vec<u32>,
    pub(crate) samples: Vec<StalenessSample>,
}

/// The stale mappings of one sample as they are counted.
#[derive(Default)]
struct Tally {
    stale: u64,
    max: u64,
    sum: u128,
}

impl Tally {
    /// One more stale mapping, stale for `age` ns.
    fn add(&mut self, age: u64) {
        self.stale += 1;
        self.max = self.max.max(age);
        self.sum += age as u128;
    }

    fn sample(self, now: u64) -> StalenessSample {
        StalenessSample {
            t_ns: now,
            stale: self.stale,
            max_ns: self.max,
            mean_ns: (self.stale > 0).then(|| (self.sum / self.stale as u128) as u64),
        }
    }
}

impl Staleness {
    pub(crate) fn new(nodes: u32, keys: u32) -> Staleness {
        let n = nodes as usize;
        Staleness {
            n,
            vv: vec![0; n * n],
            seen: vec![0; keys.max(1) as usize],
            stamp: 0,
            by_key: vec![Vec::new(); keys.max(1) as usize],
            written: Vec::new(),
            samples: Vec::new(),
        }
    }

    pub(crate) fn set(&mut self, node: u32, origin: u32, v: u64) {
        self.vv[node as usize * self.n + origin as usize] = v;
    }

    /// Samples at `now` given every origin's writes as `(version, key, time)`
    /// in version order.
    pub(crate) fn sample<'a>(&mut self, now: u64, writes: impl Fn(usize) -> &'a [(u64, u32, u64)]) {
        let mut tally = Tally::default();
        for o in 0..self.n {
            let list = writes(o);
            if list.is_empty() {
                continue;
            }
            for node in 0..self.n {
                let have = self.vv[node * self.n + o];
                let start = list.partition_point(|w| w.0 <= have);
                if start == list.len() {
                    continue;
                }
                self.stamp = self.stamp.wrapping_add(1);
                if self.stamp == 0 {
                    self.seen.fill(0);
                    self.stamp = 1;
                }
                for &(_, key, t) in &list[start..] {
                    let slot = &mut self.seen[key as usize];
                    if *slot != self.stamp {
                        *slot = self.stamp;
                        tally.add(now.saturating_sub(t));
                    }
                }
            }
        }
        self.samples.push(tally.sample(now));
    }

    /// Samples at `now` given every origin's writes as `(version, key, time)`
    /// in version order, `row(node, origin)`, the versions of the origin's
    /// keys a node holds (one per key; `None` where the state keeps no such
    /// row) and `held(node, origin, key)`, the version of one key a node
    /// holds (0: none), read where there is no row.
    pub(crate) fn sample_held<'a, 'r>(
        &mut self,
        now: u64,
        writes: impl Fn(usize) -> &'a [(u64, u32, u64)],
        row: impl Fn(u32, u32) -> Option<&'r [u64]>,
        held: impl Fn(u32, u32, u32) -> u64,
    ) {
        let mut tally = Tally::default();
        for o in 0..self.n {
            let list = writes(o);
            if list.is_empty() {
                continue;
            }
            for &key in &self.written {
                self.by_key[key as usize].clear();
            }
            self.written.clear();
            for &(v, key, t) in list {
                let slot = &mut self.by_key[key as usize];
                if slot.is_empty() {
                    self.written.push(key);
                }
                slot.push((v, t));
            }
            for node in 0..self.n {
                // One read per key the origin wrote: stale when the node
                // holds less than its newest write.
                let row = row(node as u32, o as u32);
                for &key in &self.written {
                    let writes = &self.by_key[key as usize];
                    let latest = writes[writes.len() - 1].0;
                    let have = match row {
                        Some(row) => row[key as usize],
                        None => held(node as u32, o as u32, key),
                    };
                    if have < latest {
                        let first = writes[writes.partition_point(|w| w.0 <= have)].1;
                        tally.add(now.saturating_sub(first));
                    }
                }
            }
        }
        self.samples.push(tally.sample(now));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two nodes, one key each. Node 0 writes key 0 at 1 s and 2 s (versions
    /// 1 and 2); node 1 holds neither at 5 s: one stale mapping, stale since
    /// the first write it lacks, 4 s. Node 1 writes its key at 4.5 s, held
    /// by node 0 at once: nothing stale there. Once node 1 holds version 2,
    /// nothing is stale at all and the mean is undefined, not 0.
    #[test]
    fn mean_is_undefined_when_nothing_is_stale() {
        let s = 1_000_000_000;
        let writes = [vec![(1, 0, s), (2, 0, 2 * s)], vec![(1, 0, 4 * s + s / 2)]];
        let mut st = Staleness::new(2, 1);
        st.set(0, 0, 2);
        st.set(0, 1, 1);
        st.set(1, 1, 1);
        st.sample(5 * s, |o| &writes[o]);
        st.set(1, 0, 2);
        st.sample(6 * s, |o| &writes[o]);
        let sample = |t_ns, stale, max_ns, mean_ns| StalenessSample {
            t_ns,
            stale,
            max_ns,
            mean_ns,
        };
        assert_eq!(
            st.samples,
            [sample(5 * s, 1, 4 * s, Some(4 * s)), sample(6 * s, 0, 0, None)]
        );
    }

    /// A hole: node 0 wrote key 0 (v1 at 0.1 s), key 1 (v2), then key 0
    /// again (v3 at 5 s); node 1's entry for node 0 is 2 (it got v2 alone,
    /// v1 being superseded at the sender), but it holds no version of key
    /// 0. From the store, (1, 0, 0) is stale since 0.1 s; from the entry
    /// alone, only since v3 (v1 looks held).
    #[test]
    fn a_key_behind_its_entry_is_stale_since_its_first_missing_write() {
        let s = 1_000_000_000;
        let writes = [vec![(1, 0, s / 10), (2, 1, s / 5), (3, 0, 5 * s)], vec![]];
        let store = |n: u32, o: u32, k: u32| match (n, o, k) {
            (0, 0, 0) => 3,
            (0, 0, 1) | (1, 0, 1) => 2,
            _ => 0,
        };
        let mut exact = Staleness::new(2, 2);
        exact.sample_held(11 * s, |o| &writes[o], |_, _| None, store);
        let mut by_entry = Staleness::new(2, 2);
        by_entry.set(0, 0, 3);
        by_entry.set(1, 0, 2);
        by_entry.sample(11 * s, |o| &writes[o]);
        assert_eq!(
            (exact.samples[0].stale, exact.samples[0].max_ns),
            (1, 11 * s - s / 10)
        );
        assert_eq!(
            (by_entry.samples[0].stale, by_entry.samples[0].max_ns),
            (1, 6 * s)
        );
        // Read as rows of the store (one per node and origin), the same.
        let rows = [[3, 2], [0, 0], [0, 2], [0, 0]];
        let mut by_row = Staleness::new(2, 2);
        by_row.sample_held(
            11 * s,
            |o| &writes[o],
            |n, o| Some(&rows[(n * 2 + o) as usize][..]),
            |_, _, _| unreachable!("every row is given"),
        );
        assert_eq!(by_row.samples, exact.samples);
        // Without a hole the two agree.
        let full = |n: u32, o: u32, k: u32| {
            if o == 0 {
                [3, 2][k as usize] * u64::from(n < 2)
            } else {
                0
            }
        };
        let mut a = Staleness::new(2, 2);
        a.sample_held(11 * s, |o| &writes[o], |_, _| None, full);
        let mut b = Staleness::new(2, 2);
        b.set(0, 0, 3);
        b.set(1, 0, 3);
        b.sample(11 * s, |o| &writes[o]);
        assert_eq!(a.samples, b.samples);
    }
}
