//! What the sources hold (analysts): `/monitoring/sources` — per source the number of rows,
//! the latest day and the latest batch — and `/monitoring/sources/{source}`, the latest rows
//! of one source with their provenance (the deaths page with the note on the revised 2023
//! count, surveys with their confidence intervals, rapid assessments with text and tags);
//! `GET /api/v1/monitoring/sources/{source}?limit=` gives the same rows as JSON. Each read is
//! logged with its reader.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use varde_core::monitoring::sources::Source;
use varde_store::{SourceRow, SourceSummary};

use super::import::source_of;
use crate::authz::{OrgAccess, ReadMonitoring};
use crate::error::WebError;
use crate::forms::{render, PageResult};
use crate::shell::{Chrome, Page};
use crate::AppState;

/// The most rows a source's page or the API shows.
pub const ROWS_MAX: i64 = 1000;
/// The rows shown without `?limit=`.
pub const ROWS_DEFAULT: i64 = 100;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/monitoring/sources", get(list))
        .route("/monitoring/sources/{source}", get(one))
}

pub(super) fn api_routes() -> Router<AppState> {
    Router::new().route("/monitoring/sources/{source}", get(api_rows))
}

/// An imported row as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SourceRowDoc {
    pub id: i64,
    /// The batch id as given at import.
    pub batch_id: String,
    /// The row's line in its file (the header is line 1).
    pub line: i64,
    pub imported_by: String,
    /// When the row was received (RFC 3339).
    pub received_at: String,
    pub day: Option<String>,
    pub municipality: Option<String>,
    pub county: Option<String>,
    pub value: Option<f64>,
    /// The row as normalised (column → value).
    #[schema(value_type = Object)]
    pub row: serde_json::Value,
}

impl SourceRowDoc {
    fn of(r: &SourceRow) -> SourceRowDoc {
        SourceRowDoc {
            id: r.id,
            batch_id: short_batch(&r.batch_id).to_owned(),
            line: r.line,
            imported_by: r.imported_by.clone(),
            received_at: r.received_at.clone(),
            day: r.day.clone(),
            municipality: r.municipality.clone(),
            county: r.county.clone(),
            value: r.value,
            row: serde_json::from_str(&r.body).unwrap_or(serde_json::Value::Null),
        }
    }
}

/// The batch id without its `{source}/` prefix.
pub fn short_batch(key: &str) -> &str {
    key.split_once('/').map_or(key, |(_, b)| b)
}

/// `?limit=`: 1 to [`ROWS_MAX`], default [`ROWS_DEFAULT`].
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct LimitQuery {
    limit: Option<String>,
}

fn limit_of(q: &LimitQuery) -> Result<i64, WebError> {
    match q.limit.as_deref().map(str::trim) {
        None | Some("") => Ok(ROWS_DEFAULT),
        Some(v) => v
            .parse::<i64>()
            .ok()
            .filter(|n| (1..=ROWS_MAX).contains(n))
            .ok_or_else(|| {
                WebError::invalid("limit", format!("a whole number from 1 to {ROWS_MAX}"))
            }),
    }
}

/// The latest rows of a source.
#[utoipa::path(get, path = "/api/v1/monitoring/sources/{source}", params(("source" = String, Path), ("limit" = Option<i64>, Query, description = "1–1000, default 100")),
    responses((status = 200, body = [SourceRowDoc]), (status = 404, description = "no such source"), (status = 403, description = "not allowed")))]
pub(super) async fn api_rows(
    State(state): State<AppState>,
    access: OrgAccess<ReadMonitoring>,
    Path(source): Path<String>,
    Query(q): Query<LimitQuery>,
) -> Result<Response, WebError> {
    let source = source_of(&source)?;
    let limit = limit_of(&q)?;
    let rows = state.store.monitoring_rows(source, limit).await?;
    access
        .log(&state, format!("monitoring-source:{}", source.as_str()))
        .await?;
    let docs: Vec<SourceRowDoc> = rows.iter().map(SourceRowDoc::of).collect();
    Ok(axum::Json(docs).into_response())
}

/// A source on the overview: its name and figures (zero rows for a source not imported yet).
struct Line {
    source: &'static str,
    rows: i64,
    latest_day: String,
    latest_batch: String,
}

