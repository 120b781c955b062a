//! Every class of bad scenario is rejected with one clear error that names
//! the field (and the line where it can be found).

use crate::support::scenario_error;
use scuttlesim::scenario::{parse_str, Format};

const BASE: &str = r#"
duration = "10s"
[nodes]
count = 4
[gossip]
fanout = 1
interval = "1s"
[workload]
keys_per_node = 1
writes = { process = "poisson", mean_interval = "1s" }
[network]
loss = 0.0
"#;

/// Replaces `from` in the base scenario and returns the error text.
fn with(from: &str, to: &str) -> String {
    assert!(BASE.contains(from), "{from}");
    scenario_error(&BASE.replacen(from, to, 1))
}

/// The error of the JSON scenario `text` (file `t.json`).
fn json_error(text: &str) -> String {
    parse_str(text, Format::Json, "t.json", "t", &[])
        .unwrap_err()
        .to_string()
}

fn assert_names(err: &str, field: &str, line: Option<usize>) {
    assert!(err.starts_with("test.toml"), "{err}");
    assert!(
        err.contains(&format!("`{field}`")),
        "expected field {field} in: {err}"
    );
    if let Some(l) = line {
        assert!(
            err.contains(&format!("test.toml:{l}:")),
            "expected line {l} in: {err}"
        );
    }
}

#[test]
fn zero_nodes() {
    let e = with("count = 4", "count = 0");
    assert_names(&e, "nodes.count", Some(4));
    assert!(e.contains("at least 2"), "{e}");
}

#[test]
fn fanout_not_below_node_count() {
    let e = with("fanout = 1", "fanout = 4");
    assert_names(&e, "gossip.fanout", Some(6));
    assert!(e.contains("between 1 and nodes.count - 1 = 3"), "{e}");
    assert_names(&with("fanout = 1", "fanout = 0"), "gossip.fanout", Some(6));
}

#[test]
fn loss_outside_unit_interval() {
    for bad in ["1.5", "-0.1"] {
        let e = with("loss = 0.0", &format!("loss = {bad}"));
        assert_names(&e, "network.loss", Some(12));
        assert!(e.contains("[0, 1]"), "{e}");
    }
}

#[test]
fn zero_interval_and_zero_duration() {
    assert_names(
        &with("interval = \"1s\"", "interval = \"0s\""),
        "gossip.interval",
        Some(7),
    );
    assert_names(
        &with("duration = \"10s\"", "duration = \"0ms\""),
        "duration",
        Some(2),
    );
}

#[test]
fn negative_or_malformed_durations() {
    // Near the end of u64 nanoseconds a round past the end overflowed (a
    // panic): a run is at most 100 years, and a longer round is fine.
    let e = with("duration = \"10s\"", "duration = \"5124095h\"");
    assert_names(&e, "duration", Some(2));
    assert!(e.contains("at most 3155760000s"), "{e}");
    // 20 nodes, first rounds uniform over 5,000,000 h: some within the
    // 876,000 h run, whose next round would pass u64::MAX ns (5,124,095 h).
    let long_round = BASE
        .replacen("duration = \"10s\"", "duration = \"876000h\"", 1)
        .replacen("count = 4", "count = 20", 1)
        .replacen("interval = \"1s\"", "interval = \"5000000h\"", 1)
        .replacen(
            "writes = { process = \"poisson\", mean_interval = \"1s\" }",
            "",
            1,
        )
        + "[output]\nsample_interval = \"100000h\"\n";
    let s = parse_str(&long_round, Format::Toml, "t.toml", "t", &[]).unwrap();
    scuttlesim::sim::Simulation::new(&s, s.output.trace).run(&mut scuttlesim::trace::VecSink::default());
    let e = with("interval = \"1s\"", "interval = \"-1s\"");
    assert_names(&e, "gossip.interval", Some(7));
    assert!(e.contains("e.g. \"250ms\""), "{e}");
    assert_names(
        &with("duration = \"10s\"", "duration = \"10 parsecs\""),
        "duration",
        Some(2),
    );
    assert_names(&with("duration = \"10s\"", "duration = 10"), "duration", Some(2));
}

#[test]
fn write_to_a_node_that_does_not_exist() {
    let text = format!("{BASE}\n[[workload.schedule]]\nat = \"1s\"\nnode = 9\n");
    let e = scenario_error(&text);
    assert_names(&e, "workload.schedule[0].node", Some(16));
    assert!(e.contains("node 9 does not exist"), "{e}");
    let e = with("keys_per_node = 1", "keys_per_node = 1\nwriters = [0, 7]");
    assert_names(&e, "workload.writers[1]", None);
}

#[test]
fn zero_keys_with_writes() {
    let e = with("keys_per_node = 1", "keys_per_node = 0");
    assert_names(&e, "workload.keys_per_node", Some(9));
}

#[test]
fn unknown_fields_are_rejected() {
    let e = with("fanout = 1", "fanout = 1\nfanot = 2");
    assert_names(&e, "gossip.fanot", Some(7));
    assert!(e.contains("unknown field `fanot`"), "{e}");
}

#[test]
fn wrong_types_and_syntax() {
    let e = with("count = 4", "count = \"four\"");
    assert_names(&e, "nodes.count", Some(4));
    let e = with("count = 4", "count = = 4");
    assert!(e.starts_with("test.toml:4:"), "{e}");
    let e = with(
        "writes = { process = \"poisson\", mean_interval = \"1s\" }",
        "writes = { process = \"zipf\" }",
    );
    assert_names(&e, "workload.writes.process", Some(10));
}

#[test]
fn json_errors_have_lines_too() {
    let text = "{\n  \"duration\": \"10s\",\n  \"nodes\": { \"count\": 1 }\n}";
    let e = parse_str(text, Format::Json, "x.json", "x", &[])
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("x.json:3:"), "{e}");
    assert!(e.contains("`nodes.count`"), "{e}");
    let text = "{\n  \"duration\": \"10s\",\n  \"nodes\": { \"cuont\": 4 }\n}";
    let e = parse_str(text, Format::Json, "x.json", "x", &[])
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("unknown field `cuont`") && e.starts_with("x.json:3:"),
        "{e}"
    );
}

#[test]
fn overrides_are_validated_too() {
    let e = parse_str(BASE, Format::Toml, "t.toml", "t", &["gossip.fanout=9".into()]).unwrap_err();
    // The bad value came from --set, not from a line of the file.
    assert_eq!(e.location, None, "{e}");
    let e = e.to_string();
    assert!(
        e.contains("`gossip.fanout`") && e.contains("with --set gossip.fanout=9"),
        "{e}"
    );
    let e = parse_str(
        BASE,
        Format::Toml,
        "t.toml",
        "t",
        &["workload.writers=[0,99]".into()],
    )
    .unwrap_err();
    assert_eq!(e.location, None, "{e}");
    assert!(
        e.to_string().contains("with --set workload.writers=[0,99]"),
        "{e}"
    );
    let e = parse_str(BASE, Format::Toml, "t.toml", "t", &["nodes.count=abc".into()])
        .unwrap_err()
        .to_string();
    assert!(e.contains("--set") && e.contains("nodes.count"), "{e}");
    let e = parse_str(BASE, Format::Toml, "t.toml", "t", &["no-equals".into()])
        .unwrap_err()
        .to_string();
    assert!(e.contains("path=value"), "{e}");
}

