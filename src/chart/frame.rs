//! The page around every chart: title, legend band, provenance footer.
//!
//! The legend is drawn in its own band under the title, never inside the plot,
//! so it cannot cover data; entries flow left to right and wrap. Charts draw
//! their panels into the body area [`page`] returns.

use plotters::coord::Shift;
use plotters::element::{Circle, PathElement, Rectangle, Text};
use plotters::prelude::{DrawingArea, DrawingBackend};
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{Color, RGBColor, ShapeStyle, TextStyle, WHITE};

use super::marks::{arrow_head, dashed_path, error_bar, hatch, marker, Dash, Shape, HATCH_GAP};
use super::render::Ctx;
use super::theme::Theme;
use super::{ChartError, Provenance};

/// Outer margin of the page at 1× scale.
pub(crate) const MARGIN: f64 = 12.0;

/// How a legend entry is drawn.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Mark {
    /// A line sample, solid, dashed or dotted.
    Line { color: RGBColor, dash: Dash },
    /// A shaded band sample.
    Band { color: RGBColor, alpha: f64 },
    /// A marker shape alone.
    Marker { color: RGBColor, shape: Shape },
    /// A line with a marker on it.
    LineMarker {
        color: RGBColor,
        shape: Shape,
        dash: Dash,
    },
    /// An arrow ending in a cross (a dropped message).
    Dropped { color: RGBColor },
    /// An arrow (a delivered message).
    Arrow { color: RGBColor },
    /// A vertical error bar with caps.
    ErrorBar { color: RGBColor },
    /// An open circle (a hollow dot).
    Ring { color: RGBColor },
    /// A hatched band sample: "/" lines of `color` at opacity `alpha`.
    Hatch { color: RGBColor, alpha: f64 },
    /// A number, as a chart writes next to a point it keys in the legend.
    Number(u32),
}

/// One legend entry.
#[derive(Debug, Clone)]
pub(crate) struct LegendEntry {
    /// Text next to the sample.
    pub(crate) label: String,
    /// The sample.
    pub(crate) mark: Mark,
}

impl LegendEntry {
    pub(crate) fn new(label: impl Into<String>, mark: Mark) -> Self {
        LegendEntry {
            label: label.into(),
            mark,
        }
    }
}

/// Text size in pixels; zero when the font cannot measure it.
pub(crate) fn text_size<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    text: &str,
    style: &TextStyle<'_>,
) -> (i32, i32) {
    area.estimate_text_size(text, style)
        .map_or((0, 0), |(w, h)| (w as i32, h as i32))
}

/// Draws `text` with its `h`/`v` anchor at `pos` (absolute pixels on `root`).
pub(crate) fn put_text<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    text: &str,
    pos: (i32, i32),
    style: &TextStyle<'_>,
    h: HPos,
    v: VPos,
) -> Result<(), ChartError> {
    let style = style.pos(Pos::new(h, v));
    root.draw(&Text::new(text.to_string(), pos, &style))?;
    Ok(())
}

/// Draws title, legend and footer; returns the area left for the plot(s).
pub(crate) fn page<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    ctx: &Ctx<'_>,
    chart_name: &str,
    legend: &[LegendEntry],
) -> Result<DrawingArea<DB, Shift>, ChartError> {
    page_with_notes(root, ctx, chart_name, legend, &[])
}

/// Most lines [`note_list`] takes.
pub(crate) const NOTE_LIST_LINES: usize = 4;

/// `head: a; b; c` as note lines of at most `width` pixels in `font`,
/// every item named, wrapped between items onto up to [`NOTE_LIST_LINES`]
/// lines; only past those are the rest counted (`…; 3 more`). An item too
/// wide for a line gets a line of its own.
pub(crate) fn note_list<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    font: &TextStyle<'_>,
    head: &str,
    items: &[String],
    width: i32,
) -> Vec<String> {
    let fits = |s: &str| text_size(root, s, font).0 <= width;
    let mut lines: Vec<String> = Vec::new();
    let mut line = format!("{head}:");
    let mut empty = true;
    for (k, item) in items.iter().enumerate() {
        let rest = items.len() - k - 1;
        let piece = if rest == 0 {
            item.clone()
        } else {
            format!("{item};")
        };
        let joined = format!("{line} {piece}");
        let on_last_line = lines.len() + 1 == NOTE_LIST_LINES;
        // On the last line there must be room left for the count of the rest.
        let ok = fits(&joined) && (!on_last_line || rest == 0 || fits(&format!("{joined} {rest} more")));
        if ok || empty {
            line = joined;
            empty = false;
        } else if on_last_line {
            line.push_str(&format!(" {} more", rest + 1));
            lines.push(line);
            return lines;
        } else {
            lines.push(std::mem::replace(&mut line, piece));
        }
    }
    lines.push(line);
    lines
}

