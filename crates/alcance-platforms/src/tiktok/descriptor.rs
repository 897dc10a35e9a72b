//! TikTok in the platform registry (see [`crate::registry`]).

use super::{TikTokBusinessClient, TikTokClient};
use crate::governor::ApiFamily;
use crate::oauth::Provider;
use crate::registry::{
    post_revocation, ClientDeps, ConnectKind, Follow, PlatformDescriptor, PlatformFuture, Renewal, RevokeCall,
};
use alcance_core::Platform;
use secrecy::ExposeSecret;
use std::sync::Arc;

/// TikTok: Login Kit for Desktop (loopback, any port, PKCE), 2-hour access tokens with
/// rotating refresh tokens; the client also reads the API for Business for accounts that
/// have a Business token.
pub static DESCRIPTOR: PlatformDescriptor = PlatformDescriptor {
    platform: Platform::Tiktok,
    connect: ConnectKind::OauthLoopback,
    provider: Some(Provider::tiktok),
    long_lived: None,
    token_permissions: &[],
    portal: "https://developers.tiktok.com/apps/",
    redirect: "http://127.0.0.1:*/callback/",
    default_port: None,
    needs_secret: true,
    renewal: Renewal::RefreshBeforeExpiry,
    revoke: Some(revoke_grant),
    family: ApiFamily::TikTok,
    client: |deps: &ClientDeps<'_>| {
        Arc::new(
            TikTokClient::new(deps.http.clone(), deps.endpoints.clone()).with_business(
                TikTokBusinessClient::new(deps.http.clone(), deps.endpoints.clone()),
                deps.tiktok_business.clone(),
            ),
        )
    },
    follow: Follow::Unsupported(
        "the Display API and the API for Business read only the connected account's own profile and videos",
    ),
    help: "Register a Login Kit for Desktop app: loopback redirects only (a port is required, a wildcard port is allowed) and PKCE is mandatory.",
};

/// The registry's revocation at disconnect: `POST /v2/oauth/revoke/` with the client key,
/// the client secret and the access token (TikTok ends the grant, its refresh token
/// included).
///
/// Errors: [`crate::PlatformError::OAuth`] when no app or secret is remembered (TikTok
/// needs both) or TikTok refuses.
fn revoke_grant(c: RevokeCall<'_>) -> PlatformFuture<'_, ()> {
    Box::pin(async move {
        let missing = || crate::PlatformError::OAuth {
            message: "revoking a TikTok token needs the app's client key and secret; none is remembered".to_string(),
        };
        let app = c.app.ok_or_else(missing)?;
        let secret = app.client_secret.as_ref().ok_or_else(missing)?;
        let url = c
            .endpoints
            .tiktok_api
            .join("/v2/oauth/revoke/")
            .map_err(|e| crate::PlatformError::OAuth {
                message: format!("no TikTok revocation address: {e}"),
            })?;
        let form = [
            ("client_key", app.client_id.as_str()),
            ("client_secret", secret.expose_secret()),
            ("token", c.tokens.access_token.expose_secret()),
        ];
        post_revocation(&c.http, url, &form, "TikTok").await
    })
}
