-- Foundation schema (SQLite). Keep in step with ../postgres/ (same file names).

CREATE TABLE orgs (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    slug TEXT NOT NULL UNIQUE,
    kommunenummer TEXT UNIQUE,
    orgnr TEXT UNIQUE,
    parent_id INTEGER REFERENCES orgs(id),
    created_at TEXT NOT NULL
);

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES orgs(id),
    username TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    disabled BOOLEAN NOT NULL DEFAULT FALSE,
    failed_logins BIGINT NOT NULL DEFAULT 0,
    locked_until TEXT,
    created_at TEXT NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

-- The append-only event log.
CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    stream TEXT NOT NULL,
    seq BIGINT NOT NULL,
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    actor_id BIGINT,
    org_id BIGINT,
    recorded_at TEXT NOT NULL,
    effective_date TEXT NOT NULL,
    UNIQUE (stream, seq)
);
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;

-- Projection of person streams.
CREATE TABLE persons (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES orgs(id),
    stream TEXT NOT NULL UNIQUE,
    pseudonym TEXT NOT NULL,
    national_id TEXT NOT NULL,
    name TEXT NOT NULL,
    birth_date TEXT,
    kommune TEXT,
    corrections BIGINT NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (org_id, pseudonym)
);
CREATE INDEX persons_pseudonym ON persons(pseudonym);

-- The hash-chained access log. Ids are gapless and assigned under the lock of access_head.
CREATE TABLE access_log (
    id BIGINT PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    actor_id BIGINT NOT NULL,
    org_id BIGINT NOT NULL,
    owner_org_id BIGINT NOT NULL,
    action TEXT NOT NULL,
    subject TEXT NOT NULL,
    record TEXT NOT NULL,
    purpose TEXT NOT NULL,
    outcome TEXT NOT NULL,
    flagged BOOLEAN NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX access_log_subject ON access_log(subject);
CREATE INDEX access_log_org ON access_log(org_id);
CREATE INDEX access_log_owner_org ON access_log(owner_org_id);

CREATE TABLE access_head (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    last_id BIGINT NOT NULL,
    last_hash TEXT NOT NULL
);
INSERT INTO access_head (id, last_id, last_hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
