//! `GET /me` and `GET /me/accounts`: the user behind a token and the pages it manages, with
//! page tokens, tasks and paging.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::meta_fake;

use alcance_platforms::facebook::FacebookClient;
use alcance_platforms::{Http, PlatformClient, PlatformError, Recorder};
use meta_fake::{graph_error, token, FakeGraph, Reply, Req, TOKEN};
use secrecy::ExposeSecret;
use serde_json::json;

fn client(fake: &FakeGraph) -> FacebookClient {
    FacebookClient::new(Http::new().expect("http"), fake.endpoints())
}

fn page(id: &str, name: &str, tasks: &[&str]) -> serde_json::Value {
    json!({
        "id": id, "name": name, "access_token": format!("EAAPageToken{id}"),
        "tasks": tasks, "category": "Marketing Agency"
    })
}

#[tokio::test]
async fn whoami_is_the_facebook_user_not_a_page() {
    let fake = FakeGraph::start(|r: &Req| {
        (r.path == "/me" && r.q("fields") == Some("id,name"))
            .then(|| Reply::json(json!({"id": "990000000000001", "name": "Ana Souza"})))
    })
    .await;
    let c = client(&fake);
    let me = c.whoami(&token(), &Recorder::new()).await.expect("me");
    assert_eq!(me.external_id, "990000000000001");
    assert_eq!(me.display_name.as_deref(), Some("Ana Souza"));
    assert_eq!(me.username, None);
    let reqs = fake.requests_to("/me");
    assert_eq!(reqs.len(), 1);
    assert_eq!(reqs[0].raw_path, "/v25.0/me", "Graph version in the path");
    assert_eq!(reqs[0].q("access_token"), Some(TOKEN));
}

#[tokio::test]
async fn pages_lists_every_page_with_its_token_and_analyze_flag() {
    let fake = FakeGraph::start(|r: &Req| {
        if r.path != "/me/accounts" {
            return None;
        }
        assert_eq!(
            r.q("fields"),
            Some("id,name,access_token,tasks,category,instagram_business_account")
        );
        assert_eq!(r.q("limit"), Some("100"));
        match r.q("after") {
            None => Some(Reply::json(json!({
                "data": [
                    {
                        "id": "104000000000001", "name": "Alcance Brasil", "access_token": "EAAPageTokenOne",
                        "tasks": ["ANALYZE", "ADVERTISE", "MODERATE", "CREATE_CONTENT", "MANAGE"],
                        "category": "Marketing Agency",
                        "instagram_business_account": {"id": "17841400000000009"}
                    },
                    {"id": "104000000000003", "name": "Sem token", "tasks": ["ANALYZE"]}
                ],
                "paging": {"cursors": {"before": "b1", "after": "a1"}, "next": "https://graph.facebook.com/v25.0/me/accounts?after=a1"}
            }))),
            Some("a1") => Some(Reply::json(json!({
                "data": [page("104000000000002", "Ana Influencer", &["MODERATE", "CREATE_CONTENT"])],
                "paging": {"cursors": {"before": "b2", "after": "a2"}}
            }))),
            _ => None,
        }
    })
    .await;
    let rec = Recorder::new();
    let pages = client(&fake).pages(&token(), &rec).await.expect("pages");
    assert_eq!(pages.len(), 2, "the item without access_token is left out");
    let a = &pages[0];
    assert_eq!(a.id, "104000000000001");
    assert_eq!(a.name.as_deref(), Some("Alcance Brasil"));
    assert_eq!(a.category.as_deref(), Some("Marketing Agency"));
    assert_eq!(
        a.tasks,
        ["ANALYZE", "ADVERTISE", "MODERATE", "CREATE_CONTENT", "MANAGE"]
    );
    assert!(a.can_analyze);
    assert_eq!(a.token.expose_secret(), "EAAPageTokenOne");
    assert_eq!(a.instagram_business_account.as_deref(), Some("17841400000000009"));
    let b = &pages[1];
    assert_eq!(b.id, "104000000000002");
    assert!(!b.can_analyze, "a page without ANALYZE cannot read insights");
    assert_eq!(b.instagram_business_account, None);
    assert_eq!(fake.requests_to("/me/accounts").len(), 2, "stops without paging.next");
    // Page tokens travel in bodies; the archived URLs carry no token.
    for x in rec.take() {
        assert!(!x.url.contains(TOKEN), "{}", x.url);
        assert!(x.url.contains("access_token=REDACTED"), "{}", x.url);
    }
}

#[tokio::test]
async fn a_server_repeating_the_same_page_does_not_loop() {
    let fake = FakeGraph::start(|r: &Req| {
        (r.path == "/me/accounts").then(|| {
            Reply::json(json!({
                "data": [page("104000000000001", "Alcance Brasil", &["ANALYZE"])],
                "paging": {"cursors": {"after": "same"}, "next": "https://graph.facebook.com/v25.0/me/accounts?after=same"}
            }))
        })
    })
    .await;
    let pages = client(&fake).pages(&token(), &Recorder::new()).await.expect("pages");
    assert_eq!(pages.len(), 1);
    assert_eq!(
        fake.requests_to("/me/accounts").len(),
        2,
        "the second, identical page brings no new id and stops the listing"
    );
}

#[tokio::test]
async fn an_expired_user_token_is_unauthorized_and_a_later_page_failure_keeps_the_first() {
    let fake = FakeGraph::start(|r: &Req| {
        (r.path == "/me/accounts").then(|| {
            graph_error(
                400,
                190,
                Some(463),
                "Error validating access token: Session has expired on Friday, 20-Nov-26",
            )
        })
    })
    .await;
    let e = client(&fake).pages(&token(), &Recorder::new()).await.expect_err("190");
    assert!(matches!(e, PlatformError::Unauthorized { .. }), "{e:?}");
    assert!(e.needs_reauth());

    let fake = FakeGraph::start(|r: &Req| {
        (r.path == "/me/accounts").then(|| match r.q("after") {
            None => Reply::json(json!({
                "data": [page("104000000000001", "Alcance Brasil", &["ANALYZE"])],
                "paging": {"cursors": {"after": "a1"}, "next": "https://graph.facebook.com/v25.0/me/accounts?after=a1"}
            })),
            Some(_) => Reply::raw(502, "text/html", "<html><body>Bad Gateway</body></html>"),
        })
    })
    .await;
    let pages = client(&fake)
        .pages(&token(), &Recorder::new())
        .await
        .expect("first page kept");
    assert_eq!(pages.len(), 1);
    assert_eq!(pages[0].id, "104000000000001");
}
