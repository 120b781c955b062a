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

/// A default written out resolves to the scenario without it (same
/// canonical JSON, same hash), as `mtu = "unlimited"` does: a crash's
/// `state = "kept"` (filled in when left out, so `check` shows it),
/// `gossip.mtu_from = "0s"` and `output.spacetime.from = "0s"`; a value
/// other than the default still differs.
#[test]
fn explicit_defaults_hash_as_left_out() {
    use crate::support::scenario;
    use scuttlesim::scenario::CrashState;
    let crash = |extra: &str| {
        scenario(&format!(
            "{HEAD}[[faults]]\nat = \"1s\"\ncrash = 1\nrestart_after = \"2s\"\n{extra}"
        ))
    };
    let (none, kept, lost) = (
        crash(""),
        crash("state = \"kept\"\n"),
        crash("state = \"lost\"\n"),
    );
    assert_eq!(none.faults[0].state, Some(CrashState::Kept));
    assert!(
        none.canonical_json()
            .contains(r#"{"at":"1s","crash":1,"state":"kept","restart_after":"2s"}"#),
        "{}",
        none.canonical_json()
    );
    assert_eq!(none.hash(), kept.hash());
    assert_ne!(none.hash(), lost.hash());
    // A sweep point (overrides on a loaded base) resolves the same way.
    let mut bare = none.clone();
    bare.faults[0].state = None;
    let point = scuttlesim::scenario::apply_overrides(&bare, "s.toml", &[]).unwrap();
    assert_eq!(point.hash(), kept.hash());

    let mtu = |extra: &str| scenario(&format!("{HEAD}[gossip]\nmtu = 1400\n{extra}"));
    assert_eq!(mtu("mtu_from = \"0s\"\n").hash(), mtu("").hash());
    assert_ne!(mtu("mtu_from = \"1s\"\n").hash(), mtu("").hash());
    // Still refused without an mtu to start.
    let e = scenario_error(&format!("{HEAD}[gossip]\nmtu_from = \"0s\"\n"));
    assert!(e.contains("field `gossip.mtu_from`: needs gossip.mtu"), "{e}");

    let view = |extra: &str| scenario(&format!("{HEAD}[output.spacetime]\nnodes = [0, 1]\n{extra}"));
    assert_eq!(view("from = \"0s\"\n").hash(), view("").hash());
    assert_ne!(view("from = \"1s\"\n").hash(), view("").hash());
}

/// `workload.stop_at` after `duration` is a warning on stderr (it changes
/// nothing), not an error: at `duration` it is silent, and a sweep that
/// shortens `duration` below it runs.
#[test]
fn stop_at_after_the_end_is_a_warning() {
    let dir = temp_dir("loader-stop-at");
    let base = "duration = \"10s\"\nnodes = { count = 4 }\n[workload]\nwrites = { process = \"poisson\", mean_interval = \"1s\" }\n";
    std::fs::write(dir.join("late.toml"), format!("{base}stop_at = \"11s\"\n")).unwrap();
    std::fs::write(dir.join("end.toml"), format!("{base}stop_at = \"10s\"\n")).unwrap();
    let o = scuttlesim(&["check", "late.toml"], &dir);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stderr(&o)
            .contains("warning: late.toml: field `workload.stop_at`: 11s is after the end of the run (10s)"),
        "{}",
        stderr(&o)
    );
    let o = scuttlesim(&["check", "end.toml"], &dir);
    assert!(!stderr(&o).contains("warning"), "{}", stderr(&o));
    // Shortening a run with --set needs no second override: the sweep
    // point whose duration is under stop_at runs.
    std::fs::write(
        dir.join("s.toml"),
        "seeds = 1\n[grid]\nduration = [\"30s\", \"5s\"]\n[base]\nduration = \"30s\"\nnodes = { count = 4 }\n[base.workload]\nstop_at = \"20s\"\n",
    )
    .unwrap();
    let o = scuttlesim(&["sweep", "s.toml", "--out", "o", "-q"], &dir);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

/// A cut whose `from` and `to` share a node is refused: the cut is one
/// way, and a node sends nothing to itself.
#[test]
fn a_cut_from_a_node_to_itself_is_refused() {
    let groups = "duration = \"5s\"\nnodes = { count = 4, groups = { a = 2, b = 2 } }\n";
    let e = scenario_error(&format!(
        "{groups}[[faults]]\nat = \"1s\"\ncut = {{ from = [\"a\"], to = [1, 2] }}\n"
    ));
    assert!(
        e.starts_with("test.toml:5:")
            && e.contains("field `faults[0].cut.to`: node 1 is in both `from` and `to`"),
        "{e}"
    );
    crate::support::scenario(&format!(
        "{groups}[[faults]]\nat = \"1s\"\ncut = {{ from = [\"a\"], to = [2] }}\n"
    ));
}

/// A partition, cut or isolate healed at the instant it starts, and a
/// crash restarted at its own instant, are refused like `restart_after =
/// "0s"` and `degrade.for = "0s"`; a heal listed before a fault at its
/// instant heals only the earlier ones, and is accepted.
#[test]
fn zero_length_faults_are_refused() {
    let fault = |body: &str| format!("[[faults]]\nat = \"2s\"\n{body}\n");
    let e = scenario_error(&format!(
        "{HEAD}{}{}",
        fault("name = \"x\"\ncut = { from = [0], to = [1] }"),
        fault("heal = \"x\"")
    ));
    assert!(
        e.contains("field `faults[1].heal`: heals faults[0] at the instant it starts (2s)"),
        "{e}"
    );
    let e = scenario_error(&format!("{HEAD}{}{}", fault("isolate = 2"), fault("heal = true")));
    assert!(
        e.contains("field `faults[1].heal`: heals faults[0] at the instant"),
        "{e}"
    );
    let e = scenario_error(&format!(
        "{HEAD}{}{}",
        fault("partition = [[0], [1]]"),
        fault("heal = true")
    ));
    assert!(e.contains("field `faults[1].heal`"), "{e}");
    // Heal first, then the new partition: it lasts.
    crate::support::scenario(&format!(
        "{HEAD}[[faults]]\nat = \"1s\"\nisolate = 3\n{}{}",
        fault("heal = true"),
        fault("partition = [[0], [1]]")
    ));
    let e = scenario_error(&format!("{HEAD}{}{}", fault("crash = 1"), fault("restart = 1")));
    assert!(
        e.contains("field `faults[1].restart`: brings node 1 back at the instant faults[0] crashes it (2s)"),
        "{e}"
    );
    let e = scenario_error(&format!("{HEAD}{}", fault("crash = 1\nrestart_after = \"0s\"")));
    assert!(
        e.contains("field `faults[0].restart_after`: must be longer than zero"),
        "{e}"
    );
}

/// Too many samples name `duration` (where it is written) when
/// `output.sample_interval` is the default, and the interval, with the
/// duration, when one is given.
#[test]
fn too_many_samples_name_what_was_written() {
    let e = scenario_error("duration = \"1000001s\"\nnodes = { count = 4 }\n");
    assert!(
        e.starts_with("test.toml:1:1: field `duration`: 1000001s is more than 1000000 samples of output.sample_interval (1s, the default): use a duration under 1000001s, or a longer output.sample_interval (e.g. \"2s\")"),
        "{e}"
    );
    crate::support::scenario("duration = \"1000000.5s\"\nnodes = { count = 4 }\n");
    let e =
        scenario_error("duration = \"1001s\"\nnodes = { count = 4 }\n[output]\nsample_interval = \"1ms\"\n");
    assert!(
        e.starts_with("test.toml:4:1: field `output.sample_interval`: 1ms gives more than 1000000 samples over duration (1001s)"),
        "{e}"
    );
}

/// A gossip interval that leaves no round before the end is a warning of
/// `check` and `run` on stderr, not an error.
#[test]
fn an_interval_past_the_end_is_a_warning() {
    let dir = temp_dir("loader-interval");
    let write = |name: &str, phase: &str, interval: &str| {
        std::fs::write(
            dir.join(name),
            format!("duration = \"10s\"\nnodes = {{ count = 4 }}\n[gossip]\nphase = \"{phase}\"\ninterval = \"{interval}\"\n"),
        )
        .unwrap();
    };
    write("a.toml", "aligned", "10s");
    write("r.toml", "random", "20s");
    write("ok.toml", "aligned", "9s");
    let o = scuttlesim(&["check", "a.toml"], &dir);
    assert_eq!(o.status.code(), Some(0));
    assert!(
        stderr(&o)
            .contains("warning: a.toml: field `gossip.interval`: 10s is not shorter than duration (10s)"),
        "{}",
        stderr(&o)
    );
    let o = scuttlesim(&["run", "r.toml", "-q", "--out", "o"], &dir);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("warning: r.toml: field `gossip.interval`: 20s is longer than duration"),
        "{}",
        stderr(&o)
    );
    let o = scuttlesim(&["check", "ok.toml"], &dir);
    assert!(!stderr(&o).contains("warning"), "{}", stderr(&o));
}