/// `--set` reaches fields by dotted paths, not elements of lists.
#[test]
fn overrides_cannot_reach_into_lists() {
    let set = |text: &str, o: &str| {
        parse_str(text, Format::Toml, "t.toml", "t", &[o.to_string()])
            .unwrap_err()
            .to_string()
    };
    let e = set(BASE, "faults[0].at=1s");
    assert!(
        e.contains("`faults[0]` is an element of a list, and --set cannot set one")
            && e.contains("in the scenario file, or replace the whole list"),
        "{e}"
    );
    assert!(!e.contains("unknown field"), "{e}");
    let with_fault = format!("{BASE}[[faults]]\nat = \"2s\"\ncrash = 1\n");
    let e = set(&with_fault, "faults.0.at=1s");
    assert!(
        e.contains("`faults` is a list, and its elements cannot be set by a path"),
        "{e}"
    );
    // The same path into a list the file does not have (BASE has no
    // faults or checks) builds tables, which a list cannot be.
    for (o, list) in [
        ("faults.0.at=1s", "faults"),
        ("checks.0.no_lost_writes=true", "checks"),
    ] {
        let e = set(BASE, o);
        assert!(
            e.contains(&format!("field `{list}`: invalid type: map, expected a sequence; `{list}` is a list, and a dotted path (--set, a sweep grid key) cannot reach into one: edit the elements of lists"))
                && e.contains("or replace the whole list"),
            "{o}: {e}"
        );
    }
    // The way out the message suggests works.
    parse_str(
        BASE,
        Format::Toml,
        "t.toml",
        "t",
        &["workload.writers=[0, 1]".into()],
    )
    .unwrap();
}

/// A name taken from the file name is made valid; one written is checked.
#[test]
fn a_default_name_from_the_file_name_is_sanitised() {
    let dir = crate::support::temp_dir("stem-name");
    for (file, name) in [
        ("my test.toml", "my_test"),
        (".x y+z.toml", "x_y_z"),
        ("é.json", "_-"),
    ] {
        let text = if file.ends_with(".json") {
            "{\"duration\": \"5s\", \"nodes\": {\"count\": 4}}"
        } else {
            BASE
        };
        std::fs::write(dir.join(file), text).unwrap();
        let s = scuttlesim::scenario::load(&dir.join(file), &[]).unwrap_or_else(|e| panic!("{e}"));
        if file.is_ascii() {
            assert_eq!(s.name, name, "{file}");
        } else {
            // Beyond ASCII: `-` and 8 hex digits of the stem's hash follow.
            assert!(
                s.name.starts_with(name) && s.name.len() == name.len() + 8,
                "{file}: {}",
                s.name
            );
        }
    }
    std::fs::write(dir.join("named.toml"), format!("name = \"my test\"\n{BASE}")).unwrap();
    let e = scuttlesim::scenario::load(&dir.join("named.toml"), &[]).unwrap_err();
    assert_eq!(e.field.as_deref(), Some("name"), "{e}");
    assert!(e.to_string().contains("cannot name an output directory"), "{e}");
    // An empty name is refused at its line, not replaced by the stem.
    std::fs::write(dir.join("empty.toml"), format!("name = \"\"\n{BASE}")).unwrap();
    let e = scuttlesim::scenario::load(&dir.join("empty.toml"), &[]).unwrap_err();
    assert_eq!(
        (e.field.as_deref(), e.location.map(|l| l.0)),
        (Some("name"), Some(1)),
        "{e}"
    );
    assert!(e.to_string().contains("leave `name` out"), "{e}");
}

#[test]
fn bad_names_cannot_escape_the_output_directory() {
    for name in ["../evil", "/abs", "a/b", ".hidden", ""] {
        let text = format!("name = {name:?}\n{BASE}");
        if name.is_empty() {
            continue; // empty means "use the file stem"
        }
        assert_names(&scenario_error(&text), "name", Some(1));
    }
}

/// Drift is within ±100,000 ppm, ends included (a clock at −100,000 ppm
/// runs at 0.9 of true time: forward).
#[test]
fn drift_bounds_are_inclusive() {
    let text = format!("{BASE}[clock]\ndrift_ppm = {{ dist = \"uniform\", low = -100000, high = 100000 }}\n");
    assert!(parse_str(&text, Format::Toml, "t.toml", "t", &[]).is_ok());
}

/// Every field of the fault menu, data-driven: (text appended to a valid
/// 4-node base, the field the error must name, the 1-based line if the
/// error can point at one). BASE starts with an empty line and ends with a
/// newline, so the appended text starts on line 13.
#[test]
fn fault_menu_fields() {
    let cases: &[(&str, &str, Option<usize>)] = &[
        (
            "[clock]\ndrift_ppm = { dist = \"uniform\", low = 10, high = -10 }",
            "clock.drift_ppm.low",
            Some(14),
        ),
        (
            "[clock]\ndrift_ppm = { dist = \"constant\", value = 2000000 }",
            "clock.drift_ppm.value",
            Some(14),
        ),
        (
            "[clock]\ndrift_ppm = { dist = \"uniform\", low = -100000.5, high = 0 }",
            "clock.drift_ppm.low",
            Some(14),
        ),
        (
            "[clock]\noffset = { dist = \"constant\", value = \"5 fortnights\" }",
            "clock.offset.value",
            Some(14),
        ),
        (
            "[[clock.nodes]]\nnode = 4\noffset = \"1s\"",
            "clock.nodes[0].node",
            Some(14),
        ),
        ("[[faults]]\nat = \"1s\"", "faults[0]", Some(13)),
        (
            "[[faults]]\nat = \"1s\"\ncrash = 1\nisolate = 2",
            "faults[0]",
            Some(13),
        ),
        ("[[faults]]\nat = \"11s\"\ncrash = 1", "faults[0].at", Some(14)),
        ("[[faults]]\nat = \"1s\"\ncrash = 4", "faults[0].crash", Some(15)),
        (
            "[[faults]]\nat = \"1s\"\nisolate = 9",
            "faults[0].isolate",
            Some(15),
        ),
        (
            "[[faults]]\nat = \"1s\"\npartition = [[0, 1], [1, 2]]",
            "faults[0].partition[1]",
            None,
        ),
        (
            "[[faults]]\nat = \"1s\"\npartition = [[0, 1]]",
            "faults[0].partition",
            Some(15),
        ),
        (
            "[[faults]]\nat = \"1s\"\npartition = [[\"mars\"], [0]]",
            "faults[0].partition[0]",
            None,
        ),
        (
            "[[faults]]\nat = \"1s\"\nheal = \"nope\"",
            "faults[0].heal",
            Some(15),
        ),
        (
            "[[faults]]\nat = \"1s\"\nheal = false",
            "faults[0].heal",
            Some(15),
        ),
        (
            "[[faults]]\nat = \"1s\"\nrestart = 1\nstate = \"lost\"",
            "faults[0]",
            Some(13),
        ),
        (
            "[[faults]]\nat = \"1s\"\ncrash = 1\nstate = \"zombie\"",
            "faults[0].state",
            Some(16),
        ),
        (
            "[[faults]]\nat = \"1s\"\ncut = { from = [0], to = [] }",
            "faults[0].cut.to",
            None,
        ),
        (
            "[[faults]]\nat = \"1s\"\ndegrade = { from = [0], to = [1], loss = 2.0, for = \"1s\" }",
            "faults[0].degrade.loss",
            None,
        ),
        (
            "[[faults]]\nat = \"1s\"\ndegrade = { from = [0], to = [1], for = \"0s\" }",
            "faults[0].degrade.for",
            None,
        ),
        (
            "[[faults]]\nat = \"1s\"\nclock_step = { node = 7, by = \"1s\" }",
            "faults[0].clock_step.node",
            None,
        ),
        // One node's clock given twice; steps that would saturate a reading.
        (
            "[[clock.nodes]]\nnode = 1\noffset = \"1s\"\n[[clock.nodes]]\nnode = 1\ndrift_ppm = 5.0",
            "clock.nodes[1].node",
            Some(17),
        ),
        (
            "[[faults]]\nat = \"1s\"\nclock_step = { node = 1, by = \"1000000h\" }\n[[faults]]\nat = \"2s\"\nclock_step = { node = 1, by = \"-1000000h\" }",
            "faults[1].clock_step.by",
            None,
        ),
        // Not a form of partition: the error lists the forms.
        (
            "[[faults]]\nat = \"1s\"\npartition = \"halves\"",
            "faults[0].partition",
            Some(15),
        ),
    ];
    for (extra, field, line) in cases {
        let text = format!("{BASE}{extra}\n");
        let e = crate::support::scenario_error(&text);
        assert_names(&e, field, *line);
    }
    let e = crate::support::scenario_error(&format!(
        "{BASE}[[faults]]\nat = \"1s\"\npartition = \"halves\"\n"
    ));
    assert!(e.contains("or \"random-halves\"; got \"halves\""), "{e}");
}

