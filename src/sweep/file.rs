//! The sweep file (TOML or JSON, unknown fields rejected): schema, loading
//! with located errors, and resolution into a [`Sweep`].
//!
//! ```toml
//! name = "fanout-sweep"            # optional; default: the file's stem
//! base = "quickstart.toml"         # relative to this file; or an inline [base] table
//! seeds = 20                       # seeds 1..=20; or { from = 100, to = 119 }
//! [grid]
//! "gossip.fanout" = [1, 2, 3, 4, 6]
//! "network.loss" = [0.0, 0.05]
//! ```

use super::grid::{self, MAX_SLUG};
use super::{Plan, Point, RunInfo, SeedRange, Sweep, MAX_RUNS, PLAN_FORMAT};
use crate::error::ScenarioError;
use crate::scenario::{
    self, apply_overrides, deserialize_located, with_integer_rule, Format, Scenario, TraceLevel,
};
use crate::summary::VERSION;
use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

/// Most seeds per point.
const MAX_SEEDS: u64 = 1_000_000;

/// Grid paths a sweep sets itself.
const RESERVED: [(&str, &str); 3] = [
    ("name", "the sweep's `name` names every run"),
    ("seed", "use `seeds` to choose the seeds"),
    (
        "output",
        "every run of a sweep writes the same outputs: set `[output]` in the base scenario (the trace level with `--trace`)",
    ),
];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SweepFile {
    #[serde(default)]
    name: Option<String>,
    base: Base,
    #[serde(default)]
    grid: BTreeMap<String, Value>,
    seeds: Seeds,
}

/// The base scenario: a path (relative to the sweep file) or inline.
#[derive(Debug)]
enum Base {
    Path(String),
    Inline(Box<Scenario>),
}

impl<'de> Deserialize<'de> for Base {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Base;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a path to a scenario file, or an inline scenario table")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Base, E> {
                Ok(Base::Path(v.to_string()))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Base, A::Error> {
                Scenario::deserialize(de::value::MapAccessDeserializer::new(map))
                    .map(|s| Base::Inline(Box::new(s)))
            }
        }
        d.deserialize_any(V)
    }
}

/// `seeds = 20` (1..=20) or `seeds = { from = 100, to = 119 }`.
#[derive(Debug)]
struct Seeds(SeedRange);

impl<'de> Deserialize<'de> for Seeds {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Seeds;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a seed count such as 20, or a range such as { from = 100, to = 119 }")
            }
            fn visit_u64<E: de::Error>(self, n: u64) -> Result<Seeds, E> {
                if n == 0 {
                    return Err(E::custom("must be at least 1 seed"));
                }
                Ok(Seeds(SeedRange { from: 1, to: n }))
            }
            fn visit_i64<E: de::Error>(self, n: i64) -> Result<Seeds, E> {
                u64::try_from(n)
                    .map_err(|_| E::custom(format!("must be a positive seed count; got {n}")))
                    .and_then(|n| self.visit_u64(n))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Seeds, A::Error> {
                let r = SeedRange::deserialize(de::value::MapAccessDeserializer::new(map))?;
                if r.to < r.from {
                    return Err(de::Error::custom(format!(
                        "`to` ({}) must not be below `from` ({})",
                        r.to, r.from
                    )));
                }
                Ok(Seeds(r))
            }
        }
        d.deserialize_any(V)
    }
}

/// Loads the sweep file at `path`, resolves and validates every grid point,
/// and plans every run at trace level `trace`. Nothing is written.
pub fn load(path: &Path, trace: TraceLevel) -> Result<Sweep, ScenarioError> {
    let file = path.display().to_string();
    let err = |location: Option<(usize, usize)>, message: String| ScenarioError {
        file: file.clone(),
        field: None,
        location,
        message,
    };
    // A directory first, as for a scenario.
    if path.is_dir() {
        return Err(err(None, "is a directory, expected a sweep file".into()));
    }
    let format = Format::from_path(path)
        .ok_or_else(|| err(None, "unknown file type: expected a .toml or .json sweep".into()))?;
    let text = scenario::read_text(path).map_err(|m| err(None, m))?;
    parse_str(&text, format, path, trace)
        .map_err(|e| scenario::with_wrong_kind_hint(e, &text, format, scenario::FileKind::Sweep))
}

