//! The campaign report: reach, impressions, engagement (interactions, engagement rate),
//! CPM, CPE, cost per conversion and ROI for each account of a campaign side by side and
//! for the whole campaign ([`campaign_report`]), written as XLSX ([`write_campaign_xlsx`]),
//! HTML ([`crate::html::campaign_html`]) and JSON ([`write_campaign_report`]).
//!
//! Every ratio comes from `alcance_core::analytics::derived` ([`cpm`], [`cpe`],
//! [`cost_per_conversion`], [`roi`], [`engagement_rate`], [`ctr`]), so a zero or unknown
//! denominator gives `None` — shown as "—", never 0.
//!
//! How the figures add up:
//! - **Posts** are the campaign's posts (latest lifetime totals, as
//!   `analytics::posts::latest_post_metrics` folds them). An account's column holds its
//!   own posts; posts of accounts that are not members count in the total only.
//! - **Reach, impressions, views, link clicks, interactions**: sums over the posts that
//!   have the metric; `None` when none has it. Reach summed over posts counts a person
//!   reached by two posts twice (platforms serve no distinct reach across posts).
//! - **Engagement rate** by reach (or impressions), percent 0–100: Σ interactions / Σ reach
//!   × 100 over the posts that have both (a ratio of sums).
//! - **Cost, conversions, revenue**: an account's column sums the rows attributed to it;
//!   the total sums every row, attributed or not. Only rows in the campaign's currency are
//!   added: nothing converts currencies, and the others are listed in
//!   [`CampaignReport::warnings`]. No cost row at all means the cost is unknown (`None`),
//!   not 0.
//! - **CPM** = cost / impressions × 1000; **CPE** = cost / interactions; **cost per
//!   conversion** = cost / conversions; **ROI** = (revenue − cost) / cost (a ratio);
//!   **CTR** = link clicks / impressions × 100 over the posts that have both.

use crate::files::{pretty_json, write_atomically};
use crate::files::{ReportFiles, ReportFormat};
use crate::html::{fmt_count, fmt_money, fmt_pct, fmt_roi, DASH};
use crate::pdf::PdfLanguage;
use crate::series::account_label;
use crate::workbook::{cell, excel_date, excel_local_time, print_setup, Formats};
use crate::zone::{display_zone, local_stamp};
use crate::ReportError;
use alcance_core::analytics::best_time::Tz;
use alcance_core::analytics::derived::{cost_per_conversion, cpe, cpm, ctr, engagement_rate, roi, EngagementBase};
use alcance_core::analytics::posts::PostMetrics;
use alcance_core::Platform;
use chrono::{DateTime, NaiveDate, Utc};
use rust_xlsxwriter::{Chart, ChartLegendPosition, ChartMarker, ChartMarkerType, Workbook, Worksheet, XlsxError};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// The `schema_version` of the campaign report JSON.
pub const CAMPAIGN_SCHEMA_VERSION: u32 = 1;

/// An account by platform and platform account id.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct AccountKey {
    /// Platform.
    pub platform: Platform,
    /// The platform's account id (`user_id` of exports).
    pub user_id: String,
}

/// The campaign's own facts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CampaignInfo {
    /// The store's id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// First day, UTC.
    pub starts_on: NaiveDate,
    /// Last day (inclusive), UTC; `None` while open-ended.
    pub ends_on: Option<NaiveDate>,
    /// Planned spend in `currency`.
    pub budget: Option<f64>,
    /// ISO 4217 code of every money figure of the report.
    pub currency: String,
    /// Goal key (`awareness`, `engagement`, `traffic`, `conversions`, `followers`, `other`).
    pub goal: String,
}

/// An account taking part.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CampaignMember {
    /// Which account.
    pub account: AccountKey,
    /// Handle without `@`.
    pub username: Option<String>,
    /// `brand` or `influencer`.
    pub role: String,
}

/// A cost line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CampaignCost {
    /// Day spent, UTC.
    pub date: NaiveDate,
    /// Amount in `currency`, `>= 0`.
    pub amount: f64,
    /// ISO 4217 code.
    pub currency: String,
    /// The account it is for; `None` for the whole campaign.
    pub account: Option<AccountKey>,
    /// Free text.
    pub note: Option<String>,
}

/// A conversion line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CampaignConversion {
    /// Day, UTC.
    pub date: NaiveDate,
    /// Conversions (count).
    pub count: u32,
    /// Revenue in `currency`; `None` when unknown.
    pub revenue: Option<f64>,
    /// ISO 4217 code of `revenue`.
    pub currency: String,
    /// The account it is attributed to; `None` when unattributed.
    pub account: Option<AccountKey>,
    /// UTM campaign tag, for the conversions table.
    pub utm_campaign: Option<String>,
    /// UTM source tag.
    pub utm_source: Option<String>,
}

