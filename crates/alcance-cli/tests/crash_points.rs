//! Crash safety at the other kill points (issue 15 point 3): a process is killed with
//! SIGKILL at seeded random moments while it takes a **backup**, **restores** one
//! (`alcance restore`), writes an **export** (`alcance export csv|json|xlsx`), **migrates**
//! an old-schema database, or **collects** (`alcance collect --now`). After every kill the
//! database passes `PRAGMA integrity_check`, the next start works, and the workspace ends
//! with the same rows as an uninterrupted run (per-table checksums, as `alcance workspace
//! copy` verifies a copy). `ALCANCE_CRASH_KILLS` (default 24) sets the kills of
//! `crash.rs`; each test here kills a quarter of it (at least 4). docs/RELIABILITY.md has
//! the 100-kill command and its figures.
//!
//! Storage faults (issue 15 point 4) at the CLI level: a full disk during a batch
//! (`ALCANCE_TEST_MAX_PAGES`), a read-only workspace (`chattr +i`), a damaged, truncated
//! or newer database → exit code 1 and one line naming the cause and what to do, no panic,
//! nothing stored lost, and collection resumes once the cause is gone.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers panic on setup failures

use crate::common;

use alcance_app::Store;
use common::*;
use sqlx::{ConnectOptions, Connection};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The child-process entry points (ignored tests of this binary, run by the tests below):
/// the folder or file they work on.
const CHILD_PATH: &str = "ALCANCE_CRASH_CHILD_PATH";

/// Kills per test: a quarter of `ALCANCE_CRASH_KILLS` (default 24), at least 4.
fn kills() -> usize {
    let total = std::env::var("ALCANCE_CRASH_KILLS")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(24);
    (total / 4).max(4)
}

/// xorshift64*: a small seeded generator, so every run kills at the same moments.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A delay in `0..=max`, spread evenly.
    fn upto(&mut self, max: Duration) -> Duration {
        let ms = max.as_millis().max(1) as u64;
        Duration::from_millis(self.next() % (ms + 1))
    }
}

