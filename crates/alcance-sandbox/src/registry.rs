//! The networks the sandbox fakes, registered in one list ([`NETWORKS`]) that the server
//! asks in order.
//!
//! # Adding a network
//!
//! 1. Its seeded model: a module under `model/` (accounts added to `model::ACCOUNTS`, a
//!    [`Network`] variant) — or nothing, for a replay-only network.
//! 2. Its handler module (`src/<network>.rs`): a unit struct implementing [`FakeNetwork`]
//!    (its OAuth endpoints, the API requests it claims in seeded mode, and what it answers
//!    itself in replay mode when no recording matches).
//! 3. One line in [`NETWORKS`].
//!
//! The server (`server.rs`) knows no network by name: it asks the list.

use crate::model::{Generator, Network};
use crate::reply::Reply;
use crate::server::{Req, SandboxState};
use crate::{bluesky, facebook, graph, linkedin, reddit, threads, tiktok, whatsapp, x_api, youtube};

/// One network of the sandbox: how it answers requests. Every method returns `None` for a
/// request that is not its own, so the next network in [`NETWORKS`] is asked.
pub(crate) trait FakeNetwork: Sync {
    /// Which network this is.
    fn network(&self) -> Network;

    /// Its OAuth endpoints (authorize, token, refresh, revoke), answered in both modes.
    fn oauth(&self, _st: &SandboxState, _req: &Req) -> Option<Reply> {
        None
    }

    /// Seeded mode: the answer to an API request this network claims. `segs` are the path's
    /// segments without a Graph version (`["2", "users", "me"]`, `["me", "accounts"]`).
    fn seeded(&self, st: &SandboxState, g: &Generator, req: &Req, segs: &[&str]) -> Option<Reply>;

    /// Replay mode: what the sandbox answers itself when no recording (and no OAuth
    /// endpoint) matches.
    fn replay_fallback(&self, _st: &SandboxState, _req: &Req) -> Option<Reply> {
        None
    }
}

/// Every network, in the order requests are offered to them. Order matters where paths are
/// shared: TikTok, YouTube and X claim their own path prefixes first; Facebook and WhatsApp claim
/// Graph paths by the token's network; Instagram (Graph) answers every remaining request,
/// so it stays last.
pub(crate) static NETWORKS: &[&dyn FakeNetwork] = &[
    &tiktok::Tiktok,
    &youtube::Youtube,
    &x_api::X,
    &facebook::Facebook,
    &whatsapp::Whatsapp,
    // Bluesky claims only `/xrpc/` paths.
    &bluesky::Bluesky,
    // Reddit claims only `/api/v1/me`, `/api/info`, `/user/…` and `/r/…` (and its OAuth paths).
    &reddit::Reddit,
    // LinkedIn claims only `/rest/` and `/linkedin/` paths (and `/oauth/v2/…`).
    &linkedin::Linkedin,
    // Threads claims Graph paths by the token's network, and its OAuth paths before
    // Instagram's (`/access_token` by its `th_…` grant type).
    &threads::Threads,
    &graph::Instagram,
];

/// The OAuth endpoints of every network.
pub(crate) fn oauth(st: &SandboxState, req: &Req) -> Option<Reply> {
    NETWORKS.iter().find_map(|n| n.oauth(st, req))
}

/// Seeded mode: the first network that claims `req`.
pub(crate) fn seeded(st: &SandboxState, g: &Generator, req: &Req, segs: &[&str]) -> Option<Reply> {
    NETWORKS.iter().find_map(|n| {
        let reply = n.seeded(st, g, req, segs)?;
        tracing::trace!(network = n.network().key(), path = %req.raw_path, "seeded answer");
        Some(reply)
    })
}

/// Replay mode, no recording matched: OAuth, then each network's own answer.
pub(crate) fn replay_fallback(st: &SandboxState, req: &Req) -> Option<Reply> {
    oauth(st, req).or_else(|| NETWORKS.iter().find_map(|n| n.replay_fallback(st, req)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_network_is_registered_once_and_instagram_answers_last() {
        let listed: Vec<Network> = NETWORKS.iter().map(|n| n.network()).collect();
        for n in Network::ALL {
            assert_eq!(listed.iter().filter(|l| **l == n).count(), 1, "{n:?}");
        }
        assert_eq!(listed.last(), Some(&Network::Instagram));
    }
}
