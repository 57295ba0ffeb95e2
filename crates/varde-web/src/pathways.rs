//! Area 1, care pathways in TSB: the unit's worklist, pathway events (registered one by one,
//! imported as CSV, corrected by correction events), export, and the quality indicators —
//! as HTML pages and as JSON API. The rules are `varde_core::pathways`; this module loads the
//! organisation's events from the store, asks the rules, and writes through the store.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use askama::Template;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Form, Multipart, Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use varde_core::org::OrgId;
use varde_core::pathways::parse::parse_date;
use varde_core::pathways::{
    check_new, read_events, report, validate, worklist, DecisionCode, Event, EventFields,
    EventKind, IndicatorRow, Level, Report, RowError, WorkItem,
};
use varde_store::{Batch, ImportOutcome, PathwayStamp, StoredPathwayEvent, PATHWAYS_CHANGED};

use crate::authz::{OrgAccess, ReadPathways, SeePathwayIndicators, WritePathways};
use crate::error::WebError;
use crate::html::{render, Chrome, HtmlErr, Page};
use crate::AppState;

/// Largest CSV import accepted in one request (the national year is about 60 MB).
pub const IMPORT_LIMIT: usize = 256 * 1024 * 1024;

/// Imports read and checked at the same time (see `AppState::imports`).
pub const IMPORTS_AT_ONCE: usize = 2;

pub fn html_routes() -> Router<AppState> {
    Router::new()
        .route("/pathways", get(worklist_page))
        .route("/pathways/new", get(new_page).post(new_submit))
        .route("/pathways/p/{pathway_id}", get(pathway_page))
        .route("/pathways/p/{pathway_id}/events", post(event_submit))
        .route("/pathways/corrections/{id}", post(withdraw_submit))
        .route(
            "/pathways/import",
            get(import_page)
                .post(import_submit)
                .layer(DefaultBodyLimit::max(IMPORT_LIMIT)),
        )
        .route("/pathways/export.csv", get(export_csv))
        .route("/pathways/indicators", get(indicators_page))
}

pub fn api_routes() -> Router<AppState> {
    Router::new()
        .route("/pathways/events", post(api_register))
        .route("/pathways/events/{id}/corrections", post(api_correct))
        .route("/pathways/worklist", get(api_worklist))
        .route("/pathways/indicators", get(api_indicators))
        .route("/pathways/p/{pathway_id}", get(api_pathway))
        .route(
            "/pathways/p/{pathway_id}/corrections",
            get(api_pathway_corrections),
        )
        .route(
            "/pathways/import",
            post(api_import).layer(DefaultBodyLimit::max(IMPORT_LIMIT)),
        )
        .route("/pathways/export", get(export_csv))
}

// ------------------------------------------------------------------ shared logic

/// Stored events with their parsed form.
struct Loaded {
    rows: Vec<StoredPathwayEvent>,
    events: Vec<Event>,
}

/// The effective events of an organisation (or of everyone), parsed: what the worklist,
/// the indicators and the import checks compute on. Cached per organisation and reused while
/// the store's [`PathwayStamp`] is unchanged, so a page costs one key lookup plus the
/// computation rather than reading and parsing every row.
#[derive(Debug, Default)]
pub struct Parsed {
    pub ids: Vec<i64>,
    pub orgs: Vec<OrgId>,
    pub events: Vec<Event>,
    /// The highest row id read (parsed or not): where an incremental read goes on from.
    max_id: i64,
    /// The version these events are (at least) of: what a write checked against them expects.
    stamp: PathwayStamp,
}

/// The cache of [`Parsed`] events: per organisation, and everyone's (the organisations'
/// together, rebuilt when any of their stamps moves).
#[derive(Debug, Default)]
pub struct PathwayCache {
    by_org: std::sync::Mutex<HashMap<OrgId, (PathwayStamp, Arc<Parsed>)>>,
    #[allow(clippy::type_complexity)]
    all: std::sync::Mutex<Option<(Vec<(OrgId, PathwayStamp)>, Arc<Parsed>)>>,
}

fn locked<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The organisation's effective events (or everyone's), parsed.
async fn load(state: &AppState, org: Option<OrgId>) -> Result<Arc<Parsed>, WebError> {
    match org {
        Some(org) => load_org(state, org).await,
        None => load_all(state).await,
    }
}

/// Everyone's effective events: each organisation's, from its cache, together, with pathway
/// ids qualified by organisation (`{org_id}/{pathway_id}`).
async fn load_all(state: &AppState) -> Result<Arc<Parsed>, WebError> {
    let stamps = state.store.pathway_stamps().await?;
    if let Some((cached, parsed)) = &*locked(&state.pathway_cache.all) {
        if *cached == stamps {
            return Ok(parsed.clone());
        }
    }
    let mut parts = Vec::with_capacity(stamps.len());
    for (org, _) in &stamps {
        parts.push((*org, load_org(state, *org).await?));
    }
    // A unit name used by more than one organisation names two units: together, it is
    // qualified by the organisation's name, so that neither's figures are counted as the
    // other's.
    let mut unit_orgs: HashMap<Arc<str>, BTreeSet<OrgId>> = HashMap::new();
    for (org, p) in &parts {
        for e in &p.events {
            if !unit_orgs.get(&e.unit).is_some_and(|o| o.contains(org)) {
                unit_orgs.entry(e.unit.clone()).or_default().insert(*org);
            }
        }
    }
    let mut renamed: HashMap<(OrgId, Arc<str>), Arc<str>> = HashMap::new();
    let mut names: HashMap<OrgId, String> = HashMap::new();
    for (unit, orgs) in &unit_orgs {
        if orgs.len() < 2 {
            continue;
        }
        for org in orgs {
            if !names.contains_key(org) {
                names.insert(*org, org_label(state, *org).await);
            }
            let name = &names[org];
            renamed.insert((*org, unit.clone()), Arc::from(format!("{unit} ({name})")));
        }
    }
    let all = tokio::task::spawn_blocking(move || {
        let n = parts.iter().map(|(_, p)| p.events.len()).sum();
        let mut all = Parsed {
            ids: Vec::with_capacity(n),
            orgs: Vec::with_capacity(n),
            events: Vec::with_capacity(n),
            max_id: 0,
            stamp: PathwayStamp::default(),
        };
        // A pathway id names a pathway within its organisation: two organisations may use the
        // same id for different patients. Together, each id is qualified by its organisation
        // (one shared string per pathway), so no computation joins them.
        for (_, p) in &parts {
            let mut qualified: HashMap<&str, Arc<str>> = HashMap::new();
            all.ids.extend_from_slice(&p.ids);
            all.orgs.extend_from_slice(&p.orgs);
            all.events
                .extend(p.events.iter().zip(&p.orgs).map(|(e, org)| {
                    let id = qualified
                        .entry(&*e.pathway_id)
                        .or_insert_with(|| Arc::from(format!("{}/{}", org.0, e.pathway_id)))
                        .clone();
                    let unit = if renamed.is_empty() {
                        e.unit.clone()
                    } else {
                        renamed
                            .get(&(*org, e.unit.clone()))
                            .cloned()
                            .unwrap_or_else(|| e.unit.clone())
                    };
                    Event {
                        pathway_id: id,
                        unit,
                        ..e.clone()
                    }
                }));
            all.max_id = all.max_id.max(p.max_id);
        }
        Arc::new(all)
    })
    .await
    .map_err(|_| WebError::internal("parsing task failed"))?;
    *locked(&state.pathway_cache.all) = Some((stamps, all.clone()));
    Ok(all)
}

/// An organisation's name, or `#{id}` when it cannot be read (for labels, never for access).
pub(crate) async fn org_label(state: &AppState, org: OrgId) -> String {
    match state.store.org(org).await {
        Ok(o) => o.name,
        Err(_) => format!("#{}", org.0),
    }
}

/// A stored row's event, or `None` (logged) when it no longer parses (it was valid when
/// written).
fn parse_row(row: &StoredPathwayEvent) -> Option<Event> {
    row.fields
        .parse(u64::try_from(row.id).unwrap_or(0))
        .inspect_err(
            |e| tracing::warn!(row = row.id, rule = %e.rule, "stored pathway event does not parse"),
        )
        .ok()
}

