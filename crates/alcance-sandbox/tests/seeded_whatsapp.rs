//! The seeded WhatsApp Business Management API: the system-user token from the control
//! endpoint, the WABA node, phone numbers and templates, messaging / conversation / pricing
//! analytics that agree with each other, the 1-year and 90-day lookbacks, the
//! template-insights gate and the hidden-cost switch.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers may panic on a broken fixture

use crate::common;
use crate::platforms;

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use common::*;
use platforms::*;
use serde_json::{json, Value};

const NOW: &str = "2026-11-23T12:00:00Z";

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).expect("time").with_timezone(&Utc)
}

async fn waba_fields(c: &reqwest::Client, sb: &alcance_sandbox::Sandbox, token: &str, fields: &str) -> (u16, Value) {
    let r = fb_get(c, sb, token, &format!("/{WABA}"), &[("fields", fields)]).await;
    let status = r.status().as_u16();
    (status, json_of(r).await)
}

fn points(v: &Value, field: &str) -> Vec<Value> {
    let p = if field == "analytics" {
        &v[field]["data_points"]
    } else {
        &v[field]["data"][0]["data_points"]
    };
    p.as_array().unwrap_or_else(|| panic!("no data points in {v}")).clone()
}

#[tokio::test]
async fn token_node_phone_numbers_and_templates() {
    let sb = start(71).await;
    let c = client();
    set_clock(&c, &sb, NOW).await;
    let token = wa_token(&c, &sb).await;
    assert!(token.starts_with("sbx_whatsapp_"));
    let r = fb_get(
        &c,
        &sb,
        &token,
        &format!("/{WABA}"),
        &[("fields", "id,name,currency,timezone_id,message_template_namespace")],
    )
    .await;
    assert_eq!(r.status(), 200);
    let buc: Value = serde_json::from_str(r.headers()["x-business-use-case-usage"].to_str().expect("h")).expect("json");
    assert_eq!(buc[WABA][0]["type"], "whatsapp_business_management");
    let node = json_of(r).await;
    assert_eq!(node["id"], WABA);
    assert_eq!(node["name"], "Alcance Atendimento");
    assert!(node["currency"].is_string() && node["message_template_namespace"].is_string());

    let phones = json_of(
        fb_get(
            &c,
            &sb,
            &token,
            &format!("/{WABA}/phone_numbers"),
            &[(
                "fields",
                "id,display_phone_number,verified_name,quality_rating,messaging_limit_tier,throughput,name_status",
            )],
        )
        .await,
    )
    .await;
    let p = &phones["data"][0];
    assert_eq!(p["id"], WA_PHONE);
    assert_eq!(p["display_phone_number"], "+55 11 4000-0001");
    assert_eq!(p["quality_rating"], "GREEN");
    assert_eq!(p["messaging_limit_tier"], "TIER_10K");
    assert_eq!(p["throughput"]["level"], "STANDARD");
    assert_eq!(p["name_status"], "APPROVED");
    let phone = json_of(fb_get(&c, &sb, &token, &format!("/{WA_PHONE}"), &[("fields", "verified_name")]).await).await;
    assert_eq!(phone["verified_name"], "Alcance Atendimento");

    let templates = json_of(
        fb_get(
            &c,
            &sb,
            &token,
            &format!("/{WABA}/message_templates"),
            &[("fields", "id,name,status,category,language"), ("limit", "100")],
        )
        .await,
    )
    .await;
    let list = templates["data"].as_array().expect("templates");
    assert_eq!(list.len(), 3);
    let categories: Vec<&str> = list.iter().map(|t| t["category"].as_str().expect("c")).collect();
    assert_eq!(categories, ["MARKETING", "UTILITY", "AUTHENTICATION"]);
    assert!(list
        .iter()
        .all(|t| t["status"] == "APPROVED" && t["language"] == "pt_BR"));

    // Other WABAs, unknown fields, foreign and revoked tokens.
    let r = fb_get(&c, &sb, &token, "/105999999999999", &[("fields", "id")]).await;
    assert_eq!(json_of(r).await["error"]["error_subcode"], 33);
    let (status, body) = waba_fields(&c, &sb, &token, "id,followers_count").await;
    assert_eq!((status, body["error"]["code"].as_i64()), (400, Some(100)));
    let ig = ig_token(&c, &sb).await;
    let r = fb_get(&c, &sb, &ig, &format!("/{WABA}"), &[("fields", "id")]).await;
    assert_eq!(r.status(), 400, "an Instagram token does not see the WABA");
    let r = fb_get(&c, &sb, "garbage", &format!("/{WABA}"), &[("fields", "id")]).await;
    assert_eq!(
        (r.status().as_u16(), json_of(r).await["error"]["code"].as_i64()),
        (401, Some(190))
    );
    let r = c
        .post(url(&sb, "/__alcance/revoke"))
        .json(&json!({ "token": token }))
        .send()
        .await
        .expect("revoke");
    assert_eq!(json_of(r).await["revoked"], true);
    let r = fb_get(&c, &sb, &token, &format!("/{WABA}"), &[("fields", "id")]).await;
    assert_eq!(r.status(), 401);
    let e = json_of(r).await;
    assert_eq!(e["error"]["code"], 190);
    // System-user tokens read as invalidated sessions (460), not as a deauthorized app (458).
    assert_eq!(e["error"]["error_subcode"], 460);
    // A fresh paste works again.
    let again = wa_token(&c, &sb).await;
    assert_eq!(waba_fields(&c, &sb, &again, "id").await.0, 200);
    sb.shutdown().await;
}

