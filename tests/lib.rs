//! Shared helpers for Alcance's end-to-end tests.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers may panic on a broken fixture

use alcance_app::{Workspace, WorkspaceOptions};
use alcance_core::Platform;
use alcance_platforms::oauth::HeadlessBrowser;
use alcance_platforms::vault::MemoryVault;
use alcance_platforms::Endpoints;
use alcance_sandbox::{Mode, Sandbox, SandboxConfig};
use std::path::Path;
use std::time::Duration;

/// Starts a seeded sandbox on 127.0.0.1 (seed 42).
pub async fn seeded_sandbox() -> Sandbox {
    Sandbox::start(SandboxConfig {
        mode: Mode::Seeded { seed: 42 },
        bind: "127.0.0.1:0".parse().expect("loopback"),
    })
    .await
    .expect("sandbox starts")
}

/// Opens a workspace in `dir` against `sandbox`, with an in-memory vault, and connects the
/// sandbox's X and Instagram accounts through the real OAuth flow (headless browser).
pub async fn connected_workspace(dir: &Path, sandbox: &Sandbox) -> Workspace {
    let ws = Workspace::open(
        dir,
        WorkspaceOptions {
            endpoints: Endpoints::sandbox(&sandbox.base_url()),
            vault: Box::new(MemoryVault::new()),
        },
    )
    .await
    .expect("workspace opens");
    for platform in [Platform::X, Platform::Instagram] {
        ws.connect(
            &alcance_app::demo::demo_app(platform),
            &HeadlessBrowser::new(),
            Duration::from_secs(20),
        )
        .await
        .expect("OAuth against the sandbox");
    }
    ws
}

/// Connects, in `ws`, the sandbox's owned accounts the way the demo does: each platform of
/// `oauth` through the loopback OAuth flow (headless browser; TikTok's API-for-Business
/// token taken from its display token), then the Facebook Pages (Facebook Login) and the
/// WhatsApp Business Account with the system-user token the sandbox hands out
/// (`GET /__alcance/whatsapp-token`). `sandbox` is the sandbox's base URL.
pub async fn connect_like_the_demo(ws: &Workspace, sandbox: &url::Url, oauth: &[Platform]) {
    let browser = HeadlessBrowser::new();
    let timeout = Duration::from_secs(30);
    for &platform in oauth {
        let account = ws
            .connect(&alcance_app::demo::demo_app(platform), &browser, timeout)
            .await
            .expect("OAuth against the sandbox");
        if platform == Platform::Tiktok {
            ws.use_display_token_for_tiktok_business(&account).expect("business");
        }
    }
    ws.connect_facebook(&alcance_app::demo::demo_app(Platform::Facebook), &browser, timeout)
        .await
        .expect("Facebook Login against the sandbox");
    let grant: serde_json::Value = reqwest::Client::new()
        .get(sandbox.join("__alcance/whatsapp-token").expect("url"))
        .send()
        .await
        .expect("whatsapp token")
        .json()
        .await
        .expect("json");
    ws.connect_whatsapp(
        secrecy::SecretString::from(grant["access_token"].as_str().expect("token").to_string()),
        grant["waba_id"].as_str().expect("waba"),
    )
    .await
    .expect("WhatsApp token");
}

/// Arms a sandbox fault (`POST /__alcance/faults`).
pub async fn arm_fault(sandbox: &Sandbox, path_prefix: &str, kind: &str, times: u32) {
    let url = sandbox.base_url().join("__alcance/faults").expect("url");
    reqwest::Client::new()
        .post(url)
        .json(&serde_json::json!({ "path_prefix": path_prefix, "kind": kind, "times": times }))
        .send()
        .await
        .expect("fault endpoint")
        .error_for_status()
        .expect("fault accepted");
}

/// Disarms every sandbox fault.
pub async fn clear_faults(sandbox: &Sandbox) {
    let url = sandbox.base_url().join("__alcance/faults").expect("url");
    reqwest::Client::new().delete(url).send().await.expect("fault endpoint");
}

/// Sets the seeded sandbox's clock.
pub async fn set_clock(sandbox: &Sandbox, now: chrono::DateTime<chrono::Utc>) {
    let url = sandbox.base_url().join("__alcance/clock").expect("url");
    reqwest::Client::new()
        .post(url)
        .json(&serde_json::json!({ "now": now.to_rfc3339() }))
        .send()
        .await
        .expect("clock endpoint")
        .error_for_status()
        .expect("clock accepted");
}

// ---------------------------------------------------------------------------------------
// Recorded exchanges (`shared/fixtures`) replayed through the sandbox into a fresh store.
// Used by `tests/replay_{x,instagram,facebook,whatsapp,tiktok}.rs`.

