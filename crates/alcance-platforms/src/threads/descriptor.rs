//! Threads in the platform registry (see [`crate::registry`]).

use super::ThreadsClient;
use crate::governor::ApiFamily;
use crate::oauth::{exchange_threads_long_lived, Provider};
use crate::registry::{ClientDeps, ConnectKind, Follow, PlatformDescriptor, Renewal};
use alcance_core::Platform;
use std::sync::Arc;

/// Threads: HTTPS-only redirects, so a pasted long-lived token (Meta's token generator)
/// validated with `/me`, or a code handed back by a hosted callback page through the
/// `alcance://threads/callback` deep link; the 60-day token is refreshed once a day old.
pub static DESCRIPTOR: PlatformDescriptor = PlatformDescriptor {
    platform: Platform::Threads,
    connect: ConnectKind::HttpsRedirect,
    provider: Some(Provider::threads),
    long_lived: Some(|endpoints, secret, short| Box::pin(exchange_threads_long_lived(endpoints, secret, short))),
    token_permissions: &["threads_basic", "threads_manage_insights"],
    portal: "https://developers.facebook.com/apps/",
    redirect: "https://<your HTTPS callback page>/ (see docs/threads-callback/)",
    default_port: None,
    needs_secret: true,
    renewal: Renewal::RefreshWhenAged,
    revoke: None,
    family: ApiFamily::Meta,
    client: |deps: &ClientDeps<'_>| Arc::new(ThreadsClient::new(deps.http.clone(), deps.endpoints.clone())),
    follow: Follow::Unsupported(
        "reading other Threads profiles (profile_lookup) needs the threads_profile_discovery permission, granted only after Meta's app review",
    ),
    help: "Create a Meta app with the Threads use case (threads_basic and threads_manage_insights) and add yourself as a Threads tester. Threads accepts only HTTPS redirect URIs, so either paste a long-lived token from the app's User Token Generator (Use cases → Threads API → Settings), or host the callback page from docs/threads-callback/ on any HTTPS site, register its URL as the redirect URI, and connect with the Threads app ID and secret: the page hands the code back to Alcance through the alcance:// link. A team whose alcance serve is reached over HTTPS can instead connect Threads in its web UI (Accounts): the server is the callback.",
};
