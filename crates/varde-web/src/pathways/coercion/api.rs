//! The coercion JSON API under `/api/v1/coercion`: one route per command, each calling
//! [`super::record`], and the reads of the stays and the yearly table.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use jiff::civil::Date;
use varde_core::fields::{self, FieldError};
use varde_core::pathways::coercion::command::CoercionCommand;

use super::{
    due_docs, load_stays, stay_doc, table, DateRequest, DecisionDoc, DecisionRequest, DueDoc,
    StayDoc, StayRequest, TableRow, WarningDoc, YearTable,
};
use crate::api::ApiJson;
use crate::authz::{OrgAccess, ReadCoercion, WriteCoercion};
use crate::error::{Problem, WebError};
use crate::forms::{AsOfQuery, YearQuery};
use crate::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/coercion/stays", post(start).get(stays))
        .route("/coercion/stays/{stay_id}/end", post(end))
        .route("/coercion/stays/{stay_id}/decisions", post(decide))
        .route(
            "/coercion/stays/{stay_id}/decisions/{number}/appeal",
            post(appeal),
        )
        .route(
            "/coercion/stays/{stay_id}/decisions/{number}/county-board",
            post(county_board),
        )
        .route("/coercion/table", get(year_table))
        .route("/coercion/due", get(due_list))
}

/// Records a command on stay `stay_id` (from the path or the body; checked), the command made
/// from today's date: 201 with the stay as it now is.
async fn created(
    state: &AppState,
    access: &OrgAccess<WriteCoercion>,
    stay_id: &str,
    cmd: impl FnOnce(Date) -> Result<CoercionCommand, FieldError>,
) -> Result<Response, WebError> {
    let stay_id = fields::path_id("stay_id", stay_id)?;
    let today = state.clock.today();
    let s = super::record(state, access, &stay_id, cmd(today)?).await?;
    let doc = stay_doc(&stay_id, &s, today);
    Ok((StatusCode::CREATED, axum::Json(doc)).into_response())
}

/// Starts an institutional stay.
#[utoipa::path(post, path = "/api/v1/coercion/stays", request_body = StayRequest,
    responses((status = 201, body = StayDoc), (status = 422, body = Problem), (status = 403, body = Problem)))]
async fn start(
    State(state): State<AppState>,
    access: OrgAccess<WriteCoercion>,
    ApiJson(req): ApiJson<StayRequest>,
) -> Result<Response, WebError> {
    let (stay_id, cmd) = req.command(state.clock.today())?;
    created(&state, &access, &stay_id, |_| Ok(cmd)).await
}

/// Ends a stay.
#[utoipa::path(post, path = "/api/v1/coercion/stays/{stay_id}/end", request_body = DateRequest,
    responses((status = 201, body = StayDoc), (status = 422, body = Problem)))]
async fn end(
    State(state): State<AppState>,
    access: OrgAccess<WriteCoercion>,
    Path(stay_id): Path<String>,
    ApiJson(req): ApiJson<DateRequest>,
) -> Result<Response, WebError> {
    created(&state, &access, &stay_id, |today| req.end(today)).await
}

/// Records a decision under § 10-2, 10-3 or 10-4; answers the stay with the computed dates.
#[utoipa::path(post, path = "/api/v1/coercion/stays/{stay_id}/decisions", request_body = DecisionRequest,
    responses((status = 201, body = StayDoc), (status = 422, body = Problem)))]
async fn decide(
    State(state): State<AppState>,
    access: OrgAccess<WriteCoercion>,
    Path(stay_id): Path<String>,
    ApiJson(req): ApiJson<DecisionRequest>,
) -> Result<Response, WebError> {
    created(&state, &access, &stay_id, |today| req.command(today)).await
}

/// Records an appeal (klage) against a decision.
#[utoipa::path(post, path = "/api/v1/coercion/stays/{stay_id}/decisions/{number}/appeal", request_body = DateRequest,
    responses((status = 201, body = StayDoc), (status = 422, body = Problem)))]
async fn appeal(
    State(state): State<AppState>,
    access: OrgAccess<WriteCoercion>,
    Path((stay_id, number)): Path<(String, usize)>,
    ApiJson(req): ApiJson<DateRequest>,
) -> Result<Response, WebError> {
    created(&state, &access, &stay_id, |today| req.appeal(number, today)).await
}

/// Records that a temporary decision was sent to the county board.
#[utoipa::path(post, path = "/api/v1/coercion/stays/{stay_id}/decisions/{number}/county-board", request_body = DateRequest,
    responses((status = 201, body = StayDoc), (status = 422, body = Problem)))]
async fn county_board(
    State(state): State<AppState>,
    access: OrgAccess<WriteCoercion>,
    Path((stay_id, number)): Path<(String, usize)>,
    ApiJson(req): ApiJson<DateRequest>,
) -> Result<Response, WebError> {
    created(&state, &access, &stay_id, |today| {
        req.county_board(number, today)
    })
    .await
}

/// Every stay with its decisions, computed end dates and the warnings on `as_of`.
#[utoipa::path(get, path = "/api/v1/coercion/stays", params(("as_of" = Option<String>, Query, description = "YYYY-MM-DD, default today")),
    responses((status = 200, body = [StayDoc])))]
async fn stays(
    State(state): State<AppState>,
    access: OrgAccess<ReadCoercion>,
    Query(q): Query<AsOfQuery>,
) -> Result<Response, WebError> {
    let date = q.date(state.clock.today())?;
    let stays = load_stays(&state, access.org()).await?;
    access
        .log(&state, format!("coercion-stays:org:{}", access.org().0))
        .await?;
    let docs: Vec<StayDoc> = stays.iter().map(|(id, s)| stay_doc(id, s, date)).collect();
    Ok(axum::Json(docs).into_response())
}

/// The yearly table: temporary decisions, main cases and appeals per section.
#[utoipa::path(get, path = "/api/v1/coercion/table", params(("year" = Option<i16>, Query, description = "default this year")),
    responses((status = 200, body = YearTable)))]
async fn year_table(
    State(state): State<AppState>,
    access: OrgAccess<ReadCoercion>,
    Query(q): Query<YearQuery>,
) -> Result<Response, WebError> {
    let year = q.year(state.clock.today())?;
    let stays = load_stays(&state, access.org()).await?;
    access
        .log(&state, format!("coercion-table:org:{}", access.org().0))
        .await?;
    Ok(axum::Json(table(&stays, year)).into_response())
}

/// The limits of chapter 10 falling due within 7 days of `as_of` or past it, on the stays
/// that go on (the worklist's coercion rows), most urgent first.
#[utoipa::path(get, path = "/api/v1/coercion/due", params(("as_of" = Option<String>, Query, description = "YYYY-MM-DD, default today")),
    responses((status = 200, body = [DueDoc])))]
async fn due_list(
    State(state): State<AppState>,
    access: OrgAccess<ReadCoercion>,
    Query(q): Query<AsOfQuery>,
) -> Result<Response, WebError> {
    let date = q.date(state.clock.today())?;
    let stays = load_stays(&state, access.org()).await?;
    access
        .log(&state, format!("coercion-worklist:org:{}", access.org().0))
        .await?;
    Ok(axum::Json(due_docs(&stays, date)).into_response())
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(start, end, decide, appeal, county_board, stays, year_table, due_list),
    components(schemas(
        StayRequest,
        DateRequest,
        DecisionRequest,
        DecisionDoc,
        WarningDoc,
        StayDoc,
        TableRow,
        YearTable,
        DueDoc
    ))
)]
pub struct ApiDoc;
