//! Merge policies: what a node reads for a shared key that several origins
//! wrote.
//!
//! Scuttlebutt replicates each origin's newest write of a key separately
//! (the entry `(origin, key)`). An application reading key `k` at a node sees
//! the merge of the entries it holds for `k`, one per origin. The four
//! policies are joins of a semilattice (commutative, associative,
//! idempotent), so merging entries as they arrive or when read gives the
//! same value.

use crate::scenario::MergePolicy;

/// One origin's entry for a key, as a node holds it.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// The writer.
    pub origin: u32,
    /// The writer's version (`generation << 32 | counter`).
    pub version: u64,
    /// The writer's local clock when it wrote (ns).
    pub timestamp: u64,
    /// The value.
    pub value: u64,
}

/// The values a node reads under `policy` from `entries` (empty: nothing).
/// `lww-version`, `lww-timestamp` and `max` read one value; `union` reads
/// every entry's value, sorted and without duplicates.
pub fn read(policy: MergePolicy, entries: &[Entry]) -> Vec<u64> {
    let winner = match policy {
        // The writer's own counter: generations are per node, so a node
        // that restarted with lost state does not outrank the others.
        MergePolicy::LwwVersion => entries.iter().max_by_key(|e| (counter(e.version), e.origin)),
        MergePolicy::LwwTimestamp => entries.iter().max_by_key(|e| (e.timestamp, e.origin)),
        MergePolicy::Max => entries.iter().max_by_key(|e| e.value),
        MergePolicy::Union => {
            let mut v: Vec<u64> = entries.iter().map(|e| e.value).collect();
            v.sort_unstable();
            v.dedup();
            return v;
        }
    };
    winner.map(|e| vec![e.value]).unwrap_or_default()
}

/// The counter of `version` within its generation (its low 32 bits).
fn counter(version: u64) -> u64 {
    version & u64::from(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: Entry = Entry {
        origin: 0,
        version: 9,
        timestamp: 100,
        value: 5,
    };
    const B: Entry = Entry {
        origin: 1,
        version: 2,
        timestamp: 300,
        value: 7,
    };
    const C: Entry = Entry {
        origin: 2,
        version: 2,
        timestamp: 200,
        value: 1,
    };

    #[test]
    fn each_policy_by_hand() {
        let all = [A, B, C];
        assert_eq!(read(MergePolicy::LwwVersion, &all), vec![5]); // version 9 wins
        assert_eq!(read(MergePolicy::LwwTimestamp, &all), vec![7]); // ts 300 wins
        assert_eq!(read(MergePolicy::Max, &all), vec![7]);
        assert_eq!(read(MergePolicy::Union, &all), vec![1, 5, 7]);
        // Ties go to the larger origin id.
        assert_eq!(read(MergePolicy::LwwVersion, &[B, C]), vec![1]);
        assert!(read(MergePolicy::Max, &[]).is_empty());
    }

    #[test]
    fn lww_version_compares_counters_not_generations() {
        // Origin 0 restarted with lost state: its write 1:1 has counter 1.
        let restarted = Entry {
            origin: 0,
            version: (1 << 32) | 1,
            timestamp: 400,
            value: 100,
        };
        // Counter 2 beats counter 1 whatever the generations.
        assert_eq!(read(MergePolicy::LwwVersion, &[restarted, B]), vec![7]);
        assert_eq!(read(MergePolicy::LwwVersion, &[B, restarted]), vec![7]);
        // Equal counters tie to the larger origin id.
        let again = Entry {
            version: (1 << 32) | 2,
            ..restarted
        };
        assert_eq!(read(MergePolicy::LwwVersion, &[again, B]), vec![7]);
        assert_eq!(read(MergePolicy::LwwVersion, &[again, C]), vec![1]);
    }

    #[test]
    fn policies_are_order_independent() {
        let orders = [[A, B, C], [C, B, A], [B, A, C]];
        for p in MergePolicy::ALL {
            let first = read(p, &orders[0]);
            for o in &orders {
                assert_eq!(read(p, o), first, "{p:?}");
            }
        }
    }
}
