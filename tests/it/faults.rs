//! The fault menu end to end: partitions and cuts, crashes, skewed clocks
//! and merge policies, checked against the trace and hand-derived outcomes.

use crate::support::{learned_at, run_records, scenario};
use scuttlesim::scenario::Scenario;
use scuttlesim::sim::Simulation;
use scuttlesim::trace::{Record, VecSink};
use std::collections::BTreeMap;

const S: u64 = 1_000_000_000;
const MS: u64 = 1_000_000;

/// Two groups of 8, partitioned from 10 s to 30 s while both write. While
/// the partition holds, no message is received across it; after the heal the
/// cluster converges.
#[test]
fn partition_blocks_across_sides_until_heal_then_converges() {
    let s = scenario(
        r#"
        duration = "80s"
        [nodes]
        count = 16
        groups = { a = 8, b = 8 }
        [gossip]
        fanout = 2
        [workload]
        writes = { process = "poisson", mean_interval = "4s" }
        stop_at = "40s"
        [network]
        latency = { dist = "uniform", low = "5ms", high = "200ms" }
        [[faults]]
        at = "10s"
        partition = [["a"], ["b"]]
        [[faults]]
        at = "30s"
        heal = true
        [output]
        trace = "full"
        "#,
    );
    let (out, records) = run_records(&s);
    let side = |n: u32| n / 8;
    let mut crossed_before = 0;
    let mut dropped = 0;
    for r in &records {
        match *r {
            Record::Receive { t, from, to, .. } if side(from) != side(to) => {
                assert!(
                    !(10 * S..30 * S).contains(&t),
                    "message {from}->{to} crossed the cut at {t}"
                );
                crossed_before += (t < 10 * S) as u32;
            }
            Record::Drop {
                t,
                from,
                to,
                ref reason,
                ..
            } if reason == "partition" => {
                assert!((10 * S..30 * S).contains(&t) && side(from) != side(to));
                dropped += 1;
            }
            _ => {}
        }
    }
    assert!(crossed_before > 10 && dropped > 10, "{crossed_before} {dropped}");
    assert!(
        out.metrics.all_converged_at().is_some(),
        "converges after the heal"
    );
    assert_eq!(out.metrics.last_recovery(), Some(30 * S));

    // The catch-up after the heal, from the trace: the last time a node
    // learned a write made before 30 s, less 30 s. Writes made during the
    // partition must cross it after the heal, so it is not 0.
    let caught_up = records
        .iter()
        .filter_map(|r| match *r {
            Record::Write { t, node, version, .. } if t <= 30 * S => Some((node, version)),
            _ => None,
        })
        .map(|(node, version)| {
            let at = learned_at(&records, node, version, 16);
            at.iter().map(|t| t.expect("every node learns it")).max().unwrap()
        })
        .max()
        .expect("writes before the heal");
    assert!(caught_up > 30 * S, "{caught_up}");
    assert_eq!(out.metrics.converged_after_recovery(), Some(caught_up - 30 * S));
}

