//! A fake YouTube (Data API v3, Analytics API v2, Google OAuth) on 127.0.0.1 for the
//! `youtube_*` tests: a [`RuleFake`] (canned answers matched by method, path and query,
//! every request logged, a catch-all 500).

#![allow(dead_code)]

pub(crate) use crate::common;

use alcance_platforms::youtube::YouTubeClient;
use alcance_platforms::Http;
// Each test binary uses some of these.
#[allow(unused_imports)]
pub use common::{Rule, RuleFake, Seen};
use secrecy::SecretString;

/// The bearer token every test sends; it must never show up in errors or archived URLs.
pub const TOKEN: &str = "ya29.youtube-test-token-4c1d";

pub fn token() -> SecretString {
    SecretString::from(TOKEN.to_string())
}

/// The Data API path of `resource` on the fake (`/youtube/v3/{resource}`).
pub fn data(resource: &str) -> String {
    format!("/youtube/v3/{resource}")
}

/// The Analytics reports path on the fake.
pub const REPORTS: &str = "/youtubeanalytics/v2/reports";

/// The headers every answer carries unless its rule sets them ([`Rule::bare`]: only the
/// content type).
pub const DEFAULT_HEADERS: &[(&str, &str)] = &[("content-type", "application/json; charset=UTF-8")];

/// The running fake ([`RuleFake`]).
#[derive(Clone)]
pub struct FakeYouTube(RuleFake);

impl std::ops::Deref for FakeYouTube {
    type Target = RuleFake;

    fn deref(&self) -> &RuleFake {
        &self.0
    }
}

impl FakeYouTube {
    /// Starts a fake serving `rules` (first match wins) on an ephemeral 127.0.0.1 port.
    pub async fn start(rules: Vec<Rule>) -> FakeYouTube {
        FakeYouTube(RuleFake::start("YouTube", DEFAULT_HEADERS, rules).await)
    }

    /// A client pointed at this fake.
    pub fn client(&self) -> YouTubeClient {
        YouTubeClient::new(Http::new().expect("http client"), self.endpoints())
    }
}
