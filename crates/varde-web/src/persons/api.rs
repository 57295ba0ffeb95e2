//! The persons JSON API: `/api/v1/persons`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use varde_core::persons::{CorrectionInput, NewPersonInput};
use varde_store::PersonRow;

use crate::api::{json, ApiJson, Created};
use crate::authz::{CorrectPerson, CreatePerson, ListPersons, OrgAccess, PersonAccess, ReadPerson};
use crate::error::{Problem, WebError};
use crate::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/persons", post(create).get(list))
        .route("/persons/{id}", get(read))
        .route("/persons/{id}/corrections", post(correct))
}

#[derive(Deserialize, ToSchema)]
pub struct NewPersonRequest {
    pub national_id: String,
    pub name: String,
    /// YYYY-MM-DD; defaults to the date the identity number gives.
    #[serde(default)]
    pub birth_date: Option<String>,
    /// Municipality number of residence.
    #[serde(default)]
    pub kommune: Option<String>,
}

/// Register a person with the caller's organisation.
#[utoipa::path(post, path = "/api/v1/persons", request_body = NewPersonRequest,
    responses((status = 201, body = Created), (status = 422, body = Problem), (status = 409, body = Problem), (status = 403, body = Problem)))]
async fn create(
    State(state): State<AppState>,
    access: OrgAccess<CreatePerson>,
    ApiJson(req): ApiJson<NewPersonRequest>,
) -> Result<Response, WebError> {
    let input = NewPersonInput {
        national_id: req.national_id,
        name: req.name,
        birth_date: req.birth_date,
        kommune: req.kommune,
    };
    let id = super::create(&state, &access, &input).await?;
    Ok(json(StatusCode::CREATED, &Created { id }))
}

#[derive(Serialize, ToSchema)]
pub struct PersonDoc {
    pub id: i64,
    pub org_id: i64,
    pub national_id: String,
    pub name: String,
    pub birth_date: Option<String>,
    pub kommune: Option<String>,
    pub corrections: u32,
    pub updated_at: String,
}

impl From<PersonRow> for PersonDoc {
    fn from(p: PersonRow) -> Self {
        PersonDoc {
            id: p.id,
            org_id: p.org_id.0,
            national_id: p.record.national_id,
            name: p.record.name,
            birth_date: p.record.birth_date,
            kommune: p.record.kommune,
            corrections: p.record.corrections,
            updated_at: p.updated_at,
        }
    }
}

/// The people registered with the caller's organisation.
#[utoipa::path(get, path = "/api/v1/persons", responses((status = 200, body = [PersonDoc]), (status = 403, body = Problem)))]
async fn list(
    State(state): State<AppState>,
    access: OrgAccess<ListPersons>,
) -> Result<Response, WebError> {
    let entry = access.access(&state, "", format!("org:{}", access.org().0));
    let rows = state
        .store
        .list_persons_logged(access.org(), &entry)
        .await?;
    Ok(json(
        StatusCode::OK,
        &rows.into_iter().map(PersonDoc::from).collect::<Vec<_>>(),
    ))
}

/// One person. 403 for a record of another organisation (logged); the optional header
/// `Varde-Break-Glass: REASON` asks for emergency access (clinicians, flagged).
#[utoipa::path(get, path = "/api/v1/persons/{id}", params(("id" = i64, Path)),
    responses((status = 200, body = PersonDoc), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn read(
    State(state): State<AppState>,
    access: PersonAccess<ReadPerson>,
) -> Result<Response, WebError> {
    let p = state
        .store
        .read_person_logged(access.person.id, &access.access)
        .await?;
    Ok(json(StatusCode::OK, &PersonDoc::from(p)))
}

#[derive(Deserialize, ToSchema)]
pub struct CorrectionRequest {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub birth_date: Option<String>,
    #[serde(default)]
    pub kommune: Option<String>,
    pub reason: String,
}

/// Correct a person's record (appends a correction event).
#[utoipa::path(post, path = "/api/v1/persons/{id}/corrections", params(("id" = i64, Path)), request_body = CorrectionRequest,
    responses((status = 200, body = PersonDoc), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn correct(
    State(state): State<AppState>,
    access: PersonAccess<CorrectPerson>,
    ApiJson(req): ApiJson<CorrectionRequest>,
) -> Result<Response, WebError> {
    let input = CorrectionInput {
        name: req.name,
        birth_date: req.birth_date,
        kommune: req.kommune,
        reason: req.reason,
    };
    let today = state.clock.today();
    let p = state
        .store
        .correct_person(
            access.person.id,
            access.principal.user.0,
            &access.access,
            state.clock.now(),
            |_| input.parse(today).map_err(WebError::from),
        )
        .await?;
    Ok(json(StatusCode::OK, &PersonDoc::from(p)))
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(create, list, read, correct),
    components(schemas(NewPersonRequest, PersonDoc, CorrectionRequest))
)]
pub struct ApiDoc;
