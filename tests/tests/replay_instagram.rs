//! Issue point 9, Instagram: every recorded Instagram exchange in `shared/fixtures/instagram`
//! is replayed by the sandbox, read by the real Instagram client
//! (`alcance_platforms::instagram::InstagramClient`, Facebook Login host), written to a
//! fresh store, read back, and compared FIELD BY FIELD with values computed independently
//! from the fixture JSON (through the metric catalog: ms → seconds scaling, empty data →
//! NULL, metrics outside the catalog → gap events, removed media → gap events).
//!
//! One sandbox per exchange file, serving that file alone: the replay rule matches on the
//! path and only ranks by parameters, so every request the client makes on that path gets
//! the recorded exchange. Every file of the folder must be listed in [`CLASSIFIED`]: a new
//! file fails the test until someone says which client call reads it.

use alcance_core::catalog::map_value;
use alcance_core::{AccountRef, CollectionBatch, ContentType, EventLevel, Platform, RawExchange};
use alcance_platforms::instagram::{GraphHost, InsightsResult, InstagramClient, MediaItem, MediaKind, MetricMemory};
use alcance_platforms::{CollectWindow, Endpoints, Http, Recorder};
use alcance_store::time::{day_bucket, hour_bucket};
use alcance_store::RowFilter;
use alcance_tests::{
    fixture_check_archive, fixture_collected_at, fixture_diff, fixture_dir_or_skip, fixture_query, fixture_read,
    fixture_replay, fixture_stored_account_metrics, FixtureStore, ReplayCheck,
};
use anyhow::{anyhow, bail, ensure, Context as _};
use chrono::{DateTime, Duration, TimeZone, Utc};
use secrecy::SecretString;
use serde_json::Value;
use std::collections::{BTreeMap, HashSet};

/// Any token: the replaying sandbox does not check tokens.
const TOKEN: &str = "replay-token-for-instagram-fixtures";

/// The account media insights and media nodes are stored under when the recording does
/// not name the media's owner.
const OWNER: &str = "replay-instagram-owner";

const IG: Platform = Platform::Instagram;

/// Which client code reads an exchange.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Read {
    /// `GET /{ig-user-id}?fields=…followers_count…` → `profile_at`.
    Profile,
    /// `GET /{ig-user-id}?fields=business_discovery.username(u){…}` → `business_discovery`.
    BusinessDiscovery,
    /// `GET /{ig-user-id}/media` → `media` (every page).
    Media,
    /// `GET /{ig-user-id}/stories` → `stories` (every page).
    Stories,
    /// `GET /{ig-user-id}/insights?period=day|days_28` time series → `account_insights` over
    /// a window shorter than a day (one time-series call, no per-day totals).
    AccountSeries,
    /// `GET /{ig-user-id}/insights?metric_type=total_value&period=day&breakdown=…` →
    /// `account_insights` over one full UTC day (series, per-day totals and reach breakdown).
    AccountDayTotals,
    /// `GET /{ig-user-id}/insights?period=lifetime&metric=follower_demographics` →
    /// `demographics`.
    Demographics,
    /// `GET /{ig-media-id}/insights` → `media_insights_metrics` with the recorded metric list.
    MediaInsights,
    /// `GET /{ig-media-id}/insights` answered 400 subcode 2108006 → `media_insights`.
    MediaBeforeBusiness,
    /// `GET /{ig-media-id}` → `media_node`.
    MediaNode,
}

/// Every Instagram exchange file and the client code that reads it.
const CLASSIFIED: &[(&str, Read)] = &[
    ("airbyte__media-insights-error-2108006.json", Read::MediaBeforeBusiness),
    ("airbyte__media-insights-reels.json", Read::MediaInsights),
    ("airbyte__story-insights.json", Read::MediaInsights),
    ("airbyte__user-lifetime-insights-age-gender.json", Read::Demographics),
    ("python-facebook__business-discovery.json", Read::BusinessDiscovery),
    (
        "python-facebook__media-insights-carousel-2020.json",
        Read::MediaInsights,
    ),
    ("python-facebook__media-insights-legacy.json", Read::MediaInsights),
    ("python-facebook__media-insights-photo-2020.json", Read::MediaInsights),
    (
        "python-facebook__media-insights-profile-activity.json",
        Read::MediaInsights,
    ),
    ("python-facebook__media-node-default-fields.json", Read::MediaNode),
    ("python-facebook__story-node.json", Read::MediaNode),
    ("python-facebook__user-insights-day-2019.json", Read::AccountSeries),
    ("python-facebook__user-insights-days28-2019.json", Read::AccountSeries),
    ("python-facebook__user-insights-legacy-doc.json", Read::AccountSeries),
    (
        "python-facebook__user-insights-reach-breakdown.json",
        Read::AccountDayTotals,
    ),
    ("python-facebook__user-media-p1.json", Read::Media),
    ("python-facebook__user-media-p2.json", Read::Media),
    ("python-facebook__user-profile-fields.json", Read::Profile),
    ("python-facebook__user-stories-fields-p1.json", Read::Stories),
    ("python-facebook__user-stories.json", Read::Stories),
];

