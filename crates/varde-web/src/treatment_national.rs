//! National aggregates of LAR and coercion, for analysts (and clinicians, who see their own
//! figures in full on the LAR and coercion pages): the LAR population per municipality and per
//! treatment organisation, and the yearly coercion table per section, summed over every
//! organisation, with cells of 1–4 suppressed as the pathway indicators are (the row remains,
//! its figure is hidden; a zero is shown). The population's breakdowns add up to its total, so
//! they are also protected against subtraction: while the hidden cells of a breakdown are fewer
//! than two or sum to under 5, the smallest shown cell is hidden too. `GET /api/v1/lar/population/national`,
//! `GET /api/v1/coercion/table/national` and the page `/pathways/national`.
//!
//! The figures are replayed from every organisation's `lar:` and `coercion:` streams through
//! the same rules as the organisation's own pages. Access: analysts only (`pathway.indicators`
//! held as an analyst): a clinician sees their own organisation's figures in full, and national
//! minus own would give away the others' small cells. The population is given at month ends
//! only, so that two consecutive days cannot be compared to see one patient come or go.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use jiff::civil::Date;
use serde::Serialize;
use varde_core::org::OrgId;
use varde_core::pathways::coercion::{yearly_table, YearRow};
use varde_core::pathways::indicators::SUPPRESSION_THRESHOLD;

use crate::authz::{OrgAccess, SeePathwayIndicators};
use crate::error::WebError;
use crate::html::{render, Chrome, HtmlErr, Page};
use crate::pathways::org_label;
use crate::treatment::{
    kommune_name, replay_lar, replay_stay_event, section_str, year_of, AsOfQuery, StayState,
    YearQuery,
};
use crate::AppState;

pub fn api_routes() -> Router<AppState> {
    Router::new()
        .route("/lar/population/national", get(api_population))
        .route("/coercion/table/national", get(api_table))
}

pub fn html_routes() -> Router<AppState> {
    Router::new().route("/pathways/national", get(national_page))
}

/// Analysts only (see the module's documentation).
fn analysts_only(access: &OrgAccess<SeePathwayIndicators>) -> Result<(), WebError> {
    if access.user.principal.role == varde_core::org::Role::Analyst {
        Ok(())
    } else {
        Err(WebError::forbidden(
            "national LAR and coercion figures are for analysts; your organisation's own are on the LAR and coercion pages",
        ))
    }
}

/// The month end the population is given at: `as_of` if it is the last day of a month and not
/// after today; by default the last month end on or before today.
fn month_end(state: &AppState, q: Option<&str>) -> Result<Date, WebError> {
    let today = state.clock.today();
    let is_month_end = |d: Date| d.tomorrow().is_ok_and(|t| t.day() == 1);
    match q.map(str::trim) {
        None | Some("") => {
            if is_month_end(today) {
                Ok(today)
            } else {
                today
                    .first_of_month()
                    .yesterday()
                    .map_err(|_| WebError::invalid("as_of", "no month end before today"))
            }
        }
        Some(v) => varde_core::pathways::parse::parse_date(v)
            .filter(|d| is_month_end(*d) && *d <= today)
            .ok_or_else(|| {
                WebError::invalid(
                    "as_of",
                    "the last day of a month, not after today (YYYY-MM-DD): figures are given at month ends",
                )
            }),
    }
}

/// A count, or `None` when it is 1–4 (suppressed).
fn suppressed(n: u64) -> Option<u64> {
    (n == 0 || n >= SUPPRESSION_THRESHOLD).then_some(n)
}

/// One row of the national LAR population.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct NationalRow {
    /// Municipality number, or the organisation's name.
    pub key: String,
    /// The municipality's name (by municipality only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Patients in LAR on the date; null when suppressed.
    pub patients: Option<u64>,
    pub suppressed: bool,
}

/// The national LAR population on a date.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct NationalPopulation {
    pub as_of: String,
    /// Everyone in LAR on the date (null when under 5).
    pub total: Option<u64>,
    pub by_kommune: Vec<NationalRow>,
    pub by_organisation: Vec<NationalRow>,
}

