//! The unit's worklist, a clinician's start page: every open pathway's next measurement point
//! by care level, most urgent first, with counts per status; referrals awaiting assessment;
//! the waiting list with missed legal deadlines (fristbrudd). Narrowed to one unit with
//! `?unit=`. The rules are `varde_core::pathways::worklist`. For a user who may read coercion,
//! the limits of chapter 10 falling due within 7 days or past
//! (`varde_core::pathways::coercion::due`, through [`super::coercion::worklist_rows`]).

use std::collections::{BTreeMap, BTreeSet};

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use varde_core::authz::{decide, Action, Subject};
use varde_core::org::{OrgId, Principal};
use varde_core::pathways::worklist::{
    status_counts, unassessed, waiting_list, Unassessed, Waiting,
};
use varde_core::pathways::{worklist, EventKind, Status, WorkItem};

use super::cache::load;
use super::patient::{names_logged, Patient};
use crate::authz::{OrgAccess, ReadPathways};
use crate::error::WebError;
use crate::forms::{render, render_status, PageResult};
use crate::i18n::Lang;
use crate::shell::{Chrome, Page};
use crate::AppState;

/// Counts per status.
#[derive(Debug, Clone, Copy, Default, Serialize, utoipa::ToSchema)]
pub struct Counts {
    pub overdue: usize,
    pub due_soon: usize,
    pub on_time: usize,
    /// Pathways on the waiting list whose legal deadline has passed (fristbrudd).
    pub fristbrudd: usize,
}

/// The worklist of the organisation.
#[derive(Debug, Clone, Serialize)]
pub struct Worklist {
    pub as_of: Date,
    /// The unit shown, when the list was narrowed to one.
    pub unit: Option<String>,
    /// Every unit with something on the organisation's list (to narrow it by).
    pub units: Vec<String>,
    pub counts: Counts,
    pub items: Vec<WorkItem>,
    pub unassessed: Vec<Unassessed>,
    pub waiting: Vec<Waiting>,
    /// The patient of each pathway on the list that names one (pathway id → patient), for
    /// those who may list the organisation's persons.
    pub patients: BTreeMap<String, Patient>,
}

/// The query of the worklist (page and API).
#[derive(Deserialize)]
pub struct WorklistQuery {
    pub as_of: Option<String>,
    pub unit: Option<String>,
}

/// The organisation's worklist on `as_of`, its read logged (one list read).
pub async fn org_worklist(
    state: &AppState,
    access: &OrgAccess<ReadPathways>,
    as_of: Date,
    unit: Option<&str>,
) -> Result<Worklist, WebError> {
    let loaded = load(state, Some(access.org())).await?;
    // One list read, with the names when the reader may list the organisation's persons.
    let record = format!("pathway-worklist:org:{}", access.org().0);
    let mut names = names_logged(state, access, record).await?;
    let mut items = worklist(&loaded.events, as_of);
    let mut unassessed = unassessed(&loaded.events, as_of);
    let mut waiting = waiting_list(&loaded.events, as_of);
    let units: BTreeSet<String> = items
        .iter()
        .map(|i| i.unit.clone())
        .chain(unassessed.iter().map(|u| u.unit.clone()))
        .chain(waiting.iter().map(|w| w.unit.clone()))
        .collect();
    let unit = unit.map(str::trim).filter(|u| !u.is_empty());
    if let Some(u) = unit {
        items.retain(|i| i.unit == u);
        unassessed.retain(|i| i.unit == u);
        waiting.retain(|i| i.unit == u);
    }
    let on_list: BTreeSet<&str> = items
        .iter()
        .map(|i| i.pathway_id.as_str())
        .chain(unassessed.iter().map(|u| u.pathway_id.as_str()))
        .chain(waiting.iter().map(|w| w.pathway_id.as_str()))
        .collect();
    let patients: BTreeMap<String, Patient> = on_list
        .into_iter()
        .filter_map(|p| names.remove_entry(p))
        .collect();
    let (overdue, due_soon, on_time) = status_counts(&items);
    Ok(Worklist {
        as_of,
        unit: unit.map(str::to_owned),
        units: units.into_iter().collect(),
        counts: Counts {
            overdue,
            due_soon,
            on_time,
            fristbrudd: waiting.iter().filter(|w| w.fristbrudd).count(),
        },
        items,
        unassessed,
        waiting,
        patients,
    })
}