#[tokio::test]
async fn analytics_agree_with_each_other() {
    let sb = start(72).await;
    let c = client();
    set_clock(&c, &sb, NOW).await;
    let token = wa_token(&c, &sb).await;
    let now = at(NOW);
    let (start, end) = (at("2026-08-01T00:00:00Z").timestamp(), now.timestamp());

    // Daily messages over ~115 days: delivered ≤ sent, every day present.
    let (status, day) = waba_fields(
        &c,
        &sb,
        &token,
        &format!("analytics.start({start}).end({end}).granularity(DAY)"),
    )
    .await;
    assert_eq!(status, 200, "{day}");
    assert_eq!(day["id"], WABA);
    assert_eq!(day["analytics"]["granularity"], "DAY");
    assert_eq!(day["analytics"]["phone_numbers"], json!(["551140000001"]));
    let daily = points(&day, "analytics");
    assert_eq!(daily.len(), 115, "Aug 1 – Nov 23, today partial");
    let mut sent_by_day = BTreeMap::new();
    for p in &daily {
        let (s, d) = (
            p["sent"].as_u64().expect("sent"),
            p["delivered"].as_u64().expect("delivered"),
        );
        assert!(d <= s && s > 0, "{p}");
        assert_eq!(
            p["end"].as_i64().expect("end") - p["start"].as_i64().expect("start"),
            86_400
        );
        sent_by_day.insert(p["start"].as_i64().expect("start"), s);
    }
    // Months sum their days.
    let (_, month) = waba_fields(
        &c,
        &sb,
        &token,
        &format!("analytics.start({start}).end({end}).granularity(MONTH)"),
    )
    .await;
    let monthly = points(&month, "analytics");
    assert_eq!(monthly.len(), 4);
    let sept = (
        at("2026-09-01T00:00:00Z").timestamp(),
        at("2026-10-01T00:00:00Z").timestamp(),
    );
    let sept_days: u64 = sent_by_day.range(sept.0..sept.1).map(|(_, s)| s).sum();
    let sept_point = monthly.iter().find(|p| p["start"] == sept.0).expect("september");
    assert_eq!(sept_point["sent"].as_u64(), Some(sept_days));
    assert_eq!(sept_point["end"], sept.1);

    // Pricing volumes of a day sum to that day's messages; costs follow the rates.
    let d0 = at("2026-11-20T00:00:00Z").timestamp();
    let d1 = d0 + 86_400;
    let (status, pricing) = waba_fields(
        &c,
        &sb,
        &token,
        &format!(
            "pricing_analytics.start({d0}).end({d1}).granularity(DAILY).dimensions([\"PRICING_CATEGORY\",\"PRICING_TYPE\",\"COUNTRY\",\"PHONE\"])"
        ),
    )
    .await;
    assert_eq!(status, 200, "{pricing}");
    let rows = points(&pricing, "pricing_analytics");
    let volume: u64 = rows.iter().map(|p| p["volume"].as_u64().expect("volume")).sum();
    assert_eq!(Some(&volume), sent_by_day.get(&d0));
    for p in &rows {
        assert_eq!(p["phone_number"], "551140000001");
        let v = p["volume"].as_f64().expect("v");
        let cost = p["cost"].as_f64().expect("cost");
        match (
            p["pricing_type"].as_str(),
            p["pricing_category"].as_str(),
            p["country"].as_str(),
        ) {
            (Some("REGULAR"), Some("MARKETING"), Some("BR")) => assert!((cost - v * 0.0625).abs() < 1e-3, "{p}"),
            (Some("FREE_CUSTOMER_SERVICE" | "FREE_ENTRY_POINT"), _, _) => assert_eq!(cost, 0.0),
            _ => {}
        }
    }
    // Conversations: fewer than messages, business-initiated marketing is paid.
    let (status, conv) = waba_fields(
        &c,
        &sb,
        &token,
        &format!(
            "conversation_analytics.start({d0}).end({d1}).granularity(DAILY).dimensions([\"CONVERSATION_CATEGORY\",\"CONVERSATION_DIRECTION\",\"CONVERSATION_TYPE\",\"COUNTRY\",\"PHONE\"])"
        ),
    )
    .await;
    assert_eq!(status, 200, "{conv}");
    let rows = points(&conv, "conversation_analytics");
    let conversations: u64 = rows.iter().map(|p| p["conversation"].as_u64().expect("n")).sum();
    assert!(conversations > 0 && conversations < volume);
    let marketing = rows
        .iter()
        .find(|p| {
            p["conversation_category"] == "MARKETING"
                && p["conversation_direction"] == "BUSINESS_INITIATED"
                && p["country"] == "BR"
        })
        .expect("marketing BR");
    assert_eq!(marketing["conversation_type"], "REGULAR");
    let n = marketing["conversation"].as_f64().expect("n");
    assert!((marketing["cost"].as_f64().expect("cost") - n * 0.0625).abs() < 1e-3);
    assert!(rows
        .iter()
        .filter(|p| p["conversation_category"] == "SERVICE")
        .all(|p| p["cost"] == 0.0 && p["conversation_direction"] == "USER_INITIATED"));
    // Without dimensions the day is one aggregate; filters narrow it.
    let (_, agg) = waba_fields(
        &c,
        &sb,
        &token,
        &format!("conversation_analytics.start({d0}).end({d1}).granularity(DAILY).metric_types([\"CONVERSATION\"])"),
    )
    .await;
    let agg = points(&agg, "conversation_analytics");
    assert_eq!(agg.len(), 1);
    assert_eq!(agg[0]["conversation"].as_u64(), Some(conversations));
    assert!(agg[0].get("cost").is_none());
    let (_, br) = waba_fields(
        &c,
        &sb,
        &token,
        &format!("analytics.start({d0}).end({d1}).granularity(DAY).country_codes([\"AR\"])"),
    )
    .await;
    assert!(points(&br, "analytics")[0]["sent"].as_u64().expect("sent") < volume / 10);
    assert_eq!(br["analytics"]["country_codes"], json!(["AR"]));
    // Several expansions in one call, and the docs' unbracketed list syntax.
    let (status, both) = waba_fields(
        &c,
        &sb,
        &token,
        &format!(
            "id,analytics.start({d0}).end({d1}).granularity(DAY),pricing_analytics.start({d0}).end({d1}).granularity(DAILY).dimensions(PRICING_CATEGORY,COUNTRY)"
        ),
    )
    .await;
    assert_eq!(status, 200, "{both}");
    assert!(both["analytics"].is_object() && both["pricing_analytics"].is_object());

    // Bad granularity, dimension, missing end.
    for bad in [
        format!("analytics.start({d0}).end({d1}).granularity(WEEK)"),
        format!("conversation_analytics.start({d0}).end({d1}).granularity(DAY)"),
        format!("pricing_analytics.start({d0}).end({d1}).granularity(DAILY).dimensions([\"COLOR\"])"),
        format!("analytics.start({d0}).granularity(DAY)"),
        format!("analytics.start({d0}).end({d1}).granularity(DAY"),
    ] {
        let (status, body) = waba_fields(&c, &sb, &token, &bad).await;
        assert_eq!(
            (status, body["error"]["code"].as_i64()),
            (400, Some(100)),
            "{bad}: {body}"
        );
    }
    sb.shutdown().await;
}

