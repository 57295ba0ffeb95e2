//! Import and export of pathway events in the event CSV (the national format): the import
//! operation, its page, and the export. The upload is read by the shared `crate::import`
//! (streamed, hashed, one batch id per file); what may be written is planned by
//! `varde_core::pathways::import::plan` (all or nothing, or the pathways without errors whole);
//! the write expects the stamp the plan was checked against ([`retrying`]).

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Serialize;
use varde_core::ids::NationalId;
use varde_core::org::OrgId;
use varde_core::pathways::import::{plan_with, RowProblem};
use varde_core::pathways::parse::Parsed as ParsedFile;
use varde_core::pathways::{read_events, EventFields, FileError, PERSON_COLUMN};
use varde_core::pseudonym::pseudonymise;
use varde_store::{Batch, ImportOutcome, PathwayWrite};

use super::cache::load;
use super::events::{retrying, Attempt};
use super::IMPORT_LIMIT;
use crate::auth::CurrentUser;
use crate::authz::{OrgAccess, ReadPathways, WritePathways};
use crate::error::WebError;
use crate::forms::{render, render_status, PageResult};
use crate::import::{batch_id, batch_reused, read_form, turn, Upload};
use crate::shell::{Chrome, Page};
use crate::AppState;

/// One refused row of an import: its line, the field (CSV column, or `file`/`row`) and the
/// rule.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ImportError {
    pub line: u64,
    pub field: String,
    pub pathway_id: Option<String>,
    pub rule: String,
}

impl From<RowProblem> for ImportError {
    fn from(p: RowProblem) -> Self {
        ImportError {
            line: p.line,
            field: p.field,
            pathway_id: p.pathway_id,
            rule: p.rule,
        }
    }
}

/// The answer to an import.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ImportResult {
    pub batch_id: String,
    /// Events written now.
    pub imported: usize,
    /// The batch had been imported before: nothing was written now.
    pub already_imported: bool,
    /// Rows refused, with their line and rule.
    pub errors: Vec<ImportError>,
    /// Valid rows held back because another row of the same pathway was refused (an import
    /// never writes half a pathway).
    pub held_back: usize,
}

/// An upload of the event CSV, parsed.
pub type EventUpload = Upload<Result<ParsedFile, FileError>>;

/// The parser of the event CSV, for the shared upload reader.
pub fn parse_upload(r: &mut dyn std::io::Read) -> Result<ParsedFile, FileError> {
    read_events(r)
}

/// Imports an upload in one transaction, checked again if another write came between (three
/// tries). With errors: nothing is written unless `valid_only`, in which case the pathways
/// without errors are written whole and the rest are reported.
pub async fn import(
    state: &AppState,
    access: &OrgAccess<WritePathways>,
    upload: &EventUpload,
    given_batch: Option<&str>,
    valid_only: bool,
) -> Result<(StatusCode, ImportResult), WebError> {
    retrying(|| import_once(state, access, upload, given_batch, valid_only)).await
}

async fn import_once(
    state: &AppState,
    access: &OrgAccess<WritePathways>,
    upload: &EventUpload,
    given_batch: Option<&str>,
    valid_only: bool,
) -> Result<(StatusCode, ImportResult), Attempt> {
    let org = access.org();
    let batch_id = batch_id(given_batch, &upload.digest)?;
    let result = |imported, already_imported, errors, held_back| ImportResult {
        batch_id: batch_id.clone(),
        imported,
        already_imported,
        errors,
        held_back,
    };
    // A batch imported before is answered first: the same file twice is not an error; the
    // same id with another file is.
    if let Some(then) = state.store.pathway_batch(org, &batch_id).await? {
        if then.digest.as_deref().is_some_and(|d| d != upload.digest) {
            return Err(batch_reused().into());
        }
        return Ok((StatusCode::OK, result(0, true, Vec::new(), 0)));
    }
    let parsed = upload
        .parsed
        .as_ref()
        .map_err(|e| WebError::invalid("file", e.to_string()))?;
    let (persons, refused) = resolve_persons(state, org, parsed).await?;
    let existing = load(state, Some(org)).await?;
    let p = plan_with(
        parsed,
        &existing.events,
        state.clock.today(),
        valid_only,
        refused,
    );
    let links: Vec<(usize, i64)> = p
        .lines
        .iter()
        .enumerate()
        .filter_map(|(row, line)| persons.get(line).map(|&person| (row, person)))
        .collect();
    let errors: Vec<ImportError> = p.errors.into_iter().map(ImportError::from).collect();
    if p.writable.is_empty() {
        // Nothing to write (every row refused, or none in the file): the batch id stays free
        // for the real file.
        let status = if errors.is_empty() {
            StatusCode::OK
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        };
        return Ok((status, result(0, false, errors, p.held_back)));
    }
    let entry = access.access(state, "", format!("pathway-import:{batch_id}"));
    let outcome = state
        .store
        .append_pathway_write(PathwayWrite {
            org,
            actor: access.principal.user,
            batch: Some(Batch {
                id: &batch_id,
                digest: &upload.digest,
            }),
            events: &p.writable,
            persons: &links,
            recorded_at: state.clock.now(),
            access: Some(&entry),
            expected: Some(existing.stamp),
        })
        .await?;
    match outcome {
        ImportOutcome::Imported { events } => Ok((
            StatusCode::CREATED,
            result(events, false, errors, p.held_back),
        )),
        ImportOutcome::AlreadyImported {
            same_content: false,
            ..
        } => Err(batch_reused().into()),
        ImportOutcome::AlreadyImported { .. } => {
            Ok((StatusCode::OK, result(0, true, errors, p.held_back)))
        }
    }
}

