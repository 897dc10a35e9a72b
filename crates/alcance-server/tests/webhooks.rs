//! `/webhooks/meta` served on 127.0.0.1 over an empty workspace, on SQLite and PostgreSQL:
//! every recorded WhatsApp webhook payload (`../shared/fixtures/whatsapp/*.webhook.json`)
//! signed with a test secret is stored once even when posted twice; Instagram comments and
//! mentions likewise; a missing or wrong signature answers 401 and stores nothing; a signed
//! body that is not JSON answers 400 and stores nothing; the handshake answers the
//! challenge to the right verify token only; the stored events read back on
//! `/api/v1/webhook-events`; a server without secrets answers 503.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers panic on setup failures

use alcance_app::people::{self, Role};
use alcance_app::testing::{both_engines, empty_database, EmptyDatabase, Engine};
use alcance_app::webhooks::{self, MetaWebhookSecrets};
use alcance_app::{Apis, Platform, Session, StoreLocation, Team, TeamKeySource, VaultNeed, WebhookEventKind};
use alcance_server::webhooks::{WebhookEventPage, WebhookReceipt};
use alcance_server::ApiState;
use serde_json::Value;
use std::collections::BTreeSet;

/// The test app secret: what signs the deliveries of these tests, never a real one.
const SECRET: &str = "test-app-secret-not-a-real-one";
/// The test verify token.
const VERIFY: &str = "test-verify-token";

/// A server over an empty workspace on one engine, with or without webhook secrets.
struct Served {
    base: String,
    http: reqwest::Client,
    analyst_token: String,
    session: Option<Session>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
    _dirs: Vec<tempfile::TempDir>,
    _database: Option<EmptyDatabase>,
}

impl Served {
    async fn start(engine: Engine, secrets: bool) -> Option<Served> {
        let folder = tempfile::tempdir().unwrap();
        let (session, dirs, database) = match engine {
            Engine::Postgres => {
                let database = empty_database().await?;
                let StoreLocation::Postgres(url) = StoreLocation::parse(database.url()) else {
                    panic!("not a PostgreSQL URL")
                };
                let team = Team::new(url, folder.path());
                let session = Session::team(&team, &Apis::Real, &TeamKeySource::default(), VaultNeed::Optional)
                    .await
                    .unwrap_or_else(|e| panic!("team session: {e:#}"));
                (session, vec![folder], Some(database))
            }
            _ => {
                let unused = url::Url::parse("http://127.0.0.1:9/").unwrap();
                let session = Session::demo_at(folder.path(), &unused)
                    .await
                    .unwrap_or_else(|e| panic!("session: {e:#}"));
                (session, vec![folder], None)
            }
        };
        let ws = session.workspace();
        people::add_user(ws, None, "analyst@example.com", Role::Analyst, None)
            .await
            .unwrap();
        let (_, analyst_token) = people::create_api_token(ws, None, "analyst@example.com", Role::Analyst, "tests")
            .await
            .unwrap();
        let mut state = ApiState::from_session(&session);
        if secrets {
            state = state.with_webhooks(MetaWebhookSecrets::new(SECRET, VERIFY).unwrap());
        }
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(alcance_server::serve(listener, state, async {
            let _ = stopped.await;
        }));
        Some(Served {
            base,
            http: reqwest::Client::builder().no_proxy().build().unwrap(),
            analyst_token,
            session: Some(session),
            stop: Some(stop),
            task: Some(task),
            _dirs: dirs,
            _database: database,
        })
    }

    /// POSTs `body` to `/webhooks/meta` with `signature` (`None`: no header): status and
    /// answer.
    async fn post(&self, body: &[u8], signature: Option<&str>) -> (u16, String) {
        let mut request = self
            .http
            .post(format!("{}/webhooks/meta", self.base))
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body.to_vec());
        if let Some(signature) = signature {
            request = request.header("X-Hub-Signature-256", signature);
        }
        let response = request.send().await.unwrap();
        (response.status().as_u16(), response.text().await.unwrap())
    }

    /// POSTs `body` signed with the test secret; it must be received.
    async fn deliver(&self, body: &[u8]) -> WebhookReceipt {
        let (status, text) = self.post(body, Some(&webhooks::sign(SECRET, body))).await;
        assert_eq!(status, 200, "{text}");
        serde_json::from_str(&text).unwrap()
    }

    /// GET `path` as the analyst (`token`) or anonymously: status, content type, body.
    async fn get(&self, path: &str, token: bool) -> (u16, String, String) {
        let mut request = self.http.get(format!("{}{path}", self.base));
        if token {
            request = request.bearer_auth(&self.analyst_token);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        (status, content_type, response.text().await.unwrap())
    }

    /// Every stored event, as the store has them.
    async fn stored(&self) -> Vec<webhooks::WebhookEvent> {
        webhooks::events(self.session.as_ref().unwrap().workspace(), 100_000)
            .await
            .unwrap()
    }

    async fn stop(mut self) {
        let _ = self.stop.take().unwrap().send(());
        tokio::time::timeout(std::time::Duration::from_secs(10), self.task.take().unwrap())
            .await
            .expect("the server stops")
            .unwrap()
            .unwrap();
        self.session.take().unwrap().close().await;
    }
}

