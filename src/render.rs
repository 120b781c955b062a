//! A run's charts, `charts/NAME.svg` and `charts/NAME.png`, drawn from its
//! stored metrics files (and, for the space-time diagram, its `full` trace).
//!
//! `run` draws them from the very bytes it has just written to `metrics/`,
//! and `scuttlesim chart RUN_DIR` from the files on disk, through the same
//! functions; so the two give byte-identical charts. Nothing here re-runs a
//! simulation. The drawing itself is [`crate::chart`]'s.

pub mod model;
pub mod spacetime;

use crate::chart::{
    self, AnalyticCurve, BandwidthData, CdfSeries, ChartError, ConvergenceData, ImageFormat, InformedData,
    KindRate, NodeRates, Provenance, Reach, Rendered, StalenessData,
};
use crate::error::{Error, Result};
use crate::report::{self, Table};
use crate::scenario::{ChartKind, ResolvedView, Scenario, SpacetimeView, TraceLevel, ViewFields};
use crate::trace::TraceReader;
use model::MeanField;
use std::io::BufReader;
use std::path::{Path, PathBuf};

/// Where charts go, relative to the run directory.
pub const CHARTS_DIR: &str = "charts";
/// The trace file the space-time diagram reads, relative to the run directory.
pub const TRACE_FILE: &str = "trace.jsonl";

/// Points of the analytic curve.
const MODEL_POINTS: usize = 200;

/// What [`write_charts`] wrote.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Written {
    /// The chart files, in the order drawn.
    pub files: Vec<PathBuf>,
    /// Remarks worth printing (e.g. a space-time diagram cut short).
    pub notes: Vec<String>,
}

/// Where the stored data of a run comes from.
pub trait Source {
    /// The metrics file `name` (e.g. `writes.csv`), parsed.
    fn metrics(&self, name: &str) -> Result<Table>;
    /// The run directory (for the trace).
    fn dir(&self) -> &Path;
}

/// A run directory on disk.
#[derive(Debug)]
pub struct OnDisk<'a>(pub &'a Path);

impl Source for OnDisk<'_> {
    fn metrics(&self, name: &str) -> Result<Table> {
        let path = self.0.join(report::METRICS_DIR).join(name);
        if !path.exists() {
            return Err(Error::Format {
                path,
                message: missing_metrics(name),
            });
        }
        Table::read(&path)
    }
    fn dir(&self) -> &Path {
        self.0
    }
}

/// Metrics files held in memory (as `run` has just written them).
#[derive(Debug)]
pub struct InMemory<'a> {
    /// The run directory (trace, and names in error messages).
    pub dir: &'a Path,
    /// `(file name, bytes)`, as [`report::metrics_files`] made them.
    pub files: &'a [(&'static str, Vec<u8>)],
}

impl Source for InMemory<'_> {
    fn metrics(&self, name: &str) -> Result<Table> {
        let path = self.dir.join(report::METRICS_DIR).join(name);
        match self.files.iter().find(|(n, _)| *n == name) {
            Some((_, bytes)) => Table::parse(&path, bytes),
            None => Err(Error::Format {
                path,
                message: missing_metrics(name),
            }),
        }
    }
    fn dir(&self) -> &Path {
        self.dir
    }
}

fn missing_metrics(name: &str) -> String {
    match name {
        report::STALENESS => "no staleness samples: the run needs output.staleness = true".into(),
        _ => "missing: the run directory has no such metrics file".into(),
    }
}

/// Checks before a run that `scenario` can draw the charts it names: the
/// space-time diagram needs a written `full` trace.
/// (Validation refuses such a scenario already; this guards one built in
/// code.)
pub fn check_charts(scenario: &Scenario) -> Result<()> {
    match scenario.output.spacetime_needs_full_trace() {
        Some(message) => Err(Error::Chart {
            name: "spacetime".into(),
            message,
        }),
        None => Ok(()),
    }
}

/// The input of one chart.
#[derive(Clone, Debug)]
enum Input {
    Convergence(ConvergenceData),
    Informed(InformedData),
    Bandwidth(BandwidthData),
    Staleness(StalenessData),
    Spacetime(chart::SpacetimeData),
}

fn secs(ns: u64) -> f64 {
    ns as f64 / 1e9
}

