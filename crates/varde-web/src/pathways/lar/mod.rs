//! LAR (legemiddelassistert rehabilitering) for TSB treatment units: the operations the
//! pages (`pages.rs`), the JSON API (`api.rs`) and the demo data share — one per command,
//! [`record`] — and the views of the register.
//!
//! The rules and the stored event schema are `varde_core::pathways::lar` (with `command`).
//! Storage is event-sourced without a projection table: each command is one event in the
//! stream `lar:{org}`, and the register is the replay of the organisation's events through the
//! same rules. A write replays, applies the new command (a broken rule is a 422 naming the
//! field and the rule), then appends the event with its access-log entry in one transaction,
//! expecting the stream's last sequence number it read (a write in between: 409).
//!
//! Who decided: the qualification recorded for the acting user (`users.qualification`); a
//! request may name `decided_by`, and naming another than the user's own is refused. Patients
//! are pseudonymous references, never national identity numbers.

mod api;
mod pages;

use axum::Router;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use varde_core::authz::{decide, Action, Subject};
use varde_core::fields::{self, FieldError};
use varde_core::org::{OrgId, Principal, Qualification};
use varde_core::pathways::lar::command::{decided_by, replay, LarCommand};
use varde_core::pathways::lar::{person_of_reference, LarRegister, Prescriber, PERSON_REFERENCE};
use varde_store::lar_stream;

pub use api::ApiDoc;

use crate::authz::{read_entry, OrgAccess, WriteLar};
use crate::error::WebError;
use crate::AppState;

pub fn routes() -> Router<AppState> {
    pages::routes()
}

pub fn api_routes() -> Router<AppState> {
    api::routes()
}

/// What turning a request into a command needs besides the request.
pub struct Ctx {
    pub today: Date,
    /// The acting user's recorded qualification.
    pub qualification: Qualification,
    /// The organisation's name: the unit when a request names none.
    pub org_name: String,
}

impl Ctx {
    fn unit(&self, given: &str) -> Result<String, FieldError> {
        Ok(fields::safe_text("unit", given, 200)?.unwrap_or_else(|| self.org_name.clone()))
    }
}

/// A request for one LAR command, as a form or a JSON body gives it.
pub trait LarRequest: Sync {
    fn command(&self, ctx: &Ctx) -> Result<LarCommand, FieldError>;
}

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

