//! The public dashboard, read-only, with no login and no personal data: `/public/results`
//! (both plans and their focus areas), `/public/results/{plan}/{focus}` (the national figures:
//! the same dashboard as the analysts', counts of people of 1–4 suppressed, no user's name on
//! a rating), its tables as CSV, and `GET /api/v1/public/results/{plan}/{focus}` (JSON).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use varde_core::results::plans::Plan;

use super::ops::{self, FocusDoc};
use super::view::{self, GoalView, TableQuery};
use crate::drugcheck::Viewer;
use crate::error::{Problem, WebError};
use crate::forms::{render, FormError, PageResult};
use crate::i18n::Lang;
use crate::shell::Chrome;
use crate::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/public/results", get(index))
        .route("/public/results/{plan}/{focus}", get(focus))
        .route("/public/results/{plan}/{focus}/table.csv", get(table))
}

pub(super) fn api_routes() -> Router<AppState> {
    Router::new().route("/public/results/{plan}/{focus}", get(api_focus))
}

#[derive(Template)]
#[template(path = "results/index.html")]
struct IndexT {
    c: Chrome,
    plans: Vec<Plan>,
    prefix: &'static str,
    may_import: bool,
}

/// `GET /public/results`.
async fn index(State(state): State<AppState>, Viewer(c): Viewer) -> PageResult {
    render(&IndexT {
        plans: ops::plans(&state).await?,
        prefix: "/public/results",
        may_import: false,
        c,
    })
}

#[derive(Template)]
#[template(path = "results/focus.html")]
struct FocusT {
    c: Chrome,
    doc: FocusDoc,
    goals: Vec<GoalView>,
    public: bool,
    prefix: &'static str,
    area: String,
    area_error: FormError,
    may_rate: bool,
    rated: String,
}

async fn national(
    state: &AppState,
    plan: &str,
    focus: &str,
    l: Lang,
) -> Result<FocusDoc, WebError> {
    let plan = ops::plan(state, plan).await?;
    let no: i64 = focus.parse().map_err(|_| WebError::not_found())?;
    ops::focus_doc(state, &plan, no, "national", true, l).await
}

/// `GET /public/results/{plan}/{focus}`.
async fn focus(
    State(state): State<AppState>,
    Viewer(c): Viewer,
    Path((plan, f)): Path<(String, String)>,
) -> PageResult {
    let doc = national(&state, &plan, &f, c.l).await?;
    render(&FocusT {
        goals: view::goals(&doc, c.l),
        doc,
        public: true,
        prefix: "/public/results",
        area: "national".to_owned(),
        area_error: FormError::default(),
        may_rate: false,
        rated: String::new(),
        c,
    })
}

/// `GET /public/results/{plan}/{focus}/table.csv?table=`.
async fn table(
    State(state): State<AppState>,
    Viewer(c): Viewer,
    Path((plan, f)): Path<(String, String)>,
    Query(q): Query<TableQuery>,
) -> Result<Response, WebError> {
    let doc = national(&state, &plan, &f, c.l).await?;
    view::table_csv(&doc, &q, c.l)
}

/// A focus area's national dashboard, public: goals, indicators with their years (counts of
/// people of 1–4 `null` and `suppressed`), ratings without a user's name.
#[utoipa::path(get, path = "/api/v1/public/results/{plan}/{focus}",
    params(("plan" = String, Path, description = "`reform-2024` or `escalation-2007-2012`"), ("focus" = i64, Path, description = "the focus area's (main goal's) number")),
    responses((status = 200, body = FocusDoc), (status = 404, body = Problem)))]
pub(super) async fn api_focus(
    State(state): State<AppState>,
    l: Lang,
    Path((plan, f)): Path<(String, String)>,
) -> Result<Response, WebError> {
    Ok(axum::Json(national(&state, &plan, &f, l).await?).into_response())
}
