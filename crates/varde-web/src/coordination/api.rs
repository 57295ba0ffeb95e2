//! The JSON API of plans and consents under `/api/v1/coordination/…` (the worklist and figures
//! are in `worklist.rs`). Refusals are problem documents naming the field and the rule.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post, put};
use axum::Router;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use varde_core::coordination::consent::ConsentInput;
use varde_core::coordination::plan::{EvaluationInput, MeasureInput, MeetingInput, MemberInput};

use super::access::PlanAccess;
use super::ops::{self, Change};
use crate::api::{json, ApiJson, Created};
use crate::auth::CurrentUser;
use crate::authz::ReadPlans;
use crate::error::{Problem, WebError};
use crate::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/coordination/plans", post(create_plan))
        .route("/coordination/plans/{id}", get(read_plan))
        .route("/coordination/plans/{id}/goals", post(add_goal))
        .route("/coordination/plans/{id}/measures", post(add_measure))
        .route(
            "/coordination/plans/{id}/measures/{measure}/evaluations",
            post(evaluate),
        )
        .route("/coordination/plans/{id}/members", post(add_member))
        .route("/coordination/plans/{id}/meetings", post(add_meeting))
        .route(
            "/coordination/plans/{id}/meetings/{meeting}/minutes",
            post(add_minutes),
        )
        .route("/coordination/plans/{id}/settings", put(settings))
        .route("/coordination/consents", post(give_consent))
        .route("/coordination/consents/{id}/withdraw", post(withdraw))
        .route("/coordination/persons/{id}", get(person))
        .route("/coordination/persons/{id}/overview", get(overview))
}

fn id_text(v: Option<i64>) -> String {
    v.map(|n| n.to_string()).unwrap_or_default()
}

/// A new plan for a person of the user's organisation.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct PlanBody {
    pub person_id: i64,
    /// The responsible coordinator's username (a user of the organisation); empty: none yet.
    pub coordinator: String,
    /// `draft` (default), `active` or `closed`.
    pub status: String,
}

#[utoipa::path(post, path = "/api/v1/coordination/plans", request_body = PlanBody,
    responses((status = 201, body = Created), (status = 422, body = Problem), (status = 403, body = Problem)))]
async fn create_plan(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(b): ApiJson<PlanBody>,
) -> Result<Response, WebError> {
    let id = ops::create_plan(
        &state,
        &user.principal,
        b.person_id,
        &b.coordinator,
        &b.status,
    )
    .await?;
    Ok(json(StatusCode::CREATED, &Created { id }))
}

/// A plan as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlanDoc {
    pub id: i64,
    pub org: String,
    pub person: String,
    pub coordinator: Option<String>,
    pub status: String,
    pub created_on: String,
    #[schema(value_type = Object)]
    pub goals: serde_json::Value,
    #[schema(value_type = Object)]
    pub measures: serde_json::Value,
    #[schema(value_type = Object)]
    pub evaluations: serde_json::Value,
    #[schema(value_type = Object)]
    pub members: serde_json::Value,
    #[schema(value_type = Object)]
    pub meetings: serde_json::Value,
}

pub fn plan_doc(p: &varde_store::StoredPlan) -> PlanDoc {
    let v = |x: serde_json::Result<serde_json::Value>| x.unwrap_or_default();
    PlanDoc {
        id: p.plan.id,
        org: p.plan.org_name.clone(),
        person: p.person_name.clone(),
        coordinator: p.coordinator.clone(),
        status: p.plan.status.clone(),
        created_on: p.created_on.clone(),
        goals: v(serde_json::to_value(&p.goals)),
        measures: v(serde_json::to_value(&p.measures)),
        evaluations: v(serde_json::to_value(&p.evaluations)),
        members: v(serde_json::to_value(&p.members)),
        meetings: v(serde_json::to_value(&p.meetings)),
    }
}

/// A plan: the own organisation's, or another's with the person's consent in force (scope
/// `plan`) or as its coordinator; otherwise 404, the same as no plan.
#[utoipa::path(get, path = "/api/v1/coordination/plans/{id}",
    responses((status = 200, body = PlanDoc), (status = 404, body = Problem), (status = 403, body = Problem)))]
async fn read_plan(
    State(state): State<AppState>,
    access: PlanAccess<ReadPlans>,
) -> Result<Response, WebError> {
    let p = state
        .store
        .coordination_plan(access.id(), Some(&access.access))
        .await?;
    Ok(json(StatusCode::OK, &plan_doc(&p)))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct GoalBody {
    pub text: String,
}

#[utoipa::path(post, path = "/api/v1/coordination/plans/{id}/goals", request_body = GoalBody,
    responses((status = 201, body = Created), (status = 422, body = Problem), (status = 404, body = Problem)))]
