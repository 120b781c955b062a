//! Sampling latency distributions. Floats appear only here, inside one
//! draw; the result is rounded to whole nanoseconds before it reaches the
//! scheduler.

use crate::rng::SimRng;
use crate::scenario::Latency;
use crate::time::SimDuration;
use rand::Rng;
use rand_distr::{Distribution, Exp1, StandardNormal};

/// Largest latency a draw may produce (one day): heavy tails are clipped
/// here so a Pareto draw can never overflow simulated time.
pub const MAX_LATENCY_NS: u64 = 86_400_000_000_000;

/// One draw from a latency distribution.
#[inline(always)]
pub fn sample(l: &Latency, rng: &mut SimRng) -> SimDuration {
    let ns = |x: f64| SimDuration(x.round().clamp(0.0, MAX_LATENCY_NS as f64) as u64);
    match l {
        Latency::Constant { value } => *value,
        Latency::Uniform { low, high } => SimDuration(crate::rng::uniform_u64(rng, low.0, high.0)),
        Latency::Normal { mean, std } => {
            // Truncated at zero: redraw negative values (at most 64 times,
            // then give up and return zero — only for absurd mean/std ratios).
            for _ in 0..64 {
                let z: f64 = StandardNormal.sample(rng);
                let x = mean.0 as f64 + std.0 as f64 * z;
                if x >= 0.0 {
                    return ns(x);
                }
            }
            SimDuration::ZERO
        }
        Latency::Exponential { mean } => {
            let x: f64 = Exp1.sample(rng);
            ns(x * mean.0 as f64)
        }
        Latency::Lognormal { median, sigma } => {
            let z: f64 = StandardNormal.sample(rng);
            ns(median.0 as f64 * (sigma * z).exp())
        }
        Latency::Pareto { scale, shape } => {
            // Inverse CDF: x = scale / U^(1/shape), U uniform in (0, 1].
            let u = 1.0 - rng.random::<f64>();
            ns(scale.0 as f64 / u.powf(1.0 / shape))
        }
        Latency::Empirical { quantiles } => {
            let u = rng.random::<f64>();
            ns(empirical_quantile(quantiles, u))
        }
    }
}

/// The mean of a latency distribution in nanoseconds, at most
/// [`MAX_LATENCY_NS`] (where a Pareto tail's mean is infinite, or larger,
/// that: draws are clipped there). For the memory estimate, which counts
/// the messages in flight by it.
pub fn mean_ns(l: &Latency) -> u64 {
    let mean = match l {
        Latency::Constant { value } => value.0 as f64,
        Latency::Uniform { low, high } => (low.0 as f64 + high.0 as f64) / 2.0,
        // Truncation at zero raises the mean a little: a hint, not a bound.
        Latency::Normal { mean, .. } => mean.0 as f64,
        Latency::Exponential { mean } => mean.0 as f64,
        Latency::Lognormal { median, sigma } => median.0 as f64 * (sigma * sigma / 2.0).exp(),
        Latency::Pareto { scale, shape } if *shape > 1.0 => scale.0 as f64 * shape / (shape - 1.0),
        Latency::Pareto { .. } => f64::INFINITY,
        // Linear between points: each stretch's mean is its ends' average.
        Latency::Empirical { quantiles } => quantiles
            .windows(2)
            .map(|w| (w[1].0 - w[0].0) * (w[0].1 .0 as f64 + w[1].1 .0 as f64) / 2.0)
            .sum(),
    };
    // `as` saturates; NaN (no table) gives 0.
    mean.min(MAX_LATENCY_NS as f64) as u64
}

/// The latency (ns) at probability `u` of a quantile table, linear between
/// points.
pub fn empirical_quantile(q: &[(f64, SimDuration)], u: f64) -> f64 {
    let i = q.partition_point(|p| p.0 <= u).clamp(1, q.len() - 1);
    let (p0, l0) = (q[i - 1].0, q[i - 1].1 .0 as f64);
    let (p1, l1) = (q[i].0, q[i].1 .0 as f64);
    l0 + (l1 - l0) * ((u - p0) / (p1 - p0)).clamp(0.0, 1.0)
}

#[cfg(test)]
mod tests {
    //! Seeded statistical checks. With n = 200,000 draws the standard error
    //! of a sample mean is sd/√n ≈ sd/447; every tolerance below is at least
    //! 8 standard errors (or a quantile band several binomial sd wide), so
    //! the checks cannot flake for a fixed seed and would still hold for any.
    use super::*;
    use crate::rng::{Component, Streams};

    const N: usize = 200_000;
    const MS: f64 = 1e6;

    fn draws(l: &Latency) -> Vec<f64> {
        let mut rng = Streams::new(77).stream(Component::Latency, 0);
        let mut v: Vec<f64> = (0..N).map(|_| sample(l, &mut rng).0 as f64).collect();
        v.sort_by(f64::total_cmp);
        v
    }
    fn mean(v: &[f64]) -> f64 {
        v.iter().sum::<f64>() / v.len() as f64
    }
    fn quantile(v: &[f64], p: f64) -> f64 {
        v[((v.len() as f64 * p) as usize).min(v.len() - 1)]
    }
    fn close(got: f64, want: f64, tol: f64, what: &str) {
        assert!(
            (got - want).abs() <= tol,
            "{what}: got {got}, want {want} ± {tol}"
        );
    }

