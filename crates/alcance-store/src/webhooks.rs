//! Events pushed by Meta's webhooks (schema version 8, `migrations/0008_webhook_events.sql`):
//! WhatsApp message status updates and Instagram comments and mentions, as
//! `alcance serve` receives them on `/webhooks/meta`. See
//! docs/adr/0011-webhooks-and-serving-safely.md.
//!
//! Meta retries a delivery until it is acknowledged, so one event may arrive many times:
//! [`Store::record_webhook_events`] inserts each event at most once, by its key
//! (platform, kind, object id, status, time), `INSERT … ON CONFLICT DO NOTHING` on both
//! engines. Times are the caller's (UTC).

use crate::engine::on_tx;
use crate::time::{to_db, DbTime};
use crate::{on_pool, Store, StoreError};
use alcance_core::{Platform, WebhookEventKind};
use chrono::{DateTime, Utc};

/// One webhook event to store (`webhook_events` without its id and arrival time).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewWebhookEvent {
    /// [`Platform::Whatsapp`] or [`Platform::Instagram`] (the table takes no other).
    pub platform: Platform,
    /// [`WebhookEventKind::MessageStatus`] (WhatsApp), `Comment` or `Mention` (Instagram).
    pub kind: WebhookEventKind,
    /// The WhatsApp message id (`wamid.…`), the comment's id, or a mention's comment id
    /// (its media id for a mention in a caption).
    pub object_id: String,
    /// A message's status: `sent`, `delivered`, `read`, `played`, `failed` (as Meta sends
    /// it, lower-case); empty for comments and mentions.
    pub status: String,
    /// When it happened (UTC): the status's `timestamp`, the Instagram entry's `time`.
    pub occurred_at: DateTime<Utc>,
    /// The receiving business, `entry[].id`: the WhatsApp Business Account id, the
    /// Instagram user id (`accounts.external_id` of that account when connected).
    pub account_ref: String,
    /// WhatsApp `recipient_id`: who the message went to (a `wa_id` or a group id).
    pub recipient_id: Option<String>,
    /// WhatsApp `conversation.id`.
    pub conversation_id: Option<String>,
    /// WhatsApp `conversation.origin.type` (`service`, `marketing`, `utility`, …).
    pub conversation_origin: Option<String>,
    /// WhatsApp `pricing.category`.
    pub pricing_category: Option<String>,
    /// WhatsApp `pricing.pricing_model` (`CBP`, `PMP`).
    pub pricing_model: Option<String>,
    /// WhatsApp `pricing.billable`.
    pub billable: Option<bool>,
    /// WhatsApp `errors[0].code` of a failed message.
    pub error_code: Option<i64>,
    /// Instagram: the media commented on or mentioned in.
    pub media_id: Option<String>,
    /// Instagram: the comment a reply answers (`parent_id`).
    pub parent_id: Option<String>,
    /// Instagram: the commenter's id (`from.id`).
    pub from_id: Option<String>,
    /// Instagram: the commenter's username (`from.username`).
    pub from_username: Option<String>,
    /// Instagram: the comment's text.
    pub text: Option<String>,
}

/// A stored webhook event (`webhook_events`).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct WebhookEventRow {
    /// Row id (increasing with arrival).
    pub id: i64,
    /// `whatsapp` or `instagram`.
    pub platform: Platform,
    /// `message-status`, `comment` or `mention`.
    pub kind: WebhookEventKind,
    /// See [`NewWebhookEvent::object_id`].
    pub object_id: String,
    /// See [`NewWebhookEvent::status`]; empty for comments and mentions.
    pub status: String,
    /// When it happened (UTC).
    #[sqlx(try_from = "DbTime")]
    pub occurred_at: DateTime<Utc>,
    /// See [`NewWebhookEvent::account_ref`].
    pub account_ref: String,
    /// See [`NewWebhookEvent::recipient_id`].
    pub recipient_id: Option<String>,
    /// See [`NewWebhookEvent::conversation_id`].
    pub conversation_id: Option<String>,
    /// See [`NewWebhookEvent::conversation_origin`].
    pub conversation_origin: Option<String>,
    /// See [`NewWebhookEvent::pricing_category`].
    pub pricing_category: Option<String>,
    /// See [`NewWebhookEvent::pricing_model`].
    pub pricing_model: Option<String>,
    /// See [`NewWebhookEvent::billable`].
    pub billable: Option<bool>,
    /// See [`NewWebhookEvent::error_code`].
    pub error_code: Option<i64>,
    /// See [`NewWebhookEvent::media_id`].
    pub media_id: Option<String>,
    /// See [`NewWebhookEvent::parent_id`].
    pub parent_id: Option<String>,
    /// See [`NewWebhookEvent::from_id`].
    pub from_id: Option<String>,
    /// See [`NewWebhookEvent::from_username`].
    pub from_username: Option<String>,
    /// See [`NewWebhookEvent::text`].
    pub text: Option<String>,
    /// When its first delivery arrived (UTC).
    #[sqlx(try_from = "DbTime")]
    pub received_at: DateTime<Utc>,
}

