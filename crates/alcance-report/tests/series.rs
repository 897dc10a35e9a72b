//! Follower growth and engagement trend on hand-made rows, with exact numbers.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers may panic on a broken fixture

use crate::common;

use alcance_core::{Period, Platform};
use alcance_report::series::{account_label, engagement_trend, follower_growth};
use common::{account_row, post_row, t};
use std::collections::HashMap;

#[test]
fn follower_growth_is_one_sorted_series_per_account() {
    let x = |v: Option<f64>, at| {
        account_row(
            Platform::X,
            "2244994945",
            Some("acme"),
            "followers",
            Period::Snapshot,
            v,
            at,
        )
    };
    let ig = |v: Option<f64>, at| {
        account_row(
            Platform::Instagram,
            "1784",
            Some("acme_br"),
            "followers",
            Period::Snapshot,
            v,
            at,
        )
    };
    let mut recollected = x(Some(1_010.0), t(2, 6, 0));
    recollected.collected_at = t(2, 7, 0); // same instant stored again later: wins
    let rows = vec![
        x(Some(1_020.0), t(3, 6, 0)),
        ig(Some(500.0), t(1, 6, 0)),
        x(Some(1_000.0), t(1, 6, 0)),
        x(Some(1_005.0), t(2, 6, 0)),
        recollected,
        x(None, t(4, 6, 0)),           // no data: not a 0
        x(Some(f64::NAN), t(5, 6, 0)), // not finite: skipped
        ig(Some(520.5), t(2, 6, 0)),
        account_row(
            Platform::X,
            "2244994945",
            Some("acme"),
            "followers",
            Period::Day,
            Some(9.0),
            t(2, 0, 0),
        ),
        account_row(
            Platform::X,
            "2244994945",
            Some("acme"),
            "following",
            Period::Snapshot,
            Some(77.0),
            t(2, 6, 0),
        ),
    ];
    let series = follower_growth(&rows);
    assert_eq!(series.len(), 2);
    assert_eq!(series[0].label, "@acme (X)");
    assert_eq!(
        series[0].points,
        vec![(t(1, 6, 0), 1_000.0), (t(2, 6, 0), 1_010.0), (t(3, 6, 0), 1_020.0)]
    );
    assert_eq!(series[1].label, "@acme_br (Instagram)");
    assert_eq!(series[1].points, vec![(t(1, 6, 0), 500.0), (t(2, 6, 0), 520.5)]);
}

#[test]
fn follower_growth_labels_fall_back_to_the_id_and_use_the_latest_username() {
    let rows = vec![
        account_row(
            Platform::Tiktok,
            "7001",
            None,
            "followers",
            Period::Snapshot,
            Some(1.0),
            t(1, 0, 0),
        ),
        account_row(
            Platform::Facebook,
            "99",
            Some("old_name"),
            "followers",
            Period::Snapshot,
            Some(1.0),
            t(1, 0, 0),
        ),
        account_row(
            Platform::Facebook,
            "99",
            Some("new_name"),
            "followers",
            Period::Snapshot,
            Some(2.0),
            t(2, 0, 0),
        ),
    ];
    let labels: Vec<String> = follower_growth(&rows).into_iter().map(|s| s.label).collect();
    assert_eq!(labels, vec!["7001 (TikTok)", "@new_name (Facebook)"]);
    assert!(follower_growth(&[]).is_empty());
    assert_eq!(account_label(Platform::X, "1", Some("@handle")), "@handle (X)");
    assert_eq!(account_label(Platform::X, "1", Some("  ")), "1 (X)");
}

