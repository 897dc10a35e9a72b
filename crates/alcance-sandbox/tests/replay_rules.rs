//! The matching rule, answers and load errors of the replay engine, on exchange files
//! written into a temporary directory (always runs; no shared fixtures needed).

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers may panic on a broken fixture

use std::path::Path;

use alcance_sandbox::replay::{ManifestAccount, ReplayEngine, ReplayError};
use serde_json::{json, Value};

fn write(dir: &Path, name: &str, content: &str) {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("mkdir");
    }
    std::fs::write(path, content).expect("write");
}

/// An exchange file in the fixtures format.
fn exchange(platform: &str, method: &str, path: &str, query: Value, response: Value) -> String {
    json!({
        "platform": platform,
        "source": {"repo": "alcance/tests", "path": "synthetic", "commit": null, "license": "MIT"},
        "note": "synthetic exchange written by the replay tests",
        "request": {"method": method, "host": "graph.facebook.com", "path": path, "query": query, "body": null},
        "request_inferred": false,
        "response": response,
    })
    .to_string()
}

fn post_exchange(platform: &str, path: &str, body: Value, response: Value) -> String {
    json!({
        "platform": platform,
        "request": {"method": "POST", "host": "api.x.com", "path": path, "query": {}, "body": body},
        "request_inferred": false,
        "response": response,
    })
    .to_string()
}

fn ok(body: Value) -> Value {
    json!({"status": 200, "headers": {"content-type": "application/json; charset=UTF-8"}, "body": body})
}

fn q(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
}

fn body_json(bytes: &[u8]) -> Value {
    serde_json::from_slice(bytes).expect("JSON body")
}

#[test]
fn graph_version_is_removed_from_both_paths() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "ig/versioned.json",
        &exchange(
            "instagram",
            "GET",
            "/v18.0/123/insights",
            json!({}),
            ok(json!({"v": 18})),
        ),
    );
    write(
        dir.path(),
        "ig/plain.json",
        &exchange("instagram", "GET", "/x", json!({}), ok(json!({"v": 0}))),
    );
    let engine = ReplayEngine::load(dir.path()).expect("load");
    for path in ["/123/insights", "/v18.0/123/insights", "/v25.0/123/insights"] {
        let a = engine.respond("GET", path, &[], None).expect(path);
        assert_eq!(body_json(&a.body), json!({"v": 18}), "{path}");
    }
    for path in ["/x", "/v18.0/x", "/v9.1/x"] {
        let a = engine.respond("GET", path, &[], None).expect(path);
        assert_eq!(body_json(&a.body), json!({"v": 0}), "{path}");
    }
    assert!(engine.respond("GET", "/v18.0/124/insights", &[], None).is_none());
    assert!(engine.respond("GET", "/v18/x", &[], None).is_none());
    assert!(engine.respond("GET", "/x/", &[], None).is_none());
    // The method must match too (any case).
    assert!(engine.respond("POST", "/x", &[], None).is_none());
    assert!(engine.respond("get", "/x", &[], None).is_some());
}

