//! The metrics files under `metrics/`: values derived by hand on a tiny run,
//! bandwidth that adds up to the trace, provenance on every file.

use crate::support::{scenario, shipped, temp_dir};
use scuttlesim::output;
use scuttlesim::report::{self, Table};
use scuttlesim::scenario::{Scenario, TraceLevel};
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

    // When each node first held it: n0 at the write, n1 at I+20, n2 at I+60.
    let learned_table = table(&report.dir, report::LEARNED);
    assert_eq!(
        learned_table.columns,
        [
            "origin",
            "key",
            "version",
            "write_ns",
            "node",
            "learned_ns",
            "after_ns"
        ]
    );
    let learned: Vec<Vec<&str>> = rows(&learned_table)
        .iter()
        .map(|r| {
            ["origin", "version", "node", "learned_ns", "after_ns"]
                .iter()
                .map(|c| r[c])
                .collect()
        })
        .collect();
    assert_eq!(
        learned,
        [
            ["0", "1", "0", "500000000", "0"],
            ["0", "1", "1", "1020000000", "520000000"],
            ["0", "1", "2", "1060000000", "560000000"],
        ]
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
    // The parts: a header (32) is other; a syn's and an ack's digest is
    // 3·12 = 36 digest bytes; a delta is 16 + 8 = 24 delta bytes. Syns:
    // 6·36 = 216 digest, 6·32 = 192 other; acks: 4·36 = 144 digest, one
    // delta (24), 4·32 = 128 other; ack2s: two deltas (48), 4·32 = 128 other.
    let got: Vec<[&str; 10]> = bw
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
                r["digest_bytes"],
                r["delta_bytes"],
                r["other_bytes"],
            ]
        })
        .collect();
    let expected: Vec<[&str; 10]> = vec![
        [
            "0",
            "1000000000",
            "syn",
            "0",
            "0",
            "0.000",
            "0.000",
            "0",
            "0",
            "0",
        ],
        [
            "0",
            "1000000000",
            "ack",
            "0",
            "0",
            "0.000",
            "0.000",
            "0",
            "0",
            "0",
        ],
        [
            "0",
            "1000000000",
            "ack2",
            "0",
            "0",
            "0.000",
            "0.000",
            "0",
            "0",
            "0",
        ],
        [
            "1000000000",
            "1500000000",
            "syn",
            "6",
            "408",
            "12.000",
            "816.000",
            "216",
            "0",
            "192",
        ],
        [
            "1000000000",
            "1500000000",
            "ack",
            "4",
            "296",
            "8.000",
            "592.000",
            "144",
            "24",
            "128",
        ],
        [
            "1000000000",
            "1500000000",
            "ack2",
            "4",
            "176",
            "8.000",
            "352.000",
            "0",
            "48",
            "128",
        ],
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
    // The last three columns split the bytes sent: digest, delta, other
    // (two syns: 2·36 digest, 2·32 other; n0's ack: 36 + 24 + 32; …).
    let got: Vec<String> = nodes
        .iter()
        .map(|r| {
            format!(
                "{} {} {} {} {} {} {} | {} {} {}",
                r["node"],
                r["kind"],
                r["sent"],
                r["bytes_sent"],
                r["received"],
                r["bytes_received"],
                r["dropped"],
                r["digest_bytes_sent"],
                r["delta_bytes_sent"],
                r["other_bytes_sent"]
            )
        })
        .collect();
    let expected = [
        "0 syn 2 136 1 68 1 | 72 0 64",
        "0 ack 1 92 1 68 0 | 36 24 32",
        "0 ack2 1 56 1 32 0 | 0 24 32",
        "1 syn 2 136 2 136 0 | 72 0 64",
        "1 ack 2 136 2 160 0 | 72 0 64",
        "1 ack2 2 88 2 88 0 | 0 24 64",
        "2 syn 2 136 1 68 1 | 72 0 64",
        "2 ack 1 68 1 68 0 | 36 0 32",
        "2 ack2 1 32 1 56 0 | 0 0 32",
    ];
    assert_eq!(got, expected);
    // The summary agrees: 880 bytes in all.
    let all = report.summary.messages.last().unwrap();
    assert_eq!((all.kind.as_str(), all.bytes_sent), ("all", 880));
}

