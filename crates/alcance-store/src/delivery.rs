//! Scheduled delivery of reports by email and to Google Sheets (schema versions 13 and 15,
//! `migrations/0013_report_delivery.sql`, `0015_sheets_delivery.sql`; docs/reports.md
//! "Scheduled delivery"):
//! `report_schedules` (what to send, when, to whom), `report_deliveries` (one row per
//! schedule and period) and `mail_settings` (the SMTP server, without its password).
//!
//! "Nothing is sent twice for the same period" rests on the primary key of
//! `report_deliveries`, (schedule, period start): [`Store::claim_report_delivery`] inserts
//! the row with `ON CONFLICT DO NOTHING`, so of two workers (two processes, two machines on
//! one PostgreSQL database) exactly one gets the period. A retry is taken the same way:
//! [`Store::take_delivery_retry`] moves `attempts` from the value the caller read to the
//! next one, and only one caller sees its update land.
//!
//! The due-period and backoff rules live in `alcance-app` (`delivery`); this module only
//! stores their results. Every timestamp is UTC (see [`crate::time`]).

use crate::error::touched_one;
use crate::redact::redact;
use crate::stored_key::stored_key;
use crate::time::{to_db, DbTime, DbTimeOpt};
use crate::{on_pool, Store, StoreError};
pub use alcance_core::{PdfLanguage, ReportFormat};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// What a schedule sends (`report_schedules.kind`). Stored and serialized as the key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum ReportKind {
    /// The weekly report of every account of the workspace.
    WeeklyReport,
    /// One campaign's report ([`ReportScheduleSettings::campaign_id`]).
    CampaignReport,
}

impl ReportKind {
    /// Both, in declaration order.
    pub const ALL: [ReportKind; 2] = [ReportKind::WeeklyReport, ReportKind::CampaignReport];

    /// The stored key: `weekly_report`, `campaign_report`.
    pub fn as_str(self) -> &'static str {
        match self {
            ReportKind::WeeklyReport => "weekly_report",
            ReportKind::CampaignReport => "campaign_report",
        }
    }
}

stored_key!(ReportKind, "report kind", "weekly_report, campaign_report");

/// How often a schedule sends (`report_schedules.cadence`): weekly on a weekday, monthly on
/// a day of the month. Stored and serialized as the key. (`alcance-app`'s
/// `delivery::Cadence` is this with its weekday or day and hour, checked.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum ReportCadence {
    /// Every week on [`ReportScheduleSettings::weekday`].
    Weekly,
    /// Every month on [`ReportScheduleSettings::day_of_month`].
    Monthly,
}

impl ReportCadence {
    /// Both, in declaration order.
    pub const ALL: [ReportCadence; 2] = [ReportCadence::Weekly, ReportCadence::Monthly];

    /// The stored key: `weekly`, `monthly`.
    pub fn as_str(self) -> &'static str {
        match self {
            ReportCadence::Weekly => "weekly",
            ReportCadence::Monthly => "monthly",
        }
    }
}

stored_key!(ReportCadence, "report cadence", "weekly, monthly");

/// Where one period's delivery stands (`report_deliveries.status`). Stored and serialized
/// as the key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum DeliveryStatus {
    /// Claimed: an attempt is running, or a failed one waits for its retry
    /// ([`ReportDeliveryRow::next_attempt_at`]).
    Pending,
    /// Every destination took the report.
    Sent,
    /// Given up after the last attempt; [`ReportDeliveryRow::last_error`] says why.
    Failed,
}

impl DeliveryStatus {
    /// All three, in declaration order.
    pub const ALL: [DeliveryStatus; 3] = [DeliveryStatus::Pending, DeliveryStatus::Sent, DeliveryStatus::Failed];

    /// The stored key: `pending`, `sent`, `failed`.
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Pending => "pending",
            DeliveryStatus::Sent => "sent",
            DeliveryStatus::Failed => "failed",
        }
    }
}

stored_key!(DeliveryStatus, "delivery status", "pending, sent, failed");

/// The files attached to a schedule's email, in order, without duplicates
/// (`report_schedules.formats`, stored comma separated: `pdf,xlsx`; serialized as a JSON
/// array `["pdf", "xlsx"]`). The store takes any [`ReportFormat`]; `alcance-app` allows
/// PDF and XLSX.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(transparent)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(value_type = Vec<ReportFormat>))]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "specta", specta(transparent))]
pub struct ReportFormats(Vec<ReportFormat>);

