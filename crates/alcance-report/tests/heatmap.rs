//! The best-time heatmap SVG: grid, colors, labels, no-data and malformed input; and the
//! shared post → best-time input conversion.

use alcance_core::analytics::best_time::{best_time, BestTime, BestTimeOptions, PostEngagement, Tz};
use alcance_core::analytics::posts::PostMetrics;
use alcance_core::Platform;
use alcance_report::heatmap::{
    post_engagements, render_best_time_svg, HeatmapChart, BEST_TIME_EXCLUDES, EMPTY_FILL, HIGH_FILL, LOW_FILL,
};
use alcance_report::ReportError;
use chrono::{DateTime, TimeZone, Utc};
use plotters::style::RGBColor;
use std::collections::{BTreeMap, HashMap};

/// `2026-03-DD hh:00Z`; 2026-03-02 is a Monday.
fn t(day: u32, hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, day, hour, 0, 0)
        .single()
        .unwrap_or_else(|| panic!("bad test time {day} {hour}"))
}

fn post(at: DateTime<Utc>, value: f64) -> PostEngagement {
    PostEngagement {
        account: "x:1".to_string(),
        published_at: at,
        value,
    }
}

fn options() -> BestTimeOptions {
    BestTimeOptions {
        min_age_hours: 0,
        ..BestTimeOptions::default()
    }
}

/// Monday 9 h: 4 and 6 (mean 5); Wednesday 14 h: 1 and 1 (mean 1, the lowest); Sunday
/// 20 h: 8 and 10 (mean 9, the best); Friday 7 h: one post (no mean).
fn sample() -> BestTime {
    let posts = vec![
        post(t(2, 9), 4.0),
        post(t(9, 9), 6.0),
        post(t(4, 14), 1.0),
        post(t(11, 14), 1.0),
        post(t(8, 20), 8.0),
        post(t(15, 20), 10.0),
        post(t(6, 7), 50.0),
    ];
    best_time(&posts, Tz::UTC, t(20, 0), &options())
}

fn hex(c: RGBColor) -> String {
    format!("#{:02X}{:02X}{:02X}", c.0, c.1, c.2)
}

#[derive(Debug, Clone, PartialEq)]
struct Rect {
    x: i32,
    y: i32,
    w: i32,
    h: i32,
    fill: String,
}

fn attr(tag: &str, name: &str) -> Option<String> {
    let key = format!(" {name}=\"");
    let start = tag.find(&key)? + key.len();
    let end = tag[start..].find('"')? + start;
    Some(tag[start..end].to_string())
}

/// Every `<rect>` of the SVG with its position, size and fill.
fn rects(svg: &str) -> Vec<Rect> {
    svg.split("<rect")
        .skip(1)
        .filter_map(|t| {
            let tag = &t[..t.find("/>")?];
            let num = |n: &str| attr(tag, n).and_then(|v| v.parse::<i32>().ok());
            Some(Rect {
                x: num("x")?,
                y: num("y")?,
                w: num("width")?,
                h: num("height")?,
                fill: attr(tag, "fill")?,
            })
        })
        .collect()
}

/// The 168 grid cells: the filled rects of the one size that occurs exactly 168 times,
/// in drawing order (Monday 0 h first).
fn cells(svg: &str) -> Vec<Rect> {
    let all: Vec<Rect> = rects(svg).into_iter().filter(|r| r.fill != "none").collect();
    let mut sizes: HashMap<(i32, i32), usize> = HashMap::new();
    for r in &all {
        *sizes.entry((r.w, r.h)).or_default() += 1;
    }
    let size = sizes
        .iter()
        .find(|(_, n)| **n == 168)
        .map(|(s, _)| *s)
        .unwrap_or_else(|| panic!("no cell size occurs 168 times: {sizes:?}"));
    all.into_iter().filter(|r| (r.w, r.h) == size).collect()
}

/// The trimmed contents of every `<text>` element.
fn texts(svg: &str) -> Vec<String> {
    svg.split("<text")
        .skip(1)
        .filter_map(|t| {
            let start = t.find('>')? + 1;
            let end = t.find("</text>")?;
            Some(t[start..end].trim().to_string())
        })
        .collect()
}