#[tokio::test]
async fn every_recorded_instagram_exchange_is_stored_field_by_field() {
    ReplayCheck {
        platform: "instagram",
        test_file: "tests/tests/replay_instagram.rs",
        classified: CLASSIFIED,
    }
    .run(check_exchange)
    .await;
}

/// Both recorded pages of one media listing served together: the client follows
/// `paging.cursors.after` from page 1 to page 2 (the replay rule ranks page 2 first once
/// the request carries `after=`), stops because page 2 has no `paging.next`, and stores
/// every media of both pages with its node counts.
#[tokio::test]
async fn instagram_media_pages_are_walked_through_the_after_cursor() {
    let Some(dir) = fixture_dir_or_skip() else {
        return;
    };
    let p1 = dir.join("instagram/python-facebook__user-media-p1.json");
    let p2 = dir.join("instagram/python-facebook__user-media-p2.json");
    if !p1.is_file() || !p2.is_file() {
        println!(
            "skipped: the two recorded user-media pages are not in {}",
            dir.display()
        );
        return;
    }
    let result = async {
        let pages = [fixture_read(&p1)?, fixture_read(&p2)?];
        let replay = fixture_replay(&[&p1, &p2]).await?;
        let outcome = async {
            let id = graph_segments(&pages[0])?
                .first()
                .cloned()
                .ok_or_else(|| anyhow!("no user id in the recorded path"))?;
            let client = client(&replay.endpoints)?;
            let rec = Recorder::new();
            let listing = client.media(&token(), &id, since(), &rec).await?;
            ensure!(listing.pages == 2, "{} pages read, expected 2", listing.pages);
            ensure!(listing.warnings.is_empty(), "warnings: {:?}", listing.warnings);
            let raw = rec.take();
            let fs = FixtureStore::open().await?;
            let account = owned_account(&id);
            fs.save(&account, &media_batch(&listing.items, listing.warnings), &raw)
                .await?;
            let mut want = Expected::new(&account, raw.len());
            for page in &pages {
                want.media(&id, body(page)?, false)?;
            }
            let recorded: usize = pages
                .iter()
                .map(|p| p["response"]["body"]["data"].as_array().map_or(0, Vec::len))
                .sum();
            ensure!(
                want.posts.len() == recorded && listing.items.len() == recorded,
                "{} media listed, the two pages hold {recorded}",
                listing.items.len()
            );
            verify(&fs, &want).await
        }
        .await;
        replay.shutdown().await;
        outcome
    }
    .await;
    if let Err(e) = result {
        panic!("user-media p1 + p2: {e:#}");
    }
}