/// Runs `cmd` and kills it (SIGKILL) after `delay` unless it ended first; `true` when it
/// was killed.
fn kill_after(cmd: &mut Command, delay: Duration) -> bool {
    let mut child = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the process starts");
    let until = Instant::now() + delay;
    while Instant::now() < until {
        if child.try_wait().expect("status").is_some() {
            return false;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    let killed = child.try_wait().expect("status").is_none();
    child.kill().expect("SIGKILL"); // std sends SIGKILL on Unix
    child.wait().expect("reaped");
    killed
}

/// Runs `cmd` to its end; how long it took.
fn timed(cmd: &mut Command) -> Duration {
    let started = Instant::now();
    ok(cmd.output().expect("runs"));
    started.elapsed()
}

/// This test binary running one of its child entry points on `path`.
fn child(entry: &str, path: &Path) -> Command {
    let mut cmd = Command::new(std::env::current_exe().expect("test binary"));
    cmd.args([
        "--exact",
        &harness_name(entry),
        "--ignored",
        "--nocapture",
        "--test-threads",
        "1",
    ])
    .env(CHILD_PATH, path);
    cmd
}

/// The name the test harness knows `entry` of this file by: its module path inside the
/// package's one test binary (`crash_points::child_open`), without the crate's name.
fn harness_name(entry: &str) -> String {
    let module = module_path!().split_once("::").map_or("", |(_, inside)| inside);
    if module.is_empty() {
        entry.to_string()
    } else {
        format!("{module}::{entry}")
    }
}

/// A finished `alcance demo` of `days` days in `out` (plain SQLite, a vault with the demo
/// passphrase), against the sandbox at `url`.
fn demo(url: &str, out: &Path, days: u32) {
    ok(alcance()
        .args(["demo", "--days", &days.to_string(), "--sandbox-url", url, "--out"])
        .arg(out)
        .output()
        .expect("alcance demo runs"));
}

/// Every table's row count and checksum (`alcance workspace copy`'s), but sqlx's migration
/// bookkeeping (its rows carry the time they were applied).
async fn sums(db: &Path) -> BTreeMap<String, (i64, String)> {
    let store = Store::open(db).await.expect("the database opens");
    assert_eq!(store.integrity_check().await.expect("integrity"), "ok");
    let tables: Vec<String> = sqlx::query_scalar(
        // The comments' FTS5 index (the virtual table and its shadow tables, whose
        // columns have no declared type) is derived from `comments`, which is summed.
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> '_sqlx_migrations'
           AND name NOT LIKE 'comments_fts%'",
    )
    .fetch_all(store.sqlite_pool().expect("an SQLite store"))
    .await
    .expect("tables");
    let mut out = BTreeMap::new();
    for table in tables {
        let sum = store.table_checksum(&table).await.expect("checksum");
        out.insert(table, (sum.rows, sum.sha256));
    }
    store.close().await;
    out
}

/// Copies the workspace files (database, vault, settings) of `from` into a fresh `to`.
/// A file listed but gone by the time it is copied is skipped: the `-wal` and `-shm` files
/// that SQLite deletes when the last connection of a store this test just closed finishes
/// closing on its worker thread (the WAL was checkpointed into the database before).
fn copy_workspace(from: &Path, to: &Path) {
    if to.exists() {
        std::fs::remove_dir_all(to).expect("clear");
    }
    std::fs::create_dir_all(to).expect("dir");
    for entry in std::fs::read_dir(from).expect("read").filter_map(Result::ok) {
        if entry.file_type().expect("type").is_file() {
            match std::fs::copy(entry.path(), to.join(entry.file_name())) {
                Ok(_) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    let name = entry.file_name().to_string_lossy().into_owned();
                    assert!(name.ends_with("-wal") || name.ends_with("-shm"), "{name} vanished: {e}");
                }
                Err(e) => panic!("copy {}: {e}", entry.path().display()),
            }
        }
    }
}

/// Asserts `out` failed cleanly: exit code 1, no panic, and one line `error: …` on stderr
/// (besides the log's record of it) holding every one of `words`. Returns that line.
fn clean_failure(out: &std::process::Output, words: &[&str]) -> String {
    let (stdout, stderr) = text(out);
    assert_eq!(out.status.code(), Some(1), "{stdout}\n{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    let lines: Vec<&str> = stderr.lines().filter(|l| l.starts_with("error: ")).collect();
    assert_eq!(lines.len(), 1, "one error line: {stderr}");
    let line = lines[0].to_string();
    for w in words {
        assert!(line.contains(w), "{w:?} missing from: {line}");
    }
    line
}

// ---------------------------------------------------------------------------------------
// Backup

/// Child: takes daily backups of the database in the workspace folder `CHILD_PATH`, one
/// per day from 2030-01-01, keeping 2, until killed (200 at most).
#[tokio::test]
#[ignore = "a child process of the backup crash test"]
async fn child_backup() {
    let dir = PathBuf::from(std::env::var_os(CHILD_PATH).expect(CHILD_PATH));
    let store = Store::open(&dir.join("alcance.db")).await.expect("open");
    let first = chrono::NaiveDate::from_ymd_opt(2030, 1, 1).expect("date");
    let once = std::env::var_os("ALCANCE_CRASH_CHILD_ONCE").is_some();
    for day in 0..if once { 1 } else { 200 } {
        let date = first + chrono::Days::new(day);
        alcance_app::backup::take_backup(&store, &dir, date, 2)
            .await
            .expect("backup");
    }
    store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killing_a_backup_never_leaves_half_a_backup_under_its_name() {
    let (_sandbox, url) = sandbox();
    let root = tempfile::tempdir().expect("tempdir");
    let ws = root.path().join("ws");
    demo(&url, &ws, 30);
    let live = sums(&ws.join("alcance.db")).await;
    let mut rng = Rng(0x5eed_bac0_0000_0001);
    let (mut killed, mut leftovers, mut checked) = (0, 0, 0);
    for i in 0..kills() {
        let delay = Duration::from_millis(100) + rng.upto(Duration::from_millis(1500));
        killed += usize::from(kill_after(&mut child("child_backup", &ws), delay));
        for entry in std::fs::read_dir(ws.join("backups"))
            .expect("backups")
            .filter_map(Result::ok)
        {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') {
                // The temporary file of the backup in progress (and SQLite's journal of it):
                // never under a backup's name.
                assert!(name.starts_with(".alcance-") && name.contains(".partial"), "{name}");
                leftovers += 1;
                std::fs::remove_file(entry.path()).expect("remove leftover");
                continue;
            }
            assert!(
                name.starts_with("alcance-") && name.ends_with(".db"),
                "kill {i}: {name}"
            );
            // A backup under its final name is whole: the live database's rows, all of them.
            let copy = root.path().join("check.db");
            std::fs::copy(entry.path(), &copy).expect("copy");
            assert_eq!(sums(&copy).await, live, "kill {i}: {name}");
            checked += 1;
        }
    }
    // The live database is untouched, and the next backup works.
    assert_eq!(sums(&ws.join("alcance.db")).await, live);
    std::fs::remove_dir_all(ws.join("backups")).expect("clear backups");
    let mut once = child("child_backup", &ws);
    once.env("ALCANCE_CRASH_CHILD_ONCE", "1");
    timed(&mut once);
    let copy = root.path().join("check.db");
    std::fs::copy(ws.join("backups").join("alcance-2030-01-01.db"), &copy).expect("backup written");
    assert_eq!(sums(&copy).await, live);
    println!(
        "backup: {} kills, {killed} mid-run, {leftovers} killed mid-write, {checked} backups checked",
        kills()
    );
    assert!(killed > 0, "no kill landed while backups were being written");
}

// ---------------------------------------------------------------------------------------
// Restore

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killing_a_restore_leaves_the_old_or_the_new_database_never_a_mix() {
    let (_sandbox, url) = sandbox();
    let root = tempfile::tempdir().expect("tempdir");
    let base = root.path().join("base");
    demo(&url, &base, 30);
    // The backup to restore: the demo as it is; the live database then differs from it.
    let mut once = child("child_backup", &base);
    once.env("ALCANCE_CRASH_CHILD_ONCE", "1");
    timed(&mut once);
    let backup = root.path().join("alcance-backup.db");
    std::fs::rename(base.join("backups").join("alcance-2030-01-01.db"), &backup).expect("backup");
    let new = sums(&backup).await;
    {
        let store = Store::open(&base.join("alcance.db")).await.expect("open");
        let pool = store.sqlite_pool().expect("sqlite");
        sqlx::query("DELETE FROM post_metrics WHERE id % 3 = 0")
            .execute(pool)
            .await
            .expect("edit");
        sqlx::query("UPDATE accounts SET display_name = 'before the restore'")
            .execute(pool)
            .await
            .expect("edit");
        store.close().await;
    }
    let old = sums(&base.join("alcance.db")).await;
    assert_ne!(old, new);

    let ws = root.path().join("ws");
    let restore = |ws: &Path| {
        let mut cmd = alcance();
        cmd.arg("restore").arg(&backup).arg("--workspace").arg(ws);
        cmd
    };
    copy_workspace(&base, &ws);
    let clean = timed(&mut restore(&ws));
    assert_eq!(sums(&ws.join("alcance.db")).await, new);

    let mut rng = Rng(0x5eed_4e57_0000_0001);
    let (mut killed, mut as_old, mut as_new) = (0, 0, 0);
    for i in 0..kills() {
        copy_workspace(&base, &ws);
        killed += usize::from(kill_after(&mut restore(&ws), rng.upto(clean + clean / 5)));
        // The next start: `alcance status` opens the workspace.
        ok(alcance()
            .args(["status", "--workspace"])
            .arg(&ws)
            .output()
            .expect("status"));
        assert!(!ws.join("alcance.db.restoring").exists(), "kill {i}: leftover copy");
        let now = sums(&ws.join("alcance.db")).await;
        if now == old {
            as_old += 1;
        } else {
            assert_eq!(now, new, "kill {i}: neither the old nor the new database");
            as_new += 1;
        }
        // Restoring again ends with the backup's rows.
        ok(restore(&ws).output().expect("restore"));
        assert_eq!(sums(&ws.join("alcance.db")).await, new, "kill {i}");
    }
    println!(
        "restore: {} kills, {killed} mid-run, {as_old} left the old database, {as_new} the new one (uninterrupted: {clean:?})",
        kills()
    );
    assert!(killed > 0, "no kill landed during a restore");
}

// ---------------------------------------------------------------------------------------
// Export

/// `true` when `bytes` end with a ZIP end-of-central-directory record (no comment).
fn whole_zip(bytes: &[u8]) -> bool {
    bytes.len() >= 22 && bytes[bytes.len() - 22..].starts_with(b"PK\x05\x06")
}

/// A JSON export without its `generated_at` (the only field two exports differ in).
fn json_without_time(bytes: &[u8]) -> serde_json::Value {
    let mut v: serde_json::Value = serde_json::from_slice(bytes).expect("whole JSON");
    if let Some(o) = v.as_object_mut() {
        o.remove("generated_at");
    }
    v
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killing_an_export_never_leaves_half_a_file_under_its_name() {
    let (_sandbox, url) = sandbox();
    let root = tempfile::tempdir().expect("tempdir");
    let ws = root.path().join("ws");
    demo(&url, &ws, 30);
    let export = |format: &str, out: &Path| {
        let mut cmd = alcance();
        cmd.args(["export", format, "--workspace"])
            .arg(&ws)
            .arg("--out")
            .arg(out);
        cmd
    };
    let formats = ["csv", "json", "xlsx"];
    let reference = root.path().join("reference");
    let mut clean = Duration::ZERO;
    for f in formats {
        clean = clean.max(timed(&mut export(f, &reference.join(format!("export.{f}")))));
    }
    let expected: BTreeMap<String, Vec<u8>> = std::fs::read_dir(&reference)
        .expect("reference")
        .filter_map(Result::ok)
        .map(|e| {
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).expect("read"),
            )
        })
        .collect();
    assert!(expected.len() >= 3, "{:?}", expected.keys());

    let mut rng = Rng(0x5eed_e8b0_0000_0001);
    let (mut killed, mut partial, mut whole) = (0, 0, 0);
    for i in 0..kills() {
        let format = formats[i % formats.len()];
        let dir = root.path().join(format!("kill-{i:02}"));
        killed += usize::from(kill_after(
            &mut export(format, &dir.join(format!("export.{format}"))),
            rng.upto(clean + clean / 5),
        ));
        let files: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
            .map(|d| {
                d.filter_map(Result::ok)
                    .map(|e| {
                        (
                            e.file_name().to_string_lossy().into_owned(),
                            std::fs::read(e.path()).expect("read"),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        for (name, bytes) in &files {
            if name.starts_with('.') {
                // A temporary file: `.….partial` (CSV, JSON), `.alcance-export-….xlsx.part`.
                assert!(name.contains(".part"), "kill {i}: {name}");
                partial += 1;
                continue;
            }
            let want = expected
                .get(name)
                .unwrap_or_else(|| panic!("kill {i}: unexpected {name}"));
            // A file under its final name is whole.
            match format {
                "json" => assert_eq!(json_without_time(bytes), json_without_time(want), "kill {i}: {name}"),
                "xlsx" => assert!(whole_zip(bytes), "kill {i}: {name} is not a whole workbook"),
                _ => assert!(bytes == want, "kill {i}: {name} differs from an uninterrupted export"),
            }
            whole += 1;
        }
        // Exporting again gives the uninterrupted export's files.
        ok(export(format, &dir.join(format!("export.{format}")))
            .output()
            .expect("export"));
        for (name, want) in &expected {
            let Ok(bytes) = std::fs::read(dir.join(name)) else {
                continue; // another format's file
            };
            match format {
                "json" => assert_eq!(json_without_time(&bytes), json_without_time(want)),
                "xlsx" => assert!(whole_zip(&bytes)),
                _ => assert!(&bytes == want, "kill {i}: {name} after the re-export"),
            }
        }
    }
    println!(
        "export: {} kills, {killed} mid-run, {partial} temporary files left by a kill mid-write, {whole} whole files under their names",
        kills()
    );
    assert!(killed > 0, "no kill landed during an export");
}

// ---------------------------------------------------------------------------------------
// Migration

/// Child: opens (and so migrates) the database file `CHILD_PATH`.
#[tokio::test]
#[ignore = "a child process of the migration crash test"]
async fn child_open() {
    let path = PathBuf::from(std::env::var_os(CHILD_PATH).expect(CHILD_PATH));
    let store = Store::open(&path).await.expect("open");
    store.close().await;
}

/// A database file at migration 0001 only (what the first release wrote) holding 40
/// accounts, 60,000 runs and 240,000 run events: enough rows that migration 0003, which
/// rebuilds `collection_runs` and checks every foreign key, takes a while.
async fn version_one_database(dir: &Path) -> PathBuf {
    let migrations = dir.join("migrations-v1");
    std::fs::create_dir_all(&migrations).expect("dir");
    std::fs::copy(
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../alcance-store/migrations/0001_initial.sql"
        ),
        migrations.join("0001_initial.sql"),
    )
    .expect("copy 0001");
    let path = dir.join("v1.db");
    let mut conn = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(&path)
        .create_if_missing(true)
        .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal)
        .connect()
        .await
        .expect("connect");
    sqlx::migrate::Migrator::new(migrations.as_path())
        .await
        .expect("migrator")
        .run(&mut conn)
        .await
        .expect("0001 applies");
    for sql in [
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 40)
         INSERT INTO accounts (id, platform, external_id, username, owned, status, created_at, updated_at, last_collected_at)
         SELECT i, 'x', 'ext-' || i, 'user' || i, 1, 'active', '2026-01-01T08:00:00Z', '2026-01-01T08:00:00Z',
                '2026-11-01T08:00:00Z' FROM n",
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 60000)
         INSERT INTO collection_runs (id, kind, status, started_at, finished_at, accounts_total, accounts_ok)
         SELECT i, 'scheduled', 'ok', printf('2026-01-01T%02d:%02d:%02dZ', i / 3600 % 24, i / 60 % 60, i % 60),
                '2026-11-01T09:00:00Z', 40, 40 FROM n",
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 240000)
         INSERT INTO run_events (run_id, account_id, at, level, code, message)
         SELECT (i - 1) / 4 + 1, i % 40 + 1, '2026-11-01T08:30:00Z', 'info', 'collected',
                'account ' || (i % 40 + 1) || ' collected in run ' || ((i - 1) / 4 + 1) FROM n",
    ] {
        sqlx::query(sql).execute(&mut conn).await.expect("seed v1 data");
    }
    conn.close().await.expect("close");
    path
}

/// The integrity check and the applied migration versions of `path`, read without
/// migrating.
async fn raw_state(path: &Path) -> (String, Vec<i64>) {
    let mut conn = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(path)
        .connect()
        .await
        .expect("connect");
    let integrity: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&mut conn)
        .await
        .expect("integrity");
    let versions: Vec<i64> = sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success ORDER BY version")
        .fetch_all(&mut conn)
        .await
        .expect("migrations");
    conn.close().await.expect("close");
    (integrity, versions)
}