#[test]
fn score_rule_same_other_missing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = "/17841400000000001/media";
    write(
        dir.path(),
        "a_fields.json",
        &exchange(
            "instagram",
            "GET",
            path,
            json!({"fields": "id,caption"}),
            ok(json!({"f": "a"})),
        ),
    );
    write(
        dir.path(),
        "b_fields_after.json",
        &exchange(
            "instagram",
            "GET",
            path,
            json!({"fields": "id,caption", "after": "CURSOR2"}),
            ok(json!({"f": "b"})),
        ),
    );
    write(
        dir.path(),
        "c_bare.json",
        &exchange("instagram", "GET", path, json!({}), ok(json!({"f": "c"}))),
    );
    let engine = ReplayEngine::load(dir.path()).expect("load");
    assert_eq!(engine.len(), 3);

    let pick = |query: &[(&str, &str)]| {
        let m = engine.select("GET", path, &q(query), None).expect("candidate");
        (m.file.to_owned(), m.score)
    };
    // a: +2; b: +2 −1; c: 0.
    assert_eq!(pick(&[("fields", "id,caption")]), ("a_fields.json".into(), 2));
    // a: +2; b: +2 +2.
    assert_eq!(
        pick(&[("fields", "id,caption"), ("after", "CURSOR2")]),
        ("b_fields_after.json".into(), 4)
    );
    // Another cursor value still beats no cursor: b: +2 +1 = 3 > a: 2.
    assert_eq!(
        pick(&[("fields", "id,caption"), ("after", "CURSOR9")]),
        ("b_fields_after.json".into(), 3)
    );
    // Other fields value: a: +1; b: +1 −1; c: 0.
    assert_eq!(pick(&[("fields", "id")]), ("a_fields.json".into(), 1));
    // Nothing asked: a: −1; b: −2; c: 0.
    assert_eq!(pick(&[]), ("c_bare.json".into(), 0));
    // Parameters the recordings lack do not count.
    assert_eq!(pick(&[("limit", "25"), ("pretty", "0")]), ("c_bare.json".into(), 0));
    // A `?query` left on the path is read as well.
    let m = engine
        .select("GET", &format!("{path}?fields=id%2Ccaption&after=CURSOR2"), &[], None)
        .expect("candidate");
    assert_eq!((m.file, m.score), ("b_fields_after.json", 4));
}

#[test]
fn credentials_and_redacted_values_never_score() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = "/debug_token";
    write(
        dir.path(),
        "a_redacted.json",
        &exchange(
            "facebook",
            "GET",
            path,
            json!({
                "access_token": "REDACTED",
                "appsecret_proof": "0123abcd",
                "input_token": "REDACTED",
                "metric": "reach"
            }),
            ok(json!({"f": "a"})),
        ),
    );
    write(
        dir.path(),
        "b_period.json",
        &exchange(
            "facebook",
            "GET",
            path,
            json!({"metric": "reach", "period": "day"}),
            ok(json!({"f": "b"})),
        ),
    );
    let engine = ReplayEngine::load(dir.path()).expect("load");
    for query in [
        q(&[("metric", "reach")]),
        q(&[("metric", "reach"), ("access_token", "EAAB-real-looking")]),
        q(&[("metric", "reach"), ("input_token", "other"), ("appsecret_proof", "ff")]),
    ] {
        let m = engine.select("GET", path, &query, None).expect("candidate");
        // a: metric +2 only (nothing else scores); b: +2 −1.
        assert_eq!((m.file, m.score), ("a_redacted.json", 2), "{query:?}");
    }
    let m = engine
        .select("GET", path, &q(&[("metric", "reach"), ("period", "day")]), None)
        .expect("candidate");
    assert_eq!((m.file, m.score), ("b_period.json", 4));
}

#[test]
fn ties_go_to_the_name_that_sorts_first() {
    let dir = tempfile::tempdir().expect("tempdir");
    let same = |f: &str| exchange("x", "GET", "/2/users/me", json!({"a": "1"}), ok(json!({"f": f})));
    write(dir.path(), "m.json", &same("m"));
    write(dir.path(), "b/z.json", &same("b/z"));
    write(dir.path(), "c.json", &same("c"));
    let engine = ReplayEngine::load(dir.path()).expect("load");
    for query in [q(&[("a", "1")]), q(&[("a", "2")]), q(&[])] {
        let m = engine.select("GET", "/2/users/me", &query, None).expect("candidate");
        assert_eq!(m.file, "b/z.json", "{query:?}");
        assert_eq!(body_json(&m.answer.body), json!({"f": "b/z"}));
    }
    // A higher score still beats a better name.
    write(
        dir.path(),
        "z_more.json",
        &exchange(
            "x",
            "GET",
            "/2/users/me",
            json!({"a": "1", "b": "2"}),
            ok(json!({"f": "z"})),
        ),
    );
    let engine = ReplayEngine::load(dir.path()).expect("reload");
    let m = engine
        .select("GET", "/2/users/me", &q(&[("a", "1"), ("b", "2")]), None)
        .expect("candidate");
    assert_eq!((m.file, m.score), ("z_more.json", 4));
}

