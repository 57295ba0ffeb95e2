//! `GET /api/v1/pathways/indicators`: the quality indicators of a period (cut at today) as the
//! user may see them — the JSON of `varde pathways report` — and, with `by` (`month`,
//! `tertial` or `year`), their trends beside it: `by`, `periods` (each part's `from` and
//! `to`) and `series` (one per indicator and place: `id`, `level`, `key` and one point per
//! part with `from`, `to`, `numerator`, `denominator`, `share`, `suppressed`; a part with
//! nothing measured is 0 / 0). Each part is suppressed as its own report.

use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde::Serialize;
use varde_core::pathways::trends::{Period, Series, Step};
use varde_core::pathways::Report;

use super::indicators::{visible_report, visible_trends, PeriodQuery};
use crate::authz::{OrgAccess, SeePathwayIndicators};
use crate::error::{Problem, WebError};
use crate::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new().route("/pathways/indicators", get(api_indicators))
}

/// The report with its trends.
#[derive(Serialize)]
struct WithTrends<'a> {
    #[serde(flatten)]
    report: &'a Report,
    by: Step,
    periods: &'a [Period],
    series: &'a [Series],
}

/// Quality indicators for a period (the same JSON as `varde pathways report`), cut at today;
/// with `by`, also one series per indicator and place over the period's months, tertials or
/// years.
#[utoipa::path(get, path = "/api/v1/pathways/indicators", params(("from" = Option<String>, Query, description = "YYYY-MM-DD, default the first of this year"), ("to" = Option<String>, Query, description = "YYYY-MM-DD, default today; a later day is cut at today"), ("by" = Option<String>, Query, description = "month, tertial or year: add the trends")),
    responses((status = 200, description = "the report (with `by`: and `by`, `periods`, `series`)"), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn api_indicators(
    State(state): State<AppState>,
    access: OrgAccess<SeePathwayIndicators>,
    Query(q): Query<PeriodQuery>,
) -> Result<Response, WebError> {
    let (from, to) = q.period(state.clock.today())?;
    let step = q.step()?;
    let v = visible_report(&state, &access.principal, from, to).await?;
    let body = match step {
        None => varde_core::pathways::commands::report_json(&v.report),
        Some(by) => {
            let t = visible_trends(&state, &v.events, &v.keys, (from, to), by).await?;
            serde_json::to_string(&WithTrends {
                report: &v.report,
                by,
                periods: &t.periods,
                series: &t.series,
            })
            .map_err(|_| WebError::internal("the trends did not serialise"))?
        }
    };
    Ok(([(header::CONTENT_TYPE, "application/json")], body).into_response())
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(api_indicators))]
pub struct ApiDoc;
