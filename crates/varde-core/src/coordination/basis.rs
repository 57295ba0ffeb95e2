//! What a consent covers and the legal bases that need none.

use serde::{Deserialize, Serialize};

/// What a consent lets the grantee see. Named scopes only: there is no "everything".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// The individual plan with its goals, measures, evaluations and responsibility group.
    Plan,
    /// The discharge notice from specialised treatment and the joint plan.
    DischargeNotice,
    /// A notice of a non-fatal overdose.
    OverdoseNotice,
    /// The status of the person's treatment pathway (waiting, in treatment, ended).
    PathwayStatus,
}

impl Scope {
    pub const ALL: [Scope; 4] = [
        Scope::Plan,
        Scope::DischargeNotice,
        Scope::OverdoseNotice,
        Scope::PathwayStatus,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Plan => "plan",
            Scope::DischargeNotice => "discharge_notice",
            Scope::OverdoseNotice => "overdose_notice",
            Scope::PathwayStatus => "pathway_status",
        }
    }

    pub fn parse(s: &str) -> Option<Scope> {
        Scope::ALL.into_iter().find(|x| x.as_str() == s.trim())
    }
}

/// A legal basis for a read across organisations that needs no consent. Only these exist;
/// everything else needs the person's consent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LegalBasis {
    /// The specialist service's notice to the municipality of a patient who will need
    /// municipal services after discharge: forskrift om kommunal betalingsplikt for
    /// utskrivningsklare pasienter (FOR-2011-11-18-1115) § 8 (notice of an admitted patient
    /// whose needs the municipality must meet after discharge), § 9 (when a patient is
    /// discharge-ready) and § 10 (notice of a discharge-ready patient); in force for TSB since
    /// 2019.
    DischargeNotice,
    /// The responsible coordinator's access to the plan they coordinate: pasient- og
    /// brukerrettighetsloven § 2-5 b and helse- og omsorgstjenesteloven § 7-2.
    CoordinatorPlan,
    /// Emergency access (break-glass): helsepersonelloven § 45 and pasientjournalloven § 19,
    /// a clinician's written reason, flagged for the auditor.
    Emergency,
}

impl LegalBasis {
    pub const ALL: [LegalBasis; 3] = [
        LegalBasis::DischargeNotice,
        LegalBasis::CoordinatorPlan,
        LegalBasis::Emergency,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            LegalBasis::DischargeNotice => "discharge_notice",
            LegalBasis::CoordinatorPlan => "coordinator_plan",
            LegalBasis::Emergency => "emergency",
        }
    }

    /// The paragraph that gives the basis, as the access log names it.
    pub fn paragraph(self) -> &'static str {
        match self {
            LegalBasis::DischargeNotice => {
                "forskrift om kommunal betalingsplikt for utskrivningsklare pasienter (FOR-2011-11-18-1115) §§ 8–10"
            }
            LegalBasis::CoordinatorPlan => {
                "pasient- og brukerrettighetsloven § 2-5 b; helse- og omsorgstjenesteloven § 7-2"
            }
            LegalBasis::Emergency => "helsepersonelloven § 45; pasientjournalloven § 19",
        }
    }

    /// The reason as a decision gives it (and the access log stores it).
    pub fn reason(self) -> &'static str {
        match self {
            LegalBasis::DischargeNotice => {
                "legal basis: discharge notice (FOR-2011-11-18-1115 §§ 8–10)"
            }
            LegalBasis::CoordinatorPlan => {
                "legal basis: the coordinator's plan (pbrl. § 2-5 b; hol. § 7-2)"
            }
            LegalBasis::Emergency => "legal basis: emergency access (hpl. § 45; pjl. § 19)",
        }
    }

    /// The scope a legal basis reaches: the discharge notice only its notice, the coordinator
    /// only the plan, emergency access any scope (decided with a reason).
    pub fn covers(self, scope: Scope) -> bool {
        match self {
            LegalBasis::DischargeNotice => scope == Scope::DischargeNotice,
            LegalBasis::CoordinatorPlan => scope == Scope::Plan,
            LegalBasis::Emergency => true,
        }
    }
}
