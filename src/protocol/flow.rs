//! Adaptive flow control of local updates (after van Renesse et al. 2008,
//! §4), as scuttlesim implements it:
//!
//! - Each node may apply local writes at `rate` updates per second: a token
//!   bucket in the node's local time. An idle node (empty backlog) holds at
//!   most one second of tokens (and at least one); a backlogged one holds
//!   one interval's worth more, which its next round spends, so that its
//!   backlog drains at `rate` whatever the gossip interval, and a node that
//!   was down (no rounds) does not burst.
//! - A write that finds no token waits in the node's **backlog**, which keeps
//!   the newest value per key (a later write to a backlogged key replaces
//!   the earlier one: *coalesced*). So the backlog never exceeds the node's
//!   key count. Each round, backlogged writes are applied (in key order)
//!   while tokens last.
//! - Each round the rate adapts AIMD: `rate · decrease` if a message the
//!   node sent since the last round could not carry all the deltas its peer
//!   lacked (MTU overflow), else `rate + increase`, within
//!   `[min_rate, max_rate]`.
//! - Every `syn` and `ack` carries the sender's rate (8 bytes); a receiver
//!   adopts it if lower, so a slowdown spreads epidemically to the writers
//!   whose updates congest the relays.

use crate::scenario::FlowControl;
use std::collections::BTreeMap;

/// Rounding slack of a token count: far below any rate's step in a
/// nanosecond, far above `f64`'s error over a run's refills.
const TOKEN_SLACK: f64 = 1e-9;

/// Flow-control state of every node.
#[derive(Debug)]
pub struct Flow {
    cfg: FlowControl,
    /// The gossip interval, seconds.
    interval_s: f64,
    rate: Vec<f64>,
    tokens: Vec<f64>,
    refilled_at: Vec<u64>,
    overflowed: Vec<bool>,
    backlog: Vec<BTreeMap<u32, u64>>,
    /// Writes that had to wait.
    pub deferred: u64,
    /// Backlogged writes replaced by a newer write to the same key.
    pub coalesced: u64,
    /// Largest backlog of any node at any time.
    pub max_backlog: usize,
}

impl Flow {
    /// Flow control for `nodes` nodes gossiping every `interval_ns`.
    pub fn new(cfg: &FlowControl, nodes: u32, interval_ns: u64) -> Flow {
        let n = nodes as usize;
        Flow {
            cfg: cfg.clone(),
            interval_s: interval_ns as f64 / 1e9,
            rate: vec![cfg.initial_rate; n],
            tokens: vec![1.0; n],
            refilled_at: vec![0; n],
            overflowed: vec![false; n],
            backlog: vec![BTreeMap::new(); n],
            deferred: 0,
            coalesced: 0,
            max_backlog: 0,
        }
    }

    fn refill(&mut self, node: usize, local_now: u64) {
        let dt = local_now.saturating_sub(self.refilled_at[node]) as f64 / 1e9;
        self.refilled_at[node] = local_now;
        let rate = self.rate[node];
        let idle = rate.max(1.0);
        let cap = if self.backlog[node].is_empty() {
            idle
        } else {
            idle + rate * self.interval_s
        };
        self.tokens[node] = (self.tokens[node] + rate * dt).min(cap);
    }

    /// Whether `node` has a whole token: refilled in many small steps, a
    /// second at 1/s can sum to 0.99999999999999989, which counts as one.
    fn has_token(&self, node: usize) -> bool {
        self.tokens[node] >= 1.0 - TOKEN_SLACK
    }

    /// A local write of `key` = `value` arrives: `true` if it may be applied
    /// now (a token was spent), `false` if it was backlogged.
    pub fn admit(&mut self, node: usize, local_now: u64, key: u32, value: u64) -> bool {
        self.refill(node, local_now);
        if self.backlog[node].is_empty() && self.has_token(node) {
            self.tokens[node] -= 1.0;
            return true;
        }
        self.deferred += 1;
        if self.backlog[node].insert(key, value).is_some() {
            self.coalesced += 1;
        }
        self.max_backlog = self.max_backlog.max(self.backlog[node].len());
        false
    }

    /// Start of a round: backlogged writes that may now be applied (key
    /// order), then the AIMD step.
    pub fn round(&mut self, node: usize, local_now: u64) -> Vec<(u32, u64)> {
        self.refill(node, local_now);
        let mut ready = Vec::new();
        while self.has_token(node) {
            let Some((k, v)) = self.backlog[node].pop_first() else {
                break;
            };
            self.tokens[node] -= 1.0;
            ready.push((k, v));
        }
        let r = &mut self.rate[node];
        *r = if std::mem::take(&mut self.overflowed[node]) {
            (*r * self.cfg.decrease).max(self.cfg.min_rate)
        } else {
            (*r + self.cfg.increase).min(self.cfg.max_rate)
        };
        ready
    }

