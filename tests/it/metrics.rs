//! The metrics files under `metrics/`: values derived by hand on a tiny run,
//! bandwidth that adds up to the trace, provenance on every file.

use crate::support::{scenario, shipped, temp_dir};
use scuttlesim::output;
use scuttlesim::report::{self, Table};
use scuttlesim::scenario::TraceLevel;
use scuttlesim::trace::{read_trace, Record};
use std::collections::BTreeMap;
use std::path::Path;

const MS: u64 = 1_000_000;

fn table(run: &Path, name: &str) -> Table {
    Table::read(&run.join("metrics").join(name)).unwrap_or_else(|e| panic!("{e}"))
}

/// The rows of `t` as maps from column name to field.
fn rows(t: &Table) -> Vec<BTreeMap<&str, &str>> {
    t.rows
        .iter()
        .map(|r| {
            t.columns
                .iter()
                .map(|c| c.as_str())
                .zip(r.iter().map(|f| f.as_str()))
                .collect()
        })
        .collect()
}

/// Three nodes in a line: n0 — n1 — n2 (n0 and n2 are partitioned from each
/// other from the start; n1 is on neither side, so it talks to both). Fan-out
/// 2 (everyone contacts both others), aligned rounds at 1 s, latency 10 ms
/// except 20 ms between n1 and n2. n0 writes at 0.5 s; the run ends at 1.5 s,
/// so exactly one round of exchanges happens, all at I = 1 s.
///
/// Sizes (README, *Size model*; 3 nodes, 8-byte values): syn = 32 + 3·12 =
/// 68; ack = 68 + 24 per delta; ack2 = 32 + 24 per delta.
///
/// At I every node sends a syn to both others (6 syns); n0 → n2 and n2 → n0
/// are dropped at once (partition). What the 4 delivered syns start:
/// - n1's syn reaches n0 at I+10; n0's ack carries the delta (92 bytes) and
///   reaches n1 at **I+20**: n1 holds the write. n1's ack2 back is empty (32).
/// - n0's syn reaches n1 at I+10; n1's ack has no delta (68) and reaches n0
///   at I+20; n0's ack2 carries the delta n1 lacked (56), arriving at I+30.
/// - n2's syn reaches n1 at I+20, *before* n0's ack of the same instant (it
///   was scheduled at I, the ack at I+10), so n1's ack has no delta (68);
///   n2's ack2 is empty (32).
/// - n1's syn reaches n2 at I+20; n2's ack (68) reaches n1 at I+40; n1 holds
///   the write by then, so its ack2 carries it (56) and reaches n2 at
///   **I+60**.
///
/// So the write (at 500 ms) is held by 2 of 3 nodes (≥ 50 %) 520 ms later
/// and by all 3 (≥ 90 %, 99 %, 100 %) 560 ms later.
const LINE: &str = r#"
    duration = "1.5s"
    [nodes]
    count = 3
    [gossip]
    interval = "1s"
    fanout = 2
    phase = "aligned"
    [network]
    latency = { dist = "constant", value = "10ms" }
    [[network.routes]]
    from = [1]
    to = [2]
    latency = { dist = "constant", value = "20ms" }
    bidirectional = true
    [[faults]]
    at = "0s"
    partition = [[0], [2]]
    [[workload.schedule]]
    at = "500ms"
    node = 0
    value = 42
    [output]
    trace = "full"
    charts = []
"#;

