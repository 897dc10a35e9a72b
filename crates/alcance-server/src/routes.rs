//! The handlers of `/api/v1`, one per route, each documented for the OpenAPI description
//! (parameters, units, answers and their errors).

use crate::auth::Caller;
use crate::model::{
    Account, AccountPage, Kpis, Metrics, Post, PostMetricPage, PostMetricValue, PostPage, Run, RunEvent, RunEventPage,
    RunPage,
};
use crate::paging::{self, DEFAULT_LIMIT, MAX_LIMIT};
use crate::params::{self, ApiQuery};
use crate::problem::{ApiError, Problem};
use crate::ApiState;
use alcance_app::views::{self, MetricsQuery, ViewFilter};
use alcance_app::{AccountId, PostId, RunId};
use axum::extract::{Path, State};
use axum::{Extension, Json};
use chrono::Utc;
use serde::Deserialize;
use std::sync::Arc;
use utoipa::IntoParams;

/// Most runs `/api/v1/runs` pages through: the newest this many.
pub const RUNS_KEPT: u32 = 1000;
/// Default and largest `limit` of `/api/v1/metrics`.
pub const METRICS_MAX_LIMIT: usize = 10_000;

/// Paging of a list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// Items per page, 1–1000; default 100.
    #[param(value_type = Option<i64>, minimum = 1, maximum = 1000, example = 100)]
    pub limit: Option<String>,
    /// `next_cursor` of the previous page (opaque); absent for the first page.
    pub cursor: Option<String>,
}

impl PageParams {
    /// The `limit` asked, [`DEFAULT_LIMIT`] when absent. Errors: 400 outside 1–[`MAX_LIMIT`].
    pub(crate) fn limit(&self) -> Result<usize, ApiError> {
        paging::limit(
            params::integer("limit", self.limit.as_deref())?,
            DEFAULT_LIMIT,
            MAX_LIMIT,
        )
    }
}

