//! "Local API for Excel / Power BI" (Settings; off by default): the REST API of
//! `alcance serve` (`alcance-server`, `/api/v1`, documented at `/api/docs`) served by the
//! desktop app on 127.0.0.1 over the open workspace, so Excel's Power Query ("From Web"),
//! Power BI or a script can read the user's metrics while the app runs.
//!
//! Nothing listens beyond the loopback interface. Every request needs the bearer token
//! made when the API is turned on (or with "New token"): an analyst's token of the
//! workspace's own user [`TOKEN_USER`] (created without a password, so nobody signs in as
//! it), shown once and kept only as its hash, like any API token (ADR 0010). Turning the
//! API off revokes the user's tokens; a new token revokes the earlier ones.

use alcance_app::people::{self, Role};
use alcance_app::{AppError, SharedVault, Workspace};
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// The port the local API asks for first (`alcance serve`'s default); a free one when it
/// is taken.
pub const DEFAULT_PORT: u16 = 8780;

/// The workspace user whose analyst token the local API accepts.
pub const TOKEN_USER: &str = "local-api@localhost";

/// The name of its tokens (shown in the audit log and `alcance token list`).
pub const TOKEN_NAME: &str = "Local API (desktop)";

/// The running local API: the server task on 127.0.0.1 and the way to stop it.
pub struct LocalApi {
    addr: SocketAddr,
    stop: oneshot::Sender<()>,
    task: JoinHandle<std::io::Result<()>>,
}

impl LocalApi {
    /// Serves the API over `ws` on 127.0.0.1:`port`, or on a free port when `port` is
    /// taken.
    ///
    /// Errors: [`AppError::Other`] when no port can be bound on the loopback interface.
    pub async fn start(ws: Arc<Workspace>, vault: SharedVault, port: u16) -> Result<LocalApi, AppError> {
        let listener = match tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, port)).await {
            Ok(listener) => listener,
            Err(e) => {
                tracing::info!(port, error = %e, "the local API's port is taken; using a free one");
                tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
                    .await
                    .map_err(|e| AppError::Other(anyhow::Error::from(e).context("listening on 127.0.0.1")))?
            }
        };
        let addr = listener
            .local_addr()
            .map_err(|e| AppError::Other(anyhow::Error::from(e).context("reading the local API's address")))?;
        let (stop, stopped) = oneshot::channel::<()>();
        let state = alcance_server::ApiState::new(ws, Some(vault));
        let task = tokio::spawn(alcance_server::serve(listener, state, async {
            let _ = stopped.await;
        }));
        tracing::info!(%addr, "local API serving");
        Ok(LocalApi { addr, stop, task })
    }

    /// Where it listens: `http://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops accepting connections, lets the requests in flight finish, and waits for the
    /// server to end.
    pub async fn stop(self) {
        let _ = self.stop.send(());
        match self.task.await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => tracing::warn!(error = %e, "the local API ended with an error"),
            Err(e) => tracing::warn!(error = %e, "the local API's task failed"),
        }
    }
}

/// A new token for the local API (the secret, to be shown once): creates [`TOKEN_USER`]
/// as an analyst when the workspace has no such user, and revokes its earlier tokens.
///
/// Errors: the store.
pub async fn new_token(ws: &Workspace) -> Result<String, AppError> {
    match people::user(ws, TOKEN_USER).await {
        Ok(_) => {}
        Err(AppError::NotFound(_)) => {
            people::add_user(ws, None, TOKEN_USER, Role::Analyst, None).await?;
        }
        Err(e) => return Err(e),
    }
    revoke_tokens(ws).await?;
    let (_, secret) = people::create_api_token(ws, None, TOKEN_USER, Role::Analyst, TOKEN_NAME).await?;
    Ok(secret)
}

/// Revokes every live token of [`TOKEN_USER`]; returns how many. No user, no tokens: 0.
///
/// Errors: the store.
pub async fn revoke_tokens(ws: &Workspace) -> Result<usize, AppError> {
    let tokens = match people::api_tokens(ws, Some(TOKEN_USER)).await {
        Ok(tokens) => tokens,
        Err(AppError::NotFound(_)) => return Ok(0),
        Err(e) => return Err(e),
    };
    let mut revoked = 0;
    for token in tokens.iter().filter(|t| t.revoked_at.is_none()) {
        people::revoke_api_token(ws, None, token.id).await?;
        revoked += 1;
    }
    Ok(revoked)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use alcance_app::vault::MemoryVault;

    /// A fresh workspace (no accounts) in `dir`, with an in-memory vault.
    async fn workspace(dir: &std::path::Path) -> (Arc<Workspace>, SharedVault) {
        let store = alcance_app::Store::open(&dir.join("alcance.db")).await.unwrap();
        let ws = alcance_app::testing::workspace_on(dir, store).await.unwrap();
        (Arc::new(ws), SharedVault(Arc::new(MemoryVault::new())))
    }

    #[tokio::test]
    async fn the_local_api_answers_its_token_only_and_stops() {
        let dir = tempfile::tempdir().unwrap();
        let (ws, vault) = workspace(dir.path()).await;
        let token = new_token(&ws).await.unwrap();
        // Port 0: the test asks for a free port (the default may be in use).
        let api = LocalApi::start(Arc::clone(&ws), vault, 0).await.unwrap();
        let url = api.url();
        assert!(url.starts_with("http://127.0.0.1:"), "{url}");
        let http = reqwest::Client::builder().no_proxy().build().unwrap();
        let accounts = format!("{url}/api/v1/accounts");
        let without = http.get(&accounts).send().await.unwrap();
        assert_eq!(without.status(), 401);
        let with = http.get(&accounts).bearer_auth(&token).send().await.unwrap();
        assert_eq!(with.status(), 200);
        let body: serde_json::Value = with.json().await.unwrap();
        assert_eq!(body["items"], serde_json::json!([]));

        // A new token revokes the earlier one.
        let second = new_token(&ws).await.unwrap();
        assert_ne!(second, token);
        let old = http.get(&accounts).bearer_auth(&token).send().await.unwrap();
        assert_eq!(old.status(), 401);
        let new = http.get(&accounts).bearer_auth(&second).send().await.unwrap();
        assert_eq!(new.status(), 200);

        // Turning it off: the server stops and the token is revoked.
        api.stop().await;
        assert!(http.get(&accounts).send().await.is_err(), "still listening");
        assert_eq!(revoke_tokens(&ws).await.unwrap(), 1);
        assert_eq!(revoke_tokens(&ws).await.unwrap(), 0);
    }
}
