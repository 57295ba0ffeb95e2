//! The national discharge view for analysts (`/coordination/discharge/national`): per
//! municipality the discharges of a year, the mean days waited after discharge-ready, and the
//! discharges with "no home to go to" still flagged — counts of 1–4 suppressed.

use askama::Template;
use axum::extract::{Query, State};
use axum::routing::get;
use axum::Router;

use super::ops::{self, NationalRow};
use crate::authz::{OrgAccess, SeeDischargeNational};
use crate::error::WebError;
use crate::forms::{render, PageResult, YearQuery};
use crate::shell::{Chrome, Page};
use crate::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new().route("/coordination/discharge/national", get(national))
}

#[derive(Template)]
#[template(path = "coordination/discharge/national.html")]
struct NationalT {
    c: Chrome,
    year: i16,
    /// Name, discharges, mean days waiting, "no home" — as shown.
    rows: Vec<[String; 4]>,
    total: [String; 4],
    years: Vec<i16>,
    /// The other coordination pages the user may open.
    links: Vec<(&'static str, &'static str)>,
}

fn shown(r: &NationalRow, comma: bool) -> [String; 4] {
    [
        r.name.clone(),
        cell(&r.discharges),
        mean(&r.mean_days_waiting, comma),
        cell(&r.no_home),
    ]
}

/// A count as shown: the number, or the mark of a suppressed cell.
pub fn cell(v: &Option<u64>) -> String {
    v.map_or_else(|| "<5".to_owned(), |n| n.to_string())
}

/// A mean as shown (one decimal, a comma in bokmål).
pub fn mean(v: &Option<f64>, comma: bool) -> String {
    v.map_or_else(
        || "–".to_owned(),
        |m| {
            let s = format!("{m:.1}");
            if comma {
                s.replace('.', ",")
            } else {
                s
            }
        },
    )
}

async fn national(
    State(state): State<AppState>,
    page: Page,
    access: OrgAccess<SeeDischargeNational>,
    Query(q): Query<YearQuery>,
) -> PageResult {
    let today = state.clock.today();
    let year = q
        .year(today)
        .map_err(|e| WebError::invalid_fields(vec![e]))?;
    let d = ops::national(&state, year).await?;
    let this = today.year();
    let comma = page.c.l == crate::i18n::Lang::Nb;
    render(&NationalT {
        c: page.c,
        year: d.year,
        rows: d.rows.iter().map(|r| shown(r, comma)).collect(),
        total: shown(&d.national, comma),
        years: (this - 4..=this).rev().collect(),
        links: super::start::links(&access.principal)
            .into_iter()
            .filter(|(href, _)| *href != "/coordination/discharge/national")
            .collect(),
    })
}
