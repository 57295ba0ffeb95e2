//! The JSON API of relatives' agreements and children as relatives under
//! `/api/v1/coordination/plans/{id}/…`, and the children figures
//! (`GET /api/v1/coordination/figures/children`). Refusals are problem documents naming the
//! field and the rule; another organisation's plan without consent is the 404 of no plan.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use varde_core::coordination::children::{self, ChildrenFigure, ChildrenInput};
use varde_core::coordination::relatives::AgreementInput;

use super::relatives;
use crate::api::{json, ApiJson, Created};
use crate::auth::CurrentUser;
use crate::authz::{OrgAccess, SeeCoordinationFigures};
use crate::error::{Problem, WebError};
use crate::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/coordination/plans/{id}/relatives", get(list).post(add))
        .route(
            "/coordination/plans/{id}/relatives/{agreement}/end",
            post(end),
        )
        .route(
            "/coordination/plans/{id}/relatives/{agreement}/group",
            post(group),
        )
        .route("/coordination/plans/{id}/children", post(add_children))
        .route("/coordination/figures/children", get(figures))
}

/// An agreement with a relative.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct AgreementBody {
    pub name: String,
    pub contact: String,
    /// `partner`, `parent`, `child`, `sibling`, `other_family`, `friend` or `other`.
    pub relation: String,
    /// What may be shared: `plan`, `discharge_notice`, `overdose_notice`, `pathway_status`
    /// (at least one; there is no "everything").
    pub scopes: Vec<String>,
    /// How the person consented: `written` or `oral`.
    pub consent_how: String,
    /// The day the person consented (default today; not in the future).
    pub consent_on: String,
    /// The review date (required, not in the past).
    pub review_on: String,
}

/// Children as relatives (helsepersonelloven § 10 a).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct ChildrenBody {
    /// How many minor children (0: none).
    pub count: Option<u32>,
    /// Their ages (optional, each 0–17).
    pub ages: Vec<u8>,
    pub talked: bool,
    pub followed_up: bool,
    /// `other_parent`, `child_welfare`, `school_nurse`, `other`.
    pub with: Vec<String>,
    /// The day (default today; not in the future).
    pub on: String,
}

/// An ending: `ended` or `withdrawn`, with an optional reason.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct EndBody {
    pub ending: String,
    pub reason: String,
}

/// A plan's agreements with relatives and its children-as-relatives records, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct RelativesDoc {
    pub plan: i64,
    #[schema(value_type = Object)]
    pub agreements: serde_json::Value,
    #[schema(value_type = Object)]
    pub children: serde_json::Value,
}

#[utoipa::path(get, path = "/api/v1/coordination/plans/{id}/relatives",
    responses((status = 200, body = RelativesDoc), (status = 404, body = Problem), (status = 403, body = Problem)))]
async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let (_, agreements, records) = relatives::read(&state, &user.principal, id).await?;
    let doc = RelativesDoc {
        plan: id,
        agreements: serde_json::to_value(&agreements).unwrap_or_default(),
        children: serde_json::to_value(&records).unwrap_or_default(),
    };
    Ok(json(StatusCode::OK, &doc))
}

#[utoipa::path(post, path = "/api/v1/coordination/plans/{id}/relatives", request_body = AgreementBody,
    responses((status = 201, body = Created), (status = 422, body = Problem), (status = 404, body = Problem)))]
async fn add(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<AgreementBody>,
) -> Result<Response, WebError> {
    let input = AgreementInput {
        name: b.name,
        contact: b.contact,
        relation: b.relation,
        scopes: b.scopes,
        consent_how: b.consent_how,
        consent_on: b.consent_on,
        review_on: b.review_on,
    };
    let id = relatives::add(&state, &user.principal, id, &input).await?;
    Ok(json(StatusCode::CREATED, &Created { id }))
}

#[utoipa::path(post, path = "/api/v1/coordination/plans/{id}/relatives/{agreement}/end", request_body = EndBody,
    responses((status = 204), (status = 409, body = Problem), (status = 422, body = Problem), (status = 404, body = Problem)))]
async fn end(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, agreement)): Path<(i64, i64)>,
    ApiJson(b): ApiJson<EndBody>,
) -> Result<Response, WebError> {
    relatives::end(&state, &user.principal, id, agreement, &b.ending, &b.reason).await?;
    Ok(axum::response::IntoResponse::into_response(
        StatusCode::NO_CONTENT,
    ))
}

#[utoipa::path(post, path = "/api/v1/coordination/plans/{id}/relatives/{agreement}/group",
    responses((status = 201, body = Created), (status = 409, body = Problem), (status = 404, body = Problem)))]
async fn group(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, agreement)): Path<(i64, i64)>,
) -> Result<Response, WebError> {
    let member = relatives::to_group(&state, &user.principal, id, agreement).await?;
    Ok(json(StatusCode::CREATED, &Created { id: member }))
}

#[utoipa::path(post, path = "/api/v1/coordination/plans/{id}/children", request_body = ChildrenBody,
    responses((status = 201, body = Created), (status = 422, body = Problem), (status = 404, body = Problem)))]
async fn add_children(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<ChildrenBody>,
) -> Result<Response, WebError> {
    let yes = |b: bool| if b { "yes" } else { "" }.to_owned();
    let input = ChildrenInput {
        count: b.count.map(|n| n.to_string()).unwrap_or_default(),
        ages: b
            .ages
            .iter()
            .map(|a| a.to_string())
            .collect::<Vec<_>>()
            .join(","),
        talked: yes(b.talked),
        followed_up: yes(b.followed_up),
        with: b.with,
        on: b.on,
    };
    let id = relatives::add_children(&state, &user.principal, id, &input).await?;
    Ok(json(StatusCode::CREATED, &Created { id }))
}

/// The unit's children figures (small counts hidden).
pub async fn figures_of(
    state: &AppState,
    access: &OrgAccess<SeeCoordinationFigures>,
) -> Result<Vec<ChildrenFigure>, WebError> {
    let facts = state
        .store
        .coordination_children_facts(access.org())
        .await?;
    Ok(children::figures(&facts))
}

/// Of the people with a plan in the organisation who have minor children, the share whose
/// children's needs were talked about (`talked`) and followed up (`followed_up`), by each
/// plan's latest record; `count`, `total` and `share` null where hidden (counts of 1–4).
#[utoipa::path(get, path = "/api/v1/coordination/figures/children",
    responses((status = 200, description = "the two figures"), (status = 403, body = Problem)))]
async fn figures(
    State(state): State<AppState>,
    access: OrgAccess<SeeCoordinationFigures>,
) -> Result<Response, WebError> {
    Ok(json(StatusCode::OK, &figures_of(&state, &access).await?))
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(list, add, end, group, add_children, figures),
    components(schemas(AgreementBody, ChildrenBody, EndBody, RelativesDoc))
)]
pub(super) struct ApiDoc;
