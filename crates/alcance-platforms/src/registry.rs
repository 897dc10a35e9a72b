//! The platform registry: every platform described once, in a [`PlatformDescriptor`] that
//! lives in its own folder (`x/descriptor.rs`, `instagram/descriptor.rs`, ...), and read by
//! every layer: the app builds its clients, connect flows and token renewal from it, and
//! the desktop UI lists platforms, labels, connect forms and help from [`PlatformInfo`].
//!
//! [`get`] matches on [`Platform`] exhaustively, so a new variant in `alcance-core` does not
//! compile until it has a descriptor; [`all`] follows [`Platform::ALL`] (display order).

use crate::endpoints::Endpoints;
use crate::error::PlatformError;
use crate::governor::ApiFamily;
use crate::http::{Http, Recorder};
use crate::oauth::{OAuthApp, Provider, TokenSet};
use crate::tiktok::BusinessTokens;
use crate::{bluesky, facebook, instagram, linkedin, reddit, threads, tiktok, whatsapp, x, youtube, PlatformClient};
use alcance_core::catalog::{Metric, CATALOG};
use alcance_core::{Platform, Profile};
use secrecy::SecretString;
use serde::Serialize;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

/// How the user connects an owned account of a platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ConnectKind {
    /// OAuth 2.0 authorization code + PKCE in the browser, loopback redirect on 127.0.0.1
    /// (`Workspace::connect`): X, Instagram Login, TikTok Login Kit.
    OauthLoopback,
    /// Facebook Login (code flow on the loopback redirect), long-lived user token, then one
    /// account per managed Page with its Page token (`Workspace::connect_facebook`).
    FacebookPages,
    /// An access token the user pastes with the business account id, validated by one call
    /// (`Workspace::connect_whatsapp`: a WhatsApp system-user token and WABA id).
    AccessToken,
    /// A handle and an app password the user pasted, exchanged once for a session whose
    /// tokens go to the vault; the password is not kept (`Workspace::connect_bluesky`:
    /// Bluesky `createSession`).
    AppPassword,
    /// OAuth whose redirect must be HTTPS, so no loopback listener: a long-lived token the
    /// user pastes (validated by one call, `Workspace::connect_threads_token`), or an
    /// authorization code a hosted HTTPS callback page hands back through the
    /// `alcance://<platform>/callback` deep link (`Workspace::connect_threads_code`):
    /// Threads.
    HttpsRedirect,
}

/// When and how a platform's stored token is renewed before a collection (the durations
/// are `alcance_app::tokens::RefreshRules`; platform-apis.md §1.2, §2.2, §4.1, §6.1).
/// Two renewals are equal when they are of the same kind (the function a
/// [`Renewal::RefreshSession`] carries is not compared).
#[derive(Debug, Clone, Copy)]
pub enum Renewal {
    /// Short-lived access token (2 h) renewed with `grant_type=refresh_token` shortly
    /// before it expires; the answer may rotate the refresh token, so a renewed set that
    /// cannot be saved needs re-authorization (X, TikTok).
    RefreshBeforeExpiry,
    /// Long-lived token (60 days) refreshed once it is old enough, with the token itself
    /// (no developer app needed): Instagram Login's `ig_refresh_token`.
    RefreshWhenAged,
    /// Long-lived token without a refresh token, re-exchanged (`fb_exchange_token`, needs
    /// the app secret) when it expires within a window: Facebook.
    ExchangeBeforeExpiry,
    /// Never renewed; an expired token needs re-authorization (WhatsApp system-user token).
    Never,
    /// A session renewed with its own refresh token through the platform's session call
    /// (not OAuth) shortly before the access token expires; the refresh token rotates and
    /// the old one is revoked, so the renewed set is stored before use (Bluesky
    /// `com.atproto.server.refreshSession`: access JWT about 2 h, inferred).
    RefreshSession(SessionRefresh),
}

impl PartialEq for Renewal {
    fn eq(&self, other: &Self) -> bool {
        std::mem::discriminant(self) == std::mem::discriminant(other)
    }
}

impl Eq for Renewal {}

/// Renews a session from its stored set (endpoints, the set: its refresh token and, for a
/// bound session, its [`TokenSet::binding`]) → the new set.
pub type SessionRefresh = for<'a> fn(&'a Endpoints, &'a TokenSet) -> PlatformFuture<'a, TokenSet>;

/// One revocation: the stored token set of the account being disconnected and, where the
/// platform needs it, the developer app remembered for it.
pub struct RevokeCall<'a> {
    /// A fresh HTTP layer for the call (nothing is archived: the request carries a secret).
    pub http: Http,
    /// Where the APIs live.
    pub endpoints: &'a Endpoints,
    /// The developer app remembered for the platform (`None` when none was remembered).
    pub app: Option<&'a OAuthApp>,
    /// The stored set: access token, refresh token, binding.
    pub tokens: &'a TokenSet,
}

