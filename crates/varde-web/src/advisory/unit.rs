//! A unit's own minimum outreach before a case may close as not completed (default: two
//! attempts by two different means, `varde_core::advisory::OutreachMinimum`) and its retention
//! of closed cases (default five years, `varde_core::advisory::erasure::Retention`): read and
//! set on the case list's page and through `GET|PUT /api/v1/advisory/unit`. A change is written with
//! its access entry; every later check of a closing reads it.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use varde_core::advisory::erasure::Retention;
use varde_core::advisory::OutreachMinimum;

use super::ops;
use crate::api::{json, ApiJson};
use crate::authz::{OrgAccess, ReadAdvisory, WriteAdvisory};
use crate::error::{Problem, WebError};
use crate::forms::{CsrfForm, PageResult};
use crate::AppState;

pub(super) fn page_routes() -> Router<AppState> {
    Router::new().route("/advisory/unit", post(set_form))
}

pub(super) fn api_routes() -> Router<AppState> {
    Router::new().route("/advisory/unit", get(read).put(set_api))
}

/// The unit's minimum outreach.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct UnitDoc {
    /// 1–10 attempts.
    pub min_attempts: i64,
    /// 1–4 different means, not more than the attempts.
    pub min_means: i64,
    /// Years a closed case keeps its personal data (1–20; default 5). Left out of a `PUT`:
    /// unchanged.
    #[serde(default)]
    pub retention_years: Option<i64>,
}

/// Sets the unit's minimum and, when given, its retention: both checked before anything is
/// written, then one write with its access entry.
pub async fn set(
    state: &AppState,
    access: &OrgAccess<WriteAdvisory>,
    attempts: i64,
    means: i64,
    retention_years: Option<i64>,
) -> Result<OutreachMinimum, WebError> {
    let min = OutreachMinimum::new(attempts, means)?;
    let retention = retention_years.map(Retention::new).transpose()?;
    let entry = access.access(state, "", format!("advisory:unit:{}", access.org().0));
    state
        .store
        .advisory_set_minimum(
            access.org(),
            i64::from(min.attempts),
            i64::from(min.distinct_means),
            retention.map(|r| i64::from(r.years)),
            access.principal.user.0,
            state.clock.now(),
            &entry,
        )
        .await?;
    Ok(min)
}

fn doc(min: OutreachMinimum, retention: Retention) -> UnitDoc {
    UnitDoc {
        min_attempts: i64::from(min.attempts),
        min_means: i64::from(min.distinct_means),
        retention_years: Some(i64::from(retention.years)),
    }
}

/// The unit's minimum outreach (its own, or the default).
#[utoipa::path(get, path = "/api/v1/advisory/unit",
    responses((status = 200, body = UnitDoc), (status = 403, body = Problem)))]
pub(super) async fn read(
    State(state): State<AppState>,
    access: OrgAccess<ReadAdvisory>,
) -> Result<Response, WebError> {
    let min = ops::minimum(&state, access.org()).await?;
    let retention = ops::retention(&state, access.org()).await?;
    Ok(json(StatusCode::OK, &doc(min, retention)))
}

/// Sets the unit's minimum outreach.
#[utoipa::path(put, path = "/api/v1/advisory/unit", request_body = UnitDoc,
    responses((status = 200, body = UnitDoc), (status = 422, body = Problem), (status = 403, body = Problem)))]
pub(super) async fn set_api(
    State(state): State<AppState>,
    access: OrgAccess<WriteAdvisory>,
    ApiJson(b): ApiJson<UnitDoc>,
) -> Result<Response, WebError> {
    let min = set(
        &state,
        &access,
        b.min_attempts,
        b.min_means,
        b.retention_years,
    )
    .await?;
    let retention = ops::retention(&state, access.org()).await?;
    Ok(json(StatusCode::OK, &doc(min, retention)))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct UnitForm {
    min_attempts: String,
    min_means: String,
    retention_years: String,
}

/// The form on the case list: back to the list, or the list with the refusal.
async fn set_form(
    State(state): State<AppState>,
    page: crate::shell::Page,
    access: OrgAccess<WriteAdvisory>,
    CsrfForm(f): CsrfForm<UnitForm>,
) -> PageResult {
    let number = |field: &str, v: &str| {
        v.trim()
            .parse::<i64>()
            .map_err(|_| WebError::invalid(field, "a whole number"))
    };
    let result = async {
        let a = number("min_attempts", &f.min_attempts)?;
        let m = number("min_means", &f.min_means)?;
        let years = if f.retention_years.trim().is_empty() {
            None
        } else {
            Some(number("retention_years", &f.retention_years)?)
        };
        let min = set(&state, &access, a, m, years).await?;
        Ok(min)
    }
    .await;
    let l = page.c.l;
    crate::forms::finish(
        result,
        |_| "/advisory/cases#unit".to_owned(),
        |e| async move {
            let read = OrgAccess::<ReadAdvisory>::decide(&state, access.principal).await?;
            super::pages::cases_with(&state, page.c, &read, crate::forms::FormError::new(&e, l))
                .await
        },
    )
    .await
}
