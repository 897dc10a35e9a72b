//! YouTube wire shapes (serde DTOs) of the Data API v3 (`www.googleapis.com/youtube/v3/...`),
//! the Analytics API v2 (`youtubeanalytics.googleapis.com/v2/reports`) and Google's error
//! envelope. Private to the module: nothing here leaves `youtube`.
//!
//! Every field is lenient: a value of an unexpected type reads as `None` (counts come as
//! numeric **strings**, platform-apis-more.md §1), so only non-JSON bodies and a missing
//! envelope fail to decode. List items are kept as raw JSON and decoded one by one, so one
//! malformed video costs a warning, not the page.

use crate::lenient;
use serde::Deserialize;
use serde_json::Value;

/// A Data API list answer (`channels`, `playlistItems`, `videos`): `{kind, etag,
/// nextPageToken?, pageInfo?, items?}`. `items` is absent when nothing matched (a lookup
/// by an unknown handle or id answers 200 without `items`).
#[derive(Debug, Deserialize)]
pub(super) struct ListResponse {
    #[serde(default, deserialize_with = "lenient::string")]
    pub kind: Option<String>,
    #[serde(default, rename = "nextPageToken", deserialize_with = "lenient::string")]
    pub next_page_token: Option<String>,
    #[serde(default, rename = "pageInfo", deserialize_with = "lenient::object")]
    pub page_info: Option<PageInfo>,
    /// Raw items, decoded one by one; `None` when the answer has no `items`.
    #[serde(default)]
    pub items: Option<Value>,
}

/// `pageInfo`: `totalResults` (may be approximate) and `resultsPerPage`.
#[derive(Debug, Deserialize)]
pub(super) struct PageInfo {
    #[serde(default, rename = "totalResults", deserialize_with = "lenient::i64_truncated")]
    pub total_results: Option<i64>,
}

/// A thumbnail (`snippet.thumbnails.default|medium|high`).
#[derive(Debug, Deserialize)]
pub(super) struct Thumbnail {
    #[serde(default, deserialize_with = "lenient::string")]
    pub url: Option<String>,
}

/// `snippet.thumbnails`.
#[derive(Debug, Default, Deserialize)]
pub(super) struct Thumbnails {
    #[serde(default, deserialize_with = "lenient::object")]
    pub default: Option<Thumbnail>,
    #[serde(default, deserialize_with = "lenient::object")]
    pub medium: Option<Thumbnail>,
    #[serde(default, deserialize_with = "lenient::object")]
    pub high: Option<Thumbnail>,
}

/// A `youtube#channel` resource (parts `snippet`, `statistics`, `contentDetails`).
#[derive(Debug, Deserialize)]
pub(super) struct Channel {
    #[serde(deserialize_with = "lenient::required_id")]
    pub id: String,
    #[serde(default, deserialize_with = "lenient::object")]
    pub snippet: Option<ChannelSnippet>,
    #[serde(default, deserialize_with = "lenient::object")]
    pub statistics: Option<ChannelStatistics>,
    #[serde(default, rename = "contentDetails", deserialize_with = "lenient::object")]
    pub content_details: Option<ChannelContentDetails>,
}

/// `snippet` of a channel.
#[derive(Debug, Deserialize)]
pub(super) struct ChannelSnippet {
    #[serde(default, deserialize_with = "lenient::string")]
    pub title: Option<String>,
    /// The handle with its `@` (`@nangodeveloper`), or a legacy custom URL without one.
    #[serde(default, rename = "customUrl", deserialize_with = "lenient::string")]
    pub custom_url: Option<String>,
    #[serde(default, rename = "publishedAt", deserialize_with = "lenient::string")]
    pub published_at: Option<String>,
    #[serde(default, deserialize_with = "lenient::object")]
    pub thumbnails: Option<Thumbnails>,
}

/// `statistics` of a channel: counts as strings; `hiddenSubscriberCount` a boolean.
#[derive(Debug, Deserialize)]
pub(super) struct ChannelStatistics {
    #[serde(default, rename = "viewCount", deserialize_with = "lenient::f64")]
    pub view_count: Option<f64>,
    #[serde(default, rename = "subscriberCount", deserialize_with = "lenient::f64")]
    pub subscriber_count: Option<f64>,
    #[serde(default, rename = "hiddenSubscriberCount", deserialize_with = "lenient::bool")]
    pub hidden_subscriber_count: Option<bool>,
    #[serde(default, rename = "videoCount", deserialize_with = "lenient::f64")]
    pub video_count: Option<f64>,
}

/// `contentDetails` of a channel.
#[derive(Debug, Deserialize)]
pub(super) struct ChannelContentDetails {
    #[serde(default, rename = "relatedPlaylists", deserialize_with = "lenient::object")]
    pub related_playlists: Option<RelatedPlaylists>,
}

/// `contentDetails.relatedPlaylists`: `uploads` is the playlist of every upload.
#[derive(Debug, Deserialize)]
pub(super) struct RelatedPlaylists {
    #[serde(default, deserialize_with = "lenient::string")]
    pub uploads: Option<String>,
}

/// A `youtube#playlistItem` (parts `contentDetails`, and `snippet` in some recordings).
#[derive(Debug, Deserialize)]
pub(super) struct PlaylistItem {
    #[serde(default, rename = "contentDetails", deserialize_with = "lenient::object")]
    pub content_details: Option<PlaylistItemContent>,
    #[serde(default, deserialize_with = "lenient::object")]
    pub snippet: Option<PlaylistItemSnippet>,
}

