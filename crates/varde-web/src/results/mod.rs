//! Area 8, following the reform's results: the plans as data, indicators tied to their
//! sources, status ratings, and the dashboards (the analysts' and the public's).
//!
//! | file | what |
//! |---|---|
//! | `ops.rs` | the operations: the plans, a focus area's dashboard (imported values, and values read from inside Varde at view time), a rating |
//! | `internal.rs` | the values read from inside Varde: monitoring, drug checking, warnings, pathway shares |
//! | `aggregates.rs` | the values read from the advisory statistics and the coordination figures (the store's aggregate reads: nothing personal, no access entry) |
//! | `view.rs` | the dashboard as pages show it: charts with their tables, CSV downloads |
//! | `pages.rs` | `/results`, `/results/{plan}/{focus}`, its `table.csv`, the rating form `/results/{plan}/rate` |
//! | `public.rs` | `/public/results…` (no login) and `GET /api/v1/public/results/{plan}/{focus}` |
//! | `import.rs` | the values' import: `POST /api/v1/results/import?source=`, the page `/results/import` |
//! | `api.rs` | `GET /api/v1/results/plans`, `GET /api/v1/results/{plan}/{focus}`, `POST /api/v1/results/{plan}/ratings` |
//! | `euda.rs` | the EU drugs agency's tables for a year (TDI, DRD): `/results/euda`, `GET /api/v1/results/euda/{table}` |
//! | `demo.rs` | the demo's indicator values |
//!
//! The rules are `varde_core::results`; storage is `varde_store`'s `results_*` methods.

mod aggregates;
mod api;
pub mod demo;
pub mod euda;
pub mod import;
mod internal;
pub mod ops;
mod pages;
mod public;
mod view;

use axum::Router;
use utoipa::OpenApi as _;

use crate::AppState;

/// The area's pages (the public ones need no login).
pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(pages::routes())
        .merge(public::routes())
        .merge(import::routes())
        .merge(euda::routes())
}

/// The area's JSON API (mounted under `/api/v1`).
pub fn api_routes() -> Router<AppState> {
    api::routes()
        .merge(import::api_routes())
        .merge(public::api_routes())
        .merge(euda::api_routes())
}

/// The area's OpenAPI document.
pub fn api_doc() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        api::api_plans,
        api::api_focus,
        api::api_rate,
        import::api_import,
        public::api_focus,
        euda::api_table
    ),
    components(schemas(
        ops::FocusDoc,
        ops::GoalDoc,
        ops::IndicatorDoc,
        ops::PointDoc,
        ops::RatingDoc,
        ops::MeasureDoc,
        api::RatingBody,
        api::RatedDoc,
        import::ImportAnswer,
        crate::import::Refused
    ))
)]
struct ApiDoc;