    /// Uniform [10, 50] ms: mean 30 ms, sd 40/√12 = 11.5 ms → se 0.026 ms.
    #[test]
    fn uniform() {
        let v = draws(&Latency::Uniform {
            low: SimDuration(10_000_000),
            high: SimDuration(50_000_000),
        });
        close(mean(&v) / MS, 30.0, 0.3, "mean");
        close(quantile(&v, 0.25) / MS, 20.0, 0.3, "q25");
    }

    /// Normal(20 ms, 5 ms): truncation at 0 is 4 sd away (negligible);
    /// mean 20, median 20, q84 ≈ 25 ms; se of the mean 0.011 ms.
    #[test]
    fn normal() {
        let v = draws(&Latency::Normal {
            mean: SimDuration(20_000_000),
            std: SimDuration(5_000_000),
        });
        close(mean(&v) / MS, 20.0, 0.1, "mean");
        close(quantile(&v, 0.5) / MS, 20.0, 0.1, "median");
        close(quantile(&v, 0.8413) / MS, 25.0, 0.15, "q84");
        assert!(v[0] >= 0.0);
    }

    /// Normal(1 ms, 2 ms) truncated at 0: no negatives, and the mean of a
    /// normal truncated below at a = -0.5 sd is μ + σ·φ(a)/(1-Φ(a)) =
    /// 1 + 2·0.35207/0.69146 = 2.0183 ms.
    #[test]
    fn normal_truncated_at_zero() {
        let v = draws(&Latency::Normal {
            mean: SimDuration(1_000_000),
            std: SimDuration(2_000_000),
        });
        assert!(v[0] >= 0.0);
        close(mean(&v) / MS, 2.0183, 0.03, "truncated mean");
    }

    /// Exponential mean 10 ms: median 10·ln 2 = 6.931 ms; sd 10 → se 0.022.
    #[test]
    fn exponential() {
        let v = draws(&Latency::Exponential {
            mean: SimDuration(10_000_000),
        });
        close(mean(&v) / MS, 10.0, 0.2, "mean");
        close(quantile(&v, 0.5) / MS, 6.931, 0.1, "median");
    }

    /// Lognormal(median 20 ms, σ 0.5): mean = 20·e^{σ²/2} = 22.663 ms,
    /// q(Φ(1)) = 20·e^{0.5} = 32.974 ms.
    #[test]
    fn lognormal() {
        let v = draws(&Latency::Lognormal {
            median: SimDuration(20_000_000),
            sigma: 0.5,
        });
        close(quantile(&v, 0.5) / MS, 20.0, 0.2, "median");
        close(mean(&v) / MS, 22.663, 0.2, "mean");
        close(quantile(&v, 0.8413) / MS, 32.974, 0.4, "q84");
    }

    /// Means by hand: uniform 10–30 ms 20 ms; lognormal median 10 ms,
    /// sigma 1: 10·e^0.5 = 16.487 ms; Pareto scale 10 ms shape 3: 15 ms,
    /// shape 1: infinite, so the clip; an empirical table 0→5 ms, 0.5→20
    /// ms, 1→200 ms: 0.5·12.5 + 0.5·110 = 61.25 ms.
    #[test]
    fn means_by_hand() {
        let ms = SimDuration::from_millis;
        let uniform = Latency::Uniform {
            low: ms(10),
            high: ms(30),
        };
        assert_eq!(mean_ns(&uniform), 20_000_000);
        let lognormal = Latency::Lognormal {
            median: ms(10),
            sigma: 1.0,
        };
        assert_eq!(mean_ns(&lognormal) / 1000, 16_487);
        assert_eq!(
            mean_ns(&Latency::Pareto {
                scale: ms(10),
                shape: 3.0
            }),
            15_000_000
        );
        assert_eq!(
            mean_ns(&Latency::Pareto {
                scale: ms(10),
                shape: 1.0
            }),
            MAX_LATENCY_NS
        );
        let table = Latency::Empirical {
            quantiles: vec![(0.0, ms(5)), (0.5, ms(20)), (1.0, ms(200))],
        };
        assert_eq!(mean_ns(&table), 61_250_000);
    }

    /// Pareto(scale 10 ms, shape 3): mean = 3·10/2 = 15 ms, median =
    /// 10·2^{1/3} = 12.599 ms, minimum 10 ms.
    #[test]
    fn pareto() {
        let v = draws(&Latency::Pareto {
            scale: SimDuration(10_000_000),
            shape: 3.0,
        });
        assert!(v[0] >= 10_000_000.0);
        close(quantile(&v, 0.5) / MS, 12.599, 0.1, "median");
        close(mean(&v) / MS, 15.0, 0.3, "mean");
    }

    /// Empirical table: the draws' quantiles are the table's, linear between.
    #[test]
    fn empirical() {
        let q = vec![
            (0.0, SimDuration(5_000_000)),
            (0.5, SimDuration(20_000_000)),
            (0.9, SimDuration(40_000_000)),
            (1.0, SimDuration(100_000_000)),
        ];
        let v = draws(&Latency::Empirical { quantiles: q.clone() });
        close(quantile(&v, 0.5) / MS, 20.0, 0.2, "median");
        close(quantile(&v, 0.7) / MS, 30.0, 0.3, "q70");
        close(quantile(&v, 0.95) / MS, 70.0, 1.0, "q95");
        assert!(v[0] >= 5_000_000.0 && v[N - 1] <= 100_000_000.0);
        assert_eq!(empirical_quantile(&q, 0.25), 12_500_000.0);
    }
}
