//! Meta's documented WhatsApp analytics examples (`../shared/fixtures/whatsapp/meta-docs__*.json`)
//! served by the fake and read through the WhatsApp client's wire DTOs and mapping, and the
//! recorded webhook payloads (`*.webhook.json`) read by `parse_webhook`, checked field by
//! field against the recordings. Skips with a message when the folder is absent.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::meta_fake;

use alcance_core::{AccountMetric, EventLevel, Period};
use alcance_platforms::whatsapp::{parse_webhook, Granularity, InsightsResult, WebhookFact, WhatsAppClient};
use alcance_platforms::{CollectWindow, Http, PlatformError, Recorder};
use chrono::{DateTime, Duration, DurationRound, TimeZone, Utc};
use meta_fake::common::{fixtures_dir, json_files, read_json};
use meta_fake::{token, FakeGraph, Reply, Req};
use serde_json::{json, Value};
use std::collections::BTreeMap;

fn strip_version(path: &str) -> String {
    match path.strip_prefix("/v25.0") {
        Some(rest) => rest.to_string(),
        None => path.to_string(),
    }
}

fn ts(n: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(n, 0).single().expect("timestamp")
}

/// `start(<n>)` / `end(<n>)` of a `fields=` expansion.
fn field_arg(fields: &str, name: &str) -> Option<i64> {
    let at = fields.find(&format!(".{name}("))? + name.len() + 2;
    fields[at..].split(')').next()?.parse().ok()
}

fn points(body: &Value, field: &str) -> Vec<Value> {
    match field {
        "analytics" => body["analytics"]["data_points"].as_array().cloned().unwrap_or_default(),
        _ => body[field]["data"]
            .as_array()
            .map(|groups| {
                groups
                    .iter()
                    .flat_map(|g| g["data_points"].as_array().cloned().unwrap_or_default())
                    .collect()
            })
            .unwrap_or_default(),
    }
}

fn find<'a>(ms: &'a [AccountMetric], key: &str, start: i64, end: i64) -> &'a AccountMetric {
    ms.iter()
        .find(|m| m.metric == key && m.period_start == ts(start) && m.period_end == ts(end))
        .unwrap_or_else(|| panic!("{key} [{start},{end}) missing in {ms:#?}"))
}

fn close(a: Option<f64>, b: f64) -> bool {
    a.is_some_and(|a| (a - b).abs() < 1e-9)
}

/// Sums of `field` per (start, end) over the recorded points, like the client's totals.
fn sums(points: &[Value], field: &str) -> BTreeMap<(i64, i64), f64> {
    let mut out = BTreeMap::new();
    for p in points {
        let (Some(s), Some(e)) = (p["start"].as_i64(), p["end"].as_i64()) else {
            continue;
        };
        if let Some(v) = p[field].as_f64() {
            *out.entry((s, e)).or_insert(0.0) += v;
        }
    }
    out
}

