//! LAR (legemiddelassistert rehabilitering) and coercion under helse- og omsorgstjenesteloven
//! chapter 10, for TSB treatment units: the JSON API under `/api/v1/lar` and
//! `/api/v1/coercion`, and the pages `/pathways/lar` and `/pathways/coercion`.
//!
//! The rules are `varde_core::pathways::{lar, coercion}`. Storage is event-sourced without a
//! projection table: each command is one event in the stream `lar:{org}` or
//! `coercion:{org}:{stay}` (its body the command as JSON), and the state is rebuilt by
//! replaying the organisation's events through the same rules. A write replays, applies the
//! new command (a broken rule is a 422 naming the field and the rule), then appends the event
//! with its access-log entry in one transaction, refusing (409) if the stream changed since it
//! was read.
//!
//! Who decided: a decision is registered with the qualification recorded for the acting user
//! (`users.qualification`: specialist, physician, gp, other — set with `varde user qualify` or
//! by an org-admin; from the health personnel register, HPR, once that integration exists). A
//! request may name `decided_by`; naming anything else than the user's own is refused. The core
//! refuses admission and discharge by anyone but a specialist (delegation of prescribing:
//! specialist or physician); the access-log entry records which user it was.
//!
//! Patients are named by a pseudonymous patient reference (as pathway ids are), never by a
//! national identity number: an 11-digit reference is refused.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use varde_core::authz::{decide, Action, Subject};
use varde_core::org::{OrgId, Qualification};
use varde_core::pathways::coercion::{
    self, check_stay, county_board_due, legal_end, yearly_table, CoercionError, Decision, Kind,
    Section, Stay, Warning,
};
use varde_core::pathways::lar::{
    DispensingAgreement, LarError, LarRegister, Prescriber, Role as LarRole,
};
use varde_core::pathways::parse::parse_date;
use varde_store::{coercion_prefix, coercion_stream, lar_stream, NewAccess, NewEvent, StoredEvent};

use crate::auth::CurrentUser;
use crate::authz::{
    access_entry, OrgAccess, ReadCoercion, ReadLar, Target, WriteCoercion, WriteLar,
};
use crate::error::WebError;
use crate::html::{Chrome, Page};
use crate::AppState;

pub fn html_routes() -> Router<AppState> {
    Router::new()
        .route("/pathways/lar", get(lar_page))
        .route("/pathways/lar/{command}", post(lar_submit))
        .route("/pathways/coercion", get(coercion_page))
        .route("/pathways/coercion/{command}", post(coercion_submit))
}

pub fn api_routes() -> Router<AppState> {
    Router::new()
        .route("/lar/admissions", post(api_admit))
        .route("/lar/discharges", post(api_discharge))
        .route("/lar/delegations", post(api_delegate))
        .route("/lar/agreements", post(api_agreement).get(api_agreements))
        .route("/lar/dispensing", post(api_dispensing))
        .route("/lar/patients", get(api_patients))
        .route("/lar/population", get(api_population))
        .route("/coercion/stays", post(api_stay).get(api_stays))
        .route("/coercion/stays/{stay_id}/end", post(api_end_stay))
        .route("/coercion/stays/{stay_id}/decisions", post(api_decide))
        .route(
            "/coercion/stays/{stay_id}/decisions/{number}/appeal",
            post(api_appeal),
        )
        .route(
            "/coercion/stays/{stay_id}/decisions/{number}/county-board",
            post(api_county_board),
        )
        .route("/coercion/table", get(api_table))
}

// ------------------------------------------------------------------ input

fn date_field(field: &str, v: &str) -> Result<Date, WebError> {
    parse_date(v.trim()).ok_or_else(|| WebError::invalid(field, "a date as YYYY-MM-DD"))
}

fn opt_date_field(field: &str, v: &str) -> Result<Option<Date>, WebError> {
    if v.trim().is_empty() {
        Ok(None)
    } else {
        date_field(field, v).map(Some)
    }
}

/// A date of something that has already happened (a decision, an admission or discharge, the
/// start or end of a stay, a notification): not after `today`. Dates that may lie ahead (the
/// end of an agreement, the expected date of delivery, an as-of date) use [`date_field`].
fn past_date_field(field: &str, v: &str, today: Date) -> Result<Date, WebError> {
    let date = date_field(field, v)?;
    if date > today {
        return Err(WebError::invalid(
            field,
            format!("a date that has happened: not after today ({today})"),
        ));
    }
    Ok(date)
}

fn opt_past_date_field(field: &str, v: &str, today: Date) -> Result<Option<Date>, WebError> {
    if v.trim().is_empty() {
        Ok(None)
    } else {
        past_date_field(field, v, today).map(Some)
    }
}

/// A pseudonymous reference: 1–64 characters, not a national identity number.
fn reference(field: &str, v: &str) -> Result<String, WebError> {
    let v = v.trim();
    if v.is_empty() || v.chars().count() > 64 {
        return Err(WebError::invalid(field, "1–64 characters"));
    }
    if v.len() == 11 && v.bytes().all(|b| b.is_ascii_digit()) {
        return Err(WebError::invalid(
            field,
            "a pseudonymous reference, not a national identity number",
        ));
    }
    Ok(v.to_owned())
}

fn kommune_field(field: &str, v: &str) -> Result<String, WebError> {
    varde_core::ids::Kommunenummer::parse(v.trim())
        .map(|k| k.as_str().to_owned())
        .map_err(|e| WebError::invalid(field, e.to_string()))
}

/// A stay id: it appears in paths, so 1–64 of `A–Z a–z 0–9 . _ -`.
fn stay_id_field(v: &str) -> Result<String, WebError> {
    let v = v.trim();
    if v.is_empty()
        || v.len() > 64
        || !v
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
    {
        return Err(WebError::invalid(
            "stay_id",
            "1–64 characters of letters A–Z, digits, '.', '_' and '-'",
        ));
    }
    Ok(v.to_owned())
}

/// The qualification a decision is registered with: the acting user's recorded one. A
/// request may name it (`decided_by`); naming another is refused, never trusted.
fn decided_by(given: &str, own: Qualification) -> Result<Qualification, WebError> {
    if !given.trim().is_empty() {
        let named: Qualification = given.trim().parse().map_err(|_| {
            WebError::invalid("decided_by", "one of specialist, physician, gp, other")
        })?;
        if named != own {
            return Err(WebError::invalid(
                "decided_by",
                format!(
                    "a decision is registered with the qualification recorded for your user ({own}); ask the user who took it to register it"
                ),
            ));
        }
    }
    Ok(own)
}

/// The core's LAR role of a qualification.
fn lar_role(q: Qualification) -> LarRole {
    match q {
        Qualification::Specialist => LarRole::Specialist,
        Qualification::Physician => LarRole::Physician,
        Qualification::Gp => LarRole::GeneralPractitioner,
        Qualification::Other => LarRole::Other,
    }
}

// ------------------------------------------------------------------ LAR

/// Admission to LAR. `unit` defaults to the organisation's name.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct AdmitRequest {
    /// Pseudonymous patient reference.
    pub patient: String,
    pub unit: String,
    /// The patient's municipality (4 digits).
    pub kommune: String,
    /// YYYY-MM-DD.
    pub date: String,
    /// `specialist`, `physician`, `gp` or `other`: only a specialist may admit.
    pub decided_by: String,
}

/// Discharge from LAR (the date is the first day out).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct DischargeRequest {
    pub patient: String,
    pub date: String,
    /// Only a specialist may discharge.
    pub decided_by: String,
}

