//! Fuzz entry points (ADR 0016): one function per fuzz target of the `fuzz/` crate, each
//! taking arbitrary bytes and running them through the same decoding and mapping code
//! the clients and the vault use. The fuzz targets call these; the tests replay every
//! seed and every crash regression (`fuzz/corpus/<target>/`, `fuzz/regressions/<target>/`)
//! through them, so CI checks them without an instrumented build.
//!
//! Contract of every function here: it never panics, whatever the bytes (a panic is a bug
//! the fuzzer reports as a crash); results are computed and dropped.

use crate::http::Answer;
use crate::{bluesky, linkedin, reddit, tiktok, x, youtube};
use chrono::{DateTime, Utc};
use reqwest::header::HeaderMap;
use secrecy::SecretString;

/// The error statuses the error mappers tell apart (400 bad request, 401 refused token,
/// 403, 429 rate limit, 500).
const ERROR_STATUSES: [u16; 5] = [400, 401, 403, 429, 500];

/// A token the Meta decoders redact from their errors (never a real one).
const FUZZ_TOKEN: &str = "fuzz-token-not-a-secret";

/// A fixed collection clock: 2026-11-20T12:00:00Z.
fn at() -> DateTime<Utc> {
    DateTime::from_timestamp(1_795_694_400, 0).unwrap_or_default()
}

fn answer(body: &[u8], status: u16) -> Answer {
    Answer {
        status,
        headers: HeaderMap::new(),
        body: body.to_vec(),
        endpoint: "/fuzz".to_string(),
    }
}

/// Runs `decode` on `body` as a 200 answer, then as an error answer whose status is picked
/// by the body's length from [`ERROR_STATUSES`] (so the fuzzer reaches every status while
/// each input costs two reads, not six).
fn each_status(body: &[u8], mut decode: impl FnMut(&Answer)) {
    decode(&answer(body, 200));
    decode(&answer(body, ERROR_STATUSES[body.len() % ERROR_STATUSES.len()]));
}

/// X API v2: users, posts pages, private metrics, error mapping, rate-limit headers.
pub fn x(body: &[u8]) {
    each_status(body, |a| {
        if let Ok(user) = x::decode_user(a) {
            let _ = x::profile_metrics(&user, at());
        }
        let _ = x::decode_users(a);
        let _ = x::decode_posts(a);
        let _ = x::decode_private_metrics(a);
        let _ = x::map_error(a);
        let _ = x::rate_limit(a);
    });
}

/// Facebook Pages (Graph API): every answer the client reads (see `facebook::fuzz`).
pub fn facebook(body: &[u8]) {
    let token = SecretString::from(FUZZ_TOKEN);
    each_status(body, |a| crate::facebook::fuzz::decode_all(a, &token, at()));
}

/// Instagram (Graph API): every answer the client reads (see `instagram::fuzz`).
pub fn instagram(body: &[u8]) {
    let token = SecretString::from(FUZZ_TOKEN);
    each_status(body, |a| crate::instagram::fuzz::decode_all(a, &token, at()));
}

/// WhatsApp Business (Graph API): every answer the client reads and the webhook payload
/// parser (see `whatsapp::fuzz`).
pub fn whatsapp(body: &[u8]) {
    let token = SecretString::from(FUZZ_TOKEN);
    each_status(body, |a| crate::whatsapp::fuzz::decode_all(a, &token, at()));
}

/// Threads: every answer the client reads (see `threads::fuzz`).
pub fn threads(body: &[u8]) {
    each_status(body, |a| crate::threads::fuzz::decode_all(a, at()));
}

/// TikTok Display and Business APIs: user, video pages, business account, token answers,
/// error mapping.
pub fn tiktok(body: &[u8]) {
    each_status(body, |a| {
        if let Ok(user) = tiktok::decode_user(a) {
            let _ = tiktok::profile_metrics(&user, at());
        }
        let _ = tiktok::decode_video_page(a);
        let _ = tiktok::decode_business_video_page(a);
        let _ = tiktok::decode_business_account(a, "1");
        let _ = tiktok::map_display_error(a);
        let _ = tiktok::map_business_error(a);
    });
    let _ = tiktok::parse_business_token(body);
    let _ = tiktok::parse_business_token_info(body);
}

/// YouTube Data and Analytics APIs: channels, uploads, videos, reports, error mapping.
pub fn youtube(body: &[u8]) {
    each_status(body, |a| {
        if let Ok(channels) = youtube::decode_channels(a) {
            for c in &channels {
                let _ = youtube::channel_metrics(c, at());
            }
        }
        let _ = youtube::decode_uploads(a);
        let _ = youtube::decode_videos(a);
        let _ = youtube::decode_report(a);
        let _ = youtube::decode_video_report(a);
        let _ = youtube::map_error(a);
    });
}

/// Reddit: the user, a subreddit, submitted pages, error mapping.
pub fn reddit(body: &[u8]) {
    each_status(body, |a| {
        if let Ok(user) = reddit::decode_me(a) {
            let _ = reddit::user_metrics(&user, at());
        }
        let _ = reddit::decode_about(a);
        if let Ok(sub) = reddit::decode_subreddit(a) {
            let _ = reddit::subreddit_metrics(&sub, at());
        }
        let _ = reddit::decode_submitted(a);
        let _ = reddit::map_error(a);
    });
}

/// LinkedIn: userinfo, ACLs, organization, follower and share statistics, posts and their
/// statistics, error mapping.
pub fn linkedin(body: &[u8]) {
    let asked = vec!["urn:li:share:1".to_string(), "urn:li:ugcPost:2".to_string()];
    each_status(body, |a| {
        let _ = linkedin::decode_userinfo(a);
        let _ = linkedin::decode_paging(a);
        let _ = linkedin::decode_acls(a);
        let _ = linkedin::decode_organization(a);
        let _ = linkedin::decode_network_size(a, at());
        let _ = linkedin::decode_follower_gains(a);
        let _ = linkedin::decode_follower_demographics(a);
        let _ = linkedin::decode_share_days(a);
        let _ = linkedin::decode_post_stats(a);
        let _ = linkedin::decode_posts(a);
        let _ = linkedin::decode_social_metadata(a, &asked);
        let _ = linkedin::map_error(a);
    });
}

/// Bluesky (AT Protocol): profiles, author feed, posts, handle resolution, sessions,
/// error mapping.
pub fn bluesky(body: &[u8]) {
    let asked = vec!["at://did:plc:fuzz/app.bsky.feed.post/1".to_string()];
    each_status(body, |a| {
        if let Ok(profile) = bluesky::decode_profile(a) {
            let _ = bluesky::profile_metrics(&profile, at());
        }
        let _ = bluesky::decode_profiles(a);
        let _ = bluesky::decode_feed_page(a, "did:plc:fuzz");
        let _ = bluesky::decode_posts(a, &asked);
        let _ = bluesky::decode_resolved(a);
        let _ = bluesky::decode_session(a);
        let _ = bluesky::map_error(a);
    });
}

/// The encrypted vault file (`vault.enc`): its JSON layout, base64 fields, the check value
/// and every entry, decrypted with a fixed key (no Argon2id; see
/// `vault::file::read_with_key`). Seeds made with [`VAULT_FUZZ_KEY`] get past the check.
pub fn vault_file(bytes: &[u8]) {
    let _ = crate::vault::file::read_with_key(bytes, &VAULT_FUZZ_KEY);
}

/// The AES-256 key of the `vault_file` target's seeds (32 bytes of `0x07`; not a secret).
pub const VAULT_FUZZ_KEY: [u8; 32] = [7; 32];
