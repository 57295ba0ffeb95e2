-- Follow-up after a non-fatal overdose (issue 16, section 4). Keep in step with the other
-- engine's file.
--
-- Every step of a notice is an event in the stream `coordination_overdose:{id}` (registered,
-- attempt, closed); `coordination_overdose_notices` is their projection: the notice folded as
-- JSON (`state`), the number of events it is of (`version`, the optimistic check of a write),
-- the registering organisation (an ambulance service's or emergency ward's), the municipality
-- that follows up, the person's register row and pseudonym, and the consent (scope
-- `overdose_notice`, granted to that municipality, recorded in the same transaction) that the
-- municipality reads it by. The anonymous monitoring row (`monitoring_records`, source
-- `overdoses`, batch `overdoses/coordination-overdose-{id}`) is written with it.
CREATE TABLE coordination_overdose_notices (
    id INTEGER PRIMARY KEY,
    reporter_org_id BIGINT NOT NULL REFERENCES orgs(id),
    municipality_org_id BIGINT NOT NULL REFERENCES orgs(id),
    kommune TEXT NOT NULL,
    person_id BIGINT NOT NULL REFERENCES persons(id),
    pseudonym TEXT NOT NULL,
    consent_id BIGINT NOT NULL REFERENCES coordination_consents(id),
    status TEXT NOT NULL,
    state TEXT NOT NULL,
    version BIGINT NOT NULL,
    occurred_at TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX coordination_overdose_notices_municipality ON coordination_overdose_notices(municipality_org_id, status);
CREATE INDEX coordination_overdose_notices_reporter ON coordination_overdose_notices(reporter_org_id, status);

-- The outbox of the overdose notices: one row per (subscriber, step of a notice), written in
-- the step's transaction, to the municipality's coordination subscribers
-- (`coordination_discharge_webhooks`). The body names the notice and its step, never the
-- person. Claimed and recorded by the shared outbox machinery.
CREATE TABLE coordination_overdose_deliveries (
    id INTEGER PRIMARY KEY,
    webhook_id BIGINT NOT NULL REFERENCES coordination_discharge_webhooks(id),
    message_id TEXT NOT NULL UNIQUE,
    notice_id BIGINT NOT NULL REFERENCES coordination_overdose_notices(id),
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
CREATE INDEX coordination_overdose_deliveries_due ON coordination_overdose_deliveries(status, next_attempt_at);
CREATE INDEX coordination_overdose_deliveries_webhook ON coordination_overdose_deliveries(webhook_id, id);

CREATE TABLE coordination_overdose_attempts (
    id INTEGER PRIMARY KEY,
    delivery_id BIGINT NOT NULL REFERENCES coordination_overdose_deliveries(id),
    at BIGINT NOT NULL,
    duration_ms BIGINT NOT NULL,
    status_code BIGINT,
    error TEXT,
    instance TEXT NOT NULL
);
CREATE INDEX coordination_overdose_attempts_delivery ON coordination_overdose_attempts(delivery_id, id);
