//! Prescription risk figures (issue 10, item 6): the import operation and the figures, called
//! by the API (here), the page (`prescriptions_page.rs`) and the demo data
//! ([`seed_demo_prescriptions`]).
//!
//! - `POST /api/v1/monitoring/import/prescriptions?batch_id=ID[&valid_only=true]`: a CSV body
//!   (`year,area,age_band,sex,measure,count,population`), read as it arrives by
//!   `crate::import`, checked row by row by `varde_core::monitoring::prescriptions::read`; all
//!   or nothing unless `valid_only`; idempotent by batch id with the file's SHA-256. By an
//!   analyst, or any user of a laboratory or national authority; logged with its author.
//! - `GET /api/v1/monitoring/prescriptions?area=&measure=&age_band=&sex=`: per year the count,
//!   population and rate per 1,000 inhabitants, suppressed together with every other published
//!   figure of the measure (`prescriptions::publish`), with the measure's thresholds and their
//!   source. Analysts.
//! - `GET /api/v1/monitoring/prescriptions/thresholds`: every measure's thresholds.

use axum::extract::{DefaultBodyLimit, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;
use varde_core::fields::FieldError;
use varde_core::monitoring::prescriptions::{self as core, Measure, Parsed, Published, Threshold};
use varde_core::warnings::Area;
use varde_store::{Batch, BatchTable, ImportOutcome, PrescriptionImport, PRESCRIPTIONS_SOURCE};

use crate::authz::{ImportMonitoring, OrgAccess, ReadMonitoring};
use crate::error::{Problem, WebError};
use crate::i18n::Lang;
use crate::import::{
    batch_id, batch_reused, check_batch, read_body, turn, Checked, Refused, Upload,
};
use crate::AppState;

/// The largest import accepted (a national file of every municipality is a few MB).
pub const IMPORT_LIMIT: usize = 64 * 1024 * 1024;

/// The answer to an import.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ImportAnswer {
    pub batch_id: String,
    /// Rows written now.
    pub accepted: usize,
    /// The batch had been imported before: nothing was written now.
    pub already_imported: bool,
    /// Rows refused, with their line, field and rule.
    pub refused: Vec<Refused>,
}

/// An upload of the figures' CSV, parsed (`Err`: the file as a whole is refused).
pub type PrescriptionUpload = Upload<Result<Parsed, FieldError>>;

/// The parser of the figures' CSV for the shared upload reader; `this_year` bounds `year`.
pub fn parser(
    this_year: i16,
) -> impl FnOnce(&mut dyn std::io::Read) -> Result<Parsed, FieldError> + Send + 'static {
    move |r| core::read(r, this_year)
}

/// The current year in Oslo.
pub fn this_year(state: &AppState) -> i16 {
    state.clock.today().year()
}

