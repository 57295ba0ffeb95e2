//! The values' import, per source: the operation (called by the API, the page and the demo),
//! `POST /api/v1/results/import?source=&batch_id=[&valid_only=true]` (a CSV body,
//! `indicator,year,area,value`) and the page `/results/import` (choose the source, upload the
//! file). Read as it arrives by `crate::import`, checked row by row by
//! `varde_core::results::values::read`; all or nothing unless `valid_only`; idempotent by batch
//! id with the file's SHA-256 (the same id with another file: 409). Analysts and any user of a
//! national authority; logged with its author.

use askama::Template;
use axum::extract::{DefaultBodyLimit, Multipart, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;
use varde_core::fields::FieldError;
use varde_core::results::plans::IndicatorDef;
use varde_core::results::values::{read, Parsed};
use varde_core::results::Source;
use varde_store::{Batch, BatchTable, ImportOutcome, ResultsImport};

use crate::auth::CurrentUser;
use crate::authz::{ImportResults, OrgAccess};
use crate::error::{Problem, WebError};
use crate::forms::{render, render_status, PageResult};
use crate::import::{
    batch_id, batch_reused, check_batch, read_body, read_form, turn, Checked, Refused, Upload,
};
use crate::shell::{Chrome, Page};
use crate::AppState;

/// The largest import accepted (a source's values for every municipality and year is small).
pub const IMPORT_LIMIT: usize = 16 * 1024 * 1024;

/// The answer to an import.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ImportAnswer {
    pub source: String,
    pub batch_id: String,
    /// Rows written now.
    pub accepted: usize,
    /// The batch had been imported before: nothing was written now.
    pub already_imported: bool,
    /// Rows refused, with their line, field and rule.
    pub refused: Vec<Refused>,
}

/// An upload of a source's values, parsed (`Err`: the file as a whole is refused).
pub type ValuesUpload = Upload<Result<Parsed, FieldError>>;

/// Every plan's indicators (what a file's rows are checked against).
pub async fn indicators(state: &AppState) -> Result<Vec<IndicatorDef>, WebError> {
    Ok(super::ops::plans(state)
        .await?
        .into_iter()
        .flat_map(|p| p.indicators)
        .collect())
}

/// The parser of `source`'s values for the shared upload reader.
pub fn parser(
    source: Source,
    defs: Vec<IndicatorDef>,
    this_year: i16,
) -> impl FnOnce(&mut dyn std::io::Read) -> Result<Parsed, FieldError> + Send + 'static {
    move |r| read(r, source, &defs, this_year)
}

/// An upload made from text (the demo data): parsed and hashed as an upload is.
pub fn upload_of(
    text: &str,
    source: Source,
    defs: &[IndicatorDef],
    this_year: i16,
) -> ValuesUpload {
    Upload {
        parsed: read(&mut text.as_bytes(), source, defs, this_year),
        digest: format!("sha256:{}", hex::encode(Sha256::digest(text.as_bytes()))),
    }
}

/// Imports an upload of `source` in one transaction. With refused rows nothing is written
/// (422) unless `valid_only`, which writes the valid rows (201) and lists the rest. The same
/// batch id again: 200 and nothing written; with another file: 409.
pub async fn import(
    state: &AppState,
    access: &OrgAccess<ImportResults>,
    source: Source,
    upload: &ValuesUpload,
    given_batch: Option<&str>,
    valid_only: bool,
) -> Result<(StatusCode, ImportAnswer), WebError> {
    let org = access.org();
    let batch_id = batch_id(given_batch, &upload.digest)?;
    let answer = |accepted, already_imported, refused| ImportAnswer {
        source: source.as_str().to_owned(),
        batch_id: batch_id.clone(),
        accepted,
        already_imported,
        refused,
    };
    let key = format!("{}/{batch_id}", source.as_str());
    let (rows, refused) =
        match check_batch(state, BatchTable::Results, org, &key, upload, valid_only).await? {
            Checked::Answer {
                status,
                already_imported,
                refused,
            } => return Ok((status, answer(0, already_imported, refused))),
            Checked::Write { rows, refused } => (rows, refused),
        };
    let entry = access.access(state, "", format!("results-import:{key}"));
    let outcome = state
        .store
        .results_import(&ResultsImport {
            org,
            actor: access.principal.user,
            source,
            batch: Batch {
                id: &batch_id,
                digest: &upload.digest,
            },
            rows,
            at: state.clock.now(),
            access: &entry,
        })
        .await?;
    match outcome {
        ImportOutcome::Imported { events } => {
            Ok((StatusCode::CREATED, answer(events, false, refused)))
        }
        ImportOutcome::AlreadyImported {
            same_content: false,
            ..
        } => Err(batch_reused()),
        ImportOutcome::AlreadyImported { .. } => Ok((StatusCode::OK, answer(0, true, Vec::new()))),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct ImportQuery {
    source: String,
    batch_id: Option<String>,
    valid_only: bool,
}

pub(super) fn api_routes() -> Router<AppState> {
    Router::new().route(
        "/results/import",
        post(api_import).layer(DefaultBodyLimit::max(IMPORT_LIMIT)),
    )
}

pub(super) fn routes() -> Router<AppState> {
    Router::new().route(
        "/results/import",
        get(page)
            .post(submit)
            .layer(DefaultBodyLimit::max(IMPORT_LIMIT)),
    )
}

/// Imports one source's indicator values from CSV (the body, `text/csv`; columns
/// `indicator`, `year`, `area`, `value`), idempotent by `batch_id`.
#[utoipa::path(post, path = "/api/v1/results/import", request_body(content = String, content_type = "text/csv"),
    params(("source" = String, Query, description = "population_surveys, ungdata, is_24_8, brukerplan, npr_samdata, kvarus, lar_survey, prescription_register, cause_of_death_register or husbanken"),
        ("batch_id" = Option<String>, Query, description = "idempotency key; default: the SHA-256 of the body"),
        ("valid_only" = Option<bool>, Query, description = "write the valid rows, list the refused")),
    responses((status = 201, body = ImportAnswer), (status = 200, body = ImportAnswer, description = "already imported, or nothing to write"), (status = 409, body = Problem, description = "the batch id names another file"), (status = 422, body = Problem, description = "refused rows (`refused`); nothing written"), (status = 403, body = Problem)))]