async fn add_goal(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<GoalBody>,
) -> Result<Response, WebError> {
    let row = ops::write(&state, &user.principal, id, Change::Goal(b.text)).await?;
    Ok(json(StatusCode::CREATED, &Created { id: row }))
}

/// A measure towards a goal: owner organisation (of the group) and person, start and
/// evaluation date (required, not before the start), and the meeting that decided it.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct MeasureBody {
    pub goal: Option<i64>,
    pub text: String,
    pub owner_org: Option<i64>,
    pub owner_name: String,
    pub start: String,
    pub evaluate_on: String,
    pub meeting: Option<i64>,
}

#[utoipa::path(post, path = "/api/v1/coordination/plans/{id}/measures", request_body = MeasureBody,
    responses((status = 201, body = Created), (status = 422, body = Problem), (status = 404, body = Problem)))]
async fn add_measure(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<MeasureBody>,
) -> Result<Response, WebError> {
    let m = MeasureInput {
        goal: id_text(b.goal),
        text: b.text,
        owner_org: id_text(b.owner_org),
        owner_name: b.owner_name,
        start: b.start,
        evaluate_on: b.evaluate_on,
        meeting: id_text(b.meeting),
    };
    let row = ops::write(&state, &user.principal, id, Change::Measure(m)).await?;
    Ok(json(StatusCode::CREATED, &Created { id: row }))
}

/// What happened, on which day, and the next evaluation date.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct EvaluationBody {
    pub on: String,
    pub note: String,
    pub next: String,
}

#[utoipa::path(post, path = "/api/v1/coordination/plans/{id}/measures/{measure}/evaluations", request_body = EvaluationBody,
    responses((status = 201, body = Created), (status = 422, body = Problem), (status = 404, body = Problem)))]
async fn evaluate(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, measure)): Path<(i64, i64)>,
    ApiJson(b): ApiJson<EvaluationBody>,
) -> Result<Response, WebError> {
    let e = EvaluationInput {
        on: b.on,
        note: b.note,
        next: b.next,
    };
    let row = ops::write(&state, &user.principal, id, Change::Evaluation(measure, e)).await?;
    Ok(json(StatusCode::CREATED, &Created { id: row }))
}

/// A member of the responsibility group: `user` (by username), `external` or `relative` (by
/// name), or `person`; each with a role.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct MemberBody {
    pub kind: String,
    pub username: String,
    pub name: String,
    pub role: String,
}

#[utoipa::path(post, path = "/api/v1/coordination/plans/{id}/members", request_body = MemberBody,
    responses((status = 201, body = Created), (status = 422, body = Problem), (status = 404, body = Problem)))]
async fn add_member(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<MemberBody>,
) -> Result<Response, WebError> {
    let m = MemberInput {
        kind: b.kind,
        username: b.username,
        name: b.name,
        role: b.role,
    };
    let row = ops::write(&state, &user.principal, id, Change::Member(m)).await?;
    Ok(json(StatusCode::CREATED, &Created { id: row }))
}

/// A meeting held: its day, the members present (ids), and the minutes (or later).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct MeetingBody {
    pub held_on: String,
    pub attendance: Vec<i64>,
    pub minutes: String,
}

#[utoipa::path(post, path = "/api/v1/coordination/plans/{id}/meetings", request_body = MeetingBody,
    responses((status = 201, body = Created), (status = 422, body = Problem), (status = 404, body = Problem)))]
async fn add_meeting(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<MeetingBody>,
) -> Result<Response, WebError> {
    let m = MeetingInput {
        held_on: b.held_on,
        attendance: b.attendance,
        minutes: b.minutes,
    };
    let row = ops::write(&state, &user.principal, id, Change::Meeting(m)).await?;
    Ok(json(StatusCode::CREATED, &Created { id: row }))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct MinutesBody {
    pub minutes: String,
}

#[utoipa::path(post, path = "/api/v1/coordination/plans/{id}/meetings/{meeting}/minutes", request_body = MinutesBody,
    responses((status = 200, body = Created), (status = 422, body = Problem), (status = 409, body = Problem), (status = 404, body = Problem)))]
async fn add_minutes(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, meeting)): Path<(i64, i64)>,
    ApiJson(b): ApiJson<MinutesBody>,
) -> Result<Response, WebError> {
    let row = ops::write(
        &state,
        &user.principal,
        id,
        Change::Minutes(meeting, b.minutes),
    )
    .await?;
    Ok(json(StatusCode::OK, &Created { id: row }))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct SettingsBody {
    /// The responsible coordinator's username; empty: none.
    pub coordinator: String,
    pub status: String,
}

#[utoipa::path(put, path = "/api/v1/coordination/plans/{id}/settings", request_body = SettingsBody,
    responses((status = 200, body = Created), (status = 422, body = Problem), (status = 404, body = Problem)))]
