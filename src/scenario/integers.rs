//! Whole numbers outside their field's range, said as the field's rule.
//!
//! Two messages from the parsers say neither the field nor what is valid:
//! TOML's "number too large to fit in target type" (a literal beyond its
//! 64-bit signed integers, found before any field is known) and serde's
//! "invalid value: integer `-4`, expected u32". Here the field is found (the
//! literal is replaced by a marker and looked for), its integer type is
//! learned by giving it a string, and validation is asked about the nearest
//! value the type holds: its message is the field's own rule ("must be at
//! least 2"); when it has none, the type's range is the rule.

use super::{validate, Scenario};
use serde_json::Value;

/// Which end of its field's range a number is beyond.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum Beyond {
    /// Smaller than the smallest valid value.
    Low,
    /// Larger than the largest valid value.
    High,
}

/// The largest integer a TOML file can hold (TOML integers are signed 64-bit).
const TOML_MAX: i128 = i64::MAX as i128;

/// Replaces a too-large (or too-small) TOML integer literal, whose error is
/// at byte `offset` of `text`, by a marker string; returns the field path the
/// marker lands at (`seed`, `faults[0].crash`) and the message for it, or
/// `None` when `message` is not that error or the field cannot be found.
pub(crate) fn toml_literal_out_of_range(
    text: &str,
    offset: usize,
    message: &str,
) -> Option<(String, String)> {
    let beyond = match message {
        "number too large to fit in target type" => Beyond::High,
        "number too small to fit in target type" => Beyond::Low,
        _ => return None,
    };
    let rest = text.get(offset..)?;
    let len = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '+' | '-')))
        .unwrap_or(rest.len());
    let literal = &rest[..len];
    if literal.is_empty() {
        return None;
    }
    const MARKER: &str = "scuttlesim: the out-of-range integer";
    let mut marked = format!("{}\"{MARKER}\"{}", &text[..offset], &rest[len..]);
    // Later literals out of range too (`to` after `from`) are set to 0 to
    // find this one's field.
    let mut parsed = toml::from_str::<toml::Value>(&marked);
    for _ in 0..16 {
        let Err(e) = &parsed else { break };
        let (Some(span), true) = (e.span(), e.message().contains("to fit in target type")) else {
            return None;
        };
        let tail = &marked[span.start..];
        let n = tail
            .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '+' | '-')))
            .unwrap_or(tail.len());
        if n == 0 {
            return None;
        }
        marked.replace_range(span.start..span.start + n, "0");
        parsed = toml::from_str::<toml::Value>(&marked);
    }
    let root = serde_json::to_value(parsed.ok()?).ok()?;
    let field = path_of(&root, MARKER, String::new())?;
    let message = rule(&root, &field, literal, beyond, true).unwrap_or_else(|| match beyond {
        Beyond::High => format!("{literal} is too large: a TOML integer is at most {}", i64::MAX),
        Beyond::Low => format!("{literal} is too small: a TOML integer is at least {}", i64::MIN),
    });
    Some((field, message))
}

/// `message` about `field` of the scenario `root` (as JSON) with what is
/// valid, when it is serde's out-of-range integer (``invalid value: integer
/// `-4`, expected a whole number``, as [`super::load`] words it) or a
/// too-large integer literal read as a float; otherwise `message` unchanged.
/// `literal_before` is the text of the file up to the error (JSON reports
/// the end of the value), to tell `18446744073709551616` from `1.8e19`.
pub(crate) fn refine(
    message: String,
    field: Option<&str>,
    root: &Value,
    literal_before: Option<&str>,
) -> String {
    let Some(field) = field else {
        return message;
    };
    if let Some(rest) = message.strip_prefix("invalid value: integer `") {
        let Some((literal, tail)) = rest.split_once('`') else {
            return message;
        };
        if !tail.starts_with(", expected a whole number") {
            return message;
        }
        let beyond = if literal.starts_with('-') {
            Beyond::Low
        } else {
            Beyond::High
        };
        return rule(root, field, literal, beyond, false).unwrap_or(message);
    }
    // serde_json reads an integer literal too large for 64 bits as a float.
    if message.starts_with("invalid type: floating point `") && message.contains(", expected a whole number")
    {
        let before = literal_before.unwrap_or_default();
        let start = before
            .rfind(|c: char| !(c.is_ascii_digit() || c == '-'))
            .map_or(0, |i| i + 1);
        let literal = &before[start..];
        let delimited = before[..start]
            .chars()
            .next_back()
            .is_none_or(|c| c.is_whitespace() || matches!(c, ':' | '[' | ','));
        if delimited && literal.trim_start_matches('-').len() >= 19 {
            let beyond = if literal.starts_with('-') {
                Beyond::Low
            } else {
                Beyond::High
            };
            return rule(root, field, literal, beyond, false).unwrap_or(message);
        }
    }
    // "expected a whole number, 0 or more" (any u64) where validation
    // refuses 0 (`max_bytes_per_node_per_s`): the field's own rule instead.
    const ANY_U64: &str = ", expected a whole number, 0 or more";
    if let Some(at) = message.find(ANY_U64) {
        if let Some(rule) = validation_rule(root, field, 0) {
            let rest = &message[at + ANY_U64.len()..];
            return format!("{}, expected a whole number; {rule}{rest}", &message[..at]);
        }
    }
    message
}

