//! The sweep's comparison charts, `DIR/<sweep>/charts/*.{svg,png}`, drawn
//! by [`crate::chart`] from the same per-run results as the CSVs (so `merge`
//! draws them byte-identically):
//!
//! - `tradeoff`: p99 and mean convergence time (mean over seeds, 95 % CI
//!   error bars) against bytes per node per second, one labelled point per
//!   grid point;
//! - `convergence`: one CDF per grid point of the per-write convergence
//!   times of all its seeds pooled (writes that never converged stay in the
//!   denominator);
//! - `<metric>_vs_<field>` for `conv_p99_s`, `conv_mean_s`,
//!   `bytes_per_node_per_s` and, when the runs have faults,
//!   `conv_after_recovery_s`: the metric against the swept field with the
//!   most values among those whose values are all numbers or durations, one
//!   line per combination of the other swept fields (left out unless some
//!   field has at least two values, all numeric); every point keeps its
//!   place on the x axis, and notes name those without a time (no write
//!   converged) and those whose times are of only some writes.

use super::exec::RunResult;
use super::grid::{value_text, Naming};
use super::stats::Stats;
use super::table::{point_stats, METRICS};
use super::Plan;
use crate::chart::{
    self, CdfSeries, ChartError, ConvergenceData, Estimate, FieldLine, FieldPoint, ImageFormat,
    MetricVsFieldData, Provenance, Rendered, TradeoffData, TradeoffPoint,
};
use crate::error::{Error, Result};
use crate::output::write_atomic;
use crate::time::parse_duration;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// The metrics drawn against a swept field: (column, name on the axis, unit).
/// The last is drawn only for a sweep with faults (a run with a recovery).
const VS_FIELD: [(&str, &str, &str); 4] = [
    ("conv_p99_s", "p99 convergence time", "s"),
    ("conv_mean_s", "mean convergence time", "s"),
    ("bytes_per_node_per_s", "bytes sent per node per second", "B/s"),
    (RECOVERY, "convergence after the last recovery", "s"),
];

/// From the last heal (restart, end of degradation) until the writes made
/// before it were everywhere: what a sweep with faults compares.
const RECOVERY: &str = "conv_after_recovery_s";

fn metric_index(name: &str) -> usize {
    METRICS
        .iter()
        .position(|m| m.name == name)
        .expect("a known metric")
}

fn estimate(st: &Option<Stats>) -> Estimate {
    match st {
        None => Estimate {
            value: f64::NAN,
            lo: f64::NAN,
            hi: f64::NAN,
        },
        Some(s) => {
            let (lo, hi) = s.ci95.unwrap_or((f64::NAN, f64::NAN));
            Estimate {
                value: s.mean,
                lo,
                hi,
            }
        }
    }
}

/// A swept value as a number on an axis: numbers as they are, durations in
/// seconds; `None` otherwise.
fn numeric(v: &Value) -> Option<(f64, bool)> {
    match v {
        Value::Number(n) => n.as_f64().map(|x| (x, false)),
        Value::String(s) => parse_duration(s).ok().map(|d| (d.as_secs_f64(), true)),
        _ => None,
    }
}

/// The unit of a numeric field counted in bytes (`gossip.mtu`,
/// `workload.value_bytes`), else none.
fn byte_unit(field: &str) -> &'static str {
    let last = field.rsplit('.').next().unwrap_or(field);
    if last == "mtu" || last.ends_with("bytes") {
        "bytes"
    } else {
        ""
    }
}

/// How the charts name the points of `plan`.
pub(super) fn naming(plan: &Plan) -> Naming {
    Naming::new(&plan.fields, plan.points.iter().map(|p| &p.values[..]))
}

/// The footer of the sweep's charts: all seeds, the sweep hash, and the
/// grid fields with one value, which the labels leave out.
pub(super) fn provenance(plan: &Plan, naming: &Naming) -> Provenance {
    Provenance {
        scenario: plan.name.clone(),
        version: plan.scuttlesim_version.clone(),
        seed: None,
        scenario_hash: plan.sweep_hash.clone(),
        fixed: naming.fixed().to_string(),
    }
}