/// Everything the campaign report reads.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CampaignData {
    /// The campaign.
    pub campaign: CampaignInfo,
    /// Brands and influencers, in display order.
    pub members: Vec<CampaignMember>,
    /// The campaign's posts with their latest lifetime totals.
    pub posts: Vec<PostMetrics>,
    /// Costs.
    pub costs: Vec<CampaignCost>,
    /// Conversions.
    pub conversions: Vec<CampaignConversion>,
}

/// The figures of one column (an account, the unattributed rows, or the total). Counts are
/// counts; rates are percent 0–100; money is in the campaign currency; ROI is a ratio.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CampaignKpis {
    /// Posts counted.
    pub posts: usize,
    /// Σ reach over the posts that have it (count).
    pub reach: Option<f64>,
    /// Σ impressions (count).
    pub impressions: Option<f64>,
    /// Σ views (count).
    pub views: Option<f64>,
    /// Σ link clicks (count).
    pub link_clicks: Option<f64>,
    /// Σ interactions ([`PostMetrics::interactions`], count).
    pub interactions: Option<f64>,
    /// Engagement rate by reach, percent (ratio of sums).
    pub engagement_rate_by_reach: Option<f64>,
    /// Engagement rate by impressions, percent (ratio of sums).
    pub engagement_rate_by_impressions: Option<f64>,
    /// Click-through rate, percent: Σ link clicks / Σ impressions × 100 over the posts that
    /// have both.
    pub ctr: Option<f64>,
    /// Σ costs in the campaign currency; `None` without any cost row.
    pub cost: Option<f64>,
    /// Σ conversions; `None` without any conversion row.
    pub conversions: Option<f64>,
    /// Σ revenue in the campaign currency; `None` when no row has a revenue.
    pub revenue: Option<f64>,
    /// Cost per 1,000 impressions, money.
    pub cpm: Option<f64>,
    /// Cost per interaction, money.
    pub cpe: Option<f64>,
    /// Cost per conversion, money.
    pub cost_per_conversion: Option<f64>,
    /// (revenue − cost) / cost, ratio (0.25 = +25 %).
    pub roi: Option<f64>,
}

/// One column of the side-by-side table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CampaignColumn {
    /// Header: `"@username (Platform)"`, `"Unattributed"` or `"Campaign total"`.
    pub label: String,
    /// The account, for account columns.
    pub account: Option<AccountKey>,
    /// `brand`, `influencer`; `None` for the other columns.
    pub role: Option<String>,
    /// The figures.
    pub kpis: CampaignKpis,
}

/// One post of the campaign, for the posts table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CampaignPostLine {
    /// The account's label.
    pub account: String,
    /// The platform's post id.
    pub post_id: String,
    /// Content type key.
    pub content_type: String,
    /// Publication time, UTC.
    pub published_at: Option<DateTime<Utc>>,
    /// Reach (count).
    pub reach: Option<f64>,
    /// Impressions (count).
    pub impressions: Option<f64>,
    /// Interactions (count).
    pub interactions: Option<f64>,
    /// Engagement rate by reach, percent.
    pub engagement_rate_by_reach: Option<f64>,
    /// Engagement rate by impressions, percent.
    pub engagement_rate_by_impressions: Option<f64>,
    /// The post's picture kept in the workspace (its thumbnail, else its image), for the
    /// top posts by interactions ([`TOP_PICTURES`]); `None` when it has none (never
    /// downloaded, expired, too large) or is not among them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub picture: Option<PostPicture>,
}

/// How many of a campaign report's posts (the most interactions first) carry their
/// picture: each is embedded in the JSON, HTML and PDF files.
pub const TOP_PICTURES: usize = 12;

/// A post's picture as kept in the workspace (`post_media`, docs/media.md).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct PostPicture {
    /// `image/png`, `image/jpeg`, `image/gif` or `image/webp`.
    pub content_type: String,
    /// The URL it was downloaded from (a platform's CDN; it may have expired since).
    pub source_url: String,
    /// When it was downloaded, UTC.
    pub fetched_at: DateTime<Utc>,
    /// The file itself as a `data:` URL (`data:image/png;base64,…`).
    pub data_url: String,
}

/// The campaign report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CampaignReport {
    /// [`CAMPAIGN_SCHEMA_VERSION`].
    pub schema_version: u32,
    /// When it was made, UTC.
    pub generated_at: DateTime<Utc>,
    /// IANA time zone the rendered report (HTML, PDF, XLSX) says its moments in: when it
    /// was made and when each post was published ([`crate::zone`]); `"UTC"` unless set
    /// with [`CampaignReport::in_time_zone`]. The campaign's dates stay calendar days.
    #[serde(default = "utc_name")]
    pub time_zone: String,
    /// The campaign.
    pub campaign: CampaignInfo,
    /// One column per member (brands then influencers, as given).
    pub accounts: Vec<CampaignColumn>,
    /// Costs, conversions and posts not attributed to a member; `None` when there are none.
    pub unattributed: Option<CampaignColumn>,
    /// The whole campaign.
    pub total: CampaignColumn,
    /// Share of the budget spent, ratio (cost / budget); `None` without a budget or cost.
    pub budget_used: Option<f64>,
    /// The posts, by account then publication.
    pub posts: Vec<CampaignPostLine>,
    /// Costs, as given.
    pub costs: Vec<CampaignCost>,
    /// Conversions, as given.
    pub conversions: Vec<CampaignConversion>,
    /// What was left out and why (rows in another currency).
    pub warnings: Vec<String>,
    /// The sentiment of the comments and replies on the campaign's posts (counts; shares
    /// are `count / total`, ratios 0–1), computed on the machine; `None` when not read (a
    /// report built without the store) and a zero share when none is scored.
    #[serde(default)]
    pub sentiment: Option<alcance_core::sentiment::SentimentShare>,
}

