//! Space-time (Lamport) diagram of a small run, drawn like a textbook figure.
//!
//! One horizontal line per node ("n0" at the top), time to the right (in
//! milliseconds, or seconds once the axis reaches a second), each message an arrow from (send time, sender) to (receive time,
//! receiver) coloured by kind. A message dropped on arrival (a partition, a
//! crashed receiver) is an arrow to its receiver's line at the drop time
//! that ends in an "×"; one lost in the network heads for its receiver
//! (with the median latency) and stops in an "×" half a row away from its
//! sender, so it never ends on another node's line. Events are
//! dots on their node's line, writes are squares, the sending or receipt of
//! a message whose other end is not drawn an open circle; an event's
//! optional text (typically its vector clock, "[2,1]") is placed above or
//! below its dot, clear of arrows, arrow heads and other labels, farther
//! out with a leader line when the near spots are taken; events at one
//! instant on one node share a dot and one label, their texts in order
//! ("[2,1]→[2,2]": a receipt, then the reply's send). Faults are drawn behind the
//! messages: a partition or cut as a grey band across every line for as
//! long as it is in force, a degradation as orange hatching (so a partition
//! under it still shows), each labelled in a lane of its own above the
//! lines; a node that is down (crash to restart) as a grey bar over its
//! line; a clock step as a diamond on the line. The lines may be any subset
//! of a run's nodes (each named by its label) and the time axis a chosen
//! window: a fault that began before the window is shaded from its left
//! edge and its label says so ("◂ partition 0 | 1 (from 0.5s)"). Input
//! times are in seconds, like every other chart input.

use plotters::coord::Shift;
use plotters::element::{Circle, PathElement, Rectangle};
use plotters::prelude::{DrawingArea, DrawingBackend};
use plotters::style::text_anchor::{HPos, VPos};
use plotters::style::{Color, RGBColor, ShapeStyle, WHITE};

use super::draw::{build, no_data, span, Axes, Ticks, Usable};
use super::frame::{page, put_text, text_size, LegendEntry, Mark};
use super::label::{leader, Placer, ABOVE_FIRST};
use super::marks::{arrow_head, hatch, head_box, marker, Shape, HATCH_GAP};
use super::render::{render, Ctx, Figure};
use super::theme::{KindColors, Theme, BLACK, GREY, INK, MUTED, ORANGE};
use super::{ChartError, ImageFormat, Provenance, Rendered};

/// Most nodes a space-time diagram draws.
pub const MAX_NODES: usize = 32;
/// Most messages a space-time diagram draws.
pub const MAX_MESSAGES: usize = 2_000;
/// Most events a space-time diagram draws.
pub const MAX_EVENTS: usize = 5_000;

/// Something that happened at one node.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SpacetimeEvent {
    /// Node index, `< SpacetimeData::nodes`.
    pub node: usize,
    /// Simulated time (s).
    pub time_s: f64,
    /// Short text printed next to the event, e.g. its vector clock `"[2,1]"`;
    /// empty for none.
    pub label: String,
    /// Whether the event is a local write (drawn as a square, not a dot).
    pub write: bool,
    /// Whether the event sends or receives a message whose other end is a
    /// node not drawn (drawn as an open circle, without an arrow).
    pub hidden_peer: bool,
}

/// One message between two nodes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SpacetimeMessage {
    /// Sender index.
    pub from: usize,
    /// Receiver index.
    pub to: usize,
    /// Send time (s).
    pub send_s: f64,
    /// Receive time (s), `None` if the message was dropped.
    pub recv_s: Option<f64>,
    /// For a dropped message, when it was dropped if that was after its
    /// send (s): on arrival, at a partition or a crashed receiver. `None`
    /// for a loss in the network (decided at the send) or a delivery.
    pub drop_s: Option<f64>,
    /// Message kind, e.g. `"digest"`; sets the arrow colour.
    pub kind: String,
}

/// A fault drawn on a space-time diagram.
#[derive(Debug, Clone, PartialEq)]
pub enum SpacetimeFault {
    /// A network fault in force from `from_s` to `to_s`: a shaded band
    /// across every line, `label` at its top (e.g. `"partition 0-1 | 2-3"`).
    Network {
        /// Start (s); may lie before the window, which then draws the
        /// band from its left edge and says when the fault began.
        from_s: f64,
        /// End (s): the heal, or the end of the diagram.
        to_s: f64,
        /// Text at the top of the band.
        label: String,
        /// A degradation (slower, lossier links) rather than a cut.
        degraded: bool,
    },
    /// Line `node` is down (crashed) from `from_s` to `to_s`.
    Down {
        /// Line index, `< SpacetimeData::nodes`.
        node: usize,
        /// The crash (s); may lie before the window (no crash tick is
        /// drawn then).
        from_s: f64,
        /// The restart (s), which may lie past the diagram's end (the bar
        /// then runs to the edge, marked as continuing, without a restart
        /// tick); `+inf` for a node that never restarted.
        to_s: f64,
    },
    /// Line `node`'s clock jumped at `time_s`.
    ClockStep {
        /// Line index, `< SpacetimeData::nodes`.
        node: usize,
        /// When (s).
        time_s: f64,
    },
}

impl SpacetimeFault {
    fn node(&self) -> Option<usize> {
        match self {
            SpacetimeFault::Network { .. } => None,
            SpacetimeFault::Down { node, .. } | SpacetimeFault::ClockStep { node, .. } => Some(*node),
        }
    }

    fn times(&self) -> [f64; 2] {
        match *self {
            SpacetimeFault::Network { from_s, to_s, .. } | SpacetimeFault::Down { from_s, to_s, .. } => {
                [from_s, to_s]
            }
            SpacetimeFault::ClockStep { time_s, .. } => [time_s, time_s],
        }
    }
}

/// Input of [`spacetime`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SpacetimeData {
    /// Number of nodes (lines), at most [`MAX_NODES`].
    pub nodes: usize,
    /// The label of each line, top to bottom; empty: `n0`, `n1`, …
    pub names: Vec<String>,
    /// Events, in any order.
    pub events: Vec<SpacetimeEvent>,
    /// Messages, at most [`MAX_MESSAGES`], drawn in this order.
    pub messages: Vec<SpacetimeMessage>,
    /// Faults, drawn behind the messages.
    pub faults: Vec<SpacetimeFault>,
    /// The time axis `(from, to)` in seconds; `None`: fitted to the data.
    pub window_s: Option<(f64, f64)>,
    /// Where the diagram was cut (s) because the run had more than
    /// [`MAX_MESSAGES`] messages or [`MAX_EVENTS`] events: the time axis
    /// ends there and a note under it says so. `None`: not cut.
    pub cut_s: Option<f64>,
    /// The end of the run (s): an axis fitted to the data stops there.
    /// `None`: unknown.
    pub end_s: Option<f64>,
    /// A remark written under the plot, after the cut note (e.g. why the
    /// window is empty: the run stopped, converged, before it began).
    /// `None`: none.
    pub note: Option<String>,
}