/// Renders every chart of the sweep and writes it into `dir/charts/`;
/// returns the files written.
pub(crate) fn write_charts(dir: &Path, plan: &Plan, results: &[RunResult]) -> Result<Vec<PathBuf>> {
    let charts_dir = dir.join("charts");
    Error::create_dir_all(&charts_dir)?;
    let naming = naming(plan);
    let prov = provenance(plan, &naming);
    let stats = point_stats(plan, results);
    // One seed: no interval to draw or name.
    let interval = match plan.seeds.count() {
        1 => String::new(),
        n => format!("95% CI over {n} seeds"),
    };
    let labels: Vec<String> = plan.points.iter().map(|p| naming.label(&p.values)).collect();
    let mut files = Vec::new();
    let mut write = |name: &str, render: &dyn Fn(ImageFormat) -> Result<Rendered, ChartError>| {
        for format in [ImageFormat::Svg, ImageFormat::Png] {
            let chart = render(format).map_err(|e| Error::Chart {
                name: name.to_string(),
                message: e.to_string(),
            })?;
            let path = charts_dir.join(format!("{name}.{}", format.extension()));
            write_atomic(&path, &chart.bytes)?;
            files.push(path);
        }
        Ok::<(), Error>(())
    };

    let (p99, mean, bw, frac) = (
        metric_index("conv_p99_s"),
        metric_index("conv_mean_s"),
        metric_index("bytes_per_node_per_s"),
        metric_index("converged_frac"),
    );
    let tradeoff = TradeoffData {
        points: stats
            .iter()
            .zip(&labels)
            .map(|(st, label)| TradeoffPoint {
                setting: label.clone(),
                bytes_per_node_s: st[bw].map_or(f64::NAN, |s| s.mean),
                bytes_interval: st[bw].and_then(|s| s.ci95),
                p99_s: estimate(&st[p99]),
                mean_s: estimate(&st[mean]),
                converged: st[frac].map_or(f64::NAN, |s| s.mean),
            })
            .collect(),
        interval: interval.clone(),
    };
    write("tradeoff", &|f| chart::tradeoff(&tradeoff, &prov, f))?;

    let mut series: Vec<CdfSeries> = labels
        .iter()
        .map(|label| CdfSeries {
            label: label.clone(),
            convergence_s: Vec::new(),
            not_converged: 0,
        })
        .collect();
    for (run, r) in plan.runs.iter().zip(results) {
        let s = &mut series[run.point];
        s.convergence_s
            .extend(r.convergence_ns.iter().map(|&ns| ns as f64 / 1e9));
        let c = &r.summary.convergence;
        s.not_converged += c.writes.saturating_sub(c.converged) as usize;
    }
    let cdf = ConvergenceData { series };
    write("convergence", &|f| chart::convergence(&cdf, &prov, f))?;

    // The x field: of the swept fields whose values are all numeric, the
    // one with the most values (at least two; the first of equals), so that
    // the lines are as few as the other fields allow.
    let distinct_numeric = |i: usize| -> usize {
        let vals: Vec<&Value> = plan.points.iter().map(|p| &p.values[i]).collect();
        if !vals.iter().all(|v| numeric(v).is_some()) {
            return 0;
        }
        let mut distinct: Vec<String> = vals.iter().map(|v| v.to_string()).collect();
        distinct.sort();
        distinct.dedup();
        distinct.len()
    };
    let x_field = (0..plan.fields.len())
        .map(|i| (distinct_numeric(i), i))
        .filter(|&(n, _)| n >= 2)
        .max_by_key(|&(n, i)| (n, std::cmp::Reverse(i)))
        .map(|(_, i)| i);
    if let Some(xi) = x_field {
        let is_duration = numeric(&plan.points[0].values[xi]).is_some_and(|(_, d)| d);
        let others: Vec<usize> = (0..plan.fields.len()).filter(|&i| i != xi).collect();
        let recovers = results.iter().any(|r| r.summary.last_recovery_ns.is_some());
        for (metric, name, unit) in VS_FIELD {
            if metric == RECOVERY && !recovers {
                continue;
            }
            let m = metric_index(metric);
            let mut lines: Vec<FieldLine> = Vec::new();
            let mut keys: Vec<String> = Vec::new();
            // Times are of the writes that converged: say where not all did.
            let of_converged = metric.starts_with("conv_") && metric != RECOVERY;
            for ((p, st), label) in plan.points.iter().zip(&stats).zip(&labels) {
                let other_values: Vec<Value> = others.iter().map(|&i| p.values[i].clone()).collect();
                let key: Vec<String> = other_values.iter().map(value_text).collect();
                let key = key.join("\u{1f}");
                let line = match keys.iter().position(|k| *k == key) {
                    Some(i) => i,
                    None => {
                        keys.push(key);
                        // One line (no other field varies): the metric.
                        let label = naming.label_of(&p.values, &others);
                        lines.push(FieldLine {
                            label: if label.is_empty() { name.to_string() } else { label },
                            points: Vec::new(),
                        });
                        lines.len() - 1
                    }
                };
                let (x, _) = numeric(&p.values[xi]).expect("checked numeric");
                lines[line].points.push(FieldPoint {
                    x,
                    y: estimate(&st[m]),
                    converged: match st[frac] {
                        Some(s) if of_converged => s.mean,
                        _ => f64::NAN,
                    },
                    setting: label.clone(),
                });
            }
            let data = MetricVsFieldData {
                metric: name.to_string(),
                metric_unit: unit.to_string(),
                field: plan.fields[xi].clone(),
                field_unit: if is_duration {
                    "s".into()
                } else {
                    byte_unit(&plan.fields[xi]).into()
                },
                lines,
                interval: interval.clone(),
            };
            let file = format!("{metric}_vs_{}", plan.fields[xi]);
            write(&file, &|f| chart::metric_vs_field(&data, &prov, f))?;
        }
    }
    Ok(files)
}