/// The persons the file's referrals name by national identity number ([`PERSON_COLUMN`]),
/// resolved against the organisation's register by pseudonym: line → person id, and the
/// lines that name no one (or no valid number) as refused rows. The numbers go no further.
async fn resolve_persons(
    state: &AppState,
    org: OrgId,
    parsed: &ParsedFile,
) -> Result<(HashMap<u64, i64>, Vec<RowProblem>), WebError> {
    let mut found = HashMap::new();
    let mut refused = Vec::new();
    if parsed.persons.is_empty() {
        return Ok((found, refused));
    }
    let pathway_of: HashMap<u64, &str> = parsed
        .events
        .iter()
        .map(|e| (e.line, &*e.pathway_id))
        .collect();
    let policy = state.id_policy();
    for (line, raw) in &parsed.persons {
        let refuse = |rule: String| RowProblem {
            line: *line,
            pathway_id: pathway_of.get(line).map(|p| (*p).to_owned()),
            field: PERSON_COLUMN.to_owned(),
            rule,
        };
        let nin = match NationalId::parse(raw, &policy) {
            Ok(n) => n,
            Err(e) => {
                refused.push(refuse(e.to_string()));
                continue;
            }
        };
        let pseudonym = pseudonymise(&state.key, &nin);
        match state
            .store
            .person_of_org_by_pseudonym(org, pseudonym.as_str())
            .await?
        {
            Some(id) => {
                found.insert(*line, id);
            }
            None => refused.push(refuse(
                "no person with this national identity number in the organisation's register"
                    .to_owned(),
            )),
        }
    }
    Ok((found, refused))
}

#[derive(Template)]
#[template(path = "pathways/import.html")]
struct ImportT {
    c: Chrome,
    result: Option<ImportResult>,
    error: Option<String>,
}

pub(super) async fn import_page(page: Page, _access: OrgAccess<WritePathways>) -> PageResult {
    render(&ImportT {
        c: page.c,
        result: None,
        error: None,
    })
}

pub(super) async fn import_submit(
    State(state): State<AppState>,
    page: Page,
    user: CurrentUser,
    access: OrgAccess<WritePathways>,
    form: Multipart,
) -> PageResult {
    // Held until the import is written.
    let _turn = turn(&state).await?;
    let form = read_form(form, &user, IMPORT_LIMIT, parse_upload).await?;
    let again = |c: Chrome, e: WebError| {
        let l = c.l;
        render_status(
            &ImportT {
                c,
                result: None,
                error: Some(e.message(l)),
            },
            e.status,
        )
    };
    let Some(file) = form.file else {
        return again(page.c, WebError::invalid("file", "choose a CSV file"));
    };
    match import(
        &state,
        &access,
        &file,
        form.batch_id.as_deref(),
        form.valid_only,
    )
    .await
    {
        Ok((status, result)) => render_status(
            &ImportT {
                c: page.c,
                result: Some(result),
                error: None,
            },
            if status == StatusCode::UNPROCESSABLE_ENTITY {
                status
            } else {
                StatusCode::OK
            },
        ),
        Err(e) if e.is_mendable() => again(page.c, e),
        Err(e) => Err(e),
    }
}

/// Exports the organisation's effective events in the import format (the page's download and
/// the API's `GET /api/v1/pathways/export`).
#[utoipa::path(get, path = "/api/v1/pathways/export", responses((status = 200, content_type = "text/csv", description = "events")))]
pub(super) async fn export_csv(
    State(state): State<AppState>,
    access: OrgAccess<ReadPathways>,
) -> Result<Response, WebError> {
    let loaded = load(&state, Some(access.org())).await?;
    access
        .log(&state, format!("pathway-export:org:{}", access.org().0))
        .await?;
    let fields: Vec<EventFields> = loaded.events.iter().map(EventFields::of).collect();
    let mut out = Vec::new();
    varde_core::pathways::export_events_csv(&mut out, &fields)
        .map_err(|_| WebError::internal("export"))?;
    Ok(crate::download::csv(out, "pathway-events.csv"))
}
