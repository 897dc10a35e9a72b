//! The embedded chart font (DejaVu Sans, see `assets/LICENSE-DejaVu.txt`), registered
//! once with plotters' ab_glyph font table.

use crate::ReportError;
use plotters::style::FontStyle;
use std::sync::OnceLock;

/// DejaVu Sans 2.37, unmodified.
pub(crate) static DEJAVU_SANS: &[u8] = include_bytes!("../assets/DejaVuSans.ttf");

/// The family name charts ask plotters for. plotters' SVG backend also writes it as the
/// `font-family` of `<text>`, where the viewer falls back to its own sans-serif.
pub(crate) const FAMILY: &str = "sans-serif";

static REGISTERED: OnceLock<bool> = OnceLock::new();

/// Registers DejaVu Sans as `sans-serif` (normal style; bold and italic fall back to it)
/// the first time it is called.
pub(crate) fn ensure_registered() -> Result<(), ReportError> {
    let ok = *REGISTERED.get_or_init(|| plotters::style::register_font(FAMILY, FontStyle::Normal, DEJAVU_SANS).is_ok());
    if ok {
        Ok(())
    } else {
        Err(ReportError::Chart(
            "the embedded DejaVu Sans font could not be loaded".to_string(),
        ))
    }
}