async fn check_exchange(exchange: &Value, endpoints: &Endpoints, read: Read) -> anyhow::Result<()> {
    let client = client(endpoints)?;
    let token = token();
    let rec = Recorder::new();
    let segments = graph_segments(exchange)?;
    let segs: Vec<&str> = segments.iter().map(String::as_str).collect();
    let recorded = body(exchange)?;
    let at = fixture_collected_at();
    let fs = FixtureStore::open().await?;
    let want = match (read, &segs[..]) {
        (Read::Profile, [id]) => {
            let (profile, metrics) = client.profile_at(&token, id, at, &rec).await?;
            let account = AccountRef {
                platform: IG,
                external_id: profile.external_id.clone(),
                username: profile.username.clone(),
                owned: true,
            };
            let batch = CollectionBatch {
                profile: Some(profile),
                account_metrics: metrics,
                ..CollectionBatch::default()
            };
            let raw = rec.take();
            fs.save(&account, &batch, &raw).await?;
            let mut want = Expected::new(&account, raw.len());
            want.profile(recorded, true)?;
            want
        }
        (Read::BusinessDiscovery, [id]) => {
            let fields = fixture_query(exchange)
                .into_iter()
                .find(|(k, _)| k == "fields")
                .map(|(_, v)| v)
                .unwrap_or_default();
            let username = fields
                .split_once("business_discovery.username(")
                .and_then(|(_, rest)| rest.split_once(')'))
                .map(|(u, _)| u.to_string())
                .ok_or_else(|| anyhow!("no business_discovery.username(…) in the recorded fields"))?;
            let found = client.business_discovery(&token, id, &username, &rec).await?;
            let account = AccountRef {
                platform: IG,
                external_id: found.profile.external_id.clone(),
                username: found.profile.username.clone(),
                owned: false,
            };
            let mut batch = media_batch(&found.media, Vec::new());
            batch.profile = Some(found.profile);
            batch.account_metrics = found.metrics;
            let raw = rec.take();
            fs.save(&account, &batch, &raw).await?;
            let node = &recorded["business_discovery"];
            let mut want = Expected::new(&account, raw.len());
            want.profile(node, false)?;
            let media = node.get("media").cloned().unwrap_or(Value::Null);
            want.media(&account.external_id, &media, false)?;
            want
        }
        (Read::Media | Read::Stories, [id, edge]) => {
            let in_stories = read == Read::Stories;
            ensure!(
                *edge == if in_stories { "stories" } else { "media" },
                "recorded edge {edge}"
            );
            let listing = if in_stories {
                client.stories(&token, id, &rec).await?
            } else {
                client.media(&token, id, since(), &rec).await?
            };
            let raw = rec.take();
            let account = owned_account(id);
            fs.save(&account, &media_batch(&listing.items, listing.warnings), &raw)
                .await?;
            let mut want = Expected::new(&account, raw.len());
            want.media(id, recorded, in_stories)?;
            // The replay answers the `after=` request with the same page: paging must stop
            // on a page without new ids, with one `paging_loop` warning, after 2 requests.
            if has_next_page(recorded) {
                want.requests_made = Some(2);
                want.event(EventLevel::Warn, "paging_loop", &[]);
            } else {
                want.requests_made = Some(1);
            }
            want
        }
        (Read::AccountSeries, [id, "insights"]) => {
            // Shorter than a day and inside one UTC day: exactly one time-series call.
            let window = CollectWindow {
                since: at - Duration::hours(1),
                until: at,
            };
            let result = client.account_insights(&token, id, window, &rec).await?;
            let raw = rec.take();
            let account = owned_account(id);
            fs.save(&account, &insights_batch(result)?, &raw).await?;
            let mut want = Expected::new(&account, raw.len());
            want.requests_made = Some(1);
            want.series(id, recorded)?;
            want
        }
        (Read::AccountDayTotals, [id, "insights"]) => {
            // One full UTC day: a time-series call, the day's totals and the reach
            // breakdown, each answered with the recorded exchange.
            let day = day_bucket(at) - Duration::days(1);
            let window = CollectWindow {
                since: day,
                until: day + Duration::days(1),
            };
            let result = client.account_insights(&token, id, window, &rec).await?;
            let raw = rec.take();
            let account = owned_account(id);
            fs.save(&account, &insights_batch(result)?, &raw).await?;
            let mut want = Expected::new(&account, raw.len());
            want.requests_made = Some(3);
            want.series(id, recorded)?;
            want.day_totals(id, recorded, day, &raw)?;
            want.breakdowns(id, recorded, &format!("day:{}", day.format("%Y-%m-%d")))?;
            want
        }
        (Read::Demographics, [id, "insights"]) => {
            let result = client.demographics(&token, id, &rec).await?;
            let raw = rec.take();
            let account = owned_account(id);
            fs.save(&account, &insights_batch(result)?, &raw).await?;
            let asked: HashSet<String> = raw.iter().filter_map(|r| param(r, "metric")).collect();
            ensure!(
                asked.contains("follower_demographics") && asked.contains("engaged_audience_demographics"),
                "demographics asked for {asked:?}"
            );
            let timeframes: HashSet<String> = raw.iter().filter_map(|r| param(r, "timeframe")).collect();
            let [timeframe] = timeframes.iter().collect::<Vec<_>>()[..] else {
                bail!("the demographics calls asked for timeframes {timeframes:?}, expected one");
            };
            let mut want = Expected::new(&account, raw.len());
            want.breakdowns(id, recorded, timeframe)?;
            want
        }
        (Read::MediaInsights, [media_id, "insights"]) => {
            let metrics: Vec<String> = fixture_query(exchange)
                .into_iter()
                .find(|(k, _)| k == "metric")
                .map(|(_, v)| v.split(',').map(|m| m.trim().to_string()).collect())
                .ok_or_else(|| anyhow!("no recorded metric list"))?;
            let asked: Vec<&str> = metrics.iter().map(String::as_str).collect();
            let mut memory = MetricMemory::new();
            let result = client
                .media_insights_metrics(&token, media_id, &asked, &mut memory, &rec)
                .await?;
            let raw = rec.take();
            let account = owned_account(OWNER);
            fs.save(&account, &insights_batch(result)?, &raw).await?;
            let mut want = Expected::new(&account, raw.len());
            want.requests_made = Some(1);
            want.media_insights(media_id, recorded, &asked)?;
            want
        }
        (Read::MediaBeforeBusiness, [media_id, "insights"]) => {
            let result = client.media_insights(&token, media_id, MediaKind::Feed, &rec).await?;
            let raw = rec.take();
            let account = owned_account(OWNER);
            fs.save(&account, &insights_batch(result)?, &raw).await?;
            let error = &recorded["error"];
            ensure!(
                error["code"].as_i64() == Some(100) && error["error_subcode"].as_i64() == Some(2_108_006),
                "the recording is not a code 100 / subcode 2108006 error"
            );
            let mut want = Expected::new(&account, raw.len());
            want.requests_made = Some(1);
            let mut words = vec![media_id.to_string()];
            words.extend(
                ["message", "error_user_title"]
                    .iter()
                    .filter_map(|k| error[k].as_str().map(str::to_string)),
            );
            let words: Vec<&str> = words.iter().map(String::as_str).collect();
            want.event(EventLevel::Gap, "media_before_business", &words);
            want
        }
        (Read::MediaNode, [media_id]) => {
            let item = client.media_node(&token, media_id, &rec).await?;
            let raw = rec.take();
            let owner = recorded.pointer("/owner/id").and_then(Value::as_str).unwrap_or(OWNER);
            let account = owned_account(owner);
            fs.save(&account, &media_batch(std::slice::from_ref(&item), Vec::new()), &raw)
                .await?;
            let mut want = Expected::new(&account, raw.len());
            want.requests_made = Some(1);
            want.media_item(owner, recorded, false)?;
            want
        }
        _ => bail!("{read:?} does not fit the recorded path {segs:?}"),
    };
    verify(&fs, &want).await?;
    fixture_check_archive(&fs.store, want.requests, exchange).await
}