/// [`page`] with `notes` under the plot, one line each, left-aligned above
/// the footer (what the plot leaves out or qualifies, e.g. points with no
/// value).
pub(crate) fn page_with_notes<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    ctx: &Ctx<'_>,
    chart_name: &str,
    legend: &[LegendEntry],
    notes: &[String],
) -> Result<DrawingArea<DB, Shift>, ChartError> {
    let t = &ctx.theme;
    let (w, h) = root.dim_in_pixel();
    let (w, h) = (w as i32, h as i32);
    let m = t.px(MARGIN);

    let title_font = t.title_font();
    let title = fit_title(root, &ctx.prov.scenario, chart_name, &title_font, w - 2 * m);
    let (_, title_h) = text_size(root, &title, &title_font);
    put_text(root, &title, (m, m), &title_font, HPos::Left, VPos::Top)?;
    let mut top = m + title_h + t.px(10.0);

    if !legend.is_empty() {
        top = draw_legend(root, ctx, legend, (m, top), w - 2 * m)? + t.px(6.0);
    }

    let footer_font = t.footer_font();
    let mut footer = ctx.prov.footer();
    let mut notes = notes.to_vec();
    // Settings too long for the footer line get a note line of their own.
    if text_size(root, &footer, &footer_font).0 > w - 2 * m {
        if let Some(fixed) = ctx.prov.fixed_note() {
            let bare = Provenance {
                fixed: String::new(),
                ..ctx.prov.clone()
            };
            footer = bare.footer();
            notes.push(fixed);
        }
    }
    let (_, foot_h) = text_size(root, &footer, &footer_font);
    let foot_y = h - t.px(6.0);
    put_text(
        root,
        &footer,
        (w - m, foot_y),
        &footer_font,
        HPos::Right,
        VPos::Bottom,
    )?;
    let mut bottom = foot_y - foot_h - t.px(4.0);
    let note_font = t.note_font();
    for note in notes.iter().rev() {
        let (_, note_h) = text_size(root, note, &note_font);
        put_text(root, note, (m, bottom), &note_font, HPos::Left, VPos::Bottom)?;
        bottom -= note_h + t.px(3.0);
    }

    Ok(root.margin(top, h - bottom, m, m))
}

/// "scenario: chart", shortening the scenario name with "…" if the line
/// would not fit in `width` pixels.
fn fit_title<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    scenario: &str,
    chart_name: &str,
    font: &TextStyle<'_>,
    width: i32,
) -> String {
    let full = format!("{scenario}: {chart_name}");
    if text_size(root, &full, font).0 <= width {
        return full;
    }
    let chars: Vec<char> = scenario.chars().collect();
    for keep in (1..chars.len()).rev() {
        let short: String = chars[..keep].iter().collect();
        let title = format!("{short}…: {chart_name}");
        if text_size(root, &title, font).0 <= width {
            return title;
        }
    }
    chart_name.to_string()
}

/// Where each legend entry goes, `(row, x offset)`, and the legend's height,
/// for `entries` in `width` pixels. The entries fill rows of as many columns
/// as fit, each column as wide as its widest entry, so that rows line up
/// (one row when all fit); when that takes more rows than filling each row
/// as far as it goes (a long entry), the rows are filled that way instead.
fn legend_layout<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    t: &Theme,
    entries: &[LegendEntry],
    width: i32,
) -> (Vec<(usize, i32)>, i32) {
    let font = t.legend_font();
    let sample_w = t.px(30.0);
    let gap = t.px(7.0);
    let spacing = t.px(22.0);
    let (_, row_h) = text_size(root, "Ag", &font);
    let row_step = row_h + t.px(8.0);
    let item_w: Vec<i32> = entries
        .iter()
        .map(|e| sample_w + gap + text_size(root, &e.label, &font).0)
        .collect();
    let column_widths = |cols: usize| -> Vec<i32> {
        (0..cols)
            .map(|c| item_w.iter().skip(c).step_by(cols).copied().max().unwrap_or(0))
            .collect()
    };
    let fits = |w: &[i32]| w.iter().sum::<i32>() + spacing * (w.len() as i32 - 1) <= width;
    let mut cols = entries.len().max(1);
    while cols > 1 && !fits(&column_widths(cols)) {
        cols -= 1;
    }
    let widths = column_widths(cols);
    let grid: Vec<(usize, i32)> = (0..entries.len())
        .map(|i| (i / cols, widths[..i % cols].iter().map(|w| w + spacing).sum()))
        .collect();
    let mut flowing: Vec<(usize, i32)> = Vec::new();
    let (mut row, mut x) = (0, 0);
    for &w in &item_w {
        if x > 0 && x + w > width {
            (row, x) = (row + 1, 0);
        }
        flowing.push((row, x));
        x += w + spacing;
    }
    let rows = |at: &[(usize, i32)]| at.last().map_or(0, |p| p.0) + 1;
    let at = if rows(&grid) <= rows(&flowing) {
        grid
    } else {
        flowing
    };
    let height = (rows(&at) as i32 - 1) * row_step + row_h;
    (at, height)
}

