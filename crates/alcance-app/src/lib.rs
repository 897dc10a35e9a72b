//! The one API that the desktop shell and the `alcance` CLI call: open a workspace,
//! connect accounts through OAuth, collect, query, render charts and export.
//!
//! A workspace is a folder: `alcance.db` (SQLite), `vault.enc` (the encrypted token file
//! when no OS keychain is available), `exports/`, `charts/` and `logs/`.

pub mod demo;
pub mod reports;
pub mod scheduler;
pub mod tokens;
pub mod views;
pub mod workspace;

pub use alcance_platforms::registry::{ConnectKind, PlatformInfo};
pub use workspace::{ExportPaths, Workspace, WorkspaceOptions};
