//! Test helpers: a provenance, a minimal SVG well-formedness check, PNG decoding.
//!
//! The checks are deliberately small: they catch broken output (unbalanced
//! tags, missing text, a PNG of the wrong size) without depending on the exact
//! markup plotters emits.

use super::{ChartError, ImageFormat, Provenance, Rendered};

/// The provenance every test chart uses.
pub(crate) fn prov() -> Provenance {
    Provenance {
        scenario: "unit".into(),
        version: "0.1.0".into(),
        seed: Some(42),
        scenario_hash: "3f2a9c1e5b".into(),
        fixed: String::new(),
    }
}

/// Asserts `svg` is one balanced `<svg>` element; returns `(width, height)`.
pub(crate) fn well_formed(svg: &str) -> (u32, u32) {
    let s = svg.trim();
    assert!(s.starts_with("<svg"), "does not start with <svg");
    assert!(s.ends_with("</svg>"), "does not end with </svg>");
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
    // Text names the bundled font, so that an SVG viewer with DejaVu Sans
    // lays it out as the PNG is.
    for family in s.split("font-family=\"").skip(1) {
        let family = family.split('"').next().unwrap();
        assert_eq!(family, "DejaVu Sans, sans-serif");
    }
    let attr = |name: &str| -> u32 {
        let k = s.find(&format!(" {name}=\"")).expect("size attribute") + name.len() + 3;
        s[k..].split('"').next().unwrap().parse().expect("numeric size")
    };
    (attr("width"), attr("height"))
}

/// The attribute `attr` (e.g. `"x"`) of the first `<text>` element whose
/// content is `label`.
fn text_attr_str<'a>(svg: &'a str, label: &str, attr: &str) -> &'a str {
    let end = svg
        .find(&format!(">\n{label}\n<"))
        .unwrap_or_else(|| panic!("no text {label:?}"));
    let tag = &svg[svg[..end].rfind("<text").expect("a text element")..end];
    let value = tag.split(&format!(" {attr}=\"")).nth(1).expect("the attribute");
    value.split('"').next().unwrap()
}

/// The numeric attribute `attr` (e.g. `"x"`) of the `<text>` element
/// whose content is `label`.
pub(crate) fn text_attr(svg: &str, label: &str, attr: &str) -> i32 {
    text_attr_str(svg, label, attr).parse().expect("a whole number")
}

/// The font size of the first `<text>` element whose content is `label`
/// (plotters writes a style's size divided by 1.24).
pub(crate) fn font_size(svg: &str, label: &str) -> f64 {
    text_attr_str(svg, label, "font-size").parse().expect("a number")
}

/// The ink box `[x0, y0, x1, y1]` of every unrotated `<text>` element of
/// `svg`, with its text: laid out with the bundled font from the element's
/// position, anchor and size, as the PNG draws it.
pub(crate) fn text_boxes(svg: &str) -> Vec<(String, [i32; 4])> {
    use plotters::style::text_anchor::{HPos, VPos};
    let mut out = Vec::new();
    for element in svg.split("<text ").skip(1) {
        let (tag, rest) = element.split_once('>').expect("a text element");
        let attr = |name: &str| {
            tag.split(&format!("{name}=\""))
                .nth(1)
                .map(|v| v.split('"').next().unwrap())
        };
        if attr("transform").is_some() {
            continue;
        }
        let text = rest.split("</text>").next().unwrap().trim_matches('\n');
        let text = text
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&");
        let n = |name: &str| -> f64 { attr(name).expect("the attribute").parse().expect("a number") };
        let h = match attr("text-anchor") {
            Some("middle") => HPos::Center,
            Some("end") => HPos::Right,
            _ => HPos::Left,
        };
        let v = match attr("dy") {
            Some("0.76em") => VPos::Top,
            Some("0.5ex") => VPos::Center,
            _ => VPos::Bottom,
        };
        let ink: Vec<(i32, i32)> = super::raster::layout(&text, n("font-size") * 1.24, h, v)
            .into_iter()
            .filter(|p| p.2 > 0.5)
            .map(|p| (p.0, p.1))
            .collect();
        if ink.is_empty() {
            continue;
        }
        let (x, y) = (n("x") as i32, n("y") as i32);
        let b = [
            x + ink.iter().map(|p| p.0).min().unwrap(),
            y + ink.iter().map(|p| p.1).min().unwrap(),
            x + ink.iter().map(|p| p.0).max().unwrap() + 1,
            y + ink.iter().map(|p| p.1).max().unwrap() + 1,
        ];
        out.push((text, b));
    }
    out
}

