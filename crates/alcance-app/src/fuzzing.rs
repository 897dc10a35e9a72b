//! Fuzz entry points of the app (ADR 0016): the Meta webhook parser and the parsers of
//! platform exports. The `meta_webhook` and `imports` fuzz targets call [`meta_webhook`] and
//! [`imports`]; the tests replay their seeds and crash regressions
//! (`fuzz/corpus/<target>/`, `fuzz/regressions/<target>/`) through them.

use crate::webhooks::{parse_meta, MetaWebhookSecrets};

/// Reads `bytes` as a webhook delivery as `POST /api/v1/webhooks/meta` does: the
/// signature check (the bytes' first line as the `X-Hub-Signature-256` header),
/// [`parse_meta`], and WhatsApp's payload parser
/// ([`alcance_platforms::whatsapp::parse_webhook`]). Never panics.
pub fn meta_webhook(bytes: &[u8]) {
    if let Ok(secrets) = MetaWebhookSecrets::new("fuzz-app-secret", "fuzz-verify-token") {
        let header = bytes
            .split(|b| *b == b'\n')
            .next()
            .and_then(|l| std::str::from_utf8(l).ok());
        let _ = secrets.signature_matches(bytes, header);
    }
    let _ = parse_meta(bytes);
    if let Ok(payload) = serde_json::from_slice(bytes) {
        let _ = alcance_platforms::whatsapp::parse_webhook(&payload);
    }
}

/// Reads `bytes` as every kind of platform export ([`crate::imports::parse::parse`]), the
/// generic CSV with a mapping of its first two columns, and as the mapping step's preview.
/// Never panics.
pub fn imports(bytes: &[u8]) {
    use crate::imports::parse::{parse, preview_csv, ColumnMap};
    use alcance_store::imports::ImportKind;
    let today = chrono::NaiveDate::from_ymd_opt(2026, 9, 20).unwrap_or_default();
    for kind in ImportKind::ALL {
        let _ = parse(kind, bytes, &ColumnMap::default(), today);
    }
    if let Some((header, _)) = preview_csv(bytes, 3) {
        let mut columns = Vec::new();
        if let Some(first) = header.first() {
            columns.push((first.clone(), "post_id".to_string()));
        }
        if let Some(second) = header.get(1) {
            columns.push((second.clone(), "likes".to_string()));
        }
        let _ = parse(ImportKind::GenericCsv, bytes, &ColumnMap { columns }, today);
    }
}