/// The view of the space-time diagram of a run of `scenario`: its
/// `[output.spacetime]`, with each field `cli` gives (the `chart` command's
/// `--nodes`, `--from`, `--to`) in place of the scenario's, checked against
/// the run; an error names the option or field at fault.
pub fn spacetime_view(scenario: &Scenario, cli: &SpacetimeView) -> Result<ResolvedView> {
    let own = &scenario.output.spacetime;
    let merged = SpacetimeView {
        nodes: cli.nodes.clone().or_else(|| own.nodes.clone()),
        from: cli.from.or(own.from),
        to: cli.to.or(own.to),
    };
    let scenario_names = ViewFields::SCENARIO;
    let fields = ViewFields {
        nodes: if cli.nodes.is_some() {
            "--nodes"
        } else {
            scenario_names.nodes
        },
        from: if cli.from.is_some() {
            "--from"
        } else {
            scenario_names.from
        },
        to: if cli.to.is_some() {
            "--to"
        } else {
            scenario_names.to
        },
    };
    merged
        .resolve(&scenario.nodes, scenario.duration, fields)
        .map_err(|(field, message)| Error::Chart {
            name: "spacetime".into(),
            message: format!("{field}: {message}"),
        })
}

fn input(
    kind: ChartKind,
    scenario: &Scenario,
    cli_view: &SpacetimeView,
    src: &dyn Source,
    notes: &mut Vec<String>,
) -> Result<Input> {
    Ok(match kind {
        ChartKind::Convergence => {
            let t = src.metrics(report::WRITES)?;
            let full = t.numbers::<u64>("t100_ns")?;
            Input::Convergence(ConvergenceData {
                series: vec![CdfSeries {
                    label: scenario.name.clone(),
                    convergence_s: full.iter().flatten().map(|&ns| secs(ns)).collect(),
                    not_converged: full.iter().filter(|v| v.is_none()).count(),
                }],
            })
        }
        ChartKind::Informed => {
            let t = src.metrics(report::INFORMED)?;
            let time_s: Vec<f64> = t
                .required::<u64>("since_write_ns")?
                .into_iter()
                .map(secs)
                .collect();
            // A curve with β = 0 stays at 1/N: nothing to compare against.
            let analytic = MeanField::of(scenario)
                .filter(|m| !time_s.is_empty() && m.beta_per_s > 0.0)
                .map(|m| {
                    let last = time_s.last().copied().unwrap_or(0.0);
                    AnalyticCurve {
                        label: m.label(),
                        points: (0..=MODEL_POINTS)
                            .map(|i| {
                                let x = last * i as f64 / MODEL_POINTS as f64;
                                (x, m.at(x))
                            })
                            .collect(),
                    }
                });
            let w = src.metrics(report::WRITES)?;
            let full = w.numbers::<u64>("t100_ns")?;
            let reach = Reach {
                writes: full.len(),
                everywhere: full.iter().flatten().count(),
                beyond_writer: w.required::<u64>("reached")?.iter().filter(|&&n| n > 1).count(),
            };
            Input::Informed(InformedData {
                mean: t.required("mean")?,
                p10: t.required("p10")?,
                p90: t.required("p90")?,
                writes: t.required("writes")?,
                time_s,
                analytic,
                reach: Some(reach),
            })
        }
        ChartKind::Bandwidth => Input::Bandwidth(BandwidthData {
            window_s: series_window(kind, scenario, cli_view, src)?,
            ..bandwidth_input(src, scenario)?
        }),
        ChartKind::Staleness => {
            let t = src.metrics(report::STALENESS)?;
            let s = |c| -> Result<Vec<f64>> { Ok(t.required::<u64>(c)?.into_iter().map(secs).collect()) };
            let stale = t.required::<u64>("stale")?;
            // The mean over no stale mapping is undefined (an empty field;
            // files written before it was have 0): NaN, a gap in the line.
            let mean_s = stale
                .iter()
                .zip(t.numbers::<u64>("mean_ns")?)
                .map(|(&n, mean)| match mean {
                    Some(ns) if n > 0 => secs(ns),
                    _ => f64::NAN,
                })
                .collect();
            Input::Staleness(StalenessData {
                time_s: s("t_ns")?,
                max_s: s("max_ns")?,
                mean_s,
                stale_mappings: stale.into_iter().map(|v| v as f64).collect(),
                faults: network_faults(scenario),
                window_s: series_window(kind, scenario, cli_view, src)?,
            })
        }
        ChartKind::Spacetime => {
            // Resolved first but reported after the trace's level, with it:
            // a rerun with --trace full must also choose the nodes.
            let view = spacetime_view(scenario, cli_view);
            let path = src.dir().join(TRACE_FILE);
            let bad = |message: String| Error::Chart {
                name: "spacetime".into(),
                message,
            };
            let view_error = match &view {
                Err(Error::Chart { message, .. }) => Some(message.clone()),
                Err(e) => Some(e.to_string()),
                Ok(_) => None,
            };
            let and_view = |message: String| match &view_error {
                Some(v) => format!("{message}; and {v}"),
                None => message,
            };
            let rerun = rerun_with_full_trace(src.dir());
            let file = std::fs::File::open(&path).map_err(|e| {
                bad(and_view(format!(
                    "needs the run's full trace, {}: {e} ({rerun})",
                    path.display()
                )))
            })?;
            let format_error = |message: String| Error::Format {
                path: path.clone(),
                message,
            };
            let mut reader = TraceReader::new(BufReader::new(file))
                .map_err(format_error)?
                .with_end(scenario.duration.0);
            let header = reader.header().clone();
            if header.level != TraceLevel::Full {
                return Err(bad(and_view(format!(
                    "needs a full trace, but {} is at level {:?} ({rerun})",
                    path.display(),
                    header.level.name()
                ))));
            }
            let view = &view?;
            if header.nodes != scenario.nodes.count {
                return Err(bad(format!(
                    "{} has {} nodes but the run's scenario {}",
                    path.display(),
                    header.nodes,
                    scenario.nodes.count
                )));
            }
            let rows = view.nodes.as_ref().map_or(header.nodes as usize, Vec::len);
            if rows > chart::MAX_NODES {
                return Err(bad(format!(
                    "draws at most {} nodes; the run has {}: choose some with output.spacetime.nodes or --nodes",
                    chart::MAX_NODES,
                    header.nodes
                )));
            }
            // Only what the view draws is kept, so a window into a large
            // run's trace needs little memory.
            let selection = spacetime::Selection::new(header.nodes, view);
            let mut records = Vec::new();
            // The run's end, or its last record if later: a window may
            // reach past the last record (a quiet end of the run).
            let mut end_ns = scenario.duration.0.saturating_sub(1);
            while let Some(next) = reader.next_record() {
                let (_, r) = next.map_err(format_error)?;
                end_ns = end_ns.max(r.time());
                if selection.keeps(&r) {
                    records.push(r);
                }
            }
            // A run that stopped early (converged) has nothing after its
            // stop: a window that starts later would draw only "no data".
            let mut empty_note = None;
            if let Some(stop) = stopped_at(src.dir()).filter(|&stop| view.from_ns > stop) {
                let text = after_stop(view.from_ns, stop);
                // Asked for now (`chart --from`): refused. The scenario's
                // own window, drawn by `run`, cannot be known to be empty
                // before the run: drawn empty, with a note (under the
                // diagram too, for a reader of the figure).
                if cli_view.from.is_some() {
                    return Err(bad(format!("--from: {text}; choose a start before it")));
                }
                notes.push(format!("spacetime: {text} (output.spacetime.from)"));
                empty_note = Some(format!("empty: {text} (output.spacetime.from)"));
            }
            let plan = crate::faults::plan(scenario, &crate::rng::Streams::new(scenario.seed));
            let mut built = spacetime::build(header.nodes, &records, view, &plan, end_ns);
            built.data.note = empty_note;
            name_groups(&mut built.data.faults, scenario);
            if let Some(c) = built.cut_at_s {
                notes.push(format!(
                    "spacetime: the run has more than {} messages or {} events; the diagram stops at {c:.3}s",
                    chart::MAX_MESSAGES,
                    chart::MAX_EVENTS
                ));
            }
            notes.extend(spacetime::dense_hint(&built.data));
            Input::Spacetime(built.data)
        }
    })
}

