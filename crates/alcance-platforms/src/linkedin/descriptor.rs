//! LinkedIn in the platform registry (see [`crate::registry`]), with its OAuth provider and
//! token revocation.

use super::LinkedInClient;
use crate::endpoints::Endpoints;
use crate::error::PlatformError;
use crate::governor::ApiFamily;
use crate::http::{Http, Recorder};
use crate::oauth::{OAuthApp, PkceEncoding, Provider, TokenStyle};
use crate::registry::{ClientDeps, ConnectKind, Follow, PlatformDescriptor, PlatformFuture, Renewal, RevokeCall};
use alcance_core::Platform;
use secrecy::{ExposeSecret, SecretString};
use std::sync::Arc;

/// The scopes Alcance requests (platform-apis-more.md §3.1): `openid` and `profile` (the
/// member through OIDC userinfo; product "Sign In with LinkedIn using OpenID Connect"),
/// `r_organization_social` (the page's posts, comments and reactions) and
/// `rw_organization_admin` (administered pages, follower and share statistics; LinkedIn also
/// documents a read-only `r_organization_admin`, but the statistics pages name the `rw_`
/// one). The last two come with the Community Management API, granted after review.
pub const SCOPES: &[&str] = &["openid", "profile", "r_organization_social", "rw_organization_admin"];

/// LinkedIn: OAuth 2.0 authorization code (3-legged) with the app secret, redirect to an
/// exact registered URL on the loopback (`http://127.0.0.1:8726/callback`; LinkedIn's
/// native-PKCE variant with any port is only for select partners), access tokens of 60
/// days. Refresh tokens (365 days from the first consent, not rotated) come only to apps
/// LinkedIn approved for programmatic refresh: a token set with one is refreshed before it
/// expires; without one the Accounts screen shows "expires soon" from 7 days before and the
/// page must be reconnected. Every organization page the member administers becomes an
/// owned account (see the module docs). Other organizations' pages cannot be followed.
pub static DESCRIPTOR: PlatformDescriptor = PlatformDescriptor {
    platform: Platform::Linkedin,
    connect: ConnectKind::OauthLoopback,
    provider: Some(provider),
    long_lived: None,
    token_permissions: &[],
    portal: "https://www.linkedin.com/developers/apps",
    redirect: "http://127.0.0.1:8726/callback",
    default_port: Some(8726),
    needs_secret: true,
    renewal: Renewal::RefreshBeforeExpiry,
    revoke: Some(revoke_grant),
    family: ApiFamily::LinkedIn,
    client: |deps: &ClientDeps<'_>| Arc::new(LinkedInClient::new(deps.http.clone(), deps.endpoints.clone())),
    follow: Follow::Unsupported(
        "LinkedIn's API reads statistics only of pages the member administers; other pages need LinkedIn's partner approval",
    ),
    help: "In the LinkedIn Developer Portal, create an app linked to your company page, add the products \"Sign In with LinkedIn using OpenID Connect\" and \"Community Management API\" (LinkedIn reviews the request; until it is approved, statistics, posts and reactions are refused and Alcance records them as data gaps), and add the redirect URL exactly as shown. You must be an ADMINISTRATOR of the page; every page you administer is connected, one account each. Access tokens last 60 days: without LinkedIn's approval for refresh tokens, reconnect before they expire.",
};

/// LinkedIn OAuth 2.0 (3-legged): authorize `e.linkedin_authorize`
/// (`www.linkedin.com/oauth/v2/authorization`), token `e.linkedin_token`
/// (`/oauth/v2/accessToken`, an RFC 6749 answer with `id_token` when `openid` was asked,
/// `refresh_token` only for approved apps) with `client_id` and `client_secret` in the form
/// body ([`TokenStyle::SecretInBody`]), scopes [`SCOPES`] space-separated. PKCE is sent as
/// for every provider; LinkedIn's standard flow does not use it (it ignores the parameters:
/// inferred, not documented).
pub fn provider(e: &Endpoints) -> Provider {
    Provider {
        authorize_url: e.linkedin_authorize.clone(),
        token_url: e.linkedin_token.clone(),
        style: TokenStyle::SecretInBody,
        extra_authorize_params: Vec::new(),
        default_scopes: SCOPES.iter().map(|s| (*s).to_string()).collect(),
        scope_separator: " ".into(),
        client_id_param: "client_id".into(),
        refresh_url: None,
        pkce: PkceEncoding::Base64Url,
    }
}

/// Revokes a LinkedIn access token: `POST {e.linkedin_revoke}` with the form
/// `client_id`, `client_secret`, `token` (never in the URL). Nothing is archived: the
/// request carries secrets.
///
/// Errors: [`PlatformError::OAuth`] without an app secret (LinkedIn requires it) or when
/// LinkedIn refuses (HTTP 4xx); [`PlatformError::Transport`] when no answer arrived.
pub async fn revoke(http: &Http, e: &Endpoints, app: &OAuthApp, token: &SecretString) -> Result<(), PlatformError> {
    let secret = app.client_secret.as_ref().ok_or_else(|| PlatformError::OAuth {
        message: "revoking a LinkedIn token needs the app's client secret".to_string(),
    })?;
    let request = http.client().post(e.linkedin_revoke.clone()).form(&[
        ("client_id", app.client_id.as_str()),
        ("client_secret", secret.expose_secret()),
        ("token", token.expose_secret()),
    ]);
    let answer = http.send(request, &Recorder::new()).await?;
    if answer.is_success() {
        Ok(())
    } else {
        Err(PlatformError::OAuth {
            message: format!(
                "LinkedIn refused to revoke the token: HTTP {} {}",
                answer.status,
                crate::error::body_preview(&answer.body)
            ),
        })
    }
}

/// The registry's revocation at disconnect: the access token (LinkedIn's endpoint revokes
/// access tokens), with the remembered app's id and secret.
///
/// Errors: [`PlatformError::OAuth`] when no app is remembered or it has no secret.
fn revoke_grant(c: RevokeCall<'_>) -> PlatformFuture<'_, ()> {
    Box::pin(async move {
        let app = c.app.ok_or_else(|| PlatformError::OAuth {
            message: "revoking a LinkedIn token needs the app's client id and secret; none is remembered".to_string(),
        })?;
        revoke(&c.http, c.endpoints, app, &c.tokens.access_token).await
    })
}
