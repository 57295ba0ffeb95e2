//! The advisory units' statistics (issue 12, item 11): `GET /api/v1/advisory/statistics`
//! (`{"cells": […]}`, the stable contract), the page `/advisory/statistics` (a place's table
//! and an SVG chart, every place's cases, a period form) and the CSV `/advisory/statistics.csv`
//! (same query; one row per cell).
//!
//! Every case counts: an erased case by its stored anonymous record, a case not yet erased by
//! the same record computed now with the one core function the erasure uses
//! (`StatsRecord::of_unit`), so an erasure leaves the figures unchanged. The cells are
//! computed and suppressed once for everybody (`varde_core::advisory::statistics`); a reader
//! is then shown the units' cells `authz::decide` lets them see (analysts: every unit; a
//! unit's staff: their own), and every municipality's, county's and the nation's.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use varde_core::advisory::statistics::{statistics, Cell, Level, Value, NATION};
use varde_core::authz::{decide, Action, Subject};
use varde_core::fields::{self, FieldError};
use varde_core::org::OrgId;
use varde_store::AdvisoryAggregate;

use crate::api::json;
use crate::authz::{OrgAccess, SeeAdvisoryStatistics};
use crate::chart::{BarChart, Value as Bar};
use crate::error::{Problem, WebError};
use crate::forms::{render, PageResult};
use crate::i18n::Lang;
use crate::shell::{Chrome, Page};
use crate::AppState;

pub(super) fn page_routes() -> Router<AppState> {
    Router::new()
        .route("/advisory/statistics", get(page))
        .route("/advisory/statistics.csv", get(csv))
}

pub(super) fn api_routes() -> Router<AppState> {
    Router::new().route("/advisory/statistics", get(api))
}

/// The period asked for (`YYYY-MM-DD`, both included; default: this year up to today) and, on
/// the page, the place shown (`level:key`; default: the nation).
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub(super) struct StatsQuery {
    from: String,
    to: String,
    place: String,
}

/// The period of `q` on `today`.
pub(super) fn period(q: &StatsQuery, today: Date) -> Result<(Date, Date), FieldError> {
    let from = if q.from.trim().is_empty() {
        Date::new(today.year(), 1, 1).unwrap_or(today)
    } else {
        fields::date("from", &q.from)?
    };
    let to = if q.to.trim().is_empty() {
        today
    } else {
        fields::date("to", &q.to)?
    };
    if to < from {
        return Err(FieldError::new("to", "not before from"));
    }
    Ok((from, to))
}

/// The cells of `from`–`to` the user of `access` may see, read with one access entry.
pub(super) async fn cells(
    state: &AppState,
    access: &OrgAccess<SeeAdvisoryStatistics>,
    from: Date,
    to: Date,
) -> Result<Vec<Cell>, WebError> {
    let entry = access.access(state, "", format!("advisory:statistics:{from}:{to}"));
    let src = state
        .store
        .advisory_statistics_source(&from.to_string(), &to.to_string(), &entry)
        .await?;
    let AdvisoryAggregate { records, advice } = src.aggregate()?;
    let all = statistics(&records, &advice, from, to);
    let mut may_see: HashMap<String, bool> = HashMap::new();
    Ok(all
        .into_iter()
        .filter(|c| {
            if c.level != Level::Unit {
                return true;
            }
            *may_see.entry(c.key.clone()).or_insert_with(|| {
                let org = OrgId(c.key.parse().unwrap_or(0));
                decide(
                    &access.principal,
                    Action::AdvisoryStatistics,
                    &Subject::of_org(org),
                    None,
                )
                .allowed
            })
        })
        .collect())
}

/// One cell as the API documents it (`value`: a count, or a share 0–1, a median or a mean;
/// null when suppressed).
#[derive(Serialize, ToSchema)]
pub(super) struct CellDoc {
    /// `unit`, `municipality`, `county` or `nation`.
    level: String,
    /// The unit's organisation id, the municipality or county number, or `NO`.
    key: String,
    measure: String,
    group: Option<String>,
    value: Option<f64>,
    suppressed: bool,
}

