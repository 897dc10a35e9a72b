//! Issue point 9, X: every recorded X exchange in `shared/fixtures/x` is replayed by the
//! sandbox, read by the real X client code (`alcance_platforms::x`), written to a fresh
//! store, read back, and compared FIELD BY FIELD with values computed independently from the
//! fixture JSON (through the metric catalog, never through the client's own mapping).
//!
//! One sandbox per exchange file, serving that file alone, so the replay rule (the path
//! decides, parameters only rank candidates) always answers with that exchange. Every file
//! of the folder must be listed in [`CLASSIFIED`]: a new file fails the test until someone
//! says which client call reads it.

use alcance_core::catalog::{map_value, Level, CATALOG};
use alcance_core::{AccountRef, CollectionBatch, ContentType, DataGap, EventLevel, Platform};
use alcance_platforms::endpoints::join;
use alcance_platforms::http::Answer;
use alcance_platforms::x::{self, XClient, XUser};
use alcance_platforms::{Endpoints, Http, PlatformError, Recorder};
use alcance_store::{time::hour_bucket, RowFilter};
use alcance_tests::{
    fixture_check_archive, fixture_collected_at, fixture_diff, fixture_query, fixture_stored_account_metrics,
    FixtureStore, ReplayCheck,
};
use anyhow::{anyhow, bail, ensure, Context as _};
use chrono::{DateTime, TimeZone, Utc};
use secrecy::SecretString;
use serde_json::Value;
use std::collections::{BTreeMap, HashSet};

/// Any bearer token: the replaying sandbox does not check tokens.
const TOKEN: &str = "replay-token-for-x-fixtures";

/// Which client code reads an exchange.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Read {
    /// `GET /2/users/me` → `XClient::me` (owned account).
    Me,
    /// `GET /2/users/by/username/{u}` → `XClient::user_by_username` (tracked account).
    UserByUsername,
    /// `GET /2/users?ids=`, `/2/users/by?usernames=`, `/2/users/{id}/followers`,
    /// `/2/tweets/{id}/liking_users` → `Http::send` + `x::decode_users`.
    Users,
    /// `GET /2/users/{id}/tweets` → `XClient::timeline` (every page).
    Timeline,
    /// Mentions, search, retweets, `/2/tweets?ids=`, `/2/tweets/{id}` → `Http::send` +
    /// `x::decode_posts`.
    Posts,
    /// `GET /2/tweets/counts/recent`: decoded, nothing stored.
    TweetCounts,
    /// `GET /2/usage/tweets`: decoded, nothing stored.
    Usage,
    /// `POST /oauth2/token` (app-only bearer): decoded; only its redacted archive is stored.
    AppOnlyToken,
    /// `POST /2/tweets/search/stream/rules` answered 400: `x::map_error`.
    StreamRulesError,
}

/// Every X exchange file and the client code that reads it.
const CLASSIFIED: &[(&str, Read)] = &[
    ("python-twitter__oauth2-token-app-only.json", Read::AppOnlyToken),
    ("python-twitter__stream-rules-delete-error.json", Read::StreamRulesError),
    ("python-twitter__tweet-by-id.json", Read::Posts),
    ("python-twitter__tweets-counts-recent.json", Read::TweetCounts),
    ("python-twitter__tweets-lookup-ids.json", Read::Posts),
    ("python-twitter__tweets-retweets.json", Read::Posts),
    ("python-twitter__tweets-search-all.json", Read::Posts),
    ("python-twitter__usage-tweets.json", Read::Usage),
    ("python-twitter__users-by-username.json", Read::UserByUsername),
    ("python-twitter__users-followers.json", Read::Users),
    ("python-twitter__users-lookup-ids.json", Read::Users),
    ("python-twitter__users-me.json", Read::Me),
    ("python-twitter__users-mentions.json", Read::Posts),
    ("python-twitter__users-tweets.json", Read::Timeline),
    ("tweepy__get-liking-users.json", Read::Users),
    ("tweepy__get-me.json", Read::Me),
    ("tweepy__get-recent-tweets-count.json", Read::TweetCounts),
    ("tweepy__get-tweet.json", Read::Posts),
    ("tweepy__get-user.json", Read::UserByUsername),
    ("tweepy__get-users-followers.json", Read::Users),
    ("tweepy__get-users-tweets.json", Read::Timeline),
    ("tweepy__get-users.json", Read::Users),
    ("tweepy__search-recent-tweets.json", Read::Posts),
];

