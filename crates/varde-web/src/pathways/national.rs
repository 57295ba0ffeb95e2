//! National aggregates of LAR and coercion, for analysts (clinicians see their own figures in
//! full on the LAR and coercion pages): the LAR population per municipality and per treatment
//! organisation, and the yearly coercion table per section, summed over every organisation,
//! with cells of 1–4 suppressed and the population's total and its two breakdowns (which both
//! add up to it) protected together against recovery by subtraction or addition
//! (`varde_core::suppression::protect`).
//! `GET /api/v1/lar/population/national`, `GET /api/v1/coercion/table/national`, the page
//! `/pathways/national`, and its tables as CSV (`/pathways/national/population.csv`,
//! `/pathways/national/coercion.csv`: semicolons, a header row, the suppression mark where the
//! page shows it).
//!
//! The figures are replayed from every organisation's `lar:` and `coercion:` streams through
//! the same rules as the organisation's own pages. Access: `pathway.national`, analysts only
//! (decided by the one decision function: national minus own would give the others' small
//! cells away to a clinician). The population is given at month ends only, so that two
//! consecutive days cannot be compared to see one patient come or go.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use jiff::civil::Date;
use serde::Serialize;
use varde_core::fields::{self, FieldError};
use varde_core::org::OrgId;
use varde_core::pathways::coercion::command::replay_into;
use varde_core::pathways::coercion::{yearly_table, YearRow};
use varde_core::pathways::lar::command::replay;
use varde_core::suppression::{cell, protect, Sum};

use super::lar::kommune_name;
use crate::authz::{OrgAccess, SeePathwayNational};
use crate::error::{Problem, WebError};
use crate::forms::{render, AsOfQuery, PageResult, YearQuery};
use crate::i18n::Lang;
use crate::shell::{Chrome, Page};
use crate::AppState;

pub(super) fn api_routes() -> Router<AppState> {
    Router::new()
        .route("/lar/population/national", get(api_population))
        .route("/coercion/table/national", get(api_table))
}

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/pathways/national", get(national_page))
        .route("/pathways/national/population.csv", get(population_csv))
        .route("/pathways/national/coercion.csv", get(table_csv))
}

/// The month end the population is given at: `as_of` if it is the last day of a month and not
/// after today; by default the last month end on or before today.
fn month_end(today: Date, q: Option<&str>) -> Result<Date, FieldError> {
    let is_month_end = |d: Date| d.tomorrow().is_ok_and(|t| t.day() == 1);
    match q.map(str::trim).filter(|v| !v.is_empty()) {
        None if is_month_end(today) => Ok(today),
        None => today
            .first_of_month()
            .yesterday()
            .map_err(|_| FieldError::new("as_of", "no month end before today")),
        Some(v) => fields::date("as_of", v)
            .ok()
            .filter(|d| is_month_end(*d) && *d <= today)
            .ok_or_else(|| {
                FieldError::new(
                    "as_of",
                    "the last day of a month, not after today (YYYY-MM-DD): figures are given at month ends",
                )
            }),
    }
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

type Cells = Vec<(String, Option<String>, u64)>;

/// The total and the rows of two breakdowns that each add up to it, with the cells that would
/// give a small one back (through either breakdown, or both) hidden.
fn breakdowns(total: u64, a: Cells, b: Cells) -> (Option<u64>, Vec<NationalRow>, Vec<NationalRow>) {
    let counts: Vec<u64> = std::iter::once(total)
        .chain(a.iter().map(|c| c.2))
        .chain(b.iter().map(|c| c.2))
        .collect();
    let sums = [
        Sum {
            total: 0,
            parts: (1..=a.len()).collect(),
        },
        Sum {
            total: 0,
            parts: (a.len() + 1..=a.len() + b.len()).collect(),
        },
    ];
    let hidden = protect(&counts, &sums);
    let rows = |cells: Cells, flags: &[bool]| -> Vec<NationalRow> {
        cells
            .into_iter()
            .zip(flags)
            .map(|((key, name, n), &hide)| NationalRow {
                key,
                name,
                patients: (!hide).then_some(n),
                suppressed: hide,
            })
            .collect()
    };
    let n = a.len();
    let by_a = rows(a, &hidden[1..=n]);
    let by_b = rows(b, &hidden[n + 1..]);
    ((!hidden[0]).then_some(total), by_a, by_b)
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
        let (reg, skipped) = replay(events.iter().map(|e| (e.id, e.body.as_str())));
        for s in skipped {
            tracing::warn!(event = s.event, why = %s.why, "stored LAR event left out of the replay");
        }
        let mut n = 0u64;
        for (k, patients) in reg.population_by_kommune(date) {
            let patients = patients as u64;
            *kommuner.entry(k).or_default() += patients;
            n += patients;
        }
        total += n;
        if n > 0 {
            orgs.push((state.org_label(*org).await, None, n));
        }
    }
    orgs.sort_by(|a, b| a.0.cmp(&b.0));
    let kommuner: Cells = kommuner
        .into_iter()
        .map(|(k, n)| (k.clone(), Some(kommune_name(&k)), n))
        .collect();
    let (total, by_kommune, by_organisation) = breakdowns(total, kommuner, orgs);
    Ok(NationalPopulation {
        as_of: date.to_string(),
        total,
        by_kommune,
        by_organisation,
    })
}

