//! OAuth glue: a browser opener that remembers the flow's loopback redirect URI, and the
//! routing of `alcance://oauth/callback?code=…&state=…` deep links to that redirect, so
//! platforms that send the user back through the app's scheme finish the same PKCE flow
//! (the loopback listener still checks `state`).

use alcance_app::oauth::{BrowserOpener, HeadlessBrowser, SystemBrowser};
use alcance_app::PlatformError;
use std::sync::{Arc, Mutex};
use url::Url;

/// Opens the authorize URL (system browser, or the headless one for the demo's sandbox)
/// and records its `redirect_uri` as the pending redirect.
pub struct RecordingBrowser {
    pending: Arc<Mutex<Option<Url>>>,
    headless: bool,
}

impl RecordingBrowser {
    /// A browser recording into `pending`; `headless` for the demo workspace's sandbox.
    pub fn new(pending: Arc<Mutex<Option<Url>>>, headless: bool) -> Self {
        RecordingBrowser { pending, headless }
    }

    /// Takes the recorded redirect URI (the flow is over).
    pub fn take(&self) -> Option<Url> {
        self.pending.lock().ok().and_then(|mut p| p.take())
    }
}

impl BrowserOpener for RecordingBrowser {
    fn open(&self, url: &Url) -> Result<(), PlatformError> {
        let redirect = url
            .query_pairs()
            .find(|(k, _)| k == "redirect_uri")
            .and_then(|(_, v)| Url::parse(&v).ok());
        if let Ok(mut p) = self.pending.lock() {
            *p = redirect;
        }
        if self.headless {
            HeadlessBrowser::new().open(url)
        } else {
            SystemBrowser.open(url)
        }
    }
}

/// What a deep link asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeepLink {
    /// `alcance://oauth/callback?...`: this loopback URL (the pending redirect with the
    /// link's `code`, `state`, `error` parameters) is to be requested.
    OAuthCallback(Url),
    /// An OAuth callback arrived with no flow in progress.
    NoPendingFlow,
    /// Any other `alcance://` link: just bring the window up.
    Open,
}

/// Routes one deep link given the pending loopback redirect URI.
pub fn route(link: &Url, pending: Option<&Url>) -> DeepLink {
    let is_callback = link.scheme() == "alcance"
        && link.host_str() == Some("oauth")
        && link.path().trim_end_matches('/') == "/callback";
    if !is_callback {
        return DeepLink::Open;
    }
    let Some(pending) = pending else {
        return DeepLink::NoPendingFlow;
    };
    let mut target = pending.clone();
    {
        let mut q = target.query_pairs_mut();
        q.clear();
        for (k, v) in link.query_pairs() {
            if matches!(k.as_ref(), "code" | "state" | "error" | "error_description") {
                q.append_pair(&k, &v);
            }
        }
    }
    DeepLink::OAuthCallback(target)
}

/// Delivers an OAuth callback to the loopback listener (127.0.0.1 only).
pub async fn deliver(target: Url) {
    let loopback = matches!(target.host_str(), Some("127.0.0.1") | Some("localhost") | Some("[::1]"));
    if !loopback {
        tracing::warn!("refusing to forward an OAuth callback off loopback");
        return;
    }
    let client = match reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(10))
        .build()
    {
        Ok(c) => c,
        Err(e) => {
            tracing::warn!(error = %e, "no HTTP client for the OAuth callback");
            return;
        }
    };
    if let Err(e) = client.get(target).send().await {
        // The URL carries the code: log only that the delivery failed.
        tracing::warn!(error = %e.without_url(), "forwarding the OAuth callback to the loopback listener failed");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn oauth_callbacks_go_to_the_pending_loopback_redirect() {
        let pending = url("http://127.0.0.1:8719/callback");
        let link = url("alcance://oauth/callback?code=abc&state=xyz&junk=1");
        assert_eq!(
            route(&link, Some(&pending)),
            DeepLink::OAuthCallback(url("http://127.0.0.1:8719/callback?code=abc&state=xyz"))
        );
        assert_eq!(route(&link, None), DeepLink::NoPendingFlow);
        assert_eq!(route(&url("alcance://open"), Some(&pending)), DeepLink::Open);
        assert_eq!(
            route(&url("alcance://oauth/other?code=1"), Some(&pending)),
            DeepLink::Open
        );
        let denied = url("alcance://oauth/callback/?error=access_denied&state=s");
        assert_eq!(
            route(&denied, Some(&pending)),
            DeepLink::OAuthCallback(url("http://127.0.0.1:8719/callback?error=access_denied&state=s"))
        );
    }

    #[test]
    fn the_browser_records_the_redirect_uri() {
        let pending = Arc::new(Mutex::new(None));
        let browser = RecordingBrowser::new(pending.clone(), true);
        // A non-loopback URL is refused by the headless browser, after recording.
        let authorize = url("https://x.example/authorize?redirect_uri=http%3A%2F%2F127.0.0.1%3A9%2Fcallback&state=s");
        assert!(browser.open(&authorize).is_err());
        assert_eq!(browser.take(), Some(url("http://127.0.0.1:9/callback")));
        assert_eq!(browser.take(), None);
    }

    #[tokio::test]
    async fn a_callback_reaches_the_loopback_listener() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let port = listener.local_addr().map(|a| a.port()).unwrap_or_default();
        let server = tokio::spawn(async move {
            use tokio::io::{AsyncReadExt, AsyncWriteExt};
            let (mut sock, _) = listener.accept().await.unwrap_or_else(|e| panic!("{e}"));
            let mut buf = vec![0u8; 2048];
            let n = sock.read(&mut buf).await.unwrap_or(0);
            let _ = sock.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n").await;
            String::from_utf8_lossy(&buf[..n]).to_string()
        });
        deliver(url(&format!("http://127.0.0.1:{port}/callback?code=c1&state=s1"))).await;
        let request = server.await.unwrap_or_default();
        assert!(
            request.starts_with("GET /callback?code=c1&state=s1 HTTP/1.1"),
            "{request}"
        );
    }
}
