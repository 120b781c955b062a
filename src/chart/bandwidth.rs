//! Bandwidth chart: what the protocol costs, over time and across nodes.
//!
//! Panel (a) stacks the network-wide rate of each series — message parts
//! (`other`, `digest`, `delta`) or message kinds — over time, so the top
//! edge is the total, with the network faults shaded behind it (as in
//! the space-time diagram); panel (b) shows, per series (or total), how the
//! per-node rate is distributed as a box plot (min, quartiles, median, max),
//! which exposes hot spots a mean would hide. Series named like a known kind
//! or part keep their colour in every chart (`digest` blue, `delta`
//! vermillion, `other` grey).

use plotters::coord::Shift;
use plotters::element::{PathElement, Polygon, Rectangle};
use plotters::prelude::{DrawingArea, DrawingBackend};

use super::draw::{build, dedup_px, from_zero, no_data, plot_columns, span, time_ticks, Axes, Ticks, Usable};
use super::fault_bands::{extra_height, plan_lane, shade_network_faults};
use super::frame::{page, LegendEntry, Mark};
use super::render::{render, Ctx, Figure};
use super::spacetime::network_legend;
use super::theme::{KindColors, BLACK, INK};
use super::SpacetimeFault;
use super::{ChartError, ImageFormat, Provenance, Rendered};
use plotters::style::WHITE;

/// Network-wide rate of one series (a message part or kind) over time.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct KindRate {
    /// Series name: a message part (`"digest"`, `"delta"`, `"other"`) or a
    /// message kind (`"syn"`).
    pub kind: String,
    /// Bytes per second summed over all nodes, one value per `time_s` entry.
    pub bytes_per_s: Vec<f64>,
}

/// Per-node rates for one box of the box plot.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NodeRates {
    /// Box label: a series of panel (a) (coloured like it) or `"total"` (black).
    pub label: String,
    /// One value per node: its mean bytes per second over the run.
    pub bytes_per_s: Vec<f64>,
}

/// Input of [`bandwidth`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BandwidthData {
    /// Times (s) of the rate samples, ascending.
    pub time_s: Vec<f64>,
    /// Stacked bottom to top in this order. A time at which any kind's value is
    /// not finite is skipped for all kinds, so the stack stays consistent.
    pub kinds: Vec<KindRate>,
    /// Boxes of panel (b), left to right.
    pub per_node: Vec<NodeRates>,
    /// What the series are, for the captions and axis: `"message part"` or
    /// `"message kind"` (the default when empty).
    pub by: String,
    /// Partitions, cuts and degradations, shaded behind panel (a) as in the
    /// space-time diagram (the [`SpacetimeFault::Network`] ones; others
    /// are ignored), so a dip in traffic can be read against its cause.
    pub faults: Vec<SpacetimeFault>,
    /// The time axis of panel (a), `(from, to)` in seconds, when it shows
    /// a window of the run (`chart --from/--to`; `time_s` then holds only
    /// the samples inside it): faults are clipped to it and one that began
    /// before it says when, and panel (b), which is over the whole run,
    /// says so. `None`: the axis runs from 0 to the last sample.
    pub window_s: Option<(f64, f64)>,
}

/// Renders the two-panel bandwidth chart: stacked rate by series over time,
/// and per-node rate distributions.
pub fn bandwidth(
    data: &BandwidthData,
    prov: &Provenance,
    format: ImageFormat,
) -> Result<Rendered, ChartError> {
    render(&Fig(data), prov, format)
}

/// Five-number summary `[min, q1, median, q3, max]` of the finite values,
/// quartiles by linear interpolation between order statistics (type 7).
pub(crate) fn five_numbers(values: &[f64]) -> Option<[f64; 5]> {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.usable()).collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let q = |p: f64| {
        let h = (v.len() - 1) as f64 * p;
        let (lo, frac) = (h.floor() as usize, h - h.floor());
        let hi = (lo + 1).min(v.len() - 1);
        v[lo] + (v[hi] - v[lo]) * frac
    };
    Some([v[0], q(0.25), q(0.5), q(0.75), v[v.len() - 1]])
}

