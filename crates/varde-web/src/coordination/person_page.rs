//! A person's coordination page (`/coordination/persons/{id}`, a person of the user's
//! organisation): the plans the user may see (another organisation's only with consent or a
//! legal basis, each logged), the consents recorded or given to the organisation, the forms to
//! open a plan and record a consent, a button to withdraw each consent in force; and the
//! printable overview for the person (`…/overview`): every consent in force and every
//! organisation that read their data.

use askama::Template;
use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::Router;
use varde_core::coordination::consent::ConsentInput;
use varde_store::{Reader, StoredConsent};

use super::ops::{self, PersonView};
use crate::forms::{finish, render, CsrfForm, FormError, NoFields, PageResult};
use crate::shell::{Chrome, Page};
use crate::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/coordination/persons/{id}", get(show))
        .route("/coordination/persons/{id}/overview", get(overview))
        .route("/coordination/persons/{id}/plans", post(new_plan))
        .route("/coordination/persons/{id}/consents", post(new_consent))
        .route(
            "/coordination/persons/{id}/consents/{consent}/withdraw",
            post(withdraw),
        )
}

/// A form's fields as typed, to show again after a refusal.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(transparent)]
pub struct Typed(pub Vec<(String, String)>);

impl Typed {
    /// The value typed in `name` (the last, for a field sent twice).
    pub fn v(&self, name: &str) -> &str {
        self.0
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    }
    /// Every value typed in `name`.
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }
}

#[derive(Template)]
#[template(path = "coordination/person.html")]
struct PersonT {
    c: Chrome,
    v: PersonView,
    /// The person's pathway status at other organisations, by their consent.
    shared: Vec<super::pathway_status::SharedStatus>,
    orgs: Vec<(i64, String)>,
    today: String,
    /// Which form was refused (`plan`, `consent`), with its error and what was typed.
    failed: String,
    error: FormError,
    form: Typed,
}

impl PersonT {
    fn active(&self, c: &StoredConsent) -> bool {
        c.withdrawn_at.is_none() && c.valid_until.as_str() >= self.today.as_str()
    }
}

async fn page_with(
    state: &AppState,
    page: Page,
    id: i64,
    failed: &str,
    error: FormError,
    form: Typed,
) -> PageResult {
    let v = ops::person_view(state, &page.user.principal, id).await?;
    let shared = super::pathway_status::shared(state, &page.user.principal, &v.person).await?;
    let own = page.user.principal.org.0;
    let mut orgs: Vec<(i64, String)> = state
        .store
        .list_orgs()
        .await?
        .into_iter()
        .filter(|o| o.id.0 != own)
        .map(|o| (o.id.0, o.name))
        .collect();
    orgs.sort_by(|a, b| a.1.cmp(&b.1));
    render(&PersonT {
        c: page.c,
        v,
        shared,
        orgs,
        today: state.clock.today().to_string(),
        failed: failed.to_owned(),
        error,
        form,
    })
}

async fn show(State(state): State<AppState>, page: Page, Path(id): Path<i64>) -> PageResult {
    page_with(&state, page, id, "", FormError::default(), Typed::default()).await
}

async fn new_plan(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<Typed>,
) -> PageResult {
    let r = ops::create_plan(
        &state,
        &page.user.principal,
        id,
        f.v("coordinator"),
        f.v("status"),
    )
    .await;
    let l = page.c.l;
    finish(
        r,
        |plan| format!("/coordination/plans/{plan}"),
        |e| page_with(&state, page, id, "plan", FormError::new(&e, l), f.clone()),
    )
    .await
}

async fn new_consent(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<Typed>,
) -> PageResult {
    let input = ConsentInput {
        scope: f.v("scope").to_owned(),
        grantee_org: f.v("grantee_org").to_owned(),
        grantee_group: f.v("grantee_group").to_owned(),
        purpose: f.v("purpose").to_owned(),
        valid_from: f.v("valid_from").to_owned(),
        valid_until: f.v("valid_until").to_owned(),
        given_how: f.v("given_how").to_owned(),
    };
    let r = ops::record_consent(&state, &page.user.principal, id, &input).await;
    let l = page.c.l;
    finish(
        r,
        |_| format!("/coordination/persons/{id}#consents"),
        |e| {
            page_with(
                &state,
                page,
                id,
                "consent",
                FormError::new(&e, l),
                f.clone(),
            )
        },
    )
    .await
}

async fn withdraw(
    State(state): State<AppState>,
    page: Page,
    Path((id, consent)): Path<(i64, i64)>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> PageResult {
    let r = ops::withdraw_consent(&state, &page.user.principal, consent).await;
    let l = page.c.l;
    finish(
        r,
        |_| format!("/coordination/persons/{id}#consents"),
        |e| {
            page_with(
                &state,
                page,
                id,
                "consents",
                FormError::new(&e, l),
                Typed::default(),
            )
        },
    )
    .await
}

#[derive(Template)]
#[template(path = "coordination/overview.html")]
struct OverviewT {
    c: Chrome,
    name: String,
    today: String,
    in_force: Vec<StoredConsent>,
    readers: Vec<Reader>,
}

async fn overview(State(state): State<AppState>, page: Page, Path(id): Path<i64>) -> PageResult {
    let o = ops::overview(&state, &page.user.principal, id).await?;
    render(&OverviewT {
        c: page.c,
        name: o.view.name,
        today: state.clock.today().to_string(),
        in_force: o.in_force,
        readers: o.readers,
    })
}
