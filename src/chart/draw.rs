//! Drawing helpers shared by the charts: axes, markers, dashes, arrows, error bars.
//!
//! Everything sized in pixels (markers, caps, arrow heads, dashes) is drawn in
//! absolute pixel coordinates on the root area, after mapping data points with
//! `ChartContext::backend_coord`, so it has the same size whatever the data
//! range. Data ranges come from [`span`], which skips non-finite values.

use plotters::chart::ChartContext;
use plotters::coord::ranged1d::Ranged;
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::element::{Circle, PathElement, Polygon};
use plotters::prelude::{Cartesian2d, ChartBuilder, DrawingArea, DrawingBackend};
use plotters::style::text_anchor::{HPos, VPos};
use plotters::style::RGBColor;

use super::frame::{put_text, text_size};
use super::render::Ctx;
use super::theme::{Theme, TickFormat, GRID, INK};
use super::ChartError;

/// A chart with `f64` axes.
pub(crate) type Chart2<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// Smallest and largest finite value, if any.
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

/// Like [`padded`] but the low end stays at zero when all values are
/// non-negative (counts, rates, durations start at zero).
pub(crate) fn from_zero(r: Option<(f64, f64)>, frac: f64) -> (f64, f64) {
    match r {
        Some((lo, hi)) if lo >= 0.0 => {
            let hi = if hi <= 0.0 { 1.0 } else { hi };
            (0.0, hi + hi * frac)
        }
        other => padded(other, frac, (0.0, 1.0)),
    }
}

/// Ticks of one axis.
pub(crate) enum Ticks {
    /// Up to this many "nice" ticks with grid lines.
    Auto(usize),
    /// Exactly these labels at these positions, no grid lines.
    Custom(Vec<(f64, String)>),
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
        }
    }
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

fn labels_of(range: (f64, f64), ticks: &Ticks, fmt: &TickFormat) -> Vec<String> {
    match ticks {
        Ticks::Auto(n) => auto_ticks(range, *n).into_iter().map(|v| fmt.format(v)).collect(),
        Ticks::Custom(v) => v.iter().map(|(_, s)| s.clone()).collect(),
    }
}

fn format_of(range: (f64, f64), ticks: &Ticks) -> TickFormat {
    match ticks {
        Ticks::Auto(n) => TickFormat::for_ticks(&auto_ticks(range, *n)),
        Ticks::Custom(_) => TickFormat::for_ticks(&[]),
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
    let x_area = if axes.hide_x_labels {
        tick_len + t.px(4.0)
    } else {
        let desc_h = if axes.x_desc.is_empty() {
            0
        } else {
            desc_h + t.px(10.0)
        };
        2 * tick_len + tick_h + desc_h + t.px(4.0)
    };

    let mut b = ChartBuilder::on(area);
    b.x_label_area_size(x_area).y_label_area_size(y_area);
    b.margin_right(t.px(14.0)).margin_top(t.px(12.0));
    if let Some(c) = axes.caption {
        b.caption(c, t.caption_font());
    }
    let mut chart = b.build_cartesian_2d(axes.x.0..axes.x.1, axes.y.0..axes.y.1)?;

    let hide = axes.hide_x_labels;
    let fx = |v: &f64| if hide { String::new() } else { x_fmt.format(*v) };
    let fy = |v: &f64| y_fmt.format(*v);
    let n = |ticks: &Ticks| match ticks {
        Ticks::Auto(n) => *n,
        Ticks::Custom(_) => 0,
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

    if let Ticks::Custom(v) = &axes.x_ticks {
        for (x, s) in v {
            let (px, py) = chart.backend_coord(&(*x, axes.y.0));
            root.draw(&PathElement::new(
                vec![(px, py), (px, py + tick_len)],
                t.line(INK, 1.2),
            ))?;
            put_text(root, s, (px, py + 2 * tick_len), &tick, HPos::Center, VPos::Top)?;
        }
    }
    if let Ticks::Custom(v) = &axes.y_ticks {
        for (y, s) in v {
            let (px, py) = chart.backend_coord(&(axes.x.0, *y));
            root.draw(&PathElement::new(
                vec![(px - tick_len, py), (px, py)],
                t.line(INK, 1.2),
            ))?;
            put_text(root, s, (px - 2 * tick_len, py), &tick, HPos::Right, VPos::Center)?;
        }
    }
    Ok(chart)
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

/// Marker shapes; filled except the cross.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    Circle,
    Square,
    Triangle,
    Diamond,
    Cross,
}

/// Shapes in the order lines are assigned them.
pub(crate) const SHAPES: [Shape; 4] = [Shape::Circle, Shape::Square, Shape::Triangle, Shape::Diamond];

/// Draws a marker centred on `c` (absolute pixels).
pub(crate) fn marker<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    (x, y): (i32, i32),
    shape: Shape,
    color: RGBColor,
    t: &Theme,
) -> Result<(), ChartError> {
    let r = t.px(5.0);
    let fill = t.fill(color, 1.0);
    match shape {
        Shape::Circle => root.draw(&Circle::new((x, y), r, fill))?,
        Shape::Square => {
            let s = t.px(4.5);
            root.draw(&Polygon::new(
                vec![(x - s, y - s), (x + s, y - s), (x + s, y + s), (x - s, y + s)],
                fill,
            ))?
        }
        Shape::Triangle => {
            let s = t.px(6.0);
            root.draw(&Polygon::new(
                vec![(x, y - s), (x + s, y + s * 3 / 4), (x - s, y + s * 3 / 4)],
                fill,
            ))?
        }
        Shape::Diamond => {
            let s = t.px(6.0);
            root.draw(&Polygon::new(
                vec![(x, y - s), (x + s, y), (x, y + s), (x - s, y)],
                fill,
            ))?
        }
        Shape::Cross => {
            let s = t.px(4.5);
            let st = t.line(color, 2.2);
            root.draw(&PathElement::new(vec![(x - s, y - s), (x + s, y + s)], st))?;
            root.draw(&PathElement::new(vec![(x - s, y + s), (x + s, y - s)], st))?;
        }
    }
    Ok(())
}

/// Drops consecutive points that land on the same pixel: lossless at this
/// resolution, and keeps a CDF of 100 000 writes from becoming a 5 MB SVG.
pub(crate) fn dedup_px(mut px: Vec<(i32, i32)>) -> Vec<(i32, i32)> {
    px.dedup();
    px
}

/// Draws the data polyline `pts` on `chart`'s axes, skipping non-finite
/// points (the line breaks there), solid or dashed.
pub(crate) fn data_line<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    chart: &Chart2<'_, DB>,
    pts: &[(f64, f64)],
    style: plotters::style::ShapeStyle,
    dashed: bool,
    t: &Theme,
) -> Result<(), ChartError> {
    for run in pts.split(|(x, y)| !x.is_finite() || !y.is_finite()) {
        let px = dedup_px(run.iter().map(|p| chart.backend_coord(p)).collect());
        if px.len() < 2 {
            continue;
        }
        if dashed {
            dashed_path(root, &px, style, t)?;
        } else {
            root.draw(&PathElement::new(px, style))?;
        }
    }
    Ok(())
}