/// When the run in `dir` stopped early, converged (`stop_when_converged`):
/// the time it stopped (ns), from its `summary.json`; `None` when it ran
/// to its end (or the summary cannot be read).
fn stopped_at(dir: &Path) -> Option<u64> {
    std::fs::read(dir.join("summary.json"))
        .ok()
        .and_then(|b| serde_json::from_slice::<crate::summary::Summary>(&b).ok())
        .filter(|s| s.stopped_early)
        .map(|s| s.end_ns)
}

/// Why a window starting at `from_ns` after a run stopped, converged, at
/// `stop_ns` is empty.
fn after_stop(from_ns: u64, stop_ns: u64) -> String {
    format!(
        "the window starts at {} but the run stopped, converged, at {} \
         (stop_when_converged): nothing happened after it",
        crate::check::secs(from_ns),
        crate::check::secs(stop_ns)
    )
}

/// Why a chart cannot draw a window of the run (`chart --from/--to`):
/// its x axis is not the run's time. `None`: it can.
pub fn no_time_axis(kind: ChartKind) -> Option<&'static str> {
    match kind {
        ChartKind::Convergence => {
            Some("its x axis is the time each write took to reach every node (a CDF over the writes)")
        }
        ChartKind::Informed => Some("its x axis is the time since each write (over all the writes)"),
        ChartKind::Bandwidth | ChartKind::Staleness | ChartKind::Spacetime => None,
    }
}

