//! The metrics files of a run, `metrics/*.csv`: made from an [`Outcome`],
//! and read back ([`Table`]) to draw the charts, so `run` and `chart` draw
//! from the same bytes.
//!
//! Every file starts with the run's provenance as `#` lines ([`Stamp`]),
//! then a header row, then one row per line; fields never contain commas or
//! quotes. Times are integer nanoseconds (`_ns`), fractions have six
//! decimals, rates three. `pandas.read_csv(path, comment="#")` reads them.
//! The columns of every file are in README.md, *Metrics files*.

use crate::error::{Error, Result};
use crate::metrics::{InformedPoint, LearnedWrite, WriteRow};
use crate::scenario::Scenario;
use crate::sim::Outcome;
use crate::summary::VERSION;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Where a run's metrics go, relative to the run directory.
pub const METRICS_DIR: &str = "metrics";
/// Per-write spread times.
pub const WRITES: &str = "writes.csv";
/// Informed fraction against time since write.
pub const INFORMED: &str = "informed.csv";
/// Cluster-wide traffic over time by kind.
pub const BANDWIDTH: &str = "bandwidth.csv";
/// Per-node traffic totals by kind.
pub const BANDWIDTH_NODES: &str = "bandwidth_nodes.csv";
/// Per-node traffic over time by kind (only when kept; see
/// [`crate::scenario::Output::node_series`]).
pub const BANDWIDTH_NODES_TIME: &str = "bandwidth_nodes_time.csv";
/// When each node first held each write (only when kept; see
/// [`crate::scenario::Output::learned`]).
pub const LEARNED: &str = "learned.csv";
/// Staleness samples (only when sampled).
pub const STALENESS: &str = "staleness.csv";
/// Lost writes per merge policy (only when the run has writes).
pub const LOST_WRITES: &str = "lost_writes.csv";
/// Every file name this module may write.
pub const ALL_FILES: [&str; 8] = [
    WRITES,
    LEARNED,
    INFORMED,
    BANDWIDTH,
    BANDWIDTH_NODES,
    BANDWIDTH_NODES_TIME,
    STALENESS,
    LOST_WRITES,
];

/// The provenance every metrics file starts with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stamp {
    /// scuttlesim version that made the run.
    pub version: String,
    /// Scenario name.
    pub scenario: String,
    /// SHA-256 of the resolved scenario (hex).
    pub scenario_hash: String,
    /// Master seed.
    pub seed: u64,
    /// The run's trace digest (hex).
    pub trace_digest: String,
}

impl Stamp {
    /// The stamp of `outcome`, a run of `scenario` by this binary.
    pub fn new(scenario: &Scenario, outcome: &Outcome) -> Stamp {
        Stamp {
            version: VERSION.to_string(),
            scenario: scenario.name.clone(),
            scenario_hash: scenario.hash(),
            seed: scenario.seed,
            trace_digest: outcome.digest.clone(),
        }
    }

    fn lines(&self) -> String {
        format!(
            "# scuttlesim_version: {}\n# scenario: {}\n# scenario_hash: {}\n# seed: {}\n# trace_digest: {}\n",
            self.version, self.scenario, self.scenario_hash, self.seed, self.trace_digest
        )
    }
}

/// Nanoseconds in a second, for rates.
const NS_PER_S: f64 = 1e9;

fn opt(v: Option<u64>) -> String {
    v.map_or(String::new(), |v| v.to_string())
}

/// The metrics files whose size grows with writes × nodes or nodes × time
/// (`learned.csv`, `bandwidth_nodes_time.csv`): [`write_streamed_metrics`]
/// streams them to disk; [`metrics_files`] leaves them out.
pub const STREAMED: [&str; 2] = [LEARNED, BANDWIDTH_NODES_TIME];

