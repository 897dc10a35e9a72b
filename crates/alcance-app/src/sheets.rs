//! Scheduled reports written to Google Sheets (issue 13 point 5; docs/reports.md
//! "Scheduled delivery"): one Google account per workspace, connected through Google
//! OAuth 2.0 for installed apps (the loopback redirect with PKCE of
//! [`alcance_platforms::oauth`], the YouTube descriptor's Google provider with the scope
//! [`SHEETS_SCOPE`]); the grant (access and refresh token) and the OAuth client are in the
//! workspace's vault under [`SHEETS_TOKENS_KEY`] and [`SHEETS_CLIENT_KEY`], never in the
//! database, a log or an error.
//!
//! A schedule with Sheets gets its own spreadsheet, created on its first delivery
//! (`POST /v4/spreadsheets`) and kept on the schedule (`report_schedules.spreadsheet_id`).
//! Each period is one tab named for it ([`sheet_title`]: `2026-W49` for a week, `2026-11`
//! for a month): added with `spreadsheets.batchUpdate` (`addSheet`), or cleared when a
//! retry finds it, then written with `spreadsheets.values.update`
//! (`valueInputOption=RAW`): numbers as numbers, dates as ISO 8601 text, no formatting.
//!
//! The access token is refreshed when it expires within [`REFRESH_MARGIN`] of the
//! delivery's time, and once more when Google answers 401; a refresh refused with
//! `invalid_grant` (the user removed Alcance's access, or the grant expired) fails the
//! delivery with an error saying to connect again: the delivery's usual retries and
//! [`crate::delivery::MAX_ATTEMPTS`] apply, so a reconnection in between lets a retry
//! succeed and nothing retries for ever.

use crate::error::{AppError, Context, Result};
use crate::reports::PdfLanguage;
use crate::workspace::Workspace;
use alcance_core::Platform;
use alcance_platforms::oauth::{self, BrowserOpener, OAuthApp, RedirectConfig, TokenSet};
use alcance_report::campaign::CampaignReport;
use alcance_report::weekly::{KpiLine, WeeklyReport};
use chrono::{DateTime, Datelike, NaiveDate, SecondsFormat, Utc};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::time::Duration;
use url::Url;

/// The OAuth scope asked for: read and write the user's spreadsheets.
pub const SHEETS_SCOPE: &str = "https://www.googleapis.com/auth/spreadsheets";

/// The vault key of the Google grant for Sheets (a token set, JSON).
pub const SHEETS_TOKENS_KEY: &str = "alcance/google-sheets/tokens";

/// The vault key of the Google OAuth client (`{"client_id","client_secret"}`, JSON).
pub const SHEETS_CLIENT_KEY: &str = "alcance/google-sheets/client";

/// How long before its expiry an access token is refreshed (5 minutes).
pub const REFRESH_MARGIN: chrono::Duration = chrono::Duration::minutes(5);

/// How long one Sheets API call may take before it counts as failed (30 s).
pub const CALL_TIMEOUT: Duration = Duration::from_secs(30);

/// The Google OAuth client (a "Desktop app" client of the user's Google Cloud project with
/// the Sheets API enabled).
#[derive(Serialize, Deserialize)]
struct StoredClient {
    client_id: String,
    #[serde(default)]
    client_secret: Option<String>,
}

/// The connected Google grant, as the UI shows it (no secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SheetsConnection {
    /// The Google OAuth client id.
    pub client_id: String,
    /// The granted scopes, space separated.
    pub scope: Option<String>,
    /// When the current access token expires, UTC (it is refreshed on use).
    pub expires_at: Option<DateTime<Utc>>,
}

fn app(client_id: &str, client_secret: Option<SecretString>) -> OAuthApp {
    OAuthApp {
        platform: Platform::Youtube,
        client_id: client_id.to_string(),
        client_secret,
        scopes: vec![SHEETS_SCOPE.to_string()],
        redirect: RedirectConfig::ephemeral(),
    }
}

