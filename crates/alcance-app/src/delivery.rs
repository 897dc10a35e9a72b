//! Scheduled delivery of reports by email (issue 13 point 5; docs/reports.md "Scheduled
//! delivery"): a schedule per workspace (the weekly report) or per campaign, weekly on a
//! weekday and hour or monthly on a day and hour in the schedule's IANA time zone, sends
//! the report to its recipients with an HTML body (the summary KPIs and the
//! recommendations, in English or Portuguese, with a plain-text alternative) and the PDF
//! and / or XLSX attached.
//!
//! - **Which period** ([`due_period`]): once the schedule's weekday and hour (or day and
//!   hour) has passed in its zone, the last complete local week (Monday 00:00 to Monday
//!   00:00) or month before it is due. Local midnights and send times are converted to UTC
//!   with chrono-tz, so daylight-saving changes move them with the clock; a local time
//!   skipped by a change is taken at the first hour that exists after it. Only the latest
//!   period is due: a worker that was off for three weeks sends last week's report, not
//!   three. A period whose send time came before the schedule was added is not sent.
//! - **Once per period**: the worker that inserts the period's `report_deliveries` row
//!   sends it; the table's key (schedule, period start) refuses a second row, across
//!   processes and machines ([`alcance_store::delivery`]).
//! - **Retries** ([`retry_at`]): a failed attempt is retried 1 min, 5 min, 30 min, 2 h,
//!   then 6 h later; after [`MAX_ATTEMPTS`] attempts the delivery is `failed` and stays so
//!   (the CLI and `alcance report schedule list` show it with its error). An attempt whose
//!   worker died is taken again after [`ATTEMPT_TIMEOUT`]; if that worker had already
//!   handed the message to the SMTP server, that one message goes out twice (the only
//!   case; the message ids match, so mail clients can tell).
//! - **SMTP**: the workspace's server is a URL without password in the store
//!   (`mail_settings`, [`set_mail`]); the password is in the workspace's vault under
//!   [`SMTP_PASSWORD_KEY`], never in the database, a log or an error.
//!
//! - **Google Sheets** ([`crate::sheets`], schema version 15): a schedule with `sheets`
//!   also (or, without recipients, only) writes the period to a tab of its spreadsheet.
//!   The email goes first and is recorded (`mailed_at`) as soon as the SMTP server takes
//!   it, so a retry after a Sheets failure does not send it again.
//!
//! The report's figures are by UTC day (`alcance-report` counts weeks Monday–Sunday UTC):
//! the weekly report of a delivery is the UTC week of the local period's Monday.

use crate::error::{AppError, Context, Result};
use crate::mail::{Attachment, HtmlEmail, MailConfig, Mailer};
use crate::reports::{self, PdfLanguage, ReportFormat, WeeklyRequest};
use crate::workspace::Workspace;
use alcance_core::analytics::best_time::Tz;
use alcance_core::CampaignId;
use alcance_report::weekly::{KpiLine, WeeklyReport};
use alcance_store::delivery::DeliveryOutcome;
pub use alcance_store::delivery::{
    Recipients, ReportCadence, ReportDeliveryRow, ReportFormats, ReportKind, ReportScheduleRow, ReportScheduleSettings,
};
use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc, Weekday};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};

/// The vault key of the workspace's SMTP password.
pub const SMTP_PASSWORD_KEY: &str = "alcance/smtp/password";

/// Attempts before a delivery is given up (`failed`): the first and five retries.
pub const MAX_ATTEMPTS: i64 = 6;

/// Waits after the 1st, 2nd, … failed attempt, minutes (the last repeats).
pub const RETRY_DELAYS_MINUTES: [i64; 5] = [1, 5, 30, 120, 360];

/// How long an attempt may run before another worker may take it again (its worker is
/// taken for dead), minutes.
pub const ATTEMPT_TIMEOUT_MINUTES: i64 = 15;

/// [`ATTEMPT_TIMEOUT_MINUTES`] as a duration.
pub const ATTEMPT_TIMEOUT: Duration = Duration::minutes(ATTEMPT_TIMEOUT_MINUTES);

/// When a schedule sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cadence {
    /// Every week on `weekday` at `hour` (0–23, local).
    Weekly {
        /// The day it is sent.
        weekday: Weekday,
        /// The local hour, 0–23.
        hour: u32,
    },
    /// Every month on `day` (1–28) at `hour` (0–23, local).
    Monthly {
        /// The day of the month, 1–28.
        day: u32,
        /// The local hour, 0–23.
        hour: u32,
    },
}

impl Cadence {
    /// The stored key: weekly or monthly.
    pub fn kind(&self) -> ReportCadence {
        match self {
            Cadence::Weekly { .. } => ReportCadence::Weekly,
            Cadence::Monthly { .. } => ReportCadence::Monthly,
        }
    }

    /// The local hour it sends, 0–23.
    pub fn hour(&self) -> u32 {
        match self {
            Cadence::Weekly { hour, .. } | Cadence::Monthly { hour, .. } => *hour,
        }
    }
}

/// A period a schedule reports on, and when it is sent (all UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    /// Local midnight starting the week or month, UTC.
    pub start: DateTime<Utc>,
    /// Local midnight ending it (exclusive), UTC.
    pub end: DateTime<Utc>,
    /// The send time (weekday / day and hour in the zone) it became due at, UTC.
    pub send_at: DateTime<Utc>,
    /// The local date of `start` (a Monday, or the 1st of a month).
    pub first_day: NaiveDate,
}

/// `hour:00` of `date` in `tz`, UTC. A local time that does not exist (skipped by a
/// daylight-saving change) is moved to the first hour after it that does; of two (the
/// hour repeated when clocks go back), the earlier.
pub fn local_time(tz: Tz, date: NaiveDate, hour: u32) -> DateTime<Utc> {
    let base = date.and_time(chrono::NaiveTime::MIN) + Duration::hours(i64::from(hour.min(23)));
    for step in 0..4 {
        let naive = base + Duration::hours(step);
        if let Some(t) = tz.from_local_datetime(&naive).earliest() {
            return t.with_timezone(&Utc);
        }
    }
    // No zone skips four hours; read the wall time as UTC rather than fail.
    base.and_utc()
}

fn first_of_month(date: NaiveDate) -> NaiveDate {
    date.with_day(1).unwrap_or(date)
}

fn previous_month(first: NaiveDate) -> NaiveDate {
    first_of_month(first - Duration::days(1))
}