/// Whether `p` may see the indicators of another organisation's units than its own.
fn may_see_indicators(p: &Principal) -> bool {
    // An organisation id no organisation has: a decision about "any other" organisation.
    let other = Subject::of_org(OrgId(i64::MIN));
    decide(p, Action::PathwayIndicators, &other, None).allowed
}

/// A status as shown: its text and its CSS class.
pub fn status_text(l: Lang, s: Status) -> (&'static str, &'static str) {
    match s {
        Status::Overdue => (l.t("pathways.overdue"), "overdue"),
        Status::DueSoon => (l.t("pathways.due_soon"), "due-soon"),
        Status::OnTime => (l.t("pathways.on_time"), "on-time"),
    }
}

/// An event kind as shown.
pub fn event_text(l: Lang, k: EventKind) -> &'static str {
    l.t_in("pathways", k.as_str())
}

/// A coercion row of the worklist as shown.
struct DueView {
    stay_id: String,
    patient: String,
    section: String,
    what: &'static str,
    decision: usize,
    limit: String,
    status: &'static str,
    status_class: &'static str,
}

/// A worklist row as shown.
struct ItemView {
    pathway_id: String,
    patient: String,
    unit: String,
    care_level: &'static str,
    next: &'static str,
    due: String,
    status: &'static str,
    status_class: &'static str,
}

#[derive(Template)]
#[template(path = "pathways/worklist.html")]
struct WorklistT {
    c: Chrome,
    as_of: String,
    unit: String,
    units: Vec<String>,
    counts: Counts,
    items: Vec<ItemView>,
    unassessed: Vec<Unassessed>,
    waiting: Vec<Waiting>,
    /// Pathway id → "Name (birth date)".
    names: BTreeMap<String, String>,
    /// `None` for a user who may not read coercion.
    coercion: Option<Vec<DueView>>,
}

#[derive(Template)]
#[template(path = "pathways/no_access.html")]
struct NoAccessT {
    c: Chrome,
}

pub(super) async fn worklist_page(
    State(state): State<AppState>,
    page: Page,
    access: Result<OrgAccess<ReadPathways>, WebError>,
    Query(q): Query<WorklistQuery>,
) -> PageResult {
    let access = match access {
        Ok(a) => a,
        // Who may not read the pathways but may see every unit's indicators (an analyst) has
        // the indicators instead.
        Err(_) if may_see_indicators(&page.user.principal) => {
            return Ok(Redirect::to("/pathways/indicators").into_response())
        }
        // Other roles: say who uses the area, in the page frame.
        Err(e) if e.status == StatusCode::FORBIDDEN => {
            return render_status(&NoAccessT { c: page.c }, StatusCode::FORBIDDEN)
        }
        Err(e) => return Err(e),
    };
    let as_of = state.clock.today();
    let w = org_worklist(&state, &access, as_of, q.unit.as_deref()).await?;
    let l = page.c.l;
    let names: BTreeMap<String, String> = w
        .patients
        .iter()
        .map(|(p, patient)| (p.clone(), patient.label()))
        .collect();
    let items = w
        .items
        .iter()
        .map(|i| {
            let (status, status_class) = status_text(l, i.status);
            ItemView {
                patient: names.get(&i.pathway_id).cloned().unwrap_or_default(),
                pathway_id: i.pathway_id.clone(),
                unit: i.unit.clone(),
                care_level: l.t_in("pathways", i.care_level.as_str()),
                next: event_text(l, i.next),
                due: i.due.to_string(),
                status,
                status_class,
            }
        })
        .collect();
    let coercion = super::coercion::worklist_rows(&state, &access.principal, as_of)
        .await?
        .map(|rows| {
            rows.into_iter()
                .map(|r| {
                    let (status, status_class) = if r.overdue {
                        status_text(l, Status::Overdue)
                    } else {
                        (l.t("pathways.coercion.due_week"), "due-soon")
                    };
                    DueView {
                        what: l.t_in("pathways.coercion.due", &r.kind),
                        stay_id: r.stay_id,
                        patient: r.patient,
                        section: r.section,
                        decision: r.decision,
                        limit: r.limit,
                        status,
                        status_class,
                    }
                })
                .collect()
        });
    render(&WorklistT {
        coercion,
        c: page.c,
        as_of: as_of.to_string(),
        unit: w.unit.clone().unwrap_or_default(),
        units: w.units.clone(),
        counts: w.counts,
        items,
        unassessed: w.unassessed,
        waiting: w.waiting,
        names,
    })
}