/// One section's row of the national coercion table (null: suppressed).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct NationalTableRow {
    pub section: String,
    pub temporary: Option<u64>,
    pub main: Option<u64>,
    pub appeals: Option<u64>,
}

/// The national coercion table of a year.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct NationalTable {
    pub year: i16,
    pub rows: Vec<NationalTableRow>,
}

fn org_of(stream: &str, prefix: &str) -> Option<OrgId> {
    stream
        .strip_prefix(prefix)?
        .split(':')
        .next()?
        .parse()
        .ok()
        .map(OrgId)
}

/// Rows of a breakdown that adds up to a shown total: cells of 1–4 hidden, then more (the
/// smallest first) until no hidden cell can be recovered by subtracting the shown ones from the
/// total — at least two hidden, summing to at least 5.
fn breakdown(cells: Vec<(String, Option<String>, u64)>) -> Vec<NationalRow> {
    let mut hidden: Vec<bool> = cells.iter().map(|c| suppressed(c.2).is_none()).collect();
    loop {
        let (count, sum) = cells
            .iter()
            .zip(&hidden)
            .filter(|(_, h)| **h)
            .fold((0usize, 0u64), |(n, s), (c, _)| (n + 1, s + c.2));
        if count == 0 || (count >= 2 && sum >= SUPPRESSION_THRESHOLD) {
            break;
        }
        let next = cells
            .iter()
            .zip(&hidden)
            .enumerate()
            .filter(|(_, (c, h))| !**h && c.2 > 0)
            .min_by_key(|(_, (c, _))| c.2)
            .map(|(i, _)| i);
        match next {
            Some(i) => hidden[i] = true,
            None => break,
        }
    }
    cells
        .into_iter()
        .zip(hidden)
        .map(|((key, name, n), hide)| NationalRow {
            key,
            name,
            patients: (!hide).then_some(n),
            suppressed: hide,
        })
        .collect()
}

async fn population(state: &AppState, date: Date) -> Result<NationalPopulation, WebError> {
    let events = state.store.read_streams_with_prefix("lar:").await?;
    let mut by_org: BTreeMap<OrgId, Vec<varde_store::StoredEvent>> = BTreeMap::new();
    for ev in events {
        if let Some(org) = org_of(&ev.stream, "lar:") {
            by_org.entry(org).or_default().push(ev);
        }
    }
    let mut kommuner: BTreeMap<String, u64> = BTreeMap::new();
    let mut orgs: Vec<(String, Option<String>, u64)> = Vec::new();
    let mut total = 0u64;
    for (org, events) in &by_org {
        let reg = replay_lar(events);
        let mut n = 0u64;
        for (k, patients) in reg.population_by_kommune(date) {
            let patients = patients as u64;
            *kommuner.entry(k).or_default() += patients;
            n += patients;
        }
        total += n;
        if n > 0 {
            orgs.push((org_label(state, *org).await, None, n));
        }
    }
    orgs.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(NationalPopulation {
        as_of: date.to_string(),
        total: suppressed(total),
        by_kommune: breakdown(
            kommuner
                .into_iter()
                .map(|(k, n)| (k.clone(), Some(kommune_name(&k)), n))
                .collect(),
        ),
        by_organisation: breakdown(orgs),
    })
}

async fn table(state: &AppState, year: i16) -> Result<NationalTable, WebError> {
    let events = state.store.read_streams_with_prefix("coercion:").await?;
    let mut stays: BTreeMap<String, StayState> = BTreeMap::new();
    for ev in &events {
        if let Some(s) = replay_stay_event(stays.remove(&ev.stream), ev) {
            stays.insert(ev.stream.clone(), s);
        }
    }
    let rows = yearly_table(stays.values().flat_map(|s| s.stay.decisions.iter()), year);
    let cell = |n: u32| suppressed(u64::from(n));
    Ok(NationalTable {
        year,
        rows: rows
            .into_iter()
            .map(
                |(
                    section,
                    YearRow {
                        temporary,
                        main,
                        appeals,
                    },
                )| NationalTableRow {
                    section: section_str(section).to_owned(),
                    temporary: cell(temporary),
                    main: cell(main),
                    appeals: cell(appeals),
                },
            )
            .collect(),
    })
}

