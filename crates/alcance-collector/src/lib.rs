//! Collection runs: drive each account's platform client, archive what came back, and write
//! it to the store one account batch per transaction.
//!
//! A run covers many accounts on many platforms. One account failing (bad token, a 500,
//! a malformed answer) is recorded in `run_events` and the run goes on with the others;
//! nothing stored before is touched by a failure.

use alcance_core::{AccountRef, EventLevel, Platform};
use alcance_platforms::{CollectCtx, CollectWindow, PlatformClient, PlatformError, Recorder};
use alcance_store::{RunCounts, Store, StoreError};
use chrono::{DateTime, Utc};
use secrecy::SecretString;
use std::collections::HashMap;
use std::sync::Arc;

/// The clients a run can use, one per platform.
#[derive(Clone, Default)]
pub struct Clients(HashMap<Platform, Arc<dyn PlatformClient>>);

impl Clients {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds (or replaces) the client of its platform.
    pub fn with(mut self, client: Arc<dyn PlatformClient>) -> Self {
        self.0.insert(client.platform(), client);
        self
    }

    /// The client of `platform`, when one was added.
    pub fn get(&self, platform: Platform) -> Option<&Arc<dyn PlatformClient>> {
        self.0.get(&platform)
    }
}

/// One account to collect in a run.
#[derive(Debug, Clone)]
pub struct Target {
    /// `accounts.id` in the store.
    pub account_id: i64,
    /// The account as the platform knows it.
    pub account: AccountRef,
    /// The token to collect with (the account's own, or its owner's for a tracked profile);
    /// `None` when the vault had none: the account is reported as needing re-authorization.
    pub token: Option<SecretString>,
}

/// What kind of run this is; stored in `collection_runs.kind`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunKind {
    /// Part of `alcance demo`.
    Demo,
    /// Started by the user ("Sync now", `alcance collect --now`).
    Manual,
    /// Started by the scheduler.
    Scheduled,
}

impl RunKind {
    /// The stored key.
    pub fn as_str(self) -> &'static str {
        match self {
            RunKind::Demo => "demo",
            RunKind::Manual => "manual",
            RunKind::Scheduled => "scheduled",
        }
    }
}

/// Progress of a run, sent to the caller as it happens (CLI progress bar, UI channel).
#[derive(Debug, Clone, PartialEq)]
pub enum Progress {
    /// The run started with this many accounts.
    RunStarted {
        /// `collection_runs.id`.
        run_id: i64,
        /// Accounts in the run.
        accounts: usize,
    },
    /// One account is being collected.
    AccountStarted {
        /// 0-based position in the run.
        index: usize,
        /// The account.
        account: AccountRef,
    },
    /// One account finished (successfully or not).
    AccountFinished(AccountOutcome),
}

/// How one account's collection ended.
#[derive(Debug, Clone, PartialEq)]
pub struct AccountOutcome {
    /// `accounts.id`.
    pub account_id: i64,
    /// The account.
    pub account: AccountRef,
    /// `true` when a batch was stored.
    pub ok: bool,
    /// Metric values written or updated (account + post + audience).
    pub metrics: usize,
    /// Posts written or updated.
    pub posts: usize,
    /// Data gaps recorded (removed metrics, media without insights, ...).
    pub gaps: usize,
    /// Error code and message when the account failed (`unauthorized: ...`).
    pub error: Option<String>,
    /// `true` when the token was refused: the account is now `needs_reauth`.
    pub needs_reauth: bool,
}

/// How a whole run ended.
#[derive(Debug, Clone, PartialEq)]
pub struct RunSummary {
    /// `collection_runs.id`.
    pub run_id: i64,
    /// `ok` (every account), `partial` (some failed) or `failed` (all failed).
    pub status: &'static str,
    /// One outcome per account, in run order.
    pub accounts: Vec<AccountOutcome>,
}

impl RunSummary {
    /// Metric values written across the run.
    pub fn metrics(&self) -> usize {
        self.accounts.iter().map(|a| a.metrics).sum()
    }
}

/// Errors that stop a whole run (the store itself failing). Per-account errors never do.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CollectError {
    /// The store could not record the run.
    #[error("the run could not be recorded: {0}")]
    Store(#[from] StoreError),
}

