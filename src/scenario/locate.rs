//! The line:column of a dotted field path in scenario text, so validation
//! errors (found after parsing) can still point at a line: from the
//! document's structure (TOML through `toml_edit`'s spans, JSON through a
//! small scanner), so that `faults[1].crash` is found in the second
//! element however the list is written; else (text that does not parse,
//! a path not in it) a best-effort search of the lines.

use super::Format;

/// The 1-based line and column where `path` (e.g. `gossip.fanout` or
/// `workload.schedule[1].node`) is written in `text`, if it can be found.
pub(crate) fn locate(text: &str, format: Format, path: &str) -> Option<(usize, usize)> {
    let parts: Vec<(&str, Option<usize>)> = path.split('.').map(split_index).collect();
    let exact = match format {
        Format::Toml => toml_offset(text, &parts),
        Format::Json => json::offset(text, &parts),
    };
    if let Some(at) = exact {
        return Some(super::load::line_col(text, at));
    }
    match format {
        Format::Toml => locate_toml(text, &parts),
        Format::Json => locate_json(text, &parts),
    }
}

/// The byte offset of `parts` in TOML `text` from the parsed document: the
/// last part's key (or, for a list element, the element itself: a
/// `[[table]]`'s header, an inline table or a value).
fn toml_offset(text: &str, parts: &[(&str, Option<usize>)]) -> Option<usize> {
    use toml_edit::{Item, TableLike, Value};
    let doc = toml_edit::ImDocument::parse(text).ok()?;
    let mut table: &dyn TableLike = doc.as_table();
    for (i, &(name, index)) in parts.iter().enumerate() {
        let (key, item) = table.get_key_value(name)?;
        let last = i + 1 == parts.len();
        let Some(k) = index else {
            if last {
                return key.span().or_else(|| item.span()).map(|r| r.start);
            }
            table = item.as_table_like()?;
            continue;
        };
        match item {
            Item::ArrayOfTables(list) => {
                let t = list.get(k)?;
                if last {
                    return t.span().map(|r| r.start);
                }
                table = t;
            }
            Item::Value(Value::Array(list)) => {
                let v = list.get(k)?;
                if last {
                    return v.span().map(|r| r.start);
                }
                table = v.as_inline_table()?;
            }
            _ => return None,
        }
    }
    None
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

/// A scanner of JSON text that follows a field path through its objects
/// and arrays (the text has parsed already; anything unexpected gives up).
mod json {
    /// The byte offset of `parts`: the last part's key (or, for a list
    /// element, the element).
    pub(super) fn offset(text: &str, parts: &[(&str, Option<usize>)]) -> Option<usize> {
        let mut s = Scanner {
            b: text.as_bytes(),
            at: 0,
        };
        for (i, &(name, index)) in parts.iter().enumerate() {
            let key_at = s.find_key(name)?;
            let last = i + 1 == parts.len();
            match index {
                None if last => return Some(key_at),
                None => {}
                Some(k) => {
                    s.enter_array()?;
                    for _ in 0..k {
                        s.skip_value()?;
                        s.ws();
                        s.eat(b',')?;
                    }
                    s.ws();
                    if last {
                        return Some(s.at);
                    }
                }
            }
        }
        None
    }

    struct Scanner<'a> {
        b: &'a [u8],
        at: usize,
    }

    impl Scanner<'_> {
        fn ws(&mut self) {
            while self.b.get(self.at).is_some_and(|c| c.is_ascii_whitespace()) {
                self.at += 1;
            }
        }

        fn eat(&mut self, c: u8) -> Option<()> {
            self.ws();
            (self.b.get(self.at) == Some(&c)).then(|| self.at += 1)
        }

        /// At a value that is an object: moves past the key `name` and its
        /// colon, returning where the key starts.
        fn find_key(&mut self, name: &str) -> Option<usize> {
            self.eat(b'{')?;
            loop {
                self.ws();
                let key_at = self.at;
                let key = self.string()?;
                self.eat(b':')?;
                if &self.b[key] == name.as_bytes() {
                    self.ws();
                    return Some(key_at);
                }
                self.skip_value()?;
                self.eat(b',')?;
            }
        }

        fn enter_array(&mut self) -> Option<()> {
            self.eat(b'[')
        }

        /// Where a string's raw bytes are (escapes left as written: keys
        /// here are plain).
        fn string(&mut self) -> Option<std::ops::Range<usize>> {
            if self.b.get(self.at) != Some(&b'"') {
                return None;
            }
            let start = self.at + 1;
            let mut i = start;
            while *self.b.get(i)? != b'"' {
                i += if self.b[i] == b'\\' { 2 } else { 1 };
            }
            self.at = i + 1;
            Some(start..i)
        }

        fn skip_value(&mut self) -> Option<()> {
            self.ws();
            match *self.b.get(self.at)? {
                b'"' => self.string().map(|_| ()),
                open @ (b'{' | b'[') => {
                    let close = if open == b'{' { b'}' } else { b']' };
                    self.at += 1;
                    loop {
                        self.ws();
                        if self.b.get(self.at) == Some(&close) {
                            self.at += 1;
                            return Some(());
                        }
                        if open == b'{' {
                            self.string()?;
                            self.eat(b':')?;
                        }
                        self.skip_value()?;
                        self.ws();
                        if self.b.get(self.at) == Some(&b',') {
                            self.at += 1;
                        }
                    }
                }
                _ => {
                    // A number, true, false or null.
                    while self
                        .b
                        .get(self.at)
                        .is_some_and(|c| !matches!(c, b',' | b'}' | b']') && !c.is_ascii_whitespace())
                    {
                        self.at += 1;
                    }
                    Some(())
                }
            }
        }
    }
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

    /// The element a path names, however the list is written: JSON lists,
    /// TOML inline lists, and keys of the same name in earlier elements or
    /// earlier tables.
    #[test]
    fn finds_the_element_named_not_the_first() {
        let json = "{ \"duration\": \"30s\", \"nodes\": { \"count\": 8 },\n  \"faults\": [\n    { \"at\": \"5s\", \"crash\": 3 },\n    { \"at\": \"6s\", \"crash\": 9 } ] }";
        assert_eq!(locate(json, Format::Json, "faults[1].crash"), Some((4, 19)));
        assert_eq!(locate(json, Format::Json, "faults[1].at"), Some((4, 7)));
        assert_eq!(locate(json, Format::Json, "faults[0].crash"), Some((3, 19)));
        assert_eq!(locate(json, Format::Json, "faults[1]"), Some((4, 5)));
        let toml = "duration = \"30s\"\nfaults = [\n  { at = \"5s\", crash = 3 },\n  { at = \"6s\", crash = 9 },\n]\n[nodes]\ncount = 8\n";
        assert_eq!(locate(toml, Format::Toml, "faults[1].crash"), Some((4, 16)));
        assert_eq!(locate(toml, Format::Toml, "faults[0].at"), Some((3, 5)));
        assert_eq!(locate(toml, Format::Toml, "nodes.count"), Some((7, 1)));
        // `count` also names a key elsewhere; the path's table decides.
        let json = "{\"a\": {\"count\": 1, \"x\": [1, {\"count\": 2}]}, \"nodes\": {\"count\": 3}}";
        assert_eq!(locate(json, Format::Json, "nodes.count"), Some((1, 55)));
        assert_eq!(locate(json, Format::Json, "a.x[1].count"), Some((1, 30)));
    }
}
