//! Vector clocks over whole runs: they never decrease, and they order every
//! send before its receipt (happens-before follows the messages).

use crate::support::{run_records, scenario};
use scuttlesim::trace::Record;
use scuttlesim::vclock::VectorClock;
use std::collections::BTreeMap;

fn lossy_run(seed: u64) -> Vec<Record> {
    let text = format!(
        r#"
        seed = {seed}
        duration = "20s"
        [nodes]
        count = 12
        [gossip]
        fanout = 2
        [workload]
        keys_per_node = 3
        writes = {{ process = "poisson", mean_interval = "1s" }}
        [network]
        latency = {{ dist = "uniform", low = "1ms", high = "300ms" }}
        loss = 0.1
        [output]
        trace = "full"
        "#
    );
    run_records(&scenario(&text)).1
}

/// Rebuilds every node's clock from the `clock` records and checks that no
/// entry ever decreases, and that each node's own entry rises by exactly one
/// per local event (write, send, receive).
#[test]
fn clocks_never_decrease_over_random_runs() {
    for seed in 1..=5 {
        let records = lossy_run(seed);
        let mut clocks = vec![vec![0u64; 12]; 12];
        let mut own_events = [0u64; 12];
        for r in &records {
            match r {
                Record::Clock { node, set, .. } => {
                    for &(i, v) in set {
                        let old = clocks[*node as usize][i as usize];
                        assert!(v > old, "seed {seed}: node {node} entry {i} went {old} -> {v}");
                        clocks[*node as usize][i as usize] = v;
                    }
                }
                Record::Write { node, .. }
                | Record::Send { from: node, .. }
                | Record::Receive { to: node, .. } => own_events[*node as usize] += 1,
                _ => {}
            }
        }
        for n in 0..12 {
            assert_eq!(
                clocks[n][n], own_events[n],
                "seed {seed}: node {n}'s own entry counts its events"
            );
        }
    }
}

/// The clock a message carries (the sender's after its send tick) happened
/// before the receiver's clock after the receipt.
#[test]
fn every_send_happens_before_its_receipt() {
    let records = lossy_run(9);
    let mut clocks = vec![VectorClock::new(12); 12];
    let mut at_send: BTreeMap<u64, VectorClock> = BTreeMap::new();
    let mut pending_send: Option<u32> = None;
    let mut pending_recv: Option<u64> = None;
    let mut checked = 0;
    for r in &records {
        match r {
            Record::Clock { node, set, .. } => {
                for &(i, v) in set {
                    clocks[*node as usize].0[i as usize] = v;
                }
                if let Some(id) = pending_recv.take() {
                    let sent = &at_send[&id];
                    assert!(sent.happened_before(&clocks[*node as usize]));
                    checked += 1;
                }
                pending_send = Some(*node);
            }
            Record::Send { id, from, .. } => {
                assert_eq!(
                    pending_send,
                    Some(*from),
                    "a send's clock tick precedes its record"
                );
                at_send.insert(*id, clocks[*from as usize].clone());
            }
            Record::Receive { id, .. } => pending_recv = Some(*id),
            _ => {}
        }
    }
    assert!(checked > 1000, "checked {checked}");
}
