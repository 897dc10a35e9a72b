//! WhatsApp wire shapes → Alcance records. Pure: no I/O, no clock.

use super::wire::{
    ConversationPoint, Entry, MessagePoint, MessagesValue, PhoneNumberNode, PhoneQualityValue, PricingPoint,
    TemplateNode, TemplatePoint, TemplateQualityValue, TemplateStatusValue, WabaNode, Webhook,
};
use super::{InsightsResult, MessageTemplate, PhoneNumber, Waba, WebhookEvent, WebhookFact};
use crate::error::PlatformError;
use crate::meta::warning;
use crate::CollectWindow;
use alcance_core::catalog::from_source;
use alcance_core::time::from_unix;
use alcance_core::{AccountMetric, AudienceSlice, EventLevel, Period, Platform, Profile};
use chrono::{DateTime, Duration, DurationRound, SecondsFormat, Utc};
use serde_json::Value;
use std::collections::BTreeMap;

const WA: Platform = Platform::Whatsapp;

/// `window` with `since` moved up to `window.until − days` when it reaches further back;
/// `None` when nothing of the window is left (`since >= until`).
pub fn clamp_window(window: CollectWindow, days: i64) -> Option<CollectWindow> {
    let floor = window.until - Duration::days(days);
    let since = window.since.max(floor);
    (since < window.until).then_some(CollectWindow {
        since,
        until: window.until,
    })
}

pub(crate) fn waba(node: WabaNode) -> Option<Waba> {
    let id = node.id.filter(|s| !s.is_empty())?;
    Some(Waba {
        id,
        name: node.name,
        currency: node.currency,
        timezone_id: node.timezone_id,
        message_template_namespace: node.message_template_namespace,
    })
}

/// The WABA as a profile: `external_id` = WABA id, `display_name` = `name`.
pub(crate) fn waba_profile(w: &Waba) -> Profile {
    Profile {
        external_id: w.id.clone(),
        username: None,
        display_name: w.name.clone(),
        avatar_url: None,
    }
}

pub(crate) fn phone_number(node: PhoneNumberNode) -> Option<PhoneNumber> {
    let id = node.id.filter(|s| !s.is_empty())?;
    Some(PhoneNumber {
        id,
        display_phone_number: node.display_phone_number,
        verified_name: node.verified_name,
        quality_rating: node.quality_rating,
        messaging_limit_tier: node.messaging_limit_tier,
        name_status: node.name_status,
        throughput_level: node.throughput.and_then(|t| t.level),
    })
}

pub(crate) fn template(node: TemplateNode) -> Option<MessageTemplate> {
    let id = node.id.filter(|s| !s.is_empty())?;
    Some(MessageTemplate {
        id,
        name: node.name,
        status: node.status,
        category: node.category,
        language: node.language,
    })
}

/// Quality rating and messaging limit tier of each phone number as audience slices of
/// value 1: audience `phone_number`, dimension `phone_number_id,quality_rating` /
/// `phone_number_id,messaging_limit_tier`, key `<id>,<value>`, timeframe `day:YYYY-MM-DD`
/// of `at` (UTC). Fields a number lacks give no slice.
pub fn phone_number_slices(phones: &[PhoneNumber], at: DateTime<Utc>) -> Vec<AudienceSlice> {
    let timeframe = format!("day:{}", at.format("%Y-%m-%d"));
    let mut out = Vec::new();
    for p in phones {
        for (dimension, value) in [
            ("quality_rating", p.quality_rating.as_deref()),
            ("messaging_limit_tier", p.messaging_limit_tier.as_deref()),
        ] {
            let Some(value) = value.filter(|v| !v.is_empty()) else {
                continue;
            };
            out.push(AudienceSlice {
                audience: "phone_number".to_string(),
                dimension: format!("phone_number_id,{dimension}"),
                key: format!("{},{value}", p.id),
                value: 1.0,
                timeframe: timeframe.clone(),
            });
        }
    }
    out
}

/// A data point's bucket: period, UTC range and slice timeframe.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Bucket {
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    period: PeriodKey,
    timeframe: String,
}

/// [`Period`] is not `Ord`; the three a WhatsApp bucket can be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum PeriodKey {
    Day,
    Month,
    Total,
}

impl PeriodKey {
    fn period(self) -> Period {
        match self {
            PeriodKey::Day => Period::Day,
            PeriodKey::Month => Period::Month,
            PeriodKey::Total => Period::Total,
        }
    }
}

const HOUR: i64 = 3_600;
const DAY: i64 = 86_400;