/// The latest send time of `cadence` in `tz` at or before `now`, as (local date, UTC time).
pub fn last_send(cadence: Cadence, tz: Tz, now: DateTime<Utc>) -> (NaiveDate, DateTime<Utc>) {
    let today = now.with_timezone(&tz).date_naive();
    match cadence {
        Cadence::Weekly { weekday, hour } => {
            let back = (7 + today.weekday().num_days_from_monday() - weekday.num_days_from_monday()) % 7;
            let mut date = today - Duration::days(i64::from(back));
            let mut at = local_time(tz, date, hour);
            if at > now {
                date -= Duration::days(7);
                at = local_time(tz, date, hour);
            }
            (date, at)
        }
        Cadence::Monthly { day, hour } => {
            let day = day.clamp(1, 28);
            let mut date = today.with_day(day).unwrap_or(today);
            let mut at = local_time(tz, date, hour);
            if at > now {
                date = previous_month(first_of_month(date)).with_day(day).unwrap_or(date);
                at = local_time(tz, date, hour);
            }
            (date, at)
        }
    }
}

/// The period a send on local date `sent_on` reports: the last complete local week
/// (Monday to Monday) or month before that date.
pub fn period_for(cadence: Cadence, tz: Tz, sent_on: NaiveDate, send_at: DateTime<Utc>) -> Period {
    let (first, next) = match cadence {
        Cadence::Weekly { .. } => {
            let monday = sent_on - Duration::days(i64::from(sent_on.weekday().num_days_from_monday()));
            (monday - Duration::days(7), monday)
        }
        Cadence::Monthly { .. } => {
            let this = first_of_month(sent_on);
            (previous_month(this), this)
        }
    };
    Period {
        start: local_time(tz, first, 0),
        end: local_time(tz, next, 0),
        send_at,
        first_day: first,
    }
}

/// The period of `cadence` in `tz` due at `now`, unless its send time came before
/// `created_at` (UTC). See the module doc.
pub fn due_period(cadence: Cadence, tz: Tz, created_at: DateTime<Utc>, now: DateTime<Utc>) -> Option<Period> {
    let (date, at) = last_send(cadence, tz, now);
    (at >= created_at).then(|| period_for(cadence, tz, date, at))
}

/// When a delivery that has failed `attempts` times (≥ 1), the last at `failed_at` (UTC),
/// is tried again; `None` once [`MAX_ATTEMPTS`] attempts were made.
pub fn retry_at(attempts: i64, failed_at: DateTime<Utc>) -> Option<DateTime<Utc>> {
    if attempts >= MAX_ATTEMPTS {
        return None;
    }
    let i = usize::try_from(attempts.max(1) - 1).unwrap_or(0);
    let minutes = RETRY_DELAYS_MINUTES
        .get(i)
        .or(RETRY_DELAYS_MINUTES.last())
        .copied()
        .unwrap_or(1);
    Some(failed_at + Duration::minutes(minutes))
}

/// A stored schedule with its time checked: the row (whose settings carry the typed kind,
/// language and attachments) and what its weekday / day, hour and zone read as.
#[derive(Debug, Clone, PartialEq)]
pub struct Schedule {
    /// The stored row.
    pub row: ReportScheduleRow,
    /// Its cadence with its weekday or day and hour.
    pub cadence: Cadence,
    /// Its time zone.
    pub time_zone: Tz,
}

fn weekday_from(n: i64) -> Option<Weekday> {
    Some(match n {
        0 => Weekday::Mon,
        1 => Weekday::Tue,
        2 => Weekday::Wed,
        3 => Weekday::Thu,
        4 => Weekday::Fri,
        5 => Weekday::Sat,
        6 => Weekday::Sun,
        _ => return None,
    })
}

/// Parses `pdf`, `xlsx` or `pdf,xlsx` (order kept, duplicates dropped) as a schedule's
/// attachments. Errors (invalid input): another format, or none.
pub fn parse_formats(text: &str) -> Result<ReportFormats> {
    let formats: ReportFormats = text.parse().map_err(|_| {
        AppError::InvalidInput(format!("report attachment formats {text:?}: use pdf, xlsx or pdf,xlsx"))
    })?;
    check_formats(&formats)?;
    Ok(formats)
}

/// Errors (invalid input) unless the formats are PDF and / or XLSX, at least one.
fn check_formats(formats: &ReportFormats) -> Result<()> {
    if formats.is_empty()
        || formats
            .iter()
            .any(|f| !matches!(f, ReportFormat::Pdf | ReportFormat::Xlsx))
    {
        return Err(AppError::InvalidInput("attach pdf and / or xlsx".into()));
    }
    Ok(())
}

impl Schedule {
    /// Checks a stored row. Errors (invalid input): an unknown zone, an hour outside 0–23,
    /// a cadence without its weekday / day.
    pub fn parse(row: ReportScheduleRow) -> Result<Schedule> {
        let s = &row.settings;
        let hour = u32::try_from(s.hour)
            .ok()
            .filter(|h| *h < 24)
            .ok_or_else(|| AppError::InvalidInput(format!("hour {}: expected 0–23", s.hour)))?;
        let cadence = match (s.cadence, s.weekday, s.day_of_month) {
            (ReportCadence::Weekly, Some(d), _) => Cadence::Weekly {
                weekday: weekday_from(d)
                    .ok_or_else(|| AppError::InvalidInput(format!("weekday {d}: expected 0 (Monday) to 6")))?,
                hour,
            },
            (ReportCadence::Monthly, _, Some(d)) if (1..=28).contains(&d) => Cadence::Monthly {
                day: u32::try_from(d).unwrap_or(1),
                hour,
            },
            (c, _, _) => {
                return Err(AppError::InvalidInput(format!(
                    "cadence {c}: expected weekly with a weekday or monthly with a day 1–28"
                )))
            }
        };
        let time_zone = zone(&s.time_zone)?;
        Ok(Schedule {
            row,
            cadence,
            time_zone,
        })
    }

    /// The language of the email, the PDF and the Sheets tab.
    pub fn language(&self) -> PdfLanguage {
        self.row.settings.language
    }

    /// The attached files.
    pub fn formats(&self) -> &ReportFormats {
        &self.row.settings.formats
    }

    /// The period due at `now` (see [`due_period`]); `None` while paused.
    pub fn due(&self, now: DateTime<Utc>) -> Option<Period> {
        if !self.row.enabled {
            return None;
        }
        due_period(self.cadence, self.time_zone, self.row.created_at, now)
    }

