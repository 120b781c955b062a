//! Property tests under random fault schedules (a seeded generator over the
//! project's own RNG, no extra dependency): random small scenarios — 2 to 20
//! nodes, Scuttlebutt (with MTU, orders, flow control) or full-state push,
//! pull and push-pull, random latency distributions, loss, duplication,
//! uplinks, clocks and workloads — with random partitions, cuts, isolations,
//! crashes (state kept or lost, with and without restart), degradations and
//! clock steps, which END with everything healed and every crashed node restarted,
//! then a quiet period.
//!
//! Checked on every case, from the full trace and the final state:
//! - the cluster converged: every version vector equal, and every key at
//!   the newest version the write records give it (rumor mongering promises
//!   no convergence and is left out);
//! - version-vector entries never decrease, except the documented
//!   lost-state resets (`cause: "restart"`), and each record's `old` is the
//!   entry's current value;
//! - vector-clock entries never decrease;
//! - every received delta was sent: a `version` record caused by message M
//!   follows the receipt of M at that node, and raises origin o's entry to
//!   at most what M's sender held for o when it sent M;
//! - no message is delivered to a crashed node, and none crosses an active
//!   partition, cut or isolation.
//!
//! A failing case prints its seed and its scenario as TOML (saved to a file
//! that `scuttlesim run` replays). `SCUTTLESIM_PROPTEST_CASES` (default 40)
//! and `SCUTTLESIM_PROPTEST_SEED` (default 1) choose the cases.

use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use scuttlesim::scenario::{self, Format, Scenario, TraceLevel};
use scuttlesim::sim::Simulation;
use scuttlesim::trace::{Cause, LocalCause, Record, VecSink};
use std::collections::BTreeMap;
use std::fmt::Write;

/// A generated fault, as the trackers need to know it.
#[derive(Clone, Debug)]
enum Gen {
    /// `side_of[node]`: the side a node is in, if any.
    Partition {
        name: Option<String>,
        side_of: Vec<Option<usize>>,
    },
    /// A random split: sides unknown to the test.
    RandomHalves {
        name: Option<String>,
    },
    Cut {
        name: Option<String>,
        from: Vec<u32>,
        to: Vec<u32>,
    },
    Isolate {
        name: Option<String>,
        node: u32,
    },
    HealAll,
    HealNamed(String),
    Crash,
    Restart,
    Other,
}

/// A generated case: the scenario text and what the trackers need.
struct Case {
    seed: u64,
    toml: String,
    faults: Vec<Gen>,
    /// Whether the protocol promises convergence.
    converges: bool,
}

fn ms(x: u64) -> String {
    format!("\"{x}ms\"")
}

fn latency(rng: &mut ChaCha8Rng) -> String {
    let base = rng.random_range(1..80u64);
    match rng.random_range(0..7) {
        0 => format!("{{ dist = \"constant\", value = {} }}", ms(base)),
        1 => format!(
            "{{ dist = \"uniform\", low = {}, high = {} }}",
            ms(base),
            ms(base + rng.random_range(0..100u64))
        ),
        2 => format!(
            "{{ dist = \"normal\", mean = {}, std = {} }}",
            ms(base),
            ms(base / 2 + 1)
        ),
        3 => format!("{{ dist = \"exponential\", mean = {} }}", ms(base)),
        4 => format!(
            "{{ dist = \"lognormal\", median = {}, sigma = {:.2} }}",
            ms(base),
            rng.random_range(0.0..1.5)
        ),
        5 => format!(
            "{{ dist = \"pareto\", scale = {}, shape = {:.2} }}",
            ms(base),
            rng.random_range(1.2..4.0)
        ),
        _ => format!(
            "{{ dist = \"empirical\", quantiles = [[0.0, {}], [0.5, {}], [1.0, {}]] }}",
            ms(base),
            ms(base * 2),
            ms(base * 5)
        ),
    }
}

fn node_list(nodes: &[u32]) -> String {
    let v: Vec<String> = nodes.iter().map(|n| n.to_string()).collect();
    format!("[{}]", v.join(", "))
}