#[test]
fn per_write_times_by_hand() {
    let dir = temp_dir("metrics-line");
    let report = output::execute(&scenario(LINE), &dir).unwrap();
    let t = table(&report.dir, report::WRITES);
    let r = rows(&t);
    assert_eq!(r.len(), 1);
    let w = &r[0];
    assert_eq!(
        (w["origin"], w["key"], w["version"], w["write_ns"], w["reached"]),
        ("0", "0", "1", "500000000", "3")
    );
    let (t50, t_all) = ((520 * MS).to_string(), (560 * MS).to_string());
    assert_eq!(
        [w["t50_ns"], w["t90_ns"], w["t99_ns"], w["t100_ns"]],
        [t50.as_str(), &t_all, &t_all, &t_all]
    );

    // Informed fraction: 1/3 from the write, 2/3 from 520 ms, 1 from 560 ms.
    // The slowest spread is 560 ms, so the grid step is the smallest 1/2/5 ×
    // 10^k ns ≥ 560 ms / 200 = 2.8 ms: 5 ms.
    let inf_table = table(&report.dir, report::INFORMED);
    let inf = rows(&inf_table);
    let at = |ms: u64| {
        inf.iter()
            .find(|r| r["since_write_ns"] == (ms * MS).to_string())
            .unwrap_or_else(|| panic!("no grid point at {ms} ms"))
            .clone()
    };
    assert_eq!(at(5)["since_write_ns"], "5000000");
    for (ms, frac) in [
        (0, "0.333333"),
        (515, "0.333333"),
        (520, "0.666667"),
        (555, "0.666667"),
        (560, "1.000000"),
    ] {
        let p = at(ms);
        assert_eq!(
            (p["writes"], p["mean"], p["p10"], p["p90"]),
            ("1", frac, frac, frac),
            "{ms} ms"
        );
    }
}

#[test]
fn byte_counts_by_hand() {
    let dir = temp_dir("metrics-line-bytes");
    let report = output::execute(&scenario(LINE), &dir).unwrap();
    let bw_table = table(&report.dir, report::BANDWIDTH);
    let bw = rows(&bw_table);
    // Buckets of 1 s: [0, 1 s) is silent, [1 s, 1.5 s) (cut at the end) has
    // everything: 6 syns (408 B), 4 acks (92 + 3·68 = 296 B), 4 ack2s
    // (2·56 + 2·32 = 176 B). Rates divide by the 0.5 s the bucket lasts.
    let got: Vec<[&str; 7]> = bw
        .iter()
        .map(|r| {
            [
                r["start_ns"],
                r["end_ns"],
                r["kind"],
                r["messages"],
                r["bytes"],
                r["messages_per_s"],
                r["bytes_per_s"],
            ]
        })
        .collect();
    let expected: Vec<[&str; 7]> = vec![
        ["0", "1000000000", "syn", "0", "0", "0.000", "0.000"],
        ["0", "1000000000", "ack", "0", "0", "0.000", "0.000"],
        ["0", "1000000000", "ack2", "0", "0", "0.000", "0.000"],
        ["1000000000", "1500000000", "syn", "6", "408", "12.000", "816.000"],
        ["1000000000", "1500000000", "ack", "4", "296", "8.000", "592.000"],
        ["1000000000", "1500000000", "ack2", "4", "176", "8.000", "352.000"],
    ];
    assert_eq!(got, expected);

    // Per node (sent, bytes sent, received, bytes received, dropped), from
    // the exchanges listed at LINE:
    // n0: syns to n1, n2 (the latter dropped); gets n1's syn; acks n1 with
    //     the delta (92), gets n1's empty ack (68); ack2 with the delta (56)
    //     to n1, gets n1's empty ack2 (32).
    // n1: syns to both, gets both; acks both without deltas (2·68), gets
    //     n0's (92) and n2's (68); ack2s: empty to n0 (32), delta to n2
    //     (56); gets n0's (56) and n2's empty one (32).
    // n2: like n0 without any delta, except the ack2 it gets (56).
    let nodes_table = table(&report.dir, report::BANDWIDTH_NODES);
    let nodes = rows(&nodes_table);
    let got: Vec<String> = nodes
        .iter()
        .map(|r| {
            format!(
                "{} {} {} {} {} {} {}",
                r["node"],
                r["kind"],
                r["sent"],
                r["bytes_sent"],
                r["received"],
                r["bytes_received"],
                r["dropped"]
            )
        })
        .collect();
    let expected = [
        "0 syn 2 136 1 68 1",
        "0 ack 1 92 1 68 0",
        "0 ack2 1 56 1 32 0",
        "1 syn 2 136 2 136 0",
        "1 ack 2 136 2 160 0",
        "1 ack2 2 88 2 88 0",
        "2 syn 2 136 1 68 1",
        "2 ack 1 68 1 68 0",
        "2 ack2 1 32 1 56 0",
    ];
    assert_eq!(got, expected);
    // The summary agrees: 880 bytes in all.
    let all = report.summary.messages.last().unwrap();
    assert_eq!((all.kind.as_str(), all.bytes_sent), ("all", 880));
}

