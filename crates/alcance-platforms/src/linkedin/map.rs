//! LinkedIn wire DTOs → `alcance_core` records (through the metric catalog), LinkedIn's
//! error envelope → [`PlatformError`], and Rest.li query values (encoded URNs, `List(…)`,
//! time intervals).

use super::wire::{self, BatchGet, Collection, ErrorEnvelope, FollowerStats, ShareStatsElement};
use super::{Member, Organization, PageInfo, PostsPage};
use crate::catalog_field;
use crate::error::{body_preview, PlatformError};
use crate::http::Answer;
use crate::lenient::kind as json_kind;
use alcance_core::{
    AccountMetric, AudienceSlice, CollectWarning, ContentType, DataGap, EventLevel, Period, Platform, PostMetric,
    PostRecord,
};
use chrono::{DateTime, Utc};
use serde_json::Value;

/// Maps a non-2xx answer (LinkedIn's envelope `{"status","serviceErrorCode","code"?,"message"}`,
/// the Rest.li validation shape with `errorDetails.inputErrors[].code`, or anything else)
/// to the variant the caller acts on, naming the endpoint:
///
/// | answer | error |
/// |---|---|
/// | 401 (65600 invalid, 65601 revoked, 65602 expired token) | [`PlatformError::Unauthorized`]: refresh or reconnect |
/// | 403 (`ACCESS_DENIED`, serviceErrorCode 100: a scope or the partner program missing, or the member not ADMINISTRATOR) | [`PlatformError::Forbidden`] (the collector records a `permission` gap) |
/// | 429 | [`PlatformError::RateLimited`]: `Retry-After` when sent (LinkedIn sends none), else `None`: the governor's default back-off |
/// | 404 | [`PlatformError::NotFound`] |
/// | anything else (400, 422 `DUPLICATE_POST`, 426 a sunset `LinkedIn-Version`, 5xx, HTML) | [`PlatformError::Api`] with `code` = `code`, else the first input error's `code`, else `serviceErrorCode` |
pub fn map_error(answer: &Answer) -> PlatformError {
    let endpoint = answer.endpoint.as_str();
    let envelope: ErrorEnvelope = serde_json::from_slice(&answer.body).unwrap_or_default();
    let input = envelope.error_details.as_ref().and_then(|d| d.input_errors.first());
    let code = envelope
        .code
        .clone()
        .or_else(|| input.and_then(|i| i.code.clone()))
        .or_else(|| envelope.service_error_code.map(|c| c.to_string()));
    let message = envelope
        .message
        .clone()
        .or_else(|| input.and_then(|i| i.description.clone()))
        .unwrap_or_else(|| {
            if answer.body.is_empty() {
                "no body".to_string()
            } else {
                body_preview(&answer.body)
            }
        });
    let described = match (&code, envelope.service_error_code) {
        (Some(c), Some(s)) if c != &s.to_string() => {
            format!(
                "{endpoint}: HTTP {} ({c}, serviceErrorCode {s}): {message}",
                answer.status
            )
        }
        (Some(c), _) => format!("{endpoint}: HTTP {} ({c}): {message}", answer.status),
        (None, _) => format!("{endpoint}: HTTP {}: {message}", answer.status),
    };
    match answer.status {
        401 => PlatformError::Unauthorized { message: described },
        403 => PlatformError::Forbidden { message: described },
        429 => PlatformError::RateLimited {
            retry_after: crate::governor::retry_after_of(&answer.headers),
            message: format!("{described}; LinkedIn sends no Retry-After (daily limits reset at midnight UTC)"),
        },
        404 => PlatformError::NotFound { message: described },
        426 => PlatformError::Api {
            endpoint: endpoint.to_string(),
            status: 426,
            code: code.or_else(|| Some("version_sunset".to_string())),
            message: format!(
                "{message} (the LinkedIn-Version {} may be sunset)",
                super::LINKEDIN_VERSION
            ),
        },
        status => PlatformError::Api {
            endpoint: endpoint.to_string(),
            status,
            code,
            message,
        },
    }
}

fn ok(answer: &Answer) -> Result<(), PlatformError> {
    if answer.is_success() {
        Ok(())
    } else {
        Err(map_error(answer))
    }
}

