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

/// Last path segments that say little on their own (`nodes.count` is not
/// just any count): a chart names such a field by two segments at least.
const VAGUE: [&str; 14] = [
    "count", "value", "offset", "from", "to", "low", "high", "mean", "dist", "groups", "nodes", "bytes",
    "deltas", "rate",
];

/// The chart name of each field: its shortest suffix of path segments
/// that no other field shares (`fanout`, `loss`; `nodes.count`, as
/// `count` alone is vague; `a.loss` and `b.loss` when both are swept).
fn short_names(fields: &[String]) -> Vec<String> {
    let segs: Vec<Vec<&str>> = fields.iter().map(|f| f.split('.').collect()).collect();
    let mut k: Vec<usize> = segs
        .iter()
        .map(|s| {
            if s.len() > 1 && VAGUE.contains(&s[s.len() - 1]) {
                2
            } else {
                1
            }
        })
        .collect();
    let suffix = |i: usize, k: usize| segs[i][segs[i].len() - k..].join(".");
    loop {
        let names: Vec<String> = (0..fields.len()).map(|i| suffix(i, k[i])).collect();
        let mut longer = false;
        for i in 0..fields.len() {
            if k[i] < segs[i].len() && (0..fields.len()).any(|j| j != i && names[j] == names[i]) {
                k[i] += 1;
                longer = true;
            }
        }
        if !longer {
            return names;
        }
    }
}

/// A value as a chart label has it: a one-entry table `{ deltas = 10 }` as
/// `10 deltas` (`{ bytes = 1400 }` as `1400 B`, as is a plain number of
/// `mtu`, which counts bytes), a distribution by its kind and parameters
/// (`constant 5ms`, `uniform 5ms–20ms`, `normal mean=20ms std=5ms`), other
/// tables as `key=value` pairs, the rest as [`value_text`] has it.
pub(crate) fn readable(field: &str, v: &Value) -> String {
    let bytes = |n: &str| format!("{n} B");
    match v {
        Value::Number(n) if field.rsplit('.').next() == Some("mtu") => bytes(&n.to_string()),
        Value::Object(m) if m.len() == 1 => {
            let (k, v) = m.iter().next().expect("one entry");
            let v = readable(k, v);
            if k == "bytes" {
                bytes(&v)
            } else {
                format!("{v} {k}")
            }
        }
        Value::Object(m) if !m.is_empty() => {
            let mut parts: Vec<String> = Vec::new();
            if let Some(d) = m.get("dist") {
                parts.push(readable("dist", d));
            }
            if let Some(v) = m.get("value") {
                parts.push(readable("value", v));
            }
            if let (Some(lo), Some(hi)) = (m.get("low"), m.get("high")) {
                parts.push(format!("{}–{}", readable("low", lo), readable("high", hi)));
            }
            let named = |k: &str| match k {
                "dist" | "value" => false,
                "low" | "high" => !(m.contains_key("low") && m.contains_key("high")),
                _ => true,
            };
            for (k, v) in m.iter().filter(|(k, _)| named(k)) {
                parts.push(format!("{k}={}", readable(k, v)));
            }
            parts.join(" ")
        }
        other => value_text(other),
    }
}

/// How a sweep's charts name its points: each field by its short name
/// ([`short_names`]) and its [`readable`] value; a field with one value
/// across the grid is left out of the labels (when some other field
/// varies) and said once instead ([`Naming::fixed`]).
#[derive(Clone, Debug)]
pub(crate) struct Naming {
    names: Vec<String>,
    fields: Vec<String>,
    /// Whether the label names the field.
    shown: Vec<bool>,
    /// `name=value` of every field not shown.
    fixed: String,
}