impl ReportFormats {
    /// The formats of `list`, in order, duplicates dropped.
    pub fn new(list: impl IntoIterator<Item = ReportFormat>) -> ReportFormats {
        let mut out = Vec::new();
        for f in list {
            if !out.contains(&f) {
                out.push(f);
            }
        }
        ReportFormats(out)
    }

    /// The formats, in order.
    pub fn as_slice(&self) -> &[ReportFormat] {
        &self.0
    }

    /// `true` when `format` is one of them.
    pub fn contains(&self, format: ReportFormat) -> bool {
        self.0.contains(&format)
    }
}

impl std::ops::Deref for ReportFormats {
    type Target = [ReportFormat];
    fn deref(&self) -> &[ReportFormat] {
        &self.0
    }
}

impl FromIterator<ReportFormat> for ReportFormats {
    fn from_iter<I: IntoIterator<Item = ReportFormat>>(iter: I) -> ReportFormats {
        ReportFormats::new(iter)
    }
}

impl fmt::Display for ReportFormats {
    /// The stored form: the keys, comma separated (`pdf,xlsx`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, format) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            f.write_str(format.key())?;
        }
        Ok(())
    }
}

impl FromStr for ReportFormats {
    type Err = StoreError;

    /// `pdf`, `xlsx`, `pdf, xlsx` … (any case; order kept, duplicates dropped). Errors:
    /// [`StoreError::Invalid`] for an unknown format or none.
    fn from_str(text: &str) -> Result<ReportFormats, StoreError> {
        let invalid = || StoreError::Invalid {
            what: "report formats",
            value: text.to_string(),
            expected: "formats comma separated: pdf, xlsx, html, json",
        };
        let list = text
            .split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(|p| p.parse::<ReportFormat>().map_err(|_| invalid()))
            .collect::<Result<Vec<_>, _>>()?;
        if list.is_empty() {
            return Err(invalid());
        }
        Ok(ReportFormats::new(list))
    }
}

impl TryFrom<String> for ReportFormats {
    type Error = StoreError;
    /// As [`FromStr`] (reads the stored column).
    fn try_from(text: String) -> Result<ReportFormats, StoreError> {
        text.parse()
    }
}

/// The addresses a schedule's email goes to (`report_schedules.recipients`, stored as a
/// JSON array of strings; serialized as that array). Checked as addresses by `alcance-app`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(transparent)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(value_type = Vec<String>))]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "specta", specta(transparent))]
pub struct Recipients(Vec<String>);

impl Recipients {
    /// The addresses, in order.
    pub fn as_slice(&self) -> &[String] {
        &self.0
    }

    /// The stored form: a JSON array.
    fn to_json(&self) -> String {
        serde_json::Value::from(self.0.clone()).to_string()
    }
}

impl std::ops::Deref for Recipients {
    type Target = [String];
    fn deref(&self) -> &[String] {
        &self.0
    }
}

impl From<Vec<String>> for Recipients {
    fn from(list: Vec<String>) -> Recipients {
        Recipients(list)
    }
}

impl FromIterator<String> for Recipients {
    fn from_iter<I: IntoIterator<Item = String>>(iter: I) -> Recipients {
        Recipients(iter.into_iter().collect())
    }
}

impl TryFrom<String> for Recipients {
    type Error = StoreError;
    /// Reads the stored column. Errors: [`StoreError::Invalid`] when it is not a JSON array
    /// of strings.
    fn try_from(text: String) -> Result<Recipients, StoreError> {
        serde_json::from_str(&text)
            .map(Recipients)
            .map_err(|_| StoreError::Invalid {
                what: "report_schedules.recipients",
                value: text,
                expected: "a JSON array of addresses",
            })
    }
}

