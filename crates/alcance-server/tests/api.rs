//! The API served on 127.0.0.1 over the demo workspace (seeded sandbox, a few days of
//! collection), on SQLite and on PostgreSQL (the same workspace copied into a test
//! database): `/api/v1/metrics` answers exactly what the store holds for the account and
//! the days asked (inclusive bounds, any letter case of the platform), bad input answers 400
//! problem+json and unknown accounts 404, every list pages by cursor with each item once,
//! the KPIs, health checks and the OpenAPI description are served, and shutdown is graceful.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers panic on setup failures

use alcance_app::collect::Progress;
use alcance_app::copy::{copy_workspace, DEFAULT_BATCH};
use alcance_app::demo::{self, DemoOptions};
use alcance_app::people::{self, Role};
use alcance_app::reports::{export_filter, ExportSelection};
use alcance_app::scheduler::{Scheduler, SchedulerConfig, SchedulerEvent, SystemClock};
use alcance_app::testing::{both_engines, empty_database, EmptyDatabase, Engine};
use alcance_app::{Apis, Session, StoreLocation, Team, TeamKeySource, VaultNeed};
use alcance_server::collection::{Collection, CollectionState};
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
use std::sync::Arc;

/// Days of collection in the demo workspace the tests serve.
const DAYS: i64 = 12;

/// The password of the test users (`<role>@example.com`).
const PASSWORD: &str = "correct horse battery";

/// The Meta app secret of the served test workspace (test-only, signs webhook deliveries).
const WEBHOOK_SECRET: &str = "test-app-secret";
/// The webhook verify token of the served test workspace (test-only).
const WEBHOOK_VERIFY: &str = "test-verify-token";

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
/// Two campaigns over the demo's data: "Shared launch" (account `influencer` as an
/// influencer, its three newest posts, a cost) and "Hidden brief" (no members). Their ids.
async fn demo_campaigns(ws: &alcance_app::Workspace, influencer: i64) -> (i64, i64) {
    use alcance_app::store::{CampaignRole, Goal, NewCampaign};
    use alcance_app::{AccountId, CampaignId};
    let campaign = |name: &str| NewCampaign {
        name: name.into(),
        starts_on: Utc::now().date_naive() - chrono::Days::new(30),
        ends_on: None,
        budget: Some(5000.0),
        currency: "BRL".into(),
        goal: Goal::Engagement,
        notes: None,
    };
    let shared = alcance_app::reports::create_campaign(ws, &campaign("Shared launch"))
        .await
        .unwrap()
        .id;
    let hidden = alcance_app::reports::create_campaign(ws, &campaign("Hidden brief"))
        .await
        .unwrap()
        .id;
    let id = CampaignId::from(shared);
    alcance_app::campaigns::set_campaign_account(ws, id, AccountId::from(influencer), CampaignRole::Influencer)
        .await
        .unwrap();
    let page = alcance_app::views::posts(
        ws,
        &alcance_app::views::ViewFilter {
            account_ids: vec![AccountId::from(influencer)],
            ..Default::default()
        },
    )
    .await
    .unwrap();
    for post in page.iter().take(3) {
        alcance_app::campaigns::add_campaign_post(ws, id, post.id)
            .await
            .unwrap();
    }
    let handle = handle_of(ws, influencer).await;
    let costs = format!("date,amount,account\n{},1200.50,{handle}\n", Utc::now().date_naive());
    let report = alcance_app::campaigns::import_costs_csv(ws, id, costs.as_bytes())
        .await
        .unwrap();
    assert_eq!(report.imported, 1, "{report:?}");
    (shared, hidden)
}

/// `@username` of account `id` (how cost and conversion CSVs name a campaign account).
async fn handle_of(ws: &alcance_app::Workspace, id: i64) -> String {
    let accounts = ws.store().list_accounts().await.unwrap();
    let account = accounts.iter().find(|a| a.id == id).unwrap();
    format!("@{}", account.account.username.as_deref().unwrap())
}

struct Served {
    base: String,
    /// The workspace folder (on PostgreSQL, the copied demo's; the served data is in the database).
    folder: PathBuf,
    /// Sends the admin's API token on every request.
    http: reqwest::Client,
    /// Sends no credentials.
    anonymous: reqwest::Client,
    /// An API token per role, of users `<role>@example.com` (password [`PASSWORD`]).
    tokens: std::collections::HashMap<Role, String>,
    /// The one account shared with `client@example.com`.
    shared_account: i64,
    /// The one campaign shared with `client@example.com` (the shared account as its
    /// influencer, with its first posts); another campaign, [`Served::hidden_campaign`], is not.
    shared_campaign: i64,
    /// A campaign the client does not see.
    hidden_campaign: i64,
    session: Option<Session>,
    /// The scheduler of a server that collects ([`Served::collecting`]).
    scheduler: Option<Scheduler>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
    _dirs: Vec<tempfile::TempDir>,
    _database: Option<EmptyDatabase>,
}

impl Served {
    /// `None` when the engine is skipped (PostgreSQL without a test server, off CI).
    async fn start(engine: Engine) -> Option<Served> {
        Served::start_with(engine, false).await
    }

    /// As [`Served::start`], the server also running a scheduler (as `alcance serve
    /// --collect`), started paused, without backups, leaving runs paused earlier alone (its
    /// collection reaches no platform: the demo's sandbox address is closed).
    async fn collecting(engine: Engine) -> Option<Served> {
        Served::start_with(engine, true).await
    }

