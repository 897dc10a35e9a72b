//! OAuth glue: a browser opener that remembers the flow's loopback redirect URI, and the
//! routing of `alcance://oauth/callback?code=…&state=…` deep links straight into the flow
//! waiting on that redirect (its oneshot channel, through
//! [`CallbackHandle`](alcance_app::oauth::CallbackHandle)), so platforms that send
//! the user back through the app's scheme finish the same PKCE flow (`state` is still
//! checked). Threads, whose redirect must be HTTPS, comes back as
//! `alcance://threads/callback?code=…&state=…` from the hosted callback page and is handed
//! to its waiting sign-in ([`deliver_threads`]).

use alcance_app::oauth::{BrowserOpener, CallbackHandle, HeadlessBrowser, SystemBrowser};
use alcance_app::PlatformError;
use secrecy::SecretString;
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
    /// link's `code`, `state`, `error` parameters) is to be delivered to the waiting flow.
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

/// Delivers an OAuth callback (the pending loopback redirect with the link's parameters)
/// straight to the sign-in flow waiting on that redirect, with no HTTP round trip. Returns
/// `true` when it decided the flow (code accepted, or refused for a wrong state or a
/// provider error); `false`, with a warning logged, when no flow waits there.
pub fn deliver(target: &Url) -> bool {
    let Some(handle) = CallbackHandle::waiting_on(target) else {
        tracing::warn!("an OAuth callback arrived but no sign-in waits on its loopback redirect");
        return false;
    };
    let decided = handle.deliver(target);
    if !decided {
        tracing::warn!("the OAuth callback did not decide the waiting sign-in");
    }
    decided
}

/// A Threads sign-in waiting for its code: Threads accepts only HTTPS redirect URIs, so
/// the hosted callback page (`docs/threads-callback/`) sends the browser on to
/// `alcance://threads/callback?code=…&state=…`, and [`deliver_threads`] hands the code to
/// the `connect_threads` command waiting here.
#[derive(Debug)]
pub struct PendingThreads {
    /// The `state` the authorize URL carried; a link with another one is refused.
    pub state: String,
    /// Where the code (or the refusal's message) goes.
    pub tx: tokio::sync::oneshot::Sender<Result<SecretString, String>>,
}

/// The parameters of an `alcance://threads/callback?code=…&state=…` link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThreadsCallback {
    /// The authorization code, when Threads granted one.
    pub code: Option<String>,
    /// The `state` sent back.
    pub state: String,
    /// `error_description`, else `error` (`access_denied`), when the user refused.
    pub error: Option<String>,
}

/// The Threads callback a link carries; `None` for any other link.
pub fn threads_callback(link: &Url) -> Option<ThreadsCallback> {
    let is_callback = link.scheme() == "alcance"
        && link.host_str() == Some("threads")
        && link.path().trim_end_matches('/') == "/callback";
    if !is_callback {
        return None;
    }
    let get = |name: &str| {
        link.query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
            .filter(|v| !v.is_empty())
    };
    Some(ThreadsCallback {
        code: get("code"),
        state: get("state").unwrap_or_default(),
        error: get("error_description").or_else(|| get("error")),
    })
}

