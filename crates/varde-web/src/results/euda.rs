//! The tables reported to the EU drugs agency (EUDA) for a year, from the same data
//! (`varde_core::results::{euda, tdi}`; `docs/euda.md` explains each mapping): the treatment
//! demand indicator from every organisation's TSB pathway events and their persons, drug-related deaths from the
//! monitoring area's `deaths` source, seizures and drug-checking results by substance, and the
//! warnings issued, all read at the moment they are asked for. CSV and
//! JSON, the same for the same data and year; counts of people of 1–4 suppressed.
//!
//! - page `/results/euda?year=` (the last complete year by default), downloads
//!   `/results/euda/{table}/download?year=&format=csv|json`;
//! - `GET /api/v1/results/euda/{table}?year=&format=csv|json` (one of [`TABLES`]).
//!
//! Access `results.read`; every read is access-logged.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde::Deserialize;
use std::collections::HashMap;
use varde_core::fields::{self, spreadsheet_cell};

use varde_core::persons::Sex;
use varde_core::results::euda::{self, Table};
use varde_core::results::tdi::{self, PersonFacts};

use crate::authz::{OrgAccess, ReadResults};
use crate::error::{Problem, WebError};
use crate::forms::{render, PageResult};
use crate::shell::{Chrome, Page};
use crate::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/results/euda", get(page))
        .route("/results/euda/{table}/download", get(download))
}

pub(super) fn api_routes() -> Router<AppState> {
    Router::new().route("/results/euda/{table}", get(api_table))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct EudaQuery {
    year: String,
    format: String,
}

/// The year asked for: the last complete year when none is given.
fn year_of(state: &AppState, q: &EudaQuery) -> Result<i16, WebError> {
    let this = state.clock.today().year();
    Ok(fields::year("year", &q.year, this - 1)?)
}

/// The persons of the pathways registered with one, keyed as the pathways cache qualifies a
/// pathway (`{org_id}/{pathway_id}`): the pseudonym, the sex from the identity number and the
/// birth date, for the TDI only (the number itself goes no further).
async fn tdi_people(state: &AppState) -> Result<HashMap<String, PersonFacts>, WebError> {
    Ok(state
        .store
        .results_pathway_people()
        .await?
        .into_iter()
        .map(|p| {
            let facts = PersonFacts {
                sex: Sex::of_national_id(&p.national_id),
                birth_date: p.birth_date.as_deref().and_then(|d| d.parse().ok()),
                person: p.pseudonym,
            };
            (format!("{}/{}", p.org.0, p.pathway_id), facts)
        })
        .collect())
}

/// The table `name` of `year`, computed now from what the areas hold.
pub async fn table(state: &AppState, name: &str, year: i16) -> Result<Table, WebError> {
    match name {
        "tdi" => {
            let parsed = crate::pathways::cache::load(state, None).await?;
            let people = tdi_people(state).await?;
            Ok(tdi::tdi(&parsed.events, &people, year))
        }
        "drd" => {
            let (causes, subs) = state.store.results_deaths_of_year(year).await?;
            Ok(euda::drd(&causes, &subs, year))
        }
        "seizures" => {
            let (total, subs) = state.store.results_seizures_of_year(year).await?;
            Ok(euda::seizures(total, &subs, year))
        }
        "drug_checking" => {
            let (total, subs) = state.store.results_drug_checking_of_year(year).await?;
            Ok(euda::drug_checking(total, &subs, year))
        }
        "warnings" => {
            let (_, all) = state.store.warnings_all().await?;
            Ok(euda::warnings(&all, year))
        }
        _ => Err(WebError::not_found()),
    }
}

/// The tables, in the order the page shows them.
pub const TABLES: [&str; 5] = ["tdi", "drd", "seizures", "drug_checking", "warnings"];

const COLUMNS: [&str; 9] = [
    "table",
    "year",
    "breakdown",
    "value",
    "primary_drug",
    "sex",
    "age_group",
    "first_treatment",
    "count",
];

/// The table as CSV (comma-separated, the EUDA's column names; a suppressed count is `<5`).
pub fn csv(t: &Table) -> String {
    let mut out = COLUMNS.join(",") + "\r\n";
    for r in &t.rows {
        let cells = [
            t.table.clone(),
            t.year.to_string(),
            r.breakdown.clone(),
            r.value.clone(),
            r.primary_drug.clone(),
            r.sex.clone(),
            r.age_group.clone(),
            r.first_treatment.clone(),
            r.count.map_or_else(|| "<5".to_owned(), |n| n.to_string()),
        ];
        let cells: Vec<String> = cells
            .iter()
            .map(|c| {
                let c = spreadsheet_cell(c);
                if c.contains([',', '"', '\n', '\r']) {
                    format!("\"{}\"", c.replace('"', "\"\""))
                } else {
                    c.into_owned()
                }
            })
            .collect();
        out += &(cells.join(",") + "\r\n");
    }
    out
}

fn answer(t: &Table, format: &str) -> Result<Response, WebError> {
    match format {
        "" | "json" => Ok(axum::Json(t).into_response()),
        "csv" => Ok(crate::download::csv(
            csv(t),
            &format!("euda-{}-{}.csv", t.table, t.year),
        )),
        _ => Err(WebError::invalid("format", "one of json, csv")),
    }
}

async fn logged(
    state: &AppState,
    access: &OrgAccess<ReadResults>,
    name: &str,
    q: &EudaQuery,
) -> Result<Table, WebError> {
    let year = year_of(state, q)?;
    let t = table(state, name, year).await?;
    access
        .log(state, format!("results:euda:{name}:{year}"))
        .await?;
    Ok(t)
}

/// An EUDA table for a year: `tdi` (treatment entrants by type of treatment centre, primary
/// drug, sex, age group and first treatment, from the TSB pathways and their persons), `drd` (drug-related deaths: total, selection B, by substance, from the
/// cause-of-death source), `seizures` (by substance), `drug_checking` (samples analysed, by
/// substance found) or `warnings` (issued, by substance and severity); breakdowns Varde's data do not hold are `unknown`; counts of 1–4
/// `null` (`<5` in CSV).
#[utoipa::path(get, path = "/api/v1/results/euda/{table}",
    params(("table" = String, Path, description = "`tdi`, `drd`, `seizures`, `drug_checking` or `warnings`"), ("year" = Option<i16>, Query, description = "default: the last complete year"),
        ("format" = Option<String>, Query, description = "`json` (the default) or `csv`")),
    responses((status = 200, description = "the table"), (status = 404, body = Problem), (status = 422, body = Problem), (status = 403, body = Problem)))]
