//! `/healthz` (the process answers) and `/readyz` (the database answers and its schema is
//! current), for load balancers and orchestrators.

use crate::model::{Health, Readiness};
use crate::problem::{ApiError, Problem};
use crate::ApiState;
use axum::extract::State;
use axum::Json;
use std::time::Duration;

/// How long `/readyz` waits for the database before answering 503.
pub const READY_TIMEOUT: Duration = Duration::from_secs(5);

/// The process is up and answers HTTP. Never touches the database.
#[utoipa::path(
    get,
    path = "/healthz",
    tag = "health",
    responses((status = 200, description = "The process answers", body = Health))
)]
pub async fn healthz() -> Json<Health> {
    Json(Health { status: "ok".into() })
}

/// The server can serve data: the database answers (within 5 s) and every schema
/// migration this server knows is applied.
#[utoipa::path(
    get,
    path = "/readyz",
    tag = "health",
    responses(
        (status = 200, description = "Ready: the database answers and its schema is current", body = Readiness),
        (status = 503, description = "Not ready: the database does not answer, or its schema is behind this server", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn readyz(State(state): State<ApiState>) -> Result<Json<Readiness>, ApiError> {
    let found = tokio::time::timeout(READY_TIMEOUT, state.workspace().readiness())
        .await
        .map_err(|_| {
            ApiError::unavailable(format!(
                "the database did not answer within {} s",
                READY_TIMEOUT.as_secs()
            ))
        })?
        .map_err(|e| {
            tracing::warn!(error = %e.message(), "readiness check failed");
            ApiError::unavailable(format!("the database does not answer: {}", e.message()))
        })?;
    if !found.schema_current() {
        return Err(ApiError::unavailable(format!(
            "the database schema is at migration {}, this server needs {}",
            found.applied_migration, found.latest_migration
        )));
    }
    Ok(Json(Readiness {
        status: "ready".into(),
        engine: found.engine.into(),
        applied_migration: found.applied_migration,
        latest_migration: found.latest_migration,
    }))
}
