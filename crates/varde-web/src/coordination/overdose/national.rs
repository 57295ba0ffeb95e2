//! The national figures of the follow-up after overdoses, for analysts
//! (`/coordination/overdose/national`, `GET /api/v1/coordination/overdose/national?year=`): per
//! municipality the notices of a year whose risk week is over, how many had a contact attempt
//! within it, how many were closed within it with contact made, and the mean hours to the first
//! attempt — counts of 1–4 suppressed along the national sums
//! (`varde_core::coordination::overdose_figures`). An aggregate read: no person, no access
//! entry (ARCHITECTURE invariant 26).

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde::Serialize;
use utoipa::ToSchema;
use varde_core::coordination::overdose_figures::{figures, FigureRow};

use crate::authz::{OrgAccess, SeeOverdoseNational};
use crate::coordination::national::{self as table, cell, kommune_name, mean, NationalTable};
use crate::error::WebError;
use crate::forms::{PageResult, YearQuery};
use crate::i18n::Lang;
use crate::shell::Page;
use crate::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/coordination/overdose/national", get(page))
        .route("/coordination/overdose/national.csv", get(page_csv))
}

pub(super) fn api_routes() -> Router<AppState> {
    Router::new().route("/coordination/overdose/national", get(api))
}

/// The national follow-up figures of a year: a row per municipality with notices, by name,
/// and the nation's.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OverdoseNationalDoc {
    pub year: i16,
    pub rows: Vec<OverdoseNationalRow>,
    pub national: OverdoseNationalRow,
}

/// One municipality's (or the nation's) follow-up; `null`: 1–4, or hidden so that no hidden
/// count can be worked out from the nation's.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OverdoseNationalRow {
    /// The municipality number, or `national`.
    pub kommune: String,
    pub name: String,
    /// Notices of overdoses in the year whose risk week (7 days) is over.
    pub notices: Option<u64>,
    /// Of them, with a first contact attempt within the risk week.
    pub attempted_in_week: Option<u64>,
    /// Of them, closed within the risk week with contact made (every outcome but
    /// `not_reached`).
    pub contact_in_week: Option<u64>,
    /// Mean hours from the overdose to the first attempt (over at least five attempts).
    pub mean_hours_to_attempt: Option<f64>,
    /// `contact_in_week` of `notices`, per cent (one decimal), where both are shown.
    pub contact_share: Option<f64>,
}

fn row(r: FigureRow, name: String) -> OverdoseNationalRow {
    let round = |v: f64| (v * 10.0).round() / 10.0;
    OverdoseNationalRow {
        contact_share: r.contact_share().map(round),
        kommune: r.kommune,
        name,
        notices: r.notices,
        attempted_in_week: r.attempted_in_week,
        contact_in_week: r.contact_in_week,
        mean_hours_to_attempt: r.mean_hours_to_attempt.map(round),
    }
}

/// The national follow-up figures of `year`, as of now (no personal data: counts per
/// municipality, suppressed below five).
pub async fn national(state: &AppState, year: i16) -> Result<OverdoseNationalDoc, WebError> {
    let now = varde_core::calendar::time_in_oslo(state.clock.now());
    let tallies = state.store.overdose_tallies(year, now).await?;
    let (rows, nation) = figures(&tallies);
    Ok(OverdoseNationalDoc {
        year,
        rows: rows
            .into_iter()
            .map(|r| {
                let n = kommune_name(&r.kommune);
                row(r, n)
            })
            .collect(),
        national: row(nation, "Norge".into()),
    })
}

/// The national figures of the follow-up after overdoses in a year (analysts): per
/// municipality the notices whose risk week is over, those with a contact attempt within it,
/// those closed within it with contact made, the mean hours to the first attempt; counts of
/// 1–4 (and the cells that would give them back) `null`.
#[utoipa::path(get, path = "/api/v1/coordination/overdose/national", params(("year" = Option<String>, Query)),
    responses((status = 200, body = OverdoseNationalDoc), (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub(super) async fn api(
    State(state): State<AppState>,
    _access: OrgAccess<SeeOverdoseNational>,
    Query(q): Query<YearQuery>,
) -> Result<Response, WebError> {
    let (year, _) = table::years(&state, &q)?;
    Ok(axum::Json(national(&state, year).await?).into_response())
}

/// Notices, attempted in the week, contact in the week, share, mean hours — as shown.
fn shown(r: &OverdoseNationalRow, lang: Lang) -> Vec<String> {
    vec![
        cell(&r.notices),
        cell(&r.attempted_in_week),
        cell(&r.contact_in_week),
        mean(&r.contact_share, lang),
        mean(&r.mean_hours_to_attempt, lang),
    ]
}

/// The view of `year` as its page and its CSV show it.
async fn view(
    state: &AppState,
    q: &YearQuery,
    lang: Lang,
) -> Result<(i16, i16, NationalTable), WebError> {
    let (year, this) = table::years(state, q)?;
    let d = national(state, year).await?;
    let rows = d
        .rows
        .iter()
        .map(|r| (r.name.clone(), shown(r, lang)))
        .collect();
    let t = NationalTable {
        path: "/coordination/overdose/national",
        title: "coordination.overdose.national_title",
        intro: "coordination.overdose.national_intro",
        table_id: "overdose-national-table",
        caption: "coordination.overdose.national_caption",
        columns: &[
            "coordination.overdose.national_notices",
            "coordination.overdose.national_attempted",
            "coordination.overdose.national_contact",
            "coordination.overdose.national_share",
            "coordination.overdose.national_hours",
        ],
        hints: &[
            "coordination.overdose.national_definitions",
            "coordination.discharge.suppressed",
        ],
        rows,
        total: shown(&d.national, lang),
    };
    Ok((d.year, this, t))
}

async fn page(
    State(state): State<AppState>,
    page: Page,
    access: OrgAccess<SeeOverdoseNational>,
    Query(q): Query<YearQuery>,
) -> PageResult {
    let (year, this, t) = view(&state, &q, page.c.l).await?;
    table::page(page, &access.principal, year, this, t)
}

async fn page_csv(
    State(state): State<AppState>,
    page: Page,
    _access: OrgAccess<SeeOverdoseNational>,
    Query(q): Query<YearQuery>,
) -> Result<Response, WebError> {
    let (year, _, t) = view(&state, &q, page.c.l).await?;
    Ok(table::csv(&t, year, page.c.l))
}
