//! The analysts' pages: the inbox (`/monitoring`, by status, with the areas that have open
//! signals) and one signal (`/monitoring/signals/{id}`: its details, the history of its
//! changes, the signals linked into it, the link to draft a warning from it). The forms
//! (acknowledge, link, dismiss) call the operation the API calls (`ops.rs`); a refused form
//! comes back on the signal's page with the rule beside its field.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;
use varde_core::authz::{decide, Action, Subject};
use varde_core::monitoring::signals::{SignalChange, SignalStatus};
use varde_store::Signal;

use super::ops;
use crate::authz::{OrgAccess, ReadMonitoring, WorkSignals};
use crate::display::minute_of;
use crate::error::WebError;
use crate::forms::{finish, render, CsrfForm, FormError, PageResult};
use crate::i18n::Lang;
use crate::shell::{Chrome, Page};
use crate::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/monitoring", get(inbox))
        .route("/monitoring/signals/{id}", get(one))
        .route("/monitoring/signals/{id}/acknowledge", post(acknowledge))
        .route("/monitoring/signals/{id}/link", post(link))
        .route("/monitoring/signals/{id}/dismiss", post(dismiss))
}

fn signal_path(id: i64) -> String {
    format!("/monitoring/signals/{id}")
}

/// A number as shown: without a fraction when it has none.
fn number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v:.2}")
    }
}

/// A signal as the pages show it.
pub(super) struct Row {
    pub id: i64,
    pub href: String,
    pub kind: &'static str,
    pub source: String,
    pub substance: String,
    pub substance_id: String,
    pub area: String,
    pub area_code: String,
    pub week: String,
    pub observed: String,
    pub threshold: String,
    pub rule: String,
    pub detail: String,
    pub created: String,
    pub status: &'static str,
    pub is_new: bool,
    pub open: bool,
    pub linked_into: Option<i64>,
    /// Another open signal exists to link into.
    pub can_link: bool,
}

fn row(s: &Signal, l: Lang) -> Row {
    let status = SignalStatus::parse("status", &s.status).ok();
    Row {
        id: s.id,
        href: signal_path(s.id),
        kind: l.t_in("monitoring.kind", &s.kind),
        source: s.source.clone(),
        substance: s
            .substance
            .as_deref()
            .map(|id| ops::substance_name(id, l))
            .unwrap_or_default(),
        substance_id: s.substance.clone().unwrap_or_default(),
        area: ops::area_name(&s.area, l),
        area_code: s.area.clone(),
        week: s.week.clone(),
        observed: number(s.observed),
        threshold: s.threshold.map(number).unwrap_or_default(),
        rule: s.rule.clone(),
        detail: s.detail.clone(),
        created: minute_of(&s.created_at),
        status: l.t_in("monitoring.status", &s.status),
        is_new: status == Some(SignalStatus::New),
        open: status.is_some_and(SignalStatus::is_open),
        linked_into: s.linked_into,
        can_link: false,
    }
}

/// An open signal to link into: its id and a short label.
pub(super) struct Target {
    pub id: i64,
    pub label: String,
}

fn targets(all: &[Signal], except: i64, l: Lang) -> Vec<Target> {
    all.iter()
        .filter(|s| s.id != except)
        .filter(|s| SignalStatus::parse("status", &s.status).is_ok_and(SignalStatus::is_open))
        .map(|s| {
            let r = row(s, l);
            let what = if r.substance.is_empty() {
                r.source.clone()
            } else {
                r.substance.clone()
            };
            Target {
                id: s.id,
                label: format!("S{} – {} – {}, {} ({})", s.id, r.kind, what, r.area, r.week),
            }
        })
        .collect()
}

fn may(p: &varde_core::org::Principal, action: Action) -> bool {
    decide(p, action, &Subject::of_org(p.org), None).allowed
}

// ------------------------------------------------------------------ the inbox

struct Tab {
    href: String,
    label: &'static str,
    count: usize,
    current: bool,
}

