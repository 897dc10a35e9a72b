//! Invitations and password resets by email, through a real SMTP server on 127.0.0.1: the
//! sink of `scripts/smtp-sink.sh` (Debian's aiosmtpd, each message a maildir file). An
//! invitation's email carries the same one-time link the admin is shown; a reset asked
//! for a known email arrives and its link sets the password; an unknown email gets no
//! message and the same 202; an SMTP server that is down leaves the invitation made, says
//! `emailed: false` and audits the failure. Skipped without the sink (fails under CI).
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers panic on setup failures

use alcance_app::mail::{MailConfig, Mailer};
use alcance_app::people::{self, Role};
use alcance_app::Session;
use alcance_server::ApiState;
use serde_json::{json, Value};
use std::path::Path;
use std::time::Duration;

const PUBLIC_URL: &str = "https://alcance.test.example";

/// The body of `raw` (a whole message as the sink stored it), its transfer encoding undone.
fn body_of(raw: &str) -> String {
    let (headers, body) = raw.split_once("\n\n").or_else(|| raw.split_once("\r\n\r\n")).unwrap();
    let encoding = headers.to_ascii_lowercase();
    if encoding.contains("content-transfer-encoding: base64") {
        use base64::Engine as _;
        let compact: String = body.chars().filter(|c| !c.is_whitespace()).collect();
        String::from_utf8(base64::engine::general_purpose::STANDARD.decode(compact).unwrap()).unwrap()
    } else if encoding.contains("content-transfer-encoding: quoted-printable") {
        let joined = body.replace("=\r\n", "").replace("=\n", "");
        let bytes = joined.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'=' && i + 2 < bytes.len() + 1 {
                if let Ok(b) = u8::from_str_radix(std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or(""), 16) {
                    out.push(b);
                    i += 3;
                    continue;
                }
            }
            out.push(bytes[i]);
            i += 1;
        }
        String::from_utf8(out).unwrap()
    } else {
        body.to_string()
    }
}

