//! Collection control: `POST /api/v1/sync`, `POST /api/v1/runs/{id}/cancel`,
//! `POST /api/v1/collection/pause` and `/resume` (role manager), over the scheduler
//! `alcance serve --collect` runs ([`Collection`]). Without `--collect` the server only
//! reads, and these routes answer 409 `collection-off`.

use crate::auth::Caller;
use crate::problem::{ApiError, Problem};
use crate::{params, ApiState};
use alcance_app::collect::Progress;
use alcance_app::people::Outcome;
use alcance_app::scheduler::{Scheduler, SchedulerEvent};
use alcance_app::AccountId;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use serde::{Deserialize, Serialize};
use std::sync::{Arc, Mutex, PoisonError};
use tokio::sync::broadcast;
use utoipa::ToSchema;

/// The scheduler this server drives, and what it is doing now (followed from its events).
/// Cheap to clone.
#[derive(Clone)]
pub struct Collection {
    scheduler: Scheduler,
    now: Arc<Mutex<Now>>,
}

/// What the scheduler is doing, as its events said.
#[derive(Debug, Default, Clone)]
struct Now {
    /// The run in flight (`collection_runs.id`), if any.
    run: Option<i64>,
    /// Scheduling is paused.
    paused: bool,
    /// The latest progress of the run in flight ([`live_event`]), if any.
    live: Option<LiveEvent>,
}

impl Collection {
    /// Follows `scheduler` (subscribes at once; a task reads its events until it stops).
    /// `paused`: the scheduler was started paused. Call inside a tokio runtime.
    pub fn new(scheduler: Scheduler, paused: bool) -> Collection {
        let now = Arc::new(Mutex::new(Now {
            run: None,
            paused,
            live: None,
        }));
        let mut events = scheduler.subscribe();
        let followed = Arc::clone(&now);
        tokio::spawn(async move {
            loop {
                let event = match events.recv().await {
                    Ok(SchedulerEvent::Stopped) | Err(broadcast::error::RecvError::Closed) => break,
                    Ok(event) => event,
                    Err(broadcast::error::RecvError::Lagged(_)) => continue,
                };
                let mut now = followed.lock().unwrap_or_else(PoisonError::into_inner);
                match live_event(&event) {
                    Some(live) if live.event == "run-finished" => now.live = None,
                    Some(live) => now.live = Some(live),
                    None => {}
                }
                match event {
                    SchedulerEvent::RunStarted { run_id, .. } => now.run = Some(run_id.get()),
                    SchedulerEvent::Progress(Progress::RunStarted { run_id, .. }) => now.run = Some(run_id),
                    SchedulerEvent::RunFinished { run_id, .. } if now.run == Some(run_id.get()) => {
                        now.run = None;
                        now.live = None;
                    }
                    SchedulerEvent::RunFailed { .. } => {
                        now.run = None;
                        now.live = None;
                    }
                    SchedulerEvent::Paused => now.paused = true,
                    SchedulerEvent::Resumed => now.paused = false,
                    _ => {}
                }
            }
        });
        Collection { scheduler, now }
    }

    /// The scheduler.
    pub fn scheduler(&self) -> &Scheduler {
        &self.scheduler
    }

    fn now(&self) -> Now {
        self.now.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// Whether scheduling is paused, the run in flight (`collection_runs.id`) and its
    /// latest progress, as the scheduler's events said.
    pub fn snapshot(&self) -> (bool, Option<i64>, Option<LiveEvent>) {
        let now = self.now();
        (now.paused, now.run, now.live)
    }

    fn set_paused(&self, paused: bool) {
        self.now.lock().unwrap_or_else(PoisonError::into_inner).paused = paused;
    }
}

/// 409 `collection-off`: the server was started without `--collect`.
pub fn collection_off() -> ApiError {
    ApiError {
        status: StatusCode::CONFLICT,
        kind: "collection-off",
        title: "Collection is off",
        detail: "this server does not collect: start it with `alcance serve --collect` to sync, pause, resume or \
                 cancel runs"
            .into(),
    }
}

impl ApiState {
    /// The collection this server drives; 409 `collection-off` without `--collect`.
    pub fn collection(&self) -> Result<&Collection, ApiError> {
        self.collection.as_ref().ok_or_else(collection_off)
    }
}

/// The body of `POST /api/v1/sync` (optional: no body, or no `account_ids`, syncs every
/// collectable account).
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct SyncBody {
    /// The accounts to collect (`accounts.id`); absent or empty: every collectable account.
    #[serde(default)]
    pub account_ids: Vec<i64>,
}

/// What a control request did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CollectionState {
    /// Scheduling is paused (a sync asked for still runs).
    pub paused: bool,
    /// The run in flight on this server (`collection_runs.id`), if any, when the answer
    /// was made (a sync just asked for starts after it, or shortly).
    pub current_run: Option<i64>,
    /// The accounts a sync was asked for (`accounts.id`; empty: every collectable one);
    /// empty for the other requests.
    pub account_ids: Vec<i64>,
}

