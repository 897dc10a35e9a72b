//! `PlatformClient::collect` for Reddit on a fake oauth.reddit.com / www.reddit.com: an
//! owned user (karma, followers, submissions with `after` paging), a tracked user and a
//! tracked subreddit, the connect flow (Basic `client_id:`, `duration=permanent`, no
//! PKCE), revocation, and bad input (malformed bodies, bare 401 / 403 / 429, a repeating
//! `after`, a removed post, an unknown `post_hint`, a suspended user), each with a clear
//! error naming the endpoint and the rest of the account kept.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::reddit_support;

use alcance_core::{AccountRef, CollectionBatch, ContentType, Period, Platform};
use alcance_platforms::oauth::{AuthorizeRequest, OAuthApp, RedirectConfig};
use alcance_platforms::reddit::{provider, revoke, USER_AGENT};
use alcance_platforms::{CollectCtx, CollectWindow, Http, PlatformClient, PlatformError, Recorder};
use chrono::{DateTime, TimeZone, Utc};
use reddit_support::{link, listing, me_body, token, FakeReddit, Rule, TOKEN};
use secrecy::SecretString;
use serde_json::json;

const ME: &str = "/api/v1/me";
const SUBMITTED: &str = "/user/alcance_br/submitted";

fn until() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap()
}

/// Seconds of `until() - days`.
fn days_ago(days: i64) -> f64 {
    (until() - chrono::Duration::days(days)).timestamp() as f64
}

fn ctx(owned: bool, external_id: &str, username: Option<&str>) -> CollectCtx {
    CollectCtx {
        account: AccountRef {
            platform: Platform::Reddit,
            external_id: external_id.into(),
            username: username.map(str::to_string),
            owned,
        },
        token: token(),
        window: CollectWindow {
            since: until() - chrono::Duration::days(30),
            until: until(),
        },
        recorder: Recorder::new(),
    }
}

fn value(batch: &CollectionBatch, key: &str) -> Option<f64> {
    batch
        .account_metrics
        .iter()
        .find(|m| m.metric == key)
        .and_then(|m| m.value)
}

fn post_value(batch: &CollectionBatch, post: &str, key: &str) -> Option<f64> {
    batch
        .post_metrics
        .iter()
        .find(|m| m.post_external_id == post && m.metric == key)
        .and_then(|m| m.value)
}

#[tokio::test]
async fn an_owned_user_gives_karma_followers_and_every_page_of_submissions_in_the_window() {
    let fake = FakeReddit::start(vec![
        Rule::get(ME, me_body()),
        Rule::get(
            SUBMITTED,
            listing(vec![link("p3", days_ago(1)), link("p2", days_ago(2))], Some("t3_p2")),
        )
        .without("after"),
        Rule::get(
            SUBMITTED,
            listing(vec![link("p1", days_ago(20)), link("p0", days_ago(45))], Some("t3_p0")),
        )
        .with_query("after", "t3_p2"),
    ])
    .await;
    let batch = fake
        .client()
        .collect(&ctx(true, "t2_abc12", Some("alcance_br")))
        .await
        .expect("collect");
    assert_eq!(value(&batch, "followers"), Some(42.0));
    assert_eq!(value(&batch, "karma_post"), Some(1200.0));
    assert_eq!(value(&batch, "karma_comment"), Some(340.0));
    assert_eq!(value(&batch, "karma_total"), Some(1560.0));
    assert!(batch.account_metrics.iter().all(|m| m.period == Period::Snapshot));
    let ids: Vec<&str> = batch.posts.iter().map(|p| p.external_id.as_str()).collect();
    assert_eq!(
        ids,
        vec!["p3", "p2", "p1"],
        "p0 is older than the window; no third page"
    );
    assert_eq!(batch.posts[0].content_type, ContentType::Text);
    assert_eq!(
        batch.posts[0].permalink.as_deref(),
        Some("https://www.reddit.com/r/brasil/comments/p3/post/")
    );
    assert_eq!(post_value(&batch, "p3", "score"), Some(25.0));
    assert_eq!(post_value(&batch, "p3", "likes"), Some(25.0));
    assert_eq!(post_value(&batch, "p3", "upvote_ratio"), Some(0.93));
    assert_eq!(post_value(&batch, "p3", "comments"), Some(4.0));
    assert_eq!(post_value(&batch, "p3", "reposts"), Some(1.0));
    assert!(batch.warnings.is_empty(), "{:?}", batch.warnings);
    assert_eq!(batch.profile.as_ref().map(|p| p.external_id.as_str()), Some("t2_abc12"));
    let seen = fake.seen();
    assert_eq!(seen.len(), 3);
    for s in &seen {
        assert_eq!(s.authorization.as_deref(), Some(format!("Bearer {TOKEN}").as_str()));
        assert_eq!(s.param("raw_json"), Some("1"), "{s:?}");
        let ua = s.header("user-agent").unwrap_or_default();
        assert!(ua.starts_with(USER_AGENT), "descriptive User-Agent: {ua}");
        assert!(!s.query.iter().any(|(_, v)| v.contains(TOKEN)));
    }
    let pages = fake.seen_on(SUBMITTED);
    assert_eq!(pages[0].param("sort"), Some("new"));
    assert_eq!(pages[0].param("limit"), Some("100"));
    assert!(pages[0]
        .header("user-agent")
        .unwrap_or_default()
        .ends_with("(by /u/alcance_br)"));
}

