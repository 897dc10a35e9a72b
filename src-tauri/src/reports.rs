//! The Reports screen's commands: the weekly or a campaign report previewed in the window
//! (its HTML page) and saved as one file (PDF, XLSX, HTML or JSON) into
//! `<workspace>/reports/` — thin wrappers over `alcance_app::reports` (the same
//! `weekly_file` / `campaign_file` the CLI's `alcance report … --format` and the server's
//! `/api/v1/reports/weekly` and `/api/v1/campaigns/{id}/report` call, so every door gives
//! the same file). Weeks run Monday–Sunday, UTC; the weekly report's best-time heatmap is
//! drawn in the window's time zone.

use crate::error::{ErrorCode, IpcError, IpcResult};
use crate::state::AppState;
use alcance_app::reports::{self, PdfLanguage, ReportFormat, WeeklyRequest};
use alcance_app::{CampaignId, Workspace};
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use tauri::State;

/// Which report: the weekly one of every account, or one campaign's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ReportRequest {
    /// The weekly report.
    Weekly {
        /// A day of the week to report (`YYYY-MM-DD`, UTC; weeks run Monday–Sunday);
        /// `null` or empty: the last complete week.
        week_of: Option<String>,
        /// IANA time zone of the best-time heatmap (the window's zone); `null` or empty:
        /// `America/Sao_Paulo`.
        time_zone: Option<String>,
    },
    /// A campaign's report.
    Campaign {
        /// The campaign.
        campaign_id: CampaignId,
        /// IANA time zone of the report's times (the window's zone); `null` or empty: UTC.
        #[serde(default)]
        time_zone: Option<String>,
    },
}

/// A report file written by [`save_report`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct SavedReport {
    /// Where it was written: `<workspace>/reports/weekly-<Monday>.<format>` or
    /// `campaign-<id>.<format>` (an older file of the same name is replaced).
    pub path: String,
    /// Its size, bytes.
    pub bytes: u64,
    /// Its format.
    pub format: ReportFormat,
}

/// The report as its self-contained HTML page (inline style and SVG, no script), for the
/// window's preview. Errors: `not_found` (no such campaign), `invalid_input` (a bad day
/// or time zone).
#[tauri::command]
#[specta::specta]
pub async fn report_preview(
    state: State<'_, AppState>,
    request: ReportRequest,
    lang: PdfLanguage,
) -> IpcResult<String> {
    let guard = state.workspace.read().await;
    let open = guard.as_ref().ok_or_else(IpcError::no_workspace)?;
    preview(&open.ws, &request, lang, Utc::now()).await
}

/// Writes the report as one file in `format` (the PDF's words in `lang`) into
/// `<workspace>/reports/`, atomically, and returns where and how big. Errors: as
/// [`report_preview`], `io`.
#[tauri::command]
#[specta::specta]
pub async fn save_report(
    state: State<'_, AppState>,
    request: ReportRequest,
    format: ReportFormat,
    lang: PdfLanguage,
) -> IpcResult<SavedReport> {
    let guard = state.workspace.read().await;
    let open = guard.as_ref().ok_or_else(IpcError::no_workspace)?;
    let dir = open.ws.dir().join("reports");
    save(&open.ws, &request, format, lang, Utc::now(), dir).await
}

/// The file's bytes and its name (`weekly-<Monday>.<format>`, `campaign-<id>.<format>`,
/// as the server names its downloads).
async fn render(
    ws: &Workspace,
    request: &ReportRequest,
    format: ReportFormat,
    lang: PdfLanguage,
    now: DateTime<Utc>,
) -> IpcResult<(Vec<u8>, String)> {
    match request {
        ReportRequest::Weekly { week_of, time_zone } => {
            let request = weekly_request(week_of.as_deref(), time_zone.as_deref(), now)?;
            let (report, bytes) = reports::weekly_file(ws, &request, format, lang).await?;
            let name = format!("weekly-{}.{format}", report.week.start.format("%Y-%m-%d"));
            Ok((bytes, name))
        }
        ReportRequest::Campaign { campaign_id, time_zone } => {
            let zone = zone_of(time_zone.as_deref())?.unwrap_or(Tz::UTC);
            let (_, bytes) = reports::campaign_file(ws, *campaign_id, now, zone, format, lang).await?;
            Ok((bytes, format!("campaign-{campaign_id}.{format}")))
        }
    }
}

async fn preview(ws: &Workspace, request: &ReportRequest, lang: PdfLanguage, now: DateTime<Utc>) -> IpcResult<String> {
    let (bytes, _) = render(ws, request, ReportFormat::Html, lang, now).await?;
    String::from_utf8(bytes)
        .map_err(|e| IpcError::new(ErrorCode::Internal, format!("the HTML report is not UTF-8: {e}")))
}

async fn save(
    ws: &Workspace,
    request: &ReportRequest,
    format: ReportFormat,
    lang: PdfLanguage,
    now: DateTime<Utc>,
    dir: PathBuf,
) -> IpcResult<SavedReport> {
    let (bytes, name) = render(ws, request, format, lang, now).await?;
    tokio::fs::create_dir_all(&dir)
        .await
        .map_err(|e| IpcError::new(ErrorCode::Io, format!("creating {}: {e}", dir.display())))?;
    let path = dir.join(name);
    let size = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
    reports::write_report_file(&path, bytes).await?;
    Ok(SavedReport {
        path: path.display().to_string(),
        bytes: size,
        format,
    })
}

