//! `SandboxState::set_post_volume` (`alcance sandbox --post-volume`): seeded X and Instagram
//! accounts with many times the model's posts, served through the platforms' own paging.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers may panic on a broken fixture

use crate::common;

use std::collections::HashSet;

use common::*;
use serde_json::Value;

const NOW: &str = "2026-11-23T12:00:00Z";

/// Every post id of the owned X account's timeline since `start`, 100 a page.
async fn x_timeline(c: &reqwest::Client, sb: &alcance_sandbox::Sandbox, token: &str, start: &str) -> Vec<String> {
    let mut ids = Vec::new();
    let mut next: Option<String> = None;
    loop {
        let mut path =
            format!("/2/users/{X_OWNED}/tweets?max_results=100&start_time={start}&tweet.fields=public_metrics");
        if let Some(n) = &next {
            path.push_str(&format!("&pagination_token={n}"));
        }
        let body = json_of(x_get(c, sb, token, &path).await).await;
        for t in body["data"].as_array().cloned().unwrap_or_default() {
            assert!(t["public_metrics"]["like_count"].is_u64());
            ids.push(t["id"].as_str().expect("id").to_string());
        }
        match body["meta"]["next_token"].as_str() {
            Some(n) => next = Some(n.to_string()),
            None => return ids,
        }
        assert!(ids.len() < 100_000, "pagination does not end");
    }
}

/// Every media of the owned Instagram account since `since` (Unix s), following `paging.next`.
async fn ig_media(c: &reqwest::Client, sb: &alcance_sandbox::Sandbox, token: &str, since: &str) -> Vec<Value> {
    let mut media = Vec::new();
    let mut next = reqwest::Url::parse(&url(sb, &format!("/v25.0/{IG_OWNED}/media"))).expect("url");
    next.query_pairs_mut()
        .append_pair("fields", "id,timestamp,like_count,comments_count")
        .append_pair("limit", "100")
        .append_pair("since", since)
        .append_pair("access_token", token);
    loop {
        let body = json_of(c.get(next.clone()).send().await.expect("media")).await;
        media.extend(body["data"].as_array().cloned().expect("data"));
        match body["paging"]["next"].as_str() {
            Some(link) => next = reqwest::Url::parse(link).expect("next"),
            None => return media,
        }
        assert!(media.len() < 100_000, "pagination does not end");
    }
}

#[tokio::test]
async fn post_volume_serves_ten_times_the_posts_through_the_usual_paging() {
    let c = client();
    let normal = start(42).await;
    set_clock(&c, &normal, NOW).await;
    let big = start(42).await;
    assert_eq!(big.state().set_post_volume(10), 10);
    set_clock(&c, &big, NOW).await;

    let start_time = "2026-10-24T12:00:00Z"; // 30 days
    let x1 = x_timeline(&c, &normal, &x_token(&c, &normal).await, start_time).await;
    let x10 = x_timeline(&c, &big, &x_token(&c, &big).await, start_time).await;
    assert!((30..=90).contains(&x1.len()), "{} posts at volume 1", x1.len());
    assert!(
        x10.len() >= 300 && x10.len() > 6 * x1.len(),
        "{} posts at volume 10",
        x10.len()
    );
    assert_eq!(x10.iter().collect::<HashSet<_>>().len(), x10.len(), "X ids are unique");

    let since = "1761393600"; // 2025-10-25T12:00:00Z: 13 months
    let ig1 = ig_media(&c, &normal, &ig_token(&c, &normal).await, since).await;
    let ig10 = ig_media(&c, &big, &ig_token(&c, &big).await, since).await;
    assert!(ig10.len() > 6 * ig1.len(), "{} → {} media", ig1.len(), ig10.len());
    let ids: HashSet<&str> = ig10.iter().map(|m| m["id"].as_str().expect("id")).collect();
    assert_eq!(ids.len(), ig10.len(), "Instagram ids are unique");
    assert!(ig10
        .iter()
        .all(|m| m["like_count"].is_u64() && m["comments_count"].is_u64()));
    normal.shutdown().await;
    big.shutdown().await;
}