/// The recorded WhatsApp webhook payloads (`*.webhook.json`), compact as Meta sends them;
/// `None` when the shared fixtures are absent (off CI).
fn whatsapp_payloads() -> Option<Vec<(String, Vec<u8>)>> {
    let dir = alcance_app::sandbox::platform_fixtures_dir("whatsapp")?;
    let mut payloads = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if name.ends_with(".webhook.json") {
            let file: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
            payloads.push((name, serde_json::to_vec(&file["webhook"]).unwrap()));
        }
    }
    payloads.sort();
    assert!(!payloads.is_empty(), "no *.webhook.json in {}", dir.display());
    Some(payloads)
}

/// The keys (message id, status, time) of the statuses in a WhatsApp payload, read here
/// independently of the server's parser.
fn status_keys(payload: &[u8]) -> BTreeSet<(String, String, String)> {
    let v: Value = serde_json::from_slice(payload).unwrap();
    let mut keys = BTreeSet::new();
    for entry in v["entry"].as_array().unwrap() {
        for change in entry["changes"].as_array().unwrap() {
            for s in change["value"]["statuses"].as_array().into_iter().flatten() {
                keys.insert((
                    s["id"].as_str().unwrap().to_string(),
                    s["status"].as_str().unwrap().to_string(),
                    s["timestamp"].as_str().unwrap().to_string(),
                ));
            }
        }
    }
    keys
}

/// Every recorded WhatsApp payload, posted twice, is stored once: the rows are exactly the
/// distinct statuses of the fixtures (two fixtures share one status), with their fields.
async fn whatsapp_statuses_are_stored_once(engine: Engine) {
    let Some(payloads) = whatsapp_payloads() else {
        return;
    };
    let Some(s) = Served::start(engine, true).await else {
        return;
    };
    let mut expected = BTreeSet::new();
    for (name, body) in &payloads {
        let keys = status_keys(body);
        let first = s.deliver(body).await;
        let new: BTreeSet<_> = keys.difference(&expected).cloned().collect();
        assert_eq!(first.stored, new.len() as u64, "{name}: {first:?}");
        assert_eq!(first.stored + first.duplicates, keys.len() as u64, "{name}: {first:?}");
        if keys.is_empty() {
            assert!(
                first.ignored > 0,
                "{name}: template updates are acknowledged, not kept: {first:?}"
            );
        }
        let again = s.deliver(body).await;
        assert_eq!(again.stored, 0, "{name} posted twice: {again:?}");
        assert_eq!(again.duplicates, keys.len() as u64, "{name}: {again:?}");
        expected.extend(keys);
    }
    let stored = s.stored().await;
    let got: BTreeSet<(String, String, String)> = stored
        .iter()
        .map(|e| {
            assert_eq!(e.platform, Platform::Whatsapp);
            assert_eq!(e.kind, WebhookEventKind::MessageStatus);
            (
                e.object_id.clone(),
                e.status.clone(),
                e.occurred_at.timestamp().to_string(),
            )
        })
        .collect();
    assert_eq!(stored.len(), expected.len(), "one row per distinct status");
    assert_eq!(got, expected);
    assert!(
        expected.len() >= 5,
        "the fixtures carry sent, delivered, read, played, failed"
    );

    let failed = stored.iter().find(|e| e.status == "failed").expect("a failed status");
    assert_eq!(failed.error_code, Some(130_472));
    assert_eq!(failed.recipient_id.as_deref(), Some("972987654321"));
    assert_eq!(failed.account_ref, "5467539754836534");
    let sent = stored.iter().find(|e| e.status == "sent").expect("a sent status");
    assert_eq!(sent.conversation_id.as_deref(), Some("7270432eae37498234f4444b35ffc5"));
    assert_eq!(sent.conversation_origin.as_deref(), Some("service"));
    assert_eq!(sent.pricing_model.as_deref(), Some("CBP"));
    assert_eq!(sent.pricing_category.as_deref(), Some("service"));
    assert_eq!(sent.billable, Some(true));
    assert_eq!(sent.occurred_at.to_rfc3339(), "2023-10-25T20:49:05+00:00");

    // The read route: the analyst sees them, newest first, paged; anonymous callers do not.
    let (status, _, body) = s.get("/api/v1/webhook-events?limit=2", true).await;
    assert_eq!(status, 200, "{body}");
    let page: WebhookEventPage = serde_json::from_str(&body).unwrap();
    assert_eq!(page.items.len(), 2);
    assert!(page.items[0].id > page.items[1].id);
    assert!(page.next_cursor.is_some());
    let (status, _, body) = s.get("/api/v1/webhook-events", false).await;
    assert_eq!(status, 401, "{body}");
    s.stop().await;
}