#[tokio::test]
async fn a_repeating_after_stops_the_walk_with_a_warning_and_keeps_the_posts() {
    let fake = FakeReddit::start(vec![
        Rule::get(ME, me_body()),
        Rule::get(SUBMITTED, listing(vec![link("p2", days_ago(2))], Some("t3_same"))).without("after"),
        Rule::get(SUBMITTED, listing(vec![link("p1", days_ago(3))], Some("t3_same"))).with_query("after", "t3_same"),
    ])
    .await;
    let batch = fake
        .client()
        .collect(&ctx(true, "t2_abc12", Some("alcance_br")))
        .await
        .expect("collect");
    assert_eq!(batch.posts.len(), 2);
    let w = batch
        .warnings
        .iter()
        .find(|w| w.code == "pagination_loop")
        .expect("loop warning");
    assert!(w.message.contains(SUBMITTED), "{}", w.message);
    assert_eq!(fake.seen_on(SUBMITTED).len(), 2, "never a loop");
}

#[tokio::test]
async fn removed_posts_and_unknown_values_are_kept_with_warnings_and_strangers_skipped() {
    let mut removed = link("gone", days_ago(1));
    removed["data"]["removed_by_category"] = json!("deleted");
    removed["data"]["author"] = json!("[deleted]");
    let mut odd = link("odd", days_ago(1));
    odd["data"]["post_hint"] = json!("hologram");
    odd["data"]["score"] = json!("not a number");
    let comment = json!({"kind": "t1", "data": {"id": "c1"}});
    let no_id = json!({"kind": "t3", "data": {"title": "no id"}});
    let fake = FakeReddit::start(vec![
        Rule::get(ME, me_body()),
        Rule::get(
            SUBMITTED,
            listing(vec![removed, odd, comment, no_id, link("ok", days_ago(2))], None),
        ),
    ])
    .await;
    let batch = fake
        .client()
        .collect(&ctx(true, "t2_abc12", Some("alcance_br")))
        .await
        .expect("collect");
    let ids: Vec<&str> = batch.posts.iter().map(|p| p.external_id.as_str()).collect();
    assert_eq!(ids, vec!["gone", "odd", "ok"]);
    let codes: Vec<&str> = batch.warnings.iter().map(|w| w.code.as_str()).collect();
    assert!(
        codes.contains(&"removed") && codes.contains(&"unknown_value") && codes.contains(&"decode"),
        "{codes:?}"
    );
    assert!(batch.warnings.iter().all(|w| w.message.contains(SUBMITTED)));
    assert_eq!(
        post_value(&batch, "odd", "score"),
        None,
        "a score that is not a number is absent, not 0"
    );
    assert_eq!(post_value(&batch, "odd", "likes"), Some(25.0));
}

#[tokio::test]
async fn a_tracked_user_and_a_tracked_subreddit_are_read_by_handle() {
    let about = json!({"kind": "t2", "data": {"id": "zz9", "name": "ana_influencer", "created_utc": 1_400_000_000.0,
        "link_karma": 5000, "comment_karma": 7000, "total_karma": 12_500, "subreddit": {"subscribers": 900, "title": "Ana"}}});
    let sub = json!({"kind": "t5", "data": {"id": "2qh4c", "name": "t5_2qh4c", "display_name": "brasil",
        "title": "Brasil", "subscribers": 1_700_000, "active_user_count": null, "created_utc": 1_201_000_000.0,
        "subreddit_type": "public"}});
    let fake = FakeReddit::start(vec![
        Rule::get("/user/ana_influencer/about", about),
        Rule::get(
            "/user/ana_influencer/submitted",
            listing(vec![link("a1", days_ago(4))], None),
        ),
        Rule::get("/r/brasil/about", sub),
    ])
    .await;
    let client = fake.client();
    let user = client
        .collect(&ctx(false, "t2_zz9", Some("ana_influencer")))
        .await
        .expect("user");
    assert_eq!(value(&user, "followers"), Some(900.0));
    assert_eq!(value(&user, "karma_total"), Some(12_500.0));
    assert_eq!(user.posts.len(), 1);
    let sub = client
        .collect(&ctx(false, "t5_2qh4c", Some("r/brasil")))
        .await
        .expect("subreddit");
    assert_eq!(value(&sub, "followers"), Some(1_700_000.0));
    assert!(
        sub.account_metrics.iter().all(|m| m.metric != "active_users"),
        "a null active_user_count is not stored"
    );
    assert!(sub.posts.is_empty());
    assert_eq!(
        sub.profile.as_ref().and_then(|p| p.username.as_deref()),
        Some("r/brasil")
    );
    assert!(fake.seen_on(ME).is_empty(), "tracked profiles never read /api/v1/me");
}