/// The exchanges of LINE in 25 ms buckets: every node's messages and bytes
/// sent (by send time) and received (by receipt time) per kind and bucket,
/// and the cluster's digest / delta / other split per bucket. Times from the
/// timeline at LINE (I = 1 s = the start of bucket 40):
/// - bucket 40 `[I, I+25)`: the 6 syns (I); the 4 acks (n0's with the delta
///   and n1's at I+10, n1's and n2's at I+20); the ack2s of n0 (delta) and
///   n1 (empty) at I+20. Receipts: n0 gets n1's syn (I+10) and ack (I+20);
///   n1 gets both syns (I+10, I+20) and n0's ack (I+20); n2 gets n1's syn.
/// - bucket 41 `[I+25, I+50)`: the ack2s of n1 (delta, to n2) and n2
///   (empty) at I+40. Receipts: n0 and n1 get the ack2s sent at I+20 (I+30),
///   n1 gets n2's ack and n2 gets n1's ack (I+40).
/// - bucket 42 `[I+50, I+75)`: receipts of the ack2s sent at I+40 (I+60).
#[test]
fn node_series_and_split_in_small_buckets_by_hand() {
    let mut s = scenario(LINE);
    s.output.sample_interval = scuttlesim::time::SimDuration(25 * MS);
    let dir = temp_dir("metrics-line-series");
    let report = output::execute(&s, &dir).unwrap();
    let series_table = table(&report.dir, report::BANDWIDTH_NODES_TIME);
    assert_eq!(
        series_table.columns,
        [
            "start_ns",
            "end_ns",
            "node",
            "kind",
            "sent",
            "bytes_sent",
            "received",
            "bytes_received"
        ]
    );
    let got: Vec<String> = rows(&series_table)
        .iter()
        .map(|r| {
            let start: u64 = r["start_ns"].parse().unwrap();
            let end: u64 = r["end_ns"].parse().unwrap();
            assert_eq!(end - start, 25 * MS);
            format!(
                "{} n{} {} {} {} {} {}",
                start / (25 * MS),
                r["node"],
                r["kind"],
                r["sent"],
                r["bytes_sent"],
                r["received"],
                r["bytes_received"]
            )
        })
        .collect();
    let expected = [
        "40 n0 syn 2 136 1 68",
        "40 n0 ack 1 92 1 68",
        "40 n0 ack2 1 56 0 0",
        "40 n1 syn 2 136 2 136",
        "40 n1 ack 2 136 1 92",
        "40 n1 ack2 1 32 0 0",
        "40 n2 syn 2 136 1 68",
        "40 n2 ack 1 68 0 0",
        "41 n0 ack2 0 0 1 32",
        "41 n1 ack 0 0 1 68",
        "41 n1 ack2 1 56 1 56",
        "41 n2 ack 0 0 1 68",
        "41 n2 ack2 1 32 0 0",
        "42 n1 ack2 0 0 1 32",
        "42 n2 ack2 0 0 1 56",
    ];
    assert_eq!(got, expected);

    // Cluster-wide, per bucket: (kind, messages, bytes, digest, delta, other).
    let bw_table = table(&report.dir, report::BANDWIDTH);
    assert_eq!(bw_table.rows.len(), 60 * 3, "1.5 s in 25 ms buckets, 3 kinds");
    let got: Vec<String> = rows(&bw_table)
        .iter()
        .filter(|r| r["messages"] != "0")
        .map(|r| {
            let start: u64 = r["start_ns"].parse().unwrap();
            format!(
                "{} {} {} {} | {} {} {}",
                start / (25 * MS),
                r["kind"],
                r["messages"],
                r["bytes"],
                r["digest_bytes"],
                r["delta_bytes"],
                r["other_bytes"]
            )
        })
        .collect();
    let expected = [
        "40 syn 6 408 | 216 0 192",
        "40 ack 4 296 | 144 24 128",
        "40 ack2 2 88 | 0 24 64",
        "41 ack2 2 88 | 0 24 64",
    ];
    assert_eq!(got, expected);

    // Asked off, the file is not written (and a rerun removes it).
    s.output.bandwidth_nodes_time = Some(false);
    let report = output::execute(&s, &dir).unwrap();
    assert!(!report
        .dir
        .join("metrics")
        .join(report::BANDWIDTH_NODES_TIME)
        .exists());
}

