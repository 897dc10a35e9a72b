//! `GET /api/v1/exports/{format}`: the workspace's metrics as a download (role analyst),
//! written by `alcance-app`'s export to a temporary folder and streamed from the file.

use crate::auth::Caller;
use crate::params::{self, ApiQuery};
use crate::problem::{ApiError, Problem};
use crate::ApiState;
use alcance_app::reports::{export_filter, ExportSelection};
use alcance_app::ExportFormat;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use serde::Deserialize;
use std::io::Write;
use utoipa::IntoParams;

/// The days of an export.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportParams {
    /// First day, UTC `YYYY-MM-DD`, inclusive (of a metric's period start, a post metric's
    /// collection time, a post's publication); absent: from the first value.
    #[param(value_type = Option<String>, format = Date, example = "2025-05-01")]
    pub start_date: Option<String>,
    /// Last day, UTC `YYYY-MM-DD`, inclusive; absent: to the last value.
    #[param(value_type = Option<String>, format = Date, example = "2025-05-06")]
    pub end_date: Option<String>,
}

/// The workspace's metrics over the days asked, as a file download
/// (`Content-Disposition: attachment`): `csv` is a zip of the account metrics CSV and the
/// post metrics CSV (long format: one row per value), `json` one JSON document, `xlsx` one
/// Excel workbook. Every account is included. The file is written to a temporary folder
/// and streamed (no request time limit); the export is written to the audit log with the
/// caller's email.
#[utoipa::path(
    get,
    path = "/api/v1/exports/{format}",
    tag = "exports",
    params(
        ("format" = String, Path, description = "`csv` (a zip of two CSVs), `json` or `xlsx`", example = "csv"),
        ExportParams,
    ),
    responses(
        (status = 200, description = "The file: `application/zip` (csv), `application/json` or the XLSX type, as an attachment", content_type = "application/octet-stream", body = Vec<u8>),
        (status = 400, description = "An unknown format, a bad date, or an end before the start", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "The server failed (see its log)", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn export(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    Path(format): Path<String>,
    ApiQuery(query): ApiQuery<ExportParams>,
) -> Result<Response, ApiError> {
    let kind: ExportFormat = format
        .parse()
        .map_err(|_| ApiError::invalid(format!("format {format:?} is not csv, json or xlsx")))?;
    let since = params::date("start_date", query.start_date.as_deref())?;
    let until = params::date("end_date", query.end_date.as_deref())?;
    if let (Some(a), Some(b)) = (since, until) {
        if b < a {
            return Err(ApiError::invalid(format!("end_date {b} is before start_date {a}")));
        }
    }
    let selection = ExportSelection {
        since,
        until,
        ..ExportSelection::default()
    };
    let ws = state.workspace();
    let filter = export_filter(ws, &selection).await?;
    let dir = tempfile::tempdir().map_err(|e| failed("creating a temporary folder", &e))?;
    let out = dir.path().join(format!("alcance-metrics.{}", kind.extension()));
    let outcome = alcance_app::reports::export_by(ws, Some(caller.email()), kind, &filter, &out, &|_| {}).await?;
    let days = match (since, until) {
        (None, None) => String::new(),
        (a, b) => format!(
            "-{}-{}",
            a.map_or("start".into(), |d| d.to_string()),
            b.map_or("end".into(), |d| d.to_string())
        ),
    };
    let (file, name, mime) = if kind == ExportFormat::Csv {
        let zip = dir.path().join("alcance-metrics.zip");
        let files = outcome.files.clone();
        let target = zip.clone();
        tokio::task::spawn_blocking(move || zip_files(&files, &target))
            .await
            .map_err(|e| failed("zipping the CSVs", &e))?
            .map_err(|e| failed("zipping the CSVs", &e))?;
        (zip, format!("alcance-metrics{days}.zip"), "application/zip")
    } else {
        (
            out,
            format!("alcance-metrics{days}.{}", kind.extension()),
            kind.mime_type(),
        )
    };
    let opened = tokio::fs::File::open(&file)
        .await
        .map_err(|e| failed("opening the export", &e))?;
    let length = opened
        .metadata()
        .await
        .map_err(|e| failed("reading the export's size", &e))?
        .len();
    // The temporary folder lives as long as the stream, then goes.
    let stream = tokio_stream::StreamExt::map(tokio_util::io::ReaderStream::new(opened), move |chunk| {
        let _kept = &dir;
        chunk
    });
    let mut response = Body::from_stream(stream).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(length));
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}

fn failed(what: &str, e: &dyn std::fmt::Display) -> ApiError {
    tracing::error!(error = %e, "{what}");
    ApiError::internal()
}

/// Writes `files` (by file name) into a new zip at `target`.
fn zip_files(files: &[std::path::PathBuf], target: &std::path::Path) -> std::io::Result<()> {
    let mut zip = zip::ZipWriter::new(std::fs::File::create(target)?);
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for path in files {
        let name = path
            .file_name()
            .map_or_else(|| "export.csv".into(), |n| n.to_string_lossy().to_string());
        zip.start_file(name, options).map_err(std::io::Error::other)?;
        let mut file = std::fs::File::open(path)?;
        std::io::copy(&mut file, &mut zip)?;
    }
    zip.finish().map_err(std::io::Error::other)?.flush()
}