#[derive(Template)]
#[template(path = "monitoring/inbox.html")]
struct InboxT {
    c: Chrome,
    tabs: Vec<Tab>,
    /// The status shown, as a word.
    showing: &'static str,
    rows: Vec<Row>,
    /// Open signals to link into (each row leaves itself out).
    targets: Vec<Target>,
    /// The areas with open signals: name, code, new, acknowledged.
    areas: Vec<(String, String, usize, usize)>,
    may_work: bool,
    done: Option<&'static str>,
    /// No refusal (the inbox's forms come back on the signal's page).
    no_error: FormError,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct InboxQuery {
    status: Option<String>,
    done: String,
}

fn done_key(done: &str) -> Option<&'static str> {
    match done {
        "acknowledged" => Some("monitoring.done_acknowledged"),
        "linked" => Some("monitoring.done_linked"),
        "dismissed" => Some("monitoring.done_dismissed"),
        _ => None,
    }
}

/// `GET /monitoring`: the analyst's inbox, new signals first.
async fn inbox(
    State(state): State<AppState>,
    page: Page,
    access: OrgAccess<ReadMonitoring>,
    Query(q): Query<InboxQuery>,
) -> PageResult {
    let l = page.c.l;
    let status = ops::parse_status(q.status.as_deref())?.unwrap_or(SignalStatus::New);
    let all = ops::list(&state, None).await?;
    let tabs = SignalStatus::ALL
        .iter()
        .map(|s| Tab {
            href: format!("/monitoring?status={}", s.as_str()),
            label: l.t_in("monitoring.status", s.as_str()),
            count: all.iter().filter(|x| x.status == s.as_str()).count(),
            current: *s == status,
        })
        .collect();
    let mut areas: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for s in &all {
        let e = areas.entry(s.area.clone()).or_default();
        match s.status.as_str() {
            "new" => e.0 += 1,
            "acknowledged" => e.1 += 1,
            _ => {}
        }
    }
    let mut areas: Vec<(String, String, usize, usize)> = areas
        .into_iter()
        .filter(|(_, (n, a))| n + a > 0)
        .map(|(code, (n, a))| (ops::area_name(&code, l), code, n, a))
        .collect();
    areas.sort_by(|a, b| (b.2 + b.3).cmp(&(a.2 + a.3)).then(a.0.cmp(&b.0)));
    let targets = targets(&all, 0, l);
    let rows = all
        .iter()
        .filter(|s| s.status == status.as_str())
        .map(|s| Row {
            can_link: targets.iter().any(|t| t.id != s.id),
            ..row(s, l)
        })
        .collect();
    render(&InboxT {
        no_error: FormError::default(),
        tabs,
        showing: l.t_in("monitoring.status", status.as_str()),
        rows,
        targets,
        areas,
        may_work: may(&access.principal, Action::MonitoringWrite),
        done: done_key(&q.done),
        c: page.c,
    })
}

// ------------------------------------------------------------------ one signal

struct Change {
    what: &'static str,
    detail: String,
    author: String,
    at: String,
}

#[derive(Template)]
#[template(path = "monitoring/signal.html")]
struct SignalT {
    c: Chrome,
    s: Row,
    history: Vec<Change>,
    linked: Vec<Row>,
    targets: Vec<Target>,
    may_work: bool,
    /// `/warnings/new?…`: a warning drafted from this signal.
    draft_link: String,
    done: Option<&'static str>,
    error: FormError,
    reason: String,
}

async fn author(state: &AppState, id: Option<i64>) -> String {
    match id {
        Some(id) => state
            .store
            .user(varde_core::org::UserId(id))
            .await
            .map_or_else(|_| format!("#{id}"), |u| u.username),
        None => "—".to_owned(),
    }
}

