//! The server: shared state, the one request entry point, routing, and the running
//! [`Sandbox`] handle.

use std::collections::HashMap;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, Uri};
use axum::response::Response;
use axum::Router;
use chrono::{DateTime, Utc};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use url::Url;

use crate::error::SandboxError;
use crate::faults::{self, ChaosPlan, FaultPlan};
use crate::limits::Limits;
use crate::model::{Generator, Network, ACCOUNTS};
use crate::oauth::TokenBook;
use crate::replay::{ManifestAccount, ReplayEngine};
use crate::reply::Reply;
use crate::whatsapp::WhatsappState;
use crate::{control, registry, Mode, SandboxConfig};

/// Where answers come from.
#[derive(Debug)]
pub(crate) enum Source {
    /// The seeded generator.
    Seeded(Generator),
    /// Recorded exchanges.
    Replay(ReplayEngine),
}

/// Everything a running sandbox shares between requests: the answer source (generator or
/// replay engine), the clock, issued tokens, rate-limit windows and armed faults.
#[derive(Debug)]
pub struct SandboxState {
    pub(crate) source: Source,
    /// `None`: the real time.
    clock: Mutex<Option<DateTime<Utc>>>,
    pub(crate) tokens: TokenBook,
    /// Bluesky's AT Protocol OAuth: pushed requests, codes, DPoP key bindings, the nonce.
    pub(crate) atproto: crate::bluesky_oauth::AtprotoBook,
    pub(crate) limits: Limits,
    pub(crate) faults: FaultPlan,
    /// Seeded random faults on a share of every platform request.
    pub(crate) chaos: ChaosPlan,
    /// WhatsApp switches (template insights confirmed, cost hidden).
    pub(crate) whatsapp: WhatsappState,
    /// Google Sheets spreadsheets written through `/sheets/v4/` (seeded mode).
    pub(crate) sheets: crate::sheets::SheetsBook,
    /// Instagram hashtag searches per account and hashtag ids (seeded mode).
    pub(crate) hashtags: crate::hashtags::HashtagBook,
    owners: HashMap<Network, String>,
    /// Added to every platform answer (not the control endpoints), ms: a real API's
    /// round trip for benchmarks ([`SandboxState::set_latency`]). 0 by default.
    latency_ms: AtomicU64,
    /// Platform requests answered (control endpoints not counted).
    requests: AtomicU64,
}

impl SandboxState {
    /// Builds the state for `mode`. Replay mode loads the directory now.
    ///
    /// # Errors
    /// [`SandboxError::Replay`] when the replay directory cannot be loaded.
    pub fn new(mode: &Mode) -> Result<SandboxState, SandboxError> {
        let source = match mode {
            Mode::Seeded { seed } => Source::Seeded(Generator::new(*seed)),
            Mode::Replay { dir } => Source::Replay(ReplayEngine::load(dir)?),
        };
        let mut state = SandboxState {
            source,
            clock: Mutex::new(None),
            tokens: TokenBook::default(),
            atproto: crate::bluesky_oauth::AtprotoBook::default(),
            limits: Limits::default(),
            faults: FaultPlan::default(),
            chaos: ChaosPlan::default(),
            whatsapp: WhatsappState::default(),
            sheets: crate::sheets::SheetsBook::default(),
            hashtags: crate::hashtags::HashtagBook::default(),
            owners: HashMap::new(),
            latency_ms: AtomicU64::new(0),
            requests: AtomicU64::new(0),
        };
        for network in Network::ALL {
            if let Some(owned) = state
                .manifest()
                .into_iter()
                .find(|a| a.owned && a.platform == network.key())
            {
                state.owners.insert(network, owned.external_id);
            }
        }
        Ok(state)
    }

