//! Trade-off chart for sweeps: what each setting costs against how fast it converges.
//!
//! One point per setting: x is the bandwidth per node, y the convergence time,
//! with p99 (triangles) and mean (circles) as two marker styles, each with a
//! vertical error bar over seeds, and the setting's text ("fanout=3") next to
//! it, with the share of writes that converged when some did not (the times
//! are of those that did). Labels are placed to avoid marks and each other,
//! each nearer its own point than any other's, or else farther out with a
//! leader line to its point;
//! beyond [`MAX_TEXT_LABELS`] settings the points carry numbers instead,
//! keyed in the legend (which makes the image taller). Settings with no
//! convergence time (no write converged) are named in a note under the plot.
//! Markers are drawn over the error bars; with no negative value the axes
//! start at 0 and an interval reaching below 0 is cut there, capless.

use plotters::coord::Shift;
use plotters::element::PathElement;
use plotters::prelude::{DrawingArea, DrawingBackend};
use plotters::style::text_anchor::{HPos, VPos};

use super::draw::{build, from_zero, no_data, padded, span, Axes, Usable};
use super::frame::{note_list, page_with_notes, put_text, text_size, LegendEntry, Mark, MARGIN};
use super::label::{leader, Placer, RIGHT_FIRST};
use super::marks::{cut_at, error_bar, error_bar_h, marker, Shape, CAP};
use super::raster::drawn_width;
use super::render::{render, Ctx, Figure};
use super::theme::{BLUE, INK, MUTED, VERMILLION};
use super::{ChartError, ImageFormat, Provenance, Rendered};

/// A statistic with an interval, e.g. a mean over seeds with its 95% CI.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Estimate {
    /// The point estimate.
    pub value: f64,
    /// Lower end of the error bar (`lo <= value`; NaN for no bar).
    pub lo: f64,
    /// Upper end of the error bar (`hi >= value`; NaN for no bar).
    pub hi: f64,
}

impl Estimate {
    /// The error bar `(lo, hi)` if both ends are finite.
    pub(crate) fn bar(&self) -> Option<(f64, f64)> {
        (self.lo.usable() && self.hi.usable()).then_some((self.lo, self.hi))
    }
    /// Finite values among value, lo and hi.
    pub(crate) fn finite(&self) -> impl Iterator<Item = f64> {
        [self.value, self.lo, self.hi].into_iter().filter(|v| v.usable())
    }
}

/// One sweep setting.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TradeoffPoint {
    /// Label printed next to the point, e.g. `"fanout=3"`.
    pub setting: String,
    /// Mean bytes sent per node per second.
    pub bytes_per_node_s: f64,
    /// Its interval `(lo, hi)` (drawn as horizontal bars through the
    /// markers, like the times'); `None` for none.
    pub bytes_interval: Option<(f64, f64)>,
    /// 99th-percentile convergence time (s) over writes, across seeds.
    pub p99_s: Estimate,
    /// Mean convergence time (s) over writes, across seeds.
    pub mean_s: Estimate,
    /// Mean fraction of writes that converged (the times are of those);
    /// NaN: unknown.
    pub converged: f64,
}

impl TradeoffPoint {
    /// The setting, with the share of writes that converged when below 1.
    fn label(&self) -> String {
        if self.converged.usable() && self.converged < 1.0 {
            // Rounded down: 99.96 % is not "100 % converged".
            format!(
                "{} ({} converged)",
                self.setting,
                super::floor_percent(self.converged)
            )
        } else {
            self.setting.clone()
        }
    }

    fn has_time(&self) -> bool {
        self.p99_s.value.usable() || self.mean_s.value.usable()
    }
}

/// Most settings labelled with their text; more are numbered.
pub(crate) const MAX_TEXT_LABELS: usize = 8;

/// Input of [`tradeoff`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TradeoffData {
    /// One entry per setting; labels are placed in this order.
    pub points: Vec<TradeoffPoint>,
    /// What the error bars show, for the legend, e.g. `"min–max over 10 seeds"`;
    /// empty to leave it out.
    pub interval: String,
}

/// Renders convergence time (p99 and mean) against bandwidth per node, one
/// labelled point per setting.
pub fn tradeoff(data: &TradeoffData, prov: &Provenance, format: ImageFormat) -> Result<Rendered, ChartError> {
    render(&Fig(data), prov, format)
}

