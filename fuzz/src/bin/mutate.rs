//! A stable-Rust fuzz driver without coverage: a seeded mutational fuzzer
//! over the seed corpus of one target (`seeds/<target>/`), for machines without
//! a nightly toolchain (libFuzzer needs one).
//!
//! ```sh
//! cargo run --release --no-default-features --features stable --bin mutate -- scenario_toml --seconds 600 [--seed 1]
//! ```
//!
//! Each iteration picks a corpus entry and applies 1–8 mutations: byte
//! flips, random bytes, deletions, duplicated chunks, truncation, tokens from
//! a dictionary (field names, huge and negative numbers, odd durations,
//! brackets), and structure-aware ones on the parsed TOML/JSON tree (a leaf
//! replaced by an interesting value, values swapped between fields, a key
//! removed or added, an array element duplicated, a value nested deep).
//! Without coverage, novelty is judged by outcome: an input whose error
//! message (digits stripped) was never seen joins the corpus.
//!
//! A panic is caught and its input saved as `out/<target>/panic-<hash>`; an
//! input running longer than `--timeout` seconds is saved by a watchdog as
//! `hang-<hash>` and the process exits 3; an allocation larger than
//! `--max-alloc-mib` aborts the process, the input being in
//! `out/<target>/.cur_input`. Exit 0: nothing found; 1: panics found.

