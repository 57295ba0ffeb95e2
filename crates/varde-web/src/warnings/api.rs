//! The warnings' JSON API: drafting and approval (staff), subscribers and deliveries (system
//! admins), the EU drugs agency export, and the public list (no login).

use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};
use varde_core::warnings::draft::DraftInput;
use varde_core::warnings::{export, Warning};

use super::docs::WarningDoc;
use super::ops::{self, WebhookInput};
use crate::api::ApiJson;
use crate::authz::{ApproveWarnings, DraftWarnings, ManageWebhooks, OrgAccess, ReadWarnings};
use crate::error::{Problem, WebError};
use crate::i18n::Lang;
use crate::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/warnings", post(create).get(list))
        .route("/warnings/{id}", get(one))
        .route("/warnings/{id}/versions", post(version))
        .route("/warnings/{id}/approve", post(approve))
        .route("/warnings/{id}/cancel", post(cancel))
        .route("/warnings/{id}/euda", get(euda))
        .route("/warnings/{id}/euda.csv", get(euda_csv))
        .route("/webhooks", post(register).get(webhooks))
        .route("/webhooks/{id}", axum::routing::delete(remove))
        .route("/webhooks/{id}/deliveries", get(deliveries))
        .route("/webhooks/deliveries/{id}", get(delivery))
        .route("/webhooks/deliveries/{id}/resend", post(resend))
        .route("/public/warnings", get(public_list))
}

#[derive(OpenApi)]
#[openapi(
    paths(
        create,
        list,
        one,
        version,
        approve,
        cancel,
        euda,
        euda_csv,
        register,
        webhooks,
        remove,
        deliveries,
        delivery,
        resend,
        public_list
    ),
    components(schemas(
        Step,
        WarningDoc,
        WebhookInput,
        Created,
        CancelBody,
        ApproveBody,
        HookDoc,
        DeliveryDoc,
        AttemptDoc
    ))
)]
pub(super) struct ApiDoc;

/// The outcome of a step: the warning, the version concerned and the warning's status.
#[derive(Debug, Serialize, ToSchema)]
pub struct Step {
    pub id: String,
    pub version: u32,
    /// `draft`, `published`, `expired` or `cancelled`.
    pub status: String,
}

fn step(state: &AppState, w: &Warning) -> Step {
    Step {
        id: w.id.clone(),
        version: w.latest().map_or(0, |v| v.number),
        status: w.status(state.clock.now()).as_str().to_owned(),
    }
}

/// Drafts a warning (version 1). The body's fields are those of the editor's form.
#[utoipa::path(post, path = "/api/v1/warnings",
    responses((status = 201, body = Step), (status = 422, body = Problem), (status = 403, body = Problem)))]
async fn create(
    State(state): State<AppState>,
    access: OrgAccess<DraftWarnings>,
    ApiJson(input): ApiJson<DraftInput>,
) -> Result<Response, WebError> {
    let w = ops::draft(&state, &access, &input).await?;
    Ok((StatusCode::CREATED, axum::Json(step(&state, &w))).into_response())
}

/// Every warning with every version (staff: drafts and drills too), newest first.
#[utoipa::path(get, path = "/api/v1/warnings", responses((status = 200, body = [WarningDoc])))]
async fn list(
    State(state): State<AppState>,
    _access: OrgAccess<ReadWarnings>,
) -> Result<Response, WebError> {
    let cfg = super::cap_config(&state);
    let now = state.clock.now();
    let snap = state.warnings.public.snapshot(&state).await?;
    let docs: Vec<WarningDoc> = snap
        .warnings
        .iter()
        .filter_map(|w| w.latest().map(|v| WarningDoc::of(&cfg, w, v, now)))
        .collect();
    Ok(axum::Json(docs).into_response())
}

/// One warning's versions, oldest first (staff).
#[utoipa::path(get, path = "/api/v1/warnings/{id}", params(("id" = String, Path)),
    responses((status = 200, body = [WarningDoc]), (status = 404, body = Problem)))]
async fn one(
    State(state): State<AppState>,
    _access: OrgAccess<ReadWarnings>,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let cfg = super::cap_config(&state);
    let now = state.clock.now();
    let w = ops::load(&state, &id).await?;
    let docs: Vec<WarningDoc> = w
        .versions
        .iter()
        .map(|v| WarningDoc::of(&cfg, &w, v, now))
        .collect();
    Ok(axum::Json(docs).into_response())
}

/// Drafts a new version of a warning, to supersede the published one once approved.
#[utoipa::path(post, path = "/api/v1/warnings/{id}/versions", params(("id" = String, Path)),
    responses((status = 201, body = Step), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn version(
    State(state): State<AppState>,
    access: OrgAccess<DraftWarnings>,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<DraftInput>,
) -> Result<Response, WebError> {
    let w = ops::new_version(&state, &access, &id, &input).await?;
    Ok((StatusCode::CREATED, axum::Json(step(&state, &w))).into_response())
}

/// The version to approve (optional: the one waiting).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct ApproveBody {
    pub version: Option<u32>,
}

