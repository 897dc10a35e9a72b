//! Scheduled delivery of reports by email through a real SMTP server on 127.0.0.1: the
//! sink of `scripts/smtp-sink.sh` (Debian's aiosmtpd, each message a maildir file). A due
//! weekly schedule sends one message with the summary in its body and the PDF and XLSX
//! attached; a second pass sends nothing; a server that is down leaves a failed attempt
//! with its next try, and the retry then sends it; two passes at once send once. The SMTP
//! password goes to the vault, not the database. Skipped without the sink (fails under CI).

use crate::delivery_setup::{
    latest_delivery, mail_to_sink, messages_to, monday_morning, recipient, setup_on, use_smtp, utc, weekly_to, Setup,
};
use alcance_app::delivery::{self, SMTP_PASSWORD_KEY};
use alcance_app::testing::both_engines;
use alcance_platforms::vault::TokenVault;
use alcance_platforms::Endpoints;
use alcance_store::Engine;
use chrono::Duration;
use secrecy::{ExposeSecret, SecretString};

async fn setup(engine: Engine) -> Option<Setup> {
    setup_on(engine, Endpoints::real()).await
}

/// The MIME parts of `raw` (not nested boundaries' own lines): each part's headers
/// (lower-case) and body with its transfer encoding undone.
fn parts(raw: &str) -> Vec<(String, Vec<u8>)> {
    use base64::Engine as _;
    let raw = raw.replace("\r\n", "\n");
    let boundaries: Vec<String> = raw
        .lines()
        .filter_map(|l| {
            let i = l.find("boundary=")?;
            Some(l[i + 9..].trim_matches(|c| c == '"' || c == ';').to_string())
        })
        .collect();
    let mut chunks = vec![raw.clone()];
    for b in &boundaries {
        let marker = format!("--{b}");
        chunks = chunks
            .iter()
            .flat_map(|c| c.split(marker.as_str()).map(str::to_string).collect::<Vec<_>>())
            .collect();
    }
    chunks
        .iter()
        .filter_map(|c| {
            let c = c.trim_start_matches('\n');
            let (headers, body) = c.split_once("\n\n")?;
            let headers = headers.to_ascii_lowercase();
            let bytes = if headers.contains("content-transfer-encoding: base64") {
                let compact: String = body.chars().filter(|c| !c.is_whitespace()).collect();
                base64::engine::general_purpose::STANDARD.decode(compact).ok()?
            } else if headers.contains("content-transfer-encoding: quoted-printable") {
                let joined = body.replace("=\n", "");
                let bytes = joined.as_bytes();
                let mut out = Vec::new();
                let mut i = 0;
                while i < bytes.len() {
                    if bytes[i] == b'=' && i + 2 < bytes.len() {
                        if let Some(b) = std::str::from_utf8(&bytes[i + 1..i + 3])
                            .ok()
                            .and_then(|h| u8::from_str_radix(h, 16).ok())
                        {
                            out.push(b);
                            i += 3;
                            continue;
                        }
                    }
                    out.push(bytes[i]);
                    i += 1;
                }
                out
            } else {
                body.as_bytes().to_vec()
            };
            Some((headers, bytes))
        })
        .collect()
}

async fn a_due_weekly_schedule_sends_once_with_the_summary_and_both_files(engine: Engine) {
    let Some(s) = setup(engine).await else { return };
    let ws = s.ws.workspace();
    let Some((_, maildir)) = mail_to_sink(ws).await else {
        return;
    };
    let to = recipient("weekly", engine);
    let schedule = delivery::add_schedule(ws, &weekly_to(&to), utc(29, 0, 0))
        .await
        .unwrap();

    // Sunday evening: not yet due (the send time is Monday 09:00 local).
    let early = delivery::deliver_due(ws, utc(29, 23, 0)).await.unwrap();
    assert!(early.sent.is_empty() && early.failed.is_empty(), "{early:?}");

    let now = monday_morning();
    let pass = delivery::deliver_due(ws, now).await.unwrap();
    assert!(pass.failed.is_empty(), "{:?}", pass.failed);
    assert_eq!(pass.sent, vec![(schedule.row.id, utc(23, 3, 0))]);
    let again = delivery::deliver_due(ws, now + Duration::minutes(5)).await.unwrap();
    assert!(again.sent.is_empty() && again.failed.is_empty(), "{again:?}");
    let (claimed, _) = delivery::deliver_now(ws, schedule.row.id, now + Duration::hours(1))
        .await
        .unwrap();
    assert!(!claimed, "deliver-now must not send the same period again");

    let messages = messages_to(&maildir, &to, 1).await;
    assert_eq!(messages.len(), 1, "exactly one message");
    let raw = &messages[0];
    assert!(
        raw.contains("Subject: Alcance weekly report, 2026-11-23 to 2026-11-29"),
        "{raw:.600}"
    );
    let parts = parts(raw);
    let html = parts
        .iter()
        .find(|(h, _)| h.contains("content-type: text/html"))
        .map(|(_, b)| String::from_utf8_lossy(b).to_string())
        .expect("an HTML part");
    assert!(html.contains("Reach (sum of daily reach)"), "{html}");
    // 23–29 Nov: 1230 + … + 1290 = 8,820; the week before 8,330; +5.9%.
    assert!(
        html.contains("8,820") && html.contains("8,330") && html.contains("+5.9%"),
        "{html}"
    );
    let text = parts
        .iter()
        .find(|(h, _)| h.contains("content-type: text/plain"))
        .map(|(_, b)| String::from_utf8_lossy(b).to_string())
        .expect("a plain-text part");
    assert!(text.contains("Reach (sum of daily reach): 8,820"), "{text}");
    let pdf = parts
        .iter()
        .find(|(h, _)| h.contains("filename=\"alcance-weekly-2026-11-23.pdf\""))
        .expect("the PDF");
    assert!(pdf.1.starts_with(b"%PDF-"));
    let xlsx = parts
        .iter()
        .find(|(h, _)| h.contains("filename=\"alcance-weekly-2026-11-23.xlsx\""))
        .expect("the XLSX");
    assert!(xlsx.1.starts_with(b"PK"));

    let row = ws.store().report_deliveries(schedule.row.id, 10).await.unwrap();
    assert_eq!(row.len(), 1);
    assert_eq!((row[0].status.as_str(), row[0].attempts), ("sent", 1));
    assert!(raw.contains(row[0].message_id.as_deref().unwrap()));
    s.ws.close().await;
}

