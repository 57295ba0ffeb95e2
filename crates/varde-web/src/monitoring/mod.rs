//! Area 5, monitoring (overvåking), first part: the analysts' signal inbox and the watchlist.
//!
//! | file | what |
//! |---|---|
//! | `ops.rs` | the operations: a signal's change (acknowledge, link, dismiss), the watchlist's |
//! | `api.rs` | the JSON API: `/api/v1/signals…`, `/api/v1/monitoring/watchlist` |
//! | `pages.rs` | the inbox `/monitoring` and one signal `/monitoring/signals/{id}` with its forms |
//! | `watchlist.rs` | the watchlist page `/monitoring/watchlist` with its forms |
//!
//! The rules are `varde_core::monitoring`; storage is `varde_store::monitoring`.

mod api;
pub mod ops;
mod pages;
mod watchlist;

use axum::Router;
use utoipa::OpenApi as _;

use crate::AppState;

/// The area's pages.
pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(pages::routes())
        .merge(watchlist::routes())
}

/// The area's JSON API (mounted under `/api/v1`).
pub fn api_routes() -> Router<AppState> {
    api::routes()
}

/// The area's OpenAPI document.
pub fn api_doc() -> utoipa::openapi::OpenApi {
    api::ApiDoc::openapi()
}
