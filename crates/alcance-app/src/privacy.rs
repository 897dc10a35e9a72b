//! LGPD / GDPR (issue 15 point 7; docs/PRIVACY.md): the workspace's consent to collect
//! demographic (audience) data, "export everything about this account" (a ZIP), the
//! logged deletion of an account, and the retention of archived raw responses.
//!
//! Every action here is written to the workspace's audit log (`privacy-*` lines) with who
//! did it: the signed-in user on the server, the OS user ([`os_user`]) on the desktop and
//! in the CLI.

use crate::error::{Context, Result};
use crate::workspace::Workspace;
use alcance_core::AccountId;
use alcance_store::privacy::{ConsentText, ACCOUNT_TABLES};
use chrono::{DateTime, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::io::{Seek, Write};
use std::path::Path;

pub use alcance_store::privacy::AudienceConsent;

/// The version of the consent text below; a new wording gets a new version.
pub const CONSENT_VERSION: &str = "audience-v1";

/// The consent text in English ([`CONSENT_VERSION`]).
pub const CONSENT_TEXT_EN: &str = "I agree that this workspace collects and stores demographic data about the audiences of the connected accounts (followers' and engaged audiences' age ranges, genders, countries, cities and activity hours, as aggregate counts the platforms give), on this computer or in the team's database, only to analyse these accounts. I can withdraw this consent at any time in Settings; withdrawing stops this collection and deletes the demographic data already stored.";

/// The consent text in Brazilian Portuguese ([`CONSENT_VERSION`]).
pub const CONSENT_TEXT_PT_BR: &str = "Concordo que este espaço de trabalho colete e guarde dados demográficos sobre o público das contas conectadas (faixas de idade, gêneros, países, cidades e horários de atividade de seguidores e do público engajado, como contagens agregadas fornecidas pelas plataformas), neste computador ou no banco de dados da equipe, somente para analisar essas contas. Posso retirar este consentimento a qualquer momento em Configurações; retirá-lo interrompe essa coleta e apaga os dados demográficos já guardados.";

/// The version of [`DEMO_CONSENT_TEXT`].
pub const DEMO_CONSENT_VERSION: &str = "demo-synthetic-v1";

/// The consent `alcance demo` records: its audience data is synthetic.
pub const DEMO_CONSENT_TEXT: &str = "Demo workspace: its audience data comes from the sandbox on 127.0.0.1 (synthetic, or recorded fixtures replayed), about no real person; consent recorded by `alcance demo` so its charts and exports show audience data.";

/// The consent text shown in `language` (`en`, or `pt-BR` / `pt`; anything else: English),
/// with the language it is in.
pub fn consent_text(language: &str) -> (&'static str, &'static str) {
    if language.to_ascii_lowercase().starts_with("pt") {
        ("pt-BR", CONSENT_TEXT_PT_BR)
    } else {
        ("en", CONSENT_TEXT_EN)
    }
}

/// The user of this computer, for the audit log of the desktop app and the CLI: `$USER`
/// (`%USERNAME%` on Windows), else `unknown`. Never a secret.
pub fn os_user() -> String {
    ["USER", "USERNAME", "LOGNAME"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|u| !u.trim().is_empty()))
        .map(|u| format!("os:{}", u.trim()))
        .unwrap_or_else(|| "os:unknown".to_string())
}

/// One file of an account export, as its manifest lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ExportedFile {
    /// Name inside the ZIP (`posts.csv`, `posts.json`).
    pub name: String,
    /// The table it holds.
    pub table: String,
    /// Rows (count).
    pub rows: u32,
    /// Size, bytes (uncompressed).
    pub bytes: u32,
    /// SHA-256 of the file's bytes, lower-case hex.
    pub sha256: String,
}

/// The account an export is about, as its manifest names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ExportedAccount {
    /// `accounts.id`.
    pub id: i64,
    /// Platform key (`instagram`).
    pub platform: String,
    /// The platform's id of the account.
    pub external_id: String,
    /// Its handle, when known.
    pub username: Option<String>,
}

/// `manifest.json` of an account export ([`Workspace::export_account`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct AccountExportManifest {
    /// Always `alcance-account-export`.
    pub format: String,
    /// Format version (1).
    pub version: u32,
    /// The account.
    pub account: ExportedAccount,
    /// When the export was written: UTC, RFC 3339 (`2026-12-06T10:00:00Z`).
    pub generated_at: String,
    /// Every file in the ZIP but the manifest, two per table (CSV, JSON).
    pub files: Vec<ExportedFile>,
}

impl AccountExportManifest {
    /// Rows of `table` in the export (0 when it has none).
    pub fn rows_of(&self, table: &str) -> u32 {
        self.files
            .iter()
            .find(|f| f.table == table && f.name.ends_with(".csv"))
            .map_or(0, |f| f.rows)
    }