fn render(best: &BestTime, chart: &HeatmapChart) -> String {
    render_best_time_svg(best, chart).unwrap_or_else(|e| panic!("render: {e}"))
}

#[test]
fn the_grid_has_168_cells_colored_by_slot_mean() {
    let best = sample();
    let svg = render(&best, &HeatmapChart::default());
    assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"), "{svg}");
    assert!(svg.contains("width=\"720\"") && svg.contains("height=\"320\""));
    let cells = cells(&svg);
    assert_eq!(cells.len(), 168);
    let empty = hex(EMPTY_FILL);
    let at = |weekday: usize, hour: usize| &cells[weekday * 24 + hour];
    // The three slots with a mean are colored, everything else (Friday's single post
    // included) is the empty grey.
    let colored: Vec<usize> = (0..168).filter(|i| cells[*i].fill != empty).collect();
    assert_eq!(colored, vec![9, 2 * 24 + 14, 6 * 24 + 20]);
    assert_eq!(at(4, 7).fill, empty, "one post is not enough");
    // Best (Sunday 20 h) is the accent, lowest (Wednesday 14 h) the light tint, Monday
    // 9 h in between.
    assert_eq!(at(6, 20).fill, hex(HIGH_FILL));
    assert_eq!(at(2, 14).fill, hex(LOW_FILL));
    let mid = &at(0, 9).fill;
    assert!(mid != &hex(HIGH_FILL) && mid != &hex(LOW_FILL) && mid != &empty);
    // Rows Monday..Sunday top to bottom, columns 0..23 h left to right.
    assert!(at(0, 0).y < at(6, 0).y && at(0, 0).x < at(0, 23).x);
    assert_eq!(at(3, 5).x, at(0, 5).x);
    assert_eq!(at(3, 5).y, at(3, 0).y);
    // The best slot is outlined (one dark polyline around its cell).
    let outline: Vec<&str> = svg.split("<polyline").skip(1).collect();
    assert_eq!(outline.len(), 1, "{svg}");
    let first = attr(outline[0], "points")
        .and_then(|p| p.split_whitespace().next().map(str::to_string))
        .unwrap_or_default();
    let best_cell = at(6, 20);
    let (ox, oy) = first.split_once(',').unwrap_or_default();
    let (ox, oy) = (ox.parse::<i32>().unwrap_or(-1), oy.parse::<i32>().unwrap_or(-1));
    assert!(
        (best_cell.x - 2..=best_cell.x).contains(&ox) && (best_cell.y - 2..=best_cell.y).contains(&oy),
        "outline at {first}, best cell {best_cell:?}"
    );
}

#[test]
fn labels_legend_and_translated_weekdays_appear() {
    let best = sample();
    let english = texts(&render(
        &best,
        &HeatmapChart {
            unit: "%".to_string(),
            hour_label: "Hour (UTC)".to_string(),
            ..HeatmapChart::default()
        },
    ));
    for want in ["Best time to post", "Hour (UTC)", "Mon", "Sun", "00", "1.0%", "9.0%"] {
        assert!(english.iter().any(|t| t == want), "{want} missing from {english:?}");
    }
    let pt = HeatmapChart {
        title: "Melhor horário para postar".to_string(),
        hour_label: "Hora (America/Sao_Paulo)".to_string(),
        weekdays: ["seg", "ter", "qua", "qui", "sex", "sáb", "dom"]
            .iter()
            .map(|d| (*d).to_string())
            .collect(),
        ..HeatmapChart::default()
    };
    let pt_texts = texts(&render(&best, &pt));
    for want in [
        "Melhor horário para postar",
        "Hora (America/Sao_Paulo)",
        "seg",
        "sáb",
        "dom",
    ] {
        assert!(pt_texts.iter().any(|t| t == want), "{want} missing from {pt_texts:?}");
    }
    assert!(!pt_texts.iter().any(|t| t == "Mon" || t == "Best time to post"));
    // Six or eight names are not a week: English names instead, never a panic.
    for n in [0, 6, 8] {
        let odd = HeatmapChart {
            weekdays: vec!["x".to_string(); n],
            ..HeatmapChart::default()
        };
        let t = texts(&render(&best, &odd));
        assert!(
            t.iter().any(|t| t == "Mon") && t.iter().any(|t| t == "Sun"),
            "{n}: {t:?}"
        );
    }
}

