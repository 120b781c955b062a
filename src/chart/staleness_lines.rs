//! Staleness of several settings on one figure (van Renesse et al. 2008,
//! Fig. "max staleness" and "stale mappings"): one line per setting, the
//! maximum staleness in the upper panel and the number of stale mappings in
//! the lower one, sharing the time axis. Lines differ in colour and, past
//! the eighth, in dashing, so they survive greyscale printing.

use plotters::coord::Shift;
use plotters::prelude::{DrawingArea, DrawingBackend};

use super::draw::{build, data_line, from_zero, no_data, span, y_area_width, Axes, Ticks, Usable};
use super::frame::{page, LegendEntry, Mark};
use super::marks::Dash;
use super::render::{render, Ctx, Figure};
use super::theme::series_color;
use super::{ChartError, ImageFormat, Provenance, Rendered};

/// One setting's series; all vectors have the length of `time_s`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StalenessLine {
    /// Legend text, e.g. `"scuttle-depth"`.
    pub label: String,
    /// Sample times (s), ascending.
    pub time_s: Vec<f64>,
    /// Largest staleness (s), e.g. a mean over seeds.
    pub max_s: Vec<f64>,
    /// Number of stale mappings.
    pub stale_mappings: Vec<f64>,
}

/// Input of [`staleness_lines`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StalenessLinesData {
    /// One line per setting, in legend order.
    pub lines: Vec<StalenessLine>,
}

/// Renders max staleness (upper panel) and stale mappings (lower panel)
/// over time, one line per setting.
pub fn staleness_lines(
    data: &StalenessLinesData,
    prov: &Provenance,
    format: ImageFormat,
) -> Result<Rendered, ChartError> {
    render(&Fig(data), prov, format)
}

struct Fig<'a>(&'a StalenessLinesData);

fn pairs(t: &[f64], v: &[f64]) -> Vec<(f64, f64)> {
    t.iter().copied().zip(v.iter().copied()).collect()
}

/// A line's label, its max-staleness points and its stale-mapping points.
type Panels<'a> = (&'a str, Vec<(f64, f64)>, Vec<(f64, f64)>);

fn usable(p: &(f64, f64)) -> bool {
    p.0.usable() && p.1.usable()
}

impl Figure for Fig<'_> {
    fn size(&self) -> (u32, u32) {
        (640, 560)
    }

    /// One entry per line, when there are several.
    fn long_legend(&self) -> Vec<LegendEntry> {
        let lines = &self.0.lines;
        if lines.len() < 2 {
            return Vec::new();
        }
        lines
            .iter()
            .enumerate()
            .map(|(i, l)| {
                let (color, dash) = (series_color(i), Dash::of_series(i));
                LegendEntry::new(l.label.as_str(), Mark::Line { color, dash })
            })
            .collect()
    }

    fn validate(&self) -> Result<(), ChartError> {
        for l in &self.0.lines {
            let n = l.time_s.len();
            for (name, len) in [
                ("max_s", l.max_s.len()),
                ("stale_mappings", l.stale_mappings.len()),
            ] {
                if len != n {
                    return Err(ChartError::InvalidInput {
                        chart: "staleness_lines",
                        reason: format!("line {:?}: {name} has {len} values but time_s has {n}", l.label),
                    });
                }
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
        let lines: Vec<Panels<'_>> = self
            .0
            .lines
            .iter()
            .map(|l| {
                (
                    l.label.as_str(),
                    pairs(&l.time_s, &l.max_s),
                    pairs(&l.time_s, &l.stale_mappings),
                )
            })
            .collect();
        let style = |i: usize| (series_color(i), Dash::of_series(i));
        let legend = self.long_legend();
        let body = page(root, ctx, "staleness by setting", &legend)?;
        let (_, h) = body.dim_in_pixel();
        let (upper, lower) = body.split_vertically(h as i32 * 52 / 100);

        let all_max = || lines.iter().flat_map(|l| l.1.iter().filter(|p| usable(p)));
        let all_count = || lines.iter().flat_map(|l| l.2.iter().filter(|p| usable(p)));
        let x = from_zero(span(all_max().chain(all_count()).map(|p| p.0)), 0.0);
        let mut top = Axes::new(
            x,
            from_zero(span(all_max().map(|p| p.1)), 0.08),
            "",
            "max staleness (s)",
        );
        top.hide_x_labels = true;
        top.y_ticks = Ticks::Auto(5);
        let mut bot = Axes::new(
            x,
            from_zero(span(all_count().map(|p| p.1)), 0.1),
            "time (s)",
            "stale mappings",
        );
        bot.y_ticks = Ticks::Auto(4);
        let w = y_area_width(root, ctx, &top).max(y_area_width(root, ctx, &bot));
        top.y_area = Some(w);
        bot.y_area = Some(w);

        let upper_chart = build(root, &upper, ctx, &top)?;
        if all_max().next().is_none() {
            no_data(root, &upper_chart, ctx)?;
        }
        for (i, (_, max, _)) in lines.iter().enumerate() {
            let (color, dash) = style(i);
            data_line(root, &upper_chart, max, t.line(color, 2.0), dash, t)?;
        }
        let lower_chart = build(root, &lower, ctx, &bot)?;
        if all_count().next().is_none() {
            return no_data(root, &lower_chart, ctx);
        }
        for (i, (_, _, count)) in lines.iter().enumerate() {
            let (color, dash) = style(i);
            data_line(root, &lower_chart, count, t.line(color, 2.0), dash, t)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::testutil::{check, check_empty, count, prov};

    fn line(label: &str, k: f64) -> StalenessLine {
        let time_s: Vec<f64> = (0..60).map(f64::from).collect();
        StalenessLine {
            label: label.into(),
            max_s: time_s.iter().map(|t| (t % 20.0) * k).collect(),
            stale_mappings: time_s.iter().map(|t| (20.0 - t % 20.0) * 40.0 * k).collect(),
            time_s,
        }
    }

    #[test]
    fn one_line_per_setting_in_both_panels() {
        let data = StalenessLinesData {
            lines: vec![line("scuttle-depth", 0.3), line("precise-newest", 0.9)],
        };
        let svg = check(
            |f| staleness_lines(&data, &prov(), f),
            &[
                "max staleness (s)",
                "stale mappings",
                "time (s)",
                "scuttle-depth",
                "precise-newest",
            ],
        );
        assert!(
            count(&svg, "polyline") >= 2 * 2 + 2,
            "two lines per panel, legend samples"
        );
    }

    #[test]
    fn mismatched_lengths_are_rejected() {
        let mut l = line("a", 1.0);
        l.max_s.pop();
        let data = StalenessLinesData { lines: vec![l] };
        assert!(matches!(
            staleness_lines(&data, &prov(), ImageFormat::Svg),
            Err(ChartError::InvalidInput { .. })
        ));
    }

    #[test]
    fn empty_input_renders_no_data() {
        check_empty(|f| staleness_lines(&StalenessLinesData::default(), &prov(), f));
    }
}
