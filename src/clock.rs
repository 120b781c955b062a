//! Local clocks: each node reads `offset + (1 + drift) · true_time`.
//!
//! Offset is in nanoseconds and drift in parts per billion, both integers, so
//! converting between true and local time is exact integer arithmetic
//! (`i128` intermediates) and never reaches the trace as a float. Timers are
//! set in local time: [`LocalClock::true_time_of`] finds the first true
//! instant at which the clock reads a given local time. A reading clamps at
//! 0 (times are unsigned); timers use the unclamped reading
//! ([`LocalClock::raw`], [`LocalClock::true_time_of_raw`]), so a clock that
//! starts behind still times its rounds from the start of the run.

use crate::rng::{Component, Streams};
use crate::scenario::{NumberDist, OffsetDist, Scenario};
use crate::time::SimTime;
use rand::Rng;
use rand_distr::{Distribution, StandardNormal};

const PPB: i128 = 1_000_000_000;

/// One node's clock.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct LocalClock {
    /// Reading at true time 0, in ns (may be negative; readings clamp at 0).
    pub offset_ns: i64,
    /// Rate error in parts per billion (1 ppm = 1000 ppb); must exceed -1e9.
    pub drift_ppb: i64,
}

impl LocalClock {
    /// A clock that reads true time.
    pub const PERFECT: LocalClock = LocalClock {
        offset_ns: 0,
        drift_ppb: 0,
    };

    /// The clock's reading at true time `t` (clamped at zero).
    pub fn local(&self, t: SimTime) -> SimTime {
        if *self == Self::PERFECT {
            return t;
        }
        SimTime(self.raw(t).clamp(0, u64::MAX as i128) as u64)
    }

    /// The clock's reading at true time `t`, not clamped: negative while a
    /// clock that started behind has not reached 0.
    pub fn raw(&self, t: SimTime) -> i128 {
        let t = t.0 as i128;
        self.offset_ns as i128 + t + t * self.drift_ppb as i128 / PPB
    }

    /// The earliest true time at which the clock reads at least `local`.
    pub fn true_time_of(&self, local: SimTime) -> SimTime {
        if *self == Self::PERFECT || local.0 == 0 {
            // Every clock reads at least 0 from the start (clamped).
            return local;
        }
        self.true_time_of_raw(local.0 as i128)
    }

    /// The earliest true time (0 or later) at which the unclamped reading
    /// ([`LocalClock::raw`]) is at least `local`.
    pub fn true_time_of_raw(&self, local: i128) -> SimTime {
        let rate = PPB + self.drift_ppb as i128;
        assert!(rate > 0, "a clock must run forward");
        let want = local - self.offset_ns as i128;
        // Solve t + t·d/1e9 >= want for the smallest integer t, then correct
        // for the floor in `raw` by stepping forward.
        let mut t = (want * PPB).div_euclid(rate).max(0);
        while t < u64::MAX as i128 && self.raw(SimTime(t as u64)) < local {
            t += 1;
        }
        while t > 0 && self.raw(SimTime(t as u64 - 1)) >= local {
            t -= 1;
        }
        SimTime(t.clamp(0, u64::MAX as i128) as u64)
    }
}

/// Every node's clock for a validated scenario: each node draws its offset
/// and then its drift from its own clock stream; `[[clock.nodes]]` entries
/// replace the draws for their node.
pub fn clocks(s: &Scenario, streams: &Streams) -> Vec<LocalClock> {
    let c = &s.clock;
    let mut out = vec![LocalClock::PERFECT; s.nodes.count as usize];
    if c.offset.is_some() || c.drift_ppm.is_some() {
        let rngs = streams.each_node(Component::Clock, s.nodes.count);
        for (clock, mut rng) in out.iter_mut().zip(rngs) {
            let offset_ns = match &c.offset {
                None => 0,
                Some(OffsetDist::Constant { value }) => value.0,
                Some(OffsetDist::Uniform { low, high }) => rng.random_range(low.0..=high.0),
                Some(OffsetDist::Normal { mean, std }) => {
                    let z: f64 = StandardNormal.sample(&mut rng);
                    (mean.0 as f64 + std.0 as f64 * z).round() as i64
                }
            };
            let ppm = match &c.drift_ppm {
                None => 0.0,
                Some(NumberDist::Constant { value }) => *value,
                Some(NumberDist::Uniform { low, high }) => low + (high - low) * rng.random::<f64>(),
                Some(NumberDist::Normal { mean, std }) => {
                    let z: f64 = StandardNormal.sample(&mut rng);
                    (mean + std * z).clamp(-99_999.0, 99_999.0)
                }
            };
            *clock = LocalClock {
                offset_ns,
                drift_ppb: (ppm * 1000.0).round() as i64,
            };
        }
    }
    for o in &c.nodes {
        out[o.node as usize] = LocalClock {
            offset_ns: o.offset.0,
            drift_ppb: (o.drift_ppm * 1000.0).round() as i64,
        };
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn perfect_clock_is_identity() {
        let c = LocalClock::PERFECT;
        assert_eq!(c.local(SimTime(123)), SimTime(123));
        assert_eq!(c.true_time_of(SimTime(123)), SimTime(123));
    }

    #[test]
    fn offset_and_drift_by_hand() {
        // +5 ms offset, +100 ppm: at t = 10 s the clock reads
        // 5e6 + 1e10 + 1e10 * 1e5 / 1e9 = 5e6 + 1e10 + 1e6.
        let c = LocalClock {
            offset_ns: 5_000_000,
            drift_ppb: 100_000,
        };
        assert_eq!(c.local(SimTime(10_000_000_000)), SimTime(10_006_000_000));
        let t = c.true_time_of(SimTime(10_006_000_000));
        assert_eq!(t, SimTime(10_000_000_000));
    }

    #[test]
    fn true_time_of_is_the_first_instant_reaching_the_reading() {
        for c in [
            LocalClock {
                offset_ns: -7_000,
                drift_ppb: -30_000,
            },
            LocalClock {
                offset_ns: 1_234,
                drift_ppb: 77_777,
            },
        ] {
            for local in [0u64, 1, 999, 1_000_000, 987_654_321] {
                let t = c.true_time_of(SimTime(local));
                assert!(c.local(t).0 >= local);
                assert!(t.0 == 0 || c.local(SimTime(t.0 - 1)).0 < local);
            }
        }
    }
}
