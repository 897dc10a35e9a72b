//! Scheduled delivery to Google Sheets against the seeded sandbox (its Google OAuth and
//! Sheets API v4 on 127.0.0.1): connecting through the loopback flow with PKCE keeps the
//! grant in the vault only; a due weekly schedule creates its spreadsheet and writes the
//! period's tab (read back through `values.get`, numbers as numbers); a second pass writes
//! nothing; a Sheets fault is retried with backoff; an expired access token is refreshed;
//! a revoked grant is recorded with a clear error and given up after the last attempt.
//! With the SMTP sink (skipped without it, as the delivery tests), a retry after a Sheets
//! failure does not send the email twice.

use crate::delivery_setup::{
    latest_delivery, mail_to_sink, messages_to, monday_morning, recipient, setup_on, utc, weekly_to, Setup,
};
use alcance_app::delivery::{self, MAX_ATTEMPTS};
use alcance_app::sheets::{self, SheetsClient, SHEETS_TOKENS_KEY};
use alcance_app::testing::both_engines;
use alcance_platforms::oauth::{HeadlessBrowser, TokenSet};
use alcance_platforms::vault::TokenVault;
use alcance_platforms::Endpoints;
use alcance_sandbox::{Sandbox, SandboxConfig};
use alcance_store::Engine;
use chrono::{DateTime, Duration, Utc};
use secrecy::{ExposeSecret, SecretString};
use serde_json::{json, Value};
use std::time::Duration as StdDuration;

async fn sheets_setup(engine: Engine) -> Option<(Sandbox, Setup)> {
    let sandbox = Sandbox::start(SandboxConfig::seeded(7)).await.expect("sandbox");
    let s = setup_on(engine, Endpoints::sandbox(&sandbox.base_url())).await?;
    let connection = sheets::connect(
        s.ws.workspace(),
        "alcance-test-google",
        Some(SecretString::from("test-client-secret".to_string())),
        &HeadlessBrowser::new(),
        StdDuration::from_secs(20),
    )
    .await
    .unwrap();
    assert!(connection
        .scope
        .as_deref()
        .is_some_and(|s| s.contains(sheets::SHEETS_SCOPE)));
    Some((sandbox, s))
}

fn only_sheets() -> delivery::ScheduleRequest {
    delivery::ScheduleRequest {
        recipients: Vec::new(),
        sheets: true,
        ..weekly_to("unused@agency.example")
    }
}

async fn control(sandbox: &Sandbox, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
    let url = sandbox.base_url().join(path).unwrap();
    let mut request = reqwest::Client::new().request(method, url);
    if let Some(b) = body {
        request = request.json(&b);
    }
    let answer = request.send().await.unwrap();
    assert!(answer.status().is_success(), "{path}: {}", answer.status());
    answer.json().await.unwrap()
}

async fn read_tab(ws: &alcance_app::Workspace, id: &str, tab: &str, now: DateTime<Utc>) -> Vec<Vec<Value>> {
    SheetsClient::new(ws, now)
        .unwrap()
        .values(id, &sheets::tab_range(tab))
        .await
        .unwrap()
}

fn stored_tokens(s: &Setup) -> TokenSet {
    TokenSet::from_vault_json(&s.vault.get(SHEETS_TOKENS_KEY).unwrap().expect("grant in the vault")).unwrap()
}

