//! Which budget a request draws on: its API family, endpoint template and token
//! fingerprint ([`RequestKey`]), and whether it only reads and may be retried.

use sha2::{Digest, Sha256};
use std::fmt;

/// The API families whose budgets work differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ApiFamily {
    /// X API v2 (`/2/...`, `api.x.com`, `api.twitter.com`), and the Engagement API
    /// (`/insights/engagement/...`).
    X,
    /// Meta Graph API: Facebook Pages, Instagram, WhatsApp, Threads (`graph.facebook.com`,
    /// `graph.instagram.com`, `graph.threads.net`, paths starting with a `/vNN.N` version).
    Meta,
    /// TikTok Display API v2 (`/v2/...`) and API for Business (`/open_api/...`).
    TikTok,
    /// YouTube Data API v3 (`www.googleapis.com/youtube/v3/...`: a daily quota in units per
    /// Google Cloud project, reset at midnight Pacific Time) and Analytics API v2
    /// (`youtubeanalytics.googleapis.com`; on the sandbox `/youtubeanalytics/...`).
    YouTube,
    /// Anything else: only 429s and retries apply.
    Other,
    /// Bluesky XRPC (`/xrpc/...`): the public AppView (`public.api.bsky.app`,
    /// `api.bsky.app`), the PDS entryway `bsky.social` and Bluesky-hosted PDSes
    /// (`*.host.bsky.network`).
    Bluesky,
    /// Reddit's OAuth API (`oauth.reddit.com`; on the sandbox the paths `/api/v1/me`,
    /// `/api/info`, `/user/…` and `/r/…`): 100 queries a minute per OAuth client id,
    /// averaged over 10 minutes, told by `x-ratelimit-*` on every answer.
    Reddit,
    /// LinkedIn (`api.linkedin.com`: the versioned `/rest/…` API and `/v2/userinfo`;
    /// `www.linkedin.com` OAuth; on the sandbox `/rest/…` and `/linkedin/…`). LinkedIn sends
    /// no rate-limit headers and no `Retry-After` (daily per-app and per-member limits,
    /// reset at midnight UTC, unpublished: platform-apis-more.md §3.3), so only its 429s
    /// count: the governor's default pause, doubled per 429 in a row.
    LinkedIn,
}

impl ApiFamily {
    /// Lower-case name for logs: `x`, `meta`, `tiktok`, `youtube`, `other`, `bluesky`,
    /// `reddit`, `linkedin`.
    pub fn as_str(self) -> &'static str {
        match self {
            ApiFamily::X => "x",
            ApiFamily::Meta => "meta",
            ApiFamily::TikTok => "tiktok",
            ApiFamily::YouTube => "youtube",
            ApiFamily::Other => "other",
            ApiFamily::Bluesky => "bluesky",
            ApiFamily::Reddit => "reddit",
            ApiFamily::LinkedIn => "linkedin",
        }
    }

    /// The family of a request to `host` and `path` (path without query). Real hosts are
    /// recognised by name; on any other host (the sandbox on 127.0.0.1) by path: `/2/` X,
    /// `/v2/` and `/open_api/` TikTok, `/vNN.N/` Meta, `/insights/engagement/` X.
    pub fn of(host: Option<&str>, path: &str) -> ApiFamily {
        let host = host.unwrap_or_default().to_ascii_lowercase();
        match host.as_str() {
            "api.x.com" | "api.twitter.com" | "data-api.x.com" | "data-api.twitter.com" => return ApiFamily::X,
            "graph.facebook.com" | "graph.instagram.com" => return ApiFamily::Meta,
            // Threads: the Graph error codes (4 / 17 / 32 / 613) and, where sent, the Graph
            // usage headers (platform-apis-more.md §4.3; whether Threads sends
            // `X-App-Usage` is unverified, so a 429 or code alone must suffice).
            "graph.threads.net" => return ApiFamily::Meta,
            "open.tiktokapis.com" | "business-api.tiktok.com" => return ApiFamily::TikTok,
            "public.api.bsky.app" | "api.bsky.app" | "bsky.social" => return ApiFamily::Bluesky,
            h if h.ends_with(".bsky.network") => return ApiFamily::Bluesky,
            "oauth.reddit.com" => return ApiFamily::Reddit,
            "api.linkedin.com" | "www.linkedin.com" => return ApiFamily::LinkedIn,
            "youtubeanalytics.googleapis.com" => return ApiFamily::YouTube,
            "www.googleapis.com" | "youtube.googleapis.com" if path.starts_with("/youtube/") => {
                return ApiFamily::YouTube
            }
            _ => {}
        }
        if path.starts_with("/xrpc/") {
            return ApiFamily::Bluesky;
        }
        if is_reddit_path(path) {
            return ApiFamily::Reddit;
        }
        if path.starts_with("/rest/") || path.starts_with("/linkedin/") {
            return ApiFamily::LinkedIn;
        }
        if path.starts_with("/youtube/v3/") || path.starts_with("/youtubeanalytics/") {
            ApiFamily::YouTube
        } else if path.starts_with("/2/") || path.starts_with("/insights/engagement/") {
            ApiFamily::X
        } else if path.starts_with("/v2/") || path.starts_with("/open_api/") {
            ApiFamily::TikTok
        } else if path.split('/').nth(1).is_some_and(is_graph_version) {
            ApiFamily::Meta
        } else {
            ApiFamily::Other
        }
    }
}

