//! The replay engine against the recorded exchanges in `../shared/fixtures` (relative to
//! the project root). Where that folder is absent each test prints so and passes, unless
//! `CI` is set: then it fails ([`fixtures_dir`]).

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers may panic on a broken fixture

use std::path::{Path, PathBuf};

use alcance_sandbox::replay::{ManifestAccount, ReplayEngine};
use serde_json::Value;

use alcance_sandbox::replay::fixtures_dir;

/// Headers of the connection, not of the answer: the engine drops them from recordings
/// (recorded bodies are replayed uncompressed, and the server frames its own answers).
const TRANSPORT: [&str; 4] = ["content-length", "content-encoding", "transfer-encoding", "connection"];

/// Every `*.json` exchange file (not `*.webhook.json`) under `dir`, as (relative name, path),
/// sorted by name.
fn exchange_files(dir: &Path) -> Vec<(String, PathBuf)> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<(String, PathBuf)>) {
        for entry in std::fs::read_dir(dir).expect("fixtures dir is readable") {
            let path = entry.expect("dir entry").path();
            if path.is_dir() {
                walk(root, &path, out);
                continue;
            }
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if name.ends_with(".json") && !name.ends_with(".webhook.json") {
                let rel = path
                    .strip_prefix(root)
                    .expect("under root")
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect::<Vec<_>>()
                    .join("/");
                out.push((rel, path));
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

fn read_json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).expect("readable")).expect("valid JSON")
}

fn as_param(v: &Value) -> Option<String> {
    match v {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

/// The request a client would send for this recording: its method, path, query and body.
struct Request {
    method: String,
    path: String,
    query: Vec<(String, String)>,
    body: Option<Vec<u8>>,
}

fn request_of(exchange: &Value) -> Request {
    let req = &exchange["request"];
    let query = req["query"]
        .as_object()
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| as_param(v).map(|v| (k.clone(), v)))
                .collect()
        })
        .unwrap_or_default();
    let body = match &req["body"] {
        Value::Null => None,
        Value::String(s) => Some(s.as_bytes().to_vec()),
        other => Some(serde_json::to_vec(other).expect("serializable")),
    };
    Request {
        method: req["method"].as_str().expect("method").to_owned(),
        path: req["path"].as_str().expect("path").to_owned(),
        query,
        body,
    }
}

/// The number of recorded parameters the matching rule scores for this exchange.
fn scored_param_count(exchange: &Value) -> i64 {
    let req = &exchange["request"];
    let mut pairs: Vec<(String, String)> = req["query"]
        .as_object()
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| as_param(v).map(|v| (k.clone(), v)))
                .collect()
        })
        .unwrap_or_default();
    match &req["body"] {
        Value::Object(m) => pairs.extend(m.iter().filter_map(|(k, v)| as_param(v).map(|v| (k.clone(), v)))),
        Value::String(s) => pairs.extend(url::form_urlencoded::parse(s.as_bytes()).into_owned()),
        _ => {}
    }
    let n = pairs
        .iter()
        .filter(|(k, v)| k != "access_token" && k != "appsecret_proof" && v != "REDACTED")
        .count();
    i64::try_from(n).expect("small")
}

/// Test-side normalisation: drop a leading `/vNN.N` segment.
fn strip_version(path: &str) -> String {
    let rest = path.trim_start_matches('/');
    let (first, tail) = rest.split_once('/').unwrap_or((rest, ""));
    let is_version = first.strip_prefix('v').is_some_and(|v| {
        v.split_once('.').is_some_and(|(a, b)| {
            !a.is_empty()
                && !b.is_empty()
                && a.chars().all(|c| c.is_ascii_digit())
                && b.chars().all(|c| c.is_ascii_digit())
        })
    });
    if is_version {
        format!("/{tail}")
    } else {
        path.to_owned()
    }
}

#[test]
fn loads_every_exchange_and_skips_webhooks() {
    let Some(dir) = fixtures_dir() else { return };
    let engine = ReplayEngine::load(&dir).expect("fixtures load");
    let files = exchange_files(&dir);
    assert!(!files.is_empty());
    assert_eq!(engine.len(), files.len());
    assert!(!engine.is_empty());
}

