//! Base URLs of every platform API and OAuth endpoint. Real hosts by default; the sandbox
//! and tests point all of them at one `http://127.0.0.1:PORT`.

use serde::{Deserialize, Serialize};
use url::Url;

/// The Graph API version Alcance pins (platform-apis.md §2.1). Configurable per workspace.
pub const GRAPH_VERSION: &str = "v25.0";

/// Where each platform's API and OAuth endpoints live.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Endpoints {
    /// X API v2 origin; paths start with `/2/` (`https://api.x.com`).
    pub x_api: Url,
    /// X OAuth 2.0 authorize page (`https://x.com/i/oauth2/authorize`).
    pub x_authorize: Url,
    /// X OAuth 2.0 token endpoint (`https://api.x.com/2/oauth2/token`).
    pub x_token: Url,
    /// Graph API for Facebook Login tokens, with version (`https://graph.facebook.com/v25.0`).
    pub graph_facebook: Url,
    /// Graph API for Instagram Login tokens, with version (`https://graph.instagram.com/v25.0`).
    pub graph_instagram: Url,
    /// Facebook Login dialog (`https://www.facebook.com/v25.0/dialog/oauth`).
    pub facebook_authorize: Url,
    /// Instagram Login authorize page (`https://www.instagram.com/oauth/authorize`).
    pub instagram_authorize: Url,
    /// Instagram Login code exchange (`POST https://api.instagram.com/oauth/access_token`).
    pub instagram_token: Url,
    /// Instagram long-lived exchange and refresh origin (`https://graph.instagram.com`).
    pub instagram_graph_origin: Url,
    /// TikTok Display API v2 origin; paths start with `/v2/` (`https://open.tiktokapis.com`).
    pub tiktok_api: Url,
    /// TikTok Login Kit authorize page (`https://www.tiktok.com/v2/auth/authorize/`).
    pub tiktok_authorize: Url,
    /// TikTok API for Business base (`https://business-api.tiktok.com/open_api/v1.3`).
    pub tiktok_business: Url,
    /// Bluesky's public AppView, XRPC base without a token (`https://public.api.bsky.app/xrpc`):
    /// profiles, author feeds, posts, handle resolution.
    #[serde(default = "bluesky_real::appview")]
    pub bluesky_appview: Url,
    /// Bluesky's PDS entryway, XRPC base for sessions (`https://bsky.social/xrpc`):
    /// `createSession`, `refreshSession`, `getSession` of accounts hosted by Bluesky.
    #[serde(default = "bluesky_real::pds")]
    pub bluesky_pds: Url,
    /// YouTube Data API v3 base (`https://www.googleapis.com/youtube/v3`).
    #[serde(default = "youtube_real::api")]
    pub youtube_api: Url,
    /// YouTube Analytics API v2 base (`https://youtubeanalytics.googleapis.com/v2`).
    #[serde(default = "youtube_real::analytics")]
    pub youtube_analytics: Url,
    /// Google OAuth 2.0 consent page (`https://accounts.google.com/o/oauth2/v2/auth`).
    #[serde(default = "youtube_real::authorize")]
    pub youtube_authorize: Url,
    /// Google OAuth 2.0 token endpoint (`https://oauth2.googleapis.com/token`).
    #[serde(default = "youtube_real::token")]
    pub youtube_token: Url,
    /// Google OAuth 2.0 revocation endpoint (`https://oauth2.googleapis.com/revoke`).
    #[serde(default = "youtube_real::revoke")]
    pub youtube_revoke: Url,
    /// Google Sheets API v4 base (`https://sheets.googleapis.com/v4`; on the sandbox
    /// `/sheets/v4`): where scheduled reports are written (issue 13 point 5).
    #[serde(default = "youtube_real::sheets")]
    pub sheets_api: Url,
    /// Reddit's OAuth API origin; paths are the API's own (`/api/v1/me`, `/user/{name}/about`)
    /// (`https://oauth.reddit.com`).
    #[serde(default = "reddit_real::api")]
    pub reddit_api: Url,
    /// Reddit's OAuth consent page (`https://www.reddit.com/api/v1/authorize`).
    #[serde(default = "reddit_real::authorize")]
    pub reddit_authorize: Url,
    /// Reddit's token endpoint, HTTP Basic `client_id:` (`https://www.reddit.com/api/v1/access_token`).
    #[serde(default = "reddit_real::token")]
    pub reddit_token: Url,
    /// Reddit's token revocation (`https://www.reddit.com/api/v1/revoke_token`).
    #[serde(default = "reddit_real::revoke")]
    pub reddit_revoke: Url,
    /// LinkedIn versioned REST API base (`https://api.linkedin.com/rest`): every call sends
    /// `LinkedIn-Version` and `X-Restli-Protocol-Version: 2.0.0`.
    #[serde(default = "linkedin_real::api")]
    pub linkedin_api: Url,
    /// LinkedIn's OpenID Connect userinfo (`https://api.linkedin.com/v2/userinfo`).
    #[serde(default = "linkedin_real::userinfo")]
    pub linkedin_userinfo: Url,
    /// LinkedIn OAuth 2.0 consent page (`https://www.linkedin.com/oauth/v2/authorization`).
    #[serde(default = "linkedin_real::authorize")]
    pub linkedin_authorize: Url,
    /// LinkedIn token endpoint (`https://www.linkedin.com/oauth/v2/accessToken`).
    #[serde(default = "linkedin_real::token")]
    pub linkedin_token: Url,
    /// LinkedIn token revocation (`https://www.linkedin.com/oauth/v2/revoke`).
    #[serde(default = "linkedin_real::revoke")]
    pub linkedin_revoke: Url,
    /// Threads Graph API base, with version (`https://graph.threads.net/v1.0`).
    #[serde(default = "threads_real::api")]
    pub threads_api: Url,
    /// Threads authorize page (`https://threads.net/oauth/authorize`).
    #[serde(default = "threads_real::authorize")]
    pub threads_authorize: Url,
    /// Threads code exchange (`POST https://graph.threads.net/oauth/access_token`).
    #[serde(default = "threads_real::token")]
    pub threads_token: Url,
    /// Threads long-lived exchange and refresh origin (`https://graph.threads.net`:
    /// `/access_token`, `/refresh_access_token`).
    #[serde(default = "threads_real::origin")]
    pub threads_origin: Url,
}