/// One organisation's effective events. A stored row that no longer parses (it was valid when
/// written) is logged and left out rather than failing the page.
async fn load_org(state: &AppState, org: OrgId) -> Result<Arc<Parsed>, WebError> {
    let stamp = state.store.pathway_stamp(Some(org)).await?;
    let cached = locked(&state.pathway_cache.by_org).get(&org).cloned();
    if let Some((cached_stamp, parsed)) = &cached {
        if *cached_stamp == stamp {
            return Ok(parsed.clone());
        }
    }
    // Only additions since the cached version (no correction since): read and parse just
    // those. A correction reloads everything. An organisation's row ids rise in commit order
    // (its writers take turns), so the rows above the cached ones are exactly the additions.
    let (base, stored) = match cached {
        Some((old, parsed)) if old.corrections == stamp.corrections && stamp.seq > old.seq => {
            let max_id = parsed.max_id;
            (
                Some(parsed),
                state.store.pathway_events_after(Some(org), max_id).await?,
            )
        }
        _ => (None, state.store.pathway_events(Some(org)).await?),
    };
    let parsed = tokio::task::spawn_blocking(move || {
        let mut p = match base {
            Some(b) => Parsed {
                ids: b.ids.clone(),
                orgs: b.orgs.clone(),
                events: b.events.clone(),
                max_id: b.max_id,
                stamp,
            },
            None => Parsed {
                stamp,
                ..Parsed::default()
            },
        };
        p.ids.reserve(stored.len());
        p.orgs.reserve(stored.len());
        p.events.reserve(stored.len());
        for row in stored {
            p.max_id = p.max_id.max(row.id);
            if let Some(e) = parse_row(&row) {
                p.ids.push(row.id);
                p.orgs.push(row.org_id);
                p.events.push(e);
            }
        }
        Arc::new(p)
    })
    .await
    .map_err(|_| WebError::internal("parsing task failed"))?;
    locked(&state.pathway_cache.by_org).insert(org, (stamp, parsed.clone()));
    Ok(parsed)
}

/// One pathway's effective events (a row that no longer parses is logged and left out).
async fn load_pathway(state: &AppState, org: OrgId, pathway_id: &str) -> Result<Loaded, WebError> {
    let stored = state.store.pathway_events_of(org, pathway_id).await?;
    let (rows, events) = stored
        .into_iter()
        .filter_map(|row| parse_row(&row).map(|e| (row, e)))
        .unzip();
    Ok(Loaded { rows, events })
}

/// The longest pathway id the web accepts (the form's limit too).
const MAX_PATHWAY_ID: usize = 64;

/// Checks what an event written through the web says about where it belongs (the command-line
/// reports take any names; a stored event must name real places): a pathway id of at most
/// [`MAX_PATHWAY_ID`] characters; `rhf` a regional health authority and `hf` one of its health
/// trusts in the reference data; `kommune` empty or a municipality number; and one health
/// trust per organisation: `org_hf`, the one its first registered event named, when it has
/// one. Returns the field and the rule broken.
fn check_place(f: &EventFields, org_hf: Option<&str>) -> Result<(), (&'static str, String)> {
    let refdata = varde_core::refdata::get();
    let (pathway_id, hf, rhf, kommune) = (
        f.pathway_id.trim(),
        f.hf.trim(),
        f.rhf.trim(),
        f.kommune.trim(),
    );
    if pathway_id.chars().count() > MAX_PATHWAY_ID {
        return Err(("pathway_id", format!("at most {MAX_PATHWAY_ID} characters")));
    }
    if !rhf.is_empty() && !refdata.rhfs().any(|r| r.name == rhf) {
        let names: Vec<&str> = refdata.rhfs().map(|r| r.name.as_str()).collect();
        return Err((
            "rhf",
            format!(
                "unknown regional health authority `{rhf}` (one of: {})",
                names.join(", ")
            ),
        ));
    }
    if !hf.is_empty() {
        match refdata
            .helseforetak()
            .iter()
            .find(|h| h.level != "RHF" && h.name == hf)
        {
            None => {
                return Err((
                    "hf",
                    format!("unknown health trust `{hf}` (the names of the reference data)"),
                ))
            }
            Some(h) if !rhf.is_empty() && h.rhf != rhf => {
                return Err(("hf", format!("{hf} belongs to {}, not {rhf}", h.rhf)))
            }
            Some(_) => {}
        }
        if let Some(own) = org_hf.filter(|own| *own != hf) {
            return Err((
                "hf",
                format!("this organisation registers its pathways under {own}, not {hf}"),
            ));
        }
    }
    if !kommune.is_empty() && refdata.kommune(kommune).is_none() {
        return Err((
            "kommune",
            format!("unknown municipality number `{kommune}`"),
        ));
    }
    Ok(())
}

/// The health trust an organisation's pathways are registered under: that of its first event.
fn org_hf(all: &Parsed) -> Option<&str> {
    all.events.first().map(|e| &*e.hf)
}

fn row_problem(e: &RowError) -> WebError {
    WebError::invalid(e.rule.field(), e.rule.to_string())
}

/// Runs a checked write again (up to three times in all) when another write came between its
/// check and its write (the store's version conflict); every other answer is returned as is.
async fn retrying<T, F, Fut>(mut attempt: F) -> Result<T, WebError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, WebError>>,
{
    let mut tries = 0;
    loop {
        tries += 1;
        match attempt().await {
            Err(e)
                if tries < 3
                    && e.status == StatusCode::CONFLICT
                    && e.detail == PATHWAYS_CHANGED =>
            {
                tracing::debug!("pathway write raced another; checking again");
            }
            other => return other,
        }
    }
}

/// Registers one event after checking it against its pathway's registered events.
async fn register(
    state: &AppState,
    access: &OrgAccess<WritePathways>,
    fields: EventFields,
) -> Result<String, WebError> {
    let org = access.user.principal.org;
    let event = fields.parse(0).map_err(|e| row_problem(&e))?;
    retrying(|| async {
        // The version first, then the events checked: the write expects that version.
        let all = load(state, Some(org)).await?;
        check_place(&fields, org_hf(&all))
            .map_err(|(field, rule)| WebError::invalid(field, rule))?;
        let existing = load_pathway(state, org, &fields.pathway_id).await?;
        check_new(&existing.events, &event, state.clock.today())
            .map_err(|rule| WebError::invalid(rule.field(), rule.to_string()))?;
        let entry = access.access(state, "", format!("pathway:{}", fields.pathway_id));
        state
            .store
            .append_pathway_events_expecting(
                org,
                access.user.principal.user,
                None,
                std::slice::from_ref(&fields),
                state.clock.now(),
                Some(&entry),
                Some(all.stamp),
            )
            .await?;
        Ok(())
    })
    .await?;
    Ok(fields.pathway_id)
}

/// Withdraws (or replaces) one registered event, checking that the corrected pathway still
/// keeps the rules.
async fn correct(
    state: &AppState,
    access: &OrgAccess<WritePathways>,
    id: i64,
    replacement: Option<EventFields>,
    reason: &str,
) -> Result<String, WebError> {
    let reason = reason.trim();
    if reason.chars().count() < 3 {
        return Err(WebError::invalid(
            "reason",
            "a correction needs a reason (at least 3 characters)",
        ));
    }
    retrying(|| correct_once(state, access, id, replacement.as_ref(), reason)).await
}