/// Renders a space-time diagram. Errors if a node index is out of range, a
/// message arrives before it was sent, or the run exceeds [`MAX_NODES`] or
/// [`MAX_MESSAGES`].
pub fn spacetime(
    data: &SpacetimeData,
    prov: &Provenance,
    format: ImageFormat,
) -> Result<Rendered, ChartError> {
    render(&Fig(data), prov, format)
}

struct Fig<'a>(&'a SpacetimeData);

const MS: f64 = 1000.0;

/// Width of the diagram at 1× (px).
const WIDTH_PX: u32 = 820;

impl Fig<'_> {
    fn row_h(&self) -> u32 {
        (560 / self.0.nodes.max(1) as u32).clamp(34, 72)
    }

    /// Latency (ms) assumed for dropped messages: the median delivery
    /// latency, or 8% of the time span if none arrived.
    fn drop_latency_ms(&self, span_ms: f64) -> f64 {
        let mut lat: Vec<f64> = self
            .0
            .messages
            .iter()
            .filter_map(|m| m.recv_s.map(|r| (r - m.send_s) * MS))
            .filter(|l| l.usable())
            .collect();
        lat.sort_by(f64::total_cmp);
        match lat.get(lat.len() / 2) {
            Some(l) if *l > 0.0 => *l,
            _ => span_ms * 0.08,
        }
    }

    /// y coordinate of node `i`: n0 on top.
    fn y(&self, node: usize) -> f64 {
        (self.0.nodes - 1 - node) as f64
    }

    /// The label of line `i`.
    fn name(&self, i: usize) -> String {
        self.0.names.get(i).cloned().unwrap_or_else(|| format!("n{i}"))
    }

    /// Lanes above the top line for the network faults: one each, at most
    /// [`MAX_LANES`] (then they share, in turn).
    fn lanes(&self) -> u32 {
        let n = self
            .0
            .faults
            .iter()
            .filter(|f| matches!(f, SpacetimeFault::Network { .. }))
            .count();
        n.min(MAX_LANES) as u32
    }

    /// Where the diagram was cut (s), if it was.
    fn cut_s(&self) -> Option<f64> {
        self.0.cut_s.filter(|c| c.usable())
    }

    /// Lines written under the plot: where the diagram was cut, and the
    /// data's own note.
    fn notes(&self) -> Vec<String> {
        self.cut_s()
            .map(|c| {
                format!(
                    "cut at {}: the run has more than {MAX_MESSAGES} messages or {MAX_EVENTS} events; \
                     a later --from/--to window shows the rest",
                    seconds((c * 1e6).round() / 1e6)
                )
            })
            .into_iter()
            .chain(self.0.note.clone().filter(|n| !n.is_empty()))
            .collect()
    }
}

/// Height of one note line under the plot at 1× (px).
const NOTE_ROW_PX: u32 = 22;

