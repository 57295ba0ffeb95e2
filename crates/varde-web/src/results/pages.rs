//! The analysts' pages: `/results` (the plans and their focus areas), `/results/{plan}/{focus}`
//! (the dashboard: goals, each indicator's trend with its table, latest value and date,
//! direction against the goal, the rating; `?area=` chooses the area; printable), its tables as
//! CSV (`/results/{plan}/{focus}/table.csv?table=`), and the rating form
//! `/results/{plan}/rate?goal=` (whoever may rate). Each calls the operation the API calls.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use serde::Deserialize;
use varde_core::authz::{decide, Action, Subject};
use varde_core::results::plans::Plan;
use varde_core::results::ratings::RatingInput;
use varde_core::results::values::any_area;
use varde_core::results::Rating;

use super::ops::{self, GoalDoc};
use super::view::{self, GoalView, TableQuery};
use crate::authz::{OrgAccess, RateResults, ReadResults};
use crate::error::WebError;
use crate::forms::{finish, render, CsrfForm, FormError, PageResult};
use crate::shell::{Chrome, Page};
use crate::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/results", get(index))
        .route("/results/{plan}/rate", get(rate_page).post(rate_submit))
        .route("/results/{plan}/{focus}", get(focus))
        .route("/results/{plan}/{focus}/table.csv", get(table))
}

#[derive(Template)]
#[template(path = "results/index.html")]
struct IndexT {
    c: Chrome,
    plans: Vec<Plan>,
    prefix: &'static str,
    may_import: bool,
}

/// `GET /results`.
async fn index(
    State(state): State<AppState>,
    page: Page,
    access: OrgAccess<ReadResults>,
) -> PageResult {
    let p = &access.principal;
    let may_import = decide(p, Action::ResultsImport, &Subject::of_org(p.org), None).allowed;
    render(&IndexT {
        plans: ops::plans(&state).await?,
        prefix: "/results",
        may_import,
        c: page.c,
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct AreaQuery {
    area: String,
    rated: String,
}

#[derive(Template)]
#[template(path = "results/focus.html")]
struct FocusT {
    c: Chrome,
    doc: ops::FocusDoc,
    goals: Vec<GoalView>,
    public: bool,
    prefix: &'static str,
    area: String,
    area_error: FormError,
    may_rate: bool,
    rated: String,
}

fn focus_no(v: &str) -> Result<i64, WebError> {
    v.parse().map_err(|_| WebError::not_found())
}

/// The area of `?area=` (`national` when empty).
fn area_of(v: &str) -> Result<String, WebError> {
    if v.trim().is_empty() {
        Ok("national".to_owned())
    } else {
        Ok(any_area("area", v)?)
    }
}

/// `GET /results/{plan}/{focus}[?area=]`.
async fn focus(
    State(state): State<AppState>,
    page: Page,
    access: OrgAccess<ReadResults>,
    Path((plan_id, f)): Path<(String, String)>,
    Query(q): Query<AreaQuery>,
) -> PageResult {
    let l = page.c.l;
    let plan = ops::plan(&state, &plan_id).await?;
    let no = focus_no(&f)?;
    let (area, area_error) = match area_of(&q.area) {
        Ok(a) => (a, FormError::default()),
        Err(e) => ("national".to_owned(), FormError::new(&e, l)),
    };
    let doc = ops::focus_doc(&state, &plan, no, &area, false, l).await?;
    access
        .log(&state, format!("results:{}:{no}:{area}", plan.id))
        .await?;
    let p = &access.principal;
    let may_rate = decide(p, Action::ResultsRate, &Subject::of_org(p.org), None).allowed;
    render(&FocusT {
        goals: view::goals(&doc, l),
        doc,
        public: false,
        prefix: "/results",
        area: if area_error.message.is_some() {
            q.area
        } else {
            area
        },
        area_error,
        may_rate,
        rated: q.rated,
        c: page.c,
    })
}

/// `GET /results/{plan}/{focus}/table.csv?table=goals|indicators|indicator[&id=][&area=]`.
async fn table(
    State(state): State<AppState>,
    page: Page,
    access: OrgAccess<ReadResults>,
    Path((plan_id, f)): Path<(String, String)>,
    Query(q): Query<TableQuery>,
) -> Result<Response, WebError> {
    let plan = ops::plan(&state, &plan_id).await?;
    let no = focus_no(&f)?;
    let area = area_of(&q.area)?;
    let doc = ops::focus_doc(&state, &plan, no, &area, false, page.c.l).await?;
    access
        .log(&state, format!("results:{}:{no}:{area}", plan.id))
        .await?;
    view::table_csv(&doc, &q, page.c.l)
}

#[derive(Template)]
#[template(path = "results/rate.html")]
struct RateT {
    c: Chrome,
    plan: Plan,
    goal: Option<GoalDoc>,
    years: Vec<i16>,
    ratings: Vec<(&'static str, &'static str)>,
    form: RatingInput,
    error: FormError,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct GoalQuery {
    goal: String,
}

async fn rate_view(
    state: &AppState,
    c: Chrome,
    plan: Plan,
    form: RatingInput,
    error: FormError,
) -> PageResult {
    let l = c.l;
    let this = state.clock.today().year();
    let goal = match plan.goal(form.goal.trim()) {
        Some(g) => ops::focus_doc(state, &plan, g.focus, "national", false, l)
            .await?
            .goals
            .into_iter()
            .find(|d| d.id == g.id),
        None => None,
    };
    let years = (plan.first_year..=plan.last_year.min(this)).rev().collect();
    render(&RateT {
        ratings: Rating::ALL
            .iter()
            .map(|r| (r.as_str(), r.meaning(l.code())))
            .collect(),
        years,
        goal,
        plan,
        form,
        error,
        c,
    })
}

/// `GET /results/{plan}/rate?goal=`: the form.
async fn rate_page(
    State(state): State<AppState>,
    page: Page,
    _access: OrgAccess<RateResults>,
    Path(plan_id): Path<String>,
    Query(q): Query<GoalQuery>,
) -> PageResult {
    let plan = ops::plan(&state, &plan_id).await?;
    if plan.goal(&q.goal).is_none() {
        return Err(WebError::not_found());
    }
    let form = RatingInput {
        goal: q.goal,
        ..RatingInput::default()
    };
    rate_view(&state, page.c, plan, form, FormError::default()).await
}

/// `POST /results/{plan}/rate`: sets the rating; back to the goal on its focus area's page.
async fn rate_submit(
    State(state): State<AppState>,
    page: Page,
    access: OrgAccess<RateResults>,
    Path(plan_id): Path<String>,
    CsrfForm(form): CsrfForm<RatingInput>,
) -> PageResult {
    let plan = ops::plan(&state, &plan_id).await?;
    let result = ops::rate(&state, &access, &plan_id, &form).await;
    let l = page.c.l;
    let focus_of = |goal: &str| plan.goal(goal).map_or(0, |g| g.focus);
    let to_focus = result.as_ref().map(|r| focus_of(&r.goal)).unwrap_or(0);
    finish(
        result,
        |r| {
            format!(
                "/results/{}/{to_focus}?rated={}#goal-{}",
                r.plan, r.goal, r.goal
            )
        },
        |e| rate_view(&state, page.c, plan.clone(), form, FormError::new(&e, l)),
    )
    .await
}