use rand::seq::IndexedRandom;
use rand::{Rng, RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use scuttlesim_fuzz::TARGETS;
use sha2::{Digest, Sha256};
use std::alloc::{GlobalAlloc, Layout, System};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Refuses single allocations above a limit: an input must never make the
/// loaders allocate without bound.
struct Guard;

static MAX_ALLOC: AtomicUsize = AtomicUsize::new(usize::MAX);

unsafe impl GlobalAlloc for Guard {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        check_size(layout.size());
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        check_size(layout.size());
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        check_size(new_size);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

fn check_size(size: usize) {
    if size > MAX_ALLOC.load(Ordering::Relaxed) {
        // No allocation here: write the message with a fixed buffer.
        let msg = b"mutate: an input asked for an allocation above --max-alloc-mib; it is in .cur_input\n";
        unsafe {
            libc_write(msg);
        }
        std::process::abort();
    }
}

unsafe fn libc_write(msg: &[u8]) {
    use std::io::Write;
    let _ = std::io::stderr().lock().write_all(msg);
}

#[global_allocator]
static GLOBAL: Guard = Guard;

const DICT: &[&str] = &[
    "name",
    "seed",
    "duration",
    "stop_when_converged",
    "[nodes]",
    "count",
    "groups",
    "[gossip]",
    "protocol",
    "interval",
    "fanout",
    "phase",
    "value_bytes",
    "merge",
    "mtu",
    "order",
    "flow_control",
    "rumor",
    "k",
    "mode",
    "[workload]",
    "keys_per_node",
    "shared_keys",
    "writes",
    "writers",
    "stop_at",
    "[[workload.schedule]]",
    "at",
    "node",
    "key",
    "value",
    "[network]",
    "latency",
    "loss",
    "burst_loss",
    "duplicate",
    "uplink_bytes_per_s",
    "queue_limit_bytes",
    "[[network.routes]]",
    "from",
    "to",
    "bidirectional",
    "[clock]",
    "offset",
    "drift_ppm",
    "[[clock.nodes]]",
    "[[faults]]",
    "partition",
    "cut",
    "isolate",
    "heal",
    "crash",
    "state",
    "restart_after",
    "restart",
    "degrade",
    "clock_step",
    "by",
    "for",
    "extra_latency",
    "[output]",
    "trace",
    "staleness",
    "sample_interval",
    "[[checks]]",
    "converged_within",
    "after",
    "all_writes_delivered_by",
    "max_bytes_per_node_per_s",
    "no_lost_writes",
    "max_staleness",
    "base",
    "[base]",
    "[grid]",
    "seeds",
    "\"gossip.fanout\"",
    "\"nodes.count\"",
    "dist",
    "quantiles",
    "\"random-halves\"",
    "\"lost\"",
    "\"kept\"",
    "\"full\"",
    "\"push-pull\"",
    "\"rumor\"",
    "\"ping\"",
    "\"union\"",
    "0",
    "1",
    "-1",
    "4294967295",
    "4294967296",
    "18446744073709551615",
    "18446744073709551616",
    "9223372036854775807",
    "-9223372036854775808",
    "10000000",
    "1000000000000",
    "1e308",
    "-1e308",
    "1e-308",
    "nan",
    "inf",
    "-inf",
    "0.0",
    "1.0",
    "\"0ns\"",
    "\"1ns\"",
    "\"99999999999h\"",
    "\"18446744073709551615ns\"",
    "\"1.5s\"",
    "\"-5ms\"",
    "\"1e9s\"",
    "\"s\"",
    "\"\"",
    "\"..\"",
    "\"/etc/passwd\"",
    "\"a/b\"",
    "true",
    "false",
    "[",
    "]",
    "{",
    "}",
    "[[",
    "]]",
    "=",
    ",",
    ".",
    "\"",
    "'",
    "\n",
    "#",
    "{ deltas = 1 }",
    "\"type\"",
    "\"version\"",
    "\"write\"",
    "\"send\"",
    "\"receive\"",
    "\"drop\"",
    "\"fault\"",
    "\"clock\"",
    "\"defer\"",
    "\"header\"",
    "\"cause\"",
    "\"restart\"",
    "\"set\"",
    "\"nodes\"",
    "\"level\"",
    "\"format\"",
    "\"scuttlesim-trace/1\"",
    "\u{0}",
    "\u{feff}",
    "é",
];

/// Interesting replacement values for structure-aware mutation.
fn interesting(rng: &mut ChaCha8Rng) -> serde_json::Value {
    use serde_json::json;
    let pool = [
        json!(0),
        json!(1),
        json!(2),
        json!(-1),
        json!(u32::MAX),
        json!(u32::MAX as u64 + 1),
        json!(u64::MAX),
        json!(i64::MIN),
        json!(10_000_000),
        json!(1_000_000_000_000u64),
        json!(1e308),
        json!(-1e308),
        json!(0.5),
        json!(1e-300),
        json!(""),
        json!("0ns"),
        json!("1ns"),
        json!("99999999999h"),
        json!("18446744073709551615ns"),
        json!("1.000000001s"),
        json!("-3s"),
        json!(".."),
        json!("../../x"),
        json!("/tmp/x"),
        json!("a/b"),
        json!(true),
        json!([]),
        json!({}),
        json!([[0, 1], [2]]),
        json!({ "dist": "constant", "value": "5ms" }),
        json!({ "dist": "pareto", "scale": "1ns", "shape": 1e-300 }),
        json!({ "dist": "empirical", "quantiles": [[0.0, "1ms"], [1.0, "99999999h"]] }),
        json!({ "process": "poisson", "mean_interval": "1ns" }),
        json!({ "from": 0, "to": 18446744073709551615u64 }),
        json!("random-halves"),
    ];
    pool.choose(rng).expect("non-empty").clone()
}

/// Paths to every leaf of a JSON tree.
fn leaves(v: &serde_json::Value, path: &mut Vec<PathSeg>, out: &mut Vec<Vec<PathSeg>>) {
    match v {
        serde_json::Value::Object(m) => {
            out.push(path.clone());
            for (k, x) in m {
                path.push(PathSeg::Key(k.clone()));
                leaves(x, path, out);
                path.pop();
            }
        }
        serde_json::Value::Array(a) => {
            out.push(path.clone());
            for (i, x) in a.iter().enumerate() {
                path.push(PathSeg::Index(i));
                leaves(x, path, out);
                path.pop();
            }
        }
        _ => out.push(path.clone()),
    }
}

#[derive(Clone, Debug)]
enum PathSeg {
    Key(String),
    Index(usize),
}

fn at_mut<'a>(v: &'a mut serde_json::Value, path: &[PathSeg]) -> Option<&'a mut serde_json::Value> {
    let mut cur = v;
    for seg in path {
        cur = match seg {
            PathSeg::Key(k) => cur.as_object_mut()?.get_mut(k)?,
            PathSeg::Index(i) => cur.as_array_mut()?.get_mut(*i)?,
        };
    }
    Some(cur)
}