/// The window of a time-series chart (`kind`: bandwidth, staleness): the
/// `chart` command's `--from`/`--to` (`cli`), both ends included, clipped
/// to the run's end (where it stopped, if it stopped converged), in
/// seconds; `None` without either option. Checked as the space-time
/// diagram's window is: `--from` before the end of the run (and not after
/// an early stop: nothing happened after it), `--to` after `--from` and
/// not after the end of the run.
fn series_window(
    kind: ChartKind,
    scenario: &Scenario,
    cli: &SpacetimeView,
    src: &dyn Source,
) -> Result<Option<(f64, f64)>> {
    if cli.from.is_none() && cli.to.is_none() {
        return Ok(None);
    }
    let bad = |message: String| Error::Chart {
        name: kind.name().into(),
        message,
    };
    let duration = scenario.duration;
    let from = cli.from.unwrap_or(crate::time::SimDuration::ZERO);
    if from >= duration {
        return Err(bad(format!(
            "--from: {from} is not before the end of the run ({duration})"
        )));
    }
    if let Some(to) = cli.to {
        if to <= from {
            return Err(bad(format!(
                "--to: {to} is not after the start of the window ({from})"
            )));
        }
        if to > duration {
            return Err(bad(format!(
                "--to: {to} is after the end of the run ({duration}); omit it to draw until the end"
            )));
        }
    }
    let mut end = cli.to.unwrap_or(duration).0;
    if let Some(stop) = stopped_at(src.dir()) {
        if from.0 >= stop {
            return Err(bad(format!(
                "--from: {}; choose a start before it",
                after_stop(from.0, stop)
            )));
        }
        end = end.min(stop);
    }
    Ok(Some((secs(from.0), secs(end))))
}

/// Fault labels name a scenario group instead of its id range
/// (`partition eu | us` rather than `partition 0-7 | 8-15`) where a side is
/// exactly one group.
fn name_groups(faults: &mut [chart::SpacetimeFault], scenario: &Scenario) {
    let names = GroupNames::new(scenario);
    if names.is_empty() {
        return;
    }
    for f in faults {
        if let chart::SpacetimeFault::Network { label, .. } = f {
            *label = names.rename(label);
        }
    }
}

/// A scenario's node groups by their id ranges (as [`crate::faults::ids_text`]
/// writes them), to name a group in a fault's text instead of its ids.
#[derive(Clone, Debug, Default)]
pub struct GroupNames {
    /// (ids text, group name), in the groups' order.
    names: Vec<(String, String)>,
}

impl GroupNames {
    /// The non-empty groups of `scenario`.
    pub fn new(scenario: &Scenario) -> GroupNames {
        let names = scenario
            .nodes
            .groups
            .keys()
            .filter_map(|name| {
                let ids: Vec<u32> = scenario.nodes.group_range(name)?.collect();
                (!ids.is_empty()).then(|| (crate::faults::ids_text(&ids), name.clone()))
            })
            .collect();
        GroupNames { names }
    }

