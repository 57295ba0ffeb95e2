//! Area 3, coordination between the municipality and specialised treatment (issue 16):
//! consent that drives access across organisations, the individual plan with its coordinator
//! and responsibility group, the coordinator's worklist and the figures (sections 1–2), and the
//! discharge notices with the joint plan (section 3, in `discharge/`).
//!
//! | file | what |
//! |---|---|
//! | `access.rs` | `PlanAccess<A>`: the decision on a plan with the consent in force now or the coordinator's legal basis; the access entry names which; another organisation's denial is the 404 of no plan |
//! | `ops.rs` | the operations: create a plan, record and withdraw a consent, write to a plan (checked against it as stored, retried), a person's view and overview |
//! | `api.rs` | the JSON API of plans and consents |
//! | `worklist.rs` | the coordinator's worklist (the area's start page, with links to the discharge notices the role may open) and the figures (page and API) |
//! | `pathway_status.rs` | a person's pathway status at other organisations by their consent (scope `pathway_status`): the read decided and logged per holder, the API |
//! | `person_page.rs` | a person's page (plans, consents, forms) and the printable overview for the person |
//! | `plan_page.rs` | the plan's page and its forms |
//! | `relatives.rs` | relatives' agreements and children as relatives on a plan (section 5): the operations and the page `/coordination/plans/{id}/relatives` |
//! | `relatives_api.rs` | their JSON API and the children figures |
//! | `demo.rs` | the demo's shared people, plans, groups and consents: six in detail |
//! | `demo_cohort.rs` | the other 30 shared people of Oslo and Bergen: plans in every status, groups, consents, a discharge notice in each state, an overdose linked to a plan |
//! | `fhir.rs` | the FHIR R4 export of a plan and its consents (`GET /api/v1/coordination/plans/{id}/fhir`, also the CLI's): read and logged as the plan read is, plus the consents and discharge notices the reader may see |
//! | `discharge/` | the discharge notices: raise, inbox, steps, national view, webhooks, demo |
//! | `notices.rs` | what the discharge and overdose notices share: a step's webhook message, and taking a step (checked against the notice as stored, retried) |
//! | `overdose/` | follow-up after a non-fatal overdose: register with consent, the municipality's worklist, attempts and outcome, the national figures |
//! | `national.rs` | what the national views for analysts share: a municipality's name, a suppressed cell or a mean as shown, the page (year picker, table with the nation's total, hints, links) |
//!
//! The rules are `varde_core::coordination`; storage is `varde_store`'s `coordination_*`.

pub mod access;
mod api;
pub mod demo;
mod demo_cohort;
pub mod discharge;
pub mod fhir;
pub(crate) mod national;
mod notices;
pub mod ops;
pub mod overdose;
pub mod pathway_status;
mod person_page;
mod plan_page;
pub mod relatives;
mod relatives_api;
mod worklist;

use axum::Router;
use utoipa::OpenApi as _;

use crate::AppState;

/// The area's pages.
pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(worklist::page_routes())
        .merge(person_page::routes())
        .merge(plan_page::routes())
        .merge(relatives::routes())
        .merge(discharge::routes())
        .merge(overdose::routes())
}

/// The area's JSON API (mounted under `/api/v1`).
pub fn api_routes() -> Router<AppState> {
    api::routes()
        .merge(worklist::api_routes())
        .merge(relatives_api::routes())
        .merge(discharge::api_routes())
        .merge(overdose::api_routes())
        .merge(pathway_status::api_routes())
        .merge(fhir::routes())
}

/// The area's OpenAPI document.
pub fn api_doc() -> utoipa::openapi::OpenApi {
    let mut doc = api::ApiDoc::openapi();
    doc.merge(worklist::ApiDoc::openapi());
    doc.merge(relatives_api::ApiDoc::openapi());
    doc.merge(discharge::api_doc());
    doc.merge(overdose::api_doc());
    doc.merge(pathway_status::ApiDoc::openapi());
    doc.merge(fhir::ApiDoc::openapi());
    doc
}