#[test]
fn post_bodies_count_as_parameters() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "token_code.json",
        &post_exchange(
            "x",
            "/2/oauth2/token",
            json!({"grant_type": "authorization_code", "code": "REDACTED", "client_id": "app1"}),
            ok(json!({"f": "code"})),
        ),
    );
    write(
        dir.path(),
        "token_refresh.json",
        &post_exchange(
            "x",
            "/2/oauth2/token",
            json!({"grant_type": "refresh_token", "refresh_token": "REDACTED", "client_id": "app1"}),
            ok(json!({"f": "refresh"})),
        ),
    );
    write(
        dir.path(),
        "token_client.json",
        &post_exchange(
            "x",
            "/oauth2/token",
            json!("grant_type=client_credentials"),
            ok(json!({"f": "client"})),
        ),
    );
    write(
        dir.path(),
        "token_client_other.json",
        &post_exchange(
            "x",
            "/oauth2/token",
            json!("grant_type=password&scope=x"),
            ok(json!({"f": "password"})),
        ),
    );
    let engine = ReplayEngine::load(dir.path()).expect("load");

    // JSON object body: top-level fields.
    let m = engine
        .select(
            "POST",
            "/2/oauth2/token",
            &[],
            Some(br#"{"grant_type":"refresh_token","refresh_token":"rt-1","client_id":"app1"}"#),
        )
        .expect("candidate");
    assert_eq!((m.file, m.score), ("token_refresh.json", 4));
    // Form-encoded body: its pairs.
    let m = engine
        .select(
            "POST",
            "/2/oauth2/token",
            &[],
            Some(b"grant_type=authorization_code&code=abc&client_id=app1&code_verifier=v"),
        )
        .expect("candidate");
    assert_eq!((m.file, m.score), ("token_code.json", 4));
    // A recorded form-encoded body string, matched by a form or a JSON body.
    let m = engine
        .select("POST", "/oauth2/token", &[], Some(b"grant_type=client_credentials"))
        .expect("candidate");
    assert_eq!((m.file, m.score), ("token_client.json", 2));
    let m = engine
        .select(
            "POST",
            "/oauth2/token",
            &[],
            Some(br#"{"grant_type":"password","scope":"x"}"#),
        )
        .expect("candidate");
    assert_eq!((m.file, m.score), ("token_client_other.json", 4));
    // No body: every recorded field is missing; the tie goes to the first name.
    let m = engine.select("POST", "/2/oauth2/token", &[], None).expect("candidate");
    assert_eq!((m.file, m.score), ("token_code.json", -2));
    // Garbage bodies do not panic and score as "no parameters".
    for garbage in [&b"\xff\xfe\x00"[..], b"[1,2]", b"{\"trunc", b"   "] {
        let m = engine
            .select("POST", "/2/oauth2/token", &[], Some(garbage))
            .expect("candidate");
        assert_eq!(m.file, "token_code.json");
    }
}

#[test]
fn query_values_are_tolerant_of_json_types() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "typed.json",
        &exchange(
            "facebook",
            "GET",
            "/19292868552/videos",
            json!({"limit": 2, "summary": true, "ids": [1, 2], "skip": null}),
            ok(json!({"data": []})),
        ),
    );
    let engine = ReplayEngine::load(dir.path()).expect("load");
    let m = engine
        .select(
            "GET",
            "/19292868552/videos",
            &q(&[("limit", "2"), ("summary", "true"), ("ids", "[1,2]")]),
            None,
        )
        .expect("candidate");
    // `skip: null` is no parameter, so it is not "missing".
    assert_eq!(m.score, 6);
}

