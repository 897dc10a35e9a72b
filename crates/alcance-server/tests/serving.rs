//! Serving safely, on 127.0.0.1 over an empty workspace: HTTPS with a self-signed
//! certificate made in the test (reqwest trusts it and nothing else; HSTS only over TLS),
//! PEM files that cannot be used are refused naming the file, `X-Forwarded-For` and
//! `X-Forwarded-Proto` are believed from trusted proxies only (sign-in rate limit per
//! client, the sign-in audit line's address, HSTS, the loopback check of `/metrics`), and a
//! collecting server's shutdown ends live streams and stops its scheduler.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers panic on setup failures

use alcance_app::people::{self, Role};
use alcance_app::scheduler::{Scheduler, SchedulerConfig, SchedulerEvent, SystemClock};
use alcance_app::Session;
use alcance_server::collection::Collection;
use alcance_server::proxy::TrustedProxies;
use alcance_server::tls::{self, TlsError};
use alcance_server::ApiState;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// An empty workspace (SQLite) with an analyst and their API token.
async fn workspace(dir: &Path) -> (Session, String) {
    let unused = url::Url::parse("http://127.0.0.1:9/").unwrap();
    let session = Session::demo_at(dir, &unused).await.unwrap();
    let ws = session.workspace();
    people::add_user(ws, None, "analyst@example.com", Role::Analyst, None)
        .await
        .unwrap();
    let (_, token) = people::create_api_token(ws, None, "analyst@example.com", Role::Analyst, "tests")
        .await
        .unwrap();
    (session, token)
}

/// A running server: its address, and how to stop it and wait for it.
struct Running {
    addr: SocketAddr,
    stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Running {
    async fn plain(state: ApiState) -> Running {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(alcance_server::serve(listener, state, async {
            let _ = stopped.await;
        }));
        Running { addr, stop, task }
    }

    async fn tls(state: ApiState, config: Arc<tls::ServerConfig>) -> Running {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(alcance_server::serve_tls(listener, config, state, async {
            let _ = stopped.await;
        }));
        Running { addr, stop, task }
    }

    /// Signals the shutdown; the server must return within 10 s.
    async fn stop(self) {
        let _ = self.stop.send(());
        tokio::time::timeout(Duration::from_secs(10), self.task)
            .await
            .expect("the server stops within 10 s of the shutdown signal")
            .unwrap()
            .unwrap();
    }
}

/// A self-signed certificate for `localhost` and its key, as PEM files in `dir`.
fn self_signed(dir: &Path) -> (PathBuf, PathBuf, String) {
    let rcgen::CertifiedKey { cert, key_pair } =
        rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    let cert_pem = cert.pem();
    let cert_path = dir.join("cert.pem");
    let key_path = dir.join("key.pem");
    std::fs::write(&cert_path, &cert_pem).unwrap();
    std::fs::write(&key_path, key_pair.serialize_pem()).unwrap();
    (cert_path, key_path, cert_pem)
}

/// HTTPS with a certificate made here: a client trusting it reaches `/healthz`, whose
/// answer carries HSTS; a client trusting only the public roots, and plain HTTP on the
/// same port, do not get an answer. Plain HTTP elsewhere carries no HSTS.
#[tokio::test]
async fn https_answers_with_hsts_to_a_client_trusting_the_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let (session, _) = workspace(dir.path()).await;
    let (cert, key, cert_pem) = self_signed(dir.path());
    let config = tls::server_config(&cert, &key).unwrap();
    let running = Running::tls(ApiState::from_session(&session), config).await;
    let port = running.addr.port();

