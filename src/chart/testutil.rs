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
    let attr = |name: &str| -> u32 {
        let k = s.find(&format!(" {name}=\"")).expect("size attribute") + name.len() + 3;
        s[k..].split('"').next().unwrap().parse().expect("numeric size")
    };
    (attr("width"), attr("height"))
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
