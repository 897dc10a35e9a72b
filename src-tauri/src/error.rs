//! The error every command returns: `{ code, message }`, with the codes the UI branches on
//! ([`ErrorCode`], defined in `alcance-app`; [`AppError::code`] gives it, no downcasting).

use alcance_app::AppError;
pub use alcance_app::ErrorCode;
use serde::{Deserialize, Serialize};

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

impl From<AppError> for IpcError {
    fn from(e: AppError) -> Self {
        IpcError {
            code: e.code(),
            message: e.message(),
        }
    }
}

/// The shell's own failures (autostart, the tray) carry no kind: `internal`.
impl From<anyhow::Error> for IpcError {
    fn from(e: anyhow::Error) -> Self {
        IpcError::from(AppError::from(e))
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
        use alcance_app::error::Context;
        use alcance_app::views::ViewError;
        let e: IpcError = Err::<(), _>(ViewError::UnknownTimeZone(alcance_app::zone::UnknownTimeZone(
            "Mars/Olympus_Mons".into(),
        )))
        .context("loading the dashboard")
        .unwrap_err()
        .into();
        assert_eq!(e.code, ErrorCode::InvalidInput);
        assert!(
            e.message.starts_with("loading the dashboard: unknown time zone"),
            "{}",
            e.message
        );
        let e: IpcError = AppError::from(ViewError::RunNotFound(alcance_app::RunId(7))).into();
        assert_eq!(e.code, ErrorCode::NotFound);
        let io = std::io::Error::new(std::io::ErrorKind::PermissionDenied, "denied");
        let e: IpcError = AppError::from(io).context("writing the export").into();
        assert_eq!(e.code, ErrorCode::Io);
        let e: IpcError = AppError::from(anyhow::anyhow!("something else")).into();
        assert_eq!(e.code, ErrorCode::Internal);
    }
}
