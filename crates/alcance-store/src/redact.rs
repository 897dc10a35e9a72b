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
/// `Bearer <token>`. Names match without regard to ASCII case. Borrowed when nothing was
/// found.
///
/// One pass over the bytes (raw response bodies of 50 KB and more go through here): only
/// `=`, `"` and `b`/`B` can start a match, so every other byte costs one comparison.
pub(crate) fn redact(text: &str) -> Cow<'_, str> {
    let bytes = text.as_bytes();
    let mut ranges: Vec<(usize, usize)> = Vec::new();
    // Where the last match of each JSON name ended: matches of one name never overlap
    // (`"name"` ending at a quote cannot start another one at that quote).
    let mut json_after = [0usize; JSON_SECRETS.len()];

    for (at, &b) in bytes.iter().enumerate() {
        match b {
            b'=' => {
                // `name=`: the name is the whole run of name bytes before the `=`, so
                // `error_code=` is not `code=`.
                let name_start = bytes[..at].iter().rposition(|b| !is_name_byte(*b)).map_or(0, |i| i + 1);
                let name = &bytes[name_start..at];
                if PARAM_SECRETS.iter().any(|n| name.eq_ignore_ascii_case(n.as_bytes())) {
                    let start = at + 1;
                    let end = start + bytes[start..].iter().take_while(|b| !ends_param_value(**b)).count();
                    ranges.push((start, end));
                }
            }
            b'"' => {
                for (k, name) in JSON_SECRETS.iter().enumerate() {
                    let name = name.as_bytes();
                    let close = at + 1 + name.len();
                    if at < json_after[k]
                        || bytes.get(close) != Some(&b'"')
                        || !bytes[at + 1..close].eq_ignore_ascii_case(name)
                    {
                        continue;
                    }
                    json_after[k] = close + 1;
                    let mut i = close + 1;
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
            b'b' | b'B' => {
                const BEARER: &[u8] = b"bearer ";
                let preceded = at > 0 && is_name_byte(bytes[at - 1]);
                if !preceded
                    && bytes
                        .get(at..at + BEARER.len())
                        .is_some_and(|w| w.eq_ignore_ascii_case(BEARER))
                {
                    let start = at + BEARER.len();
                    let end = start + bytes[start..].iter().take_while(|b| is_token_byte(**b)).count();
                    ranges.push((start, end));
                }
            }
            _ => {}
        }
    }

    // Every range starts and ends next to an ASCII byte or at the end, so slicing is safe.
    ranges.retain(|(s, e)| e > s && text.get(*s..*e) != Some(REDACTED));
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
        out.push_str(text.get(pos..start).unwrap_or_default());
        out.push_str(REDACTED);
        pos = end;
    }
    out.push_str(text.get(pos..).unwrap_or_default());
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

    /// The former implementation, one substring search per name over a lower-cased copy:
    /// the reference the one-pass scan must agree with.
    fn redact_by_search(text: &str) -> String {
        let lower = text.to_ascii_lowercase();
        let bytes = lower.as_bytes();
        let mut ranges: Vec<(usize, usize)> = Vec::new();
        for name in PARAM_SECRETS {
            let pattern = format!("{name}=");
            for (at, _) in lower.match_indices(&pattern) {
                if at > 0 && is_name_byte(bytes[at - 1]) {
                    continue;
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
                    continue;
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
        ranges.sort_unstable();
        let mut out = String::with_capacity(text.len());
        let mut pos = 0;
        for (start, end) in ranges {
            if start < pos {
                continue;
            }
            out.push_str(&text[pos..start]);
            out.push_str(REDACTED);
            pos = end;
        }
        out.push_str(&text[pos..]);
        out
    }

    #[test]
    fn the_one_pass_scan_agrees_with_one_search_per_name() {
        // Fragments that start, end, break or imitate matches, glued in pseudo-random order
        // (a fixed xorshift sequence, so a failure reproduces).
        let mut fragments: Vec<String> = Vec::new();
        for name in PARAM_SECRETS.iter().chain(JSON_SECRETS) {
            fragments.push((*name).to_string());
            fragments.push(name.to_ascii_uppercase());
            fragments.push(format!("{name}="));
            fragments.push(format!("\"{name}\""));
            fragments.push(format!("x{name}="));
        }
        for f in [
            "=",
            "\"",
            ":",
            " ",
            "\t",
            "\\",
            "\\\"",
            "&",
            "#",
            ",",
            "}",
            "]",
            "?",
            "/",
            "-",
            "_",
            ".",
            "~",
            "+",
            "bearer ",
            "Bearer ",
            "BEARER ",
            "xbearer ",
            "bearer",
            "REDACTED",
            "tok",
            "é",
            "ü€",
            "{",
            "\n",
            "abc",
            "0",
            "\"\"",
            "\": \"",
            "\":\"",
            "error_code=",
            "next_token",
        ] {
            fragments.push(f.to_string());
        }
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for case in 0..30_000 {
            let len = 1 + (next() % 12) as usize;
            let text: String = (0..len)
                .map(|_| fragments[(next() % fragments.len() as u64) as usize].as_str())
                .collect();
            assert_eq!(redact(&text), redact_by_search(&text), "case {case}: {text:?}");
        }
    }

    #[test]
    fn a_large_json_body_with_secrets_here_and_there() {
        let mut body = String::from("{\"data\":[");
        for i in 0..2_000 {
            body.push_str(&format!(
                "{{\"id\":\"{i}\",\"text\":\"post {i} é\",\"public_metrics\":{{\"like_count\":{i}}}}},"
            ));
            if i % 500 == 0 {
                body.push_str(&format!(
                    "{{\"Access_Token\": \"secret{i}\",\"next\":\"/x?code=c{i}&a=1\"}},"
                ));
            }
        }
        body.push_str("{}],\"meta\":{\"next_token\":\"abc\"}}");
        let redacted = redact(&body);
        assert_eq!(redacted, redact_by_search(&body));
        assert!(
            !redacted.contains("secret") && !redacted.contains("code=c"),
            "{redacted}"
        );
        assert_eq!(redacted.matches(REDACTED).count(), 8);
        assert!(redacted.contains("\"next_token\":\"abc\""));
    }
}
