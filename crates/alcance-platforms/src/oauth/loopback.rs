//! The one-shot loopback redirect listener (RFC 8252 §7.3): an axum handler served over
//! HTTP/1.1 (hyper) on `127.0.0.1` that waits for the authorization server's redirect
//! carrying `code` and `state`, and hands the outcome to the waiting flow through a tokio
//! oneshot channel. The desktop's deep link (`alcance://oauth/callback?…`) delivers into
//! the same channel through a [`CallbackHandle`], without an HTTP round trip.

use super::oauth_error;
use crate::error::PlatformError;
use axum::extract::State;
use axum::http::{header, Method, StatusCode, Uri};
use axum::response::{Html, IntoResponse, Response};
use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use secrecy::SecretString;
use std::collections::HashMap;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError};
use std::time::Duration;
use subtle::ConstantTimeEq;
use tokio::net::TcpListener;
use tokio::sync::{oneshot, Semaphore};
use url::Url;

/// The default callback path, `/callback`.
pub const DEFAULT_CALLBACK_PATH: &str = "/callback";

/// Largest request head (request line + headers) read from one connection; a larger one is
/// answered `431` (hyper's smallest read buffer, 8 KiB).
const MAX_HEAD_BYTES: usize = 8 * 1024;
/// How long one connection may take to send its request head.
const READ_TIMEOUT: Duration = Duration::from_secs(10);
/// How long one connection may stay open in all.
const CONNECTION_TIMEOUT: Duration = Duration::from_secs(30);
/// Connections served at once; more are closed unanswered.
const MAX_CONNECTIONS: usize = 32;

/// A listener bound to `127.0.0.1:{port}` that answers the first request on its callback
/// path carrying the expected `state`, then shuts down.
///
/// Behaviour of [`LoopbackListener::wait_for_code`]:
/// - `GET {path}?code=…&state={expected}` → `200` "Alcance is connected" page, `Ok(code)`.
/// - `GET {path}?error=…&error_description=…` → `400` page, [`PlatformError::OAuth`] with
///   the provider's error and description.
/// - `GET {path}` with a missing or wrong `state`, or without `code` → `400` page,
///   [`PlatformError::OAuth`].
/// - any other path (e.g. `/favicon.ico`) → `404`, keeps waiting; a non-`GET` → `405`;
///   unparsable requests → `400`; heads over 8 KiB → `431`; all keep waiting.
/// - a callback URL delivered through [`CallbackHandle::deliver`] (the deep link) is
///   judged by the same rules.
/// - nothing decisive within the timeout → [`PlatformError::OAuth`].
#[derive(Debug)]
pub struct LoopbackListener {
    listener: TcpListener,
    port: u16,
    path: String,
}

/// What decided the flow.
type Outcome = Result<SecretString, PlatformError>;

/// A flow waiting for its redirect: the expected path and state, and the sending half of
/// the oneshot channel (taken by the first decisive callback).
#[derive(Debug)]
struct Pending {
    path: String,
    state: String,
    sender: Mutex<Option<oneshot::Sender<Outcome>>>,
}

/// The way into a flow waiting in [`LoopbackListener::wait_for_code`], for a callback that
/// does not come over HTTP (the desktop's `alcance://oauth/callback` deep link). Cheap to
/// clone.
#[derive(Debug, Clone)]
pub struct CallbackHandle {
    pending: Arc<Pending>,
}

/// Flows waiting right now, by loopback port (one listener per port).
fn waiting() -> MutexGuard<'static, HashMap<u16, CallbackHandle>> {
    static WAITING: OnceLock<Mutex<HashMap<u16, CallbackHandle>>> = OnceLock::new();
    WAITING
        .get_or_init(|| Mutex::new(HashMap::new()))
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
}

/// Keeps a flow in [`waiting`] while it waits; removes it when dropped.
struct Registration {
    port: u16,
    handle: CallbackHandle,
}