/// The `[x, y, width, height]` of every `<rect>` of `svg` whose attributes
/// contain `needle` (e.g. `opacity="0.1"`), in document order.
pub(crate) fn rects_with(svg: &str, needle: &str) -> Vec<[i32; 4]> {
    svg.split("<rect ")
        .skip(1)
        .map(|r| format!(" {}", r.split("/>").next().unwrap()))
        .filter(|r| r.contains(needle))
        .map(|r| {
            let attr = |name: &str| -> i32 {
                r.split(&format!(" {name}=\""))
                    .nth(1)
                    .and_then(|v| v.split('"').next())
                    .and_then(|v| v.parse().ok())
                    .unwrap_or_else(|| panic!("{name} of {r}"))
            };
            [attr("x"), attr("y"), attr("width"), attr("height")]
        })
        .collect()
}

/// Asserts no two unrotated texts of `svg` overlap ([`text_boxes`]).
pub(crate) fn no_text_overlaps(svg: &str) {
    let boxes = text_boxes(svg);
    for (i, (a, p)) in boxes.iter().enumerate() {
        for (b, q) in &boxes[i + 1..] {
            let apart = p[2] <= q[0] || q[2] <= p[0] || p[3] <= q[1] || q[3] <= p[1];
            assert!(apart, "{a:?} {p:?} overlaps {b:?} {q:?}");
        }
    }
}

/// The points of each `<polyline>` of `svg` stroked `stroke` (e.g.
/// `"#0072B2"`), in document order.
pub(crate) fn polylines(svg: &str, stroke: &str) -> Vec<Vec<(i32, i32)>> {
    svg.split("<polyline ")
        .skip(1)
        .map(|p| p.split('>').next().unwrap())
        .filter(|tag| tag.contains(&format!("stroke=\"{stroke}\"")))
        .map(|tag| {
            let points = tag.split("points=\"").nth(1).unwrap().split('"').next().unwrap();
            points
                .split_whitespace()
                .map(|xy| {
                    let (x, y) = xy.split_once(',').expect("x,y");
                    (x.parse().unwrap(), y.parse().unwrap())
                })
                .collect()
        })
        .collect()
}

/// Number of elements `<tag ` in `svg`.
pub(crate) fn count(svg: &str, tag: &str) -> usize {
    svg.matches(&format!("<{tag} ")).count()
}

/// Renders with `f` in both formats and checks what every chart must satisfy:
/// well-formed SVG containing every text in `texts` (title, axis labels),
/// identical bytes on a second render, and a PNG at 2× the SVG size.
/// Returns the SVG text for chart-specific assertions.
pub(crate) fn check<F>(f: F, texts: &[&str]) -> String
where
    F: Fn(ImageFormat) -> Result<Rendered, ChartError>,
{
    let svg = f(ImageFormat::Svg).expect("svg renders");
    assert_eq!(svg.format, ImageFormat::Svg);
    let text = svg.svg_text().expect("utf-8 svg").to_string();
    let (w, h) = well_formed(&text);
    for t in texts {
        assert!(text.contains(t), "svg lacks text {t:?}");
    }
    assert!(
        text.contains("scuttlesim 0.1.0 · seed 42 · scenario 3f2a9c1e"),
        "no footer"
    );
    assert_eq!(f(ImageFormat::Svg).unwrap(), svg, "svg not deterministic");

    let png = f(ImageFormat::Png).expect("png renders");
    assert_eq!(png.format, ImageFormat::Png);
    assert!(png
        .bytes
        .starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]));
    let decoder = png::Decoder::new(std::io::Cursor::new(&png.bytes));
    let mut reader = decoder.read_info().expect("png decodes");
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).expect("png frame decodes");
    assert_eq!((info.width, info.height), (2 * w, 2 * h));
    assert_eq!(f(ImageFormat::Png).unwrap(), png, "png not deterministic");
    text
}