impl CampaignReport {
    /// `"12 comments: 58.3 % positive, 25.0 % neutral, 16.7 % negative"` (percent of the
    /// scored comments on the campaign's posts); `None` without any.
    pub fn sentiment_text(&self) -> Option<String> {
        use alcance_core::sentiment::SentimentLabel::{Negative, Neutral, Positive};
        let s = self.sentiment.filter(|s| s.total() > 0)?;
        let pct = |l| s.ratio(l).map_or(0.0, |r| r * 100.0);
        Some(format!(
            "{} comments: {:.1} % positive, {:.1} % neutral, {:.1} % negative",
            s.total(),
            pct(Positive),
            pct(Neutral),
            pct(Negative)
        ))
    }
}

fn utc_name() -> String {
    "UTC".to_string()
}

/// Σ of the present values; `None` when none is present.
fn sum(values: impl Iterator<Item = Option<f64>>) -> Option<f64> {
    let mut total = 0.0;
    let mut any = false;
    for v in values.flatten().filter(|v| v.is_finite()) {
        total += v;
        any = true;
    }
    any.then_some(total)
}

/// Σ interactions / Σ base × 100 over the posts that have both.
fn rate(posts: &[&PostMetrics], base: EngagementBase) -> Option<f64> {
    let pairs: Vec<(f64, f64)> = posts
        .iter()
        .filter_map(|p| Some((p.interactions()?, p.exposure().get(base)?)))
        .filter(|(i, d)| i.is_finite() && *i >= 0.0 && d.is_finite() && *d > 0.0)
        .collect();
    if pairs.is_empty() {
        return None;
    }
    engagement_rate(
        pairs.iter().map(|p| p.0).sum::<f64>(),
        pairs.iter().map(|p| p.1).sum::<f64>(),
    )
}

/// Click-through rate over the posts that have both link clicks and impressions, percent.
fn ctr_of(posts: &[&PostMetrics]) -> Option<f64> {
    let pairs: Vec<(f64, f64)> = posts
        .iter()
        .filter_map(|p| Some((p.metric("link_clicks")?, p.metric("impressions")?)))
        .collect();
    if pairs.is_empty() {
        return None;
    }
    ctr(
        pairs.iter().map(|p| p.0).sum::<f64>(),
        pairs.iter().map(|p| p.1).sum::<f64>(),
    )
}

fn kpis(posts: &[&PostMetrics], costs: &[&CampaignCost], conversions: &[&CampaignConversion]) -> CampaignKpis {
    let metric = |key: &str| sum(posts.iter().map(|p| p.metric(key)));
    let impressions = metric("impressions");
    let link_clicks = metric("link_clicks");
    let interactions = sum(posts.iter().map(|p| p.interactions()));
    let cost = sum(costs.iter().map(|c| Some(c.amount)));
    let conv = sum(conversions.iter().map(|c| Some(f64::from(c.count))));
    let revenue = sum(conversions.iter().map(|c| c.revenue));
    CampaignKpis {
        posts: posts.len(),
        reach: metric("reach"),
        impressions,
        views: metric("views"),
        link_clicks,
        interactions,
        engagement_rate_by_reach: rate(posts, EngagementBase::Reach),
        engagement_rate_by_impressions: rate(posts, EngagementBase::Impressions),
        ctr: ctr_of(posts),
        cost,
        conversions: conv,
        revenue,
        cpm: cpm(cost, impressions),
        cpe: cpe(cost, interactions),
        cost_per_conversion: cost_per_conversion(cost, conv),
        roi: roi(revenue, cost),
    }
}

