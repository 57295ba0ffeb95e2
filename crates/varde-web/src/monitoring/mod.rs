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
//!
//! The rules are `varde_core::monitoring`; storage is `varde_store::monitoring`.

mod api;
pub mod ops;
mod pages;
pub mod prescriptions;
mod prescriptions_demo;
mod prescriptions_page;
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
}

/// The area's JSON API (mounted under `/api/v1`).
pub fn api_routes() -> Router<AppState> {
    api::routes().merge(prescriptions::routes())
}

/// The area's OpenAPI document.
pub fn api_doc() -> utoipa::openapi::OpenApi {
    let mut doc = api::ApiDoc::openapi();
    doc.merge(prescriptions::ApiDoc::openapi());
    doc
}
