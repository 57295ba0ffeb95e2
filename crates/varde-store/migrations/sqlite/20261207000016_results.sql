-- Results (issue 17): the plans as data, indicators, imported values and status ratings.
-- Keep in step with the other engine's file.
--
-- No personal data: a value is an aggregate per indicator, year and area; a rating names the
-- user who set it (or, for a rating a source document gives, the document and its line).
--
-- The plans are loaded at first start from the core's data files (`varde_core::results::plans`),
-- idempotently: a plan's rows are inserted once and never changed (`ON CONFLICT DO NOTHING`).
CREATE TABLE results_plans (
    id TEXT PRIMARY KEY,
    name_nb TEXT NOT NULL,
    name_en TEXT NOT NULL,
    first_year INTEGER NOT NULL,
    last_year INTEGER NOT NULL,
    focus_kind TEXT NOT NULL,
    goal_kind TEXT NOT NULL,
    source TEXT NOT NULL,
    loaded_at TEXT NOT NULL
);

CREATE TABLE results_focus_areas (
    plan_id TEXT NOT NULL REFERENCES results_plans(id),
    no BIGINT NOT NULL,
    name TEXT NOT NULL,
    source_line BIGINT NOT NULL,
    PRIMARY KEY (plan_id, no)
);

CREATE TABLE results_goals (
    plan_id TEXT NOT NULL,
    id TEXT NOT NULL,
    focus_no BIGINT NOT NULL,
    text TEXT NOT NULL,
    source_line BIGINT NOT NULL,
    PRIMARY KEY (plan_id, id),
    FOREIGN KEY (plan_id, focus_no) REFERENCES results_focus_areas(plan_id, no)
);

CREATE TABLE results_measures (
    plan_id TEXT NOT NULL,
    goal_id TEXT NOT NULL,
    no BIGINT NOT NULL,
    text TEXT NOT NULL,
    owner TEXT NOT NULL,
    source_line BIGINT NOT NULL,
    PRIMARY KEY (plan_id, goal_id, no),
    FOREIGN KEY (plan_id, goal_id) REFERENCES results_goals(plan_id, id)
);

-- An indicator: its source (white paper line 1703), unit, direction, area level, whether it
-- counts people (suppressed at 1–4), and where inside Varde its values are read (`internal`,
-- none: imported).
CREATE TABLE results_indicators (
    id TEXT PRIMARY KEY,
    plan_id TEXT NOT NULL,
    goal_id TEXT NOT NULL,
    name_nb TEXT NOT NULL,
    name_en TEXT NOT NULL,
    source TEXT NOT NULL,
    unit_nb TEXT NOT NULL,
    unit_en TEXT NOT NULL,
    direction TEXT NOT NULL,
    level TEXT NOT NULL,
    counts_people BOOLEAN NOT NULL,
    internal TEXT,
    FOREIGN KEY (plan_id, goal_id) REFERENCES results_goals(plan_id, id)
);

-- Import batches (`varde_store::batches`), the batch id `{source}/{batch id}`.
CREATE TABLE results_batches (
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    batch_id TEXT NOT NULL,
    events BIGINT NOT NULL,
    recorded_at TEXT NOT NULL,
    digest TEXT,
    PRIMARY KEY (org_id, batch_id)
);

-- Every imported value with its provenance, never changed or deleted: the history.
CREATE TABLE results_value_rows (
    id INTEGER PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    batch_id TEXT NOT NULL,
    line BIGINT NOT NULL,
    imported_by BIGINT NOT NULL REFERENCES users(id),
    received_at TEXT NOT NULL,
    indicator_id TEXT NOT NULL REFERENCES results_indicators(id),
    year INTEGER NOT NULL,
    area TEXT NOT NULL,
    value REAL NOT NULL
);

-- The value in force per indicator, year and area: the latest import's row.
CREATE TABLE results_values (
    indicator_id TEXT NOT NULL REFERENCES results_indicators(id),
    year INTEGER NOT NULL,
    area TEXT NOT NULL,
    value REAL NOT NULL,
    row_id BIGINT NOT NULL REFERENCES results_value_rows(id),
    PRIMARY KEY (indicator_id, year, area)
);

-- Status ratings, each also an event (`results:{plan}`, kind `results.rated`) with its author;
-- the latest row of (plan, goal, year) is in force, the earlier ones stay as its history.
-- `set_by` is the user's name, or the document that gave the rating (then no user).
CREATE TABLE results_ratings (
    id INTEGER PRIMARY KEY,
    plan_id TEXT NOT NULL,
    goal_id TEXT NOT NULL,
    year INTEGER NOT NULL,
    rating TEXT NOT NULL,
    reason TEXT NOT NULL,
    set_by TEXT NOT NULL,
    user_id BIGINT REFERENCES users(id),
    set_at TEXT NOT NULL,
    FOREIGN KEY (plan_id, goal_id) REFERENCES results_goals(plan_id, id)
);
CREATE INDEX results_ratings_goal ON results_ratings(plan_id, goal_id, year);
