//! Meta's webhooks (`alcance serve`, `/webhooks/meta`): the verification handshake, the
//! `X-Hub-Signature-256` check, the payloads read into events, and the events stored once
//! each. See docs/adr/0011-webhooks-and-serving-safely.md.
//!
//! What is kept: WhatsApp message status updates (`object: whatsapp_business_account`,
//! `field: messages`, `value.statuses[]`) and Instagram comments and mentions
//! (`object: instagram`, `field: comments | mentions`). Everything else Meta may send
//! (template status and quality updates, incoming messages, story insights, other objects)
//! is acknowledged and counted as ignored.
//!
//! The secrets: the Meta app secret signs every delivery (HMAC-SHA256 of the raw body),
//! the verify token is the shared word of the subscription handshake. Both come from the
//! environment ([`APP_SECRET_ENV`], [`VERIFY_TOKEN_ENV`]), a file given to `alcance serve`,
//! or the vault ([`VERIFY_TOKEN_KEY`], and the Meta app's client secret saved when an
//! account was connected); never from or into the store, never logged.

use crate::error::AppError;
use crate::vault::TokenVault;
use crate::{Platform, WebhookEventKind, Workspace};
pub use alcance_store::webhooks::{NewWebhookEvent, WebhookEventRow as WebhookEvent};
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;
use sha2::Sha256;

type Result<T> = std::result::Result<T, AppError>;

/// The environment variable holding the Meta app secret.
pub const APP_SECRET_ENV: &str = "ALCANCE_META_APP_SECRET";
/// The environment variable holding the webhook verify token.
pub const VERIFY_TOKEN_ENV: &str = "ALCANCE_META_VERIFY_TOKEN";
/// The vault key of the webhook verify token (when not in the environment or a file).
pub const VERIFY_TOKEN_KEY: &str = "alcance/webhooks/meta/verify_token";
/// The header carrying a delivery's signature: `sha256=<hex HMAC-SHA256 of the body>`.
pub const SIGNATURE_HEADER: &str = "x-hub-signature-256";

/// The two secrets of Meta's webhooks. `Debug` shows neither.
#[derive(Clone)]
pub struct MetaWebhookSecrets {
    app_secret: SecretString,
    verify_token: SecretString,
}

impl std::fmt::Debug for MetaWebhookSecrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MetaWebhookSecrets { .. }")
    }
}

/// A secret read from an environment variable: `None` when unset or blank.
pub fn secret_from_env(name: &str) -> Option<SecretString> {
    std::env::var(name)
        .ok()
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
        .map(SecretString::from)
}

impl MetaWebhookSecrets {
    /// The secrets as given (surrounding blanks dropped).
    ///
    /// Errors: [`AppError::InvalidInput`] when either is empty.
    pub fn new(app_secret: &str, verify_token: &str) -> Result<MetaWebhookSecrets> {
        let app_secret = app_secret.trim();
        let verify_token = verify_token.trim();
        if app_secret.is_empty() || verify_token.is_empty() {
            return Err(AppError::InvalidInput(
                "the Meta app secret and the webhook verify token must not be empty".into(),
            ));
        }
        Ok(MetaWebhookSecrets {
            app_secret: SecretString::from(app_secret.to_string()),
            verify_token: SecretString::from(verify_token.to_string()),
        })
    }

    /// The secrets from what was given (a file, the environment) or else the vault: the
    /// app secret saved for the Meta app of Facebook, Instagram or WhatsApp (in that
    /// order, `tokens::app_secret_key`), the verify token under [`VERIFY_TOKEN_KEY`].
    /// `None` (webhooks off) when either is found nowhere.
    ///
    /// Errors: the vault cannot be read; a secret is empty.
    pub fn resolve(
        app_secret: Option<SecretString>,
        verify_token: Option<SecretString>,
        vault: Option<&dyn TokenVault>,
    ) -> Result<Option<MetaWebhookSecrets>> {
        let from_vault = |key: &str| -> Result<Option<SecretString>> {
            match vault {
                Some(v) => v
                    .get(key)
                    .map_err(|e| AppError::Other(anyhow::anyhow!("reading the vault: {e}"))),
                None => Ok(None),
            }
        };
        let app_secret = match app_secret {
            Some(s) => Some(s),
            None => {
                let mut found = None;
                for platform in [Platform::Facebook, Platform::Instagram, Platform::Whatsapp] {
                    if let Some(s) = from_vault(&crate::tokens::app_secret_key(platform))? {
                        found = Some(s);
                        break;
                    }
                }
                found
            }
        };
        let verify_token = match verify_token {
            Some(s) => Some(s),
            None => from_vault(VERIFY_TOKEN_KEY)?,
        };
        match (app_secret, verify_token) {
            (Some(a), Some(v)) => Ok(Some(MetaWebhookSecrets::new(a.expose_secret(), v.expose_secret())?)),
            _ => Ok(None),
        }
    }

