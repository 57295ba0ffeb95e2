//! The monitoring area's JSON API: the analysts' signals and their changes, and the
//! watchlist.

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;
use utoipa::{OpenApi, ToSchema};
use varde_core::monitoring::signals::SignalChange;

use super::ops::{self, SignalDoc, WatchEntry};
use crate::api::ApiJson;
use crate::authz::{OrgAccess, ReadMonitoring, WorkSignals};
use crate::error::{Problem, WebError};
use crate::i18n::Lang;
use crate::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/signals", get(list))
        .route("/signals/{id}", get(one))
        .route("/signals/{id}/acknowledge", post(acknowledge))
        .route("/signals/{id}/link", post(link))
        .route("/signals/{id}/dismiss", post(dismiss))
        .route("/monitoring/watchlist", get(watchlist).post(watchlist_set))
}

#[derive(OpenApi)]
#[openapi(
    paths(list, one, acknowledge, link, dismiss, watchlist, watchlist_set),
    components(schemas(SignalDoc, WatchEntry, LinkBody, DismissBody, WatchBody))
)]
pub(super) struct ApiDoc;

/// `?status=`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ListQuery {
    status: Option<String>,
}

/// The signals, newest first; `status` (`new`, `acknowledged`, `linked`, `dismissed`)
/// filters them.
#[utoipa::path(get, path = "/api/v1/signals", params(("status" = Option<String>, Query)),
    responses((status = 200, body = [SignalDoc]), (status = 422, body = Problem), (status = 403, body = Problem)))]
async fn list(
    State(state): State<AppState>,
    _access: OrgAccess<ReadMonitoring>,
    l: Lang,
    Query(q): Query<ListQuery>,
) -> Result<Response, WebError> {
    let status = ops::parse_status(q.status.as_deref())?;
    let docs: Vec<SignalDoc> = ops::list(&state, status)
        .await?
        .iter()
        .map(|s| SignalDoc::of(s, l))
        .collect();
    Ok(axum::Json(docs).into_response())
}

/// One signal.
#[utoipa::path(get, path = "/api/v1/signals/{id}", params(("id" = i64, Path)),
    responses((status = 200, body = SignalDoc), (status = 404, body = Problem)))]
async fn one(
    State(state): State<AppState>,
    _access: OrgAccess<ReadMonitoring>,
    l: Lang,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let s = ops::load(&state, ops::parse_id(&id)?).await?;
    Ok(axum::Json(SignalDoc::of(&s, l)).into_response())
}

async fn apply(
    state: &AppState,
    access: &OrgAccess<WorkSignals>,
    l: Lang,
    id: &str,
    change: SignalChange,
) -> Result<Response, WebError> {
    let s = ops::change(state, access, ops::parse_id(id)?, change).await?;
    Ok(axum::Json(SignalDoc::of(&s, l)).into_response())
}

/// Acknowledges a new signal (an analyst looks into it).
#[utoipa::path(post, path = "/api/v1/signals/{id}/acknowledge", params(("id" = i64, Path)),
    responses((status = 200, body = SignalDoc), (status = 409, body = Problem), (status = 404, body = Problem), (status = 403, body = Problem)))]
async fn acknowledge(
    State(state): State<AppState>,
    access: OrgAccess<WorkSignals>,
    l: Lang,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    apply(&state, &access, l, &id, SignalChange::Acknowledge).await
}

/// The open signal to link into.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkBody {
    pub into: i64,
}

/// Links a signal into another open signal (the same finding seen twice).
#[utoipa::path(post, path = "/api/v1/signals/{id}/link", params(("id" = i64, Path)), request_body = LinkBody,
    responses((status = 200, body = SignalDoc), (status = 409, body = Problem), (status = 422, body = Problem), (status = 404, body = Problem)))]
async fn link(
    State(state): State<AppState>,
    access: OrgAccess<WorkSignals>,
    l: Lang,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<LinkBody>,
) -> Result<Response, WebError> {
    apply(
        &state,
        &access,
        l,
        &id,
        SignalChange::Link { into: body.into },
    )
    .await
}

/// Why a signal is dismissed.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct DismissBody {
    pub reason: String,
}

/// Dismisses a signal, with a reason.
#[utoipa::path(post, path = "/api/v1/signals/{id}/dismiss", params(("id" = i64, Path)), request_body = DismissBody,
    responses((status = 200, body = SignalDoc), (status = 409, body = Problem), (status = 422, body = Problem), (status = 404, body = Problem)))]
async fn dismiss(
    State(state): State<AppState>,
    access: OrgAccess<WorkSignals>,
    l: Lang,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<DismissBody>,
) -> Result<Response, WebError> {
    apply(
        &state,
        &access,
        l,
        &id,
        SignalChange::Dismiss {
            reason: body.reason,
        },
    )
    .await
}

/// The substances on the watchlist: the reference list's high-risk substances with the
/// analysts' changes.
#[utoipa::path(get, path = "/api/v1/monitoring/watchlist",
    responses((status = 200, body = [WatchEntry]), (status = 403, body = Problem)))]
async fn watchlist(
    State(state): State<AppState>,
    _access: OrgAccess<ReadMonitoring>,
    l: Lang,
) -> Result<Response, WebError> {
    Ok(axum::Json(ops::watchlist(&state, l).await?).into_response())
}

/// A substance (a name of the reference list) to put on the watchlist or take off it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WatchBody {
    pub substance: String,
    pub on_list: bool,
}

/// Puts a substance on the watchlist or takes it off; the list after the change.
#[utoipa::path(post, path = "/api/v1/monitoring/watchlist", request_body = WatchBody,
    responses((status = 200, body = [WatchEntry]), (status = 422, body = Problem), (status = 403, body = Problem)))]
async fn watchlist_set(
    State(state): State<AppState>,
    access: OrgAccess<WorkSignals>,
    l: Lang,
    ApiJson(body): ApiJson<WatchBody>,
) -> Result<Response, WebError> {
    ops::watchlist_set(&state, &access, &body.substance, body.on_list).await?;
    Ok(axum::Json(ops::watchlist(&state, l).await?).into_response())
}