impl Registration {
    fn new(port: u16, handle: CallbackHandle) -> Self {
        waiting().insert(port, handle.clone());
        Self { port, handle }
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        let mut map = waiting();
        if map
            .get(&self.port)
            .is_some_and(|h| Arc::ptr_eq(&h.pending, &self.handle.pending))
        {
            map.remove(&self.port);
        }
    }
}

impl CallbackHandle {
    /// The flow waiting on the loopback redirect `redirect` (`http://127.0.0.1:{port}{path}`;
    /// its query is ignored), or `None` when no flow of this process waits there.
    pub fn waiting_on(redirect: &Url) -> Option<CallbackHandle> {
        if redirect.host() != Some(url::Host::Ipv4(Ipv4Addr::LOCALHOST)) {
            return None;
        }
        let handle = waiting().get(&redirect.port()?).cloned()?;
        (handle.pending.path == redirect.path()).then_some(handle)
    }

    /// Delivers the callback URL `url` (the redirect URI with `code` and `state`, or
    /// `error` and `error_description`) straight to the waiting flow, judged by the rules
    /// of [`LoopbackListener`]. Returns `true` when it decided the flow (code accepted, or
    /// refused for a wrong state, a provider error, a missing code); `false` when the URL's
    /// path is not the callback path or the flow was already decided.
    pub fn deliver(&self, url: &Url) -> bool {
        let reply = decide(true, url, &self.pending);
        match reply.outcome {
            Some(outcome) => self.settle(outcome),
            None => false,
        }
    }

    /// Sends the outcome to the waiting flow; `false` when it was already decided.
    fn settle(&self, outcome: Outcome) -> bool {
        let sender = self
            .pending
            .sender
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        sender.is_some_and(|s| s.send(outcome).is_ok())
    }
}

