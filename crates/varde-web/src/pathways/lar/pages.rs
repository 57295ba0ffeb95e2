//! The LAR page (`/pathways/lar`): the population, the episodes and the agreements, and one
//! form per command, each posting to its own route and calling [`super::record`].

use askama::Template;
use axum::extract::State;
use axum::routing::{get, post};
use axum::Router;
use serde::de::DeserializeOwned;
use varde_core::authz::Action;
use varde_core::org::{Principal, Qualification};

use super::{
    agreements, episodes, population, AdmitRequest, AgreementDoc, AgreementRequest,
    DelegateRequest, DischargeRequest, EpisodeDoc, LarRequest, Population,
};
use crate::authz::{read_entry, OrgAccess, ReadLar, WriteLar};
use crate::forms::{finish, render, CsrfForm, PageResult};
use crate::shell::{Chrome, Page};
use crate::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/pathways/lar", get(page))
        .route("/pathways/lar/admit", post(submit::<AdmitRequest>))
        .route("/pathways/lar/discharge", post(submit::<DischargeRequest>))
        .route("/pathways/lar/delegate", post(submit::<DelegateRequest>))
        .route("/pathways/lar/agreement", post(submit::<AgreementRequest>))
}

#[derive(Template)]
#[template(path = "pathways/lar.html")]
struct LarT {
    c: Chrome,
    as_of: String,
    population: Population,
    episodes: Vec<EpisodeDoc>,
    agreements: Vec<AgreementDoc>,
    error: Option<String>,
    /// The i18n key of the user's recorded qualification.
    qualification_key: &'static str,
}

/// The page, its read decided and logged (also when it is shown again after a refused form,
/// reached with the write permission: that is a read).
async fn view(
    state: &AppState,
    c: Chrome,
    principal: &Principal,
    error: Option<String>,
) -> PageResult {
    let today = state.clock.today();
    let org = principal.org;
    let entry = read_entry(
        state,
        principal,
        Action::LarRead,
        format!("lar:org:{}", org.0),
    )
    .await?;
    let (reg, _) = super::load(state, org).await?;
    state.store.log_access(&entry).await?;
    render(&LarT {
        c,
        as_of: today.to_string(),
        population: population(&reg, today),
        episodes: episodes(&reg, today),
        agreements: agreements(&reg, today),
        error,
        qualification_key: match principal.qualification {
            Qualification::Specialist => "pathways.lar.role_specialist",
            Qualification::Physician => "pathways.lar.role_physician",
            Qualification::Gp => "pathways.lar.role_gp",
            Qualification::Other => "pathways.lar.role_other",
        },
    })
}

async fn page(State(state): State<AppState>, page: Page, access: OrgAccess<ReadLar>) -> PageResult {
    view(&state, page.c, &access.principal, None).await
}

/// One form's command: recorded, then the page again (with the refusal if there was one).
async fn submit<R: LarRequest + DeserializeOwned + Send>(
    State(state): State<AppState>,
    page: Page,
    access: OrgAccess<WriteLar>,
    CsrfForm(req): CsrfForm<R>,
) -> PageResult {
    let result = super::record(&state, &access, &req).await;
    let l = page.c.l;
    finish(
        result,
        |()| "/pathways/lar".to_owned(),
        |e| view(&state, page.c, &access.principal, Some(e.message(l))),
    )
    .await
}
