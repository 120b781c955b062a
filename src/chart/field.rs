//! Metric-vs-field chart for sweeps: one metric against one swept numeric field.
//!
//! Each line is one value of a second swept field (legend), with a distinct
//! colour *and* marker shape so it survives greyscale printing, and a capped
//! error bar at every point. When several lines share x values their points
//! are nudged a few pixels apart so the error bars do not hide each other.

use plotters::coord::Shift;
use plotters::element::PathElement;
use plotters::prelude::{DrawingArea, DrawingBackend};

use super::draw::{build, from_zero, no_data, padded, span, Axes, Ticks, Usable};
use super::frame::{page, LegendEntry, Mark};
use super::marks::{dashed_path, error_bar, marker, Dash, Shape, SHAPES};
use super::render::{render, Ctx, Figure};
use super::theme::{series_color, INK};
use super::tradeoff::Estimate;
use super::{ChartError, ImageFormat, Provenance, Rendered};
use plotters::style::RGBColor;

/// One point: the swept field's value and the metric there.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct FieldPoint {
    /// Value of the swept field.
    pub x: f64,
    /// The metric, with its error bar over seeds.
    pub y: Estimate,
}

/// One line: the points at one value of the second field.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FieldLine {
    /// Legend text, e.g. `"loss=0.01"`.
    pub label: String,
    /// Points in any order (drawn sorted by `x`).
    pub points: Vec<FieldPoint>,
}

/// Input of [`metric_vs_field`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MetricVsFieldData {
    /// Metric name, e.g. `"p99 convergence time"`.
    pub metric: String,
    /// Metric unit, e.g. `"s"`; empty for a count or ratio.
    pub metric_unit: String,
    /// Swept field, e.g. `"gossip.fanout"`.
    pub field: String,
    /// Field unit, e.g. `"s"` for an interval; empty for none.
    pub field_unit: String,
    /// One line per value of the second field.
    pub lines: Vec<FieldLine>,
    /// What the error bars show, for the legend, e.g. `"95% CI over 10 seeds"`;
    /// empty to leave it out.
    pub interval: String,
}

/// Renders a metric against a swept field, one line per value of a second field.
pub fn metric_vs_field(
    data: &MetricVsFieldData,
    prov: &Provenance,
    format: ImageFormat,
) -> Result<Rendered, ChartError> {
    render(&Fig(data), prov, format)
}

struct Fig<'a>(&'a MetricVsFieldData);

/// Axis text "name (unit)"; `fallback` stands in for an empty name.
fn with_unit(name: &str, unit: &str, fallback: &str) -> String {
    let name = if name.is_empty() { fallback } else { name };
    if unit.is_empty() {
        name.to_string()
    } else {
        format!("{name} ({unit})")
    }
}

/// The `i`-th line's colour, marker and stroke: eight colours with four
/// markers, then dashed, then dotted (24 distinct lines).
fn style(i: usize) -> (RGBColor, Shape, Dash) {
    (series_color(i), SHAPES[i % SHAPES.len()], Dash::of_series(i))
}