#[tokio::test]
async fn lookback_limits_are_enforced() {
    let sb = start(73).await;
    let c = client();
    set_clock(&c, &sb, NOW).await;
    let token = wa_token(&c, &sb).await;
    let now = at(NOW);
    let end = now.timestamp();
    for field in ["analytics", "conversation_analytics", "pricing_analytics"] {
        let g = if field == "analytics" { "DAY" } else { "DAILY" };
        let old = (now - Duration::days(366)).timestamp();
        let (status, body) = waba_fields(
            &c,
            &sb,
            &token,
            &format!("{field}.start({old}).end({end}).granularity({g})"),
        )
        .await;
        assert_eq!(status, 400, "{field}");
        assert_eq!(body["error"]["code"], 100);
        assert!(body["error"]["message"].as_str().expect("m").contains("365 days"));
        let ok = (now - Duration::days(364)).timestamp();
        let (status, body) = waba_fields(
            &c,
            &sb,
            &token,
            &format!("{field}.start({ok}).end({end}).granularity({g})"),
        )
        .await;
        assert_eq!(status, 200, "{field}: {body}");
        assert!(points(&body, field).len() >= 300, "{field}");
    }
    // Template analytics: 90 days (after enabling them).
    let r = c
        .post(url(&sb, &format!("/v25.0/{WABA}")))
        .query(&[("is_enabled_for_insights", "true"), ("access_token", token.as_str())])
        .send()
        .await
        .expect("enable");
    assert_eq!(r.status(), 200);
    let ids = "[1060000000000101,1060000000000102]";
    let ask = |start: i64| {
        let c = c.clone();
        let sb = &sb;
        let token = token.clone();
        async move {
            let r = fb_get(
                &c,
                sb,
                &token,
                &format!("/{WABA}/template_analytics"),
                &[
                    ("start", start.to_string().as_str()),
                    ("end", end.to_string().as_str()),
                    ("granularity", "DAILY"),
                    ("template_ids", ids),
                ],
            )
            .await;
            (r.status().as_u16(), json_of(r).await)
        }
    };
    let (status, body) = ask((now - Duration::days(92)).timestamp()).await;
    assert_eq!((status, body["error"]["code"].as_i64()), (400, Some(100)), "{body}");
    let (status, body) = ask((now - Duration::days(89)).timestamp()).await;
    assert_eq!(status, 200, "{body}");
    let days = body["data"][0]["data_points"].as_array().expect("points").len();
    assert_eq!(days, 2 * 90, "90 days (today partial) for 2 templates");
    sb.shutdown().await;
}

