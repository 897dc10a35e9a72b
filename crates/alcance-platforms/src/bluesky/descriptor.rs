//! Bluesky in the platform registry (see [`crate::registry`]).

use super::{refresh_session, BlueskyClient};
use crate::governor::ApiFamily;
use crate::registry::{
    ClientDeps, ConnectKind, Follow, Lookup, PlatformDescriptor, PlatformFuture, Renewal, RevokeCall,
};
use alcance_core::{Platform, Profile};
use std::sync::Arc;

/// Bluesky (AT Protocol): own accounts connect with **AT Protocol OAuth** in the browser
/// (PAR + PKCE + DPoP, [`super::oauth`]; `Workspace::connect_bluesky_oauth`) or with a
/// handle and an **app password** validated by `createSession` (the registry's
/// [`ConnectKind::AppPassword`] form, which offers both); either session is renewed by
/// [`refresh_session`] (rotating); public profiles are followed by handle and read from
/// the public AppView without a token.
pub static DESCRIPTOR: PlatformDescriptor = PlatformDescriptor {
    platform: Platform::Bluesky,
    connect: ConnectKind::AppPassword,
    provider: None,
    long_lived: None,
    // What an app password can do is fixed by Bluesky; it needs no DM access.
    token_permissions: &["atproto", "transition:generic", "or an app password (without direct-message access)"],
    portal: "https://bsky.app/settings/app-passwords",
    // AT Protocol OAuth: the localhost development client accepts any loopback port.
    redirect: "http://127.0.0.1:{free port}/callback",
    default_port: None,
    needs_secret: false,
    renewal: Renewal::RefreshSession(refresh_session),
    revoke: Some(revoke_grant),
    family: ApiFamily::Bluesky,
    client: |deps: &ClientDeps<'_>| Arc::new(BlueskyClient::new(deps.http.clone(), deps.endpoints.clone())),
    follow: Follow::ByHandle {
        // A handle is a domain name (at most 253 characters); a DID is accepted too.
        max_len: 253,
        allowed: |c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':'),
        allowed_text: "letters, digits, '.' and '-' (a domain such as alice.bsky.social), or a DID",
        not_found: |handle| format!("no Bluesky account has the handle @{handle}"),
        lookup,
    },
    help: "Type your handle (alice.bsky.social) and sign in with Bluesky in the browser: AT Protocol OAuth with PAR, PKCE and DPoP, a loopback redirect on 127.0.0.1 and the localhost development client id, so there is no app to register. The tokens and their DPoP key stay in the vault; Bluesky limits such sessions (about 7 days), then asks you to sign in again, while collecting goes on because profiles are public. Or use an app password (Settings → Privacy and security → App passwords, direct messages off), never your account password: Alcance refuses it; it is sent once to open a session and is not stored. Bluesky has no views, reach or impressions.",
};

/// Resolves the handle (`com.atproto.identity.resolveHandle`; a handle without a dot is
/// taken as `<handle>.bsky.social`, an inferred convenience) and reads its profile from the
/// public AppView. The owner's token is not used: Bluesky profiles are public.
fn lookup(l: Lookup<'_>) -> PlatformFuture<'_, Profile> {
    Box::pin(async move {
        let client = BlueskyClient::new(l.http, l.endpoints.clone());
        let handle = if l.handle.contains('.') || l.handle.starts_with("did:") {
            l.handle.to_string()
        } else {
            format!("{}.bsky.social", l.handle)
        };
        let did = client.resolve_handle(&handle, l.recorder).await?;
        Ok(client.profile(&did, l.recorder).await?.profile())
    })
}

/// The registry's revocation at disconnect: an AT Protocol OAuth session (the set has a
/// binding) is revoked at its authorization server ([`super::oauth::revoke`], RFC 7009,
/// DPoP-bound); an app-password session is left to expire (the user deletes the app
/// password in Bluesky's settings to end it).
fn revoke_grant(c: RevokeCall<'_>) -> PlatformFuture<'_, ()> {
    Box::pin(async move {
        if c.tokens.binding.is_none() {
            return Ok(());
        }
        super::oauth::revoke(c.tokens).await.map(|_| ())
    })
}