#[tokio::test]
async fn a_suspended_user_gives_a_gap_and_no_metrics() {
    let fake = FakeReddit::start(vec![Rule::get(
        "/user/banido/about",
        json!({"kind": "t2", "data": {"name": "banido", "is_suspended": true, "awardee_karma": 0}}),
    )])
    .await;
    let batch = fake
        .client()
        .collect(&ctx(false, "t2_x1", Some("banido")))
        .await
        .expect("collect");
    assert!(batch.account_metrics.is_empty());
    assert_eq!(batch.gaps.len(), 1);
    assert_eq!(batch.gaps[0].code, "suspended");
    assert!(fake.seen_on("/user/banido/submitted").is_empty());
}

#[tokio::test]
async fn bad_answers_fail_the_account_with_errors_naming_the_endpoint() {
    let cases: Vec<(Rule, &str)> = vec![
        (Rule::raw(ME, 200, "application/json", "{\"name\": \"alc"), "decode"),
        (Rule::raw(ME, 200, "application/json", "[1, 2]"), "decode"),
        (Rule::raw(ME, 502, "text/html", "<html>bad gateway</html>"), "api"),
        (Rule::json(ME, 200, json!({"name": "no_id"})), "decode"),
        (
            Rule::json(ME, 401, json!({"message": "Unauthorized", "error": 401})).bare(),
            "unauthorized",
        ),
        (
            Rule::json(ME, 403, json!({"message": "Forbidden", "error": 403})).bare(),
            "forbidden",
        ),
        (
            Rule::json(ME, 429, json!({"message": "Too Many Requests", "error": 429})).bare(),
            "rate_limited",
        ),
    ];
    for (rule, want) in cases {
        let fake = FakeReddit::start(vec![rule]).await;
        let e = fake
            .client()
            .collect(&ctx(true, "t2_abc12", Some("alcance_br")))
            .await
            .expect_err("a bad answer");
        let text = e.to_string();
        assert!(text.contains(ME), "{want}: {text}");
        assert!(!text.contains(TOKEN));
        match (want, &e) {
            ("decode", PlatformError::Decode { .. })
            | ("api", PlatformError::Api { status: 502, .. })
            | ("unauthorized", PlatformError::Unauthorized { .. })
            | ("forbidden", PlatformError::Forbidden { .. }) => {}
            ("rate_limited", PlatformError::RateLimited { retry_after, .. }) => {
                assert_eq!(*retry_after, None, "no header says when: back off")
            }
            other => panic!("unexpected {other:?}"),
        }
    }
}

#[tokio::test]
async fn a_later_page_failing_keeps_the_profile_and_the_first_page() {
    let fake = FakeReddit::start(vec![
        Rule::get(ME, me_body()),
        Rule::get(SUBMITTED, listing(vec![link("p2", days_ago(2))], Some("t3_p2"))).without("after"),
        Rule::json(SUBMITTED, 401, json!({"message": "Unauthorized", "error": 401}))
            .bare()
            .with_query("after", "t3_p2"),
    ])
    .await;
    let batch = fake
        .client()
        .collect(&ctx(true, "t2_abc12", Some("alcance_br")))
        .await
        .expect("collect");
    assert_eq!(batch.posts.len(), 1);
    assert_eq!(value(&batch, "karma_total"), Some(1560.0));
    assert!(batch.stopped.is_some(), "a refused token stops the account");
    let w = batch
        .warnings
        .iter()
        .find(|w| w.code == "unauthorized")
        .expect("warning");
    assert!(w.message.contains(SUBMITTED), "{}", w.message);
}

#[tokio::test]
async fn an_owned_account_read_with_another_users_token_is_read_as_public() {
    let about = json!({"kind": "t2", "data": {"id": "old99", "name": "outra_conta", "link_karma": 1, "comment_karma": 2, "total_karma": 3}});
    let fake = FakeReddit::start(vec![
        Rule::get(ME, me_body()),
        Rule::get("/user/outra_conta/about", about),
        Rule::get("/user/outra_conta/submitted", listing(vec![], None)),
    ])
    .await;
    let batch = fake
        .client()
        .collect(&ctx(true, "t2_old99", Some("outra_conta")))
        .await
        .expect("collect");
    assert!(batch.warnings.iter().any(|w| w.code == "account_mismatch"));
    assert_eq!(value(&batch, "karma_total"), Some(3.0));
}