struct Fig<'a>(&'a BandwidthData);

const STACK_ALPHA: f64 = 0.8;
const BOX_ALPHA: f64 = 0.35;

impl Fig<'_> {
    /// Times and cumulative sums per kind, at the times where every value is
    /// finite (and inside the window, if any).
    fn stack(&self) -> (Vec<f64>, Vec<Vec<f64>>) {
        let d = self.0;
        let mut times = Vec::new();
        let mut cum: Vec<Vec<f64>> = vec![Vec::new(); d.kinds.len()];
        let inside = |t: f64| d.window_s.is_none_or(|(a, b)| (a..=b).contains(&t));
        for (i, t) in d.time_s.iter().enumerate() {
            if !t.usable() || !inside(*t) || d.kinds.iter().any(|k| !k.bytes_per_s[i].usable()) {
                continue;
            }
            times.push(*t);
            let mut acc = 0.0;
            for (k, c) in d.kinds.iter().zip(cum.iter_mut()) {
                acc += k.bytes_per_s[i];
                c.push(acc);
            }
        }
        (times, cum)
    }

    /// Kind colours over the stacked kinds and the box labels ("total" is black).
    fn colors(&self) -> KindColors {
        let d = self.0;
        let boxes = d
            .per_node
            .iter()
            .map(|b| b.label.as_str())
            .filter(|l| *l != TOTAL);
        KindColors::new(d.kinds.iter().map(|k| k.kind.as_str()).chain(boxes))
    }
}

/// Box label drawn in black (the kind "other" is grey).
const TOTAL: &str = "total";

