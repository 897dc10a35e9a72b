//! Imports of platform exports (issue 17 point 5; docs/imports.md): the X archive's
//! `tweets.js`, Meta Business Suite content and insights CSVs, TikTok Studio and YouTube
//! Studio exports, and any CSV with a column mapping, into one account. The CLI
//! (`alcance import`), the REST API (`POST /api/v1/imports`) and the desktop's Import
//! screen all call [`import_file`].
//!
//! The bytes are parsed by the pure parsers of [`parse`] (no database; fuzzed), then written
//! by the store in one transaction under the precedence rule of
//! [`alcance_store::imports`]: a value collected from the API is never overwritten, a
//! differing imported value is listed as a conflict, days and posts the API never gave are
//! added (history before the API's window). The same bytes imported twice into an account
//! add nothing ([`ImportOutcome::already_imported`]).

pub mod parse;

use crate::error::{Context, Result};
use crate::Workspace;
use alcance_core::{AccountId, Platform};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub use alcance_store::imports::{ImportConflict, ImportKind, ImportOutcome, ImportRow, ValueSource};
pub use parse::{ColumnMap, GENERIC_FIELDS, MAX_IMPORT_BYTES};

/// The platforms an export of `kind` can come from (`None`: any, the generic CSV).
pub fn platforms_of(kind: ImportKind) -> Option<&'static [Platform]> {
    const X: &[Platform] = &[Platform::X];
    const META: &[Platform] = &[Platform::Instagram, Platform::Facebook];
    const TIKTOK: &[Platform] = &[Platform::Tiktok];
    const YOUTUBE: &[Platform] = &[Platform::Youtube];
    match kind {
        ImportKind::XArchive => Some(X),
        ImportKind::MetaPosts | ImportKind::MetaDaily => Some(META),
        ImportKind::TiktokDaily | ImportKind::TiktokVideos => Some(TIKTOK),
        ImportKind::YoutubeVideos | ImportKind::YoutubeDaily => Some(YOUTUBE),
        ImportKind::GenericCsv => None,
    }
}

/// What to import: the file's name and bytes, its kind and (generic CSV) column mapping.
#[derive(Debug, Clone)]
pub struct ImportRequest<'a> {
    /// The account to import into.
    pub account: AccountId,
    /// The kind of export.
    pub kind: ImportKind,
    /// The file's name as chosen (a folder part is dropped).
    pub file_name: &'a str,
    /// The file's bytes (at most [`MAX_IMPORT_BYTES`]).
    pub bytes: &'a [u8],
    /// The generic CSV's column mapping (ignored by the other kinds).
    pub map: &'a ColumnMap,
    /// Preview only: nothing is stored.
    pub dry_run: bool,
}

/// Imports (or, with `dry_run`, previews) a platform export into an account at `now` (UTC):
/// parses it, then writes it under the precedence rule. Lines that do not parse are listed
/// in [`ImportOutcome::errors`] with their line numbers; the good ones are imported, all in
/// one transaction.
///
/// Errors: an unknown account (not found); a file of a kind that does not fit the
/// account's platform, or too large (invalid input); database errors (nothing stored).
pub async fn import_file(ws: &Workspace, request: &ImportRequest<'_>, now: DateTime<Utc>) -> Result<ImportOutcome> {
    let account = ws.store().account(request.account.get()).await?;
    if let Some(platforms) = platforms_of(request.kind) {
        if !platforms.contains(&account.account.platform) {
            return Err(crate::AppError::InvalidInput(format!(
                "a {} export cannot go into a {} account; choose a {} account",
                request.kind,
                account.account.platform.label(),
                platforms.iter().map(|p| p.label()).collect::<Vec<_>>().join(" or ")
            )));
        }
    }
    if request.bytes.len() > MAX_IMPORT_BYTES {
        return Err(crate::AppError::InvalidInput(format!(
            "the file is {} MiB; at most {} MiB can be imported",
            request.bytes.len() / (1024 * 1024),
            MAX_IMPORT_BYTES / (1024 * 1024)
        )));
    }
    let data = parse::parse(request.kind, request.bytes, request.map, now.date_naive());
    let sha256 = hex::encode(Sha256::digest(request.bytes));
    let file_name = base_name(request.file_name);
    let target = alcance_store::imports::ImportTarget {
        account_id: account.id,
        kind: request.kind,
        file_name: &file_name,
        sha256: &sha256,
        at: now,
        dry_run: request.dry_run,
    };
    ws.store()
        .import_data(&target, &data)
        .await
        .with_context(|| format!("importing {file_name} into account {}", account.id))
}

/// The file name without any folder (`/`, `\`), at most 200 characters; `import` when empty.
fn base_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name).trim();
    let base: String = base.chars().filter(|c| !c.is_control()).take(200).collect();
    if base.is_empty() {
        "import".to_string()
    } else {
        base
    }
}

/// Every import, newest first; of one account when given.
pub async fn list_imports(ws: &Workspace, account: Option<AccountId>) -> Result<Vec<ImportRow>> {
    Ok(ws.store().imports(account.map(|a| a.get())).await?)
}

/// The conflicts an import listed (values it did not write).
pub async fn import_conflicts(ws: &Workspace, import_id: i64) -> Result<Vec<ImportConflict>> {
    Ok(ws.store().import_conflicts(import_id).await?)
}

/// The first lines of a CSV, for the column-mapping step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CsvPreview {
    /// The header, as written.
    pub header: Vec<String>,
    /// Up to the asked number of data lines.
    pub rows: Vec<Vec<String>>,
    /// Fields a column can be mapped to besides metric keys ([`GENERIC_FIELDS`]).
    pub fields: Vec<String>,
    /// The catalog's metric keys, sorted.
    pub metrics: Vec<String>,
}

/// The header and first `rows` lines of a CSV (decoded and split as the import does).
/// Errors: a file with no header line (invalid input).
pub fn preview_csv(bytes: &[u8], rows: usize) -> Result<CsvPreview> {
    let Some((header, rows)) = parse::preview_csv(bytes, rows) else {
        return Err(crate::AppError::InvalidInput("the file has no header line".to_string()));
    };
    let mut metrics: Vec<String> = alcance_core::CATALOG.iter().map(|m| m.key.to_string()).collect();
    metrics.sort();
    metrics.dedup();
    Ok(CsvPreview {
        header,
        rows,
        fields: GENERIC_FIELDS.iter().map(|f| f.to_string()).collect(),
        metrics,
    })
}

/// The bytes of a file the UI sent as standard base64 (the desktop's IPC carries text).
/// Errors: text that is not base64 (invalid input).
pub fn decode_base64(text: &str) -> Result<Vec<u8>> {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD
        .decode(text.trim())
        .map_err(|e| crate::AppError::InvalidInput(format!("the file's content is not base64: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_lose_their_folders() {
        assert_eq!(base_name("/home/ana/Downloads/tweets.js"), "tweets.js");
        assert_eq!(base_name("C:\\Users\\ana\\Overview.csv"), "Overview.csv");
        assert_eq!(base_name("  "), "import");
    }

    #[test]
    fn base64_content_decodes() {
        assert_eq!(decode_base64("aGk=").ok(), Some(b"hi".to_vec()));
        assert!(decode_base64("***").is_err());
    }

    #[test]
    fn kinds_fit_their_platforms() {
        assert_eq!(platforms_of(ImportKind::XArchive), Some(&[Platform::X][..]));
        assert!(platforms_of(ImportKind::MetaPosts).is_some_and(|p| p.contains(&Platform::Facebook)));
        assert_eq!(platforms_of(ImportKind::GenericCsv), None);
    }
}