/// The metrics files of `outcome` (a run of `scenario`) held in memory, in
/// [`ALL_FILES`] order, as `(file name, bytes)`: always `writes.csv`,
/// `informed.csv`, `bandwidth.csv` and `bandwidth_nodes.csv`;
/// `staleness.csv` when staleness was sampled; `lost_writes.csv`
/// when the run counted lost writes. The [`STREAMED`] files are not among
/// them ([`streamed_files`] renders those in memory too).
pub fn metrics_files(scenario: &Scenario, outcome: &Outcome) -> Vec<(&'static str, Vec<u8>)> {
    let stamp = Stamp::new(scenario, outcome).lines();
    let m = &outcome.metrics;
    let end = outcome.end.0;
    let mut files = vec![(WRITES, writes_csv(&stamp, &m.write_rows()))];
    files.push((INFORMED, informed_csv(&stamp, &m.informed_curve(end))));

    let mut o = stamp.clone();
    o.push_str(
        "start_ns,end_ns,kind,messages,bytes,messages_per_s,bytes_per_s,digest_bytes,delta_bytes,other_bytes\n",
    );
    let traffic = m.traffic(end);
    let buckets = traffic.first().map_or(0, |(_, b)| b.len());
    for b in 0..buckets {
        let (start, stop) = bucket_span(m.bucket_ns(), end, b);
        let secs = (stop - start) as f64 / NS_PER_S;
        for (kind, series) in &traffic {
            let t = series[b];
            let _ = writeln!(
                o,
                "{start},{stop},{kind},{},{},{:.3},{:.3},{},{},{}",
                t.messages,
                t.bytes,
                t.messages as f64 / secs,
                t.bytes as f64 / secs,
                t.digest_bytes,
                t.delta_bytes,
                t.other_bytes
            );
        }
    }
    files.push((BANDWIDTH, o.into_bytes()));

    let mut o = stamp.clone();
    o.push_str(
        "node,kind,sent,bytes_sent,received,bytes_received,dropped,digest_bytes_sent,delta_bytes_sent,other_bytes_sent\n",
    );
    let nodes = m.node_traffic();
    // A row per node and kind (100,000 nodes: a million numbers), so
    // formatted with `itoa` rather than `fmt`.
    let mut buf = itoa::Buffer::new();
    for node in 0..scenario.nodes.count as usize {
        for (kind, per_node) in &nodes {
            let t = per_node[node];
            o.push_str(buf.format(node));
            o.push(',');
            o.push_str(kind);
            for v in [
                t.sent,
                t.bytes_sent,
                t.received,
                t.bytes_received,
                t.dropped,
                t.digest_bytes_sent,
                t.delta_bytes_sent,
                t.other_bytes_sent,
            ] {
                o.push(',');
                o.push_str(buf.format(v));
            }
            o.push('\n');
        }
    }
    files.push((BANDWIDTH_NODES, o.into_bytes()));

    if scenario.output.staleness {
        let mut o = stamp.clone();
        o.push_str("t_ns,stale,max_ns,mean_ns\n");
        for s in m.staleness() {
            let _ = writeln!(o, "{},{},{},{}", s.t_ns, s.stale, s.max_ns, opt(s.mean_ns));
        }
        files.push((STALENESS, o.into_bytes()));
    }

    if !outcome.lost_writes.is_empty() {
        let mut o = stamp.clone();
        o.push_str("policy,lost,origin,key,version,write_ns,value\n");
        let mut policies = outcome.lost_writes.clone();
        policies.sort_by_key(|l| l.policy != scenario.gossip.merge.name());
        for l in &policies {
            if l.examples.is_empty() {
                let _ = writeln!(o, "{},{},,,,,", l.policy, l.count);
            }
            for w in &l.examples {
                let _ = writeln!(
                    o,
                    "{},{},{},{},{},{},{}",
                    l.policy, l.count, w.origin, w.key, w.version, w.t_ns, w.value
                );
            }
        }
        files.push((LOST_WRITES, o.into_bytes()));
    }
    files
}

/// Bucket `b`'s `[start, end)` in ns, of buckets `width` wide from 0, the
/// last one ending with the run (at `end`).
fn bucket_span(width: u64, end: u64, b: usize) -> (u64, u64) {
    let start = b as u64 * width;
    let stop = ((b as u64 + 1) * width).min(end);
    (start, if stop <= start { start + width } else { stop })
}