/// Delegation of prescribing to a GP from a date.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct DelegateRequest {
    pub patient: String,
    /// The GP's identifier (e.g. HPR number).
    pub gp: String,
    pub date: String,
    /// `specialist` or `physician` of the specialist unit.
    pub decided_by: String,
}

/// A dispensing agreement between a unit (default: the organisation's name) and a municipality.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct AgreementRequest {
    pub unit: String,
    pub kommune: String,
    pub from: String,
    /// Last day in force; empty for open-ended.
    pub until: String,
}

/// Municipal dispensing for a patient from a date (needs an agreement with the patient's
/// municipality).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct DispensingRequest {
    pub patient: String,
    pub date: String,
}

/// A LAR command as stored in the event log.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case")]
pub(crate) enum LarCommand {
    Admit {
        patient: String,
        unit: String,
        kommune: String,
        date: Date,
        decided_by: Qualification,
    },
    Discharge {
        patient: String,
        date: Date,
        decided_by: Qualification,
    },
    Delegate {
        patient: String,
        gp: String,
        date: Date,
        decided_by: Qualification,
    },
    Agreement {
        unit: String,
        kommune: String,
        from: Date,
        until: Option<Date>,
    },
    Dispensing {
        patient: String,
        date: Date,
    },
}

impl LarCommand {
    fn kind(&self) -> &'static str {
        match self {
            LarCommand::Admit { .. } => "lar.admitted",
            LarCommand::Discharge { .. } => "lar.discharged",
            LarCommand::Delegate { .. } => "lar.prescribing_delegated",
            LarCommand::Agreement { .. } => "lar.agreement_added",
            LarCommand::Dispensing { .. } => "lar.municipal_dispensing_started",
        }
    }

    fn date(&self) -> Date {
        match self {
            LarCommand::Admit { date, .. }
            | LarCommand::Discharge { date, .. }
            | LarCommand::Delegate { date, .. }
            | LarCommand::Dispensing { date, .. } => *date,
            LarCommand::Agreement { from, .. } => *from,
        }
    }

    fn record(&self) -> String {
        match self {
            LarCommand::Admit { patient, .. }
            | LarCommand::Discharge { patient, .. }
            | LarCommand::Delegate { patient, .. }
            | LarCommand::Dispensing { patient, .. } => format!("lar:{patient}"),
            LarCommand::Agreement { kommune, .. } => format!("lar-agreement:{kommune}"),
        }
    }

    /// Applies the command to the register (the core's rules).
    pub(crate) fn apply(&self, reg: &mut LarRegister) -> Result<(), LarError> {
        match self {
            LarCommand::Admit {
                patient,
                unit,
                kommune,
                date,
                decided_by,
            } => reg.admit(lar_role(*decided_by), patient, unit, kommune, *date),
            LarCommand::Discharge {
                patient,
                date,
                decided_by,
            } => reg.discharge(lar_role(*decided_by), patient, *date),
            LarCommand::Delegate {
                patient,
                gp,
                date,
                decided_by,
            } => reg.delegate_prescribing(lar_role(*decided_by), patient, gp, *date),
            LarCommand::Agreement {
                unit,
                kommune,
                from,
                until,
            } => reg.add_agreement(DispensingAgreement {
                unit: unit.clone(),
                kommune: kommune.clone(),
                from: *from,
                until: *until,
            }),
            LarCommand::Dispensing { patient, date } => {
                reg.start_municipal_dispensing(patient, *date)
            }
        }
    }

    /// The problem for a broken rule: the field and the rule, without the patient reference.
    fn problem(&self, e: &LarError) -> WebError {
        match e {
            LarError::NotSpecialist => match self {
                LarCommand::Delegate { .. } => WebError::invalid(
                    "decided_by",
                    "prescribing is delegated by the specialist unit: decided_by must be specialist or physician",
                ),
                _ => WebError::invalid(
                    "decided_by",
                    "only a specialist may decide admission to or discharge from LAR",
                ),
            },
            LarError::AlreadyAdmitted(_) => {
                WebError::invalid("patient", "the patient is already in LAR")
            }
            LarError::NotInLar(_) => {
                WebError::invalid("patient", "the patient is not in LAR on that date")
            }
            LarError::OverlapsEpisode {
                admitted,
                discharged,
                ..
            } => WebError::invalid(
                "date",
                format!(
                    "an admission may not overlap the patient's earlier LAR episode ({admitted} to {discharged}); it may begin on or after {discharged}"
                ),
            ),
            LarError::BeforeAdmission { admitted, .. } => WebError::invalid(
                "date",
                format!("the date is before the admission on {admitted}"),
            ),
            LarError::NoDispensingAgreement { kommune, date, .. } => WebError::invalid(
                "date",
                format!(
                    "no dispensing agreement between the unit and municipality {kommune} on {date}"
                ),
            ),
            LarError::AgreementPeriod => {
                WebError::invalid("until", "the agreement ends before it starts")
            }
        }
    }
}

/// The organisation's LAR register, replayed, and its stream's last sequence number.
async fn load_lar(state: &AppState, org: OrgId) -> Result<(LarRegister, i64), WebError> {
    let events = state.store.read_stream(&lar_stream(org)).await?;
    let last = events.last().map_or(0, |e| e.seq);
    Ok((replay_lar(&events), last))
}

/// A LAR register replayed from its stream's events. An event that no longer parses or keeps
/// the rules (it did when written) is logged and left out.
pub(crate) fn replay_lar(events: &[StoredEvent]) -> LarRegister {
    let mut reg = LarRegister::new();
    for ev in events {
        match serde_json::from_str::<LarCommand>(&ev.body) {
            Ok(cmd) => {
                if let Err(e) = cmd.apply(&mut reg) {
                    tracing::warn!(event = ev.id, rule = %e, "stored LAR event breaks a rule on replay");
                }
            }
            Err(e) => tracing::warn!(event = ev.id, error = %e, "stored LAR event does not parse"),
        }
    }
    reg
}

fn new_event<A>(
    state: &AppState,
    access: &OrgAccess<A>,
    stream: String,
    kind: &str,
    body: String,
    date: Date,
    expected_seq: i64,
) -> NewEvent {
    NewEvent {
        stream,
        kind: kind.to_owned(),
        body,
        actor_id: Some(access.user.principal.user.0),
        org_id: Some(access.user.principal.org.0),
        recorded_at: state.clock.now(),
        effective_date: date.to_string(),
        expected_seq: Some(expected_seq),
    }
}

fn to_json<T: Serialize>(v: &T) -> Result<String, WebError> {
    serde_json::to_string(v).map_err(|_| WebError::internal("serialise command"))
}

/// Checks a LAR command against the replayed register and records it.
async fn lar_write(
    state: &AppState,
    access: &OrgAccess<WriteLar>,
    cmd: LarCommand,
) -> Result<(), WebError> {
    let org = access.user.principal.org;
    let (mut reg, last) = load_lar(state, org).await?;
    cmd.apply(&mut reg).map_err(|e| cmd.problem(&e))?;
    let ev = new_event(
        state,
        access,
        lar_stream(org),
        cmd.kind(),
        to_json(&cmd)?,
        cmd.date(),
        last,
    );
    let entry = access.access(state, "", cmd.record());
    state.store.append_with_access(&[ev], Some(&entry)).await?;
    Ok(())
}

