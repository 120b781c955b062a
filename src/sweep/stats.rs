//! Statistics over seeds: mean, sample standard deviation and a 95 %
//! confidence interval for the mean.
//!
//! For `n` values `x₁…xₙ` (in canonical seed order, so the float sums are
//! reproducible):
//!
//! - mean `x̄ = Σxᵢ / n`;
//! - sample standard deviation `s = √(Σ(xᵢ − x̄)² / (n − 1))` (two passes);
//! - 95 % confidence interval `x̄ ± t · s / √n`, with `t = t(0.975, n − 1)`
//!   the 97.5 % quantile of Student's t distribution with `n − 1` degrees of
//!   freedom (the usual two-sided interval assuming roughly normal
//!   per-seed values; seeds are independent by construction).
//!
//! With one value there is no spread: `s` and the interval are absent.
//!
//! The quantile is computed, not looked up: [`t_quantile`] inverts the
//! Student t CDF, `F(t) = 1 − ½·I_{ν/(ν+t²)}(ν/2, ½)` for `t ≥ 0`, where `I`
//! is the regularized incomplete beta function (continued fraction, Lentz's
//! method, as in *Numerical Recipes* §6.4, with a Lanczos `ln Γ`), by
//! bisection to full double precision. The unit tests check it against
//! printed tables (e.g. `t(0.975, 4) = 2.776`, `t(0.975, 1) = 12.706`).

/// Mean, spread and 95 % confidence interval of some values.
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct Stats {
    /// Number of values.
    pub n: usize,
    /// Their mean.
    pub mean: f64,
    /// Sample standard deviation (n − 1); `None` when `n < 2`.
    pub sd: Option<f64>,
    /// 95 % confidence interval of the mean `(low, high)`; `None` when `n < 2`.
    pub ci95: Option<(f64, f64)>,
}

/// Mean, sample standard deviation and 95 % CI of `values`; `None` if empty.
pub fn describe(values: &[f64]) -> Option<Stats> {
    let n = values.len();
    if n == 0 {
        return None;
    }
    let mean = values.iter().sum::<f64>() / n as f64;
    if n < 2 {
        return Some(Stats {
            n,
            mean,
            sd: None,
            ci95: None,
        });
    }
    let ss: f64 = values.iter().map(|x| (x - mean) * (x - mean)).sum();
    let sd = (ss / (n - 1) as f64).sqrt();
    let half = t_quantile(0.975, (n - 1) as f64) * sd / (n as f64).sqrt();
    Some(Stats {
        n,
        mean,
        sd: Some(sd),
        ci95: Some((mean - half, mean + half)),
    })
}

/// The `p` quantile of Student's t distribution with `df` degrees of
/// freedom, for `0.5 <= p < 1` and `df > 0`.
pub fn t_quantile(p: f64, df: f64) -> f64 {
    assert!((0.5..1.0).contains(&p) && df > 0.0, "t_quantile({p}, {df})");
    let mut hi = 1.0;
    while t_cdf(hi, df) < p {
        hi *= 2.0;
    }
    let mut lo = 0.0;
    // Bisection until the interval stops shrinking (at most ~1100 steps,
    // typically ~60): deterministic and exact to the last bit or two.
    loop {
        let mid = 0.5 * (lo + hi);
        if mid <= lo || mid >= hi {
            return hi;
        }
        if t_cdf(mid, df) < p {
            lo = mid;
        } else {
            hi = mid;
        }
    }
}

/// The CDF of Student's t distribution with `df` degrees of freedom.
pub fn t_cdf(t: f64, df: f64) -> f64 {
    let tail = 0.5 * inc_beta(df / 2.0, 0.5, df / (df + t * t));
    if t >= 0.0 {
        1.0 - tail
    } else {
        tail
    }
}

/// The regularized incomplete beta function `I_x(a, b)`.
fn inc_beta(a: f64, b: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let ln_front = ln_gamma(a + b) - ln_gamma(a) - ln_gamma(b) + a * x.ln() + b * (1.0 - x).ln();
    let front = ln_front.exp();
    // The continued fraction converges fast for x < (a+1)/(a+b+2); use the
    // symmetry I_x(a,b) = 1 − I_{1−x}(b,a) otherwise.
    if x < (a + 1.0) / (a + b + 2.0) {
        front * beta_cf(a, b, x) / a
    } else {
        1.0 - front * beta_cf(b, a, 1.0 - x) / b
    }
}