async fn a_server_that_is_down_is_retried_with_backoff(engine: Engine) {
    let Some((addr, maildir)) = alcance_app::testing::smtp_sink() else {
        return;
    };
    let Some(s) = setup(engine).await else { return };
    let ws = s.ws.workspace();
    // A port nobody listens on.
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    use_smtp(ws, &format!("smtp://127.0.0.1:{closed}"), utc(1, 0, 0)).await;
    let to = recipient("retry", engine);
    let schedule = delivery::add_schedule(ws, &weekly_to(&to), utc(29, 0, 0))
        .await
        .unwrap();
    let now = monday_morning();
    let pass = delivery::deliver_due(ws, now).await.unwrap();
    assert!(pass.sent.is_empty());
    assert_eq!(pass.failed.len(), 1);
    let d = latest_delivery(ws, schedule.row.id).await;
    assert_eq!((d.status.as_str(), d.attempts), ("pending", 1));
    assert_eq!(d.next_attempt_at, Some(now + Duration::minutes(1)));
    assert!(
        d.last_error.as_deref().is_some_and(|e| e.contains("sending the email")),
        "{d:?}"
    );

    // Before the retry time nothing happens; the server comes back; the retry sends.
    let wait = delivery::deliver_due(ws, now + Duration::seconds(30)).await.unwrap();
    assert!(wait.sent.is_empty() && wait.failed.is_empty());
    use_smtp(ws, &format!("smtp://{addr}"), now).await;
    let retry = delivery::deliver_due(ws, now + Duration::minutes(1)).await.unwrap();
    assert_eq!(retry.sent, vec![(schedule.row.id, utc(23, 3, 0))]);
    let d = latest_delivery(ws, schedule.row.id).await;
    assert_eq!((d.status.as_str(), d.attempts, d.next_attempt_at), ("sent", 2, None));
    assert_eq!(messages_to(&maildir, &to, 1).await.len(), 1);
    s.ws.close().await;
}

async fn two_passes_at_once_send_once(engine: Engine) {
    let Some(s) = setup(engine).await else { return };
    let ws = s.ws.workspace();
    let Some((_, maildir)) = mail_to_sink(ws).await else {
        return;
    };
    let to = recipient("race", engine);
    delivery::add_schedule(ws, &weekly_to(&to), utc(29, 0, 0))
        .await
        .unwrap();
    let now = monday_morning();
    let (a, b) = tokio::join!(delivery::deliver_due(ws, now), delivery::deliver_due(ws, now));
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.sent.len() + b.sent.len(), 1, "{a:?} {b:?}");
    assert_eq!(messages_to(&maildir, &to, 1).await.len(), 1);
    s.ws.close().await;
}

both_engines!(
    a_due_weekly_schedule_sends_once_with_the_summary_and_both_files,
    a_server_that_is_down_is_retried_with_backoff,
);
both_engines!(multi_thread: two_passes_at_once_send_once);

#[tokio::test]
async fn the_smtp_password_goes_to_the_vault_not_the_database() {
    let Some(s) = setup(Engine::Sqlite).await else { return };
    let ws = s.ws.workspace();
    let password = SecretString::from("s3cret-smtp-pw".to_string());
    delivery::set_mail(
        ws,
        "smtp://bot@127.0.0.1:2525",
        "reports@agency.example",
        Some(&password),
        utc(1, 0, 0),
    )
    .await
    .unwrap();
    let stored = ws.store().mail_settings().await.unwrap().unwrap();
    assert_eq!(stored.smtp_url, "smtp://bot@127.0.0.1:2525");
    assert_eq!(
        s.vault
            .get(SMTP_PASSWORD_KEY)
            .unwrap()
            .map(|p| p.expose_secret().to_string()),
        Some("s3cret-smtp-pw".to_string())
    );
    // A URL carrying a password is refused and changes nothing.
    let e = delivery::set_mail(
        ws,
        "smtp://bot:pw@127.0.0.1:2525",
        "reports@agency.example",
        None,
        utc(2, 0, 0),
    )
    .await
    .unwrap_err();
    assert!(e.message().contains("ALCANCE_SMTP_PASSWORD"), "{}", e.message());
    assert_eq!(ws.store().mail_settings().await.unwrap().unwrap(), stored);
    // Bad schedules are refused before anything is stored.
    let mut bad = weekly_to("not an address");
    assert!(delivery::add_schedule(ws, &bad, utc(2, 0, 0)).await.is_err());
    bad = weekly_to("a@b.example");
    bad.time_zone = "Mars/Olympus".into();
    assert!(delivery::add_schedule(ws, &bad, utc(2, 0, 0)).await.is_err());
    assert!(ws.store().report_schedules().await.unwrap().is_empty());
    s.ws.close().await;
}
