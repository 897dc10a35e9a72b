//! A fake Meta Graph API on 127.0.0.1 for the `meta_*`, `instagram_*`, `facebook_*` and
//! `whatsapp_*` tests: a closure answers each request (path with the leading `/vNN.N`
//! stripped, parsed query), every request is logged, and anything the closure does not
//! answer gets a catch-all 500 so an unexpected call fails loudly. Also the scaffolding of
//! the Graph collect and recorded-fixture tests ([`collect_ctx`], [`Exchange`]; the shared
//! [`common`] helpers too).

#![allow(dead_code)]

pub(crate) use crate::common;

use alcance_core::{AccountRef, Platform};
use alcance_platforms::facebook::FacebookClient;
use alcance_platforms::instagram::{GraphHost, InstagramClient};
use alcance_platforms::{CollectCtx, CollectWindow, Endpoints, Http, Recorder};
use axum::extract::State;
use axum::http::{Method, Uri};
use axum::response::Response;
use axum::Router;
use chrono::{TimeZone, Utc};
use secrecy::SecretString;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use url::Url;

/// The access token every test sends; it must never show up in errors or archived URLs.
pub const TOKEN: &str = "IGQ-test-token-5b1d8e2f9a";

pub fn token() -> SecretString {
    SecretString::from(TOKEN.to_string())
}

/// One request the fake received.
#[derive(Debug, Clone)]
pub struct Req {
    pub method: String,
    /// Path as sent, version included (`/v25.0/123/insights`).
    pub raw_path: String,
    /// Path without a leading `/vNN.N` (`/123/insights`).
    pub path: String,
    pub query: BTreeMap<String, String>,
}

impl Req {
    pub fn q(&self, name: &str) -> Option<&str> {
        self.query.get(name).map(String::as_str)
    }

    /// The `metric` list, split on commas.
    pub fn metrics(&self) -> Vec<String> {
        self.q("metric")
            .map(|m| m.split(',').map(|s| s.trim().to_string()).collect())
            .unwrap_or_default()
    }

    pub fn has_metric(&self, name: &str) -> bool {
        self.metrics().iter().any(|m| m == name)
    }
}

/// A canned answer.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn json(body: Value) -> Self {
        Self::status(200, body)
    }

    pub fn status(status: u16, body: Value) -> Self {
        Reply {
            status,
            headers: vec![("content-type".into(), "application/json; charset=UTF-8".into())],
            body: body.to_string().into_bytes(),
        }
    }

    pub fn raw(status: u16, content_type: &str, body: &str) -> Self {
        Reply {
            status,
            headers: vec![("content-type".into(), content_type.into())],
            body: body.as_bytes().to_vec(),
        }
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }
}

/// The Graph error envelope with `status`.
pub fn graph_error(status: u16, code: i64, subcode: Option<i64>, message: &str) -> Reply {
    let mut err = json!({
        "message": message,
        "type": "OAuthException",
        "code": code,
        "fbtrace_id": "AbCdEfGh123"
    });
    if let Some(s) = subcode {
        err["error_subcode"] = json!(s);
    }
    Reply::status(status, json!({ "error": err }))
}

/// The #100 answer Meta gives when any metric of the list is removed.
pub fn invalid_metric() -> Reply {
    graph_error(400, 100, None, "(#100) The value must be a valid insights metric")
}

/// One lifetime insights entry `{"name","period":"lifetime","values":[{"value":v}]}`.
pub fn lifetime(name: &str, value: Value) -> Value {
    json!({
        "name": name,
        "period": "lifetime",
        "values": [{ "value": value }],
        "title": name,
        "description": format!("{name} description"),
        "id": format!("x/insights/{name}/lifetime")
    })
}

type Handler = dyn Fn(&Req) -> Option<Reply> + Send + Sync;

struct Inner {
    handler: Box<Handler>,
    seen: Mutex<Vec<Req>>,
    /// How long each answer waits (zero: at once), and for which requests.
    delay: Duration,
    delayed: Box<dyn Fn(&Req) -> bool + Send + Sync>,
    /// Requests being answered now, and the most at once.
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
}

/// The running fake.
pub struct FakeGraph {
    pub base: Url,
    inner: Arc<Inner>,
}

fn strip_version(path: &str) -> String {
    let mut parts = path.splitn(3, '/');
    let _ = parts.next();
    let first = parts.next().unwrap_or_default();
    let rest = parts.next();
    let is_version = first.len() > 1
        && first.starts_with('v')
        && first[1..].chars().all(|c| c.is_ascii_digit() || c == '.')
        && first[1..].contains('.');
    match (is_version, rest) {
        (true, Some(r)) => format!("/{r}"),
        (true, None) => "/".to_string(),
        (false, _) => path.to_string(),
    }
}

async fn handle(State(inner): State<Arc<Inner>>, method: Method, uri: Uri) -> Response {
    let query: BTreeMap<String, String> = common::query_pairs(&uri).into_iter().collect();
    let req = Req {
        method: method.to_string(),
        raw_path: uri.path().to_string(),
        path: strip_version(uri.path()),
        query,
    };
    if let Ok(mut seen) = inner.seen.lock() {
        seen.push(req.clone());
    }
    let now = inner.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
    inner.max_in_flight.fetch_max(now, Ordering::SeqCst);
    if !inner.delay.is_zero() && (inner.delayed)(&req) {
        tokio::time::sleep(inner.delay).await;
    }
    inner.in_flight.fetch_sub(1, Ordering::SeqCst);
    let reply = (inner.handler)(&req).unwrap_or_else(|| {
        Reply::status(
            500,
            json!({ "unexpected_request": format!("{} {}", req.method, req.raw_path) }),
        )
    });
    common::respond(reply.status, &reply.headers, reply.body)
}