async fn correct_once(
    state: &AppState,
    access: &OrgAccess<WritePathways>,
    id: i64,
    replacement: Option<&EventFields>,
    reason: &str,
) -> Result<String, WebError> {
    let org = access.user.principal.org;
    let all = load(state, Some(org)).await?;
    let Some(pos) = all.ids.iter().position(|r| *r == id) else {
        return Err(WebError::not_found());
    };
    let pathway_id = all.events[pos].pathway_id.to_string();
    let mut corrected: Vec<Event> = all
        .ids
        .iter()
        .zip(&all.events)
        .filter(|(r, e)| *e.pathway_id == *pathway_id && **r != id)
        .map(|(_, e)| e.clone())
        .collect();
    if let Some(rep) = replacement {
        if rep.pathway_id.trim_ascii() != pathway_id {
            return Err(WebError::invalid(
                "replacement.pathway_id",
                "a correction may not move an event to another pathway",
            ));
        }
        check_place(rep, org_hf(&all))
            .map_err(|(field, rule)| WebError::invalid(&format!("replacement.{field}"), rule))?;
        corrected.push(
            rep.parse(0)
                .map_err(|e| WebError::invalid("replacement", e.rule.to_string()))?,
        );
    }
    let (_, errors) = validate(corrected, state.clock.today());
    if let Some(e) = errors.first() {
        return Err(WebError::invalid(
            "replacement",
            format!("the corrected pathway breaks a rule: {}", e.rule),
        ));
    }
    let entry = access.access(state, "", format!("pathway:{pathway_id}"));
    state
        .store
        .correct_pathway_event_expecting(
            org,
            access.user.principal.user,
            id,
            replacement,
            reason,
            state.clock.now(),
            Some(&entry),
            Some(all.stamp),
        )
        .await?;
    Ok(pathway_id)
}

/// One refused row of an import.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ImportError {
    pub line: u64,
    pub pathway_id: Option<String>,
    pub rule: String,
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

fn batch_reused() -> WebError {
    let mut e = WebError::conflict(
        "batch_id: this organisation imported another file under this batch id; give the file a new batch id",
    );
    e.errors.push(crate::error::FieldProblem {
        field: "batch_id".into(),
        rule: "already used for another file".into(),
    });
    e
}

/// A CSV upload, read as it arrived: its rows parsed, and the SHA-256 of its bytes.
struct Upload {
    parsed: Result<varde_core::pathways::parse::Parsed, varde_core::pathways::FileError>,
    digest: String,
}

/// The parser's side of a streamed upload: the chunks as one `Read`, hashed as they are read.
struct ChunkReader {
    rx: tokio::sync::mpsc::Receiver<Bytes>,
    current: Bytes,
    hasher: Sha256,
}

impl std::io::Read for ChunkReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.current.is_empty() {
            match self.rx.blocking_recv() {
                Some(chunk) => self.current = chunk,
                None => return Ok(0),
            }
        }
        let n = buf.len().min(self.current.len());
        let chunk = self.current.split_to(n);
        buf[..n].copy_from_slice(&chunk);
        self.hasher.update(&chunk);
        Ok(n)
    }
}

/// A CSV upload being read chunk by chunk ([`UploadReader::push`], then
/// [`UploadReader::finish`]): a blocking task parses the chunks as they arrive and hashes them,
/// so the file is never held whole, only its parsed rows. More than [`IMPORT_LIMIT`] bytes is a
/// 413.
struct UploadReader {
    tx: tokio::sync::mpsc::Sender<Bytes>,
    parser: tokio::task::JoinHandle<Upload>,
    total: usize,
}

impl UploadReader {
    fn start() -> UploadReader {
        let (tx, rx) = tokio::sync::mpsc::channel::<Bytes>(16);
        let parser = tokio::task::spawn_blocking(move || {
            let mut reader = ChunkReader {
                rx,
                current: Bytes::new(),
                hasher: Sha256::new(),
            };
            let parsed = read_events(&mut reader);
            // The digest is of the whole upload, also when the parser stopped early.
            let _ = std::io::copy(&mut reader, &mut std::io::sink());
            Upload {
                parsed,
                digest: format!("sha256:{}", hex::encode(reader.hasher.finalize())),
            }
        });
        UploadReader {
            tx,
            parser,
            total: 0,
        }
    }

    async fn push(&mut self, chunk: Bytes) -> Result<(), WebError> {
        self.total += chunk.len();
        if self.total > IMPORT_LIMIT {
            return Err(too_large());
        }
        // The parser only stops reading at the end, so a send fails only if it has died;
        // `finish` then reports it.
        let _ = self.tx.send(chunk).await;
        Ok(())
    }

    async fn finish(self) -> Result<Upload, WebError> {
        drop(self.tx);
        self.parser
            .await
            .map_err(|_| WebError::internal("the upload could not be parsed"))
    }
}

fn too_large() -> WebError {
    let mut e = WebError::bad_request(format!(
        "file: at most {} MB per import",
        IMPORT_LIMIT / (1024 * 1024)
    ));
    e.status = StatusCode::PAYLOAD_TOO_LARGE;
    e
}

/// Imports a CSV in one transaction. With errors: nothing is written unless `valid_only`, in
/// which case the pathways without errors are written whole and the rest are reported.
async fn import(
    state: &AppState,
    access: &OrgAccess<WritePathways>,
    upload: &Upload,
    batch_id: Option<String>,
    valid_only: bool,
) -> Result<(StatusCode, ImportResult), WebError> {
    let org = access.user.principal.org;
    let Upload { parsed, digest } = upload;
    let digest = digest.clone();
    let batch_id = match batch_id
        .map(|b| b.trim().to_owned())
        .filter(|b| !b.is_empty())
    {
        Some(b) if b.chars().count() > 100 => {
            return Err(WebError::invalid("batch_id", "at most 100 characters"))
        }
        Some(b) => b,
        // Without a batch id the content is the id: the same file twice is imported once.
        None => digest.clone(),
    };
    // A batch imported before is answered first: the same file twice is not an error; the
    // same id with another file is.
    if let Some(then) = state.store.pathway_batch(org, &batch_id).await? {
        if then.digest.as_deref().is_some_and(|d| d != digest) {
            return Err(batch_reused());
        }
        let result = ImportResult {
            batch_id,
            imported: 0,
            already_imported: true,
            errors: Vec::new(),
            held_back: 0,
        };
        return Ok((StatusCode::OK, result));
    }
    let parsed = parsed
        .as_ref()
        .map_err(|e| WebError::invalid("file", e.to_string()))?;
    let mut errors: Vec<ImportError> = parsed
        .errors
        .iter()
        .map(|e| ImportError {
            line: e.line,
            pathway_id: e.pathway_id.clone(),
            rule: e.rule.to_string(),
        })
        .collect();
    let existing = load(state, Some(org)).await?;
    // Where the rows belong: one health trust for the organisation (its first event's, or
    // else the file's first row's).
    let hf = org_hf(&existing).map(str::to_owned).or_else(|| {
        let refdata = varde_core::refdata::get();
        parsed
            .events
            .iter()
            .find(|e| {
                refdata
                    .helseforetak()
                    .iter()
                    .any(|h| h.level != "RHF" && h.name == *e.hf)
            })
            .map(|e| e.hf.to_string())
    });
    let misplaced: BTreeSet<u64> = parsed
        .events
        .iter()
        .filter_map(|e| {
            let (field, rule) = check_place(&EventFields::of(e), hf.as_deref()).err()?;
            errors.push(ImportError {
                line: e.line,
                pathway_id: Some(e.pathway_id.to_string()),
                rule: format!("{field}: {rule}"),
            });
            Some(e.line)
        })
        .collect();
    let placed: Vec<Event> = parsed
        .events
        .iter()
        .filter(|e| !misplaced.contains(&e.line))
        .cloned()
        .collect();
    // Check the new rows together with the registered events of the pathways they touch.
    let touched: BTreeSet<&str> = placed.iter().map(|e| &*e.pathway_id).collect();
    let mut together: Vec<Event> = existing
        .events
        .iter()
        .filter(|e| touched.contains(&*e.pathway_id))
        .map(|e| {
            let mut e = e.clone();
            e.line = 0;
            e
        })
        .collect();
    together.extend(placed);
    let (valid, order_errors) = validate(together, state.clock.today());
    for e in &order_errors {
        errors.push(ImportError {
            line: e.line,
            pathway_id: e.pathway_id.clone(),
            rule: if e.line == 0 {
                format!(
                    "a registered event of this pathway would break a rule: {}",
                    e.rule
                )
            } else {
                e.rule.to_string()
            },
        });
    }
    errors.sort_by_key(|e| e.line);
    let failing: BTreeSet<String> = errors.iter().filter_map(|e| e.pathway_id.clone()).collect();
    let fresh: Vec<&Event> = valid.iter().filter(|e| e.line != 0).collect();
    if !errors.is_empty() && !valid_only {
        let result = ImportResult {
            batch_id,
            imported: 0,
            already_imported: false,
            errors,
            held_back: fresh.len(),
        };
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, result));
    }
    let writable: Vec<EventFields> = fresh
        .iter()
        .filter(|e| !failing.contains(&*e.pathway_id))
        .map(|e| EventFields::of(e))
        .collect();
    let held_back = fresh.len() - writable.len();
    if writable.is_empty() {
        // Nothing to write (every row refused, or none in the file): the batch id stays free
        // for the real file.
        let status = if errors.is_empty() {
            StatusCode::OK
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        };
        let result = ImportResult {
            batch_id,
            imported: 0,
            already_imported: false,
            errors,
            held_back,
        };
        return Ok((status, result));
    }
    let entry = access.access(state, "", format!("pathway-import:{batch_id}"));
    let outcome = state
        .store
        .append_pathway_events_expecting(
            org,
            access.user.principal.user,
            Some(Batch {
                id: &batch_id,
                digest: &digest,
            }),
            &writable,
            state.clock.now(),
            Some(&entry),
            Some(existing.stamp),
        )
        .await?;
    let (imported, already) = match outcome {
        ImportOutcome::Imported { events } => (events, false),
        ImportOutcome::AlreadyImported {
            same_content: false,
            ..
        } => return Err(batch_reused()),
        ImportOutcome::AlreadyImported { .. } => (0, true),
    };
    let status = if already {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok((
        status,
        ImportResult {
            batch_id,
            imported,
            already_imported: already,
            errors,
            held_back,
        },
    ))
}

