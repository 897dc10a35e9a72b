-- Alcance store, schema version 8: events pushed by Meta's webhooks to `alcance serve`
-- (`/webhooks/meta`, docs/adr/0011-webhooks-and-serving-safely.md): WhatsApp message
-- status updates (sent, delivered, read, played, failed) and Instagram comments and
-- mentions. Meta retries a delivery it thinks failed, so the same event may arrive many
-- times: the unique key (platform, kind, object_id, status, occurred_at) with
-- `INSERT … ON CONFLICT DO NOTHING` keeps one row per event. Nothing here is a secret:
-- the app secret that signs the deliveries stays in the vault or the environment.

CREATE TABLE webhook_events (
    id                  INTEGER PRIMARY KEY,
    platform            TEXT NOT NULL CHECK (platform IN ('whatsapp', 'instagram')),
    kind                TEXT NOT NULL CHECK (kind IN ('message-status', 'comment', 'mention')),
    object_id           TEXT NOT NULL,         -- WhatsApp message id (wamid); comment id; mention's comment or media id
    status              TEXT NOT NULL,         -- sent/delivered/read/played/failed; '' for comments and mentions
    occurred_at         TEXT NOT NULL,         -- UTC: the status's timestamp, the Instagram entry's time
    account_ref         TEXT NOT NULL,         -- entry[].id: the WABA id, the Instagram user id
    recipient_id        TEXT,                  -- WhatsApp: who the message went to (wa_id or group id)
    conversation_id     TEXT,                  -- WhatsApp: conversation.id
    conversation_origin TEXT,                  -- WhatsApp: conversation.origin.type
    pricing_category    TEXT,                  -- WhatsApp: pricing.category
    pricing_model       TEXT,                  -- WhatsApp: pricing.pricing_model (CBP, PMP)
    billable            INTEGER,               -- WhatsApp: pricing.billable, 0 / 1
    error_code          INTEGER,               -- WhatsApp: errors[0].code of a failed message
    media_id            TEXT,                  -- Instagram: the media commented on or mentioned in
    parent_id           TEXT,                  -- Instagram: the comment replied to
    from_id             TEXT,                  -- Instagram: the commenter's id
    from_username       TEXT,                  -- Instagram: the commenter's username
    text                TEXT,                  -- Instagram: the comment's text
    received_at         TEXT NOT NULL,         -- UTC: when the first delivery of it arrived
    UNIQUE (platform, kind, object_id, status, occurred_at)
) STRICT;
CREATE INDEX webhook_events_occurred ON webhook_events (occurred_at);