/// Connects a Google account for Sheets: opens `browser` on Google's consent page for
/// [`SHEETS_SCOPE`] (loopback redirect on `127.0.0.1`, PKCE S256, `access_type=offline`),
/// waits up to `timeout` for the redirect, exchanges the code and keeps the grant and the
/// client in the vault. Errors: consent denied or timed out, Google refused the code, the
/// grant lacks the Sheets scope, the vault is locked.
pub async fn connect(
    ws: &Workspace,
    client_id: &str,
    client_secret: Option<SecretString>,
    browser: &dyn BrowserOpener,
    timeout: Duration,
) -> Result<SheetsConnection> {
    if client_id.trim().is_empty() {
        return Err(AppError::InvalidInput("a Google OAuth client id is needed".into()));
    }
    let app = app(client_id.trim(), client_secret.clone());
    let provider = alcance_platforms::youtube::provider(ws.endpoints());
    let tokens = oauth::authorize(&app, &provider, browser, timeout)
        .await
        .context("connecting Google Sheets")?;
    if let Some(scope) = &tokens.scope {
        if !scope.split([' ', ',']).any(|s| s == SHEETS_SCOPE) {
            return Err(AppError::InvalidInput(
                "Google did not grant access to spreadsheets: tick it on the consent screen".into(),
            ));
        }
    }
    let client = StoredClient {
        client_id: client_id.trim().to_string(),
        client_secret: client_secret.map(|s| s.expose_secret().to_string()),
    };
    let client_json = serde_json::to_string(&client).map_err(|e| crate::app_err!("saving the client: {e}"))?;
    let vault = ws.token_vault();
    vault
        .put(SHEETS_CLIENT_KEY, &SecretString::from(client_json))
        .context("saving the Google client in the vault")?;
    vault
        .put(SHEETS_TOKENS_KEY, &tokens.to_vault_json())
        .context("saving the Google grant in the vault")?;
    Ok(SheetsConnection {
        client_id: client.client_id,
        scope: tokens.scope,
        expires_at: tokens.expires_at,
    })
}

fn load(ws: &Workspace) -> Result<Option<(StoredClient, TokenSet)>> {
    let vault = ws.token_vault();
    let (Some(client), Some(tokens)) = (
        vault
            .get(SHEETS_CLIENT_KEY)
            .context("reading the Google client from the vault")?,
        vault
            .get(SHEETS_TOKENS_KEY)
            .context("reading the Google grant from the vault")?,
    ) else {
        return Ok(None);
    };
    let client: StoredClient = serde_json::from_str(client.expose_secret())
        .map_err(|_| crate::app_err!("the Google client in the vault is not readable: connect Sheets again"))?;
    let tokens = TokenSet::from_vault_json(&tokens)?;
    Ok(Some((client, tokens)))
}

/// The connected grant, `None` when Sheets is not connected. Errors: the vault.
pub fn connection(ws: &Workspace) -> Result<Option<SheetsConnection>> {
    Ok(load(ws)?.map(|(client, tokens)| SheetsConnection {
        client_id: client.client_id,
        scope: tokens.scope,
        expires_at: tokens.expires_at,
    }))
}

/// Forgets the grant: revokes it at Google (best effort: a grant already revoked is not an
/// error) and removes it and the client from the vault. Errors: the vault.
pub async fn disconnect(ws: &Workspace) -> Result<()> {
    if let Some((_, tokens)) = load(ws)? {
        let token = tokens.refresh_token.as_ref().unwrap_or(&tokens.access_token);
        let http = alcance_platforms::Http::new()?;
        if let Err(e) = alcance_platforms::youtube::revoke(&http, ws.endpoints(), token).await {
            tracing::warn!(error = %e, "revoking the Google Sheets grant failed; forgetting it anyway");
        }
    }
    let vault = ws.token_vault();
    vault.delete(SHEETS_TOKENS_KEY).context("removing the Google grant")?;
    vault.delete(SHEETS_CLIENT_KEY).context("removing the Google client")?;
    Ok(())
}

fn reconnect_hint() -> &'static str {
    "connect Google Sheets again (alcance report sheets connect, or the Reports screen)"
}

