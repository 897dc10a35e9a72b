#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Shared builders for the store tests: one account, one run, and batches written from
//! the record types the platform clients produce.

#![allow(dead_code)]

use alcance_core::{
    AccountMetric, AccountRef, AudienceSlice, CollectWarning, CollectionBatch, ContentType, DataGap, EventLevel,
    Period, Platform, PostMetric, PostRecord, Profile, RawExchange,
};
use alcance_store::testing::{self, TestStore};
use alcance_store::Engine;
use chrono::{DateTime, TimeZone, Utc};

/// 2026-11-20 at `h:m:s` UTC.
pub fn at(h: u32, m: u32, s: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 20, h, m, s)
        .single()
        .expect("valid test time")
}

/// `days` after 2026-11-20 at `h:00` UTC.
pub fn day(days: i64, h: u32) -> DateTime<Utc> {
    at(h, 0, 0) + chrono::Duration::days(days)
}

pub fn account(platform: Platform, external_id: &str, username: &str) -> AccountRef {
    AccountRef {
        platform,
        external_id: external_id.to_string(),
        username: Some(username.to_string()),
        owned: true,
    }
}

/// A fresh store on `engine` with one Instagram account and one running run, and the
/// workspace's consent to store audience data (the batches here carry demographic slices;
/// tests/privacy.rs covers the store without it); `None` when the engine is skipped (see
/// `alcance_store::testing`).
pub async fn store_with_account(engine: Engine) -> Option<(TestStore, i64, i64)> {
    let store = testing::store(engine).await?;
    testing::grant_audience_consent(&store).await;
    let id = store
        .upsert_account(
            &account(Platform::Instagram, "17841400000000001", "alcance_demo"),
            None,
            None,
        )
        .await
        .expect("account");
    let run = store.start_run("manual", at(9, 0, 0)).await.expect("run");
    Some((store, id, run))
}

pub fn snapshot(metric: &str, value: Option<f64>) -> AccountMetric {
    AccountMetric {
        metric: metric.to_string(),
        period: Period::Snapshot,
        period_start: at(0, 0, 0),
        period_end: at(0, 0, 0),
        value,
    }
}

pub fn daily(metric: &str, days: i64, value: Option<f64>) -> AccountMetric {
    AccountMetric {
        metric: metric.to_string(),
        period: Period::Day,
        period_start: day(days, 0),
        period_end: day(days + 1, 0),
        value,
    }
}

pub fn post(id: &str, published: DateTime<Utc>) -> PostRecord {
    PostRecord {
        external_id: id.to_string(),
        published_at: Some(published),
        content_type: ContentType::Reel,
        permalink: Some(format!("https://www.instagram.com/reel/{id}/")),
        caption: Some(format!("caption of {id}")),
    }
}

pub fn post_metric(post: &str, metric: &str, value: Option<f64>) -> PostMetric {
    PostMetric {
        post_external_id: post.to_string(),
        metric: metric.to_string(),
        value,
    }
}

pub fn slice(dimension: &str, key: &str, value: f64) -> AudienceSlice {
    AudienceSlice {
        audience: "followers".to_string(),
        dimension: dimension.to_string(),
        key: key.to_string(),
        value,
        timeframe: "this_month".to_string(),
    }
}

pub fn exchange(url: &str, status: u16, body: &str, fetched_at: DateTime<Utc>) -> RawExchange {
    RawExchange {
        method: "GET".to_string(),
        url: url.to_string(),
        status,
        body: body.as_bytes().to_vec(),
        fetched_at,
    }
}

/// A batch with every kind of record: profile, a snapshot and a daily metric, two posts
/// with metrics (one null), audience, a gap and a warning.
pub fn full_batch(followers: f64, likes: f64) -> CollectionBatch {
    CollectionBatch {
        stopped: None,
        media: Vec::new(),
        profile: Some(Profile {
            external_id: "17841400000000001".to_string(),
            username: Some("alcance_demo".to_string()),
            display_name: Some("Alcance Demo".to_string()),
            avatar_url: None,
        }),
        account_metrics: vec![
            snapshot("followers", Some(followers)),
            snapshot("follows", Some(150.0)),
            daily("reach", -1, Some(1200.0)),
            daily("profile_views", -1, None),
        ],
        posts: vec![post("p1", at(8, 0, 0)), post("p2", day(-1, 18))],
        post_metrics: vec![
            post_metric("p1", "likes", Some(likes)),
            post_metric("p1", "comments", Some(4.0)),
            post_metric("p2", "likes", Some(33.0)),
            post_metric("p2", "saves", None),
        ],
        audience: vec![slice("age", "18-24", 310.0), slice("age,gender", "25-34,F", 120.0)],
        gaps: vec![DataGap {
            what: "impressions".to_string(),
            object_id: "p2".to_string(),
            code: "metric_removed".to_string(),
            detail: "(#100) impressions is no longer supported".to_string(),
        }],
        warnings: vec![CollectWarning {
            level: EventLevel::Warn,
            code: "http_500".to_string(),
            message: "page 2 of media failed with 500".to_string(),
        }],
    }
}
