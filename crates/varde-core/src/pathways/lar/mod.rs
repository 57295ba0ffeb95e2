//! LAR (legemiddelassistert rehabilitering, opioid agonist treatment): who may decide, who
//! prescribes, where dispensing may happen, and the population in treatment.
//!
//! Rules (LAR regulation, legemiddelassistert rehabilitering-forskriften, and the national
//! guideline for LAR): admission to and discharge from LAR are decided by the specialist health
//! service, by a specialist (the role is checked); prescribing may be delegated to the
//! patient's GP; dispensing by the municipality needs a dispensing agreement with that
//! municipality. Pure state with methods that refuse what breaks a rule; no I/O.

use std::collections::{BTreeMap, HashMap};

use jiff::civil::Date;

use crate::org::Qualification;

pub mod command;

pub use command::{person_of_reference, person_reference, LarCommand, PERSON_REFERENCE};

/// The role of the person who records a LAR decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// A physician or psychologist specialist in the specialist health service.
    Specialist,
    /// A physician who is not a specialist.
    Physician,
    /// A general practitioner (fastlege).
    GeneralPractitioner,
    /// Anyone else (nurse, consultant, clerk).
    Other,
}

impl From<Qualification> for Role {
    /// The LAR role of a user's recorded health-personnel qualification.
    fn from(q: Qualification) -> Role {
        match q {
            Qualification::Specialist => Role::Specialist,
            Qualification::Physician => Role::Physician,
            Qualification::Gp => Role::GeneralPractitioner,
            Qualification::Other => Role::Other,
        }
    }
}

/// The decisions that only a specialist may take.
pub fn may_decide_admission_or_discharge(role: Role) -> bool {
    role == Role::Specialist
}

/// A LAR rule broken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LarError {
    /// Admission or discharge not decided by a specialist.
    #[error("only a specialist may decide admission to or discharge from LAR")]
    NotSpecialist,
    /// The patient is already in LAR.
    #[error("patient {0} is already in LAR")]
    AlreadyAdmitted(String),
    /// The patient is not in LAR on that date.
    #[error("patient {0} is not in LAR on that date")]
    NotInLar(String),
    /// An admission whose episode would overlap one of the patient's earlier episodes (a
    /// back-dated admission before a later discharge).
    #[error("an admission on {date} overlaps the episode from {admitted} to {discharged}")]
    OverlapsEpisode {
        /// The admission date given.
        date: Date,
        /// The overlapped episode's admission.
        admitted: Date,
        /// The overlapped episode's discharge (first day out).
        discharged: Date,
    },
    /// A date before the admission.
    #[error("date {date} is before the admission on {admitted}")]
    BeforeAdmission {
        /// The date given.
        date: Date,
        /// The admission date.
        admitted: Date,
    },
    /// No dispensing agreement with the municipality.
    #[error("no dispensing agreement between {unit} and municipality {kommune} on {date}")]
    NoDispensingAgreement {
        /// The unit.
        unit: String,
        /// The municipality.
        kommune: String,
        /// The date.
        date: Date,
    },
    /// An agreement that ends before it starts.
    #[error("agreement ends before it starts")]
    AgreementPeriod,
}

/// One patient's LAR episode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Episode {
    /// Responsible specialist unit.
    pub unit: String,
    /// The patient's municipality.
    pub kommune: String,
    /// Admission date.
    pub admitted: Date,
    /// Discharge date, when discharged.
    pub discharged: Option<Date>,
    /// GP delegations: (GP identifier, from date). The latest on or before a date applies.
    pub delegations: Vec<(String, Date)>,
    /// Municipal dispensing from this date, when agreed.
    pub municipal_dispensing_from: Option<Date>,
}

impl Episode {
    fn active_on(&self, date: Date) -> bool {
        self.admitted <= date && self.discharged.is_none_or(|d| date < d)
    }
}

