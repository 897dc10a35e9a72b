//! A whole WABA collection through `PlatformClient::collect`: every part lands, template
//! insights are never enabled by collecting, a rate limit stops further calls.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::meta_fake;

use alcance_core::{AccountRef, EventLevel, Period, Platform};
use alcance_platforms::whatsapp::WhatsAppClient;
use alcance_platforms::{CollectCtx, CollectWindow, Http, PlatformClient, PlatformError, Recorder};
use chrono::{Duration, TimeZone, Utc};
use meta_fake::{graph_error, token, FakeGraph, Reply, Req, TOKEN};
use serde_json::json;

const WABA: &str = "105000000000001";

fn ctx() -> CollectCtx {
    CollectCtx {
        account: AccountRef {
            platform: Platform::Whatsapp,
            external_id: WABA.to_string(),
            username: None,
            owned: true,
        },
        token: token(),
        window: CollectWindow {
            since: Utc.with_ymd_and_hms(2026, 11, 19, 3, 0, 0).unwrap(),
            until: Utc.with_ymd_and_hms(2026, 11, 20, 3, 0, 0).unwrap(),
        },
        recorder: Recorder::new(),
    }
}

fn graph(r: &Req, templates_enabled: bool) -> Option<Reply> {
    let start = Utc.with_ymd_and_hms(2026, 11, 19, 3, 0, 0).unwrap();
    let (s, e) = (start.timestamp(), (start + Duration::days(1)).timestamp());
    let node = format!("/{WABA}");
    let fields = r.q("fields").unwrap_or_default();
    match r.path.as_str() {
        p if p == node && fields.starts_with("id,name") => Some(Reply::json(json!({
            "id": WABA, "name": "Alcance Atendimento", "currency": "BRL", "timezone_id": "25"
        }))),
        p if p == node && fields.starts_with("analytics.") => Some(Reply::json(json!({
            "analytics": {"granularity": "DAY", "data_points": [{"start": s, "end": e, "sent": 300, "delivered": 290}]}, "id": WABA
        }))),
        p if p == node && fields.starts_with("conversation_analytics.") => Some(Reply::json(json!({
            "conversation_analytics": {"data": [{"data_points": [
                {"start": s, "end": e, "conversation": 25, "phone_number": "551140000001", "country": "BR",
                 "conversation_type": "REGULAR", "conversation_direction": "BUSINESS_INITIATED", "conversation_category": "MARKETING", "cost": 1.5625}
            ]}]}, "id": WABA
        }))),
        p if p == node && fields.starts_with("pricing_analytics.") => Some(Reply::json(json!({
            "pricing_analytics": {"data": [{"data_points": [
                {"start": s, "end": e, "country": "BR", "pricing_type": "REGULAR", "pricing_category": "UTILITY", "volume": 40, "cost": 0.32}
            ]}]}, "id": WABA
        }))),
        p if p == format!("/{WABA}/phone_numbers") => Some(Reply::json(json!({"data": [
            {"id": "106000000000001", "display_phone_number": "+55 11 4000-0001", "quality_rating": "GREEN", "messaging_limit_tier": "TIER_1K"}
        ]}))),
        p if p == format!("/{WABA}/message_templates") => Some(Reply::json(json!({"data": [
            {"id": "1421988012088524", "name": "boas_vindas", "status": "APPROVED", "category": "MARKETING", "language": "pt_BR"}
        ]}))),
        p if p == format!("/{WABA}/template_analytics") => Some(if templates_enabled {
            Reply::json(json!({"data": [{"granularity": "DAILY", "data_points": [
                {"template_id": "1421988012088524", "start": s, "end": e, "sent": 50, "delivered": 48, "read": 30,
                 "cost": [{"type": "amount_spent", "value": 2.1}]}
            ]}]}))
        } else {
            graph_error(
                400,
                100,
                None,
                "(#100) Template analytics is not enabled. Set is_enabled_for_insights to true.",
            )
        }),
        _ => None,
    }
}