#[test]
fn every_recording_answers_its_own_request() {
    let Some(dir) = fixtures_dir() else { return };
    let engine = ReplayEngine::load(&dir).expect("fixtures load");
    for (name, path) in exchange_files(&dir) {
        let exchange = read_json(&path);
        let req = request_of(&exchange);
        let m = engine
            .select(&req.method, &req.path, &req.query, req.body.as_deref())
            .unwrap_or_else(|| panic!("{name}: no candidate for its own request"));
        let winner = if m.file == name {
            None
        } else {
            // Only an identical request recorded in a file that sorts first may win; the
            // answer is then that file's recording.
            assert!(m.file < name.as_str(), "{name}: lost to {}", m.file);
            let other = read_json(&dir.join(m.file));
            let o = request_of(&other);
            assert_eq!(o.method, req.method, "{name} vs {}", m.file);
            assert_eq!(strip_version(&o.path), strip_version(&req.path));
            let mut a = o.query.clone();
            let mut b = req.query.clone();
            a.sort();
            b.sort();
            assert_eq!(a, b, "{name} vs {}: query", m.file);
            Some(other)
        };
        let response = &winner.as_ref().unwrap_or(&exchange)["response"];
        let status = response["status"].as_u64().expect("status");
        assert_eq!(u64::from(m.answer.status), status, "{name}: status");
        let expected_body = serde_json::to_vec(&response["body"]).expect("serializable");
        assert_eq!(m.answer.body, expected_body, "{name}: body");
        // Every scored parameter is present with its recorded value.
        assert_eq!(m.score, 2 * scored_param_count(&exchange), "{name}: score");
        assert_eq!(m.answer.delay_ms, 0, "{name}: delay");

        // Recorded headers come back (arrays as several headers), plus a JSON content type;
        // transport headers are the server's own and are never replayed (`replay` docs).
        let headers = response["headers"].as_object().expect("headers");
        for (k, v) in headers
            .iter()
            .filter(|(k, _)| !TRANSPORT.contains(&k.to_ascii_lowercase().as_str()))
        {
            let sent: Vec<&str> = m
                .answer
                .headers
                .iter()
                .filter(|(hk, _)| hk == k)
                .map(|(_, hv)| hv.as_str())
                .collect();
            match v {
                Value::Array(items) => {
                    let want: Vec<&str> = items.iter().filter_map(Value::as_str).collect();
                    assert_eq!(sent, want, "{name}: header {k}");
                }
                Value::String(s) => assert_eq!(sent, vec![s.as_str()], "{name}: header {k}"),
                _ => {}
            }
        }
        assert!(
            m.answer.headers.iter().any(|(k, _)| k == "content-type"),
            "{name}: content-type"
        );
        assert!(
            !m.answer
                .headers
                .iter()
                .any(|(k, _)| TRANSPORT.contains(&k.to_ascii_lowercase().as_str())),
            "{name}: transport headers"
        );
    }
}

#[test]
fn tweepy_set_cookie_array_becomes_several_headers() {
    let Some(dir) = fixtures_dir() else { return };
    let engine = ReplayEngine::load(&dir).expect("fixtures load");
    let answer = engine
        .respond("GET", "/2/users/by/username/Twitter", &[], None)
        .expect("recorded");
    let cookies = answer.headers.iter().filter(|(k, _)| k == "set-cookie").count();
    assert_eq!(cookies, 2);
    assert!(answer
        .headers
        .contains(&("x-rate-limit-limit".to_owned(), "300".to_owned())));
    let body: Value = serde_json::from_slice(&answer.body).expect("JSON");
    assert_eq!(body["data"]["id"], "783214");
}