/// Two nodes, constant 100 ms latency, aligned rounds at 1 s, 2 s, … A
/// partition at 1.05 s catches both syns of the 1 s round in flight: they
/// are dropped when they arrive at 1.1 s (the README's rule). One-way cut
/// 0 -> 1 from 3 s: node 1's syns still reach node 0, but node 0's acks
/// never come back, so node 1 never learns node 0's write.
#[test]
fn in_flight_messages_are_dropped_at_arrival_and_one_way_cuts_pass_the_other_way() {
    let s = scenario(
        r#"
        duration = "6s"
        [nodes]
        count = 2
        [gossip]
        phase = "aligned"
        [network]
        latency = { dist = "constant", value = "100ms" }
        [[workload.schedule]]
        at = "0.5s"
        node = 0
        [[faults]]
        at = "1.05s"
        name = "p"
        partition = [[0], [1]]
        [[faults]]
        at = "2.5s"
        heal = "p"
        [[faults]]
        at = "3s"
        cut = { from = [0], to = [1] }
        [output]
        trace = "full"
        "#,
    );
    let (_, records) = run_records(&s);
    let drops: Vec<(u64, u32, &str)> = records
        .iter()
        .filter_map(|r| match r {
            Record::Drop { t, from, reason, .. } if *t < 3 * S => Some((*t, *from, reason.as_ref())),
            _ => None,
        })
        .collect();
    // Both syns of the 1 s round (sent before the cut) die on arrival; the
    // round at 2 s is sent while the partition holds and dies at send.
    assert_eq!(
        drops,
        vec![
            (1100 * MS, 0, "partition"),
            (1100 * MS, 1, "partition"),
            (2 * S, 0, "partition"),
            (2 * S, 1, "partition")
        ]
    );
    // From 3 s on, 1 -> 0 passes and 0 -> 1 is cut.
    for r in &records {
        match *r {
            Record::Receive { t, from, .. } if t >= 3 * S => assert_eq!(from, 1),
            _ => {}
        }
    }
    assert!(records
        .iter()
        .any(|r| matches!(r, Record::Receive { t, from: 1, .. } if *t > 3 * S)));
    assert_eq!(
        learned_at(&records, 0, 1, 2)[1],
        None,
        "node 1 never learns node 0's write"
    );
}

/// Node 3 crashes at 20 s with its state lost and restarts at 30 s. It
/// relearns every other node's writes, and its writes after the restart
/// carry generation 1 and reach every peer, although its counter restarted.
#[test]
fn crash_with_lost_state_relearns_and_new_writes_spread() {
    let s = scenario(
        r#"
        duration = "90s"
        [nodes]
        count = 8
        [gossip]
        fanout = 2
        [workload]
        keys_per_node = 2
        writes = { process = "poisson", mean_interval = "3s" }
        stop_at = "60s"
        [[faults]]
        at = "20s"
        crash = 3
        state = "lost"
        restart_after = "10s"
        [output]
        trace = "full"
        "#,
    );
    let mut sim = Simulation::new(&s, s.output.trace);
    let mut sink = VecSink::default();
    let out = sim.run(&mut sink);
    let records = sink.0;
    // While down (20–30 s) node 3 receives nothing and writes nothing.
    for r in &records {
        match *r {
            Record::Receive { t, to: 3, .. } | Record::Write { t, node: 3, .. } => {
                assert!(
                    !(20 * S..30 * S).contains(&t),
                    "node 3 active at {t} while crashed"
                )
            }
            _ => {}
        }
    }
    let resets = records
        .iter()
        .filter(|r| matches!(r, Record::Version { node: 3, new: 0, t, .. } if *t == 20 * S))
        .count();
    assert!(
        resets >= 6,
        "node 3 forgot the other origins at the crash ({resets})"
    );
    let new_writes: Vec<u64> = records
        .iter()
        .filter_map(|r| match r {
            Record::Write {
                node: 3, version, t, ..
            } if *t >= 30 * S => Some(*version),
            _ => None,
        })
        .collect();
    assert!(!new_writes.is_empty());
    assert!(
        new_writes.iter().all(|v| v >> 32 == 1),
        "post-restart writes are generation 1"
    );
    let last = *new_writes.last().unwrap();
    let replica = sim.replica().unwrap();
    for n in 0..8 {
        assert_eq!(
            replica.version(n, 3),
            last,
            "node {n} holds node 3's newest write"
        );
        for o in 0..8 {
            assert_eq!(
                replica.version(n, o),
                replica.version(o, o),
                "node {n} origin {o}"
            );
        }
    }
    assert!(out.metrics.all_converged_at().is_some());
}