#[test]
fn nothing_qualifying_draws_the_no_data_text() {
    let none = best_time(&[], Tz::UTC, t(20, 0), &options());
    let chart = HeatmapChart {
        no_data: "Ainda sem dados".to_string(),
        ..HeatmapChart::default()
    };
    let svg = render(&none, &chart);
    assert!(svg.starts_with("<svg"));
    assert!(texts(&svg).iter().any(|t| t == "Ainda sem dados"));
    assert!(!svg.contains(&hex(EMPTY_FILL)), "no grid without data");
    // Posts, but each alone in its slot.
    let lonely = best_time(&[post(t(2, 9), 3.0), post(t(3, 9), 4.0)], Tz::UTC, t(20, 0), &options());
    assert_eq!(lonely.posts_used, 2);
    let svg = render(&lonely, &HeatmapChart::default());
    assert!(texts(&svg).iter().any(|t| t == "No data yet"));
}

#[test]
fn malformed_input_is_drawn_or_refused_never_a_panic() {
    let mut best = sample();
    // A NaN mean is an empty slot; the scale comes from the other slots.
    best.slots[6 * 24 + 20].mean = Some(f64::NAN);
    let svg = render(&best, &HeatmapChart::default());
    let grid = cells(&svg);
    assert_eq!(grid[6 * 24 + 20].fill, hex(EMPTY_FILL));
    assert_eq!(grid[9].fill, hex(HIGH_FILL), "Monday 9 h is now the highest");
    // Too few slots (a hand-made BestTime) and a top slot out of range.
    best.slots.truncate(10);
    best.top.iter_mut().for_each(|s| s.hour = 99);
    let svg = render(&best, &HeatmapChart::default());
    assert_eq!(cells(&svg).len(), 168);
    // The smallest and a control-character title still render.
    let small = HeatmapChart {
        width: 200,
        height: 200,
        title: "a\u{0}b".to_string(),
        ..HeatmapChart::default()
    };
    assert!(render(&sample(), &small).starts_with("<svg"));
    let too_small = HeatmapChart {
        width: 10,
        ..HeatmapChart::default()
    };
    assert!(matches!(
        render_best_time_svg(&sample(), &too_small),
        Err(ReportError::Chart(_))
    ));
}

fn metrics(post_id: &str, content_type: &str, published: Option<DateTime<Utc>>, likes: Option<f64>) -> PostMetrics {
    PostMetrics {
        platform: Platform::Instagram,
        user_id: "17".to_string(),
        post_id: post_id.to_string(),
        content_type: content_type.to_string(),
        published_at: published,
        metrics: likes
            .map(|l| ("likes".to_string(), l))
            .into_iter()
            .collect::<BTreeMap<_, _>>(),
        collected_at: None,
        followers: None,
    }
}

#[test]
fn post_engagements_skip_excluded_types_and_posts_without_time_or_value() {
    let posts = vec![
        metrics("reel", "reel", Some(t(2, 9)), Some(10.0)),
        metrics("story", "story", Some(t(2, 10)), Some(99.0)),
        metrics("undated", "image", None, Some(5.0)),
        metrics("no_value", "image", Some(t(3, 9)), None),
        metrics("image", "image", Some(t(4, 9)), Some(3.0)),
    ];
    let got = post_engagements(&posts, &BEST_TIME_EXCLUDES, PostMetrics::interactions);
    let summary: Vec<(String, DateTime<Utc>, f64)> = got
        .iter()
        .map(|p| (p.account.clone(), p.published_at, p.value))
        .collect();
    assert_eq!(
        summary,
        vec![
            ("instagram:17".to_string(), t(2, 9), 10.0),
            ("instagram:17".to_string(), t(4, 9), 3.0)
        ]
    );
    // No exclusions keeps the story; the value function decides the unit.
    let all = post_engagements(posts.iter(), &[] as &[String], |p| p.metric("likes").map(|v| v * 2.0));
    assert_eq!(all.iter().map(|p| p.value).collect::<Vec<_>>(), vec![20.0, 198.0, 6.0]);
}