#[test]
fn graph_version_is_ignored_on_both_sides() {
    let Some(dir) = fixtures_dir() else { return };
    let engine = ReplayEngine::load(&dir).expect("fixtures load");
    // Recorded as /v18.0/17841454149711910/insights.
    let recorded = engine
        .select("GET", "/v18.0/17841454149711910/insights", &[], None)
        .expect("match with the recorded version");
    for path in ["/17841454149711910/insights", "/v25.0/17841454149711910/insights"] {
        let m = engine.select("GET", path, &[], None).expect(path);
        assert_eq!(m.file, recorded.file, "{path}");
        assert_eq!(m.file, "instagram/python-facebook__user-insights-reach-breakdown.json");
    }
    // Recorded without a version: /17841407673135339.
    let m = engine
        .select("GET", "/v25.0/17841407673135339", &[], None)
        .expect("unversioned recording");
    assert_eq!(m.file, "instagram/python-facebook__user-profile-fields.json");
    // Graph version stripping never touches other APIs' versions.
    assert!(engine.select("GET", "/users/me", &[], None).is_none());
}

fn q(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
}

#[test]
fn pagination_cursor_picks_the_page() {
    let Some(dir) = fixtures_dir() else { return };
    let engine = ReplayEngine::load(&dir).expect("fixtures load");
    let fields = "id,caption,comments_count,children{id,media_type,media_url,permalink,shortcode,thumbnail_url,timestamp},like_count,media_type,media_url,permalink,timestamp";
    let first = engine
        .select(
            "GET",
            "/v25.0/17841406338772941/media",
            &q(&[("fields", fields), ("limit", "2"), ("access_token", "sbx_ig_tok")]),
            None,
        )
        .expect("page 1");
    assert_eq!(first.file, "instagram/python-facebook__user-media-p1.json");
    let page: Value = serde_json::from_slice(&first.answer.body).expect("JSON");
    let after = page["paging"]["cursors"]["after"].as_str().expect("cursor");

    let second = engine
        .select(
            "GET",
            "/v25.0/17841406338772941/media",
            &q(&[("fields", fields), ("limit", "2"), ("after", after)]),
            None,
        )
        .expect("page 2");
    assert_eq!(second.file, "instagram/python-facebook__user-media-p2.json");
    assert_ne!(first.answer.body, second.answer.body);
    // fields +2, limit +2, after +2, pretty missing −1.
    assert_eq!(second.score, 5);

    // Facebook posts: `until` from the paging link picks page 2.
    let p2 = engine
        .select(
            "GET",
            "/v10.0/4/posts",
            &q(&[
                ("fields", "id,message,created_time"),
                ("until", "1624385168"),
                ("__paging_token", "__paging_token"),
            ]),
            None,
        )
        .expect("posts");
    assert_eq!(p2.file, "facebook/python-facebook__user-posts-p2.json");
    let p1 = engine
        .select("GET", "/4/posts", &q(&[("fields", "id,message,created_time")]), None)
        .expect("posts");
    assert_eq!(p1.file, "facebook/python-facebook__user-posts-p1.json");
}

#[test]
fn query_params_pick_between_recordings_of_one_path() {
    let Some(dir) = fixtures_dir() else { return };
    let engine = ReplayEngine::load(&dir).expect("fixtures load");
    // Two /2/users/me recordings: a bare request gets the bare recording.
    let bare = engine.select("GET", "/2/users/me", &[], None).expect("me");
    assert_eq!(bare.file, "x/tweepy__get-me.json");
    let fields = engine
        .select(
            "GET",
            "/2/users/me",
            &q(&[("user.fields", "created_at"), ("expansions", "pinned_tweet_id")]),
            None,
        )
        .expect("me");
    assert_eq!(fields.file, "x/python-twitter__users-me.json");
    // Instagram user insights: period=days_28 vs period=day.
    let days28 = engine
        .select(
            "GET",
            "/v5.0/id/insights",
            &q(&[("metric", "impressions,reach"), ("period", "days_28")]),
            None,
        )
        .expect("insights");
    assert_eq!(days28.file, "instagram/python-facebook__user-insights-days28-2019.json");
}

#[test]
fn tiktok_post_body_fields_count() {
    let Some(dir) = fixtures_dir() else { return };
    let engine = ReplayEngine::load(&dir).expect("fixtures load");
    let body =
        br#"{"client_id":"{app-id}","client_secret":"s3cret","grant_type":"refresh_token","refresh_token":"rft.x"}"#;
    let m = engine
        .select("POST", "/open_api/v1.3/tt_user/oauth2/refresh_token/", &[], Some(body))
        .expect("refresh");
    assert_eq!(m.file, "tiktok/python-tiktok__tt-user-oauth2-refresh-token.json");
    // client_id +2, grant_type +2; client_secret and refresh_token are REDACTED.
    assert_eq!(m.score, 4);
    // A GET on the same path is another request.
    assert!(engine
        .respond("GET", "/open_api/v1.3/tt_user/oauth2/refresh_token/", &[], None)
        .is_none());
}