/// A lost-state crash before the run's first write: the restart starts a
/// new generation, whose version spreads with no write behind it (this
/// panicked the metrics, which had no per-origin tables yet). Writes made
/// afterwards are counted as usual: each write's convergence time is the
/// last time a node's entry for its origin reached its version, computed
/// here from the records alone.
#[test]
fn a_lost_state_crash_before_any_write_runs_and_counts_later_writes() {
    let s = scenario(
        r#"
        duration = "30s"
        [nodes]
        count = 8
        [gossip]
        fanout = 2
        [workload]
        [[workload.schedule]]
        at = "5s"
        node = 0
        [[workload.schedule]]
        at = "6s"
        node = 3
        [[faults]]
        at = "100ms"
        crash = 3
        state = "lost"
        restart_after = "1s"
        [output]
        trace = "versions"
        learned = true
        staleness = true
        "#,
    );
    let (out, records) = run_records(&s);
    // The new generation spread before any write.
    let first_write = records.iter().find_map(|r| match r {
        Record::Write { t, .. } => Some(*t),
        _ => None,
    });
    assert_eq!(first_write, Some(5 * S));
    assert!(records.iter().any(|r| matches!(
        r,
        Record::Version { t, origin: 3, new, .. } if *t < 5 * S && *new == 1 << 32
    )));
    // Convergence from the records: the last node to reach each version.
    let mut expected = Vec::new();
    for w in &records {
        let Record::Write {
            t: t0,
            node: origin,
            version,
            ..
        } = *w
        else {
            continue;
        };
        let mut first_held = BTreeMap::new();
        for r in &records {
            if let Record::Version {
                t,
                node,
                origin: o,
                new,
                ..
            } = *r
            {
                if o == origin && new >= version && t >= t0 {
                    first_held.entry(node).or_insert(t);
                }
            }
        }
        // The writer holds its write from the write on.
        first_held.insert(origin, t0);
        assert_eq!(
            first_held.len(),
            8,
            "write ({origin}, {version}) reached every node"
        );
        expected.push(first_held.values().max().unwrap() - t0);
    }
    let mut got = out.metrics.convergence_times();
    got.sort_unstable();
    expected.sort_unstable();
    assert_eq!(got, expected);
}

/// Two nodes sharing one key: node 0 (clock `offset` fast) writes 100 at
/// 1 s, node 1 writes 50 at `second_write`; merge `policy`.
pub(crate) fn skew(offset: &str, second_write: &str, policy: &str) -> String {
    format!(
        r#"
        duration = "20s"
        [nodes]
        count = 2
        [gossip]
        phase = "aligned"
        merge = "{policy}"
        [workload]
        shared_keys = 1
        [[workload.schedule]]
        at = "1s"
        node = 0
        value = 100
        [[workload.schedule]]
        at = "{second_write}"
        node = 1
        value = 50
        [[clock.nodes]]
        node = 0
        offset = "{offset}"
        "#
    )
}

/// Lost writes by policy name.
fn lost(s: &str) -> BTreeMap<String, u64> {
    let (out, _) = run_records(&scenario(s));
    out.lost_writes
        .iter()
        .map(|l| (l.policy.clone(), l.count))
        .collect()
}

/// Node 0's clock is 10 s fast. It writes 100 at true 1 s (stamped 11 s);
/// node 1 writes 50 at true 5 s (stamped 5 s) — the true last write.
/// lww-timestamp keeps 100 (11 s > 5 s): node 1's write is lost. Both
/// writes are version 1, so lww-version breaks the tie to origin 1: kept.
/// max keeps 100: lost. union keeps both: kept.
#[test]
fn skewed_writer_loses_exactly_the_predicted_write() {
    let got = lost(&skew("10s", "5s", "lww-timestamp"));
    let want = [("lww-timestamp", 1), ("lww-version", 0), ("max", 1), ("union", 0)];
    assert_eq!(got, want.iter().map(|(p, c)| (p.to_string(), *c)).collect());
}