/// The folder of recorded exchanges (format of `shared/fixtures/README.md`): the
/// environment variable `ALCANCE_FIXTURES_DIR` when set, else `<repo>/../shared/fixtures`.
/// `None` when that folder does not exist (tests then print `skipped: ...` and return);
/// when `CI` is set a missing folder fails the test instead
/// ([`alcance_sandbox::replay::fixtures_dir`]).
pub fn fixture_dir() -> Option<std::path::PathBuf> {
    alcance_sandbox::replay::fixtures_dir()
}

/// [`fixture_dir`]: prints `skipped: recorded fixtures not found …` when there is none
/// (the caller then returns without checking anything), fails on CI.
pub fn fixture_dir_or_skip() -> Option<std::path::PathBuf> {
    fixture_dir()
}

/// The exchange files of one platform folder (`<fixture_dir>/<platform>/*.json`), sorted by
/// name; webhook payloads (`*.webhook.json`) are not exchanges and are left out.
///
/// Errors: the folder cannot be read.
pub fn fixture_files(dir: &Path, platform: &str) -> anyhow::Result<Vec<std::path::PathBuf>> {
    use anyhow::Context as _;
    let folder = dir.join(platform);
    let mut files = Vec::new();
    for entry in std::fs::read_dir(&folder).with_context(|| format!("reading {}", folder.display()))? {
        let path = entry.with_context(|| format!("reading {}", folder.display()))?.path();
        let name = fixture_file_name(&path);
        if path.is_file() && name.ends_with(".json") && !name.ends_with(".webhook.json") {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

/// The file name of `path` as text (`""` when it has none).
pub fn fixture_file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Reads one exchange file as JSON (`{"platform","source","note","request","response"}`).
///
/// Errors: unreadable file or invalid JSON, naming the file.
pub fn fixture_read(path: &Path) -> anyhow::Result<serde_json::Value> {
    use anyhow::Context as _;
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    serde_json::from_slice(&bytes).with_context(|| format!("{} is not JSON", path.display()))
}

/// The recorded query of an exchange (`request.query`) as `(name, value)` pairs, without
/// credentials (`access_token`, `appsecret_proof`) and `REDACTED` values; numbers and
/// booleans as their JSON text.
pub fn fixture_query(exchange: &serde_json::Value) -> Vec<(String, String)> {
    let Some(query) = exchange
        .pointer("/request/query")
        .and_then(serde_json::Value::as_object)
    else {
        return Vec::new();
    };
    query
        .iter()
        .filter(|(k, _)| k.as_str() != "access_token" && k.as_str() != "appsecret_proof")
        .filter_map(|(k, v)| {
            let text = match v {
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Null => return None,
                other => other.to_string(),
            };
            (text != "REDACTED").then(|| (k.clone(), text))
        })
        .collect()
}

/// A replaying sandbox serving exactly the given exchange files (copied into a private
/// temporary folder, so the sandbox's matching rule has no other candidate), and the
/// [`Endpoints`] pointing every client at it.
#[derive(Debug)]
pub struct FixtureReplay {
    /// The running sandbox (replay mode, `127.0.0.1`, a free port).
    pub sandbox: Sandbox,
    /// Every platform endpoint on the sandbox's origin.
    pub endpoints: Endpoints,
    dir: tempfile::TempDir,
}

impl FixtureReplay {
    /// Stops the sandbox and removes the temporary folder.
    pub async fn shutdown(self) {
        self.sandbox.shutdown().await;
        drop(self.dir);
    }
}

/// Starts a sandbox in replay mode over a temporary folder holding copies of `files` (the
/// fixtures themselves are never modified nor copied into the repository).
///
/// Errors: a file cannot be copied, or the sandbox cannot load or bind.
pub async fn fixture_replay(files: &[&Path]) -> anyhow::Result<FixtureReplay> {
    use anyhow::Context as _;
    let dir = tempfile::tempdir().context("creating a temporary replay folder")?;
    for file in files {
        let target = dir.path().join(fixture_file_name(file));
        std::fs::copy(file, &target).with_context(|| format!("copying {}", file.display()))?;
    }
    let sandbox = Sandbox::start(SandboxConfig {
        mode: Mode::Replay {
            dir: dir.path().to_path_buf(),
        },
        bind: std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
    })
    .await
    .context("starting the replaying sandbox")?;
    let endpoints = Endpoints::sandbox(&sandbox.base_url());
    Ok(FixtureReplay {
        sandbox,
        endpoints,
        dir,
    })
}

/// Reads the exchange in `file`, starts a sandbox replaying that file alone
/// ([`fixture_replay`]), runs `check` with the exchange and the sandbox's endpoints, and
/// shuts the sandbox down whatever `check` returned.
///
/// Errors: the file cannot be read or replayed; whatever `check` returns.
pub async fn fixture_replay_check(
    file: &Path,
    check: impl AsyncFnOnce(&serde_json::Value, &Endpoints) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let exchange = fixture_read(file)?;
    let replay = fixture_replay(&[file]).await?;
    let result = check(&exchange, &replay.endpoints).await;
    replay.shutdown().await;
    result
}

/// The "every recorded exchange is classified" frame of a replay test. Every exchange
/// file of one platform folder ([`fixture_files`]) must be listed in `classified` with what
/// reads it (`R`, usually an enum of client calls), every listed file must be in the
/// folder, and every listed file must pass its check; a new recording fails the test until
/// someone says what reads it.
#[derive(Debug, Clone, Copy)]
pub struct ReplayCheck<'a, R> {
    /// The platform folder (`"x"`, `"instagram"`), also the prefix of every problem line.
    pub platform: &'a str,
    /// The test file that holds `classified` (`"tests/tests/replay_x.rs"`), named in the
    /// "not classified" problem.
    pub test_file: &'a str,
    /// Every exchange file name of the folder and what reads it.
    pub classified: &'a [(&'a str, R)],
}

