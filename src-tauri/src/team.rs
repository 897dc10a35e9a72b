//! "Connect to a team server": the window becomes a client of an `alcance serve` (the same
//! screens, the server's data and roles) instead of the solo workspace.
//!
//! The webview cannot hold the server's session cookie (it is another origin, and the
//! cookie is HttpOnly and SameSite=Strict), so requests go through the Rust side: the UI's
//! HTTP transport calls [`TeamClient::request`] over IPC with the API path, and this client
//! sends it to the server with the session cookie it keeps in memory (never on disk: after a
//! restart, people sign in again). Only `/api/v1/…` paths pass. Downloads (exports, campaign
//! reports) are written to a folder and their path returned.

use crate::error::{IpcError, IpcResult};
use alcance_app::ErrorCode;
use reqwest::header::{HeaderValue, CONTENT_DISPOSITION, CONTENT_TYPE, COOKIE, SET_COOKIE};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;
use url::Url;

/// The session cookie `alcance serve` sets (`alcance_server::auth::SESSION_COOKIE`).
pub const SESSION_COOKIE: &str = "alcance_session";
/// The header the server wants the CSRF token in on requests that change state.
pub const CSRF_HEADER: &str = "X-CSRF-Token";
/// Longest a request to the team server may take (exports stream longer: see
/// [`DOWNLOAD_TIMEOUT`]).
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);
/// Longest a download may take.
pub const DOWNLOAD_TIMEOUT: Duration = Duration::from_secs(30 * 60);

/// A team server's answer as the UI's transport reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct TeamAnswer {
    /// HTTP status.
    pub status: u16,
    /// `Content-Type`, when given.
    pub content_type: Option<String>,
    /// The body as text (JSON or problem+json).
    pub body: String,
}

/// The HTTP client of one team server, with the session cookie of the signed-in user.
#[derive(Debug)]
pub struct TeamClient {
    base: Url,
    http: reqwest::Client,
    /// `alcance_session` value, once signed in.
    cookie: Mutex<Option<String>>,
}

/// `url` as a team server's base: http(s), no query or fragment, without a trailing slash.
/// Errors: `invalid_input` naming what is wrong.
pub fn server_url(url: &str) -> IpcResult<Url> {
    let text = url.trim();
    let with_scheme = if text.contains("://") {
        text.to_string()
    } else {
        format!("https://{text}")
    };
    let mut parsed = Url::parse(&with_scheme).map_err(|e| {
        IpcError::new(
            ErrorCode::InvalidInput,
            format!("{text:?} is not a server address: {e}"),
        )
    })?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none_or(str::is_empty) {
        return Err(IpcError::new(
            ErrorCode::InvalidInput,
            format!("{text:?} is not an http(s) server address"),
        ));
    }
    parsed.set_query(None);
    parsed.set_fragment(None);
    let path = parsed.path().trim_end_matches('/').to_string();
    parsed.set_path(&path);
    Ok(parsed)
}

