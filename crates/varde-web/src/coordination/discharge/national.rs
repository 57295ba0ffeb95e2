//! The national discharge view for analysts (`/coordination/discharge/national`): per
//! municipality the discharges of a year, the mean days waited after discharge-ready, and the
//! discharges with "no home to go to" still flagged — counts of 1–4 suppressed. The page is the
//! area's shared national table (`coordination::national`).

use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use axum::Router;

use super::ops::{self, NationalRow};
use crate::authz::{OrgAccess, SeeDischargeNational};
use crate::coordination::national::{self as table, cell, mean, NationalTable};
use crate::error::WebError;
use crate::forms::{PageResult, YearQuery};
use crate::i18n::Lang;
use crate::shell::Page;
use crate::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/coordination/discharge/national", get(national))
        .route("/coordination/discharge/national.csv", get(national_csv))
}

/// Discharges, mean days waiting, "no home" — as shown.
fn shown(r: &NationalRow, lang: Lang) -> Vec<String> {
    vec![
        cell(&r.discharges),
        mean(&r.mean_days_waiting, lang),
        cell(&r.no_home),
    ]
}

/// The view of `year` as its page and its CSV show it.
async fn view(
    state: &AppState,
    q: &YearQuery,
    lang: Lang,
) -> Result<(i16, i16, NationalTable), WebError> {
    let (year, this) = table::years(state, q)?;
    let d = ops::national(state, year).await?;
    let rows = d
        .rows
        .iter()
        .map(|r| (r.name.clone(), shown(r, lang)))
        .collect();
    let t = NationalTable {
        path: "/coordination/discharge/national",
        title: "coordination.discharge.national_title",
        intro: "coordination.discharge.national_intro",
        table_id: "national-table",
        caption: "coordination.discharge.national_caption",
        columns: &[
            "coordination.discharge.discharges",
            "coordination.discharge.mean_days_waiting",
            "coordination.discharge.no_home_count",
        ],
        hints: &["coordination.discharge.suppressed"],
        rows,
        total: shown(&d.national, lang),
    };
    Ok((d.year, this, t))
}

async fn national(
    State(state): State<AppState>,
    page: Page,
    access: OrgAccess<SeeDischargeNational>,
    Query(q): Query<YearQuery>,
) -> PageResult {
    let (year, this, t) = view(&state, &q, page.c.l).await?;
    table::page(page, &access.principal, year, this, t)
}

async fn national_csv(
    State(state): State<AppState>,
    page: Page,
    _access: OrgAccess<SeeDischargeNational>,
    Query(q): Query<YearQuery>,
) -> Result<Response, WebError> {
    let (year, _, t) = view(&state, &q, page.c.l).await?;
    Ok(table::csv(&t, year, page.c.l))
}