/// Renders an SVG with `f` and checks it is well formed and says "no data".
pub(crate) fn check_empty<F>(f: F)
where
    F: Fn(ImageFormat) -> Result<Rendered, ChartError>,
{
    let svg = f(ImageFormat::Svg).expect("empty input renders");
    let text = svg.svg_text().unwrap();
    well_formed(text);
    assert!(text.contains("no data"), "empty chart lacks the no-data note");
    f(ImageFormat::Png).expect("empty input renders as png");
}

#[cfg(test)]
mod extreme {
    use super::prov;
    use crate::chart::*;

    const WILD: [f64; 9] = [
        1e308,
        -1e308,
        f64::MAX,
        f64::MIN_POSITIVE,
        1e100,
        -1e100,
        0.0,
        f64::NAN,
        f64::NEG_INFINITY,
    ];

    fn both(f: impl Fn(ImageFormat) -> Result<Rendered, ChartError>) {
        for fmt in [ImageFormat::Svg, ImageFormat::Png] {
            f(fmt).expect("extreme values still render");
        }
    }

    /// Huge, tiny and non-finite values must neither panic nor hang (a huge
    /// value once made an infinite axis range).
    #[test]
    fn extreme_values_render() {
        let v = WILD.to_vec();
        let est = |x: f64| Estimate {
            value: x,
            lo: x,
            hi: x,
        };
        let c = ConvergenceData {
            series: vec![CdfSeries {
                convergence_s: v.clone(),
                ..Default::default()
            }],
        };
        both(|f| convergence(&c, &prov(), f));
        let i = InformedData {
            time_s: v.clone(),
            mean: v.clone(),
            p10: v.clone(),
            p90: v.clone(),
            ..Default::default()
        };
        both(|f| informed(&i, &prov(), f));
        let b = BandwidthData {
            window_s: None,
            time_s: v.clone(),
            kinds: vec![KindRate {
                kind: "digest".into(),
                bytes_per_s: v.clone(),
            }],
            per_node: vec![NodeRates {
                label: "total".into(),
                bytes_per_s: v.clone(),
            }],
            by: "message part".into(),
            faults: Vec::new(),
        };
        both(|f| bandwidth(&b, &prov(), f));
        let s = StalenessData {
            window_s: None,
            time_s: v.clone(),
            max_s: v.clone(),
            mean_s: v.clone(),
            stale_mappings: v.clone(),
            faults: Vec::new(),
        };
        both(|f| staleness(&s, &prov(), f));
        let st = SpacetimeData {
            nodes: 2,
            events: v
                .iter()
                .map(|t| SpacetimeEvent {
                    node: 0,
                    time_s: *t,
                    label: "[1,0]".into(),
                    write: true,
                    hidden_peer: true,
                })
                .collect(),
            messages: v
                .iter()
                .map(|t| SpacetimeMessage {
                    from: 0,
                    to: 1,
                    send_s: *t,
                    recv_s: None,
                    drop_s: None,
                    kind: "delta".into(),
                })
                .collect(),
            faults: v
                .iter()
                .flat_map(|t| {
                    [
                        SpacetimeFault::Network {
                            from_s: *t,
                            to_s: *t,
                            label: "partition".into(),
                            degraded: false,
                        },
                        SpacetimeFault::Down {
                            node: 1,
                            from_s: *t,
                            to_s: *t,
                        },
                        SpacetimeFault::ClockStep { node: 0, time_s: *t },
                    ]
                })
                .collect(),
            ..Default::default()
        };
        both(|f| spacetime(&st, &prov(), f));
        let windowed = SpacetimeData {
            window_s: Some((0.0, 1.0)),
            ..st
        };
        both(|f| spacetime(&windowed, &prov(), f));
        let t = TradeoffData {
            points: v
                .iter()
                .map(|x| TradeoffPoint {
                    setting: "s".into(),
                    bytes_per_node_s: *x,
                    bytes_interval: None,
                    p99_s: est(*x),
                    mean_s: est(-*x),
                    converged: *x,
                })
                .collect(),
            interval: String::new(),
        };
        both(|f| tradeoff(&t, &prov(), f));
        let m = MetricVsFieldData {
            lines: vec![FieldLine {
                label: "l".into(),
                points: v
                    .iter()
                    .map(|x| FieldPoint {
                        x: *x,
                        y: est(*x),
                        converged: *x,
                        setting: "s".into(),
                    })
                    .collect(),
            }],
            ..Default::default()
        };
        both(|f| metric_vs_field(&m, &prov(), f));
    }
}
