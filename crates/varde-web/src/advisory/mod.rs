//! Area 2, the municipal advisory units for drug cases (rådgivende enhet for russaker): the
//! router of the area's pages and JSON API, and its OpenAPI document.
//!
//! | file | what |
//! |---|---|
//! | `access.rs` | `CaseAccess<A>`: the decision on the case named in the path, logged when denied |
//! | `ops.rs` | the operations: open a case (people found in or registered with the person register), read one, record an entry (checked against the case as stored, retried when another write came first) |
//! | `entries.rs` | an entry from the text of a form or a JSON body |
//! | `view.rs` | a case as the page and the API show it (health-care content only for clinical roles) |
//! | `api.rs` | the JSON API, the stable contract of issue 12 |
//! | `pages.rs` | the worklist (`/advisory`), the new-case form |
//! | `case_page.rs` | the case page and its forms |
//! | `summons.rs` | the print-ready summons letter of a meeting |
//! | `demo.rs` | the demo's cases in Oslo and Bergen, through the same operations |
//! | `erasure.rs` | the erasure job: closed cases past their unit's retention lose their personal data and leave the anonymous statistics record (background loop and `varde advisory erase`) |
//! | `unit.rs` | the unit's own minimum outreach (page form and `GET|PUT /api/v1/advisory/unit`) |
//! | `advice.rs` | quick anonymous logging of advice given (the worklist's form, `POST /api/v1/advisory/advice`) |
//! | `statistics.rs` | the statistics: `GET /api/v1/advisory/statistics`, the page `/advisory/statistics`, `/advisory/statistics.csv` |
//!
//! The rules are `varde_core::advisory`; storage is `varde_store`'s `advisory_*` methods.

mod access;
mod advice;
mod api;
mod case_page;
pub mod demo;
mod entries;
pub mod erasure;
pub mod ops;
mod pages;
mod statistics;
mod summons;
mod unit;
mod view;

use axum::Router;
use utoipa::OpenApi as _;

use crate::AppState;

/// The area's pages.
pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(pages::routes())
        .merge(case_page::routes())
        .merge(summons::routes())
        .merge(unit::page_routes())
        .merge(advice::page_routes())
        .merge(statistics::page_routes())
}

/// The area's JSON API (mounted under `/api/v1`).
pub fn api_routes() -> Router<AppState> {
    api::routes()
        .merge(unit::api_routes())
        .merge(advice::api_routes())
        .merge(statistics::api_routes())
}

/// The area's OpenAPI document.
pub fn api_doc() -> utoipa::openapi::OpenApi {
    let mut doc = api::ApiDoc::openapi();
    doc.merge(Extra::openapi());
    doc
}

/// The paths of the advice log and the statistics.
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(advice::api, statistics::api),
    components(schemas(advice::AdviceDoc, statistics::StatisticsDoc, statistics::CellDoc))
)]
struct Extra;