    /// Whether there are no groups to name.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// `label` with every space-separated word that is exactly a group's
    /// ids replaced by the group's name (`partition 0-3 | 4-7` becomes
    /// `partition a | b`).
    pub fn rename(&self, label: &str) -> String {
        label
            .split(' ')
            .map(|token| {
                self.names
                    .iter()
                    .find(|(ids, _)| ids == token)
                    .map_or(token, |(_, name)| name.as_str())
            })
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// The byte parts of `bandwidth.csv` (`<part>_bytes`) and of
/// `bandwidth_nodes.csv` (`<part>_bytes_sent`), stacked bottom to top.
const PARTS: [&str; 3] = ["other", "digest", "delta"];

/// The bandwidth chart's input: rates by message part (summed over kinds)
/// when the files have the part columns, else by message kind (metrics
/// written before the split existed). A part no message had is left out.
/// Node ids and message kinds are checked against the run (`scenario`):
/// per-node arrays are sized by its node count, never by a field.
fn bandwidth_input(src: &dyn Source, scenario: &Scenario) -> Result<BandwidthData> {
    let valid_kinds = crate::sim::protocol_kinds(scenario.gossip.protocol);
    let t = src.metrics(report::BANDWIDTH)?;
    let by_part = t.columns.iter().any(|c| c == "digest_bytes");
    let kinds = t.choices("kind", valid_kinds)?;
    let (start, end) = (t.required::<u64>("start_ns")?, t.required::<u64>("end_ns")?);
    // Series names and, per row, what each adds to them (bytes/s).
    let names: Vec<String>;
    let mut add: Vec<Vec<(usize, f64)>> = Vec::with_capacity(t.rows.len());
    if by_part {
        names = PARTS.iter().map(|p| p.to_string()).collect();
        let cols = PARTS
            .iter()
            .map(|p| t.required::<u64>(&format!("{p}_bytes")))
            .collect::<Result<Vec<_>>>()?;
        for i in 0..t.rows.len() {
            let span_s = secs(end[i].saturating_sub(start[i])).max(1e-9);
            add.push(
                (0..PARTS.len())
                    .map(|p| (p, cols[p][i] as f64 / span_s))
                    .collect(),
            );
        }
    } else {
        let rate = t.required::<f64>("bytes_per_s")?;
        let mut seen: Vec<String> = Vec::new();
        for i in 0..t.rows.len() {
            let k = match seen.iter().position(|s| s == kinds[i]) {
                Some(k) => k,
                None => {
                    seen.push(kinds[i].to_string());
                    seen.len() - 1
                }
            };
            add.push(vec![(k, rate[i])]);
        }
        names = seen;
    }
    // One time point per bucket (rows of one bucket are adjacent).
    let mut time_s = Vec::new();
    let mut series: Vec<KindRate> = names
        .iter()
        .map(|n| KindRate {
            kind: n.clone(),
            bytes_per_s: Vec::new(),
        })
        .collect();
    for i in 0..t.rows.len() {
        if i == 0 || start[i] != start[i - 1] {
            time_s.push((secs(start[i]) + secs(end[i])) / 2.0);
            for s in &mut series {
                s.bytes_per_s.push(0.0);
            }
        }
        for &(k, v) in &add[i] {
            *series[k].bytes_per_s.last_mut().expect("a point per bucket") += v;
        }
    }

    let run_s = secs(end.iter().copied().max().unwrap_or(0));
    let nt = src.metrics(report::BANDWIDTH_NODES)?;
    let node = nt.node_ids("node", scenario.nodes.count)?;
    let nkind = nt.choices("kind", valid_kinds)?;
    let nodes = node.iter().map(|&n| n as usize + 1).max().unwrap_or(0);
    let mut per_node: Vec<NodeRates> = names
        .iter()
        .map(|n| NodeRates {
            label: n.clone(),
            bytes_per_s: vec![0.0; nodes],
        })
        .collect();
    let mut total = vec![0u64; nodes];
    let mut node_bytes = |label: usize, row: usize, bytes: u64| {
        total[node[row] as usize] += bytes;
        per_node[label].bytes_per_s[node[row] as usize] += bytes as f64 / run_s;
    };
    if by_part {
        let cols = PARTS
            .iter()
            .map(|p| nt.required::<u64>(&format!("{p}_bytes_sent")))
            .collect::<Result<Vec<_>>>()?;
        for i in 0..nt.rows.len() {
            for (p, col) in cols.iter().enumerate() {
                node_bytes(p, i, col[i]);
            }
        }
    } else {
        let bytes = nt.required::<u64>("bytes_sent")?;
        for i in 0..nt.rows.len() {
            if let Some(k) = names.iter().position(|n| n == nkind[i]) {
                node_bytes(k, i, bytes[i]);
            }
        }
    }
    if by_part {
        // Leave out the parts no message had (e.g. digests in push-pull).
        let used: Vec<bool> = series
            .iter()
            .map(|s| s.bytes_per_s.iter().any(|&v| v > 0.0))
            .collect();
        let mut keep = used.iter();
        series.retain(|_| *keep.next().expect("one flag per series"));
        let mut keep = used.iter();
        per_node.retain(|_| *keep.next().expect("one flag per series"));
    }
    if per_node.len() > 1 {
        per_node.push(NodeRates {
            label: "total".into(),
            bytes_per_s: total.iter().map(|&b| b as f64 / run_s).collect(),
        });
    }
    Ok(BandwidthData {
        time_s,
        kinds: series,
        per_node,
        by: if by_part { "message part" } else { "message kind" }.into(),
        faults: network_faults(scenario),
        window_s: None,
    })
}

/// How to get a full trace for the run in `dir`: a run of a sweep
/// (`SWEEP/<point>/<seed>/`, with `SWEEP/sweep.json`) was written by
/// `sweep`, whose `--trace` sets every run's level.
fn rerun_with_full_trace(dir: &Path) -> &'static str {
    let in_sweep = dir
        .parent()
        .and_then(Path::parent)
        .is_some_and(|sweep| sweep.join("sweep.json").is_file());
    if in_sweep {
        "rerun the sweep with `sweep --trace full`, or this seed alone with `run --seed N --trace full`"
    } else {
        "rerun with --trace full"
    }
}

/// The scenario's partitions, cuts and degradations, as the bandwidth and
/// staleness charts shade them, named by group as in the space-time
/// diagram (every planned fault is recorded at its time, so plan and trace
/// agree).
fn network_faults(scenario: &Scenario) -> Vec<chart::SpacetimeFault> {
    let plan = crate::faults::plan(scenario, &crate::rng::Streams::new(scenario.seed));
    let mut faults = spacetime::planned_network_faults(scenario.nodes.count, &plan, scenario.duration.0);
    name_groups(&mut faults, scenario);
    faults
}

fn draw(input: &Input, prov: &Provenance, format: ImageFormat) -> Result<Rendered, ChartError> {
    match input {
        Input::Convergence(d) => chart::convergence(d, prov, format),
        Input::Informed(d) => chart::informed(d, prov, format),
        Input::Bandwidth(d) => chart::bandwidth(d, prov, format),
        Input::Staleness(d) => chart::staleness(d, prov, format),
        Input::Spacetime(d) => chart::spacetime(d, prov, format),
    }
}

/// Renders chart `kind` of a run of `scenario` from `src` in `format`;
/// `view` replaces fields of the scenario's space-time view (see
/// [`spacetime_view`]; `SpacetimeView::default()` replaces none).
pub fn render(
    kind: ChartKind,
    scenario: &Scenario,
    view: &SpacetimeView,
    prov: &Provenance,
    src: &dyn Source,
    format: ImageFormat,
) -> Result<Rendered> {
    let input = input(kind, scenario, view, src, &mut Vec::new())?;
    draw(&input, prov, format).map_err(|e| chart_error(kind, e))
}

fn chart_error(kind: ChartKind, e: ChartError) -> Error {
    Error::Chart {
        name: kind.name().into(),
        message: e.to_string(),
    }
}

/// Draws `kinds` in every one of `formats` and writes them into
/// `src.dir()/charts/`, each file atomically; `view` replaces fields of the
/// scenario's space-time view (see [`spacetime_view`]).
pub fn write_charts(
    kinds: &[ChartKind],
    formats: &[ImageFormat],
    scenario: &Scenario,
    view: &SpacetimeView,
    prov: &Provenance,
    src: &dyn Source,
) -> Result<Written> {
    write_named_charts(kinds, formats, scenario, view, prov, src, None)
}

/// [`write_charts`], the files of the one chart in `kinds` named `name`
/// (`charts/NAME.svg`) when given (checked by [`check_file_name`]).
fn write_named_charts(
    kinds: &[ChartKind],
    formats: &[ImageFormat],
    scenario: &Scenario,
    view: &SpacetimeView,
    prov: &Provenance,
    src: &dyn Source,
    name: Option<&str>,
) -> Result<Written> {
    let dir = src.dir().join(CHARTS_DIR);
    let mut out = Written::default();
    if kinds.is_empty() {
        return Ok(out);
    }
    // Every chart is drawn before any is written: a chart that cannot be
    // drawn (a space-time diagram without a full trace) leaves the others'
    // files as they were.
    let mut drawn = Vec::new();
    for &kind in kinds {
        let input = input(kind, scenario, view, src, &mut out.notes)?;
        for &format in formats {
            let rendered = draw(&input, prov, format).map_err(|e| chart_error(kind, e))?;
            drawn.push((
                dir.join(format!("{}.{}", name.unwrap_or(kind.name()), format.extension())),
                rendered,
            ));
        }
    }
    Error::create_dir_all(&dir)?;
    for (path, rendered) in drawn {
        crate::output::write_atomic(&path, &rendered.bytes)?;
        out.files.push(path);
    }
    Ok(out)
}

/// The provenance footer of a run's charts.
pub fn provenance(version: &str, scenario: &Scenario) -> Provenance {
    Provenance {
        scenario: scenario.name.clone(),
        version: version.to_string(),
        seed: Some(scenario.seed),
        scenario_hash: scenario.hash(),
        fixed: String::new(),
    }
}

/// Removes the chart files of every chart not in `keep`.
fn remove_charts(dir: &Path, keep: &[ChartKind]) -> Result<()> {
    let charts_dir = dir.join(CHARTS_DIR);
    for kind in ChartKind::ALL.into_iter().filter(|k| !keep.contains(k)) {
        for format in [ImageFormat::Svg, ImageFormat::Png] {
            let path = charts_dir.join(format!("{}.{}", kind.name(), format.extension()));
            match std::fs::remove_file(&path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(Error::io(&path, e)),
                _ => {}
            }
        }
    }
    Ok(())
}

/// Removes the metrics and chart files an earlier run left in `dir` (an
/// interrupted run has none).
pub fn remove_run_products(dir: &Path) -> Result<()> {
    if dir.join(report::METRICS_DIR).exists() {
        report::write_metrics(dir, &[])?;
    }
    remove_charts(dir, &[])
}

/// Writes a finished run's `metrics/*.csv`, then (with `charts`) draws the
/// charts its scenario names (SVG and PNG) from those very bytes; chart
/// files of charts not drawn this time are removed, so a rerun leaves no
/// stale ones.
pub fn write_run_products(
    dir: &Path,
    scenario: &Scenario,
    outcome: &crate::sim::Outcome,
    charts: bool,
) -> Result<Written> {
    let files = report::metrics_files(scenario, outcome);
    report::write_metrics(dir, &files)?;
    if !charts {
        remove_charts(dir, &[])?;
        return Ok(Written::default());
    }
    remove_charts(dir, &scenario.output.charts)?;
    let prov = provenance(crate::summary::VERSION, scenario);
    let src = InMemory { dir, files: &files };
    write_charts(
        &scenario.output.charts,
        &[ImageFormat::Svg, ImageFormat::Png],
        scenario,
        &SpacetimeView::default(),
        &prov,
        &src,
    )
}

/// `scuttlesim chart`: draws the charts of the run in `dir` again from its
/// manifest and stored files — `kinds`, or those its scenario names — in
/// `formats`, without simulating. `view` holds the command's `--nodes`,
/// `--from` and `--to`, which replace the scenario's `[output.spacetime]`
/// fields; `--from`/`--to` also draw that window of the run in the
/// bandwidth and staleness charts (see [`no_time_axis`]: a window with the
/// convergence or informed chart is an error naming it), and `--nodes` is
/// an error unless the space-time diagram is drawn.
/// `name` (`--name`, exactly one chart in `kinds`) writes that chart's
/// files as `charts/NAME.svg`/`.png` instead of under its own name, so
/// windows drawn one after another can be kept side by side.
pub fn rerender(
    dir: &Path,
    kinds: Option<&[ChartKind]>,
    formats: &[ImageFormat],
    view: &SpacetimeView,
    name: Option<&str>,
) -> Result<Written> {
    if let Some(name) = name {
        match kinds {
            Some(&[kind]) => check_file_name(name, kind)?,
            _ => {
                return Err(Error::Chart {
                    name: "--name".into(),
                    message: format!(
                        "{name:?} names the files of one chart: give exactly one --only (got {})",
                        kinds.map_or(0, <[ChartKind]>::len)
                    ),
                })
            }
        }
    }
    let path = dir.join("manifest.json");
    let bytes = std::fs::read(&path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            let message = if dir.join("sweep.json").is_file() {
                "no manifest: this is a sweep directory (its charts are in charts/); \
                 chart one of its runs with DIR/<point>/<seed>"
            } else {
                "no manifest: not a finished run directory (a run writes its manifest last)"
            };
            Error::Format {
                path: path.clone(),
                message: message.into(),
            }
        } else {
            Error::io(&path, e)
        }
    })?;
    let manifest: crate::summary::Manifest = serde_json::from_slice(&bytes).map_err(|e| Error::Format {
        path: path.clone(),
        message: format!("not a manifest: {e}"),
    })?;
    if manifest.status == crate::summary::STATUS_INTERRUPTED {
        return Err(Error::Format {
            path,
            message: "the run was interrupted: it has no metrics to chart; run it to the end".into(),
        });
    }
    let scenario = &manifest.scenario;
    let prov = Provenance {
        scenario: scenario.name.clone(),
        version: manifest.scuttlesim_version.clone(),
        seed: Some(manifest.seed),
        scenario_hash: manifest.scenario_hash.clone(),
        fixed: String::new(),
    };
    let kinds = kinds.unwrap_or(&scenario.output.charts);
    if view.nodes.is_some() && !kinds.contains(&ChartKind::Spacetime) {
        return Err(Error::Chart {
            name: "spacetime".into(),
            message: "--nodes chooses the nodes the space-time diagram draws, and this command does not draw it: add --only spacetime".into(),
        });
    }
    if view.from.is_some() || view.to.is_some() {
        if let Some((kind, why)) = kinds.iter().find_map(|&k| Some((k, no_time_axis(k)?))) {
            return Err(Error::Chart {
                name: kind.name().into(),
                message: format!(
                    "--from and --to draw a window of the run's time, and the {} chart has no time axis: \
                     {why}; draw the others with --only (bandwidth, staleness, spacetime)",
                    kind.name()
                ),
            });
        }
    }
    write_named_charts(kinds, formats, scenario, view, &prov, &OnDisk(dir), name)
}

