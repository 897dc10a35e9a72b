//! WhatsApp: every recorded WABA analytics exchange in `shared/fixtures/whatsapp` is
//! replayed by the sandbox (one file per sandbox), read by the real
//! `alcance_platforms::whatsapp::WhatsAppClient`, saved into a fresh store, read back and
//! compared field by field with sums computed independently from the fixture JSON (through
//! `alcance_core::catalog::map_value`). Every `*.webhook.json` payload is parsed with
//! `parse_webhook` and its canonical facts compared with the payload JSON.

use alcance_core::catalog::map_value;
use alcance_core::{AccountRef, CollectionBatch, Platform};
use alcance_platforms::whatsapp::{parse_webhook, Granularity, WebhookFact, WhatsAppClient};
use alcance_platforms::{CollectWindow, Endpoints, Http, Recorder};
use alcance_store::RowFilter;
use alcance_tests::{
    fixture_diff, fixture_dir_or_skip, fixture_file_name, fixture_query, fixture_read, fixture_stored_account_metrics,
    FixtureStore, ReplayCheck,
};
use anyhow::{anyhow, bail, ensure};
use chrono::{DateTime, SecondsFormat, TimeZone, Utc};
use secrecy::SecretString;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

const WA: Platform = Platform::Whatsapp;

/// Which client call reads an exchange.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Read {
    /// `GET /{waba}?fields=analytics…` → `analytics`.
    Messaging,
    /// `GET /{waba}?fields=conversation_analytics…` → `conversation_analytics`.
    Conversation,
    /// `GET /{waba}?fields=pricing_analytics…` → `pricing_analytics`.
    Pricing,
    /// `GET /{waba}/template_analytics` → `template_analytics`.
    Template,
}

/// Every WhatsApp exchange file and the client call that reads it.
const CLASSIFIED: &[(&str, Read)] = &[
    ("meta-docs__waba-analytics-day.json", Read::Messaging),
    (
        "meta-docs__waba-conversation-analytics-half-hour.json",
        Read::Conversation,
    ),
    (
        "meta-docs__waba-conversation-analytics-monthly-dims.json",
        Read::Conversation,
    ),
    ("meta-docs__waba-pricing-analytics-daily-tier.json", Read::Pricing),
    ("meta-docs__waba-template-analytics-daily.json", Read::Template),
];

#[tokio::test]
async fn every_recorded_whatsapp_exchange_is_stored_field_by_field() {
    ReplayCheck {
        platform: "whatsapp",
        test_file: "tests/tests/replay_whatsapp.rs",
        classified: CLASSIFIED,
    }
    .run(check_exchange)
    .await;
}

fn unix(v: &Value) -> anyhow::Result<DateTime<Utc>> {
    let s = v.as_i64().ok_or_else(|| anyhow!("{v} is not a Unix time"))?;
    Utc.timestamp_opt(s, 0)
        .single()
        .ok_or_else(|| anyhow!("{s} is out of range"))
}

/// `(period, timeframe)` of `[start, end)` as the module docs define them.
fn bucket(start: DateTime<Utc>, end: DateTime<Utc>) -> (&'static str, String) {
    let span = (end - start).num_seconds();
    let mid = start + (end - start) / 2;
    if (82_800..=90_000).contains(&span) {
        ("day", format!("day:{}", mid.format("%Y-%m-%d")))
    } else if (27 * 86_400 - 3_600..=31 * 86_400 + 3_600).contains(&span) {
        ("month", format!("month:{}", mid.format("%Y-%m")))
    } else {
        (
            "total",
            format!(
                "range:{}/{}",
                start.to_rfc3339_opts(SecondsFormat::Secs, true),
                end.to_rfc3339_opts(SecondsFormat::Secs, true)
            ),
        )
    }
}

#[derive(Default)]
struct Expected {
    metrics: BTreeMap<String, Option<f64>>,
    audience: BTreeMap<String, Option<f64>>,
}

