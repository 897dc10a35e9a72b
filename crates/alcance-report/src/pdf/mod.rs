//! The weekly and campaign reports as A4 PDF files, in English or Brazilian Portuguese,
//! made without a window or a browser (the CLI, the desktop app and `alcance serve` all
//! call the same functions).
//!
//! What is in them is what the HTML page shows ([`crate::html`]), laid out for paper:
//! tables that continue on the next page repeat their header, charts are the same plotters
//! drawings as the SVG and PNG charts but written as vector paths with real text, numbers
//! use the language's separators (`12,345.5` / `12.345,5`), "—" is no data (never 0),
//! times are in the report's time zone and days are UTC days (said once on the first page), and post links are clickable (http
//! and https only). Text is DejaVu Sans, subset and embedded in the file, so the PDF looks
//! the same on every machine; characters that font lacks (emoji, most non-Latin scripts)
//! are left out of the PDF (the HTML, XLSX and JSON keep them). Bold is the regular
//! face stroked, so no second font ships.
//!
//! Engine: krilla (ADR 0018 says why not Typst or a headless browser). A weekly report
//! of 17 accounts is ~60 KB and takes a few milliseconds (docs/PERFORMANCE.md).

mod backend;
mod competitors;
mod layout;
pub(crate) mod picture;
mod render;

use crate::campaign::{CampaignKpis, CampaignReport};
use crate::chart::{ChartText, LineChart, MAX_SIDE, MIN_SIDE};
use crate::files::write_atomically;
use crate::html::{
    change_text, draw_columns, fmt_count, fmt_decimal, fmt_money, fmt_pct, fmt_roi, fmt_signed_pct, heat_color,
    heat_is_dark, heat_scale, kpi_value, trend_line_chart, ColumnChart, DASH,
};
use crate::weekly::{KpiLine, WeeklyReport};
use crate::zone::{display_zone, local_stamp};
use crate::ReportError;
use alcance_core::analytics::best_time::Normalization;
use alcance_core::analytics::recommend::Severity;
use backend::Recorder;
use chrono::TimeDelta;
use layout::{columns, Align, Cell, Col, Flow, Metrics, Op, Rgb, ACCENT, DOWN, MUTED, UP};
use picture::Picture;
use plotters::prelude::*;
use std::path::Path;

pub use alcance_core::PdfLanguage;

/// The PDF's own uses of a language: owned texts and number separators in charts.
trait PdfWords {
    fn pick_owned(self, en: &str, pt: &str) -> String;
    fn chart_numbers(self, ops: Vec<Op>) -> Vec<Op>;
    fn num(self, s: String) -> String;
}

impl PdfWords for PdfLanguage {
    fn pick_owned(self, en: &str, pt: &str) -> String {
        match self {
            PdfLanguage::En => en.to_string(),
            PdfLanguage::PtBr => pt.to_string(),
        }
    }

    /// The chart's operations with this language's separators in the texts that are
    /// numbers (axis ticks, column values: digits with `,` `.` `+` `-` `%` and spaces);
    /// other texts (dates such as `02/11`, labels) are left as they are.
    fn chart_numbers(self, ops: Vec<Op>) -> Vec<Op> {
        if self == PdfLanguage::En {
            return ops;
        }
        ops.into_iter()
            .map(|op| match op {
                Op::Text {
                    x,
                    y,
                    size,
                    color,
                    bold,
                    angle,
                    text,
                } if text.chars().any(|c| c.is_ascii_digit())
                    && text.chars().all(|c| c.is_ascii_digit() || ",.+-% \u{2212}".contains(c)) =>
                {
                    Op::Text {
                        x,
                        y,
                        size,
                        color,
                        bold,
                        angle,
                        text: self.num(text),
                    }
                }
                other => other,
            })
            .collect()
    }

    /// A number formatted by the English formatters, with this language's separators.
    fn num(self, s: String) -> String {
        match self {
            PdfLanguage::En => s,
            PdfLanguage::PtBr => s
                .chars()
                .map(|c| match c {
                    ',' => '.',
                    '.' => ',',
                    c => c,
                })
                .collect(),
        }
    }
}

const BODY: f32 = 8.5;
const SMALL: f32 = 7.2;
const TABLE: f32 = 7.6;
const H1: f32 = 19.0;
const H2: f32 = 12.5;
const H3: f32 = 9.5;

fn metrics() -> Result<&'static Metrics, ReportError> {
    layout::metrics().ok_or_else(|| ReportError::Pdf("the embedded DejaVu Sans font could not be read".to_string()))
}

/// Records a line chart as vector operations.
fn line_chart_ops(
    m: &'static Metrics,
    chart: &LineChart,
    text: &ChartText,
) -> Result<(Vec<Op>, u32, u32), ReportError> {
    crate::chart::check_size(chart.width, chart.height)?;
    crate::font::ensure_registered()?;
    let mut ops = Vec::new();
    {
        let root = Recorder::new(m, chart.width, chart.height, &mut ops).into_drawing_area();
        crate::chart::draw(&root, chart, text)?;
    }
    Ok((ops, chart.width, chart.height))
}

fn column_chart_ops(m: &'static Metrics, chart: &ColumnChart) -> Result<(Vec<Op>, u32, u32), ReportError> {
    let ok = |v: u32| (MIN_SIDE..=MAX_SIDE).contains(&v);
    if !ok(chart.width) || !ok(chart.height) {
        return Err(ReportError::Chart(format!(
            "chart size {}x{} px is outside {MIN_SIDE}..={MAX_SIDE} px per side",
            chart.width, chart.height
        )));
    }
    crate::font::ensure_registered()?;
    let mut ops = Vec::new();
    {
        let root = Recorder::new(m, chart.width, chart.height, &mut ops).into_drawing_area();
        draw_columns(&root, chart)?;
    }
    Ok((ops, chart.width, chart.height))
}