/// "`literal` is out of range: RULE" for the integer `field` of `root`, or
/// `None` if `field` is not a plain integer field. The rule is what
/// validation says of the type's smallest and largest values there, or
/// else the type's range.
fn rule(root: &Value, field: &str, literal: &str, beyond: Beyond, toml_literal: bool) -> Option<String> {
    let (lo, hi) = bounds(root, field)?;
    let low = validation_rule(root, field, lo);
    let high = validation_rule(root, field, hi);
    // A rule naming both ends ("between 1 and 3", "node ids are 0 to 3") is enough alone.
    let whole = |r: &Option<String>| r.clone().filter(|r| r.contains("between") || r.contains(" to "));
    let rule = match (whole(&low).or(whole(&high)), low, high) {
        (Some(r), _, _) => r,
        (None, None, None) => format!("expected a whole number from {lo} to {hi}"),
        (None, low, high) => format!(
            "{}; {}",
            low.unwrap_or_else(|| format!("must be at least {lo}")),
            high.unwrap_or_else(|| format!("must be at most {hi}"))
        ),
    };
    let mut message = format!("{literal} is out of range: {rule}");
    if toml_literal && beyond == Beyond::High && hi > TOML_MAX {
        message += &format!(
            "; a TOML file holds integers up to {TOML_MAX}: write a larger one in a JSON scenario{}",
            if field == "seed" { " or give --seed" } else { "" }
        );
    }
    Some(message)
}

/// The range of the integer type of `field`, learned from serde's message
/// for a string there (`invalid type: string "", expected u32`).
fn bounds(root: &Value, field: &str) -> Option<(i128, i128)> {
    let mut probe = root.clone();
    *at_path(&mut probe, field)? = Value::String(String::new());
    let e = serde_path_to_error::deserialize::<_, Scenario>(probe).err()?;
    if e.path().to_string() != field {
        return None;
    }
    let message = e.inner().to_string();
    Some(match message.rsplit("expected ").next()? {
        "u8" => (0, u8::MAX.into()),
        "u16" => (0, u16::MAX.into()),
        "u32" => (0, u32::MAX.into()),
        "u64" | "usize" => (0, u64::MAX.into()),
        "i32" => (i32::MIN.into(), i32::MAX.into()),
        "i64" => (i64::MIN.into(), i64::MAX.into()),
        _ => return None,
    })
}

/// Validation's rule for `field` when it holds `value`: its message without
/// the trailing "; got N", or only what follows "does not exist: " ("node
/// ids are 0 to 3"). `None` if validation accepts `value` there, stops at
/// another field first, or says something other than a range ("node 0 is
/// listed twice").
fn validation_rule(root: &Value, field: &str, value: i128) -> Option<String> {
    let mut probe = root.clone();
    *at_path(&mut probe, field)? = match i64::try_from(value) {
        Ok(v) => Value::from(v),
        Err(_) => Value::from(u64::try_from(value).ok()?),
    };
    let mut s: Scenario = serde_json::from_value(probe).ok()?;
    if s.name.is_empty() {
        s.name = "scenario".into();
    }
    crate::check::resolve(&mut s.checks);
    let (at, message) = validate::validate(&s).err()?;
    if at != field {
        return None;
    }
    let message = message
        .rfind("; got ")
        .map_or(message.as_str(), |i| &message[..i]);
    if let Some((_, rule)) = message.split_once("does not exist: ") {
        return Some(rule.to_string());
    }
    ["at least", "at most", "between", "must be in"]
        .iter()
        .any(|w| message.contains(w))
        .then(|| message.to_string())
}

/// The value at a field path as serde_path_to_error writes it
/// (`nodes.count`, `faults[0].crash`, `workload.writers[1]`).
fn at_path<'v>(root: &'v mut Value, path: &str) -> Option<&'v mut Value> {
    let mut cur = root;
    for part in path.split('.') {
        let (key, mut rest) = part.split_at(part.find('[').unwrap_or(part.len()));
        if !key.is_empty() {
            cur = cur.get_mut(key)?;
        }
        while let Some(r) = rest.strip_prefix('[') {
            let (i, after) = r.split_once(']')?;
            cur = cur.get_mut(i.parse::<usize>().ok()?)?;
            rest = after;
        }
    }
    Some(cur)
}

/// The path (as [`at_path`] reads it) of the string `marker` in `v`.
fn path_of(v: &Value, marker: &str, here: String) -> Option<String> {
    match v {
        Value::String(s) if s == marker => Some(here),
        Value::Object(map) => map.iter().find_map(|(k, v)| {
            let p = if here.is_empty() {
                k.clone()
            } else {
                format!("{here}.{k}")
            };
            path_of(v, marker, p)
        }),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, v)| path_of(v, marker, format!("{here}[{i}]"))),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_find_and_reach_the_marker() {
        let mut v: Value = serde_json::from_str(r#"{"a": {"b": [1, {"c": "M"}]}, "d": 2}"#).unwrap();
        let p = path_of(&v, "M", String::new()).unwrap();
        assert_eq!(p, "a.b[1].c");
        *at_path(&mut v, &p).unwrap() = Value::from(7);
        assert_eq!(v["a"]["b"][1]["c"], 7);
        assert!(at_path(&mut v, "a.b[5]").is_none());
    }
}