/// The split of every protocol, from the size model (README): a 32-byte
/// header is other; anti-entropy and rumor messages carry no digest, their
/// entries are deltas (24 bytes with 8-byte values); a `request` is a bare
/// header; rumor feedback (a header and a byte per update) and pings (a
/// header and 8 bytes) are all other.
#[test]
fn every_protocol_splits_its_bytes() {
    for protocol in ["push", "pull", "push-pull", "rumor", "ping"] {
        let s = scenario(&format!(
            r#"
            name = "{protocol}"
            duration = "10s"
            [nodes]
            count = 8
            [gossip]
            protocol = "{protocol}"
            fanout = 2
            {}
            [output]
            charts = []
            "#,
            if protocol == "ping" {
                ""
            } else {
                "[workload]\nwrites = { process = \"poisson\", mean_interval = \"1s\" }"
            }
        ));
        let dir = temp_dir(&format!("metrics-split-{protocol}"));
        let report = output::execute(&s, &dir).unwrap();
        let bw = table(&report.dir, report::BANDWIDTH);
        let mut seen: BTreeMap<String, [u64; 5]> = BTreeMap::new();
        for r in rows(&bw) {
            let v: [u64; 5] = ["messages", "bytes", "digest_bytes", "delta_bytes", "other_bytes"]
                .map(|c| r[c].parse().unwrap());
            let sum = seen.entry(r["kind"].to_string()).or_default();
            for (a, b) in sum.iter_mut().zip(v) {
                *a += b;
            }
        }
        for (kind, [m, bytes, digest, delta, other]) in &seen {
            assert!(*m > 0, "{protocol}: no {kind} sent");
            assert_eq!(digest + delta + other, *bytes, "{protocol} {kind}");
            assert_eq!(*digest, 0, "{protocol} {kind}: no digests");
            match kind.as_str() {
                "state" | "reply" | "rumor" => {
                    assert_eq!(*other, 32 * m, "{protocol} {kind}: headers");
                    assert!(
                        *delta > 0 && delta % 24 == 0,
                        "{protocol} {kind}: {delta} delta bytes"
                    );
                }
                "request" => assert_eq!((*delta, *other), (0, 32 * m), "{protocol} request"),
                "feedback" => {
                    assert_eq!(*delta, 0, "feedback carries no deltas");
                    assert!(*other > 32 * m, "headers and a byte per update");
                }
                "ping" => assert_eq!((*delta, *other), (0, 40 * m), "ping"),
                k => panic!("{protocol}: unexpected kind {k}"),
            }
        }
    }
}

/// Two nodes gossiping in aligned rounds over 10 ms links; node 0 writes
/// once at 100 ms. `output` adds lines to `[output]`.
fn two_nodes(duration: &str, output: &str) -> Scenario {
    scenario(&format!(
        r#"
        duration = "{duration}"
        [nodes]
        count = 2
        [gossip]
        phase = "aligned"
        [network]
        latency = {{ dist = "constant", value = "10ms" }}
        [[workload.schedule]]
        at = "100ms"
        node = 0
        [output]
        {output}
        charts = []
        "#
    ))
}