/// Network and workload fields of the fault menu, by replacing base lines.
#[test]
fn network_and_workload_fields() {
    let cases: &[(&str, &str, &str, Option<usize>)] = &[
        ("loss = 0.0", "duplicate = 1.5", "network.duplicate", Some(12)),
        ("loss = 0.0", "uplink_bytes_per_s = 0", "network.uplink_bytes_per_s", Some(12)),
        ("loss = 0.0", "queue_limit_bytes = 100", "network.queue_limit_bytes", Some(12)),
        (
            "loss = 0.0",
            "burst_loss = { p_good_to_bad = 0.1, p_bad_to_good = 1.2 }",
            "network.burst_loss.p_bad_to_good",
            Some(12),
        ),
        ("loss = 0.0", "latency = { dist = \"pareto\", scale = \"1ms\", shape = 0 }", "network.latency.shape", Some(12)),
        ("loss = 0.0", "latency = { dist = \"lognormal\", median = \"1ms\", sigma = -1 }", "network.latency.sigma", Some(12)),
        (
            "loss = 0.0",
            "latency = { dist = \"empirical\", quantiles = [[0.0, \"5ms\"], [0.5, \"1ms\"], [1.0, \"9ms\"]] }",
            "network.latency.quantiles",
            Some(12),
        ),
        ("loss = 0.0", "latency = { dist = \"gamma\", k = 2 }", "network.latency.dist", Some(12)),
        (
            "loss = 0.0",
            "[[network.routes]]\nfrom = [\"eu\"]\nto = [0]\nloss = 0.1",
            "network.routes[0].from",
            None,
        ),
        ("loss = 0.0", "[[network.routes]]\nfrom = [1]\nto = [0]", "network.routes[0]", None),
        ("count = 4", "count = 4\ngroups = { a = 1, b = 2 }", "nodes.groups", Some(5)),
        ("count = 4", "count = 4\ngroups = { a = 4, \"b c\" = 0 }", "nodes.groups.b c", None),
        ("keys_per_node = 1", "keys_per_node = 1\nshared_keys = 0", "workload.shared_keys", Some(10)),
        ("keys_per_node = 1", "keys_per_node = 2\nshared_keys = 3", "workload.keys_per_node", Some(9)),
        ("interval = \"1s\"", "interval = \"1s\"\nmerge = \"newest\"", "gossip.merge", Some(8)),
    ];
    for (from, to, field, line) in cases {
        assert_names(&with(from, to), field, *line);
    }
}

/// Protocol-variant fields.
#[test]
fn protocol_variant_fields() {
    let cases: &[(&str, &str, Option<usize>)] = &[
        ("interval = \"1s\"\nmtu = 0", "gossip.mtu", Some(8)),
        // 10 bytes cannot hold a header and one delta: nothing would replicate.
        ("interval = \"1s\"\nmtu = 10", "gossip.mtu", Some(8)),
        ("interval = \"1s\"\nmtu = { packets = 3 }", "gossip.mtu", Some(8)),
        ("interval = \"1s\"\norder = \"random\"", "gossip.order", Some(8)),
        (
            "interval = \"1s\"\nprotocol = \"flood\"",
            "gossip.protocol",
            Some(8),
        ),
        (
            "interval = \"1s\"\nprotocol = \"rumor\"\nrumor = { k = 0 }",
            "gossip.rumor.k",
            Some(9),
        ),
        // An ack to 4 nodes with one delta takes 32 + 4·12 + 16 + 8 = 104
        // bytes (112 with flow control's rate): below, acks carry nothing.
        ("interval = \"1s\"\nmtu = 103", "gossip.mtu", Some(8)),
        (
            "interval = \"1s\"\nmtu = 111\nflow_control = {}",
            "gossip.mtu",
            Some(8),
        ),
        // Two limits at once.
        (
            "interval = \"1s\"\nmtu = { deltas = 5, bytes = 300 }",
            "gossip.mtu",
            Some(8),
        ),
        (
            "interval = \"1s\"\nmtu = { deltas = 9 }\nflow_control = { min_rate = 5.0, max_rate = 1.0 }",
            "gossip.flow_control.min_rate",
            Some(9),
        ),
        (
            "interval = \"1s\"\nflow_control = { decrease = 1.5 }\nmtu = 200",
            "gossip.flow_control.decrease",
            Some(8),
        ),
        (
            "interval = \"1s\"\nflow_control = {}",
            "gossip.flow_control",
            Some(8),
        ),
        (
            "interval = \"1s\"\nmtu = { deltas = 9 }\nflow_control = { initial_rate = 500.0 }",
            "gossip.flow_control.initial_rate",
            Some(9),
        ),
    ];
    for (to, field, line) in cases {
        assert_names(&with("interval = \"1s\"", to), field, *line);
    }
    // The smallest byte MTUs that carry one delta in an ack are accepted.
    for ok in [
        "mtu = 104",
        "mtu = { bytes = 104 }",
        "mtu = 112\nflow_control = {}",
    ] {
        let text = BASE.replacen("interval = \"1s\"", &format!("interval = \"1s\"\n{ok}"), 1);
        crate::support::scenario(&text);
    }
}

