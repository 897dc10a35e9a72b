//! The one-shot loopback redirect listener (RFC 8252 §7.3): a tiny HTTP/1.1 server on
//! `127.0.0.1` that waits for the authorization server's redirect carrying `code` and
//! `state`.

use super::oauth_error;
use crate::error::PlatformError;
use secrecy::SecretString;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;
use url::Url;

/// The default callback path, `/callback`.
pub const DEFAULT_CALLBACK_PATH: &str = "/callback";

/// Largest request head (request line + headers) read from one connection (a little more
/// may arrive in the last read).
const MAX_HEAD_BYTES: usize = 8 * 1024;
/// How long one connection may take to send its request head.
const READ_TIMEOUT: Duration = Duration::from_secs(10);
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
/// - nothing decisive within the timeout → [`PlatformError::OAuth`].
#[derive(Debug)]
pub struct LoopbackListener {
    listener: TcpListener,
    port: u16,
    path: String,
}

/// What one connection decided.
type Outcome = Option<Result<SecretString, PlatformError>>;

struct Expect {
    path: String,
    state: String,
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
    /// docs) or `timeout` passes, then closes the socket. Returns the authorization code.
    ///
    /// Errors: [`PlatformError::OAuth`] for a provider `error=`, a wrong or missing
    /// `state`, a missing `code`, or the timeout.
    pub async fn wait_for_code(self, expected_state: &str, timeout: Duration) -> Result<SecretString, PlatformError> {
        let expect = Arc::new(Expect {
            path: self.path.clone(),
            state: expected_state.to_string(),
        });
        let mut tasks: JoinSet<Outcome> = JoinSet::new();
        let deadline = tokio::time::sleep(timeout);
        tokio::pin!(deadline);
        loop {
            tokio::select! {
                () = &mut deadline => {
                    return Err(oauth_error(format!(
                        "no sign-in redirect reached {} within {} s; the browser step was not completed, try again",
                        self.redirect_uri(),
                        timeout.as_secs_f64().round()
                    )));
                }
                accepted = self.listener.accept() => match accepted {
                    Ok((stream, _peer)) => {
                        if tasks.len() < MAX_CONNECTIONS {
                            tasks.spawn(serve(stream, Arc::clone(&expect)));
                        }
                    }
                    Err(e) => {
                        tracing::debug!(error = %e, "loopback accept failed");
                        tokio::time::sleep(Duration::from_millis(20)).await;
                    }
                },
                Some(joined) = tasks.join_next() => {
                    if let Ok(Some(outcome)) = joined {
                        tracing::debug!(ok = outcome.is_ok(), "loopback redirect received");
                        return outcome;
                    }
                }
            }
        }
    }
}

/// Reads one request, answers it, and reports whether it decided the flow.
async fn serve(mut stream: TcpStream, expect: Arc<Expect>) -> Outcome {
    let reply = match tokio::time::timeout(READ_TIMEOUT, read_head(&mut stream)).await {
        Ok(Ok(head)) => decide(&head, &expect),
        Ok(Err(HeadError::TooLarge)) => Reply::ignore(431, "Request header fields too large."),
        Ok(Err(HeadError::Closed)) | Err(_) => Reply::ignore(400, "Incomplete request."),
    };
    let _ = write_reply(&mut stream, reply.status, &reply.page).await;
    // Lingering close: read what the client still sends (bounded) so closing with unread
    // bytes does not reset the connection before the client has read the page.
    tokio::spawn(async move {
        let mut sink = [0u8; 4096];
        let mut left = 64 * 1024usize;
        let drain = async {
            while let Ok(n) = stream.read(&mut sink).await {
                if n == 0 || n >= left {
                    break;
                }
                left -= n;
            }
        };
        let _ = tokio::time::timeout(Duration::from_secs(2), drain).await;
    });
    reply.outcome
}

enum HeadError {
    TooLarge,
    Closed,
}

