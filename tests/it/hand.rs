//! Scuttlebutt timings derived by hand on tiny clusters with constant
//! latency and aligned timers (every node's rounds at I, 2I, 3I, …).

use crate::support::{learned_at, run_records, scenario};

const I: u64 = 1_000_000_000; // interval, 1 s
const L: u64 = 10_000_000; // latency, 10 ms

fn cluster(nodes: u32, fanout: u32, write_at: &str) -> String {
    format!(
        r#"
        duration = "10s"
        [nodes]
        count = {nodes}
        [gossip]
        interval = "1s"
        fanout = {fanout}
        phase = "aligned"
        [network]
        latency = {{ dist = "constant", value = "10ms" }}
        [[workload.schedule]]
        at = "{write_at}"
        node = 0
        value = 42
        [output]
        trace = "full"
        "#
    )
}

/// Two nodes, write at node 0 at 100 ms. At I both nodes start a round; node
/// 0's round runs first (lower id, scheduled first). Node 1's syn `[0,0]`
/// reaches node 0 at I+L; node 0 answers with an ack carrying the delta
/// (0, key 0, v1), which reaches node 1 at I+2L. (Node 0's own syn reaches
/// node 1 at I+L too; its ack2 with the same delta arrives later, at I+3L.)
#[test]
fn two_nodes_learn_at_interval_plus_two_latencies() {
    let s = scenario(&cluster(2, 1, "100ms"));
    let (_, records) = run_records(&s);
    let at = learned_at(&records, 0, 1, 2);
    assert_eq!(at[0], Some(100_000_000), "the writer holds its write at once");
    assert_eq!(at[1], Some(I + 2 * L));
}

/// Three nodes, fan-out 2 (everyone contacts everyone each round), write at
/// node 0 at I + 1.5L: after node 0 has already answered the syns of nodes 1
/// and 2 (at I+L, with nothing to send) but before the acks to its own syns
/// come back. Those acks reach node 0 at I+2L carrying digests `[0,0,0]`;
/// node 0 now holds v1, so its ack2s carry the delta and arrive at I+3L.
#[test]
fn three_nodes_write_caught_by_the_ack2_leg() {
    let s = scenario(&cluster(3, 2, "1.015s"));
    let (_, records) = run_records(&s);
    let at = learned_at(&records, 0, 1, 3);
    assert_eq!(at, vec![Some(I + 15 * L / 10), Some(I + 3 * L), Some(I + 3 * L)]);
}

/// Same three nodes, write at I + 4L: the first round's exchanges are all
/// over (the last ack2 lands at I+3L), so the write waits for the round at
/// 2I and arrives, like in the two-node case, at 2I + 2L.
#[test]
fn three_nodes_write_after_a_round_waits_for_the_next() {
    let s = scenario(&cluster(3, 2, "1.04s"));
    let (out, records) = run_records(&s);
    let at = learned_at(&records, 0, 1, 3);
    assert_eq!(
        at,
        vec![Some(I + 4 * L), Some(2 * I + 2 * L), Some(2 * I + 2 * L)]
    );
    // 3 nodes x 2 peers x 3 messages per exchange, rounds at 1..9 s whose
    // exchanges finish before 10 s: 9 rounds.
    assert_eq!(out.messages_sent, 3 * 2 * 3 * 9);
}
