//! The overdose notices' pages: the worklist (`/coordination/overdose`: a municipality's
//! follow-up list, which updates itself by the stamp, with the hours left of each risk week;
//! and, for an ambulance service's or emergency ward's clinician, the form to register), one
//! notice with the follow-up's forms (`/coordination/overdose/{id}`).

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;
use varde_core::authz::Action;
use varde_core::coordination::overdose::{Means, Outcome};
use varde_core::org::OrgKind;

use super::access::{decide_on, OverdoseAccess};
use super::ops::{self, doc, OverdoseDoc, RegisterBody, StepBody};
use crate::authz::{ListPersons, OrgAccess, ReadOverdose, RegisterOverdose};
use crate::error::WebError;
use crate::forms::{finish, render, render_status, CsrfForm, FormError, PageResult};
use crate::shell::{Chrome, Page};
use crate::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/coordination/overdose", get(list).post(register))
        .route("/coordination/overdose/{id}", get(one))
        .route("/coordination/overdose/{id}/{step}", post(step))
}

/// The form to register, as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct RegisterForm {
    person: String,
    municipality: String,
    occurred_at: String,
    service: String,
    consent_by: String,
    guardian_name: String,
    consent_until: String,
    given_how: String,
    note: String,
}

impl RegisterForm {
    fn body(&self) -> Result<RegisterBody, WebError> {
        let person =
            self.person.trim().parse::<i64>().map_err(|_| {
                WebError::invalid("person", "no person with this id in the register")
            })?;
        let municipality = match self.municipality.trim() {
            "" => None,
            m => Some(
                m.parse::<i64>()
                    .map_err(|_| WebError::invalid("municipality", "a municipality in Varde"))?,
            ),
        };
        Ok(RegisterBody {
            person,
            municipality,
            occurred_at: self.occurred_at.clone(),
            service: self.service.clone(),
            consent_by: self.consent_by.clone(),
            guardian_name: self.guardian_name.clone(),
            consent_until: self.consent_until.clone(),
            given_how: self.given_how.clone(),
            note: self.note.clone(),
        })
    }
}

#[derive(Template)]
#[template(path = "coordination/overdose/list.html")]
struct ListT {
    c: Chrome,
    municipality: bool,
    may_register: bool,
    stamp: String,
    notices: Vec<OverdoseDoc>,
    /// A municipality's own registrations for follow-up elsewhere.
    sent: Vec<OverdoseDoc>,
    persons: Vec<(i64, String)>,
    municipalities: Vec<(i64, String)>,
    form: RegisterForm,
    error: FormError,
    now: String,
}

async fn list_page(
    state: &AppState,
    page: Page,
    access: &OrgAccess<ReadOverdose>,
    form: RegisterForm,
    error: FormError,
) -> PageResult {
    let p = &access.principal;
    let municipality = p.org_kind == Some(OrgKind::Municipality);
    let may_register = ops::may_register(p);
    let stamp = state.store.overdose_stamp(p.org).await?;
    let notices = ops::list(state, access)
        .await?
        .iter()
        .map(|n| doc(state, n))
        .collect();
    let sent = ops::sent(state, access)
        .await?
        .iter()
        .map(|n| doc(state, n))
        .collect();
    let (persons, municipalities) = if may_register {
        let people = OrgAccess::<ListPersons>::decide(state, p.clone()).await?;
        let entry = people.access(state, "", format!("persons:{}", p.org.0));
        let persons = state
            .store
            .list_persons_logged(p.org, &entry)
            .await?
            .into_iter()
            .map(|r| (r.id, r.record.name))
            .collect();
        let municipalities = state
            .store
            .list_orgs()
            .await?
            .into_iter()
            .filter(|o| o.kind == OrgKind::Municipality.as_str())
            .map(|o| (o.id.0, o.name))
            .collect();
        (persons, municipalities)
    } else {
        (Vec::new(), Vec::new())
    };
    let now = varde_core::calendar::time_in_oslo(state.clock.now());
    let t = ListT {
        c: page.c,
        municipality,
        may_register,
        stamp,
        notices,
        sent,
        persons,
        municipalities,
        form,
        error,
        now: now.strftime("%Y-%m-%dT%H:%M").to_string(),
    };
    render(&t)
}

