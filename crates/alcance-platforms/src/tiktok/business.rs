//! The TikTok API for Business client (`Endpoints::tiktok_business`,
//! `https://business-api.tiktok.com/open_api/v1.3`; platform-apis.md §6.2): account
//! insights, videos with reach and watch time, and the Business token requests.

use super::map::{business_code_error, by_status, decode_business_account, decode_business_video_page};
use super::wire::{BizEnvelope, BizToken, BizTokenInfo};
use super::{walk_pages, BusinessAccount, VideoListing, VideoPage, Walk, MAX_VIDEO_PAGES};
use crate::endpoints::{join, Endpoints};
use crate::error::{body_preview, PlatformError};
use crate::http::{Answer, Http, Recorder};
use crate::meta::redact_secret;
use crate::oauth::TokenSet;
use crate::CollectWindow;
use alcance_core::AccountRef;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use reqwest::header::HeaderMap;
use secrecy::{ExposeSecret, SecretString};
use serde_json::{json, Value};
use std::collections::HashMap;

/// `fields` of `business/get/` (a JSON array, sent as one query parameter).
pub const BUSINESS_ACCOUNT_FIELDS: &str = r#"["username","display_name","profile_image","followers_count","audience_countries","audience_genders","metrics"]"#;
/// `fields` of `business/video/list/` (a JSON array, sent as one query parameter).
pub const BUSINESS_VIDEO_FIELDS: &str = r#"["item_id","create_time","thumbnail_url","share_url","caption","video_views","video_duration","likes","comments","shares","reach","full_video_watched_rate","total_time_watched","average_time_watched"]"#;
/// Most days one `business/get/` call asks for (`start_date`..`end_date`, both included).
/// TikTok keeps about 60 days of Business account insights (third-party connectors report
/// it; not confirmed from TikTok's own page): older days are not asked for.
pub const MAX_BUSINESS_DAYS: i64 = 60;
/// `max_count` of one `business/video/list/` page (the API's maximum).
const BUSINESS_PAGE_SIZE: &str = "20";

/// Where the Business token of an account comes from (the app's vault). Return `None` for
/// accounts without a Business connection: `collect` then reads the Display API only.
pub trait BusinessTokens: Send + Sync {
    /// The API for Business access token of `account`, if it has one.
    fn business_token(&self, account: &AccountRef) -> Option<SecretString>;
}

/// Tokens keyed by the account's `external_id` (the TikTok `open_id`).
impl BusinessTokens for HashMap<String, SecretString> {
    fn business_token(&self, account: &AccountRef) -> Option<SecretString> {
        self.get(&account.external_id).cloned()
    }
}

/// The `start_date`..`end_date` (UTC days, both included) of `business/get/` for a
/// collection window: from the day of `window.since` to the day of the last instant
/// before `window.until`, at most [`MAX_BUSINESS_DAYS`] days ending at that last day.
/// `None` when the window is empty.
pub fn business_dates(window: CollectWindow) -> Option<(NaiveDate, NaiveDate)> {
    if window.until <= window.since {
        return None;
    }
    let end = (window.until - Duration::seconds(1)).date_naive();
    let floor = end - Duration::days(MAX_BUSINESS_DAYS - 1);
    let start = window.since.date_naive().max(floor);
    (start <= end).then_some((start, end))
}

/// A TikTok API for Business token answer (`tt_user/oauth2/token/`,
/// `tt_user/oauth2/refresh_token/`): the `data` of `{code:0, message, request_id, data}`.
///
/// `Debug` prints `[REDACTED]` for the tokens. A refresh keeps the grant's one-year
/// lifetime (`refresh_token_expires_in` counts down from the authorization in the recorded
/// answers); whether the `refresh_token` value changes is not documented, so store the whole
/// answer before using the new access token.
#[derive(Debug, Clone)]
pub struct BusinessToken {
    /// `access_token` (24 h in the recorded answers).
    pub access_token: SecretString,
    /// `refresh_token` (valid `refresh_token_expires_in` seconds).
    pub refresh_token: Option<SecretString>,
    /// `expires_in`: seconds the access token lives from receipt.
    pub expires_in: Option<u64>,
    /// `refresh_token_expires_in`: seconds the refresh token lives from receipt.
    pub refresh_token_expires_in: Option<u64>,
    /// `open_id` (or `creator_id`): the account's id, the `business_id` of later calls.
    pub open_id: Option<String>,
    /// `scope`, split at commas (`user.insights`, `video.insights`, ...).
    pub scope: Vec<String>,
    /// `token_type` (`Bearer`; the API still wants the bare token in `Access-Token`).
    pub token_type: Option<String>,
    /// The envelope's `request_id`, for TikTok support.
    pub request_id: Option<String>,
}

