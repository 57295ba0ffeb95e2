-- Drug checking (issue 10, item 7): anonymous samples, their results and what was found.
-- Keep in step with the other engine's file.
--
-- No personal data anywhere. A sample's code is never stored: only the SHA-256 of its normal
-- form (`code_hash`, unique, the one index a lookup uses), so that the table reveals no code.
-- A result is written once (its primary key is the sample's), with its findings and the
-- monitoring signals it raises, in one transaction.
CREATE TABLE drugcheck_samples (
    id INTEGER PRIMARY KEY,
    code_hash TEXT NOT NULL UNIQUE,
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    sold_as TEXT NOT NULL,
    sold_as_substance TEXT,
    municipality TEXT NOT NULL,
    received_on TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE drugcheck_results (
    sample_id BIGINT PRIMARY KEY REFERENCES drugcheck_samples(id),
    analysed_on TEXT NOT NULL,
    method TEXT NOT NULL,
    contaminants TEXT NOT NULL,
    recorded_by BIGINT NOT NULL REFERENCES users(id),
    recorded_at TEXT NOT NULL
);
CREATE INDEX drugcheck_results_month ON drugcheck_results(analysed_on);

CREATE TABLE drugcheck_findings (
    sample_id BIGINT NOT NULL REFERENCES drugcheck_results(sample_id),
    substance TEXT NOT NULL,
    purity_percent REAL,
    amount_mg REAL,
    PRIMARY KEY (sample_id, substance)
);
