//! The weekly report's "Top hashtags" and "Mentions and sentiment" sections on the
//! hand-made weeks of `weekly_report`: hashtag sums over the week's own posts with a
//! tracked hashtag's X volume, sentiment shares week over week with the most liked quotes,
//! and both sections right after the top posts in the HTML, PDF (en, pt-BR), XLSX and JSON.

use crate::weekly_report::{accounts, rows, t};
use alcance_core::sentiment::SentimentLabel;
use alcance_core::{CommentKind, Platform};
use alcance_report::pdf::{weekly_pdf_text, PdfLanguage};
use alcance_report::weekly::{
    build_weekly, week_of, write_weekly_report, TagVolume, VoiceComment, VoicesInput, WeeklyInput, WeeklyOptions,
    WeeklyReport,
};
use chrono::NaiveDate;
use std::io::Read;

fn comment(d: i64, kind: CommentKind, label: Option<SentimentLabel>, likes: i64, text: &str) -> VoiceComment {
    VoiceComment {
        platform: Platform::Instagram,
        kind,
        created_at: t(d, 15),
        label,
        like_count: Some(likes),
        author_handle: Some(format!("fan_{d}_{likes}")),
        text: (!text.is_empty()).then(|| text.to_string()),
    }
}

/// The week of 16 Nov (days 14–20): Instagram posts on even days carry `#Verão #praia`,
/// odd days `#verão`; comments 3 positive, 1 neutral, 2 negative (one mention without
/// text) against 1 positive, 1 negative the week before.
fn report() -> WeeklyReport {
    use SentimentLabel::*;
    let (account, posts, mut infos) = rows();
    for (i, info) in infos.iter_mut().enumerate() {
        info.caption = Some(if i % 2 == 0 {
            format!("Post {i} #Verão #praia")
        } else {
            format!("Post {i} #verão")
        });
    }
    let voices = VoicesInput {
        comments: vec![
            comment(8, CommentKind::Comment, Some(Positive), 3, "bom"),
            comment(9, CommentKind::Comment, Some(Negative), 80, "ruim"),
            comment(14, CommentKind::Comment, Some(Positive), 5, "Amei a coleção!"),
            comment(15, CommentKind::Reply, Some(Positive), 21, "Obrigada, lindo demais"),
            comment(16, CommentKind::Comment, Some(Positive), 2, "perfeito"),
            comment(17, CommentKind::Comment, Some(Neutral), 0, "Qual o preço?"),
            comment(18, CommentKind::Comment, Some(Negative), 9, "Entrega atrasou, péssimo"),
            comment(19, CommentKind::Comment, Some(Negative), 4, "não gostei"),
            comment(19, CommentKind::Mention, None, 0, ""),
            // After the week: not counted.
            comment(22, CommentKind::Comment, Some(Negative), 500, "horrível"),
        ],
        tag_volume: vec![TagVolume {
            hashtag: "#praia".into(),
            posts: 1234.0,
        }],
    };
    let accounts = accounts();
    let options = WeeklyOptions::default();
    build_weekly(&WeeklyInput {
        week: week_of(NaiveDate::from_ymd_opt(2026, 11, 18).expect("day")),
        time_zone: "America/Sao_Paulo".parse().expect("tz"),
        generated_at: t(24, 9),
        accounts: &accounts,
        account_rows: &account,
        post_rows: &posts,
        posts: &infos,
        options: &options,
        voices: &voices,
    })
}

#[test]
fn hashtags_are_summed_over_the_weeks_own_posts() {
    let r = report();
    // Days 14–20: 7 Instagram posts (500 reach; 40 likes + 5 comments each), even indexes
    // 14, 16, 18, 20 carry #praia too.
    let tags: Vec<(&str, usize)> = r.top_hashtags.iter().map(|h| (h.hashtag.as_str(), h.posts)).collect();
    assert_eq!(tags, [("#verão", 7), ("#praia", 4)]);
    let verao = &r.top_hashtags[0];
    assert_eq!((verao.reach, verao.interactions), (Some(3500.0), Some(315.0)));
    assert!(
        (verao.engagement_rate_by_reach.expect("rate") - 9.0).abs() < 1e-9,
        "45 / 500 × 100"
    );
    assert_eq!(verao.x_volume, None);
    assert_eq!(r.top_hashtags[1].x_volume, Some(1234.0));
    assert_eq!(r.top_hashtags[1].reach, Some(2000.0));
}

