//! WhatsApp Business (WABA) Graph API and webhook wire shapes (serde DTOs). Private to the
//! module. Every field is lenient (see `crate::lenient`): a value of an unexpected type
//! reads as `None`, so only non-JSON or structurally broken bodies fail to decode.

use crate::lenient;
use crate::meta::Paging;
use serde::Deserialize;
use serde_json::Value;

/// WABA node: `GET /{waba-id}?fields=id,name,currency,timezone_id,message_template_namespace`.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct WabaNode {
    #[serde(default, deserialize_with = "lenient::string")]
    pub id: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub currency: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub timezone_id: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub message_template_namespace: Option<String>,
}

/// `throughput: {"level": "STANDARD"}`.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct Throughput {
    #[serde(default, deserialize_with = "lenient::string")]
    pub level: Option<String>,
}

/// One `GET /{waba-id}/phone_numbers` item.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct PhoneNumberNode {
    #[serde(default, deserialize_with = "lenient::string")]
    pub id: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub display_phone_number: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub verified_name: Option<String>,
    /// `GREEN | YELLOW | RED | UNKNOWN`.
    #[serde(default, deserialize_with = "lenient::string")]
    pub quality_rating: Option<String>,
    /// `TIER_250 | TIER_1K | TIER_10K | TIER_100K | TIER_UNLIMITED`.
    #[serde(default, deserialize_with = "lenient::string")]
    pub messaging_limit_tier: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub name_status: Option<String>,
    #[serde(default, deserialize_with = "lenient::object")]
    pub throughput: Option<Throughput>,
}

/// One `GET /{waba-id}/message_templates` item.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct TemplateNode {
    #[serde(default, deserialize_with = "lenient::string")]
    pub id: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub status: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub category: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub language: Option<String>,
}

/// `GET /{waba-id}?fields=analytics.start(..).end(..).granularity(DAY)`.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct AnalyticsAnswer {
    #[serde(default, deserialize_with = "lenient::object")]
    pub analytics: Option<Analytics>,
}

/// The `analytics` field.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct Analytics {
    /// `HALF_HOUR | DAY | MONTH`.
    #[serde(default, deserialize_with = "lenient::string")]
    pub granularity: Option<String>,
    #[serde(default, deserialize_with = "lenient::list")]
    pub data_points: Vec<Value>,
}

/// `{"start","end","sent","delivered"}` (Unix seconds; counts).
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct MessagePoint {
    #[serde(default, deserialize_with = "lenient::i64")]
    pub start: Option<i64>,
    #[serde(default, deserialize_with = "lenient::i64")]
    pub end: Option<i64>,
    #[serde(default, deserialize_with = "lenient::f64")]
    pub sent: Option<f64>,
    #[serde(default, deserialize_with = "lenient::f64")]
    pub delivered: Option<f64>,
}

/// `GET /{waba-id}?fields=conversation_analytics...` or `pricing_analytics...`: the field
/// holds `{"data":[{"data_points":[...]}],"paging"?}`.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct GroupedAnswer {
    #[serde(default, deserialize_with = "lenient::object")]
    pub conversation_analytics: Option<Groups>,
    #[serde(default, deserialize_with = "lenient::object")]
    pub pricing_analytics: Option<Groups>,
}

/// `{"data":[{"data_points":[...]}],"paging"?}`: the `conversation_analytics` /
/// `pricing_analytics` field, and the whole `GET /{waba-id}/template_analytics` answer
/// (`{"data":[{"granularity","product_type","data_points":[...]}],"paging"}`).
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct Groups {
    #[serde(default, deserialize_with = "lenient::items")]
    pub data: Vec<Group>,
    #[serde(default, deserialize_with = "lenient::object")]
    pub paging: Option<Paging>,
}

/// `{"data_points":[...]}`.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct Group {
    #[serde(default, deserialize_with = "lenient::list")]
    pub data_points: Vec<Value>,
}

/// A `conversation_analytics` data point; dimension fields are present only when
/// requested; `cost` is absent where Meta does not bill the WABA directly.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct ConversationPoint {
    #[serde(default, deserialize_with = "lenient::i64")]
    pub start: Option<i64>,
    #[serde(default, deserialize_with = "lenient::i64")]
    pub end: Option<i64>,
    #[serde(default, deserialize_with = "lenient::f64")]
    pub conversation: Option<f64>,
    #[serde(default, deserialize_with = "lenient::f64")]
    pub cost: Option<f64>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub conversation_category: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub conversation_direction: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub conversation_type: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub country: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub phone_number: Option<String>,
}

/// A `pricing_analytics` data point.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct PricingPoint {
    #[serde(default, deserialize_with = "lenient::i64")]
    pub start: Option<i64>,
    #[serde(default, deserialize_with = "lenient::i64")]
    pub end: Option<i64>,
    #[serde(default, deserialize_with = "lenient::f64")]
    pub volume: Option<f64>,
    #[serde(default, deserialize_with = "lenient::f64")]
    pub cost: Option<f64>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub pricing_category: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub pricing_type: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub tier: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub country: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub phone_number: Option<String>,
}

