//! YouTube: every recorded exchange in `shared/fixtures/youtube` is replayed by the sandbox
//! (one file per sandbox), read by the real YouTube client (`alcance_platforms::youtube`),
//! written to a fresh store, read back, and compared field by field with values computed
//! independently from the fixture JSON (through the metric catalog, never through the
//! client's own mapping). Recordings of endpoints Alcance does not call are listed with the
//! reason and replayed through the archive only (no token survives it).

use alcance_core::catalog::map_value;
use alcance_core::{AccountRef, CollectionBatch, Platform};
use alcance_platforms::endpoints::join;
use alcance_platforms::oauth::{refresh, OAuthApp, RedirectConfig};
use alcance_platforms::youtube::{self, channel_metrics, YouTubeClient};
use alcance_platforms::{Endpoints, Http, PlatformError, Recorder};
use alcance_store::{time::hour_bucket, RowFilter};
use alcance_tests::{
    fixture_collected_at, fixture_diff, fixture_query, fixture_stored_account_metrics, FixtureStore, ReplayCheck,
};
use anyhow::{anyhow, bail, ensure};
use chrono::{NaiveDate, TimeZone, Utc};
use chrono_tz::America::Los_Angeles;
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;
use std::collections::BTreeMap;

/// Any bearer token: the replaying sandbox does not check tokens.
const TOKEN: &str = "replay-token-for-youtube-fixtures";

/// Which client code reads an exchange.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Read {
    /// `GET channels?mine=true` → `YouTubeClient::mine` (owned channel snapshots).
    Mine,
    /// `GET channels?id=a,b` → `Http::send` + `youtube::decode_channels` (every channel's
    /// snapshots).
    ChannelsById,
    /// `GET playlistItems` → `YouTubeClient::uploads` (every page).
    Uploads,
    /// `GET videos?id=` → `YouTubeClient::videos` (posts and lifetime counts).
    Videos,
    /// `GET /v2/reports` (Analytics, `dimensions=day`) → `YouTubeClient::daily_report`.
    Report,
    /// `POST /token` (a Google token answer) → `oauth::refresh` with the YouTube provider.
    Token,
    /// A 400 on `channels` → `YouTubeClient::channel_by_id` fails with `Api` (the reason).
    Error400,
    /// A 403 in Google's envelope → `youtube::map_error` → `Forbidden`.
    Error403,
    /// An endpoint Alcance does not call (the reason is in [`CLASSIFIED`]'s comment):
    /// replayed through `Http::send` and archived only.
    Archived,
}

/// Every YouTube exchange file and the client code that reads it.
const CLASSIFIED: &[(&str, Read)] = &[
    ("analytix__reports-daily-all-metrics.json", Read::Report),
    // The device flow is not used: Alcance connects through the loopback redirect.
    ("mech__oauth2-device-code.json", Read::Archived),
    ("mech__oauth2-token-device-grant.json", Read::Token),
    ("nango__channels.json", Read::Mine),
    // Comment texts are not collected; comment counts come from videos.statistics.
    ("nango__comment-threads.json", Read::Archived),
    ("nango__get-video.json", Read::Videos),
    // Playlists are not collected; uploads come from the uploads playlist.
    ("nango__list-channel-playlists.json", Read::Archived),
    ("nango__list-playlist-items.json", Read::Uploads),
    ("nango__list-uploaded-videos_01.json", Read::Mine),
    ("nango__list-uploaded-videos_02.json", Read::Uploads),
    ("python-youtube__channels-by-ids.json", Read::ChannelsById),
    ("python-youtube__error-400-key-invalid.json", Read::Error400),
    ("python-youtube__error-403-permission-denied.json", Read::Error403),
    // The channel (channels?mine=true) identifies the account, not the Google profile.
    ("python-youtube__oauth2-userinfo.json", Read::Archived),
    ("python-youtube__playlist-items-p1.json", Read::Uploads),
    // search.list is avoided (its own small bucket); the uploads playlist lists every video.
    ("python-youtube__search-by-channel.json", Read::Archived),
];