/// One structure-aware mutation of a JSON tree.
fn mutate_tree(v: &mut serde_json::Value, rng: &mut ChaCha8Rng) {
    let mut all = Vec::new();
    leaves(v, &mut Vec::new(), &mut all);
    if all.is_empty() {
        return;
    }
    let a = all.choose(rng).expect("non-empty").clone();
    match rng.random_range(0..7) {
        0 | 1 => {
            if let Some(x) = at_mut(v, &a) {
                *x = interesting(rng);
            }
        }
        2 => {
            // Swap the values of two places.
            let b = all.choose(rng).expect("non-empty").clone();
            let (Some(x), Some(y)) = (at_mut(v, &a).map(|x| x.clone()), at_mut(v, &b).map(|y| y.clone()))
            else {
                return;
            };
            if let Some(p) = at_mut(v, &a) {
                *p = y;
            }
            if let Some(p) = at_mut(v, &b) {
                *p = x;
            }
        }
        3 => {
            // Remove a key or an element.
            if let Some((last, parent)) = a.split_last() {
                if let Some(p) = at_mut(v, parent) {
                    match (p, last) {
                        (serde_json::Value::Object(m), PathSeg::Key(k)) => {
                            m.remove(k);
                        }
                        (serde_json::Value::Array(arr), PathSeg::Index(i)) if *i < arr.len() => {
                            arr.remove(*i);
                        }
                        _ => {}
                    }
                }
            }
        }
        4 => {
            // Add a key from the dictionary.
            if let Some(serde_json::Value::Object(m)) = at_mut(v, &a) {
                let key = DICT
                    .choose(rng)
                    .expect("non-empty")
                    .trim_matches(['[', ']', '"'])
                    .to_string();
                m.insert(key, interesting(rng));
            }
        }
        5 => {
            // Duplicate an array element many times.
            if let Some(serde_json::Value::Array(arr)) = at_mut(v, &a) {
                if let Some(x) = arr.first().cloned() {
                    let n = *[1usize, 2, 100, 5000].choose(rng).expect("non-empty");
                    for _ in 0..n {
                        arr.push(x.clone());
                    }
                }
            }
        }
        _ => {
            // Nest a value deep.
            if let Some(x) = at_mut(v, &a) {
                let depth = *[2usize, 20, 200, 3000].choose(rng).expect("non-empty");
                let mut inner = x.clone();
                for _ in 0..depth {
                    inner = serde_json::Value::Array(vec![inner]);
                }
                *x = inner;
            }
        }
    }
}

/// Parses `data` as TOML, JSON or JSON lines, mutates its tree, writes it
/// back in the same form; `None` if it does not parse.
fn structured(data: &[u8], rng: &mut ChaCha8Rng) -> Option<Vec<u8>> {
    let text = std::str::from_utf8(data).ok()?;
    if let Ok(t) = toml::from_str::<toml::Value>(text) {
        let mut v = serde_json::to_value(t).ok()?;
        mutate_tree(&mut v, rng);
        let back: toml::Value = serde_json::from_value(v.clone()).ok()?;
        return toml::to_string(&back)
            .ok()
            .or_else(|| serde_json::to_string_pretty(&v).ok())
            .map(String::into_bytes);
    }
    if let Ok(mut v) = serde_json::from_str::<serde_json::Value>(text) {
        mutate_tree(&mut v, rng);
        return serde_json::to_vec_pretty(&v).ok();
    }
    // JSON lines: mutate one line's tree.
    let mut lines: Vec<&str> = text.split('\n').collect();
    if lines.len() < 2 {
        return None;
    }
    let i = rng.random_range(0..lines.len());
    let mut v: serde_json::Value = serde_json::from_str(lines[i]).ok()?;
    mutate_tree(&mut v, rng);
    let new_line = serde_json::to_string(&v).ok()?;
    lines[i] = &new_line;
    Some(lines.join("\n").into_bytes())
}

