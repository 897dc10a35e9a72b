//! Scaffolding shared by the fake servers of the platform tests (`meta_fake`, `x_support`,
//! `tiktok_support`, each includes it) and by the recorded-fixture tests: starting a fake
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