async fn analytics_exchange(name: &str, v: &Value) -> String {
    let req = &v["request"];
    let path = strip_version(req["path"].as_str().unwrap_or_default());
    let body = v["response"]["body"].clone();
    let waba = path
        .trim_start_matches('/')
        .split('/')
        .next()
        .unwrap_or_default()
        .to_string();
    let reply = Reply::json(body.clone());
    let rec = Recorder::new();
    let t = token();
    if path.ends_with("/template_analytics") {
        let q = &req["query"];
        let start: i64 = q["start"].as_str().and_then(|s| s.parse().ok()).expect("start");
        let end: i64 = q["end"].as_str().and_then(|s| s.parse().ok()).expect("end");
        let ids: Vec<String> = q["template_ids"]
            .as_str()
            .unwrap_or_default()
            .trim_matches(|c| c == '[' || c == ']')
            .split(',')
            .map(str::to_string)
            .collect();
        let p = path.clone();
        let fake = FakeGraph::start(move |r: &Req| (r.path == p).then(|| reply.clone())).await;
        let c = WhatsAppClient::new(Http::new().expect("http"), fake.endpoints());
        let window = CollectWindow {
            since: ts(start),
            until: ts(end),
        };
        let r = c
            .template_analytics(&t, &waba, &ids, window, &rec)
            .await
            .expect("template analytics");
        let sent_req = &fake.requests()[0];
        assert_eq!(sent_req.q("template_ids"), Some("[1421988012088524,2632273056924580]"));
        let pts: Vec<Value> = body["data"]
            .as_array()
            .map(|groups| {
                groups
                    .iter()
                    .flat_map(|g| g["data_points"].as_array().cloned().unwrap_or_default())
                    .collect()
            })
            .unwrap_or_default();
        assert_eq!(pts.len(), 2);
        for (field, key) in [
            ("sent", "template_sent"),
            ("delivered", "template_delivered"),
            ("read", "template_read"),
        ] {
            for ((s, e), total) in sums(&pts, field) {
                assert!(close(find(&r.account_metrics, key, s, e).value, total), "{key}");
            }
        }
        let (s, e) = (1718064000, 1718150400);
        assert_eq!(find(&r.account_metrics, "template_clicked", s, e).value, Some(124.0));
        assert!(close(find(&r.account_metrics, "template_cost", s, e).value, 0.04));
        assert_eq!(find(&r.account_metrics, "template_sent", s, e).period, Period::Day);
        let slice = |aud: &str, key: &str| {
            r.audience
                .iter()
                .find(|a| a.audience == aud && a.key == key)
                .unwrap_or_else(|| panic!("{aud}/{key}"))
                .clone()
        };
        assert_eq!(
            slice("template_clicked", "2632273056924580,quick_reply_button").value,
            108.0
        );
        assert_eq!(
            slice("template_clicked", "2632273056924580,unique_url_button").value,
            16.0
        );
        assert!(close(Some(slice("template_cost", "1421988012088524").value), 0.01));
        assert_eq!(slice("template_sent", "1421988012088524").timeframe, "day:2024-06-11");
        assert!(r
            .audience
            .iter()
            .all(|a| a.audience != "template_clicked" || a.key.starts_with("2632273056924580")));
        return format!("{name}: {} template metrics", r.account_metrics.len());
    }

    let fields = req["query"]["fields"].as_str().unwrap_or_default().to_string();
    let (start, end) = (
        field_arg(&fields, "start").expect("start"),
        field_arg(&fields, "end").expect("end"),
    );
    let window = CollectWindow {
        since: ts(start),
        until: ts(end),
    };
    let kind = fields.split('.').next().unwrap_or_default().to_string();
    let granularity = if fields.contains("granularity(MONTH") {
        Granularity::Month
    } else {
        Granularity::Day
    };
    let (p, k) = (path.clone(), kind.clone());
    let fake = FakeGraph::start(move |r: &Req| {
        (r.path == p && r.q("fields").is_some_and(|f| f.starts_with(&format!("{k}.")))).then(|| reply.clone())
    })
    .await;
    let c = WhatsAppClient::new(Http::new().expect("http"), fake.endpoints());
    let pts = points(&body, &kind);
    assert!(!pts.is_empty(), "{name}: no data points recorded");
    let r: InsightsResult = match kind.as_str() {
        "analytics" => c.analytics(&t, &waba, window, granularity, &rec).await,
        "conversation_analytics" => c.conversation_analytics(&t, &waba, window, granularity, &rec).await,
        "pricing_analytics" => c.pricing_analytics(&t, &waba, window, granularity, &rec).await,
        other => panic!("{name}: no client method reads {other}"),
    }
    .expect("analytics");
    let pairs: &[(&str, &str)] = match kind.as_str() {
        "analytics" => &[("sent", "messages_sent"), ("delivered", "messages_delivered")],
        "conversation_analytics" => &[("conversation", "conversations"), ("cost", "conversation_cost")],
        _ => &[("volume", "pricing_volume"), ("cost", "pricing_cost")],
    };
    for (field, key) in pairs {
        let totals = sums(&pts, field);
        assert!(!totals.is_empty(), "{name}: {field}");
        for ((s, e), total) in totals {
            let m = find(&r.account_metrics, key, s, e);
            assert!(
                close(m.value, total),
                "{name}: {key} [{s},{e}) = {:?}, recorded {total}",
                m.value
            );
            let expected = match e - s {
                82_800..=90_000 => Period::Day,
                2_329_200..=2_682_000 => Period::Month,
                _ => Period::Total,
            };
            assert_eq!(m.period, expected, "{name}: {key}");
        }
    }
    // Every dimensioned point is one slice of the count metric.
    if kind != "analytics" {
        let audience = pairs[0].1;
        let n = r.audience.iter().filter(|a| a.audience == audience).count();
        assert_eq!(n, pts.len(), "{name}: one slice per recorded point");
    }
    match name {
        "meta-docs__waba-analytics-day.json" => {
            assert_eq!(
                find(&r.account_metrics, "messages_sent", 1543543200, 1543629600).value,
                Some(196093.0)
            );
            assert_eq!(
                find(&r.account_metrics, "messages_delivered", 1543802400, 1543888800).value,
                Some(124392.0)
            );
            assert_eq!(r.account_metrics.len(), 8);
        }
        "meta-docs__waba-conversation-analytics-half-hour.json" => {
            let m = find(&r.account_metrics, "conversations", 1685527200, 1685529000);
            assert_eq!((m.period, m.value), (Period::Total, Some(3.0)));
            let s = r
                .audience
                .iter()
                .find(|a| a.key == "AUTHENTICATION,REGULAR" && a.audience == "conversation_cost")
                .expect("slice");
            assert_eq!(s.dimension, "conversation_category,conversation_type");
            assert_eq!(s.value, 0.0128);
            assert_eq!(s.timeframe, "range:2023-05-31T10:30:00Z/2023-05-31T11:00:00Z");
        }
        "meta-docs__waba-conversation-analytics-monthly-dims.json" => {
            let m = find(&r.account_metrics, "conversations", 1685602800, 1688194800);
            assert_eq!((m.period, m.value), (Period::Month, Some(17576.0)));
            let with_direction = r
                .audience
                .iter()
                .find(|a| a.audience == "conversations" && a.value == 1558.0)
                .expect("first point");
            assert_eq!(
                with_direction.dimension,
                "conversation_category,conversation_direction,conversation_type,country,phone_number"
            );
            assert_eq!(with_direction.key, "AUTHENTICATION,UNKNOWN,REGULAR,US,15550458206");
            assert_eq!(with_direction.timeframe, "month:2023-06");
            assert!(r
                .audience
                .iter()
                .any(|a| a.key == "SERVICE,FREE_ENTRY_POINT,US,15550458206" && a.value == 1433.0));
        }
        "meta-docs__waba-pricing-analytics-daily-tier.json" => {
            let m = find(&r.account_metrics, "pricing_volume", 1748847600, 1748934000);
            assert_eq!(m.value, Some(7.0), "two rows of the same day are summed");
            assert_eq!(
                find(&r.account_metrics, "pricing_cost", 1748847600, 1748934000).value,
                Some(10.0)
            );
            let s = r
                .audience
                .iter()
                .find(|a| a.audience == "pricing_cost" && a.key == "AUTHENTICATION_INTERNATIONAL,REGULAR,0:750000,IN")
                .expect("tier slice");
            assert_eq!(s.dimension, "pricing_category,pricing_type,tier,country");
            assert_eq!(s.value, 4.6);
        }
        _ => {}
    }
    assert!(r.gaps.is_empty(), "{name}: {:?}", r.gaps);
    format!(
        "{name}: {} metrics, {} slices",
        r.account_metrics.len(),
        r.audience.len()
    )
}

