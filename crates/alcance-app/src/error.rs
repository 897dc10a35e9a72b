//! The error every public function of `alcance-app` returns: [`AppError`], whose
//! [`AppError::code`] says what the caller does next ([`ErrorCode`]), so the desktop shell
//! maps it to its IPC `{code, message}` and the CLI prints it, neither downcasting.
//!
//! Inside the crate, `use crate::error::{Context, Result}` gives `?` on store, platform,
//! vault, view and I/O errors (kept typed) and on `anyhow` errors (kept as
//! [`AppError::Other`]), and `.context(..)` that keeps the kind of what it wraps.

use alcance_platforms::vault::VaultError;
use alcance_platforms::PlatformError;
use alcance_store::StoreError;
use serde::{Deserialize, Serialize};

use crate::views::ViewError;

/// What the caller (the UI, the CLI) does differently per error.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// No workspace is open: show the first-run screen.
    NoWorkspace,
    /// The token vault is locked or needs a passphrase: ask for it.
    VaultLocked,
    /// The request was invalid (empty date range, unknown time zone, bad URL or handle).
    InvalidInput,
    /// The thing asked for does not exist (a run, an account, a file).
    NotFound,
    /// Another operation is running (a demo build, a connect flow, a sync).
    Busy,
    /// The OAuth flow or a platform call failed (consent denied, timed out, code refused).
    Oauth,
    /// A file could not be read or written (permissions, a full disk, a corrupt file).
    Io,
    /// The team database (or another service the workspace needs) cannot be reached right
    /// now: the worker retries with backoff; the UI says so and offers to retry.
    Unavailable,
    /// Anything else; the message says what.
    Internal,
}

impl ErrorCode {
    /// Every code, in declaration order (the UI checks received codes against this list).
    pub const ALL: [ErrorCode; 9] = [
        ErrorCode::NoWorkspace,
        ErrorCode::VaultLocked,
        ErrorCode::InvalidInput,
        ErrorCode::NotFound,
        ErrorCode::Busy,
        ErrorCode::Oauth,
        ErrorCode::Io,
        ErrorCode::Unavailable,
        ErrorCode::Internal,
    ];
}

