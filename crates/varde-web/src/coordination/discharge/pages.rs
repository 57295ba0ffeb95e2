//! The notices' pages: the list (`/coordination/discharge`: a municipality's inbox, which
//! updates itself, or a unit's notices with the form to raise one), one notice with the forms
//! of the steps the user's side may take (`/coordination/discharge/{id}`).

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;
use varde_core::authz::{decide, Action};
use varde_core::coordination::discharge::{Needs, Side, Status};
use varde_core::org::OrgKind;

use super::docs::{doc, NoticeDoc, RaiseBody, StepBody};
use super::ops;
use super::NoticeAccess;
use crate::authz::{ListPersons, OrgAccess, ReadDischarge, WriteDischarge};
use crate::error::WebError;
use crate::forms::{finish, render, render_status, CsrfForm, FormError, PageResult};
use crate::shell::{Chrome, Page};
use crate::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/coordination/discharge", get(list).post(raise))
        .route("/coordination/discharge/inbox.js", get(script))
        .route("/coordination/discharge/{id}", get(one))
        .route("/coordination/discharge/{id}/{step}", post(step))
}

/// The inbox's script: polls the stamp and, when it moves, fetches the page and replaces the
/// list (announced politely to a screen reader). The page works without it.
const SCRIPT: &str = include_str!("inbox.js");

async fn script() -> Response {
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "text/javascript; charset=utf-8",
        )],
        SCRIPT,
    )
        .into_response()
}

/// The form to raise a notice, as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct RaiseForm {
    person: String,
    expected_discharge: String,
    housing: bool,
    no_home: bool,
    income: bool,
    work_school: bool,
    substance_use: bool,
    mental_health: bool,
    children: bool,
    meeting_requested: bool,
    note: String,
}

impl RaiseForm {
    fn body(&self) -> Result<RaiseBody, WebError> {
        let person =
            self.person.trim().parse::<i64>().map_err(|_| {
                WebError::invalid("person", "no person with this id in the register")
            })?;
        Ok(RaiseBody {
            person,
            expected_discharge: self.expected_discharge.clone(),
            housing: self.housing,
            no_home: self.no_home,
            income: self.income,
            work_school: self.work_school,
            substance_use: self.substance_use,
            mental_health: self.mental_health,
            children: self.children,
            meeting_requested: self.meeting_requested,
            note: self.note.clone(),
        })
    }

    fn needs(&self) -> Vec<(&'static str, bool)> {
        let flags = [
            self.housing,
            self.no_home,
            self.income,
            self.work_school,
            self.substance_use,
            self.mental_health,
            self.children,
        ];
        Needs::NAMES.iter().copied().zip(flags).collect()
    }
}

