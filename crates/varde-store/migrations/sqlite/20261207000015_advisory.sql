-- Advisory units for drug cases (issue 12). Keep in step with the other engine's file.
--
-- A case is a row of `advisory_cases` (its opening: route, condition, legal basis, as JSON)
-- with its people (`advisory_people`: the person and their guardians, each linked to the
-- organisation's person register when an identity number is known, or a name only) and the
-- entries recorded on it in order (`advisory_entries`: meetings, attendance, consent, tests,
-- outreach, the report sent, referrals, closing; each body JSON). The case's own tables, not
-- the append-only event log, hold them: a closed case's personal data is erased after its
-- retention period, which an append-only log could not do. `entries` counts the entries and
-- is the optimistic check of a write (a write expecting another count writes nothing). Ages
-- are never stored: they are computed from the register's birth date on each event's day.
CREATE TABLE advisory_cases (
    id INTEGER PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    route TEXT NOT NULL,
    opening TEXT NOT NULL,
    entries BIGINT NOT NULL DEFAULT 0,
    closed_on TEXT,
    outcome TEXT,
    opened_by BIGINT NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL
);
CREATE INDEX advisory_cases_org ON advisory_cases(org_id, closed_on);

CREATE TABLE advisory_people (
    case_id BIGINT NOT NULL REFERENCES advisory_cases(id),
    idx BIGINT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('person', 'guardian')),
    person_id BIGINT REFERENCES persons(id),
    name TEXT,
    PRIMARY KEY (case_id, idx)
);

CREATE TABLE advisory_entries (
    case_id BIGINT NOT NULL REFERENCES advisory_cases(id),
    n BIGINT NOT NULL,
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    actor_id BIGINT NOT NULL REFERENCES users(id),
    recorded_at TEXT NOT NULL,
    PRIMARY KEY (case_id, n)
);

-- A unit's own minimum outreach before a case closes as not completed (none: the default of
-- varde_core::advisory::OutreachMinimum, two attempts by two different means).
CREATE TABLE advisory_units (
    org_id BIGINT PRIMARY KEY REFERENCES orgs(id),
    min_attempts BIGINT NOT NULL,
    min_means BIGINT NOT NULL,
    changed_by BIGINT NOT NULL REFERENCES users(id),
    changed_at TEXT NOT NULL
);