#[tokio::test]
async fn every_recorded_x_exchange_is_stored_field_by_field() {
    ReplayCheck {
        platform: "x",
        test_file: "tests/tests/replay_x.rs",
        classified: CLASSIFIED,
    }
    .run(check_exchange)
    .await;
}

async fn check_exchange(exchange: &Value, endpoints: &Endpoints, read: Read) -> anyhow::Result<()> {
    let http = Http::new()?;
    check_rate_limit_headers(&http, endpoints, exchange).await?;
    let token = SecretString::from(TOKEN.to_string());
    let client = XClient::new(http.clone(), endpoints.clone());
    let rec = Recorder::new();
    let segments = path_segments(exchange)?;
    let segs: Vec<&str> = segments.iter().map(String::as_str).collect();
    match read {
        Read::Me => {
            ensure!(
                segs == ["2", "users", "me"],
                "expected GET /2/users/me, recorded {segs:?}"
            );
            let user = client.me(&token, &rec).await?;
            store_users(exchange, &[user], Vec::new(), true, rec).await
        }
        Read::UserByUsername => {
            let ["2", "users", "by", "username", username] = segs[..] else {
                bail!("expected GET /2/users/by/username/{{username}}, recorded {segs:?}");
            };
            let user = client.user_by_username(&token, username, &rec).await?;
            store_users(exchange, &[user], Vec::new(), false, rec).await
        }
        Read::Users => {
            let answer = send_recorded(&http, endpoints, exchange, &rec).await?;
            let (users, gaps) = x::decode_users(&answer)?;
            let errors = body(exchange)?
                .get("errors")
                .and_then(Value::as_array)
                .map_or(0, Vec::len);
            ensure!(
                gaps.len() == errors,
                "partial errors: expected {errors} gaps, got {}",
                gaps.len()
            );
            store_users(exchange, &users, gaps, false, rec).await
        }
        Read::Timeline => {
            let ["2", "users", user_id, "tweets"] = segs[..] else {
                bail!("expected GET /2/users/{{id}}/tweets, recorded {segs:?}");
            };
            let since = Utc
                .with_ymd_and_hms(2006, 3, 21, 0, 0, 0)
                .single()
                .ok_or_else(|| anyhow!("since"))?;
            let timeline = client.timeline(&token, user_id, since, &rec).await?;
            let account = AccountRef {
                platform: Platform::X,
                external_id: user_id.to_string(),
                username: None,
                owned: false,
            };
            let batch = CollectionBatch {
                posts: timeline.posts,
                post_metrics: timeline.metrics,
                warnings: timeline.warnings,
                ..CollectionBatch::default()
            };
            // The replay answers the `pagination_token` request with the same page: the walk
            // must stop on the repeated token (one `pagination_loop` warning) after 2 pages.
            let paged = body(exchange)?
                .pointer("/meta/next_token")
                .and_then(Value::as_str)
                .is_some();
            let pages = if paged { 2 } else { 1 };
            let mut events = vec![(EventLevel::Warn, "pagination_loop".to_string()); usize::from(paged)];
            events.extend(
                partial_error_events(exchange)?
                    .into_iter()
                    .cycle()
                    .take(pages * errors_len(exchange)?),
            );
            store_posts(exchange, &account, batch, rec, pages, events).await
        }
        Read::Posts => {
            let answer = send_recorded(&http, endpoints, exchange, &rec).await?;
            let page = x::decode_posts(&answer)?;
            let next = body(exchange)?.pointer("/meta/next_token").and_then(Value::as_str);
            ensure!(
                page.next_token.as_deref() == next,
                "next_token: expected {next:?}, got {:?}",
                page.next_token
            );
            // Search results, mentions and retweets are other people's posts: they are kept
            // under one tracked account per exchange so their values can be checked.
            let account = AccountRef {
                platform: Platform::X,
                external_id: format!("replay-{}", segs.join("-")),
                username: None,
                owned: false,
            };
            let batch = CollectionBatch {
                posts: page.posts,
                post_metrics: page.metrics,
                gaps: page.gaps,
                ..CollectionBatch::default()
            };
            let events = partial_error_events(exchange)?;
            store_posts(exchange, &account, batch, rec, 1, events).await
        }
        Read::TweetCounts => {
            // Alcance stores nothing from `counts/recent`: it counts the posts of the whole
            // platform matching a search query (social listening), which is neither an
            // account's nor a post's metric and has no catalog key. Checked: the answer
            // arrives intact and the posts decoder refuses it with a clear error.
            ensure!(segs == ["2", "tweets", "counts", "recent"], "recorded {segs:?}");
            let answer = send_recorded(&http, endpoints, exchange, &rec).await?;
            check_not_posts(exchange, &answer)?;
            let got: Value = answer.json()?;
            let buckets = got["data"].as_array().ok_or_else(|| anyhow!("no data[] buckets"))?;
            let sum: f64 = buckets.iter().filter_map(|b| b["tweet_count"].as_f64()).sum();
            let total = got.pointer("/meta/total_tweet_count").and_then(Value::as_f64);
            ensure!(
                Some(sum) == total,
                "the hourly tweet_count buckets sum to {sum}, meta.total_tweet_count is {total:?}"
            );
            Ok(())
        }
        Read::Usage => {
            // Alcance stores nothing from `usage/tweets`: it is the developer project's
            // monthly post-read quota (an app setting), not a social metric of any account.
            ensure!(segs == ["2", "usage", "tweets"], "recorded {segs:?}");
            let answer = send_recorded(&http, endpoints, exchange, &rec).await?;
            check_not_posts(exchange, &answer)?;
            let got: Value = answer.json()?;
            let number = |k: &str| got["data"][k].as_str().and_then(|s| s.parse::<u64>().ok());
            ensure!(
                number("project_usage").is_some() && number("project_cap").is_some(),
                "project_usage / project_cap are not numeric strings: {}",
                got["data"]
            );
            Ok(())
        }
        Read::AppOnlyToken => check_app_only_token(&http, endpoints, exchange, rec).await,
        Read::StreamRulesError => {
            // Alcance never manages filtered-stream rules (it polls, it does not stream);
            // the recorded 400 checks how an X problem+json answer becomes an error.
            let answer = send_recorded(&http, endpoints, exchange, &rec).await?;
            let recorded = body(exchange)?;
            let want_status = exchange
                .pointer("/response/status")
                .and_then(Value::as_u64)
                .ok_or_else(|| anyhow!("no response.status"))?;
            let want_code = recorded["type"].as_str().and_then(|t| t.rsplit('/').next());
            let want_message = recorded["detail"].as_str();
            match x::map_error(&answer) {
                PlatformError::Api {
                    endpoint,
                    status,
                    code,
                    message,
                } => {
                    ensure!(
                        u64::from(status) == want_status,
                        "status {status}, expected {want_status}"
                    );
                    ensure!(code.as_deref() == want_code, "code {code:?}, expected {want_code:?}");
                    ensure!(
                        Some(message.as_str()) == want_message,
                        "message {message:?}, expected {want_message:?}"
                    );
                    let path = str_at(exchange, "/request/path")?;
                    ensure!(endpoint == path, "endpoint {endpoint:?}, expected {path:?}");
                }
                other => bail!("expected PlatformError::Api for the 400 invalid-request answer, got {other:?}"),
            }
            Ok(())
        }
    }
}

