//! The LinkedIn client against a fake LinkedIn on 127.0.0.1: the requests it sends
//! (version headers, Rest.li query values with encoded URNs), `whoami`, a whole `collect`,
//! and bad input: a refused token, a 403 on a partner-only read (a `permission` gap, the
//! rest collected), a 429 without headers, a malformed page, a page that repeats, a deleted
//! post and an unknown lifecycle state.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::linkedin_support;

use alcance_core::{AccountRef, Period, Platform};
use alcance_platforms::linkedin::{LinkedInClient, LINKEDIN_VERSION, POSTS_PER_PAGE};
use alcance_platforms::{CollectCtx, CollectWindow, Endpoints, Http, PlatformClient, PlatformError, Recorder};
use chrono::{DateTime, Duration, Utc};
use linkedin_support::{rest, token, FakeLinkedIn, Rule, Seen, TOKEN, USERINFO};
use serde_json::{json, Value};

const ORG: &str = "2414183";
const ORG_URN: &str = "urn:li:organization:2414183";
const ORG_ENC: &str = "urn%3Ali%3Aorganization%3A2414183";

fn now() -> DateTime<Utc> {
    Utc::now()
}

fn ms(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

fn ctx(owned: bool, days: i64) -> CollectCtx {
    CollectCtx {
        account: AccountRef {
            platform: Platform::Linkedin,
            external_id: ORG.to_string(),
            username: Some("acme".to_string()),
            owned,
        },
        token: token(),
        window: CollectWindow {
            since: now() - Duration::days(days),
            until: now(),
        },
        recorder: Recorder::new(),
    }
}

fn organization() -> Rule {
    Rule::get(
        &rest(&format!("organizations/{ORG}")),
        json!({"id": 2414183, "localizedName": "Acme", "vanityName": "acme", "versionTag": "1"}),
    )
}

fn network_size() -> Rule {
    Rule::get(
        &rest(&format!("networkSizes/{ORG_URN}")),
        json!({"firstDegreeSize": 1234}),
    )
    .with_query("edgeType", "COMPANY_FOLLOWED_BY_MEMBER")
}

fn demographics() -> Rule {
    Rule::get(
        &rest("organizationalEntityFollowerStatistics"),
        json!({"paging": {"start": 0, "count": 10, "links": []}, "elements": [{
            "followerCountsByAssociationType": [{"associationType": "EMPLOYEE", "followerCounts": {"organicFollowerCount": 10, "paidFollowerCount": 0}}],
            "followerCountsBySeniority": [{"seniority": "urn:li:seniority:3", "followerCounts": {"organicFollowerCount": 500, "paidFollowerCount": 20}}],
            "followerCountsByGeoCountry": [{"geo": "urn:li:geo:106057199", "followerCounts": {"organicFollowerCount": 900, "paidFollowerCount": 1}}, {"followerCounts": {}}],
            "organizationalEntity": ORG_URN
        }]}),
    )
    .without("timeIntervals")
}

fn day_range(i: i64) -> Value {
    let start = (now() - Duration::days(3 - i))
        .date_naive()
        .and_hms_opt(0, 0, 0)
        .unwrap()
        .and_utc();
    json!({"start": ms(start), "end": ms(start + Duration::days(1))})
}

fn gains() -> Rule {
    let elements: Vec<Value> = (0..3)
        .map(|i| json!({"timeRange": day_range(i), "followerGains": {"organicFollowerGain": 4 + i, "paidFollowerGain": 1}, "organizationalEntity": ORG_URN}))
        .collect();
    let mut rule = Rule::get(
        &rest("organizationalEntityFollowerStatistics"),
        json!({"paging": {"start": 0, "count": 10}, "elements": elements}),
    );
    rule.query.push(("q".into(), "organizationalEntity".into()));
    rule.query.push(("organizationalEntity".into(), ORG_URN.into()));
    rule
}

fn share_days() -> Rule {
    let elements: Vec<Value> = (0..3)
        .map(|i| json!({"timeRange": day_range(i), "totalShareStatistics": {"impressionCount": 100 * (i + 1), "uniqueImpressionsCount": 80, "clickCount": 5, "likeCount": 7, "commentCount": 2, "shareCount": 1, "engagement": 0.15}, "organizationalEntity": ORG_URN}))
        .collect();
    Rule::get(
        &rest("organizationalEntityShareStatistics"),
        json!({"paging": {"start": 0, "count": 10}, "elements": elements}),
    )
    .without("shares")
    .without("ugcPosts")
}

fn post(id: &str, at: DateTime<Utc>) -> Value {
    json!({"id": id, "author": ORG_URN, "commentary": format!("post {id}"), "lifecycleState": "PUBLISHED", "visibility": "PUBLIC", "createdAt": ms(at), "publishedAt": ms(at)})
}

/// A full first page (50 posts, the last a video `ugcPost`), then a page whose only post
/// is older than the window: the walk stops there.
fn posts_pages(days: i64) -> Vec<Rule> {
    let mut first: Vec<Value> = (0..POSTS_PER_PAGE as i64 - 1)
        .map(|i| post(&format!("urn:li:share:{}", 7000 + i), now() - Duration::hours(5 + i)))
        .collect();
    first.push(post("urn:li:ugcPost:9001", now() - Duration::hours(80)));
    let old = post("urn:li:share:6999", now() - Duration::days(days + 5));
    vec![
        Rule::get(
            &rest("posts"),
            json!({"paging": {"start": 0, "count": 50}, "elements": first}),
        )
        .with_query("start", "0"),
        Rule::get(
            &rest("posts"),
            json!({"paging": {"start": 50, "count": 50}, "elements": [old]}),
        )
        .with_query("start", "50"),
    ]
}

fn post_stats_rules() -> Vec<Rule> {
    let stats = |urn: &str, key: &str| json!({key: urn, "totalShareStatistics": {"impressionCount": 50, "uniqueImpressionsCount": 40, "clickCount": 3, "likeCount": 4, "commentCount": 2, "shareCount": 1, "engagement": 0.2}, "organizationalEntity": ORG_URN});
    vec![
        Rule::get(
            &rest("organizationalEntityShareStatistics"),
            json!({"paging": {"start": 0, "count": 10}, "elements": [stats("urn:li:share:7000", "share")]}),
        )
        .without("ugcPosts")
        .without("timeIntervals")
        .with_query("q", "organizationalEntity"),
        Rule::get(
            &rest("organizationalEntityShareStatistics"),
            json!({"paging": {"start": 0, "count": 10}, "elements": [stats("urn:li:ugcPost:9001", "ugcPost")]}),
        )
        .without("shares")
        .with_query("ugcPosts", "List(urn:li:ugcPost:9001)"),
    ]
}

fn social() -> Rule {
    Rule::get(
        &rest("socialMetadata"),
        json!({"results": {
            "urn:li:share:7000": {"reactionSummaries": {"LIKE": {"reactionType": "LIKE", "count": 5}, "EMPATHY": {"reactionType": "EMPATHY", "count": 1}}, "commentSummary": {"count": 9, "topLevelCount": 9}},
            "urn:li:share:7001": {"reactionSummaries": {}, "commentSummary": {"count": 1}}
        }, "statuses": {}, "errors": {"urn:li:share:7002": {"status": 404, "message": "Not found"}}}),
    )
}

fn all_rules(days: i64) -> Vec<Rule> {
    let mut rules = vec![organization(), network_size(), demographics()];
    // Post statistics (shares=/ugcPosts=) before the daily ones (timeIntervals).
    rules.extend(post_stats_rules());
    rules.push(gains().with_query("q", "organizationalEntity"));
    rules.push(share_days());
    rules.extend(posts_pages(days));
    rules.push(social());
    rules
}

fn rest_calls(seen: &[Seen]) -> Vec<&Seen> {
    seen.iter().filter(|s| s.path.starts_with("/rest/")).collect()
}

#[tokio::test]
async fn whoami_reads_the_member_and_the_first_administered_page() {
    let fake = FakeLinkedIn::start(vec![
        Rule::get(USERINFO, json!({"sub": "abc123", "name": "Ana Souza", "locale": {"country": "BR", "language": "pt"}})),
        Rule::get(
            &rest("organizationAcls"),
            json!({"paging": {"start": 0, "count": 100}, "elements": [
                {"organization": ORG_URN, "role": "ADMINISTRATOR", "state": "APPROVED", "roleAssignee": "urn:li:person:abc123"},
                {"organization": "urn:li:organization:99", "role": "ADMINISTRATOR", "state": "APPROVED"}
            ]}),
        )
        .with_query("q", "roleAssignee")
        .with_query("role", "ADMINISTRATOR")
        .with_query("state", "APPROVED"),
        organization(),
    ])
    .await;
    let me = fake.client().whoami(&token(), &Recorder::new()).await.expect("whoami");
    assert_eq!(me.external_id, ORG);
    assert_eq!(me.username.as_deref(), Some("acme"));
    assert_eq!(me.display_name.as_deref(), Some("Acme"));
    let seen = fake.seen();
    assert_eq!(seen.len(), 3, "{seen:?}");
    for s in &seen {
        assert_eq!(s.authorization.as_deref(), Some(format!("Bearer {TOKEN}").as_str()));
    }
    for s in rest_calls(&seen) {
        assert_eq!(s.header("linkedin-version"), Some(LINKEDIN_VERSION));
        assert_eq!(s.header("x-restli-protocol-version"), Some("2.0.0"));
    }
}

#[tokio::test]
async fn every_administered_page_is_an_owned_account() {
    let denied =
        json!({"status": 403, "serviceErrorCode": 100, "code": "ACCESS_DENIED", "message": "Not enough permissions"});
    let gone =
        json!({"status": 404, "serviceErrorCode": 0, "code": "NOT_FOUND", "message": "Organization 77 not found"});
    let fake = FakeLinkedIn::start(vec![
        Rule::get(USERINFO, json!({"sub": "abc123", "name": "Ana Souza"})),
        Rule::get(
            &rest("organizationAcls"),
            json!({"paging": {"start": 0, "count": 100}, "elements": [
                {"organization": ORG_URN, "role": "ADMINISTRATOR", "state": "APPROVED"},
                {"organization": "urn:li:organization:99", "role": "ADMINISTRATOR", "state": "APPROVED"},
                {"organization": "urn:li:organization:77", "role": "ADMINISTRATOR", "state": "APPROVED"},
                {"organization": ORG_URN, "role": "ADMINISTRATOR", "state": "APPROVED"}
            ]}),
        )
        .with_query("q", "roleAssignee"),
        organization(),
        Rule::json(&rest("organizations/99"), 403, denied),
        Rule::json(&rest("organizations/77"), 404, gone),
    ])
    .await;
    let pages = fake
        .client()
        .owned_profiles(&token(), &Recorder::new())
        .await
        .expect("owned profiles");
    let ids: Vec<&str> = pages.iter().map(|p| p.external_id.as_str()).collect();
    assert_eq!(
        ids,
        [ORG, "99"],
        "in the ACL order, once each; the deleted page left out"
    );
    assert_eq!(pages[0].display_name.as_deref(), Some("Acme"));
    assert_eq!(
        pages[1].display_name, None,
        "a page whose read is refused is named by its id"
    );
    // whoami still names the first page and reads only that one.
    let before = fake.seen_on(&rest("organizations/99")).len();
    let me = fake.client().whoami(&token(), &Recorder::new()).await.expect("whoami");
    assert_eq!(me.external_id, ORG);
    assert_eq!(fake.seen_on(&rest("organizations/99")).len(), before);
}

#[tokio::test]
async fn a_member_without_pages_or_without_the_product_is_told_why() {
    let fake = FakeLinkedIn::start(vec![
        Rule::json(USERINFO, 403, json!({"status": 403, "serviceErrorCode": 100, "code": "ACCESS_DENIED", "message": "Not enough permissions"})),
        Rule::get(&rest("organizationAcls"), json!({"paging": {"start": 0, "count": 100}, "elements": []})),
    ])
    .await;
    match fake.client().whoami(&token(), &Recorder::new()).await {
        Err(PlatformError::NotFound { message }) => {
            assert!(message.contains("administers no organization page"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    let fake = FakeLinkedIn::start(vec![
        Rule::get(USERINFO, json!({"sub": "abc"})),
        Rule::json(
            &rest("organizationAcls"),
            403,
            json!({"status": 403, "serviceErrorCode": 100, "code": "ACCESS_DENIED", "message": "Not enough permissions to access: organizationAcls.FINDER-roleAssignee"}),
        ),
    ])
    .await;
    match fake.client().whoami(&token(), &Recorder::new()).await {
        Err(PlatformError::Forbidden { message }) => {
            assert!(
                message.contains("/rest/organizationAcls") && message.contains("ACCESS_DENIED"),
                "{message}"
            );
            assert!(!message.contains(TOKEN));
        }
        other => panic!("{other:?}"),
    }
    let fake = FakeLinkedIn::start(vec![Rule::json(
        USERINFO,
        401,
        json!({"status": 401, "serviceErrorCode": 65600, "code": "INVALID_ACCESS_TOKEN", "message": "Invalid access token"}),
    )])
    .await;
    let e = fake.client().whoami(&token(), &Recorder::new()).await.expect_err("401");
    assert!(e.needs_reauth(), "{e:?}");
}

#[tokio::test]
async fn collect_reads_the_page_its_statistics_posts_and_social_actions() {
    let fake = FakeLinkedIn::start(all_rules(30)).await;
    let b = fake.client().collect(&ctx(true, 30)).await.expect("collect");
    assert!(b.stopped.is_none(), "{:?}", b.stopped);
    assert!(b.warnings.iter().all(|w| w.code == "decode"), "{:?}", b.warnings);
    assert_eq!(b.warnings.len(), 1, "the geo entry without a facet: {:?}", b.warnings);
    assert_eq!(b.profile.as_ref().map(|p| p.external_id.as_str()), Some(ORG));
    let snap = |k: &str| {
        b.account_metrics
            .iter()
            .find(|m| m.metric == k && m.period == Period::Snapshot)
            .and_then(|m| m.value)
    };
    assert_eq!(snap("followers"), Some(1234.0));
    let days = |k: &str| -> Vec<Option<f64>> {
        b.account_metrics
            .iter()
            .filter(|m| m.metric == k && m.period == Period::Day)
            .map(|m| m.value)
            .collect()
    };
    assert_eq!(days("followers_gained"), vec![Some(5.0), Some(6.0), Some(7.0)]);
    assert_eq!(days("impressions"), vec![Some(100.0), Some(200.0), Some(300.0)]);
    for k in ["reach", "clicks", "likes", "comments", "shares"] {
        assert_eq!(days(k).len(), 3, "{k}");
    }
    assert_eq!(days("engagement_rate"), vec![Some(0.15); 3]);
    let day = b.account_metrics.iter().find(|m| m.metric == "impressions").unwrap();
    assert_eq!(day.period_end - day.period_start, Duration::days(1));
    assert_eq!(b.audience.len(), 3);
    assert!(b.audience.iter().any(|s| s.dimension == "seniority"
        && s.key == "urn:li:seniority:3"
        && s.value == 520.0
        && s.timeframe == "lifetime"));
    assert!(b.audience.iter().any(|s| s.dimension == "country" && s.value == 901.0));

    assert_eq!(b.posts.len(), POSTS_PER_PAGE as usize, "the old post is left out");
    assert!(b.posts.iter().all(
        |p| p.permalink.as_deref() == Some(&format!("https://www.linkedin.com/feed/update/{}/", p.external_id)[..])
    ));
    let metric = |post: &str, k: &str| {
        b.post_metrics
            .iter()
            .filter(|m| m.post_external_id == post && m.metric == k)
            .map(|m| m.value)
            .collect::<Vec<_>>()
    };
    assert_eq!(metric("urn:li:share:7000", "impressions"), vec![Some(50.0)]);
    assert_eq!(metric("urn:li:share:7000", "engagement_rate"), vec![Some(0.2)]);
    assert_eq!(metric("urn:li:ugcPost:9001", "reach"), vec![Some(40.0)]);
    assert_eq!(metric("urn:li:share:7000", "reactions"), vec![Some(6.0)]);
    assert_eq!(
        metric("urn:li:share:7000", "comments"),
        vec![Some(2.0)],
        "share statistics' commentCount wins over socialMetadata, once"
    );
    assert_eq!(metric("urn:li:share:7001", "comments"), vec![Some(1.0)]);
    let gap = b
        .gaps
        .iter()
        .find(|g| g.object_id == "urn:li:share:7002")
        .expect("deleted post gap");
    assert_eq!(gap.code, "not_found");
    assert!(gap.what.contains("/rest/socialMetadata"));

    let seen = fake.seen();
    for s in rest_calls(&seen) {
        assert_eq!(s.header("linkedin-version"), Some(LINKEDIN_VERSION), "{}", s.path);
        assert_eq!(s.header("x-restli-protocol-version"), Some("2.0.0"), "{}", s.path);
        assert!(!s.raw_query.contains(TOKEN));
    }
    let raw = |path: &str, needle: &str| {
        seen.iter()
            .any(|s| s.path == rest(path) && s.raw_query.contains(needle))
    };
    assert!(raw(
        "organizationalEntityShareStatistics",
        &format!("organizationalEntity={ORG_ENC}")
    ));
    assert!(raw(
        "organizationalEntityShareStatistics",
        "ugcPosts=List(urn%3Ali%3AugcPost%3A9001)"
    ));
    assert!(raw(
        "organizationalEntityShareStatistics",
        "shares=List(urn%3Ali%3Ashare%3A7000,urn%3Ali%3Ashare%3A7001,"
    ));
    assert!(raw(
        "organizationalEntityFollowerStatistics",
        "timeIntervals=(timeRange:(start:"
    ));
    assert!(raw(
        "organizationalEntityFollowerStatistics",
        ",timeGranularityType:DAY)"
    ));
    assert!(raw(
        "posts",
        &format!("q=author&author={ORG_ENC}&count=50&start=0&sortBy=CREATED")
    ));
    assert!(raw("socialMetadata", "ids=List(urn%3Ali%3Ashare%3A7000,"));
    assert!(
        !seen
            .iter()
            .any(|s| s.raw_query.contains("shares=") && s.raw_query.contains("ugcPosts=")),
        "shares and UGC posts are asked apart"
    );
    let stats_calls = seen
        .iter()
        .filter(|s| s.path == rest("organizationalEntityShareStatistics") && s.raw_query.contains("shares=List("))
        .count();
    assert_eq!(stats_calls, 3, "49 shares in batches of 20");
}

#[tokio::test]
async fn a_partner_only_read_refused_is_a_permission_gap_and_the_rest_is_collected() {
    let denied = json!({"status": 403, "serviceErrorCode": 100, "code": "ACCESS_DENIED", "message": "Not enough permissions to access: organizationalEntityShareStatistics.FINDER-organizationalEntity"});
    let mut rules = vec![Rule::json(&rest("organizationalEntityShareStatistics"), 403, denied)];
    rules.extend(all_rules(30));
    let fake = FakeLinkedIn::start(rules).await;
    let b = fake.client().collect(&ctx(true, 30)).await.expect("collect");
    assert!(b.stopped.is_none(), "{:?}", b.stopped);
    let permission: Vec<_> = b.gaps.iter().filter(|g| g.code == "permission").collect();
    assert_eq!(
        permission.len(),
        2,
        "daily and per-post share statistics: {permission:?}"
    );
    assert!(permission
        .iter()
        .all(|g| g.what.contains("/rest/organizationalEntityShareStatistics")
            && g.object_id == ORG_URN
            && g.detail.contains("Community Management API")
            && g.detail.contains("ACCESS_DENIED")));
    assert!(b.account_metrics.iter().any(|m| m.metric == "followers_gained"));
    assert!(!b.account_metrics.iter().any(|m| m.metric == "impressions"));
    assert_eq!(b.posts.len(), POSTS_PER_PAGE as usize);
    assert!(b.post_metrics.iter().any(|m| m.metric == "reactions"));
}

#[tokio::test]
async fn a_429_without_headers_stops_the_account_and_keeps_what_arrived() {
    let mut rules = vec![Rule::raw(&rest("posts"), 429, "text/plain", "")];
    rules.extend(all_rules(30));
    let fake = FakeLinkedIn::start(rules).await;
    let b = fake.client().collect(&ctx(true, 30)).await.expect("collect");
    let why = b.stopped.as_ref().expect("stopped");
    assert!(why.rate_limited, "{why:?}");
    assert_eq!(
        why.retry_after_seconds, None,
        "LinkedIn says no time: the governor's back-off applies"
    );
    assert!(why.message.contains("/rest/posts"), "{}", why.message);
    assert!(
        b.account_metrics.iter().any(|m| m.metric == "impressions"),
        "earlier reads kept"
    );
    assert!(b.posts.is_empty());
    assert!(
        !fake.seen().iter().any(|s| s.path == rest("socialMetadata")),
        "no call after the stop"
    );
}

#[tokio::test]
async fn a_refused_token_on_the_page_fails_the_account() {
    let fake = FakeLinkedIn::start(vec![Rule::json(
        &rest(&format!("organizations/{ORG}")),
        401,
        json!({"status": 401, "serviceErrorCode": 65602, "code": "EXPIRED_ACCESS_TOKEN", "message": "The token used in the request has expired"}),
    )])
    .await;
    let e = fake.client().collect(&ctx(true, 30)).await.expect_err("401");
    assert!(e.needs_reauth());
    assert!(e.to_string().contains("EXPIRED_ACCESS_TOKEN"));
    assert!(!e.to_string().contains(TOKEN));
}

#[tokio::test]
async fn a_malformed_posts_page_is_a_warning_naming_the_endpoint() {
    let mut rules = vec![Rule::raw(&rest("posts"), 200, "application/json", "{\"elements\": [")];
    rules.extend(all_rules(30));
    let fake = FakeLinkedIn::start(rules).await;
    let b = fake.client().collect(&ctx(true, 30)).await.expect("collect");
    assert!(b.stopped.is_none());
    let w = b
        .warnings
        .iter()
        .find(|w| w.code == "decode" && w.message.contains("/rest/posts"))
        .expect("warning");
    assert!(w.message.contains("could not read"), "{}", w.message);
    assert!(b.posts.is_empty());
    assert!(b.account_metrics.iter().any(|m| m.metric == "impressions"));
}

#[tokio::test]
async fn a_page_served_again_for_any_start_stops_the_walk() {
    let elements: Vec<Value> = (0..POSTS_PER_PAGE as i64)
        .map(|i| post(&format!("urn:li:share:{}", 8000 + i), now() - Duration::hours(1 + i)))
        .collect();
    let mut rules = vec![Rule::get(
        &rest("posts"),
        json!({"paging": {"start": 0, "count": 50}, "elements": elements}),
    )];
    rules.extend(all_rules(30));
    let fake = FakeLinkedIn::start(rules).await;
    let b = fake.client().collect(&ctx(true, 30)).await.expect("collect");
    assert_eq!(b.posts.len(), POSTS_PER_PAGE as usize);
    let w = b
        .warnings
        .iter()
        .find(|w| w.code == "pagination_stalled")
        .expect("stalled");
    assert!(w.message.contains("/rest/posts"), "{}", w.message);
    assert_eq!(fake.seen_on(&rest("posts")).len(), 2);
}

#[tokio::test]
async fn an_unknown_lifecycle_state_keeps_the_post_with_a_warning() {
    let p = json!({"id": "urn:li:share:1", "lifecycleState": "ARCHIVED_2027", "publishedAt": ms(now() - Duration::hours(2))});
    let mut rules = vec![Rule::get(
        &rest("posts"),
        json!({"paging": {"start": 0, "count": 50}, "elements": [p]}),
    )];
    rules.extend(all_rules(30));
    let fake = FakeLinkedIn::start(rules).await;
    let b = fake.client().collect(&ctx(true, 30)).await.expect("collect");
    assert_eq!(b.posts.len(), 1);
    let w = b.warnings.iter().find(|w| w.code == "unknown_value").expect("warning");
    assert!(
        w.message.contains("ARCHIVED_2027") && w.message.contains("/rest/posts"),
        "{}",
        w.message
    );
}

#[tokio::test]
async fn a_tracked_page_reads_only_the_page_and_its_follower_count() {
    let fake = FakeLinkedIn::start(vec![organization(), network_size()]).await;
    let b = fake.client().collect(&ctx(false, 30)).await.expect("collect");
    assert_eq!(b.account_metrics.len(), 1);
    assert_eq!(fake.seen().len(), 2);
}

#[test]
fn the_client_is_the_registered_one() {
    let c = LinkedInClient::new(Http::new().expect("http"), Endpoints::real());
    assert_eq!(c.platform(), Platform::Linkedin);
}