pub(super) async fn api_table(
    State(state): State<AppState>,
    access: OrgAccess<ReadResults>,
    Path(name): Path<String>,
    Query(q): Query<EudaQuery>,
) -> Result<Response, WebError> {
    let t = logged(&state, &access, &name, &q).await?;
    answer(&t, &q.format)
}

/// `GET /results/euda/{table}/download?year=&format=`.
async fn download(
    State(state): State<AppState>,
    _page: Page,
    access: OrgAccess<ReadResults>,
    Path(name): Path<String>,
    Query(q): Query<EudaQuery>,
) -> Result<Response, WebError> {
    let t = logged(&state, &access, &name, &q).await?;
    answer(&t, &q.format)
}

#[derive(Template)]
#[template(path = "results/euda.html")]
struct EudaT {
    c: Chrome,
    year: i16,
    tables: Vec<Table>,
}

/// `GET /results/euda?year=`.
async fn page(
    State(state): State<AppState>,
    page: Page,
    access: OrgAccess<ReadResults>,
    Query(q): Query<EudaQuery>,
) -> PageResult {
    let year = year_of(&state, &q)?;
    let mut tables = Vec::new();
    for name in TABLES {
        tables.push(table(&state, name, year).await?);
    }
    access.log(&state, format!("results:euda:{year}")).await?;
    render(&EudaT {
        c: page.c,
        year,
        tables,
    })
}