/// The real Threads URLs, also the defaults of endpoints saved before Threads existed.
mod threads_real {
    use url::Url;
    pub(super) fn api() -> Url {
        super::url("https://graph.threads.net/v1.0")
    }
    pub(super) fn authorize() -> Url {
        super::url("https://threads.net/oauth/authorize")
    }
    pub(super) fn token() -> Url {
        super::url("https://graph.threads.net/oauth/access_token")
    }
    pub(super) fn origin() -> Url {
        super::url("https://graph.threads.net")
    }
}

/// The real Bluesky URLs, also the defaults of endpoints saved before Bluesky existed.
mod bluesky_real {
    use url::Url;
    pub(super) fn appview() -> Url {
        super::url("https://public.api.bsky.app/xrpc")
    }
    pub(super) fn pds() -> Url {
        super::url("https://bsky.social/xrpc")
    }
}

/// The real YouTube and Google OAuth URLs, also the defaults of endpoints saved before
/// YouTube existed.
mod youtube_real {
    use url::Url;
    pub(super) fn api() -> Url {
        super::url("https://www.googleapis.com/youtube/v3")
    }
    pub(super) fn analytics() -> Url {
        super::url("https://youtubeanalytics.googleapis.com/v2")
    }
    pub(super) fn authorize() -> Url {
        super::url("https://accounts.google.com/o/oauth2/v2/auth")
    }
    pub(super) fn token() -> Url {
        super::url("https://oauth2.googleapis.com/token")
    }
    pub(super) fn revoke() -> Url {
        super::url("https://oauth2.googleapis.com/revoke")
    }
    pub(super) fn sheets() -> Url {
        super::url("https://sheets.googleapis.com/v4")
    }
}

/// The real Reddit URLs, also the defaults of endpoints saved before Reddit existed.
mod reddit_real {
    use url::Url;
    pub(super) fn api() -> Url {
        super::url("https://oauth.reddit.com")
    }
    pub(super) fn authorize() -> Url {
        super::url("https://www.reddit.com/api/v1/authorize")
    }
    pub(super) fn token() -> Url {
        super::url("https://www.reddit.com/api/v1/access_token")
    }
    pub(super) fn revoke() -> Url {
        super::url("https://www.reddit.com/api/v1/revoke_token")
    }
}