fn warn(endpoint: &str, code: &str, message: String) -> CollectWarning {
    CollectWarning {
        level: EventLevel::Warn,
        code: code.to_string(),
        message: format!("{endpoint}: {message}"),
    }
}

/// Epoch milliseconds (UTC) → time; `None` out of range.
pub(super) fn from_ms(ms: i64) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp_millis(ms)
}

/// Percent-encodes a URN (or any value) for a Rest.li query or key: `urn:li:share:1` →
/// `urn%3Ali%3Ashare%3A1` (`:` `,` `(` `)` and every other reserved character encoded).
pub fn encode_urn(urn: &str) -> String {
    url::form_urlencoded::byte_serialize(urn.as_bytes()).collect()
}

/// The Rest.li 2.0 list of encoded URNs: `List(urn%3Ali%3Ashare%3A1,urn%3Ali%3Ashare%3A2)`
/// (the parentheses and commas stay literal).
pub fn restli_list(urns: &[String]) -> String {
    let items: Vec<String> = urns.iter().map(|u| encode_urn(u)).collect();
    format!("List({})", items.join(","))
}

/// A Rest.li time interval of days: `(timeRange:(start:{ms},end:{ms}),timeGranularityType:DAY)`,
/// epoch milliseconds UTC.
pub fn day_intervals(since: DateTime<Utc>, until: DateTime<Utc>) -> String {
    format!(
        "(timeRange:(start:{},end:{}),timeGranularityType:DAY)",
        since.timestamp_millis(),
        until.timestamp_millis()
    )
}

/// The numeric id of `urn:li:organization:{id}` (or a bare id).
pub fn organization_id(urn: &str) -> Option<String> {
    let id = urn.trim().rsplit(':').next()?.trim();
    (!id.is_empty() && id.chars().all(|c| c.is_ascii_digit())).then(|| id.to_string())
}

/// `urn:li:organization:{id}`.
pub fn organization_urn(id: &str) -> String {
    format!("urn:li:organization:{}", id.trim())
}

/// Decodes OIDC `GET /v2/userinfo`: the member's `sub` (their person id), name and picture.
///
/// Errors: non-2xx → [`map_error`]; a body that is not a JSON object or has no `sub` →
/// [`PlatformError::Decode`].
pub fn decode_userinfo(answer: &Answer) -> Result<Member, PlatformError> {
    ok(answer)?;
    let u: wire::UserInfo = answer.json()?;
    let sub = u.sub.filter(|s| !s.trim().is_empty()).ok_or_else(|| {
        PlatformError::decode(
            &answer.endpoint,
            "no `sub`: not an OpenID userinfo answer",
            &answer.body,
        )
    })?;
    let name = u.name.or_else(|| match (u.given_name, u.family_name) {
        (Some(g), Some(f)) => Some(format!("{g} {f}")),
        (g, f) => g.or(f),
    });
    Ok(Member {
        sub,
        name,
        picture: u.picture,
        locale: u.locale.map(|l| match l {
            Value::String(s) => s,
            other => other.to_string(),
        }),
    })
}

/// The collection envelope of a 2xx answer: its `elements` (an absent or `null` list is
/// empty) and its paging.
///
/// Errors: non-2xx → [`map_error`]; a body that is not an object, or whose `elements` is not
/// an array → [`PlatformError::Decode`].
fn collection(answer: &Answer) -> Result<(Vec<Value>, PageInfo), PlatformError> {
    ok(answer)?;
    let env: Collection = answer.json()?;
    let elements = match env.elements {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items,
        Some(other) => {
            return Err(PlatformError::decode(
                &answer.endpoint,
                format!("`elements` is not an array but {}", json_kind(&other)),
                &answer.body,
            ))
        }
    };
    let paging = env.paging.unwrap_or_default();
    let info = PageInfo {
        start: paging.start,
        count: paging.count,
        total: paging.total,
        elements: elements.len(),
    };
    Ok((elements, info))
}

/// Reads any Rest.li collection answer's paging (`paging.start`, `paging.count`,
/// `paging.total` when served) and how many `elements` it held.
///
/// Errors: as every decoder: non-2xx → [`map_error`], no readable envelope →
/// [`PlatformError::Decode`].
pub fn decode_paging(answer: &Answer) -> Result<PageInfo, PlatformError> {
    collection(answer).map(|(_, info)| info)
}