/// Approves the version waiting for approval, publishing it at once. Never by its author.
#[utoipa::path(post, path = "/api/v1/warnings/{id}/approve", params(("id" = String, Path)), request_body(content = Option<ApproveBody>),
    responses((status = 200, body = Step), (status = 403, body = Problem), (status = 409, body = Problem)))]
async fn approve(
    State(state): State<AppState>,
    access: OrgAccess<ApproveWarnings>,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> Result<Response, WebError> {
    // The body is optional: empty approves the version that waits.
    let version = if body.iter().all(u8::is_ascii_whitespace) {
        None
    } else {
        serde_json::from_slice::<ApproveBody>(&body)
            .map_err(|_| WebError::invalid("version", "a version number, or no body"))?
            .version
    };
    let w = ops::approve(&state, &access, &id, version).await?;
    Ok(axum::Json(step(&state, &w)).into_response())
}

/// Why a warning is cancelled.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct CancelBody {
    pub reason: String,
}

/// Cancels a published warning, with a reason (a CAP `Cancel` message follows).
#[utoipa::path(post, path = "/api/v1/warnings/{id}/cancel", params(("id" = String, Path)),
    responses((status = 200, body = Step), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn cancel(
    State(state): State<AppState>,
    access: OrgAccess<ApproveWarnings>,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<CancelBody>,
) -> Result<Response, WebError> {
    let w = ops::cancel(&state, &access, &id, &body.reason).await?;
    Ok(axum::Json(step(&state, &w)).into_response())
}

/// The warning as a national alert to the EU drugs agency's early warning system (the
/// mapping is documented in `varde_core::warnings::export`).
#[utoipa::path(get, path = "/api/v1/warnings/{id}/euda", params(("id" = String, Path)),
    responses((status = 200, description = "the alert's fields"), (status = 404, body = Problem)))]
async fn euda(
    State(state): State<AppState>,
    _access: OrgAccess<ReadWarnings>,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let w = ops::load(&state, &id).await?;
    let alert = export::euda(&w, state.clock.now()).ok_or_else(WebError::not_found)?;
    Ok(axum::Json(alert).into_response())
}

/// The same as CSV (one row; columns `export::CSV_COLUMNS`).
#[utoipa::path(get, path = "/api/v1/warnings/{id}/euda.csv", params(("id" = String, Path)),
    responses((status = 200, description = "text/csv"), (status = 404, body = Problem)))]
async fn euda_csv(
    State(state): State<AppState>,
    _access: OrgAccess<ReadWarnings>,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let w = ops::load(&state, &id).await?;
    let alert = export::euda(&w, state.clock.now()).ok_or_else(WebError::not_found)?;
    Ok(crate::download::csv(
        export::euda_csv(&[alert]),
        &format!("{id}-euda.csv"),
    ))
}

/// A registered subscriber: its id, and its secret, shown this once.
#[derive(Debug, Serialize, ToSchema)]
pub struct Created {
    pub id: i64,
    /// `whsec_…`: verifies `webhook-signature` (Standard Webhooks).
    pub secret: String,
}

/// Registers a subscriber (system admin).
#[utoipa::path(post, path = "/api/v1/webhooks", request_body = WebhookInput,
    responses((status = 201, body = Created), (status = 422, body = Problem), (status = 403, body = Problem)))]
async fn register(
    State(state): State<AppState>,
    access: OrgAccess<ManageWebhooks>,
    ApiJson(input): ApiJson<WebhookInput>,
) -> Result<Response, WebError> {
    let (id, secret) = ops::register_webhook(&state, &access, &input).await?;
    Ok((StatusCode::CREATED, axum::Json(Created { id, secret })).into_response())
}

/// A subscriber as listed (never its secret).
#[derive(Debug, Serialize, ToSchema)]
pub struct HookDoc {
    pub id: i64,
    pub url: String,
    pub areas: Vec<String>,
    pub min_severity: Option<String>,
    pub format: String,
    pub active: bool,
    /// Failed [`varde_store::warnings`] five times in a row or more.
    pub failing: bool,
    pub consecutive_failures: i64,
}

/// Every subscriber (system admin).
#[utoipa::path(get, path = "/api/v1/webhooks", responses((status = 200, body = [HookDoc])))]
async fn webhooks(
    State(state): State<AppState>,
    _access: OrgAccess<ManageWebhooks>,
) -> Result<Response, WebError> {
    let hooks: Vec<HookDoc> = state
        .store
        .webhooks()
        .await?
        .into_iter()
        .map(|h| HookDoc {
            id: h.id,
            url: h.url,
            areas: h.areas,
            min_severity: h.min_severity,
            format: h.format,
            active: h.active,
            failing: h.failing,
            consecutive_failures: h.consecutive_failures,
        })
        .collect();
    Ok(axum::Json(hooks).into_response())
}

