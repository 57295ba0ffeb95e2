//! The unit's pages: the worklist (`/advisory`, an advisor's start page), every case
//! (`/advisory/cases`), and the new-case form (`/advisory/new`).

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::routing::get;
use axum::Router;
use serde::Deserialize;
use varde_core::advisory::advice::{AdviceInput, Asker, Means, Topic, AGE_GROUPS};
use varde_core::advisory::worklist::{erasures_due, worklist, DueCase, DueMeeting};
use varde_core::advisory::{DecisionInput, Route, TestType, TestingInput};

use super::ops::{self, GuardianInput, OpenCase, PersonInput};
use crate::authz::{OrgAccess, ReadAdvisory, WriteAdvisory};
use crate::display;
use crate::error::WebError;
use crate::forms::{finish, render, render_status, CsrfForm, FormError, PageResult};
use crate::shell::{Chrome, Page};
use crate::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/advisory", get(worklist_page))
        .route("/advisory/cases", get(cases_page))
        .route("/advisory/new", get(new_page).post(new_submit))
}

/// A row of the worklist: the case, who, the day or time, and what.
struct Row {
    case: i64,
    who: String,
    when: String,
    what: String,
}

#[derive(Template)]
#[template(path = "advisory/worklist.html")]
struct WorklistT {
    c: Chrome,
    today: String,
    meetings_today: Vec<Row>,
    this_week: Vec<Row>,
    nearing: Vec<Row>,
    outreach: Vec<Row>,
    reports: Vec<Row>,
    erasures: Vec<Row>,
    /// The quick logging of advice: the form as typed, its refusal, the codes with their
    /// labels, and how many were logged today.
    advice: AdviceInput,
    error: FormError,
    askers: Vec<Opt>,
    means: Vec<Opt>,
    topics: Vec<Opt>,
    ages: Vec<Opt>,
    advice_today: i64,
    logged: bool,
}

/// An option of a select: its code, its label, and whether it is the one typed.
struct Opt {
    code: &'static str,
    label: &'static str,
    selected: bool,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct WorklistQuery {
    logged: String,
}

/// The name a list shows for a case: the person's, or "anonymous".
fn who_of(stored: &varde_store::StoredCase, l: crate::i18n::Lang) -> String {
    stored
        .people
        .iter()
        .find(|p| !p.guardian)
        .and_then(|p| p.name.clone())
        .unwrap_or_else(|| l.t("advisory.anonymous").to_owned())
}

async fn worklist_page(
    State(state): State<AppState>,
    page: Page,
    access: OrgAccess<ReadAdvisory>,
    Query(q): Query<WorklistQuery>,
) -> PageResult {
    let advice = AdviceInput {
        on: state.clock.today().to_string(),
        ..AdviceInput::default()
    };
    worklist_with(
        &state,
        page.c,
        &access,
        advice,
        FormError::default(),
        q.logged == "1",
    )
    .await
}

/// The worklist with the advice form as typed (`error`: a refused form).
pub(super) async fn worklist_with(
    state: &AppState,
    c: Chrome,
    access: &OrgAccess<ReadAdvisory>,
    advice: AdviceInput,
    error: FormError,
    logged: bool,
) -> PageResult {
    let l = c.l;
    let entry = access.access(
        state,
        "",
        format!("advisory:worklist:org:{}", access.org().0),
    );
    let stored = state
        .store
        .advisory_cases_logged(access.org(), false, &entry)
        .await?;
    let mut cases = Vec::with_capacity(stored.len());
    let mut names = HashMap::new();
    for s in &stored {
        names.insert(s.id, who_of(s, l));
        cases.push((s.id, ops::fold(s)?));
    }
    let min = ops::minimum(state, access.org()).await?;
    let today = state.clock.today();
    let w = worklist(&cases, today, min);
    let due = erasures_due(&cases, ops::retention(state, access.org()).await?, today);
    let advice_today = state
        .store
        .advisory_advice_count(access.org(), &today.to_string())
        .await?;
    let labels = |codes: Vec<&'static str>, typed: &str| -> Vec<Opt> {
        codes
            .into_iter()
            .map(|code| Opt {
                code,
                label: l.t_in("advisory.group", code),
                selected: code == typed.trim(),
            })
            .collect()
    };
    let name = |id: i64| names.get(&id).cloned().unwrap_or_default();
    let meeting_rows = |ms: &[DueMeeting]| -> Vec<Row> {
        ms.iter()
            .map(|m| Row {
                case: m.case,
                who: name(m.case),
                when: display::minute(m.planned_at),
                what: format!("{} {} · {}", l.t("advisory.meeting"), m.meeting, m.place),
            })
            .collect()
    };
    let case_rows = |cs: &[DueCase], what: &str| -> Vec<Row> {
        cs.iter()
            .map(|c| Row {
                case: c.case,
                who: name(c.case),
                when: c.day.to_string(),
                what: l.t(what).to_owned(),
            })
            .collect()
    };
    let askers = labels(
        Asker::ALL.iter().map(|a| a.as_str()).collect(),
        &advice.asker,
    );
    let means = labels(
        Means::ALL.iter().map(|a| a.as_str()).collect(),
        &advice.means,
    );
    let topics = labels(
        Topic::ALL.iter().map(|a| a.as_str()).collect(),
        &advice.topic,
    );
    let ages = labels(
        AGE_GROUPS.iter().map(|a| a.as_str()).collect(),
        advice.age_group.as_deref().unwrap_or(""),
    );
    render(&WorklistT {
        today: today.to_string(),
        meetings_today: meeting_rows(&w.today),
        this_week: meeting_rows(&w.this_week),
        nearing: case_rows(&w.nearing_deadline, "advisory.nearing_what"),
        outreach: case_rows(&w.outreach_needed, "advisory.outreach_what"),
        reports: case_rows(&w.reports_due, "advisory.report_what"),
        erasures: case_rows(&due, "advisory.erasure_what"),
        advice,
        error,
        askers,
        means,
        topics,
        ages,
        advice_today,
        logged,
        c,
    })
}