/// A dispensing agreement between a specialist unit and a municipality.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DispensingAgreement {
    /// The unit.
    pub unit: String,
    /// The municipality.
    pub kommune: String,
    /// First day in force.
    pub from: Date,
    /// Last day in force, if it ends.
    pub until: Option<Date>,
}

/// Who prescribes for a patient on a date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Prescriber {
    /// The specialist unit.
    Unit(String),
    /// A GP by delegation.
    GeneralPractitioner(String),
}

/// A patient's LAR treatment on a day ([`LarRegister::treatment_on`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Treatment<'a> {
    /// The episode active that day.
    pub episode: &'a Episode,
    /// The GP prescribing by delegation and the day the delegation began; `None`: the unit
    /// prescribes.
    pub delegation: Option<(&'a str, Date)>,
    /// The dispensing agreement in force between the unit and the patient's municipality.
    pub agreement: Option<&'a DispensingAgreement>,
}

/// The LAR register of a health trust: episodes per patient and dispensing agreements.
#[derive(Debug, Clone, Default)]
pub struct LarRegister {
    episodes: HashMap<String, Vec<Episode>>,
    agreements: Vec<DispensingAgreement>,
}

impl LarRegister {
    /// An empty register.
    pub fn new() -> LarRegister {
        LarRegister::default()
    }

    /// The patient's episode active on `date`. Not in LAR: `BeforeAdmission` when the date is
    /// before the patient's first admission, `NotInLar` otherwise.
    fn current(&mut self, patient: &str, date: Date) -> Result<&mut Episode, LarError> {
        let eps = self
            .episodes
            .get_mut(patient)
            .ok_or_else(|| LarError::NotInLar(patient.to_string()))?;
        let first = eps.iter().map(|e| e.admitted).min();
        match eps.iter_mut().rev().find(|e| e.active_on(date)) {
            Some(e) => Ok(e),
            None => match first {
                Some(admitted) if date < admitted => {
                    Err(LarError::BeforeAdmission { date, admitted })
                }
                _ => Err(LarError::NotInLar(patient.to_string())),
            },
        }
    }

    /// Admits a patient (a specialist's decision). The new episode is open-ended, so it may
    /// not begin while the patient is in LAR nor before the discharge of an earlier episode.
    pub fn admit(
        &mut self,
        role: Role,
        patient: &str,
        unit: &str,
        kommune: &str,
        date: Date,
    ) -> Result<(), LarError> {
        if !may_decide_admission_or_discharge(role) {
            return Err(LarError::NotSpecialist);
        }
        let eps = self.episodes.entry(patient.to_string()).or_default();
        for e in eps.iter() {
            match e.discharged {
                None => return Err(LarError::AlreadyAdmitted(patient.to_string())),
                Some(discharged) if date < discharged => {
                    return Err(if e.admitted <= date {
                        LarError::AlreadyAdmitted(patient.to_string())
                    } else {
                        LarError::OverlapsEpisode {
                            date,
                            admitted: e.admitted,
                            discharged,
                        }
                    });
                }
                Some(_) => {}
            }
        }
        eps.push(Episode {
            unit: unit.to_string(),
            kommune: kommune.to_string(),
            admitted: date,
            discharged: None,
            delegations: Vec::new(),
            municipal_dispensing_from: None,
        });
        Ok(())
    }

    /// Discharges a patient (a specialist's decision); the discharge date is the first day out.
    /// It closes the patient's open episode: a date before that episode's admission is
    /// `BeforeAdmission`; a patient with no open episode is `NotInLar`.
    pub fn discharge(&mut self, role: Role, patient: &str, date: Date) -> Result<(), LarError> {
        if !may_decide_admission_or_discharge(role) {
            return Err(LarError::NotSpecialist);
        }
        let ep = self
            .episodes
            .get_mut(patient)
            .and_then(|eps| eps.iter_mut().find(|e| e.discharged.is_none()))
            .ok_or_else(|| LarError::NotInLar(patient.to_string()))?;
        if date < ep.admitted {
            return Err(LarError::BeforeAdmission {
                date,
                admitted: ep.admitted,
            });
        }
        ep.discharged = Some(date);
        Ok(())
    }