/// `lww-version` compares the writers' own counters, not generations: node 0
/// restarts with lost state at 3 s, so its write at 4 s is `1:1` (its
/// counter is 1) and node 1's second write at `last_1` has counter 2. Node 1's write,
/// the key's last, is kept (it was lost when `1:1` outranked every version
/// of the other nodes); if node 0 writes last instead, its counter 1 loses
/// to node 1's counter 2, as a writer whose counter started over would.
#[test]
fn a_restarted_writer_does_not_outrank_the_others_under_lww_version() {
    let text = |last_0: &str, last_1: &str| {
        format!(
            r#"
            duration = "12s"
            [nodes]
            count = 3
            [gossip]
            interval = "500ms"
            [workload]
            shared_keys = 1
            [[workload.schedule]]
            at = "1s"
            node = 1
            value = 10
            [[workload.schedule]]
            at = "{last_0}"
            node = 0
            value = 100
            [[workload.schedule]]
            at = "{last_1}"
            node = 1
            value = 200
            [[faults]]
            at = "2s"
            crash = 0
            state = "lost"
            restart_after = "1s"
            "#
        )
    };
    let got = lost(&text("4s", "6s"));
    assert_eq!(got["lww-version"], 0, "node 1's write at 6 s is read: {got:?}");
    let got = lost(&text("7s", "6s"));
    assert_eq!(
        got["lww-version"], 1,
        "node 0's write at 7 s has the smaller counter: {got:?}"
    );
    // The other policies do not read versions: lww-timestamp keeps the last write.
    assert_eq!(got["lww-timestamp"], 0, "{got:?}");
}

/// Without skew the true last write also has the largest timestamp.
#[test]
fn no_skew_lww_timestamp_loses_nothing() {
    let got = lost(&skew("0s", "5s", "lww-timestamp"));
    assert_eq!(got["lww-timestamp"], 0);
    let mut lww_version_lost = 0;
    for seed in 1..=5 {
        let text = format!(
            r#"
            seed = {seed}
            duration = "60s"
            [nodes]
            count = 12
            [gossip]
            merge = "lww-timestamp"
            [workload]
            shared_keys = 3
            writes = {{ process = "poisson", mean_interval = "2s" }}
            stop_at = "30s"
            "#
        );
        let by = lost(&text);
        assert_eq!(by["lww-timestamp"], 0, "seed {seed}");
        assert_eq!(by["union"], 0, "seed {seed}: union never loses");
        lww_version_lost += by["lww-version"];
    }
    // lww-version compares per-writer counters, so with 12 writers of 3
    // keys the true last write often has a smaller version than some other
    // writer's: it must lose writes somewhere in five runs.
    assert!(lww_version_lost > 0);
}

/// One writer writing a shared key twice at one instant: its second write
/// replaced its first (later version, and the vector clocks say the first
/// happened before it), so no policy loses anything; two writers at one
/// instant are concurrent, and union keeps both.
#[test]
fn one_writers_writes_at_one_instant_are_ordered() {
    let text = |second_node: u32| {
        format!(
            r#"
            duration = "3s"
            [nodes]
            count = 2
            [gossip]
            phase = "aligned"
            merge = "union"
            [workload]
            shared_keys = 1
            [[workload.schedule]]
            at = "1.5s"
            node = 0
            value = 5
            [[workload.schedule]]
            at = "1.5s"
            node = {second_node}
            value = 6
            "#
        )
    };
    let got = lost(&text(0));
    assert!(got.values().all(|&c| c == 0), "{got:?}");
    let got = lost(&text(1));
    assert_eq!(got["union"], 0, "{got:?}");
    // lww-version: both are version 1, the tie goes to origin 1 (value 6).
    assert_eq!(got["lww-version"], 1, "{got:?}");
}

/// The 1 s round runs before the write at 1 s (rounds are scheduled
/// first): node 0's syn (sent before its write) reaches node 1 at 1.01 s,
/// and node 0's ack to node 1's syn — sent at 1.01 s, after the write —
/// reaches node 1 at 1.02 s. So a write by node 1 at 1.015 s has not seen
/// node 0's write (concurrent); one at 5 s happened after it.
#[test]
fn vector_clocks_count_concurrent_writes() {
    let (out, _) = run_records(&scenario(&skew("0s", "1.015s", "union")));
    assert_eq!(out.concurrent_writes, Some(1));
    let (out, _) = run_records(&scenario(&skew("0s", "5s", "union")));
    assert_eq!(out.concurrent_writes, Some(0));
}

