//! Daily database backups (`<workspace>/backups/alcance-YYYY-MM-DD.db`, UTC dates) with
//! rotation, and [`restore_database`] to put one back after checking it. The scheduler
//! takes a backup each day ([`crate::scheduler::BackupPolicy`]); `alcance restore` restores.

use crate::at_rest::{key_for_file, open_database, NewDatabase};
use crate::error::{Context, Result};
use alcance_platforms::vault::TokenVault;
use alcance_store::schedule::inspect_database_file;
use alcance_store::Store;
use chrono::NaiveDate;
use std::path::{Path, PathBuf};

/// The backups folder of a workspace: `<workspace>/backups`.
pub fn backup_dir(workspace_dir: &Path) -> PathBuf {
    workspace_dir.join("backups")
}

/// The file name of the backup of `date` (UTC): `alcance-YYYY-MM-DD.db`.
pub fn backup_file_name(date: NaiveDate) -> String {
    format!("alcance-{}.db", date.format("%Y-%m-%d"))
}

/// What [`take_backup`] wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupOutcome {
    /// The new backup file.
    pub path: PathBuf,
    /// Older backups removed by rotation.
    pub removed: Vec<PathBuf>,
}

/// The daily backups in `<workspace>/backups`, newest first: `(UTC date, file)`. Files not
/// named `alcance-YYYY-MM-DD.db` (SQLite) or `alcance-YYYY-MM-DD.dump` (a team's
/// PostgreSQL dump) are ignored.
pub fn list_backups(workspace_dir: &Path) -> Result<Vec<(NaiveDate, PathBuf)>> {
    let dir = backup_dir(workspace_dir);
    let entries = match std::fs::read_dir(&dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(crate::error::AppError::from(e).context(format!("reading {}", dir.display()))),
    };
    let mut backups: Vec<(NaiveDate, PathBuf)> = entries
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let stem = name.strip_prefix("alcance-")?;
            let date = stem.strip_suffix(".db").or_else(|| stem.strip_suffix(".dump"))?;
            let date = NaiveDate::parse_from_str(date, "%Y-%m-%d").ok()?;
            e.file_type().ok()?.is_file().then(|| (date, e.path()))
        })
        .collect();
    backups.sort_by_key(|b| std::cmp::Reverse(b.0));
    Ok(backups)
}

/// Writes the backup of `date` (UTC) into `<workspace>/backups/alcance-YYYY-MM-DD.db` with
/// an online `VACUUM INTO` to a temporary file renamed into place, then keeps the newest
/// `keep` (at least 1) daily backups. `None` when that day's backup already exists.
///
/// Errors: the folder cannot be created, the disk is full, the database cannot be read.
pub async fn take_backup(
    store: &Store,
    workspace_dir: &Path,
    date: NaiveDate,
    keep: usize,
) -> Result<Option<BackupOutcome>> {
    // `VACUUM INTO` accepts an existing empty file: the temporary file beside the target.
    daily_backup(workspace_dir, &backup_file_name(date), keep, async |tmp: &Path| {
        store.backup_into(tmp).await.context("writing the backup")
    })
    .await
}

/// The steps every daily backup shares: nothing when `<workspace>/backups/<name>` exists;
/// else `write` fills a temporary file beside it, which is renamed into place, and the
/// backups are rotated ([`rotate_backups`]).
///
/// Errors: `write`'s; the folder cannot be written.
pub(crate) async fn daily_backup(
    workspace_dir: &Path,
    name: &str,
    keep: usize,
    write: impl AsyncFnOnce(&Path) -> Result<()>,
) -> Result<Option<BackupOutcome>> {
    let path = backup_dir(workspace_dir).join(name);
    if path.exists() {
        return Ok(None);
    }
    let tmp = crate::atomic::temp_path_beside(&path)?;
    write(&tmp).await?;
    crate::atomic::persist(tmp, &path).context("moving the backup into place")?;
    let removed = rotate_backups(workspace_dir, keep)?;
    Ok(Some(BackupOutcome { path, removed }))
}

/// Keeps the newest `keep` (at least 1) daily backups of the workspace (SQLite `.db` and
/// team `.dump` files alike) and removes the others; returns the removed files. A file
/// that cannot be removed is logged and kept. Temporary files of backups killed mid-write
/// are removed too once they are an hour old (not listed in the result).
///
/// Errors: the backups folder cannot be read.
pub(crate) fn rotate_backups(workspace_dir: &Path, keep: usize) -> Result<Vec<PathBuf>> {
    remove_stale_partials(&backup_dir(workspace_dir));
    let mut removed = Vec::new();
    for (_, old) in list_backups(workspace_dir)?.into_iter().skip(keep.max(1)) {
        match std::fs::remove_file(&old) {
            Ok(()) => removed.push(old),
            Err(e) => tracing::warn!(path = %old.display(), error = %e, "could not remove an old backup"),
        }
    }
    Ok(removed)
}