async fn table(state: &AppState, year: i16) -> Result<NationalTable, WebError> {
    let events = state.store.read_streams_with_prefix("coercion:").await?;
    let mut stays = BTreeMap::new();
    for ev in &events {
        if let Some(s) = replay_into(&mut stays, &ev.stream, ev.id, &ev.body) {
            tracing::warn!(event = s.event, why = %s.why, "stored coercion event left out of the replay");
        }
    }
    let rows = yearly_table(stays.values().flat_map(|s| s.stay.decisions.iter()), year);
    let count = |n: u32| cell(u64::from(n));
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
                    section: section.as_str().to_owned(),
                    temporary: count(temporary),
                    main: count(main),
                    appeals: count(appeals),
                },
            )
            .collect(),
    })
}

/// The LAR population at a month end (default the last one) per municipality and per
/// treatment organisation, over every organisation; small cells suppressed.
#[utoipa::path(get, path = "/api/v1/lar/population/national", params(("as_of" = Option<String>, Query, description = "a month end YYYY-MM-DD, default the last one")),
    responses((status = 200, body = NationalPopulation), (status = 403, body = Problem)))]
async fn api_population(
    State(state): State<AppState>,
    _access: OrgAccess<SeePathwayNational>,
    Query(q): Query<AsOfQuery>,
) -> Result<Response, WebError> {
    let date = month_end(state.clock.today(), q.as_of.as_deref())?;
    Ok(axum::Json(population(&state, date).await?).into_response())
}

/// The yearly coercion table (temporary decisions, main cases, appeals per section) over every
/// organisation; cells of 1–4 suppressed.
#[utoipa::path(get, path = "/api/v1/coercion/table/national", params(("year" = Option<i16>, Query, description = "default this year")),
    responses((status = 200, body = NationalTable), (status = 403, body = Problem)))]
async fn api_table(
    State(state): State<AppState>,
    _access: OrgAccess<SeePathwayNational>,
    Query(q): Query<YearQuery>,
) -> Result<Response, WebError> {
    let year = q.year(state.clock.today())?;
    Ok(axum::Json(table(&state, year).await?).into_response())
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(api_population, api_table),
    components(schemas(NationalPopulation, NationalRow, NationalTable, NationalTableRow))
)]
pub struct ApiDoc;

#[derive(Template)]
#[template(path = "pathways/national.html")]
struct NationalT {
    c: Chrome,
    population: NationalPopulation,
    table: NationalTable,
}

fn shown(l: Lang, n: Option<u64>) -> String {
    n.map_or_else(|| l.t("suppressed").to_owned(), |n| n.to_string())
}

