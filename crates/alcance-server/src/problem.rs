//! Errors as RFC 9457 problem details: every error answer of the API is
//! `application/problem+json` with `type`, `title`, `status` and `detail`.

use alcance_app::{AppError, ErrorCode};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The media type of [`Problem`] answers.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// An RFC 9457 problem details object, the body of every error answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "type": "urn:alcance:problem:invalid-parameter",
    "title": "Invalid parameter",
    "status": 400,
    "detail": "start_date \"2025-13-01\" is not a date: expected YYYY-MM-DD (UTC day), e.g. 2025-05-01"
}))]
pub struct Problem {
    /// A URI naming the kind of problem (`urn:alcance:problem:<kind>`): `invalid-parameter`,
    /// `not-found`, `method-not-allowed`, `unauthorized`, `forbidden`, `too-many-requests`,
    /// `payload-too-large`, `timeout`, `unavailable` (database unreachable or schema not
    /// current, vault locked), `busy`, `internal`.
    #[serde(rename = "type")]
    pub kind: String,
    /// A short summary of the kind, the same for every occurrence.
    pub title: String,
    /// The HTTP status code of the answer.
    pub status: u16,
    /// What went wrong this time, in English (which parameter, which value, what was
    /// expected).
    pub detail: String,
}

/// An error a handler returns; answers as a [`Problem`].
#[derive(Debug, Clone, thiserror::Error)]
#[error("{status}: {detail}")]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// The problem kind (the last part of the `type` URI).
    pub kind: &'static str,
    /// The problem title.
    pub title: &'static str,
    /// The detail shown to the client.
    pub detail: String,
}

impl ApiError {
    /// 400: a query parameter or path segment is missing or malformed; `detail` says which
    /// and what was expected.
    pub fn invalid(detail: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            kind: "invalid-parameter",
            title: "Invalid parameter",
            detail: detail.into(),
        }
    }

    /// 404: the resource does not exist.
    pub fn not_found(detail: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::NOT_FOUND,
            kind: "not-found",
            title: "Not found",
            detail: detail.into(),
        }
    }

    /// 503: the server cannot answer now (database unreachable, schema not current).
    pub fn unavailable(detail: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::SERVICE_UNAVAILABLE,
            kind: "unavailable",
            title: "Service unavailable",
            detail: detail.into(),
        }
    }

    /// 401: no credentials, or credentials that are unknown, expired or revoked.
    pub fn unauthorized(detail: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::UNAUTHORIZED,
            kind: "unauthorized",
            title: "Unauthorized",
            detail: detail.into(),
        }
    }

    /// 403: the credentials are good but their role may not do this, or a cookie request
    /// that changes state lacks its CSRF token.
    pub fn forbidden(detail: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::FORBIDDEN,
            kind: "forbidden",
            title: "Forbidden",
            detail: detail.into(),
        }
    }

    /// 429: too many failed sign-ins; the answer carries `Retry-After`.
    pub fn too_many(detail: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::TOO_MANY_REQUESTS,
            kind: "too-many-requests",
            title: "Too many requests",
            detail: detail.into(),
        }
    }

    /// 500: the server failed; the detail stays generic (the log has the cause).
    pub fn internal() -> ApiError {
        ApiError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            kind: "internal",
            title: "Internal server error",
            detail: "the server could not answer this request; its log says why".into(),
        }
    }

    /// The problem body.
    pub fn problem(&self) -> Problem {
        Problem {
            kind: format!("urn:alcance:problem:{}", self.kind),
            title: self.title.to_string(),
            status: self.status.as_u16(),
            detail: self.detail.clone(),
        }
    }
}

impl From<AppError> for ApiError {
    /// By [`AppError::code`]: invalid input → 400, not found → 404, busy → 503 `busy`,
    /// database unreachable / no workspace / vault locked → 503 `unavailable`, anything
    /// else → 500 (logged, generic detail).
    fn from(e: AppError) -> ApiError {
        match e.code() {
            ErrorCode::InvalidInput => ApiError::invalid(e.message()),
            ErrorCode::NotFound => ApiError::not_found(e.message()),
            ErrorCode::Busy => ApiError {
                status: StatusCode::SERVICE_UNAVAILABLE,
                kind: "busy",
                title: "Busy",
                detail: e.message(),
            },
            ErrorCode::Unavailable | ErrorCode::NoWorkspace | ErrorCode::VaultLocked => {
                ApiError::unavailable(e.message())
            }
            _ => {
                tracing::error!(error = %e.message(), "request failed");
                ApiError::internal()
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::to_vec(&self.problem()).unwrap_or_default();
        (self.status, [(header::CONTENT_TYPE, PROBLEM_JSON)], body).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn app_errors_map_to_statuses_and_server_failures_keep_their_cause_out() {
        let status = |e: AppError| ApiError::from(e).status.as_u16();
        assert_eq!(status(AppError::InvalidInput("bad".into())), 400);
        assert_eq!(status(AppError::NotFound("gone".into())), 404);
        assert_eq!(status(AppError::Busy("syncing".into())), 503);
        assert_eq!(status(AppError::NoWorkspace("none".into())), 503);
        let failed = ApiError::from(AppError::Other(anyhow::anyhow!("disk /home/ana/secret failed")));
        assert_eq!(failed.status.as_u16(), 500);
        assert!(!failed.detail.contains("/home/ana"), "{}", failed.detail);
        let problem = ApiError::not_found("account 9 not found").problem();
        assert_eq!(
            serde_json::to_value(&problem).unwrap(),
            serde_json::json!({
                "type": "urn:alcance:problem:not-found",
                "title": "Not found",
                "status": 404,
                "detail": "account 9 not found"
            })
        );
    }
}
