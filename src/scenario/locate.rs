//! Best-effort search for the line:column of a dotted field path in scenario
//! text, so validation errors (found after parsing) can still point at a line.

use super::Format;

/// The 1-based line and column where `path` (e.g. `gossip.fanout` or
/// `workload.schedule[1].node`) is written in `text`, if it can be found.
pub(crate) fn locate(text: &str, format: Format, path: &str) -> Option<(usize, usize)> {
    let parts: Vec<(&str, Option<usize>)> = path.split('.').map(split_index).collect();
    match format {
        Format::Toml => locate_toml(text, &parts),
        Format::Json => locate_json(text, &parts),
    }
}

fn split_index(seg: &str) -> (&str, Option<usize>) {
    match seg.split_once('[') {
        Some((name, rest)) => (name, rest.trim_end_matches(']').parse().ok()),
        None => (seg, None),
    }
}

fn locate_toml(text: &str, parts: &[(&str, Option<usize>)]) -> Option<(usize, usize)> {
    // The path may name a table itself: `[[faults]]` (the n-th) or `[gossip]`.
    let whole: Vec<&str> = parts.iter().map(|p| p.0).collect();
    let whole = whole.join(".");
    let index = parts.last().and_then(|p| p.1).unwrap_or(0);
    let mut seen = 0;
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        let name = line
            .strip_prefix("[[")
            .and_then(|h| h.split("]]").next())
            .or_else(|| line.strip_prefix('[').and_then(|h| h.split(']').next()));
        if name.map(str::trim) == Some(whole.as_str()) {
            if seen == index {
                return Some((i + 1, raw.len() - raw.trim_start().len() + 1));
            }
            seen += 1;
        }
    }
    let (key, _) = *parts.last()?;
    let table: Vec<&str> = parts[..parts.len() - 1].iter().map(|p| p.0).collect();
    let table = table.join(".");
    let wanted_index = parts.iter().rev().skip(1).find_map(|p| p.1);
    let mut current = String::new();
    let mut header_line = None;
    let mut seen_of_array = 0usize;
    let mut in_wanted = table.is_empty();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim_start();
        let indent = raw.len() - line.len();
        if let Some(h) = line.strip_prefix("[[") {
            current = h.split("]]").next().unwrap_or("").trim().to_string();
            in_wanted = current == table && wanted_index.is_none_or(|w| w == seen_of_array);
            if current == table {
                seen_of_array += 1;
            }
            if in_wanted {
                header_line = Some((i + 1, indent + 1));
            }
            continue;
        }
        if let Some(h) = line.strip_prefix('[') {
            current = h.split(']').next().unwrap_or("").trim().to_string();
            in_wanted = current == table;
            if in_wanted {
                header_line = Some((i + 1, indent + 1));
            }
            continue;
        }
        if in_wanted && key_matches(line, key) {
            return Some((i + 1, indent + 1));
        }
        // Dotted or inline forms: `gossip.fanout = 3`, `latency = { dist = ... }`.
        if current.is_empty() && !table.is_empty() {
            let dotted = format!("{table}.{key}");
            if key_matches(line, &dotted) {
                return Some((i + 1, indent + 1));
            }
            let last_table = table.rsplit('.').next().unwrap_or("");
            if key_matches(line, last_table)
                || line.contains(&format!("{key} =")) && in_current(&current, &table)
            {
                if let Some(col) = raw
                    .find(&format!("{key} ="))
                    .or_else(|| raw.find(&format!("{key}=")))
                {
                    return Some((i + 1, col + 1));
                }
            }
        }
        if !table.is_empty() && table.starts_with(&current) && current != table {
            let rest = table[current.len()..].trim_start_matches('.');
            let first = rest.split('.').next().unwrap_or("");
            if !first.is_empty() && key_matches(line, first) {
                if let Some(col) = raw
                    .find(&format!("{key} ="))
                    .or_else(|| raw.find(&format!("{key}=")))
                {
                    return Some((i + 1, col + 1));
                }
                return Some((i + 1, indent + 1));
            }
        }
    }
    header_line
}

fn in_current(current: &str, table: &str) -> bool {
    current.is_empty() || table.starts_with(current)
}

fn key_matches(line: &str, key: &str) -> bool {
    let Some(rest) = line.strip_prefix(key) else {
        return false;
    };
    rest.trim_start().starts_with('=')
}

fn locate_json(text: &str, parts: &[(&str, Option<usize>)]) -> Option<(usize, usize)> {
    let mut from = 0;
    let mut found = None;
    for (name, _) in parts {
        let needle = format!("\"{name}\"");
        let at = text[from..].find(&needle)? + from;
        found = Some(at);
        from = at + needle.len();
    }
    found.map(|off| super::load::line_col(text, off))
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOML: &str = "name = \"x\"\n\n[nodes]\ncount = 4\n\n[gossip]\n# c\nfanout = 9\n\n[network]\nlatency = { dist = \"constant\", value = \"1ms\" }\n\n[[workload.schedule]]\nnode = 1\n[[workload.schedule]]\nnode = 7\n";

    #[test]
    fn finds_keys_in_tables() {
        assert_eq!(locate(TOML, Format::Toml, "gossip.fanout"), Some((8, 1)));
        assert_eq!(locate(TOML, Format::Toml, "nodes.count"), Some((4, 1)));
        assert_eq!(locate(TOML, Format::Toml, "name"), Some((1, 1)));
    }

    #[test]
    fn finds_inline_tables_and_array_entries() {
        assert_eq!(
            locate(TOML, Format::Toml, "network.latency.value").map(|l| l.0),
            Some(11)
        );
        assert_eq!(
            locate(TOML, Format::Toml, "workload.schedule[1].node"),
            Some((16, 1))
        );
    }

    #[test]
    fn finds_json_keys() {
        let json = "{\n  \"nodes\": {\n    \"count\": 0\n  }\n}";
        assert_eq!(locate(json, Format::Json, "nodes.count"), Some((3, 5)));
    }
}
