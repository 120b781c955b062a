//! `summary.csv` (one row per run) and `points.csv` (one row per point,
//! statistics over seeds), with `#` provenance lines on top.
//!
//! Per-run cells are exact where the data is: times are integer
//! nanoseconds written as decimal seconds with nine digits, counts are
//! integers; only `bytes_per_node_per_s` (a ratio) is rounded, to three
//! decimals. Statistics are written with six decimals. An empty cell means
//! "no value" (e.g. no write converged, or one seed: no deviation).

use super::exec::RunResult;
use super::grid::value_text;
use super::stats::{self, Stats};
use super::Plan;
use crate::summary::Summary;
use std::fmt::Write;

/// A headline metric of one run.
#[derive(Copy, Clone, Debug)]
pub struct Metric {
    /// Column name (units last).
    pub name: &'static str,
    /// The exact cell text, or `None` for an empty cell.
    pub cell: fn(&Summary) -> Option<String>,
    /// The value used for statistics.
    pub value: fn(&Summary) -> Option<f64>,
}

/// The metrics of `points.csv` (statistics over seeds), in column order;
/// `summary.csv` has these and a few more.
pub const METRICS: [Metric; 10] = [
    Metric {
        name: "conv_mean_s",
        cell: |s| s.convergence.mean_ns.map(secs),
        value: |s| s.convergence.mean_ns.map(secs_f64),
    },
    Metric {
        name: "conv_p50_s",
        cell: |s| s.convergence.p50_ns.map(secs),
        value: |s| s.convergence.p50_ns.map(secs_f64),
    },
    Metric {
        name: "conv_p99_s",
        cell: |s| s.convergence.p99_ns.map(secs),
        value: |s| s.convergence.p99_ns.map(secs_f64),
    },
    Metric {
        name: "conv_max_s",
        cell: |s| s.convergence.max_ns.map(secs),
        value: |s| s.convergence.max_ns.map(secs_f64),
    },
    Metric {
        name: "conv_after_last_write_s",
        cell: |s| after_last_write(s).map(secs),
        value: |s| after_last_write(s).map(secs_f64),
    },
    Metric {
        name: "conv_after_recovery_s",
        cell: |s| s.converged_after_recovery_ns.map(secs),
        value: |s| s.converged_after_recovery_ns.map(secs_f64),
    },
    Metric {
        name: "messages_sent",
        cell: |s| Some(all(s).0.to_string()),
        value: |s| Some(all(s).0 as f64),
    },
    Metric {
        name: "bytes_sent",
        cell: |s| Some(all(s).1.to_string()),
        value: |s| Some(all(s).1 as f64),
    },
    Metric {
        name: "bytes_per_node_per_s",
        cell: |s| bytes_per_node_per_s(s).map(|v| format!("{v:.3}")),
        value: bytes_per_node_per_s,
    },
    // The convergence times above cover only the writes that converged:
    // this says how many did.
    Metric {
        name: "converged_frac",
        cell: |s| converged_frac(s).map(|v| format!("{v:.6}")),
        value: converged_frac,
    },
];

/// From the last write until every version vector was equal; `None` when
/// not by the end, or without a write (a summary written before this was
/// left undefined said 0 then).
fn after_last_write(s: &Summary) -> Option<u64> {
    s.last_write_ns.and(s.converged_after_last_write_ns)
}

/// The fraction of the run's writes held by every node by its end; `None`
/// without writes.
fn converged_frac(s: &Summary) -> Option<f64> {
    let c = &s.convergence;
    (c.writes > 0).then(|| c.converged as f64 / c.writes as f64)
}

/// Exact decimal seconds of integer nanoseconds: `1500000000` → `1.500000000`.
fn secs(ns: u64) -> String {
    format!("{}.{:09}", ns / 1_000_000_000, ns % 1_000_000_000)
}

fn secs_f64(ns: u64) -> f64 {
    ns as f64 / 1e9
}

/// Messages and bytes sent, all kinds.
fn all(s: &Summary) -> (u64, u64) {
    s.messages
        .iter()
        .find(|k| k.kind == "all")
        .map_or((0, 0), |k| (k.sent, k.bytes_sent))
}

/// Bytes sent (all kinds) per node per second of the run (`end_ns`: until
/// the run stopped, early or not).
pub(crate) fn bytes_per_node_per_s(s: &Summary) -> Option<f64> {
    (s.end_ns > 0 && s.nodes > 0).then(|| all(s).1 as f64 * 1e9 / (s.nodes as f64 * s.end_ns as f64))
}