/// The [`STREAMED`] files `outcome` makes, in [`ALL_FILES`] order, each
/// with a function writing its bytes to a writer: `learned.csv` when the
/// run kept first-held times, `bandwidth_nodes_time.csv` when it kept every
/// node's traffic per bucket.
#[allow(clippy::type_complexity)]
fn streamed<'a>(
    scenario: &'a Scenario,
    outcome: &'a Outcome,
) -> Vec<(
    &'static str,
    Box<dyn Fn(&mut dyn std::io::Write) -> std::io::Result<()> + 'a>,
)> {
    let m = &outcome.metrics;
    let mut files: Vec<(
        &'static str,
        Box<dyn Fn(&mut dyn std::io::Write) -> std::io::Result<()> + 'a>,
    )> = Vec::new();
    if let Some(learned) = m.learned() {
        files.push((
            LEARNED,
            Box::new(move |o| learned_csv(&Stamp::new(scenario, outcome).lines(), &learned, o)),
        ));
    }
    if m.keeps_node_series() {
        files.push((
            BANDWIDTH_NODES_TIME,
            Box::new(move |o| node_series_csv(scenario, outcome, o)),
        ));
    }
    files
}

/// The [`STREAMED`] files of `outcome` rendered in memory, as
/// `(file name, bytes)`: the bytes [`write_streamed_metrics`] writes.
pub fn streamed_files(scenario: &Scenario, outcome: &Outcome) -> Vec<(&'static str, Vec<u8>)> {
    streamed(scenario, outcome)
        .into_iter()
        .map(|(name, write)| {
            let mut bytes = Vec::new();
            write(&mut bytes).expect("writing to memory cannot fail");
            (name, bytes)
        })
        .collect()
}

/// Writes the [`STREAMED`] files of `outcome` into `dir/metrics/`, each
/// through a buffered writer into a temporary file renamed when complete
/// (removed on an error, so nothing half-written stays), without holding
/// a file in memory; returns what it wrote. Run after [`write_metrics`],
/// which removes the files this run does not make.
pub fn write_streamed_metrics(dir: &Path, scenario: &Scenario, outcome: &Outcome) -> Result<Vec<PathBuf>> {
    let mdir = dir.join(METRICS_DIR);
    Error::create_dir_all(&mdir)?;
    let mut written = Vec::new();
    for (name, write) in streamed(scenario, outcome) {
        let path = mdir.join(name);
        crate::export::write_streaming(&path, |out| write(out).map_err(|e| Error::io(&path, e)))?;
        written.push(path);
    }
    Ok(written)
}

/// `bandwidth_nodes_time.csv`, long and sparse: a row per (bucket, node,
/// kind) in which the node sent or received something; absent rows are
/// zeros.
fn node_series_csv(
    scenario: &Scenario,
    outcome: &Outcome,
    o: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let m = &outcome.metrics;
    let end = outcome.end.0;
    o.write_all(Stamp::new(scenario, outcome).lines().as_bytes())?;
    o.write_all(b"start_ns,end_ns,node,kind,sent,bytes_sent,received,bytes_received\n")?;
    let buckets = m.traffic(end).first().map_or(0, |(_, b)| b.len());
    let nodes = m.node_traffic();
    for b in 0..buckets {
        let (start, stop) = bucket_span(m.bucket_ns(), end, b);
        for node in 0..scenario.nodes.count {
            for (k, (kind, _)) in nodes.iter().enumerate() {
                let c = m.node_bucket(k, node, b);
                if !c.is_empty() {
                    writeln!(
                        o,
                        "{start},{stop},{node},{kind},{},{},{},{}",
                        c.sent, c.bytes_sent, c.received, c.bytes_received
                    )?;
                }
            }
        }
    }
    Ok(())
}

