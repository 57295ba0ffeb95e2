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