impl<R: Copy + std::fmt::Debug> ReplayCheck<'_, R> {
    /// Runs `check(file, read)` on every classified exchange file of `<dir>/<platform>` and
    /// returns how many exchange files the folder holds and one line per problem, in file
    /// order: `<platform>/<name>: not classified: …`, `<platform>/<name> (<read>): <error
    /// chain>` for a failed check, then `<platform>/<name>: classified but missing from
    /// <dir>`. No problem lines means the folder passed.
    ///
    /// Errors: the folder cannot be read.
    pub async fn problems(
        &self,
        dir: &Path,
        mut check: impl AsyncFnMut(&Path, R) -> anyhow::Result<()>,
    ) -> anyhow::Result<(usize, Vec<String>)> {
        let platform = self.platform;
        let files = fixture_files(dir, platform)?;
        let mut problems = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for file in &files {
            let name = fixture_file_name(file);
            let Some(&(_, read)) = self.classified.iter().find(|(n, _)| *n == name) else {
                problems.push(format!(
                    "{platform}/{name}: not classified: add it to CLASSIFIED in {} with what reads it",
                    self.test_file
                ));
                continue;
            };
            if let Err(e) = check(file, read).await {
                problems.push(format!("{platform}/{name} ({read:?}): {e:#}"));
            }
            seen.insert(name);
        }
        for (name, _) in self.classified {
            if !seen.contains(*name) {
                problems.push(format!(
                    "{platform}/{name}: classified but missing from {}",
                    dir.display()
                ));
            }
        }
        Ok((files.len(), problems))
    }

    /// The replay test over the fixture folder `dir`: every classified exchange file is
    /// replayed alone ([`fixture_replay_check`]) and `check(exchange, endpoints, read)`
    /// compares what the client read and stored with the recording.
    ///
    /// Panics listing every problem of [`ReplayCheck::problems`], or when the folder
    /// cannot be read.
    pub async fn run_in(
        &self,
        dir: &Path,
        mut check: impl AsyncFnMut(&serde_json::Value, &Endpoints, R) -> anyhow::Result<()>,
    ) {
        let outcome = self
            .problems(dir, async |file: &Path, read: R| {
                fixture_replay_check(file, async |exchange: &serde_json::Value, endpoints: &Endpoints| {
                    check(exchange, endpoints, read).await
                })
                .await
            })
            .await;
        let (files, problems) =
            outcome.unwrap_or_else(|e| panic!("the {} fixture folder is not readable: {e:#}", self.platform));
        assert!(
            problems.is_empty(),
            "{} problem(s) with {files} recorded {} exchanges:\n{}",
            problems.len(),
            self.platform,
            problems.join("\n")
        );
    }

    /// [`ReplayCheck::run_in`] over [`fixture_dir`]; without recorded fixtures it prints
    /// `skipped: …` and checks nothing.
    pub async fn run(&self, check: impl AsyncFnMut(&serde_json::Value, &Endpoints, R) -> anyhow::Result<()>) {
        if let Some(dir) = fixture_dir_or_skip() {
            self.run_in(&dir, check).await;
        }
    }
}

