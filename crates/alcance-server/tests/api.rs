//! The API served on 127.0.0.1 over the demo workspace (seeded sandbox, a few days of
//! collection), on SQLite and on PostgreSQL (the same workspace copied into a test
//! database): `/api/v1/metrics` answers exactly what the store holds for the account and
//! the days asked (inclusive bounds, any letter case of the platform), bad input answers 400
//! problem+json and unknown accounts 404, every list pages by cursor with each item once,
//! the KPIs, health checks and the OpenAPI description are served, and shutdown is graceful.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers panic on setup failures

use alcance_app::copy::{copy_workspace, DEFAULT_BATCH};
use alcance_app::demo::{self, DemoOptions};
use alcance_app::reports::{export_filter, ExportSelection};
use alcance_app::testing::{both_engines, empty_database, EmptyDatabase, Engine};
use alcance_app::{Apis, Session, StoreLocation, Team, TeamKeySource, VaultNeed};
use alcance_server::model::{
    Account, AccountPage, Kpis, Metrics, Post, PostMetricPage, PostMetricValue, PostPage, Run, RunEvent, RunEventPage,
    RunPage,
};
use alcance_server::{ApiState, Problem};
use chrono::{DateTime, NaiveDate, Utc};
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Days of collection in the demo workspace the tests serve.
const DAYS: i64 = 12;

/// The demo workspace, built once a day into the target's temporary folder (tests run in
/// separate processes; the first one builds it, the others reuse it; its data ends today).
async fn demo_cache() -> PathBuf {
    let root = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let cache = root.join(format!("server-demo-{DAYS}d-{}", Utc::now().date_naive()));
    if cache.join(".complete").is_file() {
        return cache;
    }
    let building = tempfile::tempdir_in(&root).unwrap();
    let out = building.path().join("ws");
    demo::run(
        DemoOptions {
            out: out.clone(),
            sandbox_url: None,
            days: DAYS,
        },
        &|_| {},
    )
    .await
    .unwrap_or_else(|e| panic!("demo: {e:#}"));
    std::fs::write(out.join(".complete"), b"").unwrap();
    // Another test may have finished first: then its copy stays and this one is dropped.
    let _ = std::fs::rename(&out, &cache);
    cache
}

/// A private copy of the demo workspace's database and vault in `dir`.
async fn demo_copy(dir: &Path) {
    let cache = demo_cache().await;
    for entry in std::fs::read_dir(&cache).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name().to_string_lossy().to_string();
        if name.starts_with("alcance.db") || name == "vault.enc" {
            std::fs::copy(entry.path(), dir.join(&name)).unwrap();
        }
    }
}

/// The API served over the demo workspace on one engine.
struct Served {
    base: String,
    /// The workspace folder (on PostgreSQL, the copied demo's; the served data is in the database).
    folder: PathBuf,
    http: reqwest::Client,
    session: Option<Session>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
    _dirs: Vec<tempfile::TempDir>,
    _database: Option<EmptyDatabase>,
}

impl Served {
    /// `None` when the engine is skipped (PostgreSQL without a test server, off CI).
    async fn start(engine: Engine) -> Option<Served> {
        let folder = tempfile::tempdir().unwrap();
        let folder_path = folder.path().to_path_buf();
        demo_copy(folder.path()).await;
        let unused = url::Url::parse("http://127.0.0.1:9/").unwrap();
        let (session, dirs, database) = match engine {
            Engine::Postgres => {
                let database = empty_database().await?;
                let copied = copy_workspace(
                    &folder.path().display().to_string(),
                    database.url(),
                    DEFAULT_BATCH,
                    |_| {},
                )
                .await
                .unwrap_or_else(|e| panic!("copying the demo into PostgreSQL: {e:#}"));
                assert!(copied.iter().all(|t| t.matches()), "{copied:?}");
                let StoreLocation::Postgres(url) = StoreLocation::parse(database.url()) else {
                    panic!("not a PostgreSQL URL")
                };
                let local = tempfile::tempdir().unwrap();
                let team = Team::new(url, local.path());
                let session = Session::team(&team, &Apis::Real, &TeamKeySource::default(), VaultNeed::Optional)
                    .await
                    .unwrap_or_else(|e| panic!("team session: {e:#}"));
                (session, vec![folder, local], Some(database))
            }
            _ => {
                let session = Session::demo_at(folder.path(), &unused)
                    .await
                    .unwrap_or_else(|e| panic!("demo session: {e:#}"));
                (session, vec![folder], None)
            }
        };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let state = ApiState::from_session(&session);
        let task = tokio::spawn(alcance_server::serve(listener, state, async {
            let _ = stopped.await;
        }));
        Some(Served {
            base,
            folder: folder_path,
            http: reqwest::Client::builder().no_proxy().build().unwrap(),
            session: Some(session),
            stop: Some(stop),
            task: Some(task),
            _dirs: dirs,
            _database: database,
        })
    }