/// Removes a subscriber: nothing more is sent to it.
#[utoipa::path(delete, path = "/api/v1/webhooks/{id}", params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = Problem)))]
async fn remove(
    State(state): State<AppState>,
    access: OrgAccess<ManageWebhooks>,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    if !state.store.webhook_deactivate(id).await? {
        return Err(WebError::not_found());
    }
    access.log(&state, format!("webhook:{id}")).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// A delivery, with its attempts when one is asked for.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryDoc {
    pub id: i64,
    pub webhook_id: i64,
    pub message_id: String,
    pub warning_id: String,
    pub version: i64,
    pub event_type: String,
    /// `pending`, `delivered` or `failed`.
    pub status: String,
    pub attempts: i64,
    pub created_at: String,
    pub next_attempt_at: Option<String>,
    pub delivered_at: Option<String>,
    pub last_status: Option<i64>,
    pub last_error: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub log: Vec<AttemptDoc>,
}

/// One attempt.
#[derive(Debug, Serialize, ToSchema)]
pub struct AttemptDoc {
    pub at: String,
    pub duration_ms: i64,
    pub status_code: Option<i64>,
    pub error: Option<String>,
    /// The server that made it.
    pub instance: String,
}

fn ms(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms)
        .map_or_else(|_| ms.to_string(), varde_core::warnings::cap::oslo)
}

fn delivery_doc(d: varde_store::Delivery, log: Vec<varde_store::Attempt>) -> DeliveryDoc {
    DeliveryDoc {
        next_attempt_at: (d.status == "pending").then(|| ms(d.next_attempt_at)),
        id: d.id,
        webhook_id: d.webhook_id,
        message_id: d.message_id,
        warning_id: d.warning_id,
        version: d.version,
        event_type: d.event_type,
        status: d.status,
        attempts: d.attempts,
        created_at: ms(d.created_at),
        delivered_at: d.delivered_at.map(ms),
        last_status: d.last_status,
        last_error: d.last_error,
        log: log
            .into_iter()
            .map(|a| AttemptDoc {
                at: ms(a.at),
                duration_ms: a.duration_ms,
                status_code: a.status_code,
                error: a.error,
                instance: a.instance,
            })
            .collect(),
    }
}

/// How many deliveries to list.
#[derive(Debug, Deserialize)]
struct LimitQuery {
    limit: Option<i64>,
}

/// A subscriber's latest deliveries (system admin).
#[utoipa::path(get, path = "/api/v1/webhooks/{id}/deliveries", params(("id" = i64, Path)),
    responses((status = 200, body = [DeliveryDoc])))]
async fn deliveries(
    State(state): State<AppState>,
    _access: OrgAccess<ManageWebhooks>,
    Path(id): Path<i64>,
    Query(q): Query<LimitQuery>,
) -> Result<Response, WebError> {
    let limit = q.limit.unwrap_or(100).clamp(1, 1000);
    let list = state.store.deliveries(Some(id), limit).await?;
    let docs: Vec<DeliveryDoc> = list
        .into_iter()
        .map(|d| delivery_doc(d, Vec::new()))
        .collect();
    Ok(axum::Json(docs).into_response())
}

/// One delivery with every attempt (system admin).
#[utoipa::path(get, path = "/api/v1/webhooks/deliveries/{id}", params(("id" = i64, Path)),
    responses((status = 200, body = DeliveryDoc), (status = 404, body = Problem)))]
async fn delivery(
    State(state): State<AppState>,
    _access: OrgAccess<ManageWebhooks>,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let d = state
        .store
        .delivery(id)
        .await?
        .ok_or_else(WebError::not_found)?;
    let log = state.store.delivery_attempts(id).await?;
    Ok(axum::Json(delivery_doc(d, log)).into_response())
}

/// Sends a delivery again, with the same `webhook-id` (system admin).
#[utoipa::path(post, path = "/api/v1/webhooks/deliveries/{id}/resend", params(("id" = i64, Path)),
    responses((status = 202), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn resend(
    State(state): State<AppState>,
    access: OrgAccess<ManageWebhooks>,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    ops::resend(&state, &access, id).await?;
    Ok(StatusCode::ACCEPTED.into_response())
}

/// The warnings in force (public, no login), most severe first.
#[utoipa::path(get, path = "/api/v1/public/warnings", responses((status = 200, body = [WarningDoc])))]
async fn public_list(State(state): State<AppState>, l: Lang) -> Result<Response, WebError> {
    let cfg = super::cap_config(&state);
    let body = state
        .warnings
        .public
        .rendered(&state, "json", l, |snap, now| {
            let docs: Vec<WarningDoc> = snap
                .in_force(now)
                .into_iter()
                .filter_map(|w| WarningDoc::published(&cfg, w, now))
                .collect();
            serde_json::to_string(&docs).unwrap_or_else(|_| "[]".to_owned())
        })
        .await?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CACHE_CONTROL, "public, max-age=5"),
        ],
        body.to_string(),
    )
        .into_response())
}
