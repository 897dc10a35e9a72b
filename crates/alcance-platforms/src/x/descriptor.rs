//! X in the platform registry (see [`crate::registry`]).

use super::XClient;
use crate::governor::ApiFamily;
use crate::oauth::{Provider, DEFAULT_X_PORT};
use crate::registry::{ClientDeps, ConnectKind, Follow, Lookup, PlatformDescriptor, PlatformFuture, Renewal};
use alcance_core::{Platform, Profile};
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
    revoke: None,
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
