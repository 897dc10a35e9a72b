//! WABA validation, phone numbers and the three analytics fields (messaging, conversation,
//! pricing): request syntax, periods, dimensions as slices, cost gaps, lookback clamping,
//! Graph errors.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::meta_fake;

use alcance_core::{AccountMetric, AudienceSlice, Period};
use alcance_platforms::whatsapp::{phone_number_slices, Granularity, WhatsAppClient, ANALYTICS_LOOKBACK_DAYS};
use alcance_platforms::{CollectWindow, Http, PlatformError, Recorder};
use chrono::{DateTime, Duration, TimeZone, Utc};
use meta_fake::{graph_error, token, FakeGraph, Reply, Req, TOKEN};
use serde_json::json;

const WABA: &str = "105000000000001";

fn client(fake: &FakeGraph) -> WhatsAppClient {
    WhatsAppClient::new(Http::new().expect("http"), fake.endpoints())
}

fn utc(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, 0, 0).unwrap()
}

fn window() -> CollectWindow {
    CollectWindow {
        since: utc(2026, 11, 18, 3),
        until: utc(2026, 11, 20, 3),
    }
}

fn fields_of(r: &Req) -> String {
    r.q("fields").unwrap_or_default().to_string()
}

fn metric<'a>(ms: &'a [AccountMetric], key: &str, start: DateTime<Utc>) -> &'a AccountMetric {
    ms.iter()
        .find(|m| m.metric == key && m.period_start == start)
        .unwrap_or_else(|| panic!("{key} at {start} missing in {ms:#?}"))
}

fn slice<'a>(s: &'a [AudienceSlice], audience: &str, key: &str) -> &'a AudienceSlice {
    s.iter()
        .find(|a| a.audience == audience && a.key == key)
        .unwrap_or_else(|| panic!("{audience}/{key} missing in {s:#?}"))
}