/// A fresh access token at `now` (UTC): the stored one, or a refreshed one (saved back)
/// when it expires within [`REFRESH_MARGIN`] or `force`. Errors: not connected; the grant
/// refused (revoked or expired); the vault.
async fn access_token(ws: &Workspace, now: DateTime<Utc>, force: bool) -> Result<SecretString> {
    let Some((client, tokens)) = load(ws)? else {
        return Err(AppError::InvalidInput(format!(
            "Google Sheets is not connected: {}",
            reconnect_hint()
        )));
    };
    if !force && !tokens.expires_within(now, REFRESH_MARGIN) {
        return Ok(tokens.access_token);
    }
    let Some(refresh_token) = tokens.refresh_token.clone() else {
        return Err(AppError::InvalidInput(format!(
            "the Google grant has no refresh token: {}",
            reconnect_hint()
        )));
    };
    let app = app(&client.client_id, client.client_secret.map(SecretString::from));
    let provider = alcance_platforms::youtube::provider(ws.endpoints());
    let mut fresh = oauth::refresh(&app, &provider, &refresh_token).await.map_err(|e| {
        AppError::InvalidInput(format!(
            "Google refused to renew the Sheets access (revoked or expired grant): {}; {e}",
            reconnect_hint()
        ))
    })?;
    if fresh.scope.is_none() {
        fresh.scope = tokens.scope;
    }
    ws.token_vault()
        .put(SHEETS_TOKENS_KEY, &fresh.to_vault_json())
        .context("saving the renewed Google grant")?;
    Ok(fresh.access_token)
}

/// A Sheets API v4 client on a workspace's endpoints and grant.
pub struct SheetsClient<'a> {
    ws: &'a Workspace,
    http: reqwest::Client,
    base: Url,
    now: DateTime<Utc>,
    token: Option<SecretString>,
}

impl<'a> SheetsClient<'a> {
    /// A client for `ws` whose tokens are judged fresh or expired at `now` (UTC).
    /// Errors: the HTTP client cannot be built.
    pub fn new(ws: &'a Workspace, now: DateTime<Utc>) -> Result<SheetsClient<'a>> {
        let http = reqwest::Client::builder()
            .timeout(CALL_TIMEOUT)
            .build()
            .map_err(|e| crate::app_err!("building the HTTP client: {e}"))?;
        Ok(SheetsClient {
            ws,
            http,
            base: ws.endpoints().sheets_api.clone(),
            now,
            token: None,
        })
    }

    fn url(&self, segments: &[&str], suffix: &str) -> Result<Url> {
        let mut url = self.base.clone();
        {
            let mut path = url
                .path_segments_mut()
                .map_err(|_| crate::app_err!("the Sheets API URL {} cannot take a path", self.base))?;
            path.pop_if_empty();
            for s in segments {
                path.push(s);
            }
        }
        if !suffix.is_empty() {
            let p = format!("{}{suffix}", url.path());
            url.set_path(&p);
        }
        Ok(url)
    }

    /// One call: the token (refreshed once more on a 401), the answer's JSON on 2xx, else
    /// an error with Google's message.
    async fn call(&mut self, method: reqwest::Method, url: Url, body: Option<&Value>) -> Result<Value> {
        for retry in [false, true] {
            let token = match (&self.token, retry) {
                (Some(t), false) => t.clone(),
                _ => {
                    let t = access_token(self.ws, self.now, retry).await?;
                    self.token = Some(t.clone());
                    t
                }
            };
            let mut request = self
                .http
                .request(method.clone(), url.clone())
                .bearer_auth(token.expose_secret());
            if let Some(b) = body {
                request = request.json(b);
            }
            let answer = request
                .send()
                .await
                .map_err(|e| crate::app_err!("Google Sheets did not answer ({}): {}", url.path(), e.without_url()))?;
            let status = answer.status();
            let text = answer
                .text()
                .await
                .map_err(|e| crate::app_err!("reading Google Sheets' answer: {}", e.without_url()))?;
            if status == reqwest::StatusCode::UNAUTHORIZED && !retry {
                continue;
            }
            if status.is_success() {
                return serde_json::from_str(&text)
                    .map_err(|e| crate::app_err!("Google Sheets answered {} with unreadable JSON: {e}", url.path()));
            }
            let message = serde_json::from_str::<Value>(&text)
                .ok()
                .and_then(|v| v.pointer("/error/message").and_then(Value::as_str).map(str::to_string))
                .unwrap_or_else(|| text.chars().take(200).collect());
            return Err(crate::app_err!(
                "Google Sheets refused {} {}: HTTP {} {message}",
                method,
                url.path(),
                status.as_u16()
            ));
        }
        Err(crate::app_err!(
            "Google Sheets refused the renewed token: {}",
            reconnect_hint()
        ))
    }

    /// `POST /v4/spreadsheets`: a new spreadsheet titled `title`; returns its id.
    pub async fn create(&mut self, title: &str) -> Result<String> {
        let url = self.url(&["spreadsheets"], "")?;
        let answer = self
            .call(
                reqwest::Method::POST,
                url,
                Some(&json!({"properties": {"title": title}})),
            )
            .await?;
        answer
            .get("spreadsheetId")
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| crate::app_err!("Google Sheets created a spreadsheet without an id"))
    }