/// The LAR population at a month end (default the last one) per municipality and per
/// treatment organisation, over every organisation; small cells suppressed.
#[utoipa::path(get, path = "/api/v1/lar/population/national", params(("as_of" = Option<String>, Query, description = "a month end YYYY-MM-DD, default the last one")),
    responses((status = 200, body = NationalPopulation), (status = 403, body = crate::error::Problem)))]
async fn api_population(
    State(state): State<AppState>,
    access: OrgAccess<SeePathwayIndicators>,
    Query(q): Query<AsOfQuery>,
) -> Result<Response, WebError> {
    analysts_only(&access)?;
    let date = month_end(&state, q.as_of.as_deref())?;
    Ok(axum::Json(population(&state, date).await?).into_response())
}

/// The yearly coercion table (temporary decisions, main cases, appeals per section) over every
/// organisation; cells of 1–4 suppressed.
#[utoipa::path(get, path = "/api/v1/coercion/table/national", params(("year" = Option<i16>, Query, description = "default this year")),
    responses((status = 200, body = NationalTable), (status = 403, body = crate::error::Problem)))]
async fn api_table(
    State(state): State<AppState>,
    access: OrgAccess<SeePathwayIndicators>,
    Query(q): Query<YearQuery>,
) -> Result<Response, WebError> {
    analysts_only(&access)?;
    let year = year_of(&state, q.year.as_deref())?;
    Ok(axum::Json(table(&state, year).await?).into_response())
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(api_population, api_table),
    components(schemas(NationalPopulation, NationalRow, NationalTable, NationalTableRow))
)]
pub struct NationalApiDoc;

#[derive(Template)]
#[template(path = "pathways_national.html")]
struct NationalT {
    c: Chrome,
    population: NationalPopulation,
    table: NationalTable,
}

async fn national_page(
    State(state): State<AppState>,
    page: Page,
    access: Result<OrgAccess<SeePathwayIndicators>, WebError>,
) -> Result<Response, WebError> {
    let access = access.map_err(WebError::html)?;
    analysts_only(&access).html()?;
    let today = state.clock.today();
    let population = population(&state, month_end(&state, None).html()?)
        .await
        .html()?;
    let table = table(&state, today.year()).await.html()?;
    render(&NationalT {
        c: page.c,
        population,
        table,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    fn shown(rows: &[NationalRow]) -> Vec<Option<u64>> {
        rows.iter().map(|r| r.patients).collect()
    }

    fn cells(ns: &[u64]) -> Vec<(String, Option<String>, u64)> {
        ns.iter()
            .enumerate()
            .map(|(i, n)| (format!("k{i}"), None, *n))
            .collect()
    }

    #[test]
    fn no_hidden_cell_can_be_recovered_from_the_total() {
        // One small cell: the smallest other one is hidden with it.
        assert_eq!(shown(&breakdown(cells(&[6, 2, 9]))), [None, None, Some(9)]);
        // Two small cells summing to under 5: a third is hidden.
        assert_eq!(
            shown(&breakdown(cells(&[1, 2, 7, 30]))),
            [None, None, None, Some(30)]
        );
        // Two small cells summing to 5 or more: enough.
        assert_eq!(shown(&breakdown(cells(&[3, 4, 8]))), [None, None, Some(8)]);
        // Nothing small: all shown; zeros are not hidden and do not protect.
        assert_eq!(
            shown(&breakdown(cells(&[5, 0, 6]))),
            [Some(5), Some(0), Some(6)]
        );
        // A single small cell with nothing else to hide stays hidden.
        assert_eq!(shown(&breakdown(cells(&[3]))), [None]);
        let rows = breakdown(cells(&[6, 2]));
        assert!(rows.iter().all(|r| r.suppressed && r.patients.is_none()));
    }
}
