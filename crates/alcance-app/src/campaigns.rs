//! Managing campaigns on an open workspace: list, read with members and counts, change,
//! delete, add or remove accounts and posts, import costs and conversions from CSV bytes —
//! what `alcance serve`'s `/api/v1/campaigns` routes (and the desktop's campaign screens)
//! call. Creating one and its report are in [`crate::reports`] ([`create_campaign`],
//! [`campaign_report`], [`write_campaign`]), shared with the CLI.
//!
//! Dates are UTC days; money is in the campaign's currency (ISO 4217). Errors carry
//! [`crate::ErrorCode::NotFound`] for an unknown campaign, account or post and
//! [`crate::ErrorCode::InvalidInput`] for a bad name, currency, budget, date range or CSV.
//!
//! [`create_campaign`]: crate::reports::create_campaign
//! [`campaign_report`]: crate::reports::campaign_report
//! [`write_campaign`]: crate::reports::write_campaign

use crate::error::{AppError, Context, Result};
use crate::views::{PostView, CHART_SIZE};
use crate::workspace::Workspace;
use alcance_core::{AccountId, CampaignId, PostId, PostMetricRow};
use alcance_report::campaign::CampaignKpis;
use alcance_report::chart::{render_svg_with, ChartText, LineChart, Series, DEFAULT_NO_DATA, DEFAULT_X_LABEL};
use alcance_report::series::engagement_trend;
use alcance_store::campaigns::{
    CampaignAccountRow, CampaignRole, CampaignRow, ConversionRow, CostRow, ImportReport, NewCampaign, NewConversion,
    NewCost,
};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// A campaign with who takes part and what it counts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CampaignDetail {
    /// The campaign (`campaigns` row).
    pub campaign: CampaignRow,
    /// Brands first, then influencers, each by platform and handle.
    pub accounts: Vec<CampaignAccountRow>,
    /// Store ids (`/api/v1/posts` ids) of the posts counted in the campaign, by account,
    /// then publication.
    pub post_ids: Vec<i64>,
    /// Cost lines, in the order recorded.
    pub costs: Vec<CostRow>,
    /// Conversion lines, in the order recorded.
    pub conversions: Vec<ConversionRow>,
}

/// A campaign as the Campaigns screen lists it: its row with the totals of its report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CampaignSummary {
    /// The campaign (`campaigns` row).
    pub campaign: CampaignRow,
    /// The whole campaign's figures ([`crate::reports::CampaignReport::total`]): counts are
    /// counts, rates percent 0–100, money in the campaign currency, ROI a ratio; `None` where
    /// undefined (no cost, no conversions, no reach).
    pub total: CampaignKpis,
    /// Share of the budget spent, ratio (cost / budget); `None` without a budget or cost.
    pub budget_used: Option<f64>,
}

/// Every campaign (as [`campaigns`]) with the totals of its report built at `now`, UTC.
/// Reads each campaign's posts, costs and conversions: one report per campaign.
pub async fn campaign_summaries(ws: &Workspace, now: DateTime<Utc>) -> Result<Vec<CampaignSummary>> {
    let rows = campaigns(ws).await?;
    let mut out = Vec::with_capacity(rows.len());
    for campaign in rows {
        let report = crate::reports::campaign_report(ws, CampaignId::from(campaign.id), now).await?;
        out.push(CampaignSummary {
            campaign,
            total: report.total.kpis,
            budget_used: report.budget_used,
        });
    }
    Ok(out)
}

/// Every campaign, newest start first, then by name.
pub async fn campaigns(ws: &Workspace) -> Result<Vec<CampaignRow>> {
    Ok(ws.store().list_campaigns().await?)
}

/// Campaign `id` with its accounts, posts, costs and conversions.
/// Errors: no such campaign (not found).
pub async fn campaign_detail(ws: &Workspace, id: CampaignId) -> Result<CampaignDetail> {
    let store = ws.store();
    let id = id.get();
    Ok(CampaignDetail {
        campaign: store.campaign(id).await?,
        accounts: store.campaign_accounts(id).await?,
        post_ids: store.campaign_posts(id).await?.into_iter().map(|p| p.id).collect(),
        costs: store.costs(id).await?,
        conversions: store.conversions(id).await?,
    })
}

