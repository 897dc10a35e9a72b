//! Unit tests of the seeded model (every network).

use super::*;
use chrono::{DateTime, Duration, Utc};

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_default()
}

#[test]
fn multiplier_peaks_in_the_local_evening() {
    // 2026-11-24 is a Tuesday; 23:00 UTC is 20:00 in São Paulo.
    let peak = engagement_multiplier(at("2026-11-24T23:00:00Z"));
    assert!((peak - 1.8 * 1.25).abs() < 1e-9);
    let low = engagement_multiplier(at("2026-11-24T07:00:00Z"));
    assert!((low - 0.5 * 1.25).abs() < 1e-9);
}

#[test]
fn ids_round_trip() {
    let g = Generator::new(7);
    let x = g.day_posts(0, 100);
    assert!(!x.is_empty());
    for p in x.iter() {
        let found = g.find_x_post(&p.id).map(|f| f.id);
        assert_eq!(found.as_deref(), Some(p.id.as_str()));
    }
    let ig = g.day_posts(2, 100);
    for p in ig.iter() {
        assert_eq!(p.id.len(), 17);
        assert_eq!(g.find_ig_media(&p.id).map(|f| f.id).as_deref(), Some(p.id.as_str()));
    }
    assert!(g.find_ig_media("17999999999999999").is_none());
}

#[test]
fn followers_grow_every_day() {
    let g = Generator::new(1);
    let mut last = 0;
    for d in 0..200 {
        let f = g.followers(0, day_start(d));
        assert!(f >= last, "day {d}: {f} < {last}");
        last = f;
    }
    let f2026 = g.followers(0, at("2026-11-01T00:00:00Z"));
    assert!((10_000..15_000).contains(&f2026), "{f2026}");
    let inf = g.followers(1, at("2026-11-01T00:00:00Z"));
    assert!((70_000..100_000).contains(&inf), "{inf}");
}

#[test]
fn post_count_matches_a_walk() {
    let g = Generator::new(3);
    let t = day_start(40) + Duration::hours(13);
    let walked = g.walk_back(0, t, day_start(0), None, |_| true, usize::MAX).len() as u64;
    assert_eq!(g.post_count(0, t), ACCOUNTS[0].posts_before_history + walked);
}

#[test]
fn facebook_and_tiktok_ids_round_trip() {
    let g = Generator::new(5);
    let fb = account_by_id(Network::Facebook, FB_PAGE_OWNED).unwrap_or_default();
    let tt = account_by_id(Network::Tiktok, TT_OPEN_ID).unwrap_or_default();
    let mut videos = 0;
    for day in 300..330 {
        for p in g.day_posts(fb, day).iter() {
            assert_eq!(find_fb_post(&g, &p.id).map(|f| f.id), Some(p.id.clone()));
            if let Some(v) = fb_video_id(p) {
                videos += 1;
                assert_eq!(find_fb_video(&g, &v).map(|f| f.id), Some(p.id.clone()));
            }
        }
        for p in g.day_posts(tt, day).iter() {
            assert_eq!(find_tt_video(&g, &p.id).map(|f| f.id), Some(p.id.clone()));
        }
    }
    assert!(videos > 0);
    assert!(find_fb_post(&g, "104000000000001_199999990000000").is_none());
    assert!(find_tt_video(&g, "7300000000000000000").is_none());
}

#[test]
fn whatsapp_days_are_consistent() {
    let g = Generator::new(9);
    let wa = account_by_id(Network::Whatsapp, WABA_ID).unwrap_or_default();
    let now = day_start(900) + Duration::hours(30);
    for day in 880..=901 {
        let Some(d) = wa_day(&g, wa, day, now) else {
            panic!("day {day} exists");
        };
        assert!(d.delivered <= d.sent);
        assert_eq!(d.pricing.iter().map(|p| p.volume).sum::<u64>(), d.sent);
        assert!(d.conversations.iter().map(|c| c.count).sum::<u64>() <= d.sent);
        for t in d.templates {
            assert!(t.read <= t.delivered && t.delivered <= t.sent);
        }
    }
    assert!(wa_day(&g, wa, 902, now).is_none());
    let partial = wa_day(&g, wa, 901, now).map(|d| d.sent).unwrap_or_default();
    let full = wa_day(&g, wa, 900, now).map(|d| d.sent).unwrap_or_default();
    assert!(partial < full, "{partial} < {full}");
}

#[test]
fn reactions_split_sums_to_the_total() {
    for total in [0u64, 1, 7, 330, 12_345] {
        let parts = reactions_by_type(total);
        assert_eq!(parts.iter().map(|(_, v)| v).sum::<u64>(), total);
    }
}

#[test]
fn post_volume_multiplies_x_and_instagram_posts_and_keeps_ids_unique() {
    let g = Generator::new(7);
    let days = 200..230;
    let count = |g: &Generator, account: usize| days.clone().map(|d| g.day_posts(account, d).len()).sum::<usize>();
    let (x1, ig1, fb1) = (count(&g, 0), count(&g, 2), count(&g, 4));
    let first_x = g.day_posts(0, 200)[0].id.clone();
    assert_eq!(g.set_volume(50), MAX_POST_VOLUME, "clamped");
    assert_eq!(g.set_volume(0), 1, "clamped");
    assert_eq!(g.day_posts(0, 200)[0].id, first_x, "volume 1 is the model's posts");
    assert_eq!(g.set_volume(MAX_POST_VOLUME), MAX_POST_VOLUME);
    let (x10, ig10, fb10) = (count(&g, 0), count(&g, 2), count(&g, 4));
    assert!(x10 >= 10 * 30 && x10 > 6 * x1, "X: {x1} → {x10} posts in 30 days");
    assert!(ig10 > 6 * ig1, "Instagram: {ig1} → {ig10} media in 30 days");
    assert_eq!(fb10, fb1, "other networks keep their rates");
    for account in [0, 1, 2, 3] {
        let mut seen = std::collections::HashSet::new();
        for d in days.clone() {
            for p in g.day_posts(account, d).iter() {
                assert!(seen.insert(p.id.clone()), "duplicate id {}", p.id);
                let found = match ACCOUNTS[account].network {
                    Network::X => g.find_x_post(&p.id),
                    _ => g.find_ig_media(&p.id),
                };
                assert_eq!(found.map(|f| f.id).as_deref(), Some(p.id.as_str()));
            }
        }
    }
    // The prefix counts were forgotten with the days: a count still matches a walk.
    let t = day_start(40) + Duration::hours(13);
    let walked = g.walk_back(0, t, day_start(0), None, |_| true, usize::MAX).len() as u64;
    assert_eq!(g.post_count(0, t), ACCOUNTS[0].posts_before_history + walked);
}