impl LarRequest for AdmitRequest {
    fn command(&self, ctx: &Ctx) -> Result<LarCommand, FieldError> {
        Ok(LarCommand::Admit {
            patient: fields::reference("patient", &self.patient)?,
            kommune: fields::kommune("kommune", &self.kommune)?,
            date: fields::past_date("date", &self.date, ctx.today)?,
            decided_by: decided_by(&self.decided_by, ctx.qualification)?,
            unit: ctx.unit(&self.unit)?,
        })
    }
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

impl LarRequest for DischargeRequest {
    fn command(&self, ctx: &Ctx) -> Result<LarCommand, FieldError> {
        Ok(LarCommand::Discharge {
            patient: fields::reference("patient", &self.patient)?,
            date: fields::past_date("date", &self.date, ctx.today)?,
            decided_by: decided_by(&self.decided_by, ctx.qualification)?,
        })
    }
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

impl LarRequest for DelegateRequest {
    fn command(&self, ctx: &Ctx) -> Result<LarCommand, FieldError> {
        Ok(LarCommand::Delegate {
            patient: fields::reference("patient", &self.patient)?,
            gp: fields::reference("gp", &self.gp)?,
            date: fields::past_date("date", &self.date, ctx.today)?,
            decided_by: decided_by(&self.decided_by, ctx.qualification)?,
        })
    }
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

impl LarRequest for AgreementRequest {
    fn command(&self, ctx: &Ctx) -> Result<LarCommand, FieldError> {
        Ok(LarCommand::Agreement {
            kommune: fields::kommune("kommune", &self.kommune)?,
            from: fields::past_date("from", &self.from, ctx.today)?,
            until: fields::opt_date("until", &self.until)?,
            unit: ctx.unit(&self.unit)?,
        })
    }
}

/// Municipal dispensing for a patient from a date (needs an agreement with the patient's
/// municipality).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct DispensingRequest {
    pub patient: String,
    pub date: String,
}

impl LarRequest for DispensingRequest {
    fn command(&self, ctx: &Ctx) -> Result<LarCommand, FieldError> {
        Ok(LarCommand::Dispensing {
            patient: fields::reference("patient", &self.patient)?,
            date: fields::past_date("date", &self.date, ctx.today)?,
        })
    }
}

/// The organisation's LAR register, replayed, and its stream's last sequence number. An event
/// that no longer replays (it did when written) is logged and left out.
pub async fn load(state: &AppState, org: OrgId) -> Result<(LarRegister, i64), WebError> {
    let events = state.store.read_stream(&lar_stream(org)).await?;
    let last = events.last().map_or(0, |e| e.seq);
    let (reg, skipped) = replay(events.iter().map(|e| (e.id, e.body.as_str())));
    for s in skipped {
        tracing::warn!(event = s.event, why = %s.why, "stored LAR event left out of the replay");
    }
    Ok((reg, last))
}

/// Records one LAR command: the request turned into the command, checked against the replayed
/// register, and appended with its access-log entry.
pub async fn record(
    state: &AppState,
    access: &OrgAccess<WriteLar>,
    req: &impl LarRequest,
) -> Result<(), WebError> {
    let org = access.org();
    let ctx = Ctx {
        today: state.clock.today(),
        qualification: access.principal.qualification,
        org_name: state.store.org(org).await?.name,
    };
    let cmd = req.command(&ctx)?;
    // A patient named as a person of the register (`person:{id}`) must be one of this
    // organisation's; the entry then has the person as subject (their § 18 report lists it).
    let subject = match cmd.patient().filter(|p| p.starts_with(PERSON_REFERENCE)) {
        None => String::new(),
        Some(p) => {
            let unknown = || {
                WebError::invalid(
                    "patient",
                    "person: must be followed by the id of a person in the organisation's register",
                )
            };
            let id = person_of_reference(p).ok_or_else(unknown)?;
            match state.store.person_ref(id).await? {
                Some(person) if person.org_id == org => person.pseudonym,
                _ => return Err(unknown()),
            }
        }
    };
    let (mut reg, last) = load(state, org).await?;
    cmd.check(&mut reg)?;
    let body = serde_json::to_string(&cmd).map_err(|_| WebError::internal("serialise command"))?;
    let ev = access.event(state, lar_stream(org), cmd.kind(), body, cmd.date(), last);
    let entry = access.access(state, &subject, cmd.record());
    state.store.append_with_access(&[ev], Some(&entry)).await?;
    Ok(())
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

pub fn episodes(reg: &LarRegister, as_of: Date) -> Vec<EpisodeDoc> {
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

/// A municipality's name (empty for an unknown number).
pub fn kommune_name(k: &str) -> String {
    varde_core::refdata::get()
        .kommune(k)
        .map(|m| m.name.clone())
        .unwrap_or_default()
}

pub fn agreements(reg: &LarRegister, as_of: Date) -> Vec<AgreementDoc> {
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

pub fn population(reg: &LarRegister, as_of: Date) -> Population {
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

/// A patient's LAR treatment today, as the pathway page shows it.
#[derive(Debug, Clone)]
pub struct LarSummary {
    /// In LAR today; the fields below describe today's episode (empty when not in LAR).
    pub in_lar: bool,
    pub admitted: String,
    pub unit: String,
    pub kommune: String,
    pub kommune_name: String,
    /// The GP prescribing by delegation, and from when; `None`: the unit prescribes.
    pub delegation: Option<(String, String)>,
    /// Municipal dispensing from this date.
    pub municipal_from: Option<String>,
    /// The dispensing agreement in force with the patient's municipality: from, until.
    pub agreement: Option<(String, Option<String>)>,
}

/// The LAR treatment on `today` of the patient whose pathway is `pathway_id`, for the pathway
/// page.
///
/// The patient's LAR treatment on `today`, for the pathway page. The register keys its
/// patients by a reference: a pathway's patient is found under `person:{id}` when the pathway
/// names a person of the register, else under the pathway id (the unit's pseudonymous key);
/// `refs` are those candidates, the first the register knows is used. `None` when the user may
/// not read LAR (nothing logged: the page does not ask for it then) or when the register knows
/// none of them (the read is logged all the same).
pub async fn pathway_summary(
    state: &AppState,
    principal: &Principal,
    refs: &[String],
    today: Date,
) -> Result<Option<LarSummary>, WebError> {
    let org = principal.org;
    if !decide(principal, Action::LarRead, &Subject::of_org(org), None).allowed {
        return Ok(None);
    }
    let entry = read_entry(
        state,
        principal,
        Action::LarRead,
        format!("lar:{}", refs.join("|")),
    )
    .await?;
    let (reg, _) = load(state, org).await?;
    state.store.log_access(&entry).await?;
    let Some(patient) = refs.iter().find(|r| reg.knows(r)) else {
        return Ok(None);
    };
    let Some(t) = reg.treatment_on(patient, today) else {
        return Ok(Some(LarSummary {
            in_lar: false,
            admitted: String::new(),
            unit: String::new(),
            kommune: String::new(),
            kommune_name: String::new(),
            delegation: None,
            municipal_from: None,
            agreement: None,
        }));
    };
    let e = t.episode;
    Ok(Some(LarSummary {
        in_lar: true,
        admitted: e.admitted.to_string(),
        unit: e.unit.clone(),
        kommune: e.kommune.clone(),
        kommune_name: kommune_name(&e.kommune),
        delegation: t
            .delegation
            .map(|(gp, from)| (gp.to_owned(), from.to_string())),
        municipal_from: e
            .municipal_dispensing_from
            .filter(|d| *d <= today)
            .map(|d| d.to_string()),
        agreement: t
            .agreement
            .map(|a| (a.from.to_string(), a.until.map(|u| u.to_string()))),
    }))
}
