//! Message templates, template analytics (ids in chunks of 10, 90-day lookback, paging,
//! clicks and costs), insights not enabled → gap, and the irreversible enable call.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::meta_fake;

use alcance_core::{AccountMetric, Period};
use alcance_platforms::whatsapp::{
    TemplateInsightsConfirmation, WhatsAppClient, MAX_TEMPLATE_IDS, TEMPLATE_LOOKBACK_DAYS,
};
use alcance_platforms::{CollectWindow, Http, PlatformError, Recorder};
use chrono::{DateTime, Duration, TimeZone, Utc};
use meta_fake::{graph_error, token, FakeGraph, Reply, Req, TOKEN};
use serde_json::json;

const WABA: &str = "105000000000001";

fn client(fake: &FakeGraph) -> WhatsAppClient {
    WhatsAppClient::new(Http::new().expect("http"), fake.endpoints())
}

fn utc(y: i32, m: u32, d: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, 0, 0, 0).unwrap()
}

fn value(ms: &[AccountMetric], key: &str, start: DateTime<Utc>) -> Option<f64> {
    ms.iter()
        .find(|m| m.metric == key && m.period_start == start)
        .unwrap_or_else(|| panic!("{key} at {start} missing in {ms:#?}"))
        .value
}

#[tokio::test]
async fn message_templates_are_listed_with_paging() {
    let fake = FakeGraph::start(|r: &Req| {
        (r.path == format!("/{WABA}/message_templates")).then(|| {
            assert_eq!(r.q("fields"), Some("id,name,status,category,language"));
            assert_eq!(r.q("limit"), Some("100"));
            match r.q("after") {
                None => Reply::json(json!({
                    "data": [{"id": "1421988012088524", "name": "boas_vindas", "status": "APPROVED", "category": "MARKETING", "language": "pt_BR"}],
                    "paging": {"cursors": {"after": "t1"}, "next": "https://graph.facebook.com/v25.0/x/message_templates?after=t1"}
                })),
                Some(_) => Reply::json(json!({
                    "data": [{"id": 2632273056924580u64, "name": "pedido_confirmado", "status": "PAUSED", "category": "UTILITY", "language": "pt_BR"}]
                })),
            }
        })
    })
    .await;
    let l = client(&fake)
        .message_templates(&token(), WABA, &Recorder::new())
        .await
        .expect("templates");
    assert_eq!(l.pages, 2);
    assert_eq!(l.items.len(), 2);
    assert_eq!(l.items[0].id, "1421988012088524");
    assert_eq!(l.items[0].name.as_deref(), Some("boas_vindas"));
    assert_eq!(l.items[0].status.as_deref(), Some("APPROVED"));
    assert_eq!(l.items[0].category.as_deref(), Some("MARKETING"));
    assert_eq!(l.items[0].language.as_deref(), Some("pt_BR"));
    assert_eq!(l.items[1].id, "2632273056924580", "numeric ids read as text");
    assert_eq!(l.items[1].status.as_deref(), Some("PAUSED"));
}

