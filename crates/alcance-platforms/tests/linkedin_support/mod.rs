//! A fake LinkedIn (REST API, OIDC userinfo, OAuth) on 127.0.0.1 for the `linkedin_*`
//! tests: canned answers matched by method, path and query, every request logged (with
//! its raw query, version headers and form body), and a catch-all 500 so an unexpected
//! call fails loudly.

#![allow(dead_code)]

#[path = "../common/mod.rs"]
pub mod common;

use alcance_platforms::linkedin::LinkedInClient;
use alcance_platforms::{Endpoints, Http};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use common::SharedLog;
use secrecy::SecretString;
use url::Url;

/// The bearer token every test sends; it must never show up in errors or archived URLs.
pub const TOKEN: &str = "AQV-linkedin-test-token-7e2a";

pub fn token() -> SecretString {
    SecretString::from(TOKEN.to_string())
}

/// The REST path of `resource` on the fake (`/rest/{resource}`).
pub fn rest(resource: &str) -> String {
    format!("/rest/{resource}")
}

/// The userinfo path on the fake.
pub const USERINFO: &str = "/linkedin/v2/userinfo";

/// One request the fake received.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub query: Vec<(String, String)>,
    pub authorization: Option<String>,
    /// The query exactly as sent (still percent-encoded).
    pub raw_query: String,
    /// `LinkedIn-Version`.
    pub version: Option<String>,
    /// `X-Restli-Protocol-Version`.
    pub restli: Option<String>,
    pub form: Vec<(String, String)>,
}

impl Seen {
    pub fn param(&self, name: &str) -> Option<&str> {
        self.query.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

/// A canned answer for `method path` whose query contains every `(name, value)` of `query`
/// and lacks every name in `absent`.
#[derive(Debug, Clone)]
pub struct Rule {
    pub method: Method,
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
            method: Method::GET,
            path: path.to_string(),
            query: Vec::new(),
            absent: Vec::new(),
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: body.to_string().into_bytes(),
        }
    }

    pub fn get(path: &str, body: serde_json::Value) -> Self {
        Rule::json(path, 200, body)
    }

    pub fn raw(path: &str, status: u16, content_type: &str, body: &str) -> Self {
        Rule {
            method: Method::GET,
            path: path.to_string(),
            query: Vec::new(),
            absent: Vec::new(),
            status,
            headers: vec![("content-type".into(), content_type.into())],
            body: body.as_bytes().to_vec(),
        }
    }

    pub fn post(mut self) -> Self {
        self.method = Method::POST;
        self
    }

    pub fn with_query(mut self, name: &str, value: &str) -> Self {
        self.query.push((name.into(), value.into()));
        self
    }

    pub fn without(mut self, name: &str) -> Self {
        self.absent.push(name.into());
        self
    }

    fn matches(&self, method: &Method, path: &str, query: &[(String, String)]) -> bool {
        self.method == *method
            && self.path == path
            && self.query.iter().all(|q| query.contains(q))
            && self.absent.iter().all(|a| query.iter().all(|(k, _)| k != a))
    }
}

/// The running fake.
#[derive(Clone)]
pub struct FakeLinkedIn {
    inner: SharedLog<Rule, Seen>,
    pub base: Url,
}

impl FakeLinkedIn {
    /// Starts a fake serving `rules` (first match wins) on an ephemeral 127.0.0.1 port.
    pub async fn start(rules: Vec<Rule>) -> FakeLinkedIn {
        let (inner, base) = common::start_logged(rules, answer).await;
        FakeLinkedIn { inner, base }
    }

    /// Every request received so far.
    pub fn seen(&self) -> Vec<Seen> {
        common::seen(&self.inner)
    }

    /// Requests received on `path`.
    pub fn seen_on(&self, path: &str) -> Vec<Seen> {
        self.seen().into_iter().filter(|s| s.path == path).collect()
    }

    /// The endpoints of this fake.
    pub fn endpoints(&self) -> Endpoints {
        Endpoints::sandbox(&self.base)
    }

    /// A client pointed at this fake.
    pub fn client(&self) -> LinkedInClient {
        LinkedInClient::new(Http::new().expect("http client"), self.endpoints())
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
    let form: Vec<(String, String)> = url::form_urlencoded::parse(&body).into_owned().collect();
    let mut state = inner.lock().expect("fake state");
    state.seen.push(Seen {
        method: method.to_string(),
        path: path.clone(),
        query: query.clone(),
        authorization: common::header_text(&headers, "authorization"),
        raw_query: uri.query().unwrap_or_default().to_string(),
        version: common::header_text(&headers, "linkedin-version"),
        restli: common::header_text(&headers, "x-restli-protocol-version"),
        form,
    });
    let rule = state.rules.iter().find(|r| r.matches(&method, &path, &query)).cloned();
    drop(state);
    match rule {
        Some(rule) => common::respond(rule.status, &rule.headers, rule.body),
        None => (
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("fake LinkedIn: unexpected call {method} {uri}"),
        )
            .into_response(),
    }
}