/// The bucket of `[start, end)` (Unix seconds); `None` when either is missing, unreadable
/// or `end <= start`. 23–25 h → Day; 27 days − 1 h to 31 days + 1 h → Month; else Total.
pub(crate) fn bucket(start: Option<i64>, end: Option<i64>) -> Option<Bucket> {
    let (s, e) = (start?, end?);
    let (start, end) = (from_unix(s)?, from_unix(e)?);
    if end <= start {
        return None;
    }
    let span = (end - start).num_seconds();
    let mid = start + (end - start) / 2;
    let (period, timeframe) = if (DAY - HOUR..=DAY + HOUR).contains(&span) {
        (PeriodKey::Day, format!("day:{}", mid.format("%Y-%m-%d")))
    } else if (27 * DAY - HOUR..=31 * DAY + HOUR).contains(&span) {
        (PeriodKey::Month, format!("month:{}", mid.format("%Y-%m")))
    } else {
        (
            PeriodKey::Total,
            format!(
                "range:{}/{}",
                start.to_rfc3339_opts(SecondsFormat::Secs, true),
                end.to_rfc3339_opts(SecondsFormat::Secs, true)
            ),
        )
    };
    Some(Bucket {
        start,
        end,
        period,
        timeframe,
    })
}

/// Sums per (metric, bucket) and per slice, then writes account metrics (sorted by bucket
/// then metric) and slices into an [`InsightsResult`]. A metric's bucket value is `None`
/// when no point of the bucket carried it (empty data is not 0).
#[derive(Default)]
struct Totals {
    metrics: BTreeMap<(Bucket, &'static str), Option<f64>>,
    slices: BTreeMap<(String, String, String, String), f64>,
}

impl Totals {
    /// Adds `value` of catalog field `field` to the bucket's total.
    fn add(&mut self, bucket: &Bucket, field: &str, value: Option<f64>) {
        let Some((m, s)) = from_source(WA, field) else { return };
        let cell = self.metrics.entry((bucket.clone(), m.key)).or_insert(None);
        if let Some(v) = value {
            *cell = Some(cell.unwrap_or(0.0) + crate::meta::scaled(v, s.scale));
        }
    }

    /// Adds `value` to the slice (audience = `metric`, dims present in `dims`).
    fn slice(&mut self, bucket: &Bucket, metric: &str, dims: &[(&str, Option<&str>)], value: Option<f64>) {
        let Some(value) = value else { return };
        let present: Vec<(&str, &str)> = dims
            .iter()
            .filter_map(|(k, v)| v.filter(|v| !v.is_empty()).map(|v| (*k, v)))
            .collect();
        if present.is_empty() {
            return;
        }
        let dimension = present.iter().map(|(k, _)| *k).collect::<Vec<_>>().join(",");
        let key = present.iter().map(|(_, v)| *v).collect::<Vec<_>>().join(",");
        *self
            .slices
            .entry((metric.to_string(), dimension, key, bucket.timeframe.clone()))
            .or_insert(0.0) += value;
    }

