//! Per-platform OAuth endpoints and dialects (platform-apis.md §1.2, §2.2, §4.1, §6.1).

use crate::endpoints::{join, Endpoints};
use url::Url;

/// How a platform's token endpoint is called and what it answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenStyle {
    /// RFC 6749: `POST` form to the token endpoint, JSON answer
    /// `{access_token, token_type, expires_in?, refresh_token?, scope?}` (X; TikTok Display
    /// adds `open_id`, `refresh_expires_in`). Refresh with `grant_type=refresh_token`.
    Standard,
    /// Instagram API with Instagram Login: `POST` form (`client_id`, `client_secret`,
    /// `grant_type=authorization_code`, `redirect_uri`, `code`) to
    /// `api.instagram.com/oauth/access_token`; answer `{access_token, user_id, permissions}`
    /// or `{data:[{access_token, user_id, permissions}]}`; a short-lived (1 h) token.
    /// Refresh = `GET graph.instagram.com/refresh_access_token?grant_type=ig_refresh_token`.
    InstagramLogin,
    /// Facebook Login: `GET /oauth/access_token?client_id&redirect_uri&client_secret&code`
    /// → `{access_token, token_type, expires_in}`. No refresh token; long-lived tokens come
    /// from `grant_type=fb_exchange_token`.
    FacebookGraph,
    /// RFC 6749 answers, but the client always authenticates with HTTP Basic
    /// `client_id:client_secret` at the token endpoint, with an **empty** secret for
    /// installed apps (`client_id:`), and sends no `client_id` in the form; a refusal may
    /// come with HTTP 200 (`{"error":"invalid_grant"}`). Code exchange: `grant_type=
    /// authorization_code&code&redirect_uri`; refresh: `grant_type=refresh_token
    /// &refresh_token` (Reddit; its refresh tokens are reusable, so an answer without one
    /// keeps the old).
    BasicAuth,
    /// RFC 6749 answers, but the client authenticates with `client_id` and `client_secret`
    /// in the form body (`client_secret_post`), never HTTP Basic: LinkedIn's
    /// `/oauth/v2/accessToken` (its docs show only the form body; integrators report Basic
    /// refused). Refresh with `grant_type=refresh_token` the same way.
    SecretInBody,
    /// Threads: the code exchange is Instagram Login's (`POST` form with `client_id`,
    /// `client_secret`, `grant_type=authorization_code`, `redirect_uri`, `code` →
    /// `{access_token, user_id}`, a 1 h token) at `graph.threads.net/oauth/access_token`;
    /// the long-lived exchange is `grant_type=th_exchange_token` and the refresh
    /// `GET graph.threads.net/refresh_access_token?grant_type=th_refresh_token`
    /// (platform-apis-more.md §4.1).
    Threads,
}

/// How the PKCE S256 challenge is encoded in the authorize URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PkceEncoding {
    /// RFC 7636: `BASE64URL(SHA256(verifier))` without padding (every platform's docs).
    Base64Url,
    /// Lower-case hex of `SHA256(verifier)`: reported by some integrators for TikTok's
    /// desktop flow (platform-apis.md §6.1, unverified). Not used by default.
    Hex,
    /// No PKCE at all: no challenge in the authorize URL and no verifier in the code
    /// exchange, for authorization servers that do not document it (Reddit: its OAuth2
    /// wiki lists every authorize parameter and PKCE is not among them; `state` and the
    /// exact loopback redirect still protect the flow).
    Omitted,
}

/// One platform's OAuth authorization server, as Alcance talks to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provider {
    /// The consent page (`https://x.com/i/oauth2/authorize`, ...).
    pub authorize_url: Url,
    /// The code exchange endpoint (`https://api.x.com/2/oauth2/token`, ...).
    pub token_url: Url,
    /// How the token endpoint is called and answers.
    pub style: TokenStyle,
    /// Extra query parameters for the authorize URL (name, value), appended as given.
    pub extra_authorize_params: Vec<(String, String)>,
    /// Scopes requested when [`super::OAuthApp::scopes`] is empty.
    pub default_scopes: Vec<String>,
    /// How scopes are joined in the `scope` parameter: `" "` (RFC 6749, X) or `","`
    /// (Meta, Instagram Login, TikTok).
    pub scope_separator: String,
    /// Name of the client id parameter in the authorize URL and token form: `client_id`,
    /// or `client_key` for TikTok.
    pub client_id_param: String,
    /// Where tokens are refreshed when that is not `token_url`: Instagram Login's
    /// `{instagram_graph_origin}/refresh_access_token`. `None` elsewhere.
    pub refresh_url: Option<Url>,
    /// How the S256 challenge is encoded.
    pub pkce: PkceEncoding,
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_string()).collect()
}

impl Provider {
    /// X OAuth 2.0 (public client + PKCE): authorize `e.x_authorize`, token `e.x_token`,
    /// scopes `tweet.read users.read offline.access` (space-separated; `offline.access`
    /// yields the refresh token; access tokens live 2 h).
    pub fn x(e: &Endpoints) -> Provider {
        Provider {
            authorize_url: e.x_authorize.clone(),
            token_url: e.x_token.clone(),
            style: TokenStyle::Standard,
            extra_authorize_params: Vec::new(),
            default_scopes: strings(&["tweet.read", "users.read", "offline.access"]),
            scope_separator: " ".into(),
            client_id_param: "client_id".into(),
            refresh_url: None,
            pkce: PkceEncoding::Base64Url,
        }
    }

