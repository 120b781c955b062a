//! Informed-fraction chart: how far a write has spread, against time since it was made.
//!
//! The mean over writes is a solid line; the spread across writes is a shaded
//! p10–p90 band behind it; an optional analytic model (e.g. the logistic
//! epidemic curve) is overlaid as a dashed line whose legend entry is its
//! formula, so simulation and theory can be compared on one figure.
//!
//! The mean at time `t` since a write can only be taken over the writes
//! observed that long: those made at least `t` before the run's end (or
//! already everywhere). When that set shrinks along the axis, a note under
//! the plot gives its size at both ends, and another counts the writes that
//! never reached every node, so a curve reaching 1 is not read as "every
//! write converged".

use plotters::coord::Shift;
use plotters::element::Polygon;
use plotters::prelude::{DrawingArea, DrawingBackend};

use super::draw::{
    build, data_line, dedup_px, from_zero, no_data, padded, span, time_ticks, time_unit, Axes, Chart2, Usable,
};
use super::frame::{page_with_notes, put_text, LegendEntry, Mark};
use plotters::style::text_anchor::{HPos, VPos};

/// Written in the plot when there is no write to follow.
const NO_WRITES: &str = "no writes in this run";
/// Written in the plot when no write left its writer.
const NO_SPREAD: &str = "no write reached a second node";
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
    /// How many writes each time's mean and band are over (`informed.csv`'s
    /// `writes`: those observed that long after they were made); empty when
    /// unknown, else one per time.
    pub writes: Vec<u64>,
    /// How far the run's writes got by its end; `None` when unknown.
    pub reach: Option<Reach>,
}

/// How far a run's writes got by its end (from `writes.csv`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Reach {
    /// Writes the run made.
    pub writes: usize,
    /// Writes that reached every node.
    pub everywhere: usize,
    /// Writes held by at least one node besides their writer.
    pub beyond_writer: usize,
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

/// Whether `points` draw a visible line: two finite points at different times.
fn drawable(points: &[(f64, f64)]) -> bool {
    span(points.iter().filter(|p| finite(p)).map(|p| p.0)).is_some_and(|(lo, hi)| hi > lo)
}

