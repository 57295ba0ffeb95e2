-- Table names by area (SQLite). Keep in step with ../postgres/ (same file names).
--
-- Each area has one name, used alike in its tables, its event-log streams, its URLs and its
-- modules, so that one word finds everything that belongs to it. The care pathways area (TSB;
-- with LAR and coercion) is `pathways`: its streams are `pathways:{org_id}`, its pages
-- `/pathways/…`, its store module `varde_store::pathways`, and from here on its tables carry
-- the name as prefix: `pathway_events` → `pathways_events`, `pathway_batches` →
-- `pathways_batches`, `pathway_heads` → `pathways_heads`. Only names change: columns, rows,
-- ids and keys stay as they are. The shipped migrations before this one keep the old names.
--
-- SQLite renames a table's automatic (primary key) indexes with it, but cannot rename an
-- index that was created by name: the projection's index is dropped and created again under
-- the new name, on the same columns.
ALTER TABLE pathway_events RENAME TO pathways_events;
ALTER TABLE pathway_batches RENAME TO pathways_batches;
ALTER TABLE pathway_heads RENAME TO pathways_heads;
DROP INDEX pathway_events_pathway;
CREATE INDEX pathways_events_pathway ON pathways_events(org_id, pathway_id);
