-- Coordination between municipality and specialised treatment (issue 16, sections 1–2). Keep
-- in step with the other engine's file.
--
-- A consent (`coordination_consents`) is recorded by the organisation that holds the data it
-- releases (`org_id`, its person record `person_id`, the person's keyed pseudonym), for one
-- scope, to one grantee: an organisation (`grantee_org_id`) or the members of one
-- responsibility group (`grantee_plan_id`). It has a first and a last day (both required) and
-- how it was given; `withdrawn_at` is set by its withdrawal, which is also an event
-- (`coordination:consent:{id}`). Decisions read the row at the moment of each access.
--
-- An individual plan (`coordination_plans`) is a person's in one organisation, with its
-- responsible coordinator (a user, or none yet) and status; goals, measures (owner
-- organisation and person, start, evaluation date, the meeting that decided it), evaluations
-- (what happened and the next date), the responsibility group's members and meetings (date,
-- attendance, minutes) hang from it. `version` counts writes: a write names the version it
-- checked, and writes nothing if another came first.
CREATE TABLE coordination_plans (
    id INTEGER PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    person_id BIGINT NOT NULL REFERENCES persons(id),
    pseudonym TEXT NOT NULL,
    coordinator_id BIGINT REFERENCES users(id),
    status TEXT NOT NULL CHECK (status IN ('draft', 'active', 'closed')),
    version BIGINT NOT NULL DEFAULT 0,
    created_by BIGINT NOT NULL REFERENCES users(id),
    created_on TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX coordination_plans_org ON coordination_plans(org_id);
CREATE INDEX coordination_plans_pseudonym ON coordination_plans(pseudonym);

CREATE TABLE coordination_goals (
    id INTEGER PRIMARY KEY,
    plan_id BIGINT NOT NULL REFERENCES coordination_plans(id),
    text TEXT NOT NULL,
    created_by BIGINT NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL
);
CREATE INDEX coordination_goals_plan ON coordination_goals(plan_id);

CREATE TABLE coordination_members (
    id INTEGER PRIMARY KEY,
    plan_id BIGINT NOT NULL REFERENCES coordination_plans(id),
    kind TEXT NOT NULL CHECK (kind IN ('user', 'external', 'person', 'relative')),
    user_id BIGINT REFERENCES users(id),
    member_org_id BIGINT REFERENCES orgs(id),
    name TEXT,
    role TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX coordination_members_plan ON coordination_members(plan_id);
CREATE INDEX coordination_members_user ON coordination_members(user_id);

CREATE TABLE coordination_meetings (
    id INTEGER PRIMARY KEY,
    plan_id BIGINT NOT NULL REFERENCES coordination_plans(id),
    held_on TEXT NOT NULL,
    attendance TEXT NOT NULL,
    minutes TEXT,
    recorded_by BIGINT NOT NULL REFERENCES users(id),
    recorded_at TEXT NOT NULL
);
CREATE INDEX coordination_meetings_plan ON coordination_meetings(plan_id);

CREATE TABLE coordination_measures (
    id INTEGER PRIMARY KEY,
    plan_id BIGINT NOT NULL REFERENCES coordination_plans(id),
    goal_id BIGINT NOT NULL REFERENCES coordination_goals(id),
    text TEXT NOT NULL,
    owner_org_id BIGINT NOT NULL REFERENCES orgs(id),
    owner_name TEXT NOT NULL,
    start_on TEXT NOT NULL,
    evaluate_on TEXT NOT NULL,
    meeting_id BIGINT REFERENCES coordination_meetings(id),
    created_by BIGINT NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL
);
CREATE INDEX coordination_measures_plan ON coordination_measures(plan_id);

CREATE TABLE coordination_evaluations (
    id INTEGER PRIMARY KEY,
    plan_id BIGINT NOT NULL REFERENCES coordination_plans(id),
    measure_id BIGINT NOT NULL REFERENCES coordination_measures(id),
    on_day TEXT NOT NULL,
    note TEXT NOT NULL,
    next_on TEXT NOT NULL,
    recorded_by BIGINT NOT NULL REFERENCES users(id),
    recorded_at TEXT NOT NULL
);
CREATE INDEX coordination_evaluations_plan ON coordination_evaluations(plan_id);

CREATE TABLE coordination_consents (
    id INTEGER PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    person_id BIGINT NOT NULL REFERENCES persons(id),
    pseudonym TEXT NOT NULL,
    scope TEXT NOT NULL CHECK (scope IN ('plan', 'discharge_notice', 'overdose_notice', 'pathway_status')),
    grantee_org_id BIGINT REFERENCES orgs(id),
    grantee_plan_id BIGINT REFERENCES coordination_plans(id),
    purpose TEXT NOT NULL,
    valid_from TEXT NOT NULL,
    valid_until TEXT NOT NULL,
    given_how TEXT NOT NULL CHECK (given_how IN ('written', 'oral')),
    recorded_by BIGINT NOT NULL REFERENCES users(id),
    recorded_at TEXT NOT NULL,
    withdrawn_at TEXT,
    withdrawn_by BIGINT REFERENCES users(id),
    CHECK ((grantee_org_id IS NULL) <> (grantee_plan_id IS NULL))
);
CREATE INDEX coordination_consents_person ON coordination_consents(pseudonym, scope);
CREATE INDEX coordination_consents_org ON coordination_consents(org_id);