/// The collection time every replay test stores its values at: 2026-11-23T14:05:09Z (UTC).
/// Snapshots land in its UTC hour bucket (14:00:00), audience cells in its UTC day.
pub fn fixture_collected_at() -> chrono::DateTime<chrono::Utc> {
    use chrono::TimeZone as _;
    chrono::Utc
        .with_ymd_and_hms(2026, 11, 23, 14, 5, 9)
        .single()
        .unwrap_or_default()
}

/// A fresh in-memory store with one `manual` run started at [`fixture_collected_at`].
#[derive(Debug, Clone)]
pub struct FixtureStore {
    /// The store (in memory, schema applied).
    pub store: alcance_store::Store,
    /// `collection_runs.id` of the run every batch is saved under.
    pub run_id: i64,
}

impl FixtureStore {
    /// Opens the store, records the consent to store audience data (the recordings hold
    /// demographic breakdowns, checked field by field; docs/PRIVACY.md) and starts the run.
    ///
    /// Errors: the store cannot be opened or the run not started.
    pub async fn open() -> anyhow::Result<FixtureStore> {
        let store = alcance_store::Store::open_in_memory().await?;
        let consent = alcance_store::privacy::ConsentText {
            version: "fixtures-v1",
            language: "en",
            text: "recorded API exchanges replayed by the tests",
        };
        store
            .grant_audience_consent(&consent, "tests", fixture_collected_at())
            .await?;
        let run_id = store.start_run("manual", fixture_collected_at()).await?;
        Ok(FixtureStore { store, run_id })
    }

    /// Registers `account` (`upsert_account`, no display name, no vault key) and saves
    /// `batch` with the archived exchanges `raw` at [`fixture_collected_at`] in one
    /// transaction (`save_batch`). Returns `accounts.id`.
    ///
    /// Errors: any store error.
    pub async fn save(
        &self,
        account: &alcance_core::AccountRef,
        batch: &alcance_core::CollectionBatch,
        raw: &[alcance_core::RawExchange],
    ) -> anyhow::Result<i64> {
        let account_id = self.store.upsert_account(account, None, None).await?;
        self.store
            .save_batch(self.run_id, account_id, fixture_collected_at(), batch, raw)
            .await?;
        Ok(account_id)
    }
}

/// `true` when both are `None`, or both are numbers equal within a relative 1e-9 (values
/// scaled from milliseconds to seconds may differ in the last binary digit).
pub fn fixture_same_value(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(x), Some(y)) => (x - y).abs() <= 1e-9 * x.abs().max(y.abs()).max(1.0),
        _ => false,
    }
}

/// Compares expected and stored values keyed by a readable label (`"post 123 likes"`) and
/// returns one line per difference: a value stored wrong (`expected …, got …`), a value
/// missing from the store, or a value stored that was not expected. Empty when they agree
/// (see [`fixture_same_value`]).
pub fn fixture_diff(
    what: &str,
    expected: &std::collections::BTreeMap<String, Option<f64>>,
    got: &std::collections::BTreeMap<String, Option<f64>>,
) -> Vec<String> {
    let mut out = Vec::new();
    for (key, want) in expected {
        match got.get(key) {
            None => out.push(format!("{what} {key}: expected {want:?}, not stored")),
            Some(have) if !fixture_same_value(*want, *have) => {
                out.push(format!("{what} {key}: expected {want:?}, got {have:?}"))
            }
            Some(_) => {}
        }
    }
    for (key, have) in got {
        if !expected.contains_key(key) {
            out.push(format!("{what} {key}: stored {have:?} but not expected"));
        }
    }
    out
}

/// Every account metric row of `store`, keyed for [`fixture_diff`] as `"<user_id> <metric>
/// <period> <period_start>..<period_end>"` (times in `DateTime<Utc>`'s display form,
/// `2026-11-23 14:00:00 UTC`), with its value.
///
/// Errors: a row not collected at [`fixture_collected_at`] (naming it), or a store error.
pub async fn fixture_stored_account_metrics(
    store: &alcance_store::Store,
) -> anyhow::Result<std::collections::BTreeMap<String, Option<f64>>> {
    let mut got = std::collections::BTreeMap::new();
    for r in store.account_metric_rows(&alcance_store::RowFilter::default()).await? {
        let key = format!(
            "{} {} {} {}..{}",
            r.user_id,
            r.metric_type,
            r.period.as_str(),
            r.period_start,
            r.period_end
        );
        anyhow::ensure!(
            r.collected_at == fixture_collected_at(),
            "account metric {key}: collected_at {}, expected {}",
            r.collected_at,
            fixture_collected_at()
        );
        got.insert(key, r.value);
    }
    Ok(got)
}