async fn a_due_schedule_writes_its_period_to_a_new_spreadsheet_once(engine: Engine) {
    let Some((sandbox, s)) = sheets_setup(engine).await else {
        return;
    };
    let ws = s.ws.workspace();
    // The grant is in the vault, never in the database.
    let access = stored_tokens(&s).access_token.expose_secret().to_string();
    assert!(access.starts_with("sbx_"));
    let schedule = delivery::add_schedule(ws, &only_sheets(), utc(29, 0, 0)).await.unwrap();
    let now = monday_morning();
    let pass = delivery::deliver_due(ws, now).await.unwrap();
    assert_eq!(pass.sent, vec![(schedule.row.id, utc(23, 3, 0))], "{pass:?}");
    let row = ws.store().report_schedule(schedule.row.id).await.unwrap();
    let id = row.spreadsheet_id.clone().expect("spreadsheet kept on the schedule");
    let d = latest_delivery(ws, row.id).await;
    assert_eq!(
        (d.status.as_str(), d.attempts, d.sheet_title.as_deref(), d.mailed_at),
        ("sent", 1, Some("2026-W48"), None)
    );

    // What the window's card shows: the link, the last delivery, the next send.
    let views = delivery::schedule_views(ws, now).await.unwrap();
    assert_eq!(views[0].spreadsheet_url, Some(sheets::spreadsheet_link(&id)));
    assert_eq!(views[0].last_delivery.as_ref().map(|d| d.status.as_str()), Some("sent"));
    assert_eq!(
        views[0].next_send_at,
        Some(now - Duration::minutes(30) + Duration::days(7))
    );

    let rows = read_tab(ws, &id, "2026-W48", now).await;
    assert_eq!(rows[0][0], json!("Alcance weekly report"));
    assert_eq!((&rows[0][1], &rows[0][2]), (&json!("2026-11-23"), &json!("2026-11-29")));
    // The summary's reach line: raw numbers (the week of 23 November against the one before).
    let reach = rows
        .iter()
        .find(|r| r.first() == Some(&json!("reach")))
        .expect("a reach KPI row");
    assert!(reach[3].is_number() && reach[4].is_number(), "{reach:?}");
    assert!(reach[3].as_f64().unwrap() > reach[4].as_f64().unwrap(), "{reach:?}");

    // Nothing more for the same period: no new claim, no second write, one spreadsheet.
    let again = delivery::deliver_due(ws, now + Duration::hours(1)).await.unwrap();
    assert!(again.sent.is_empty() && again.failed.is_empty(), "{again:?}");
    let (claimed, _) = delivery::deliver_now(ws, row.id, now).await.unwrap();
    assert!(!claimed);
    let book = control(&sandbox, reqwest::Method::GET, "__alcance/sheets", None).await;
    assert_eq!(book["spreadsheets"].as_array().map(Vec::len), Some(1), "{book}");
    assert_eq!(book["spreadsheets"][0]["sheets"], json!(["Sheet1", "2026-W48"]));

    // Secrets: the database holds no token.
    let dump = serde_json::to_string(&ws.store().report_deliveries(row.id, 5).await.unwrap()).unwrap();
    assert!(!dump.contains(&access));
    s.ws.close().await;
    sandbox.shutdown().await;
}

async fn a_sheets_fault_is_retried_with_backoff(engine: Engine) {
    let Some((sandbox, s)) = sheets_setup(engine).await else {
        return;
    };
    let ws = s.ws.workspace();
    control(
        &sandbox,
        reqwest::Method::POST,
        "__alcance/faults",
        Some(json!({"path_prefix": "/sheets/v4/", "kind": "status_500", "times": 1})),
    )
    .await;
    let schedule = delivery::add_schedule(ws, &only_sheets(), utc(29, 0, 0)).await.unwrap();
    let now = monday_morning();
    let pass = delivery::deliver_due(ws, now).await.unwrap();
    assert_eq!(pass.failed.len(), 1, "{pass:?}");
    let d = latest_delivery(ws, schedule.row.id).await;
    assert_eq!((d.status.as_str(), d.attempts), ("pending", 1));
    assert_eq!(d.next_attempt_at, Some(now + Duration::minutes(1)));
    assert!(
        d.last_error
            .as_deref()
            .is_some_and(|e| e.contains("Google Sheets") && e.contains("500")),
        "{d:?}"
    );
    let retry = delivery::deliver_due(ws, now + Duration::minutes(1)).await.unwrap();
    assert_eq!(retry.sent.len(), 1, "{retry:?}");
    let row = ws.store().report_schedule(schedule.row.id).await.unwrap();
    let rows = read_tab(ws, row.spreadsheet_id.as_deref().unwrap(), "2026-W48", now).await;
    assert_eq!(rows[0][0], json!("Alcance weekly report"));
    s.ws.close().await;
    sandbox.shutdown().await;
}

async fn an_expired_access_token_is_refreshed(engine: Engine) {
    let Some((sandbox, s)) = sheets_setup(engine).await else {
        return;
    };
    let ws = s.ws.workspace();
    let before = stored_tokens(&s);
    let schedule = delivery::add_schedule(ws, &only_sheets(), utc(29, 0, 0)).await.unwrap();
    // Two hours after the token's expiry (Google's access tokens live one hour).
    let later = before.expires_at.unwrap() + Duration::hours(2);
    let (claimed, pass) = delivery::deliver_now(ws, schedule.row.id, later).await.unwrap();
    assert!(claimed);
    assert_eq!(pass.sent.len(), 1, "{pass:?}");
    let after = stored_tokens(&s);
    assert_ne!(after.access_token.expose_secret(), before.access_token.expose_secret());
    // Google does not rotate refresh tokens: the old one is kept.
    assert_eq!(
        after.refresh_token.as_ref().map(|t| t.expose_secret().to_string()),
        before.refresh_token.as_ref().map(|t| t.expose_secret().to_string())
    );
    s.ws.close().await;
    sandbox.shutdown().await;
}