// ---------------------------------------------------------------------------------------
// Client output → batch

fn client(endpoints: &Endpoints) -> anyhow::Result<InstagramClient> {
    Ok(InstagramClient::new(
        Http::new()?,
        endpoints.clone(),
        GraphHost::FacebookLogin,
    ))
}

fn token() -> SecretString {
    SecretString::from(TOKEN.to_string())
}

fn since() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2010, 10, 6, 0, 0, 0).single().unwrap_or_default()
}

fn owned_account(id: &str) -> AccountRef {
    AccountRef {
        platform: IG,
        external_id: id.to_string(),
        username: None,
        owned: true,
    }
}

/// Media of a listing: the posts and their node counts (`likes`, `comments`).
fn media_batch(items: &[MediaItem], warnings: Vec<alcance_core::CollectWarning>) -> CollectionBatch {
    CollectionBatch {
        posts: items.iter().map(|i| i.post.clone()).collect(),
        post_metrics: items.iter().flat_map(|i| i.node_metrics.clone()).collect(),
        warnings,
        ..CollectionBatch::default()
    }
}

/// An insights step's output; a halted step (rate limit, network) is a failure here.
fn insights_batch(r: InsightsResult) -> anyhow::Result<CollectionBatch> {
    ensure!(!r.halted, "the insights step halted: {:?}", r.warnings);
    Ok(CollectionBatch {
        account_metrics: r.account_metrics,
        post_metrics: r.post_metrics,
        audience: r.audience,
        gaps: r.gaps,
        warnings: r.warnings,
        ..CollectionBatch::default()
    })
}

// ---------------------------------------------------------------------------------------
// Expectations computed from the fixture JSON

/// A post as it must be stored.
#[derive(Debug)]
struct PostWant {
    user_id: String,
    content_type: ContentType,
    published_at: Option<DateTime<Utc>>,
    permalink: Option<String>,
    caption: Option<String>,
}