/// [`sums`] of a migrated database, once the one value migration 0003 takes from the clock
/// (`schedules.updated_at`, when the default schedules were made) is set aside.
async fn migrated_sums(db: &Path) -> BTreeMap<String, (i64, String)> {
    let store = Store::open(db).await.expect("the database opens and migrates");
    sqlx::query("UPDATE schedules SET updated_at = '(the time of migration 0003)'")
        .execute(store.sqlite_pool().expect("sqlite"))
        .await
        .expect("set the migration's time aside");
    store.close().await;
    sums(db).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killing_a_migration_leaves_a_consistent_schema_that_migrates_fully_next_time() {
    let root = tempfile::tempdir().expect("tempdir");
    let v1 = version_one_database(root.path()).await;
    let reference = root.path().join("reference.db");
    std::fs::copy(&v1, &reference).expect("copy");
    let clean = timed(&mut child("child_open", &reference));
    let (_, all) = raw_state(&reference).await;
    let latest = *all.last().expect("migrations");
    assert!(latest > 3);
    let expected = migrated_sums(&reference).await;

    let mut rng = Rng(0x5eed_3164_0000_0001);
    let (mut killed, mut mid) = (0, 0);
    let db = root.path().join("killed.db");
    for i in 0..kills() {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
        }
        std::fs::copy(&v1, &db).expect("copy");
        killed += usize::from(kill_after(&mut child("child_open", &db), rng.upto(clean + clean / 5)));
        let (integrity, versions) = raw_state(&db).await;
        assert_eq!(integrity, "ok", "kill {i}");
        // Each migration is its own transaction: the applied ones are a prefix.
        let prefix: Vec<i64> = all.iter().copied().take(versions.len()).collect();
        assert_eq!(versions, prefix, "kill {i}");
        if versions.len() > 1 && versions.len() < all.len() {
            mid += 1;
        }
        // The next start migrates fully and holds the rows of an uninterrupted migration.
        assert_eq!(migrated_sums(&db).await, expected, "kill {i}");
        assert_eq!(raw_state(&db).await.1, all, "kill {i}");
    }
    println!(
        "migration: {} kills, {killed} mid-run, {mid} between two migrations or inside one (uninterrupted: {clean:?})",
        kills()
    );
    assert!(killed > 0, "no kill landed during a migration");
}