/// Replaces every field of campaign `id` and returns it as stored.
/// Errors: not found; a bad or already used name, currency, budget or date range.
pub async fn update_campaign(ws: &Workspace, id: CampaignId, campaign: &NewCampaign) -> Result<CampaignRow> {
    let store = ws.store();
    store
        .update_campaign(id.get(), campaign)
        .await
        .with_context(|| format!("updating campaign {id}"))?;
    Ok(store.campaign(id.get()).await?)
}

/// Deletes campaign `id` with its account and post links, costs and conversions; the
/// accounts, posts and their metrics stay. Errors: not found.
pub async fn delete_campaign(ws: &Workspace, id: CampaignId) -> Result<()> {
    Ok(ws.store().delete_campaign(id.get()).await?)
}

/// Adds `account` to campaign `id` as a brand or an influencer, or changes its role.
/// Errors: an unknown campaign or account (not found).
pub async fn set_campaign_account(
    ws: &Workspace,
    id: CampaignId,
    account: AccountId,
    role: CampaignRole,
) -> Result<()> {
    Ok(ws.store().set_campaign_account(id.get(), account.get(), role).await?)
}

/// Takes `account` out of campaign `id` (its costs and conversions stay, unattributed).
/// Returns `false` when it was not in.
pub async fn remove_campaign_account(ws: &Workspace, id: CampaignId, account: AccountId) -> Result<bool> {
    Ok(ws.store().remove_campaign_account(id.get(), account.get()).await?)
}

/// Counts `post` in campaign `id`. Returns `false` when it already was.
/// Errors: an unknown campaign or post (not found).
pub async fn add_campaign_post(ws: &Workspace, id: CampaignId, post: PostId) -> Result<bool> {
    Ok(ws.store().add_campaign_post(id.get(), post.get()).await?)
}

/// Takes `post` out of campaign `id`. Returns `false` when it was not in.
pub async fn remove_campaign_post(ws: &Workspace, id: CampaignId, post: PostId) -> Result<bool> {
    Ok(ws.store().remove_campaign_post(id.get(), post.get()).await?)
}

/// Imports a costs CSV (the bytes of the file; columns
/// [`COST_CSV_COLUMNS`](alcance_store::campaigns::COST_CSV_COLUMNS)) into campaign `id`:
/// good lines are stored, bad ones listed in the report with their line number and reason.
/// Errors: an unknown campaign; a file that is not CSV.
pub async fn import_costs_csv(ws: &Workspace, id: CampaignId, csv: &[u8]) -> Result<ImportReport> {
    ws.store()
        .import_costs_csv(id.get(), csv)
        .await
        .with_context(|| format!("importing costs into campaign {id}"))
}

/// Imports a conversions CSV into campaign `id`; as [`import_costs_csv`] (columns
/// [`CONVERSION_CSV_COLUMNS`](alcance_store::campaigns::CONVERSION_CSV_COLUMNS)).
pub async fn import_conversions_csv(ws: &Workspace, id: CampaignId, csv: &[u8]) -> Result<ImportReport> {
    ws.store()
        .import_conversions_csv(id.get(), csv)
        .await
        .with_context(|| format!("importing conversions into campaign {id}"))
}

/// Archives campaign `id` at `now` (UTC) and returns it as stored; an archived campaign
/// keeps everything and its report, the Campaigns screen lists it only on request.
/// Archiving an archived campaign keeps its first time. Errors: not found.
pub async fn archive_campaign(ws: &Workspace, id: CampaignId, now: DateTime<Utc>) -> Result<CampaignRow> {
    let store = ws.store();
    store.set_campaign_archived(id.get(), Some(now)).await?;
    Ok(store.campaign(id.get()).await?)
}

