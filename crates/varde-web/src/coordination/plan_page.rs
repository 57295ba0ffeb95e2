//! The plan's page (`/coordination/plans/{id}`): the person's goals with their measures and
//! evaluations, the coordinator and status, the responsibility group and its meetings; for a
//! user who may write, the forms that add to it. Read through `PlanAccess` (another
//! organisation's plan with consent or legal basis, named in the access log; otherwise the
//! page of no plan).

use askama::Template;
use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::Router;
use varde_core::authz::{decide, Action};
use varde_core::coordination::plan::{EvaluationInput, MeasureInput, MeetingInput, MemberInput};
use varde_store::{StoredEvaluation, StoredMeasure, StoredPlan};

use super::access::{subject_of, PlanAccess};
use super::ops::{self, Change};
use super::person_page::Typed;
use crate::authz::ReadPlans;
use crate::forms::{finish, render, CsrfForm, FormError, PageResult};
use crate::shell::{Chrome, Page};
use crate::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/coordination/plans/{id}", get(show))
        .route("/coordination/plans/{id}/goals", post(goal))
        .route("/coordination/plans/{id}/measures", post(measure))
        .route(
            "/coordination/plans/{id}/measures/{measure}/evaluations",
            post(evaluation),
        )
        .route("/coordination/plans/{id}/members", post(member))
        .route("/coordination/plans/{id}/meetings", post(meeting))
        .route(
            "/coordination/plans/{id}/meetings/{meeting}/minutes",
            post(minutes),
        )
        .route("/coordination/plans/{id}/settings", post(settings))
}

#[derive(Template)]
#[template(path = "coordination/plan.html")]
struct PlanT {
    c: Chrome,
    p: StoredPlan,
    may_write: bool,
    own: bool,
    today: String,
    /// The group's organisations (a measure's owner is one of them).
    orgs: Vec<(i64, String)>,
    failed: String,
    error: FormError,
    form: Typed,
}

impl PlanT {
    fn measures_of(&self, goal: &i64) -> Vec<&StoredMeasure> {
        self.p
            .measures
            .iter()
            .filter(|m| m.goal_id == *goal)
            .collect()
    }
    fn evaluations_of(&self, measure: &i64) -> Vec<&StoredEvaluation> {
        self.p
            .evaluations
            .iter()
            .filter(|e| e.measure_id == *measure)
            .collect()
    }
    fn member_name(&self, id: &i64) -> String {
        self.p
            .members
            .iter()
            .find(|m| m.id == *id)
            .map(|m| m.name.clone().unwrap_or_else(|| m.role.clone()))
            .unwrap_or_default()
    }
    fn failed_is(&self, form: &str) -> bool {
        self.failed == form
    }
}

async fn page_with(
    state: &AppState,
    page: Page,
    id: i64,
    failed: &str,
    error: FormError,
    form: Typed,
) -> PageResult {
    let principal = page.user.principal.clone();
    let access = PlanAccess::<ReadPlans>::decide(state, principal.clone(), id, None).await?;
    let p = state
        .store
        .coordination_plan(id, Some(&access.access))
        .await?;
    let subject = subject_of(state, &principal, &p.plan, Action::CoordinationWrite).await?;
    let may_write = decide(&principal, Action::CoordinationWrite, &subject, None).allowed;
    let mut orgs = Vec::new();
    for o in ops::group_orgs(&p) {
        let name = state.store.org(varde_core::org::OrgId(o)).await?.name;
        orgs.push((o, name));
    }
    render(&PlanT {
        c: page.c,
        own: p.plan.org_id == principal.org,
        p,
        may_write,
        today: state.clock.today().to_string(),
        orgs,
        failed: failed.to_owned(),
        error,
        form,
    })
}

async fn show(State(state): State<AppState>, page: Page, Path(id): Path<i64>) -> PageResult {
    page_with(&state, page, id, "", FormError::default(), Typed::default()).await
}

/// Writes `change` from form `name` and goes back to the plan (at `#name`), or shows the plan
/// with the refusal beside the form and what was typed.
async fn submit(
    state: AppState,
    page: Page,
    id: i64,
    name: &'static str,
    change: Change,
    typed: Typed,
) -> PageResult {
    let r = ops::write(&state, &page.user.principal, id, change).await;
    let l = page.c.l;
    finish(
        r,
        |_| format!("/coordination/plans/{id}#{name}"),
        |e| page_with(&state, page, id, name, FormError::new(&e, l), typed),
    )
    .await
}

async fn goal(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<Typed>,
) -> PageResult {
    let change = Change::Goal(f.v("text").to_owned());
    submit(state, page, id, "goals", change, f).await
}

async fn measure(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<Typed>,
) -> PageResult {
    let m = MeasureInput {
        goal: f.v("goal").to_owned(),
        text: f.v("text").to_owned(),
        owner_org: f.v("owner_org").to_owned(),
        owner_name: f.v("owner_name").to_owned(),
        start: f.v("start").to_owned(),
        evaluate_on: f.v("evaluate_on").to_owned(),
        meeting: f.v("meeting").to_owned(),
    };
    submit(state, page, id, "measures", Change::Measure(m), f).await
}

async fn evaluation(
    State(state): State<AppState>,
    page: Page,
    Path((id, measure)): Path<(i64, i64)>,
    CsrfForm(f): CsrfForm<Typed>,
) -> PageResult {
    let e = EvaluationInput {
        on: f.v("on").to_owned(),
        note: f.v("note").to_owned(),
        next: f.v("next").to_owned(),
    };
    submit(
        state,
        page,
        id,
        "evaluations",
        Change::Evaluation(measure, e),
        f,
    )
    .await
}

async fn member(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<Typed>,
) -> PageResult {
    let m = MemberInput {
        kind: f.v("kind").to_owned(),
        username: f.v("username").to_owned(),
        name: f.v("name").to_owned(),
        role: f.v("role").to_owned(),
    };
    submit(state, page, id, "group", Change::Member(m), f).await
}

async fn meeting(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<Typed>,
) -> PageResult {
    let attendance = f
        .all("attendance")
        .iter()
        .filter_map(|a| a.parse::<i64>().ok())
        .collect();
    let m = MeetingInput {
        held_on: f.v("held_on").to_owned(),
        attendance,
        minutes: f.v("minutes").to_owned(),
    };
    submit(state, page, id, "meetings", Change::Meeting(m), f).await
}

async fn minutes(
    State(state): State<AppState>,
    page: Page,
    Path((id, meeting)): Path<(i64, i64)>,
    CsrfForm(f): CsrfForm<Typed>,
) -> PageResult {
    let change = Change::Minutes(meeting, f.v("minutes").to_owned());
    submit(state, page, id, "meetings", change, f).await
}

async fn settings(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<Typed>,
) -> PageResult {
    let change = Change::Settings {
        coordinator: f.v("coordinator").to_owned(),
        status: f.v("status").to_owned(),
    };
    submit(state, page, id, "settings", change, f).await
}