    /// `"seeded"` or `"replay"`.
    pub fn mode_name(&self) -> &'static str {
        match self.source {
            Source::Seeded(_) => "seeded",
            Source::Replay(_) => "replay",
        }
    }

    /// The sandbox's "now": the time set through `POST /__alcance/clock`, else the real
    /// time (UTC).
    pub fn now(&self) -> DateTime<Utc> {
        self.clock
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .unwrap_or_else(Utc::now)
    }

    /// Sets (or, with `None`, unsets) the seeded clock.
    pub fn set_clock(&self, now: Option<DateTime<Utc>>) {
        *self.clock.lock().unwrap_or_else(PoisonError::into_inner) = now;
    }

    /// Delays every platform answer (OAuth included, control endpoints not) by `latency`,
    /// on top of any [`crate::faults::FaultKind::Slow`] delay: what a call to the real API
    /// costs in round trips (the benchmarks use 150 ms). Millisecond precision.
    pub fn set_latency(&self, latency: Duration) {
        let ms = u64::try_from(latency.as_millis()).unwrap_or(u64::MAX);
        self.latency_ms.store(ms, Ordering::Relaxed);
    }

    /// The latency set by [`SandboxState::set_latency`] (zero by default).
    pub fn latency(&self) -> Duration {
        Duration::from_millis(self.latency_ms.load(Ordering::Relaxed))
    }

    /// Makes every seeded X and Instagram account publish `volume` times as many posts a
    /// day (1–[`crate::model::MAX_POST_VOLUME`], clamped; 1 is the model's rates; other
    /// networks and replay mode unchanged), for benchmarks that need accounts with many
    /// thousands of posts. Call it before the first request: generated days are forgotten.
    /// Returns the volume in force (always 1 in replay mode).
    pub fn set_post_volume(&self, volume: u32) -> u32 {
        match &self.source {
            Source::Seeded(g) => g.set_volume(volume),
            Source::Replay(_) => 1,
        }
    }

    /// Platform requests answered so far (OAuth included, control endpoints not): the
    /// calls a client made, for benchmarks.
    pub fn requests_served(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    /// What chaos mode did since it was last armed (`GET /__alcance/faults/chaos`).
    pub fn chaos_report(&self) -> faults::ChaosReport {
        self.chaos.report()
    }

    /// `true` when the clock was set explicitly.
    pub(crate) fn clock_is_fixed(&self) -> bool {
        self.clock.lock().unwrap_or_else(PoisonError::into_inner).is_some()
    }

    /// The accounts this sandbox serves (ADR 0001): the seeded accounts in platform order
    /// (`x`, `facebook`, `instagram`, `whatsapp`, `tiktok`; owned first), or the replay
    /// engine's manifest.
    pub fn manifest(&self) -> Vec<ManifestAccount> {
        match &self.source {
            Source::Seeded(_) => Network::ALL
                .iter()
                .flat_map(|n| ACCOUNTS.iter().filter(move |a| a.network == *n))
                .map(|a| ManifestAccount {
                    platform: a.network.key().to_string(),
                    external_id: a.external_id.to_string(),
                    username: Some(a.username.to_string()),
                    owned: a.owned,
                })
                .collect(),
            Source::Replay(engine) => engine.manifest(),
        }
    }

    /// The owned account id of `network`: the one OAuth logs in as.
    pub(crate) fn owner(&self, network: Network) -> Option<String> {
        self.owners.get(&network).cloned()
    }
}

/// One request, read in full.
#[derive(Debug)]
pub(crate) struct Req {
    pub method: Method,
    /// Path as sent (percent-encoded), without query.
    pub raw_path: String,
    /// Path with a leading Graph version segment (`/v25.0`) removed.
    pub path: String,
    /// The removed version segment, when there was one.
    pub version: Option<String>,
    /// Decoded query pairs in order.
    pub query: Vec<(String, String)>,
    pub headers: HeaderMap,
    pub body: Bytes,
    /// `http://host:port` from the `Host` header, for URLs in answers.
    pub base: String,
}

/// `true` for a Graph API version segment such as `v25.0` or `v6`.
fn is_version(seg: &str) -> bool {
    let Some(rest) = seg.strip_prefix('v') else {
        return false;
    };
    let mut parts = rest.splitn(2, '.');
    let major = parts.next().unwrap_or_default();
    let minor = parts.next();
    !major.is_empty()
        && major.bytes().all(|b| b.is_ascii_digit())
        && minor.is_none_or(|m| !m.is_empty() && m.bytes().all(|b| b.is_ascii_digit()))
}

/// Splits a leading `/vNN.N` off `path`.
pub(crate) fn strip_version(path: &str) -> (String, Option<String>) {
    let trimmed = path.strip_prefix('/').unwrap_or(path);
    let (first, rest) = match trimmed.split_once('/') {
        Some((f, r)) => (f, Some(r)),
        None => (trimmed, None),
    };
    if is_version(first) {
        (format!("/{}", rest.unwrap_or_default()), Some(first.to_string()))
    } else {
        (path.to_string(), None)
    }
}

impl Req {
    fn new(method: Method, uri: &Uri, headers: HeaderMap, body: Bytes) -> Req {
        let raw_path = uri.path().to_string();
        let (path, version) = strip_version(&raw_path);
        let query = url::form_urlencoded::parse(uri.query().unwrap_or_default().as_bytes())
            .into_owned()
            .collect();
        let host = headers
            .get("host")
            .and_then(|h| h.to_str().ok())
            .unwrap_or("127.0.0.1")
            .to_string();
        Req {
            method,
            raw_path,
            path,
            version,
            query,
            headers,
            body,
            base: format!("http://{host}"),
        }
    }

    /// First value of query parameter `k`.
    pub(crate) fn q(&self, k: &str) -> Option<&str> {
        self.query.iter().find(|(key, _)| key == k).map(|(_, v)| v.as_str())
    }

