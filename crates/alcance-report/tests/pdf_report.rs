//! The PDF reports (issue 13 point 4): every section on the pages in both languages, the
//! languages' number separators, links only to the web, tables that continue with their
//! header, and a valid PDF file written beside the other formats.

use crate::{campaign_report, weekly_report};
use alcance_report::campaign::{campaign_report as build_campaign, write_campaign_report, CampaignColumn};
use alcance_report::pdf::{campaign_pdf, campaign_pdf_text, weekly_pdf, weekly_pdf_text, PdfLanguage};
use alcance_report::weekly::write_weekly_report;
use chrono::{TimeZone, Utc};

/// Pages in a PDF file: page objects (`/Type /Page`), not the page tree (`/Type /Pages`).
fn page_count(pdf: &[u8]) -> usize {
    let text = String::from_utf8_lossy(pdf).replace("/Type /", "/Type/");
    text.matches("/Type/Page").count() - text.matches("/Type/Pages").count()
}

fn assert_pdf(pdf: &[u8]) {
    assert!(pdf.starts_with(b"%PDF-"), "a PDF header");
    let tail = String::from_utf8_lossy(&pdf[pdf.len().saturating_sub(32)..]).to_string();
    assert!(tail.trim_end().ends_with("%%EOF"), "a PDF trailer: {tail:?}");
}

#[test]
fn the_weekly_pdf_has_every_section_in_both_languages() {
    let r = weekly_report::report();
    let en = weekly_pdf_text(&r, PdfLanguage::En).expect("layout").join("\n");
    for section in [
        "Weekly report",
        "Summary",
        "Recommendations",
        "Trends",
        "Daily engagement (interactions gained per day)",
        "Follower growth",
        "Content types",
        "Best times to post",
        "Top posts of the week",
        "KPIs per account",
        "2026-11-16 – 2026-11-22",
        "UTC",
    ] {
        assert!(en.contains(section), "{section:?} missing from the English PDF");
    }
    // Followers this week, over all accounts: 3,600 (the HTML and JSON say the same).
    assert!(en.contains("3,600"), "English separators");
    // Labels are text, not markup: nothing to escape in a PDF, nothing lost.
    assert!(en.contains("@brand<x> (X)") && en.contains("Post <b>20</b>"));

    let pt = weekly_pdf_text(&r, PdfLanguage::PtBr).expect("layout").join("\n");
    for section in [
        "Relatório semanal",
        "Resumo",
        "Recomendações",
        "Tendências",
        "Crescimento de seguidores",
        "Tipos de conteúdo",
        "Melhores horários para postar",
        "Melhores posts da semana",
        "KPIs por conta",
        "Segunda",
    ] {
        assert!(pt.contains(section), "{section:?} missing from the Portuguese PDF");
    }
    assert!(pt.contains("3.600") && !pt.contains("3,600"), "Brazilian separators");
    // The charts' axes too: the follower chart's ticks run past 1,000.
    assert!(
        en.lines().any(|l| l == "1,200") && pt.lines().any(|l| l == "1.200"),
        "axis ticks localized"
    );
    assert!(pt.contains("02/11"), "dates on the axis are left as they are");
    assert!(pt.contains("Seguidores (fim da semana, todas as contas)") && pt.contains("Posts publicados"));
    for english in [
        "Summary",
        "Top posts of the week",
        "Monday",
        "Followers (end of week",
        "Posts published",
    ] {
        assert!(!pt.contains(english), "{english:?} left in English");
    }

    for lang in PdfLanguage::ALL {
        let pdf = weekly_pdf(&r, lang).expect("pdf");
        assert_pdf(&pdf);
        let pages = page_count(&pdf);
        assert_eq!(pages, weekly_pdf_text(&r, lang).expect("layout").len());
        assert!(pages >= 2, "{pages} page(s)");
        let raw = String::from_utf8_lossy(&pdf);
        assert!(
            raw.contains("/URI(https://www.instagram.com/p/ig"),
            "top posts link to the post"
        );
        assert!(raw.contains("/Lang("), "the document language is set");
    }
}