/// Imports an upload in one transaction. With refused rows nothing is written (422) unless
/// `valid_only`, which writes the valid rows (201) and lists the rest. The same batch id
/// again: 200 and nothing written; with another file: 409.
pub async fn import(
    state: &AppState,
    access: &OrgAccess<ImportMonitoring>,
    upload: &PrescriptionUpload,
    given_batch: Option<&str>,
    valid_only: bool,
) -> Result<(StatusCode, ImportAnswer), WebError> {
    let org = access.org();
    let batch_id = batch_id(given_batch, &upload.digest)?;
    let answer = |accepted, already_imported, refused| ImportAnswer {
        batch_id: batch_id.clone(),
        accepted,
        already_imported,
        refused,
    };
    let key = format!("{PRESCRIPTIONS_SOURCE}/{batch_id}");
    let (rows, refused) =
        match check_batch(state, BatchTable::Monitoring, org, &key, upload, valid_only).await? {
            Checked::Answer {
                status,
                already_imported,
                refused,
            } => return Ok((status, answer(0, already_imported, refused))),
            Checked::Write { rows, refused } => (rows, refused),
        };
    let entry = access.access(state, "", format!("prescriptions-import:{batch_id}"));
    let outcome = state
        .store
        .prescriptions_import(&PrescriptionImport {
            org,
            actor: access.principal.user,
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

/// A measure's definition and thresholds, with their source.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ThresholdDoc {
    /// `persistent_opioid_use`, `problematic_daily_use` or `problematic_combination`.
    pub measure: String,
    /// The definition in the request's language.
    pub definition: String,
    pub definition_nb: String,
    pub definition_en: String,
    /// At least this many DDD of opioids in a calendar year.
    pub ddd_per_year_min: Option<f64>,
    /// At least this many mg oral morphine equivalents in a calendar year.
    pub ome_mg_per_year_min: Option<f64>,
    /// More than this many DDD of opioids a day.
    pub ddd_per_day_over: Option<f64>,
    /// More than this many mg oral morphine equivalents a day.
    pub ome_mg_per_day_over: Option<f64>,
    /// More than this many DDD of benzodiazepines or z-drugs in a calendar year.
    pub benzo_z_ddd_per_year_over: Option<f64>,
    pub source: String,
    /// The definition in the source's words.
    pub source_quote: String,
}

impl ThresholdDoc {
    pub fn of(t: &Threshold, l: Lang) -> ThresholdDoc {
        ThresholdDoc {
            measure: t.measure.as_str().to_owned(),
            definition: t.definition(l.code()).to_owned(),
            definition_nb: t.definition_nb.clone(),
            definition_en: t.definition_en.clone(),
            ddd_per_year_min: t.ddd_per_year_min,
            ome_mg_per_year_min: t.ome_mg_per_year_min,
            ddd_per_day_over: t.ddd_per_day_over,
            ome_mg_per_day_over: t.ome_mg_per_day_over,
            benzo_z_ddd_per_year_over: t.benzo_z_ddd_per_year_over,
            source: t.source.clone(),
            source_quote: t.source_quote.clone(),
        }
    }
}

/// Every measure's thresholds.
pub fn threshold_docs(l: Lang) -> Vec<ThresholdDoc> {
    core::thresholds()
        .iter()
        .map(|t| ThresholdDoc::of(t, l))
        .collect()
}

/// One year's figure as published.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct YearFigure {
    pub year: i16,
    /// `null` when suppressed (under 5, or it would give such a cell back).
    pub count: Option<u64>,
    pub population: u64,
    /// `null` when suppressed.
    pub rate_per_1000: Option<f64>,
    pub suppressed: bool,
}

/// The figures of one series, by year, with the measure's thresholds.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FiguresDoc {
    pub area: String,
    pub area_name: String,
    pub measure: String,
    pub age_band: String,
    pub sex: String,
    pub years: Vec<YearFigure>,
    pub threshold: Option<ThresholdDoc>,
}

/// What a series is chosen by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    pub area: Area,
    pub measure: Measure,
    pub age_band: &'static str,
    pub sex: &'static str,
}

/// `?area=&measure=&age_band=&sex=` as given.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct FiguresQuery {
    pub area: String,
    pub measure: String,
    pub age_band: String,
    pub sex: String,
}

impl FiguresQuery {
    /// The series chosen: `national`, `persistent_opioid_use`, `all`, `all` where not given.
    pub fn choice(&self) -> Result<Choice, FieldError> {
        let or = |v: &str, d: &'static str| {
            if v.trim().is_empty() {
                d.to_owned()
            } else {
                v.to_owned()
            }
        };
        Ok(Choice {
            area: Area::parse("area", &or(&self.area, "national"))?,
            measure: Measure::parse("measure", &or(&self.measure, "persistent_opioid_use"))?,
            age_band: core::age_band("age_band", &or(&self.age_band, "all"))?,
            sex: core::sex("sex", &or(&self.sex, "all"))?,
        })
    }
}