/// An uplink that cannot carry a round's own `syn`s, with no queue limit,
/// is a warning naming the numbers and the fix: at 100 nodes a `syn` is
/// 32 + 12 × 100 = 1232 B (the README's size model), so with fan-out 2 a
/// node sends at least 2464 B a round; 2463 B/s falls short over a 1 s
/// interval, 2464 B/s does not. A queue limit, or rumor mongering (no
/// message every round), silences it; the memory estimate says it does
/// not bound the queue.
#[test]
fn an_uplink_too_slow_for_a_rounds_syns_is_a_warning() {
    let dir = temp_dir("loader-uplink");
    let write = |name: &str, extra: &str| {
        std::fs::write(
            dir.join(name),
            format!("duration = \"10s\"\nnodes = {{ count = 100 }}\n{extra}"),
        )
        .unwrap();
    };
    write(
        "slow.toml",
        "[gossip]\nfanout = 2\n[network]\nuplink_bytes_per_s = 2463\n",
    );
    write(
        "enough.toml",
        "[gossip]\nfanout = 2\n[network]\nuplink_bytes_per_s = 2464\n",
    );
    write(
        "limited.toml",
        "[gossip]\nfanout = 2\n[network]\nuplink_bytes_per_s = 100\nqueue_limit_bytes = 10000\n",
    );
    write(
        "rumor.toml",
        "[gossip]\nprotocol = \"rumor\"\n[network]\nuplink_bytes_per_s = 100\n",
    );
    let o = scuttlesim(&["check", "slow.toml"], &dir);
    assert_eq!(o.status.code(), Some(0));
    let err = stderr(&o);
    assert!(
        err.contains(
            "warning: slow.toml: field `network.uplink_bytes_per_s`: 2463 B/s carries 2463 B in a gossip.interval (1s), but each node sends at least 2464 B a round (gossip.fanout 2 × a 1232-byte `syn`: 32 + 12 × 100 nodes)"
        ) && err.contains("set network.queue_limit_bytes")
            && err.contains("network.uplink_bytes_per_s at least 2464 or gossip.interval at least 1.000406009s"),
        "{err}"
    );
    let o = scuttlesim(
        &["run", "slow.toml", "-q", "--out", "o", "--max-memory", "1M"],
        &dir,
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains(
            "not bounded by this estimate: each node's uplink queue, which grows by at least 1 B a round"
        ),
        "{}",
        stderr(&o)
    );
    for quiet in ["enough.toml", "limited.toml", "rumor.toml"] {
        let o = scuttlesim(&["check", quiet], &dir);
        assert_eq!(o.status.code(), Some(0));
        assert!(!stderr(&o).contains("warning"), "{quiet}: {}", stderr(&o));
    }
}

/// A TOML syntax error inside an inline table or a `[table]` names the
/// field it lies in, as JSON's do; at the top level it names none.
#[test]
fn toml_syntax_errors_name_the_enclosing_field() {
    let e = scenario_error("duration = \"5s\"\nnodes = { count = 4, }\n");
    assert!(e.starts_with("test.toml:2:20: field `nodes`: "), "{e}");
    let e = scenario_error(&format!("{HEAD}[gossip]\ninterval = \"1s\" fanout = 2\n"));
    assert!(
        e.starts_with("test.toml:4:") && e.contains("field `gossip.interval`: "),
        "{e}"
    );
    let e = scenario_error(&format!(
        "{HEAD}[[faults]]\nat = \"1s\"\ncut = {{ from = [0], to = [1],, }}\n"
    ));
    assert!(e.contains("field `faults[0].cut`: "), "{e}");
    let e = scenario_error("duration = \"5s\"\nnodes = { count = 4 }\nx y\n");
    assert!(e.starts_with("test.toml:3:") && !e.contains("field"), "{e}");
}
