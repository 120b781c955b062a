//! Informed-fraction chart: how far a write has spread, against time since it was made.
//!
//! The mean over writes is a solid line; the spread across writes is a shaded
//! p10–p90 band behind it; an optional analytic model (e.g. the logistic
//! epidemic curve) is overlaid as a dashed line whose legend entry is its
//! formula, so simulation and theory can be compared on one figure.

use plotters::coord::Shift;
use plotters::element::Polygon;
use plotters::prelude::{DrawingArea, DrawingBackend};

use super::draw::{
    build, data_line, dedup_px, from_zero, no_data, padded, span, time_ticks, Axes, Chart2, Usable,
};
use super::frame::{page, put_text, LegendEntry, Mark};
use plotters::style::text_anchor::{HPos, VPos};

/// Written in the plot when there is no write to follow.
const NO_WRITES: &str = "no writes in this run";
use super::marks::Dash;
use super::render::{render, Ctx, Figure};
use super::theme::{pretty_math, BLUE, VERMILLION};
use super::{ChartError, ImageFormat, Provenance, Rendered};

/// An analytic curve to compare against, drawn dashed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AnalyticCurve {
    /// Legend text, typically the formula: `"logistic: I(t)=1/(1+(N-1)e^{-βt})"`.
    /// `^{...}` superscripts are printed as Unicode superscripts where possible.
    pub label: String,
    /// `(seconds since write, fraction)` points, in drawing order.
    pub points: Vec<(f64, f64)>,
}

/// Input of [`informed`]. All per-time vectors have the length of `time_s`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct InformedData {
    /// Seconds since the write, ascending.
    pub time_s: Vec<f64>,
    /// Mean informed fraction (0..=1) over writes at each time.
    pub mean: Vec<f64>,
    /// 10th percentile over writes at each time; empty (with `p90`) for no band.
    pub p10: Vec<f64>,
    /// 90th percentile over writes at each time; empty (with `p10`) for no band.
    pub p90: Vec<f64>,
    /// Optional model curve.
    pub analytic: Option<AnalyticCurve>,
}

/// Renders mean informed fraction vs time since write, with p10–p90 band and
/// optional analytic overlay.
pub fn informed(data: &InformedData, prov: &Provenance, format: ImageFormat) -> Result<Rendered, ChartError> {
    render(&Fig(data), prov, format)
}

struct Fig<'a>(&'a InformedData);

const BAND_ALPHA: f64 = 0.25;

fn finite(p: &(f64, f64)) -> bool {
    p.0.usable() && p.1.usable()
}

impl Fig<'_> {
    fn has_band(&self) -> bool {
        !self.0.p10.is_empty()
    }

    fn band<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        chart: &Chart2<'_, DB>,
        ctx: &Ctx<'_>,
    ) -> Result<(), ChartError> {
        let d = self.0;
        let rows: Vec<(f64, f64, f64)> = (0..d.time_s.len())
            .map(|i| (d.time_s[i], d.p10[i], d.p90[i]))
            .collect();
        for run in rows.split(|(t, lo, hi)| !(t.usable() && lo.usable() && hi.usable())) {
            if run.len() < 2 {
                continue;
            }
            let upper = run.iter().map(|(t, _, hi)| chart.backend_coord(&(*t, *hi)));
            let lower = run.iter().rev().map(|(t, lo, _)| chart.backend_coord(&(*t, *lo)));
            let pts = dedup_px(upper.chain(lower).collect());
            root.draw(&Polygon::new(pts, ctx.theme.fill(BLUE, BAND_ALPHA)))?;
        }
        Ok(())
    }
}

