//! The one visual theme every chart shares: palette, font, sizes, number format.
//!
//! Colours are the Okabe–Ito palette (safe for the common colour-vision
//! deficiencies and distinct in greyscale when combined with dashes and marker
//! shapes). Sizes are given at 1× scale (the SVG) and multiplied by
//! [`Theme::scale`] for the 2× PNG, so both encodings have the same layout.
//! Sizes are chosen for a figure [`DEFAULT_WIDTH_PX`] wide; a wider figure
//! shown at the same width (one column) has them grown in proportion
//! ([`Theme::for_width`]).
//! Text uses the bundled DejaVu Sans, registered once under [`FAMILY`], so a
//! machine without system fonts renders the same PNG.

use std::sync::OnceLock;

use plotters::style::{register_font, FontStyle, IntoFont, RGBColor, ShapeStyle, TextStyle};

use super::ChartError;

/// Font family name the bundled font is registered under, and what SVG text
/// asks for: DejaVu Sans (whose metrics the layout used), else any sans-serif.
pub(crate) const FAMILY: &str = "DejaVu Sans, sans-serif";

pub(crate) static FONT_BYTES: &[u8] = include_bytes!("../../assets/DejaVuSans.ttf");

/// Registers the bundled font with plotters, once per process.
pub(crate) fn ensure_font() -> Result<(), ChartError> {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    let ok = *REGISTERED.get_or_init(|| register_font(FAMILY, FontStyle::Normal, FONT_BYTES).is_ok());
    if ok {
        Ok(())
    } else {
        Err(ChartError::Font)
    }
}

/// Okabe–Ito colours, in the order series are assigned.
pub(crate) const BLUE: RGBColor = RGBColor(0x00, 0x72, 0xB2);
pub(crate) const VERMILLION: RGBColor = RGBColor(0xD5, 0x5E, 0x00);
pub(crate) const GREEN: RGBColor = RGBColor(0x00, 0x9E, 0x73);
pub(crate) const ORANGE: RGBColor = RGBColor(0xE6, 0x9F, 0x00);
pub(crate) const PURPLE: RGBColor = RGBColor(0xCC, 0x79, 0xA7);
pub(crate) const SKY: RGBColor = RGBColor(0x56, 0xB4, 0xE9);
pub(crate) const YELLOW: RGBColor = RGBColor(0xF0, 0xE4, 0x42);
pub(crate) const BLACK: RGBColor = RGBColor(0x00, 0x00, 0x00);
/// Neutral grey for "other" and for totals.
pub(crate) const GREY: RGBColor = RGBColor(0x80, 0x80, 0x80);
/// Text colour.
pub(crate) const INK: RGBColor = RGBColor(0x1A, 0x1A, 0x1A);
/// Secondary text (footer, notes).
pub(crate) const MUTED: RGBColor = RGBColor(0x60, 0x60, 0x60);
/// Grid lines.
pub(crate) const GRID: RGBColor = RGBColor(0xE3, 0xE3, 0xE3);

/// Series colours in assignment order (yellow last: weak on white).
pub(crate) const SERIES: [RGBColor; 8] = [BLUE, VERMILLION, GREEN, ORANGE, PURPLE, SKY, BLACK, YELLOW];

/// Colour of the `i`-th series; cycles after eight (callers add dashes then).
pub(crate) fn series_color(i: usize) -> RGBColor {
    SERIES[i % SERIES.len()]
}

/// Fixed colours, in legend order, for the message parts and the message
/// kinds of every protocol scuttlesim has, so that "digest" or "syn" has the
/// same colour in every chart (a part and a kind of one colour never share
/// a chart: the bandwidth chart shows parts, the space-time diagram kinds).
const KNOWN_KINDS: [(&str, RGBColor); 12] = [
    ("digest", BLUE),
    ("delta", VERMILLION),
    ("syn", BLUE),
    ("ack", SKY),
    ("ack2", VERMILLION),
    ("state", GREEN),
    ("request", ORANGE),
    ("reply", VERMILLION),
    ("rumor", PURPLE),
    ("feedback", SKY),
    ("ping", BLUE),
    ("other", GREY),
];

/// Colours of the message kinds in one chart: known kinds get their fixed
/// colour and come first, in a fixed order; other kinds get the palette
/// colours no present kind uses, in order of first appearance (cycling if
/// they run out). So a kind looks the same however a chart's data begins.
#[derive(Debug)]
pub(crate) struct KindColors {
    assigned: Vec<(String, RGBColor)>,
}

