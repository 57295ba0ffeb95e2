//! Feedback's JSON API: a one-time link for a patient and a session, a patient's answers and
//! trend (clinicians of the patient's organisation; every read logged), the survey figures
//! (suppressed) and a new survey link.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::Serialize;
use utoipa::{OpenApi, ToSchema};
use varde_core::feedback::surveys::SurveyKind;
use varde_core::feedback::LinkInput;

use super::ops::{self, MadeLink, PatientDoc};
use super::surveys::{figures, share, SurveyDoc};
use crate::api::ApiJson;
use crate::authz::{
    OrgAccess, PersonAccess, ReadFeedback, ReadSurveys, ShareSurveys, WriteFeedback,
};
use crate::error::{Problem, WebError};
use crate::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/feedback/patients/{id}/links", post(create_link))
        .route("/feedback/patients/{id}", get(patient))
        .route("/feedback/surveys", get(surveys))
        .route("/feedback/surveys/{kind}/links", post(share_link))
}

#[derive(OpenApi)]
#[openapi(
    paths(create_link, patient, surveys, share_link),
    components(schemas(LinkDoc, MadeLink, PatientDoc, SurveysDoc, SurveyDoc, SharedDoc))
)]
pub(super) struct ApiDoc;

/// A link asked for.
#[derive(ToSchema)]
#[allow(dead_code)] // the schema of `LinkInput`
pub struct LinkDoc {
    /// `YYYY-MM-DD`: today or up to 30 days back.
    session_date: String,
    /// 1–999 (a number, or its digits as text).
    session_number: u32,
    /// Optional: a pathway of this patient in the organisation; an answer registers the
    /// pathway's `feedback_tool_used` (once).
    pathway_id: Option<String>,
}

/// Every survey figure the caller may read.
#[derive(Serialize, ToSchema)]
pub struct SurveysDoc {
    pub surveys: Vec<SurveyDoc>,
}

/// A shared survey link.
#[derive(Serialize, ToSchema)]
pub struct SharedDoc {
    pub url: String,
}

/// Makes a one-time link for patient `id` and a session (a clinician of the patient's
/// organisation): the address is in this answer only (only the token's hash is kept); it works
/// once, for 7 days.
#[utoipa::path(post, path = "/api/v1/feedback/patients/{id}/links", params(("id" = i64, Path)),
    request_body = LinkDoc,
    responses((status = 201, body = MadeLink), (status = 422, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn create_link(
    State(state): State<AppState>,
    access: PersonAccess<WriteFeedback>,
    ApiJson(input): ApiJson<LinkInput>,
) -> Result<Response, WebError> {
    let made = ops::create_link(&state, &access, &input).await?;
    Ok((StatusCode::CREATED, axum::Json(made)).into_response())
}

/// Patient `id`'s answered sessions, trend and links (a clinician of the patient's
/// organisation; the read is logged with the patient's pseudonym).
#[utoipa::path(get, path = "/api/v1/feedback/patients/{id}", params(("id" = i64, Path)),
    responses((status = 200, body = PatientDoc), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn patient(
    State(state): State<AppState>,
    access: PersonAccess<ReadFeedback>,
) -> Result<axum::Json<PatientDoc>, WebError> {
    Ok(axum::Json(ops::patient(&state, &access).await?))
}

/// The survey figures per organisation, survey and year, small cells suppressed (analysts:
/// every organisation's; an organisation's staff: their own).
#[utoipa::path(get, path = "/api/v1/feedback/surveys",
    responses((status = 200, body = SurveysDoc), (status = 403, body = Problem)))]
async fn surveys(
    State(state): State<AppState>,
    access: OrgAccess<ReadSurveys>,
) -> Result<axum::Json<SurveysDoc>, WebError> {
    Ok(axum::Json(SurveysDoc {
        surveys: figures(&state, &access.principal).await?,
    }))
}

/// Opens a new anonymous link for the organisation's survey `kind` (`users` or `relatives`);
/// the earlier link stops working.
#[utoipa::path(post, path = "/api/v1/feedback/surveys/{kind}/links", params(("kind" = String, Path)),
    responses((status = 201, body = SharedDoc), (status = 422, body = Problem), (status = 403, body = Problem)))]
async fn share_link(
    State(state): State<AppState>,
    access: OrgAccess<ShareSurveys>,
    Path(kind): Path<String>,
) -> Result<Response, WebError> {
    let kind = SurveyKind::parse(&kind)?;
    let url = share(&state, &access, kind).await?;
    Ok((StatusCode::CREATED, axum::Json(SharedDoc { url })).into_response())
}