/// `workload.rate_changes` and `gossip.mtu_from` (the paper experiment's
/// time-varying rate and late MTU).
#[test]
fn rate_change_and_mtu_start_fields() {
    let rc = |list: &str| format!("keys_per_node = 1\nrate_changes = [{list}]");
    let cases: Vec<(&str, String, &str, Option<usize>)> = vec![
        (
            "keys_per_node = 1",
            rc("{ at = \"5s\", factor = -1.0 }"),
            "workload.rate_changes[0].factor",
            Some(10),
        ),
        (
            "keys_per_node = 1",
            rc("{ at = \"5s\", factor = 2.0 }, { at = \"5s\", factor = 1.0 }"),
            "workload.rate_changes[1].at",
            Some(10),
        ),
        (
            "keys_per_node = 1",
            rc("{ at = \"10s\", factor = 2.0 }"),
            "workload.rate_changes[0].at",
            Some(10),
        ),
        (
            "keys_per_node = 1",
            rc("{ at = \"1s\", factor = 2.0, until = \"2s\" }"),
            "workload.rate_changes[0].until",
            Some(10),
        ),
        (
            "writes = { process = \"poisson\", mean_interval = \"1s\" }",
            "rate_changes = [{ at = \"5s\", factor = 2.0 }]".into(),
            "workload.rate_changes",
            Some(10),
        ),
        (
            "interval = \"1s\"",
            "interval = \"1s\"\nmtu_from = \"2s\"".into(),
            "gossip.mtu_from",
            Some(8),
        ),
        (
            "interval = \"1s\"",
            "interval = \"1s\"\nmtu = { deltas = 9 }\nmtu_from = \"10s\"".into(),
            "gossip.mtu_from",
            Some(9),
        ),
    ];
    for (from, to, field, line) in &cases {
        let e = with(from, to);
        assert_names(&e, field, *line);
    }
    // Valid: both parse and resolve.
    let ok = BASE
        .replacen(
            "keys_per_node = 1",
            &rc("{ at = \"2s\", factor = 2.0 }, { at = \"4s\", factor = 0 }"),
            1,
        )
        .replacen(
            "interval = \"1s\"",
            "interval = \"1s\"\nmtu = { deltas = 9 }\nmtu_from = \"3s\"",
            1,
        );
    crate::support::scenario(&ok);
    // `mtu_from` is local time: past `duration` (10 s) but within reach of
    // a clock 3 s ahead, it is valid; beyond every clock's reach it is not.
    let ahead = |from: &str| {
        format!(
            "{}[[clock.nodes]]\nnode = 1\noffset = \"3s\"\n",
            BASE.replacen(
                "interval = \"1s\"",
                &format!("interval = \"1s\"\nmtu = {{ deltas = 9 }}\nmtu_from = \"{from}\""),
                1
            )
        )
    };
    crate::support::scenario(&ahead("12s"));
    assert!(crate::support::scenario_error(&ahead("13s")).contains("gossip.mtu_from"));
    // A clock stepped 5 s forward reaches 13 s too.
    crate::support::scenario(&format!(
        "{}[[faults]]\nat = \"1s\"\nclock_step = {{ node = 2, by = \"5s\" }}\n",
        ahead("13s")
    ));
}

/// Type errors name what a user would write, not Rust's type names.
#[test]
fn type_errors_speak_of_numbers_not_rust_types() {
    let e = parse_str(
        "duration = \"5s\"\n[nodes]\ncount = \"20\"\n",
        Format::Toml,
        "t.toml",
        "t",
        &[],
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("t.toml:3:9") && e.contains("expected a whole number"),
        "{e}"
    );
    assert!(!e.contains("u32"), "{e}");
    let e = json_error("{\"duration\": \"5s\", \"network\": {\"loss\": \"high\"}}");
    assert!(e.contains("expected a number") && !e.contains("f64"), "{e}");
}

/// A space-time chart is drawn from the full trace: asked for at another
/// level it is refused when the scenario is read (so `check` refuses it
/// too), at the chart's line; at `full`, by the file or by an override as
/// `run --trace full` gives, it is accepted.
#[test]
fn spacetime_chart_needs_the_full_trace() {
    let base = format!("{BASE}[output]\ncharts = [\"convergence\", \"spacetime\"]\n");
    let e = scenario_error(&base);
    assert_names(&e, "output.charts[1]", Some(14));
    assert!(
        e.contains("output.trace is \"versions\"") && e.contains("--trace full"),
        "{e}"
    );
    let e = scenario_error(&base.replace("[output]\n", "[output]\ntrace = \"off\"\n"));
    assert_names(&e, "output.charts[1]", Some(15));
    let full = base.replace("[output]\n", "[output]\ntrace = \"full\"\n");
    assert!(parse_str(&full, Format::Toml, "test.toml", "test", &[]).is_ok());
    let set = ["output.trace=\"full\"".to_string()];
    assert!(parse_str(&base, Format::Toml, "test.toml", "test", &set).is_ok());
}

/// A restart needs the node crashed by a fault that takes effect before it
/// (earlier, or at the same time and listed first); the crash of another
/// node does not count.
#[test]
fn restart_needs_an_earlier_crash() {
    let fault = |at: &str, action: &str| format!("[[faults]]\nat = \"{at}\"\n{action}\n");
    let never = format!("{BASE}{}", fault("1s", "restart = 2"));
    let e = scenario_error(&never);
    assert_names(&e, "faults[0].restart", Some(15));
    assert!(e.contains("node 2 has not crashed by 1s"), "{e}");
    let other = format!("{BASE}{}{}", fault("1s", "crash = 1"), fault("2s", "restart = 2"));
    assert_names(&scenario_error(&other), "faults[1].restart", None);
    let later = format!("{BASE}{}{}", fault("3s", "crash = 2"), fault("2s", "restart = 2"));
    assert_names(&scenario_error(&later), "faults[1].restart", None);
    let same_time_after = format!("{BASE}{}{}", fault("2s", "restart = 2"), fault("2s", "crash = 2"));
    assert_names(&scenario_error(&same_time_after), "faults[0].restart", None);
    // A restart at the crash's own instant would undo it at once: refused
    // like `restart_after = "0s"`.
    let same_instant = format!("{BASE}{}{}", fault("2s", "crash = 2"), fault("2s", "restart = 2"));
    assert_names(&scenario_error(&same_instant), "faults[1].restart", None);
    for ok in [
        format!("{BASE}{}{}", fault("1s", "crash = 2"), fault("2s", "restart = 2")),
        format!("{BASE}{}{}", fault("2s", "restart = 2"), fault("1s", "crash = 2")),
        // A restart of a node already back up does nothing: allowed.
        format!(
            "{BASE}{}{}",
            fault("1s", "crash = 2\nrestart_after = \"1s\""),
            fault("3s", "restart = 2")
        ),
        // A crash after the restart, at the same time and listed later.
        format!(
            "{BASE}{}{}",
            fault("1s", "crash = 2\nrestart_after = \"1s\""),
            fault("2s", "crash = 2")
        ),
    ] {
        assert!(
            parse_str(&ok, Format::Toml, "test.toml", "test", &[]).is_ok(),
            "{ok}"
        );
    }
}

