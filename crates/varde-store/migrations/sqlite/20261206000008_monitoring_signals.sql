-- Monitoring (issue 10), first part: signals and the watchlist. Keep in step with the other
-- engine's file.
--
-- A signal is raised by a rule (a watchlist finding, a purity far above the recent range, an
-- aberration of a weekly series); `dedupe` makes a second raise of the same finding no new
-- signal. Analysts' changes are events in the stream `monitoring:signal:{id}` (with their
-- author), projected into `status` and `linked_into` in the same transaction.
CREATE TABLE monitoring_signals (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    source TEXT NOT NULL,
    substance TEXT,
    area TEXT NOT NULL,
    week TEXT NOT NULL,
    observed REAL NOT NULL,
    threshold REAL,
    rule TEXT NOT NULL,
    detail TEXT NOT NULL,
    dedupe TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL,
    linked_into BIGINT REFERENCES monitoring_signals(id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX monitoring_signals_status ON monitoring_signals(status, id);

-- The analysts' additions to and removals from the reference list's high-risk watchlist.
-- Each change is an event in the stream `monitoring:watchlist` too.
CREATE TABLE monitoring_watchlist (
    substance TEXT PRIMARY KEY,
    on_list BOOLEAN NOT NULL,
    changed_by BIGINT NOT NULL REFERENCES users(id),
    changed_at TEXT NOT NULL
);