/// The statistics of a period.
#[derive(Serialize, ToSchema)]
pub(super) struct StatisticsDoc {
    cells: Vec<CellDoc>,
}

/// The statistics of a period (`from`, `to`: `YYYY-MM-DD`, both included; a case counts in
/// the period of its opening day, advice on its day). Cells of 1–4 and cells that would give
/// one back by subtraction are `null` with `suppressed: true`.
#[utoipa::path(get, path = "/api/v1/advisory/statistics",
    params(("from" = Option<String>, Query), ("to" = Option<String>, Query)),
    responses((status = 200, body = StatisticsDoc), (status = 422, body = Problem), (status = 403, body = Problem)))]
pub(super) async fn api(
    State(state): State<AppState>,
    access: OrgAccess<SeeAdvisoryStatistics>,
    Query(q): Query<StatsQuery>,
) -> Result<Response, WebError> {
    let (from, to) = period(&q, state.clock.today())?;
    let cells = cells(&state, &access, from, to).await?;
    Ok(json(StatusCode::OK, &serde_json::json!({ "cells": cells })))
}

/// A place's name: the unit's organisation, the municipality, the county, the nation.
fn place_name(l: Lang, level: Level, key: &str, orgs: &HashMap<String, String>) -> String {
    let refdata = varde_core::refdata::get();
    match level {
        Level::Nation => l.t("advisory.stat.nation").to_owned(),
        Level::County => refdata
            .fylker()
            .iter()
            .find(|f| f.fylkesnummer == key)
            .map_or_else(|| key.to_owned(), |f| f.name.clone()),
        Level::Municipality => refdata
            .kommune(key)
            .map_or_else(|| key.to_owned(), |k| k.name.clone()),
        Level::Unit => orgs.get(key).cloned().unwrap_or_else(|| key.to_owned()),
    }
}

async fn org_names(state: &AppState) -> Result<HashMap<String, String>, WebError> {
    Ok(state
        .store
        .list_orgs()
        .await?
        .into_iter()
        .map(|o| (o.id.0.to_string(), o.name))
        .collect())
}

/// A value as the page shows it: a count, a share as a percentage, a median or mean with a
/// decimal comma, or the suppression text.
fn shown(l: Lang, measure: &str, v: Option<Value>) -> String {
    match v {
        None => l.t("advisory.stat.suppressed").to_owned(),
        Some(Value::Count(n)) => n.to_string(),
        Some(Value::Number(x)) if measure.starts_with("share") => crate::chart::percent(Some(x)),
        Some(Value::Number(x)) => format!("{x:.1}").replace('.', ","),
    }
}

struct PlaceRow {
    value: String,
    level: &'static str,
    name: String,
    cases: String,
    selected: bool,
}

struct MeasureRow {
    measure: &'static str,
    group: &'static str,
    value: String,
}

#[derive(Template)]
#[template(path = "advisory/statistics.html")]
struct StatisticsT {
    c: Chrome,
    from: String,
    to: String,
    place_name: String,
    places: Vec<PlaceRow>,
    rows: Vec<MeasureRow>,
    chart: BarChart,
    csv: String,
}