/// `GET /coordination/overdose`: the follow-up worklist, or the registering organisation's
/// notices and the form.
async fn list(
    State(state): State<AppState>,
    page: Page,
    access: OrgAccess<ReadOverdose>,
) -> PageResult {
    let form = RegisterForm {
        service: "ambulance".into(),
        consent_by: "person".into(),
        given_how: "oral".into(),
        consent_until: varde_core::calendar::add_days(state.clock.today(), 30).to_string(),
        ..RegisterForm::default()
    };
    list_page(&state, page, &access, form, FormError::default()).await
}

/// `POST /coordination/overdose`: registers a notice; to its page, or the form again.
async fn register(
    State(state): State<AppState>,
    page: Page,
    access: OrgAccess<RegisterOverdose>,
    CsrfForm(form): CsrfForm<RegisterForm>,
) -> PageResult {
    let result = match form.body() {
        Ok(body) => ops::register(&state, &access, &body).await,
        Err(e) => Err(e),
    };
    let read = OrgAccess::<ReadOverdose>::decide(&state, access.principal.clone()).await?;
    finish(
        result,
        |id| format!("/coordination/overdose/{id}"),
        |e| async move {
            let l = page.c.l;
            list_page(&state, page, &read, form, FormError::new(&e, l)).await
        },
    )
    .await
}

#[derive(Template)]
#[template(path = "coordination/overdose/notice.html")]
struct NoticeT {
    c: Chrome,
    n: OverdoseDoc,
    /// Whether the user may record the follow-up now.
    may_follow_up: bool,
    means: Vec<&'static str>,
    outcomes: Vec<&'static str>,
    form: StepBody,
    refused: String,
    error: FormError,
    now: String,
}

async fn notice_page(
    state: &AppState,
    page: Page,
    access: &OverdoseAccess<ReadOverdose>,
    form: StepBody,
    refused: &str,
    error: FormError,
    status: StatusCode,
) -> PageResult {
    let n = ops::read(state, access).await?;
    let (decision, _) = decide_on(
        state,
        &access.principal,
        Action::CoordinationOverdoseFollowUp,
        &access.notice,
    )
    .await?;
    let now = varde_core::calendar::time_in_oslo(state.clock.now());
    let t = NoticeT {
        c: page.c,
        may_follow_up: decision.allowed && n.notice.closed_at.is_none(),
        n: doc(state, &n),
        means: Means::ALL.iter().map(|m| m.as_str()).collect(),
        outcomes: Outcome::ALL.iter().map(|o| o.as_str()).collect(),
        form,
        refused: refused.to_owned(),
        error,
        now: now.strftime("%Y-%m-%dT%H:%M").to_string(),
    };
    render_status(&t, status)
}

/// `GET /coordination/overdose/{id}`: one notice.
async fn one(
    State(state): State<AppState>,
    page: Page,
    access: OverdoseAccess<ReadOverdose>,
) -> PageResult {
    notice_page(
        &state,
        page,
        &access,
        StepBody::default(),
        "",
        FormError::default(),
        StatusCode::OK,
    )
    .await
}

/// `POST /coordination/overdose/{id}/{step}`: records the attempt or closes; back to the
/// notice, or its form again with the rule.
async fn step(
    State(state): State<AppState>,
    page: Page,
    access: OverdoseAccess<ReadOverdose>,
    Path((id, step)): Path<(i64, String)>,
    CsrfForm(form): CsrfForm<StepBody>,
) -> PageResult {
    let result = ops::step(&state, &access, &step, &form).await;
    finish(
        result,
        |_| format!("/coordination/overdose/{id}"),
        |e| async move {
            let l = page.c.l;
            let e = FormError::new(&e, l);
            notice_page(&state, page, &access, form, &step, e, StatusCode::OK).await
        },
    )
    .await
}