    /// The period starting at `start` (UTC) of this schedule (for a retry).
    fn period_at(&self, delivery: &ReportDeliveryRow) -> Period {
        Period {
            start: delivery.period_start,
            end: delivery.period_end,
            send_at: delivery.created_at,
            first_day: delivery.period_start.with_timezone(&self.time_zone).date_naive(),
        }
    }
}

fn zone(name: &str) -> Result<Tz> {
    name.trim()
        .parse()
        .map_err(|_| AppError::InvalidInput(format!("unknown time zone {name:?} (IANA, e.g. America/Sao_Paulo)")))
}

/// What `alcance report schedule add` asks for.
#[derive(Debug, Clone)]
pub struct ScheduleRequest {
    /// `None`: the weekly report of every account; `Some`: that campaign's report.
    pub campaign: Option<CampaignId>,
    /// When it sends.
    pub cadence: Cadence,
    /// IANA zone of the weekday, day and hour.
    pub time_zone: String,
    /// Email and PDF language.
    pub language: PdfLanguage,
    /// Addresses (at least one, unless `sheets`).
    pub recipients: Vec<String>,
    /// Attached files: PDF and / or XLSX.
    pub formats: ReportFormats,
    /// Also (or, without recipients, only) write each period to a Google Sheets
    /// spreadsheet ([`crate::sheets`]; connect Google first).
    pub sheets: bool,
}

/// A schedule to add as the window's card and the REST API (`POST
/// /api/v1/report-schedules`) send it: the weekday or the day of the month says the
/// cadence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScheduleInput {
    /// A campaign's report (`campaigns.id`) instead of the weekly report.
    #[serde(default)]
    pub campaign_id: Option<i64>,
    /// Weekly: 0 = Monday … 6 = Sunday. Exactly one of `weekday` and `day_of_month`.
    #[serde(default)]
    pub weekday: Option<u32>,
    /// Monthly: 1–28 (reports the month before).
    #[serde(default)]
    pub day_of_month: Option<u32>,
    /// The local hour, 0–23, in `time_zone`.
    pub hour: u32,
    /// IANA zone (`America/Sao_Paulo`).
    pub time_zone: String,
    /// The email's and the PDF's language.
    pub language: PdfLanguage,
    /// Email addresses; may be empty with `sheets`. Blank entries are dropped.
    #[serde(default)]
    pub recipients: Vec<String>,
    /// Attachments: `pdf` and / or `xlsx`.
    pub formats: ReportFormats,
    /// Also write each period to Google Sheets.
    #[serde(default)]
    pub sheets: bool,
}

impl ScheduleInput {
    /// The request it makes. Errors (invalid input): both or neither of weekday and day,
    /// a weekday outside 0–6.
    pub fn request(self) -> Result<ScheduleRequest> {
        let cadence = match (self.weekday, self.day_of_month) {
            (Some(d), None) => Cadence::Weekly {
                weekday: weekday_from(i64::from(d))
                    .ok_or_else(|| AppError::InvalidInput(format!("weekday {d}: expected 0 (Monday) to 6")))?,
                hour: self.hour,
            },
            (None, Some(day)) => Cadence::Monthly { day, hour: self.hour },
            _ => {
                return Err(AppError::InvalidInput(
                    "give a weekday (weekly) or a day of the month (monthly), not both".into(),
                ))
            }
        };
        Ok(ScheduleRequest {
            campaign: self.campaign_id.map(CampaignId::from),
            cadence,
            time_zone: self.time_zone,
            language: self.language,
            recipients: self
                .recipients
                .into_iter()
                .map(|r| r.trim().to_string())
                .filter(|r| !r.is_empty())
                .collect(),
            // Order kept, duplicates dropped (a JSON array may repeat one).
            formats: self.formats.iter().copied().collect(),
            sheets: self.sheets,
        })
    }
}

/// Adds a schedule at `now` (UTC). Errors (invalid input): an unknown zone, an address
/// that is not one, no recipient, a format other than PDF / XLSX, a day outside 1–28, an
/// hour outside 0–23; an unknown campaign.
pub async fn add_schedule(ws: &Workspace, request: &ScheduleRequest, now: DateTime<Utc>) -> Result<Schedule> {
    if request.recipients.is_empty() && !request.sheets {
        return Err(AppError::InvalidInput(
            "a schedule needs at least one recipient, or Google Sheets".into(),
        ));
    }
    for r in &request.recipients {
        r.trim()
            .parse::<lettre::message::Mailbox>()
            .map_err(|e| AppError::InvalidInput(format!("{r:?} is not an email address: {e}")))?;
    }
    check_formats(&request.formats)?;
    if let Some(id) = request.campaign {
        ws.store()
            .campaign(id.get())
            .await
            .with_context(|| format!("campaign {}", id.get()))?;
    }
    let (weekday, day) = match request.cadence {
        Cadence::Weekly { weekday, .. } => (Some(i64::from(weekday.num_days_from_monday())), None),
        Cadence::Monthly { day, .. } => (None, Some(i64::from(day))),
    };
    let hour = request.cadence.hour();
    if hour > 23 || day.is_some_and(|d| !(1..=28).contains(&d)) {
        return Err(AppError::InvalidInput(
            "the hour is 0–23 and the day of the month 1–28".into(),
        ));
    }
    // Check the zone before storing it.
    zone(&request.time_zone)?;
    let settings = ReportScheduleSettings {
        kind: if request.campaign.is_some() {
            ReportKind::CampaignReport
        } else {
            ReportKind::WeeklyReport
        },
        campaign_id: request.campaign.map(|c| c.get()),
        cadence: request.cadence.kind(),
        weekday,
        day_of_month: day,
        hour: i64::from(hour),
        time_zone: request.time_zone.trim().to_string(),
        language: request.language,
        recipients: request.recipients.iter().map(|r| r.trim().to_string()).collect(),
        formats: request.formats.clone(),
        sheets: request.sheets,
    };
    let stored = ws.store().add_report_schedule(&settings, now).await?;
    Schedule::parse(stored)
}

/// Pauses (`false`) or resumes (`true`) schedule `id`. Errors: not found.
pub async fn set_schedule_enabled(ws: &Workspace, id: i64, enabled: bool) -> Result<()> {
    ws.store().set_report_schedule_enabled(id, enabled).await?;
    Ok(())
}

/// Removes schedule `id` and its delivery history. Errors: not found.
pub async fn remove_schedule(ws: &Workspace, id: i64) -> Result<()> {
    ws.store().remove_report_schedule(id).await?;
    Ok(())
}

