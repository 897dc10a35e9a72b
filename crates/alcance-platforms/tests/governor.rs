//! The rate-limit governor, driven through `Http::send` against a fake server on 127.0.0.1
//! with tokio's clock paused: X windows, `Retry-After`, Meta usage and throttling codes,
//! TikTok's sliding minute, backoff and retries, and requests refused without sending.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use alcance_platforms::governor::{wall_clock_unix, Governor, GovernorConfig};
use alcance_platforms::{Http, PlatformError, Recorder};
use axum::extract::State;
use axum::http::{Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Router;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::time::Instant;
use url::Url;

/// One request the fake received.
#[derive(Debug, Clone)]
struct Hit {
    method: String,
    path: String,
    at: Instant,
}

/// What the fake answers.
struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Reply {
    fn ok() -> Reply {
        Reply::json(200, r#"{"data":{"id":"1"}}"#)
    }

    fn json(status: u16, body: &str) -> Reply {
        Reply {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: body.to_string(),
        }
    }

    fn header(mut self, name: &str, value: impl ToString) -> Reply {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }
}

type Handler = dyn Fn(&Hit, usize) -> Reply + Send + Sync;

struct Fake {
    hits: Mutex<Vec<Hit>>,
    handler: Box<Handler>,
}

impl Fake {
    fn hits(&self) -> Vec<Hit> {
        self.hits.lock().expect("hits").clone()
    }
}

async fn answer(State(fake): State<Arc<Fake>>, method: Method, uri: Uri) -> Response {
    let hit = Hit {
        method: method.to_string(),
        path: uri.path().to_string(),
        at: Instant::now(),
    };
    let n = {
        let mut hits = fake.hits.lock().expect("hits");
        hits.push(hit.clone());
        hits.len() - 1
    };
    let reply = (fake.handler)(&hit, n);
    let mut response = (StatusCode::from_u16(reply.status).expect("status"), reply.body).into_response();
    for (k, v) in reply.headers {
        response.headers_mut().insert(
            axum::http::HeaderName::from_bytes(k.as_bytes()).expect("name"),
            v.parse().expect("value"),
        );
    }
    response
}

async fn serve(handler: impl Fn(&Hit, usize) -> Reply + Send + Sync + 'static) -> (Url, Arc<Fake>) {
    let fake = Arc::new(Fake {
        hits: Mutex::new(Vec::new()),
        handler: Box::new(handler),
    });
    let app = Router::new().fallback(answer).with_state(Arc::clone(&fake));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (Url::parse(&format!("http://{addr}/")).expect("url"), fake)
}

fn governed(config: GovernorConfig) -> (Http, Arc<Governor>) {
    let governor = Arc::new(Governor::with_config(config));
    (
        Http::new().expect("http").with_governor(Arc::clone(&governor)),
        governor,
    )
}

async fn get(http: &Http, base: &Url, path: &str, token: &str) -> Result<u16, PlatformError> {
    let url = base.join(path).expect("url");
    let answer = http
        .send(http.client().get(url).bearer_auth(token), &Recorder::new())
        .await?;
    Ok(answer.status)
}

/// An X-style server: `limit` requests per `window` per token, windows starting at the
/// first request after the previous one ended, on tokio's clock; 429 past the limit.
struct XWindows {
    limit: u32,
    window: Duration,
    state: Mutex<Option<(Instant, i64, u32)>>,
}

impl XWindows {
    fn take(&self) -> Reply {
        let now = Instant::now();
        let mut state = self.state.lock().expect("window");
        let (started, reset, used) = match *state {
            Some((started, reset, used)) if now < started + self.window => (started, reset, used),
            _ => (now, (wall_clock_unix() + self.window.as_secs_f64()).ceil() as i64, 0),
        };
        let allowed = used < self.limit;
        let used = if allowed { used + 1 } else { used };
        *state = Some((started, reset, used));
        let reply = if allowed {
            Reply::ok()
        } else {
            Reply::json(
                429,
                r#"{"title":"Too Many Requests","status":429,"type":"about:blank"}"#,
            )
        };
        reply
            .header("x-rate-limit-limit", self.limit)
            .header("x-rate-limit-remaining", self.limit - used)
            .header("x-rate-limit-reset", reset)
    }
}

#[tokio::test(start_paused = true)]
async fn x_windows_are_paced_and_never_exceeded_by_concurrent_callers() {
    let x = Arc::new(XWindows {
        limit: 75,
        window: Duration::from_secs(900),
        state: Mutex::new(None),
    });
    let server = Arc::clone(&x);
    let (base, fake) = serve(move |_, _| server.take()).await;
    let (http, governor) = governed(GovernorConfig::default());
    let started = Instant::now();
    let deadline = started + Duration::from_secs(3 * 3600);
    let mut tasks = Vec::new();
    for _ in 0..4 {
        let (http, base) = (http.clone(), base.clone());
        tasks.push(tokio::spawn(async move {
            let mut statuses = Vec::new();
            while Instant::now() < deadline {
                match get(&http, &base, "/2/users/me", "owner-token").await {
                    Ok(s) => statuses.push(s),
                    Err(e) => panic!("unexpected error {e}"),
                }
            }
            statuses
        }));
    }
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.extend(t.await.expect("task"));
    }
    let limited = statuses.iter().filter(|s| **s == 429).count();
    let ok = statuses.iter().filter(|s| **s == 200).count();
    assert_eq!(limited, 0, "no request may be rate limited");
    // 3 h = 12 windows of 75; the last window may be cut by the deadline.
    let budget = 12 * 75;
    assert!(ok * 100 >= budget * 90, "used {ok} of {budget}");
    assert!(ok <= budget + 75, "{ok}");
    assert_eq!(governor.stats().rate_limited, 0);

    // The budget is spread: in no minute of the run do more than the burst (7) plus a
    // minute's share (5) and one request go out.
    let hits = fake.hits();
    for (i, h) in hits.iter().enumerate() {
        let in_minute = hits[i..]
            .iter()
            .take_while(|o| o.at < h.at + Duration::from_secs(60))
            .count();
        assert!(in_minute <= 13, "{in_minute} requests in the minute from hit {i}");
    }
}

#[tokio::test(start_paused = true)]
async fn retry_after_is_honoured_and_the_request_retried() {
    let (base, fake) = serve(|_, n| {
        if n == 0 {
            Reply::json(429, r#"{"error":"slow down"}"#).header("retry-after", 30)
        } else {
            Reply::ok()
        }
    })
    .await;
    let (http, governor) = governed(GovernorConfig::default());
    let t0 = Instant::now();
    assert_eq!(get(&http, &base, "/v2/user/info/", "tt").await.expect("answer"), 200);
    let hits = fake.hits();
    assert_eq!(hits.len(), 2);
    assert!(
        hits[1].at - hits[0].at >= Duration::from_secs(30),
        "{:?}",
        hits[1].at - hits[0].at
    );
    assert!(Instant::now() - t0 < Duration::from_secs(35));
    let stats = governor.stats();
    assert_eq!((stats.rate_limited, stats.retries), (1, 1));
}

#[tokio::test(start_paused = true)]
async fn server_errors_back_off_then_give_up_and_a_broken_endpoint_fails_fast() {
    let healthy = Arc::new(Mutex::new(false));
    let flag = Arc::clone(&healthy);
    let (base, fake) = serve(move |_, _| {
        if *flag.lock().expect("flag") {
            Reply::ok()
        } else {
            Reply::json(503, r#"{"title":"Service Unavailable"}"#)
        }
    })
    .await;
    let (http, governor) = governed(GovernorConfig::default());
    assert_eq!(get(&http, &base, "/2/users/1/tweets", "t").await.expect("answer"), 503);
    let hits = fake.hits();
    assert_eq!(hits.len(), 4, "one send and three retries");
    // Backoff 250 ms, 500 ms, 1 s, each at least half fixed and at most the whole.
    for (i, (lo, hi)) in [(125, 250), (250, 500), (500, 1000)].iter().enumerate() {
        let gap = hits[i + 1].at - hits[i].at;
        assert!(
            gap >= Duration::from_millis(*lo) && gap <= Duration::from_millis(*hi + 5),
            "gap {i}: {gap:?}"
        );
    }
    // The same endpoint (another user id, same template) is not hammered again.
    assert_eq!(get(&http, &base, "/2/users/2/tweets", "t").await.expect("answer"), 503);
    assert_eq!(fake.hits().len(), 5);
    // Another endpoint still gets its retries.
    assert_eq!(get(&http, &base, "/2/users/me", "t").await.expect("answer"), 503);
    assert_eq!(fake.hits().len(), 9);
    // Once the endpoint answers again, it is retried normally after the next failure.
    *healthy.lock().expect("flag") = true;
    assert_eq!(get(&http, &base, "/2/users/3/tweets", "t").await.expect("answer"), 200);
    *healthy.lock().expect("flag") = false;
    assert_eq!(get(&http, &base, "/2/users/4/tweets", "t").await.expect("answer"), 503);
    assert_eq!(fake.hits().len(), 14);
    assert_eq!(governor.stats().retries, 9);
}

#[tokio::test(start_paused = true)]
async fn only_reads_are_retried() {
    let (base, fake) = serve(|_, _| Reply::json(500, r#"{"error":{"code":"internal_error"}}"#)).await;
    let (http, _) = governed(GovernorConfig::default());
    let rec = Recorder::new();
    let post = |path: &str| {
        http.client()
            .post(base.join(path).expect("url"))
            .bearer_auth("tt")
            .json(&serde_json::json!({"max_count": 20}))
    };
    let a = http.send(post("/v2/oauth/token/"), &rec).await.expect("answer");
    assert_eq!(
        (a.status, fake.hits().len()),
        (500, 1),
        "a token exchange is never repeated"
    );
    let a = http.send(post("/v2/video/list/"), &rec).await.expect("answer");
    assert_eq!((a.status, fake.hits().len()), (500, 5), "video/list is a read");
    assert!(fake.hits()[1..]
        .iter()
        .all(|h| h.method == "POST" && h.path == "/v2/video/list/"));
    // Every attempt is archived.
    assert_eq!(rec.len(), 5);
}

#[tokio::test(start_paused = true)]
async fn a_json_answer_cut_short_is_retried_and_one_that_stays_broken_leaves_the_collection_incomplete() {
    // The first answer of each endpoint is cut in half, the next whole (the fault soak's
    // `truncated`); `/broken` never answers whole JSON, `/down` answers 503.
    let (base, fake) = serve(|hit, n| {
        let whole = r#"{"data":{"id":"1","name":"Alcance"}}"#;
        match hit.path.as_str() {
            "/broken" => Reply::json(200, &whole[..whole.len() / 2]),
            "/down" => Reply::json(503, r#"{"title":"Service Unavailable"}"#),
            _ if n == 0 => Reply::json(200, &whole[..whole.len() / 2]),
            _ => Reply::json(200, whole),
        }
    })
    .await;
    let (http, governor) = governed(GovernorConfig::default());
    let rec = Recorder::new();
    let send = |path: &str| http.send(http.client().get(base.join(path).expect("url")).bearer_auth("t"), &rec);
    let answer = send("/2/users/me").await.expect("answer");
    assert!(
        serde_json::from_slice::<serde_json::Value>(&answer.body).is_ok(),
        "the retry's whole answer is handed back"
    );
    assert_eq!((fake.hits().len(), governor.stats().retries), (2, 1));
    assert_eq!(
        rec.notes().passing_failures,
        0,
        "a retried failure leaves nothing missing"
    );

    // Broken every time: retried, then handed back as it came (the client decodes it and
    // reports the error), and the collection is noted incomplete.
    let answer = send("/broken").await.expect("answer");
    assert_eq!(answer.status, 200);
    assert!(serde_json::from_slice::<serde_json::Value>(&answer.body).is_err());
    assert_eq!(fake.hits().len(), 6, "one send and three retries");
    assert_eq!(rec.notes().passing_failures, 1);
    // A 5xx after its retries counts too; a whole answer does not.
    assert_eq!(send("/down").await.expect("answer").status, 503);
    assert_eq!(rec.notes().passing_failures, 2);
}

#[tokio::test(start_paused = true)]
async fn transport_errors_are_retried_then_reported() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    drop(listener);
    let base = Url::parse(&format!("http://127.0.0.1:{port}/")).expect("url");
    let (http, governor) = governed(GovernorConfig::default());
    let err = get(&http, &base, "/2/users/me", "secret-token-value")
        .await
        .expect_err("nobody listens");
    assert!(matches!(err, PlatformError::Transport { .. }), "{err}");
    assert!(!err.to_string().contains("secret-token-value"));
    assert_eq!(governor.stats().retries, 3);
}

#[tokio::test(start_paused = true)]
async fn meta_throttling_codes_and_usage_close_the_tokens_budget() {
    let (base, fake) = serve(|hit, n| {
        let usage = |pct: u32, regain: u32| {
            format!(
                r#"{{"17841":[{{"type":"instagram","call_count":{pct},"total_cputime":1,"total_time":1,"estimated_time_to_regain_access":{regain}}}]}}"#
            )
        };
        match n {
            // (#4) without a regain time: a default pause, then the retry succeeds.
            0 => Reply::json(
                400,
                r#"{"error":{"message":"(#4) Application request limit reached","type":"OAuthException","code":4}}"#,
            ),
            1 => Reply::ok().header("x-business-use-case-usage", usage(20, 0)),
            // 96 % used, access back in 3 minutes: the next call (any endpoint) waits.
            2 => Reply::ok().header("x-business-use-case-usage", usage(96, 3)),
            _ => {
                assert!(hit.path.starts_with("/v25.0/"));
                Reply::ok().header("x-app-usage", r#"{"call_count":10,"total_cputime":0,"total_time":3}"#)
            }
        }
    })
    .await;
    let (http, governor) = governed(GovernorConfig::default());
    let t0 = Instant::now();
    assert_eq!(
        get(&http, &base, "/v25.0/17841/media", "ig").await.expect("answer"),
        200
    );
    assert!(Instant::now() - t0 >= Duration::from_secs(60));
    assert_eq!(
        get(&http, &base, "/v25.0/17841/insights", "ig").await.expect("answer"),
        200
    );
    let t1 = Instant::now();
    assert_eq!(get(&http, &base, "/v25.0/17841", "ig").await.expect("answer"), 200);
    let hits = fake.hits();
    assert_eq!(hits.len(), 4);
    assert!(hits[3].at - hits[2].at >= Duration::from_secs(180));
    assert!(Instant::now() - t1 >= Duration::from_secs(180));
    // Another token has its own budget.
    let t2 = Instant::now();
    assert_eq!(get(&http, &base, "/v25.0/17841", "other").await.expect("answer"), 200);
    assert_eq!(Instant::now(), t2);
    assert_eq!(governor.stats().rate_limited, 1);
}

#[tokio::test(start_paused = true)]
async fn meta_usage_above_the_soft_mark_spreads_the_calls_left() {
    // Each call uses 1 % of the hour's budget.
    let (base, fake) = serve(|_, n| {
        let pct = n + 1;
        Reply::ok().header(
            "x-app-usage",
            format!(r#"{{"call_count":{pct},"total_cputime":0,"total_time":0}}"#),
        )
    })
    .await;
    let (http, governor) = governed(GovernorConfig::default());
    for _ in 0..85 {
        assert_eq!(get(&http, &base, "/v25.0/me", "fb").await.expect("answer"), 200);
    }
    let hits = fake.hits();
    let gap = |i: usize| hits[i].at - hits[i - 1].at;
    // Below 75 % nothing waits.
    assert!((1..75).all(|i| gap(i) == Duration::ZERO));
    // From 75 % the 25 calls left are spread over the hour (≥ 144 s apart), and the
    // spacing grows as the budget shrinks.
    assert!(gap(76) >= Duration::from_secs(144), "{:?}", gap(76));
    assert!(gap(84) > gap(76), "{:?} vs {:?}", gap(84), gap(76));
    let view = governor
        .budget(&alcance_platforms::governor::RequestKey {
            api: alcance_platforms::governor::ApiFamily::Meta,
            endpoint: "/me".into(),
            token: alcance_platforms::governor::TokenFingerprint::of("fb"),
        })
        .expect("budget");
    assert_eq!(view.usage_percent, Some(85.0));
}

#[tokio::test(start_paused = true)]
async fn tiktok_sliding_minute_is_respected() {
    let (base, fake) = serve(|_, _| Reply::json(200, r#"{"data":{},"error":{"code":"ok"}}"#)).await;
    let (http, _) = governed(GovernorConfig {
        tiktok_per_minute: 10,
        ..GovernorConfig::default()
    });
    let t0 = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..5 {
        let (http, base) = (http.clone(), base.clone());
        tasks.push(tokio::spawn(async move {
            for _ in 0..7 {
                assert_eq!(get(&http, &base, "/v2/user/info/", "act.1").await.expect("answer"), 200);
            }
        }));
    }
    for t in tasks {
        t.await.expect("task");
    }
    let hits = fake.hits();
    assert_eq!(hits.len(), 35);
    for (i, h) in hits.iter().enumerate() {
        let in_minute = hits[i..]
            .iter()
            .take_while(|o| o.at < h.at + Duration::from_secs(60))
            .count();
        assert!(in_minute <= 10, "{in_minute} requests in the minute from hit {i}");
    }
    assert!(Instant::now() - t0 >= Duration::from_secs(180));
    // Another endpoint has its own minute.
    let t1 = Instant::now();
    assert_eq!(
        get(&http, &base, "/v2/video/query/", "act.1").await.expect("answer"),
        200
    );
    assert_eq!(Instant::now(), t1);
}

#[tokio::test(start_paused = true)]
async fn a_budget_closed_longer_than_the_governor_waits_is_not_used() {
    let (base, fake) = serve(|_, _| {
        let reset = wall_clock_unix() as i64 + 7200;
        Reply::json(429, r#"{"title":"Too Many Requests","status":429}"#)
            .header("x-rate-limit-limit", 900)
            .header("x-rate-limit-remaining", 0)
            .header("x-rate-limit-reset", reset)
    })
    .await;
    let (http, governor) = governed(GovernorConfig::default());
    assert_eq!(get(&http, &base, "/2/users/9/tweets", "t").await.expect("answer"), 429);
    let err = get(&http, &base, "/2/users/9/tweets", "t")
        .await
        .expect_err("refused without sending");
    match err {
        PlatformError::RateLimited {
            retry_after: Some(wait),
            ..
        } => assert!(
            wait > Duration::from_secs(7000) && wait <= Duration::from_secs(7202),
            "{wait:?}"
        ),
        other => panic!("expected RateLimited, got {other}"),
    }
    assert_eq!(fake.hits().len(), 1);
    assert_eq!(governor.stats().refused, 1);
}

#[tokio::test(start_paused = true)]
async fn an_exhausted_x_usage_cap_is_not_retried() {
    let (base, fake) = serve(|_, _| {
        Reply::json(
            429,
            r#"{"title":"UsageCapExceeded","detail":"Usage cap exceeded: Monthly product cap","type":"https://api.twitter.com/2/problems/usage-capped","period":"Monthly","scope":"Product"}"#,
        )
    })
    .await;
    let (http, _) = governed(GovernorConfig::default());
    assert_eq!(get(&http, &base, "/2/users/me", "t").await.expect("answer"), 429);
    assert_eq!(fake.hits().len(), 1);
}