/// The app-only bearer token answer: decoded, and archived with the token REDACTED.
///
/// Alcance stores nothing from it but the scrubbed archive: an app-only token reads public
/// metrics only (Alcance connects with user-context PKCE tokens), and any token is a
/// credential that lives in the vault, never in SQLite.
async fn check_app_only_token(
    http: &Http,
    endpoints: &Endpoints,
    exchange: &Value,
    rec: Recorder,
) -> anyhow::Result<()> {
    let answer = send_recorded(http, endpoints, exchange, &rec).await?;
    ensure!(answer.is_success(), "HTTP {}", answer.status);
    let got: Value = answer.json()?;
    let token_type = got["token_type"].as_str().unwrap_or_default();
    ensure!(
        token_type.eq_ignore_ascii_case("bearer"),
        "token_type {token_type:?}, expected bearer"
    );
    let token = got["access_token"]
        .as_str()
        .filter(|t| !t.is_empty())
        .ok_or_else(|| anyhow!("no access_token in the answer"))?
        .to_string();
    let fs = FixtureStore::open().await?;
    let archived = fs.store.save_raw(fs.run_id, None, &rec.take()).await?;
    ensure!(archived == 1, "expected 1 archived exchange, got {archived}");
    let stored = fs.store.raw_body(1).await?;
    ensure!(
        !String::from_utf8_lossy(&stored).contains(&token),
        "the app-only access token reached raw_responses"
    );
    let stored: Value = serde_json::from_slice(&stored).context("archived token answer")?;
    ensure!(
        stored["access_token"] == "REDACTED" && stored["token_type"] == got["token_type"],
        "the archived token answer is not the recorded one with access_token REDACTED"
    );
    let counts = fs.store.table_counts().await?;
    ensure!(
        counts.accounts + counts.account_metrics + counts.posts + counts.post_metrics == 0,
        "nothing but the archive may be stored from a token answer"
    );
    Ok(())
}