fn writes_csv(stamp: &str, rows: &[WriteRow]) -> Vec<u8> {
    let mut o = stamp.to_string();
    o.push_str("origin,key,version,write_ns,reached,t50_ns,t90_ns,t99_ns,t100_ns\n");
    // A row per write (a large run makes hundreds of thousands), so
    // formatted with `itoa` rather than `fmt`.
    let mut buf = itoa::Buffer::new();
    for r in rows {
        o.push_str(buf.format(r.origin));
        for v in [u64::from(r.key), r.version, r.t_ns, u64::from(r.reached)] {
            o.push(',');
            o.push_str(buf.format(v));
        }
        for t in r.to_percent_ns {
            o.push(',');
            if let Some(t) = t {
                o.push_str(buf.format(t));
            }
        }
        o.push('\n');
    }
    o.into_bytes()
}

/// One row per (write, node), writes in `writes.csv` order, nodes by id;
/// `learned_ns` and `after_ns` are empty for a node that never held it.
fn learned_csv(
    stamp: &str,
    writes: &[LearnedWrite<'_>],
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    // Rendered a write at a time (one row per node) into a reused buffer,
    // handed to `out` whenever it passes 64 KiB.
    let mut o = stamp.to_string();
    o.push_str("origin,key,version,write_ns,node,learned_ns,after_ns\n");
    let mut buf = itoa::Buffer::new();
    for w in writes {
        let prefix = format!("{},{},{},{},", w.origin, w.key, w.version, w.t_ns);
        for (node, &at) in w.learned_ns.iter().enumerate() {
            o.push_str(&prefix);
            o.push_str(buf.format(node));
            o.push(',');
            if at != u64::MAX {
                o.push_str(buf.format(at));
                o.push(',');
                o.push_str(buf.format(at - w.t_ns));
            } else {
                o.push(',');
            }
            o.push('\n');
            if o.len() >= 1 << 16 {
                out.write_all(o.as_bytes())?;
                o.clear();
            }
        }
    }
    out.write_all(o.as_bytes())
}

fn informed_csv(stamp: &str, points: &[InformedPoint]) -> Vec<u8> {
    let mut o = stamp.to_string();
    o.push_str("since_write_ns,writes,mean,p10,p50,p90\n");
    for p in points {
        let _ = writeln!(
            o,
            "{},{},{:.6},{:.6},{:.6},{:.6}",
            p.since_ns, p.writes, p.mean, p.p10, p.p50, p.p90
        );
    }
    o.into_bytes()
}

/// Writes the metrics files of a run into `dir/metrics/` (each atomically)
/// and removes any file of [`ALL_FILES`] this run does not make, so a rerun
/// never leaves another run's numbers behind; returns what it wrote.
pub fn write_metrics(dir: &Path, files: &[(&'static str, Vec<u8>)]) -> Result<Vec<PathBuf>> {
    let mdir = dir.join(METRICS_DIR);
    Error::create_dir_all(&mdir)?;
    let mut written = Vec::new();
    for name in ALL_FILES {
        let path = mdir.join(name);
        match files.iter().find(|(n, _)| *n == name) {
            Some((_, bytes)) => {
                crate::output::write_atomic(&path, bytes)?;
                written.push(path);
            }
            None => match std::fs::remove_file(&path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(Error::io(&path, e)),
                _ => {}
            },
        }
    }
    Ok(written)
}

/// A parsed metrics file: its header and rows of text fields.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Table {
    /// Where it came from (for error messages).
    pub path: PathBuf,
    /// Column names.
    pub columns: Vec<String>,
    /// Rows, each with one field per column.
    pub rows: Vec<Vec<String>>,
    /// The 1-based line in the file of each row (for error messages).
    pub lines: Vec<usize>,
}

impl Table {
    /// Parses `bytes` (the contents of `path`): `#` lines are skipped, the
    /// first other line is the header, every row has as many fields.
    pub fn parse(path: &Path, bytes: &[u8]) -> Result<Table> {
        let bad = |message: String| Error::Format {
            path: path.to_path_buf(),
            message,
        };
        let text = std::str::from_utf8(bytes).map_err(|_| bad("not UTF-8 text".into()))?;
        let mut lines = text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.starts_with('#') && !l.is_empty());
        let (_, header) = lines.next().ok_or_else(|| bad("no header row".into()))?;
        let columns: Vec<String> = header.split(',').map(str::to_string).collect();
        let mut rows = Vec::new();
        let mut numbers = Vec::new();
        for (i, line) in lines {
            let row: Vec<String> = line.split(',').map(str::to_string).collect();
            if row.len() != columns.len() {
                return Err(bad(format!(
                    "line {}: {} fields, the header has {}",
                    i + 1,
                    row.len(),
                    columns.len()
                )));
            }
            rows.push(row);
            numbers.push(i + 1);
        }
        Ok(Table {
            path: path.to_path_buf(),
            columns,
            rows,
            lines: numbers,
        })
    }

    /// Reads and parses the file at `path`.
    pub fn read(path: &Path) -> Result<Table> {
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        Table::parse(path, &bytes)
    }

    /// Index of column `name`, or an error naming the file.
    pub fn column(&self, name: &str) -> Result<usize> {
        self.columns
            .iter()
            .position(|c| c == name)
            .ok_or_else(|| Error::Format {
                path: self.path.clone(),
                message: format!("no column {name:?}"),
            })
    }

    /// Column `name` parsed as numbers; an empty field is `None`.
    pub fn numbers<T: std::str::FromStr>(&self, name: &str) -> Result<Vec<Option<T>>> {
        let c = self.column(name)?;
        self.rows
            .iter()
            .enumerate()
            .map(|(i, row)| {
                let f = &row[c];
                if f.is_empty() {
                    return Ok(None);
                }
                f.parse()
                    .map(Some)
                    .map_err(|_| self.bad(i, name, format!("{f:?} is not a number")))
            })
            .collect()
    }

    /// Column `name` parsed as numbers, none of them empty.
    pub fn required<T: std::str::FromStr>(&self, name: &str) -> Result<Vec<T>> {
        self.numbers(name)?
            .into_iter()
            .enumerate()
            .map(|(i, v)| v.ok_or_else(|| self.bad(i, name, "is empty".into())))
            .collect()
    }

    /// Column `name` as text.
    pub fn texts(&self, name: &str) -> Result<Vec<&str>> {
        let c = self.column(name)?;
        Ok(self.rows.iter().map(|r| r[c].as_str()).collect())
    }

    /// Column `name` as node ids of a run of `nodes` nodes: each a whole
    /// number below `nodes`.
    pub fn node_ids(&self, name: &str, nodes: u32) -> Result<Vec<u32>> {
        let ids = self.required::<u64>(name)?;
        for (i, &id) in ids.iter().enumerate() {
            if id >= u64::from(nodes) {
                return Err(self.bad(
                    i,
                    name,
                    format!(
                        "{id} is not a node of this {nodes}-node run (valid: 0 to {})",
                        i64::from(nodes) - 1
                    ),
                ));
            }
        }
        Ok(ids.into_iter().map(|id| id as u32).collect())
    }

    /// Column `name` as text, each field one of `valid`.
    pub fn choices(&self, name: &str, valid: &[&str]) -> Result<Vec<&str>> {
        let texts = self.texts(name)?;
        if let Some(i) = texts.iter().position(|t| !valid.contains(t)) {
            return Err(self.bad(
                i,
                name,
                format!(
                    "{:?} is not one of this run's values: {}",
                    texts[i],
                    valid.join(", ")
                ),
            ));
        }
        Ok(texts)
    }

    /// An error about row `row`'s field in column `name`: the file, its line
    /// and the column.
    fn bad(&self, row: usize, name: &str, message: String) -> Error {
        let line = self.lines.get(row).copied().unwrap_or(row + 1);
        Error::Format {
            path: self.path.clone(),
            message: format!("line {line}: column {name:?}: {message}"),
        }
    }
}
