//! Chart rendering: turns plain numbers into SVG or PNG figures for papers and talks.
//!
//! This is the only module of the crate that imports `plotters`. It does no file
//! I/O: every render function takes a plain data struct (filled by the caller
//! from metrics) plus a [`Provenance`] and returns the encoded bytes in a
//! [`Rendered`]. Every chart shares one theme (Okabe–Ito colour-blind-safe
//! palette, the bundled DejaVu Sans font, sizes chosen to stay legible when the
//! figure is scaled into one column of a two-column paper, grown in proportion
//! for a wider figure shown as wide), has a title
//! ("scenario: chart"), axis labels with units, a legend when it shows more than
//! one series, and a small provenance footer ("scuttlesim 0.1.0 · seed 42 ·
//! scenario 3f2a9c1e").
//!
//! Rules every chart follows:
//! - the same input gives byte-identical output (no clock, no hash order);
//! - NaN and infinite values are skipped, never plotted and never a panic;
//! - an empty input renders the axes with a "no data" note;
//! - SVG is drawn at 1× size, PNG at 2× the SVG pixel size (for slides).
//!
//! Inputs whose parts disagree (series of different lengths, a node index out
//! of range) are rejected with [`ChartError::InvalidInput`]; the charts never
//! guess which part is right.

mod bandwidth;
mod convergence;
mod draw;
mod fault_bands;
mod field;
mod frame;
mod informed;
mod label;
mod marks;
mod raster;
mod render;
mod spacetime;
mod staleness;
mod staleness_lines;
mod theme;
mod tradeoff;

#[cfg(test)]
mod testutil;

pub use bandwidth::{bandwidth, BandwidthData, KindRate, NodeRates};
pub use convergence::{convergence, CdfSeries, ConvergenceData};
pub use field::{metric_vs_field, FieldLine, FieldPoint, MetricVsFieldData};
pub use informed::{informed, AnalyticCurve, InformedData, Reach};
pub use spacetime::{
    spacetime, SpacetimeData, SpacetimeEvent, SpacetimeFault, SpacetimeMessage, MAX_EVENTS, MAX_MESSAGES,
    MAX_NODES,
};
pub use staleness::{staleness, StalenessData};
pub use staleness_lines::{staleness_lines, StalenessLine, StalenessLinesData};
pub use tradeoff::{tradeoff, Estimate, TradeoffData, TradeoffPoint};

/// A share in `[0, 1]` as a percentage with one decimal, rounded down, so
/// that only a share of exactly 1 reads `100.0%` (0.9996 is `99.9%`, not
/// `100.0%`); how the sweep table and charts say what share of writes
/// converged. A share a rounding error (1e-12) short of a tenth of a
/// percent counts as that tenth (the mean of 1 and 0.36 is `68.0%`
/// although it is 0.67999… in binary).
pub fn floor_percent(share: f64) -> String {
    let mut tenths = (share * 1000.0 + 1e-9).floor();
    if share < 1.0 {
        tenths = tenths.min(999.0);
    }
    format!("{:.1}%", tenths / 10.0)
}

/// Who made the chart; printed as a small footer on every chart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provenance {
    /// Scenario (or sweep) name; the first part of every chart title.
    pub scenario: String,
    /// Crate version, e.g. `"0.1.0"`.
    pub version: String,
    /// Seed of the run; `None` for charts that aggregate several seeds.
    pub seed: Option<u64>,
    /// Hash of the resolved scenario (hex), or of the sweep for charts over
    /// all seeds; the footer shows its first 8 characters, as `scenario …`
    /// or `sweep …`.
    pub scenario_hash: String,
    /// Settings every series shares, said once rather than in every label
    /// (a sweep's grid fields with one value, e.g. `mtu=10 deltas`): the
    /// footer ends with `all points: …`. Empty for none.
    pub fixed: String,
}

impl Provenance {
    /// The footer line, e.g. `"scuttlesim 0.1.0 · seed 42 · scenario 3f2a9c1e"`.
    pub fn footer(&self) -> String {
        let mut parts = vec![format!("scuttlesim {}", self.version)];
        match self.seed {
            Some(seed) => parts.push(format!("seed {seed}")),
            None => parts.push("all seeds".to_string()),
        }
        let hash: String = self.scenario_hash.chars().take(8).collect();
        if !hash.is_empty() {
            let of = if self.seed.is_some() { "scenario" } else { "sweep" };
            parts.push(format!("{of} {hash}"));
        }
        if let Some(fixed) = self.fixed_note() {
            parts.push(fixed);
        }
        parts.join(" · ")
    }

    /// `all points: …` of [`Provenance::fixed`], if any.
    pub(crate) fn fixed_note(&self) -> Option<String> {
        (!self.fixed.is_empty()).then(|| format!("all points: {}", self.fixed))
    }
}

