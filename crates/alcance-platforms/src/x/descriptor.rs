//! X in the platform registry (see [`crate::registry`]).

use super::XClient;
use crate::governor::ApiFamily;
use crate::oauth::{Provider, DEFAULT_X_PORT};
use crate::registry::{
    post_revocation, ClientDeps, ConnectKind, Follow, Lookup, PlatformDescriptor, PlatformFuture, Renewal, RevokeCall,
};
use alcance_core::{Platform, Profile};
use secrecy::ExposeSecret;
use std::sync::Arc;

/// X API v2: OAuth 2.0 public client + PKCE on a fixed, registered loopback port; 2-hour
/// access tokens renewed with `offline.access`; profiles followed by handle.
pub static DESCRIPTOR: PlatformDescriptor = PlatformDescriptor {
    platform: Platform::X,
    connect: ConnectKind::OauthLoopback,
    provider: Some(Provider::x),
    long_lived: None,
    token_permissions: &[],
    portal: "https://developer.x.com/en/portal/dashboard",
    redirect: "http://127.0.0.1:8719/callback",
    default_port: Some(DEFAULT_X_PORT),
    needs_secret: false,
    renewal: Renewal::RefreshBeforeExpiry,
    revoke: Some(revoke_grant),
    family: ApiFamily::X,
    client: |deps: &ClientDeps<'_>| Arc::new(XClient::new(deps.http.clone(), deps.endpoints.clone())),
    follow: Follow::ByHandle {
        max_len: 15,
        allowed: |c| c.is_ascii_alphanumeric() || c == '_',
        allowed_text: "letters, digits and _",
        not_found: |handle| format!("no X account is named @{handle} (or it is suspended)"),
        lookup,
    },
    help: "Create a Project and an App, enable OAuth 2.0 as a public client (Native App), and register the redirect URI exactly, port included.",
};

/// `GET /2/users/by/username/{handle}`.
fn lookup(l: Lookup<'_>) -> PlatformFuture<'_, Profile> {
    Box::pin(async move {
        let user = XClient::new(l.http, l.endpoints.clone())
            .user_by_username(l.token, l.handle, l.recorder)
            .await?;
        Ok(user.profile())
    })
}

/// The registry's revocation at disconnect: `POST /2/oauth2/revoke` (beside the token
/// endpoint) with the refresh token when the set has one (it ends the grant), else the
/// access token, and the public client's id.
///
/// Errors: [`crate::PlatformError::OAuth`] when no app is remembered (X needs the client
/// id) or X refuses.
fn revoke_grant(c: RevokeCall<'_>) -> PlatformFuture<'_, ()> {
    Box::pin(async move {
        let app = c.app.ok_or_else(|| crate::PlatformError::OAuth {
            message: "revoking an X token needs the app's client id; none is remembered".to_string(),
        })?;
        let token = c.tokens.refresh_token.as_ref().unwrap_or(&c.tokens.access_token);
        let hint = if c.tokens.refresh_token.is_some() {
            "refresh_token"
        } else {
            "access_token"
        };
        let url = c
            .endpoints
            .x_token
            .join("revoke")
            .map_err(|e| crate::PlatformError::OAuth {
                message: format!("no X revocation address beside the token endpoint: {e}"),
            })?;
        let form = [
            ("token", token.expose_secret()),
            ("token_type_hint", hint),
            ("client_id", app.client_id.as_str()),
        ];
        post_revocation(&c.http, url, &form, "X").await
    })
}