/// A template analytics data point.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct TemplatePoint {
    #[serde(default, deserialize_with = "lenient::string")]
    pub template_id: Option<String>,
    #[serde(default, deserialize_with = "lenient::i64")]
    pub start: Option<i64>,
    #[serde(default, deserialize_with = "lenient::i64")]
    pub end: Option<i64>,
    #[serde(default, deserialize_with = "lenient::f64")]
    pub sent: Option<f64>,
    #[serde(default, deserialize_with = "lenient::f64")]
    pub delivered: Option<f64>,
    #[serde(default, deserialize_with = "lenient::f64")]
    pub read: Option<f64>,
    /// Absent when nobody clicked (or `CLICKED` was not asked).
    #[serde(default, deserialize_with = "lenient::opt_items")]
    pub clicked: Option<Vec<Click>>,
    #[serde(default, deserialize_with = "lenient::opt_items")]
    pub cost: Option<Vec<CostItem>>,
}

/// `{"type":"quick_reply_button|url_button|unique_url_button","button_content","count"}`.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct Click {
    #[serde(rename = "type", default, deserialize_with = "lenient::string")]
    pub kind: Option<String>,
    #[serde(default, deserialize_with = "lenient::f64")]
    pub count: Option<f64>,
}

/// `{"type":"amount_spent|cost_per_delivered|cost_per_url_button_click","value"}`.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct CostItem {
    #[serde(rename = "type", default, deserialize_with = "lenient::string")]
    pub kind: Option<String>,
    #[serde(default, deserialize_with = "lenient::f64")]
    pub value: Option<f64>,
}

/// A webhook payload: `{"object":"whatsapp_business_account","entry":[...]}`.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct Webhook {
    #[serde(default, deserialize_with = "lenient::string")]
    pub object: Option<String>,
    #[serde(default, deserialize_with = "lenient::object")]
    pub entry: Option<Vec<Value>>,
}

/// `{"id":"<waba-id>","time":<unix>,"changes":[...]}`.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct Entry {
    #[serde(default, deserialize_with = "lenient::string")]
    pub id: Option<String>,
    #[serde(default, deserialize_with = "lenient::i64")]
    pub time: Option<i64>,
    #[serde(default, deserialize_with = "lenient::items")]
    pub changes: Vec<Change>,
}

/// `{"field":"messages|message_template_status_update|...","value":{...}}`.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct Change {
    #[serde(default, deserialize_with = "lenient::string")]
    pub field: Option<String>,
    #[serde(default)]
    pub value: Value,
}

/// `messages` change value (only what metrics need).
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct MessagesValue {
    #[serde(default, deserialize_with = "lenient::object")]
    pub metadata: Option<Metadata>,
    #[serde(default, deserialize_with = "lenient::items")]
    pub statuses: Vec<StatusNode>,
}

/// `metadata: {"display_phone_number","phone_number_id"}`.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct Metadata {
    #[serde(default, deserialize_with = "lenient::string")]
    pub phone_number_id: Option<String>,
}

/// One `statuses[]` item.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct StatusNode {
    /// `sent | delivered | read | played | failed | deleted | warning`.
    #[serde(default, deserialize_with = "lenient::string")]
    pub status: Option<String>,
    /// Unix seconds as a string (`"1698266945"`).
    #[serde(default, deserialize_with = "lenient::i64")]
    pub timestamp: Option<i64>,
    #[serde(default, deserialize_with = "lenient::items")]
    pub errors: Vec<StatusError>,
}

/// `errors[]` of a failed status: `{"code","title","message","error_data":{"details"}}`.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct StatusError {
    #[serde(default, deserialize_with = "lenient::i64")]
    pub code: Option<i64>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub title: Option<String>,
}

/// `message_template_status_update` value.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct TemplateStatusValue {
    /// `APPROVED | REJECTED | PENDING | PAUSED | DISABLED | ...`.
    #[serde(default, deserialize_with = "lenient::string")]
    pub event: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub message_template_id: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub message_template_name: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub message_template_language: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub message_template_category: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub reason: Option<String>,
}

/// `message_template_quality_update` value.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct TemplateQualityValue {
    #[serde(default, deserialize_with = "lenient::string")]
    pub previous_quality_score: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub new_quality_score: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub message_template_id: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub message_template_name: Option<String>,
}

/// `phone_number_quality_update` value.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct PhoneQualityValue {
    #[serde(default, deserialize_with = "lenient::string")]
    pub display_phone_number: Option<String>,
    /// `FLAGGED | UNFLAGGED | UPGRADE | DOWNGRADE | ...`.
    #[serde(default, deserialize_with = "lenient::string")]
    pub event: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub current_limit: Option<String>,
}
