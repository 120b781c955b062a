//! Writes every chart as PNG and SVG to /tmp/charts for eyeballing (worktree only).
use scuttlesim::chart::*;

struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
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
    let prov = Provenance {
        scenario: "fanout-3-lossy".into(),
        version: "0.1.0".into(),
        seed: Some(42),
        scenario_hash: "3f2a9c1e5b7d".into(),
    };
    let sweep = Provenance {
        scenario: "fanout-sweep".into(),
        seed: None,
        ..prov.clone()
    };
    let mut rng = Lcg(7);

    // convergence: single + overlaid
    let cdf = |rng: &mut Lcg, scale: f64, n: usize| -> Vec<f64> {
        (0..n)
            .map(|_| scale * (1.0 + 2.0 * rng.next() + rng.next().powi(4) * 4.0))
            .collect()
    };
    let one = ConvergenceData {
        series: vec![CdfSeries {
            label: "run".into(),
            convergence_s: cdf(&mut rng, 1.0, 200),
            not_converged: 3,
        }],
    };
    save("convergence", |f| convergence(&one, &prov, f));
    let many = ConvergenceData {
        series: (1..=6)
            .map(|k| CdfSeries {
                label: format!("fanout={k}"),
                convergence_s: cdf(&mut rng, 6.0 / k as f64, 150),
                not_converged: 0,
            })
            .collect(),
    };
    save("convergence_sweep", |f| convergence(&many, &sweep, f));

    // informed
    let logistic = |t: f64, beta: f64| 1.0 / (1.0 + 127.0 * (-beta * t).exp());
    let time_s: Vec<f64> = (0..=60).map(|i| i as f64 * 0.2).collect();
    let inf = InformedData {
        mean: time_s.iter().map(|t| logistic(*t - 0.3, 1.1)).collect(),
        p10: time_s.iter().map(|t| logistic(*t - 1.5, 1.0)).collect(),
        p90: time_s.iter().map(|t| logistic(*t + 0.6, 1.2)).collect(),
        analytic: Some(AnalyticCurve {
            label: "logistic: I(t)=1/(1+(N-1)e^{-βt})".into(),
            points: time_s.iter().map(|t| (*t, logistic(*t, 1.1))).collect(),
        }),
        time_s: time_s.clone(),
    };
    save("informed", |f| informed(&inf, &prov, f));

    // staleness
    let ts: Vec<f64> = (0..=240).map(|i| i as f64 * 0.5).collect();
    let st = StalenessData {
        max_s: ts
            .iter()
            .map(|t| {
                if (30.0..60.0).contains(t) {
                    t - 30.0 + 2.0
                } else {
                    1.5 + (t * 0.7).sin().abs() * 2.0
                }
            })
            .collect(),
        mean_s: ts
            .iter()
            .map(|t| {
                if (30.0..60.0).contains(t) {
                    (t - 30.0) * 0.4 + 0.5
                } else {
                    0.4 + (t * 0.7).sin().abs() * 0.3
                }
            })
            .collect(),
        stale_mappings: ts
            .iter()
            .map(|t| {
                if (30.0..60.0).contains(t) {
                    4096.0
                } else {
                    200.0 + 150.0 * (t * 0.7).sin().abs()
                }
            })
            .collect(),
        time_s: ts.clone(),
    };
    save("staleness", |f| staleness(&st, &prov, f));

    // bandwidth
    let kinds = [("digest", 18_000.0), ("delta", 42_000.0), ("other", 3_000.0)]
        .iter()
        .map(|(k, base)| KindRate {
            kind: k.to_string(),
            bytes_per_s: ts
                .iter()
                .map(|t| base * (1.0 + 0.25 * (t * 0.3).sin() + 0.1 * rng.next()))
                .collect(),
        })
        .collect();
    let per_node = ["digest", "delta", "other", "total"]
        .iter()
        .map(|l| {
            let base = match *l {
                "digest" => 140.0,
                "delta" => 330.0,
                "other" => 23.0,
                _ => 500.0,
            };
            NodeRates {
                label: l.to_string(),
                bytes_per_s: (0..128).map(|_| base * (0.6 + 0.8 * rng.next())).collect(),
            }
        })
        .collect();
    let bw = BandwidthData {
        time_s: ts.clone(),
        kinds,
        per_node,
    };
    save("bandwidth", |f| bandwidth(&bw, &prov, f));

    // tradeoff
    let est = |v: f64, rng: &mut Lcg| Estimate {
        value: v,
        lo: v * (0.8 + 0.1 * rng.next()),
        hi: v * (1.15 + 0.2 * rng.next()),
    };
    let points: Vec<TradeoffPoint> = (1..=6)
        .map(|k| {
            let k = k as f64;
            TradeoffPoint {
                setting: format!("fanout={k}"),
                bytes_per_node_s: 180.0 * k + 40.0 * rng.next(),
                p99_s: est(24.0 / k.powf(0.9), &mut rng),
                mean_s: est(9.0 / k.powf(0.9), &mut rng),
            }
        })
        .collect();
    let to = TradeoffData {
        points,
        interval: "min–max over 10 seeds".into(),
    };
    save("tradeoff", |f| tradeoff(&to, &sweep, f));

    // metric vs field
    let lines = [0.0, 0.05, 0.2]
        .iter()
        .map(|loss| FieldLine {
            label: format!("loss={loss}"),
            points: (1..=6)
                .map(|fan| {
                    let v = 20.0 / fan as f64 * (1.0 + loss * 4.0);
                    FieldPoint {
                        x: fan as f64,
                        y: Estimate {
                            value: v,
                            lo: v * 0.88,
                            hi: v * 1.15,
                        },
                    }
                })
                .collect(),
        })
        .collect();
    let mf = MetricVsFieldData {
        metric: "p99 convergence time".into(),
        metric_unit: "s".into(),
        field: "gossip.fanout".into(),
        field_unit: String::new(),
        lines,
        interval: "95% CI over 10 seeds".into(),
    };
    save("metric_vs_field", |f| metric_vs_field(&mf, &sweep, f));

    // spacetime: 4 nodes, push-pull rounds with vector clocks
    let n = 4usize;
    let mut vc = vec![vec![0u32; n]; n];
    let mut events = Vec::new();
    let mut messages = Vec::new();
    let fmt = |v: &Vec<u32>| {
        format!(
            "[{}]",
            v.iter().map(|x| x.to_string()).collect::<Vec<_>>().join(",")
        )
    };
    let local =
        |vc: &mut Vec<Vec<u32>>, events: &mut Vec<SpacetimeEvent>, node: usize, ms: f64, write: bool| {
            vc[node][node] += 1;
            events.push(SpacetimeEvent {
                node,
                time_s: ms / 1000.0,
                label: fmt(&vc[node]),
                write,
            });
        };
    local(&mut vc, &mut events, 0, 2.0, true);
    local(&mut vc, &mut events, 2, 6.0, true);
    let plan: [(usize, usize, f64, Option<f64>, &str); 9] = [
        (0, 1, 10.0, Some(28.0), "digest"),
        (1, 0, 30.0, Some(47.0), "delta"),
        (2, 3, 14.0, Some(33.0), "digest"),
        (3, 2, 36.0, Some(51.0), "delta"),
        (0, 2, 55.0, None, "digest"),
        (1, 3, 60.0, Some(78.0), "digest"),
        (3, 1, 81.0, Some(99.0), "delta"),
        (2, 1, 64.0, Some(88.0), "digest"),
        (1, 2, 92.0, Some(112.0), "delta"),
    ];
    let mut sends: Vec<(f64, usize, usize, Option<f64>, &str)> =
        plan.iter().map(|(f, t, s, r, k)| (*s, *f, *t, *r, *k)).collect();
    sends.sort_by(|a, b| a.0.total_cmp(&b.0));
    // process sends and receives in time order
    let mut queue: Vec<(f64, u8, usize, usize, Vec<u32>)> = Vec::new();
    for (s, f, t, r, k) in &sends {
        messages.push(SpacetimeMessage {
            from: *f,
            to: *t,
            send_s: s / 1000.0,
            recv_s: r.map(|r| r / 1000.0),
            kind: k.to_string(),
        });
        queue.push((*s, 0, *f, *t, vec![]));
        if let Some(r) = r {
            queue.push((*r, 1, *t, *f, vec![]));
        }
    }
    queue.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut inflight: Vec<(usize, usize, Vec<u32>)> = Vec::new();
    for (time, what, a, b, _) in queue {
        if what == 0 {
            vc[a][a] += 1;
            events.push(SpacetimeEvent {
                node: a,
                time_s: time / 1000.0,
                label: fmt(&vc[a]),
                write: false,
            });
            inflight.push((a, b, vc[a].clone()));
        } else {
            let pos = inflight.iter().position(|(f, t, _)| *f == b && *t == a).unwrap();
            let (_, _, att) = inflight.remove(pos);
            for i in 0..n {
                vc[a][i] = vc[a][i].max(att[i]);
            }
            vc[a][a] += 1;
            events.push(SpacetimeEvent {
                node: a,
                time_s: time / 1000.0,
                label: fmt(&vc[a]),
                write: false,
            });
        }
    }
    let stp = SpacetimeData {
        nodes: n,
        events,
        messages,
    };
    save("spacetime", |f| spacetime(&stp, &prov, f));

    // empty
    save("empty_convergence", |f| {
        convergence(&ConvergenceData::default(), &prov, f)
    });
    save("empty_bandwidth", |f| {
        bandwidth(&BandwidthData::default(), &prov, f)
    });
    save("empty_staleness", |f| {
        staleness(&StalenessData::default(), &prov, f)
    });
    save("empty_informed", |f| informed(&InformedData::default(), &prov, f));
    save("empty_tradeoff", |f| tradeoff(&TradeoffData::default(), &prov, f));
    save("empty_field", |f| {
        metric_vs_field(&MetricVsFieldData::default(), &prov, f)
    });
    save("empty_spacetime", |f| {
        spacetime(&SpacetimeData::default(), &prov, f)
    });
}