#[test]
fn engagement_trend_counts_daily_gains_per_account() {
    let a = |metric: &str, v: f64, at| post_row(Platform::X, "2244994945", "A", metric, Some(v), at);
    let b = |metric: &str, v: Option<f64>, at| post_row(Platform::X, "2244994945", "B", metric, v, at);
    let rows = vec![
        // Post A, day 1: two snapshots; the last one counts in full: 15 + 3 = 18.
        a("likes", 10.0, t(1, 8, 0)),
        a("replies", 2.0, t(1, 8, 0)),
        a("likes", 15.0, t(1, 20, 0)),
        a("replies", 3.0, t(1, 20, 0)),
        a("impressions", 9_999.0, t(1, 20, 0)), // not an interaction
        // Day 2: 20 + 3 + 5 = 28 → +10.
        a("likes", 20.0, t(2, 20, 0)),
        a("replies", 3.0, t(2, 20, 0)),
        a("reposts", 5.0, t(2, 20, 0)),
        // Day 3: a correction, 19 + 3 + 5 = 27 → clamps to 0.
        a("likes", 19.0, t(3, 20, 0)),
        a("replies", 3.0, t(3, 20, 0)),
        a("reposts", 5.0, t(3, 20, 0)),
        // Day 4: likes missing from this collection keep their last value: 19 + 4 + 5 = 28 → +1.
        a("replies", 4.0, t(4, 20, 0)),
        // Post B first seen on day 2: 4 + 1 = 5 in full (None comments ignored).
        b("likes", Some(4.0), t(2, 21, 0)),
        b("comments", None, t(2, 21, 0)),
        b("saves", Some(1.0), t(2, 21, 0)),
        // Not collected on day 3; day 4: 6 + 1 = 7 → +2 against day 2.
        b("likes", Some(6.0), t(4, 21, 0)),
        b("saves", Some(1.0), t(4, 21, 0)),
        // Another account (Instagram, no username known).
        post_row(Platform::Instagram, "1784", "C", "shares", Some(3.0), t(2, 10, 0)),
        post_row(Platform::Instagram, "1784", "C", "quotes", Some(f64::NAN), t(2, 10, 0)),
    ];
    let mut usernames = HashMap::new();
    usernames.insert((Platform::X, "2244994945".to_string()), "acme".to_string());
    let series = engagement_trend(&rows, &usernames);
    assert_eq!(series.len(), 2);
    assert_eq!(series[0].label, "1784 (Instagram)");
    assert_eq!(series[0].points, vec![(t(2, 0, 0), 3.0)]);
    assert_eq!(series[1].label, "@acme (X)");
    assert_eq!(
        series[1].points,
        vec![
            (t(1, 0, 0), 18.0),
            (t(2, 0, 0), 15.0),
            (t(3, 0, 0), 0.0),
            (t(4, 0, 0), 3.0)
        ]
    );
}

#[test]
fn engagement_trend_ignores_row_order() {
    let rows = vec![
        post_row(Platform::X, "1", "P", "likes", Some(30.0), t(3, 9, 0)),
        post_row(Platform::X, "1", "P", "likes", Some(10.0), t(1, 9, 0)),
        post_row(Platform::X, "1", "P", "likes", Some(25.0), t(2, 9, 0)),
        post_row(Platform::X, "1", "P", "likes", Some(12.0), t(1, 23, 59)),
    ];
    let series = engagement_trend(&rows, &HashMap::new());
    assert_eq!(series.len(), 1);
    assert_eq!(
        series[0].points,
        vec![(t(1, 0, 0), 12.0), (t(2, 0, 0), 13.0), (t(3, 0, 0), 5.0)]
    );
    assert!(engagement_trend(&[], &HashMap::new()).is_empty());
}

#[test]
fn an_old_post_first_seen_late_only_sets_the_baseline() {
    // The backlog read when an account is connected: a post published long before its
    // first snapshot does not put all its lifetime interactions on that day.
    let mut first = post_row(Platform::X, "1", "OLD", "likes", Some(500.0), t(5, 9, 0));
    first.published_at = Some(t(1, 7, 30) - chrono::Duration::days(20));
    let mut second = first.clone();
    second.value = Some(520.0);
    second.collected_at = t(6, 9, 0);
    let series = engagement_trend(&[first, second], &HashMap::new());
    assert_eq!(series.len(), 1);
    assert_eq!(series[0].points, vec![(t(5, 0, 0), 0.0), (t(6, 0, 0), 20.0)]);
}