/// Schedule `id`'s deliveries, newest period first, at most `limit`. Errors: not found
/// (an unknown schedule), the store.
pub async fn schedule_deliveries(ws: &Workspace, id: i64, limit: u32) -> Result<Vec<ReportDeliveryRow>> {
    ws.store().report_schedule(id).await?;
    Ok(ws.store().report_deliveries(id, limit).await?)
}

/// Sets the workspace's SMTP server: `url` without password (see [`crate::mail`]), the
/// sender, and the password into the vault under [`SMTP_PASSWORD_KEY`] (`None` removes
/// it: the server takes no login). Errors: a bad URL or sender (invalid input, nothing is
/// changed); the vault or the store cannot be written.
pub async fn set_mail(
    ws: &Workspace,
    url: &str,
    from: &str,
    password: Option<&SecretString>,
    now: DateTime<Utc>,
) -> Result<()> {
    Mailer::new(&mail_config(url, from, password.cloned()))?;
    match password {
        Some(p) => ws
            .token_vault()
            .put(SMTP_PASSWORD_KEY, p)
            .context("saving the SMTP password in the vault")?,
        None => ws
            .token_vault()
            .delete(SMTP_PASSWORD_KEY)
            .context("removing the SMTP password from the vault")?,
    }
    ws.store().set_mail_settings(url.trim(), from.trim(), now).await?;
    Ok(())
}

fn mail_config(url: &str, from: &str, password: Option<SecretString>) -> MailConfig {
    use secrecy::ExposeSecret;
    MailConfig {
        url: url.to_string(),
        password: password.map(|p| p.expose_secret().to_string()),
        from: from.to_string(),
        // Report emails carry no links; the mailer wants an address all the same.
        public_url: "http://localhost/".into(),
    }
}

/// The mailer of the workspace's SMTP settings. Errors: none set (invalid input, with
/// the command that sets them), the vault unreadable, a bad stored URL.
pub async fn workspace_mailer(ws: &Workspace) -> Result<Mailer> {
    let Some(settings) = ws.store().mail_settings().await? else {
        return Err(AppError::InvalidInput(
            "no SMTP server is set: alcance report mail set --url smtp://user@host:587?tls=required --from ADDRESS"
                .into(),
        ));
    };
    let password = ws
        .token_vault()
        .get(SMTP_PASSWORD_KEY)
        .context("reading the SMTP password from the vault")?;
    Mailer::new(&mail_config(&settings.smtp_url, &settings.sender, password))
}

/// The next send time of `cadence` in `tz` strictly after `now`, UTC.
pub fn next_send(cadence: Cadence, tz: Tz, now: DateTime<Utc>) -> DateTime<Utc> {
    let (date, _) = last_send(cadence, tz, now);
    match cadence {
        Cadence::Weekly { hour, .. } => local_time(tz, date + Duration::days(7), hour),
        Cadence::Monthly { day, hour } => {
            let next = first_of_month(first_of_month(date) + Duration::days(32));
            local_time(tz, next.with_day(day.clamp(1, 28)).unwrap_or(next), hour)
        }
    }
}

/// One schedule as the "Scheduled delivery" card (the window's and the web UI's) and
/// `GET /api/v1/report-schedules` show it: the stored row (serialized flat) with what is
/// computed from it — its spreadsheet's link, its latest delivery and its next send.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScheduleView {
    /// The stored schedule: id, settings, `enabled`, `spreadsheet_id`, `created_at`.
    #[serde(flatten)]
    pub schedule: ReportScheduleRow,
    /// The spreadsheet's link, once the first delivery created it.
    pub spreadsheet_url: Option<String>,
    /// The latest period's delivery (status, attempts, last error, next attempt).
    pub last_delivery: Option<ReportDeliveryRow>,
    /// The next send time, UTC; `None` while paused.
    pub next_send_at: Option<DateTime<Utc>>,
}

/// `row` as a [`ScheduleView`] at `now` (UTC). Errors: the store.
async fn view_of(ws: &Workspace, row: ReportScheduleRow, now: DateTime<Utc>) -> Result<ScheduleView> {
    let last_delivery = ws.store().report_deliveries(row.id, 1).await?.into_iter().next();
    let next_send_at = match Schedule::parse(row.clone()) {
        Ok(s) if row.enabled => Some(next_send(s.cadence, s.time_zone, now)),
        _ => None,
    };
    Ok(ScheduleView {
        spreadsheet_url: row.spreadsheet_id.as_deref().map(crate::sheets::spreadsheet_link),
        schedule: row,
        last_delivery,
        next_send_at,
    })
}

/// Every schedule as [`ScheduleView`]s at `now` (UTC), by id. Errors: the store.
pub async fn schedule_views(ws: &Workspace, now: DateTime<Utc>) -> Result<Vec<ScheduleView>> {
    let mut out = Vec::new();
    for row in ws.store().report_schedules().await? {
        out.push(view_of(ws, row, now).await?);
    }
    Ok(out)
}

/// Schedule `id` as a [`ScheduleView`] at `now` (UTC). Errors: not found, the store.
pub async fn schedule_view(ws: &Workspace, id: i64, now: DateTime<Utc>) -> Result<ScheduleView> {
    let row = ws.store().report_schedule(id).await?;
    view_of(ws, row, now).await
}

/// What one delivery pass did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeliveryPass {
    /// (schedule id, period start UTC) of each message sent.
    pub sent: Vec<(i64, DateTime<Utc>)>,
    /// (schedule id, period start UTC, error) of each failed attempt.
    pub failed: Vec<(i64, DateTime<Utc>, String)>,
}

/// One pass, as the scheduler runs it about once a minute: for each enabled schedule, the
/// period due at `now` (UTC) is claimed and sent unless another pass already claimed it;
/// then failed deliveries whose retry time has come are tried again. Errors: the store
/// (a failed send is recorded, not returned).
pub async fn deliver_due(ws: &Workspace, now: DateTime<Utc>) -> Result<DeliveryPass> {
    let mut pass = DeliveryPass::default();
    let store = ws.store();
    let mut schedules = Vec::new();
    for row in store.report_schedules().await? {
        let id = row.id;
        match Schedule::parse(row) {
            Ok(s) => schedules.push(s),
            Err(e) => tracing::warn!(schedule = id, error = %e, "report schedule skipped"),
        }
    }
    for schedule in &schedules {
        let Some(period) = schedule.due(now) else { continue };
        if store
            .claim_report_delivery(schedule.row.id, (period.start, period.end), now, now + ATTEMPT_TIMEOUT)
            .await?
        {
            attempt(ws, schedule, &period, 1, false, now, &mut pass).await?;
        }
    }
    for delivery in store.due_report_retries(now).await? {
        let Some(schedule) = schedules.iter().find(|s| s.row.id == delivery.schedule_id) else {
            continue;
        };
        if !schedule.row.enabled {
            continue;
        }
        if store.take_delivery_retry(&delivery, now, now + ATTEMPT_TIMEOUT).await? {
            let period = schedule.period_at(&delivery);
            let mailed = delivery.mailed_at.is_some();
            attempt(ws, schedule, &period, delivery.attempts + 1, mailed, now, &mut pass).await?;
        }
    }
    Ok(pass)
}