impl fmt::Display for ApiFamily {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Reddit's API paths as Alcance calls them on a shared origin (the sandbox): the profile
/// `/api/v1/me`, `/api/info`, users `/user/…` and subreddits `/r/…`.
fn is_reddit_path(path: &str) -> bool {
    path == "/api/v1/me" || path.starts_with("/api/info") || path.starts_with("/user/") || path.starts_with("/r/")
}

/// `v25.0`-style Graph version segment.
fn is_graph_version(seg: &str) -> bool {
    seg.strip_prefix('v').is_some_and(|rest| {
        let mut parts = rest.split('.');
        matches!((parts.next(), parts.next(), parts.next()),
            (Some(a), Some(b), None) if !a.is_empty() && !b.is_empty()
                && a.chars().all(|c| c.is_ascii_digit()) && b.chars().all(|c| c.is_ascii_digit()))
    })
}

/// A token's fingerprint: the first 8 bytes of its SHA-256, as 16 lower-case hex
/// characters. Identifies a budget without holding the token; safe to log. Requests
/// without a token get the fingerprint `none`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TokenFingerprint(String);

impl TokenFingerprint {
    /// The fingerprint of `token`.
    pub fn of(token: &str) -> TokenFingerprint {
        let digest = Sha256::digest(token.as_bytes());
        TokenFingerprint(hex::encode(&digest[..8]))
    }

    /// The fingerprint of requests that carry no token.
    pub fn none() -> TokenFingerprint {
        TokenFingerprint("none".to_string())
    }

    /// The 16 hex characters (or `none`).
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for TokenFingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Which budget a request draws on: API family, endpoint template and token fingerprint.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RequestKey {
    /// The API family.
    pub api: ApiFamily,
    /// The path with ids replaced by placeholders (`/2/users/{id}/tweets`,
    /// `/2/users/by/username/{username}`, Graph `/{id}/insights` without the version,
    /// TikTok `/v2/video/list/`).
    pub endpoint: String,
    /// The token's fingerprint (from `Authorization: Bearer`, TikTok Business
    /// `Access-Token`, or the `access_token` query parameter).
    pub token: TokenFingerprint,
}

impl RequestKey {
    /// The key of a built request.
    pub fn of(request: &reqwest::Request) -> RequestKey {
        let url = request.url();
        let api = ApiFamily::of(url.host_str(), url.path());
        let token = request_token(request)
            .map(|t| TokenFingerprint::of(&t))
            .unwrap_or_else(TokenFingerprint::none);
        RequestKey {
            api,
            endpoint: endpoint_template(api, url.path()),
            token,
        }
    }

