//! The error every command returns: `{ code, message }`, with the codes the UI branches on.

use alcance_app::views::ViewError;
use alcance_platforms::vault::VaultError;
use serde::{Deserialize, Serialize};

/// What the UI does differently per error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// No workspace is open: show the first-run screen.
    NoWorkspace,
    /// The token vault is locked or needs a passphrase: ask for it.
    VaultLocked,
    /// The request was invalid (unknown platform, empty date range, bad URL).
    InvalidInput,
    /// The thing asked for does not exist (a run, an account, a file).
    NotFound,
    /// Another operation is running (a demo build, a connect flow, a sync).
    Busy,
    /// The OAuth flow failed (consent denied, timed out, code refused).
    Oauth,
    /// A file could not be read or written.
    Io,
    /// Anything else; the message says what.
    Internal,
}

/// A command error as the UI receives it: `{"code": "vault_locked", "message": "..."}`.
/// Messages never carry secrets (tokens and client secrets never reach an error chain).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type, thiserror::Error)]
#[error("{code:?}: {message}")]
pub struct IpcError {
    /// What kind of error.
    pub code: ErrorCode,
    /// Human message: the error and its causes, outermost first, joined with `: `.
    pub message: String,
}

impl IpcError {
    /// An error with `code` and `message`.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        IpcError {
            code,
            message: message.into(),
        }
    }

    /// [`ErrorCode::NoWorkspace`] with the standard message.
    pub fn no_workspace() -> Self {
        IpcError::new(
            ErrorCode::NoWorkspace,
            "no workspace is open: open the demo workspace or connect an account",
        )
    }
}

impl From<anyhow::Error> for IpcError {
    fn from(e: anyhow::Error) -> Self {
        let message = format!("{e:#}");
        let code = e
            .chain()
            .find_map(|cause| {
                if let Some(v) = cause.downcast_ref::<ViewError>() {
                    return Some(match v {
                        ViewError::RunNotFound(_) => ErrorCode::NotFound,
                        _ => ErrorCode::InvalidInput,
                    });
                }
                if let Some(v) = cause.downcast_ref::<VaultError>() {
                    return Some(match v {
                        VaultError::Locked { .. } | VaultError::WrongPassphrase => ErrorCode::VaultLocked,
                        _ => ErrorCode::Internal,
                    });
                }
                if let Some(v) = cause.downcast_ref::<alcance_store::StoreError>() {
                    return Some(match v {
                        alcance_store::StoreError::NotFound { .. } => ErrorCode::NotFound,
                        alcance_store::StoreError::Invalid { .. } => ErrorCode::InvalidInput,
                        alcance_store::StoreError::DiskFull { .. } | alcance_store::StoreError::Io { .. } => {
                            ErrorCode::Io
                        }
                        alcance_store::StoreError::Busy { .. } => ErrorCode::Busy,
                        _ => ErrorCode::Internal,
                    });
                }
                if cause.downcast_ref::<alcance_platforms::PlatformError>().is_some() {
                    return Some(ErrorCode::Oauth);
                }
                if cause.downcast_ref::<std::io::Error>().is_some() {
                    return Some(ErrorCode::Io);
                }
                None
            })
            .unwrap_or(ErrorCode::Internal);
        IpcError { code, message }
    }
}

/// The result type of every command.
pub type IpcResult<T> = Result<T, IpcError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serializes_as_code_and_message() {
        let e = IpcError::no_workspace();
        let json = serde_json::to_value(&e).unwrap_or_default();
        assert_eq!(json["code"], "no_workspace");
        assert!(json["message"].as_str().is_some_and(|m| m.contains("demo workspace")));
    }

    #[test]
    fn codes_come_from_the_error_chain() {
        let e: IpcError = anyhow::Error::from(ViewError::UnknownPlatform("myspace".into()))
            .context("loading the dashboard")
            .into();
        assert_eq!(e.code, ErrorCode::InvalidInput);
        assert!(
            e.message.starts_with("loading the dashboard: unknown platform"),
            "{}",
            e.message
        );
        let e: IpcError = anyhow::Error::from(ViewError::RunNotFound(7)).into();
        assert_eq!(e.code, ErrorCode::NotFound);
        let io = std::io::Error::new(std::io::ErrorKind::PermissionDenied, "denied");
        let e: IpcError = anyhow::Error::from(io).context("writing the export").into();
        assert_eq!(e.code, ErrorCode::Io);
        let e: IpcError = anyhow::anyhow!("something else").into();
        assert_eq!(e.code, ErrorCode::Internal);
    }
}
