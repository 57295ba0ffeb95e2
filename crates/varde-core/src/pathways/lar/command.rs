//! LAR commands: what a unit records, as it is stored in the event log (the body of one event
//! in the stream `lar:{org}`, kind [`LarCommand::kind`]), applied to the [`LarRegister`] by the
//! rules of this module's parent. The register of an organisation is the replay of its
//! commands ([`replay`]).

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::{DispensingAgreement, LarError, LarRegister};
use crate::events::Skipped;
use crate::fields::FieldError;
use crate::org::Qualification;

/// A LAR command as stored in the event log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case")]
pub enum LarCommand {
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
    /// The event kind it is logged as (`lar.{verb}`).
    pub fn kind(&self) -> &'static str {
        match self {
            LarCommand::Admit { .. } => "lar.admitted",
            LarCommand::Discharge { .. } => "lar.discharged",
            LarCommand::Delegate { .. } => "lar.prescribing_delegated",
            LarCommand::Agreement { .. } => "lar.agreement_added",
            LarCommand::Dispensing { .. } => "lar.municipal_dispensing_started",
        }
    }

    /// The date it takes effect.
    pub fn date(&self) -> Date {
        match self {
            LarCommand::Admit { date, .. }
            | LarCommand::Discharge { date, .. }
            | LarCommand::Delegate { date, .. }
            | LarCommand::Dispensing { date, .. } => *date,
            LarCommand::Agreement { from, .. } => *from,
        }
    }

    /// The patient reference it is about (none for an agreement).
    pub fn patient(&self) -> Option<&str> {
        match self {
            LarCommand::Admit { patient, .. }
            | LarCommand::Discharge { patient, .. }
            | LarCommand::Delegate { patient, .. }
            | LarCommand::Dispensing { patient, .. } => Some(patient),
            LarCommand::Agreement { .. } => None,
        }
    }

    /// The record it concerns, as the access log names it.
    pub fn record(&self) -> String {
        match self {
            LarCommand::Admit { patient, .. }
            | LarCommand::Discharge { patient, .. }
            | LarCommand::Delegate { patient, .. }
            | LarCommand::Dispensing { patient, .. } => format!("lar:{patient}"),
            LarCommand::Agreement { kommune, .. } => format!("lar-agreement:{kommune}"),
        }
    }

    /// Applies the command to the register by the LAR rules.
    pub fn apply(&self, reg: &mut LarRegister) -> Result<(), LarError> {
        match self {
            LarCommand::Admit {
                patient,
                unit,
                kommune,
                date,
                decided_by,
            } => reg.admit((*decided_by).into(), patient, unit, kommune, *date),
            LarCommand::Discharge {
                patient,
                date,
                decided_by,
            } => reg.discharge((*decided_by).into(), patient, *date),
            LarCommand::Delegate {
                patient,
                gp,
                date,
                decided_by,
            } => reg.delegate_prescribing((*decided_by).into(), patient, gp, *date),
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

    /// Applies the command, naming the field and the rule of a refusal (never the patient
    /// reference).
    pub fn check(&self, reg: &mut LarRegister) -> Result<(), FieldError> {
        self.apply(reg).map_err(|e| self.field_error(&e))
    }

    fn field_error(&self, e: &LarError) -> FieldError {
        match e {
            LarError::NotSpecialist => match self {
                LarCommand::Delegate { .. } => FieldError::new(
                    "decided_by",
                    "prescribing is delegated by the specialist unit: decided_by must be specialist or physician",
                ),
                _ => FieldError::new(
                    "decided_by",
                    "only a specialist may decide admission to or discharge from LAR",
                ),
            },
            LarError::AlreadyAdmitted(_) => {
                FieldError::new("patient", "the patient is already in LAR")
            }
            LarError::NotInLar(_) => {
                FieldError::new("patient", "the patient is not in LAR on that date")
            }
            LarError::OverlapsEpisode {
                admitted,
                discharged,
                ..
            } => FieldError::new(
                "date",
                format!(
                    "an admission may not overlap the patient's earlier LAR episode ({admitted} to {discharged}); it may begin on or after {discharged}"
                ),
            ),
            LarError::BeforeAdmission { admitted, .. } => FieldError::new(
                "date",
                format!("the date is before the admission on {admitted}"),
            ),
            LarError::NoDispensingAgreement { kommune, date, .. } => FieldError::new(
                "date",
                format!(
                    "no dispensing agreement between the unit and municipality {kommune} on {date}"
                ),
            ),
            LarError::AgreementPeriod => {
                FieldError::new("until", "the agreement ends before it starts")
            }
        }
    }
}

/// The qualification a decision is registered with: the acting user's recorded one (`own`). A
/// The prefix of a LAR patient reference that names a person of the organisation's register
/// by id (`person:42`): such a patient is the person the unit's pathways belong to, and their
/// LAR treatment shows on those pathways. Any other reference stays the unit's own pseudonym.
pub const PERSON_REFERENCE: &str = "person:";

/// The person id a reference names, if it is of the form `person:{id}`.
pub fn person_of_reference(reference: &str) -> Option<i64> {
    reference.strip_prefix(PERSON_REFERENCE)?.parse().ok()
}

/// The reference of a person of the register (`person:{id}`).
pub fn person_reference(person: i64) -> String {
    format!("{PERSON_REFERENCE}{person}")
}

/// request may name it (`decided_by`); naming another is refused, never trusted.
pub fn decided_by(given: &str, own: Qualification) -> Result<Qualification, FieldError> {
    if !given.trim().is_empty() {
        let named: Qualification = given.trim().parse().map_err(|_| {
            FieldError::new("decided_by", "one of specialist, physician, gp, other")
        })?;
        if named != own {
            return Err(FieldError::new(
                "decided_by",
                format!(
                    "a decision is registered with the qualification recorded for your user ({own}); ask the user who took it to register it"
                ),
            ));
        }
    }
    Ok(own)
}

/// An organisation's LAR register, replayed from its stored commands `(event id, body)` in log
/// order.
pub fn replay<'a>(events: impl IntoIterator<Item = (i64, &'a str)>) -> (LarRegister, Vec<Skipped>) {
    let mut reg = LarRegister::new();
    let mut skipped = Vec::new();
    for (event, body) in events {
        let why = match serde_json::from_str::<LarCommand>(body) {
            Ok(cmd) => match cmd.check(&mut reg) {
                Ok(()) => continue,
                Err(e) => format!("breaks a rule on replay: {e}"),
            },
            Err(e) => format!(
                "does not parse ({:?} error at column {})",
                e.classify(),
                e.column()
            ),
        };
        skipped.push(Skipped { event, why });
    }
    (reg, skipped)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    fn admit(q: Qualification) -> LarCommand {
        LarCommand::Admit {
            patient: "P1".into(),
            unit: "Enhet".into(),
            kommune: "0301".into(),
            date: d("2026-01-05"),
            decided_by: q,
        }
    }

    #[test]
    fn commands_replay_to_the_register_and_refusals_name_fields() {
        let mut reg = LarRegister::new();
        let e = admit(Qualification::Physician).check(&mut reg).unwrap_err();
        assert_eq!(e.field, "decided_by");
        admit(Qualification::Specialist).check(&mut reg).unwrap();
        let e = admit(Qualification::Specialist)
            .check(&mut reg)
            .unwrap_err();
        assert_eq!(
            (e.field.as_ref(), e.rule.as_str()),
            ("patient", "the patient is already in LAR")
        );
        assert!(!e.rule.contains("P1"));
        // Stored bodies replay to the same register; a broken body is skipped and reported.
        let body = serde_json::to_string(&admit(Qualification::Specialist)).unwrap();
        let (replayed, skipped) = replay([(1, body.as_str()), (2, "{\"command\":\"teleport\"}")]);
        assert_eq!(
            replayed.population_by_unit(d("2026-02-01")).get("Enhet"),
            Some(&1)
        );
        assert_eq!(skipped.len(), 1);
        assert_eq!(skipped[0].event, 2);
        assert_eq!(admit(Qualification::Specialist).kind(), "lar.admitted");
        assert_eq!(admit(Qualification::Specialist).record(), "lar:P1");
    }

    #[test]
    fn decided_by_is_the_users_own_qualification() {
        assert_eq!(
            decided_by("", Qualification::Gp).unwrap(),
            Qualification::Gp
        );
        assert_eq!(
            decided_by("specialist", Qualification::Specialist).unwrap(),
            Qualification::Specialist
        );
        assert!(decided_by("specialist", Qualification::Physician).is_err());
        assert_eq!(
            decided_by("surgeon", Qualification::Other)
                .unwrap_err()
                .field,
            "decided_by"
        );
    }
}