    /// GET `path`: status, content type and body.
    async fn get(&self, path: &str) -> (u16, String, String) {
        let response = self.http.get(format!("{}{path}", self.base)).send().await.unwrap();
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        (status, content_type, response.text().await.unwrap())
    }

    /// GET `path`, which must answer 200 JSON.
    async fn json<T: DeserializeOwned>(&self, path: &str) -> T {
        let (status, content_type, body) = self.get(path).await;
        assert_eq!(status, 200, "GET {path}: {body}");
        assert!(
            content_type.starts_with("application/json"),
            "GET {path}: {content_type}"
        );
        serde_json::from_str(&body).unwrap_or_else(|e| panic!("GET {path}: {e}: {body}"))
    }

    /// GET `path`, which must answer `status` as problem+json naming each of `words`.
    async fn problem(&self, path: &str, status: u16, words: &[&str]) -> Problem {
        let (got, content_type, body) = self.get(path).await;
        assert_eq!(got, status, "GET {path}: {body}");
        assert_eq!(content_type, "application/problem+json", "GET {path}");
        let problem: Problem = serde_json::from_str(&body).unwrap_or_else(|e| panic!("GET {path}: {e}: {body}"));
        assert_eq!(problem.status, status);
        assert!(problem.kind.starts_with("urn:alcance:problem:"), "{problem:?}");
        assert!(!problem.title.is_empty());
        for word in words {
            assert!(
                problem.detail.contains(word),
                "GET {path}: {word:?} not in {:?}",
                problem.detail
            );
        }
        problem
    }

    /// Every account, one page of `limit` at a time, checking the cursors.
    async fn accounts(&self, limit: usize) -> Vec<Account> {
        let mut all = Vec::new();
        let mut path = format!("/api/v1/accounts?limit={limit}");
        loop {
            let page: AccountPage = self.json(&path).await;
            assert!(page.items.len() <= limit);
            all.extend(page.items);
            match page.next_cursor {
                Some(cursor) => path = format!("/api/v1/accounts?limit={limit}&cursor={cursor}"),
                None => return all,
            }
        }
    }

    /// Stops the server (graceful shutdown: `serve` returns) and closes the workspace.
    async fn stop(mut self) {
        let _ = self.stop.take().unwrap().send(());
        let served = tokio::time::timeout(std::time::Duration::from_secs(10), self.task.take().unwrap())
            .await
            .expect("the server stops within 10 s of the shutdown signal")
            .unwrap();
        served.unwrap();
        self.session.take().unwrap().close().await;
    }
}

/// One stored value, comparable: metric, period start, period end, collected at, value
/// (to 13 significant digits: serde_json's default parser may be one ulp off).
type Row = (String, DateTime<Utc>, DateTime<Utc>, DateTime<Utc>, Option<String>);

fn digits(value: Option<f64>) -> Option<String> {
    value.map(|v| format!("{v:.12e}"))
}

fn rows_of(metrics: &Metrics) -> Vec<Row> {
    let mut rows: Vec<Row> = metrics
        .metrics
        .iter()
        .map(|m| {
            (
                m.metric_type.clone(),
                m.period_start,
                m.period_end,
                m.collected_at,
                digits(m.value),
            )
        })
        .collect();
    rows.sort();
    rows
}