/// A random non-empty subset of `0..n`.
fn subset(rng: &mut ChaCha8Rng, n: u32) -> Vec<u32> {
    let mut v: Vec<u32> = (0..n).filter(|_| rng.random_bool(0.4)).collect();
    if v.is_empty() {
        v.push(rng.random_range(0..n));
    }
    v
}

/// Generates case `seed`.
fn generate(seed: u64) -> Case {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let n: u32 = rng.random_range(2..=20);
    let protocol = *["scuttlebutt", "scuttlebutt", "push", "pull", "push-pull"]
        .choose(&mut rng)
        .expect("non-empty");
    let interval_ms = rng.random_range(200..=2000u64);
    let fanout = rng.random_range(1..=(n - 1).min(3));
    let value_bytes = rng.random_range(1..=64u32);
    let shared = rng.random_bool(0.3);
    let keys = rng.random_range(1..=4u32);
    let mut t = String::new();
    let w = &mut t;
    let writes_until_ms = rng.random_range(3_000..=25_000u64);
    // Faults happen before `heal_ms`; then everything heals and restarts.
    let heal_ms = writes_until_ms + rng.random_range(1_000..=15_000u64);
    let quiet_ms = 150 * interval_ms + 20_000;
    let duration_ms = heal_ms + quiet_ms;
    writeln!(
        w,
        "name = \"prop-{seed}\"\nseed = {seed}\nduration = {}",
        ms(duration_ms)
    )
    .unwrap();
    writeln!(w, "\n[nodes]\ncount = {n}").unwrap();
    writeln!(
        w,
        "\n[gossip]\nprotocol = \"{protocol}\"\ninterval = {}\nfanout = {fanout}\nphase = \"{}\"\nvalue_bytes = {value_bytes}",
        ms(interval_ms),
        if rng.random_bool(0.5) { "random" } else { "aligned" }
    )
    .unwrap();
    if shared {
        let merge = ["lww-version", "lww-timestamp", "max", "union"]
            .choose(&mut rng)
            .expect("non-empty");
        writeln!(w, "merge = \"{merge}\"").unwrap();
    }
    if protocol == "scuttlebutt" && rng.random_bool(0.5) {
        // A limit that always fits the header, a whole digest and some deltas,
        // so every exchange makes progress.
        if rng.random_bool(0.5) {
            let mtu = 32 + 12 * n + 8 + (16 + value_bytes) * rng.random_range(1..=6u32);
            writeln!(w, "mtu = {mtu}").unwrap();
        } else {
            writeln!(w, "mtu = {{ deltas = {} }}", rng.random_range(1..=8u32)).unwrap();
        }
        let order = [
            "precise-oldest",
            "precise-newest",
            "scuttle-breadth",
            "scuttle-depth",
        ]
        .choose(&mut rng)
        .expect("non-empty");
        writeln!(w, "order = \"{order}\"").unwrap();
        if rng.random_bool(0.4) {
            writeln!(
                w,
                "flow_control = {{ initial_rate = 2.0, min_rate = 1.0, max_rate = 50.0, increase = 0.5, decrease = 0.5 }}"
            )
            .unwrap();
        }
    }
    writeln!(w, "\n[workload]").unwrap();
    if shared {
        writeln!(w, "shared_keys = {keys}").unwrap();
    } else {
        writeln!(w, "keys_per_node = {keys}").unwrap();
    }
    writeln!(
        w,
        "writes = {{ process = \"poisson\", mean_interval = {} }}\nstop_at = {}",
        ms(rng.random_range(300..=5_000u64)),
        ms(writes_until_ms)
    )
    .unwrap();
    if rng.random_bool(0.3) {
        writeln!(w, "writers = {}", node_list(&subset(&mut rng, n))).unwrap();
    }
    for _ in 0..rng.random_range(0..3) {
        writeln!(
            w,
            "[[workload.schedule]]\nat = {}\nnode = {}\nkey = {}\nvalue = {}",
            ms(rng.random_range(0..writes_until_ms)),
            rng.random_range(0..n),
            rng.random_range(0..keys),
            rng.random_range(0..1000u32)
        )
        .unwrap();
    }
    writeln!(w, "\n[network]\nlatency = {}", latency(&mut rng)).unwrap();
    writeln!(w, "loss = {:.3}", rng.random_range(0.0..0.3)).unwrap();
    if rng.random_bool(0.3) {
        writeln!(
            w,
            "burst_loss = {{ p_good_to_bad = {:.3}, p_bad_to_good = {:.3} }}",
            rng.random_range(0.01..0.2),
            rng.random_range(0.2..0.9)
        )
        .unwrap();
    }
    if rng.random_bool(0.3) {
        writeln!(w, "duplicate = {:.3}", rng.random_range(0.0..0.1)).unwrap();
    }
    if rng.random_bool(0.3) {
        writeln!(
            w,
            "uplink_bytes_per_s = {}",
            rng.random_range(20_000..=1_000_000u64)
        )
        .unwrap();
        if rng.random_bool(0.5) {
            writeln!(w, "queue_limit_bytes = {}", rng.random_range(64_000..=500_000u64)).unwrap();
        }
    }
    if rng.random_bool(0.4) {
        writeln!(
            w,
            "\n[clock]\noffset = {{ dist = \"uniform\", low = \"-500ms\", high = \"500ms\" }}\ndrift_ppm = {{ dist = \"uniform\", low = -200, high = 200 }}"
        )
        .unwrap();
    }

    // Faults at random times before the heal; degradations end before it.
    let mut faults = Vec::new();
    let mut names: Vec<String> = Vec::new();
    let mut any_lost = false;
    let mut crashed = std::collections::BTreeSet::new();
    let mut down_spans: std::collections::BTreeMap<u32, Vec<(u64, u64)>> = Default::default();
    for i in 0..rng.random_range(0..=7) {
        let at = rng.random_range(0..heal_ms - 500);
        let name = rng.random_bool(0.5).then(|| format!("f{i}"));
        let name_line = name
            .as_ref()
            .map(|nm| format!("name = \"{nm}\"\n"))
            .unwrap_or_default();
        writeln!(w, "\n[[faults]]\nat = {}", ms(at)).unwrap();
        let kind = rng.random_range(0..8);
        let g = match kind {
            0 if n >= 2 => {
                let mut side_of = vec![None; n as usize];
                let sides = rng.random_range(2..=3usize.min(n as usize));
                let mut lists = vec![Vec::new(); sides];
                for (node, slot) in side_of.iter_mut().enumerate() {
                    // Some nodes in no side (connected to everyone).
                    if rng.random_bool(0.85) {
                        let s = rng.random_range(0..sides);
                        *slot = Some(s);
                        lists[s].push(node as u32);
                    }
                }
                if lists.iter().any(Vec::is_empty) {
                    // Keep every side non-empty: move one node per empty side.
                    for s in 0..sides {
                        if lists[s].is_empty() {
                            let node = s as u32 % n;
                            if let Some(old) = side_of[node as usize] {
                                lists[old].retain(|&x| x != node);
                            }
                            side_of[node as usize] = Some(s);
                            lists[s].push(node);
                        }
                    }
                }
                if lists.iter().any(Vec::is_empty) {
                    writeln!(w, "isolate = 0").unwrap();
                    Gen::Isolate { name: None, node: 0 }
                } else {
                    let text: Vec<String> = lists.iter().map(|l| node_list(l)).collect();
                    writeln!(w, "{name_line}partition = [{}]", text.join(", ")).unwrap();
                    Gen::Partition {
                        name: name.clone(),
                        side_of,
                    }
                }
            }
            1 => {
                writeln!(w, "{name_line}partition = \"random-halves\"").unwrap();
                Gen::RandomHalves { name: name.clone() }
            }
            2 => {
                let mut from = subset(&mut rng, n);
                // A cut's sides share no node (refused otherwise).
                let mut to: Vec<u32> = subset(&mut rng, n)
                    .into_iter()
                    .filter(|x| !from.contains(x))
                    .collect();
                if to.is_empty() {
                    match (0..n).find(|x| !from.contains(x)) {
                        Some(x) => to.push(x),
                        None => to.extend(from.pop()),
                    }
                }
                writeln!(
                    w,
                    "{name_line}cut = {{ from = {}, to = {} }}",
                    node_list(&from),
                    node_list(&to)
                )
                .unwrap();
                Gen::Cut {
                    name: name.clone(),
                    from,
                    to,
                }
            }
            3 => {
                let node = rng.random_range(0..n);
                writeln!(w, "{name_line}isolate = {node}").unwrap();
                Gen::Isolate {
                    name: name.clone(),
                    node,
                }
            }
            4 | 5 => {
                let node = rng.random_range(0..n);
                let lost = rng.random_bool(0.5);
                let after = rng.random_bool(0.5).then(|| rng.random_range(100..=10_000u64));
                // Down from the crash to its restart (or the heal's), ends
                // included: a crash of a node already down is refused.
                let span = (at, after.map_or(heal_ms, |a| at + a));
                let down = down_spans.entry(node).or_default();
                if down.iter().any(|&(a, b)| span.0 <= b && a <= span.1) {
                    writeln!(w, "{name_line}isolate = {node}").unwrap();
                    Gen::Isolate {
                        name: name.clone(),
                        node,
                    }
                } else {
                    down.push(span);
                    any_lost |= lost;
                    crashed.insert(node);
                    writeln!(
                        w,
                        "crash = {node}\nstate = \"{}\"",
                        if lost { "lost" } else { "kept" }
                    )
                    .unwrap();
                    if let Some(a) = after {
                        writeln!(w, "restart_after = {}", ms(a)).unwrap();
                    }
                    Gen::Crash
                }
            }
            6 => {
                let from = subset(&mut rng, n);
                let to = subset(&mut rng, n);
                let dur = rng.random_range(100..=(heal_ms - at).max(101));
                writeln!(
                    w,
                    "degrade = {{ from = {}, to = {}, extra_latency = {}, loss = {:.2}, for = {} }}",
                    node_list(&from),
                    node_list(&to),
                    ms(rng.random_range(0..500u64)),
                    rng.random_range(0.0..0.9),
                    ms(dur)
                )
                .unwrap();
                Gen::Other
            }
            _ => {
                let by = rng.random_range(-2_000i64..=2_000);
                writeln!(
                    w,
                    "clock_step = {{ node = {}, by = \"{by}ms\" }}",
                    rng.random_range(0..n)
                )
                .unwrap();
                Gen::Other
            }
        };
        // Sometimes heal a named cut early (only after it in time).
        if let Some(nm) = &name {
            if matches!(
                g,
                Gen::Partition { .. } | Gen::RandomHalves { .. } | Gen::Cut { .. } | Gen::Isolate { .. }
            ) {
                names.push(nm.clone());
            }
        }
        faults.push((at, g));
    }
    // Named heals, later than their cut.
    let mut extra = Vec::new();
    for (at, g) in &faults {
        let name = match g {
            Gen::Partition { name, .. }
            | Gen::RandomHalves { name }
            | Gen::Cut { name, .. }
            | Gen::Isolate { name, .. } => name.clone(),
            _ => None,
        };
        if let Some(nm) = name {
            if rng.random_bool(0.5) && *at + 1 < heal_ms - 300 {
                let when = rng.random_range(*at + 1..heal_ms - 300);
                writeln!(w, "\n[[faults]]\nat = {}\nheal = \"{nm}\"", ms(when)).unwrap();
                extra.push((when, Gen::HealNamed(nm)));
            }
        }
    }
    let mut gens: Vec<Gen> = faults.into_iter().map(|f| f.1).collect();
    gens.extend(extra.into_iter().map(|f| f.1));
    // The end of every fault: heal everything, restart every node that
    // crashed (a restart needs an earlier crash).
    writeln!(w, "\n[[faults]]\nat = {}\nheal = true", ms(heal_ms)).unwrap();
    gens.push(Gen::HealAll);
    for &node in &crashed {
        writeln!(w, "\n[[faults]]\nat = {}\nrestart = {node}", ms(heal_ms)).unwrap();
        gens.push(Gen::Restart);
    }
    if any_lost {
        // A node that lost its state forgot its own writes; each node writes
        // every key once after the restarts, so that "the newest value" of
        // every key is one the cluster can still spread.
        for node in 0..n {
            for key in 0..keys {
                writeln!(
                    w,
                    "\n[[workload.schedule]]\nat = {}\nnode = {node}\nkey = {key}\nvalue = {}",
                    ms(heal_ms + 1 + node as u64),
                    7000 + key
                )
                .unwrap();
            }
        }
    }
    writeln!(w, "\n[output]\ntrace = \"full\"").unwrap();
    Case {
        seed,
        toml: t,
        faults: gens,
        converges: true,
    }
}