fn change_color(line: &KpiLine) -> Option<Rgb> {
    match line.change.abs_change {
        Some(d) if d > 0.0 => Some(UP),
        Some(d) if d < 0.0 => Some(DOWN),
        _ => None,
    }
}

/// A KPI line's label in `lang`: the Portuguese of the weekly report's known KPIs
/// ([`crate::weekly::KPI_METRICS`] and the derived `KPI_*`), the report's own label
/// otherwise. Also the scheduled emails' summary (`alcance-app`'s `delivery`).
pub fn kpi_label(lang: PdfLanguage, line: &KpiLine) -> String {
    if lang == PdfLanguage::En {
        return line.label.clone();
    }
    let all = line.account.is_none();
    let pt = match line.key.as_str() {
        "followers" if all => "Seguidores (fim da semana, todas as contas)",
        "followers" => "Seguidores (fim da semana)",
        "followers_gained" => "Novos seguidores",
        "reach" => "Alcance (soma do alcance diário)",
        "impressions" => "Impressões",
        "views" => "Visualizações",
        "video_views" => "Visualizações de vídeo",
        "total_interactions" => "Interações (insights da conta)",
        "accounts_engaged" => "Contas com engajamento (soma diária)",
        "profile_views" => "Visitas ao perfil",
        "link_clicks" => "Cliques no link",
        "conversations" => "Conversas (WhatsApp)",
        "messages_sent" => "Mensagens enviadas",
        "messages_delivered" => "Mensagens entregues",
        crate::weekly::KPI_POSTS_PUBLISHED => "Posts publicados",
        crate::weekly::KPI_INTERACTIONS_GAINED => "Interações ganhas",
        crate::weekly::KPI_ER_REACH => "Taxa de engajamento por alcance (posts da semana)",
        crate::weekly::KPI_ER_IMPRESSIONS => "Taxa de engajamento por impressões (posts da semana)",
        _ => return line.label.clone(),
    };
    pt.to_string()
}

/// A campaign column's header in `lang` ("Unattributed" and "Campaign total" translated).
fn column_label(lang: PdfLanguage, col: &crate::campaign::CampaignColumn) -> String {
    match (lang, col.account.is_some(), col.label.as_str()) {
        (PdfLanguage::PtBr, false, "Unattributed") => "Não atribuído".to_string(),
        (PdfLanguage::PtBr, false, "Campaign total") => "Total da campanha".to_string(),
        _ => col.label.clone(),
    }
}

/// A stored key (campaign role or goal) in `lang`.
fn key_word(lang: PdfLanguage, key: &str) -> String {
    let pt = match key {
        "brand" => "marca",
        "influencer" => "influenciador",
        "awareness" => "reconhecimento",
        "engagement" => "engajamento",
        "traffic" => "tráfego",
        "conversions" => "conversões",
        "followers" => "seguidores",
        "other" => "outro",
        _ => key,
    };
    lang.pick_owned(key, pt)
}

fn kpi_table(f: &mut Flow, lang: PdfLanguage, lines: &[KpiLine], with_account: bool) {
    let l = |en, pt| lang.pick(en, pt);
    let mut cols = Vec::new();
    let mut header = Vec::new();
    if with_account {
        cols.push(Col {
            share: 2.2,
            align: Align::Left,
        });
        header.push(Cell::new(l("Account", "Conta")));
    }
    cols.push(Col {
        share: 2.4,
        align: Align::Left,
    });
    header.push(Cell::new("KPI"));
    for (en, pt) in [
        ("This week", "Esta semana"),
        ("Last week", "Semana anterior"),
        ("Change", "Variação"),
        ("Change %", "Variação %"),
    ] {
        cols.push(Col {
            share: 1.1,
            align: Align::Right,
        });
        header.push(Cell::new(l(en, pt)));
    }
    let rows: Vec<Vec<Cell>> = lines
        .iter()
        .map(|line| {
            let c = &line.change;
            let color = change_color(line);
            let mut row = Vec::new();
            if with_account {
                row.push(Cell::new(
                    line.account.as_deref().unwrap_or(l("All accounts", "Todas as contas")),
                ));
            }
            row.push(Cell::new(kpi_label(lang, line)));
            row.push(Cell::new(lang.num(kpi_value(line, c.current))));
            row.push(Cell::new(lang.num(kpi_value(line, c.previous))));
            let mut change = Cell::new(lang.num(change_text(line)));
            let mut pct = Cell::new(lang.num(fmt_signed_pct(c.pct_change)));
            change.color = color;
            pct.color = color;
            row.push(change);
            row.push(pct);
            row
        })
        .collect();
    f.table(&cols, &header, &rows, TABLE);
}

/// The weekly report ([`WeeklyReport`]) as a PDF document: summary KPIs with
/// week-over-week change, recommendations, the engagement-trend and follower-growth charts,
/// content types (chart and table), the best-time heatmap, the top posts (with links) and
/// the KPIs per account. Returns the file's bytes.
///
/// # Errors
/// [`ReportError::Chart`] when a chart cannot be drawn, [`ReportError::Pdf`] when the PDF
/// cannot be written.
pub fn weekly_pdf(report: &WeeklyReport, lang: PdfLanguage) -> Result<Vec<u8>, ReportError> {
    let (pages, title) = weekly_pages(report, lang)?;
    render::render(metrics()?, &pages, &title, lang.tag())
}

/// The text of each page of [`weekly_pdf`], line by line as laid out (what a reader's
/// text extraction finds, chart labels included).
///
/// # Errors
/// As [`weekly_pdf`].
pub fn weekly_pdf_text(report: &WeeklyReport, lang: PdfLanguage) -> Result<Vec<String>, ReportError> {
    Ok(page_texts(&weekly_pages(report, lang)?.0))
}

fn page_texts(pages: &[Vec<Op>]) -> Vec<String> {
    pages
        .iter()
        .map(|ops| {
            ops.iter()
                .filter_map(|op| match op {
                    Op::Text { text, .. } => Some(text.as_str()),
                    _ => None,
                })
                .collect::<Vec<_>>()
                .join("\n")
        })
        .collect()
}

