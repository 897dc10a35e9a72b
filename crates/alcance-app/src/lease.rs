//! Many collectors, one schedule: how a [`crate::scheduler::Scheduler`] in a team workspace
//! shares the schedule with the other workers on the same database.
//!
//! Accounts are leased per token ([`lease_group`]): an owned account and the tracked
//! profiles collected with its token form one group, held by one worker at a time, so the
//! rate-limit governor of that worker's process sees every request made with the token
//! (docs/adr/0007-one-worker-owns-a-token-at-a-time.md). A worker claims the groups of the
//! due accounts (`Store::claim_lease`, atomic), reads their schedules again (an account
//! another worker collected meanwhile is no longer due), collects them in one run while a
//! [`Heartbeat`] renews its leases and the run's heartbeat, and releases the leases when
//! the run ends. A worker that dies stops renewing: its leases expire, its run's heartbeat
//! goes stale, and another worker claims the run (`Store::claim_stale_run`) and resumes its
//! pending accounts.

use alcance_store::{AccountRow, Store};
use chrono::{DateTime, Duration, Utc};
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::Arc;

use crate::scheduler::Clock;

/// How a scheduler shares the schedule with other workers on the same database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeaseConfig {
    /// This worker's id, unique among the workers of the database (default
    /// `{host}:{pid}:{start nanos}:{n}`, see [`worker_id`]).
    pub worker: String,
    /// How long a lease and a run's heartbeat stay valid without renewal, by the
    /// scheduler's clock (default 2 min). A dead worker's accounts are taken over this long
    /// after its last heartbeat.
    pub lease: Duration,
    /// How often a worker renews its leases and its run's heartbeat, real time (default
    /// 20 s; keep it well under [`Self::lease`]).
    pub heartbeat_every: std::time::Duration,
    /// Most token groups one run claims (default 25), so the due accounts spread over the
    /// workers instead of going to whoever looks first.
    pub groups_per_run: usize,
}

impl Default for LeaseConfig {
    fn default() -> Self {
        Self {
            worker: worker_id(),
            lease: Duration::minutes(2),
            heartbeat_every: std::time::Duration::from_secs(20),
            groups_per_run: 25,
        }
    }
}

/// A fresh worker id: `{host}:{pid}:{start nanos}:{n}` (host from `HOSTNAME` or
/// `/etc/hostname`, `n` counting the ids made by this process), unique across machines,
/// processes (a reused pid has another start time) and the schedulers of one process.
pub fn worker_id() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let host = std::env::var("HOSTNAME")
        .ok()
        .or_else(|| std::fs::read_to_string("/etc/hostname").ok())
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "host".into());
    let nanos = Utc::now().timestamp_nanos_opt().unwrap_or_default();
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    format!("{host}:{}:{nanos:x}:{n}", std::process::id())
}

/// The lease group of an account: the vault key name of the token it is collected with
/// (its own, or its owner's for a tracked profile), or `account:{id}` when it has none.
pub fn lease_group(account: &AccountRow) -> String {
    match &account.vault_key {
        Some(key) => key.clone(),
        None => format!("account:{}", account.id),
    }
}

/// Claims the lease groups of `accounts` (in their order, at most `config.groups_per_run`
/// groups) for this worker at `now`, and returns the accounts of the groups it got.
/// Errors: the store's.
pub(crate) async fn claim_groups(
    store: &Store,
    config: &LeaseConfig,
    accounts: &[AccountRow],
    now: DateTime<Utc>,
) -> Result<Vec<AccountRow>, alcance_store::StoreError> {
    let mut groups: Vec<String> = Vec::new();
    for account in accounts {
        let group = lease_group(account);
        if !groups.contains(&group) {
            groups.push(group);
        }
    }
    let mut held = Vec::new();
    for group in groups {
        if held.len() >= config.groups_per_run.max(1) {
            break;
        }
        if store
            .claim_lease(&group, &config.worker, now, now + config.lease)
            .await?
        {
            held.push(group);
        }
    }
    Ok(accounts
        .iter()
        .filter(|a| held.contains(&lease_group(a)))
        .cloned()
        .collect())
}

/// Renews a worker's leases, and the heartbeat of the run it drives, every
/// [`LeaseConfig::heartbeat_every`] until dropped (dropping it stops the task: a worker
/// whose loop is gone stops renewing, as a dead process does).
pub(crate) struct Heartbeat {
    task: tokio::task::JoinHandle<()>,
}

impl Heartbeat {
    /// Starts renewing for `config.worker`; `run` holds the id of the run being driven (0
    /// before it is known).
    pub(crate) fn start(store: Store, config: LeaseConfig, clock: Arc<dyn Clock>, run: Arc<AtomicI64>) -> Self {
        let task = tokio::spawn(async move {
            let mut ticks = tokio::time::interval(config.heartbeat_every);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                ticks.tick().await;
                let now = clock.now();
                if let Err(e) = store.renew_leases(&config.worker, now + config.lease).await {
                    tracing::warn!(error = %e, "renewing the leases failed; retrying at the next heartbeat");
                }
                let run_id = run.load(Ordering::Relaxed);
                if run_id > 0 {
                    match store.heartbeat_run(run_id, &config.worker, now).await {
                        Ok(true) => {}
                        Ok(false) => {
                            tracing::debug!(run_id, "the run ended or another worker took it over")
                        }
                        Err(e) => tracing::warn!(run_id, error = %e, "the run's heartbeat failed"),
                    }
                }
            }
        });
        Heartbeat { task }
    }
}

impl Drop for Heartbeat {
    fn drop(&mut self) {
        self.task.abort();
    }
}