#[test]
fn body_text_delay_and_headers_are_replayed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let html = "<!DOCTYPE html>\n<html><body><h1>502 Bad Gateway</h1></body></html>\n";
    write(
        dir.path(),
        "html.json",
        &exchange(
            "instagram",
            "GET",
            "/v25.0/1/media",
            json!({"after": "html"}),
            json!({"status": 502, "headers": {"content-type": "text/html; charset=utf-8"}, "body_text": html}),
        ),
    );
    let truncated = r#"{"data":[{"id":"1789","like_count":"#;
    write(
        dir.path(),
        "truncated.json",
        &exchange(
            "instagram",
            "GET",
            "/v25.0/1/media",
            json!({"after": "truncated"}),
            json!({"status": 200, "headers": {}, "body_text": truncated, "delay_ms": 1500}),
        ),
    );
    write(
        dir.path(),
        "empty.json",
        &exchange(
            "instagram",
            "DELETE",
            "/v25.0/1/media",
            json!({}),
            json!({"status": 204, "headers": {"x-fb-trace-id": "abc"}, "body_text": ""}),
        ),
    );
    write(
        dir.path(),
        "headers.json",
        &exchange(
            "x",
            "GET",
            "/2/users/me",
            json!({}),
            json!({
                "status": 429,
                "headers": {
                    "set-cookie": ["a=1; Path=/", "b=2; Path=/"],
                    "content-length": "999",
                    "Content-Encoding": "gzip",
                    "transfer-encoding": "chunked",
                    "connection": "keep-alive",
                    "x-rate-limit-remaining": 0,
                    "x-rate-limit-reset": "1700000000"
                },
                "body": {"title": "Too Many Requests", "status": 429},
                "delay_ms": 20
            }),
        ),
    );
    let engine = ReplayEngine::load(dir.path()).expect("load");

    let a = engine
        .respond("GET", "/1/media", &q(&[("after", "html")]), None)
        .expect("html");
    assert_eq!(a.status, 502);
    assert_eq!(a.body, html.as_bytes());
    assert_eq!(
        a.headers,
        vec![("content-type".to_owned(), "text/html; charset=utf-8".to_owned())]
    );
    assert_eq!(a.delay_ms, 0);

    let a = engine
        .respond("GET", "/1/media", &q(&[("after", "truncated")]), None)
        .expect("truncated");
    assert_eq!(a.status, 200);
    assert_eq!(a.body, truncated.as_bytes());
    assert!(serde_json::from_slice::<Value>(&a.body).is_err());
    // body_text gets no JSON content type added.
    assert!(a.headers.is_empty());
    assert_eq!(a.delay_ms, 1500);

    let a = engine.respond("DELETE", "/1/media", &[], None).expect("empty");
    assert_eq!((a.status, a.body.len()), (204, 0));

    let a = engine.respond("GET", "/2/users/me", &[], None).expect("429");
    assert_eq!(a.status, 429);
    assert_eq!(a.delay_ms, 20);
    // Compact JSON.
    let compact = serde_json::to_vec(&json!({"title": "Too Many Requests", "status": 429})).expect("json");
    assert_eq!(a.body, compact);
    assert!(!a.body.contains(&b'\n'));
    let names: Vec<&str> = a.headers.iter().map(|(k, _)| k.as_str()).collect();
    for dropped in ["content-length", "Content-Encoding", "transfer-encoding", "connection"] {
        assert!(!names.contains(&dropped), "{dropped} dropped");
    }
    let cookies: Vec<&str> = a
        .headers
        .iter()
        .filter(|(k, _)| k == "set-cookie")
        .map(|(_, v)| v.as_str())
        .collect();
    assert_eq!(cookies, vec!["a=1; Path=/", "b=2; Path=/"]);
    assert!(a
        .headers
        .contains(&("x-rate-limit-remaining".to_owned(), "0".to_owned())));
    assert!(a
        .headers
        .contains(&("content-type".to_owned(), "application/json".to_owned())));
}

#[test]
fn percent_encoded_paths_match_recorded_placeholders() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "placeholder.json",
        &exchange(
            "facebook",
            "GET",
            "/{page-id}",
            json!({}),
            json!({"status": 400, "headers": {}, "body": {"error": {"code": 100}}}),
        ),
    );
    let engine = ReplayEngine::load(dir.path()).expect("load");
    let a = engine.respond("GET", "/%7Bpage-id%7D", &[], None).expect("decoded");
    assert_eq!(a.status, 400);
    assert!(engine.respond("GET", "/{page-id}", &[], None).is_some());
}