    /// `true` when `token` is the verify token (compared in constant time).
    pub fn verify_token_matches(&self, token: &str) -> bool {
        crate::people::same_secret(token, self.verify_token.expose_secret())
    }

    /// `true` when `signature` (the [`SIGNATURE_HEADER`] value, `sha256=<hex>`) is the
    /// HMAC-SHA256 of `body` under the app secret (compared in constant time). A missing,
    /// malformed or wrong signature is `false`.
    pub fn signature_matches(&self, body: &[u8], signature: Option<&str>) -> bool {
        let Some(hex_digest) = signature.and_then(|s| s.trim().strip_prefix("sha256=")) else {
            return false;
        };
        let Ok(expected) = hex::decode(hex_digest) else {
            return false;
        };
        let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(self.app_secret.expose_secret().as_bytes()) else {
            return false;
        };
        mac.update(body);
        mac.verify_slice(&expected).is_ok()
    }
}

/// `sha256=<hex>`: the [`SIGNATURE_HEADER`] value Meta sends for `body` signed with
/// `app_secret` (for tests and tools that replay deliveries).
pub fn sign(app_secret: &str, body: &[u8]) -> String {
    let mut mac = match Hmac::<Sha256>::new_from_slice(app_secret.as_bytes()) {
        Ok(mac) => mac,
        // HMAC takes a key of any length.
        Err(_) => return String::new(),
    };
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// One delivery read: the events to keep and how many items were passed over.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Delivery {
    /// The payload's `object` (`whatsapp_business_account`, `instagram`, …).
    pub object: String,
    /// The events kept.
    pub events: Vec<NewWebhookEvent>,
    /// Changes and statuses not kept: other fields and objects, items missing their id,
    /// status or time.
    pub ignored: usize,
}

/// Reads a delivery's body (already authenticated by its signature).
///
/// Errors: [`AppError::InvalidInput`] when the body is not a JSON object with a text
/// `object` and an `entry` list. The message gives the place and kind of the fault, never
/// the body's text.
pub fn parse_meta(body: &[u8]) -> Result<Delivery> {
    let payload: Value = serde_json::from_slice(body).map_err(|e| {
        AppError::InvalidInput(format!(
            "the body is not JSON ({:?} error at line {} column {})",
            e.classify(),
            e.line(),
            e.column()
        ))
    })?;
    let object = payload
        .get("object")
        .and_then(Value::as_str)
        .ok_or_else(|| AppError::InvalidInput("the body has no text \"object\"".into()))?
        .to_string();
    let entries = payload
        .get("entry")
        .and_then(Value::as_array)
        .ok_or_else(|| AppError::InvalidInput("the body has no \"entry\" list".into()))?;
    let mut delivery = Delivery {
        object: object.clone(),
        ..Delivery::default()
    };
    for entry in entries {
        let account_ref = text(entry.get("id")).unwrap_or_default();
        let entry_time = entry.get("time").and_then(unix_time);
        let changes = entry
            .get("changes")
            .and_then(Value::as_array)
            .map_or(&[][..], Vec::as_slice);
        for change in changes {
            let field = change.get("field").and_then(Value::as_str).unwrap_or_default();
            let value = change.get("value").unwrap_or(&Value::Null);
            match (object.as_str(), field) {
                ("whatsapp_business_account", "messages") => {
                    let statuses = value
                        .get("statuses")
                        .and_then(Value::as_array)
                        .map_or(&[][..], Vec::as_slice);
                    for status in statuses {
                        match message_status(&account_ref, status) {
                            Some(event) => delivery.events.push(event),
                            None => delivery.ignored += 1,
                        }
                    }
                    // Incoming messages (`value.messages`) are not kept.
                    if statuses.is_empty() {
                        delivery.ignored += 1;
                    }
                }
                ("instagram", "comments") | ("instagram", "mentions") => {
                    match instagram(&account_ref, entry_time, field, value) {
                        Some(event) => delivery.events.push(event),
                        None => delivery.ignored += 1,
                    }
                }
                _ => delivery.ignored += 1,
            }
        }
    }
    Ok(delivery)
}

