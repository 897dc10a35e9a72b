//! The main window's life (issue 16 point 1). Closing the window destroys it — the webview,
//! and with it WebKit's web process — so what stays in the tray is the Rust core alone.
//! Open (tray, second launch, deep link) builds it again from `tauri.conf.json` (the `main`
//! entry, `"create": false`), at the URL fragment it showed when it closed: the UI keeps its
//! screen and filters there (`ui/src/lib/route.ts`), so it comes back where it was.

use std::path::PathBuf;
use std::sync::Mutex;
use tauri::{AppHandle, Manager, WebviewUrl, WebviewWindow, WebviewWindowBuilder};

/// The main window's label (and its `tauri.conf.json` entry's).
pub const MAIN: &str = "main";

/// The longest URL fragment kept, in bytes; a longer one is dropped (the UI's state is a
/// few dozen bytes).
pub const MAX_ROUTE_BYTES: usize = 1024;

/// Where the UI was when the main window last closed: its URL fragment without `#`
/// (`screen=posts&platform=x…`), in memory only (never persisted: it holds no secret, but
/// nothing needs it after a restart).
#[derive(Debug, Default)]
pub struct LastRoute(Mutex<Option<String>>);

impl LastRoute {
    /// The fragment remembered, if any.
    pub fn get(&self) -> Option<String> {
        self.0.lock().ok().and_then(|r| r.clone())
    }

    /// Remembers `route` (or forgets with `None`).
    pub fn set(&self, route: Option<String>) {
        if let Ok(mut r) = self.0.lock() {
            *r = route;
        }
    }
}

/// The fragment of `url` worth keeping: non-empty, at most [`MAX_ROUTE_BYTES`].
pub fn route_of(url: &url::Url) -> Option<String> {
    url.fragment()
        .filter(|f| !f.is_empty() && f.len() <= MAX_ROUTE_BYTES)
        .map(str::to_owned)
}

/// The app path the window opens at: `index.html`, with `#route` when there is one.
pub fn app_path(route: Option<&str>) -> PathBuf {
    match route {
        Some(r) if !r.is_empty() => PathBuf::from(format!("index.html#{r}")),
        _ => PathBuf::from("index.html"),
    }
}

/// Builds the main window from its `tauri.conf.json` entry at `route`.
pub fn build(app: &AppHandle, route: Option<&str>) -> tauri::Result<WebviewWindow> {
    let mut config = app
        .config()
        .app
        .windows
        .iter()
        .find(|w| w.label == MAIN)
        .cloned()
        .unwrap_or_default();
    config.label = MAIN.to_string();
    config.url = WebviewUrl::App(app_path(route));
    config.visible = true;
    WebviewWindowBuilder::from_config(app, &config)?.build()
}

/// Shows, unminimizes and focuses the main window, building it again (at the route it
/// closed on) when it was closed.
pub fn show(app: &AppHandle) {
    if let Some(w) = app.get_webview_window(MAIN) {
        let _ = w.show();
        let _ = w.unminimize();
        let _ = w.set_focus();
        return;
    }
    let route = app.try_state::<LastRoute>().and_then(|r| r.get());
    match build(app, route.as_deref()) {
        Ok(w) => {
            let _ = w.set_focus();
        }
        Err(e) => tracing::warn!(error = %e, "opening the window failed"),
    }
}

/// Remembers where the main window's UI is, before the window goes.
pub fn remember(app: &AppHandle) {
    let Some(w) = app.get_webview_window(MAIN) else {
        return;
    };
    let route = w.url().ok().as_ref().and_then(route_of);
    if let Some(last) = app.try_state::<LastRoute>() {
        last.set(route);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_route_is_the_fragment_and_comes_back_as_the_app_path() {
        let url = url::Url::parse("tauri://localhost/#screen=posts&platform=x&from=2026-11-01")
            .unwrap_or_else(|e| panic!("{e}"));
        let route = route_of(&url);
        assert_eq!(route.as_deref(), Some("screen=posts&platform=x&from=2026-11-01"));
        let path = app_path(route.as_deref());
        assert_eq!(
            path,
            PathBuf::from("index.html#screen=posts&platform=x&from=2026-11-01")
        );
        // Tauri joins the app path onto the app's URL: the fragment survives.
        let base = url::Url::parse("tauri://localhost").unwrap_or_else(|e| panic!("{e}"));
        let again = base.join(&path.to_string_lossy()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(again.fragment(), url.fragment());
        assert_eq!(again.path(), "/index.html");
    }

    #[test]
    fn empty_or_oversized_fragments_are_not_kept() {
        for raw in ["tauri://localhost/", "tauri://localhost/#"] {
            let url = url::Url::parse(raw).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(route_of(&url), None, "{raw}");
        }
        let long = format!("tauri://localhost/#{}", "a".repeat(MAX_ROUTE_BYTES + 1));
        let url = url::Url::parse(&long).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(route_of(&url), None);
        assert_eq!(app_path(None), PathBuf::from("index.html"));
        assert_eq!(app_path(Some("")), PathBuf::from("index.html"));
    }

    #[test]
    fn the_last_route_is_remembered_and_forgotten() {
        let last = LastRoute::default();
        assert_eq!(last.get(), None);
        last.set(Some("screen=runs".into()));
        assert_eq!(last.get().as_deref(), Some("screen=runs"));
        last.set(None);
        assert_eq!(last.get(), None);
    }

    /// `tauri.conf.json` does not create the main window by itself: the app builds it at
    /// start (unless started `--minimized`) and again on Open.
    #[test]
    fn the_config_leaves_the_main_window_to_the_app() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(root.join("tauri.conf.json")).unwrap_or_else(|e| panic!("{e}"));
        let config: serde_json::Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}"));
        let windows = config["app"]["windows"].as_array().cloned().unwrap_or_default();
        let main = windows
            .iter()
            .find(|w| w["label"] == MAIN)
            .unwrap_or_else(|| panic!("no main window in tauri.conf.json"));
        assert_eq!(main["create"], serde_json::json!(false));
    }
}