/// The messages to `to` in `maildir`, decoded, waiting up to 20 s for `count` of them.
async fn messages_to(maildir: &Path, to: &str, count: usize) -> Vec<(String, String)> {
    for _ in 0..200 {
        let mut found = Vec::new();
        for entry in std::fs::read_dir(maildir.join("new")).into_iter().flatten().flatten() {
            let raw = std::fs::read_to_string(entry.path()).unwrap_or_default();
            if raw.lines().any(|l| l.eq_ignore_ascii_case(&format!("To: {to}"))) {
                let subject = raw
                    .lines()
                    .find_map(|l| l.strip_prefix("Subject: "))
                    .unwrap_or("")
                    .to_string();
                found.push((subject, body_of(&raw)));
            }
        }
        if found.len() >= count {
            return found;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Vec::new()
}

/// The one-time token of the set-password link in `body`.
fn link_token(body: &str) -> String {
    let start = body
        .find(&format!("{PUBLIC_URL}/#set-password="))
        .expect("a set-password link");
    body[start..]
        .split_once('=')
        .unwrap()
        .1
        .split_whitespace()
        .next()
        .unwrap()
        .to_string()
}

struct Served {
    base: String,
    http: reqwest::Client,
    admin: String,
    session: Session,
    stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
    _folder: tempfile::TempDir,
}

async fn serve(smtp: &str) -> Served {
    let folder = tempfile::tempdir().unwrap();
    let unused = url::Url::parse("http://127.0.0.1:9/").unwrap();
    let session = Session::demo_at(folder.path(), &unused).await.unwrap();
    let ws = session.workspace();
    people::add_user(ws, None, "admin@example.com", Role::Admin, None)
        .await
        .unwrap();
    let (_, admin) = people::create_api_token(ws, None, "admin@example.com", Role::Admin, "tests")
        .await
        .unwrap();
    let mailer = Mailer::new(&MailConfig {
        url: format!("smtp://{smtp}"),
        password: None,
        from: "Alcance <alcance@test.example>".into(),
        public_url: PUBLIC_URL.into(),
    })
    .unwrap();
    let state = ApiState::from_session(&session).with_mailer(mailer);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(alcance_server::serve(listener, state, async {
        let _ = stopped.await;
    }));
    Served {
        base,
        http: reqwest::Client::builder().no_proxy().build().unwrap(),
        admin,
        session,
        stop,
        task,
        _folder: folder,
    }
}

impl Served {
    async fn post(&self, path: &str, body: Value, admin: bool) -> (u16, Value) {
        let mut request = self.http.post(format!("{}{path}", self.base)).json(&body);
        if admin {
            request = request.bearer_auth(&self.admin);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    async fn stop(self) {
        let _ = self.stop.send(());
        self.task.await.unwrap().unwrap();
    }
}

#[tokio::test]
async fn invitations_and_resets_arrive_by_email() {
    let Some((smtp, maildir)) = alcance_app::testing::smtp_sink() else {
        return;
    };
    let s = serve(&smtp).await;
    // Unique per run: the sink is shared by every test of the run.
    let n = std::process::id();
    let invited = format!("invited-{n}@example.com");
    let stranger = format!("stranger-{n}@example.com");

    let (status, invitation) = s
        .post("/api/v1/users", json!({"email": invited, "role": "client"}), true)
        .await;
    assert_eq!(status, 201, "{invitation}");
    assert_eq!(invitation["emailed"], true);
    let mails = messages_to(&maildir, &invited, 1).await;
    assert_eq!(mails.len(), 1, "the invitation arrives");
    let (subject, body) = &mails[0];
    assert!(subject.contains("Alcance"), "{subject}");
    assert!(body.contains("admin@example.com") && body.contains("client"), "{body}");
    assert_eq!(
        link_token(body),
        invitation["token"].as_str().unwrap(),
        "the emailed link is the one shown"
    );
    let (status, _) = s
        .post(
            "/api/v1/password-reset/confirm",
            json!({"token": link_token(body), "password": "first long password"}),
            false,
        )
        .await;
    assert_eq!(status, 204);

    // An unknown email first, then a known one: same answer, one message.
    let (status, _) = s
        .post("/api/v1/password-reset", json!({"email": stranger}), false)
        .await;
    assert_eq!(status, 202);
    let (status, _) = s
        .post(
            "/api/v1/password-reset",
            json!({"email": invited.to_uppercase()}),
            false,
        )
        .await;
    assert_eq!(status, 202);
    let mails = messages_to(&maildir, &invited, 2).await;
    assert_eq!(mails.len(), 2, "the reset arrives");
    let reset = mails
        .iter()
        .find(|(subject, _)| subject.contains("senha"))
        .expect("the reset email");
    assert!(
        reset.1.contains("60 minutos") && reset.1.contains("60 minutes"),
        "{}",
        reset.1
    );
    let (status, _) = s
        .post(
            "/api/v1/password-reset/confirm",
            json!({"token": link_token(&reset.1), "password": "second long password"}),
            false,
        )
        .await;
    assert_eq!(status, 204);
    let (status, _) = s
        .post(
            "/api/v1/session",
            json!({"email": invited, "password": "second long password"}),
            false,
        )
        .await;
    assert_eq!(status, 200, "the emailed reset set the password");
    // The stranger's request is audited once decided (after the answer): nothing sent.
    let mut details: Vec<(Option<String>, Option<String>)> = Vec::new();
    for _ in 0..100 {
        let log = people::audit_log(s.session.workspace(), 100).await.unwrap();
        details = log
            .iter()
            .filter(|l| l.action == "password-reset-request")
            .map(|l| (l.subject.clone(), l.detail.clone()))
            .collect();
        if details.len() == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        details
            .iter()
            .any(|(s, d)| s.as_deref() == Some(stranger.as_str()) && d.as_deref() == Some("no such user: not sent")),
        "{details:?}"
    );
    assert!(
        messages_to(&maildir, &stranger, 0).await.is_empty(),
        "nothing is sent to an unknown email"
    );
    assert!(
        details.iter().any(|(s, d)| s.as_deref() == Some(invited.as_str())
            && d.as_deref().is_some_and(|d| d.starts_with("emailed through"))),
        "{details:?}"
    );
    s.stop().await;
}

#[tokio::test]
async fn an_smtp_server_that_is_down_leaves_the_invitation_made() {
    // A port nothing listens on (bound, then closed).
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let s = serve(&closed.to_string()).await;
    let (status, invitation) = s
        .post(
            "/api/v1/users",
            json!({"email": "late@example.com", "role": "analyst"}),
            true,
        )
        .await;
    assert_eq!(status, 201, "{invitation}");
    assert_eq!(invitation["emailed"], false);
    assert!(invitation["token"].as_str().is_some_and(|t| !t.is_empty()));
    let log = people::audit_log(s.session.workspace(), 20).await.unwrap();
    assert!(log.iter().any(|l| l.action == "invitation-email" && !l.ok), "{log:?}");
    s.stop().await;
}
