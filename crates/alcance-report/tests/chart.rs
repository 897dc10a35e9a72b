//! Charts: SVG text, PNG bytes and pixels, empty and malformed input.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers may panic on a broken fixture

use alcance_report::chart::{
    render_png, render_png_with, render_svg, render_svg_with, ChartText, LineChart, Series, MAX_SIDE, MIN_SIDE,
};
use alcance_report::ReportError;
use chrono::{DateTime, Duration, TimeZone, Utc};

fn day(n: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 2, 1, 6, 0, 0).single().expect("valid") + Duration::days(n)
}

fn chart(series: Vec<Series>) -> LineChart {
    LineChart {
        title: "Follower growth".to_string(),
        y_label: "Followers".to_string(),
        series,
        width: 800,
        height: 450,
    }
}

fn two_accounts() -> Vec<Series> {
    vec![
        Series {
            label: "@acme (X)".to_string(),
            points: (0..30).map(|d| (day(d), 12_000.0 + 35.0 * d as f64)).collect(),
        },
        Series {
            label: "@acme_br & co (Instagram)".to_string(),
            points: (0..30).map(|d| (day(d), 48_000.0 + 90.0 * d as f64)).collect(),
        },
    ]
}

/// Width and height from the IHDR chunk, after checking the PNG signature.
fn png_size(png: &[u8]) -> (u32, u32) {
    assert!(png.len() > 33, "too short for a PNG");
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "PNG signature");
    assert_eq!(&png[12..16], b"IHDR");
    let be = |b: &[u8]| u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
    (be(&png[16..20]), be(&png[20..24]))
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

fn has_text(svg: &str, text: &str) -> bool {
    texts(svg).iter().any(|t| t == text)
}

fn pixels_of(png: &[u8], rgb: [u8; 3]) -> usize {
    let img = image::load_from_memory_with_format(png, image::ImageFormat::Png)
        .expect("decodable PNG")
        .to_rgb8();
    img.pixels().filter(|p| p.0 == rgb).count()
}

#[test]
fn svg_has_the_title_labels_and_axis_text() {
    let svg = render_svg(&chart(two_accounts())).expect("svg");
    assert!(svg.starts_with("<svg"), "{}", &svg[..svg.len().min(80)]);
    assert!(svg.contains("width=\"800\"") && svg.contains("height=\"450\""));
    assert!(has_text(&svg, "Follower growth"));
    assert!(has_text(&svg, "@acme (X)"));
    assert!(
        has_text(&svg, "@acme_br &amp; co (Instagram)"),
        "labels are XML-escaped"
    );
    assert!(has_text(&svg, "Followers") && has_text(&svg, "Date (UTC)"));
    // Thousands separators on the y axis, dd/mm dates on the x axis.
    assert!(
        has_text(&svg, "50,000") || has_text(&svg, "40,000"),
        "y labels with separators"
    );
    assert!(
        has_text(&svg, "01/02") || has_text(&svg, "02/02") || has_text(&svg, "03/02"),
        "dd/mm x labels"
    );
    // One stroke color per series (Tableau blue and orange).
    assert!(
        svg.contains("#4E79A7") && svg.contains("#F28E2B"),
        "distinct series colors"
    );
    assert!(!svg.contains("No data yet"));
}

#[test]
fn png_has_the_requested_size_and_draws_each_series() {
    let mut c = chart(two_accounts());
    c.width = 640;
    c.height = 360;
    let png = render_png(&c).expect("png");
    assert_eq!(png_size(&png), (640, 360));
    assert!(pixels_of(&png, [0x4E, 0x79, 0xA7]) > 200, "first series drawn in blue");
    assert!(
        pixels_of(&png, [0xF2, 0x8E, 0x2B]) > 200,
        "second series drawn in orange"
    );
    assert!(pixels_of(&png, [0x22, 0x22, 0x22]) > 50, "title text drawn");
}

#[test]
fn empty_charts_say_no_data_yet() {
    let svg = render_svg(&chart(vec![])).expect("svg");
    assert!(has_text(&svg, "No data yet"));
    assert!(has_text(&svg, "Follower growth"));
    let png = render_png(&chart(vec![])).expect("png");
    assert_eq!(png_size(&png), (800, 450));
    assert!(pixels_of(&png, [0x66, 0x66, 0x66]) > 20, "the message is drawn");

    let only_bad = vec![Series {
        label: "@nan (X)".to_string(),
        points: vec![(day(0), f64::NAN), (day(1), f64::INFINITY), (day(2), f64::NEG_INFINITY)],
    }];
    assert!(has_text(
        &render_svg(&chart(only_bad.clone())).expect("svg"),
        "No data yet"
    ));
    render_png(&chart(only_bad)).expect("png");
    let no_points = vec![Series {
        label: "@empty (X)".to_string(),
        points: vec![],
    }];
    assert!(has_text(&render_svg(&chart(no_points)).expect("svg"), "No data yet"));
}

