//! Scaffolding shared by the fake servers of the platform tests (`meta_fake`, `x_support`,
//! `tiktok_support`, `youtube_support`, `reddit_support`, `linkedin_support`, each includes it;
//! the last three are [`RuleFake`]s) and by the recorded-fixture tests: starting a fake
//! on 127.0.0.1, reading a request's query, sending a canned answer, finding and reading
//! the recorded fixtures (`../shared/fixtures/<platform>`, or `$ALCANCE_FIXTURES_DIR`).

#![allow(dead_code)]

use alcance_core::PostMetric;
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Router;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use url::Url;

/// Serves `app` on a free 127.0.0.1 port in a background task (it runs until the test
/// ends) and returns its base URL, `http://127.0.0.1:<port>/`.
pub async fn serve_local(app: Router) -> Url {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind 127.0.0.1");
    let addr = listener.local_addr().expect("local addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Url::parse(&format!("http://{addr}/")).expect("base url")
}

/// What a rule-based fake (`x_support`, `tiktok_support`) keeps: its canned rules (the
/// first that matches answers) and every request it received, in order.
pub struct Log<R, S> {
    pub rules: Vec<R>,
    pub seen: Vec<S>,
}

/// The [`Log`] a rule-based fake shares with its request handler.
pub type SharedLog<R, S> = Arc<Mutex<Log<R, S>>>;

/// Starts a rule-based fake serving `rules` through `handler` (which gets the log as its
/// state) on a free 127.0.0.1 port; returns the log and the base URL ([`serve_local`]).
pub async fn start_logged<R, S, H, T>(rules: Vec<R>, handler: H) -> (SharedLog<R, S>, Url)
where
    R: Send + 'static,
    S: Send + 'static,
    H: axum::handler::Handler<T, SharedLog<R, S>>,
    T: 'static,
{
    let log = Arc::new(Mutex::new(Log {
        rules,
        seen: Vec::new(),
    }));
    let app = Router::new().fallback(handler).with_state(log.clone());
    (log, serve_local(app).await)
}

/// Every request a rule-based fake received so far, in order.
pub fn seen<R, S: Clone>(log: &SharedLog<R, S>) -> Vec<S> {
    log.lock().expect("fake state").seen.clone()
}

/// The decoded `(name, value)` pairs of a request's query, in order.
pub fn query_pairs(uri: &Uri) -> Vec<(String, String)> {
    url::form_urlencoded::parse(uri.query().unwrap_or_default().as_bytes())
        .into_owned()
        .collect()
}

/// A header's value as text, when present and readable.
pub fn header_text(headers: &HeaderMap, name: &str) -> Option<String> {
    headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_string)
}

/// A response with `status` (500 when not a valid status), every readable header of
/// `headers` (in order; a repeated name is sent repeatedly) and `body`.
pub fn respond(status: u16, headers: &[(String, String)], body: Vec<u8>) -> Response {
    let mut out = HeaderMap::new();
    for (k, v) in headers {
        if let (Ok(k), Ok(v)) = (HeaderName::try_from(k.as_str()), HeaderValue::try_from(v.as_str())) {
            out.append(k, v);
        }
    }
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, out, body).into_response()
}

/// The recorded fixtures of `platform` (`facebook`, `instagram`, ...):
/// `$ALCANCE_FIXTURES_DIR/<platform>`, else `../shared/fixtures/<platform>` next to the
/// repository; `None` when that folder does not exist. A missing fixtures folder fails the
/// test when `CI` is set ([`alcance_sandbox::replay::platform_fixtures_dir`]).
pub fn fixtures_dir(platform: &str) -> Option<PathBuf> {
    alcance_sandbox::replay::platform_fixtures_dir(platform)
}

/// The `*.json` files of `dir`, sorted by path. Panics when `dir` cannot be read.
pub fn json_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
}

/// A JSON file's content. Panics (naming the file) when it cannot be read or parsed.
pub fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The value of `key` for `post` among `metrics`: `None` when there is no such metric,
/// `Some(None)` when it is there without a value.
pub fn post_metric(metrics: &[PostMetric], post: &str, key: &str) -> Option<Option<f64>> {
    metrics
        .iter()
        .find(|m| m.post_external_id == post && m.metric == key)
        .map(|m| m.value)
}

/// One request a [`RuleFake`] received.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    pub path: String,
    /// Decoded `(name, value)` pairs, in order.
    pub query: Vec<(String, String)>,
    /// The query exactly as sent (still percent-encoded).
    pub raw_query: String,
    pub authorization: Option<String>,
    /// Every readable header, names lower-case, in order.
    pub headers: Vec<(String, String)>,
    /// The decoded form body (empty for other bodies).
    pub form: Vec<(String, String)>,
}