/// The real LinkedIn URLs, also the defaults of endpoints saved before LinkedIn existed.
mod linkedin_real {
    use url::Url;
    pub(super) fn api() -> Url {
        super::url("https://api.linkedin.com/rest")
    }
    pub(super) fn userinfo() -> Url {
        super::url("https://api.linkedin.com/v2/userinfo")
    }
    pub(super) fn authorize() -> Url {
        super::url("https://www.linkedin.com/oauth/v2/authorization")
    }
    pub(super) fn token() -> Url {
        super::url("https://www.linkedin.com/oauth/v2/accessToken")
    }
    pub(super) fn revoke() -> Url {
        super::url("https://www.linkedin.com/oauth/v2/revoke")
    }
}

#[allow(
    clippy::expect_used,
    reason = "the fallback is a constant URL literal that always parses; the literals below are checked by the tests"
)]
fn url(s: &str) -> Url {
    // The literals below are valid URLs; a parse failure is a typo caught by the tests.
    Url::parse(s).unwrap_or_else(|_| Url::parse("http://invalid.invalid").expect("static url"))
}

impl Endpoints {
    /// The platforms' real hosts.
    pub fn real() -> Self {
        Self {
            x_api: url("https://api.x.com"),
            x_authorize: url("https://x.com/i/oauth2/authorize"),
            x_token: url("https://api.x.com/2/oauth2/token"),
            graph_facebook: url(&format!("https://graph.facebook.com/{GRAPH_VERSION}")),
            graph_instagram: url(&format!("https://graph.instagram.com/{GRAPH_VERSION}")),
            facebook_authorize: url(&format!("https://www.facebook.com/{GRAPH_VERSION}/dialog/oauth")),
            instagram_authorize: url("https://www.instagram.com/oauth/authorize"),
            instagram_token: url("https://api.instagram.com/oauth/access_token"),
            instagram_graph_origin: url("https://graph.instagram.com"),
            tiktok_api: url("https://open.tiktokapis.com"),
            tiktok_authorize: url("https://www.tiktok.com/v2/auth/authorize/"),
            tiktok_business: url("https://business-api.tiktok.com/open_api/v1.3"),
            bluesky_appview: bluesky_real::appview(),
            bluesky_pds: bluesky_real::pds(),
            youtube_api: youtube_real::api(),
            youtube_analytics: youtube_real::analytics(),
            youtube_authorize: youtube_real::authorize(),
            youtube_token: youtube_real::token(),
            youtube_revoke: youtube_real::revoke(),
            sheets_api: youtube_real::sheets(),
            reddit_api: reddit_real::api(),
            reddit_authorize: reddit_real::authorize(),
            reddit_token: reddit_real::token(),
            reddit_revoke: reddit_real::revoke(),
            linkedin_api: linkedin_real::api(),
            linkedin_userinfo: linkedin_real::userinfo(),
            linkedin_authorize: linkedin_real::authorize(),
            linkedin_token: linkedin_real::token(),
            linkedin_revoke: linkedin_real::revoke(),
            threads_api: threads_real::api(),
            threads_authorize: threads_real::authorize(),
            threads_token: threads_real::token(),
            threads_origin: threads_real::origin(),
        }
    }

