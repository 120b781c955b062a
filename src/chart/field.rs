//! Metric-vs-field chart for sweeps: one metric against one swept numeric field.
//!
//! Each line is one value of a second swept field (legend), with a distinct
//! colour *and* marker shape so it survives greyscale printing, and a capped
//! error bar at every point. When several lines share x values their points
//! are nudged a few pixels apart so the error bars do not hide each other;
//! every marker is drawn over every line and bar. With no negative value the
//! y axis starts at 0 and an error bar reaching below is cut there, capless.
//!
//! The x axis spans every point, drawn or not. A point without a value (no
//! write converged, for a convergence time) is not drawn, its line broken
//! there, and a note under the plot names it; another note names the
//! points whose value covers only part of the writes (some never
//! converged), with the share that did.

use plotters::coord::Shift;
use plotters::element::PathElement;
use plotters::prelude::{DrawingArea, DrawingBackend};

use super::draw::{build, from_zero, no_data, padded, span, Axes, Ticks, Usable};
use super::frame::{note_list, page_with_notes, LegendEntry, Mark, MARGIN};
use super::marks::{cut_at, dashed_path, error_bar, marker, Dash, Shape, SHAPES};
use super::render::{render, Ctx, Figure};
use super::theme::{series_color, INK};
use super::tradeoff::Estimate;
use super::{ChartError, ImageFormat, Provenance, Rendered};
use plotters::style::RGBColor;

/// One point: the swept field's value and the metric there.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FieldPoint {
    /// Value of the swept field.
    pub x: f64,
    /// The metric, with its error bar over seeds; a NaN value: none (the
    /// point is named in a note).
    pub y: Estimate,
    /// For a metric over the writes that converged (a convergence time):
    /// the mean share of writes that did, named in a note when below 1
    /// (0: why there is no value). NaN: not such a metric, no note.
    pub converged: f64,
    /// How the notes name the point, e.g. `"loss=0.9, fanout=2"`.
    pub setting: String,
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

