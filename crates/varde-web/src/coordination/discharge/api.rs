//! The discharge notices' JSON API: raise, list (with the stamp to poll), one notice, its
//! steps, the national figures and a municipality's subscribers.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::Router;
use serde::Serialize;
use utoipa::{OpenApi, ToSchema};

use super::docs::{doc, MeetingDoc, NoticeDoc, RaiseBody, StepBody};
use super::ops::{self, NationalDoc, NationalRow};
use super::NoticeAccess;
use crate::api::{ApiJson, Created};
use crate::authz::{
    DischargeWebhooks, OrgAccess, ReadDischarge, SeeDischargeNational, WriteDischarge,
};
use crate::error::{Problem, WebError};
use crate::forms::YearQuery;
use crate::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/coordination/discharge", get(list).post(raise))
        .route("/coordination/discharge/stamp", get(stamp))
        .route("/coordination/discharge/national", get(national))
        .route(
            "/coordination/discharge/webhooks",
            get(hooks).post(register),
        )
        .route("/coordination/discharge/webhooks/{hook}", delete(remove))
        .route("/coordination/discharge/{id}", get(one))
        .route("/coordination/discharge/{id}/{step}", post(step))
}

#[derive(OpenApi)]
#[openapi(
    paths(raise, list, stamp, one, step, national, hooks, register, remove),
    components(schemas(
        RaiseBody,
        StepBody,
        NoticeDoc,
        MeetingDoc,
        ListDoc,
        StampDoc,
        NationalDoc,
        NationalRow,
        HookBody,
        HookCreated,
        HookDoc
    ))
)]
pub(super) struct ApiDoc;

/// The notices addressed to the user's municipality (or raised by the user's unit) and the
/// stamp they are of.
#[derive(Serialize, ToSchema)]
pub struct ListDoc {
    /// Moves with every notice raised or step taken (a municipality's).
    pub stamp: String,
    pub notices: Vec<NoticeDoc>,
}

/// The stamp of the notices addressed to the user's municipality: poll it, and read the list
/// when it moves.
#[derive(Serialize, ToSchema)]
pub struct StampDoc {
    pub stamp: String,
}

/// Raises a discharge notice to the person's municipality (a TSB unit's clinician).
#[utoipa::path(post, path = "/api/v1/coordination/discharge", request_body = RaiseBody,
    responses((status = 201, body = Created), (status = 422, body = Problem), (status = 403, body = Problem)))]
async fn raise(
    State(state): State<AppState>,
    access: OrgAccess<WriteDischarge>,
    ApiJson(body): ApiJson<RaiseBody>,
) -> Result<Response, WebError> {
    let id = ops::raise(&state, &access, body.person, &body.fields()).await?;
    Ok((StatusCode::CREATED, axum::Json(Created { id })).into_response())
}

/// The notices of the user's organisation: addressed to it (a municipality) or raised by it
/// (a unit), newest first; each read logged.
#[utoipa::path(get, path = "/api/v1/coordination/discharge",
    responses((status = 200, body = ListDoc), (status = 403, body = Problem)))]
async fn list(
    State(state): State<AppState>,
    access: OrgAccess<ReadDischarge>,
) -> Result<Response, WebError> {
    let stamp = state.store.discharge_stamp(access.org()).await?;
    let today = state.clock.today();
    let notices = ops::list(&state, &access).await?;
    Ok(axum::Json(ListDoc {
        stamp,
        notices: notices.iter().map(|n| doc(n, today)).collect(),
    })
    .into_response())
}

/// The stamp of the notices addressed to the user's municipality (no personal data).
#[utoipa::path(get, path = "/api/v1/coordination/discharge/stamp",
    responses((status = 200, body = StampDoc), (status = 403, body = Problem)))]
async fn stamp(
    State(state): State<AppState>,
    access: OrgAccess<ReadDischarge>,
) -> Result<Response, WebError> {
    let stamp = state.store.discharge_stamp(access.org()).await?;
    Ok(axum::Json(StampDoc { stamp }).into_response())
}

/// One notice: for the unit that raised it, and the municipality it is addressed to (legal
/// basis, logged). Anyone else: 404, logged.
#[utoipa::path(get, path = "/api/v1/coordination/discharge/{id}", params(("id" = i64, Path)),
    responses((status = 200, body = NoticeDoc), (status = 404, body = Problem)))]