/// Resolves sweep `text` in `format` as if read from `path` (which names
/// the file in errors, gives the default name, and anchors a relative
/// `base`), like [`load`]. Nothing is written.
pub fn parse_str(text: &str, format: Format, path: &Path, trace: TraceLevel) -> Result<Sweep, ScenarioError> {
    let file = path.display().to_string();
    let err = |location: Option<(usize, usize)>, message: String| ScenarioError {
        file: file.clone(),
        field: None,
        location,
        message,
    };
    let sweep: SweepFile =
        deserialize_located(text, format, &file).map_err(|e| with_integer_rule(e, text, format))?;
    let located = |field: &str, message: String| ScenarioError {
        file: file.clone(),
        location: scenario::locate(text, format, field),
        field: Some(field.to_string()),
        message,
    };

    let name = match sweep.name {
        Some(n) => n,
        None => {
            let stem = path.file_stem().map(|s| s.to_string_lossy()).unwrap_or_default();
            scenario::name_from_stem(&stem, "sweep")
        }
    };
    if !valid_name(&name) {
        return Err(located(
            "name",
            format!(
                "{name:?} cannot name an output directory: use letters, digits, '-', '_' and '.', not starting with '.', at most {} bytes",
                crate::scenario::MAX_NAME_BYTES
            ),
        ));
    }

    let base = match sweep.base {
        Base::Path(p) => {
            let base_path = path.parent().unwrap_or(Path::new("")).join(&p);
            if !base_path.is_file() {
                let what = if !base_path.exists() {
                    "does not exist"
                } else if base_path.is_dir() {
                    "is a directory, not a scenario file"
                } else {
                    "is not a scenario file"
                };
                return Err(located(
                    "base",
                    format!(
                        "{} {what} (the base path is relative to the sweep file)",
                        base_path.display()
                    ),
                ));
            }
            scenario::load(&base_path, &[])?
        }
        Base::Inline(mut s) => {
            if s.name.is_empty() {
                s.name = name.clone();
            }
            apply_overrides(&s, &file, &[]).map_err(|e| {
                let field = format!("base.{}", e.field.as_deref().unwrap_or(""));
                located(field.trim_end_matches('.'), e.message)
            })?
        }
    };

    let seeds = sweep.seeds.0;
    if seeds.count() > MAX_SEEDS {
        return Err(located(
            "seeds",
            format!(
                "at most {MAX_SEEDS} seeds per point; got {}",
                u128::from(seeds.to) - u128::from(seeds.from) + 1
            ),
        ));
    }

    let mut grid: Vec<(String, Vec<Value>)> = Vec::new();
    for (key, value) in &sweep.grid {
        flatten(key, value, &mut grid).map_err(|(k, m)| ScenarioError {
            file: file.clone(),
            location: locate_grid_key(text, format, &k),
            field: Some(format!("grid.{k}")),
            message: m,
        })?;
    }
    grid.sort_by(|a, b| a.0.cmp(&b.0));
    // Sorted, a key and the keys inside it are neighbours (`gossip`,
    // `gossip.fanout`): a field swept twice would run one value under the
    // other's label.
    for pair in grid.windows(2) {
        let (a, b) = (&pair[0].0, &pair[1].0);
        if a == b || b.starts_with(&format!("{a}.")) {
            let message = if a == b {
                format!("`{a}` is swept twice (a quoted dotted key and a [grid.…] table name the same field); sweep each field once")
            } else {
                format!("`{b}` is inside `{a}`, which is swept as a whole; sweep one or the other")
            };
            return Err(ScenarioError {
                file: file.clone(),
                location: locate_grid_key(text, format, b),
                field: Some(format!("grid.{b}")),
                message,
            });
        }
    }
    for (key, _) in &grid {
        for (reserved, why) in RESERVED {
            if key == reserved || key.starts_with(&format!("{reserved}.")) {
                return Err(ScenarioError {
                    file: file.clone(),
                    location: locate_grid_key(text, format, key),
                    field: Some(format!("grid.{key}")),
                    message: format!("cannot be swept: {why}"),
                });
            }
        }
    }
    let fields: Vec<String> = grid.iter().map(|(k, _)| k.clone()).collect();
    let lens: Vec<usize> = grid.iter().map(|(_, v)| v.len()).collect();
    // Checked: 64 keys of 2 values each would wrap a plain product to 0.
    let n_points: u64 = lens
        .iter()
        .try_fold(1u64, |a, &l| a.checked_mul(l as u64))
        .unwrap_or(u64::MAX);
    let n_runs = n_points.saturating_mul(seeds.count());
    if n_runs > MAX_RUNS {
        return Err(located(
            "grid",
            format!(
                "{n_points} points x {} seeds = {n_runs} runs; a sweep may have at most {MAX_RUNS} (fewer grid values, or split it into several sweeps)",
                seeds.count()
            ),
        ));
    }

    // Resolve and validate every point before anything runs.
    let mut points = Vec::new();
    let mut scenarios = Vec::new();
    let mut slugs: BTreeMap<String, String> = BTreeMap::new();
    let mut same: BTreeMap<String, String> = BTreeMap::new();
    for idx in grid::product(&lens) {
        let values: Vec<Value> = idx
            .iter()
            .zip(&grid)
            .map(|(&i, (_, vals))| vals[i].clone())
            .collect();
        let label = grid::label(&fields, &values);
        let mut overrides = vec![("name".to_string(), Value::String(name.clone()))];
        overrides.extend(fields.iter().cloned().zip(values.iter().cloned()));
        let mut s = apply_overrides(&base, &file, &overrides).map_err(|e| {
            let key = e
                .field
                .as_deref()
                .and_then(|f| {
                    fields.iter().find(|k| {
                        f == *k || f.starts_with(&format!("{k}.")) || k.starts_with(&format!("{f}."))
                    })
                })
                .or(fields.first());
            let field = e.field.map(|f| format!("field `{f}`: ")).unwrap_or_default();
            ScenarioError {
                file: file.clone(),
                field: None,
                location: key.and_then(|k| locate_grid_key(text, format, k)),
                message: format!("grid point {label}: {field}{}", e.message),
            }
        })?;
        s.output.trace = trace;
        let slug = grid::slug(&fields, &values);
        if slug.len() > MAX_SLUG {
            return Err(err(
                None,
                format!("grid point {label}: its directory name would be longer than {MAX_SLUG} bytes; sweep fewer fields or shorter values"),
            ));
        }
        if let Some(other) = slugs.insert(slug.clone(), label.clone()) {
            return Err(err(
                None,
                format!("grid points {other} and {label} have the same directory name {slug:?}: make the values distinct"),
            ));
        }
        // Values spelled differently can make one scenario ("1s", "1000ms").
        if let Some(other) = same.insert(s.hash(), label.clone()) {
            return Err(err(
                None,
                format!("grid points {other} and {label} are the same scenario (equal values spelled differently?): sweep each value once"),
            ));
        }
        points.push(Point { slug, values });
        scenarios.push(s);
    }

    let mut runs = Vec::with_capacity(n_runs as usize);
    for (p, s) in scenarios.iter().enumerate() {
        let mut s = s.clone();
        for seed in seeds.from..=seeds.to {
            s.seed = seed;
            runs.push(RunInfo {
                point: p,
                seed,
                scenario_hash: s.hash(),
            });
        }
    }
    let mut plan = Plan {
        format: PLAN_FORMAT.into(),
        scuttlesim_version: VERSION.into(),
        name,
        sweep_hash: String::new(),
        trace_level: trace,
        fields,
        seeds,
        points,
        runs,
    };
    plan.sweep_hash = plan.compute_hash();
    Ok(Sweep { plan, scenarios })
}