/// How old a backup's temporary file must be before [`rotate_backups`] takes it for the
/// leftover of a backup that was killed (a backup in progress touches it continuously).
const STALE_PARTIAL: std::time::Duration = std::time::Duration::from_secs(3600);

/// Removes the temporary files (`.alcance-….partial`, `….partial-journal`) that backups
/// killed mid-write left in `dir`, once they are an hour old; best effort.
fn remove_stale_partials(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.filter_map(|e| e.ok()) {
        let name = entry.file_name().to_string_lossy().into_owned();
        // `.alcance-YYYY-MM-DD.db.<random>.partial` and SQLite's `…partial-journal` of it.
        if !(name.starts_with(".alcance-") && name.contains(".partial")) {
            continue;
        }
        let stale = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > STALE_PARTIAL);
        if stale {
            match std::fs::remove_file(entry.path()) {
                Ok(()) => {
                    tracing::info!(path = %entry.path().display(), "removed the leftover of an interrupted backup")
                }
                Err(e) => {
                    tracing::warn!(path = %entry.path().display(), error = %e, "could not remove the leftover of an interrupted backup")
                }
            }
        }
    }
}

/// What [`restore_database`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestoreReport {
    /// The live database, now holding the restored data.
    pub database: PathBuf,
    /// Where the replaced database was kept (`alcance.db.before-restore`), if there was one.
    pub previous: Option<PathBuf>,
    /// Migration versions the restored file had before opening (newer ones were applied).
    pub migrations_in_file: Vec<i64>,
}

/// Replaces the workspace's live database (`<workspace>/alcance.db`) with `file`, after
/// checking it: `PRAGMA integrity_check` must say `ok`, it must be an Alcance database
/// (sqlx's migrations table with migration 1) and not from a newer Alcance. The current
/// database is kept as `alcance.db.before-restore` (its WAL checkpointed first); the file is
/// copied in (never moved) under a temporary name, synced, and renamed over `alcance.db` in
/// one step, so a restore killed at any moment leaves the live database either the old or
/// the new one (see [`finish_interrupted_restore`] for the next start); it is then opened
/// once, which applies any newer migrations. An
/// encrypted backup (SQLCipher) is opened with the key its salt names in `vault` (the
/// workspace's vault: [`crate::session::workspace_vault`]). Run it with the app and
/// `alcance run` stopped.
///
/// Errors: the file fails a check (nothing is changed), the workspace files cannot be
/// moved, or the restored copy does not open (the previous database is put back).
pub async fn restore_database(workspace_dir: &Path, file: &Path, vault: &dyn TokenVault) -> Result<RestoreReport> {
    let live = workspace_dir.join("alcance.db");
    if file.canonicalize().ok().is_some() && file.canonicalize().ok() == live.canonicalize().ok() {
        crate::bail_app!("{} is the live database itself; choose a backup file", file.display());
    }
    // An encrypted backup opens with the key its salt names in the vault.
    let key = key_for_file(file, vault).with_context(|| format!("refusing to restore {}", file.display()))?;
    let info = inspect_database_file(file, key.as_ref()).await.with_context(|| {
        format!(
            "refusing to restore {}: it cannot be read as a database",
            file.display()
        )
    })?;
    if info.integrity != "ok" {
        crate::bail_app!(
            "refusing to restore {}: the integrity check failed: {}",
            file.display(),
            info.integrity.lines().take(5).collect::<Vec<_>>().join("; ")
        );
    }
    if !info.has_migrations_table || !info.applied_migrations.contains(&1) {
        crate::bail_app!(
            "refusing to restore {}: it is an SQLite file but not an Alcance database (no migrations table)",
            file.display()
        );
    }
    if !info.is_restorable() {
        crate::bail_app!(
            "refusing to restore {}: it was written by a newer Alcance (schema version {} > {})",
            file.display(),
            info.applied_migrations.iter().max().copied().unwrap_or_default(),
            info.known_latest_migration
        );
    }
    std::fs::create_dir_all(workspace_dir).with_context(|| format!("creating {}", workspace_dir.display()))?;
    finish_interrupted_restore(workspace_dir)?;

    // The copy is made and synced under a name no one opens; a kill during it leaves the
    // live database untouched (and the leftover copy is removed on the next start).
    let incoming = workspace_dir.join(RESTORING);
    copy_synced(file, &incoming).with_context(|| format!("copying {}", file.display()))?;
    let previous = if live.exists() {
        // Fold the WAL into the file so the kept copy is complete on its own.
        if let Ok(store) = open_database(&live, vault, NewDatabase::Plain).await {
            store.close().await;
        }
        let wal = companion(&live, "-wal");
        if std::fs::metadata(&wal).is_ok_and(|m| m.len() > 0) {
            let _ = std::fs::remove_file(&incoming);
            crate::bail_app!(
                "{} is still in use (its write-ahead log could not be folded in); stop the app and `alcance run`, then restore again",
                live.display()
            );
        }
        // The previous database stays reachable under its kept name (a second link to the
        // same file) while the live name is switched over by one rename: a kill at any
        // moment leaves the live database either the old one or the new one, never a mix
        // and never missing.
        let kept = workspace_dir.join(BEFORE_RESTORE);
        for suffix in ["", "-wal", "-shm"] {
            let old = companion(&kept, suffix);
            if old.exists() {
                std::fs::remove_file(&old).with_context(|| format!("removing {}", old.display()))?;
            }
        }
        if std::fs::hard_link(&live, &kept).is_err() {
            copy_synced(&live, &kept).with_context(|| format!("keeping {} as {}", live.display(), kept.display()))?;
        }
        for suffix in ["-wal", "-shm"] {
            let _ = std::fs::remove_file(companion(&live, suffix));
        }
        Some(kept)
    } else {
        None
    };
    let copied = std::fs::rename(&incoming, &live)
        .context("moving the restored copy into place")
        .and_then(|()| sync_folder(workspace_dir));
    let opened = match copied {
        Ok(()) => open_database(&live, vault, NewDatabase::Plain).await,
        Err(e) => Err(e),
    };
    match opened {
        Ok(store) => {
            let check = store.integrity_check().await;
            store.close().await;
            if !matches!(check.as_deref(), Ok("ok")) {
                put_back(&live, previous.as_deref());
                crate::bail_app!(
                    "the restored copy failed its integrity check after opening; the previous database was put back"
                );
            }
        }
        Err(e) => {
            let _ = std::fs::remove_file(&incoming);
            put_back(&live, previous.as_deref());
            return Err(e.context("the restored copy does not open; the previous database was put back"));
        }
    }
    Ok(RestoreReport {
        database: live,
        previous,
        migrations_in_file: info.applied_migrations,
    })
}