/// Everything the store must hold after one exchange.
#[derive(Debug)]
struct Expected {
    /// `(external_id, username, display_name, owned)`.
    account: (String, Option<String>, Option<String>, bool),
    /// `"user metric period start..end"` → value.
    account_metrics: BTreeMap<String, Option<f64>>,
    /// Post id → post.
    posts: BTreeMap<String, PostWant>,
    /// `"post metric"` → value.
    post_metrics: BTreeMap<String, Option<f64>>,
    /// `"user audience dimension key timeframe"` → value.
    audience: BTreeMap<String, Option<f64>>,
    /// `(level, code, words the message must contain)`.
    events: Vec<(EventLevel, String, Vec<String>)>,
    /// Distinct requests archived.
    requests: usize,
    /// Requests the client must have made, when the test knows it.
    requests_made: Option<usize>,
}

impl Expected {
    fn new(account: &AccountRef, requests: usize) -> Expected {
        Expected {
            account: (
                account.external_id.clone(),
                account.username.clone(),
                None,
                account.owned,
            ),
            account_metrics: BTreeMap::new(),
            posts: BTreeMap::new(),
            post_metrics: BTreeMap::new(),
            audience: BTreeMap::new(),
            events: Vec::new(),
            requests,
            requests_made: None,
        }
    }

    fn event(&mut self, level: EventLevel, code: &str, words: &[&str]) {
        self.events
            .push((level, code.to_string(), words.iter().map(|w| w.to_string()).collect()));
    }

    /// A user node: id, username, name, and a snapshot of every numeric field the catalog
    /// maps for Instagram (`followers_count` → `followers`, `follows_count` → `following`,
    /// `media_count` → `media_count`; `ig_id` maps to nothing).
    fn profile(&mut self, node: &Value, owned: bool) -> anyhow::Result<()> {
        let id = node["id"].as_str().ok_or_else(|| anyhow!("the user node has no id"))?;
        self.account = (
            id.to_string(),
            node["username"].as_str().map(str::to_string),
            node["name"].as_str().map(str::to_string),
            owned,
        );
        let bucket = hour_bucket(fixture_collected_at());
        for (field, v) in node.as_object().into_iter().flatten() {
            if let Some((key, value)) = v.as_f64().and_then(|v| map_value(IG, field, v)) {
                self.account_metrics
                    .insert(format!("{id} {key} snapshot {bucket}..{bucket}"), Some(value));
            }
        }
        Ok(())
    }

    /// A media list (`{"data":[…]}`): every item with an id, once.
    fn media(&mut self, user: &str, list: &Value, in_stories: bool) -> anyhow::Result<()> {
        for item in list["data"].as_array().into_iter().flatten() {
            self.media_item(user, item, in_stories)?;
        }
        Ok(())
    }

    /// One media node: the post (content type from `media_product_type` / `media_type`,
    /// `timestamp` in Meta's `+0000` format, permalink, caption) and its numeric node
    /// fields through the catalog (`like_count` → `likes`, `comments_count` → `comments`).
    fn media_item(&mut self, user: &str, item: &Value, in_stories: bool) -> anyhow::Result<()> {
        let id = item["id"].as_str().ok_or_else(|| anyhow!("a media without id"))?;
        if self.posts.contains_key(id) {
            return Ok(());
        }
        let published_at = item["timestamp"].as_str().map(meta_time).transpose()?;
        self.posts.insert(
            id.to_string(),
            PostWant {
                user_id: user.to_string(),
                content_type: ig_content_type(item, in_stories)?,
                published_at,
                permalink: item["permalink"].as_str().map(str::to_string),
                caption: item["caption"].as_str().map(str::to_string),
            },
        );
        for (field, v) in item.as_object().into_iter().flatten() {
            if let Some((key, value)) = v.as_f64().and_then(|v| map_value(IG, field, v)) {
                self.post_metrics.insert(format!("{id} {key}"), Some(value));
            }
        }
        Ok(())
    }