impl BusinessToken {
    /// The token as a [`TokenSet`] for the vault: `expires_at = received_at + expires_in`
    /// (UTC), `scope` comma-joined, `user_id` = `open_id`.
    pub fn to_token_set(&self, received_at: DateTime<Utc>) -> TokenSet {
        TokenSet {
            access_token: self.access_token.clone(),
            refresh_token: self.refresh_token.clone(),
            expires_at: self
                .expires_in
                .and_then(|s| i64::try_from(s).ok())
                .and_then(|s| received_at.checked_add_signed(Duration::seconds(s))),
            scope: (!self.scope.is_empty()).then(|| self.scope.join(",")),
            user_id: self.open_id.clone(),
            binding: None,
        }
    }
}

/// The `data` of `tt_user/token_info/get/`: which app and account a token belongs to and
/// what it may read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BusinessTokenInfo {
    /// `app_id`: the developer app.
    pub app_id: Option<String>,
    /// `creator_id`: the account's id (the `open_id`).
    pub creator_id: Option<String>,
    /// `scope`, split at commas.
    pub scope: Vec<String>,
    /// The envelope's `request_id`.
    pub request_id: Option<String>,
}

fn split_scope(scope: Option<String>) -> Vec<String> {
    scope
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// A Decode error that never quotes a JSON body (it may hold tokens): HTML pages are
/// previewed, JSON is described by the parser's position only.
fn unreadable(endpoint: &str, what: &str, body: &[u8]) -> PlatformError {
    let start = body.iter().position(|b| !b.is_ascii_whitespace());
    let message = match start.map(|i| body[i]) {
        None => "the answer is empty".to_string(),
        Some(b'<') => format!("the answer is an HTML page, not JSON: {}", body_preview(body)),
        Some(_) => format!("the answer is not the expected JSON ({what})"),
    };
    PlatformError::Decode {
        endpoint: endpoint.to_string(),
        message,
    }
}

/// Reads the Business envelope of a token-endpoint answer and returns `data` with the
/// envelope's `request_id`. Failures that may pass keep their kind so a caller can retry
/// later: code 40100 or HTTP 429 → [`PlatformError::RateLimited`], a 5xxxx code or HTTP
/// 5xx → [`PlatformError::Api`] (the code families of [`super::map_business_error`]).
/// Any other non-zero `code`, or an HTTP error without the envelope, is TikTok refusing
/// the request → [`PlatformError::OAuth`] with its message, code and `request_id`. JSON
/// bodies are never quoted (they may hold tokens).
fn token_envelope(answer: &Answer) -> Result<(Value, Option<String>), PlatformError> {
    let endpoint = answer.endpoint.as_str();
    let body = answer.body.as_slice();
    let passing_status = answer.status == 429 || answer.status >= 500;
    let by_status = || {
        by_status(
            answer,
            None,
            format!("the token endpoint answered HTTP {}", answer.status),
        )
    };
    let value: Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(_) if passing_status => return Err(by_status()),
        Err(e) => {
            return Err(unreadable(
                endpoint,
                &format!("{:?} error at line {} column {}", e.classify(), e.line(), e.column()),
                body,
            ))
        }
    };
    if !value.is_object() {
        return Err(if passing_status {
            by_status()
        } else {
            unreadable(endpoint, "not an object", body)
        });
    }
    let env: BizEnvelope = serde_json::from_value(value).unwrap_or_default();
    match env.code {
        Some(code) if code != 0 => Err(match business_code_error(answer, &env, code) {
            e @ (PlatformError::RateLimited { .. } | PlatformError::Api { status: 500.., .. }) => e,
            _ => PlatformError::OAuth {
                message: format!(
                    "{endpoint}: TikTok refused: {} (code {code}{})",
                    env.message.as_deref().filter(|m| !m.is_empty()).unwrap_or("no message"),
                    env.request_id
                        .as_deref()
                        .map(|r| format!(", request_id {r}"))
                        .unwrap_or_default()
                ),
            },
        }),
        _ if passing_status => Err(by_status()),
        _ if !answer.is_success() => Err(PlatformError::OAuth {
            message: format!("{endpoint}: the token endpoint answered HTTP {}", answer.status),
        }),
        None => Err(unreadable(
            endpoint,
            "no `code`: not the API for Business envelope",
            body,
        )),
        Some(_) => match env.data {
            Some(data @ Value::Object(_)) => Ok((data, env.request_id)),
            _ => Err(PlatformError::Decode {
                endpoint: endpoint.to_string(),
                message: "the answer has no `data` object".into(),
            }),
        },
    }
}