/// The scenario-name rule (an output directory name).
fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= crate::scenario::MAX_NAME_BYTES
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// Grid entries are lists; a table (`[grid.gossip] fanout = [...]`, or an
/// unquoted dotted TOML key) nests dotted paths.
fn flatten(key: &str, value: &Value, out: &mut Vec<(String, Vec<Value>)>) -> Result<(), (String, String)> {
    if key.is_empty() || key.split('.').any(str::is_empty) {
        return Err((key.into(), "has an empty field path segment".into()));
    }
    if let Some(part) = key.split('.').find(|p| p.contains(['[', ']'])) {
        return Err((
            key.into(),
            format!(
                "`{part}` is an element of a list, and a grid key cannot name one: {}; a grid over a whole list gives each point's list, e.g. faults = [[{{ at = \"2s\", crash = 1 }}], [{{ at = \"8s\", crash = 1 }}]]",
                crate::scenario::LISTS
            ),
        ));
    }
    // Keys name directories (`<field>=<value>`): no separators, no `..`.
    if !key
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
    {
        return Err((
            key.into(),
            "grid keys are field paths: letters, digits, '_' and '-', separated by '.'".into(),
        ));
    }
    match value {
        Value::Array(values) if values.is_empty() => Err((key.into(), "needs at least one value".into())),
        Value::Array(values) => {
            out.push((key.to_string(), values.clone()));
            Ok(())
        }
        Value::Object(map) if map.is_empty() => Err((
            key.into(),
            "is an empty table, which sweeps nothing: give its fields lists of values, e.g. fanout = [1, 2]"
                .into(),
        )),
        Value::Object(map) => {
            for (k, v) in map {
                flatten(&format!("{key}.{k}"), v, out)?;
            }
            Ok(())
        }
        other => Err((
            key.into(),
            format!("must be a list of values, e.g. [1, 2, 3]; got {other}"),
        )),
    }
}