impl NewWebhookEvent {
    /// An event with its key and receiving business, every optional detail empty (set the
    /// ones the delivery carries with struct update syntax).
    pub fn new(
        platform: Platform,
        kind: WebhookEventKind,
        object_id: String,
        status: String,
        occurred_at: DateTime<Utc>,
        account_ref: String,
    ) -> NewWebhookEvent {
        NewWebhookEvent {
            platform,
            kind,
            object_id,
            status,
            occurred_at,
            account_ref,
            recipient_id: None,
            conversation_id: None,
            conversation_origin: None,
            pricing_category: None,
            pricing_model: None,
            billable: None,
            error_code: None,
            media_id: None,
            parent_id: None,
            from_id: None,
            from_username: None,
            text: None,
        }
    }
}

const INSERT: &str = "INSERT INTO webhook_events (platform, kind, object_id, status, occurred_at, account_ref, \
     recipient_id, conversation_id, conversation_origin, pricing_category, pricing_model, billable, error_code, \
     media_id, parent_id, from_id, from_username, text, received_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19) \
     ON CONFLICT (platform, kind, object_id, status, occurred_at) DO NOTHING";

const COLUMNS: &str = "id, platform, kind, object_id, status, occurred_at, account_ref, recipient_id, \
     conversation_id, conversation_origin, pricing_category, pricing_model, billable, error_code, media_id, \
     parent_id, from_id, from_username, text, received_at";

impl Store {
    /// Stores the events of one webhook delivery, in one transaction, each at most once:
    /// an event whose key (platform, kind, object id, status, occurred at) is already
    /// stored is skipped. Returns how many were new. `received_at` is the arrival time (UTC).
    ///
    /// Errors: the database ([`StoreError::Constraint`] for a platform or kind the table
    /// does not take).
    pub async fn record_webhook_events(
        &self,
        events: &[NewWebhookEvent],
        received_at: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        if events.is_empty() {
            return Ok(0);
        }
        let received_at = to_db(received_at);
        let mut tx = self.pool.begin_write().await?;
        let mut inserted = 0;
        for e in events {
            inserted += on_tx!(&mut tx, |c| sqlx::query(INSERT)
                .bind(e.platform)
                .bind(e.kind)
                .bind(&e.object_id)
                .bind(&e.status)
                .bind(to_db(e.occurred_at))
                .bind(&e.account_ref)
                .bind(&e.recipient_id)
                .bind(&e.conversation_id)
                .bind(&e.conversation_origin)
                .bind(&e.pricing_category)
                .bind(&e.pricing_model)
                .bind(e.billable)
                .bind(e.error_code)
                .bind(&e.media_id)
                .bind(&e.parent_id)
                .bind(&e.from_id)
                .bind(&e.from_username)
                .bind(&e.text)
                .bind(&received_at)
                .execute(&mut *c)
                .await?
                .rows_affected());
        }
        tx.commit().await?;
        Ok(inserted)
    }

    /// The newest `limit` stored webhook events, newest first (by id).
    pub async fn webhook_events(&self, limit: u32) -> Result<Vec<WebhookEventRow>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM webhook_events ORDER BY id DESC LIMIT $1");
        Ok(on_pool!(&self.pool, |p| sqlx::query_as(&sql)
            .bind(i64::from(limit))
            .fetch_all(p)
            .await?))
    }
}