/// A token answer read as if it came with HTTP 200 and no headers (for the `parse_*`
/// functions).
fn ok_answer(body: &[u8], endpoint: &str) -> Answer {
    Answer {
        status: 200,
        headers: HeaderMap::new(),
        body: body.to_vec(),
        endpoint: endpoint.to_string(),
    }
}

fn token_from(answer: &Answer) -> Result<BusinessToken, PlatformError> {
    let endpoint = answer.endpoint.as_str();
    let (data, request_id) = token_envelope(answer)?;
    let fields: Vec<String> = data
        .as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default();
    let t: BizToken = serde_json::from_value(data).map_err(|e| PlatformError::Decode {
        endpoint: endpoint.to_string(),
        message: format!("the token data could not be read ({:?} error)", e.classify()),
    })?;
    let Some(access_token) = t.access_token.filter(|a| !a.is_empty()) else {
        return Err(PlatformError::Decode {
            endpoint: endpoint.to_string(),
            message: format!("the token answer has no access_token (fields: {})", fields.join(", ")),
        });
    };
    Ok(BusinessToken {
        access_token: SecretString::from(access_token),
        refresh_token: t.refresh_token.filter(|r| !r.is_empty()).map(SecretString::from),
        expires_in: t.expires_in.and_then(|s| u64::try_from(s).ok()),
        refresh_token_expires_in: t.refresh_token_expires_in.and_then(|s| u64::try_from(s).ok()),
        open_id: t.open_id.or(t.creator_id).filter(|o| !o.is_empty()),
        scope: split_scope(t.scope),
        token_type: t.token_type,
        request_id,
    })
}

/// Parses a Business token answer (`tt_user/oauth2/token/` or
/// `tt_user/oauth2/refresh_token/`): `{"code":0,"message":"OK","request_id",
/// "data":{"access_token","expires_in","open_id","refresh_token","refresh_token_expires_in",
/// "scope","token_type"}}`.
///
/// Errors: a non-zero `code` → [`PlatformError::OAuth`] with TikTok's message and code
/// (40100 → [`PlatformError::RateLimited`] and 5xxxx → [`PlatformError::Api`] instead: they
/// may pass); a body that is not JSON, not the envelope, without `data` or without a non-empty
/// `data.access_token` → [`PlatformError::Decode`] (JSON bodies are never quoted).
pub fn parse_business_token(body: &[u8]) -> Result<BusinessToken, PlatformError> {
    token_from(&ok_answer(body, "tt_user/oauth2/token/"))
}

/// Parses a `tt_user/token_info/get/` answer: `{"code":0,...,"data":{"app_id",
/// "creator_id","scope"}}`.
///
/// Errors: as [`parse_business_token`].
pub fn parse_business_token_info(body: &[u8]) -> Result<BusinessTokenInfo, PlatformError> {
    token_info_from(&ok_answer(body, "tt_user/token_info/get/"))
}

fn token_info_from(answer: &Answer) -> Result<BusinessTokenInfo, PlatformError> {
    let (data, request_id) = token_envelope(answer)?;
    let info: BizTokenInfo = serde_json::from_value(data).unwrap_or_default();
    Ok(BusinessTokenInfo {
        app_id: info.app_id,
        creator_id: info.creator_id,
        scope: split_scope(info.scope),
        request_id,
    })
}