/// Where grid key `key` is written: a line starting with `"key"` (TOML or
/// JSON) or `key =` (TOML), or its last segment inside a `[grid.…]` table.
fn locate_grid_key(text: &str, format: Format, key: &str) -> Option<(usize, usize)> {
    if format == Format::Json {
        if let Some(at) = locate_json_grid_key(text, key) {
            return Some(at);
        }
    }
    let quoted = format!("\"{key}\"");
    let last = key.rsplit('.').next().unwrap_or(key);
    let assigns = |line: &str, k: &str| {
        line.strip_prefix(k)
            .is_some_and(|r| r.trim_start().starts_with('='))
    };
    let mut in_grid = false;
    let mut fallback = None;
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim_start();
        let col = raw.len() - line.len() + 1;
        if format == Format::Toml && line.starts_with('[') {
            in_grid = line.starts_with("[grid");
            continue;
        }
        if line.starts_with(&quoted) || (format == Format::Toml && assigns(line, key)) {
            return Some((i + 1, col));
        }
        if fallback.is_none() && in_grid && assigns(line, last) {
            fallback = Some((i + 1, col));
        }
    }
    fallback
}

/// The line:column of grid key `key` in JSON `text`, however the file is
/// laid out (one line or many): the first `"key":`, else the first
/// `"last":` (its last dotted segment, a nested grid table) after the
/// `"grid"` key.
fn locate_json_grid_key(text: &str, key: &str) -> Option<(usize, usize)> {
    let key_at = |from: usize, k: &str| -> Option<usize> {
        let quoted = format!("\"{k}\"");
        let mut at = from;
        while let Some(i) = text.get(at..)?.find(&quoted) {
            let start = at + i;
            let end = start + quoted.len();
            if text[end..].trim_start().starts_with(':') {
                return Some(start);
            }
            at = end;
        }
        None
    };
    let grid = key_at(0, "grid")?;
    let last = key.rsplit('.').next().unwrap_or(key);
    let offset = key_at(grid, key).or_else(|| key_at(grid, last))?;
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    Some((line, col))
}