#[test]
fn not_found_names_method_and_path() {
    let a = ReplayEngine::not_found("GET", "/2/users/42/tweets");
    assert_eq!(a.status, 404);
    assert_eq!(a.delay_ms, 0);
    assert!(a
        .headers
        .contains(&("content-type".to_owned(), "application/json".to_owned())));
    let body = body_json(&a.body);
    assert_eq!(body["method"], "GET");
    assert_eq!(body["path"], "/2/users/42/tweets");
    let detail = body["detail"].as_str().expect("detail");
    assert!(detail.contains("GET /2/users/42/tweets"), "{detail}");
}

#[test]
fn load_skips_webhooks_and_other_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "whatsapp/pywa__statuses.webhook.json",
        r#"{"platform":"whatsapp","webhook":{"object":"whatsapp_business_account"}}"#,
    );
    write(dir.path(), "README.md", "# not an exchange");
    write(dir.path(), "notes.txt", "{ not json");
    let engine = ReplayEngine::load(dir.path()).expect("load");
    assert!(engine.is_empty());
    assert_eq!(engine.len(), 0);
    assert!(engine.manifest().is_empty());
    write(
        dir.path(),
        "x/deep/deeper/one.json",
        &exchange(
            "x",
            "GET",
            "/2/users/me",
            json!({}),
            ok(json!({"data": {"id": "9", "username": "nine"}})),
        ),
    );
    let engine = ReplayEngine::load(dir.path()).expect("load");
    assert_eq!(engine.len(), 1);
    assert_eq!(
        engine.select("GET", "/2/users/me", &[], None).expect("found").file,
        "x/deep/deeper/one.json"
    );
}

/// Loads a directory holding one file `bad.json` and returns the error.
fn load_error(content: &str) -> ReplayError {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "good.json",
        &exchange("x", "GET", "/a", json!({}), ok(json!({}))),
    );
    write(dir.path(), "sub/bad.json", content);
    match ReplayEngine::load(dir.path()) {
        Ok(_) => panic!("loading {content:?} should fail"),
        Err(e) => {
            assert!(e.to_string().contains("bad.json"), "error names the file: {e}");
            e
        }
    }
}

#[test]
fn malformed_files_are_errors_naming_the_file() {
    for content in [
        "",
        "{\"request\": {\"method\": \"GET\"",
        "<html>502</html>",
        "\u{feff}[",
    ] {
        assert!(matches!(load_error(content), ReplayError::Json { .. }), "{content:?}");
    }
    let good_response = json!({"status": 200, "headers": {}, "body": {}});
    let malformed = [
        json!([1, 2]),
        json!({"request": {"path": "/a"}, "response": good_response}),
        json!({"request": {"method": "GET"}, "response": good_response}),
        json!({"request": {"method": "GET", "path": "/a"}}),
        json!({"request": {"method": "GET", "path": "/a", "query": "a=1"}, "response": good_response}),
        json!({"request": {"method": "GET", "path": "/a"}, "response": {"status": "200"}}),
        json!({"request": {"method": "GET", "path": "/a"}, "response": {"status": 70000}}),
        json!({"request": {"method": "GET", "path": "/a"}, "response": {"status": 200, "delay_ms": -5}}),
        json!({"request": {"method": "GET", "path": "/a"}, "response": {"status": 200, "body": {}, "body_text": "x"}}),
        json!({"request": {"method": "GET", "path": "/a"}, "response": {"status": 200, "body_text": 5}}),
        json!({"request": {"method": "GET", "path": "/a"}, "response": {"status": 200, "headers": {"x-a": {"b": 1}}}}),
        json!({"request": {"method": "GET", "path": "/a"}, "response": {"status": 200, "headers": {"x-a": "line\r\nbreak"}}}),
        json!({"request": {"method": "GET", "path": "/a"}, "response": {"status": 200, "headers": {"bad name": "v"}}}),
    ];
    for content in malformed {
        let e = load_error(&content.to_string());
        assert!(matches!(e, ReplayError::Malformed { .. }), "{content}: {e}");
    }
}