/// Scuttlebutt's delta settings with another protocol would be ignored:
/// each is refused at its line; with Scuttlebutt they are accepted.
#[test]
fn delta_settings_need_scuttlebutt() {
    for (setting, field, line) in [
        ("mtu = 1400", "gossip.mtu", 9),
        ("mtu_from = \"1s\"\nmtu = 1400", "gossip.mtu", 10),
        ("order = \"precise-oldest\"", "gossip.order", 9),
        ("flow_control = { }\nmtu = 1400", "gossip.mtu", 10),
        ("flow_control = { }", "gossip.flow_control", 9),
    ] {
        let text = BASE.replacen(
            "interval = \"1s\"",
            &format!("interval = \"1s\"\nprotocol = \"push\"\n{setting}"),
            1,
        );
        let e = scenario_error(&text);
        assert_names(&e, field, Some(line));
        assert!(
            e.contains("applies to the scuttlebutt protocol only") && e.contains("\"push\""),
            "{e}"
        );
        if setting.contains("mtu") || setting.starts_with("order") {
            let sb = text.replace("protocol = \"push\"", "protocol = \"scuttlebutt\"");
            assert!(parse_str(&sb, Format::Toml, "t.toml", "t", &[]).is_ok(), "{sb}");
        }
    }
}

/// A crash takes down a node that is up: a second crash while it is down
/// (which would do nothing, its `state` ignored) is refused, and so is a
/// `restart_after` that would end another crash early.
#[test]
fn a_crash_needs_the_node_up() {
    let fault = |at: &str, action: &str| format!("[[faults]]\nat = \"{at}\"\n{action}\n");
    let twice = format!(
        "{BASE}{}{}",
        fault("1s", "crash = 2\nrestart_after = \"3s\""),
        fault("2s", "crash = 2\nstate = \"lost\"")
    );
    let e = scenario_error(&twice);
    assert_names(&e, "faults[1].crash", None);
    assert!(
        e.contains("node 2 is already down at 2s: faults[0] crashed it at 1s (its restart_after brings it back at 4s)"),
        "{e}"
    );
    // The same crash time, listed first: its crash comes first, the other
    // is the second.
    let tie = format!("{BASE}{}{}", fault("1s", "crash = 2"), fault("1s", "crash = 2"));
    assert_names(&scenario_error(&tie), "faults[1].crash", None);
    // A crash at the time of another's restart_after, listed before it:
    // its place in the list puts it before that restart, and it says so.
    let before = format!(
        "{BASE}{}{}",
        fault("3s", "crash = 2"),
        fault("1s", "crash = 2\nrestart_after = \"2s\"")
    );
    let e = scenario_error(&before);
    assert_names(&e, "faults[0].crash", None);
    assert!(e.contains("list this crash after faults[1]"), "{e}");
    let after = format!(
        "{BASE}{}{}",
        fault("1s", "crash = 2\nrestart_after = \"2s\""),
        fault("3s", "crash = 2")
    );
    assert!(parse_str(&after, Format::Toml, "test.toml", "test", &[]).is_ok());
    // A restart_after landing when the node is down again for another crash.
    let early = format!(
        "{BASE}{}{}{}",
        fault("1s", "crash = 2\nrestart_after = \"5s\""),
        fault("2s", "restart = 2"),
        fault("3s", "crash = 2")
    );
    let e = scenario_error(&early);
    assert_names(&e, "faults[0].restart_after", None);
    assert!(
        e.contains("brings node 2 back at 6s, but by then faults[2] has crashed it again"),
        "{e}"
    );
    // Another node's crash, or a restart past the end of the run, is fine.
    for ok in [
        format!("{BASE}{}{}", fault("1s", "crash = 2"), fault("2s", "crash = 1")),
        format!(
            "{BASE}{}{}{}",
            fault("1s", "crash = 2\nrestart_after = \"1h\""),
            fault("2s", "restart = 2"),
            fault("3s", "crash = 2")
        ),
    ] {
        assert!(
            parse_str(&ok, Format::Toml, "test.toml", "test", &[]).is_ok(),
            "{ok}"
        );
    }
}

/// serde's internal names do not leak: a table says what a valid value looks
/// like, and a value of the wrong type asks for a whole number.
#[test]
fn errors_say_what_to_write_not_serde_types() {
    let e = with("loss = 0.0", "latency = \"10ms\"");
    assert_names(&e, "network.latency", Some(12));
    assert!(
        e.contains(
            "expected a table such as { dist = \"constant\", value = \"10ms\" } or { dist = \"uniform\""
        ) && e.contains("with `dist` one of `constant`, `uniform`, `normal`,"),
        "{e}"
    );
    assert!(!e.contains("enum") && !e.contains("Latency"), "{e}");

    let e = parse_str(BASE, Format::Toml, "t.toml", "t", &["gossip=3".into()])
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("field `gossip`: invalid type: integer `3`, expected a table ([gossip]); set one of its fields instead, --set gossip.FIELD=VALUE, with FIELD one of `protocol`, `interval`, `fanout`,"),
        "{e}"
    );
    let e = scenario_error("duration = \"5s\"\ngossip = 3\n[nodes]\ncount = 4\n");
    assert!(
        e.contains("test.toml:2:10: field `gossip`: invalid type: integer `3`, expected a table ([gossip])"),
        "{e}"
    );
    assert!(!e.contains("struct") && !e.contains("Gossip"), "{e}");

    for (from, to, field, line) in [
        ("count = 4", "count = \"sixty\"", "nodes.count", 4),
        ("count = 4", "count = 2.5", "nodes.count", 4),
    ] {
        let e = with(from, to);
        assert_names(&e, field, Some(line));
        assert!(e.ends_with("expected a whole number"), "{e}");
    }
}