impl KindColors {
    /// Assigns colours to every kind in `kinds` (duplicates allowed).
    pub(crate) fn new<'a>(kinds: impl IntoIterator<Item = &'a str>) -> Self {
        let rank = |k: &str| {
            KNOWN_KINDS
                .iter()
                .position(|(n, _)| *n == k)
                .unwrap_or(KNOWN_KINDS.len())
        };
        let mut unique: Vec<&str> = Vec::new();
        for k in kinds {
            if !unique.contains(&k) {
                unique.push(k);
            }
        }
        // Stable: unknown kinds keep their order of appearance.
        unique.sort_by_key(|k| rank(k));
        let known = |k: &str| KNOWN_KINDS.iter().find(|(n, _)| *n == k).map(|(_, c)| *c);
        let used: Vec<RGBColor> = unique.iter().filter_map(|k| known(k)).collect();
        let mut free: Vec<RGBColor> = SERIES.iter().copied().filter(|c| !used.contains(c)).collect();
        if free.is_empty() {
            free = SERIES.to_vec();
        }
        let mut next = 0;
        let assigned = unique
            .iter()
            .map(|k| {
                let c = known(k).unwrap_or_else(|| {
                    next += 1;
                    free[(next - 1) % free.len()]
                });
                (k.to_string(), c)
            })
            .collect();
        KindColors { assigned }
    }

    /// Colour of `kind` (grey for a kind not given to [`KindColors::new`]).
    pub(crate) fn get(&self, kind: &str) -> RGBColor {
        self.assigned
            .iter()
            .find(|(k, _)| k == kind)
            .map_or(GREY, |(_, c)| *c)
    }

    /// The kinds with their colours: the known ones in their fixed order,
    /// then the others in order of first appearance.
    pub(crate) fn entries(&self) -> &[(String, RGBColor)] {
        &self.assigned
    }
}

/// Width (px at 1×) the sizes are chosen for: most charts' width, legible
/// when the figure is scaled into one column of a two-column paper.
pub(crate) const DEFAULT_WIDTH_PX: u32 = 640;

/// Sizes and styles at a given scale (1.0 for SVG, 2.0 for PNG; more for a
/// wide figure, see [`Theme::for_width`]).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Theme {
    /// Multiplier applied to every length and font size.
    pub(crate) scale: f64,
}

impl Theme {
    /// Sizes for a figure `width_px` wide (at 1×) drawn at `scale` and
    /// shown as wide as a default one (one column): a wider figure has every
    /// size (text, lines, marks, margins) grown by `width_px /
    /// DEFAULT_WIDTH_PX`, so that, scaled down to the column, its text
    /// prints as large as a default-width chart's and the layout keeps the
    /// proportions it has at the default width; a narrower one keeps the
    /// default sizes.
    pub(crate) fn for_width(scale: f64, width_px: u32) -> Theme {
        let grow = (f64::from(width_px) / f64::from(DEFAULT_WIDTH_PX)).max(1.0);
        Theme { scale: scale * grow }
    }
    /// A length of `v` pixels at 1× scale, scaled and rounded.
    pub(crate) fn px(&self, v: f64) -> i32 {
        (v * self.scale).round() as i32
    }
    /// Same as [`Theme::px`] as `u32`, for stroke widths and sizes.
    pub(crate) fn upx(&self, v: f64) -> u32 {
        self.px(v).max(0) as u32
    }
    fn font(&self, size: f64, color: RGBColor) -> TextStyle<'static> {
        (FAMILY, size * self.scale).into_font().color(&color)
    }
    /// Chart title.
    pub(crate) fn title_font(&self) -> TextStyle<'static> {
        self.font(23.0, INK)
    }
    /// Panel caption in multi-panel charts.
    pub(crate) fn caption_font(&self) -> TextStyle<'static> {
        self.font(20.0, INK)
    }
    /// Axis descriptions ("time (s)").
    pub(crate) fn axis_font(&self) -> TextStyle<'static> {
        self.font(20.0, INK)
    }
    /// Tick labels.
    pub(crate) fn tick_font(&self) -> TextStyle<'static> {
        self.font(18.0, INK)
    }
    /// Legend entries.
    pub(crate) fn legend_font(&self) -> TextStyle<'static> {
        self.font(18.0, INK)
    }
    /// Annotations inside the plot (point labels, formulas).
    pub(crate) fn note_font(&self) -> TextStyle<'static> {
        self.font(16.0, INK)
    }
    /// Small annotations (vector clocks).
    pub(crate) fn small_font(&self) -> TextStyle<'static> {
        self.font(14.0, INK)
    }
    /// "no data" text.
    pub(crate) fn empty_font(&self) -> TextStyle<'static> {
        self.font(22.0, MUTED)
    }
    /// Provenance footer.
    pub(crate) fn footer_font(&self) -> TextStyle<'static> {
        self.font(13.0, MUTED)
    }
    /// A line of `width` pixels (at 1×) in `color`.
    pub(crate) fn line(&self, color: RGBColor, width: f64) -> ShapeStyle {
        ShapeStyle {
            color: color.into(),
            filled: false,
            stroke_width: self.upx(width).max(1),
        }
    }
    /// An opaque fill of `color` blended with white (`strength` 1 = pure
    /// colour). Opaque, so adjacent shapes do not darken where they overlap.
    pub(crate) fn tint(&self, color: RGBColor, strength: f64) -> ShapeStyle {
        let mix = |c: u8| (f64::from(c) * strength + 255.0 * (1.0 - strength)).round() as u8;
        let c = RGBColor(mix(color.0), mix(color.1), mix(color.2));
        ShapeStyle {
            color: c.into(),
            filled: true,
            stroke_width: 0,
        }
    }
    /// A filled shape in `color` with `alpha` opacity.
    pub(crate) fn fill(&self, color: RGBColor, alpha: f64) -> ShapeStyle {
        use plotters::style::Color;
        ShapeStyle {
            color: color.mix(alpha),
            filled: true,
            stroke_width: 0,
        }
    }
}