fn webhook(name: &str, v: &Value) -> String {
    let payload = &v["webhook"];
    let events = parse_webhook(payload).unwrap_or_else(|e| panic!("{name}: {e}"));
    let entry = &payload["entry"][0];
    let waba = entry["id"].as_str().unwrap_or_default();
    assert!(events.iter().all(|e| e.waba_id == waba), "{name}");
    let change = &entry["changes"][0];
    let field = change["field"].as_str().unwrap_or_default();
    assert!(events.iter().all(|e| e.field == field));
    let value = &change["value"];
    match field {
        "messages" => {
            let status = value["statuses"][0]["status"].as_str().expect("status");
            let stamp: i64 = value["statuses"][0]["timestamp"]
                .as_str()
                .and_then(|s| s.parse().ok())
                .expect("timestamp");
            let day = ts(stamp).duration_trunc(Duration::days(1)).expect("day");
            let metrics: Vec<&AccountMetric> = events
                .iter()
                .filter_map(|e| match &e.fact {
                    WebhookFact::Metric(m) => Some(m),
                    _ => None,
                })
                .collect();
            assert_eq!(metrics.len(), 1, "{name}");
            let m = metrics[0];
            assert_eq!(m.metric, format!("messages_{status}"));
            assert_eq!(
                (m.period, m.period_start, m.period_end),
                (Period::Day, day, day + Duration::days(1))
            );
            assert_eq!(m.value, Some(1.0));
            let warnings: Vec<_> = events
                .iter()
                .filter_map(|e| match &e.fact {
                    WebhookFact::Warning(w) => Some(w),
                    _ => None,
                })
                .collect();
            if status == "failed" {
                let code = value["statuses"][0]["errors"][0]["code"].as_i64().expect("code");
                assert_eq!(warnings.len(), 1);
                assert_eq!(warnings[0].code, format!("meta_{code}"));
                assert!(warnings[0].message.contains("User's number is part of an experiment"));
            } else {
                assert!(warnings.is_empty(), "{name}: {warnings:?}");
            }
            format!("{name}: {} on {}", m.metric, day.date_naive())
        }
        "message_template_status_update" => {
            assert_eq!(events.len(), 1);
            let WebhookFact::Warning(w) = &events[0].fact else {
                panic!("{name}: {:?}", events[0])
            };
            let event = value["event"].as_str().expect("event");
            assert_eq!(w.code, "template_status");
            assert!(w.message.contains(event));
            assert!(w
                .message
                .contains(value["message_template_name"].as_str().unwrap_or_default()));
            assert!(w.message.contains(&value["message_template_id"].to_string()));
            if event == "APPROVED" {
                assert_eq!(w.level, EventLevel::Info);
                assert!(!w.message.contains("reason"), "reason NONE is not shown");
            } else {
                assert_eq!(w.level, EventLevel::Warn);
                assert!(w.message.contains("INVALID_FORMAT"));
            }
            format!("{name}: template {event}")
        }
        "message_template_quality_update" => {
            assert_eq!(events.len(), 2);
            let WebhookFact::Audience(s) = &events[0].fact else {
                panic!("{name}: {:?}", events[0])
            };
            assert_eq!(s.audience, "message_template");
            assert_eq!(s.dimension, "template_id,quality_score");
            assert_eq!(
                s.key,
                format!(
                    "{},{}",
                    value["message_template_id"],
                    value["new_quality_score"].as_str().unwrap_or_default()
                )
            );
            assert_eq!(s.key, "806312974732579,YELLOW");
            assert_eq!(s.value, 1.0);
            assert_eq!(s.timeframe, "day:2023-01-28");
            let WebhookFact::Warning(w) = &events[1].fact else {
                panic!("{name}")
            };
            assert_eq!((w.level, w.code.as_str()), (EventLevel::Warn, "template_quality"));
            assert!(w.message.contains("GREEN → YELLOW"), "{}", w.message);
            format!("{name}: quality {}", s.key)
        }
        other => panic!("{name}: unexpected webhook field {other}"),
    }
}