/// Revokes a stored grant at the platform's revocation endpoint.
pub type Revoke = for<'a> fn(RevokeCall<'a>) -> PlatformFuture<'a, ()>;

/// `POST url` with `form` (the token and the app's identifiers, in the body, never the
/// URL), answered with any 2xx: the RFC 7009-style revocation X and TikTok serve. Nothing
/// is archived (the request carries the secret); `who` names the platform in errors.
///
/// Errors: [`PlatformError::OAuth`] when the platform refuses (its status and body
/// preview, which never echo the token); [`PlatformError::Transport`] when no answer came.
pub(crate) async fn post_revocation(
    http: &Http,
    url: url::Url,
    form: &[(&str, &str)],
    who: &str,
) -> Result<(), PlatformError> {
    let answer = http.send(http.client().post(url).form(form), &Recorder::new()).await?;
    if answer.is_success() {
        return Ok(());
    }
    Err(PlatformError::OAuth {
        message: format!(
            "{who} refused to revoke the token: HTTP {} {}",
            answer.status,
            crate::error::body_preview(&answer.body)
        ),
    })
}

/// What a client constructor gets: the workspace's shared HTTP layer (one rate-limit
/// governor for every client) and endpoints, plus the extra sources some clients read.
pub struct ClientDeps<'a> {
    /// The shared HTTP layer.
    pub http: &'a Http,
    /// Where the APIs live (real hosts or the sandbox).
    pub endpoints: &'a Endpoints,
    /// TikTok API-for-Business tokens (read by the TikTok client for accounts that have one).
    pub tiktok_business: Arc<dyn BusinessTokens>,
}

/// A boxed future of a platform call (the lookups and exchanges a descriptor points to).
pub type PlatformFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, PlatformError>> + Send + 'a>>;

/// One profile lookup by handle, with an owned account's token.
pub struct Lookup<'a> {
    /// A fresh HTTP layer for the call.
    pub http: Http,
    /// Where the APIs live.
    pub endpoints: &'a Endpoints,
    /// The owned account's access token.
    pub token: &'a SecretString,
    /// The owned account's platform id (Instagram's business discovery reads through it).
    pub owner_external_id: &'a str,
    /// The handle, checked and without `@`.
    pub handle: &'a str,
    /// Where the exchanges are archived.
    pub recorder: &'a Recorder,
}

/// Following public profiles the user does not manage (influencers, competitors).
#[derive(Clone, Copy)]
pub enum Follow {
    /// Profiles are found by handle and collected with an owned account's token.
    ByHandle {
        /// Longest legal handle, in characters.
        max_len: usize,
        /// Whether a character may appear in a handle.
        allowed: fn(char) -> bool,
        /// The legal characters, for messages ("letters, digits and _").
        allowed_text: &'static str,
        /// The message when no profile has the handle (argument: the handle).
        not_found: fn(&str) -> String,
        /// Finds the profile: `external_id`, `username`, `display_name` (`username` may be
        /// `None`: the handle is used).
        lookup: for<'a> fn(Lookup<'a>) -> PlatformFuture<'a, Profile>,
    },
    /// The platform's API reads only accounts the user manages; the reason, for messages.
    Unsupported(&'static str),
}

impl std::fmt::Debug for Follow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Follow::ByHandle { max_len, .. } => f.debug_struct("ByHandle").field("max_len", max_len).finish(),
            Follow::Unsupported(why) => f.debug_tuple("Unsupported").field(why).finish(),
        }
    }
}

/// Exchanges a freshly authorized token for a long-lived one with the app secret
/// (Instagram Login): endpoints, client secret, short-lived token.
pub type LongLived = for<'a> fn(&'a Endpoints, &'a SecretString, &'a SecretString) -> PlatformFuture<'a, TokenSet>;