    /// Lifetime media insights: each entry's value (its last `values[].value`, else
    /// `total_value.value`) under its catalog key, scaled (ms → s); a requested metric the
    /// answer lacks is NULL; an entry outside the catalog is an `unknown_metric` gap. The
    /// media itself is a placeholder post (`unknown` content type) until a listing names it.
    fn media_insights(&mut self, media_id: &str, answer: &Value, asked: &[&str]) -> anyhow::Result<()> {
        self.posts.insert(
            media_id.to_string(),
            PostWant {
                user_id: self.account.0.clone(),
                content_type: ContentType::Other("unknown".to_string()),
                published_at: None,
                permalink: None,
                caption: None,
            },
        );
        let mut answered = HashSet::new();
        for entry in answer["data"].as_array().into_iter().flatten() {
            let name = entry["name"]
                .as_str()
                .ok_or_else(|| anyhow!("an insights entry without name"))?;
            answered.insert(name);
            match map_value(IG, name, 1.0) {
                Some((key, _)) => {
                    let value = scalar(entry).and_then(|v| map_value(IG, name, v)).map(|(_, v)| v);
                    self.post_metrics.insert(format!("{media_id} {key}"), value);
                }
                None => self.unknown(name),
            }
        }
        for name in asked.iter().filter(|m| !answered.contains(*m)) {
            match map_value(IG, name, 1.0) {
                Some((key, _)) => {
                    self.post_metrics.insert(format!("{media_id} {key}"), None);
                }
                None => self.unknown(name),
            }
        }
        Ok(())
    }

    fn unknown(&mut self, name: &str) {
        if !self
            .events
            .iter()
            .any(|(_, c, w)| c == "unknown_metric" && w.first().map(String::as_str) == Some(name))
        {
            self.event(EventLevel::Gap, "unknown_metric", &[name]);
        }
    }

    /// Time series (`values:[{value,end_time}]`): each point under its catalog key, period
    /// from the entry (`day` 1 day, `week` 7, `days_28` 28), `end_time` the END of the
    /// bucket.
    fn series(&mut self, user: &str, answer: &Value) -> anyhow::Result<()> {
        for entry in answer["data"].as_array().into_iter().flatten() {
            let name = entry["name"]
                .as_str()
                .ok_or_else(|| anyhow!("an insights entry without name"))?;
            let Some(points) = entry["values"].as_array() else {
                continue;
            };
            let (period, days) = match entry["period"].as_str().unwrap_or("day") {
                "day" => ("day", 1),
                "week" => ("week", 7),
                "days_28" => ("days_28", 28),
                other => bail!("{name}: period {other} is not a time series this test covers"),
            };
            let Some((key, _)) = map_value(IG, name, 1.0) else {
                self.unknown(name);
                continue;
            };
            for p in points {
                ensure!(
                    !p["value"].is_object(),
                    "{name}: object values are not covered by this test"
                );
                let end = meta_time(
                    p["end_time"]
                        .as_str()
                        .ok_or_else(|| anyhow!("{name}: a point without end_time"))?,
                )?;
                let start = end - Duration::days(days);
                let value = p["value"].as_f64().and_then(|v| map_value(IG, name, v)).map(|(_, v)| v);
                self.account_metrics
                    .insert(format!("{user} {key} {period} {start}..{end}"), value);
            }
        }
        Ok(())
    }

    /// Totals of one UTC day (`metric_type=total_value`): each entry's value as the day's
    /// value; every metric the totals call asked for (read from the archived request) that
    /// the answer lacks is NULL, never 0.
    fn day_totals(
        &mut self,
        user: &str,
        answer: &Value,
        day: DateTime<Utc>,
        raw: &[RawExchange],
    ) -> anyhow::Result<()> {
        let end = day + Duration::days(1);
        let totals_call = raw
            .iter()
            .find(|r| param(r, "metric_type").as_deref() == Some("total_value") && param(r, "breakdown").is_none())
            .ok_or_else(|| anyhow!("no per-day totals call was made"))?;
        let asked = param(totals_call, "metric").unwrap_or_default();
        let mut answered = HashSet::new();
        for entry in answer["data"].as_array().into_iter().flatten() {
            let name = entry["name"]
                .as_str()
                .ok_or_else(|| anyhow!("an insights entry without name"))?;
            answered.insert(name.to_string());
            match map_value(IG, name, 1.0) {
                Some((key, _)) => {
                    let value = scalar(entry).and_then(|v| map_value(IG, name, v)).map(|(_, v)| v);
                    self.account_metrics
                        .insert(format!("{user} {key} day {day}..{end}"), value);
                }
                None => self.unknown(name),
            }
        }
        for name in asked.split(',').filter(|m| !m.is_empty() && !answered.contains(*m)) {
            match map_value(IG, name, 1.0) {
                Some((key, _)) => {
                    self.account_metrics
                        .insert(format!("{user} {key} day {day}..{end}"), None);
                }
                None => self.unknown(name),
            }
        }
        Ok(())
    }

