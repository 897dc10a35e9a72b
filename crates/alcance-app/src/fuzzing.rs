//! Fuzz entry point of the app (ADR 0016): the Meta webhook parser. The `meta_webhook`
//! fuzz target calls [`meta_webhook`]; the tests replay its seeds and crash regressions
//! (`fuzz/corpus/meta_webhook/`, `fuzz/regressions/meta_webhook/`) through it.

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