impl Naming {
    /// The naming of the points of a grid over `fields`, whose values
    /// (in `fields` order) are `points`.
    pub(crate) fn new<'a>(fields: &[String], points: impl IntoIterator<Item = &'a [Value]>) -> Naming {
        let names = short_names(fields);
        let mut first: Vec<Option<&Value>> = vec![None; fields.len()];
        let mut varies = vec![false; fields.len()];
        for values in points {
            for (i, v) in values.iter().enumerate() {
                match first[i] {
                    None => first[i] = Some(v),
                    Some(f) => varies[i] |= f != v,
                }
            }
        }
        let shown: Vec<bool> = if varies.iter().any(|&v| v) {
            varies
        } else {
            vec![true; fields.len()]
        };
        let fixed = (0..fields.len())
            .filter(|&i| !shown[i])
            .filter_map(|i| first[i].map(|v| format!("{}={}", names[i], readable(&fields[i], v))))
            .collect::<Vec<_>>()
            .join(", ");
        Naming {
            names,
            fields: fields.to_vec(),
            shown,
            fixed,
        }
    }

    /// The label of the point with `values`: `fanout=3, loss=0.05`
    /// (`base` for an empty grid).
    pub(crate) fn label(&self, values: &[Value]) -> String {
        if self.fields.is_empty() {
            return "base".into();
        }
        self.label_of(values, &(0..self.fields.len()).collect::<Vec<_>>())
    }

    /// The label naming only the fields `of` (indices) that labels show;
    /// empty when none is.
    pub(crate) fn label_of(&self, values: &[Value], of: &[usize]) -> String {
        of.iter()
            .filter(|&&i| self.shown[i])
            .map(|&i| format!("{}={}", self.names[i], readable(&self.fields[i], &values[i])))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The fields left out of the labels, with their one value
    /// (`mtu=10 deltas`); empty when there is none.
    pub(crate) fn fixed(&self) -> &str {
        &self.fixed
    }
}

/// The directory name of a point: `field=value` pairs joined by `+`.
/// A scalar value is its text with characters other than ASCII letters,
/// digits, `.` and `-` replaced by `_` (`gossip.interval=1.5s`); a table is
/// its `key-value` entries joined by `,` (`gossip.mtu=deltas-50`,
/// `gossip.rumor=k-1,mode-coin`); an array its items joined by `,`; a table
/// or array inside one is wrapped in `(` `)`; an empty one is `empty`. Two
/// points with the same name are rejected when the sweep loads.
pub(crate) fn slug(fields: &[String], values: &[Value]) -> String {
    if fields.is_empty() {
        return "base".into();
    }
    fields
        .iter()
        .zip(values)
        .map(|(f, v)| format!("{f}={}", slug_value(v, false)))
        .collect::<Vec<_>>()
        .join("+")
}

/// One value of a [`slug`]; `nested`: inside a table or array (then a
/// table or array is wrapped in parentheses).
fn slug_value(v: &Value, nested: bool) -> String {
    let inner = match v {
        Value::Object(m) if !m.is_empty() => m
            .iter()
            .map(|(k, v)| format!("{}-{}", safe(k), slug_value(v, true)))
            .collect::<Vec<_>>()
            .join(","),
        Value::Array(a) if !a.is_empty() => a
            .iter()
            .map(|v| slug_value(v, true))
            .collect::<Vec<_>>()
            .join(","),
        Value::Object(_) | Value::Array(_) => return "empty".into(),
        scalar => return safe(&value_text(scalar)),
    };
    if nested {
        format!("({inner})")
    } else {
        inner
    }
}