    /// Rows of every table in the export (each table counted once, from its CSV file).
    pub fn total_rows(&self) -> u64 {
        self.files
            .iter()
            .filter(|f| f.name.ends_with(".csv"))
            .map(|f| u64::from(f.rows))
            .sum()
    }
}

/// Rows read per page while exporting: bounded memory whatever the account's size.
const EXPORT_PAGE: usize = 1_000;

/// A writer that hashes and counts what passes through.
struct Hashing<'a, W: Write> {
    inner: &'a mut W,
    hash: Sha256,
    bytes: u64,
}

impl<W: Write> Write for Hashing<'_, W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hash.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

fn zip_err(e: zip::result::ZipError) -> crate::AppError {
    crate::app_err!("writing the ZIP: {e}")
}

/// A CSV cell: empty for null, the text, or the number.
fn csv_cell(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => String::new(),
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

impl Workspace {
    /// The workspace's active consent to collect demographic (audience) data, if any.
    ///
    /// Errors: store errors.
    pub async fn audience_consent(&self) -> Result<Option<AudienceConsent>> {
        Ok(self.store().audience_consent().await?)
    }

    /// Every consent given and withdrawn, newest first (the record).
    ///
    /// Errors: store errors.
    pub async fn audience_consents(&self) -> Result<Vec<AudienceConsent>> {
        Ok(self.store().audience_consents().await?)
    }

    /// Records that `by` agreed, now, to the consent text of [`CONSENT_VERSION`] in
    /// `language` (see [`consent_text`]); from the next account collected on, audience
    /// data is collected. Returns the active consent (unchanged when one already was).
    ///
    /// Errors: store errors.
    pub async fn grant_audience_consent(&self, language: &str, by: &str) -> Result<AudienceConsent> {
        let (language, text) = consent_text(language);
        let text = ConsentText {
            version: CONSENT_VERSION,
            language,
            text,
        };
        Ok(self.store().grant_audience_consent(&text, by, Utc::now()).await?)
    }

    /// Withdraws the consent (by `by`, now): audience data stops being collected and every
    /// demographic row stored is deleted, in one transaction. Returns the rows deleted,
    /// `None` when no consent was active.
    ///
    /// Errors: store errors (nothing changed).
    pub async fn withdraw_audience_consent(&self, by: &str) -> Result<Option<u64>> {
        Ok(self.store().withdraw_audience_consent(by, Utc::now()).await?)
    }

    /// Days raw API responses are kept; `None` = forever (the default).
    ///
    /// Errors: store errors.
    pub async fn raw_retention_days(&self) -> Result<Option<u32>> {
        Ok(self.store().raw_retention_days().await?)
    }

    /// Sets how many days raw API responses are kept (`None`: forever), by `by`; they are
    /// deleted after each run (and by [`Self::prune_raw_responses`]).
    ///
    /// Errors: 0 days; store errors.
    pub async fn set_raw_retention_days(&self, days: Option<u32>, by: &str) -> Result<()> {
        Ok(self.store().set_raw_retention_days(days, by, Utc::now()).await?)
    }

    /// Deletes, now, the raw responses older than the retention (none when kept forever).
    /// Returns how many went.
    ///
    /// Errors: store errors.
    pub async fn prune_raw_responses(&self, by: &str) -> Result<u64> {
        Ok(self.store().prune_raw_responses(Utc::now(), by).await?)
    }

    /// Writes everything stored about account `id` to the ZIP at `out`: for every table of
    /// [`ACCOUNT_TABLES`] its rows of the account as `<table>.csv` (header row; empty cell
    /// for null) and `<table>.json` (an array of objects), read and written a page at a time
    /// (never the whole account in memory), and `manifest.json` ([`AccountExportManifest`]:
    /// the account, `generated_at` UTC, each file's rows, size and SHA-256). No token or
    /// secret is in it: tokens are in the vault, never in the store, and the account's
    /// vault entry name is left out. Written atomically (a temporary file renamed into
    /// place), and logged (`privacy-export`, actor `by`).
    ///
    /// Errors: unknown account; the file cannot be written; store errors.
    pub async fn export_account(&self, id: AccountId, out: &Path, by: &str) -> Result<AccountExportManifest> {
        let account = self.account(id).await?;
        let generated_at: DateTime<Utc> = Utc::now();
        let tmp = crate::atomic::temp_path_beside(out)?;
        let file = std::fs::OpenOptions::new()
            .write(true)
            .truncate(true)
            .open(&tmp)
            .with_context(|| format!("opening {}", tmp.display()))?;
        let mut zip = zip::ZipWriter::new(std::io::BufWriter::new(file));
        let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        let mut files = Vec::new();
        for table in ACCOUNT_TABLES {
            for ext in ["csv", "json"] {
                let name = format!("{}.{ext}", table.name);
                zip.start_file(name.as_str(), options).map_err(zip_err)?;
                let (rows, bytes, sha256) = self.write_table(&mut zip, table.name, id, ext == "csv").await?;
                files.push(ExportedFile {
                    name,
                    table: table.name.to_string(),
                    rows,
                    bytes,
                    sha256,
                });
            }
        }
        let manifest = AccountExportManifest {
            format: "alcance-account-export".into(),
            version: 1,
            account: ExportedAccount {
                id: account.id,
                platform: account.account.platform.as_str().to_string(),
                external_id: account.account.external_id.clone(),
                username: account.account.username.clone(),
            },
            generated_at: alcance_store::time::to_db(generated_at),
            files,
        };
        zip.start_file("manifest.json", options).map_err(zip_err)?;
        serde_json::to_writer_pretty(&mut zip, &manifest)?;
        let mut buffered = zip.finish().map_err(zip_err)?;
        buffered.flush().with_context(|| format!("writing {}", out.display()))?;
        drop(buffered);
        crate::atomic::persist(tmp, out)?;
        let label = account_label(&account);
        let rows = manifest.total_rows();
        self.store()
            .audit(
                Utc::now(),
                Some(by),
                "privacy-export",
                Some(&label),
                alcance_store::people::Outcome::Ok,
                Some(&format!("account {}: {rows} rows to {}", account.id, out.display())),
            )
            .await?;
        Ok(manifest)
    }

    /// Writes one table's rows of account `id` into the open ZIP entry; returns (rows,
    /// bytes, SHA-256 hex) of what was written.
    async fn write_table<W: Write + Seek>(
        &self,
        zip: &mut zip::ZipWriter<W>,
        table: &str,
        id: AccountId,
        csv: bool,
    ) -> Result<(u32, u32, String)> {
        let mut reader = self.store().account_table(table, id.get()).await?;
        let columns = reader.columns().to_vec();
        let mut out = Hashing {
            inner: zip,
            hash: Sha256::new(),
            bytes: 0,
        };
        let mut rows: u32 = 0;
        if csv {
            let mut w = csv::Writer::from_writer(&mut out);
            w.write_record(&columns)
                .map_err(|e| crate::app_err!("writing CSV: {e}"))?;
            while let Some(page) = reader.next_page(self.store(), EXPORT_PAGE).await? {
                for row in &page {
                    w.write_record(row.iter().map(csv_cell))
                        .map_err(|e| crate::app_err!("writing CSV: {e}"))?;
                    rows += 1;
                }
            }
            w.flush()?;
        } else {
            out.write_all(b"[")?;
            let keys: Vec<String> = columns
                .iter()
                .map(serde_json::to_string)
                .collect::<std::result::Result<_, _>>()?;
            while let Some(page) = reader.next_page(self.store(), EXPORT_PAGE).await? {
                for row in &page {
                    out.write_all(if rows == 0 { b"\n  {" } else { b",\n  {" })?;
                    for (i, (key, value)) in keys.iter().zip(row).enumerate() {
                        if i > 0 {
                            out.write_all(b", ")?;
                        }
                        out.write_all(key.as_bytes())?;
                        out.write_all(b": ")?;
                        serde_json::to_writer(&mut out, value)?;
                    }
                    out.write_all(b"}")?;
                    rows += 1;
                }
            }
            out.write_all(b"\n]\n")?;
        }
        let bytes = u32::try_from(out.bytes).unwrap_or(u32::MAX);
        Ok((rows, bytes, hex::encode(out.hash.finalize())))
    }

    /// Deletes account `id` and all its data as [`Self::delete_account`] does, writing a
    /// `privacy-delete` line to the audit log with `by` as the actor (in the same
    /// transaction as the deletion).
    ///
    /// Errors: unknown account; the store or the vault failed.
    pub async fn delete_account_by(&self, id: AccountId, by: &str) -> Result<()> {
        let account = self.account(id).await?;
        let connected_by = self.connected_by(id.get()).await?;
        self.store()
            .delete_account_logged(id.get(), &account_label(&account), by, Utc::now())
            .await?;
        self.forget_tokens(&account, connected_by.as_deref()).await
    }
}

/// How the audit log names an account: `instagram:@handle (id 3)` or with its platform id.
fn account_label(account: &alcance_store::AccountRow) -> String {
    let who = match &account.account.username {
        Some(u) => format!("@{u}"),
        None => account.account.external_id.clone(),
    };
    format!("{}:{who} (id {})", account.account.platform.as_str(), account.id)
}
