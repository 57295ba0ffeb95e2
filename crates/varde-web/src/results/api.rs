//! The JSON API of the results area (under `/api/v1`): `GET /results/plans` (both plans with
//! their focus areas, goals, measures and indicators), `GET /results/{plan}/{focus}?area=`
//! (a focus area's dashboard) and `POST /results/{plan}/ratings` (set a rating). The import
//! is in `import.rs`, the public dashboard in `public.rs`.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use varde_core::results::ratings::RatingInput;
use varde_core::results::values::any_area;

use super::ops::{self, FocusDoc};
use crate::api::ApiJson;
use crate::authz::{OrgAccess, RateResults, ReadResults};
use crate::error::{Problem, WebError};
use crate::i18n::Lang;
use crate::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/results/plans", get(api_plans))
        .route("/results/{plan}/ratings", post(api_rate))
        .route("/results/{plan}/{focus}", get(api_focus))
}

/// Both plans as data: focus areas (the escalation plan: main goals), goals (sub-goals) with
/// the source document's line, measures with their owner, and indicators with source, unit,
/// direction, area level and where inside Varde their values are read.
#[utoipa::path(get, path = "/api/v1/results/plans",
    responses((status = 200, description = "the plans"), (status = 403, body = Problem)))]
pub(super) async fn api_plans(
    State(state): State<AppState>,
    _access: OrgAccess<ReadResults>,
) -> Result<Response, WebError> {
    Ok(axum::Json(ops::plans(&state).await?).into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct AreaQuery {
    area: String,
}

/// A focus area's dashboard for an area (`national` by default, `county:NN`, a municipality
/// number or `hf:{name}`): goals, each indicator's values by year with the latest and the
/// direction against the goal, ratings in force with who set them, measures.
#[utoipa::path(get, path = "/api/v1/results/{plan}/{focus}",
    params(("plan" = String, Path), ("focus" = i64, Path), ("area" = Option<String>, Query)),
    responses((status = 200, body = FocusDoc), (status = 404, body = Problem), (status = 422, body = Problem), (status = 403, body = Problem)))]
pub(super) async fn api_focus(
    State(state): State<AppState>,
    access: OrgAccess<ReadResults>,
    l: Lang,
    Path((plan, f)): Path<(String, String)>,
    Query(q): Query<AreaQuery>,
) -> Result<Response, WebError> {
    let plan = ops::plan(&state, &plan).await?;
    let no: i64 = f.parse().map_err(|_| WebError::not_found())?;
    let area = if q.area.trim().is_empty() {
        "national".to_owned()
    } else {
        any_area("area", &q.area)?
    };
    let doc = ops::focus_doc(&state, &plan, no, &area, false, l).await?;
    access
        .log(&state, format!("results:{}:{no}:{area}", plan.id))
        .await?;
    Ok(axum::Json(doc).into_response())
}

/// A rating to set.
#[derive(Debug, Deserialize, ToSchema)]
pub struct RatingBody {
    /// The goal's id in the plan (`2.1`).
    pub goal: String,
    /// A year of the plan's period, not after this year.
    pub year: i64,
    /// `-`, `+`, `++` or `+++`.
    pub rating: String,
    /// Why (at least 10 characters).
    pub reason: String,
}

/// A rating set.
#[derive(Debug, Serialize, ToSchema)]
pub struct RatedDoc {
    pub plan: String,
    pub goal: String,
    pub year: i16,
    pub rating: String,
    pub reason: String,
    /// The user who set it.
    pub set_by: String,
}

/// Sets a goal's status rating for a year (`-`, `+`, `++`, `+++`) with a written reason; the
/// author is the caller. 422 names each field broken.
#[utoipa::path(post, path = "/api/v1/results/{plan}/ratings", request_body = RatingBody,
    params(("plan" = String, Path)),
    responses((status = 201, body = RatedDoc), (status = 404, body = Problem), (status = 422, body = Problem), (status = 403, body = Problem)))]
pub(super) async fn api_rate(
    State(state): State<AppState>,
    access: OrgAccess<RateResults>,
    Path(plan): Path<String>,
    ApiJson(body): ApiJson<RatingBody>,
) -> Result<Response, WebError> {
    let input = RatingInput {
        goal: body.goal,
        year: body.year.to_string(),
        rating: body.rating,
        reason: body.reason,
    };
    let r = ops::rate(&state, &access, &plan, &input).await?;
    let doc = RatedDoc {
        plan: r.plan,
        goal: r.goal,
        year: r.year,
        rating: r.rating.as_str().to_owned(),
        reason: r.reason,
        set_by: access.principal.username.clone(),
    };
    Ok((StatusCode::CREATED, axum::Json(doc)).into_response())
}
