//! Staleness over time across a sweep (van Renesse et al. 2008's figures:
//! max staleness and stale mappings over time, one line per setting).
//!
//! When a run samples staleness (`output.staleness = true`), its metrics
//! include [`STALENESS_FILE`] (every sample, exact integers; see
//! [`crate::report`]) and the sweep writes, from those files,
//! `DIR/<sweep>/staleness.csv` — per point and
//! sample time, the mean and sample standard deviation over seeds of the
//! max staleness and of the number of stale mappings, and the mean of the
//! mean staleness over the seeds where it is defined (some mapping stale;
//! empty when there is none) — and the chart `charts/staleness.{svg,png}`
//! (one line per point, the means).
//!
//! A point's sample times are those any of its seeds sampled. A run that
//! `stop_when_converged` ended early stopped because every version vector
//! was equal with no write or fault to come, so from then on nothing would
//! have been stale: at the point's later sample times it counts as a
//! sample with no stale mapping (max staleness 0, mean undefined), as it
//! would have sampled had it run on. Leaving it out instead would average
//! only the seeds still running (the slowest), so the means would not
//! return to 0. `runs` counts the seeds behind each row, `stopped` those of
//! them counted so. A point whose every seed stopped so ends with a row at
//! the time the last of them stopped (off the sampling grid, unless a seed
//! sampled then), all of them counted so.

use super::charts;
use super::exec::RunResult;
use super::table::{header_fields, point_cells, provenance};
use super::Plan;
use crate::chart::{self, ImageFormat, StalenessLine, StalenessLinesData};
use crate::error::{Error, Result};
use crate::metrics::StalenessSample;
use crate::output::write_atomic;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::{Path, PathBuf};

/// A run's staleness samples, relative to its directory: `#` provenance
/// lines, then `t_ns,stale,max_ns,mean_ns`, one line per sample (`mean_ns`
/// empty when no mapping is stale).
pub const STALENESS_FILE: &str = "metrics/staleness.csv";

/// The sweep's series, relative to the sweep directory.
pub(crate) const POINTS_FILE: &str = "staleness.csv";

const RUN_HEADER: &str = "t_ns,stale,max_ns,mean_ns";

/// Parses a run's [`STALENESS_FILE`]. The mean is `None` where no mapping
/// is stale, whatever the field holds (files written before it was left
/// empty have 0 there).
pub(crate) fn parse_run(text: &str) -> std::result::Result<Vec<StalenessSample>, String> {
    let mut lines = text.lines().filter(|l| !l.starts_with('#'));
    if lines.next() != Some(RUN_HEADER) {
        return Err(format!("expected the header `{RUN_HEADER}`"));
    }
    lines
        .map(|l| {
            let bad = || format!("not four integers (the last may be empty): {l:?}");
            let int = |c: &str| c.parse::<u64>().map_err(|_| bad());
            match l.split(',').collect::<Vec<_>>()[..] {
                [t_ns, stale, max_ns, mean_ns] => {
                    let stale = int(stale)?;
                    let mean_ns = if mean_ns.is_empty() {
                        None
                    } else {
                        Some(int(mean_ns)?)
                    };
                    Ok(StalenessSample {
                        t_ns: int(t_ns)?,
                        stale,
                        max_ns: int(max_ns)?,
                        mean_ns: mean_ns.filter(|_| stale > 0),
                    })
                }
                _ => Err(bad()),
            }
        })
        .collect()
}

/// The seeds' samples at one sample time of a point.
#[derive(Clone, Debug, Default)]
struct AtTime {
    /// One per seed behind the row, in seed order.
    samples: Vec<StalenessSample>,
    /// How many of them stand for a run that had stopped converged.
    stopped: usize,
}