/// Decodes `GET /rest/organizationAcls?q=roleAssignee…`: the organization URNs of the
/// elements whose `role` is `ADMINISTRATOR` and `state` `APPROVED` (absent fields are
/// taken as asked for), in the order served, without duplicates. Other roles and states are
/// left out; an element without `organization` and an unknown role give a warning.
///
/// Errors: see [`decode_paging`].
pub fn decode_acls(answer: &Answer) -> Result<(Vec<String>, PageInfo, Vec<CollectWarning>), PlatformError> {
    let (elements, info) = collection(answer)?;
    let mut urns: Vec<String> = Vec::new();
    let mut warnings = Vec::new();
    for (i, v) in elements.into_iter().enumerate() {
        let acl: wire::OrganizationAcl = serde_json::from_value(v).unwrap_or_default();
        let role = acl.role.as_deref().unwrap_or("ADMINISTRATOR");
        if !KNOWN_ROLES.contains(&role) {
            warnings.push(warn(
                &answer.endpoint,
                "unknown_value",
                format!("elements[{i}]: unknown role {role:?}; not taken as an administered page"),
            ));
        }
        let approved = acl.state.as_deref().unwrap_or("APPROVED") == "APPROVED";
        match acl.organization.filter(|o| !o.trim().is_empty()) {
            Some(org) if role == "ADMINISTRATOR" && approved => {
                if !urns.contains(&org) {
                    urns.push(org);
                }
            }
            Some(_) => {}
            None => warnings.push(warn(
                &answer.endpoint,
                "decode",
                format!("elements[{i}] has no organization; skipped"),
            )),
        }
    }
    Ok((urns, info, warnings))
}

/// Page roles LinkedIn documents for `organizationAcls`.
const KNOWN_ROLES: &[&str] = &[
    "ADMINISTRATOR",
    "DIRECT_SPONSORED_CONTENT_POSTER",
    "RECRUITING_POSTER",
    "LEAD_GEN_FORMS_MANAGER",
    "ANALYST",
    "CONTENT_ADMINISTRATOR",
    "CURATOR",
];

/// Decodes `GET /rest/organizations/{id}`: id (a number, or a string of digits), localized
/// name and vanity name (the page's URL name).
///
/// Errors: non-2xx → [`map_error`]; no readable `id` → [`PlatformError::Decode`].
pub fn decode_organization(answer: &Answer) -> Result<Organization, PlatformError> {
    ok(answer)?;
    let o: wire::Organization = answer.json()?;
    let id = match o.id {
        Some(Value::Number(n)) => n.as_u64().map(|n| n.to_string()),
        Some(Value::String(s)) => organization_id(&s),
        _ => None,
    }
    .ok_or_else(|| PlatformError::decode(&answer.endpoint, "no numeric `id`: not an organization", &answer.body))?;
    Ok(Organization {
        urn: organization_urn(&id),
        id,
        name: o.localized_name.filter(|n| !n.trim().is_empty()),
        vanity_name: o.vanity_name.filter(|n| !n.trim().is_empty()),
    })
}

/// Decodes `GET /rest/networkSizes/{orgUrn}?edgeType=COMPANY_FOLLOWED_BY_MEMBER` as the
/// `followers` snapshot stamped `at` (UTC): `firstDegreeSize`, a count (`value: None` when
/// absent).
///
/// Errors: non-2xx → [`map_error`]; a body that is not an object → [`PlatformError::Decode`].
pub fn decode_network_size(answer: &Answer, at: DateTime<Utc>) -> Result<Vec<AccountMetric>, PlatformError> {
    ok(answer)?;
    let n: wire::NetworkSize = answer.json()?;
    Ok(catalog_field::snapshot(
        Platform::Linkedin,
        "networkSizes.firstDegreeSize",
        n.first_degree_size,
        at,
    )
    .into_iter()
    .collect())
}