/// How much taller than [`LEGEND_ROOM`] rows the legend of `entries` is on
/// a page `width` pixels wide at 1× scale: what a figure adds to its height
/// so that a long legend (a sweep of many points) leaves the plot its size.
pub(crate) fn legend_overflow<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    t: &Theme,
    entries: &[LegendEntry],
    width: i32,
) -> i32 {
    if entries.is_empty() {
        return 0;
    }
    let (_, height) = legend_layout(root, t, entries, width - 2 * t.px(MARGIN));
    let (_, row_h) = text_size(root, "Ag", &t.legend_font());
    let room = LEGEND_ROOM * (row_h + t.px(8.0)) - t.px(8.0);
    (height - room).max(0)
}

/// Legend rows every figure's default height leaves room for.
const LEGEND_ROOM: i32 = 3;

/// Lays out and draws the legend starting at `origin`; returns the y below it.
fn draw_legend<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    ctx: &Ctx<'_>,
    entries: &[LegendEntry],
    origin: (i32, i32),
    width: i32,
) -> Result<i32, ChartError> {
    let t = &ctx.theme;
    let font = t.legend_font();
    let sample_w = t.px(30.0);
    let gap = t.px(7.0);
    let (_, row_h) = text_size(root, "Ag", &font);
    let row_step = row_h + t.px(8.0);
    let (at, height) = legend_layout(root, t, entries, width);
    for (e, &(row, dx)) in entries.iter().zip(&at) {
        let x = origin.0 + dx;
        let y = origin.1 + row as i32 * row_step;
        let cy = y + row_h / 2;
        draw_sample(root, ctx, e.mark, (x, cy), sample_w)?;
        put_text(
            root,
            &e.label,
            (x + sample_w + gap, cy),
            &font,
            HPos::Left,
            VPos::Center,
        )?;
    }
    Ok(origin.1 + height)
}

fn draw_sample<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    ctx: &Ctx<'_>,
    mark: Mark,
    (x, cy): (i32, i32),
    w: i32,
) -> Result<(), ChartError> {
    let t = &ctx.theme;
    let line = |color: RGBColor, dash: Dash| -> Result<(), ChartError> {
        let pts = vec![(x, cy), (x + w, cy)];
        if dash != Dash::Solid {
            dashed_path(root, &pts, t.line(color, 2.5), dash, t)
        } else {
            root.draw(&PathElement::new(pts, t.line(color, 2.5)))?;
            Ok(())
        }
    };
    match mark {
        Mark::Line { color, dash } => line(color, dash)?,
        Mark::Band { color, alpha } => {
            let hh = t.px(7.0);
            root.draw(&Rectangle::new(
                [(x, cy - hh), (x + w, cy + hh)],
                t.fill(color, alpha),
            ))?;
        }
        Mark::Marker { color, shape } => marker(root, (x + w / 2, cy), shape, color, t)?,
        Mark::LineMarker { color, shape, dash } => {
            line(color, dash)?;
            marker(root, (x + w / 2, cy), shape, color, t)?;
        }
        Mark::Dropped { color } => {
            let end = (x + w - t.px(6.0), cy);
            root.draw(&PathElement::new(vec![(x, cy), end], t.line(color, 1.8)))?;
            marker(root, end, Shape::Cross, color, t)?;
        }
        Mark::Arrow { color } => {
            root.draw(&PathElement::new(vec![(x, cy), (x + w, cy)], t.line(color, 1.8)))?;
            arrow_head(root, (x, cy), (x + w, cy), color, t)?;
        }
        Mark::ErrorBar { color } => {
            let hh = t.px(8.0);
            error_bar(root, x + w / 2, (cy + hh, cy - hh), false, color, t)?;
        }
        Mark::Ring { color } => {
            let (c, r) = ((x + w / 2, cy), t.px(3.5));
            root.draw(&Circle::new(c, r, t.fill(WHITE, 1.0)))?;
            root.draw(&Circle::new(c, r, t.line(color, 1.4)))?;
        }
        Mark::Number(n) => {
            let font = t.legend_font();
            put_text(
                root,
                &n.to_string(),
                (x + w / 2, cy),
                &font,
                HPos::Center,
                VPos::Center,
            )?;
        }
        Mark::Hatch { color, alpha } => {
            let hh = t.px(7.0);
            let style = ShapeStyle {
                color: color.mix(alpha),
                ..t.line(color, 1.3)
            };
            hatch(root, (x, cy - hh), (x + w, cy + hh), style, t.px(HATCH_GAP))?;
        }
    }
    Ok(())
}