    /// `GET /v4/spreadsheets/{id}`: its tabs as (sheetId, title).
    pub async fn sheets(&mut self, id: &str) -> Result<Vec<(i64, String)>> {
        let mut url = self.url(&["spreadsheets", id], "")?;
        url.query_pairs_mut()
            .append_pair("fields", "sheets.properties(sheetId,title)");
        let answer = self.call(reqwest::Method::GET, url, None).await?;
        Ok(answer
            .get("sheets")
            .and_then(Value::as_array)
            .map(|list| {
                list.iter()
                    .filter_map(|s| {
                        let p = s.get("properties")?;
                        Some((p.get("sheetId")?.as_i64()?, p.get("title")?.as_str()?.to_string()))
                    })
                    .collect()
            })
            .unwrap_or_default())
    }

    /// `POST /v4/spreadsheets/{id}:batchUpdate` with `requests`; returns the replies.
    pub async fn batch_update(&mut self, id: &str, requests: Vec<Value>) -> Result<Value> {
        let url = self.url(&["spreadsheets", id], ":batchUpdate")?;
        self.call(reqwest::Method::POST, url, Some(&json!({ "requests": requests })))
            .await
    }

    /// `PUT /v4/spreadsheets/{id}/values/{range}?valueInputOption=RAW` with `rows`.
    pub async fn update_values(&mut self, id: &str, range: &str, rows: &[Vec<Value>]) -> Result<()> {
        let mut url = self.url(&["spreadsheets", id, "values", range], "")?;
        url.query_pairs_mut().append_pair("valueInputOption", "RAW");
        let body = json!({"range": range, "majorDimension": "ROWS", "values": rows});
        self.call(reqwest::Method::PUT, url, Some(&body)).await?;
        Ok(())
    }

    /// `POST /v4/spreadsheets/{id}/values/{range}:clear`.
    pub async fn clear_values(&mut self, id: &str, range: &str) -> Result<()> {
        let url = self.url(&["spreadsheets", id, "values", range], ":clear")?;
        self.call(reqwest::Method::POST, url, Some(&json!({}))).await?;
        Ok(())
    }

    /// `GET /v4/spreadsheets/{id}/values/{range}?valueRenderOption=UNFORMATTED_VALUE`: the
    /// rows as written (numbers as numbers), trailing empty cells left out.
    pub async fn values(&mut self, id: &str, range: &str) -> Result<Vec<Vec<Value>>> {
        let mut url = self.url(&["spreadsheets", id, "values", range], "")?;
        url.query_pairs_mut()
            .append_pair("valueRenderOption", "UNFORMATTED_VALUE")
            .append_pair("dateTimeRenderOption", "FORMATTED_STRING");
        let answer = self.call(reqwest::Method::GET, url, None).await?;
        Ok(answer
            .get("values")
            .and_then(Value::as_array)
            .map(|rows| rows.iter().map(|r| r.as_array().cloned().unwrap_or_default()).collect())
            .unwrap_or_default())
    }
}

/// The A1 range of a whole tab: `'title'` with quotes doubled.
pub fn tab_range(title: &str) -> String {
    format!("'{}'", title.replace('\'', "''"))
}

/// The tab a period is written to: its ISO week (`2026-W49`) for a weekly schedule, its
/// month (`2026-11`) for a monthly one; `first_day` is the period's first local day.
pub fn sheet_title(first_day: NaiveDate, weekly: bool) -> String {
    if weekly {
        let w = first_day.iso_week();
        format!("{}-W{:02}", w.year(), w.week())
    } else {
        format!("{}-{:02}", first_day.year(), first_day.month())
    }
}

/// A spreadsheet's link for people (`https://docs.google.com/spreadsheets/d/{id}/edit`).
pub fn spreadsheet_link(id: &str) -> String {
    format!("https://docs.google.com/spreadsheets/d/{id}/edit")
}