    /// Instagram API with Instagram Login: authorize `e.instagram_authorize`, token
    /// `e.instagram_token`, refresh `{e.instagram_graph_origin}/refresh_access_token`,
    /// scopes `instagram_business_basic,instagram_business_manage_insights`.
    pub fn instagram_login(e: &Endpoints) -> Provider {
        Provider {
            authorize_url: e.instagram_authorize.clone(),
            token_url: e.instagram_token.clone(),
            style: TokenStyle::InstagramLogin,
            extra_authorize_params: Vec::new(),
            default_scopes: strings(&["instagram_business_basic", "instagram_business_manage_insights"]),
            scope_separator: ",".into(),
            client_id_param: "client_id".into(),
            refresh_url: Some(join(&e.instagram_graph_origin, "/refresh_access_token")),
            pkce: PkceEncoding::Base64Url,
        }
    }

    /// Threads: authorize `e.threads_authorize` (`https://threads.net/oauth/authorize`),
    /// token `e.threads_token`, refresh `{e.threads_origin}/refresh_access_token`, scopes
    /// `threads_basic,threads_manage_insights` (comma-separated). Threads accepts only
    /// HTTPS redirect URIs, so the code comes back through a hosted callback page and the
    /// `alcance://threads/callback` deep link, not the loopback listener. The authorize URL
    /// carries a PKCE challenge like the others; Threads documents no PKCE and is expected
    /// to ignore it (inferred, platform-apis-more.md §4.1 "(verify)").
    pub fn threads(e: &Endpoints) -> Provider {
        Provider {
            authorize_url: e.threads_authorize.clone(),
            token_url: e.threads_token.clone(),
            style: TokenStyle::Threads,
            extra_authorize_params: Vec::new(),
            default_scopes: strings(&["threads_basic", "threads_manage_insights"]),
            scope_separator: ",".into(),
            client_id_param: "client_id".into(),
            refresh_url: Some(join(&e.threads_origin, "/refresh_access_token")),
            pkce: PkceEncoding::Base64Url,
        }
    }

    /// Facebook Login (code flow on the loopback redirect): authorize
    /// `e.facebook_authorize`, token `{e.graph_facebook}/oauth/access_token`, scopes for
    /// Page and Instagram insights: `pages_show_list, pages_read_engagement, read_insights,
    /// instagram_basic, instagram_manage_insights, business_management`.
    ///
    /// Meta's documented desktop pattern is an app-owned webview with
    /// `login_success.html` and `response_type=token` (DESIGN.md); that flow lives in the
    /// desktop shell. This provider serves the sandbox and apps that register a loopback URI.
    pub fn facebook_login(e: &Endpoints) -> Provider {
        Provider {
            authorize_url: e.facebook_authorize.clone(),
            token_url: join(&e.graph_facebook, "/oauth/access_token"),
            style: TokenStyle::FacebookGraph,
            extra_authorize_params: Vec::new(),
            default_scopes: strings(&[
                "pages_show_list",
                "pages_read_engagement",
                "read_insights",
                "instagram_basic",
                "instagram_manage_insights",
                "business_management",
            ]),
            scope_separator: ",".into(),
            client_id_param: "client_id".into(),
            refresh_url: None,
            pkce: PkceEncoding::Base64Url,
        }
    }

    /// TikTok Login Kit for Desktop + Display API v2: authorize `e.tiktok_authorize`, token
    /// `{e.tiktok_api}/v2/oauth/token/`, `client_key` instead of `client_id`, comma-separated
    /// scopes `user.info.basic,user.info.profile,user.info.stats,video.list`; PKCE required;
    /// refresh tokens rotate (always keep the newest).
    pub fn tiktok(e: &Endpoints) -> Provider {
        Provider {
            authorize_url: e.tiktok_authorize.clone(),
            token_url: join(&e.tiktok_api, "/v2/oauth/token/"),
            style: TokenStyle::Standard,
            extra_authorize_params: Vec::new(),
            default_scopes: strings(&["user.info.basic", "user.info.profile", "user.info.stats", "video.list"]),
            scope_separator: ",".into(),
            client_id_param: "client_key".into(),
            refresh_url: None,
            pkce: PkceEncoding::Base64Url,
        }
    }

    /// `true` when the `oauth2` crate can run the token requests unchanged (RFC 6749 answer
    /// and the standard `client_id` parameter).
    pub(crate) fn is_rfc6749(&self) -> bool {
        self.style == TokenStyle::Standard && self.client_id_param == "client_id"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_providers_point_at_the_documented_endpoints() {
        let e = Endpoints::real();
        assert_eq!(Provider::x(&e).token_url.as_str(), "https://api.x.com/2/oauth2/token");
        assert_eq!(
            Provider::tiktok(&e).token_url.as_str(),
            "https://open.tiktokapis.com/v2/oauth/token/"
        );
        assert_eq!(
            Provider::facebook_login(&e).token_url.as_str(),
            "https://graph.facebook.com/v25.0/oauth/access_token"
        );
        let ig = Provider::instagram_login(&e);
        assert_eq!(
            ig.refresh_url.as_ref().map(Url::as_str),
            Some("https://graph.instagram.com/refresh_access_token")
        );
        assert!(Provider::x(&e).is_rfc6749());
        assert!(!Provider::tiktok(&e).is_rfc6749());
        assert!(!ig.is_rfc6749());
        let th = Provider::threads(&e);
        assert_eq!(th.authorize_url.as_str(), "https://threads.net/oauth/authorize");
        assert_eq!(th.token_url.as_str(), "https://graph.threads.net/oauth/access_token");
        assert_eq!(
            th.refresh_url.as_ref().map(Url::as_str),
            Some("https://graph.threads.net/refresh_access_token")
        );
        assert!(!th.is_rfc6749());
    }
}
