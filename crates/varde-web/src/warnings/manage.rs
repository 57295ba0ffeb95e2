//! The staff's pages (`warning-editor`, `warning-approver`): every warning
//! (`/warnings/manage`), the editor's form (`/warnings/new`, and a new version at
//! `/warnings/manage/{id}/versions`), one warning with its versions and the actions the user
//! may take (`/warnings/manage/{id}`: approve, cancel). Each form calls the operation the API
//! calls (`ops.rs`); a refused form comes back as typed with the rule beside its field.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::routing::{get, post};
use axum::Router;
use jiff::civil::DateTime;
use serde::Deserialize;
use varde_core::authz::{decide, Action, Subject};
use varde_core::warnings::draft::{DraftInput, TextInput};
use varde_core::warnings::{Certainty, Content, FoundBy, Severity, Urgency, Warning};

use super::ops;
use super::pages::{
    content_view, history, sev, status_label, substance_name, txt, when, ContentView, HistoryRow,
    Sev, Txt,
};
use crate::authz::{ApproveWarnings, DraftWarnings, OrgAccess, ReadWarnings};
use crate::error::WebError;
use crate::forms::{finish, path_segment, render, CsrfForm, FormError, PageResult};
use crate::i18n::Lang;
use crate::shell::{Chrome, Page};
use crate::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/warnings/manage", get(list))
        .route("/warnings/new", get(new_form).post(new_submit))
        .route("/warnings/manage/{id}", get(one))
        .route(
            "/warnings/manage/{id}/versions",
            get(version_form).post(version_submit),
        )
        .route("/warnings/manage/{id}/approve", post(approve))
        .route("/warnings/manage/{id}/cancel", post(cancel))
}

fn oslo() -> jiff::tz::TimeZone {
    jiff::tz::db()
        .get("Europe/Oslo")
        .unwrap_or(jiff::tz::TimeZone::UTC)
}

fn manage_path(id: &str) -> String {
    format!("/warnings/manage/{}", path_segment(id))
}

// ------------------------------------------------------------------ the list

struct Row {
    href: String,
    id: String,
    title: Txt,
    severity: Sev,
    status: &'static str,
    /// The version waiting for approval, and who wrote it.
    pending: Option<(u32, String)>,
    exercise: bool,
    updated: String,
}

#[derive(Template)]
#[template(path = "warnings/manage.html")]
struct ManageT {
    c: Chrome,
    rows: Vec<Row>,
    may_draft: bool,
}

fn allowed(p: &varde_core::org::Principal, action: Action) -> bool {
    decide(p, action, &Subject::of_org(p.org), None).allowed
}

/// `GET /warnings/manage`: every warning, the ones waiting for approval first.
async fn list(
    State(state): State<AppState>,
    page: Page,
    access: OrgAccess<ReadWarnings>,
) -> PageResult {
    let l = page.c.l;
    let now = state.clock.now();
    let snap = state.warnings.public.snapshot(&state).await?;
    let mut ws: Vec<&Warning> = snap
        .warnings
        .iter()
        .filter(|w| w.latest().is_some())
        .collect();
    ws.sort_by_key(|w| (w.pending().is_none(), std::cmp::Reverse(w.updated())));
    let rows = ws
        .into_iter()
        .filter_map(|w| {
            let v = w.latest()?;
            Some(Row {
                href: manage_path(&w.id),
                id: w.id.clone(),
                title: txt(&v.content.title, l),
                severity: sev(v.content.severity, l),
                status: status_label(w.status(now), l),
                pending: w.pending().map(|p| (p.number, p.drafted.by.name.clone())),
                exercise: v.content.exercise,
                updated: w.updated().map(when).unwrap_or_default(),
            })
        })
        .collect();
    render(&ManageT {
        may_draft: allowed(&access.principal, Action::WarningDraft),
        c: page.c,
        rows,
    })
}

// ------------------------------------------------------------------ the editor's form

/// The editor's form as typed: every field a text, as the page shows it again.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub(super) struct DraftForm {
    title: String,
    title_en: String,
    substance: String,
    sold_as: String,
    found_by: String,
    areas: String,
    severity: String,
    urgency: String,
    certainty: String,
    description: String,
    description_en: String,
    advice_public: String,
    advice_public_en: String,
    advice_services: String,
    advice_services_en: String,
    /// `datetime-local`: `2026-12-24T12:00`, Oslo time.
    expires: String,
    signal_id: String,
    exercise: Option<String>,
}

