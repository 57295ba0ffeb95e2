-- Discharge notices and the joint plan (issue 16, section 3). Keep in step with the other
-- engine's file.
--
-- Every step of a notice is an event in the stream `coordination_discharge:{id}` (raised,
-- acknowledged, meeting, ready, discharged); `coordination_discharge_notices` is their
-- projection: the notice folded as JSON (`state`), the number of events it is of (`version`,
-- the optimistic check of a write), the raising unit, the municipality it is addressed to, and
-- the person's register row and pseudonym. The municipality is the one of the person's
-- municipality of residence when the notice was raised.
CREATE TABLE coordination_discharge_notices (
    id INTEGER PRIMARY KEY,
    unit_org_id BIGINT NOT NULL REFERENCES orgs(id),
    municipality_org_id BIGINT NOT NULL REFERENCES orgs(id),
    kommune TEXT NOT NULL,
    person_id BIGINT NOT NULL REFERENCES persons(id),
    pseudonym TEXT NOT NULL,
    status TEXT NOT NULL,
    state TEXT NOT NULL,
    version BIGINT NOT NULL,
    raised_on TEXT NOT NULL,
    discharged_on TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX coordination_discharge_notices_municipality ON coordination_discharge_notices(municipality_org_id, status);
CREATE INDEX coordination_discharge_notices_unit ON coordination_discharge_notices(unit_org_id, status);

-- A municipality's own webhook subscribers for the notices addressed to it. Deliveries use the
-- same outbox machinery as the warnings' (claimed with a lease, Standard Webhooks signatures).
CREATE TABLE coordination_discharge_webhooks (
    id INTEGER PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    url TEXT NOT NULL,
    secret TEXT NOT NULL,
    created_by BIGINT NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    failing BOOLEAN NOT NULL DEFAULT FALSE,
    consecutive_failures BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX coordination_discharge_webhooks_org ON coordination_discharge_webhooks(org_id, active);

-- The outbox: one row per (subscriber, step of a notice), written in the step's transaction.
-- The body names the notice and its step, never the person.
CREATE TABLE coordination_discharge_deliveries (
    id INTEGER PRIMARY KEY,
    webhook_id BIGINT NOT NULL REFERENCES coordination_discharge_webhooks(id),
    message_id TEXT NOT NULL UNIQUE,
    notice_id BIGINT NOT NULL REFERENCES coordination_discharge_notices(id),
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
CREATE INDEX coordination_discharge_deliveries_due ON coordination_discharge_deliveries(status, next_attempt_at);
CREATE INDEX coordination_discharge_deliveries_webhook ON coordination_discharge_deliveries(webhook_id, id);

CREATE TABLE coordination_discharge_attempts (
    id INTEGER PRIMARY KEY,
    delivery_id BIGINT NOT NULL REFERENCES coordination_discharge_deliveries(id),
    at BIGINT NOT NULL,
    duration_ms BIGINT NOT NULL,
    status_code BIGINT,
    error TEXT,
    instance TEXT NOT NULL
);
CREATE INDEX coordination_discharge_attempts_delivery ON coordination_discharge_attempts(delivery_id, id);
