//! `scuttlesim replay`: rerun a manifest's scenario and verify it bit for bit.

use super::progress::RunBar;
use super::report::{render_checks, shell_quote};
use super::signal::{stop_flag, EXIT_INTERRUPTED};
use anyhow::{Context, Result};
use scuttlesim::check::secs;
use scuttlesim::replay::{read_manifest, replay_observed, TraceComparison};
use scuttlesim::trace::DIGEST_FORMAT;
use std::path::Path;
use std::process::ExitCode;

/// Prints "identical" (exit 0) or the difference and the first divergent
/// record (exit 1); a stored trace that is missing, unreadable or whose
/// header is not the manifest's is a difference (exit 1), said as such.
pub(crate) fn replay(manifest: &Path) -> Result<ExitCode> {
    let manifest = &super::manifest_path(manifest);
    let stop = stop_flag();
    // The bar needs the run's duration; a bad manifest is reported by the replay itself.
    let duration = read_manifest(manifest).map(|m| m.scenario.duration).ok();
    let mut bar = duration.map(|d| RunBar::new(d, false));
    let r = replay_observed(manifest, Some(stop), &mut |now, events| {
        if let Some(b) = &mut bar {
            b.update(now, events);
        }
    });
    if let Some(b) = &bar {
        b.finish();
    }
    let r = r.with_context(|| format!("replaying {}", manifest.display()))?;
    let m = &r.manifest;
    for w in &r.warnings {
        eprintln!("warning: {w}");
    }
    outln!(
        "replay {} · seed {} · made by scuttlesim {}{}",
        m.scenario.name,
        m.scenario.seed,
        m.scuttlesim_version,
        if r.prefix_only {
            format!(
                " · interrupted run: replaying its first {}",
                super::plural(m.trace_records, "record", "records")
            )
        } else {
            String::new()
        }
    );
    if r.stopped {
        outln!("replay interrupted");
        return Ok(ExitCode::from(EXIT_INTERRUPTED));
    }
    let trace_note = match &r.trace {
        TraceComparison::NotStored => "no stored trace (--trace off): digest only".to_string(),
        TraceComparison::Unreadable(e) => format!("stored trace unreadable ({e}): digest only"),
        TraceComparison::Compared {
            divergence: Some(_), ..
        } => "stored trace compared record by record, up to the first difference (below)".to_string(),
        TraceComparison::Compared { records, .. } => {
            format!(
                "stored trace compared record by record ({})",
                super::plural(*records, "record", "records")
            )
        }
    };
    if r.identical() && !r.digest_comparable() {
        outln!(
            "identical: every one of the {} stored {} records matches the rerun (the manifest's {:?} digest was not compared; this build's digest is {})",
            r.records,
            m.digest_level.name(),
            m.digest_format,
            r.digest
        );
    } else if r.identical() {
        outln!(
            "identical: digest {} over {} {} records; {trace_note}",
            r.digest,
            r.records,
            m.digest_level.name()
        );
    } else {
        // (A trace that cannot be read under a digest of another encoding
        // is said below: nothing is verified then.)
        let problem = r
            .trace_problem()
            .filter(|_| r.digest_comparable() || r.trace_header.is_some());
        if let Some(problem) = problem {
            let digest = if !r.digest_comparable() {
                format!(
                    "the manifest's {:?} digest cannot be compared with this build's",
                    m.digest_format
                )
            } else if r.digest_matches() {
                format!("the rerun's digest matches the manifest's ({})", r.digest)
            } else {
                format!(
                    "the rerun's digest {} ({} records) differs from the manifest's {} ({} records)",
                    r.digest, r.records, m.trace_digest, m.trace_records
                )
            };
            outln!("DIFFERENT: {problem}; {digest}");
        } else if !r.digest_comparable() {
            if r.divergence().is_some() {
                outln!(
                    "DIFFERENT: the stored trace does not match the rerun (the manifest's {:?} digest cannot be compared with this build's)",
                    m.digest_format
                );
            } else {
                outln!(
                    "NOT VERIFIED: the manifest's digest uses the {:?} encoding, this build's {DIGEST_FORMAT:?}, and {}; run the scenario again with this build to make a new reference",
                    m.digest_format,
                    match &r.trace {
                        TraceComparison::Compared { records, .. } => format!(
                            "the stored trace matches the rerun's {records} records but the manifest says {}",
                            m.trace_records
                        ),
                        TraceComparison::Unreadable(e) => format!("the stored trace cannot be read ({e})"),
                        TraceComparison::NotStored => {
                            "there is no stored trace to compare record by record".to_string()
                        }
                    }
                );
            }
        } else if r.digest_matches() {
            outln!(
                "DIFFERENT: the digest matches the manifest ({}), but the stored trace does not match the rerun: the trace file was changed",
                r.digest
            );
        } else {
            outln!(
                "DIFFERENT: trace digest expected {} ({} records), rerun gave {} ({} records); {trace_note}",
                m.trace_digest,
                m.trace_records,
                r.digest,
                r.records
            );
        }
        match r.divergence() {
            Some(d) => {
                let at = d.time_ns.map_or("-".into(), secs);
                let node = d.node.map_or("-".into(), |n| n.to_string());
                outln!(
                    "first divergent record: #{} (line {} of the trace) at {at}, node {node}",
                    d.index, d.line
                );
                outln!(
                    "  stored: {}",
                    d.stored.as_deref().unwrap_or("(the stored trace ends here)")
                );
                outln!(
                    "  rerun:  {}",
                    d.rerun.as_deref().unwrap_or("(the rerun ends here)")
                );
                if let Some(t) = d.time_ns {
                    let from = t.saturating_sub(50_000_000);
                    let mut cmd = format!(
                        "scuttlesim trace {} --from {} --to {}",
                        shell_quote(&r.dir.display().to_string()),
                        secs(from),
                        secs(t + 50_000_000)
                    );
                    if let Some(n) = d.node {
                        cmd.push_str(&format!(" --node {n}"));
                    }
                    outln!("  context: {cmd}");
                }
            }
            None if r.digest_matches() || !r.digest_comparable() || r.trace_problem().is_some() => {}
            None => match &r.trace {
                TraceComparison::Compared { .. } if r.digest == m.trace_digest => outln!(
                    "the stored trace matches the rerun record for record, and so does the digest: the manifest's record count is wrong (it says {}, the rerun made {})",
                    m.trace_records,
                    r.records
                ),
                TraceComparison::Compared { .. } => outln!(
                    "the stored trace matches the rerun record for record: the manifest's digest is wrong"
                ),
                _ => outln!(
                    "rerun with a stored trace (--trace versions or full) to locate the first divergent record"
                ),
            },
        }
    }
    // What the manifest says of the checks is verified too: an edited
    // result or status is a difference, as an edited record is.
    let mut results_match = true;
    if !r.prefix_only {
        out!("{}", render_checks(&r.checks));
        if !r.checks_match() {
            results_match = false;
            outln!("DIFFERS: the check results differ from those recorded in the manifest:");
            for line in r.check_differences() {
                outln!("  {line}");
            }
        } else if !r.details_match() {
            if r.manifest.scuttlesim_version == scuttlesim::summary::VERSION {
                outln!("note: the check results match, but a recorded detail reads differently: the manifest was edited");
            } else {
                outln!(
                    "note: the check results match, but their details are worded differently (another build)"
                );
            }
        }
        let status = if r.checks.iter().all(|c| c.passed) {
            scuttlesim::summary::STATUS_OK
        } else {
            scuttlesim::summary::STATUS_CHECK_FAILED
        };
        if r.manifest.status != status {
            results_match = false;
            outln!(
                "DIFFERS: the manifest's status is {:?}, the rerun's {status:?}",
                r.manifest.status
            );
        }
    }
    Ok(ExitCode::from(if r.identical() && results_match { 0 } else { 1 }))
}
