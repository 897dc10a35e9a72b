//! A fake LinkedIn (REST API, OIDC userinfo, OAuth) on 127.0.0.1 for the `linkedin_*`
//! tests: a [`RuleFake`] (canned answers matched by method, path and query, every request
//! logged with its raw query and headers, a catch-all 500).

#![allow(dead_code)]

pub(crate) use crate::common;

use alcance_platforms::linkedin::LinkedInClient;
use alcance_platforms::Http;
// Each test binary uses some of these.
#[allow(unused_imports)]
pub use common::{Rule, RuleFake, Seen};
use secrecy::SecretString;

/// The bearer token every test sends; it must never show up in errors or archived URLs.
pub const TOKEN: &str = "AQV-linkedin-test-token-7e2a";

pub fn token() -> SecretString {
    SecretString::from(TOKEN.to_string())
}

/// The REST path of `resource` on the fake (`/rest/{resource}`).
pub fn rest(resource: &str) -> String {
    format!("/rest/{resource}")
}

/// The userinfo path on the fake.
pub const USERINFO: &str = "/linkedin/v2/userinfo";

/// The headers every answer carries unless its rule sets them ([`Rule::bare`]: only the
/// content type).
pub const DEFAULT_HEADERS: &[(&str, &str)] = &[("content-type", "application/json")];

/// The running fake ([`RuleFake`]).
#[derive(Clone)]
pub struct FakeLinkedIn(RuleFake);

impl std::ops::Deref for FakeLinkedIn {
    type Target = RuleFake;

    fn deref(&self) -> &RuleFake {
        &self.0
    }
}

impl FakeLinkedIn {
    /// Starts a fake serving `rules` (first match wins) on an ephemeral 127.0.0.1 port.
    pub async fn start(rules: Vec<Rule>) -> FakeLinkedIn {
        FakeLinkedIn(RuleFake::start("LinkedIn", DEFAULT_HEADERS, rules).await)
    }

    /// A client pointed at this fake.
    pub fn client(&self) -> LinkedInClient {
        LinkedInClient::new(Http::new().expect("http client"), self.endpoints())
    }
}