/// The unit named, or by default the organisation's name (read only then).
async fn unit_or_org(state: &AppState, org: OrgId, unit: &str) -> Result<String, WebError> {
    let unit = unit.trim();
    if unit.is_empty() {
        return Ok(state.store.org(org).await?.name);
    }
    if unit.chars().count() > 200 {
        return Err(WebError::invalid("unit", "at most 200 characters"));
    }
    Ok(unit.to_owned())
}

impl AdmitRequest {
    async fn command(
        &self,
        state: &AppState,
        org: OrgId,
        q: Qualification,
    ) -> Result<LarCommand, WebError> {
        Ok(LarCommand::Admit {
            patient: reference("patient", &self.patient)?,
            kommune: kommune_field("kommune", &self.kommune)?,
            date: past_date_field("date", &self.date, state.clock.today())?,
            decided_by: decided_by(&self.decided_by, q)?,
            unit: unit_or_org(state, org, &self.unit).await?,
        })
    }
}

impl DischargeRequest {
    fn command(&self, q: Qualification, today: Date) -> Result<LarCommand, WebError> {
        Ok(LarCommand::Discharge {
            patient: reference("patient", &self.patient)?,
            date: past_date_field("date", &self.date, today)?,
            decided_by: decided_by(&self.decided_by, q)?,
        })
    }
}

impl DelegateRequest {
    fn command(&self, q: Qualification, today: Date) -> Result<LarCommand, WebError> {
        Ok(LarCommand::Delegate {
            patient: reference("patient", &self.patient)?,
            gp: reference("gp", &self.gp)?,
            date: past_date_field("date", &self.date, today)?,
            decided_by: decided_by(&self.decided_by, q)?,
        })
    }
}

impl AgreementRequest {
    async fn command(&self, state: &AppState, org: OrgId) -> Result<LarCommand, WebError> {
        Ok(LarCommand::Agreement {
            kommune: kommune_field("kommune", &self.kommune)?,
            from: past_date_field("from", &self.from, state.clock.today())?,
            until: opt_date_field("until", &self.until)?,
            unit: unit_or_org(state, org, &self.unit).await?,
        })
    }
}

impl DispensingRequest {
    fn command(&self, today: Date) -> Result<LarCommand, WebError> {
        Ok(LarCommand::Dispensing {
            patient: reference("patient", &self.patient)?,
            date: past_date_field("date", &self.date, today)?,
        })
    }
}

/// One LAR episode as answered.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct EpisodeDoc {
    pub patient: String,
    pub unit: String,
    pub kommune: String,
    pub admitted: String,
    pub discharged: Option<String>,
    /// In LAR on the as-of date.
    pub in_lar: bool,
    /// On the as-of date: `unit` or `gp`.
    pub prescriber_kind: Option<String>,
    /// The unit's name or the GP's identifier.
    pub prescriber: Option<String>,
    pub municipal_dispensing_from: Option<String>,
}

fn episodes(reg: &LarRegister, as_of: Date) -> Vec<EpisodeDoc> {
    let mut out: Vec<EpisodeDoc> = reg
        .episodes()
        .map(|(patient, e)| {
            let in_lar = e.admitted <= as_of && e.discharged.is_none_or(|d| as_of < d);
            let prescriber = in_lar
                .then(|| reg.prescriber_on(patient, as_of))
                .flatten()
                .map(|p| match p {
                    Prescriber::Unit(u) => ("unit".to_owned(), u),
                    Prescriber::GeneralPractitioner(g) => ("gp".to_owned(), g),
                });
            EpisodeDoc {
                patient: patient.to_owned(),
                unit: e.unit.clone(),
                kommune: e.kommune.clone(),
                admitted: e.admitted.to_string(),
                discharged: e.discharged.map(|d| d.to_string()),
                in_lar,
                prescriber_kind: prescriber.as_ref().map(|p| p.0.clone()),
                prescriber: prescriber.map(|p| p.1),
                municipal_dispensing_from: e.municipal_dispensing_from.map(|d| d.to_string()),
            }
        })
        .collect();
    out.sort_by(|a, b| (&a.patient, &a.admitted).cmp(&(&b.patient, &b.admitted)));
    out
}

/// A dispensing agreement as answered.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AgreementDoc {
    pub unit: String,
    pub kommune: String,
    pub kommune_name: String,
    pub from: String,
    pub until: Option<String>,
    /// In force on the as-of date.
    pub in_force: bool,
}

pub(crate) fn kommune_name(k: &str) -> String {
    varde_core::refdata::get()
        .kommune(k)
        .map(|m| m.name.clone())
        .unwrap_or_default()
}

fn agreements(reg: &LarRegister, as_of: Date) -> Vec<AgreementDoc> {
    reg.agreements()
        .iter()
        .map(|a| AgreementDoc {
            unit: a.unit.clone(),
            kommune: a.kommune.clone(),
            kommune_name: kommune_name(&a.kommune),
            from: a.from.to_string(),
            until: a.until.map(|u| u.to_string()),
            in_force: a.from <= as_of && a.until.is_none_or(|u| as_of <= u),
        })
        .collect()
}

/// One count of the population.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PopulationRow {
    pub key: String,
    /// The municipality's name (by municipality only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub patients: usize,
}

/// The LAR population on a date.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Population {
    pub as_of: String,
    pub total: usize,
    pub by_kommune: Vec<PopulationRow>,
    pub by_unit: Vec<PopulationRow>,
}

fn population(reg: &LarRegister, as_of: Date) -> Population {
    let by_unit = reg.population_by_unit(as_of);
    Population {
        as_of: as_of.to_string(),
        total: by_unit.values().sum(),
        by_kommune: reg
            .population_by_kommune(as_of)
            .into_iter()
            .map(|(k, n)| PopulationRow {
                name: Some(kommune_name(&k)),
                key: k,
                patients: n,
            })
            .collect(),
        by_unit: by_unit
            .into_iter()
            .map(|(k, n)| PopulationRow {
                key: k,
                name: None,
                patients: n,
            })
            .collect(),
    }
}

#[derive(Deserialize)]
pub(crate) struct AsOfQuery {
    pub(crate) as_of: Option<String>,
}

pub(crate) fn as_of(state: &AppState, q: Option<&str>) -> Result<Date, WebError> {
    match q.map(str::trim) {
        None | Some("") => Ok(state.clock.today()),
        Some(s) => date_field("as_of", s),
    }
}

/// Reads the register, logging the read.
async fn lar_read<A>(
    state: &AppState,
    access: &OrgAccess<A>,
    what: &str,
) -> Result<LarRegister, WebError> {
    let org = access.user.principal.org;
    let (reg, _) = load_lar(state, org).await?;
    state
        .store
        .log_access(&access.access(state, "", format!("{what}:org:{}", org.0)))
        .await?;
    Ok(reg)
}

/// Records a LAR command through the API: 201 when written.
async fn lar_created(
    state: &AppState,
    access: &OrgAccess<WriteLar>,
    cmd: LarCommand,
) -> Result<Response, WebError> {
    lar_write(state, access, cmd).await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(serde_json::json!({ "recorded": true })),
    )
        .into_response())
}

/// Answers a read of the LAR register on the as-of date (`what` names the read in the log).
async fn lar_json<T: Serialize>(
    state: &AppState,
    access: &OrgAccess<ReadLar>,
    q: &AsOfQuery,
    what: &str,
    view: fn(&LarRegister, Date) -> T,
) -> Result<Response, WebError> {
    let date = as_of(state, q.as_of.as_deref())?;
    let reg = lar_read(state, access, what).await?;
    Ok(axum::Json(view(&reg, date)).into_response())
}