/// Writes `rows` to the tab `title` of the schedule's spreadsheet `spreadsheet` (created
/// first when `None`, titled `new_title`; `created` is told its id before anything else
/// is written, so a failure later does not make a second spreadsheet). An existing tab of
/// that title is cleared first (a retry, or a period sent again by hand); a new one is
/// added. Returns the spreadsheet id.
pub async fn write_tab<F, Fut>(
    ws: &Workspace,
    now: DateTime<Utc>,
    spreadsheet: Option<&str>,
    new_title: &str,
    title: &str,
    rows: &[Vec<Value>],
    created: F,
) -> Result<String>
where
    F: FnOnce(String) -> Fut,
    Fut: std::future::Future<Output = Result<()>>,
{
    let mut client = SheetsClient::new(ws, now)?;
    let id = match spreadsheet {
        Some(id) => id.to_string(),
        None => {
            let id = client.create(new_title).await?;
            created(id.clone()).await?;
            id
        }
    };
    let tabs = client.sheets(&id).await?;
    let range = tab_range(title);
    if tabs.iter().any(|(_, t)| t == title) {
        client.clear_values(&id, &range).await?;
    } else {
        client
            .batch_update(&id, vec![json!({"addSheet": {"properties": {"title": title}}})])
            .await?;
    }
    client.update_values(&id, &format!("{range}!A1"), rows).await?;
    Ok(id)
}

fn num(v: Option<f64>) -> Value {
    v.filter(|v| v.is_finite())
        .and_then(serde_json::Number::from_f64)
        .map_or(Value::Null, Value::Number)
}

fn iso(t: DateTime<Utc>) -> Value {
    Value::String(t.to_rfc3339_opts(SecondsFormat::Secs, true))
}

fn text(s: impl Into<String>) -> Value {
    Value::String(s.into())
}

fn pick(lang: PdfLanguage, en: &'static str, pt: &'static str) -> Value {
    text(match lang {
        PdfLanguage::En => en,
        _ => pt,
    })
}

/// The rows of a weekly report's tab: a title row with the period (ISO dates), the KPIs
/// over all accounts (key, label, unit, this week, last week, change %), the KPIs per
/// account, the top posts (UTC times, ISO 8601) and the recommendations. Numbers are raw
/// (percents as percent values, `null` for no data); labels in `lang`.
pub fn weekly_rows(report: &WeeklyReport, lang: PdfLanguage, first: NaiveDate, last: NaiveDate) -> Vec<Vec<Value>> {
    let mut rows = vec![
        vec![
            pick(lang, "Alcance weekly report", "Relatório semanal do Alcance"),
            text(first.to_string()),
            text(last.to_string()),
            pick(lang, "Figures by UTC day", "Números por dia UTC"),
            iso(report.generated_at),
        ],
        Vec::new(),
        vec![pick(lang, "Summary", "Resumo")],
    ];
    let kpi_header = vec![
        text("KPI"),
        pick(lang, "Label", "Rótulo"),
        pick(lang, "Unit", "Unidade"),
        pick(lang, "This week", "Esta semana"),
        pick(lang, "Last week", "Semana anterior"),
        pick(lang, "Change %", "Variação %"),
    ];
    rows.push(kpi_header.clone());
    // The cells under `kpi_header`, for the summary and for each account's rows.
    let kpi_cells = |k: &KpiLine| {
        vec![
            text(k.key.clone()),
            text(alcance_report::pdf::kpi_label(lang, k)),
            text(k.unit),
            num(k.change.current),
            num(k.change.previous),
            num(k.change.pct_change),
        ]
    };
    for k in &report.summary {
        rows.push(kpi_cells(k));
    }
    rows.push(Vec::new());
    rows.push(vec![pick(lang, "Accounts", "Contas")]);
    let mut header = vec![pick(lang, "Account", "Conta"), pick(lang, "Platform", "Plataforma")];
    header.extend(kpi_header);
    rows.push(header);
    for k in &report.account_kpis {
        let mut row = vec![
            text(k.account.clone().unwrap_or_default()),
            text(k.platform.map(|p| p.as_str().to_string()).unwrap_or_default()),
        ];
        row.extend(kpi_cells(k));
        rows.push(row);
    }
    rows.push(Vec::new());
    rows.push(vec![pick(lang, "Top posts", "Melhores posts")]);
    rows.push(vec![
        text("#"),
        pick(lang, "Account", "Conta"),
        pick(lang, "Platform", "Plataforma"),
        pick(lang, "Post id", "Id do post"),
        pick(lang, "Type", "Tipo"),
        pick(lang, "Published (UTC)", "Publicado (UTC)"),
        pick(lang, "Interactions", "Interações"),
        pick(lang, "Reach", "Alcance"),
        pick(lang, "Impressions", "Impressões"),
        pick(lang, "Engagement by reach %", "Engajamento por alcance %"),
        pick(lang, "Engagement by impressions %", "Engajamento por impressões %"),
        text("URL"),
    ]);
    for p in &report.top_posts {
        rows.push(vec![
            Value::from(p.rank),
            text(p.account.clone()),
            text(p.platform.as_str()),
            text(p.post_id.clone()),
            text(p.content_type.clone()),
            p.published_at.map_or(Value::Null, iso),
            num(Some(p.interactions)),
            num(p.reach),
            num(p.impressions),
            num(p.engagement_rate_by_reach),
            num(p.engagement_rate_by_impressions),
            p.permalink.clone().map_or(Value::Null, text),
        ]);
    }
    rows.push(Vec::new());
    rows.push(vec![pick(lang, "Recommendations", "Recomendações")]);
    for group in &report.recommendations {
        for r in &group.items {
            rows.push(vec![
                text(group.account.clone()),
                text(r.title.clone()),
                text(r.detail.clone()),
            ]);
        }
    }
    rows
}

