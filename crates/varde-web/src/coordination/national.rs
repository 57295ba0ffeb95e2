//! What the coordination area's national views for analysts share (the discharges
//! `/coordination/discharge/national`, the overdose follow-up `/coordination/overdose/national`):
//! a municipality's name from its number, a suppressed count or a mean as shown, and one page —
//! a year picker, the table of a row per municipality with the nation's total, the hints, and
//! links to the other coordination pages the user may open — and the same table as CSV
//! (`{path}.csv?year=`).

use askama::Template;
use axum::response::Response;
use varde_core::org::Principal;

use crate::error::WebError;
use crate::forms::{render, PageResult, YearQuery};
use crate::i18n::Lang;
use crate::shell::{Chrome, Page};
use crate::AppState;

/// The year asked for (this one when none), and this year.
pub fn years(state: &AppState, q: &YearQuery) -> Result<(i16, i16), WebError> {
    let today = state.clock.today();
    let year = q
        .year(today)
        .map_err(|e| WebError::invalid_fields(vec![e]))?;
    Ok((year, today.year()))
}

/// A municipality's name by its number (the number itself when unknown).
pub fn kommune_name(kommune: &str) -> String {
    varde_core::refdata::get()
        .kommune(kommune)
        .map(|m| m.name.clone())
        .unwrap_or_else(|| kommune.to_owned())
}

/// A count as shown: the number, or the mark of a suppressed cell.
pub fn cell(v: &Option<u64>) -> String {
    v.map_or_else(|| "<5".to_owned(), |n| n.to_string())
}

/// A mean or a share as shown (one decimal, a comma in bokmål), or a dash when there is none.
pub fn mean(v: &Option<f64>, lang: Lang) -> String {
    v.map_or_else(
        || "–".to_owned(),
        |m| {
            let s = format!("{m:.1}");
            if lang == Lang::Nb {
                s.replace('.', ",")
            } else {
                s
            }
        },
    )
}

/// One national view, as its page shows it. Texts are i18n keys.
pub struct NationalTable {
    /// The page's path (the year picker submits to it).
    pub path: &'static str,
    pub title: &'static str,
    pub intro: &'static str,
    /// The table's `id` and caption.
    pub table_id: &'static str,
    pub caption: &'static str,
    /// The columns after the municipality's.
    pub columns: &'static [&'static str],
    /// The notes below the table.
    pub hints: &'static [&'static str],
    /// A row per municipality: its name, and a cell per column, as shown.
    pub rows: Vec<(String, Vec<String>)>,
    /// The nation's cells, one per column.
    pub total: Vec<String>,
}

#[derive(Template)]
#[template(path = "coordination/national.html")]
struct NationalT {
    c: Chrome,
    year: i16,
    years: Vec<i16>,
    t: NationalTable,
    /// The other coordination pages the user may open.
    links: Vec<(&'static str, &'static str)>,
}

/// The page of `table` for `year`, with the five years to `this` to pick from.
pub fn page(
    page: Page,
    principal: &Principal,
    year: i16,
    this: i16,
    table: NationalTable,
) -> PageResult {
    let links = super::discharge::start::links(principal)
        .into_iter()
        .filter(|(href, _)| *href != table.path)
        .collect();
    render(&NationalT {
        c: page.c,
        year,
        years: (this - 4..=this).rev().collect(),
        t: table,
        links,
    })
}

/// `table` of `year` as a CSV download, with the page's headings and cells as shown (a
/// suppressed count is `<5`), the nation's row last.
pub fn csv(table: &NationalTable, year: i16, lang: Lang) -> Response {
    let mut headings = vec![lang.t("coordination.discharge.municipality")];
    headings.extend(table.columns.iter().map(|k| lang.t(k)));
    let row = |name: &str, cells: &[String]| {
        std::iter::once(name.to_owned())
            .chain(cells.iter().cloned())
            .collect::<Vec<_>>()
    };
    let mut rows: Vec<Vec<String>> = table
        .rows
        .iter()
        .map(|(name, cells)| row(name, cells))
        .collect();
    rows.push(row(lang.t("coordination.discharge.nation"), &table.total));
    let name = table.path.trim_start_matches('/').replace('/', "-");
    crate::download::csv(
        crate::download::csv_document(&headings, &rows),
        &format!("{name}-{year}.csv"),
    )
}