/// The `followerCountsBy…` arrays of lifetime follower statistics, the facet field each
/// entry names its value with, and the audience dimension Alcance stores.
const FOLLOWER_FACETS: &[(&str, &str, &str)] = &[
    ("followerCountsByAssociationType", "associationType", "association"),
    ("followerCountsBySeniority", "seniority", "seniority"),
    ("followerCountsByIndustry", "industry", "industry"),
    ("followerCountsByFunction", "function", "function"),
    (
        "followerCountsByStaffCountRange",
        "staffCountRange",
        "staff_count_range",
    ),
    ("followerCountsByGeoCountry", "geo", "country"),
    ("followerCountsByGeo", "geo", "region"),
];

/// Decodes lifetime `organizationalEntityFollowerStatistics?q=organizationalEntity` (no
/// `timeIntervals`) into follower demographics: one [`AudienceSlice`] (audience
/// `followers`, timeframe `lifetime`) per entry of each `followerCountsBy…` array, keyed by
/// the facet's value (a URN such as `urn:li:seniority:3`, or an enum such as `EMPLOYEE`),
/// value = `followerCounts.organicFollowerCount + paidFollowerCount` (a count). Entries
/// without a facet value or counts are skipped with a warning.
///
/// Errors: see [`decode_paging`].
pub fn decode_follower_demographics(
    answer: &Answer,
) -> Result<(Vec<AudienceSlice>, Vec<CollectWarning>), PlatformError> {
    let (elements, _) = collection(answer)?;
    let mut slices = Vec::new();
    let mut warnings = Vec::new();
    for v in elements {
        let stats: FollowerStats = serde_json::from_value(v).unwrap_or_default();
        for (array, facet, dimension) in FOLLOWER_FACETS {
            let Some(Value::Array(entries)) = stats.rest.get(*array) else {
                continue;
            };
            for (i, e) in entries.iter().enumerate() {
                let key = e.get(*facet).and_then(Value::as_str);
                let counts = e
                    .get("followerCounts")
                    .and_then(|c| serde_json::from_value::<wire::FollowerCounts>(c.clone()).ok());
                let total = counts.and_then(|c| match (c.organic_follower_count, c.paid_follower_count) {
                    (None, None) => None,
                    (o, p) => Some(o.unwrap_or(0.0) + p.unwrap_or(0.0)),
                });
                match (key, total) {
                    (Some(key), Some(value)) => slices.push(AudienceSlice {
                        audience: "followers".to_string(),
                        dimension: (*dimension).to_string(),
                        key: key.to_string(),
                        value,
                        timeframe: "lifetime".to_string(),
                    }),
                    _ => warnings.push(warn(
                        &answer.endpoint,
                        "decode",
                        format!("{array}[{i}] has no {facet} or no followerCounts; skipped"),
                    )),
                }
            }
        }
    }
    Ok((slices, warnings))
}

/// A time-bound element's period: `timeRange.start` … `timeRange.end` (epoch ms, UTC).
fn day_of(range: Option<&wire::TimeRange>) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    let r = range?;
    let start = from_ms(r.start?)?;
    let end = from_ms(r.end?)?;
    (end > start).then_some((start, end))
}

fn row_gap(endpoint: &str, i: usize, why: &str) -> DataGap {
    DataGap {
        what: format!("{endpoint} elements[{i}]"),
        object_id: String::new(),
        code: "decode".to_string(),
        detail: format!("element {i} skipped: {why}"),
    }
}

/// Decodes time-bound `organizationalEntityFollowerStatistics` (`timeIntervals` with
/// `timeGranularityType:DAY`): per element one [`Period::Day`] `followers_gained` =
/// `followerGains.organicFollowerGain + paidFollowerGain` (a count; `None` when neither is
/// served) over `timeRange` (UTC days, epoch ms). An element without a readable time range
/// is skipped with a [`DataGap`] (code `decode`).
///
/// Errors: see [`decode_paging`].
pub fn decode_follower_gains(answer: &Answer) -> Result<(Vec<AccountMetric>, Vec<DataGap>), PlatformError> {
    let (elements, _) = collection(answer)?;
    let mut metrics = Vec::new();
    let mut gaps = Vec::new();
    for (i, v) in elements.into_iter().enumerate() {
        let stats: FollowerStats = serde_json::from_value(v).unwrap_or_default();
        let Some((start, end)) = day_of(stats.time_range.as_ref()) else {
            gaps.push(row_gap(&answer.endpoint, i, "no readable timeRange"));
            continue;
        };
        let raw = stats
            .follower_gains
            .and_then(|g| match (g.organic_follower_gain, g.paid_follower_gain) {
                (None, None) => None,
                (o, p) => Some(o.unwrap_or(0.0) + p.unwrap_or(0.0)),
            });
        if let Some((key, value)) = catalog_field::catalog(
            Platform::Linkedin,
            "followerGains.organicFollowerGain + paidFollowerGain",
            raw,
        ) {
            metrics.push(AccountMetric {
                metric: key.to_string(),
                period: Period::Day,
                period_start: start,
                period_end: end,
                value,
            });
        }
    }
    Ok((metrics, gaps))
}