impl Figure for Fig<'_> {
    fn size(&self) -> (u32, u32) {
        (1000, 440 + extra_height(&self.0.faults, 1000, true))
    }

    /// Two panels side by side, shown one column wide like the others.
    fn sizes_grow_with_width(&self) -> bool {
        true
    }

    fn validate(&self) -> Result<(), ChartError> {
        if let Some((a, b)) = self.0.window_s {
            if !(a.usable() && b.usable() && a < b) {
                return Err(ChartError::InvalidInput {
                    chart: "bandwidth",
                    reason: format!("the window ({a}, {b}) is not an interval"),
                });
            }
        }
        let n = self.0.time_s.len();
        match self.0.kinds.iter().find(|k| k.bytes_per_s.len() != n) {
            Some(k) => Err(ChartError::InvalidInput {
                chart: "bandwidth",
                reason: format!(
                    "kind {:?} has {} values but time_s has {n}",
                    k.kind,
                    k.bytes_per_s.len()
                ),
            }),
            None => Ok(()),
        }
    }

    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        ctx: &Ctx<'_>,
    ) -> Result<(), ChartError> {
        let t = &ctx.theme;
        let d = self.0;
        let colors = self.colors();
        let legend: Vec<LegendEntry> = d
            .kinds
            .iter()
            .map(|k| {
                LegendEntry::new(
                    k.kind.clone(),
                    Mark::Band {
                        color: colors.get(&k.kind),
                        alpha: STACK_ALPHA,
                    },
                )
            })
            .collect();
        let mut legend = legend;
        legend.extend(network_legend(&d.faults));
        // A legend even for one kind: the kind's name appears nowhere else in (a).
        let body = page(root, ctx, "bandwidth", &legend)?;
        let (w, _) = body.dim_in_pixel();
        let (left, right) = body.split_horizontally(w as i32 * 60 / 100);
        let right = right.margin(0, 0, t.px(24.0), 0);
        let by = if d.by.is_empty() {
            "message kind"
        } else {
            d.by.as_str()
        };
        let caption = format!("(a) rate by {by}");

        // (a) stacked rates over time.
        let (times, cum) = self.stack();
        let y = from_zero(span(cum.iter().flatten().copied()), 0.08);
        let x = d
            .window_s
            .unwrap_or_else(|| from_zero(span(times.iter().copied()), 0.0));
        let (x_ticks, unit) = time_ticks(x, 7);
        let x_desc = format!("time ({unit})");
        let mut a = Axes::new(x, y, &x_desc, "bytes/s (all nodes)");
        a.x_ticks = x_ticks;
        a.caption = Some(&caption);
        let lane = plan_lane(
            root,
            t,
            &d.faults,
            x,
            plot_columns(root, &left, ctx, &a),
            d.window_s.is_some(),
        );
        a.lane = lane.height;
        let chart = build(root, &left, ctx, &a)?;
        if times.len() < 2 || cum.is_empty() {
            no_data(root, &chart, ctx)?;
        } else {
            shade_network_faults(root, &chart, x, &d.faults, t, Some(&lane))?;
            for (k, upper) in cum.iter().enumerate() {
                let color = colors.get(&d.kinds[k].kind);
                let up = times
                    .iter()
                    .zip(upper)
                    .map(|(x, y)| chart.backend_coord(&(*x, *y)));
                let pts = dedup_px(match k {
                    0 => up
                        .chain([
                            chart.backend_coord(&(times[times.len() - 1], 0.0)),
                            chart.backend_coord(&(times[0], 0.0)),
                        ])
                        .collect(),
                    _ => up
                        .chain(
                            times
                                .iter()
                                .zip(&cum[k - 1])
                                .rev()
                                .map(|(x, y)| chart.backend_coord(&(*x, *y))),
                        )
                        .collect(),
                });
                root.draw(&Polygon::new(pts, t.tint(color, STACK_ALPHA)))?;
                let edge = dedup_px(
                    times
                        .iter()
                        .zip(upper)
                        .map(|(x, y)| chart.backend_coord(&(*x, *y)))
                        .collect(),
                );
                root.draw(&PathElement::new(edge, t.line(color, 1.5)))?;
            }
        }

        // (b) per-node distributions.
        let boxes: Vec<(&NodeRates, Option<[f64; 5]>)> = d
            .per_node
            .iter()
            .map(|b| (b, five_numbers(&b.bytes_per_s)))
            .collect();
        let yr = span(boxes.iter().filter_map(|(_, f)| *f).flat_map(|f| [f[0], f[4]]));
        let ticks = boxes
            .iter()
            .enumerate()
            .map(|(i, (b, _))| (i as f64, b.label.clone()))
            .collect();
        let mut b = Axes::new(
            (-0.6, boxes.len().max(1) as f64 - 0.4),
            from_zero(yr, 0.08),
            by,
            "bytes/s per node",
        );
        b.x_ticks = Ticks::Custom(ticks);
        // The per-node totals are the whole run's, whatever (a) shows.
        b.caption = Some(if d.window_s.is_some() {
            "(b) per-node rate, whole run"
        } else {
            "(b) per-node rate"
        });
        let chart = build(root, &right, ctx, &b)?;
        if boxes.iter().all(|(_, f)| f.is_none()) {
            return no_data(root, &chart, ctx);
        }
        for (i, (nr, five)) in boxes.iter().enumerate() {
            let Some([min, q1, med, q3, max]) = *five else {
                continue;
            };
            let color = if nr.label == TOTAL {
                BLACK
            } else {
                colors.get(&nr.label)
            };
            let x = i as f64;
            let p = |y: f64, dx: f64| chart.backend_coord(&(x + dx, y));
            let hw = 0.28;
            // At least a few pixels tall, so a narrow box still reads as a box.
            let (mut a, mut b) = (p(q3, -hw), p(q1, hw));
            let least = t.px(MIN_BOX_PX);
            if b.1 - a.1 < least {
                let mid = (a.1 + b.1) / 2;
                (a.1, b.1) = (mid - least / 2, mid - least / 2 + least);
            }
            root.draw(&Rectangle::new([a, b], t.tint(color, BOX_ALPHA)))?;
            // A closed path, not a stroked rectangle: plotters' SVG rect ignores stroke width.
            root.draw(&PathElement::new(
                vec![a, (b.0, a.1), b, (a.0, b.1), a],
                t.line(color, 1.8),
            ))?;
            for (y0, y1) in [(min, q1), (q3, max)] {
                root.draw(&PathElement::new(
                    vec![p(y0, 0.0), p(y1, 0.0)],
                    t.line(color, 1.8),
                ))?;
            }
            for y in [min, max] {
                root.draw(&PathElement::new(
                    vec![p(y, -hw / 2.0), p(y, hw / 2.0)],
                    t.line(color, 1.8),
                ))?;
            }
            // A thin median: ink in a box tall enough to hold it on the
            // light fill, else white across the box's dark outline.
            let median = if b.1 - a.1 > 3 * least {
                t.line(INK, 1.6)
            } else {
                t.line(WHITE, 1.2)
            };
            let (ma, mb) = (p(med, -hw), p(med, hw));
            let my = ma.1.clamp(a.1, b.1);
            root.draw(&PathElement::new(vec![(ma.0, my), (mb.0, my)], median))?;
        }
        Ok(())
    }
}