/// Takes campaign `id` out of the archive and returns it as stored. Errors: not found.
pub async fn unarchive_campaign(ws: &Workspace, id: CampaignId) -> Result<CampaignRow> {
    let store = ws.store();
    store.set_campaign_archived(id.get(), None).await?;
    Ok(store.campaign(id.get()).await?)
}

/// Most campaigns and posts one [`add_posts_to_campaigns`] call takes (each list).
pub const MAX_BULK_ITEMS: usize = 1000;

/// Counts every post of `posts` in every campaign of `campaigns` (a post may be in
/// several). Returns how many links were new (a post already in a campaign is no error).
/// Checks every campaign before adding anything; stops at the first unknown post (the
/// links added before it stay). Errors: an empty list or more than
/// [`MAX_BULK_ITEMS`] in one (invalid input); an unknown campaign or post (not found).
pub async fn add_posts_to_campaigns(ws: &Workspace, campaigns: &[CampaignId], posts: &[PostId]) -> Result<usize> {
    if campaigns.is_empty() || posts.is_empty() {
        return Err(AppError::InvalidInput("pick at least one campaign and one post".into()));
    }
    if campaigns.len() > MAX_BULK_ITEMS || posts.len() > MAX_BULK_ITEMS {
        return Err(AppError::InvalidInput(format!(
            "at most {MAX_BULK_ITEMS} campaigns and {MAX_BULK_ITEMS} posts at a time"
        )));
    }
    let store = ws.store();
    for c in campaigns {
        store.campaign(c.get()).await?;
    }
    let ids: Vec<i64> = posts.iter().map(|p| p.get()).collect();
    let mut added = 0;
    for c in campaigns {
        for p in &ids {
            if store.add_campaign_post(c.get(), *p).await? {
                added += 1;
            }
        }
    }
    Ok(added)
}

/// The posts of campaign `id` as the posts table shows them (latest lifetime metrics),
/// most interactions first (posts without interactions last, then newest first): the
/// first ones are the campaign's top posts. Errors: not found.
pub async fn campaign_posts(ws: &Workspace, id: CampaignId) -> Result<Vec<PostView>> {
    let rows = ws.store().campaign_posts(id.get()).await?;
    let mut views = crate::views::with_latest_metrics(ws, rows, None).await?;
    sort_top_first(&mut views);
    Ok(views)
}

/// Most interactions first (posts without interactions last), then newest, then by id.
fn sort_top_first(views: &mut [PostView]) {
    views.sort_by(|a, b| {
        let key = |v: &PostView| v.interactions.filter(|x| x.is_finite());
        match (key(a), key(b)) {
            (Some(x), Some(y)) => y.total_cmp(&x),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => std::cmp::Ordering::Equal,
        }
        .then(b.published_at.cmp(&a.published_at))
        .then(b.id.cmp(&a.id))
    });
}

/// Records a cost (influencer fee, boost, production) in campaign `id`; returns the row as
/// stored. Errors: not found; a negative amount, a bad currency, an account not in the
/// campaign (invalid input).
pub async fn add_cost(ws: &Workspace, id: CampaignId, cost: &NewCost) -> Result<CostRow> {
    let store = ws.store();
    let row = store.add_cost(id.get(), cost).await?;
    let costs = store.costs(id.get()).await?;
    costs
        .into_iter()
        .find(|c| c.id == row)
        .ok_or_else(|| AppError::Other(anyhow::anyhow!("cost {row} vanished after it was written")))
}

/// Records conversions (count and revenue on a day) in campaign `id`; returns the row as
/// stored. Errors: as [`add_cost`].
pub async fn add_conversion(ws: &Workspace, id: CampaignId, conversion: &NewConversion) -> Result<ConversionRow> {
    let store = ws.store();
    let row = store.add_conversion(id.get(), conversion).await?;
    let rows = store.conversions(id.get()).await?;
    rows.into_iter()
        .find(|c| c.id == row)
        .ok_or_else(|| AppError::Other(anyhow::anyhow!("conversion {row} vanished after it was written")))
}

