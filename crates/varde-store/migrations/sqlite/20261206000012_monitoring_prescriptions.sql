-- Monitoring (issue 10, item 6): prescription risk figures. Keep in step with the other
-- engine's file.
--
-- No personal data: a figure counts people per area, year, age band and sex (the import
-- refuses any field that looks like an identity number). Batches are kept in
-- `monitoring_batches` as `prescriptions/{batch id}`.
--
-- `monitoring_prescription_rows`: every imported row with its provenance (organisation,
-- batch, line, who imported it, when), never updated or deleted: the history of every figure.
CREATE TABLE monitoring_prescription_rows (
    id INTEGER PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    batch_id TEXT NOT NULL,
    line BIGINT NOT NULL,
    imported_by BIGINT NOT NULL REFERENCES users(id),
    received_at TEXT NOT NULL,
    year INTEGER NOT NULL,
    area TEXT NOT NULL,
    age_band TEXT NOT NULL,
    sex TEXT NOT NULL,
    measure TEXT NOT NULL,
    count BIGINT NOT NULL,
    population BIGINT NOT NULL
);
CREATE INDEX monitoring_prescription_rows_batch ON monitoring_prescription_rows(org_id, batch_id);

-- The figure in force per cell: the row of the latest import of (measure, year, area, age
-- band, sex) — a later batch replaces the figure here, its row stays in the history above.
CREATE TABLE monitoring_prescription_figures (
    measure TEXT NOT NULL,
    year INTEGER NOT NULL,
    area TEXT NOT NULL,
    age_band TEXT NOT NULL,
    sex TEXT NOT NULL,
    count BIGINT NOT NULL,
    population BIGINT NOT NULL,
    row_id BIGINT NOT NULL REFERENCES monitoring_prescription_rows(id),
    PRIMARY KEY (measure, year, area, age_band, sex)
);
