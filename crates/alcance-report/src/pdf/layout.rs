//! The PDF reports' page layout: a flow of headings, wrapped paragraphs, tables (header
//! repeated after a page break), charts and color grids laid out top to bottom on A4
//! pages, as a list of drawing operations per page ([`Op`]). [`super::render`] turns the
//! pages into PDF bytes; tests read the operations directly.
//!
//! Units are PDF points (1/72 inch), origin at the page's top left, y growing down.

use super::picture::Picture;
use crate::font::DEJAVU_SANS;
use ab_glyph::{Font as _, FontRef};
use std::sync::OnceLock;

/// An sRGB color.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Rgb(pub u8, pub u8, pub u8);

impl Rgb {
    /// From `0xRRGGBB`.
    pub(crate) fn hex(v: u32) -> Rgb {
        Rgb(((v >> 16) & 0xFF) as u8, ((v >> 8) & 0xFF) as u8, (v & 0xFF) as u8)
    }
}

pub(crate) const INK: Rgb = Rgb(0x1F, 0x29, 0x33);
pub(crate) const MUTED: Rgb = Rgb(0x5F, 0x6B, 0x7A);
pub(crate) const RULE: Rgb = Rgb(0xDD, 0xE1, 0xE6);
pub(crate) const HEADER_FILL: Rgb = Rgb(0xEE, 0xF1, 0xF5);
pub(crate) const ACCENT: Rgb = Rgb(0x4E, 0x79, 0xA7);
pub(crate) const UP: Rgb = Rgb(0x1A, 0x7F, 0x37);
pub(crate) const DOWN: Rgb = Rgb(0xB4, 0x23, 0x18);

/// One drawing operation, in points on its page.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Op {
    /// Text on one line: `(x, y)` is the start of its baseline, `size` the em size in
    /// points, `angle` a rotation in degrees about `(x, y)` (clockwise on the page).
    Text {
        x: f32,
        y: f32,
        size: f32,
        color: Rgb,
        bold: bool,
        angle: f32,
        text: String,
    },
    /// A filled rectangle.
    Rect { x: f32, y: f32, w: f32, h: f32, fill: Rgb },
    /// A polyline (closed when `close`), filled and / or stroked.
    Path {
        points: Vec<(f32, f32)>,
        close: bool,
        fill: Option<Rgb>,
        stroke: Option<(Rgb, f32)>,
    },
    /// A circle, filled and / or stroked.
    Circle {
        cx: f32,
        cy: f32,
        r: f32,
        fill: Option<Rgb>,
        stroke: Option<(Rgb, f32)>,
    },
    /// A clickable area opening `uri` (http or https only).
    Link {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        uri: String,
    },
    /// A picture drawn into the `w` × `h` rectangle whose top left is `(x, y)` (already
    /// fitted to keep its aspect ratio).
    Image {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        picture: Picture,
    },
}

impl Op {
    /// The operation scaled by `s` about the origin, then moved by `(dx, dy)`.
    pub(crate) fn placed(self, s: f32, dx: f32, dy: f32) -> Op {
        let p = |(x, y): (f32, f32)| (x * s + dx, y * s + dy);
        match self {
            Op::Text {
                x,
                y,
                size,
                color,
                bold,
                angle,
                text,
            } => {
                let (x, y) = p((x, y));
                Op::Text {
                    x,
                    y,
                    size: size * s,
                    color,
                    bold,
                    angle,
                    text,
                }
            }
            Op::Rect { x, y, w, h, fill } => {
                let (x, y) = p((x, y));
                Op::Rect {
                    x,
                    y,
                    w: w * s,
                    h: h * s,
                    fill,
                }
            }
            Op::Path {
                points,
                close,
                fill,
                stroke,
            } => Op::Path {
                points: points.into_iter().map(p).collect(),
                close,
                fill,
                stroke: stroke.map(|(c, w)| (c, w * s)),
            },
            Op::Circle {
                cx,
                cy,
                r,
                fill,
                stroke,
            } => {
                let (cx, cy) = p((cx, cy));
                Op::Circle {
                    cx,
                    cy,
                    r: r * s,
                    fill,
                    stroke: stroke.map(|(c, w)| (c, w * s)),
                }
            }
            Op::Link { x, y, w, h, uri } => {
                let (x, y) = p((x, y));
                Op::Link {
                    x,
                    y,
                    w: w * s,
                    h: h * s,
                    uri,
                }
            }
            Op::Image { x, y, w, h, picture } => {
                let (x, y) = p((x, y));
                Op::Image {
                    x,
                    y,
                    w: w * s,
                    h: h * s,
                    picture,
                }
            }
        }
    }
}