#[tokio::test]
async fn validate_reads_the_waba_and_rejects_bad_tokens() {
    let fake = FakeGraph::start(|r: &Req| {
        (r.path == format!("/{WABA}")).then(|| {
            assert_eq!(
                r.q("fields"),
                Some("id,name,currency,timezone_id,message_template_namespace")
            );
            Reply::json(json!({
                "id": WABA, "name": "Alcance Atendimento", "currency": "BRL", "timezone_id": "25",
                "message_template_namespace": "c8ae5f90_307a_ca4c_b8f6_d1e2a2573574"
            }))
        })
    })
    .await;
    let c = client(&fake);
    let p = c.validate(&token(), WABA, &Recorder::new()).await.expect("waba");
    assert_eq!(p.external_id, WABA);
    assert_eq!(p.display_name.as_deref(), Some("Alcance Atendimento"));
    let w = c.waba(&token(), WABA, &Recorder::new()).await.expect("waba");
    assert_eq!(w.currency.as_deref(), Some("BRL"));
    assert_eq!(w.timezone_id.as_deref(), Some("25"));

    for reply in [
        graph_error(401, 190, None, "Invalid OAuth access token - Cannot parse access token"),
        Reply::status(401, json!({})),
    ] {
        let fake = FakeGraph::start(move |r: &Req| (r.path == format!("/{WABA}")).then(|| reply.clone())).await;
        let e = client(&fake)
            .validate(&token(), WABA, &Recorder::new())
            .await
            .expect_err("401");
        assert!(matches!(e, PlatformError::Unauthorized { .. }), "{e:?}");
        assert!(!e.to_string().contains(TOKEN));
    }
    for reply in [
        Reply::raw(500, "text/html", "<html><head><title>Error</title></head></html>"),
        Reply::raw(200, "application/json", r#"{"id":"105000000000001","na"#),
    ] {
        let fake = FakeGraph::start(move |r: &Req| (r.path == format!("/{WABA}")).then(|| reply.clone())).await;
        let e = client(&fake)
            .validate(&token(), WABA, &Recorder::new())
            .await
            .expect_err("decode");
        assert!(matches!(e, PlatformError::Decode { .. }), "{e:?}");
    }
}

#[tokio::test]
async fn phone_numbers_and_their_quality_slices() {
    let fake = FakeGraph::start(|r: &Req| {
        (r.path == format!("/{WABA}/phone_numbers")).then(|| {
            assert_eq!(
                r.q("fields"),
                Some("id,display_phone_number,verified_name,quality_rating,messaging_limit_tier,throughput,name_status")
            );
            Reply::json(json!({"data": [
                {"id": "106000000000001", "display_phone_number": "+55 11 4000-0001", "verified_name": "Alcance Atendimento",
                 "quality_rating": "GREEN", "messaging_limit_tier": "TIER_1K", "name_status": "APPROVED",
                 "throughput": {"level": "STANDARD"}},
                {"id": "106000000000002", "display_phone_number": "+55 11 4000-0002", "quality_rating": "YELLOW"},
                {"display_phone_number": "no id"}
            ], "paging": {"cursors": {"before": "x", "after": "y"}}}))
        })
    })
    .await;
    let l = client(&fake)
        .phone_numbers(&token(), WABA, &Recorder::new())
        .await
        .expect("numbers");
    assert_eq!(l.items.len(), 2);
    let p = &l.items[0];
    assert_eq!(p.id, "106000000000001");
    assert_eq!(p.display_phone_number.as_deref(), Some("+55 11 4000-0001"));
    assert_eq!(p.verified_name.as_deref(), Some("Alcance Atendimento"));
    assert_eq!(p.quality_rating.as_deref(), Some("GREEN"));
    assert_eq!(p.messaging_limit_tier.as_deref(), Some("TIER_1K"));
    assert_eq!(p.name_status.as_deref(), Some("APPROVED"));
    assert_eq!(p.throughput_level.as_deref(), Some("STANDARD"));
    assert_eq!(l.warnings.len(), 1);
    assert_eq!(l.warnings[0].code, "decode");

    let s = phone_number_slices(&l.items, utc(2026, 11, 20, 12));
    assert_eq!(s.len(), 3);
    assert_eq!(s[0].audience, "phone_number");
    assert_eq!(s[0].dimension, "phone_number_id,quality_rating");
    assert_eq!(s[0].key, "106000000000001,GREEN");
    assert_eq!(s[0].value, 1.0);
    assert_eq!(s[0].timeframe, "day:2026-11-20");
    assert_eq!(s[1].dimension, "phone_number_id,messaging_limit_tier");
    assert_eq!(s[1].key, "106000000000001,TIER_1K");
    assert_eq!(s[2].key, "106000000000002,YELLOW");
}

#[tokio::test]
async fn messaging_analytics_by_day_and_by_month() {
    let day = utc(2026, 11, 18, 3);
    let fake = FakeGraph::start(move |r: &Req| {
        if r.path != format!("/{WABA}") {
            return None;
        }
        let f = fields_of(r);
        let points = if f.ends_with(".granularity(DAY)") {
            json!([
                {"start": day.timestamp(), "end": (day + Duration::days(1)).timestamp(), "sent": 1200, "delivered": 1130},
                {"start": (day + Duration::days(1)).timestamp(), "end": (day + Duration::days(2)).timestamp(), "sent": 980, "delivered": 0},
                {"start": "bad", "end": 1, "sent": 5}
            ])
        } else if f.ends_with(".granularity(MONTH)") {
            json!([{"start": utc(2026, 10, 1, 3).timestamp(), "end": utc(2026, 11, 1, 3).timestamp(), "sent": 30500, "delivered": 29000}])
        } else {
            return None;
        };
        Some(Reply::json(json!({"analytics": {"phone_numbers": ["5511400000001"], "granularity": "DAY", "data_points": points}, "id": WABA})))
    })
    .await;
    let c = client(&fake);
    let w = window();
    let r = c
        .analytics(&token(), WABA, w, Granularity::Day, &Recorder::new())
        .await
        .expect("analytics");
    let req = &fake.requests_to(&format!("/{WABA}"))[0];
    assert_eq!(
        fields_of(req),
        format!(
            "analytics.start({}).end({}).granularity(DAY)",
            w.since.timestamp(),
            w.until.timestamp()
        )
    );
    let sent = metric(&r.account_metrics, "messages_sent", day);
    assert_eq!(sent.value, Some(1200.0));
    assert_eq!(sent.period, Period::Day);
    assert_eq!(sent.period_end, day + Duration::days(1));
    assert_eq!(
        metric(&r.account_metrics, "messages_delivered", day).value,
        Some(1130.0)
    );
    let next = day + Duration::days(1);
    assert_eq!(metric(&r.account_metrics, "messages_sent", next).value, Some(980.0));
    assert_eq!(metric(&r.account_metrics, "messages_delivered", next).value, Some(0.0));
    assert_eq!(r.account_metrics.len(), 4);
    assert_eq!(r.warnings.len(), 1, "the unreadable point is reported");
    assert_eq!(r.warnings[0].code, "decode");

    let r = c
        .analytics(&token(), WABA, w, Granularity::Month, &Recorder::new())
        .await
        .expect("analytics");
    let m = metric(&r.account_metrics, "messages_sent", utc(2026, 10, 1, 3));
    assert_eq!(m.period, Period::Month);
    assert_eq!(m.value, Some(30500.0));
    assert_eq!(m.period_end, utc(2026, 11, 1, 3));
}

#[tokio::test]
async fn the_window_is_clamped_to_the_one_year_lookback() {
    let fake =
        FakeGraph::start(|r: &Req| (r.path == format!("/{WABA}")).then(|| Reply::json(json!({"id": WABA})))).await;
    let until = utc(2026, 11, 20, 0);
    let w = CollectWindow {
        since: until - Duration::days(900),
        until,
    };
    let c = client(&fake);
    let r = c
        .analytics(&token(), WABA, w, Granularity::Day, &Recorder::new())
        .await
        .expect("no data is fine");
    assert!(r.account_metrics.is_empty());
    let start = (until - Duration::days(ANALYTICS_LOOKBACK_DAYS)).timestamp();
    let f = fields_of(&fake.requests()[0]);
    assert!(
        f.starts_with(&format!("analytics.start({start}).end({})", until.timestamp())),
        "{f}"
    );
    c.conversation_analytics(&token(), WABA, w, Granularity::Day, &Recorder::new())
        .await
        .expect("conversation");
    c.pricing_analytics(&token(), WABA, w, Granularity::Day, &Recorder::new())
        .await
        .expect("pricing");
    for q in &fake.requests()[1..] {
        assert!(
            fields_of(q).contains(&format!(".start({start}).end(")),
            "{}",
            fields_of(q)
        );
    }
    // An empty window asks nothing.
    let empty = CollectWindow { since: until, until };
    let before = fake.requests().len();
    c.analytics(&token(), WABA, empty, Granularity::Day, &Recorder::new())
        .await
        .expect("empty");
    assert_eq!(fake.requests().len(), before);
}

#[tokio::test]
async fn conversation_analytics_sum_the_dimension_rows_and_keep_them_as_slices() {
    let d0 = utc(2026, 11, 18, 3);
    let d1 = d0 + Duration::days(1);
    let fake = FakeGraph::start(move |r: &Req| {
        (r.path == format!("/{WABA}") && fields_of(r).starts_with("conversation_analytics.")).then(|| {
            let p = |start: DateTime<Utc>, n: u32, cat: &str, dir: &str, cost: f64| {
                json!({"start": start.timestamp(), "end": (start + Duration::days(1)).timestamp(), "conversation": n,
                       "phone_number": "5511400000001", "country": "BR", "conversation_type": "REGULAR",
                       "conversation_direction": dir, "conversation_category": cat, "cost": cost})
            };
            Reply::json(json!({"conversation_analytics": {"data": [{"data_points": [
                p(d0, 40, "MARKETING", "BUSINESS_INITIATED", 2.5),
                p(d0, 12, "SERVICE", "USER_INITIATED", 0.0),
                p(d1, 7, "UTILITY", "BUSINESS_INITIATED", 0.0625)
            ]}]}, "id": WABA}))
        })
    })
    .await;
    let w = window();
    let r = client(&fake)
        .conversation_analytics(&token(), WABA, w, Granularity::Day, &Recorder::new())
        .await
        .expect("conversations");
    assert_eq!(
        fields_of(&fake.requests()[0]),
        format!(
            r#"conversation_analytics.start({}).end({}).granularity(DAILY).dimensions(["CONVERSATION_CATEGORY","CONVERSATION_DIRECTION","CONVERSATION_TYPE","COUNTRY","PHONE"])"#,
            w.since.timestamp(),
            w.until.timestamp()
        )
    );
    assert_eq!(metric(&r.account_metrics, "conversations", d0).value, Some(52.0));
    assert_eq!(metric(&r.account_metrics, "conversation_cost", d0).value, Some(2.5));
    assert_eq!(metric(&r.account_metrics, "conversations", d1).value, Some(7.0));
    assert_eq!(metric(&r.account_metrics, "conversation_cost", d1).value, Some(0.0625));
    assert!(r.account_metrics.iter().all(|m| m.period == Period::Day));
    let s = slice(
        &r.audience,
        "conversations",
        "MARKETING,BUSINESS_INITIATED,REGULAR,BR,5511400000001",
    );
    assert_eq!(
        s.dimension,
        "conversation_category,conversation_direction,conversation_type,country,phone_number"
    );
    assert_eq!(s.value, 40.0);
    assert_eq!(s.timeframe, "day:2026-11-18");
    assert_eq!(
        slice(
            &r.audience,
            "conversation_cost",
            "MARKETING,BUSINESS_INITIATED,REGULAR,BR,5511400000001"
        )
        .value,
        2.5
    );
    assert_eq!(
        slice(
            &r.audience,
            "conversations",
            "UTILITY,BUSINESS_INITIATED,REGULAR,BR,5511400000001"
        )
        .timeframe,
        "day:2026-11-19"
    );
    assert_eq!(r.audience.len(), 6);
    assert!(r.gaps.is_empty());
}

#[tokio::test]
async fn cost_not_available_is_a_gap_and_conversations_still_land() {
    let d0 = utc(2026, 11, 18, 3);
    let fake = FakeGraph::start(move |r: &Req| {
        if r.path != format!("/{WABA}") {
            return None;
        }
        let f = fields_of(r);
        if f.ends_with(r#".metric_types(["CONVERSATION"])"#) {
            return Some(Reply::json(json!({"conversation_analytics": {"data": [{"data_points": [
                {"start": d0.timestamp(), "end": (d0 + Duration::days(1)).timestamp(), "conversation": 9, "conversation_category": "SERVICE"}
            ]}]}, "id": WABA})));
        }
        Some(graph_error(400, 100, None, "(#100) Cost not available for this WhatsApp Business Account"))
    })
    .await;
    let r = client(&fake)
        .conversation_analytics(&token(), WABA, window(), Granularity::Day, &Recorder::new())
        .await
        .expect("conversations");
    assert_eq!(fake.requests().len(), 2, "asked again without COST");
    assert_eq!(metric(&r.account_metrics, "conversations", d0).value, Some(9.0));
    assert_eq!(
        metric(&r.account_metrics, "conversation_cost", d0).value,
        None,
        "no cost is null, not 0"
    );
    assert_eq!(r.gaps.len(), 1, "{:?}", r.gaps);
    assert_eq!(r.gaps[0].code, "cost_not_available");
    assert_eq!(r.gaps[0].what, "conversation_cost");
    assert_eq!(r.gaps[0].object_id, WABA);
    assert_eq!(
        slice(&r.audience, "conversations", "SERVICE").dimension,
        "conversation_category"
    );
}

#[tokio::test]
async fn pricing_analytics_by_category_and_type() {
    let d0 = utc(2026, 11, 18, 3);
    let fake = FakeGraph::start(move |r: &Req| {
        (r.path == format!("/{WABA}") && fields_of(r).starts_with("pricing_analytics.")).then(|| {
            let end = (d0 + Duration::days(1)).timestamp();
            Reply::json(json!({"pricing_analytics": {"data": [{"data_points": [
                {"start": d0.timestamp(), "end": end, "country": "BR", "phone_number": "5511400000001",
                 "pricing_type": "REGULAR", "pricing_category": "MARKETING", "volume": 120, "cost": 7.5},
                {"start": d0.timestamp(), "end": end, "country": "BR", "phone_number": "5511400000001",
                 "pricing_type": "FREE_CUSTOMER_SERVICE", "pricing_category": "SERVICE", "volume": 30, "cost": 0}
            ]}]}, "id": WABA}))
        })
    })
    .await;
    let w = window();
    let r = client(&fake)
        .pricing_analytics(&token(), WABA, w, Granularity::Day, &Recorder::new())
        .await
        .expect("pricing");
    assert_eq!(
        fields_of(&fake.requests()[0]),
        format!(
            r#"pricing_analytics.start({}).end({}).granularity(DAILY).dimensions(["PRICING_CATEGORY","PRICING_TYPE","COUNTRY","PHONE"])"#,
            w.since.timestamp(),
            w.until.timestamp()
        )
    );
    assert_eq!(metric(&r.account_metrics, "pricing_volume", d0).value, Some(150.0));
    assert_eq!(metric(&r.account_metrics, "pricing_cost", d0).value, Some(7.5));
    let s = slice(&r.audience, "pricing_volume", "MARKETING,REGULAR,BR,5511400000001");
    assert_eq!(s.dimension, "pricing_category,pricing_type,country,phone_number");
    assert_eq!(s.value, 120.0);
    assert_eq!(
        slice(
            &r.audience,
            "pricing_cost",
            "SERVICE,FREE_CUSTOMER_SERVICE,BR,5511400000001"
        )
        .value,
        0.0
    );
}

#[tokio::test]
async fn rate_limits_and_permissions_are_absorbed_and_dead_tokens_are_errors() {
    let buc = format!(
        r#"{{"{WABA}":[{{"type":"whatsapp_business_management","call_count":100,"total_cputime":3,"total_time":4,"estimated_time_to_regain_access":12}}]}}"#
    );
    let fake = FakeGraph::start(move |r: &Req| {
        (r.path == format!("/{WABA}")).then(|| {
            graph_error(
                400,
                80008,
                None,
                "(#80008) There have been too many calls to this WhatsApp Business account.",
            )
            .header("x-business-use-case-usage", &buc)
        })
    })
    .await;
    let r = client(&fake)
        .analytics(&token(), WABA, window(), Granularity::Day, &Recorder::new())
        .await
        .expect("absorbed");
    assert!(r.halted);
    assert_eq!(r.warnings[0].code, "rate_limited");
    assert!(
        r.warnings[0].message.contains("retry after Some(720s)"),
        "{}",
        r.warnings[0].message
    );

    let fake = FakeGraph::start(|r: &Req| {
        (r.path == format!("/{WABA}")).then(|| {
            graph_error(
                403,
                200,
                None,
                "(#200) Requires whatsapp_business_management permission",
            )
        })
    })
    .await;
    let r = client(&fake)
        .pricing_analytics(&token(), WABA, window(), Granularity::Day, &Recorder::new())
        .await
        .expect("absorbed");
    assert_eq!(r.gaps.len(), 1);
    assert_eq!(r.gaps[0].code, "permission");
    assert!(!r.halted);

    let fake = FakeGraph::start(|r: &Req| {
        (r.path == format!("/{WABA}")).then(|| graph_error(400, 190, Some(463), "Session has expired"))
    })
    .await;
    let e = client(&fake)
        .conversation_analytics(&token(), WABA, window(), Granularity::Day, &Recorder::new())
        .await
        .expect_err("190");
    assert!(matches!(e, PlatformError::Unauthorized { .. }), "{e:?}");
}
