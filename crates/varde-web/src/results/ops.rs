//! The results area's operations, called by the pages, the API, the public dashboard and the
//! demo alike: the plans as stored, a focus area's dashboard (goals, their indicators' trends
//! with values imported or read from inside Varde at view time, ratings, measures), and
//! setting a rating.

use std::collections::BTreeMap;

use serde::Serialize;
use utoipa::ToSchema;
use varde_core::results::dashboard::{from_points, trend, Point, Trend};
use varde_core::results::plans::{IndicatorDef, Plan};
use varde_core::results::ratings::{check, NewRating, RatingInput};
use varde_store::{StoredRating, StoredValue};

use crate::authz::{OrgAccess, RateResults};
use crate::error::WebError;
use crate::i18n::Lang;
use crate::AppState;

/// Every stored plan.
pub async fn plans(state: &AppState) -> Result<Vec<Plan>, WebError> {
    Ok(state.store.results_plans().await?)
}

/// The plan `id` (404 when there is none).
pub async fn plan(state: &AppState, id: &str) -> Result<Plan, WebError> {
    plans(state)
        .await?
        .into_iter()
        .find(|p| p.id == id)
        .ok_or_else(WebError::not_found)
}

/// One year's value as published.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PointDoc {
    pub year: i16,
    /// `null` when suppressed (a count of people of 1–4).
    pub value: Option<f64>,
    pub suppressed: bool,
}

/// An indicator with its trend for the area chosen.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IndicatorDoc {
    pub id: String,
    pub name: String,
    /// The source's id (white paper line 1703).
    pub source: String,
    pub source_name: String,
    pub unit: String,
    /// `higher` or `lower` is better.
    pub direction: String,
    /// `nation`, `county`, `municipality` or `hf`.
    pub level: String,
    pub counts_people: bool,
    /// Where inside Varde the values are read (`monitoring_deaths`, `advisory_cases`,
    /// `coordination_plan`, … — `varde_core::results::plans::Internal`); absent: imported.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub internal: Option<String>,
    pub points: Vec<PointDoc>,
    pub latest_year: Option<i16>,
    pub latest_value: Option<f64>,
    /// When the latest value was received (imported values; RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latest_received: Option<String>,
    /// The last change against the goal: `better`, `worse`, `unchanged` or `unknown`.
    pub verdict: String,
}

/// A rating as shown.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RatingDoc {
    pub year: i16,
    /// `-`, `+`, `++` or `+++`.
    pub rating: String,
    /// The scale's words for it.
    pub meaning: String,
    pub reason: String,
    /// Who set it (a user's name, or the document that gave it); absent on the public
    /// dashboard for a user's rating.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub set_by: Option<String>,
    pub set_at: String,
}

/// A measure and its owner.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MeasureDoc {
    pub text: String,
    pub owner: String,
    pub source_line: i64,
}

/// A goal with its indicators and ratings.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GoalDoc {
    pub id: String,
    pub text: String,
    /// The line of the source document.
    pub source_line: i64,
    /// Whether an indicator follows the goal ("not followed" otherwise).
    pub followed: bool,
    pub indicators: Vec<IndicatorDoc>,
    /// The rating in force of the latest year rated.
    pub rating: Option<RatingDoc>,
    /// Every rating in force, by year (the latest year first).
    pub ratings: Vec<RatingDoc>,
    pub measures: Vec<MeasureDoc>,
}

/// A focus area's dashboard.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FocusDoc {
    pub plan: String,
    pub plan_name: String,
    pub focus: i64,
    pub focus_name: String,
    /// `focus_area` or `main_goal`.
    pub focus_kind: String,
    /// `result_goal` or `sub_goal`.
    pub goal_kind: String,
    /// The area the values are of.
    pub area: String,
    pub goals: Vec<GoalDoc>,
}

fn point_doc(p: &Point) -> PointDoc {
    PointDoc {
        year: p.year,
        value: p.value,
        suppressed: p.suppressed,
    }
}

/// An indicator's doc from its trend.
fn indicator_doc(def: &IndicatorDef, t: Trend, received: Option<String>, l: Lang) -> IndicatorDoc {
    IndicatorDoc {
        id: def.id.clone(),
        name: def.name(l.code()).to_owned(),
        source: def.source.as_str().to_owned(),
        source_name: def.source.name().to_owned(),
        unit: def.unit(l.code()).to_owned(),
        direction: def.direction.as_str().to_owned(),
        level: def.level.as_str().to_owned(),
        counts_people: def.counts_people,
        internal: def.internal.map(|i| i.as_str().to_owned()),
        points: t.points.iter().map(point_doc).collect(),
        latest_year: t.latest.as_ref().map(|p| p.year),
        latest_value: t.latest.as_ref().and_then(|p| p.value),
        latest_received: received,
        verdict: t.verdict.as_str().to_owned(),
    }
}