pub(super) fn provenance(plan: &Plan) -> String {
    format!(
        "# scuttlesim_version: {}\n# sweep: {}\n# sweep_hash: {}\n",
        plan.scuttlesim_version, plan.name, plan.sweep_hash
    )
}

/// A CSV cell: quoted (with doubled quotes) when it holds `,`, `"` or a line break.
fn csv_cell(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

pub(super) fn point_cells(plan: &Plan, point: usize, line: &mut String) {
    let p = &plan.points[point];
    line.push_str(&csv_cell(&p.slug));
    for v in &p.values {
        line.push(',');
        line.push_str(&csv_cell(&value_text(v)));
    }
}

pub(super) fn header_fields(plan: &Plan, line: &mut String) {
    line.push_str("point");
    for f in &plan.fields {
        line.push(',');
        line.push_str(&csv_cell(f));
    }
}

/// `summary.csv`: provenance, a header, then one row per run in canonical
/// order. `results[i]` is run `i` of the plan.
pub fn summary_csv(plan: &Plan, results: &[RunResult]) -> String {
    assert_eq!(plan.runs.len(), results.len(), "one result per run");
    let mut out = provenance(plan);
    header_fields(plan, &mut out);
    out.push_str(",seed,writes,converged");
    for m in &METRICS {
        out.push(',');
        out.push_str(m.name);
    }
    out.push_str(",end_s,checks_failed,trace_digest\n");
    for (run, r) in plan.runs.iter().zip(results) {
        let s = &r.summary;
        point_cells(plan, run.point, &mut out);
        let _ = write!(
            out,
            ",{},{},{}",
            run.seed, s.convergence.writes, s.convergence.converged
        );
        for m in &METRICS {
            out.push(',');
            out.push_str(&(m.cell)(s).unwrap_or_default());
        }
        let _ = writeln!(out, ",{},{},{}", secs(s.end_ns), r.checks_failed, s.trace_digest);
    }
    out
}

/// Statistics over seeds of every metric for each point, in [`METRICS`]
/// order (`results[i]` is run `i`).
pub fn point_stats(plan: &Plan, results: &[RunResult]) -> Vec<Vec<Option<Stats>>> {
    let mut per_point: Vec<Vec<&Summary>> = vec![Vec::new(); plan.points.len()];
    for (run, r) in plan.runs.iter().zip(results) {
        per_point[run.point].push(&r.summary);
    }
    per_point
        .iter()
        .map(|sums| {
            METRICS
                .iter()
                .map(|m| {
                    let values: Vec<f64> = sums.iter().filter_map(|s| (m.value)(s)).collect();
                    stats::describe(&values)
                })
                .collect()
        })
        .collect()
}

/// `points.csv`: provenance, a header, then one row per point: its fields,
/// the number of runs, and for each metric `_n` (seeds with a value),
/// `_mean`, `_sd` (sample, n−1), `_ci95_lo`, `_ci95_hi` (Student t).
pub fn points_csv(plan: &Plan, results: &[RunResult]) -> String {
    let stats = point_stats(plan, results);
    let mut out = provenance(plan);
    header_fields(plan, &mut out);
    out.push_str(",runs");
    for m in &METRICS {
        for suffix in ["n", "mean", "sd", "ci95_lo", "ci95_hi"] {
            let _ = write!(out, ",{}_{suffix}", m.name);
        }
    }
    out.push('\n');
    let runs_per_point = plan.seeds.count();
    let f = |v: Option<f64>| v.map(|v| format!("{v:.6}")).unwrap_or_default();
    for (p, row) in stats.iter().enumerate() {
        point_cells(plan, p, &mut out);
        let _ = write!(out, ",{runs_per_point}");
        for st in row {
            match st {
                None => out.push_str(",0,,,,"),
                Some(st) => {
                    let _ = write!(
                        out,
                        ",{},{},{},{},{}",
                        st.n,
                        f(Some(st.mean)),
                        f(st.sd),
                        f(st.ci95.map(|c| c.0)),
                        f(st.ci95.map(|c| c.1))
                    );
                }
            }
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_seconds_and_csv_quoting() {
        assert_eq!(secs(1_500_000_000), "1.500000000");
        assert_eq!(secs(7), "0.000000007");
        assert_eq!(csv_cell("a,b"), "\"a,b\"");
        assert_eq!(csv_cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_cell("500ms"), "500ms");
    }
}