    /// The key whose budget this request draws on: the same key, except for Meta, where
    /// every endpoint of a token shares one budget (endpoint `*`), and the YouTube Data API,
    /// whose daily quota belongs to the developer app's project: every endpoint and token
    /// share one budget (endpoint [`YOUTUBE_QUOTA_BUDGET`], no token); and Reddit, whose
    /// 100 queries a minute belong to the OAuth client id: a workspace keeps one Reddit
    /// developer app (`app_credentials` is per platform), so every Reddit request of the
    /// workspace's governor shares one budget (endpoint [`REDDIT_CLIENT_BUDGET`], no token).
    pub fn budget(&self) -> RequestKey {
        match self.api {
            ApiFamily::Meta => RequestKey {
                api: self.api,
                endpoint: "*".to_string(),
                token: self.token.clone(),
            },
            ApiFamily::YouTube if is_youtube_data(&self.endpoint) => RequestKey {
                api: self.api,
                endpoint: YOUTUBE_QUOTA_BUDGET.to_string(),
                token: TokenFingerprint::none(),
            },
            ApiFamily::Reddit => RequestKey {
                api: self.api,
                endpoint: REDDIT_CLIENT_BUDGET.to_string(),
                token: TokenFingerprint::none(),
            },
            _ => self.clone(),
        }
    }
}

/// The endpoint name of Reddit's budget, shared by every token of the workspace's one
/// Reddit app (the limit is per OAuth client id, not per user).
pub const REDDIT_CLIENT_BUDGET: &str = "oauth.reddit.com/* (per client id)";

/// The endpoint name of the YouTube Data API's shared daily-quota budget.
pub const YOUTUBE_QUOTA_BUDGET: &str = "/youtube/v3/* (daily quota)";

/// `true` for a YouTube Data API v3 path (it draws on the daily unit quota).
pub(crate) fn is_youtube_data(endpoint: &str) -> bool {
    endpoint.contains("/youtube/v3/")
}

impl fmt::Display for RequestKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} (token {})", self.api, self.endpoint, self.token)
    }
}