/// Text measurement with the embedded DejaVu Sans (the font the PDF embeds).
pub(crate) struct Metrics {
    font: FontRef<'static>,
    upem: f32,
    ascent: f32,
    descent: f32,
}

/// The font's metrics, read once; `None` if the embedded font cannot be parsed (never
/// with the shipped file).
pub(crate) fn metrics() -> Option<&'static Metrics> {
    static METRICS: OnceLock<Option<Metrics>> = OnceLock::new();
    METRICS
        .get_or_init(|| {
            let font = FontRef::try_from_slice(DEJAVU_SANS).ok()?;
            let upem = font.units_per_em()?;
            Some(Metrics {
                ascent: font.ascent_unscaled(),
                descent: font.descent_unscaled(),
                font,
                upem,
            })
        })
        .as_ref()
}

impl Metrics {
    /// Width in points of `text` at `size` (em, points), without kerning (so never
    /// narrower than the shaped text).
    pub(crate) fn width(&self, text: &str, size: f32) -> f32 {
        let units: f32 = text
            .chars()
            .map(|c| self.font.h_advance_unscaled(self.font.glyph_id(c)))
            .sum();
        units / self.upem * size
    }

    /// `text` as positioned glyphs, one per character, left to right: the glyph id, its
    /// advance in em (advance / units per em) and the character's byte range in `text`.
    /// No kerning or ligatures: Latin text needs neither, and [`Metrics::width`] measures
    /// exactly what is drawn.
    pub(crate) fn glyphs(&self, text: &str) -> Vec<(u16, f32, std::ops::Range<usize>)> {
        text.char_indices()
            .map(|(i, c)| {
                let id = self.font.glyph_id(c);
                (id.0, self.font.h_advance_unscaled(id) / self.upem, i..i + c.len_utf8())
            })
            .collect()
    }

    /// Whether the font has a glyph for `c`.
    pub(crate) fn has(&self, c: char) -> bool {
        self.font.glyph_id(c).0 != 0
    }

    /// Ascent above the baseline, in em (≈ 0.93 for DejaVu Sans).
    pub(crate) fn ascent_em(&self) -> f32 {
        self.ascent / self.upem
    }

    /// Ascent − descent, in em (≈ 1.16 for DejaVu Sans).
    pub(crate) fn height_em(&self) -> f32 {
        (self.ascent - self.descent) / self.upem
    }

    /// `text` fit for the PDF: control characters become spaces and characters the font
    /// lacks (emoji, most non-Latin scripts) are left out, so nothing prints as a box.
    pub(crate) fn clean(&self, text: &str) -> String {
        text.chars()
            .filter_map(|c| {
                if c.is_control() {
                    Some(' ')
                } else if self.has(c) {
                    Some(c)
                } else {
                    None
                }
            })
            .collect()
    }

