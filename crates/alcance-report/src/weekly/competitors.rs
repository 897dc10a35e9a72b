//! The weekly report's "Competitors" section (issue 17 point 6): the workspace's own
//! accounts beside its competitors over the report's week and the share of voice on its
//! first term ([`crate::competitors::CompetitorReport`], computed by `alcance-app` with the
//! comparison's definitions and put in [`super::WeeklyReport::competitors`]). Present only
//! when the workspace has competitors; it comes last in every rendering: HTML
//! ([`html_section`]), PDF (`crate::pdf`), XLSX (sheet `Competitors`, [`xlsx_sheet`]) and
//! JSON (the field itself).

use crate::compare::{mix_text, slot_text};
use crate::competitors::CompetitorReport;
use crate::html::{fmt_count, fmt_decimal, fmt_pct, fmt_signed_pct, DASH};
use crate::workbook::Formats;
use maud::{html, Markup};
use rust_xlsxwriter::{Worksheet, XlsxError};

/// A share of voice (ratio 0–1) as a percent text, `"25.0%"`; "—" for none.
pub(crate) fn share_text(share: Option<f64>) -> String {
    fmt_pct(share.filter(|s| s.is_finite()).map(|s| s * 100.0))
}

/// A term post count as text; "—" for none (not available or not collected).
pub(crate) fn posts_text(posts: Option<i64>) -> String {
    posts.map_or_else(|| DASH.to_string(), |p| fmt_count(Some(p as f64)))
}

/// The rows of the section's table, one per account: account, role, followers, growth,
/// growth %, posts per week, mean engagement per post, engagement rate, best slot,
/// content mix, share of voice. Texts as printed ("—" for no data).
pub(crate) fn table_rows(c: &CompetitorReport) -> Vec<[String; 11]> {
    let voice = c.share_of_voice.as_ref();
    c.comparison
        .accounts
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let fig = c.figures.get(i);
            let role = match fig {
                Some(f) => match &f.set {
                    Some(set) => format!("{} ({set})", f.role.as_str()),
                    None => f.role.as_str().to_string(),
                },
                None => String::new(),
            };
            let slot = slot_text(a.best_slot.as_ref(), &c.comparison.time_zone);
            let mix = mix_text(&a.content_mix);
            let dash = |s: String| if s.is_empty() { DASH.to_string() } else { s };
            [
                a.label.clone(),
                role,
                fmt_count(a.followers),
                fmt_count(a.follower_growth),
                fmt_signed_pct(a.follower_growth_percent),
                fmt_decimal(Some(a.posts_per_week), 1),
                fmt_decimal(fig.and_then(|f| f.mean_engagement_per_post), 1),
                fmt_pct(a.engagement_rate),
                dash(slot),
                dash(mix),
                share_text(voice.and_then(|v| v.accounts.get(i)).and_then(|s| s.share)),
            ]
        })
        .collect()
}

/// The section's HTML (`<section>` with its table and the share-of-voice note).
pub(crate) fn html_section(c: &CompetitorReport) -> Markup {
    let rows = table_rows(c);
    html! {
        section {
            h2 { "Competitors" }
            p.note {
                "Own accounts beside the competitor sets over the week, with the Compare screen's definitions. \
                 Mean engagement per post = interactions gained ÷ posts published. Share of voice = the account's \
                 public X posts matching the term ÷ all public X posts matching it (X recent counts); other \
                 platforms give no counts (—)."
            }
            table {
                thead {
                    tr {
                        th { "Account" } th { "Role" } th.num { "Followers" } th.num { "Growth" }
                        th.num { "Growth %" } th.num { "Posts / week" } th.num { "Mean engagement / post" }
                        th.num { "ER" } th { "Best slot" } th { "Content mix" } th.num { "Share of voice" }
                    }
                }
                tbody {
                    @for r in &rows {
                        tr {
                            td { (r[0]) } td { (r[1]) }
                            td.num { (r[2]) } td.num { (r[3]) } td.num { (r[4]) } td.num { (r[5]) }
                            td.num { (r[6]) } td.num { (r[7]) } td.small { (r[8]) } td.small { (r[9]) }
                            td.num { (r[10]) }
                        }
                    }
                }
            }
            @if let Some(v) = &c.share_of_voice {
                p.small {
                    "Share of voice on " (v.term) ", " (v.first_day.to_string()) " – " (v.last_day.to_string())
                    " UTC: " (posts_text(v.total_posts)) " public X posts in all."
                }
            } @else {
                p.small { "No share-of-voice term is collected (`alcance competitors voice add TERM`)." }
            }
        }
    }
}

/// The sheet `Competitors` of the weekly workbook (as the competitor export's sheet).
pub(crate) fn xlsx_sheet(ws: &mut Worksheet, c: &CompetitorReport, f: &Formats) -> Result<(), XlsxError> {
    crate::competitors::competitors_sheet(ws, c, f)
}