#[derive(Template)]
#[template(path = "monitoring/sources.html")]
struct ListT {
    c: Chrome,
    lines: Vec<Line>,
}

/// `GET /monitoring/sources`.
async fn list(
    State(state): State<AppState>,
    page: Page,
    access: OrgAccess<ReadMonitoring>,
) -> PageResult {
    let found: Vec<SourceSummary> = state.store.monitoring_sources().await?;
    let lines = Source::ALL
        .iter()
        .map(|s| {
            let f = found.iter().find(|f| f.source == s.as_str());
            Line {
                source: s.as_str(),
                rows: f.map_or(0, |f| f.rows),
                latest_day: f.and_then(|f| f.latest_day.clone()).unwrap_or_default(),
                latest_batch: f
                    .and_then(|f| f.latest_batch.as_deref())
                    .map(|b| short_batch(b).to_owned())
                    .unwrap_or_default(),
            }
        })
        .collect();
    access.log(&state, "monitoring-sources".into()).await?;
    render(&ListT { c: page.c, lines })
}

/// One row on a source's page: provenance, place, and the row's own columns as text.
struct RowView {
    day: String,
    place: String,
    cells: Vec<String>,
    batch: String,
    line: i64,
    by: String,
    received: String,
}

#[derive(Template)]
#[template(path = "monitoring/sources_one.html")]
struct OneT {
    c: Chrome,
    source: &'static str,
    columns: Vec<&'static str>,
    rows: Vec<RowView>,
    limit: i64,
}

/// A cell of the normalised row, as text (a list joined by `; `).
fn cell(v: Option<&serde_json::Value>) -> String {
    match v {
        None | Some(serde_json::Value::Null) => String::new(),
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(serde_json::Value::Array(a)) => a
            .iter()
            .map(|x| cell(Some(x)))
            .collect::<Vec<_>>()
            .join("; "),
        Some(other) => other.to_string(),
    }
}

/// `GET /monitoring/sources/{source}?limit=`.
async fn one(
    State(state): State<AppState>,
    page: Page,
    access: OrgAccess<ReadMonitoring>,
    Path(source): Path<String>,
    Query(q): Query<LimitQuery>,
) -> PageResult {
    let source = source_of(&source)?;
    let limit = limit_of(&q)?;
    let l = page.c.l;
    // The columns shown beside day and place: the source's own, but those already shown.
    let columns: Vec<&'static str> = source
        .columns()
        .iter()
        .copied()
        .filter(|c| !matches!(*c, "date" | "municipality" | "month" | "county"))
        .collect();
    let rows = state
        .store
        .monitoring_rows(source, limit)
        .await?
        .iter()
        .map(|r| {
            let body: serde_json::Value =
                serde_json::from_str(&r.body).unwrap_or(serde_json::Value::Null);
            let day = match source {
                Source::Deaths => cell(body.get("month")),
                _ => r.day.clone().unwrap_or_default(),
            };
            let place = match (&r.municipality, &r.county) {
                (Some(m), _) => super::ops::area_name(m, l),
                (None, Some(c)) => super::ops::area_name(&format!("county:{c}"), l),
                _ => String::new(),
            };
            let cells = columns
                .iter()
                .map(|c| match *c {
                    "substance" => body
                        .get("substance")
                        .and_then(|v| v.as_str())
                        .map(|id| super::ops::substance_name(id, l))
                        .unwrap_or_default(),
                    "substances" => body
                        .get("substances")
                        .and_then(|v| v.as_array())
                        .map(|a| {
                            a.iter()
                                .filter_map(|x| x.as_str())
                                .map(|id| super::ops::substance_name(id, l))
                                .collect::<Vec<_>>()
                                .join("; ")
                        })
                        .unwrap_or_default(),
                    other => cell(body.get(other)),
                })
                .collect();
            RowView {
                day,
                place,
                cells,
                batch: short_batch(&r.batch_id).to_owned(),
                line: r.line,
                by: r.imported_by.clone(),
                received: crate::display::minute_of(&r.received_at),
            }
        })
        .collect();
    access
        .log(&state, format!("monitoring-source:{}", source.as_str()))
        .await?;
    render(&OneT {
        c: page.c,
        source: source.as_str(),
        columns,
        rows,
        limit,
    })
}
