-- Monitoring (issue 10), the sources: every imported row with its provenance, and the
-- substances it names. Keep in step with the other engine's file.
--
-- No personal data: a row names a place, a day and substances, never a person (the import
-- refuses any field that looks like an identity number).
--
-- `monitoring_batches`: one row per imported file, idempotent per organisation, source and
-- batch id (`batch_id` is `{source}/{batch id}`), with the file's SHA-256 (`digest`) so that
-- the same id with another file is told apart (see `varde_store::batches`).
CREATE TABLE monitoring_batches (
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    batch_id TEXT NOT NULL,
    events BIGINT NOT NULL,
    recorded_at TEXT NOT NULL,
    digest TEXT,
    PRIMARY KEY (org_id, batch_id)
);

-- One imported row of a source (`seizures`, `wastewater`, `syringe_residue`, `overdoses`,
-- `deaths`, `surveys`, `rapid_assessments`): where it came from (organisation, batch, line,
-- who imported it, when it was received), its day (`deaths`: the month's first day; `surveys`:
-- none), its ISO week as `year * 100 + week` (none for `deaths` and `surveys`), its place
-- (`county` is the municipality's, or the row's own for `deaths`), its measure (`value`: the
-- seized amount, mg per 1,000 inhabitants per day, syringes, the survey's value) and the row
-- as normalised (`body`, JSON).
--
-- No foreign keys on the rows (as on the pathway projection): a national year is 100,000 rows
-- a batch, and a key check per row halves the import. The rows are written only by the import,
-- in the transaction that claims their batch (its organisation and importer are the session's
-- own), and never changed or deleted, so the references hold by construction.
CREATE TABLE monitoring_records (
    id INTEGER PRIMARY KEY,
    source TEXT NOT NULL,
    org_id BIGINT NOT NULL,
    batch_id TEXT NOT NULL,
    line BIGINT NOT NULL,
    imported_by BIGINT NOT NULL,
    received_at TEXT NOT NULL,
    day TEXT,
    week INTEGER,
    municipality TEXT,
    county TEXT,
    value REAL,
    body TEXT NOT NULL
);
CREATE INDEX monitoring_records_batch ON monitoring_records(org_id, batch_id);
CREATE INDEX monitoring_records_week ON monitoring_records(source, week);

-- The substances a row names, one row each, with the row's week and place repeated so that
-- a weekly series (source × substance or class × area) is one query over the records of its
-- weeks joined by `record_id` (the key), and the purity rule reads a substance's recent
-- purities by its index (no index by class: nothing reads findings by class alone). `substance` is
-- the reference list's id, `class` its class; `purity_percent` where the source has one.
CREATE TABLE monitoring_findings (
    record_id BIGINT NOT NULL,
    source TEXT NOT NULL,
    substance TEXT NOT NULL,
    class TEXT NOT NULL,
    day TEXT,
    week INTEGER,
    municipality TEXT,
    county TEXT,
    purity_percent REAL,
    PRIMARY KEY (record_id, substance)
);
CREATE INDEX monitoring_findings_substance ON monitoring_findings(source, substance, week);
