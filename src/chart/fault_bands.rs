//! Network faults shaded behind a time-series panel (bandwidth, staleness),
//! drawn as in the space-time diagram: a grey band for as long as a
//! partition, cut or isolation is in force, orange hatching for as long as
//! a degradation lasts, so a change in a curve can be read against its cause.
//!
//! The bands go under the data; their labels go in a lane above the plot
//! ([`lane_height`], kept free by [`super::draw::Axes::lane`]), each over a
//! thin bar spanning its fault's time, so that no label covers a curve. A
//! label starts at its band (or, with no room to the right, ends at the
//! band's end), stays inside the plot's width (shortened with "…" when
//! wider), and takes the first row of the lane where it and its bar touch
//! nothing already placed.
//!
//! A plot over a window of the run (`chart --from/--to`) shows the faults
//! in force in it, clipped to it; one in force at its left edge is
//! labelled with its start, `◂ partition a | b (from 2s)`, as in the
//! space-time diagram.

use plotters::coord::Shift;
use plotters::element::Rectangle;
use plotters::prelude::{DrawingArea, DrawingBackend};
use plotters::style::text_anchor::{HPos, VPos};
use plotters::style::Color;

use super::draw::{Chart2, Usable};
use super::frame::{put_text, text_size};
use super::marks::{hatch, HATCH_GAP};
use super::spacetime::{BAND_ALPHA, DEGRADED, HATCH_ALPHA};
use super::theme::{Theme, BLACK};
use super::{ChartError, SpacetimeFault};

/// Most rows of the lane; a label that fits in none goes in the last.
const LANE_ROWS: usize = 5;
/// Height of the bar under a label, at 1× scale.
const BAR: f64 = 3.0;
/// Opacity of a partition's bar in the lane (its band is lighter).
const BAR_ALPHA: f64 = 0.45;

/// The network faults of `faults`: start and end (s), label, degraded.
fn networks(faults: &[SpacetimeFault]) -> impl Iterator<Item = (f64, f64, &str, bool)> {
    faults.iter().filter_map(|f| match f {
        SpacetimeFault::Network {
            from_s,
            to_s,
            label,
            degraded,
        } if from_s.usable() => Some((*from_s, *to_s, label.as_str(), *degraded)),
        _ => None,
    })
}

/// Height (px at 1× scale) to add to a figure `width` pixels wide for the
/// lane of `faults`, enough for a row per network fault up to
/// [`LANE_ROWS`], so that the lane does not shrink the plot (rows the lane
/// does not use go to the plot). `grows`: the figure's sizes grow with its
/// width ([`Theme::for_width`]).
pub(crate) fn extra_height(faults: &[SpacetimeFault], width: u32, grows: bool) -> u32 {
    let t = if grows {
        Theme::for_width(1.0, width)
    } else {
        Theme::for_width(1.0, 0)
    };
    match networks(faults).count().min(LANE_ROWS) {
        0 => 0,
        rows => (rows as i32 * (t.px(17.0) + t.px(BAR) + t.px(4.0)) + t.px(6.0)) as u32,
    }
}

/// Height of one lane row: a label and its bar.
fn row_height<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, t: &Theme) -> i32 {
    text_size(root, "Ag", &t.small_font()).1 + t.px(BAR) + t.px(4.0)
}

/// The labels of a plot's network faults, laid out in a lane above it
/// before the plot is drawn (so that it is built with room for exactly
/// the rows they take).
#[derive(Debug, Default)]
pub(crate) struct Lane {
    /// Per network fault shown, in order: its label (shortened to fit)
    /// and its row.
    labels: Vec<(String, usize)>,
    /// Room (px) to leave above the plot ([`super::draw::Axes::lane`]).
    pub(crate) height: i32,
}

/// Where a label of width `w` goes for a band from pixel `x0` to `x1` in a
/// plot spanning `cols`: from the band's start, else ending at its end,
/// else as far right as it fits. Returns the label's left edge.
fn label_left(x0: i32, x1: i32, w: i32, cols: (i32, i32), pad: i32) -> i32 {
    let (left, right) = (cols.0 + pad, cols.1 - pad);
    if x0 + w <= right {
        x0
    } else if x1 - w >= left {
        x1 - w
    } else {
        (right - w).max(left)
    }
}

/// The pixel column of time `s` in a plot spanning `cols` for times `x`.
fn column(s: f64, x: (f64, f64), cols: (i32, i32)) -> i32 {
    let span = (x.1 - x.0).max(f64::MIN_POSITIVE);
    cols.0 + ((s - x.0) / span * f64::from(cols.1 - cols.0)).round() as i32
}

/// The network faults of `faults` in force at some time of the range `x`
/// (s): those that start by its end and do not end before its start.
fn shown(faults: &[SpacetimeFault], x: (f64, f64)) -> impl Iterator<Item = (f64, f64, &str, bool)> {
    networks(faults).filter(move |f| f.0 <= x.1 && (f.1 >= x.0 || f.1.is_nan()))
}

/// The label of a fault from `from_s` with text `label` in a plot of the
/// time range `x`: with `window` (the plot shows a window of the run), a
/// fault that began before it says when, `◂ partition a | b (from 2s)`.
fn label_text(label: &str, from_s: f64, x: (f64, f64), window: bool) -> String {
    if window && from_s < x.0 {
        format!("◂ {label} (from {})", super::spacetime::seconds(from_s))
    } else {
        label.to_string()
    }
}

