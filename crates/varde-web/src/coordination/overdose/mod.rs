//! Follow-up after a non-fatal overdose (issue 16, section 4): the router of its pages and
//! JSON API and its OpenAPI document.
//!
//! | file | what |
//! |---|---|
//! | `access.rs` | `OverdoseAccess`: the decision on one notice (the registering organisation holds it; the municipality reads it by the person's consent, read at each decision and named in the access entry); a denial is logged and answered 404 |
//! | `ops.rs` | the operations: register (the consent, the notice, the monitoring row, the outbox rows in one write), a step (attempt, close), read, list; the notice as JSON |
//! | `api.rs` | the JSON API with its OpenAPI description |
//! | `demo.rs` | the demo's notices in Oslo and Bergen in every state, registered by the demo's emergency ward clinician (`ambulanse`) |
//! | `national.rs` | the national figures for analysts (page and API): per municipality and year, attempts and contact within the risk week, suppressed along the national sums |
//! | `pages.rs` | the worklist (updating itself by the stamp, with the hours left of each risk week) with the form to register; one notice with the follow-up's forms |
//!
//! The rules are `varde_core::coordination::overdose`; storage is `varde_store`'s
//! `overdose_*` methods; webhooks go to the municipality's coordination subscribers through
//! the shared outbox (`varde_store::Outbox::CoordinationOverdose`).

mod access;
mod api;
pub mod demo;
pub mod national;
pub mod ops;
mod pages;

pub use access::OverdoseAccess;

use axum::Router;
use utoipa::OpenApi as _;

use crate::AppState;

/// The pages.
pub fn routes() -> Router<AppState> {
    pages::routes().merge(national::routes())
}

/// The JSON API (mounted under `/api/v1`).
pub fn api_routes() -> Router<AppState> {
    api::routes().merge(national::api_routes())
}

/// The OpenAPI document.
pub fn api_doc() -> utoipa::openapi::OpenApi {
    api::ApiDoc::openapi()
}