    /// A message `node` sent could not carry every delta.
    pub fn overflow(&mut self, node: usize) {
        self.overflowed[node] = true;
    }

    /// `node`'s current rate (sent in its syn and ack messages).
    pub fn rate(&self, node: usize) -> f64 {
        self.rate[node]
    }

    /// `node` heard a peer's rate: it adopts it if lower.
    pub fn heard(&mut self, node: usize, rate: f64) {
        if rate < self.rate[node] {
            self.rate[node] = rate.max(self.cfg.min_rate);
        }
    }

    /// Backlogged writes of `node`.
    pub fn backlog(&self, node: usize) -> usize {
        self.backlog[node].len()
    }

    /// Backlogged writes of every node (one per backlogged key: a later
    /// write to the key replaced the earlier, `coalesced`): at the end of a
    /// run, the newest writes made but never applied.
    pub fn backlogged(&self) -> u64 {
        self.backlog.iter().map(|b| b.len() as u64).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECOND: u64 = 1_000_000_000;

    fn cfg() -> FlowControl {
        FlowControl {
            initial_rate: 2.0,
            min_rate: 0.1,
            max_rate: 4.0,
            increase: 0.5,
            decrease: 0.5,
        }
    }

    #[test]
    fn token_bucket_admits_at_the_rate_and_coalesces() {
        let mut f = Flow::new(&cfg(), 1, SECOND);
        // One token at start; rate 2/s.
        assert!(f.admit(0, 0, 0, 1));
        assert!(!f.admit(0, 100_000_000, 1, 2)); // 0.2 tokens
        assert!(!f.admit(0, 200_000_000, 1, 3)); // coalesced with key 1
        assert_eq!((f.deferred, f.coalesced, f.backlog(0)), (2, 1, 1));
        // At 0.6 s: 0.2 + 1.0 more tokens → one write released.
        assert_eq!(f.round(0, 600_000_000), vec![(1, 3)]);
        assert_eq!(f.rate(0), 2.5, "no overflow: additive increase");
    }

    /// A backlogged node applies writes at its rate, with any rate and
    /// interval: pinned rates, a write every 50 ms to one of 1000 keys (so
    /// the backlog never empties) and a round every `interval`; over 200 s
    /// the writes applied (at once or from the backlog) are `rate · 200`
    /// within one round's worth.
    #[test]
    fn a_backlog_drains_at_the_rate() {
        for interval_ms in [1000u64, 300, 2500] {
            for rate in [0.7, 1.0, 1.5, 2.5, 3.0, 7.3] {
                let pinned = FlowControl {
                    initial_rate: rate,
                    min_rate: rate,
                    max_rate: rate,
                    increase: 0.1,
                    decrease: 0.5,
                };
                let mut f = Flow::new(&pinned, 1, interval_ms * 1_000_000);
                let ms = 1_000_000u64;
                let (mut applied, mut t, mut key) = (0.0f64, 0u64, 0u32);
                let end = 200_000 * ms;
                let mut next_round = interval_ms * ms;
                while t < end {
                    if next_round <= t {
                        applied += f.round(0, next_round).len() as f64;
                        next_round += interval_ms * ms;
                    }
                    if f.admit(0, t, key, 1) {
                        applied += 1.0;
                    }
                    key = (key + 1) % 1000;
                    t += 50 * ms;
                }
                let want = rate * 200.0;
                let slack = rate * interval_ms as f64 / 1000.0 + 1.0;
                assert!(
                    (applied - want).abs() <= slack,
                    "rate {rate}, interval {interval_ms} ms: {applied} applied, want {want} ± {slack}"
                );
            }
        }
    }

    /// A backlogged node that had no round for a long while (it was down)
    /// applies at most one interval's worth and one more at its next round,
    /// not everything it would have had.
    #[test]
    fn a_long_gap_between_rounds_is_no_burst() {
        let pinned = FlowControl {
            initial_rate: 1.0,
            min_rate: 1.0,
            max_rate: 1.0,
            increase: 0.1,
            decrease: 0.5,
        };
        let mut f = Flow::new(&pinned, 1, SECOND);
        assert!(f.admit(0, 0, 0, 1), "the first token");
        for key in 1..100 {
            assert!(!f.admit(0, 0, key, 1));
        }
        assert_eq!(
            f.round(0, 30 * SECOND).len(),
            2,
            "1/s: one token idle, one per interval"
        );
        assert_eq!(f.round(0, 31 * SECOND).len(), 1);
    }

    #[test]
    fn overflow_halves_and_lower_rates_spread() {
        let mut f = Flow::new(&cfg(), 2, SECOND);
        f.overflow(0);
        f.round(0, 0);
        assert_eq!(f.rate(0), 1.0);
        f.heard(1, f.rate(0));
        assert_eq!(f.rate(1), 1.0);
        f.heard(1, 3.0);
        assert_eq!(f.rate(1), 1.0, "a higher rate is not adopted");
    }
}