/// Per point: sample time (ns) → the samples of every seed at that time,
/// a run stopped converged counting as nothing stale after it stopped.
fn by_point(plan: &Plan, results: &[RunResult]) -> Vec<BTreeMap<u64, AtTime>> {
    let mut out: Vec<BTreeMap<u64, AtTime>> = vec![BTreeMap::new(); plan.points.len()];
    for (run, r) in plan.runs.iter().zip(results) {
        for s in &r.staleness {
            out[run.point].entry(s.t_ns).or_default();
        }
    }
    for (run, r) in plan.runs.iter().zip(results) {
        let last = r.staleness.last().map(|s| s.t_ns);
        let mut own = r.staleness.iter().peekable();
        for (&t, at) in out[run.point].iter_mut() {
            if let Some(s) = own.next_if(|s| s.t_ns == t) {
                at.samples.push(s.clone());
            } else if r.summary.stopped_early && t >= r.summary.end_ns && last.is_none_or(|l| t > l) {
                at.samples.push(StalenessSample {
                    t_ns: t,
                    stale: 0,
                    max_ns: 0,
                    mean_ns: None,
                });
                at.stopped += 1;
            }
        }
    }
    // A point whose every seed stopped converged ends with a row at the
    // time the last of them stopped, when none sampled then: nothing was
    // stale anywhere from that instant, so its lines return to 0.
    let mut last_stop: Vec<Option<(u64, usize)>> = vec![Some((0, 0)); plan.points.len()];
    for (run, r) in plan.runs.iter().zip(results) {
        let slot = &mut last_stop[run.point];
        *slot = slot
            .filter(|_| r.summary.stopped_early)
            .map(|(end, n)| (end.max(r.summary.end_ns), n + 1));
    }
    for (times, stop) in out.iter_mut().zip(last_stop) {
        if let (Some((end, n)), Some((&last, _))) = (stop, times.last_key_value()) {
            if end > last {
                let zero = StalenessSample {
                    t_ns: end,
                    stale: 0,
                    max_ns: 0,
                    mean_ns: None,
                };
                times.insert(
                    end,
                    AtTime {
                        samples: vec![zero; n],
                        stopped: n,
                    },
                );
            }
        }
    }
    out
}

