//! Scheduled delivery of reports by email through a real SMTP server on 127.0.0.1: the
//! sink of `scripts/smtp-sink.sh` (Debian's aiosmtpd, each message a maildir file). A due
//! weekly schedule sends one message with the summary in its body and the PDF and XLSX
//! attached; a second pass sends nothing; a server that is down leaves a failed attempt
//! with its next try, and the retry then sends it; two passes at once send once. The SMTP
//! password goes to the vault, not the database. Skipped without the sink (fails under CI).

use alcance_app::delivery::{self, Cadence, ScheduleRequest, SMTP_PASSWORD_KEY};
use alcance_app::reports::{PdfLanguage, ReportFormat};
use alcance_app::testing::{both_engines, open_workspace, TestWorkspace};
use alcance_app::views::SharedVault;
use alcance_app::WorkspaceOptions;
use alcance_core::{AccountMetric, AccountRef, CollectionBatch, Period, Platform};
use alcance_platforms::vault::{MemoryVault, TokenVault};
use alcance_platforms::Endpoints;
use alcance_store::Engine;
use chrono::{DateTime, Duration, TimeZone, Utc, Weekday};
use secrecy::{ExposeSecret, SecretString};
use std::path::Path;
use std::sync::Arc;

pub(crate) fn utc(d: u32, h: u32, m: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, d, h, m, 0).single().unwrap()
}

/// Monday 30 November 2026, 09:30 in São Paulo: the weekly schedule (Mondays at 09:00)
/// is due for the week of 23 November.
pub(crate) fn monday_morning() -> DateTime<Utc> {
    utc(30, 12, 30)
}

pub(crate) struct Setup {
    pub(crate) ws: TestWorkspace,
    pub(crate) vault: Arc<MemoryVault>,
    _dir: tempfile::TempDir,
}

/// A workspace with one Instagram account and two weeks of daily reach.
async fn setup(engine: Engine) -> Option<Setup> {
    setup_on(engine, Endpoints::real()).await
}

/// [`setup`] talking to `endpoints` (the sandbox's, for Google Sheets).
pub(crate) async fn setup_on(engine: Engine, endpoints: Endpoints) -> Option<Setup> {
    let dir = tempfile::tempdir().unwrap();
    let vault = Arc::new(MemoryVault::new());
    let ws = open_workspace(
        engine,
        dir.path(),
        WorkspaceOptions {
            endpoints,
            vault: Box::new(SharedVault(Arc::clone(&vault) as Arc<dyn TokenVault>)),
        },
    )
    .await?;
    let store = ws.store();
    let account = store
        .upsert_account(
            &AccountRef {
                platform: Platform::Instagram,
                external_id: "17841400000000009".into(),
                username: Some("loja_demo".into()),
                owned: true,
            },
            None,
            None,
        )
        .await
        .unwrap();
    let run = store.start_run("manual", utc(30, 4, 0)).await.unwrap();
    let batch = CollectionBatch {
        account_metrics: (16..30)
            .map(|d| AccountMetric {
                metric: "reach".into(),
                period: Period::Day,
                period_start: utc(d, 0, 0),
                period_end: utc(d, 0, 0) + Duration::days(1),
                value: Some(f64::from(1000 + d * 10)),
            })
            .collect(),
        ..CollectionBatch::default()
    };
    store
        .save_batch(run, account, utc(30, 4, 0), &batch, &[])
        .await
        .unwrap();
    Some(Setup { ws, vault, _dir: dir })
}

pub(crate) fn weekly_to(to: &str) -> ScheduleRequest {
    ScheduleRequest {
        campaign: None,
        cadence: Cadence::Weekly {
            weekday: Weekday::Mon,
            hour: 9,
        },
        time_zone: "America/Sao_Paulo".into(),
        language: PdfLanguage::En,
        recipients: vec![to.to_string()],
        formats: vec![ReportFormat::Pdf, ReportFormat::Xlsx],
        sheets: false,
    }
}

/// A unique recipient per test and engine, so tests sharing the sink count their own.
pub(crate) fn recipient(test: &str, engine: Engine) -> String {
    format!("{test}-{engine:?}-{}@client.example", std::process::id()).to_ascii_lowercase()
}

/// The raw messages to `to` in `maildir`, waiting up to 10 s for `count` of them (then a
/// little longer, so an extra one would be seen).
pub(crate) async fn messages_to(maildir: &Path, to: &str, count: usize) -> Vec<String> {
    let mut found = Vec::new();
    for _ in 0..100 {
        found = std::fs::read_dir(maildir.join("new"))
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|e| std::fs::read_to_string(e.path()).ok())
            .filter(|raw| raw.lines().any(|l| l.eq_ignore_ascii_case(&format!("To: {to}"))))
            .collect();
        if found.len() >= count {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    found
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
    let Some((addr, maildir)) = alcance_app::testing::smtp_sink() else {
        return;
    };
    let Some(s) = setup(engine).await else { return };
    let ws = s.ws.workspace();
    delivery::set_mail(
        ws,
        &format!("smtp://{addr}"),
        "Alcance <reports@agency.example>",
        None,
        utc(1, 0, 0),
    )
    .await
    .unwrap();
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
    delivery::set_mail(
        ws,
        &format!("smtp://127.0.0.1:{closed}"),
        "reports@agency.example",
        None,
        utc(1, 0, 0),
    )
    .await
    .unwrap();
    let to = recipient("retry", engine);
    let schedule = delivery::add_schedule(ws, &weekly_to(&to), utc(29, 0, 0))
        .await
        .unwrap();
    let now = monday_morning();
    let pass = delivery::deliver_due(ws, now).await.unwrap();
    assert!(pass.sent.is_empty());
    assert_eq!(pass.failed.len(), 1);
    let d = ws
        .store()
        .report_deliveries(schedule.row.id, 10)
        .await
        .unwrap()
        .remove(0);
    assert_eq!((d.status.as_str(), d.attempts), ("pending", 1));
    assert_eq!(d.next_attempt_at, Some(now + Duration::minutes(1)));
    assert!(
        d.last_error.as_deref().is_some_and(|e| e.contains("sending the email")),
        "{d:?}"
    );

    // Before the retry time nothing happens; the server comes back; the retry sends.
    let wait = delivery::deliver_due(ws, now + Duration::seconds(30)).await.unwrap();
    assert!(wait.sent.is_empty() && wait.failed.is_empty());
    delivery::set_mail(ws, &format!("smtp://{addr}"), "reports@agency.example", None, now)
        .await
        .unwrap();
    let retry = delivery::deliver_due(ws, now + Duration::minutes(1)).await.unwrap();
    assert_eq!(retry.sent, vec![(schedule.row.id, utc(23, 3, 0))]);
    let d = ws
        .store()
        .report_deliveries(schedule.row.id, 10)
        .await
        .unwrap()
        .remove(0);
    assert_eq!((d.status.as_str(), d.attempts, d.next_attempt_at), ("sent", 2, None));
    assert_eq!(messages_to(&maildir, &to, 1).await.len(), 1);
    s.ws.close().await;
}

async fn two_passes_at_once_send_once(engine: Engine) {
    let Some((addr, maildir)) = alcance_app::testing::smtp_sink() else {
        return;
    };
    let Some(s) = setup(engine).await else { return };
    let ws = s.ws.workspace();
    delivery::set_mail(
        ws,
        &format!("smtp://{addr}"),
        "reports@agency.example",
        None,
        utc(1, 0, 0),
    )
    .await
    .unwrap();
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