    /// `text` broken into lines no wider than `width` at `size`: at spaces where possible,
    /// inside a word that alone is wider than a line. Always at least one line.
    pub(crate) fn wrap(&self, text: &str, size: f32, width: f32) -> Vec<String> {
        let mut lines = Vec::new();
        for paragraph in text.split('\n') {
            let mut line = String::new();
            for word in paragraph.split(' ').filter(|w| !w.is_empty()) {
                let candidate = if line.is_empty() {
                    word.to_string()
                } else {
                    format!("{line} {word}")
                };
                if self.width(&candidate, size) <= width {
                    line = candidate;
                    continue;
                }
                if !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                }
                // The word alone: break it where it overflows, after its last `.`, `_`, `-`
                // or `/` on the line when it has one (`@ana.` / `influencer`, a URL at a
                // slash), else right there.
                for c in word.chars() {
                    line.push(c);
                    if self.width(&line, size) > width && line.chars().count() > 1 {
                        line.pop();
                        let cut = line
                            .char_indices()
                            .filter(|&(i, ch)| i > 0 && matches!(ch, '.' | '_' | '-' | '/'))
                            .map(|(i, ch)| i + ch.len_utf8())
                            .next_back()
                            .filter(|&at| at < line.len());
                        let rest = cut.map(|at| line.split_off(at)).unwrap_or_default();
                        lines.push(std::mem::replace(&mut line, rest));
                        line.push(c);
                    }
                }
            }
            lines.push(line);
        }
        if lines.is_empty() {
            lines.push(String::new());
        }
        lines
    }
}

/// Horizontal alignment in a table cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Align {
    Left,
    Right,
    Center,
}

/// A table column: its share of the content width and its alignment.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Col {
    pub share: f32,
    pub align: Align,
}

/// Table columns from `(share, alignment)` pairs.
pub(crate) fn columns(spec: &[(f32, Align)]) -> Vec<Col> {
    spec.iter().map(|&(share, align)| Col { share, align }).collect()
}

/// A table cell.
#[derive(Debug, Clone, Default)]
pub(crate) struct Cell {
    pub text: String,
    pub fill: Option<Rgb>,
    pub color: Option<Rgb>,
    pub bold: bool,
    /// Makes the cell a link (http and https only; others are shown as text).
    pub link: Option<String>,
    /// A picture drawn at the left of the cell, scaled into a [`THUMB`]-point box (at
    /// most half the cell's width) with its aspect ratio kept; the cell's text wraps in the
    /// width beside it and the row grows to hold it. Rows without a picture keep their
    /// height, so a table where a few rows have one stays compact.
    pub picture: Option<Picture>,
}

impl Cell {
    pub(crate) fn new(text: impl Into<String>) -> Cell {
        Cell {
            text: text.into(),
            ..Cell::default()
        }
    }
    pub(crate) fn colored(text: impl Into<String>, color: Rgb) -> Cell {
        Cell {
            text: text.into(),
            color: Some(color),
            ..Cell::default()
        }
    }
}

/// The side in points of the box a table cell's picture is scaled into.
pub(crate) const THUMB: f32 = 34.0;

/// A4, in points.
pub(crate) const A4: (f32, f32) = (595.28, 841.89);
const MARGIN: f32 = 40.0;
const FOOTER_GAP: f32 = 28.0;
const LEADING: f32 = 1.28;
const PAD_X: f32 = 3.0;
const PAD_Y: f32 = 2.6;

/// The flow: appends blocks top to bottom and starts a page when one does not fit.
pub(crate) struct Flow {
    m: &'static Metrics,
    size: (f32, f32),
    pages: Vec<Vec<Op>>,
    y: f32,
}

impl Flow {
    /// A flow on A4 portrait pages.
    pub(crate) fn new(m: &'static Metrics) -> Flow {
        Flow {
            m,
            size: A4,
            pages: vec![Vec::new()],
            y: MARGIN,
        }
    }

    /// The content width in points.
    pub(crate) fn width(&self) -> f32 {
        self.size.0 - 2.0 * MARGIN
    }

    fn bottom(&self) -> f32 {
        self.size.1 - MARGIN - FOOTER_GAP / 2.0
    }

