//! The field a TOML syntax error lies inside. A document that does not
//! parse has no spans to ask, so the text before the error is scanned: the
//! last `[table]` or `[[array]]` header, the inline tables and arrays still
//! open and the key whose value is being read (`nodes = { count = 4, }`:
//! `nodes`; `[gossip]` then `interval = = 1`: `gossip.interval`).

/// An inline table or array open at the error.
struct Open {
    /// Its path segment: a key, or `[i]` for an element of an array.
    segment: String,
    /// An array (else an inline table).
    array: bool,
    /// In an array, the elements begun before the current one.
    elements: usize,
}

/// The dotted field path enclosing byte `offset` of TOML `text` (the
/// error's position, from its line:column), or `None`
/// when the error is at the top level, inside a header, or `offset` is not
/// in `text`. A trailing list index is left out (the array is named: an
/// element that does not parse may not be the one counted).
pub(crate) fn toml_enclosing(text: &str, offset: usize) -> Option<String> {
    // An error at a `,` (TOML reports a trailing comma there) lies after
    // the value the comma ends: in the table, not in that value.
    let end = if text.get(offset..)?.starts_with(',') {
        offset + 1
    } else {
        offset
    };
    let before = text.get(..end)?;
    let b = before.as_bytes();
    let mut header = String::new();
    // How many elements each `[[array]]` header has begun.
    let mut arrays: std::collections::BTreeMap<String, usize> = std::collections::BTreeMap::new();
    let mut open: Vec<Open> = Vec::new();
    // The key being read, dotted, and the key whose value is being read.
    let mut key = String::new();
    let mut value_of: Option<String> = None;
    let mut line_start = true;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        match c {
            b'\n' => {
                if open.is_empty() {
                    key.clear();
                    value_of = None;
                    line_start = true;
                }
                i += 1;
                continue;
            }
            b' ' | b'\t' | b'\r' => {
                i += 1;
                continue;
            }
            b'#' => {
                i = before[i..].find('\n').map_or(b.len(), |n| i + n);
                continue;
            }
            b'"' | b'\'' => {
                let quote = if c == b'"' { "\"" } else { "'" };
                let triple = quote.repeat(3);
                let (open_len, close) = if before[i..].starts_with(&triple) {
                    (3, triple.as_str())
                } else {
                    (1, quote)
                };
                let start = i + open_len;
                let Some(len) = string_end(&before[start..], close, c == b'"') else {
                    // The error is inside this string.
                    break;
                };
                if value_of.is_none() && !open.last().is_some_and(|o| o.array) {
                    key.push_str(&before[start..start + len]);
                }
                i = start + len + close.len();
            }
            b'[' if open.is_empty() && line_start && value_of.is_none() => {
                let line_end = before[i..].find('\n').map_or(b.len(), |n| i + n);
                let line = &before[i..line_end];
                let is_array = line.starts_with("[[");
                let closing = if is_array { "]]" } else { "]" };
                let inner_start = if is_array { 2 } else { 1 };
                // An error inside a header (or one not closed) names nothing.
                let end = line[inner_start..].find(closing)?;
                let path = dotted(&line[inner_start..inner_start + end]);
                header = if is_array {
                    let n = arrays.entry(path.clone()).or_insert(0);
                    *n += 1;
                    format!("{path}[{}]", *n - 1)
                } else {
                    path
                };
                i = line_end;
                continue;
            }
            b'=' => {
                value_of = Some(std::mem::take(&mut key));
                i += 1;
            }
            b'{' | b'[' => {
                let segment = match open.last() {
                    Some(o) if o.array => format!("[{}]", o.elements),
                    _ => value_of.take().unwrap_or_default(),
                };
                open.push(Open {
                    segment,
                    array: c == b'[',
                    elements: 0,
                });
                key.clear();
                value_of = None;
                i += 1;
            }
            b'}' | b']' => {
                open.pop();
                value_of = None;
                i += 1;
            }
            b',' => {
                match open.last_mut() {
                    Some(o) if o.array => o.elements += 1,
                    _ => {
                        key.clear();
                        value_of = None;
                    }
                }
                i += 1;
            }
            _ => {
                // A bare key (or its dot), or a bare value (number, date, …).
                let ch = before[i..].chars().next().unwrap_or(' ');
                if value_of.is_none() && !open.last().is_some_and(|o| o.array) {
                    key.push(ch);
                }
                i += ch.len_utf8();
            }
        }
        line_start = false;
    }
    let mut path = header;
    let inner = open.iter().map(|o| o.segment.as_str());
    let segments: Vec<&str> = inner.chain(value_of.as_deref()).collect();
    for (n, segment) in segments.iter().enumerate() {
        if segment.starts_with('[') {
            if n + 1 < segments.len() {
                path.push_str(segment);
            }
        } else if !segment.is_empty() {
            if !path.is_empty() {
                path.push('.');
            }
            path.push_str(&dotted(segment));
        }
    }
    (!path.is_empty()).then_some(path)
}

