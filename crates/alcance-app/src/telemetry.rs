//! Prometheus metrics of the process (issue 12 point 6): the recorder behind the `metrics`
//! facade the workspace's crates count with, and its text rendering for `GET /metrics` of
//! `alcance serve`.
//!
//! [`install`] sets the process-wide recorder once (later calls reuse it); until then every
//! count is dropped at no cost, so the desktop app and the CLI pay nothing. [`render`] gives
//! the Prometheus text exposition format (0.0.4). [`refresh`] sets the gauges read from the
//! workspace (token expiries, due accounts, last collection, cadence) just before a scrape.
//!
//! Names carry the `alcance_` prefix and their unit; labels are few-valued: `platform`
//! (`x`, `instagram`, ...; for API requests the API family `x`, `meta`, `tiktok`, `other`),
//! `endpoint` (the rate-limit governor's path template, ids replaced), `status`, `outcome`,
//! `method`, `route` (the server's route template), and `account_id` (`accounts.id`) on the
//! per-account gauges only. Secrets, tokens and raw paths never become labels.
//!
//! | metric | type | labels | set by |
//! |---|---|---|---|
//! | `alcance_collections_total` | counter | platform, outcome (`ok`, `partial`, `failed`, `skipped`) | the collector, per account |
//! | `alcance_records_stored_total` | counter | platform | the collector (metric values written) |
//! | `alcance_api_requests_total` | counter | platform, endpoint, status (HTTP status or `transport`) | the platforms' HTTP layer |
//! | `alcance_api_request_duration_seconds` | histogram | platform, endpoint | the platforms' HTTP layer |
//! | `alcance_rate_limit_waits_total` | counter | platform | the rate-limit governor |
//! | `alcance_rate_limit_wait_seconds_total` | counter | platform | the rate-limit governor (whole seconds) |
//! | `alcance_rate_limit_remaining` | gauge | platform, endpoint | the governor, from `x-rate-limit-remaining` |
//! | `alcance_token_expires_in_seconds` | gauge | platform, account_id | [`refresh`] |
//! | `alcance_due_accounts` | gauge | | [`refresh`] |
//! | `alcance_account_last_collected_timestamp_seconds` | gauge | platform, account_id | [`refresh`] (Unix s, UTC) |
//! | `alcance_account_cadence_seconds` | gauge | platform, account_id | [`refresh`] (0: paused or disconnected) |
//! | `alcance_lease_takeovers_total` | counter | | the scheduler, when it claims a dead worker's run |
//! | `alcance_http_requests_total` | counter | method, route, status | `alcance serve` |
//! | `alcance_http_request_duration_seconds` | histogram | method, route | `alcance serve` |

use crate::views::{self, SharedVault, TokenHealth};
use crate::workspace::Workspace;
use alcance_core::AccountStatus;
use chrono::{DateTime, Utc};
use metrics::{describe_counter, describe_gauge, describe_histogram, Unit};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use std::sync::OnceLock;

/// The name of every metric of the table above, for the dashboard and alert tests.
pub const METRICS: [&str; 14] = [
    "alcance_collections_total",
    "alcance_records_stored_total",
    "alcance_api_requests_total",
    "alcance_api_request_duration_seconds",
    "alcance_rate_limit_waits_total",
    "alcance_rate_limit_wait_seconds_total",
    "alcance_rate_limit_remaining",
    "alcance_token_expires_in_seconds",
    "alcance_due_accounts",
    "alcance_account_last_collected_timestamp_seconds",
    "alcance_account_cadence_seconds",
    "alcance_lease_takeovers_total",
    "alcance_http_requests_total",
    "alcance_http_request_duration_seconds",
];

/// Histogram buckets of the `_duration_seconds` metrics, seconds: from 5 ms (a local
/// answer) to 60 s (a platform request near its time limit).
pub const DURATION_BUCKETS: [f64; 12] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 60.0];

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// Installs the Prometheus recorder as the process's `metrics` recorder (once; later calls
/// do nothing) and describes every metric. Returns `false` when it could not be installed
/// (another recorder was set first): counts then go to that recorder and [`render`] gives
/// an empty text. Failures are logged, never fatal.
pub fn install() -> bool {
    HANDLE
        .get_or_init(|| {
            let builder = match PrometheusBuilder::new().set_buckets(&DURATION_BUCKETS) {
                Ok(b) => b,
                Err(e) => {
                    tracing::warn!(error = %e, "metrics: buckets refused");
                    PrometheusBuilder::new()
                }
            };
            match builder.install_recorder() {
                Ok(handle) => {
                    describe();
                    Some(handle)
                }
                Err(e) => {
                    tracing::warn!(error = %e, "metrics: the Prometheus recorder is not installed");
                    None
                }
            }
        })
        .is_some()
}

/// The metrics in the Prometheus text exposition format (0.0.4), `# HELP` and `# TYPE`
/// lines included; empty before [`install`].
pub fn render() -> String {
    HANDLE
        .get()
        .and_then(Option::as_ref)
        .map(PrometheusHandle::render)
        .unwrap_or_default()
}