#[tokio::test]
async fn template_analytics_sum_templates_and_keep_per_template_slices() {
    let d0 = utc(2026, 11, 18);
    let d1 = utc(2026, 11, 19);
    let fake = FakeGraph::start(move |r: &Req| {
        (r.path == format!("/{WABA}/template_analytics")).then(|| {
            let point = |id: &str, start: DateTime<Utc>, sent: u32, clicked: serde_json::Value, cost: f64| {
                json!({"template_id": id, "start": start.timestamp(), "end": (start + Duration::days(1)).timestamp(),
                       "sent": sent, "delivered": sent - 1, "read": sent / 2, "clicked": clicked,
                       "cost": [{"type": "amount_spent", "value": cost}, {"type": "cost_per_delivered", "value": 0.05}]})
            };
            match r.q("after") {
                None => Reply::json(json!({
                    "data": [{"granularity": "DAILY", "product_type": "cloud_api", "data_points": [
                        point("1421988012088524", d0, 10, json!([{"type": "quick_reply_button", "button_content": "Falar", "count": 3}]), 0.5),
                        point("2632273056924580", d0, 20, json!([
                            {"type": "url_button", "button_content": "Ver pedido", "count": 4},
                            {"type": "quick_reply_button", "button_content": "Ajuda", "count": 1}
                        ]), 1.25)
                    ]}],
                    "paging": {"cursors": {"before": "b", "after": "page2"}, "next": "https://graph.facebook.com/v25.0/x/template_analytics?after=page2"}
                })),
                Some("page2") => Reply::json(json!({
                    "data": [{"granularity": "DAILY", "data_points": [
                        {"template_id": "1421988012088524", "start": d1.timestamp(), "end": (d1 + Duration::days(1)).timestamp(),
                         "sent": 4, "delivered": 4, "read": 0}
                    ]}],
                    "paging": {"cursors": {"before": "b2", "after": "page3"}}
                })),
                Some(other) => panic!("unexpected cursor {other}"),
            }
        })
    })
    .await;
    let until = utc(2026, 11, 20);
    let window = CollectWindow {
        since: until - Duration::days(200),
        until,
    };
    let ids = vec!["1421988012088524".to_string(), "2632273056924580".to_string()];
    let r = client(&fake)
        .template_analytics(&token(), WABA, &ids, window, &Recorder::new())
        .await
        .expect("template analytics");
    let reqs = fake.requests();
    assert_eq!(reqs.len(), 2);
    let q = &reqs[0];
    assert_eq!(
        q.q("start"),
        Some(
            (until - Duration::days(TEMPLATE_LOOKBACK_DAYS))
                .timestamp()
                .to_string()
                .as_str()
        ),
        "90-day lookback"
    );
    assert_eq!(q.q("end"), Some(until.timestamp().to_string().as_str()));
    assert_eq!(q.q("granularity"), Some("DAILY"));
    assert_eq!(
        q.q("metric_types"),
        Some(r#"["SENT","DELIVERED","READ","CLICKED","COST"]"#)
    );
    assert_eq!(q.q("template_ids"), Some("[1421988012088524,2632273056924580]"));
    assert_eq!(reqs[1].q("after"), Some("page2"));

    let m = &r.account_metrics;
    assert_eq!(value(m, "template_sent", d0), Some(30.0));
    assert_eq!(value(m, "template_delivered", d0), Some(28.0));
    assert_eq!(value(m, "template_read", d0), Some(15.0));
    assert_eq!(value(m, "template_clicked", d0), Some(8.0));
    assert_eq!(
        value(m, "template_cost", d0),
        Some(1.75),
        "amount_spent only; per-unit costs are not summed"
    );
    assert_eq!(value(m, "template_sent", d1), Some(4.0));
    assert_eq!(value(m, "template_read", d1), Some(0.0));
    assert_eq!(value(m, "template_clicked", d1), None, "no clicks served is null");
    assert_eq!(value(m, "template_cost", d1), None);
    assert!(m.iter().all(|x| x.period == Period::Day));
    let slice = |audience: &str, key: &str| {
        r.audience
            .iter()
            .find(|a| a.audience == audience && a.key == key && a.timeframe == "day:2026-11-18")
            .unwrap_or_else(|| panic!("{audience}/{key}"))
            .clone()
    };
    let s = slice("template_sent", "2632273056924580");
    assert_eq!(s.dimension, "template_id");
    assert_eq!(s.value, 20.0);
    let c = slice("template_clicked", "2632273056924580,url_button");
    assert_eq!(c.dimension, "template_id,button_type");
    assert_eq!(c.value, 4.0);
    assert_eq!(slice("template_cost", "1421988012088524").value, 0.5);
}

#[tokio::test]
async fn more_than_ten_templates_are_asked_in_chunks() {
    let fake = FakeGraph::start(|r: &Req| {
        (r.path == format!("/{WABA}/template_analytics")).then(|| Reply::json(json!({"data": []})))
    })
    .await;
    let ids: Vec<String> = (1..=23).map(|i| format!("90000000000{i:02}")).collect();
    let until = utc(2026, 11, 20);
    let w = CollectWindow {
        since: until - Duration::days(1),
        until,
    };
    let r = client(&fake)
        .template_analytics(&token(), WABA, &ids, w, &Recorder::new())
        .await
        .expect("empty answers");
    assert!(r.account_metrics.is_empty());
    let lists: Vec<String> = fake
        .requests()
        .iter()
        .map(|q| q.q("template_ids").unwrap_or_default().to_string())
        .collect();
    assert_eq!(lists.len(), 3);
    assert_eq!(MAX_TEMPLATE_IDS, 10);
    assert_eq!(lists[0].matches(',').count(), 9);
    assert_eq!(lists[2], "[9000000000021,9000000000022,9000000000023]");
    assert_eq!(
        fake.requests()[0].q("start"),
        Some((until - Duration::days(1)).timestamp().to_string().as_str()),
        "a short window is not widened"
    );
}

#[tokio::test]
async fn insights_not_enabled_is_a_gap_not_a_failure() {
    let fake = FakeGraph::start(|r: &Req| {
        (r.path == format!("/{WABA}/template_analytics")).then(|| {
            graph_error(
                400,
                200,
                None,
                "(#200) Template insights are not enabled for this WhatsApp Business Account. Enable them with is_enabled_for_insights.",
            )
        })
    })
    .await;
    let ids: Vec<String> = (0..15).map(|i| format!("8{i:03}")).collect();
    let until = utc(2026, 11, 20);
    let r = client(&fake)
        .template_analytics(
            &token(),
            WABA,
            &ids,
            CollectWindow {
                since: until - Duration::days(5),
                until,
            },
            &Recorder::new(),
        )
        .await
        .expect("gap");
    assert_eq!(r.gaps.len(), 1);
    assert_eq!(r.gaps[0].code, "template_insights_disabled");
    assert_eq!(r.gaps[0].object_id, WABA);
    assert!(r.warnings.is_empty());
    assert_eq!(fake.requests().len(), 1, "the second chunk is not asked");
}

#[tokio::test]
async fn enabling_template_insights_takes_a_confirmation_and_posts_once() {
    let fake = FakeGraph::start(|r: &Req| {
        (r.method == "POST" && r.path == format!("/{WABA}") && r.q("is_enabled_for_insights") == Some("true"))
            .then(|| Reply::json(json!({"id": WABA})))
    })
    .await;
    let rec = Recorder::new();
    let confirm = TemplateInsightsConfirmation::i_understand_this_is_irreversible();
    client(&fake)
        .enable_template_insights(&token(), WABA, confirm, &rec)
        .await
        .expect("enabled");
    let reqs = fake.requests();
    assert_eq!(reqs.len(), 1);
    assert_eq!(reqs[0].method, "POST");
    assert_eq!(reqs[0].q("access_token"), Some(TOKEN));
    let archived = rec.take();
    assert_eq!(archived.len(), 1);
    assert_eq!(archived[0].method, "POST");
    assert!(!archived[0].url.contains(TOKEN));

    let fake = FakeGraph::start(|r: &Req| {
        (r.method == "POST").then(|| {
            graph_error(
                403,
                10,
                None,
                "(#10) Application does not have permission for this action",
            )
        })
    })
    .await;
    let e = client(&fake)
        .enable_template_insights(
            &token(),
            WABA,
            TemplateInsightsConfirmation::i_understand_this_is_irreversible(),
            &Recorder::new(),
        )
        .await
        .expect_err("refused");
    assert!(matches!(e, PlatformError::Forbidden { .. }), "{e:?}");
}

#[tokio::test]
async fn template_cost_not_available_drops_cost_and_keeps_the_counts() {
    let d0 = utc(2026, 11, 18);
    let fake = FakeGraph::start(move |r: &Req| {
        (r.path == format!("/{WABA}/template_analytics")).then(|| {
            if r.q("metric_types").is_some_and(|m| m.contains("COST")) {
                return graph_error(
                    400,
                    100,
                    None,
                    "(#100) Cost not available: this WhatsApp Business Account is on a partner's credit line",
                );
            }
            Reply::json(json!({"data": [{"data_points": [
                {"template_id": "1421988012088524", "start": d0.timestamp(), "end": (d0 + Duration::days(1)).timestamp(),
                 "sent": 12, "delivered": 11, "read": 7}
            ]}]}))
        })
    })
    .await;
    let until = utc(2026, 11, 20);
    let r = client(&fake)
        .template_analytics(
            &token(),
            WABA,
            &["1421988012088524".to_string()],
            CollectWindow {
                since: until - Duration::days(3),
                until,
            },
            &Recorder::new(),
        )
        .await
        .expect("counts");
    let reqs = fake.requests();
    assert_eq!(reqs.len(), 2);
    assert_eq!(
        reqs[1].q("metric_types"),
        Some(r#"["SENT","DELIVERED","READ","CLICKED"]"#)
    );
    assert_eq!(value(&r.account_metrics, "template_sent", d0), Some(12.0));
    assert_eq!(value(&r.account_metrics, "template_cost", d0), None);
    assert_eq!(r.gaps.len(), 1);
    assert_eq!(
        (r.gaps[0].what.as_str(), r.gaps[0].code.as_str()),
        ("template_cost", "cost_not_available")
    );
    assert!(r.warnings.is_empty());
}
