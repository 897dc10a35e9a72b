//! WhatsApp Business: WABA analytics through the Graph API (`graph.facebook.com`, token as
//! the `access_token` query parameter; platform-apis.md §2, §5), and the webhook payloads
//! that carry metric facts.
//!
//! # Tokens and accounts
//!
//! The user pastes a **system-user token** and the **WABA id** (no OAuth dialog).
//! [`WhatsAppClient::validate`] checks both at connect time (`GET /{waba-id}`; 401 / 190 →
//! `Unauthorized`) and returns the WABA as a [`Profile`](alcance_core::Profile) whose
//! `external_id` is the WABA id: that is the account. `CollectCtx::token` is the
//! system-user token and `CollectCtx::account.external_id` the WABA id.
//! [`PlatformClient::whoami`](crate::PlatformClient::whoami) answers the token's owner
//! (`GET /me?fields=id,name`, the system user), not a WABA.
//!
//! # What is collected and how it maps
//!
//! | source | catalog key | where |
//! |---|---|---|
//! | `analytics` `sent` / `delivered` | `messages_sent` / `messages_delivered` | account metric |
//! | `conversation_analytics` `conversation` / `cost` | `conversations` / `conversation_cost` | account metric (sum of the dimension rows) + audience slices |
//! | `pricing_analytics` `volume` / `cost` | `pricing_volume` / `pricing_cost` | account metric (sum) + audience slices |
//! | `template_analytics` `sent` / `delivered` / `read` / `clicked[].count` / `cost[amount_spent]` | `template_sent` / `template_delivered` / `template_read` / `template_clicked` / `template_cost` | account metric (sum over templates) + audience slices per template |
//! | phone numbers `quality_rating` / `messaging_limit_tier` | — | audience slices (see below) |
//! | webhook `statuses[].status` | `messages_sent` / `messages_delivered` / `messages_read` / `messages_played` / `messages_failed` | counts per UTC day, see [`parse_webhook`] |
//!
//! **Periods.** Data points carry Unix `start` / `end` (the WABA's time zone decides where
//! a day begins). A point spanning 23–25 h is `Period::Day`, 27–31 days (± 1 h)
//! `Period::Month`, anything else (half hours, clipped ranges) `Period::Total`; `period_start`
//! / `period_end` are `start` / `end` in UTC. Costs are in the WABA's currency
//! (`Waba::currency`).
//!
//! **Breakdowns** are `AudienceSlice`s with `audience` = the
//! metric key (`conversations`, `conversation_cost`, `pricing_volume`, `pricing_cost`,
//! `template_sent`, ...), `dimension` = the dimension field names present in the point,
//! comma-joined in a fixed order (`conversation_category,conversation_direction,conversation_type,country,phone_number`;
//! `pricing_category,pricing_type,tier,country,phone_number`; `template_id`;
//! `template_id,button_type` for clicks), `key` = their values in the same order, and
//! `timeframe` = `day:YYYY-MM-DD` / `month:YYYY-MM` (the date at the middle of the bucket,
//! so the WABA's local date) or `range:<start>/<end>` (RFC 3339) for other spans.
//!
//! **Phone numbers** have no numeric metrics: their `quality_rating` and
//! `messaging_limit_tier` are stored as slices of value 1 — audience `phone_number`,
//! dimension `phone_number_id,quality_rating` (key `106000000000001,GREEN`) and
//! `phone_number_id,messaging_limit_tier` (key `106000000000001,TIER_1K`), timeframe
//! `day:YYYY-MM-DD` of the collection — so a quality change shows up day by day without
//! becoming a data gap ([`phone_number_slices`]).
//!
//! **Lookback.** Messaging, conversation and pricing analytics reach back one year
//! ([`ANALYTICS_LOOKBACK_DAYS`]), template analytics 90 days ([`TEMPLATE_LOOKBACK_DAYS`]);
//! the client clamps the window's start to `window.until − lookback` ([`clamp_window`]).
//!
//! **Template insights** must be enabled once per WABA with an irreversible call:
//! [`WhatsAppClient::enable_template_insights`] needs a [`TemplateInsightsConfirmation`]
//! and is never called by `collect`. While they are disabled, template analytics answer
//! with an error that becomes a `template_insights_disabled` gap, not a failure.
//!
//! Layout: `wire` (private serde DTOs), `map` (wire → records), `client` (requests).

mod client;
mod descriptor;
pub use descriptor::DESCRIPTOR;
pub(crate) mod fuzz;
mod map;
mod wire;

pub use crate::meta::InsightsResult;
pub use crate::meta::Listing;
pub use client::MAX_TEMPLATE_IDS;
pub use map::{clamp_window, parse_webhook, phone_number_slices};

use crate::endpoints::Endpoints;
use crate::http::Http;
use alcance_core::{AccountMetric, AudienceSlice, CollectWarning};
use url::Url;

/// How far back messaging (`analytics`), `conversation_analytics` and `pricing_analytics`
/// reach, days (since 2025-12-01).
pub const ANALYTICS_LOOKBACK_DAYS: i64 = 365;

/// How far back `template_analytics` reaches, days.
pub const TEMPLATE_LOOKBACK_DAYS: i64 = 90;

/// Bucket size of an analytics request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Granularity {
    /// One day (`analytics` `DAY`; `conversation_analytics` / `pricing_analytics` `DAILY`).
    Day,
    /// One month (`analytics` `MONTH`; `conversation_analytics` / `pricing_analytics` `MONTHLY`).
    Month,
}