#[tokio::test]
async fn the_authorize_url_asks_for_a_permanent_grant_without_pkce() {
    let fake = FakeReddit::start(vec![]).await;
    let app = OAuthApp {
        platform: Platform::Reddit,
        client_id: "my-reddit-app".into(),
        client_secret: None,
        scopes: Vec::new(),
        redirect: RedirectConfig::fixed(8725),
    };
    let req = AuthorizeRequest::new(&app, &provider(&fake.endpoints()), "http://127.0.0.1:8725/callback").expect("url");
    let q: Vec<(String, String)> = req.url.query_pairs().into_owned().collect();
    let get = |k: &str| q.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    assert_eq!(req.url.path(), "/api/v1/authorize");
    assert_eq!(get("duration"), Some("permanent"));
    assert_eq!(get("response_type"), Some("code"));
    assert_eq!(get("scope"), Some("identity read history"));
    assert_eq!(get("client_id"), Some("my-reddit-app"));
    assert_eq!(get("redirect_uri"), Some("http://127.0.0.1:8725/callback"));
    assert!(get("state").is_some_and(|s| !s.is_empty()));
    assert_eq!(get("code_challenge"), None);
}

#[tokio::test]
async fn the_code_exchange_authenticates_with_basic_client_id_and_an_empty_password() {
    let fake = FakeReddit::start(vec![Rule::json(
        "/api/v1/access_token",
        200,
        json!({"access_token": "at-1", "token_type": "bearer", "expires_in": 86400, "refresh_token": "rt-1", "scope": "identity read history"}),
    )
    .post()])
    .await;
    let app = OAuthApp {
        platform: Platform::Reddit,
        client_id: "my-reddit-app".into(),
        client_secret: None,
        scopes: Vec::new(),
        redirect: RedirectConfig::fixed(8725),
    };
    let p = provider(&fake.endpoints());
    let req = AuthorizeRequest::new(&app, &p, "http://127.0.0.1:8725/callback").expect("url");
    let set = req
        .exchange(&app, &p, &SecretString::from("the-code".to_string()))
        .await
        .expect("tokens");
    assert!(set.refresh_token.is_some());
    assert!(
        set.expires_at
            .is_some_and(|t| t > Utc::now() + chrono::Duration::hours(23)),
        "expires_in trusted"
    );
    let seen = fake.seen_on("/api/v1/access_token");
    assert_eq!(seen[0].authorization.as_deref(), Some("Basic bXktcmVkZGl0LWFwcDo="));
    let form = &seen[0].form;
    assert!(form.contains(&("grant_type".into(), "authorization_code".into())));
    assert!(form.contains(&("code".into(), "the-code".into())));
    assert!(form.contains(&("redirect_uri".into(), "http://127.0.0.1:8725/callback".into())));
    assert!(
        form.iter().all(|(k, _)| k != "code_verifier" && k != "client_id"),
        "{form:?}"
    );
}

#[tokio::test]
async fn revoking_posts_the_refresh_token_in_the_form_with_basic_auth() {
    let fake = FakeReddit::start(vec![Rule::raw("/api/v1/revoke_token", 204, "text/plain", "").post()]).await;
    let secret = SecretString::from("rt-to-revoke".to_string());
    revoke(&Http::new().expect("http"), &fake.endpoints(), "my-reddit-app", &secret)
        .await
        .expect("revoked");
    let seen = fake.seen_on("/api/v1/revoke_token");
    assert_eq!(seen.len(), 1);
    assert!(seen[0].query.is_empty(), "the token never goes in the URL");
    assert!(seen[0].form.contains(&("token".into(), "rt-to-revoke".into())));
    assert!(seen[0]
        .form
        .contains(&("token_type_hint".into(), "refresh_token".into())));
    assert_eq!(seen[0].authorization.as_deref(), Some("Basic bXktcmVkZGl0LWFwcDo="));

    let refused = FakeReddit::start(vec![Rule::json(
        "/api/v1/revoke_token",
        401,
        json!({"message": "Unauthorized", "error": 401}),
    )
    .post()])
    .await;
    let e = revoke(&Http::new().expect("http"), &refused.endpoints(), "wrong", &secret)
        .await
        .expect_err("refused");
    assert!(
        matches!(e, PlatformError::OAuth { .. }) && e.to_string().contains("/api/v1/revoke_token"),
        "{e}"
    );
    assert!(!e.to_string().contains("rt-to-revoke"));
}
