//! The platforms Alcance collects from, and the content types of their posts.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A social platform Alcance connects to. Serialized in lower case (`"x"`, `"instagram"`),
/// which is also the `platform` column of every export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Platform {
    /// X (formerly Twitter), API v2.
    X,
    /// Facebook Pages, Graph API.
    Facebook,
    /// Instagram professional accounts, Graph API (Facebook Login or Instagram Login).
    Instagram,
    /// WhatsApp Business (Cloud API, WABA analytics).
    Whatsapp,
    /// TikTok (Display API v2 and API for Business).
    Tiktok,
    /// YouTube channels (Data API v3 and Analytics API v2).
    Youtube,
    /// Bluesky (AT Protocol: public AppView reads, app-password sessions).
    Bluesky,
    /// Reddit (Data API on `oauth.reddit.com`, installed-app OAuth): a user's karma and
    /// submissions, and tracked users and subreddits.
    Reddit,
    /// LinkedIn organization pages the member administers (Community Management API).
    Linkedin,
    /// Threads (Meta's Threads API, `graph.threads.net`).
    Threads,
}

impl Platform {
    /// Every platform, in display order.
    pub const ALL: [Platform; 10] = [
        Platform::X,
        Platform::Facebook,
        Platform::Instagram,
        Platform::Whatsapp,
        Platform::Tiktok,
        Platform::Youtube,
        Platform::Bluesky,
        Platform::Reddit,
        Platform::Linkedin,
        Platform::Threads,
    ];

    /// The stable lower-case key stored in SQLite and written to exports.
    pub fn as_str(self) -> &'static str {
        match self {
            Platform::X => "x",
            Platform::Facebook => "facebook",
            Platform::Instagram => "instagram",
            Platform::Whatsapp => "whatsapp",
            Platform::Tiktok => "tiktok",
            Platform::Youtube => "youtube",
            Platform::Bluesky => "bluesky",
            Platform::Reddit => "reddit",
            Platform::Linkedin => "linkedin",
            Platform::Threads => "threads",
        }
    }

    /// A human label for UI and reports ("X", "Instagram", ...).
    pub fn label(self) -> &'static str {
        match self {
            Platform::X => "X",
            Platform::Facebook => "Facebook",
            Platform::Instagram => "Instagram",
            Platform::Whatsapp => "WhatsApp",
            Platform::Tiktok => "TikTok",
            Platform::Youtube => "YouTube",
            Platform::Bluesky => "Bluesky",
            Platform::Reddit => "Reddit",
            Platform::Linkedin => "LinkedIn",
            Platform::Threads => "Threads",
        }
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

crate::text_enum::sqlx_text!(Platform);

/// A platform key that is not one of [`Platform::ALL`].
#[derive(Debug, thiserror::Error)]
#[error(
    "unknown platform {0:?} (expected one of x, facebook, instagram, whatsapp, tiktok, youtube, bluesky, reddit, linkedin, threads)"
)]
pub struct UnknownPlatform(pub String);

impl FromStr for Platform {
    type Err = UnknownPlatform;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "x" | "twitter" => Ok(Platform::X),
            "facebook" | "fb" => Ok(Platform::Facebook),
            "instagram" | "ig" => Ok(Platform::Instagram),
            "whatsapp" | "wa" => Ok(Platform::Whatsapp),
            "tiktok" | "tt" => Ok(Platform::Tiktok),
            "youtube" | "yt" => Ok(Platform::Youtube),
            "bluesky" | "bsky" => Ok(Platform::Bluesky),
            "reddit" => Ok(Platform::Reddit),
            "linkedin" | "li" => Ok(Platform::Linkedin),
            "threads" | "th" => Ok(Platform::Threads),
            other => Err(UnknownPlatform(other.to_string())),
        }
    }
}

/// What kind of content a post is, normalised across platforms. Stored as the lower-case
/// key (`"reel"`, `"carousel"`); `Other` keeps unknown platform values readable.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ContentType {
    /// Text only (X posts without media).
    Text,
    /// A single image.
    Image,
    /// A video in the feed.
    Video,
    /// A carousel / album of several media.
    Carousel,
    /// Instagram Reels (and other short-form vertical video products).
    Reel,
    /// A 24-hour story.
    Story,
    /// A link share.
    Link,
    /// Anything else; the platform's own value is kept.
    Other(String),
}

impl ContentType {
    /// The key stored in SQLite (`posts.content_type`).
    pub fn as_key(&self) -> &str {
        match self {
            ContentType::Text => "text",
            ContentType::Image => "image",
            ContentType::Video => "video",
            ContentType::Carousel => "carousel",
            ContentType::Reel => "reel",
            ContentType::Story => "story",
            ContentType::Link => "link",
            ContentType::Other(s) => s.as_str(),
        }
    }

    /// Parses a stored key back; unknown keys become [`ContentType::Other`].
    pub fn from_key(key: &str) -> ContentType {
        match key {
            "text" => ContentType::Text,
            "image" => ContentType::Image,
            "video" => ContentType::Video,
            "carousel" => ContentType::Carousel,
            "reel" => ContentType::Reel,
            "story" => ContentType::Story,
            "link" => ContentType::Link,
            other => ContentType::Other(other.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn platform_round_trips_through_its_key() {
        for p in Platform::ALL {
            assert_eq!(p.as_str().parse::<Platform>().ok(), Some(p));
        }
        assert!("myspace".parse::<Platform>().is_err());
        assert_eq!("Twitter".parse::<Platform>().ok(), Some(Platform::X));
    }

    #[test]
    fn content_type_keeps_unknown_values() {
        assert_eq!(ContentType::from_key("reel"), ContentType::Reel);
        assert_eq!(ContentType::from_key("igtv").as_key(), "igtv");
    }
}