/// The weekly request of the window's inputs; empty strings count as absent.
fn weekly_request(week_of: Option<&str>, time_zone: Option<&str>, now: DateTime<Utc>) -> IpcResult<WeeklyRequest> {
    let mut request = WeeklyRequest::last_week(now);
    if let Some(day) = week_of.map(str::trim).filter(|d| !d.is_empty()) {
        let day = NaiveDate::parse_from_str(day, "%Y-%m-%d")
            .map_err(|_| IpcError::new(ErrorCode::InvalidInput, format!("{day:?} is not a day (YYYY-MM-DD)")))?;
        request.week_of = Some(day);
    }
    if let Some(zone) = zone_of(time_zone)? {
        request.time_zone = zone;
    }
    Ok(request)
}

/// The window's time zone (IANA); `None` when absent or empty. Errors: `invalid_input`.
fn zone_of(time_zone: Option<&str>) -> IpcResult<Option<Tz>> {
    Ok(alcance_app::zone::parse_optional(time_zone).map_err(alcance_app::AppError::from)?)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use alcance_app::store::NewCampaign;
    use chrono::TimeZone;

    async fn workspace(dir: &std::path::Path) -> Workspace {
        let store = alcance_app::Store::open(&dir.join("alcance.db")).await.unwrap();
        alcance_app::testing::workspace_on(dir, store).await.unwrap()
    }

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 6, 12, 0, 0).unwrap()
    }

    #[tokio::test]
    async fn the_weekly_report_is_previewed_as_html_and_saved_as_a_pdf() {
        let dir = tempfile::tempdir().unwrap();
        let ws = workspace(dir.path()).await;
        let weekly = ReportRequest::Weekly {
            week_of: Some("2026-11-25".into()),
            time_zone: Some("Europe/Lisbon".into()),
        };
        let html = preview(&ws, &weekly, PdfLanguage::PtBr, now()).await.unwrap();
        assert!(html.contains("<html") && html.contains("<style"), "{html}");
        assert!(
            !html.contains("<script"),
            "the preview runs in a sandbox without scripts"
        );

        let out = dir.path().join("reports");
        let saved = save(&ws, &weekly, ReportFormat::Pdf, PdfLanguage::PtBr, now(), out.clone())
            .await
            .unwrap();
        // Weeks run Monday–Sunday: 2026-11-25 is a Wednesday of the week from 11-23.
        assert_eq!(PathBuf::from(&saved.path), out.join("weekly-2026-11-23.pdf"));
        let bytes = std::fs::read(&saved.path).unwrap();
        assert!(bytes.starts_with(b"%PDF-"));
        assert_eq!(usize::try_from(saved.bytes).ok(), Some(bytes.len()));
        assert_eq!(saved.format, ReportFormat::Pdf);
    }

    #[tokio::test]
    async fn a_campaign_report_is_saved_in_each_format_and_a_missing_one_is_not_found() {
        let dir = tempfile::tempdir().unwrap();
        let ws = workspace(dir.path()).await;
        let row = reports::create_campaign(
            &ws,
            &NewCampaign {
                name: "Verão".into(),
                starts_on: NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
                ends_on: None,
                budget: Some(1000.0),
                currency: "BRL".into(),
                goal: alcance_app::store::Goal::Awareness,
                notes: None,
            },
        )
        .await
        .unwrap();
        let request = ReportRequest::Campaign {
            campaign_id: CampaignId::from(row.id),
            time_zone: Some("America/Manaus".into()),
        };
        let out = dir.path().join("reports");
        for format in ReportFormat::ALL {
            let saved = save(&ws, &request, format, PdfLanguage::En, now(), out.clone())
                .await
                .unwrap();
            assert_eq!(
                PathBuf::from(&saved.path),
                out.join(format!("campaign-{}.{format}", row.id))
            );
            assert!(saved.bytes > 0, "{format}");
        }
        // The preview says its times in the window's zone.
        let html = preview(&ws, &request, PdfLanguage::En, now()).await.unwrap();
        assert!(html.contains("America/Manaus"), "{html}");
        let bad = ReportRequest::Campaign {
            campaign_id: CampaignId::from(row.id),
            time_zone: Some("Mars/Olympus_Mons".into()),
        };
        let e = preview(&ws, &bad, PdfLanguage::En, now()).await.unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidInput, "{}", e.message);
        let missing = ReportRequest::Campaign {
            campaign_id: CampaignId::from(row.id + 1),
            time_zone: None,
        };
        let e = preview(&ws, &missing, PdfLanguage::En, now()).await.unwrap_err();
        assert_eq!(e.code, ErrorCode::NotFound, "{}", e.message);
    }

    #[test]
    fn bad_days_and_zones_are_invalid_input_and_empty_ones_mean_the_defaults() {
        let e = weekly_request(Some("25/11/2026"), None, now()).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidInput);
        let e = weekly_request(None, Some("Mars/Olympus_Mons"), now()).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidInput);
        assert!(e.message.contains("Mars/Olympus_Mons"));
        let r = weekly_request(Some(" "), Some(""), now()).unwrap();
        assert_eq!(r.week_of, None);
        assert_eq!(
            r.time_zone,
            alcance_app::reports::WeeklyRequest::last_week(now()).time_zone
        );
        let r = weekly_request(Some("2026-11-25"), Some("UTC"), now()).unwrap();
        assert_eq!(r.week_of, NaiveDate::from_ymd_opt(2026, 11, 25));
    }
}
