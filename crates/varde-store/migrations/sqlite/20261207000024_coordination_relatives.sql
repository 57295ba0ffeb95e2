-- Relatives and children as relatives (issue 16, section 5). Keep in step with the other
-- engine's file.
--
-- An agreement with a relative (`coordination_relatives_agreements`, pårørendeavtale) hangs
-- from an individual plan and is recorded by the plan's organisation: who (name, contact),
-- the relation, the scopes that may be shared (comma separated named scopes, never
-- "everything"), how and when the person consented (the recording user is who recorded it),
-- the review date. Ending or withdrawing sets `ended_*` and is an event
-- (`coordination:relative:{id}`). `member_id` is the responsibility-group member made of the
-- relative, if any.
--
-- A record of children as relatives (`coordination_children_records`, helsepersonelloven
-- § 10 a) is dated and by its user; the latest per plan counts. `talked`/`followed_up` are
-- 0/1; `with_parties` is comma separated party names, `ages` comma separated ages.
CREATE TABLE coordination_relatives_agreements (
    id INTEGER PRIMARY KEY,
    plan_id BIGINT NOT NULL REFERENCES coordination_plans(id),
    name TEXT NOT NULL,
    contact TEXT,
    relation TEXT NOT NULL,
    scopes TEXT NOT NULL,
    consent_how TEXT NOT NULL CHECK (consent_how IN ('written', 'oral')),
    consent_on TEXT NOT NULL,
    review_on TEXT NOT NULL,
    member_id BIGINT REFERENCES coordination_members(id),
    recorded_by BIGINT NOT NULL REFERENCES users(id),
    recorded_at TEXT NOT NULL,
    ended_how TEXT CHECK (ended_how IN ('ended', 'withdrawn')),
    ended_reason TEXT,
    ended_by BIGINT REFERENCES users(id),
    ended_at TEXT
);
CREATE INDEX coordination_relatives_agreements_plan ON coordination_relatives_agreements(plan_id);

CREATE TABLE coordination_children_records (
    id INTEGER PRIMARY KEY,
    plan_id BIGINT NOT NULL REFERENCES coordination_plans(id),
    child_count BIGINT NOT NULL,
    ages TEXT NOT NULL,
    talked BIGINT NOT NULL,
    followed_up BIGINT NOT NULL,
    with_parties TEXT NOT NULL,
    on_day TEXT NOT NULL,
    recorded_by BIGINT NOT NULL REFERENCES users(id),
    recorded_at TEXT NOT NULL
);
CREATE INDEX coordination_children_records_plan ON coordination_children_records(plan_id);