    /// Delegates prescribing to a GP from `date` (decided by the specialist unit).
    pub fn delegate_prescribing(
        &mut self,
        role: Role,
        patient: &str,
        gp: &str,
        date: Date,
    ) -> Result<(), LarError> {
        if role != Role::Specialist && role != Role::Physician {
            return Err(LarError::NotSpecialist);
        }
        let ep = self.current(patient, date)?;
        ep.delegations.push((gp.to_string(), date));
        ep.delegations.sort_by_key(|d| d.1);
        Ok(())
    }

    /// Who prescribes on `date`.
    pub fn prescriber_on(&self, patient: &str, date: Date) -> Option<Prescriber> {
        let ep = self
            .episodes
            .get(patient)?
            .iter()
            .rev()
            .find(|e| e.active_on(date))?;
        Some(
            match ep.delegations.iter().rev().find(|(_, from)| *from <= date) {
                Some((gp, _)) => Prescriber::GeneralPractitioner(gp.clone()),
                None => Prescriber::Unit(ep.unit.clone()),
            },
        )
    }

    /// Records a dispensing agreement between a unit and a municipality.
    pub fn add_agreement(&mut self, agreement: DispensingAgreement) -> Result<(), LarError> {
        if agreement.until.is_some_and(|u| u < agreement.from) {
            return Err(LarError::AgreementPeriod);
        }
        self.agreements.push(agreement);
        Ok(())
    }

    /// True when the unit has a dispensing agreement with the municipality on `date`.
    pub fn has_agreement(&self, unit: &str, kommune: &str, date: Date) -> bool {
        self.agreements.iter().any(|a| {
            a.unit == unit
                && a.kommune == kommune
                && a.from <= date
                && a.until.is_none_or(|u| date <= u)
        })
    }

    /// Moves a patient's dispensing to the municipality from `date`; needs an agreement.
    pub fn start_municipal_dispensing(
        &mut self,
        patient: &str,
        date: Date,
    ) -> Result<(), LarError> {
        let (unit, kommune) = {
            let ep = self.current(patient, date)?;
            (ep.unit.clone(), ep.kommune.clone())
        };
        if !self.has_agreement(&unit, &kommune, date) {
            return Err(LarError::NoDispensingAgreement {
                unit,
                kommune,
                date,
            });
        }
        self.current(patient, date)?.municipal_dispensing_from = Some(date);
        Ok(())
    }

    /// Every episode, by patient (in no particular order of patients; a patient's episodes in
    /// the order they began).
    pub fn episodes(&self) -> impl Iterator<Item = (&str, &Episode)> {
        self.episodes
            .iter()
            .flat_map(|(p, eps)| eps.iter().map(move |e| (p.as_str(), e)))
    }

    /// The dispensing agreements, in the order they were recorded.
    pub fn agreements(&self) -> &[DispensingAgreement] {
        &self.agreements
    }