    fn ops(&mut self) -> &mut Vec<Op> {
        if self.pages.is_empty() {
            self.pages.push(Vec::new());
        }
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    /// Starts a new page.
    pub(crate) fn page_break(&mut self) {
        self.pages.push(Vec::new());
        self.y = MARGIN;
    }

    /// Makes room for `height` points, starting a page when the current one has less
    /// (a block taller than a page gets a page of its own and overflows it no further
    /// than its own height allows).
    pub(crate) fn ensure(&mut self, height: f32) {
        if self.y + height > self.bottom() && self.y > MARGIN + 0.5 {
            self.page_break();
        }
    }

    /// Vertical space.
    pub(crate) fn gap(&mut self, points: f32) {
        self.y += points;
    }

    fn text_line(&mut self, x: f32, text: &str, size: f32, color: Rgb, bold: bool) {
        let baseline = self.y + size * self.m.ascent_em();
        let text = self.m.clean(text);
        if !text.trim().is_empty() {
            self.ops().push(Op::Text {
                x,
                y: baseline,
                size,
                color,
                bold,
                angle: 0.0,
                text,
            });
        }
    }

    /// A heading: `size` points, bold, kept with at least `keep` points of what follows.
    pub(crate) fn heading(&mut self, text: &str, size: f32, keep: f32) {
        let h = size * LEADING;
        self.ensure(h + keep);
        self.text_line(MARGIN, text, size, INK, true);
        self.y += h + size * 0.25;
    }

    /// A wrapped paragraph at `size` points.
    pub(crate) fn paragraph(&mut self, text: &str, size: f32, color: Rgb) {
        let lines = self.m.wrap(&self.m.clean(text), size, self.width());
        for line in lines {
            self.ensure(size * LEADING);
            self.text_line(MARGIN, &line, size, color, false);
            self.y += size * LEADING;
        }
        self.y += size * 0.35;
    }

    /// A bulleted item: a bold title line and a wrapped detail under it, indented.
    pub(crate) fn bullet(&mut self, title: &str, detail: &str, size: f32, mark: Rgb) {
        let indent = 12.0;
        let w = self.width() - indent;
        let title_lines = self.m.wrap(&self.m.clean(title), size, w);
        let detail_lines = self.m.wrap(&self.m.clean(detail), size * 0.92, w);
        let first = size * LEADING;
        self.ensure(first * 2.0);
        let cy = self.y + size * 0.55;
        self.ops().push(Op::Circle {
            cx: MARGIN + 4.0,
            cy,
            r: 2.2,
            fill: Some(mark),
            stroke: None,
        });
        for line in title_lines {
            self.ensure(first);
            self.text_line(MARGIN + indent, &line, size, INK, true);
            self.y += first;
        }
        for line in detail_lines.iter().filter(|l| !l.is_empty()) {
            self.ensure(size * 0.92 * LEADING);
            self.text_line(MARGIN + indent, line, size * 0.92, MUTED, false);
            self.y += size * 0.92 * LEADING;
        }
        self.y += size * 0.4;
    }

    /// A table at `size` points: `header` cells in bold on a tinted row, repeated at the top
    /// of every page the table continues on; cells wrap inside their column.
    pub(crate) fn table(&mut self, cols: &[Col], header: &[Cell], rows: &[Vec<Cell>], size: f32) {
        let total: f32 = cols.iter().map(|c| c.share).sum::<f32>().max(f32::EPSILON);
        let widths: Vec<f32> = cols.iter().map(|c| c.share / total * self.width()).collect();
        let header_h = self.row_height(&widths, header, size);
        let first_h = rows.first().map_or(0.0, |r| self.row_height(&widths, r, size));
        self.ensure(header_h + first_h);
        self.draw_row(cols, &widths, header, size, header_h, Some(HEADER_FILL), true);
        for row in rows {
            let h = self.row_height(&widths, row, size);
            if self.y + h > self.bottom() {
                self.page_break();
                self.draw_row(cols, &widths, header, size, header_h, Some(HEADER_FILL), true);
            }
            self.draw_row(cols, &widths, row, size, h, None, false);
        }
        self.y += size * 0.9;
    }

    fn row_height(&self, widths: &[f32], row: &[Cell], size: f32) -> f32 {
        row.iter()
            .zip(widths)
            .map(|(c, w)| {
                let (text_w, picture_h) = match &c.picture {
                    Some(_) => {
                        let (bw, bh) = picture_box((w - 2.0 * PAD_X).max(4.0));
                        (cell_text_width(*w, Some(bw)), bh)
                    }
                    None => (cell_text_width(*w, None), 0.0),
                };
                let lines = self.m.wrap(&self.m.clean(&c.text), size, text_w).len();
                (lines as f32 * size * LEADING).max(picture_h)
            })
            .fold(size * LEADING, f32::max)
            + 2.0 * PAD_Y
    }

    #[allow(clippy::too_many_arguments)]
    fn draw_row(
        &mut self,
        cols: &[Col],
        widths: &[f32],
        row: &[Cell],
        size: f32,
        h: f32,
        fill: Option<Rgb>,
        bold: bool,
    ) {
        let top = self.y;
        let mut x = MARGIN;
        if let Some(fill) = fill {
            let w = self.width();
            self.ops().push(Op::Rect { x, y: top, w, h, fill });
        }
        for ((cell, w), col) in row.iter().zip(widths).zip(cols) {
            if let Some(f) = cell.fill {
                self.ops().push(Op::Rect {
                    x,
                    y: top,
                    w: *w,
                    h,
                    fill: f,
                });
            }
            // The picture at the left, centred in its box; the text in the width beside it.
            let mut left = x;
            let mut text_w = cell_text_width(*w, None);
            if let Some(picture) = &cell.picture {
                let (bw, bh) = picture_box((w - 2.0 * PAD_X).max(4.0));
                let (pw, ph) = picture.fit(bw, bh);
                self.ops().push(Op::Image {
                    x: x + PAD_X + (bw - pw) / 2.0,
                    y: top + PAD_Y + (bh - ph) / 2.0,
                    w: pw,
                    h: ph,
                    picture: picture.clone(),
                });
                left = x + bw + PICTURE_GAP;
                text_w = cell_text_width(*w, Some(bw));
            }
            let right = x + w;
            let lines = self.m.wrap(&self.m.clean(&cell.text), size, text_w);
            let color = cell.color.unwrap_or(INK);
            for (i, line) in lines.iter().enumerate() {
                let lw = self.m.width(line, size);
                let lx = match col.align {
                    Align::Left => left + PAD_X,
                    Align::Right => right - PAD_X - lw,
                    Align::Center => left + (right - left - lw) / 2.0,
                };
                let baseline = top + PAD_Y + i as f32 * size * LEADING + size * self.m.ascent_em();
                if !line.trim().is_empty() {
                    self.ops().push(Op::Text {
                        x: lx,
                        y: baseline,
                        size,
                        color,
                        bold: bold || cell.bold,
                        angle: 0.0,
                        text: line.clone(),
                    });
                }
            }
            if let Some(uri) = cell.link.as_deref().filter(|u| is_web_link(u)) {
                self.ops().push(Op::Link {
                    x,
                    y: top,
                    w: *w,
                    h,
                    uri: uri.to_string(),
                });
            }
            x += w;
        }
        self.y = top + h;
        let (y, right) = (self.y, MARGIN + self.width());
        self.ops().push(Op::Path {
            points: vec![(MARGIN, y), (right, y)],
            close: false,
            fill: None,
            stroke: Some((RULE, 0.5)),
        });
    }

    /// A drawing recorded at `(w, h)` units (a chart in pixels), scaled to the content
    /// width and kept whole on one page.
    pub(crate) fn drawing(&mut self, ops: Vec<Op>, w: u32, h: u32) {
        let s = self.width() / w.max(1) as f32;
        let height = h as f32 * s;
        self.ensure(height);
        let (dx, dy) = (MARGIN, self.y);
        let placed: Vec<Op> = ops.into_iter().map(|op| op.placed(s, dx, dy)).collect();
        self.ops().extend(placed);
        self.y += height + 6.0;
    }

    /// The pages with a footer on each: `left` at the left, "`page_word` N / M" at the right.
    pub(crate) fn finish(mut self, left: &str, page_word: &str) -> Vec<Vec<Op>> {
        if self.pages.last().is_some_and(Vec::is_empty) && self.pages.len() > 1 {
            self.pages.pop();
        }
        let total = self.pages.len();
        let (w, h) = self.size;
        let size = 7.0;
        let y = h - MARGIN + 6.0;
        let left = self.m.clean(left);
        for (i, ops) in self.pages.iter_mut().enumerate() {
            ops.push(Op::Path {
                points: vec![(MARGIN, y - 10.0), (w - MARGIN, y - 10.0)],
                close: false,
                fill: None,
                stroke: Some((RULE, 0.5)),
            });
            ops.push(Op::Text {
                x: MARGIN,
                y,
                size,
                color: MUTED,
                bold: false,
                angle: 0.0,
                text: left.clone(),
            });
            let right = format!("{page_word} {} / {total}", i + 1);
            let rw = self.m.width(&right, size);
            ops.push(Op::Text {
                x: w - MARGIN - rw,
                y,
                size,
                color: MUTED,
                bold: false,
                angle: 0.0,
                text: right,
            });
        }
        self.pages
    }
}

/// Space between a cell's picture and its text, points.
const PICTURE_GAP: f32 = 4.0;

/// The box a cell picture is scaled into, in a cell `inner` points wide: [`THUMB`] square,
/// at most half the cell wide.
fn picture_box(inner: f32) -> (f32, f32) {
    (THUMB.min(inner / 2.0), THUMB)
}

/// The width a cell `w` points wide gives its text: the cell less its padding, less the
/// picture box `picture` (its width) and the gap beside it when it has one.
fn cell_text_width(w: f32, picture: Option<f32>) -> f32 {
    let inner = w - 2.0 * PAD_X;
    match picture {
        Some(bw) => (inner - bw - PICTURE_GAP).max(4.0),
        None => inner.max(4.0),
    }
}

/// Whether `uri` may become a link: `http://` or `https://` and nothing else (no
/// `javascript:`, `file:` or relative targets).
pub(crate) fn is_web_link(uri: &str) -> bool {
    let lower = uri.trim_start().to_ascii_lowercase();
    (lower.starts_with("https://") || lower.starts_with("http://")) && !uri.chars().any(char::is_control)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m() -> &'static Metrics {
        metrics().expect("the embedded font parses")
    }