/// An error of `alcance-app`. Variants are what a caller acts on; the rest is
/// [`AppError::Other`]. Messages never carry secrets (tokens and client secrets never
/// reach an error).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AppError {
    /// No workspace is open (or the folder holds none).
    #[error("{0}")]
    NoWorkspace(String),
    /// The request was invalid; the message says why.
    #[error("{0}")]
    InvalidInput(String),
    /// The thing asked for does not exist; the message names it.
    #[error("{0}")]
    NotFound(String),
    /// Another operation is running.
    #[error("{0}")]
    Busy(String),
    /// A view was asked something no query can answer (bad platform, range, time zone, run).
    #[error(transparent)]
    View(#[from] ViewError),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A platform API or an OAuth flow failed.
    #[error(transparent)]
    Platform(#[from] PlatformError),
    /// The token vault is locked, refused the passphrase or failed.
    #[error(transparent)]
    Vault(#[from] VaultError),
    /// A file could not be read or written.
    #[error(transparent)]
    Io(#[from] std::io::Error),
    /// `context` around another error (what was being done when it happened).
    #[error("{context}")]
    Context {
        /// What was being done ("connecting X").
        context: String,
        /// The error it ran into.
        #[source]
        source: Box<AppError>,
    },
    /// Anything else (its message and causes).
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

/// `Result` with [`AppError`].
pub type Result<T, E = AppError> = std::result::Result<T, E>;

impl AppError {
    /// [`AppError::NoWorkspace`] with the standard message.
    pub fn no_workspace() -> AppError {
        AppError::NoWorkspace("no workspace is open: open the demo workspace or connect an account".into())
    }

    /// The innermost error under the [`AppError::Context`] layers.
    pub fn root(&self) -> &AppError {
        match self {
            AppError::Context { source, .. } => source.root(),
            other => other,
        }
    }

    /// Wraps `self` in `context`.
    pub fn context(self, context: impl std::fmt::Display) -> AppError {
        AppError::Context {
            context: context.to_string(),
            source: Box::new(self),
        }
    }

    /// The error and its causes, outermost first, with the typed error at the root as
    /// itself (so `downcast_ref::<PlatformError>()` finds it) followed by its own sources.
    pub fn causes(&self) -> impl Iterator<Item = &(dyn std::error::Error + 'static)> {
        let mut layers: Vec<&(dyn std::error::Error + 'static)> = Vec::new();
        let mut at = self;
        while let AppError::Context { source, .. } = at {
            layers.push(at);
            at = source;
        }
        let root: &(dyn std::error::Error + 'static) = match at {
            AppError::View(e) => e,
            AppError::Store(e) => e,
            AppError::Platform(e) => e,
            AppError::Vault(e) => e,
            AppError::Io(e) => e,
            AppError::Other(e) => e.as_ref(),
            other => other,
        };
        layers.push(root);
        let mut cause = root.source();
        while let Some(c) = cause {
            layers.push(c);
            cause = c.source();
        }
        layers.into_iter()
    }

    /// What the caller does next.
    pub fn code(&self) -> ErrorCode {
        match self {
            AppError::NoWorkspace(_) => ErrorCode::NoWorkspace,
            AppError::InvalidInput(_) => ErrorCode::InvalidInput,
            AppError::NotFound(_) => ErrorCode::NotFound,
            AppError::Busy(_) => ErrorCode::Busy,
            AppError::View(ViewError::RunNotFound(_)) => ErrorCode::NotFound,
            AppError::View(ViewError::AccountNotFound(_)) => ErrorCode::NotFound,
            AppError::View(_) => ErrorCode::InvalidInput,
            AppError::Store(e) => match e {
                StoreError::NotFound { .. } => ErrorCode::NotFound,
                // The workspace given is not one Alcance can use (wrong user or password,
                // another application's database, an engine feature it lacks).
                StoreError::Invalid { .. }
                | StoreError::Auth { .. }
                | StoreError::ForeignDatabase { .. }
                | StoreError::SqliteOnly { .. } => ErrorCode::InvalidInput,
                StoreError::DiskFull { .. }
                | StoreError::Io { .. }
                | StoreError::Access { .. }
                | StoreError::Corrupt { .. }
                | StoreError::NotADatabase { .. } => ErrorCode::Io,
                StoreError::Busy { .. } => ErrorCode::Busy,
                StoreError::Unreachable { .. } => ErrorCode::Unavailable,
                // The encrypted workspace's key is in a vault that is locked or another one.
                StoreError::Encrypted { .. } | StoreError::WrongKey { .. } => ErrorCode::VaultLocked,
                StoreError::NotEncrypted { .. } => ErrorCode::InvalidInput,
                // A newer schema (update Alcance), SQL and decoding failures: the message
                // says which.
                _ => ErrorCode::Internal,
            },
            AppError::Platform(_) => ErrorCode::Oauth,
            AppError::Vault(
                VaultError::Locked { .. }
                | VaultError::WrongPassphrase
                | VaultError::BadWorkspaceKey { .. }
                | VaultError::WrongWorkspaceKey { .. },
            ) => ErrorCode::VaultLocked,
            AppError::Vault(_) => ErrorCode::Internal,
            AppError::Io(_) => ErrorCode::Io,
            AppError::Context { source, .. } => source.code(),
            AppError::Other(_) => ErrorCode::Internal,
        }
    }

    /// The message with its causes, outermost first, joined with `: ` (as `anyhow`'s
    /// `{:#}`).
    pub fn message(&self) -> String {
        let mut out = self.to_string();
        let mut cause = std::error::Error::source(self);
        while let Some(c) = cause {
            out.push_str(": ");
            out.push_str(&c.to_string());
            cause = c.source();
        }
        out
    }
}

/// `.context(..)` / `.with_context(..)` on results and options, keeping the kind of the
/// wrapped error (an option's `None` becomes [`AppError::Other`] with the context).
pub trait Context<T> {
    /// Wraps the error in `context`.
    fn context<C: std::fmt::Display>(self, context: C) -> Result<T>;
    /// Wraps the error in the context `f` gives (called only on error).
    fn with_context<C: std::fmt::Display, F: FnOnce() -> C>(self, f: F) -> Result<T>;
}

impl<T, E: Into<AppError>> Context<T> for std::result::Result<T, E> {
    fn context<C: std::fmt::Display>(self, context: C) -> Result<T> {
        self.map_err(|e| e.into().context(context))
    }
    fn with_context<C: std::fmt::Display, F: FnOnce() -> C>(self, f: F) -> Result<T> {
        self.map_err(|e| e.into().context(f()))
    }
}

impl<T> Context<T> for Option<T> {
    fn context<C: std::fmt::Display>(self, context: C) -> Result<T> {
        self.ok_or_else(|| AppError::Other(anyhow::anyhow!("{context}")))
    }
    fn with_context<C: std::fmt::Display, F: FnOnce() -> C>(self, f: F) -> Result<T> {
        self.ok_or_else(|| AppError::Other(anyhow::anyhow!("{}", f())))
    }
}

macro_rules! from_as_other {
    ($($t:ty),* $(,)?) => {$(
        impl From<$t> for AppError {
            fn from(e: $t) -> AppError {
                AppError::Other(anyhow::Error::from(e))
            }
        }
    )*};
}

from_as_other!(
    alcance_report::ReportError,
    alcance_core::UnknownPlatform,
    tokio::task::JoinError,
    serde_json::Error,
    reqwest::Error,
    url::ParseError,
    std::net::AddrParseError,
    chrono::RoundingError,
    chrono::ParseError,
    alcance_sandbox::SandboxError,
    alcance_collector::CollectError,
);

/// `AppError::Other(anyhow!(..))`: an error with only a message.
#[macro_export]
#[doc(hidden)]
macro_rules! app_err {
    ($($arg:tt)*) => {
        $crate::error::AppError::Other(anyhow::anyhow!($($arg)*))
    };
}

/// `return Err(AppError::Other(anyhow!(..)))`: `anyhow::bail!` for functions returning
/// [`Result`].
#[macro_export]
#[doc(hidden)]
macro_rules! bail_app {
    ($($arg:tt)*) => {
        return Err($crate::error::AppError::Other(anyhow::anyhow!($($arg)*)))
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_messages_follow_the_wrapped_error() {
        let e = AppError::from(ViewError::UnknownTimeZone(crate::zone::UnknownTimeZone(
            "Mars/Olympus_Mons".into(),
        )))
        .context("loading the dashboard");
        assert_eq!(e.code(), ErrorCode::InvalidInput);
        assert!(
            e.message().starts_with("loading the dashboard: unknown time zone"),
            "{}",
            e.message()
        );
        assert_eq!(
            AppError::from(ViewError::RunNotFound(alcance_core::RunId(7))).code(),
            ErrorCode::NotFound
        );
        let io = std::io::Error::new(std::io::ErrorKind::PermissionDenied, "denied");
        let e = AppError::from(io).context("writing the export");
        assert_eq!(e.code(), ErrorCode::Io);
        assert_eq!(e.message(), "writing the export: denied");
        let e = AppError::from(anyhow::anyhow!("something else").context("outer"));
        assert_eq!(e.code(), ErrorCode::Internal);
        assert_eq!(e.message(), "outer: something else");
        let locked: Result<()> = Err(VaultError::WrongPassphrase).context("opening the token vault");
        assert_eq!(locked.err().map(|e| e.code()), Some(ErrorCode::VaultLocked));
        assert_eq!(AppError::no_workspace().code(), ErrorCode::NoWorkspace);
        // The team database's failures: retry later, or fix the location / credentials.
        let down = AppError::from(StoreError::Unreachable {
            detail: "postgres://alcance@db:5432/alcance: connection refused".into(),
        })
        .context("opening the team workspace");
        assert_eq!(down.code(), ErrorCode::Unavailable);
        assert!(down.message().contains("connection refused"), "{}", down.message());
        for wrong in [
            StoreError::Auth {
                detail: "refused".into(),
            },
            StoreError::ForeignDatabase {
                detail: "tables".into(),
            },
        ] {
            assert_eq!(AppError::from(wrong).code(), ErrorCode::InvalidInput);
        }
        let newer = AppError::from(StoreError::SchemaTooNew { version: 9, known: 5 });
        assert_eq!(newer.code(), ErrorCode::Internal);
        assert!(newer.message().contains("update Alcance"), "{}", newer.message());
    }

    #[test]
    fn every_code_is_listed_once() {
        let keys: Vec<String> = ErrorCode::ALL
            .iter()
            .map(|c| serde_json::to_string(c).unwrap_or_default())
            .collect();
        assert_eq!(
            keys,
            [
                "\"no_workspace\"",
                "\"vault_locked\"",
                "\"invalid_input\"",
                "\"not_found\"",
                "\"busy\"",
                "\"oauth\"",
                "\"io\"",
                "\"unavailable\"",
                "\"internal\""
            ]
        );
    }
}