/// Admits a patient to LAR (a specialist's decision).
#[utoipa::path(post, path = "/api/v1/lar/admissions", request_body = AdmitRequest,
    responses((status = 201, description = "recorded"), (status = 422, body = crate::error::Problem), (status = 403, body = crate::error::Problem)))]
async fn api_admit(
    State(state): State<AppState>,
    access: OrgAccess<WriteLar>,
    crate::api::ApiJson(req): crate::api::ApiJson<AdmitRequest>,
) -> Result<Response, WebError> {
    let p = &access.user.principal;
    let cmd = req.command(&state, p.org, p.qualification).await?;
    lar_created(&state, &access, cmd).await
}

/// Discharges a patient from LAR (a specialist's decision).
#[utoipa::path(post, path = "/api/v1/lar/discharges", request_body = DischargeRequest,
    responses((status = 201, description = "recorded"), (status = 422, body = crate::error::Problem)))]
async fn api_discharge(
    State(state): State<AppState>,
    access: OrgAccess<WriteLar>,
    crate::api::ApiJson(req): crate::api::ApiJson<DischargeRequest>,
) -> Result<Response, WebError> {
    let cmd = req.command(access.user.principal.qualification, state.clock.today())?;
    lar_created(&state, &access, cmd).await
}

/// Delegates prescribing to a GP from a date.
#[utoipa::path(post, path = "/api/v1/lar/delegations", request_body = DelegateRequest,
    responses((status = 201, description = "recorded"), (status = 422, body = crate::error::Problem)))]
async fn api_delegate(
    State(state): State<AppState>,
    access: OrgAccess<WriteLar>,
    crate::api::ApiJson(req): crate::api::ApiJson<DelegateRequest>,
) -> Result<Response, WebError> {
    let cmd = req.command(access.user.principal.qualification, state.clock.today())?;
    lar_created(&state, &access, cmd).await
}

/// Records a dispensing agreement with a municipality.
#[utoipa::path(post, path = "/api/v1/lar/agreements", request_body = AgreementRequest,
    responses((status = 201, description = "recorded"), (status = 422, body = crate::error::Problem)))]
async fn api_agreement(
    State(state): State<AppState>,
    access: OrgAccess<WriteLar>,
    crate::api::ApiJson(req): crate::api::ApiJson<AgreementRequest>,
) -> Result<Response, WebError> {
    let cmd = req.command(&state, access.user.principal.org).await?;
    lar_created(&state, &access, cmd).await
}

/// Moves a patient's dispensing to the municipality (needs an agreement in force).
#[utoipa::path(post, path = "/api/v1/lar/dispensing", request_body = DispensingRequest,
    responses((status = 201, description = "recorded"), (status = 422, body = crate::error::Problem)))]
async fn api_dispensing(
    State(state): State<AppState>,
    access: OrgAccess<WriteLar>,
    crate::api::ApiJson(req): crate::api::ApiJson<DispensingRequest>,
) -> Result<Response, WebError> {
    lar_created(&state, &access, req.command(state.clock.today())?).await
}

/// The dispensing agreements, with whether each is in force on `as_of`.
#[utoipa::path(get, path = "/api/v1/lar/agreements", params(("as_of" = Option<String>, Query, description = "YYYY-MM-DD, default today")),
    responses((status = 200, body = [AgreementDoc])))]
async fn api_agreements(
    State(state): State<AppState>,
    access: OrgAccess<ReadLar>,
    Query(q): Query<AsOfQuery>,
) -> Result<Response, WebError> {
    lar_json(&state, &access, &q, "lar-agreements", agreements).await
}

/// Every LAR episode of the organisation, with the prescriber on `as_of`.
#[utoipa::path(get, path = "/api/v1/lar/patients", params(("as_of" = Option<String>, Query, description = "YYYY-MM-DD, default today")),
    responses((status = 200, body = [EpisodeDoc])))]
async fn api_patients(
    State(state): State<AppState>,
    access: OrgAccess<ReadLar>,
    Query(q): Query<AsOfQuery>,
) -> Result<Response, WebError> {
    lar_json(&state, &access, &q, "lar-patients", episodes).await
}

/// The LAR population on `as_of`, per municipality and per unit.
#[utoipa::path(get, path = "/api/v1/lar/population", params(("as_of" = Option<String>, Query, description = "YYYY-MM-DD, default today")),
    responses((status = 200, body = Population)))]
async fn api_population(
    State(state): State<AppState>,
    access: OrgAccess<ReadLar>,
    Query(q): Query<AsOfQuery>,
) -> Result<Response, WebError> {
    lar_json(&state, &access, &q, "lar-population", population).await
}

// ------------------------------------------------------------------ coercion

fn parse_section(v: &str) -> Result<Section, WebError> {
    match v.trim().trim_start_matches('§').trim() {
        "10-2" => Ok(Section::S10_2),
        "10-3" => Ok(Section::S10_3),
        "10-4" => Ok(Section::S10_4),
        _ => Err(WebError::invalid("section", "one of 10-2, 10-3, 10-4")),
    }
}

pub(crate) fn section_str(s: Section) -> &'static str {
    match s {
        Section::S10_2 => "10-2",
        Section::S10_3 => "10-3",
        Section::S10_4 => "10-4",
    }
}

fn parse_kind(v: &str) -> Result<Kind, WebError> {
    match v.trim() {
        "main" => Ok(Kind::Main),
        "temporary" => Ok(Kind::Temporary),
        _ => Err(WebError::invalid("kind", "main or temporary")),
    }
}

fn kind_str(k: Kind) -> &'static str {
    match k {
        Kind::Main => "main",
        Kind::Temporary => "temporary",
    }
}

/// A new institutional stay.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct StayRequest {
    /// 1–64 of letters, digits, `.`, `_`, `-`.
    pub stay_id: String,
    /// Pseudonymous patient reference.
    pub patient: String,
    /// First day of the stay.
    pub start: String,
}

/// A date: the end of a stay, an appeal lodged, a case sent to the county board.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct DateRequest {
    pub date: String,
}

/// A coercion decision within a stay.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct DecisionRequest {
    /// `10-2`, `10-3` or `10-4`.
    pub section: String,
    /// `main` or `temporary`.
    pub kind: String,
    /// Date of the decision.
    pub decided: String,
    /// Start of the retention (§ 10-4: the date consent was withdrawn).
    pub from: String,
    /// § 10-3: expected date of delivery.
    pub expected_delivery: String,
    /// § 10-3: date the child welfare service was notified.
    pub child_welfare_notified: String,
    /// Temporary decisions: date sent to the county board, if already sent.
    pub sent_to_county_board: String,
}

/// A coercion command as stored in the event log.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case")]
enum CoercionCommand {
    StayStarted {
        patient: String,
        start: Date,
    },
    StayEnded {
        date: Date,
    },
    Decided {
        section: String,
        kind: String,
        decided: Date,
        from: Date,
        expected_delivery: Option<Date>,
        child_welfare_notified: Option<Date>,
        sent_to_county_board: Option<Date>,
    },
    Appealed {
        decision: usize,
        date: Date,
    },
    SentToCountyBoard {
        decision: usize,
        date: Date,
    },
}

/// One stay as replayed.
#[derive(Debug, Clone)]
pub(crate) struct StayState {
    patient: String,
    pub(crate) stay: Stay,
}

