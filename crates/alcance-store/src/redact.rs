//! Last line of defence for "no secret in SQLite": callers already scrub URLs and messages
//! (`alcance-platforms::http::scrub_url`), but the store replaces any token-like value it
//! still finds in archived URLs, bodies and event messages with `REDACTED` before writing.

use std::borrow::Cow;

/// The replacement text, the same one the platform layer uses.
pub(crate) const REDACTED: &str = "REDACTED";

/// Names whose `name=value` value is a secret (query strings, fragments, form bodies,
/// free text). Same list as the platform layer's `SECRET_PARAMS`, plus `id_token`.
const PARAM_SECRETS: &[&str] = &[
    "access_token",
    "fb_exchange_token",
    "input_token",
    "client_secret",
    "appsecret_proof",
    "refresh_token",
    "code",
    "code_verifier",
    "app_secret",
    "auth_code",
    "id_token",
];

/// JSON keys whose string value is a secret. `code` is not here: error bodies carry
/// `"code": "access_token_invalid"`, which must stay readable.
const JSON_SECRETS: &[&str] = &[
    "access_token",
    "fb_exchange_token",
    "input_token",
    "client_secret",
    "appsecret_proof",
    "refresh_token",
    "code_verifier",
    "app_secret",
    "id_token",
];

/// Returns `text` with every secret value replaced by `REDACTED`: `name=value` pairs for
/// [`PARAM_SECRETS`], `"name": "value"` JSON members for [`JSON_SECRETS`], and
/// `Bearer <token>`. Borrowed when nothing was found.
pub(crate) fn redact(text: &str) -> Cow<'_, str> {
    let lower = text.to_ascii_lowercase();
    let bytes = lower.as_bytes();
    let mut ranges: Vec<(usize, usize)> = Vec::new();

    for name in PARAM_SECRETS {
        let pattern = format!("{name}=");
        for (at, _) in lower.match_indices(&pattern) {
            if at > 0 && is_name_byte(bytes[at - 1]) {
                continue; // `error_code=` is not `code=`
            }
            let start = at + pattern.len();
            let end = start + bytes[start..].iter().take_while(|b| !ends_param_value(**b)).count();
            ranges.push((start, end));
        }
    }

    for name in JSON_SECRETS {
        let pattern = format!("\"{name}\"");
        for (at, _) in lower.match_indices(&pattern) {
            let mut i = at + pattern.len();
            i += count_spaces(&bytes[i..]);
            if bytes.get(i) != Some(&b':') {
                continue;
            }
            i += 1;
            i += count_spaces(&bytes[i..]);
            if bytes.get(i) != Some(&b'"') {
                continue; // not a string value
            }
            let start = i + 1;
            let mut end = start;
            while end < bytes.len() && bytes[end] != b'"' {
                end += if bytes[end] == b'\\' { 2 } else { 1 };
            }
            ranges.push((start, end.min(bytes.len())));
        }
    }

    for (at, _) in lower.match_indices("bearer ") {
        if at > 0 && is_name_byte(bytes[at - 1]) {
            continue;
        }
        let start = at + "bearer ".len();
        let end = start + bytes[start..].iter().take_while(|b| is_token_byte(**b)).count();
        ranges.push((start, end));
    }

    ranges.retain(|(s, e)| e > s && &text[*s..*e] != REDACTED);
    if ranges.is_empty() {
        return Cow::Borrowed(text);
    }
    ranges.sort_unstable();
    let mut out = String::with_capacity(text.len());
    let mut pos = 0;
    for (start, end) in ranges {
        if start < pos {
            continue; // overlaps a range already replaced
        }
        out.push_str(&text[pos..start]);
        out.push_str(REDACTED);
        pos = end;
    }
    out.push_str(&text[pos..]);
    Cow::Owned(out)
}

/// Redacts a body when it is UTF-8 text; binary bodies are returned as they are.
pub(crate) fn redact_body(body: &[u8]) -> Cow<'_, [u8]> {
    match std::str::from_utf8(body) {
        Ok(text) => match redact(text) {
            Cow::Borrowed(_) => Cow::Borrowed(body),
            Cow::Owned(s) => Cow::Owned(s.into_bytes()),
        },
        Err(_) => Cow::Borrowed(body),
    }
}

fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'.'
}

/// Bytes that end a `name=value` value (all ASCII, so cuts fall on char boundaries).
fn ends_param_value(b: u8) -> bool {
    matches!(
        b,
        b'&' | b'#' | b'"' | b'\'' | b'<' | b'>' | b',' | b';' | b')' | b']' | b'}'
    ) || b.is_ascii_whitespace()
}

/// Bytes of an RFC 6750 bearer token (`b64token`).
fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'+' | b'/' | b'=')
}

fn count_spaces(bytes: &[u8]) -> usize {
    bytes.iter().take_while(|b| b.is_ascii_whitespace()).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_query_json_and_bearer_secrets_and_keeps_the_rest() {
        let url = "https://graph.facebook.com/v25.0/me?fields=id&access_token=EAAB123&appsecret_proof=abc#code=xyz";
        assert_eq!(
            redact(url),
            "https://graph.facebook.com/v25.0/me?fields=id&access_token=REDACTED&appsecret_proof=REDACTED#code=REDACTED"
        );
        let body = r#"{"access_token" : "tok\"en", "token_type":"bearer","expires_in":5183944,"error":{"code":"access_token_invalid"}}"#;
        assert_eq!(
            redact(body),
            r#"{"access_token" : "REDACTED", "token_type":"bearer","expires_in":5183944,"error":{"code":"access_token_invalid"}}"#
        );
        assert_eq!(
            redact("401 with Authorization: Bearer AAAA.bb-c/d= sent"),
            "401 with Authorization: Bearer REDACTED sent"
        );
        assert_eq!(
            redact("Meta error_code=190 subcode=463"),
            "Meta error_code=190 subcode=463"
        );
        assert!(matches!(redact("already access_token=REDACTED"), Cow::Borrowed(_)));
        assert!(matches!(redact("plain text, no secrets"), Cow::Borrowed(_)));
        assert_eq!(
            redact("ünïcode ACCESS_TOKEN=Ä1 tail"),
            "ünïcode ACCESS_TOKEN=REDACTED tail"
        );
        assert_eq!(
            redact(r#"{"refresh_token":"unterminated"#),
            r#"{"refresh_token":"REDACTED"#
        );
    }

    #[test]
    fn binary_bodies_pass_through() {
        let png = [0x89u8, b'P', b'N', b'G', 0xff, 0xfe];
        assert_eq!(redact_body(&png).as_ref(), &png);
    }
}
