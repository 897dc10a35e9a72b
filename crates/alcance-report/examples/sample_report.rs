//! Renders sample charts and exports from made-up rows, without the app or a database:
//!
//! ```sh
//! cargo run -p alcance-report --example sample_report -- /tmp/alcance-sample
//! ```
//!
//! Writes `followers.png`, `followers.svg`, `engagement.png`, `empty.png`,
//! `account_metrics.csv`, `post_metrics.csv`, `export.json` and `export.xlsx`.

use alcance_core::{AccountMetricRow, Period, Platform, PostMetricRow};
use alcance_report::chart::{render_png, render_svg, LineChart};
use alcance_report::export::{self, AccountInfo, ExportBundle, PostInfo};
use alcance_report::series::{engagement_trend, follower_growth};
use chrono::{Duration, TimeZone, Utc};
use std::collections::HashMap;
use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| "alcance-sample".to_string()));
    std::fs::create_dir_all(&out)?;

    let start = Utc
        .with_ymd_and_hms(2026, 1, 5, 9, 0, 0)
        .single()
        .ok_or("bad start date")?;
    let accounts = [
        (Platform::Instagram, "17841400000000001", "acme_br", 48_200.0, 95.0),
        (Platform::X, "2244994945", "acme", 12_900.0, 22.0),
        (Platform::Tiktok, "7001", "acme.tt", 151_000.0, 610.0),
    ];
    let mut account_rows: Vec<AccountMetricRow> = Vec::new();
    let mut post_rows: Vec<PostMetricRow> = Vec::new();
    let mut posts: Vec<PostInfo> = Vec::new();
    for (a, (platform, id, username, base, daily)) in accounts.iter().enumerate() {
        for day in 0..90i64 {
            let at = start + Duration::days(day);
            let weekly = ((day as f64 + a as f64) * std::f64::consts::TAU / 7.0).sin();
            let followers = base + daily * day as f64 + daily * 3.0 * weekly;
            account_rows.push(AccountMetricRow {
                user_id: id.to_string(),
                username: Some(username.to_string()),
                platform: *platform,
                metric_type: "followers".to_string(),
                period: Period::Snapshot,
                value: Some(followers.round()),
                collected_at: at,
                period_start: at,
                period_end: at,
            });
            // A post every third day, growing and saturating.
            for p in (0..=day).filter(|p| p % 3 == a as i64 % 3) {
                let age = (day - p) as f64;
                let scale = daily * 4.0 * (1.0 - (-age / 2.0).exp()) + daily;
                let post_id = format!("{id}_{p}");
                if age == 0.0 {
                    posts.push(PostInfo {
                        platform: *platform,
                        user_id: id.to_string(),
                        post_id: post_id.clone(),
                        content_type: "image".to_string(),
                        published_at: Some(at - Duration::hours(2)),
                        permalink: Some(format!("https://example.invalid/{post_id}")),
                        caption: Some(format!("Post {p} of @{username}")),
                    });
                }
                for (metric, share) in [("likes", 1.0), ("comments", 0.08), ("shares", 0.05)] {
                    post_rows.push(PostMetricRow {
                        user_id: id.to_string(),
                        platform: *platform,
                        post_id: post_id.clone(),
                        content_type: "image".to_string(),
                        published_at: Some(start + Duration::days(p) - Duration::hours(2)),
                        metric_type: metric.to_string(),
                        value: Some((scale * share).round()),
                        collected_at: at,
                    });
                }
            }
        }
    }

    let growth = LineChart {
        title: "Follower growth".to_string(),
        y_label: "Followers".to_string(),
        series: follower_growth(&account_rows),
        width: 960,
        height: 540,
    };
    std::fs::write(out.join("followers.png"), render_png(&growth)?)?;
    std::fs::write(out.join("followers.svg"), render_svg(&growth)?)?;

    let usernames: HashMap<(Platform, String), String> = accounts
        .iter()
        .map(|(p, id, u, _, _)| ((*p, id.to_string()), u.to_string()))
        .collect();
    let engagement = LineChart {
        title: "Engagement: interactions gained per day".to_string(),
        y_label: "Interactions per day".to_string(),
        series: engagement_trend(&post_rows, &usernames),
        width: 960,
        height: 540,
    };
    std::fs::write(out.join("engagement.png"), render_png(&engagement)?)?;
    let empty = LineChart {
        title: "Reach".to_string(),
        y_label: "Accounts reached".to_string(),
        series: vec![],
        width: 640,
        height: 360,
    };
    std::fs::write(out.join("empty.png"), render_png(&empty)?)?;

    let bundle = ExportBundle {
        generated_at: Utc::now(),
        accounts: accounts
            .iter()
            .map(|(p, id, u, _, _)| AccountInfo {
                platform: *p,
                user_id: id.to_string(),
                username: Some(u.to_string()),
                display_name: Some(format!("Acme on {}", p.label())),
                owned: *p != Platform::Tiktok,
                status: "active".to_string(),
            })
            .collect(),
        account_metrics: account_rows,
        post_metrics: post_rows,
        posts,
        audience: vec![],
    };
    export::write_account_csv(
        &bundle.account_metrics,
        std::fs::File::create(out.join("account_metrics.csv"))?,
    )?;
    export::write_post_csv(
        &bundle.post_metrics,
        std::fs::File::create(out.join("post_metrics.csv"))?,
    )?;
    export::write_json(&bundle, std::fs::File::create(out.join("export.json"))?)?;
    export::write_xlsx(&bundle, &out.join("export.xlsx"))?;
    println!("wrote {}", out.display());
    Ok(())
}
