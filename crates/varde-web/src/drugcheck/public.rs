//! The public pages (no login, no JavaScript, readable on a phone): `/drugcheck` (type the
//! code), `/drugcheck/result` (the form posts the code there: a code in an address would stay
//! in histories and logs) and `/drugcheck/summary` (the monthly summary).

use std::convert::Infallible;

use askama::Template;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;

use super::api::{summary_doc, MonthDoc};
use super::ops::{self, Missed, ResultDoc};
use super::Client;
use crate::error::WebError;
use crate::forms::{render, render_status, FormError, PageResult};
use crate::i18n::Lang;
use crate::shell::{Chrome, Page};
use crate::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/drugcheck", get(form))
        .route("/drugcheck/result", post(result))
        .route("/drugcheck/summary", get(summary))
}

/// The frame of a page that needs no login: the user's, when someone is logged in.
pub(crate) struct Viewer(pub(crate) Chrome);

impl FromRequestParts<AppState> for Viewer {
    type Rejection = Infallible;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        match Page::from_request_parts(parts, state).await {
            Ok(p) => Ok(Viewer(p.c)),
            Err(_) => {
                let l = Lang::of(&parts.headers);
                let mut c = Chrome::anonymous(l, parts.uri.path());
                c.after(&parts.method);
                Ok(Viewer(c))
            }
        }
    }
}

#[derive(Template)]
#[template(path = "drugcheck/lookup.html")]
struct LookupT {
    c: Chrome,
    code: String,
    error: FormError,
}

#[derive(Template)]
#[template(path = "drugcheck/result.html")]
struct ResultT {
    c: Chrome,
    r: ResultDoc,
}

#[derive(Template)]
#[template(path = "drugcheck/summary.html")]
struct SummaryT {
    c: Chrome,
    months: Vec<MonthDoc>,
}

/// `GET /drugcheck`: the form to type the code.
async fn form(Viewer(c): Viewer) -> PageResult {
    render(&LookupT {
        c,
        code: String::new(),
        error: FormError::default(),
    })
}

#[derive(Deserialize)]
struct CodeForm {
    #[serde(default)]
    code: String,
}

/// `POST /drugcheck/result`: the result in plain words; a code no sample has is the form again
/// (404), answered in the time a found one takes.
async fn result(
    State(state): State<AppState>,
    Viewer(c): Viewer,
    Client(client): Client,
    axum::Form(f): axum::Form<CodeForm>,
) -> Result<Response, WebError> {
    let l = c.l;
    match ops::lookup(&state, client, &f.code, l).await {
        Ok(Some(r)) => {
            let mut res = render(&ResultT { c, r })?;
            res.headers_mut().insert(
                axum::http::header::CACHE_CONTROL,
                axum::http::HeaderValue::from_static("no-store"),
            );
            Ok(res)
        }
        Ok(None) => {
            let e = WebError::invalid(
                "code",
                "no sample has this code; check the code on the receipt",
            )
            .with_status(StatusCode::NOT_FOUND);
            render_status(
                &LookupT {
                    c,
                    code: f.code,
                    error: FormError::new(&e, l),
                },
                StatusCode::NOT_FOUND,
            )
        }
        Err(Missed::Limited(wait)) => Ok(ops::too_many(wait)),
        Err(Missed::Failed(e)) => Err(e),
    }
}

/// `GET /drugcheck/summary`: the monthly summary.
async fn summary(State(state): State<AppState>, Viewer(c): Viewer) -> PageResult {
    let months = ops::summary(&state).await?;
    let l = c.l;
    render(&SummaryT {
        c,
        months: summary_doc(months, l).months,
    })
}
