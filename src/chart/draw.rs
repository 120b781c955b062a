//! Axes and data lines shared by the charts: ranges, ticks, panels, polylines.
//!
//! Data ranges come from [`span`] over [`Usable`] values (finite, magnitude at
//! most [`MAX_ABS`]), so every drawn point lies inside its panel. Data lines
//! are mapped to pixels with `ChartContext::backend_coord` and drawn on the
//! root area, like the pixel-sized marks in `marks.rs`.

use plotters::chart::ChartContext;
use plotters::coord::ranged1d::Ranged;
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::element::PathElement;
use plotters::prelude::{Cartesian2d, ChartBuilder, DrawingArea, DrawingBackend};
use plotters::style::text_anchor::{HPos, VPos};

use super::frame::{put_text, text_size};
use super::marks::{dashed_path, Dash};
use super::render::Ctx;
use super::theme::{Theme, TickFormat, GRID, INK};
use super::ChartError;

/// Largest magnitude a chart plots; larger values are treated like infinities
/// (skipped), so axis ranges and pixel positions stay finite and small.
pub(crate) const MAX_ABS: f64 = 1e100;

/// Whether a value can be plotted: finite and at most [`MAX_ABS`] in magnitude.
pub(crate) trait Usable {
    /// True for values the charts draw.
    fn usable(self) -> bool;
}

impl Usable for f64 {
    fn usable(self) -> bool {
        self.is_finite() && self.abs() <= MAX_ABS
    }
}

/// A chart with `f64` axes.
pub(crate) type Chart2<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// Smallest and largest finite value, if any. Charts pass only [`Usable`]
/// values (or sums of a few), so the range width stays finite.
pub(crate) fn span(values: impl IntoIterator<Item = f64>) -> Option<(f64, f64)> {
    values
        .into_iter()
        .filter(|v| v.is_finite())
        .fold(None, |acc, v| match acc {
            None => Some((v, v)),
            Some((lo, hi)) => Some((lo.min(v), hi.max(v))),
        })
}

/// `(lo, hi)` widened by `frac` of its width on both sides; a point becomes a
/// unit-wide range; `None` becomes `default`.
pub(crate) fn padded(r: Option<(f64, f64)>, frac: f64, default: (f64, f64)) -> (f64, f64) {
    match r {
        None => default,
        Some((lo, hi)) if hi - lo <= f64::EPSILON * hi.abs().max(1.0) => {
            let d = if lo == 0.0 { 1.0 } else { lo.abs() * 0.1 };
            (lo - d, hi + d)
        }
        Some((lo, hi)) => {
            let d = (hi - lo) * frac;
            (lo - d, hi + d)
        }
    }
}

/// A range that always contains zero (counts, rates and durations start at
/// zero): `(0, hi)` plus `frac` headroom for non-negative data, otherwise the
/// padded range of the data and zero.
pub(crate) fn from_zero(r: Option<(f64, f64)>, frac: f64) -> (f64, f64) {
    match r {
        Some((lo, hi)) if lo >= 0.0 => {
            let hi = if hi <= 0.0 { 1.0 } else { hi };
            (0.0, hi + hi * frac)
        }
        Some((lo, hi)) => padded(Some((lo, hi.max(0.0))), frac, (0.0, 1.0)),
        None => (0.0, 1.0),
    }
}

/// Ticks of one axis.
pub(crate) enum Ticks {
    /// Up to this many "nice" ticks with grid lines.
    Auto(usize),
    /// Exactly these labels at these positions, no grid lines.
    Custom(Vec<(f64, String)>),
    /// Up to `n` "nice" ticks in units of `unit` data units each (a
    /// seconds axis labelled in ms: `unit` = 0.001), with grid lines.
    Scaled {
        /// Data units per labelled unit.
        unit: f64,
        /// Most ticks.
        n: usize,
    },
}

/// The unit a time axis reaching `max_s` seconds reads best in: its length
/// in seconds and its name (µs, ms, s, min or h), so that tick labels stay
/// short ("0.5 ms", not "0.0005 s"; "20 min", not "1.2k s").
pub(crate) fn time_unit(max_s: f64) -> (f64, &'static str) {
    let m = if max_s.usable() { max_s.abs() } else { 1.0 };
    if m < 1e-3 {
        (1e-6, "µs")
    } else if m < 1.0 {
        (1e-3, "ms")
    } else if m < 1000.0 {
        (1.0, "s")
    } else if m < 36_000.0 {
        (60.0, "min")
    } else {
        (3600.0, "h")
    }
}