/// Counts per status.
#[derive(Debug, Clone, Copy, Default, Serialize, utoipa::ToSchema)]
pub struct Counts {
    pub overdue: usize,
    pub due_soon: usize,
    pub on_time: usize,
    /// Pathways on the waiting list whose legal deadline has passed (fristbrudd).
    pub fristbrudd: usize,
}

/// The worklist of the organisation.
#[derive(Debug, Clone, Serialize)]
pub struct Worklist {
    pub as_of: Date,
    /// The unit shown, when the list was narrowed to one.
    pub unit: Option<String>,
    /// Every unit with something on the organisation's list (to narrow it by).
    pub units: Vec<String>,
    pub counts: Counts,
    pub items: Vec<WorkItem>,
    pub unassessed: Vec<varde_core::pathways::worklist::Unassessed>,
    pub waiting: Vec<varde_core::pathways::worklist::Waiting>,
}

async fn org_worklist(
    state: &AppState,
    access: &OrgAccess<ReadPathways>,
    as_of: Date,
    unit: Option<&str>,
) -> Result<Worklist, WebError> {
    let loaded = load(state, Some(access.user.principal.org)).await?;
    let entry = access.access(
        state,
        "",
        format!("pathway-worklist:org:{}", access.user.principal.org.0),
    );
    state.store.log_access(&entry).await?;
    let mut items = worklist(&loaded.events, as_of);
    let mut unassessed = varde_core::pathways::worklist::unassessed(&loaded.events, as_of);
    let mut waiting = varde_core::pathways::worklist::waiting_list(&loaded.events, as_of);
    let units: BTreeSet<String> = items
        .iter()
        .map(|i| i.unit.clone())
        .chain(unassessed.iter().map(|u| u.unit.clone()))
        .chain(waiting.iter().map(|w| w.unit.clone()))
        .collect();
    let unit = unit.map(str::trim).filter(|u| !u.is_empty());
    if let Some(u) = unit {
        items.retain(|i| i.unit == u);
        unassessed.retain(|i| i.unit == u);
        waiting.retain(|i| i.unit == u);
    }
    let (overdue, due_soon, on_time) = varde_core::pathways::worklist::status_counts(&items);
    Ok(Worklist {
        as_of,
        unit: unit.map(str::to_owned),
        units: units.into_iter().collect(),
        counts: Counts {
            overdue,
            due_soon,
            on_time,
            fristbrudd: waiting.iter().filter(|w| w.fristbrudd).count(),
        },
        items,
        unassessed,
        waiting,
    })
}

/// The indicator report a user may see: analysts everything; clinicians their own units and
/// the health trusts, regions and nation those units belong to (all with cells under 5
/// suppressed).
async fn visible_report(
    state: &AppState,
    access: &OrgAccess<SeePathwayIndicators>,
    from: Date,
    to: Date,
) -> Result<(Report, Vec<String>, std::sync::Arc<Parsed>), WebError> {
    if from > to {
        return Err(WebError::invalid("from", "the period starts after it ends"));
    }
    let all = load(state, None).await?;
    let full = report(&all.events, from, to);
    let own: Vec<&Event> = all
        .orgs
        .iter()
        .zip(&all.events)
        .filter(|(o, _)| **o == access.user.principal.org)
        .map(|(_, e)| e)
        .collect();
    let mut own_units: BTreeSet<String> = BTreeSet::new();
    let mut keys: BTreeSet<(Level, String)> = BTreeSet::new();
    keys.insert((
        Level::Nation,
        varde_core::pathways::indicators::NATION_KEY.to_owned(),
    ));
    for e in &own {
        own_units.insert(e.unit.to_string());
        keys.insert((Level::Unit, e.unit.to_string()));
        keys.insert((Level::Hf, e.hf.to_string()));
        keys.insert((Level::Rhf, e.rhf.to_string()));
    }
    let units: Vec<String> = own_units.into_iter().collect();
    if access.user.principal.role == varde_core::org::Role::Analyst {
        return Ok((full, units, all));
    }
    let keep = |level: Level, key: &str| keys.contains(&(level, key.to_owned()));
    Ok((
        Report {
            from: full.from,
            to: full.to,
            indicators: full
                .indicators
                .into_iter()
                .filter(|r| keep(r.level, &r.key))
                .collect(),
            waiting_time: full
                .waiting_time
                .into_iter()
                .filter(|r| keep(r.level, &r.key))
                .collect(),
        },
        units,
        all,
    ))
}

fn period(
    state: &AppState,
    from: Option<&str>,
    to: Option<&str>,
) -> Result<(Date, Date), WebError> {
    let today = state.clock.today();
    let parse = |field: &'static str, v: Option<&str>, default: Date| match v
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => Ok(default),
        Some(s) => parse_date(s).ok_or_else(|| WebError::invalid(field, "a date as YYYY-MM-DD")),
    };
    let year_start = Date::new(today.year(), 1, 1).unwrap_or(today);
    Ok((parse("from", from, year_start)?, parse("to", to, today)?))
}

// ------------------------------------------------------------------ API

/// Registers one pathway event (the CSV columns as JSON).
#[utoipa::path(post, path = "/api/v1/pathways/events", request_body = inline(Object),
    responses((status = 201, description = "registered"), (status = 422, body = crate::error::Problem), (status = 403, body = crate::error::Problem)))]
async fn api_register(
    State(state): State<AppState>,
    access: OrgAccess<WritePathways>,
    crate::api::ApiJson(fields): crate::api::ApiJson<EventFields>,
) -> Result<Response, WebError> {
    let pathway_id = register(&state, &access, fields).await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(serde_json::json!({ "pathway_id": pathway_id })),
    )
        .into_response())
}

#[derive(Deserialize)]
struct CorrectionRequest {
    #[serde(default)]
    replacement: Option<EventFields>,
    #[serde(default)]
    reason: String,
}

/// Corrects one registered event: withdraws it, or replaces it (`replacement`), with a reason.
#[utoipa::path(post, path = "/api/v1/pathways/events/{id}/corrections", request_body = inline(Object),
    responses((status = 200, description = "corrected"), (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn api_correct(
    State(state): State<AppState>,
    access: OrgAccess<WritePathways>,
    Path(id): Path<i64>,
    crate::api::ApiJson(req): crate::api::ApiJson<CorrectionRequest>,
) -> Result<Response, WebError> {
    let pathway_id = correct(&state, &access, id, req.replacement, &req.reason).await?;
    Ok(axum::Json(serde_json::json!({ "pathway_id": pathway_id })).into_response())
}

#[derive(Deserialize)]
struct WorklistQuery {
    as_of: Option<String>,
    unit: Option<String>,
}

/// The organisation's worklist: every open pathway's next measurement point, most urgent
/// first, with counts per status; referrals awaiting assessment; the waiting list; narrowed to
/// one unit with `unit`.
#[utoipa::path(get, path = "/api/v1/pathways/worklist", params(("as_of" = Option<String>, Query, description = "YYYY-MM-DD, default today"), ("unit" = Option<String>, Query, description = "only this unit")),
    responses((status = 200, description = "the worklist"), (status = 403, body = crate::error::Problem)))]