impl Figure for Fig<'_> {
    fn size(&self) -> (u32, u32) {
        (640, 460)
    }

    /// One entry per line (when there are several), then the interval's.
    fn long_legend(&self) -> Vec<LegendEntry> {
        let d = self.0;
        let mut legend: Vec<LegendEntry> = Vec::new();
        if d.lines.len() > 1 {
            for (i, l) in d.lines.iter().enumerate() {
                let (color, shape, dash) = style(i);
                legend.push(LegendEntry::new(
                    l.label.as_str(),
                    Mark::LineMarker { color, shape, dash },
                ));
            }
        }
        if !d.interval.is_empty() {
            legend.push(LegendEntry::new(
                d.interval.clone(),
                Mark::ErrorBar { color: INK },
            ));
        }
        legend
    }

    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        ctx: &Ctx<'_>,
    ) -> Result<(), ChartError> {
        let t = &ctx.theme;
        let d = self.0;
        let lines: Vec<(&str, Vec<FieldPoint>)> = d
            .lines
            .iter()
            .map(|l| {
                let mut pts: Vec<FieldPoint> = l
                    .points
                    .iter()
                    .copied()
                    .filter(|p| p.x.usable() && p.y.value.usable())
                    .collect();
                pts.sort_by(|a, b| a.x.total_cmp(&b.x));
                (l.label.as_str(), pts)
            })
            .collect();
        let legend = self.long_legend();
        let name = if d.metric.is_empty() || d.field.is_empty() {
            "metric vs field".to_string()
        } else {
            format!("{} vs {}", d.metric, d.field)
        };
        let body = page(root, ctx, &name, &legend)?;

        let all = || lines.iter().flat_map(|(_, p)| p.iter());
        let xr = span(all().map(|p| p.x));
        let (x0, x1) = padded(xr, 0.06, (0.0, 1.0));
        let x = (
            if xr.is_some_and(|r| r.0 >= 0.0) {
                x0.max(0.0)
            } else {
                x0
            },
            x1,
        );
        let y = from_zero(span(all().flat_map(|p| p.y.finite())), 0.08);
        let (x_desc, y_desc) = (
            with_unit(&d.field, &d.field_unit, "field"),
            with_unit(&d.metric, &d.metric_unit, "metric"),
        );
        let mut axes = Axes::new(x, y, &x_desc, &y_desc);
        // Small whole numbers (a fan-out, a key count) are ticked at their
        // values, not at 1.2, 1.4, ….
        let mut xs: Vec<f64> = all().map(|p| p.x).collect();
        xs.sort_by(f64::total_cmp);
        xs.dedup();
        if let (Some(&lo), Some(&hi)) = (xs.first(), xs.last()) {
            if xs.iter().all(|v| v.fract() == 0.0) && hi - lo <= 20.0 {
                axes.x_ticks = Ticks::Custom(xs.iter().map(|&v| (v, format!("{v}"))).collect());
            }
        }
        let chart = build(root, &body, ctx, &axes)?;
        if all().next().is_none() {
            return no_data(root, &chart, ctx);
        }
        // Lines are nudged apart (3 px each, within ±12 px in all) so that
        // their error bars at one x stay apart.
        let n = lines.len() as i32;
        let step = if n > 1 {
            t.px(3.0).min(t.px(12.0) / (n - 1))
        } else {
            0
        };
        for (i, (_, pts)) in lines.iter().enumerate() {
            let (color, shape, dash) = style(i);
            let dx = (2 * i as i32 - (n - 1)) * step;
            let px: Vec<(i32, i32)> = pts
                .iter()
                .map(|p| chart.backend_coord(&(p.x, p.y.value)))
                .map(|(a, b)| (a + dx, b))
                .collect();
            if dash == Dash::Solid {
                root.draw(&PathElement::new(px.clone(), t.line(color, 2.2)))?;
            } else if px.len() > 1 {
                dashed_path(root, &px, t.line(color, 2.2), dash, t)?;
            }
            for (p, (mx, my)) in pts.iter().zip(&px) {
                if let Some((lo, hi)) = p.y.bar() {
                    let (_, blo) = chart.backend_coord(&(p.x, lo));
                    let (_, bhi) = chart.backend_coord(&(p.x, hi));
                    error_bar(root, *mx, (blo, bhi), color, t)?;
                }
                marker(root, (*mx, *my), shape, color, t)?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::testutil::{check, check_empty, count, prov};

    fn data() -> MetricVsFieldData {
        let lines = [0.0, 0.05, 0.2]
            .iter()
            .map(|loss| FieldLine {
                label: format!("loss={loss}"),
                points: [4.0, 1.0, 2.0, 3.0]
                    .iter()
                    .map(|f| {
                        let v = 10.0 / f * (1.0 + loss * 3.0);
                        FieldPoint {
                            x: *f,
                            y: Estimate {
                                value: v,
                                lo: v * 0.9,
                                hi: v * 1.1,
                            },
                        }
                    })
                    .collect(),
            })
            .collect();
        MetricVsFieldData {
            metric: "p99 convergence time".into(),
            metric_unit: "s".into(),
            field: "gossip.fanout".into(),
            field_unit: String::new(),
            lines,
            interval: "95% CI over 8 seeds".into(),
        }
    }

    #[test]
    fn renders_lines_markers_and_bars() {
        let svg = check(
            |f| metric_vs_field(&data(), &prov(), f),
            &[
                "unit: p99 convergence time vs gossip.fanout",
                "p99 convergence time (s)",
                "gossip.fanout",
                "loss=0.05",
                "95% CI over 8 seeds",
            ],
        );
        // 3 lines + 12 points × 3 error-bar strokes, plus legend samples.
        assert!(count(&svg, "polyline") >= 3 + 12 * 3);
        assert!(count(&svg, "circle") + count(&svg, "polygon") >= 12);
    }

    /// Small whole numbers on x are ticked at their values only; other
    /// values get the usual ticks.
    #[test]
    fn small_whole_numbers_are_ticked_at_their_values() {
        let data = |xs: &[f64]| MetricVsFieldData {
            metric: "p99".into(),
            metric_unit: "s".into(),
            field: "gossip.fanout".into(),
            field_unit: String::new(),
            lines: vec![FieldLine {
                label: "a".into(),
                points: xs
                    .iter()
                    .map(|&x| FieldPoint {
                        x,
                        y: Estimate {
                            value: 0.5,
                            lo: f64::NAN,
                            hi: f64::NAN,
                        },
                    })
                    .collect(),
            }],
            interval: String::new(),
        };
        let ticks = |svg: &str| ["1", "1.2", "1.5", "2", "3"].map(|t| svg.contains(&format!(">\n{t}\n<")));
        let svg = check(|f| metric_vs_field(&data(&[1.0, 2.0, 3.0]), &prov(), f), &[]);
        assert_eq!(ticks(&svg), [true, false, false, true, true]);
        let svg = check(|f| metric_vs_field(&data(&[1.0, 1.5, 3.0]), &prov(), f), &[]);
        assert!(ticks(&svg)[2], "1.5 is not whole: the usual ticks (0.5 apart)");
    }

    #[test]
    fn empty_input_renders_no_data() {
        check_empty(|f| metric_vs_field(&MetricVsFieldData::default(), &prov(), f));
        let mut d = data();
        d.lines
            .iter_mut()
            .for_each(|l| l.points.iter_mut().for_each(|p| p.x = f64::NAN));
        check_empty(|f| metric_vs_field(&d, &prov(), f));
    }
}
