//! Joining shard outputs: `scuttlesim merge DIR...`.
//!
//! Each input is a sweep directory (holding `sweep.json`) with one or more
//! shard markers. The shards must come from one sweep (the same
//! `sweep_hash`), split the same way (one `N`), each `K` in `1..=N` exactly
//! once with exactly its runs, and every run's manifest must carry the
//! scenario hash the plan expects. Anything else is an error; nothing is
//! silently merged. The summary files are then written from the runs'
//! stored results in canonical order, byte-identical to an unsharded sweep.

use super::exec::{write_summaries, RunResult};
use super::shard::{Shard, ShardMarker, MARKER_FORMAT};
use super::Plan;
use crate::error::{Error, Result};
use crate::output::write_json;
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

fn bad(path: impl Into<PathBuf>, message: impl Into<String>) -> Error {
    Error::Format {
        path: path.into(),
        message: message.into(),
    }
}

/// Merges the shard outputs in `dirs` and writes `summary.csv` and
/// `points.csv` (and `sweep.json`) into `out` (default: the first of
/// `dirs`). Returns the plan, every run's result in canonical order, and
/// the files written.
pub fn merge(dirs: &[PathBuf], out: Option<&Path>) -> Result<(Plan, Vec<RunResult>, Vec<PathBuf>)> {
    let first = dirs
        .first()
        .ok_or_else(|| bad(".", "no shard directories given"))?;
    let mut plan: Option<(Plan, PathBuf)> = None;
    // K -> (marker, the directory it is in)
    let mut shards: BTreeMap<u32, (ShardMarker, PathBuf)> = BTreeMap::new();
    let mut count: Option<(u32, PathBuf)> = None;
    for dir in dirs {
        let plan_path = dir.join("sweep.json");
        let bytes = fs::read(&plan_path).map_err(|e| {
            bad(
                &plan_path,
                format!("cannot read ({e}): each argument must be a sweep directory, DIR/<sweep>"),
            )
        })?;
        let p: Plan = serde_json::from_slice(&bytes).map_err(|e| bad(&plan_path, e.to_string()))?;
        if p.sweep_hash != p.compute_hash() {
            return Err(bad(
                &plan_path,
                "sweep_hash does not match the plan: the file was edited",
            ));
        }
        match &plan {
            Some((q, q_path)) if q.sweep_hash != p.sweep_hash => {
                return Err(bad(
                    &plan_path,
                    format!(
                        "a different sweep ({} {}) than {} ({} {})",
                        p.name,
                        p.sweep_hash,
                        q_path.display(),
                        q.name,
                        q.sweep_hash
                    ),
                ));
            }
            Some(_) => {}
            None => plan = Some((p.clone(), plan_path.clone())),
        }
        let mut names: Vec<PathBuf> = fs::read_dir(dir)
            .map_err(|e| Error::io(dir, e))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with("shard-") && n.ends_with(".json"))
            })
            .collect();
        names.sort();
        for path in names {
            let bytes = fs::read(&path).map_err(|e| Error::io(&path, e))?;
            let m: ShardMarker = serde_json::from_slice(&bytes).map_err(|e| bad(&path, e.to_string()))?;
            if m.format != MARKER_FORMAT {
                return Err(bad(&path, format!("unknown format {:?}", m.format)));
            }
            // The marker must be the shard its name says (a renamed or
            // edited marker would otherwise only show as a missing shard).
            let named = path
                .file_name()
                .and_then(|n| n.to_str())
                .and_then(marker_name_shard);
            if m.shard == 0 || m.shard > m.shards || named.is_some_and(|(k, n)| (k, n) != (m.shard, m.shards))
            {
                let name = path.file_name().map(|n| n.to_string_lossy()).unwrap_or_default();
                return Err(bad(
                    &path,
                    format!(
                        "its content says shard {}/{} (\"shard\": {}, \"shards\": {}), {}: the marker was renamed or edited; rerun that shard with `scuttlesim sweep --shard K/N`",
                        m.shard,
                        m.shards,
                        m.shard,
                        m.shards,
                        match named {
                            Some((k, n)) if (k, n) != (m.shard, m.shards) => format!("but its name {name} says {k}/{n}"),
                            _ => "which is no shard: K must be from 1 to N".to_string(),
                        }
                    ),
                ));
            }
            if m.sweep_hash != p.sweep_hash {
                return Err(bad(
                    &path,
                    format!(
                        "a shard of a different sweep (hash {}) than {} ({})",
                        m.sweep_hash,
                        plan_path.display(),
                        p.sweep_hash
                    ),
                ));
            }
            match &count {
                Some((n, other)) if *n != m.shards => {
                    return Err(bad(
                        &path,
                        format!(
                            "shard {}/{} does not fit a split into {n} shards ({})",
                            m.shard,
                            m.shards,
                            other.display()
                        ),
                    ));
                }
                Some(_) => {}
                None => count = Some((m.shards, path.clone())),
            }
            if let Some((_, other)) = shards.get(&m.shard) {
                return Err(bad(
                    &path,
                    format!(
                        "shard {}/{} appears twice: also {}",
                        m.shard,
                        m.shards,
                        other
                            .join(format!("shard-{}-of-{}.json", m.shard, m.shards))
                            .display()
                    ),
                ));
            }
            shards.insert(m.shard, (m, dir.clone()));
        }
    }
    let (plan, _) = plan.expect("at least one directory was read");
    let (n, _) = count.ok_or_else(|| {
        bad(
            first,
            "no shard markers (shard-K-of-N.json): run `scuttlesim sweep --shard K/N` first",
        )
    })?;
    let missing: Vec<String> = (1..=n)
        .filter(|k| !shards.contains_key(k))
        .map(|k| format!("{k}/{n}"))
        .collect();
    if !missing.is_empty() {
        return Err(bad(
            first,
            format!(
                "shard{} {} missing (no shard-K-of-{n}.json in {})",
                if missing.len() > 1 { "s" } else { "" },
                missing.join(", "),
                dirs.iter()
                    .map(|d| d.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ));
    }
    let mut owner: Vec<Option<&Path>> = vec![None; plan.runs.len()];
    for (k, (m, dir)) in &shards {
        let shard = Shard { index: *k, count: n };
        if m.runs != shard.runs(plan.runs.len()) {
            return Err(bad(
                dir.join(shard.marker_name()),
                format!("does not list exactly the runs of shard {shard}"),
            ));
        }
        for &i in &m.runs {
            owner[i] = Some(dir);
        }
    }
    let mut results = Vec::with_capacity(plan.runs.len());
    for (i, run) in plan.runs.iter().enumerate() {
        let dir = owner[i]
            .expect("every run belongs to one shard")
            .join(plan.run_path(i));
        let r =
            RunResult::load(&dir, &run.scenario_hash, &plan.scuttlesim_version).map_err(|m| bad(&dir, m))?;
        results.push(r);
    }
    let out = out.unwrap_or(first);
    Error::create_dir_all(out)?;
    let plan_out = out.join("sweep.json");
    if !dirs.iter().any(|d| d == out) {
        write_json(&plan_out, &plan)?;
    }
    let files = write_summaries(out, &plan, &results)?;
    Ok((plan, results, files))
}

/// `(K, N)` of a marker named `shard-K-of-N.json`; `None` for another name.
fn marker_name_shard(name: &str) -> Option<(u32, u32)> {
    let (k, n) = name
        .strip_prefix("shard-")?
        .strip_suffix(".json")?
        .split_once("-of-")?;
    Some((k.parse().ok()?, n.parse().ok()?))
}