async fn metrics_answer_what_the_store_holds_for_the_days_asked(engine: Engine) {
    let Some(s) = Served::start(engine).await else { return };
    let session = s.session.as_ref().unwrap();
    let filter = export_filter(session, &ExportSelection::default()).await.unwrap();
    let stored = session.bundle(&filter).await.unwrap().account_metrics;
    let accounts = s.accounts(1000).await;
    assert!(
        accounts.len() >= 4,
        "the demo has accounts on several platforms: {accounts:?}"
    );
    let mut checked = 0;
    for account in &accounts {
        let held: Vec<_> = stored
            .iter()
            .filter(|r| r.platform == account.platform && r.user_id == account.external_id)
            .collect();
        let days: Vec<NaiveDate> = held
            .iter()
            .map(|r| r.period_start.date_naive())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        if days.len() < 3 {
            continue;
        }
        let (start, end) = (days[days.len() / 3], days[days.len() * 2 / 3]);
        assert!(start < end);
        let expected: Vec<Row> = {
            let mut rows: Vec<Row> = held
                .iter()
                .filter(|r| (start..=end).contains(&r.period_start.date_naive()))
                .map(|r| {
                    (
                        r.metric_type.clone(),
                        r.period_start,
                        r.period_end,
                        r.collected_at,
                        digits(r.value),
                    )
                })
                .collect();
            rows.sort();
            rows
        };
        // Both bounds hold values: the range is really inclusive at each end.
        assert!(expected.iter().any(|r| r.1.date_naive() == start));
        assert!(expected.iter().any(|r| r.1.date_naive() == end));

        let label = account.platform.label();
        let path = |platform: &str| {
            format!(
                "/api/v1/metrics?user_id={}&platform={platform}&start_date={start}&end_date={end}",
                account.id
            )
        };
        // Exactly the brief's shape: {"metrics": [{metric_type, value, collected_at, period_start, period_end}]}.
        let raw: Value = s.json(&path(label)).await;
        let keys: Vec<&str> = raw.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(keys, ["metrics"]);
        for item in raw["metrics"].as_array().unwrap() {
            let keys: BTreeSet<&str> = item.as_object().unwrap().keys().map(String::as_str).collect();
            assert_eq!(
                keys,
                BTreeSet::from(["metric_type", "value", "collected_at", "period_start", "period_end"])
            );
            assert!(item["collected_at"].as_str().unwrap().ends_with('Z'), "UTC: {item}");
        }
        let answer: Metrics = serde_json::from_value(raw).unwrap();
        assert_eq!(rows_of(&answer), expected, "{} from {start} to {end}", account.label);

        // The platform in any letter case, or left out: the same answer.
        let upper: Metrics = s.json(&path(&label.to_uppercase())).await;
        let lower: Metrics = s.json(&path(&label.to_lowercase())).await;
        assert_eq!(upper, answer);
        assert_eq!(lower, answer);
        let no_platform: Metrics = s
            .json(&format!(
                "/api/v1/metrics?user_id={}&start_date={start}&end_date={end}",
                account.id
            ))
            .await;
        assert_eq!(no_platform, answer);

        // One day: exactly that day's values.
        let one_day: Metrics = s
            .json(&format!(
                "/api/v1/metrics?user_id={}&start_date={end}&end_date={end}",
                account.id
            ))
            .await;
        let day_rows: Vec<Row> = expected.iter().filter(|r| r.1.date_naive() == end).cloned().collect();
        assert!(!day_rows.is_empty());
        assert_eq!(rows_of(&one_day), day_rows);

        // Paged by `limit`: every value once, `next_cursor` only while more remain.
        let mut paged = Vec::new();
        let mut next = path(label) + "&limit=7";
        loop {
            let page: Metrics = s.json(&next).await;
            assert!(page.metrics.len() <= 7);
            paged.extend(page.metrics);
            match page.next_cursor {
                Some(cursor) => next = format!("{}&limit=7&cursor={cursor}", path(label)),
                None => break,
            }
        }
        assert_eq!(
            rows_of(&Metrics {
                metrics: paged,
                next_cursor: None
            }),
            expected
        );

        // No bounds: everything the store holds for the account.
        let everything: Metrics = s.json(&format!("/api/v1/metrics?user_id={}", account.id)).await;
        assert_eq!(everything.metrics.len(), held.len());
        checked += 1;
    }
    assert!(checked >= 3, "accounts with at least three days of values: {checked}");
    s.stop().await;
}

