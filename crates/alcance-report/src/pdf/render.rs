//! Laid-out pages ([`Op`]s) → PDF bytes, with krilla: the embedded DejaVu Sans subset into
//! the file, text as real (selectable, searchable) text, vector paths, link annotations
//! and the document's title, language and creator in its metadata. Pictures are image
//! XObjects, each held once in the file however often it is drawn.

use super::layout::{Metrics, Op, Rgb, A4};
use crate::font::DEJAVU_SANS;
use crate::ReportError;
use krilla::action::{Action, LinkAction};
use krilla::annotation::{Annotation, LinkAnnotation, Target};
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect, Size, Transform};
use krilla::metadata::Metadata;
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, LineCap, LineJoin, Stroke};
use krilla::surface::Surface;
use krilla::text::{Font, GlyphId, KrillaGlyph};
use krilla::{Data, Document};

/// Writes `pages` as a PDF document with `title` and `language` (BCP 47, `"pt-BR"`) in
/// its metadata.
///
/// # Errors
/// [`ReportError::Pdf`] when the font cannot be embedded or the PDF cannot be written.
pub(crate) fn render(m: &Metrics, pages: &[Vec<Op>], title: &str, language: &str) -> Result<Vec<u8>, ReportError> {
    let font = Font::new(Data::from(DEJAVU_SANS), 0)
        .ok_or_else(|| ReportError::Pdf("the embedded DejaVu Sans font could not be read".to_string()))?;
    let settings =
        PageSettings::from_wh(A4.0, A4.1).ok_or_else(|| ReportError::Pdf("invalid page size".to_string()))?;
    let mut document = Document::new();
    for ops in pages {
        let mut page = document.start_page_with(settings.clone());
        let mut links = Vec::new();
        {
            let mut surface = page.surface();
            for op in ops {
                match op {
                    Op::Link { x, y, w, h, uri } => {
                        if let Some(rect) = Rect::from_xywh(*x, *y, *w, *h) {
                            links.push((rect, uri.clone()));
                        }
                    }
                    other => draw(&mut surface, m, &font, other),
                }
            }
            surface.finish();
        }
        for (rect, uri) in links {
            let target = Target::Action(Action::Link(LinkAction::new(uri)));
            page.add_annotation(Annotation::new_link(LinkAnnotation::new(rect, target), None));
        }
        page.finish();
    }
    document.set_metadata(
        Metadata::new()
            .title(title.to_string())
            .language(language.to_string())
            .creator("Alcance".to_string()),
    );
    document
        .finish()
        .map_err(|e| ReportError::Pdf(format!("writing the PDF failed: {e:?}")))
}

fn color(c: Rgb) -> rgb::Color {
    rgb::Color::new(c.0, c.1, c.2)
}

fn fill(c: Rgb) -> Fill {
    Fill {
        paint: color(c).into(),
        opacity: NormalizedF32::ONE,
        rule: Default::default(),
    }
}

fn stroke(c: Rgb, width: f32) -> Stroke {
    Stroke {
        paint: color(c).into(),
        width: width.max(0.1),
        line_cap: LineCap::Round,
        line_join: LineJoin::Round,
        ..Stroke::default()
    }
}

fn draw(s: &mut Surface<'_>, m: &Metrics, font: &Font, op: &Op) {
    match op {
        Op::Text {
            x,
            y,
            size,
            color: c,
            bold,
            angle,
            text,
        } => {
            if !(x.is_finite() && y.is_finite() && size.is_finite() && *size > 0.0) {
                return;
            }
            s.set_fill(Some(fill(*c)));
            // Bold without a second font file: the glyphs stroked in their own color.
            s.set_stroke(bold.then(|| stroke(*c, size * 0.045)));
            // Glyphs placed by the font's advances (what the layout measured), so no
            // shaping engine is needed.
            let glyphs: Vec<KrillaGlyph> = m
                .glyphs(text)
                .into_iter()
                .map(|(id, advance, range)| {
                    KrillaGlyph::new(GlyphId::new(u32::from(id)), advance, 0.0, 0.0, 0.0, range, None)
                })
                .collect();
            if *angle == 0.0 {
                s.draw_glyphs(Point::from_xy(*x, *y), &glyphs, font.clone(), text, *size, false);
            } else {
                let (sin, cos) = angle.to_radians().sin_cos();
                s.push_transform(&Transform::from_row(cos, sin, -sin, cos, *x, *y));
                s.draw_glyphs(Point::from_xy(0.0, 0.0), &glyphs, font.clone(), text, *size, false);
                s.pop();
            }
            s.set_stroke(None);
        }
        Op::Rect { x, y, w, h, fill: f } => {
            if let Some(rect) = Rect::from_xywh(*x, *y, *w, *h) {
                let mut pb = PathBuilder::new();
                pb.push_rect(rect);
                if let Some(path) = pb.finish() {
                    s.set_fill(Some(fill(*f)));
                    s.set_stroke(None);
                    s.draw_path(&path);
                }
            }
        }
        Op::Path {
            points,
            close,
            fill: f,
            stroke: st,
        } => {
            let mut pb = PathBuilder::new();
            let mut finite = points.iter().filter(|(x, y)| x.is_finite() && y.is_finite());
            let Some(&(x0, y0)) = finite.next() else { return };
            pb.move_to(x0, y0);
            for &(x, y) in finite {
                pb.line_to(x, y);
            }
            if *close {
                pb.close();
            }
            if let Some(path) = pb.finish() {
                s.set_fill(f.map(fill));
                s.set_stroke(st.map(|(c, w)| stroke(c, w)));
                s.draw_path(&path);
            }
        }
        Op::Circle {
            cx,
            cy,
            r,
            fill: f,
            stroke: st,
        } => {
            if !(cx.is_finite() && cy.is_finite() && r.is_finite() && *r > 0.0) {
                return;
            }
            // Four cubic Bézier arcs (k = 4/3 · (√2 − 1)).
            let k = 0.552_284_8 * r;
            let (x, y, r) = (*cx, *cy, *r);
            let mut pb = PathBuilder::new();
            pb.move_to(x + r, y);
            pb.cubic_to(x + r, y + k, x + k, y + r, x, y + r);
            pb.cubic_to(x - k, y + r, x - r, y + k, x - r, y);
            pb.cubic_to(x - r, y - k, x - k, y - r, x, y - r);
            pb.cubic_to(x + k, y - r, x + r, y - k, x + r, y);
            pb.close();
            if let Some(path) = pb.finish() {
                s.set_fill(f.map(fill));
                s.set_stroke(st.map(|(c, w)| stroke(c, w)));
                s.draw_path(&path);
            }
        }
        Op::Image { x, y, w, h, picture } => {
            if !(x.is_finite() && y.is_finite()) {
                return;
            }
            // `Size` refuses zero, negative and non-finite sides.
            if let Some(size) = Size::from_wh(*w, *h) {
                s.push_transform(&Transform::from_translate(*x, *y));
                s.draw_image(picture.image().clone(), size);
                s.pop();
            }
        }
        Op::Link { .. } => {}
    }
}
