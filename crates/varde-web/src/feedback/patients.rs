//! The clinician's pages: `/feedback` (the organisation's patients with how many sessions each
//! has answered), `/feedback/patients/{id}` (the patient's trend as a chart with its table, the
//! links made, and the form for a new link) and `POST /feedback/patients/{id}/links` (the new
//! link, shown once as a copyable address: only its hash is kept).

use std::collections::HashMap;

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;
use varde_core::authz::Action;
use varde_core::feedback::{LinkInput, Number};
use varde_core::org::Principal;

use super::ops::{self, MadeLink, PatientDoc};
use crate::authz::{
    decide_for, read_entry, OrgAccess, PersonAccess, ReadFeedback, Target, WriteFeedback,
};
use crate::chart::{LineChart, LineSeries};
use crate::error::WebError;
use crate::forms::{render, render_status, CsrfForm, FormError, PageResult};
use crate::shell::{Chrome, Page};
use crate::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/feedback", get(list))
        .route("/feedback/patients/{id}", get(patient))
        .route("/feedback/patients/{id}/links", post(create))
}

pub(super) struct Row {
    pub id: i64,
    pub name: String,
    pub answered: i64,
}

#[derive(Template)]
#[template(path = "feedback/list.html")]
struct ListT {
    c: Chrome,
    rows: Vec<Row>,
}

pub(super) struct LinkRow {
    pub session: String,
    pub made: String,
    pub status: &'static str,
}

#[derive(Template)]
#[template(path = "feedback/patient.html")]
struct PatientT {
    c: Chrome,
    id: i64,
    name: String,
    lc: LineChart,
    answered: usize,
    change: String,
    links: Vec<LinkRow>,
    pathways: Vec<String>,
    form: LinkForm,
    error: FormError,
}

#[derive(Template)]
#[template(path = "feedback/link.html")]
struct LinkT {
    c: Chrome,
    id: i64,
    link: MadeLink,
    expires: String,
}

/// `GET /feedback`: the organisation's patients (a list read, logged) and their answered
/// sessions (logged as one read of the organisation's feedback).
async fn list(
    State(state): State<AppState>,
    page: Page,
    access: OrgAccess<ReadFeedback>,
) -> PageResult {
    let entry = read_entry(
        &state,
        &access.principal,
        Action::PersonList,
        format!("feedback:persons:org:{}", access.org().0),
    )
    .await?;
    let persons = state
        .store
        .list_persons_logged(access.org(), &entry)
        .await?;
    let counts: HashMap<i64, i64> = ops::counts(&state, &access).await?.into_iter().collect();
    let mut rows: Vec<Row> = persons
        .into_iter()
        .map(|p| Row {
            answered: counts.get(&p.id).copied().unwrap_or(0),
            id: p.id,
            name: p.record.name,
        })
        .collect();
    rows.sort_by(|a, b| b.answered.cmp(&a.answered).then(a.name.cmp(&b.name)));
    render(&ListT { c: page.c, rows })
}

/// The new-link form as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub(super) struct LinkForm {
    pub session_date: String,
    pub session_number: String,
    pub pathway_id: String,
}

fn when(t: &str) -> String {
    crate::display::minute_of(t)
}

