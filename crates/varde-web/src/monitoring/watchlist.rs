//! The watchlist page (`/monitoring/watchlist`): the substances on it (the reference list's
//! high-risk substances and the analysts' changes, marked), a form to add a substance by name
//! and a remove button per entry, each calling the operation the API calls.

use askama::Template;
use axum::extract::{Query, State};
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;
use varde_core::authz::{decide, Action, Subject};

use super::ops::{self, WatchEntry};
use crate::authz::{OrgAccess, ReadMonitoring, WorkSignals};
use crate::forms::{finish, render, CsrfForm, FormError, PageResult};
use crate::shell::{Chrome, Page};
use crate::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/monitoring/watchlist", get(page))
        .route("/monitoring/watchlist/add", post(add))
        .route("/monitoring/watchlist/remove", post(remove))
}

#[derive(Template)]
#[template(path = "monitoring/watchlist.html")]
struct WatchT {
    c: Chrome,
    entries: Vec<WatchEntry>,
    /// Every name of the reference list in the language (the `<datalist>`).
    names: Vec<String>,
    may_work: bool,
    done: Option<&'static str>,
    error: FormError,
    substance: String,
}

async fn view(
    state: &AppState,
    c: Chrome,
    may_work: bool,
    done: Option<&'static str>,
    error: FormError,
    substance: String,
) -> PageResult {
    let l = c.l;
    let mut names: Vec<String> = varde_core::substances::get()
        .all()
        .iter()
        .map(|s| s.name(l.code()).to_owned())
        .collect();
    names.sort();
    names.dedup();
    render(&WatchT {
        entries: ops::watchlist(state, l).await?,
        names,
        may_work,
        done,
        error,
        substance,
        c,
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct DoneQuery {
    done: String,
}

/// `GET /monitoring/watchlist`.
async fn page(
    State(state): State<AppState>,
    page: Page,
    access: OrgAccess<ReadMonitoring>,
    Query(q): Query<DoneQuery>,
) -> PageResult {
    let p = &access.principal;
    let may_work = decide(p, Action::MonitoringWrite, &Subject::of_org(p.org), None).allowed;
    let done = match q.done.as_str() {
        "added" => Some("monitoring.watch_added"),
        "removed" => Some("monitoring.watch_removed"),
        _ => None,
    };
    view(
        &state,
        page.c,
        may_work,
        done,
        FormError::default(),
        String::new(),
    )
    .await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct WatchForm {
    substance: String,
}

async fn set(
    state: AppState,
    page: Page,
    access: OrgAccess<WorkSignals>,
    form: WatchForm,
    on_list: bool,
) -> PageResult {
    let result = ops::watchlist_set(&state, &access, &form.substance, on_list).await;
    let l = page.c.l;
    finish(
        result,
        |_| {
            format!(
                "/monitoring/watchlist?done={}",
                if on_list { "added" } else { "removed" }
            )
        },
        |e| {
            view(
                &state,
                page.c,
                true,
                None,
                FormError::new(&e, l),
                form.substance,
            )
        },
    )
    .await
}

/// `POST /monitoring/watchlist/add`: puts a substance (a name of the reference list) on it.
async fn add(
    State(state): State<AppState>,
    page: Page,
    access: OrgAccess<WorkSignals>,
    CsrfForm(form): CsrfForm<WatchForm>,
) -> PageResult {
    set(state, page, access, form, true).await
}

/// `POST /monitoring/watchlist/remove`: takes a substance off it.
async fn remove(
    State(state): State<AppState>,
    page: Page,
    access: OrgAccess<WorkSignals>,
    CsrfForm(form): CsrfForm<WatchForm>,
) -> PageResult {
    set(state, page, access, form, false).await
}
