//! The render driver: draws a [`Figure`] on the SVG or bitmap backend and
//! encodes the result.
//!
//! Each chart implements [`Figure`] once, generically over the plotters
//! backend; this file owns everything that differs between encodings (the
//! backend, the 2× scale of the PNG, PNG encoding), so a chart cannot look
//! different in SVG and PNG except for rasterisation. Label placement is
//! decided once, at 1×: for the PNG of a figure that places labels, a 1×
//! drawing on a scratch SVG first records each label's choice ([`Layout`]),
//! and the 2× drawing replays them, so text measured a pixel wider or
//! narrower at 2× cannot send a label to another side.

use std::cell::RefCell;

use plotters::coord::Shift;
use plotters::prelude::{BitMapBackend, DrawingArea, DrawingBackend, IntoDrawingArea, SVGBackend};

use super::frame::{legend_overflow, LegendEntry};
use super::label::Choice;
use super::raster::GlyphBackend;
use super::theme::{ensure_font, Theme};
use super::{ChartError, ImageFormat, Provenance, Rendered};

/// Scale of the PNG relative to the SVG.
pub(crate) const PNG_SCALE: u32 = 2;

/// Everything a figure needs besides its data.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ctx<'a> {
    /// Sizes and styles at the output scale.
    pub(crate) theme: Theme,
    /// Footer and title source.
    pub(crate) prov: &'a Provenance,
    /// Label placements: recorded at 1×, replayed at 2×.
    pub(crate) layout: &'a Layout,
}

/// The label placements of one drawing, in the order labels were placed.
#[derive(Debug, Default)]
pub(crate) struct Layout {
    /// Choices made while drawing.
    pub(crate) made: RefCell<Vec<Choice>>,
    /// Choices to take instead of deciding again (those of the 1× drawing).
    pub(crate) replay: Vec<Choice>,
}

impl Layout {
    /// The choice to replay for the next label, if any.
    pub(crate) fn next(&self) -> Option<Choice> {
        self.replay.get(self.made.borrow().len()).copied()
    }
    /// Records the choice made for the next label.
    pub(crate) fn record(&self, c: Choice) {
        self.made.borrow_mut().push(c);
    }
}

/// A chart that can draw itself on any plotters backend.
pub(crate) trait Figure {
    /// Image size in pixels at 1× scale (the SVG size).
    fn size(&self) -> (u32, u32);
    /// Whether the figure is shown as wide as a default-width one however
    /// wide it is drawn, so its sizes grow with its width
    /// ([`Theme::for_width`]); otherwise it has the default sizes.
    fn sizes_grow_with_width(&self) -> bool {
        false
    }
    /// Whether the figure places labels with a [`super::label::Placer`]
    /// following [`Ctx::layout`]: its PNG then places them as its SVG does.
    fn places_labels(&self) -> bool {
        false
    }
    /// Checks the input before anything is drawn.
    fn validate(&self) -> Result<(), ChartError> {
        Ok(())
    }
    /// The legend of a figure whose legend can grow long (one entry per
    /// sweep point): the image is made taller by as much as the legend
    /// needs beyond the room every figure has, so the plot keeps its size.
    /// Empty (the default): the size is [`Figure::size`].
    fn long_legend(&self) -> Vec<LegendEntry> {
        Vec::new()
    }
    /// Draws the whole image on `root` (already filled white).
    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        ctx: &Ctx<'_>,
    ) -> Result<(), ChartError>;
}

/// Renders `fig` in `format`.
pub(crate) fn render<F: Figure>(
    fig: &F,
    prov: &Provenance,
    format: ImageFormat,
) -> Result<Rendered, ChartError> {
    ensure_font()?;
    fig.validate()?;
    let (w, h) = image_size(fig);
    let bytes = match format {
        ImageFormat::Svg => svg(fig, prov, (w, h), &Layout::default())?.into_bytes(),
        ImageFormat::Png => {
            let layout = png_layout(fig, prov, (w, h))?;
            let (pw, ph) = (w * PNG_SCALE, h * PNG_SCALE);
            let mut rgb = vec![255u8; pw as usize * ph as usize * 3];
            {
                let backend = GlyphBackend(BitMapBackend::with_buffer(&mut rgb, (pw, ph)));
                let root = backend.into_drawing_area();
                draw_on(fig, &root, prov, f64::from(PNG_SCALE), &layout)?;
            }
            encode_png(&rgb, pw, ph)?
        }
    };
    Ok(Rendered { format, bytes })
}

