-- Overdose warnings (issue 11). Keep in step with the other engine's file.
--
-- A warning's events are in the event log (stream `warnings:{id}`); `warnings` is their
-- projection: the replayed state as JSON and the stream position it is of, written in the same
-- transaction as each event. `warnings_stamp` moves on every write, so that every server's
-- caches of the public page, the feed and the CAP documents are keyed by it.
CREATE TABLE warnings (
    id TEXT PRIMARY KEY,
    state TEXT NOT NULL,
    seq BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE warnings_stamp (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    stamp BIGINT NOT NULL
);
INSERT INTO warnings_stamp (id, stamp) VALUES (1, 0);

-- Subscribers (Standard Webhooks). The secret signs every delivery, so it is kept as given
-- (it is shown to the admin once, when created).
CREATE TABLE warnings_webhooks (
    id INTEGER PRIMARY KEY,
    url TEXT NOT NULL,
    areas TEXT NOT NULL,
    min_severity TEXT,
    format TEXT NOT NULL,
    secret TEXT NOT NULL,
    created_by BIGINT NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    failing BOOLEAN NOT NULL DEFAULT FALSE,
    consecutive_failures BIGINT NOT NULL DEFAULT 0
);

-- The outbox: one row per (subscriber, published message), written in the transaction that
-- publishes, updates or cancels. Background workers on any server claim due rows with a lease
-- (times in milliseconds since the epoch).
CREATE TABLE warnings_deliveries (
    id INTEGER PRIMARY KEY,
    webhook_id BIGINT NOT NULL REFERENCES warnings_webhooks(id),
    message_id TEXT NOT NULL UNIQUE,
    warning_id TEXT NOT NULL REFERENCES warnings(id),
    version BIGINT NOT NULL,
    event_type TEXT NOT NULL,
    content_type TEXT NOT NULL,
    body TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    next_attempt_at BIGINT NOT NULL,
    lease_owner TEXT,
    lease_until BIGINT,
    delivered_at BIGINT,
    last_status BIGINT,
    last_error TEXT
);
CREATE INDEX warnings_deliveries_due ON warnings_deliveries(status, next_attempt_at);
CREATE INDEX warnings_deliveries_webhook ON warnings_deliveries(webhook_id, id);

-- Every attempt, with its outcome and the server that made it.
CREATE TABLE warnings_attempts (
    id INTEGER PRIMARY KEY,
    delivery_id BIGINT NOT NULL REFERENCES warnings_deliveries(id),
    at BIGINT NOT NULL,
    duration_ms BIGINT NOT NULL,
    status_code BIGINT,
    error TEXT,
    instance TEXT NOT NULL
);
CREATE INDEX warnings_attempts_delivery ON warnings_attempts(delivery_id, id);