    /// Every endpoint on one origin (the sandbox), keeping the real paths.
    pub fn sandbox(base: &Url) -> Self {
        let b = base.as_str().trim_end_matches('/');
        Self {
            x_api: url(b),
            x_authorize: url(&format!("{b}/i/oauth2/authorize")),
            x_token: url(&format!("{b}/2/oauth2/token")),
            graph_facebook: url(&format!("{b}/{GRAPH_VERSION}")),
            graph_instagram: url(&format!("{b}/{GRAPH_VERSION}")),
            facebook_authorize: url(&format!("{b}/{GRAPH_VERSION}/dialog/oauth")),
            instagram_authorize: url(&format!("{b}/oauth/authorize")),
            instagram_token: url(&format!("{b}/oauth/access_token")),
            instagram_graph_origin: url(b),
            tiktok_api: url(b),
            tiktok_authorize: url(&format!("{b}/v2/auth/authorize/")),
            tiktok_business: url(&format!("{b}/open_api/v1.3")),
            bluesky_appview: url(&format!("{b}/xrpc")),
            bluesky_pds: url(&format!("{b}/xrpc")),
            // Real paths where they are unique on the shared origin; the Analytics `/v2`
            // and Google's bare `/token` would collide with TikTok's paths, so they get a prefix.
            youtube_api: url(&format!("{b}/youtube/v3")),
            youtube_analytics: url(&format!("{b}/youtubeanalytics/v2")),
            youtube_authorize: url(&format!("{b}/o/oauth2/v2/auth")),
            youtube_token: url(&format!("{b}/google/oauth2/token")),
            youtube_revoke: url(&format!("{b}/google/oauth2/revoke")),
            sheets_api: url(&format!("{b}/sheets/v4")),
            // Reddit's paths (`/api/v1/…`, `/user/…`, `/r/…`) collide with no other network's,
            // so both of its hosts keep their real paths on the shared origin.
            reddit_api: url(b),
            reddit_authorize: url(&format!("{b}/api/v1/authorize")),
            reddit_token: url(&format!("{b}/api/v1/access_token")),
            reddit_revoke: url(&format!("{b}/api/v1/revoke_token")),
            // LinkedIn keeps its real paths (`/rest/…`, `/oauth/v2/…`) except userinfo, whose
            // `/v2/` would fall among TikTok's paths: it gets a `/linkedin` prefix.
            linkedin_api: url(&format!("{b}/rest")),
            linkedin_userinfo: url(&format!("{b}/linkedin/v2/userinfo")),
            linkedin_authorize: url(&format!("{b}/oauth/v2/authorization")),
            linkedin_token: url(&format!("{b}/oauth/v2/accessToken")),
            linkedin_revoke: url(&format!("{b}/oauth/v2/revoke")),
            // Threads API calls use a Graph version path (`/v1.0`) and the sandbox tells them
            // from Instagram's by the token; the authorize and code-exchange paths would be
            // Instagram's, so they get a prefix. `/access_token` and `/refresh_access_token`
            // are shared and told apart by their `grant_type` (`th_…`).
            threads_api: url(&format!("{b}/v1.0")),
            threads_authorize: url(&format!("{b}/threads/oauth/authorize")),
            threads_token: url(&format!("{b}/threads/oauth/access_token")),
            threads_origin: url(b),
        }
    }
}

/// Joins `path` (starting with `/`) onto `base`, keeping any path `base` has
/// (`https://graph.facebook.com/v25.0` + `/me` → `.../v25.0/me`).
pub fn join(base: &Url, path: &str) -> Url {
    let mut u = base.clone();
    let joined = format!("{}{}", base.path().trim_end_matches('/'), path);
    u.set_path(&joined);
    u
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_and_sandbox_endpoints_parse() {
        let real = Endpoints::real();
        assert_eq!(real.x_token.as_str(), "https://api.x.com/2/oauth2/token");
        assert_ne!(real.graph_facebook.host_str(), Some("invalid.invalid"));
        assert_eq!(
            join(&real.bluesky_appview, "/app.bsky.actor.getProfile").as_str(),
            "https://public.api.bsky.app/xrpc/app.bsky.actor.getProfile"
        );
        assert_eq!(real.bluesky_pds.host_str(), Some("bsky.social"));
        let sb = Endpoints::sandbox(&Url::parse("http://127.0.0.1:9000/").expect("url"));
        assert_eq!(sb.graph_instagram.as_str(), "http://127.0.0.1:9000/v25.0");
        assert_eq!(
            join(&sb.graph_facebook, "/123/insights").as_str(),
            "http://127.0.0.1:9000/v25.0/123/insights"
        );
        assert_eq!(
            join(&sb.x_api, "/2/users/me").as_str(),
            "http://127.0.0.1:9000/2/users/me"
        );
        assert_eq!(real.youtube_revoke.as_str(), "https://oauth2.googleapis.com/revoke");
        assert_eq!(
            join(&real.reddit_api, "/api/v1/me").as_str(),
            "https://oauth.reddit.com/api/v1/me"
        );
        assert_eq!(sb.reddit_token.as_str(), "http://127.0.0.1:9000/api/v1/access_token");
        assert_eq!(
            join(&real.youtube_api, "/channels").as_str(),
            "https://www.googleapis.com/youtube/v3/channels"
        );
        assert_eq!(
            join(&sb.youtube_analytics, "/reports").as_str(),
            "http://127.0.0.1:9000/youtubeanalytics/v2/reports"
        );
    }
}