impl TeamClient {
    /// A client of the server at `base` (see [`server_url`]); nothing is sent yet.
    pub fn new(base: Url) -> IpcResult<TeamClient> {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| IpcError::new(ErrorCode::Internal, format!("starting the HTTP client: {e}")))?;
        Ok(TeamClient {
            base,
            http,
            cookie: Mutex::new(None),
        })
    }

    /// The server's address, as the user gave it (normalized).
    pub fn base(&self) -> &Url {
        &self.base
    }

    /// Checks that an Alcance server answers there: `/healthz` is 200 and the API
    /// description is Alcance's. Errors: `unavailable` (cannot reach it, or it answers
    /// otherwise), naming the address.
    pub async fn check(&self) -> IpcResult<()> {
        let unreachable = |what: String| {
            IpcError::new(
                ErrorCode::Unavailable,
                format!("no Alcance server answers at {}: {what}", self.base),
            )
        };
        let health = self
            .http
            .get(self.url("/healthz"))
            .timeout(Duration::from_secs(15))
            .send()
            .await
            .map_err(|e| unreachable(e.to_string()))?;
        if !health.status().is_success() {
            return Err(unreachable(format!("/healthz answered {}", health.status())));
        }
        let description: serde_json::Value = self
            .http
            .get(self.url("/api/v1/openapi.json"))
            .timeout(Duration::from_secs(15))
            .send()
            .await
            .map_err(|e| unreachable(e.to_string()))?
            .json()
            .await
            .map_err(|e| unreachable(format!("its API description is not JSON: {e}")))?;
        let title = description["info"]["title"].as_str().unwrap_or_default();
        if !title.to_ascii_lowercase().contains("alcance") {
            return Err(unreachable(format!("it serves another API ({title:?})")));
        }
        Ok(())
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base.as_str().trim_end_matches('/'))
    }

    /// Sends `method path` (an `/api/v1/…` path with its query) with the JSON `body` and,
    /// on a request that changes state, the CSRF token; keeps the session cookie the server
    /// sets or clears. Errors: `invalid_input` for another path or method; `unavailable`
    /// when the server cannot be reached.
    pub async fn request(
        &self,
        method: &str,
        path: &str,
        body: Option<String>,
        csrf: Option<String>,
    ) -> IpcResult<TeamAnswer> {
        let response = self.send(method, path, body, csrf, REQUEST_TIMEOUT).await?;
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let body = response.text().await.map_err(|e| {
            IpcError::new(
                ErrorCode::Unavailable,
                format!("reading the answer of {}: {e}", self.base),
            )
        })?;
        Ok(TeamAnswer {
            status,
            content_type,
            body,
        })
    }

    /// Downloads `path` (an export or a campaign report) into `folder`, named as the
    /// server names it (else `fallback`), and returns the file's path. Errors: the server's
    /// problem (its detail), `unavailable`, or the disk's error.
    pub async fn download(&self, path: &str, folder: &Path, fallback: &str) -> IpcResult<PathBuf> {
        let response = self.send("GET", path, None, None, DOWNLOAD_TIMEOUT).await?;
        if !response.status().is_success() {
            let status = response.status();
            let text = response.text().await.unwrap_or_default();
            let detail = serde_json::from_str::<serde_json::Value>(&text)
                .ok()
                .and_then(|p| p["detail"].as_str().map(str::to_string))
                .unwrap_or_else(|| format!("HTTP {status}"));
            let code = match status.as_u16() {
                400 => ErrorCode::InvalidInput,
                404 => ErrorCode::NotFound,
                _ => ErrorCode::Unavailable,
            };
            return Err(IpcError::new(code, detail));
        }
        let name = response
            .headers()
            .get(CONTENT_DISPOSITION)
            .and_then(|v| v.to_str().ok())
            .and_then(attachment_name)
            .unwrap_or_else(|| fallback.to_string());
        let bytes = response
            .bytes()
            .await
            .map_err(|e| IpcError::new(ErrorCode::Unavailable, format!("downloading from {}: {e}", self.base)))?;
        std::fs::create_dir_all(folder)
            .map_err(|e| IpcError::new(ErrorCode::Internal, format!("creating {}: {e}", folder.display())))?;
        let target = folder.join(name);
        alcance_app::atomic::write_bytes_atomically(&target, &bytes).map_err(IpcError::from)?;
        Ok(target)
    }

    async fn send(
        &self,
        method: &str,
        path: &str,
        body: Option<String>,
        csrf: Option<String>,
        timeout: Duration,
    ) -> IpcResult<reqwest::Response> {
        if !path.starts_with("/api/v1/") || path.contains("..") {
            return Err(IpcError::new(
                ErrorCode::InvalidInput,
                format!("{path:?} is not a team server API path"),
            ));
        }
        let method = match method.to_ascii_uppercase().as_str() {
            "GET" => reqwest::Method::GET,
            "POST" => reqwest::Method::POST,
            "PUT" => reqwest::Method::PUT,
            "PATCH" => reqwest::Method::PATCH,
            "DELETE" => reqwest::Method::DELETE,
            other => {
                return Err(IpcError::new(
                    ErrorCode::InvalidInput,
                    format!("method {other} is not one the API takes"),
                ))
            }
        };
        let mut request = self
            .http
            .request(method, self.url(path))
            .timeout(timeout)
            .header("Accept", "application/json");
        if let Some(value) = self.cookie.lock().ok().and_then(|c| c.clone()) {
            if let Ok(header) = HeaderValue::from_str(&format!("{SESSION_COOKIE}={value}")) {
                request = request.header(COOKIE, header);
            }
        }
        if let Some(token) = csrf.filter(|t| !t.is_empty()) {
            request = request.header(CSRF_HEADER, token);
        }
        if let Some(body) = body {
            request = request.header(CONTENT_TYPE, "application/json").body(body);
        }
        let response = request.send().await.map_err(|e| {
            IpcError::new(
                ErrorCode::Unavailable,
                format!("the team server {} cannot be reached: {e}", self.base),
            )
        })?;
        for value in response.headers().get_all(SET_COOKIE) {
            if let Some(session) = value.to_str().ok().and_then(session_cookie) {
                if let Ok(mut kept) = self.cookie.lock() {
                    *kept = session;
                }
            }
        }
        Ok(response)
    }
}

