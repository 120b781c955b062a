//! Reading a scenario: syntax, schema (with field paths and line:column),
//! `--set` overrides, defaults, then validation.

use super::tables::Tables;
use super::{integers, locate, validate, Latency, NumberDist, OffsetDist, Scenario, WriteProcess};
use crate::error::ScenarioError;
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::path::Path;

/// The two file formats of a scenario.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Format {
    /// TOML (`.toml`).
    Toml,
    /// JSON (`.json`).
    Json,
}

impl Format {
    /// The format implied by a file's extension.
    pub fn from_path(path: &Path) -> Option<Format> {
        match path.extension()?.to_str()? {
            "toml" => Some(Format::Toml),
            "json" => Some(Format::Json),
            _ => None,
        }
    }
}

/// Loads, overrides (`path=value` pairs, as given to `--set`), fills defaults
/// and validates the scenario at `path`.
pub fn load(path: &Path, overrides: &[String]) -> Result<Scenario, ScenarioError> {
    let file = path.display().to_string();
    let err = |message: String| ScenarioError {
        file: file.clone(),
        field: None,
        location: None,
        message,
    };
    // A directory first: `scenarios` has no extension, and "unknown file
    // type" would not say what is wrong.
    if path.is_dir() {
        return Err(err("is a directory, expected a scenario file".into()));
    }
    let format = Format::from_path(path)
        .ok_or_else(|| err("unknown file type: expected a .toml or .json scenario".into()))?;
    let text = read_text(path).map_err(err)?;
    let stem = path.file_stem().map(|s| s.to_string_lossy()).unwrap_or_default();
    parse_str(
        &text,
        format,
        &file,
        &name_from_stem(&stem, "scenario"),
        overrides,
    )
    .map_err(|e| with_wrong_kind_hint(e, &text, format, FileKind::Scenario))
}

/// What a command expected a file to be, for [`with_wrong_kind_hint`].
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) enum FileKind {
    /// A scenario (`run`, `check`, `explore`, …).
    Scenario,
    /// A sweep file (`sweep`).
    Sweep,
}

/// Adds to `e` which command a file of the other kind is for, when `e` is
/// an unknown top-level field and the file is that other kind: a sweep
/// file (it has `base`) given to `run`, or a scenario (`duration` or
/// `nodes`, no `base`) given to `sweep`. Other errors are returned as they are.
pub(crate) fn with_wrong_kind_hint(
    mut e: ScenarioError,
    text: &str,
    format: Format,
    expected: FileKind,
) -> ScenarioError {
    let top_level_unknown =
        e.field.as_deref().is_some_and(|f| !f.contains(['.', '['])) && e.message.starts_with("unknown field");
    if !top_level_unknown {
        return e;
    }
    let Ok(serde_json::Value::Object(top)) = to_json_value(text, format, &e.file) else {
        return e;
    };
    let has = |k: &str| top.contains_key(k);
    match expected {
        FileKind::Scenario if has("base") => {
            e.message.push_str("; this is a sweep file (it has `base`): run it with `scuttlesim sweep`")
        }
        FileKind::Sweep if !has("base") && (has("duration") || has("nodes")) => e.message.push_str(
            "; this is a scenario, not a sweep file (it has no `base`): run it with `scuttlesim run`, or sweep it from a sweep file whose `base` names it",
        ),
        _ => {}
    }
    e
}

/// The default name of a scenario or sweep read from a file with stem
/// `stem`: characters other than ASCII letters, digits, `-`, `_` and `.`
/// become `_` and leading dots are dropped (`my test` → `my_test`), so any
/// file name gives a valid output directory name; `fallback` if nothing is
/// left. A stem with characters beyond ASCII also gets `-` and 8 hex digits
/// of its hash (`größe` → `gr__e-…`), so that such stems, which differ
/// only in the characters replaced, do not share an output directory.
pub(crate) fn name_from_stem(stem: &str, fallback: &str) -> String {
    let name: String = stem
        .trim_start_matches('.')
        .chars()
        .map(|c| match c {
            'a'..='z' | 'A'..='Z' | '0'..='9' | '-' | '_' | '.' => c,
            _ => '_',
        })
        .collect();
    let name = if name.is_empty() {
        fallback.to_string()
    } else {
        name
    };
    if stem.is_ascii() {
        return name;
    }
    let hash = blake3::hash(stem.as_bytes());
    let tag: String = hash.as_bytes()[..4].iter().map(|b| format!("{b:02x}")).collect();
    format!("{name}-{tag}")
}

/// Largest scenario or sweep file read (a limit on everything: a file this
/// large is a mistake, and reading it whole would be an unbounded allocation).
pub const MAX_FILE_BYTES: u64 = 64 << 20;

/// Reads a scenario or sweep file as UTF-8 text, refusing files larger
/// than [`MAX_FILE_BYTES`] (also ones that never end, such as `/dev/zero`).
pub fn read_text(path: &Path) -> Result<String, String> {
    use std::io::Read;
    let file = std::fs::File::open(path).map_err(|e| format!("cannot read: {e}"))?;
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read: {e}"))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(format!(
            "larger than {} MiB: not a scenario file",
            MAX_FILE_BYTES >> 20
        ));
    }
    let mut text = String::from_utf8(bytes).map_err(|e| format!("cannot read: not UTF-8 text ({e})"))?;
    if text.starts_with(BOM) {
        text.drain(..BOM.len_utf8());
    }
    Ok(text)
}