/// The concurrent pairs counted against a brute force over whole clocks:
/// each write's vector clock rebuilt from the `clock` records of a full
/// trace, and every two writes to one key compared entry by entry. Loss,
/// duplication and a lost-state restart shuffle the causal order.
#[test]
fn concurrent_write_pairs_match_a_brute_force_over_the_trace() {
    for seed in 1..=3 {
        let text = format!(
            r#"
            seed = {seed}
            duration = "20s"
            [nodes]
            count = 9
            [gossip]
            interval = "500ms"
            merge = "union"
            [workload]
            shared_keys = 3
            writes = {{ process = "poisson", mean_interval = "1s" }}
            [network]
            loss = 0.2
            duplicate = 0.1
            [[faults]]
            at = "5s"
            crash = 4
            state = "lost"
            restart_after = "2s"
            [output]
            trace = "full"
            "#
        );
        let (out, records) = run_records(&scenario(&text));
        let mut clock = vec![vec![0u64; 9]; 9];
        let mut pending: Option<(u32, u32)> = None;
        let mut writes: Vec<(u32, Vec<u64>)> = Vec::new();
        for r in &records {
            match r {
                Record::Write { node, key, .. } => pending = Some((*node, *key)),
                Record::Clock { node, set, .. } => {
                    for &(i, v) in set {
                        clock[*node as usize][i as usize] = v;
                    }
                    if let Some((n, key)) = pending.take() {
                        assert_eq!(n, *node, "a write's tick follows it");
                        writes.push((key, clock[n as usize].clone()));
                    }
                }
                _ => {}
            }
        }
        assert!(writes.len() > 100, "{}", writes.len());
        let le = |a: &[u64], b: &[u64]| a.iter().zip(b).all(|(x, y)| x <= y);
        let mut pairs = 0;
        for (i, (ka, a)) in writes.iter().enumerate() {
            for (kb, b) in &writes[..i] {
                if ka == kb && !le(a, b) && !le(b, a) {
                    pairs += 1;
                }
            }
        }
        assert!(pairs > 0, "seed {seed}");
        assert_eq!(out.concurrent_writes, Some(pairs), "seed {seed}");
    }
}

/// A clock step backwards by 2 s at 10.5 s delays node 0's next round by
/// 2 s of true time: its rounds were at 10 s and would be at 11 s; the
/// timer (set in local time) now fires at 13 s.
#[test]
fn a_clock_step_moves_the_timer() {
    let records = two_aligned_nodes(
        "15s",
        "[[faults]]\nat = \"10.5s\"\nclock_step = { node = 0, by = \"-2s\" }",
    );
    let syns_from_0: Vec<u64> = records
        .iter()
        .filter_map(|r| match r {
            Record::Send { t, from: 0, kind, .. } if kind == "syn" && *t >= 9 * S => Some(*t / MS),
            _ => None,
        })
        .collect();
    assert_eq!(syns_from_0, vec![9000, 10000, 13000, 14000]);
    let lt_after: Vec<u64> = records
        .iter()
        .filter_map(|r| match r {
            Record::Send { t, lt, from: 0, .. } if *t == 13 * S => Some(*lt),
            _ => None,
        })
        .collect();
    assert_eq!(lt_after, vec![11 * S]);
}

/// The records of a `full` run of two nodes gossiping every second at
/// aligned times over a 1 ms network, for `duration`, with `extra` TOML
/// (faults, clocks) appended.
fn two_aligned_nodes(duration: &str, extra: &str) -> Vec<Record> {
    let s = scenario(&format!(
        "duration = \"{duration}\"\n[nodes]\ncount = 2\n[gossip]\nphase = \"aligned\"\n\
         [network]\nlatency = {{ dist = \"constant\", value = \"1ms\" }}\n[output]\ntrace = \"full\"\n{extra}"
    ));
    run_records(&s).1
}

/// The true times (ms) of node `node`'s syns from `from` s on.
fn syn_times(records: &[Record], node: u32, from: u64) -> Vec<u64> {
    records
        .iter()
        .filter_map(|r| match r {
            Record::Send { t, from: f, kind, .. } if *f == node && kind == "syn" && *t >= from * S => {
                Some(*t / MS)
            }
            _ => None,
        })
        .collect()
}