fn weekly_pages(report: &WeeklyReport, lang: PdfLanguage) -> Result<(Vec<Vec<Op>>, String), ReportError> {
    let zone = display_zone(&report.time_zone);
    let m = metrics()?;
    let l = |en, pt| lang.pick(en, pt);
    let mut f = Flow::new(m);
    let last_day = report.week.end - TimeDelta::days(1);
    let week = format!(
        "{} – {}",
        report.week.start.format("%Y-%m-%d"),
        last_day.format("%Y-%m-%d")
    );
    let title = format!("{} {week}", l("Weekly report", "Relatório semanal"));

    f.heading(l("Weekly report", "Relatório semanal"), H1, 40.0);
    f.paragraph(
        &format!(
            "{} {week} · {} {} · {} {} {}. {} {}; {}",
            l("Week", "Semana"),
            report.accounts.len(),
            l("account(s)", "conta(s)"),
            l("generated", "gerado em"),
            local_stamp(report.generated_at, zone),
            zone.name(),
            l("Times in", "Horários em"),
            zone.name(),
            l(
                "weeks, days and daily figures are UTC days.",
                "semanas, dias e números diários são dias UTC."
            ),
        ),
        BODY,
        MUTED,
    );
    f.gap(4.0);

    f.heading(l("Summary", "Resumo"), H2, 40.0);
    kpi_table(&mut f, lang, &report.summary, false);
    f.paragraph(
        &format!(
            "{} {} {}.",
            l(
                "Sums add up the accounts that have the KPI in both weeks. Engagement rates are Σ interactions / Σ reach (or impressions) × 100 over the posts published in the week; pp = percentage points. Post figures are lifetime totals as of",
                "As somas incluem as contas que têm o KPI nas duas semanas. Taxas de engajamento são Σ interações / Σ alcance (ou impressões) × 100 sobre os posts publicados na semana; pp = pontos percentuais. Números de posts são totais acumulados em"
            ),
            local_stamp(report.posts_as_of, zone),
            zone.name()
        ),
        SMALL,
        MUTED,
    );

    f.heading(l("Recommendations", "Recomendações"), H2, 30.0);
    if report.recommendations.iter().all(|r| r.items.is_empty()) {
        f.paragraph(
            l("Nothing to change this week.", "Nada a mudar nesta semana."),
            BODY,
            MUTED,
        );
    }
    for group in report.recommendations.iter().filter(|g| !g.items.is_empty()) {
        f.heading(&group.account, H3, 24.0);
        for r in &group.items {
            let mark = match r.severity {
                Severity::Warning => DOWN,
                Severity::Positive => UP,
                Severity::Info => ACCENT,
            };
            f.bullet(&r.title, &r.detail, BODY, mark);
        }
    }

    let t = &report.trends;
    let chart_text = ChartText {
        x_label: l("Date (UTC)", "Data (UTC)").to_string(),
        no_data: l("No data yet", "Ainda sem dados").to_string(),
    };
    f.heading(l("Trends", "Tendências"), H2, 200.0);
    let engagement = trend_line_chart(
        l(
            "Daily engagement (interactions gained per day)",
            "Engajamento diário (interações ganhas por dia)",
        ),
        l("Interactions", "Interações"),
        &t.days,
        &t.engagement,
    );
    let (ops, w, h) = line_chart_ops(m, &engagement, &chart_text)?;
    f.drawing(lang.chart_numbers(ops), w, h);
    f.paragraph(
        l(
            "Interactions gained per day: likes, comments, replies, reposts, quotes, saves and shares added to the posts' lifetime totals that day.",
            "Interações ganhas por dia: curtidas, comentários, respostas, reposts, citações, salvamentos e compartilhamentos somados aos totais dos posts naquele dia."
        ),
        SMALL,
        MUTED,
    );
    let followers = trend_line_chart(
        l("Follower growth", "Crescimento de seguidores"),
        l("Followers", "Seguidores"),
        &t.days,
        &t.followers,
    );
    let (ops, w, h) = line_chart_ops(m, &followers, &chart_text)?;
    f.drawing(lang.chart_numbers(ops), w, h);
    f.paragraph(
        l(
            "Followers at each day's last snapshot.",
            "Seguidores na última coleta de cada dia.",
        ),
        SMALL,
        MUTED,
    );

    f.heading(l("Content types", "Tipos de conteúdo"), H2, 200.0);
    let content_chart = ColumnChart {
        title: l(
            "Mean interactions per post by content type",
            "Média de interações por post, por tipo de conteúdo",
        )
        .to_string(),
        y_label: l("Interactions per post", "Interações por post").to_string(),
        bars: report
            .content_types
            .iter()
            .map(|c| (c.content_type.clone(), c.mean_interactions))
            .collect(),
        width: 1000,
        height: 400,
        no_data: chart_text.no_data.clone(),
    };
    let (ops, w, h) = column_chart_ops(m, &content_chart)?;
    f.drawing(lang.chart_numbers(ops), w, h);
    f.paragraph(
        &format!(
            "{} {} – {} UTC.",
            l("Posts published", "Posts publicados de"),
            report.content_window.start.format("%Y-%m-%d"),
            (report.content_window.end - TimeDelta::days(1)).format("%Y-%m-%d")
        ),
        SMALL,
        MUTED,
    );
    let cols = columns(&[
        (2.0, Align::Left),
        (1.0, Align::Right),
        (1.0, Align::Right),
        (1.4, Align::Right),
        (1.3, Align::Right),
        (1.3, Align::Right),
    ]);
    let header = [
        Cell::new(l("Content type", "Tipo de conteúdo")),
        Cell::new("Posts"),
        Cell::new(l("Share", "Participação")),
        Cell::new(l("Mean interactions", "Média de interações")),
        Cell::new(l("ER by reach", "TE por alcance")),
        Cell::new(l("ER by impressions", "TE por impressões")),
    ];
    let rows: Vec<Vec<Cell>> = report
        .content_types
        .iter()
        .map(|c| {
            vec![
                Cell::new(c.content_type.as_str()),
                Cell::new(lang.num(fmt_count(Some(c.posts as f64)))),
                Cell::new(lang.num(fmt_pct(Some(c.share * 100.0)))),
                Cell::new(lang.num(fmt_decimal(c.mean_interactions, 1))),
                Cell::new(lang.num(fmt_pct(c.engagement_rate_by_reach))),
                Cell::new(lang.num(fmt_pct(c.engagement_rate_by_impressions))),
            ]
        })
        .collect();
    f.table(&cols, &header, &rows, TABLE);

    best_times(&mut f, lang, report);

    f.heading(l("Top posts of the week", "Melhores posts da semana"), H2, 40.0);
    if report.top_posts.is_empty() {
        f.paragraph(
            l(
                "No post was published this week.",
                "Nenhum post foi publicado nesta semana.",
            ),
            BODY,
            MUTED,
        );
    } else {
        let cols = columns(&[
            (0.45, Align::Right),
            (2.0, Align::Left),
            (1.0, Align::Left),
            (1.5, Align::Left),
            (1.2, Align::Right),
            (1.1, Align::Right),
            (1.2, Align::Right),
            (1.0, Align::Right),
            (3.2, Align::Left),
        ]);
        let header = [
            Cell::new("#"),
            Cell::new(l("Account", "Conta")),
            Cell::new(l("Type", "Tipo")),
            Cell::new(l("Published (local time)", "Publicado (hora local)")),
            Cell::new(l("Interactions", "Interações")),
            Cell::new(l("Reach", "Alcance")),
            Cell::new(l("Impressions", "Impressões")),
            Cell::new(l("ER by reach", "TE por alcance")),
            Cell::new("Post"),
        ];
        let rows: Vec<Vec<Cell>> = report
            .top_posts
            .iter()
            .map(|p| {
                let mut post = Cell::new(p.caption.as_deref().unwrap_or(&p.post_id));
                if let Some(link) = p.permalink.as_deref().filter(|u| layout::is_web_link(u)) {
                    post.link = Some(link.to_string());
                    post.color = Some(ACCENT);
                }
                vec![
                    Cell::new(p.rank.to_string()),
                    Cell::new(p.account.as_str()),
                    Cell::new(p.content_type.as_str()),
                    Cell::new(
                        p.published_at
                            .map_or_else(|| DASH.to_string(), |t| local_stamp(t, zone)),
                    ),
                    Cell::new(lang.num(fmt_count(Some(p.interactions)))),
                    Cell::new(lang.num(fmt_count(p.reach))),
                    Cell::new(lang.num(fmt_count(p.impressions))),
                    Cell::new(lang.num(fmt_pct(p.engagement_rate_by_reach))),
                    post,
                ]
            })
            .collect();
        f.table(&cols, &header, &rows, SMALL);
        f.paragraph(
            l(
                "Blue text links to the post on its platform.",
                "O texto em azul leva ao post na plataforma.",
            ),
            SMALL,
            MUTED,
        );
    }

    voices_pdf(&mut f, lang, report);

    f.heading(l("KPIs per account", "KPIs por conta"), H2, 40.0);
    kpi_table(&mut f, lang, &report.account_kpis, true);

    if let Some(c) = &report.competitors {
        competitors::section(&mut f, lang, c);
    }

    let pages = f.finish(&format!("Alcance · {title}"), l("page", "página"));
    Ok((pages, format!("Alcance — {title}")))
}