async fn bad_input_answers_problem_json(engine: Engine) {
    let Some(s) = Served::start(engine).await else { return };
    let accounts = s.accounts(1000).await;
    let account = &accounts[0];
    let id = account.id;
    let m = |query: &str| format!("/api/v1/metrics?{query}");
    for (query, words) in [
        (
            format!("user_id={id}&start_date=2025-13-01"),
            vec!["start_date", "2025-13-01", "YYYY-MM-DD"],
        ),
        (
            format!("user_id={id}&end_date=05/06/2025"),
            vec!["end_date", "YYYY-MM-DD"],
        ),
        (
            format!("user_id={id}&start_date=2025-5-1"),
            vec!["start_date", "YYYY-MM-DD"],
        ),
        (
            format!("user_id={id}&start_date=2025-05-06&end_date=2025-05-01"),
            vec!["end_date 2025-05-01 is before start_date 2025-05-06"],
        ),
        (
            format!("user_id={id}&platform=MySpace"),
            vec!["unknown platform", "MySpace", "Instagram"],
        ),
        ("platform=instagram".to_string(), vec!["user_id is required"]),
        ("user_id=abc".to_string(), vec!["user_id", "abc"]),
        (format!("user_id={id}&limit=0"), vec!["limit"]),
        (format!("user_id={id}&cursor=bm9wZQ"), vec!["cursor"]),
    ] {
        let problem = s.problem(&m(&query), 400, &words).await;
        assert_eq!(problem.kind, "urn:alcance:problem:invalid-parameter");
    }
    let problem = s.problem(&m("user_id=999999"), 404, &["999999"]).await;
    assert_eq!(problem.kind, "urn:alcance:problem:not-found");
    let other = alcance_app::Platform::ALL
        .into_iter()
        .find(|p| *p != account.platform)
        .unwrap();
    s.problem(
        &m(&format!("user_id={id}&platform={}", other.as_str())),
        404,
        &[other.label()],
    )
    .await;
    s.problem("/api/v1/accounts/999999", 404, &["999999"]).await;
    s.problem("/api/v1/accounts/first", 400, &["first"]).await;
    s.problem("/api/v1/runs/999999", 404, &["999999"]).await;
    s.problem("/api/v1/runs/999999/events", 404, &["999999"]).await;
    s.problem("/api/v1/posts/999999/metrics", 404, &["999999"]).await;
    s.problem(
        "/api/v1/posts/1/metrics?start_date=2025-05-02&end_date=2025-05-01",
        400,
        &["before"],
    )
    .await;
    s.problem("/api/v1/posts?account_id=999999", 404, &["999999"]).await;
    s.problem("/api/v1/posts?start_date=tomorrow", 400, &["start_date"])
        .await;
    s.problem("/api/v1/dashboard/kpis?platform=orkut", 400, &["orkut"])
        .await;
    s.problem("/api/v1/accounts?limit=1001", 400, &["limit", "1000"]).await;
    s.problem("/api/v1/runs?cursor=zzz", 400, &["cursor"]).await;
    // A cursor of one list is refused by another.
    let page: AccountPage = s.json("/api/v1/accounts?limit=1").await;
    let cursor = page.next_cursor.unwrap();
    s.problem(&format!("/api/v1/runs?cursor={cursor}"), 400, &["cursor"])
        .await;
    s.problem("/api/v1/nothing-here", 404, &["/api/v1/nothing-here"]).await;
    let response = s
        .http
        .delete(format!("{}/api/v1/accounts/{id}", s.base))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 405);
    let problem: Problem = response.json().await.unwrap();
    assert_eq!(problem.kind, "urn:alcance:problem:method-not-allowed");
    s.stop().await;
}