struct ListRow {
    id: i64,
    who: String,
    route: &'static str,
    opened_on: String,
    period_end: String,
    outcome: Option<&'static str>,
}

#[derive(Template)]
#[template(path = "advisory/cases.html")]
struct CasesT {
    c: Chrome,
    rows: Vec<ListRow>,
    min_attempts: u8,
    min_means: u8,
    retention_years: u8,
    error: FormError,
}

async fn cases_page(
    State(state): State<AppState>,
    page: Page,
    access: OrgAccess<ReadAdvisory>,
) -> PageResult {
    cases_with(&state, page.c, &access, FormError::default()).await
}

/// The case list with the unit's minimum outreach and its form (`error`: a refused form).
pub(super) async fn cases_with(
    state: &AppState,
    c: Chrome,
    access: &OrgAccess<ReadAdvisory>,
    error: FormError,
) -> PageResult {
    let l = c.l;
    let entry = access.access(state, "", format!("advisory:cases:org:{}", access.org().0));
    let stored = state
        .store
        .advisory_cases_logged(access.org(), false, &entry)
        .await?;
    let mut rows = Vec::with_capacity(stored.len());
    for s in stored.iter().rev() {
        let case = ops::fold(s)?;
        rows.push(ListRow {
            id: s.id,
            who: who_of(s, l),
            route: l.t_in("advisory.route", case.opening.route.as_str()),
            opened_on: case.opening.opened_on.to_string(),
            period_end: case
                .opening
                .decision
                .as_ref()
                .map(|d| d.period_end.to_string())
                .unwrap_or_default(),
            outcome: case
                .closed
                .map(|(_, o)| l.t_in("advisory.outcome", o.as_str())),
        });
    }
    let min = ops::minimum(state, access.org()).await?;
    render_status(
        &CasesT {
            c,
            rows,
            min_attempts: min.attempts,
            min_means: min.distinct_means,
            retention_years: ops::retention(state, access.org()).await?.years,
            error,
        },
        axum::http::StatusCode::OK,
    )
}

/// The new-case form, as typed. Field names are the API body's paths, so that a refusal names
/// the field the form shows it beside.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub(super) struct NewForm {
    route: String,
    #[serde(rename = "person.national_id")]
    national_id: String,
    #[serde(rename = "person.name")]
    name: String,
    guardian1_name: String,
    guardian1_national_id: String,
    guardian2_name: String,
    guardian2_national_id: String,
    #[serde(rename = "decision.reference")]
    reference: String,
    #[serde(rename = "decision.decided_on")]
    decided_on: String,
    #[serde(rename = "decision.meetings_required")]
    meetings_required: String,
    #[serde(rename = "decision.period_end")]
    period_end: String,
    #[serde(rename = "decision.drug_testing.test_type")]
    test_type: String,
    #[serde(rename = "decision.drug_testing.interval_days")]
    interval_days: String,
    #[serde(rename = "decision.drug_testing.until")]
    until: String,
}

