//! The grid: swept fields, their values, the cartesian product in canonical
//! order, and how a point is written (labels, directory names).

use serde_json::Value;

/// Longest directory name a point may have (file systems allow 255 bytes).
pub(crate) const MAX_SLUG: usize = 200;

/// A value as a person reads it: strings bare (`500ms`), numbers and
/// booleans as written (`0.05`), lists and tables as compact JSON.
pub(crate) fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// `field=value` pairs, e.g. `gossip.fanout=3, network.loss=0.05`
/// (`base` for an empty grid): how errors and tables name a point.
pub(crate) fn label(fields: &[String], values: &[Value]) -> String {
    if fields.is_empty() {
        return "base".into();
    }
    fields
        .iter()
        .zip(values)
        .map(|(f, v)| format!("{f}={}", value_text(v)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A short label for charts: each field by its last path segment
/// (`fanout=3, loss=0.05`) unless two fields share it.
pub(crate) fn short_label(fields: &[String], values: &[Value]) -> String {
    let last = |f: &str| f.rsplit('.').next().unwrap_or(f).to_string();
    let mut names: Vec<String> = fields.iter().map(|f| last(f)).collect();
    let mut sorted = names.clone();
    sorted.sort();
    sorted.dedup();
    if sorted.len() != names.len() {
        names = fields.to_vec();
    }
    if names.is_empty() {
        return "base".into();
    }
    names
        .iter()
        .zip(values)
        .map(|(f, v)| format!("{f}={}", value_text(v)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The directory name of a point: `field=value` pairs joined by `+`; in
/// values, characters other than ASCII letters, digits, `.` and `-` become
/// `_`. Two points with the same name are rejected when the sweep loads.
pub(crate) fn slug(fields: &[String], values: &[Value]) -> String {
    if fields.is_empty() {
        return "base".into();
    }
    fields
        .iter()
        .zip(values)
        .map(|(f, v)| {
            let text: String = value_text(v)
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || matches!(c, '.' | '-') {
                        c
                    } else {
                        '_'
                    }
                })
                .collect();
            format!("{f}={text}")
        })
        .collect::<Vec<_>>()
        .join("+")
}

/// The cartesian product of `lists` as index tuples, the first list varying
/// slowest (lexicographic order). An empty `lists` gives one empty tuple.
pub(crate) fn product(lens: &[usize]) -> Vec<Vec<usize>> {
    let mut out = vec![Vec::new()];
    for &len in lens {
        let mut next = Vec::with_capacity(out.len() * len);
        for prefix in &out {
            for i in 0..len {
                let mut t = prefix.clone();
                t.push(i);
                next.push(t);
            }
        }
        out = next;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn product_is_lexicographic_first_key_slowest() {
        assert_eq!(
            product(&[2, 3]),
            vec![
                vec![0, 0],
                vec![0, 1],
                vec![0, 2],
                vec![1, 0],
                vec![1, 1],
                vec![1, 2]
            ]
        );
        assert_eq!(product(&[]), vec![Vec::<usize>::new()]);
    }

    #[test]
    fn slugs_and_labels() {
        let f = vec!["gossip.fanout".to_string(), "network.loss".to_string()];
        let v = vec![json!(3), json!(0.05)];
        assert_eq!(slug(&f, &v), "gossip.fanout=3+network.loss=0.05");
        assert_eq!(label(&f, &v), "gossip.fanout=3, network.loss=0.05");
        assert_eq!(short_label(&f, &v), "fanout=3, loss=0.05");
        let f = vec!["network.latency".to_string()];
        let v = vec![json!({"dist": "constant", "value": "5ms"})];
        assert_eq!(slug(&f, &v), "network.latency=__dist___constant___value___5ms__");
        assert_eq!(
            slug(&["gossip.interval".into()], &[json!("1.5s")]),
            "gossip.interval=1.5s"
        );
        assert_eq!(slug(&[], &[]), "base");
    }
}