/// Every published figure of the measure (suppressed together, as `publish` needs).
pub async fn published(state: &AppState, measure: Measure) -> Result<Vec<Published>, WebError> {
    let stored = state.store.prescription_figures(measure).await?;
    let figures: Vec<core::Figure> = stored.into_iter().map(|s| s.figure).collect();
    Ok(core::publish(&figures))
}

/// The years of one area, age band and sex from the published figures.
pub fn series(all: &[Published], area: &str, age_band: &str, sex: &str) -> Vec<YearFigure> {
    all.iter()
        .filter(|p| p.area == area && p.age_band == age_band && p.sex == sex)
        .map(|p| YearFigure {
            year: p.year,
            count: p.count,
            population: p.population,
            rate_per_1000: p.rate_per_1000,
            suppressed: p.suppressed,
        })
        .collect()
}

/// The figures of `choice`, logged as read by the holder of `access`; with every published
/// figure of the measure they were taken from (the page draws more series from them).
pub async fn figures(
    state: &AppState,
    access: &OrgAccess<ReadMonitoring>,
    choice: &Choice,
    l: Lang,
) -> Result<(FiguresDoc, Vec<Published>), WebError> {
    let all = published(state, choice.measure).await?;
    let area = choice.area.code();
    access
        .log(
            state,
            format!("prescriptions:{}:{area}", choice.measure.as_str()),
        )
        .await?;
    let doc = FiguresDoc {
        years: series(&all, &area, choice.age_band, choice.sex),
        area_name: choice.area.name(l.code()),
        area,
        measure: choice.measure.as_str().to_owned(),
        age_band: choice.age_band.to_owned(),
        sex: choice.sex.to_owned(),
        threshold: core::threshold(choice.measure).map(|t| ThresholdDoc::of(t, l)),
    };
    Ok((doc, all))
}

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/monitoring/import/prescriptions",
            post(api_import).layer(DefaultBodyLimit::max(IMPORT_LIMIT)),
        )
        .route("/monitoring/prescriptions", get(api_figures))
        .route("/monitoring/prescriptions/thresholds", get(api_thresholds))
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(api_import, api_figures, api_thresholds),
    components(schemas(ImportAnswer, Refused, FiguresDoc, YearFigure, ThresholdDoc))
)]
pub(super) struct ApiDoc;

#[derive(Deserialize)]
struct ImportQuery {
    batch_id: Option<String>,
    #[serde(default)]
    valid_only: bool,
}

/// Imports prescription risk figures from CSV (the body, `text/csv`; columns `year`, `area`,
/// `age_band`, `sex`, `measure`, `count`, `population`), idempotent by `batch_id`.
#[utoipa::path(post, path = "/api/v1/monitoring/import/prescriptions", request_body(content = String, content_type = "text/csv"),
    params(("batch_id" = Option<String>, Query, description = "idempotency key; default: the SHA-256 of the body"), ("valid_only" = Option<bool>, Query, description = "write the valid rows, list the refused")),
    responses((status = 201, body = ImportAnswer), (status = 200, body = ImportAnswer, description = "already imported, or nothing to write"), (status = 409, body = Problem, description = "the batch id names another file"), (status = 422, body = Problem, description = "refused rows (`refused`); nothing written"), (status = 403, body = Problem)))]
async fn api_import(
    State(state): State<AppState>,
    access: OrgAccess<ImportMonitoring>,
    Query(q): Query<ImportQuery>,
    body: axum::body::Body,
) -> Result<Response, WebError> {
    let _turn = turn(&state).await?;
    let upload = read_body(body, IMPORT_LIMIT, parser(this_year(&state))).await?;
    let (status, answer) = import(
        &state,
        &access,
        &upload,
        q.batch_id.as_deref(),
        q.valid_only,
    )
    .await?;
    if status == StatusCode::UNPROCESSABLE_ENTITY {
        return Ok(refused(answer));
    }
    Ok((status, axum::Json(answer)).into_response())
}

