//! Writes every chart as PNG and SVG to /tmp/charts for eyeballing (worktree only).
use scuttlesim::chart::*;

struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> f64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((self.0 >> 11) as f64) / ((1u64 << 53) as f64)
    }
}

fn save(name: &str, f: impl Fn(ImageFormat) -> Result<Rendered, ChartError>) {
    for fmt in [ImageFormat::Svg, ImageFormat::Png] {
        let r = f(fmt).unwrap();
        std::fs::write(format!("/tmp/charts/{name}.{}", fmt.extension()), &r.bytes).unwrap();
    }
}

fn main() {
    std::fs::create_dir_all("/tmp/charts").unwrap();
    let prov = Provenance { scenario: "fanout-3-lossy".into(), version: "0.1.0".into(), seed: Some(42), scenario_hash: "3f2a9c1e5b7d".into() };
    let sweep = Provenance { scenario: "fanout-sweep".into(), seed: None, ..prov.clone() };
    let mut rng = Lcg(7);

    // convergence: single + overlaid
    let cdf = |rng: &mut Lcg, scale: f64, n: usize| -> Vec<f64> { (0..n).map(|_| scale * (1.0 + 2.0 * rng.next() + rng.next().powi(4) * 4.0)).collect() };
    let one = ConvergenceData { series: vec![CdfSeries { label: "run".into(), convergence_s: cdf(&mut rng, 1.0, 200), not_converged: 3 }] };
    save("convergence", |f| convergence(&one, &prov, f));
    let many = ConvergenceData { series: (1..=6).map(|k| CdfSeries { label: format!("fanout={k}"), convergence_s: cdf(&mut rng, 6.0 / k as f64, 150), not_converged: 0 }).collect() };
    save("convergence_sweep", |f| convergence(&many, &sweep, f));

    // informed
    let logistic = |t: f64, beta: f64| 1.0 / (1.0 + 127.0 * (-beta * t).exp());
    let time_s: Vec<f64> = (0..=60).map(|i| i as f64 * 0.2).collect();
    let inf = InformedData {
        mean: time_s.iter().map(|t| logistic(*t - 0.3, 1.1)).collect(),
        p10: time_s.iter().map(|t| logistic(*t - 1.5, 1.0)).collect(),
        p90: time_s.iter().map(|t| logistic(*t + 0.6, 1.2)).collect(),
        analytic: Some(AnalyticCurve { label: "logistic: I(t)=1/(1+(N-1)e^{-βt})".into(), points: time_s.iter().map(|t| (*t, logistic(*t, 1.1))).collect() }),
        time_s: time_s.clone(),
    };
    save("informed", |f| informed(&inf, &prov, f));

    // staleness
    let ts: Vec<f64> = (0..=240).map(|i| i as f64 * 0.5).collect();
    let st = StalenessData {
        max_s: ts.iter().map(|t| if (30.0..60.0).contains(t) { t - 30.0 + 2.0 } else { 1.5 + (t * 0.7).sin().abs() * 2.0 }).collect(),
        mean_s: ts.iter().map(|t| if (30.0..60.0).contains(t) { (t - 30.0) * 0.4 + 0.5 } else { 0.4 + (t * 0.7).sin().abs() * 0.3 }).collect(),
        stale_mappings: ts.iter().map(|t| if (30.0..60.0).contains(t) { 4096.0 } else { 200.0 + 150.0 * (t * 0.7).sin().abs() }).collect(),
        time_s: ts.clone(),
    };
    save("staleness", |f| staleness(&st, &prov, f));

    // bandwidth
    let kinds = [("digest", 18_000.0), ("delta", 42_000.0), ("other", 3_000.0)]
        .iter()
        .map(|(k, base)| KindRate { kind: k.to_string(), bytes_per_s: ts.iter().map(|t| base * (1.0 + 0.25 * (t * 0.3).sin() + 0.1 * rng.next())).collect() })
        .collect();
    let per_node = ["digest", "delta", "other", "total"]
        .iter()
        .map(|l| {
            let base = match *l { "digest" => 140.0, "delta" => 330.0, "other" => 23.0, _ => 500.0 };
            NodeRates { label: l.to_string(), bytes_per_s: (0..128).map(|_| base * (0.6 + 0.8 * rng.next())).collect() }
        })
        .collect();
    let bw = BandwidthData { time_s: ts.clone(), kinds, per_node };
    save("bandwidth", |f| bandwidth(&bw, &prov, f));

    // empty
    save("empty_convergence", |f| convergence(&ConvergenceData::default(), &prov, f));
    save("empty_bandwidth", |f| bandwidth(&BandwidthData::default(), &prov, f));
    save("empty_staleness", |f| staleness(&StalenessData::default(), &prov, f));
}