/// Builds the campaign report (pure: no I/O, no clock).
pub fn campaign_report(data: &CampaignData, generated_at: DateTime<Utc>) -> CampaignReport {
    let currency = data.campaign.currency.as_str();
    let mut warnings = Vec::new();

    // Only rows in the campaign currency are added up.
    let (costs, other_costs): (Vec<&CampaignCost>, Vec<&CampaignCost>) = data
        .costs
        .iter()
        .partition(|c| c.currency.eq_ignore_ascii_case(currency));
    for (other, rows) in group_by_currency(other_costs.iter().map(|c| (c.currency.as_str(), Some(c.amount)))) {
        warnings.push(format!(
            "{} cost row(s) in {other} ({} {other}) are not counted: the campaign is in {currency} and Alcance does not convert currencies",
            rows.0,
            plain_money(rows.1)
        ));
    }
    // Conversions in another currency still count as conversions; their revenue does not.
    let conversions: Vec<CampaignConversion> = data
        .conversions
        .iter()
        .map(|c| {
            let mut c = c.clone();
            if !c.currency.eq_ignore_ascii_case(currency) {
                c.revenue = None;
            }
            c
        })
        .collect();
    for (other, rows) in group_by_currency(
        data.conversions
            .iter()
            .filter(|c| !c.currency.eq_ignore_ascii_case(currency) && c.revenue.is_some())
            .map(|c| (c.currency.as_str(), c.revenue)),
    ) {
        warnings.push(format!(
            "the revenue of {} conversion row(s) in {other} ({} {other}) is not counted: the campaign is in {currency}",
            rows.0,
            plain_money(rows.1)
        ));
    }
    let conversions: Vec<&CampaignConversion> = conversions.iter().collect();

    let key_of = |p: &PostMetrics| AccountKey {
        platform: p.platform,
        user_id: p.user_id.clone(),
    };
    let is_member = |k: &AccountKey| data.members.iter().any(|m| &m.account == k);

    let accounts: Vec<CampaignColumn> = data
        .members
        .iter()
        .map(|m| {
            let posts: Vec<&PostMetrics> = data.posts.iter().filter(|p| key_of(p) == m.account).collect();
            let of_member = |a: Option<&AccountKey>| a == Some(&m.account);
            let c = attributed(&costs, of_member);
            let v = attributed(&conversions, of_member);
            CampaignColumn {
                label: account_label(m.account.platform, &m.account.user_id, m.username.as_deref()),
                account: Some(m.account.clone()),
                role: Some(m.role.clone()),
                kpis: kpis(&posts, &c, &v),
            }
        })
        .collect();

    let loose_posts: Vec<&PostMetrics> = data.posts.iter().filter(|p| !is_member(&key_of(p))).collect();
    let loose = |a: Option<&AccountKey>| a.is_none_or(|a| !is_member(a));
    let loose_costs = attributed(&costs, loose);
    let loose_conversions = attributed(&conversions, loose);
    let unattributed =
        (!loose_posts.is_empty() || !loose_costs.is_empty() || !loose_conversions.is_empty()).then(|| CampaignColumn {
            label: "Unattributed".to_string(),
            account: None,
            role: None,
            kpis: kpis(&loose_posts, &loose_costs, &loose_conversions),
        });
    let all_posts: Vec<&PostMetrics> = data.posts.iter().collect();
    let total = CampaignColumn {
        label: "Campaign total".to_string(),
        account: None,
        role: None,
        kpis: kpis(&all_posts, &costs, &conversions),
    };
    let budget_used = match (total.kpis.cost, data.campaign.budget) {
        (Some(cost), Some(budget)) if budget > 0.0 && budget.is_finite() => {
            Some(cost / budget).filter(|r| r.is_finite())
        }
        _ => None,
    };

    let label_of = |k: &AccountKey| {
        data.members.iter().find(|m| &m.account == k).map_or_else(
            || account_label(k.platform, &k.user_id, None),
            |m| account_label(k.platform, &k.user_id, m.username.as_deref()),
        )
    };
    let mut posts: Vec<CampaignPostLine> = data
        .posts
        .iter()
        .map(|p| CampaignPostLine {
            account: label_of(&key_of(p)),
            post_id: p.post_id.clone(),
            content_type: p.content_type.clone(),
            published_at: p.published_at,
            reach: p.metric("reach"),
            impressions: p.metric("impressions"),
            interactions: p.interactions(),
            engagement_rate_by_reach: p.engagement_rate(EngagementBase::Reach),
            engagement_rate_by_impressions: p.engagement_rate(EngagementBase::Impressions),
            picture: None,
        })
        .collect();
    posts.sort_by(|a, b| (&a.account, a.published_at, &a.post_id).cmp(&(&b.account, b.published_at, &b.post_id)));

    CampaignReport {
        schema_version: CAMPAIGN_SCHEMA_VERSION,
        generated_at,
        time_zone: utc_name(),
        campaign: data.campaign.clone(),
        accounts,
        unattributed,
        total,
        budget_used,
        posts,
        costs: data.costs.clone(),
        conversions: data.conversions.clone(),
        warnings,
        sentiment: None,
    }
}

/// A cost or conversion line, attributed to an account or not.
trait Attributed {
    /// The account the line is for; `None` when unattributed.
    fn account(&self) -> Option<&AccountKey>;
}

impl Attributed for CampaignCost {
    fn account(&self) -> Option<&AccountKey> {
        self.account.as_ref()
    }
}