    /// A request header as text.
    pub(crate) fn header(&self, k: &str) -> Option<&str> {
        self.headers.get(k).and_then(|v| v.to_str().ok())
    }

    /// The body as `application/x-www-form-urlencoded` pairs (first value wins).
    pub(crate) fn form(&self) -> HashMap<String, String> {
        let mut out = HashMap::new();
        for (k, v) in url::form_urlencoded::parse(&self.body) {
            out.entry(k.into_owned()).or_insert_with(|| v.into_owned());
        }
        out
    }

    /// The `Authorization: Bearer` token.
    pub(crate) fn bearer(&self) -> Option<String> {
        let auth = self.header("authorization")?;
        let (scheme, token) = auth.split_once(' ')?;
        scheme
            .eq_ignore_ascii_case("bearer")
            .then(|| token.trim().to_string())
            .filter(|t| !t.is_empty())
    }

    /// Graph API token: `access_token` query parameter, else the bearer header.
    pub(crate) fn access_token(&self) -> Option<String> {
        self.q("access_token")
            .filter(|t| !t.is_empty())
            .map(str::to_string)
            .or_else(|| self.bearer())
    }

    /// This request's URL on the sandbox with some query parameters replaced (`None`
    /// removes), for `paging.next` links.
    pub(crate) fn url_with(&self, changes: &[(&str, Option<String>)]) -> String {
        let mut u = Url::parse(&format!("{}{}", self.base, self.raw_path))
            .or_else(|_| Url::parse("http://127.0.0.1/"))
            .unwrap_or_else(|_| unreachable_url());
        {
            let mut q = u.query_pairs_mut();
            q.clear();
            for (k, v) in &self.query {
                if !changes.iter().any(|(c, _)| c == k) {
                    q.append_pair(k, v);
                }
            }
            for (k, v) in changes {
                if let Some(v) = v {
                    q.append_pair(k, v);
                }
            }
        }
        u.to_string()
    }
}

fn unreachable_url() -> Url {
    // "http://127.0.0.1/" always parses; keep a total function anyway.
    Url::parse("http://localhost/").unwrap_or_else(|_| unreachable!("static URL"))
}

/// The routes of the sandbox for `state`: every platform path, OAuth endpoint and
/// `/__alcance/` control endpoint. Serve it with `axum::serve`.
pub fn router(state: Arc<SandboxState>) -> Router {
    Router::new().fallback(entry).with_state(state)
}

async fn entry(
    State(st): State<Arc<SandboxState>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let req = Req::new(method, &uri, headers, body);
    tracing::debug!(method = %req.method, path = %req.raw_path, "sandbox request");
    if req.raw_path == "/__alcance" || req.raw_path.starts_with("/__alcance/") {
        return control::handle(&st, &req).into_response();
    }
    st.requests.fetch_add(1, Ordering::Relaxed);
    let planned = st.faults.take(&req.raw_path, &req.path);
    let replaced = planned
        .as_ref()
        .and_then(|f| faults::replacement(f, &req.raw_path, &req.path));
    let reply = match replaced {
        Some(r) => r,
        None => {
            let (normal, oauth) = match &st.source {
                Source::Seeded(g) => route_seeded(&st, g, &req),
                Source::Replay(engine) => route_replay(&st, engine, &req),
            };
            // Chaos spares the OAuth endpoints (a connection is set up once, by a person)
            // and requests a planned fault already hit.
            let fault = match planned {
                Some(f) => Some(f),
                None if !oauth => st.chaos.pick(req.method.as_str(), &req.path, &req.query, &req.body),
                None => None,
            };
            match &fault {
                Some(f) => match faults::replacement(f, &req.raw_path, &req.path) {
                    Some(r) => r,
                    None => faults::transform(f, normal),
                },
                None => normal,
            }
        }
    };
    let delay = Duration::from_millis(reply.delay_ms) + st.latency();
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    reply.into_response()
}

/// Seeded mode: the networks of [`crate::registry::NETWORKS`], asked in order; `true` with
/// an OAuth endpoint's answer.
fn route_seeded(st: &SandboxState, g: &Generator, req: &Req) -> (Reply, bool) {
    if let Some(r) = registry::oauth(st, req) {
        return (r, true);
    }
    if let Some(r) = crate::sheets::handle(st, req) {
        return (r, false);
    }
    let segs: Vec<&str> = req.path.trim_start_matches('/').split('/').collect();
    let reply = registry::seeded(st, g, req, &segs).unwrap_or_else(|| {
        // Unreachable while Instagram (Graph) answers every remaining path; kept as a plain 404.
        Reply::json(
            404,
            &serde_json::json!({"error": "no sandbox network serves this path"}),
        )
    });
    (reply, false)
}

