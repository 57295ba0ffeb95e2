//! The summons letter of a meeting (`/advisory/cases/{id}/meetings/{n}/summons`): a page made
//! for printing, in the page's language (bokmål or English), with the time and the place, what
//! the meeting is, and what happens if one does not come — which depends on the route: under a
//! condition the unit reports to the prosecution, which may take the case up again; otherwise
//! nothing follows. A person under 18 on the meeting's day has their guardians summoned too.
//! The same letter as a PDF (`…/summons.pdf`, [`crate::pdf`]) for sending or printing.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use varde_core::calendar::day_in_oslo;

use super::access::CaseAccess;
use super::ops;
use crate::authz::ReadAdvisory;
use crate::display;
use crate::error::WebError;
use crate::forms::{render, PageResult};
use crate::pdf::{self, Block, Letter};
use crate::shell::{Chrome, Page};
use crate::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/advisory/cases/{id}/meetings/{n}/summons", get(summons))
        .route(
            "/advisory/cases/{id}/meetings/{n}/summons.pdf",
            get(summons_pdf),
        )
}

/// What a summons letter says, read once for the page and the PDF.
struct Summons {
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

/// The summons of meeting `n` (1-based) of the case, read through its logged access.
async fn summons_of(
    state: &AppState,
    access: &CaseAccess<ReadAdvisory>,
    n: u32,
) -> Result<Summons, WebError> {
    let loaded = ops::load(state, access).await?;
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
    Ok(Summons {
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
    })
}

#[derive(Template)]
#[template(path = "advisory/summons.html")]
struct SummonsT {
    c: Chrome,
    id: i64,
    n: u32,
    s: Summons,
}

async fn summons(
    State(state): State<AppState>,
    page: Page,
    access: CaseAccess<ReadAdvisory>,
    Path(path): Path<(i64, u32)>,
) -> PageResult {
    let s = summons_of(&state, &access, path.1).await?;
    render(&SummonsT {
        id: access.id(),
        n: path.1,
        s,
        c: page.c,
    })
}

/// The letter as a PDF, in the page's language: the same words as the page.
async fn summons_pdf(
    State(state): State<AppState>,
    page: Page,
    access: CaseAccess<ReadAdvisory>,
    Path(path): Path<(i64, u32)>,
) -> Result<Response, WebError> {
    let s = summons_of(&state, &access, path.1).await?;
    let l = page.c.l;
    let mut blocks = vec![
        Block::Paragraph(format!("{}\n{}", s.unit, s.today)),
        Block::Paragraph(format!("{}: {}", l.t("advisory.to_whom"), s.to.join(", "))),
        Block::Paragraph(l.t("advisory.summons_intro").to_owned()),
        Block::Field(l.t("advisory.when").to_owned(), s.when.clone()),
        Block::Field(l.t("advisory.place").to_owned(), s.place.clone()),
    ];
    if s.condition {
        blocks.push(Block::Field(
            l.t("advisory.reference").to_owned(),
            s.reference.clone(),
        ));
    }
    blocks.push(Block::Heading(
        l.t("advisory.summons_what_title").to_owned(),
    ));
    blocks.push(Block::Paragraph(l.t("advisory.summons_what").to_owned()));
    if s.guardians {
        blocks.push(Block::Paragraph(
            l.t("advisory.summons_guardians").to_owned(),
        ));
    }
    blocks.push(Block::Heading(
        l.t("advisory.summons_absent_title").to_owned(),
    ));
    blocks.push(Block::Paragraph(if s.condition {
        format!(
            "{} {} · {}: {}.",
            l.t("advisory.summons_absent_condition"),
            s.meetings_required,
            l.t("advisory.period_end"),
            s.period_end
        )
    } else {
        l.t("advisory.summons_absent_voluntary").to_owned()
    }));
    blocks.push(Block::Paragraph(l.t("advisory.summons_contact").to_owned()));
    let letter = Letter {
        title: l.t("advisory.summons_title").to_owned(),
        lang: l.code(),
        blocks,
    };
    pdf::response(
        &letter,
        &format!("innkalling-{}-{}.pdf", access.id(), path.1),
    )
}
