//! # alcance-sandbox
//!
//! A local HTTP server that is wire-compatible with the X API v2 and the Instagram Graph
//! API (plus their OAuth endpoints), so Alcance's real clients, collector and store can run
//! with no credentials and no network: `alcance demo`, the tests and the benchmarks.
//!
//! Two sources of answers ([`Mode`]):
//! - **Seeded**: a deterministic generator, a pure function of `(seed, account, time)`
//!   (model below).
//! - **Replay**: recorded exchanges in the format of `shared/fixtures/README.md`
//!   ([`replay`]); OAuth authorize / token requests that no recording matches are answered
//!   by the sandbox itself (auto-approve, synthetic tokens).
//!
//! Both modes honour the control endpoints and fault injection.
//!
//! ```no_run
//! # async fn demo() -> Result<(), alcance_sandbox::SandboxError> {
//! use alcance_sandbox::{Sandbox, SandboxConfig};
//! let sandbox = Sandbox::start(SandboxConfig::seeded(42)).await?;
//! let base = sandbox.base_url(); // http://127.0.0.1:PORT/ → Endpoints::sandbox(&base)
//! # let _ = base;
//! sandbox.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! ## Endpoints
//!
//! X (header `Authorization: Bearer <token>`; every answer carries `x-rate-limit-limit`,
//! `x-rate-limit-remaining`, `x-rate-limit-reset`):
//! `GET /2/users/me`, `GET /2/users/{id}`, `GET /2/users/by/username/{username}`
//! (`user.fields`), `GET /2/users/{id}/tweets` (`max_results` 5–100, default 10;
//! `start_time`, `end_time`, `since_id`, `until_id`, `pagination_token`, `tweet.fields`,
//! `expansions=attachments.media_keys,author_id`, `media.fields`), `GET /2/tweets?ids=`
//! (≤ 100). `non_public_metrics` / `organic_metrics` are served only for the token owner's
//! posts younger than 30 days; otherwise the post comes without them and a partial
//! `errors[]` item (`not-authorized-for-field`) is added, with HTTP 200. Unknown ids give
//! `resource-not-found` partial errors; bad parameters a 400 `invalid-request` problem;
//! unknown or revoked tokens a 401 problem.
//!
//! Rate limits per (token, endpoint) per 15-minute window of **real** time: `users/me` 75,
//! user lookup 300, `users/:id/tweets` 900, `tweets` lookup 900; past the limit a 429
//! problem+json (`remaining` 0). `DELETE /__alcance/limits` resets all windows.
//!
//! Instagram Graph (token as `access_token=` or bearer; paths with or without a leading
//! `/vNN.N`; answers carry `X-App-Usage` and `X-Business-Use-Case-Usage`, percent of a
//! 4800-calls/hour budget used in the current real hour, never enforced):
//! `GET /me`, `GET /{ig-user-id}` (`fields`, including `business_discovery.username(u){…}`
//! and `media{…}`), `GET /{ig-media-id}`, `GET /{ig-user-id}/media` (feed and reels, newest
//! first; `fields`, `limit` ≤ 100 default 25, `after`, `since`, `until`; `paging.next`
//! only when more), `GET /{ig-user-id}/stories` (stories published in the last 24 h),
//! `GET /{ig-user-id}/insights` and `GET /{ig-media-id}/insights`.
//! Account insights: `period=day` metrics `reach`, `follower_count` (time series or
//! `metric_type=total_value`), `views`, `accounts_engaged`, `total_interactions`,
//! `likes`, `comments`, `shares`, `saves`, `replies`, `profile_links_taps`, `reposts`,
//! `follows_and_unfollows` (total value only); `breakdown=media_product_type`
//! (`POST`, `CAROUSEL_CONTAINER`, `REEL`, `STORY`) and `follow_type` (`FOLLOWER`,
//! `NON_FOLLOWER`) where Meta offers them; `since`/`until` (Unix seconds) at most 30 days
//! apart; time-series buckets are **UTC days** with `end_time` the next UTC midnight
//! (`2026-11-21T00:00:00+0000` for 2026-11-20); the day in progress is partial up to the
//! sandbox clock. `follower_demographics` / `engaged_audience_demographics` with
//! `period=lifetime`, `timeframe=this_month|this_week`, `breakdown=age|gender|age,gender|
//! country|city` (Brazilian audience: `BR` first; São Paulo, Rio de Janeiro, Belo
//! Horizonte, …). Media insights metric lists per product type are [`graph::FEED_METRICS`],
//! [`graph::REELS_METRICS`], [`graph::STORY_METRICS`]; any of
//! [`graph::REMOVED_MEDIA_METRICS`] or `carousel_album_*` fails the whole call with 400
//! `(#100) The value must be a valid insights metric`; stories younger than 1 h answer
//! 400 `(#10) Not enough viewers for the media to show insights`; media of the owned
//! account published before 2024-01-08 (its business conversion) answer 400 code 100
//! subcode 2108006. Invalid tokens: 401 with Graph code 190.
//!
//! OAuth: X `GET /i/oauth2/authorize` (PKCE required) and `POST /2/oauth2/token`
//! (`authorization_code`, `refresh_token` with rotation; refresh token only with
//! `offline.access`), `POST /2/oauth2/revoke`; Instagram Login `GET /oauth/authorize`,
//! `POST /oauth/access_token` (answers `user_id` as a string), `GET /access_token?
//! grant_type=ig_exchange_token`, `GET /refresh_access_token?grant_type=ig_refresh_token`.
//! See [`oauth`] for codes and token rules.
//!
//! Control (`/__alcance/`, never faulted): `GET accounts` → `{"mode","accounts":[{"platform",
//! "external_id","username","owned"}]}`; `GET|POST clock` (`{"now": RFC 3339 | null}` →
//! `{"mode":"seeded","now","fixed"}`; replay answers `{"mode":"replay"}`); `POST revoke`
//! `{"token"}` → `{"revoked": bool}`; `GET|POST|DELETE faults` ([`faults::Fault`], one or
//! an array); `DELETE limits`; `GET health`; `GET img/{name}.svg` (placeholder pictures
//! used by `profile_image_url`, `media_url`).
//!
//! ## The seeded model
//!
//! Accounts ([`model::ACCOUNTS`], manifest order): X `alcance_br` (id
//! `1580000000000000001`, owned), X `ana_influencer` (`1580000000000000002`, tracked),
//! Instagram `alcance.br` (`17841400000000001`, owned), Instagram `ana.influencer`
//! (`17841400000000002`, tracked). OAuth logs in as the owned account of each platform.
//!
//! **Clock.** Everything is computed "as of" the sandbox clock (`POST /__alcance/clock`),
//! default the real time. Posts published after it do not exist yet.
//!
//! **Followers.** `F(t) = F₀ · s · exp(g · C(t) + ε(t))` where `t` runs from
//! 2024-01-01T00:00Z, `C(t)` counts days weighted by [`model::FOLLOWER_GROWTH_WEEKDAY`]
//! (UTC weekday, Mon–Sun `0.95, 1.20, 1.00, 1.20, 0.95, 0.80, 0.90`, interpolated within
//! the day), `ε` is a per-day noise in ±0.0006 linearly interpolated, `s` a per-seed scale
//! in 0.95–1.05. Owned accounts: `F₀` 900 (X) / 1000 (Instagram), `g = 0.0025`/day
//! (≈ 12–13.5 k followers in Nov 2026); influencers: `F₀` 10 700 / 11 000, `g = 0.0020`
//! (≈ 85 k). Followers never decrease. Instagram `follower_count` (day) is the day's net
//! gain `F(end) − F(start)`.
//!
//! **Posts.** Every UTC day from 2024-01-01 has posts, published at uniformly random
//! seconds of the day (all 24 hours occur): X 1–3 posts/day (45 % text, 35 % photo, 15 %
//! video, 5 % GIF); Instagram 0 (5 %), 1 (85 %) or 2 (10 %) feed/reels posts/day (40 %
//! IMAGE/FEED, 25 % CAROUSEL_ALBUM/FEED, 35 % VIDEO/REELS) plus, on half the days, 1–4
//! stories (IMAGE or VIDEO / STORY). Each post draws a quality `q` in 0.75–1.30.
//!
//! **Engagement multiplier** of a post published at local (America/Sao_Paulo, fixed
//! UTC−3) hour `h` and weekday `d`: `M = H[h] · W[d]` with
//! `H` = [`model::HOUR_MULTIPLIER`] =
//! `0.80 0.65 0.50 0.50 0.50 0.50 0.65 0.80 0.90 1.00 1.00 1.05 1.15 1.10 1.00 1.00 1.05
//! 1.15 1.30 1.80 1.80 1.40 1.10 0.95` for hours 0–23 (peak 19:00–20:59 local =
//! 22:00–23:59 UTC; lowest 02:00–05:59 local) and `W` = [`model::WEEKDAY_MULTIPLIER`] =
//! Mon 1.00, Tue 1.25, Wed 1.05, Thu 1.25, Fri 0.95, Sat 0.85, Sun 0.90. The best slot is
//! Tuesday or Thursday 19–21 h local (`M = 2.25`), the worst Saturday 02–06 h (`0.425`).
//!
//! **Lifetime values** (`F` = followers at publication, `√M` its square root):
//! - X: impressions `= F · 0.30 · √M · q · b` (`b`: text 1.0, photo 1.15, video 1.35,
//!   GIF 1.1); engagements `= impressions · e · √M` (`e` 0.025 owned, 0.03 influencer),
//!   split likes 62 %, reposts 12 %, replies 9 %, quotes 3 %, bookmarks 14 % (each
//!   × 0.85–1.15 jitter); URL link clicks `impressions · 0.004 · √M`, profile clicks
//!   `· 0.007 · √M`; video / GIF `view_count` `impressions · 0.5 / 0.6`.
//! - Instagram: reach `= F · r · √M · q` (`r`: IMAGE 0.22, CAROUSEL 0.26, REELS 0.45,
//!   STORY 0.10); views `= reach · v` (`v`: 1.3, 1.7, 1.9, 1.15; so reach < views and reels
//!   get the most views); interactions `= reach · e · k · √M` (`e` 0.07 owned, 0.08
//!   influencer; `k` 1.0 feed, 1.15 reels, 0.4 stories) split likes 74 %, comments 6 %,
//!   shares 8 %, saves 12 % (stories: replies 55 %, shares 45 %); follows
//!   `reach · 0.0025 · √M`; profile visits `reach · 0.025 · √M`; profile activity 35 % of
//!   profile visits; story navigation 95 % of views (tap forward 62 %, back 8 %, exit 20 %,
//!   swipe 10 %); reels average watch time 5–15 s (`ig_reels_avg_watch_time`, ms) and
//!   total watch time = average × views (ms).
//!
//! So interactions scale with `M` and impressions / views / reach with `√M`: both raw
//! engagement and engagement rate peak in the same slots.
//!
//! **Growth with age.** A metric at age `a` hours is `⌊final · (1 − e^(−a/18))⌋`
//! ([`model::SATURATION_HOURS`]): 43 % after 10 h, 74 % after a day, 98 % after 3 days.
//!
//! **Account insights** are the sum over posts of each metric's increase within the
//! interval (posts of the 8 previous days included), so they agree with the posts:
//! `views`, `likes`, `comments`, `shares`, `saves`, `replies` are plain sums;
//! `reach` is 82 % of the summed post reach (overlap); `total_interactions` = likes +
//! comments + shares + saves + replies; `accounts_engaged` 72 % of interactions;
//! `profile_links_taps` 15 % of profile visits; `reposts` 15 % of shares. Breakdowns
//! split each post's value by its product type and its follower share (feed 72 %,
//! carousel 68 %, reels 38 %, stories 92 % from followers).
//!
//! Randomness: ChaCha8 seeded from `(seed, account, UTC day, purpose)`; generated days
//! are cached, so answers never depend on request order.