/// Two nodes, aligned rounds, write at 100 ms (tests/it/hand.rs): the writer
/// alone is half the cluster at once; the other node holds it at I + 2L.
#[test]
fn half_of_two_nodes_is_the_writer() {
    let s = scenario(
        r#"
        duration = "3s"
        [nodes]
        count = 2
        [gossip]
        phase = "aligned"
        [network]
        latency = { dist = "constant", value = "10ms" }
        [[workload.schedule]]
        at = "100ms"
        node = 0
        [output]
        charts = []
        "#,
    );
    let dir = temp_dir("metrics-two");
    let report = output::execute(&s, &dir).unwrap();
    let w_table = table(&report.dir, report::WRITES);
    let w = rows(&w_table);
    let later = (920 * MS).to_string(); // 1 s + 2·10 ms − 100 ms
    assert_eq!(
        [w[0]["t50_ns"], w[0]["t90_ns"], w[0]["t99_ns"], w[0]["t100_ns"]],
        ["0", later.as_str(), &later, &later]
    );
}

/// Every byte the trace says was sent is in the metrics, per kind, per
/// bucket and per node — on a run with loss, bursts, duplicates, a finite
/// uplink with tail drops, partitions and crashes.
#[test]
fn bandwidth_adds_up_to_the_trace() {
    let mut s = scuttlesim::scenario::load(&shipped("everything.toml"), &[]).unwrap();
    s.output.trace = TraceLevel::Full;
    s.output.charts.clear();
    let dir = temp_dir("metrics-accounting");
    let report = output::execute(&s, &dir).unwrap();
    let file = std::fs::File::open(report.dir.join("trace.jsonl")).unwrap();
    let (_, records) = read_trace(std::io::BufReader::new(file)).unwrap();

    let width = s.output.sample_interval.0;
    // (kind, bucket) -> (messages, bytes); (node, kind) -> [sent, bytes, received, bytes, dropped]
    let mut buckets: BTreeMap<(String, u64), (u64, u64)> = BTreeMap::new();
    let mut nodes: BTreeMap<(u32, String), [u64; 5]> = BTreeMap::new();
    let mut kinds: BTreeMap<String, u64> = BTreeMap::new();
    for r in &records {
        match r {
            Record::Send {
                t, from, kind, bytes, ..
            } => {
                let b = buckets.entry((kind.to_string(), t / width)).or_default();
                b.0 += 1;
                b.1 += *bytes as u64;
                let n = nodes.entry((*from, kind.to_string())).or_default();
                n[0] += 1;
                n[1] += *bytes as u64;
                *kinds.entry(kind.to_string()).or_default() += *bytes as u64;
            }
            Record::Receive { to, kind, bytes, .. } => {
                let n = nodes.entry((*to, kind.to_string())).or_default();
                n[2] += 1;
                n[3] += *bytes as u64;
            }
            Record::Drop { from, kind, .. } => nodes.entry((*from, kind.to_string())).or_default()[4] += 1,
            _ => {}
        }
    }
    assert!(kinds.len() >= 3 && kinds.values().all(|&b| b > 0));
    assert!(nodes.values().any(|n| n[4] > 0), "the run drops messages");

    let bw = table(&report.dir, report::BANDWIDTH);
    let mut from_file: BTreeMap<String, u64> = BTreeMap::new();
    for r in rows(&bw) {
        let start: u64 = r["start_ns"].parse().unwrap();
        let (m, b): (u64, u64) = (r["messages"].parse().unwrap(), r["bytes"].parse().unwrap());
        let want = buckets
            .get(&(r["kind"].to_string(), start / width))
            .copied()
            .unwrap_or_default();
        assert_eq!((m, b), want, "bucket at {start} ns, kind {}", r["kind"]);
        *from_file.entry(r["kind"].to_string()).or_default() += b;
    }
    assert_eq!(from_file, kinds, "bytes per kind");
    for k in &report.summary.messages {
        if k.kind != "all" {
            assert_eq!(k.bytes_sent, kinds[&k.kind], "summary, kind {}", k.kind);
        }
    }

    let per_node = table(&report.dir, report::BANDWIDTH_NODES);
    assert_eq!(per_node.rows.len(), s.nodes.count as usize * kinds.len());
    for r in rows(&per_node) {
        let key = (r["node"].parse::<u32>().unwrap(), r["kind"].to_string());
        let got: [u64; 5] =
            ["sent", "bytes_sent", "received", "bytes_received", "dropped"].map(|c| r[c].parse().unwrap());
        assert_eq!(got, nodes.get(&key).copied().unwrap_or_default(), "node {key:?}");
    }
}