/// The TikTok API for Business client. Cheap to clone. Data requests carry
/// `Access-Token: <token>` and are archived (URL scrubbed) in the caller's [`Recorder`];
/// token requests are not archived.
#[derive(Debug, Clone)]
pub struct TikTokBusinessClient {
    http: Http,
    endpoints: Endpoints,
}

impl TikTokBusinessClient {
    /// A client at `endpoints.tiktok_business`.
    pub fn new(http: Http, endpoints: Endpoints) -> Self {
        Self { http, endpoints }
    }

    async fn get(
        &self,
        token: &SecretString,
        path: &str,
        query: &[(&str, &str)],
        rec: &Recorder,
    ) -> Result<Answer, PlatformError> {
        let url = join(&self.endpoints.tiktok_business, path);
        let request = self
            .http
            .client()
            .get(url)
            .header("Access-Token", token.expose_secret())
            .query(query);
        self.http
            .send(request, rec)
            .await
            .map_err(|e| redact_secret(e, token.expose_secret()))
    }

    /// Account insights: `GET business/get/?business_id=<id>&start_date=YYYY-MM-DD
    /// &end_date=YYYY-MM-DD&fields=` [`BUSINESS_ACCOUNT_FIELDS`] (dates are UTC days, both
    /// included). See [`super::decode_business_account`] for what is read.
    ///
    /// Errors: an empty `business_id` → [`PlatformError::NotFound`] without a call;
    /// otherwise see [`super::map_business_error`] (`code` other than 0 fails even with
    /// HTTP 200).
    pub async fn account(
        &self,
        token: &SecretString,
        business_id: &str,
        start_date: NaiveDate,
        end_date: NaiveDate,
        rec: &Recorder,
    ) -> Result<BusinessAccount, PlatformError> {
        let business_id = non_empty(business_id)?;
        let start = start_date.format("%Y-%m-%d").to_string();
        let end = end_date.format("%Y-%m-%d").to_string();
        let answer = self
            .get(
                token,
                "/business/get/",
                &[
                    ("business_id", business_id),
                    ("start_date", &start),
                    ("end_date", &end),
                    ("fields", BUSINESS_ACCOUNT_FIELDS),
                ],
                rec,
            )
            .await?;
        decode_business_account(&answer, business_id).map_err(|e| redact_secret(e, token.expose_secret()))
    }

    /// One page of videos with insights: `GET business/video/list/?business_id=<id>
    /// &fields=` [`BUSINESS_VIDEO_FIELDS`] `&max_count=20[&cursor=<cursor>]`.
    ///
    /// Errors: as [`Self::account`]; see [`super::decode_business_video_page`].
    pub async fn video_page(
        &self,
        token: &SecretString,
        business_id: &str,
        cursor: Option<i64>,
        rec: &Recorder,
    ) -> Result<VideoPage, PlatformError> {
        let business_id = non_empty(business_id)?;
        let cursor_text = cursor.map(|c| c.to_string());
        let mut query = vec![
            ("business_id", business_id),
            ("fields", BUSINESS_VIDEO_FIELDS),
            ("max_count", BUSINESS_PAGE_SIZE),
        ];
        if let Some(c) = cursor_text.as_deref() {
            query.push(("cursor", c));
        }
        let answer = self.get(token, "/business/video/list/", &query, rec).await?;
        decode_business_video_page(&answer).map_err(|e| redact_secret(e, token.expose_secret()))
    }

    /// Every video published since `since` (UTC) with its lifetime insights (`video_views`,
    /// `likes`, `comments`, `shares`, `reach`, `full_watch_rate` ratio 0–1,
    /// `watch_time_seconds`, `watch_time_avg_seconds`), walking `data.cursor` while
    /// `data.has_more` with the same guards as [`super::TikTokClient::videos`].
    ///
    /// Errors: only the first page's failure is an `Err`.
    pub async fn videos(
        &self,
        token: &SecretString,
        business_id: &str,
        since: DateTime<Utc>,
        rec: &Recorder,
    ) -> Result<VideoListing, PlatformError> {
        non_empty(business_id)?;
        let walk = Walk {
            since,
            max_pages: MAX_VIDEO_PAGES,
            label: "TikTok Business video list",
        };
        walk_pages(walk, |cursor| self.video_page(token, business_id, cursor, rec)).await
    }