async fn audited(state: &ApiState, caller: &Caller, action: &str, subject: Option<&str>) {
    if let Err(e) = alcance_app::people::audit(
        state.workspace(),
        Some(caller.email()),
        action,
        subject,
        Outcome::Ok,
        None,
    )
    .await
    {
        tracing::warn!(error = %e.message(), action, "cannot write the audit log");
    }
}

/// Collects now, as a manual run: every collectable account, or the ones listed. The run
/// starts after the run in flight, if any; follow it at `/api/v1/runs/live` or
/// `/api/v1/runs`. Runs even while scheduling is paused (the user asked).
#[utoipa::path(
    post,
    path = "/api/v1/sync",
    tag = "collection",
    request_body(content = Option<SyncBody>, description = "Optional: the accounts to collect", content_type = "application/json"),
    responses(
        (status = 202, description = "The sync is queued", body = CollectionState),
        (status = 400, description = "The body is not a JSON object with `account_ids` (positive integers)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "An account id is unknown", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The server does not collect (started without `--collect`)", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "The server failed (see its log)", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn sync_now(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    body: Bytes,
) -> Result<(StatusCode, Json<CollectionState>), ApiError> {
    let collection = state.collection()?.clone();
    let body: SyncBody = if body.iter().all(u8::is_ascii_whitespace) {
        SyncBody::default()
    } else {
        serde_json::from_slice(&body)
            .map_err(|e| ApiError::invalid(format!("the body is not {{\"account_ids\": [1, 2]}} (or empty): {e}")))?
    };
    if let Some(bad) = body.account_ids.iter().find(|id| **id < 1) {
        return Err(ApiError::invalid(format!("account id {bad} is not a positive integer")));
    }
    if !body.account_ids.is_empty() {
        let known: Vec<i64> = state.accounts().await?.iter().map(|a| a.id.get()).collect();
        if let Some(unknown) = body.account_ids.iter().find(|id| !known.contains(id)) {
            return Err(ApiError::not_found(format!("account {unknown} not found")));
        }
        collection
            .scheduler()
            .sync_accounts(body.account_ids.iter().copied().map(AccountId).collect());
    } else {
        collection.scheduler().sync_now();
    }
    let ids: Vec<String> = body.account_ids.iter().map(i64::to_string).collect();
    audited(
        &state,
        &caller,
        "sync",
        (!ids.is_empty()).then(|| ids.join(",")).as_deref(),
    )
    .await;
    let now = collection.now();
    Ok((
        StatusCode::ACCEPTED,
        Json(CollectionState {
            paused: now.paused,
            current_run: now.run,
            account_ids: body.account_ids,
        }),
    ))
}

/// Cancels the run in flight on this server after its current account: the accounts it
/// had not reached are skipped (status `cancelled`) and wait for their next cadence; a
/// queued sync is dropped too.
#[utoipa::path(
    post,
    path = "/api/v1/runs/{id}/cancel",
    tag = "collection",
    params(("id" = i64, Path, description = "The run id", minimum = 1)),
    responses(
        (status = 202, description = "The cancel is sent; the run ends `cancelled` after its current account", body = CollectionState),
        (status = 400, description = "The id is not a positive integer", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No run has this id", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The server does not collect, or the run is not in flight on this server (finished, or another worker's)", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "The server failed (see its log)", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn cancel_run(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<(StatusCode, Json<CollectionState>), ApiError> {
    let id = params::id("id", Some(&id))?.unwrap_or_default();
    let collection = state.collection()?.clone();
    let run = alcance_app::views::run(state.workspace(), alcance_app::RunId(id)).await?;
    let now = collection.now();
    if now.run != Some(id) {
        return Err(ApiError {
            status: StatusCode::CONFLICT,
            kind: "run-not-in-flight",
            title: "Run not in flight",
            detail: format!(
                "run {id} ({}) is not being collected by this server; only the run in flight here can be cancelled",
                run.status
            ),
        });
    }
    collection.scheduler().cancel_current();
    audited(&state, &caller, "run-cancel", Some(&id.to_string())).await;
    Ok((
        StatusCode::ACCEPTED,
        Json(CollectionState {
            paused: now.paused,
            current_run: now.run,
            account_ids: Vec::new(),
        }),
    ))
}

/// Pauses scheduling: no scheduled run starts, and the run in flight pauses before its
/// next account (a sync asked for still runs). Idempotent.
#[utoipa::path(
    post,
    path = "/api/v1/collection/pause",
    tag = "collection",
    responses(
        (status = 202, description = "Scheduling pauses", body = CollectionState),
        (status = 409, description = "The server does not collect (started without `--collect`)", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn pause(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
) -> Result<(StatusCode, Json<CollectionState>), ApiError> {
    let collection = state.collection()?.clone();
    collection.scheduler().pause();
    collection.set_paused(true);
    audited(&state, &caller, "collection-pause", None).await;
    let now = collection.now();
    Ok((
        StatusCode::ACCEPTED,
        Json(CollectionState {
            paused: true,
            current_run: now.run,
            account_ids: Vec::new(),
        }),
    ))
}

/// Resumes scheduling and a paused run. Idempotent.
#[utoipa::path(
    post,
    path = "/api/v1/collection/resume",
    tag = "collection",
    responses(
        (status = 202, description = "Scheduling goes on", body = CollectionState),
        (status = 409, description = "The server does not collect (started without `--collect`)", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn resume(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
) -> Result<(StatusCode, Json<CollectionState>), ApiError> {
    let collection = state.collection()?.clone();
    collection.scheduler().resume();
    collection.set_paused(false);
    audited(&state, &caller, "collection-resume", None).await;
    let now = collection.now();
    Ok((
        StatusCode::ACCEPTED,
        Json(CollectionState {
            paused: false,
            current_run: now.run,
            account_ids: Vec::new(),
        }),
    ))
}

/// One event of `GET /api/v1/runs/live` (the SSE `data:` line, JSON; the SSE `event:`
/// name is [`LiveEvent::event`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct LiveEvent {
    /// `run-started`, `progress` (after each account, and when the run pauses or goes on)
    /// or `run-finished`.
    pub event: String,
    /// `collection_runs.id`.
    pub run_id: i64,
    /// The run's status: `running`, `paused`, or at the end `ok`, `partial`, `failed`,
    /// `cancelled` (or `paused`: interrupted, resumed later).
    pub status: String,
    /// Accounts finished so far, one way or another (saved, failed or skipped; count).
    pub accounts_done: usize,
    /// Accounts in the run (count).
    pub accounts_total: usize,
    /// `accounts_done` over `accounts_total`, percent 0–100 (100 for a run of no account).
    pub percent: u8,
    /// Metric values written so far (count).
    pub metrics: usize,
    /// When the server saw it (UTC).
    #[schema(value_type = String, format = DateTime)]
    pub at: chrono::DateTime<chrono::Utc>,
}

fn percent(done: usize, total: usize) -> u8 {
    if total == 0 {
        return 100;
    }
    u8::try_from((done.min(total) * 100) / total).unwrap_or(100)
}

/// The live event of a scheduler event, if it is about a run's progress.
pub fn live_event(event: &SchedulerEvent) -> Option<LiveEvent> {
    let (name, run_id, status, done, total, metrics) = match event {
        SchedulerEvent::RunStarted { run_id, accounts, .. } => {
            ("run-started", run_id.get(), "running".to_string(), 0, *accounts, 0)
        }
        SchedulerEvent::Progress(Progress::Run(p) | Progress::Paused(p) | Progress::Resumed(p)) => (
            "progress",
            p.run_id,
            p.status.to_string(),
            p.accounts_done(),
            p.accounts_total,
            p.metrics,
        ),
        SchedulerEvent::Progress(Progress::Finished(p)) => (
            "run-finished",
            p.run_id,
            p.status.to_string(),
            p.accounts_done(),
            p.accounts_total,
            p.metrics,
        ),
        _ => return None,
    };
    Some(LiveEvent {
        event: name.into(),
        run_id,
        status,
        accounts_done: done,
        accounts_total: total,
        percent: percent(done, total),
        metrics,
        at: chrono::Utc::now(),
    })
}

/// Live progress of the runs of this server's scheduler, as Server-Sent Events: one
/// `run-started` per run, a `progress` after each account (accounts done / total, percent
/// 0–100), one `run-finished` with the final status; a comment every 15 s keeps the
/// connection open. The stream lasts until the client leaves or the server stops (no
/// request time limit). A client too slow to read skips events (the next one has the
/// whole-run tallies). It ends when the scheduler stops (the server shutting down).
#[utoipa::path(
    get,
    path = "/api/v1/runs/live",
    tag = "runs",
    responses(
        (status = 200, description = "An endless `text/event-stream`: each event's `event:` is `run-started`, `progress` or `run-finished`, its `data:` one LiveEvent in JSON", body = LiveEvent, content_type = "text/event-stream"),
        (status = 409, description = "The server does not collect (started without `--collect`)", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn live(
    State(state): State<ApiState>,
) -> Result<
    axum::response::sse::Sse<
        impl tokio_stream::Stream<Item = Result<axum::response::sse::Event, std::convert::Infallible>>,
    >,
    ApiError,
> {
    use axum::response::sse::{Event, KeepAlive, Sse};
    use tokio_stream::StreamExt;
    let events = state.collection()?.scheduler().subscribe();
    // The stream ends when the scheduler stops (the server's shutdown stops it), so a
    // connected client never holds the graceful shutdown up.
    let stream = tokio_stream::wrappers::BroadcastStream::new(events)
        .take_while(|event| !matches!(event, Ok(SchedulerEvent::Stopped)))
        .filter_map(|event| {
            let live = live_event(&event.ok()?)?;
            let data = serde_json::to_string(&live).ok()?;
            Some(Ok(Event::default().event(live.event).data(data)))
        });
    Ok(Sse::new(stream).keep_alive(KeepAlive::new().interval(std::time::Duration::from_secs(15))))
}