    /// `total_value.breakdowns` → audience cells: audience `followers` for
    /// `follower_demographics`, `engaged_audience` for `engaged_audience_demographics`, else
    /// the metric's catalog key (`reach`); dimension and key are the breakdown's
    /// `dimension_keys` / `dimension_values` joined by `,`.
    fn breakdowns(&mut self, user: &str, answer: &Value, timeframe: &str) -> anyhow::Result<()> {
        for entry in answer["data"].as_array().into_iter().flatten() {
            let name = entry["name"]
                .as_str()
                .ok_or_else(|| anyhow!("an insights entry without name"))?;
            let audience = match name {
                "follower_demographics" => "followers".to_string(),
                "engaged_audience_demographics" => "engaged_audience".to_string(),
                other => map_value(IG, other, 1.0)
                    .map(|(k, _)| k.to_string())
                    .ok_or_else(|| anyhow!("{other}: a breakdown of a metric outside the catalog"))?,
            };
            for b in entry
                .pointer("/total_value/breakdowns")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let dimension = join_strings(&b["dimension_keys"]);
                for r in b["results"].as_array().into_iter().flatten() {
                    let key = join_strings(&r["dimension_values"]);
                    self.audience.insert(
                        format!("{user} {audience} {dimension} {key} {timeframe}"),
                        r["value"].as_f64(),
                    );
                }
            }
        }
        Ok(())
    }
}

/// Meta's content types: `media_product_type` REELS / STORY first, then `media_type`
/// IMAGE / VIDEO / CAROUSEL_ALBUM; items of the `/stories` edge are stories.
fn ig_content_type(item: &Value, in_stories: bool) -> anyhow::Result<ContentType> {
    if in_stories {
        return Ok(ContentType::Story);
    }
    match item["media_product_type"].as_str() {
        Some("REELS") => return Ok(ContentType::Reel),
        Some("STORY") => return Ok(ContentType::Story),
        _ => {}
    }
    Ok(match item["media_type"].as_str() {
        Some("IMAGE") => ContentType::Image,
        Some("VIDEO") => ContentType::Video,
        Some("CAROUSEL_ALBUM") => ContentType::Carousel,
        other => bail!("media_type {other:?} is not covered by this test"),
    })
}

/// The single value of a lifetime / total entry: the last numeric `values[].value`, else
/// `total_value.value`; `None` for empty data.
fn scalar(entry: &Value) -> Option<f64> {
    entry["values"]
        .as_array()
        .and_then(|pts| pts.iter().rev().find_map(|p| p["value"].as_f64()))
        .or_else(|| entry.pointer("/total_value/value").and_then(Value::as_f64))
}

fn join_strings(v: &Value) -> String {
    v.as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect::<Vec<_>>()
        .join(",")
}

fn has_next_page(list: &Value) -> bool {
    list.pointer("/paging/next").and_then(Value::as_str).is_some()
        && list
            .pointer("/paging/cursors/after")
            .and_then(Value::as_str)
            .is_some_and(|c| !c.is_empty())
}

// ---------------------------------------------------------------------------------------
// Reading the store back