/// Reads until the blank line ending the head, at most [`MAX_HEAD_BYTES`].
async fn read_head(stream: &mut TcpStream) -> Result<Vec<u8>, HeadError> {
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 1024];
    loop {
        let n = stream.read(&mut chunk).await.map_err(|_| HeadError::Closed)?;
        if n == 0 {
            // The peer stopped sending: serve what arrived, if it has a request line.
            return if buf.contains(&b'\n') {
                Ok(buf)
            } else {
                Err(HeadError::Closed)
            };
        }
        buf.extend_from_slice(&chunk[..n]);
        if buf.windows(4).any(|w| w == b"\r\n\r\n") || buf.windows(2).any(|w| w == b"\n\n") {
            return Ok(buf);
        }
        if buf.len() > MAX_HEAD_BYTES {
            return Err(HeadError::TooLarge);
        }
    }
}

struct Reply {
    status: u16,
    page: String,
    outcome: Outcome,
}

impl Reply {
    fn ignore(status: u16, text: &str) -> Self {
        Self {
            status,
            page: page("Alcance", text),
            outcome: None,
        }
    }

    fn fail(message: String) -> Self {
        Self {
            status: 400,
            page: page(
                "Alcance could not connect",
                &format!("{message}. Return to Alcance and try again."),
            ),
            outcome: Some(Err(oauth_error(message))),
        }
    }
}

/// Decides what a request head means for the flow.
fn decide(head: &[u8], expect: &Expect) -> Reply {
    let line_end = head.iter().position(|&b| b == b'\n').unwrap_or(head.len());
    let Ok(line) = std::str::from_utf8(&head[..line_end]) else {
        return Reply::ignore(400, "Bad request.");
    };
    let mut parts = line.split_ascii_whitespace();
    let (Some(method), Some(target), Some(version), None) = (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Reply::ignore(400, "Bad request.");
    };
    if !version.starts_with("HTTP/1.") {
        return Reply::ignore(400, "Bad request.");
    }
    let parsed = if target.starts_with('/') {
        Url::parse(&format!("http://127.0.0.1{target}"))
    } else {
        Url::parse(target)
    };
    let Ok(url) = parsed else {
        return Reply::ignore(400, "Bad request.");
    };
    if url.path() != expect.path {
        return Reply::ignore(404, "Not found.");
    }
    if method != "GET" {
        return Reply::ignore(405, "Method not allowed.");
    }
    let param = |name: &str| url.query_pairs().find(|(k, _)| k == name).map(|(_, v)| v.into_owned());
    let state = param("state");
    let state_ok = state
        .as_deref()
        .is_some_and(|s| constant_time_eq(s.as_bytes(), expect.state.as_bytes()));
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
            status: 200,
            page: page(
                "Alcance is connected",
                "Alcance is connected, you can close this tab and return to the app.",
            ),
            outcome: Some(Ok(SecretString::from(code))),
        },
        None => Reply::fail("the sign-in redirect carried no authorization code".into()),
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn page(title: &str, text: &str) -> String {
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{t}</title></head>\
         <body style=\"font-family:system-ui,sans-serif;margin:4em auto;max-width:32em\">\
         <h1>{t}</h1><p>{p}</p></body></html>",
        t = html_escape(title),
        p = html_escape(text)
    )
}

async fn write_reply(stream: &mut TcpStream, status: u16, page: &str) -> std::io::Result<()> {
    let reason = match status {
        200 => "OK",
        404 => "Not Found",
        405 => "Method Not Allowed",
        431 => "Request Header Fields Too Large",
        _ => "Bad Request",
    };
    let head = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\n\
         Cache-Control: no-store\r\nReferrer-Policy: no-referrer\r\nConnection: close\r\n\r\n",
        page.len()
    );
    stream.write_all(head.as_bytes()).await?;
    stream.write_all(page.as_bytes()).await?;
    stream.flush().await?;
    stream.shutdown().await
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;

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
}