/// Draws a dashed polyline through `pts` (absolute pixels): 7 on, 4 off at 1×.
pub(crate) fn dashed_path<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    pts: &[(i32, i32)],
    style: plotters::style::ShapeStyle,
    t: &Theme,
) -> Result<(), ChartError> {
    let (on, off) = (7.0 * t.scale, 4.0 * t.scale);
    let mut dash: Vec<(f64, f64)> = Vec::new();
    let mut pos = 0.0; // position within the current on+off period
    for w in pts.windows(2) {
        let (a, b) = (
            (f64::from(w[0].0), f64::from(w[0].1)),
            (f64::from(w[1].0), f64::from(w[1].1)),
        );
        let len = ((b.0 - a.0).powi(2) + (b.1 - a.1).powi(2)).sqrt();
        let mut done = 0.0;
        while done < len {
            let at = |d: f64| (a.0 + (b.0 - a.0) * d / len, a.1 + (b.1 - a.1) * d / len);
            let in_on = pos < on;
            let step = (if in_on { on - pos } else { on + off - pos }).min(len - done);
            if in_on {
                if dash.is_empty() {
                    dash.push(at(done));
                }
                dash.push(at(done + step));
            }
            done += step;
            pos += step;
            if pos >= on && !dash.is_empty() {
                flush(root, &mut dash, style)?;
            }
            if pos >= on + off {
                pos = 0.0;
            }
        }
    }
    flush(root, &mut dash, style)
}

fn flush<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    dash: &mut Vec<(f64, f64)>,
    style: plotters::style::ShapeStyle,
) -> Result<(), ChartError> {
    if dash.len() >= 2 {
        let pts: Vec<(i32, i32)> = dash
            .iter()
            .map(|(x, y)| (x.round() as i32, y.round() as i32))
            .collect();
        root.draw(&PathElement::new(pts, style))?;
    }
    dash.clear();
    Ok(())
}

/// Vertical error bar with caps from `lo` to `hi` at pixel column `x`.
pub(crate) fn error_bar<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    x: i32,
    (lo, hi): (i32, i32),
    color: RGBColor,
    t: &Theme,
) -> Result<(), ChartError> {
    let st = t.line(color, 1.5);
    let c = t.px(4.0);
    root.draw(&PathElement::new(vec![(x, lo), (x, hi)], st))?;
    root.draw(&PathElement::new(vec![(x - c, lo), (x + c, lo)], st))?;
    root.draw(&PathElement::new(vec![(x - c, hi), (x + c, hi)], st))?;
    Ok(())
}

/// Filled arrow head with its tip at `to`, pointing away from `from` (pixels).
pub(crate) fn arrow_head<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    from: (i32, i32),
    to: (i32, i32),
    color: RGBColor,
    t: &Theme,
) -> Result<(), ChartError> {
    let (dx, dy) = (f64::from(to.0 - from.0), f64::from(to.1 - from.1));
    let len = (dx * dx + dy * dy).sqrt();
    if len < 1.0 {
        return Ok(());
    }
    let (ux, uy) = (dx / len, dy / len);
    let (l, w) = (11.0 * t.scale, 4.5 * t.scale);
    let base = (f64::from(to.0) - ux * l, f64::from(to.1) - uy * l);
    let p = |x: f64, y: f64| (x.round() as i32, y.round() as i32);
    let pts = vec![
        to,
        p(base.0 - uy * w, base.1 + ux * w),
        p(base.0 + uy * w, base.1 - ux * w),
    ];
    root.draw(&Polygon::new(pts, t.fill(color, 1.0)))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn ranges_are_never_degenerate() {
        assert_eq!(padded(Some((2.0, 2.0)), 0.05, (0.0, 1.0)), (1.8, 2.2));
        assert_eq!(padded(None, 0.05, (0.0, 1.0)), (0.0, 1.0));
        assert_eq!(from_zero(Some((0.0, 0.0)), 0.0), (0.0, 1.0));
        assert_eq!(from_zero(Some((1.0, 10.0)), 0.1), (0.0, 11.0));
    }
}
