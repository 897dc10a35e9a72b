//! The answer type every handler builds, and helpers for the platforms' envelopes.

use axum::body::Body;
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::Response;
use rand::Rng;
use serde_json::{json, Value};

/// `application/json; charset=utf-8`, the content type of JSON answers.
pub(crate) const JSON: &str = "application/json; charset=utf-8";
/// RFC 7807 problem details, X's error content type.
pub(crate) const PROBLEM_JSON: &str = "application/problem+json";

/// One HTTP answer, fully built, before it becomes an axum response (faults can rewrite
/// it first).
#[derive(Debug, Clone)]
pub(crate) struct Reply {
    /// HTTP status code.
    pub status: u16,
    /// Headers in order.
    pub headers: Vec<(String, String)>,
    /// Body bytes.
    pub body: Vec<u8>,
    /// Wait this long (ms) before answering.
    pub delay_ms: u64,
}

impl Reply {
    /// A JSON answer with `status`.
    pub(crate) fn json(status: u16, body: &Value) -> Reply {
        Reply::typed(status, JSON, body)
    }

    /// An X problem+json answer (`{"title","detail","type","status"}` and whatever else
    /// `body` carries).
    pub(crate) fn problem(status: u16, body: &Value) -> Reply {
        Reply::typed(status, PROBLEM_JSON, body)
    }

    /// `body` as JSON text with `status` and `content-type: content_type`.
    fn typed(status: u16, content_type: &str, body: &Value) -> Reply {
        Reply {
            status,
            headers: vec![("content-type".into(), content_type.into())],
            body: body.to_string().into_bytes(),
            delay_ms: 0,
        }
    }

    /// A `302 Found` to `location`.
    pub(crate) fn redirect(location: &str) -> Reply {
        Reply {
            status: 302,
            headers: vec![
                ("location".into(), location.into()),
                ("cache-control".into(), "no-store".into()),
            ],
            body: Vec::new(),
            delay_ms: 0,
        }
    }

    /// Appends a header.
    pub(crate) fn with_header(mut self, name: &str, value: impl Into<String>) -> Reply {
        self.headers.push((name.to_string(), value.into()));
        self
    }

    /// Converts into an axum response; headers that are not valid HTTP are dropped.
    pub(crate) fn into_response(self) -> Response {
        let mut resp = Response::new(Body::from(self.body));
        *resp.status_mut() = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let map = resp.headers_mut();
        for (k, v) in self.headers {
            if let (Ok(name), Ok(value)) = (HeaderName::from_bytes(k.as_bytes()), HeaderValue::from_str(&v)) {
                map.append(name, value);
            }
        }
        resp
    }
}

/// A random `fbtrace_id`-like string (23 URL-safe characters).
pub(crate) fn trace_id() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut rng = rand::thread_rng();
    (0..23)
        .map(|_| char::from(ALPHABET[rng.gen_range(0..ALPHABET.len())]))
        .collect()
}

/// A Graph API error answer: `{"error":{"message","type","code","error_subcode"?,
/// "fbtrace_id"}}` (platform-apis.md §2.4).
pub(crate) fn meta_error(status: u16, code: i64, subcode: Option<i64>, kind: &str, message: &str) -> Reply {
    let mut err = json!({
        "message": message,
        "type": kind,
        "code": code,
        "fbtrace_id": trace_id(),
    });
    if let Some(sub) = subcode {
        err["error_subcode"] = json!(sub);
    }
    Reply::json(status, &json!({ "error": err }))
}

/// Graph error #100 (invalid parameter) with HTTP 400.
pub(crate) fn meta_invalid(message: &str) -> Reply {
    meta_error(400, 100, None, "OAuthException", message)
}

/// Graph error #190 with HTTP 400 for an access token that is not one the sandbox issued
/// (the answer to a token exchange given a bad token).
pub(crate) fn meta_unparsable_token() -> Reply {
    meta_error(
        400,
        190,
        None,
        "OAuthException",
        "Invalid OAuth access token - Cannot parse access token",
    )
}

/// X's 400 "Invalid Request" problem naming one bad parameter.
pub(crate) fn x_invalid(parameter: &str, value: &str, message: &str) -> Reply {
    Reply::problem(
        400,
        &json!({
            "errors": [{ "parameters": { parameter: [value] }, "message": message }],
            "title": "Invalid Request",
            "detail": "One or more parameters to your request was invalid.",
            "type": "https://api.twitter.com/2/problems/invalid-request",
        }),
    )
}

/// X's 401 problem.
pub(crate) fn x_unauthorized() -> Reply {
    Reply::problem(
        401,
        &json!({"title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized"}),
    )
}

/// An OAuth 2.0 token-endpoint error (RFC 6749 §5.2), HTTP 400.
pub(crate) fn oauth_error(error: &str, description: &str) -> Reply {
    Reply::json(400, &json!({ "error": error, "error_description": description }))
        .with_header("cache-control", "no-store")
}