fn mutate(input: &[u8], corpus: &[Vec<u8>], rng: &mut ChaCha8Rng) -> Vec<u8> {
    let mut d = input.to_vec();
    let rounds = rng.random_range(1..=8);
    for _ in 0..rounds {
        let len = d.len();
        match rng.random_range(0..12) {
            0 if len > 0 => {
                let i = rng.random_range(0..len);
                d[i] ^= 1 << rng.random_range(0..8);
            }
            1 if len > 0 => {
                let i = rng.random_range(0..len);
                d[i] = rng.random();
            }
            2 if len > 0 => {
                let a = rng.random_range(0..len);
                let b = (a + rng.random_range(1..=16.min(len - a).max(1))).min(len);
                d.drain(a..b);
            }
            3 if len > 0 => {
                let a = rng.random_range(0..len);
                let b = (a + rng.random_range(1..=64)).min(len);
                let chunk = d[a..b].to_vec();
                let at = rng.random_range(0..=len);
                d.splice(at..at, chunk);
            }
            4 if len > 0 => {
                d.truncate(rng.random_range(0..len));
            }
            5..=7 => {
                let tok = DICT.choose(rng).expect("non-empty").as_bytes();
                let at = if len == 0 { 0 } else { rng.random_range(0..=len) };
                d.splice(at..at, tok.iter().copied());
            }
            8..=10 => {
                if let Some(m) = structured(&d, rng) {
                    d = m;
                }
            }
            _ => {
                // Splice with another corpus entry.
                if let Some(other) = corpus.choose(rng) {
                    if !other.is_empty() && len > 0 {
                        let cut = rng.random_range(0..len);
                        let from = rng.random_range(0..other.len());
                        d.truncate(cut);
                        d.extend_from_slice(&other[from..]);
                    }
                }
            }
        }
        if d.len() > 1 << 20 {
            d.truncate(1 << 20);
        }
    }
    d
}

/// The shape of an outcome: the panic or error message with digits and
/// quoted text removed.
fn shape(msg: &str) -> String {
    let mut out = String::new();
    let mut in_quote = false;
    for c in msg.chars() {
        if c == '"' || c == '`' {
            in_quote = !in_quote;
            continue;
        }
        if !in_quote && !c.is_ascii_digit() {
            out.push(c);
        }
    }
    out.chars().take(120).collect()
}

