-- Care pathway events (SQLite). Keep in step with ../postgres/ (same file names).

-- Projection of the `pathway:{org_id}:{pathway_id}` streams: one row per event as imported or
-- registered (the CSV columns as text), withdrawn when a correction replaces or removes it.
CREATE TABLE pathway_events (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES orgs(id),
    event_id INTEGER NOT NULL REFERENCES events(id),
    pathway_id TEXT NOT NULL,
    unit TEXT NOT NULL,
    hf TEXT NOT NULL,
    rhf TEXT NOT NULL,
    kommune TEXT NOT NULL,
    care_level TEXT NOT NULL,
    event TEXT NOT NULL,
    date TEXT NOT NULL,
    code TEXT NOT NULL,
    outcome TEXT NOT NULL,
    deadline TEXT NOT NULL,
    pathway_variant TEXT NOT NULL,
    batch_id TEXT,
    recorded_at TEXT NOT NULL,
    withdrawn BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX pathway_events_pathway ON pathway_events(org_id, pathway_id);
CREATE INDEX pathway_events_withdrawn ON pathway_events(org_id, withdrawn);

-- Imported batches, so that a repeated import of the same batch writes nothing.
CREATE TABLE pathway_batches (
    org_id INTEGER NOT NULL REFERENCES orgs(id),
    batch_id TEXT NOT NULL,
    events BIGINT NOT NULL,
    recorded_at TEXT NOT NULL,
    PRIMARY KEY (org_id, batch_id)
);