const WEEKDAYS_PT: [&str; 7] = ["Segunda", "Terça", "Quarta", "Quinta", "Sexta", "Sábado", "Domingo"];

/// "Top hashtags" and "Mentions and sentiment" (`weekly::voices`).
fn voices_pdf(f: &mut Flow, lang: PdfLanguage, report: &WeeklyReport) {
    use crate::weekly::voices::{points_text, share_text};
    use alcance_core::CommentKind;
    let l = |en, pt| lang.pick(en, pt);
    f.heading(l("Top hashtags", "Principais hashtags"), H2, 40.0);
    if report.top_hashtags.is_empty() {
        f.paragraph(
            l(
                "No own post of this week carried a hashtag.",
                "Nenhum post próprio desta semana usou hashtag.",
            ),
            BODY,
            MUTED,
        );
    } else {
        let cols = columns(&[
            (2.4, Align::Left),
            (0.8, Align::Right),
            (1.2, Align::Right),
            (1.2, Align::Right),
            (1.2, Align::Right),
            (1.1, Align::Right),
            (1.2, Align::Right),
        ]);
        let header = [
            Cell::new("Hashtag"),
            Cell::new("Posts"),
            Cell::new(l("Reach", "Alcance")),
            Cell::new(l("Impressions", "Impressões")),
            Cell::new(l("Interactions", "Interações")),
            Cell::new(l("ER by reach", "TE por alcance")),
            Cell::new(l("X posts (week)", "Posts no X (semana)")),
        ];
        let rows: Vec<Vec<Cell>> = report
            .top_hashtags
            .iter()
            .map(|h| {
                vec![
                    Cell::new(h.hashtag.as_str()),
                    Cell::new(lang.num(fmt_count(Some(h.posts as f64)))),
                    Cell::new(lang.num(fmt_count(h.reach))),
                    Cell::new(lang.num(fmt_count(h.impressions))),
                    Cell::new(lang.num(fmt_count(h.interactions))),
                    Cell::new(lang.num(fmt_pct(h.engagement_rate_by_reach))),
                    Cell::new(lang.num(fmt_count(h.x_volume))),
                ]
            })
            .collect();
        f.table(&cols, &header, &rows, SMALL);
    }

    let m = &report.mentions;
    f.heading(l("Mentions and sentiment", "Menções e sentimento"), H2, 40.0);
    if m.week.received == 0 && m.previous_week.received == 0 {
        f.paragraph(
            l(
                "No comment, reply or mention was received this week or the week before.",
                "Nenhum comentário, resposta ou menção foi recebido nesta semana nem na anterior.",
            ),
            BODY,
            MUTED,
        );
        return;
    }
    let kinds: Vec<String> = m
        .by_kind
        .iter()
        .map(|(k, n)| {
            let name = match k {
                CommentKind::Comment => l("comments", "comentários"),
                CommentKind::Reply => l("replies", "respostas"),
                CommentKind::Mention => l("mentions", "menções"),
                CommentKind::Tag => l("tags", "marcações"),
            };
            format!("{n} {name}")
        })
        .collect();
    f.paragraph(
        &format!(
            "{} {} ({}). {}",
            l("Received this week:", "Recebidos nesta semana:"),
            m.week.received,
            kinds.join(", "),
            l(
                "Sentiment is computed on this computer; shares are of the comments with text.",
                "O sentimento é calculado neste computador; as participações são dos comentários com texto.",
            )
        ),
        BODY,
        MUTED,
    );
    let cols = columns(&[
        (1.6, Align::Left),
        (1.0, Align::Right),
        (1.6, Align::Right),
        (1.6, Align::Right),
        (1.6, Align::Right),
    ]);
    let header = [
        Cell::new(l("Week", "Semana")),
        Cell::new(l("Received", "Recebidos")),
        Cell::new(l("Positive", "Positivos")),
        Cell::new(l("Neutral", "Neutros")),
        Cell::new(l("Negative", "Negativos")),
    ];
    let mut rows: Vec<Vec<Cell>> = [
        (l("This week", "Esta semana"), &m.week),
        (l("Last week", "Semana anterior"), &m.previous_week),
    ]
    .into_iter()
    .map(|(name, w)| {
        vec![
            Cell::new(name),
            Cell::new(w.received.to_string()),
            Cell::new(lang.num(share_text(w.positive, w.positive_share))),
            Cell::new(lang.num(share_text(w.neutral, w.neutral_share))),
            Cell::new(lang.num(share_text(w.negative, w.negative_share))),
        ]
    })
    .collect();
    rows.push(vec![
        Cell::new(l("Change", "Variação")),
        Cell::new(DASH),
        Cell::new(lang.num(points_text(m.positive_change_points))),
        Cell::new(DASH),
        Cell::new(lang.num(points_text(m.negative_change_points))),
    ]);
    f.table(&cols, &header, &rows, SMALL);
    for (what, q) in [
        (
            l("Most liked positive:", "Positivo mais curtido:"),
            &m.most_liked_positive,
        ),
        (
            l("Most liked negative:", "Negativo mais curtido:"),
            &m.most_liked_negative,
        ),
    ] {
        if let Some(q) = q {
            f.paragraph(
                &format!(
                    "{what} @{} ({} {}): {}",
                    q.author_handle.as_deref().unwrap_or("?"),
                    q.like_count.unwrap_or(0),
                    l("likes", "curtidas"),
                    q.excerpt
                ),
                SMALL,
                MUTED,
            );
        }
    }
}