pub(super) async fn api_import(
    State(state): State<AppState>,
    access: OrgAccess<ImportResults>,
    Query(q): Query<ImportQuery>,
    body: axum::body::Body,
) -> Result<Response, WebError> {
    let source = Source::parse_imported("source", &q.source)?;
    let defs = indicators(&state).await?;
    let _turn = turn(&state).await?;
    let year = state.clock.today().year();
    let upload = read_body(body, IMPORT_LIMIT, parser(source, defs, year)).await?;
    let (status, answer) = import(
        &state,
        &access,
        source,
        &upload,
        q.batch_id.as_deref(),
        q.valid_only,
    )
    .await?;
    if status == StatusCode::UNPROCESSABLE_ENTITY {
        let first = answer
            .refused
            .first()
            .map(|e| format!("; the first, line {} ({}): {}", e.line, e.field, e.rule))
            .unwrap_or_default();
        let detail = format!(
            "{} row(s) refused; nothing was written{first}",
            answer.refused.len()
        );
        return Ok(WebError::invalid_input(detail).with_members(answer));
    }
    Ok((status, axum::Json(answer)).into_response())
}

/// A source as the page's select offers it.
pub struct SourceOpt {
    pub id: &'static str,
    pub name: &'static str,
    pub selected: bool,
    /// The source's indicators that are imported (id, name).
    pub indicators: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "results/import.html")]
struct ImportT {
    c: Chrome,
    sources: Vec<SourceOpt>,
    source: &'static str,
    answer: Option<ImportAnswer>,
    error: Option<String>,
}

async fn sources(
    state: &AppState,
    chosen: Source,
    l: crate::i18n::Lang,
) -> Result<Vec<SourceOpt>, WebError> {
    let defs = indicators(state).await?;
    Ok(Source::IMPORTED
        .into_iter()
        .map(|s| SourceOpt {
            id: s.as_str(),
            name: s.name(),
            selected: s == chosen,
            indicators: defs
                .iter()
                .filter(|d| d.source == s && d.internal.is_none())
                .map(|d| (d.id.clone(), d.name(l.code()).to_owned()))
                .collect(),
        })
        .collect())
}

fn chosen(q: &ImportQuery) -> Result<Source, WebError> {
    if q.source.trim().is_empty() {
        Ok(Source::IMPORTED[0])
    } else {
        Ok(Source::parse_imported("source", &q.source)?)
    }
}

/// `GET /results/import[?source=]`.
async fn page(
    State(state): State<AppState>,
    page: Page,
    _access: OrgAccess<ImportResults>,
    Query(q): Query<ImportQuery>,
) -> PageResult {
    let source = chosen(&q)?;
    render(&ImportT {
        sources: sources(&state, source, page.c.l).await?,
        source: source.as_str(),
        answer: None,
        error: None,
        c: page.c,
    })
}

/// `POST /results/import?source=` (multipart: `csrf` first, then `batch_id`, `valid_only`,
/// `file`): the CSRF token is checked before the file is read.
async fn submit(
    State(state): State<AppState>,
    page: Page,
    user: CurrentUser,
    access: OrgAccess<ImportResults>,
    Query(q): Query<ImportQuery>,
    form: Multipart,
) -> PageResult {
    let source = chosen(&q)?;
    let defs = indicators(&state).await?;
    let _turn = turn(&state).await?;
    let year = state.clock.today().year();
    let form = read_form(form, &user, IMPORT_LIMIT, parser(source, defs, year)).await?;
    let l = page.c.l;
    let opts = sources(&state, source, l).await?;
    let (answer, error, status) = match form.file {
        None => {
            let e = WebError::invalid("file", "choose a CSV file");
            (None, Some(e.message(l)), e.status)
        }
        Some(file) => match import(
            &state,
            &access,
            source,
            &file,
            form.batch_id.as_deref(),
            form.valid_only,
        )
        .await
        {
            Ok((status, answer)) => (
                Some(answer),
                None,
                if status == StatusCode::UNPROCESSABLE_ENTITY {
                    status
                } else {
                    StatusCode::OK
                },
            ),
            Err(e) if e.is_mendable() => (None, Some(e.message(l)), e.status),
            Err(e) => return Err(e),
        },
    };
    render_status(
        &ImportT {
            c: page.c,
            sources: opts,
            source: source.as_str(),
            answer,
            error,
        },
        status,
    )
}
