//! Convergence chart: empirical CDF of per-write convergence time.
//!
//! For each series the curve at `t` is the fraction of *all* writes that had
//! reached every node within `t` seconds. Writes that never converged stay in
//! the denominator, so a run that lost writes visibly tops out below 1 instead
//! of hiding them. Several series (one per sweep point) are overlaid with a
//! legend; after eight colours the lines turn dashed, after sixteen dotted,
//! and a legend of many series makes the image taller, not the plot
//! smaller. A curve of many more
//! steps than pixel columns is drawn exactly at its pixels, with the steps
//! in one column as one vertical segment ([`super::draw::step_line`]), so
//! its thick PNG stroke stays smooth.

use plotters::coord::Shift;
use plotters::prelude::{DrawingArea, DrawingBackend};
use plotters::style::text_anchor::{HPos, VPos};

use super::draw::{build, from_zero, no_data, span, step_line, time_ticks, Axes, Usable, MAX_ABS};
use super::frame::{page, put_text, text_size, LegendEntry, Mark};
use super::marks::Dash;
use super::render::{render, Ctx, Figure};
use super::theme::series_color;
use super::{ChartError, ImageFormat, Provenance, Rendered};
use plotters::style::RGBColor;

/// One empirical distribution of convergence times.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CdfSeries {
    /// Legend text, e.g. `"fanout=3"`; not shown when the chart has one series.
    pub label: String,
    /// Seconds from each write until every node had it. `+inf` (or anything
    /// above 1e100) counts as a write that never converged; NaN and `-inf`
    /// are skipped.
    pub convergence_s: Vec<f64>,
    /// Writes that never reached every node (in addition to any `+inf`).
    pub not_converged: usize,
}

/// Input of [`convergence`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ConvergenceData {
    /// One curve per series, drawn in this order.
    pub series: Vec<CdfSeries>,
}

/// Renders the empirical CDF of convergence time, one step line per series.
pub fn convergence(
    data: &ConvergenceData,
    prov: &Provenance,
    format: ImageFormat,
) -> Result<Rendered, ChartError> {
    render(&Fig(data), prov, format)
}

struct Fig<'a>(&'a ConvergenceData);

/// Written in the plot of one series without writes.
const NO_WRITES: &str = "no writes in this run";

/// Sorted finite times and the total number of writes (the denominator).
fn samples(s: &CdfSeries) -> (Vec<f64>, usize) {
    let mut v: Vec<f64> = s.convergence_s.iter().copied().filter(|x| x.usable()).collect();
    v.sort_by(f64::total_cmp);
    let inf = s.convergence_s.iter().filter(|x| **x > MAX_ABS).count();
    let total = v.len() + inf + s.not_converged;
    (v, total)
}

/// The step line of one ECDF from `x0`; it continues to `x1` only when some
/// writes never converged (the curve stays below 1 forever), otherwise it
/// ends where the last write converged.
fn steps(sorted: &[f64], total: usize, x0: f64, x1: f64) -> Vec<(f64, f64)> {
    let mut pts = vec![(x0, 0.0)];
    let n = total as f64;
    let mut i = 0;
    while i < sorted.len() {
        let x = sorted[i];
        let before = i as f64 / n;
        while i < sorted.len() && sorted[i] == x {
            i += 1;
        }
        pts.push((x, before));
        pts.push((x, i as f64 / n));
    }
    if sorted.len() < total {
        pts.push((x1, sorted.len() as f64 / n));
    }
    pts
}

/// The `i`-th series' colour and stroke.
fn style(i: usize) -> (RGBColor, Dash) {
    (series_color(i), Dash::of_series(i))
}

impl Fig<'_> {
    /// The series with writes: each with its sorted finite times and its
    /// number of writes.
    fn series(&self) -> Vec<(&CdfSeries, Vec<f64>, usize)> {
        self.0
            .series
            .iter()
            .map(|s| {
                let (v, total) = samples(s);
                (s, v, total)
            })
            .filter(|(_, _, total)| *total > 0)
            .collect()
    }

    /// One entry per series, when there are several.
    fn legend(series: &[(&CdfSeries, Vec<f64>, usize)]) -> Vec<LegendEntry> {
        if series.len() < 2 {
            return Vec::new();
        }
        series
            .iter()
            .enumerate()
            .map(|(i, (s, v, total))| {
                let (color, dash) = style(i);
                let lost = total - v.len();
                let label = if lost > 0 {
                    format!("{} ({lost} unconverged)", s.label)
                } else {
                    s.label.clone()
                };
                LegendEntry::new(label, Mark::Line { color, dash })
            })
            .collect()
    }
}

