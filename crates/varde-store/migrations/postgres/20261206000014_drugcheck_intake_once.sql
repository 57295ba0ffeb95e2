-- Drug checking: the intake form is sent once. Keep in step with the other engine's file.
--
-- The lab's intake form carries a one-time token; the sample it created is recorded against the
-- token's SHA-256 in the intake's transaction, so that a reload of the receipt page (the browser
-- sending the form again) finds the token used and makes no second sample. The code is never
-- stored, so the receipt cannot be shown again: the lab is told the sample is registered.
CREATE TABLE drugcheck_intake_once (
    token_hash TEXT PRIMARY KEY,
    sample_id BIGINT NOT NULL REFERENCES drugcheck_samples(id),
    used_at TEXT NOT NULL
);