/// The byte-order mark some editors put at the start of a UTF-8 file: not
/// part of the text (TOML allows it; JSON parsers read it as a stray character).
const BOM: char = '\u{feff}';

/// Parses scenario `text` (named `file` in errors, `default_name` when it has
/// no `name`), applies `overrides` and validates.
pub fn parse_str(
    text: &str,
    format: Format,
    file: &str,
    default_name: &str,
    overrides: &[String],
) -> Result<Scenario, ScenarioError> {
    let text = text.strip_prefix(BOM).unwrap_or(text);
    let mut scenario: Scenario =
        deserialize_located(text, format, file).map_err(|e| with_integer_rule(e, text, format))?;
    // The overridden paths, with the `--set` argument that set each.
    let mut set_by: Vec<(String, &String)> = Vec::new();
    // NaN and infinities given with `--set` (JSON has no such numbers),
    // each set as a finite stand-in: see [`NonFinite`].
    let mut non_finite: Vec<(NonFinite, &String)> = Vec::new();
    if !overrides.is_empty() {
        let mut value = to_json_value(text, format, file)?;
        for o in overrides {
            let (path, v, odd) = parse_override_with_stand_ins(o).map_err(|message| ScenarioError {
                file: "--set".into(),
                field: None,
                location: None,
                message,
            })?;
            set_by.push((path.clone(), o));
            non_finite.extend(odd.into_iter().map(|n| (n, o)));
            set_path(&mut value, &path, v).map_err(|message| ScenarioError {
                file: format!("--set {}", crate::error::clip(o)),
                field: Some(path.clone()),
                location: None,
                message,
            })?;
        }
        scenario = serde_path_to_error::deserialize(Tables(&value)).map_err(|e| {
            let field = non_empty_path(e.path().to_string());
            let how = |f: &str| format!("set one of its fields instead, --set {f}.FIELD=VALUE");
            let message = explain(&e.inner().to_string(), field.as_deref(), Some((&value, &how)));
            let (field, message, _) = pinpoint::<Scenario>(&value, field, message);
            // A whole number too large for 64 bits reads as a float: the
            // `--set` text that gave it tells which literal it was.
            let literal = set_by
                .iter()
                .rev()
                .find(|(path, _)| Some(path.as_str()) == field.as_deref())
                .and_then(|(_, o)| o.split_once('=').map(|(_, rhs)| rhs.trim()));
            let mut message = integers::refine(message, field.as_deref(), &value, literal);
            if let (Some(rest), Some(literal)) =
                (message.strip_prefix("invalid type: floating point `"), literal)
            {
                // Not an integer field: name the number as it was given.
                if let (Some((_, tail)), Some(_)) = (rest.split_once('`'), beyond_toml(literal)) {
                    message = format!("invalid type: integer `{literal}`{tail}");
                }
            }
            // The override at fault: the one that set the field (or a table
            // around it, or a field inside it), else every one given.
            let by = field.as_deref().and_then(|f| {
                set_by.iter().rev().find(|(path, _)| {
                    f == path
                        || f.starts_with(&format!("{path}."))
                        || f.starts_with(&format!("{path}["))
                        || path.starts_with(&format!("{f}."))
                })
            });
            let shown = match by {
                Some((_, o)) => format!("--set {}", crate::error::clip(o)),
                None => overrides
                    .iter()
                    .map(|o| format!("--set {}", crate::error::clip(o)))
                    .collect::<Vec<_>>()
                    .join(" "),
            };
            ScenarioError {
                file: format!("{file} with {shown}"),
                message: NonFinite::restore(message, &non_finite),
                field,
                location: None,
            }
        })?;
    }
    if scenario.name.is_empty() {
        scenario.name = default_name.to_string();
    }
    crate::check::resolve(&mut scenario.checks);
    let scenario = without_negative_zeros(scenario);
    if let Err((field, message)) = validate::validate(&scenario) {
        let message = NonFinite::restore(message, &non_finite);
        return Err(located_invalid(text, format, file, &set_by, field, message));
    }
    // Validation took every stand-in: the field allows such a value, but
    // not a NaN or an infinity.
    if let Some((n, o)) = non_finite.first() {
        return Err(ScenarioError {
            file: format!("{file} with --set {}", crate::error::clip(o)),
            field: Some(n.field.clone()),
            location: None,
            message: format!("must be a finite number; got {}", n.value),
        });
    }
    Ok(with_defaults_filled(scenario))
}

/// The error `(field, message)` of validating a scenario read from `text`,
/// placed: at the `--set` argument that gave the field, else at its line.
fn located_invalid(
    text: &str,
    format: Format,
    file: &str,
    set_by: &[(String, &String)],
    field: String,
    message: String,
) -> ScenarioError {
    // A value given with `--set` is not on any line of the file.
    let overridden = set_by.iter().rev().find(|(path, _)| {
        field == *path
            || field.starts_with(&format!("{path}."))
            || field.starts_with(&format!("{path}["))
            || path.starts_with(&format!("{field}."))
    });
    match overridden {
        Some((_, o)) => ScenarioError {
            file: format!("{file} with --set {}", crate::error::clip(o)),
            location: None,
            field: Some(field),
            message,
        },
        None => ScenarioError {
            file: file.to_string(),
            location: locate::locate(text, format, &field),
            field: Some(field),
            message,
        },
    }
}