/// The `totalShareStatistics` fields Alcance stores, with their catalog sources.
fn share_fields(s: &wire::ShareStatistics) -> [(&'static str, Option<f64>); 7] {
    [
        ("totalShareStatistics.impressionCount", s.impression_count),
        (
            "totalShareStatistics.uniqueImpressionsCount",
            s.unique_impressions_count,
        ),
        ("totalShareStatistics.clickCount", s.click_count),
        ("totalShareStatistics.likeCount", s.like_count),
        ("totalShareStatistics.commentCount", s.comment_count),
        ("totalShareStatistics.shareCount", s.share_count),
        ("totalShareStatistics.engagement", s.engagement),
    ]
}

/// Decodes time-bound `organizationalEntityShareStatistics` (`timeIntervals`, DAY): per
/// element and field one [`Period::Day`] value over `timeRange` (UTC): `impressions`
/// (`impressionCount`), `reach` (`uniqueImpressionsCount`), `clicks` (`clickCount`), `likes`
/// (`likeCount`), `comments` (`commentCount`), `shares` (`shareCount`), all counts of
/// organic activity on the page's posts, and `engagement_rate` (`engagement`, ratio 0–1).
/// An element without a readable time range is skipped with a [`DataGap`].
///
/// Errors: see [`decode_paging`].
pub fn decode_share_days(answer: &Answer) -> Result<(Vec<AccountMetric>, Vec<DataGap>), PlatformError> {
    let (elements, _) = collection(answer)?;
    let mut metrics = Vec::new();
    let mut gaps = Vec::new();
    for (i, v) in elements.into_iter().enumerate() {
        let e: ShareStatsElement = serde_json::from_value(v).unwrap_or_default();
        let Some((start, end)) = day_of(e.time_range.as_ref()) else {
            gaps.push(row_gap(&answer.endpoint, i, "no readable timeRange"));
            continue;
        };
        let stats = e.total_share_statistics.unwrap_or_default();
        for (field, raw) in share_fields(&stats) {
            if let Some((key, value)) = catalog_field::catalog(Platform::Linkedin, field, raw) {
                metrics.push(AccountMetric {
                    metric: key.to_string(),
                    period: Period::Day,
                    period_start: start,
                    period_end: end,
                    value,
                });
            }
        }
    }
    Ok((metrics, gaps))
}

/// Decodes `organizationalEntityShareStatistics` asked with `shares=List(…)` /
/// `ugcPosts=List(…)` (no time intervals): per element (its `share` or `ugcPost` URN) the
/// lifetime organic post metrics `impressions`, `reach`, `clicks`, `likes`, `comments`,
/// `shares` (counts) and `engagement_rate` (ratio 0–1). The element for the page as a whole
/// (no post URN) is left out. LinkedIn keeps these for a rolling 12 months.
///
/// Errors: see [`decode_paging`].
pub fn decode_post_stats(answer: &Answer) -> Result<Vec<PostMetric>, PlatformError> {
    let (elements, _) = collection(answer)?;
    let mut out = Vec::new();
    for v in elements {
        let e: ShareStatsElement = serde_json::from_value(v).unwrap_or_default();
        let Some(post) = e.share.or(e.ugc_post).filter(|p| !p.trim().is_empty()) else {
            continue;
        };
        let stats = e.total_share_statistics.unwrap_or_default();
        for (field, raw) in share_fields(&stats) {
            out.extend(catalog_field::post_metric(Platform::Linkedin, &post, field, raw));
        }
    }
    Ok(out)
}

/// Decodes the batch `GET /rest/socialMetadata?ids=List(…)` (`results` keyed by post URN):
/// per post `reactions` (the sum of `reactionSummaries.*.count`, every reaction type: like,
/// celebrate, support, love, insightful, funny) and `comments` (`commentSummary.count`),
/// counts. A key in `errors` (a deleted post, one the member may not see) becomes a
/// [`DataGap`] with code `not_found` naming the post; so does an asked post missing from
/// both maps (`asked`).
///
/// Errors: non-2xx → [`map_error`]; a body without `results` → [`PlatformError::Decode`].
pub fn decode_social_metadata(
    answer: &Answer,
    asked: &[String],
) -> Result<(Vec<PostMetric>, Vec<DataGap>), PlatformError> {
    ok(answer)?;
    let batch: BatchGet = answer.json()?;
    let Some(results) = batch.results else {
        return Err(PlatformError::decode(
            &answer.endpoint,
            "no `results`: not a Rest.li batch answer",
            &answer.body,
        ));
    };
    let mut metrics = Vec::new();
    let mut gaps = Vec::new();
    for (post, v) in &results {
        let m: wire::SocialMetadata = serde_json::from_value(v.clone()).unwrap_or_default();
        let reactions = m.reaction_summaries.map(|r| {
            r.values()
                .filter_map(|s| s.get("count").and_then(crate::meta::number))
                .sum::<f64>()
        });
        metrics.extend(catalog_field::post_metric(
            Platform::Linkedin,
            post,
            "reactionSummaries.*.count",
            reactions,
        ));
        metrics.extend(catalog_field::post_metric(
            Platform::Linkedin,
            post,
            "commentSummary.count",
            m.comment_summary.and_then(|c| c.count),
        ));
    }
    let errors = batch.errors.unwrap_or_default();
    for (post, e) in &errors {
        let status = e.get("status").and_then(Value::as_u64).unwrap_or(0);
        let message = e.get("message").and_then(Value::as_str).unwrap_or("no message");
        gaps.push(DataGap {
            what: answer.endpoint.clone(),
            object_id: post.clone(),
            code: if status == 403 { "permission" } else { "not_found" }.to_string(),
            detail: format!("LinkedIn answered {status} for this post: {message}"),
        });
    }
    for post in asked {
        if !results.contains_key(post) && !errors.contains_key(post) {
            gaps.push(DataGap {
                what: answer.endpoint.clone(),
                object_id: post.clone(),
                code: "not_found".to_string(),
                detail: "socialMetadata returned nothing for this post: deleted or not visible".to_string(),
            });
        }
    }
    Ok((metrics, gaps))
}

/// Lifecycle states LinkedIn documents for posts.
const LIFECYCLE: &[&str] = &[
    "PUBLISHED",
    "DRAFT",
    "PUBLISH_REQUESTED",
    "PUBLISH_FAILED",
    "PROCESSING",
];

/// The content type of a post from its `content` object: `media` by its URN (`urn:li:image`
/// image, `urn:li:video` video, `urn:li:document` `Other("document")`), `multiImage` /
/// `carousel` carousel, `article` link, `poll` `Other("poll")`, `reference` (a repost)
/// `Other("repost")`, `celebration` `Other("celebration")`; no content: text.
fn content_type(content: Option<&serde_json::Map<String, Value>>) -> ContentType {
    let Some(c) = content else {
        return ContentType::Text;
    };
    if let Some(media) = c.get("media") {
        let id = media.get("id").and_then(Value::as_str).unwrap_or_default();
        return if id.starts_with("urn:li:video") {
            ContentType::Video
        } else if id.starts_with("urn:li:document") {
            ContentType::Other("document".to_string())
        } else {
            ContentType::Image
        };
    }
    if c.contains_key("multiImage") || c.contains_key("carousel") {
        ContentType::Carousel
    } else if c.contains_key("article") {
        ContentType::Link
    } else if c.contains_key("poll") {
        ContentType::Other("poll".to_string())
    } else if c.contains_key("reference") {
        ContentType::Other("repost".to_string())
    } else if c.contains_key("celebration") {
        ContentType::Other("celebration".to_string())
    } else {
        ContentType::Text
    }
}

/// Decodes one `GET /rest/posts?q=author` page: the published posts (id = the post URN,
/// `urn:li:share:…` or `urn:li:ugcPost:…`; published at `publishedAt`, else `createdAt`,
/// epoch ms UTC; caption = `commentary`; permalink
/// `https://www.linkedin.com/feed/update/{urn}/`; content type from `content`). Drafts and
/// posts not (yet) published are left out; an unknown `lifecycleState` keeps the post with
/// a warning; an element without `id` is skipped with a warning.
///
/// Errors: see [`decode_paging`].
pub fn decode_posts(answer: &Answer) -> Result<PostsPage, PlatformError> {
    let (elements, info) = collection(answer)?;
    let mut page = PostsPage {
        info,
        ..PostsPage::default()
    };
    for (i, v) in elements.into_iter().enumerate() {
        let post: wire::Post = match serde_json::from_value(v) {
            Ok(p) => p,
            Err(e) => {
                page.warnings.push(warn(
                    &answer.endpoint,
                    "decode",
                    format!("elements[{i}] unreadable, skipped: {e}"),
                ));
                continue;
            }
        };
        let Some(id) = post.id.clone().filter(|id| !id.trim().is_empty()) else {
            page.warnings.push(warn(
                &answer.endpoint,
                "decode",
                format!("elements[{i}] has no id; skipped"),
            ));
            continue;
        };
        let published_at = post.published_at.or(post.created_at).and_then(from_ms);
        page.seen.push((id.clone(), published_at));
        match post.lifecycle_state.as_deref() {
            None | Some("PUBLISHED") => {}
            Some(state) if LIFECYCLE.contains(&state) => continue,
            Some(state) => page.warnings.push(warn(
                &answer.endpoint,
                "unknown_value",
                format!(
                    "post {id}: unknown lifecycleState {state:?} (expected one of {}); the post is kept",
                    LIFECYCLE.join(", ")
                ),
            )),
        }
        page.posts.push(PostRecord {
            permalink: Some(format!("https://www.linkedin.com/feed/update/{id}/")),
            published_at,
            content_type: content_type(post.content.as_ref()),
            caption: post.commentary.filter(|c| !c.trim().is_empty()),
            external_id: id,
        });
    }
    Ok(page)
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderMap;

    fn answer(status: u16, body: &str) -> Answer {
        Answer {
            status,
            headers: HeaderMap::new(),
            body: body.as_bytes().to_vec(),
            endpoint: "/rest/posts".to_string(),
        }
    }

    #[test]
    fn restli_values_encode_urns_but_not_the_list_syntax() {
        assert_eq!(encode_urn("urn:li:share:1"), "urn%3Ali%3Ashare%3A1");
        assert_eq!(
            restli_list(&["urn:li:share:1".to_string(), "urn:li:ugcPost:2".to_string()]),
            "List(urn%3Ali%3Ashare%3A1,urn%3Ali%3AugcPost%3A2)"
        );
        let a = DateTime::from_timestamp_millis(1_700_000_000_000).unwrap_or_default();
        let b = DateTime::from_timestamp_millis(1_700_086_400_000).unwrap_or_default();
        assert_eq!(
            day_intervals(a, b),
            "(timeRange:(start:1700000000000,end:1700086400000),timeGranularityType:DAY)"
        );
        assert_eq!(organization_id("urn:li:organization:42").as_deref(), Some("42"));
        assert_eq!(organization_id("urn:li:organization:"), None);
        assert_eq!(organization_urn("42"), "urn:li:organization:42");
    }

    #[test]
    fn linkedin_errors_map_to_what_the_caller_does() {
        let expired = r#"{"status":401,"serviceErrorCode":65601,"code":"REVOKED_ACCESS_TOKEN","message":"The token used in the request has been revoked by the user"}"#;
        assert!(matches!(
            map_error(&answer(401, expired)),
            PlatformError::Unauthorized { .. }
        ));
        let denied = r#"{"status":403,"serviceErrorCode":100,"code":"ACCESS_DENIED","message":"Not enough permissions to access: partnerApiPostsExternal.FINDER-author.20240101"}"#;
        match map_error(&answer(403, denied)) {
            PlatformError::Forbidden { message } => {
                assert!(
                    message.contains("/rest/posts") && message.contains("ACCESS_DENIED") && message.contains("100")
                );
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            map_error(&answer(429, "")),
            PlatformError::RateLimited { retry_after: None, .. }
        ));
        assert!(matches!(map_error(&answer(404, "{}")), PlatformError::NotFound { .. }));
        match map_error(&answer(500, "<html>oops</html>")) {
            PlatformError::Api {
                status, endpoint, code, ..
            } => {
                assert_eq!((status, endpoint.as_str(), code), (500, "/rest/posts", None));
            }
            other => panic!("{other:?}"),
        }
        match map_error(&answer(
            426,
            r#"{"status":426,"code":"NONEXISTENT_VERSION","message":"Requested version 202201 is not active"}"#,
        )) {
            PlatformError::Api {
                status, code, message, ..
            } => {
                assert_eq!((status, code.as_deref()), (426, Some("NONEXISTENT_VERSION")));
                assert!(message.contains("LinkedIn-Version"));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn bad_post_pages_fail_or_warn_naming_the_endpoint() {
        for body in ["{", "<html>", r#"{"elements":{}}"#, "[1]"] {
            match decode_posts(&answer(200, body)) {
                Err(PlatformError::Decode { endpoint, .. }) => assert_eq!(endpoint, "/rest/posts"),
                other => panic!("{body}: {other:?}"),
            }
        }
        let body = r#"{"elements":[{"id":"urn:li:share:1","lifecycleState":"ARCHIVED_BY_LI","publishedAt":1700000000000},{"commentary":"no id"},{"id":"urn:li:share:2","lifecycleState":"DRAFT"},{"id":"urn:li:share:3","publishedAt":"soon"}],"paging":{"start":0,"count":10}}"#;
        let page = decode_posts(&answer(200, body)).expect("page");
        // share:3's unreadable time reads as absent: kept, undated.
        assert_eq!(page.posts.len(), 2);
        assert_eq!(page.posts[0].external_id, "urn:li:share:1");
        assert_eq!(page.posts[1].published_at, None);
        assert_eq!(page.warnings.len(), 2, "{:?}", page.warnings);
        assert!(page.warnings.iter().all(|w| w.message.starts_with("/rest/posts")));
        assert!(page
            .warnings
            .iter()
            .any(|w| w.code == "unknown_value" && w.message.contains("ARCHIVED_BY_LI")));
    }

    #[test]
    fn content_types_follow_the_content_object() {
        let page = decode_posts(&answer(
            200,
            r#"{"elements":[
                {"id":"a","content":{"media":{"id":"urn:li:video:1"}}},
                {"id":"b","content":{"media":{"id":"urn:li:image:1"}}},
                {"id":"c","content":{"multiImage":{"images":[]}}},
                {"id":"d","content":{"article":{"source":"https://x"}}},
                {"id":"e"},
                {"id":"f","content":{"poll":{}}}
            ]}"#,
        ))
        .expect("page");
        let kinds: Vec<ContentType> = page.posts.iter().map(|p| p.content_type.clone()).collect();
        assert_eq!(
            kinds,
            vec![
                ContentType::Video,
                ContentType::Image,
                ContentType::Carousel,
                ContentType::Link,
                ContentType::Text,
                ContentType::Other("poll".to_string())
            ]
        );
    }

    #[test]
    fn social_metadata_sums_reactions_and_names_missing_posts() {
        let body = r#"{"results":{"urn:li:share:1":{"reactionSummaries":{"LIKE":{"reactionType":"LIKE","count":4},"PRAISE":{"reactionType":"PRAISE","count":2}},"commentSummary":{"count":3,"topLevelCount":2}}},"errors":{"urn:li:share:9":{"status":404,"message":"Not found"}}}"#;
        let asked = vec![
            "urn:li:share:1".to_string(),
            "urn:li:share:9".to_string(),
            "urn:li:share:5".to_string(),
        ];
        let (metrics, gaps) = decode_social_metadata(&answer(200, body), &asked).expect("batch");
        let value = |k: &str| metrics.iter().find(|m| m.metric == k).and_then(|m| m.value);
        assert_eq!(value("reactions"), Some(6.0));
        assert_eq!(value("comments"), Some(3.0));
        let ids: Vec<&str> = gaps.iter().map(|g| g.object_id.as_str()).collect();
        assert_eq!(ids, vec!["urn:li:share:9", "urn:li:share:5"]);
        assert!(gaps.iter().all(|g| g.code == "not_found"));
    }
}
