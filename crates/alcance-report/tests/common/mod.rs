//! Hand-made rows shared by the integration tests.
#![allow(dead_code)]

use alcance_core::{AccountMetricRow, Period, Platform, PostMetricRow};
use alcance_report::export::{AccountInfo, AudienceInfo, ExportBundle, PostInfo};
use chrono::{DateTime, TimeZone, Utc};

/// `2026-03-DD hh:mm:00Z`.
pub fn t(day: u32, hour: u32, min: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, day, hour, min, 0)
        .single()
        .expect("valid test time")
}

pub fn account_row(
    platform: Platform,
    user_id: &str,
    username: Option<&str>,
    metric: &str,
    period: Period,
    value: Option<f64>,
    at: DateTime<Utc>,
) -> AccountMetricRow {
    AccountMetricRow {
        user_id: user_id.to_string(),
        username: username.map(str::to_string),
        platform,
        metric_type: metric.to_string(),
        period,
        value,
        collected_at: at,
        period_start: at,
        period_end: at,
    }
}

pub fn post_row(
    platform: Platform,
    user_id: &str,
    post_id: &str,
    metric: &str,
    value: Option<f64>,
    at: DateTime<Utc>,
) -> PostMetricRow {
    PostMetricRow {
        user_id: user_id.to_string(),
        platform,
        post_id: post_id.to_string(),
        content_type: "image".to_string(),
        published_at: Some(t(1, 7, 30)),
        metric_type: metric.to_string(),
        value,
        collected_at: at,
    }
}

/// A small bundle touching every sheet: two accounts, a `None` value, a fractional value,
/// a post without publish time, a caption with a comma, quotes and a newline.
pub fn bundle() -> ExportBundle {
    let mut reach = account_row(
        Platform::Instagram,
        "17841400000000001",
        Some("acme_br"),
        "reach",
        Period::Day,
        Some(5321.0),
        t(2, 6, 0),
    );
    reach.period_start = t(1, 0, 0);
    reach.period_end = t(2, 0, 0);
    let mut no_data = account_row(
        Platform::Instagram,
        "17841400000000001",
        Some("acme_br"),
        "views",
        Period::Day,
        None,
        t(2, 6, 0),
    );
    no_data.period_start = t(1, 0, 0);
    no_data.period_end = t(2, 0, 0);
    let mut watch = post_row(
        Platform::Instagram,
        "17841400000000001",
        "18000000000000002",
        "watch_time_avg_seconds",
        Some(7.25),
        t(2, 6, 0),
    );
    watch.content_type = "reel".to_string();
    let mut unpublished = post_row(
        Platform::X,
        "2244994945",
        "1900000000000000003",
        "likes",
        Some(1204.0),
        t(2, 6, 0),
    );
    unpublished.published_at = None;
    unpublished.content_type = "text".to_string();
    ExportBundle {
        generated_at: t(2, 9, 15),
        accounts: vec![
            AccountInfo {
                platform: Platform::X,
                user_id: "2244994945".to_string(),
                username: Some("acme".to_string()),
                display_name: Some("Acme Co.".to_string()),
                owned: true,
                status: "active".to_string(),
            },
            AccountInfo {
                platform: Platform::Instagram,
                user_id: "17841400000000001".to_string(),
                username: Some("acme_br".to_string()),
                display_name: None,
                owned: false,
                status: "needs_reauth".to_string(),
            },
        ],
        account_metrics: vec![
            account_row(
                Platform::X,
                "2244994945",
                Some("acme"),
                "followers",
                Period::Snapshot,
                Some(1_234_567.0),
                t(2, 6, 0),
            ),
            reach,
            no_data,
        ],
        post_metrics: vec![unpublished, watch],
        posts: vec![
            PostInfo {
                platform: Platform::X,
                user_id: "2244994945".to_string(),
                post_id: "1900000000000000003".to_string(),
                content_type: "text".to_string(),
                published_at: None,
                permalink: Some("https://x.com/acme/status/1900000000000000003".to_string()),
                caption: Some("Hello, \"world\"\nsecond line & <b>".to_string()),
            },
            PostInfo {
                platform: Platform::Instagram,
                user_id: "17841400000000001".to_string(),
                post_id: "18000000000000002".to_string(),
                content_type: "reel".to_string(),
                published_at: Some(t(1, 7, 30)),
                permalink: None,
                caption: None,
            },
        ],
        audience: vec![AudienceInfo {
            platform: Platform::Instagram,
            user_id: "17841400000000001".to_string(),
            audience: "followers".to_string(),
            dimension: "age,gender".to_string(),
            key: "18-24,F".to_string(),
            value: 1520.0,
            timeframe: "this_month".to_string(),
            collected_at: t(2, 6, 0),
        }],
    }
}

/// A bundle handed over in owned pages of `.1` rows, as the app's database reader does.
pub struct Paged(pub ExportBundle, pub usize);

fn pages<T: Clone + Send + Sync>(rows: &[T], n: usize) -> alcance_report::export::Pages<'_, T> {
    let pages: Vec<Vec<T>> = rows.chunks(n.max(1)).map(<[T]>::to_vec).collect();
    Box::new(pages.into_iter().map(|p| Ok(std::borrow::Cow::Owned(p))))
}

impl alcance_report::export::ExportSource for Paged {
    fn generated_at(&self) -> DateTime<Utc> {
        self.0.generated_at
    }
    fn accounts(&self) -> alcance_report::export::Pages<'_, AccountInfo> {
        pages(&self.0.accounts, self.1)
    }
    fn account_metrics(&self) -> alcance_report::export::Pages<'_, AccountMetricRow> {
        pages(&self.0.account_metrics, self.1)
    }
    fn post_metrics(&self) -> alcance_report::export::Pages<'_, PostMetricRow> {
        pages(&self.0.post_metrics, self.1)
    }
    fn posts(&self) -> alcance_report::export::Pages<'_, PostInfo> {
        pages(&self.0.posts, self.1)
    }
    fn audience(&self) -> alcance_report::export::Pages<'_, AudienceInfo> {
        pages(&self.0.audience, self.1)
    }
}