impl Expected {
    fn add(&mut self, waba: &str, field: &str, p: &Value, raw: Option<f64>) -> anyhow::Result<()> {
        let key = map_value(WA, field, 1.0)
            .map(|(k, _)| k)
            .ok_or_else(|| anyhow!("{field} is not in the catalog"))?;
        let (start, end) = (unix(&p["start"])?, unix(&p["end"])?);
        let (period, _) = bucket(start, end);
        let cell = self
            .metrics
            .entry(format!("{waba} {key} {period} {start}..{end}"))
            .or_insert(None);
        if let Some(v) = raw.and_then(|v| map_value(WA, field, v)).map(|(_, v)| v) {
            *cell = Some(cell.unwrap_or(0.0) + v);
        }
        Ok(())
    }

    fn slice(&mut self, waba: &str, field: &str, p: &Value, dims: &[&str], raw: Option<f64>) -> anyhow::Result<()> {
        let Some(v) = raw else { return Ok(()) };
        let audience = map_value(WA, field, 1.0)
            .map(|(k, _)| k)
            .ok_or_else(|| anyhow!("{field} is not in the catalog"))?;
        let present: Vec<(&str, String)> = dims
            .iter()
            .filter_map(|d| p[*d].as_str().filter(|s| !s.is_empty()).map(|s| (*d, s.to_string())))
            .collect();
        if present.is_empty() {
            return Ok(());
        }
        let dimension = present.iter().map(|(k, _)| *k).collect::<Vec<_>>().join(",");
        let key = present.iter().map(|(_, v)| v.as_str()).collect::<Vec<_>>().join(",");
        let (_, timeframe) = bucket(unix(&p["start"])?, unix(&p["end"])?);
        *self
            .audience
            .entry(format!("{waba} {audience} {dimension} {key} {timeframe}"))
            .or_insert(Some(0.0)) = Some(
            self.audience
                .get(&format!("{waba} {audience} {dimension} {key} {timeframe}"))
                .copied()
                .flatten()
                .unwrap_or(0.0)
                + v,
        );
        Ok(())
    }
}

/// `start`..`end` of all data points: the collection window that asks for exactly them.
fn window_of(points: &[&Value]) -> anyhow::Result<CollectWindow> {
    let mut since: Option<DateTime<Utc>> = None;
    let mut until: Option<DateTime<Utc>> = None;
    for p in points {
        let (s, e) = (unix(&p["start"])?, unix(&p["end"])?);
        since = Some(since.map_or(s, |x| x.min(s)));
        until = Some(until.map_or(e, |x| x.max(e)));
    }
    match (since, until) {
        (Some(since), Some(until)) => Ok(CollectWindow { since, until }),
        _ => bail!("no data points recorded"),
    }
}

fn points(list: &Value) -> Vec<&Value> {
    list.as_array()
        .into_iter()
        .flatten()
        .flat_map(|d| d["data_points"].as_array().into_iter().flatten())
        .collect()
}

