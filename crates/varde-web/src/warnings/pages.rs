//! The public pages (no login, no JavaScript): the warnings in force (`/warnings`), the archive
//! (`/warnings/archive`) and one warning (`/warnings/{id}`); and the views of a warning's
//! content that the staff's pages (`manage.rs`) share.
//!
//! A reader who is not logged in gets the list and the archive from the public cache (rendered
//! once per stamp and language: a load test reads them thousands of times a second); a
//! logged-in reader gets a fresh rendering in the frame with the menu.

use std::convert::Infallible;

use askama::Template;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::response::{Html, IntoResponse};
use axum::routing::get;
use axum::Router;
use jiff::Timestamp;
use varde_core::warnings::{Content, Severity, Status, Text, Version, Warning};

use super::public::Snapshot;
use crate::error::WebError;
use crate::forms::{path_segment, render, PageResult};
use crate::i18n::Lang;
use crate::shell::{Chrome, Page};
use crate::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/warnings", get(list))
        .route("/warnings/archive", get(archive))
        .route("/warnings/{id}", get(one))
}

/// The frame of a page that needs no login: the user's, when someone is logged in.
pub(super) struct Viewer(pub Option<Page>);

impl FromRequestParts<AppState> for Viewer {
    type Rejection = Infallible;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(Viewer(Page::from_request_parts(parts, state).await.ok()))
    }
}

/// A moment as a reader in Norway reads it: Oslo time, to the minute.
pub(super) fn when(t: Timestamp) -> String {
    let tz = jiff::tz::db()
        .get("Europe/Oslo")
        .unwrap_or(jiff::tz::TimeZone::UTC);
    t.to_zoned(tz).strftime("%Y-%m-%d %H:%M").to_string()
}

/// A text in the page's language, or in bokmål (marked `lang="nb"`, with a note) where the
/// English has not been written.
pub(super) struct Txt {
    pub text: String,
    /// The language the text is in.
    pub lang: &'static str,
    /// English was asked for and is not written.
    pub missing: bool,
}

pub(super) fn txt(t: &Text, l: Lang) -> Txt {
    let missing = l == Lang::En && t.en.is_none();
    Txt {
        text: t.get(l.code()).to_owned(),
        lang: if missing { "nb" } else { l.code() },
        missing,
    }
}

/// A severity as shown: its word (for the class), its name, and its colour class. The name
/// is always written: colour is never the only sign.
pub(super) struct Sev {
    pub word: &'static str,
    pub label: &'static str,
    pub class: &'static str,
}

pub(super) fn sev(s: Severity, l: Lang) -> Sev {
    Sev {
        word: s.as_str(),
        label: l.t_in("warnings.severity", s.as_str()),
        class: match s {
            Severity::Extreme | Severity::Severe => "overdue",
            Severity::Moderate => "due-soon",
            Severity::Minor => "on-time",
        },
    }
}

/// The substance's name in `l` (its id when the list does not know it).
pub(super) fn substance_name(id: &str, l: Lang) -> String {
    varde_core::substances::get()
        .by_id(id)
        .map_or_else(|| id.to_owned(), |s| s.name(l.code()).to_owned())
}

/// A version's content as every page shows it.
pub(super) struct ContentView {
    pub title: Txt,
    pub severity: Sev,
    pub substance: String,
    pub sold_as: Option<String>,
    pub found_by: Option<&'static str>,
    pub areas: String,
    pub urgency: &'static str,
    pub certainty: &'static str,
    pub description: Txt,
    pub advice_public: Txt,
    pub advice_services: Txt,
    pub expires: String,
    pub exercise: bool,
}

pub(super) fn content_view(c: &Content, l: Lang) -> ContentView {
    ContentView {
        title: txt(&c.title, l),
        severity: sev(c.severity, l),
        substance: substance_name(&c.substance, l),
        sold_as: c.sold_as.clone(),
        found_by: c.found_by.map(|f| l.t_in("warnings.found_by", f.as_str())),
        areas: c
            .areas
            .iter()
            .map(|a| a.name(l.code()))
            .collect::<Vec<_>>()
            .join(", "),
        urgency: l.t_in("warnings.urgency", c.urgency.as_str()),
        certainty: l.t_in("warnings.certainty", c.certainty.as_str()),
        description: txt(&c.description, l),
        advice_public: txt(&c.advice_public, l),
        advice_services: txt(&c.advice_services, l),
        expires: when(c.expires),
        exercise: c.exercise,
    }
}

/// The status of a warning as shown.
pub(super) fn status_label(s: Status, l: Lang) -> &'static str {
    l.t_in("warnings.status", s.as_str())
}