impl Seen {
    /// The first value of query parameter `name`.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.query.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// The first value of header `name` (lower-case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

/// A canned answer of a [`RuleFake`] for `method path` whose query contains every
/// `(name, value)` of `query` and lacks every name in `absent`. The fake adds its default
/// headers (content type, rate-limit headers) that the rule does not set, unless the rule
/// is [`Rule::bare`].
#[derive(Debug, Clone)]
pub struct Rule {
    pub method: axum::http::Method,
    pub path: String,
    pub query: Vec<(String, String)>,
    pub absent: Vec<String>,
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// Only the rule's own headers and a content type are sent.
    pub bare: bool,
}

impl Rule {
    /// `GET path` answering `status` with the JSON `body`.
    pub fn json(path: &str, status: u16, body: Value) -> Self {
        Rule {
            method: axum::http::Method::GET,
            path: path.to_string(),
            query: Vec::new(),
            absent: Vec::new(),
            status,
            headers: Vec::new(),
            body: body.to_string().into_bytes(),
            bare: false,
        }
    }

    /// `GET path` answering 200 with the JSON `body`.
    pub fn get(path: &str, body: Value) -> Self {
        Rule::json(path, 200, body)
    }

    /// `GET path` answering `status` with `body` of `content_type`.
    pub fn raw(path: &str, status: u16, content_type: &str, body: &str) -> Self {
        Rule {
            headers: vec![("content-type".into(), content_type.into())],
            body: body.as_bytes().to_vec(),
            ..Rule::json(path, status, Value::Null)
        }
    }

    pub fn post(mut self) -> Self {
        self.method = axum::http::Method::POST;
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

    pub fn with_header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Sends no default header but the content type (no rate-limit headers).
    pub fn bare(mut self) -> Self {
        self.bare = true;
        self
    }

    fn matches(&self, method: &axum::http::Method, path: &str, query: &[(String, String)]) -> bool {
        self.method == *method
            && self.path == path
            && self.query.iter().all(|q| query.contains(q))
            && self.absent.iter().all(|a| query.iter().all(|(k, _)| k != a))
    }

    /// The rule with the fake's `defaults` it does not set itself (only the content type
    /// for a bare rule).
    fn with_defaults(mut self, defaults: &[(&str, &str)]) -> Self {
        for (name, value) in defaults {
            let wanted = !self.bare || *name == "content-type";
            if wanted && !self.headers.iter().any(|(k, _)| k.eq_ignore_ascii_case(name)) {
                self.headers.push(((*name).into(), (*value).into()));
            }
        }
        self
    }
}

/// A rule-based fake of a platform API on 127.0.0.1 (`youtube_support`, `reddit_support`,
/// `linkedin_support`): canned [`Rule`]s matched by method, path and query (the first
/// that matches answers), every request logged as [`Seen`], and a catch-all 500 naming the
/// unexpected call so it fails loudly.
#[derive(Clone)]
pub struct RuleFake {
    inner: SharedLog<Rule, Seen>,
    pub base: Url,
}

impl RuleFake {
    /// Starts a fake of `name` ("YouTube") serving `rules`, each completed with the
    /// `defaults` headers it does not set.
    pub async fn start(name: &'static str, defaults: &[(&str, &str)], rules: Vec<Rule>) -> RuleFake {
        let rules = rules.into_iter().map(|r| r.with_defaults(defaults)).collect();
        let handler =
            move |state: axum::extract::State<SharedLog<Rule, Seen>>,
                  method: axum::http::Method,
                  uri: Uri,
                  headers: HeaderMap,
                  body: axum::body::Bytes| answer(name, state, method, uri, headers, body);
        let (inner, base) = start_logged(rules, handler).await;
        RuleFake { inner, base }
    }

    /// Every request received so far.
    pub fn seen(&self) -> Vec<Seen> {
        seen(&self.inner)
    }

    /// Requests received on `path`.
    pub fn seen_on(&self, path: &str) -> Vec<Seen> {
        self.seen().into_iter().filter(|s| s.path == path).collect()
    }

    /// The endpoints of this fake (every API at its sandbox path).
    pub fn endpoints(&self) -> alcance_platforms::Endpoints {
        alcance_platforms::Endpoints::sandbox(&self.base)
    }
}

async fn answer(
    name: &'static str,
    axum::extract::State(inner): axum::extract::State<SharedLog<Rule, Seen>>,
    method: axum::http::Method,
    uri: Uri,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let query = query_pairs(&uri);
    let path = uri.path().to_string();
    let form: Vec<(String, String)> = url::form_urlencoded::parse(&body).into_owned().collect();
    let mut state = inner.lock().expect("fake state");
    state.seen.push(Seen {
        method: method.to_string(),
        path: path.clone(),
        query: query.clone(),
        raw_query: uri.query().unwrap_or_default().to_string(),
        authorization: header_text(&headers, "authorization"),
        headers: headers
            .iter()
            .filter_map(|(k, v)| Some((k.as_str().to_string(), v.to_str().ok()?.to_string())))
            .collect(),
        form,
    });
    let rule = state.rules.iter().find(|r| r.matches(&method, &path, &query)).cloned();
    drop(state);
    match rule {
        Some(rule) => respond(rule.status, &rule.headers, rule.body),
        None => (
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("fake {name}: unexpected call {method} {uri}"),
        )
            .into_response(),
    }
}