fn best_times(f: &mut Flow, lang: PdfLanguage, report: &WeeklyReport) {
    let l = |en, pt| lang.pick(en, pt);
    let bt = &report.best_time;
    f.heading(l("Best times to post", "Melhores horários para postar"), H2, 160.0);
    let index = bt.options.normalization == Normalization::PerAccount;
    f.paragraph(
        &format!(
            "{} {}, {} {} – {} ({} {}; {} {}; {}).",
            if index {
                l(
                    "Mean interactions index (1.00 = the account's average) of the posts published in each weekday × hour slot,",
                    "Índice médio de interações (1,00 = a média da conta) dos posts publicados em cada faixa dia × hora,"
                )
            } else {
                l(
                    "Mean interactions of the posts published in each weekday × hour slot,",
                    "Média de interações dos posts publicados em cada faixa dia × hora,"
                )
            },
            bt.time_zone,
            l("local time,", "horário local,"),
            bt.window_start.format("%Y-%m-%d"),
            bt.window_end.format("%Y-%m-%d"),
            bt.posts_used,
            l("posts", "posts"),
            l("a slot needs", "uma faixa precisa de"),
            bt.options.min_posts,
            l("darker is better", "mais escuro é melhor"),
        ),
        SMALL,
        MUTED,
    );
    let Some((min, mid, max)) = heat_scale(bt) else {
        f.paragraph(
            &format!(
                "{} {} {}",
                l(
                    "Not enough posts yet: a slot needs at least",
                    "Ainda não há posts suficientes: uma faixa precisa de pelo menos"
                ),
                bt.options.min_posts,
                l("posts in the window.", "posts na janela.")
            ),
            BODY,
            MUTED,
        );
        return;
    };
    let weekdays: [&str; 7] = match lang {
        PdfLanguage::En => crate::weekly::WEEKDAYS,
        PdfLanguage::PtBr => WEEKDAYS_PT,
    };
    let mut cols = vec![Col {
        share: 2.6,
        align: Align::Left,
    }];
    cols.extend(std::iter::repeat_n(
        Col {
            share: 1.0,
            align: Align::Center,
        },
        24,
    ));
    let mut header = vec![Cell::new(l("Weekday", "Dia"))];
    header.extend((0..24).map(|h| Cell::new(format!("{h:02}"))));
    let rows: Vec<Vec<Cell>> = weekdays
        .iter()
        .enumerate()
        .map(|(d, name)| {
            let mut row = vec![Cell::new(*name)];
            for h in 0..24 {
                row.push(match bt.slots.get(d * 24 + h) {
                    Some(s) if s.mean.is_some_and(f64::is_finite) => {
                        let v = s.mean.unwrap_or_default();
                        let fill = heat_color(v, min, mid, max);
                        let ink = if heat_is_dark(fill) {
                            Rgb(0xFF, 0xFF, 0xFF)
                        } else {
                            Rgb(0x1F, 0x29, 0x33)
                        };
                        let text = if index {
                            format!("{v:.2}")
                        } else {
                            crate::number::thousands(v, 0)
                        };
                        Cell {
                            text: lang.num(text),
                            fill: Some(Rgb::hex(fill)),
                            color: Some(ink),
                            ..Cell::default()
                        }
                    }
                    Some(s) if s.posts > 0 => Cell::colored("·", MUTED),
                    _ => Cell::default(),
                });
            }
            row
        })
        .collect();
    f.table(&cols, &header, &rows, 5.6);
    let best: Vec<String> = bt
        .top
        .iter()
        .take(5)
        .map(|s| {
            format!(
                "{} {:02}:00 ({} posts, {})",
                weekdays[s.weekday.num_days_from_monday() as usize],
                s.hour,
                s.posts,
                lang.num(fmt_decimal(s.mean, 2))
            )
        })
        .collect();
    if !best.is_empty() {
        f.paragraph(
            &format!("{} {}", l("Best slots:", "Melhores faixas:"), best.join("; ")),
            SMALL,
            MUTED,
        );
    }
}