/// What a schedule sends, when, in which language, to whom and as which files: the part
/// of a `report_schedules` row its author chose (the row adds its id, state and creation
/// time, [`ReportScheduleRow`]). What [`Store::add_report_schedule`] takes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ReportScheduleSettings {
    /// The weekly report (every account of the workspace) or a campaign's.
    pub kind: ReportKind,
    /// `campaigns.id` of a campaign report; `None` for the weekly report.
    pub campaign_id: Option<i64>,
    /// Weekly (on [`Self::weekday`]) or monthly (on [`Self::day_of_month`]).
    pub cadence: ReportCadence,
    /// Weekly: 0 = Monday … 6 = Sunday; `None` when monthly.
    pub weekday: Option<i64>,
    /// Monthly: the day of the month it is sent, 1–28; `None` when weekly.
    pub day_of_month: Option<i64>,
    /// The hour it is sent, 0–23, in [`Self::time_zone`].
    pub hour: i64,
    /// IANA time zone of the weekday, day and hour (`America/Sao_Paulo`).
    pub time_zone: String,
    /// The email's, the PDF's and the Sheets tab's language: `en` or `pt-BR`.
    pub language: PdfLanguage,
    /// The addresses it goes to (may be empty when [`Self::sheets`]).
    #[sqlx(try_from = "String")]
    pub recipients: Recipients,
    /// The attached files: `pdf` and / or `xlsx`.
    #[sqlx(try_from = "String")]
    pub formats: ReportFormats,
    /// `true`: each period is also written to a Google Sheets spreadsheet (schema
    /// version 15); `recipients` may then be empty.
    #[serde(default)]
    pub sheets: bool,
}

/// One row of `report_schedules`: its settings and what the store adds. Serialized flat
/// (the settings' fields beside `id`, `enabled`, `spreadsheet_id`, `created_at`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ReportScheduleRow {
    /// Row id (`report_schedules.id`).
    pub id: i64,
    /// What it sends, when and to whom.
    #[serde(flatten)]
    #[sqlx(flatten)]
    pub settings: ReportScheduleSettings,
    /// `false` while paused: nothing is claimed or sent.
    pub enabled: bool,
    /// The Sheets API `spreadsheetId` the periods are written to; `None` until the first
    /// delivery creates the spreadsheet.
    pub spreadsheet_id: Option<String>,
    /// When it was added, UTC; periods whose send time came before are not sent.
    #[sqlx(try_from = "DbTime")]
    pub created_at: DateTime<Utc>,
}

/// One row of `report_deliveries`: one schedule's one period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportDeliveryRow {
    /// `report_schedules.id`.
    pub schedule_id: i64,
    /// Start of the reported week or month, UTC (local midnight in the schedule's zone).
    #[sqlx(try_from = "DbTime")]
    pub period_start: DateTime<Utc>,
    /// End of the period, UTC, exclusive.
    #[sqlx(try_from = "DbTime")]
    pub period_end: DateTime<Utc>,
    /// Claimed (being sent or waiting for a retry), sent, or given up.
    pub status: DeliveryStatus,
    /// Attempts started so far (counts).
    pub attempts: i64,
    /// The last failure, secrets redacted; `None` before any.
    pub last_error: Option<String>,
    /// While pending: when the next attempt may start, UTC. During an attempt, when the
    /// attempt counts as abandoned (its worker died) and may be taken again.
    #[sqlx(try_from = "DbTimeOpt")]
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// When the SMTP server accepted the message, UTC.
    #[sqlx(try_from = "DbTimeOpt")]
    pub sent_at: Option<DateTime<Utc>>,
    /// The sent message's `Message-ID`.
    pub message_id: Option<String>,
    /// When the period was claimed, UTC.
    #[sqlx(try_from = "DbTime")]
    pub created_at: DateTime<Utc>,
    /// When the SMTP server took this period's email, UTC; `None` before, or without
    /// recipients. A retry does not send it again (schema version 15).
    #[sqlx(try_from = "DbTimeOpt")]
    pub mailed_at: Option<DateTime<Utc>>,
    /// The Sheets tab this period was written to (`2026-W49`, `2026-11`); `None` before,
    /// or without Sheets (schema version 15).
    pub sheet_title: Option<String>,
}

/// How an attempt ended, for [`Store::finish_delivery_attempt`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeliveryOutcome {
    /// Every destination took the report, the last at `at` (UTC); the SMTP server's
    /// message had this `Message-ID` (`None`: no email, or recorded before by
    /// [`Store::record_delivery_mailed`]).
    Sent {
        /// When, UTC.
        at: DateTime<Utc>,
        /// The `Message-ID` header.
        message_id: Option<String>,
    },
    /// It failed; it is tried again at `retry_at` (UTC), or never (`None`: status `failed`).
    Failed {
        /// What went wrong (redacted again before it is written).
        error: String,
        /// The next attempt, UTC; `None` gives up.
        retry_at: Option<DateTime<Utc>>,
    },
}

