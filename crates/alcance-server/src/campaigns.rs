//! `/api/v1/campaigns`: influencer and brand campaigns — list and read (a client only the
//! campaigns shared with them), create, change, archive and delete, members and posts,
//! costs and conversions entered or imported (managers), the campaign's posts, its daily
//! trend, and the campaign report as JSON, XLSX or HTML.

use crate::auth::Caller;
use crate::paging;
use crate::params::{self, ApiQuery};
use crate::problem::{ApiError, Problem};
use crate::routes::PageParams;
use crate::ApiState;
use alcance_app::campaigns::{self, CampaignDetail, CampaignTrend, PostRule, TrendLabels};
use alcance_app::format::Tz;
use alcance_app::store::{
    CampaignRole, CampaignRow, ConversionRow, CostRow, ImportReport, NewCampaign, NewConversion, NewCost,
};
use alcance_app::views::PostView;
use alcance_app::{reports, AccountId, CampaignId, PostId};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use chrono::Utc;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// A page of campaigns.
#[derive(Debug, Serialize, ToSchema)]
pub struct CampaignPage {
    /// Campaigns by id ascending.
    pub items: Vec<CampaignRow>,
    /// Pass as `cursor` for the next page; `null` on the last one.
    pub next_cursor: Option<String>,
}

/// An account's part in a campaign.
#[derive(Debug, Deserialize, ToSchema)]
pub struct MemberBody {
    /// `brand` (the advertiser's own account) or `influencer`.
    pub role: CampaignRole,
}

/// The format of a report file.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportParams {
    /// `json` (default), `xlsx` (an Excel workbook with native charts), `html` (one
    /// printable page) or `pdf` (A4).
    #[param(example = "pdf")]
    pub format: Option<String>,
    /// The PDF's language: `en` (default) or `pt-BR`.
    #[param(example = "pt-BR")]
    pub lang: Option<String>,
    /// IANA time zone the file says its times in (when it was made, when posts were
    /// published); default UTC. Days stay UTC days.
    #[param(example = "America/Sao_Paulo")]
    pub time_zone: Option<String>,
}

impl ReportParams {
    /// The chosen format (`json` when none) and PDF language, or a 400 naming the bad one.
    pub fn parse(&self) -> Result<(reports::ReportFormat, reports::PdfLanguage), ApiError> {
        let format = match self.format.as_deref().map(str::trim) {
            None | Some("") => reports::ReportFormat::Json,
            Some(f) => f.parse().map_err(ApiError::invalid)?,
        };
        let lang = match self.lang.as_deref().map(str::trim) {
            None | Some("") => reports::PdfLanguage::En,
            Some(l) => l.parse().map_err(ApiError::invalid)?,
        };
        Ok((format, lang))
    }

    /// The chosen time zone (`None` when absent or empty), or a 400 naming the bad one.
    pub fn zone(&self) -> Result<Option<Tz>, ApiError> {
        alcance_app::zone::parse_optional(self.time_zone.as_deref()).map_err(|e| ApiError::invalid(e.to_string()))
    }
}

/// A report file as a download: its MIME type and `attachment; filename="…"`.
pub fn attachment(bytes: Vec<u8>, format: reports::ReportFormat, filename: &str) -> Response {
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(format.mime()));
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{filename}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    response
}

/// The campaign `id` of a path, when the caller may see it; a client asking for a campaign
/// not shared with them hears "not found", as for one that does not exist.
fn campaign_id(caller: &Caller, id: &str) -> Result<CampaignId, ApiError> {
    let id = params::id("id", Some(id))?.unwrap_or_default();
    if !caller.sees_campaign(id) {
        return Err(ApiError::not_found(format!("campaign {id} not found")));
    }
    Ok(CampaignId::from(id))
}

fn json_body<T>(body: Result<Json<T>, axum::extract::rejection::JsonRejection>, shape: &str) -> Result<T, ApiError> {
    body.map(|Json(b)| b)
        .map_err(|e| ApiError::invalid(format!("the body must be JSON {shape}: {e}")))
}

const CAMPAIGN_SHAPE: &str =
    "{\"name\", \"starts_on\": \"YYYY-MM-DD\", \"ends_on\", \"budget\", \"currency\", \"goal\", \"notes\"}";

