//! The import of a monitoring source (issue 10, items 1, 2 and 4): one operation
//! ([`import`]) called by the API (`POST /api/v1/monitoring/import/{source}`), the upload form
//! (`/monitoring/import`) and the demo data ([`import_text`]). The file is read as it arrives
//! by the shared `crate::import` and parsed on the blocking task by
//! `varde_core::monitoring::sources::parse`; the rows, their findings, the batch claim, the
//! signals they raise and the access entry are written in one transaction by
//! `Store::monitoring_import`. Without `valid_only` an import is all or nothing: one refused
//! row writes nothing (422); with it, the valid rows are written and the refused reported.

use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use varde_core::authz::{Action, Subject};
use varde_core::monitoring::sources::{parse, Parsed, RowError, Source};
use varde_core::org::Principal;
use varde_store::{monitoring_batch_key, Batch, ImportOutcome, MonitoringImport, SourceBatch};

use crate::auth::CurrentUser;
use crate::authz::{ImportMonitoring, OrgAccess};
use crate::error::WebError;
use crate::forms::{render_status, PageResult};
use crate::import::{batch_id, batch_reused, read_body, read_form, turn, Upload};
use crate::shell::{Chrome, Page};
use crate::AppState;

/// The largest file an import reads.
pub const IMPORT_LIMIT: usize = 256 * 1024 * 1024;

/// One refused row: its line (the header is line 1), the field and the rule.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Refusal {
    pub line: u64,
    pub field: String,
    pub rule: String,
}

impl From<RowError> for Refusal {
    fn from(e: RowError) -> Self {
        Refusal {
            line: e.line,
            field: e.field,
            rule: e.rule,
        }
    }
}

/// The answer to an import.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ImportResult {
    /// The source imported.
    pub source: String,
    /// The batch id the file was recorded under (given, or the file's SHA-256).
    pub batch_id: String,
    /// Rows written now (0 when the batch was imported before, or nothing was written).
    pub accepted: usize,
    /// Rows refused, with their line, field and rule.
    pub refused: Vec<Refusal>,
    /// The batch had been imported before: nothing was written now.
    pub already_imported: bool,
    /// Signals the import raised.
    pub signals: usize,
}

/// An upload of a source's file, parsed.
pub type SourceUpload = Upload<Parsed>;

/// A source from a path segment, or 404.
pub fn source_of(v: &str) -> Result<Source, WebError> {
    Source::parse(v).ok_or_else(WebError::not_found)
}

/// Imports `upload` of `source` as the holder of `access`; the status to answer with (201
/// written, 200 imported before or empty, 422 refused rows and nothing written) and the
/// result. The same batch id with another file is a 409.
pub async fn import(
    state: &AppState,
    access: &OrgAccess<ImportMonitoring>,
    source: Source,
    upload: &SourceUpload,
    given_batch: Option<&str>,
    valid_only: bool,
) -> Result<(StatusCode, ImportResult), WebError> {
    let org = access.org();
    let batch = batch_id(given_batch, &upload.digest)?;
    let key = monitoring_batch_key(source, &batch);
    let result = |accepted, refused: Vec<Refusal>, already_imported, signals| ImportResult {
        source: source.as_str().to_owned(),
        batch_id: batch.clone(),
        accepted,
        refused,
        already_imported,
        signals,
    };
    // A batch imported before is answered first: the same file twice is not an error; the
    // same id with another file is.
    if let Some(then) = state
        .store
        .batch(varde_store::BatchTable::Monitoring, org, &key)
        .await?
    {
        if then.digest.as_deref().is_some_and(|d| d != upload.digest) {
            return Err(batch_reused());
        }
        return Ok((StatusCode::OK, result(0, Vec::new(), true, 0)));
    }
    let parsed = &upload.parsed;
    let refused: Vec<Refusal> = parsed.refused.iter().cloned().map(Refusal::from).collect();
    if parsed.records.is_empty() || (!refused.is_empty() && !valid_only) {
        // Nothing to write: the batch id stays free for the real file.
        let status = if refused.is_empty() {
            StatusCode::OK
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        };
        return Ok((status, result(0, refused, false, 0)));
    }
    let watchlist = state.store.watchlist().await?;
    let entry = access.access(state, "", format!("monitoring-import:{key}"));
    let written = state
        .store
        .monitoring_import(MonitoringImport {
            source,
            org,
            actor: access.principal.user.0,
            batch: Batch {
                id: &key,
                digest: &upload.digest,
            },
            records: &parsed.records,
            watchlist: &watchlist,
            today: state.clock.today(),
            at: state.clock.now(),
            access: &entry,
        })
        .await?;
    match written.outcome {
        ImportOutcome::Imported { events } => {
            // The batch has committed: re-evaluate the series it touched (only those). A
            // failure here loses nothing: the rows are stored, and the next batch or a rule
            // change re-evaluates the series again.
            if let Err(e) = super::series::reevaluate_batch(state, org, &key).await {
                tracing::error!(status = %e.status, "the series of an import were not re-evaluated");
            }
            Ok((
                StatusCode::CREATED,
                result(events, refused, false, written.signals.len()),
            ))
        }
        ImportOutcome::AlreadyImported {
            same_content: false,
            ..
        } => Err(batch_reused()),
        ImportOutcome::AlreadyImported { .. } => {
            Ok((StatusCode::OK, result(0, Vec::new(), true, 0)))
        }
    }
}

