//! Without loss, once writes stop every node ends with equal version
//! vectors and the newest version of every key (checked against the write
//! records, not against the protocol's own bookkeeping).

use crate::support::scenario;
use scuttlesim::sim::Simulation;
use scuttlesim::trace::{Record, VecSink};
use std::collections::BTreeMap;

#[test]
fn no_loss_converges_to_the_newest_value_everywhere() {
    for (nodes, fanout, keys, seed) in [(10, 1, 1, 1), (33, 2, 4, 2), (64, 3, 2, 3)] {
        let text = format!(
            r#"
            seed = {seed}
            duration = "60s"
            [nodes]
            count = {nodes}
            [gossip]
            fanout = {fanout}
            [workload]
            keys_per_node = {keys}
            writes = {{ process = "poisson", mean_interval = "3s" }}
            stop_at = "20s"
            [network]
            latency = {{ dist = "uniform", low = "1ms", high = "100ms" }}
            "#
        );
        let s = scenario(&text);
        let mut sim = Simulation::new(&s, s.output.trace);
        let mut sink = VecSink::default();
        let out = sim.run(&mut sink);
        // Newest version per (origin, key) and the newest version per origin,
        // from the write records alone.
        let mut newest: BTreeMap<(u32, u32), u64> = BTreeMap::new();
        let mut max_version = vec![0u64; nodes as usize];
        let mut writes = 0;
        for r in &sink.0 {
            if let Record::Write {
                node, key, version, ..
            } = *r
            {
                let e = newest.entry((node, key)).or_default();
                *e = (*e).max(version);
                max_version[node as usize] = max_version[node as usize].max(version);
                writes += 1;
            }
        }
        assert!(writes > 50, "{writes} writes");
        let replica = sim.replica().unwrap();
        for n in 0..nodes {
            for o in 0..nodes {
                assert_eq!(
                    replica.version(n, o),
                    max_version[o as usize],
                    "node {n} origin {o}"
                );
                for k in 0..keys {
                    let want = newest.get(&(o, k)).copied().unwrap_or(0);
                    assert_eq!(replica.key_version(n, o, k), want, "node {n} key ({o},{k})");
                }
            }
        }
        assert_eq!(out.metrics.convergence().converged, writes);
        assert!(out.metrics.all_converged_at().is_some());
    }
}

#[test]
fn stop_when_converged_ends_at_the_last_convergence() {
    let s = scenario(
        r#"
        duration = "100s"
        stop_when_converged = true
        [nodes]
        count = 30
        [workload]
        writes = { process = "poisson", mean_interval = "5s" }
        stop_at = "10s"
        "#,
    );
    let mut sink = VecSink::default();
    let out = Simulation::new(&s, s.output.trace).run(&mut sink);
    assert!(out.stopped_early);
    assert_eq!(Some(out.end.0), out.metrics.all_converged_at());
    let last_record = sink.0.last().unwrap().time();
    assert_eq!(last_record, out.end.0, "nothing is recorded after the stop");
}
