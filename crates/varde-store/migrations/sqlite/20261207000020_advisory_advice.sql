-- Advisory units' quick anonymous logging of advice given (issue 12, item 12), and the
-- missed meetings of an erased case's statistics record (issue 12, item 11). Keep in step
-- with the other engine's file.
--
-- One row per piece of advice given to anyone who asked (the person, a relative, a school,
-- another service): the day, who asked, by what means, the topic from a fixed list and an
-- optional age group. No name, no identity number, no free text: nothing about a person.
-- Counted in the statistics apart from the condition cases.
CREATE TABLE advisory_advice (
    id INTEGER PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    given_on TEXT NOT NULL,
    asker TEXT NOT NULL,
    means TEXT NOT NULL,
    topic TEXT NOT NULL,
    age_group TEXT,
    recorded_at TEXT NOT NULL
);
CREATE INDEX advisory_advice_given ON advisory_advice(given_on);

-- The meetings the person did not come to, kept with an erased case's statistics record (a
-- case with one is a non-attending case, the base of outreach attempts per case). Records
-- written before this column read it as 0.
ALTER TABLE advisory_statistics ADD COLUMN meetings_missed BIGINT;