impl Attributed for CampaignConversion {
    fn account(&self) -> Option<&AccountKey> {
        self.account.as_ref()
    }
}

/// The lines of `rows` whose account (`None` when unattributed) `keep` accepts, in order.
fn attributed<'a, T: Attributed>(rows: &[&'a T], keep: impl Fn(Option<&AccountKey>) -> bool) -> Vec<&'a T> {
    rows.iter().copied().filter(|r| keep(r.account())).collect()
}

/// Rows per currency: (count, Σ amount), sorted by currency.
fn group_by_currency<'a>(rows: impl Iterator<Item = (&'a str, Option<f64>)>) -> Vec<(String, (usize, f64))> {
    let mut groups: std::collections::BTreeMap<String, (usize, f64)> = std::collections::BTreeMap::new();
    for (currency, amount) in rows {
        let g = groups.entry(currency.to_ascii_uppercase()).or_insert((0, 0.0));
        g.0 += 1;
        g.1 += amount.filter(|a| a.is_finite()).unwrap_or(0.0);
    }
    groups.into_iter().collect()
}

fn plain_money(v: f64) -> String {
    format!("{v:.2}")
}

/// One row of the side-by-side table, its cells already formatted (`"—"` for no data).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TableRow {
    /// What the row is (`"Reach (sum over posts)"`, `"CPM (BRL per 1,000 impressions)"`).
    pub label: String,
    /// One cell per column of [`CampaignReport::columns`].
    pub cells: Vec<String>,
}

impl CampaignReport {
    /// The same report, rendered with its moments in `zone` (see [`CampaignReport::time_zone`]).
    pub fn in_time_zone(mut self, zone: Tz) -> CampaignReport {
        self.time_zone = zone.name().to_string();
        self
    }

    /// The columns side by side: each account, then "Unattributed" (when any), then
    /// "Campaign total".
    pub fn columns(&self) -> Vec<&CampaignColumn> {
        let mut out: Vec<&CampaignColumn> = self.accounts.iter().collect();
        if let Some(u) = &self.unattributed {
            out.push(u);
        }
        out.push(&self.total);
        out
    }

    /// The side-by-side table as text: one [`TableRow`] per figure, in the order of
    /// [`CampaignReport::columns`]; counts with thousands separators, rates `"4.25 %"`,
    /// money `"1,500.00 BRL"`, ROI `"+25.0 %"`, no data `"—"`.
    pub fn table(&self) -> Vec<TableRow> {
        let cur = self.campaign.currency.as_str();
        let cols = self.columns();
        let row = |label: String, f: &dyn Fn(&CampaignKpis) -> String| TableRow {
            label,
            cells: cols.iter().map(|c| f(&c.kpis)).collect(),
        };
        vec![
            row("Role".into(), &|_| String::new()),
            row("Posts".into(), &|k| fmt_count(Some(k.posts as f64))),
            row("Reach (sum over posts)".into(), &|k| fmt_count(k.reach)),
            row("Impressions".into(), &|k| fmt_count(k.impressions)),
            row("Views".into(), &|k| fmt_count(k.views)),
            row("Interactions".into(), &|k| fmt_count(k.interactions)),
            row("Engagement rate by reach".into(), &|k| {
                fmt_pct(k.engagement_rate_by_reach)
            }),
            row("Engagement rate by impressions".into(), &|k| {
                fmt_pct(k.engagement_rate_by_impressions)
            }),
            row("Link clicks".into(), &|k| fmt_count(k.link_clicks)),
            row("CTR (link clicks / impressions)".into(), &|k| fmt_pct(k.ctr)),
            row(format!("Cost ({cur})"), &|k| fmt_money(k.cost, cur)),
            row("Conversions".into(), &|k| fmt_count(k.conversions)),
            row(format!("Revenue ({cur})"), &|k| fmt_money(k.revenue, cur)),
            row(format!("CPM ({cur} per 1,000 impressions)"), &|k| fmt_money(k.cpm, cur)),
            row(format!("CPE ({cur} per interaction)"), &|k| fmt_money(k.cpe, cur)),
            row(format!("Cost per conversion ({cur})"), &|k| {
                fmt_money(k.cost_per_conversion, cur)
            }),
            row("ROI ((revenue − cost) / cost)".into(), &|k| fmt_roi(k.roi)),
        ]
        .into_iter()
        .enumerate()
        .map(|(i, mut r)| {
            if i == 0 {
                r.cells = cols
                    .iter()
                    .map(|c| c.role.clone().unwrap_or_else(|| DASH.to_string()))
                    .collect();
            }
            r
        })
        .collect()
    }
}

/// Writes `campaign-<id>.xlsx`, `.html`, `.json` and `.pdf` (English) into `dir` (created if missing), each
/// through a temporary file and a rename.
///
/// # Errors
/// As [`crate::weekly::write_weekly_report`].
pub fn write_campaign_report(report: &CampaignReport, dir: &Path) -> Result<ReportFiles, ReportError> {
    write_campaign_report_in(report, dir, PdfLanguage::En)
}

