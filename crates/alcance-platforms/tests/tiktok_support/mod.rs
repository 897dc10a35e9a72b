//! A fake TikTok (Display API v2 and API for Business) on 127.0.0.1 for the `tiktok_*`
//! tests: canned answers matched by method, path, query and JSON body fields, every
//! request logged with its headers and body, and a catch-all 500 so an unexpected call
//! fails loudly.

#![allow(dead_code)]

pub(crate) use crate::common;

use alcance_platforms::tiktok::{TikTokBusinessClient, TikTokClient};
use alcance_platforms::{Endpoints, Http};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use common::header_text;
use common::SharedLog;
use secrecy::SecretString;
use serde_json::Value;
use url::Url;

/// The Display token every test sends; it must never show up in errors or archived URLs.
pub const TOKEN: &str = "act.display-test-token-5b2e91";
/// The Business token every Business test sends.
pub const BIZ_TOKEN: &str = "act.business-test-token-77c0d4";

pub fn token() -> SecretString {
    SecretString::from(TOKEN.to_string())
}

pub fn biz_token() -> SecretString {
    SecretString::from(BIZ_TOKEN.to_string())
}

/// One request the fake received.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub query: Vec<(String, String)>,
    pub authorization: Option<String>,
    pub access_token: Option<String>,
    pub content_type: Option<String>,
    pub body: Option<Value>,
}

impl Seen {
    pub fn param(&self, name: &str) -> Option<&str> {
        self.query.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

/// A canned answer for `method path` whose query has every `(name, value)` of `query`,
/// whose JSON body has every top-level `(field, value)` of `body`, and that lacks every
/// name of `absent` (in the query or the body).
#[derive(Debug, Clone)]
pub struct Rule {
    pub method: Method,
    pub path: String,
    pub query: Vec<(String, String)>,
    pub body: Vec<(String, Value)>,
    pub absent: Vec<String>,
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub reply: Vec<u8>,
}

impl Rule {
    pub fn json(method: Method, path: &str, status: u16, reply: Value) -> Self {
        Rule {
            method,
            path: path.to_string(),
            query: Vec::new(),
            body: Vec::new(),
            absent: Vec::new(),
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            reply: reply.to_string().into_bytes(),
        }
    }

    pub fn get(path: &str, reply: Value) -> Self {
        Rule::json(Method::GET, path, 200, reply)
    }

    pub fn post(path: &str, reply: Value) -> Self {
        Rule::json(Method::POST, path, 200, reply)
    }

    pub fn raw(method: Method, path: &str, status: u16, content_type: &str, reply: &str) -> Self {
        Rule {
            method,
            path: path.to_string(),
            query: Vec::new(),
            body: Vec::new(),
            absent: Vec::new(),
            status,
            headers: vec![("content-type".into(), content_type.into())],
            reply: reply.as_bytes().to_vec(),
        }
    }

    pub fn status(mut self, status: u16) -> Self {
        self.status = status;
        self
    }

    pub fn with_query(mut self, name: &str, value: &str) -> Self {
        self.query.push((name.into(), value.into()));
        self
    }

    pub fn with_body(mut self, field: &str, value: Value) -> Self {
        self.body.push((field.into(), value));
        self
    }

    pub fn without(mut self, name: &str) -> Self {
        self.absent.push(name.into());
        self
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    fn matches(&self, method: &Method, path: &str, query: &[(String, String)], body: Option<&Value>) -> bool {
        let body_field = |k: &str| body.and_then(|b| b.get(k));
        self.method == *method
            && self.path == path
            && self.query.iter().all(|q| query.contains(q))
            && self.body.iter().all(|(k, v)| body_field(k) == Some(v))
            && self
                .absent
                .iter()
                .all(|a| query.iter().all(|(k, _)| k != a) && body_field(a).is_none())
    }
}

/// The running fake.
#[derive(Clone)]
pub struct FakeTikTok {
    inner: SharedLog<Rule, Seen>,
    pub base: Url,
}

impl FakeTikTok {
    /// Starts a fake serving `rules` (first match wins) on an ephemeral 127.0.0.1 port.
    pub async fn start(rules: Vec<Rule>) -> FakeTikTok {
        let (inner, base) = common::start_logged(rules, answer).await;
        FakeTikTok { inner, base }
    }

    pub fn endpoints(&self) -> Endpoints {
        Endpoints::sandbox(&self.base)
    }

    /// Every request received so far.
    pub fn seen(&self) -> Vec<Seen> {
        common::seen(&self.inner)
    }

    /// Requests received on `path`.
    pub fn seen_on(&self, path: &str) -> Vec<Seen> {
        self.seen().into_iter().filter(|s| s.path == path).collect()
    }

    /// A Display API client pointed at this fake.
    pub fn client(&self) -> TikTokClient {
        TikTokClient::new(Http::new().expect("http client"), self.endpoints())
    }

    /// An API for Business client pointed at this fake.
    pub fn business(&self) -> TikTokBusinessClient {
        TikTokBusinessClient::new(Http::new().expect("http client"), self.endpoints())
    }
}

async fn answer(
    State(inner): State<SharedLog<Rule, Seen>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let query = common::query_pairs(&uri);
    let path = uri.path().to_string();
    let json_body: Option<Value> = serde_json::from_slice(&body).ok();
    let mut state = inner.lock().expect("fake state");
    state.seen.push(Seen {
        method: method.to_string(),
        path: path.clone(),
        query: query.clone(),
        authorization: header_text(&headers, "authorization"),
        access_token: header_text(&headers, "access-token"),
        content_type: header_text(&headers, "content-type"),
        body: json_body.clone(),
    });
    let rule = state
        .rules
        .iter()
        .find(|r| r.matches(&method, &path, &query, json_body.as_ref()))
        .cloned();
    drop(state);
    match rule {
        Some(rule) => common::respond(rule.status, &rule.headers, rule.reply),
        None => (
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("fake TikTok: unexpected call {method} {uri}"),
        )
            .into_response(),
    }
}

/// A Display API success envelope around `data`.
pub fn ok(data: Value) -> Value {
    serde_json::json!({"data": data, "error": {"code": "ok", "message": "", "log_id": "20261121093000ABCDEF"}})
}

/// A Display API error envelope.
pub fn display_error(code: &str, message: &str) -> Value {
    serde_json::json!({"data": {}, "error": {"code": code, "message": message, "log_id": "20261121093000FFFFFF"}})
}

/// An API for Business success envelope around `data`.
pub fn biz_ok(data: Value) -> Value {
    serde_json::json!({"code": 0, "message": "OK", "request_id": "2026112109300001", "data": data})
}

/// An API for Business error envelope.
pub fn biz_error(code: i64, message: &str) -> Value {
    serde_json::json!({"code": code, "message": message, "request_id": "2026112109300099", "data": {}})
}