/// Where a failing case's scenario is saved for `scuttlesim run`.
fn save(case: &Case) -> String {
    let dir = std::env::temp_dir().join("scuttlesim-proptest");
    let _ = std::fs::create_dir_all(&dir);
    let path = dir.join(format!("prop-{}.toml", case.seed));
    let _ = std::fs::write(&path, &case.toml);
    path.display().to_string()
}

/// An active cut, as the trace says it came into force.
#[derive(Clone, Debug)]
struct Active {
    name: Option<String>,
    gen: Gen,
}

impl Active {
    /// Whether `from -> to` is blocked; `None`: unknown (a random split).
    fn blocks(&self, from: u32, to: u32) -> Option<bool> {
        Some(match &self.gen {
            Gen::Partition { side_of, .. } => match (side_of[from as usize], side_of[to as usize]) {
                (Some(a), Some(b)) => a != b,
                _ => false,
            },
            Gen::RandomHalves { .. } => return None,
            Gen::Cut { from: f, to: t, .. } => f.contains(&from) && t.contains(&to),
            Gen::Isolate { node, .. } => *node == from || *node == to,
            _ => false,
        })
    }
}

/// Checks every trace invariant; the first violation as text.
fn check_records(case: &Case, s: &Scenario, records: &[Record]) -> Result<(), String> {
    let n = s.nodes.count as usize;
    let mut vv = vec![0u64; n * n];
    let mut vc = vec![0u64; n * n];
    let mut up = vec![true; n];
    let mut cuts: Vec<Active> = Vec::new();
    // Message id -> (sender, sender's vector when it sent).
    let mut sent: BTreeMap<u64, (u32, Vec<u64>)> = BTreeMap::new();
    // Message id -> (receiver, time) of its receipts.
    let mut received: BTreeMap<u64, Vec<(u32, u64)>> = BTreeMap::new();
    for (i, r) in records.iter().enumerate() {
        let at = |what: String| format!("record {i} ({r:?}): {what}");
        match r {
            Record::Version {
                t,
                node,
                origin,
                old,
                new,
                cause,
                ..
            } => {
                let slot = *node as usize * n + *origin as usize;
                if vv[slot] != *old {
                    return Err(at(format!("old {old} but the entry was {}", vv[slot])));
                }
                let reset = *cause == Cause::Local(LocalCause::Restart);
                if new <= old && !(reset && *new == 0) {
                    return Err(at("a version-vector entry did not increase".into()));
                }
                if let Cause::Message(id) = cause {
                    let Some((from, held)) = sent.get(id) else {
                        return Err(at(format!("caused by message {id}, which was never sent")));
                    };
                    if !received
                        .get(id)
                        .is_some_and(|v| v.iter().any(|&(to, rt)| to == *node && rt == *t))
                    {
                        return Err(at(format!(
                            "caused by message {id}, not received by node {node} at this time"
                        )));
                    }
                    if *new > held[*origin as usize] {
                        return Err(at(format!(
                            "raised to {new}, but the sender n{from} held only {} of origin {origin} when it sent message {id}",
                            held[*origin as usize]
                        )));
                    }
                }
                vv[slot] = *new;
            }
            Record::Clock { node, set, .. } => {
                for &(idx, v) in set {
                    let slot = *node as usize * n + idx as usize;
                    if v <= vc[slot] {
                        return Err(at(format!(
                            "vector clock entry {idx} went from {} to {v}",
                            vc[slot]
                        )));
                    }
                    vc[slot] = v;
                }
            }
            Record::Send { id, from, .. } => {
                let row = *from as usize * n;
                sent.insert(*id, (*from, vv[row..row + n].to_vec()));
            }
            Record::Receive { t, id, from, to, .. } => {
                if !up[*to as usize] {
                    return Err(at(format!("message {id} delivered to crashed node {to}")));
                }
                for c in &cuts {
                    if c.blocks(*from, *to) == Some(true) {
                        return Err(at(format!(
                            "message {id} {from} -> {to} crossed an active cut {:?}",
                            c.gen
                        )));
                    }
                }
                if !sent.contains_key(id) {
                    return Err(at(format!("message {id} received but never sent")));
                }
                received.entry(*id).or_default().push((*to, *t));
            }
            Record::Fault { fault, action, .. } => {
                let g = &case.faults[*fault as usize];
                match (action.as_ref(), g) {
                    ("crash", _) => {
                        let node = s.faults[*fault as usize].crash.expect("a crash fault");
                        up[node as usize] = false;
                    }
                    ("restart", _) => {
                        let f = &s.faults[*fault as usize];
                        let node = f.restart.or(f.crash).expect("a restart or crash fault");
                        up[node as usize] = true;
                    }
                    (_, Gen::HealAll) => cuts.clear(),
                    (_, Gen::HealNamed(nm)) => cuts.retain(|c| c.name.as_deref() != Some(nm)),
                    (
                        _,
                        Gen::Partition { name, .. }
                        | Gen::RandomHalves { name }
                        | Gen::Cut { name, .. }
                        | Gen::Isolate { name, .. },
                    ) => cuts.push(Active {
                        name: name.clone(),
                        gen: g.clone(),
                    }),
                    _ => {}
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// After the quiet period: every version vector equal, every key at the
/// newest version its write records give it.
fn check_converged(s: &Scenario, sim: &Simulation, records: &[Record]) -> Result<(), String> {
    let n = s.nodes.count;
    let keys = s.workload.key_count();
    let mut newest: BTreeMap<(u32, u32), u64> = BTreeMap::new();
    for r in records {
        if let Record::Write {
            node, key, version, ..
        } = *r
        {
            let e = newest.entry((node, key)).or_default();
            *e = (*e).max(version);
        }
    }
    let replica = sim.replica().ok_or("no replicated state")?;
    for o in 0..n {
        let want = replica.version(0, o);
        for node in 1..n {
            let got = replica.version(node, o);
            if got != want {
                return Err(format!(
                    "version vectors differ: node 0 holds {want} of origin {o}, node {node} holds {got}"
                ));
            }
        }
        for k in 0..keys {
            let want = newest.get(&(o, k)).copied().unwrap_or(0);
            for node in 0..n {
                let got = replica.key_version(node, o, k);
                if got != want {
                    return Err(format!(
                        "node {node} holds version {got} of key ({o}, {k}); the newest write is {want}"
                    ));
                }
            }
        }
    }
    Ok(())
}

/// What the cases exercised, so a generator that stopped generating
/// anything interesting fails loudly.
#[derive(Debug, Default)]
struct Seen {
    writes: u64,
    receives: u64,
    deltas_by_message: u64,
    crashes: u64,
    resets: u64,
    cut_drops: u64,
    crash_drops: u64,
}

fn run_case(case: &Case, seen: &mut Seen) -> Result<(), String> {
    let s = scenario::parse_str(&case.toml, Format::Toml, "prop.toml", "prop", &[])
        .map_err(|e| format!("generated scenario rejected: {e}"))?;
    let mut sim = Simulation::new(&s, TraceLevel::Full);
    let mut sink = VecSink::default();
    sim.run(&mut sink);
    for r in &sink.0 {
        match r {
            Record::Write { .. } => seen.writes += 1,
            Record::Receive { .. } => seen.receives += 1,
            Record::Version {
                cause: Cause::Message(_),
                ..
            } => seen.deltas_by_message += 1,
            Record::Version {
                cause: Cause::Local(LocalCause::Restart),
                ..
            } => seen.resets += 1,
            Record::Fault { action, .. } if action == "crash" => seen.crashes += 1,
            Record::Drop { reason, .. } if reason == "partition" => seen.cut_drops += 1,
            Record::Drop { reason, .. } if reason == "crash" => seen.crash_drops += 1,
            _ => {}
        }
    }
    check_records(case, &s, &sink.0)?;
    if case.converges {
        check_converged(&s, &sim, &sink.0)?;
    }
    Ok(())
}

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[test]
fn random_fault_schedules_converge_and_keep_the_invariants() {
    let cases = env_u64("SCUTTLESIM_PROPTEST_CASES", 40);
    let first = env_u64("SCUTTLESIM_PROPTEST_SEED", 1);
    let mut failures = Vec::new();
    let mut seen = Seen::default();
    for seed in first..first + cases {
        let case = generate(seed);
        if let Err(e) = run_case(&case, &mut seen) {
            let path = save(&case);
            eprintln!(
                "property failed for seed {seed}: {e}\nscenario ({path}; replay: scuttlesim run {path}):\n{}",
                case.toml
            );
            failures.push(seed);
        }
    }
    eprintln!("{cases} cases: {seen:?}");
    if cases >= 20 {
        assert!(
            seen.writes > 20 * cases && seen.receives > 1000 * cases,
            "{seen:?}"
        );
        assert!(seen.deltas_by_message > 100 * cases, "{seen:?}");
        assert!(seen.crashes > 5 && seen.resets > 5, "{seen:?}");
        assert!(seen.cut_drops > 50 && seen.crash_drops > 5, "{seen:?}");
    }
    assert!(
        failures.is_empty(),
        "properties failed for seeds {failures:?} (SCUTTLESIM_PROPTEST_SEED=<seed> SCUTTLESIM_PROPTEST_CASES=1 reruns one)"
    );
}

#[test]
fn the_generator_makes_valid_varied_scenarios() {
    let mut protocols = std::collections::BTreeSet::new();
    let mut lost = 0;
    for seed in 1..200 {
        let case = generate(seed);
        let s = scenario::parse_str(&case.toml, Format::Toml, "prop.toml", "prop", &[])
            .unwrap_or_else(|e| panic!("seed {seed}: {e}\n{}", case.toml));
        protocols.insert(format!("{:?}", s.gossip.protocol));
        lost += s
            .faults
            .iter()
            .filter(|f| f.state == Some(scenario::CrashState::Lost))
            .count();
        assert!(!case.faults.is_empty() && case.converges);
    }
    assert_eq!(protocols.len(), 4, "{protocols:?}");
    assert!(lost > 20, "{lost} lost-state crashes");
}

/// The checkers are not vacuous: doctored traces and states fail them.
#[test]
fn the_checkers_catch_doctored_traces() {
    // A case with crashes, cuts and deltas (seed chosen by looking).
    let case = (1..200)
        .map(generate)
        .find(|c| {
            c.faults.iter().any(|g| matches!(g, Gen::Partition { .. }))
                && c.faults.iter().filter(|g| matches!(g, Gen::Crash)).count() >= 1
        })
        .expect("a case with a partition and a crash");
    let s = scenario::parse_str(&case.toml, Format::Toml, "prop.toml", "prop", &[]).unwrap();
    let mut sim = Simulation::new(&s, TraceLevel::Full);
    let mut sink = VecSink::default();
    sim.run(&mut sink);
    let records = sink.0;
    check_records(&case, &s, &records).unwrap();
    check_converged(&s, &sim, &records).unwrap();

    // A delta beyond what its sender held.
    let mut bad = records.clone();
    let i = bad
        .iter()
        .position(|r| {
            matches!(
                r,
                Record::Version {
                    cause: Cause::Message(_),
                    ..
                }
            )
        })
        .unwrap();
    if let Record::Version { new, .. } = &mut bad[i] {
        *new += 1 << 40;
    }
    let e = check_records(&case, &s, &bad).unwrap_err();
    assert!(e.contains("held only"), "{e}");

    // A decrease that is not a restart.
    let mut bad = records.clone();
    if let Record::Version { old, new, .. } = &mut bad[i] {
        std::mem::swap(old, new);
    }
    assert!(check_records(&case, &s, &bad).is_err());

    // A delivery to a crashed node.
    let crash = records
        .iter()
        .position(|r| matches!(r, Record::Fault { action, .. } if action == "crash"))
        .unwrap();
    let Record::Fault { fault, t, .. } = &records[crash] else {
        unreachable!()
    };
    let node = s.faults[*fault as usize].crash.unwrap();
    let (id, from) = records
        .iter()
        .find_map(|r| match r {
            Record::Send { id, from, .. } => Some((*id, *from)),
            _ => None,
        })
        .unwrap();
    let mut bad = records.clone();
    bad.insert(
        crash + 1,
        Record::Receive {
            t: *t,
            lt: *t,
            id,
            from,
            to: node,
            kind: "syn".into(),
            bytes: 1,
        },
    );
    let e = check_records(&case, &s, &bad).unwrap_err();
    assert!(e.contains("crashed node"), "{e}");

    // A message across an active partition.
    let (at, side_of) = records
        .iter()
        .enumerate()
        .find_map(|(i, r)| match r {
            Record::Fault { fault, .. } => match &case.faults[*fault as usize] {
                Gen::Partition { side_of, .. } => Some((i, side_of.clone())),
                _ => None,
            },
            _ => None,
        })
        .unwrap();
    let a = side_of.iter().position(|x| *x == Some(0)).unwrap() as u32;
    let b = side_of.iter().position(|x| *x == Some(1)).unwrap() as u32;
    let mut bad = records.clone();
    bad.insert(
        at + 1,
        Record::Receive {
            t: records[at].time(),
            lt: 0,
            id,
            from: a,
            to: b,
            kind: "syn".into(),
            bytes: 1,
        },
    );
    let e = check_records(&case, &s, &bad).unwrap_err();
    assert!(
        e.contains("crossed an active cut") || e.contains("crashed node"),
        "{e}"
    );

    // A newer write than the cluster holds.
    let mut bad = records.clone();
    let w = bad
        .iter()
        .position(|r| matches!(r, Record::Write { .. }))
        .unwrap();
    if let Record::Write { version, .. } = &mut bad[w] {
        *version += 1 << 40;
    }
    let e = check_converged(&s, &sim, &bad).unwrap_err();
    assert!(e.contains("the newest write is"), "{e}");
}

/// Found by these properties: after a lost-state crash, a node that writes
/// nothing in its new generation left the cluster unconverged with
/// `keys_per_node > 1`: its own vector entry was at the new generation
/// (`1 << 32`) while its peers kept its old counter, and no exchange
/// reconciled them (its digest entry was "newer", but it held no key to
/// send). Its own keys are now held at the new generation's first
/// version, so they go out as deltas, as the one key does with one key
/// per origin (replacing the peers' last real value: a lost write).
#[test]
fn lost_state_without_a_later_write_reconverges() {
    let text = r#"
        duration = "120s"
        [nodes]
        count = 4
        [workload]
        keys_per_node = 2
        writes = { process = "poisson", mean_interval = "1s" }
        stop_at = "4s"
        [[faults]]
        at = "5s"
        crash = 1
        state = "lost"
        restart_after = "1s"
    "#;
    let s = scenario::parse_str(text, Format::Toml, "lost.toml", "lost", &[]).unwrap();
    let mut sim = Simulation::new(&s, TraceLevel::Versions);
    sim.run(&mut VecSink::default());
    let r = sim.replica().unwrap();
    for node in 1..4 {
        assert_eq!(
            r.version(node, 1),
            r.version(0, 1),
            "node {node}'s entry for origin 1"
        );
    }
}
