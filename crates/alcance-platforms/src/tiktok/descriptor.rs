//! TikTok in the platform registry (see [`crate::registry`]).

use super::{TikTokBusinessClient, TikTokClient};
use crate::governor::ApiFamily;
use crate::oauth::Provider;
use crate::registry::{ClientDeps, ConnectKind, Follow, PlatformDescriptor, Renewal};
use alcance_core::Platform;
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
    revoke: None,
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