/// A refused import (nothing written): a problem document naming the first refused row, with
/// the answer's members (`refused`: every row's line, field and rule) beside it.
fn refused(answer: ImportAnswer) -> Response {
    let first = answer
        .refused
        .first()
        .map(|e| format!("; the first, line {} ({}): {}", e.line, e.field, e.rule))
        .unwrap_or_default();
    let detail = format!(
        "{} row(s) refused; nothing was written{first}",
        answer.refused.len()
    );
    WebError::invalid_input(detail).with_members(answer)
}

/// The figures of one area, measure, age band and sex by year: count, population and rate per
/// 1,000 inhabitants, suppressed cells `null`; with the measure's thresholds and source.
#[utoipa::path(get, path = "/api/v1/monitoring/prescriptions",
    params(("area" = Option<String>, Query, description = "`0301`, `county:03` or `national` (the default)"),
        ("measure" = Option<String>, Query, description = "`persistent_opioid_use` (the default), `problematic_daily_use`, `problematic_combination`"),
        ("age_band" = Option<String>, Query, description = "`0-17`, `18-44`, `45-64`, `65-79`, `80+` or `all` (the default)"),
        ("sex" = Option<String>, Query, description = "`male`, `female` or `all` (the default)")),
    responses((status = 200, body = FiguresDoc), (status = 422, body = Problem), (status = 403, body = Problem)))]
async fn api_figures(
    State(state): State<AppState>,
    access: OrgAccess<ReadMonitoring>,
    l: Lang,
    Query(q): Query<FiguresQuery>,
) -> Result<Response, WebError> {
    let choice = q.choice()?;
    let (doc, _) = figures(&state, &access, &choice, l).await?;
    Ok(axum::Json(doc).into_response())
}

/// Every measure's definition and thresholds, with their source.
#[utoipa::path(get, path = "/api/v1/monitoring/prescriptions/thresholds",
    responses((status = 200, body = [ThresholdDoc]), (status = 403, body = Problem)))]
async fn api_thresholds(_access: OrgAccess<ReadMonitoring>, l: Lang) -> Result<Response, WebError> {
    Ok(axum::Json(threshold_docs(l)).into_response())
}

/// An upload made from text (the demo data): parsed and hashed as an upload is.
pub fn upload_of(text: &str, this_year: i16) -> PrescriptionUpload {
    Upload {
        parsed: core::read(&mut text.as_bytes(), this_year),
        digest: format!("sha256:{}", hex::encode(Sha256::digest(text.as_bytes()))),
    }
}

/// Imports five seeded, plausible years of figures (the last five complete years: the nation,
/// every county and five large municipalities, every age band and sex, the three measures)
/// as the demo analyst `analytiker`, through [`import`], one batch per year
/// (`demo-{year}`): a second call writes nothing. Call on a database prepared by
/// `bootstrap::seed_demo`. Returns the rows written.
pub async fn seed_demo_prescriptions(state: &AppState) -> Result<usize, WebError> {
    let user = state
        .store
        .user_by_username("analytiker")
        .await?
        .ok_or_else(|| WebError::internal("demo user analytiker is missing"))?;
    let principal = crate::auth::principal_of(&user)
        .ok_or_else(|| WebError::internal("demo user analytiker is missing"))?;
    let access = OrgAccess::<ImportMonitoring>::decide(state, principal).await?;
    let this = this_year(state);
    let mut written = 0;
    for year in this - 5..this {
        let upload = upload_of(&super::prescriptions_demo::csv(year), this);
        let (_, answer) = import(
            state,
            &access,
            &upload,
            Some(&format!("demo-{year}")),
            false,
        )
        .await?;
        if let Some(r) = answer.refused.first() {
            return Err(WebError::internal(&format!(
                "demo figures refused at line {}: {}: {}",
                r.line, r.field, r.rule
            )));
        }
        written += answer.accepted;
    }
    Ok(written)
}