async fn page(
    State(state): State<AppState>,
    page: Page,
    access: OrgAccess<SeeAdvisoryStatistics>,
    Query(q): Query<StatsQuery>,
) -> PageResult {
    let l = page.c.l;
    let (from, to) = period(&q, state.clock.today())?;
    let cells = cells(&state, &access, from, to).await?;
    let orgs = org_names(&state).await?;
    let (level, key) = q
        .place
        .split_once(':')
        .and_then(|(lv, k)| {
            Level::ALL
                .into_iter()
                .find(|x| x.as_str() == lv)
                .map(|x| (x, k.to_owned()))
        })
        .unwrap_or((Level::Nation, NATION.to_owned()));
    let places: Vec<PlaceRow> = cells
        .iter()
        .filter(|c| c.measure == "cases")
        .map(|c| PlaceRow {
            value: format!("{}:{}", c.level.as_str(), c.key),
            level: l.t_in("advisory.stat.level", c.level.as_str()),
            name: place_name(l, c.level, &c.key, &orgs),
            cases: shown(l, c.measure, c.value),
            selected: c.level == level && c.key == key,
        })
        .collect();
    let here: Vec<&Cell> = cells
        .iter()
        .filter(|c| c.level == level && c.key == key)
        .collect();
    let rows = here
        .iter()
        .map(|c| MeasureRow {
            measure: l.t_in("advisory.stat", c.measure),
            group: c.group.map_or("", |g| l.t_in("advisory.group", g)),
            value: shown(l, c.measure, c.value),
        })
        .collect();
    let total = here
        .iter()
        .find(|c| c.measure == "cases")
        .and_then(|c| c.value)
        .map(Value::as_f64);
    let name = place_name(l, level, &key, &orgs);
    let bars = here
        .iter()
        .filter(|c| c.measure == "cases_by_route")
        .map(|c| {
            let v = c.value.map(Value::as_f64);
            Bar {
                label: c
                    .group
                    .map_or("", |g| l.t_in("advisory.group", g))
                    .to_owned(),
                kind: name.clone(),
                share: v.zip(total).filter(|(_, t)| *t > 0.0).map(|(v, t)| v / t),
                shown: shown(l, c.measure, c.value),
                detail: match (v, total) {
                    (Some(v), Some(t)) => format!("{v} / {t}"),
                    _ => "–".to_owned(),
                },
                suppressed: c.suppressed,
            }
        })
        .collect();
    let chart = BarChart::new(
        "advisory-routes",
        format!("{} · {name}", l.t("advisory.stat.by_route_title")),
        [
            l.t("advisory.stat.place").to_owned(),
            l.t("advisory.stat.route").to_owned(),
            l.t("advisory.stat.of_cases").to_owned(),
            l.t("advisory.stat.value").to_owned(),
        ],
        bars,
    );
    render(&StatisticsT {
        csv: format!("/advisory/statistics.csv?from={from}&to={to}"),
        from: from.to_string(),
        to: to.to_string(),
        place_name: name,
        places,
        rows,
        chart,
        c: page.c,
    })
}

/// `GET /advisory/statistics.csv?from=…&to=…`: every cell the user may see, one row each
/// (`level;key;name;measure;group;value;suppressed`; a hidden value empty).
async fn csv(
    State(state): State<AppState>,
    page: Page,
    access: OrgAccess<SeeAdvisoryStatistics>,
    Query(q): Query<StatsQuery>,
) -> Result<Response, WebError> {
    let (from, to) = period(&q, state.clock.today())?;
    let cells = cells(&state, &access, from, to).await?;
    let orgs = org_names(&state).await?;
    let rows: Vec<Vec<String>> = cells
        .iter()
        .map(|c| {
            vec![
                c.level.as_str().to_owned(),
                c.key.clone(),
                place_name(page.c.l, c.level, &c.key, &orgs),
                c.measure.to_owned(),
                c.group.unwrap_or("").to_owned(),
                c.value.map_or_else(String::new, |v| match v {
                    Value::Count(n) => n.to_string(),
                    Value::Number(x) => x.to_string(),
                }),
                c.suppressed.to_string(),
            ]
        })
        .collect();
    let body = crate::download::csv_document(
        &[
            "level",
            "key",
            "name",
            "measure",
            "group",
            "value",
            "suppressed",
        ],
        &rows,
    );
    Ok(crate::download::csv(body, "advisory-statistics.csv"))
}