/// Continued fraction of the incomplete beta function (modified Lentz).
fn beta_cf(a: f64, b: f64, x: f64) -> f64 {
    const TINY: f64 = 1e-300;
    const EPS: f64 = 1e-16;
    let (qab, qap, qam) = (a + b, a + 1.0, a - 1.0);
    let mut c = 1.0;
    let mut d = 1.0 - qab * x / qap;
    if d.abs() < TINY {
        d = TINY;
    }
    d = 1.0 / d;
    let mut h = d;
    for m in 1..=10_000 {
        let m = m as f64;
        let m2 = 2.0 * m;
        let aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1.0 + aa * d;
        if d.abs() < TINY {
            d = TINY;
        }
        c = 1.0 + aa / c;
        if c.abs() < TINY {
            c = TINY;
        }
        d = 1.0 / d;
        h *= d * c;
        let aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1.0 + aa * d;
        if d.abs() < TINY {
            d = TINY;
        }
        c = 1.0 + aa / c;
        if c.abs() < TINY {
            c = TINY;
        }
        d = 1.0 / d;
        let del = d * c;
        h *= del;
        if (del - 1.0).abs() < EPS {
            break;
        }
    }
    h
}

/// `ln Γ(x)` for `x > 0` (Lanczos, g = 7, 9 terms; ~15 significant digits).
fn ln_gamma(x: f64) -> f64 {
    const G: f64 = 7.0;
    const C: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        // Reflection: Γ(x)Γ(1−x) = π / sin(πx).
        let pi = std::f64::consts::PI;
        return (pi / (pi * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut a = C[0];
    let t = x + G + 0.5;
    for (i, c) in C.iter().enumerate().skip(1) {
        a += c / (x + i as f64);
    }
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + a.ln()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// t(0.975, df) from a printed table (e.g. NIST/SEMATECH e-Handbook,
    /// §1.3.6.7.2), to three decimals.
    const TABLE: [(f64, f64); 12] = [
        (1.0, 12.706),
        (2.0, 4.303),
        (3.0, 3.182),
        (4.0, 2.776),
        (5.0, 2.571),
        (9.0, 2.262),
        (10.0, 2.228),
        (19.0, 2.093),
        (20.0, 2.086),
        (30.0, 2.042),
        (60.0, 2.000),
        (100.0, 1.984),
    ];

    #[test]
    fn t_quantile_matches_printed_table() {
        for (df, want) in TABLE {
            let got = t_quantile(0.975, df);
            assert!((got - want).abs() < 5e-4, "t(0.975, {df}) = {got}, table {want}");
        }
    }

    #[test]
    fn t_quantile_closed_forms() {
        // df = 1 is Cauchy: t = tan(π(p − ½)); df = 2: t = (2p−1)·√(2 / (1 − (2p−1)²)).
        let p: f64 = 0.975;
        let cauchy = (std::f64::consts::PI * (p - 0.5)).tan();
        assert!((t_quantile(p, 1.0) - cauchy).abs() < 1e-9);
        let a = 2.0 * p - 1.0;
        let two = a * (2.0 / (1.0 - a * a)).sqrt();
        assert!((t_quantile(p, 2.0) - two).abs() < 1e-9);
        assert!(t_quantile(0.5, 7.0).abs() < 1e-12);
    }

    #[test]
    fn ln_gamma_known_values() {
        assert!((ln_gamma(1.0)).abs() < 1e-13);
        assert!((ln_gamma(5.0) - 24f64.ln()).abs() < 1e-13);
        assert!((ln_gamma(0.5) - std::f64::consts::PI.sqrt().ln()).abs() < 1e-13);
    }

    #[test]
    fn describe_by_hand() {
        // 1..5: mean 3, squares of deviations 4+1+0+1+4 = 10, s = √(10/4) = 1.5811,
        // half-width 2.776 · 1.5811 / √5 = 1.963.
        let s = describe(&[1.0, 2.0, 3.0, 4.0, 5.0]).unwrap();
        assert_eq!(s.n, 5);
        assert_eq!(s.mean, 3.0);
        assert!((s.sd.unwrap() - 1.581_139).abs() < 1e-6);
        let (lo, hi) = s.ci95.unwrap();
        assert!((hi - 3.0 - 1.963).abs() < 1e-3 && (3.0 - lo - 1.963).abs() < 1e-3);
        let one = describe(&[7.0]).unwrap();
        assert_eq!((one.mean, one.sd, one.ci95), (7.0, None, None));
        assert_eq!(describe(&[]), None);
    }
}