/// A text or number id as text.
fn text(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A Unix time (seconds, as a number or text; milliseconds when over 10^11) as UTC.
fn unix_time(value: &Value) -> Option<DateTime<Utc>> {
    let n = match value {
        Value::String(s) => s.trim().parse::<i64>().ok()?,
        Value::Number(n) => n.as_i64()?,
        _ => return None,
    };
    let seconds = if n > 100_000_000_000 { n / 1000 } else { n };
    DateTime::from_timestamp(seconds, 0)
}

/// A WhatsApp `statuses[]` item; `None` without an id, a status or a time.
fn message_status(account_ref: &str, s: &Value) -> Option<NewWebhookEvent> {
    let conversation = s.get("conversation");
    let pricing = s.get("pricing");
    let key = NewWebhookEvent::new(
        Platform::Whatsapp,
        WebhookEventKind::MessageStatus,
        text(s.get("id"))?,
        text(s.get("status"))?.to_lowercase(),
        s.get("timestamp").and_then(unix_time)?,
        account_ref.to_string(),
    );
    Some(NewWebhookEvent {
        recipient_id: text(s.get("recipient_id")),
        conversation_id: conversation.and_then(|c| text(c.get("id"))),
        conversation_origin: conversation.and_then(|c| text(c.get("origin")?.get("type"))),
        pricing_category: pricing.and_then(|p| text(p.get("category"))),
        pricing_model: pricing.and_then(|p| text(p.get("pricing_model"))),
        billable: pricing.and_then(|p| p.get("billable")?.as_bool()),
        error_code: s
            .get("errors")
            .and_then(Value::as_array)
            .and_then(|e| e.first()?.get("code")?.as_i64()),
        ..key
    })
}

/// An Instagram `comments` or `mentions` change; `None` without an id or a time.
fn instagram(account_ref: &str, time: Option<DateTime<Utc>>, field: &str, v: &Value) -> Option<NewWebhookEvent> {
    let occurred_at = time?;
    let event = |kind, object_id| {
        NewWebhookEvent::new(
            Platform::Instagram,
            kind,
            object_id,
            String::new(),
            occurred_at,
            account_ref.to_string(),
        )
    };
    if field == "comments" {
        let from = v.get("from");
        Some(NewWebhookEvent {
            media_id: v.get("media").and_then(|m| text(m.get("id"))),
            parent_id: text(v.get("parent_id")),
            from_id: from.and_then(|f| text(f.get("id"))),
            from_username: from.and_then(|f| text(f.get("username"))),
            text: v.get("text").and_then(Value::as_str).map(str::to_string),
            ..event(WebhookEventKind::Comment, text(v.get("id"))?)
        })
    } else {
        let comment_id = text(v.get("comment_id"));
        let media_id = text(v.get("media_id"));
        Some(NewWebhookEvent {
            media_id: media_id.clone(),
            ..event(WebhookEventKind::Mention, comment_id.or(media_id)?)
        })
    }
}

/// What storing a delivery did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Recorded {
    /// Events stored now.
    pub stored: u64,
    /// Events already stored by an earlier delivery (Meta's retries).
    pub duplicates: u64,
    /// Items passed over ([`Delivery::ignored`]).
    pub ignored: u64,
}