/// Two nodes, aligned rounds, write at 100 ms (tests/it/hand.rs): the writer
/// alone is half the cluster at once; the other node holds it at I + 2L.
#[test]
fn half_of_two_nodes_is_the_writer() {
    let s = two_nodes("3s", "");
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

/// The same two nodes sampling staleness every second (at 1 s and 2 s of a
/// 2.5 s run): at 1 s node 1 still
/// lacks the write of 0.1 s (it holds it from 1.02 s), one mapping 0.9 s
/// stale; from 2 s none is, so the largest staleness is 0 and the mean,
/// over no mapping, is undefined: an empty field, not 0.
#[test]
fn staleness_without_stale_mappings_has_no_mean() {
    let s = two_nodes("2500ms", "staleness = true");
    let dir = temp_dir("metrics-staleness-mean");
    let report = output::execute(&s, &dir).unwrap();
    let st = table(&report.dir, report::STALENESS);
    assert_eq!(st.columns, ["t_ns", "stale", "max_ns", "mean_ns"]);
    assert_eq!(
        st.rows,
        [
            ["1000000000", "1", "900000000", "900000000"],
            ["2000000000", "0", "0", ""],
        ]
    );
}

/// Every byte the trace says was sent is in the metrics, per kind, per
/// bucket and per node, and every node's traffic per bucket is in
/// `bandwidth_nodes_time.csv` — on a run with loss, bursts, duplicates, a
/// finite uplink with tail drops, partitions and crashes. The digest /
/// delta / other columns add up to the bytes, and follow the size model:
/// with 24 nodes a syn or ack carries 24·12 = 288 digest bytes, every
/// message a 32-byte header, deltas 24 bytes each.
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
    // (bucket, node, kind) -> [sent, bytes, received, bytes]
    let mut cells: BTreeMap<(u64, u32, String), [u64; 4]> = BTreeMap::new();
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
                let c = cells.entry((t / width, *from, kind.to_string())).or_default();
                c[0] += 1;
                c[1] += *bytes as u64;
            }
            Record::Receive {
                t, to, kind, bytes, ..
            } => {
                let n = nodes.entry((*to, kind.to_string())).or_default();
                n[2] += 1;
                n[3] += *bytes as u64;
                let c = cells.entry((t / width, *to, kind.to_string())).or_default();
                c[2] += 1;
                c[3] += *bytes as u64;
            }
            Record::Drop { from, kind, .. } => nodes.entry((*from, kind.to_string())).or_default()[4] += 1,
            _ => {}
        }
    }
    assert!(kinds.len() >= 3 && kinds.values().all(|&b| b > 0));
    assert!(nodes.values().any(|n| n[4] > 0), "the run drops messages");

    // The size model's parts of `m` messages of `kind` with `bytes` bytes:
    // (digest, other), and the delta bytes must be whole deltas.
    let n = s.nodes.count as u64;
    let model = |kind: &str, m: u64, bytes: u64, digest: u64, delta: u64, other: u64| {
        let digest_entries = if kind == "ack2" { 0 } else { n };
        assert_eq!(digest + delta + other, bytes, "{kind}: the parts add up");
        assert_eq!(digest, m * 12 * digest_entries, "{kind}: digest bytes");
        assert_eq!(other, m * 32, "{kind}: one header per message");
        assert_eq!(delta % 24, 0, "{kind}: whole deltas");
        if kind == "syn" {
            assert_eq!(delta, 0, "a syn carries no deltas");
        }
    };
    let bw = table(&report.dir, report::BANDWIDTH);
    let mut from_file: BTreeMap<String, u64> = BTreeMap::new();
    let mut delta_total = 0;
    for r in rows(&bw) {
        let start: u64 = r["start_ns"].parse().unwrap();
        let [m, b, digest, delta, other]: [u64; 5] =
            ["messages", "bytes", "digest_bytes", "delta_bytes", "other_bytes"]
                .map(|c| r[c].parse().unwrap());
        let want = buckets
            .get(&(r["kind"].to_string(), start / width))
            .copied()
            .unwrap_or_default();
        assert_eq!((m, b), want, "bucket at {start} ns, kind {}", r["kind"]);
        model(r["kind"], m, b, digest, delta, other);
        delta_total += delta;
        *from_file.entry(r["kind"].to_string()).or_default() += b;
    }
    assert!(delta_total > 0, "deltas were sent");
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
        let [digest, delta, other]: [u64; 3] =
            ["digest_bytes_sent", "delta_bytes_sent", "other_bytes_sent"].map(|c| r[c].parse().unwrap());
        model(r["kind"], got[0], got[1], digest, delta, other);
    }

    // Every node's traffic per bucket: each (bucket, node, kind) the trace
    // has is a row with its counts, and no other row exists.
    let series = table(&report.dir, report::BANDWIDTH_NODES_TIME);
    let mut from_file: BTreeMap<(u64, u32, String), [u64; 4]> = BTreeMap::new();
    let mut per_node_sums: BTreeMap<(u32, String), [u64; 4]> = BTreeMap::new();
    for r in rows(&series) {
        let start: u64 = r["start_ns"].parse().unwrap();
        assert_eq!(start % width, 0);
        let key = (
            start / width,
            r["node"].parse::<u32>().unwrap(),
            r["kind"].to_string(),
        );
        let got: [u64; 4] =
            ["sent", "bytes_sent", "received", "bytes_received"].map(|c| r[c].parse().unwrap());
        assert_ne!(got, [0; 4], "no empty rows");
        let sums = per_node_sums.entry((key.1, key.2.clone())).or_default();
        for (s, g) in sums.iter_mut().zip(got) {
            *s += g;
        }
        assert!(
            from_file.insert(key, got).is_none(),
            "one row per bucket, node and kind"
        );
    }
    assert_eq!(from_file, cells);
    // Summed over time, the series gives bandwidth_nodes.csv's totals.
    for ((node, kind), sums) in per_node_sums {
        let t = nodes[&(node, kind.clone())];
        assert_eq!(sums, [t[0], t[1], t[2], t[3]], "node {node}, kind {kind}");
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
        "learned.csv",
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

    // learned.csv is written by default for small runs (16 nodes × about
    // 150 writes), and a rerun with `learned = false` removes it.
    assert!(mdir.join("learned.csv").exists());
    s.output.learned = Some(false);
    output::execute(&s, &dir).unwrap();
    assert!(!mdir.join("learned.csv").exists());
}

