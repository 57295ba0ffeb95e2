//! Storage of the results area, on both engines: the plans loaded at first start
//! ([`Store::results_load_plans`], idempotent), read back as the core's [`Plan`]s; status
//! ratings ([`Store::results_rate`]: the row, its event `results.rated` in `results:{plan}`
//! and the access entry in one transaction); in `values.rs`, the indicator values'
//! import and the figures read from the monitoring area at view time; and, in
//! `aggregates.rs`, the anonymous aggregates of the advisory cases, the coordination figures'
//! people and the discharge years (no access entry: nothing personal leaves the store).

mod aggregates;
mod values;

pub use values::{ResultsImport, StoredValue, TdiPerson, RESULTS_RATED_KIND};

use jiff::Timestamp;
use sqlx::Row;
use varde_core::results::plans::{FocusArea, Goal, IndicatorDef, Internal, Measure, Plan};
use varde_core::results::ratings::NewRating;
use varde_core::results::{Direction, Level, Rating, Source};

use crate::audit::{append_access_tx, NewAccess};
use crate::db::{on_pool, Db};
use crate::events::{append_event_tx, NewEvent};
use crate::{Store, StoreError};

/// The event stream of a plan's ratings.
pub fn results_stream(plan: &str) -> String {
    format!("results:{plan}")
}

/// A stored rating (the latest of a goal and year is in force).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredRating {
    pub id: i64,
    pub plan: String,
    pub goal: String,
    pub year: i16,
    pub rating: Rating,
    pub reason: String,
    /// The user's name, or the document that gave the rating.
    pub set_by: String,
    /// The user, none for a rating a source document gives.
    pub user_id: Option<i64>,
    pub set_at: String,
}

fn corrupt(what: &str) -> StoreError {
    StoreError::Corrupt(format!("results: {what}"))
}

/// A rating's row: id, goal, year, rating, reason, set by, user, set at.
type RatingRow = (
    i64,
    String,
    i64,
    String,
    String,
    String,
    Option<i64>,
    String,
);

type PlanRow = (String, String, String, i64, i64, String, String, String);

impl Store {
    /// Loads `plans` (the core's data files): a plan not stored yet is inserted with its focus
    /// areas, goals, measures, indicators and the ratings its document gives; parts added to
    /// the data files since are inserted; nothing stored is changed. One transaction. Returns
    /// the number of plans inserted now.
    pub async fn results_load_plans(
        &self,
        plans: &[Plan],
        at: Timestamp,
    ) -> Result<usize, StoreError> {
        let at = at.to_string();
        on_pool!(
            self,
            write
                | pool
                | {
                    let mut tx = pool.begin().await?;
                    let mut new = 0;
                    for p in plans {
                        let inserted = sqlx::query(
                        "INSERT INTO results_plans (id, name_nb, name_en, first_year, last_year, focus_kind, goal_kind, source, loaded_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (id) DO NOTHING",
                    )
                    .bind(&p.id)
                    .bind(&p.name_nb)
                    .bind(&p.name_en)
                    .bind(i32::from(p.first_year))
                    .bind(i32::from(p.last_year))
                    .bind(&p.focus_kind)
                    .bind(&p.goal_kind)
                    .bind(&p.source)
                    .bind(&at)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected()
                        == 1;
                        for f in &p.focus_areas {
                            sqlx::query(
                            "INSERT INTO results_focus_areas (plan_id, no, name, source_line) VALUES ($1, $2, $3, $4) \
                             ON CONFLICT (plan_id, no) DO NOTHING",
                        )
                        .bind(&p.id)
                        .bind(f.no)
                        .bind(&f.name)
                        .bind(f.source_line)
                        .execute(&mut *tx)
                        .await?;
                        }
                        for g in &p.goals {
                            sqlx::query(
                            "INSERT INTO results_goals (plan_id, id, focus_no, text, source_line) VALUES ($1, $2, $3, $4, $5) \
                             ON CONFLICT (plan_id, id) DO NOTHING",
                        )
                        .bind(&p.id)
                        .bind(&g.id)
                        .bind(g.focus)
                        .bind(&g.text)
                        .bind(g.source_line)
                        .execute(&mut *tx)
                        .await?;
                        }
                        for m in &p.measures {
                            sqlx::query(
                            "INSERT INTO results_measures (plan_id, goal_id, no, text, owner, source_line) VALUES ($1, $2, $3, $4, $5, $6) \
                             ON CONFLICT (plan_id, goal_id, no) DO NOTHING",
                        )
                        .bind(&p.id)
                        .bind(&m.goal)
                        .bind(m.no)
                        .bind(&m.text)
                        .bind(&m.owner)
                        .bind(m.source_line)
                        .execute(&mut *tx)
                        .await?;
                        }
                        for i in &p.indicators {
                            sqlx::query(
                            "INSERT INTO results_indicators (id, plan_id, goal_id, name_nb, name_en, source, unit_nb, unit_en, direction, level, counts_people, internal) \
                             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT (id) DO NOTHING",
                        )
                        .bind(&i.id)
                        .bind(&p.id)
                        .bind(&i.goal)
                        .bind(&i.name_nb)
                        .bind(&i.name_en)
                        .bind(i.source.as_str())
                        .bind(&i.unit_nb)
                        .bind(&i.unit_en)
                        .bind(i.direction.as_str())
                        .bind(i.level.as_str())
                        .bind(i.counts_people)
                        .bind(i.internal.map(Internal::as_str))
                        .execute(&mut *tx)
                        .await?;
                        }
                        if inserted {
                            new += 1;
                            for r in &p.ratings {
                                sqlx::query(
                                "INSERT INTO results_ratings (plan_id, goal_id, year, rating, reason, set_by, user_id, set_at) \
                                 VALUES ($1, $2, $3, $4, $5, $6, NULL, $7)",
                            )
                            .bind(&p.id)
                            .bind(&r.goal)
                            .bind(i32::from(r.year))
                            .bind(r.rating.as_str())
                            .bind(&r.reason)
                            .bind(&r.set_by)
                            .bind(&at)
                            .execute(&mut *tx)
                            .await?;
                            }
                        }
                    }
                    tx.commit().await?;
                    Ok(new)
                }
        )
    }

