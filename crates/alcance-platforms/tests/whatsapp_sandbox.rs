//! The WhatsApp client against the seeded sandbox (`alcance-sandbox`, 127.0.0.1): the
//! pasted system-user token is validated, a collection lands every analytics field, template
//! insights stay a gap until the irreversible switch is confirmed. Checks the wire contract
//! both sides follow, not the generated numbers.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use alcance_core::{AccountRef, Period, Platform};
use alcance_platforms::whatsapp::{TemplateInsightsConfirmation, WhatsAppClient};
use alcance_platforms::{CollectCtx, CollectWindow, Endpoints, Http, PlatformClient, Recorder};
use alcance_sandbox::{Sandbox, SandboxConfig};
use chrono::{DateTime, Duration, Utc};
use secrecy::SecretString;
use serde_json::{json, Value};

const WABA: &str = "105000000000001";
const NOW: &str = "2026-11-23T12:00:00Z";

fn url(sb: &Sandbox, path: &str) -> String {
    format!("{}{}", sb.base_url().as_str().trim_end_matches('/'), path)
}

async fn system_user_token(sb: &Sandbox) -> SecretString {
    let c = reqwest::Client::new();
    let r = c
        .post(url(sb, "/__alcance/clock"))
        .json(&json!({ "now": NOW }))
        .send()
        .await
        .expect("clock");
    assert_eq!(r.status(), 200);
    let body: Value = c
        .get(url(sb, "/__alcance/whatsapp-token"))
        .send()
        .await
        .expect("token")
        .json()
        .await
        .expect("json");
    assert_eq!(body["waba_id"], WABA);
    SecretString::from(body["access_token"].as_str().expect("access_token").to_string())
}

#[tokio::test]
async fn validate_collect_and_enable_template_insights_against_the_sandbox() {
    let sb = Sandbox::start(SandboxConfig::seeded(61)).await.expect("sandbox");
    let c = WhatsAppClient::new(Http::new().expect("http"), Endpoints::sandbox(&sb.base_url()));
    let token = system_user_token(&sb).await;
    let profile = c.validate(&token, WABA, &Recorder::new()).await.expect("validate");
    assert_eq!(profile.external_id, WABA);
    assert_eq!(profile.display_name.as_deref(), Some("Alcance Atendimento"));
    let bad = SecretString::from("not-a-sandbox-token-123".to_string());
    let e = c.validate(&bad, WABA, &Recorder::new()).await.expect_err("bad token");
    assert!(e.needs_reauth(), "{e:?}");

    let now: DateTime<Utc> = NOW.parse().expect("now");
    let ctx = CollectCtx {
        account: AccountRef {
            platform: Platform::Whatsapp,
            external_id: WABA.to_string(),
            username: None,
            owned: true,
        },
        token: token.clone(),
        window: CollectWindow {
            since: now - Duration::days(30),
            until: now,
        },
        recorder: Recorder::new(),
    };
    let b = c.collect(&ctx).await.expect("collect");
    let lands = |b: &alcance_core::CollectionBatch, k: &str| {
        b.account_metrics
            .iter()
            .any(|m| m.metric == k && m.period == Period::Day && m.value.is_some())
    };
    for k in ["messages_sent", "messages_delivered", "conversations", "pricing_volume"] {
        assert!(lands(&b, k), "{k} lands");
    }
    assert!(b
        .audience
        .iter()
        .any(|a| a.audience == "phone_number" && a.key.starts_with("106000000000001,")));
    assert!(b.audience.iter().any(|a| a.audience == "conversations"));
    assert!(b.warnings.is_empty(), "{:#?}", b.warnings);
    let codes: Vec<&str> = b.gaps.iter().map(|g| g.code.as_str()).collect();
    assert!(codes.contains(&"template_insights_disabled"), "{codes:?}");

    c.enable_template_insights(
        &token,
        WABA,
        TemplateInsightsConfirmation::i_understand_this_is_irreversible(),
        &Recorder::new(),
    )
    .await
    .expect("enabled");
    let ctx = CollectCtx {
        recorder: Recorder::new(),
        ..ctx
    };
    let b = c.collect(&ctx).await.expect("collect");
    assert!(lands(&b, "template_sent"), "template analytics land once enabled");
    assert!(
        b.gaps.iter().all(|g| g.code != "template_insights_disabled"),
        "{:?}",
        b.gaps
    );
    assert!(b.warnings.is_empty(), "{:#?}", b.warnings);
}