/// Sends schedule `id`'s due period now (`alcance report deliver-now`), with the same
/// once-per-period rule: returns `false` when that period was already claimed (sent, being
/// sent or waiting for a retry). Errors: an unknown schedule, nothing due yet, the store.
pub async fn deliver_now(ws: &Workspace, id: i64, now: DateTime<Utc>) -> Result<(bool, DeliveryPass)> {
    let schedule = Schedule::parse(ws.store().report_schedule(id).await?)?;
    let (date, at) = last_send(schedule.cadence, schedule.time_zone, now);
    let period = period_for(schedule.cadence, schedule.time_zone, date, at);
    let mut pass = DeliveryPass::default();
    if !ws
        .store()
        .claim_report_delivery(id, (period.start, period.end), now, now + ATTEMPT_TIMEOUT)
        .await?
    {
        return Ok((false, pass));
    }
    attempt(ws, &schedule, &period, 1, false, now, &mut pass).await?;
    Ok((true, pass))
}

/// What "Send now" did (the window's card, `POST /api/v1/report-schedules/{id}/send`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SendNowResult {
    /// `false`: the period was already claimed (sent, being sent or waiting for a retry)
    /// and nothing was done.
    pub claimed: bool,
    /// The attempt's error, secrets redacted (it is retried with backoff); `null` when it
    /// went out.
    pub error: Option<String>,
}

/// [`deliver_now`] as the card and the REST API answer it. Errors: an unknown schedule,
/// the store (a failed send is in the answer, not an error).
pub async fn send_now(ws: &Workspace, id: i64, now: DateTime<Utc>) -> Result<SendNowResult> {
    let (claimed, pass) = deliver_now(ws, id, now).await?;
    Ok(SendNowResult {
        claimed,
        error: pass.failed.into_iter().next().map(|(_, _, e)| e),
    })
}

/// One attempt of a claimed delivery: builds, sends, records.
async fn attempt(
    ws: &Workspace,
    schedule: &Schedule,
    period: &Period,
    number: i64,
    mailed: bool,
    now: DateTime<Utc>,
    pass: &mut DeliveryPass,
) -> Result<()> {
    let id = schedule.row.id;
    let outcome = match send(ws, schedule, period, number, mailed, now).await {
        Ok(message_id) => {
            tracing::info!(schedule = id, period = %period.start, "report delivered");
            pass.sent.push((id, period.start));
            DeliveryOutcome::Sent { at: now, message_id }
        }
        Err(e) => {
            let error = e.message();
            tracing::warn!(schedule = id, period = %period.start, attempt = number, error = %error, "report delivery failed");
            pass.failed.push((id, period.start, error.clone()));
            DeliveryOutcome::Failed {
                error,
                retry_at: retry_at(number, now),
            }
        }
    };
    ws.store().finish_delivery_attempt(id, period.start, &outcome).await?;
    Ok(())
}

/// The report of one period, built once for every destination.
enum Built {
    Weekly(Box<WeeklyReport>),
    Campaign(Box<alcance_report::campaign::CampaignReport>),
}

/// Builds the period's report and hands it to each destination not yet done: the email
/// (unless `mailed`: recorded with its `Message-ID` as soon as the SMTP server takes it),
/// then the Google Sheets tab. Returns the Message-ID of an email sent by this attempt.
async fn send(
    ws: &Workspace,
    schedule: &Schedule,
    period: &Period,
    number: i64,
    mailed: bool,
    now: DateTime<Utc>,
) -> Result<Option<String>> {
    let lang = schedule.language();
    let id = schedule.row.id;
    let mail = !schedule.row.settings.recipients.is_empty() && !mailed;
    // Fail early (before building anything) when the email cannot go out.
    let mailer = if mail { Some(workspace_mailer(ws).await?) } else { None };
    let built = match schedule.row.settings.campaign_id {
        None => {
            let request = WeeklyRequest {
                week_of: Some(period.first_day),
                time_zone: schedule.time_zone,
                now,
                options: Default::default(),
            };
            Built::Weekly(Box::new(reports::weekly_report(ws, &request).await?))
        }
        Some(campaign) => Built::Campaign(Box::new(
            reports::campaign_report(ws, CampaignId::from(campaign), period.end.min(now))
                .await?
                .in_time_zone(schedule.time_zone),
        )),
    };
    let mut message_id = None;
    if let Some(mailer) = mailer {
        let formats = schedule.formats().to_vec();
        let (built_back, email, stem) = match built {
            Built::Weekly(report) => {
                let (report, files) = render_files(report, formats, lang, |r, f, l| {
                    alcance_report::weekly::weekly_file(r, f, l)
                })
                .await
                .context("rendering the weekly report")?;
                let stem = format!("alcance-weekly-{}", period.first_day);
                let mut email = weekly_email(&report, lang, period, schedule.time_zone);
                email.attachments = attachments(&stem, files)?;
                (Built::Weekly(report), email, stem)
            }
            Built::Campaign(report) => {
                let (report, files) = render_files(report, formats, lang, |r, f, l| {
                    alcance_report::campaign::campaign_file(r, f, l)
                })
                .await
                .context("rendering the campaign report")?;
                let stem = format!("alcance-campaign-{}-{}", report.campaign.id, period.first_day);
                let mut email = campaign_email(&report, lang, period, schedule.time_zone);
                email.attachments = attachments(&stem, files)?;
                (Built::Campaign(report), email, stem)
            }
        };
        let mid = format!("<{stem}.s{id}.a{number}@alcance.local>");
        mailer
            .send_html(&schedule.row.settings.recipients, &mid, &email)
            .await?;
        ws.store().record_delivery_mailed(id, period.start, now, &mid).await?;
        message_id = Some(mid);
        if schedule.row.settings.sheets {
            write_sheet(ws, schedule, period, &built_back, now).await?;
        }
    } else if schedule.row.settings.sheets {
        write_sheet(ws, schedule, period, &built, now).await?;
    }
    Ok(message_id)
}

