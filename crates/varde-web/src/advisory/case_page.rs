//! One case's page (`/advisory/cases/{id}`): the people, the condition and where its rules come
//! from, the meetings with a form to record attendance (and the summons letter of each),
//! consent, tests, outreach, referrals, the report exactly as it will be sent with its send
//! button, and closing. Each form posts to its own path and runs the same operation as the API;
//! a refusal shows the page again with the rule beside the field, in the form that was sent,
//! with what was typed.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;
use varde_core::advisory::{
    AttendanceStatus, ClosingOutcome, Entry, OutreachMeans, ReferralTo, TestResult,
};
use varde_core::authz::{decide, Action, Subject};

use super::access::CaseAccess;
use super::entries;
use super::ops;
use super::view::{case_view, CaseView, ReportDoc};
use crate::authz::{ReadAdvisory, WriteAdvisory};
use crate::error::WebError;
use crate::forms::{finish, render, CsrfForm, FormError, PageResult};
use crate::shell::{Chrome, Page};
use crate::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/advisory/cases/{id}", get(case_page))
        .route("/advisory/cases/{id}/meetings", post(plan))
        .route(
            "/advisory/cases/{id}/meetings/{n}/attendance",
            post(attendance),
        )
        .route("/advisory/cases/{id}/consent", post(consent))
        .route("/advisory/cases/{id}/tests", post(test))
        .route("/advisory/cases/{id}/outreach", post(outreach))
        .route("/advisory/cases/{id}/report", post(send_report))
        .route("/advisory/cases/{id}/referrals", post(referral))
        .route("/advisory/cases/{id}/close", post(close))
}

/// Every field of the page's forms, as typed (each form sends its own).
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub(super) struct CaseForm {
    planned_at: String,
    place: String,
    status: String,
    consent: String,
    reason: String,
    assessment: String,
    advice: String,
    given: String,
    scope: String,
    on: String,
    result: String,
    substances: String,
    means: String,
    outcome: String,
    to: String,
}

/// The page of an erased case: that it is erased, and when.
#[derive(Template)]
#[template(path = "advisory/erased.html")]
struct ErasedT {
    c: Chrome,
    id: i64,
    erased_at: String,
}

#[derive(Template)]
#[template(path = "advisory/case.html")]
struct CaseT {
    c: Chrome,
    v: CaseView,
    may_write: bool,
    /// The report as it would be sent today, or why it cannot be yet.
    preview: Option<Result<ReportDoc, String>>,
    today: String,
    /// Which form was refused (`meetings`, `attendance-2`, `consent`, …) and what it typed.
    failed: String,
    form: CaseForm,
    error: FormError,
    statuses: Vec<&'static str>,
    results: Vec<&'static str>,
    means: Vec<&'static str>,
    destinations: Vec<&'static str>,
    outcomes: Vec<&'static str>,
    testing: bool,
    child: bool,
}

impl CaseT {
    /// The error of form `name`, if it was the one refused.
    fn err(&self, name: &str, field: &str) -> Option<&str> {
        if self.failed == name {
            self.error.at(field)
        } else {
            None
        }
    }
    fn message(&self, name: &str) -> Option<&str> {
        if self.failed == name {
            self.error.message.as_deref()
        } else {
            None
        }
    }
    /// What form `name` typed in `field` (empty for another form).
    fn typed(&self, name: &str, field: &str) -> &str {
        if self.failed != name {
            return "";
        }
        let f = &self.form;
        match field {
            "planned_at" => &f.planned_at,
            "place" => &f.place,
            "reason" => &f.reason,
            "assessment" => &f.assessment,
            "advice" => &f.advice,
            "scope" => &f.scope,
            "on" => &f.on,
            "substances" => &f.substances,
            _ => "",
        }
    }
}

/// Renders the page; `failed`/`form`/`error` carry a refused form back.
async fn show(
    state: &AppState,
    c: Chrome,
    access: &CaseAccess<ReadAdvisory>,
    failed: &str,
    form: CaseForm,
    error: FormError,
) -> PageResult {
    let l = c.l;
    let loaded = ops::load(state, access).await?;
    let health = access.may_health();
    if health
        && loaded
            .case
            .meetings
            .iter()
            .any(|m| m.assessment.is_some() || m.advice.is_some())
    {
        let entry = access.health_entry(state).await?;
        state.store.log_access(&entry).await?;
    }
    let min = ops::minimum(state, access.case.org_id).await?;
    let today = state.clock.today();
    let v = case_view(&loaded.stored, &loaded.case, today, health, min);
    let preview = match (&loaded.case.opening.decision, &loaded.case.report_sent) {
        (Some(_), None) => Some(
            loaded
                .case
                .report(today)
                .map(|r| ReportDoc::from(&r))
                .map_err(|e| l.rule(&e.rule)),
        ),
        _ => None,
    };
    let may_write = decide(
        &access.principal,
        Action::AdvisoryWrite,
        &Subject::of_org(access.case.org_id),
        None,
    )
    .allowed
        && loaded.case.closed.is_none();
    let testing = loaded
        .case
        .opening
        .decision
        .as_ref()
        .is_some_and(|d| d.drug_testing.is_some());
    render(&CaseT {
        c,
        v,
        may_write,
        preview,
        today: today.to_string(),
        failed: failed.to_owned(),
        form,
        error,
        statuses: AttendanceStatus::ALL.iter().map(|s| s.as_str()).collect(),
        results: TestResult::ALL.iter().map(|s| s.as_str()).collect(),
        means: OutreachMeans::ALL.iter().map(|s| s.as_str()).collect(),
        destinations: ReferralTo::ALL
            .iter()
            .filter(|r| **r != ReferralTo::ChildWelfare || loaded.case.is_child_on(today))
            .map(|s| s.as_str())
            .collect(),
        outcomes: ClosingOutcome::ALL.iter().map(|s| s.as_str()).collect(),
        testing,
        child: loaded.case.is_child_on(today),
    })
}