async fn view(
    state: &AppState,
    c: Chrome,
    principal: &Principal,
    doc: PatientDoc,
    form: Option<LinkForm>,
    error: FormError,
) -> PageResult {
    let l = c.l;
    let name = name_logged(state, principal, doc.person_id).await?;
    let org = principal.org;
    let pathways = state
        .store
        .feedback_pathways_of_person(org, doc.person_id)
        .await?;
    let points = &doc.trend.points;
    let periods: Vec<String> = points
        .iter()
        .map(|p| format!("{} ({})", p.session_number, p.session_date))
        .collect();
    let series = |label: &str, f: fn(&varde_core::feedback::TrendPoint) -> u32| LineSeries {
        label: label.to_owned(),
        kind: l.t("feedback.of_40").to_owned(),
        points: points
            .iter()
            .map(|p| (Some(f64::from(f(p))), f(p).to_string()))
            .collect(),
    };
    let lc = LineChart::values(
        "feedback-trend",
        l.t("feedback.trend_title"),
        l.t("feedback.session").to_owned(),
        periods,
        vec![
            series(l.t("feedback.outcome"), |p| p.outcome),
            series(l.t("feedback.alliance"), |p| p.alliance),
        ],
        "",
    );
    let now = state.clock.now().as_second();
    let links = doc
        .links
        .iter()
        .map(|k| LinkRow {
            session: format!("{} ({})", k.session_number, k.session_date),
            made: when(&k.created_at),
            status: if k.used_at.is_some() {
                l.t("feedback.status_answered")
            } else if k.expires_at <= now {
                l.t("feedback.status_expired")
            } else {
                l.t("feedback.status_open")
            },
        })
        .collect();
    let next = doc
        .links
        .iter()
        .map(|k| k.session_number)
        .max()
        .unwrap_or(0)
        + 1;
    let form = form.unwrap_or_else(|| LinkForm {
        session_date: state.clock.today().to_string(),
        session_number: next.to_string(),
        pathway_id: pathways.first().cloned().unwrap_or_default(),
    });
    let status = if error.message.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    render_status(
        &PatientT {
            c,
            id: doc.person_id,
            name,
            lc,
            answered: points.len(),
            change: doc
                .trend
                .outcome_change
                .map(|d| format!("{d:+}"))
                .unwrap_or_default(),
            links,
            pathways,
            form,
            error,
        },
        status,
    )
}

/// The patient's name for the page's heading: a read of the person, decided and logged as one.
async fn name_logged(state: &AppState, principal: &Principal, id: i64) -> Result<String, WebError> {
    let person = state
        .store
        .person_ref(id)
        .await?
        .ok_or_else(WebError::not_found)?;
    let target = Target {
        owner: person.org_id,
        subject: &person.pseudonym,
        record: format!("person:{id}"),
    };
    let (_, entry) = decide_for(state, principal, Action::PersonRead, target, None).await?;
    Ok(state
        .store
        .read_person_logged(id, &entry)
        .await?
        .record
        .name)
}

/// `GET /feedback/patients/{id}`: the patient's trend and links, the read logged.
async fn patient(
    State(state): State<AppState>,
    page: Page,
    access: PersonAccess<ReadFeedback>,
) -> PageResult {
    let doc = ops::patient(&state, &access).await?;
    view(
        &state,
        page.c,
        &access.principal,
        doc,
        None,
        FormError::default(),
    )
    .await
}

/// `POST /feedback/patients/{id}/links`: the new link, shown once; a refusal shows the
/// patient's page again (a read, logged) with the rule beside its field.
async fn create(
    State(state): State<AppState>,
    page: Page,
    access: PersonAccess<WriteFeedback>,
    CsrfForm(f): CsrfForm<LinkForm>,
) -> Result<Response, WebError> {
    let input = LinkInput {
        session_date: f.session_date.clone(),
        session_number: Number::Text(f.session_number.clone()),
        pathway_id: f.pathway_id.clone(),
    };
    let l = page.c.l;
    match ops::create_link(&state, &access, &input).await {
        Ok(link) => {
            let expires = when(&link.expires_at);
            render(&LinkT {
                c: page.c,
                id: access.person.id,
                link,
                expires,
            })
        }
        Err(e) if e.is_mendable() => {
            let read = PersonAccess::<ReadFeedback>::decide(
                &state,
                access.principal,
                access.person.id,
                None,
            )
            .await?;
            let doc = ops::patient(&state, &read).await?;
            view(
                &state,
                page.c,
                &read.principal,
                doc,
                Some(f),
                FormError::new(&e, l),
            )
            .await
        }
        Err(e) => Err(e),
    }
}
