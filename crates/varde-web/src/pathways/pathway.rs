//! The pages of one pathway: the pathway with its events, next measurement point and
//! corrections; the form that registers its next event; and the form that withdraws an event.
//! The new-referral form that starts a pathway is `referral.rs`.

use askama::Template;
use axum::extract::{Path, State};
use serde::Deserialize;
use std::sync::LazyLock;
use varde_core::authz::Action;

use varde_core::pathways::codes::{code_list, CodeEntry, END_REASONS};
use varde_core::pathways::lar::person_reference;
use varde_core::pathways::{worklist, DecisionCode, EventFields, EventKind};

use super::cache::{load, load_pathway};
use super::events::{correct, corrections_of, not_held, register};
use super::patient::{read_logged, Patient};
use super::worklist::{event_text, status_text};
use crate::authz::{OrgAccess, ReadPathways, WritePathways};
use crate::error::WebError;
use crate::forms::{finish, path_segment, render, CsrfForm, FormError, PageResult};
use crate::i18n::Lang;
use crate::shell::{Chrome, Page};
use crate::AppState;

struct EventView {
    id: i64,
    event: &'static str,
    date: String,
    care_level: &'static str,
    /// The code with its text ("D01CT — Behov for behandling innen TSB").
    code: String,
    /// The outcome with its text.
    outcome: String,
    deadline: String,
    /// Set for an event withdrawn by a correction: shown struck through.
    withdrawn: Option<Withdrawal>,
}

/// Who withdrew an event, and why.
struct Withdrawal {
    by: String,
    reason: String,
}

/// The sort key of an event on the page: its date, its kind's place in the pathway's order,
/// its row id.
fn order_key(f: &EventFields, id: i64) -> (String, usize, i64) {
    let kind = EventKind::parse(&f.event)
        .and_then(|k| EventKind::ALL.iter().position(|x| *x == k))
        .unwrap_or(usize::MAX);
    (f.date.clone(), kind, id)
}

/// The embedded code list, read once.
static CODES: LazyLock<Vec<CodeEntry>> = LazyLock::new(|| code_list().unwrap_or_default());

/// A national code as shown: the code and its text in the page's language.
pub(super) fn code_label(l: Lang, code: &str) -> String {
    let code = code.trim();
    if code.is_empty() {
        return String::new();
    }
    match CODES.iter().find(|e| e.code == code) {
        Some(e) if l == Lang::En => format!("{code} — {}", e.text_en),
        Some(e) => format!("{code} — {}", e.text_nb),
        None => code.to_owned(),
    }
}

/// An outcome as shown: an assessment's right, a decision's code and text, an end reason.
fn outcome_label(l: Lang, event: &str, outcome: &str) -> String {
    match (event, outcome) {
        ("referral_assessed", "right") => l.t("pathways.outcome_right").to_owned(),
        ("referral_assessed", "no_right") => l.t("pathways.outcome_no_right").to_owned(),
        ("clinical_decision", o) => match DecisionCode::parse(o.trim_start_matches("D01")) {
            Some(d) => code_label(l, d.national_code()),
            None => o.to_owned(),
        },
        ("pathway_end", o) => match END_REASONS.iter().find(|r| r.0 == o) {
            Some((_, nb, en)) => (if l == Lang::En { *en } else { *nb }).to_owned(),
            None => o.to_owned(),
        },
        (_, o) => o.to_owned(),
    }
}

