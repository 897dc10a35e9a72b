//! Daily backups of a team workspace (PostgreSQL): a logical dump in `pg_dump`'s custom
//! format, `<local folder>/backups/alcance-YYYY-MM-DD.dump` (UTC dates), rotated with the
//! SQLite backups' rule ([`crate::backup`]), and [`restore_team_database`] to put one back
//! with `pg_restore` after checking it.
//!
//! The client tools come from Debian's `postgresql-client` (or `postgresql`) package:
//! `pg_dump` / `pg_restore` on `PATH`, else the newest `/usr/lib/postgresql/*/bin`. The
//! database password never appears on a command line: the tools get the URL without it and
//! the password through `PGPASSWORD`.

use crate::backup::{backup_dir, daily_backup, BackupOutcome};
use crate::error::{AppError, Context, Result};
use alcance_store::{PostgresUrl, Store};
use chrono::NaiveDate;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The file name of the team backup of `date` (UTC): `alcance-YYYY-MM-DD.dump`.
pub fn team_backup_file_name(date: NaiveDate) -> String {
    format!("alcance-{}.dump", date.format("%Y-%m-%d"))
}

/// Finds a PostgreSQL client tool: on `PATH`, else in the newest
/// `/usr/lib/postgresql/<version>/bin` (Debian keeps them there).
fn pg_tool(name: &str) -> Result<PathBuf> {
    if let Some(found) = std::env::var_os("PATH")
        .iter()
        .flat_map(std::env::split_paths)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
    {
        return Ok(found);
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let version = e.file_name().to_string_lossy().parse::<u32>().ok()?;
            let tool = e.path().join("bin").join(name);
            tool.is_file().then_some((version, tool))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, tool)| tool).ok_or_else(|| {
        AppError::InvalidInput(format!(
            "{name} was not found: a team workspace's backups need PostgreSQL's client tools \
             (Debian / Ubuntu: apt-get install postgresql-client)"
        ))
    })
}

/// `tool args…` against `database`: the URL without its password as `--dbname`, the
/// password in `PGPASSWORD`. Returns the output; a failure is an error with the tool's
/// message (the password redacted).
async fn run_pg_tool(tool: &str, database: &PostgresUrl, args: Vec<String>, dbname_flag: bool) -> Result<Output> {
    let program = pg_tool(tool)?;
    let mut url = url::Url::parse(database.expose()).map_err(|e| AppError::InvalidInput(format!("{database}: {e}")))?;
    // The URL's password is percent-encoded; the tools want it as it is.
    let password = url
        .password()
        .map(|p| percent_encoding::percent_decode_str(p).decode_utf8_lossy().into_owned());
    let _ = url.set_password(None);
    let mut command = Command::new(&program);
    command.args(&args);
    if dbname_flag {
        command.arg(format!("--dbname={url}"));
    }
    match &password {
        Some(p) => command.env("PGPASSWORD", p),
        None => &mut command,
    };
    let shown = database.to_string();
    let output = tokio::task::spawn_blocking(move || command.output())
        .await
        .context("waiting for the PostgreSQL tool")?
        .with_context(|| format!("running {}", program.display()))?;
    if !output.status.success() {
        let mut message = String::from_utf8_lossy(&output.stderr).trim().to_string();
        if let Some(p) = password.filter(|p| !p.is_empty()) {
            message = message.replace(&p, "REDACTED");
        }
        return Err(AppError::InvalidInput(format!("{tool} on {shown} failed: {message}")));
    }
    Ok(output)
}

/// Writes the team backup of `date` (UTC) into `<local folder>/backups/alcance-YYYY-MM-DD.dump`
/// with `pg_dump --format=custom` to a temporary file renamed into place, then keeps the
/// newest `keep` (at least 1) daily backups. `None` when that day's backup already exists.
///
/// Errors: `pg_dump` is missing (the message says which package has it) or fails (its
/// message, no password); the folder cannot be written.
pub async fn take_team_backup(
    database: &PostgresUrl,
    local_dir: &Path,
    date: NaiveDate,
    keep: usize,
) -> Result<Option<BackupOutcome>> {
    daily_backup(local_dir, &team_backup_file_name(date), keep, async |tmp: &Path| {
        let args = vec![
            "--format=custom".to_string(),
            "--no-owner".to_string(),
            format!("--file={}", tmp.display()),
        ];
        run_pg_tool("pg_dump", database, args, true)
            .await
            .context("writing the team backup")?;
        Ok(())
    })
    .await
}