async fn api_worklist(
    State(state): State<AppState>,
    access: OrgAccess<ReadPathways>,
    Query(q): Query<WorklistQuery>,
) -> Result<Response, WebError> {
    let as_of = crate::treatment::as_of(&state, q.as_of.as_deref())?;
    Ok(axum::Json(org_worklist(&state, &access, as_of, q.unit.as_deref()).await?).into_response())
}

#[derive(Deserialize)]
struct PeriodQuery {
    from: Option<String>,
    to: Option<String>,
    unit: Option<String>,
}

/// Quality indicators for a period (the same JSON as `varde pathways report`).
#[utoipa::path(get, path = "/api/v1/pathways/indicators", params(("from" = Option<String>, Query, description = "YYYY-MM-DD"), ("to" = Option<String>, Query, description = "YYYY-MM-DD")),
    responses((status = 200, description = "the report"), (status = 403, body = crate::error::Problem)))]
async fn api_indicators(
    State(state): State<AppState>,
    access: OrgAccess<SeePathwayIndicators>,
    Query(q): Query<PeriodQuery>,
) -> Result<Response, WebError> {
    let (from, to) = period(&state, q.from.as_deref(), q.to.as_deref())?;
    let (r, _, _) = visible_report(&state, &access, from, to).await?;
    Ok((
        [(header::CONTENT_TYPE, "application/json")],
        varde_core::pathways::commands::report_json(&r),
    )
        .into_response())
}

#[derive(Debug, Clone, Serialize)]
struct StoredDoc {
    id: i64,
    #[serde(flatten)]
    fields: EventFields,
    recorded_at: String,
}

/// The registered (effective) events of one pathway.
#[utoipa::path(get, path = "/api/v1/pathways/p/{pathway_id}",
    responses((status = 200, description = "the events"), (status = 404, body = crate::error::Problem)))]
async fn api_pathway(
    State(state): State<AppState>,
    access: OrgAccess<ReadPathways>,
    Path(pathway_id): Path<String>,
) -> Result<Response, WebError> {
    let loaded = load_pathway(&state, access.user.principal.org, &pathway_id).await?;
    if loaded.rows.is_empty() {
        return Err(WebError::not_found());
    }
    state
        .store
        .log_access(&access.access(&state, "", format!("pathway:{pathway_id}")))
        .await?;
    let docs: Vec<StoredDoc> = loaded
        .rows
        .into_iter()
        .map(|r| StoredDoc {
            id: r.id,
            fields: r.fields,
            recorded_at: r.recorded_at,
        })
        .collect();
    Ok(axum::Json(docs).into_response())
}

#[derive(Deserialize)]
struct ImportQuery {
    batch_id: Option<String>,
    #[serde(default)]
    valid_only: bool,
}

/// Imports pathway events from CSV (the body, `text/csv`), idempotent by `batch_id`.
#[utoipa::path(post, path = "/api/v1/pathways/import", request_body(content = String, content_type = "text/csv"),
    params(("batch_id" = Option<String>, Query, description = "idempotency key; default: the SHA-256 of the body"), ("valid_only" = Option<bool>, Query, description = "write the pathways without errors")),
    responses((status = 201, body = ImportResult), (status = 200, body = ImportResult, description = "already imported"), (status = 422, body = ImportResult, description = "refused rows; nothing written")))]
async fn api_import(
    State(state): State<AppState>,
    access: OrgAccess<WritePathways>,
    Query(q): Query<ImportQuery>,
    body: axum::body::Body,
) -> Result<Response, WebError> {
    use http_body_util::BodyExt as _;
    let _turn = state
        .imports
        .acquire()
        .await
        .map_err(|_| WebError::internal("imports are closed"))?;
    let mut body = body;
    let mut reader = UploadReader::start();
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|_| WebError::bad_request("the body could not be read"))?;
        if let Ok(data) = frame.into_data() {
            reader.push(data).await?;
        }
    }
    let upload = reader.finish().await?;
    let (status, result) =
        retrying(|| import(&state, &access, &upload, q.batch_id.clone(), q.valid_only)).await?;
    Ok((status, axum::Json(result)).into_response())
}

/// Exports the organisation's effective events in the import format.
#[utoipa::path(get, path = "/api/v1/pathways/export", responses((status = 200, content_type = "text/csv", description = "events")))]
async fn export_csv(
    State(state): State<AppState>,
    access: Result<OrgAccess<ReadPathways>, WebError>,
    uri: axum::extract::OriginalUri,
) -> Result<Response, WebError> {
    let html = !crate::auth::is_api_path(uri.0.path());
    let access = access.map_err(|e| if html { e.html() } else { e })?;
    let loaded = load(&state, Some(access.user.principal.org)).await?;
    state
        .store
        .log_access(&access.access(
            &state,
            "",
            format!("pathway-export:org:{}", access.user.principal.org.0),
        ))
        .await?;
    let fields: Vec<EventFields> = loaded.events.iter().map(EventFields::of).collect();
    let mut out = Vec::new();
    varde_core::pathways::write_events_csv(&mut out, &fields)
        .map_err(|_| WebError::internal("export"))?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"pathway-events.csv\"",
            ),
        ],
        out,
    )
        .into_response())
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        api_register,
        api_correct,
        api_worklist,
        api_indicators,
        api_pathway,
        api_pathway_corrections,
        api_import,
        export_csv
    ),
    components(schemas(ImportResult, ImportError, Counts))
)]
pub struct PathwaysApiDoc;

// ------------------------------------------------------------------ HTML

/// A worklist row as shown.
struct ItemView {
    pathway_id: String,
    unit: String,
    care_level: &'static str,
    next: &'static str,
    due: String,
    status: &'static str,
    status_class: &'static str,
}

#[derive(Template)]
#[template(path = "pathways_worklist.html")]
struct WorklistT {
    c: Chrome,
    as_of: String,
    unit: String,
    units: Vec<String>,
    counts: Counts,
    items: Vec<ItemView>,
    unassessed: Vec<varde_core::pathways::worklist::Unassessed>,
    waiting: Vec<varde_core::pathways::worklist::Waiting>,
}

fn status_text(
    l: crate::i18n::Lang,
    s: varde_core::pathways::Status,
) -> (&'static str, &'static str) {
    use varde_core::pathways::Status;
    match s {
        Status::Overdue => (l.t("overdue"), "overdue"),
        Status::DueSoon => (l.t("due_soon"), "due-soon"),
        Status::OnTime => (l.t("on_time"), "on-time"),
    }
}

fn event_text(l: crate::i18n::Lang, k: EventKind) -> &'static str {
    l.t(k.as_str())
}

async fn worklist_page(
    State(state): State<AppState>,
    page: Page,
    access: Result<OrgAccess<ReadPathways>, WebError>,
    Query(q): Query<WorklistQuery>,
) -> Result<Response, WebError> {
    let access = match access {
        Ok(a) => a,
        // Analysts have the indicators, not the worklist.
        Err(_) if page.user.principal.role == varde_core::org::Role::Analyst => {
            return Ok(Redirect::to("/pathways/indicators").into_response())
        }
        // Other roles: say who uses the area, in the page frame.
        Err(e) if e.status == StatusCode::FORBIDDEN => {
            let mut res = render(&NoAccessT { c: page.c })?;
            *res.status_mut() = StatusCode::FORBIDDEN;
            return Ok(res);
        }
        Err(e) => return Err(e.html()),
    };
    let as_of = state.clock.today();
    let w = (org_worklist(&state, &access, as_of, q.unit.as_deref()).await).html()?;
    let l = page.c.l;
    let items = w
        .items
        .iter()
        .map(|i| {
            let (status, status_class) = status_text(l, i.status);
            ItemView {
                pathway_id: i.pathway_id.clone(),
                unit: i.unit.clone(),
                care_level: l.t(i.care_level.as_str()),
                next: event_text(l, i.next),
                due: i.due.to_string(),
                status,
                status_class,
            }
        })
        .collect();
    render(&WorklistT {
        c: page.c,
        as_of: as_of.to_string(),
        unit: w.unit.clone().unwrap_or_default(),
        units: w.units.clone(),
        counts: w.counts,
        items,
        unassessed: w.unassessed,
        waiting: w.waiting,
    })
}

