//! The pathways JSON API under `/api/v1/pathways`: the same operations as the pages
//! (`events`, `worklist`, `import`), with their OpenAPI descriptions. The indicators have
//! theirs (`indicators_api`), LAR and coercion theirs (`lar::api`, `coercion::api`), and the
//! national figures theirs (`national`).

use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;
use varde_core::authz::Action;
use varde_core::pathways::EventFields;

use super::cache::load_pathway;
use super::events::{correct, corrections_of, not_held, register, StoredDoc};
use super::import::{export_csv, import, parse_upload, ImportError, ImportResult};
use super::patient::{read_logged, Patient};
use super::worklist::{org_worklist, Counts, WorklistQuery};
use super::IMPORT_LIMIT;
use crate::api::ApiJson;
use crate::authz::{OrgAccess, ReadPathways, WritePathways};
use crate::error::{Problem, WebError};
use crate::import::{read_body, turn};
use crate::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/pathways/events", post(api_register))
        .route("/pathways/events/{id}/corrections", post(api_correct))
        .route("/pathways/worklist", get(api_worklist))
        .route("/pathways/p/{pathway_id}", get(api_pathway))
        .route(
            "/pathways/p/{pathway_id}/corrections",
            get(api_pathway_corrections),
        )
        .route(
            "/pathways/import",
            post(api_import).layer(DefaultBodyLimit::max(IMPORT_LIMIT)),
        )
        .route("/pathways/export", get(export_csv))
}

/// A registration: the CSV columns as JSON, and on a `referral_received` the person it names.
#[derive(Deserialize)]
struct RegisterRequest {
    #[serde(flatten)]
    fields: EventFields,
    /// A person id of the caller's organisation's register (a number, or its text).
    #[serde(default)]
    person_id: Option<PersonId>,
}

/// A person id as JSON gives it: a number or a string.
#[derive(Deserialize)]
#[serde(untagged)]
enum PersonId {
    Number(i64),
    Text(String),
}

impl PersonId {
    fn text(&self) -> String {
        match self {
            PersonId::Number(n) => n.to_string(),
            PersonId::Text(s) => s.clone(),
        }
    }
}

/// Registers one pathway event (the CSV columns as JSON). A `referral_received` may name the
/// patient (`person_id`, of the caller's organisation's register) and may leave `pathway_id`
/// out: the server then mints one. Answers the pathway id.
#[utoipa::path(post, path = "/api/v1/pathways/events", request_body = inline(Object),
    responses((status = 201, description = "registered: `{\"pathway_id\": …}`"), (status = 422, body = Problem), (status = 403, body = Problem)))]
async fn api_register(
    State(state): State<AppState>,
    access: OrgAccess<WritePathways>,
    ApiJson(req): ApiJson<RegisterRequest>,
) -> Result<Response, WebError> {
    let person = req.person_id.as_ref().map(PersonId::text);
    let pathway_id = register(&state, &access, req.fields, person.as_deref()).await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(serde_json::json!({ "pathway_id": pathway_id })),
    )
        .into_response())
}

#[derive(Deserialize)]
struct CorrectionRequest {
    #[serde(default)]
    replacement: Option<EventFields>,
    #[serde(default)]
    reason: String,
}

/// Corrects one registered event: withdraws it, or replaces it (`replacement`), with a reason.
#[utoipa::path(post, path = "/api/v1/pathways/events/{id}/corrections", request_body = inline(Object),
    responses((status = 200, description = "corrected"), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn api_correct(
    State(state): State<AppState>,
    access: OrgAccess<WritePathways>,
    Path(id): Path<i64>,
    ApiJson(req): ApiJson<CorrectionRequest>,
) -> Result<Response, WebError> {
    let pathway_id = correct(&state, &access, id, req.replacement, &req.reason).await?;
    Ok(axum::Json(serde_json::json!({ "pathway_id": pathway_id })).into_response())
}

/// The organisation's worklist: every open pathway's next measurement point, most urgent
/// first, with counts per status; referrals awaiting assessment; the waiting list; narrowed to
/// one unit with `unit`.
#[utoipa::path(get, path = "/api/v1/pathways/worklist", params(("as_of" = Option<String>, Query, description = "YYYY-MM-DD, default today"), ("unit" = Option<String>, Query, description = "only this unit")),
    responses((status = 200, description = "the worklist"), (status = 403, body = Problem)))]
async fn api_worklist(
    State(state): State<AppState>,
    access: OrgAccess<ReadPathways>,
    Query(q): Query<WorklistQuery>,
) -> Result<Response, WebError> {
    let as_of = varde_core::fields::opt_date("as_of", q.as_of.as_deref().unwrap_or(""))?
        .unwrap_or(state.clock.today());
    let w = org_worklist(&state, &access, as_of, q.unit.as_deref()).await?;
    Ok(axum::Json(w).into_response())
}

