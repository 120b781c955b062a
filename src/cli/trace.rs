//! `scuttlesim trace`: print a stored trace's records readably, filtered.

use anyhow::{bail, Context, Result};
use scuttlesim::export::open_trace;
use scuttlesim::export::text::{describe_fate, Copies, Filter, RECORD_TYPES, VERSIONS_RECORD_TYPES};
use scuttlesim::render::GroupNames;
use scuttlesim::replay::read_manifest;
use scuttlesim::scenario::{Member, Scenario, SpacetimeView};
use scuttlesim::scenario::{ProtocolKind, TraceLevel};
use scuttlesim::sim::protocol_kinds;
use scuttlesim::trace::{Header, Record};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The options of `trace`.
#[derive(Debug, clap::Args)]
pub(crate) struct TraceArgs {
    /// A run directory (or its manifest.json, or a trace.jsonl file).
    run: PathBuf,
    /// Only records about these nodes (messages: sent or received by one of
    /// them): ids, ranges and group names separated by commas, e.g. 3,
    /// 0,3,5, 0-7 or eu,7 (group names are read from the run's manifest.json).
    #[arg(long, value_name = "LIST")]
    node: Option<String>,
    /// Only records about the writes of these nodes (same LIST as --node):
    /// their write and defer records, and version records whose origin is
    /// one of them, at any node (faults are kept; messages and clock
    /// records are not).
    #[arg(long, value_name = "LIST")]
    origin: Option<String>,
    /// Only write and defer records of these key indices (of the writer's
    /// keys), e.g. 0 or 0-2,5; other records are not filtered by key
    /// (version records carry no key).
    #[arg(long, value_name = "LIST")]
    key: Option<String>,
    /// Only records at or after this time (e.g. 12s, 1.5s, 250ms; a bare
    /// number is seconds).
    #[arg(long, value_name = "T", allow_hyphen_values = true)]
    from: Option<String>,
    /// Only records at or before this time.
    #[arg(long, value_name = "T", allow_hyphen_values = true)]
    to: Option<String>,
    /// Only these record types (write, version, defer, send, receive, drop,
    /// fault, clock) or message kinds (scuttlebutt: syn, ack, ack2; push:
    /// state; pull: request, reply; push-pull: state, reply; rumor: rumor,
    /// feedback; ping: ping), repeatable or comma-separated. Messages are
    /// kept only in a `full` trace.
    #[arg(long, value_name = "K", value_delimiter = ',')]
    kind: Vec<String>,
}

/// The scenario of the run whose trace is at `trace`, from the manifest
/// beside it, if that is the trace's run (same scenario hash).
fn run_scenario(trace: &Path, header: &Header) -> Result<Scenario> {
    let manifest = trace.with_file_name("manifest.json");
    let read = read_manifest(&manifest).with_context(|| {
        format!(
            "group names are read from the run's manifest, {} beside the trace",
            manifest.display()
        )
    })?;
    if read.scenario_hash != header.scenario_hash {
        bail!(
            "{} is not this trace's run (scenario hash {}, the trace's {}): its groups may differ; give node ids, or put the run's manifest beside its trace",
            manifest.display(),
            read.scenario_hash,
            header.scenario_hash
        );
    }
    Ok(read.scenario)
}

/// The sorted node ids of `flag LIST` (`--node`, `--origin`) for a run of
/// `nodes` nodes whose trace is at `trace`: ids as given, group names from
/// the manifest beside the trace (read once into `scenario`).
fn node_list(
    flag: &str,
    list: &str,
    trace: &Path,
    header: &Header,
    scenario: &mut Option<Scenario>,
) -> Result<Vec<u32>> {
    let nodes = header.nodes;
    let members = SpacetimeView::parse_nodes(list).map_err(|e| anyhow::anyhow!("{flag}: {e}"))?;
    let mut ids = Vec::new();
    for m in &members {
        match m {
            Member::Node(n) if *n < nodes => ids.push(*n),
            Member::Node(n) => bail!("{flag} {n}: the run has nodes 0 to {}", nodes.saturating_sub(1)),
            Member::Group(g) => {
                let groups = match scenario {
                    Some(known) => &known.nodes,
                    None => {
                        let read = run_scenario(trace, header).with_context(|| format!("{flag} {g}"))?;
                        &scenario.insert(read).nodes
                    }
                };
                let range = groups.group_range(g).with_context(|| {
                    let names: Vec<&str> = groups.groups.keys().map(String::as_str).collect();
                    if names.is_empty() {
                        format!("{flag} {g}: the run has no node groups; give node ids, e.g. 0,3,5")
                    } else {
                        format!(
                            "{flag} {g}: not a group of the run (its groups: {})",
                            names.join(", ")
                        )
                    }
                })?;
                ids.extend(range);
            }
        }
    }
    ids.sort_unstable();
    ids.dedup();
    Ok(ids)
}