/// Least height of a box (px at 1×).
const MIN_BOX_PX: f64 = 6.0;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::spacetime::BAND_ALPHA;
    use crate::chart::testutil::{check, check_empty, count, font_size, no_text_overlaps, prov, rects_with};
    use crate::chart::{staleness, StalenessData};

    #[test]
    fn five_numbers_interpolate_quartiles() {
        assert_eq!(
            five_numbers(&[4.0, 1.0, 3.0, 2.0, f64::NAN]),
            Some([1.0, 1.75, 2.5, 3.25, 4.0])
        );
        assert_eq!(five_numbers(&[7.0]), Some([7.0; 5]));
        assert_eq!(five_numbers(&[f64::INFINITY]), None);
    }

    /// A partition from 10 s to 20 s of a 0–29 s series: a band spanning
    /// exactly those times behind panel (a), its label on it, and its
    /// legend entry; a degradation is hatched; without faults, neither.
    #[test]
    fn network_faults_are_shaded_over_time() {
        let mut d = sample();
        d.faults = vec![
            SpacetimeFault::Network {
                from_s: 10.0,
                to_s: 20.0,
                label: "partition east | west".into(),
                degraded: false,
            },
            SpacetimeFault::Down {
                node: 0,
                from_s: 1.0,
                to_s: 2.0,
            },
        ];
        let svg = String::from_utf8(bandwidth(&d, &prov(), ImageFormat::Svg).unwrap().bytes).unwrap();
        assert!(svg.contains(">\npartition east | west\n<") && svg.contains(">\npartition / cut\n<"));
        // The band: the rectangle of the band's opacity, from x(10) to x(20).
        let tick = |label: &str| crate::chart::testutil::text_attr(&svg, label, "x");
        let (x10, x20) = (tick("10"), tick("20"));
        let band = rects_with(&svg, &format!("opacity=\"{BAND_ALPHA}\""))[0];
        assert!((band[0] - x10).abs() <= 2, "{band:?} vs x(10) = {x10}");
        assert!((band[0] + band[2] - x20).abs() <= 2, "{band:?} vs x(20) = {x20}");
        let plain =
            String::from_utf8(bandwidth(&sample(), &prov(), ImageFormat::Svg).unwrap().bytes).unwrap();
        assert!(!plain.contains("partition") && !plain.contains(&format!("opacity=\"{BAND_ALPHA}\"")));
        if let SpacetimeFault::Network { degraded, .. } = &mut d.faults[0] {
            *degraded = true;
        }
        let hatched = String::from_utf8(bandwidth(&d, &prov(), ImageFormat::Svg).unwrap().bytes).unwrap();
        assert!(hatched.contains(">\ndegraded links\n<"));
    }

    /// Overlapping faults with long labels, one near the end: every label
    /// is inside panel (a)'s width and above its plot (in the lane, over
    /// no data), none touches another text, and the last ends at its
    /// band's end rather than running out of the plot.
    #[test]
    fn fault_labels_stay_apart_in_a_lane_above_the_plot() {
        let mut d = sample();
        let net = |from_s: f64, to_s: f64, label: &str, degraded: bool| SpacetimeFault::Network {
            from_s,
            to_s,
            label: label.into(),
            degraded,
        };
        d.faults = vec![
            net(2.0, 8.0, "partition east | west", false),
            net(5.0, 12.0, "degraded east | west (latency x3)", true),
            net(6.0, 9.0, "cut 0-3 -> 4-7", false),
            net(26.0, 29.0, "degraded 0-3 | 4-7 (loss 0.3)", true),
        ];
        let svg = String::from_utf8(bandwidth(&d, &prov(), ImageFormat::Svg).unwrap().bytes).unwrap();
        no_text_overlaps(&svg);
        let tick = |label: &str| crate::chart::testutil::text_attr(&svg, label, "x");
        let x = |s: f64| tick("10") + ((tick("20") - tick("10")) as f64 * (s - 10.0) / 10.0).round() as i32;
        // The plot's top: where the partition's band starts.
        let plot_top = rects_with(&svg, &format!("opacity=\"{BAND_ALPHA}\""))[0][1];
        let boxes = crate::chart::testutil::text_boxes(&svg);
        for label in [
            "partition east | west",
            "degraded east | west (latency x3)",
            "cut 0-3 -> 4-7",
            "degraded 0-3 | 4-7 (loss 0.3)",
        ] {
            let b = boxes
                .iter()
                .find(|(t, _)| t == label)
                .unwrap_or_else(|| panic!("{label}"))
                .1;
            assert!(
                b[0] >= x(0.0) && b[2] <= x(29.0) + 1,
                "{label} {b:?} outside the plot's width"
            );
            assert!(
                b[3] <= plot_top,
                "{label} {b:?} reaches into the plot (top {plot_top})"
            );
        }
        let late = boxes
            .iter()
            .find(|(t, _)| t == "degraded 0-3 | 4-7 (loss 0.3)")
            .unwrap()
            .1;
        assert!(
            late[2] <= x(29.0) + 1 && late[2] >= x(26.0),
            "{late:?} ends at its band"
        );
    }

    fn sample() -> BandwidthData {
        let time_s: Vec<f64> = (0..30).map(f64::from).collect();
        let kinds = [("digest", 2000.0), ("delta", 5000.0), ("other", 500.0)]
            .iter()
            .map(|(k, base)| KindRate {
                kind: k.to_string(),
                bytes_per_s: time_s
                    .iter()
                    .map(|t| base * (1.0 + 0.3 * (t * 0.5).sin()))
                    .collect(),
            })
            .collect();
        let per_node = ["digest", "delta", "other", "total"]
            .iter()
            .enumerate()
            .map(|(i, l)| NodeRates {
                label: l.to_string(),
                bytes_per_s: (0..16).map(|n| f64::from(n) * 10.0 + i as f64 * 100.0).collect(),
            })
            .collect();
        BandwidthData {
            window_s: None,
            time_s,
            kinds,
            per_node,
            by: "message part".into(),
            faults: Vec::new(),
        }
    }

    /// Boxes of equal rates (zero height) are still boxes, and their
    /// median is a thin white line, not a thick black bar.
    #[test]
    fn flat_boxes_stay_visible_with_a_thin_median() {
        let mut d = sample();
        for nr in &mut d.per_node {
            nr.bytes_per_s.iter_mut().for_each(|v| *v = 1000.0);
        }
        let svg = check(|f| bandwidth(&d, &prov(), f), &[]);
        let white: Vec<&str> = svg
            .split("<polyline ")
            .skip(1)
            .filter(|p| p.contains("stroke=\"#FFFFFF\""))
            .collect();
        assert_eq!(white.len(), 4, "one median per box");
        assert!(
            white.iter().all(|p| p.contains("stroke-width=\"2\"")),
            "{white:?}"
        );
        assert!(!svg.contains("stroke-width=\"5\""));
    }

    /// A 3 ms run reads in ms, a 3 h one in minutes, and no tick labels meet.
    #[test]
    fn time_axes_read_in_their_unit() {
        for (scale, unit) in [(0.0001, "time (ms)"), (400.0, "time (min)")] {
            let mut d = sample();
            d.time_s.iter_mut().for_each(|t| *t *= scale);
            let svg = check(|f| bandwidth(&d, &prov(), f), &[unit]);
            no_text_overlaps(&svg);
        }
    }

    #[test]
    fn renders_stack_and_boxes() {
        let svg = check(
            |f| bandwidth(&sample(), &prov(), f),
            &[
                "unit: bandwidth",
                "time (s)",
                "bytes/s (all nodes)",
                "bytes/s per node",
                "digest",
                "delta",
                "total",
                "(a) rate by message part",
            ],
        );
        assert!(count(&svg, "polygon") >= 3, "one stacked area per kind");
        assert!(
            count(&svg, "rect") >= 4 + 3,
            "a box per distribution, legend samples"
        );
        assert!(
            count(&svg, "polyline") >= 4 * 6,
            "outline, two whiskers, two caps, median per box"
        );
    }

    #[test]
    fn non_finite_time_is_skipped_for_every_kind() {
        let mut d = sample();
        d.kinds[1].bytes_per_s[3] = f64::NAN;
        d.time_s[5] = f64::INFINITY;
        let (times, cum) = Fig(&d).stack();
        assert_eq!(times.len(), 28);
        assert!(cum.iter().all(|c| c.len() == 28));
        check(|f| bandwidth(&d, &prov(), f), &["bytes/s per node"]);
    }

    /// Drawn 1000 px wide but shown one column wide like the 640-px
    /// charts, the bandwidth chart has all its sizes, text included,
    /// 1000/640 times theirs, so it prints the same size; a 640-px chart (staleness)
    /// keeps the theme's sizes at 1×: title 23, axis descriptions and panel
    /// captions 20, tick labels and legend 18, footer 13 (an SVG font-size is
    /// the size / 1.24, plotters' convention).
    #[test]
    fn sizes_grow_with_the_width() {
        let mut d = sample();
        // Per-node rates up to 2320 B/s: (b)'s y axis ends at 2320 · 1.08
        // = 2505.6, so a wide tick label, "2500", sits at its top edge.
        for b in &mut d.per_node {
            b.bytes_per_s.iter_mut().for_each(|v| *v *= 2320.0 / 450.0);
        }
        let wide = bandwidth(&d, &prov(), ImageFormat::Svg).unwrap();
        let wide = wide.svg_text().unwrap();
        let time_s: Vec<f64> = (0..10).map(f64::from).collect();
        let default = StalenessData {
            window_s: None,
            max_s: time_s.clone(),
            mean_s: time_s.clone(),
            stale_mappings: time_s.clone(),
            time_s,
            faults: Vec::new(),
        };
        let default = staleness(&default, &prov(), ImageFormat::Svg).unwrap();
        let default = default.svg_text().unwrap();
        let footer = "scuttlesim 0.1.0 · seed 42 · scenario 3f2a9c1e";
        for (in_wide, in_default, size) in [
            ("unit: bandwidth", "unit: staleness", 23.0),
            ("time (s)", "time (s)", 20.0),
            ("(a) rate by message part", "staleness (s)", 20.0),
            ("0", "0", 18.0),
            ("digest", "max staleness", 18.0),
            (footer, footer, 13.0),
        ] {
            let (w, d) = (font_size(wide, in_wide), font_size(default, in_default));
            assert!((d - size / 1.24).abs() < 1e-9, "{in_default:?}: {d}");
            assert!(
                (w - size * 1000.0 / 640.0 / 1.24).abs() < 1e-9,
                "{in_wide:?}: {w}"
            );
        }
        // The larger text still fits: panel (b)'s box labels take two rows,
        // its caption stays clear of the top tick label.
        no_text_overlaps(wide);
    }

    #[test]
    fn mismatched_lengths_are_rejected() {
        let mut d = sample();
        d.kinds[0].bytes_per_s.pop();
        assert!(matches!(
            bandwidth(&d, &prov(), ImageFormat::Svg),
            Err(ChartError::InvalidInput {
                chart: "bandwidth",
                ..
            })
        ));
    }

    /// A window from 10 s to 20 s of a 0–29 s run (`chart --from 10s --to
    /// 20s`), ten times the traffic outside it, a partition from 5 s to
    /// 15 s: the time axis spans exactly the window (the band of the
    /// partition, begun before it, starts at the "10" tick, which is the
    /// plot's left edge), the top of the stack has the 11 samples at 10 …
    /// 20 s (both ends) at their times, the y axis is fitted to them (the
    /// largest total inside, plus the usual 8%, reaches the top), the
    /// label says when the partition began, and (b) says it is the whole
    /// run's.
    #[test]
    fn a_window_draws_its_samples_only_over_exactly_its_span() {
        let mut d = sample();
        for k in &mut d.kinds {
            for (v, t) in k.bytes_per_s.iter_mut().zip(&d.time_s) {
                if !(10.0..=20.0).contains(t) {
                    *v *= 10.0;
                }
            }
        }
        d.faults = vec![SpacetimeFault::Network {
            from_s: 5.0,
            to_s: 15.0,
            label: "partition a | b".into(),
            degraded: false,
        }];
        d.window_s = Some((10.0, 20.0));
        let svg = check(
            |f| bandwidth(&d, &prov(), f),
            &["◂ partition a | b (from 5s)", "(b) per-node rate, whole run"],
        );
        let x = |label: &str| crate::chart::testutil::text_attr(&svg, label, "x");
        let (x10, x20) = (x("10"), x("20"));
        let bands = rects_with(&svg, &format!("opacity=\"{BAND_ALPHA}\""));
        assert_eq!(bands.len(), 1, "{bands:?}");
        let [left, top, width, height] = bands[0];
        let x15 = x10 + (x20 - x10) / 2;
        assert!((left - x10).abs() <= 2, "band from {left}, the axis from {x10}");
        assert!(
            (left + width - x15).abs() <= 2,
            "band to {}, 15 s at {x15}",
            left + width
        );
        let edge = &crate::chart::testutil::polylines(&svg, "#808080")[0];
        assert_eq!(edge.len(), 11, "{edge:?}");
        for (i, &(px, _)) in edge.iter().enumerate() {
            let want = x10 + (x20 - x10) * i as i32 / 10;
            assert!((px - want).abs() <= 2, "sample {i} at {px}, {want} expected");
        }
        let total = |i: usize| d.kinds.iter().map(|k| k.bytes_per_s[i]).sum::<f64>();
        let max = (10..=20).map(total).fold(0.0, f64::max);
        let highest = edge.iter().map(|p| p.1).min().unwrap();
        let want = top as f64 + f64::from(height) * (1.0 - max / (max * 1.08));
        assert!((f64::from(highest) - want).abs() <= 2.0, "{highest} vs {want}");
        // Without the window: the whole run, the label plain.
        d.window_s = None;
        let whole = check(|f| bandwidth(&d, &prov(), f), &["partition a | b"]);
        assert!(!whole.contains('◂') && !whole.contains("whole run"));
        assert_eq!(crate::chart::testutil::polylines(&whole, "#808080")[0].len(), 30);
    }

    /// A window with no sample in it draws "no data" over its axis; a
    /// window that is not an interval is refused.
    #[test]
    fn an_empty_window_says_so() {
        let mut d = sample();
        d.window_s = Some((10.2, 10.8));
        check(|f| bandwidth(&d, &prov(), f), &["no data"]);
        d.window_s = Some((3.0, 3.0));
        assert!(matches!(
            bandwidth(&d, &prov(), ImageFormat::Svg),
            Err(ChartError::InvalidInput { .. })
        ));
    }

    #[test]
    fn empty_input_renders_no_data() {
        check_empty(|f| bandwidth(&BandwidthData::default(), &prov(), f));
    }
}