/// The token a request carries, if any (never logged; only fingerprinted).
fn request_token(request: &reqwest::Request) -> Option<String> {
    let headers = request.headers();
    if let Some(auth) = headers
        .get(reqwest::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    {
        let t = auth
            .strip_prefix("Bearer ")
            .or_else(|| auth.strip_prefix("bearer "))
            .unwrap_or(auth)
            .trim();
        if !t.is_empty() {
            return Some(t.to_string());
        }
    }
    if let Some(t) = headers.get("access-token").and_then(|v| v.to_str().ok()) {
        if !t.trim().is_empty() {
            return Some(t.trim().to_string());
        }
    }
    request
        .url()
        .query_pairs()
        .find(|(k, _)| k == "access_token")
        .map(|(_, v)| v.into_owned())
        .filter(|t| !t.is_empty())
}

/// The endpoint template of `path` for `api`: X user ids, usernames and post ids, and
/// Graph node ids become `{id}` / `{username}`; the Graph version segment is dropped.
pub fn endpoint_template(api: ApiFamily, path: &str) -> String {
    let segs: Vec<&str> = path.split('/').skip(1).collect();
    let mut out: Vec<String> = Vec::with_capacity(segs.len());
    for (i, seg) in segs.iter().enumerate() {
        let prev = if i == 0 { None } else { segs.get(i - 1).copied() };
        let templ = match api {
            ApiFamily::X => match prev {
                Some("username") => Some("{username}"),
                Some("users") if *seg != "me" && *seg != "by" => Some("{id}"),
                Some("tweets") if !matches!(*seg, "search" | "counts" | "sample" | "firehose") => Some("{id}"),
                // `/2/` is the API version, not an id.
                _ if i > 0 && is_id(seg) => Some("{id}"),
                _ => None,
            },
            ApiFamily::Meta if i == 0 && is_graph_version(seg) => continue,
            ApiFamily::Meta if *seg != "me" && seg.chars().any(|c| c.is_ascii_digit()) => Some("{id}"),
            // Reddit user and subreddit names are ids here (low-cardinality metric labels).
            ApiFamily::Reddit if matches!(prev, Some("user" | "r")) && i == 1 => Some("{name}"),
            // LinkedIn keys resources by id or (encoded) URN: `/rest/networkSizes/urn%3Ali%3A…`.
            ApiFamily::LinkedIn if i > 0 && (is_id(seg) || seg.contains("urn") || seg.starts_with('(')) => Some("{id}"),
            _ if is_id(seg) => Some("{id}"),
            _ => None,
        };
        out.push(templ.map(str::to_string).unwrap_or_else(|| (*seg).to_string()));
    }
    format!("/{}", out.join("/"))
}

/// A segment of digits (and `_`, as in Graph post ids `123_456`).
fn is_id(seg: &str) -> bool {
    !seg.is_empty() && seg.chars().any(|c| c.is_ascii_digit()) && seg.chars().all(|c| c.is_ascii_digit() || c == '_')
}

/// `true` for requests that only read and may be sent again: `GET`, `HEAD`, and the `POST`
/// reads TikTok `/v2/video/list/` and `/v2/video/query/` and the X Engagement API
/// `/insights/engagement/{totals,28hr,historical}`. A request whose body cannot be cloned
/// (a stream) is never retried.
pub fn is_read_request(request: &reqwest::Request) -> bool {
    let method = request.method();
    if method == reqwest::Method::GET || method == reqwest::Method::HEAD {
        return true;
    }
    if method != reqwest::Method::POST {
        return false;
    }
    let path = request.url().path().trim_end_matches('/');
    let reads = [
        "/v2/video/list",
        "/v2/video/query",
        "/insights/engagement/totals",
        "/insights/engagement/28hr",
        "/insights/engagement/historical",
    ];
    reads.iter().any(|r| path.ends_with(r))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn families_by_host_and_path() {
        assert_eq!(ApiFamily::of(Some("api.x.com"), "/2/users/me"), ApiFamily::X);
        assert_eq!(ApiFamily::of(Some("127.0.0.1"), "/2/users/me"), ApiFamily::X);
        assert_eq!(
            ApiFamily::of(Some("127.0.0.1"), "/v25.0/1784/insights"),
            ApiFamily::Meta
        );
        assert_eq!(ApiFamily::of(Some("graph.instagram.com"), "/me"), ApiFamily::Meta);
        assert_eq!(ApiFamily::of(Some("127.0.0.1"), "/v2/video/list/"), ApiFamily::TikTok);
        assert_eq!(
            ApiFamily::of(Some("127.0.0.1"), "/open_api/v1.3/business/get/"),
            ApiFamily::TikTok
        );
        assert_eq!(ApiFamily::of(Some("example.org"), "/health"), ApiFamily::Other);
        assert_eq!(
            ApiFamily::of(Some("www.googleapis.com"), "/youtube/v3/videos"),
            ApiFamily::YouTube
        );
        assert_eq!(
            ApiFamily::of(Some("youtubeanalytics.googleapis.com"), "/v2/reports"),
            ApiFamily::YouTube
        );
        assert_eq!(
            ApiFamily::of(Some("127.0.0.1"), "/youtube/v3/channels"),
            ApiFamily::YouTube
        );
        assert_eq!(
            ApiFamily::of(Some("127.0.0.1"), "/youtubeanalytics/v2/reports"),
            ApiFamily::YouTube
        );
        assert_eq!(ApiFamily::of(Some("oauth2.googleapis.com"), "/token"), ApiFamily::Other);
        assert_eq!(ApiFamily::of(Some("oauth.reddit.com"), "/api/v1/me"), ApiFamily::Reddit);
        assert_eq!(
            ApiFamily::of(Some("127.0.0.1"), "/user/alcance_br/submitted"),
            ApiFamily::Reddit
        );
        assert_eq!(ApiFamily::of(Some("127.0.0.1"), "/r/brasil/about"), ApiFamily::Reddit);
    }

    #[test]
    fn templates_hide_ids_and_usernames() {
        let cases = [
            (
                ApiFamily::X,
                "/2/users/1580000000000000001/tweets",
                "/2/users/{id}/tweets",
            ),
            (
                ApiFamily::X,
                "/2/users/by/username/ana_influencer",
                "/2/users/by/username/{username}",
            ),
            (ApiFamily::X, "/2/users/me", "/2/users/me"),
            (ApiFamily::X, "/2/users/jack", "/2/users/{id}"),
            (ApiFamily::X, "/2/tweets", "/2/tweets"),
            (ApiFamily::Meta, "/v25.0/17841400000000001/insights", "/{id}/insights"),
            (ApiFamily::Meta, "/v25.0/me", "/me"),
            (ApiFamily::Meta, "/123_456/insights", "/{id}/insights"),
            (ApiFamily::TikTok, "/v2/video/list/", "/v2/video/list/"),
            (ApiFamily::Reddit, "/user/spez/submitted", "/user/{name}/submitted"),
            (ApiFamily::Reddit, "/r/brasil/about/", "/r/{name}/about/"),
            (ApiFamily::Reddit, "/api/v1/me", "/api/v1/me"),
        ];
        for (api, path, template) in cases {
            assert_eq!(endpoint_template(api, path), template, "{api} {path}");
        }
    }

    #[test]
    fn fingerprints_never_hold_the_token() {
        let token = "sbx_x_0123456789abcdef0123456789abcdef";
        let fp = TokenFingerprint::of(token);
        assert_eq!(fp.as_str().len(), 16);
        assert!(!token.contains(fp.as_str()) && !fp.as_str().contains("sbx"));
        assert_eq!(fp, TokenFingerprint::of(token));
        assert_ne!(fp, TokenFingerprint::of("another"));
    }

    #[test]
    fn keys_come_from_every_token_carrier() {
        let client = reqwest::Client::new();
        let bearer = client
            .get("http://127.0.0.1:1/2/users/42/tweets")
            .bearer_auth("tok-a")
            .build()
            .expect("request");
        let k = RequestKey::of(&bearer);
        assert_eq!(
            (k.api, k.endpoint.as_str(), k.token.clone()),
            (ApiFamily::X, "/2/users/{id}/tweets", TokenFingerprint::of("tok-a"))
        );
        let query = client
            .get("http://127.0.0.1:1/v25.0/17841/media?access_token=tok-b&limit=25")
            .build()
            .expect("request");
        let k = RequestKey::of(&query);
        assert_eq!(k.token, TokenFingerprint::of("tok-b"));
        assert_eq!(k.budget().endpoint, "*");
        let business = client
            .get("https://business-api.tiktok.com/open_api/v1.3/business/get/")
            .header("Access-Token", "tok-c")
            .build()
            .expect("request");
        assert_eq!(RequestKey::of(&business).token, TokenFingerprint::of("tok-c"));
        let anonymous = client.get("http://127.0.0.1:1/2/users/me").build().expect("request");
        assert_eq!(RequestKey::of(&anonymous).token, TokenFingerprint::none());
        assert!(!format!("{k}").contains("tok-"));
    }

    #[test]
    fn reads_are_get_and_the_listed_posts() {
        let client = reqwest::Client::new();
        let req = |m: reqwest::Method, u: &str| client.request(m, u).build().expect("request");
        assert!(is_read_request(&req(reqwest::Method::GET, "http://h/2/users/me")));
        assert!(is_read_request(&req(
            reqwest::Method::POST,
            "http://h/v2/video/list/?fields=id"
        )));
        assert!(is_read_request(&req(reqwest::Method::POST, "http://h/v2/video/query/")));
        assert!(is_read_request(&req(
            reqwest::Method::POST,
            "https://data-api.x.com/insights/engagement/28hr"
        )));
        assert!(!is_read_request(&req(
            reqwest::Method::POST,
            "http://h/v2/oauth/token/"
        )));
        assert!(!is_read_request(&req(reqwest::Method::POST, "http://h/2/oauth2/token")));
        assert!(!is_read_request(&req(reqwest::Method::DELETE, "http://h/2/users/me")));
    }
}
