//! Staleness chart: how out of date the replicas are, over time.
//!
//! Two stacked panels share the time axis: the upper one shows the maximum and
//! mean staleness in seconds, the lower one the number of stale mappings (a
//! node's entry for an origin that is behind the origin's latest version).
//! Separate panels, rather than a second y axis, keep each scale honest and
//! readable in greyscale.

use plotters::coord::Shift;
use plotters::element::Polygon;
use plotters::prelude::{DrawingArea, DrawingBackend};

use super::draw::{
    build, data_line, dedup_px, from_zero, no_data, plot_columns, span, time_ticks, y_area_width, Axes,
    Ticks, Usable,
};
use super::fault_bands::{extra_height, plan_lane, shade_network_faults};
use super::frame::{page, put_text, LegendEntry, Mark};
use super::marks::Dash;
use super::render::{render, Ctx, Figure};
use super::spacetime::network_legend;
use super::theme::{BLUE, GREEN, VERMILLION};
use super::SpacetimeFault;
use super::{ChartError, ImageFormat, Provenance, Rendered};
use plotters::style::text_anchor::{HPos, VPos};

/// Written over the staleness panel when no sample has a stale mapping.
const NO_STALE: &str = "no stale mappings (no writes pending)";

/// Input of [`staleness`]. All vectors have the length of `time_s`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StalenessData {
    /// Sample times (s), ascending.
    pub time_s: Vec<f64>,
    /// Largest staleness over all (node, origin) mappings (s).
    pub max_s: Vec<f64>,
    /// Mean staleness over the stale mappings (s); NaN where no mapping is
    /// stale (the mean is undefined), which breaks the line there.
    pub mean_s: Vec<f64>,
    /// Number of stale mappings (may be a mean over seeds, hence `f64`).
    pub stale_mappings: Vec<f64>,
    /// Partitions, cuts and degradations, shaded behind both panels as in
    /// the bandwidth chart (the [`SpacetimeFault::Network`] ones; others
    /// are ignored), so a rise in staleness can be read against its cause.
    pub faults: Vec<SpacetimeFault>,
    /// The time axis, `(from, to)` in seconds, when it shows a window of
    /// the run (`chart --from/--to`; the vectors then hold only the
    /// samples inside it): faults are clipped to it and one that began
    /// before it says when. `None`: the axis runs from 0 to the last
    /// sample.
    pub window_s: Option<(f64, f64)>,
}

/// Renders max and mean staleness (upper panel) and the number of stale
/// mappings (lower panel) over time.
pub fn staleness(
    data: &StalenessData,
    prov: &Provenance,
    format: ImageFormat,
) -> Result<Rendered, ChartError> {
    render(&Fig(data), prov, format)
}

struct Fig<'a>(&'a StalenessData);

/// `(time, value)` points, those inside `window` (both ends included)
/// when there is one.
fn pairs(t: &[f64], v: &[f64], window: Option<(f64, f64)>) -> Vec<(f64, f64)> {
    t.iter()
        .copied()
        .zip(v.iter().copied())
        .filter(|(t, _)| window.is_none_or(|(a, b)| (a..=b).contains(t)))
        .collect()
}

fn finite_y(p: &[(f64, f64)]) -> impl Iterator<Item = f64> + '_ {
    p.iter().filter(|(x, y)| x.usable() && y.usable()).map(|p| p.1)
}

const AREA_ALPHA: f64 = 0.2;