/// `s` with every `-0.0` made `0.0`. The two are the same number wherever a
/// scenario has one, and should make the same canonical JSON (so the same
/// scenario hash) and say the same in messages. A scenario without one (every
/// shipped one) is returned as it is.
fn without_negative_zeros(s: Scenario) -> Scenario {
    fn zero(v: &mut Value) -> bool {
        match v {
            Value::Number(n) if n.as_f64().is_some_and(|x| x == 0.0 && x.is_sign_negative()) => {
                *v = Value::from(0.0);
                true
            }
            Value::Array(items) => items.iter_mut().fold(false, |any, v| zero(v) | any),
            Value::Object(map) => map.values_mut().fold(false, |any, v| zero(v) | any),
            _ => false,
        }
    }
    let Ok(mut value) = serde_json::to_value(&s) else {
        return s;
    };
    if !zero(&mut value) {
        return s;
    }
    // A resolved scenario reads back from its own JSON (replay relies on it).
    serde_json::from_value(value).unwrap_or(s)
}

/// `s`, a valid scenario, with the optional settings whose default can
/// also be written out made the same whichever way they were given, so
/// that the two resolve to one scenario (one canonical JSON, one scenario
/// hash, as `mtu = "unlimited"` and `-0.0` do):
///
/// - a crash's `state` is filled in, `"kept"` when left out (`check` then
///   prints it, like every other default);
/// - `gossip.mtu_from = "0s"`, the start of the run, is left out (the
///   default: the size limit applies from the start; no local clock reads
///   below 0);
/// - `output.spacetime.from = "0s"`, the start of the run, is left out.
///
/// Done after validation, so that a `mtu_from` without `mtu` is still
/// refused. No shipped scenario changes: each crash there names its state.
pub(crate) fn with_defaults_filled(mut s: Scenario) -> Scenario {
    for f in &mut s.faults {
        if f.crash.is_some() && f.state.is_none() {
            f.state = Some(super::CrashState::default());
        }
    }
    if s.gossip.mtu_from == Some(crate::time::SimDuration::ZERO) {
        s.gossip.mtu_from = None;
    }
    if s.output.spacetime.from == Some(crate::time::SimDuration::ZERO) {
        s.output.spacetime.from = None;
    }
    s
}

/// A NaN or an infinity given with `--set`: JSON, in which overrides are
/// applied, has no such numbers (serde_json would make it `null`, "invalid
/// type: null"). It is set as a finite stand-in that validation refuses in
/// every number field of the schema (below 0, or beyond any limit), and
/// the messages name the value given instead of the stand-in; a field
/// that takes the stand-in is refused as not finite.
#[derive(Clone, Debug, PartialEq)]
struct NonFinite {
    /// The field path the value is at.
    field: String,
    /// The value given.
    value: f64,
    /// The finite number set in its place.
    stand_in: f64,
}

impl NonFinite {
    /// The stand-in for the non-finite `value`.
    fn stand_in(value: f64) -> f64 {
        if value == f64::INFINITY {
            f64::MAX
        } else if value == f64::NEG_INFINITY {
            -f64::MAX
        } else {
            -1e300
        }
    }

    /// `message` naming each value given where it names its stand-in, in
    /// any of the ways messages print it (validation: `-1000…0`; serde:
    /// `-1e+300`).
    fn restore(mut message: String, all: &[(NonFinite, &String)]) -> String {
        for (n, _) in all {
            let x = n.stand_in;
            let exp = format!("{x:e}");
            let mut shown = [format!("{x}.0"), format!("{x}"), exp.replacen('e', "e+", 1), exp];
            // The longest first: none is then part of another.
            shown.sort_by_key(|s| std::cmp::Reverse(s.len()));
            for s in shown {
                message = message.replace(&s, &n.value.to_string());
            }
        }
        message
    }
}

/// Applies typed `(path, value)` overrides to an already-loaded scenario,
/// exactly as `--set` does (see [`parse_override`]), and validates the
/// result. `file` names the source in errors; errors carry the field path but
/// no line (the caller knows where the overrides came from). Sweeps use this
/// for every grid point.
pub fn apply_overrides(
    base: &Scenario,
    file: &str,
    overrides: &[(String, serde_json::Value)],
) -> Result<Scenario, ScenarioError> {
    let err = |field: Option<String>, message: String| ScenarioError {
        file: file.to_string(),
        field,
        location: None,
        message,
    };
    let mut value = serde_json::to_value(base).expect("a scenario always serializes");
    for (path, v) in overrides {
        set_path(&mut value, path, v.clone()).map_err(|m| err(Some(path.clone()), m))?;
    }
    let scenario: Scenario = serde_path_to_error::deserialize(Tables(&value)).map_err(|e| {
        let field = non_empty_path(e.path().to_string());
        let how = |f: &str| format!("sweep one of its fields instead, grid key \"{f}.FIELD\"");
        let message = explain(&e.inner().to_string(), field.as_deref(), Some((&value, &how)));
        let (field, message, _) = pinpoint::<Scenario>(&value, field, message);
        err(
            field.clone(),
            integers::refine(message, field.as_deref(), &value, None),
        )
    })?;
    let scenario = without_negative_zeros(scenario);
    validate::validate(&scenario).map_err(|(field, message)| err(Some(field), message))?;
    Ok(with_defaults_filled(scenario))
}