/// The campaign report ([`CampaignReport`]) as a PDF document: the campaign's facts, the
/// side-by-side table (at most four accounts per table, the campaign total beside each),
/// a column chart of interactions per account, the posts (a top post's kept picture at the
/// left of its row, scaled into a 34-point box; one that cannot be decoded is left out), the
/// costs and the conversions. Returns the file's bytes.
///
/// # Errors
/// As [`weekly_pdf`].
pub fn campaign_pdf(report: &CampaignReport, lang: PdfLanguage) -> Result<Vec<u8>, ReportError> {
    let (pages, title) = campaign_pages(report, lang)?;
    render::render(metrics()?, &pages, &title, lang.tag())
}

/// The text of each page of [`campaign_pdf`], line by line as laid out.
///
/// # Errors
/// As [`campaign_pdf`].
pub fn campaign_pdf_text(report: &CampaignReport, lang: PdfLanguage) -> Result<Vec<String>, ReportError> {
    Ok(page_texts(&campaign_pages(report, lang)?.0))
}

fn campaign_pages(report: &CampaignReport, lang: PdfLanguage) -> Result<(Vec<Vec<Op>>, String), ReportError> {
    let zone = display_zone(&report.time_zone);
    let m = metrics()?;
    let l = |en, pt| lang.pick(en, pt);
    let c = &report.campaign;
    let cur = c.currency.as_str();
    let mut f = Flow::new(m);
    let title = format!("{} {}", l("Campaign report:", "Relatório da campanha:"), c.name);
    f.heading(&title, H1, 40.0);
    let mut facts = format!(
        "{} – {} · {} {} · {} {}",
        c.starts_on,
        c.ends_on
            .map_or_else(|| l("open", "em aberto").to_string(), |d| d.to_string()),
        l("goal", "objetivo"),
        key_word(lang, &c.goal),
        l("budget", "orçamento"),
        lang.num(fmt_money(c.budget, cur)),
    );
    if let Some(u) = report.budget_used {
        facts.push_str(&format!(
            " ({} {})",
            lang.num(fmt_pct(Some(u * 100.0))),
            l("used", "usado")
        ));
    }
    facts.push_str(&format!(
        " · {} {} {}. {} {}; {}",
        l("generated", "gerado em"),
        local_stamp(report.generated_at, zone),
        zone.name(),
        l("Times in", "Horários em"),
        zone.name(),
        l("dates are UTC days.", "as datas são dias UTC.")
    ));
    f.paragraph(&facts, BODY, MUTED);
    f.gap(4.0);

    // Totals tiles as a one-row table.
    let k = &report.total.kpis;
    let tiles = [
        (l("Reach", "Alcance"), lang.num(fmt_count(k.reach))),
        (l("Interactions", "Interações"), lang.num(fmt_count(k.interactions))),
        (
            l("Engagement rate", "Taxa de engajamento"),
            lang.num(fmt_pct(k.engagement_rate_by_reach)),
        ),
        (l("Spend", "Investimento"), lang.num(fmt_money(k.cost, cur))),
        ("ROI", lang.num(fmt_roi(k.roi))),
    ];
    let cols: Vec<Col> = tiles
        .iter()
        .map(|_| Col {
            share: 1.0,
            align: Align::Left,
        })
        .collect();
    let header: Vec<Cell> = tiles.iter().map(|(name, _)| Cell::new(*name)).collect();
    let values: Vec<Cell> = tiles
        .iter()
        .map(|(_, v)| Cell {
            text: v.clone(),
            bold: true,
            ..Cell::default()
        })
        .collect();
    f.table(&cols, &header, &[values], 10.0);

    f.heading(l("Side by side", "Lado a lado"), H2, 60.0);
    let figures: Vec<(String, Fmt)> = vec![
        (
            l("Posts", "Posts").to_string(),
            Box::new(move |k: &CampaignKpis| lang.num(fmt_count(Some(k.posts as f64)))),
        ),
        (
            l("Reach (sum over posts)", "Alcance (soma dos posts)").to_string(),
            Box::new(move |k: &CampaignKpis| lang.num(fmt_count(k.reach))),
        ),
        (
            l("Impressions", "Impressões").to_string(),
            Box::new(move |k: &CampaignKpis| lang.num(fmt_count(k.impressions))),
        ),
        (
            l("Views", "Visualizações").to_string(),
            Box::new(move |k: &CampaignKpis| lang.num(fmt_count(k.views))),
        ),
        (
            l("Interactions", "Interações").to_string(),
            Box::new(move |k: &CampaignKpis| lang.num(fmt_count(k.interactions))),
        ),
        (
            l("Engagement rate by reach", "Taxa de engajamento por alcance").to_string(),
            Box::new(move |k: &CampaignKpis| lang.num(fmt_pct(k.engagement_rate_by_reach))),
        ),
        (
            l("Engagement rate by impressions", "Taxa de engajamento por impressões").to_string(),
            Box::new(move |k: &CampaignKpis| lang.num(fmt_pct(k.engagement_rate_by_impressions))),
        ),
        (
            l("Link clicks", "Cliques no link").to_string(),
            Box::new(move |k: &CampaignKpis| lang.num(fmt_count(k.link_clicks))),
        ),
        (
            l("CTR (link clicks / impressions)", "CTR (cliques / impressões)").to_string(),
            Box::new(move |k: &CampaignKpis| lang.num(fmt_pct(k.ctr))),
        ),
        (format!("{} ({cur})", l("Cost", "Custo")), money(lang, cur, |k| k.cost)),
        (
            l("Conversions", "Conversões").to_string(),
            Box::new(move |k: &CampaignKpis| lang.num(fmt_count(k.conversions))),
        ),
        (
            format!("{} ({cur})", l("Revenue", "Receita")),
            money(lang, cur, |k| k.revenue),
        ),
        (
            format!("CPM ({cur} {})", l("per 1,000 impressions", "por 1.000 impressões")),
            money(lang, cur, |k| k.cpm),
        ),
        (
            format!("CPE ({cur} {})", l("per interaction", "por interação")),
            money(lang, cur, |k| k.cpe),
        ),
        (
            format!("{} ({cur})", l("Cost per conversion", "Custo por conversão")),
            money(lang, cur, |k| k.cost_per_conversion),
        ),
        (
            l("ROI ((revenue − cost) / cost)", "ROI ((receita − custo) / custo)").to_string(),
            Box::new(move |k: &CampaignKpis| lang.num(fmt_roi(k.roi))),
        ),
    ];
    let mut parts: Vec<&crate::campaign::CampaignColumn> = report.accounts.iter().collect();
    if let Some(u) = &report.unattributed {
        parts.push(u);
    }
    let chunks: Vec<Vec<&crate::campaign::CampaignColumn>> = if parts.is_empty() {
        vec![Vec::new()]
    } else {
        parts.chunks(4).map(<[_]>::to_vec).collect()
    };
    for chunk in chunks {
        let mut shown = chunk.clone();
        shown.push(&report.total);
        let mut cols = vec![Col {
            share: 2.6,
            align: Align::Left,
        }];
        cols.extend(shown.iter().map(|_| Col {
            share: 1.35,
            align: Align::Right,
        }));
        let mut header = vec![Cell::new(l("Figure", "Indicador"))];
        header.extend(shown.iter().map(|col| Cell::new(column_label(lang, col))));
        let mut rows = vec![{
            let mut r = vec![Cell::new(l("Role", "Papel"))];
            r.extend(shown.iter().map(|col| {
                Cell::colored(
                    col.role
                        .as_deref()
                        .map_or_else(|| DASH.to_string(), |k| key_word(lang, k)),
                    MUTED,
                )
            }));
            r
        }];
        for (label, fmt) in &figures {
            let mut r = vec![Cell::new(label.as_str())];
            r.extend(shown.iter().map(|col| Cell::new(fmt(&col.kpis))));
            rows.push(r);
        }
        f.table(&cols, &header, &rows, TABLE);
    }
    f.paragraph(
        l(
            "Reach is summed over posts (a person reached by two posts counts twice). CPM = cost / impressions × 1,000; CPE = cost / interactions; ROI = (revenue − cost) / cost. Only amounts in the campaign currency are added. — = not defined (no data, no cost or no conversions).",
            "O alcance é somado por post (uma pessoa alcançada por dois posts conta duas vezes). CPM = custo / impressões × 1.000; CPE = custo / interações; ROI = (receita − custo) / custo. Só valores na moeda da campanha são somados. — = não definido (sem dados, sem custo ou sem conversões)."
        ),
        SMALL,
        MUTED,
    );
    for w in &report.warnings {
        f.paragraph(&format!("{} {w}", l("Note:", "Observação:")), SMALL, DOWN);
    }
    if let Some(share) = report.sentiment.filter(|s| s.total() > 0) {
        use alcance_core::sentiment::SentimentLabel::{Negative, Neutral, Positive};
        let pct = |label| lang.num(format!("{:.1} %", share.ratio(label).unwrap_or(0.0) * 100.0));
        f.paragraph(
            &format!(
                "{} {} {}: {} {}, {} {}, {} {}.",
                l("Sentiment of the", "Sentimento dos"),
                share.total(),
                l("comments on its posts", "comentários nos posts"),
                pct(Positive),
                l("positive", "positivos"),
                pct(Neutral),
                l("neutral", "neutros"),
                pct(Negative),
                l("negative", "negativos"),
            ),
            BODY,
            MUTED,
        );
    }

    if !report.accounts.is_empty() {
        let chart = ColumnChart {
            title: l("Interactions per account", "Interações por conta").to_string(),
            y_label: l("Interactions", "Interações").to_string(),
            bars: report
                .accounts
                .iter()
                .map(|a| (a.label.clone(), a.kpis.interactions))
                .collect(),
            width: 1000,
            height: 380,
            no_data: l("No data yet", "Ainda sem dados").to_string(),
        };
        let (ops, w, h) = column_chart_ops(m, &chart)?;
        f.drawing(lang.chart_numbers(ops), w, h);
    }

    f.heading("Posts", H2, 40.0);
    if report.posts.is_empty() {
        f.paragraph(
            l("No post is in the campaign yet.", "Nenhum post na campanha ainda."),
            BODY,
            MUTED,
        );
    } else {
        // The top posts' kept pictures (decoded once; one that cannot be is left out and its
        // row stays), at the left of the post's account cell: the columns stay as they are,
        // and only the rows with a picture grow.
        let cols = columns(&[
            (2.0, Align::Left),
            (1.9, Align::Left),
            (0.9, Align::Left),
            (1.5, Align::Left),
            (1.1, Align::Right),
            (1.2, Align::Right),
            (1.2, Align::Right),
            (1.0, Align::Right),
        ]);
        let header = [
            Cell::new(l("Account", "Conta")),
            Cell::new("Post"),
            Cell::new(l("Type", "Tipo")),
            Cell::new(l("Published (local time)", "Publicado (hora local)")),
            Cell::new(l("Reach", "Alcance")),
            Cell::new(l("Impressions", "Impressões")),
            Cell::new(l("Interactions", "Interações")),
            Cell::new(l("ER by reach", "TE por alcance")),
        ];
        let rows: Vec<Vec<Cell>> = report
            .posts
            .iter()
            .map(|p| {
                vec![
                    Cell {
                        picture: p.picture.as_ref().and_then(|x| Picture::from_data_url(&x.data_url)),
                        ..Cell::new(p.account.as_str())
                    },
                    Cell::new(p.post_id.as_str()),
                    Cell::new(p.content_type.as_str()),
                    Cell::new(
                        p.published_at
                            .map_or_else(|| DASH.to_string(), |t| local_stamp(t, zone)),
                    ),
                    Cell::new(lang.num(fmt_count(p.reach))),
                    Cell::new(lang.num(fmt_count(p.impressions))),
                    Cell::new(lang.num(fmt_count(p.interactions))),
                    Cell::new(lang.num(fmt_pct(p.engagement_rate_by_reach))),
                ]
            })
            .collect();
        f.table(&cols, &header, &rows, SMALL);
    }

    f.heading(l("Costs", "Custos"), H2, 30.0);
    if report.costs.is_empty() {
        f.paragraph(l("No cost entered.", "Nenhum custo lançado."), BODY, MUTED);
    } else {
        let cols = columns(&[
            (1.0, Align::Left),
            (1.2, Align::Right),
            (1.8, Align::Left),
            (3.0, Align::Left),
        ]);
        let header = [
            Cell::new(l("Date", "Data")),
            Cell::new(l("Amount", "Valor")),
            Cell::new(l("For", "Para")),
            Cell::new(l("Note", "Observação")),
        ];
        let rows: Vec<Vec<Cell>> = report
            .costs
            .iter()
            .map(|x| {
                vec![
                    Cell::new(x.date.to_string()),
                    Cell::new(lang.num(fmt_money(Some(x.amount), &x.currency))),
                    Cell::new(x.account.as_ref().map_or_else(
                        || l("campaign", "campanha").to_string(),
                        |k| format!("{}:{}", k.platform, k.user_id),
                    )),
                    Cell::new(x.note.as_deref().unwrap_or("")),
                ]
            })
            .collect();
        f.table(&cols, &header, &rows, TABLE);
    }

    f.heading(l("Conversions", "Conversões"), H2, 30.0);
    if report.conversions.is_empty() {
        f.paragraph(l("No conversion entered.", "Nenhuma conversão lançada."), BODY, MUTED);
    } else {
        let cols = columns(&[
            (1.0, Align::Left),
            (0.8, Align::Right),
            (1.3, Align::Right),
            (3.0, Align::Left),
        ]);
        let header = [
            Cell::new(l("Date", "Data")),
            Cell::new(l("Count", "Quantidade")),
            Cell::new(l("Revenue", "Receita")),
            Cell::new("UTM"),
        ];
        let rows: Vec<Vec<Cell>> = report
            .conversions
            .iter()
            .map(|x| {
                let utm = [x.utm_source.as_deref(), x.utm_campaign.as_deref()]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(" / ");
                vec![
                    Cell::new(x.date.to_string()),
                    Cell::new(lang.num(fmt_count(Some(f64::from(x.count))))),
                    Cell::new(lang.num(fmt_money(x.revenue, &x.currency))),
                    Cell::new(utm),
                ]
            })
            .collect();
        f.table(&cols, &header, &rows, TABLE);
    }

    let pages = f.finish(&format!("Alcance · {title}"), l("page", "página"));
    Ok((pages, format!("Alcance — {title}")))
}