impl FakeGraph {
    /// Starts the fake on a free 127.0.0.1 port.
    pub async fn start(handler: impl Fn(&Req) -> Option<Reply> + Send + Sync + 'static) -> Self {
        Self::start_slow(Duration::ZERO, |_| false, handler).await
    }

    /// Starts the fake with every answer for which `delayed` is `true` sent `delay` after
    /// its request came (a round trip), so that calls in flight together overlap here.
    pub async fn start_slow(
        delay: Duration,
        delayed: impl Fn(&Req) -> bool + Send + Sync + 'static,
        handler: impl Fn(&Req) -> Option<Reply> + Send + Sync + 'static,
    ) -> Self {
        let inner = Arc::new(Inner {
            handler: Box::new(handler),
            seen: Mutex::new(Vec::new()),
            delay,
            delayed: Box::new(delayed),
            in_flight: AtomicUsize::new(0),
            max_in_flight: AtomicUsize::new(0),
        });
        let app = Router::new().fallback(handle).with_state(inner.clone());
        FakeGraph {
            base: common::serve_local(app).await,
            inner,
        }
    }

    /// Every endpoint on this fake (`graph_facebook` / `graph_instagram` = `<base>/v25.0`).
    pub fn endpoints(&self) -> Endpoints {
        Endpoints::sandbox(&self.base)
    }

    /// An Instagram client on this fake (Facebook Login host).
    pub fn client(&self) -> InstagramClient {
        InstagramClient::new(
            Http::new().expect("http client"),
            self.endpoints(),
            GraphHost::FacebookLogin,
        )
    }

    /// A Facebook Pages client on this fake.
    pub fn facebook(&self) -> FacebookClient {
        FacebookClient::new(Http::new().expect("http client"), self.endpoints())
    }

    /// The most requests this fake was answering at once.
    pub fn max_in_flight(&self) -> usize {
        self.inner.max_in_flight.load(Ordering::SeqCst)
    }

    /// The requests received so far.
    pub fn requests(&self) -> Vec<Req> {
        self.inner.seen.lock().map(|s| s.clone()).unwrap_or_default()
    }

    /// Requests whose version-less path is `path`.
    pub fn requests_to(&self, path: &str) -> Vec<Req> {
        self.requests().into_iter().filter(|r| r.path == path).collect()
    }
}

/// The `CollectCtx` of the `*_collect` tests: `external_id` on `platform` with the test
/// token and the window 2026-11-19T00:00Z .. 2026-11-20T12:00Z (UTC).
pub fn collect_ctx(platform: Platform, external_id: &str, username: &str, owned: bool) -> CollectCtx {
    CollectCtx {
        account: AccountRef {
            platform,
            external_id: external_id.to_string(),
            username: Some(username.to_string()),
            owned,
        },
        token: token(),
        window: CollectWindow {
            since: Utc.with_ymd_and_hms(2026, 11, 19, 0, 0, 0).unwrap(),
            until: Utc.with_ymd_and_hms(2026, 11, 20, 12, 0, 0).unwrap(),
        },
        recorder: Recorder::new(),
    }
}

/// One recorded Graph exchange (`../shared/fixtures/{facebook,instagram}/*.json`), reduced
/// to what the fake needs.
#[derive(Clone)]
pub struct Exchange {
    /// The request path without a leading `/vNN.N`.
    pub path: String,
    /// The request's query as recorded.
    pub query: Map<String, Value>,
    /// The recorded answer (status, headers with a JSON content type when none was
    /// recorded, body: `body_text` when recorded, else `body`).
    pub reply: Reply,
    /// The recorded JSON body.
    pub body: Value,
}

impl Exchange {
    /// A query parameter of the recorded request.
    pub fn q(&self, k: &str) -> Option<&str> {
        self.query.get(k).and_then(Value::as_str)
    }

    /// Reads a recording. Panics (naming the file) when it is not JSON.
    pub fn load(path: &Path) -> Exchange {
        let v = common::read_json(path);
        let resp = &v["response"];
        let body = match resp.get("body_text").and_then(Value::as_str) {
            Some(t) => t.as_bytes().to_vec(),
            None => resp["body"].to_string().into_bytes(),
        };
        let mut headers: Vec<(String, String)> = resp["headers"]
            .as_object()
            .map(|h| {
                h.iter()
                    .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_string())))
                    .collect()
            })
            .unwrap_or_default();
        if !headers.iter().any(|(k, _)| k == "content-type") {
            headers.push(("content-type".into(), "application/json".into()));
        }
        Exchange {
            path: strip_version(v["request"]["path"].as_str().unwrap_or("/")),
            query: v["request"]["query"].as_object().cloned().unwrap_or_default(),
            reply: Reply {
                status: resp["status"].as_u64().unwrap_or(200) as u16,
                headers,
                body,
            },
            body: resp["body"].clone(),
        }
    }
}