/// [`write_campaign_report`] with the PDF in `lang`.
///
/// # Errors
/// As [`crate::weekly::write_weekly_report`].
pub fn write_campaign_report_in(
    report: &CampaignReport,
    dir: &Path,
    lang: PdfLanguage,
) -> Result<ReportFiles, ReportError> {
    std::fs::create_dir_all(dir).map_err(|e| ReportError::io(format!("creating {}", dir.display()), e))?;
    let stem = format!("campaign-{}", report.campaign.id);
    let files = ReportFiles {
        xlsx: dir.join(format!("{stem}.xlsx")),
        html: dir.join(format!("{stem}.html")),
        json: dir.join(format!("{stem}.json")),
        pdf: dir.join(format!("{stem}.pdf")),
    };
    crate::pdf::write_campaign_pdf(report, lang, &files.pdf)?;
    write_campaign_xlsx(report, &files.xlsx)?;
    write_atomically(&files.html, crate::html::campaign_html(report)?.as_bytes())?;
    write_atomically(&files.json, &pretty_json(report, "writing the campaign report JSON")?)?;
    Ok(files)
}

/// The report as one file's bytes in `format` (the PDF in `lang`; the other formats are
/// English).
///
/// # Errors
/// As [`write_campaign_report`], without the file system ones.
pub fn campaign_file(report: &CampaignReport, format: ReportFormat, lang: PdfLanguage) -> Result<Vec<u8>, ReportError> {
    match format {
        ReportFormat::Pdf => crate::pdf::campaign_pdf(report, lang),
        ReportFormat::Xlsx => {
            campaign_workbook(report).map_err(|e| ReportError::xlsx("building the campaign report workbook", e))
        }
        ReportFormat::Html => Ok(crate::html::campaign_html(report)?.into_bytes()),
        ReportFormat::Json => pretty_json(report, "writing the campaign report JSON"),
    }
}

/// Writes the report as an Excel workbook: `Campaign` (facts, the side-by-side table with
/// typed cells — counts `#,##0`, rates in percent points, money `#,##0.00`, ROI as an Excel
/// percentage — "—" for no data, and a native column chart of interactions and cost per
/// account), `Posts`, `Costs` and `Conversions`.
///
/// # Errors
/// [`ReportError::Xlsx`], [`ReportError::Io`] / [`ReportError::DiskFull`].
pub fn write_campaign_xlsx(report: &CampaignReport, path: &Path) -> Result<(), ReportError> {
    let ctx = format!("writing the campaign report to {}", path.display());
    let bytes = campaign_workbook(report).map_err(|e| ReportError::xlsx(&ctx, e))?;
    write_atomically(path, &bytes)
}

fn campaign_workbook(report: &CampaignReport) -> Result<Vec<u8>, XlsxError> {
    let f = Formats::new();
    let mut wb = Workbook::new();
    overview_sheet(wb.add_worksheet(), report, &f)?;
    posts_sheet(wb.add_worksheet(), report, &f)?;
    costs_sheet(wb.add_worksheet(), report, &f)?;
    conversions_sheet(wb.add_worksheet(), report, &f)?;
    wb.save_to_buffer()
}

