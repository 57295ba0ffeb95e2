//! The pages of one pathway: the pathway with its events, next measurement point and
//! corrections; the form that registers its next event; and the form that withdraws an event.
//! The new-referral form that starts a pathway is `referral.rs`.

use askama::Template;
use axum::extract::{Path, State};
use serde::Deserialize;
use varde_core::authz::Action;
use varde_core::pathways::{worklist, DecisionCode, EventFields, EventKind};

use super::cache::{load, load_pathway};
use super::events::{correct, corrections_of, not_held, register};
use super::patient::{read_logged, Patient};
use super::worklist::{event_text, status_text};
use crate::authz::{OrgAccess, ReadPathways, WritePathways};
use crate::error::WebError;
use crate::forms::{finish, path_segment, render, CsrfForm, PageResult};
use crate::shell::{Chrome, Page};
use crate::AppState;

struct EventView {
    id: i64,
    event: &'static str,
    date: String,
    care_level: &'static str,
    code: String,
    outcome: String,
    deadline: String,
}

/// A correction on the pathway page.
struct CorrectionView {
    withdrawn: String,
    reason: String,
    by: String,
    at: String,
    replaced_by: String,
}

#[derive(Template)]
#[template(path = "pathways/pathway.html")]
struct PathwayT {
    c: Chrome,
    /// Who the pathway belongs to (none for a pathway imported without a person).
    patient: Option<Patient>,
    pathway_id: String,
    pathway_path: String,
    unit: String,
    hf: String,
    kommune: String,
    next: Option<(String, String, &'static str, &'static str)>,
    events: Vec<EventView>,
    kinds: Vec<(&'static str, &'static str)>,
    decisions: Vec<(&'static str, &'static str)>,
    today: String,
    error: Option<String>,
    corrections: Vec<CorrectionView>,
}

/// The pathway page, its read logged. Shown after a refused form too (with the form's error):
/// that is a read, decided and logged as one.
async fn view(
    state: &AppState,
    c: Chrome,
    principal: &varde_core::org::Principal,
    pathway_id: String,
    error: Option<String>,
) -> PageResult {
    let org = principal.org;
    let loaded = load_pathway(state, org, &pathway_id).await?;
    if loaded.rows.is_empty() {
        return Err(not_held(state, principal, Action::PathwayRead, &pathway_id).await);
    }
    // A read of the person: logged with them as subject (their § 18 report lists it).
    let patient = read_logged(state, principal, &pathway_id).await?;
    let l = c.l;
    let today = state.clock.today();
    let next = worklist(&loaded.events, today).into_iter().next().map(|i| {
        let (status, class) = status_text(l, i.status);
        (
            event_text(l, i.next).to_owned(),
            i.due.to_string(),
            status,
            class,
        )
    });
    let first = &loaded.rows[0].fields;
    let events = loaded
        .rows
        .iter()
        .zip(&loaded.events)
        .map(|(r, e)| EventView {
            id: r.id,
            event: event_text(l, e.kind),
            date: e.date.to_string(),
            care_level: l.t_in("pathways", e.care_level.as_str()),
            code: r.fields.code.clone(),
            outcome: r.fields.outcome.clone(),
            deadline: r.fields.deadline.clone(),
        })
        .collect();
    let kinds = EventKind::ALL
        .iter()
        .skip(1)
        .map(|k| (k.as_str(), event_text(l, *k)))
        .collect();
    let decisions = DecisionCode::ALL
        .iter()
        .map(|d| (d.as_str(), d.text_nb()))
        .collect();
    let describe = |f: &EventFields| {
        let event = EventKind::parse(&f.event).map_or(f.event.as_str(), |k| event_text(l, k));
        format!("{} {event}", f.date)
    };
    let corrections = corrections_of(state, org, &pathway_id)
        .await?
        .into_iter()
        .map(|k| CorrectionView {
            withdrawn: describe(&k.withdrawn.fields),
            reason: k.reason,
            by: k.by.unwrap_or_default(),
            at: k
                .recorded_at
                .map(|t| t.chars().take(16).collect::<String>().replace('T', " "))
                .unwrap_or_default(),
            replaced_by: k
                .replacement_id
                .and_then(|id| loaded.rows.iter().find(|r| r.id == id))
                .map_or_else(
                    || l.t("pathways.withdrawn_only").to_owned(),
                    |r| describe(&r.fields),
                ),
        })
        .collect();
    render(&PathwayT {
        patient,
        corrections,
        unit: first.unit.clone(),
        hf: first.hf.clone(),
        kommune: first.kommune.clone(),
        pathway_path: path_segment(&pathway_id),
        pathway_id,
        c,
        next,
        events,
        kinds,
        decisions,
        today: today.to_string(),
        error,
    })
}

pub(super) async fn pathway_page(
    State(state): State<AppState>,
    page: Page,
    access: OrgAccess<ReadPathways>,
    Path(pathway_id): Path<String>,
) -> PageResult {
    view(&state, page.c, &access.principal, pathway_id, None).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct EventForm {
    event: String,
    date: String,
    care_level: String,
    code: String,
    outcome: String,
    deadline: String,
}

/// Registers the pathway's next event; where it belongs (unit, trust, municipality, variant)
/// is the pathway's latest row's.
pub(super) async fn event_submit(
    State(state): State<AppState>,
    page: Page,
    write: OrgAccess<WritePathways>,
    Path(pathway_id): Path<String>,
    CsrfForm(f): CsrfForm<EventForm>,
) -> PageResult {
    let existing = load_pathway(&state, write.org(), &pathway_id).await?;
    let Some(latest) = existing.rows.last() else {
        let action = Action::PathwayWrite;
        return Err(not_held(&state, &write.principal, action, &pathway_id).await);
    };
    let fields = EventFields {
        pathway_id: pathway_id.clone(),
        unit: latest.fields.unit.clone(),
        hf: latest.fields.hf.clone(),
        rhf: latest.fields.rhf.clone(),
        kommune: latest.fields.kommune.clone(),
        care_level: if f.care_level.is_empty() {
            latest.fields.care_level.clone()
        } else {
            f.care_level.clone()
        },
        event: f.event.trim().to_owned(),
        date: f.date.trim().to_owned(),
        code: f.code.trim().to_owned(),
        outcome: f.outcome.trim().to_owned(),
        deadline: f.deadline.trim().to_owned(),
        pathway_variant: latest.fields.pathway_variant.clone(),
    };
    let result = register(&state, &write, fields, None).await;
    let l = page.c.l;
    finish(
        result,
        |pid| format!("/pathways/p/{}", path_segment(&pid)),
        |e| {
            view(
                &state,
                page.c,
                &write.principal,
                pathway_id.clone(),
                Some(e.message(l)),
            )
        },
    )
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct WithdrawForm {
    reason: String,
}

pub(super) async fn withdraw_submit(
    State(state): State<AppState>,
    page: Page,
    write: OrgAccess<WritePathways>,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<WithdrawForm>,
) -> PageResult {
    let result = correct(&state, &write, id, None, &f.reason).await;
    let l = page.c.l;
    finish(
        result,
        |pid| format!("/pathways/p/{}", path_segment(&pid)),
        |e| async move {
            let all = load(&state, Some(write.org())).await?;
            let pid = all
                .ids
                .iter()
                .position(|r| *r == id)
                .map(|i| all.events[i].pathway_id.to_string())
                .ok_or_else(WebError::not_found)?;
            view(&state, page.c, &write.principal, pid, Some(e.message(l))).await
        },
    )
    .await
}