    async fn start_with(engine: Engine, collect: bool) -> Option<Served> {
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
                    None,
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
        // One user per role, each with a token of their role; the client sees one account.
        let ws = session.workspace();
        let mut tokens = std::collections::HashMap::new();
        for role in Role::ALL {
            let email = format!("{role}@example.com");
            people::add_user(ws, None, &email, role, Some(PASSWORD)).await.unwrap();
            let (_, secret) = people::create_api_token(ws, None, &email, role, "tests").await.unwrap();
            tokens.insert(role, secret);
        }
        let accounts = ws.store().list_accounts().await.unwrap();
        // The tracked X profile: an account with posts (a tracked subreddit has none) that
        // the client may see, not the workspace's own.
        let shared_account = accounts
            .iter()
            .find(|a| a.account.platform == alcance_app::Platform::X && !a.account.owned)
            .map(|a| a.id)
            .unwrap();
        let (shared_campaign, hidden_campaign) = demo_campaigns(ws, shared_account).await;
        let shares = people::Shares {
            accounts: vec![shared_account],
            campaigns: vec![shared_campaign],
        };
        people::set_shares(ws, None, "client@example.com", &shares)
            .await
            .unwrap();
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(
            reqwest::header::AUTHORIZATION,
            format!("Bearer {}", tokens[&Role::Admin]).parse().unwrap(),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        // A built web UI, as `npm --prefix ui run build` writes it.
        let ui = tempfile::tempdir().unwrap();
        std::fs::create_dir(ui.path().join("assets")).unwrap();
        std::fs::write(
            ui.path().join("index.html"),
            "<!doctype html><script type=\"module\" src=\"./assets/app-1.js\"></script>",
        )
        .unwrap();
        std::fs::write(ui.path().join("assets/app-1.js"), "export const app = 1;").unwrap();
        let mut state = ApiState::from_session(&session)
            .with_web_ui(alcance_server::web::WebUi::load(ui.path()).unwrap())
            .with_webhooks(alcance_app::webhooks::MetaWebhookSecrets::new(WEBHOOK_SECRET, WEBHOOK_VERIFY).unwrap());
        drop(ui);
        let scheduler = collect.then(|| {
            let config = SchedulerConfig {
                backups: None,
                start_paused: true,
                resume_paused_runs: false,
                ..SchedulerConfig::default()
            };
            Scheduler::start_with(Arc::clone(session.workspace()), Arc::new(SystemClock), config)
        });
        if let Some(scheduler) = &scheduler {
            state = state.with_collection(Collection::new(scheduler.clone(), true));
        }
        let task = tokio::spawn(alcance_server::serve(listener, state, async {
            let _ = stopped.await;
        }));
        Some(Served {
            base,
            folder: folder_path,
            http: reqwest::Client::builder()
                .no_proxy()
                .default_headers(headers)
                .build()
                .unwrap(),
            anonymous: reqwest::Client::builder().no_proxy().build().unwrap(),
            tokens,
            shared_account,
            shared_campaign,
            hidden_campaign,
            session: Some(session),
            scheduler,
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
        if let Some(scheduler) = self.scheduler.take() {
            scheduler.stop().await;
        }
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
        .patch(format!("{}/api/v1/accounts/{id}", s.base))
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

/// The web UI at `/` with its own CSP (scripts from the server only, no inline script),
/// its assets cacheable, no UI file under `/api/`; the routes the UI's screens need answer
/// in the desktop's view types, a client's cut to what is shared with them.
async fn the_web_ui_and_its_routes_are_served(engine: Engine) {
    let Some(s) = Served::collecting(engine).await else {
        return;
    };
    let page = s.anonymous.get(format!("{}/", s.base)).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let header = |r: &reqwest::Response, name: &str| {
        r.headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default()
    };
    assert!(header(&page, "content-type").starts_with("text/html"));
    assert_eq!(header(&page, "content-security-policy"), alcance_server::web::UI_CSP);
    assert_eq!(header(&page, "cache-control"), "no-store");
    assert_eq!(header(&page, "x-frame-options"), "DENY");
    assert!(page.text().await.unwrap().contains("./assets/app-1.js"));
    let script = s
        .anonymous
        .get(format!("{}/assets/app-1.js", s.base))
        .send()
        .await
        .unwrap();
    assert_eq!(script.status(), 200);
    assert!(header(&script, "content-type").starts_with("text/javascript"));
    assert!(header(&script, "cache-control").contains("immutable"));
    let csp = alcance_server::web::UI_CSP;
    assert!(
        csp.contains("script-src 'self';") && !csp.contains("unsafe-eval"),
        "{csp}"
    );
    for (path, status) in [
        ("/assets/missing.js", 404),
        ("/api/v1/nothing", 404),
        ("/nothing.js", 404),
    ] {
        let r = s.anonymous.get(format!("{}{path}", s.base)).send().await.unwrap();
        assert_eq!(r.status().as_u16(), status, "{path}");
        assert_eq!(header(&r, "content-type"), "application/problem+json", "{path}");
        assert_eq!(
            header(&r, "content-security-policy"),
            alcance_server::auth::API_CSP,
            "{path}"
        );
    }
    let post = s.anonymous.post(format!("{}/", s.base)).send().await.unwrap();
    assert_eq!(post.status(), 405);

    // The dashboard in the desktop's shape; labels in the UI's language reach the charts.
    let end = Utc::now().date_naive();
    let start = end - chrono::Duration::days(DAYS);
    let labels = serde_json::json!({"follower_title": "Crescimento de seguidores", "follower_y": "Seguidores",
        "engagement_title": "Engajamento", "engagement_y": "Interações"});
    let query = format!(
        "/api/v1/dashboard?start_date={start}&end_date={end}&time_zone=America/Sao_Paulo&labels={}",
        url::form_urlencoded::byte_serialize(labels.to_string().as_bytes()).collect::<String>()
    );
    let all: Value = s.json(&query).await;
    assert_eq!(all["kpis"].as_array().unwrap().len(), 5);
    assert!(all["follower_growth_svg"]
        .as_str()
        .unwrap()
        .contains("Crescimento de seguidores"));
    assert_eq!(all["best_time_zone"], "America/Sao_Paulo");
    assert!(all["follower_points"].as_u64().unwrap() > 0);
    let (status, body) = call(&s, "get", &query, Some(Role::Client), None).await;
    assert_eq!(status, 200, "{body}");
    let client: Value = serde_json::from_str(&body).unwrap();
    let top: Vec<i64> = client["top_posts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["account_id"].as_i64().unwrap())
        .collect();
    assert!(top.iter().all(|a| *a == s.shared_account), "{top:?}");
    assert!(
        client["kpis"][0]["value"].as_f64() < all["kpis"][0]["value"].as_f64(),
        "the client's followers are one account's"
    );
    let (status, body) = call(&s, "get", "/api/v1/dashboard?labels=nope", None, None).await;
    assert_eq!(status, 401, "{body}");
    let bad = s.problem("/api/v1/dashboard?labels=nope", 400, &["labels"]).await;
    assert_eq!(bad.kind, "urn:alcance:problem:invalid-parameter");

    // What the collection does, the platforms and the export formats.
    let collection: Value = s.json("/api/v1/collection").await;
    assert_eq!(collection["collecting"], true);
    assert_eq!(collection["paused"], true, "the test scheduler starts paused");
    assert!(collection["last_run"]["id"].as_i64().is_some(), "{collection}");
    let platforms: Value = s.json("/api/v1/platforms").await;
    assert_eq!(
        platforms.as_array().unwrap().len(),
        alcance_app::Platform::ALL.len(),
        "every registered platform"
    );
    // A manager sets a cadence; a bad one is refused.
    let path = format!("/api/v1/accounts/{}/cadence", s.shared_account);
    let body = serde_json::json!({"cadence": "custom", "every_hours": 6});
    let (status, text) = call(&s, "put", &path, Some(Role::Manager), Some(&body)).await;
    assert_eq!(status, 200, "{text}");
    let account: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(account["cadence"], "custom");
    assert_eq!(account["cadence_seconds"], 21_600);
    let bad = serde_json::json!({"cadence": "custom", "every_hours": 0});
    let (status, text) = call(&s, "put", &path, Some(Role::Manager), Some(&bad)).await;
    assert_eq!(status, 400, "{text}");
    let (status, _) = call(
        &s,
        "put",
        "/api/v1/accounts/999999/cadence",
        Some(Role::Manager),
        Some(&body),
    )
    .await;
    assert_eq!(status, 404);
    // A manager disconnects, then deletes an account.
    let ws = s.session.as_ref().unwrap().workspace();
    let fresh = alcance_app::AccountRef {
        platform: alcance_app::Platform::Instagram,
        external_id: "web-ui-test".into(),
        username: Some("web_ui_test".into()),
        owned: true,
    };
    let id = ws.store().upsert_account(&fresh, None, None).await.unwrap();
    let path = format!("/api/v1/accounts/{id}/disconnect");
    let (status, text) = call(&s, "post", &path, Some(Role::Manager), None).await;
    assert_eq!(status, 200, "{text}");
    assert_eq!(serde_json::from_str::<Value>(&text).unwrap()["status"], "disconnected");
    let (status, text) = call(
        &s,
        "delete",
        &format!("/api/v1/accounts/{id}"),
        Some(Role::Manager),
        None,
    )
    .await;
    assert_eq!(status, 204, "{text}");
    s.problem(&format!("/api/v1/accounts/{id}"), 404, &[&id.to_string()])
        .await;
    let formats: Value = s.json("/api/v1/exports").await;
    let keys: Vec<&str> = formats
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["format"].as_str().unwrap())
        .collect();
    assert_eq!(keys, ["csv", "json", "xlsx"]);
    s.stop().await;
}

both_engines!(
    the_web_ui_and_its_routes_are_served,
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
        "/api/v1/posts/{id}/thumbnail",
        "/api/v1/dashboard/kpis",
        "/api/v1/runs",
        "/api/v1/runs/{id}",
        "/api/v1/runs/{id}/events",
        "/api/v1/metrics",
        "/healthz",
        "/readyz",
        "/metrics",
        "/api/v1/session",
        "/api/v1/password-reset",
        "/api/v1/password-reset/confirm",
        "/api/v1/users",
        "/api/v1/users/{id}",
        "/api/v1/users/{id}/password-reset",
        "/api/v1/users/{id}/shares",
        "/api/v1/tokens",
        "/api/v1/tokens/{id}",
        "/api/v1/audit",
        "/api/v1/sync",
        "/api/v1/runs/{id}/cancel",
        "/api/v1/collection/pause",
        "/api/v1/collection/resume",
        "/api/v1/runs/live",
        "/api/v1/exports/{format}",
        "/api/v1/dashboard",
        "/api/v1/collection",
        "/api/v1/platforms",
        "/api/v1/exports",
        "/api/v1/accounts/{id}/cadence",
        "/api/v1/accounts/{id}/disconnect",
        "/webhooks/meta",
        "/api/v1/webhook-events",
        "/api/v1/campaigns",
        "/api/v1/campaigns/{id}",
        "/api/v1/campaigns/{id}/accounts/{account_id}",
        "/api/v1/campaigns/{id}/posts/{post_id}",
        "/api/v1/campaigns/{id}/costs",
        "/api/v1/campaigns/{id}/conversions",
        "/api/v1/campaigns/{id}/report",
        "/api/v1/campaigns/{id}/archive",
        "/api/v1/campaigns/{id}/posts",
        "/api/v1/campaigns/{id}/trend",
        "/api/v1/campaigns/{id}/rule-preview",
        "/api/v1/campaigns/{id}/costs/entries",
        "/api/v1/campaigns/{id}/conversions/entries",
        "/api/v1/reports/weekly",
        "/api/v1/connect/threads",
        "/oauth/threads/callback",
        "/api/v1/compare",
        "/api/v1/comments",
        "/api/v1/comments/counts",
        "/api/v1/sentiment",
        "/api/v1/imports",
        "/api/v1/imports/preview",
        "/api/v1/report-schedules",
        "/api/v1/report-schedules/{id}",
        "/api/v1/report-schedules/{id}/send",
        "/api/v1/report-schedules/{id}/deliveries",
        "/api/v1/hashtags",
        "/api/v1/hashtags/tracked",
        "/api/v1/hashtags/tracked/{tag}",
        "/api/v1/competitors",
        "/api/v1/competitors/{id}",
        "/api/v1/competitors/cadence",
        "/api/v1/competitors/terms",
        "/api/v1/competitors/terms/{term}",
        "/api/v1/competitors/report",
        "/api/v1/competitors/chart",
    ];
    assert_eq!(
        paths.keys().map(String::as_str).collect::<BTreeSet<_>>(),
        BTreeSet::from(expected)
    );
    let schemes = &description["components"]["securitySchemes"];
    assert_eq!(schemes["session"]["type"], "apiKey");
    assert_eq!(schemes["session"]["in"], "cookie");
    assert_eq!(schemes["bearer"]["scheme"], "bearer");
    for (path, method, operation) in operations(&description) {
        assert!(
            operation["description"].as_str().is_some_and(|d| !d.is_empty())
                || operation["summary"].as_str().is_some_and(|d| !d.is_empty()),
            "{method} {path} has no description"
        );
        let responses = operation["responses"].as_object().unwrap();
        let success: Vec<&String> = responses.keys().filter(|k| k.starts_with('2')).collect();
        assert_eq!(success.len(), 1, "{method} {path}: {success:?}");
        if path != "/healthz" {
            let problems: Vec<&String> = responses.keys().filter(|k| !k.starts_with('2')).collect();
            assert!(!problems.is_empty(), "{method} {path} documents no error answer");
            // Threads' redirect lands in a browser: its answers are pages, errors included.
            let kind = if path == "/oauth/threads/callback" {
                "text/html"
            } else {
                "application/problem+json"
            };
            for status in problems {
                assert!(
                    responses[status]["content"][kind].is_object(),
                    "{method} {path} {status} is not {kind}"
                );
            }
        }
        // Every route that needs credentials says so, with its 401 and 403.
        let access = alcance_server::auth::access(&method.to_uppercase().parse().unwrap(), &path).unwrap();
        if let Some(alcance_server::auth::Access::Role(_)) = access {
            assert!(
                operation["security"].as_array().is_some_and(|s| s.len() == 2),
                "{method} {path}"
            );
            assert!(
                responses.contains_key("401") && responses.contains_key("403"),
                "{method} {path}"
            );
            assert!(
                operation["description"].as_str().unwrap().contains("Needs:"),
                "{method} {path}"
            );
        }
        for parameter in operation["parameters"].as_array().into_iter().flatten() {
            assert!(
                parameter["description"].as_str().is_some_and(|d| !d.is_empty()),
                "{method} {path}: parameter {} has no description",
                parameter["name"]
            );
        }
    }
    // Every field of every body says what it is (units, time zones, null meaning).
    for (name, schema) in description["components"]["schemas"].as_object().unwrap() {
        for (field, property) in schema["properties"].as_object().into_iter().flatten() {
            // utoipa puts the description of an optional reference (`Option<Struct>`) on
            // its `oneOf` branch.
            let described = |p: &Value| p["description"].as_str().is_some_and(|d| !d.is_empty());
            assert!(
                described(property) || property["oneOf"].as_array().is_some_and(|b| b.iter().any(described)),
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
        "created_at",
        "last_used_at",
        "revoked_at",
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

/// Every operation of the OpenAPI description: `(path, method, operation)`.
fn operations(description: &Value) -> Vec<(String, String, Value)> {
    let mut all = Vec::new();
    for (path, item) in description["paths"].as_object().unwrap() {
        for method in ["get", "post", "put", "patch", "delete"] {
            if item[method].is_object() {
                all.push((path.clone(), method.to_string(), item[method].clone()));
            }
        }
    }
    all
}

/// A request as one role (`None`: no credentials): status and body.
async fn call(s: &Served, method: &str, path: &str, role: Option<Role>, body: Option<&Value>) -> (u16, String) {
    let url = format!("{}{path}", s.base);
    let mut request = s.anonymous.request(method.to_uppercase().parse().unwrap(), url);
    if let Some(role) = role {
        request = request.bearer_auth(&s.tokens[&role]);
    }
    if let Some(body) = body {
        if path.starts_with("/webhooks/") {
            // Meta's deliveries carry no credentials but the app secret's signature.
            let bytes = serde_json::to_vec(body).unwrap();
            request = request
                .header(
                    "x-hub-signature-256",
                    alcance_app::webhooks::sign(WEBHOOK_SECRET, &bytes),
                )
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(bytes);
        } else if let Value::String(csv) = body {
            // The CSV imports take the file as the body.
            request = request
                .header(reqwest::header::CONTENT_TYPE, "text/csv")
                .body(csv.clone());
        } else {
            request = request.json(body);
        }
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let stream = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"text/event-stream"));
    if stream {
        // An endless stream: its status is the answer.
        return (status, String::new());
    }
    (status, response.text().await.unwrap())
}

/// A user made for one request of the table test (to remove, reset, re-role).
async fn fresh_user(s: &Served, role: Role) -> people::User {
    static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let ws = s.session.as_ref().unwrap().workspace();
    people::add_user(ws, None, &format!("fresh{n}@example.com"), role, None)
        .await
        .unwrap()
}

/// The concrete path and body of one route of the table, targets made as needed. A route
/// without an example fails the test: a new route cannot be left out of the table.
async fn example(s: &Served, method: &str, path: &str) -> (String, Option<Value>) {
    let account = s.shared_account;
    let ws = s.session.as_ref().unwrap().workspace();
    match (method, path) {
        ("get", "/api/v1/accounts/{id}") => (format!("/api/v1/accounts/{account}"), None),
        ("get", "/api/v1/posts/{id}/metrics") => {
            let page: PostPage = s.json(&format!("/api/v1/posts?account_id={account}&limit=1")).await;
            (format!("/api/v1/posts/{}/metrics", page.items[0].id.get()), None)
        }
        ("get", "/api/v1/posts/{id}/thumbnail") => {
            // A post of the shared account gets a kept picture as the media step keeps one:
            // its URL stored with the post, the file in the media folder, the row `kept`.
            let posts = alcance_app::views::posts(ws, &Default::default()).await.unwrap();
            let post = posts.iter().find(|p| p.account_id.get() == account).unwrap();
            let path = format!("/api/v1/posts/{}/thumbnail", post.id.get());
            alcance_app::testing::keep_picture(ws, post.id, b"\x89PNG\r\n\x1a\n-a-test-picture")
                .await
                .unwrap();
            (path, None)
        }
        ("get", "/api/v1/runs/{id}") | ("get", "/api/v1/runs/{id}/events") => {
            let page: RunPage = s.json("/api/v1/runs?limit=1").await;
            (path.replace("{id}", &page.items[0].id.get().to_string()), None)
        }
        ("get", "/api/v1/metrics") => (format!("/api/v1/metrics?user_id={account}"), None),
        ("get", "/api/v1/compare") => {
            // A client compares what is shared with them: a second account shared too.
            let other = ws
                .store()
                .list_accounts()
                .await
                .unwrap()
                .into_iter()
                .find(|a| a.id != account)
                .unwrap()
                .id;
            let shares = people::Shares {
                accounts: vec![account, other],
                campaigns: vec![s.shared_campaign],
            };
            people::set_shares(ws, None, "client@example.com", &shares)
                .await
                .unwrap();
            (format!("/api/v1/compare?accounts={account},{other}"), None)
        }
        ("post", "/api/v1/session") => (
            path.into(),
            Some(serde_json::json!({"email": "analyst@example.com", "password": PASSWORD})),
        ),
        ("post", "/api/v1/password-reset") => (path.into(), Some(serde_json::json!({"email": "nobody@example.com"}))),
        ("post", "/api/v1/password-reset/confirm") => {
            let user = fresh_user(s, Role::Client).await;
            let token = people::password_reset_token(ws, None, &user.email).await.unwrap();
            (
                path.into(),
                Some(serde_json::json!({"token": token, "password": "a new long password"})),
            )
        }
        ("post", "/api/v1/users") => {
            let user = fresh_user(s, Role::Client).await;
            people::remove_user(ws, None, &user.email).await.unwrap();
            (
                path.into(),
                Some(serde_json::json!({"email": user.email, "role": "client"})),
            )
        }
        ("patch", "/api/v1/users/{id}") => {
            let user = fresh_user(s, Role::Client).await;
            (
                format!("/api/v1/users/{}", user.id),
                Some(serde_json::json!({"role": "analyst"})),
            )
        }
        ("delete", "/api/v1/users/{id}") | ("post", "/api/v1/users/{id}/password-reset") => {
            let user = fresh_user(s, Role::Client).await;
            (path.replace("{id}", &user.id.to_string()), None)
        }
        ("put", "/api/v1/users/{id}/shares") => {
            let user = fresh_user(s, Role::Client).await;
            (
                format!("/api/v1/users/{}/shares", user.id),
                Some(serde_json::json!({"account_ids": [account], "campaign_ids": []})),
            )
        }
        ("post", "/api/v1/tokens") => (
            path.into(),
            Some(serde_json::json!({"email": "manager@example.com", "role": "analyst", "name": "BI"})),
        ),
        ("delete", "/api/v1/tokens/{id}") => {
            let (token, _) = people::create_api_token(ws, None, "analyst@example.com", Role::Analyst, "old")
                .await
                .unwrap();
            (format!("/api/v1/tokens/{}", token.id), None)
        }
        ("delete", "/api/v1/session") => (path.into(), None),
        ("get", "/webhooks/meta") => (
            format!("{path}?hub.mode=subscribe&hub.verify_token={WEBHOOK_VERIFY}&hub.challenge=7"),
            None,
        ),
        ("post", "/webhooks/meta") => (
            path.into(),
            Some(
                serde_json::json!({"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [
                    {"field": "messages", "value": {"statuses": [
                        {"id": "wamid.table", "status": "delivered", "timestamp": "1733390400", "recipient_id": "5215550001"}
                    ]}}
                ]}]}),
            ),
        ),
        ("get", "/api/v1/exports/{format}") => ("/api/v1/exports/csv".into(), None),
        ("post", "/api/v1/sync") => (path.into(), Some(serde_json::json!({"account_ids": [account]}))),
        ("post", "/api/v1/accounts/{id}/disconnect") | ("delete", "/api/v1/accounts/{id}") => {
            // A fresh account each time: disconnecting or deleting the demo's would change
            // what the other routes of the table answer.
            static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
            let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let fresh = alcance_app::AccountRef {
                platform: alcance_app::Platform::X,
                external_id: format!("table-{n}"),
                username: Some(format!("table{n}")),
                owned: true,
            };
            let id = ws.store().upsert_account(&fresh, None, None).await.unwrap();
            (path.replace("{id}", &id.to_string()), None)
        }
        ("put", "/api/v1/accounts/{id}/cadence") => (
            format!("/api/v1/accounts/{account}/cadence"),
            Some(serde_json::json!({"cadence": "weekly"})),
        ),
        ("post", "/api/v1/collection/pause") | ("post", "/api/v1/collection/resume") => (path.into(), None),
        ("get", "/api/v1/campaigns/{id}")
        | ("get", "/api/v1/campaigns/{id}/report")
        | ("get", "/api/v1/campaigns/{id}/posts")
        | ("get", "/api/v1/campaigns/{id}/trend") => (path.replace("{id}", &s.shared_campaign.to_string()), None),
        ("post", "/api/v1/campaigns") => (path.into(), Some(new_campaign_body(&fresh_name()))),
        ("put", "/api/v1/campaigns/{id}") => (
            path.replace("{id}", &s.hidden_campaign.to_string()),
            Some(new_campaign_body("Hidden brief")),
        ),
        ("put", "/api/v1/campaigns/{id}/accounts/{account_id}") => (
            format!("/api/v1/campaigns/{}/accounts/{account}", s.hidden_campaign),
            Some(serde_json::json!({"role": "brand"})),
        ),
        ("put", "/api/v1/campaigns/{id}/posts/{post_id}") => (
            format!("/api/v1/campaigns/{}/posts/{}", s.hidden_campaign, a_post(s).await),
            None,
        ),
        ("delete", "/api/v1/campaigns/{id}")
        | ("delete", "/api/v1/campaigns/{id}/accounts/{account_id}")
        | ("delete", "/api/v1/campaigns/{id}/posts/{post_id}") => {
            // A fresh campaign with the account and the post in it, to take out or delete.
            let id = alcance_app::reports::create_campaign(
                ws,
                &serde_json::from_value(new_campaign_body(&fresh_name())).unwrap(),
            )
            .await
            .unwrap()
            .id;
            let campaign = alcance_app::CampaignId::from(id);
            let post = a_post(s).await;
            alcance_app::campaigns::set_campaign_account(
                ws,
                campaign,
                alcance_app::AccountId::from(account),
                alcance_app::store::CampaignRole::Brand,
            )
            .await
            .unwrap();
            alcance_app::campaigns::add_campaign_post(ws, campaign, alcance_app::PostId::from(post))
                .await
                .unwrap();
            (
                path.replace("{id}", &id.to_string())
                    .replace("{account_id}", &account.to_string())
                    .replace("{post_id}", &post.to_string()),
                None,
            )
        }
        ("post", "/api/v1/imports") => (
            // A preview: the role check is what is tested, nothing is stored.
            format!("/api/v1/imports?account={account}&kind=generic_csv&map=day%3Ddate%3Bviews%3Dviews&dry_run=true"),
            Some(Value::String("day,views\n2026-01-02,10\n".into())),
        ),
        ("post", "/api/v1/imports/preview") => (path.into(), Some(Value::String("day,views\n2026-01-02,10\n".into()))),
        ("post", "/api/v1/campaigns/{id}/costs") => (
            path.replace("{id}", &s.hidden_campaign.to_string()),
            Some(Value::String("date,amount\n2026-01-02,10\n".into())),
        ),
        ("post", "/api/v1/campaigns/{id}/conversions") => (
            path.replace("{id}", &s.hidden_campaign.to_string()),
            Some(Value::String("date,count\n2026-01-02,3\n".into())),
        ),
        ("put", "/api/v1/campaigns/{id}/archive") | ("delete", "/api/v1/campaigns/{id}/archive") => {
            (path.replace("{id}", &s.hidden_campaign.to_string()), None)
        }
        ("post", "/api/v1/campaigns/{id}/costs/entries") => (
            path.replace("{id}", &s.hidden_campaign.to_string()),
            Some(
                serde_json::json!({"spent_on": "2026-01-02", "amount": 10.0, "currency": "USD", "note": null, "account_id": null}),
            ),
        ),
        ("post", "/api/v1/campaigns/{id}/conversions/entries") => (
            path.replace("{id}", &s.hidden_campaign.to_string()),
            Some(
                serde_json::json!({"converted_on": "2026-01-02", "count": 1, "revenue": null, "currency": "USD",
                "source": null, "utm_campaign": null, "utm_source": null, "utm_medium": null, "account_id": null}),
            ),
        ),
        ("post", "/api/v1/campaigns/{id}/rule-preview") => (
            path.replace("{id}", &s.hidden_campaign.to_string()),
            Some(serde_json::json!({"account_ids": [account], "since": null, "until": null, "term": "#launch"})),
        ),
        // The served workspace is on plain HTTP: the public HTTPS address is named.
        ("post", "/api/v1/connect/threads") => (
            path.into(),
            Some(serde_json::json!({
                "client_id": "threads-app", "client_secret": "threads-secret",
                "redirect_uri": "https://alcance.agency.example/oauth/threads/callback"
            })),
        ),
        ("post", "/api/v1/runs/{id}/cancel") => (format!("/api/v1/runs/{}/cancel", run_in_flight(s).await), None),
        ("post", "/api/v1/report-schedules") => (path.into(), Some(schedule_body())),
        ("post", "/api/v1/hashtags/tracked") => (path.into(), Some(serde_json::json!({"tag": "#Lançamento"}))),
        ("delete", "/api/v1/hashtags/tracked/{tag}") => {
            // Tracked afresh for every call, so each allowed role's call finds it.
            alcance_app::hashtags::track(ws, "#praia", Utc::now()).await.unwrap();
            (path.replace("{tag}", "%23praia"), None)
        }
        ("post", "/api/v1/competitors") => (
            path.into(),
            Some(serde_json::json!({"account_id": account, "set": "rivais"})),
        ),
        ("delete", "/api/v1/competitors/{id}") => {
            // Made a competitor afresh for every call, so each allowed role's call finds it.
            alcance_app::competitors::add(ws, alcance_app::AccountId(account), None, Utc::now())
                .await
                .unwrap();
            (path.replace("{id}", &account.to_string()), None)
        }
        ("put", "/api/v1/competitors/cadence") => (
            path.into(),
            Some(serde_json::json!({"set": "rivais", "cadence": {"kind": "custom", "seconds": 21600}})),
        ),
        ("post", "/api/v1/competitors/terms") => (path.into(), Some(serde_json::json!({"term": "#praia"}))),
        ("delete", "/api/v1/competitors/terms/{term}") => {
            alcance_app::competitors::add_voice_term(ws, "#verão", Utc::now())
                .await
                .unwrap();
            (path.replace("{term}", "%23ver%C3%A3o"), None)
        }
        ("patch", "/api/v1/report-schedules/{id}") => (
            path.replace("{id}", &a_schedule(s).await.to_string()),
            Some(serde_json::json!({"enabled": false})),
        ),
        ("delete", "/api/v1/report-schedules/{id}")
        | ("post", "/api/v1/report-schedules/{id}/send")
        | ("get", "/api/v1/report-schedules/{id}/deliveries") => {
            (path.replace("{id}", &a_schedule(s).await.to_string()), None)
        }
        (_, p) if !p.contains('{') && method == "get" => (p.into(), None),
        _ => panic!("no example for {method} {path}: add one to `example`"),
    }
}

/// The JSON body of a weekly schedule (`POST /api/v1/report-schedules`): Mondays at 09:00
/// in São Paulo, in Portuguese, PDF and XLSX to one address.
fn schedule_body() -> Value {
    serde_json::json!({
        "weekday": 0, "hour": 9, "time_zone": "America/Sao_Paulo", "language": "pt-BR",
        "recipients": ["ana@client.example"], "formats": ["pdf", "xlsx"], "sheets": false
    })
}

/// A fresh report schedule (weekly, as [`schedule_body`]), added through alcance-app.
async fn a_schedule(s: &Served) -> i64 {
    let ws = s.session.as_ref().unwrap().workspace();
    let input: alcance_app::delivery::ScheduleInput = serde_json::from_value(schedule_body()).unwrap();
    alcance_app::delivery::add_schedule(ws, &input.request().unwrap(), Utc::now())
        .await
        .unwrap()
        .row
        .id
}

/// A campaign name not used before in this process.
fn fresh_name() -> String {
    static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    format!("Table {}", N.fetch_add(1, std::sync::atomic::Ordering::Relaxed))
}

/// The JSON body of a campaign named `name` (`POST` / `PUT /api/v1/campaigns…`).
fn new_campaign_body(name: &str) -> Value {
    serde_json::json!({
        "name": name, "starts_on": "2026-01-01", "ends_on": null, "budget": 900.0,
        "currency": "usd", "goal": "awareness", "notes": "from the route table"
    })
}

/// The id of the shared account's newest post.
async fn a_post(s: &Served) -> i64 {
    let page: PostPage = s
        .json(&format!("/api/v1/posts?account_id={}&limit=1", s.shared_account))
        .await;
    page.items[0].id.get()
}

/// The id of a run in flight on a collecting server, held paused before its next account:
/// the one already there, or a sync started and paused.
async fn run_in_flight(s: &Served) -> i64 {
    let scheduler = s.scheduler.as_ref().expect("a collecting server");
    let mut events = scheduler.subscribe();
    let (status, body) = call(s, "post", "/api/v1/collection/pause", Some(Role::Manager), None).await;
    assert_eq!(status, 202, "{body}");
    let state: CollectionState = serde_json::from_str(&body).unwrap();
    if let Some(run) = state.current_run {
        return run;
    }
    scheduler.sync_now();
    let paused = async {
        loop {
            match events.recv().await.unwrap() {
                // A sync runs even while paused; pausing anew (a pause while paused does
                // nothing) holds it before its next account.
                SchedulerEvent::RunStarted { .. } => {
                    scheduler.resume();
                    scheduler.pause();
                }
                SchedulerEvent::Progress(Progress::Paused(p)) => return p.run_id,
                _ => {}
            }
        }
    };
    tokio::time::timeout(std::time::Duration::from_secs(60), paused)
        .await
        .expect("a sync starts and pauses within 60 s")
}

/// The route × role table, over every route of the OpenAPI description: without
/// credentials 401, with the role just below the one needed 403, with the one needed 2xx;
/// public routes answer 2xx to anyone.
async fn every_route_is_guarded_by_the_role_table(engine: Engine) {
    let Some(s) = Served::collecting(engine).await else {
        return;
    };
    let description: Value = serde_json::from_str(&alcance_server::openapi_json()).unwrap();
    let mut checked = 0;
    for (path, method, _) in operations(&description) {
        let access = alcance_server::auth::access(&method.to_uppercase().parse().unwrap(), &path)
            .unwrap_or_else(|()| panic!("{method} {path} is not in auth::ROUTES"))
            .unwrap_or_else(|| panic!("{method} {path} is in auth::ROUTES with other methods only"));
        let (concrete, body) = example(&s, &method, &path).await;
        match access {
            alcance_server::auth::Access::Public if path == "/oauth/threads/callback" => {
                // Reached without credentials; without a prepared sign-in its page says the
                // state is unknown (the whole sign-in: tests/threads.rs).
                let (status, text) = call(&s, &method, &concrete, None, body.as_ref()).await;
                assert!(
                    status == 400 && text.contains("expired"),
                    "{method} {concrete}: {status} {text}"
                );
            }
            alcance_server::auth::Access::Public => {
                let (status, text) = call(&s, &method, &concrete, None, body.as_ref()).await;
                assert!(
                    (200..300).contains(&status),
                    "{method} {concrete} anonymous: {status} {text}"
                );
            }
            alcance_server::auth::Access::Role(needed) => {
                let (status, text) = call(&s, &method, &concrete, None, body.as_ref()).await;
                assert_eq!(status, 401, "{method} {concrete} without credentials: {text}");
                if let Some(below) = Role::ALL.into_iter().filter(|r| *r < needed).max() {
                    let (status, text) = call(&s, &method, &concrete, Some(below), body.as_ref()).await;
                    assert_eq!(status, 403, "{method} {concrete} as {below}: {text}");
                }
                // A fresh target for the request that must pass (the 403 left it alone).
                let (concrete, body) = example(&s, &method, &path).await;
                let (status, text) = call(&s, &method, &concrete, Some(needed), body.as_ref()).await;
                assert!(
                    (200..300).contains(&status),
                    "{method} {concrete} as {needed}: {status} {text}"
                );
            }
        }
        checked += 1;
    }
    assert_eq!(
        checked,
        alcance_server::auth::ROUTES.len() - 2,
        "every route but the docs pair"
    );
    s.stop().await;
}

/// A client sees the accounts shared with them and no other: not by id (404, as for an
/// account that does not exist), not in lists, not in the metrics of another account.
async fn a_client_sees_only_what_is_shared(engine: Engine) {
    let Some(s) = Served::start(engine).await else { return };
    let client = Some(Role::Client);
    let all = s.accounts(100).await;
    assert!(all.len() > 1, "the demo has several accounts");
    let other = all.iter().find(|a| a.id.get() != s.shared_account).unwrap().id.get();
    let (status, body) = call(&s, "get", "/api/v1/accounts", client, None).await;
    assert_eq!(status, 200);
    let page: AccountPage = serde_json::from_str(&body).unwrap();
    let ids: Vec<i64> = page.items.iter().map(|a| a.id.get()).collect();
    assert_eq!(ids, [s.shared_account]);
    let (status, hidden) = call(&s, "get", &format!("/api/v1/accounts/{other}"), client, None).await;
    assert_eq!(status, 404);
    let (_, missing) = call(&s, "get", "/api/v1/accounts/999999", client, None).await;
    let shape = |body: &str| {
        let p: Problem = serde_json::from_str(body).unwrap();
        (
            p.status,
            p.kind,
            p.detail.replace(&other.to_string(), "N").replace("999999", "N"),
        )
    };
    assert_eq!(
        shape(&hidden),
        shape(&missing),
        "a hidden account answers as a missing one"
    );
    for path in [
        format!("/api/v1/metrics?user_id={other}"),
        format!("/api/v1/posts?account_id={other}"),
        format!("/api/v1/dashboard/kpis?account_id={other}"),
    ] {
        let (status, body) = call(&s, "get", &path, client, None).await;
        assert_eq!(status, 404, "{path}: {body}");
    }
    let (_, body) = call(&s, "get", "/api/v1/posts?limit=1000", client, None).await;
    let posts: PostPage = serde_json::from_str(&body).unwrap();
    assert!(!posts.items.is_empty());
    assert!(posts.items.iter().all(|p| p.account_id.get() == s.shared_account));
    let admin_posts: PostPage = s.json(&format!("/api/v1/posts?account_id={other}&limit=1")).await;
    let foreign_post = admin_posts.items[0].id.get();
    let (status, _) = call(
        &s,
        "get",
        &format!("/api/v1/posts/{foreign_post}/metrics"),
        client,
        None,
    )
    .await;
    assert_eq!(status, 404);
    let (status, _) = call(&s, "get", "/api/v1/runs", client, None).await;
    assert_eq!(status, 403);
    s.stop().await;
}

/// Sign-in by cookie: HttpOnly, SameSite=Strict, Secure behind TLS; a state-changing
/// request with the cookie needs the CSRF header (403 without); a bad password and an
/// unknown email answer alike; sign-out ends the session; the audit log has it all.
async fn sessions_need_csrf_and_sign_in_refusals_look_alike(engine: Engine) {
    let Some(s) = Served::start(engine).await else { return };
    let url = |p: &str| format!("{}{p}", s.base);
    let sign_in = |email: &str, password: &str, forwarded: bool| {
        let mut request = s
            .anonymous
            .post(url("/api/v1/session"))
            .json(&serde_json::json!({"email": email, "password": password}));
        if forwarded {
            request = request.header("x-forwarded-proto", "https");
        }
        request.send()
    };
    let wrong = sign_in("admin@example.com", "not the password", false).await.unwrap();
    let unknown = sign_in("nobody@example.com", "not the password", false).await.unwrap();
    assert_eq!((wrong.status().as_u16(), unknown.status().as_u16()), (401, 401));
    assert_eq!(wrong.text().await.unwrap(), unknown.text().await.unwrap());
    // No proxy is trusted here: a client's own X-Forwarded-Proto changes nothing (the
    // trusted case is in tests/serving.rs).
    let forged = sign_in("Admin@Example.com", PASSWORD, true).await.unwrap();
    assert_eq!(forged.status().as_u16(), 200);
    let cookie = forged.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(!cookie.contains("Secure"), "{cookie}");
    let response = sign_in("admin@example.com", PASSWORD, false).await.unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let cookie = response.headers()["set-cookie"].to_str().unwrap().to_string();
    for part in ["alcance_session=", "HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(cookie.contains(part), "{part} in {cookie}");
    }
    assert!(!cookie.contains("Secure"), "no TLS, no Secure: {cookie}");
    let signed: Value = response.json().await.unwrap();
    let csrf = signed["csrf_token"].as_str().unwrap().to_string();
    let pair = cookie.split(';').next().unwrap().to_string();
    let me: Value = s
        .anonymous
        .get(url("/api/v1/session"))
        .header("cookie", &pair)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        (me["user"]["email"].as_str(), me["role"].as_str()),
        (Some("admin@example.com"), Some("admin"))
    );
    assert_eq!(me["csrf_token"].as_str(), Some(csrf.as_str()));
    let invite = serde_json::json!({"email": "new@example.com", "role": "analyst"});
    let post = |csrf: Option<&str>| {
        let mut request = s
            .anonymous
            .post(url("/api/v1/users"))
            .header("cookie", &pair)
            .json(&invite);
        if let Some(csrf) = csrf {
            request = request.header("x-csrf-token", csrf);
        }
        request.send()
    };
    assert_eq!(post(None).await.unwrap().status().as_u16(), 403, "no CSRF header");
    assert_eq!(
        post(Some("forged")).await.unwrap().status().as_u16(),
        403,
        "a wrong CSRF token"
    );
    assert_eq!(post(Some(&csrf)).await.unwrap().status().as_u16(), 201);
    let out = |csrf: Option<&str>| {
        let mut request = s.anonymous.delete(url("/api/v1/session")).header("cookie", &pair);
        if let Some(csrf) = csrf {
            request = request.header("x-csrf-token", csrf);
        }
        request.send()
    };
    assert_eq!(out(None).await.unwrap().status().as_u16(), 403);
    assert_eq!(out(Some(&csrf)).await.unwrap().status().as_u16(), 204);
    let after = s
        .anonymous
        .get(url("/api/v1/session"))
        .header("cookie", &pair)
        .send()
        .await
        .unwrap();
    assert_eq!(after.status().as_u16(), 401, "signed out");
    let audit: Value = s.json("/api/v1/audit?limit=1000").await;
    let lines = audit["items"].as_array().unwrap();
    let has = |action: &str, ok: bool| lines.iter().any(|l| l["action"] == action && l["ok"] == ok);
    for (action, ok) in [
        ("sign-in", true),
        ("sign-in", false),
        ("invite", true),
        ("sign-out", true),
        ("token-use", true),
    ] {
        assert!(has(action, ok), "{action} {ok} in the audit log");
    }
    let text = serde_json::to_string(lines).unwrap();
    assert!(
        !text.contains(PASSWORD) && !text.contains(&csrf),
        "no secret in the audit log"
    );
    s.stop().await;
}

/// Five failed sign-ins for an email within the window: the sixth answers 429 with
/// Retry-After, even with the right password.
async fn failed_sign_ins_are_rate_limited(engine: Engine) {
    let Some(s) = Served::start(engine).await else { return };
    let body = |password: &str| serde_json::json!({"email": "manager@example.com", "password": password});
    for _ in 0..alcance_server::auth::LOGIN_FAILURES {
        let (status, _) = call(&s, "post", "/api/v1/session", None, Some(&body("wrong password!"))).await;
        assert_eq!(status, 401);
    }
    let response = s
        .anonymous
        .post(format!("{}/api/v1/session", s.base))
        .json(&body(PASSWORD))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 429);
    let retry: u64 = response.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!(retry > 0 && retry <= 15 * 60, "{retry}");
    assert_eq!(response.headers()["content-type"], "application/problem+json");
    s.stop().await;
}

/// API tokens: a revoked token answers 401; a token's role is its own (not its user's); a
/// one-time reset token sets the password once; the security headers are on every answer.
async fn tokens_resets_and_headers(engine: Engine) {
    let Some(s) = Served::start(engine).await else { return };
    // A manager's analyst token reads runs but may not manage people.
    let made: Value = s
        .http
        .post(format!("{}/api/v1/tokens", s.base))
        .json(&serde_json::json!({"email": "analyst@example.com", "role": "manager", "name": "too high"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(made["status"], 400, "a token above its user's role: {made}");
    let made: Value = s
        .http
        .post(format!("{}/api/v1/tokens", s.base))
        .json(&serde_json::json!({"email": "admin@example.com", "role": "analyst", "name": "BI"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let secret = made["secret"].as_str().unwrap().to_string();
    assert!(secret.starts_with("alc_"));
    let with = |secret: &str, path: &str| s.anonymous.get(format!("{}{path}", s.base)).bearer_auth(secret).send();
    assert_eq!(with(&secret, "/api/v1/runs").await.unwrap().status().as_u16(), 200);
    assert_eq!(with(&secret, "/api/v1/users").await.unwrap().status().as_u16(), 403);
    let id = made["token"]["id"].as_i64().unwrap();
    let tokens: Value = s.json("/api/v1/tokens?limit=1000").await;
    let listed = tokens["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == id)
        .unwrap()
        .clone();
    assert!(listed["last_used_at"].is_string(), "{listed}");
    assert!(
        !serde_json::to_string(&tokens).unwrap().contains(&secret),
        "secrets are never listed"
    );
    let revoked = s
        .http
        .delete(format!("{}/api/v1/tokens/{id}", s.base))
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status().as_u16(), 200);
    assert_eq!(with(&secret, "/api/v1/runs").await.unwrap().status().as_u16(), 401);
    assert_eq!(
        with("alc_made-up", "/api/v1/runs").await.unwrap().status().as_u16(),
        401
    );
    // A reset token works once.
    let users: Value = s.json("/api/v1/users").await;
    let client = users["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["email"] == "client@example.com")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let reset: Value = s
        .http
        .post(format!("{}/api/v1/users/{client}/password-reset", s.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = reset["token"].as_str().unwrap();
    let confirm = serde_json::json!({"token": token, "password": "a brand new password"});
    let (status, _) = call(&s, "post", "/api/v1/password-reset/confirm", None, Some(&confirm)).await;
    assert_eq!(status, 204);
    let (status, body) = call(&s, "post", "/api/v1/password-reset/confirm", None, Some(&confirm)).await;
    assert_eq!(status, 400, "{body}");
    let sign_in = serde_json::json!({"email": "client@example.com", "password": "a brand new password"});
    assert_eq!(call(&s, "post", "/api/v1/session", None, Some(&sign_in)).await.0, 200);
    // Security headers on a 200, a 401 and a 404; HSTS only over TLS; bodies over 1 MiB refused.
    for (path, expected) in [("/api/v1/accounts", 200), ("/api/v1/nothing", 404)] {
        let response = s.anonymous.get(format!("{}{path}", s.base)).send().await.unwrap();
        let status = response.status().as_u16();
        assert!(status == expected || status == 401, "{path}: {status}");
        let h = response.headers();
        assert_eq!(h["x-content-type-options"], "nosniff");
        assert_eq!(h["referrer-policy"], "no-referrer");
        assert_eq!(h["x-frame-options"], "DENY");
        assert!(h["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("frame-ancestors 'none'"));
        assert!(h.get("strict-transport-security").is_none());
    }
    let docs = s.anonymous.get(format!("{}/api/docs", s.base)).send().await.unwrap();
    assert!(docs.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .contains("script-src https://cdn.jsdelivr.net 'sha256-"));
    // An untrusted peer's X-Forwarded-Proto brings no HSTS (trusted proxies and the
    // server's own TLS: tests/serving.rs).
    let forged = s
        .anonymous
        .get(format!("{}/healthz", s.base))
        .header("x-forwarded-proto", "https")
        .send()
        .await
        .unwrap();
    assert!(forged.headers().get("strict-transport-security").is_none());
    let huge = "x".repeat(alcance_server::auth::BODY_LIMIT + 10);
    let big = s
        .anonymous
        .post(format!("{}/api/v1/session", s.base))
        .header("content-type", "application/json")
        .body(format!("{{\"email\": \"{huge}\", \"password\": \"x\"}}"))
        .send()
        .await
        .unwrap();
    assert_eq!(big.status().as_u16(), 413);
    s.stop().await;
}

/// A problem+json answer of `status` whose type ends with `kind`.
fn assert_problem(status: u16, body: &str, expected: u16, kind: &str) -> Problem {
    assert_eq!(status, expected, "{body}");
    let problem: Problem = serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"));
    assert_eq!(problem.kind, format!("urn:alcance:problem:{kind}"), "{problem:?}");
    problem
}

/// Collection control: without `--collect` every control route answers 409
/// `collection-off`; with it, a sync of one account runs as a manual run and finishes,
/// bad bodies and unknown accounts are refused, only the run in flight can be cancelled
/// (it then ends `cancelled`), pause and resume say the new state, and each is audited.
async fn collection_control_drives_the_scheduler(engine: Engine) {
    let Some(s) = Served::start(engine).await else { return };
    for path in [
        "/api/v1/sync",
        "/api/v1/collection/pause",
        "/api/v1/collection/resume",
        "/api/v1/runs/1/cancel",
    ] {
        let (status, body) = call(&s, "post", path, Some(Role::Manager), None).await;
        let problem = assert_problem(status, &body, 409, "collection-off");
        assert!(problem.detail.contains("--collect"), "{problem:?}");
    }
    s.stop().await;

    let Some(s) = Served::collecting(engine).await else {
        return;
    };
    let manager = Some(Role::Manager);
    let (status, body) = call(
        &s,
        "post",
        "/api/v1/sync",
        manager,
        Some(&serde_json::json!({"account_ids": [999999]})),
    )
    .await;
    assert_problem(status, &body, 404, "not-found");
    let (status, body) = call(
        &s,
        "post",
        "/api/v1/sync",
        manager,
        Some(&serde_json::json!({"account_ids": ["x"]})),
    )
    .await;
    assert_problem(status, &body, 400, "invalid-parameter");
    let (status, body) = call(
        &s,
        "post",
        "/api/v1/sync",
        manager,
        Some(&serde_json::json!({"account_ids": [0]})),
    )
    .await;
    assert_problem(status, &body, 400, "invalid-parameter");
    let (status, body) = call(&s, "post", "/api/v1/runs/999999/cancel", manager, None).await;
    assert_problem(status, &body, 404, "not-found");

    // A sync of one account: a manual run of that account, which finishes.
    let scheduler = s.scheduler.as_ref().unwrap();
    let mut events = scheduler.subscribe();
    let body = serde_json::json!({"account_ids": [s.shared_account]});
    let (status, text) = call(&s, "post", "/api/v1/sync", manager, Some(&body)).await;
    assert_eq!(status, 202, "{text}");
    let state: CollectionState = serde_json::from_str(&text).unwrap();
    assert_eq!(state.account_ids, [s.shared_account]);
    assert!(state.paused, "the test scheduler starts paused");
    let (run_id, accounts) = tokio::time::timeout(std::time::Duration::from_secs(60), async {
        let mut started = None;
        loop {
            match events.recv().await.unwrap() {
                SchedulerEvent::RunStarted { run_id, accounts, .. } => started = Some((run_id, accounts)),
                SchedulerEvent::RunFinished { run_id, .. } if started.is_some_and(|(r, _)| r == run_id) => {
                    return started.unwrap();
                }
                _ => {}
            }
        }
    })
    .await
    .expect("the sync runs and finishes within 60 s");
    assert_eq!(accounts, 1);
    let run: Run = s.json(&format!("/api/v1/runs/{}", run_id.get())).await;
    assert_eq!(run.kind, alcance_app::RunKind::Manual);
    // A finished run cannot be cancelled.
    let (status, body) = call(
        &s,
        "post",
        &format!("/api/v1/runs/{}/cancel", run_id.get()),
        manager,
        None,
    )
    .await;
    assert_problem(status, &body, 409, "run-not-in-flight");

    // The run in flight can: it ends cancelled.
    let in_flight = run_in_flight(&s).await;
    let mut events = scheduler.subscribe();
    let (status, body) = call(&s, "post", &format!("/api/v1/runs/{in_flight}/cancel"), manager, None).await;
    assert_eq!(status, 202, "{body}");
    let status = tokio::time::timeout(std::time::Duration::from_secs(60), async {
        loop {
            if let SchedulerEvent::RunFinished { run_id, status, .. } = events.recv().await.unwrap() {
                if run_id.get() == in_flight {
                    return status;
                }
            }
        }
    })
    .await
    .expect("the cancelled run ends within 60 s");
    assert_eq!(status, alcance_app::RunStatus::Cancelled);

    // Pause and resume say the new state.
    let (status, body) = call(&s, "post", "/api/v1/collection/resume", manager, None).await;
    assert_eq!(status, 202, "{body}");
    assert!(!serde_json::from_str::<CollectionState>(&body).unwrap().paused);
    let (status, body) = call(&s, "post", "/api/v1/collection/pause", manager, None).await;
    assert_eq!(status, 202, "{body}");
    assert!(serde_json::from_str::<CollectionState>(&body).unwrap().paused);

    // Each control request is in the audit log with the caller.
    let log = people::audit_log(s.session.as_ref().unwrap().workspace(), 100)
        .await
        .unwrap();
    for action in ["sync", "run-cancel", "collection-pause", "collection-resume"] {
        assert!(
            log.iter()
                .any(|l| l.action == action && l.actor.as_deref() == Some("manager@example.com")),
            "{action} not audited: {log:?}"
        );
    }
    s.stop().await;
}

/// `GET /api/v1/runs/live` streams a sync's progress as Server-Sent Events: `run-started`,
/// `progress` after each account (done ≤ total, percent 0–100 and never going back),
/// `run-finished` at 100 %, each `data:` a JSON LiveEvent naming the run; 409 when the
/// server does not collect. Only the stream routes escape the request time limit.
async fn live_runs_stream_progress_as_server_sent_events(engine: Engine) {
    use alcance_server::collection::LiveEvent;
    assert!(alcance_server::auth::untimed("/api/v1/runs/live"));
    assert!(alcance_server::auth::untimed("/api/v1/exports/csv"));
    assert!(!alcance_server::auth::untimed("/api/v1/runs"));
    assert!(!alcance_server::auth::untimed("/api/v1/runs/1"));
    let Some(s) = Served::start(engine).await else { return };
    let (status, body) = call(&s, "get", "/api/v1/runs/live", Some(Role::Analyst), None).await;
    assert_problem(status, &body, 409, "collection-off");
    s.stop().await;

    let Some(s) = Served::collecting(engine).await else {
        return;
    };
    let mut response = s
        .anonymous
        .get(format!("{}/api/v1/runs/live", s.base))
        .bearer_auth(&s.tokens[&Role::Analyst])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(
        response.headers()[reqwest::header::CONTENT_TYPE].to_str().unwrap(),
        "text/event-stream"
    );
    let (status, body) = call(&s, "post", "/api/v1/sync", Some(Role::Manager), None).await;
    assert_eq!(status, 202, "{body}");
    let events = tokio::time::timeout(std::time::Duration::from_secs(60), async {
        let mut text = String::new();
        let mut events: Vec<(String, LiveEvent)> = Vec::new();
        while let Some(chunk) = response.chunk().await.unwrap() {
            text.push_str(std::str::from_utf8(&chunk).unwrap());
            while let Some(end) = text.find("\n\n") {
                let block: String = text.drain(..end + 2).collect();
                let name = block.lines().find_map(|l| l.strip_prefix("event: "));
                let data = block.lines().find_map(|l| l.strip_prefix("data: "));
                if let (Some(name), Some(data)) = (name, data) {
                    let event: LiveEvent = serde_json::from_str(data).unwrap_or_else(|e| panic!("{e}: {data}"));
                    events.push((name.to_string(), event));
                }
            }
            if events.iter().any(|(name, _)| name == "run-finished") {
                return events;
            }
        }
        panic!("the stream ended: {events:?}");
    })
    .await
    .expect("the sync's run finishes within 60 s");
    assert_eq!(events[0].0, "run-started", "{events:?}");
    let run_id = events[0].1.run_id;
    let total = events[0].1.accounts_total;
    assert!(total >= 4, "{events:?}");
    let mut last = 0;
    for (name, event) in &events {
        assert_eq!(*name, event.event);
        assert_eq!(event.run_id, run_id, "{events:?}");
        assert!(event.accounts_done <= event.accounts_total, "{event:?}");
        assert!(event.percent <= 100 && event.percent >= last, "{events:?}");
        last = event.percent;
    }
    assert!(
        events.iter().filter(|(name, _)| name == "progress").count() >= total,
        "{events:?}"
    );
    let finished = &events.last().unwrap().1;
    assert_eq!(finished.event, "run-finished");
    assert_eq!((finished.accounts_done, finished.percent), (total, 100), "{finished:?}");
    let run: Run = s.json(&format!("/api/v1/runs/{run_id}")).await;
    assert_eq!(run.status.to_string(), finished.status);
    drop(response);
    s.stop().await;
}

/// `GET /api/v1/exports/{format}` downloads what `alcance export` writes for the same days:
/// CSV as a zip of the two CSVs (byte for byte), JSON and XLSX as one file each, each an
/// attachment with its type and length; bad formats and dates answer 400; every download is
/// in the audit log with the caller's email.
async fn exports_download_what_the_export_writes(engine: Engine) {
    let Some(s) = Served::start(engine).await else { return };
    let session = s.session.as_ref().unwrap();
    let ws = session.workspace();
    let today = Utc::now().date_naive();
    let (start, end) = (today - chrono::Duration::days(5), today - chrono::Duration::days(2));
    let query = format!("start_date={start}&end_date={end}");
    let download = |format: &str| {
        let url = format!("{}/api/v1/exports/{format}?{query}", s.base);
        let request = s.anonymous.get(url).bearer_auth(&s.tokens[&Role::Analyst]);
        let format = format.to_string();
        async move {
            let response = request.send().await.unwrap();
            assert_eq!(response.status().as_u16(), 200, "{format}");
            let header = |name: reqwest::header::HeaderName| response.headers()[name].to_str().unwrap().to_string();
            let disposition = header(reqwest::header::CONTENT_DISPOSITION);
            let content_type = header(reqwest::header::CONTENT_TYPE);
            let length: usize = header(reqwest::header::CONTENT_LENGTH).parse().unwrap();
            let bytes = response.bytes().await.unwrap().to_vec();
            assert_eq!(bytes.len(), length, "{format}");
            (disposition, content_type, bytes)
        }
    };
    // What `alcance export` writes for the same days.
    let expected = tempfile::tempdir().unwrap();
    let selection = ExportSelection {
        since: Some(start),
        until: Some(end),
        ..ExportSelection::default()
    };
    let filter = export_filter(ws, &selection).await.unwrap();
    let written = alcance_app::reports::export(
        ws,
        alcance_app::ExportFormat::Csv,
        &filter,
        &expected.path().join("alcance-metrics.csv"),
        &|_| {},
    )
    .await
    .unwrap();
    assert!(written.account_rows > 0 && written.post_rows > 0, "{written:?}");

    let (disposition, content_type, bytes) = download("csv").await;
    assert_eq!(content_type, "application/zip");
    assert_eq!(
        disposition,
        format!("attachment; filename=\"alcance-metrics-{start}-{end}.zip\"")
    );
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    assert_eq!(zip.len(), written.files.len());
    for path in &written.files {
        let name = path.file_name().unwrap().to_str().unwrap();
        let mut inside = Vec::new();
        std::io::Read::read_to_end(&mut zip.by_name(name).unwrap(), &mut inside).unwrap();
        assert_eq!(inside, std::fs::read(path).unwrap(), "{name}");
    }

    let (disposition, content_type, bytes) = download("json").await;
    assert!(content_type.starts_with("application/json"), "{content_type}");
    assert!(disposition.starts_with("attachment; filename=") && disposition.ends_with(".json\""));
    let document: Value = serde_json::from_slice(&bytes).unwrap();
    assert!(document.is_object(), "{document}");

    let (disposition, content_type, bytes) = download("XLSX").await;
    assert_eq!(content_type, alcance_app::ExportFormat::Xlsx.mime_type());
    assert!(disposition.ends_with(".xlsx\""), "{disposition}");
    assert!(bytes.starts_with(b"PK"), "an XLSX is a zip");

    s.problem("/api/v1/exports/pdf", 400, &["pdf"]).await;
    s.problem(
        &format!("/api/v1/exports/csv?start_date={end}&end_date={start}"),
        400,
        &["before"],
    )
    .await;
    s.problem("/api/v1/exports/csv?start_date=2025-13-01", 400, &["start_date"])
        .await;

    let log = people::audit_log(ws, 100).await.unwrap();
    let downloads = log
        .iter()
        .filter(|l| l.action == "export" && l.actor.as_deref() == Some("analyst@example.com"))
        .count();
    assert_eq!(downloads, 3, "{log:?}");
    s.stop().await;
}

/// Campaigns over the API: a manager creates, changes, fills and deletes one; the report
/// answers what `alcance campaign report` computes, as JSON, XLSX and HTML (downloads
/// audited); a client lists and reads only the campaign shared with them; bad input is a
/// 400 and missing targets a 404.
async fn campaigns_are_managed_and_reported(engine: Engine) {
    let Some(s) = Served::start(engine).await else { return };
    let manager = Some(Role::Manager);
    let client = Some(Role::Client);
    let ws = s.session.as_ref().unwrap().workspace();

    // Create; the same name in other letters is taken.
    let (status, body) = call(
        &s,
        "post",
        "/api/v1/campaigns",
        manager,
        Some(&new_campaign_body("Spring drop")),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let created: Value = serde_json::from_str(&body).unwrap();
    let id = created["id"].as_i64().unwrap();
    assert_eq!(created["currency"], "USD", "the currency is stored upper case");
    assert_eq!(created["goal"], "awareness");
    let (status, body) = call(
        &s,
        "post",
        "/api/v1/campaigns",
        manager,
        Some(&new_campaign_body("SPRING DROP")),
    )
    .await;
    assert_problem(status, &body, 400, "invalid-parameter");
    let mut bad = new_campaign_body("Backwards");
    bad["ends_on"] = "2025-12-31".into();
    let (status, body) = call(&s, "post", "/api/v1/campaigns", manager, Some(&bad)).await;
    assert_problem(status, &body, 400, "invalid-parameter");
    let (status, body) = call(
        &s,
        "post",
        "/api/v1/campaigns",
        manager,
        Some(&serde_json::json!({"name": "x"})),
    )
    .await;
    assert_problem(status, &body, 400, "invalid-parameter");

    // Members, posts, costs and conversions.
    let member = format!("/api/v1/campaigns/{id}/accounts/{}", s.shared_account);
    let (status, body) = call(
        &s,
        "put",
        &member,
        manager,
        Some(&serde_json::json!({"role": "influencer"})),
    )
    .await;
    assert_eq!(status, 204, "{body}");
    let (status, body) = call(&s, "put", &member, manager, Some(&serde_json::json!({"role": "star"}))).await;
    assert_problem(status, &body, 400, "invalid-parameter");
    let (status, body) = call(
        &s,
        "put",
        &format!("/api/v1/campaigns/{id}/accounts/999999"),
        manager,
        Some(&serde_json::json!({"role": "brand"})),
    )
    .await;
    assert_problem(status, &body, 404, "not-found");
    let post = a_post(&s).await;
    let (status, body) = call(
        &s,
        "put",
        &format!("/api/v1/campaigns/{id}/posts/{post}"),
        manager,
        None,
    )
    .await;
    assert_eq!(status, 204, "{body}");
    let csv = "date,count,revenue\n2026-01-05,4,800\nnot a day,1,2\n".to_string();
    let (status, body) = call(
        &s,
        "post",
        &format!("/api/v1/campaigns/{id}/conversions"),
        manager,
        Some(&Value::String(csv)),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let import: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        (import["imported"].as_u64(), import["errors"].as_array().map(Vec::len)),
        (Some(1), Some(1)),
        "{body}"
    );
    let csv = format!(
        "date,amount,account\n2026-01-06,300,{}\n",
        handle_of(ws, s.shared_account).await
    );
    let (status, body) = call(
        &s,
        "post",
        &format!("/api/v1/campaigns/{id}/costs"),
        manager,
        Some(&Value::String(csv)),
    )
    .await;
    assert_eq!(status, 200, "{body}");

    // One cost and one conversion line entered as JSON (the web UI's forms).
    let (status, body) = call(
        &s,
        "post",
        &format!("/api/v1/campaigns/{id}/costs/entries"),
        manager,
        Some(&serde_json::json!({"spent_on": "2026-01-07", "amount": 50.5, "currency": "usd", "note": " boost ", "account_id": null})),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let cost: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        (
            cost["amount"].as_f64(),
            cost["currency"].as_str(),
            cost["note"].as_str(),
            cost["imported"].as_bool()
        ),
        (Some(50.5), Some("USD"), Some("boost"), Some(false))
    );
    let (status, body) = call(
        &s,
        "post",
        &format!("/api/v1/campaigns/{id}/costs/entries"),
        manager,
        Some(&serde_json::json!({"spent_on": "2026-01-07", "amount": -1, "currency": "USD", "note": null, "account_id": null})),
    )
    .await;
    assert_problem(status, &body, 400, "invalid-parameter");
    let (status, body) = call(
        &s,
        "post",
        &format!("/api/v1/campaigns/{id}/conversions/entries"),
        manager,
        Some(
            &serde_json::json!({"converted_on": "2026-01-08", "count": 2, "revenue": null, "currency": "USD",
            "source": null, "utm_campaign": null, "utm_source": null, "utm_medium": null, "account_id": null}),
        ),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let conversion: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        (conversion["count"].as_u64(), conversion["revenue"].is_null()),
        (Some(2), true)
    );

    // Its posts (the top first) and its trend; a rule previews posts without adding them.
    let posts: Value = s.json(&format!("/api/v1/campaigns/{id}/posts")).await;
    assert_eq!(
        posts
            .as_array()
            .map(|p| p.iter().map(|p| p["id"].as_i64()).collect::<Vec<_>>()),
        Some(vec![Some(post)])
    );
    let trend: Value = s
        .json(&format!("/api/v1/campaigns/{id}/trend?title=Tend%C3%AAncia"))
        .await;
    assert!(
        trend["svg"]
            .as_str()
            .is_some_and(|svg| svg.contains("<svg") && svg.contains("Tendência")),
        "{trend}"
    );
    assert!(trend["days"].is_array());
    let (status, body) = call(
        &s,
        "post",
        &format!("/api/v1/campaigns/{id}/rule-preview"),
        manager,
        Some(&serde_json::json!({"account_ids": [], "since": null, "until": null, "term": "  "})),
    )
    .await;
    assert_problem(status, &body, 400, "invalid-parameter");
    let (status, body) = call(
        &s,
        "post",
        &format!("/api/v1/campaigns/{id}/rule-preview"),
        manager,
        Some(&serde_json::json!({"account_ids": [], "since": "2000-01-01", "until": null, "term": "#no-such-tag-anywhere"})),
    )
    .await;
    assert_eq!((status, body.as_str()), (200, "[]"));

    // Archived and back: the row says when; the campaign keeps everything.
    let (status, body) = call(&s, "put", &format!("/api/v1/campaigns/{id}/archive"), manager, None).await;
    assert_eq!(status, 200, "{body}");
    let archived: Value = serde_json::from_str(&body).unwrap();
    assert!(archived["archived_at"].is_string(), "{body}");
    let (status, body) = call(&s, "put", &format!("/api/v1/campaigns/{id}/archive"), client, None).await;
    assert_eq!(status, 403, "{body}");
    let (status, body) = call(&s, "delete", &format!("/api/v1/campaigns/{id}/archive"), manager, None).await;
    assert_eq!(status, 200, "{body}");
    assert!(serde_json::from_str::<Value>(&body).unwrap()["archived_at"].is_null());

    let detail: Value = s.json(&format!("/api/v1/campaigns/{id}")).await;
    assert_eq!(detail["campaign"]["name"], "Spring drop");
    assert_eq!(detail["accounts"][0]["account_id"], s.shared_account);
    assert_eq!(detail["accounts"][0]["role"], "influencer");
    assert_eq!(detail["post_ids"], serde_json::json!([post]));
    assert_eq!(detail["costs"][0]["amount"], 300.0);
    assert_eq!(detail["conversions"][0]["count"], 4);

    // The report is the one the CLI writes.
    let report: Value = s.json(&format!("/api/v1/campaigns/{id}/report")).await;
    let expected = alcance_app::reports::campaign_report(ws, alcance_app::CampaignId::from(id), Utc::now())
        .await
        .unwrap();
    assert_json_close(&report["total"], &serde_json::to_value(&expected.total).unwrap());
    assert_eq!(report["total"]["kpis"]["posts"], 1);
    assert_eq!(report["total"]["kpis"]["cost"], 350.5);
    assert_eq!(report["total"]["kpis"]["revenue"], 800.0);
    let roi = report["total"]["kpis"]["roi"].as_f64().unwrap();
    assert!((roi - (800.0 / 350.5 - 1.0)).abs() < 1e-12, "ROI {roi}");
    let (status, kind, bytes) = s.get(&format!("/api/v1/campaigns/{id}/report?format=xlsx")).await;
    assert_eq!(status, 200);
    assert!(kind.contains("spreadsheetml"), "{kind}");
    assert!(bytes.starts_with("PK"), "an XLSX is a zip");
    let (status, kind, html) = s.get(&format!("/api/v1/campaigns/{id}/report?format=HTML")).await;
    assert_eq!((status, kind.starts_with("text/html")), (200, true));
    assert!(html.contains("Spring drop"));
    assert!(html.contains("Times in UTC") && !html.contains("Asia/Kolkata"));
    let (status, _, html) = s
        .get(&format!(
            "/api/v1/campaigns/{id}/report?format=html&time_zone=Asia/Kolkata"
        ))
        .await;
    assert_eq!(status, 200);
    assert!(
        html.contains("Times in Asia/Kolkata"),
        "the report's times in the asked zone"
    );
    let (status, _, json) = s
        .get(&format!("/api/v1/campaigns/{id}/report?time_zone=Asia/Kolkata"))
        .await;
    assert_eq!(status, 200);
    assert!(json.contains("\"time_zone\":\"Asia/Kolkata\""), "{json}");
    let (status, kind, pdf) = s
        .get(&format!("/api/v1/campaigns/{id}/report?format=pdf&lang=pt-BR"))
        .await;
    assert_eq!((status, kind.as_str()), (200, "application/pdf"));
    assert!(
        pdf.starts_with("%PDF-") && pdf.contains("/Lang(pt-BR)"),
        "a Portuguese PDF"
    );
    for bad in ["format=docx", "format=pdf&lang=fr", "format=pdf&time_zone=Mars/Olympus"] {
        let (status, body) = call(
            &s,
            "get",
            &format!("/api/v1/campaigns/{id}/report?{bad}"),
            manager,
            None,
        )
        .await;
        assert_problem(status, &body, 400, "invalid-parameter");
    }
    let log = people::audit_log(ws, 100).await.unwrap();
    let subject = format!("campaign {id}");
    assert_eq!(
        log.iter()
            .filter(|l| l.action == "export" && l.subject.as_deref() == Some(subject.as_str()))
            .count(),
        4,
        "{log:?}"
    );

    // A client: only the shared campaign, by list and by id; the others answer as missing.
    let (status, body) = call(&s, "get", "/api/v1/campaigns", client, None).await;
    assert_eq!(status, 200, "{body}");
    let page: Value = serde_json::from_str(&body).unwrap();
    let ids: Vec<i64> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [s.shared_campaign]);
    let (status, body) = call(
        &s,
        "get",
        &format!("/api/v1/campaigns/{}/report", s.shared_campaign),
        client,
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let shared: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(shared["total"]["kpis"]["posts"], 3);
    for path in [
        format!("/api/v1/campaigns/{id}"),
        format!("/api/v1/campaigns/{id}/report"),
        format!("/api/v1/campaigns/{}", s.hidden_campaign),
    ] {
        let (status, hidden) = call(&s, "get", &path, client, None).await;
        let (_, missing) = call(&s, "get", "/api/v1/campaigns/999999", client, None).await;
        assert_eq!(status, 404, "{path}");
        let detail = |b: &str| {
            serde_json::from_str::<Problem>(b)
                .unwrap()
                .detail
                .chars()
                .filter(|c| !c.is_ascii_digit())
                .collect::<String>()
        };
        assert_eq!(
            detail(&hidden),
            detail(&missing),
            "{path}: a hidden campaign answers as a missing one"
        );
    }

    // Every campaign once over pages of one; out and deleted.
    let mut seen = Vec::new();
    let mut cursor = String::new();
    loop {
        let page: Value = s.json(&format!("/api/v1/campaigns?limit=1&cursor={cursor}")).await;
        seen.extend(
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["id"].as_i64().unwrap()),
        );
        match page["next_cursor"].as_str() {
            Some(next) => cursor = next.to_string(),
            None => break,
        }
    }
    assert_eq!(seen, [s.shared_campaign, s.hidden_campaign, id]);
    let (status, _) = call(&s, "delete", &member, manager, None).await;
    assert_eq!(status, 204);
    let (status, body) = call(&s, "delete", &member, manager, None).await;
    assert_problem(status, &body, 404, "not-found");
    let (status, _) = call(&s, "delete", &format!("/api/v1/campaigns/{id}"), manager, None).await;
    assert_eq!(status, 204);
    let (status, body) = call(&s, "get", &format!("/api/v1/campaigns/{id}"), manager, None).await;
    assert_problem(status, &body, 404, "not-found");
    s.stop().await;
}

/// `GET /api/v1/reports/weekly`: the JSON is the report `alcance report weekly` builds; the
/// PDF and XLSX are downloads (audited); a client (who may not see every account) is
/// refused; bad days, zones, formats and languages are 400s.
async fn the_weekly_report_is_served_as_json_and_files(engine: Engine) {
    let Some(s) = Served::start(engine).await else { return };
    let ws = s.session.as_ref().unwrap().workspace();
    let week_of = (Utc::now() - chrono::Duration::days(7)).date_naive();
    let report: Value = s.json(&format!("/api/v1/reports/weekly?week_of={week_of}")).await;
    let mut request = alcance_app::reports::WeeklyRequest::last_week(Utc::now());
    request.week_of = Some(week_of);
    let expected = alcance_app::reports::weekly_report(ws, &request).await.unwrap();
    assert_eq!(report["schema_version"], 1);
    assert_eq!(
        report["week"]["start"],
        serde_json::to_value(expected.week.start).unwrap()
    );
    assert_json_close(&report["summary"], &serde_json::to_value(&expected.summary).unwrap());
    let (status, kind, pdf) = s
        .get(&format!(
            "/api/v1/reports/weekly?week_of={week_of}&format=pdf&lang=pt-BR"
        ))
        .await;
    assert_eq!((status, kind.as_str()), (200, "application/pdf"));
    assert!(pdf.starts_with("%PDF-") && pdf.contains("/Lang(pt-BR)"));
    let (status, kind, xlsx) = s.get("/api/v1/reports/weekly?format=xlsx").await;
    assert_eq!(status, 200);
    assert!(kind.contains("spreadsheetml") && xlsx.starts_with("PK"));
    let (status, body) = call(&s, "get", "/api/v1/reports/weekly", Some(Role::Client), None).await;
    assert_eq!(status, 403, "{body}");
    for bad in ["week_of=18/11/2026", "time_zone=Mars/Olympus", "format=docx", "lang=fr"] {
        let (status, body) = call(
            &s,
            "get",
            &format!("/api/v1/reports/weekly?{bad}"),
            Some(Role::Analyst),
            None,
        )
        .await;
        assert_problem(status, &body, 400, "invalid-parameter");
    }
    let log = people::audit_log(ws, 100).await.unwrap();
    let weekly = log
        .iter()
        .filter(|l| l.action == "export" && l.subject.as_deref().is_some_and(|s| s.starts_with("weekly report")))
        .count();
    assert_eq!(weekly, 2, "{log:?}");
    s.stop().await;
}

/// Issue 13 point 2: `/api/v1/compare` answers what `views::compare` computes for the same
/// accounts, window and zone, as JSON and as CSV / XLSX downloads (audited); bad
/// parameters are 400, an unknown account or one not shared with a client 404.
async fn the_comparison_is_served_as_json_and_files(engine: Engine) {
    let Some(s) = Served::start(engine).await else { return };
    let ws = s.session.as_ref().unwrap().workspace();
    let all = s.accounts(100).await;
    let (a, b) = (all[0].id.get(), all[1].id.get());
    let to = Utc::now().date_naive();
    let from = to - chrono::Duration::days(6);
    let query = format!("accounts={a},{b}&from={from}&to={to}&zone=America/Sao_Paulo");
    let served: Value = s.json(&format!("/api/v1/compare?{query}")).await;
    let request = alcance_app::views::CompareRequest {
        account_ids: vec![alcance_app::AccountId(a), alcance_app::AccountId(b)],
        since: Some(from.and_hms_opt(0, 0, 0).unwrap().and_utc()),
        until: Some((to + chrono::Duration::days(1)).and_hms_opt(0, 0, 0).unwrap().and_utc()),
        time_zone: Some("America/Sao_Paulo".into()),
    };
    let expected = alcance_app::views::compare(ws, &request, &Default::default(), Utc::now())
        .await
        .unwrap();
    assert_json_close(
        &served["comparison"],
        &serde_json::to_value(&expected.comparison).unwrap(),
    );
    assert_eq!(served["comparison"]["accounts"].as_array().map(Vec::len), Some(2));
    assert!(served["chart_svg"].as_str().unwrap().starts_with("<svg"));
    let (status, kind, csv) = s.get(&format!("/api/v1/compare?{query}&format=csv")).await;
    assert_eq!((status, kind.as_str()), (200, "text/csv"), "{csv}");
    assert_eq!(csv.lines().count(), 3, "{csv}");
    assert!(csv.starts_with("account_id,platform,account,"), "{csv}");
    let (status, kind, xlsx) = s.get(&format!("/api/v1/compare?{query}&format=xlsx")).await;
    assert_eq!(status, 200);
    assert!(kind.contains("spreadsheetml") && xlsx.starts_with("PK"));
    let seven = (1..=7).map(|i| i.to_string()).collect::<Vec<_>>().join(",");
    for bad in [
        String::new(),
        format!("accounts={a}"),
        format!("accounts={seven}"),
        format!("accounts={a},{a}"),
        format!("accounts={a},abc"),
        format!("accounts={a},{b}&from=01/11/2026"),
        format!("accounts={a},{b}&from={to}&to={from}"),
        format!("accounts={a},{b}&zone=Mars/Olympus"),
        format!("accounts={a},{b}&format=docx"),
    ] {
        let (status, body) = call(&s, "get", &format!("/api/v1/compare?{bad}"), Some(Role::Analyst), None).await;
        assert_eq!(status, 400, "{bad}: {body}");
    }
    let (status, body) = call(
        &s,
        "get",
        &format!("/api/v1/compare?accounts={a},999999"),
        Some(Role::Analyst),
        None,
    )
    .await;
    assert_problem(status, &body, 404, "not-found");
    // A client compares only what is shared with them.
    let hidden = all
        .iter()
        .map(|x| x.id.get())
        .find(|id| *id != s.shared_account)
        .unwrap();
    let (status, body) = call(
        &s,
        "get",
        &format!("/api/v1/compare?accounts={},{hidden}", s.shared_account),
        Some(Role::Client),
        None,
    )
    .await;
    assert_problem(status, &body, 404, "not-found");
    let (status, _) = call(&s, "get", &format!("/api/v1/compare?{query}"), None, None).await;
    assert_eq!(status, 401);
    let log = people::audit_log(ws, 100).await.unwrap();
    let downloads = log
        .iter()
        .filter(|l| {
            l.action == "export"
                && l.subject
                    .as_deref()
                    .is_some_and(|s| s.starts_with("account comparison"))
        })
        .count();
    assert_eq!(downloads, 2, "{log:?}");
    s.stop().await;
}

/// Issue 17 point 5: `POST /api/v1/imports` imports a platform export (the file as the body)
/// as `alcance_app::imports` does; the same file again adds nothing; `GET` lists it; a bad
/// kind or a kind that does not fit the account answers 400.
async fn imports_are_served(engine: Engine) {
    let Some(s) = Served::start(engine).await else { return };
    let account = s.shared_account;
    let tweets = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../alcance-app/tests/data/imports/tweets.js"),
    )
    .unwrap();
    let body = Value::String(tweets);
    let path = format!("/api/v1/imports?account={account}&kind=x_archive&file_name=tweets.js");
    let (status, answer) = call(&s, "post", &path, Some(Role::Manager), Some(&body)).await;
    assert_eq!(status, 200, "{answer}");
    let first: Value = serde_json::from_str(&answer).unwrap();
    assert_eq!(first["posts_created"], 3, "{answer}");
    assert_eq!(first["added"], 6, "{answer}");
    assert_eq!(first["rows_read"], 4, "{answer}");
    let (status, answer) = call(&s, "post", &path, Some(Role::Manager), Some(&body)).await;
    assert_eq!(status, 200, "{answer}");
    let again: Value = serde_json::from_str(&answer).unwrap();
    assert_eq!(again["already_imported"]["id"], first["import_id"], "{answer}");
    assert_eq!(again["added"], 0);
    let listed: Value = s.json(&format!("/api/v1/imports?account={account}")).await;
    assert_eq!(listed.as_array().map(Vec::len), Some(1), "{listed}");
    assert_eq!(listed[0]["file_name"], "tweets.js");
    assert_eq!(listed[0]["kind"], "x_archive");
    for bad in [
        format!("/api/v1/imports?account={account}&kind=tweets"),
        format!("/api/v1/imports?account={account}&kind=meta_posts"),
        "/api/v1/imports?kind=x_archive".to_string(),
    ] {
        let (status, answer) = call(&s, "post", &bad, Some(Role::Manager), Some(&body)).await;
        assert_eq!(status, 400, "{bad}: {answer}");
    }
    s.stop().await;
}

/// Issue 17 point 3: `/api/v1/comments` answers what `alcance_app::comments::list` gives
/// for the same filter, pages by cursor with each comment once, searches, refuses bad
/// input with problem+json, and shows a client only the shared account's comments;
/// `/api/v1/comments/counts` gives each post's stored count against its counter.
async fn comments_are_listed_searched_and_counted(engine: Engine) {
    let Some(s) = Served::start(engine).await else { return };
    let ws = s.session.as_ref().unwrap().workspace();
    let expected = alcance_app::comments::list(ws, &Default::default(), None, 500)
        .await
        .unwrap();
    assert!(!expected.items.is_empty(), "the demo reads comments");
    let mut ids = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            None => "/api/v1/comments?limit=50".to_string(),
            Some(c) => format!("/api/v1/comments?limit=50&cursor={c}"),
        };
        let page: Value = s.json(&path).await;
        ids.extend(
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["id"].as_i64().unwrap()),
        );
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
        assert!(ids.len() < 100_000, "paging never ends");
    }
    let all = alcance_app::comments::list(ws, &Default::default(), None, 500)
        .await
        .unwrap();
    if all.next.is_none() {
        assert_eq!(ids, all.items.iter().map(|c| c.id).collect::<Vec<_>>());
    }
    let first: Value = s.json("/api/v1/comments?limit=1").await;
    let c = &first["items"][0];
    assert_eq!(c["id"].as_i64(), Some(expected.items[0].id));
    assert!(c["created_at"].as_str().unwrap().ends_with('Z'));
    assert!(["comment", "reply", "mention", "tag"].contains(&c["kind"].as_str().unwrap()));
    // Search and filters.
    let word = expected
        .items
        .iter()
        .filter_map(|c| c.text.as_deref())
        .flat_map(alcance_app::comments::search_words)
        .find(|w| w.len() >= 4 && w.chars().all(|c| c.is_ascii_alphabetic()))
        .unwrap();
    let found: Value = s.json(&format!("/api/v1/comments?q={word}&limit=500")).await;
    let found = found["items"].as_array().unwrap();
    assert!(!found.is_empty());
    assert!(found
        .iter()
        .all(|c| c["text"].as_str().unwrap_or("").to_lowercase().contains(&word)
            || c["author_handle"].as_str().unwrap_or("").to_lowercase().contains(&word)));
    let tags: Value = s.json("/api/v1/comments?kind=TAG&platform=instagram&limit=500").await;
    assert!(tags["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["kind"] == "tag" && c["platform"] == "instagram"));
    for bad in [
        "kind=emoji",
        "q=%21%21",
        "limit=0",
        "limit=501",
        "cursor=abc",
        "include_deleted=maybe",
        "start_date=01/11/2026",
    ] {
        let (status, body) = call(&s, "get", &format!("/api/v1/comments?{bad}"), Some(Role::Analyst), None).await;
        assert_problem(status, &body, 400, "invalid-parameter");
    }
    let (status, body) = call(
        &s,
        "get",
        "/api/v1/comments?account_id=999999",
        Some(Role::Analyst),
        None,
    )
    .await;
    assert_problem(status, &body, 404, "not-found");
    // A client: the shared account's comments only.
    let (status, body) = call(&s, "get", "/api/v1/comments?limit=500", Some(Role::Client), None).await;
    assert_eq!(status, 200, "{body}");
    let client: Value = serde_json::from_str(&body).unwrap();
    assert!(client["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["account_id"].as_i64() == Some(s.shared_account)));
    // Per-post counts: the stored count and the difference with the platform's counter.
    let counts: Value = s.json("/api/v1/comments/counts?limit=500").await;
    let counts = counts.as_array().unwrap();
    assert!(!counts.is_empty());
    for c in counts {
        match c["platform_count"].as_f64() {
            Some(n) => assert_eq!(c["difference"].as_f64(), Some(n - c["stored"].as_f64().unwrap()), "{c}"),
            None => assert!(c["difference"].is_null()),
        }
    }
    s.stop().await;
}

/// Issue 17 point 4: every comment with text carries its label and score in
/// `/api/v1/comments`, `sentiment=` keeps one label, and `/api/v1/sentiment` answers what
/// `alcance_app::sentiment::summary` gives (shares are ratios 0–1 summing to 1, weeks add
/// up to the whole); a client's summary counts the shared account only; bad labels, time
/// zones and campaign ids are 400.
async fn sentiment_is_filtered_and_summarized(engine: Engine) {
    use alcance_app::comments::CommentFilter;
    use alcance_app::sentiment::{summary, SentimentLabel, DEFAULT_TIME_ZONE};
    let Some(s) = Served::start(engine).await else { return };
    let ws = s.session.as_ref().unwrap().workspace();
    let expected = summary(ws, &CommentFilter::default(), DEFAULT_TIME_ZONE).await.unwrap();
    assert!(expected.overall.total > 0, "the demo's comments are scored");
    assert!(
        expected.overall.negative > 0 && expected.overall.positive > 0,
        "{:?}",
        expected.overall
    );
    let all: Value = s.json("/api/v1/comments?limit=500").await;
    for c in all["items"].as_array().unwrap() {
        if c["text"].is_string() {
            assert!(
                ["positive", "neutral", "negative"].contains(&c["sentiment_label"].as_str().unwrap()),
                "{c}"
            );
            let score = c["sentiment_score"].as_f64().unwrap();
            assert!((-1.0..=1.0).contains(&score));
            assert_eq!(c["sentiment_model"], "lexicon-v1");
        }
    }
    let negative: Value = s.json("/api/v1/comments?sentiment=NEGATIVE&limit=500").await;
    let negative = negative["items"].as_array().unwrap();
    assert!(!negative.is_empty());
    assert!(negative.iter().all(|c| c["sentiment_label"] == "negative"));
    let listed = alcance_app::comments::list(
        ws,
        &CommentFilter {
            sentiments: vec![SentimentLabel::Negative],
            ..CommentFilter::default()
        },
        None,
        500,
    )
    .await
    .unwrap();
    assert_eq!(negative.len(), listed.items.len());

    let got: Value = s.json("/api/v1/sentiment").await;
    assert_eq!(got["overall"]["total"].as_u64(), Some(expected.overall.total));
    assert_eq!(got["overall"]["negative"].as_u64(), Some(expected.overall.negative));
    assert_eq!(got["time_zone"], "America/Sao_Paulo");
    assert_eq!(got["model"], "lexicon-v1");
    let shares: f64 = ["positive_share", "neutral_share", "negative_share"]
        .iter()
        .map(|k| got["overall"][*k].as_f64().unwrap())
        .sum();
    assert!((shares - 1.0).abs() < 1e-9);
    let weeks: u64 = got["by_week"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["share"]["total"].as_u64().unwrap())
        .sum();
    let days: u64 = got["by_day"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["share"]["total"].as_u64().unwrap())
        .sum();
    assert_eq!((weeks, days), (expected.overall.total, expected.overall.total));
    let posts: u64 = got["by_post"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["share"]["total"].as_u64().unwrap())
        .sum();
    assert!(posts <= expected.overall.total && posts > 0);
    assert_eq!(
        got["most_liked_negative"]["label"], "negative",
        "{}",
        got["most_liked_negative"]
    );
    // One post's share is that post's comments only.
    let post = got["by_post"][0]["post_external_id"].as_str().unwrap().to_string();
    let one: Value = s.json(&format!("/api/v1/sentiment?post={post}&time_zone=UTC")).await;
    assert_eq!(one["overall"], got["by_post"][0]["share"]);
    assert_eq!(one["time_zone"], "UTC");
    for bad in ["sentiment=angry"] {
        let (status, body) = call(&s, "get", &format!("/api/v1/comments?{bad}"), Some(Role::Analyst), None).await;
        assert_problem(status, &body, 400, "invalid-parameter");
    }
    for bad in [
        "time_zone=Mars%2FBase",
        "campaign_id=0",
        "campaign_id=x",
        "start_date=2026-12-31&end_date=2026-01-01",
    ] {
        let (status, body) = call(
            &s,
            "get",
            &format!("/api/v1/sentiment?{bad}"),
            Some(Role::Analyst),
            None,
        )
        .await;
        assert_eq!(status, 400, "{bad}: {body}");
    }
    // A client: the shared account's comments only.
    let (status, body) = call(&s, "get", "/api/v1/sentiment", Some(Role::Client), None).await;
    assert_eq!(status, 200, "{body}");
    let client: Value = serde_json::from_str(&body).unwrap();
    let shared = summary(
        ws,
        &CommentFilter {
            account_ids: vec![s.shared_account],
            ..CommentFilter::default()
        },
        DEFAULT_TIME_ZONE,
    )
    .await
    .unwrap();
    assert_eq!(client["overall"]["total"].as_u64(), Some(shared.overall.total));
    // Per campaign (one holding the post with the most comments): the summary of its
    // posts' comments is the campaign report's sentiment.
    let campaign = alcance_app::reports::create_campaign(
        ws,
        &alcance_app::store::NewCampaign {
            name: "Sentiment".into(),
            starts_on: Utc::now().date_naive() - chrono::Days::new(30),
            ends_on: None,
            budget: None,
            currency: "BRL".into(),
            goal: alcance_app::store::Goal::Engagement,
            notes: None,
        },
    )
    .await
    .unwrap()
    .id;
    let busiest = got["by_post"][0]["post_id"].as_i64().unwrap();
    ws.store().add_campaign_post(campaign, busiest).await.unwrap();
    let by_campaign: Value = s.json(&format!("/api/v1/sentiment?campaign_id={campaign}")).await;
    assert_eq!(by_campaign["overall"], got["by_post"][0]["share"]);
    let report = alcance_app::reports::campaign_report(ws, alcance_app::CampaignId::from(campaign), Utc::now())
        .await
        .unwrap();
    let share = report.sentiment.expect("the report reads the comments' sentiment");
    assert_eq!(
        by_campaign["overall"]["total"].as_u64(),
        Some(share.positive + share.neutral + share.negative)
    );
    assert_eq!(by_campaign["overall"]["negative"].as_u64(), Some(share.negative));
    assert!(
        share.positive + share.neutral + share.negative > 0,
        "the campaign's posts have comments"
    );
    assert!(by_campaign["overall"]["total"].as_u64() < got["overall"]["total"].as_u64());
    s.stop().await;
}

/// Issue 13 point 5: report schedules over REST. A manager adds one (201, with its next
/// send), pauses and resumes it, sends it now (no SMTP server is set: the attempt is
/// recorded with its error and retried later; a second "send now" finds the period
/// claimed), reads its deliveries and removes it; an analyst reads but may not change; a
/// client may not read; bad bodies are 400 and unknown ids 404; changes are audited.
async fn report_schedules_are_managed_over_rest(engine: Engine) {
    let Some(s) = Served::start(engine).await else { return };
    let ws = s.session.as_ref().unwrap().workspace();
    let (manager, analyst, client) = (Some(Role::Manager), Some(Role::Analyst), Some(Role::Client));
    let (status, body) = call(&s, "post", "/api/v1/report-schedules", manager, Some(&schedule_body())).await;
    assert_eq!(status, 201, "{body}");
    let added: Value = serde_json::from_str(&body).unwrap();
    let id = added["id"].as_i64().unwrap();
    assert_eq!(
        (&added["kind"], &added["cadence"], &added["language"], &added["formats"]),
        (
            &Value::from("weekly_report"),
            &Value::from("weekly"),
            &Value::from("pt-BR"),
            &serde_json::json!(["pdf", "xlsx"])
        )
    );
    assert_eq!(added["enabled"], true);
    let next: DateTime<Utc> = serde_json::from_value(added["next_send_at"].clone()).unwrap();
    assert!(
        next > Utc::now() && next <= Utc::now() + chrono::Duration::days(7),
        "{next}"
    );
    // What the app stores is what was asked.
    let stored = alcance_app::delivery::schedule_view(ws, id, Utc::now()).await.unwrap();
    assert_eq!(
        serde_json::to_value(&stored).unwrap()["recipients"],
        added["recipients"]
    );

    let (status, body) = call(&s, "get", "/api/v1/report-schedules", analyst, None).await;
    assert_eq!(status, 200, "{body}");
    let page: Value = serde_json::from_str(&body).unwrap();
    assert!(
        page["items"].as_array().unwrap().iter().any(|v| v["id"] == id),
        "{page}"
    );
    let (status, body) = call(&s, "get", "/api/v1/report-schedules", client, None).await;
    assert_problem(status, &body, 403, "forbidden");
    let (status, body) = call(&s, "post", "/api/v1/report-schedules", analyst, Some(&schedule_body())).await;
    assert_problem(status, &body, 403, "forbidden");

    // Bad bodies: no destination, an unknown zone, an address, a format, both cadences.
    for (key, bad) in [
        ("recipients", serde_json::json!([])),
        ("time_zone", serde_json::json!("Mars/Olympus")),
        ("recipients", serde_json::json!(["not an address"])),
        ("formats", serde_json::json!(["html"])),
        ("day_of_month", serde_json::json!(5)),
        ("language", serde_json::json!("fr")),
    ] {
        let mut body = schedule_body();
        body[key] = bad.clone();
        let (status, text) = call(&s, "post", "/api/v1/report-schedules", manager, Some(&body)).await;
        let problem = assert_problem(status, &text, 400, "invalid-parameter");
        assert!(!problem.detail.is_empty(), "{key}");
    }
    let mut body = schedule_body();
    body["campaign_id"] = serde_json::json!(999_999);
    let (status, text) = call(&s, "post", "/api/v1/report-schedules", manager, Some(&body)).await;
    assert_problem(status, &text, 404, "not-found");

    // Pause, then resume.
    let path = format!("/api/v1/report-schedules/{id}");
    let off = serde_json::json!({"enabled": false});
    let (status, body) = call(&s, "patch", &path, manager, Some(&off)).await;
    assert_eq!(status, 200, "{body}");
    let paused: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        (&paused["enabled"], &paused["next_send_at"]),
        (&Value::Bool(false), &Value::Null)
    );
    let (status, body) = call(&s, "patch", &path, analyst, Some(&off)).await;
    assert_problem(status, &body, 403, "forbidden");
    let (status, body) = call(&s, "patch", &path, manager, Some(&serde_json::json!({"enabled": "no"}))).await;
    assert_problem(status, &body, 400, "invalid-parameter");
    let (status, body) = call(&s, "patch", &path, manager, Some(&serde_json::json!({"enabled": true}))).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(serde_json::from_str::<Value>(&body).unwrap()["enabled"], true);

    // Send now: the workspace has no SMTP server, so the attempt fails, is recorded and
    // waits for its retry; the same period is not claimed twice.
    let (status, body) = call(&s, "post", &format!("{path}/send"), manager, None).await;
    assert_eq!(status, 200, "{body}");
    let sent: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(sent["claimed"], true);
    assert!(sent["error"].as_str().is_some_and(|e| e.contains("SMTP")), "{sent}");
    let (status, body) = call(&s, "post", &format!("{path}/send"), manager, None).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(serde_json::from_str::<Value>(&body).unwrap()["claimed"], false);
    let (status, body) = call(&s, "get", &format!("{path}/deliveries"), analyst, None).await;
    assert_eq!(status, 200, "{body}");
    let deliveries: Value = serde_json::from_str(&body).unwrap();
    let items = deliveries["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{deliveries}");
    assert_eq!(
        (&items[0]["status"], &items[0]["attempts"]),
        (&Value::from("pending"), &Value::from(1))
    );
    assert!(items[0]["next_attempt_at"].is_string() && items[0]["last_error"].is_string());
    let (_, body) = call(&s, "get", "/api/v1/report-schedules", analyst, None).await;
    let page: Value = serde_json::from_str(&body).unwrap();
    let listed = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["id"] == id)
        .unwrap()
        .clone();
    assert_eq!(listed["last_delivery"], items[0]);

    // Remove: gone, with its deliveries.
    let (status, body) = call(&s, "delete", &path, analyst, None).await;
    assert_problem(status, &body, 403, "forbidden");
    let (status, _) = call(&s, "delete", &path, manager, None).await;
    assert_eq!(status, 204);
    for (method, p) in [
        ("delete", path.clone()),
        ("get", format!("{path}/deliveries")),
        ("post", format!("{path}/send")),
    ] {
        let (status, body) = call(&s, method, &p, manager, None).await;
        assert_problem(status, &body, 404, "not-found");
    }
    let (status, body) = call(&s, "patch", "/api/v1/report-schedules/x", manager, Some(&off)).await;
    assert_problem(status, &body, 400, "invalid-parameter");

    let log = people::audit_log(ws, 200).await.unwrap();
    let subject = format!("report schedule {id}");
    let actions: Vec<&str> = log
        .iter()
        .filter(|l| l.subject.as_deref() == Some(subject.as_str()))
        .map(|l| l.action.as_str())
        .collect();
    for action in [
        "report-schedule-add",
        "report-schedule-pause",
        "report-schedule-resume",
        "report-send-now",
        "report-schedule-remove",
    ] {
        assert!(actions.contains(&action), "{action} not in {actions:?}");
    }
    s.stop().await;
}

/// Issue 17 point 2: hashtags over REST. `/api/v1/hashtags` answers what the view computes
/// from the captions (with the posts list's filters; bad ones 400, an unknown account 404);
/// a manager tracks (201, the key) and untracks (204, then 404) a hashtag, an analyst reads
/// the tracked list with the Instagram budget, a client may not; bad hashtags are 400.
async fn hashtags_are_served_over_rest(engine: Engine) {
    let Some(s) = Served::start(engine).await else { return };
    let ws = s.session.as_ref().unwrap().workspace();
    let (manager, analyst, client) = (Some(Role::Manager), Some(Role::Analyst), Some(Role::Client));
    let served: Value = s.json("/api/v1/hashtags").await;
    let expected = alcance_app::views::hashtags(ws, &Default::default()).await.unwrap();
    assert!(!expected.is_empty(), "the demo's captions carry hashtags");
    assert_json_close(&served["items"], &serde_json::to_value(&expected).unwrap());
    let account = s.shared_account;
    let one: Value = s.json(&format!("/api/v1/hashtags?account_id={account}")).await;
    let items = one["items"].as_array().unwrap();
    assert!(!items.is_empty());
    assert!(items.iter().all(|h| h["accounts"] == 1), "{one}");
    let total = |v: &Value| -> u64 {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["posts"].as_u64().unwrap())
            .sum()
    };
    assert!(total(&one) < total(&served), "one account's posts are fewer");
    for bad in ["start_date=01/11/2026", "platform=myspace", "account_id=abc"] {
        let (status, body) = call(&s, "get", &format!("/api/v1/hashtags?{bad}"), analyst, None).await;
        assert_eq!(status, 400, "{bad}: {body}");
    }
    let (status, body) = call(&s, "get", "/api/v1/hashtags?account_id=999999", analyst, None).await;
    assert_problem(status, &body, 404, "not-found");

    let tag = serde_json::json!({"tag": "#São_Paulo"});
    let (status, body) = call(&s, "post", "/api/v1/hashtags/tracked", manager, Some(&tag)).await;
    assert_eq!(status, 201, "{body}");
    let row: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        (row["tag"].as_str(), row["display"].as_str()),
        (Some("#são_paulo"), Some("#São_Paulo"))
    );
    for bad in [
        serde_json::json!({"tag": "#2026"}),
        serde_json::json!({"tag": "#a b"}),
        serde_json::json!({"nope": 1}),
    ] {
        let (status, body) = call(&s, "post", "/api/v1/hashtags/tracked", manager, Some(&bad)).await;
        assert_eq!(status, 400, "{bad}: {body}");
    }
    let (status, _) = call(&s, "post", "/api/v1/hashtags/tracked", analyst, Some(&tag)).await;
    assert_eq!(status, 403);
    let (status, body) = call(&s, "get", "/api/v1/hashtags/tracked", analyst, None).await;
    assert_eq!(status, 200, "{body}");
    let list: Value = serde_json::from_str(&body).unwrap();
    let tags: Vec<&str> = list["hashtags"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|h| h["tag"].as_str())
        .collect();
    assert!(tags.contains(&"#são_paulo"), "{list}");
    assert_eq!(list["instagram_budget"]["limit"], 30, "{list}");
    assert_eq!(list["x_bearer_set"], false);
    let (status, _) = call(&s, "get", "/api/v1/hashtags/tracked", client, None).await;
    assert_eq!(status, 403);
    let (status, body) = call(
        &s,
        "delete",
        "/api/v1/hashtags/tracked/%23s%C3%A3o_paulo",
        manager,
        None,
    )
    .await;
    assert_eq!(status, 204, "{body}");
    let (status, body) = call(&s, "delete", "/api/v1/hashtags/tracked/S%C3%A3o_Paulo", manager, None).await;
    assert_problem(status, &body, 404, "not-found");
    let all: Value = s.json("/api/v1/hashtags/tracked?untracked=true").await;
    let kept = all["hashtags"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["tag"] == "#são_paulo")
        .unwrap();
    assert_eq!(kept["enabled"], false);
    let (status, _) = call(&s, "get", "/api/v1/hashtags/tracked?untracked=maybe", analyst, None).await;
    assert_eq!(status, 400);
    s.stop().await;
}

/// Issue 17 point 1: competitors over REST — an analyst reads, a manager adds, sets the
/// cadence (its members' schedules take it), adds a term; the report is the app's view
/// (own accounts first, the competitor after), as JSON and CSV / XLSX downloads; the chart
/// is a PNG; removing answers 204 then 404; bad input answers 400.
async fn competitors_are_served_over_rest(engine: Engine) {
    let Some(s) = Served::start(engine).await else { return };
    let ws = s.session.as_ref().unwrap().workspace();
    let analyst = Some(Role::Analyst);
    let manager = Some(Role::Manager);
    let tracked = ws
        .store()
        .list_accounts()
        .await
        .unwrap()
        .into_iter()
        .find(|a| !a.account.owned)
        .expect("the demo tracks public profiles");
    let body = serde_json::json!({"account_id": tracked.id, "set": "rivais"});
    let (status, _) = call(&s, "post", "/api/v1/competitors", analyst, Some(&body)).await;
    assert_eq!(status, 403, "analysts read, managers change");
    let (status, added) = call(&s, "post", "/api/v1/competitors", manager, Some(&body)).await;
    assert_eq!(status, 201, "{added}");
    let added: Value = serde_json::from_str(&added).unwrap();
    assert_eq!(added["set"], "rivais");
    let cadence = serde_json::json!({"set": "rivais", "cadence": {"kind": "custom", "seconds": 21600}});
    let (status, set) = call(&s, "put", "/api/v1/competitors/cadence", manager, Some(&cadence)).await;
    assert_eq!(status, 200, "{set}");
    assert_eq!(ws.store().schedule(tracked.id).await.unwrap().every_seconds, 21_600);
    let (status, body) = call(
        &s,
        "post",
        "/api/v1/competitors/terms",
        manager,
        Some(&serde_json::json!({"term": "#verão"})),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let list: Value = s.json("/api/v1/competitors").await;
    assert_eq!(list["sets"][0]["members"], 1);
    assert_eq!(list["voice_terms"][0]["term"], "#verão");

    let served: Value = s.json("/api/v1/competitors/report?zone=America/Sao_Paulo").await;
    let expected = alcance_app::competitors::view(
        ws,
        &alcance_app::competitors::CompetitorsRequest {
            time_zone: Some("America/Sao_Paulo".into()),
            ..Default::default()
        },
        &Default::default(),
        Utc::now(),
    )
    .await
    .unwrap();
    let figures = served["report"]["figures"].as_array().unwrap();
    assert_eq!(figures.len(), expected.report.figures.len());
    assert_eq!(figures.last().unwrap()["account_id"], tracked.id);
    assert_eq!(figures.last().unwrap()["role"], "competitor");
    assert!(figures[..figures.len() - 1].iter().all(|f| f["role"] == "own"));
    assert_eq!(served["report"]["share_of_voice"]["term"], "#verão");
    assert!(served["chart_svg"].as_str().unwrap().contains("<svg"));
    let (status, kind, csv) = s.get("/api/v1/competitors/report?format=csv").await;
    assert_eq!((status, kind.as_str()), (200, "text/csv"), "{csv}");
    assert_eq!(csv.lines().count(), 1 + figures.len(), "{csv}");
    assert!(csv.lines().next().unwrap().ends_with(",share_of_voice_ratio"));
    let (status, kind, xlsx) = s.get("/api/v1/competitors/report?format=xlsx").await;
    assert_eq!(status, 200);
    assert!(kind.contains("spreadsheetml") && xlsx.starts_with("PK"));
    let (status, kind, _) = s.get("/api/v1/competitors/chart").await;
    assert_eq!((status, kind.as_str()), (200, "image/png"));
    for bad in ["format=docx", "zone=Mars/Olympus", "from=01/11/2026"] {
        let (status, body) = call(&s, "get", &format!("/api/v1/competitors/report?{bad}"), analyst, None).await;
        assert_eq!(status, 400, "{bad}: {body}");
    }
    let (status, body) = call(&s, "get", "/api/v1/competitors/report?set=nope", analyst, None).await;
    assert_problem(status, &body, 404, "not-found");
    let (status, _) = call(
        &s,
        "post",
        "/api/v1/competitors/terms",
        manager,
        Some(&serde_json::json!({"term": "a from:b"})),
    )
    .await;
    assert_eq!(status, 400);

    let path = format!("/api/v1/competitors/{}", tracked.id);
    let (status, _) = call(&s, "delete", &path, manager, None).await;
    assert_eq!(status, 204);
    let (status, body) = call(&s, "delete", &path, manager, None).await;
    assert_problem(status, &body, 404, "not-found");
    let (status, _) = call(&s, "delete", "/api/v1/competitors/terms/%23ver%C3%A3o", manager, None).await;
    assert_eq!(status, 204);
    assert!(ws
        .store()
        .list_accounts()
        .await
        .unwrap()
        .iter()
        .any(|a| a.id == tracked.id));
    s.stop().await;
}

both_engines!(
    competitors_are_served_over_rest,
    hashtags_are_served_over_rest,
    imports_are_served,
    comments_are_listed_searched_and_counted,
    sentiment_is_filtered_and_summarized,
    report_schedules_are_managed_over_rest,
    the_comparison_is_served_as_json_and_files,
    the_weekly_report_is_served_as_json_and_files,
    campaigns_are_managed_and_reported,
    exports_download_what_the_export_writes,
    live_runs_stream_progress_as_server_sent_events,
    collection_control_drives_the_scheduler,
    every_route_is_guarded_by_the_role_table,
    a_client_sees_only_what_is_shared,
    sessions_need_csrf_and_sign_in_refusals_look_alike,
    failed_sign_ins_are_rate_limited,
    tokens_resets_and_headers,
);

/// `a == b` as JSON, numbers within 1e-12 relative: serde_json's default float parser may
/// land one unit in the last place away from the value the server printed.
fn assert_json_close(a: &Value, b: &Value) {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            let (x, y) = (x.as_f64().unwrap_or(f64::NAN), y.as_f64().unwrap_or(f64::NAN));
            assert!((x - y).abs() <= 1e-12 * x.abs().max(y.abs()).max(1.0), "{x} != {y}");
        }
        (Value::Object(x), Value::Object(y)) => {
            assert_eq!(x.keys().collect::<Vec<_>>(), y.keys().collect::<Vec<_>>());
            for (k, v) in x {
                assert_json_close(v, &y[k]);
            }
        }
        (Value::Array(x), Value::Array(y)) => {
            assert_eq!(x.len(), y.len());
            for (v, w) in x.iter().zip(y) {
                assert_json_close(v, w);
            }
        }
        _ => assert_eq!(a, b),
    }
}
