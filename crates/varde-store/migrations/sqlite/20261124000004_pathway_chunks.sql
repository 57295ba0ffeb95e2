-- Pathway events are logged a chunk at a time (SQLite). Keep in step with ../postgres/.
--
-- From here on an organisation's pathway writes go to ONE event-log stream, `pathways:{org_id}`:
-- an import writes one `pathway.events` event per chunk of up to 2000 rows (body
-- `{"batch": …, "rows": [[the 12 fields], …]}`), not one event per row; a correction writes
-- a `pathway.corrected` event naming its target by (event, row). A projection row is the
-- `row_index`-th row of its event. Rows written before this migration were logged one per
-- event (kind `pathway.event`, stream `pathway:{org_id}:{pathway_id}`) and keep row index 0.

-- The projection gains each row's position in its log event and, for a withdrawn row, the
-- correction event that withdrew it (`withdrawn_by`, filled in for earlier corrections from
-- their bodies, which named the row's id), and loses its foreign keys: its
-- rows are written only by the store, in the transaction of the log event they name, after the
-- organisation's head row (whose key checks the organisation). On PostgreSQL the per-row key
-- checks halved the import rate. SQLite cannot drop a constraint, so the table is rebuilt (the
-- same columns; rows keep their ids). The index on `withdrawn` goes too: readers filter
-- withdrawn rows as they scan an organisation's rows, and it cost every insert an entry.
CREATE TABLE pathway_events_v4 (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL,
    event_id INTEGER NOT NULL,
    row_index INTEGER NOT NULL DEFAULT 0,
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
    withdrawn BOOLEAN NOT NULL DEFAULT FALSE,
    withdrawn_by INTEGER
);
INSERT INTO pathway_events_v4 (id, org_id, event_id, row_index, pathway_id, unit, hf, rhf, kommune,
    care_level, event, date, code, outcome, deadline, pathway_variant, batch_id, recorded_at, withdrawn,
    withdrawn_by)
SELECT p.id, p.org_id, p.event_id, 0, p.pathway_id, p.unit, p.hf, p.rhf, p.kommune, p.care_level,
    p.event, p.date, p.code, p.outcome, p.deadline, p.pathway_variant, p.batch_id, p.recorded_at,
    p.withdrawn,
    (SELECT e.id FROM events e WHERE p.withdrawn AND e.kind = 'pathway.corrected'
        AND e.stream = 'pathway:' || p.org_id || ':' || p.pathway_id
        AND json_extract(e.body, '$.target') = p.id)
FROM pathway_events p;
DROP TABLE pathway_events;
ALTER TABLE pathway_events_v4 RENAME TO pathway_events;
CREATE INDEX pathway_events_pathway ON pathway_events(org_id, pathway_id);

-- A batch id names one file: its digest is kept, so that the same id with other content is told
-- apart from the same file sent again (batches recorded before have none).
ALTER TABLE pathway_batches ADD COLUMN digest TEXT;

-- The head of each organisation's `pathways:{org_id}` stream: its last sequence number, and
-- how many corrections it holds. Every pathway write updates this row first, so writers of
-- one organisation take turns (PostgreSQL holds the row lock to commit), sequence numbers are
-- handed out without a lookup, and (seq, corrections) is a version of the organisation's
-- effective events that a reader can check in one key lookup.
CREATE TABLE pathway_heads (
    org_id INTEGER PRIMARY KEY REFERENCES orgs(id),
    seq BIGINT NOT NULL,
    corrections BIGINT NOT NULL
);
INSERT INTO pathway_heads (org_id, seq, corrections)
SELECT org_id, 0, SUM(CASE WHEN withdrawn THEN 1 ELSE 0 END) FROM pathway_events GROUP BY org_id;