/// Ticks for a time axis (data in seconds) over `range`, in the unit
/// [`time_unit`] chooses for it, and that unit's name.
pub(crate) fn time_ticks(range: (f64, f64), n: usize) -> (Ticks, &'static str) {
    let (unit, name) = time_unit(range.0.abs().max(range.1.abs()));
    (Ticks::Scaled { unit, n }, name)
}

/// Everything needed to set up one panel's axes.
pub(crate) struct Axes<'s> {
    pub(crate) x: (f64, f64),
    pub(crate) y: (f64, f64),
    pub(crate) x_desc: &'s str,
    pub(crate) y_desc: &'s str,
    pub(crate) x_ticks: Ticks,
    pub(crate) y_ticks: Ticks,
    /// Panel caption, e.g. "(a) rate by kind".
    pub(crate) caption: Option<&'s str>,
    /// Hide x tick labels (upper panel sharing its x axis with the one below).
    pub(crate) hide_x_labels: bool,
    /// Width of the y label area, to align stacked panels; `None` to fit.
    pub(crate) y_area: Option<i32>,
    /// Draw grid lines at the automatic ticks.
    pub(crate) grid: bool,
    /// Room (px) left above the plot, under the caption: a lane for labels
    /// that should not cover the data ([`super::fault_bands`]).
    pub(crate) lane: i32,
}

impl<'s> Axes<'s> {
    /// Axes with automatic ticks and no caption.
    pub(crate) fn new(x: (f64, f64), y: (f64, f64), x_desc: &'s str, y_desc: &'s str) -> Self {
        Axes {
            x,
            y,
            x_desc,
            y_desc,
            x_ticks: Ticks::Auto(7),
            y_ticks: Ticks::Auto(6),
            caption: None,
            hide_x_labels: false,
            y_area: None,
            grid: true,
            lane: 0,
        }
    }
}

/// Right margin of a panel built by [`build`], at 1× scale.
const MARGIN_RIGHT: f64 = 14.0;

/// The pixel columns `[left, right]` the plot of `axes` will take when
/// [`build`] draws it on `area`: known before it is drawn, for layouts
/// that depend on where times fall (the fault lane above a plot).
pub(crate) fn plot_columns<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    area: &DrawingArea<DB, Shift>,
    ctx: &Ctx<'_>,
    axes: &Axes<'_>,
) -> (i32, i32) {
    let y_area = axes.y_area.unwrap_or_else(|| y_area_width(root, ctx, axes));
    let (x0, _) = area.get_base_pixel();
    let (w, _) = area.dim_in_pixel();
    (x0 + y_area, x0 + w as i32 - ctx.theme.px(MARGIN_RIGHT))
}

/// Width of the y label area that fits the tick labels and description of `axes`.
pub(crate) fn y_area_width<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    ctx: &Ctx<'_>,
    axes: &Axes<'_>,
) -> i32 {
    let t = &ctx.theme;
    let fmt = format_of(axes.y, &axes.y_ticks);
    let widest = labels_of(axes.y, &axes.y_ticks, &fmt)
        .iter()
        .map(|s| text_size(root, s, &t.tick_font()).0)
        .max()
        .unwrap_or(0);
    let (_, desc_h) = text_size(root, "Ag", &t.axis_font());
    2 * t.px(TICK_LEN) + widest + t.px(10.0) + desc_h + t.px(2.0)
}

const TICK_LEN: f64 = 5.0;

fn auto_ticks(range: (f64, f64), n: usize) -> Vec<f64> {
    RangedCoordf64::from(range.0..range.1).key_points(n)
}

/// Ticks for an axis drawn in units of `1/scale` but labelled in whole
/// units (e.g. a millisecond axis labelled in seconds: `scale` = 1000):
/// up to `n` nice positions and their labels.
pub(crate) fn scaled_ticks(range: (f64, f64), scale: f64, n: usize) -> Ticks {
    let ticks = auto_ticks((range.0 / scale, range.1 / scale), n);
    let fmt = TickFormat::for_ticks(&ticks);
    Ticks::Custom(ticks.into_iter().map(|v| (v * scale, fmt.format(v))).collect())
}

fn labels_of(range: (f64, f64), ticks: &Ticks, fmt: &TickFormat) -> Vec<String> {
    match ticks {
        Ticks::Auto(n) => auto_ticks(range, *n).into_iter().map(|v| fmt.format(v)).collect(),
        _ => listed(range, ticks).into_iter().map(|(_, s)| s).collect(),
    }
}