    async fn post_token_request(&self, path: &str, body: Value) -> Result<Answer, PlatformError> {
        let url = join(&self.endpoints.tiktok_business, path);
        let response = self
            .http
            .client()
            .post(url)
            .json(&body)
            .send()
            .await
            .map_err(|e| PlatformError::Transport {
                message: format!("{path}: {}", e.without_url()),
            })?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let bytes = response.bytes().await.map_err(|e| PlatformError::Transport {
            message: format!("{path}: answer broke off: {}", e.without_url()),
        })?;
        Ok(Answer {
            status,
            headers,
            body: bytes.to_vec(),
            endpoint: path.to_string(),
        })
    }

    /// Exchanges the `auth_code` of the TikTok account holder authorization for tokens:
    /// `POST tt_user/oauth2/token/` with JSON `{"client_id": app_id, "client_secret",
    /// "grant_type":"authorization_code", "auth_code", "redirect_uri"}`. Not archived.
    ///
    /// Errors: see [`parse_business_token`]; [`PlatformError::OAuth`] for an HTTP 4xx
    /// without the envelope; [`PlatformError::RateLimited`] / [`PlatformError::Api`] for
    /// code 40100 or HTTP 429 / a 5xxxx code or HTTP 5xx (may pass);
    /// [`PlatformError::Transport`] when no answer came.
    pub async fn exchange_code(
        &self,
        app_id: &str,
        app_secret: &SecretString,
        auth_code: &SecretString,
        redirect_uri: &str,
    ) -> Result<BusinessToken, PlatformError> {
        let fields = [("auth_code", auth_code.expose_secret()), ("redirect_uri", redirect_uri)];
        self.token_grant(
            "/tt_user/oauth2/token/",
            app_id,
            app_secret,
            "authorization_code",
            &fields,
        )
        .await
    }

    /// Refreshes a Business token: `POST tt_user/oauth2/refresh_token/` with JSON
    /// `{"client_id": app_id, "client_secret", "grant_type":"refresh_token",
    /// "refresh_token"}` → a new access token for 24 h (`expires_in` 86400) and the refresh
    /// token, whose `refresh_token_expires_in` keeps counting down from the authorization
    /// (one year; then the account holder must authorize again). Store the answer (its
    /// `refresh_token` included, in case TikTok rotates it) before using the new access
    /// token. Not archived.
    ///
    /// Errors: a refused refresh (revoked, expired or unknown refresh token, wrong app)
    /// → [`PlatformError::OAuth`]; a failure that may pass → [`PlatformError::RateLimited`]
    /// (code 40100, HTTP 429) or [`PlatformError::Api`] (5xxxx code, HTTP 5xx); otherwise
    /// as [`Self::exchange_code`].
    pub async fn refresh(
        &self,
        app_id: &str,
        app_secret: &SecretString,
        refresh_token: &SecretString,
    ) -> Result<BusinessToken, PlatformError> {
        let fields = [("refresh_token", refresh_token.expose_secret())];
        self.token_grant(
            "/tt_user/oauth2/refresh_token/",
            app_id,
            app_secret,
            "refresh_token",
            &fields,
        )
        .await
    }

    /// `POST {path}` with JSON `{"client_id": app_id, "client_secret", "grant_type", ...fields}`
    /// (not archived) → the token of the answer: the body [`Self::exchange_code`] and
    /// [`Self::refresh`] send. Errors as theirs.
    async fn token_grant(
        &self,
        path: &str,
        app_id: &str,
        app_secret: &SecretString,
        grant_type: &str,
        fields: &[(&str, &str)],
    ) -> Result<BusinessToken, PlatformError> {
        let mut body = json!({
            "client_id": app_id,
            "client_secret": app_secret.expose_secret(),
            "grant_type": grant_type,
        });
        if let Value::Object(map) = &mut body {
            for (key, value) in fields {
                map.insert((*key).to_string(), Value::from(*value));
            }
        }
        token_from(&self.post_token_request(path, body).await?)
    }

    /// What a Business token may read: `POST tt_user/token_info/get/` with JSON
    /// `{"app_id", "access_token"}` (as the pytiktok SDK sends it). Not archived.
    ///
    /// Errors: as [`Self::exchange_code`].
    pub async fn token_info(
        &self,
        app_id: &str,
        access_token: &SecretString,
    ) -> Result<BusinessTokenInfo, PlatformError> {
        let path = "/tt_user/token_info/get/";
        let body = json!({ "app_id": app_id, "access_token": access_token.expose_secret() });
        token_info_from(&self.post_token_request(path, body).await?)
    }
}