/// Writes the period's tab of the schedule's spreadsheet (created on the first delivery
/// and kept on the schedule) and records the tab on the delivery.
async fn write_sheet(
    ws: &Workspace,
    schedule: &Schedule,
    period: &Period,
    built: &Built,
    now: DateTime<Utc>,
) -> Result<()> {
    let lang = schedule.language();
    let (first, last) = local_range(period, schedule.time_zone);
    let weekly = matches!(schedule.cadence, Cadence::Weekly { .. });
    let tab = crate::sheets::sheet_title(first, weekly);
    let (rows, new_title) = match built {
        Built::Weekly(report) => (
            crate::sheets::weekly_rows(report, lang, first, last),
            pick(lang, "Alcance weekly report", "Relatório semanal do Alcance").to_string(),
        ),
        Built::Campaign(report) => (
            crate::sheets::campaign_rows(report, lang, first, last),
            format!("Alcance: {}", report.campaign.name),
        ),
    };
    let id = schedule.row.id;
    let store = ws.store();
    crate::sheets::write_tab(
        ws,
        now,
        schedule.row.spreadsheet_id.as_deref(),
        &new_title,
        &tab,
        &rows,
        |sheet| async move {
            store.set_report_schedule_spreadsheet(id, Some(&sheet)).await?;
            Ok::<(), AppError>(())
        },
    )
    .await
    .context("writing the report to Google Sheets")?;
    store.record_delivery_sheet(id, period.start, &tab).await?;
    Ok(())
}

/// Renders `report` in each of `formats` with `file` on the blocking pool (PDF and XLSX
/// are CPU work), giving the report back with one result per format, in order.
async fn render_files<R: Send + 'static>(
    report: R,
    formats: Vec<ReportFormat>,
    lang: PdfLanguage,
    file: fn(&R, ReportFormat, PdfLanguage) -> std::result::Result<Vec<u8>, alcance_report::ReportError>,
) -> std::result::Result<
    (
        R,
        Vec<(ReportFormat, std::result::Result<Vec<u8>, alcance_report::ReportError>)>,
    ),
    tokio::task::JoinError,
> {
    tokio::task::spawn_blocking(move || {
        let files = formats.iter().map(|&f| (f, file(&report, f, lang))).collect();
        (report, files)
    })
    .await
}

fn attachments<E: std::fmt::Display>(
    stem: &str,
    files: Vec<(ReportFormat, std::result::Result<Vec<u8>, E>)>,
) -> Result<Vec<Attachment>> {
    files
        .into_iter()
        .map(|(f, bytes)| {
            let bytes = bytes.map_err(|e| AppError::Other(anyhow::anyhow!("rendering the {f} file: {e}")))?;
            Ok(Attachment {
                filename: format!("{stem}.{}", f.key()),
                content_type: f.mime().to_string(),
                bytes,
            })
        })
        .collect()
}

/// Escapes text for HTML.
fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// `12,345.5` (English) or `12.345,5` (Portuguese); one decimal for percents, none for
/// counts; `–` for no data.
fn number(v: Option<f64>, unit: &str, lang: PdfLanguage) -> String {
    let Some(v) = v.filter(|v| v.is_finite()) else {
        return "–".into();
    };
    let decimals = if unit == "percent" { 1 } else { 0 };
    let text = format!("{:.*}", decimals, v.abs());
    let (int, frac) = text.split_once('.').unwrap_or((text.as_str(), ""));
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let mut out = if v < 0.0 && text.chars().any(|c| c.is_ascii_digit() && c != '0') {
        format!("-{grouped}")
    } else {
        grouped
    };
    if !frac.is_empty() {
        out.push('.');
        out.push_str(frac);
    }
    if unit == "percent" {
        out.push('%');
    }
    match lang {
        PdfLanguage::En => out,
        _ => out
            .chars()
            .map(|c| match c {
                ',' => '.',
                '.' => ',',
                c => c,
            })
            .collect(),
    }
}

fn pick(lang: PdfLanguage, en: &'static str, pt: &'static str) -> &'static str {
    lang.pick(en, pt)
}

fn local_range(period: &Period, tz: Tz) -> (NaiveDate, NaiveDate) {
    let last = (period.end - Duration::seconds(1)).with_timezone(&tz).date_naive();
    (period.first_day, last)
}

fn kpi_row(line: &KpiLine, lang: PdfLanguage) -> [String; 4] {
    let c = &line.change;
    let pct = c.pct_change.map_or_else(
        || "–".to_string(),
        |p| {
            let sign = if p > 0.0 { "+" } else { "" };
            format!("{sign}{}", number(Some(p), "percent", lang))
        },
    );
    [
        alcance_report::pdf::kpi_label(lang, line),
        number(c.current, line.unit, lang),
        number(c.previous, line.unit, lang),
        pct,
    ]
}

const STYLE: &str = "font-family:Arial,Helvetica,sans-serif;color:#1f2933;";