    #[test]
    fn wrapping_keeps_every_word_within_the_width() {
        let text = "Engagement rates are Σ interactions / Σ reach × 100 over the posts published in the week";
        let lines = m().wrap(text, 9.0, 120.0);
        assert!(lines.len() > 2, "{lines:?}");
        for l in &lines {
            assert!(m().width(l, 9.0) <= 120.0, "{l:?} is too wide");
        }
        assert_eq!(lines.join(" "), text);
        let long = "https://www.instagram.com/reel/C9xYzAbCdEfGhIjKlMnOpQrStUvWxYz/";
        let parts = m().wrap(long, 8.0, 60.0);
        assert!(parts.len() > 1);
        assert_eq!(parts.concat(), long);
        assert_eq!(m().wrap("", 8.0, 60.0), vec![String::new()]);
        // A handle too wide for its cell breaks after its dot, not inside a word.
        assert_eq!(
            m().wrap("@ana.influencer (Instagram)", 7.2, 50.0),
            ["@ana.", "influencer", "(Instagram)"]
        );
        for part in m().wrap(long, 8.0, 60.0) {
            assert!(m().width(&part, 8.0) <= 60.0, "{part:?} is too wide");
        }
    }

    #[test]
    fn text_the_font_lacks_is_left_out_and_controls_become_spaces() {
        assert_eq!(m().clean("Olá 🎉 São\u{7}Paulo"), "Olá  São Paulo");
        assert!(m().width("WWW", 10.0) > m().width("iii", 10.0));
    }