type Fmt = Box<dyn Fn(&CampaignKpis) -> String>;

fn money(lang: PdfLanguage, cur: &str, pick: fn(&CampaignKpis) -> Option<f64>) -> Fmt {
    let cur = cur.to_string();
    Box::new(move |k: &CampaignKpis| lang.num(fmt_money(pick(k), &cur)))
}

/// Writes [`weekly_pdf`] to `path` (a temporary file in the same folder, then a rename).
///
/// # Errors
/// As [`weekly_pdf`], and [`ReportError::Io`] / [`ReportError::DiskFull`] for the file.
pub fn write_weekly_pdf(report: &WeeklyReport, lang: PdfLanguage, path: &Path) -> Result<(), ReportError> {
    write_atomically(path, &weekly_pdf(report, lang)?)
}

/// Writes [`campaign_pdf`] to `path` (a temporary file in the same folder, then a rename).
///
/// # Errors
/// As [`campaign_pdf`], and [`ReportError::Io`] / [`ReportError::DiskFull`] for the file.
pub fn write_campaign_pdf(report: &CampaignReport, lang: PdfLanguage, path: &Path) -> Result<(), ReportError> {
    write_atomically(path, &campaign_pdf(report, lang)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn languages_parse_and_swap_separators() {
        assert_eq!("pt-BR".parse::<PdfLanguage>(), Ok(PdfLanguage::PtBr));
        assert_eq!("pt_br".parse::<PdfLanguage>(), Ok(PdfLanguage::PtBr));
        assert_eq!("EN".parse::<PdfLanguage>(), Ok(PdfLanguage::En));
        assert!("fr".parse::<PdfLanguage>().is_err());
        assert_eq!(PdfLanguage::PtBr.num("12,345.50 BRL".into()), "12.345,50 BRL");
        assert_eq!(PdfLanguage::En.num("12,345.50 BRL".into()), "12,345.50 BRL");
        assert_eq!(PdfLanguage::PtBr.num(DASH.into()), DASH);
    }
}
