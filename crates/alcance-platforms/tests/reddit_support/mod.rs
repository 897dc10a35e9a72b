//! A fake Reddit (oauth.reddit.com API and www.reddit.com OAuth endpoints, on their real
//! paths) on 127.0.0.1 for the `reddit_*` tests: a [`RuleFake`] (canned answers matched by
//! method, path and query, every request logged with its headers, a catch-all 500) whose
//! answers carry Reddit's rate-limit headers (plenty left) unless a rule is bare.

#![allow(dead_code)]

pub(crate) use crate::common;

use alcance_platforms::reddit::RedditClient;
use alcance_platforms::Http;
// Each test binary uses some of these.
#[allow(unused_imports)]
pub use common::{Rule, RuleFake, Seen};
use secrecy::SecretString;
use serde_json::{json, Value};
/// The bearer token every test sends; it must never show up in errors or archived URLs.
pub const TOKEN: &str = "reddit-test-access-7f3e";

pub fn token() -> SecretString {
    SecretString::from(TOKEN.to_string())
}

/// The headers every answer carries unless its rule sets them ([`Rule::bare`]: only the
/// content type).
pub const DEFAULT_HEADERS: &[(&str, &str)] = &[
    ("content-type", "application/json; charset=UTF-8"),
    ("x-ratelimit-used", "3"),
    ("x-ratelimit-remaining", "997.0"),
    ("x-ratelimit-reset", "342"),
];

/// The running fake ([`RuleFake`]).
#[derive(Clone)]
pub struct FakeReddit(RuleFake);

impl std::ops::Deref for FakeReddit {
    type Target = RuleFake;

    fn deref(&self) -> &RuleFake {
        &self.0
    }
}

impl FakeReddit {
    /// Starts a fake serving `rules` (first match wins) on an ephemeral 127.0.0.1 port.
    pub async fn start(rules: Vec<Rule>) -> FakeReddit {
        FakeReddit(RuleFake::start("Reddit", DEFAULT_HEADERS, rules).await)
    }

    /// A client pointed at this fake.
    pub fn client(&self) -> RedditClient {
        RedditClient::new(Http::new().expect("http client"), self.endpoints())
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