pub mod faults;
pub mod graph;
pub mod limits;
pub mod model;
pub mod oauth;
pub mod replay;

mod control;
mod error;
mod reply;
mod server;
mod x_api;

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;

pub use error::SandboxError;
pub use faults::{Fault, FaultKind};
pub use replay::{ManifestAccount, ReplayEngine};
pub use server::{router, serve, Sandbox, SandboxState};

/// The seed `alcance demo` and `alcance sandbox` use unless told otherwise.
pub const DEFAULT_SEED: u64 = 2026;

/// Where the sandbox's answers come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    /// The deterministic generator for this seed.
    Seeded {
        /// Any value; the same seed and clock always give the same bodies.
        seed: u64,
    },
    /// Recorded exchanges loaded (recursively) from this directory.
    Replay {
        /// A directory of exchange files (`shared/fixtures` format).
        dir: PathBuf,
    },
}

/// How to run a sandbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SandboxConfig {
    /// Seeded or replay.
    pub mode: Mode,
    /// Address to listen on; default `127.0.0.1:0` (a free port on loopback only).
    pub bind: SocketAddr,
}

impl SandboxConfig {
    /// Seeded mode on `127.0.0.1:0`.
    pub fn seeded(seed: u64) -> SandboxConfig {
        SandboxConfig {
            mode: Mode::Seeded { seed },
            bind: default_bind(),
        }
    }

    /// Replay mode of `dir` on `127.0.0.1:0`.
    pub fn replay(dir: impl Into<PathBuf>) -> SandboxConfig {
        SandboxConfig {
            mode: Mode::Replay { dir: dir.into() },
            bind: default_bind(),
        }
    }

    /// The same config listening on `127.0.0.1:port`.
    pub fn with_port(mut self, port: u16) -> SandboxConfig {
        self.bind = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
        self
    }
}

impl Default for SandboxConfig {
    /// Seeded with [`DEFAULT_SEED`] on `127.0.0.1:0`.
    fn default() -> Self {
        SandboxConfig::seeded(DEFAULT_SEED)
    }
}

fn default_bind() -> SocketAddr {
    SocketAddr::from((Ipv4Addr::LOCALHOST, 0))
}
