//! Facebook Pages in the platform registry (see [`crate::registry`]).

use super::FacebookClient;
use crate::governor::ApiFamily;
use crate::oauth::Provider;
use crate::registry::{ClientDeps, ConnectKind, Follow, PlatformDescriptor, Renewal};
use alcance_core::Platform;
use std::sync::Arc;

/// Facebook Pages: Facebook Login, a long-lived user token (re-exchanged before it
/// expires, needs the app secret) and one account per managed Page with its Page token.
pub static DESCRIPTOR: PlatformDescriptor = PlatformDescriptor {
    platform: Platform::Facebook,
    connect: ConnectKind::FacebookPages,
    provider: Some(Provider::facebook_login),
    long_lived: None,
    token_permissions: &[],
    portal: "https://developers.facebook.com/apps/",
    redirect: "http://127.0.0.1:<port>/callback",
    default_port: None,
    needs_secret: true,
    renewal: Renewal::ExchangeBeforeExpiry,
    revoke: None,
    family: ApiFamily::Meta,
    client: |deps: &ClientDeps<'_>| Arc::new(FacebookClient::new(deps.http.clone(), deps.endpoints.clone())),
    follow: Follow::Unsupported(
        "the Pages API reads only the Pages you manage (reading another Page's public fields needs Meta's \
         Page Public Content Access feature); connect the Pages you manage instead",
    ),
    help: "Create a Meta app with Facebook Login for Business, add the loopback redirect URI and copy the app ID and secret (the long-lived token exchange needs it). Page tokens need the ANALYZE task.",
};
