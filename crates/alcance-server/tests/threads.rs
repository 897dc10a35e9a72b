//! Connecting Threads through the team server's HTTPS callback (issue 14 point 4), on
//! 127.0.0.1: the server speaks TLS with a certificate made here, its workspace's APIs are
//! the sandbox's. A manager prepares the sign-in, the sandbox's consent page redirects to
//! `https://localhost:<port>/oauth/threads/callback`, the server exchanges the code and the
//! account appears in the API; the callback is single use, a refusal and an unknown state
//! are said plainly, a plain-HTTP server refuses to prepare one, and analysts may not.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers panic on setup failures

use alcance_app::people::{self, Role};
use alcance_app::sandbox::{Sandbox, SandboxConfig};
use alcance_app::Session;
use alcance_server::tls;
use alcance_server::ApiState;
use serde_json::{json, Value};
use std::net::SocketAddr;
use std::path::Path;

/// The sandbox's Threads account (`/me` of its tokens).
const THREADS_USER: &str = "alcance.br";

async fn serve_tls(state: ApiState, dir: &Path) -> (SocketAddr, reqwest::Client) {
    let rcgen::CertifiedKey { cert, key_pair } =
        rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    let (cert_path, key_path) = (dir.join("cert.pem"), dir.join("key.pem"));
    std::fs::write(&cert_path, cert.pem()).unwrap();
    std::fs::write(&key_path, key_pair.serialize_pem()).unwrap();
    let config = tls::server_config(&cert_path, &key_path).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(alcance_server::serve_tls(
        listener,
        config,
        state,
        std::future::pending(),
    ));
    let client = reqwest::Client::builder()
        .no_proxy()
        .tls_built_in_root_certs(false)
        .add_root_certificate(reqwest::Certificate::from_pem(cert.pem().as_bytes()).unwrap())
        .resolve("localhost", addr)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    (addr, client)
}

async fn token(session: &Session, email: &str, role: Role) -> String {
    let ws = session.workspace();
    people::add_user(ws, None, email, role, None).await.unwrap();
    people::create_api_token(ws, None, email, role, "tests")
        .await
        .unwrap()
        .1
}

/// `POST /api/v1/connect/threads` with `body` as the holder of `token`.
async fn prepare(client: &reqwest::Client, start: &str, token: &str, body: &Value) -> reqwest::Response {
    client.post(start).bearer_auth(token).json(body).send().await.unwrap()
}

fn body() -> Value {
    json!({"client_id": "threads-app-id-1", "client_secret": "threads-app-secret-1"})
}