/// How the ticks of one axis are printed: one SI suffix and one number of
/// decimals for the whole axis, so labels line up ("0.0 0.5 1.0", "200k 400k").
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct TickFormat {
    divisor: f64,
    suffix: &'static str,
    decimals: usize,
}

impl TickFormat {
    /// The format that prints every tick in `ticks` exactly (up to 6 decimals).
    pub(crate) fn for_ticks(ticks: &[f64]) -> Self {
        let max = ticks
            .iter()
            .filter(|v| v.is_finite())
            .fold(0.0f64, |m, v| m.max(v.abs()));
        let (divisor, suffix) = if max >= 1e9 {
            (1e9, "G")
        } else if max >= 1e6 {
            (1e6, "M")
        } else if max >= 1e4 {
            (1e3, "k")
        } else {
            (1.0, "")
        };
        let decimals = ticks
            .iter()
            .filter(|v| v.is_finite())
            .map(|v| {
                let s = format!("{:.6}", v / divisor);
                let frac = s.split('.').nth(1).unwrap_or("").trim_end_matches('0');
                frac.len()
            })
            .max()
            .unwrap_or(0);
        TickFormat {
            divisor,
            suffix,
            decimals,
        }
    }

    /// Formats one tick value.
    pub(crate) fn format(&self, v: f64) -> String {
        if !v.is_finite() {
            return String::new();
        }
        let mut s = format!("{:.*}", self.decimals, v / self.divisor);
        if s.starts_with('-') && s[1..].chars().all(|c| c == '0' || c == '.') {
            s.remove(0);
        }
        if s.chars().any(|c| c != '0' && c != '.') {
            s.push_str(self.suffix);
        }
        s
    }
}

/// Turns TeX-like superscripts `^{...}` (and `^x`) into Unicode superscript
/// characters where every character has one, so a formula such as
/// `e^{-βt}` prints as `e⁻ᵝᵗ`. Anything else is left as written.
pub(crate) fn pretty_math(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find('^') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let (body, tail) = if let Some(b) = after.strip_prefix('{') {
            match b.find('}') {
                Some(j) => (&b[..j], &b[j + 1..]),
                None => ("", after),
            }
        } else {
            let n = after.chars().next().map_or(0, char::len_utf8);
            (&after[..n], &after[n..])
        };
        let sup: Option<String> = (!body.is_empty())
            .then(|| body.chars().map(superscript).collect())
            .flatten();
        match sup {
            Some(sup) => out.push_str(&sup),
            None => {
                out.push('^');
                out.push_str(&after[..after.len() - tail.len()]);
            }
        }
        rest = tail;
    }
    out.push_str(rest);
    out
}