fn account(platform: &str, id: &str, username: Option<&str>, owned: bool) -> ManifestAccount {
    ManifestAccount {
        platform: platform.to_owned(),
        external_id: id.to_owned(),
        username: username.map(str::to_owned),
        owned,
    }
}

#[test]
fn manifest_of_the_x_recordings() {
    let Some(dir) = fixtures_dir() else { return };
    let engine = ReplayEngine::load(&dir.join("x")).expect("x fixtures load");
    assert_eq!(
        engine.manifest(),
        vec![
            // users/me (python-twitter sorts before tweepy) is the owner.
            account("x", "2244994945", Some("TwitterDev"), true),
            account("x", "1072250532645998596", Some("TweepyDev"), false),
            // From /2/users/783214/{tweets,followers}, username from by/username/Twitter.
            account("x", "783214", Some("Twitter"), false),
        ]
    );
}

#[test]
fn manifest_of_the_instagram_recordings() {
    let Some(dir) = fixtures_dir() else { return };
    let engine = ReplayEngine::load(&dir.join("instagram")).expect("ig fixtures load");
    assert_eq!(
        engine.manifest(),
        vec![
            // /media + /stories + business_discovery; username from the stories items.
            account("instagram", "17841406338772941", Some("ikroskun"), true),
            // /{id}/insights with period=day (legacy doc).
            account("instagram", "17841400008460056", None, false),
            // GET /{id}?fields=…followers_count…
            account("instagram", "17841407673135339", Some("facebookfordevelopers"), false),
            // /v18.0/{id}/insights with period=day.
            account("instagram", "17841454149711910", None, false),
            // /{id}/insights with period=lifetime (ids sort as strings).
            account("instagram", "222222222222222", None, false),
        ]
    );
}

#[test]
fn manifest_of_all_recordings_is_ordered_by_platform() {
    let Some(dir) = fixtures_dir() else { return };
    let engine = ReplayEngine::load(&dir).expect("fixtures load");
    let manifest = engine.manifest();
    let platforms: Vec<&str> = manifest.iter().map(|a| a.platform.as_str()).collect();
    let mut order = platforms.clone();
    let rank = |p: &str| {
        ["x", "facebook", "instagram", "whatsapp", "tiktok"]
            .iter()
            .position(|q| *q == p)
            .expect("known platform")
    };
    order.sort_by_key(|p| rank(p));
    assert_eq!(platforms, order);
    for p in ["x", "facebook", "instagram", "whatsapp", "tiktok"] {
        let owned: Vec<&ManifestAccount> = manifest.iter().filter(|a| a.platform == p && a.owned).collect();
        assert_eq!(owned.len(), 1, "{p}: exactly one owned account");
        let first = manifest.iter().find(|a| a.platform == p).expect(p);
        assert!(first.owned, "{p}: owned account first");
    }
    let of = |p: &str| -> Vec<ManifestAccount> { manifest.iter().filter(|a| a.platform == p).cloned().collect() };
    assert_eq!(
        of("facebook"),
        vec![
            // The page of GET /me/accounts is the owner.
            account("facebook", "2121008874780932", None, true),
            account("facebook", "19292868552", None, false),
            account("facebook", "20531316728", Some("facebookapp"), false),
            account("facebook", "4", None, false),
        ]
    );
    assert_eq!(
        of("whatsapp"),
        vec![
            account("whatsapp", "102290129340398", None, true),
            account("whatsapp", "109259195336416", None, false),
            account("whatsapp", "161311403722088", None, false),
        ]
    );
    assert_eq!(of("tiktok"), vec![account("tiktok", "openid", None, true)]);
    assert_eq!(of("x").len(), 3);
    assert_eq!(of("instagram").len(), 5);
}