/// A realistic Instagram delivery (Meta's documented shapes): a comment, a reply, a
/// mention in a comment and one in a caption, and a story-insights change (not kept).
fn instagram_payload() -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({
        "object": "instagram",
        "entry": [{
            "id": "17841405822304914",
            "time": 1_733_390_400,
            "changes": [
                {"field": "comments", "value": {
                    "from": {"id": "232323232", "username": "cliente.feliz"},
                    "media": {"id": "17999998888877777", "media_product_type": "FEED"},
                    "id": "17865799348089039",
                    "text": "¿Tienen envíos a Monterrey?"
                }},
                {"field": "comments", "value": {
                    "from": {"id": "17841405822304914", "username": "marca"},
                    "media": {"id": "17999998888877777", "media_product_type": "FEED"},
                    "id": "17865799348089040",
                    "parent_id": "17865799348089039",
                    "text": "¡Sí! Te escribimos por DM."
                }},
                {"field": "mentions", "value": {"media_id": "17887498072083520", "comment_id": "17887498072083521"}},
                {"field": "mentions", "value": {"media_id": "17887498072083599"}},
                {"field": "story_insights", "value": {"media_id": "17887498072083520", "reach": 44, "replies": 0}}
            ]
        }]
    }))
    .unwrap()
}

/// Instagram comments and mentions are stored once each, with their fields.
async fn instagram_comments_and_mentions_are_stored_once(engine: Engine) {
    let Some(s) = Served::start(engine, true).await else {
        return;
    };
    let body = instagram_payload();
    let first = s.deliver(&body).await;
    assert_eq!(
        first,
        WebhookReceipt {
            stored: 4,
            duplicates: 0,
            ignored: 1
        }
    );
    let again = s.deliver(&body).await;
    assert_eq!(
        again,
        WebhookReceipt {
            stored: 0,
            duplicates: 4,
            ignored: 1
        }
    );
    let stored = s.stored().await;
    assert_eq!(stored.len(), 4);
    let reply = stored.iter().find(|e| e.object_id == "17865799348089040").unwrap();
    assert_eq!(reply.kind, WebhookEventKind::Comment);
    assert_eq!(reply.parent_id.as_deref(), Some("17865799348089039"));
    assert_eq!(reply.text.as_deref(), Some("¡Sí! Te escribimos por DM."));
    assert_eq!(reply.from_username.as_deref(), Some("marca"));
    assert_eq!(reply.media_id.as_deref(), Some("17999998888877777"));
    assert_eq!(reply.account_ref, "17841405822304914");
    assert_eq!(reply.status, "");
    assert_eq!(reply.occurred_at.timestamp(), 1_733_390_400);
    let mentions: BTreeSet<&str> = stored
        .iter()
        .filter(|e| e.kind == WebhookEventKind::Mention)
        .map(|e| e.object_id.as_str())
        .collect();
    assert_eq!(mentions, BTreeSet::from(["17887498072083521", "17887498072083599"]));
    s.stop().await;
}