/// A clock offset shifts what a node's clock reads, not when its rounds
/// come: with aligned phases every node's first round is one interval
/// after the start of the run, whether its clock is ahead, behind or far
/// ahead (an hour: before, the timer started at local time 0 and ran the
/// 3,600 rounds it had "missed" at once; a clock behind sat silent).
#[test]
fn a_clock_offset_does_not_move_the_rounds() {
    for offset in ["5s", "-5s", "1h", "-300ms", "0s"] {
        let records = two_aligned_nodes(
            "4.5s",
            &format!("[[clock.nodes]]\nnode = 0\noffset = \"{offset}\""),
        );
        for node in [0, 1] {
            assert_eq!(
                syn_times(&records, node, 0),
                vec![1000, 2000, 3000, 4000],
                "node {node}, node 0's offset {offset}"
            );
        }
    }
}

/// A clock step forward by 20 s at 3.5 s jumps over node 0's round due at
/// local 4 s: the timer fires once, at the step, and the next round is the
/// first one due after the new reading, in the same phase (local 24 s, true
/// 4 s), not the twenty rounds the clock jumped over.
#[test]
fn a_clock_step_forward_fires_one_round() {
    let records = two_aligned_nodes(
        "6.5s",
        "[[faults]]\nat = \"3.5s\"\nclock_step = { node = 0, by = \"20s\" }",
    );
    assert_eq!(
        syn_times(&records, 0, 0),
        vec![1000, 2000, 3000, 3500, 4000, 5000, 6000]
    );
    assert_eq!(
        syn_times(&records, 1, 0),
        vec![1000, 2000, 3000, 4000, 5000, 6000]
    );
}

/// A one-way degradation 0 -> 1 of +100 ms from 2.5 s for 3 s: node 0's
/// syns of the 3 s, 4 s and 5 s rounds take 110 ms, node 1's take 10 ms;
/// from the 6 s round on, both take 10 ms again.
#[test]
fn degradation_adds_latency_for_its_window_only() {
    let s = scenario(
        r#"
        duration = "8s"
        [nodes]
        count = 2
        [gossip]
        phase = "aligned"
        [network]
        latency = { dist = "constant", value = "10ms" }
        [[faults]]
        at = "2.5s"
        degrade = { from = [0], to = [1], extra_latency = "100ms", for = "3s", bidirectional = false }
        [output]
        trace = "full"
        "#,
    );
    let (_, records) = run_records(&s);
    let mut sent = BTreeMap::new();
    let mut delays = Vec::new();
    for r in &records {
        match r {
            Record::Send { id, t, kind, .. } if kind == "syn" => {
                sent.insert(*id, *t);
            }
            Record::Receive {
                id, t, from, kind, ..
            } if kind == "syn" => {
                delays.push((sent[id] / S, *from, (t - sent[id]) / MS));
            }
            _ => {}
        }
    }
    let want: Vec<(u64, u32, u64)> = (1..=7)
        .flat_map(|round| {
            let slow = (3..=5).contains(&round);
            [(round, 0, if slow { 110 } else { 10 }), (round, 1, 10)]
        })
        .collect();
    delays.sort();
    assert_eq!(delays, want);
}

/// The time every version vector is last made equal, computed from the
/// `version` records alone: each node's entry per origin, replayed.
fn vectors_equal_since(records: &[Record], nodes: usize) -> Option<u64> {
    let mut entry = vec![vec![0u64; nodes]; nodes];
    let mut since = Some(0);
    for r in records {
        if let Record::Version {
            t, node, origin, new, ..
        } = *r
        {
            entry[node as usize][origin as usize] = new;
            let equal = entry.iter().all(|e| e == &entry[0]);
            since = match (equal, since) {
                (true, None) => Some(t),
                (true, s) => s,
                (false, _) => None,
            };
        }
    }
    since
}

/// Six nodes, node 0 writing once at 1 s, node 5 crashing with lost state
/// at `crash_at` and restarting 1 s later; a `versions` trace.
fn one_write_and_a_lost_restart(duration: &str, crash_at: &str, stop_when_converged: bool) -> Scenario {
    scenario(&format!(
        r#"
        duration = "{duration}"
        stop_when_converged = {stop_when_converged}
        [nodes]
        count = 6
        [[workload.schedule]]
        at = "1s"
        node = 0
        [[faults]]
        at = "{crash_at}"
        crash = 5
        state = "lost"
        restart_after = "1s"
        [output]
        trace = "versions"
        "#
    ))
}