#[derive(Template)]
#[template(path = "coordination/discharge/list.html")]
struct ListT {
    c: Chrome,
    municipality: bool,
    may_raise: bool,
    stamp: String,
    notices: Vec<NoticeDoc>,
    persons: Vec<(i64, String)>,
    form: RaiseForm,
    needs: Vec<(&'static str, bool)>,
    error: FormError,
    today: String,
}

async fn list_page(
    state: &AppState,
    page: Page,
    access: &OrgAccess<ReadDischarge>,
    form: RaiseForm,
    error: FormError,
) -> PageResult {
    let p = &access.principal;
    let municipality = p.org_kind == Some(OrgKind::Municipality);
    let may_raise = ops::may_raise(p);
    let stamp = state.store.discharge_stamp(p.org).await?;
    let today = state.clock.today();
    let notices = ops::list(state, access)
        .await?
        .iter()
        .map(|n| doc(n, today))
        .collect();
    let persons = if may_raise {
        let people = OrgAccess::<ListPersons>::decide(state, p.clone()).await?;
        let entry = people.access(state, "", format!("persons:{}", p.org.0));
        state
            .store
            .list_persons_logged(p.org, &entry)
            .await?
            .into_iter()
            .map(|r| (r.id, r.record.name))
            .collect()
    } else {
        Vec::new()
    };
    let t = ListT {
        c: page.c,
        municipality,
        may_raise,
        stamp,
        notices,
        persons,
        needs: form.needs(),
        form,
        error,
        today: today.to_string(),
    };
    render(&t)
}

/// `GET /coordination/discharge`: the inbox or the unit's notices.
async fn list(
    State(state): State<AppState>,
    page: Page,
    access: OrgAccess<ReadDischarge>,
) -> PageResult {
    let form = RaiseForm {
        meeting_requested: true,
        ..RaiseForm::default()
    };
    list_page(&state, page, &access, form, FormError::default()).await
}

/// `POST /coordination/discharge`: raises a notice; to its page, or the form again.
async fn raise(
    State(state): State<AppState>,
    page: Page,
    access: OrgAccess<WriteDischarge>,
    CsrfForm(form): CsrfForm<RaiseForm>,
) -> PageResult {
    let result = match form.body() {
        Ok(body) => ops::raise(&state, &access, body.person, &body.fields()).await,
        Err(e) => Err(e),
    };
    let read = OrgAccess::<ReadDischarge>::decide(&state, access.principal.clone()).await?;
    finish(
        result,
        |id| format!("/coordination/discharge/{id}"),
        |e| async move {
            let l = page.c.l;
            list_page(&state, page, &read, form, FormError::new(&e, l)).await
        },
    )
    .await
}

#[derive(Template)]
#[template(path = "coordination/discharge/notice.html")]
struct NoticeT {
    c: Chrome,
    n: NoticeDoc,
    /// The steps the user's side may take now, in order.
    steps: Vec<&'static str>,
    form: StepBody,
    /// The step whose form was refused.
    refused: String,
    error: FormError,
    today: String,
    no_home_flagged: bool,
}

/// The steps `side` may still take on a notice of `status`.
fn steps(side: Side, status: Status, may: bool) -> Vec<&'static str> {
    if !may || status == Status::Discharged {
        return Vec::new();
    }
    match side {
        Side::Municipality if status == Status::Raised => vec!["acknowledge", "meeting"],
        Side::Municipality => vec!["meeting"],
        Side::Unit if status == Status::Ready => vec!["meeting", "discharge"],
        Side::Unit => vec!["meeting", "ready"],
    }
}

async fn notice_page(
    state: &AppState,
    page: Page,
    access: &NoticeAccess<ReadDischarge>,
    form: StepBody,
    refused: &str,
    error: FormError,
    status: StatusCode,
) -> PageResult {
    let n = ops::read(state, access).await?;
    let side = access.side();
    let action = match side {
        Side::Unit => Action::CoordinationDischargeWrite,
        Side::Municipality => Action::CoordinationDischargeRespond,
    };
    let may = decide(
        &access.principal,
        action,
        &super::access::subject(&access.principal, &access.notice),
        None,
    )
    .allowed;
    let today = state.clock.today();
    let t = NoticeT {
        c: page.c,
        steps: steps(side, n.notice.status(), may),
        no_home_flagged: n.notice.raise.needs.no_home,
        n: doc(&n, today),
        form,
        refused: refused.to_owned(),
        error,
        today: today.to_string(),
    };
    render_status(&t, status)
}

/// `GET /coordination/discharge/{id}`: one notice.
async fn one(
    State(state): State<AppState>,
    page: Page,
    access: NoticeAccess<ReadDischarge>,
) -> PageResult {
    let form = StepBody {
        on: state.clock.today().to_string(),
        ..StepBody::default()
    };
    notice_page(
        &state,
        page,
        &access,
        form,
        "",
        FormError::default(),
        StatusCode::OK,
    )
    .await
}

/// `POST /coordination/discharge/{id}/{step}`: takes the step; back to the notice, or its
/// form again with the rule.
async fn step(
    State(state): State<AppState>,
    page: Page,
    access: NoticeAccess<ReadDischarge>,
    Path((id, step)): Path<(i64, String)>,
    CsrfForm(form): CsrfForm<StepBody>,
) -> PageResult {
    let result = ops::step(&state, &access, &step, &form.fields()).await;
    finish(
        result,
        |_| format!("/coordination/discharge/{id}"),
        |e| async move {
            let l = page.c.l;
            let e = FormError::new(&e, l);
            notice_page(&state, page, &access, form, &step, e, StatusCode::OK).await
        },
    )
    .await
}