impl Granularity {
    /// The spelling of `analytics.granularity(..)`: `DAY` / `MONTH`.
    pub fn messaging(self) -> &'static str {
        match self {
            Granularity::Day => "DAY",
            Granularity::Month => "MONTH",
        }
    }

    /// The spelling of `conversation_analytics` / `pricing_analytics` `.granularity(..)`:
    /// `DAILY` / `MONTHLY`.
    pub fn conversation(self) -> &'static str {
        match self {
            Granularity::Day => "DAILY",
            Granularity::Month => "MONTHLY",
        }
    }
}

/// The WhatsApp Business Account node (`GET /{waba-id}?fields=id,name,currency,timezone_id,message_template_namespace`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Waba {
    /// WABA id (`id`): the account's `external_id`.
    pub id: String,
    /// Business name (`name`).
    pub name: Option<String>,
    /// Billing currency of every cost (`currency`, ISO 4217, e.g. `BRL`, `USD`).
    pub currency: Option<String>,
    /// Meta time zone id (`timezone_id`), which decides where analytics days begin.
    pub timezone_id: Option<String>,
    /// `message_template_namespace`.
    pub message_template_namespace: Option<String>,
}

/// One business phone number of the WABA (`GET /{waba-id}/phone_numbers`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhoneNumber {
    /// Phone number id (`id`), used in API paths.
    pub id: String,
    /// `display_phone_number`, as Meta formats it (`+55 11 4000-0001`).
    pub display_phone_number: Option<String>,
    /// `verified_name`: the business name shown to customers.
    pub verified_name: Option<String>,
    /// `quality_rating`: `GREEN`, `YELLOW`, `RED` or `UNKNOWN` (kept as sent).
    pub quality_rating: Option<String>,
    /// `messaging_limit_tier`: `TIER_250`, `TIER_1K`, `TIER_10K`, `TIER_100K`,
    /// `TIER_UNLIMITED` (kept as sent).
    pub messaging_limit_tier: Option<String>,
    /// `name_status` (`APPROVED`, ...).
    pub name_status: Option<String>,
    /// `throughput.level` (`STANDARD`, `HIGH`).
    pub throughput_level: Option<String>,
}

/// One message template (`GET /{waba-id}/message_templates?fields=id,name,status,category,language`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageTemplate {
    /// Template id (`id`), used with `template_analytics`.
    pub id: String,
    /// `name`.
    pub name: Option<String>,
    /// `status`: `APPROVED`, `PENDING`, `REJECTED`, `PAUSED`, `DISABLED`, ...
    pub status: Option<String>,
    /// `category`: `MARKETING`, `UTILITY`, `AUTHENTICATION`.
    pub category: Option<String>,
    /// `language` (`pt_BR`, `en_US`).
    pub language: Option<String>,
}

/// Proof that the caller means to enable template insights, which Meta cannot undo. The
/// only way to build one is [`TemplateInsightsConfirmation::i_understand_this_is_irreversible`].
#[derive(Debug)]
pub struct TemplateInsightsConfirmation {
    _private: (),
}

impl TemplateInsightsConfirmation {
    /// Confirms that enabling template insights (`is_enabled_for_insights=true`) on a WABA
    /// is permanent. Call it only after the user agreed in the UI.
    pub fn i_understand_this_is_irreversible() -> Self {
        Self { _private: () }
    }
}

/// One canonical fact read from a webhook payload.
#[derive(Debug, Clone, PartialEq)]
pub struct WebhookEvent {
    /// The WABA the entry is about (`entry[].id`).
    pub waba_id: String,
    /// The change's `field` (`messages`, `message_template_status_update`,
    /// `message_template_quality_update`, `phone_number_quality_update`).
    pub field: String,
    /// What it says.
    pub fact: WebhookFact,
}

/// The canonical form of a webhook fact.
#[derive(Debug, Clone, PartialEq)]
pub enum WebhookFact {
    /// A count from `messages` statuses: `messages_sent` / `messages_delivered` /
    /// `messages_read` / `messages_played` / `messages_failed`, `Period::Day` over the UTC
    /// day of the statuses' `timestamp`, value = how many statuses of that kind **this
    /// payload** carried for that day. Webhooks arrive one by one: the consumer adds the
    /// values up per day; the `analytics` counts collected later remain the reference.
    Metric(AccountMetric),
    /// A quality reading: template quality (audience `message_template`, dimension
    /// `template_id,quality_score`, key `806312974732579,YELLOW`, value 1) or phone number
    /// limit (audience `phone_number`, dimension `display_phone_number,messaging_limit_tier`),
    /// timeframe `day:YYYY-MM-DD` (UTC) of the entry's `time`.
    Audience(AudienceSlice),
    /// Something to tell the user: a template approved / rejected / paused
    /// (`template_status`), a template quality change (`template_quality`), a phone number
    /// quality event (`phone_quality`), a failed message's error (`meta_<code>`), a status
    /// without a time (`decode`).
    Warning(CollectWarning),
}

/// The WhatsApp Business Management Graph API client (`Endpoints::graph_facebook`). Cheap
/// to clone.
#[derive(Debug, Clone)]
pub struct WhatsAppClient {
    http: Http,
    endpoints: Endpoints,
}

impl WhatsAppClient {
    /// A client calling `endpoints.graph_facebook` through `http`.
    pub fn new(http: Http, endpoints: Endpoints) -> Self {
        Self { http, endpoints }
    }

    /// The versioned Graph base URL requests go to (`https://graph.facebook.com/v25.0`).
    pub fn base(&self) -> &Url {
        &self.endpoints.graph_facebook
    }
}