    fn write(self, out: &mut InsightsResult) {
        for ((b, key), value) in self.metrics {
            out.account_metrics.push(AccountMetric {
                metric: key.to_string(),
                period: b.period.period(),
                period_start: b.start,
                period_end: b.end,
                value,
            });
        }
        for ((audience, dimension, key, timeframe), value) in self.slices {
            out.audience.push(AudienceSlice {
                audience,
                dimension,
                key,
                value,
                timeframe,
            });
        }
    }
}

fn skipped(out: &mut InsightsResult, what: &str, n: usize) {
    if n > 0 {
        out.warn(
            "decode",
            format!("{what}: skipped {n} data points without a readable start/end"),
        );
    }
}

/// `analytics.data_points` → `messages_sent` / `messages_delivered` per bucket.
pub(crate) fn message_points(points: &[Value], out: &mut InsightsResult) {
    let mut t = Totals::default();
    let mut bad = 0;
    for raw in points {
        let p: MessagePoint = serde_json::from_value(raw.clone()).unwrap_or_default();
        let Some(b) = bucket(p.start, p.end) else {
            bad += 1;
            continue;
        };
        t.add(&b, "analytics.data_points.sent", p.sent);
        t.add(&b, "analytics.data_points.delivered", p.delivered);
    }
    t.write(out);
    skipped(out, "analytics", bad);
}

/// `conversation_analytics` data points → `conversations` / `conversation_cost` per
/// bucket (summed over the dimension rows) and slices per dimension combination. Returns
/// `true` when points were served but none carried `cost` (cost not available).
pub(crate) fn conversation_points(points: &[Value], out: &mut InsightsResult) -> bool {
    let mut t = Totals::default();
    let (mut bad, mut with_cost, mut read) = (0, 0, 0);
    for raw in points {
        let p: ConversationPoint = serde_json::from_value(raw.clone()).unwrap_or_default();
        let Some(b) = bucket(p.start, p.end) else {
            bad += 1;
            continue;
        };
        read += 1;
        if p.cost.is_some() {
            with_cost += 1;
        }
        t.add(&b, "conversation_analytics.data_points.conversation", p.conversation);
        t.add(&b, "conversation_analytics.data_points.cost", p.cost);
        let dims = [
            ("conversation_category", p.conversation_category.as_deref()),
            ("conversation_direction", p.conversation_direction.as_deref()),
            ("conversation_type", p.conversation_type.as_deref()),
            ("country", p.country.as_deref()),
            ("phone_number", p.phone_number.as_deref()),
        ];
        t.slice(&b, "conversations", &dims, p.conversation);
        t.slice(&b, "conversation_cost", &dims, p.cost);
    }
    t.write(out);
    skipped(out, "conversation_analytics", bad);
    read > 0 && with_cost == 0
}

/// `pricing_analytics` data points → `pricing_volume` / `pricing_cost` per bucket and
/// slices per dimension combination.
pub(crate) fn pricing_points(points: &[Value], out: &mut InsightsResult) {
    let mut t = Totals::default();
    let mut bad = 0;
    for raw in points {
        let p: PricingPoint = serde_json::from_value(raw.clone()).unwrap_or_default();
        let Some(b) = bucket(p.start, p.end) else {
            bad += 1;
            continue;
        };
        t.add(&b, "pricing_analytics.data_points.volume", p.volume);
        t.add(&b, "pricing_analytics.data_points.cost", p.cost);
        let dims = [
            ("pricing_category", p.pricing_category.as_deref()),
            ("pricing_type", p.pricing_type.as_deref()),
            ("tier", p.tier.as_deref()),
            ("country", p.country.as_deref()),
            ("phone_number", p.phone_number.as_deref()),
        ];
        t.slice(&b, "pricing_volume", &dims, p.volume);
        t.slice(&b, "pricing_cost", &dims, p.cost);
    }
    t.write(out);
    skipped(out, "pricing_analytics", bad);
}

/// Template analytics data points → `template_sent` / `template_delivered` /
/// `template_read` / `template_clicked` (sum of `clicked[].count`) / `template_cost`
/// (`cost[type=amount_spent]`; the per-unit costs are ratios and not summed) per bucket,
/// summed over templates, plus slices per template (`template_id`) and per template and
/// button type (`template_id,button_type`) for clicks.
pub(crate) fn template_points(points: &[Value], out: &mut InsightsResult) {
    let mut t = Totals::default();
    let mut bad = 0;
    for raw in points {
        let p: TemplatePoint = serde_json::from_value(raw.clone()).unwrap_or_default();
        let Some(b) = bucket(p.start, p.end) else {
            bad += 1;
            continue;
        };
        let clicked: Option<f64> = p.clicked.as_ref().map(|c| c.iter().filter_map(|c| c.count).sum());
        let cost: Option<f64> = p.cost.as_ref().and_then(|c| {
            c.iter()
                .find(|c| c.kind.as_deref() == Some("amount_spent"))
                .and_then(|c| c.value)
        });
        let fields = [
            ("template_analytics.data_points.sent", "template_sent", p.sent),
            (
                "template_analytics.data_points.delivered",
                "template_delivered",
                p.delivered,
            ),
            ("template_analytics.data_points.read", "template_read", p.read),
            ("template_analytics.data_points.clicked", "template_clicked", clicked),
            (
                "template_analytics.data_points.cost.amount_spent",
                "template_cost",
                cost,
            ),
        ];
        let id = p.template_id.as_deref();
        for (field, key, value) in fields {
            t.add(&b, field, value);
            if key != "template_clicked" {
                t.slice(&b, key, &[("template_id", id)], value);
            }
        }
        for c in p.clicked.as_deref().unwrap_or_default() {
            t.slice(
                &b,
                "template_clicked",
                &[("template_id", id), ("button_type", c.kind.as_deref())],
                c.count,
            );
        }
    }
    t.write(out);
    skipped(out, "template_analytics", bad);
}

fn day_start(at: DateTime<Utc>) -> DateTime<Utc> {
    at.duration_trunc(Duration::days(1)).unwrap_or(at)
}

fn webhook_error(message: impl std::fmt::Display, payload: &Value) -> PlatformError {
    PlatformError::decode("webhook", message, payload.to_string().as_bytes())
}

/// Reads a WhatsApp webhook payload (`{"object":"whatsapp_business_account","entry":[{"id":<waba-id>,"time","changes":[{"field","value"}]}]}`)
/// into canonical facts (see [`WebhookFact`]):
/// - `messages` → per UTC day of the statuses' `timestamp` (or the entry's `time`), one
///   `messages_<status>` metric counting the payload's `statuses[]` of that status
///   (`sent`, `delivered`, `read`, `played`, `failed`); each failed status's error also
///   becomes a warning `meta_<code>`; other statuses and inbound `messages[]` give nothing.
/// - `message_template_quality_update` → slice `message_template` /
///   `template_id,quality_score` / `<id>,<new score>` (value 1) and a `template_quality`
///   warning (`warn` level unless the new score is `GREEN`).
/// - `message_template_status_update` → a `template_status` warning (`info` for
///   `APPROVED`, `warn` otherwise, with the reason).
/// - `phone_number_quality_update` → slice `phone_number` /
///   `display_phone_number,messaging_limit_tier` when `current_limit` is sent, and a
///   `phone_quality` warning.
/// - other fields are ignored.
///
/// Errors: [`PlatformError::Decode`] (endpoint `webhook`) when the payload is not an
/// object with `object == "whatsapp_business_account"` and an `entry` array.
pub fn parse_webhook(payload: &Value) -> Result<Vec<WebhookEvent>, PlatformError> {
    let hook: Webhook = serde_json::from_value(payload.clone()).map_err(|e| webhook_error(e, payload))?;
    if hook.object.as_deref() != Some("whatsapp_business_account") {
        return Err(webhook_error(
            format!("object is {:?}, not \"whatsapp_business_account\"", hook.object),
            payload,
        ));
    }
    let entries = hook.entry.ok_or_else(|| webhook_error("no entry array", payload))?;
    let mut events = Vec::new();
    for raw in entries {
        let Ok(entry) = serde_json::from_value::<Entry>(raw) else {
            continue;
        };
        let Some(waba_id) = entry.id.clone().filter(|s| !s.is_empty()) else {
            continue;
        };
        let entry_time = entry.time.and_then(from_unix);
        for change in &entry.changes {
            let Some(field) = change.field.as_deref() else { continue };
            let mut push = |fact: WebhookFact| {
                events.push(WebhookEvent {
                    waba_id: waba_id.clone(),
                    field: field.to_string(),
                    fact,
                })
            };
            match field {
                "messages" => {
                    let v: MessagesValue = serde_json::from_value(change.value.clone()).unwrap_or_default();
                    status_facts(&v, entry_time, &mut push);
                }
                "message_template_quality_update" => {
                    let v: TemplateQualityValue = serde_json::from_value(change.value.clone()).unwrap_or_default();
                    let (Some(id), Some(new)) = (v.message_template_id.as_deref(), v.new_quality_score.as_deref())
                    else {
                        continue;
                    };
                    if let Some(at) = entry_time {
                        push(WebhookFact::Audience(AudienceSlice {
                            audience: "message_template".to_string(),
                            dimension: "template_id,quality_score".to_string(),
                            key: format!("{id},{new}"),
                            value: 1.0,
                            timeframe: format!("day:{}", at.format("%Y-%m-%d")),
                        }));
                    }
                    let level = if new.eq_ignore_ascii_case("GREEN") {
                        EventLevel::Info
                    } else {
                        EventLevel::Warn
                    };
                    push(WebhookFact::Warning(warning(
                        level,
                        "template_quality",
                        format!(
                            "template {} ({id}) quality {} → {new}",
                            v.message_template_name.as_deref().unwrap_or("?"),
                            v.previous_quality_score.as_deref().unwrap_or("?"),
                        ),
                    )));
                }
                "message_template_status_update" => {
                    let v: TemplateStatusValue = serde_json::from_value(change.value.clone()).unwrap_or_default();
                    let Some(event) = v.event.as_deref() else { continue };
                    let level = if event.eq_ignore_ascii_case("APPROVED") {
                        EventLevel::Info
                    } else {
                        EventLevel::Warn
                    };
                    let reason = v
                        .reason
                        .as_deref()
                        .filter(|r| !r.is_empty() && !r.eq_ignore_ascii_case("NONE"))
                        .map(|r| format!(" (reason: {r})"))
                        .unwrap_or_default();
                    push(WebhookFact::Warning(warning(
                        level,
                        "template_status",
                        format!(
                            "template {} ({}, {}, {}) is {event}{reason}",
                            v.message_template_name.as_deref().unwrap_or("?"),
                            v.message_template_id.as_deref().unwrap_or("?"),
                            v.message_template_language.as_deref().unwrap_or("?"),
                            v.message_template_category.as_deref().unwrap_or("?"),
                        ),
                    )));
                }
                "phone_number_quality_update" => {
                    let v: PhoneQualityValue = serde_json::from_value(change.value.clone()).unwrap_or_default();
                    let number = v.display_phone_number.as_deref().unwrap_or("?");
                    if let (Some(limit), Some(at)) = (v.current_limit.as_deref(), entry_time) {
                        push(WebhookFact::Audience(AudienceSlice {
                            audience: "phone_number".to_string(),
                            dimension: "display_phone_number,messaging_limit_tier".to_string(),
                            key: format!("{number},{limit}"),
                            value: 1.0,
                            timeframe: format!("day:{}", at.format("%Y-%m-%d")),
                        }));
                    }
                    push(WebhookFact::Warning(warning(
                        EventLevel::Warn,
                        "phone_quality",
                        format!(
                            "phone number {number}: {} (limit {})",
                            v.event.as_deref().unwrap_or("quality update"),
                            v.current_limit.as_deref().unwrap_or("?")
                        ),
                    )));
                }
                _ => {}
            }
        }
    }
    Ok(events)
}

fn status_facts(v: &MessagesValue, entry_time: Option<DateTime<Utc>>, push: &mut impl FnMut(WebhookFact)) {
    let mut counts: BTreeMap<(DateTime<Utc>, &'static str), f64> = BTreeMap::new();
    let mut untimed = 0;
    for s in &v.statuses {
        let Some(status) = s.status.as_deref() else { continue };
        let field = format!("statuses.{}", status.to_ascii_lowercase());
        let Some((m, _)) = from_source(WA, &field) else {
            continue;
        };
        let Some(at) = s.timestamp.and_then(from_unix).or(entry_time) else {
            untimed += 1;
            continue;
        };
        *counts.entry((day_start(at), m.key)).or_insert(0.0) += 1.0;
        for e in &s.errors {
            let code = e
                .code
                .map(|c| format!("meta_{c}"))
                .unwrap_or_else(|| "meta_error".into());
            push(WebhookFact::Warning(warning(
                EventLevel::Warn,
                &code,
                format!(
                    "message to phone number id {} failed: {}",
                    v.metadata
                        .as_ref()
                        .and_then(|m| m.phone_number_id.as_deref())
                        .unwrap_or("?"),
                    e.title.as_deref().unwrap_or("no title")
                ),
            )));
        }
    }
    for ((day, key), value) in counts {
        push(WebhookFact::Metric(AccountMetric {
            metric: key.to_string(),
            period: Period::Day,
            period_start: day,
            period_end: day + Duration::days(1),
            value: Some(value),
        }));
    }
    if untimed > 0 {
        push(WebhookFact::Warning(warning(
            EventLevel::Warn,
            "decode",
            format!("{untimed} message statuses without a timestamp were not counted"),
        )));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn buckets_follow_the_span() {
        let day = bucket(Some(1_543_543_200), Some(1_543_629_600)).expect("day");
        assert_eq!(day.period, PeriodKey::Day);
        assert_eq!(day.timeframe, "day:2018-11-30");
        // A 23-hour DST day is still a day.
        assert_eq!(
            bucket(Some(1_000_000_000), Some(1_000_000_000 + 23 * 3600)).map(|b| b.period),
            Some(PeriodKey::Day)
        );
        let month = bucket(Some(1_685_602_800), Some(1_688_194_800)).expect("month");
        assert_eq!(month.period, PeriodKey::Month);
        assert_eq!(month.timeframe, "month:2023-06");
        let half = bucket(Some(1_685_527_200), Some(1_685_529_000)).expect("half hour");
        assert_eq!(half.period, PeriodKey::Total);
        assert_eq!(half.timeframe, "range:2023-05-31T10:00:00Z/2023-05-31T10:30:00Z");
        assert!(bucket(Some(10), Some(10)).is_none());
        assert!(bucket(None, Some(10)).is_none());
    }

    #[test]
    fn clamping_keeps_only_the_lookback() {
        let until = Utc.with_ymd_and_hms(2026, 11, 20, 0, 0, 0).unwrap();
        let w = CollectWindow {
            since: until - Duration::days(400),
            until,
        };
        let c = clamp_window(w, 90).expect("window");
        assert_eq!(c.since, until - Duration::days(90));
        let short = CollectWindow {
            since: until - Duration::days(3),
            until,
        };
        assert_eq!(clamp_window(short, 90), Some(short));
        assert_eq!(clamp_window(CollectWindow { since: until, until }, 90), None);
    }
}