impl Figure for Fig<'_> {
    fn size(&self) -> (u32, u32) {
        (640, 440)
    }

    fn long_legend(&self) -> Vec<LegendEntry> {
        Fig::legend(&self.series())
    }

    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        ctx: &Ctx<'_>,
    ) -> Result<(), ChartError> {
        let t = &ctx.theme;
        let series = self.series();
        let legend = Fig::legend(&series);
        let body = page(root, ctx, "convergence time CDF", &legend)?;
        let x = from_zero(span(series.iter().flat_map(|(_, v, _)| v.iter().copied())), 0.04);
        let (x_ticks, unit) = time_ticks(x, 7);
        let x_desc = format!("time to reach all nodes ({unit})");
        let mut axes = Axes::new(x, (0.0, 1.04), &x_desc, "fraction of writes");
        axes.x_ticks = x_ticks;
        let chart = build(root, &body, ctx, &axes)?;
        let (xr, yr) = chart.plotting_area().get_pixel_range();
        let centre = |text: &str| {
            let c = ((xr.start + xr.end) / 2, (yr.start + yr.end) / 2);
            put_text(root, text, c, &t.empty_font(), HPos::Center, VPos::Center)
        };
        if series.is_empty() && self.0.series.len() == 1 {
            return centre(NO_WRITES);
        }
        if series.is_empty() {
            return no_data(root, &chart, ctx);
        }
        if let [(_, v, total)] = series.as_slice() {
            if v.is_empty() {
                return centre(&format!("none of {total} writes reached all nodes"));
            }
        }
        for (i, (_, v, total)) in series.iter().enumerate() {
            let (color, dash) = style(i);
            step_line(
                root,
                &chart,
                &steps(v, *total, x.0, x.1),
                t.line(color, 2.5),
                dash,
                t,
            )?;
        }
        if let [(_, v, total)] = series.as_slice() {
            let lost = total - v.len();
            let mut note = format!("{total} writes");
            if lost > 0 {
                note.push_str(&format!(", {lost} never converged"));
            }
            // Where the curve is not: top left, else bottom right, else
            // right in the middle; else above the plot.
            let font = t.note_font();
            let (w, h) = text_size(root, &note, &font);
            let line: Vec<(i32, i32)> = steps(v, *total, x.0, x.1)
                .iter()
                .map(|p| chart.backend_coord(p))
                .collect();
            let (m, lw) = (t.px(10.0), t.px(3.0));
            let hits = |(x, y): (i32, i32)| {
                line.windows(2).any(|s| {
                    let (a, b) = (s[0], s[1]);
                    a.0.min(b.0) - lw <= x + w
                        && a.0.max(b.0) + lw >= x
                        && a.1.min(b.1) - lw <= y + h
                        && a.1.max(b.1) + lw >= y
                })
            };
            let candidates = [
                (xr.start + m, yr.start + m),
                (xr.end - m - w, yr.end - m - h),
                (xr.end - m - w, (yr.start + yr.end - h) / 2),
            ];
            let pos = candidates
                .into_iter()
                .find(|&p| !hits(p))
                .unwrap_or((xr.start + m, yr.start - h - t.px(2.0)));
            put_text(root, &note, pos, &font, HPos::Left, VPos::Top)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::testutil::{check, check_empty, count, polylines, prov, text_attr};

    #[test]
    fn ecdf_steps_count_unconverged_writes_in_the_denominator() {
        let s = CdfSeries {
            label: "a".into(),
            convergence_s: vec![2.0, 1.0, f64::NAN, 2.0, f64::INFINITY],
            not_converged: 1,
        };
        let (v, total) = samples(&s);
        assert_eq!((v.as_slice(), total), ([1.0, 2.0, 2.0].as_slice(), 5));
        let pts = steps(&v, total, 0.0, 3.0);
        assert_eq!(
            pts,
            vec![
                (0.0, 0.0),
                (1.0, 0.0),
                (1.0, 0.2),
                (2.0, 0.2),
                (2.0, 0.6),
                (3.0, 0.6)
            ]
        );
        assert_eq!(
            steps(&[1.0], 1, 0.0, 3.0),
            vec![(0.0, 0.0), (1.0, 0.0), (1.0, 1.0)]
        );
    }

    /// The note of a single series stays off its curve (here one that
    /// climbs at the right, through the bottom-right corner); a run without
    /// writes or without converged writes says so.
    #[test]
    fn the_note_avoids_the_curve_and_empty_runs_say_why() {
        let one = |convergence_s: Vec<f64>, not_converged| ConvergenceData {
            series: vec![CdfSeries {
                label: "a".into(),
                convergence_s,
                not_converged,
            }],
        };
        let data = one(vec![2.0, 2.0, 2.2, 2.2], 3);
        let note = "7 writes, 3 never converged";
        let svg = check(|f| convergence(&data, &prov(), f), &[note]);
        let b = crate::chart::testutil::text_boxes(&svg)
            .into_iter()
            .find(|(s, _)| s == note)
            .unwrap()
            .1;
        for line in polylines(&svg, "#0072B2") {
            for s in line.windows(2) {
                let (a, c) = (s[0], s[1]);
                let apart =
                    a.0.max(c.0) < b[0] || a.0.min(c.0) > b[2] || a.1.max(c.1) < b[1] || a.1.min(c.1) > b[3];
                assert!(apart, "segment {a:?}-{c:?} crosses the note {b:?}");
            }
        }
        check(|f| convergence(&one(vec![], 0), &prov(), f), &[NO_WRITES]);
        check(
            |f| convergence(&one(vec![], 5), &prov(), f),
            &["none of 5 writes reached all nodes"],
        );
    }

    #[test]
    fn renders_overlaid_series_with_legend() {
        let data = ConvergenceData {
            series: (0..3)
                .map(|k| CdfSeries {
                    label: format!("fanout={}", k + 1),
                    convergence_s: (0..20).map(|i| f64::from(i) * 0.1 / f64::from(k + 1)).collect(),
                    not_converged: k as usize,
                })
                .collect(),
        };
        let svg = check(
            |f| convergence(&data, &prov(), f),
            &[
                "unit: convergence time CDF",
                "time to reach all nodes (s)",
                "fraction of writes",
                "fanout=2",
                "fanout=3 (2 unconverged)",
            ],
        );
        // 3 data lines + 3 legend samples, on top of axes and grid.
        assert!(count(&svg, "polyline") >= 6 + 2);
    }

    /// A legend of four entries of unequal widths that fit two to a row is a
    /// grid: both rows start their second entry at the same x.
    #[test]
    fn legend_rows_line_up_in_columns() {
        let labels = [
            "order=precise-oldest",
            "order=precise-newest",
            "order=scuttle-breadth",
            "order=scuttle-depth",
        ];
        let data = ConvergenceData {
            series: labels
                .iter()
                .map(|l| CdfSeries {
                    label: l.to_string(),
                    convergence_s: vec![1.0, 2.0],
                    not_converged: 0,
                })
                .collect(),
        };
        let svg = check(|f| convergence(&data, &prov(), f), &labels);
        // Each label's `<text x=".." y="..">`.
        let at = |label: &str| (text_attr(&svg, label, "x"), text_attr(&svg, label, "y"));
        let p: Vec<(i32, i32)> = labels.iter().map(|l| at(l)).collect();
        assert_eq!((p[0].1, p[2].1 > p[0].1), (p[1].1, true), "two rows: {p:?}");
        assert_eq!((p[0].0, p[1].0), (p[2].0, p[3].0), "columns: {p:?}");
    }

    /// 24 series: each has its own colour and stroke, and the long legend
    /// makes the image taller while the plot keeps (about) the height it has
    /// with a legend of two rows.
    #[test]
    fn many_series_are_distinct_and_the_legend_grows_the_image() {
        let styles: Vec<(RGBColor, Dash)> = (0..24).map(style).collect();
        for (i, a) in styles.iter().enumerate() {
            assert!(!styles[..i].contains(a), "series {i} repeats a style");
        }
        let data = |n: u32| ConvergenceData {
            series: (0..n)
                .map(|k| CdfSeries {
                    label: format!("fanout={k}, interval=250ms, loss=0.0"),
                    convergence_s: vec![1.0, 2.0 + f64::from(k)],
                    not_converged: 0,
                })
                .collect(),
        };
        let few = check(|f| convergence(&data(2), &prov(), f), &[]);
        let many = check(|f| convergence(&data(24), &prov(), f), &["fanout=23"]);
        let height = |svg: &str| crate::chart::testutil::well_formed(svg).1;
        assert_eq!(height(&few), 440);
        assert!(height(&many) > 440 + 200, "{}", height(&many));
        // The y axis title sits mid-plot: its distance from the image's
        // bottom is the plot's half height plus the x axis band.
        let from_bottom = |svg: &str| height(svg) as i32 - text_attr(svg, "fraction of writes", "y");
        assert!((from_bottom(&few) - from_bottom(&many)).abs() <= 20);
    }

    #[test]
    fn single_series_has_no_legend_but_a_count() {
        let data = ConvergenceData {
            series: vec![CdfSeries {
                label: "hidden".into(),
                convergence_s: vec![0.5, 1.5],
                not_converged: 0,
            }],
        };
        let svg = check(|f| convergence(&data, &prov(), f), &["2 writes"]);
        assert!(!svg.contains("hidden"));
    }

    #[test]
    fn long_scenario_names_are_shortened_in_the_title() {
        let data = ConvergenceData {
            series: vec![CdfSeries {
                convergence_s: vec![1.0, 2.0],
                ..Default::default()
            }],
        };
        let p = Provenance {
            scenario: "x".repeat(300),
            ..prov()
        };
        let svg = convergence(&data, &p, ImageFormat::Svg).unwrap();
        let text = svg.svg_text().unwrap();
        assert!(text.contains("…: convergence time CDF"));
        assert!(!text.contains(&"x".repeat(100)));
    }

    #[test]
    fn many_writes_give_a_small_svg() {
        let times: Vec<f64> = (0..100_000).map(|i| f64::from(i % 9973) * 0.001).collect();
        let data = ConvergenceData {
            series: vec![CdfSeries {
                convergence_s: times,
                ..Default::default()
            }],
        };
        let svg = convergence(&data, &prov(), ImageFormat::Svg).unwrap();
        assert!(svg.bytes.len() < 200_000, "svg is {} bytes", svg.bytes.len());
    }

    /// 10,000 writes, far more steps than pixel columns: the drawn path
    /// has at most two vertices in any column (the steps in a column are
    /// one vertical segment), so at most twice the width it spans, and it
    /// still passes within a pixel of both ends, before and after, of every
    /// step. Pixels of a step are interpolated between the path's ends,
    /// which are (0 s, 0) and (the last time, 1): all writes converged.
    #[test]
    fn many_steps_draw_one_vertical_segment_per_pixel_column() {
        let n = 10_000;
        let mut times: Vec<f64> = (0..n)
            .map(|i: u32| {
                let u = (f64::from(i) + 0.5) / f64::from(n);
                let jitter = f64::from(i.wrapping_mul(2_654_435_761) % 1000) / 20_000.0;
                0.5 + 2.0 * -(1.0 - u).ln() + jitter
            })
            .collect();
        times.sort_by(f64::total_cmp);
        let data = ConvergenceData {
            series: vec![CdfSeries {
                convergence_s: times.clone(),
                ..Default::default()
            }],
        };
        let svg = convergence(&data, &prov(), ImageFormat::Svg).unwrap();
        let svg = svg.svg_text().unwrap();
        let lines = polylines(svg, "#0072B2");
        let [path] = &lines[..] else {
            panic!("one blue line: {}", lines.len())
        };
        let (first, last) = (path[0], path[path.len() - 1]);
        let mut per_column = std::collections::BTreeMap::new();
        for p in path {
            *per_column.entry(p.0).or_insert(0) += 1;
        }
        let most = per_column.values().max().unwrap();
        assert!(*most <= 2, "{most} vertices in one column");
        let width = last.0 - first.0 + 1;
        assert!(
            path.len() as i32 <= 2 * width,
            "{} vertices, {width} px",
            path.len()
        );

        let t_max = times[times.len() - 1];
        let at = |t: f64, f: f64| {
            let x = f64::from(first.0) + t / t_max * f64::from(last.0 - first.0);
            (x, f64::from(first.1) + f * f64::from(last.1 - first.1))
        };
        // Chebyshev distance from a point to the path's segments.
        let off = |(x, y): (f64, f64)| {
            path.windows(2)
                .map(|s| {
                    let (lo, hi) = (
                        (s[0].0.min(s[1].0), s[0].1.min(s[1].1)),
                        (s[0].0.max(s[1].0), s[0].1.max(s[1].1)),
                    );
                    let cx = x.clamp(f64::from(lo.0), f64::from(hi.0));
                    let cy = y.clamp(f64::from(lo.1), f64::from(hi.1));
                    (x - cx).abs().max((y - cy).abs())
                })
                .fold(f64::INFINITY, f64::min)
        };
        for (i, t) in times.iter().enumerate() {
            for f in [i as f64 / f64::from(n), (i + 1) as f64 / f64::from(n)] {
                let d = off(at(*t, f));
                assert!(d <= 1.0, "write {i} at {t} s, {f}: {d} px off the path");
            }
        }
    }

    #[test]
    fn empty_inputs_render_no_data() {
        check_empty(|f| convergence(&ConvergenceData::default(), &prov(), f));
        let nan = ConvergenceData {
            series: vec![CdfSeries {
                convergence_s: vec![f64::NAN],
                ..Default::default()
            }],
        };
        // One series of no usable time: a run without writes.
        check(|f| convergence(&nan, &prov(), f), &[NO_WRITES]);
    }
}