async fn a_revoked_grant_is_recorded_and_given_up(engine: Engine) {
    let Some((sandbox, s)) = sheets_setup(engine).await else {
        return;
    };
    let ws = s.ws.workspace();
    let refresh = stored_tokens(&s).refresh_token.unwrap().expose_secret().to_string();
    control(
        &sandbox,
        reqwest::Method::POST,
        "__alcance/google/revoke-all",
        Some(json!({})),
    )
    .await;
    let schedule = delivery::add_schedule(ws, &only_sheets(), utc(29, 0, 0)).await.unwrap();
    let mut now = monday_morning();
    let mut passes = 0;
    loop {
        let pass = delivery::deliver_due(ws, now).await.unwrap();
        assert!(pass.sent.is_empty());
        passes += 1;
        let d = latest_delivery(ws, schedule.row.id).await;
        let error = d.last_error.clone().unwrap_or_default();
        assert!(error.contains("connect Google Sheets again"), "{error}");
        assert!(!error.contains(&refresh), "the error shows the refresh token");
        match d.next_attempt_at {
            Some(next) if d.status == alcance_store::delivery::DeliveryStatus::Pending => now = next,
            _ => {
                assert_eq!((d.status.as_str(), d.attempts), ("failed", MAX_ATTEMPTS));
                break;
            }
        }
        assert!(passes <= MAX_ATTEMPTS, "still retrying after {passes} passes");
    }
    assert_eq!(passes, MAX_ATTEMPTS);
    s.ws.close().await;
    sandbox.shutdown().await;
}

/// Email and Sheets: Sheets fails once after the email went out; the retry writes the
/// sheet and sends no second email.
async fn a_retry_after_a_sheets_failure_does_not_mail_twice(engine: Engine) {
    if alcance_app::testing::smtp_sink().is_none() {
        return;
    }
    let Some((sandbox, s)) = sheets_setup(engine).await else {
        return;
    };
    let ws = s.ws.workspace();
    let Some((_, maildir)) = mail_to_sink(ws).await else {
        return;
    };
    let to = recipient("sheets-retry", engine);
    let request = delivery::ScheduleRequest {
        sheets: true,
        ..weekly_to(&to)
    };
    let schedule = delivery::add_schedule(ws, &request, utc(29, 0, 0)).await.unwrap();
    control(
        &sandbox,
        reqwest::Method::POST,
        "__alcance/faults",
        Some(json!({"path_prefix": "/sheets/v4/", "kind": "status_500", "times": 1})),
    )
    .await;
    let now = monday_morning();
    let first = delivery::deliver_due(ws, now).await.unwrap();
    assert_eq!(first.failed.len(), 1, "{first:?}");
    let d = latest_delivery(ws, schedule.row.id).await;
    assert_eq!((d.status.as_str(), d.mailed_at), ("pending", Some(now)));
    let retry = delivery::deliver_due(ws, now + Duration::minutes(1)).await.unwrap();
    assert_eq!(retry.sent.len(), 1, "{retry:?}");
    let d = latest_delivery(ws, schedule.row.id).await;
    assert_eq!(
        (d.status.as_str(), d.sheet_title.as_deref()),
        ("sent", Some("2026-W48"))
    );
    assert_eq!(messages_to(&maildir, &to, 1).await.len(), 1);
    // Give a second message time to land if one were sent.
    tokio::time::sleep(StdDuration::from_millis(300)).await;
    assert_eq!(messages_to(&maildir, &to, 1).await.len(), 1);
    s.ws.close().await;
    sandbox.shutdown().await;
}

both_engines!(
    a_due_schedule_writes_its_period_to_a_new_spreadsheet_once,
    a_sheets_fault_is_retried_with_backoff,
    an_expired_access_token_is_refreshed,
    a_revoked_grant_is_recorded_and_given_up,
    a_retry_after_a_sheets_failure_does_not_mail_twice,
);

#[tokio::test]
async fn a_schedule_needs_a_destination() {
    let Some(s) = setup_on(Engine::Sqlite, Endpoints::real()).await else {
        return;
    };
    let request = delivery::ScheduleRequest {
        recipients: Vec::new(),
        ..weekly_to("unused@agency.example")
    };
    let error = delivery::add_schedule(s.ws.workspace(), &request, utc(29, 0, 0))
        .await
        .unwrap_err();
    assert!(error.to_string().contains("Google Sheets"), "{error}");
    // Sheets without a connection: the delivery fails with what to do.
    let schedule = delivery::add_schedule(s.ws.workspace(), &only_sheets(), utc(29, 0, 0))
        .await
        .unwrap();
    let pass = delivery::deliver_due(s.ws.workspace(), monday_morning()).await.unwrap();
    assert_eq!(pass.failed.len(), 1);
    assert!(pass.failed[0].2.contains("not connected"), "{:?}", pass.failed);
    assert_eq!(pass.failed[0].0, schedule.row.id);
    s.ws.close().await;
}
