//! OAuth 2.0 for native apps (RFC 8252): authorization code + PKCE (S256) in a browser,
//! redirect to a one-shot loopback listener on `127.0.0.1`, `state` checked, code exchanged
//! for a [`TokenSet`]; plus token refresh and the Instagram / Facebook long-lived exchanges.
//!
//! The pieces:
//! - [`Provider`]: where a platform's authorize page and token endpoint live and how its
//!   token answer looks ([`TokenStyle`]); built from [`crate::Endpoints`] so the sandbox and
//!   tests can point it at `127.0.0.1`.
//! - [`OAuthApp`]: the user's own developer-app credentials and the redirect to listen on.
//! - [`BrowserOpener`]: [`SystemBrowser`] (the OS default browser) or [`HeadlessBrowser`]
//!   (tests and `alcance demo`: a plain HTTP client that follows the provider's
//!   auto-approve redirect, loopback only).
//! - [`LoopbackListener`]: the redirect target.
//! - [`authorize`], [`refresh`], [`exchange_instagram_long_lived`],
//!   [`exchange_facebook_long_lived`].
//!
//! Secrets (codes, verifiers, tokens, client secrets) are only ever held as
//! [`SecretString`] or inside `oauth2` secret types: they never reach logs, error messages
//! or the exchange archive ([`crate::Recorder`] is not used for token requests).

mod browser;
mod loopback;
mod provider;
mod token;

use crate::error::PlatformError;
use alcance_core::Platform;
use secrecy::SecretString;
use std::time::Duration;
use url::Url;

pub use browser::{BrowserOpener, HeadlessBrowser, SystemBrowser};
pub use loopback::{CallbackHandle, LoopbackListener, DEFAULT_CALLBACK_PATH};
pub use provider::{PkceEncoding, Provider, TokenStyle};
pub use token::{
    authorize, exchange_facebook_long_lived, exchange_instagram_long_lived, refresh, AuthorizeRequest, TokenSet,
};
pub use token::{exchange_threads_code, exchange_threads_long_lived};

/// How long [`authorize`] callers usually wait for the user to finish in the browser
/// (5 minutes). [`authorize`] takes the timeout as a parameter; this is the default to pass.
pub const DEFAULT_AUTHORIZE_TIMEOUT: Duration = Duration::from_secs(300);

/// The loopback port suggested for X apps (`http://127.0.0.1:8719/callback`). X matches the
/// registered callback exactly, port included, so an X app needs a fixed port.
pub const DEFAULT_X_PORT: u16 = 8719;

/// Where the loopback redirect listener binds. The host is always `127.0.0.1` (never
/// `0.0.0.0`, never `localhost`), so the redirect URI sent to the platform is exactly
/// `http://127.0.0.1:{port}{path}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedirectConfig {
    /// TCP port; `0` picks a free ephemeral port (TikTok allows a wildcard port; X does not:
    /// use the registered port, e.g. [`DEFAULT_X_PORT`]).
    pub port: u16,
    /// Callback path, starting with `/`, without query or fragment (default `/callback`;
    /// TikTok's docs show `/callback/`). Must match the registered redirect URI.
    pub path: String,
}

impl RedirectConfig {
    /// A redirect on a fixed `port` with the default path `/callback`.
    pub fn fixed(port: u16) -> Self {
        Self {
            port,
            path: DEFAULT_CALLBACK_PATH.to_string(),
        }
    }

    /// A redirect on an ephemeral port (`0`) with the default path `/callback`.
    pub fn ephemeral() -> Self {
        Self::fixed(0)
    }

    /// The redirect URI this config yields once bound on `actual_port`:
    /// `http://127.0.0.1:{actual_port}{path}`.
    pub fn redirect_uri(&self, actual_port: u16) -> String {
        format!("http://127.0.0.1:{actual_port}{}", self.path)
    }
}

impl Default for RedirectConfig {
    /// Ephemeral port, `/callback`.
    fn default() -> Self {
        Self::ephemeral()
    }
}

/// A user's developer app on one platform (users bring their own credentials).
#[derive(Debug, Clone)]
pub struct OAuthApp {
    /// The platform the app belongs to.
    pub platform: Platform,
    /// The app's client id (X client id, Meta app id, Instagram app id, TikTok client key).
    pub client_id: String,
    /// The app secret, where the platform demands one (Meta, Instagram Login, TikTok,
    /// confidential X clients). `None` for a public client (X desktop apps).
    pub client_secret: Option<SecretString>,
    /// Scopes to request; empty means the provider's [`Provider::default_scopes`].
    pub scopes: Vec<String>,
    /// The loopback redirect to listen on.
    pub redirect: RedirectConfig,
}

/// `true` when `url` is `http(s)` on a loopback host (`127.0.0.0/8`, `::1`, `localhost`).
pub(crate) fn is_loopback(url: &Url) -> bool {
    if !matches!(url.scheme(), "http" | "https") {
        return false;
    }
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

/// Shorthand for a [`PlatformError::OAuth`].
pub(crate) fn oauth_error(message: impl Into<String>) -> PlatformError {
    PlatformError::OAuth {
        message: message.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_detection() {
        let yes = [
            "http://127.0.0.1:9/x",
            "http://localhost/",
            "https://LOCALHOST:1/",
            "http://[::1]:80/",
            "http://127.1.2.3/",
        ];
        for u in yes {
            assert!(is_loopback(&Url::parse(u).expect("url")), "{u}");
        }
        let no = [
            "https://x.com/i/oauth2/authorize",
            "http://10.0.0.1/",
            "http://localhost.evil.com/",
            "file:///etc/passwd",
            "http://0.0.0.0/",
        ];
        for u in no {
            assert!(!is_loopback(&Url::parse(u).expect("url")), "{u}");
        }
    }

    #[test]
    fn redirect_config_builds_the_exact_uri() {
        let r = RedirectConfig::fixed(DEFAULT_X_PORT);
        assert_eq!(r.redirect_uri(8719), "http://127.0.0.1:8719/callback");
        assert_eq!(RedirectConfig::default().port, 0);
    }
}