/// `v` with at most three significant digits and no trailing zeros.
fn short_number(v: f64) -> String {
    let digits = if v.abs() >= 100.0 {
        0
    } else if v.abs() >= 10.0 {
        1
    } else {
        2
    };
    let s = format!("{v:.digits$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

impl Fig<'_> {
    fn has_band(&self) -> bool {
        !self.0.p10.is_empty()
    }

    /// Whether the run had writes and none of them left its writer.
    fn no_spread(&self) -> bool {
        self.0
            .reach
            .is_some_and(|r| r.writes > r.everywhere && r.beyond_writer == 0)
    }

    /// The notes under the plot: how many writes the mean is over at the
    /// first and last time drawn when that count falls, and how many writes
    /// never reached every node. Times in `unit` (seconds per unit, name).
    fn notes(&self, (unit, name): (f64, &str)) -> Vec<String> {
        let d = self.0;
        let mut notes = Vec::new();
        let rows: Vec<(f64, u64)> = (0..d.writes.len().min(d.time_s.len()))
            .filter(|&i| finite(&(d.time_s[i], d.mean[i])))
            .map(|i| (d.time_s[i], d.writes[i]))
            .collect();
        if let (Some(first), Some(last)) = (rows.first(), rows.last()) {
            if last.1 < first.1 {
                let at = |(t, n): (f64, u64)| format!("{n} at {} {name}", short_number(t / unit));
                notes.push(format!(
                    "mean at t over the writes ≥ t old at the end: {} → {}",
                    at(*first),
                    at(*last)
                ));
            }
        }
        if let Some(r) = d.reach {
            if r.writes > r.everywhere && !self.no_spread() {
                notes.push(format!(
                    "{} of {} writes never reached every node",
                    r.writes - r.everywhere,
                    r.writes
                ));
            }
        }
        notes
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
        if !d.writes.is_empty() && d.writes.len() != n {
            return bad(format!("writes has {} values but time_s has {n}", d.writes.len()));
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
        // A run whose writes never left their writers has one flat point to
        // show: the plot says so instead, with no legend.
        let no_spread = self.no_spread();
        let has_mean = drawable(&mean) && !no_spread;
        let has_model = drawable(model) && !no_spread;

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
        let notes = if has_mean {
            self.notes(time_unit(x.0.abs().max(x.1.abs())))
        } else {
            Vec::new()
        };
        let body = page_with_notes(root, ctx, "informed fraction", &legend, &notes)?;
        let x_desc = format!("time since write ({unit})");
        let mut axes = Axes::new(x, y, &x_desc, "fraction of nodes informed");
        axes.x_ticks = x_ticks;
        let chart = build(root, &body, ctx, &axes)?;
        // informed.csv has a row per time since a write: none without writes.
        let empty = if d.time_s.is_empty() {
            Some(NO_WRITES)
        } else if no_spread {
            Some(NO_SPREAD)
        } else {
            None
        };
        if let Some(text) = empty {
            let (xr, yr) = chart.plotting_area().get_pixel_range();
            let c = ((xr.start + xr.end) / 2, (yr.start + yr.end) / 2);
            let font = t.empty_font();
            return put_text(root, text, c, &font, HPos::Center, VPos::Center);
        }
        if !has_mean && !has_model {
            return no_data(root, &chart, ctx);
        }
        if !band.is_empty() {
            self.band(root, &chart, ctx)?;
        }
        if has_mean {
            data_line(root, &chart, &mean, t.line(BLUE, 2.5), Dash::Solid, t)?;
        }
        if has_model {
            data_line(root, &chart, model, t.line(VERMILLION, 2.2), Dash::Dashed, t)?;
        }
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
            ..Default::default()
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

    /// 25 writes, of which the mean at 15.3 s covers only the 12 made at
    /// least 15.3 s before the end; 13 never reached every node. The notes
    /// give both counts (the CSV's `writes` at the first and last time,
    /// and 25 − 12 everywhere), so a mean reaching 1 is not read as
    /// "every write converged".
    #[test]
    fn a_shrinking_write_count_and_unconverged_writes_are_noted() {
        let time_s: Vec<f64> = (0..=153).map(|i| f64::from(i) * 0.1).collect();
        let writes: Vec<u64> = time_s
            .iter()
            .map(|t| {
                if *t < 7.8 {
                    25
                } else if *t < 12.0 {
                    18
                } else {
                    12
                }
            })
            .collect();
        let data = InformedData {
            mean: time_s.iter().map(|t| logistic(t - 8.0)).collect(),
            writes,
            reach: Some(Reach {
                writes: 25,
                everywhere: 12,
                beyond_writer: 25,
            }),
            time_s,
            ..Default::default()
        };
        check(
            |f| informed(&data, &prov(), f),
            &[
                "mean at t over the writes ≥ t old at the end: 25 at 0 s → 12 at 15.3 s",
                "13 of 25 writes never reached every node",
            ],
        );
        // A count that does not fall, and every write everywhere: no note.
        let steady = InformedData {
            writes: vec![25; data.time_s.len()],
            reach: Some(Reach {
                writes: 25,
                everywhere: 25,
                beyond_writer: 25,
            }),
            ..data
        };
        let svg = check(|f| informed(&steady, &prov(), f), &[]);
        assert!(!svg.contains("old at the end") && !svg.contains("never reached"));
    }

    /// No write left its writer (all messages lost): one row at 1/32,
    /// nothing to draw. The plot says why, and the legend lists nothing
    /// (neither the undrawn mean and band nor a flat β = 0 model curve).
    #[test]
    fn writes_that_never_spread_are_named_and_nothing_undrawn_is_listed() {
        let data = InformedData {
            time_s: vec![0.0],
            mean: vec![1.0 / 32.0],
            p10: vec![1.0 / 32.0],
            p90: vec![1.0 / 32.0],
            writes: vec![25],
            analytic: Some(AnalyticCurve {
                label: "mean field: β=0.00/s".into(),
                points: vec![(0.0, 1.0 / 32.0); 201],
            }),
            reach: Some(Reach {
                writes: 25,
                everywhere: 0,
                beyond_writer: 0,
            }),
        };
        let svg = check(|f| informed(&data, &prov(), f), &[NO_SPREAD]);
        for absent in ["mean over writes", "p10–p90", "mean field", "never reached"] {
            assert!(!svg.contains(absent), "{absent} is listed but not drawn");
        }
        // Only the legend-less frame: no data line, no band.
        assert_eq!(count(&svg, "polygon"), 0);
    }

    #[test]
    fn empty_input_says_there_were_no_writes() {
        check(|f| informed(&InformedData::default(), &prov(), f), &[NO_WRITES]);
    }
}