/// Longest name [`rerender`] accepts for a chart's files.
pub const MAX_FILE_NAME_CHARS: usize = 64;

/// Checks `name` as the name of `kind`'s files in a run's `charts/`
/// (`chart --name`): 1 to [`MAX_FILE_NAME_CHARS`] ASCII letters, digits,
/// `-`, `_` and `.`, not beginning with `.` (no path, no hidden file), and
/// not another chart's name, whose files it would replace (and a later
/// `run` would remove).
pub fn check_file_name(name: &str, kind: ChartKind) -> Result<()> {
    let bad = |why: String| {
        Err(Error::Chart {
            name: kind.name().into(),
            message: format!("--name {name:?}: {why}"),
        })
    };
    if name.is_empty() || name.len() > MAX_FILE_NAME_CHARS {
        return bad(format!("a name has 1 to {MAX_FILE_NAME_CHARS} characters"));
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
    {
        return bad(format!(
            "{c:?} is not allowed: a name is a file name in charts/ of letters, digits, '-', '_' and '.'"
        ));
    }
    if name.starts_with('.') {
        return bad("a name does not begin with '.'".into());
    }
    if let Some(other) = ChartKind::ALL
        .into_iter()
        .find(|k| *k != kind && k.name() == name)
    {
        return bad(format!(
            "that is the {} chart's name: its files would be replaced",
            other.name()
        ));
    }
    Ok(())
}