/// A lost-state restart after the last write gives its node a new
/// generation with no write behind it (`1:0`). Every write is held
/// everywhere before the generation has spread, but the version vectors
/// are equal only once it has: the run's convergence time is the latter,
/// as computed from the records alone.
#[test]
fn vectors_are_equal_only_once_a_bare_generation_has_spread() {
    let s = one_write_and_a_lost_restart("30s", "10s", false);
    let (out, records) = run_records(&s);
    let equal = vectors_equal_since(&records, 6).expect("the vectors end equal");
    // The generation reached the last node after the write did.
    let gen_last = records
        .iter()
        .filter_map(|r| match *r {
            Record::Version {
                t, origin: 5, new, ..
            } if new == 1 << 32 => Some(t),
            _ => None,
        })
        .max()
        .unwrap();
    assert_eq!(equal, gen_last);
    assert_eq!(out.metrics.all_converged_at(), Some(equal));
}

/// `stop_when_converged` waits for the faults still to come: converged
/// long before a lost-state crash at 20 s, the run still takes the crash,
/// and ends only once the vectors are equal again (from the records).
#[test]
fn stop_when_converged_waits_for_the_last_fault() {
    let s = one_write_and_a_lost_restart("60s", "20s", true);
    let (out, records) = run_records(&s);
    assert!(out.stopped_early);
    let faults = records
        .iter()
        .filter(|r| matches!(r, Record::Fault { .. }))
        .count();
    assert_eq!(faults, 2, "the crash and the restart");
    let equal = vectors_equal_since(&records, 6).expect("the vectors end equal");
    assert!(equal > 21 * S, "{equal}");
    assert_eq!(out.end.0, equal, "ends at the first instant they are equal");
    // A restart after the end never comes, and does not keep the run
    // going: the run ends once the vectors are equal after the crash.
    let text = r#"
        duration = "60s"
        stop_when_converged = true
        [nodes]
        count = 6
        [[workload.schedule]]
        at = "1s"
        node = 0
        [[faults]]
        at = "5s"
        crash = 5
        restart_after = "100s"
        [output]
        trace = "versions"
        "#;
    let (out, records) = run_records(&scenario(text));
    let faults = records
        .iter()
        .filter(|r| matches!(r, Record::Fault { .. }))
        .count();
    assert_eq!(faults, 1, "the crash only");
    assert!(out.stopped_early && out.end.0 < 10 * S, "{:?}", out.end);
}

/// Rumor mongering spreads writes only, never a lost-state restart's bare
/// generation: its runs converge when every write is held everywhere (from
/// the records), and `stop_when_converged` ends them then. (`k = 8`: the
/// rumor reaches all 16 nodes; with the default some are left out.)
#[test]
fn rumor_converges_on_its_writes_after_a_lost_state_restart() {
    let s = scenario(
        r#"
        duration = "120s"
        stop_when_converged = true
        [nodes]
        count = 16
        [gossip]
        protocol = "rumor"
        rumor = { k = 8 }
        [[workload.schedule]]
        at = "5s"
        node = 0
        [[faults]]
        at = "1s"
        crash = 3
        state = "lost"
        restart_after = "1s"
        [output]
        trace = "versions"
        "#,
    );
    let (out, records) = run_records(&s);
    let version = records
        .iter()
        .find_map(|r| match *r {
            Record::Write { version, .. } => Some(version),
            _ => None,
        })
        .unwrap();
    let mut first_held = BTreeMap::new();
    first_held.insert(0u32, 5 * S);
    for r in &records {
        if let Record::Version {
            t,
            node,
            origin: 0,
            new,
            ..
        } = *r
        {
            if new >= version {
                first_held.entry(node).or_insert(t);
            }
        }
    }
    assert_eq!(first_held.len(), 16, "the write reached every node");
    let full = *first_held.values().max().unwrap();
    assert!(
        vectors_equal_since(&records, 16).is_none(),
        "node 3's generation never spreads"
    );
    assert_eq!(out.metrics.all_converged_at(), Some(full));
    assert!(out.stopped_early && out.end.0 == full, "{:?}", out.end);
}

