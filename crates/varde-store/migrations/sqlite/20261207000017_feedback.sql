-- Feedback (issue 17, item 3): session-by-session feedback on one-time links, and anonymous
-- user and relative surveys. Keep in step with the other engine's file.
--
-- A link's token is never stored: only its SHA-256 (`token_hash`, unique, the one index the
-- answer page's lookup uses). A link works once: the answer sets `used_at` with a conditional
-- UPDATE (not used, not expired) in the answer's transaction, with the answer and its
-- access-log entry. `expires_at` is in seconds since 1970 (compared as a number; text
-- instants with and without fractions do not sort as times).
CREATE TABLE feedback_links (
    id INTEGER PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    person_id BIGINT NOT NULL REFERENCES persons(id),
    pseudonym TEXT NOT NULL,
    pathway_id TEXT,
    session_date TEXT NOT NULL,
    session_number BIGINT NOT NULL,
    created_by BIGINT NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at TEXT
);
CREATE INDEX feedback_links_person ON feedback_links(org_id, person_id);

-- One answer per link (its key is the link's). `ratings` is the JSON array of the eight
-- items in the core's order; the two totals are kept for the trend.
CREATE TABLE feedback_answers (
    link_id BIGINT PRIMARY KEY REFERENCES feedback_links(id),
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    person_id BIGINT NOT NULL REFERENCES persons(id),
    session_date TEXT NOT NULL,
    session_number BIGINT NOT NULL,
    ratings TEXT NOT NULL,
    outcome_total BIGINT NOT NULL,
    alliance_total BIGINT NOT NULL,
    answered_at TEXT NOT NULL
);
CREATE INDEX feedback_answers_person ON feedback_answers(org_id, person_id);

-- An organisation's survey links, one open per survey (sharing again closes the earlier one).
-- A survey link is public by design (printed, posted, sent to everyone) and guards nothing
-- personal, so its token is kept to be shown again to the organisation's staff.
CREATE TABLE feedback_survey_links (
    id INTEGER PRIMARY KEY,
    token TEXT NOT NULL UNIQUE,
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    kind TEXT NOT NULL,
    created_by BIGINT NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    closed_at TEXT
);
CREATE INDEX feedback_survey_links_org ON feedback_survey_links(org_id, kind);

-- Anonymous survey answers: the organisation, the survey, the year, the ratings (JSON array,
-- the questions' order). No link, no time of day, no person.
CREATE TABLE feedback_survey_answers (
    id INTEGER PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    kind TEXT NOT NULL,
    year BIGINT NOT NULL,
    ratings TEXT NOT NULL
);
CREATE INDEX feedback_survey_answers_org ON feedback_survey_answers(org_id, kind, year);