// ---------------------------------------------------------------------------------------
// Collection: killed and resumed ends with the rows of an uninterrupted run

/// A workspace whose last collection lies in the past: an `alcance demo` over many days,
/// killed once it has collected a few (the demo dates its last day today at 13:00 UTC,
/// which may be ahead of the real time). The sandbox clock is then put back on now.
async fn past_workspace(url: &str, out: &Path) {
    for wait in [3u64, 6, 12, 24] {
        if out.exists() {
            std::fs::remove_dir_all(out).expect("clear");
        }
        let mut demo = alcance();
        demo.args(["demo", "--days", "400", "--sandbox-url", url, "--out"])
            .arg(out);
        kill_after(&mut demo, Duration::from_secs(wait));
        let db = out.join("alcance.db");
        if db.exists() {
            let store = Store::open(&db).await.expect("open");
            let runs: i64 = sqlx::query_scalar("SELECT count(*) FROM collection_runs WHERE status = 'ok'")
                .fetch_one(store.sqlite_pool().expect("sqlite"))
                .await
                .expect("runs");
            store.close().await;
            if runs >= 2 {
                common::set_clock(url, None).await;
                return;
            }
        }
    }
    panic!("the demo collected nothing in 24 s");
}

/// What a collection stored, without the times it was stored at (a killed and resumed run
/// writes at two moments): each account's metric values and posts, each post's values.
async fn collected_rows(db: &Path) -> BTreeMap<&'static str, Vec<String>> {
    let store = Store::open(db).await.expect("open");
    let pool = store.sqlite_pool().expect("sqlite");
    let mut out = BTreeMap::new();
    for (name, sql) in [
        (
            "posts",
            "SELECT a.platform || ':' || a.external_id || '/' || p.external_id || ' ' || p.content_type
                    || ' ' || coalesce(p.published_at, '') || ' ' || coalesce(p.permalink, '')
             FROM posts p JOIN accounts a ON a.id = p.account_id",
        ),
        (
            "account_metrics",
            "SELECT DISTINCT a.platform || ':' || a.external_id || ' ' || m.metric || ' ' || m.period || ' '
                    || CASE WHEN m.period = 'snapshot' THEN '' ELSE m.period_start || '..' || m.period_end END
                    || ' = ' || coalesce(m.value, 'null')
             FROM account_metrics m JOIN accounts a ON a.id = m.account_id",
        ),
        (
            "post_metrics",
            "SELECT DISTINCT a.platform || ':' || p.external_id || ' ' || m.metric || ' = ' || coalesce(m.value, 'null')
             FROM post_metrics m JOIN posts p ON p.id = m.post_id JOIN accounts a ON a.id = p.account_id",
        ),
        (
            "audience",
            "SELECT DISTINCT a.platform || ':' || a.external_id || ' ' || u.audience || ' ' || u.dimension || ' '
                    || u.key || ' ' || u.timeframe || ' = ' || coalesce(u.value, 'null')
             FROM audience u JOIN accounts a ON a.id = u.account_id",
        ),
    ] {
        let mut rows: Vec<String> = sqlx::query_scalar(sql).fetch_all(pool).await.expect(name);
        rows.sort();
        out.insert(name, rows);
    }
    store.close().await;
    out
}