fn overview_sheet(ws: &mut Worksheet, report: &CampaignReport, f: &Formats) -> Result<(), XlsxError> {
    const SHEET: &str = "Campaign";
    ws.set_name(SHEET)?;
    print_setup(ws);
    let c = &report.campaign;
    ws.write_string_with_format(0, 0, format!("Campaign: {}", c.name), &f.title)?;
    ws.write_string_with_format(
        1,
        0,
        format!(
            "{} – {} · goal {} · budget {} · generated {} {} · — means no data (never 0)",
            c.starts_on,
            c.ends_on.map_or_else(|| "open".to_string(), |d| d.to_string()),
            c.goal,
            fmt_money(c.budget, &c.currency),
            local_stamp(report.generated_at, display_zone(&report.time_zone)),
            report.time_zone
        ),
        &f.subtitle,
    )?;
    let cols = report.columns();
    let top = 3u32;
    ws.set_column_width(0, 36)?;
    ws.write_string_with_format(top, 0, "Figure", &f.header)?;
    for (i, col) in cols.iter().enumerate() {
        ws.set_column_width(1 + i as u16, 18)?;
        ws.write_string_with_format(top, 1 + i as u16, &col.label, &f.header)?;
    }
    ws.set_row_height(top, 30)?;
    let cur = c.currency.as_str();
    type Getter = fn(&CampaignKpis) -> Option<f64>;
    let rows: Vec<(String, Getter, &rust_xlsxwriter::Format)> = vec![
        ("Posts".into(), |k| Some(k.posts as f64), &f.count),
        ("Reach (sum over posts)".into(), |k| k.reach, &f.count),
        ("Impressions".into(), |k| k.impressions, &f.count),
        ("Views".into(), |k| k.views, &f.count),
        ("Interactions".into(), |k| k.interactions, &f.count),
        (
            "Engagement rate by reach (%)".into(),
            |k| k.engagement_rate_by_reach,
            &f.percent_pts,
        ),
        (
            "Engagement rate by impressions (%)".into(),
            |k| k.engagement_rate_by_impressions,
            &f.percent_pts,
        ),
        ("Link clicks".into(), |k| k.link_clicks, &f.count),
        ("CTR (%)".into(), |k| k.ctr, &f.percent_pts),
        (format!("Cost ({cur})"), |k| k.cost, &f.money),
        ("Conversions".into(), |k| k.conversions, &f.count),
        (format!("Revenue ({cur})"), |k| k.revenue, &f.money),
        (format!("CPM ({cur} per 1,000 impressions)"), |k| k.cpm, &f.money),
        (format!("CPE ({cur} per interaction)"), |k| k.cpe, &f.money),
        (
            format!("Cost per conversion ({cur})"),
            |k| k.cost_per_conversion,
            &f.money,
        ),
        ("ROI".into(), |k| k.roi, &f.ratio_pct),
    ];
    ws.write_string_with_format(top + 1, 0, "Role", &f.text)?;
    for (i, col) in cols.iter().enumerate() {
        ws.write_string_with_format(top + 1, 1 + i as u16, col.role.as_deref().unwrap_or(DASH), &f.text)?;
    }
    for (r, (label, get, format)) in rows.iter().enumerate() {
        let row = top + 2 + r as u32;
        ws.write_string_with_format(row, 0, label, &f.text)?;
        for (i, col) in cols.iter().enumerate() {
            cell(ws, row, 1 + i as u16, get(&col.kpis), format, f)?;
        }
    }
    let mut row = top + 3 + rows.len() as u32;
    if let Some(used) = report.budget_used {
        ws.write_string_with_format(row, 0, "Budget used", &f.text)?;
        ws.write_number_with_format(row, 1, used, &f.share)?;
        row += 1;
    }
    for w in &report.warnings {
        ws.write_string_with_format(row, 0, format!("Note: {w}"), &f.subtitle)?;
        row += 1;
    }
    if let Some(s) = report.sentiment.filter(|s| s.total() > 0) {
        use alcance_core::sentiment::SentimentLabel::{Negative, Neutral, Positive};
        ws.write_string_with_format(row, 0, "Comments on its posts (scored)", &f.text)?;
        ws.write_number_with_format(row, 1, s.total() as f64, &f.count)?;
        row += 1;
        for (name, label) in [
            ("Positive share", Positive),
            ("Neutral share", Neutral),
            ("Negative share", Negative),
        ] {
            ws.write_string_with_format(row, 0, name, &f.text)?;
            cell(ws, row, 1, s.ratio(label), &f.share, f)?;
            row += 1;
        }
    }
    if !report.accounts.is_empty() {
        // The chart reads its own block, where no data is a blank cell (a "—" text cell
        // would be drawn as 0).
        let data_top = row + 1;
        ws.write_string_with_format(data_top, 0, "Chart data", &f.header)?;
        ws.write_string_with_format(data_top + 1, 0, "Interactions", &f.text)?;
        ws.write_string_with_format(data_top + 2, 0, format!("Cost ({cur})"), &f.text)?;
        for (i, col) in report.accounts.iter().enumerate() {
            let c = 1 + i as u16;
            ws.write_string_with_format(data_top, c, &col.label, &f.header)?;
            if let Some(v) = col.kpis.interactions {
                ws.write_number_with_format(data_top + 1, c, v, &f.count)?;
            }
            if let Some(v) = col.kpis.cost {
                ws.write_number_with_format(data_top + 2, c, v, &f.money)?;
            }
        }
        let last_col = report.accounts.len() as u16;
        let mut chart = Chart::new_column();
        chart.title().set_name("Interactions and cost per account");
        chart
            .add_series()
            .set_name((SHEET, data_top + 1, 0))
            .set_categories((SHEET, data_top, 1, data_top, last_col))
            .set_values((SHEET, data_top + 1, 1, data_top + 1, last_col));
        // Cost as a line with markers on a second axis, so the columns do not overlap.
        let mut cost = Chart::new_line();
        cost.add_series()
            .set_name((SHEET, data_top + 2, 0))
            .set_categories((SHEET, data_top, 1, data_top, last_col))
            .set_values((SHEET, data_top + 2, 1, data_top + 2, last_col))
            .set_marker(ChartMarker::new().set_type(ChartMarkerType::Circle).set_size(8))
            .set_secondary_axis(true);
        cost.y2_axis().set_name(&format!("Cost ({cur})"));
        chart.combine(&cost);
        chart.y_axis().set_name("Interactions");
        chart.legend().set_position(ChartLegendPosition::Bottom);
        chart.set_width(640).set_height(320);
        ws.insert_chart(data_top + 4, 0, &chart)?;
    }
    Ok(())
}