fn opt(v: &str) -> Option<String> {
    let v = v.trim();
    (!v.is_empty()).then(|| v.to_owned())
}

fn text_input(nb: &str, en: &str) -> TextInput {
    TextInput {
        nb: nb.to_owned(),
        en: opt(en),
    }
}

/// A `datetime-local` value read as Oslo time, as RFC 3339; anything else as typed (the rule
/// then says what is expected).
fn expires_of(v: &str) -> String {
    let v = v.trim();
    match v.parse::<DateTime>() {
        Ok(dt) => dt
            .to_zoned(oslo())
            .map_or_else(|_| v.to_owned(), |z| z.timestamp().to_string()),
        Err(_) => v.to_owned(),
    }
}

impl DraftForm {
    fn input(&self) -> DraftInput {
        DraftInput {
            title: text_input(&self.title, &self.title_en),
            substance: self.substance.clone(),
            sold_as: opt(&self.sold_as),
            found_by: opt(&self.found_by),
            areas: self
                .areas
                .split(|c: char| c == ',' || c.is_whitespace())
                .filter(|a| !a.is_empty())
                .map(str::to_owned)
                .collect(),
            severity: self.severity.clone(),
            urgency: opt(&self.urgency),
            certainty: opt(&self.certainty),
            description: text_input(&self.description, &self.description_en),
            advice_public: text_input(&self.advice_public, &self.advice_public_en),
            advice_services: text_input(&self.advice_services, &self.advice_services_en),
            expires: expires_of(&self.expires),
            signal_id: opt(&self.signal_id),
            exercise: Some(self.exercise.is_some()),
        }
    }

    /// The form prefilled with a version's content (a new version starts from the latest).
    fn of(c: &Content, l: Lang) -> DraftForm {
        let en = |t: &varde_core::warnings::Text| t.en.clone().unwrap_or_default();
        DraftForm {
            title: c.title.nb.clone(),
            title_en: en(&c.title),
            substance: substance_name(&c.substance, l),
            sold_as: c.sold_as.clone().unwrap_or_default(),
            found_by: c
                .found_by
                .map(|f| f.as_str().to_owned())
                .unwrap_or_default(),
            areas: c
                .areas
                .iter()
                .map(|a| a.code())
                .collect::<Vec<_>>()
                .join(", "),
            severity: c.severity.as_str().to_owned(),
            urgency: c.urgency.as_str().to_owned(),
            certainty: c.certainty.as_str().to_owned(),
            description: c.description.nb.clone(),
            description_en: en(&c.description),
            advice_public: c.advice_public.nb.clone(),
            advice_public_en: en(&c.advice_public),
            advice_services: c.advice_services.nb.clone(),
            advice_services_en: en(&c.advice_services),
            expires: c
                .expires
                .to_zoned(oslo())
                .strftime("%Y-%m-%dT%H:%M")
                .to_string(),
            signal_id: c.signal_id.clone().unwrap_or_default(),
            exercise: c.exercise.then(|| "1".to_owned()),
        }
    }
}

#[derive(Template)]
#[template(path = "warnings/form.html")]
struct FormT {
    c: Chrome,
    /// The i18n key of the heading.
    heading: &'static str,
    action: String,
    /// Where "back" goes.
    back: String,
    form: DraftForm,
    error: FormError,
    substances: Vec<String>,
    found_by: Vec<(&'static str, &'static str)>,
    severities: Vec<(&'static str, &'static str)>,
    urgencies: Vec<(&'static str, &'static str)>,
    certainties: Vec<(&'static str, &'static str)>,
    /// Today in Oslo, as the `min` of the expiry field.
    min_expires: String,
}