async fn view(
    state: &AppState,
    c: Chrome,
    principal: &varde_core::org::Principal,
    id: i64,
    done: Option<&'static str>,
    error: FormError,
    reason: String,
) -> PageResult {
    let l = c.l;
    let s = ops::load(state, id).await?;
    let all = ops::list(state, None).await?;
    let mut history = Vec::new();
    for e in state
        .store
        .read_stream(&varde_store::signal_stream(id))
        .await?
    {
        let detail = match serde_json::from_str::<SignalChange>(&e.body) {
            Ok(SignalChange::Link { into }) => format!("S{into}"),
            Ok(SignalChange::Dismiss { reason }) => reason,
            _ => String::new(),
        };
        let what = e.kind.strip_prefix("monitoring.signal_").unwrap_or(&e.kind);
        history.push(Change {
            what: l.t_in("monitoring.change", what),
            detail,
            author: author(state, e.actor_id).await,
            at: minute_of(&e.recorded_at),
        });
    }
    let r = row(&s, l);
    let targets = targets(&all, id, l);
    let mut draft_link = format!("/warnings/new?signal_id=S{}", s.id);
    if !r.substance_id.is_empty() {
        draft_link.push_str(&format!("&substance={}", urlencode(&r.substance_id)));
    }
    draft_link.push_str(&format!("&areas={}", urlencode(&r.area_code)));
    render(&SignalT {
        linked: all
            .iter()
            .filter(|x| x.linked_into == Some(id))
            .map(|x| row(x, l))
            .collect(),
        s: Row {
            can_link: !targets.is_empty(),
            ..r
        },
        targets,
        history,
        may_work: may(principal, Action::MonitoringWrite),
        draft_link,
        done,
        error,
        reason,
        c,
    })
}

/// Percent-encodes a query value.
fn urlencode(v: &str) -> String {
    serde_urlencoded::to_string([("", v)])
        .map(|s| s.trim_start_matches('=').to_owned())
        .unwrap_or_default()
}

/// `GET /monitoring/signals/{id}`.
async fn one(
    State(state): State<AppState>,
    page: Page,
    access: OrgAccess<ReadMonitoring>,
    Path(id): Path<String>,
    Query(q): Query<InboxQuery>,
) -> PageResult {
    let id = ops::parse_id(&id)?;
    view(
        &state,
        page.c,
        &access.principal,
        id,
        done_key(&q.done),
        FormError::default(),
        String::new(),
    )
    .await
}

/// The forms' fields: where to go back to (`inbox` or the signal's page), the signal to link
/// into, the reason to dismiss.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ChangeForm {
    from: String,
    into: String,
    reason: String,
}

async fn submit(
    state: AppState,
    page: Page,
    access: OrgAccess<WorkSignals>,
    id: String,
    form: ChangeForm,
    change: Result<SignalChange, WebError>,
    done: &'static str,
) -> PageResult {
    let id = ops::parse_id(&id)?;
    let result = match change {
        Ok(change) => ops::change(&state, &access, id, change).await,
        Err(e) => Err(e),
    };
    let l = page.c.l;
    let from_inbox = form.from == "inbox";
    finish(
        result,
        |s| {
            if from_inbox {
                format!("/monitoring?done={done}")
            } else {
                format!("{}?done={done}", signal_path(s.id))
            }
        },
        |e| {
            view(
                &state,
                page.c,
                &access.principal,
                id,
                None,
                FormError::new(&e, l),
                form.reason,
            )
        },
    )
    .await
}

/// `POST /monitoring/signals/{id}/acknowledge`.
async fn acknowledge(
    State(state): State<AppState>,
    page: Page,
    access: OrgAccess<WorkSignals>,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<ChangeForm>,
) -> PageResult {
    let change = Ok(SignalChange::Acknowledge);
    submit(state, page, access, id, form, change, "acknowledged").await
}

/// `POST /monitoring/signals/{id}/link`.
async fn link(
    State(state): State<AppState>,
    page: Page,
    access: OrgAccess<WorkSignals>,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<ChangeForm>,
) -> PageResult {
    let change = form
        .into
        .trim()
        .trim_start_matches(['S', 's'])
        .parse::<i64>()
        .map(|into| SignalChange::Link { into })
        .map_err(|_| WebError::invalid("into", "no such signal"));
    submit(state, page, access, id, form, change, "linked").await
}

/// `POST /monitoring/signals/{id}/dismiss`.
async fn dismiss(
    State(state): State<AppState>,
    page: Page,
    access: OrgAccess<WorkSignals>,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<ChangeForm>,
) -> PageResult {
    let change = Ok(SignalChange::Dismiss {
        reason: form.reason.clone(),
    });
    submit(state, page, access, id, form, change, "dismissed").await
}
