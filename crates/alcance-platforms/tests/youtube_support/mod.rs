//! A fake YouTube (Data API v3, Analytics API v2, Google OAuth) on 127.0.0.1 for the
//! `youtube_*` tests: canned answers matched by method, path and query, every request
//! logged (with its form body), and a catch-all 500 so an unexpected call fails loudly.

#![allow(dead_code)]

#[path = "../common/mod.rs"]
pub mod common;

use alcance_platforms::youtube::YouTubeClient;
use alcance_platforms::{Endpoints, Http};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use common::SharedLog;
use secrecy::SecretString;
use url::Url;

/// The bearer token every test sends; it must never show up in errors or archived URLs.
pub const TOKEN: &str = "ya29.youtube-test-token-4c1d";

pub fn token() -> SecretString {
    SecretString::from(TOKEN.to_string())
}

/// The Data API path of `resource` on the fake (`/youtube/v3/{resource}`).
pub fn data(resource: &str) -> String {
    format!("/youtube/v3/{resource}")
}

/// The Analytics reports path on the fake.
pub const REPORTS: &str = "/youtubeanalytics/v2/reports";

/// One request the fake received.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub query: Vec<(String, String)>,
    pub authorization: Option<String>,
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
            headers: vec![("content-type".into(), "application/json; charset=UTF-8".into())],
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
pub struct FakeYouTube {
    inner: SharedLog<Rule, Seen>,
    pub base: Url,
}

impl FakeYouTube {
    /// Starts a fake serving `rules` (first match wins) on an ephemeral 127.0.0.1 port.
    pub async fn start(rules: Vec<Rule>) -> FakeYouTube {
        let (inner, base) = common::start_logged(rules, answer).await;
        FakeYouTube { inner, base }
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
    pub fn client(&self) -> YouTubeClient {
        YouTubeClient::new(Http::new().expect("http client"), self.endpoints())
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
        form,
    });
    let rule = state.rules.iter().find(|r| r.matches(&method, &path, &query)).cloned();
    drop(state);
    match rule {
        Some(rule) => common::respond(rule.status, &rule.headers, rule.body),
        None => (
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("fake YouTube: unexpected call {method} {uri}"),
        )
            .into_response(),
    }
}