/// Everything Alcance knows about one platform, in one place.
#[derive(Debug)]
pub struct PlatformDescriptor {
    /// Which platform.
    pub platform: Platform,
    /// How an owned account connects.
    pub connect: ConnectKind,
    /// The OAuth authorization server on given endpoints; `None` for [`ConnectKind::AccessToken`]
    /// and [`ConnectKind::AppPassword`].
    pub provider: Option<fn(&Endpoints) -> Provider>,
    /// After the browser flow, the exchange for a long-lived token (used when the app has a
    /// secret); `None` when the authorized token is kept as it is.
    pub long_lived: Option<LongLived>,
    /// The permissions a pasted token needs ([`ConnectKind::AccessToken`]); OAuth platforms
    /// request their provider's default scopes instead.
    pub token_permissions: &'static [&'static str],
    /// Where the user creates the developer app or the token.
    pub portal: &'static str,
    /// The redirect URI to register, as shown to the user (`"—"` for access tokens).
    pub redirect: &'static str,
    /// The loopback port to use when the user gives none (X matches the registered
    /// callback exactly, port included); `None`: an ephemeral port.
    pub default_port: Option<u16>,
    /// Whether the connect form asks for the app secret.
    pub needs_secret: bool,
    /// How its tokens are renewed.
    pub renewal: Renewal,
    /// Ends the grant at the platform when the last account using a token is disconnected
    /// or deleted (best effort: the vault entry goes anyway); `None` where Alcance does not
    /// revoke (the token lapses at its own expiry).
    pub revoke: Option<Revoke>,
    /// The rate-limit family its API requests fall in (see [`crate::governor`]).
    pub family: ApiFamily,
    /// Builds the collector's client.
    pub client: fn(&ClientDeps<'_>) -> Arc<dyn PlatformClient>,
    /// Whether and how public profiles are followed.
    pub follow: Follow,
    /// Connect help in English (translations: `platformHelp` in `ui/src/lib/i18n.ts`).
    pub help: &'static str,
}

impl PlatformDescriptor {
    /// Human label ("X", "TikTok").
    pub fn label(&self) -> &'static str {
        self.platform.label()
    }

    /// The OAuth provider on `endpoints`, when the platform connects through one.
    pub fn provider(&self, endpoints: &Endpoints) -> Option<Provider> {
        self.provider.map(|p| p(endpoints))
    }

    /// The scopes requested (OAuth) or the permissions a pasted token needs.
    pub fn scopes(&self) -> Vec<String> {
        match self.provider(&Endpoints::real()) {
            Some(p) => p.default_scopes,
            None => self.token_permissions.iter().map(|s| (*s).to_string()).collect(),
        }
    }

    /// The catalog entries with a source field on this platform.
    pub fn catalog(&self) -> impl Iterator<Item = &'static Metric> + '_ {
        CATALOG
            .iter()
            .filter(move |m| m.sources.iter().any(|s| s.platform == self.platform))
    }

    /// What the UI shows about the platform.
    pub fn info(&self) -> PlatformInfo {
        PlatformInfo {
            key: self.platform,
            label: self.label().to_string(),
            connect: self.connect,
            help: self.help.to_string(),
            portal: self.portal.to_string(),
            scopes: self.scopes(),
            redirect: self.redirect.to_string(),
            port: self.default_port,
            needs_secret: self.needs_secret,
            can_follow: matches!(self.follow, Follow::ByHandle { .. }),
        }
    }
}

/// A platform as the UI lists it (the `platforms` command).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlatformInfo {
    /// The platform key (`x`, `instagram`, ...).
    pub key: Platform,
    /// Human label, the same in every language ("X", "TikTok").
    pub label: String,
    /// Which connect form to show.
    pub connect: ConnectKind,
    /// Connect help in English (translations: `platformHelp` in `ui/src/lib/i18n.ts`).
    pub help: String,
    /// Developer portal URL.
    pub portal: String,
    /// OAuth scopes requested, or the permissions the pasted token needs.
    pub scopes: Vec<String>,
    /// Redirect URI to register (`"—"` for access tokens).
    pub redirect: String,
    /// Default loopback port; `null`: an ephemeral one.
    pub port: Option<u16>,
    /// Whether the form asks for the app secret.
    pub needs_secret: bool,
    /// Whether public profiles can be followed by handle.
    pub can_follow: bool,
}

/// The descriptor of `platform`.
pub fn get(platform: Platform) -> &'static PlatformDescriptor {
    match platform {
        Platform::X => &x::DESCRIPTOR,
        Platform::Facebook => &facebook::DESCRIPTOR,
        Platform::Instagram => &instagram::DESCRIPTOR,
        Platform::Whatsapp => &whatsapp::DESCRIPTOR,
        Platform::Tiktok => &tiktok::DESCRIPTOR,
        Platform::Youtube => &youtube::DESCRIPTOR,
        Platform::Bluesky => &bluesky::DESCRIPTOR,
        Platform::Reddit => &reddit::DESCRIPTOR,
        Platform::Linkedin => &linkedin::DESCRIPTOR,
        Platform::Threads => &threads::DESCRIPTOR,
    }
}

/// Every descriptor, in display order ([`Platform::ALL`]).
pub fn all() -> impl Iterator<Item = &'static PlatformDescriptor> {
    Platform::ALL.into_iter().map(get)
}