struct Fig<'a>(&'a TradeoffData);

/// The bandwidth axis spans only the points (from 0 it would squeeze them
/// together): when they differ by less than [`ZOOMED_PERCENT`], a note
/// says by how much, so a gap across the plot is not read as a large one.
fn zoom_note(pts: &[&TradeoffPoint]) -> Option<String> {
    let (lo, hi) = span(pts.iter().map(|p| p.bytes_per_node_s))?;
    let spread = (hi - lo) / hi * 100.0;
    (lo > 0.0 && hi > lo && spread < ZOOMED_PERCENT).then(|| {
        let digits = if spread < 1.0 { 2 } else { 1 };
        format!("bandwidth axis zoomed: the settings differ in bandwidth by at most {spread:.digits$} %")
    })
}

/// Below this spread (percent of the largest) the bandwidth axis is noted
/// as zoomed.
const ZOOMED_PERCENT: f64 = 10.0;

const SERIES: [(&str, Shape, plotters::style::RGBColor); 2] = [
    ("p99 convergence", Shape::Triangle, VERMILLION),
    ("mean convergence", Shape::Circle, BLUE),
];

impl Fig<'_> {
    /// The settings drawn: with a bandwidth and a convergence time.
    fn drawn(&self) -> Vec<&TradeoffPoint> {
        self.0
            .points
            .iter()
            .filter(|p| p.bytes_per_node_s.usable() && p.has_time())
            .collect()
    }

    /// Whether the settings carry numbers keyed in the legend.
    fn numbered(&self) -> bool {
        self.drawn().len() > MAX_TEXT_LABELS
    }
}