/// The name the restored copy is written under before it replaces `alcance.db`.
const RESTORING: &str = "alcance.db.restoring";
/// The name the replaced database is kept under by [`restore_database`].
const BEFORE_RESTORE: &str = "alcance.db.before-restore";

/// `path` with `suffix` appended to its file name (`-wal`, `-shm`).
fn companion(path: &Path, suffix: &str) -> PathBuf {
    PathBuf::from(format!("{}{suffix}", path.display()))
}

/// Copies `from` to `to` (replacing it) and syncs the copy to disk.
fn copy_synced(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::copy(from, to)?;
    std::fs::File::open(to)?.sync_all()
}

/// Syncs a folder's entries (a rename in it) to disk; a no-op where folders cannot be
/// opened as files.
fn sync_folder(dir: &Path) -> Result<()> {
    if let Ok(folder) = std::fs::File::open(dir) {
        folder
            .sync_all()
            .with_context(|| format!("syncing {} to disk", dir.display()))?;
    }
    Ok(())
}

/// Tidies what a restore killed part-way (power cut, SIGKILL) left in `workspace_dir`, on
/// the next start: a leftover `alcance.db.restoring` (an unfinished copy that never
/// replaced the live database) is removed; when `alcance.db` is missing but
/// `alcance.db.before-restore` is there (a restore by an older Alcance, which moved the
/// live database aside before copying the backup in, was killed in between), the kept
/// database is moved back as `alcance.db`. Returns whether it put a database back.
/// Workspaces without these files are left alone.
///
/// Errors: the leftover copy cannot be removed, or the kept database cannot be moved back.
pub fn finish_interrupted_restore(workspace_dir: &Path) -> Result<bool> {
    let incoming = workspace_dir.join(RESTORING);
    if incoming.exists() {
        tracing::warn!(path = %incoming.display(), "removing the copy an interrupted restore left");
        std::fs::remove_file(&incoming).with_context(|| format!("removing {}", incoming.display()))?;
    }
    let live = workspace_dir.join("alcance.db");
    let kept = workspace_dir.join(BEFORE_RESTORE);
    if live.exists() || !kept.is_file() {
        return Ok(false);
    }
    tracing::warn!(path = %kept.display(), "an interrupted restore left no database; putting the previous one back");
    move_db_files(&kept, &live)?;
    Ok(true)
}

/// Moves an SQLite file and its `-wal` / `-shm` companions from `from` to `to`, replacing
/// what is there.
fn move_db_files(from: &Path, to: &Path) -> Result<()> {
    for suffix in ["", "-wal", "-shm"] {
        let src = PathBuf::from(format!("{}{suffix}", from.display()));
        let dst = PathBuf::from(format!("{}{suffix}", to.display()));
        if dst.exists() {
            std::fs::remove_file(&dst).with_context(|| format!("removing {}", dst.display()))?;
        }
        if src.exists() {
            std::fs::rename(&src, &dst).with_context(|| format!("moving {} to {}", src.display(), dst.display()))?;
        }
    }
    Ok(())
}

/// Best-effort rollback of a failed restore.
fn put_back(live: &Path, previous: Option<&Path>) {
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", live.display()));
    }
    if let Some(previous) = previous {
        if let Err(e) = move_db_files(previous, live) {
            tracing::error!(error = %format!("{e:#}"), "could not put the previous database back");
        }
    }
}
