//! The pages of one pathway: the pathway with its events, next measurement point and
//! corrections; the form that registers its next event; the form that withdraws an event; and
//! the new-referral form that starts a pathway.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use serde::Deserialize;
use varde_core::authz::Action;
use varde_core::pathways::place::{rhf_of, tsb_health_trusts, MAX_PATHWAY_ID};
use varde_core::pathways::{worklist, DecisionCode, EventFields, EventKind};

use super::cache::{load, load_pathway};
use super::events::{correct, corrections_of, not_held, register};
use super::worklist::{event_text, status_text};
use crate::authz::{read_entry, OrgAccess, ReadPathways, WritePathways};
use crate::error::WebError;
use crate::forms::{finish, path_segment, render, render_status, CsrfForm, PageResult};
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
    let record = format!("pathway:{pathway_id}");
    let entry = read_entry(state, principal, Action::PathwayRead, record).await?;
    state.store.log_access(&entry).await?;
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
                .map(|t| crate::display::minute_of(&t))
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
    let result = register(&state, &write, fields).await;
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

#[derive(Template)]
#[template(path = "pathways/new.html")]
struct NewT {
    c: Chrome,
    hfs: Vec<String>,
    form: NewForm,
    error: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct NewForm {
    pathway_id: String,
    hf: String,
    kommune: String,
    care_level: String,
    date: String,
    pregnant: Option<String>,
}

pub(super) async fn new_page(
    State(state): State<AppState>,
    page: Page,
    _access: OrgAccess<WritePathways>,
) -> PageResult {
    let form = NewForm {
        date: state.clock.today().to_string(),
        care_level: "outpatient".into(),
        ..NewForm::default()
    };
    render(&NewT {
        c: page.c,
        hfs: tsb_health_trusts(),
        form,
        error: None,
    })
}

/// Registers a referral: the pathway's first event. The unit is the organisation's name.
pub(super) async fn new_submit(
    State(state): State<AppState>,
    page: Page,
    access: OrgAccess<WritePathways>,
    CsrfForm(f): CsrfForm<NewForm>,
) -> Result<Response, WebError> {
    let unit = match page.c.org_name() {
        Some(name) => name.to_owned(),
        None => state.org_label(access.org()).await,
    };
    let result = async {
        let rhf = rhf_of(&f.hf)
            .ok_or_else(|| WebError::invalid("hf", "choose a health trust from the list"))?;
        if !f.kommune.trim().is_empty() {
            varde_core::fields::kommune("kommune", &f.kommune)?;
        }
        let fields = EventFields {
            pathway_id: f.pathway_id.trim().to_owned(),
            unit,
            hf: f.hf.clone(),
            rhf,
            kommune: f.kommune.trim().to_owned(),
            care_level: f.care_level.clone(),
            event: "referral_received".into(),
            date: f.date.trim().to_owned(),
            pathway_variant: if f.pregnant.is_some() {
                "pregnant".into()
            } else {
                String::new()
            },
            ..EventFields::default()
        };
        if fields.pathway_id.is_empty() || fields.pathway_id.chars().count() > MAX_PATHWAY_ID {
            return Err(WebError::invalid(
                "pathway_id",
                format!("1–{MAX_PATHWAY_ID} characters"),
            ));
        }
        register(&state, &access, fields).await
    }
    .await;
    let l = page.c.l;
    finish(
        result,
        |pid| format!("/pathways/p/{}", path_segment(&pid)),
        |e| async move {
            render_status(
                &NewT {
                    c: page.c,
                    hfs: tsb_health_trusts(),
                    error: Some(e.message(l)),
                    form: f,
                },
                e.status,
            )
        },
    )
    .await
}