/// The image size at 1×: [`Figure::size`], taller by what a long legend
/// needs.
fn image_size<F: Figure>(fig: &F) -> (u32, u32) {
    let (w, h) = fig.size();
    let legend = fig.long_legend();
    if legend.is_empty() {
        return (w, h);
    }
    // Measured at 1× on a scratch SVG; the PNG is drawn at twice this.
    let mut scratch = String::new();
    let area = SVGBackend::with_string(&mut scratch, (w, h)).into_drawing_area();
    (
        w,
        h + legend_overflow(&area, &theme(fig, 1.0), &legend, w as i32) as u32,
    )
}

/// `fig` drawn at 1× as SVG text, `w`×`h`, following `layout`.
fn svg<F: Figure>(
    fig: &F,
    prov: &Provenance,
    (w, h): (u32, u32),
    layout: &Layout,
) -> Result<String, ChartError> {
    let mut text = String::new();
    {
        let root = SVGBackend::with_string(&mut text, (w, h)).into_drawing_area();
        draw_on(fig, &root, prov, 1.0, layout)?;
    }
    Ok(text)
}

/// The layout the PNG follows: the label choices of the 1× drawing, for a
/// figure that places labels (none to replay otherwise).
fn png_layout<F: Figure>(fig: &F, prov: &Provenance, size: (u32, u32)) -> Result<Layout, ChartError> {
    if !fig.places_labels() {
        return Ok(Layout::default());
    }
    let once = Layout::default();
    svg(fig, prov, size, &once)?;
    Ok(Layout {
        made: RefCell::default(),
        replay: once.made.into_inner(),
    })
}

/// The PNG's drawing as SVG text (2× size, the PNG's layout), so tests can
/// read where the PNG puts its text.
#[cfg(test)]
pub(crate) fn svg_at_png_scale<F: Figure>(fig: &F, prov: &Provenance) -> Result<String, ChartError> {
    ensure_font()?;
    fig.validate()?;
    let (w, h) = image_size(fig);
    let layout = png_layout(fig, prov, (w, h))?;
    let mut text = String::new();
    {
        let size = (w * PNG_SCALE, h * PNG_SCALE);
        let root = SVGBackend::with_string(&mut text, size).into_drawing_area();
        draw_on(fig, &root, prov, f64::from(PNG_SCALE), &layout)?;
    }
    Ok(text)
}

fn draw_on<F: Figure, DB: DrawingBackend>(
    fig: &F,
    root: &DrawingArea<DB, Shift>,
    prov: &Provenance,
    scale: f64,
    layout: &Layout,
) -> Result<(), ChartError> {
    root.fill(&plotters::style::WHITE)?;
    let ctx = Ctx {
        theme: theme(fig, scale),
        prov,
        layout,
    };
    fig.draw(root, &ctx)?;
    root.present()?;
    Ok(())
}

/// The sizes `fig` is drawn with at `scale`.
fn theme<F: Figure>(fig: &F, scale: f64) -> Theme {
    if fig.sizes_grow_with_width() {
        Theme::for_width(scale, fig.size().0)
    } else {
        Theme { scale }
    }
}

/// Encodes an RGB8 buffer as PNG with a 192 dpi (2× of 96 dpi) physical size.
fn encode_png(rgb: &[u8], w: u32, h: u32) -> Result<Vec<u8>, ChartError> {
    let err = |e: png::EncodingError| ChartError::PngEncode(e.to_string().to_lowercase());
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, w, h);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        enc.set_compression(png::Compression::Default);
        // 192 dots per inch = 7559 per metre.
        enc.set_pixel_dims(Some(png::PixelDimensions {
            xppu: 7559,
            yppu: 7559,
            unit: png::Unit::Meter,
        }));
        let mut writer = enc.write_header().map_err(err)?;
        writer.write_image_data(rgb).map_err(err)?;
        writer.finish().map_err(err)?;
    }
    Ok(out)
}