/// Imports CSV text of `source` (the demo data, the simulator's files): parsed on a blocking
/// task, then [`import`].
pub async fn import_text(
    state: &AppState,
    access: &OrgAccess<ImportMonitoring>,
    source: Source,
    given_batch: Option<&str>,
    valid_only: bool,
    csv: String,
) -> Result<(StatusCode, ImportResult), WebError> {
    let today = state.clock.today();
    let upload = tokio::task::spawn_blocking(move || {
        use sha2::Digest as _;
        let digest = format!(
            "sha256:{}",
            hex::encode(sha2::Sha256::digest(csv.as_bytes()))
        );
        Upload {
            parsed: parse(source, &mut csv.as_bytes(), today),
            digest,
        }
    })
    .await
    .map_err(|_| WebError::internal("the import could not be parsed"))?;
    import(state, access, source, &upload, given_batch, valid_only).await
}

/// The parser of a source's file, for the shared upload reader.
fn parser(
    state: &AppState,
    source: Source,
) -> impl FnOnce(&mut dyn std::io::Read) -> Parsed + Send + 'static {
    let today = state.clock.today();
    move |r: &mut dyn std::io::Read| parse(source, r, today)
}

/// A refused import (nothing written): a problem document (RFC 9457) whose `errors` name each
/// refused row's line, field and rule, with the import's result beside it.
fn refused(result: ImportResult) -> Response {
    let first = result
        .refused
        .first()
        .map(|e| format!("; the first, line {}: {}: {}", e.line, e.field, e.rule))
        .unwrap_or_default();
    let detail = format!(
        "{} row(s) refused; nothing was written{first}",
        result.refused.len()
    );
    let mut e = WebError::invalid_input(detail);
    for r in &result.refused {
        e = e.and_field(&r.field, r.rule.clone());
    }
    e.with_members(result)
}

/// `?batch_id=&valid_only=`.
#[derive(Debug, Default, Deserialize)]
pub(super) struct ImportQuery {
    batch_id: Option<String>,
    #[serde(default)]
    valid_only: bool,
}

/// Imports a source's rows from CSV (the body, `text/csv`) or JSON (`application/json`: an
/// array of objects whose members are the columns; `substances` and `tags` may be arrays; the
/// first object is line 2, as under a CSV header), idempotent by `batch_id`.
#[utoipa::path(post, path = "/api/v1/monitoring/import/{source}", request_body(content = String, content_type = "text/csv"),
    params(("source" = String, Path, description = "seizures, wastewater, syringe_residue, overdoses, deaths, surveys or rapid_assessments"),
        ("batch_id" = Option<String>, Query, description = "idempotency key; default: the SHA-256 of the body"),
        ("valid_only" = Option<bool>, Query, description = "write the valid rows and report the refused ones")),
    responses((status = 201, body = ImportResult), (status = 200, body = ImportResult, description = "already imported"),
        (status = 422, body = ImportResult, description = "refused rows; nothing written"), (status = 409, description = "the batch id was used for another file"),
        (status = 404, description = "no such source"), (status = 403, description = "not allowed to import")))]
pub(super) async fn api_import(
    State(state): State<AppState>,
    access: OrgAccess<ImportMonitoring>,
    Path(source): Path<String>,
    Query(q): Query<ImportQuery>,
    headers: axum::http::HeaderMap,
    body: axum::body::Body,
) -> Result<Response, WebError> {
    let source = source_of(&source)?;
    let _turn = turn(&state).await?;
    let json = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().starts_with("application/json"));
    let (status, result) = if json {
        // A JSON body is read whole (within the same limit) and imported as the CSV it
        // stands for: one parser, one set of rules.
        let bytes = axum::body::to_bytes(body, IMPORT_LIMIT)
            .await
            .map_err(|_| WebError::bad_request("the body could not be read"))?;
        let csv = varde_core::monitoring::sources::json::to_csv(&bytes)
            .map_err(|e| WebError::invalid_fields(vec![e]))?;
        import_text(
            &state,
            &access,
            source,
            q.batch_id.as_deref(),
            q.valid_only,
            csv,
        )
        .await?
    } else {
        let upload = read_body(body, IMPORT_LIMIT, parser(&state, source)).await?;
        import(
            &state,
            &access,
            source,
            &upload,
            q.batch_id.as_deref(),
            q.valid_only,
        )
        .await?
    };
    if status == StatusCode::UNPROCESSABLE_ENTITY {
        return Ok(refused(result));
    }
    Ok((status, axum::Json(result)).into_response())
}

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/monitoring/import", get(page).post(submit))
        .layer(axum::extract::DefaultBodyLimit::max(IMPORT_LIMIT))
}