/// A whole number outside its field's range names the field and says what
/// is valid: the field's own limits (validation's, e.g. 2 to 10000000
/// nodes, node ids 0 to count - 1), else its type's range. This holds for
/// a literal too large for TOML's 64-bit signed integers, which the TOML
/// parser reports without a field, for JSON (where such a literal reads
/// as a float) and for `--set`.
#[test]
fn out_of_range_integers_name_the_field_and_what_is_valid() {
    // (replace, with, field, line, what the message must say)
    let cases = [
        (
            "duration",
            "seed = 18446744073709551616\nduration",
            "seed",
            2,
            "18446744073709551616 is out of range: expected a whole number from 0 to 18446744073709551615; \
             a TOML file holds integers up to 9223372036854775807",
        ),
        (
            "duration",
            "seed = -1\nduration",
            "seed",
            2,
            "from 0 to 18446744073709551615",
        ),
        (
            "count = 4",
            "count = -4",
            "nodes.count",
            4,
            "-4 is out of range: must be at least 2",
        ),
        (
            "count = 4",
            "count = 99999999999999999999",
            "nodes.count",
            4,
            "must be at most 10000000",
        ),
        (
            "count = 4",
            "count = 4294967296",
            "nodes.count",
            4,
            "4294967296 is out of range: must be at least 2 (gossip needs a peer); must be at most 10000000",
        ),
        (
            "fanout = 1",
            "fanout = -1",
            "gossip.fanout",
            6,
            "between 1 and nodes.count - 1 = 3",
        ),
        (
            "keys_per_node = 1",
            "keys_per_node = -1",
            "workload.keys_per_node",
            9,
            "at most 1000000",
        ),
        (
            "keys_per_node = 1",
            "keys_per_node = 1\nwriters = [0, -2]",
            "workload.writers[1]",
            10,
            "-2 is out of range: node ids are 0 to 3",
        ),
        (
            "loss = 0.0",
            "loss = 0.0\n[[faults]]\nat = \"1s\"\ncrash = { a = 99999999999999999999 }",
            "faults[0].crash.a",
            15,
            "99999999999999999999 is too large: a TOML integer is at most 9223372036854775807",
        ),
    ];
    for (from, to, field, line, says) in cases {
        let e = with(from, to);
        assert_names(&e, field, Some(line));
        assert!(e.contains(says), "expected {says:?} in: {e}");
        assert!(!e.contains("target type") && !e.contains("u32"), "{e}");
    }
    // Fields read by hand-written visitors say their range too, whichever
    // visitor (signed or unsigned) the number reaches.
    for (from, to, field, line, says) in [
        (
            "fanout = 1",
            "fanout = 1\nmtu = 99999999999",
            "gossip.mtu",
            7,
            "from 1 to 4294967295",
        ),
        (
            "fanout = 1",
            "fanout = 1\nmtu = -1",
            "gossip.mtu",
            7,
            "from 1 to 4294967295",
        ),
        (
            "loss = 0.0",
            "loss = 0.0\n[output]\nspacetime = { nodes = [99999999999] }",
            "output.spacetime.nodes[0]",
            14,
            "node ids are 0 to nodes.count - 1; got 99999999999",
        ),
        (
            "loss = 0.0",
            "loss = 0.0\n[output]\nspacetime = { nodes = [-1] }",
            "output.spacetime.nodes[0]",
            14,
            "node ids are 0 to nodes.count - 1; got -1",
        ),
    ] {
        let e = with(from, to);
        assert_names(&e, field, Some(line));
        assert!(e.contains(says), "expected {says:?} in: {e}");
    }
    let e = json_error(r#"{"duration": "5s", "nodes": {"count": 4}, "gossip": {"mtu": 99999999999}}"#);
    assert!(
        e.contains("field `gossip.mtu`: must be a whole number of bytes from 1 to 4294967295"),
        "{e}"
    );
    let json = r#"{"duration": "5s", "nodes": {"count": 4},
"seed": 18446744073709551616}"#;
    let e = json_error(json);
    assert!(
        e.starts_with("t.json:2:") && e.contains("field `seed`: 18446744073709551616 is out of range: expected a whole number from 0 to 18446744073709551615"),
        "{e}"
    );
    let json = r#"{"duration": "5s", "nodes": {"count": 4}, "network": {"loss": 1.0000000000000000000000}}"#;
    assert!(parse_str(json, Format::Json, "t.json", "t", &[]).is_ok());
    let e = parse_str(BASE, Format::Toml, "t.toml", "t", &["nodes.count=-3".into()])
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("with --set nodes.count=-3: field `nodes.count`: -3 is out of range: must be at least 2"),
        "{e}"
    );
    // Past TOML's integers: the largest seed is valid, and a number past
    // 64 bits is out of range for the field it sets, not "a string".
    let s = parse_str(
        BASE,
        Format::Toml,
        "t.toml",
        "t",
        &["seed=18446744073709551615".into()],
    )
    .unwrap();
    assert_eq!(s.seed, u64::MAX);
    // A number with a leading zero is text, as before (TOML reads none).
    let s = parse_str(BASE, Format::Toml, "t.toml", "t", &["name=007".into()]).unwrap();
    assert_eq!(s.name, "007");
    for (set, field, says) in [
        (
            "seed=18446744073709551616",
            "seed",
            "18446744073709551616 is out of range: expected a whole number from 0 to 18446744073709551615",
        ),
        (
            "seed=-99999999999999999999",
            "seed",
            "-99999999999999999999 is out of range",
        ),
        (
            "nodes.count=99999999999999999999",
            "nodes.count",
            "must be at most 10000000",
        ),
        (
            "nodes.count=18446744073709551615",
            "nodes.count",
            "must be at most 10000000",
        ),
    ] {
        let e = parse_str(BASE, Format::Toml, "t.toml", "t", &[set.into()])
            .unwrap_err()
            .to_string();
        assert!(
            e.contains(&format!("field `{field}`: ")) && e.contains(says),
            "{set}: {e}"
        );
        assert!(!e.contains("invalid type"), "{set}: {e}");
    }
    let e = parse_str(
        BASE,
        Format::Toml,
        "t.toml",
        "t",
        &["gossip.interval=99999999999999999999".into()],
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.contains(
            "field `gossip.interval`: invalid type: integer `99999999999999999999`, expected a duration"
        ),
        "{e}"
    );
}

/// A directory given as a scenario or sweep file (`scenarios`, which has
/// no extension) is called a directory, not an unknown file type.
#[test]
fn a_directory_is_not_a_scenario_file() {
    let dir = crate::support::shipped("");
    let e = scuttlesim::scenario::load(&dir, &[]).unwrap_err().to_string();
    assert!(e.ends_with(": is a directory, expected a scenario file"), "{e}");
    let e = scuttlesim::sweep::load(&dir, scuttlesim::scenario::TraceLevel::Off)
        .unwrap_err()
        .to_string();
    assert!(e.ends_with(": is a directory, expected a sweep file"), "{e}");
}

/// `BASE` with `overrides` given as `--set`, expecting an error.
fn set_error(overrides: &[&str]) -> String {
    let set: Vec<String> = overrides.iter().map(|o| o.to_string()).collect();
    parse_str(BASE, Format::Toml, "t.toml", "t", &set)
        .unwrap_err()
        .to_string()
}

/// A group name of digits alone would read as a node id on the command
/// line (`trace --node 1`, `chart --nodes 1`): refused.
#[test]
fn group_names_are_not_digits_alone() {
    for name in ["1", "007"] {
        let e = with(
            "count = 4",
            &format!("count = 4\ngroups = {{ \"{name}\" = 2, b = 2 }}"),
        );
        assert_names(&e, &format!("nodes.groups.{name}"), None);
        assert!(
            e.contains("cannot be only digits") && e.contains(&format!("\"g{name}\"")),
            "{e}"
        );
    }
    crate::support::scenario(&BASE.replacen("count = 4", "count = 4\ngroups = { g1 = 2, 2b = 2 }", 1));
}