fn coercion_problem(e: &CoercionError) -> WebError {
    let field = match e {
        CoercionError::NoExpectedDelivery | CoercionError::DeliveryBeforeRetention => {
            "expected_delivery"
        }
        CoercionError::ChildWelfareNotNotified => "child_welfare_notified",
        CoercionError::TooManyConsentRetentions(_) => "section",
        CoercionError::TemporaryUnder10_4 => "kind",
        CoercionError::BeforeStay { .. } => "from",
    };
    WebError::invalid(field, e.to_string())
}

impl CoercionCommand {
    fn kind(&self) -> &'static str {
        match self {
            CoercionCommand::StayStarted { .. } => "coercion.stay_started",
            CoercionCommand::StayEnded { .. } => "coercion.stay_ended",
            CoercionCommand::Decided { .. } => "coercion.decided",
            CoercionCommand::Appealed { .. } => "coercion.appealed",
            CoercionCommand::SentToCountyBoard { .. } => "coercion.sent_to_county_board",
        }
    }

    fn date(&self) -> Date {
        match self {
            CoercionCommand::StayStarted { start, .. } => *start,
            CoercionCommand::Decided { decided, .. } => *decided,
            CoercionCommand::StayEnded { date }
            | CoercionCommand::Appealed { date, .. }
            | CoercionCommand::SentToCountyBoard { date, .. } => *date,
        }
    }

    /// Applies the command to a stay (`None`: not started), checking chapter 10's rules.
    fn apply(&self, current: Option<StayState>) -> Result<StayState, WebError> {
        let no_stay = || WebError::invalid("stay_id", "no such stay");
        match self {
            CoercionCommand::StayStarted { patient, start } => match current {
                Some(_) => Err(WebError::invalid("stay_id", "a stay with this id exists")),
                None => Ok(StayState {
                    patient: patient.clone(),
                    stay: Stay {
                        start: *start,
                        end: None,
                        decisions: Vec::new(),
                    },
                }),
            },
            CoercionCommand::StayEnded { date } => {
                let mut s = current.ok_or_else(no_stay)?;
                if s.stay.end.is_some() {
                    return Err(WebError::invalid("date", "the stay has already ended"));
                }
                if *date < s.stay.start {
                    return Err(WebError::invalid(
                        "date",
                        format!("the stay began {}", s.stay.start),
                    ));
                }
                s.stay.end = Some(*date);
                Ok(s)
            }
            CoercionCommand::Decided {
                section,
                kind,
                decided,
                from,
                expected_delivery,
                child_welfare_notified,
                sent_to_county_board,
            } => {
                let mut s = current.ok_or_else(no_stay)?;
                let section = parse_section(section)?;
                let kind = parse_kind(kind)?;
                if let Some(end) = s.stay.end {
                    if *from >= end {
                        return Err(WebError::invalid(
                            "from",
                            format!("the stay ended on {end}"),
                        ));
                    }
                }
                if let Some(sent) = sent_to_county_board {
                    if kind != Kind::Temporary {
                        return Err(WebError::invalid(
                            "sent_to_county_board",
                            "only a temporary decision is sent to the county board",
                        ));
                    }
                    if sent < decided {
                        return Err(WebError::invalid(
                            "sent_to_county_board",
                            "before the decision",
                        ));
                    }
                }
                let d = Decision {
                    section,
                    kind,
                    decided: *decided,
                    from: *from,
                    expected_delivery: *expected_delivery,
                    child_welfare_notified: *child_welfare_notified,
                    appealed: None,
                    sent_to_county_board: *sent_to_county_board,
                };
                legal_end(&d).map_err(|e| coercion_problem(&e))?;
                s.stay.decisions.push(d);
                if let Some(e) = check_stay(&s.stay).first() {
                    return Err(coercion_problem(e));
                }
                Ok(s)
            }
            CoercionCommand::Appealed { decision, date } => {
                let mut s = current.ok_or_else(no_stay)?;
                let d = decision_mut(&mut s, *decision)?;
                if d.appealed.is_some() {
                    return Err(WebError::invalid(
                        "decision",
                        "the decision has already been appealed",
                    ));
                }
                if *date < d.decided {
                    return Err(WebError::invalid("date", "before the decision"));
                }
                d.appealed = Some(*date);
                Ok(s)
            }
            CoercionCommand::SentToCountyBoard { decision, date } => {
                let mut s = current.ok_or_else(no_stay)?;
                let d = decision_mut(&mut s, *decision)?;
                if d.kind != Kind::Temporary {
                    return Err(WebError::invalid(
                        "decision",
                        "only a temporary decision is sent to the county board",
                    ));
                }
                if d.sent_to_county_board.is_some() {
                    return Err(WebError::invalid(
                        "decision",
                        "the case has already been sent to the county board",
                    ));
                }
                if *date < d.decided {
                    return Err(WebError::invalid("date", "before the decision"));
                }
                d.sent_to_county_board = Some(*date);
                Ok(s)
            }
        }
    }
}

fn decision_mut(s: &mut StayState, number: usize) -> Result<&mut Decision, WebError> {
    number
        .checked_sub(1)
        .and_then(|i| s.stay.decisions.get_mut(i))
        .ok_or_else(|| WebError::invalid("decision", "no such decision in the stay"))
}

/// Replays one stored event into its stay (an event that no longer parses or applies was
/// valid when written: it is logged and skipped).
pub(crate) fn replay_stay_event(current: Option<StayState>, ev: &StoredEvent) -> Option<StayState> {
    let cmd = match serde_json::from_str::<CoercionCommand>(&ev.body) {
        Ok(c) => c,
        Err(e) => {
            tracing::warn!(event = ev.id, error = %e, "stored coercion event does not parse");
            return current;
        }
    };
    match cmd.apply(current.clone()) {
        Ok(s) => Some(s),
        Err(e) => {
            tracing::warn!(event = ev.id, rule = %e.detail, "stored coercion event breaks a rule on replay");
            current
        }
    }
}

/// The organisation's stays, replayed, by stay id.
async fn load_stays(state: &AppState, org: OrgId) -> Result<BTreeMap<String, StayState>, WebError> {
    let prefix = coercion_prefix(org);
    let events: Vec<StoredEvent> = state.store.read_streams_with_prefix(&prefix).await?;
    let mut stays: BTreeMap<String, StayState> = BTreeMap::new();
    for ev in &events {
        let Some(stay_id) = ev.stream.strip_prefix(&prefix) else {
            continue;
        };
        if let Some(s) = replay_stay_event(stays.remove(stay_id), ev) {
            stays.insert(stay_id.to_owned(), s);
        }
    }
    Ok(stays)
}

/// One stay, replayed from its stream, and the stream's last sequence number.
async fn load_stay(
    state: &AppState,
    org: OrgId,
    stay_id: &str,
) -> Result<(Option<StayState>, i64), WebError> {
    let events = state
        .store
        .read_stream(&coercion_stream(org, stay_id))
        .await?;
    let last = events.last().map_or(0, |e| e.seq);
    Ok((events.iter().fold(None, replay_stay_event), last))
}