/// The positions and labels of custom or scaled ticks (none for automatic
/// ones, which plotters draws).
fn listed(range: (f64, f64), ticks: &Ticks) -> Vec<(f64, String)> {
    match ticks {
        Ticks::Auto(_) => Vec::new(),
        Ticks::Custom(v) => v.clone(),
        &Ticks::Scaled { unit, n } => match scaled_ticks(range, unit, n) {
            Ticks::Custom(v) => v,
            _ => Vec::new(),
        },
    }
}

fn format_of(range: (f64, f64), ticks: &Ticks) -> TickFormat {
    match ticks {
        Ticks::Auto(n) => TickFormat::for_ticks(&auto_ticks(range, *n)),
        _ => TickFormat::for_ticks(&[]),
    }
}

/// Builds a panel on `area` with styled axes and grid; custom ticks are drawn too.
pub(crate) fn build<'a, DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    area: &'a DrawingArea<DB, Shift>,
    ctx: &Ctx<'_>,
    axes: &Axes<'_>,
) -> Result<Chart2<'a, DB>, ChartError> {
    let t = &ctx.theme;
    let tick = t.tick_font();
    let desc = t.axis_font();
    let tick_len = t.px(TICK_LEN);
    let (x_fmt, y_fmt) = (format_of(axes.x, &axes.x_ticks), format_of(axes.y, &axes.y_ticks));
    let y_area = axes.y_area.unwrap_or_else(|| y_area_width(root, ctx, axes));
    let (_, tick_h) = text_size(root, "0", &tick);
    let (_, desc_h) = text_size(root, "Ag", &desc);
    let (area_w, _) = area.dim_in_pixel();
    let margin_right = t.px(MARGIN_RIGHT);
    let stagger = staggered(root, ctx, axes, area_w as i32 - y_area - margin_right);
    let row_h = tick_h + t.px(2.0);
    let x_area = if axes.hide_x_labels {
        tick_len + t.px(4.0)
    } else {
        let desc_h = if axes.x_desc.is_empty() {
            0
        } else {
            desc_h + t.px(10.0)
        };
        2 * tick_len + tick_h + if stagger { row_h } else { 0 } + desc_h + t.px(4.0)
    };

    let mut b = ChartBuilder::on(area);
    b.x_label_area_size(x_area).y_label_area_size(y_area);
    b.margin_right(margin_right).margin_top(t.px(12.0) + axes.lane);
    if let Some(c) = axes.caption {
        // Drawn here, not by plotters (which leaves a fixed 5 px under a
        // caption): the top y tick label, centred on the plot's top edge,
        // needs half its height below the caption.
        let font = t.caption_font();
        let (_, caption_h) = text_size(root, c, &font);
        let (x0, y0) = area.get_base_pixel();
        let top = (x0 + area_w as i32 / 2, y0 + t.px(12.0));
        put_text(root, c, top, &font, HPos::Center, VPos::Top)?;
        b.margin_top(t.px(12.0) + caption_h + tick_h / 2 + t.px(4.0) + axes.lane);
    }
    let mut chart = b.build_cartesian_2d(axes.x.0..axes.x.1, axes.y.0..axes.y.1)?;

    let hide = axes.hide_x_labels;
    let fx = |v: &f64| {
        if hide {
            String::new()
        } else {
            x_fmt.format(*v)
        }
    };
    let fy = |v: &f64| y_fmt.format(*v);
    let n = |ticks: &Ticks| match ticks {
        Ticks::Auto(n) => *n,
        _ => 0,
    };
    let mut mesh = chart.configure_mesh();
    if !axes.grid {
        mesh.disable_mesh();
    }
    mesh.x_labels(n(&axes.x_ticks))
        .y_labels(n(&axes.y_ticks))
        .max_light_lines(0)
        .x_label_formatter(&fx)
        .y_label_formatter(&fy)
        .label_style(tick.clone())
        .axis_desc_style(desc)
        .x_desc(axes.x_desc)
        .y_desc(axes.y_desc)
        .bold_line_style(t.line(GRID, 1.0))
        .axis_style(t.line(INK, 1.2))
        .set_all_tick_mark_size(tick_len)
        .draw()?;

    // Scaled ticks have grid lines like automatic ones, drawn here.
    let grid = |ticks: &Ticks| axes.grid && matches!(ticks, Ticks::Scaled { .. });
    let (xr, yr) = chart.plotting_area().get_pixel_range();
    for (i, (x, s)) in listed(axes.x, &axes.x_ticks).iter().enumerate() {
        let (px, py) = chart.backend_coord(&(*x, axes.y.0));
        if grid(&axes.x_ticks) && px > xr.start && px < xr.end - 1 {
            root.draw(&PathElement::new(
                vec![(px, yr.start), (px, yr.end - 1)],
                t.line(GRID, 1.0),
            ))?;
        }
        root.draw(&PathElement::new(
            vec![(px, py), (px, py + tick_len)],
            t.line(INK, 1.2),
        ))?;
        if hide {
            continue;
        }
        let row = if stagger { i as i32 % 2 } else { 0 };
        let at = (px, py + 2 * tick_len + row * row_h);
        put_text(root, s, at, &tick, HPos::Center, VPos::Top)?;
    }
    for (y, s) in listed(axes.y, &axes.y_ticks) {
        let (px, py) = chart.backend_coord(&(axes.x.0, y));
        if grid(&axes.y_ticks) && py > yr.start && py < yr.end - 1 {
            root.draw(&PathElement::new(
                vec![(xr.start + 1, py), (xr.end, py)],
                t.line(GRID, 1.0),
            ))?;
        }
        root.draw(&PathElement::new(
            vec![(px - tick_len, py), (px, py)],
            t.line(INK, 1.2),
        ))?;
        put_text(
            root,
            &s,
            (px - 2 * tick_len, py),
            &tick,
            HPos::Right,
            VPos::Center,
        )?;
    }
    Ok(chart)
}

