//! The campaign PDF's pictures (issue 13 point 3): a post's kept picture, carried by the
//! report as a `data:` URL ([`crate::campaign::PostPicture::data_url`]), decoded once by
//! krilla (`raster-images`: PNG, JPEG, GIF, WebP) and drawn beside its post, scaled into a
//! fixed box with its aspect ratio kept.
//!
//! A picture that cannot be used is left out and its row stays: not a `data:image/…;base64`
//! URL, bytes that are none of the four formats, a side over [`MAX_SIDE_PX`] pixels (a
//! small file can claim a huge canvas), or a file krilla cannot decode to the end (a
//! truncated PNG whose header is fine). krilla decodes when the image is made but only
//! reports a failure when the document is written, so every picture is first written
//! alone into a scratch document: one that fails there never reaches the report's PDF.
//! The `pdf_picture` fuzz target ([`crate::fuzzing::pdf_picture`]) runs all of it on
//! arbitrary bytes without the panic guard.

use base64::Engine as _;
use krilla::geom::Size;
use krilla::image::Image;
use krilla::page::PageSettings;
use krilla::{Data, Document};
use std::panic::{catch_unwind, AssertUnwindSafe};

/// The longest side, in pixels, of a picture the PDF embeds (platform thumbnails are at
/// most 1,080 px; the media step keeps files of at most 2 MiB).
pub(crate) const MAX_SIDE_PX: usize = 4096;

/// A decoded picture, ready to draw: cheap to clone (krilla shares the decoded data, and
/// the PDF holds it once however often it is drawn).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Picture {
    image: Image,
    /// Width and height in pixels.
    size: (u32, u32),
}

impl Picture {
    /// The picture of a `data:image/<png|jpeg|gif|webp>;base64,<bytes>` URL; `None` when it
    /// cannot be used (see the module).
    pub(crate) fn from_data_url(url: &str) -> Option<Picture> {
        let rest = url.strip_prefix("data:image/")?;
        let (meta, payload) = rest.split_once(',')?;
        if !meta.ends_with(";base64") {
            return None;
        }
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(payload.trim().as_bytes())
            .ok()?;
        Picture::decode(bytes)
    }

    /// The picture in `bytes` (PNG, JPEG, GIF or WebP, told by its first bytes); `None`
    /// when it cannot be used (see the module). In builds that unwind (tests, the CLI, the
    /// server) a decoder that panics is caught and the picture left out; the installers'
    /// `dist` profile aborts on panic (ADR 0022), so there the decoders' own robustness is
    /// what counts: the `pdf_picture` fuzz target runs [`Picture::decode_unguarded`].
    pub(crate) fn decode(bytes: Vec<u8>) -> Option<Picture> {
        catch_unwind(AssertUnwindSafe(move || Picture::decode_unguarded(bytes)))
            .ok()
            .flatten()
    }

    /// [`Picture::decode`] without catching a panic: the size checks, krilla's decoding and
    /// the write of a one-picture document.
    pub(crate) fn decode_unguarded(bytes: Vec<u8>) -> Option<Picture> {
        let dims = imagesize::blob_size(&bytes).ok()?;
        if dims.width == 0 || dims.height == 0 || dims.width > MAX_SIDE_PX || dims.height > MAX_SIDE_PX {
            return None;
        }
        let kind = imagesize::image_type(&bytes).ok()?;
        let data = Data::from(bytes);
        let made = match kind {
            imagesize::ImageType::Png => Image::from_png(data, true).ok(),
            imagesize::ImageType::Jpeg => Image::from_jpeg(data, true).ok(),
            imagesize::ImageType::Gif => Image::from_gif(data, true).ok(),
            imagesize::ImageType::Webp => Image::from_webp(data, true).ok(),
            _ => None,
        }?;
        let size = made.size();
        if size.0 == 0 || size.1 == 0 || !writes_alone(&made) {
            return None;
        }
        Some(Picture { image: made, size })
    }

    /// The krilla image.
    pub(crate) fn image(&self) -> &Image {
        &self.image
    }

    /// The size in points of the picture scaled to fit a `w` × `h` box, aspect ratio kept
    /// (the whole picture shows; one side touches the box).
    pub(crate) fn fit(&self, w: f32, h: f32) -> (f32, f32) {
        let (pw, ph) = (self.size.0 as f32, self.size.1 as f32);
        let s = (w / pw).min(h / ph);
        (pw * s, ph * s)
    }
}