impl Figure for Fig<'_> {
    fn size(&self) -> (u32, u32) {
        (640, 440)
    }

    fn validate(&self) -> Result<(), ChartError> {
        let d = self.0;
        let n = d.time_s.len();
        let bad = |reason: String| {
            Err(ChartError::InvalidInput {
                chart: "informed",
                reason,
            })
        };
        if d.mean.len() != n {
            return bad(format!("mean has {} values but time_s has {n}", d.mean.len()));
        }
        if d.p10.len() != d.p90.len() || (!d.p10.is_empty() && d.p10.len() != n) {
            return bad(format!(
                "p10 and p90 must both be empty or both have {n} values (got {} and {})",
                d.p10.len(),
                d.p90.len()
            ));
        }
        Ok(())
    }

    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        ctx: &Ctx<'_>,
    ) -> Result<(), ChartError> {
        let t = &ctx.theme;
        let d = self.0;
        let mean: Vec<(f64, f64)> = d.time_s.iter().copied().zip(d.mean.iter().copied()).collect();
        let model: &[(f64, f64)] = d.analytic.as_ref().map_or(&[], |a| &a.points);
        let has_mean = mean.iter().any(finite);
        let has_model = model.iter().any(finite);

        let mut legend = Vec::new();
        if has_mean {
            legend.push(LegendEntry::new(
                "mean over writes",
                Mark::Line {
                    color: BLUE,
                    dash: Dash::Solid,
                },
            ));
            if self.has_band() {
                legend.push(LegendEntry::new(
                    "p10–p90 over writes",
                    Mark::Band {
                        color: BLUE,
                        alpha: BAND_ALPHA,
                    },
                ));
            }
        }
        if let (Some(a), true) = (&d.analytic, has_model) {
            legend.push(LegendEntry::new(
                pretty_math(&a.label),
                Mark::Line {
                    color: VERMILLION,
                    dash: Dash::Dashed,
                },
            ));
        }
        if legend.len() < 2 {
            legend.clear();
        }
        let body = page(root, ctx, "informed fraction", &legend)?;

        let band: Vec<(f64, f64)> = if has_mean && self.has_band() {
            (0..d.time_s.len())
                .flat_map(|i| [(d.time_s[i], d.p10[i]), (d.time_s[i], d.p90[i])])
                .filter(finite)
                .collect()
        } else {
            Vec::new()
        };
        let shown = || mean.iter().chain(model).chain(&band).filter(|p| finite(p));
        let x = from_zero(span(shown().map(|p| p.0)), 0.02);
        // Fractions live in [0, 1]; anything outside stays visible rather than hidden.
        let y = match span(shown().map(|p| p.1)) {
            Some((lo, hi)) if lo < 0.0 || hi > 1.0 => {
                padded(Some((lo.min(0.0), hi.max(1.0))), 0.04, (0.0, 1.04))
            }
            _ => (0.0, 1.04),
        };
        let (x_ticks, unit) = time_ticks(x, 7);
        let x_desc = format!("time since write ({unit})");
        let mut axes = Axes::new(x, y, &x_desc, "fraction of nodes informed");
        axes.x_ticks = x_ticks;
        let chart = build(root, &body, ctx, &axes)?;
        if d.time_s.is_empty() {
            // informed.csv has a row per time since a write: none without writes.
            let (xr, yr) = chart.plotting_area().get_pixel_range();
            let c = ((xr.start + xr.end) / 2, (yr.start + yr.end) / 2);
            let font = t.empty_font();
            return put_text(root, NO_WRITES, c, &font, HPos::Center, VPos::Center);
        }
        if !has_mean && !has_model {
            return no_data(root, &chart, ctx);
        }
        if !band.is_empty() {
            self.band(root, &chart, ctx)?;
        }
        data_line(root, &chart, &mean, t.line(BLUE, 2.5), Dash::Solid, t)?;
        data_line(root, &chart, model, t.line(VERMILLION, 2.2), Dash::Dashed, t)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::testutil::{check, count, prov};

    fn logistic(t: f64) -> f64 {
        1.0 / (1.0 + 99.0 * (-1.2 * t).exp())
    }

    #[test]
    fn renders_mean_band_and_model() {
        let time_s: Vec<f64> = (0..40).map(|i| f64::from(i) * 0.25).collect();
        let mean: Vec<f64> = time_s.iter().map(|t| logistic(t - 0.3)).collect();
        let data = InformedData {
            p10: time_s.iter().map(|t| logistic(t - 1.0)).collect(),
            p90: time_s.iter().map(|t| logistic(t + 0.4)).collect(),
            analytic: Some(AnalyticCurve {
                label: "logistic: I(t)=1/(1+(N-1)e^{-βt})".into(),
                points: time_s.iter().map(|t| (*t, logistic(*t))).collect(),
            }),
            mean,
            time_s,
        };
        let svg = check(
            |f| informed(&data, &prov(), f),
            &[
                "unit: informed fraction",
                "time since write (s)",
                "fraction of nodes informed",
                "logistic: I(t)=1/(1+(N-1)e⁻ᵝᵗ)",
                "p10–p90",
            ],
        );
        assert!(count(&svg, "polygon") >= 1, "the band");
        assert!(
            count(&svg, "polyline") >= 2 + 2,
            "mean, dashed model, legend samples"
        );
    }

    #[test]
    fn non_finite_points_are_skipped() {
        let data = InformedData {
            time_s: vec![0.0, 1.0, f64::NAN, 3.0, 4.0],
            mean: vec![0.0, 0.5, 0.6, f64::INFINITY, 1.0],
            ..Default::default()
        };
        check(|f| informed(&data, &prov(), f), &["time since write (s)"]);
    }

    #[test]
    fn mismatched_lengths_are_rejected() {
        let data = InformedData {
            time_s: vec![0.0, 1.0],
            mean: vec![0.0],
            ..Default::default()
        };
        let err = informed(&data, &prov(), ImageFormat::Svg).unwrap_err();
        assert!(
            matches!(
                err,
                ChartError::InvalidInput {
                    chart: "informed",
                    ..
                }
            ),
            "{err}"
        );
    }

    #[test]
    fn empty_input_says_there_were_no_writes() {
        check(|f| informed(&InformedData::default(), &prov(), f), &[NO_WRITES]);
    }
}