#[test]
fn the_campaign_pdf_shows_roi_cost_and_dashes_side_by_side() {
    let r = campaign_report::report();
    let en = campaign_pdf_text(&r, PdfLanguage::En).expect("layout").join("\n");
    for text in [
        "Campaign report: Black <Friday>",
        "Side by side",
        "@ana.ig (Instagram)",
        "Campaign total",
        "ROI ((revenue − cost) / cost)",
        "+20.0 %",      // ana: (1,800 − 1,500) / 1,500
        "2,200.00 BRL", // the campaign's cost, BRL only
        "Costs",
        "Conversions",
        "Interactions per account",
    ] {
        assert!(en.contains(text), "{text:?} missing from the campaign PDF:\n{en}");
    }
    // bia has cost and no conversion: cost per conversion is not defined, never 0.
    assert!(en.contains('—'));
    // Headers wrap in their narrow columns: read the lines as one text.
    let pt = campaign_pdf_text(&r, PdfLanguage::PtBr)
        .expect("layout")
        .join("\n")
        .replace('\n', " ");
    assert!(pt.contains("Relatório da campanha: Black <Friday>") && pt.contains("2.200,00 BRL"));
    assert!(pt.contains("Lado a lado") && pt.contains("Custo por conversão (BRL)"));
    assert!(pt.contains("Total da campanha") && pt.contains("influenciador") && pt.contains("objetivo conversões"));
    assert!(!pt.contains("Campaign total") && !pt.contains("Unattributed"));
    let pdf = campaign_pdf(&r, PdfLanguage::PtBr).expect("pdf");
    assert_pdf(&pdf);
}

#[test]
fn many_influencers_split_the_side_by_side_table_and_keep_the_total_beside_each_part() {
    let mut data = campaign_report::data();
    let at = Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0).single().expect("time");
    let mut r = build_campaign(&data, at);
    let template: CampaignColumn = r.accounts[0].clone();
    r.accounts = (0..11)
        .map(|i| CampaignColumn {
            label: format!("@influencer_{i:02} (Instagram)"),
            ..template.clone()
        })
        .collect();
    let pages = campaign_pdf_text(&r, PdfLanguage::En).expect("layout");
    let all = pages.join("\n");
    // Narrow columns wrap a label at its space: the handle on one line.
    for i in 0..11 {
        assert!(all.contains(&format!("@influencer_{i:02}")), "influencer {i}");
    }
    // 11 accounts + "Unattributed" = 12 columns → 3 tables of 4, each with the total
    // (a part that continues on the next page repeats its header there too).
    let parts = all.matches("Figure").count();
    assert!(parts >= 3, "{all}");
    assert_eq!(all.matches("Campaign total").count(), parts, "{all}");
    data.costs.clear();
    let none = build_campaign(&data, at);
    let text = campaign_pdf_text(&none, PdfLanguage::En).expect("layout").join("\n");
    assert!(text.contains("No cost entered."));
}

#[test]
fn hostile_captions_neither_break_the_layout_nor_become_links() {
    let mut r = weekly_report::report();
    assert!(!r.top_posts.is_empty());
    let long = "x".repeat(3000);
    r.top_posts[0].caption = Some(format!("🎉🔥 {long}\u{0007}\u{202E}end"));
    r.top_posts[0].permalink = Some("javascript:alert(1)".into());
    if let Some(p) = r.top_posts.get_mut(1) {
        p.permalink = Some("file:///etc/passwd".into());
    }
    let pages = weekly_pdf_text(&r, PdfLanguage::En).expect("layout");
    let all = pages.join("\n");
    assert!(!all.contains('🎉'), "characters the font lacks are left out");
    assert!(all.contains("xxxxxxxx"), "the long caption is wrapped, not dropped");
    let pdf = weekly_pdf(&r, PdfLanguage::En).expect("pdf");
    assert_pdf(&pdf);
    let raw = String::from_utf8_lossy(&pdf);
    assert!(
        !raw.contains("javascript:") && !raw.contains("file:///"),
        "only web links"
    );
}