/// `e`, an error deserializing the scenario (or sweep) `text`, with the
/// field and what is valid when it is a whole number out of range (see
/// [`integers`]; a sweep's fields get the TOML integer limit).
pub(crate) fn with_integer_rule(mut e: ScenarioError, text: &str, format: Format) -> ScenarioError {
    // Byte offset of the error's line:column.
    let offset = e.location.and_then(|(line, col)| {
        let start = if line == 1 {
            0
        } else {
            text.match_indices('\n').nth(line - 2)?.0 + 1
        };
        Some((start + col - 1).min(text.len()))
    });
    if e.field.is_none() && format == Format::Toml {
        if let Some((field, message)) =
            offset.and_then(|o| integers::toml_literal_out_of_range(text, o, &e.message))
        {
            e.field = Some(field);
            e.message = message;
        } else if text.parse::<toml::Table>().is_err() {
            // A syntax error: name the table or value it lies inside.
            e.field = offset.and_then(|o| super::enclosing::toml_enclosing(text, o));
        }
        return e;
    }
    if e.field.is_some()
        && (e.message.contains("integer `")
            || e.message.contains("floating point `")
            || e.message.contains("expected a whole number, 0 or more"))
    {
        if let Ok(root) = to_json_value(text, format, &e.file) {
            // JSON reports the value's last character.
            let before = offset
                .filter(|_| format == Format::Json)
                .and_then(|o| text.get(..(o + 1).min(text.len())));
            e.message = integers::refine(std::mem::take(&mut e.message), e.field.as_deref(), &root, before);
        }
    }
    e
}

/// Deserializes `T` from `text`, reporting the field path and line:column of
/// the first error.
pub(crate) fn deserialize_located<T: DeserializeOwned>(
    text: &str,
    format: Format,
    file: &str,
) -> Result<T, ScenarioError> {
    deserialize_as_read(text, format, file).map_err(|mut e| {
        let Ok(root) = to_json_value(text, format, file) else {
            return e;
        };
        let (field, message, moved) = pinpoint::<T>(&root, e.field.take(), std::mem::take(&mut e.message));
        if moved {
            e.location = field
                .as_deref()
                .and_then(|f| locate::locate(text, format, f))
                .or(e.location);
        }
        e.field = field;
        e.message = message;
        e
    })
}

/// [`deserialize_located`], with the error as serde gives it.
fn deserialize_as_read<T: DeserializeOwned>(
    text: &str,
    format: Format,
    file: &str,
) -> Result<T, ScenarioError> {
    match format {
        Format::Toml => {
            let de = Tables(toml::Deserializer::new(text));
            serde_path_to_error::deserialize(de).map_err(|e| {
                let field = non_empty_path(e.path().to_string());
                let inner = e.into_inner();
                let location = inner
                    .span()
                    .map(|s| line_col(text, s.start))
                    .or_else(|| field.as_deref().and_then(|f| locate::locate(text, format, f)));
                ScenarioError {
                    file: file.to_string(),
                    message: toml_message(text, &inner, field.as_deref()),
                    field,
                    location,
                }
            })
        }
        Format::Json => {
            let mut de = serde_json::Deserializer::from_str(text);
            let value: T = serde_path_to_error::deserialize(Tables(&mut de)).map_err(|e| {
                let field = non_empty_path(e.path().to_string());
                let inner = e.into_inner();
                ScenarioError {
                    file: file.to_string(),
                    message: strip_json_position(&inner.to_string(), field.as_deref()),
                    field,
                    location: (inner.line() > 0).then(|| (inner.line(), inner.column().max(1))),
                }
            })?;
            de.end().map_err(|e| ScenarioError {
                file: file.to_string(),
                field: None,
                location: Some((e.line().max(1), e.column().max(1))),
                message: strip_json_position(&e.to_string(), None),
            })?;
            Ok(value)
        }
    }
}