#[tokio::test(flavor = "multi_thread")]
async fn a_manager_connects_threads_on_the_servers_https_callback() {
    let sandbox = Sandbox::start(SandboxConfig::seeded(11)).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let session = Session::demo_at(dir.path(), &sandbox.base_url()).await.unwrap();
    let manager = token(&session, "manager@example.com", Role::Manager).await;
    let analyst = token(&session, "analyst@example.com", Role::Analyst).await;
    let (addr, client) = serve_tls(ApiState::from_session(&session), dir.path()).await;
    let base = format!("https://localhost:{}", addr.port());
    let start = format!("{base}/api/v1/connect/threads");

    let refused = prepare(&client, &start, &analyst, &body()).await;
    assert_eq!(refused.status().as_u16(), 403, "analysts do not connect accounts");
    let empty = prepare(
        &client,
        &start,
        &manager,
        &json!({"client_id": " ", "client_secret": "x"}),
    )
    .await;
    assert_eq!(empty.status().as_u16(), 400);

    let prepared: Value = prepare(&client, &start, &manager, &body())
        .await
        .error_for_status()
        .unwrap()
        .json()
        .await
        .unwrap();
    let callback = format!("{base}/oauth/threads/callback");
    assert_eq!(prepared["redirect_uri"], callback.as_str());
    assert_eq!(prepared["expires_in"], 600);
    let authorize = url::Url::parse(prepared["authorize_url"].as_str().unwrap()).unwrap();
    let param = |u: &url::Url, k: &str| u.query_pairs().find(|(n, _)| n == k).map(|(_, v)| v.into_owned());
    assert_eq!(param(&authorize, "redirect_uri").as_deref(), Some(callback.as_str()));
    assert_eq!(param(&authorize, "code_challenge_method").as_deref(), Some("S256"));
    assert!(
        !authorize.as_str().contains("threads-app-secret-1"),
        "the secret stays on the server"
    );

    // The member approves on the (sandbox's) consent page; it sends the browser back here.
    let consent = client.get(authorize.clone()).send().await.unwrap();
    let back = url::Url::parse(consent.headers()["location"].to_str().unwrap()).unwrap();
    assert!(back.as_str().starts_with(&callback), "{back}");
    let done = client.get(back.clone()).send().await.unwrap();
    assert_eq!(done.status().as_u16(), 200);
    let page = done.text().await.unwrap();
    assert!(
        page.contains("Threads connected") && page.contains(&format!("@{THREADS_USER}")),
        "{page}"
    );
    assert!(!page.contains(&param(&back, "code").unwrap()), "the code is not echoed");

    // The account is in the workspace, connected with OAuth, its token in the vault only.
    let accounts: Value = client
        .get(format!("{base}/api/v1/accounts"))
        .bearer_auth(&manager)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let items = accounts["items"]
        .as_array()
        .or(accounts.as_array())
        .cloned()
        .unwrap_or_default();
    let threads = items
        .iter()
        .find(|a| a["platform"] == "threads")
        .unwrap_or_else(|| panic!("no Threads account in {accounts}"));
    assert_eq!(threads["username"], THREADS_USER);
    assert_eq!(threads["connection"], "oauth");
    let rows = session.workspace().store().list_accounts().await.unwrap();
    assert!(
        rows.iter().any(|r| r.vault_key.is_some()),
        "the token went to the vault"
    );
    let log = people::audit_log(session.workspace(), 20).await.unwrap();
    assert!(log
        .iter()
        .any(|l| l.action == "account-connect" && l.actor.as_deref() == Some("manager@example.com")));

    // Single use: the same redirect again, and an unknown state, get a plain refusal.
    let again = client.get(back).send().await.unwrap();
    assert_eq!(again.status().as_u16(), 400);
    assert!(again.text().await.unwrap().contains("expired"));
    let unknown = client
        .get(format!("{callback}?code=c&state=not-a-state"))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status().as_u16(), 400);

    // A member who refuses: the prepared sign-in ends with a 403 page naming the refusal.
    let prepared: Value = prepare(&client, &start, &manager, &body()).await.json().await.unwrap();
    let state = param(
        &url::Url::parse(prepared["authorize_url"].as_str().unwrap()).unwrap(),
        "state",
    )
    .unwrap();
    let denied = client
        .get(format!(
            "{callback}?error=access_denied&error_description=Permissions+error&state={state}"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(denied.status().as_u16(), 403);
    assert!(denied.text().await.unwrap().contains("Permissions error"));
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_on_plain_http_refuses_to_prepare_a_threads_sign_in() {
    let dir = tempfile::tempdir().unwrap();
    let unused = url::Url::parse("http://127.0.0.1:9/").unwrap();
    let session = Session::demo_at(dir.path(), &unused).await.unwrap();
    let manager = token(&session, "manager@example.com", Role::Manager).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let state = ApiState::from_session(&session);
    tokio::spawn(alcance_server::serve(listener, state, std::future::pending()));
    let start = format!("http://{addr}/api/v1/connect/threads");
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    let answer = prepare(&client, &start, &manager, &body()).await;
    assert_eq!(answer.status().as_u16(), 409);
    let problem: Value = answer.json().await.unwrap();
    assert!(
        problem["type"]
            .as_str()
            .unwrap_or_default()
            .ends_with("threads-needs-https"),
        "{problem}"
    );
    // Naming the public HTTPS address explicitly (a proxy the server does not know) works,
    // and anything but this server's callback path is refused.
    let mut named = body();
    named["redirect_uri"] = json!("https://alcance.agency.example/oauth/threads/callback");
    let ok = prepare(&client, &start, &manager, &named).await;
    assert_eq!(ok.status().as_u16(), 200);
    named["redirect_uri"] = json!("https://evil.example/steal");
    let bad = prepare(&client, &start, &manager, &named).await;
    assert_eq!(bad.status().as_u16(), 400);
}