#[test]
fn the_x_axis_and_no_data_texts_can_be_translated() {
    let text = ChartText {
        x_label: "Data (UTC)".to_string(),
        no_data: "Ainda sem dados".to_string(),
    };
    let svg = render_svg_with(&chart(two_accounts()), &text).expect("svg");
    assert!(has_text(&svg, "Data (UTC)") && !has_text(&svg, "Date (UTC)"));
    let empty = render_svg_with(&chart(vec![]), &text).expect("svg");
    assert!(has_text(&empty, "Ainda sem dados") && !empty.contains("No data yet"));
    // The defaults are the English texts render_svg draws.
    assert_eq!(
        render_svg_with(&chart(two_accounts()), &ChartText::default()).expect("svg"),
        render_svg(&chart(two_accounts())).expect("svg")
    );
    let png = render_png_with(&chart(vec![]), &text).expect("png");
    assert_eq!(png_size(&png), (800, 450));
    assert!(pixels_of(&png, [0x66, 0x66, 0x66]) > 20, "the message is drawn");
    // Missing fields deserialize to the English defaults.
    let partial: ChartText = serde_json::from_str(r#"{"no_data":"Sem dados"}"#).expect("json");
    assert_eq!(
        (partial.x_label.as_str(), partial.no_data.as_str()),
        ("Date (UTC)", "Sem dados")
    );
}

#[test]
fn nan_points_are_skipped_and_empty_series_are_named_in_the_legend() {
    let series = vec![
        Series {
            label: "@ok (X)".to_string(),
            points: vec![(day(2), 10.0), (day(0), 5.0), (day(1), f64::NAN), (day(3), 12.0)],
        },
        Series {
            label: "@silent (TikTok)".to_string(),
            points: vec![],
        },
    ];
    let svg = render_svg(&chart(series.clone())).expect("svg");
    assert!(has_text(&svg, "@ok (X)"));
    assert!(has_text(&svg, "@silent (TikTok) (no data)"));
    assert!(!svg.contains("NaN"));
    render_png(&chart(series)).expect("png");
}

#[test]
fn degenerate_ranges_render() {
    // One point, a flat line, negative values, huge values, times far apart and times at
    // the edges of what a chart can place.
    let cases = vec![
        vec![(day(0), 42.0)],
        vec![(day(0), 7.0), (day(1), 7.0), (day(2), 7.0)],
        vec![(day(0), -5.0), (day(1), 3.0)],
        vec![(day(0), 9e14), (day(1), 9.9e14)],
        vec![(day(0), 1e15), (day(1), 1e15 - 0.125)],
        vec![(day(0), 1e-300), (day(1), 2e-300)],
        vec![(day(0), 5.0), (day(0) + Duration::milliseconds(1), 6.0)],
        vec![(day(0), 0.001), (day(1), 0.002)],
        vec![(day(0), f64::MAX), (day(1), -f64::MAX)],
        vec![(day(-20_000), 1.0), (day(60_000), 2.0)],
        vec![(day(0), 1.0), (day(0) + Duration::minutes(30), 2.0)],
        vec![
            (DateTime::<Utc>::MIN_UTC, 1.0),
            (DateTime::<Utc>::MAX_UTC, 2.0),
            (day(0), 3.0),
        ],
    ];
    for points in cases {
        eprintln!("case {points:?}");
        let c = chart(vec![Series {
            label: "@edge (X)".to_string(),
            points: points.clone(),
        }]);
        render_svg(&c).unwrap_or_else(|e| panic!("svg for {points:?}: {e}"));
        let png = render_png(&c).unwrap_or_else(|e| panic!("png for {points:?}: {e}"));
        assert_eq!(png_size(&png), (800, 450));
    }
}

#[test]
fn many_series_and_long_labels_fit() {
    let series: Vec<Series> = (0..25)
        .map(|i| Series {
            label: format!("@account_with_a_rather_long_handle_{i} (Instagram)"),
            points: (0..10).map(|d| (day(d), (i * 100 + d) as f64)).collect(),
        })
        .collect();
    let mut c = chart(series);
    c.title = "A very long title that certainly does not fit on one line of a small chart, so it is cut".to_string();
    c.width = 400;
    c.height = 300;
    let svg = render_svg(&c).expect("svg");
    assert!(svg.contains("…"), "long text is cut with an ellipsis");
    let all = texts(&svg);
    let shown = all.iter().filter(|t| t.starts_with("@account")).count();
    let hidden: usize = all
        .iter()
        .find_map(|t| t.strip_prefix('+').and_then(|r| r.strip_suffix(" more")))
        .and_then(|n| n.parse().ok())
        .expect("series that do not fit are summarised as \"+N more\"");
    assert!(shown >= 1, "some series are named");
    assert_eq!(shown + hidden, 25, "every series is either named or counted");
    assert_eq!(png_size(&render_png(&c).expect("png")), (400, 300));
}

#[test]
fn sizes_outside_the_limits_are_refused() {
    for (w, h) in [
        (0, 450),
        (800, 0),
        (MIN_SIDE - 1, 450),
        (800, MAX_SIDE + 1),
        (u32::MAX, u32::MAX),
    ] {
        let mut c = chart(two_accounts());
        c.width = w;
        c.height = h;
        assert!(matches!(render_png(&c), Err(ReportError::Chart(_))), "{w}x{h}");
        assert!(matches!(render_svg(&c), Err(ReportError::Chart(_))), "{w}x{h}");
    }
}

/// A tiny deterministic generator (SplitMix64) for the sweep below.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[test]
fn random_ranges_never_hang_or_panic() {
    let mut rng = Rng(7);
    let base = day(0);
    for _ in 0..300 {
        let magnitude = 10f64.powi(rng.below(40) as i32 - 20);
        let offset = if rng.below(2) == 0 {
            0.0
        } else {
            magnitude * 1e6 * (rng.unit() - 0.5)
        };
        let time_scale_s = 10f64.powi(rng.below(10) as i32) as i64;
        let series: Vec<Series> = (0..rng.below(4))
            .map(|i| Series {
                label: format!("s{i}"),
                points: (0..rng.below(6))
                    .map(|_| {
                        let dt = Duration::seconds(((rng.unit() - 0.5) * time_scale_s as f64) as i64);
                        (base + dt, offset + magnitude * (rng.unit() - 0.5))
                    })
                    .collect(),
            })
            .collect();
        let c = chart(series);
        render_svg(&c).unwrap_or_else(|e| panic!("{c:?}: {e}"));
    }
}

/// A few days of data (the demo's first days, a 7-day filter): the date axis names each day
/// once, never the same day twice for ticks inside it.
#[test]
fn a_short_date_axis_names_each_day_once() {
    for days in [3, 4, 5, 7] {
        let c = chart(vec![Series {
            label: "@acme (X)".to_string(),
            points: (0..days).map(|d| (day(d), 100.0 + d as f64)).collect(),
        }]);
        let svg = render_svg(&c).unwrap();
        let dates: Vec<String> = texts(&svg)
            .into_iter()
            .filter(|t| t.len() == 5 && t.as_bytes()[2] == b'/' && t.chars().filter(char::is_ascii_digit).count() == 4)
            .collect();
        assert!(dates.len() >= 2, "{days} days: date labels {dates:?}");
        let mut unique = dates.clone();
        unique.dedup();
        assert_eq!(unique, dates, "{days} days: a day is named twice");
    }
}

#[test]
fn twelve_series_get_twelve_stroke_colors() {
    // The demo draws twelve accounts on seven platforms: none may share a line color.
    let series: Vec<Series> = (0..12)
        .map(|i| Series {
            label: format!("@account{i} (X)"),
            points: (0..10).map(|d| (day(d), 1_000.0 * (i + 1) as f64 + d as f64)).collect(),
        })
        .collect();
    let svg = render_svg(&chart(series)).expect("svg");
    let strokes: std::collections::BTreeSet<&str> = svg
        .match_indices("stroke=\"#")
        .map(|(at, _)| &svg[at + 8..at + 15])
        .collect();
    for color in ["#4E79A7", "#BAB0AC", "#A0CBE8", "#FFBE7D"] {
        assert!(strokes.contains(color), "{color} missing from {strokes:?}");
    }
    // Series colors plus the axis, grid and legend inks; at least twelve distinct hues.
    assert!(strokes.len() >= 12, "{strokes:?}");
}
