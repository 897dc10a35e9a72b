//! Instagram in the platform registry (see [`crate::registry`]).

use super::{GraphHost, InstagramClient};
use crate::governor::ApiFamily;
use crate::oauth::{exchange_instagram_long_lived, Provider};
use crate::registry::{ClientDeps, ConnectKind, Follow, Lookup, PlatformDescriptor, PlatformFuture, Renewal};
use alcance_core::{Platform, Profile};
use std::sync::Arc;

/// Instagram API with Instagram Login: browser sign-in on a loopback redirect, exchanged
/// for a 60-day token (with the app secret) that is refreshed once a day old; Business and
/// Creator accounts followed by handle through business discovery.
pub static DESCRIPTOR: PlatformDescriptor = PlatformDescriptor {
    platform: Platform::Instagram,
    connect: ConnectKind::OauthLoopback,
    provider: Some(Provider::instagram_login),
    long_lived: Some(|endpoints, secret, short| Box::pin(exchange_instagram_long_lived(endpoints, secret, short))),
    token_permissions: &[],
    portal: "https://developers.facebook.com/apps/",
    redirect: "http://127.0.0.1:<port>/callback",
    default_port: None,
    needs_secret: true,
    renewal: Renewal::RefreshWhenAged,
    revoke: None,
    family: ApiFamily::Meta,
    client: |deps: &ClientDeps<'_>| {
        Arc::new(InstagramClient::new(
            deps.http.clone(),
            deps.endpoints.clone(),
            GraphHost::InstagramLogin,
        ))
    },
    follow: Follow::ByHandle {
        max_len: 30,
        allowed: |c| c.is_ascii_alphanumeric() || c == '.' || c == '_',
        allowed_text: "letters, digits, . and _",
        not_found: |handle| {
            format!(
                "no Instagram Business or Creator account is named @{handle}: Instagram lets you follow only \
                 professional accounts, not personal ones"
            )
        },
        lookup,
    },
    help: "Create a Meta app with the Instagram API with Instagram Login for a Business or Creator account; add the redirect URI and copy the Instagram app ID and secret.",
};

/// Business discovery through the owner's account
/// (`GET /{owner-ig-id}?fields=business_discovery.username(<handle>){…}`).
fn lookup(l: Lookup<'_>) -> PlatformFuture<'_, Profile> {
    Box::pin(async move {
        let found = InstagramClient::new(l.http, l.endpoints.clone(), GraphHost::InstagramLogin)
            .business_discovery(l.token, l.owner_external_id, l.handle, l.recorder)
            .await?;
        Ok(found.profile)
    })
}
