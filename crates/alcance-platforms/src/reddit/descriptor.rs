//! Reddit in the platform registry (see [`crate::registry`]), with its OAuth provider and
//! token revocation.

use super::map::{parse_handle, Handle};
use super::RedditClient;
use crate::endpoints::Endpoints;
use crate::error::PlatformError;
use crate::governor::ApiFamily;
use crate::http::{Http, Recorder};
use crate::oauth::{PkceEncoding, Provider, TokenStyle};
use crate::registry::{
    ClientDeps, ConnectKind, Follow, Lookup, PlatformDescriptor, PlatformFuture, Renewal, RevokeCall,
};
use alcance_core::{Platform, Profile};
use secrecy::{ExposeSecret, SecretString};
use std::sync::Arc;

/// The scopes Alcance requests: `identity` (`/api/v1/me`), `read` (`/user/{name}/about`,
/// `/r/{sub}/about`, listings) and `history` (`/user/{name}/submitted`; that `submitted`
/// needs `history` is inferred from Reddit's scope list, platform-apis-more.md §2.1).
pub const SCOPES: &[&str] = &["identity", "read", "history"];

/// The loopback port Reddit apps register: Reddit matches the one redirect URI of an app
/// exactly, port and trailing slash included, so the port is fixed.
pub const DEFAULT_PORT: u16 = 8725;

/// Reddit: the OAuth 2.0 code flow of an **installed app** (no secret) in the browser with
/// `duration=permanent` (else no refresh token), a fixed loopback redirect
/// (`http://127.0.0.1:8725/callback`, registered exactly), the token endpoint called with
/// HTTP Basic `client_id:` (empty password), no PKCE (not documented by Reddit); access
/// tokens of about an hour (`expires_in` is trusted) refreshed before they expire with the
/// reusable refresh token; public users (`u/name`) and subreddits (`r/name`) followed by
/// handle.
pub static DESCRIPTOR: PlatformDescriptor = PlatformDescriptor {
    platform: Platform::Reddit,
    connect: ConnectKind::OauthLoopback,
    provider: Some(provider),
    long_lived: None,
    token_permissions: &[],
    portal: "https://www.reddit.com/prefs/apps",
    redirect: "http://127.0.0.1:8725/callback",
    default_port: Some(DEFAULT_PORT),
    needs_secret: false,
    renewal: Renewal::RefreshBeforeExpiry,
    revoke: Some(revoke_grant),
    family: ApiFamily::Reddit,
    client: |deps: &ClientDeps<'_>| Arc::new(RedditClient::new(deps.http.clone(), deps.endpoints.clone())),
    follow: Follow::ByHandle {
        // `r/` + a subreddit name (≤ 21), or `u/` + a user name (≤ 20), with a leading `/`.
        max_len: 24,
        allowed: |c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '/'),
        allowed_text: "letters, digits, _ and - (u/name for a user, r/name for a subreddit)",
        not_found: |handle| format!("no Reddit user or subreddit is {handle}"),
        lookup,
    },
    help: "Since November 2025 Reddit approves every new API app: request access under the Responsible Builder Policy first, then at reddit.com/prefs/apps create an app of type \"installed app\" with the redirect URI http://127.0.0.1:8725/callback (exactly) and paste its client id here (installed apps have no secret). Reddit allows 100 requests a minute per app, shared by everyone who uses it, so use your own app. Follow users as u/name and subreddits as r/name. Reddit serves karma, subscribers and per-post score, upvotes, upvote ratio, comments and crossposts; no views or reach.",
};

/// Reddit OAuth 2.0 for installed apps: authorize `e.reddit_authorize`
/// (`www.reddit.com/api/v1/authorize`) with `duration=permanent`, token `e.reddit_token`
/// (`www.reddit.com/api/v1/access_token`, [`TokenStyle::BasicAuth`]: HTTP Basic
/// `client_id:` with an empty password), scopes [`SCOPES`] space-separated, no PKCE
/// ([`PkceEncoding::Omitted`]).
pub fn provider(e: &Endpoints) -> Provider {
    Provider {
        authorize_url: e.reddit_authorize.clone(),
        token_url: e.reddit_token.clone(),
        style: TokenStyle::BasicAuth,
        extra_authorize_params: vec![("duration".to_string(), "permanent".to_string())],
        default_scopes: SCOPES.iter().map(|s| (*s).to_string()).collect(),
        scope_separator: " ".into(),
        client_id_param: "client_id".into(),
        refresh_url: None,
        pkce: PkceEncoding::Omitted,
    }
}

/// Revokes a Reddit refresh token (which ends its access tokens too): `POST
/// {e.reddit_revoke}` with HTTP Basic `client_id:` and the form
/// `token=…&token_type_hint=refresh_token` (never in the URL). Reddit answers 204, also
/// for a token it does not know (its OAuth2 wiki; so success does not prove the token
/// existed). Nothing is archived: the request carries the secret.
///
/// Errors: [`PlatformError::OAuth`] when Reddit refuses (401: wrong client id; any other
/// non-2xx); [`PlatformError::Transport`] when no answer arrived.
pub async fn revoke(http: &Http, e: &Endpoints, client_id: &str, token: &SecretString) -> Result<(), PlatformError> {
    let request = http
        .client()
        .post(e.reddit_revoke.clone())
        .basic_auth(client_id, Some(""))
        .header(reqwest::header::USER_AGENT, super::USER_AGENT)
        .form(&[("token", token.expose_secret()), ("token_type_hint", "refresh_token")]);
    let answer = http.send(request, &Recorder::new()).await?;
    if answer.is_success() {
        Ok(())
    } else {
        Err(PlatformError::OAuth {
            message: format!(
                "{}: Reddit refused to revoke the token: HTTP {} {}",
                answer.endpoint,
                answer.status,
                crate::error::body_preview(&answer.body)
            ),
        })
    }
}

/// `u/name` (or a bare name) → `GET /user/{name}/about`; `r/name` → `GET /r/{name}/about`.
/// A suspended user is not found (nothing to follow).
fn lookup(l: Lookup<'_>) -> PlatformFuture<'_, Profile> {
    Box::pin(async move {
        let client = RedditClient::new(l.http, l.endpoints.clone());
        match parse_handle(l.handle) {
            Some(Handle::Subreddit(name)) => Ok(client.subreddit(l.token, &name, l.recorder).await?.profile()),
            Some(Handle::User(name)) => {
                let user = client.user(l.token, &name, l.recorder).await?;
                if user.suspended {
                    return Err(PlatformError::NotFound {
                        message: format!("/user/{name}/about: u/{name} is suspended"),
                    });
                }
                Ok(user.profile())
            }
            None => Err(PlatformError::NotFound {
                message: format!("{:?} is not a Reddit handle (u/name or r/name)", l.handle),
            }),
        }
    })
}

/// The registry's revocation at disconnect: the refresh token (`duration=permanent` grants
/// always have one; revoking it ends its access tokens too), else the access token, with
/// the remembered app's client id.
///
/// Errors: [`PlatformError::OAuth`] when no app is remembered (Reddit needs the client id).
fn revoke_grant(c: RevokeCall<'_>) -> PlatformFuture<'_, ()> {
    Box::pin(async move {
        let app = c.app.ok_or_else(|| PlatformError::OAuth {
            message: "revoking a Reddit token needs the app's client id; none is remembered".to_string(),
        })?;
        let token = c.tokens.refresh_token.as_ref().unwrap_or(&c.tokens.access_token);
        revoke(&c.http, c.endpoints, &app.client_id, token).await
    })
}