/// The rows of a campaign report's tab: a title row (campaign, period in ISO dates), the
/// side-by-side figures (one column per account, then the total; raw numbers), and the
/// campaign's posts (UTC times, ISO 8601).
pub fn campaign_rows(report: &CampaignReport, lang: PdfLanguage, first: NaiveDate, last: NaiveDate) -> Vec<Vec<Value>> {
    let mut rows = vec![
        vec![
            pick(lang, "Alcance campaign report", "Relatório de campanha do Alcance"),
            text(report.campaign.name.clone()),
            text(first.to_string()),
            text(last.to_string()),
            iso(report.generated_at),
        ],
        Vec::new(),
    ];
    let cols = report.columns();
    let mut header = vec![pick(lang, "Figure", "Número")];
    header.extend(cols.iter().map(|c| text(c.label.clone())));
    rows.push(header);
    let figure = |key: &str, f: &dyn Fn(&alcance_report::campaign::CampaignKpis) -> Option<f64>| {
        let mut row = vec![text(key)];
        row.extend(cols.iter().map(|c| num(f(&c.kpis))));
        row
    };
    rows.push(figure("posts", &|k| Some(k.posts as f64)));
    rows.push(figure("reach", &|k| k.reach));
    rows.push(figure("impressions", &|k| k.impressions));
    rows.push(figure("views", &|k| k.views));
    rows.push(figure("interactions", &|k| k.interactions));
    rows.push(figure("engagement_rate_by_reach_pct", &|k| k.engagement_rate_by_reach));
    rows.push(figure("engagement_rate_by_impressions_pct", &|k| {
        k.engagement_rate_by_impressions
    }));
    rows.push(figure("link_clicks", &|k| k.link_clicks));
    rows.push(figure("ctr_pct", &|k| k.ctr));
    rows.push(figure("cost", &|k| k.cost));
    rows.push(figure("conversions", &|k| k.conversions));
    rows.push(figure("revenue", &|k| k.revenue));
    rows.push(figure("roi_pct", &|k| k.roi));
    rows.push(Vec::new());
    rows.push(vec![pick(lang, "Posts", "Posts")]);
    rows.push(vec![
        pick(lang, "Account", "Conta"),
        pick(lang, "Post id", "Id do post"),
        pick(lang, "Type", "Tipo"),
        pick(lang, "Published (UTC)", "Publicado (UTC)"),
        pick(lang, "Reach", "Alcance"),
        pick(lang, "Impressions", "Impressões"),
        pick(lang, "Interactions", "Interações"),
    ]);
    for p in &report.posts {
        rows.push(vec![
            text(p.account.clone()),
            text(p.post_id.clone()),
            text(p.content_type.clone()),
            p.published_at.map_or(Value::Null, iso),
            num(p.reach),
            num(p.impressions),
            num(p.interactions),
        ]);
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tabs_are_named_for_the_period() {
        let monday = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap_or_default();
        assert_eq!(sheet_title(monday, true), "2026-W49");
        assert_eq!(sheet_title(monday, false), "2026-11");
        // The ISO week of 29 December 2025 is the first of 2026.
        let d = NaiveDate::from_ymd_opt(2025, 12, 29).unwrap_or_default();
        assert_eq!(sheet_title(d, true), "2026-W01");
        assert_eq!(tab_range("it's"), "'it''s'");
        assert_eq!(num(Some(f64::NAN)), Value::Null);
        assert_eq!(num(Some(2.5)), json!(2.5));
    }
}