/// The email of a weekly report: the KPIs over all accounts (this week, last week, change
/// %) and the recommendations per account, in `lang`, as HTML and as plain text. The
/// attachments are left empty for the caller.
pub fn weekly_email(report: &WeeklyReport, lang: PdfLanguage, period: &Period, tz: Tz) -> HtmlEmail {
    let (first, last) = local_range(period, tz);
    let title = match lang {
        PdfLanguage::En => format!("Alcance weekly report, {first} to {last}"),
        _ => format!(
            "Relatório semanal do Alcance, {} a {}",
            first.format("%d/%m/%Y"),
            last.format("%d/%m/%Y")
        ),
    };
    let headers = [
        "KPI",
        pick(lang, "This week", "Esta semana"),
        pick(lang, "Last week", "Semana anterior"),
        pick(lang, "Change %", "Variação %"),
    ];
    let rows: Vec<[String; 4]> = report.summary.iter().map(|l| kpi_row(l, lang)).collect();
    let mut html = format!(
        "<!DOCTYPE html><html lang=\"{}\"><head><meta charset=\"utf-8\"><title>{}</title></head><body style=\"{STYLE}\">",
        lang.tag(),
        esc(&title)
    );
    let mut text = format!("{title}\n\n");
    html.push_str(&format!("<h1 style=\"font-size:20px\">{}</h1>", esc(&title)));
    html.push_str(&format!(
        "<h2 style=\"font-size:16px\">{}</h2>",
        pick(lang, "Summary", "Resumo")
    ));
    text.push_str(pick(lang, "SUMMARY\n", "RESUMO\n"));
    if rows.is_empty() {
        let none = pick(lang, "No data for this week.", "Sem dados nesta semana.");
        html.push_str(&format!("<p>{none}</p>"));
        text.push_str(none);
        text.push('\n');
    } else {
        html.push_str("<table style=\"border-collapse:collapse\" cellpadding=\"4\"><thead><tr>");
        for (i, h) in headers.iter().enumerate() {
            let align = if i == 0 { "left" } else { "right" };
            html.push_str(&format!(
                "<th style=\"text-align:{align};border-bottom:1px solid #9aa5b1\">{}</th>",
                esc(h)
            ));
        }
        html.push_str("</tr></thead><tbody>");
        for row in &rows {
            html.push_str("<tr>");
            for (i, cell) in row.iter().enumerate() {
                let align = if i == 0 { "left" } else { "right" };
                html.push_str(&format!("<td style=\"text-align:{align}\">{}</td>", esc(cell)));
            }
            html.push_str("</tr>");
            text.push_str(&format!(
                "- {}: {} ({} {}; {})\n",
                row[0],
                row[1],
                pick(lang, "last week", "semana anterior"),
                row[2],
                row[3]
            ));
        }
        html.push_str("</tbody></table>");
    }
    html.push_str(&format!(
        "<h2 style=\"font-size:16px\">{}</h2>",
        pick(lang, "Recommendations", "Recomendações")
    ));
    text.push_str(pick(lang, "\nRECOMMENDATIONS\n", "\nRECOMENDAÇÕES\n"));
    let groups: Vec<_> = report.recommendations.iter().filter(|g| !g.items.is_empty()).collect();
    if groups.is_empty() {
        let none = pick(lang, "Nothing to change this week.", "Nada a mudar nesta semana.");
        html.push_str(&format!("<p>{none}</p>"));
        text.push_str(none);
        text.push('\n');
    }
    for group in groups {
        html.push_str(&format!(
            "<h3 style=\"font-size:14px\">{}</h3><ul>",
            esc(&group.account)
        ));
        text.push_str(&format!("{}\n", group.account));
        for r in &group.items {
            html.push_str(&format!(
                "<li><strong>{}</strong>: {}</li>",
                esc(&r.title),
                esc(&r.detail)
            ));
            text.push_str(&format!("  * {}: {}\n", r.title, r.detail));
        }
        html.push_str("</ul>");
    }
    let foot = pick(
        lang,
        "The full report is attached. Figures are by UTC day. Sent by Alcance.",
        "O relatório completo está em anexo. Os números são por dia UTC. Enviado pelo Alcance.",
    );
    html.push_str(&format!(
        "<p style=\"color:#616e7c;font-size:12px\">{foot}</p></body></html>"
    ));
    text.push_str(&format!("\n{foot}\n"));
    HtmlEmail {
        subject: title,
        text,
        html,
        attachments: Vec::new(),
    }
}