#[test]
fn the_report_folders_get_a_pdf_beside_the_other_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    let weekly = write_weekly_report(&weekly_report::report(), dir.path()).expect("weekly");
    assert_eq!(weekly.pdf, dir.path().join("weekly.pdf"));
    assert_pdf(&std::fs::read(&weekly.pdf).expect("weekly.pdf"));
    let campaign = write_campaign_report(&campaign_report::report(), dir.path()).expect("campaign");
    assert_eq!(campaign.pdf, dir.path().join("campaign-7.pdf"));
    assert_pdf(&std::fs::read(&campaign.pdf).expect("campaign-7.pdf"));
    if let Ok(out) = std::env::var("ALCANCE_PDF_SAMPLES") {
        // For looking at: ALCANCE_PDF_SAMPLES=/tmp/pdf cargo nextest run -p alcance-report pdf_report::
        let out = std::path::PathBuf::from(out);
        std::fs::create_dir_all(&out).expect("samples folder");
        for lang in PdfLanguage::ALL {
            std::fs::write(
                out.join(format!("weekly-{}.pdf", lang.tag())),
                weekly_pdf(&weekly_report::report(), lang).expect("pdf"),
            )
            .expect("write");
            std::fs::write(
                out.join(format!("campaign-{}.pdf", lang.tag())),
                campaign_pdf(&campaign_report::report(), lang).expect("pdf"),
            )
            .expect("write");
        }
    }
}

/// Issue 13's local time: the moments (made, figures as of, published) in the report's zone,
/// named where they are; days stay UTC days; a report without a zone says UTC.
#[test]
fn moments_are_in_the_reports_time_zone_and_days_stay_utc_days() {
    let one_line = |pages: Vec<String>| pages.join("\n").replace('\n', " ");
    // The weekly report's zone is its heatmap's: São Paulo (UTC−03:00), made 2026-11-26
    // 09:00 UTC. The PDF names the zone once and calls the column's times local.
    let r = weekly_report::report();
    assert_eq!(r.time_zone, "America/Sao_Paulo");
    let en = one_line(weekly_pdf_text(&r, PdfLanguage::En).expect("layout"));
    assert!(en.contains("generated 2026-11-26 06:00 America/Sao_Paulo"), "{en}");
    assert!(en.contains("Times in America/Sao_Paulo; weeks, days and daily figures are UTC days."));
    assert!(en.contains("Published (local time)"));
    // The Instagram posts went out at 12:00 UTC: 09:00 in São Paulo.
    assert!(
        en.contains("2026-11-22 09:00") && !en.contains("2026-11-22 12:00"),
        "{en}"
    );
    let pt = one_line(weekly_pdf_text(&r, PdfLanguage::PtBr).expect("layout"));
    assert!(pt.contains("gerado em 2026-11-26 06:00 America/Sao_Paulo"));
    assert!(pt.contains("Horários em America/Sao_Paulo; semanas, dias e números diários são dias UTC."));
    let html = alcance_report::html::weekly_html(&r).expect("html");
    assert!(html.contains("generated 2026-11-26 06:00 America/Sao_Paulo"));
    assert!(html.contains("Published (America/Sao_Paulo)") && html.contains("2026-11-22 09:00"));

    // A campaign report says UTC until given a zone; Kolkata is UTC+05:30.
    let c = campaign_report::report();
    assert_eq!(c.time_zone, "UTC");
    let utc = one_line(campaign_pdf_text(&c, PdfLanguage::En).expect("layout"));
    assert!(utc.contains("generated 2026-12-01 09:00 UTC") && utc.contains("2026-11-05 18:00"));
    let c = c.in_time_zone("Asia/Kolkata".parse().expect("zone"));
    let pt = one_line(campaign_pdf_text(&c, PdfLanguage::PtBr).expect("layout"));
    assert!(pt.contains("gerado em 2026-12-01 14:30 Asia/Kolkata"), "{pt}");
    assert!(
        pt.contains("Publicado (hora local)") && pt.contains("2026-11-05 23:30"),
        "{pt}"
    );
    let html = alcance_report::html::campaign_html(&c).expect("html");
    assert!(html.contains("generated 2026-12-01 14:30 Asia/Kolkata") && html.contains("2026-11-05 23:30"));

    // Reports saved before the field existed read back as UTC.
    let mut json = serde_json::to_value(&c).expect("json");
    json.as_object_mut().expect("object").remove("time_zone");
    let old: alcance_report::campaign::CampaignReport = serde_json::from_value(json).expect("old report");
    assert_eq!(old.time_zone, "UTC");
}