/// Whether the custom x tick labels of `axes`, on a plot `plot_w` pixels
/// wide, go on two rows (every other one lower) because two neighbours
/// would come closer than a small gap on one row.
fn staggered<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    ctx: &Ctx<'_>,
    axes: &Axes<'_>,
    plot_w: i32,
) -> bool {
    let v = listed(axes.x, &axes.x_ticks);
    if v.is_empty() || axes.hide_x_labels || axes.x.1 <= axes.x.0 {
        return false;
    }
    let t = &ctx.theme;
    let px_per_x = f64::from(plot_w) / (axes.x.1 - axes.x.0);
    let w = |s: &str| f64::from(text_size(root, s, &t.tick_font()).0);
    v.windows(2).any(|p| {
        let room = (p[1].0 - p[0].0).abs() * px_per_x;
        room < (w(&p[0].1) + w(&p[1].1)) / 2.0 + f64::from(t.px(6.0))
    })
}

/// Writes "no data" in the middle of the panel.
pub(crate) fn no_data<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    chart: &Chart2<'_, DB>,
    ctx: &Ctx<'_>,
) -> Result<(), ChartError> {
    let (xr, yr) = chart.plotting_area().get_pixel_range();
    let c = ((xr.start + xr.end) / 2, (yr.start + yr.end) / 2);
    put_text(
        root,
        "no data",
        c,
        &ctx.theme.empty_font(),
        HPos::Center,
        VPos::Center,
    )
}

/// Drops consecutive points that land on the same pixel: lossless at this
/// resolution, and keeps a line of 100 000 points from becoming a 5 MB SVG.
pub(crate) fn dedup_px(mut px: Vec<(i32, i32)>) -> Vec<(i32, i32)> {
    px.dedup();
    px
}

/// Drops every point of `px` that lies on a straight vertical or horizontal
/// run between its neighbours (on their column or row, between them), and
/// repeated points: the same line with fewer joins. A step function with
/// many steps to a pixel column becomes at most one vertical segment in
/// each column and one horizontal segment between columns, and its thick
/// stroke in the PNG loses the notches that plotters' outline of a thick
/// line puts at each join of two collinear segments (it truncates the
/// offset there and rounds it elsewhere), which made such a line hairy.
pub(crate) fn merge_straight_runs(px: Vec<(i32, i32)>) -> Vec<(i32, i32)> {
    let between = |a: i32, b: i32, c: i32| a.min(c) <= b && b <= a.max(c);
    let mut out: Vec<(i32, i32)> = Vec::with_capacity(px.len());
    for p in px {
        if out.last() == Some(&p) {
            continue;
        }
        if let [.., a, b] = out[..] {
            let column = a.0 == b.0 && b.0 == p.0 && between(a.1, b.1, p.1);
            let row = a.1 == b.1 && b.1 == p.1 && between(a.0, b.0, p.0);
            if column || row {
                out.pop();
            }
        }
        out.push(p);
    }
    out
}