fn non_empty(business_id: &str) -> Result<&str, PlatformError> {
    let id = business_id.trim();
    if id.is_empty() {
        Err(PlatformError::NotFound {
            message: "an empty TikTok business_id".into(),
        })
    } else {
        Ok(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, 0, 0).single().expect("valid time")
    }

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
    }

    #[test]
    fn business_dates_cover_the_window_in_utc_days() {
        let w = CollectWindow {
            since: at(2026, 11, 18, 15),
            until: at(2026, 11, 21, 0),
        };
        assert_eq!(business_dates(w), Some((day(2026, 11, 18), day(2026, 11, 20))));
        let long = CollectWindow {
            since: at(2026, 1, 1, 0),
            until: at(2026, 11, 21, 12),
        };
        let (start, end) = business_dates(long).expect("dates");
        assert_eq!(end, day(2026, 11, 21));
        assert_eq!((end - start).num_days(), MAX_BUSINESS_DAYS - 1);
        let empty = CollectWindow {
            since: at(2026, 11, 21, 0),
            until: at(2026, 11, 21, 0),
        };
        assert_eq!(business_dates(empty), None);
    }

    fn answer(status: u16, body: &str) -> Answer {
        Answer {
            status,
            headers: HeaderMap::new(),
            body: body.as_bytes().to_vec(),
            endpoint: "/tt_user/oauth2/refresh_token/".into(),
        }
    }

    #[test]
    fn token_failures_that_may_pass_are_not_refusals() {
        let internal = token_from(&answer(
            500,
            r#"{"code":50000,"message":"Internal error","request_id":"r2"}"#,
        ));
        assert!(
            matches!(internal, Err(PlatformError::Api { status: 500, .. })),
            "{internal:?}"
        );
        let internal_200 = token_from(&answer(200, r#"{"code":51001,"message":"Busy"}"#));
        assert!(
            matches!(internal_200, Err(PlatformError::Api { status: 500, .. })),
            "{internal_200:?}"
        );
        let limited = token_from(&answer(200, r#"{"code":40100,"message":"Too many requests."}"#));
        assert!(matches!(limited, Err(PlatformError::RateLimited { .. })), "{limited:?}");
        let gateway = token_from(&answer(503, "<html>down</html>"));
        assert!(
            matches!(gateway, Err(PlatformError::Api { status: 503, .. })),
            "{gateway:?}"
        );
        let throttled = token_from(&answer(429, ""));
        assert!(
            matches!(throttled, Err(PlatformError::RateLimited { .. })),
            "{throttled:?}"
        );
        // Refusals: an invalid refresh token (any other code), an HTTP 4xx without envelope.
        let revoked = token_from(&answer(200, r#"{"code":40105,"message":"revoked","request_id":"r3"}"#));
        assert!(
            matches!(&revoked, Err(PlatformError::OAuth { message }) if message.contains("40105") && message.contains("r3")),
            "{revoked:?}"
        );
        let bad_request = token_from(&answer(400, "{}"));
        assert!(
            matches!(bad_request, Err(PlatformError::OAuth { .. })),
            "{bad_request:?}"
        );
    }

    #[test]
    fn token_errors_never_quote_json_bodies() {
        let body = br#"{"code":0,"data":{"access_token":"act.SECRETSECRET","refresh_token":"#;
        let e = parse_business_token(body).expect_err("truncated");
        assert!(matches!(e, PlatformError::Decode { .. }));
        assert!(!e.to_string().contains("SECRETSECRET"), "{e}");
        let refused = br#"{"code":40105,"message":"Access token is incorrect or has been revoked.","request_id":"r1"}"#;
        let e = parse_business_token(refused).expect_err("refused");
        assert!(matches!(e, PlatformError::OAuth { .. }), "{e:?}");
        assert!(e.to_string().contains("40105") && e.to_string().contains("r1"), "{e}");
        let html = b"<html><body>Bad gateway</body></html>";
        assert!(parse_business_token(html)
            .expect_err("html")
            .to_string()
            .contains("HTML"));
    }
}
