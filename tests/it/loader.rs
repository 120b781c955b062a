//! Scenario-loading errors found by a bad-input test pass: tables given as
//! arrays, errors inside tagged tables, choices given a number, clock
//! offsets, `--set` and memory messages, shards, merge, sweep bases and
//! JSON grid positions, `no_lost_writes = false`.

use crate::bin::{scuttlesim, stderr};
use crate::support::{scenario_error, shipped, temp_dir};
use scuttlesim::scenario::{parse_str, Format};

/// The error of JSON scenario `text` (file `t.json`).
fn json_error(text: &str) -> String {
    match parse_str(text, Format::Json, "t.json", "t", &[]) {
        Ok(_) => panic!("should have been rejected: {text}"),
        Err(e) => e.to_string(),
    }
}

/// The error of the shipped quickstart with `--set` overrides.
fn set_error(overrides: &[&str]) -> String {
    let set: Vec<String> = overrides.iter().map(|s| s.to_string()).collect();
    match scuttlesim::scenario::load(&shipped("quickstart.toml"), &set) {
        Ok(_) => panic!("should have been rejected: {overrides:?}"),
        Err(e) => e.to_string(),
    }
}

const HEAD: &str = "duration = \"5s\"\nnodes = { count = 4 }\n";

/// Every struct-shaped field, and the whole scenario, must be a table:
/// serde would read an array's elements as the fields in order.
#[test]
fn tables_given_as_arrays_are_refused() {
    let e = scenario_error("duration = \"5s\"\ngossip = [\"push\", \"250ms\", 3]\nnodes = { count = 4 }\n");
    assert!(
        e.starts_with("test.toml:2:10: field `gossip`: invalid type: array, expected a table ([gossip])"),
        "{e}"
    );
    let e = scenario_error(&format!("{HEAD}workload = [2]\n"));
    assert!(
        e.contains("test.toml:3:") && e.contains("field `workload`: invalid type: array"),
        "{e}"
    );
    let e = scenario_error("duration = \"5s\"\nnodes = [4]\n");
    assert!(
        e.contains("field `nodes`: invalid type: array, expected a table ([nodes])"),
        "{e}"
    );
    // Deeper: an array of tables' element, a tagged table, a fault's table.
    let e = scenario_error(&format!("{HEAD}[network]\nlatency = [\"constant\", \"10ms\"]\n"));
    assert!(
        e.contains("field `network.latency`: invalid type: array, expected a table such as"),
        "{e}"
    );
    let e = scenario_error(&format!("{HEAD}[[faults]]\nat = \"1s\"\ncut = [[0], [1]]\n"));
    assert!(e.contains("field `faults[0].cut`: invalid type: array"), "{e}");
    let e = scenario_error(&format!("{HEAD}checks = [[\"20s\"]]\n"));
    assert!(e.contains("field `checks[0]`: invalid type: array"), "{e}");
    // JSON, the whole scenario and a field; `[]` no longer speaks of lengths.
    for text in ["[]", "[\"arr\", 7, \"5s\", false, [4]]"] {
        let e = json_error(text);
        assert!(
            e.starts_with("t.json:1:") && e.contains("invalid type: array, expected a table"),
            "{e}"
        );
        assert!(!e.contains("length"), "{e}");
    }
    let e = json_error(r#"{"duration": "5s", "nodes": {"count": 4}, "output": [true]}"#);
    assert!(
        e.contains("field `output`: invalid type: array, expected a table ([output])"),
        "{e}"
    );
    // With --set too.
    let e = set_error(&["gossip=[\"push\", \"250ms\", 3]"]);
    assert!(
        e.contains("field `gossip`: invalid type: array, expected a table ([gossip])"),
        "{e}"
    );
    // Lists and tuples still read.
    let ok = format!(
        "{HEAD}[network]\nlatency = {{ dist = \"empirical\", quantiles = [[0.0, \"5ms\"], [1.0, \"9ms\"]] }}\n"
    );
    crate::support::scenario(&ok);
}

/// An error inside a tagged table names the entry, at its line:column.
#[test]
fn errors_inside_tagged_tables_name_the_entry() {
    let cases = [
        (
            "[workload]\nwrites = { process = \"poisson\", mean_interval = true }\n",
            "test.toml:4:33: field `workload.writes.mean_interval`: invalid type: boolean `true`",
        ),
        (
            "[network]\nlatency = { dist = \"uniform\", low = \"10ms\", high = [\"50ms\"] }\n",
            "test.toml:4:45: field `network.latency.high`: invalid type: array, expected a duration",
        ),
        (
            "[clock]\noffset = { dist = \"constant\", value = 5 }\ndrift_ppm = { dist = \"constant\", value = \"x\" }\n",
            "test.toml:4:31: field `clock.offset.value`: invalid type: integer `5`",
        ),
        (
            "[clock]\ndrift_ppm = { dist = \"normal\", mean = 1, std = \"x\" }\n",
            "test.toml:4:42: field `clock.drift_ppm.std`: invalid type: string \"x\", expected a number",
        ),
        (
            "[[network.routes]]\nfrom = [0]\nto = [1]\nlatency = { dist = \"constant\", value = 3 }\n",
            "test.toml:6:32: field `network.routes[0].latency.value`",
        ),
        (
            "[network]\nlatency = { dist = \"constant\", value = \"1ms\", extra = 1 }\n",
            "field `network.latency.extra`: unknown field `extra`",
        ),
    ];
    for (tail, want) in cases {
        let e = scenario_error(&format!("{HEAD}{tail}"));
        assert!(e.starts_with(want) || e.contains(want), "want {want}\ngot {e}");
    }
    let e = json_error(
        r#"{"duration": "5s", "nodes": {"count": 4},
 "workload": {"writes": {"process": "poisson", "mean_interval": true}}}"#,
    );
    assert!(
        e.starts_with("t.json:2:48: field `workload.writes.mean_interval`"),
        "{e}"
    );
    let e = set_error(&["network.latency={ dist = \"uniform\", low = \"1ms\", high = 3 }"]);
    assert!(e.contains("field `network.latency.high`"), "{e}");
}