/// Checks a coercion command against the replayed stay and records it.
async fn coercion_write(
    state: &AppState,
    access: &OrgAccess<WriteCoercion>,
    stay_id: &str,
    cmd: CoercionCommand,
) -> Result<StayState, WebError> {
    let org = access.user.principal.org;
    let (current, expected) = load_stay(state, org, stay_id).await?;
    let next = cmd.apply(current)?;
    let ev = new_event(
        state,
        access,
        coercion_stream(org, stay_id),
        cmd.kind(),
        to_json(&cmd)?,
        cmd.date(),
        expected,
    );
    let entry = access.access(state, "", format!("coercion:{stay_id}"));
    state.store.append_with_access(&[ev], Some(&entry)).await?;
    Ok(next)
}

impl StayRequest {
    fn command(&self, today: Date) -> Result<(String, CoercionCommand), WebError> {
        Ok((
            stay_id_field(&self.stay_id)?,
            CoercionCommand::StayStarted {
                patient: reference("patient", &self.patient)?,
                start: past_date_field("start", &self.start, today)?,
            },
        ))
    }
}

impl DecisionRequest {
    /// The expected date of delivery may lie ahead; every other date must have happened.
    fn command(&self, today: Date) -> Result<CoercionCommand, WebError> {
        Ok(CoercionCommand::Decided {
            section: section_str(parse_section(&self.section)?).to_owned(),
            kind: kind_str(parse_kind(&self.kind)?).to_owned(),
            decided: past_date_field("decided", &self.decided, today)?,
            from: past_date_field("from", &self.from, today)?,
            expected_delivery: opt_date_field("expected_delivery", &self.expected_delivery)?,
            child_welfare_notified: opt_past_date_field(
                "child_welfare_notified",
                &self.child_welfare_notified,
                today,
            )?,
            sent_to_county_board: opt_past_date_field(
                "sent_to_county_board",
                &self.sent_to_county_board,
                today,
            )?,
        })
    }
}

/// One decision as answered, with its computed dates.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DecisionDoc {
    /// 1-based, in the order recorded (what an appeal names).
    pub number: usize,
    pub section: String,
    pub kind: String,
    pub decided: String,
    pub from: String,
    /// The last day the retention may last.
    pub legal_end: Option<String>,
    /// Temporary decisions: the date by which the case must reach the county board.
    pub county_board_due: Option<String>,
    pub expected_delivery: Option<String>,
    pub child_welfare_notified: Option<String>,
    pub appealed: Option<String>,
    pub sent_to_county_board: Option<String>,
}

/// A warning on a stay.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct WarningDoc {
    /// `past_legal_limit` (the stay went on, or ended, after the last legal end),
    /// `gap_between_decisions` (days between two decisions that no decision covers) or
    /// `temporary_decision_lapsed`.
    pub kind: String,
    pub section: String,
    /// The legal end passed (the last lawful day), or the county-board due date missed.
    pub date: String,
    /// `gap_between_decisions`: the first day of the next decision's retention.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_from: Option<String>,
}

/// A stay as answered.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StayDoc {
    pub stay_id: String,
    pub patient: String,
    pub start: String,
    pub end: Option<String>,
    pub decisions: Vec<DecisionDoc>,
    /// On the as-of date.
    pub warnings: Vec<WarningDoc>,
}

fn d2s(d: Option<Date>) -> Option<String> {
    d.map(|d| d.to_string())
}

fn stay_doc(stay_id: &str, s: &StayState, as_of: Date) -> StayDoc {
    StayDoc {
        stay_id: stay_id.to_owned(),
        patient: s.patient.clone(),
        start: s.stay.start.to_string(),
        end: d2s(s.stay.end),
        decisions: s
            .stay
            .decisions
            .iter()
            .enumerate()
            .map(|(i, d)| DecisionDoc {
                number: i + 1,
                section: section_str(d.section).to_owned(),
                kind: kind_str(d.kind).to_owned(),
                decided: d.decided.to_string(),
                from: d.from.to_string(),
                legal_end: d2s(legal_end(d).ok()),
                county_board_due: d2s(county_board_due(d)),
                expected_delivery: d2s(d.expected_delivery),
                child_welfare_notified: d2s(d.child_welfare_notified),
                appealed: d2s(d.appealed),
                sent_to_county_board: d2s(d.sent_to_county_board),
            })
            .collect(),
        warnings: coercion::warnings(&s.stay, as_of)
            .into_iter()
            .map(|w| match w {
                Warning::PastLegalLimit { section, legal_end } => WarningDoc {
                    kind: "past_legal_limit".into(),
                    section: section_str(section).into(),
                    date: legal_end.to_string(),
                    next_from: None,
                },
                Warning::GapBetweenDecisions {
                    section,
                    legal_end,
                    next_from,
                } => WarningDoc {
                    kind: "gap_between_decisions".into(),
                    section: section_str(section).into(),
                    date: legal_end.to_string(),
                    next_from: Some(next_from.to_string()),
                },
                Warning::TemporaryDecisionLapsed { section, due } => WarningDoc {
                    kind: "temporary_decision_lapsed".into(),
                    section: section_str(section).into(),
                    date: due.to_string(),
                    next_from: None,
                },
            })
            .collect(),
    }
}

/// One row of the yearly table.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TableRow {
    pub section: String,
    pub temporary: u32,
    pub main: u32,
    pub appeals: u32,
}

/// The yearly table.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct YearTable {
    pub year: i16,
    pub rows: Vec<TableRow>,
}

fn table(stays: &BTreeMap<String, StayState>, year: i16) -> YearTable {
    YearTable {
        year,
        rows: yearly_table(stays.values().flat_map(|s| s.stay.decisions.iter()), year)
            .into_iter()
            .map(|(s, r)| TableRow {
                section: section_str(s).to_owned(),
                temporary: r.temporary,
                main: r.main,
                appeals: r.appeals,
            })
            .collect(),
    }
}

/// Reads the stays, logging the read.
async fn coercion_read<A>(
    state: &AppState,
    access: &OrgAccess<A>,
    what: &str,
) -> Result<BTreeMap<String, StayState>, WebError> {
    let org = access.user.principal.org;
    let stays = load_stays(state, org).await?;
    state
        .store
        .log_access(&access.access(state, "", format!("{what}:org:{}", org.0)))
        .await?;
    Ok(stays)
}

/// Records a coercion command through the API: 201 with the stay as it now is.
async fn coercion_created(
    state: &AppState,
    access: &OrgAccess<WriteCoercion>,
    stay_id: &str,
    cmd: CoercionCommand,
) -> Result<Response, WebError> {
    let s = coercion_write(state, access, stay_id, cmd).await?;
    let doc = stay_doc(stay_id, &s, state.clock.today());
    Ok((StatusCode::CREATED, axum::Json(doc)).into_response())
}

/// Starts an institutional stay.
#[utoipa::path(post, path = "/api/v1/coercion/stays", request_body = StayRequest,
    responses((status = 201, body = StayDoc), (status = 422, body = crate::error::Problem), (status = 403, body = crate::error::Problem)))]
async fn api_stay(
    State(state): State<AppState>,
    access: OrgAccess<WriteCoercion>,
    crate::api::ApiJson(req): crate::api::ApiJson<StayRequest>,
) -> Result<Response, WebError> {
    let (stay_id, cmd) = req.command(state.clock.today())?;
    coercion_created(&state, &access, &stay_id, cmd).await
}

/// Ends a stay.
#[utoipa::path(post, path = "/api/v1/coercion/stays/{stay_id}/end", request_body = DateRequest,
    responses((status = 201, body = StayDoc), (status = 422, body = crate::error::Problem)))]