/// The ratings in force (the latest row of each goal and year), by goal, the latest year
/// first.
fn in_force(rows: &[StoredRating], public: bool, l: Lang) -> BTreeMap<String, Vec<RatingDoc>> {
    let mut latest: BTreeMap<(String, i16), &StoredRating> = BTreeMap::new();
    for r in rows {
        latest.insert((r.goal.clone(), r.year), r);
    }
    let mut out: BTreeMap<String, Vec<RatingDoc>> = BTreeMap::new();
    for ((goal, _), r) in latest.into_iter().rev() {
        out.entry(goal).or_default().push(RatingDoc {
            year: r.year,
            rating: r.rating.as_str().to_owned(),
            meaning: r.rating.meaning(l.code()).to_owned(),
            reason: r.reason.clone(),
            set_by: (!public || r.user_id.is_none()).then(|| r.set_by.clone()),
            set_at: r.set_at.clone(),
        });
    }
    out
}

/// The dashboard of focus area `focus` of `plan` for `area` (`national`, `county:NN`, …).
/// `public`: the public dashboard's (no user's name).
pub async fn focus_doc(
    state: &AppState,
    plan: &Plan,
    focus: i64,
    area: &str,
    public: bool,
    l: Lang,
) -> Result<FocusDoc, WebError> {
    let f = plan.focus(focus).ok_or_else(WebError::not_found)?;
    let values: Vec<StoredValue> = state.store.results_values(area).await?;
    let ratings = in_force(&state.store.results_ratings(&plan.id).await?, public, l);
    let mut goals = Vec::new();
    let mut reads = super::aggregates::Reads::default();
    for g in plan.goals.iter().filter(|g| g.focus == focus) {
        let mut indicators = Vec::new();
        for def in plan.indicators.iter().filter(|i| i.goal == g.id) {
            let doc = match def.internal {
                Some(internal) => {
                    let points = super::internal::points(state, internal, area, &mut reads).await?;
                    indicator_doc(def, from_points(def.direction, points), None, l)
                }
                None => {
                    let mine: Vec<&StoredValue> = values
                        .iter()
                        .filter(|v| v.value.indicator == def.id)
                        .collect();
                    let pairs: Vec<(i16, f64)> =
                        mine.iter().map(|v| (v.value.year, v.value.value)).collect();
                    let received = mine.last().map(|v| v.received_at.clone());
                    indicator_doc(def, trend(def, &pairs), received, l)
                }
            };
            indicators.push(doc);
        }
        let rs = ratings.get(&g.id).cloned().unwrap_or_default();
        goals.push(GoalDoc {
            id: g.id.clone(),
            text: g.text.clone(),
            source_line: g.source_line,
            followed: !indicators.is_empty(),
            indicators,
            rating: rs.first().cloned(),
            ratings: rs,
            measures: plan
                .measures
                .iter()
                .filter(|m| m.goal == g.id)
                .map(|m| MeasureDoc {
                    text: m.text.clone(),
                    owner: m.owner.clone(),
                    source_line: m.source_line,
                })
                .collect(),
        });
    }
    Ok(FocusDoc {
        plan: plan.id.clone(),
        plan_name: plan.name(l.code()).to_owned(),
        focus,
        focus_name: f.name.clone(),
        focus_kind: plan.focus_kind.clone(),
        goal_kind: plan.goal_kind.clone(),
        area: area.to_owned(),
        goals,
    })
}

/// Sets a rating of `plan` (every field checked; 422 naming each field broken): the row, its
/// event with the user as author and the access entry, in one transaction.
pub async fn rate(
    state: &AppState,
    access: &OrgAccess<RateResults>,
    plan_id: &str,
    input: &RatingInput,
) -> Result<NewRating, WebError> {
    let plan = plan(state, plan_id).await?;
    let rating =
        check(&plan, input, state.clock.today().year()).map_err(WebError::invalid_fields)?;
    let p = &access.principal;
    let entry = access.access(
        state,
        "",
        format!("results:{}:{}:{}", rating.plan, rating.goal, rating.year),
    );
    state
        .store
        .results_rate(
            &rating,
            (p.user.0, &p.username, p.org.0),
            state.clock.now(),
            &entry,
        )
        .await?;
    Ok(rating)
}