/// `text` with characters other than ASCII letters, digits, `.` and `-`
/// replaced by `_`.
fn safe(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect()
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
        let naming = Naming::new(&f, [&v[..], &[json!(4), json!(0.1)][..]]);
        assert_eq!(naming.label(&v), "fanout=3, loss=0.05");
        assert_eq!(naming.fixed(), "");
        let f = vec!["network.latency".to_string()];
        let v = vec![json!({"dist": "constant", "value": "5ms"})];
        assert_eq!(slug(&f, &v), "network.latency=dist-constant,value-5ms");
        assert_eq!(
            slug(&["gossip.interval".into()], &[json!("1.5s")]),
            "gossip.interval=1.5s"
        );
        assert_eq!(slug(&[], &[]), "base");
        let one = |v: Value| slug(&["f".into()], &[v]);
        assert_eq!(one(json!({"deltas": 50})), "f=deltas-50");
        assert_eq!(one(json!({"k": 1, "mode": "coin"})), "f=k-1,mode-coin");
        assert_eq!(one(json!([])), "f=empty");
        assert_eq!(one(json!({})), "f=empty");
        assert_eq!(one(json!({"a": {"b": 1}, "c": [2, 3]})), "f=a-(b-1),c-(2,3)");
        assert_eq!(one(json!([1, [2, 3]])), "f=1,(2,3)");
        assert_eq!(one(json!({"a b": "x/y"})), "f=a_b-x_y");
        assert_eq!(one(json!("x/y z")), "f=x_y_z");
    }

    /// Tables read as values, not JSON: `mtu=10 deltas` (it was
    /// `mtu={"deltas":10}`), `mtu=1400 B`, `latency=uniform 5ms–20ms`.
    #[test]
    fn table_values_are_readable() {
        let mtu = "gossip.mtu";
        assert_eq!(readable(mtu, &json!({"deltas": 10})), "10 deltas");
        assert_eq!(readable(mtu, &json!({"bytes": 1400})), "1400 B");
        assert_eq!(readable(mtu, &json!(1400)), "1400 B");
        assert_eq!(readable("workload.value_bytes", &json!(100)), "100");
        let lat = "network.latency";
        assert_eq!(
            readable(lat, &json!({"dist": "constant", "value": "5ms"})),
            "constant 5ms"
        );
        assert_eq!(
            readable(lat, &json!({"dist": "uniform", "low": "5ms", "high": "20ms"})),
            "uniform 5ms–20ms"
        );
        assert_eq!(
            readable(lat, &json!({"dist": "normal", "mean": "20ms", "std": "5ms"})),
            "normal mean=20ms std=5ms"
        );
        assert_eq!(
            readable(
                "gossip.flow_control",
                &json!({"initial_rate": 2.0, "decrease": 0.5})
            ),
            "decrease=0.5 initial_rate=2.0"
        );
        assert_eq!(readable("gossip.flow_control", &json!({})), "{}");
        assert_eq!(readable("gossip.interval", &json!("500ms")), "500ms");
    }

    /// A field with one value is said once, not in every label; `count`
    /// alone is vague, so `nodes.count` keeps its table; names that two
    /// fields share grow until they differ.
    #[test]
    fn labels_leave_out_single_values_and_stay_meaningful() {
        let f: Vec<String> = ["gossip.mtu", "gossip.order", "nodes.count"]
            .map(String::from)
            .to_vec();
        let points = [
            vec![json!({"deltas": 10}), json!("precise-oldest"), json!(64)],
            vec![json!({"deltas": 10}), json!("scuttle-depth"), json!(128)],
        ];
        let naming = Naming::new(&f, points.iter().map(|p| &p[..]));
        assert_eq!(naming.label(&points[0]), "order=precise-oldest, nodes.count=64");
        assert_eq!(naming.fixed(), "mtu=10 deltas");
        assert_eq!(naming.label_of(&points[1], &[0, 2]), "nodes.count=128");
        assert_eq!(naming.label_of(&points[1], &[0]), "");
        // One point: every field is named (there is nothing else to say).
        let naming = Naming::new(&f, [&points[0][..]]);
        assert_eq!(
            naming.label(&points[0]),
            "mtu=10 deltas, order=precise-oldest, nodes.count=64"
        );
        assert_eq!(naming.fixed(), "");
        assert_eq!(
            short_names(&["a.x.loss", "b.x.loss", "gossip.fanout"].map(String::from)),
            ["a.x.loss", "b.x.loss", "fanout"]
        );
        assert_eq!(
            short_names(&["network.latency.value", "clock.offset.value"].map(String::from)),
            ["latency.value", "offset.value"]
        );
        assert_eq!(Naming::new(&[], [&[][..]]).label(&[]), "base");
    }
}
