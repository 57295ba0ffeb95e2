//! The discharge notice and the joint plan (issue 16, section 3): the router of its pages and
//! JSON API and its OpenAPI document.
//!
//! | file | what |
//! |---|---|
//! | `access.rs` | `NoticeAccess`: the decision on one notice (the unit holds it; the municipality it is addressed to reads it on the legal basis); a denial is logged and answered 404 |
//! | `ops.rs` | the operations: raise, a step (decided as the side's write, checked against the notice as stored, written expecting its version), read, list (each read logged), the national figures, a municipality's subscriber |
//! | `docs.rs` | a notice as JSON; the bodies of a raise and a step |
//! | `api.rs` | the JSON API with its OpenAPI description |
//! | `pages.rs` | the inbox (updating itself: `inbox.js` polls the stamp) or the unit's list with the form to raise a notice; one notice with its steps' forms |
//! | `national.rs` | the national view for analysts |
//! | `start.rs` | the links to the discharge pages a role may open (on the coordination area's pages) |
//!
//! The rules are `varde_core::coordination::discharge`; storage is `varde_store`'s
//! `discharge_*` methods; webhooks go through the shared outbox (`varde_store::Outbox`).

pub(crate) mod access;
mod api;
pub mod demo;
mod docs;
mod national;
pub mod ops;
mod pages;
pub mod start;

pub use access::NoticeAccess;

use axum::Router;
use utoipa::OpenApi as _;

use crate::AppState;

/// The pages.
pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(pages::routes())
        .merge(national::routes())
}

/// The JSON API (mounted under `/api/v1`).
pub fn api_routes() -> Router<AppState> {
    api::routes()
}

/// The OpenAPI document.
pub fn api_doc() -> utoipa::openapi::OpenApi {
    api::ApiDoc::openapi()
}
