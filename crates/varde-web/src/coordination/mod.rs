//! Area 3, coordination between the municipality and specialised treatment: the router of the
//! area's pages and JSON API and its OpenAPI document.

pub mod discharge;

use axum::Router;

use crate::AppState;

/// The area's pages.
pub fn routes() -> Router<AppState> {
    discharge::routes()
}

/// The area's JSON API (mounted under `/api/v1`).
pub fn api_routes() -> Router<AppState> {
    discharge::api_routes()
}

/// The area's OpenAPI document.
pub fn api_doc() -> utoipa::openapi::OpenApi {
    discharge::api_doc()
}