fn words(l: Lang, prefix: &str, all: &[&'static str]) -> Vec<(&'static str, &'static str)> {
    all.iter().map(|w| (*w, l.t_in(prefix, w))).collect()
}

fn form_page(
    state: &AppState,
    c: Chrome,
    heading: &'static str,
    action: String,
    back: String,
    form: DraftForm,
    error: FormError,
) -> PageResult {
    let l = c.l;
    let mut substances: Vec<String> = varde_core::substances::get()
        .all()
        .iter()
        .map(|s| s.name(l.code()).to_owned())
        .collect();
    substances.sort();
    substances.dedup();
    let w = |all: Vec<&'static str>, prefix: &str| words(l, prefix, &all);
    render(&FormT {
        heading,
        action,
        back,
        form,
        error,
        substances,
        found_by: w(
            FoundBy::ALL.iter().map(|f| f.as_str()).collect(),
            "warnings.found_by",
        ),
        severities: w(
            Severity::ALL.iter().map(|f| f.as_str()).collect(),
            "warnings.severity",
        ),
        urgencies: w(
            Urgency::ALL.iter().map(|f| f.as_str()).collect(),
            "warnings.urgency",
        ),
        certainties: w(
            Certainty::ALL.iter().map(|f| f.as_str()).collect(),
            "warnings.certainty",
        ),
        min_expires: state
            .clock
            .now()
            .to_zoned(oslo())
            .strftime("%Y-%m-%dT%H:%M")
            .to_string(),
        c,
    })
}

/// `?signal_id=S12&substance=protonitazene&areas=0301` (a warning drafted from a signal, as
/// the signal's page links it: the substance's id in the reference list, area codes).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct NewQuery {
    signal_id: String,
    substance: String,
    areas: String,
}

/// `GET /warnings/new`: the editor's form.
async fn new_form(
    State(state): State<AppState>,
    page: Page,
    _access: OrgAccess<DraftWarnings>,
    Query(q): Query<NewQuery>,
) -> PageResult {
    let from_signal = !q.signal_id.trim().is_empty();
    let form = DraftForm {
        substance: if q.substance.trim().is_empty() {
            String::new()
        } else {
            substance_name(q.substance.trim(), page.c.l)
        },
        areas: q.areas.trim().to_owned(),
        found_by: if from_signal {
            FoundBy::Signal.as_str().to_owned()
        } else {
            String::new()
        },
        signal_id: q.signal_id,
        urgency: "immediate".into(),
        certainty: "likely".into(),
        ..DraftForm::default()
    };
    form_page(
        &state,
        page.c,
        "warnings.new",
        "/warnings/new".into(),
        "/warnings/manage".into(),
        form,
        FormError::default(),
    )
}

/// `POST /warnings/new`: drafts version 1; to its page, or the form again with the rules.
async fn new_submit(
    State(state): State<AppState>,
    page: Page,
    access: OrgAccess<DraftWarnings>,
    CsrfForm(form): CsrfForm<DraftForm>,
) -> PageResult {
    let result = ops::draft(&state, &access, &form.input()).await;
    let l = page.c.l;
    finish(
        result,
        |w| format!("{}?done=drafted", manage_path(&w.id)),
        |e| async move {
            form_page(
                &state,
                page.c,
                "warnings.new",
                "/warnings/new".into(),
                "/warnings/manage".into(),
                form,
                FormError::new(&e, l),
            )
        },
    )
    .await
}

/// `GET /warnings/manage/{id}/versions`: the form, prefilled with the latest version.
async fn version_form(
    State(state): State<AppState>,
    page: Page,
    _access: OrgAccess<DraftWarnings>,
    Path(id): Path<String>,
) -> PageResult {
    let w = ops::load(&state, &id).await?;
    let latest = w.latest().ok_or_else(WebError::not_found)?;
    let form = DraftForm::of(&latest.content, page.c.l);
    let back = manage_path(&w.id);
    form_page(
        &state,
        page.c,
        "warnings.new_version",
        format!("{back}/versions"),
        back,
        form,
        FormError::default(),
    )
}

/// `POST /warnings/manage/{id}/versions`: drafts a new version.
async fn version_submit(
    State(state): State<AppState>,
    page: Page,
    access: OrgAccess<DraftWarnings>,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<DraftForm>,
) -> PageResult {
    let result = ops::new_version(&state, &access, &id, &form.input()).await;
    let l = page.c.l;
    let back = manage_path(&id);
    finish(
        result,
        |w| format!("{}?done=drafted", manage_path(&w.id)),
        |e| async move {
            form_page(
                &state,
                page.c,
                "warnings.new_version",
                format!("{back}/versions"),
                back,
                form,
                FormError::new(&e, l),
            )
        },
    )
    .await
}

// ------------------------------------------------------------------ one warning

struct VersionRow {
    number: u32,
    author: String,
    drafted: String,
    /// Who approved it, and when.
    approved: Option<(String, String)>,
    /// The texts without English, by their names.
    missing_english: String,
    title: Txt,
}