/// serde's error `(field, message)` from reading `T` from `root`, made as
/// precise as serde cannot make it:
///
/// - inside a tagged table (`{ dist = "uniform", low = "1ms", high = true }`,
///   `workload.writes`), which serde reads whole before it knows the fields,
///   the error names the table: it is moved to the entry at fault
///   (`network.latency.high`), the one whose removal makes the error go away;
/// - a choice (`gossip.phase`, `dist`) given a number, a boolean or a list
///   gets the choices listed (serde says `expected variant identifier`,
///   TOML `wanted string or table`, JSON `expected value`).
///
/// Returns whether the field moved (its line:column is then to be found again).
fn pinpoint<T: DeserializeOwned>(
    root: &Value,
    field: Option<String>,
    message: String,
) -> (Option<String>, String, bool) {
    let Some(f) = field.clone() else {
        return (field, message, false);
    };
    // Only the way to `f`: a format's order of keys (TOML's as written,
    // JSON values' sorted) then does not matter.
    let root = &prune(root, &segments(&f));
    let Some(baseline) = probe::<T>(root) else {
        return (field, message, false);
    };
    if baseline.0.as_deref() != Some(f.as_str()) {
        return (field, message, false);
    }
    let mut target = f.clone();
    let mut moved = false;
    let table = value_at(root, &f).and_then(Value::as_object);
    let tag = table.and_then(|t| {
        TAGGED
            .iter()
            .map(|(_, tag, _, _)| *tag)
            .find(|tag| t.contains_key(*tag))
    });
    if let (Some(table), Some(tag)) = (table, tag) {
        if !baseline.1.starts_with("missing field") {
            // The entry whose removal ends the error (leaving it missing,
            // or none); the tag last, as any other error needs it.
            let mut keys: Vec<&String> = table.keys().filter(|k| *k != tag).collect();
            keys.sort();
            let culprit = keys.into_iter().find(|k| {
                let mut without = root.clone();
                if let Some(Value::Object(t)) = value_at_mut(&mut without, &f) {
                    t.remove(*k);
                }
                match probe::<T>(&without) {
                    None => true,
                    Some((p, m)) => p.as_deref() != Some(f.as_str()) || m == format!("missing field `{k}`"),
                }
            });
            target = format!("{f}.{}", culprit.map_or(tag, |k| k.as_str()));
            moved = true;
        }
    }
    // A choice given something other than a string: the choices, as serde
    // lists them for an unknown string.
    let found = value_at(root, &target).and_then(|v| match v {
        Value::Bool(b) => Some(format!("boolean `{b}`")),
        Value::Number(n) if n.is_f64() => Some(format!("floating point `{n}`")),
        Value::Number(n) => Some(format!("integer `{n}`")),
        Value::Array(_) => Some("array".to_string()),
        Value::Null => Some("null".to_string()),
        Value::String(_) | Value::Object(_) => None,
    });
    if let Some(found) = found {
        let mut with_empty = root.clone();
        if let Some(v) = value_at_mut(&mut with_empty, &target) {
            *v = Value::String(String::new());
        }
        let choices = probe::<T>(&with_empty)
            .filter(|(p, _)| p.as_deref() == Some(f.as_str()) || p.as_deref() == Some(target.as_str()))
            .and_then(|(_, m)| expected_list(m.strip_prefix("unknown variant ``, ")));
        if let Some(choices) = choices {
            return (
                Some(target),
                format!("invalid type: {found}, expected one of: {choices}"),
                moved,
            );
        }
    }
    (Some(target), message, moved)
}

/// `root` with only what lies on the way to `path`: of a table, the key
/// on the way; of a list, the elements up to the one on the way.
fn prune(root: &Value, path: &[Result<&str, usize>]) -> Value {
    let Some((first, rest)) = path.split_first() else {
        return root.clone();
    };
    match (root, first) {
        (Value::Object(t), Ok(k)) => match t.get(*k) {
            Some(v) => Value::Object([(k.to_string(), prune(v, rest))].into_iter().collect()),
            None => root.clone(),
        },
        (Value::Array(items), Err(i)) if *i < items.len() => {
            let mut kept = items[..*i].to_vec();
            kept.push(prune(&items[*i], rest));
            Value::Array(kept)
        }
        _ => root.clone(),
    }
}

/// The error `(field, message)` of reading `T` from `root` through
/// [`Tables`], as the loader reads a file; `None` if it reads.
fn probe<T: DeserializeOwned>(root: &Value) -> Option<(Option<String>, String)> {
    serde_path_to_error::deserialize::<_, T>(Tables(root))
        .err()
        .map(|e| (non_empty_path(e.path().to_string()), e.inner().to_string()))
}

/// The segments of a field path as serde_path_to_error writes it
/// (`faults[0].clock_step.by`): keys and list indices.
fn segments(path: &str) -> Vec<Result<&str, usize>> {
    let mut out = Vec::new();
    for part in path.split('.') {
        let (key, mut rest) = part.split_once('[').map_or((part, ""), |(k, r)| (k, r));
        if !key.is_empty() {
            out.push(Ok(key));
        }
        while let Some((i, r)) = rest.split_once(']') {
            match i.parse() {
                Ok(i) => out.push(Err(i)),
                Err(_) => out.push(Ok(i)),
            }
            rest = r.strip_prefix('[').unwrap_or(r);
        }
    }
    out
}

/// The value at field path `path` in `root`.
fn value_at<'v>(root: &'v Value, path: &str) -> Option<&'v Value> {
    segments(path).into_iter().try_fold(root, |v, s| match s {
        Ok(k) => v.get(k),
        Err(i) => v.get(i),
    })
}

/// The value at field path `path` in `root`, to change.
fn value_at_mut<'v>(root: &'v mut Value, path: &str) -> Option<&'v mut Value> {
    segments(path).into_iter().try_fold(root, |v, s| match s {
        Ok(k) => v.get_mut(k),
        Err(i) => v.get_mut(i),
    })
}