/// A body that is not a page of posts must be refused with a Decode error naming the
/// endpoint, never read as an empty page and never a panic.
fn check_not_posts(exchange: &Value, answer: &Answer) -> anyhow::Result<()> {
    ensure!(answer.is_success(), "HTTP {}", answer.status);
    let path = str_at(exchange, "/request/path")?;
    match x::decode_posts(answer) {
        Err(PlatformError::Decode { endpoint, .. }) if endpoint == path => Ok(()),
        other => bail!("x::decode_posts must refuse this body with Decode naming {path}, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------------------
// Users

/// Saves each user as an account (its profile and `public_metrics` snapshots; partial
/// errors as gaps of the first one), then checks accounts, account metric rows, run events
/// and the archive against `data` of the body.
async fn store_users(
    exchange: &Value,
    users: &[XUser],
    mut gaps: Vec<DataGap>,
    owned: bool,
    rec: Recorder,
) -> anyhow::Result<()> {
    let data = body(exchange)?.get("data").cloned().unwrap_or(Value::Null);
    let items: Vec<Value> = match data {
        Value::Array(items) => items,
        obj @ Value::Object(_) => vec![obj],
        other => bail!("recorded data is neither a user nor a list of users: {other}"),
    };
    ensure!(
        users.len() == items.len(),
        "decoded {} users, the body has {}",
        users.len(),
        items.len()
    );
    for (user, item) in users.iter().zip(&items) {
        check_user(user, item)?;
    }
    let fs = FixtureStore::open().await?;
    let mut raw = rec.take();
    let requests = raw.len();
    for user in users {
        let account = AccountRef {
            platform: Platform::X,
            external_id: user.id.clone(),
            username: Some(user.username.clone()),
            owned,
        };
        let batch = CollectionBatch {
            profile: Some(user.profile()),
            account_metrics: x::profile_metrics(user, fixture_collected_at()),
            gaps: std::mem::take(&mut gaps),
            ..CollectionBatch::default()
        };
        fs.save(&account, &batch, &std::mem::take(&mut raw)).await?;
    }
    ensure!(
        gaps.is_empty(),
        "partial errors without any user are not covered by this test"
    );

    let accounts = fs.store.list_accounts().await?;
    ensure!(
        accounts.len() == items.len(),
        "{} accounts stored, expected {}",
        accounts.len(),
        items.len()
    );
    let mut expected = BTreeMap::new();
    let bucket = hour_bucket(fixture_collected_at());
    for (row, item) in accounts.iter().zip(&items) {
        let id = item["id"].as_str().unwrap_or_default();
        ensure!(
            row.account.platform == Platform::X && row.account.external_id == id,
            "account {:?}, expected {id}",
            row.account.external_id
        );
        ensure!(
            row.account.username.as_deref() == item["username"].as_str(),
            "username of {id}: {:?}",
            row.account.username
        );
        ensure!(
            row.display_name.as_deref() == item["name"].as_str(),
            "display name of {id}: {:?}",
            row.display_name
        );
        ensure!(row.account.owned == owned, "owned of {id}");
        ensure!(
            row.last_collected_at == Some(fixture_collected_at()),
            "last_collected_at of {id}"
        );
        let Some(counters) = item.get("public_metrics").and_then(Value::as_object) else {
            continue;
        };
        // Stored: the profile counters of `x::PROFILE_FIELDS` (likes *given* are not stored).
        for field in x::PROFILE_FIELDS {
            let source = format!("public_metrics.{field}");
            let (key, _) =
                map_value(Platform::X, &source, 1.0).ok_or_else(|| anyhow!("{source} has no catalog key"))?;
            let value = counters
                .get(*field)
                .and_then(Value::as_f64)
                .and_then(|v| map_value(Platform::X, &source, v))
                .map(|(_, v)| v);
            expected.insert(format!("{id} {key} snapshot {bucket}..{bucket}"), value);
        }
    }
    let got = fixture_stored_account_metrics(&fs.store).await?;
    report(fixture_diff("account metric", &expected, &got))?;
    let counts = fs.store.table_counts().await?;
    ensure!(
        counts.posts == 0 && counts.post_metrics == 0 && counts.audience == 0,
        "a user lookup stored posts or audience rows"
    );
    check_events(&fs, partial_error_events(exchange)?).await?;
    fixture_check_archive(&fs.store, requests, exchange).await
}

/// The decoded user against its recorded object.
fn check_user(user: &XUser, item: &Value) -> anyhow::Result<()> {
    let id = item["id"].as_str().unwrap_or_default();
    ensure!(user.id == id, "user id {:?}, expected {id}", user.id);
    ensure!(
        Some(user.username.as_str()) == item["username"].as_str(),
        "username of {id}"
    );
    ensure!(user.name.as_deref() == item["name"].as_str(), "name of {id}");
    ensure!(
        user.avatar_url.as_deref() == item["profile_image_url"].as_str(),
        "profile_image_url of {id}"
    );
    ensure!(user.verified == item["verified"].as_bool(), "verified of {id}");
    let created = item["created_at"].as_str().map(rfc3339).transpose()?;
    ensure!(
        user.created_at == created,
        "created_at of {id}: {:?}, expected {created:?}",
        user.created_at
    );
    let counters: Option<BTreeMap<String, f64>> = item.get("public_metrics").and_then(Value::as_object).map(|m| {
        m.iter()
            .filter_map(|(k, v)| v.as_f64().map(|f| (k.clone(), f)))
            .collect()
    });
    ensure!(
        user.public_metrics == counters,
        "public_metrics of {id}: {:?}, expected {counters:?}",
        user.public_metrics
    );
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Posts

/// Saves the batch under `account`, then checks posts, post metric rows, run events and
/// the archive (`requests` exchanges, each answered with the recorded body).
async fn store_posts(
    exchange: &Value,
    account: &AccountRef,
    batch: CollectionBatch,
    rec: Recorder,
    requests: usize,
    events: Vec<(EventLevel, String)>,
) -> anyhow::Result<()> {
    let raw = rec.take();
    ensure!(
        raw.len() == requests,
        "{} requests made, expected {requests}",
        raw.len()
    );
    let fs = FixtureStore::open().await?;
    fs.save(account, &batch, &raw).await?;

    let recorded = body(exchange)?;
    let tweets: Vec<&Value> = match recorded.get("data") {
        Some(Value::Array(items)) => items.iter().collect(),
        Some(obj @ Value::Object(_)) => vec![obj],
        _ => Vec::new(),
    };
    let media: BTreeMap<&str, &Value> = recorded
        .pointer("/includes/media")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|m| Some((m["media_key"].as_str()?, m)))
        .collect();

    // Posts, field by field.
    let rows = fs.store.posts(&RowFilter::default()).await?;
    let mut ids = HashSet::new();
    let mut expected_metrics = BTreeMap::new();
    for tweet in &tweets {
        let id = tweet["id"]
            .as_str()
            .ok_or_else(|| anyhow!("a recorded post without id"))?;
        if !ids.insert(id) {
            continue;
        }
        let row = rows
            .iter()
            .find(|r| r.external_id == id)
            .ok_or_else(|| anyhow!("post {id} was not stored"))?;
        ensure!(
            row.user_id == account.external_id,
            "post {id} stored under {}",
            row.user_id
        );
        let published = tweet["created_at"].as_str().map(rfc3339).transpose()?;
        ensure!(
            row.published_at == published,
            "published_at of {id}: {:?}, expected {published:?}",
            row.published_at
        );
        ensure!(
            row.caption.as_deref() == tweet["text"].as_str(),
            "caption of {id}: {:?}",
            row.caption
        );
        let permalink = format!("https://x.com/i/web/status/{id}");
        ensure!(
            row.permalink.as_deref() == Some(permalink.as_str()),
            "permalink of {id}: {:?}",
            row.permalink
        );
        let keys: Vec<&str> = tweet
            .pointer("/attachments/media_keys")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        let want_type = x_content_type(&keys, &media);
        ensure!(
            row.content_type == want_type,
            "content_type of {id}: {:?}, expected {want_type:?}",
            row.content_type
        );
        ensure!(row.first_seen_at == fixture_collected_at(), "first_seen_at of {id}");

        // Every post-level `public_metrics.*` source of the catalog: the recorded counter,
        // or NULL when the object lacks it (never 0).
        if let Some(counters) = tweet.get("public_metrics").and_then(Value::as_object) {
            for source in x_post_public_sources() {
                let field = source.trim_start_matches("public_metrics.");
                let (key, _) = map_value(Platform::X, source, 1.0).ok_or_else(|| anyhow!("{source}: no key"))?;
                let value = counters
                    .get(field)
                    .and_then(Value::as_f64)
                    .and_then(|v| map_value(Platform::X, source, v))
                    .map(|(_, v)| v);
                expected_metrics.insert(format!("{id} {key}"), value);
            }
        }
        // Views of the post's videos / GIFs (`includes.media[].public_metrics.view_count`).
        let videos: Vec<&Value> = keys
            .iter()
            .filter_map(|k| media.get(k).copied())
            .filter(|m| matches!(m["type"].as_str(), Some("video" | "animated_gif")))
            .collect();
        if !videos.is_empty() {
            let views: Vec<f64> = videos
                .iter()
                .filter_map(|m| m.pointer("/public_metrics/view_count").and_then(Value::as_f64))
                .collect();
            let total = (!views.is_empty()).then(|| views.iter().sum::<f64>());
            let source = "media.public_metrics.view_count";
            let (key, _) = map_value(Platform::X, source, 1.0).ok_or_else(|| anyhow!("{source}: no key"))?;
            expected_metrics.insert(
                format!("{id} {key}"),
                total.and_then(|v| map_value(Platform::X, source, v)).map(|(_, v)| v),
            );
        }
    }
    ensure!(
        rows.len() == ids.len(),
        "{} posts stored, the body has {}",
        rows.len(),
        ids.len()
    );

    let mut got = BTreeMap::new();
    for row in fs.store.post_metric_rows(&RowFilter::default()).await? {
        ensure!(
            row.collected_at == fixture_collected_at(),
            "collected_at of {} {}",
            row.post_id,
            row.metric_type
        );
        got.insert(format!("{} {}", row.post_id, row.metric_type), row.value);
    }
    report(fixture_diff("post metric", &expected_metrics, &got))?;
    let counts = fs.store.table_counts().await?;
    ensure!(
        counts.account_metrics == 0 && counts.audience == 0,
        "a posts answer stored account metrics or audience rows"
    );
    check_events(&fs, events).await?;
    fixture_check_archive(&fs.store, requests, exchange).await
}

/// The catalog's post-level X `public_metrics.*` sources (`public_metrics.like_count`, ...).
fn x_post_public_sources() -> Vec<&'static str> {
    CATALOG
        .iter()
        .filter(|m| m.level != Level::Account)
        .flat_map(|m| m.sources.iter())
        .filter(|s| s.platform == Platform::X && s.field.starts_with("public_metrics."))
        .map(|s| s.field)
        .collect()
}

/// Content type of a post from its `attachments.media_keys` and `includes.media` (the
/// documented rule: no media → text; one photo → image; one video / GIF → video; several →
/// carousel; another type → that type; a key missing from `includes` → `media`).
fn x_content_type(keys: &[&str], media: &BTreeMap<&str, &Value>) -> ContentType {
    match keys {
        [] => ContentType::Text,
        [one] => match media.get(one).and_then(|m| m["type"].as_str()) {
            Some("photo") => ContentType::Image,
            Some("video" | "animated_gif") => ContentType::Video,
            Some(other) => ContentType::Other(other.to_string()),
            None => ContentType::Other("media".to_string()),
        },
        _ => ContentType::Carousel,
    }
}

// ---------------------------------------------------------------------------------------
// Shared checks

/// `x::rate_limit` of the replayed answer equals the recorded `x-rate-limit-*` headers
/// (checked with a separate request when the exchange recorded them).
async fn check_rate_limit_headers(http: &Http, endpoints: &Endpoints, exchange: &Value) -> anyhow::Result<()> {
    let header = |name: &str| {
        exchange
            .pointer(&format!("/response/headers/{name}"))
            .and_then(Value::as_str)
    };
    let (Some(limit), Some(remaining), Some(reset)) = (
        header("x-rate-limit-limit"),
        header("x-rate-limit-remaining"),
        header("x-rate-limit-reset"),
    ) else {
        return Ok(());
    };
    let answer = send_recorded(http, endpoints, exchange, &Recorder::new()).await?;
    let got = x::rate_limit(&answer).ok_or_else(|| anyhow!("x::rate_limit read nothing from the replayed headers"))?;
    let reset = DateTime::from_timestamp(reset.parse()?, 0).ok_or_else(|| anyhow!("reset"))?;
    ensure!(
        got.limit == limit.parse::<u32>()? && got.remaining == remaining.parse::<u32>()? && got.reset == reset,
        "rate limit {got:?}, expected {limit}/{remaining} reset {reset}"
    );
    Ok(())
}

/// One gap event per recorded partial error (`errors[]` served with HTTP 200).
fn partial_error_events(exchange: &Value) -> anyhow::Result<Vec<(EventLevel, String)>> {
    let errors = body(exchange)?
        .get("errors")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    Ok(errors
        .iter()
        .map(|e| {
            let code = match e["type"].as_str().and_then(|t| t.rsplit('/').next()) {
                Some("resource-not-found") => "not_found".to_string(),
                Some(s) if !s.is_empty() && s != "about:blank" => s.replace('-', "_"),
                _ => "partial_error".to_string(),
            };
            (EventLevel::Gap, code)
        })
        .collect())
}

fn errors_len(exchange: &Value) -> anyhow::Result<usize> {
    Ok(body(exchange)?
        .get("errors")
        .and_then(Value::as_array)
        .map_or(0, Vec::len))
}

/// The run's events, as (level, code), equal the expected ones (order ignored).
async fn check_events(fs: &FixtureStore, expected: Vec<(EventLevel, String)>) -> anyhow::Result<()> {
    let mut got: Vec<(&'static str, String)> = fs
        .store
        .run_events(fs.run_id)
        .await?
        .into_iter()
        .map(|e| (e.level.as_str(), e.code))
        .collect();
    let mut want: Vec<(&'static str, String)> = expected.into_iter().map(|(l, c)| (l.as_str(), c)).collect();
    got.sort();
    want.sort();
    ensure!(got == want, "run events {got:?}, expected {want:?}");
    Ok(())
}

/// Sends the recorded request (method, path, query, body) to the sandbox through the
/// shared HTTP layer, archiving it in `rec`.
async fn send_recorded(http: &Http, endpoints: &Endpoints, exchange: &Value, rec: &Recorder) -> anyhow::Result<Answer> {
    let method = str_at(exchange, "/request/method")?;
    let url = join(&endpoints.x_api, str_at(exchange, "/request/path")?);
    let mut request = match method {
        "GET" => http.client().get(url),
        "POST" => http.client().post(url),
        other => bail!("method {other} is not replayed by this test"),
    };
    request = request.query(&fixture_query(exchange));
    request = match exchange.pointer("/request/body") {
        Some(Value::String(form)) => request
            .basic_auth("fixture-client-id", Some("fixture-client-secret"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form.clone()),
        Some(json @ Value::Object(_)) => request.bearer_auth(TOKEN).json(json),
        _ => request.bearer_auth(TOKEN),
    };
    Ok(http.send(request, rec).await?)
}

fn body(exchange: &Value) -> anyhow::Result<&Value> {
    exchange
        .pointer("/response/body")
        .ok_or_else(|| anyhow!("the exchange has no JSON response.body"))
}

fn str_at<'a>(exchange: &'a Value, pointer: &str) -> anyhow::Result<&'a str> {
    exchange
        .pointer(pointer)
        .and_then(Value::as_str)
        .ok_or_else(|| anyhow!("{pointer} is missing"))
}

fn path_segments(exchange: &Value) -> anyhow::Result<Vec<String>> {
    Ok(str_at(exchange, "/request/path")?
        .split('/')
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect())
}

fn rfc3339(s: &str) -> anyhow::Result<DateTime<Utc>> {
    // The store keeps whole seconds; X sends `.000` milliseconds.
    let t = DateTime::parse_from_rfc3339(s).with_context(|| format!("{s:?} is not RFC 3339"))?;
    DateTime::from_timestamp(t.timestamp(), 0).ok_or_else(|| anyhow!("{s:?} out of range"))
}

fn report(differences: Vec<String>) -> anyhow::Result<()> {
    ensure!(differences.is_empty(), "\n  {}", differences.join("\n  "));
    Ok(())
}