/// The words of the campaign trend chart, in the UI's language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct TrendLabels {
    /// Chart title ("Reach and interactions per day").
    pub title: String,
    /// Y axis ("Per day").
    pub y_label: String,
    /// Legend of the reach line ("Reach").
    pub reach: String,
    /// Legend of the interactions line ("Interactions").
    pub interactions: String,
    /// X axis ("Date (UTC)"; the axis is UTC whatever it says).
    #[serde(default = "default_date_axis")]
    pub date_axis: String,
    /// Text of a chart with nothing to draw ("No data yet").
    #[serde(default = "default_no_data")]
    pub no_data: String,
}

fn default_date_axis() -> String {
    DEFAULT_X_LABEL.to_string()
}
fn default_no_data() -> String {
    DEFAULT_NO_DATA.to_string()
}

impl Default for TrendLabels {
    fn default() -> Self {
        TrendLabels {
            title: "Reach and interactions per day".into(),
            y_label: "Per day".into(),
            reach: "Reach".into(),
            interactions: "Interactions".into(),
            date_axis: default_date_axis(),
            no_data: default_no_data(),
        }
    }
}

/// One UTC day of a campaign's trend.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct TrendDay {
    /// The day, UTC.
    pub day: NaiveDate,
    /// Reach gained that day by the campaign's posts (people, summed over posts);
    /// `None` when no post's reach was read that day.
    pub reach: Option<f64>,
    /// Interactions gained that day by the campaign's posts (count); `None` when no
    /// post's interactions were read that day.
    pub interactions: Option<f64>,
}

/// A campaign's daily trend: the days and the same figures drawn as a chart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CampaignTrend {
    /// Days with a reading, oldest first (days without one are gaps, not 0).
    pub days: Vec<TrendDay>,
    /// Both lines as a standalone SVG document, [`CHART_SIZE`] px (rendered by
    /// `alcance-report` like the dashboard's charts).
    pub svg: String,
    /// How many points the chart draws.
    pub points: u32,
}

/// Campaign `id`'s reach and interactions gained per UTC day by its posts, with the chart.
/// A day's gain follows the dashboard's engagement trend
/// ([`alcance_report::series::engagement_trend`]): per post, the rise of its lifetime
/// total since its previous day collected, clamped at 0; a post first read within two
/// days of its publication counts in full. Errors: not found; a chart that cannot be drawn.
pub async fn campaign_trend(ws: &Workspace, id: CampaignId, labels: &TrendLabels) -> Result<CampaignTrend> {
    let rows = ws.store().campaign_post_metric_rows(id.get()).await?;
    let days = trend_days(&rows);
    let series = |label: &str, pick: fn(&TrendDay) -> Option<f64>| Series {
        label: label.to_string(),
        points: days
            .iter()
            .filter_map(|d| Some((d.day.and_hms_opt(0, 0, 0)?.and_utc(), pick(d)?)))
            .collect(),
    };
    let series = vec![
        series(&labels.reach, |d| d.reach),
        series(&labels.interactions, |d| d.interactions),
    ];
    let points = series.iter().map(|s| s.points.len() as u32).sum();
    let svg = render_svg_with(
        &LineChart {
            title: labels.title.clone(),
            y_label: labels.y_label.clone(),
            series,
            width: CHART_SIZE.0,
            height: CHART_SIZE.1,
        },
        &ChartText {
            x_label: labels.date_axis.clone(),
            no_data: labels.no_data.clone(),
        },
    )
    .context("rendering the campaign trend chart")?;
    Ok(CampaignTrend { days, svg, points })
}