/// The message of a TOML error at `field`; some syntax errors come without
/// one, and then the message names the character found (or the end of the file).
fn toml_message(text: &str, e: &toml::de::Error, field: Option<&str>) -> String {
    let m = e.message().trim();
    if !m.is_empty() {
        return explain(m, field, None);
    }
    match e
        .span()
        .and_then(|s| text.get(s.start..))
        .and_then(|r| r.chars().next())
    {
        Some(c) => format!("invalid TOML: unexpected character {c:?}"),
        None => "invalid TOML: unexpected end of file".into(),
    }
}

/// The field path of a deserialization error, if it names one. A syntax
/// error met where a key was due (`{"nodes": {"count": 4,}}`) ends the path
/// in `?`, the key never read: the path is what comes before it (`nodes`).
fn non_empty_path(p: String) -> Option<String> {
    let mut path = p.as_str();
    while let Some(rest) = path.strip_suffix('?') {
        path = rest.strip_suffix('.').unwrap_or(rest);
    }
    (path != "." && !path.is_empty()).then(|| path.to_string())
}

fn strip_json_position(msg: &str, field: Option<&str>) -> String {
    let msg = match msg.rfind(" at line ") {
        Some(i) => &msg[..i],
        None => msg,
    };
    explain(msg, field, None)
}

/// How to set one field of the table at a path from outside the file,
/// given that path (`set one of its fields instead, --set gossip.FIELD=VALUE`).
type SetHow<'a> = &'a dyn Fn(&str) -> String;

/// serde's message `msg` about `field` in the words of a scenario file:
/// numbers instead of Rust types, tables instead of structs and internally
/// tagged enums. With `set` (the scenario as JSON and how to set a field),
/// a table given a single value also says how to set one of its fields.
fn explain(msg: &str, field: Option<&str>, set: Option<(&Value, SetHow<'_>)>) -> String {
    let mut out = plain_types(msg);
    if let Some((at, name, end)) = type_after(&out, "expected internally tagged enum ") {
        let shape = match TAGGED.iter().find(|t| t.0 == name) {
            Some((_, tag, example, values)) => {
                format!("a table such as {example}, with `{tag}` one of {}", values(tag))
            }
            None => "a table".to_string(),
        };
        out.replace_range(at..end, &format!("expected {shape}"));
    }
    if let Some((at, _, end)) = type_after(&out, "expected struct ") {
        // `[gossip]`, but not `[faults[0]]`: array elements have no header of their own.
        let header = field
            .filter(|f| !f.contains('['))
            .map(|f| format!(" ([{f}])"))
            .unwrap_or_default();
        let mut table = format!("expected a table{header}");
        if let (Some(f), Some((root, how))) = (field, set) {
            table += &format!("; {}", how(f));
            if let Some(fields) = fields_of(root, f) {
                table += &format!(", with FIELD one of {fields}");
            }
        }
        out.replace_range(at..end, &table);
    }
    // A path into a list the file does not have (`--set faults.0.at=1s`
    // with no `[[faults]]`) made tables on the way: a map where the list goes.
    if let (Some(f), Some(_)) = (field, set) {
        if out.contains("invalid type: map, expected a sequence") {
            out += &format!("; `{f}` is a list, and a dotted path (--set, a sweep grid key) cannot reach into one: {LISTS}");
        }
    }
    out
}

/// Where `prefix` followed by a Rust identifier starts in `msg`, the
/// identifier, and where it ends.
fn type_after<'m>(msg: &'m str, prefix: &str) -> Option<(usize, &'m str, usize)> {
    let at = msg.find(prefix)?;
    let after = &msg[at + prefix.len()..];
    let len = after
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(after.len());
    Some((at, &after[..len], at + prefix.len() + len))
}