#[derive(Template)]
#[template(path = "pathways_no_access.html")]
struct NoAccessT {
    c: Chrome,
}

#[derive(Template)]
#[template(path = "pathways_new.html")]
struct NewT {
    c: Chrome,
    hfs: Vec<String>,
    form: NewForm,
    error: Option<String>,
}

#[derive(Deserialize, Default)]
struct NewForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    pathway_id: String,
    #[serde(default)]
    hf: String,
    #[serde(default)]
    kommune: String,
    #[serde(default)]
    care_level: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    pregnant: Option<String>,
}

fn tsb_hfs() -> Vec<String> {
    varde_core::refdata::get()
        .helseforetak()
        .iter()
        .filter(|h| h.level != "RHF" && h.runs_tsb)
        .map(|h| h.name.clone())
        .collect()
}

fn rhf_of(hf: &str) -> Option<String> {
    varde_core::refdata::get()
        .helseforetak()
        .iter()
        .find(|h| h.name == hf)
        .map(|h| h.rhf.clone())
}

async fn new_page(
    page: Page,
    access: Result<OrgAccess<WritePathways>, WebError>,
    State(state): State<AppState>,
) -> Result<Response, WebError> {
    access.map_err(WebError::html)?;
    let form = NewForm {
        date: state.clock.today().to_string(),
        care_level: "outpatient".into(),
        ..NewForm::default()
    };
    render(&NewT {
        c: page.c,
        hfs: tsb_hfs(),
        form,
        error: None,
    })
}

async fn new_submit(
    State(state): State<AppState>,
    page: Page,
    access: Result<OrgAccess<WritePathways>, WebError>,
    Form(f): Form<NewForm>,
) -> Result<Response, WebError> {
    let access = access.map_err(WebError::html)?;
    (access.user.check_csrf(&f.csrf)).html()?;
    // The page's frame has read the organisation already: its name is the unit.
    let unit = match &page.c.user {
        Some(u) => u.org_name.clone(),
        None => org_label(&state, access.user.principal.org).await,
    };
    let result = async {
        let rhf = rhf_of(&f.hf)
            .ok_or_else(|| WebError::invalid("hf", "choose a health trust from the list"))?;
        if !f.kommune.trim().is_empty() {
            varde_core::ids::Kommunenummer::parse(f.kommune.trim())
                .map_err(|e| WebError::invalid("kommune", e.to_string()))?;
        }
        let fields = EventFields {
            pathway_id: f.pathway_id.trim().to_owned(),
            unit,
            hf: f.hf.clone(),
            rhf,
            kommune: f.kommune.trim().to_owned(),
            care_level: f.care_level.clone(),
            event: "referral_received".into(),
            date: f.date.trim().to_owned(),
            pathway_variant: if f.pregnant.is_some() {
                "pregnant".into()
            } else {
                String::new()
            },
            ..EventFields::default()
        };
        if fields.pathway_id.is_empty() || fields.pathway_id.chars().count() > MAX_PATHWAY_ID {
            return Err(WebError::invalid(
                "pathway_id",
                format!("1–{MAX_PATHWAY_ID} characters"),
            ));
        }
        register(&state, &access, fields).await
    }
    .await;
    match result {
        Ok(pid) => Ok(Redirect::to(&format!("/pathways/p/{}", urlencode(&pid))).into_response()),
        Err(e) if e.status.is_client_error() => {
            let mut res = render(&NewT {
                c: page.c,
                hfs: tsb_hfs(),
                error: Some(e.detail.clone()),
                form: NewForm {
                    csrf: String::new(),
                    ..f
                },
            })?;
            *res.status_mut() = e.status;
            Ok(res)
        }
        Err(e) => Err(e.html()),
    }
}

/// Percent-encodes a path segment.
fn urlencode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

struct EventView {
    id: i64,
    event: &'static str,
    date: String,
    care_level: &'static str,
    code: String,
    outcome: String,
    deadline: String,
}

#[derive(Template)]
#[template(path = "pathway.html")]
struct PathwayT {
    c: Chrome,
    pathway_id: String,
    pathway_path: String,
    unit: String,
    hf: String,
    kommune: String,
    next: Option<(String, String, &'static str, &'static str)>,
    events: Vec<EventView>,
    kinds: Vec<(&'static str, &'static str)>,
    decisions: Vec<(&'static str, &'static str)>,
    today: String,
    error: Option<String>,
    corrections: Vec<CorrectionView>,
}

/// A correction on the pathway page.
struct CorrectionView {
    withdrawn: String,
    reason: String,
    by: String,
    at: String,
    replaced_by: String,
}

async fn pathway_view(
    state: &AppState,
    page: Page,
    access: &OrgAccess<ReadPathways>,
    pathway_id: String,
    error: Option<String>,
) -> Result<Response, WebError> {
    let loaded = (load_pathway(state, access.user.principal.org, &pathway_id).await).html()?;
    if loaded.rows.is_empty() {
        return Err(WebError::not_found().html());
    }
    (state
        .store
        .log_access(&access.access(state, "", format!("pathway:{pathway_id}")))
        .await
        .map_err(WebError::from))
    .html()?;
    let l = page.c.l;
    let today = state.clock.today();
    let next = worklist(&loaded.events, today).into_iter().next().map(|i| {
        let (status, class) = status_text(l, i.status);
        (
            event_text(l, i.next).to_owned(),
            i.due.to_string(),
            status,
            class,
        )
    });
    let first = &loaded.rows[0].fields;
    let events = loaded
        .rows
        .iter()
        .zip(&loaded.events)
        .map(|(r, e)| EventView {
            id: r.id,
            event: event_text(l, e.kind),
            date: e.date.to_string(),
            care_level: l.t(e.care_level.as_str()),
            code: r.fields.code.clone(),
            outcome: r.fields.outcome.clone(),
            deadline: r.fields.deadline.clone(),
        })
        .collect();
    let kinds = EventKind::ALL
        .iter()
        .skip(1)
        .map(|k| (k.as_str(), event_text(l, *k)))
        .collect();
    let decisions = DecisionCode::ALL
        .iter()
        .map(|d| (d.as_str(), d.text_nb()))
        .collect();
    let describe = |f: &EventFields| {
        let event = EventKind::ALL
            .iter()
            .find(|k| k.as_str() == f.event)
            .map_or(f.event.as_str(), |k| event_text(l, *k));
        format!("{} {event}", f.date)
    };
    let corrections = (corrections_of(state, access.user.principal.org, &pathway_id).await)
        .html()?
        .into_iter()
        .map(|c| CorrectionView {
            withdrawn: describe(&c.withdrawn.fields),
            reason: c.reason,
            by: c.by.unwrap_or_default(),
            at: c
                .recorded_at
                .map(|t| t.chars().take(16).collect::<String>().replace('T', " "))
                .unwrap_or_default(),
            replaced_by: c
                .replacement_id
                .and_then(|id| loaded.rows.iter().find(|r| r.id == id))
                .map_or_else(|| l.t("withdrawn_only").to_owned(), |r| describe(&r.fields)),
        })
        .collect();
    let mut res = render(&PathwayT {
        corrections,
        unit: first.unit.clone(),
        hf: first.hf.clone(),
        kommune: first.kommune.clone(),
        pathway_path: urlencode(&pathway_id),
        pathway_id,
        c: page.c,
        next,
        events,
        kinds,
        decisions,
        today: today.to_string(),
        error: error.clone(),
    })?;
    if error.is_some() {
        *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(res)
}

async fn pathway_page(
    State(state): State<AppState>,
    page: Page,
    access: Result<OrgAccess<ReadPathways>, WebError>,
    Path(pathway_id): Path<String>,
) -> Result<Response, WebError> {
    let access = access.map_err(WebError::html)?;
    pathway_view(&state, page, &access, pathway_id, None).await
}

/// A correction of a pathway as the API and the page show it.
#[derive(Debug, Clone, Serialize)]
struct CorrectionDoc {
    /// The event withdrawn.
    withdrawn: StoredDoc,
    /// Why; empty for a correction recorded before reasons were linked to their rows.
    reason: String,
    /// The user who corrected it (username), when known.
    by: Option<String>,
    /// When the correction was recorded.
    recorded_at: Option<String>,
    /// The row that replaced the withdrawn one, if any.
    replacement_id: Option<i64>,
}

/// The corrections of one pathway, oldest first, with who made them. Usernames are read once
/// per user.
async fn corrections_of(
    state: &AppState,
    org: OrgId,
    pathway_id: &str,
) -> Result<Vec<CorrectionDoc>, WebError> {
    let mut names: HashMap<i64, Option<String>> = HashMap::new();
    let mut out = Vec::new();
    for c in state.store.pathway_corrections_of(org, pathway_id).await? {
        let by = match c.correction.as_ref().and_then(|c| c.actor_id) {
            None => None,
            Some(id) => match names.get(&id) {
                Some(name) => name.clone(),
                None => {
                    let name = state
                        .store
                        .user(varde_core::org::UserId(id))
                        .await
                        .ok()
                        .map(|u| u.username);
                    names.insert(id, name.clone());
                    name
                }
            },
        };
        out.push(CorrectionDoc {
            withdrawn: StoredDoc {
                id: c.withdrawn.id,
                fields: c.withdrawn.fields,
                recorded_at: c.withdrawn.recorded_at,
            },
            reason: c
                .correction
                .as_ref()
                .map(|c| c.reason.clone())
                .unwrap_or_default(),
            by,
            recorded_at: c.correction.as_ref().map(|c| c.recorded_at.clone()),
            replacement_id: c.correction.and_then(|c| c.replacement_id),
        });
    }
    Ok(out)
}

/// The corrections of one pathway: each withdrawn event with the reason, who withdrew it,
/// when, and the event that replaced it (if any).
#[utoipa::path(get, path = "/api/v1/pathways/p/{pathway_id}/corrections",
    responses((status = 200, description = "the corrections, oldest first")))]