/// The content type of [`render`]'s text.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// Sets the gauges read from the workspace at `now` (UTC): per account its token's
/// remaining life (`alcance_token_expires_in_seconds`, negative once expired; left out for
/// tokens without a known expiry and for those with a refresh token and fewer than
/// `EXPIRES_SOON_DAYS` days left: they renew themselves), last collection (Unix seconds) and cadence; and
/// the number of active accounts due (`next_run_at` ≤ `now`). `vault` as for
/// [`views::accounts`].
///
/// Errors: store errors (the gauges keep their previous values).
pub async fn refresh(ws: &Workspace, vault: Option<&SharedVault>, now: DateTime<Utc>) -> crate::error::Result<()> {
    let vault = vault.map(|v| v as &dyn crate::vault::TokenVault);
    let accounts = views::accounts(ws, vault, now).await?;
    let mut due = 0u64;
    for a in &accounts {
        let platform = a.platform.as_str();
        let id = a.id.to_string();
        if let Some(expires) = a.token_expires_at.filter(|at| must_reconnect_by(a.token, *at, now)) {
            metrics::gauge!("alcance_token_expires_in_seconds", "platform" => platform, "account_id" => id.clone())
                .set((expires - now).num_seconds() as f64);
        }
        if let Some(last) = a.last_collected_at {
            metrics::gauge!(
                "alcance_account_last_collected_timestamp_seconds",
                "platform" => platform,
                "account_id" => id.clone()
            )
            .set(last.timestamp() as f64);
        }
        // 0 for an account not collected on purpose (paused, disconnected), so the alert on
        // a missed collection (`time() - last > 2 × cadence`, cadence > 0) leaves it alone.
        let cadence = match a.status {
            AccountStatus::Paused | AccountStatus::Disconnected => 0,
            _ => a.cadence_seconds,
        };
        metrics::gauge!("alcance_account_cadence_seconds", "platform" => platform, "account_id" => id)
            .set(cadence as f64);
        if a.status == AccountStatus::Active && a.next_run_at.is_some_and(|n| n <= now) {
            due += 1;
        }
    }
    metrics::gauge!("alcance_due_accounts").set(due as f64);
    Ok(())
}

/// `true` when the token expiring at `expires` has to be replaced by reconnecting: no
/// refresh token ([`TokenHealth::ExpiresSoon`], [`TokenHealth::Expired`]), or more than
/// [`EXPIRES_SOON_DAYS`](views::EXPIRES_SOON_DAYS) days left. A token with
/// [`TokenHealth::Ok`] and fewer days left renews itself (X, TikTok: hours-long access
/// tokens with a refresh token) and is left out, so the alert on a near expiry stays quiet.
fn must_reconnect_by(health: TokenHealth, expires: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    match health {
        TokenHealth::ExpiresSoon | TokenHealth::Expired => true,
        TokenHealth::Ok => expires - now > chrono::Duration::days(views::EXPIRES_SOON_DAYS),
        _ => false,
    }
}

/// Counts one run of a dead worker claimed by this one (`alcance_lease_takeovers_total`).
pub fn count_lease_takeover() {
    metrics::counter!("alcance_lease_takeovers_total").increment(1);
}

/// Counts one answer of `alcance serve` in `alcance_http_requests_total{method,route,status}`
/// and its time in `alcance_http_request_duration_seconds{method,route}`. `route` must be
/// a route template (few values), never a raw path.
pub fn count_http_request(method: &'static str, route: &str, status: u16, took: std::time::Duration) {
    metrics::counter!(
        "alcance_http_requests_total",
        "method" => method,
        "route" => route.to_string(),
        "status" => status.to_string()
    )
    .increment(1);
    metrics::histogram!("alcance_http_request_duration_seconds", "method" => method, "route" => route.to_string())
        .record(took.as_secs_f64());
}

/// `# HELP` texts and units of every metric of the table above.
fn describe() {
    describe_counter!(
        "alcance_collections_total",
        Unit::Count,
        "Accounts collected, by platform and outcome (ok, partial, failed, skipped)."
    );
    describe_counter!(
        "alcance_records_stored_total",
        Unit::Count,
        "Metric values written by collections, by platform."
    );
    describe_counter!(
        "alcance_api_requests_total",
        Unit::Count,
        "Platform API requests sent, by API family, endpoint template and HTTP status (transport: no answer)."
    );
    describe_histogram!(
        "alcance_api_request_duration_seconds",
        Unit::Seconds,
        "Time of platform API requests, by API family and endpoint template."
    );
    describe_counter!(
        "alcance_rate_limit_waits_total",
        Unit::Count,
        "Requests that waited for a rate-limit budget, by API family."
    );
    describe_counter!(
        "alcance_rate_limit_wait_seconds_total",
        Unit::Seconds,
        "Whole seconds spent waiting for rate-limit budgets, by API family."
    );
    describe_gauge!(
        "alcance_rate_limit_remaining",
        Unit::Count,
        "Requests left in the rate-limit window as the platform last reported, by API family and endpoint template."
    );
    describe_gauge!(
        "alcance_token_expires_in_seconds",
        Unit::Seconds,
        "Seconds until the account's access token expires (negative: expired)."
    );
    describe_gauge!(
        "alcance_due_accounts",
        Unit::Count,
        "Active accounts whose next collection is due."
    );
    describe_gauge!(
        "alcance_account_last_collected_timestamp_seconds",
        Unit::Seconds,
        "Unix time of the account's last successful collection."
    );
    describe_gauge!(
        "alcance_account_cadence_seconds",
        Unit::Seconds,
        "The account's collection period."
    );
    describe_counter!(
        "alcance_lease_takeovers_total",
        Unit::Count,
        "Runs of a worker that stopped answering, taken over by this one."
    );
    describe_counter!(
        "alcance_http_requests_total",
        Unit::Count,
        "Requests answered by alcance serve, by method, route template and status."
    );
    describe_histogram!(
        "alcance_http_request_duration_seconds",
        Unit::Seconds,
        "Time to answer requests of alcance serve, by method and route template."
    );
}