#[test]
fn a_header_error_does_not_echo_the_value() {
    let secret = "sessionid=super-secret-cookie\n";
    let e = load_error(
        &json!({"request": {"method": "GET", "path": "/a"}, "response": {"status": 200, "headers": {"set-cookie": secret}}})
            .to_string(),
    );
    assert!(!e.to_string().contains("super-secret"), "{e}");
    assert!(e.to_string().contains("set-cookie"), "{e}");
}

#[test]
fn missing_directory_is_an_io_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let missing = dir.path().join("nope");
    let e = ReplayEngine::load(&missing).expect_err("missing dir");
    assert!(matches!(e, ReplayError::Io { .. }));
    assert!(e.to_string().contains("nope"), "{e}");
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
fn manifest_from_synthetic_recordings() {
    let dir = tempfile::tempdir().expect("tempdir");
    // X: no users/me, so the first account found (file order) is owned.
    write(
        dir.path(),
        "x/a_tweets.json",
        &exchange("x", "GET", "/2/users/500/tweets", json!({}), ok(json!({"data": []}))),
    );
    write(
        dir.path(),
        "x/b_user.json",
        &exchange(
            "x",
            "GET",
            "/2/users/by/username/five",
            json!({}),
            ok(json!({"data": {"id": "500", "username": "five"}})),
        ),
    );
    write(
        dir.path(),
        "x/c_mentions.json",
        &exchange("x", "GET", "/2/users/100/mentions", json!({}), ok(json!({"data": []}))),
    );
    write(
        dir.path(),
        "x/d_placeholder.json",
        &exchange(
            "x",
            "GET",
            "/2/users/{id}/followers",
            json!({}),
            ok(json!({"data": []})),
        ),
    );
    write(
        dir.path(),
        "x/e_error_user.json",
        &exchange(
            "x",
            "GET",
            "/2/users/by/username/ghost",
            json!({}),
            json!({"status": 404, "headers": {}, "body": {"errors": [{"title": "Not Found Error"}]}}),
        ),
    );
    // Instagram: insights without period are media insights; /stories does not own.
    write(
        dir.path(),
        "ig/a_media_insights.json",
        &exchange(
            "instagram",
            "GET",
            "/900/insights",
            json!({"metric": "reach"}),
            ok(json!({"data": []})),
        ),
    );
    write(
        dir.path(),
        "ig/b_stories.json",
        &exchange("instagram", "GET", "/700/stories", json!({}), ok(json!({"data": []}))),
    );
    write(
        dir.path(),
        "ig/c_media.json",
        &exchange(
            "instagram",
            "GET",
            "/v25.0/800/media",
            json!({}),
            ok(json!({"data": [{"id": "1"}, {"id": "2", "username": "eight"}]})),
        ),
    );
    write(
        dir.path(),
        "ig/d_media_node.json",
        &exchange(
            "instagram",
            "GET",
            "/600",
            json!({"fields": "id,owner{followers_count}"}),
            ok(json!({"id": "600"})),
        ),
    );
    // TikTok Display API token answer (top-level open_id).
    write(
        dir.path(),
        "tt/token.json",
        &post_exchange(
            "tiktok",
            "/v2/oauth/token/",
            json!("grant_type=authorization_code&code=REDACTED"),
            ok(json!({"open_id": "-000abc", "scope": "user.info.basic"})),
        ),
    );

    let engine = ReplayEngine::load(dir.path()).expect("load");
    assert_eq!(
        engine.manifest(),
        vec![
            account("x", "500", Some("five"), true),
            account("x", "100", None, false),
            account("instagram", "800", Some("eight"), true),
            account("instagram", "700", None, false),
            account("tiktok", "-000abc", None, true),
        ]
    );
    // The manifest serializes as ADR 0001 shows it.
    let wire = serde_json::to_value(&engine.manifest()[0]).expect("serialize");
    assert_eq!(
        wire,
        json!({"platform": "x", "external_id": "500", "username": "five", "owned": true})
    );
}