/// One pathway as the API answers it: its patient and its registered (effective) events.
#[derive(serde::Serialize)]
struct PathwayDoc {
    pathway_id: String,
    /// The person the pathway belongs to; `null` for a pathway imported without one.
    patient: Option<Patient>,
    events: Vec<StoredDoc>,
}

/// One pathway: its patient (name, birth date) and its registered (effective) events. A read
/// of the person: logged with the person as subject, so their § 18 access report lists it.
#[utoipa::path(get, path = "/api/v1/pathways/p/{pathway_id}",
    responses((status = 200, description = "`{pathway_id, patient: {person_id, name, birth_date} | null, events: [...]}`"), (status = 404, body = Problem)))]
async fn api_pathway(
    State(state): State<AppState>,
    access: OrgAccess<ReadPathways>,
    Path(pathway_id): Path<String>,
) -> Result<Response, WebError> {
    let loaded = load_pathway(&state, access.org(), &pathway_id).await?;
    if loaded.rows.is_empty() {
        return Err(not_held(&state, &access.principal, Action::PathwayRead, &pathway_id).await);
    }
    let patient = read_logged(&state, &access.principal, &pathway_id).await?;
    let events: Vec<StoredDoc> = loaded
        .rows
        .into_iter()
        .map(|r| StoredDoc {
            id: r.id,
            fields: r.fields,
            recorded_at: r.recorded_at,
        })
        .collect();
    Ok(axum::Json(PathwayDoc {
        pathway_id: pathway_id.trim().to_owned(),
        patient,
        events,
    })
    .into_response())
}

/// The corrections of one pathway: each withdrawn event with the reason, who withdrew it,
/// when, and the event that replaced it (if any).
#[utoipa::path(get, path = "/api/v1/pathways/p/{pathway_id}/corrections",
    responses((status = 200, description = "the corrections, oldest first")))]
async fn api_pathway_corrections(
    State(state): State<AppState>,
    access: OrgAccess<ReadPathways>,
    Path(pathway_id): Path<String>,
) -> Result<Response, WebError> {
    let docs = corrections_of(&state, access.org(), &pathway_id).await?;
    if docs.is_empty()
        && load_pathway(&state, access.org(), &pathway_id)
            .await?
            .rows
            .is_empty()
    {
        return Err(not_held(&state, &access.principal, Action::PathwayRead, &pathway_id).await);
    }
    access.log(&state, format!("pathway:{pathway_id}")).await?;
    Ok(axum::Json(docs).into_response())
}

#[derive(Deserialize)]
struct ImportQuery {
    batch_id: Option<String>,
    #[serde(default)]
    valid_only: bool,
}

/// Imports pathway events from CSV (the body, `text/csv`), idempotent by `batch_id`.
#[utoipa::path(post, path = "/api/v1/pathways/import", request_body(content = String, content_type = "text/csv"),
    params(("batch_id" = Option<String>, Query, description = "idempotency key; default: the SHA-256 of the body"), ("valid_only" = Option<bool>, Query, description = "write the pathways without errors")),
    responses((status = 201, body = ImportResult), (status = 200, body = ImportResult, description = "already imported"), (status = 422, body = ImportResult, description = "refused rows; nothing written")))]
async fn api_import(
    State(state): State<AppState>,
    access: OrgAccess<WritePathways>,
    Query(q): Query<ImportQuery>,
    body: axum::body::Body,
) -> Result<Response, WebError> {
    let _turn = turn(&state).await?;
    let upload = read_body(body, IMPORT_LIMIT, parse_upload).await?;
    let (status, result) = import(
        &state,
        &access,
        &upload,
        q.batch_id.as_deref(),
        q.valid_only,
    )
    .await?;
    if status == StatusCode::UNPROCESSABLE_ENTITY {
        return Ok(refused(result));
    }
    Ok((status, axum::Json(result)).into_response())
}

/// A refused import (nothing written): a problem document (RFC 9457) whose `errors` name each
/// refused row's line, field and rule, with the import's result beside it.
fn refused(result: ImportResult) -> Response {
    let first = result
        .errors
        .first()
        .map(|e| format!("; the first, line {}: {}", e.line, e.rule))
        .unwrap_or_default();
    let detail = format!(
        "{} row(s) refused; nothing was written{first}",
        result.errors.len()
    );
    WebError::invalid_input(detail).with_members(result)
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        api_register,
        api_correct,
        api_worklist,
        api_pathway,
        api_pathway_corrections,
        api_import,
        super::import::export_csv
    ),
    components(schemas(ImportResult, ImportError, Counts, Patient))
)]
pub struct ApiDoc;