fn mean_sd(xs: &[f64]) -> (f64, Option<f64>) {
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let sd = (xs.len() > 1).then(|| (xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt());
    (mean, sd)
}

/// The mean over `samples` of the mean staleness (s), over those where it
/// is defined (some mapping stale); `None` when it is in none.
fn mean_staleness_s(samples: &[StalenessSample]) -> Option<f64> {
    let means: Vec<f64> = samples
        .iter()
        .filter_map(|s| s.mean_ns)
        .map(|ns| ns as f64 / 1e9)
        .collect();
    (!means.is_empty()).then(|| mean_sd(&means).0)
}

/// The sweep's `staleness.csv`.
pub(crate) fn points_staleness_csv(plan: &Plan, results: &[RunResult]) -> String {
    let mut out = provenance(plan);
    header_fields(plan, &mut out);
    out.push_str(",t_s,runs,stopped,max_s_mean,max_s_sd,stale_mean,stale_sd,mean_s_mean\n");
    let f = |v: Option<f64>| v.map(|v| format!("{v:.6}")).unwrap_or_default();
    for (p, times) in by_point(plan, results).iter().enumerate() {
        for (t, at) in times {
            let samples = &at.samples;
            let max: Vec<f64> = samples.iter().map(|s| s.max_ns as f64 / 1e9).collect();
            let stale: Vec<f64> = samples.iter().map(|s| s.stale as f64).collect();
            let (max_mean, max_sd) = mean_sd(&max);
            let (stale_mean, stale_sd) = mean_sd(&stale);
            point_cells(plan, p, &mut out);
            let _ = writeln!(
                out,
                ",{}.{:09},{},{},{},{},{},{},{}",
                t / 1_000_000_000,
                t % 1_000_000_000,
                samples.len(),
                at.stopped,
                f(Some(max_mean)),
                f(max_sd),
                f(Some(stale_mean)),
                f(stale_sd),
                f(mean_staleness_s(samples)),
            );
        }
    }
    out
}

/// Writes `staleness.csv` and `charts/staleness.{svg,png}` into the sweep
/// directory `dir` when any run sampled staleness; returns the files.
pub(crate) fn write(dir: &Path, plan: &Plan, results: &[RunResult]) -> Result<Vec<PathBuf>> {
    if results.iter().all(|r| r.staleness.is_empty()) {
        return Ok(Vec::new());
    }
    let csv = dir.join(POINTS_FILE);
    write_atomic(&csv, points_staleness_csv(plan, results).as_bytes())?;
    let mut files = vec![csv];
    let naming = charts::naming(plan);
    let lines = by_point(plan, results)
        .iter()
        .zip(&plan.points)
        .map(|(times, p)| {
            let mut line = StalenessLine {
                label: naming.label(&p.values),
                ..Default::default()
            };
            for (t, at) in times {
                let samples = &at.samples;
                let n = samples.len() as f64;
                line.time_s.push(*t as f64 / 1e9);
                line.max_s
                    .push(samples.iter().map(|s| s.max_ns as f64 / 1e9).sum::<f64>() / n);
                line.stale_mappings
                    .push(samples.iter().map(|s| s.stale as f64).sum::<f64>() / n);
            }
            line
        })
        .collect();
    let data = StalenessLinesData { lines };
    let prov = charts::provenance(plan, &naming);
    let charts_dir = dir.join("charts");
    Error::create_dir_all(&charts_dir)?;
    for format in [ImageFormat::Svg, ImageFormat::Png] {
        let chart = chart::staleness_lines(&data, &prov, format).map_err(|e| Error::Chart {
            name: "staleness".into(),
            message: e.to_string(),
        })?;
        let path = charts_dir.join(format!("staleness.{}", format.extension()));
        write_atomic(&path, &chart.bytes)?;
        files.push(path);
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run_bytes(samples: &[StalenessSample]) -> Vec<u8> {
        let mut s = format!("# scuttlesim_version: test\n{RUN_HEADER}\n");
        for x in samples {
            let mean = x.mean_ns.map_or(String::new(), |v| v.to_string());
            let _ = writeln!(s, "{},{},{},{mean}", x.t_ns, x.stale, x.max_ns);
        }
        s.into_bytes()
    }

    #[test]
    fn run_file_parses() {
        let samples = vec![
            StalenessSample {
                t_ns: 1_000_000_000,
                stale: 3,
                max_ns: 900,
                mean_ns: Some(400),
            },
            StalenessSample {
                t_ns: 2_000_000_000,
                stale: 0,
                max_ns: 0,
                mean_ns: None,
            },
        ];
        let text = String::from_utf8(run_bytes(&samples)).unwrap();
        assert_eq!(parse_run(&text).unwrap(), samples);
        // A file written before the undefined mean was left empty.
        let old = format!("{RUN_HEADER}\n1000000000,3,900,400\n2000000000,0,0,0\n");
        assert_eq!(parse_run(&old).unwrap(), samples);
        assert!(parse_run("t_ns,stale\n").is_err());
        assert!(parse_run(&format!("{RUN_HEADER}\n1,2,3\n")).is_err());
        assert!(parse_run(&format!("{RUN_HEADER}\n1,2,,4\n")).is_err());
    }

    /// A seed with no stale mapping has no mean staleness: it is left out
    /// of the mean over seeds, not counted as 0.
    #[test]
    fn undefined_means_are_left_out() {
        let at = |stale, mean_ns: Option<u64>| StalenessSample {
            t_ns: 1_000_000_000,
            stale,
            max_ns: mean_ns.unwrap_or(0),
            mean_ns,
        };
        let seeds = [
            at(2, Some(1_000_000_000)),
            at(0, None),
            at(1, Some(2_000_000_000)),
        ];
        assert_eq!(mean_staleness_s(&seeds), Some(1.5));
        assert_eq!(mean_staleness_s(&seeds[1..2]), None);
    }

    #[test]
    fn mean_and_sample_sd() {
        assert_eq!(mean_sd(&[1.0, 3.0]), (2.0, Some(2f64.sqrt())));
        assert_eq!(mean_sd(&[5.0]), (5.0, None));
    }
}