/// Every file starts with the same provenance, which matches the manifest;
/// staleness.csv exists only when sampled, lost_writes.csv lists every policy.
#[test]
fn provenance_and_optional_files() {
    let dir = temp_dir("metrics-provenance");
    let mut s = scuttlesim::scenario::load(&shipped("quickstart.toml"), &[]).unwrap();
    s.nodes.count = 16;
    s.output.charts.clear();
    let report = output::execute(&s, &dir).unwrap();
    let m: serde_json::Value =
        serde_json::from_slice(&std::fs::read(report.dir.join("manifest.json")).unwrap()).unwrap();
    let stamp = format!(
        "# scuttlesim_version: {}\n# scenario: quickstart\n# scenario_hash: {}\n# seed: 42\n# trace_digest: {}\n",
        m["scuttlesim_version"].as_str().unwrap(),
        m["scenario_hash"].as_str().unwrap(),
        m["trace_digest"].as_str().unwrap()
    );
    let mdir = report.dir.join("metrics");
    for f in [
        "writes.csv",
        "informed.csv",
        "bandwidth.csv",
        "bandwidth_nodes.csv",
        "lost_writes.csv",
    ] {
        let text = std::fs::read_to_string(mdir.join(f)).unwrap();
        assert!(
            text.starts_with(&stamp),
            "{f} starts with\n{}",
            &text[..300.min(text.len())]
        );
    }
    assert!(!mdir.join("staleness.csv").exists());
    let lost_table = table(&report.dir, report::LOST_WRITES);
    let lost = rows(&lost_table);
    let policies: Vec<&str> = lost.iter().map(|r| r["policy"]).collect();
    assert_eq!(policies, ["lww-version", "lww-timestamp", "max", "union"]);
    assert!(lost.iter().all(|r| r["lost"] == "0" && r["origin"].is_empty()));

    // The informed curve starts with only the writer informed: 1/16.
    let inf_table = table(&report.dir, report::INFORMED);
    let inf = rows(&inf_table);
    assert_eq!((inf[0]["since_write_ns"], inf[0]["mean"]), ("0", "0.062500"));
    let writes = table(&report.dir, report::WRITES).rows.len().to_string();
    assert_eq!(inf[0]["writes"], writes);

    // A rerun with staleness adds staleness.csv, one row per second until
    // the end; a rerun without removes it again.
    s.output.staleness = true;
    let report = output::execute(&s, &dir).unwrap();
    let st = table(&report.dir, report::STALENESS);
    assert_eq!(st.rows.len() as u64, report.outcome.end.0 / 1_000_000_000);
    assert_eq!(st.columns, ["t_ns", "stale", "max_ns", "mean_ns"]);
    s.output.staleness = false;
    output::execute(&s, &dir).unwrap();
    assert!(!mdir.join("staleness.csv").exists());
}