/// Lists the workspace's accounts with their status, token health, latest follower count
/// and collection schedule, by id ascending.
#[utoipa::path(
    get,
    path = "/api/v1/accounts",
    tag = "accounts",
    params(PageParams),
    responses(
        (status = 200, description = "A page of accounts", body = AccountPage),
        (status = 400, description = "A bad `limit` or `cursor`", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "The server failed (see its log)", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_accounts(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    ApiQuery(page): ApiQuery<PageParams>,
) -> Result<Json<AccountPage>, ApiError> {
    let limit = page.limit()?;
    let mut all = state.accounts().await?;
    all.retain(|a| caller.sees_account(a.id.get()));
    let (items, next_cursor) = paging::page("accounts", all, |a| a.id.get(), page.cursor.as_deref(), limit)?;
    Ok(Json(AccountPage { items, next_cursor }))
}

/// One account by id.
#[utoipa::path(
    get,
    path = "/api/v1/accounts/{id}",
    tag = "accounts",
    params(("id" = i64, Path, description = "The account id", minimum = 1)),
    responses(
        (status = 200, description = "The account", body = Account),
        (status = 400, description = "The id is not a positive integer", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No account has this id", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "The server failed (see its log)", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_account(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Json<Account>, ApiError> {
    let id = params::id("id", Some(&id))?.unwrap_or_default();
    // A client asking for an account not shared with them hears "not found", as for an
    // account that does not exist: ids do not leak.
    if !caller.sees_account(id) {
        return Err(ApiError::not_found(format!("account {id} not found")));
    }
    state.account(id).await.map(Json)
}

/// Filters of the posts list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PostParams {
    /// Only this account's posts (`/api/v1/accounts` id).
    #[param(value_type = Option<i64>, minimum = 1)]
    pub account_id: Option<String>,
    /// Only this platform's posts: `x`, `facebook`, `instagram`, `whatsapp`, `tiktok`
    /// (any letter case).
    #[param(example = "instagram")]
    pub platform: Option<String>,
    /// Posts published on or after this UTC day, `YYYY-MM-DD` (inclusive).
    #[param(value_type = Option<String>, format = Date, example = "2025-05-01")]
    pub start_date: Option<String>,
    /// Posts published on or before this UTC day, `YYYY-MM-DD` (inclusive). Metrics are
    /// the latest collected before the day after it.
    #[param(value_type = Option<String>, format = Date, example = "2025-05-31")]
    pub end_date: Option<String>,
    /// Items per page, 1–1000; default 100.
    #[param(value_type = Option<i64>, minimum = 1, maximum = 1000, example = 100)]
    pub limit: Option<String>,
    /// `next_cursor` of the previous page (opaque); absent for the first page.
    pub cursor: Option<String>,
}

/// Lists posts, newest first, each with its latest lifetime metrics (views, likes,
/// comments, shares, saves, interactions, engagement rate).
#[utoipa::path(
    get,
    path = "/api/v1/posts",
    tag = "posts",
    params(PostParams),
    responses(
        (status = 200, description = "A page of posts", body = PostPage),
        (status = 400, description = "A bad date, platform, account id, `limit` or `cursor`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No account has this `account_id`", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "The server failed (see its log)", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_posts(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    ApiQuery(q): ApiQuery<PostParams>,
) -> Result<Json<PostPage>, ApiError> {
    let limit = paging::limit(params::integer("limit", q.limit.as_deref())?, DEFAULT_LIMIT, MAX_LIMIT)?;
    let filter = state
        .filter(
            &caller,
            q.account_id.as_deref(),
            q.platform.as_deref(),
            q.start_date.as_deref(),
            q.end_date.as_deref(),
        )
        .await?;
    // Newest first, posts without a publication time last, then by id descending; the
    // cursor carries that key (publication time as negated microseconds, `i64::MAX` for
    // none; the negated id). Paged in the database.
    let bad = || ApiError::invalid("cursor is not a cursor of this list: pass next_cursor as given".to_string());
    let after = paging::after::<(i64, i64)>("posts", q.cursor.as_deref())?
        .map(|(published, id)| {
            let published_at = match published {
                i64::MAX => None,
                micros => Some(
                    micros
                        .checked_neg()
                        .and_then(chrono::DateTime::from_timestamp_micros)
                        .ok_or_else(bad)?,
                ),
            };
            Ok::<_, ApiError>(views::PostCursor {
                published_at,
                id: id.checked_neg().ok_or_else(bad)?,
            })
        })
        .transpose()?;
    let mut items: Vec<Post> = views::posts_page(state.workspace(), &filter, after, limit + 1)
        .await?
        .into_iter()
        .map(Post::from)
        .collect();
    let key = |p: &Post| (p.published_at.map_or(i64::MAX, |t| -t.timestamp_micros()), -p.id.get());
    let next_cursor = if items.len() > limit {
        items.truncate(limit);
        items.last().map(|last| paging::next_cursor("posts", &key(last)))
    } else {
        None
    };
    Ok(Json(PostPage { items, next_cursor }))
}

/// Days and paging of a post's metric snapshots.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PostMetricParams {
    /// Snapshots collected on or after this UTC day, `YYYY-MM-DD` (inclusive).
    #[param(value_type = Option<String>, format = Date, example = "2025-05-01")]
    pub start_date: Option<String>,
    /// Snapshots collected on or before this UTC day, `YYYY-MM-DD` (inclusive).
    #[param(value_type = Option<String>, format = Date, example = "2025-05-31")]
    pub end_date: Option<String>,
    /// Items per page, 1–1000; default 100.
    #[param(value_type = Option<i64>, minimum = 1, maximum = 1000, example = 100)]
    pub limit: Option<String>,
    /// `next_cursor` of the previous page (opaque); absent for the first page.
    pub cursor: Option<String>,
}

/// A post's metric history: every stored snapshot of its lifetime totals (likes,
/// comments, views, ...), by metric then time. Gains over a period are the difference of
/// two snapshots.
#[utoipa::path(
    get,
    path = "/api/v1/posts/{id}/metrics",
    tag = "posts",
    params(("id" = i64, Path, description = "The post id (`id` in `/api/v1/posts`)", minimum = 1), PostMetricParams),
    responses(
        (status = 200, description = "A page of the post's snapshots", body = PostMetricPage),
        (status = 400, description = "A bad id, date, `limit` or `cursor`, or `end_date` before `start_date`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No post has this id", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "The server failed (see its log)", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn post_metrics(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<PostMetricParams>,
) -> Result<Json<PostMetricPage>, ApiError> {
    let id = params::id("id", Some(&id))?.unwrap_or_default();
    if caller.shares.is_some() {
        // A client: only posts of the accounts shared with them; any other is "not found".
        let filter = state.filter(&caller, None, None, None, None).await?;
        let visible = views::posts(state.workspace(), &filter).await?;
        if !visible.iter().any(|p| p.id == PostId(id)) {
            return Err(ApiError::not_found(format!("post {id} not found")));
        }
    }
    let start_date = params::date("start_date", q.start_date.as_deref())?;
    let end_date = params::date("end_date", q.end_date.as_deref())?;
    params::day_range(start_date, end_date)?;
    let limit = paging::limit(params::integer("limit", q.limit.as_deref())?, DEFAULT_LIMIT, MAX_LIMIT)?;
    let values: Vec<PostMetricValue> = views::post_metric_history(state.workspace(), PostId(id), start_date, end_date)
        .await?
        .into_iter()
        .map(PostMetricValue::from)
        .collect();
    let key = |m: &PostMetricValue| (m.metric_type.clone(), m.collected_at.timestamp_micros());
    let (items, next_cursor) = paging::page("post-metrics", values, key, q.cursor.as_deref(), limit)?;
    Ok(Json(PostMetricPage { items, next_cursor }))
}

/// Lists the collection runs, newest first (the newest 1000).
#[utoipa::path(
    get,
    path = "/api/v1/runs",
    tag = "runs",
    params(PageParams),
    responses(
        (status = 200, description = "A page of runs", body = RunPage),
        (status = 400, description = "A bad `limit` or `cursor`", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "The server failed (see its log)", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_runs(
    State(state): State<ApiState>,
    ApiQuery(page): ApiQuery<PageParams>,
) -> Result<Json<RunPage>, ApiError> {
    let limit = page.limit()?;
    let runs: Vec<Run> = views::runs(state.workspace(), RUNS_KEPT)
        .await?
        .into_iter()
        .map(Run::from)
        .collect();
    let (items, next_cursor) = paging::page("runs", runs, |r| -r.id.get(), page.cursor.as_deref(), limit)?;
    Ok(Json(RunPage { items, next_cursor }))
}

/// One collection run by id.
#[utoipa::path(
    get,
    path = "/api/v1/runs/{id}",
    tag = "runs",
    params(("id" = i64, Path, description = "The run id", minimum = 1)),
    responses(
        (status = 200, description = "The run", body = Run),
        (status = 400, description = "The id is not a positive integer", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No run has this id", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "The server failed (see its log)", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_run(State(state): State<ApiState>, Path(id): Path<String>) -> Result<Json<Run>, ApiError> {
    let id = params::id("id", Some(&id))?.unwrap_or_default();
    Ok(Json(Run::from(views::run(state.workspace(), RunId(id)).await?)))
}

/// The events of one collection run, in the order they happened: progress, data gaps
/// (a metric a platform no longer serves), warnings and errors per account.
#[utoipa::path(
    get,
    path = "/api/v1/runs/{id}/events",
    tag = "runs",
    params(("id" = i64, Path, description = "The run id", minimum = 1), PageParams),
    responses(
        (status = 200, description = "A page of the run's events", body = RunEventPage),
        (status = 400, description = "A bad id, `limit` or `cursor`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No run has this id", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "The server failed (see its log)", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn run_events(
    State(state): State<ApiState>,
    Path(id): Path<String>,
    ApiQuery(page): ApiQuery<PageParams>,
) -> Result<Json<RunEventPage>, ApiError> {
    let id = params::id("id", Some(&id))?.unwrap_or_default();
    let limit = page.limit()?;
    let events: Vec<RunEvent> = views::run_events(state.workspace(), RunId(id))
        .await?
        .into_iter()
        .map(RunEvent::from)
        .collect();
    let (items, next_cursor) = paging::page("run-events", events, |e| e.id, page.cursor.as_deref(), limit)?;
    Ok(Json(RunEventPage { items, next_cursor }))
}

/// Filters of the dashboard KPIs.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct KpiParams {
    /// Only this account (`/api/v1/accounts` id); all accounts when absent.
    #[param(value_type = Option<i64>, minimum = 1)]
    pub account_id: Option<String>,
    /// Only this platform (any letter case); all when absent.
    #[param(example = "instagram")]
    pub platform: Option<String>,
    /// First UTC day of the period, `YYYY-MM-DD` (inclusive); default: 30 days before its
    /// end.
    #[param(value_type = Option<String>, format = Date, example = "2025-05-01")]
    pub start_date: Option<String>,
    /// Last UTC day of the period, `YYYY-MM-DD` (inclusive); default: up to now.
    #[param(value_type = Option<String>, format = Date, example = "2025-05-31")]
    pub end_date: Option<String>,
}

/// The dashboard's KPI tiles over a period, each compared with the period of the same
/// length just before: followers, interactions, views, engagement rate, posts.
#[utoipa::path(
    get,
    path = "/api/v1/dashboard/kpis",
    tag = "dashboard",
    params(KpiParams),
    responses(
        (status = 200, description = "The KPIs of the period", body = Kpis),
        (status = 400, description = "A bad date, platform or account id, or an empty period", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No account has this `account_id`", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "The server failed (see its log)", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn dashboard_kpis(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    ApiQuery(q): ApiQuery<KpiParams>,
) -> Result<Json<Kpis>, ApiError> {
    let filter = state
        .filter(
            &caller,
            q.account_id.as_deref(),
            q.platform.as_deref(),
            q.start_date.as_deref(),
            q.end_date.as_deref(),
        )
        .await?;
    // Concurrent requests for the same tiles (a team opening the dashboard) share one
    // computation; the key is the filter already cut to the caller's accounts.
    let key = serde_json::to_string(&filter).map_err(|e| {
        tracing::error!(error = %e, "the KPI filter did not serialize");
        ApiError::internal()
    })?;
    let kpis = state
        .flights
        .kpis
        .run(key, || async {
            let (period, kpis) = views::dashboard_kpis(state.workspace(), &filter, Utc::now()).await?;
            Ok(Arc::new(Kpis {
                period: period.into(),
                kpis: kpis.into_iter().map(Into::into).collect(),
            }))
        })
        .await?;
    Ok(Json(Kpis::clone(&kpis)))
}

/// The parameters of `/api/v1/metrics`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MetricsParams {
    /// The account id (`id` in `/api/v1/accounts`). Required.
    #[param(value_type = i64, minimum = 1, example = 1)]
    pub user_id: Option<String>,
    /// The account's platform, matched in any letter case (`Instagram`, `instagram`);
    /// an account on another platform answers 404. Optional.
    #[param(example = "Instagram")]
    pub platform: Option<String>,
    /// First UTC day, `YYYY-MM-DD`, inclusive, on `period_start`; default: the first value.
    #[param(value_type = Option<String>, format = Date, example = "2025-05-01")]
    pub start_date: Option<String>,
    /// Last UTC day, `YYYY-MM-DD`, inclusive (values whose `period_start` falls on that
    /// day are in); default: the last value.
    #[param(value_type = Option<String>, format = Date, example = "2025-05-06")]
    pub end_date: Option<String>,
    /// Values per answer, 1–10000; default 10000.
    #[param(value_type = Option<i64>, minimum = 1, maximum = 10000)]
    pub limit: Option<String>,
    /// `next_cursor` of the previous answer (opaque); absent for the first.
    pub cursor: Option<String>,
}

/// An account's stored metric values over whole UTC days, in the brief's shape:
/// `{"metrics": [{"metric_type", "value", "collected_at", "period_start", "period_end"}]}`.
/// Made for BI tools (Power BI, Tableau, Excel's "From Web").
#[utoipa::path(
    get,
    path = "/api/v1/metrics",
    tag = "metrics",
    params(MetricsParams),
    responses(
        (status = 200, description = "The account's metric values whose `period_start` falls in the days asked", body = Metrics),
        (status = 400, description = "`user_id` missing or not an id; a date not `YYYY-MM-DD`; `end_date` before `start_date`; an unknown platform; a bad `limit` or `cursor`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No account has this `user_id`, or it is on another platform", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "The server failed (see its log)", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn metrics(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    ApiQuery(q): ApiQuery<MetricsParams>,
) -> Result<Json<Metrics>, ApiError> {
    let account_id = params::id("user_id", q.user_id.as_deref())?
        .ok_or_else(|| ApiError::invalid("user_id is required: the account id, as /api/v1/accounts lists it"))?;
    if !caller.sees_account(account_id) {
        return Err(ApiError::not_found(format!("account {account_id} not found")));
    }
    let platform = params::platform(q.platform.as_deref())?;
    let start_date = params::date("start_date", q.start_date.as_deref())?;
    let end_date = params::date("end_date", q.end_date.as_deref())?;
    params::day_range(start_date, end_date)?;
    let limit = paging::limit(
        params::integer("limit", q.limit.as_deref())?,
        METRICS_MAX_LIMIT,
        METRICS_MAX_LIMIT,
    )?;
    let query = MetricsQuery {
        account_id: AccountId(account_id),
        platform,
        start_date,
        end_date,
    };
    let values = views::account_metrics(state.workspace(), &query).await?;
    let key = |m: &views::MetricValueView| {
        (
            m.metric_type.clone(),
            m.period_start.timestamp_micros(),
            m.period_end.timestamp_micros(),
            m.collected_at.timestamp_micros(),
            serde_json::to_string(&m.period).unwrap_or_default(),
        )
    };
    let (values, next_cursor) = paging::page("metrics", values, key, q.cursor.as_deref(), limit)?;
    Ok(Json(Metrics {
        metrics: values.into_iter().map(Into::into).collect(),
        next_cursor,
    }))
}

impl ApiState {
    /// The accounts screen's list (token health at now).
    ///
    /// Concurrent calls share one read (the list is the same for every caller).
    pub(crate) async fn accounts(&self) -> Result<Vec<Account>, ApiError> {
        let accounts = self
            .flights
            .accounts
            .run((), || async {
                let vault = self.vault.as_ref().map(|v| v as &dyn alcance_app::vault::TokenVault);
                Ok(Arc::new(
                    views::accounts(self.workspace(), vault, Utc::now())
                        .await?
                        .into_iter()
                        .map(Account::from)
                        .collect(),
                ))
            })
            .await?;
        Ok(Vec::clone(&accounts))
    }

    /// The account `id` as [`ApiState::accounts`] lists it.
    ///
    /// Errors: 404 when no account has this id.
    pub(crate) async fn account(&self, id: i64) -> Result<Account, ApiError> {
        self.accounts()
            .await?
            .into_iter()
            .find(|a| a.id == id)
            .ok_or_else(|| ApiError::not_found(format!("account {id} not found")))
    }

    /// The view filter of the common query parameters (an account that must exist, a
    /// platform, inclusive UTC days), cut to what `caller` may see: a client's accounts
    /// only (an account not shared with them is "not found", as one that does not exist).
    pub(crate) async fn filter(
        &self,
        caller: &Caller,
        account_id: Option<&str>,
        platform: Option<&str>,
        start_date: Option<&str>,
        end_date: Option<&str>,
    ) -> Result<ViewFilter, ApiError> {
        let account_id = params::id("account_id", account_id)?;
        let platform = params::platform(platform)?;
        let (since, until) = params::day_range(
            params::date("start_date", start_date)?,
            params::date("end_date", end_date)?,
        )?;
        if let Some(id) = account_id {
            let known = self
                .workspace()
                .store()
                .list_accounts()
                .await
                .map_err(alcance_app::AppError::from)?;
            if !known.iter().any(|a| a.id == id) || !caller.sees_account(id) {
                return Err(ApiError::not_found(format!("account {id} not found")));
            }
        }
        let account_ids = match (account_id, &caller.shares) {
            (Some(id), _) => vec![AccountId(id)],
            (None, None) => Vec::new(),
            // No ids means every account: a client with none shared gets an id no account
            // has (ids start at 1), so nothing.
            (None, Some(shares)) if shares.accounts.is_empty() => vec![AccountId(0)],
            (None, Some(shares)) => shares.accounts.iter().copied().map(AccountId).collect(),
        };
        Ok(ViewFilter {
            platforms: platform.into_iter().collect(),
            account_ids,
            since,
            until,
            time_zone: None,
        })
    }
}