/// A queue limit below the smallest message that carries an update would
/// drop every such message: refused, with that size as the least valid one.
#[test]
fn a_queue_limit_holds_the_smallest_update() {
    let queue = |limit: u64| {
        BASE.replacen(
            "loss = 0.0",
            &format!("loss = 0.0\nuplink_bytes_per_s = 1000\nqueue_limit_bytes = {limit}"),
            1,
        )
    };
    // Scuttlebutt, 4 nodes, 8-byte values: an ack with one delta is
    // 32 + 4·12 + 16 + 8 = 104 bytes, as for the MTU.
    for bad in [0, 1, 103] {
        let e = scenario_error(&queue(bad));
        assert_names(&e, "network.queue_limit_bytes", Some(14));
        assert!(
            e.contains("must be at least 104 bytes") && e.ends_with(&format!("; got {bad}")),
            "{e}"
        );
    }
    crate::support::scenario(&queue(104));
    // Flow control's rate: 112.
    let flow = |limit| {
        queue(limit).replacen(
            "interval = \"1s\"",
            "interval = \"1s\"\nmtu = 200\nflow_control = {}",
            1,
        )
    };
    assert!(scenario_error(&flow(111)).contains("must be at least 112 bytes"));
    crate::support::scenario(&flow(112));
    // Full state and rumors: one delta, 32 + 16 + 8 = 56.
    for protocol in ["push", "pull", "push-pull", "rumor"] {
        let p =
            |limit| queue(limit).replacen("fanout = 1", &format!("fanout = 1\nprotocol = \"{protocol}\""), 1);
        let e = scenario_error(&p(55));
        assert!(e.contains("must be at least 56 bytes"), "{protocol}: {e}");
        crate::support::scenario(&p(56));
    }
    // A ping: 40.
    let ping = |limit| {
        queue(limit)
            .replacen("fanout = 1", "fanout = 1\nprotocol = \"ping\"", 1)
            .replacen(
                "writes = { process = \"poisson\", mean_interval = \"1s\" }",
                "",
                1,
            )
    };
    assert!(scenario_error(&ping(39)).contains("must be at least 40 bytes"));
    crate::support::scenario(&ping(40));
    // Given as --set: the same rule.
    let e = set_error(&["network.uplink_bytes_per_s=1000", "network.queue_limit_bytes=0"]);
    assert!(
        e.contains("with --set network.queue_limit_bytes=0") && e.contains("at least 104"),
        "{e}"
    );
}

/// A node set names each node once: a node twice in a side, a group twice,
/// a node and its group; across sides the old rule holds.
#[test]
fn node_sets_name_each_node_once() {
    let groups = |extra: &str| {
        format!(
            "{}{extra}\n",
            BASE.replacen("count = 4", "count = 4\ngroups = { a = 2, b = 2 }", 1)
        )
    };
    let cases: &[(&str, &str, &str)] = &[
        (
            "[[faults]]\nat = \"1s\"\npartition = [[0, 0], [3]]",
            "faults[0].partition[0]",
            "node 0 is listed twice",
        ),
        (
            "[[faults]]\nat = \"1s\"\npartition = [[\"a\", 1], [\"b\"]]",
            "faults[0].partition[0]",
            "node 1 is listed twice, on its own and in group \"a\"",
        ),
        (
            "[[faults]]\nat = \"1s\"\ncut = { from = [\"b\", \"b\"], to = [0] }",
            "faults[0].cut.from",
            "group \"b\" is listed twice",
        ),
        (
            "[[network.routes]]\nfrom = [0]\nto = [3, \"b\"]\nloss = 0.1",
            "network.routes[0].to",
            "node 3 is listed twice",
        ),
        (
            "[output]\nspacetime = { nodes = [1, 1] }",
            "output.spacetime.nodes",
            "node 1 is listed twice",
        ),
    ];
    for (extra, field, says) in cases {
        let e = scenario_error(&groups(extra));
        assert_names(&e, field, None);
        assert!(e.contains(says), "{e}");
    }
    // Different nodes of one group, and a node in no side, are fine.
    crate::support::scenario(&groups("[[faults]]\nat = \"1s\"\npartition = [[\"a\"], [2]]"));
}

/// Empty names and an empty `groups` table are refused where written.
#[test]
fn empty_names_and_groups_are_refused() {
    let e = scenario_error(&format!(
        "{BASE}[[faults]]\nat = \"1s\"\nname = \"\"\npartition = [[0], [1]]\n[[faults]]\nat = \"2s\"\nheal = \"\"\n"
    ));
    assert_names(&e, "faults[0].name", Some(15));
    assert!(e.contains("an empty name"), "{e}");
    let e = scenario_error(&format!("{BASE}[[faults]]\nat = \"2s\"\nheal = \"\"\n"));
    assert_names(&e, "faults[0].heal", Some(15));
    assert!(e.contains("an empty name heals nothing"), "{e}");
    let e = with("count = 4", "count = 4\ngroups = {}");
    assert_names(&e, "nodes.groups", Some(5));
    assert!(
        e.contains("defines no groups") && e.contains("leave `groups` out"),
        "{e}"
    );
    let e = set_error(&["nodes.groups={}"]);
    assert!(
        e.contains("`nodes.groups`: an empty table defines no groups"),
        "{e}"
    );
}

/// `-0.0` is `0.0`: the same resolved scenario, canonical JSON and hash,
/// from a file or `--set`, wherever a number is.
#[test]
fn negative_zero_is_zero() {
    let base = crate::support::scenario(BASE);
    let negative = crate::support::scenario(&BASE.replacen("loss = 0.0", "loss = -0.0", 1));
    assert_eq!(negative.hash(), base.hash());
    assert!(negative.network.loss.is_sign_positive());
    let set = parse_str(
        BASE,
        Format::Toml,
        "test.toml",
        "test",
        &["network.loss=-0.0".into()],
    )
    .unwrap();
    assert_eq!(set.hash(), base.hash());
    let json = "{\"duration\": \"10s\", \"nodes\": {\"count\": 4}, \"network\": {\"loss\": -0.0}}";
    let j = parse_str(json, Format::Json, "t.json", "t", &[]).unwrap();
    assert_eq!(
        j.hash(),
        parse_str(&json.replace("-0.0", "0.0"), Format::Json, "t.json", "t", &[])
            .unwrap()
            .hash()
    );
    // In a distribution, a list and a route.
    let extra = "[[workload.rate_changes]]\nat = \"5s\"\nfactor = Z\n[clock]\ndrift_ppm = { dist = \"normal\", mean = Z, std = Z }\n[[network.routes]]\nfrom = [0]\nto = [1]\nloss = Z\n";
    let with_zero = |z: &str| crate::support::scenario(&format!("{BASE}{}", extra.replace('Z', z)));
    let (plus, minus) = (with_zero("0.0"), with_zero("-0.0"));
    assert_eq!(minus, plus);
    assert_eq!(minus.hash(), plus.hash());
    assert!(
        !minus.canonical_json().contains("-0"),
        "{}",
        minus.canonical_json()
    );
}