/// learned.csv against the trace: for every write `(origin, v)` and node,
/// the time of the node's first `version` record for `origin` going from
/// below `v` to `v` or more, or empty when there is none. everything.toml
/// has a lost-state restart, so some nodes forget writes and learn them
/// again; the file keeps the first time. Summed up, the first-held times
/// can only come before the spread times of writes.csv (which count nodes
/// holding the write at once).
#[test]
fn learned_times_match_the_trace() {
    let mut s = scuttlesim::scenario::load(&shipped("everything.toml"), &[]).unwrap();
    s.output.trace = TraceLevel::Versions;
    s.output.charts.clear();
    s.output.learned = Some(true);
    let dir = temp_dir("metrics-learned");
    let report = output::execute(&s, &dir).unwrap();
    let file = std::fs::File::open(report.dir.join("trace.jsonl")).unwrap();
    let (_, records) = read_trace(std::io::BufReader::new(file)).unwrap();

    let n = s.nodes.count;
    // (origin, version) -> (key, write time); every version change in order.
    let mut writes: BTreeMap<(u32, u64), (u32, u64)> = BTreeMap::new();
    let mut changes: Vec<(u64, u32, u32, u64, u64)> = Vec::new();
    let mut forgot = 0;
    for r in &records {
        match *r {
            Record::Write {
                t,
                node,
                key,
                version,
                ..
            } => {
                writes.insert((node, version), (key, t));
            }
            Record::Version {
                t,
                node,
                origin,
                old,
                new,
                ..
            } => {
                forgot += usize::from(new < old);
                changes.push((t, node, origin, old, new));
            }
            _ => {}
        }
    }
    assert!(forgot > 0, "the run has a node that forgets writes");
    let first_held = |origin: u32, v: u64, node: u32| {
        changes
            .iter()
            .find(|c| c.1 == node && c.2 == origin && c.3 < v && v <= c.4)
            .map(|c| c.0)
    };

    let t = table(&report.dir, report::LEARNED);
    let got = rows(&t);
    assert_eq!(got.len(), writes.len() * n as usize, "a row per write and node");
    let mut never = 0;
    let mut per_write: BTreeMap<(u32, u64), Vec<u64>> = BTreeMap::new();
    for r in &got {
        let [origin, node]: [u32; 2] = ["origin", "node"].map(|c| r[c].parse().unwrap());
        let [version, write_ns]: [u64; 2] = ["version", "write_ns"].map(|c| r[c].parse().unwrap());
        let (key, at) = writes[&(origin, version)];
        assert_eq!((r["key"].parse::<u32>().unwrap(), write_ns), (key, at));
        let want = first_held(origin, version, node);
        match want {
            Some(l) => {
                assert_eq!(
                    r["learned_ns"],
                    l.to_string(),
                    "write {origin}/{version}, node {node}"
                );
                assert_eq!(r["after_ns"], (l - at).to_string());
                per_write.entry((origin, version)).or_default().push(l - at);
            }
            None => {
                never += 1;
                assert_eq!((r["learned_ns"], r["after_ns"]), ("", ""));
            }
        }
    }
    assert!(never < got.len() / 2, "most nodes learn most writes");

    // writes.csv's spread times count nodes holding the write at once, so
    // they are never earlier than the matching first-held time.
    for w in rows(&table(&report.dir, report::WRITES)) {
        let key = (w["origin"].parse().unwrap(), w["version"].parse().unwrap());
        let mut after = per_write.get(&key).cloned().unwrap_or_default();
        after.sort_unstable();
        for (p, col) in [(50, "t50_ns"), (100, "t100_ns")] {
            if let Ok(spread) = w[col].parse::<u64>() {
                let need = (p * n as usize).div_ceil(100);
                assert!(after[need - 1] <= spread, "write {key:?}: {col}");
            }
        }
    }
}

