//! Instagram Hashtag Search (Instagram API with Facebook Login; developers.facebook.com,
//! "Hashtag Search", "IG Hashtag Search", "IG Hashtag Top Media / Recent Media"):
//!
//! - `GET /ig_hashtag_search?user_id={ig-user-id}&q={name}` → `data[0].id`, the hashtag's
//!   id. Ids are static and global (the same for every app and user), so callers cache
//!   them; but every query counts against the account's budget of **30 unique hashtags per
//!   rolling 7 days** (a hashtag queried again inside its 7 days does not count again, nor
//!   restart its 7 days). The budget is enforced before calling
//!   ([`crate::governor::hashtag`]); past it Meta answers HTTP 400 with error code 24
//!   (subcode 2207035 in the sandbox), [`is_hashtag_limit`].
//! - `GET /{ig-hashtag-id}/top_media` and `/recent_media` with `user_id=` and
//!   `fields=id,caption,media_type,comments_count,like_count,permalink,timestamp`: public
//!   media tagged with it (recent: the last 24 hours). Alcance reads the first page (up to
//!   50 media).
//!
//! Real Meta serves these calls only to Facebook Login tokens and apps approved for
//! Instagram Public Content Access; emoji in the query are refused.

use super::InstagramClient;
use crate::error::PlatformError;
use crate::http::Recorder;
use crate::meta::{self, decode, parse_time};
use alcance_core::HashtagEdge;
use chrono::{DateTime, Utc};
use secrecy::SecretString;
use serde::Deserialize;

/// The fields read from a hashtag's media edges.
pub const HASHTAG_MEDIA_FIELDS: &str = "id,caption,media_type,comments_count,like_count,permalink,timestamp";

/// Media per page asked of a hashtag edge (Meta's maximum is 50).
const HASHTAG_PAGE_SIZE: &str = "50";

/// Longest caption excerpt kept, characters.
pub const CAPTION_EXCERPT_CHARS: usize = 280;

/// One public media tagged with a hashtag, as an edge served it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HashtagMedia {
    /// The IG media id (`id`).
    pub id: String,
    /// Publication time, UTC (`timestamp`); `None` when absent or unreadable.
    pub timestamp: Option<DateTime<Utc>>,
    /// `media_type` as sent (`IMAGE`, `VIDEO`, `CAROUSEL_ALBUM`).
    pub media_type: Option<String>,
    /// `like_count` (absent when the owner hides likes). A count.
    pub like_count: Option<i64>,
    /// `comments_count`. A count.
    pub comments_count: Option<i64>,
    /// `permalink`.
    pub permalink: Option<String>,
    /// The first [`CAPTION_EXCERPT_CHARS`] characters of `caption`.
    pub caption_excerpt: Option<String>,
}

#[derive(Deserialize)]
struct SearchAnswer {
    #[serde(default)]
    data: Vec<IdNode>,
}

#[derive(Deserialize)]
struct IdNode {
    id: String,
}

#[derive(Deserialize)]
struct EdgeAnswer {
    #[serde(default)]
    data: Vec<Node>,
}

#[derive(Deserialize)]
struct Node {
    id: String,
    #[serde(default)]
    caption: Option<String>,
    #[serde(default)]
    media_type: Option<String>,
    #[serde(default)]
    comments_count: Option<serde_json::Value>,
    #[serde(default)]
    like_count: Option<serde_json::Value>,
    #[serde(default)]
    permalink: Option<String>,
    #[serde(default)]
    timestamp: Option<String>,
}

fn count(v: Option<&serde_json::Value>) -> Option<i64> {
    let v = v?;
    v.as_i64().or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
}

/// `true` for Meta's refusal of a hashtag query past the 30-per-7-days budget: error
/// code 24 (an [`PlatformError::Api`] whose code is `meta_24` or `meta_24_<subcode>`).
pub fn is_hashtag_limit(e: &PlatformError) -> bool {
    matches!(e, PlatformError::Api { code: Some(c), .. } if c == "meta_24" || c.starts_with("meta_24_"))
}

impl InstagramClient {
    /// The id of hashtag `name` (without `#`, as typed; Meta matches case-insensitively),
    /// searched on behalf of the IG account `ig_user_id`:
    /// `GET /ig_hashtag_search?user_id=&q=`. Counts against that account's 30 unique
    /// hashtags per 7 days: check [`crate::governor::hashtag::HashtagBudget`] first.
    ///
    /// Errors: the mapped Graph error (code 24 past the budget, see [`is_hashtag_limit`];
    /// 190 → `Unauthorized`; 10 / 200–299 → `Forbidden` without the feature); an answer
    /// without any id → [`PlatformError::NotFound`]; an empty name →
    /// [`PlatformError::NotFound`] without a call.
    pub async fn hashtag_id(
        &self,
        token: &SecretString,
        ig_user_id: &str,
        name: &str,
        rec: &Recorder,
    ) -> Result<String, PlatformError> {
        let name = name.trim().trim_start_matches('#');
        if name.is_empty() {
            return Err(PlatformError::NotFound {
                message: "an empty hashtag".into(),
            });
        }
        let answer = meta::get(
            &self.http,
            self.base(),
            "/ig_hashtag_search",
            &[("user_id", ig_user_id), ("q", name)],
            token,
            rec,
        )
        .await?;
        let found: SearchAnswer = decode(&answer, token)?;
        found
            .data
            .into_iter()
            .map(|n| n.id)
            .find(|id| !id.is_empty())
            .ok_or_else(|| PlatformError::NotFound {
                message: format!("Instagram knows no hashtag #{name}"),
            })
    }

    /// The first page (up to 50) of the `edge` media of hashtag `hashtag_id`, read on behalf
    /// of `ig_user_id`: `GET /{ig-hashtag-id}/top_media|recent_media?user_id=&fields=id,caption,media_type,comments_count,like_count,permalink,timestamp&limit=50`.
    /// Does not count against the hashtag budget (only the search does). Items without an
    /// id are skipped.
    ///
    /// Errors: the mapped Graph error; a body that is not a list → [`PlatformError::Decode`].
    pub async fn hashtag_media(
        &self,
        token: &SecretString,
        ig_user_id: &str,
        hashtag_id: &str,
        edge: HashtagEdge,
        rec: &Recorder,
    ) -> Result<Vec<HashtagMedia>, PlatformError> {
        let answer = meta::get(
            &self.http,
            self.base(),
            &format!("/{hashtag_id}/{}", edge.edge_path()),
            &[
                ("user_id", ig_user_id),
                ("fields", HASHTAG_MEDIA_FIELDS),
                ("limit", HASHTAG_PAGE_SIZE),
            ],
            token,
            rec,
        )
        .await?;
        let page: EdgeAnswer = decode(&answer, token)?;
        Ok(page
            .data
            .into_iter()
            .filter(|n| !n.id.trim().is_empty())
            .map(|n| HashtagMedia {
                timestamp: n.timestamp.as_deref().and_then(parse_time),
                media_type: n.media_type,
                like_count: count(n.like_count.as_ref()),
                comments_count: count(n.comments_count.as_ref()),
                permalink: n.permalink,
                caption_excerpt: n.caption.map(|c| c.chars().take(CAPTION_EXCERPT_CHARS).collect()),
                id: n.id,
            })
            .collect())
    }
}