/// Whether a one-page document holding only `image` can be written: the deferred decoding
/// error (a truncated or corrupt file) comes out here, not in the report's PDF.
fn writes_alone(image: &Image) -> bool {
    let (Some(settings), Some(size)) = (PageSettings::from_wh(10.0, 10.0), Size::from_wh(10.0, 10.0)) else {
        return false;
    };
    let mut document = Document::new();
    {
        let mut page = document.start_page_with(settings);
        let mut surface = page.surface();
        surface.draw_image(image.clone(), size);
        surface.finish();
        page.finish();
    }
    document.finish().is_ok()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A 2 × 1 RGB PNG (red, blue), written by hand.
    pub(crate) fn png_2x1() -> Vec<u8> {
        let b64 = "iVBORw0KGgoAAAANSUhEUgAAAAIAAAABCAIAAAB7QOjdAAAADUlEQVR4nGP4zwAE/wEHAAH/4iOeWQAAAABJRU5ErkJggg==";
        base64::engine::general_purpose::STANDARD
            .decode(b64)
            .unwrap_or_default()
    }

    #[test]
    fn a_png_decodes_and_fits_its_box_keeping_its_shape() {
        let p = Picture::decode(png_2x1()).expect("a valid PNG");
        assert_eq!(p.size, (2, 1));
        assert_eq!(p.fit(30.0, 30.0), (30.0, 15.0));
        let url = format!(
            "data:image/png;base64,{}",
            base64::engine::general_purpose::STANDARD.encode(png_2x1())
        );
        assert!(Picture::from_data_url(&url).is_some());
    }

    /// The fuzz target's seeds (`fuzz/corpus/pdf_picture/`, written by `fuzz/make-seeds.py`
    /// with ImageMagick and cwebp): PNG (RGB, RGBA, palette, 16-bit grey, interlaced),
    /// JPEG (baseline, progressive, grey), GIF (static, animated, transparent) and WebP
    /// (lossy, lossless, alpha), each 16 × 12. Every one decodes, so the fuzzer starts from
    /// all four formats.
    #[test]
    fn every_fuzz_seed_is_a_picture_of_its_size() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus/pdf_picture");
        let mut kinds = std::collections::BTreeSet::new();
        let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        for entry in entries {
            let path = entry.unwrap_or_else(|e| panic!("{e}")).path();
            let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let p = Picture::decode_unguarded(bytes).unwrap_or_else(|| panic!("{} does not decode", path.display()));
            assert_eq!(p.size, (16, 12), "{}", path.display());
            kinds.insert(
                path.extension()
                    .and_then(|e| e.to_str())
                    .unwrap_or_default()
                    .to_string(),
            );
        }
        assert_eq!(kinds.into_iter().collect::<Vec<_>>(), ["gif", "jpg", "png", "webp"]);
    }

    #[test]
    fn what_cannot_be_drawn_is_left_out() {
        assert!(Picture::decode(b"not a picture".to_vec()).is_none());
        assert!(Picture::decode(Vec::new()).is_none());
        // A PNG cut after its header: the size reads, the pixels do not.
        let mut cut = png_2x1();
        cut.truncate(40);
        assert!(Picture::decode(cut).is_none());
        // Whole chunks with good CRCs around pixel data that is not deflate: krilla makes
        // the image (the header is fine) and fails only when it is written.
        let corrupt = base64::engine::general_purpose::STANDARD
            .decode("iVBORw0KGgoAAAANSUhEUgAAAAIAAAABCAIAAAB7QOjdAAAACElEQVR4nP////8AAYCvpSAAAAAASUVORK5CYII=")
            .unwrap_or_default();
        assert!(Image::from_png(Data::from(corrupt.clone()), true).is_ok());
        assert!(Picture::decode(corrupt).is_none());
        assert!(Picture::from_data_url("data:image/svg+xml;base64,PHN2Zz4=").is_none());
        assert!(Picture::from_data_url("data:image/png;base64,@@@").is_none());
        assert!(Picture::from_data_url("https://example.com/a.png").is_none());
        // A header claiming a 100,000 × 100,000 canvas is refused before any decoding.
        let mut huge = png_2x1();
        huge[16..20].copy_from_slice(&100_000u32.to_be_bytes());
        huge[20..24].copy_from_slice(&100_000u32.to_be_bytes());
        assert!(Picture::decode(huge).is_none());
    }
}