/// What the UI shows about every platform, in display order.
pub fn infos() -> Vec<PlatformInfo> {
    all().map(PlatformDescriptor::info).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::endpoints::join;

    #[test]
    fn every_platform_has_its_own_descriptor() {
        for p in Platform::ALL {
            assert_eq!(get(p).platform, p);
        }
        assert_eq!(all().count(), Platform::ALL.len());
    }

    #[test]
    fn oauth_platforms_have_a_provider_and_token_ones_permissions() {
        for d in all() {
            match d.connect {
                ConnectKind::AccessToken | ConnectKind::AppPassword => {
                    assert!(d.provider.is_none(), "{}", d.platform);
                    assert!(!d.token_permissions.is_empty(), "{}", d.platform);
                }
                _ => assert!(d.provider.is_some(), "{}", d.platform),
            }
            assert!(!d.scopes().is_empty(), "{}", d.platform);
            assert!(d.catalog().next().is_some(), "{} has no catalog entry", d.platform);
        }
    }

    #[test]
    fn the_family_matches_the_real_api_host() {
        let e = Endpoints::real();
        let host = |u: &url::Url| ApiFamily::of(u.host_str(), u.path());
        assert_eq!(host(&e.x_api), get(Platform::X).family);
        assert_eq!(host(&e.graph_facebook), get(Platform::Facebook).family);
        assert_eq!(host(&e.graph_instagram), get(Platform::Instagram).family);
        assert_eq!(host(&e.graph_facebook), get(Platform::Whatsapp).family);
        assert_eq!(host(&e.tiktok_api), get(Platform::Tiktok).family);
        assert_eq!(host(&join(&e.youtube_api, "/channels")), get(Platform::Youtube).family);
        assert_eq!(host(&e.youtube_analytics), get(Platform::Youtube).family);
        assert_eq!(host(&e.bluesky_appview), get(Platform::Bluesky).family);
        assert_eq!(host(&e.bluesky_pds), get(Platform::Bluesky).family);
        assert_eq!(host(&e.reddit_api), get(Platform::Reddit).family);
        assert_eq!(host(&join(&e.linkedin_api, "/posts")), get(Platform::Linkedin).family);
        assert_eq!(host(&e.linkedin_userinfo), get(Platform::Linkedin).family);
        let sb = Endpoints::sandbox(&url::Url::parse("http://127.0.0.1:9/").expect("url"));
        assert_eq!(host(&join(&sb.linkedin_api, "/posts")), get(Platform::Linkedin).family);
        assert_eq!(host(&sb.linkedin_userinfo), get(Platform::Linkedin).family);
        assert_eq!(host(&e.threads_api), get(Platform::Threads).family);
        let sb = Endpoints::sandbox(&url::Url::parse("http://127.0.0.1:9000/").expect("url"));
        assert_eq!(host(&join(&sb.threads_api, "/me")), get(Platform::Threads).family);
    }

    #[test]
    fn clients_are_built_for_their_platform() {
        let http = Http::new().expect("http");
        let endpoints = Endpoints::real();
        let deps = ClientDeps {
            http: &http,
            endpoints: &endpoints,
            tiktok_business: Arc::new(std::collections::HashMap::<String, SecretString>::new()),
        };
        for d in all() {
            assert_eq!((d.client)(&deps).platform(), d.platform);
        }
    }

    #[test]
    fn infos_serialize_as_the_ui_reads_them() {
        let x = serde_json::to_value(get(Platform::X).info()).expect("json");
        assert_eq!(x["key"], "x");
        assert_eq!(x["connect"], "oauth_loopback");
        assert_eq!(x["port"], 8719);
        let wa = serde_json::to_value(get(Platform::Whatsapp).info()).expect("json");
        assert_eq!(wa["connect"], "access_token");
        assert_eq!(wa["can_follow"], false);
        let bs = serde_json::to_value(get(Platform::Bluesky).info()).expect("json");
        assert_eq!(bs["connect"], "app_password");
        assert_eq!(bs["can_follow"], true);
        let rd = serde_json::to_value(get(Platform::Reddit).info()).expect("json");
        assert_eq!(rd["connect"], "oauth_loopback");
        assert_eq!(rd["port"], 8725);
        assert_eq!(rd["needs_secret"], false);
        assert_eq!(rd["can_follow"], true);
        let li = serde_json::to_value(get(Platform::Linkedin).info()).expect("json");
        assert_eq!(li["connect"], "oauth_loopback");
        assert_eq!(li["can_follow"], false);
        assert_eq!(li["port"], 8726);
        let th = serde_json::to_value(get(Platform::Threads).info()).expect("json");
        assert_eq!(th["connect"], "https_redirect");
        assert_eq!(th["needs_secret"], true);
        assert_eq!(
            th["scopes"],
            serde_json::json!(["threads_basic", "threads_manage_insights"])
        );
    }
}