/// A write due on a node that is down is not made, and the run says so:
/// node 2 is down from 1 s to 4 s, so of its writes at 0.5, 2 and 3 s and
/// 5 s the two in between are skipped (no `write` record), and the
/// summary counts them.
#[test]
fn writes_due_on_a_down_node_are_counted_as_skipped() {
    let mut text = String::from(
        r#"
        duration = "8s"
        [nodes]
        count = 4
        [[faults]]
        at = "1s"
        crash = 2
        restart_after = "3s"
        [output]
        trace = "versions"
        "#,
    );
    for at in ["500ms", "2s", "3s", "5s"] {
        text.push_str(&format!("\n[[workload.schedule]]\nat = \"{at}\"\nnode = 2\n"));
    }
    let (out, records) = run_records(&scenario(&text));
    let made: Vec<u64> = records
        .iter()
        .filter_map(|r| match *r {
            Record::Write { t, .. } => Some(t),
            _ => None,
        })
        .collect();
    assert_eq!(made, vec![500 * MS, 5 * S]);
    assert_eq!(out.writes_skipped_down, 2);
    let summary = scuttlesim::summary::Summary::new(&scenario(&text), &out);
    assert!(summary
        .render_text()
        .contains("writes skipped 2 (their node was down)"));
}

/// Under a size limit of one delta per message, a lost-state restart's new
/// generation still reaches every key of every peer. Node 0 writes its four
/// keys, crashes with its state lost at 8 s and restarts at 9 s: each key
/// of its new generation travels as its own delta, so the peers need
/// several exchanges, and the run may count as converged only once every
/// peer holds node 0's keys exactly as node 0 does (all empty, at the new
/// generation). All four old writes are lost (hand count: nothing rewrites
/// them). Before the fix the four keys shared one version, one delta
/// raised a peer's entry to it, and the other three keys kept their old
/// values for good while the run said "converged" with one write lost.
#[test]
fn a_new_generation_spreads_every_key_under_a_size_limit() {
    let mut text = String::from(
        r#"
        duration = "30s"
        stop_when_converged = true
        [nodes]
        count = 3
        [gossip]
        interval = "1s"
        phase = "aligned"
        mtu = { deltas = 1 }
        [workload]
        keys_per_node = 4
        [network]
        latency = { dist = "constant", value = "10ms" }
        [[faults]]
        at = "8s"
        crash = 0
        state = "lost"
        restart_after = "1s"
        [output]
        trace = "versions"
        "#,
    );
    for key in 0..4 {
        text += &format!(
            "[[workload.schedule]]\nat = \"{}ms\"\nnode = 0\nkey = {key}\n",
            100 * (key + 1)
        );
    }
    let s = scenario(&text);
    let mut sim = Simulation::new(&s, s.output.trace);
    let mut sink = VecSink::default();
    let out = sim.run(&mut sink);
    let replica = sim.replica().unwrap();
    for n in 1..3 {
        for key in 0..4 {
            assert_eq!(
                replica.key_version(n, 0, key),
                replica.key_version(0, 0, key),
                "node {n} holds node 0's key {key} as node 0 does"
            );
        }
        assert_eq!(replica.version(n, 0), replica.version(0, 0), "node {n}");
    }
    assert!(replica.version(0, 0) >> 32 == 1, "node 0 is in generation 1");
    let lost: u64 = out.lost_writes.iter().map(|l| l.count).max().unwrap();
    assert_eq!(lost, 4, "every write node 0 made before the crash is lost");
    // The generation reached each peer in more than one message: the
    // peers' entries for node 0 rose in several steps after the restart.
    let rises = sink
        .0
        .iter()
        .filter(|r| matches!(r, Record::Version { node: 1, origin: 0, new, .. } if new >> 32 == 1))
        .count();
    assert!(rises >= 2, "{rises} rises at node 1");
    assert!(out.metrics.all_converged_at().is_some());
}