#[derive(Template)]
#[template(path = "monitoring/import.html")]
struct ImportT {
    c: Chrome,
    /// Every source, and whether it is the chosen one.
    sources: Vec<(&'static str, bool)>,
    /// The chosen source (the upload form's), and its columns.
    chosen: String,
    columns: String,
    result: Option<ImportResult>,
    error: Option<String>,
    batches: Vec<BatchLine>,
    /// The user may open the rest of the area (an analyst; a laboratory's user may only
    /// import): the area's sub-navigation is shown.
    analyst: bool,
}

/// A recent batch on the import page.
struct BatchLine {
    source: String,
    batch: String,
    rows: i64,
    by: String,
    when: String,
}

impl BatchLine {
    fn of(b: SourceBatch) -> BatchLine {
        let (source, batch) = b
            .batch_id
            .split_once('/')
            .map_or((String::new(), b.batch_id.clone()), |(s, id)| {
                (s.to_owned(), id.to_owned())
            });
        BatchLine {
            source,
            batch,
            rows: b.rows,
            by: b.imported_by.unwrap_or_default(),
            when: crate::display::minute_of(&b.recorded_at),
        }
    }
}

async fn view(
    state: &AppState,
    principal: &Principal,
    c: Chrome,
    chosen: String,
    result: Option<ImportResult>,
    error: Option<String>,
    status: StatusCode,
) -> PageResult {
    // Analysts see every organisation's batches; another importer, its own organisation's.
    let all = varde_core::authz::decide(
        principal,
        Action::MonitoringRead,
        &Subject::of_org(principal.org),
        None,
    )
    .allowed;
    let batches: Vec<BatchLine> = state
        .store
        .monitoring_batches((!all).then_some(principal.org), 20)
        .await?
        .into_iter()
        .map(BatchLine::of)
        .collect();
    let columns = Source::parse(&chosen)
        .map(|s| s.columns().join(","))
        .unwrap_or_default();
    let analyst = c.menu.iter().any(|m| m.href == "/monitoring");
    render_status(
        &ImportT {
            analyst,
            c,
            sources: Source::ALL
                .iter()
                .map(|s| (s.as_str(), s.as_str() == chosen))
                .collect(),
            columns,
            chosen,
            result,
            error,
            batches,
        },
        status,
    )
}

/// `GET /monitoring/import?source=`: the choice of source, the upload form for the chosen
/// one (seizures unless another is chosen) with its columns, and the recent batches.
async fn page(
    State(state): State<AppState>,
    page: Page,
    access: OrgAccess<ImportMonitoring>,
    Query(q): Query<SourceQuery>,
) -> PageResult {
    let chosen = Source::parse(&q.source).unwrap_or(Source::Seizures);
    view(
        &state,
        &access.principal,
        page.c,
        chosen.as_str().to_owned(),
        None,
        None,
        StatusCode::OK,
    )
    .await
}

/// `?source=` on the form's action (the multipart body carries the file; the source picks
/// its parser before the file is read).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct SourceQuery {
    source: String,
}

/// `POST /monitoring/import`: the upload (`multipart/form-data`), the CSRF token checked
/// before the file is read.
async fn submit(
    State(state): State<AppState>,
    page: Page,
    user: CurrentUser,
    access: OrgAccess<ImportMonitoring>,
    Query(q): Query<SourceQuery>,
    form: Multipart,
) -> PageResult {
    let Some(source) = Source::parse(&q.source) else {
        let e = WebError::invalid("source", format!("one of {}", source_names()));
        let l = page.c.l;
        return view(
            &state,
            &access.principal,
            page.c,
            q.source,
            None,
            Some(e.message(l)),
            e.status,
        )
        .await;
    };
    // Held until the import is written.
    let _turn = turn(&state).await?;
    let form = read_form(form, &user, IMPORT_LIMIT, parser(&state, source)).await?;
    let chosen = source.as_str().to_owned();
    let Some(file) = form.file else {
        let e = WebError::invalid("file", "choose a CSV file");
        let l = page.c.l;
        return view(
            &state,
            &access.principal,
            page.c,
            chosen,
            None,
            Some(e.message(l)),
            e.status,
        )
        .await;
    };
    match import(
        &state,
        &access,
        source,
        &file,
        form.batch_id.as_deref(),
        form.valid_only,
    )
    .await
    {
        Ok((status, result)) => {
            let status = if status == StatusCode::UNPROCESSABLE_ENTITY {
                status
            } else {
                StatusCode::OK
            };
            view(
                &state,
                &access.principal,
                page.c,
                chosen,
                Some(result),
                None,
                status,
            )
            .await
        }
        Err(e) if e.is_mendable() => {
            let l = page.c.l;
            view(
                &state,
                &access.principal,
                page.c,
                chosen,
                None,
                Some(e.message(l)),
                e.status,
            )
            .await
        }
        Err(e) => Err(e),
    }
}

/// The sources' names, for a refusal.
fn source_names() -> String {
    Source::ALL
        .iter()
        .map(|s| s.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}