/// Asserts two [`collected_rows`] are equal, showing the rows only one side has.
fn assert_same_rows(got: &BTreeMap<&'static str, Vec<String>>, want: &BTreeMap<&'static str, Vec<String>>, what: &str) {
    for (table, rows) in want {
        let other = &got[table];
        let missing: Vec<&String> = rows
            .iter()
            .filter(|r| other.binary_search(r).is_err())
            .take(10)
            .collect();
        let extra: Vec<&String> = other
            .iter()
            .filter(|r| rows.binary_search(r).is_err())
            .take(10)
            .collect();
        assert!(
            missing.is_empty() && extra.is_empty() && rows.len() == other.len(),
            "{what}: {table}: {} rows vs {}; missing {missing:#?}; extra {extra:#?}",
            other.len(),
            rows.len()
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_collection_killed_and_resumed_stores_the_rows_of_an_uninterrupted_one() {
    // No rate limits: with the clock held still, a killed run's calls would hold the
    // platforms' windows shut for the resumed one (which then defers, rightly).
    let (_sandbox, url) = sandbox_with(["--no-limits"]);
    let root = tempfile::tempdir().expect("tempdir");
    let base = root.path().join("base");
    past_workspace(&url, &base).await;
    // The platforms answer the same to every run: their clock stands still, and so does
    // the collector's (`--at`): reckoned from the wall clock, a post 30 days old to the
    // minute got X's non-public metrics in the reference run and not in a resumed run
    // started minutes later.
    let now = chrono::Utc::now().format("%Y-%m-%dT%H:%M:00Z").to_string();
    common::set_clock(&url, Some(&now)).await;
    let collect = |ws: &Path| {
        let mut cmd = alcance();
        cmd.args(["collect", "--now", "--at", &now, "--sandbox-url", &url, "--workspace"])
            .arg(ws);
        cmd
    };
    let reference = root.path().join("reference");
    copy_workspace(&base, &reference);
    let clean = timed(&mut collect(&reference));
    let expected = collected_rows(&reference.join("alcance.db")).await;
    assert_ne!(
        expected,
        collected_rows(&base.join("alcance.db")).await,
        "the run stored nothing"
    );

    let mut rng = Rng(0x5eed_c011_0000_0001);
    let mut killed = 0;
    let ws = root.path().join("ws");
    for i in 0..kills() {
        copy_workspace(&base, &ws);
        killed += usize::from(kill_after(&mut collect(&ws), rng.upto(clean)));
        let (integrity, _) = raw_state(&ws.join("alcance.db")).await;
        assert_eq!(integrity, "ok", "kill {i}");
        // The next start resumes: one more run, then the same rows as without the kill.
        ok(collect(&ws).output().expect("collect"));
        assert_same_rows(
            &collected_rows(&ws.join("alcance.db")).await,
            &expected,
            &format!("kill {i}"),
        );
    }
    println!(
        "collect: {} kills, {killed} mid-run (uninterrupted: {clean:?})",
        kills()
    );
    assert!(killed > 0, "no kill landed during a collection");
}

// ---------------------------------------------------------------------------------------
// Storage faults

/// A full disk during a batch: `ALCANCE_TEST_MAX_PAGES=1` keeps the database file from
/// growing (SQLite's `max_page_count`; a small tmpfs would need root mount rights).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_fails_the_collection_clearly_and_it_resumes_once_there_is_room() {
    let (_sandbox, url) = sandbox();
    let root = tempfile::tempdir().expect("tempdir");
    let ws = root.path().join("ws");
    past_workspace(&url, &ws).await;
    let before = collected_rows(&ws.join("alcance.db")).await;
    let collect = || {
        let mut cmd = alcance();
        cmd.args(["collect", "--now", "--sandbox-url", &url, "--workspace"])
            .arg(&ws);
        cmd
    };
    let out = collect().env("ALCANCE_TEST_MAX_PAGES", "1").output().expect("collect");
    clean_failure(&out, &["disk is full", "free some space"]);
    // Nothing stored before is lost.
    let after = collected_rows(&ws.join("alcance.db")).await;
    for (table, rows) in &before {
        let kept = &after[table];
        assert!(rows.iter().all(|r| kept.binary_search(r).is_ok()), "{table}: rows lost");
    }
    // Room again: the next collection stores this run's data.
    ok(collect().output().expect("collect"));
    assert_ne!(collected_rows(&ws.join("alcance.db")).await, before);
}

/// `chattr +i` on the workspace folder and its files until dropped: root (which the tests
/// run as) ignores file permissions but not the immutable flag.
struct Immutable(Vec<PathBuf>);

impl Immutable {
    /// `None` when `chattr` does not work here (not ext2/3/4, or no CAP_LINUX_IMMUTABLE).
    fn set(dir: &Path) -> Option<Immutable> {
        let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
            .ok()?
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
            .map(|e| e.path())
            // SQLite's companions may vanish meanwhile (a pool closing in the background);
            // the folder's flag keeps new ones from being made.
            .filter(|p| {
                !["-wal", "-shm", "-journal"]
                    .iter()
                    .any(|s| p.to_string_lossy().ends_with(s))
            })
            .collect();
        paths.push(dir.to_path_buf());
        let done = Command::new("chattr").arg("+i").args(&paths).status().ok()?.success();
        let guard = Immutable(paths);
        done.then_some(guard)
    }
}

impl Drop for Immutable {
    fn drop(&mut self) {
        let _ = Command::new("chattr").arg("-i").args(&self.0).status();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_only_workspace_fails_clearly_and_collection_resumes_when_writable() {
    let (_sandbox, url) = sandbox();
    let root = tempfile::tempdir().expect("tempdir");
    let ws = root.path().join("ws");
    past_workspace(&url, &ws).await;
    let before = sums(&ws.join("alcance.db")).await;
    let collect = || {
        let mut cmd = alcance();
        cmd.args(["collect", "--now", "--sandbox-url", &url, "--workspace"])
            .arg(&ws);
        cmd
    };
    {
        let Some(_ro) = Immutable::set(&ws) else {
            println!("skipped: chattr +i does not work on {}", ws.display());
            return;
        };
        let out = collect().output().expect("collect");
        let line = clean_failure(&out, &["alcance.db"]);
        assert!(
            line.contains("permissions") || line.contains("read-only") || line.contains("readonly"),
            "{line}"
        );
    }
    assert_eq!(sums(&ws.join("alcance.db")).await, before, "nothing changed");
    ok(collect().output().expect("collect"));
    assert_ne!(sums(&ws.join("alcance.db")).await, before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_damaged_truncated_or_newer_database_is_refused_clearly_and_kept() {
    let (_sandbox, url) = sandbox();
    let root = tempfile::tempdir().expect("tempdir");
    let ws = root.path().join("ws");
    demo(&url, &ws, 10);
    let db = ws.join("alcance.db");
    let good = std::fs::read(&db).expect("read");
    let before = sums(&db).await;
    let status = || {
        let mut cmd = alcance();
        cmd.args(["status", "--workspace"]).arg(&ws);
        cmd
    };
    let damaged = |bytes: Vec<u8>, words: &[&str]| {
        std::fs::write(&db, &bytes).expect("write");
        let line = clean_failure(&status().output().expect("status"), words);
        // The refused file is left as it was, for a backup or a repair.
        assert!(std::fs::read(&db).expect("read") == bytes, "{line}");
        line
    };
    // Truncated: the second half of the file is gone.
    damaged(good[..good.len() / 2].to_vec(), &["damaged", "restore a backup"]);
    // Damaged pages: the schema page overwritten.
    let mut bytes = good.clone();
    for (i, b) in bytes.iter_mut().enumerate().take(4096).skip(100) {
        *b = (i as u8).wrapping_mul(37).wrapping_add(11);
    }
    damaged(bytes, &["damaged", "restore a backup"]);
    // The header gone: not recognizable as SQLite (a workspace would then be SQLCipher's).
    let mut bytes = good.clone();
    bytes[..100].fill(0x5a);
    damaged(bytes, &["alcance.db"]);

    // A database written by a newer Alcance.
    std::fs::write(&db, &good).expect("put back");
    let newer = |sql: &'static str| {
        let db = db.clone();
        async move {
            let mut conn = sqlx::sqlite::SqliteConnectOptions::new()
                .filename(&db)
                .connect()
                .await
                .expect("connect");
            sqlx::query(sql).execute(&mut conn).await.expect("edit");
            conn.close().await.expect("close");
        }
    };
    newer(
        "INSERT INTO _sqlx_migrations (version, description, installed_on, success, checksum, execution_time)
         VALUES (9999, 'from the future', '2030-01-01 00:00:00', 1, x'00', 0)",
    )
    .await;
    clean_failure(
        &status().output().expect("status"),
        &["newer Alcance", "update Alcance"],
    );
    newer("DELETE FROM _sqlx_migrations WHERE version = 9999").await;
    // Fixed: it opens again with everything it held.
    ok(status().output().expect("status"));
    assert_eq!(sums(&db).await, before);
}
