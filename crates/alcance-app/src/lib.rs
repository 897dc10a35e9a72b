//! The one API that the desktop shell and the `alcance` CLI call: open a workspace,
//! connect accounts through OAuth, collect, query, render charts and export.
//!
//! A workspace is a folder: `alcance.db` (SQLite), `vault.enc` (the encrypted token file
//! when no OS keychain is available), `exports/`, `charts/` and `logs/`; or, for a team, a
//! PostgreSQL database many processes share ([`team`]).
//!
//! This crate is the only door: the shell and the CLI depend on it and on no other
//! workspace crate (a test over `cargo metadata` checks it). What they need from the crates
//! below is re-exported here, at the root (domain values and errors) or in the small
//! modules at the end of this file. Workspaces are opened through [`Session`]; every
//! public function returns [`AppError`], whose [`AppError::code`] the callers branch on.

pub mod at_rest;
pub mod atomic;
pub mod backup;
pub mod campaigns;
pub mod comments;
pub mod competitors;
pub mod copy;
pub mod delivery;
pub mod demo;
pub mod error;
mod export_source;
pub mod fuzzing;
pub mod hashtags;
pub mod imports;
pub mod lease;
pub mod mail;
pub mod media;
/// glibc's allocator tuned for a small, long-lived footprint (ADR 0020): call
/// [`memory::tune`] first in `main`, [`memory::release_free_memory`] when the process goes quiet.
pub use alcance_malloc as memory;
pub mod people;
pub mod privacy;
pub mod reports;
pub mod runs;
pub mod scheduler;
pub mod scheduler_lock;
pub mod sentiment;
pub mod session;
pub mod sheets;
pub mod shell;
pub mod team;
pub mod team_backup;
pub mod telemetry;
#[cfg(feature = "testing")]
pub mod testing;
pub mod tokens;
pub mod tray;
pub mod views;
pub mod webhooks;
pub mod workspace;
pub mod zone;

pub use alcance_platforms::registry::{ConnectKind, PlatformInfo};
pub use error::{AppError, ErrorCode};
/// The export formats: one list in `alcance-report` that the app, the CLI and the UI read.
pub use reports::{ExportFormat, UnknownExportFormat};
pub use session::{Apis, Session, SharedVault, VaultNeed};
pub use team::{Team, TeamKeySource};
pub use workspace::{ExportPaths, Readiness, Workspace, WorkspaceOptions};

/// Domain values (`alcance-core`): platforms and account identities.
pub use alcance_core::{
    AccountId, AccountRef, AccountStatus, CadenceKind, CampaignId, ConnectionKind, EventLevel, MetricKey, Platform,
    PostId, RunId, RunKind, RunStatus, UnknownPlatform, WebhookEventKind,
};
/// Errors of the layers below, wrapped by [`AppError`] (match on them through it).
pub use alcance_platforms::PlatformError;
pub use alcance_store::{AccountRow, PostgresUrl, Store, StoreError, StoreLocation};

/// OAuth 2.0 (authorization code + PKCE, loopback redirect): the developer app, the
/// browser the consent page opens in, and the flow's defaults (`alcance-platforms`).
pub use alcance_platforms::oauth;

/// The token vault: where tokens are kept (`alcance-platforms`).
pub mod vault {
    pub use alcance_platforms::vault::sealed::Rotation;
    pub use alcance_platforms::vault::{MemoryVault, SealedVault, TokenVault, VaultError, WorkspaceKey};
}

/// Collection runs: their kind, progress and control, and account cadences
/// (`alcance-collector`).
pub mod collect {
    pub use alcance_collector::schedule::{effective_every, Cadence, RefreshPolicy, RefreshTier, STORY_CADENCE};
    pub use alcance_collector::{Progress, RunControl, RunKind};
}

/// Stored rows the CLI and the server show: schedules and campaigns (`alcance-store`).
pub mod store {
    pub use alcance_store::campaigns::{
        CampaignAccountRow, CampaignRole, CampaignRow, ConversionRow, CostRow, Goal, ImportReport, ImportRowError,
        NewCampaign, CONVERSION_CSV_COLUMNS, COST_CSV_COLUMNS,
    };
    pub use alcance_store::campaigns::{NewConversion, NewCost};
    /// Report schedules and their deliveries (`alcance report schedule`).
    pub use alcance_store::delivery;
    pub use alcance_store::schedule::ScheduleRow;
}

/// The platform sandbox: every platform's API and OAuth, offline on 127.0.0.1
/// (`alcance-sandbox`).
pub mod sandbox {
    /// Where the recorded API exchanges are (`../shared/fixtures`); tests skip without them
    /// locally and fail under `CI`.
    pub use alcance_sandbox::replay::{fixtures_dir, platform_fixtures_dir};
    pub use alcance_sandbox::{Mode, Sandbox, SandboxConfig};
}

/// How reports write numbers and labels, and the weekly report's options
/// (`alcance-report`), so the CLI prints what the files show.
pub mod format {
    pub use alcance_core::analytics::best_time::Tz;
    pub use alcance_report::html::{fmt_count, fmt_money, fmt_pct, fmt_signed_pct, DASH};
    pub use alcance_report::series::account_label;
    pub use alcance_report::weekly::{KpiLine, ReportFiles, WeeklyOptions};
}