fn event_view(l: Lang, id: i64, f: &EventFields, withdrawn: Option<Withdrawal>) -> EventView {
    let kind = EventKind::parse(&f.event);
    EventView {
        id,
        event: kind.map_or("", |k| event_text(l, k)),
        date: f.date.clone(),
        care_level: l.t_in("pathways", f.care_level.trim()),
        code: code_label(l, &f.code),
        outcome: outcome_label(l, f.event.trim(), f.outcome.trim()),
        deadline: f.deadline.clone(),
        withdrawn,
    }
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
    decisions: Vec<(&'static str, String)>,
    /// End reasons (value, text) and the codes the form offers (code, code and text).
    end_reasons: Vec<(&'static str, &'static str)>,
    /// The ICD-10 substance-use categories a diagnosis names (code, code and text).
    diagnoses: Vec<(&'static str, String)>,
    codes: Vec<(String, String)>,
    /// A refused form's message, the field it is about, and what was typed.
    shown: Shown,
    corrections: Vec<CorrectionView>,
    /// The patient's LAR treatment today (`templates/pathways/_lar_summary.html`).
    lar: Option<super::lar::LarSummary>,
}

/// What a refused form brings back to the page: the refusal (its message, and its rule beside
/// the field it names), and every field as typed. The default is a page with fresh forms.
#[derive(Default)]
pub(super) struct Shown {
    error: FormError,
    form: EventForm,
    /// The event whose withdrawal was refused, and the reason as typed.
    withdraw: Option<(i64, String)>,
}

impl Shown {
    fn refused(e: &WebError, l: Lang, form: EventForm, withdraw: Option<(i64, String)>) -> Shown {
        Shown {
            error: FormError::new(e, l),
            form,
            withdraw,
        }
    }

    /// The reason typed for a refused withdrawal of event `id`.
    fn withdraw_of(&self, id: i64) -> Option<&str> {
        self.withdraw
            .as_ref()
            .filter(|w| w.0 == id)
            .map(|w| w.1.as_str())
    }

    /// Whether the error is shown beside a field of the event form (else above the forms).
    fn beside_event_form(&self) -> bool {
        self.withdraw.is_none()
            && ["event", "date", "care_level", "code", "outcome", "deadline"]
                .iter()
                .any(|f| self.error.is(f))
    }

    /// The rule to show beside field `name` of the event form.
    fn event_rule(&self, name: &str) -> Option<&str> {
        if self.withdraw.is_some() {
            return None;
        }
        self.error.at(name)
    }
}

/// The pathway page, its read logged. Shown after a refused form too (with the form's error):
/// that is a read, decided and logged as one.
async fn view(
    state: &AppState,
    c: Chrome,
    principal: &varde_core::org::Principal,
    pathway_id: String,
    mut shown: Shown,
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
    if shown.form.date.is_empty() {
        shown.form.date = today.to_string();
    }
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
    let corrected = corrections_of(state, org, &pathway_id).await?;
    let mut events: Vec<(EventView, (String, usize, i64))> = loaded
        .rows
        .iter()
        .map(|r| {
            (
                event_view(l, r.id, &r.fields, None),
                order_key(&r.fields, r.id),
            )
        })
        .chain(corrected.iter().map(|k| {
            let w = &k.withdrawn;
            let by = Withdrawal {
                by: k.by.clone().unwrap_or_default(),
                reason: k.reason.clone(),
            };
            (
                event_view(l, w.id, &w.fields, Some(by)),
                order_key(&w.fields, w.id),
            )
        }))
        .collect();
    // By date, then the pathway's own order within a day, then as registered.
    events.sort_by(|a, b| a.1.cmp(&b.1));
    let events: Vec<EventView> = events.into_iter().map(|(v, _)| v).collect();
    let kinds = EventKind::ALL
        .iter()
        .skip(1)
        .map(|k| (k.as_str(), event_text(l, *k)))
        .collect();
    let decisions = DecisionCode::ALL
        .iter()
        .map(|d| (d.as_str(), code_label(l, d.national_code())))
        .collect();
    let describe = |f: &EventFields| {
        let event = EventKind::parse(&f.event).map_or(f.event.as_str(), |k| event_text(l, k));
        format!("{} {event}", f.date)
    };
    let corrections = corrected
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
    let lar_refs: Vec<String> = patient
        .iter()
        .map(|p| person_reference(p.person_id))
        .chain(std::iter::once(pathway_id.clone()))
        .collect();
    let lar = super::lar::pathway_summary(state, principal, &lar_refs, today).await?;
    render(&PathwayT {
        patient,
        lar,
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
        end_reasons: END_REASONS
            .iter()
            .map(|(v, nb, en)| (*v, if l == Lang::En { *en } else { *nb }))
            .collect(),
        diagnoses: varde_core::pathways::model::SUBSTANCE_DIAGNOSES
            .iter()
            .map(|(code, nb, en)| {
                (
                    *code,
                    format!("{code} {}", if l == Lang::En { en } else { nb }),
                )
            })
            .collect(),
        codes: CODES
            .iter()
            .filter(|e| !e.event.is_empty())
            .map(|e| (e.code.clone(), code_label(l, &e.code)))
            .collect(),
        shown,
    })
}

pub(super) async fn pathway_page(
    State(state): State<AppState>,
    page: Page,
    access: OrgAccess<ReadPathways>,
    Path(pathway_id): Path<String>,
) -> PageResult {
    view(
        &state,
        page.c,
        &access.principal,
        pathway_id,
        Shown::default(),
    )
    .await
}

#[derive(Deserialize, Default, Clone)]
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
            let shown = Shown::refused(&e, l, f.clone(), None);
            view(&state, page.c, &write.principal, pathway_id.clone(), shown)
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
            let typed = Some((id, f.reason.clone()));
            let shown = Shown::refused(&e, l, EventForm::default(), typed);
            view(&state, page.c, &write.principal, pid, shown).await
        },
    )
    .await
}
