//! Reading a scenario: syntax, schema (with field paths and line:column),
//! `--set` overrides, defaults, then validation.

use super::{locate, validate, Scenario};
use crate::error::ScenarioError;
use serde::de::DeserializeOwned;
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
    let format = Format::from_path(path)
        .ok_or_else(|| err("unknown file type: expected a .toml or .json scenario".into()))?;
    if path.is_dir() {
        return Err(err("is a directory, expected a scenario file".into()));
    }
    let text = read_text(path).map_err(err)?;
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("scenario")
        .to_string();
    parse_str(&text, format, &file, &stem, overrides)
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
    String::from_utf8(bytes).map_err(|e| format!("cannot read: not UTF-8 text ({e})"))
}

/// Parses scenario `text` (named `file` in errors, `default_name` when it has
/// no `name`), applies `overrides` and validates.
pub fn parse_str(
    text: &str,
    format: Format,
    file: &str,
    default_name: &str,
    overrides: &[String],
) -> Result<Scenario, ScenarioError> {
    let mut scenario: Scenario = deserialize_located(text, format, file)?;
    // The overridden paths, with the `--set` argument that set each.
    let mut set_by: Vec<(String, &String)> = Vec::new();
    if !overrides.is_empty() {
        let mut value = to_json_value(text, format, file)?;
        for o in overrides {
            let (path, v) = parse_override(o).map_err(|message| ScenarioError {
                file: "--set".into(),
                field: None,
                location: None,
                message,
            })?;
            set_by.push((path.clone(), o));
            set_path(&mut value, &path, v).map_err(|message| ScenarioError {
                file: format!("--set {o}"),
                field: Some(path.clone()),
                location: None,
                message,
            })?;
        }
        scenario = serde_path_to_error::deserialize(value).map_err(|e| ScenarioError {
            file: format!("{file} with --set overrides"),
            field: non_empty_path(e.path().to_string()),
            location: None,
            message: plain_types(&e.inner().to_string()),
        })?;
    }
    if scenario.name.is_empty() {
        scenario.name = default_name.to_string();
    }
    crate::check::resolve(&mut scenario.checks);
    validate::validate(&scenario).map_err(|(field, message)| {
        // A value given with `--set` is not on any line of the file.
        let overridden = set_by.iter().rev().find(|(path, _)| {
            field == *path
                || field.starts_with(&format!("{path}."))
                || field.starts_with(&format!("{path}["))
                || path.starts_with(&format!("{field}."))
        });
        match overridden {
            Some((_, o)) => ScenarioError {
                file: format!("{file} with --set {o}"),
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
    })?;
    Ok(scenario)
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
    let scenario: Scenario = serde_path_to_error::deserialize(value)
        .map_err(|e| err(non_empty_path(e.path().to_string()), e.inner().to_string()))?;
    validate::validate(&scenario).map_err(|(field, message)| err(Some(field), message))?;
    Ok(scenario)
}

/// Deserializes `T` from `text`, reporting the field path and line:column of
/// the first error.
pub(crate) fn deserialize_located<T: DeserializeOwned>(
    text: &str,
    format: Format,
    file: &str,
) -> Result<T, ScenarioError> {
    match format {
        Format::Toml => {
            let de = toml::Deserializer::new(text);
            serde_path_to_error::deserialize(de).map_err(|e| {
                let field = non_empty_path(e.path().to_string());
                let inner = e.into_inner();
                let location = inner
                    .span()
                    .map(|s| line_col(text, s.start))
                    .or_else(|| field.as_deref().and_then(|f| locate::locate(text, format, f)));
                ScenarioError {
                    file: file.to_string(),
                    field,
                    location,
                    message: toml_message(text, &inner),
                }
            })
        }
        Format::Json => {
            let mut de = serde_json::Deserializer::from_str(text);
            let value: T = serde_path_to_error::deserialize(&mut de).map_err(|e| {
                let field = non_empty_path(e.path().to_string());
                let inner = e.into_inner();
                ScenarioError {
                    file: file.to_string(),
                    field,
                    location: (inner.line() > 0).then(|| (inner.line(), inner.column().max(1))),
                    message: strip_json_position(&inner.to_string()),
                }
            })?;
            de.end().map_err(|e| ScenarioError {
                file: file.to_string(),
                field: None,
                location: Some((e.line().max(1), e.column().max(1))),
                message: strip_json_position(&e.to_string()),
            })?;
            Ok(value)
        }
    }
}

/// The message of a TOML error; some syntax errors come without one, and
/// then the message names the character found (or the end of the file).
fn toml_message(text: &str, e: &toml::de::Error) -> String {
    let m = e.message().trim();
    if !m.is_empty() {
        return plain_types(m);
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

fn non_empty_path(p: String) -> Option<String> {
    (p != "." && !p.is_empty()).then_some(p)
}

fn strip_json_position(msg: &str) -> String {
    plain_types(match msg.rfind(" at line ") {
        Some(i) => &msg[..i],
        None => msg,
    })
}

/// serde's messages name Rust types (`expected u32`); users read numbers.
fn plain_types(msg: &str) -> String {
    const NAMES: [(&str, &str); 8] = [
        ("expected u8", "expected a whole number from 0 to 255"),
        ("expected u16", "expected a whole number from 0 to 65535"),
        ("expected u32", "expected a whole number from 0 to 4294967295"),
        ("expected u64", "expected a whole number, 0 or more"),
        ("expected usize", "expected a whole number, 0 or more"),
        ("expected i64", "expected a whole number"),
        ("expected f64", "expected a number"),
        ("expected f32", "expected a number"),
    ];
    let mut out = msg.to_string();
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
            let t: toml::Value = toml::from_str(text).map_err(|e| located(toml_message(text, &e)))?;
            serde_json::to_value(t).map_err(|e| located(e.to_string()))
        }
        Format::Json => serde_json::from_str(text).map_err(|e| located(e.to_string())),
    }
}

/// Splits `gossip.fanout=3` into the path and a typed value: the right-hand
/// side is read as a TOML value (`3`, `0.5`, `true`, `"2s"`, `[1, 2]`,
/// `{ dist = "constant", value = "5ms" }`), and as a bare string otherwise
/// (so `--set duration=30s` works without quotes).
pub fn parse_override(text: &str) -> Result<(String, serde_json::Value), String> {
    let (path, rhs) = text
        .split_once('=')
        .ok_or_else(|| format!("override {text:?} must look like path=value, e.g. nodes.count=1000"))?;
    let path = path.trim();
    if path.is_empty() || path.split('.').any(|s| s.is_empty()) {
        return Err(format!("override {text:?} has an empty field path"));
    }
    let rhs = rhs.trim();
    let value = match toml::from_str::<toml::Table>(&format!("v = {rhs}")) {
        Ok(mut t) => {
            serde_json::to_value(t.remove("v").expect("key v was just parsed")).map_err(|e| e.to_string())?
        }
        Err(_) => serde_json::Value::String(rhs.to_string()),
    };
    Ok((path.to_string(), value))
}

/// Sets `value` at dotted `path` inside `root`, creating tables on the way.
pub(crate) fn set_path(
    root: &mut serde_json::Value,
    path: &str,
    value: serde_json::Value,
) -> Result<(), String> {
    let mut cur = root;
    let parts: Vec<&str> = path.split('.').collect();
    for (i, part) in parts.iter().enumerate() {
        let obj = cur
            .as_object_mut()
            .ok_or_else(|| format!("cannot set `{path}`: `{}` is not a table", parts[..i].join(".")))?;
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