/// A `w` × `h` RGB PNG as the media step keeps one, as a `data:` URL.
fn png_data_url(w: u32, h: u32) -> String {
    use base64::Engine as _;
    let img = image::RgbImage::from_fn(w, h, |x, y| image::Rgb([(x * 40) as u8, (y * 40) as u8, 160]));
    let mut bytes = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(img)
        .write_to(&mut bytes, image::ImageOutputFormat::Png)
        .expect("png");
    format!(
        "data:image/png;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(bytes.into_inner())
    )
}

fn picture(data_url: String) -> Option<alcance_report::campaign::PostPicture> {
    Some(alcance_report::campaign::PostPicture {
        content_type: "image/png".into(),
        source_url: "https://scontent.cdninstagram.com/v/a.png".into(),
        fetched_at: Utc.with_ymd_and_hms(2026, 11, 20, 9, 0, 0).unwrap(),
        data_url,
    })
}

/// Image XObjects in a PDF file.
fn images(pdf: &[u8]) -> usize {
    String::from_utf8_lossy(pdf)
        .replace("/Subtype /", "/Subtype/")
        .matches("/Subtype/Image")
        .count()
}

/// Issue 13 point 3 in the PDF: a top post's kept picture is drawn beside it (an image
/// XObject, once however often the same file shows); a picture that cannot be decoded is
/// left out, its row stays and the PDF is still made.
#[test]
fn the_campaign_pdf_shows_the_kept_pictures_and_leaves_out_broken_ones() {
    let mut r = campaign_report::report();
    assert!(r.posts.len() >= 3, "the sample has posts");
    let plain = campaign_pdf(&r, PdfLanguage::En).expect("pdf");
    assert_eq!(images(&plain), 0, "no picture kept, no image");

    // A wide picture, the same picture again (one XObject), and a PNG whose header is fine
    // but whose pixels are not deflate (krilla only finds out when it writes the file).
    r.posts[0].picture = picture(png_data_url(60, 30));
    r.posts[1].picture = picture(png_data_url(60, 30));
    let corrupt = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAIAAAABCAIAAAB7QOjdAAAACElEQVR4nP////8AAYCvpSAAAAAASUVORK5CYII=";
    r.posts[2].picture = picture(corrupt.to_string());
    for lang in PdfLanguage::ALL {
        let pdf = campaign_pdf(&r, lang).expect("a broken picture never fails the report");
        assert_pdf(&pdf);
        assert_eq!(images(&pdf), 1, "{lang:?}: one picture, held once");
        assert!(pdf.len() > plain.len(), "the picture is in the file");
    }
    let text = campaign_pdf_text(&r, PdfLanguage::En).expect("layout").join("\n");
    for p in &r.posts {
        assert!(text.contains(p.post_id.as_str()), "row of {} stays", p.post_id);
    }

    // Only broken pictures: no image, and the very layout of a report without pictures.
    for p in &mut r.posts {
        p.picture = None;
    }
    let without = campaign_pdf_text(&r, PdfLanguage::PtBr).expect("layout");
    r.posts[0].picture = picture(corrupt.to_string());
    r.posts[1].picture = picture("data:image/png;base64,bm90IGEgcGljdHVyZQ==".to_string());
    r.posts[2].picture = picture("data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=".to_string());
    let pdf = campaign_pdf(&r, PdfLanguage::PtBr).expect("pdf");
    assert_pdf(&pdf);
    assert_eq!(images(&pdf), 0);
    assert_eq!(campaign_pdf_text(&r, PdfLanguage::PtBr).expect("layout"), without);

    if let Ok(out) = std::env::var("ALCANCE_PDF_SAMPLES") {
        // ALCANCE_PDF_SAMPLES=/tmp/pdf cargo nextest run -p alcance-report pdf_report::
        let mut r = campaign_report::report();
        for (i, p) in r.posts.iter_mut().enumerate() {
            p.picture = picture(png_data_url(40 + 20 * i as u32, 60));
        }
        std::fs::create_dir_all(&out).expect("samples folder");
        std::fs::write(
            std::path::Path::new(&out).join("campaign-pictures.pdf"),
            campaign_pdf(&r, PdfLanguage::En).expect("pdf"),
        )
        .expect("write");
    }
}