    /// The patient's treatment on `date`: the episode active, the GP delegation and the
    /// dispensing agreement (between the episode's unit and the patient's municipality) in
    /// force then. `None` when the patient is not in LAR on that date.
    pub fn treatment_on(&self, patient: &str, date: Date) -> Option<Treatment<'_>> {
        let episode = self
            .episodes
            .get(patient)?
            .iter()
            .rev()
            .find(|e| e.active_on(date))?;
        let delegation = episode
            .delegations
            .iter()
            .rev()
            .find(|(_, from)| *from <= date)
            .map(|(gp, from)| (gp.as_str(), *from));
        let agreement = self.agreements.iter().rev().find(|a| {
            a.unit == episode.unit
                && a.kommune == episode.kommune
                && a.from <= date
                && a.until.is_none_or(|u| date <= u)
        });
        Some(Treatment {
            episode,
            delegation,
            agreement,
        })
    }

    /// True when the patient has ever been admitted.
    pub fn knows(&self, patient: &str) -> bool {
        self.episodes.get(patient).is_some_and(|e| !e.is_empty())
    }

    /// Patients in LAR on `date`, per municipality.
    pub fn population_by_kommune(&self, date: Date) -> BTreeMap<String, usize> {
        self.population(date, |e| e.kommune.clone())
    }

    /// Patients in LAR on `date`, per unit.
    pub fn population_by_unit(&self, date: Date) -> BTreeMap<String, usize> {
        self.population(date, |e| e.unit.clone())
    }

    /// Patients in LAR on `date`.
    pub fn population(
        &self,
        date: Date,
        key: impl Fn(&Episode) -> String,
    ) -> BTreeMap<String, usize> {
        let mut out = BTreeMap::new();
        for ep in self
            .episodes
            .values()
            .flatten()
            .filter(|e| e.active_on(date))
        {
            *out.entry(key(ep)).or_insert(0) += 1;
        }
        out
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn only_a_specialist_admits_and_discharges() {
        let mut r = LarRegister::new();
        for role in [Role::Physician, Role::GeneralPractitioner, Role::Other] {
            assert!(!may_decide_admission_or_discharge(role));
            assert_eq!(
                r.admit(role, "p1", "LAR Oslo", "0301", date(2025, 1, 6)),
                Err(LarError::NotSpecialist)
            );
        }
        r.admit(Role::Specialist, "p1", "LAR Oslo", "0301", date(2025, 1, 6))
            .unwrap();
        assert_eq!(
            r.admit(Role::Specialist, "p1", "LAR Oslo", "0301", date(2025, 2, 6)),
            Err(LarError::AlreadyAdmitted("p1".into()))
        );
        assert_eq!(
            r.discharge(Role::Other, "p1", date(2025, 6, 1)),
            Err(LarError::NotSpecialist)
        );
        r.discharge(Role::Specialist, "p1", date(2025, 6, 1))
            .unwrap();
        // Readmission after discharge is a new episode.
        r.admit(Role::Specialist, "p1", "LAR Oslo", "0301", date(2025, 9, 1))
            .unwrap();
        assert_eq!(r.population_by_unit(date(2025, 7, 1)).len(), 0);
        assert_eq!(r.population_by_unit(date(2025, 9, 1))["LAR Oslo"], 1);
    }

    #[test]
    fn a_back_dated_admission_may_not_overlap_an_earlier_episode() {
        let mut r = LarRegister::new();
        r.admit(Role::Specialist, "p1", "U", "0301", date(2025, 3, 1))
            .unwrap();
        r.discharge(Role::Specialist, "p1", date(2025, 6, 1))
            .unwrap();
        // Before the closed episode began, or inside it: an open episode would overlap it.
        assert_eq!(
            r.admit(Role::Specialist, "p1", "U", "0301", date(2025, 1, 1)),
            Err(LarError::OverlapsEpisode {
                date: date(2025, 1, 1),
                admitted: date(2025, 3, 1),
                discharged: date(2025, 6, 1),
            })
        );
        assert_eq!(
            r.admit(Role::Specialist, "p1", "U", "0301", date(2025, 5, 31)),
            Err(LarError::AlreadyAdmitted("p1".into()))
        );
        assert_eq!(r.episodes().count(), 1);
        assert_eq!(r.population_by_unit(date(2025, 2, 1)).len(), 0);
        // From the discharge date (the first day out) a new episode may begin.
        r.admit(Role::Specialist, "p1", "U", "0301", date(2025, 6, 1))
            .unwrap();
        assert_eq!(r.episodes().count(), 2);
    }

    #[test]
    fn a_discharge_before_the_admission_says_so() {
        let mut r = LarRegister::new();
        r.admit(Role::Specialist, "p1", "U", "0301", date(2025, 3, 1))
            .unwrap();
        assert_eq!(
            r.discharge(Role::Specialist, "p1", date(2025, 2, 1)),
            Err(LarError::BeforeAdmission {
                date: date(2025, 2, 1),
                admitted: date(2025, 3, 1),
            })
        );
        assert_eq!(
            r.discharge(Role::Specialist, "p2", date(2025, 4, 1)),
            Err(LarError::NotInLar("p2".into()))
        );
        r.discharge(Role::Specialist, "p1", date(2025, 4, 1))
            .unwrap();
        r.admit(Role::Specialist, "p1", "U", "0301", date(2025, 9, 1))
            .unwrap();
        // A date inside the earlier, closed episode does not rewrite its discharge: it is
        // before the open episode's admission.
        assert_eq!(
            r.discharge(Role::Specialist, "p1", date(2025, 3, 15)),
            Err(LarError::BeforeAdmission {
                date: date(2025, 3, 15),
                admitted: date(2025, 9, 1),
            })
        );
        r.discharge(Role::Specialist, "p1", date(2025, 10, 1))
            .unwrap();
        // No open episode: not in LAR.
        assert_eq!(
            r.discharge(Role::Specialist, "p1", date(2025, 11, 1)),
            Err(LarError::NotInLar("p1".into()))
        );
        let mut eps: Vec<_> = r
            .episodes()
            .map(|(_, e)| (e.admitted, e.discharged))
            .collect();
        eps.sort();
        assert_eq!(
            eps,
            vec![
                (date(2025, 3, 1), Some(date(2025, 4, 1))),
                (date(2025, 9, 1), Some(date(2025, 10, 1)))
            ]
        );
        // Delegation before the first admission names the admission too.
        assert_eq!(
            r.delegate_prescribing(Role::Specialist, "p1", "GP-1", date(2025, 1, 1)),
            Err(LarError::BeforeAdmission {
                date: date(2025, 1, 1),
                admitted: date(2025, 3, 1),
            })
        );
    }

    #[test]
    fn prescribing_may_be_delegated_to_a_gp() {
        let mut r = LarRegister::new();
        r.admit(
            Role::Specialist,
            "p1",
            "LAR Bergen",
            "4601",
            date(2025, 1, 6),
        )
        .unwrap();
        assert_eq!(
            r.prescriber_on("p1", date(2025, 2, 1)),
            Some(Prescriber::Unit("LAR Bergen".into()))
        );
        assert_eq!(
            r.delegate_prescribing(Role::Other, "p1", "GP-1", date(2025, 3, 1)),
            Err(LarError::NotSpecialist)
        );
        r.delegate_prescribing(Role::Specialist, "p1", "GP-1", date(2025, 3, 1))
            .unwrap();
        assert_eq!(
            r.prescriber_on("p1", date(2025, 3, 1)),
            Some(Prescriber::GeneralPractitioner("GP-1".into()))
        );
        assert_eq!(
            r.prescriber_on("p1", date(2025, 2, 28)),
            Some(Prescriber::Unit("LAR Bergen".into()))
        );
        assert_eq!(
            r.delegate_prescribing(Role::Specialist, "p2", "GP-1", date(2025, 3, 1)),
            Err(LarError::NotInLar("p2".into()))
        );
    }

    #[test]
    fn municipal_dispensing_needs_an_agreement_with_that_municipality() {
        let mut r = LarRegister::new();
        r.admit(
            Role::Specialist,
            "p1",
            "LAR Bergen",
            "4601",
            date(2025, 1, 6),
        )
        .unwrap();
        assert!(matches!(
            r.start_municipal_dispensing("p1", date(2025, 2, 1)),
            Err(LarError::NoDispensingAgreement { .. })
        ));
        r.add_agreement(DispensingAgreement {
            unit: "LAR Bergen".into(),
            kommune: "4602".into(),
            from: date(2025, 1, 1),
            until: None,
        })
        .unwrap();
        // An agreement with another municipality does not help.
        assert!(r
            .start_municipal_dispensing("p1", date(2025, 2, 1))
            .is_err());
        r.add_agreement(DispensingAgreement {
            unit: "LAR Bergen".into(),
            kommune: "4601".into(),
            from: date(2025, 1, 1),
            until: Some(date(2025, 12, 31)),
        })
        .unwrap();
        r.start_municipal_dispensing("p1", date(2025, 2, 1))
            .unwrap();
        assert!(!r.has_agreement("LAR Bergen", "4601", date(2026, 1, 1)));
        assert_eq!(
            r.add_agreement(DispensingAgreement {
                unit: "u".into(),
                kommune: "k".into(),
                from: date(2025, 2, 1),
                until: Some(date(2025, 1, 1)),
            }),
            Err(LarError::AgreementPeriod)
        );
    }

    #[test]
    fn population_per_municipality_and_unit() {
        let mut r = LarRegister::new();
        let admit = |r: &mut LarRegister, p: &str, u: &str, k: &str, d| {
            r.admit(Role::Specialist, p, u, k, d).unwrap();
        };
        admit(&mut r, "a", "U1", "0301", date(2025, 1, 1));
        admit(&mut r, "b", "U1", "0301", date(2025, 1, 1));
        admit(&mut r, "c", "U1", "3403", date(2025, 3, 1));
        admit(&mut r, "d", "U2", "3403", date(2025, 1, 1));
        r.discharge(Role::Specialist, "b", date(2025, 2, 1))
            .unwrap();
        let k = r.population_by_kommune(date(2025, 3, 1));
        assert_eq!(k["0301"], 1);
        assert_eq!(k["3403"], 2);
        let u = r.population_by_unit(date(2025, 1, 31));
        assert_eq!((u["U1"], u["U2"]), (2, 1));
    }
    #[test]
    fn a_patients_treatment_on_a_day_names_delegation_and_agreement() {
        let mut reg = LarRegister::new();
        reg.admit(Role::Specialist, "P1", "U", "0301", date(2025, 1, 1))
            .unwrap();
        assert!(reg.knows("P1") && !reg.knows("P2"));
        let t = reg.treatment_on("P1", date(2025, 2, 1)).unwrap();
        assert_eq!(t.episode.admitted, date(2025, 1, 1));
        assert_eq!((t.delegation, t.agreement), (None, None));
        reg.delegate_prescribing(Role::Specialist, "P1", "HPR 1", date(2025, 3, 1))
            .unwrap();
        reg.add_agreement(DispensingAgreement {
            unit: "U".into(),
            kommune: "0301".into(),
            from: date(2025, 1, 1),
            until: Some(date(2025, 12, 31)),
        })
        .unwrap();
        // Another municipality's agreement is not the patient's.
        reg.add_agreement(DispensingAgreement {
            unit: "U".into(),
            kommune: "4601".into(),
            from: date(2025, 1, 1),
            until: None,
        })
        .unwrap();
        let t = reg.treatment_on("P1", date(2025, 3, 2)).unwrap();
        assert_eq!(t.delegation, Some(("HPR 1", date(2025, 3, 1))));
        assert_eq!(t.agreement.map(|a| a.kommune.as_str()), Some("0301"));
        // Before the delegation the unit prescribes; after the agreement's end there is none.
        assert_eq!(
            reg.treatment_on("P1", date(2025, 2, 28))
                .unwrap()
                .delegation,
            None
        );
        assert_eq!(
            reg.treatment_on("P1", date(2026, 1, 1)).unwrap().agreement,
            None
        );
        reg.discharge(Role::Specialist, "P1", date(2026, 2, 1))
            .unwrap();
        assert!(reg.treatment_on("P1", date(2026, 2, 1)).is_none());
        assert!(reg.knows("P1"));
    }
}
