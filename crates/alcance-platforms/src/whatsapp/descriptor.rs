//! WhatsApp Business in the platform registry (see [`crate::registry`]).

use super::WhatsAppClient;
use crate::governor::ApiFamily;
use crate::registry::{ClientDeps, ConnectKind, Follow, PlatformDescriptor, Renewal};
use alcance_core::Platform;
use std::sync::Arc;

/// WhatsApp Business: a pasted system-user token and the WABA id, validated by one call;
/// the token is never renewed.
pub static DESCRIPTOR: PlatformDescriptor = PlatformDescriptor {
    platform: Platform::Whatsapp,
    connect: ConnectKind::AccessToken,
    provider: None,
    long_lived: None,
    token_permissions: &["whatsapp_business_management", "whatsapp_business_messaging"],
    portal: "https://business.facebook.com/settings/system-users",
    redirect: "—",
    default_port: None,
    needs_secret: false,
    renewal: Renewal::Never,
    revoke: None,
    family: ApiFamily::Meta,
    client: |deps: &ClientDeps<'_>| Arc::new(WhatsAppClient::new(deps.http.clone(), deps.endpoints.clone())),
    follow: Follow::Unsupported("the WhatsApp Business API reads only the WhatsApp Business Accounts you manage"),
    help: "In Meta Business Suite open Business settings → System users, add a system user with access to your WhatsApp Business Account and your app, then generate a token with the whatsapp_business_management and whatsapp_business_messaging permissions. The WhatsApp Business Account ID is in WhatsApp Manager.",
};
