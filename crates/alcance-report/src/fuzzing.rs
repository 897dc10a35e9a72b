//! Fuzz entry point of the reports (ADR 0016): the campaign PDF's picture decoding. The
//! `pdf_picture` fuzz target calls [`pdf_picture`]; the tests replay its seeds and crash
//! regressions (`fuzz/corpus/pdf_picture/`, `fuzz/regressions/pdf_picture/`) through it.

/// Reads `bytes` as a post's kept picture the way the campaign PDF does (size checks,
/// krilla's PNG / JPEG / GIF / WebP decoders, a one-picture document written), **without**
/// the `catch_unwind` the report wraps it in. Never panics: the installers abort on panic (ADR 0022), so a decoder panic found
/// here would end the app.
pub fn pdf_picture(bytes: &[u8]) {
    use crate::pdf::picture::Picture;
    let _ = Picture::decode_unguarded(bytes.to_vec());
}