/// Lists the campaigns by id (a client: those shared with them).
#[utoipa::path(
    get,
    path = "/api/v1/campaigns",
    tag = "campaigns",
    params(PageParams),
    responses(
        (status = 200, description = "A page of campaigns", body = CampaignPage),
        (status = 400, description = "A bad `limit` or `cursor`", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_campaigns(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    ApiQuery(page): ApiQuery<PageParams>,
) -> Result<Json<CampaignPage>, ApiError> {
    let limit = page.limit()?;
    let mut all = campaigns::campaigns(state.workspace()).await?;
    all.retain(|c| caller.sees_campaign(c.id));
    let (items, next_cursor) = paging::page("campaigns", all, |c| c.id, page.cursor.as_deref(), limit)?;
    Ok(Json(CampaignPage { items, next_cursor }))
}

/// Creates a campaign: a unique name (case-insensitive), its first day, optional last
/// day, budget (in `currency`, ISO 4217, default the workspace's) and goal.
#[utoipa::path(
    post,
    path = "/api/v1/campaigns",
    tag = "campaigns",
    request_body = NewCampaign,
    responses(
        (status = 201, description = "The campaign as stored", body = CampaignRow),
        (status = 400, description = "A bad or already used name, a bad currency, a negative budget, or an end before the start", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn create_campaign(
    State(state): State<ApiState>,
    body: Result<Json<NewCampaign>, axum::extract::rejection::JsonRejection>,
) -> Result<(StatusCode, Json<CampaignRow>), ApiError> {
    let body = json_body(body, CAMPAIGN_SHAPE)?;
    let row = reports::create_campaign(state.workspace(), &body).await?;
    Ok((StatusCode::CREATED, Json(row)))
}

/// One campaign with its brand and influencer accounts, the ids of its posts, its costs
/// and conversions.
#[utoipa::path(
    get,
    path = "/api/v1/campaigns/{id}",
    tag = "campaigns",
    params(("id" = i64, Path, description = "The campaign id", minimum = 1)),
    responses(
        (status = 200, description = "The campaign", body = CampaignDetail),
        (status = 400, description = "The id is not a positive integer", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No campaign has this id (or it is not shared with the client)", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_campaign(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Json<CampaignDetail>, ApiError> {
    let id = campaign_id(&caller, &id)?;
    Ok(Json(campaigns::campaign_detail(state.workspace(), id).await?))
}

/// Replaces every field of a campaign (its costs and conversions keep their currencies).
#[utoipa::path(
    put,
    path = "/api/v1/campaigns/{id}",
    tag = "campaigns",
    params(("id" = i64, Path, description = "The campaign id", minimum = 1)),
    request_body = NewCampaign,
    responses(
        (status = 200, description = "The campaign as stored", body = CampaignRow),
        (status = 400, description = "A bad id, a bad or already used name, currency, budget or date range", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No campaign has this id", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn update_campaign(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    body: Result<Json<NewCampaign>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<CampaignRow>, ApiError> {
    let id = campaign_id(&caller, &id)?;
    let body = json_body(body, CAMPAIGN_SHAPE)?;
    Ok(Json(campaigns::update_campaign(state.workspace(), id, &body).await?))
}

/// Deletes a campaign with its member and post links, costs and conversions; the accounts,
/// posts and metrics stay.
#[utoipa::path(
    delete,
    path = "/api/v1/campaigns/{id}",
    tag = "campaigns",
    params(("id" = i64, Path, description = "The campaign id", minimum = 1)),
    responses(
        (status = 204, description = "Deleted"),
        (status = 400, description = "The id is not a positive integer", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No campaign has this id", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn delete_campaign(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let id = campaign_id(&caller, &id)?;
    campaigns::delete_campaign(state.workspace(), id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The campaign and the second id of a member or post path.
fn pair(caller: &Caller, id: &str, name: &str, other: &str) -> Result<(CampaignId, i64), ApiError> {
    let campaign = campaign_id(caller, id)?;
    let other = params::id(name, Some(other))?.unwrap_or_default();
    Ok((campaign, other))
}

/// Adds an account to a campaign as a brand or an influencer, or changes its role.
#[utoipa::path(
    put,
    path = "/api/v1/campaigns/{id}/accounts/{account_id}",
    tag = "campaigns",
    params(
        ("id" = i64, Path, description = "The campaign id", minimum = 1),
        ("account_id" = i64, Path, description = "The account id (`/api/v1/accounts`)", minimum = 1),
    ),
    request_body = MemberBody,
    responses(
        (status = 204, description = "The account takes part with this role"),
        (status = 400, description = "A bad id or role", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such campaign or account", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn set_member(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    Path((id, account)): Path<(String, String)>,
    body: Result<Json<MemberBody>, axum::extract::rejection::JsonRejection>,
) -> Result<StatusCode, ApiError> {
    let (campaign, account) = pair(&caller, &id, "account_id", &account)?;
    let body = json_body(body, "{\"role\": \"brand|influencer\"}")?;
    campaigns::set_campaign_account(state.workspace(), campaign, AccountId::from(account), body.role).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Takes an account out of a campaign; its costs and conversions stay, unattributed.
#[utoipa::path(
    delete,
    path = "/api/v1/campaigns/{id}/accounts/{account_id}",
    tag = "campaigns",
    params(
        ("id" = i64, Path, description = "The campaign id", minimum = 1),
        ("account_id" = i64, Path, description = "The account id", minimum = 1),
    ),
    responses(
        (status = 204, description = "Taken out"),
        (status = 400, description = "A bad id", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such campaign, or the account is not in it", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn remove_member(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    Path((id, account)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let (campaign, account) = pair(&caller, &id, "account_id", &account)?;
    if campaigns::remove_campaign_account(state.workspace(), campaign, AccountId::from(account)).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found(format!(
            "account {account} is not in campaign {campaign}"
        )))
    }
}

/// Counts a post in a campaign (a post may count in several).
#[utoipa::path(
    put,
    path = "/api/v1/campaigns/{id}/posts/{post_id}",
    tag = "campaigns",
    params(
        ("id" = i64, Path, description = "The campaign id", minimum = 1),
        ("post_id" = i64, Path, description = "The post id (`/api/v1/posts`)", minimum = 1),
    ),
    responses(
        (status = 204, description = "The post counts in the campaign"),
        (status = 400, description = "A bad id", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such campaign or post", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn add_post(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    Path((id, post)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let (campaign, post) = pair(&caller, &id, "post_id", &post)?;
    campaigns::add_campaign_post(state.workspace(), campaign, PostId::from(post)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Takes a post out of a campaign.
#[utoipa::path(
    delete,
    path = "/api/v1/campaigns/{id}/posts/{post_id}",
    tag = "campaigns",
    params(
        ("id" = i64, Path, description = "The campaign id", minimum = 1),
        ("post_id" = i64, Path, description = "The post id", minimum = 1),
    ),
    responses(
        (status = 204, description = "Taken out"),
        (status = 400, description = "A bad id", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such campaign, or the post is not in it", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn remove_post(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    Path((id, post)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let (campaign, post) = pair(&caller, &id, "post_id", &post)?;
    if campaigns::remove_campaign_post(state.workspace(), campaign, PostId::from(post)).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found(format!(
            "post {post} is not in campaign {campaign}"
        )))
    }
}

/// Imports cost lines from a CSV body (`date,amount[,currency][,account][,note]`, a header
/// line, amounts like `1234.50`): good lines are stored, bad ones listed with their line
/// number and reason.
#[utoipa::path(
    post,
    path = "/api/v1/campaigns/{id}/costs",
    tag = "campaigns",
    params(("id" = i64, Path, description = "The campaign id", minimum = 1)),
    request_body(content = String, content_type = "text/csv", description = "The costs CSV, UTF-8, at most 1 MiB"),
    responses(
        (status = 200, description = "What was imported and what was refused", body = ImportReport),
        (status = 400, description = "A bad id, or a body that is not CSV", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No campaign has this id", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn import_costs(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<ImportReport>, ApiError> {
    let id = campaign_id(&caller, &id)?;
    Ok(Json(campaigns::import_costs_csv(state.workspace(), id, &body).await?))
}

/// Records one cost as entered in a form (influencer fee, boost, production).
#[utoipa::path(
    post,
    path = "/api/v1/campaigns/{id}/costs/entries",
    tag = "campaigns",
    params(("id" = i64, Path, description = "The campaign id", minimum = 1)),
    request_body = NewCost,
    responses(
        (status = 201, description = "The cost as stored", body = CostRow),
        (status = 400, description = "A bad id, amount, currency or day, or an account not in the campaign", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No campaign has this id", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn add_cost(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    body: Result<Json<NewCost>, axum::extract::rejection::JsonRejection>,
) -> Result<(StatusCode, Json<CostRow>), ApiError> {
    let id = campaign_id(&caller, &id)?;
    let cost = json_body(body, COST_SHAPE)?;
    Ok((
        StatusCode::CREATED,
        Json(campaigns::add_cost(state.workspace(), id, &cost).await?),
    ))
}

const COST_SHAPE: &str = "{\"spent_on\": \"YYYY-MM-DD\", \"amount\", \"currency\", \"note\", \"account_id\"}";
const CONVERSION_SHAPE: &str =
    "{\"converted_on\": \"YYYY-MM-DD\", \"count\", \"revenue\", \"currency\", \"source\", \"account_id\", ...}";

/// Imports conversion lines from a CSV body
/// (`date[,count][,revenue][,currency][,source][,utm_campaign][,utm_source][,utm_medium]`);
/// as the costs import.
#[utoipa::path(
    post,
    path = "/api/v1/campaigns/{id}/conversions",
    tag = "campaigns",
    params(("id" = i64, Path, description = "The campaign id", minimum = 1)),
    request_body(content = String, content_type = "text/csv", description = "The conversions CSV, UTF-8, at most 1 MiB"),
    responses(
        (status = 200, description = "What was imported and what was refused", body = ImportReport),
        (status = 400, description = "A bad id, or a body that is not CSV", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No campaign has this id", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn import_conversions(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<ImportReport>, ApiError> {
    let id = campaign_id(&caller, &id)?;
    Ok(Json(
        campaigns::import_conversions_csv(state.workspace(), id, &body).await?,
    ))
}

/// Records one conversion line as entered in a form: a count and its revenue on a day.
#[utoipa::path(
    post,
    path = "/api/v1/campaigns/{id}/conversions/entries",
    tag = "campaigns",
    params(("id" = i64, Path, description = "The campaign id", minimum = 1)),
    request_body = NewConversion,
    responses(
        (status = 201, description = "The conversion line as stored", body = ConversionRow),
        (status = 400, description = "A bad id, revenue, currency or day, or an account not in the campaign", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No campaign has this id", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn add_conversion(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    body: Result<Json<NewConversion>, axum::extract::rejection::JsonRejection>,
) -> Result<(StatusCode, Json<ConversionRow>), ApiError> {
    let id = campaign_id(&caller, &id)?;
    let conversion = json_body(body, CONVERSION_SHAPE)?;
    Ok((
        StatusCode::CREATED,
        Json(campaigns::add_conversion(state.workspace(), id, &conversion).await?),
    ))
}

/// Archives a campaign: it keeps its members, posts, costs, conversions and report; the
/// UI lists it under "Show archived". Archiving it again keeps the first time.
#[utoipa::path(
    put,
    path = "/api/v1/campaigns/{id}/archive",
    tag = "campaigns",
    params(("id" = i64, Path, description = "The campaign id", minimum = 1)),
    responses(
        (status = 200, description = "The campaign as stored, `archived_at` set (UTC)", body = CampaignRow),
        (status = 400, description = "The id is not a positive integer", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No campaign has this id", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn archive(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Json<CampaignRow>, ApiError> {
    let id = campaign_id(&caller, &id)?;
    Ok(Json(
        campaigns::archive_campaign(state.workspace(), id, Utc::now()).await?,
    ))
}

/// Takes a campaign out of the archive.
#[utoipa::path(
    delete,
    path = "/api/v1/campaigns/{id}/archive",
    tag = "campaigns",
    params(("id" = i64, Path, description = "The campaign id", minimum = 1)),
    responses(
        (status = 200, description = "The campaign as stored, `archived_at` null", body = CampaignRow),
        (status = 400, description = "The id is not a positive integer", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No campaign has this id", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn unarchive(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Json<CampaignRow>, ApiError> {
    let id = campaign_id(&caller, &id)?;
    Ok(Json(campaigns::unarchive_campaign(state.workspace(), id).await?))
}

/// The campaign's posts with their latest lifetime metrics, most interactions first (the
/// top posts first).
#[utoipa::path(
    get,
    path = "/api/v1/campaigns/{id}/posts",
    tag = "campaigns",
    params(("id" = i64, Path, description = "The campaign id", minimum = 1)),
    responses(
        (status = 200, description = "The campaign's posts", body = [PostView]),
        (status = 400, description = "The id is not a positive integer", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No campaign has this id (or it is not shared with the client)", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_posts(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Json<Vec<PostView>>, ApiError> {
    let id = campaign_id(&caller, &id)?;
    Ok(Json(campaigns::campaign_posts(state.workspace(), id).await?))
}

/// The posts a rule picks (an influencer's posts in a date range whose caption carries a
/// hashtag, a mention or a link), most interactions first, whether or not they are in the
/// campaign already: a preview, nothing is added (`PUT …/posts/{post_id}` adds them).
#[utoipa::path(
    post,
    path = "/api/v1/campaigns/{id}/rule-preview",
    tag = "campaigns",
    params(("id" = i64, Path, description = "The campaign id", minimum = 1)),
    request_body = PostRule,
    responses(
        (status = 200, description = "The posts the rule picks", body = [PostView]),
        (status = 400, description = "A bad id, a blank or too long term, a range ending before it starts, no influencer", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No campaign has this id", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn rule_preview(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    body: Result<Json<PostRule>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<Vec<PostView>>, ApiError> {
    let id = campaign_id(&caller, &id)?;
    let rule = json_body(body, "{\"account_ids\": [], \"since\", \"until\", \"term\": \"#tag\"}")?;
    Ok(Json(campaigns::preview_post_rule(state.workspace(), id, &rule).await?))
}

/// The words of the trend chart; each defaults to English.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TrendParams {
    /// Chart title ("Reach and interactions per day").
    pub title: Option<String>,
    /// Y axis ("Per day").
    pub y_label: Option<String>,
    /// Legend of the reach line ("Reach").
    pub reach: Option<String>,
    /// Legend of the interactions line ("Interactions").
    pub interactions: Option<String>,
    /// X axis ("Date (UTC)").
    pub date_axis: Option<String>,
    /// Text of an empty chart ("No data yet").
    pub no_data: Option<String>,
}

/// Reach and interactions the campaign's posts gained per UTC day, with the chart as SVG.
#[utoipa::path(
    get,
    path = "/api/v1/campaigns/{id}/trend",
    tag = "campaigns",
    params(("id" = i64, Path, description = "The campaign id", minimum = 1), TrendParams),
    responses(
        (status = 200, description = "The days (oldest first) and the chart", body = CampaignTrend),
        (status = 400, description = "The id is not a positive integer", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No campaign has this id (or it is not shared with the client)", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn trend(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<TrendParams>,
) -> Result<Json<CampaignTrend>, ApiError> {
    let id = campaign_id(&caller, &id)?;
    let english = TrendLabels::default();
    let labels = TrendLabels {
        title: query.title.unwrap_or(english.title),
        y_label: query.y_label.unwrap_or(english.y_label),
        reach: query.reach.unwrap_or(english.reach),
        interactions: query.interactions.unwrap_or(english.interactions),
        date_axis: query.date_axis.unwrap_or(english.date_axis),
        no_data: query.no_data.unwrap_or(english.no_data),
    };
    Ok(Json(campaigns::campaign_trend(state.workspace(), id, &labels).await?))
}

/// The campaign report: reach, impressions, interactions, engagement rate, CTR, CPM, CPE,
/// cost per conversion and ROI per account side by side and for the whole campaign, with
/// its posts, costs and conversions (counts are counts, rates percent 0–100, money in the
/// campaign currency, ROI and `budget_used` ratios). `format=xlsx`, `html` or `pdf` (with
/// `lang=en|pt-BR`) downloads the file; the download is written to the audit log.
#[utoipa::path(
    get,
    path = "/api/v1/campaigns/{id}/report",
    tag = "campaigns",
    params(("id" = i64, Path, description = "The campaign id", minimum = 1), ReportParams),
    responses(
        (status = 200, description = "The report (JSON), or the XLSX / HTML / PDF file as an attachment", body = alcance_app::reports::CampaignReport),
        (status = 400, description = "A bad id or format", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No campaign has this id (or it is not shared with the client)", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn campaign_report(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<ReportParams>,
) -> Result<Response, ApiError> {
    let id = campaign_id(&caller, &id)?;
    let ws = state.workspace();
    let (format, lang) = query.parse()?;
    let zone = query.zone()?.unwrap_or(Tz::UTC);
    if format == reports::ReportFormat::Json {
        let report = reports::campaign_report(ws, id, Utc::now()).await?.in_time_zone(zone);
        return Ok(Json(report).into_response());
    }
    let (_, bytes) = reports::campaign_file(ws, id, Utc::now(), zone, format, lang).await?;
    alcance_app::people::audit(
        ws,
        Some(caller.email()),
        "export",
        Some(&format!("campaign {id}")),
        alcance_app::people::Outcome::Ok,
        Some(format.key()),
    )
    .await?;
    Ok(attachment(bytes, format, &format!("campaign-{id}.{format}")))
}