/// Replay mode: the recording that matches, else the sandbox's own OAuth endpoints (`true`),
/// else each network's fallback, else a 404.
fn route_replay(st: &SandboxState, engine: &ReplayEngine, req: &Req) -> (Reply, bool) {
    let body = (!req.body.is_empty()).then_some(&req.body[..]);
    let method = req.method.as_str();
    if let Some(a) = engine.respond(method, &req.raw_path, &req.query, body) {
        let reply = Reply {
            status: a.status,
            headers: a.headers,
            body: a.body,
            delay_ms: a.delay_ms,
        };
        return (reply, false);
    }
    if let Some(r) = registry::oauth(st, req) {
        return (r, true);
    }
    if let Some(r) = registry::replay_fallback(st, req) {
        return (r, false);
    }
    tracing::warn!(method, path = %req.raw_path, "replay: no recorded exchange");
    let a = ReplayEngine::not_found(method, &req.raw_path);
    let reply = Reply {
        status: a.status,
        headers: a.headers,
        body: a.body,
        delay_ms: a.delay_ms,
    };
    (reply, false)
}

/// A running sandbox server. Dropping it without [`Sandbox::shutdown`] also stops it (not
/// gracefully awaited).
#[derive(Debug)]
pub struct Sandbox {
    addr: SocketAddr,
    state: Arc<SandboxState>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<Result<(), std::io::Error>>>,
}

impl Sandbox {
    /// Binds `config.bind`, builds the state (loading the replay directory in replay
    /// mode) and serves on the current tokio runtime until [`Sandbox::shutdown`].
    ///
    /// # Errors
    /// [`SandboxError::Bind`] when the address cannot be bound; [`SandboxError::Replay`]
    /// when the replay directory cannot be loaded.
    pub async fn start(config: SandboxConfig) -> Result<Sandbox, SandboxError> {
        let (state, listener) = bind(&config).await?;
        let addr = listener.local_addr().map_err(|source| SandboxError::Bind {
            addr: config.bind,
            source,
        })?;
        let (stop, stopped) = oneshot::channel::<()>();
        let app = router(Arc::clone(&state));
        let task = tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    let _ = stopped.await;
                })
                .await
        });
        tracing::info!(%addr, mode = state.mode_name(), "alcance sandbox listening");
        Ok(Sandbox {
            addr,
            state,
            stop: Some(stop),
            task: Some(task),
        })
    }

    /// The bound address (the real port when the config asked for port 0).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT/`: the origin to give `Endpoints::sandbox`.
    pub fn base_url(&self) -> Url {
        Url::parse(&format!("http://{}/", self.addr)).unwrap_or_else(|_| unreachable_url())
    }

    /// The shared state (clock, manifest), for in-process callers and tests.
    pub fn state(&self) -> &Arc<SandboxState> {
        &self.state
    }

    /// Stops accepting, lets in-flight requests finish (at most 5 s), and returns.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let abort = task.abort_handle();
            if tokio::time::timeout(Duration::from_secs(5), task).await.is_err() {
                abort.abort();
            }
        }
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// The state for `config.mode` and a listener bound to `config.bind`: what both
/// [`Sandbox::start`] and [`serve`] begin with. Errors: [`SandboxError::Replay`] when the
/// replay directory cannot be loaded, [`SandboxError::Bind`] when the address cannot be bound.
async fn bind(config: &SandboxConfig) -> Result<(Arc<SandboxState>, TcpListener), SandboxError> {
    let state = Arc::new(SandboxState::new(&config.mode)?);
    let listener = TcpListener::bind(config.bind)
        .await
        .map_err(|source| SandboxError::Bind {
            addr: config.bind,
            source,
        })?;
    Ok((state, listener))
}

/// Serves the sandbox on `config.bind` until `shutdown` resolves (the standalone
/// `alcance sandbox --port N`). Logs the bound address at `info`.
///
/// # Errors
/// [`SandboxError::Bind`], [`SandboxError::Replay`], or [`SandboxError::Serve`] when the
/// accept loop fails.
pub async fn serve(
    config: SandboxConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), SandboxError> {
    let (state, listener) = bind(&config).await?;
    if let Ok(addr) = listener.local_addr() {
        tracing::info!(%addr, mode = state.mode_name(), "alcance sandbox listening");
    }
    axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown)
        .await
        .map_err(SandboxError::Serve)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_graph_versions_only() {
        assert_eq!(
            strip_version("/v25.0/me"),
            ("/me".to_string(), Some("v25.0".to_string()))
        );
        assert_eq!(strip_version("/v6/1/media").0, "/1/media");
        assert_eq!(strip_version("/v25.0").0, "/");
        assert_eq!(strip_version("/2/users/me").0, "/2/users/me");
        assert_eq!(strip_version("/vx/me").0, "/vx/me");
        assert_eq!(strip_version("/v2/auth/authorize/").0, "/auth/authorize/");
    }
}