async fn api_pathway_corrections(
    State(state): State<AppState>,
    access: OrgAccess<ReadPathways>,
    Path(pathway_id): Path<String>,
) -> Result<Response, WebError> {
    let org = access.user.principal.org;
    let docs = corrections_of(&state, org, &pathway_id).await?;
    state
        .store
        .log_access(&access.access(&state, "", format!("pathway:{pathway_id}")))
        .await?;
    Ok(axum::Json(docs).into_response())
}

#[derive(Deserialize)]
struct EventForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    event: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    care_level: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    outcome: String,
    #[serde(default)]
    deadline: String,
}

async fn event_submit(
    State(state): State<AppState>,
    page: Page,
    read: Result<OrgAccess<ReadPathways>, WebError>,
    write: Result<OrgAccess<WritePathways>, WebError>,
    Path(pathway_id): Path<String>,
    Form(f): Form<EventForm>,
) -> Result<Response, WebError> {
    let (read, write) = (
        read.map_err(WebError::html)?,
        write.map_err(WebError::html)?,
    );
    (write.user.check_csrf(&f.csrf)).html()?;
    let existing = (load_pathway(&state, write.user.principal.org, &pathway_id).await).html()?;
    let Some(latest) = existing.rows.last() else {
        return Err(WebError::not_found().html());
    };
    let fields = EventFields {
        pathway_id: pathway_id.clone(),
        unit: latest.fields.unit.clone(),
        hf: latest.fields.hf.clone(),
        rhf: latest.fields.rhf.clone(),
        kommune: latest.fields.kommune.clone(),
        care_level: if f.care_level.is_empty() {
            latest.fields.care_level.clone()
        } else {
            f.care_level.clone()
        },
        event: f.event.trim().to_owned(),
        date: f.date.trim().to_owned(),
        code: f.code.trim().to_owned(),
        outcome: f.outcome.trim().to_owned(),
        deadline: f.deadline.trim().to_owned(),
        pathway_variant: latest.fields.pathway_variant.clone(),
    };
    match register(&state, &write, fields).await {
        Ok(_) => {
            Ok(Redirect::to(&format!("/pathways/p/{}", urlencode(&pathway_id))).into_response())
        }
        Err(e) if e.status.is_client_error() => {
            pathway_view(&state, page, &read, pathway_id, Some(e.detail)).await
        }
        Err(e) => Err(e.html()),
    }
}

#[derive(Deserialize)]
struct WithdrawForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    reason: String,
}

async fn withdraw_submit(
    State(state): State<AppState>,
    page: Page,
    read: Result<OrgAccess<ReadPathways>, WebError>,
    write: Result<OrgAccess<WritePathways>, WebError>,
    Path(id): Path<i64>,
    Form(f): Form<WithdrawForm>,
) -> Result<Response, WebError> {
    let (read, write) = (
        read.map_err(WebError::html)?,
        write.map_err(WebError::html)?,
    );
    (write.user.check_csrf(&f.csrf)).html()?;
    match correct(&state, &write, id, None, &f.reason).await {
        Ok(pid) => Ok(Redirect::to(&format!("/pathways/p/{}", urlencode(&pid))).into_response()),
        Err(e) if e.status.is_client_error() && e.status != StatusCode::NOT_FOUND => {
            let all = (load(&state, Some(write.user.principal.org)).await).html()?;
            let pid = all
                .ids
                .iter()
                .position(|r| *r == id)
                .map(|i| all.events[i].pathway_id.to_string())
                .ok_or_else(|| WebError::not_found().html())?;
            pathway_view(&state, page, &read, pid, Some(e.detail)).await
        }
        Err(e) => Err(e.html()),
    }
}

#[derive(Template)]
#[template(path = "pathways_import.html")]
struct ImportT {
    c: Chrome,
    result: Option<ImportResult>,
    error: Option<String>,
}

async fn import_page(
    page: Page,
    access: Result<OrgAccess<WritePathways>, WebError>,
) -> Result<Response, WebError> {
    access.map_err(WebError::html)?;
    render(&ImportT {
        c: page.c,
        result: None,
        error: None,
    })
}

async fn import_submit(
    State(state): State<AppState>,
    page: Page,
    access: Result<OrgAccess<WritePathways>, WebError>,
    mut form: Multipart,
) -> Result<Response, WebError> {
    let access = access.map_err(WebError::html)?;
    // Held until the import is written (see `AppState::imports`).
    let _turn = state
        .imports
        .acquire()
        .await
        .map_err(|_| WebError::internal("imports are closed").html())?;
    let mut csrf = String::new();
    let mut batch_id = None;
    let mut valid_only = false;
    let mut file: Option<Upload> = None;
    loop {
        let field = match form.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(_) => {
                return Err(WebError::bad_request(
                    "the upload could not be read (too large or broken)",
                )
                .html())
            }
        };
        let name = field.name().unwrap_or("").to_owned();
        let broken =
            || WebError::bad_request("the upload could not be read (too large or broken)").html();
        let mut field = field;
        if name == "file" {
            // The form sends its token before the file: a forged upload is not even read.
            (access.user.check_csrf(&csrf)).html()?;
            let mut reader = UploadReader::start();
            let mut size = 0;
            while let Some(chunk) = field.chunk().await.map_err(|_| broken())? {
                size += chunk.len();
                reader.push(chunk).await.map_err(WebError::html)?;
            }
            let upload = reader.finish().await.map_err(WebError::html)?;
            file = (size > 0).then_some(upload);
            continue;
        }
        let bytes = field.bytes().await.map_err(|_| broken())?;
        match name.as_str() {
            "csrf" => csrf = String::from_utf8_lossy(&bytes).into_owned(),
            "batch_id" => batch_id = Some(String::from_utf8_lossy(&bytes).into_owned()),
            "valid_only" => valid_only = true,
            _ => {}
        }
    }
    (access.user.check_csrf(&csrf)).html()?;
    let Some(file) = file else {
        let mut res = render(&ImportT {
            c: page.c,
            result: None,
            error: Some(WebError::invalid("file", "choose a CSV file").detail),
        })?;
        *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        return Ok(res);
    };
    match retrying(|| import(&state, &access, &file, batch_id.clone(), valid_only)).await {
        Ok((status, result)) => {
            let mut res = render(&ImportT {
                c: page.c,
                result: Some(result),
                error: None,
            })?;
            *res.status_mut() = if status == StatusCode::UNPROCESSABLE_ENTITY {
                status
            } else {
                StatusCode::OK
            };
            Ok(res)
        }
        Err(e) if e.status.is_client_error() => {
            let mut res = render(&ImportT {
                c: page.c,
                result: None,
                error: Some(e.detail.clone()),
            })?;
            *res.status_mut() = e.status;
            Ok(res)
        }
        Err(e) => Err(e.html()),
    }
}

