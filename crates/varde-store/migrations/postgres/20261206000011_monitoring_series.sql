-- Monitoring (issue 10): the weekly series with their evaluation, and the detection rules.
-- Keep in step with the other engine's file.
--
-- `monitoring_rules`: a source's rule as an analyst set it (no row: the documented default,
-- version 0). `params` and `fallback_params` are JSON arrays of `name=value` in R syntax;
-- every change is an event in the stream `monitoring:rules` with its author too.
CREATE TABLE monitoring_rules (
    source TEXT PRIMARY KEY,
    version BIGINT NOT NULL,
    enabled BOOLEAN NOT NULL,
    method TEXT NOT NULL,
    params TEXT NOT NULL,
    fallback_method TEXT,
    fallback_params TEXT NOT NULL,
    changed_by BIGINT NOT NULL REFERENCES users(id),
    changed_at TEXT NOT NULL
);

-- One week of a series (source × scope × area; scope `all`, `substance:{id}` or
-- `class:{class}`, area `national` or `county:NN`), zero-filled from the series' first week:
-- the observed count (or mean), and the evaluation with the rule's version: the threshold,
-- the alarm and the method used (`main`, `fallback`; none: not evaluated or too little
-- history). Derived from the sources: it can be rebuilt.
CREATE TABLE monitoring_series_weeks (
    source TEXT NOT NULL,
    scope TEXT NOT NULL,
    area TEXT NOT NULL,
    week BIGINT NOT NULL,
    observed DOUBLE PRECISION NOT NULL,
    threshold DOUBLE PRECISION,
    alarm BOOLEAN,
    method TEXT,
    rule_version BIGINT NOT NULL,
    PRIMARY KEY (source, scope, area, week)
);
CREATE INDEX monitoring_series_weeks_week ON monitoring_series_weeks(source, week);
CREATE INDEX monitoring_series_weeks_alarm ON monitoring_series_weeks(alarm, week);