#[test]
fn mentions_and_sentiment_compare_the_week_with_the_one_before() {
    let m = report().mentions;
    assert_eq!(
        (m.week.received, m.week.positive, m.week.neutral, m.week.negative),
        (7, 3, 1, 2)
    );
    assert_eq!(m.week.positive_share, Some(0.5));
    assert_eq!(m.previous_week.negative_share, Some(0.5));
    assert!((m.positive_change_points.expect("change") - 0.0).abs() < 1e-9);
    assert!((m.negative_change_points.expect("change") - (2.0 / 6.0 - 0.5) * 100.0).abs() < 1e-9);
    assert_eq!(
        m.by_kind,
        vec![
            (CommentKind::Comment, 5),
            (CommentKind::Reply, 1),
            (CommentKind::Mention, 1)
        ]
    );
    assert_eq!(
        m.most_liked_positive.map(|q| q.excerpt),
        Some("Obrigada, lindo demais".into())
    );
    assert_eq!(
        m.most_liked_negative.map(|q| q.excerpt),
        Some("Entrega atrasou, péssimo".into())
    );
}

#[test]
fn both_sections_follow_the_top_posts_in_every_format() {
    let r = report();
    let dir = tempfile::tempdir().expect("tempdir");
    let files = write_weekly_report(&r, dir.path()).expect("write");

    let html = std::fs::read_to_string(&files.html).expect("html");
    let top = html.find("Top posts of the week").expect("top posts");
    let tags = html.find("Top hashtags").expect("top hashtags");
    let mentions = html.find("Mentions and sentiment").expect("mentions");
    let kpis = html.find("KPIs per account").expect("kpis");
    assert!(top < tags && tags < mentions && mentions < kpis);
    assert!(html.contains("#praia") && html.contains("1,234"));
    assert!(html.contains("3 (50.0 %)") && html.contains("-16.7 pp"));
    assert!(html.contains("Entrega atrasou, péssimo"));

    for (lang, words) in [
        (
            PdfLanguage::En,
            ["Top hashtags", "Mentions and sentiment", "Most liked negative:"],
        ),
        (
            PdfLanguage::PtBr,
            ["Principais hashtags", "Menções e sentimento", "Negativo mais curtido:"],
        ),
    ] {
        let text = weekly_pdf_text(&r, lang).expect("layout").join("\n");
        for w in words {
            assert!(text.contains(w), "{w} in the {lang:?} PDF");
        }
        assert!(text.contains("#verão"));
    }
    let pt = weekly_pdf_text(&r, PdfLanguage::PtBr).expect("layout").join("\n");
    assert!(pt.contains("3 (50,0 %)"), "Portuguese decimals");

    let mut zip = zip::ZipArchive::new(std::fs::File::open(&files.xlsx).expect("xlsx")).expect("zip");
    let mut workbook = String::new();
    zip.by_name("xl/workbook.xml")
        .expect("workbook")
        .read_to_string(&mut workbook)
        .expect("utf-8");
    let at = |name: &str| {
        workbook
            .find(&format!("name=\"{name}\""))
            .unwrap_or_else(|| panic!("{name}"))
    };
    assert!(at("Top posts") < at("Hashtags") && at("Hashtags") < at("Mentions"));

    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&files.json).expect("json")).expect("valid json");
    assert_eq!(json["top_hashtags"][1]["hashtag"], "#praia");
    assert_eq!(json["top_hashtags"][1]["x_volume"], 1234.0);
    assert_eq!(json["mentions"]["week"]["received"], 7);
    assert_eq!(json["mentions"]["week"]["positive_share"], 0.5);
}
