//! Chaos mode (`/__alcance/faults/chaos`): a seeded random share of platform requests fail,
//! reproducibly for a seed, in every kind asked for; OAuth and control endpoints are spared.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers may panic on a broken fixture

use crate::common;

use alcance_sandbox::{Chaos, ChaosReport, FaultKind, Sandbox};
use common::*;
use reqwest::Client;
use serde_json::json;

const REQUESTS: usize = 1_000;

async fn arm(c: &Client, sb: &Sandbox, body: serde_json::Value) -> ChaosReport {
    let r = c
        .post(url(sb, "/__alcance/faults/chaos"))
        .json(&body)
        .send()
        .await
        .expect("chaos endpoint");
    assert_eq!(r.status(), 200);
    serde_json::from_value(json_of(r).await).expect("a chaos report")
}

async fn report(c: &Client, sb: &Sandbox) -> ChaosReport {
    let r = c
        .get(url(sb, "/__alcance/faults/chaos"))
        .send()
        .await
        .expect("chaos endpoint");
    serde_json::from_value(json_of(r).await).expect("a chaos report")
}

/// What the client saw of one request: the status and whether the body was whole JSON, or
/// that the transfer broke off.
async fn outcome(c: &Client, sb: &Sandbox, token: &str, i: usize) -> String {
    // Ten different requests, each sent many times.
    const FIELDS: [&str; 10] = [
        "created_at",
        "description",
        "entities",
        "id",
        "location",
        "name",
        "pinned_tweet_id",
        "profile_banner_url",
        "profile_image_url",
        "most_recent_tweet_id",
    ];
    let path = format!("/2/users/{X_OWNED}?user.fields={}", FIELDS[i % FIELDS.len()]);
    // A broken connection may fail before the status arrives (debug builds of hyper give
    // up on the answer whose length does not match its body).
    let Ok(r) = c.get(url(sb, &path)).bearer_auth(token).send().await else {
        return "cut".to_string();
    };
    let status = r.status().as_u16();
    match r.bytes().await {
        Ok(body) => {
            let whole = serde_json::from_slice::<serde_json::Value>(&body).is_ok();
            format!("{status} {}", if whole { "json" } else { "broken" })
        }
        Err(_) => format!("{status} cut"),
    }
}

async fn run(c: &Client, sb: &Sandbox, token: &str, seed: u64) -> (Vec<String>, ChaosReport) {
    let armed = arm(c, sb, json!({"seed": seed, "probability": 0.1, "delay_ms": 1})).await;
    assert_eq!(armed.requests, 0, "arming starts the counts afresh");
    assert_eq!(
        armed.chaos.as_ref().map(|c| c.kinds.clone()),
        Some(Chaos::DEFAULT_KINDS.to_vec())
    );
    let mut seen = Vec::with_capacity(REQUESTS);
    for i in 0..REQUESTS {
        seen.push(outcome(c, sb, token, i).await);
    }
    (seen, report(c, sb).await)
}

#[tokio::test]
async fn chaos_fails_a_seeded_share_of_requests_in_every_kind_and_repeats_for_the_seed() {
    let sb = start(42).await;
    // The sandbox's own rate limits would answer 429s of their own.
    sb.state().set_limits_enabled(false);
    let c = client();
    let token = x_token(&c, &sb).await;

    let (first, counted) = run(&c, &sb, &token, 7).await;
    assert_eq!(counted.requests, REQUESTS as u64);
    let faults = counted.total_faults();
    // 10 % of 1000: the binomial's standard deviation is 9.5.
    assert!((60..=140).contains(&faults), "{faults} faults: {counted:?}");
    for kind in Chaos::DEFAULT_KINDS {
        let name = alcance_sandbox::faults::kind_name(kind);
        assert!(
            counted.faults.get(&name).is_some_and(|n| *n > 0),
            "{name} never injected: {counted:?}"
        );
    }
    let failed = first.iter().filter(|o| *o != "200 json").count() as u64;
    // Every kind but the slow answer is visible to the client.
    let slow = counted.faults.get("slow").copied().unwrap_or(0);
    assert_eq!(failed, faults - slow, "{counted:?}");
    for seen in ["429 json", "500 json", "502 broken", "200 broken"] {
        assert!(first.iter().any(|o| o == seen), "no {seen}: {counted:?}");
    }
    assert!(
        first.iter().any(|o| o.ends_with("cut")),
        "no broken connection: {counted:?}"
    );

    // The same seed: the same requests fail the same way; another seed: others.
    let (again, recounted) = run(&c, &sb, &token, 7).await;
    assert_eq!(again, first);
    assert_eq!(recounted.faults, counted.faults);
    let (other, _) = run(&c, &sb, &token, 8).await;
    assert_ne!(other, first);

    sb.shutdown().await;
}

#[tokio::test]
async fn chaos_spares_oauth_and_control_and_is_disarmed_with_the_faults() {
    let sb = start(42).await;
    let c = client();
    let all = arm(&c, &sb, json!({"seed": 1, "probability": 1.0, "kinds": ["status_500"]})).await;
    assert_eq!(
        all.chaos.map(|c| (c.probability, c.kinds)),
        Some((1.0, vec![FaultKind::Status500]))
    );
    // The whole OAuth flow works although every request is to fail.
    let token = x_token(&c, &sb).await;
    let r = x_get(&c, &sb, &token, "/2/users/me").await;
    assert_eq!(r.status(), 500);
    let counted = report(&c, &sb).await;
    assert_eq!((counted.requests, counted.total_faults()), (1, 1), "{counted:?}");

    // `DELETE /__alcance/faults` disarms chaos too; the counts stay readable.
    let r = c
        .delete(url(&sb, "/__alcance/faults"))
        .send()
        .await
        .expect("faults endpoint");
    assert_eq!(r.status(), 200);
    assert_eq!(x_get(&c, &sb, &token, "/2/users/me").await.status(), 200);
    let after = report(&c, &sb).await;
    assert!(after.chaos.is_none());
    assert_eq!(after.faults.get("status_500"), Some(&1));

    // A probability out of range is clamped.
    let clamped = arm(&c, &sb, json!({"seed": 1, "probability": 7.5})).await;
    assert_eq!(clamped.chaos.map(|c| c.probability), Some(1.0));
    let r = c
        .post(url(&sb, "/__alcance/faults/chaos"))
        .json(&json!({"probability": "often"}))
        .send()
        .await
        .expect("chaos endpoint");
    assert_eq!(r.status(), 400);
    sb.shutdown().await;
}
