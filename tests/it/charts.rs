//! Charts of a run: every chart renders from a small run (well-formed SVG
//! with its title, axis labels and data marks; a PNG that decodes at 2×),
//! `chart RUN_DIR` reproduces `run`'s files byte for byte, and bad requests
//! fail clearly.

use crate::support::{scenario_error, shipped, temp_dir};
use std::path::Path;
use std::process::{Command, Output};

fn scuttlesim(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_scuttlesim"))
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("binary runs")
}

fn ok(out: &Output) {
    assert!(
        out.status.success(),
        "exit {:?}\n{}\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Asserts `svg` is one balanced `<svg>` element; returns `(width, height)`.
fn well_formed(svg: &str) -> (u32, u32) {
    let s = svg.trim();
    assert!(
        s.starts_with("<svg") && s.ends_with("</svg>"),
        "not one svg element"
    );
    let mut stack: Vec<&str> = Vec::new();
    let mut rest = s;
    while let Some(i) = rest.find('<') {
        let j = rest[i..].find('>').expect("unterminated tag") + i;
        let tag = &rest[i + 1..j];
        if let Some(name) = tag.strip_prefix('/') {
            assert_eq!(stack.pop(), Some(name.trim()), "mismatched </{name}>");
        } else if !tag.starts_with('?') && !tag.starts_with('!') && !tag.ends_with('/') {
            stack.push(tag.split_whitespace().next().unwrap_or(""));
        }
        rest = &rest[j + 1..];
    }
    assert!(stack.is_empty(), "unclosed tags: {stack:?}");
    let attr = |name: &str| -> u32 {
        let k = s.find(&format!(" {name}=\"")).expect("size attribute") + name.len() + 3;
        s[k..].split('"').next().unwrap().parse().expect("numeric size")
    };
    (attr("width"), attr("height"))
}

fn count(svg: &str, tag: &str) -> usize {
    svg.matches(&format!("<{tag} ")).count()
}

/// Checks `charts/NAME.svg` and `.png` of `run`: well formed, containing
/// `texts`, the PNG decoding at twice the SVG size; returns the SVG text.
fn check(run: &Path, name: &str, texts: &[&str]) -> String {
    let svg = std::fs::read_to_string(run.join(format!("charts/{name}.svg"))).unwrap();
    let (w, h) = well_formed(&svg);
    for t in texts {
        assert!(svg.contains(t), "{name}.svg lacks {t:?}");
    }
    let png = std::fs::read(run.join(format!("charts/{name}.png"))).unwrap();
    let decoder = png::Decoder::new(std::io::Cursor::new(&png));
    let mut reader = decoder.read_info().expect("png decodes");
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).expect("png frame decodes");
    assert_eq!((info.width, info.height), (2 * w, 2 * h), "{name}.png is 2x");
    svg
}

/// A 6-node run drawing all five charts.
const SMALL: &str = r#"
name = "small"
seed = 3
duration = "12s"
[nodes]
count = 6
[gossip]
fanout = 1
[workload]
writes = { process = "poisson", mean_interval = "3s" }
stop_at = "8s"
[network]
latency = { dist = "uniform", low = "5ms", high = "25ms" }
loss = 0.05
[output]
trace = "full"
staleness = true
charts = ["convergence", "informed", "bandwidth", "staleness", "spacetime"]
"#;

/// Runs `chart RUN --only spacetime ARGS --format svg` in `dir` and returns
/// the diagram it wrote.
fn spacetime_svg(dir: &Path, run: &str, args: &[&str]) -> String {
    let mut all = vec!["chart", run, "--only", "spacetime"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--format", "svg"]);
    ok(&scuttlesim(&all, dir));
    std::fs::read_to_string(dir.join(run).join("charts/spacetime.svg")).unwrap()
}

#[test]
fn every_chart_renders_from_a_small_run_and_chart_reproduces_it() {
    let dir = temp_dir("charts-all");
    std::fs::write(dir.join("small.toml"), SMALL).unwrap();
    let out = scuttlesim(&["run", "small.toml", "--out", "o"], &dir);
    ok(&out);
    assert!(
        out.stderr.is_empty(),
        "no progress bar when stderr is not a terminal"
    );
    let run = dir.join("o/small/3");
    let footer = "scuttlesim 0.1.0 · seed 3 · scenario ";

    let writes = scuttlesim::report::Table::read(&run.join("metrics/writes.csv")).unwrap();
    let converged = writes.numbers::<u64>("t100_ns").unwrap().iter().flatten().count();
    assert!(converged >= 5, "{converged} converged writes");
    let svg = check(
        &run,
        "convergence",
        &[
            "small: convergence time CDF",
            "time to reach all nodes (s)",
            "fraction of writes",
            footer,
        ],
    );
    // The ECDF is one step line with a rise per converged write: at least
    // 2 points per write.
    let longest = svg
        .split("<polyline ")
        .skip(1)
        .map(|p| {
            p.split("points=\"")
                .nth(1)
                .map_or(0, |q| q.split('"').next().unwrap().split(' ').count())
        })
        .max()
        .unwrap();
    assert!(
        longest >= 2 * converged,
        "{longest} points for {converged} writes"
    );

    let svg = check(
        &run,
        "informed",
        &[
            "small: informed fraction",
            "time since write (s)",
            "fraction of nodes informed",
            "mean over writes",
            "p10–p90 over writes",
            // lossy Scuttlebutt, f = 1, T = 1 s, p = 0.05:
            // β = 0.95² + 0.95³ = 0.9025 + 0.857375 = 1.76/s
            "β=f((1−p)²+(1−p)³)/T=1.76/s",
        ],
    );
    assert!(count(&svg, "polygon") >= 1, "the p10–p90 band");
    assert!(
        count(&svg, "polyline") >= 2 + 2,
        "mean and model, and their legend samples"
    );

    let svg = check(
        &run,
        "bandwidth",
        &[
            "small: bandwidth",
            "time (s)",
            "bytes/s (all nodes)",
            "bytes/s per node",
            "(a) rate by message part",
        ],
    );
    let labels = texts(&svg);
    for l in ["message part", "other", "digest", "delta", "total"] {
        assert!(
            labels.iter().any(|t| t == l),
            "bandwidth.svg lacks the text {l:?}"
        );
    }
    assert!(!labels.iter().any(|t| t == "syn"), "stacked by part, not by kind");
    assert!(count(&svg, "polygon") >= 3, "one stacked area per part");
    assert!(count(&svg, "rect") >= 4, "a box per part and the total");

    let svg = check(
        &run,
        "staleness",
        &[
            "small: staleness",
            "staleness (s)",
            "stale mappings",
            "max staleness",
            "mean staleness",
        ],
    );
    assert!(count(&svg, "polyline") >= 3);

    let trace = std::fs::File::open(run.join("trace.jsonl")).unwrap();
    let (_, records) = scuttlesim::trace::read_trace(std::io::BufReader::new(trace)).unwrap();
    let delivered = records.iter().filter(|r| r.type_name() == "receive").count();
    let clocks = records.iter().filter(|r| r.type_name() == "clock").count();
    let written = records.iter().filter(|r| r.type_name() == "write").count();
    let svg = check(
        &run,
        "spacetime",
        &[
            "small: space-time diagram",
            // A 12 s run: windows reaching 1 s or more are labelled in seconds.
            "time (s)",
            "n0",
            "n5",
            "syn",
            "ack",
            "write",
        ],
    );
    assert!(delivered > 50);
    assert!(
        count(&svg, "circle") >= clocks - written,
        "a dot per send and receipt"
    );
    assert!(
        count(&svg, "polygon") >= delivered,
        "an arrow head per delivered message"
    );

    // `chart` draws the same files again from the stored data.
    let before: Vec<(String, Vec<u8>)> = std::fs::read_dir(run.join("charts"))
        .unwrap()
        .map(|e| {
            let p = e.unwrap().path();
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect();
    assert_eq!(before.len(), 10);
    std::fs::remove_dir_all(run.join("charts")).unwrap();
    ok(&scuttlesim(&["chart", "o/small/3"], &dir));
    for (name, bytes) in &before {
        let again = std::fs::read(run.join("charts").join(name)).unwrap();
        assert!(again == *bytes, "{name} differs after `chart`");
    }
    // One chart, one format.
    std::fs::remove_dir_all(run.join("charts")).unwrap();
    let out = scuttlesim(
        &["chart", "o/small/3", "--only", "informed", "--format", "svg"],
        &dir,
    );
    ok(&out);
    let files: Vec<_> = std::fs::read_dir(run.join("charts")).unwrap().collect();
    assert_eq!(files.len(), 1);
    assert!(run.join("charts/informed.svg").exists());
}

/// The contents of every `<text>` element, trimmed, in order.
fn texts(svg: &str) -> Vec<String> {
    svg.split("</text>")
        .filter_map(|chunk| chunk.rsplit_once('>').map(|(_, t)| t.trim().to_string()))
        .collect()
}

/// The node labels (`n3`) of a space-time diagram, in the order drawn.
fn node_labels(svg: &str) -> Vec<String> {
    texts(svg)
        .into_iter()
        .filter(|t| t.len() > 1 && t.starts_with('n') && t[1..].chars().all(|c| c.is_ascii_digit()))
        .collect()
}

/// Filled triangles: arrow heads (markers have four corners).
fn triangles(svg: &str) -> usize {
    svg.split("<polygon ")
        .skip(1)
        .filter(|p| {
            let points = p.split("points=\"").nth(1).unwrap().split('"').next().unwrap();
            points.split_whitespace().count() == 3
        })
        .count()
}

/// Six nodes (left = 0-2, right = 3-5), a partition left | right from 2 s
/// to 4 s, node 4 down from 2.5 s to 3.5 s, node 1's clock stepped at 3 s,
/// node 0 down from 1 s to 1.2 s (not drawn).
const FAULTY: &str = r#"
name = "faulty"
seed = 7
duration = "6s"
[nodes]
count = 6
groups = { left = 3, right = 3 }
[gossip]
interval = "500ms"
fanout = 1
[workload]
writes = { process = "poisson", mean_interval = "1s" }
[network]
latency = { dist = "constant", value = "20ms" }
loss = 0.05
[[faults]]
at = "1s"
crash = 0
restart_after = "200ms"
[[faults]]
at = "2s"
partition = [["left"], ["right"]]
[[faults]]
at = "2.5s"
crash = 4
restart_after = "1s"
[[faults]]
at = "3s"
clock_step = { node = 1, by = "100ms" }
[[faults]]
at = "4s"
heal = true
[output]
trace = "full"
charts = ["spacetime"]
spacetime = { nodes = [1, "right"], from = "1.5s", to = "4.5s" }
"#;

/// A node subset and a time window: only the chosen nodes' lines, only the
/// messages between them inside the window (counted from the trace), the
/// faults marked; `chart` reproduces it, and draws another view on request.
#[test]
fn spacetime_subset_window_and_faults() {
    let dir = temp_dir("charts-view");
    std::fs::write(dir.join("faulty.toml"), FAULTY).unwrap();
    ok(&scuttlesim(&["run", "faulty.toml", "--out", "o"], &dir));
    let run = dir.join("o/faulty/7");
    let svg = check(
        &run,
        "spacetime",
        &[
            "faulty: space-time diagram",
            // Each side is one group (left = 0-2, right = 3-5): named so.
            "partition left | right",
            "partition / cut",
            "node down",
            "clock step",
        ],
    );
    assert_eq!(node_labels(&svg), ["n1", "n3", "n4", "n5"]);

    // Arrows: messages sent and received inside [1.5 s, 4.5 s] between two
    // of the chosen nodes, plus one legend arrow per kind drawn.
    let trace = std::fs::File::open(run.join("trace.jsonl")).unwrap();
    let (_, records) = scuttlesim::trace::read_trace(std::io::BufReader::new(trace)).unwrap();
    let chosen = |n: u32| [1, 3, 4, 5].contains(&n);
    let inside = |t: u64| (1_500_000_000..=4_500_000_000).contains(&t);
    let mut sent: std::collections::BTreeMap<u64, String> = Default::default();
    let mut arrows = 0;
    let mut kinds = std::collections::BTreeSet::new();
    let mut outside = 0;
    for r in &records {
        match r {
            scuttlesim::trace::Record::Send {
                t,
                id,
                from,
                to,
                kind,
                ..
            } => {
                if inside(*t) && chosen(*from) && chosen(*to) {
                    sent.insert(*id, kind.to_string());
                } else {
                    outside += 1;
                }
            }
            scuttlesim::trace::Record::Receive { t, id, .. } if inside(*t) => {
                if let Some(k) = sent.get(id) {
                    arrows += 1;
                    kinds.insert(k.clone());
                }
            }
            scuttlesim::trace::Record::Drop { t, id, .. } if inside(*t) => {
                if let Some(k) = sent.get(id) {
                    kinds.insert(k.clone());
                }
            }
            _ => {}
        }
    }
    assert!(
        arrows > 10 && outside > 10,
        "{arrows} arrows, {outside} other messages"
    );
    assert_eq!(triangles(&svg), arrows + kinds.len());

    // `chart` draws the same diagram from the stored trace...
    let before = std::fs::read(run.join("charts/spacetime.svg")).unwrap();
    std::fs::remove_dir_all(run.join("charts")).unwrap();
    ok(&scuttlesim(&["chart", "o/faulty/7"], &dir));
    assert!(std::fs::read(run.join("charts/spacetime.svg")).unwrap() == before);
    // ...and another view: two nodes, a window before any fault.
    let other = spacetime_svg(
        &dir,
        "o/faulty/7",
        &["--nodes", "0,3", "--from", "100ms", "--to", "900ms"],
    );
    well_formed(&other);
    assert_eq!(node_labels(&other), ["n0", "n3"]);
    assert!(!other.contains("partition") && !other.contains("node down"));
    // The whole run: every node, every fault (node 0's crash too).
    let all = spacetime_svg(&dir, "o/faulty/7", &["--nodes", "left,right", "--from", "0s"]);
    assert_eq!(node_labels(&all), ["n0", "n1", "n2", "n3", "n4", "n5"]);
    assert!(all.contains("partition left | right") && all.contains("node down"));
}

/// Open circles (`<circle>`s with a stroke and no fill): in a space-time
/// diagram, the sends and receipts of messages whose other end is not drawn
/// (and the legend's sample).
fn rings(svg: &str) -> usize {
    svg.split("<circle ")
        .skip(1)
        .filter(|c| c.contains("fill=\"none\"") && c.contains("stroke=\"#1A1A1A\""))
        .count()
}

/// The messages a drawn node sends to, or receives from, a node not drawn
/// are open circles, explained in the legend; with every node drawn there
/// are none, and no legend entry.
#[test]
fn spacetime_marks_messages_to_nodes_not_shown() {
    let dir = temp_dir("charts-hidden");
    std::fs::write(dir.join("faulty.toml"), FAULTY).unwrap();
    ok(&scuttlesim(&["run", "faulty.toml", "--out", "o"], &dir));
    let run = dir.join("o/faulty/7");
    let svg = check(&run, "spacetime", &["message to/from a node not shown"]);

    // From the trace: sends by a chosen node to one not chosen, and
    // receipts by a chosen node from one not chosen, in [1.5 s, 4.5 s].
    let trace = std::fs::File::open(run.join("trace.jsonl")).unwrap();
    let (_, records) = scuttlesim::trace::read_trace(std::io::BufReader::new(trace)).unwrap();
    let chosen = |n: u32| [1, 3, 4, 5].contains(&n);
    let inside = |t: u64| (1_500_000_000..=4_500_000_000).contains(&t);
    let expected = records
        .iter()
        .filter(|r| match r {
            scuttlesim::trace::Record::Send { t, from, to, .. } => {
                inside(*t) && chosen(*from) && !chosen(*to)
            }
            scuttlesim::trace::Record::Receive { t, from, to, .. } => {
                inside(*t) && chosen(*to) && !chosen(*from)
            }
            _ => false,
        })
        .count();
    assert!(expected > 5, "{expected} messages to or from n0 and n2");
    assert_eq!(
        rings(&svg),
        expected + 1,
        "a ring per such message and the legend's"
    );

    // Every node over the whole run: every message is an arrow.
    let all = spacetime_svg(&dir, "o/faulty/7", &["--nodes", "left,right", "--from", "0s"]);
    assert_eq!(node_labels(&all), ["n0", "n1", "n2", "n3", "n4", "n5"]);
    assert!(!all.contains("node not shown"));
    assert_eq!(rings(&all), 0);
}

/// `(x, width)` of each `<rect>` filled with `fill` at `opacity`.
fn rects(svg: &str, fill: &str, opacity: &str) -> Vec<(i32, i32)> {
    let attr = |tag: &str, name: &str| -> Option<String> {
        let k = tag.find(&format!(" {name}=\""))? + name.len() + 3;
        tag[k..].split('"').next().map(str::to_string)
    };
    svg.split("<rect")
        .skip(1)
        .map(|r| r.split('>').next().unwrap())
        .filter(|r| {
            attr(r, "fill").as_deref() == Some(fill) && attr(r, "opacity").as_deref() == Some(opacity)
        })
        .map(|r| {
            let n = |name| attr(r, name).unwrap().parse().unwrap();
            (n("x"), n("width"))
        })
        .collect()
}

/// The x coordinates of the points of each `<polyline>` stroked `stroke`.
fn lines_stroked(svg: &str, stroke: &str) -> Vec<Vec<i32>> {
    polylines(svg, stroke)
        .into_iter()
        .map(|line| line.into_iter().map(|(x, _)| x).collect())
        .collect()
}

/// The points of each `<polyline>` stroked `stroke`.
fn polylines(svg: &str, stroke: &str) -> Vec<Vec<(i32, i32)>> {
    svg.split("<polyline ")
        .skip(1)
        .filter(|p| {
            p.split('>')
                .next()
                .unwrap()
                .contains(&format!("stroke=\"{stroke}\""))
        })
        .map(|p| {
            let points = p.split("points=\"").nth(1).unwrap().split('"').next().unwrap();
            points
                .split_whitespace()
                .map(|xy| {
                    let (x, y) = xy.split_once(',').unwrap();
                    (x.parse().unwrap(), y.parse().unwrap())
                })
                .collect()
        })
        .collect()
}

/// A `staleness.csv` by hand with no stale mapping at 3 s: the mean
/// staleness is undefined there, so its line breaks into two pieces, 1–2 s
/// and 4–5 s, and does not drop to 0 (where the max line is at 3 s). The
/// means are chosen equal to max values (1.0 s = max at 4 s, 1.5 s = max at
/// 1 s, 2.0 s = max at 5 s), so the max line's pixels say where each mean
/// point must be. Files written before the undefined mean was left empty
/// (0 there) draw the same.
#[test]
fn staleness_mean_line_breaks_where_nothing_is_stale() {
    let csv = "t_ns,stale,max_ns,mean_ns\n\
               1000000000,2,1500000000,1000000000\n\
               2000000000,2,2000000000,1500000000\n\
               3000000000,0,0,\n\
               4000000000,1,1000000000,1000000000\n\
               5000000000,1,2000000000,2000000000\n";
    let older = csv.replace(",0,0,\n", ",0,0,0\n");
    let s = scuttlesim::scenario::load(&shipped("quickstart.toml"), &[]).unwrap();
    let prov = scuttlesim::render::provenance("0.1.0", &s);
    for csv in [csv.to_string(), older] {
        let files = [(scuttlesim::report::STALENESS, csv.into_bytes())];
        let src = scuttlesim::render::InMemory {
            dir: Path::new("run"),
            files: &files,
        };
        let svg = scuttlesim::render::render(
            scuttlesim::scenario::ChartKind::Staleness,
            &s,
            &Default::default(),
            &prov,
            &src,
            scuttlesim::chart::ImageFormat::Svg,
        )
        .unwrap();
        let svg = svg.svg_text().unwrap();
        // Max (vermillion): one line through all five samples.
        let max: Vec<Vec<(i32, i32)>> = polylines(svg, "#D55E00")
            .into_iter()
            .filter(|l| l.len() == 5)
            .collect();
        let [p] = &max[..] else { panic!("{max:?}") };
        // Mean (blue), less the legend sample above the plot (the means are
        // at most the largest max, 2 s at 2 s).
        let mean: Vec<Vec<(i32, i32)>> = polylines(svg, "#0072B2")
            .into_iter()
            .filter(|l| l.iter().all(|q| q.1 >= p[1].1))
            .collect();
        let at = |t: usize, max_at: usize| (p[t - 1].0, p[max_at - 1].1);
        // Dashed: its dashes run from the first sample to the second, and
        // from the fourth to the fifth, with a gap between.
        let pts: Vec<(i32, i32)> = mean.iter().flatten().copied().collect();
        assert_eq!(
            (pts.first(), pts.last()),
            (Some(&at(1, 4)), Some(&at(5, 5))),
            "{mean:?}"
        );
        assert!(pts.contains(&at(2, 1)) && pts.contains(&at(4, 4)), "{mean:?}");
        assert!(
            pts.iter().all(|q| q.0 <= at(2, 1).0 || q.0 >= at(4, 4).0),
            "{mean:?}"
        );
        assert!(mean.iter().flatten().all(|q| q.1 != p[2].1), "no mean at 0");
    }
}

/// A degradation in force during a partition does not hide it: the
/// partition's grey band (black at 10 %) is drawn, and the degradation's
/// orange (#E69F00) hatching crosses it where both are in force.
#[test]
fn spacetime_partition_shows_under_a_degradation() {
    let dir = temp_dir("charts-degraded");
    // FAULTY's partition (2 s to 4 s) and, from 3 s to 5 s, slower links
    // among the right-hand nodes.
    let overlap = format!(
        "{FAULTY}\n[[faults]]\nat = \"3s\"\ndegrade = {{ from = [\"right\"], to = [\"right\"], extra_latency = \"30ms\", for = \"2s\" }}\n"
    );
    std::fs::write(dir.join("overlap.toml"), overlap).unwrap();
    ok(&scuttlesim(&["run", "overlap.toml", "--out", "o"], &dir));
    let svg = check(
        &dir.join("o/faulty/7"),
        "spacetime",
        &[
            "partition / cut",
            "degraded links",
            "partition left | right",
            "degraded right &lt;-&gt; right",
        ],
    );
    // The band of the partition (the legend's sample is at 15 %).
    let bands = rects(&svg, "#000000", "0.1");
    assert_eq!(bands.len(), 1, "{bands:?}");
    let (x0, w) = bands[0];
    // Hatching lines (and the legend's sample), some of them over the band.
    let hatch = lines_stroked(&svg, "#E69F00");
    assert!(hatch.len() > 10, "{} hatching lines", hatch.len());
    let over = hatch
        .iter()
        .filter(|xs| xs.iter().all(|x| (x0..=x0 + w).contains(x)))
        .count();
    assert!(over > 5, "{over} hatching lines over the partition's band");
    // ...but not all: the degradation lasts after the heal.
    assert!(over < hatch.len());
}

/// A window that begins while a partition is in force shades it from the
/// window's left edge and says when it began.
#[test]
fn spacetime_window_inside_a_partition() {
    let dir = temp_dir("charts-earlier");
    std::fs::write(dir.join("faulty.toml"), FAULTY).unwrap();
    ok(&scuttlesim(&["run", "faulty.toml", "--out", "o"], &dir));
    // The partition runs from 2 s to 4 s.
    let svg = spacetime_svg(&dir, "o/faulty/7", &["--from", "3s", "--to", "5s"]);
    well_formed(&svg);
    assert!(
        texts(&svg)
            .iter()
            .any(|t| t == "◂ partition left | right (from 2s)"),
        "{:?}",
        texts(&svg)
    );
    // The band starts where the node lines do, at the left edge; it ends at
    // the heal, half way along (4 s in [3 s, 5 s]).
    let bands = rects(&svg, "#000000", "0.1");
    assert_eq!(bands.len(), 1, "{bands:?}");
    let node_line = lines_stroked(&svg, "#1A1A1A")
        .into_iter()
        .filter(|xs| xs.len() == 2)
        .max_by_key(|xs| xs[1] - xs[0])
        .unwrap();
    let (left, right) = (node_line[0], node_line[1]);
    assert_eq!(bands[0].0, left);
    assert!(
        (bands[0].1 - (right - left) / 2).abs() <= 1,
        "{bands:?} in {left}..{right}"
    );
    // A partition that began inside the window is labelled plainly.
    let svg = spacetime_svg(&dir, "o/faulty/7", &["--from", "1s"]);
    assert!(texts(&svg).iter().any(|t| t == "partition left | right"));
    assert!(!svg.contains('◂'));
}

/// `chart --to` includes its end, like `trace --to`, and so does
/// `output.spacetime.to`: in the vector-clock talk figure (aligned rounds,
/// 100 ms latency), P's round sends syn at 1 s, Q answers with ack at
/// 1.1 s, and P receives it exactly at 1.2 s ([3,2]) and sends ack2 ([4,2]),
/// which Q receives at 1.3 s ([4,3]).
#[test]
fn spacetime_window_includes_its_end() {
    let dir = temp_dir("charts-to");
    let s = shipped("talk/vector-clocks.toml");
    let with_to = format!(
        "{}spacetime = {{ to = \"1.2s\" }}\n",
        std::fs::read_to_string(&s).unwrap()
    );
    std::fs::write(dir.join("to.toml"), with_to).unwrap();
    ok(&scuttlesim(&["run", "to.toml", "--out", "o"], &dir));
    let run = dir.join("o/talk-vector-clocks/1");
    let from_scenario = check(&run, "spacetime", &["[2,1]", "[2,2]", "[3,2]", "[4,2]"]);
    assert!(!from_scenario.contains("[4,3]"), "after the window");
    // Arrows: syn (1 s to 1.1 s) and ack (1.1 s to 1.2 s), and their legend
    // samples; ack2, in flight at 1.2 s, is left out.
    assert_eq!(triangles(&from_scenario), 2 + 2);

    // The same window from the command line, on the whole run's directory.
    ok(&scuttlesim(&["run", s.to_str().unwrap(), "--out", "full"], &dir));
    let svg = spacetime_svg(&dir, "full/talk-vector-clocks/1", &["--to", "1.2s"]);
    for label in ["[3,2]", "[4,2]"] {
        assert!(svg.contains(label), "lacks {label}");
    }
    assert!(!svg.contains("[4,3]"));
    assert_eq!(triangles(&svg), 2 + 2);
    // One nanosecond earlier, the receipt at 1.2 s is not drawn.
    let svg = spacetime_svg(&dir, "full/talk-vector-clocks/1", &["--to", "1.199999999s"]);
    assert!(svg.contains("[2,2]") && !svg.contains("[3,2]"));
    assert_eq!(triangles(&svg), 1 + 1);

    // `chart --help` and `trace --help` say it in the same words.
    for cmd in ["chart", "trace"] {
        let out = scuttlesim(&[cmd, "--help"], &dir);
        ok(&out);
        let help = String::from_utf8_lossy(&out.stdout);
        assert!(help.contains("at or after this time"), "{cmd}: {help}");
        assert!(help.contains("at or before this time"), "{cmd}: {help}");
    }
}

/// Bad space-time views fail with the option or field at fault and what is
/// valid, before anything is drawn.
#[test]
fn bad_spacetime_views_fail_clearly() {
    let dir = temp_dir("charts-view-bad");
    std::fs::write(dir.join("faulty.toml"), FAULTY).unwrap();
    ok(&scuttlesim(&["run", "faulty.toml", "--out", "o"], &dir));
    for (args, needles) in [
        (
            vec!["--nodes", "0,9"],
            vec!["--nodes", "node 9 does not exist", "0 to 5"],
        ),
        (vec!["--nodes", "0,,1"], vec!["--nodes", "empty entry"]),
        (
            vec!["--nodes", "mars"],
            vec!["--nodes", "group \"mars\" does not exist", "left, right"],
        ),
        (
            vec!["--nodes", "1;2"],
            vec!["--nodes", "neither a node id nor a group name"],
        ),
        (
            vec!["--from", "7s"],
            vec!["--from", "7s is not before the end of the run (6s)"],
        ),
        (
            vec!["--from", "3s", "--to", "2s"],
            vec!["--to", "2s is not after the start of the window (3s)"],
        ),
        (vec!["--to", "9s"], vec!["--to", "after the end of the run (6s)"]),
        (vec!["--from", "soon"], vec!["--from", "soon"]),
    ] {
        let mut all = vec!["chart", "o/faulty/7", "--only", "spacetime"];
        all.extend(&args);
        let out = scuttlesim(&all, &dir);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        for n in needles {
            assert!(err.contains(n), "{args:?}: {err}");
        }
        assert!(!err.contains("panicked"), "{err}");
    }
    // The options only concern the space-time diagram.
    let out = scuttlesim(
        &["chart", "o/faulty/7", "--only", "bandwidth", "--nodes", "1"],
        &dir,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("add --only spacetime"));

    // The same checks in a scenario, with the field's path.
    let base = "duration = \"10s\"\n[nodes]\ncount = 4\n[output]\ntrace = \"full\"\n";
    for (view, needles) in [
        (
            "spacetime = { nodes = [7] }",
            vec!["output.spacetime.nodes", "node 7 does not exist"],
        ),
        (
            "spacetime = { nodes = [] }",
            vec!["output.spacetime.nodes", "at least one"],
        ),
        (
            "spacetime = { from = \"10s\" }",
            vec!["output.spacetime.from", "not before the end"],
        ),
        (
            "spacetime = { from = \"2s\", to = \"1s\" }",
            vec!["output.spacetime.to", "not after"],
        ),
        ("spacetime = { node = [1] }", vec!["node"]),
    ] {
        let e = scenario_error(&format!("{base}{view}"));
        for n in needles {
            assert!(e.contains(n), "{view}: {e}");
        }
    }
    // A large run may draw a chosen subset, at most 32 nodes.
    let big =
        "duration = \"10s\"\n[nodes]\ncount = 40\n[output]\ntrace = \"full\"\ncharts = [\"spacetime\"]\n";
    crate::support::scenario(&format!("{big}spacetime = {{ nodes = [0, 39] }}"));
    let e = scenario_error(&format!(
        "{big}spacetime = {{ nodes = [{}] }}",
        (0..33).map(|i| i.to_string()).collect::<Vec<_>>().join(", ")
    ));
    assert!(
        e.contains("output.spacetime.nodes") && e.contains("names 33 nodes"),
        "{e}"
    );
}

/// Metrics written before bandwidth was split by message part (no
/// `*_bytes` part columns) still chart, stacked by message kind.
#[test]
fn bandwidth_of_older_metrics_stacks_by_kind() {
    let dir = temp_dir("charts-old-bandwidth");
    std::fs::write(dir.join("small.toml"), SMALL).unwrap();
    ok(&scuttlesim(
        &[
            "run",
            "small.toml",
            "--out",
            "o",
            "--set",
            "output.charts=[\"bandwidth\"]",
        ],
        &dir,
    ));
    let run = dir.join("o/small/3");
    for (file, keep) in [("bandwidth.csv", 7), ("bandwidth_nodes.csv", 7)] {
        let path = run.join("metrics").join(file);
        let text = std::fs::read_to_string(&path).unwrap();
        let cut: Vec<String> = text
            .lines()
            .map(|l| {
                if l.starts_with('#') {
                    l.to_string()
                } else {
                    l.split(',').take(keep).collect::<Vec<_>>().join(",")
                }
            })
            .collect();
        assert!(!cut.iter().any(|l| l.contains("digest_bytes")));
        std::fs::write(&path, cut.join("\n") + "\n").unwrap();
    }
    ok(&scuttlesim(&["chart", "o/small/3", "--format", "svg"], &dir));
    let svg = std::fs::read_to_string(run.join("charts/bandwidth.svg")).unwrap();
    assert!(svg.contains("(a) rate by message kind"));
    let labels = texts(&svg);
    for l in ["message kind", "syn", "ack", "ack2", "total"] {
        assert!(labels.iter().any(|t| t == l), "lacks {l:?}");
    }
}

/// DESIGN.md §1 in the shipped talk scenario: P = n0 writes ([1,0]), sends
/// its digest to Q = n1 ([2,0]); Q receives it: [2,1]; and so on through
/// the exchange (see the scenario's comments).
#[test]
fn the_vector_clock_talk_figure() {
    let dir = temp_dir("charts-talk");
    let s = shipped("talk/vector-clocks.toml");
    ok(&scuttlesim(&["run", s.to_str().unwrap(), "--out", "o"], &dir));
    let run = dir.join("o/talk-vector-clocks/1");
    let svg = check(
        &run,
        "spacetime",
        &[
            "[1,0]", "[2,0]", "[2,1]", "[2,2]", "[3,2]", "[4,2]", "[4,3]", "syn", "ack", "ack2", "write",
        ],
    );
    assert!(!svg.contains("[5,"), "exactly one exchange");
    assert!(
        !run.join("charts/convergence.svg").exists(),
        "only the charts named"
    );
}

/// A whole run's space-time diagram of many messages gets a note with a
/// window to draw instead, and that window (taken from the note) draws a
/// diagram without one; a run of too many nodes is refused with a word on
/// `--nodes`, the chart command's way to choose them.
#[test]
fn dense_spacetime_suggests_a_window() {
    let dir = temp_dir("charts-dense");
    let q = shipped("quickstart.toml");
    let q = q.to_str().unwrap();
    let run = |extra: &[&str]| {
        let mut args = vec!["run", q, "--trace", "full", "--out", "o", "--quiet"];
        args.extend(extra);
        ok(&scuttlesim(&args, &dir));
    };
    run(&[]);
    let out = scuttlesim(&["chart", "o/quickstart/42", "--only", "spacetime"], &dir);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("output.spacetime.nodes") && err.contains("--nodes"),
        "{err}"
    );

    // Every message among 16 nodes: about 1,400.
    run(&["--set", "nodes.count=16", "--set", "name=q16"]);
    let base = ["chart", "o/q16/42", "--only", "spacetime", "--format", "svg"];
    let out = scuttlesim(&base, &dir);
    ok(&out);
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    let note = err
        .lines()
        .find(|l| l.contains("dense diagram"))
        .unwrap_or_else(|| panic!("{err}"));
    let word_after = |flag: &str| {
        let rest = &note[note.find(flag).unwrap_or_else(|| panic!("{note}")) + flag.len()..];
        rest.split_whitespace().next().unwrap().to_string()
    };
    let (from, to) = (word_after("--from "), word_after("--to "));
    let mut windowed = base.to_vec();
    windowed.extend(["--from", &from, "--to", &to]);
    let out = scuttlesim(&windowed, &dir);
    ok(&out);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("dense diagram"), "{from}..{to}: {err}");
    let svg = std::fs::read_to_string(dir.join("o/q16/42/charts/spacetime.svg")).unwrap();
    assert!(count(&svg, "polygon") > 20, "the window has arrows");
}

#[test]
fn bad_chart_requests_fail_clearly() {
    let dir = temp_dir("charts-bad");
    let q = shipped("quickstart.toml");
    let q = q.to_str().unwrap();
    // A space-time diagram needs a full trace: nothing is written.
    let out = scuttlesim(
        &[
            "run",
            q,
            "--set",
            "nodes.count=4",
            "--set",
            "output.charts=[\"spacetime\"]",
            "--out",
            "o",
        ],
        &dir,
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("full trace") && err.contains("--trace full"),
        "{err}"
    );
    assert!(!dir.join("o").exists());

    ok(&scuttlesim(
        &["run", q, "--set", "nodes.count=4", "--out", "o"],
        &dir,
    ));
    for (args, needle) in [
        (
            vec!["chart", "o/quickstart/42", "--only", "staleness"],
            "output.staleness = true",
        ),
        (
            vec!["chart", "o/quickstart/42", "--only", "spacetime"],
            "--trace full",
        ),
        (vec!["chart", "o"], "no manifest"),
    ] {
        let out = scuttlesim(&args, &dir);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(needle), "{args:?}: {err}");
    }
    let out = scuttlesim(&["chart", "o/quickstart/42", "--only", "pie"], &dir);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("convergence"));
    // A drawable chart asked for beside one that cannot be drawn: nothing
    // is written, not even the drawable one.
    let charts = dir.join("o/quickstart/42/charts");
    std::fs::remove_file(charts.join("informed.svg")).unwrap();
    let before: Vec<_> = std::fs::read_dir(&charts)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    let out = scuttlesim(
        &[
            "chart",
            "o/quickstart/42",
            "--only",
            "informed",
            "--only",
            "spacetime",
        ],
        &dir,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(!charts.join("informed.svg").exists());
    assert_eq!(std::fs::read_dir(&charts).unwrap().count(), before.len());
}

#[test]
fn chart_names_are_validated() {
    let base = "duration = \"10s\"\n[nodes]\ncount = 4\n[output]\n";
    let e = scenario_error(&format!("{base}charts = [\"pie\"]"));
    for name in [
        "output.charts",
        "convergence",
        "informed",
        "bandwidth",
        "staleness",
        "spacetime",
    ] {
        assert!(e.contains(name), "{e}");
    }
    let e = scenario_error(&format!("{base}charts = [\"staleness\"]"));
    assert!(
        e.contains("output.charts[0]") && e.contains("output.staleness = true"),
        "{e}"
    );
    let e = scenario_error(&format!("{base}charts = [\"informed\", \"informed\"]"));
    assert!(e.contains("output.charts[1]") && e.contains("twice"), "{e}");
    let e = scenario_error(
        "duration = \"10s\"\n[nodes]\ncount = 40\n[output]\ntrace = \"full\"\ncharts = [\"spacetime\"]",
    );
    assert!(
        e.contains("at most 32 nodes") && e.contains("output.spacetime.nodes"),
        "{e}"
    );
    let e = scenario_error(&format!("{base}sample_interval = \"0s\""));
    assert!(e.contains("output.sample_interval"), "{e}");
}

/// The run loop reports progress to its sink every PROGRESS_EVERY events,
/// and watching it changes nothing.
#[test]
fn progress_is_reported_every_few_thousand_events() {
    use scuttlesim::time::SimTime;
    use scuttlesim::trace::{NullSink, WithProgress, PROGRESS_EVERY};
    let mut s = scuttlesim::scenario::load(&shipped("quickstart.toml"), &[]).unwrap();
    s.nodes.count = 256;
    let plain = scuttlesim::sim::run(&s, &mut NullSink);
    let mut calls: Vec<(SimTime, u64)> = Vec::new();
    let mut progress = |t: SimTime, e: u64| calls.push((t, e));
    let watched = scuttlesim::sim::run(
        &s,
        &mut WithProgress {
            inner: &mut NullSink,
            progress: &mut progress,
        },
    );
    assert_eq!(plain.digest, watched.digest);
    assert!(plain.events > 2 * PROGRESS_EVERY, "{} events", plain.events);
    assert_eq!(calls.len() as u64, plain.events / PROGRESS_EVERY);
    for (i, (t, e)) in calls.iter().enumerate() {
        assert_eq!(*e, (i as u64 + 1) * PROGRESS_EVERY);
        assert!(*t <= plain.end);
    }
    assert!(calls.windows(2).all(|w| w[0].0 <= w[1].0));
}

/// A space-time diagram of a 64-node run with a versions trace has two
/// problems, and both are reported at once: the trace level, and the nodes
/// to choose (at most 32). With a subset chosen only the level remains.
#[test]
fn spacetime_reports_the_trace_level_and_the_node_count_together() {
    let dir = temp_dir("spacetime-both");
    let q = shipped("quickstart.toml");
    ok(&scuttlesim(
        &["run", q.to_str().unwrap(), "--out", "o", "-q"],
        &dir,
    ));
    let err = |args: &[&str]| {
        let mut all = vec!["chart", "o/quickstart/42", "--only", "spacetime"];
        all.extend_from_slice(args);
        let o = scuttlesim(&all, &dir);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        String::from_utf8_lossy(&o.stderr).trim().to_string()
    };
    let level = "needs a full trace, but o/quickstart/42/trace.jsonl is at level \"versions\" (rerun with --trace full)";
    let e = err(&[]);
    assert!(e.contains(level), "{e}");
    assert!(
        e.contains(
            "; and output.spacetime.nodes: a space-time diagram draws at most 32 nodes; this run has 64"
        ),
        "{e}"
    );
    assert!(e.find(level) < e.find("draws at most 32"), "the level first: {e}");
    let e = err(&["--nodes", "0,1"]);
    assert!(e.ends_with(level), "{e}");
    assert!(!e.contains("draws at most"), "{e}");
    assert!(!dir.join("o/quickstart/42/charts/spacetime.svg").exists());
}

/// A space-time window after the run's last record (a quiet end) is drawn,
/// not refused: the run's end bounds the window, not its last record.
#[test]
fn a_window_after_the_last_record_is_drawn() {
    let dir = temp_dir("spacetime-quiet-end");
    std::fs::write(
        dir.join("q.toml"),
        "duration = \"10s\"\n[nodes]\ncount = 2\n[gossip]\nphase = \"aligned\"\n[[workload.schedule]]\nat = \"500ms\"\nnode = 0\n[output]\ntrace = \"full\"\ncharts = [\"spacetime\"]\nspacetime = { from = \"9.5s\" }\n",
    )
    .unwrap();
    let o = scuttlesim(&["run", "q.toml", "--out", "o"], &dir);
    ok(&o);
    assert!(dir.join("o/q/1/manifest.json").is_file());
    // Rounds at 1 s, …, 9 s: the last record is before 9.5 s.
    let svg = spacetime_svg(&dir, "o/q/1", &["--from", "9.6s", "--to", "9.9s"]);
    well_formed(&svg);
}

/// `chart --name` keeps two windows of one run side by side: each is
/// written as charts/NAME.svg/.png, the two differ (each has the vector
/// clocks of its own window only), and the diagram under its own name,
/// drawn by `run`, is left as it was. A name that is not a plain file
/// name, or is another chart's, or comes without exactly one `--only`,
/// exits 2 saying why and writes nothing.
#[test]
fn chart_names_its_files_to_keep_two_windows() {
    let dir = temp_dir("charts-name");
    let s = shipped("talk/vector-clocks.toml");
    ok(&scuttlesim(&["run", s.to_str().unwrap(), "--out", "o"], &dir));
    let run = "o/talk-vector-clocks/1";
    let charts = dir.join(run).join("charts");
    let default_svg = std::fs::read(charts.join("spacetime.svg")).unwrap();
    let default_png = std::fs::read(charts.join("spacetime.png")).unwrap();
    for (name, from, to) in [("early", "0s", "1.15s"), ("late", "1.15s", "1.4s")] {
        let out = scuttlesim(
            &[
                "chart",
                run,
                "--only",
                "spacetime",
                "--from",
                from,
                "--to",
                to,
                "--name",
                name,
            ],
            &dir,
        );
        ok(&out);
        let listed = String::from_utf8_lossy(&out.stdout);
        for ext in ["svg", "png"] {
            let file = charts.join(format!("{name}.{ext}"));
            assert!(file.is_file(), "{file:?}");
            assert!(listed.contains(&format!("{name}.{ext}")), "{listed}");
        }
    }
    let early = std::fs::read_to_string(charts.join("early.svg")).unwrap();
    let late = std::fs::read_to_string(charts.join("late.svg")).unwrap();
    assert_ne!(early, late);
    // P's write and syn, Q's receipt (at 1.1 s) early; the ack's receipt
    // (1.2 s) and the ack2's (1.3 s) late.
    assert!(early.contains("[2,0]") && early.contains("[2,1]") && !early.contains("[3,2]"));
    assert!(late.contains("[3,2]") && late.contains("[4,3]") && !late.contains("[2,0]"));
    assert_ne!(
        std::fs::read(charts.join("early.png")).unwrap(),
        std::fs::read(charts.join("late.png")).unwrap()
    );
    assert_eq!(std::fs::read(charts.join("spacetime.svg")).unwrap(), default_svg);
    assert_eq!(std::fs::read(charts.join("spacetime.png")).unwrap(), default_png);

    let files = |d: &Path| std::fs::read_dir(d).unwrap().count();
    let before = files(&charts);
    for (args, needle) in [
        (vec!["--only", "spacetime", "--name", "../x"], "'/'"),
        (vec!["--only", "spacetime", "--name", "a/b"], "'/'"),
        (vec!["--only", "spacetime", "--name", ".hidden"], "begin with '.'"),
        (vec!["--only", "spacetime", "--name", "a b"], "' '"),
        (vec!["--only", "spacetime", "--name", ""], "1 to 64 characters"),
        (
            vec!["--only", "spacetime", "--name", "convergence"],
            "convergence chart's name",
        ),
        (vec!["--name", "x"], "exactly one --only"),
        (
            vec!["--only", "spacetime,convergence", "--name", "x"],
            "exactly one --only",
        ),
    ] {
        let mut all = vec!["chart", run];
        all.extend_from_slice(&args);
        let out = scuttlesim(&all, &dir);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("--name") && err.contains(needle), "{args:?}: {err}");
    }
    assert_eq!(files(&charts), before, "nothing written");
    assert!(!dir.join(run).join("x.svg").exists());

    let out = scuttlesim(&["chart", "--help"], &dir);
    ok(&out);
    assert!(String::from_utf8_lossy(&out.stdout).contains("--name <NAME>"));
}

