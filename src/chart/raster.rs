//! PNG text rasterisation that matches the SVG: a thin wrapper around the
//! plotters bitmap backend that draws text itself.
//!
//! plotters 0.3.7 rasterises `ab_glyph` text ignoring each glyph's left side
//! bearing (so "gossip.fanout" prints as "gossip. fanout") and puts the
//! baseline higher than SVG viewers do. This backend delegates every shape to
//! the bitmap backend and lays text out with the bundled font the way the SVG
//! asks a viewer to: font size `size / 1.24`, baseline at `0.76em` below a
//! top anchor and `0.5ex` from a centre or bottom anchor, rotation about the
//! anchor. Text *measurement* still goes through plotters, so layouts are
//! identical in both encodings.

use std::sync::OnceLock;

use ab_glyph::{point, Font, FontRef, PxScale, ScaleFont};
use plotters::backend::BitMapBackend;
use plotters_backend::text_anchor::{HPos, VPos};
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingBackend, DrawingErrorKind,
};

use super::theme::FONT_BYTES;

fn font() -> Option<&'static FontRef<'static>> {
    static FONT: OnceLock<Option<FontRef<'static>>> = OnceLock::new();
    FONT.get_or_init(|| FontRef::try_from_slice(FONT_BYTES).ok())
        .as_ref()
}

/// The bitmap backend with SVG-faithful text.
pub(crate) struct GlyphBackend<'a>(pub(crate) BitMapBackend<'a>);

type Res<'a> = Result<(), DrawingErrorKind<<BitMapBackend<'a> as DrawingBackend>::ErrorType>>;

/// The width in pixels of `text` in `style` as this backend (and an SVG
/// viewer) draws it: its advances at the drawn size; `estimate_text_size`
/// is a few percent wider.
pub(crate) fn drawn_width(text: &str, style: &plotters::style::TextStyle<'_>) -> i32 {
    let Some(font) = font() else {
        return 0;
    };
    let em = (style.font.get_size() / 1.24) as f32;
    let upem = font.units_per_em().unwrap_or(2048.0);
    let sf = font.as_scaled(PxScale::from(em * font.height_unscaled() / upem));
    let mut prev = None;
    let mut x = 0.0f32;
    for c in text.chars() {
        let id = sf.glyph_id(c);
        if let Some(p) = prev {
            x += sf.kern(p, id);
        }
        x += sf.h_advance(id);
        prev = Some(id);
    }
    x.ceil() as i32
}

/// Pixels `(x, y, coverage)` of `text` relative to the anchor, before rotation.
pub(crate) fn layout(text: &str, size: f64, h: HPos, v: VPos) -> Vec<(i32, i32, f32)> {
    let Some(font) = font() else {
        return Vec::new();
    };
    let em = (size / 1.24) as f32;
    let upem = font.units_per_em().unwrap_or(2048.0);
    let scale = PxScale::from(em * font.height_unscaled() / upem);
    let sf = font.as_scaled(scale);
    let mut x = 0.0f32;
    let mut prev = None;
    let mut glyphs = Vec::new();
    for c in text.chars() {
        let id = sf.glyph_id(c);
        if let Some(p) = prev {
            x += sf.kern(p, id);
        }
        glyphs.push(id.with_scale_and_position(scale, point(x, 0.0)));
        x += sf.h_advance(id);
        prev = Some(id);
    }
    let ex = sf
        .outline_glyph(sf.glyph_id('x').with_scale(scale))
        .map_or(em * 0.55, |g| -g.px_bounds().min.y);
    let dx = match h {
        HPos::Left => 0.0,
        HPos::Center => -x / 2.0,
        HPos::Right => -x,
    };
    let dy = match v {
        VPos::Top => 0.76 * em,
        VPos::Center => 0.5 * ex,
        VPos::Bottom => -0.5 * ex,
    };
    let (dx, dy) = (dx.round() as i32, dy.round() as i32);
    let mut px = Vec::new();
    for g in glyphs {
        if let Some(og) = sf.outline_glyph(g) {
            let b = og.px_bounds();
            let (bx, by) = (b.min.x as i32 + dx, b.min.y as i32 + dy);
            og.draw(|gx, gy, cov| {
                if cov > 0.0 {
                    px.push((bx + gx as i32, by + gy as i32, cov.min(1.0)));
                }
            });
        }
    }
    px
}

impl<'a> DrawingBackend for GlyphBackend<'a> {
    type ErrorType = <BitMapBackend<'a> as DrawingBackend>::ErrorType;

    fn get_size(&self) -> (u32, u32) {
        self.0.get_size()
    }
    fn ensure_prepared(&mut self) -> Res<'a> {
        self.0.ensure_prepared()
    }
    fn present(&mut self) -> Res<'a> {
        self.0.present()
    }
    fn draw_pixel(&mut self, p: BackendCoord, c: BackendColor) -> Res<'a> {
        self.0.draw_pixel(p, c)
    }
    fn draw_line<S: BackendStyle>(&mut self, from: BackendCoord, to: BackendCoord, s: &S) -> Res<'a> {
        self.0.draw_line(from, to, s)
    }
    fn draw_rect<S: BackendStyle>(
        &mut self,
        ul: BackendCoord,
        br: BackendCoord,
        s: &S,
        fill: bool,
    ) -> Res<'a> {
        self.0.draw_rect(ul, br, s, fill)
    }
    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        s: &S,
    ) -> Res<'a> {
        self.0.draw_path(path, s)
    }
    fn draw_circle<S: BackendStyle>(&mut self, c: BackendCoord, r: u32, s: &S, fill: bool) -> Res<'a> {
        self.0.draw_circle(c, r, s, fill)
    }
    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        s: &S,
    ) -> Res<'a> {
        self.0.fill_polygon(vert, s)
    }
    fn blit_bitmap(&mut self, pos: BackendCoord, size: (u32, u32), src: &[u8]) -> Res<'a> {
        self.0.blit_bitmap(pos, size, src)
    }

    fn draw_text<T: BackendTextStyle>(&mut self, text: &str, style: &T, pos: BackendCoord) -> Res<'a> {
        let color = style.color();
        if color.alpha == 0.0 {
            return Ok(());
        }
        let anchor = style.anchor();
        let trans = style.transform();
        for (x, y, cov) in layout(text, style.size(), anchor.h_pos, anchor.v_pos) {
            let (rx, ry) = trans.transform(x, y);
            self.0
                .draw_pixel((pos.0 + rx, pos.1 + ry), color.mix(f64::from(cov)))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glyphs_keep_their_side_bearings() {
        // "i.i": the dot's ink must sit between the two stems, not touch the first.
        let px = layout("l.l", 40.0, HPos::Left, VPos::Top);
        let mut cols: Vec<i32> = px.iter().filter(|p| p.2 > 0.5).map(|p| p.0).collect();
        cols.sort_unstable();
        cols.dedup();
        let gaps = cols.windows(2).filter(|w| w[1] - w[0] > 1).count();
        assert_eq!(gaps, 2, "three separate ink runs: l . l ({cols:?})");
    }

    #[test]
    fn anchors_match_svg_conventions() {
        let top = layout("H", 62.0, HPos::Left, VPos::Top);
        let min_y = top.iter().filter(|p| p.2 > 0.5).map(|p| p.1).min().unwrap();
        // em = 50 px; baseline at 38 px; cap height of DejaVu Sans is 0.73 em.
        assert!((1..=4).contains(&min_y), "cap top at {min_y}");
        let right = layout("H", 62.0, HPos::Right, VPos::Center);
        assert!(right.iter().all(|p| p.0 <= 0));
    }
}