impl NewForm {
    fn input(&self) -> Result<OpenCase, WebError> {
        let opt = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        let number = |field: &str, s: &str| -> Result<Option<i64>, WebError> {
            match s.trim() {
                "" => Ok(None),
                v => v
                    .parse()
                    .map(Some)
                    .map_err(|_| WebError::invalid(field, "a whole number")),
            }
        };
        let route = self.route.trim().to_owned();
        let decision = if route == Route::ProsecutionCondition.as_str() {
            Some(DecisionInput {
                reference: self.reference.clone(),
                decided_on: self.decided_on.clone(),
                meetings_required: number("decision.meetings_required", &self.meetings_required)?,
                period_end: self.period_end.clone(),
                drug_testing: (!self.test_type.trim().is_empty()).then(|| TestingInput {
                    test_type: self.test_type.clone(),
                    interval_days: number(
                        "decision.drug_testing.interval_days",
                        &self.interval_days,
                    )
                    .ok()
                    .flatten(),
                    until: self.until.clone(),
                }),
            })
        } else {
            None
        };
        let guardians = [
            (&self.guardian1_name, &self.guardian1_national_id),
            (&self.guardian2_name, &self.guardian2_national_id),
        ]
        .into_iter()
        .filter(|(n, i)| !n.trim().is_empty() || !i.trim().is_empty())
        .map(|(n, i)| GuardianInput {
            name: n.clone(),
            national_id: opt(i),
        })
        .collect();
        Ok(OpenCase {
            route,
            person: PersonInput {
                national_id: opt(&self.national_id),
                name: opt(&self.name),
            },
            guardians,
            decision,
        })
    }
}

/// The fields of the form beside which a rule is shown (any other refusal above the form).
const FORM_FIELDS: [&str; 11] = [
    "route",
    "person.national_id",
    "person.name",
    "decision.reference",
    "decision.decided_on",
    "decision.meetings_required",
    "decision.period_end",
    "decision.drug_testing.test_type",
    "decision.drug_testing.interval_days",
    "decision.drug_testing.until",
    "guardians.name",
];

#[derive(Template)]
#[template(path = "advisory/new.html")]
struct NewT {
    c: Chrome,
    form: NewForm,
    routes: Vec<(&'static str, &'static str)>,
    test_types: Vec<&'static str>,
    today: String,
    error: FormError,
}

impl NewT {
    fn error_above(&self) -> bool {
        !FORM_FIELDS.iter().any(|f| self.error.is(f))
    }
}

fn new_t(c: Chrome, today: String, form: NewForm, error: FormError) -> NewT {
    let l = c.l;
    NewT {
        routes: Route::ALL
            .iter()
            .map(|r| (r.as_str(), l.t_in("advisory.route", r.as_str())))
            .collect(),
        test_types: TestType::ALL.iter().map(|t| t.as_str()).collect(),
        c,
        today,
        form,
        error,
    }
}

async fn new_page(
    State(state): State<AppState>,
    page: Page,
    _access: OrgAccess<WriteAdvisory>,
) -> PageResult {
    let form = NewForm {
        route: Route::ProsecutionCondition.as_str().into(),
        meetings_required: "1".into(),
        ..NewForm::default()
    };
    render(&new_t(
        page.c,
        state.clock.today().to_string(),
        form,
        FormError::default(),
    ))
}

async fn new_submit(
    State(state): State<AppState>,
    page: Page,
    access: OrgAccess<WriteAdvisory>,
    CsrfForm(f): CsrfForm<NewForm>,
) -> PageResult {
    let result = async {
        let input = f.input()?;
        ops::open_case(&state, &access, &input).await
    }
    .await;
    let l = page.c.l;
    let today = state.clock.today().to_string();
    finish(
        result,
        |id| format!("/advisory/cases/{id}"),
        |e| async move { render_status(&new_t(page.c, today, f, FormError::new(&e, l)), e.status) },
    )
    .await
}