/// `s` seconds as short text: `0.5s`, `2s`, `1.0025s` (to the nanosecond).
pub(crate) fn seconds(s: f64) -> String {
    let text = format!("{s:.9}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    format!("{text}s")
}

/// Most lanes of network faults above the lines.
const MAX_LANES: usize = 8;
/// Height of one lane at 1× (px).
const LANE_PX: u32 = 22;

/// The legend entries of the network faults among `faults`: a band for
/// partitions and cuts, hatching for degradations (each if any), shared
/// by every chart that shades them.
pub(crate) fn network_legend(faults: &[SpacetimeFault]) -> Vec<LegendEntry> {
    let network = |degraded| {
        faults
            .iter()
            .any(|f| matches!(f, SpacetimeFault::Network { degraded: g, .. } if *g == degraded))
    };
    let mut legend = Vec::new();
    if network(false) {
        legend.push(LegendEntry::new(
            "partition / cut",
            Mark::Band {
                color: BLACK,
                alpha: BAND_ALPHA * 1.5,
            },
        ));
    }
    if network(true) {
        legend.push(LegendEntry::new(
            "degraded links",
            Mark::Hatch {
                color: DEGRADED,
                alpha: HATCH_ALPHA,
            },
        ));
    }
    legend
}

/// Opacity of a network fault's band.
pub(crate) const BAND_ALPHA: f64 = 0.10;
/// Colour of a degradation: its hatching and (tinted) its lane's bar.
pub(crate) const DEGRADED: RGBColor = ORANGE;
/// Opacity of a degradation's hatching, drawn over a partition's band so
/// that both show where they overlap.
pub(crate) const HATCH_ALPHA: f64 = 0.55;
/// Opacity of the bar over a node that is down.
const DOWN_ALPHA: f64 = 0.45;

impl Figure for Fig<'_> {
    /// [`WIDTH_PX`] wide; as tall as the layout needs at the default
    /// sizes (its rows, lanes and notes), grown like the sizes
    /// ([`Theme::for_width`]), so the layout keeps its proportions.
    fn size(&self) -> (u32, u32) {
        let rows = self.row_h() * self.0.nodes.max(1) as u32;
        let notes = self.notes().len() as u32 * NOTE_ROW_PX;
        let height = 200 + rows + self.lanes() * LANE_PX + notes;
        (WIDTH_PX, Theme::for_width(1.0, WIDTH_PX).upx(f64::from(height)))
    }

    /// Wider than the default charts for the room its labels need, but
    /// shown one column wide like them.
    fn sizes_grow_with_width(&self) -> bool {
        true
    }

    fn places_labels(&self) -> bool {
        true
    }

    fn validate(&self) -> Result<(), ChartError> {
        let d = self.0;
        let too_large = |what, got, max| {
            Err(ChartError::TooLarge {
                chart: "spacetime",
                what,
                got,
                max,
            })
        };
        if d.nodes > MAX_NODES {
            return too_large("number of nodes", d.nodes, MAX_NODES);
        }
        if d.messages.len() > MAX_MESSAGES {
            return too_large("number of messages", d.messages.len(), MAX_MESSAGES);
        }
        if d.events.len() > MAX_EVENTS {
            return too_large("number of events", d.events.len(), MAX_EVENTS);
        }
        let bad = |reason: String| {
            Err(ChartError::InvalidInput {
                chart: "spacetime",
                reason,
            })
        };
        if let Some((i, e)) = d.events.iter().enumerate().find(|(_, e)| e.node >= d.nodes) {
            return bad(format!(
                "event {i} is at node {} but there are {} nodes",
                e.node, d.nodes
            ));
        }
        if !d.names.is_empty() && d.names.len() != d.nodes {
            return bad(format!("{} names for {} nodes", d.names.len(), d.nodes));
        }
        for (i, f) in d.faults.iter().enumerate() {
            if f.node().is_some_and(|n| n >= d.nodes) {
                return bad(format!(
                    "fault {i} is at node {} but there are {} nodes",
                    f.node().unwrap_or_default(),
                    d.nodes
                ));
            }
            let [a, b] = f.times();
            if b < a {
                return bad(format!("fault {i} ends before it starts"));
            }
        }
        if let Some((a, b)) = d.window_s {
            if !(a.usable() && b.usable() && a < b) {
                return bad(format!("the window ({a}, {b}) is not an interval"));
            }
        }
        for (i, m) in d.messages.iter().enumerate() {
            if m.from >= d.nodes || m.to >= d.nodes {
                return bad(format!(
                    "message {i} goes from node {} to node {} but there are {} nodes",
                    m.from, m.to, d.nodes
                ));
            }
            if m.recv_s.is_some_and(|r| r < m.send_s) {
                return bad(format!("message {i} is received before it is sent"));
            }
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
        // With a window, what lies outside it is not drawn.
        let inside = |s: f64| d.window_s.is_none_or(|(a, b)| (a..=b).contains(&s));
        let times = d.events.iter().map(|e| e.time_s).chain(
            d.messages
                .iter()
                .flat_map(|m| [Some(m.send_s), m.recv_s, m.drop_s])
                .flatten(),
        );
        let tr = span(times.filter(|t| t.usable())).map(|(a, b)| (a * MS, b * MS));
        let drop_ms = self.drop_latency_ms(tr.map_or(1.0, |(a, b)| b - a));
        let fault_times = d.faults.iter().flat_map(|f| f.times()).filter(|t| t.usable());
        let cut_ms = self.cut_s().map(|c| c * MS);
        let end_ms = d.end_s.filter(|e| e.usable()).map(|e| e * MS);
        let x = match (d.window_s, tr) {
            (Some((a, b)), _) => (
                a * MS,
                cut_ms.filter(|&c| c > a * MS).map_or(b * MS, |c| c.min(b * MS)),
            ),
            (None, Some((lo, hi))) => {
                let drops = d
                    .messages
                    .iter()
                    .filter(|m| m.recv_s.is_none() && m.send_s.usable())
                    .map(|m| m.send_s * MS + drop_ms / 2.0);
                let hi = span(drops).map_or(hi, |(_, h)| hi.max(h));
                let (lo, hi) =
                    span(fault_times.map(|t| t * MS)).map_or((lo, hi), |(a, b)| (lo.min(a), hi.max(b)));
                let pad = ((hi - lo) * 0.04).max(1.0);
                let lo = if lo >= 0.0 { (lo - pad).max(0.0) } else { lo - pad };
                // Never past the run's end, nor past a cut: nothing was
                // drawn there.
                let hi = [end_ms, cut_ms]
                    .into_iter()
                    .flatten()
                    .filter(|&e| e > lo)
                    .fold(hi + pad, f64::min);
                (lo, hi)
            }
            (None, None) => (0.0, 1.0),
        };
        // The legend lists only the faults in the drawn time range: a
        // diagram cut (or windowed) before a partition has no band of it.
        let shown = |f: &&SpacetimeFault| {
            let [from, to] = f.times();
            from.usable() && from * MS <= x.1 && (to.is_nan() || to * MS >= x.0)
        };
        let faults: Vec<SpacetimeFault> = d.faults.iter().filter(shown).cloned().collect();
        let colors = KindColors::new(d.messages.iter().map(|m| m.kind.as_str()));
        let mut legend: Vec<LegendEntry> = colors
            .entries()
            .iter()
            .map(|(k, c)| LegendEntry::new(k.clone(), Mark::Arrow { color: *c }))
            .collect();
        if d.messages.iter().any(|m| m.recv_s.is_none() && m.send_s.usable()) {
            legend.push(LegendEntry::new("dropped", Mark::Dropped { color: INK }));
        }
        if d.events.iter().any(|e| e.write) {
            legend.push(LegendEntry::new(
                "write",
                Mark::Marker {
                    color: INK,
                    shape: Shape::Square,
                },
            ));
        }
        if d.events
            .iter()
            .any(|e| e.hidden_peer && e.time_s.usable() && inside(e.time_s))
        {
            legend.push(LegendEntry::new(
                "message to/from a node not shown",
                Mark::Ring { color: INK },
            ));
        }
        legend.extend(network_legend(&faults));
        if faults.iter().any(|f| matches!(f, SpacetimeFault::Down { .. })) {
            legend.push(LegendEntry::new(
                "node down",
                Mark::Band {
                    color: GREY,
                    alpha: DOWN_ALPHA,
                },
            ));
        }
        if faults
            .iter()
            .any(|f| matches!(f, SpacetimeFault::ClockStep { .. }))
        {
            legend.push(LegendEntry::new(
                "clock step",
                Mark::Marker {
                    color: INK,
                    shape: Shape::Diamond,
                },
            ));
        }
        let body = page(root, ctx, "space-time diagram", &legend)?;
        // Notes go under the plot, one line each, left-aligned.
        let notes = self.notes();
        let body = if notes.is_empty() {
            body
        } else {
            let font = t.small_font();
            let row = t.px(f64::from(NOTE_ROW_PX));
            let (x0, y0) = body.get_base_pixel();
            let bottom = y0 + body.dim_in_pixel().1 as i32;
            let k = notes.len() as i32;
            for (i, note) in notes.iter().enumerate() {
                let y = bottom - (k - i as i32 - 1) * row;
                put_text(root, note, (x0, y), &font, HPos::Left, VPos::Bottom)?;
            }
            body.margin(0, k * row, 0, 0)
        };

        let n = d.nodes.max(1);
        // Room above the top line for the lanes of network faults (a data
        // unit is about one row's height).
        let lanes = self.lanes();
        let top = n as f64 - 0.4 + f64::from(lanes * LANE_PX) / f64::from(self.row_h());
        // Windows reaching a second or more read in seconds, as the other
        // charts' time axes do ("2 … 8 s", not "2000 … 8000 ms"; the
        // drawing stays in ms).
        let in_seconds = x.1 >= MS;
        let mut axes = Axes::new(
            x,
            (-0.6, top),
            if in_seconds { "time (s)" } else { "time (ms)" },
            "node",
        );
        if in_seconds {
            axes.x_ticks = super::draw::scaled_ticks(x, MS, 7);
        }
        axes.y_ticks = Ticks::Custom((0..d.nodes).map(|i| (self.y(i), self.name(i))).collect());
        axes.grid = false;
        let chart = build(root, &body, ctx, &axes)?;
        if d.nodes == 0 || (tr.is_none() && d.faults.is_empty()) {
            return no_data(root, &chart, ctx);
        }

        let (xpix, ypix) = chart.plotting_area().get_pixel_range();
        let mut placer = Placer::following((xpix.start, ypix.start, xpix.end, ypix.end), ctx.layout);
        let xp = |s: f64| chart.backend_coord(&((s * MS).clamp(x.0, x.1), 0.0)).0;
        let row_px = {
            let (_, a) = chart.backend_coord(&(x.0, 0.0));
            let (_, b) = chart.backend_coord(&(x.0, 1.0));
            (a - b).abs()
        };

        // Network faults: the time when some cut (or degradation) is in
        // force shaded once over the lines, so overlapping faults do not
        // darken it; above the lines, one lane per fault with a bar over its
        // span and its label.
        let networks: Vec<(f64, f64, &str, bool)> = d
            .faults
            .iter()
            .filter_map(|f| match f {
                SpacetimeFault::Network {
                    from_s,
                    to_s,
                    label,
                    degraded,
                } if from_s.usable() && to_s.usable() && to_s * MS >= x.0 && from_s * MS <= x.1 => {
                    Some((*from_s, *to_s, label.as_str(), *degraded))
                }
                _ => None,
            })
            .collect();
        let lanes_bottom = chart.backend_coord(&(x.0, n as f64 - 0.4)).1;
        // Partitions and cuts first, as a band; degradations over them as
        // hatching, so that where both are in force both show.
        for degraded in [false, true] {
            let mut spans: Vec<(i32, i32)> = networks
                .iter()
                .filter(|f| f.3 == degraded)
                .map(|f| (xp(f.0), xp(f.1).max(xp(f.0) + 1)))
                .collect();
            spans.sort_unstable();
            let mut union: Vec<(i32, i32)> = Vec::new();
            for (a, b) in spans {
                match union.last_mut() {
                    Some(last) if a <= last.1 => last.1 = last.1.max(b),
                    _ => union.push((a, b)),
                }
            }
            for (a, b) in union {
                if degraded {
                    let style = ShapeStyle {
                        color: DEGRADED.mix(HATCH_ALPHA),
                        ..t.line(DEGRADED, 1.3)
                    };
                    hatch(root, (a, lanes_bottom), (b, ypix.end), style, t.px(HATCH_GAP))?;
                } else {
                    root.draw(&Rectangle::new(
                        [(a, lanes_bottom), (b, ypix.end)],
                        t.fill(BLACK, BAND_ALPHA),
                    ))?;
                }
            }
        }
        let font = t.small_font();
        let lane_h = if lanes > 0 {
            (lanes_bottom - ypix.start) / lanes as i32
        } else {
            0
        };
        let pad = t.px(3.0);
        for (i, &(from_s, to_s, label, degraded)) in networks.iter().enumerate() {
            let lane = (i % MAX_LANES) as i32;
            let y0 = ypix.start + lane * lane_h + pad / 2;
            let y1 = y0 + lane_h - pad;
            let (x0, x1) = (xp(from_s), xp(to_s).max(xp(from_s) + 1));
            let tint = if degraded {
                t.tint(DEGRADED, 0.35)
            } else {
                t.tint(GREY, 0.45)
            };
            root.draw(&Rectangle::new([(x0, y0), (x1, y1)], tint))?;
            // A fault that began before the window starts at its left edge.
            let label = if d.window_s.is_some() && from_s * MS < x.0 {
                format!("◂ {label} (from {})", seconds(from_s))
            } else {
                label.to_string()
            };
            let label = label.as_str();
            let (w, h) = text_size(root, label, &font);
            let lx = (x0 + pad).min(xpix.end - w - pad).max(xpix.start + pad);
            let ly = (y0 + y1 - h) / 2;
            put_text(root, label, (lx, ly), &font, HPos::Left, VPos::Top)?;
            placer.block((x0.min(lx), y0, x1.max(lx + w), y1));
        }

        for i in 0..d.nodes {
            let (_, y) = chart.backend_coord(&(x.0, self.y(i)));
            root.draw(&PathElement::new(
                vec![(xpix.start, y), (xpix.end, y)],
                t.line(INK, 1.4),
            ))?;
        }

        // Nodes down: a bar over the line, with ticks at the crash and restart.
        let half = (row_px / 5).max(t.px(4.0));
        for f in &d.faults {
            let SpacetimeFault::Down { node, from_s, to_s } = *f else {
                continue;
            };
            if !from_s.usable() || to_s.is_nan() || to_s * MS < x.0 || from_s * MS > x.1 {
                continue;
            }
            let (_, y) = chart.backend_coord(&(x.0, self.y(node)));
            let to = if to_s.usable() { to_s } else { x.1 / MS };
            let (x0, x1) = (xp(from_s), xp(to).max(xp(from_s) + 1));
            root.draw(&Rectangle::new(
                [(x0, y - half), (x1, y + half)],
                t.fill(GREY, DOWN_ALPHA),
            ))?;
            // A tick at the crash and at the restart, where they are drawn:
            // a bar reaching the right edge continues past it, and says so.
            let continues = to_s * MS > x.1;
            for (s, edge) in [(from_s, x0), (to_s, x1)] {
                if (x.0..=x.1).contains(&(s * MS)) && !(continues && edge == x1) {
                    root.draw(&PathElement::new(
                        vec![(edge, y - half), (edge, y + half)],
                        t.line(INK, 2.0),
                    ))?;
                }
            }
            placer.block((x0, y - half, x1, y + half));
            // A crash before the window starts at its left edge, and says
            // when it began, as a network fault's band does.
            let began = d.window_s.is_some() && from_s * MS < x.0;
            if continues || began {
                let since = if began {
                    format!("◂ down (from {})", seconds(from_s))
                } else {
                    "down".to_string()
                };
                let label = match (continues, to_s.usable()) {
                    (false, _) => since,
                    (true, true) => format!("{since} until {} ▸", seconds(to_s)),
                    (true, false) => format!("{since} ▸"),
                };
                let (w, h) = text_size(root, &label, &font);
                let lx = if continues {
                    x1 - w - pad
                } else {
                    (x0 + pad).min(xpix.end - w - pad)
                };
                let (lx, ly) = (lx.max(xpix.start + pad), y - half - h - pad);
                put_text(root, &label, (lx, ly), &font, HPos::Left, VPos::Top)?;
                placer.block((lx, ly, lx + w, ly + h));
            }
        }
        let line_w = t.px(6.0);
        for m in d
            .messages
            .iter()
            .filter(|m| m.send_s.usable() && inside(m.send_s) && m.recv_s.is_none_or(inside))
        {
            let color = colors.get(&m.kind);
            let from = chart.backend_coord(&(m.send_s * MS, self.y(m.from)));
            match m.recv_s {
                Some(r) if r.usable() => {
                    let to = chart.backend_coord(&(r * MS, self.y(m.to)));
                    root.draw(&PathElement::new(vec![from, to], t.line(color, 1.8)))?;
                    arrow_head(root, from, to, color, t)?;
                    placer.block_line(from, to, line_w);
                    placer.block(head_box(from, to, t));
                }
                Some(_) => {}
                None if m.drop_s.is_some_and(|d| d.usable() && inside(d) && d > m.send_s) => {
                    let d = m.drop_s.unwrap_or(m.send_s);
                    let end = chart.backend_coord(&(d * MS, self.y(m.to)));
                    root.draw(&PathElement::new(vec![from, end], t.line(color, 1.8)))?;
                    marker(root, end, Shape::Cross, color, t)?;
                    placer.block_line(from, end, line_w);
                }
                None => {
                    let f = 0.5 / (m.from.abs_diff(m.to).max(1) as f64);
                    let y = self.y(m.from) + f * (self.y(m.to) - self.y(m.from));
                    let end = chart.backend_coord(&((m.send_s * MS + f * drop_ms).min(x.1), y));
                    root.draw(&PathElement::new(vec![from, end], t.line(color, 1.8)))?;
                    marker(root, end, Shape::Cross, color, t)?;
                    placer.block_line(from, end, line_w);
                }
            }
        }

        for f in &d.faults {
            let SpacetimeFault::ClockStep { node, time_s } = *f else {
                continue;
            };
            if time_s.usable() && (x.0..=x.1).contains(&(time_s * MS)) {
                let p = chart.backend_coord(&(time_s * MS, self.y(node)));
                marker(root, p, Shape::Diamond, INK, t)?;
                let r = t.px(6.0);
                placer.block((p.0 - r, p.1 - r, p.0 + r, p.1 + r));
            }
        }

        let dot = t.px(3.5);
        let mut shown: Vec<&SpacetimeEvent> = d
            .events
            .iter()
            .filter(|e| e.time_s.usable() && inside(e.time_s))
            .collect();
        shown.sort_by(|a, b| a.time_s.total_cmp(&b.time_s).then(a.node.cmp(&b.node)));
        for e in &shown {
            let p = chart.backend_coord(&(e.time_s * MS, self.y(e.node)));
            if e.write {
                marker(root, p, Shape::Square, INK, t)?;
            } else if e.hidden_peer {
                root.draw(&Circle::new(p, dot, t.fill(WHITE, 1.0)))?;
                root.draw(&Circle::new(p, dot, t.line(INK, 1.4)))?;
            } else {
                root.draw(&Circle::new(p, dot, t.fill(INK, 1.0)))?;
            }
            placer.block((p.0 - dot, p.1 - dot, p.0 + dot, p.1 + dot));
        }
        let pad = t.px(2.0);
        let dots: Vec<(i32, i32)> = shown
            .iter()
            .map(|e| chart.backend_coord(&(e.time_s * MS, self.y(e.node))))
            .collect();
        // Events at one instant on one node share a dot and one label, their
        // texts in trace order ("[3,2]→[4,2]": received, then sent).
        let mut labels: Vec<(String, (i32, i32))> = Vec::new();
        let mut last: Option<(usize, u64)> = None;
        for (e, &p) in shown.iter().zip(&dots).filter(|(e, _)| !e.label.is_empty()) {
            let at = (e.node, e.time_s.to_bits());
            match labels.last_mut() {
                Some((text, _)) if last == Some(at) => {
                    text.push('→');
                    text.push_str(&e.label);
                }
                _ => labels.push((e.label.clone(), p)),
            }
            last = Some(at);
        }
        for (label, p) in &labels {
            let p = *p;
            let (w, h) = text_size(root, label, &font);
            let size = (w + 2 * pad, h + 2 * pad);
            // Other dots near this one, not at the same spot: the label must
            // read as this dot's. (Events at one instant on one node share
            // a dot; their labels go around it in trace order.)
            let reach = 3 * (size.0 + size.1);
            let others: Vec<(i32, i32)> = dots
                .iter()
                .copied()
                .filter(|&o| o != p && (o.0 - p.0).abs() <= reach && (o.1 - p.1).abs() <= reach)
                .collect();
            let placed = placer.place_attached(p, size, t.px(4.0), &ABOVE_FIRST, &others);
            let (lx, ly) = placed.pos;
            let rect = (lx, ly, lx + size.0, ly + size.1);
            let (from, to) = leader(p, dot, rect);
            if placed.leader && (to.0 - from.0).abs().max((to.1 - from.1).abs()) >= t.px(3.0) {
                root.draw(&PathElement::new(vec![from, to], t.line(MUTED, 1.0)))?;
                placer.block_line(from, to, t.px(2.0));
            }
            root.draw(&Rectangle::new([(lx, ly), (rect.2, rect.3)], t.fill(WHITE, 0.85)))?;
            put_text(root, label, (lx + pad, ly + pad), &font, HPos::Left, VPos::Top)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::testutil::{check, check_empty, count, no_text_overlaps, prov, text_attr, text_boxes};

    /// The worked example of DESIGN.md §1 plus a drop: P=n0 writes, sends to Q=n1.
    fn example() -> SpacetimeData {
        let ev = |node, ms: f64, label: &str, write| SpacetimeEvent {
            node,
            time_s: ms / MS,
            label: label.into(),
            write,
            hidden_peer: false,
        };
        let msg = |from, to, s: f64, r: Option<f64>, kind: &str| SpacetimeMessage {
            from,
            to,
            send_s: s / MS,
            recv_s: r.map(|r| r / MS),
            drop_s: None,
            kind: kind.into(),
        };
        SpacetimeData {
            nodes: 3,
            events: vec![
                ev(0, 0.0, "[1,0,0]", true),
                ev(0, 10.0, "[2,0,0]", false),
                ev(1, 35.0, "[2,1,0]", false),
                ev(1, 50.0, "[2,2,0]", false),
                ev(2, 80.0, "[2,2,1]", false),
                ev(2, 90.0, "", false),
            ],
            messages: vec![
                msg(0, 1, 10.0, Some(35.0), "digest"),
                msg(1, 2, 50.0, Some(80.0), "delta"),
                msg(2, 0, 90.0, None, "digest"),
            ],
            ..Default::default()
        }
    }

    #[test]
    fn renders_lines_arrows_and_labels() {
        let svg = check(
            |f| spacetime(&example(), &prov(), f),
            &[
                "unit: space-time diagram",
                "time (ms)",
                "n0",
                "n2",
                "[2,1,0]",
                "digest",
                "delta",
                "dropped",
                "write",
            ],
        );
        assert!(
            count(&svg, "polygon") >= 2 + 2,
            "two arrow heads (+ legend samples)"
        );
        assert!(count(&svg, "circle") >= 5, "one dot per non-write event");
        assert!(count(&svg, "polyline") >= 3 + 3, "node lines and message lines");
    }

    /// Drawn wider than the 640-px charts but shown one column wide like
    /// them, the diagram has text as large relative to its width as
    /// theirs: the theme's sizes at 640 px (tick labels 18, vector-clock
    /// labels 14, title 23, footer 13; an SVG font-size is the size / 1.24,
    /// plotters' convention) times width / 640, and its rows and margins
    /// grow alike, so the larger text still fits without overlapping.
    #[test]
    fn text_grows_with_the_width_like_a_default_chart() {
        let svg = spacetime(&example(), &prov(), ImageFormat::Svg).unwrap();
        let svg = svg.svg_text().unwrap();
        let (width, _) = crate::chart::testutil::well_formed(svg);
        assert!(width > 640, "{width}");
        let footer = "scuttlesim 0.1.0 · seed 42 · scenario 3f2a9c1e";
        for (text, size_at_640) in [
            ("unit: space-time diagram", 23.0),
            ("n0", 18.0),
            ("digest", 18.0),
            ("[2,1,0]", 14.0),
            (footer, 13.0),
        ] {
            let got = crate::chart::testutil::font_size(svg, text) / f64::from(width);
            let want = size_at_640 / 1.24 / 640.0;
            assert!((got - want).abs() < 1e-9, "{text:?}: {got} per px, want {want}");
        }
        // The height grows alike: at the default sizes 200 px of margins
        // and three rows of 560 / 3 px, at most 72.
        let (_, height) = crate::chart::testutil::well_formed(svg);
        assert_eq!(
            height,
            (f64::from(200 + 3 * 72) * f64::from(width) / 640.0).round() as u32
        );
        no_text_overlaps(svg);
    }

    /// A message dropped on arrival ends in an "×" on its receiver's line
    /// at the drop time; one lost at its send stops half a row away.
    /// The talk's two-node exchange: n0 writes and sends a syn at 1000
    /// ms, n1 receives it and answers at 1100, n0 receives the ack and
    /// sends an ack2 at 1200. The receipt and send at one instant share a
    /// label ("[2,1]→[2,2]"), and no clock label covers an arrow head
    /// (the label of n0's receipt once hid the ack's).
    #[test]
    fn labels_share_an_instant_and_leave_arrow_heads_visible() {
        let ev = |node, ms: f64, label: &str| SpacetimeEvent {
            node,
            time_s: ms / MS,
            label: label.into(),
            write: ms == 900.0,
            hidden_peer: false,
        };
        let msg = |from, to, s: f64, kind: &str| SpacetimeMessage {
            from,
            to,
            send_s: s / MS,
            recv_s: Some((s + 100.0) / MS),
            drop_s: None,
            kind: kind.into(),
        };
        let data = SpacetimeData {
            nodes: 2,
            events: vec![
                ev(0, 900.0, "[1,0]"),
                ev(0, 1000.0, "[2,0]"),
                ev(1, 1100.0, "[2,1]"),
                ev(1, 1100.0, "[2,2]"),
                ev(0, 1200.0, "[3,2]"),
                ev(0, 1200.0, "[4,2]"),
                ev(1, 1300.0, "[4,3]"),
            ],
            messages: vec![
                msg(0, 1, 1000.0, "syn"),
                msg(1, 0, 1100.0, "ack"),
                msg(0, 1, 1200.0, "ack2"),
            ],
            ..Default::default()
        };
        let svg = check(
            |f| spacetime(&data, &prov(), f),
            &["[2,1]→[2,2]", "[3,2]→[4,2]", "[4,3]"],
        );
        let heads: Vec<[i32; 4]> = svg
            .split("<polygon ")
            .skip(1)
            .map(|p| {
                let points = p.split("points=\"").nth(1).unwrap().split('"').next().unwrap();
                let xy: Vec<(i32, i32)> = points
                    .split_whitespace()
                    .map(|xy| {
                        let (x, y) = xy.split_once(',').unwrap();
                        (x.parse().unwrap(), y.parse().unwrap())
                    })
                    .collect();
                let (xs, ys) = (xy.iter().map(|p| p.0), xy.iter().map(|p| p.1));
                [
                    xs.clone().min().unwrap(),
                    ys.clone().min().unwrap(),
                    xs.max().unwrap(),
                    ys.max().unwrap(),
                ]
            })
            .collect();
        assert!(heads.len() >= 3 + 3, "three arrow heads and three legend samples");
        for (text, b) in text_boxes(&svg).iter().filter(|(t, _)| t.starts_with('[')) {
            for h in &heads {
                let apart = b[2] <= h[0] || h[2] <= b[0] || b[3] <= h[1] || h[3] <= b[1];
                assert!(apart, "{text:?} {b:?} covers the arrow head {h:?}");
            }
        }
        no_text_overlaps(&svg);
    }

    #[test]
    fn drops_on_arrival_reach_the_receiver() {
        let cross_at = |drop_s: Option<f64>| {
            let mut d = example();
            d.messages = vec![SpacetimeMessage {
                from: 0,
                to: 2,
                send_s: 0.010,
                recv_s: None,
                drop_s,
                kind: "digest".into(),
            }];
            let svg = check(|f| spacetime(&d, &prov(), f), &["dropped"]);
            // The message's line: the first path of its colour after the
            // legend's sample (the "×" is drawn after it).
            let path = svg
                .match_indices("<polyline")
                .map(|(i, _)| &svg[i..i + svg[i..].find("/>").unwrap()])
                .filter(|p| p.contains("#0072B2"))
                .nth(1)
                .unwrap()
                .to_string();
            let pts: Vec<(i32, i32)> = path
                .split("points=\"")
                .nth(1)
                .unwrap()
                .split('"')
                .next()
                .unwrap()
                .split_whitespace()
                .map(|p| {
                    let (x, y) = p.split_once(',').unwrap();
                    (x.parse().unwrap(), y.parse().unwrap())
                })
                .collect();
            (pts[0], pts[pts.len() - 1], svg)
        };
        let (from, on_arrival, svg) = cross_at(Some(0.060));
        // Where a point lies between n0's line (0) and n2's (1), by the
        // tick labels' positions.
        let (y0, y2) = (text_attr(&svg, "n0", "y"), text_attr(&svg, "n2", "y"));
        let rows = |p: (i32, i32)| f64::from(p.1 - from.1) / f64::from(y2 - y0);
        assert!(
            (rows(on_arrival) - 1.0).abs() < 0.02,
            "ends on n2's line: {on_arrival:?}, {y0}..{y2}"
        );
        let (_, lost, _) = cross_at(None);
        assert!((rows(lost) - 0.25).abs() < 0.02, "half a row of two: {lost:?}");
        assert!(lost.0 < on_arrival.0);
    }

    /// The time axis is in ms while the window ends before 1 s, and in
    /// seconds from there, however short the window, like the other
    /// charts' time axes ("1.05 s", not "1050 ms"; "10.5", never "10.5k"
    /// ms).
    #[test]
    fn windows_from_a_second_read_in_seconds() {
        let shifted = |by_s: f64| {
            let mut d = example();
            for e in &mut d.events {
                e.time_s += by_s;
            }
            for m in &mut d.messages {
                m.send_s += by_s;
                m.recv_s = m.recv_s.map(|r| r + by_s);
            }
            d
        };
        // From 0.85 s the axis ends at 0.85 s + 109.2 ms (the drop at 90
        // ms plus half the median latency, 30 ms, padded by 4%): under 1 s.
        let svg = check(|f| spacetime(&shifted(0.85), &prov(), f), &["time (ms)"]);
        assert!(svg.contains(">\n900\n<"), "ms ticks before 1 s");
        let svg = check(|f| spacetime(&shifted(1.0), &prov(), f), &["time (s)"]);
        assert!(
            svg.contains(">\n1.00\n<") && svg.contains(">\n1.10\n<"),
            "second ticks from 1 s"
        );
        let svg = check(|f| spacetime(&shifted(10.0), &prov(), f), &["time (s)"]);
        assert!(
            svg.contains(">\n10.00\n<") && svg.contains(">\n10.10\n<"),
            "second ticks from 10 s"
        );
        assert!(!svg.contains("k\n<"), "no thousands of ms");
    }

    #[test]
    fn seconds_are_short() {
        assert_eq!(seconds(0.5), "0.5s");
        assert_eq!(seconds(2.0), "2s");
        assert_eq!(seconds(1_002_500_000.0 / 1e9), "1.0025s");
        assert_eq!(seconds(1e-9), "0.000000001s");
    }

    /// A window from 20 ms: the partition that began at 5 ms is labelled
    /// with its start; the events marked `hidden_peer` are open circles,
    /// explained in the legend, and a degradation is hatched.
    #[test]
    /// A diagram cut (at its message limit) before a partition, a crash
    /// and a clock step draws none of them, so its legend lists none; a
    /// window ending before them likewise. Uncut, all three are listed.
    fn the_legend_lists_only_faults_in_the_drawn_range() {
        let mut d = example();
        d.faults = vec![
            SpacetimeFault::Network {
                from_s: 0.200,
                to_s: 0.300,
                label: "partition 0 | 1-2".into(),
                degraded: false,
            },
            SpacetimeFault::Down {
                node: 1,
                from_s: 0.250,
                to_s: f64::INFINITY,
            },
            SpacetimeFault::ClockStep {
                node: 0,
                time_s: 0.260,
            },
        ];
        let entries = ["partition / cut", "node down", "clock step"];
        check(|f| spacetime(&d, &prov(), f), &entries);
        d.cut_s = Some(0.090);
        let cut = check(|f| spacetime(&d, &prov(), f), &[]);
        d.cut_s = None;
        d.window_s = Some((0.0, 0.095));
        let windowed = check(|f| spacetime(&d, &prov(), f), &[]);
        for svg in [cut, windowed] {
            for e in entries {
                assert!(!svg.contains(e), "{e} is listed but not drawn");
            }
        }
    }

    #[test]
    fn faults_before_the_window_hidden_peers_and_hatching() {
        let mut d = example();
        d.window_s = Some((0.020, 0.095));
        d.events[2].hidden_peer = true;
        d.faults = vec![
            SpacetimeFault::Network {
                from_s: 0.005,
                to_s: 0.060,
                label: "partition 0 | 1-2".into(),
                degraded: false,
            },
            SpacetimeFault::Network {
                from_s: 0.040,
                to_s: 0.080,
                label: "degraded 0 <-> 1".into(),
                degraded: true,
            },
        ];
        let svg = check(
            |f| spacetime(&d, &prov(), f),
            &[
                "◂ partition 0 | 1-2 (from 0.005s)",
                "degraded 0 &lt;-&gt; 1",
                "message to/from a node not shown",
                "degraded links",
            ],
        );
        assert!(svg.contains("stroke=\"#E69F00\""), "orange hatching");
        let rings = |svg: &str| svg.matches("fill=\"none\" stroke=\"#1A1A1A\"").count();
        assert_eq!(rings(&svg), 1 + 1, "the marked event and the legend's sample");
        // Without the window, nothing began before it; without the marked
        // event, no legend entry.
        d.window_s = None;
        d.events[2].hidden_peer = false;
        let svg = check(|f| spacetime(&d, &prov(), f), &["partition 0 | 1-2"]);
        assert!(!svg.contains('◂') && !svg.contains("node not shown"));
        assert_eq!(rings(&svg), 0);
    }

    /// The x coordinates of the tick labels of the time axis, by label.
    fn x_ticks(svg: &str) -> Vec<(String, i32)> {
        let y = text_attr(svg, "0", "y");
        crate::chart::testutil::text_boxes(svg)
            .into_iter()
            .filter(|(s, b)| b[1] <= y + 20 && b[3] >= y && s.parse::<f64>().is_ok())
            .map(|(s, b)| (s, (b[0] + b[2]) / 2))
            .collect()
    }

    /// A diagram cut at its limits ends its time axis at the cut, though
    /// a fault lasts past it, and says so under the plot.
    #[test]
    fn a_cut_diagram_ends_at_the_cut_and_says_so() {
        let mut d = example();
        d.faults = vec![SpacetimeFault::Network {
            from_s: 0.020,
            to_s: 0.500,
            label: "partition 0 | 1-2".into(),
            degraded: false,
        }];
        let svg = check(|f| spacetime(&d, &prov(), f), &["partition 0 | 1-2"]);
        assert!(
            x_ticks(&svg).iter().any(|(s, _)| s == "400"),
            "to the fault's end"
        );
        d.cut_s = Some(0.0955);
        let svg = check(
            |f| spacetime(&d, &prov(), f),
            &[
                "cut at 0.0955s: the run has more than 2000 messages or 5000 events; \
               a later --from/--to window shows the rest",
            ],
        );
        let ticks = x_ticks(&svg);
        assert!(ticks.iter().any(|(s, _)| s == "80"), "{ticks:?}");
        assert!(
            ticks.iter().all(|(s, _)| s.parse::<f64>().unwrap() <= 95.5),
            "{ticks:?}"
        );
    }

    /// Strokes as wide as the crash and restart ticks: 2 px at the default
    /// sizes, grown to the diagram's width (round(2 · 820 / 640) = 3; no
    /// other stroke of these diagrams that changes with the faults is).
    fn crash_ticks(svg: &str) -> usize {
        svg.matches("stroke-width=\"3\"").count()
    }

    /// A crash clipped by the window's end keeps no restart tick: its bar
    /// runs to the edge and says until when the node stays down.
    #[test]
    fn a_crash_past_the_window_continues() {
        let mut d = example();
        d.window_s = Some((0.0, 0.095));
        let down = |to_s| SpacetimeFault::Down {
            node: 1,
            from_s: 0.060,
            to_s,
        };
        let ticks = crash_ticks;
        d.faults = vec![down(0.080)];
        let svg = check(|f| spacetime(&d, &prov(), f), &["node down"]);
        let (inside, none) = (ticks(&svg), {
            d.faults.clear();
            ticks(&check(|f| spacetime(&d, &prov(), f), &[]))
        });
        assert_eq!(inside, none + 2, "crash and restart ticks");
        d.faults = vec![down(0.110)];
        let svg = check(|f| spacetime(&d, &prov(), f), &["down until 0.11s ▸"]);
        assert_eq!(ticks(&svg), none + 1, "the crash tick only");
        d.faults = vec![down(f64::INFINITY)];
        let svg = check(|f| spacetime(&d, &prov(), f), &["down ▸"]);
        assert_eq!(ticks(&svg), none + 1, "the crash tick only");
    }

    /// A crash in progress at the window's start is labelled with its
    /// start, as a partition is, and keeps no crash tick.
    #[test]
    fn a_crash_before_the_window_says_when_it_began() {
        let mut d = example();
        d.window_s = Some((0.020, 0.095));
        let down = |to_s| SpacetimeFault::Down {
            node: 1,
            from_s: 0.005,
            to_s,
        };
        let ticks = crash_ticks;
        let none = ticks(&check(|f| spacetime(&d, &prov(), f), &[]));
        d.faults = vec![down(0.060)];
        let svg = check(|f| spacetime(&d, &prov(), f), &["◂ down (from 0.005s)"]);
        assert_eq!(ticks(&svg), none + 1, "the restart tick only");
        d.faults = vec![down(0.110)];
        check(
            |f| spacetime(&d, &prov(), f),
            &["◂ down (from 0.005s) until 0.11s ▸"],
        );
        d.faults = vec![down(f64::INFINITY)];
        check(|f| spacetime(&d, &prov(), f), &["◂ down (from 0.005s) ▸"]);
        // Without a window, nothing began before it.
        d.window_s = None;
        d.faults = vec![down(0.060)];
        let svg = check(|f| spacetime(&d, &prov(), f), &[]);
        assert!(!svg.contains('◂'), "no window, no ◂");
    }

    #[test]
    fn bad_indices_and_sizes_are_rejected() {
        let mut d = example();
        d.messages[0].to = 3;
        assert!(matches!(
            spacetime(&d, &prov(), ImageFormat::Svg),
            Err(ChartError::InvalidInput { .. })
        ));
        let mut d = example();
        d.messages[0].recv_s = Some(0.0);
        assert!(matches!(
            spacetime(&d, &prov(), ImageFormat::Svg),
            Err(ChartError::InvalidInput { .. })
        ));
        let d = SpacetimeData {
            nodes: MAX_NODES + 1,
            ..Default::default()
        };
        assert!(matches!(
            spacetime(&d, &prov(), ImageFormat::Svg),
            Err(ChartError::TooLarge { .. })
        ));
    }

    /// The data's note is written under the plot, below it (and under the
    /// cut note), and the figure grows to hold it.
    #[test]
    fn a_note_is_written_under_the_plot() {
        let mut d = example();
        d.window_s = Some((0.2, 0.3));
        d.events.clear();
        d.messages.clear();
        let plain = check(|f| spacetime(&d, &prov(), f), &["no data"]);
        let note = "empty: the window starts at 0.200s but the run stopped, converged, at 0.095s";
        d.note = Some(note.into());
        let svg = check(|f| spacetime(&d, &prov(), f), &["no data", note]);
        assert!(text_attr(&svg, note, "y") > text_attr(&svg, "no data", "y"));
        let height = |svg: &str| crate::chart::testutil::well_formed(svg).1;
        // A row of NOTE_ROW_PX at 1×, grown with the width like the text.
        assert!(height(&svg) >= height(&plain) + NOTE_ROW_PX, "{}", height(&svg));
        d.cut_s = Some(0.25);
        let svg = check(|f| spacetime(&d, &prov(), f), &[note]);
        let cut = text_boxes(&svg)
            .into_iter()
            .find(|(t, _)| t.starts_with("cut at"))
            .unwrap();
        assert!(text_attr(&svg, note, "y") > cut.1[1]);
        no_text_overlaps(&svg);
    }

    #[test]
    fn empty_input_renders_no_data() {
        check_empty(|f| spacetime(&SpacetimeData::default(), &prov(), f));
        check_empty(|f| {
            spacetime(
                &SpacetimeData {
                    nodes: 4,
                    ..Default::default()
                },
                &prov(),
                f,
            )
        });
    }
}
