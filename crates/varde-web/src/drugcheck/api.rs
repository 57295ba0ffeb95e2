//! Drug checking's JSON API: intake and results (the laboratory), the lookup by code and the
//! monthly summary (the public, no login).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::Serialize;
use utoipa::{OpenApi, ToSchema};
use varde_core::drugcheck::{AnalysisInput, IntakeInput, SummaryMonth};

use super::ops::{self, FoundDoc, Missed, ResultDoc};
use super::Client;
use crate::api::ApiJson;
use crate::authz::{OrgAccess, RecordAnalyses, TakeSamples};
use crate::error::{Problem, WebError};
use crate::i18n::Lang;
use crate::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/drugcheck/samples", post(intake))
        .route("/drugcheck/samples/{code}/result", post(result))
        .route("/public/drugcheck/summary", get(summary))
        .route("/public/drugcheck/{code}", get(lookup))
}

#[derive(OpenApi)]
#[openapi(
    paths(intake, result, lookup, summary),
    components(schemas(
        IntakeDoc,
        AnalysisDoc,
        FoundInputDoc,
        Received,
        Recorded,
        ResultDoc,
        FoundDoc,
        SummaryDoc,
        MonthDoc,
        CellDoc
    ))
)]
pub(super) struct ApiDoc;

/// A sample handed in (no personal data: a national identity number is refused in any text).
#[derive(ToSchema)]
#[allow(dead_code)] // the schema of `IntakeInput`
pub struct IntakeDoc {
    /// A substance of the reference list (any of its names) or free text, at most 200 characters.
    sold_as: String,
    /// The municipality number (`0301`).
    municipality: String,
    /// `YYYY-MM-DD`, not in the future.
    received_on: String,
}

/// One substance found.
#[derive(ToSchema)]
#[allow(dead_code)] // the schema of `FoundInput`
pub struct FoundInputDoc {
    /// A substance of the reference list (any of its names).
    substance: String,
    /// 0–100.
    purity_percent: Option<f64>,
    amount_mg: Option<f64>,
}

/// A laboratory's result.
#[derive(ToSchema)]
#[allow(dead_code)] // the schema of `AnalysisInput`
pub struct AnalysisDoc {
    /// `YYYY-MM-DD`: not before the sample was received, not in the future.
    analysed_on: String,
    method: String,
    found: Vec<FoundInputDoc>,
    contaminants: Option<Vec<String>>,
}

/// The receipt's code: shown once, never stored (only its hash is).
#[derive(Debug, Serialize, ToSchema)]
pub struct Received {
    /// 14 characters of Crockford's base 32 in groups of four (`K7QX-3M9D-PZ2A-HB`).
    pub code: String,
}

/// A recorded result.
#[derive(Debug, Serialize, ToSchema)]
pub struct Recorded {
    /// The monitoring signals it raised.
    pub signals: usize,
}

/// The monthly summary: per month and substance the analysed samples it was found in.
#[derive(Serialize, ToSchema)]
pub struct SummaryDoc {
    /// Counts of 1–4 are `null` (suppressed).
    pub months: Vec<MonthDoc>,
}

#[derive(Serialize, ToSchema)]
pub struct MonthDoc {
    /// `YYYY-MM`.
    pub month: String,
    pub analysed: Option<u64>,
    pub substances: Vec<CellDoc>,
}

#[derive(Serialize, ToSchema)]
pub struct CellDoc {
    pub substance: String,
    pub id: String,
    pub samples: Option<u64>,
}

/// Records a sample handed in; its code (role `lab`).
#[utoipa::path(post, path = "/api/v1/drugcheck/samples", request_body = IntakeDoc,
    responses((status = 201, body = Received), (status = 422, body = Problem), (status = 403, body = Problem)))]
async fn intake(
    State(state): State<AppState>,
    access: OrgAccess<TakeSamples>,
    ApiJson(input): ApiJson<IntakeInput>,
) -> Result<Response, WebError> {
    let code = ops::intake(&state, &access, &input, None).await?;
    let body = Received {
        code: code.grouped(),
    };
    Ok((StatusCode::CREATED, axum::Json(body)).into_response())
}

/// Records the result of the sample with `code` (role `lab`): 404 for no such sample, 409 when
/// it has one; the monitoring signals of watchlist findings in the same transaction.
#[utoipa::path(post, path = "/api/v1/drugcheck/samples/{code}/result", params(("code" = String, Path)),
    request_body = AnalysisDoc,
    responses((status = 201, body = Recorded), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn result(
    State(state): State<AppState>,
    access: OrgAccess<RecordAnalyses>,
    Path(code): Path<String>,
    ApiJson(input): ApiJson<AnalysisInput>,
) -> Result<Response, WebError> {
    let r = ops::record(&state, &access, &code, &input).await?;
    let body = Recorded {
        signals: r.signals.len(),
    };
    Ok((StatusCode::CREATED, axum::Json(body)).into_response())
}

/// The result of the sample with `code` (no login): `pending` or `analysed`. A code no sample
/// has is 404, answered in the same time; at most 10 lookups a minute per client (429).
#[utoipa::path(get, path = "/api/v1/public/drugcheck/{code}", params(("code" = String, Path)),
    responses((status = 200, body = ResultDoc), (status = 404, body = Problem), (status = 429, body = Problem)))]
async fn lookup(
    State(state): State<AppState>,
    Client(client): Client,
    l: Lang,
    Path(code): Path<String>,
) -> Response {
    match ops::lookup(&state, client, &code, l).await {
        Ok(Some(doc)) => axum::Json(doc).into_response(),
        Ok(None) => WebError::not_found().into_response(),
        Err(Missed::Limited(wait)) => ops::too_many(wait),
        Err(Missed::Failed(e)) => e.into_response(),
    }
}

/// Per month and substance, the analysed samples it was found in; counts of 1–4 suppressed.
#[utoipa::path(get, path = "/api/v1/public/drugcheck/summary", responses((status = 200, body = SummaryDoc)))]
async fn summary(State(state): State<AppState>, l: Lang) -> Result<Response, WebError> {
    let months = ops::summary(&state).await?;
    Ok(axum::Json(summary_doc(months, l)).into_response())
}

pub(super) fn summary_doc(months: Vec<SummaryMonth>, l: Lang) -> SummaryDoc {
    let list = varde_core::substances::get();
    SummaryDoc {
        months: months
            .into_iter()
            .map(|m| MonthDoc {
                month: m.month,
                analysed: m.analysed,
                substances: m
                    .cells
                    .into_iter()
                    .map(|c| CellDoc {
                        substance: list
                            .by_id(&c.substance)
                            .map_or_else(|| c.substance.clone(), |s| s.name(l.code()).to_owned()),
                        id: c.substance,
                        samples: c.samples,
                    })
                    .collect(),
            })
            .collect(),
    }
}