/// Lays out the labels of `faults`' network faults (others are ignored)
/// in force in the time range `x` (s), for a plot that will span the
/// pixel columns `cols` ([`super::draw::plot_columns`]): each in the first
/// row where it and its bar touch nothing already placed. `window`: `x` is
/// a window of the run (`chart --from/--to`), so a fault that began before
/// it is labelled with its start.
pub(crate) fn plan_lane<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    t: &Theme,
    faults: &[SpacetimeFault],
    x: (f64, f64),
    cols: (i32, i32),
    window: bool,
) -> Lane {
    let font = t.small_font();
    let pad = t.px(3.0);
    let mut rows: Vec<Vec<(i32, i32)>> = Vec::new();
    let mut lane = Lane::default();
    for (from_s, to_s, label, _) in shown(faults, x) {
        let x0 = column(from_s.max(x.0), x, cols);
        let x1 = column(to_s.min(x.1), x, cols).max(x0 + 1);
        let label = label_text(label, from_s, x, window);
        let text = shorten(&label, cols.1 - cols.0 - 2 * pad, |s| text_size(root, s, &font).0);
        let w = text_size(root, &text, &font).0;
        let lx = label_left(x0, x1, w, cols, pad);
        let span = (lx.min(x0) - pad, (lx + w).max(x1) + pad);
        let free = |row: &Vec<(i32, i32)>| row.iter().all(|&(a, b)| span.1 <= a || b <= span.0);
        let row = match rows.iter().position(free) {
            Some(r) => r,
            None if rows.len() < LANE_ROWS => {
                rows.push(Vec::new());
                rows.len() - 1
            }
            None => LANE_ROWS - 1,
        };
        rows[row].push(span);
        lane.labels.push((text, row));
    }
    if !rows.is_empty() {
        lane.height = rows.len() as i32 * row_height(root, t) + t.px(4.0);
    }
    lane
}

/// Shades the [`SpacetimeFault::Network`] faults of `faults` (others are
/// ignored) in force in the time range `x` (s) over the height of
/// `chart`'s plot, clipped to `x`, grey for a partition, cut or isolation, orange hatching for a
/// degradation; with a `lane` (planned by [`plan_lane`] for the same
/// faults, range and plot), labels each over a bar in the lane above.
pub(crate) fn shade_network_faults<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    chart: &Chart2<'_, DB>,
    x: (f64, f64),
    faults: &[SpacetimeFault],
    t: &Theme,
    lane: Option<&Lane>,
) -> Result<(), ChartError> {
    let (xpix, ypix) = chart.plotting_area().get_pixel_range();
    let font = t.small_font();
    let pad = t.px(3.0);
    let row_h = row_height(root, t);
    for (i, (from_s, to_s, _, degraded)) in shown(faults, x).enumerate() {
        let (x0, _) = chart.backend_coord(&(from_s.max(x.0), 0.0));
        let (x1, _) = chart.backend_coord(&(to_s.min(x.1), 0.0));
        let x1 = x1.max(x0 + 1);
        if degraded {
            let style = plotters::style::ShapeStyle {
                color: DEGRADED.mix(HATCH_ALPHA),
                ..t.line(DEGRADED, 1.3)
            };
            hatch(root, (x0, ypix.start), (x1, ypix.end), style, t.px(HATCH_GAP))?;
        } else {
            root.draw(&Rectangle::new(
                [(x0, ypix.start), (x1, ypix.end)],
                t.fill(BLACK, BAND_ALPHA),
            ))?;
        }
        let Some((lane, (text, row))) = lane.and_then(|l| Some((l, l.labels.get(i)?))) else {
            continue;
        };
        let (w, h) = text_size(root, text, &font);
        let lx = label_left(x0, x1, w, (xpix.start, xpix.end), pad);
        let top = ypix.start - lane.height + *row as i32 * row_h;
        put_text(root, text, (lx, top), &font, HPos::Left, VPos::Top)?;
        let bar_top = top + h + t.px(1.0);
        let color = if degraded { DEGRADED } else { BLACK };
        root.draw(&Rectangle::new(
            [(x0, bar_top), (x1, bar_top + t.px(BAR))],
            t.fill(color, BAR_ALPHA),
        ))?;
    }
    Ok(())
}

/// `text`, or as much of it as fits in `room` pixels followed by "…"
/// (`width` measures a string).
fn shorten(text: &str, room: i32, width: impl Fn(&str) -> i32) -> String {
    if width(text) <= room {
        return text.to_string();
    }
    let chars: Vec<char> = text.chars().collect();
    (1..chars.len())
        .rev()
        .map(|keep| format!("{}…", chars[..keep].iter().collect::<String>()))
        .find(|s| width(s) <= room)
        .unwrap_or_else(|| "…".to_string())
}

#[cfg(test)]
mod tests {
    use super::shorten;

    #[test]
    fn a_label_too_wide_is_shortened_to_fit() {
        let width = |s: &str| 10 * s.chars().count() as i32;
        assert_eq!(shorten("partition a | b", 200, width), "partition a | b");
        assert_eq!(shorten("partition a | b", 60, width), "parti…");
        assert_eq!(shorten("partition", 5, width), "…");
    }
}