async fn case_page(
    State(state): State<AppState>,
    page: Page,
    access: CaseAccess<ReadAdvisory>,
) -> PageResult {
    if let Some(at) = &access.case.erased_at {
        // Nothing personal is left; the read is logged all the same.
        state.store.log_access(&access.access).await?;
        return render(&ErasedT {
            erased_at: crate::display::minute_of(at),
            c: page.c,
            id: access.id(),
        });
    }
    show(
        &state,
        page.c,
        &access,
        "",
        CaseForm::default(),
        FormError::default(),
    )
    .await
}

/// The round trip of one of the page's forms: the entry `make` builds from the form, recorded;
/// a 303 back to the case (at the form's section) or the page again with the refusal.
async fn submit(
    state: AppState,
    page: Page,
    access: CaseAccess<WriteAdvisory>,
    name: String,
    f: CaseForm,
    make: impl FnOnce(&AppState, &CaseForm) -> Result<Entry, WebError>,
) -> Result<Response, WebError> {
    let id = access.id();
    let result = match make(&state, &f) {
        Ok(entry) => ops::record(&state, &access, entry).await.map(|_| ()),
        Err(e) => Err(e),
    };
    let l = page.c.l;
    let anchor = name.split('-').next().unwrap_or("").to_owned();
    finish(
        result,
        |()| format!("/advisory/cases/{id}#{anchor}"),
        |e| async move {
            // The page shown again is a read of the case.
            let read = CaseAccess::<ReadAdvisory>::decide(&state, access.principal, id).await?;
            show(&state, page.c, &read, &name, f, FormError::new(&e, l)).await
        },
    )
    .await
}

fn day(state: &AppState, v: &str) -> Result<jiff::civil::Date, WebError> {
    Ok(ops::day_or_today(state, "on", v)?)
}

async fn plan(
    State(state): State<AppState>,
    page: Page,
    access: CaseAccess<WriteAdvisory>,
    CsrfForm(f): CsrfForm<CaseForm>,
) -> PageResult {
    submit(state, page, access, "meetings".into(), f, |_, f| {
        Ok(entries::meeting(&f.planned_at, &f.place)?)
    })
    .await
}

async fn attendance(
    State(state): State<AppState>,
    page: Page,
    access: CaseAccess<WriteAdvisory>,
    Path(path): Path<(i64, u32)>,
    CsrfForm(f): CsrfForm<CaseForm>,
) -> PageResult {
    let n = path.1;
    submit(
        state,
        page,
        access,
        format!("meetings-{n}"),
        f,
        move |_, f| {
            let some = |s: &str| Some(s.to_owned()).filter(|s| !s.trim().is_empty());
            Ok(entries::attendance(
                n,
                &f.status,
                entries::yes_no("consent", &f.consent)?,
                some(&f.reason),
                some(&f.assessment),
                some(&f.advice),
            )?)
        },
    )
    .await
}

async fn consent(
    State(state): State<AppState>,
    page: Page,
    access: CaseAccess<WriteAdvisory>,
    CsrfForm(f): CsrfForm<CaseForm>,
) -> PageResult {
    submit(state, page, access, "consent".into(), f, |state, f| {
        let given = entries::yes_no("given", &f.given)?
            .ok_or_else(|| WebError::invalid("given", "yes or no"))?;
        let scope = Some(f.scope.clone()).filter(|s| !s.trim().is_empty());
        Ok(entries::consent(day(state, &f.on)?, given, scope))
    })
    .await
}

async fn test(
    State(state): State<AppState>,
    page: Page,
    access: CaseAccess<WriteAdvisory>,
    CsrfForm(f): CsrfForm<CaseForm>,
) -> PageResult {
    submit(state, page, access, "tests".into(), f, |state, f| {
        let substances = f.substances.split(',').map(str::to_owned).collect();
        Ok(entries::test(day(state, &f.on)?, &f.result, substances)?)
    })
    .await
}

async fn outreach(
    State(state): State<AppState>,
    page: Page,
    access: CaseAccess<WriteAdvisory>,
    CsrfForm(f): CsrfForm<CaseForm>,
) -> PageResult {
    submit(state, page, access, "outreach".into(), f, |state, f| {
        Ok(entries::outreach(day(state, &f.on)?, &f.means, &f.outcome)?)
    })
    .await
}

async fn send_report(
    State(state): State<AppState>,
    page: Page,
    access: CaseAccess<WriteAdvisory>,
    CsrfForm(f): CsrfForm<CaseForm>,
) -> PageResult {
    submit(state, page, access, "report".into(), f, |state, _| {
        Ok(entries::report_sent(state.clock.today()))
    })
    .await
}

async fn referral(
    State(state): State<AppState>,
    page: Page,
    access: CaseAccess<WriteAdvisory>,
    CsrfForm(f): CsrfForm<CaseForm>,
) -> PageResult {
    submit(state, page, access, "referrals".into(), f, |state, f| {
        let consent = entries::yes_no("consent", &f.consent)?.unwrap_or(false);
        Ok(entries::referral(day(state, &f.on)?, &f.to, consent)?)
    })
    .await
}

async fn close(
    State(state): State<AppState>,
    page: Page,
    access: CaseAccess<WriteAdvisory>,
    CsrfForm(f): CsrfForm<CaseForm>,
) -> PageResult {
    submit(state, page, access, "close".into(), f, |state, f| {
        Ok(entries::close(day(state, &f.on)?, &f.outcome)?)
    })
    .await
}
