//! Collection runs: what started a run and how it stands (`collection_runs.kind` /
//! `.status`), and how each of its accounts ended (`run_accounts.status`).

use crate::text_enum::text_enum;
use serde::{Deserialize, Serialize};

/// What kind of run this is (`collection_runs.kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum RunKind {
    /// Part of `alcance demo`.
    Demo,
    /// Started by the user ("Sync now", `alcance collect --now`).
    Manual,
    /// Started by the scheduler.
    Scheduled,
}

text_enum!(RunKind, "run kind", [
    Demo => "demo",
    Manual => "manual",
    Scheduled => "scheduled",
]);

/// How a run stands (`collection_runs.status`): `running` until finished, `paused` while
/// stopped between two accounts (resumable), then `ok`, `partial`, `failed` or `cancelled`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum RunStatus {
    /// Collecting.
    Running,
    /// Stopped between two accounts; resumable.
    Paused,
    /// Every account was saved.
    Ok,
    /// Some accounts failed, some were saved.
    Partial,
    /// No account was saved.
    Failed,
    /// Cancelled by the user.
    Cancelled,
}

text_enum!(RunStatus, "run status", [
    Running => "running",
    Paused => "paused",
    Ok => "ok",
    Partial => "partial",
    Failed => "failed",
    Cancelled => "cancelled",
]);

impl RunStatus {
    /// `true` for `running` and `paused`: the run has not ended and can go on.
    pub fn is_open(self) -> bool {
        matches!(self, RunStatus::Running | RunStatus::Paused)
    }
}

/// How one account of a run stands (`run_accounts.status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum RunAccountStatus {
    /// Not collected yet in this run.
    Pending,
    /// Batch saved.
    Done,
    /// Failed (recorded in `run_events`).
    Failed,
    /// The run was cancelled before reaching it, or it could no longer be collected.
    Skipped,
}

text_enum!(RunAccountStatus, "run account status", [
    Pending => "pending",
    Done => "done",
    Failed => "failed",
    Skipped => "skipped",
]);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_exact_and_open_runs_are_known() {
        // Round trips of every key: text_enum's tests.
        assert!("Ok".parse::<RunStatus>().is_err(), "keys are exact");
        assert!(RunStatus::Paused.is_open() && !RunStatus::Partial.is_open());
    }
}