/// An internally tagged enum of the schema: serde's name for it, the tag,
/// an example, and a function listing the tag's values.
type Tagged = (&'static str, &'static str, &'static str, fn(&str) -> String);

/// The internally tagged enums of the schema.
const TAGGED: [Tagged; 4] = [
    (
        "Latency",
        "dist",
        "{ dist = \"constant\", value = \"10ms\" } or { dist = \"uniform\", low = \"10ms\", high = \"50ms\" }",
        tag_values::<Latency>,
    ),
    (
        "OffsetDist",
        "dist",
        "{ dist = \"constant\", value = \"-5ms\" } or { dist = \"uniform\", low = \"-50ms\", high = \"50ms\" }",
        tag_values::<OffsetDist>,
    ),
    (
        "NumberDist",
        "dist",
        "{ dist = \"constant\", value = 10 } or { dist = \"uniform\", low = -50, high = 50 }",
        tag_values::<NumberDist>,
    ),
    (
        "WriteProcess",
        "process",
        "{ process = \"poisson\", mean_interval = \"5s\" }",
        tag_values::<WriteProcess>,
    ),
];

/// The values of `tag` of the internally tagged enum `T`
/// (`` `constant`, `uniform`, … ``), as serde lists them for an unknown one.
fn tag_values<T: DeserializeOwned>(tag: &str) -> String {
    let probe = Value::Object(
        [(tag.to_string(), Value::String(String::new()))]
            .into_iter()
            .collect(),
    );
    let e = serde_json::from_value::<T>(probe).err().map(|e| e.to_string());
    expected_list(e.as_deref().and_then(|m| m.strip_prefix("unknown variant ``, "))).unwrap_or_default()
}

/// The fields of the table at dotted `path` in the scenario `root`, as
/// serde lists them for an unknown one; `None` if `path` is not a plain
/// dotted path to a table.
fn fields_of(root: &Value, path: &str) -> Option<String> {
    let mut probe = root.clone();
    let unknown = Value::Object([(String::new(), Value::Null)].into_iter().collect());
    set_path(&mut probe, path, unknown).ok()?;
    let e = serde_path_to_error::deserialize::<_, Scenario>(probe).err()?;
    expected_list(e.inner().to_string().strip_prefix("unknown field ``, "))
}

/// `` `a`, `b`, `c` `` from serde's ``expected one of `a`, `b`, `c` ``
/// (``expected `a` or `b` `` for two, ``expected `a` `` for one).
fn expected_list(rest: Option<&str>) -> Option<String> {
    let list = rest?.strip_prefix("expected ")?;
    Some(list.strip_prefix("one of ").unwrap_or(list).replace(" or ", ", "))
}

/// serde's messages name Rust types (`expected u32`); users read numbers.
pub(crate) fn plain_types(msg: &str) -> String {
    // No range for u8, u16 and u32: every such field has limits of its own
    // (nodes.count: 2 to 10000000), which validation states once it is a number.
    const NAMES: [(&str, &str); 8] = [
        ("expected u8", "expected a whole number"),
        ("expected u16", "expected a whole number"),
        ("expected u32", "expected a whole number"),
        ("expected u64", "expected a whole number, 0 or more"),
        ("expected usize", "expected a whole number, 0 or more"),
        ("expected i64", "expected a whole number"),
        ("expected f64", "expected a number"),
        ("expected f32", "expected a number"),
    ];
    // A file has arrays (TOML) and arrays (JSON), not sequences.
    let mut out = msg.replace("invalid type: sequence,", "invalid type: array,");
    for (rust, plain) in NAMES {
        // Whole words only: `expected u32` but not `expected u325`.
        let mut from = 0;
        while let Some(i) = out[from..].find(rust).map(|i| i + from) {
            let end = i + rust.len();
            if out[end..].starts_with(|c: char| c.is_ascii_alphanumeric()) {
                from = end;
                continue;
            }
            out.replace_range(i..end, plain);
            from = i + plain.len();
        }
    }
    out
}

/// 1-based line and column of byte `offset` in `text`.
pub(crate) fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rfind('\n').map_or(before.len(), |i| before.len() - i - 1) + 1;
    (line, col)
}

fn to_json_value(text: &str, format: Format, file: &str) -> Result<serde_json::Value, ScenarioError> {
    let located = |message: String| ScenarioError {
        file: file.to_string(),
        field: None,
        location: None,
        message,
    };
    match format {
        Format::Toml => {
            let t: toml::Value = toml::from_str(text).map_err(|e| located(toml_message(text, &e, None)))?;
            serde_json::to_value(t).map_err(|e| located(e.to_string()))
        }
        Format::Json => serde_json::from_str(text).map_err(|e| located(e.to_string())),
    }
}

/// Splits `gossip.fanout=3` into the path and a typed value: the right-hand
/// side is read as a TOML value (`3`, `0.5`, `true`, `"2s"`, `[1, 2]`,
/// `{ dist = "constant", value = "5ms" }`), and as a bare string otherwise
/// (so `--set duration=30s` works without quotes).
/// A NaN or an infinity in the value is refused (JSON has no such numbers).
pub fn parse_override(text: &str) -> Result<(String, serde_json::Value), String> {
    let (path, value, non_finite) = parse_override_with_stand_ins(text)?;
    if let Some(n) = non_finite.first() {
        return Err(format!(
            "override {:?}: `{}` must be a finite number; got {}",
            crate::error::clip(text),
            n.field,
            n.value
        ));
    }
    Ok((path, value))
}

/// [`parse_override`], with each NaN or infinity in the value set as its
/// stand-in and listed (see [`NonFinite`]).
fn parse_override_with_stand_ins(text: &str) -> Result<(String, serde_json::Value, Vec<NonFinite>), String> {
    let (path, rhs) = text
        .split_once('=')
        .ok_or_else(|| format!("override {text:?} must look like path=value, e.g. nodes.count=1000"))?;
    let path = path.trim();
    if path.is_empty() || path.split('.').any(|s| s.is_empty()) {
        return Err(format!("override {text:?} has an empty field path"));
    }
    if let Some(part) = path.split('.').find(|p| p.contains(['[', ']'])) {
        return Err(format!(
            "override {text:?}: `{part}` is an element of a list, and --set cannot set one: {LISTS}, \
             e.g. --set 'workload.writers=[0, 1]'"
        ));
    }
    let rhs = rhs.trim();
    let mut non_finite = Vec::new();
    let value = match toml::from_str::<toml::Table>(&format!("v = {rhs}")) {
        Ok(mut t) => {
            let mut v = t.remove("v").expect("key v was just parsed");
            stand_in_non_finite(&mut v, path.to_string(), &mut non_finite);
            serde_json::to_value(v).map_err(|e| e.to_string())?
        }
        Err(_) => beyond_toml(rhs).unwrap_or_else(|| serde_json::Value::String(rhs.to_string())),
    };
    Ok((path.to_string(), value, non_finite))
}

