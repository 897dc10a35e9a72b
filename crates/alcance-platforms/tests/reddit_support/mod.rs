//! A fake Reddit (oauth.reddit.com API and www.reddit.com OAuth endpoints, on their real
//! paths) on 127.0.0.1 for the `reddit_*` tests: canned answers matched by method, path and
//! query, every request logged (with its form body, `Authorization` and `User-Agent`), and
//! a catch-all 500 so an unexpected call fails loudly.

#![allow(dead_code)]

#[path = "../common/mod.rs"]
pub mod common;

use alcance_platforms::reddit::RedditClient;
use alcance_platforms::{Endpoints, Http};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use common::SharedLog;
use secrecy::SecretString;
use serde_json::{json, Value};
use url::Url;

/// The bearer token every test sends; it must never show up in errors or archived URLs.
pub const TOKEN: &str = "reddit-test-access-7f3e";

pub fn token() -> SecretString {
    SecretString::from(TOKEN.to_string())
}

/// One request the fake received.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub query: Vec<(String, String)>,
    pub authorization: Option<String>,
    pub user_agent: Option<String>,
    pub form: Vec<(String, String)>,
}

impl Seen {
    pub fn param(&self, name: &str) -> Option<&str> {
        self.query.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

/// A canned answer for `method path` whose query contains every `(name, value)` of `query`
/// and lacks every name in `absent`.
#[derive(Debug, Clone)]
pub struct Rule {
    pub method: Method,
    pub path: String,
    pub query: Vec<(String, String)>,
    pub absent: Vec<String>,
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Rule {
    /// A JSON answer with Reddit's rate-limit headers (plenty left).
    pub fn json(path: &str, status: u16, body: Value) -> Self {
        Rule {
            method: Method::GET,
            path: path.to_string(),
            query: Vec::new(),
            absent: Vec::new(),
            status,
            headers: vec![
                ("content-type".into(), "application/json; charset=UTF-8".into()),
                ("x-ratelimit-used".into(), "3".into()),
                ("x-ratelimit-remaining".into(), "997.0".into()),
                ("x-ratelimit-reset".into(), "342".into()),
            ],
            body: body.to_string().into_bytes(),
        }
    }

    pub fn get(path: &str, body: Value) -> Self {
        Rule::json(path, 200, body)
    }

    pub fn raw(path: &str, status: u16, content_type: &str, body: &str) -> Self {
        Rule {
            method: Method::GET,
            path: path.to_string(),
            query: Vec::new(),
            absent: Vec::new(),
            status,
            headers: vec![("content-type".into(), content_type.into())],
            body: body.as_bytes().to_vec(),
        }
    }

    pub fn post(mut self) -> Self {
        self.method = Method::POST;
        self
    }

    pub fn with_query(mut self, name: &str, value: &str) -> Self {
        self.query.push((name.into(), value.into()));
        self
    }

    pub fn without(mut self, name: &str) -> Self {
        self.absent.push(name.into());
        self
    }

    pub fn with_header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Drops every header but the content type.
    pub fn bare(mut self) -> Self {
        self.headers.retain(|(k, _)| k == "content-type");
        self
    }

    fn matches(&self, method: &Method, path: &str, query: &[(String, String)]) -> bool {
        self.method == *method
            && self.path == path
            && self.query.iter().all(|q| query.contains(q))
            && self.absent.iter().all(|a| query.iter().all(|(k, _)| k != a))
    }
}

/// The running fake.
#[derive(Clone)]
pub struct FakeReddit {
    inner: SharedLog<Rule, Seen>,
    pub base: Url,
}

impl FakeReddit {
    /// Starts a fake serving `rules` (first match wins) on an ephemeral 127.0.0.1 port.
    pub async fn start(rules: Vec<Rule>) -> FakeReddit {
        let (inner, base) = common::start_logged(rules, answer).await;
        FakeReddit { inner, base }
    }

    /// Every request received so far.
    pub fn seen(&self) -> Vec<Seen> {
        common::seen(&self.inner)
    }

    /// Requests received on `path`.
    pub fn seen_on(&self, path: &str) -> Vec<Seen> {
        self.seen().into_iter().filter(|s| s.path == path).collect()
    }

    /// The endpoints of this fake.
    pub fn endpoints(&self) -> Endpoints {
        Endpoints::sandbox(&self.base)
    }

    /// A client pointed at this fake.
    pub fn client(&self) -> RedditClient {
        RedditClient::new(Http::new().expect("http client"), self.endpoints())
    }
}

async fn answer(
    State(inner): State<SharedLog<Rule, Seen>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let query = common::query_pairs(&uri);
    let path = uri.path().to_string();
    let form: Vec<(String, String)> = url::form_urlencoded::parse(&body).into_owned().collect();
    let mut state = inner.lock().expect("fake state");
    state.seen.push(Seen {
        method: method.to_string(),
        path: path.clone(),
        query: query.clone(),
        authorization: common::header_text(&headers, "authorization"),
        user_agent: common::header_text(&headers, "user-agent"),
        form,
    });
    let rule = state.rules.iter().find(|r| r.matches(&method, &path, &query)).cloned();
    drop(state);
    match rule {
        Some(rule) => common::respond(rule.status, &rule.headers, rule.body),
        None => (
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("fake Reddit: unexpected call {method} {uri}"),
        )
            .into_response(),
    }
}

/// `/api/v1/me` of u/alcance_br (id `abc12`): karma and 42 profile followers.
pub fn me_body() -> Value {
    json!({
        "id": "abc12",
        "name": "alcance_br",
        "created_utc": 1_552_400_525.0,
        "link_karma": 1200,
        "comment_karma": 340,
        "total_karma": 1560,
        "icon_img": "https://styles.redditmedia.com/alcance.png",
        "subreddit": {"title": "Alcance Brasil", "subscribers": 42, "display_name_prefixed": "u/alcance_br"}
    })
}

/// A `t3` of `id` created at `created` (Unix seconds).
pub fn link(id: &str, created: f64) -> Value {
    json!({"kind": "t3", "data": {
        "id": id, "name": format!("t3_{id}"), "title": format!("Post {id}"),
        "created_utc": created, "permalink": format!("/r/brasil/comments/{id}/post/"),
        "is_self": true, "post_hint": "self", "score": 25, "ups": 25, "downs": 0,
        "upvote_ratio": 0.93, "num_comments": 4, "num_crossposts": 1, "view_count": null,
        "author": "alcance_br"
    }})
}

/// A listing of `children` with `after`.
pub fn listing(children: Vec<Value>, after: Option<&str>) -> Value {
    json!({"kind": "Listing", "data": {"after": after, "before": null, "dist": children.len(), "children": children}})
}