async fn api_end_stay(
    State(state): State<AppState>,
    access: OrgAccess<WriteCoercion>,
    Path(stay_id): Path<String>,
    crate::api::ApiJson(req): crate::api::ApiJson<DateRequest>,
) -> Result<Response, WebError> {
    let stay_id = stay_id_field(&stay_id)?;
    let cmd = CoercionCommand::StayEnded {
        date: past_date_field("date", &req.date, state.clock.today())?,
    };
    coercion_created(&state, &access, &stay_id, cmd).await
}

/// Records a decision under § 10-2, 10-3 or 10-4; answers the stay with the computed dates.
#[utoipa::path(post, path = "/api/v1/coercion/stays/{stay_id}/decisions", request_body = DecisionRequest,
    responses((status = 201, body = StayDoc), (status = 422, body = crate::error::Problem)))]
async fn api_decide(
    State(state): State<AppState>,
    access: OrgAccess<WriteCoercion>,
    Path(stay_id): Path<String>,
    crate::api::ApiJson(req): crate::api::ApiJson<DecisionRequest>,
) -> Result<Response, WebError> {
    let stay_id = stay_id_field(&stay_id)?;
    let cmd = req.command(state.clock.today())?;
    coercion_created(&state, &access, &stay_id, cmd).await
}

/// Records an appeal (klage) against a decision.
#[utoipa::path(post, path = "/api/v1/coercion/stays/{stay_id}/decisions/{number}/appeal", request_body = DateRequest,
    responses((status = 201, body = StayDoc), (status = 422, body = crate::error::Problem)))]
async fn api_appeal(
    State(state): State<AppState>,
    access: OrgAccess<WriteCoercion>,
    Path((stay_id, number)): Path<(String, usize)>,
    crate::api::ApiJson(req): crate::api::ApiJson<DateRequest>,
) -> Result<Response, WebError> {
    let stay_id = stay_id_field(&stay_id)?;
    let cmd = CoercionCommand::Appealed {
        decision: number,
        date: past_date_field("date", &req.date, state.clock.today())?,
    };
    coercion_created(&state, &access, &stay_id, cmd).await
}

/// Records that a temporary decision was sent to the county board.
#[utoipa::path(post, path = "/api/v1/coercion/stays/{stay_id}/decisions/{number}/county-board", request_body = DateRequest,
    responses((status = 201, body = StayDoc), (status = 422, body = crate::error::Problem)))]
async fn api_county_board(
    State(state): State<AppState>,
    access: OrgAccess<WriteCoercion>,
    Path((stay_id, number)): Path<(String, usize)>,
    crate::api::ApiJson(req): crate::api::ApiJson<DateRequest>,
) -> Result<Response, WebError> {
    let stay_id = stay_id_field(&stay_id)?;
    let cmd = CoercionCommand::SentToCountyBoard {
        decision: number,
        date: past_date_field("date", &req.date, state.clock.today())?,
    };
    coercion_created(&state, &access, &stay_id, cmd).await
}

/// Every stay with its decisions, computed end dates and the warnings on `as_of`.
#[utoipa::path(get, path = "/api/v1/coercion/stays", params(("as_of" = Option<String>, Query, description = "YYYY-MM-DD, default today")),
    responses((status = 200, body = [StayDoc])))]
async fn api_stays(
    State(state): State<AppState>,
    access: OrgAccess<ReadCoercion>,
    Query(q): Query<AsOfQuery>,
) -> Result<Response, WebError> {
    let date = as_of(&state, q.as_of.as_deref())?;
    let stays = coercion_read(&state, &access, "coercion-stays").await?;
    let docs: Vec<StayDoc> = stays.iter().map(|(id, s)| stay_doc(id, s, date)).collect();
    Ok(axum::Json(docs).into_response())
}

#[derive(Deserialize)]
pub(crate) struct YearQuery {
    pub(crate) year: Option<String>,
}

pub(crate) fn year_of(state: &AppState, q: Option<&str>) -> Result<i16, WebError> {
    match q.map(str::trim) {
        None | Some("") => Ok(state.clock.today().year()),
        Some(s) => s
            .parse::<i16>()
            .ok()
            .filter(|y| (1900..=2999).contains(y))
            .ok_or_else(|| WebError::invalid("year", "a year as YYYY")),
    }
}

/// The yearly table: temporary decisions, main cases and appeals per section.
#[utoipa::path(get, path = "/api/v1/coercion/table", params(("year" = Option<i16>, Query, description = "default this year")),
    responses((status = 200, body = YearTable)))]
async fn api_table(
    State(state): State<AppState>,
    access: OrgAccess<ReadCoercion>,
    Query(q): Query<YearQuery>,
) -> Result<Response, WebError> {
    let year = year_of(&state, q.year.as_deref())?;
    let stays = coercion_read(&state, &access, "coercion-table").await?;
    Ok(axum::Json(table(&stays, year)).into_response())
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        api_admit,
        api_discharge,
        api_delegate,
        api_agreement,
        api_dispensing,
        api_agreements,
        api_patients,
        api_population,
        api_stay,
        api_end_stay,
        api_decide,
        api_appeal,
        api_county_board,
        api_stays,
        api_table
    ),
    components(schemas(
        AdmitRequest,
        DischargeRequest,
        DelegateRequest,
        AgreementRequest,
        DispensingRequest,
        EpisodeDoc,
        AgreementDoc,
        PopulationRow,
        Population,
        StayRequest,
        DateRequest,
        DecisionRequest,
        DecisionDoc,
        WarningDoc,
        StayDoc,
        TableRow,
        YearTable
    ))
)]
pub struct TreatmentApiDoc;

// ------------------------------------------------------------------ HTML

/// The access-log entry for a page's read of `action`'s data. A page shown again after a
/// refused form (reached with the write permission) logs a read, not a write: the read is
/// decided here by the same function as every other access.
fn page_read_entry(
    state: &AppState,
    user: &CurrentUser,
    action: Action,
    what: &str,
) -> Result<NewAccess, WebError> {
    let org = user.principal.org;
    let decision = decide(&user.principal, action, &Subject::of_org(org), None);
    if !decision.allowed {
        return Err(WebError::denied(&decision).html());
    }
    Ok(access_entry(
        state,
        user,
        action,
        Target {
            owner: org,
            subject: "",
            record: format!("{what}:org:{}", org.0),
        },
        &decision,
        None,
    ))
}

fn render<T: Template>(t: &T, status: StatusCode) -> Result<Response, WebError> {
    let mut res = crate::html::render(t)?;
    *res.status_mut() = status;
    Ok(res)
}

#[derive(Template)]
#[template(path = "lar.html")]
struct LarT {
    c: Chrome,
    as_of: String,
    population: Population,
    episodes: Vec<EpisodeDoc>,
    agreements: Vec<AgreementDoc>,
    error: Option<String>,
    /// The i18n key of the user's recorded qualification.
    qualification_key: &'static str,
}

async fn lar_view(
    state: &AppState,
    c: Chrome,
    user: &CurrentUser,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let today = state.clock.today();
    let entry = page_read_entry(state, user, Action::LarRead, "lar")?;
    let (reg, _) = load_lar(state, user.principal.org)
        .await
        .map_err(WebError::html)?;
    state
        .store
        .log_access(&entry)
        .await
        .map_err(|e| WebError::from(e).html())?;
    render(
        &LarT {
            c,
            as_of: today.to_string(),
            population: population(&reg, today),
            episodes: episodes(&reg, today),
            agreements: agreements(&reg, today),
            error,
            qualification_key: match user.principal.qualification {
                Qualification::Specialist => "lar_role_specialist",
                Qualification::Physician => "lar_role_physician",
                Qualification::Gp => "lar_role_gp",
                Qualification::Other => "lar_role_other",
            },
        },
        status,
    )
}