#[tokio::test]
async fn a_waba_collects_every_part() {
    let fake = FakeGraph::start(|r: &Req| graph(r, true)).await;
    let c = WhatsAppClient::new(Http::new().expect("http"), fake.endpoints());
    assert_eq!(c.platform(), Platform::Whatsapp);
    let ctx = ctx();
    let b = c.collect(&ctx).await.expect("batch");
    let p = b.profile.as_ref().expect("profile");
    assert_eq!(p.external_id, WABA);
    assert_eq!(p.display_name.as_deref(), Some("Alcance Atendimento"));
    let v = |k: &str| {
        b.account_metrics
            .iter()
            .find(|m| m.metric == k)
            .unwrap_or_else(|| panic!("{k}"))
            .value
    };
    assert_eq!(v("messages_sent"), Some(300.0));
    assert_eq!(v("messages_delivered"), Some(290.0));
    assert_eq!(v("conversations"), Some(25.0));
    assert_eq!(v("conversation_cost"), Some(1.5625));
    assert_eq!(v("pricing_volume"), Some(40.0));
    assert_eq!(v("pricing_cost"), Some(0.32));
    assert_eq!(v("template_sent"), Some(50.0));
    assert_eq!(v("template_read"), Some(30.0));
    assert_eq!(v("template_cost"), Some(2.1));
    assert!(b.account_metrics.iter().all(|m| m.period == Period::Day));
    assert!(b
        .audience
        .iter()
        .any(|a| a.audience == "phone_number" && a.key == "106000000000001,GREEN" && a.timeframe == "day:2026-11-20"));
    assert!(b
        .audience
        .iter()
        .any(|a| a.audience == "conversations" && a.key == "MARKETING,BUSINESS_INITIATED,REGULAR,BR,551140000001"));
    assert!(b.gaps.is_empty(), "{:?}", b.gaps);
    assert!(b.warnings.is_empty(), "{:?}", b.warnings);
    assert!(
        fake.requests().iter().all(|r| r.method == "GET"),
        "collect never enables insights"
    );
    assert!(ctx.recorder.take().iter().all(|x| !x.url.contains(TOKEN)));
}

#[tokio::test]
async fn disabled_template_insights_are_a_gap_in_the_batch() {
    let fake = FakeGraph::start(|r: &Req| graph(r, false)).await;
    let c = WhatsAppClient::new(Http::new().expect("http"), fake.endpoints());
    let b = c.collect(&ctx()).await.expect("batch");
    assert_eq!(b.gaps.len(), 1, "{:?}", b.gaps);
    assert_eq!(b.gaps[0].code, "template_insights_disabled");
    assert!(b.account_metrics.iter().any(|m| m.metric == "conversations"));
    assert!(b.account_metrics.iter().all(|m| !m.metric.starts_with("template_")));
    assert!(fake.requests().iter().all(|r| r.method == "GET"));
}

#[tokio::test]
async fn a_rate_limit_stops_the_collection_and_a_bad_token_fails_it() {
    let fake = FakeGraph::start(|r: &Req| {
        if r.q("fields").is_some_and(|f| f.starts_with("conversation_analytics.")) {
            return Some(graph_error(400, 4, None, "(#4) Application request limit reached"));
        }
        graph(r, true)
    })
    .await;
    let c = WhatsAppClient::new(Http::new().expect("http"), fake.endpoints());
    let b = c.collect(&ctx()).await.expect("batch");
    assert!(b.account_metrics.iter().any(|m| m.metric == "messages_sent"));
    let stop: Vec<_> = b.warnings.iter().filter(|w| w.code == "rate_limited").collect();
    assert_eq!(stop.len(), 1, "{:?}", b.warnings);
    assert_eq!(stop[0].level, EventLevel::Warn);
    let later = fake
        .requests()
        .iter()
        .filter(|r| {
            r.q("fields").is_some_and(|f| f.starts_with("pricing_analytics."))
                || r.path.ends_with("message_templates")
                || r.path.ends_with("template_analytics")
        })
        .count();
    assert_eq!(later, 0, "no calls after the rate limit");

    let fake = FakeGraph::start(|r: &Req| {
        (r.path == format!("/{WABA}")).then(|| graph_error(401, 190, None, "Invalid OAuth access token."))
    })
    .await;
    let c = WhatsAppClient::new(Http::new().expect("http"), fake.endpoints());
    let e = c.collect(&ctx()).await.expect_err("190");
    assert!(matches!(e, PlatformError::Unauthorized { .. }));
    assert_eq!(fake.requests().len(), 1);
}