#[derive(Template)]
#[template(path = "warnings/manage_one.html")]
struct OneT {
    c: Chrome,
    id: String,
    path: String,
    status: &'static str,
    /// The latest version's content.
    latest: ContentView,
    latest_number: u32,
    versions: Vec<VersionRow>,
    history: Vec<HistoryRow>,
    cancelled: Option<(String, String, String)>,
    /// The version waiting for approval.
    pending: Option<u32>,
    may_approve: bool,
    /// The user wrote the version waiting (another approver must approve it).
    own_pending: bool,
    may_draft: bool,
    may_cancel: bool,
    /// The public sees it (a link to its public page).
    public: bool,
    done: Option<&'static str>,
    error: FormError,
    reason: String,
}

/// `?done=…`: what the last step did.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct DoneQuery {
    done: String,
}

fn done_key(done: &str) -> Option<&'static str> {
    match done {
        "drafted" => Some("warnings.done_drafted"),
        "approved" => Some("warnings.done_approved"),
        "cancelled" => Some("warnings.done_cancelled"),
        _ => None,
    }
}

async fn view(
    state: &AppState,
    c: Chrome,
    principal: &varde_core::org::Principal,
    id: &str,
    done: Option<&'static str>,
    error: FormError,
    reason: String,
) -> PageResult {
    let w = ops::load(state, id).await?;
    let latest = w.latest().ok_or_else(WebError::not_found)?;
    let l = c.l;
    let now = state.clock.now();
    let field_names = |v: &varde_core::warnings::Version| {
        v.content
            .missing_english()
            .into_iter()
            .map(|f| l.field(f))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let versions = w
        .versions
        .iter()
        .rev()
        .map(|v| VersionRow {
            number: v.number,
            author: v.drafted.by.name.clone(),
            drafted: when(v.drafted.at),
            approved: v.approved.as_ref().map(|a| (a.by.name.clone(), when(a.at))),
            missing_english: field_names(v),
            title: txt(&v.content.title, l),
        })
        .collect();
    let pending = w.pending();
    let open = w.cancelled.is_none();
    render(&OneT {
        id: w.id.clone(),
        path: manage_path(&w.id),
        status: status_label(w.status(now), l),
        latest: content_view(&latest.content, l),
        latest_number: latest.number,
        versions,
        history: history(&w, l),
        cancelled: w
            .cancelled
            .as_ref()
            .map(|x| (x.by.name.clone(), when(x.at), x.reason.clone())),
        pending: pending.filter(|_| open).map(|p| p.number),
        may_approve: open && allowed(principal, Action::WarningApprove),
        own_pending: pending.is_some_and(|p| p.drafted.by.id == principal.user.0),
        may_draft: open && allowed(principal, Action::WarningDraft),
        may_cancel: open && w.published().is_some() && allowed(principal, Action::WarningApprove),
        public: w.public(),
        done,
        error,
        reason,
        c,
    })
}

/// `GET /warnings/manage/{id}`: one warning, every version, the user's actions.
async fn one(
    State(state): State<AppState>,
    page: Page,
    access: OrgAccess<ReadWarnings>,
    Path(id): Path<String>,
    Query(q): Query<DoneQuery>,
) -> PageResult {
    view(
        &state,
        page.c,
        &access.principal,
        &id,
        done_key(&q.done),
        FormError::default(),
        String::new(),
    )
    .await
}

/// The approval form: the version the approver saw.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ApproveForm {
    version: Option<u32>,
}

/// `POST /warnings/manage/{id}/approve`: approves (publishes) the version waiting.
async fn approve(
    State(state): State<AppState>,
    page: Page,
    access: OrgAccess<ApproveWarnings>,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<ApproveForm>,
) -> PageResult {
    let result = ops::approve(&state, &access, &id, form.version).await;
    let l = page.c.l;
    finish(
        result,
        |w| format!("{}?done=approved", manage_path(&w.id)),
        |e| {
            view(
                &state,
                page.c,
                &access.principal,
                &id,
                None,
                FormError::new(&e, l),
                String::new(),
            )
        },
    )
    .await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct CancelForm {
    reason: String,
}

/// `POST /warnings/manage/{id}/cancel`: cancels the warning with a reason.
async fn cancel(
    State(state): State<AppState>,
    page: Page,
    access: OrgAccess<ApproveWarnings>,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<CancelForm>,
) -> PageResult {
    let result = ops::cancel(&state, &access, &id, &form.reason).await;
    let l = page.c.l;
    finish(
        result,
        |w| format!("{}?done=cancelled", manage_path(&w.id)),
        |e| {
            view(
                &state,
                page.c,
                &access.principal,
                &id,
                None,
                FormError::new(&e, l),
                form.reason,
            )
        },
    )
    .await
}