#[tokio::test]
async fn every_recorded_youtube_exchange_is_replayed_into_the_store_field_by_field() {
    ReplayCheck {
        platform: "youtube",
        test_file: "tests/tests/replay_youtube.rs",
        classified: CLASSIFIED,
    }
    .run(check_exchange)
    .await;
}

fn token() -> SecretString {
    SecretString::from(TOKEN.to_string())
}

fn account(id: &str) -> AccountRef {
    AccountRef {
        platform: Platform::Youtube,
        external_id: id.to_string(),
        username: None,
        owned: true,
    }
}

fn num(v: &Value) -> Option<f64> {
    match v {
        Value::String(s) => s.parse().ok(),
        Value::Number(n) => n.as_f64(),
        _ => None,
    }
}

fn query(exchange: &Value, name: &str) -> Option<String> {
    fixture_query(exchange)
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

/// The endpoints of the replaying sandbox, with the Analytics API at its recorded path
/// (`/v2/reports`) and Google's token endpoint at `/token`.
fn replay_endpoints(endpoints: &Endpoints) -> anyhow::Result<Endpoints> {
    let mut e = endpoints.clone();
    let origin = url::Url::parse(&endpoints.youtube_api.origin().ascii_serialization())?;
    e.youtube_analytics = join(&origin, "/v2");
    e.youtube_token = join(&origin, "/token");
    Ok(e)
}

/// The snapshots the catalog makes of one recorded channel item, keyed like
/// [`fixture_stored_account_metrics`].
fn expected_channel(item: &Value, into: &mut BTreeMap<String, Option<f64>>) -> anyhow::Result<()> {
    let id = item["id"].as_str().ok_or_else(|| anyhow!("channel without id"))?;
    let st = &item["statistics"];
    if !st.is_object() {
        return Ok(());
    }
    let at = hour_bucket(fixture_collected_at());
    let hidden = st["hiddenSubscriberCount"].as_bool().unwrap_or(false);
    for (field, wire) in [
        ("channels.statistics.subscriberCount", "subscriberCount"),
        ("channels.statistics.viewCount", "viewCount"),
        ("channels.statistics.videoCount", "videoCount"),
    ] {
        if hidden && wire == "subscriberCount" {
            continue;
        }
        let value = num(&st[wire]).and_then(|v| map_value(Platform::Youtube, field, v));
        let key = map_value(Platform::Youtube, field, 0.0)
            .map(|(k, _)| k)
            .ok_or_else(|| anyhow!("{field} has no catalog key"))?;
        into.insert(format!("{id} {key} snapshot {at}..{at}"), value.map(|(_, v)| v));
    }
    Ok(())
}

async fn check_exchange(exchange: &Value, endpoints: &Endpoints, read: Read) -> anyhow::Result<()> {
    let endpoints = replay_endpoints(endpoints)?;
    let body = exchange
        .pointer("/response/body")
        .cloned()
        .ok_or_else(|| anyhow!("no response.body"))?;
    let http = Http::new()?;
    let client = YouTubeClient::new(http.clone(), endpoints.clone());
    let rec = Recorder::new();
    let fs = FixtureStore::open().await?;
    match read {
        Read::Mine => {
            let channel = client.mine(&token(), &rec).await?;
            let (metrics, gaps) = channel_metrics(&channel, fixture_collected_at());
            let batch = CollectionBatch {
                profile: Some(channel.profile()),
                account_metrics: metrics,
                gaps,
                ..CollectionBatch::default()
            };
            let owned = AccountRef {
                username: channel.handle.clone(),
                ..account(&channel.id)
            };
            fs.save(&owned, &batch, &rec.take()).await?;
            let mut expected = BTreeMap::new();
            expected_channel(&body["items"][0], &mut expected)?;
            let got = fixture_stored_account_metrics(&fs.store).await?;
            let diff = fixture_diff("channel", &expected, &got);
            ensure!(diff.is_empty(), "{}", diff.join("\n"));
            let stored = fs.store.list_accounts().await?;
            let item = &body["items"][0];
            ensure!(
                stored.len() == 1 && Some(stored[0].account.external_id.as_str()) == item["id"].as_str(),
                "stored accounts {stored:?}"
            );
            if let Some(handle) = item["snippet"]["customUrl"].as_str() {
                ensure!(
                    stored[0].account.username.as_deref() == Some(handle.trim_start_matches('@')),
                    "username {:?}",
                    stored[0].account.username
                );
            }
            ensure!(
                channel.uploads_playlist.as_deref() == item["contentDetails"]["relatedPlaylists"]["uploads"].as_str(),
                "uploads playlist {:?}",
                channel.uploads_playlist
            );
        }
        Read::ChannelsById => {
            let ids = query(exchange, "id").unwrap_or_default();
            let answer = http
                .send(
                    http.client()
                        .get(join(&endpoints.youtube_api, "/channels"))
                        .bearer_auth(TOKEN)
                        .query(&[
                            ("part", "id,snippet,statistics,contentDetails,brandingSettings"),
                            ("id", &ids),
                        ]),
                    &rec,
                )
                .await?;
            let channels = youtube::decode_channels(&answer)?;
            let raw = rec.take();
            let mut expected = BTreeMap::new();
            for (i, c) in channels.iter().enumerate() {
                let (metrics, gaps) = channel_metrics(c, fixture_collected_at());
                let batch = CollectionBatch {
                    profile: Some(c.profile()),
                    account_metrics: metrics,
                    gaps,
                    ..CollectionBatch::default()
                };
                let archived = if i == 0 { raw.clone() } else { Vec::new() };
                fs.save(&account(&c.id), &batch, &archived).await?;
            }
            for item in body["items"].as_array().into_iter().flatten() {
                expected_channel(item, &mut expected)?;
            }
            let got = fixture_stored_account_metrics(&fs.store).await?;
            let diff = fixture_diff("channels", &expected, &got);
            ensure!(diff.is_empty(), "{}", diff.join("\n"));
        }
        Read::Uploads => {
            let playlist = query(exchange, "playlistId").ok_or_else(|| anyhow!("no playlistId"))?;
            let since = Utc.with_ymd_and_hms(2005, 4, 23, 0, 0, 0).single().unwrap_or_default();
            let walk = client.uploads(&token(), &playlist, since, &rec).await?;
            let want: Vec<String> = body["items"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|i| {
                    i["contentDetails"]["videoId"]
                        .as_str()
                        .or_else(|| i["snippet"]["resourceId"]["videoId"].as_str())
                        .map(str::to_string)
                })
                .collect();
            ensure!(walk.ids == want, "video ids {:?}, recorded {want:?}", walk.ids);
            // The replay answers every page with the same recording: the walk must stop
            // on the repeated pageToken, not loop.
            if body["nextPageToken"].is_string() {
                ensure!(
                    walk.warnings
                        .iter()
                        .any(|w| w.code == "pagination_loop" || w.code == "pagination_stalled"),
                    "the repeated page was not noticed: {:?}",
                    walk.warnings
                );
            }
        }
        Read::Videos => {
            let ids: Vec<String> = query(exchange, "id")
                .unwrap_or_default()
                .split(',')
                .map(str::to_string)
                .collect();
            let (page, gaps) = client.videos(&token(), &ids, &rec).await?;
            ensure!(gaps.is_empty(), "gaps {gaps:?}");
            ensure!(page.warnings.is_empty(), "warnings {:?}", page.warnings);
            let batch = CollectionBatch {
                posts: page.posts.clone(),
                post_metrics: page.metrics.clone(),
                ..CollectionBatch::default()
            };
            fs.save(&account("replay-channel"), &batch, &rec.take()).await?;
            let mut expected = BTreeMap::new();
            for item in body["items"].as_array().into_iter().flatten() {
                let id = item["id"].as_str().unwrap_or_default();
                let st = &item["statistics"];
                for (field, wire) in [
                    ("videos.statistics.viewCount", &st["viewCount"]),
                    ("videos.statistics.likeCount", &st["likeCount"]),
                    ("videos.statistics.commentCount", &st["commentCount"]),
                ] {
                    if let Some((key, v)) = num(wire).and_then(|v| map_value(Platform::Youtube, field, v)) {
                        expected.insert(format!("{id} {key}"), Some(v));
                    }
                }
                // PT#H#M#S computed here by hand, apart from the client's parser.
                let d = item["contentDetails"]["duration"].as_str().unwrap_or_default();
                let seconds = hand_duration(d).ok_or_else(|| anyhow!("duration {d}"))?;
                expected.insert(format!("{id} video_duration"), Some(seconds));
            }
            let mut got = BTreeMap::new();
            for r in fs.store.post_metric_rows(&RowFilter::default()).await? {
                got.insert(format!("{} {}", r.post_id, r.metric_type), r.value);
            }
            let diff = fixture_diff("video", &expected, &got);
            ensure!(diff.is_empty(), "{}", diff.join("\n"));
            let posts = fs.store.posts(&RowFilter::default()).await?;
            for item in body["items"].as_array().into_iter().flatten() {
                let id = item["id"].as_str().unwrap_or_default();
                let p = posts
                    .iter()
                    .find(|p| p.external_id == id)
                    .ok_or_else(|| anyhow!("post {id} not stored"))?;
                ensure!(p.caption.as_deref() == item["snippet"]["title"].as_str(), "caption");
                let published = item["snippet"]["publishedAt"]
                    .as_str()
                    .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
                    .map(|t| t.with_timezone(&Utc));
                ensure!(p.published_at == published, "published_at {:?}", p.published_at);
            }
        }
        Read::Report => {
            let start = query(exchange, "startDate").ok_or_else(|| anyhow!("no startDate"))?;
            let end = query(exchange, "endDate").ok_or_else(|| anyhow!("no endDate"))?;
            let day = |s: &str| {
                NaiveDate::parse_from_str(s, "%Y-%m-%d")
                    .ok()
                    .and_then(|d| d.and_hms_opt(12, 0, 0))
                    .and_then(|t| Los_Angeles.from_local_datetime(&t).earliest())
                    .map(|t| t.with_timezone(&Utc))
            };
            let (since, until) = (
                day(&start).ok_or_else(|| anyhow!("startDate"))?,
                day(&end).ok_or_else(|| anyhow!("endDate"))?,
            );
            let report = client.daily_report(&token(), since, until, &rec).await?;
            let batch = CollectionBatch {
                account_metrics: report.metrics.clone(),
                gaps: report.gaps.clone(),
                ..CollectionBatch::default()
            };
            fs.save(&account("replay-channel"), &batch, &rec.take()).await?;
            let headers: Vec<&str> = body["columnHeaders"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|h| h["name"].as_str())
                .collect();
            let mut expected = BTreeMap::new();
            for row in body["rows"].as_array().into_iter().flatten() {
                let d = row[0].as_str().unwrap_or_default();
                let date = NaiveDate::parse_from_str(d, "%Y-%m-%d")?;
                let midnight = |d: NaiveDate| {
                    d.and_hms_opt(0, 0, 0)
                        .and_then(|t| Los_Angeles.from_local_datetime(&t).earliest())
                        .map(|t| t.with_timezone(&Utc))
                };
                let (a, b) = (
                    midnight(date).ok_or_else(|| anyhow!("day"))?,
                    midnight(date.succ_opt().unwrap_or(date)).ok_or_else(|| anyhow!("day"))?,
                );
                for (i, name) in headers.iter().enumerate().skip(1) {
                    let field = format!("reports.{name}");
                    if let Some((key, v)) = row[i].as_f64().and_then(|v| map_value(Platform::Youtube, &field, v)) {
                        expected.insert(format!("replay-channel {key} day {a}..{b}"), Some(v));
                    }
                }
            }
            ensure!(!expected.is_empty(), "nothing expected from the recording");
            let got = fixture_stored_account_metrics(&fs.store).await?;
            let diff = fixture_diff("report", &expected, &got);
            ensure!(diff.is_empty(), "{}", diff.join("\n"));
        }
        Read::Token => {
            let app = OAuthApp {
                platform: Platform::Youtube,
                client_id: "replay.apps.googleusercontent.com".into(),
                client_secret: Some(SecretString::from("replay-secret".to_string())),
                scopes: Vec::new(),
                redirect: RedirectConfig::ephemeral(),
            };
            let old = SecretString::from("1//replay-old".to_string());
            let set = refresh(&app, &youtube::provider(&endpoints), &old).await?;
            ensure!(Some(set.access_token.expose_secret()) == body["access_token"].as_str());
            ensure!(set.refresh_token.as_ref().map(|t| t.expose_secret()) == body["refresh_token"].as_str());
            ensure!(set.scope.as_deref() == body["scope"].as_str(), "scope {:?}", set.scope);
            ensure!(set.expires_at.is_some(), "expires_at");
            ensure!(!format!("{set:?}").contains("<redacted>"), "Debug shows a token");
        }
        Read::Error400 => {
            let Err(e) = client.channel_by_id(&token(), "UC_x5XG1OV2P6uZZ5FSM9Ttw", &rec).await else {
                bail!("the recorded 400 was read as a channel");
            };
            let reason = body["error"]["errors"][0]["reason"].as_str();
            match e {
                PlatformError::Api {
                    status: 400,
                    code,
                    endpoint,
                    ..
                } => {
                    ensure!(code.as_deref() == reason, "code {code:?}");
                    ensure!(endpoint.ends_with("/youtube/v3/channels"), "endpoint {endpoint}");
                }
                other => bail!("expected Api 400, got {other:?}"),
            }
        }
        Read::Error403 | Read::Archived => {
            let method = exchange["request"]["method"].as_str().unwrap_or("GET");
            let path = exchange["request"]["path"].as_str().unwrap_or("/");
            let origin = endpoints.youtube_api.origin().ascii_serialization();
            let mut request = http
                .client()
                .request(method.parse()?, format!("{origin}{path}"))
                .bearer_auth(TOKEN);
            if method == "GET" {
                request = request.query(&fixture_query(exchange));
            }
            let answer = http.send(request, &rec).await?;
            let raw = rec.take();
            ensure!(raw.len() == 1, "{} exchanges archived", raw.len());
            ensure!(
                raw.iter().all(|r| !r.url.contains(TOKEN)),
                "a token reached the archived URL"
            );
            if read == Read::Error403 {
                match youtube::map_error(&answer) {
                    PlatformError::Forbidden { message } => {
                        let reason = body["error"]["errors"][0]["reason"].as_str().unwrap_or_default();
                        ensure!(message.contains(reason) && message.contains(path), "{message}");
                    }
                    other => bail!("expected Forbidden, got {other:?}"),
                }
            } else {
                fs.save(&account("replay-channel"), &CollectionBatch::default(), &raw)
                    .await?;
                let archived: Value = serde_json::from_slice(&fs.store.raw_body(1).await?)?;
                ensure!(archived == body, "the archived body differs from the recording");
            }
        }
    }
    Ok(())
}

/// `PT#H#M#S` / `P#DT…` to seconds, written apart from the client's parser.
fn hand_duration(text: &str) -> Option<f64> {
    let rest = text.strip_prefix('P')?;
    let (days, time) = rest.split_once('T').unwrap_or((rest, ""));
    let mut total = 0.0;
    if let Some(d) = days.strip_suffix('D') {
        total += d.parse::<f64>().ok()? * 86_400.0;
    }
    let mut n = String::new();
    for c in time.chars() {
        match c {
            'H' => total += n.parse::<f64>().ok()? * 3600.0,
            'M' => total += n.parse::<f64>().ok()? * 60.0,
            'S' => total += n.parse::<f64>().ok()?,
            _ => {
                n.push(c);
                continue;
            }
        }
        n.clear();
    }
    Some(total)
}