/// What [`restore_team_database`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamRestoreReport {
    /// The dump of the database as it was before, taken first.
    pub previous: PathBuf,
    /// Migration versions the dump held (newer ones were applied when it was opened).
    pub migrations_in_file: Vec<i64>,
}

/// Replaces the team database's content with the dump `file`, after checking it: it must
/// be a `pg_dump` custom-format file of an Alcance database (its table of contents lists
/// `_sqlx_migrations` and `accounts`) and not from a newer Alcance. The current content is
/// dumped first to `<local folder>/backups/before-restore-<UTC time>.dump`; the restore runs
/// in one transaction (`pg_restore --clean --if-exists --single-transaction`), so a failure
/// leaves the database as it was. Stop the team's collectors first.
///
/// Errors: the file fails a check (nothing is changed); the client tools are missing or
/// fail; the restored database does not open.
pub async fn restore_team_database(database: &PostgresUrl, local_dir: &Path, file: &Path) -> Result<TeamRestoreReport> {
    let list = run_pg_tool(
        "pg_restore",
        database,
        vec!["--list".into(), file.display().to_string()],
        false,
    )
    .await
    .with_context(|| {
        format!(
            "refusing to restore {}: it is not a pg_dump custom-format file",
            file.display()
        )
    })?;
    let toc = String::from_utf8_lossy(&list.stdout);
    let has_table = |name: &str| {
        toc.lines()
            .any(|l| l.contains(" TABLE ") && l.split_whitespace().any(|w| w == name))
    };
    if !has_table("_sqlx_migrations") || !has_table("accounts") {
        crate::bail_app!(
            "refusing to restore {}: it is a dump, but not of an Alcance workspace",
            file.display()
        );
    }
    let data = run_pg_tool(
        "pg_restore",
        database,
        vec![
            "--data-only".into(),
            "--table=_sqlx_migrations".into(),
            "--file=-".into(),
            file.display().to_string(),
        ],
        false,
    )
    .await?;
    let migrations = migration_versions(&String::from_utf8_lossy(&data.stdout));
    let store = Store::open_postgres(database.expose())
        .await
        .with_context(|| format!("opening the team database {database}"))?;
    let known = store.latest_migration();
    store.close().await;
    if let Some(newest) = migrations.iter().copied().filter(|v| *v > known).max() {
        crate::bail_app!(
            "refusing to restore {}: it was written by a newer Alcance (schema version {newest} > {known})",
            file.display()
        );
    }

    let dir = backup_dir(local_dir);
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let previous = dir.join(format!(
        "before-restore-{}.dump",
        chrono::Utc::now().format("%Y%m%dT%H%M%SZ")
    ));
    run_pg_tool(
        "pg_dump",
        database,
        vec![
            "--format=custom".into(),
            "--no-owner".into(),
            format!("--file={}", previous.display()),
        ],
        true,
    )
    .await
    .context("keeping the current database before the restore")?;
    run_pg_tool(
        "pg_restore",
        database,
        vec![
            "--clean".into(),
            "--if-exists".into(),
            "--no-owner".into(),
            "--single-transaction".into(),
            file.display().to_string(),
        ],
        true,
    )
    .await
    .context("restoring (the database was left as it was)")?;
    let store = Store::open_postgres(database.expose())
        .await
        .context("the restored database does not open")?;
    store.close().await;
    Ok(TeamRestoreReport {
        previous,
        migrations_in_file: migrations,
    })
}

/// The versions in the `COPY … _sqlx_migrations … FROM stdin;` block of a data-only SQL
/// script (first column of each row up to `\.`).
fn migration_versions(sql: &str) -> Vec<i64> {
    let mut in_copy = false;
    let mut versions = Vec::new();
    for line in sql.lines() {
        if line.starts_with("COPY ") && line.contains("_sqlx_migrations") {
            in_copy = true;
        } else if in_copy && line == "\\." {
            in_copy = false;
        } else if in_copy {
            if let Some(v) = line.split('\t').next().and_then(|v| v.parse().ok()) {
                versions.push(v);
            }
        }
    }
    versions.sort_unstable();
    versions
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migration_rows_are_read_from_the_dump_script() {
        let sql =
            "SET x;\nCOPY public._sqlx_migrations (version, description) FROM stdin;\n1\tinitial\n4\tsealed\n\\.\n";
        assert_eq!(migration_versions(sql), vec![1, 4]);
        assert_eq!(
            team_backup_file_name(NaiveDate::from_ymd_opt(2026, 12, 4).unwrap_or_default()),
            "alcance-2026-12-04.dump"
        );
    }
}
