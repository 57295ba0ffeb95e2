-- Table names by area (PostgreSQL). Keep in step with ../sqlite/ (same file names).
--
-- Each area has one name, used alike in its tables, its event-log streams, its URLs and its
-- modules, so that one word finds everything that belongs to it. The care pathways area (TSB;
-- with LAR and coercion) is `pathways`: its streams are `pathways:{org_id}`, its pages
-- `/pathways/…`, its store module `varde_store::pathways`, and from here on its tables carry
-- the name as prefix: `pathway_events` → `pathways_events`, `pathway_batches` →
-- `pathways_batches`, `pathway_heads` → `pathways_heads`. Only names change: columns, rows,
-- ids and keys stay as they are. The shipped migrations before this one keep the old names.
--
-- The tables' indexes, constraints and identity sequence are renamed with them (renaming a
-- primary key's index renames its constraint too), so that no object keeps the old name.
ALTER TABLE pathway_events RENAME TO pathways_events;
ALTER TABLE pathway_batches RENAME TO pathways_batches;
ALTER TABLE pathway_heads RENAME TO pathways_heads;
ALTER INDEX pathway_events_pathway RENAME TO pathways_events_pathway;
ALTER INDEX pathway_events_pkey RENAME TO pathways_events_pkey;
ALTER INDEX pathway_batches_pkey RENAME TO pathways_batches_pkey;
ALTER INDEX pathway_heads_pkey RENAME TO pathways_heads_pkey;
ALTER SEQUENCE pathway_events_id_seq RENAME TO pathways_events_id_seq;
ALTER TABLE pathways_batches
    RENAME CONSTRAINT pathway_batches_org_id_fkey TO pathways_batches_org_id_fkey;
ALTER TABLE pathways_heads
    RENAME CONSTRAINT pathway_heads_org_id_fkey TO pathways_heads_org_id_fkey;