/// The email of a campaign's report: the campaign, the period it was sent for and the
/// campaign's warnings; the figures are in the attachments.
pub fn campaign_email(
    report: &alcance_report::campaign::CampaignReport,
    lang: PdfLanguage,
    period: &Period,
    tz: Tz,
) -> HtmlEmail {
    let (first, last) = local_range(period, tz);
    let name = &report.campaign.name;
    let title = match lang {
        PdfLanguage::En => format!("Alcance campaign report: {name} ({first} to {last})"),
        _ => format!(
            "Relatório da campanha no Alcance: {name} ({} a {})",
            first.format("%d/%m/%Y"),
            last.format("%d/%m/%Y")
        ),
    };
    let lead = pick(
        lang,
        "The campaign's report up to the end of the period is attached.",
        "O relatório da campanha até o fim do período está em anexo.",
    );
    let mut html = format!(
        "<!DOCTYPE html><html lang=\"{}\"><head><meta charset=\"utf-8\"><title>{t}</title></head><body style=\"{STYLE}\"><h1 style=\"font-size:20px\">{t}</h1><p>{lead}</p>",
        lang.tag(),
        t = esc(&title)
    );
    let mut text = format!("{title}\n\n{lead}\n");
    if !report.warnings.is_empty() {
        html.push_str("<ul>");
        for w in &report.warnings {
            html.push_str(&format!("<li>{}</li>", esc(w)));
            text.push_str(&format!("- {w}\n"));
        }
        html.push_str("</ul>");
    }
    html.push_str("</body></html>");
    HtmlEmail {
        subject: title,
        text,
        html,
        attachments: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[allow(non_upper_case_globals)]
    const Sao_Paulo: Tz = Tz::America__Sao_Paulo;
    #[allow(non_upper_case_globals)]
    const New_York: Tz = Tz::America__New_York;

    fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, min, 0).single().unwrap_or_default()
    }

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
    }

    const MONDAY_9: Cadence = Cadence::Weekly {
        weekday: Weekday::Mon,
        hour: 9,
    };

    #[test]
    fn a_weekly_schedule_sends_last_week_once_its_hour_has_passed_locally() {
        let created = utc(2026, 11, 1, 0, 0);
        // Monday 2026-11-30 09:00 in São Paulo (UTC−3) is 12:00 UTC.
        let before = utc(2026, 11, 30, 11, 59);
        let after = utc(2026, 11, 30, 12, 0);
        let p = due_period(MONDAY_9, Sao_Paulo, created, after).unwrap();
        assert_eq!(p.send_at, after);
        assert_eq!(p.first_day, day(2026, 11, 23));
        assert_eq!(p.start, utc(2026, 11, 23, 3, 0));
        assert_eq!(p.end, utc(2026, 11, 30, 3, 0));
        // Before the hour, the week before is the one due (sent the Monday before).
        let q = due_period(MONDAY_9, Sao_Paulo, created, before).unwrap();
        assert_eq!(q.first_day, day(2026, 11, 16));
        // Later in the week, still the same period.
        let r = due_period(MONDAY_9, Sao_Paulo, created, utc(2026, 12, 5, 23, 0)).unwrap();
        assert_eq!(r, p);
    }

    #[test]
    fn a_period_due_before_the_schedule_existed_is_not_sent() {
        let now = utc(2026, 11, 30, 15, 0);
        assert!(due_period(MONDAY_9, Sao_Paulo, utc(2026, 11, 30, 13, 0), now).is_none());
        assert!(due_period(MONDAY_9, Sao_Paulo, utc(2026, 11, 30, 12, 0), now).is_some());
    }

    #[test]
    fn daylight_saving_moves_the_utc_times_with_the_local_clock() {
        // New York: EDT (UTC−4) until 2026-11-01 02:00, then EST (UTC−5).
        let sunday_9 = Cadence::Weekly {
            weekday: Weekday::Sun,
            hour: 9,
        };
        let p = due_period(sunday_9, New_York, utc(2026, 1, 1, 0, 0), utc(2026, 11, 1, 14, 0)).unwrap();
        assert_eq!(p.send_at, utc(2026, 11, 1, 14, 0)); // 09:00 EST
                                                        // Sent on Sunday: the last complete week is Monday 19 to Monday 26 October (EDT).
        assert_eq!(p.start, utc(2026, 10, 19, 4, 0));
        assert_eq!(p.end, utc(2026, 10, 26, 4, 0));
        let q = due_period(sunday_9, New_York, utc(2026, 1, 1, 0, 0), utc(2026, 11, 1, 13, 30));
        assert_eq!(q.map(|q| q.send_at), Some(utc(2026, 10, 25, 13, 0))); // 09:00 EDT
                                                                          // The week across the change is 7 days and 1 hour long in UTC.
        let monday = due_period(MONDAY_9, New_York, utc(2026, 1, 1, 0, 0), utc(2026, 11, 2, 15, 0)).unwrap();
        assert_eq!(monday.start, utc(2026, 10, 26, 4, 0));
        assert_eq!(monday.end, utc(2026, 11, 2, 5, 0));
        // 02:00 on 8 March 2026 does not exist in New York: 03:00 EDT is taken.
        assert_eq!(local_time(New_York, day(2026, 3, 8), 2), utc(2026, 3, 8, 7, 0));
    }

    #[test]
    fn a_monthly_schedule_sends_the_previous_month() {
        let fifth_8 = Cadence::Monthly { day: 5, hour: 8 };
        let created = utc(2026, 1, 1, 0, 0);
        let p = due_period(fifth_8, Sao_Paulo, created, utc(2026, 12, 5, 11, 0)).unwrap();
        assert_eq!(p.first_day, day(2026, 11, 1));
        assert_eq!(p.start, utc(2026, 11, 1, 3, 0));
        assert_eq!(p.end, utc(2026, 12, 1, 3, 0));
        let q = due_period(fifth_8, Sao_Paulo, created, utc(2026, 12, 5, 10, 59)).unwrap();
        assert_eq!(q.first_day, day(2026, 10, 1));
        // January: December of the year before.
        let r = due_period(fifth_8, Sao_Paulo, created, utc(2027, 1, 20, 0, 0)).unwrap();
        assert_eq!((r.first_day, r.end), (day(2026, 12, 1), utc(2027, 1, 1, 3, 0)));
    }

    #[test]
    fn the_next_send_is_after_now_in_local_time() {
        // Monday 30 November 12:00 UTC is 09:00 in São Paulo: the next is 7 December.
        let at = utc(2026, 11, 30, 12, 0);
        assert_eq!(next_send(MONDAY_9, Sao_Paulo, at), utc(2026, 12, 7, 12, 0));
        assert_eq!(next_send(MONDAY_9, Sao_Paulo, at - Duration::minutes(1)), at);
        let fifth_8 = Cadence::Monthly { day: 5, hour: 8 };
        assert_eq!(
            next_send(fifth_8, Sao_Paulo, utc(2026, 12, 5, 11, 0)),
            utc(2027, 1, 5, 11, 0)
        );
        assert_eq!(
            next_send(fifth_8, Sao_Paulo, utc(2026, 12, 1, 0, 0)),
            utc(2026, 12, 5, 11, 0)
        );
    }

    #[test]
    fn a_schedule_input_names_one_cadence_and_is_cleaned() {
        let input: ScheduleInput = serde_json::from_value(serde_json::json!({
            "day_of_month": 5, "hour": 8, "time_zone": "America/Sao_Paulo", "language": "pt-BR",
            "recipients": [" ana@client.example ", ""], "formats": ["xlsx", "pdf", "xlsx"]
        }))
        .unwrap();
        let request = input.clone().request().unwrap();
        assert_eq!(request.cadence, Cadence::Monthly { day: 5, hour: 8 });
        assert_eq!(request.recipients, vec!["ana@client.example".to_string()]);
        assert_eq!(request.formats.as_slice(), &[ReportFormat::Xlsx, ReportFormat::Pdf]);
        assert_eq!(request.language, PdfLanguage::PtBr);
        assert!(!request.sheets);
        let both = ScheduleInput {
            weekday: Some(0),
            ..input.clone()
        };
        assert!(both.request().is_err());
        let neither = ScheduleInput {
            day_of_month: None,
            ..input.clone()
        };
        assert!(neither.request().is_err());
        let sunday = ScheduleInput {
            weekday: Some(6),
            day_of_month: None,
            ..input.clone()
        };
        assert_eq!(
            sunday.request().unwrap().cadence,
            Cadence::Weekly {
                weekday: Weekday::Sun,
                hour: 8
            }
        );
        let bad = ScheduleInput {
            weekday: Some(7),
            day_of_month: None,
            ..input
        };
        assert!(bad.request().is_err());
    }

    #[test]
    fn retries_back_off_then_give_up() {
        let t = utc(2026, 12, 1, 0, 0);
        let waits: Vec<Option<i64>> = (1..=7).map(|n| retry_at(n, t).map(|r| (r - t).num_minutes())).collect();
        assert_eq!(
            waits,
            vec![Some(1), Some(5), Some(30), Some(120), Some(360), None, None]
        );
    }

    #[test]
    fn formats_and_numbers() {
        assert_eq!(
            parse_formats("pdf, xlsx,pdf").unwrap().as_slice(),
            &[ReportFormat::Pdf, ReportFormat::Xlsx]
        );
        assert!(parse_formats("html").is_err());
        assert!(parse_formats(" ").is_err());
        assert_eq!(number(Some(12345.5), "count", PdfLanguage::En), "12,346");
        assert_eq!(number(Some(1234.56), "percent", PdfLanguage::PtBr), "1.234,6%");
        assert_eq!(number(Some(-5.0), "count", PdfLanguage::En), "-5");
        assert_eq!(number(None, "count", PdfLanguage::En), "–");
        assert_eq!(esc("<a & \"b\">"), "&lt;a &amp; &quot;b&quot;&gt;");
    }
}