    let trusting = reqwest::Client::builder()
        .no_proxy()
        .https_only(true)
        .tls_built_in_root_certs(false)
        .add_root_certificate(reqwest::Certificate::from_pem(cert_pem.as_bytes()).unwrap())
        .resolve("localhost", running.addr)
        .build()
        .unwrap();
    let response = trusting
        .get(format!("https://localhost:{port}/healthz"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(
        response
            .headers()
            .get("strict-transport-security")
            .map(|v| v.to_str().unwrap()),
        Some("max-age=31536000; includeSubDomains")
    );
    assert_eq!(response.text().await.unwrap(), r#"{"status":"ok"}"#);

    let untrusting = reqwest::Client::builder()
        .no_proxy()
        .resolve("localhost", running.addr)
        .build()
        .unwrap();
    let refused = untrusting.get(format!("https://localhost:{port}/healthz")).send().await;
    assert!(refused.is_err(), "a self-signed certificate is not trusted by default");
    let plain = reqwest::Client::builder().no_proxy().build().unwrap();
    let refused = plain.get(format!("http://127.0.0.1:{port}/healthz")).send().await;
    assert!(
        refused.is_err(),
        "plain HTTP on the TLS port gets no answer: {refused:?}"
    );
    // The server still answers after the failed handshakes.
    let again = trusting
        .get(format!("https://localhost:{port}/readyz"))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status().as_u16(), 200);
    running.stop().await;

    let running = Running::plain(ApiState::from_session(&session)).await;
    let response = plain
        .get(format!("http://{}/healthz", running.addr))
        .header("x-forwarded-proto", "https")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert!(
        response.headers().get("strict-transport-security").is_none(),
        "no HSTS over plain HTTP, whatever an untrusted X-Forwarded-Proto says"
    );
    running.stop().await;
    session.close().await;
}

/// Certificate and key files that cannot be used are refused with the file's name.
#[test]
fn unusable_pem_files_are_refused_naming_them() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key, _) = self_signed(dir.path());
    let missing = dir.path().join("missing.pem");
    match tls::server_config(&missing, &key) {
        Err(e @ TlsError::Read { .. }) => assert!(e.to_string().contains("missing.pem"), "{e}"),
        other => panic!("{other:?}"),
    }
    let empty = dir.path().join("empty.pem");
    std::fs::write(&empty, "").unwrap();
    assert!(matches!(
        tls::server_config(&empty, &key),
        Err(TlsError::NoCertificate(_))
    ));
    // The certificate where the key should be: no key in it.
    let e = tls::server_config(&cert, &cert).unwrap_err();
    assert!(e.to_string().contains("cert.pem"), "{e}");
    // Another certificate's key does not match.
    let other = tempfile::tempdir().unwrap();
    let (_, other_key, _) = self_signed(other.path());
    assert!(matches!(
        tls::server_config(&cert, &other_key),
        Err(TlsError::Refused(_))
    ));
    assert!(tls::server_config(&cert, &key).is_ok());
}

/// A failed sign-in as `email` from `forwarded_for` (an `X-Forwarded-For` value, or none):
/// the status.
async fn sign_in_fails(http: &reqwest::Client, addr: SocketAddr, email: &str, forwarded_for: Option<&str>) -> u16 {
    let mut request = http
        .post(format!("http://{addr}/api/v1/session"))
        .json(&serde_json::json!({"email": email, "password": "not the password"}));
    if let Some(value) = forwarded_for {
        request = request.header("x-forwarded-for", value);
    }
    request.send().await.unwrap().status().as_u16()
}