async fn check_exchange(exchange: &Value, endpoints: &Endpoints, read: Read) -> anyhow::Result<()> {
    let body = exchange
        .pointer("/response/body")
        .ok_or_else(|| anyhow!("no response.body"))?;
    let path = exchange
        .pointer("/request/path")
        .and_then(Value::as_str)
        .ok_or_else(|| anyhow!("no request.path"))?;
    let segs: Vec<&str> = path
        .split('/')
        .filter(|s| !s.is_empty() && !s.starts_with('v'))
        .collect();
    let waba = segs.first().copied().ok_or_else(|| anyhow!("no WABA id in {path}"))?;
    let client = WhatsAppClient::new(Http::new()?, endpoints.clone());
    let token = SecretString::from("replay-token-for-whatsapp-fixtures".to_string());
    let rec = Recorder::new();
    let mut want = Expected::default();
    let result = match read {
        Read::Messaging => {
            let pts: Vec<&Value> = body
                .pointer("/analytics/data_points")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .collect();
            for p in &pts {
                want.add(waba, "analytics.data_points.sent", p, p["sent"].as_f64())?;
                want.add(waba, "analytics.data_points.delivered", p, p["delivered"].as_f64())?;
            }
            client
                .analytics(&token, waba, window_of(&pts)?, Granularity::Day, &rec)
                .await?
        }
        Read::Conversation => {
            let pts = points(&body["conversation_analytics"]["data"]);
            let dims = [
                "conversation_category",
                "conversation_direction",
                "conversation_type",
                "country",
                "phone_number",
            ];
            for p in &pts {
                for (field, name) in [
                    ("conversation_analytics.data_points.conversation", "conversation"),
                    ("conversation_analytics.data_points.cost", "cost"),
                ] {
                    want.add(waba, field, p, p[name].as_f64())?;
                    want.slice(waba, field, p, &dims, p[name].as_f64())?;
                }
            }
            let granularity = if fixture_query(exchange)
                .iter()
                .any(|(_, v)| v.contains("granularity(MONTHLY)"))
            {
                Granularity::Month
            } else {
                Granularity::Day
            };
            client
                .conversation_analytics(&token, waba, window_of(&pts)?, granularity, &rec)
                .await?
        }
        Read::Pricing => {
            let pts = points(&body["pricing_analytics"]["data"]);
            let dims = ["pricing_category", "pricing_type", "tier", "country", "phone_number"];
            for p in &pts {
                for (field, name) in [
                    ("pricing_analytics.data_points.volume", "volume"),
                    ("pricing_analytics.data_points.cost", "cost"),
                ] {
                    want.add(waba, field, p, p[name].as_f64())?;
                    want.slice(waba, field, p, &dims, p[name].as_f64())?;
                }
            }
            client
                .pricing_analytics(&token, waba, window_of(&pts)?, Granularity::Day, &rec)
                .await?
        }
        Read::Template => {
            let pts = points(&body["data"]);
            let ids: Vec<String> = fixture_query(exchange)
                .into_iter()
                .find(|(k, _)| k == "template_ids")
                .map(|(_, v)| {
                    v.trim_matches(['[', ']'])
                        .split(',')
                        .map(|s| s.trim().to_string())
                        .filter(|s| !s.is_empty())
                        .collect()
                })
                .ok_or_else(|| anyhow!("no recorded template_ids"))?;
            for p in &pts {
                let clicked = p["clicked"]
                    .as_array()
                    .map(|c| c.iter().filter_map(|c| c["count"].as_f64()).sum::<f64>());
                let cost = p["cost"].as_array().and_then(|c| {
                    c.iter()
                        .find(|c| c["type"] == "amount_spent")
                        .and_then(|c| c["value"].as_f64())
                });
                for (field, value) in [
                    ("template_analytics.data_points.sent", p["sent"].as_f64()),
                    ("template_analytics.data_points.delivered", p["delivered"].as_f64()),
                    ("template_analytics.data_points.read", p["read"].as_f64()),
                    ("template_analytics.data_points.clicked", clicked),
                    ("template_analytics.data_points.cost.amount_spent", cost),
                ] {
                    want.add(waba, field, p, value)?;
                    if !field.ends_with("clicked") {
                        want.slice(waba, field, p, &["template_id"], value)?;
                    }
                }
                for c in p["clicked"].as_array().into_iter().flatten() {
                    let mut cell: Value = (*p).clone();
                    cell["button_type"] = c["type"].clone();
                    want.slice(
                        waba,
                        "template_analytics.data_points.clicked",
                        &cell,
                        &["template_id", "button_type"],
                        c["count"].as_f64(),
                    )?;
                }
            }
            let window = window_of(&pts)?;
            client.template_analytics(&token, waba, &ids, window, &rec).await?
        }
    };
    ensure!(!result.halted, "the step halted: {:?}", result.warnings);
    ensure!(result.warnings.is_empty(), "warnings: {:?}", result.warnings);
    ensure!(result.gaps.is_empty(), "gaps: {:?}", result.gaps);
    let raw = rec.take();
    ensure!(!raw.is_empty(), "no request was archived");
    let fs = FixtureStore::open().await?;
    let account = AccountRef {
        platform: WA,
        external_id: waba.to_string(),
        username: None,
        owned: true,
    };
    let batch = CollectionBatch {
        account_metrics: result.account_metrics,
        audience: result.audience,
        ..CollectionBatch::default()
    };
    fs.save(&account, &batch, &raw).await?;
    let got = fixture_stored_account_metrics(&fs.store).await?;
    let mut differences = fixture_diff("account metric", &want.metrics, &got);
    let mut got = BTreeMap::new();
    for r in fs.store.audience_rows(&RowFilter::default()).await? {
        got.insert(
            format!("{} {} {} {} {}", r.user_id, r.audience, r.dimension, r.key, r.timeframe),
            r.value,
        );
    }
    differences.extend(fixture_diff("audience", &want.audience, &got));
    ensure!(differences.is_empty(), "\n  {}", differences.join("\n  "));
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Webhook payloads

#[test]
fn every_whatsapp_webhook_payload_parses_into_canonical_facts() {
    let Some(dir) = fixture_dir_or_skip() else {
        return;
    };
    let mut names: Vec<_> = std::fs::read_dir(dir.join("whatsapp"))
        .expect("the whatsapp fixture folder is readable")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| fixture_file_name(p).ends_with(".webhook.json"))
        .collect();
    names.sort();
    assert!(!names.is_empty(), "no webhook payloads in {}", dir.display());
    let failures: Vec<String> = names
        .iter()
        .filter_map(|p| {
            check_webhook(p)
                .err()
                .map(|e| format!("whatsapp/{}: {e:#}", fixture_file_name(p)))
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn check_webhook(file: &Path) -> anyhow::Result<()> {
    let payload = fixture_read(file)?["webhook"].clone();
    let events = parse_webhook(&payload)?;
    let mut want_metrics: BTreeMap<String, Option<f64>> = BTreeMap::new();
    let mut want_slices: BTreeMap<String, Option<f64>> = BTreeMap::new();
    let mut want_warnings: Vec<String> = Vec::new();
    for entry in payload["entry"].as_array().into_iter().flatten() {
        let waba = entry["id"].as_str().unwrap_or_default();
        let time = entry["time"].as_i64();
        for change in entry["changes"].as_array().into_iter().flatten() {
            let v = &change["value"];
            match change["field"].as_str() {
                Some("messages") => {
                    for s in v["statuses"].as_array().into_iter().flatten() {
                        let status = s["status"].as_str().unwrap_or_default();
                        let Some((key, one)) = map_value(WA, &format!("statuses.{status}"), 1.0) else {
                            continue;
                        };
                        let at = s["timestamp"]
                            .as_str()
                            .and_then(|t| t.parse::<i64>().ok())
                            .or(time)
                            .ok_or_else(|| anyhow!("a status without a time"))?;
                        let day = unix(&Value::from(at - at.rem_euclid(86_400)))?;
                        let cell = want_metrics
                            .entry(format!("{waba} {key} day {day}"))
                            .or_insert(Some(0.0));
                        *cell = Some(cell.unwrap_or(0.0) + one);
                        for e in s["errors"].as_array().into_iter().flatten() {
                            want_warnings.push(format!("meta_{}", e["code"]));
                        }
                    }
                }
                Some("message_template_quality_update") => {
                    let id = match &v["message_template_id"] {
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    let score = v["new_quality_score"].as_str().unwrap_or_default();
                    let day = unix(&Value::from(time.ok_or_else(|| anyhow!("no entry time"))?))?;
                    want_slices.insert(
                        format!(
                            "{waba} message_template template_id,quality_score {id},{score} day:{}",
                            day.format("%Y-%m-%d")
                        ),
                        Some(1.0),
                    );
                    want_warnings.push("template_quality".to_string());
                }
                Some("message_template_status_update") => want_warnings.push("template_status".to_string()),
                _ => {}
            }
        }
    }
    let mut got_metrics = BTreeMap::new();
    let mut got_slices = BTreeMap::new();
    let mut got_warnings = Vec::new();
    for e in &events {
        match &e.fact {
            WebhookFact::Metric(m) => {
                ensure!(
                    m.period_end - m.period_start == chrono::Duration::days(1),
                    "{} is not one day",
                    m.metric
                );
                got_metrics.insert(format!("{} {} day {}", e.waba_id, m.metric, m.period_start), m.value);
            }
            WebhookFact::Audience(a) => {
                got_slices.insert(
                    format!("{} {} {} {} {}", e.waba_id, a.audience, a.dimension, a.key, a.timeframe),
                    Some(a.value),
                );
            }
            WebhookFact::Warning(w) => got_warnings.push(w.code.clone()),
        }
    }
    let mut differences = fixture_diff("webhook metric", &want_metrics, &got_metrics);
    differences.extend(fixture_diff("webhook slice", &want_slices, &got_slices));
    want_warnings.sort();
    got_warnings.sort();
    if want_warnings != got_warnings {
        differences.push(format!("warnings {got_warnings:?}, expected {want_warnings:?}"));
    }
    ensure!(differences.is_empty(), "\n  {}", differences.join("\n  "));
    Ok(())
}