async fn settings(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<SettingsBody>,
) -> Result<Response, WebError> {
    let change = Change::Settings {
        coordinator: b.coordinator,
        status: b.status,
    };
    let row = ops::write(&state, &user.principal, id, change).await?;
    Ok(json(StatusCode::OK, &Created { id: row }))
}

/// A consent the person gave: scope (`plan`, `discharge_notice`, `overdose_notice`,
/// `pathway_status`), grantee (an organisation or a plan's responsibility group), purpose,
/// first and last day (required), and how (`written` or `oral`).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct ConsentBody {
    pub person_id: i64,
    pub scope: String,
    pub grantee_org: Option<i64>,
    pub grantee_group: Option<i64>,
    pub purpose: String,
    pub valid_from: String,
    pub valid_until: String,
    pub given_how: String,
}

pub fn consent_input(b: &ConsentBody) -> ConsentInput {
    ConsentInput {
        scope: b.scope.clone(),
        grantee_org: id_text(b.grantee_org),
        grantee_group: id_text(b.grantee_group),
        purpose: b.purpose.clone(),
        valid_from: b.valid_from.clone(),
        valid_until: b.valid_until.clone(),
        given_how: b.given_how.clone(),
    }
}

#[utoipa::path(post, path = "/api/v1/coordination/consents", request_body = ConsentBody,
    responses((status = 201, body = Created), (status = 422, body = Problem), (status = 403, body = Problem)))]
async fn give_consent(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(b): ApiJson<ConsentBody>,
) -> Result<Response, WebError> {
    let id = ops::record_consent(&state, &user.principal, b.person_id, &consent_input(&b)).await?;
    Ok(json(StatusCode::CREATED, &Created { id }))
}

/// Withdraws a consent from this instant: the next read that needed it is denied.
#[utoipa::path(post, path = "/api/v1/coordination/consents/{id}/withdraw",
    responses((status = 204), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn withdraw(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    ops::withdraw_consent(&state, &user.principal, id).await?;
    Ok(axum::response::IntoResponse::into_response(
        StatusCode::NO_CONTENT,
    ))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PlanLink {
    pub id: i64,
    pub org: String,
    pub status: String,
}

/// A person of the user's organisation: the plans the user may see, and the consents.
#[derive(Debug, Serialize, ToSchema)]
pub struct PersonDoc {
    pub person_id: i64,
    pub plans: Vec<PlanLink>,
    #[schema(value_type = Object)]
    pub consents: serde_json::Value,
}

#[utoipa::path(get, path = "/api/v1/coordination/persons/{id}",
    responses((status = 200, body = PersonDoc), (status = 404, body = Problem), (status = 403, body = Problem)))]
async fn person(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let v = ops::person_view(&state, &user.principal, id).await?;
    Ok(json(
        StatusCode::OK,
        &PersonDoc {
            person_id: v.person.id,
            plans: v
                .plans
                .iter()
                .map(|p| PlanLink {
                    id: p.id,
                    org: p.org_name.clone(),
                    status: p.status.clone(),
                })
                .collect(),
            consents: serde_json::to_value(&v.consents).unwrap_or_default(),
        },
    ))
}

/// What the person is shown: the consents in force and every organisation that read the data
/// the user's organisation holds on them.
#[derive(Debug, Serialize, ToSchema)]
pub struct OverviewDoc {
    #[schema(value_type = Object)]
    pub consents_in_force: serde_json::Value,
    #[schema(value_type = Object)]
    pub readers: serde_json::Value,
}

#[utoipa::path(get, path = "/api/v1/coordination/persons/{id}/overview",
    responses((status = 200, body = OverviewDoc), (status = 404, body = Problem), (status = 403, body = Problem)))]
async fn overview(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let o = ops::overview(&state, &user.principal, id).await?;
    Ok(json(
        StatusCode::OK,
        &OverviewDoc {
            consents_in_force: serde_json::to_value(&o.in_force).unwrap_or_default(),
            readers: serde_json::to_value(&o.readers).unwrap_or_default(),
        },
    ))
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        create_plan,
        read_plan,
        add_goal,
        add_measure,
        evaluate,
        add_member,
        add_meeting,
        add_minutes,
        settings,
        give_consent,
        withdraw,
        person,
        overview
    ),
    components(schemas(
        PlanBody,
        PlanDoc,
        GoalBody,
        MeasureBody,
        EvaluationBody,
        MemberBody,
        MeetingBody,
        MinutesBody,
        SettingsBody,
        ConsentBody,
        PersonDoc,
        PlanLink,
        OverviewDoc
    ))
)]
pub(super) struct ApiDoc;