impl Figure for Fig<'_> {
    fn size(&self) -> (u32, u32) {
        (640, 460)
    }

    fn places_labels(&self) -> bool {
        true
    }

    /// The markers, the interval, and with numbered settings their key.
    fn long_legend(&self) -> Vec<LegendEntry> {
        let d = self.0;
        let mut legend: Vec<LegendEntry> = SERIES
            .iter()
            .map(|(l, s, c)| LegendEntry::new(*l, Mark::Marker { color: *c, shape: *s }))
            .collect();
        if !d.interval.is_empty() {
            legend.push(LegendEntry::new(
                d.interval.clone(),
                Mark::ErrorBar { color: INK },
            ));
        }
        if self.numbered() {
            for (k, p) in self.drawn().iter().enumerate() {
                legend.push(LegendEntry::new(p.label(), Mark::Number(k as u32 + 1)));
            }
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
        let pts: Vec<&TradeoffPoint> = d.points.iter().filter(|p| p.bytes_per_node_s.usable()).collect();
        let legend = self.long_legend();
        // Settings without a time (no write converged) cannot be drawn:
        // a note under the plot says which.
        let missing: Vec<String> = d
            .points
            .iter()
            .filter(|p| !p.has_time())
            .map(|p| p.setting.clone())
            .collect();
        let (w, _) = root.dim_in_pixel();
        let mut notes: Vec<String> = if missing.is_empty() {
            Vec::new()
        } else {
            let width = w as i32 - 2 * t.px(MARGIN);
            note_list(
                root,
                &t.note_font(),
                "not drawn, no write converged",
                &missing,
                width,
            )
        };
        notes.extend(zoom_note(&pts));
        let body = page_with_notes(root, ctx, "convergence vs bandwidth", &legend, &notes)?;

        let xr = span(pts.iter().flat_map(|p| {
            let (lo, hi) = p.bytes_interval.unwrap_or((f64::NAN, f64::NAN));
            [p.bytes_per_node_s, lo, hi].into_iter().filter(|v| v.usable())
        }));
        // Bandwidths and times are never negative: when no value is, the
        // axes stop at 0 and an interval reaching below (a 95 % CI over a
        // few seeds) is cut there, without its cap.
        let x_floor = pts.iter().all(|p| p.bytes_per_node_s >= 0.0);
        // Extra room on the right for the labels of the rightmost points.
        let (x0, _) = padded(xr, 0.08, (0.0, 1.0));
        let (_, x1) = padded(xr, 0.2, (0.0, 1.0));
        let x = (if x_floor { x0.max(0.0) } else { x0 }, x1);
        let values = || {
            pts.iter()
                .flat_map(|p| [p.p99_s.value, p.mean_s.value])
                .filter(|v| v.usable())
        };
        let y_floor = values().all(|v| v >= 0.0);
        let yr = span(pts.iter().flat_map(|p| p.p99_s.finite().chain(p.mean_s.finite())));
        let y = from_zero(
            if y_floor {
                yr.map(|(lo, hi)| (lo.max(0.0), hi))
            } else {
                yr
            },
            0.1,
        );
        let axes = Axes::new(x, y, "bandwidth per node (bytes/s)", "convergence time (s)");
        let chart = build(root, &body, ctx, &axes)?;
        if !pts.iter().any(|p| p.has_time()) {
            return no_data(root, &chart, ctx);
        }
        let numbered = self.numbered();

        let (xpix, ypix) = chart.plotting_area().get_pixel_range();
        let mut placer = Placer::following((xpix.start, ypix.start, xpix.end, ypix.end), ctx.layout);
        let r = t.px(7.0);
        let cap = t.px(CAP);
        // (text, anchor, setting) of each label, and every marker with
        // its setting: a label must read as its own setting's.
        let mut anchors = Vec::new();
        let mut markers: Vec<((i32, i32), usize)> = Vec::new();
        // Interval bars (in the legend's ink) go under the markers, so that
        // the triangle and circle the legend keys stay whole; bars and
        // their caps are obstacles for the labels.
        let mut bars = Vec::new();
        let mut h_bars = Vec::new();
        let mut marks = Vec::new();
        for (i, p) in pts.iter().enumerate() {
            for (k, (_, shape, color)) in SERIES.iter().enumerate() {
                let est = if k == 0 { p.p99_s } else { p.mean_s };
                if let (Some((lo, hi)), true) = (p.bytes_interval, est.value.usable()) {
                    if lo.usable() && hi.usable() {
                        let ((lo, hi), cut) = if x_floor {
                            cut_at(x.0, (lo, hi))
                        } else {
                            ((lo, hi), false)
                        };
                        let (blo, by) = chart.backend_coord(&(lo, est.value));
                        let (bhi, _) = chart.backend_coord(&(hi, est.value));
                        h_bars.push((by, (blo, bhi), cut));
                        placer.block((blo, by - cap, bhi, by + cap));
                    }
                }
                if let Some(bar) = est.bar() {
                    let ((lo, hi), cut) = if y_floor { cut_at(y.0, bar) } else { (bar, false) };
                    let (bx, blo) = chart.backend_coord(&(p.bytes_per_node_s, lo));
                    let (_, bhi) = chart.backend_coord(&(p.bytes_per_node_s, hi));
                    bars.push((bx, (blo, bhi), cut));
                    placer.block((bx - cap, bhi, bx + cap, blo));
                }
                if est.value.usable() {
                    let (mx, my) = chart.backend_coord(&(p.bytes_per_node_s, est.value));
                    marks.push(((mx, my), *shape, *color));
                    placer.block((mx - r, my - r, mx + r, my + r));
                    markers.push(((mx, my), i));
                }
            }
            // Label the p99 point (the upper one), or the mean if p99 is missing.
            let anchor_y = if p.p99_s.value.usable() {
                p.p99_s.value
            } else {
                p.mean_s.value
            };
            if anchor_y.usable() {
                let text = if numbered {
                    (anchors.len() + 1).to_string()
                } else {
                    p.label()
                };
                anchors.push((text, chart.backend_coord(&(p.bytes_per_node_s, anchor_y)), i));
            }
        }
        for (bx, ends, cut) in bars {
            error_bar(root, bx, ends, cut, INK, t)?;
        }
        for (by, ends, cut) in h_bars {
            error_bar_h(root, by, ends, cut, INK, t)?;
        }
        for (at, shape, color) in marks {
            marker(root, at, shape, color, t)?;
        }
        let font = t.note_font();
        let gap = if numbered { t.px(5.0) } else { t.px(9.0) };
        for (text, anchor, owner) in anchors {
            // As wide as drawn: the estimate is a few % wider, which on
            // the left of a point leaves a gap that reads as another's.
            let (w, h) = (drawn_width(&text, &font), text_size(root, &text, &font).1);
            let size = (w, h + t.px(2.0));
            let others: Vec<(i32, i32)> = markers
                .iter()
                .filter(|(_, o)| *o != owner)
                .map(|(m, _)| *m)
                .collect();
            let placed = placer.place_attached(anchor, size, gap, &RIGHT_FIRST, &others);
            let (x0, y0) = placed.pos;
            let (from, to) = leader(anchor, r, (x0, y0, x0 + size.0, y0 + size.1));
            // (A label touching its marker needs none.)
            if placed.leader && (to.0 - from.0).abs().max((to.1 - from.1).abs()) >= t.px(3.0) {
                root.draw(&PathElement::new(vec![from, to], t.line(MUTED, 1.0)))?;
                placer.block_line(from, to, t.px(2.0));
            }
            put_text(root, &text, placed.pos, &font, HPos::Left, VPos::Top)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::testutil::{check, check_empty, count, prov, text_attr};

    fn est(v: f64) -> Estimate {
        Estimate {
            value: v,
            lo: v * 0.8,
            hi: v * 1.25,
        }
    }

    /// A bandwidth interval is drawn as a capped horizontal bar through
    /// each marker, from its low to its high end on the x axis.
    #[test]
    fn bandwidth_intervals_are_horizontal_bars() {
        let data = |interval: bool| TradeoffData {
            points: (1..=3)
                .map(|k| TradeoffPoint {
                    setting: format!("fanout={k}"),
                    bytes_per_node_s: 100.0 * f64::from(k),
                    bytes_interval: interval
                        .then(|| (100.0 * f64::from(k) - 20.0, 100.0 * f64::from(k) + 20.0)),
                    p99_s: est(20.0 / f64::from(k)),
                    mean_s: est(8.0 / f64::from(k)),
                    converged: 1.0,
                })
                .collect(),
            interval: "95% CI over 5 seeds".into(),
        };
        let ink = |interval: bool| {
            let svg = String::from_utf8(
                tradeoff(&data(interval), &prov(), ImageFormat::Svg)
                    .unwrap()
                    .bytes,
            )
            .unwrap();
            crate::chart::testutil::polylines(&svg, "#1A1A1A")
        };
        let horizontal = |lines: &[Vec<(i32, i32)>]| {
            lines
                .iter()
                .filter(|l| l.len() == 2 && l[0].1 == l[1].1 && (l[1].0 - l[0].0).abs() > 10)
                .map(|l| (l[1].0 - l[0].0).abs())
                .collect::<Vec<_>>()
        };
        // Six bars (two markers a point), each 40 bytes/s wide: six
        // horizontal ink segments of one length (to a pixel) more.
        let (without, with) = (horizontal(&ink(false)), horizontal(&ink(true)));
        let mut new = with.clone();
        for w in &without {
            if let Some(i) = new.iter().position(|n| n == w) {
                new.remove(i);
            }
        }
        assert!(new.len() >= 6, "{without:?} → {with:?}");
        let same = |len: i32| new.iter().filter(|&&n| (n - len).abs() <= 1).count();
        assert!(new.iter().any(|&n| same(n) >= 6), "{new:?}");
    }

    /// The 12 points of a tester's sweep (fan-out 1–6 × loss 0 and 0.3,
    /// 3 seeds): crowded, numbered labels.
    fn sw12() -> TradeoffData {
        #[rustfmt::skip]
        let rows = [
            ("fanout=1, loss=0.0", 1623.8, (1595.0, 1652.5), (12.273, 11.373, 13.172), (5.588, 5.297, 5.879)),
            ("fanout=1, loss=0.3", 1426.1, (1399.0, 1453.3), (20.024, 17.308, 22.741), (12.829, 10.536, 15.122)),
            ("fanout=2, loss=0.0", 3148.8, (3120.0, 3177.6), (11.193, 10.670, 11.715), (3.516, 2.841, 4.192)),
            ("fanout=2, loss=0.3", 2736.5, (2701.6, 2771.4), (13.709, 11.408, 16.009), (6.919, 6.508, 7.330)),
            ("fanout=3, loss=0.0", 4655.2, (4635.5, 4674.9), (11.108, 10.219, 11.997), (3.038, 2.421, 3.655)),
            ("fanout=3, loss=0.3", 4046.5, (4012.6, 4080.4), (12.109, 10.876, 13.341), (5.034, 4.738, 5.330)),
            ("fanout=4, loss=0.0", 6165.1, (6160.9, 6169.3), (11.055, 10.579, 11.530), (2.814, 2.152, 3.476)),
            ("fanout=4, loss=0.3", 5358.6, (5283.4, 5433.8), (11.767, 10.614, 12.919), (4.197, 3.660, 4.735)),
            ("fanout=5, loss=0.0", 7679.9, (7647.0, 7712.8), (10.608, 9.760, 11.456), (2.577, 1.933, 3.221)),
            ("fanout=5, loss=0.3", 6652.7, (6624.9, 6680.4), (11.480, 11.101, 11.859), (3.789, 3.353, 4.225)),
            ("fanout=6, loss=0.0", 9170.4, (9161.3, 9179.5), (10.139, 8.902, 11.375), (2.390, 1.727, 3.053)),
            ("fanout=6, loss=0.3", 7935.8, (7890.1, 7981.5), (10.843, 9.234, 12.452), (3.289, 2.695, 3.883)),
        ];
        let e = |(value, lo, hi)| Estimate { value, lo, hi };
        TradeoffData {
            points: rows
                .into_iter()
                .map(|(setting, bw, ci, p99, mean)| TradeoffPoint {
                    setting: setting.into(),
                    bytes_per_node_s: bw,
                    bytes_interval: Some(ci),
                    p99_s: e(p99),
                    mean_s: e(mean),
                    converged: 1.0,
                })
                .collect(),
            interval: "95% CI over 3 seeds".into(),
        }
    }

    /// The PNG is drawn at 2×: every point label sits at twice its SVG
    /// position (to the pixels the text's own size rounds differently),
    /// on the same side of its point, in a crowded chart where deciding
    /// again at 2× moved labels 1, 4 and 10.
    #[test]
    fn png_places_labels_as_the_svg_does() {
        let data = sw12();
        let one = String::from_utf8(tradeoff(&data, &prov(), ImageFormat::Svg).unwrap().bytes).unwrap();
        let two = crate::chart::render::svg_at_png_scale(&Fig(&data), &prov()).unwrap();
        for k in 1..=12 {
            let label = k.to_string();
            let at = |svg: &str| {
                let xy = |a| text_attr(svg, &label, a);
                (xy("x"), xy("y"))
            };
            let ((x1, y1), (x2, y2)) = (at(&one), at(&two));
            // Within 3 px at 1×: the plot area itself is laid out from
            // text measured at each scale.
            assert!(
                (x2 - 2 * x1).abs() <= 6 && (y2 - 2 * y1).abs() <= 6,
                "label {k}: ({x1}, {y1}) at 1×, ({x2}, {y2}) at 2×"
            );
        }
    }

    /// With 3 seeds a 95 % CI can reach below 0 s: the time axis still
    /// starts at 0 (no negative tick), the bar is cut at the axis (no cap
    /// there), and every marker is drawn after (over) the ink bars.
    #[test]
    fn times_start_at_zero_and_markers_cover_their_bars() {
        let data = TradeoffData {
            points: vec![
                TradeoffPoint {
                    setting: "fanout=1".into(),
                    bytes_per_node_s: 1000.0,
                    bytes_interval: None,
                    p99_s: Estimate {
                        value: 8.0,
                        lo: -6.0,
                        hi: 22.0,
                    },
                    mean_s: est(3.0),
                    converged: 1.0,
                },
                TradeoffPoint {
                    setting: "fanout=2".into(),
                    bytes_per_node_s: 2000.0,
                    bytes_interval: None,
                    p99_s: est(5.0),
                    mean_s: est(2.0),
                    converged: 1.0,
                },
            ],
            interval: "95% CI over 3 seeds".into(),
        };
        let svg = check(|f| tradeoff(&data, &prov(), f), &["fanout=1", "fanout=2"]);
        assert!(!svg.contains(">-"), "a negative tick label");
        // The cut bar ends at the plot's bottom, the x axis (the longest
        // horizontal ink line).
        let ink = crate::chart::testutil::polylines(&svg, "#1A1A1A");
        let two = |l: &&Vec<(i32, i32)>| l.len() == 2;
        let axis = ink
            .iter()
            .filter(two)
            .filter(|l| l[0].1 == l[1].1)
            .max_by_key(|l| (l[1].0 - l[0].0).abs())
            .unwrap();
        let axis_x = ink
            .iter()
            .filter(two)
            .filter(|l| l[0].0 == l[1].0)
            .map(|l| l[0].0)
            .min()
            .unwrap();
        let lowest = ink
            .iter()
            .filter(two)
            .filter(|l| l[0].0 == l[1].0 && l[0].0 > axis_x + 1 && (l[0].1 - l[1].1).abs() > 20)
            .map(|l| l[0].1.max(l[1].1))
            .max()
            .unwrap();
        assert!(
            (lowest - axis[0].1).abs() <= 1,
            "bar ends at {lowest}, axis at {}",
            axis[0].1
        );
        // Caps are 8 px wide: two on the legend's sample, two on each of
        // three whole bars, one on the cut bar.
        let caps = ink
            .iter()
            .filter(two)
            .filter(|l| l[0].1 == l[1].1 && (l[0].0 - l[1].0).abs() == 8)
            .count();
        assert_eq!(caps, 2 + 3 * 2 + 1, "{ink:?}");
        // Every plotted marker comes after the last ink bar (the legend's
        // samples are drawn before the plot).
        let plot = &svg[svg.rfind("stroke=\"#1A1A1A\"").unwrap()..];
        assert_eq!(
            (count(plot, "polygon"), count(plot, "circle")),
            (2, 2),
            "markers over the bars"
        );
    }

    /// Five settings with no converged write are all named (wrapping onto
    /// a second line), none counted as "N more".
    #[test]
    fn every_setting_not_drawn_is_named() {
        let mut data = sw12();
        for p in &mut data.points[..5] {
            p.p99_s = Estimate {
                value: f64::NAN,
                lo: f64::NAN,
                hi: f64::NAN,
            };
            p.mean_s = p.p99_s;
        }
        let svg = String::from_utf8(tradeoff(&data, &prov(), ImageFormat::Svg).unwrap().bytes).unwrap();
        for p in &data.points[..5] {
            assert!(svg.contains(&p.setting), "{} is not named", p.setting);
        }
        assert!(!svg.contains(" more<") && !svg.contains(" more\n"));
    }

    /// Bandwidths 0.64 % apart (46,650 to 46,950 bytes/s) fill the axis,
    /// and a note says how little they differ; 100 to 300 need none.
    #[test]
    fn a_zoomed_bandwidth_axis_is_noted() {
        let data = |bws: [f64; 3]| TradeoffData {
            points: bws
                .iter()
                .enumerate()
                .map(|(k, &bw)| TradeoffPoint {
                    setting: format!("mtu={k}"),
                    bytes_per_node_s: bw,
                    bytes_interval: None,
                    p99_s: est(2.0 + k as f64),
                    mean_s: est(1.0 + k as f64),
                    converged: 1.0,
                })
                .collect(),
            interval: String::new(),
        };
        let svg =
            |bws| String::from_utf8(tradeoff(&data(bws), &prov(), ImageFormat::Svg).unwrap().bytes).unwrap();
        let zoomed = svg([46_650.0, 46_800.0, 46_950.0]);
        assert!(
            zoomed.contains("bandwidth axis zoomed: the settings differ in bandwidth by at most 0.64 %"),
            "{zoomed}"
        );
        assert!(!svg([100.0, 200.0, 300.0]).contains("zoomed"));
    }

    #[test]
    fn renders_labelled_points_with_error_bars() {
        let points: Vec<TradeoffPoint> = (1..=5)
            .map(|k| TradeoffPoint {
                setting: format!("fanout={k}"),
                bytes_per_node_s: 100.0 * f64::from(k),
                bytes_interval: None,
                p99_s: est(20.0 / f64::from(k)),
                mean_s: est(8.0 / f64::from(k)),
                converged: 1.0,
            })
            .collect();
        let data = TradeoffData {
            points,
            interval: "min–max over 5 seeds".into(),
        };
        let svg = check(
            |f| tradeoff(&data, &prov(), f),
            &[
                "unit: convergence vs bandwidth",
                "bandwidth per node (bytes/s)",
                "convergence time (s)",
                "fanout=1",
                "fanout=5",
                "min–max over 5 seeds",
            ],
        );
        assert!(count(&svg, "polygon") >= 6, "p99 triangles and the legend sample");
        assert!(count(&svg, "circle") >= 6, "mean circles and the legend sample");
        assert!(
            count(&svg, "polyline") >= 5 * 2 * 3,
            "two capped error bars per point"
        );
        // The markers are drawn over the bars, so the legend's triangle
        // and circle stay recognisable: no ink bar after the first marker
        // of the plot (the legend's samples come before it).
        let plot = &svg[svg.rfind("stroke=\"#1A1A1A\"").unwrap()..];
        assert_eq!(
            plot.matches("<circle").count(),
            5,
            "every mean circle after the last bar"
        );
    }

    #[test]
    fn missing_values_and_bars_are_skipped() {
        let data = TradeoffData {
            points: vec![
                TradeoffPoint {
                    setting: "a".into(),
                    bytes_per_node_s: 10.0,
                    bytes_interval: None,
                    p99_s: Estimate {
                        value: 3.0,
                        lo: f64::NAN,
                        hi: f64::NAN,
                    },
                    mean_s: est(f64::NAN),
                    converged: f64::NAN,
                },
                TradeoffPoint {
                    setting: "b".into(),
                    bytes_per_node_s: f64::NAN,
                    bytes_interval: None,
                    p99_s: est(1.0),
                    mean_s: est(1.0),
                    converged: 1.0,
                },
            ],
            interval: String::new(),
        };
        let svg = check(|f| tradeoff(&data, &prov(), f), &[">\na\n<"]);
        assert!(!svg.contains(">\nb\n<"), "a point without x is skipped");
    }

    /// Up to eight settings are labelled with their text (and the share
    /// of writes that converged, when below all); more carry numbers keyed
    /// in the legend. A setting with no time is named in a note.
    #[test]
    fn many_settings_are_numbered_and_missing_ones_named() {
        // Times below 1 s and bandwidths in thousands: no tick label is a
        // small whole number like the settings' numbers.
        let point = |k: u32, converged: f64| TradeoffPoint {
            setting: format!("fanout={k}"),
            bytes_per_node_s: 1000.0 * f64::from(k),
            bytes_interval: None,
            p99_s: est(0.2 / f64::from(k)),
            mean_s: est(0.08 / f64::from(k)),
            converged,
        };
        let few = TradeoffData {
            points: vec![point(1, 0.8824), point(2, 1.0)],
            interval: String::new(),
        };
        let svg = check(
            |f| tradeoff(&few, &prov(), f),
            &[">\nfanout=1 (88.2% converged)\n<", ">\nfanout=2\n<"],
        );
        assert!(!svg.contains("not drawn"));
        let mut points: Vec<TradeoffPoint> = (1..=10).map(|k| point(k, 1.0)).collect();
        points.push(TradeoffPoint {
            setting: "loss=1.0".into(),
            bytes_per_node_s: 50.0,
            bytes_interval: None,
            p99_s: est(f64::NAN),
            mean_s: est(f64::NAN),
            converged: 0.0,
        });
        let many = TradeoffData {
            points,
            interval: String::new(),
        };
        let svg = check(
            |f| tradeoff(&many, &prov(), f),
            &[
                ">\nfanout=10\n<",
                ">\n10\n<",
                "not drawn, no write converged: loss=1.0",
            ],
        );
        // Each number twice: at its point and in the legend's key.
        let times = |text: &str| svg.matches(&format!(">\n{text}\n<")).count();
        for k in 1..=10 {
            assert_eq!(times(&k.to_string()), 2, "number {k}");
        }
        assert_eq!(times("11"), 0, "the missing setting has no number");
    }

    /// Labels of settings close together each read as their own: nearer
    /// their own markers than any other setting's, or joined to theirs by
    /// a leader line. With the numbers of the mtu-orders sweep, the label
    /// of precise-oldest sat just under scuttle-depth's triangle, and
    /// scuttle-depth's beside precise-oldest's.
    #[test]
    fn labels_read_as_their_own_points() {
        let e = |[value, lo, hi]: [f64; 3]| Estimate { value, lo, hi };
        let point = |order: &str, bw, p99, mean, converged| TradeoffPoint {
            setting: format!("order={order}"),
            bytes_per_node_s: bw,
            bytes_interval: None,
            p99_s: e(p99),
            mean_s: e(mean),
            converged,
        };
        let data = TradeoffData {
            points: vec![
                point(
                    "precise-oldest",
                    2488.251389,
                    [34.371699, 32.707729, 36.035668],
                    [24.350174, 23.754457, 24.945890],
                    0.944947,
                ),
                point(
                    "precise-newest",
                    2453.860556,
                    [76.846860, 76.119728, 77.573993],
                    [44.029238, 43.677146, 44.381331],
                    1.0,
                ),
                point(
                    "scuttle-breadth",
                    2480.375,
                    [30.152549, 29.124599, 31.180500],
                    [19.320681, 18.768765, 19.872597],
                    0.997003,
                ),
                point(
                    "scuttle-depth",
                    2494.532222,
                    [42.979746, 41.257393, 44.702098],
                    [26.296833, 26.069021, 26.524645],
                    0.999559,
                ),
            ],
            interval: "95% CI over 5 seeds".into(),
        };
        let svg = check(|f| tradeoff(&data, &prov(), f), &[]);
        let attr = |tag: &str, name: &str| -> String {
            tag.split(&format!(" {name}=\""))
                .nth(1)
                .unwrap()
                .split('"')
                .next()
                .unwrap()
                .to_string()
        };
        let tags = |name: &str, fill: &str| -> Vec<String> {
            svg.split(&format!("<{name} "))
                .skip(1)
                .map(|t| format!(" {}", t.split('>').next().unwrap()))
                .filter(|t| t.contains(&format!("fill=\"{fill}\"")))
                .collect()
        };
        // Each setting's markers (after the legend's): triangle, circle.
        let triangles: Vec<(i32, i32)> = tags("polygon", "#D55E00")
            .iter()
            .skip(1)
            .map(|t| {
                let p: Vec<(i32, i32)> = attr(t, "points")
                    .split_whitespace()
                    .map(|xy| {
                        let (x, y) = xy.split_once(',').unwrap();
                        (x.parse().unwrap(), y.parse().unwrap())
                    })
                    .collect();
                (p[0].0, p[0].1 + p[1].0 - p[0].0)
            })
            .collect();
        let circles: Vec<(i32, i32)> = tags("circle", "#0072B2")
            .iter()
            .skip(1)
            .map(|t| (attr(t, "cx").parse().unwrap(), attr(t, "cy").parse().unwrap()))
            .collect();
        assert_eq!((triangles.len(), circles.len()), (4, 4));
        let leaders = crate::chart::testutil::polylines(&svg, "#606060");
        let boxes = crate::chart::testutil::text_boxes(&svg);
        let dist = |b: [i32; 4], (x, y): (i32, i32)| {
            let dx = (b[0] - x).max(x - b[2]).max(0);
            let dy = (b[1] - y).max(y - b[3]).max(0);
            f64::from(dx).hypot(f64::from(dy))
        };
        for (k, p) in data.points.iter().enumerate() {
            let b = boxes.iter().find(|(t, _)| *t == p.label()).unwrap().1;
            let own = [triangles[k], circles[k]];
            let near =
                |ms: &mut dyn Iterator<Item = (i32, i32)>| ms.map(|m| dist(b, m)).fold(f64::MAX, f64::min);
            let d_own = near(&mut own.into_iter());
            let d_other = near(
                &mut (0..4)
                    .filter(|&j| j != k)
                    .flat_map(|j| [triangles[j], circles[j]]),
            );
            let joined = leaders.iter().any(|l| {
                let (a, z) = (l[0], l[l.len() - 1]);
                own.iter().any(|&m| dist([m.0, m.1, m.0, m.1], a) <= 10.0) && dist(b, z) <= 4.0
            });
            assert!(
                d_own < d_other || joined,
                "{}: {d_own:.1} px from its markers, {d_other:.1} from another's, no leader line",
                p.label()
            );
        }
    }

    #[test]
    fn empty_input_renders_no_data() {
        check_empty(|f| tradeoff(&TradeoffData::default(), &prov(), f));
    }
}