/// `contentDetails` of a playlist item: the video id and, for videos the caller may see,
/// when the video was published (absent for private videos of other channels).
#[derive(Debug, Deserialize)]
pub(super) struct PlaylistItemContent {
    #[serde(default, rename = "videoId", deserialize_with = "lenient::string")]
    pub video_id: Option<String>,
    #[serde(default, rename = "videoPublishedAt", deserialize_with = "lenient::string")]
    pub video_published_at: Option<String>,
}

/// `snippet` of a playlist item (only `resourceId.videoId` is read, as a fallback).
#[derive(Debug, Deserialize)]
pub(super) struct PlaylistItemSnippet {
    #[serde(default, rename = "resourceId", deserialize_with = "lenient::object")]
    pub resource_id: Option<ResourceId>,
}

/// `snippet.resourceId`.
#[derive(Debug, Deserialize)]
pub(super) struct ResourceId {
    #[serde(default, rename = "videoId", deserialize_with = "lenient::string")]
    pub video_id: Option<String>,
}

/// A `youtube#video` (parts `snippet`, `statistics`, `contentDetails`, `status`).
#[derive(Debug, Deserialize)]
pub(super) struct Video {
    #[serde(deserialize_with = "lenient::required_id")]
    pub id: String,
    #[serde(default, deserialize_with = "lenient::object")]
    pub snippet: Option<VideoSnippet>,
    #[serde(default, deserialize_with = "lenient::object")]
    pub statistics: Option<VideoStatistics>,
    #[serde(default, rename = "contentDetails", deserialize_with = "lenient::object")]
    pub content_details: Option<VideoContentDetails>,
    #[serde(default, deserialize_with = "lenient::object")]
    pub status: Option<VideoStatus>,
}

/// `snippet` of a video.
#[derive(Debug, Deserialize)]
pub(super) struct VideoSnippet {
    #[serde(default, rename = "publishedAt", deserialize_with = "lenient::string")]
    pub published_at: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub title: Option<String>,
    /// `none`, `upcoming` or `live`.
    #[serde(default, rename = "liveBroadcastContent", deserialize_with = "lenient::string")]
    pub live_broadcast_content: Option<String>,
    #[serde(default, deserialize_with = "lenient::object")]
    pub thumbnails: Option<Thumbnails>,
}

/// `statistics` of a video: counts as strings, each absent when the owner hid it
/// (`likeCount`, `commentCount` when comments are off). `dislikeCount` is private since
/// 2021-12 and `favoriteCount` always `0`: neither is read.
#[derive(Debug, Deserialize)]
pub(super) struct VideoStatistics {
    #[serde(default, rename = "viewCount", deserialize_with = "lenient::f64")]
    pub view_count: Option<f64>,
    #[serde(default, rename = "likeCount", deserialize_with = "lenient::f64")]
    pub like_count: Option<f64>,
    #[serde(default, rename = "commentCount", deserialize_with = "lenient::f64")]
    pub comment_count: Option<f64>,
}

/// `contentDetails` of a video: `duration` in ISO 8601 (`PT3M34S`).
#[derive(Debug, Deserialize)]
pub(super) struct VideoContentDetails {
    #[serde(default, deserialize_with = "lenient::string")]
    pub duration: Option<String>,
}

/// `status` of a video.
#[derive(Debug, Deserialize)]
pub(super) struct VideoStatus {
    /// `public`, `unlisted` or `private`.
    #[serde(default, rename = "privacyStatus", deserialize_with = "lenient::string")]
    pub privacy_status: Option<String>,
    /// `processed`, `uploaded`, `failed`, `rejected` or `deleted`.
    #[serde(default, rename = "uploadStatus", deserialize_with = "lenient::string")]
    pub upload_status: Option<String>,
}

/// An Analytics API v2 `resultTable`: `columnHeaders` name the columns of every row;
/// `rows` is absent when there is no data.
#[derive(Debug, Deserialize)]
pub(super) struct ResultTable {
    #[serde(default, rename = "columnHeaders")]
    pub column_headers: Option<Value>,
    #[serde(default)]
    pub rows: Option<Value>,
}

/// One `columnHeaders[]` item: `{name, columnType: DIMENSION|METRIC, dataType}`.
#[derive(Debug, Deserialize)]
pub(super) struct ColumnHeader {
    #[serde(default, deserialize_with = "lenient::string")]
    pub name: Option<String>,
}

/// Google's error envelope: `{"error":{"code","message","errors":[{"message","domain",
/// "reason"}],"status"}}`; `status` is absent in older answers.
#[derive(Debug, Deserialize)]
pub(super) struct ErrorEnvelope {
    #[serde(default, deserialize_with = "lenient::object")]
    pub error: Option<GoogleError>,
}

/// `error` of the envelope.
#[derive(Debug, Deserialize)]
pub(super) struct GoogleError {
    #[serde(default, deserialize_with = "lenient::string")]
    pub message: Option<String>,
    #[serde(default, deserialize_with = "lenient::items")]
    pub errors: Vec<GoogleErrorItem>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub status: Option<String>,
}

/// One `error.errors[]` item.
#[derive(Debug, Deserialize)]
pub(super) struct GoogleErrorItem {
    #[serde(default, deserialize_with = "lenient::string")]
    pub message: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub domain: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub reason: Option<String>,
}