/// Collects every target over `window`, stamping what it stores with `collected_at` (UTC),
/// and records the run and its events. Calls `progress` as it goes.
///
/// Errors: only when the run itself cannot be recorded (see [`CollectError`]).
pub async fn run(
    store: &Store,
    clients: &Clients,
    targets: &[Target],
    window: CollectWindow,
    collected_at: DateTime<Utc>,
    kind: RunKind,
    progress: &(dyn Fn(Progress) + Send + Sync),
) -> Result<RunSummary, CollectError> {
    let run_id = store.start_run(kind.as_str(), collected_at).await?;
    progress(Progress::RunStarted {
        run_id,
        accounts: targets.len(),
    });
    let mut outcomes = Vec::with_capacity(targets.len());
    for (index, target) in targets.iter().enumerate() {
        progress(Progress::AccountStarted {
            index,
            account: target.account.clone(),
        });
        let outcome = collect_one(store, clients, run_id, target, window, collected_at).await;
        match &outcome.error {
            None => tracing::info!(
                run_id,
                platform = %target.account.platform,
                account = %target.account.external_id,
                metrics = outcome.metrics,
                posts = outcome.posts,
                gaps = outcome.gaps,
                "account collected"
            ),
            Some(error) => tracing::warn!(
                run_id,
                platform = %target.account.platform,
                account = %target.account.external_id,
                needs_reauth = outcome.needs_reauth,
                error = %error,
                "account failed; the run goes on"
            ),
        }
        progress(Progress::AccountFinished(outcome.clone()));
        outcomes.push(outcome);
    }
    let ok = outcomes.iter().filter(|o| o.ok).count();
    let status = if ok == outcomes.len() {
        "ok"
    } else if ok == 0 {
        "failed"
    } else {
        "partial"
    };
    let counts = RunCounts {
        accounts_total: outcomes.len() as i64,
        accounts_ok: ok as i64,
        accounts_failed: (outcomes.len() - ok) as i64,
        metrics_written: outcomes.iter().map(|o| o.metrics as i64).sum(),
    };
    store
        .finish_run(run_id, status, Utc::now().max(collected_at), &counts)
        .await?;
    Ok(RunSummary {
        run_id,
        status,
        accounts: outcomes,
    })
}

async fn collect_one(
    store: &Store,
    clients: &Clients,
    run_id: i64,
    target: &Target,
    window: CollectWindow,
    collected_at: DateTime<Utc>,
) -> AccountOutcome {
    let mut outcome = AccountOutcome {
        account_id: target.account_id,
        account: target.account.clone(),
        ok: false,
        metrics: 0,
        posts: 0,
        gaps: 0,
        error: None,
        needs_reauth: false,
    };
    let account_id = Some(target.account_id);
    let fail = |code: String, message: String| async move {
        // The event is best effort: a store that cannot write an event cannot do better.
        let _ = store
            .add_event(run_id, account_id, EventLevel::Error, &code, &message, collected_at)
            .await;
        format!("{code}: {message}")
    };
    let Some(client) = clients.get(target.account.platform) else {
        outcome.error = Some(fail("no_client".into(), format!("no client for {}", target.account.platform)).await);
        return outcome;
    };
    let Some(token) = target.token.clone() else {
        let _ = store.set_account_status(target.account_id, "needs_reauth").await;
        outcome.needs_reauth = true;
        outcome.error = Some(
            fail(
                "no_token".into(),
                "no token in the vault: connect the account again".into(),
            )
            .await,
        );
        return outcome;
    };
    let recorder = Recorder::new();
    let ctx = CollectCtx {
        account: target.account.clone(),
        token,
        window,
        recorder: recorder.clone(),
    };
    tracing::debug!(platform = %target.account.platform, account = %target.account.external_id, "collecting");
    match client.collect(&ctx).await {
        Ok(batch) => {
            let raw = recorder.take();
            match store
                .save_batch(run_id, target.account_id, collected_at, &batch, &raw)
                .await
            {
                Ok(stats) => {
                    outcome.ok = true;
                    outcome.metrics = stats.account_metrics + stats.post_metrics + stats.audience;
                    outcome.posts = stats.posts;
                    outcome.gaps = batch.gaps.len();
                }
                Err(e) => {
                    outcome.error = Some(fail("store".into(), e.to_string()).await);
                }
            }
        }
        Err(e) => {
            let raw = recorder.take();
            let _ = store.save_raw(run_id, account_id, &raw).await;
            if e.needs_reauth() {
                let _ = store.set_account_status(target.account_id, "needs_reauth").await;
                outcome.needs_reauth = true;
            }
            outcome.error = Some(fail(e.code(), describe(&e)).await);
        }
    }
    outcome
}

/// A person-readable account of a platform error, without secrets (errors never hold any).
fn describe(e: &PlatformError) -> String {
    e.to_string()
}