impl LoopbackListener {
    /// Binds `127.0.0.1:{port}` (`0` = an ephemeral port) for callbacks on `path`.
    ///
    /// Errors: [`PlatformError::OAuth`] when `path` is not an absolute path without query
    /// or fragment, or when the port cannot be bound (in use, not permitted).
    pub async fn bind(port: u16, path: &str) -> Result<Self, PlatformError> {
        let valid_path = path.starts_with('/')
            && path.len() <= 200
            && path
                .bytes()
                .all(|b| b.is_ascii_graphic() && b != b'?' && b != b'#' && b != b'%');
        if !valid_path {
            return Err(oauth_error(format!(
                "redirect path {path:?} must start with '/' and have no query, fragment, spaces or escapes"
            )));
        }
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, port)).await.map_err(|e| {
            oauth_error(format!(
                "could not listen on 127.0.0.1:{port} for the sign-in redirect ({e}); \
                 another program may be using the port"
            ))
        })?;
        let actual = listener
            .local_addr()
            .map_err(|e| oauth_error(format!("could not read the listener's address: {e}")))?
            .port();
        Ok(Self {
            listener,
            port: actual,
            path: path.to_string(),
        })
    }

    /// The port actually bound (the ephemeral one when bound with `0`).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The callback path.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The bound address, always `127.0.0.1:{port}`.
    pub fn local_addr(&self) -> SocketAddr {
        SocketAddr::from((Ipv4Addr::LOCALHOST, self.port))
    }

    /// The redirect URI to register and send: exactly `http://127.0.0.1:{port}{path}`.
    pub fn redirect_uri(&self) -> String {
        format!("http://127.0.0.1:{}{}", self.port, self.path)
    }

    /// Serves requests until one on the callback path decides the flow (see the type's
    /// docs), a [`CallbackHandle`] delivers a decisive callback, or `timeout` passes; then
    /// closes the socket. Returns the authorization code. While it waits, the flow is
    /// found by [`CallbackHandle::waiting_on`] with this listener's redirect URI.
    ///
    /// Errors: [`PlatformError::OAuth`] for a provider `error=`, a wrong or missing
    /// `state`, a missing `code`, or the timeout.
    pub async fn wait_for_code(self, expected_state: &str, timeout: Duration) -> Result<SecretString, PlatformError> {
        let (sender, mut receiver) = oneshot::channel();
        let handle = CallbackHandle {
            pending: Arc::new(Pending {
                path: self.path.clone(),
                state: expected_state.to_string(),
                sender: Mutex::new(Some(sender)),
            }),
        };
        let _registration = Registration::new(self.port, handle.clone());
        let service = TowerToHyperService::new(Router::new().fallback(answer).with_state(handle));
        let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS));
        let deadline = tokio::time::sleep(timeout);
        tokio::pin!(deadline);
        loop {
            tokio::select! {
                biased;
                decided = &mut receiver => {
                    tracing::debug!(ok = matches!(decided, Ok(Ok(_))), "loopback redirect received");
                    return decided.unwrap_or_else(|_| Err(oauth_error("the sign-in wait ended without an answer")));
                }
                () = &mut deadline => {
                    return Err(oauth_error(format!(
                        "no sign-in redirect reached {} within {} s; the browser step was not completed, try again",
                        self.redirect_uri(),
                        timeout.as_secs_f64().round()
                    )));
                }
                accepted = self.listener.accept() => match accepted {
                    Ok((stream, _peer)) => {
                        let Ok(slot) = Arc::clone(&slots).try_acquire_owned() else {
                            continue;
                        };
                        let service = service.clone();
                        // Detached: a connection finishes writing its page after the flow
                        // is decided and the listening socket is closed.
                        tokio::spawn(async move {
                            let connection = hyper::server::conn::http1::Builder::new()
                                .max_buf_size(MAX_HEAD_BYTES)
                                .keep_alive(false)
                                .timer(TokioTimer::new())
                                .header_read_timeout(READ_TIMEOUT)
                                .serve_connection(TokioIo::new(stream), service);
                            let _ = tokio::time::timeout(CONNECTION_TIMEOUT, connection).await;
                            drop(slot);
                        });
                    }
                    Err(e) => {
                        tracing::debug!(error = %e, "loopback accept failed");
                        tokio::time::sleep(Duration::from_millis(20)).await;
                    }
                },
            }
        }
    }
}

/// The one handler: answers every request on the listener and settles the flow when the
/// request decides it.
async fn answer(State(handle): State<CallbackHandle>, method: Method, uri: Uri) -> Response {
    let target = if uri.scheme().is_some() {
        Url::parse(&uri.to_string())
    } else {
        Url::parse(&format!("http://127.0.0.1{uri}"))
    };
    let reply = match target {
        Ok(url) => decide(method == Method::GET, &url, &handle.pending),
        Err(_) => Reply::ignore(StatusCode::BAD_REQUEST, "Bad request."),
    };
    if let Some(outcome) = reply.outcome {
        handle.settle(outcome);
    }
    (
        reply.status,
        [
            (header::CACHE_CONTROL, "no-store"),
            (header::REFERRER_POLICY, "no-referrer"),
        ],
        Html(reply.page),
    )
        .into_response()
}

struct Reply {
    status: StatusCode,
    page: String,
    outcome: Option<Outcome>,
}

impl Reply {
    fn ignore(status: StatusCode, text: &str) -> Self {
        Self {
            status,
            page: page("Alcance", text),
            outcome: None,
        }
    }

    fn fail(message: String) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            page: page(
                "Alcance could not connect",
                &format!("{message}. Return to Alcance and try again."),
            ),
            outcome: Some(Err(oauth_error(message))),
        }
    }
}