/// Without `--trusted-proxy` the forwarding headers change nothing: the sign-in limit
/// counts the peer whatever `X-Forwarded-For` says, no HSTS, `/metrics` refuses a proxied
/// request. With 127.0.0.1 trusted: the limit counts each forwarded client apart, the audit
/// line names the forwarded address, `X-Forwarded-Proto: https` brings HSTS, and `/metrics`
/// answers without credentials only when the forwarded client is on loopback.
#[tokio::test]
async fn forwarding_headers_are_believed_from_trusted_proxies_only() {
    let dir = tempfile::tempdir().unwrap();
    let (session, token) = workspace(dir.path()).await;
    let ws = Arc::clone(session.workspace());
    let http = reqwest::Client::builder().no_proxy().build().unwrap();

    // No trusted proxy.
    let running = Running::plain(ApiState::from_session(&session)).await;
    let addr = running.addr;
    for n in 0..5 {
        let spoofed = format!("203.0.113.{n}");
        let status = sign_in_fails(&http, addr, &format!("a{n}@example.com"), Some(&spoofed)).await;
        assert_eq!(status, 401);
    }
    let status = sign_in_fails(&http, addr, "a9@example.com", Some("198.51.100.99")).await;
    assert_eq!(
        status, 429,
        "the peer's address is limited, a forged X-Forwarded-For does not escape it"
    );
    let line = people::audit_log(&ws, 1).await.unwrap().remove(0);
    assert_eq!(line.detail.as_deref(), Some("from 127.0.0.1"), "{line:?}");
    let metrics = |forwarded: Option<&'static str>, bearer: bool| {
        let mut request = http.get(format!("http://{addr}/metrics"));
        if let Some(value) = forwarded {
            request = request.header("x-forwarded-for", value);
        }
        if bearer {
            request = request.bearer_auth(&token);
        }
        async move { request.send().await.unwrap().status().as_u16() }
    };
    assert_eq!(metrics(None, false).await, 200, "loopback, no proxy");
    assert_eq!(
        metrics(Some("127.0.0.1"), false).await,
        401,
        "proxied: credentials needed"
    );
    assert_eq!(metrics(Some("127.0.0.1"), true).await, 200);
    running.stop().await;

    // 127.0.0.1 is a trusted proxy.
    let trusted: TrustedProxies = "127.0.0.1".parse().unwrap();
    let running = Running::plain(ApiState::from_session(&session).with_trusted_proxies(trusted)).await;
    let addr = running.addr;
    for n in 0..5 {
        let status = sign_in_fails(&http, addr, &format!("b{n}@example.com"), Some("203.0.113.7")).await;
        assert_eq!(status, 401);
    }
    let line = people::audit_log(&ws, 1).await.unwrap().remove(0);
    assert_eq!(line.detail.as_deref(), Some("from 203.0.113.7"), "{line:?}");
    assert_eq!(
        sign_in_fails(&http, addr, "b9@example.com", Some("203.0.113.7")).await,
        429
    );
    assert_eq!(
        sign_in_fails(&http, addr, "b9@example.com", Some("203.0.113.8")).await,
        401,
        "another client behind the proxy is not limited"
    );
    assert_eq!(
        sign_in_fails(&http, addr, "b8@example.com", Some("203.0.113.7, 203.0.113.8")).await,
        401,
        "the right-most address counts: the left one may be forged"
    );
    let response = http
        .get(format!("http://{addr}/healthz"))
        .header("x-forwarded-proto", "https")
        .send()
        .await
        .unwrap();
    assert!(response.headers().get("strict-transport-security").is_some());
    people::add_user(
        &ws,
        None,
        "admin@example.com",
        Role::Admin,
        Some("correct horse battery"),
    )
    .await
    .unwrap();
    let cookie_over = |proto: &'static str| {
        let request = http
            .post(format!("http://{addr}/api/v1/session"))
            .header("x-forwarded-proto", proto)
            .header("x-forwarded-for", "203.0.113.20")
            .json(&serde_json::json!({"email": "admin@example.com", "password": "correct horse battery"}));
        async move {
            let response = request.send().await.unwrap();
            assert_eq!(response.status().as_u16(), 200);
            response.headers()["set-cookie"].to_str().unwrap().to_string()
        }
    };
    assert!(
        cookie_over("https").await.contains("; Secure"),
        "TLS at the trusted proxy"
    );
    assert!(!cookie_over("http").await.contains("Secure"));
    let response = http.get(format!("http://{addr}/healthz")).send().await.unwrap();
    assert!(response.headers().get("strict-transport-security").is_none());
    let metrics = |forwarded: Option<&'static str>| {
        let mut request = http.get(format!("http://{addr}/metrics"));
        if let Some(value) = forwarded {
            request = request.header("x-forwarded-for", value);
        }
        async move { request.send().await.unwrap().status().as_u16() }
    };
    assert_eq!(
        metrics(Some("203.0.113.7")).await,
        401,
        "a remote client through the proxy"
    );
    assert_eq!(
        metrics(Some("127.0.0.1, 203.0.113.7")).await,
        401,
        "a forged loopback entry"
    );
    assert_eq!(
        metrics(Some("127.0.0.1")).await,
        200,
        "a local client through the proxy"
    );
    assert_eq!(metrics(None).await, 200, "the proxy's own request");
    running.stop().await;
    session.close().await;
}

/// A collecting server stops on the shutdown signal even with a live progress stream
/// open: the stream ends and the scheduler is told to stop (after its current account;
/// `alcance_app`'s scheduler tests check that part), before `serve` returns.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_ends_live_streams_and_stops_the_scheduler() {
    let dir = tempfile::tempdir().unwrap();
    let (session, token) = workspace(dir.path()).await;
    let config = SchedulerConfig {
        backups: None,
        start_paused: true,
        resume_paused_runs: false,
        ..SchedulerConfig::default()
    };
    let scheduler = Scheduler::start_with(Arc::clone(session.workspace()), Arc::new(SystemClock), config);
    let mut events = scheduler.subscribe();
    let state = ApiState::from_session(&session).with_collection(Collection::new(scheduler.clone(), true));
    let running = Running::plain(state).await;
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let mut live = http
        .get(format!("http://{}/api/v1/runs/live", running.addr))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(live.status().as_u16(), 200);
    running.stop().await;
    let stopped = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            if let SchedulerEvent::Stopped = events.recv().await.unwrap() {
                return;
            }
        }
    })
    .await;
    assert!(stopped.is_ok(), "serve stopped the scheduler");
    // The stream ended (an end of body or a closed connection, not a hang).
    let rest = tokio::time::timeout(Duration::from_secs(5), async {
        while let Ok(Some(_)) = live.chunk().await {}
    })
    .await;
    assert!(rest.is_ok(), "the live stream ends with the server");
    scheduler.stop().await;
    session.close().await;
}
