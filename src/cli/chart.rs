//! `scuttlesim chart RUN_DIR`: draws a run's charts again from its stored
//! metrics (and trace), without simulating; the SVGs are byte-identical to
//! those `run` wrote. `--nodes`, `--from` and `--to` draw another part of
//! the run in the space-time diagram, `--from` and `--to` a window of it in
//! the bandwidth and staleness charts too; `--name` writes one chart's
//! files under another name, to keep several.

use anyhow::{Context, Result};
use clap::ValueEnum;
use scuttlesim::chart::ImageFormat;
use scuttlesim::render;
use scuttlesim::scenario::{ChartKind, SpacetimeView};
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `chart`.
#[derive(Debug, clap::Args)]
pub(crate) struct ChartArgs {
    /// The run directory, e.g. output/quickstart/42.
    run_dir: PathBuf,
    /// Draw only this chart (repeatable, or comma-separated); default: those
    /// the scenario names in [output] charts.
    #[arg(long, value_enum, value_name = "NAME", value_delimiter = ',')]
    only: Vec<ChartArg>,
    /// Which files to write.
    #[arg(long, value_enum, default_value = "both")]
    format: FormatArg,
    /// Space-time diagram: only these nodes, ids, ranges and group names
    /// separated by commas (e.g. 0,3,5 or 0-7,eu); replaces the scenario's
    /// output.spacetime.nodes.
    #[arg(long, value_name = "LIST")]
    nodes: Option<String>,
    /// Only records and samples at or after this time (e.g. 12s, 1.5s,
    /// 250ms; a bare number is seconds), the time axis starting there: in
    /// the space-time diagram (replaces output.spacetime.from) and in the
    /// bandwidth and staleness charts. The convergence and informed charts
    /// have no time axis: leave them out with --only.
    #[arg(long, value_name = "T", allow_hyphen_values = true)]
    from: Option<String>,
    /// Only records and samples at or before this time (clipped to where
    /// the run stopped); replaces output.spacetime.to; like --from.
    #[arg(long, value_name = "T", allow_hyphen_values = true)]
    to: Option<String>,
    /// Write the chart as charts/NAME.svg and .png instead of under its own
    /// name (e.g. spacetime), so that another window does not replace it;
    /// needs exactly one --only. NAME: letters, digits, '-', '_' and '.',
    /// not beginning with '.', not another chart's name.
    #[arg(long, value_name = "NAME")]
    name: Option<String>,
}

#[derive(Copy, Clone, Debug, ValueEnum)]
enum ChartArg {
    Convergence,
    Informed,
    Bandwidth,
    Staleness,
    Spacetime,
}

impl From<ChartArg> for ChartKind {
    fn from(c: ChartArg) -> ChartKind {
        match c {
            ChartArg::Convergence => ChartKind::Convergence,
            ChartArg::Informed => ChartKind::Informed,
            ChartArg::Bandwidth => ChartKind::Bandwidth,
            ChartArg::Staleness => ChartKind::Staleness,
            ChartArg::Spacetime => ChartKind::Spacetime,
        }
    }
}

#[derive(Copy, Clone, Debug, ValueEnum)]
enum FormatArg {
    Svg,
    Png,
    Both,
}

/// Draws the charts and lists the files written.
pub(crate) fn chart(args: &ChartArgs) -> Result<ExitCode> {
    let formats: &[ImageFormat] = match args.format {
        FormatArg::Svg => &[ImageFormat::Svg],
        FormatArg::Png => &[ImageFormat::Png],
        FormatArg::Both => &[ImageFormat::Svg, ImageFormat::Png],
    };
    let mut only: Vec<ChartKind> = Vec::new();
    for &c in &args.only {
        if !only.contains(&c.into()) {
            only.push(c.into());
        }
    }
    let duration =
        |name: &str, text: &Option<String>| text.as_deref().map(|t| super::time_arg(name, t)).transpose();
    let view = SpacetimeView {
        nodes: args
            .nodes
            .as_deref()
            .map(|t| SpacetimeView::parse_nodes(t).map_err(|e| anyhow::anyhow!("--nodes: {e}")))
            .transpose()?,
        from: duration("--from", &args.from)?,
        to: duration("--to", &args.to)?,
    };
    let written = render::rerender(
        &args.run_dir,
        (!only.is_empty()).then_some(&only[..]),
        formats,
        &view,
        args.name.as_deref(),
    )
    .with_context(|| format!("charting {}", args.run_dir.display()))?;
    for note in &written.notes {
        eprintln!("note: {note}");
    }
    for f in &written.files {
        outln!("{}", f.display());
    }
    if written.files.is_empty() {
        eprintln!(
            "note: no charts drawn: the scenario's output.charts is empty; name one with --only (convergence, informed, bandwidth, staleness, spacetime)"
        );
    }
    Ok(ExitCode::SUCCESS)
}