/// Decides the pending Threads sign-in with `cb`: the code when its `state` matches, else
/// a refusal (wrong state, the user's refusal, no code). Returns `false`, with a warning,
/// when no sign-in was waiting. The pending sign-in is consumed either way, so a forged
/// link cannot be retried against the same `state`.
pub fn deliver_threads(pending: &Mutex<Option<PendingThreads>>, cb: ThreadsCallback) -> bool {
    let Some(waiting) = pending.lock().ok().and_then(|mut p| p.take()) else {
        tracing::warn!("a Threads callback arrived with no Threads sign-in in progress");
        return false;
    };
    let outcome = if cb.state != waiting.state {
        Err("the Threads callback's state does not match this sign-in (refused)".to_string())
    } else if let Some(error) = cb.error {
        Err(format!("Threads refused the sign-in: {error}"))
    } else if let Some(code) = cb.code {
        Ok(SecretString::from(code))
    } else {
        Err("the Threads callback carried no code".to_string())
    };
    waiting.tx.send(outcome).is_ok()
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
    async fn a_callback_reaches_the_waiting_flow() {
        use alcance_app::oauth::LoopbackListener;
        use secrecy::ExposeSecret;
        let listener = LoopbackListener::bind(0, "/callback")
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let pending = url(&listener.redirect_uri());
        let link = url("alcance://oauth/callback?code=c1&state=s1");
        let DeepLink::OAuthCallback(target) = route(&link, Some(&pending)) else {
            panic!("not routed as a callback");
        };
        assert!(!deliver(&target), "no flow waits yet");
        let flow = tokio::spawn(listener.wait_for_code("s1", std::time::Duration::from_secs(10)));
        let mut delivered = false;
        for _ in 0..1000 {
            if deliver(&target) {
                delivered = true;
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        assert!(delivered, "the callback never reached the flow");
        let code = flow
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(code.expose_secret(), "c1");
    }

    #[tokio::test]
    async fn a_callback_with_a_wrong_state_fails_the_flow() {
        use alcance_app::oauth::LoopbackListener;
        let listener = LoopbackListener::bind(0, "/callback")
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let pending = url(&listener.redirect_uri());
        let link = url("alcance://oauth/callback?code=c1&state=forged");
        let DeepLink::OAuthCallback(target) = route(&link, Some(&pending)) else {
            panic!("not routed as a callback");
        };
        let flow = tokio::spawn(listener.wait_for_code("s1", std::time::Duration::from_secs(10)));
        while !deliver(&target) {
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        let err = flow.await.unwrap_or_else(|e| panic!("{e}")).err();
        assert!(err.is_some_and(|e| e.to_string().contains("state")));
    }

    #[test]
    fn threads_callbacks_are_parsed_and_others_are_not() {
        let cb = threads_callback(&url("alcance://threads/callback?code=c1&state=s1#_"));
        assert_eq!(
            cb,
            Some(ThreadsCallback {
                code: Some("c1".into()),
                state: "s1".into(),
                error: None
            })
        );
        assert_eq!(
            threads_callback(&url("alcance://oauth/callback?code=c1&state=s1")),
            None
        );
        assert_eq!(threads_callback(&url("alcance://threads/other?code=c1")), None);
        let denied = threads_callback(&url("alcance://threads/callback/?error=access_denied&state=s1"));
        assert_eq!(denied.and_then(|c| c.error), Some("access_denied".into()));
    }

    #[tokio::test]
    async fn a_threads_code_reaches_the_waiting_sign_in_only_with_its_state() {
        use secrecy::ExposeSecret;
        let pending = Mutex::new(None);
        let cb = |state: &str| ThreadsCallback {
            code: Some("c1".into()),
            state: state.into(),
            error: None,
        };
        assert!(!deliver_threads(&pending, cb("s1")), "nothing waits yet");
        let (tx, rx) = tokio::sync::oneshot::channel();
        if let Ok(mut p) = pending.lock() {
            *p = Some(PendingThreads { state: "s1".into(), tx });
        }
        assert!(deliver_threads(&pending, cb("s1")));
        let code = rx
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(code.expose_secret(), "c1");

        let (tx, rx) = tokio::sync::oneshot::channel();
        if let Ok(mut p) = pending.lock() {
            *p = Some(PendingThreads { state: "s1".into(), tx });
        }
        assert!(deliver_threads(&pending, cb("forged")));
        let refused = rx.await.unwrap_or_else(|e| panic!("{e}"));
        assert!(refused.is_err_and(|e| e.contains("state")));
        assert!(pending.lock().map(|p| p.is_none()).unwrap_or(false), "consumed");
    }
}