fn hash(data: &[u8]) -> String {
    Sha256::digest(data)[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: mutate TARGET [--seconds N] [--seed S] [--timeout SECS] [--max-alloc-mib M] [--corpus DIR] [--out DIR]\ntargets: scenario_toml scenario_json sweep trace";
    let Some(target) = args.first() else {
        eprintln!("{usage}");
        std::process::exit(2);
    };
    let Some(&(_, check)) = TARGETS.iter().find(|(n, _)| n == target) else {
        eprintln!("unknown target {target:?}\n{usage}");
        std::process::exit(2);
    };
    let opt = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    let seconds: u64 = opt("--seconds").map_or(60, |s| s.parse().expect("--seconds N"));
    let seed: u64 = opt("--seed").map_or(1, |s| s.parse().expect("--seed S"));
    let timeout: u64 = opt("--timeout").map_or(10, |s| s.parse().expect("--timeout SECS"));
    let max_alloc: usize = opt("--max-alloc-mib").map_or(2048, |s| s.parse().expect("--max-alloc-mib M"));
    let corpus_dir = opt("--corpus").map_or(here.join("seeds").join(target), PathBuf::from);
    let out = opt("--out").map_or(here.join("out").join(target), PathBuf::from);
    std::fs::create_dir_all(&out).expect("create the output directory");

    let mut corpus: Vec<Vec<u8>> = Vec::new();
    let mut names: Vec<_> = std::fs::read_dir(&corpus_dir)
        .unwrap_or_else(|e| panic!("{}: {e}", corpus_dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    names.sort();
    for p in names {
        if let Ok(b) = std::fs::read(&p) {
            corpus.push(b);
        }
    }
    if corpus.is_empty() {
        corpus.push(Vec::new());
    }
    let seeds = corpus.len();
    std::panic::set_hook(Box::new(|_| {}));
    MAX_ALLOC.store(max_alloc << 20, Ordering::Relaxed);

    // Watchdog: an input running longer than `timeout` is a hang.
    static STARTED_MS: AtomicU64 = AtomicU64::new(0);
    let epoch = Instant::now();
    let cur_path = out.join(".cur_input");
    {
        let cur_path = cur_path.clone();
        let out = out.clone();
        std::thread::spawn(move || loop {
            std::thread::sleep(Duration::from_millis(250));
            let s = STARTED_MS.load(Ordering::SeqCst);
            if s > 0 && epoch.elapsed().as_millis() as u64 > s + timeout * 1000 {
                let data = std::fs::read(&cur_path).unwrap_or_default();
                let path = out.join(format!("hang-{}", hash(&data)));
                let _ = std::fs::write(&path, &data);
                eprintln!(
                    "hang: an input ran longer than {timeout}s; saved as {}",
                    path.display()
                );
                std::process::exit(3);
            }
        });
    }

    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut shapes: BTreeSet<String> = BTreeSet::new();
    let mut panics: BTreeSet<String> = BTreeSet::new();
    let deadline = Duration::from_secs(seconds);
    let mut iterations = 0u64;
    let mut last_report = Instant::now();
    while epoch.elapsed() < deadline {
        let base = corpus[rng.random_range(0..corpus.len())].clone();
        let input = mutate(&base, &corpus, &mut rng);
        std::fs::write(&cur_path, &input).expect("write .cur_input");
        STARTED_MS.store(epoch.elapsed().as_millis() as u64 + 1, Ordering::SeqCst);
        let result = std::panic::catch_unwind(|| check(&input));
        STARTED_MS.store(0, Ordering::SeqCst);
        iterations += 1;
        match result {
            Ok(outcome) => {
                // Novelty by outcome: the loader's own message for this input.
                if shapes.insert(shape(&outcome)) && corpus.len() < 5000 {
                    corpus.push(input);
                }
            }
            Err(payload) => {
                let msg = payload
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_else(|| "panic".into());
                if panics.insert(shape(&msg)) {
                    let path = out.join(format!("panic-{}", hash(&input)));
                    std::fs::write(&path, &input).expect("save the panicking input");
                    eprintln!("PANIC ({}): {msg}", path.display());
                }
            }
        }
        if last_report.elapsed() > Duration::from_secs(60) {
            last_report = Instant::now();
            eprintln!(
                "{target}: {:>4}s {iterations} inputs, corpus {} ({} seeds), {} outcome shapes, {} distinct panics",
                epoch.elapsed().as_secs(),
                corpus.len(),
                seeds,
                shapes.len(),
                panics.len()
            );
        }
        let _ = rng.next_u32();
    }
    let _ = std::fs::remove_file(&cur_path);
    println!(
        "{target}: {iterations} inputs in {}s (seed {seed}), corpus {} ({seeds} seeds), {} outcome shapes, {} distinct panics",
        epoch.elapsed().as_secs(),
        corpus.len(),
        shapes.len(),
        panics.len()
    );
    std::process::exit(if panics.is_empty() { 0 } else { 1 });
}
