//! The set-up the report delivery tests share (`delivery.rs` by email, `sheets.rs` to
//! Google Sheets): a workspace with two weeks of reach, a weekly schedule request, the
//! SMTP sink of `scripts/smtp-sink.sh` as the workspace's server, the messages it got, and
//! a schedule's latest delivery.

use alcance_app::delivery::{self, Cadence, ReportDeliveryRow, ReportFormats, ScheduleRequest};
use alcance_app::reports::{PdfLanguage, ReportFormat};
use alcance_app::testing::{open_workspace, TestWorkspace};
use alcance_app::views::SharedVault;
use alcance_app::{Workspace, WorkspaceOptions};
use alcance_core::{AccountMetric, AccountRef, CollectionBatch, Period, Platform};
use alcance_platforms::vault::{MemoryVault, TokenVault};
use alcance_platforms::Endpoints;
use alcance_store::Engine;
use chrono::{DateTime, Duration, TimeZone, Utc, Weekday};
use std::path::{Path, PathBuf};
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

/// A workspace with one Instagram account and two weeks of daily reach (16–29 November
/// 2026), talking to `endpoints` (`Endpoints::real()`, or the sandbox's for Google Sheets).
/// `None` when the engine is not available (PostgreSQL without `ALCANCE_TEST_PG_URL`).
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
        formats: ReportFormats::new([ReportFormat::Pdf, ReportFormat::Xlsx]),
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

/// The SMTP sink (address, maildir), made the workspace's SMTP server (no password) as of
/// 1 November; `None` without the sink (the caller skips).
pub(crate) async fn mail_to_sink(ws: &Workspace) -> Option<(String, PathBuf)> {
    let (addr, maildir) = alcance_app::testing::smtp_sink()?;
    use_smtp(ws, &format!("smtp://{addr}"), utc(1, 0, 0)).await;
    Some((addr, maildir))
}

/// Makes `url` the workspace's SMTP server (no password) at `at`.
pub(crate) async fn use_smtp(ws: &Workspace, url: &str, at: DateTime<Utc>) {
    delivery::set_mail(ws, url, "Alcance <reports@agency.example>", None, at)
        .await
        .unwrap();
}

/// Schedule `id`'s latest delivery (it must have one).
pub(crate) async fn latest_delivery(ws: &Workspace, id: i64) -> ReportDeliveryRow {
    ws.store()
        .report_deliveries(id, 1)
        .await
        .unwrap()
        .into_iter()
        .next()
        .expect("a delivery")
}