#[tokio::test]
async fn template_insights_gate_and_cost_switch() {
    let sb = start(74).await;
    let c = client();
    set_clock(&c, &sb, NOW).await;
    let token = wa_token(&c, &sb).await;
    let d0 = at("2026-11-15T00:00:00Z").timestamp();
    let d1 = at("2026-11-22T00:00:00Z").timestamp();
    let analytics = |extra: &[(&'static str, &'static str)]| {
        let c = c.clone();
        let sb = &sb;
        let token = token.clone();
        let mut q = vec![
            ("start".to_string(), d0.to_string()),
            ("end".to_string(), d1.to_string()),
            ("granularity".to_string(), "DAILY".to_string()),
            (
                "template_ids".to_string(),
                "[1060000000000101,1060000000000102,1060000000000103]".to_string(),
            ),
        ];
        for (k, v) in extra {
            q.retain(|(key, _)| key != k);
            q.push((k.to_string(), v.to_string()));
        }
        async move {
            let q: Vec<(&str, &str)> = q.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            let r = fb_get(&c, sb, &token, &format!("/{WABA}/template_analytics"), &q).await;
            (r.status().as_u16(), json_of(r).await)
        }
    };
    // Before the switch: a Graph error #100 that says how to enable them.
    let (status, body) = analytics(&[]).await;
    assert_eq!((status, body["error"]["code"].as_i64()), (400, Some(100)));
    assert!(body["error"]["message"]
        .as_str()
        .expect("m")
        .contains("is_enabled_for_insights"));
    let flags = json_of(c.get(url(&sb, "/__alcance/whatsapp")).send().await.expect("flags")).await;
    assert_eq!(flags["insights_enabled"], false);
    // GET cannot enable; POST true does, irreversibly.
    let enable = |value: &'static str| {
        let c = c.clone();
        let u = url(&sb, &format!("/v25.0/{WABA}"));
        let token = token.clone();
        async move {
            let r = c
                .post(u)
                .query(&[("is_enabled_for_insights", value), ("access_token", token.as_str())])
                .send()
                .await
                .expect("post");
            (r.status().as_u16(), json_of(r).await)
        }
    };
    assert_eq!(enable("true").await, (200, json!({ "id": WABA })));
    assert_eq!(enable("false").await.0, 400);
    let (_, node) = waba_fields(&c, &sb, &token, "id,is_enabled_for_insights").await;
    assert_eq!(node["is_enabled_for_insights"], true);

    let (status, body) = analytics(&[]).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"][0]["granularity"], "DAILY");
    assert!(body["paging"]["cursors"]["after"].is_string());
    let pts = body["data"][0]["data_points"].as_array().expect("points");
    assert_eq!(pts.len(), 3 * 7);
    for p in pts {
        let (s, d, r) = (
            p["sent"].as_u64().expect("sent"),
            p["delivered"].as_u64().expect("delivered"),
            p["read"].as_u64().expect("read"),
        );
        assert!(r <= d && d <= s && s > 0, "{p}");
        let spent = p["cost"][0]["value"].as_f64().expect("amount_spent");
        assert_eq!(p["cost"][0]["type"], "amount_spent");
        match p["template_id"].as_str() {
            Some("1060000000000101") => {
                assert_eq!(p["clicked"][0]["type"], "url_button");
                assert!(p["clicked"][0]["count"].as_u64().expect("clicks") <= r);
                assert!(spent > 0.0);
                assert_eq!(p["cost"][2]["type"], "cost_per_url_button_click");
            }
            Some("1060000000000102") => assert_eq!(p["clicked"][0]["type"], "quick_reply_button"),
            Some("1060000000000103") => assert!(p.get("clicked").is_none()),
            other => panic!("unexpected template {other:?}"),
        }
    }
    // The marketing template sends every marketing message of the day (pricing analytics).
    let first = &pts[0];
    let day = first["start"].as_i64().expect("start");
    let (_, pricing) = waba_fields(
        &c,
        &sb,
        &token,
        &format!(
            "pricing_analytics.start({day}).end({}).granularity(DAILY).pricing_categories([\"MARKETING\"]).metric_types([\"VOLUME\"])",
            day + 86_400
        ),
    )
    .await;
    assert_eq!(points(&pricing, "pricing_analytics")[0]["volume"], first["sent"]);
    // metric_types and lowercase granularity as in Meta's example.
    let (status, body) = analytics(&[("granularity", "daily"), ("metric_types", "sent,read")]).await;
    assert_eq!(status, 200);
    let p = &body["data"][0]["data_points"][0];
    assert!(
        p.get("sent").is_some() && p.get("read").is_some() && p.get("delivered").is_none() && p.get("cost").is_none()
    );
    // Bad template ids, too many ids, bad metric.
    assert_eq!(analytics(&[("template_ids", "[999]")]).await.0, 400);
    assert_eq!(analytics(&[("template_ids", "[1,2,3,4,5,6,7,8,9,10,11]")]).await.0, 400);
    assert_eq!(analytics(&[("metric_types", "[\"LIKES\"]")]).await.0, 400);
    assert_eq!(analytics(&[("granularity", "MONTHLY")]).await.0, 400);

    // Hidden cost (a partner's credit line): omitted when implicit, refused when asked for.
    let r = c
        .post(url(&sb, "/__alcance/whatsapp"))
        .json(&json!({ "cost_visible": false }))
        .send()
        .await
        .expect("flags");
    assert_eq!(json_of(r).await["cost_visible"], false);
    let (_, body) = analytics(&[]).await;
    assert!(body["data"][0]["data_points"][0].get("cost").is_none());
    let (status, _) = analytics(&[("metric_types", "[\"COST\"]")]).await;
    assert_eq!(status, 400);
    let conv = format!("conversation_analytics.start({d0}).end({d1}).granularity(DAILY)");
    let (_, body) = waba_fields(&c, &sb, &token, &conv).await;
    assert!(points(&body, "conversation_analytics")[0].get("cost").is_none());
    let (status, body) = waba_fields(&c, &sb, &token, &format!("{conv}.metric_types([\"COST\"])")).await;
    assert_eq!(status, 400);
    assert!(body["error"]["message"]
        .as_str()
        .expect("m")
        .contains("Cost not available"));
    sb.shutdown().await;
}
