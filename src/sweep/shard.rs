//! Shards: a deterministic 1/N slice of a sweep's runs, for job arrays.
//!
//! Shard `K/N` (1-based, as Slurm's `SLURM_ARRAY_TASK_ID` with
//! `--array=1-N`) runs the runs whose canonical index `i` has
//! `i mod N = K − 1`: round-robin, so every shard gets a similar mix of
//! points. When all its runs are complete it writes the marker
//! `shard-K-of-N.json` ([`ShardMarker`]) beside `sweep.json`.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Most shards a sweep may be split into.
pub const MAX_SHARDS: u32 = 1_000_000;

/// Format tag of a shard marker.
pub const MARKER_FORMAT: &str = "scuttlesim-sweep-shard/1";

/// Shard `index` of `count` (1-based).
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Shard {
    /// K, in `1..=count`.
    pub index: u32,
    /// N.
    pub count: u32,
}

impl Shard {
    /// Whether run `run` (canonical index) belongs to this shard.
    pub fn selects(&self, run: usize) -> bool {
        run % self.count as usize == (self.index - 1) as usize
    }

    /// The runs of this shard among `total`, ascending.
    pub fn runs(&self, total: usize) -> Vec<usize> {
        (0..total).filter(|&i| self.selects(i)).collect()
    }

    /// The marker's file name, `shard-K-of-N.json`.
    pub fn marker_name(&self) -> String {
        format!("shard-{}-of-{}.json", self.index, self.count)
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl FromStr for Shard {
    type Err = String;

    /// Parses `K/N`, e.g. `3/8`.
    fn from_str(s: &str) -> Result<Shard, String> {
        let help = || format!("shard {s:?} must look like K/N with 1 <= K <= N, e.g. 3/8");
        let (k, n) = s.split_once('/').ok_or_else(help)?;
        let (k, n) = (k.trim(), n.trim());
        let digits = |t: &str| {
            let t = t.strip_prefix('+').unwrap_or(t);
            !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit())
        };
        if !digits(k) || !digits(n) {
            return Err(help());
        }
        // Digits that do not fit 32 bits are a count (or index) too large,
        // not a malformed K/N.
        let count = n.parse::<u32>().ok().filter(|&c| c <= MAX_SHARDS);
        let Some(count) = count else {
            return Err(format!(
                "shard {s:?}: at most {MAX_SHARDS} shards; got {}",
                crate::error::clip(n)
            ));
        };
        let index = k.parse::<u32>().ok().filter(|&i| i >= 1 && i <= count);
        let Some(index) = index else {
            return Err(format!(
                "shard {s:?}: K must be from 1 to N ({count}); got {}",
                crate::error::clip(k)
            ));
        };
        Ok(Shard { index, count })
    }
}

/// `shard-K-of-N.json`: which runs one shard completed, of which sweep.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShardMarker {
    /// [`MARKER_FORMAT`].
    pub format: String,
    /// Sweep name.
    pub sweep: String,
    /// The sweep's hash (as in `sweep.json`).
    pub sweep_hash: String,
    /// K.
    pub shard: u32,
    /// N.
    pub shards: u32,
    /// Canonical indices of the runs it completed.
    pub runs: Vec<usize>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_select() {
        let s: Shard = "2/3".parse().unwrap();
        assert_eq!(s, Shard { index: 2, count: 3 });
        assert_eq!(s.runs(8), vec![1, 4, 7]);
        assert_eq!(s.marker_name(), "shard-2-of-3.json");
        for bad in ["0/3", "4/3", "3", "a/b", "1/0", "", "-1/3"] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
        // Every run is in exactly one shard.
        let all: Vec<usize> = (1..=3)
            .flat_map(|k| Shard { index: k, count: 3 }.runs(10))
            .collect();
        let mut sorted = all.clone();
        sorted.sort();
        assert_eq!(sorted, (0..10).collect::<Vec<_>>());
    }

    /// A count too large is named as such (with the limit), not as a
    /// malformed K/N, also beyond 32 and 64 bits.
    #[test]
    fn too_many_shards_says_the_limit() {
        for n in [
            "1000001",
            "4294967296",
            "18446744073709551615",
            "99999999999999999999999",
        ] {
            let e = format!("1/{n}").parse::<Shard>().unwrap_err();
            assert!(e.contains("at most 1000000 shards") && e.contains(n), "{e}");
        }
        let e = "5/3".parse::<Shard>().unwrap_err();
        assert!(e.contains("K must be from 1 to N (3)"), "{e}");
        assert!("1/1000000".parse::<Shard>().is_ok());
    }
}