/// The notes under the plot, at most `width` pixels wide each: points
/// with no value (no write converged, or none for another reason), then
/// points whose value is of the writes that converged when not all did.
fn notes<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    ctx: &Ctx<'_>,
    lines: &[FieldLine],
    width: i32,
) -> Vec<String> {
    let font = ctx.theme.note_font();
    let points = || lines.iter().flat_map(|l| &l.points).filter(|p| p.x.usable());
    let none = |converged: bool| -> Vec<String> {
        points()
            .filter(|p| !p.y.value.usable() && (p.converged == 0.0) == converged)
            .map(|p| p.setting.clone())
            .collect()
    };
    let partly: Vec<String> = points()
        .filter(|p| p.y.value.usable() && p.converged.usable() && p.converged < 1.0)
        .map(|p| format!("{} ({} converged)", p.setting, super::floor_percent(p.converged)))
        .collect();
    [
        ("not drawn, no write converged", none(true)),
        ("not drawn, no value", none(false)),
        ("not all writes converged (times are of those that did)", partly),
    ]
    .into_iter()
    .filter(|(_, items)| !items.is_empty())
    .flat_map(|(head, items)| note_list(root, &font, head, &items, width))
    .collect()
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
        // Each line's points with an x, sorted; those without a value
        // break the line.
        let lines: Vec<Vec<&FieldPoint>> = d
            .lines
            .iter()
            .map(|l| {
                let mut pts: Vec<&FieldPoint> = l.points.iter().filter(|p| p.x.usable()).collect();
                pts.sort_by(|a, b| a.x.total_cmp(&b.x));
                pts
            })
            .collect();
        let legend = self.long_legend();
        let name = if d.metric.is_empty() || d.field.is_empty() {
            "metric vs field".to_string()
        } else {
            format!("{} vs {}", d.metric, d.field)
        };
        let (w, _) = root.dim_in_pixel();
        let notes = notes(root, ctx, &d.lines, w as i32 - 2 * t.px(MARGIN));
        let body = page_with_notes(root, ctx, &name, &legend, &notes)?;

        // The x axis spans every point, drawn or not; the y axis those drawn.
        let every = || lines.iter().flatten();
        let all = || every().filter(|p| p.y.value.usable());
        let xr = span(every().map(|p| p.x));
        let (x0, x1) = padded(xr, 0.06, (0.0, 1.0));
        let x = (
            if xr.is_some_and(|r| r.0 >= 0.0) {
                x0.max(0.0)
            } else {
                x0
            },
            x1,
        );
        // No value below 0 (times, bytes, shares): the axis starts at 0 and
        // an error bar reaching below it is cut there, without its cap.
        let y_floor = all().all(|p| p.y.value >= 0.0);
        let yr = span(all().flat_map(|p| p.y.finite()));
        let y = from_zero(
            if y_floor {
                yr.map(|(lo, hi)| (lo.max(0.0), hi))
            } else {
                yr
            },
            0.08,
        );
        let (x_desc, y_desc) = (
            with_unit(&d.field, &d.field_unit, "field"),
            with_unit(&d.metric, &d.metric_unit, "metric"),
        );
        let mut axes = Axes::new(x, y, &x_desc, &y_desc);
        // Small whole numbers (a fan-out, a key count) are ticked at their
        // values, not at 1.2, 1.4, ….
        let mut xs: Vec<f64> = every().map(|p| p.x).collect();
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
        // Lines and error bars first, then every marker over them, so that
        // no line's bar covers another line's marker.
        let mut marks = Vec::new();
        for (i, pts) in lines.iter().enumerate() {
            let (color, shape, dash) = style(i);
            let dx = (2 * i as i32 - (n - 1)) * step;
            let at = |p: &FieldPoint| {
                let (a, b) = chart.backend_coord(&(p.x, p.y.value));
                (a + dx, b)
            };
            for run in pts.split(|p| !p.y.value.usable()) {
                let px: Vec<(i32, i32)> = run.iter().map(|p| at(p)).collect();
                if dash == Dash::Solid {
                    root.draw(&PathElement::new(px, t.line(color, 2.2)))?;
                } else if px.len() > 1 {
                    dashed_path(root, &px, t.line(color, 2.2), dash, t)?;
                }
            }
            let drawn: Vec<&FieldPoint> = pts.iter().copied().filter(|p| p.y.value.usable()).collect();
            let px: Vec<(i32, i32)> = drawn.iter().map(|p| at(p)).collect();
            for (p, (mx, my)) in drawn.iter().zip(&px) {
                if let Some(bar) = p.y.bar() {
                    let ((lo, hi), cut) = if y_floor { cut_at(y.0, bar) } else { (bar, false) };
                    let (_, blo) = chart.backend_coord(&(p.x, lo));
                    let (_, bhi) = chart.backend_coord(&(p.x, hi));
                    error_bar(root, *mx, (blo, bhi), cut, color, t)?;
                }
                marks.push(((*mx, *my), shape, color));
            }
        }
        for (at, shape, color) in marks {
            marker(root, at, shape, color, t)?;
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
                            converged: 1.0,
                            setting: format!("fanout={f}, loss={loss}"),
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
                        converged: f64::NAN,
                        setting: format!("fanout={x}"),
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

    /// A point without a value keeps its place on the x axis (its tick
    /// is drawn), breaks its line and is named in a note; points of the
    /// writes that converged when not all did are named with the share.
    /// (The axis used to end at the last point with a value, with no note.)
    #[test]
    fn points_without_a_value_or_all_writes_are_named() {
        let mut d = data();
        d.lines.truncate(2);
        for (l, line) in d.lines.iter_mut().enumerate() {
            for p in &mut line.points {
                if p.x == 4.0 {
                    p.y.value = f64::NAN;
                    p.converged = if l == 0 { 0.0 } else { f64::NAN };
                } else if p.x == 3.0 && l == 1 {
                    p.converged = 0.9996;
                }
            }
        }
        let svg = check(
            |f| metric_vs_field(&d, &prov(), f),
            &[
                ">\n4\n<",
                "not drawn, no write converged: fanout=4, loss=0",
                "not drawn, no value: fanout=4, loss=0.05",
                "not all writes converged (times are of those that did): fanout=3, loss=0.05 (99.9% converged)",
            ],
        );
        assert!(!svg.contains("fanout=2, loss"), "drawn with all writes: no note");
        // One point with a value on each side of a gap: the line breaks.
        for (l, line) in d.lines.iter_mut().enumerate() {
            // The second line has no point at 4: 3 and 5 are joined.
            line.points.retain(|p| p.x == 3.0 || (p.x == 4.0 && l == 0));
            line.points.push(FieldPoint {
                x: 5.0,
                y: Estimate {
                    value: 1.0,
                    lo: f64::NAN,
                    hi: f64::NAN,
                },
                converged: 1.0,
                setting: "x".into(),
            });
        }
        let svg = check(|f| metric_vs_field(&d, &prov(), f), &[">\n5\n<"]);
        // Longer than an error bar's cap or the legend's sample.
        let long = crate::chart::testutil::polylines(&svg, "#0072B2")
            .iter()
            .filter(|p| p.iter().map(|q| q.0).max() > p.iter().map(|q| q.0 + 40).min())
            .count();
        assert_eq!(long, 0, "3 and 5 are not joined across 4 on the first line");
        let other = crate::chart::testutil::polylines(&svg, "#D55E00");
        assert!(
            other.iter().any(|p| p.len() == 2 && p[1].0 - p[0].0 > 100),
            "{other:?}"
        );
    }

    /// Settings every point shares end the footer; too long for it, they
    /// get a line of their own above it.
    #[test]
    fn fixed_settings_are_said_in_the_footer() {
        let short = Provenance {
            fixed: "mtu=10 deltas".into(),
            ..prov()
        };
        check(
            |f| metric_vs_field(&data(), &short, f),
            &[">\nscuttlesim 0.1.0 · seed 42 · scenario 3f2a9c1e · all points: mtu=10 deltas\n<"],
        );
        let fixed = (0..12)
            .map(|i| format!("field{i}=value{i}"))
            .collect::<Vec<_>>()
            .join(", ");
        let long = Provenance {
            fixed: fixed.clone(),
            ..short
        };
        check(
            |f| metric_vs_field(&data(), &long, f),
            &[
                ">\nscuttlesim 0.1.0 · seed 42 · scenario 3f2a9c1e\n<",
                &format!(">\nall points: {fixed}\n<"),
            ],
        );
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
