-- Monitoring (issue 10): fewer index entries per imported row. Keep in step with the other
-- engine's file.
--
-- An imported row cost five index entries (the record's key, its batch and week indexes, the
-- finding's key and its substance index) for 2.5 rows written. Two of them served one query
-- each:
--
-- * `monitoring_records_batch` found a batch's weeks after its import (to re-evaluate the
--   series it touched) and its importer (for the list of batches). The batch row now carries
--   both, written once by the import that claims it.
-- * `monitoring_findings_substance` served the purity rule, which reads only seizures with a
--   purity (about one finding in ten): a partial index on exactly those rows replaces it.
DROP INDEX monitoring_records_batch;
DROP INDEX monitoring_findings_substance;
CREATE INDEX monitoring_findings_purity ON monitoring_findings(substance, day)
    WHERE source = 'seizures' AND purity_percent IS NOT NULL;

-- The batch's importer, and the first and last ISO week (`year * 100 + week`) of its rows
-- (none for the sources without weeks, and for batches imported before this migration).
ALTER TABLE monitoring_batches ADD COLUMN imported_by BIGINT;
ALTER TABLE monitoring_batches ADD COLUMN first_week INTEGER;
ALTER TABLE monitoring_batches ADD COLUMN last_week INTEGER;

-- PostgreSQL only (SQLite keeps its B-trees: there the record's key is the row id, and the
-- import is at more than half the raw insert rate with them). The series read a source's
-- records and findings by a range of weeks, and rows arrive roughly in time order, so a BRIN
-- index (a summary per block range, almost free to keep) serves the reads that a B-tree entry
-- per row served before; the series' join matches findings to records by hash within the
-- weeks read, so the findings need no key (a row's substances are distinct by construction:
-- the import's parser names each once).
DROP INDEX monitoring_records_week;
CREATE INDEX monitoring_records_week ON monitoring_records USING brin (week);
ALTER TABLE monitoring_findings DROP CONSTRAINT monitoring_findings_pkey;
CREATE INDEX monitoring_findings_week ON monitoring_findings USING brin (week);