    /// Every stored plan with its focus areas, goals, measures and indicators (ratings are
    /// read with [`Store::results_ratings`]), in the order of their first year.
    pub async fn results_plans(&self) -> Result<Vec<Plan>, StoreError> {
        let (plans, focus, goals, measures, indicators) = on_pool!(
            self,
            read | pool
                | {
                    let plans: Vec<PlanRow> = sqlx::query_as(
                    "SELECT id, name_nb, name_en, CAST(first_year AS BIGINT), CAST(last_year AS BIGINT), focus_kind, goal_kind, source \
                     FROM results_plans ORDER BY first_year DESC, id",
                )
                .fetch_all(pool)
                .await?;
                    let focus: Vec<(String, i64, String, i64)> = sqlx::query_as(
                        "SELECT plan_id, no, name, source_line FROM results_focus_areas ORDER BY plan_id, no",
                    )
                    .fetch_all(pool)
                    .await?;
                    let goals: Vec<(String, String, i64, String, i64)> = sqlx::query_as(
                    "SELECT plan_id, id, focus_no, text, source_line FROM results_goals ORDER BY plan_id, focus_no, source_line, id",
                )
                .fetch_all(pool)
                .await?;
                    let measures: Vec<(String, String, i64, String, String, i64)> = sqlx::query_as(
                    "SELECT plan_id, goal_id, no, text, owner, source_line FROM results_measures ORDER BY plan_id, goal_id, no",
                )
                .fetch_all(pool)
                .await?;
                    let indicators = sqlx::query(
                    "SELECT id, plan_id, goal_id, name_nb, name_en, source, unit_nb, unit_en, direction, level, counts_people, internal \
                     FROM results_indicators ORDER BY plan_id, goal_id, id",
                )
                .fetch_all(pool)
                .await?
                .iter()
                .map(|r| -> Result<IndicatorDef, StoreError> {
                    let text = |i: usize| -> Result<String, StoreError> { Ok(r.try_get::<String, _>(i)?) };
                    Ok(IndicatorDef {
                        id: text(0)?,
                        plan: text(1)?,
                        goal: text(2)?,
                        name_nb: text(3)?,
                        name_en: text(4)?,
                        source: Source::parse("source", &text(5)?).map_err(|_| corrupt("source"))?,
                        unit_nb: text(6)?,
                        unit_en: text(7)?,
                        direction: Direction::parse("direction", &text(8)?)
                            .map_err(|_| corrupt("direction"))?,
                        level: Level::parse("level", &text(9)?).map_err(|_| corrupt("level"))?,
                        counts_people: r.try_get(10)?,
                        internal: r
                            .try_get::<Option<String>, _>(11)?
                            .as_deref()
                            .and_then(Internal::parse),
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
                    (plans, focus, goals, measures, indicators)
                }
        );
        plans
            .into_iter()
            .map(
                |(id, name_nb, name_en, first, last, focus_kind, goal_kind, source)| {
                    Ok(Plan {
                        focus_areas: focus
                            .iter()
                            .filter(|f| f.0 == id)
                            .map(|f| FocusArea {
                                no: f.1,
                                name: f.2.clone(),
                                source_line: f.3,
                            })
                            .collect(),
                        goals: goals
                            .iter()
                            .filter(|g| g.0 == id)
                            .map(|g| Goal {
                                id: g.1.clone(),
                                focus: g.2,
                                text: g.3.clone(),
                                source_line: g.4,
                            })
                            .collect(),
                        measures: measures
                            .iter()
                            .filter(|m| m.0 == id)
                            .map(|m| Measure {
                                goal: m.1.clone(),
                                no: m.2,
                                text: m.3.clone(),
                                owner: m.4.clone(),
                                source_line: m.5,
                            })
                            .collect(),
                        indicators: indicators
                            .iter()
                            .filter(|i| i.plan == id)
                            .cloned()
                            .collect(),
                        ratings: Vec::new(),
                        first_year: i16::try_from(first).map_err(|_| corrupt("first_year"))?,
                        last_year: i16::try_from(last).map_err(|_| corrupt("last_year"))?,
                        id,
                        name_nb,
                        name_en,
                        focus_kind,
                        goal_kind,
                        source,
                    })
                },
            )
            .collect()
    }

    /// Records a rating set by user `user_id` (`username`) of `org_id`: the row, its event
    /// (`results.rated` in `results:{plan}`, the body the rating) and the access entry, in one
    /// transaction. Returns the rating's id.
    pub async fn results_rate(
        &self,
        rating: &NewRating,
        (user_id, username, org_id): (i64, &str, i64),
        at: Timestamp,
        access: &NewAccess,
    ) -> Result<i64, StoreError> {
        let body = serde_json::to_string(rating).map_err(|e| corrupt(&e.to_string()))?;
        let at_text = at.to_string();
        on_pool!(
            self,
            write
                | pool
                | {
                    let mut tx = pool.begin().await?;
                    let ev = NewEvent::by(
                        results_stream(&rating.plan),
                        RESULTS_RATED_KIND,
                        body.clone(),
                        user_id,
                        org_id,
                        at,
                    );
                    append_event_tx!(tx, &ev);
                    let id: i64 = sqlx::query_scalar(
                    "INSERT INTO results_ratings (plan_id, goal_id, year, rating, reason, set_by, user_id, set_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
                )
                .bind(&rating.plan)
                .bind(&rating.goal)
                .bind(i32::from(rating.year))
                .bind(rating.rating.as_str())
                .bind(&rating.reason)
                .bind(username)
                .bind(user_id)
                .bind(&at_text)
                .fetch_one(&mut *tx)
                .await?;
                    append_access_tx!(tx, access);
                    tx.commit().await?;
                    Ok(id)
                }
        )
    }

    /// Every rating of `plan`, oldest first (the last of a goal and year is in force).
    pub async fn results_ratings(&self, plan: &str) -> Result<Vec<StoredRating>, StoreError> {
        let rows: Vec<RatingRow> = on_pool!(
            self,
            read | pool
                | {
                    sqlx::query_as(
                    "SELECT id, goal_id, CAST(year AS BIGINT), rating, reason, set_by, user_id, set_at \
                     FROM results_ratings WHERE plan_id = $1 ORDER BY id",
                )
                .bind(plan)
                .fetch_all(pool)
                .await?
                }
        );
        rows.into_iter()
            .map(
                |(id, goal, year, rating, reason, set_by, user_id, set_at)| {
                    Ok(StoredRating {
                        id,
                        plan: plan.to_owned(),
                        goal,
                        year: i16::try_from(year).map_err(|_| corrupt("year"))?,
                        rating: Rating::parse("rating", &rating).map_err(|_| corrupt("rating"))?,
                        reason,
                        set_by,
                        user_id,
                        set_at,
                    })
                },
            )
            .collect()
    }
}