/// Replaces every NaN and infinity in `v` (at field path `here`) by its
/// stand-in, listing them in `out`.
fn stand_in_non_finite(v: &mut toml::Value, here: String, out: &mut Vec<NonFinite>) {
    match v {
        toml::Value::Float(x) if !x.is_finite() => {
            let stand_in = NonFinite::stand_in(*x);
            out.push(NonFinite {
                field: here,
                value: *x,
                stand_in,
            });
            *x = stand_in;
        }
        toml::Value::Array(items) => {
            for (i, item) in items.iter_mut().enumerate() {
                stand_in_non_finite(item, format!("{here}[{i}]"), out);
            }
        }
        toml::Value::Table(t) => {
            for (k, item) in t.iter_mut() {
                stand_in_non_finite(item, format!("{here}.{k}"), out);
            }
        }
        _ => {}
    }
}

/// A whole number TOML cannot hold (beyond its 64-bit signed integers) as
/// JSON reads it: a `u64` up to 18446744073709551615 (`--set
/// seed=18446744073709551615` is a valid seed), a float past that, which
/// the field's error then reports as out of range; `None` if `rhs` is not
/// a plain decimal integer (one with a leading zero, such as `007`, stays
/// text, as TOML does not read it as a number).
fn beyond_toml(rhs: &str) -> Option<serde_json::Value> {
    let digits = rhs.strip_prefix('-').unwrap_or(rhs);
    if digits.is_empty() || digits.starts_with('0') || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if let Ok(v) = rhs.parse::<u64>() {
        return Some(v.into());
    }
    serde_json::Number::from_f64(rhs.parse::<f64>().ok()?).map(serde_json::Value::Number)
}

/// What to do instead of setting one element of a list by its path.
pub(crate) const LISTS: &str =
    "edit the elements of lists (faults, checks, workload.schedule, network.routes, …) \
     in the scenario file, or replace the whole list";

/// Sets `value` at dotted `path` inside `root`, creating tables on the way.
pub(crate) fn set_path(
    root: &mut serde_json::Value,
    path: &str,
    value: serde_json::Value,
) -> Result<(), String> {
    let mut cur = root;
    let parts: Vec<&str> = path.split('.').collect();
    for (i, part) in parts.iter().enumerate() {
        let above = || parts[..i].join(".");
        if cur.is_array() {
            return Err(format!(
                "cannot set `{path}`: `{}` is a list, and its elements cannot be set by a path: {LISTS}",
                above()
            ));
        }
        let obj = cur
            .as_object_mut()
            .ok_or_else(|| format!("cannot set `{path}`: `{}` is not a table", above()))?;
        if i + 1 == parts.len() {
            obj.insert(part.to_string(), value);
            return Ok(());
        }
        cur = obj
            .entry(part.to_string())
            .or_insert_with(|| serde_json::Value::Object(Default::default()));
    }
    unreachable!("paths have at least one part")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every example of a tagged table is valid, and every tag has values.
    #[test]
    fn tagged_examples_parse() {
        fn parses<T: DeserializeOwned>(name: &str) {
            let (_, tag, example, values) = TAGGED.iter().find(|t| t.0 == name).unwrap();
            for e in example.split(" or ") {
                let mut t: toml::Table = toml::from_str(&format!("v = {e}")).unwrap();
                toml::Value::try_into::<T>(t.remove("v").unwrap()).unwrap_or_else(|err| panic!("{e}: {err}"));
            }
            assert!(values(tag).starts_with('`'), "{name}: {}", values(tag));
        }
        parses::<Latency>("Latency");
        parses::<OffsetDist>("OffsetDist");
        parses::<NumberDist>("NumberDist");
        parses::<WriteProcess>("WriteProcess");
        assert_eq!(TAGGED.len(), 4);
    }

    #[test]
    fn names_from_stems() {
        for (stem, name) in [
            ("quickstart", "quickstart"),
            ("my test", "my_test"),
            ("..hidden", "hidden"),
            ("a/b", "a_b"),
            ("v1.2", "v1.2"),
            ("", "scenario"),
            (".", "scenario"),
        ] {
            assert_eq!(name_from_stem(stem, "scenario"), name, "{stem:?}");
        }
    }

    /// Stems beyond ASCII keep their ASCII characters, and stems that differ
    /// only in the characters replaced get different names, each valid.
    #[test]
    fn stems_beyond_ascii_do_not_collide() {
        let names: Vec<String> = ["ü", "ö", "größe", "grüße", "日本"]
            .iter()
            .map(|s| name_from_stem(s, "scenario"))
            .collect();
        assert!(
            names[2].starts_with("gr__e-") && names[3].starts_with("gr__e-"),
            "{names:?}"
        );
        for (i, a) in names.iter().enumerate() {
            assert_eq!(a.rsplit('-').next().map(str::len), Some(8), "{a}");
            assert!(
                a.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')),
                "{a}"
            );
            for b in &names[i + 1..] {
                assert_ne!(a, b);
            }
        }
        assert_eq!(
            name_from_stem("größe", "scenario"),
            names[2],
            "the same stem, the same name"
        );
    }
}