/// The time of each bucket of `bandwidth.csv` in `run` (the middle of
/// its span, s) and its total rate (all parts, bytes/s), in file order,
/// read from the file itself.
fn bandwidth_buckets(run: &Path) -> Vec<(f64, f64)> {
    let text = std::fs::read_to_string(run.join("metrics/bandwidth.csv")).unwrap();
    let mut lines = text.lines().filter(|l| !l.starts_with('#'));
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |name: &str| header.iter().position(|c| *c == name).unwrap();
    let (start, end) = (col("start_ns"), col("end_ns"));
    let parts = ["other_bytes", "digest_bytes", "delta_bytes"].map(col);
    let mut out: Vec<(u64, u64, f64)> = Vec::new();
    for line in lines {
        let f: Vec<&str> = line.split(',').collect();
        let (s, e): (u64, u64) = (f[start].parse().unwrap(), f[end].parse().unwrap());
        let bytes: f64 = parts.iter().map(|&p| f[p].parse::<f64>().unwrap()).sum();
        match out.last_mut() {
            Some(last) if last.0 == s => last.2 += bytes,
            _ => out.push((s, e, bytes)),
        }
    }
    out.iter()
        .map(|&(s, e, b)| ((s + e) as f64 / 2e9, b / ((e - s) as f64 / 1e9)))
        .collect()
}

