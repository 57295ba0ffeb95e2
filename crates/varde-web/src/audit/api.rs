//! The access-log JSON API: `/api/v1/audit`.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;
use utoipa::ToSchema;
use varde_store::AccessFilter;

use crate::api::{json, ApiJson};
use crate::authz::{OrgAccess, PersonReport, ReadAudit};
use crate::error::{Problem, WebError};
use crate::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/audit", get(audit))
        .route("/audit/person-report", post(report))
}

#[derive(Deserialize)]
pub struct AuditQuery {
    #[serde(default)]
    pub flagged: bool,
    #[serde(default)]
    pub limit: Option<i64>,
}

/// The access log of the caller's organisation, newest first (auditor).
#[utoipa::path(get, path = "/api/v1/audit", params(("flagged" = Option<bool>, Query), ("limit" = Option<i64>, Query)),
    responses((status = 200, description = "access-log entries"), (status = 403, body = Problem)))]
async fn audit(
    State(state): State<AppState>,
    access: OrgAccess<ReadAudit>,
    Query(q): Query<AuditQuery>,
) -> Result<Response, WebError> {
    let entries = state
        .store
        .access_log(&AccessFilter {
            org_id: Some(access.org().0),
            flagged_only: q.flagged,
            limit: q.limit.unwrap_or(500).clamp(1, 10_000),
            ..Default::default()
        })
        .await?;
    Ok(json(StatusCode::OK, &entries))
}

#[derive(Deserialize, ToSchema)]
pub struct PersonReportRequest {
    pub national_id: String,
}

/// Who accessed one person's data, and when (pasientjournalloven § 18). The identity
/// number goes in the body, never in a URL.
#[utoipa::path(post, path = "/api/v1/audit/person-report", request_body = PersonReportRequest,
    responses((status = 200, description = "access-log entries for the person"), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn report(
    State(state): State<AppState>,
    access: OrgAccess<PersonReport>,
    ApiJson(req): ApiJson<PersonReportRequest>,
) -> Result<Response, WebError> {
    let entries = super::person_report(&state, &access, &req.national_id).await?;
    Ok(json(StatusCode::OK, &entries))
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(audit, report), components(schemas(PersonReportRequest)))]
pub struct ApiDoc;