/// A choice given a number, a boolean or a list lists the choices.
#[test]
fn choices_given_other_types_list_the_choices() {
    let e = scenario_error(&format!("{HEAD}gossip = {{ phase = 1 }}\n"));
    assert!(
        e.contains("field `gossip.phase`: invalid type: integer `1`, expected one of: `random`, `aligned`, `staggered`"),
        "{e}"
    );
    let e = scenario_error(&format!("{HEAD}gossip = {{ order = 2147483647 }}\n"));
    assert!(
        e.contains("expected one of: `precise-oldest`, `precise-newest`"),
        "{e}"
    );
    let e = json_error(r#"{"duration": "5s", "nodes": {"count": 4}, "gossip": {"phase": 1}}"#);
    assert!(
        e.contains("field `gossip.phase`: invalid type: integer `1`, expected one of: `random`"),
        "{e}"
    );
    let e = scenario_error(&format!(
        "{HEAD}[network]\nlatency = {{ dist = true, value = \"1ms\" }}\n"
    ));
    assert!(
        e.contains("field `network.latency.dist`: invalid type: boolean `true`, expected one of: `constant`, `uniform`"),
        "{e}"
    );
    let e = scenario_error(&format!(
        "{HEAD}[workload]\nwrites = {{ process = 10000001, mean_interval = \"1s\" }}\n"
    ));
    assert!(
        e.contains(
            "field `workload.writes.process`: invalid type: integer `10000001`, expected one of: `poisson`"
        ),
        "{e}"
    );
    let e = scenario_error(&format!("{HEAD}output = {{ charts = [1] }}\n"));
    assert!(
        e.contains("field `output.charts[0]`") && e.contains("expected one of: `convergence`"),
        "{e}"
    );
    let e = set_error(&["gossip.merge=2"]);
    assert!(e.contains("expected one of: `lww-version`"), "{e}");
}

/// A clock offset beyond the bound the steps are held to is refused
/// itself, not blamed on a later step.
#[test]
fn clock_offsets_are_bounded_themselves() {
    let node = format!("{HEAD}[[clock.nodes]]\nnode = 0\noffset = \"-9223372036.854775807s\"\n");
    let e = scenario_error(&node);
    assert!(
        e.starts_with(
            "test.toml:5:1: field `clock.nodes[0].offset`: an offset of -9223372036.854775807s for node 0"
        ) && e.contains("146 years"),
        "{e}"
    );
    let e = scenario_error(&format!(
        "{node}[[faults]]\nat = \"1s\"\nclock_step = {{ node = 0, by = \"1s\" }}\n"
    ));
    assert!(e.contains("field `clock.nodes[0].offset`"), "{e}");
    let e = scenario_error(&format!(
        "{HEAD}[clock]\noffset = {{ dist = \"uniform\", low = \"0s\", high = \"4611686019s\" }}\n"
    ));
    assert!(e.contains("field `clock.offset.high`"), "{e}");
    // The largest offset allowed is still allowed.
    crate::support::scenario(&format!(
        "{HEAD}[[clock.nodes]]\nnode = 0\noffset = \"-4611686018.427387903s\"\n"
    ));
}

/// A `--set` value of the wrong type names its override; the memory
/// refusal names the overrides and, when it is the cause, the interval.
#[test]
fn set_errors_name_the_override_and_the_cause() {
    let e = set_error(&["seed=3", "nodes.count=abc"]);
    assert!(
        e.contains("with --set nodes.count=abc: field `nodes.count`"),
        "{e}"
    );
    assert!(!e.contains("overrides"), "{e}");
    let dir = temp_dir("loader-memory");
    let q = shipped("quickstart.toml");
    let o = scuttlesim(
        &["check", q.to_str().unwrap(), "--set", "gossip.interval=1ns"],
        &dir,
    );
    let e = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{e}");
    assert!(
        e.contains("quickstart.toml with --set gossip.interval=1ns: the run would need"),
        "{e}"
    );
    assert!(e.contains("the cause is gossip.interval (1ns)"), "{e}");
    assert!(!e.contains("(0 writes in a latency"), "{e}");
    assert!(
        e.contains("1 write in a latency (fewer expected, counted as 1)"),
        "{e}"
    );
}

/// `--shard` with N too large says the limit; `merge` names a marker
/// whose content contradicts its name.
#[test]
fn shard_count_limit_and_inconsistent_markers() {
    let dir = temp_dir("loader-shards");
    std::fs::write(
        dir.join("base.toml"),
        format!("{HEAD}name = \"b\"\n").replace("5s", "2s"),
    )
    .unwrap();
    std::fs::write(
        dir.join("sweep.toml"),
        "name = \"sh\"\nbase = \"base.toml\"\nseeds = 2\n[grid]\n\"gossip.fanout\" = [1, 2]\n",
    )
    .unwrap();
    let o = scuttlesim(
        &["sweep", "sweep.toml", "--shard", "1/18446744073709551615"],
        &dir,
    );
    let e = stderr(&o);
    assert!(
        !o.status.success() && e.contains("at most 1000000 shards; got 18446744073709551615"),
        "{e}"
    );
    assert!(!e.contains("must look like"), "{e}");
    for k in ["1/2", "2/2"] {
        let o = scuttlesim(
            &["sweep", "sweep.toml", "-q", "-j", "1", "--out", "o", "--shard", k],
            &dir,
        );
        assert!(o.status.success(), "{}", stderr(&o));
    }
    let marker = dir.join("o/sh/shard-1-of-2.json");
    let text = std::fs::read_to_string(&marker).unwrap();
    std::fs::write(
        &marker,
        text.replace("\"shard\":1", "\"shard\":3")
            .replace("\"shard\": 1", "\"shard\": 3"),
    )
    .unwrap();
    let o = scuttlesim(&["merge", "o/sh"], &dir);
    let e = stderr(&o);
    assert!(!o.status.success(), "{e}");
    assert!(
        e.contains("shard-1-of-2.json") && e.contains("says shard 3/2"),
        "{e}"
    );
    assert!(!e.contains("missing"), "{e}");
}

/// A missing sweep base is called missing; JSON sweep grid errors have a
/// line:column however the file is laid out.
#[test]
fn sweep_base_missing_and_json_grid_positions() {
    let dir = temp_dir("loader-sweeps");
    std::fs::copy(shipped("quickstart.toml"), dir.join("q.toml")).unwrap();
    let run = |name: &str, text: &str| {
        std::fs::write(dir.join(name), text).unwrap();
        let o = scuttlesim(&["sweep", name, "--out", "o"], &dir);
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        stderr(&o)
    };
    let e = run("m.json", r#"{"base": "missing.toml", "seeds": 2}"#);
    assert!(e.contains("field `base`: missing.toml does not exist"), "{e}");
    let e = run(
        "g.json",
        r#"{"base": "q.toml", "grid": {"seed": [1, 2]}, "seeds": 2}"#,
    );
    assert!(
        e.contains("g.json:1:29: field `grid.seed`: cannot be swept"),
        "{e}"
    );
    let e = run(
        "u.json",
        "{\n  \"base\": \"q.toml\",\n  \"seeds\": 2,\n  \"grid\": {\"nope.x\": [1, 2]}\n}\n",
    );
    assert!(e.contains("u.json:4:12: grid point nope.x=1"), "{e}");
}

/// `no_lost_writes = false` is refused, as `heal = false` is: a flag that
/// asks for nothing.
#[test]
fn no_lost_writes_false_is_refused_like_heal_false() {
    let e = scenario_error(&format!("{HEAD}[[checks]]\nno_lost_writes = false\n"));
    assert!(
        e.starts_with(
            "test.toml:4:1: field `checks[0].no_lost_writes`: `no_lost_writes = false` checks nothing"
        ),
        "{e}"
    );
    let e = scenario_error(&format!("{HEAD}[[faults]]\nat = \"1s\"\nheal = false\n"));
    assert!(e.contains("`heal = false` heals nothing"), "{e}");
    crate::support::scenario(&format!("{HEAD}[[checks]]\nno_lost_writes = true\n"));
}

/// `gossip.mtu = "unlimited"` is the scenario without an mtu (same hash),
/// so a sweep's grid can compare no limit with limits; another word is
/// refused with what would be valid.
#[test]
fn an_unlimited_mtu_is_no_mtu() {
    let base = "duration = \"10s\"\n[nodes]\ncount = 4\n[gossip]\n";
    let none = crate::support::scenario(base);
    let unlimited = crate::support::scenario(&format!("{base}mtu = \"unlimited\"\n"));
    assert_eq!(unlimited.gossip.mtu, None);
    assert_eq!(unlimited.hash(), none.hash());
    let limited = crate::support::scenario(&format!("{base}mtu = 1400\n"));
    assert_ne!(limited.hash(), none.hash());
    let e = crate::support::scenario_error(&format!("{base}mtu = \"none\"\n"));
    assert!(e.contains("gossip.mtu") && e.contains("\"unlimited\""), "{e}");
}