/// A delivery without its signature, with another body's or another secret's, or a
/// garbled one, answers 401 problem+json and stores nothing; a signed body that is not
/// Meta's JSON answers 400 and stores nothing.
async fn bad_signatures_and_bodies_store_nothing(engine: Engine) {
    let Some(s) = Served::start(engine, true).await else {
        return;
    };
    let body = instagram_payload();
    let other = br#"{"object":"instagram","entry":[]}"#;
    let hex_only = webhooks::sign(SECRET, &body).trim_start_matches("sha256=").to_string();
    let bad = [
        None,
        Some(webhooks::sign(SECRET, other)),
        Some(webhooks::sign("another-secret", &body)),
        Some("sha256=not-hex".to_string()),
        Some(hex_only),
        Some(String::new()),
    ];
    for signature in &bad {
        let (status, text) = s.post(&body, signature.as_deref()).await;
        assert_eq!(status, 401, "{signature:?}: {text}");
        let problem: alcance_server::Problem = serde_json::from_str(&text).unwrap();
        assert_eq!(problem.kind, "urn:alcance:problem:unauthorized");
    }
    assert!(s.stored().await.is_empty(), "nothing stored after a bad signature");

    for malformed in [
        &b"{\"object\": \"instagram\", \"entry\": [ {"[..],
        b"not json at all",
        b"[1, 2, 3]",
        br#"{"object": "instagram"}"#,
        br#"{"entry": []}"#,
    ] {
        let (status, text) = s.post(malformed, Some(&webhooks::sign(SECRET, malformed))).await;
        assert_eq!(status, 400, "{}: {text}", String::from_utf8_lossy(malformed));
        let problem: alcance_server::Problem = serde_json::from_str(&text).unwrap();
        assert_eq!(problem.kind, "urn:alcance:problem:invalid-parameter");
    }
    // A malformed body with the wrong signature is refused for its signature first.
    let (status, _) = s
        .post(b"not json", Some(&webhooks::sign("another-secret", b"not json")))
        .await;
    assert_eq!(status, 401);
    assert!(s.stored().await.is_empty(), "nothing stored after a malformed body");
    s.stop().await;
}

/// The handshake answers the challenge as plain text to the right verify token only.
async fn the_handshake_needs_the_verify_token(engine: Engine) {
    let Some(s) = Served::start(engine, true).await else {
        return;
    };
    let path = |mode: &str, token: &str| {
        format!("/webhooks/meta?hub.mode={mode}&hub.verify_token={token}&hub.challenge=1158201444")
    };
    let (status, content_type, body) = s.get(&path("subscribe", VERIFY), false).await;
    assert_eq!((status, body.as_str()), (200, "1158201444"));
    assert!(content_type.starts_with("text/plain"), "{content_type}");
    let (status, content_type, body) = s.get(&path("subscribe", "test-verify-tokem"), false).await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(content_type, "application/problem+json");
    assert!(!body.contains("1158201444") && !body.contains(VERIFY), "{body}");
    let (status, _, _) = s.get(&path("subscribe", ""), false).await;
    assert_eq!(status, 403);
    let (status, _, _) = s.get("/webhooks/meta?hub.mode=subscribe&hub.challenge=1", false).await;
    assert_eq!(status, 403, "no token");
    let (status, _, _) = s.get(&path("unsubscribe", VERIFY), false).await;
    assert_eq!(status, 400);
    let (status, _, _) = s
        .get(
            &format!("/webhooks/meta?hub.mode=subscribe&hub.verify_token={VERIFY}"),
            false,
        )
        .await;
    assert_eq!(status, 400, "no challenge");
    s.stop().await;
}

/// Without secrets the webhook routes answer 503 `webhooks-off` and store nothing.
async fn without_secrets_webhooks_are_off(engine: Engine) {
    let Some(s) = Served::start(engine, false).await else {
        return;
    };
    let body = instagram_payload();
    let (status, text) = s.post(&body, Some(&webhooks::sign(SECRET, &body))).await;
    assert_eq!(status, 503, "{text}");
    assert!(text.contains("webhooks-off"), "{text}");
    let (status, _, text) = s
        .get(
            &format!("/webhooks/meta?hub.mode=subscribe&hub.verify_token={VERIFY}&hub.challenge=1"),
            false,
        )
        .await;
    assert_eq!(status, 503, "{text}");
    assert!(s.stored().await.is_empty());
    s.stop().await;
}

both_engines!(
    whatsapp_statuses_are_stored_once,
    instagram_comments_and_mentions_are_stored_once,
    bad_signatures_and_bodies_store_nothing,
    the_handshake_needs_the_verify_token,
    without_secrets_webhooks_are_off,
);