/// Per UTC day, the reach and the interactions the posts of `rows` gained (see
/// [`campaign_trend`]).
fn trend_days(rows: &[PostMetricRow]) -> Vec<TrendDay> {
    // The engagement trend sums interaction metrics; reach goes through the same rule
    // by reading its rows as one interaction metric.
    let reach_rows: Vec<PostMetricRow> = rows
        .iter()
        .filter(|r| r.metric_type == "reach")
        .map(|r| PostMetricRow {
            metric_type: "likes".to_string(),
            ..r.clone()
        })
        .collect();
    let by_day = |rows: &[PostMetricRow]| -> BTreeMap<NaiveDate, f64> {
        let mut out = BTreeMap::new();
        for s in engagement_trend(rows, &HashMap::new()) {
            for (t, v) in s.points {
                *out.entry(t.date_naive()).or_insert(0.0) += v;
            }
        }
        out
    };
    let reach = by_day(&reach_rows);
    let interactions = by_day(rows);
    let mut days: Vec<NaiveDate> = reach.keys().chain(interactions.keys()).copied().collect();
    days.sort_unstable();
    days.dedup();
    days.into_iter()
        .map(|day| TrendDay {
            day,
            reach: reach.get(&day).copied(),
            interactions: interactions.get(&day).copied(),
        })
        .collect()
}

/// Longest [`PostRule::term`], characters.
pub const MAX_RULE_TERM_CHARS: usize = 200;

/// A rule picking a campaign's posts: an influencer's posts published in a date range whose
/// caption carries a hashtag, a mention or a link.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct PostRule {
    /// Accounts whose posts are looked at (`accounts.id`); empty: every influencer of the
    /// campaign.
    pub account_ids: Vec<AccountId>,
    /// First day of publication, UTC; `None`: the campaign's first day.
    pub since: Option<NaiveDate>,
    /// Last day of publication (inclusive), UTC; `None`: the campaign's last day, or no
    /// bound while it is open-ended.
    pub until: Option<NaiveDate>,
    /// What the caption must carry, case-insensitive: a hashtag (`#verao`) or a mention
    /// (`@marca`), matched as a whole tag (`#verao` does not match `#veraochegou`), or a
    /// link's text (`loja.com/promo`; `https://` and `www.` are ignored), matched anywhere.
    /// 1–[`MAX_RULE_TERM_CHARS`] characters after trimming.
    pub term: String,
}

/// The posts `rule` picks for campaign `id`, as [`campaign_posts`] orders them (most
/// interactions first), whether or not they are in the campaign already: what the UI
/// previews before adding them. Errors: not found; a blank or too long term, a date range
/// that ends before it starts, no influencer to look at (invalid input).
pub async fn preview_post_rule(ws: &Workspace, id: CampaignId, rule: &PostRule) -> Result<Vec<PostView>> {
    let term = rule.term.trim();
    if term.is_empty() || term.chars().count() > MAX_RULE_TERM_CHARS {
        return Err(AppError::InvalidInput(format!(
            "the rule needs a hashtag, a mention or a link of 1 to {MAX_RULE_TERM_CHARS} characters"
        )));
    }
    let store = ws.store();
    let campaign = store.campaign(id.get()).await?;
    let since = rule.since.unwrap_or(campaign.starts_on);
    let until = rule.until.or(campaign.ends_on);
    if until.is_some_and(|u| u < since) {
        return Err(AppError::InvalidInput(
            "the rule's last day is before its first day".into(),
        ));
    }
    let accounts: Vec<i64> = if rule.account_ids.is_empty() {
        store
            .campaign_accounts(id.get())
            .await?
            .into_iter()
            .filter(|a| a.role == CampaignRole::Influencer)
            .map(|a| a.account_id)
            .collect()
    } else {
        rule.account_ids.iter().map(|a| a.get()).collect()
    };
    if accounts.is_empty() {
        return Err(AppError::InvalidInput(
            "the campaign has no influencer: add one, or pick the accounts to look at".into(),
        ));
    }
    let day_start = |d: NaiveDate| d.and_hms_opt(0, 0, 0).map(|t| t.and_utc());
    let filter = alcance_store::RowFilter {
        account_ids: accounts,
        since: day_start(since),
        until: until.and_then(|u| u.succ_opt()).and_then(day_start),
        ..Default::default()
    };
    let rows: Vec<_> = store
        .posts(&filter)
        .await?
        .into_iter()
        .filter(|p| p.caption.as_deref().is_some_and(|c| caption_carries(c, term)))
        .collect();
    let mut views = crate::views::with_latest_metrics(ws, rows, None).await?;
    sort_top_first(&mut views);
    Ok(views)
}