/// The workspace's SMTP server (`mail_settings`), without its password.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct MailSettingsRow {
    /// `smtp://user@host:587?tls=required`, `smtps://user@host` or `smtp://127.0.0.1:2525`.
    pub smtp_url: String,
    /// The `From:` address.
    pub sender: String,
    /// When it was last set, UTC.
    #[sqlx(try_from = "DbTime")]
    pub updated_at: DateTime<Utc>,
}

const SCHEDULE_COLUMNS: &str = "id, kind, campaign_id, cadence, weekday, day_of_month, hour, time_zone, language, \
     recipients, formats, enabled, created_at, sheets, spreadsheet_id";

const DELIVERY_COLUMNS: &str = "schedule_id, period_start, period_end, status, attempts, last_error, \
     next_attempt_at, sent_at, message_id, created_at, mailed_at, sheet_title";

impl Store {
    /// Adds a schedule, enabled, created at `now` (UTC); returns it. The caller checks the
    /// time zone, addresses and formats (`alcance-app`).
    ///
    /// Errors: [`StoreError::Constraint`] for a weekday, day or hour the table does not
    /// take, a cadence without its weekday / day, a campaign report without a campaign (or
    /// a weekly report with one), an unknown campaign.
    pub async fn add_report_schedule(
        &self,
        schedule: &ReportScheduleSettings,
        now: DateTime<Utc>,
    ) -> Result<ReportScheduleRow, StoreError> {
        let id: i64 = on_pool!(&self.pool, |p| sqlx::query_scalar(
            "INSERT INTO report_schedules (kind, campaign_id, cadence, weekday, day_of_month, hour, time_zone,
                                           language, recipients, formats, created_at, sheets)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
        )
        .bind(schedule.kind)
        .bind(schedule.campaign_id)
        .bind(schedule.cadence)
        .bind(schedule.weekday)
        .bind(schedule.day_of_month)
        .bind(schedule.hour)
        .bind(&schedule.time_zone)
        .bind(schedule.language)
        .bind(schedule.recipients.to_json())
        .bind(schedule.formats.to_string())
        .bind(to_db(now))
        .bind(schedule.sheets)
        .fetch_one(p)
        .await?);
        self.report_schedule(id).await
    }

    /// Every schedule, by id.
    pub async fn report_schedules(&self) -> Result<Vec<ReportScheduleRow>, StoreError> {
        let sql = format!("SELECT {SCHEDULE_COLUMNS} FROM report_schedules ORDER BY id");
        Ok(on_pool!(&self.pool, |p| sqlx::query_as(&sql).fetch_all(p).await?))
    }

    /// One schedule. Errors: [`StoreError::NotFound`].
    pub async fn report_schedule(&self, id: i64) -> Result<ReportScheduleRow, StoreError> {
        let sql = format!("SELECT {SCHEDULE_COLUMNS} FROM report_schedules WHERE id = $1");
        let row: Option<ReportScheduleRow> =
            on_pool!(&self.pool, |p| sqlx::query_as(&sql).bind(id).fetch_optional(p).await?);
        row.ok_or(StoreError::NotFound {
            what: "report schedule",
            id,
        })
    }

    /// Pauses (`false`) or resumes (`true`) a schedule. Errors: [`StoreError::NotFound`].
    pub async fn set_report_schedule_enabled(&self, id: i64, enabled: bool) -> Result<(), StoreError> {
        let n = on_pool!(&self.pool, |p| sqlx::query(
            "UPDATE report_schedules SET enabled = $1 WHERE id = $2"
        )
        .bind(enabled)
        .bind(id)
        .execute(p)
        .await?
        .rows_affected());
        touched_one(n, "report schedule", id)
    }

    /// Removes a schedule and its delivery history. Errors: [`StoreError::NotFound`].
    pub async fn remove_report_schedule(&self, id: i64) -> Result<(), StoreError> {
        let n = on_pool!(&self.pool, |p| sqlx::query(
            "DELETE FROM report_schedules WHERE id = $1"
        )
        .bind(id)
        .execute(p)
        .await?
        .rows_affected());
        touched_one(n, "report schedule", id)
    }

    /// Claims one period of a schedule for its first attempt: inserts its delivery row,
    /// `pending` with one attempt started at `now` that counts as abandoned after
    /// `abandon_at` (UTC). Returns `true` when this call inserted it, `false` when the
    /// period was already claimed (by this or another worker), whatever its status.
    ///
    /// Errors: the database ([`StoreError::Constraint`] for an unknown schedule).
    pub async fn claim_report_delivery(
        &self,
        schedule_id: i64,
        period: (DateTime<Utc>, DateTime<Utc>),
        now: DateTime<Utc>,
        abandon_at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let n = on_pool!(&self.pool, |p| sqlx::query(
            "INSERT INTO report_deliveries (schedule_id, period_start, period_end, status, attempts,
                                            next_attempt_at, created_at)
             VALUES ($1, $2, $3, 'pending', 1, $4, $5)
             ON CONFLICT (schedule_id, period_start) DO NOTHING",
        )
        .bind(schedule_id)
        .bind(to_db(period.0))
        .bind(to_db(period.1))
        .bind(to_db(abandon_at))
        .bind(to_db(now))
        .execute(p)
        .await?
        .rows_affected());
        Ok(n == 1)
    }

    /// Pending deliveries whose next attempt has come by `now` (UTC), soonest first: failed
    /// attempts waiting for their retry and attempts abandoned by a worker that died.
    pub async fn due_report_retries(&self, now: DateTime<Utc>) -> Result<Vec<ReportDeliveryRow>, StoreError> {
        let sql = format!(
            "SELECT {DELIVERY_COLUMNS} FROM report_deliveries
             WHERE status = 'pending' AND next_attempt_at <= $1
             ORDER BY next_attempt_at, schedule_id, period_start"
        );
        Ok(on_pool!(&self.pool, |p| sqlx::query_as(&sql)
            .bind(to_db(now))
            .fetch_all(p)
            .await?))
    }

    /// Takes the next attempt of a pending delivery read with `attempts` attempts: sets
    /// attempts to `attempts + 1` and the abandonment time to `abandon_at` (UTC), only if
    /// the row is still pending, due by `now` and at `attempts`. Returns `true` when this
    /// call took it (of concurrent callers, one does).
    pub async fn take_delivery_retry(
        &self,
        delivery: &ReportDeliveryRow,
        now: DateTime<Utc>,
        abandon_at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let n = on_pool!(&self.pool, |p| sqlx::query(
            "UPDATE report_deliveries SET attempts = attempts + 1, next_attempt_at = $1
             WHERE schedule_id = $2 AND period_start = $3 AND status = 'pending' AND attempts = $4
               AND next_attempt_at <= $5",
        )
        .bind(to_db(abandon_at))
        .bind(delivery.schedule_id)
        .bind(to_db(delivery.period_start))
        .bind(delivery.attempts)
        .bind(to_db(now))
        .execute(p)
        .await?
        .rows_affected());
        Ok(n == 1)
    }

    /// Records how the current attempt of a delivery ended: `sent` with its time and
    /// `Message-ID`, or the error (redacted) with the next attempt (`pending`) or none
    /// (`failed`). Errors: [`StoreError::NotFound`] when the delivery does not exist.
    pub async fn finish_delivery_attempt(
        &self,
        schedule_id: i64,
        period_start: DateTime<Utc>,
        outcome: &DeliveryOutcome,
    ) -> Result<(), StoreError> {
        let period = to_db(period_start);
        let n = match outcome {
            DeliveryOutcome::Sent { at, message_id } => on_pool!(&self.pool, |p| sqlx::query(
                "UPDATE report_deliveries SET status = 'sent', sent_at = $1,
                        message_id = COALESCE($2, message_id), next_attempt_at = NULL
                 WHERE schedule_id = $3 AND period_start = $4",
            )
            .bind(to_db(*at))
            .bind(message_id)
            .bind(schedule_id)
            .bind(&period)
            .execute(p)
            .await?
            .rows_affected()),
            DeliveryOutcome::Failed { error, retry_at } => {
                let status = if retry_at.is_some() {
                    DeliveryStatus::Pending
                } else {
                    DeliveryStatus::Failed
                };
                let error = redact(error).into_owned();
                on_pool!(&self.pool, |p| sqlx::query(
                    "UPDATE report_deliveries SET status = $1, last_error = $2, next_attempt_at = $3
                     WHERE schedule_id = $4 AND period_start = $5",
                )
                .bind(status)
                .bind(&error)
                .bind(retry_at.map(to_db))
                .bind(schedule_id)
                .bind(&period)
                .execute(p)
                .await?
                .rows_affected())
            }
        };
        touched_one(n, "report schedule", schedule_id)
    }

    /// Keeps the spreadsheet a schedule writes to (`None` forgets it: the next delivery
    /// creates a new one). Errors: [`StoreError::NotFound`].
    pub async fn set_report_schedule_spreadsheet(
        &self,
        id: i64,
        spreadsheet_id: Option<&str>,
    ) -> Result<(), StoreError> {
        let n = on_pool!(&self.pool, |p| sqlx::query(
            "UPDATE report_schedules SET spreadsheet_id = $1 WHERE id = $2"
        )
        .bind(spreadsheet_id)
        .bind(id)
        .execute(p)
        .await?
        .rows_affected());
        touched_one(n, "report schedule", id)
    }

    /// Records that a period's email was taken by the SMTP server at `at` (UTC) with this
    /// `Message-ID`, before the other destinations are tried: a retry then skips the email.
    /// Errors: [`StoreError::NotFound`] when the delivery does not exist.
    pub async fn record_delivery_mailed(
        &self,
        schedule_id: i64,
        period_start: DateTime<Utc>,
        at: DateTime<Utc>,
        message_id: &str,
    ) -> Result<(), StoreError> {
        let n = on_pool!(&self.pool, |p| sqlx::query(
            "UPDATE report_deliveries SET mailed_at = $1, message_id = $2
             WHERE schedule_id = $3 AND period_start = $4",
        )
        .bind(to_db(at))
        .bind(message_id)
        .bind(schedule_id)
        .bind(to_db(period_start))
        .execute(p)
        .await?
        .rows_affected());
        touched_one(n, "report schedule", schedule_id)
    }

    /// Records the Sheets tab a period was written to. Errors: [`StoreError::NotFound`]
    /// when the delivery does not exist.
    pub async fn record_delivery_sheet(
        &self,
        schedule_id: i64,
        period_start: DateTime<Utc>,
        sheet_title: &str,
    ) -> Result<(), StoreError> {
        let n = on_pool!(&self.pool, |p| sqlx::query(
            "UPDATE report_deliveries SET sheet_title = $1 WHERE schedule_id = $2 AND period_start = $3"
        )
        .bind(sheet_title)
        .bind(schedule_id)
        .bind(to_db(period_start))
        .execute(p)
        .await?
        .rows_affected());
        touched_one(n, "report schedule", schedule_id)
    }

    /// One schedule's deliveries, newest period first, at most `limit`.
    pub async fn report_deliveries(&self, schedule_id: i64, limit: u32) -> Result<Vec<ReportDeliveryRow>, StoreError> {
        let sql = format!(
            "SELECT {DELIVERY_COLUMNS} FROM report_deliveries WHERE schedule_id = $1
             ORDER BY period_start DESC LIMIT $2"
        );
        Ok(on_pool!(&self.pool, |p| sqlx::query_as(&sql)
            .bind(schedule_id)
            .bind(i64::from(limit))
            .fetch_all(p)
            .await?))
    }

    /// The workspace's SMTP server, `None` until set.
    pub async fn mail_settings(&self) -> Result<Option<MailSettingsRow>, StoreError> {
        Ok(on_pool!(&self.pool, |p| sqlx::query_as(
            "SELECT smtp_url, sender, updated_at FROM mail_settings WHERE id = 1"
        )
        .fetch_optional(p)
        .await?))
    }

    /// Sets the workspace's SMTP server (a URL without password: the caller checks it) and
    /// sender, at `now` (UTC).
    pub async fn set_mail_settings(&self, smtp_url: &str, sender: &str, now: DateTime<Utc>) -> Result<(), StoreError> {
        on_pool!(&self.pool, |p| sqlx::query(
            "INSERT INTO mail_settings (id, smtp_url, sender, updated_at) VALUES (1, $1, $2, $3)
             ON CONFLICT (id) DO UPDATE SET smtp_url = excluded.smtp_url, sender = excluded.sender,
                                            updated_at = excluded.updated_at",
        )
        .bind(smtp_url)
        .bind(sender)
        .bind(to_db(now))
        .execute(p)
        .await?
        .rows_affected());
        Ok(())
    }
}
