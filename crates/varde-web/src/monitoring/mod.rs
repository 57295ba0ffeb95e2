//! Area 5, monitoring (overvåking), first part: the analysts' signal inbox and the watchlist.
//!
//! | file | what |
//! |---|---|
//! | `ops.rs` | the operations: a signal's change (acknowledge, link, dismiss), the watchlist's |
//! | `api.rs` | the JSON API: `/api/v1/signals…`, `/api/v1/monitoring/watchlist` |
//! | `pages.rs` | the inbox `/monitoring` and one signal `/monitoring/signals/{id}` with its forms |
//! | `watchlist.rs` | the watchlist page `/monitoring/watchlist` with its forms |
//! | `prescriptions.rs` | prescription risk figures: import, figures, thresholds (API), the demo's seed |
//! | `prescriptions_page.rs` | `/monitoring/prescriptions` and its import page |
//! | `prescriptions_demo.rs` | the demo's figures as import CSV |
//! | `import.rs` | a source's import: the operation, `POST /api/v1/monitoring/import/{source}`, the page `/monitoring/import` |
//! | `sources.rs` | what the sources hold: `/monitoring/sources`, `/monitoring/sources/{source}`, `GET /api/v1/monitoring/sources/{source}` |
//! | `series.rs` | the weekly series' incremental evaluation and aberration signals, the series as read |
//! | `rules.rs` | the detection rules: page `/monitoring/rules`, API `/api/v1/monitoring/rules…` |
//! | `dashboard.rs` | `/monitoring/series`, `/monitoring/dashboard`, `GET /api/v1/monitoring/series` |
//!
//! The rules are `varde_core::monitoring`; storage is `varde_store::monitoring`.

mod api;
mod dashboard;
pub mod demo;
pub mod import;
pub mod ops;
mod pages;
pub mod prescriptions;
mod prescriptions_demo;
mod prescriptions_page;
pub mod rules;
pub mod series;
pub mod sources;
mod watchlist;

use axum::Router;
use utoipa::OpenApi as _;

use crate::AppState;

/// The area's pages.
pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(pages::routes())
        .merge(watchlist::routes())
        .merge(prescriptions_page::routes())
        .merge(import::routes())
        .merge(sources::routes())
        .merge(rules::routes())
        .merge(dashboard::routes())
}

/// The area's JSON API (mounted under `/api/v1`).
pub fn api_routes() -> Router<AppState> {
    api::routes()
        .merge(prescriptions::routes())
        .route(
            "/monitoring/import/{source}",
            axum::routing::post(import::api_import)
                .layer(axum::extract::DefaultBodyLimit::max(import::IMPORT_LIMIT)),
        )
        .merge(sources::api_routes())
        .merge(rules::api_routes())
        .merge(dashboard::api_routes())
}

/// The area's OpenAPI document.
pub fn api_doc() -> utoipa::openapi::OpenApi {
    let mut doc = api::ApiDoc::openapi();
    doc.merge(prescriptions::ApiDoc::openapi());
    doc.merge(SourcesDoc::openapi());
    doc.merge(rules::ApiDoc::openapi());
    doc.merge(dashboard::ApiDoc::openapi());
    doc
}

/// The sources' OpenAPI paths.
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(import::api_import, sources::api_rows),
    components(schemas(import::ImportResult, import::Refusal, sources::SourceRowDoc))
)]
struct SourcesDoc;
