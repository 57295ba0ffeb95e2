//! The LAR JSON API under `/api/v1/lar`: one route per command, each calling
//! [`super::record`], and the reads of the register on an as-of date.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use jiff::civil::Date;
use serde::Serialize;
use varde_core::pathways::lar::LarRegister;

use super::{
    agreements, episodes, population, AdmitRequest, AgreementDoc, AgreementRequest,
    DelegateRequest, DischargeRequest, DispensingRequest, EpisodeDoc, LarRequest, Population,
    PopulationRow,
};
use crate::api::ApiJson;
use crate::authz::{OrgAccess, ReadLar, WriteLar};
use crate::error::{Problem, WebError};
use crate::forms::AsOfQuery;
use crate::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/lar/admissions", post(admit))
        .route("/lar/discharges", post(discharge))
        .route("/lar/delegations", post(delegate))
        .route("/lar/agreements", post(agreement).get(list_agreements))
        .route("/lar/dispensing", post(dispensing))
        .route("/lar/patients", get(patients))
        .route("/lar/population", get(list_population))
}

/// Records a command: 201 when written.
async fn created(
    state: &AppState,
    access: &OrgAccess<WriteLar>,
    req: &impl LarRequest,
) -> Result<Response, WebError> {
    super::record(state, access, req).await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(serde_json::json!({ "recorded": true })),
    )
        .into_response())
}

/// Admits a patient to LAR (a specialist's decision).
#[utoipa::path(post, path = "/api/v1/lar/admissions", request_body = AdmitRequest,
    responses((status = 201, description = "recorded"), (status = 422, body = Problem), (status = 403, body = Problem)))]
async fn admit(
    State(state): State<AppState>,
    access: OrgAccess<WriteLar>,
    ApiJson(req): ApiJson<AdmitRequest>,
) -> Result<Response, WebError> {
    created(&state, &access, &req).await
}

/// Discharges a patient from LAR (a specialist's decision).
#[utoipa::path(post, path = "/api/v1/lar/discharges", request_body = DischargeRequest,
    responses((status = 201, description = "recorded"), (status = 422, body = Problem)))]
async fn discharge(
    State(state): State<AppState>,
    access: OrgAccess<WriteLar>,
    ApiJson(req): ApiJson<DischargeRequest>,
) -> Result<Response, WebError> {
    created(&state, &access, &req).await
}

/// Delegates prescribing to a GP from a date.
#[utoipa::path(post, path = "/api/v1/lar/delegations", request_body = DelegateRequest,
    responses((status = 201, description = "recorded"), (status = 422, body = Problem)))]
async fn delegate(
    State(state): State<AppState>,
    access: OrgAccess<WriteLar>,
    ApiJson(req): ApiJson<DelegateRequest>,
) -> Result<Response, WebError> {
    created(&state, &access, &req).await
}

/// Records a dispensing agreement with a municipality.
#[utoipa::path(post, path = "/api/v1/lar/agreements", request_body = AgreementRequest,
    responses((status = 201, description = "recorded"), (status = 422, body = Problem)))]
async fn agreement(
    State(state): State<AppState>,
    access: OrgAccess<WriteLar>,
    ApiJson(req): ApiJson<AgreementRequest>,
) -> Result<Response, WebError> {
    created(&state, &access, &req).await
}

/// Moves a patient's dispensing to the municipality (needs an agreement in force).
#[utoipa::path(post, path = "/api/v1/lar/dispensing", request_body = DispensingRequest,
    responses((status = 201, description = "recorded"), (status = 422, body = Problem)))]
async fn dispensing(
    State(state): State<AppState>,
    access: OrgAccess<WriteLar>,
    ApiJson(req): ApiJson<DispensingRequest>,
) -> Result<Response, WebError> {
    created(&state, &access, &req).await
}

/// Answers a view of the register on the as-of date; the read is logged (`what` names it).
async fn view<T: Serialize>(
    state: &AppState,
    access: &OrgAccess<ReadLar>,
    q: &AsOfQuery,
    what: &str,
    view: fn(&LarRegister, Date) -> T,
) -> Result<Response, WebError> {
    let date = q.date(state.clock.today())?;
    let (reg, _) = super::load(state, access.org()).await?;
    access
        .log(state, format!("{what}:org:{}", access.org().0))
        .await?;
    Ok(axum::Json(view(&reg, date)).into_response())
}

/// The dispensing agreements, with whether each is in force on `as_of`.
#[utoipa::path(get, path = "/api/v1/lar/agreements", params(("as_of" = Option<String>, Query, description = "YYYY-MM-DD, default today")),
    responses((status = 200, body = [AgreementDoc])))]
async fn list_agreements(
    State(state): State<AppState>,
    access: OrgAccess<ReadLar>,
    Query(q): Query<AsOfQuery>,
) -> Result<Response, WebError> {
    view(&state, &access, &q, "lar-agreements", agreements).await
}

/// Every LAR episode of the organisation, with the prescriber on `as_of`.
#[utoipa::path(get, path = "/api/v1/lar/patients", params(("as_of" = Option<String>, Query, description = "YYYY-MM-DD, default today")),
    responses((status = 200, body = [EpisodeDoc])))]
async fn patients(
    State(state): State<AppState>,
    access: OrgAccess<ReadLar>,
    Query(q): Query<AsOfQuery>,
) -> Result<Response, WebError> {
    view(&state, &access, &q, "lar-patients", episodes).await
}

/// The LAR population on `as_of`, per municipality and per unit.
#[utoipa::path(get, path = "/api/v1/lar/population", params(("as_of" = Option<String>, Query, description = "YYYY-MM-DD, default today")),
    responses((status = 200, body = Population)))]
async fn list_population(
    State(state): State<AppState>,
    access: OrgAccess<ReadLar>,
    Query(q): Query<AsOfQuery>,
) -> Result<Response, WebError> {
    view(&state, &access, &q, "lar-population", population).await
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        admit,
        discharge,
        delegate,
        agreement,
        dispensing,
        list_agreements,
        patients,
        list_population
    ),
    components(schemas(
        AdmitRequest,
        DischargeRequest,
        DelegateRequest,
        AgreementRequest,
        DispensingRequest,
        EpisodeDoc,
        AgreementDoc,
        PopulationRow,
        Population
    ))
)]
pub struct ApiDoc;