/// Stores a delivery's events, each at most once, in one transaction; `now` is the
/// arrival time (UTC). Instagram comments and mentions of a connected account are also
/// written to its comments (`crate::comments`), the same row a later poll updates.
///
/// Errors: the store (unreachable, busy).
pub async fn record(ws: &Workspace, delivery: &Delivery, now: DateTime<Utc>) -> Result<Recorded> {
    let stored = ws.store().record_webhook_events(&delivery.events, now).await?;
    // Instagram comments and mentions also land in the Inbox's table, as a poll would
    // store them (docs/comments.md); a retried delivery rewrites the same rows.
    crate::comments::from_webhook(ws, &delivery.events, now).await?;
    let total = u64::try_from(delivery.events.len()).unwrap_or(u64::MAX);
    Ok(Recorded {
        stored,
        duplicates: total.saturating_sub(stored),
        ignored: u64::try_from(delivery.ignored).unwrap_or(u64::MAX),
    })
}

/// The newest `limit` stored webhook events, newest first.
///
/// Errors: the store.
pub async fn events(ws: &Workspace, limit: u32) -> Result<Vec<WebhookEvent>> {
    Ok(ws.store().webhook_events(limit).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secrets() -> MetaWebhookSecrets {
        MetaWebhookSecrets::new("app-secret", "verify-me").unwrap()
    }

    #[test]
    fn signatures_and_tokens_are_checked() {
        let s = secrets();
        let body = br#"{"object":"instagram","entry":[]}"#;
        let good = sign("app-secret", body);
        assert!(good.starts_with("sha256=") && good.len() == 7 + 64, "{good}");
        assert!(s.signature_matches(body, Some(&good)));
        assert!(s.signature_matches(body, Some(&good.to_uppercase().replace("SHA256=", "sha256="))));
        assert!(!s.signature_matches(b"{}", Some(&good)), "another body");
        assert!(!s.signature_matches(body, Some(&sign("other", body))), "another secret");
        assert!(!s.signature_matches(body, None));
        assert!(!s.signature_matches(body, Some("sha256=zz")));
        assert!(!s.signature_matches(body, Some(good.trim_start_matches("sha256="))));
        assert!(s.verify_token_matches("verify-me"));
        assert!(!s.verify_token_matches("verify-mE"));
        assert!(!s.verify_token_matches(""));
        assert_eq!(format!("{s:?}"), "MetaWebhookSecrets { .. }");
        assert!(MetaWebhookSecrets::new(" ", "x").is_err());
    }

    #[test]
    fn payloads_become_events_and_bad_bodies_are_refused_without_their_text() {
        let body = serde_json::json!({
            "object": "instagram",
            "entry": [{"id": "17841400000000001", "time": 1_733_390_000, "changes": [
                {"field": "comments", "value": {"id": "17865799348089039", "text": "¡Qué bueno!",
                    "from": {"id": "2323", "username": "ana"}, "media": {"id": "1788", "media_product_type": "FEED"}}},
                {"field": "mentions", "value": {"media_id": "1799", "comment_id": "1800"}},
                {"field": "story_insights", "value": {"media_id": "1", "reach": 4}}
            ]}]
        });
        let d = parse_meta(body.to_string().as_bytes()).unwrap();
        assert_eq!(d.events.len(), 2);
        assert_eq!(d.ignored, 1);
        assert_eq!(d.events[0].kind, WebhookEventKind::Comment);
        assert_eq!(d.events[0].from_username.as_deref(), Some("ana"));
        assert_eq!(d.events[0].occurred_at.timestamp(), 1_733_390_000);
        assert_eq!(d.events[1].object_id, "1800");
        assert_eq!(d.events[1].media_id.as_deref(), Some("1799"));
        for bad in [
            &b"{not json"[..],
            b"[]",
            br#"{"object": 5, "entry": []}"#,
            br#"{"object": "x"}"#,
        ] {
            let e = parse_meta(bad).unwrap_err();
            assert!(matches!(e, AppError::InvalidInput(_)), "{e:?}");
        }
        let e = parse_meta(br#"{"object": "instagram", "entry": "hunter2-secret"}"#).unwrap_err();
        assert!(!e.message().contains("hunter2"), "{}", e.message());
    }
}
