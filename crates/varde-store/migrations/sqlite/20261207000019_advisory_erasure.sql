-- Retention and erasure of closed advisory cases (issue 12, item 9). Keep in step with the
-- other engine's file.
--
-- A unit's own retention of closed cases, with its other settings (empty: the default of
-- varde_core::advisory::erasure::Retention, five years after closing). A unit that sets its
-- retention before its outreach minimum gets the default minimum written beside it.
ALTER TABLE advisory_units ADD COLUMN retention_years BIGINT;

-- When the case's personal data was erased (the erasure's row, with its time), and the lease
-- of the job erasing it: a server claims a due case until lease_until (ms since the epoch), so
-- two servers never erase the same case; a crashed server's claim lapses.
ALTER TABLE advisory_cases ADD COLUMN erased_at TEXT;
ALTER TABLE advisory_cases ADD COLUMN erase_lease_owner TEXT;
ALTER TABLE advisory_cases ADD COLUMN erase_lease_until BIGINT;

-- What remains of an erased case, for the statistics: no name, no identity number, no
-- pseudonym, and no case id (the access log ties a case id to its pseudonym).
CREATE TABLE advisory_statistics (
    id INTEGER PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    route TEXT NOT NULL,
    municipality TEXT,
    county TEXT,
    age_group TEXT,
    sex TEXT,
    opened_on TEXT NOT NULL,
    decided_on TEXT,
    first_meeting_on TEXT,
    closed_on TEXT,
    outcome TEXT,
    meetings_required BIGINT,
    meetings_attended BIGINT NOT NULL,
    outreach_attempts BIGINT NOT NULL,
    tests BIGINT NOT NULL,
    positives BIGINT NOT NULL,
    referrals TEXT NOT NULL,
    recorded_on TEXT NOT NULL
);
CREATE INDEX advisory_statistics_opened ON advisory_statistics(opened_on);