/// A warning in a public list.
struct Card {
    href: String,
    content: ContentView,
    /// When its first version was published.
    published: String,
    /// When the version shown was approved (if it updated an earlier one).
    updated: Option<String>,
    status: &'static str,
    /// The cancellation's time and reason.
    cancelled: Option<(String, String)>,
}

fn card(w: &Warning, v: &Version, now: Timestamp, l: Lang) -> Card {
    let first = w
        .approved_versions()
        .next()
        .and_then(|f| f.approved.as_ref())
        .map(|a| a.at);
    let this = v.approved.as_ref().map(|a| a.at);
    Card {
        href: format!("/warnings/{}", path_segment(&w.id)),
        content: content_view(&v.content, l),
        published: first.map(when).unwrap_or_default(),
        updated: this.filter(|t| Some(*t) != first).map(when),
        status: status_label(w.status(now), l),
        cancelled: w.cancelled.as_ref().map(|c| (when(c.at), c.reason.clone())),
    }
}

#[derive(Template)]
#[template(path = "warnings/list.html")]
struct ListT {
    c: Chrome,
    archive: bool,
    cards: Vec<Card>,
    now: String,
}

fn render_list(
    c: Chrome,
    snap: &Snapshot,
    now: Timestamp,
    archive: bool,
) -> Result<String, WebError> {
    let l = c.l;
    let shown = if archive {
        snap.archive(now)
    } else {
        snap.in_force(now)
    };
    let cards = shown
        .into_iter()
        .filter_map(|w| w.published().map(|v| card(w, v, now, l)))
        .collect();
    ListT {
        c,
        archive,
        cards,
        now: when(now),
    }
    .render()
    .map_err(|_| WebError::internal("template"))
}

/// The list for a reader not logged in, from the cache; a fresh one in the user's frame.
async fn listing(state: AppState, l: Lang, viewer: Viewer, archive: bool) -> PageResult {
    let path = if archive {
        "/warnings/archive"
    } else {
        "/warnings"
    };
    let kind = if archive { "page-archive" } else { "page" };
    let body = match viewer.0 {
        None => {
            let body = state
                .warnings
                .public
                .rendered(&state, kind, l, |snap, now| {
                    render_list(Chrome::anonymous(l, path), snap, now, archive).unwrap_or_default()
                })
                .await?;
            if body.is_empty() {
                return Err(WebError::internal("template"));
            }
            body.to_string()
        }
        Some(page) => {
            let snap = state.warnings.public.snapshot(&state).await?;
            render_list(page.c, &snap, state.clock.now(), archive)?
        }
    };
    Ok(Html(body).into_response())
}

/// `GET /warnings`: the warnings in force, most severe first.
async fn list(State(state): State<AppState>, l: Lang, viewer: Viewer) -> PageResult {
    listing(state, l, viewer, false).await
}

/// `GET /warnings/archive`: the warnings no longer in force, newest first.
async fn archive(State(state): State<AppState>, l: Lang, viewer: Viewer) -> PageResult {
    listing(state, l, viewer, true).await
}

/// An approved version in a warning's history.
pub(super) struct HistoryRow {
    pub number: u32,
    pub approved: String,
    pub title: Txt,
    pub cap: String,
}

pub(super) fn history(w: &Warning, l: Lang) -> Vec<HistoryRow> {
    w.approved_versions()
        .map(|v| HistoryRow {
            number: v.number,
            approved: v.approved.as_ref().map(|a| when(a.at)).unwrap_or_default(),
            title: txt(&v.content.title, l),
            cap: format!("/warnings/{}/v/{}/cap.xml", path_segment(&w.id), v.number),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "warnings/warning.html")]
struct WarningT {
    c: Chrome,
    id: String,
    card: Card,
    in_force: bool,
    history: Vec<HistoryRow>,
    cap: String,
}

/// `GET /warnings/{id}`: one warning the public may see (drafts and drills are 404).
async fn one(
    State(state): State<AppState>,
    l: Lang,
    viewer: Viewer,
    Path(id): Path<String>,
) -> PageResult {
    let snap = state.warnings.public.snapshot(&state).await?;
    let now = state.clock.now();
    let w = snap
        .get(&id)
        .filter(|w| w.public())
        .ok_or_else(WebError::not_found)?;
    let v = w.published().ok_or_else(WebError::not_found)?;
    let path = format!("/warnings/{}", path_segment(&w.id));
    let c = match viewer.0 {
        Some(page) => page.c,
        None => Chrome::anonymous(l, &path),
    };
    render(&WarningT {
        id: w.id.clone(),
        card: card(w, v, now, l),
        in_force: w.public_in_force(now),
        history: history(w, l),
        cap: format!("{path}/cap.xml"),
        c,
    })
}