fn posts_sheet(ws: &mut Worksheet, report: &CampaignReport, f: &Formats) -> Result<(), XlsxError> {
    ws.set_name("Posts")?;
    print_setup(ws);
    let zone = display_zone(&report.time_zone);
    let published = format!("Published ({})", zone.name());
    let headers = [
        ("Account", 24.0),
        ("Post id", 22.0),
        ("Content type", 12.0),
        (published.as_str(), 17.0),
        ("Reach", 11.0),
        ("Impressions", 12.0),
        ("Interactions", 12.0),
        ("ER by reach (%)", 11.0),
        ("ER by impressions (%)", 12.0),
    ];
    for (c, (h, w)) in headers.iter().enumerate() {
        ws.set_column_width(c as u16, *w)?;
        ws.write_string_with_format(0, c as u16, *h, &f.header)?;
    }
    for (i, p) in report.posts.iter().enumerate() {
        let row = 1 + i as u32;
        ws.write_string_with_format(row, 0, &p.account, &f.text)?;
        ws.write_string_with_format(row, 1, &p.post_id, &f.text)?;
        ws.write_string_with_format(row, 2, &p.content_type, &f.text)?;
        match p.published_at.and_then(|t| excel_local_time(t, zone)) {
            Some(t) => ws.write_datetime_with_format(row, 3, &t, &f.datetime)?,
            None => ws.write_string_with_format(row, 3, DASH, &f.dash)?,
        };
        cell(ws, row, 4, p.reach, &f.count, f)?;
        cell(ws, row, 5, p.impressions, &f.count, f)?;
        cell(ws, row, 6, p.interactions, &f.count, f)?;
        cell(ws, row, 7, p.engagement_rate_by_reach, &f.percent_pts, f)?;
        cell(ws, row, 8, p.engagement_rate_by_impressions, &f.percent_pts, f)?;
    }
    Ok(())
}

fn account_text(k: &Option<AccountKey>) -> String {
    k.as_ref()
        .map_or_else(|| "campaign".to_string(), |k| format!("{}:{}", k.platform, k.user_id))
}

fn costs_sheet(ws: &mut Worksheet, report: &CampaignReport, f: &Formats) -> Result<(), XlsxError> {
    ws.set_name("Costs")?;
    print_setup(ws);
    for (c, (h, w)) in [
        ("Date", 12.0),
        ("Amount", 14.0),
        ("Currency", 9.0),
        ("Account", 28.0),
        ("Note", 40.0),
    ]
    .iter()
    .enumerate()
    {
        ws.set_column_width(c as u16, *w)?;
        ws.write_string_with_format(0, c as u16, *h, &f.header)?;
    }
    for (i, c) in report.costs.iter().enumerate() {
        let row = 1 + i as u32;
        if let Some(d) = excel_date(c.date) {
            ws.write_datetime_with_format(row, 0, &d, &f.date)?;
        }
        ws.write_number_with_format(row, 1, c.amount, &f.money)?;
        ws.write_string_with_format(row, 2, &c.currency, &f.text)?;
        ws.write_string_with_format(row, 3, account_text(&c.account), &f.text)?;
        ws.write_string_with_format(row, 4, c.note.as_deref().unwrap_or(""), &f.text)?;
    }
    Ok(())
}

fn conversions_sheet(ws: &mut Worksheet, report: &CampaignReport, f: &Formats) -> Result<(), XlsxError> {
    ws.set_name("Conversions")?;
    print_setup(ws);
    for (c, (h, w)) in [
        ("Date", 12.0),
        ("Count", 9.0),
        ("Revenue", 14.0),
        ("Currency", 9.0),
        ("Account", 28.0),
        ("utm_campaign", 18.0),
        ("utm_source", 16.0),
    ]
    .iter()
    .enumerate()
    {
        ws.set_column_width(c as u16, *w)?;
        ws.write_string_with_format(0, c as u16, *h, &f.header)?;
    }
    for (i, c) in report.conversions.iter().enumerate() {
        let row = 1 + i as u32;
        if let Some(d) = excel_date(c.date) {
            ws.write_datetime_with_format(row, 0, &d, &f.date)?;
        }
        ws.write_number_with_format(row, 1, f64::from(c.count), &f.count)?;
        cell(ws, row, 2, c.revenue, &f.money, f)?;
        ws.write_string_with_format(row, 3, &c.currency, &f.text)?;
        ws.write_string_with_format(row, 4, account_text(&c.account), &f.text)?;
        ws.write_string_with_format(row, 5, c.utm_campaign.as_deref().unwrap_or(""), &f.text)?;
        ws.write_string_with_format(row, 6, c.utm_source.as_deref().unwrap_or(""), &f.text)?;
    }
    Ok(())
}