/// A size limit leaves a key behind its entry (by hand): node 0 writes key
/// 0 (v1, 0.1 s), key 1 (v2, 0.2 s), key 0 again (v3, 5 s); rounds every
/// 10 s, one delta per message. At 10 s node 1 gets v2 alone (v1 is gone,
/// superseded, and v3 does not fit): its entry is 2 but it holds no version
/// of key 0, which stays stale since v1 (10.9 s old at 11 s) until v3
/// arrives at 20.002 s.
#[test]
fn a_key_behind_its_entry_stays_stale_by_hand() {
    let text = r#"
        duration = "22s"
        [nodes]
        count = 2
        [gossip]
        interval = "10s"
        phase = "aligned"
        mtu = { deltas = 1 }
        [workload]
        keys_per_node = 2
        [[workload.schedule]]
        at = "100ms"
        node = 0
        key = 0
        [[workload.schedule]]
        at = "200ms"
        node = 0
        key = 1
        [[workload.schedule]]
        at = "5s"
        node = 0
        key = 0
        [network]
        latency = { dist = "constant", value = "1ms" }
        [output]
        staleness = true
        "#;
    let (out, _) = crate::support::run_records(&crate::support::scenario(text));
    let at = |t: u64| {
        let s = out
            .metrics
            .staleness()
            .iter()
            .find(|s| s.t_ns == t * 1_000_000_000)
            .unwrap();
        (s.stale, s.max_ns)
    };
    let ms = 1_000_000;
    assert_eq!(at(9), (2, 8_900 * ms), "both keys missing");
    assert_eq!(at(11), (1, 10_900 * ms), "key 0 stale since v1");
    assert_eq!(at(20), (1, 19_900 * ms));
    assert_eq!(at(21), (0, 0), "v3 arrived at 20.002 s");
}

/// `learned.csv` and `bandwidth_nodes_time.csv` are streamed to disk
/// (`report::write_streamed_metrics`), not built whole in memory: the files
/// a run writes are byte for byte the in-memory rendering of the same
/// outcome, every other metrics file is `report::metrics_files`' bytes, and
/// no temporary file stays behind.
#[test]
fn streamed_metrics_equal_the_in_memory_rendering() {
    let mut s = scenario(
        "duration = \"20s\"\nnodes = { count = 40 }\n[workload]\nwrites = { process = \"poisson\", mean_interval = \"300ms\" }\n[network]\nloss = 0.1\n[output]\ntrace = \"off\"\ncharts = []\nlearned = true\nbandwidth_nodes_time = true\n",
    );
    s.seed = 7;
    let dir = temp_dir("metrics-streamed");
    let report = output::execute(&s, &dir).unwrap();
    let (outcome, _) = crate::support::run_records(&s);
    let streamed = report::streamed_files(&s, &outcome);
    let names: Vec<&str> = streamed.iter().map(|f| f.0).collect();
    assert_eq!(names, [report::LEARNED, report::BANDWIDTH_NODES_TIME]);
    let mdir = report.dir.join("metrics");
    for (name, bytes) in streamed.iter().chain(report::metrics_files(&s, &outcome).iter()) {
        let disk = std::fs::read(mdir.join(name)).unwrap();
        assert!(
            disk == *bytes,
            "{name}: {} bytes on disk, {} in memory",
            disk.len(),
            bytes.len()
        );
    }
    // learned.csv: a row per (write, node) after the header.
    let learned = String::from_utf8(streamed[0].1.clone()).unwrap();
    let rows = learned.lines().filter(|l| !l.starts_with('#')).count() - 1;
    assert_eq!(rows, outcome.metrics.write_rows().len() * 40);
    assert!(rows > 40 * 40, "{rows}");
    let mut on_disk: Vec<String> = std::fs::read_dir(&mdir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    on_disk.sort();
    assert!(on_disk.iter().all(|n| !n.contains("tmp")), "{on_disk:?}");
    assert_eq!(
        on_disk.len(),
        streamed.len() + report::metrics_files(&s, &outcome).len()
    );
}
