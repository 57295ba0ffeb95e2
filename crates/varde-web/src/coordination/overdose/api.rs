//! The overdose notices' JSON API: register, list (with the stamp to poll), one notice, its
//! steps (attempt, close).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::Serialize;
use utoipa::{OpenApi, ToSchema};

use super::access::OverdoseAccess;
use super::ops::{self, doc, AttemptDoc, OverdoseDoc, RegisterBody, StepBody};
use crate::api::{ApiJson, Created};
use crate::authz::{OrgAccess, ReadOverdose, RegisterOverdose};
use crate::error::{Problem, WebError};
use crate::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/coordination/overdose", get(list).post(register))
        .route("/coordination/overdose/stamp", get(stamp))
        .route("/coordination/overdose/{id}", get(one))
        .route("/coordination/overdose/{id}/{step}", post(step))
}

#[derive(OpenApi)]
#[openapi(
    paths(register, list, stamp, one, step, super::national::api),
    components(schemas(
        super::national::OverdoseNationalDoc,
        super::national::OverdoseNationalRow,
        RegisterBody,
        StepBody,
        OverdoseDoc,
        AttemptDoc,
        OverdoseListDoc,
        OverdoseStampDoc
    ))
)]
pub(super) struct ApiDoc;

/// The notices the user's municipality follows up (or the user's organisation registered),
/// and the stamp they are of.
#[derive(Serialize, ToSchema)]
pub struct OverdoseListDoc {
    pub stamp: String,
    pub notices: Vec<OverdoseDoc>,
    /// A municipality's (its legevakt's) own registrations for follow-up by another
    /// municipality, whatever their consent; empty for other organisations.
    pub sent: Vec<OverdoseDoc>,
}

/// The stamp of the notices addressed to the user's municipality: poll it, and read the list
/// when it moves.
#[derive(Serialize, ToSchema)]
pub struct OverdoseStampDoc {
    pub stamp: String,
}

/// Registers a non-fatal overdose with the person's (or guardian's) consent to a
/// municipality's follow-up (an ambulance service's or emergency ward's clinician). The
/// consent is recorded (scope `overdose_notice`, to the municipality); the notice reaches the
/// municipality at once; an anonymous row joins the monitoring's `overdoses` source.
#[utoipa::path(post, path = "/api/v1/coordination/overdose", request_body = RegisterBody,
    responses((status = 201, body = Created), (status = 422, body = Problem), (status = 403, body = Problem)))]
async fn register(
    State(state): State<AppState>,
    access: OrgAccess<RegisterOverdose>,
    ApiJson(body): ApiJson<RegisterBody>,
) -> Result<Response, WebError> {
    let id = ops::register(&state, &access, &body).await?;
    Ok((StatusCode::CREATED, axum::Json(Created { id })).into_response())
}

/// The follow-up worklist: the notices addressed to the user's municipality whose consent is
/// in force (or those the user's organisation registered), newest first, each with the hours
/// left of its risk week; each read logged with its consent.
#[utoipa::path(get, path = "/api/v1/coordination/overdose",
    responses((status = 200, body = OverdoseListDoc), (status = 403, body = Problem)))]
async fn list(
    State(state): State<AppState>,
    access: OrgAccess<ReadOverdose>,
) -> Result<Response, WebError> {
    let stamp = state.store.overdose_stamp(access.org()).await?;
    let notices = ops::list(&state, &access).await?;
    let sent = ops::sent(&state, &access).await?;
    Ok(axum::Json(OverdoseListDoc {
        stamp,
        notices: notices.iter().map(|n| doc(&state, n)).collect(),
        sent: sent.iter().map(|n| doc(&state, n)).collect(),
    })
    .into_response())
}

/// The stamp of the notices addressed to the user's municipality (no personal data).
#[utoipa::path(get, path = "/api/v1/coordination/overdose/stamp",
    responses((status = 200, body = OverdoseStampDoc), (status = 403, body = Problem)))]
async fn stamp(
    State(state): State<AppState>,
    access: OrgAccess<ReadOverdose>,
) -> Result<Response, WebError> {
    let stamp = state.store.overdose_stamp(access.org()).await?;
    Ok(axum::Json(OverdoseStampDoc { stamp }).into_response())
}

/// One notice: for the organisation that registered it, and the municipality that follows
/// up while the person's consent is in force (logged with the consent). Anyone else, or after
/// withdrawal: 404, logged.
#[utoipa::path(get, path = "/api/v1/coordination/overdose/{id}", params(("id" = i64, Path)),
    responses((status = 200, body = OverdoseDoc), (status = 404, body = Problem)))]
async fn one(
    State(state): State<AppState>,
    access: OverdoseAccess<ReadOverdose>,
) -> Result<Response, WebError> {
    let n = ops::read(&state, &access).await?;
    Ok(axum::Json(doc(&state, &n)).into_response())
}

/// Records a step of the municipality's follow-up: `attempt` (time and means) or `close`
/// (an outcome is required). The notice as it stands after.
#[utoipa::path(post, path = "/api/v1/coordination/overdose/{id}/{step}",
    params(("id" = i64, Path), ("step" = String, Path, description = "attempt or close")),
    request_body = StepBody,
    responses((status = 200, body = OverdoseDoc), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn step(
    State(state): State<AppState>,
    access: OverdoseAccess<ReadOverdose>,
    Path(path): Path<(i64, String)>,
    ApiJson(body): ApiJson<StepBody>,
) -> Result<Response, WebError> {
    ops::step(&state, &access, &path.1, &body).await?;
    let n = ops::read(&state, &access).await?;
    Ok(axum::Json(doc(&state, &n)).into_response())
}