/// The sorted key indices of `--key LIST`: numbers and ranges.
fn key_list(list: &str) -> Result<Vec<u32>> {
    let members = SpacetimeView::parse_nodes(list).map_err(|e| anyhow::anyhow!("--key: {e}"))?;
    let mut keys = Vec::new();
    for m in members {
        match m {
            Member::Node(k) => keys.push(k),
            Member::Group(g) => bail!("--key {g}: give key indices, e.g. 0 or 0-2,5"),
        }
    }
    keys.sort_unstable();
    keys.dedup();
    Ok(keys)
}

/// The fault actions whose detail names nodes by id ranges that a group
/// name may replace, as the space-time chart's fault labels do.
const NAMED_ACTIONS: &[&str] = &["partition", "cut", "degrade"];

/// Prints the matching records, one per line.
pub(crate) fn trace(a: &TraceArgs) -> Result<ExitCode> {
    let mut filter = Filter {
        nodes: None,
        from_ns: a
            .from
            .as_deref()
            .map(|t| super::time_arg("--from", t).map(|d| d.0))
            .transpose()?,
        to_ns: a
            .to
            .as_deref()
            .map(|t| super::time_arg("--to", t).map(|d| d.0))
            .transpose()?,
        kinds: a.kind.iter().map(|k| k.trim().to_string()).collect(),
        origins: None,
        keys: a.key.as_deref().map(key_list).transpose()?,
    };
    if let (Some(f), Some(t)) = (filter.from_ns, filter.to_ns) {
        if f > t {
            bail!("--from is after --to");
        }
    }
    // A kind no protocol has is a typo (`versoin`): refuse it before
    // reading, even where other kinds match or the trace has no messages
    // to compare it with.
    let message_kinds: Vec<&str> = ProtocolKind::ALL
        .iter()
        .flat_map(|&p| protocol_kinds(p).iter().copied())
        .fold(Vec::new(), |mut all, k| {
            if !all.contains(&k) {
                all.push(k);
            }
            all
        });
    let typos: Vec<&str> = filter
        .kinds
        .iter()
        .map(String::as_str)
        .filter(|k| !RECORD_TYPES.contains(k) && !message_kinds.contains(k))
        .collect();
    if !typos.is_empty() {
        bail!(
            "--kind {}: not a record type ({}) nor a message kind of any protocol ({})",
            typos.join(","),
            RECORD_TYPES.join(", "),
            message_kinds.join(", ")
        );
    }
    let (path, mut reader) = open_trace(&a.run)?;
    let h = reader.header().clone();
    let mut scenario = None;
    if let Some(list) = &a.node {
        filter.nodes = Some(node_list("--node", list, &path, &h, &mut scenario)?);
    }
    if let Some(list) = &a.origin {
        filter.origins = Some(node_list("--origin", list, &path, &h, &mut scenario)?);
    }
    // Faults name scenario groups as the chart does, where the run's
    // manifest is beside the trace (else they keep their ids).
    let groups = match scenario {
        Some(s) => GroupNames::new(&s),
        None => run_scenario(&path, &h)
            .map(|s| GroupNames::new(&s))
            .unwrap_or_default(),
    };
    let mut copies = Copies::default();
    // The links of each degradation started so far (its `[[faults]]`
    // index), for the line of its end, whose record has no detail.
    let mut degraded: std::collections::BTreeMap<u32, String> = std::collections::BTreeMap::new();
    let width = format!("n{}", h.nodes.saturating_sub(1)).len();
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let mut shown = 0u64;
    // Message kinds met in the trace, to tell an unknown --kind from one
    // that matched nothing.
    let mut seen_kinds: Vec<String> = Vec::new();
    while let Some(next) = reader.next_record() {
        let (_, mut r) = next
            .map_err(anyhow::Error::msg)
            .with_context(|| path.display().to_string())?;
        if let Record::Send { kind, .. } | Record::Receive { kind, .. } | Record::Drop { kind, .. } = &r {
            if !seen_kinds.iter().any(|k| k == kind) {
                seen_kinds.push(kind.to_string());
            }
        }
        let fate = copies.fate(&r);
        if let Record::Fault {
            fault,
            action,
            detail,
            ..
        } = &mut r
        {
            if !groups.is_empty() && NAMED_ACTIONS.contains(&action.as_ref()) {
                // Only the sides, before a degradation's amounts.
                *detail = match detail.split_once(':') {
                    Some((sides, rest)) => format!("{}:{rest}", groups.rename(sides)),
                    None => groups.rename(detail),
                };
            }
            match action.as_ref() {
                "degrade" => {
                    let links = detail.split_once(':').map_or(detail.as_str(), |(links, _)| links);
                    degraded.insert(*fault, links.to_string());
                }
                "degrade-end" if detail.is_empty() => {
                    *detail = match degraded.get(fault) {
                        Some(links) => format!("{links}: back to normal"),
                        None => "links back to normal".to_string(),
                    };
                }
                _ => {}
            }
        }
        if filter.matches(&r) {
            shown += 1;
            if writeln!(out, "{}", describe_fate(&r, width, fate)).is_err() {
                // The reader went away (e.g. `| head`): stop quietly.
                return Ok(ExitCode::SUCCESS);
            }
        }
        if filter.to_ns.is_some_and(|t| r.time() > t) {
            break;
        }
    }
    let _ = out.flush();
    if shown == 0 {
        let unknown: Vec<&String> = filter
            .kinds
            .iter()
            .filter(|k| !RECORD_TYPES.contains(&k.as_str()))
            .collect();
        let never: Vec<&str> = unknown
            .iter()
            .filter(|k| !seen_kinds.contains(k))
            .map(|k| k.as_str())
            .collect();
        // Below `full` a trace keeps no messages: a message kind (of any
        // protocol; typos were refused above) matches nothing there.
        let full = h.level == TraceLevel::Full;
        if full && !never.is_empty() && filter.to_ns.is_none() {
            bail!(
                "--kind {}: not a record type ({}) nor a message kind of this run ({})",
                never.join(","),
                RECORD_TYPES.join(", "),
                if seen_kinds.is_empty() {
                    "none sent".to_string()
                } else {
                    seen_kinds.join(", ")
                }
            );
        }
        eprintln!(
            "no matching records in {} ({} trace of {} seed {}){}",
            path.display(),
            h.level.name(),
            h.scenario,
            h.seed,
            if !full
                && filter
                    .kinds
                    .iter()
                    .any(|k| !VERSIONS_RECORD_TYPES.contains(&k.as_str()))
            {
                format!(
                    "; note: a {} trace keeps only {} records, and no messages: rerun with --trace full for send, receive, drop and clock records and message kinds",
                    h.level.name(),
                    VERSIONS_RECORD_TYPES.join(", ")
                )
            } else if unknown.is_empty() {
                String::new()
            } else {
                format!(
                    "; note: --kind takes record types ({}) or message kinds",
                    RECORD_TYPES.join(", ")
                )
            }
        );
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;
    use scuttlesim::scenario::ProtocolKind;

    /// `--kind`'s help lists every protocol's message kinds, as
    /// `protocol: kind, kind`.
    #[test]
    fn kind_help_lists_every_protocols_kinds() {
        let cli = crate::cli::Cli::command();
        let trace = cli.find_subcommand("trace").expect("a trace command");
        let kind = trace
            .get_arguments()
            .find(|a| a.get_id() == "kind")
            .expect("--kind");
        let help = kind
            .get_help()
            .expect("help")
            .to_string()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        for p in ProtocolKind::ALL {
            let listed = format!("{}: {}", p.name(), scuttlesim::sim::protocol_kinds(p).join(", "));
            assert!(help.contains(&listed), "{listed:?} not in {help:?}");
        }
    }
}
