//! A plotters drawing backend that records vector [`Op`]s, so the report charts (the same
//! drawing code as their SVG and PNG) go into the PDF as vector graphics with real text.
//! Coordinates are the chart's pixels; [`super::layout::Flow::drawing`] scales them.

use super::layout::{Metrics, Op, Rgb};
use plotters::prelude::DrawingBackend;
use plotters_backend::text_anchor::{HPos, VPos};
use plotters_backend::{BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingErrorKind, FontTransform};

/// Records what plotters draws on a `width` × `height` px canvas.
pub(crate) struct Recorder<'a> {
    m: &'static Metrics,
    width: u32,
    height: u32,
    ops: &'a mut Vec<Op>,
}

impl<'a> Recorder<'a> {
    /// Records into `ops`.
    pub(crate) fn new(m: &'static Metrics, width: u32, height: u32, ops: &'a mut Vec<Op>) -> Recorder<'a> {
        Recorder { m, width, height, ops }
    }

    /// The em size (points per px) that makes text `px` tall from descent to ascent, which
    /// is how plotters' own font backends read a text size.
    fn em(&self, px: f64) -> f32 {
        px as f32 / self.m.height_em().max(0.1)
    }
}

fn rgb(c: BackendColor) -> Option<Rgb> {
    (c.alpha > 0.0).then_some(Rgb(c.rgb.0, c.rgb.1, c.rgb.2))
}

fn pt((x, y): BackendCoord) -> (f32, f32) {
    (x as f32, y as f32)
}

impl DrawingBackend for Recorder<'_> {
    type ErrorType = std::io::Error;

    fn get_size(&self) -> (u32, u32) {
        (self.width, self.height)
    }

    fn ensure_prepared(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        Ok(())
    }

    fn present(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        Ok(())
    }

    fn draw_pixel(
        &mut self,
        point: BackendCoord,
        color: BackendColor,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        if let Some(fill) = rgb(color) {
            let (x, y) = pt(point);
            self.ops.push(Op::Rect {
                x,
                y,
                w: 1.0,
                h: 1.0,
                fill,
            });
        }
        Ok(())
    }

    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        if let Some(c) = rgb(style.color()) {
            let w = style.stroke_width().max(1) as f32;
            self.ops.push(Op::Path {
                points: vec![pt(from), pt(to)],
                close: false,
                fill: None,
                stroke: Some((c, w)),
            });
        }
        Ok(())
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        let Some(c) = rgb(style.color()) else { return Ok(()) };
        let (x0, y0) = pt(upper_left);
        let (x1, y1) = pt(bottom_right);
        if fill {
            self.ops.push(Op::Rect {
                x: x0.min(x1),
                y: y0.min(y1),
                w: (x1 - x0).abs(),
                h: (y1 - y0).abs(),
                fill: c,
            });
        } else {
            let w = style.stroke_width().max(1) as f32;
            self.ops.push(Op::Path {
                points: vec![(x0, y0), (x1, y0), (x1, y1), (x0, y1)],
                close: true,
                fill: None,
                stroke: Some((c, w)),
            });
        }
        Ok(())
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        if let Some(c) = rgb(style.color()) {
            let points: Vec<(f32, f32)> = path.into_iter().map(pt).collect();
            if points.len() > 1 {
                let w = style.stroke_width().max(1) as f32;
                self.ops.push(Op::Path {
                    points,
                    close: false,
                    fill: None,
                    stroke: Some((c, w)),
                });
            }
        }
        Ok(())
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        if let Some(c) = rgb(style.color()) {
            let (cx, cy) = pt(center);
            let w = style.stroke_width().max(1) as f32;
            let (fill, stroke) = if fill { (Some(c), None) } else { (None, Some((c, w))) };
            self.ops.push(Op::Circle {
                cx,
                cy,
                r: radius as f32,
                fill,
                stroke,
            });
        }
        Ok(())
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        if let Some(c) = rgb(style.color()) {
            let points: Vec<(f32, f32)> = vert.into_iter().map(pt).collect();
            if points.len() > 2 {
                self.ops.push(Op::Path {
                    points,
                    close: true,
                    fill: Some(c),
                    stroke: None,
                });
            }
        }
        Ok(())
    }

    fn draw_text<T: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &T,
        pos: BackendCoord,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        let Some(color) = rgb(style.color()) else { return Ok(()) };
        let text = self.m.clean(text);
        if text.trim().is_empty() {
            return Ok(());
        }
        let px = style.size();
        let size = self.em(px);
        let w = self.m.width(&text, size);
        let h = px as f32;
        let ascent = size * self.m.ascent_em();
        let dx = match style.anchor().h_pos {
            HPos::Left => 0.0,
            HPos::Center => -w / 2.0,
            HPos::Right => -w,
        };
        let dy = match style.anchor().v_pos {
            VPos::Top => ascent,
            VPos::Center => ascent - h / 2.0,
            VPos::Bottom => ascent - h,
        };
        let angle: f32 = match style.transform() {
            FontTransform::None => 0.0,
            FontTransform::Rotate90 => 90.0,
            FontTransform::Rotate180 => 180.0,
            FontTransform::Rotate270 => 270.0,
        };
        // The anchor offsets are along the text's own axes, turned with it.
        let (sin, cos) = angle.to_radians().sin_cos();
        let (x0, y0) = pt(pos);
        let x = x0 + dx * cos - dy * sin;
        let y = y0 + dx * sin + dy * cos;
        self.ops.push(Op::Text {
            x,
            y,
            size,
            color,
            bold: false,
            angle,
            text,
        });
        Ok(())
    }

    fn estimate_text_size<T: BackendTextStyle>(
        &self,
        text: &str,
        style: &T,
    ) -> Result<(u32, u32), DrawingErrorKind<Self::ErrorType>> {
        let px = style.size();
        let w = self.m.width(&self.m.clean(text), self.em(px));
        Ok((w.ceil().max(0.0) as u32, px.ceil().max(0.0) as u32))
    }

    fn blit_bitmap(
        &mut self,
        _pos: BackendCoord,
        _size: (u32, u32),
        _src: &[u8],
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        // The report charts draw no bitmaps.
        Ok(())
    }
}