async fn one(
    State(state): State<AppState>,
    access: NoticeAccess<ReadDischarge>,
) -> Result<Response, WebError> {
    let n = ops::read(&state, &access).await?;
    Ok(axum::Json(doc(&n, state.clock.today())).into_response())
}

/// Takes a step: `acknowledge` and `meeting` (the municipality), `meeting`, `ready` and
/// `discharge` (the unit). The notice as it stands after.
#[utoipa::path(post, path = "/api/v1/coordination/discharge/{id}/{step}",
    params(("id" = i64, Path), ("step" = String, Path, description = "acknowledge, meeting, ready or discharge")),
    request_body = StepBody,
    responses((status = 200, body = NoticeDoc), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn step(
    State(state): State<AppState>,
    access: NoticeAccess<ReadDischarge>,
    Path(path): Path<(i64, String)>,
    ApiJson(body): ApiJson<StepBody>,
) -> Result<Response, WebError> {
    ops::step(&state, &access, &path.1, &body.fields()).await?;
    let n = ops::read(&state, &access).await?;
    Ok(axum::Json(doc(&n, state.clock.today())).into_response())
}

/// The national discharge figures of a year (analysts): per municipality the discharges, the
/// mean days waited after discharge-ready, and the discharges with "no home to go to" still
/// flagged; counts of 1–4 `null`.
#[utoipa::path(get, path = "/api/v1/coordination/discharge/national", params(("year" = Option<String>, Query)),
    responses((status = 200, body = NationalDoc), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn national(
    State(state): State<AppState>,
    _access: OrgAccess<SeeDischargeNational>,
    Query(q): Query<YearQuery>,
) -> Result<Response, WebError> {
    let year = q
        .year(state.clock.today())
        .map_err(|e| WebError::invalid_fields(vec![e]))?;
    Ok(axum::Json(ops::national(&state, year).await?).into_response())
}

/// A subscriber to register.
#[derive(serde::Deserialize, ToSchema)]
pub struct HookBody {
    /// Where to POST (`http://` or `https://`, not this server).
    pub url: String,
}

/// A subscriber registered: its secret, shown this once (`whsec_…`: verifies
/// `webhook-signature`, Standard Webhooks).
#[derive(Serialize, ToSchema)]
pub struct HookCreated {
    pub id: i64,
    pub secret: String,
}

/// A subscriber.
#[derive(Serialize, ToSchema)]
pub struct HookDoc {
    pub id: i64,
    pub url: String,
    pub active: bool,
    pub failing: bool,
}

/// The subscribers of the user's municipality (its org-admin).
#[utoipa::path(get, path = "/api/v1/coordination/discharge/webhooks",
    responses((status = 200, body = Vec<HookDoc>), (status = 403, body = Problem)))]
async fn hooks(
    State(state): State<AppState>,
    access: OrgAccess<DischargeWebhooks>,
) -> Result<Response, WebError> {
    let hooks = state.store.discharge_webhooks(access.org()).await?;
    let docs: Vec<HookDoc> = hooks
        .into_iter()
        .map(|h| HookDoc {
            id: h.id,
            url: h.url,
            active: h.active,
            failing: h.failing,
        })
        .collect();
    Ok(axum::Json(docs).into_response())
}

/// Registers a subscriber of the user's municipality for its notices: each notice raised and
/// each step is POSTed to it, signed (Standard Webhooks), naming the notice, never the person.
#[utoipa::path(post, path = "/api/v1/coordination/discharge/webhooks", request_body = HookBody,
    responses((status = 201, body = HookCreated), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn register(
    State(state): State<AppState>,
    access: OrgAccess<DischargeWebhooks>,
    ApiJson(body): ApiJson<HookBody>,
) -> Result<Response, WebError> {
    let (id, secret) = ops::register_webhook(&state, &access, &body.url).await?;
    Ok((StatusCode::CREATED, axum::Json(HookCreated { id, secret })).into_response())
}

/// Removes a subscriber of the user's municipality (its pending deliveries are given up).
#[utoipa::path(delete, path = "/api/v1/coordination/discharge/webhooks/{hook}", params(("hook" = i64, Path)),
    responses((status = 204), (status = 404, body = Problem)))]
async fn remove(
    State(state): State<AppState>,
    access: OrgAccess<DischargeWebhooks>,
    Path(hook): Path<i64>,
) -> Result<Response, WebError> {
    if !state
        .store
        .discharge_webhook_deactivate(access.org(), hook)
        .await?
    {
        return Err(WebError::not_found());
    }
    access
        .log(&state, format!("coordination_discharge_webhook:{hook}"))
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