    #[test]
    fn a_cell_picture_sits_left_of_its_text_and_only_its_row_grows() {
        let picture = Picture::decode(crate::pdf::picture::tests::png_2x1()).expect("a PNG");
        let mut f = Flow::new(m());
        let cols = columns(&[(2.0, Align::Left), (1.0, Align::Right)]);
        let header = [Cell::new("Account"), Cell::new("Reach")];
        let rows = vec![
            vec![
                Cell {
                    picture: Some(picture),
                    ..Cell::new("@ana (Instagram)")
                },
                Cell::new("1,000"),
            ],
            vec![Cell::new("@bia (X)"), Cell::new("2,000")],
        ];
        f.table(&cols, &header, &rows, 8.0);
        let ops = &f.finish("Alcance", "page")[0];
        let images: Vec<(f32, f32, f32, f32)> = ops
            .iter()
            .filter_map(|o| match o {
                Op::Image { x, y, w, h, .. } => Some((*x, *y, *w, *h)),
                _ => None,
            })
            .collect();
        assert_eq!(images.len(), 1);
        let (ix, iy, iw, ih) = images[0];
        assert!(
            (iw - THUMB).abs() < 0.01 && (ih - THUMB / 2.0).abs() < 0.01,
            "2:1 kept: {iw} × {ih}"
        );
        let text_y = |t: &str| {
            ops.iter().find_map(|o| match o {
                Op::Text { text, x, y, .. } if text == t => Some((*x, *y)),
                _ => None,
            })
        };
        let (ax, ay) = text_y("@ana (Instagram)").expect("the account beside its picture");
        assert!(ax >= ix + iw, "the text starts right of the picture");
        let (bx, by) = text_y("@bia (X)").expect("the next row");
        assert!(bx < ix + iw, "a row without a picture starts at the cell's edge");
        // The picture's row is THUMB tall; the next one is one line.
        assert!(by - ay >= THUMB, "{ay} → {by}");
        assert!(iy > ay - 8.0 && iy + ih < by, "the picture is inside its row");
    }

