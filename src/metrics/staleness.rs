//! Staleness over time (van Renesse et al. 2008, §5): for every node `n`,
//! origin `o` and key `k`, the *mapping* `(n, o, k)` is **stale** at time `t`
//! when `o` has written `k` since the newest version of it `n` holds, and
//! its **staleness** is how long ago the first such write happened. A
//! sample reports the number of stale mappings, the largest staleness and
//! the mean staleness over the stale mappings (undefined when none is
//! stale: a mean of nothing, not a staleness of 0).
//!
//! Node `n` holds write `(o, v)` when its vector entry for `o` is at least
//! `v`, so the first write to `k` that `n` lacks is the first write of `o`
//! to `k` with a version above that entry.

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
    pub(crate) samples: Vec<StalenessSample>,
}

impl Staleness {
    pub(crate) fn new(nodes: u32, keys: u32) -> Staleness {
        let n = nodes as usize;
        Staleness {
            n,
            vv: vec![0; n * n],
            seen: vec![0; keys.max(1) as usize],
            stamp: 0,
            samples: Vec::new(),
        }
    }

    pub(crate) fn set(&mut self, node: u32, origin: u32, v: u64) {
        self.vv[node as usize * self.n + origin as usize] = v;
    }

    /// Samples at `now` given every origin's writes as `(version, key, time)`
    /// in version order.
    pub(crate) fn sample<'a>(&mut self, now: u64, writes: impl Fn(usize) -> &'a [(u64, u32, u64)]) {
        let (mut stale, mut max, mut sum) = (0u64, 0u64, 0u128);
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
                        let age = now.saturating_sub(t);
                        stale += 1;
                        max = max.max(age);
                        sum += age as u128;
                    }
                }
            }
        }
        self.samples.push(StalenessSample {
            t_ns: now,
            stale,
            max_ns: max,
            mean_ns: (stale > 0).then(|| (sum / stale as u128) as u64),
        });
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
}
