-- Pathway events are logged a chunk at a time (PostgreSQL). Keep in step with ../sqlite/.
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
-- checks halved the import rate. The index on `withdrawn` goes too: readers filter withdrawn
-- rows as they scan an organisation's rows, and it cost every insert an entry.
ALTER TABLE pathway_events
    ADD COLUMN row_index BIGINT NOT NULL DEFAULT 0,
    ADD COLUMN withdrawn_by BIGINT,
    DROP CONSTRAINT pathway_events_org_id_fkey,
    DROP CONSTRAINT pathway_events_event_id_fkey;
DROP INDEX pathway_events_withdrawn;
UPDATE pathway_events p SET withdrawn_by = e.id
FROM events e
WHERE p.withdrawn AND e.kind = 'pathway.corrected'
    AND e.stream = 'pathway:' || p.org_id || ':' || p.pathway_id
    AND (e.body::json ->> 'target')::bigint = p.id;

-- A batch id names one file: its digest is kept, so that the same id with other content is told
-- apart from the same file sent again (batches recorded before have none).
ALTER TABLE pathway_batches ADD COLUMN digest TEXT;

-- The head of each organisation's `pathways:{org_id}` stream: its last sequence number, and
-- how many corrections it holds. Every pathway write updates this row first, so writers of
-- one organisation take turns (PostgreSQL holds the row lock to commit), sequence numbers are
-- handed out without a lookup, and (seq, corrections) is a version of the organisation's
-- effective events that a reader can check in one key lookup.
CREATE TABLE pathway_heads (
    org_id BIGINT PRIMARY KEY REFERENCES orgs(id),
    seq BIGINT NOT NULL,
    corrections BIGINT NOT NULL
);
INSERT INTO pathway_heads (org_id, seq, corrections)
SELECT org_id, 0, SUM(CASE WHEN withdrawn THEN 1 ELSE 0 END) FROM pathway_events GROUP BY org_id;
