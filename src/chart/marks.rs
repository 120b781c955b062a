//! Pixel-sized marks: marker shapes, dashed lines, error bars, arrow heads.
//!
//! All of these take absolute pixel positions on the root area and scale with
//! the theme, so a marker is the same size whatever the data range and the
//! PNG (2×) matches the SVG.

use plotters::coord::Shift;
use plotters::element::{Circle, PathElement, Polygon};
use plotters::prelude::{DrawingArea, DrawingBackend};
use plotters::style::{RGBColor, ShapeStyle};

use super::theme::Theme;
use super::ChartError;

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

/// How a line is stroked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dash {
    /// Unbroken.
    Solid,
    /// 7 on, 4 off at 1×.
    Dashed,
    /// 2 on, 3 off at 1×: dots at a thick stroke.
    Dotted,
}

impl Dash {
    /// The stroke of the `i`-th series drawn in [`super::theme::SERIES`]
    /// colours: solid for the first eight, then dashed, then dotted, so
    /// that 24 series differ (and then they repeat).
    pub(crate) fn of_series(i: usize) -> Dash {
        [Dash::Solid, Dash::Dashed, Dash::Dotted][(i / super::theme::SERIES.len()) % 3]
    }
}

/// Draws a dashed or dotted polyline through `pts` (absolute pixels).
pub(crate) fn dashed_path<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    pts: &[(i32, i32)],
    style: ShapeStyle,
    dash: Dash,
    t: &Theme,
) -> Result<(), ChartError> {
    let (on, off) = match dash {
        Dash::Dotted => (2.0 * t.scale, 3.0 * t.scale),
        _ => (7.0 * t.scale, 4.0 * t.scale),
    };
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
    style: ShapeStyle,
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

/// Vertical error bar with caps from `lo` to `hi` at pixel column `x`;
/// without a cap at `lo` when `cut` (the interval goes on past the axis).
pub(crate) fn error_bar<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    x: i32,
    ends: (i32, i32),
    cut: bool,
    color: RGBColor,
    t: &Theme,
) -> Result<(), ChartError> {
    capped(root, ends, cut, color, t, |along, across| (x + across, along))
}

/// Horizontal error bar with caps from `lo` to `hi` at pixel row `y`;
/// without a cap at `lo` when `cut`.
pub(crate) fn error_bar_h<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    y: i32,
    ends: (i32, i32),
    cut: bool,
    color: RGBColor,
    t: &Theme,
) -> Result<(), ChartError> {
    capped(root, ends, cut, color, t, |along, across| (along, y + across))
}

/// Half the width of an error bar's caps at 1× scale.
pub(crate) const CAP: f64 = 4.0;

/// An interval `(lo, hi)` of a quantity that cannot be negative, on an
/// axis starting at `floor`: cut to start there, and whether it was cut.
pub(crate) fn cut_at(floor: f64, (lo, hi): (f64, f64)) -> ((f64, f64), bool) {
    if lo < floor {
        ((floor, hi.max(floor)), true)
    } else {
        ((lo, hi), false)
    }
}

/// A capped bar from `lo` to `hi` along one axis (no cap at `lo` when
/// `cut`); `at(along, across)` is the pixel of a position along the bar
/// and an offset across it.
fn capped<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    (lo, hi): (i32, i32),
    cut: bool,
    color: RGBColor,
    t: &Theme,
    at: impl Fn(i32, i32) -> (i32, i32),
) -> Result<(), ChartError> {
    let st = t.line(color, 1.5);
    let c = t.px(CAP);
    root.draw(&PathElement::new(vec![at(lo, 0), at(hi, 0)], st))?;
    if !cut {
        root.draw(&PathElement::new(vec![at(lo, -c), at(lo, c)], st))?;
    }
    root.draw(&PathElement::new(vec![at(hi, -c), at(hi, c)], st))?;
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
    let (l, w) = (HEAD_LEN * t.scale, 4.5 * t.scale);
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

/// Length of an [`arrow_head`] at 1× (px).
const HEAD_LEN: f64 = 11.0;

/// The pixel box [`arrow_head`] covers for an arrow from `from` to `to`
/// (a square around the head's middle), for labels to avoid.
pub(crate) fn head_box(from: (i32, i32), to: (i32, i32), t: &Theme) -> (i32, i32, i32, i32) {
    let (dx, dy) = (f64::from(to.0 - from.0), f64::from(to.1 - from.1));
    let len = (dx * dx + dy * dy).sqrt().max(1.0);
    let l = HEAD_LEN * t.scale;
    let mid = (
        f64::from(to.0) - dx / len * l / 2.0,
        f64::from(to.1) - dy / len * l / 2.0,
    );
    let r = l / 2.0 + 1.0;
    (
        (mid.0 - r).floor() as i32,
        (mid.1 - r).floor() as i32,
        (mid.0 + r).ceil() as i32,
        (mid.1 + r).ceil() as i32,
    )
}

/// Distance between the lines of [`hatch`] at 1× (px).
pub(crate) const HATCH_GAP: f64 = 9.0;

/// Diagonal hatching ("/" lines `gap` pixels apart) over the rectangle from
/// `(x0, y0)` to `(x1, y1)` (absolute pixels). The lines are the diagonals
/// `x + y = k · gap` of the whole page, so rectangles side by side continue
/// each other's hatching.
pub(crate) fn hatch<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    (x0, y0): (i32, i32),
    (x1, y1): (i32, i32),
    style: ShapeStyle,
    gap: i32,
) -> Result<(), ChartError> {
    let gap = gap.max(2);
    let (x0, x1) = (x0.min(x1), x0.max(x1));
    let (y0, y1) = (y0.min(y1), y0.max(y1));
    let mut k = (x0 + y0).div_euclid(gap) * gap;
    while k <= x1 + y1 {
        // The part of the line x + y = k inside the rectangle.
        let (lo, hi) = (x0.max(k - y1), x1.min(k - y0));
        if lo < hi {
            root.draw(&PathElement::new(vec![(lo, k - lo), (hi, k - hi)], style))?;
        }
        k += gap;
    }
    Ok(())
}