/// The session cookie a `Set-Cookie` header sets: `Some(Some(value))`, `Some(None)` when it
/// clears it (empty value or `Max-Age=0`), `None` for another cookie.
fn session_cookie(header: &str) -> Option<Option<String>> {
    let mut parts = header.split(';');
    let (name, value) = parts.next()?.trim().split_once('=')?;
    if name != SESSION_COOKIE {
        return None;
    }
    let expired = parts.any(|p| p.trim().eq_ignore_ascii_case("max-age=0"));
    Some((!value.is_empty() && !expired).then(|| value.to_string()))
}

/// The file name of `attachment; filename="…"`, without any folder part.
fn attachment_name(header: &str) -> Option<String> {
    let start = header.find("filename=")? + "filename=".len();
    let name = header[start..].split(';').next()?.trim().trim_matches('"');
    let name = name.rsplit(['/', '\\']).next()?.trim();
    (!name.is_empty() && name != "." && name != "..").then(|| name.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_addresses_are_normalized_or_refused() {
        assert_eq!(
            server_url(" alcance.agency.example/ ").unwrap().as_str(),
            "https://alcance.agency.example/"
        );
        assert_eq!(
            server_url("http://127.0.0.1:8780/?x=1#y").unwrap().as_str(),
            "http://127.0.0.1:8780/"
        );
        assert_eq!(
            server_url("https://example.org/alcance/").unwrap().as_str(),
            "https://example.org/alcance"
        );
        for bad in ["ftp://example.org", "http://", "::"] {
            assert_eq!(server_url(bad).unwrap_err().code, ErrorCode::InvalidInput, "{bad}");
        }
    }

    #[test]
    fn the_session_cookie_is_kept_and_cleared() {
        assert_eq!(
            session_cookie("alcance_session=abc; HttpOnly; SameSite=Strict; Path=/"),
            Some(Some("abc".into()))
        );
        assert_eq!(session_cookie("alcance_session=; Max-Age=0; Path=/"), Some(None));
        assert_eq!(session_cookie("alcance_session=abc; Max-Age=0"), Some(None));
        assert_eq!(session_cookie("other=1"), None);
    }

    #[test]
    fn download_names_stay_in_their_folder() {
        assert_eq!(
            attachment_name("attachment; filename=\"alcance-metrics.xlsx\"").as_deref(),
            Some("alcance-metrics.xlsx")
        );
        assert_eq!(
            attachment_name("attachment; filename=\"../../etc/passwd\"").as_deref(),
            Some("passwd")
        );
        assert_eq!(attachment_name("attachment; filename=\"..\""), None);
        assert_eq!(attachment_name("inline"), None);
    }

    #[tokio::test]
    async fn only_api_paths_are_sent() {
        let client = TeamClient::new(server_url("http://127.0.0.1:9").unwrap()).unwrap();
        for path in ["/healthz", "https://elsewhere.example/api/v1/x", "/api/v1/../metrics"] {
            let e = client.request("GET", path, None, None).await.unwrap_err();
            assert_eq!(e.code, ErrorCode::InvalidInput, "{path}");
        }
        let e = client
            .request("TRACE", "/api/v1/accounts", None, None)
            .await
            .unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidInput);
        // Port 9 (discard) is closed here: unreachable, said as such.
        let e = client.request("GET", "/api/v1/accounts", None, None).await.unwrap_err();
        assert_eq!(e.code, ErrorCode::Unavailable);
    }
}