/// Whether `caption` carries `term` as [`PostRule::term`] says.
fn caption_carries(caption: &str, term: &str) -> bool {
    let term = term.trim();
    if term.starts_with('#') || term.starts_with('@') || term.starts_with('＃') {
        // The hashtags and mentions as the Hashtags view reads them (one set of rules).
        let key = alcance_core::analytics::tags::tag_key(term);
        let tags = alcance_core::analytics::tags::post_tags(caption);
        return tags.hashtags.contains(&key) || tags.mentions.contains(&key);
    }
    let caption = caption.to_lowercase();
    let term = term.to_lowercase();
    let bare = |s: &str| -> String {
        let s = s
            .strip_prefix("https://")
            .or_else(|| s.strip_prefix("http://"))
            .unwrap_or(s);
        s.strip_prefix("www.").unwrap_or(s).to_string()
    };
    let term = bare(&term);
    !term.is_empty() && caption.contains(&term)
}

#[cfg(test)]
mod tests {
    use super::*;
    use alcance_core::Platform;
    use chrono::TimeZone;

    fn row(post: &str, metric: &str, day: u32, value: f64) -> PostMetricRow {
        PostMetricRow {
            user_id: "42".into(),
            platform: Platform::Instagram,
            post_id: post.into(),
            content_type: "image".into(),
            published_at: Utc.with_ymd_and_hms(2026, 11, 1, 8, 0, 0).single(),
            metric_type: metric.into(),
            value: Some(value),
            collected_at: Utc.with_ymd_and_hms(2026, 11, day, 12, 0, 0).single().expect("time"),
        }
    }

    #[test]
    fn trend_days_sum_the_daily_gains_of_every_post() {
        let rows = vec![
            row("p1", "reach", 1, 100.0),
            row("p1", "reach", 2, 150.0),
            row("p1", "likes", 1, 10.0),
            row("p1", "likes", 2, 12.0),
            row("p1", "comments", 2, 3.0),
            row("p2", "reach", 2, 40.0),
            row("p2", "reach", 3, 30.0),  // a correction: clamped to 0, not negative
            row("p2", "views", 3, 999.0), // not reach, not an interaction
        ];
        let days = trend_days(&rows);
        let day = |d: u32| NaiveDate::from_ymd_opt(2026, 11, d).expect("date");
        assert_eq!(
            days,
            vec![
                TrendDay {
                    day: day(1),
                    reach: Some(100.0),
                    interactions: Some(10.0)
                },
                // p1 +50 reach, +2 likes +3 comments; p2 first read on day 2 but published
                // a day before: fresh, so its 40 count in full.
                TrendDay {
                    day: day(2),
                    reach: Some(90.0),
                    interactions: Some(5.0)
                },
                TrendDay {
                    day: day(3),
                    reach: Some(0.0),
                    interactions: None
                },
            ]
        );
        assert!(trend_days(&[]).is_empty());
    }

    #[test]
    fn a_rule_matches_whole_tags_and_links_in_any_form() {
        let caption = "Chegou o verão! #VeraoAlcance com @Marca_BR — compre em https://www.loja.com/promo?x=1";
        assert!(caption_carries(caption, "#veraoalcance"));
        assert!(caption_carries(caption, " @marca_br "));
        assert!(!caption_carries(caption, "#verao"), "a longer tag is another tag");
        assert!(!caption_carries(caption, "@marca"));
        assert!(caption_carries(caption, "loja.com/promo"));
        assert!(caption_carries(caption, "https://loja.com/promo"));
        assert!(caption_carries(caption, "http://www.LOJA.com"));
        assert!(!caption_carries(caption, "loja.com/outra"));
        assert!(
            !caption_carries("e-mail: ana@marca.com", "@marca"),
            "an e-mail is no mention"
        );
        assert!(!caption_carries(caption, "https://"));
    }
}
