//! Area 5, monitoring (overvåking), first part: the analysts' signal inbox and the watchlist.
//!
//! | file | what |
//! |---|---|
//! | `ops.rs` | the operations: a signal's change (acknowledge, link, dismiss), the watchlist's |
//! | `api.rs` | the JSON API: `/api/v1/signals…`, `/api/v1/monitoring/watchlist` |
//! | `pages.rs` | the inbox `/monitoring` and one signal `/monitoring/signals/{id}` with its forms |
//! | `watchlist.rs` | the watchlist page `/monitoring/watchlist` with its forms |
//! | `series.rs` | the weekly series' incremental evaluation and aberration signals, the series as read |
//! | `rules.rs` | the detection rules: page `/monitoring/rules`, API `/api/v1/monitoring/rules…` |
//! | `dashboard.rs` | `/monitoring/series`, `/monitoring/dashboard`, `GET /api/v1/monitoring/series` |
//!
//! The rules are `varde_core::monitoring`; storage is `varde_store::monitoring`.

mod api;
mod dashboard;
pub mod ops;
mod pages;
pub mod rules;
pub mod series;
mod watchlist;

use axum::Router;
use utoipa::OpenApi as _;

use crate::AppState;

/// The area's pages.
pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(pages::routes())
        .merge(watchlist::routes())
        .merge(rules::routes())
        .merge(dashboard::routes())
}

/// The area's JSON API (mounted under `/api/v1`).
pub fn api_routes() -> Router<AppState> {
    api::routes()
        .merge(rules::api_routes())
        .merge(dashboard::api_routes())
}

/// The area's OpenAPI document.
pub fn api_doc() -> utoipa::openapi::OpenApi {
    let mut doc = api::ApiDoc::openapi();
    doc.merge(rules::ApiDoc::openapi());
    doc.merge(dashboard::ApiDoc::openapi());
    doc
}