impl Figure for Fig<'_> {
    fn size(&self) -> (u32, u32) {
        (640, 560 + extra_height(&self.0.faults, 640, false))
    }

    fn validate(&self) -> Result<(), ChartError> {
        let d = self.0;
        if let Some((a, b)) = d.window_s {
            if !(a.usable() && b.usable() && a < b) {
                return Err(ChartError::InvalidInput {
                    chart: "staleness",
                    reason: format!("the window ({a}, {b}) is not an interval"),
                });
            }
        }
        let n = d.time_s.len();
        for (name, len) in [
            ("max_s", d.max_s.len()),
            ("mean_s", d.mean_s.len()),
            ("stale_mappings", d.stale_mappings.len()),
        ] {
            if len != n {
                let reason = format!("{name} has {len} values but time_s has {n}");
                return Err(ChartError::InvalidInput {
                    chart: "staleness",
                    reason,
                });
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
        let (max, mean, count) = (
            pairs(&d.time_s, &d.max_s, d.window_s),
            pairs(&d.time_s, &d.mean_s, d.window_s),
            pairs(&d.time_s, &d.stale_mappings, d.window_s),
        );
        let has_mean = finite_y(&mean).next().is_some();
        let mut legend = vec![
            LegendEntry::new(
                "max staleness",
                Mark::Line {
                    color: VERMILLION,
                    dash: Dash::Solid,
                },
            ),
            LegendEntry::new(
                "mean staleness",
                Mark::Line {
                    color: BLUE,
                    dash: Dash::Dashed,
                },
            ),
            LegendEntry::new(
                "stale mappings",
                Mark::Line {
                    color: GREEN,
                    dash: Dash::Solid,
                },
            ),
        ];
        // No mean line (no stale mapping at any sample): no entry for it.
        if !has_mean {
            legend.remove(1);
        }
        legend.extend(network_legend(&d.faults));
        let body = page(root, ctx, "staleness", if max.is_empty() { &[] } else { &legend })?;
        let (_, h) = body.dim_in_pixel();
        let (upper, lower) = body.split_vertically(h as i32 * 56 / 100);

        let all = [&max, &mean, &count];
        let x = d.window_s.unwrap_or_else(|| {
            from_zero(
                span(
                    all.iter()
                        .flat_map(|p| p.iter().filter(|(x, y)| x.usable() && y.usable()).map(|p| p.0)),
                ),
                0.0,
            )
        });
        let y_top = from_zero(span(finite_y(&max).chain(finite_y(&mean))), 0.08);
        // Counts are whole: at least 0 to 4, so the ticks are whole too.
        let y_bot = from_zero(span(finite_y(&count)), 0.1);
        let y_bot = (y_bot.0, y_bot.1.max(4.4));
        let (x_ticks, x_unit) = time_ticks(x, 7);
        let (y_ticks, y_unit) = time_ticks(y_top, 5);
        let (y_desc, x_desc) = (format!("staleness ({y_unit})"), format!("time ({x_unit})"));
        let mut top = Axes::new(x, y_top, "", &y_desc);
        top.hide_x_labels = true;
        top.y_ticks = y_ticks;
        top.x_ticks = time_ticks(x, 7).0;
        let mut bot = Axes::new(x, y_bot, &x_desc, "stale mappings");
        bot.y_ticks = Ticks::Auto(4);
        bot.x_ticks = x_ticks;
        let w = y_area_width(root, ctx, &top).max(y_area_width(root, ctx, &bot));
        top.y_area = Some(w);
        let lane = plan_lane(
            root,
            t,
            &d.faults,
            x,
            plot_columns(root, &upper, ctx, &top),
            d.window_s.is_some(),
        );
        top.lane = lane.height;
        bot.y_area = Some(w);

        let upper_chart = build(root, &upper, ctx, &top)?;
        shade_network_faults(root, &upper_chart, x, &d.faults, t, Some(&lane))?;
        if finite_y(&max).chain(finite_y(&mean)).next().is_none() {
            no_data(root, &upper_chart, ctx)?;
        }
        // The mean over the max, dashed: where they are equal both show.
        data_line(root, &upper_chart, &max, t.line(VERMILLION, 2.5), Dash::Solid, t)?;
        data_line(root, &upper_chart, &mean, t.line(BLUE, 2.5), Dash::Dashed, t)?;
        if !count.is_empty() && finite_y(&count).all(|c| c == 0.0) {
            let (xr, yr) = upper_chart.plotting_area().get_pixel_range();
            let c = ((xr.start + xr.end) / 2, (yr.start + yr.end) / 2);
            put_text(root, NO_STALE, c, &t.empty_font(), HPos::Center, VPos::Center)?;
        }

        let lower_chart = build(root, &lower, ctx, &bot)?;
        // Only the upper panel's bands are labelled.
        shade_network_faults(root, &lower_chart, x, &d.faults, t, None)?;
        if finite_y(&count).next().is_none() {
            return no_data(root, &lower_chart, ctx);
        }
        for run in count.split(|(x, y)| !x.usable() || !y.usable()) {
            if let (Some(first), Some(last)) = (run.first(), run.last()) {
                let mut pts: Vec<(i32, i32)> = run.iter().map(|p| lower_chart.backend_coord(p)).collect();
                pts.push(lower_chart.backend_coord(&(last.0, 0.0)));
                pts.push(lower_chart.backend_coord(&(first.0, 0.0)));
                root.draw(&Polygon::new(dedup_px(pts), t.fill(GREEN, AREA_ALPHA)))?;
            }
        }
        data_line(root, &lower_chart, &count, t.line(GREEN, 2.5), Dash::Solid, t)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::testutil::{check, check_empty, count, prov, rects_with};

    #[test]
    fn renders_two_panels() {
        let time_s: Vec<f64> = (0..60).map(f64::from).collect();
        let saw = |t: &f64| (t % 20.0) * 0.3;
        let data = StalenessData {
            window_s: None,
            max_s: time_s.iter().map(saw).collect(),
            mean_s: time_s.iter().map(|t| saw(t) * 0.3).collect(),
            stale_mappings: time_s.iter().map(|t| (20.0 - t % 20.0) * 4.0).collect(),
            time_s,
            faults: Vec::new(),
        };
        let svg = check(
            |f| staleness(&data, &prov(), f),
            &[
                "unit: staleness",
                "staleness (s)",
                "stale mappings",
                "time (s)",
                "max staleness",
                "mean staleness",
            ],
        );
        assert!(
            count(&svg, "polyline") >= 3 + 2,
            "three data lines and two legend samples"
        );
        assert!(count(&svg, "polygon") >= 1);
    }

    /// A run without stale mappings says so, has no mean entry and whole
    /// counts; a 3 ms run reads in ms, and the mean (dashed) is drawn over
    /// the max.
    #[test]
    fn no_stale_mappings_short_runs_and_the_mean_on_top() {
        let time_s: Vec<f64> = (0..4).map(|i| f64::from(i) * 0.001).collect();
        let data = StalenessData {
            window_s: None,
            max_s: vec![0.0; 4],
            mean_s: vec![f64::NAN; 4],
            stale_mappings: vec![0.0; 4],
            time_s: time_s.clone(),
            faults: Vec::new(),
        };
        let svg = check(
            |f| staleness(&data, &prov(), f),
            &[NO_STALE, "time (ms)", ">\n4\n<"],
        );
        assert!(!svg.contains("mean staleness"));
        assert!(!svg.contains(">\n0.5\n<") || !svg.contains(">\n3.5\n<"));
        let data = StalenessData {
            window_s: None,
            max_s: vec![0.0002, 0.0004, 0.0004, 0.0001],
            mean_s: vec![0.0002, 0.0004, 0.0004, 0.0001],
            stale_mappings: vec![1.0, 2.0, 2.0, 1.0],
            time_s,
            faults: Vec::new(),
        };
        let svg = check(
            |f| staleness(&data, &prov(), f),
            &["staleness (µs)", "mean staleness"],
        );
        assert!(!svg.contains(NO_STALE));
        let last = |c: &str| svg.rfind(&format!("stroke=\"{c}\"")).unwrap();
        assert!(last("#0072B2") > last("#D55E00"), "the mean after the max");
    }

    /// A partition from 10 s to 30 s of a 0–59 s run: a band over exactly
    /// those times in each panel, one label (in the upper panel), and a
    /// legend entry; without faults, none.
    #[test]
    fn a_partition_is_shaded_in_both_panels() {
        let time_s: Vec<f64> = (0..60).map(f64::from).collect();
        let mut data = StalenessData {
            window_s: None,
            max_s: time_s.iter().map(|t| t * 0.1).collect(),
            mean_s: time_s.iter().map(|t| t * 0.05).collect(),
            stale_mappings: time_s.iter().map(|t| t * 2.0).collect(),
            time_s,
            faults: vec![SpacetimeFault::Network {
                from_s: 10.0,
                to_s: 30.0,
                label: "partition east | west".into(),
                degraded: false,
            }],
        };
        let svg = check(
            |f| staleness(&data, &prov(), f),
            &["partition east | west", "partition / cut"],
        );
        assert_eq!(
            svg.matches(">\npartition east | west\n<").count(),
            1,
            "labelled once"
        );
        let x = |label: &str| crate::chart::testutil::text_attr(&svg, label, "x");
        let (x10, x30) = (x("10"), x("30"));
        let alpha = format!("opacity=\"{}\"", crate::chart::spacetime::BAND_ALPHA);
        let bands: Vec<(i32, i32)> = rects_with(&svg, &alpha)
            .iter()
            .map(|r| (r[0], r[0] + r[2]))
            .collect();
        assert_eq!(bands.len(), 2, "one band per panel: {bands:?}");
        for (a, b) in bands {
            assert!(
                (a - x10).abs() <= 2 && (b - x30).abs() <= 2,
                "{a}..{b} vs {x10}..{x30}"
            );
        }
        data.faults.clear();
        let plain = String::from_utf8(staleness(&data, &prov(), ImageFormat::Svg).unwrap().bytes).unwrap();
        assert!(!plain.contains("partition") && !plain.contains(&alpha));
    }

    /// A window from 20 s to 40 s of a 0–59 s run: the lines draw the
    /// samples inside it (both ends), from the left edge of the plot (the
    /// "20" tick) to its right ("40"); the partition from 10 s to 30 s is
    /// clipped to it and says when it began.
    #[test]
    fn a_window_draws_its_samples_only() {
        let time_s: Vec<f64> = (0..60).map(f64::from).collect();
        let data = StalenessData {
            max_s: time_s.iter().map(|t| t * 0.1).collect(),
            mean_s: time_s.iter().map(|t| t * 0.05).collect(),
            stale_mappings: time_s.iter().map(|t| t * 2.0).collect(),
            time_s,
            faults: vec![SpacetimeFault::Network {
                from_s: 10.0,
                to_s: 30.0,
                label: "partition east | west".into(),
                degraded: false,
            }],
            window_s: Some((20.0, 40.0)),
        };
        let svg = check(
            |f| staleness(&data, &prov(), f),
            &["◂ partition east | west (from 10s)"],
        );
        let x = |label: &str| crate::chart::testutil::text_attr(&svg, label, "x");
        let (x20, x40) = (x("20"), x("40"));
        // The longest vermillion line (not the legend's sample); points
        // on a straight run between two others may be left out.
        let lines = crate::chart::testutil::polylines(&svg, "#D55E00");
        let max = lines.iter().max_by_key(|l| l.len()).unwrap();
        let (first, last) = (max[0].0, max[max.len() - 1].0);
        assert!((first - x20).abs() <= 2 && (last - x40).abs() <= 2, "{max:?}");
        let alpha = format!("opacity=\"{}\"", crate::chart::spacetime::BAND_ALPHA);
        for r in rects_with(&svg, &alpha) {
            let x30 = (x20 + x40) / 2;
            assert!((r[0] - x20).abs() <= 2 && (r[0] + r[2] - x30).abs() <= 2, "{r:?}");
        }
    }

    #[test]
    fn mismatched_lengths_are_rejected() {
        let data = StalenessData {
            time_s: vec![1.0],
            ..Default::default()
        };
        assert!(matches!(
            staleness(&data, &prov(), ImageFormat::Svg),
            Err(ChartError::InvalidInput { .. })
        ));
    }

    #[test]
    fn empty_input_renders_no_data() {
        check_empty(|f| staleness(&StalenessData::default(), &prov(), f));
    }
}
