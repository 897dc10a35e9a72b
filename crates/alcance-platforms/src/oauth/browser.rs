//! Opening the authorize URL: the OS default browser, or a headless HTTP client for tests
//! and the demo.

use super::{is_loopback, oauth_error};
use crate::error::PlatformError;
use std::time::Duration;
use url::Url;

/// Opens the platform's authorize URL so the user can consent. Pluggable: the desktop
/// shell may open an in-app webview instead.
pub trait BrowserOpener: Send + Sync {
    /// Opens `url` and returns without waiting for the user. Errors:
    /// [`PlatformError::OAuth`] when the URL cannot be opened (no browser, refused host).
    fn open(&self, url: &Url) -> Result<(), PlatformError>;
}

/// The operating system's default browser, opened with the `open` crate (`xdg-open` and
/// friends on Linux and BSD, `open` on macOS, the shell's URL handler on Windows) in a
/// detached process. Only `http`/`https` URLs are opened.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemBrowser;

impl BrowserOpener for SystemBrowser {
    fn open(&self, url: &Url) -> Result<(), PlatformError> {
        if !matches!(url.scheme(), "http" | "https") {
            return Err(oauth_error(format!(
                "refusing to open a {} URL in the browser (only http and https)",
                url.scheme()
            )));
        }
        open::that_detached(url.as_str()).map_err(|e| {
            oauth_error(format!(
                "could not start the web browser ({e}); open the sign-in page by hand"
            ))
        })
    }
}

/// A browser without a window, for tests and `alcance demo`: it `GET`s the authorize URL
/// with a reqwest client that follows redirects (at most 10), so the provider's
/// auto-approve `302` lands on the loopback listener. The request runs on the current tokio
/// runtime; [`BrowserOpener::open`] returns at once.
///
/// It only ever talks to loopback hosts (`127.0.0.0/8`, `::1`, `localhost`): a non-loopback
/// authorize URL is refused with [`PlatformError::OAuth`], and a redirect off loopback is
/// not followed. Proxies from the environment are ignored.
#[derive(Debug, Clone)]
pub struct HeadlessBrowser {
    client: Result<reqwest::Client, String>,
}

impl HeadlessBrowser {
    /// A headless browser with a 30 s request timeout. Never fails here: a client that
    /// could not be built is reported by [`BrowserOpener::open`].
    pub fn new() -> Self {
        let policy = reqwest::redirect::Policy::custom(|attempt| {
            if attempt.previous().len() >= 10 {
                attempt.error("too many redirects")
            } else if is_loopback(attempt.url()) {
                attempt.follow()
            } else {
                attempt.error("refusing to follow a redirect off the loopback interface")
            }
        });
        let client = reqwest::Client::builder()
            .redirect(policy)
            .no_proxy()
            .timeout(Duration::from_secs(30))
            .user_agent(concat!("Alcance-headless/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| e.to_string());
        Self { client }
    }
}

impl Default for HeadlessBrowser {
    fn default() -> Self {
        Self::new()
    }
}

impl BrowserOpener for HeadlessBrowser {
    fn open(&self, url: &Url) -> Result<(), PlatformError> {
        if !is_loopback(url) {
            return Err(oauth_error(format!(
                "the headless browser only opens 127.0.0.1 / localhost URLs, not {}",
                url.host_str().unwrap_or("(no host)")
            )));
        }
        let client = self
            .client
            .as_ref()
            .map_err(|e| oauth_error(format!("the headless browser could not start: {e}")))?
            .clone();
        let runtime = tokio::runtime::Handle::try_current()
            .map_err(|_| oauth_error("the headless browser needs a running tokio runtime"))?;
        let url = url.clone();
        runtime.spawn(async move {
            match client.get(url).send().await {
                Ok(response) => {
                    let status = response.status().as_u16();
                    let _ = response.bytes().await;
                    tracing::debug!(status, "headless browser finished the authorize round trip");
                }
                Err(e) => {
                    tracing::warn!(error = %e.without_url(), "headless browser request failed");
                }
            }
        });
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headless_browser_refuses_non_loopback_hosts() {
        let b = HeadlessBrowser::new();
        let url = Url::parse("https://x.com/i/oauth2/authorize?client_id=a").expect("url");
        let err = b.open(&url).expect_err("must refuse");
        assert_eq!(err.code(), "oauth");
        assert!(err.to_string().contains("x.com"), "{err}");
    }

    #[test]
    fn headless_browser_needs_a_runtime() {
        let b = HeadlessBrowser::new();
        let url = Url::parse("http://127.0.0.1:9/authorize").expect("url");
        let err = b.open(&url).expect_err("no runtime here");
        assert!(err.to_string().contains("tokio"), "{err}");
    }

    #[test]
    fn system_browser_refuses_other_schemes() {
        let err = SystemBrowser
            .open(&Url::parse("file:///etc/passwd").expect("url"))
            .expect_err("must refuse");
        assert!(err.to_string().contains("file"), "{err}");
    }
}