    #[test]
    fn only_web_links_become_links() {
        assert!(is_web_link("https://x.com/a/status/1"));
        assert!(is_web_link("HTTP://example.com"));
        assert!(!is_web_link("javascript:alert(1)"));
        assert!(!is_web_link("file:///etc/passwd"));
        assert!(!is_web_link("https://a\n.com"));
    }

    #[test]
    fn a_long_table_repeats_its_header_and_stays_inside_the_pages() {
        let mut f = Flow::new(m());
        let cols = [
            Col {
                share: 2.0,
                align: Align::Left,
            },
            Col {
                share: 1.0,
                align: Align::Right,
            },
        ];
        let header = [Cell::new("Account"), Cell::new("Reach")];
        let rows: Vec<Vec<Cell>> = (0..200)
            .map(|i| {
                vec![
                    Cell::new(format!("@account_{i} (Instagram)")),
                    Cell::new(format!("{i},000")),
                ]
            })
            .collect();
        f.table(&cols, &header, &rows, 8.0);
        let pages = f.finish("Alcance", "page");
        assert!(pages.len() >= 3, "{} pages", pages.len());
        for (i, ops) in pages.iter().enumerate() {
            let headers = ops
                .iter()
                .filter(|o| matches!(o, Op::Text { text, bold: true, .. } if text == "Account"))
                .count();
            assert_eq!(headers, 1, "page {i} has its header once");
            for op in ops {
                if let Op::Text { x, y, .. } = op {
                    assert!(*x >= 0.0 && *x < A4.0 && *y > 0.0 && *y < A4.1, "{op:?} off the page");
                }
            }
        }
        let all: Vec<&str> = pages
            .iter()
            .flatten()
            .filter_map(|o| match o {
                Op::Text { text, .. } => Some(text.as_str()),
                _ => None,
            })
            .collect();
        for i in [0, 99, 199] {
            assert!(
                all.contains(&format!("@account_{i} (Instagram)").as_str()),
                "row {i} is drawn"
            );
        }
        assert!(all.contains(&format!("page 1 / {}", pages.len()).as_str()));
    }
}