async fn lar_page(
    State(state): State<AppState>,
    page: Page,
    access: Result<OrgAccess<ReadLar>, WebError>,
) -> Result<Response, WebError> {
    let access = access.map_err(WebError::html)?;
    lar_view(&state, page.c, &access.user, None, StatusCode::OK).await
}

/// Every field of the LAR forms (each form sends its own).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct LarForm {
    csrf: String,
    patient: String,
    unit: String,
    kommune: String,
    date: String,
    decided_by: String,
    gp: String,
    from: String,
    until: String,
}

async fn lar_submit(
    State(state): State<AppState>,
    page: Page,
    access: Result<OrgAccess<WriteLar>, WebError>,
    Path(command): Path<String>,
    Form(f): Form<LarForm>,
) -> Result<Response, WebError> {
    let access = access.map_err(WebError::html)?;
    access.user.check_csrf(&f.csrf).map_err(WebError::html)?;
    let org = access.user.principal.org;
    let q = access.user.principal.qualification;
    let result = async {
        let cmd = match command.as_str() {
            "admit" => {
                AdmitRequest {
                    patient: f.patient.clone(),
                    unit: f.unit.clone(),
                    kommune: f.kommune.clone(),
                    date: f.date.clone(),
                    decided_by: f.decided_by.clone(),
                }
                .command(&state, org, q)
                .await?
            }
            "discharge" => DischargeRequest {
                patient: f.patient.clone(),
                date: f.date.clone(),
                decided_by: f.decided_by.clone(),
            }
            .command(q, state.clock.today())?,
            "delegate" => DelegateRequest {
                patient: f.patient.clone(),
                gp: f.gp.clone(),
                date: f.date.clone(),
                decided_by: f.decided_by.clone(),
            }
            .command(q, state.clock.today())?,
            "agreement" => {
                AgreementRequest {
                    unit: f.unit.clone(),
                    kommune: f.kommune.clone(),
                    from: f.from.clone(),
                    until: f.until.clone(),
                }
                .command(&state, org)
                .await?
            }
            _ => return Err(WebError::not_found()),
        };
        lar_write(&state, &access, cmd).await
    }
    .await;
    match result {
        Ok(()) => Ok(Redirect::to("/pathways/lar").into_response()),
        Err(e) if e.status.is_client_error() && e.status != StatusCode::NOT_FOUND => {
            lar_view(&state, page.c, &access.user, Some(e.detail), e.status).await
        }
        Err(e) => Err(e.html()),
    }
}

/// A decision as shown.
struct DecisionView {
    stay_id: String,
    doc: DecisionDoc,
}

/// A warning as shown.
struct WarningView {
    stay_id: String,
    text: String,
}

#[derive(Template)]
#[template(path = "coercion.html")]
struct CoercionT {
    c: Chrome,
    as_of: String,
    year: i16,
    stays: Vec<StayDoc>,
    decisions: Vec<DecisionView>,
    warnings: Vec<WarningView>,
    table: YearTable,
    error: Option<String>,
}

async fn coercion_view(
    state: &AppState,
    c: Chrome,
    user: &CurrentUser,
    year: i16,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let today = state.clock.today();
    let entry = page_read_entry(state, user, Action::CoercionRead, "coercion")?;
    let stays = load_stays(state, user.principal.org)
        .await
        .map_err(WebError::html)?;
    state
        .store
        .log_access(&entry)
        .await
        .map_err(|e| WebError::from(e).html())?;
    let docs: Vec<StayDoc> = stays.iter().map(|(id, s)| stay_doc(id, s, today)).collect();
    let l = c.l;
    let decisions = docs
        .iter()
        .flat_map(|s| {
            s.decisions.iter().map(|d| DecisionView {
                stay_id: s.stay_id.clone(),
                doc: d.clone(),
            })
        })
        .collect();
    let warnings = docs
        .iter()
        .flat_map(|s| {
            s.warnings.iter().map(|w| {
                let mut text = format!(
                    "§ {} – {} {}",
                    w.section,
                    l.t(&format!("coercion_{}", w.kind)),
                    w.date
                );
                if let Some(next) = &w.next_from {
                    text.push_str(&format!(", {} {next}", l.t("coercion_next_from")));
                }
                WarningView {
                    stay_id: s.stay_id.clone(),
                    text,
                }
            })
        })
        .collect();
    render(
        &CoercionT {
            c,
            as_of: today.to_string(),
            year,
            table: table(&stays, year),
            stays: docs,
            decisions,
            warnings,
            error,
        },
        status,
    )
}

async fn coercion_page(
    State(state): State<AppState>,
    page: Page,
    access: Result<OrgAccess<ReadCoercion>, WebError>,
    Query(q): Query<YearQuery>,
) -> Result<Response, WebError> {
    let access = access.map_err(WebError::html)?;
    let year = year_of(&state, q.year.as_deref()).map_err(WebError::html)?;
    coercion_view(&state, page.c, &access.user, year, None, StatusCode::OK).await
}

/// Every field of the coercion forms.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct CoercionForm {
    csrf: String,
    stay_id: String,
    patient: String,
    start: String,
    section: String,
    kind: String,
    decided: String,
    from: String,
    expected_delivery: String,
    child_welfare_notified: String,
    decision: String,
    date: String,
}

async fn coercion_submit(
    State(state): State<AppState>,
    page: Page,
    access: Result<OrgAccess<WriteCoercion>, WebError>,
    Path(command): Path<String>,
    Form(f): Form<CoercionForm>,
) -> Result<Response, WebError> {
    let access = access.map_err(WebError::html)?;
    access.user.check_csrf(&f.csrf).map_err(WebError::html)?;
    let today = state.clock.today();
    let result = async {
        let (stay_id, cmd) = match command.as_str() {
            "stay" => StayRequest {
                stay_id: f.stay_id.clone(),
                patient: f.patient.clone(),
                start: f.start.clone(),
            }
            .command(today)?,
            "decision" => (
                stay_id_field(&f.stay_id)?,
                DecisionRequest {
                    section: f.section.clone(),
                    kind: f.kind.clone(),
                    decided: f.decided.clone(),
                    from: f.from.clone(),
                    expected_delivery: f.expected_delivery.clone(),
                    child_welfare_notified: f.child_welfare_notified.clone(),
                    sent_to_county_board: String::new(),
                }
                .command(today)?,
            ),
            "appeal" => (
                stay_id_field(&f.stay_id)?,
                CoercionCommand::Appealed {
                    decision: f.decision.trim().parse().map_err(|_| {
                        WebError::invalid("decision", "the decision's number in the stay")
                    })?,
                    date: past_date_field("date", &f.date, today)?,
                },
            ),
            _ => return Err(WebError::not_found()),
        };
        coercion_write(&state, &access, &stay_id, cmd).await
    }
    .await;
    let year = today.year();
    match result {
        Ok(_) => Ok(Redirect::to("/pathways/coercion").into_response()),
        Err(e) if e.status.is_client_error() && e.status != StatusCode::NOT_FOUND => {
            coercion_view(&state, page.c, &access.user, year, Some(e.detail), e.status).await
        }
        Err(e) => Err(e.html()),
    }
}