/// NaN and infinities given with `--set` say what the file would say, not
/// "invalid type: null".
#[test]
fn nan_and_infinities_given_with_set_say_so() {
    let file = with("loss = 0.0", "loss = nan");
    assert!(
        file.contains("`network.loss`: must be a probability in [0, 1]; got NaN"),
        "{file}"
    );
    for (v, shown) in [("nan", "NaN"), ("inf", "inf"), ("+inf", "inf"), ("-inf", "-inf")] {
        let e = set_error(&[&format!("network.loss={v}")]);
        assert!(
            e.contains(&format!(
                "`network.loss`: must be a probability in [0, 1]; got {shown}"
            )),
            "{v}: {e}"
        );
        assert!(!e.contains("null"), "{e}");
    }
    // Inside a table.
    let e = set_error(&["network.burst_loss={ p_good_to_bad = nan, p_bad_to_good = 0.5 }"]);
    assert!(
        e.contains("`network.burst_loss.p_good_to_bad`: must be a probability in [0, 1]; got NaN"),
        "{e}"
    );
    // A field that takes any large number takes no infinity.
    let e = set_error(&["network.latency={ dist = \"pareto\", scale = \"1ms\", shape = inf }"]);
    assert!(
        e.contains("`network.latency.shape`: must be a finite number; got inf"),
        "{e}"
    );
    // A whole number or a duration: the value as given.
    let e = set_error(&["network.uplink_bytes_per_s=inf"]);
    assert!(e.contains("floating point `inf`, expected a whole number"), "{e}");
    let e = set_error(&["duration=nan"]);
    assert!(e.contains("floating point `NaN`, expected a duration"), "{e}");
    // Outside a scenario's loading, parse_override refuses them.
    let e = scuttlesim::scenario::parse_override("network.loss=nan").unwrap_err();
    assert!(
        e.contains("`network.loss` must be a finite number; got NaN"),
        "{e}"
    );
}

/// A UTF-8 byte-order mark is ignored, in JSON as in TOML, from a file or text.
#[test]
fn a_byte_order_mark_is_ignored() {
    let json = "{\"duration\": \"10s\", \"nodes\": {\"count\": 4}}";
    let plain = parse_str(json, Format::Json, "t.json", "t", &[]).unwrap();
    let marked = parse_str(&format!("\u{feff}{json}"), Format::Json, "t.json", "t", &[]).unwrap();
    assert_eq!(marked, plain);
    let dir = crate::support::temp_dir("bom");
    std::fs::write(dir.join("t.json"), format!("\u{feff}{json}")).unwrap();
    std::fs::write(dir.join("t.toml"), format!("\u{feff}{BASE}")).unwrap();
    let from_file = scuttlesim::scenario::load(&dir.join("t.json"), &[]).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(from_file.hash(), plain.hash());
    scuttlesim::scenario::load(&dir.join("t.toml"), &[]).unwrap_or_else(|e| panic!("{e}"));
    // Errors still have their lines.
    let e = json_error("\u{feff}{\n\"duration\": \"10s\",\n\"nodes\": {\"count\": 1}}");
    assert!(e.starts_with("t.json:3:"), "{e}");
}

/// A JSON syntax error is located, and names a field only when it is
/// inside one: no made-up `?`.
#[test]
fn json_syntax_errors_name_no_made_up_field() {
    let e = json_error("{\"duration\": \"10s\",}");
    assert!(
        e.starts_with("t.json:1:") && e.ends_with(": trailing comma"),
        "{e}"
    );
    assert!(!e.contains("field"), "{e}");
    let e = json_error("{\"duration\": \"10s\", \"nodes\": {\"count\": 4,}}");
    assert!(e.contains(": field `nodes`: trailing comma"), "{e}");
    assert!(!e.contains('?'), "{e}");
}

/// Durations: a sign, an exponent or a value beyond the limit is said so.
#[test]
fn malformed_durations_say_what_is_wrong() {
    let e = with("duration = \"10s\"", "duration = \"+10s\"");
    assert_names(&e, "duration", Some(2));
    assert!(e.contains("(a duration takes no sign)"), "{e}");
    let e = with("duration = \"10s\"", "duration = \"1e400s\"");
    assert!(
        e.contains("(exponents are not accepted: write the number out)"),
        "{e}"
    );
    let e = scenario_error(&format!(
        "{BASE}[[clock.nodes]]\nnode = 0\noffset = \"5000000h\"\n"
    ));
    assert_names(&e, "clock.nodes[0].offset", Some(15));
    assert!(
        e.contains("a signed duration is at most 9223372036.854775807s either way"),
        "{e}"
    );
    let e = set_error(&["duration=+10s"]);
    assert!(e.contains("(a duration takes no sign)"), "{e}");
}

/// A whole-number field that refuses 0 does not say "0 or more"; `heal =
/// false` speaks of everything a heal removes.
#[test]
fn messages_say_the_least_valid_value_and_what_heals() {
    let e = scenario_error(&format!("{BASE}[[checks]]\nmax_bytes_per_node_per_s = 1.5\n"));
    assert_names(&e, "checks[0].max_bytes_per_node_per_s", Some(14));
    assert!(e.contains("expected a whole number; must be at least 1"), "{e}");
    assert!(!e.contains("0 or more"), "{e}");
    let e = with("loss = 0.0", "uplink_bytes_per_s = 2.5");
    assert!(e.contains("expected a whole number; must be at least 1"), "{e}");
    let e = set_error(&["checks=[{ max_bytes_per_node_per_s = \"lots\" }]"]);
    assert!(e.contains("expected a whole number; must be at least 1"), "{e}");
    // 0 is a seed.
    let e = with("duration = \"10s\"", "duration = \"10s\"\nseed = 1.5");
    assert!(e.contains("expected a whole number, 0 or more"), "{e}");
    let e = scenario_error(&format!("{BASE}[[faults]]\nat = \"1s\"\nheal = false\n"));
    assert!(
        e.contains("every partition, cut and isolate") && !e.contains("all cuts"),
        "{e}"
    );
}

/// Input repeated in an error is cut: a 100,000-digit value makes a short
/// message, however it is given.
#[test]
fn huge_values_are_not_echoed_whole() {
    let digits = "9".repeat(100_000);
    let short = |e: &str| {
        assert!(e.len() < 600, "{} bytes: {}…", e.len(), &e[..600]);
        assert!(e.contains('…'), "{e}");
    };
    short(&with("duration = \"10s\"", &format!("duration = \"{digits}s\"")));
    short(&with("count = 4", &format!("count = {digits}")));
    short(&with("count = 4", &format!("count = \"{digits}\"")));
    short(&with("fanout = 1", &format!("fanout = 1\nx{digits} = 1")));
    short(&with(
        "count = 4",
        &format!("count = 4\ngroups = {{ \"{digits} z\" = 4 }}"),
    ));
    short(&set_error(&[&format!("duration={digits}s")]));
    short(&set_error(&[&format!("gossip.interval=\"{digits}\"")]));
}