/// Decides what a callback to `url` (a `GET` when `is_get`) means for the flow.
fn decide(is_get: bool, url: &Url, expect: &Pending) -> Reply {
    if url.path() != expect.path {
        return Reply::ignore(StatusCode::NOT_FOUND, "Not found.");
    }
    if !is_get {
        return Reply::ignore(StatusCode::METHOD_NOT_ALLOWED, "Method not allowed.");
    }
    let param = |name: &str| url.query_pairs().find(|(k, _)| k == name).map(|(_, v)| v.into_owned());
    let state = param("state");
    let state_ok = state
        .as_deref()
        .is_some_and(|s| bool::from(s.as_bytes().ct_eq(expect.state.as_bytes())));
    if let Some(error) = param("error") {
        if state.is_some() && !state_ok {
            return Reply::fail("the sign-in redirect carried a wrong state (possible cross-site request)".into());
        }
        let message = match param("error_description").filter(|d| !d.trim().is_empty()) {
            Some(description) => format!("the platform refused the sign-in: {error}: {description}"),
            None => format!("the platform refused the sign-in: {error}"),
        };
        return Reply::fail(message);
    }
    if !state_ok {
        let why = if state.is_some() { "a wrong" } else { "no" };
        return Reply::fail(format!(
            "the sign-in redirect carried {why} state (possible cross-site request)"
        ));
    }
    match param("code").filter(|c| !c.is_empty()) {
        Some(code) => Reply {
            status: StatusCode::OK,
            page: page(
                "Alcance is connected",
                "Alcance is connected, you can close this tab and return to the app.",
            ),
            outcome: Some(Ok(SecretString::from(code))),
        },
        None => Reply::fail("the sign-in redirect carried no authorization code".into()),
    }
}