/// Draws the data polyline `pts` on `chart`'s axes, skipping non-finite
/// points (the line breaks there), solid, dashed or dotted.
pub(crate) fn data_line<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    chart: &Chart2<'_, DB>,
    pts: &[(f64, f64)],
    style: plotters::style::ShapeStyle,
    dash: Dash,
    t: &Theme,
) -> Result<(), ChartError> {
    line_in_px(root, chart, pts, style, dash, t, false)
}

/// [`data_line`] for a step function (vertical and horizontal segments):
/// drawn with [`merge_straight_runs`], exact at the pixels drawn.
pub(crate) fn step_line<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    chart: &Chart2<'_, DB>,
    pts: &[(f64, f64)],
    style: plotters::style::ShapeStyle,
    dash: Dash,
    t: &Theme,
) -> Result<(), ChartError> {
    line_in_px(root, chart, pts, style, dash, t, true)
}

fn line_in_px<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    chart: &Chart2<'_, DB>,
    pts: &[(f64, f64)],
    style: plotters::style::ShapeStyle,
    dash: Dash,
    t: &Theme,
    steps: bool,
) -> Result<(), ChartError> {
    for run in pts.split(|(x, y)| !x.usable() || !y.usable()) {
        let px = run.iter().map(|p| chart.backend_coord(p)).collect();
        let px = if steps {
            merge_straight_runs(px)
        } else {
            dedup_px(px)
        };
        if px.len() < 2 {
            continue;
        }
        if dash != Dash::Solid {
            dashed_path(root, &px, style, dash, t)?;
        } else {
            root.draw(&PathElement::new(px, style))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_axes_choose_their_unit() {
        assert_eq!(time_unit(0.0006), (1e-6, "µs"));
        assert_eq!(time_unit(0.003), (1e-3, "ms"));
        assert_eq!(time_unit(60.0), (1.0, "s"));
        assert_eq!(time_unit(3.0 * 3600.0), (60.0, "min"));
        assert_eq!(time_unit(20.0 * 3600.0), (3600.0, "h"));
        // A 3 ms axis: ticks in whole or half ms, short enough not to meet.
        let labels: Vec<String> = listed((0.0, 0.003), &time_ticks((0.0, 0.003), 7).0)
            .into_iter()
            .map(|(_, s)| s)
            .collect();
        assert_eq!(labels, ["0.0", "0.5", "1.0", "1.5", "2.0", "2.5", "3.0"]);
    }

    #[test]
    fn span_skips_non_finite() {
        assert_eq!(span([f64::NAN, 3.0, f64::INFINITY, -1.0]), Some((-1.0, 3.0)));
        assert_eq!(span([f64::NAN]), None);
    }

    #[test]
    fn dedup_keeps_shape() {
        assert_eq!(
            dedup_px(vec![(0, 0), (0, 0), (1, 0), (1, 0), (1, 2), (0, 0)]),
            vec![(0, 0), (1, 0), (1, 2), (0, 0)]
        );
    }

    #[test]
    fn straight_runs_merge_without_changing_the_line() {
        // A staircase: three steps in column 0, a flat stretch, a step.
        assert_eq!(
            merge_straight_runs(vec![
                (0, 9),
                (0, 7),
                (0, 7),
                (0, 4),
                (3, 4),
                (5, 4),
                (5, 2),
                (8, 2)
            ]),
            [(0, 9), (0, 4), (5, 4), (5, 2), (8, 2)]
        );
        // A point past its neighbour turns back: kept, as are diagonals.
        assert_eq!(
            merge_straight_runs(vec![(0, 0), (0, 5), (0, 3), (2, 1), (4, -1)]),
            [(0, 0), (0, 5), (0, 3), (2, 1), (4, -1)]
        );
        assert_eq!(merge_straight_runs(vec![(1, 1), (1, 1)]), [(1, 1)]);
    }

    #[test]
    fn ranges_are_never_degenerate() {
        assert_eq!(padded(Some((2.0, 2.0)), 0.05, (0.0, 1.0)), (1.8, 2.2));
        assert_eq!(padded(None, 0.05, (0.0, 1.0)), (0.0, 1.0));
        assert_eq!(from_zero(Some((0.0, 0.0)), 0.0), (0.0, 1.0));
        assert_eq!(from_zero(Some((1.0, 10.0)), 0.1), (0.0, 11.0));
        assert_eq!(from_zero(Some((-4.0, -2.0)), 0.25), (-5.0, 1.0));
    }
}
