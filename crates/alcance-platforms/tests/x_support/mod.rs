//! A fake X API on 127.0.0.1 for the `x_*` tests: canned answers matched by path and
//! query, every request logged, and a catch-all 500 so an unexpected call fails loudly.

#![allow(dead_code)]

pub(crate) use crate::common;

use alcance_platforms::x::XClient;
use alcance_platforms::{Endpoints, Http};
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use common::SharedLog;
use secrecy::SecretString;
use url::Url;

/// The bearer token every test sends; it must never show up in errors or archived URLs.
pub const TOKEN: &str = "x-test-token-7f3a9c";

pub fn token() -> SecretString {
    SecretString::from(TOKEN.to_string())
}

/// One request the fake received.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub query: Vec<(String, String)>,
    pub authorization: Option<String>,
}

impl Seen {
    pub fn param(&self, name: &str) -> Option<&str> {
        self.query.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

/// A canned answer for requests on `path` whose query contains every `(name, value)` of
/// `query` (and lacks every name in `absent`).
#[derive(Debug, Clone)]
pub struct Rule {
    pub path: String,
    pub query: Vec<(String, String)>,
    pub absent: Vec<String>,
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Rule {
    pub fn json(path: &str, status: u16, body: serde_json::Value) -> Self {
        Rule {
            path: path.to_string(),
            query: Vec::new(),
            absent: Vec::new(),
            status,
            headers: vec![("content-type".into(), "application/json; charset=utf-8".into())],
            body: body.to_string().into_bytes(),
        }
    }

    pub fn raw(path: &str, status: u16, content_type: &str, body: &str) -> Self {
        Rule {
            path: path.to_string(),
            query: Vec::new(),
            absent: Vec::new(),
            status,
            headers: vec![("content-type".into(), content_type.into())],
            body: body.as_bytes().to_vec(),
        }
    }

    pub fn with_query(mut self, name: &str, value: &str) -> Self {
        self.query.push((name.into(), value.into()));
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

    fn matches(&self, path: &str, query: &[(String, String)]) -> bool {
        self.path == path
            && self.query.iter().all(|q| query.contains(q))
            && self.absent.iter().all(|a| query.iter().all(|(k, _)| k != a))
    }
}

/// The running fake. Dropping it leaves the server task running until the test ends.
#[derive(Clone)]
pub struct FakeX {
    inner: SharedLog<Rule, Seen>,
    pub base: Url,
}

impl FakeX {
    /// Starts a fake serving `rules` (first match wins) on an ephemeral 127.0.0.1 port.
    pub async fn start(rules: Vec<Rule>) -> FakeX {
        let (inner, base) = common::start_logged(rules, answer).await;
        FakeX { inner, base }
    }

    /// Every request received so far.
    pub fn seen(&self) -> Vec<Seen> {
        common::seen(&self.inner)
    }

    /// Requests received on `path`.
    pub fn seen_on(&self, path: &str) -> Vec<Seen> {
        self.seen().into_iter().filter(|s| s.path == path).collect()
    }

    /// A client pointed at this fake.
    pub fn client(&self) -> XClient {
        XClient::new(Http::new().expect("http client"), Endpoints::sandbox(&self.base))
    }
}

async fn answer(State(inner): State<SharedLog<Rule, Seen>>, method: Method, uri: Uri, headers: HeaderMap) -> Response {
    let query = common::query_pairs(&uri);
    let path = uri.path().to_string();
    let mut state = inner.lock().expect("fake state");
    state.seen.push(Seen {
        method: method.to_string(),
        path: path.clone(),
        query: query.clone(),
        authorization: common::header_text(&headers, "authorization"),
    });
    let rule = if method == Method::GET {
        state.rules.iter().find(|r| r.matches(&path, &query)).cloned()
    } else {
        None
    };
    drop(state);
    match rule {
        Some(rule) => common::respond(rule.status, &rule.headers, rule.body),
        None => (
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("fake X: unexpected call {method} {uri}"),
        )
            .into_response(),
    }
}
