//! Area 1, care pathways in TSB, with LAR and coercion as its sub-areas: the router of the
//! area's pages and JSON API, its state, and its OpenAPI document.
//!
//! | file | what |
//! |---|---|
//! | `cache.rs` | the organisations' parsed events, kept by their stamp |
//! | `events.rs` | register and correct events (checked writes, retried on a race) |
//! | `pathway.rs` | one pathway's page, its event and withdraw forms |
//! | `referral.rs` | the new referral: find or register the person, start the pathway |
//! | `patient.rs` | the patient on a pathway: read with its access-log entry |
//! | `worklist.rs` | the unit's worklist (page; its operation is the API's too) |
//! | `import.rs` | import (operation and page) and export of the event CSV |
//! | `indicators.rs` | the quality indicators a user may see, with trends (page; the API's operation) |
//! | `indicator_tables.rs` | the indicator page's tables: all places side by side, CSV and JSON downloads |
//! | `indicators_api.rs` | the indicators' JSON API (with trends), with its OpenAPI description |
//! | `api.rs` | the JSON API of the rest, with its OpenAPI description |
//! | `lar/` | LAR: operations (`mod.rs`), pages (`pages.rs`), JSON API (`api.rs`) |
//! | `coercion/` | coercion under chapter 10: the same three |
//! | `demo.rs` | the demo's patients, with a referral each |
//! | `national.rs` | national LAR and coercion figures for analysts (page and API) |
//!
//! The rules are `varde_core::pathways` (with `lar` and `coercion`); storage is
//! `varde_store::pathways`; the templates are `templates/pathways/`.

mod api;
pub(crate) mod cache;
pub mod coercion;
mod demo;
pub(crate) mod events;
mod import;
mod indicator_tables;
mod indicators;
mod indicators_api;
pub mod lar;
mod national;
mod pathway;
mod patient;
mod referral;
mod worklist;

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use axum::Router;
use utoipa::OpenApi as _;

pub use demo::seed_demo_patients;
pub use events::mark_feedback_tool_used;

use crate::AppState;

/// Largest CSV import accepted in one request (the national year is about 60 MB).
pub const IMPORT_LIMIT: usize = 256 * 1024 * 1024;

/// The i18n key of a level of the indicators.
pub(crate) fn level_key(level: varde_core::pathways::Level) -> &'static str {
    use varde_core::pathways::Level;
    match level {
        Level::Nation => "pathways.nation",
        Level::Rhf => "pathways.rhf",
        Level::Hf => "pathways.hf",
        Level::Unit => "unit",
    }
}

/// The area's state in [`crate::Inner`].
#[derive(Debug, Default)]
pub struct AreaState {
    cache: cache::PathwayCache,
}

/// The area's pages.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/pathways", get(worklist::worklist_page))
        .route(
            "/pathways/new",
            get(referral::new_page).post(referral::new_submit),
        )
        .route("/pathways/p/{pathway_id}", get(pathway::pathway_page))
        .route(
            "/pathways/p/{pathway_id}/events",
            post(pathway::event_submit),
        )
        .route("/pathways/corrections/{id}", post(pathway::withdraw_submit))
        .route(
            "/pathways/import",
            get(import::import_page)
                .post(import::import_submit)
                .layer(DefaultBodyLimit::max(IMPORT_LIMIT)),
        )
        .route("/pathways/export.csv", get(import::export_csv))
        .route("/pathways/indicators", get(indicators::indicators_page))
        .route(
            "/pathways/indicators/table.csv",
            get(indicator_tables::table_csv),
        )
        .route(
            "/pathways/indicators/table.json",
            get(indicator_tables::table_json),
        )
        .merge(lar::routes())
        .merge(coercion::routes())
        .merge(national::routes())
}

/// The area's JSON API (mounted under `/api/v1`).
pub fn api_routes() -> Router<AppState> {
    Router::new()
        .merge(api::routes())
        .merge(indicators_api::routes())
        .merge(lar::api_routes())
        .merge(coercion::api_routes())
        .merge(national::api_routes())
}

/// The area's OpenAPI document.
pub fn api_doc() -> utoipa::openapi::OpenApi {
    let mut doc = api::ApiDoc::openapi();
    doc.merge(indicators_api::ApiDoc::openapi());
    doc.merge(lar::ApiDoc::openapi());
    doc.merge(coercion::ApiDoc::openapi());
    doc.merge(national::ApiDoc::openapi());
    doc
}