/// Checks the `raw_responses` archive of a fresh store: exactly `requests` rows (one per
/// distinct request), and each archived body is the recorded `response.body` of
/// `exchange` (compared as JSON, without a top-level `paging` object, whose URLs the store
/// scrubs), with every `access_token=` value in it replaced by `REDACTED`.
///
/// Errors: a row is missing, unreadable, or differs, naming the row.
pub async fn fixture_check_archive(
    store: &alcance_store::Store,
    requests: usize,
    exchange: &serde_json::Value,
) -> anyhow::Result<()> {
    let counts = store.table_counts().await?;
    anyhow::ensure!(
        counts.raw_responses == i64::try_from(requests)?,
        "raw_responses: expected {requests} archived exchanges, got {}",
        counts.raw_responses
    );
    let strip = |mut v: serde_json::Value| {
        if let Some(obj) = v.as_object_mut() {
            obj.remove("paging");
        }
        v
    };
    let recorded = strip(exchange.pointer("/response/body").cloned().unwrap_or_default());
    for id in 1..=counts.raw_responses {
        let body = store.raw_body(id).await?;
        let text = String::from_utf8_lossy(&body);
        for (at, _) in text.match_indices("access_token=") {
            let rest = &text[at + "access_token=".len()..];
            anyhow::ensure!(
                rest.starts_with("REDACTED"),
                "raw_responses row {id}: an access_token value was archived unredacted"
            );
        }
        let archived: serde_json::Value = serde_json::from_slice(&body)
            .map_err(|e| anyhow::anyhow!("raw_responses row {id}: the archived body is not JSON: {e}"))?;
        anyhow::ensure!(
            strip(archived) == recorded,
            "raw_responses row {id}: the archived body differs from the recorded response body"
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fixture folder `<tmp>/demo` holding the named (empty-object) JSON files.
    fn folder(names: &[&str]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("temp dir: {e}"));
        let platform = dir.path().join("demo");
        std::fs::create_dir(&platform).unwrap_or_else(|e| panic!("mkdir: {e}"));
        for name in names {
            std::fs::write(platform.join(name), b"{}").unwrap_or_else(|e| panic!("write {name}: {e}"));
        }
        dir
    }

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum Read {
        Good,
        Bad,
    }

    #[tokio::test]
    async fn every_unclassified_missing_or_failing_fixture_is_a_problem() {
        let dir = folder(&["a.json", "b.json", "c.json", "d.webhook.json"]);
        let check = ReplayCheck {
            platform: "demo",
            test_file: "tests/tests/replay_demo.rs",
            classified: &[("a.json", Read::Good), ("c.json", Read::Bad), ("gone.json", Read::Good)],
        };
        let mut calls = Vec::new();
        let (files, problems) = check
            .problems(dir.path(), async |file: &Path, read: Read| {
                calls.push((fixture_file_name(file), read));
                anyhow::ensure!(read == Read::Good, "likes: expected 3, got 4");
                Ok(())
            })
            .await
            .unwrap_or_else(|e| panic!("problems: {e:#}"));
        assert_eq!(files, 3, "webhook payloads are not exchanges");
        assert_eq!(
            calls,
            vec![("a.json".to_string(), Read::Good), ("c.json".to_string(), Read::Bad)]
        );
        assert_eq!(
            problems,
            vec![
                "demo/b.json: not classified: add it to CLASSIFIED in tests/tests/replay_demo.rs with what reads it"
                    .to_string(),
                "demo/c.json (Bad): likes: expected 3, got 4".to_string(),
                format!("demo/gone.json: classified but missing from {}", dir.path().display()),
            ]
        );
    }

    #[tokio::test]
    async fn a_folder_that_is_all_classified_and_passing_has_no_problem() {
        let dir = folder(&["a.json"]);
        let check = ReplayCheck {
            platform: "demo",
            test_file: "tests/tests/replay_demo.rs",
            classified: &[("a.json", Read::Good)],
        };
        let outcome = check.problems(dir.path(), async |_: &Path, _: Read| Ok(())).await;
        assert_eq!(outcome.ok(), Some((1, Vec::new())));
    }

    #[tokio::test]
    #[should_panic(expected = "demo/new.json: not classified")]
    async fn the_replay_test_fails_on_an_unclassified_fixture() {
        let dir = folder(&["new.json"]);
        let check: ReplayCheck<'_, Read> = ReplayCheck {
            platform: "demo",
            test_file: "tests/tests/replay_demo.rs",
            classified: &[],
        };
        check
            .run_in(dir.path(), async |_: &serde_json::Value, _: &Endpoints, _: Read| Ok(()))
            .await;
    }
}
