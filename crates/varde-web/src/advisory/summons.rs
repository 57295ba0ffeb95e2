//! The summons letter of a meeting (`/advisory/cases/{id}/meetings/{n}/summons`): a page made
//! for printing, in the page's language (bokmål or English), with the time and the place, what
//! the meeting is, and what happens if one does not come — which depends on the route: under a
//! condition the unit reports to the prosecution, which may take the case up again; otherwise
//! nothing follows. A person under 18 on the meeting's day has their guardians summoned too.

use askama::Template;
use axum::extract::{Path, State};
use axum::routing::get;
use axum::Router;
use varde_core::calendar::day_in_oslo;

use super::access::CaseAccess;
use super::ops;
use crate::authz::ReadAdvisory;
use crate::display;
use crate::error::WebError;
use crate::forms::{render, PageResult};
use crate::shell::{Chrome, Page};
use crate::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new().route("/advisory/cases/{id}/meetings/{n}/summons", get(summons))
}

#[derive(Template)]
#[template(path = "advisory/summons.html")]
struct SummonsT {
    c: Chrome,
    id: i64,
    unit: String,
    to: Vec<String>,
    guardians: bool,
    when: String,
    place: String,
    condition: bool,
    reference: String,
    period_end: String,
    meetings_required: u8,
    today: String,
}

async fn summons(
    State(state): State<AppState>,
    page: Page,
    access: CaseAccess<ReadAdvisory>,
    Path(path): Path<(i64, u32)>,
) -> PageResult {
    let loaded = ops::load(&state, &access).await?;
    let n = path.1;
    let m = n
        .checked_sub(1)
        .and_then(|i| loaded.case.meetings.get(i as usize))
        .ok_or_else(WebError::not_found)?;
    let day = day_in_oslo(m.planned_at);
    let guardians = loaded.case.guardians_summoned_on(day);
    let to = loaded
        .stored
        .people
        .iter()
        .filter(|p| !p.guardian || guardians)
        .filter_map(|p| p.name.clone())
        .collect();
    let d = loaded.case.opening.decision.as_ref();
    render(&SummonsT {
        id: access.id(),
        unit: state.org_label(access.case.org_id).await,
        to,
        guardians,
        when: display::minute(m.planned_at),
        place: m.place.clone(),
        condition: d.is_some(),
        reference: d.map(|d| d.reference.clone()).unwrap_or_default(),
        period_end: d.map(|d| d.period_end.to_string()).unwrap_or_default(),
        meetings_required: d.map_or(0, |d| d.meetings_required),
        today: state.clock.today().to_string(),
        c: page.c,
    })
}