/// One bar of a chart / one row of its table.
struct Bar {
    label: String,
    level: &'static str,
    value: String,
    width: u32,
    y: u32,
    text_y: u32,
    suppressed: bool,
    fraction: String,
}

struct IndicatorView {
    id: &'static str,
    title: &'static str,
    bars: Vec<Bar>,
    height: u32,
}

struct WaitingView {
    level: &'static str,
    key: String,
    n: String,
    median: String,
    mean: String,
    p90: String,
}

#[derive(Template)]
#[template(path = "pathways_indicators.html")]
struct IndicatorsT {
    c: Chrome,
    /// Analysts also have the national LAR and coercion figures.
    analyst: bool,
    from: String,
    to: String,
    unit: String,
    units: Vec<String>,
    indicators: Vec<IndicatorView>,
    waiting: Vec<WaitingView>,
}

/// The comparison rows for one unit: the unit, its HF, its RHF, the nation.
fn comparison(rows: &[&IndicatorRow], unit: &str, hf: &str, rhf: &str) -> Vec<IndicatorRow> {
    let find = |level: Level, key: &str| {
        rows.iter()
            .find(|r| r.level == level && r.key == key)
            .map(|r| (*r).clone())
    };
    [
        find(Level::Unit, unit),
        find(Level::Hf, hf),
        find(Level::Rhf, rhf),
        find(Level::Nation, varde_core::pathways::indicators::NATION_KEY),
    ]
    .into_iter()
    .flatten()
    .collect()
}

fn fmt_share(s: Option<f64>) -> String {
    s.map_or_else(String::new, |v| {
        format!("{:.1} %", v * 100.0).replace('.', ",")
    })
}

async fn indicators_page(
    State(state): State<AppState>,
    page: Page,
    access: Result<OrgAccess<SeePathwayIndicators>, WebError>,
    Query(q): Query<PeriodQuery>,
) -> Result<Response, WebError> {
    let access = access.map_err(WebError::html)?;
    let (from, to) = (period(&state, q.from.as_deref(), q.to.as_deref())).html()?;
    let (r, own_units, all) = visible_report(&state, &access, from, to).await.html()?;
    let l = page.c.l;
    // Units the user may pick: analysts any unit in the report, clinicians their own.
    let units: Vec<String> = if access.user.principal.role == varde_core::org::Role::Analyst {
        r.indicators
            .iter()
            .filter(|i| i.level == Level::Unit)
            .map(|i| i.key.clone())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect()
    } else {
        own_units
    };
    let chosen = q
        .unit
        .clone()
        .filter(|u| units.contains(u))
        .or_else(|| units.first().cloned());
    // The unit's HF and RHF, from the events.
    let (hf, rhf) = match &chosen {
        Some(u) => all
            .events
            .iter()
            .rev()
            .find(|e| &*e.unit == u)
            .map_or((String::new(), String::new()), |e| {
                (e.hf.to_string(), e.rhf.to_string())
            }),
        None => (String::new(), String::new()),
    };
    let mut by_id: BTreeMap<&'static str, Vec<&IndicatorRow>> = BTreeMap::new();
    for row in &r.indicators {
        by_id.entry(row.id).or_default().push(row);
    }
    let level_name = |lv: Level| l.t(lv.as_str());
    let indicators = by_id
        .iter()
        .map(|(id, rows)| {
            let cmp = match &chosen {
                Some(u) => comparison(rows, u, &hf, &rhf),
                None => rows
                    .iter()
                    .filter(|r| r.level == Level::Nation || r.level == Level::Rhf)
                    .map(|r| (*r).clone())
                    .collect(),
            };
            let bars: Vec<Bar> = cmp
                .iter()
                .enumerate()
                .map(|(i, row)| {
                    let y = 8 + 30 * i as u32;
                    Bar {
                        label: row.key.clone(),
                        level: level_name(row.level),
                        value: if row.suppressed {
                            l.t("suppressed").to_owned()
                        } else {
                            fmt_share(row.share)
                        },
                        width: row.share.map_or(0, |s| (s * 300.0).round() as u32),
                        y,
                        text_y: y + 15,
                        suppressed: row.suppressed,
                        fraction: match (row.numerator, row.denominator) {
                            (Some(n), Some(d)) => format!("{n} / {d}"),
                            _ => "–".into(),
                        },
                    }
                })
                .collect();
            IndicatorView {
                id,
                title: l.t(id),
                height: 16 + 30 * bars.len() as u32,
                bars,
            }
        })
        .collect();
    let waiting = r
        .waiting_time
        .iter()
        .filter(|w| match &chosen {
            Some(u) => {
                (w.level == Level::Unit && &w.key == u)
                    || (w.level == Level::Hf && w.key == hf)
                    || (w.level == Level::Rhf && w.key == rhf)
                    || w.level == Level::Nation
            }
            None => w.level == Level::Nation || w.level == Level::Rhf,
        })
        .map(|w| {
            let f = |v: Option<f64>| {
                v.map_or_else(|| "–".to_owned(), |v| format!("{v:.1}").replace('.', ","))
            };
            WaitingView {
                level: level_name(w.level),
                key: w.key.clone(),
                n: w.n
                    .map_or_else(|| l.t("suppressed").to_owned(), |n| n.to_string()),
                median: f(w.median_days),
                mean: f(w.mean_days),
                p90: w.p90_days.map_or_else(|| "–".to_owned(), |v| v.to_string()),
            }
        })
        .collect();
    render(&IndicatorsT {
        analyst: access.user.principal.role == varde_core::org::Role::Analyst,
        c: page.c,
        from: from.to_string(),
        to: to.to_string(),
        unit: chosen.clone().unwrap_or_default(),
        units,
        indicators,
        waiting,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    /// An upload split anywhere (inside a row, inside a multi-byte character) parses as the
    /// whole file does, and its digest is that of the whole file.
    #[tokio::test]
    async fn an_upload_read_in_chunks_parses_as_the_whole_file() {
        let csv = "pathway_id,unit,hf,rhf,kommune,care_level,event,date,code,outcome,deadline\n\
                   P1,Enhet Ø,Oslo universitetssykehus HF,Helse Sør-Øst RHF,0301,outpatient,referral_received,2026-10-01,,,\n\
                   P1,Enhet Ø,Oslo universitetssykehus HF,Helse Sør-Øst RHF,0301,outpatient,teleportation,2026-10-02,,,\n";
        let whole = read_events(csv.as_bytes()).unwrap();
        for size in [1, 7, 64, csv.len()] {
            let mut reader = UploadReader::start();
            for chunk in csv.as_bytes().chunks(size) {
                reader.push(Bytes::copy_from_slice(chunk)).await.unwrap();
            }
            let upload = reader.finish().await.unwrap();
            let parsed = upload.parsed.unwrap();
            assert_eq!(parsed.events.len(), whole.events.len(), "chunks of {size}");
            assert_eq!(parsed.events[0].unit, whole.events[0].unit);
            assert_eq!(parsed.errors, whole.errors);
            assert_eq!(
                upload.digest,
                format!("sha256:{}", hex::encode(Sha256::digest(csv.as_bytes())))
            );
        }
        // A file without the header is a file error, and still has its digest.
        let mut reader = UploadReader::start();
        reader
            .push(Bytes::from_static(b"a,b\n1,2\n"))
            .await
            .unwrap();
        let upload = reader.finish().await.unwrap();
        assert!(upload.parsed.is_err());
        assert!(upload.digest.starts_with("sha256:"));
    }
}