#[tokio::test]
async fn every_recorded_whatsapp_exchange_and_webhook_reads_through_the_client() {
    let Some(dir) = fixtures_dir("whatsapp") else {
        eprintln!("skipped: ../shared/fixtures/whatsapp not found (set ALCANCE_FIXTURES_DIR to run)");
        return;
    };
    let all = json_files(&dir);
    assert!(!all.is_empty());
    let (mut exchanges, mut hooks) = (0, 0);
    for f in &all {
        let name = f.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
        let v = read_json(f);
        let what = if name.ends_with(".webhook.json") {
            hooks += 1;
            webhook(&name, &v)
        } else {
            exchanges += 1;
            analytics_exchange(&name, &v).await
        };
        eprintln!("{what}");
    }
    assert!(exchanges >= 5 && hooks >= 10, "{exchanges} exchanges, {hooks} webhooks");
}

#[test]
fn payloads_that_are_not_whatsapp_webhooks_are_decode_errors() {
    for bad in [
        json!([]),
        json!("text"),
        json!({"object": "page", "entry": []}),
        json!({"object": "whatsapp_business_account"}),
    ] {
        let e = parse_webhook(&bad).expect_err("not a WhatsApp webhook");
        assert!(matches!(e, PlatformError::Decode { .. }), "{e:?}");
    }
    // Unknown fields and malformed changes give no facts, not errors.
    let odd = json!({"object": "whatsapp_business_account", "entry": [
        {"id": "105000000000001", "time": 1, "changes": [{"field": "account_update", "value": {}}, {"field": "messages", "value": 3}]},
        {"changes": "nope"}
    ]});
    assert_eq!(parse_webhook(&odd).expect("ok").len(), 0);
    // Two statuses of the same day in one payload are counted together.
    let two = json!({"object": "whatsapp_business_account", "entry": [{"id": "105000000000001", "changes": [{"field": "messages", "value": {
    "statuses": [
        {"id": "a", "status": "delivered", "timestamp": "1763600000"},
        {"id": "b", "status": "delivered", "timestamp": 1763610000},
        {"id": "c", "status": "deleted", "timestamp": "1763610000"}
    ]}}]}]});
    let events = parse_webhook(&two).expect("ok");
    assert_eq!(events.len(), 1);
    let WebhookFact::Metric(m) = &events[0].fact else {
        panic!("{events:?}")
    };
    assert_eq!((m.metric.as_str(), m.value), ("messages_delivered", Some(2.0)));
    assert_eq!(m.period_start, Utc.with_ymd_and_hms(2025, 11, 20, 0, 0, 0).unwrap());
}