async fn every_list_pages_by_cursor_with_each_item_once(engine: Engine) {
    let Some(s) = Served::start(engine).await else { return };
    let session = s.session.as_ref().unwrap();

    let whole = s.accounts(1000).await;
    let paged = s.accounts(2).await;
    assert_eq!(paged, whole);
    let ids: Vec<i64> = whole.iter().map(|a| a.id.get()).collect();
    let mut sorted = ids.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(ids, sorted, "accounts by id ascending, each once");
    let one: Account = s.json(&format!("/api/v1/accounts/{}", whole[1].id)).await;
    assert_eq!(one, whole[1]);

    // Posts: every stored post once, newest first, the same paged or not.
    let filter = export_filter(session, &ExportSelection::default()).await.unwrap();
    let stored_posts = session.bundle(&filter).await.unwrap().posts.len();
    let mut posts: Vec<Post> = Vec::new();
    let mut path = "/api/v1/posts?limit=5".to_string();
    let mut pages = 0;
    loop {
        let page: PostPage = s.json(&path).await;
        assert!(page.items.len() <= 5);
        posts.extend(page.items);
        pages += 1;
        match page.next_cursor {
            Some(cursor) => path = format!("/api/v1/posts?limit=5&cursor={cursor}"),
            None => break,
        }
    }
    assert!(pages > 2, "several pages of posts");
    assert_eq!(posts.len(), stored_posts);
    let unique: BTreeSet<i64> = posts.iter().map(|p| p.id.get()).collect();
    assert_eq!(unique.len(), posts.len(), "each post once");
    let whole_posts: PostPage = s.json("/api/v1/posts?limit=1000").await;
    assert_eq!(whole_posts.items, posts);
    assert!(whole_posts.next_cursor.is_none());
    assert!(
        posts.windows(2).all(|w| w[0].published_at >= w[1].published_at),
        "newest first"
    );

    // Posts of one account on one platform (any case), published in a range of days.
    let owner = &posts[posts.len() / 2];
    let day = owner.published_at.unwrap().date_naive();
    let of_account: PostPage = s
        .json(&format!(
            "/api/v1/posts?account_id={}&platform={}&start_date={day}&end_date={day}",
            owner.account_id,
            owner.platform.label().to_uppercase()
        ))
        .await;
    assert!(of_account.items.iter().any(|p| p.id == owner.id));
    // The same posts (their metrics are the latest collected by the end of that day).
    let expected: Vec<i64> = posts
        .iter()
        .filter(|p| p.account_id == owner.account_id && p.published_at.map(|t| t.date_naive()) == Some(day))
        .map(|p| p.id.get())
        .collect();
    let got: Vec<i64> = of_account.items.iter().map(|p| p.id.get()).collect();
    assert_eq!(got, expected);

    // A post's metric history: every stored snapshot of it, paged by cursor.
    let bundle = session.bundle(&filter).await.unwrap();
    let busiest = posts
        .iter()
        .max_by_key(|p| {
            bundle
                .post_metrics
                .iter()
                .filter(|m| m.platform == p.platform && m.post_id == p.post_id)
                .count()
        })
        .unwrap();
    let account = whole.iter().find(|a| a.id == busiest.account_id).unwrap();
    let mut expected: Vec<(String, DateTime<Utc>, Option<String>)> = bundle
        .post_metrics
        .iter()
        .filter(|m| m.platform == busiest.platform && m.user_id == account.external_id && m.post_id == busiest.post_id)
        .map(|m| (m.metric_type.clone(), m.collected_at, digits(m.value)))
        .collect();
    expected.sort();
    assert!(expected.len() > 6, "the post has several snapshots: {expected:?}");
    let mut history: Vec<PostMetricValue> = Vec::new();
    let mut path = format!("/api/v1/posts/{}/metrics?limit=4", busiest.id);
    loop {
        let page: PostMetricPage = s.json(&path).await;
        assert!(page.items.len() <= 4);
        history.extend(page.items);
        match page.next_cursor {
            Some(cursor) => path = format!("/api/v1/posts/{}/metrics?limit=4&cursor={cursor}", busiest.id),
            None => break,
        }
    }
    let got: Vec<(String, DateTime<Utc>, Option<String>)> = history
        .iter()
        .map(|m| (m.metric_type.clone(), m.collected_at, digits(m.value)))
        .collect();
    assert_eq!(got, expected, "by metric then time, each snapshot once");
    let last_day = expected.iter().map(|e| e.1.date_naive()).max().unwrap();
    let of_day: PostMetricPage = s
        .json(&format!(
            "/api/v1/posts/{}/metrics?start_date={last_day}&end_date={last_day}&limit=1000",
            busiest.id
        ))
        .await;
    let day_expected: Vec<_> = expected
        .iter()
        .filter(|e| e.1.date_naive() == last_day)
        .cloned()
        .collect();
    let day_got: Vec<_> = of_day
        .items
        .iter()
        .map(|m| (m.metric_type.clone(), m.collected_at, digits(m.value)))
        .collect();
    assert_eq!(day_got, day_expected);

    // Runs: newest first, each once, the same paged or not; one by id.
    let whole_runs: RunPage = s.json("/api/v1/runs?limit=1000").await;
    assert!(whole_runs.items.len() as i64 >= DAYS, "one run per demo day at least");
    let mut runs: Vec<Run> = Vec::new();
    let mut path = "/api/v1/runs?limit=4".to_string();
    loop {
        let page: RunPage = s.json(&path).await;
        runs.extend(page.items);
        match page.next_cursor {
            Some(cursor) => path = format!("/api/v1/runs?limit=4&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(runs, whole_runs.items);
    assert!(runs.windows(2).all(|w| w[0].id.get() > w[1].id.get()));
    let run: Run = s.json(&format!("/api/v1/runs/{}", runs[0].id)).await;
    assert_eq!(run, runs[0]);
    // A run's events: in order, the same paged or not.
    let events_of = runs.iter().find(|r| r.accounts_total > 0).unwrap();
    let whole_events: RunEventPage = s
        .json(&format!("/api/v1/runs/{}/events?limit=1000", events_of.id))
        .await;
    assert!(!whole_events.items.is_empty());
    let mut events: Vec<RunEvent> = Vec::new();
    let mut path = format!("/api/v1/runs/{}/events?limit=2", events_of.id);
    loop {
        let page: RunEventPage = s.json(&path).await;
        events.extend(page.items);
        match page.next_cursor {
            Some(cursor) => path = format!("/api/v1/runs/{}/events?limit=2&cursor={cursor}", events_of.id),
            None => break,
        }
    }
    assert_eq!(events, whole_events.items);
    assert!(events.windows(2).all(|w| w[0].id < w[1].id));
    s.stop().await;
}

async fn kpis_health_and_the_description_are_served(engine: Engine) {
    let Some(s) = Served::start(engine).await else { return };
    let health: Value = s.json("/healthz").await;
    assert_eq!(health, serde_json::json!({"status": "ok"}));
    let ready: Value = s.json("/readyz").await;
    assert_eq!(ready["status"], "ready");
    let engine_name = match engine {
        Engine::Postgres => "postgres",
        _ => "sqlite",
    };
    assert_eq!(ready["engine"], engine_name);
    assert_eq!(ready["applied_migration"], ready["latest_migration"]);
    assert!(ready["latest_migration"].as_i64().unwrap() > 0);

    // The KPIs over the demo's days: the five tiles in order, with the period asked.
    let end = Utc::now().date_naive();
    let start = end - chrono::Duration::days(DAYS);
    let kpis: Kpis = s
        .json(&format!("/api/v1/dashboard/kpis?start_date={start}&end_date={end}"))
        .await;
    let keys: Vec<&str> = kpis.kpis.iter().map(|k| k.key.as_str()).collect();
    assert_eq!(keys, ["followers", "interactions", "views", "engagement_rate", "posts"]);
    assert_eq!(kpis.period.since, start.and_hms_opt(0, 0, 0).unwrap().and_utc());
    assert_eq!(
        kpis.period.until,
        (end + chrono::Duration::days(1))
            .and_hms_opt(0, 0, 0)
            .unwrap()
            .and_utc()
    );
    let followers = kpis.kpis[0].value.unwrap();
    let accounts = s.accounts(1000).await;
    let sum: f64 = accounts.iter().filter_map(|a| a.followers).sum();
    assert!(
        (followers - sum).abs() < 0.5,
        "followers KPI {followers} = the accounts' latest {sum}"
    );
    assert!(kpis.kpis[4].value.unwrap() > 0.0, "posts were published in the period");
    assert_eq!(kpis.kpis[3].unit, "percent");

    // The description and its viewer.
    let described: Value = s.json("/api/v1/openapi.json").await;
    assert_eq!(
        described,
        serde_json::from_str::<Value>(&alcance_server::openapi_json()).unwrap()
    );
    assert!(described["openapi"].as_str().unwrap().starts_with("3.1"));
    let (status, content_type, page) = s.get("/api/docs").await;
    assert_eq!(status, 200);
    assert!(content_type.starts_with("text/html"), "{content_type}");
    assert!(page.contains("/api/v1/openapi.json"));
    s.stop().await;
}

/// `/readyz` answers 503 once the database's schema is behind the server (here: its newest
/// migration record removed behind the server's back), while `/healthz` still answers 200.
#[tokio::test]
async fn readyz_is_503_when_the_schema_is_behind() {
    let s = Served::start(Engine::Sqlite).await.unwrap();
    let ready: Value = s.json("/readyz").await;
    let latest = ready["latest_migration"].as_i64().unwrap();
    let database = sqlx::SqlitePool::connect(&format!("sqlite://{}", s.folder.join("alcance.db").display()))
        .await
        .unwrap();
    sqlx::query("DELETE FROM _sqlx_migrations WHERE version = ?")
        .bind(latest)
        .execute(&database)
        .await
        .unwrap();
    database.close().await;
    let problem = s.problem("/readyz", 503, &["schema", &latest.to_string()]).await;
    assert_eq!(problem.kind, "urn:alcance:problem:unavailable");
    let health: Value = s.json("/healthz").await;
    assert_eq!(health["status"], "ok");
    s.stop().await;
}

both_engines!(
    metrics_answer_what_the_store_holds_for_the_days_asked,
    bad_input_answers_problem_json,
    every_list_pages_by_cursor_with_each_item_once,
    kpis_health_and_the_description_are_served,
);

/// `docs/openapi.json` is the description the code generates. Regenerate with
/// `UPDATE_OPENAPI=1 cargo nextest run -p alcance-server openapi` and commit it.
#[test]
fn openapi_json_is_committed_and_current() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/openapi.json");
    let generated = alcance_server::openapi_json();
    if std::env::var_os("UPDATE_OPENAPI").is_some() {
        std::fs::write(&path, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "{} is stale: run `UPDATE_OPENAPI=1 cargo nextest run -p alcance-server openapi` and commit it",
        path.display()
    );
}

/// Every operation is described, with its parameters, its success answer and, apart from
/// the liveness probe, the problem answers it may give.
#[test]
fn every_route_is_documented_with_its_errors() {
    let description: Value = serde_json::from_str(&alcance_server::openapi_json()).unwrap();
    let paths = description["paths"].as_object().unwrap();
    let expected = [
        "/api/v1/accounts",
        "/api/v1/accounts/{id}",
        "/api/v1/posts",
        "/api/v1/posts/{id}/metrics",
        "/api/v1/dashboard/kpis",
        "/api/v1/runs",
        "/api/v1/runs/{id}",
        "/api/v1/runs/{id}/events",
        "/api/v1/metrics",
        "/healthz",
        "/readyz",
    ];
    assert_eq!(
        paths.keys().map(String::as_str).collect::<BTreeSet<_>>(),
        BTreeSet::from(expected)
    );
    for (path, item) in paths {
        let operation = &item["get"];
        assert!(
            operation["description"].as_str().is_some_and(|d| !d.is_empty())
                || operation["summary"].as_str().is_some_and(|d| !d.is_empty()),
            "{path} has no description"
        );
        let responses = operation["responses"].as_object().unwrap();
        assert!(responses.contains_key("200"), "{path}");
        if path != "/healthz" {
            let problems: Vec<&String> = responses.keys().filter(|k| k.as_str() != "200").collect();
            assert!(!problems.is_empty(), "{path} documents no error answer");
            for status in problems {
                assert!(
                    responses[status]["content"]["application/problem+json"].is_object(),
                    "{path} {status} is not problem+json"
                );
            }
        }
        for parameter in operation["parameters"].as_array().into_iter().flatten() {
            assert!(
                parameter["description"].as_str().is_some_and(|d| !d.is_empty()),
                "{path}: parameter {} has no description",
                parameter["name"]
            );
        }
    }
    // Every field of every body says what it is (units, time zones, null meaning).
    for (name, schema) in description["components"]["schemas"].as_object().unwrap() {
        for (field, property) in schema["properties"].as_object().into_iter().flatten() {
            assert!(
                property["description"].as_str().is_some_and(|d| !d.is_empty()),
                "{name}.{field} has no description"
            );
        }
    }
    let time_fields = [
        "collected_at",
        "period_start",
        "period_end",
        "started_at",
        "published_at",
        "at",
    ];
    for (name, schema) in description["components"]["schemas"].as_object().unwrap() {
        for field in time_fields {
            if let Some(property) = schema["properties"].get(field) {
                assert_eq!(property["format"], "date-time", "{name}.{field}");
                assert!(
                    property["description"].as_str().unwrap().contains("UTC"),
                    "{name}.{field}"
                );
            }
        }
    }
    let metrics = &paths["/api/v1/metrics"]["get"];
    let names: Vec<&str> = metrics["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    for name in ["user_id", "platform", "start_date", "end_date", "limit", "cursor"] {
        assert!(names.contains(&name), "{name} in {names:?}");
    }
}