/// The length of a string's content up to `close`, if it closes in `s`
/// (`escapes`: a basic string, where `\` escapes the next character).
fn string_end(s: &str, close: &str, escapes: bool) -> Option<usize> {
    let mut i = 0;
    while i < s.len() {
        if escapes && s.as_bytes()[i] == b'\\' {
            i += 2;
            continue;
        }
        if s[i..].starts_with(close) {
            return Some(i);
        }
        i += 1;
        while i < s.len() && !s.is_char_boundary(i) {
            i += 1;
        }
    }
    None
}

/// A key as written (`a . "b"`) as a dotted path (`a.b`).
fn dotted(key: &str) -> String {
    key.split('.')
        .map(|part| part.trim().trim_matches(['"', '\'']))
        .collect::<Vec<_>>()
        .join(".")
}

#[cfg(test)]
mod tests {
    use super::toml_enclosing;

    /// The field enclosing the first `@` of `marked` (which is removed).
    fn at(marked: &str) -> Option<String> {
        let offset = marked.find('@').unwrap();
        toml_enclosing(&marked.replacen('@', "", 1), offset)
    }

    #[test]
    fn finds_the_enclosing_field() {
        // TOML reports a trailing comma at the comma.
        assert_eq!(at("nodes = { count = 4@, }\n").as_deref(), Some("nodes"));
        assert_eq!(
            at("duration = \"5s\"\nnodes = { count = 4, @}\n").as_deref(),
            Some("nodes")
        );
        assert_eq!(
            at("a = 1\n[gossip]\ninterval = @= 1\n").as_deref(),
            Some("gossip.interval")
        );
        assert_eq!(at("[gossip]\n@x y\n").as_deref(), Some("gossip"));
        assert_eq!(
            at("[[faults]]\nat = \"1s\"\n[[faults]]\ncut = { from = [0], to = [1], @}\n").as_deref(),
            Some("faults[1].cut")
        );
        assert_eq!(
            at("faults = [{ at = \"1s\" }, { cut = { \"from\" = [0, @ }]\n").as_deref(),
            Some("faults[1].cut.from")
        );
        assert_eq!(
            at("[base.nodes]\ncount = 4 @x\n").as_deref(),
            Some("base.nodes.count")
        );
        // A `#`, `{` or `=` inside a string or a comment opens nothing.
        assert_eq!(at("name = \"a{=#\" # { [\n@x\n").as_deref(), None);
        assert_eq!(at("[out] # [x]\nname = '''a\n{'''\n@x\n").as_deref(), Some("out"));
        // Top level, inside a header: nothing.
        assert_eq!(at("duration = \"5s\"\n@x\n"), None);
        assert_eq!(at("[gos@sip\n"), None);
        assert_eq!(at("ключ = { @"), Some("ключ".to_string()));
    }
}
