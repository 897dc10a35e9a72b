//! YouTube in the platform registry (see [`crate::registry`]), with Google's OAuth provider
//! and token revocation.

use super::YouTubeClient;
use crate::endpoints::Endpoints;
use crate::error::PlatformError;
use crate::governor::ApiFamily;
use crate::http::{Http, Recorder};
use crate::oauth::{PkceEncoding, Provider, TokenStyle};
use crate::registry::{
    ClientDeps, ConnectKind, Follow, Lookup, PlatformDescriptor, PlatformFuture, Renewal, RevokeCall,
};
use alcance_core::{Platform, Profile};
use secrecy::{ExposeSecret, SecretString};
use std::sync::Arc;

/// The scopes Alcance requests: read the channel and its videos (`youtube.readonly`, which
/// `reports.query` also requires now) and its Analytics reports (`yt-analytics.readonly`).
pub const SCOPES: &[&str] = &[
    "https://www.googleapis.com/auth/youtube.readonly",
    "https://www.googleapis.com/auth/yt-analytics.readonly",
];

/// YouTube: Google OAuth 2.0 for installed apps ("Desktop app" client: loopback redirect on
/// 127.0.0.1 on any port, PKCE S256, a client secret that Google requires but does not
/// treat as confidential), `access_type=offline` + `prompt=consent` so every consent
/// yields a refresh token; 1-hour access tokens refreshed before they expire (Google does
/// not rotate the refresh token: the old one is kept); public channels followed by handle.
pub static DESCRIPTOR: PlatformDescriptor = PlatformDescriptor {
    platform: Platform::Youtube,
    connect: ConnectKind::OauthLoopback,
    provider: Some(provider),
    long_lived: None,
    token_permissions: &[],
    portal: "https://console.cloud.google.com/apis/credentials",
    redirect: "http://127.0.0.1:*/callback",
    default_port: None,
    needs_secret: true,
    renewal: Renewal::RefreshBeforeExpiry,
    revoke: Some(revoke_grant),
    family: ApiFamily::YouTube,
    client: |deps: &ClientDeps<'_>| Arc::new(YouTubeClient::new(deps.http.clone(), deps.endpoints.clone())),
    follow: Follow::ByHandle {
        // Handles are 3–30 characters: letters and digits of any script, `_`, `-`, `.`.
        max_len: 30,
        allowed: |c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'),
        allowed_text: "letters, digits, _, - and .",
        not_found: |handle| format!("no YouTube channel has the handle @{handle}"),
        lookup,
    },
    help: "In Google Cloud, enable the YouTube Data API v3 and the YouTube Analytics API, configure the OAuth consent screen (publish it: in Testing, refresh tokens die after 7 days) and create an OAuth client of type Desktop app; any loopback port works. The Data API allows 10,000 quota units a day per project, reset at midnight Pacific Time.",
};

/// Google OAuth 2.0 for installed apps: authorize `e.youtube_authorize`
/// (`accounts.google.com/o/oauth2/v2/auth`), token `e.youtube_token`
/// (`oauth2.googleapis.com/token`, RFC 6749 answers; the refresh answer carries no new
/// refresh token), scopes [`SCOPES`] space-separated, PKCE S256, and
/// `access_type=offline&prompt=consent` (a refresh token on every consent, not only the
/// first).
pub fn provider(e: &Endpoints) -> Provider {
    Provider {
        authorize_url: e.youtube_authorize.clone(),
        token_url: e.youtube_token.clone(),
        style: TokenStyle::Standard,
        extra_authorize_params: vec![
            ("access_type".to_string(), "offline".to_string()),
            ("prompt".to_string(), "consent".to_string()),
        ],
        default_scopes: SCOPES.iter().map(|s| (*s).to_string()).collect(),
        scope_separator: " ".into(),
        client_id_param: "client_id".into(),
        refresh_url: None,
        pkce: PkceEncoding::Base64Url,
    }
}

/// Revokes a Google token (access or refresh: revoking either ends the grant):
/// `POST {e.youtube_revoke}` with the form `token=…` (never in the URL). Nothing is
/// archived: the request carries the secret.
///
/// Errors: [`PlatformError::OAuth`] when Google refuses (400 `invalid_token`: already
/// revoked or unknown); [`PlatformError::Transport`] when no answer arrived.
pub async fn revoke(http: &Http, e: &Endpoints, token: &SecretString) -> Result<(), PlatformError> {
    let request = http
        .client()
        .post(e.youtube_revoke.clone())
        .form(&[("token", token.expose_secret())]);
    let answer = http.send(request, &Recorder::new()).await?;
    if answer.is_success() {
        Ok(())
    } else {
        Err(PlatformError::OAuth {
            message: format!(
                "Google refused to revoke the token: HTTP {} {}",
                answer.status,
                crate::error::body_preview(&answer.body)
            ),
        })
    }
}

/// `GET /youtube/v3/channels?part=snippet,statistics&forHandle=@{handle}`.
fn lookup(l: Lookup<'_>) -> PlatformFuture<'_, Profile> {
    Box::pin(async move {
        let channel = YouTubeClient::new(l.http, l.endpoints.clone())
            .channel_by_handle(l.token, l.handle, l.recorder)
            .await?;
        Ok(channel.profile())
    })
}

/// The registry's revocation at disconnect: the refresh token when the set has one (Google
/// ends the whole grant, its access tokens included), else the access token.
fn revoke_grant(c: RevokeCall<'_>) -> PlatformFuture<'_, ()> {
    Box::pin(async move {
        let token = c.tokens.refresh_token.as_ref().unwrap_or(&c.tokens.access_token);
        revoke(&c.http, c.endpoints, token).await
    })
}