/// The population as CSV: the total, then each municipality, then each organisation.
fn population_rows(l: Lang, p: &NationalPopulation) -> String {
    let mut rows = vec![vec![
        l.t("pathways.lar.total").to_owned(),
        String::new(),
        String::new(),
        shown(l, p.total),
    ]];
    for (what, list) in [
        (l.t("pathways.lar.kommune"), &p.by_kommune),
        (l.t("pathways.organisation"), &p.by_organisation),
    ] {
        for r in list {
            rows.push(vec![
                what.to_owned(),
                r.key.clone(),
                r.name.clone().unwrap_or_default(),
                shown(l, r.patients),
            ]);
        }
    }
    crate::download::csv_document(
        &[
            l.t("level"),
            l.t("pathways.key"),
            l.t("name"),
            l.t("pathways.lar.patients"),
        ],
        &rows,
    )
}

async fn population_csv(
    State(state): State<AppState>,
    page: Page,
    _access: OrgAccess<SeePathwayNational>,
    Query(q): Query<AsOfQuery>,
) -> Result<Response, WebError> {
    let date = month_end(state.clock.today(), q.as_of.as_deref())?;
    let p = population(&state, date).await?;
    Ok(crate::download::csv(
        population_rows(page.c.l, &p),
        &format!("lar-populasjon-{date}.csv"),
    ))
}

async fn table_csv(
    State(state): State<AppState>,
    page: Page,
    _access: OrgAccess<SeePathwayNational>,
    Query(q): Query<YearQuery>,
) -> Result<Response, WebError> {
    let l = page.c.l;
    let year = q.year(state.clock.today())?;
    let t = table(&state, year).await?;
    let rows: Vec<Vec<String>> = t
        .rows
        .iter()
        .map(|r| {
            vec![
                r.section.clone(),
                shown(l, r.temporary),
                shown(l, r.main),
                shown(l, r.appeals),
            ]
        })
        .collect();
    let body = crate::download::csv_document(
        &[
            l.t("pathways.coercion.section"),
            l.t("pathways.coercion.temporary_plural"),
            l.t("pathways.coercion.main_plural"),
            l.t("pathways.coercion.appeals"),
        ],
        &rows,
    );
    Ok(crate::download::csv(body, &format!("tvang-{year}.csv")))
}

async fn national_page(
    State(state): State<AppState>,
    page: Page,
    _access: OrgAccess<SeePathwayNational>,
) -> PageResult {
    let today = state.clock.today();
    let population = population(&state, month_end(today, None)?).await?;
    let table = table(&state, today.year()).await?;
    render(&NationalT {
        c: page.c,
        population,
        table,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    #[test]
    fn figures_are_given_at_month_ends() {
        assert_eq!(month_end(d("2026-11-24"), None).unwrap(), d("2026-10-31"));
        assert_eq!(month_end(d("2026-11-30"), None).unwrap(), d("2026-11-30"));
        assert_eq!(
            month_end(d("2026-11-24"), Some("2026-02-28")).unwrap(),
            d("2026-02-28")
        );
        assert!(month_end(d("2026-11-24"), Some("2026-02-27")).is_err());
        assert!(month_end(d("2026-11-24"), Some("2026-11-30")).is_err());
        assert_eq!(
            month_end(d("2026-11-24"), Some("x")).unwrap_err().field,
            "as_of"
        );
    }

    fn cells(counts: &[u64]) -> Cells {
        counts
            .iter()
            .enumerate()
            .map(|(i, n)| (i.to_string(), None, *n))
            .collect()
    }

    fn shown(rows: &[NationalRow]) -> Vec<Option<u64>> {
        rows.iter().map(|r| r.patients).collect()
    }

    #[test]
    fn breakdowns_hide_recoverable_cells() {
        let (total, a, b) = breakdowns(17, cells(&[6, 2, 9]), cells(&[17]));
        assert_eq!(total, Some(17));
        assert_eq!(shown(&a), [None, None, Some(9)]);
        assert!(a[0].suppressed && a[1].suppressed && !a[2].suppressed);
        assert_eq!(shown(&b), [Some(17)]);
        // A small total is hidden, and every breakdown's cells with it.
        let (total, a, b) = breakdowns(3, cells(&[3]), cells(&[1, 2]));
        assert_eq!(total, None);
        assert_eq!(shown(&a), [None]);
        assert_eq!(shown(&b), [None, None]);
    }
}