/// Output encoding of a chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ImageFormat {
    /// Scalable vector graphics at 1× pixel size (for papers).
    Svg,
    /// 8-bit RGB PNG at 2× the SVG pixel size (for slides).
    Png,
}

impl ImageFormat {
    /// File extension without the dot: `"svg"` or `"png"`.
    pub fn extension(self) -> &'static str {
        match self {
            ImageFormat::Svg => "svg",
            ImageFormat::Png => "png",
        }
    }
}

/// An encoded chart: the bytes of an SVG document (UTF-8) or of a PNG file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// How `bytes` are encoded.
    pub format: ImageFormat,
    /// The complete file contents.
    pub bytes: Vec<u8>,
}

impl Rendered {
    /// The SVG text, or `None` for a PNG.
    pub fn svg_text(&self) -> Option<&str> {
        match self.format {
            ImageFormat::Svg => std::str::from_utf8(&self.bytes).ok(),
            ImageFormat::Png => None,
        }
    }
}

/// Why a chart could not be rendered. None of these is retried: the same input
/// fails the same way.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ChartError {
    /// The bundled font could not be parsed or registered; a build defect,
    /// fatal for every chart.
    #[error("bundled font could not be registered")]
    Font,
    /// The input is inconsistent (mismatched lengths, index out of range);
    /// fatal for this chart only.
    #[error("invalid input for the {chart} chart: {reason}")]
    InvalidInput {
        /// Which chart rejected the input, e.g. `"bandwidth"`.
        chart: &'static str,
        /// What is wrong, naming the field.
        reason: String,
    },
    /// The input exceeds a size limit that keeps the chart readable (e.g. too
    /// many nodes for a space-time diagram); fatal for this chart only.
    #[error("{what} is {got}, the {chart} chart allows at most {max}")]
    TooLarge {
        /// Which chart hit the limit.
        chart: &'static str,
        /// What was counted, e.g. `"number of nodes"`.
        what: &'static str,
        /// The count in the input.
        got: usize,
        /// The limit.
        max: usize,
    },
    /// The drawing backend failed (a plotters error, carried as text).
    #[error("drawing failed: {0}")]
    Draw(String),
    /// The PNG encoder failed (carried as text).
    #[error("png encoding failed: {0}")]
    PngEncode(String),
}

impl<E: std::error::Error + Send + Sync> From<plotters::drawing::DrawingAreaErrorKind<E>> for ChartError {
    fn from(e: plotters::drawing::DrawingAreaErrorKind<E>) -> Self {
        ChartError::Draw(e.to_string().to_lowercase())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn footer_shows_version_seed_and_short_hash() {
        let p = Provenance {
            scenario: "s".into(),
            version: "0.1.0".into(),
            seed: Some(42),
            scenario_hash: "3f2a9c1e77aa".into(),
            fixed: String::new(),
        };
        assert_eq!(p.footer(), "scuttlesim 0.1.0 · seed 42 · scenario 3f2a9c1e");
        let sweep = Provenance {
            seed: None,
            ..p.clone()
        };
        assert_eq!(sweep.footer(), "scuttlesim 0.1.0 · all seeds · sweep 3f2a9c1e");
        let p = Provenance {
            seed: None,
            scenario_hash: String::new(),
            ..p
        };
        assert_eq!(p.footer(), "scuttlesim 0.1.0 · all seeds");
        let p = Provenance {
            fixed: "mtu=10 deltas".into(),
            ..p
        };
        assert_eq!(
            p.footer(),
            "scuttlesim 0.1.0 · all seeds · all points: mtu=10 deltas"
        );
    }

    /// Rounded down, so 100.0% means all; binary fractions just below a
    /// tenth are not pushed down a tenth.
    #[test]
    fn floor_percent_never_rounds_up_to_all() {
        assert_eq!(floor_percent(1.0), "100.0%");
        assert_eq!(floor_percent(0.9996), "99.9%");
        assert_eq!(floor_percent(0.99999999999), "99.9%");
        assert_eq!(floor_percent(0.8824), "88.2%");
        assert_eq!(floor_percent((1.0 + 0.36) / 2.0), "68.0%");
        assert_eq!(floor_percent(0.0), "0.0%");
        assert_eq!(floor_percent(0.0004), "0.0%");
    }

    #[test]
    fn error_messages_are_lowercase() {
        let e = ChartError::TooLarge {
            chart: "spacetime",
            what: "number of nodes",
            got: 99,
            max: 32,
        };
        assert_eq!(
            e.to_string(),
            "number of nodes is 99, the spacetime chart allows at most 32"
        );
    }
}