/// A small HTML page; `title` and `text` are escaped (the text may hold the provider's
/// `error_description`).
fn page(title: &str, text: &str) -> String {
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{t}</title></head>\
         <body style=\"font-family:system-ui,sans-serif;margin:4em auto;max-width:32em\">\
         <h1>{t}</h1><p>{p}</p></body></html>",
        t = html_escape::encode_text(title),
        p = html_escape::encode_text(text)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpStream;

    /// Sends raw bytes to the listener and returns the whole answer as text.
    async fn raw(port: u16, request: &[u8]) -> String {
        let mut s = TcpStream::connect(("127.0.0.1", port)).await.expect("connect");
        s.write_all(request).await.expect("write");
        let mut out = Vec::new();
        let _ = s.read_to_end(&mut out).await;
        String::from_utf8_lossy(&out).into_owned()
    }

    fn get(path: &str) -> Vec<u8> {
        format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").into_bytes()
    }

    #[tokio::test]
    async fn binds_loopback_only() {
        let l = LoopbackListener::bind(0, "/callback").await.expect("bind");
        assert_eq!(l.local_addr().ip(), std::net::IpAddr::V4(Ipv4Addr::LOCALHOST));
        assert_eq!(l.listener.local_addr().expect("addr").ip(), Ipv4Addr::LOCALHOST);
        assert_ne!(l.port(), 0);
        assert_eq!(l.redirect_uri(), format!("http://127.0.0.1:{}/callback", l.port()));
        // A wildcard bind would accept this; a 127.0.0.1 bind must not.
        let other = TcpStream::connect(("127.0.0.2", l.port())).await;
        assert!(
            other.is_err(),
            "listener answered on 127.0.0.2: not bound to 127.0.0.1 only"
        );
    }

    #[tokio::test]
    async fn rejects_bad_paths() {
        for p in ["callback", "/cb?x=1", "/cb#f", "/a b", ""] {
            assert!(LoopbackListener::bind(0, p).await.is_err(), "{p:?}");
        }
    }

    #[tokio::test]
    async fn ignores_noise_then_takes_the_code() {
        let l = LoopbackListener::bind(0, "/cb").await.expect("bind");
        let port = l.port();
        let wait = tokio::spawn(l.wait_for_code("s1", Duration::from_secs(10)));
        assert!(raw(port, &get("/favicon.ico")).await.starts_with("HTTP/1.1 404"));
        assert!(raw(port, b"\x00\xff garbage\r\n\r\n").await.starts_with("HTTP/1.1 400"));
        assert!(raw(port, b"POST /cb HTTP/1.1\r\n\r\n")
            .await
            .starts_with("HTTP/1.1 405"));
        let huge = format!("GET /cb HTTP/1.1\r\nX: {}\r\n\r\n", "a".repeat(20_000));
        assert!(raw(port, huge.as_bytes()).await.starts_with("HTTP/1.1 431"));
        // A connection that sends nothing and hangs up does not end the wait either.
        drop(TcpStream::connect(("127.0.0.1", port)).await.expect("connect"));
        assert!(!wait.is_finished());
        let answer = raw(port, &get("/cb?code=abc%2F1&state=s1")).await;
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
        assert!(answer.contains("Alcance is connected"), "{answer}");
        let code = wait.await.expect("join").expect("code");
        assert_eq!(code.expose_secret(), "abc/1");
        // One-shot: the socket is closed afterwards.
        assert!(TcpStream::connect(("127.0.0.1", port)).await.is_err());
    }

    #[tokio::test]
    async fn wrong_state_is_an_error_page_and_an_error() {
        let l = LoopbackListener::bind(0, "/cb").await.expect("bind");
        let port = l.port();
        let wait = tokio::spawn(l.wait_for_code("right", Duration::from_secs(10)));
        let answer = raw(port, &get("/cb?code=abc&state=wrong")).await;
        assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
        let err = wait.await.expect("join").expect_err("wrong state");
        assert_eq!(err.code(), "oauth");
        assert!(err.to_string().contains("state"), "{err}");
    }

    #[tokio::test]
    async fn provider_error_is_reported_with_its_description() {
        let l = LoopbackListener::bind(0, "/cb").await.expect("bind");
        let port = l.port();
        let wait = tokio::spawn(l.wait_for_code("st", Duration::from_secs(10)));
        let answer = raw(
            port,
            &get("/cb?error=access_denied&error_description=The+user+said+%3Cno%3E&state=st"),
        )
        .await;
        assert!(answer.contains("&lt;no&gt;"), "description must be escaped: {answer}");
        let err = wait.await.expect("join").expect_err("denied");
        let text = err.to_string();
        assert!(
            text.contains("access_denied") && text.contains("The user said <no>"),
            "{text}"
        );
    }

    #[tokio::test]
    async fn times_out() {
        let l = LoopbackListener::bind(0, "/cb").await.expect("bind");
        let started = std::time::Instant::now();
        let err = l
            .wait_for_code("st", Duration::from_millis(150))
            .await
            .expect_err("timeout");
        assert!(started.elapsed() < Duration::from_secs(5));
        assert_eq!(err.code(), "oauth");
        assert!(err.to_string().contains("within"), "{err}");
    }

    #[tokio::test]
    async fn a_delivered_callback_reaches_the_waiting_flow() {
        let l = LoopbackListener::bind(0, "/cb").await.expect("bind");
        let redirect = Url::parse(&l.redirect_uri()).expect("url");
        assert!(CallbackHandle::waiting_on(&redirect).is_none(), "nothing waits yet");
        let wait = tokio::spawn(l.wait_for_code("s9", Duration::from_secs(10)));
        let handle = loop {
            if let Some(h) = CallbackHandle::waiting_on(&redirect) {
                break h;
            }
            tokio::task::yield_now().await;
        };
        let mut other = redirect.clone();
        other.set_path("/elsewhere");
        assert!(CallbackHandle::waiting_on(&other).is_none());
        assert!(!handle.deliver(&other), "another path decides nothing");
        let mut callback = redirect.clone();
        callback.set_query(Some("code=deep%2Flink&state=s9"));
        assert!(handle.deliver(&callback));
        let code = wait.await.expect("join").expect("code");
        assert_eq!(code.expose_secret(), "deep/link");
        assert!(!handle.deliver(&callback), "one-shot: already decided");
        assert!(
            CallbackHandle::waiting_on(&redirect).is_none(),
            "unregistered after the flow"
        );
    }
}