async fn verify(fs: &FixtureStore, want: &Expected) -> anyhow::Result<()> {
    let at = fixture_collected_at();
    if let Some(n) = want.requests_made {
        ensure!(want.requests == n, "{} requests made, expected {n}", want.requests);
    }

    let accounts = fs.store.list_accounts().await?;
    let [row] = &accounts[..] else {
        bail!("{} accounts stored, expected 1", accounts.len());
    };
    let (id, username, display_name, owned) = &want.account;
    ensure!(
        row.account.platform == IG && &row.account.external_id == id,
        "account {:?}, expected {id}",
        row.account
    );
    ensure!(
        &row.account.username == username,
        "username {:?}, expected {username:?}",
        row.account.username
    );
    if display_name.is_some() {
        ensure!(
            &row.display_name == display_name,
            "display name {:?}, expected {display_name:?}",
            row.display_name
        );
    }
    ensure!(
        row.account.owned == *owned,
        "owned {}, expected {owned}",
        row.account.owned
    );

    let got = fixture_stored_account_metrics(&fs.store).await?;
    let mut differences = fixture_diff("account metric", &want.account_metrics, &got);

    let posts = fs.store.posts(&RowFilter::default()).await?;
    for p in &posts {
        let Some(w) = want.posts.get(&p.external_id) else {
            differences.push(format!("post {} stored but not expected", p.external_id));
            continue;
        };
        let id = &p.external_id;
        if p.user_id != w.user_id {
            differences.push(format!("post {id}: stored under {}, expected {}", p.user_id, w.user_id));
        }
        if p.content_type != w.content_type {
            differences.push(format!(
                "post {id} content_type: {:?}, expected {:?}",
                p.content_type, w.content_type
            ));
        }
        if p.published_at != w.published_at {
            differences.push(format!(
                "post {id} published_at: {:?}, expected {:?}",
                p.published_at, w.published_at
            ));
        }
        if p.permalink != w.permalink {
            differences.push(format!(
                "post {id} permalink: {:?}, expected {:?}",
                p.permalink, w.permalink
            ));
        }
        if p.caption != w.caption {
            differences.push(format!("post {id} caption: {:?}, expected {:?}", p.caption, w.caption));
        }
        if p.first_seen_at != at {
            differences.push(format!("post {id} first_seen_at: {}", p.first_seen_at));
        }
    }
    for id in want.posts.keys() {
        if !posts.iter().any(|p| &p.external_id == id) {
            differences.push(format!("post {id} not stored"));
        }
    }

    let mut got = BTreeMap::new();
    for r in fs.store.post_metric_rows(&RowFilter::default()).await? {
        ensure!(r.collected_at == at, "collected_at of {} {}", r.post_id, r.metric_type);
        got.insert(format!("{} {}", r.post_id, r.metric_type), r.value);
    }
    differences.extend(fixture_diff("post metric", &want.post_metrics, &got));

    let mut got = BTreeMap::new();
    for r in fs.store.audience_rows(&RowFilter::default()).await? {
        ensure!(
            r.collected_at == at,
            "collected_at of audience {} {}",
            r.audience,
            r.key
        );
        got.insert(
            format!("{} {} {} {} {}", r.user_id, r.audience, r.dimension, r.key, r.timeframe),
            r.value,
        );
    }
    differences.extend(fixture_diff("audience", &want.audience, &got));

    let events = fs.store.run_events(fs.run_id).await?;
    let mut got: Vec<(&str, &str)> = events.iter().map(|e| (e.level.as_str(), e.code.as_str())).collect();
    let mut expected: Vec<(&str, &str)> = want.events.iter().map(|(l, c, _)| (l.as_str(), c.as_str())).collect();
    got.sort_unstable();
    expected.sort_unstable();
    if got != expected {
        differences.push(format!("run events {got:?}, expected {expected:?}"));
    }
    for (level, code, words) in &want.events {
        let found = events
            .iter()
            .any(|e| e.level == *level && &e.code == code && words.iter().all(|w| e.message.contains(w.as_str())));
        if !found {
            differences.push(format!(
                "no {} event {code} whose message names {words:?}",
                level.as_str()
            ));
        }
    }
    ensure!(differences.is_empty(), "\n  {}", differences.join("\n  "));
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Small readers

fn body(exchange: &Value) -> anyhow::Result<&Value> {
    exchange
        .pointer("/response/body")
        .ok_or_else(|| anyhow!("the exchange has no JSON response.body"))
}

/// The recorded path's segments without a leading Graph version (`/v5.0/id/insights` →
/// `["id", "insights"]`).
fn graph_segments(exchange: &Value) -> anyhow::Result<Vec<String>> {
    let path = exchange
        .pointer("/request/path")
        .and_then(Value::as_str)
        .ok_or_else(|| anyhow!("request.path is missing"))?;
    let mut segs: Vec<String> = path.split('/').filter(|s| !s.is_empty()).map(str::to_string).collect();
    let versioned = segs
        .first()
        .and_then(|s| s.strip_prefix('v'))
        .is_some_and(|v| v.parse::<f64>().is_ok());
    if versioned {
        segs.remove(0);
    }
    Ok(segs)
}

/// A query parameter of an archived (scrubbed) request URL.
fn param(raw: &RawExchange, name: &str) -> Option<String> {
    let url = url::Url::parse(&raw.url).ok()?;
    let value = url.query_pairs().find(|(k, _)| k == name).map(|(_, v)| v.into_owned());
    value
}

/// Meta's timestamp (`2021-08-13T08:25:28+0000`) in UTC.
fn meta_time(s: &str) -> anyhow::Result<DateTime<Utc>> {
    DateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%z")
        .map(|t| t.with_timezone(&Utc))
        .with_context(|| format!("{s:?} is not a Meta timestamp"))
}