fn superscript(c: char) -> Option<char> {
    const MAP: &[(char, char)] = &[
        ('0', '⁰'),
        ('1', '¹'),
        ('2', '²'),
        ('3', '³'),
        ('4', '⁴'),
        ('5', '⁵'),
        ('6', '⁶'),
        ('7', '⁷'),
        ('8', '⁸'),
        ('9', '⁹'),
        ('-', '⁻'),
        ('−', '⁻'),
        ('+', '⁺'),
        ('(', '⁽'),
        (')', '⁾'),
        ('n', 'ⁿ'),
        ('i', 'ⁱ'),
        ('t', 'ᵗ'),
        ('β', 'ᵝ'),
        ('γ', 'ᵞ'),
        ('k', 'ᵏ'),
        ('x', 'ˣ'),
    ];
    MAP.iter().find(|(a, _)| *a == c).map(|(_, b)| *b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_share_decimals_and_suffix() {
        let f = |ticks: &[f64]| -> Vec<String> {
            let tf = TickFormat::for_ticks(ticks);
            ticks.iter().map(|v| tf.format(*v)).collect()
        };
        assert_eq!(f(&[0.0, 0.1 + 0.2, 0.5, 1.0]), ["0.0", "0.3", "0.5", "1.0"]);
        assert_eq!(f(&[-0.0, 2.0, 4.0]), ["0", "2", "4"]);
        assert_eq!(f(&[0.0, 5_000.0, 10_000.0, 15_000.0]), ["0", "5k", "10k", "15k"]);
        assert_eq!(f(&[0.0, 500_000.0, 1_500_000.0]), ["0.0", "0.5M", "1.5M"]);
        assert_eq!(f(&[0.0, 0.0005, 0.001]), ["0.0000", "0.0005", "0.0010"]);
    }

    #[test]
    fn sizes_grow_with_width_and_never_shrink() {
        let size = |t: Theme| t.tick_font().font.get_size();
        assert_eq!(size(Theme { scale: 2.0 }), 36.0);
        assert_eq!(size(Theme::for_width(2.0, 640)), 36.0);
        assert_eq!(size(Theme::for_width(2.0, 1280)), 72.0);
        assert_eq!(size(Theme::for_width(1.0, 320)), 18.0);
        assert_eq!(Theme::for_width(2.0, 1280).px(10.0), 40);
    }

    #[test]
    fn superscripts_are_converted_only_when_all_chars_map() {
        assert_eq!(pretty_math("1/(1+(N-1)e^{-βt})"), "1/(1+(N-1)e⁻ᵝᵗ)");
        assert_eq!(pretty_math("x^2 + y^{ab}"), "x² + y^{ab}");
        assert_eq!(pretty_math("a^"), "a^");
    }

    #[test]
    fn bundled_font_has_every_superscript_glyph() {
        use ab_glyph::{Font, FontRef};
        let font = FontRef::try_from_slice(FONT_BYTES).unwrap();
        for c in pretty_math("^{0123456789-+()nitβγkx}")
            .chars()
            .chain("·–×βγ".chars())
        {
            assert_ne!(font.glyph_id(c).0, 0, "missing glyph for {c:?}");
        }
    }

    #[test]
    fn kind_colours_are_stable_and_distinct() {
        let k = KindColors::new(["gossip-x", "delta", "gossip-y", "digest", "delta"]);
        assert_eq!(k.get("delta"), VERMILLION);
        assert_eq!(k.get("digest"), BLUE);
        let (a, b) = (k.get("gossip-x"), k.get("gossip-y"));
        assert_ne!(a, b);
        assert!(![BLUE, VERMILLION].contains(&a) && ![BLUE, VERMILLION].contains(&b));
        assert_eq!(k.entries().len(), 4);
    }

    /// A protocol's kinds get the same colours and legend order whichever
    /// comes first in the data (a space-time window can start with an ack2).
    #[test]
    fn kind_colours_do_not_depend_on_the_order_seen() {
        let a = KindColors::new(["ack2", "syn", "ack"]);
        let b = KindColors::new(["syn", "ack", "ack2"]);
        assert_eq!(a.entries(), b.entries());
        let names: Vec<&str> = a.entries().iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(names, ["syn", "ack", "ack2"]);
        assert_eq!((a.get("syn"), a.get("ack2")), (BLUE, VERMILLION));
        // Unknown kinds follow the known ones, in the order seen.
        let c = KindColors::new(["zeta", "reply", "alpha", "request"]);
        let names: Vec<&str> = c.entries().iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(names, ["request", "reply", "zeta", "alpha"]);
    }

    /// Every protocol's message kinds have a fixed colour and place.
    #[test]
    fn every_protocols_kinds_are_known() {
        for p in crate::scenario::ProtocolKind::ALL {
            for k in crate::sim::protocol_kinds(p) {
                assert!(KNOWN_KINDS.iter().any(|(n, _)| n == k), "{}: {k}", p.name());
            }
        }
    }
}