/// `chart --from 3s --to 5s` on FAULTY's bandwidth and staleness (the
/// partition holds from 2 s to 4 s): the stack's top edge has one point
/// per bucket of `bandwidth.csv` whose time lies in [3 s, 5 s], left to
/// right, higher where the file's total is larger; the partition, begun
/// before the window, says so; convergence and informed, which have no
/// time axis, are refused by name; and the charts drawn without a window
/// are still those `run` drew, byte for byte.
#[test]
fn bandwidth_and_staleness_windows() {
    let dir = temp_dir("charts-series-window");
    std::fs::write(dir.join("faulty.toml"), FAULTY).unwrap();
    ok(&scuttlesim(
        &[
            "run",
            "faulty.toml",
            "--out",
            "o",
            "--set",
            "output.staleness=true",
            "--set",
            "output.charts=[\"bandwidth\",\"staleness\"]",
        ],
        &dir,
    ));
    let run = dir.join("o/faulty/7");
    let drawn = |name: &str| std::fs::read(run.join(format!("charts/{name}.svg"))).unwrap();
    let (bandwidth, staleness) = (drawn("bandwidth"), drawn("staleness"));

    let window = ["--from", "3s", "--to", "5s", "--format", "svg"];
    let mut args = vec!["chart", "o/faulty/7", "--only", "bandwidth", "--name", "bw-3-5"];
    args.extend(window);
    ok(&scuttlesim(&args, &dir));
    let svg = std::fs::read_to_string(run.join("charts/bw-3-5.svg")).unwrap();
    well_formed(&svg);
    let label = "◂ partition left | right (from 2s)";
    assert!(texts(&svg).iter().any(|t| t == label), "{:?}", texts(&svg));
    let inside: Vec<(f64, f64)> = bandwidth_buckets(&run)
        .into_iter()
        .filter(|(t, _)| (3.0..=5.0).contains(t))
        .collect();
    assert!(inside.len() >= 2, "{inside:?}");
    // delta is the top of the stack: its edge is the total.
    let edge = &polylines(&svg, "#D55E00")[0];
    assert_eq!(edge.len(), inside.len(), "{edge:?} for {inside:?}");
    for (a, b) in edge.iter().zip(edge.iter().skip(1)) {
        assert!(a.0 < b.0, "{edge:?}");
    }
    for (i, j) in [(0, 1), (1, 0)] {
        if inside[i].1 > inside[j].1 * 1.1 {
            assert!(edge[i].1 < edge[j].1, "{edge:?} for {inside:?}");
        }
    }

    let mut args = vec!["chart", "o/faulty/7", "--only", "staleness", "--name", "st-3-5"];
    args.extend(window);
    ok(&scuttlesim(&args, &dir));
    let svg = std::fs::read_to_string(run.join("charts/st-3-5.svg")).unwrap();
    assert!(texts(&svg).iter().any(|t| t == label), "{:?}", texts(&svg));

    for chart in ["convergence", "informed"] {
        for only in [chart.to_string(), format!("bandwidth,{chart}")] {
            let out = scuttlesim(&["chart", "o/faulty/7", "--only", &only, "--from", "3s"], &dir);
            assert_eq!(out.status.code(), Some(2), "{only}");
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(
                err.contains(&format!("chart {chart}: --from and --to")) && err.contains("no time axis"),
                "{err}"
            );
        }
    }
    // A window that starts after the end of the run is refused as the
    // space-time diagram's is.
    let out = scuttlesim(
        &["chart", "o/faulty/7", "--only", "bandwidth", "--from", "7s"],
        &dir,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--from: 7s is not before the end of the run (6s)"));

    ok(&scuttlesim(
        &[
            "chart",
            "o/faulty/7",
            "--only",
            "bandwidth,staleness",
            "--format",
            "svg",
        ],
        &dir,
    ));
    assert!(drawn("bandwidth") == bandwidth && drawn("staleness") == staleness);
}

/// A scenario whose space-time window begins after the run stopped,
/// converged, draws the diagram empty with a note under it saying why
/// (and `run` prints it too); `chart` draws the same.
#[test]
fn spacetime_empty_after_a_converged_stop_says_why() {
    let dir = temp_dir("charts-after-stop");
    let scenario = r#"
name = "stops"
seed = 1
duration = "30s"
stop_when_converged = true
[nodes]
count = 4
[workload]
writes = { process = "poisson", mean_interval = "1s" }
stop_at = "2s"
[output]
trace = "full"
charts = ["spacetime"]
spacetime = { from = "25s" }
"#;
    std::fs::write(dir.join("stops.toml"), scenario).unwrap();
    let out = scuttlesim(&["run", "stops.toml", "--out", "o"], &dir);
    ok(&out);
    // `run` prints its chart notes with its summary, on stdout.
    let said = String::from_utf8_lossy(&out.stdout);
    let why = "the window starts at 25.000s but the run stopped, converged, at";
    assert!(said.contains(why), "{said}");
    let svg = std::fs::read_to_string(dir.join("o/stops/1/charts/spacetime.svg")).unwrap();
    let notes: Vec<String> = texts(&svg).into_iter().filter(|t| t.contains(why)).collect();
    assert_eq!(notes.len(), 1, "{:?}", texts(&svg));
    assert!(notes[0].starts_with("empty: ") && notes[0].contains("(stop_when_converged)"));
    assert!(texts(&svg).iter().any(|t| t == "no data"));
    // `chart` draws the same diagram.
    ok(&scuttlesim(&["chart", "o/stops/1", "--format", "svg"], &dir));
    assert_eq!(
        std::fs::read_to_string(dir.join("o/stops/1/charts/spacetime.svg")).unwrap(),
        svg
    );
}
