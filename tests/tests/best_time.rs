//! Best time to post, end to end: the seeded sandbox's posts are collected through the real
//! OAuth, clients, collector and store, read back, and `best_time` must find the effect the
//! generator put in — engagement peaks at 19–21 h São Paulo time, and Tuesday / Thursday
//! beat Saturday (`alcance_sandbox::model::HOUR_MULTIPLIER`, `WEEKDAY_MULTIPLIER`).

use alcance_collector::RunKind;
use alcance_core::analytics::posts::{latest_post_metrics, PostMetrics};
use alcance_core::analytics::{
    best_time, BestTime, BestTimeOptions, EngagementBase, Normalization, PostEngagement, Tz, DEFAULT_TIME_ZONE,
};
use alcance_platforms::CollectWindow;
use alcance_sandbox::model::{Network, ACCOUNTS};
use alcance_store::RowFilter;
use alcance_tests::{connected_workspace, seeded_sandbox, set_clock};
use chrono::{Duration, TimeZone, Utc, Weekday};

/// The engagement rate of a post, percent: by reach where the platform serves it
/// (Instagram), else by impressions (X). Tracked Instagram profiles have neither.
fn engagement(post: &PostMetrics) -> Option<PostEngagement> {
    let rate = post
        .engagement_rate(EngagementBase::Reach)
        .or_else(|| post.engagement_rate(EngagementBase::Impressions))?;
    Some(PostEngagement {
        account: post.account_key(),
        published_at: post.published_at?,
        value: rate,
    })
}

fn describe(bt: &BestTime) -> String {
    bt.top
        .iter()
        .map(|s| {
            format!(
                "{} {:02}h n={} mean={:.3}",
                s.weekday,
                s.hour,
                s.posts,
                s.mean.unwrap_or(f64::NAN)
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn weekday_mean(bt: &BestTime, day: Weekday) -> f64 {
    bt.weekday(day).and_then(|m| m.mean).unwrap_or(f64::NAN)
}

#[tokio::test]
async fn best_time_finds_the_generators_evening_peak_in_sao_paulo() {
    let sandbox = seeded_sandbox().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let ws = connected_workspace(dir.path(), &sandbox).await;

    // Track the seeded influencer profiles too, with their platform owner's token.
    let owners = ws.store().list_accounts().await.expect("accounts");
    for seeded in ACCOUNTS
        .iter()
        .filter(|a| !a.owned && matches!(a.network, Network::X | Network::Instagram))
    {
        let platform = seeded.network.key().parse().expect("platform key");
        let owner = owners
            .iter()
            .find(|o| o.account.platform == platform)
            .expect("an owned account of the platform");
        ws.track(platform, seeded.external_id, Some(seeded.username), owner)
            .await
            .expect("track");
    }

    // One collection whose window reaches 90 days back: the X timeline and the Instagram
    // media listing read every post published since `window.since`.
    let now = Utc.with_ymd_and_hms(2026, 9, 1, 13, 0, 0).single().expect("date");
    set_clock(&sandbox, now).await;
    let run = ws
        .collect(
            CollectWindow {
                since: now - Duration::days(90),
                until: now,
            },
            now,
            RunKind::Manual,
            &[],
            &|_| {},
        )
        .await
        .expect("collect");
    assert_eq!(run.status, "ok", "{run:?}");

    let rows = ws
        .store()
        .post_metric_rows(&RowFilter::default())
        .await
        .expect("post metric rows");
    let posts = latest_post_metrics(&rows, None);
    let samples: Vec<PostEngagement> = posts.iter().filter_map(engagement).collect();
    let accounts: std::collections::BTreeSet<&str> = samples.iter().map(|s| s.account.as_str()).collect();
    assert!(
        accounts.len() >= 3,
        "X owned, X tracked and Instagram owned have rates: {accounts:?}"
    );
    assert!(samples.len() > 300, "{} posts with an engagement rate", samples.len());

    // Accounts differ in base engagement rate (X 2.5–3 %, Instagram 7–8 %): compare each
    // post with its own account's average.
    let options = BestTimeOptions {
        normalization: Normalization::PerAccount,
        ..BestTimeOptions::default()
    };
    let bt = best_time(&samples, DEFAULT_TIME_ZONE, now, &options);
    assert_eq!(bt.time_zone, "America/Sao_Paulo");
    assert!(
        bt.posts_used as usize > 300 && bt.posts_skipped > 0,
        "{} used, {} skipped",
        bt.posts_used,
        bt.posts_skipped
    );
    assert_eq!(bt.window_start, now - Duration::days(90));
    assert_eq!(bt.top.len(), 10, "{}", describe(&bt));
    for pair in bt.top.windows(2) {
        assert!(pair[0].mean >= pair[1].mean, "top is ordered: {}", describe(&bt));
    }
    for slot in &bt.slots {
        assert_eq!(
            slot.mean.is_some(),
            slot.posts >= 2,
            "a slot counts only with two posts"
        );
    }

    // The top slot falls in the generator's evening peak, 19:00–21:59 local.
    let best = bt.top[0];
    assert!(
        (19..=21).contains(&best.hour),
        "top slot {} {}h: {}",
        best.weekday,
        best.hour,
        describe(&bt)
    );
    // Most of the top 10 are evening slots (the peak hours' multiplier dwarfs the rest).
    let evening = bt.top.iter().filter(|s| (18..=21).contains(&s.hour)).count();
    assert!(evening >= 6, "{evening} of the top 10 are 18–21 h: {}", describe(&bt));

    // Hours: 19 h or 20 h is the best local hour, and the evening beats the small hours.
    let hour_mean = |h: u32| bt.hour(h).and_then(|m| m.mean).unwrap_or(f64::NAN);
    let best_hour = (0..24)
        .max_by(|a, b| hour_mean(*a).total_cmp(&hour_mean(*b)))
        .expect("24 hours");
    assert!(best_hour == 19 || best_hour == 20, "best hour {best_hour}");
    assert!(
        hour_mean(19) > 1.2 * hour_mean(3),
        "19 h {} vs 03 h {}",
        hour_mean(19),
        hour_mean(3)
    );

    // Weekdays: Tuesday and Thursday beat Saturday.
    let (tue, thu, sat) = (
        weekday_mean(&bt, Weekday::Tue),
        weekday_mean(&bt, Weekday::Thu),
        weekday_mean(&bt, Weekday::Sat),
    );
    assert!(tue > sat && thu > sat, "Tue {tue:.3}, Thu {thu:.3}, Sat {sat:.3}");

    // The time zone matters: in UTC the same peak sits three hours later (22–00 h).
    let in_utc = best_time(&samples, Tz::UTC, now, &options);
    let utc_best_hour = (0..24)
        .max_by(|a, b| {
            let m = |h: u32| in_utc.hour(h).and_then(|m| m.mean).unwrap_or(f64::NAN);
            m(*a).total_cmp(&m(*b))
        })
        .expect("24 hours");
    assert_eq!(utc_best_hour, best_hour + 3, "UTC is São Paulo + 3 h");

    ws.close().await;
    sandbox.shutdown().await;
}
