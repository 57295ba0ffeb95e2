//! Authorisation, decided in one place.
//!
//! [`decide`] is the only function in Varde that says whether an action is allowed. It is
//! pure: it takes who acts, what they want to do, the subject (its organisation, the actor's
//! relationship to it, consent) and an optional break-glass reason, and returns a
//! [`Decision`] with its reason. Every combination not named below is denied.

use serde::Serialize;

pub use crate::coordination::LegalBasis;
use crate::coordination::Scope;
use crate::org::{OrgId, OrgKind, Principal, Role};

#[path = "authz_action.rs"]
mod action;
pub use action::Action;

/// The actor's own relationship to the record, beyond organisation membership.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Relationship {
    None,
    /// The actor is assigned to the case (care team, coordinator, case advisor).
    Assigned,
    /// The record is a notice addressed to the actor's organisation (a discharge notice to
    /// the person's municipality).
    Addressee,
}

/// The person's consent as it bears on the actor: the one in force now that names the actor's
/// organisation (or a responsibility group the actor is a member of), found by the caller in
/// the store at the moment of the decision (never cached: a withdrawal holds from its instant).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Consent {
    None,
    /// A consent in force, by its id, for one scope.
    Given {
        id: i64,
        scope: Scope,
    },
    /// Consent was given and has been withdrawn.
    Withdrawn,
}

/// What the action is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subject {
    /// The organisation that owns the record (or whose users/log are concerned).
    pub org: OrgId,
    pub relationship: Relationship,
    pub consent: Consent,
    /// A legal basis that needs no consent, established by the caller (the actor is the
    /// plan's responsible coordinator; the notice is addressed to the actor's municipality).
    /// Emergency access is asked for with a break-glass reason instead.
    pub basis: Option<LegalBasis>,
}

impl Subject {
    /// A subject of an organisation with no personal relationship and no consent.
    pub fn of_org(org: OrgId) -> Self {
        Subject {
            org,
            relationship: Relationship::None,
            consent: Consent::None,
            basis: None,
        }
    }
}

/// Whether a role may ask for emergency (break-glass) read access to another organisation's
/// record: clinicians only. [`decide`] applies the same rule; a page uses it to offer the form.
pub fn may_break_glass(role: Role) -> bool {
    role == Role::Clinician
}

/// The minimum length of a break-glass reason, in characters other than white space.
pub const BREAK_GLASS_MIN_REASON: usize = 10;

/// Whether a break-glass reason is one: at least [`BREAK_GLASS_MIN_REASON`] characters that
/// are not white space (a reason is words, not padding).
pub fn is_break_glass_reason(reason: &str) -> bool {
    reason.chars().filter(|c| !c.is_whitespace()).count() >= BREAK_GLASS_MIN_REASON
}

/// Why a decision came out as it did. Shown to the user on denial and stored in the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    OwnOrganisation,
    ConsentAndAssignment,
    BreakGlass,
    SystemAdministration,
    RoleHasNoAccess,
    OtherOrganisation,
    BreakGlassReasonMissing,
    BreakGlassNotForWrites,
    AggregateStatistics,
    NationalWarningService,
    /// The person's consent in force for the scope (the access log names which).
    Consent,
    /// A named legal basis that needs no consent ([`LegalBasis`]; the access log names it).
    LegalBasis(LegalBasis),
    /// Another organisation's record, with neither consent nor a legal basis.
    NoConsentOrLegalBasis,
}

impl Reason {
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::OwnOrganisation => "own organisation",
            Reason::ConsentAndAssignment => "consent given and actor assigned",
            Reason::BreakGlass => "break-glass (emergency access)",
            Reason::SystemAdministration => "system administration",
            Reason::RoleHasNoAccess => "the role does not give access to this action",
            Reason::OtherOrganisation => "the record belongs to another organisation",
            Reason::BreakGlassReasonMissing => {
                "break-glass needs a written reason: at least 10 characters that are not spaces"
            }
            Reason::BreakGlassNotForWrites => "break-glass gives read access only",
            Reason::AggregateStatistics => "aggregate statistics with small cells suppressed",
            Reason::NationalWarningService => "the national overdose warning service",
            Reason::Consent => "the person's consent",
            Reason::LegalBasis(b) => b.reason(),
            Reason::NoConsentOrLegalBasis => {
                "another organisation's record: no consent in force and no legal basis"
            }
        }
    }
}

/// The outcome of [`decide`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Decision {
    pub allowed: bool,
    pub reason: Reason,
    /// Break-glass access: allowed, and flagged for the auditor.
    pub flagged: bool,
}

impl Decision {
    fn allow(reason: Reason) -> Self {
        Decision {
            allowed: true,
            reason,
            flagged: reason == Reason::BreakGlass,
        }
    }
    fn deny(reason: Reason) -> Self {
        Decision {
            allowed: false,
            reason,
            flagged: false,
        }
    }
}

/// Decides whether `actor` may perform `action` on `subject`.
///
/// The rules:
/// * Personal data (create, read, correct, list) only for the casework roles (advisor,
///   clinician, coordinator), in their own organisation. Creating and listing are always
///   within the own organisation.
/// * Another organisation's record may be read or corrected when the person has consented to
///   the actor's organisation *and* the actor is assigned to the case.
/// * A clinician may read (never write) another organisation's record in an emergency with a
///   written break-glass reason; the access is flagged for the auditor.
/// * Users of an organisation are managed by its org-admin, or by a system-admin.
/// * The access log of an organisation, and the per-person report, are for its auditor.
/// * TSB pathways of an organisation are read and written by its clinicians.
/// * LAR and coercion decisions of an organisation are read and written by its clinicians
///   (whether the clinician is a specialist is a domain rule, checked in `pathways::lar`).
/// * Pathway quality indicators: clinicians see their own organisation's (with the health
///   trust, region and nation beside them); analysts see every organisation's.
/// * Overdose warnings are national, not an organisation's: warning-editors and approvers
///   draft, approvers approve and cancel (never a version they wrote: a domain rule, checked
///   in `warnings`), both read the staff view; subscribers are managed by system-admins. No
///   personal data.
/// * Monitoring (signals, series, imports, the watchlist) is for analysts; drug-checking
///   intake and results for `lab` users (anonymous samples: no personal data).
/// * Session feedback (a patient's one-time links and answers) is for the clinicians of the
///   patient's organisation. Survey links are shared by an organisation's staff (clinicians,
///   advisors, coordinators, its org-admin); the survey figures (aggregates, small cells
///   suppressed) are for the same staff of that organisation and for analysts.
/// * The results area (plans, indicators, ratings; no personal data) is read by analysts and
///   any user of a national authority, who also import indicator values; ratings are set by
///   analysts of a national authority. The public dashboard needs no decision (no login).
/// * An advisory unit's drug cases (a municipality's: no other kind of organisation keeps them)
///   are read and written by its advisors and clinicians (the
///   unit's staff); another organisation's staff are denied, and analysts see only the
///   statistics (`advisory.statistics`: analysts, and the unit's advisors and clinicians). The
///   health-care content of a case (what a meeting held with consent
///   recorded: the needs assessment and the advice) is for clinicians only: the clinician role
///   is the one given to health personnel, who give health care and are bound by its duty of
///   confidentiality and record-keeping; an advisor (who may be a social worker or a police
///   contact) informs and advises without it.
/// * National LAR and coercion figures are for analysts only: a clinician sees their own
///   organisation's in full, and national minus own would give the others' small cells away.
/// * Coordination (individual plans, responsibility groups): the casework roles of the plan's
///   organisation read and write it. Another organisation's casework user reads it only with
///   the person's consent in force for the scope `plan` (to their organisation or a group they
///   are a member of), or a named legal basis that covers the scope (the responsible
///   coordinator's own plan), or — a clinician, with a written reason — break-glass. A write
///   from another organisation needs the legal basis; consent gives reads only. Anything else
///   across organisations is denied with `NoConsentOrLegalBasis`. Consents are recorded and
///   withdrawn by the casework roles of the organisation that holds the data they release.
///   The figures are for the organisation's casework roles and analysts.
/// * Discharge notices: a TSB unit's (treatment unit or health trust) clinicians raise them and
///   record on their own; the casework roles of the municipality a notice is addressed to read
///   and answer it on the legal basis `LegalBasis::DischargeNotice` (no consent); a
///   municipality's org-admin registers its webhook; the national figures are for analysts.
pub fn decide(
    actor: &Principal,
    action: Action,
    subject: &Subject,
    break_glass: Option<&str>,
) -> Decision {
    let same_org = actor.org == subject.org;
    match action {
        Action::PersonCreate | Action::PersonList => {
            if !actor.role.works_with_personal_data() {
                Decision::deny(Reason::RoleHasNoAccess)
            } else if same_org {
                Decision::allow(Reason::OwnOrganisation)
            } else {
                Decision::deny(Reason::OtherOrganisation)
            }
        }
        Action::PersonRead | Action::PersonCorrect => {
            if !actor.role.works_with_personal_data() {
                return Decision::deny(Reason::RoleHasNoAccess);
            }
            if same_org {
                return Decision::allow(Reason::OwnOrganisation);
            }
            if matches!(subject.consent, Consent::Given { .. })
                && subject.relationship == Relationship::Assigned
            {
                return Decision::allow(Reason::ConsentAndAssignment);
            }
            match break_glass {
                None => Decision::deny(Reason::OtherOrganisation),
                Some(_) if action == Action::PersonCorrect => {
                    Decision::deny(Reason::BreakGlassNotForWrites)
                }
                Some(_) if !may_break_glass(actor.role) => Decision::deny(Reason::RoleHasNoAccess),
                Some(reason) if !is_break_glass_reason(reason) => {
                    Decision::deny(Reason::BreakGlassReasonMissing)
                }
                Some(_) => Decision::allow(Reason::BreakGlass),
            }
        }
        Action::UserManage => match actor.role {
            Role::SystemAdmin => Decision::allow(Reason::SystemAdministration),
            Role::OrgAdmin if same_org => Decision::allow(Reason::OwnOrganisation),
            Role::OrgAdmin => Decision::deny(Reason::OtherOrganisation),
            _ => Decision::deny(Reason::RoleHasNoAccess),
        },
        Action::AuditRead | Action::AuditPersonReport => match actor.role {
            Role::Auditor if same_org => Decision::allow(Reason::OwnOrganisation),
            Role::Auditor => Decision::deny(Reason::OtherOrganisation),
            _ => Decision::deny(Reason::RoleHasNoAccess),
        },
        Action::PathwayRead
        | Action::PathwayWrite
        | Action::LarRead
        | Action::LarWrite
        | Action::CoercionRead
        | Action::CoercionWrite => match actor.role {
            Role::Clinician if same_org => Decision::allow(Reason::OwnOrganisation),
            Role::Clinician => Decision::deny(Reason::OtherOrganisation),
            _ => Decision::deny(Reason::RoleHasNoAccess),
        },
        Action::PathwayIndicators => match actor.role {
            Role::Analyst => Decision::allow(Reason::AggregateStatistics),
            Role::Clinician if same_org => Decision::allow(Reason::OwnOrganisation),
            Role::Clinician => Decision::deny(Reason::OtherOrganisation),
            _ => Decision::deny(Reason::RoleHasNoAccess),
        },
        Action::PathwayNational => match actor.role {
            Role::Analyst => Decision::allow(Reason::AggregateStatistics),
            _ => Decision::deny(Reason::RoleHasNoAccess),
        },
        Action::WarningRead => match actor.role {
            Role::WarningEditor | Role::WarningApprover => {
                Decision::allow(Reason::NationalWarningService)
            }
            _ => Decision::deny(Reason::RoleHasNoAccess),
        },
        Action::WarningDraft => match actor.role {
            Role::WarningEditor | Role::WarningApprover => {
                Decision::allow(Reason::NationalWarningService)
            }
            _ => Decision::deny(Reason::RoleHasNoAccess),
        },
        Action::WarningApprove => match actor.role {
            Role::WarningApprover => Decision::allow(Reason::NationalWarningService),
            _ => Decision::deny(Reason::RoleHasNoAccess),
        },
        Action::WebhookManage => match actor.role {
            Role::SystemAdmin => Decision::allow(Reason::SystemAdministration),
            _ => Decision::deny(Reason::RoleHasNoAccess),
        },
        Action::MonitoringRead | Action::MonitoringWrite => match actor.role {
            Role::Analyst => Decision::allow(Reason::AggregateStatistics),
            _ => Decision::deny(Reason::RoleHasNoAccess),
        },
        Action::MonitoringImport => match (actor.role, actor.org_kind) {
            (Role::Analyst, _) => Decision::allow(Reason::AggregateStatistics),
            (_, Some(OrgKind::Laboratory | OrgKind::NationalAuthority)) => {
                Decision::allow(Reason::OwnOrganisation)
            }
            _ => Decision::deny(Reason::RoleHasNoAccess),
        },
        Action::DrugcheckIntake | Action::DrugcheckResult => match actor.role {
            Role::Lab => Decision::allow(Reason::OwnOrganisation),
            _ => Decision::deny(Reason::RoleHasNoAccess),
        },
        Action::FeedbackLink | Action::FeedbackRead => match actor.role {
            Role::Clinician if same_org => Decision::allow(Reason::OwnOrganisation),
            Role::Clinician => Decision::deny(Reason::OtherOrganisation),
            _ => Decision::deny(Reason::RoleHasNoAccess),
        },
        Action::FeedbackSurveyShare | Action::FeedbackSurveyRead => match actor.role {
            Role::Analyst if action == Action::FeedbackSurveyRead => {
                Decision::allow(Reason::AggregateStatistics)
            }
            Role::Clinician | Role::Advisor | Role::Coordinator | Role::OrgAdmin if same_org => {
                Decision::allow(Reason::OwnOrganisation)
            }
            Role::Clinician | Role::Advisor | Role::Coordinator | Role::OrgAdmin => {
                Decision::deny(Reason::OtherOrganisation)
            }
            _ => Decision::deny(Reason::RoleHasNoAccess),
        },
        Action::ResultsRead | Action::ResultsImport => match (actor.role, actor.org_kind) {
            (Role::Analyst, _) => Decision::allow(Reason::AggregateStatistics),
            (_, Some(OrgKind::NationalAuthority)) => Decision::allow(Reason::OwnOrganisation),
            _ => Decision::deny(Reason::RoleHasNoAccess),
        },
        Action::ResultsRate => match (actor.role, actor.org_kind) {
            (Role::Analyst, Some(OrgKind::NationalAuthority)) => {
                Decision::allow(Reason::AggregateStatistics)
            }
            _ => Decision::deny(Reason::RoleHasNoAccess),
        },
        // An advisory unit for drug cases is a municipality's (several may share one): no
        // other kind of organisation keeps advisory cases.
        Action::AdvisoryRead | Action::AdvisoryWrite | Action::AdvisoryHealth
            if actor.org_kind != Some(OrgKind::Municipality) =>
        {
            Decision::deny(Reason::RoleHasNoAccess)
        }
        Action::AdvisoryRead | Action::AdvisoryWrite => match actor.role {
            Role::Advisor | Role::Clinician if same_org => Decision::allow(Reason::OwnOrganisation),
            Role::Advisor | Role::Clinician => Decision::deny(Reason::OtherOrganisation),
            _ => Decision::deny(Reason::RoleHasNoAccess),
        },
        Action::AdvisoryHealth => match actor.role {
            Role::Clinician if same_org => Decision::allow(Reason::OwnOrganisation),
            Role::Clinician => Decision::deny(Reason::OtherOrganisation),
            _ => Decision::deny(Reason::RoleHasNoAccess),
        },
        // Anonymous aggregates, suppressed alike for every reader: analysts see every level; a
        // unit's staff ask on their own organisation (the web shows them their own unit's
        // cells beside every municipality's, county's and the nation's).
        Action::AdvisoryStatistics => match (actor.role, actor.org_kind) {
            (Role::Analyst, _) => Decision::allow(Reason::AggregateStatistics),
            (Role::Advisor | Role::Clinician, Some(OrgKind::Municipality)) if same_org => {
                Decision::allow(Reason::OwnOrganisation)
            }
            (Role::Advisor | Role::Clinician, Some(OrgKind::Municipality)) => {
                Decision::deny(Reason::OtherOrganisation)
            }
            _ => Decision::deny(Reason::RoleHasNoAccess),
        },
        Action::CoordinationDischargeWrite => match (actor.role, actor.org_kind) {
            (Role::Clinician, Some(OrgKind::TreatmentUnit | OrgKind::HealthTrust)) if same_org => {
                Decision::allow(Reason::OwnOrganisation)
            }
            (Role::Clinician, Some(OrgKind::TreatmentUnit | OrgKind::HealthTrust)) => {
                Decision::deny(Reason::OtherOrganisation)
            }
            _ => Decision::deny(Reason::RoleHasNoAccess),
        },
        Action::CoordinationDischargeRespond | Action::CoordinationDischargeRead
            if actor.org_kind == Some(OrgKind::Municipality) =>
        {
            // The municipality's side: the notices addressed to it (a list of them is its
            // own), by its casework staff, on the legal basis.
            if !actor.role.works_with_personal_data() {
                Decision::deny(Reason::RoleHasNoAccess)
            } else if subject.relationship == Relationship::Addressee {
                Decision::allow(Reason::LegalBasis(LegalBasis::DischargeNotice))
            } else if same_org {
                Decision::allow(Reason::OwnOrganisation)
            } else {
                Decision::deny(Reason::OtherOrganisation)
            }
        }
        Action::CoordinationDischargeRespond => Decision::deny(Reason::RoleHasNoAccess),
        Action::CoordinationDischargeRead => match (actor.role, actor.org_kind) {
            (Role::Clinician, Some(OrgKind::TreatmentUnit | OrgKind::HealthTrust)) if same_org => {
                Decision::allow(Reason::OwnOrganisation)
            }
            (Role::Clinician, Some(OrgKind::TreatmentUnit | OrgKind::HealthTrust)) => {
                Decision::deny(Reason::OtherOrganisation)
            }
            _ => Decision::deny(Reason::RoleHasNoAccess),
        },
        Action::CoordinationDischargeWebhook => match (actor.role, actor.org_kind) {
            (Role::OrgAdmin, Some(OrgKind::Municipality)) if same_org => {
                Decision::allow(Reason::OwnOrganisation)
            }
            (Role::OrgAdmin, Some(OrgKind::Municipality)) => {
                Decision::deny(Reason::OtherOrganisation)
            }
            _ => Decision::deny(Reason::RoleHasNoAccess),
        },
        Action::CoordinationDischargeNational | Action::CoordinationOverdoseNational => {
            match actor.role {
                Role::Analyst => Decision::allow(Reason::AggregateStatistics),
                _ => Decision::deny(Reason::RoleHasNoAccess),
            }
        }
        Action::CoordinationOverdoseWrite => match (actor.role, actor.org_kind) {
            (Role::Clinician, Some(OrgKind::HealthTrust | OrgKind::Municipality)) if same_org => {
                Decision::allow(Reason::OwnOrganisation)
            }
            (Role::Clinician, Some(OrgKind::HealthTrust | OrgKind::Municipality)) => {
                Decision::deny(Reason::OtherOrganisation)
            }
            _ => Decision::deny(Reason::RoleHasNoAccess),
        },
        Action::CoordinationOverdoseRead | Action::CoordinationOverdoseFollowUp => {
            // The registering organisation reads its own notice (its casework staff); the
            // addressed municipality's casework staff read and follow up only by the person's
            // consent in force for the scope, found at this decision. No legal basis and no
            // break-glass: the follow-up is voluntary.
            let addressed = subject.relationship == Relationship::Addressee
                && actor.org_kind == Some(OrgKind::Municipality);
            if !actor.role.works_with_personal_data() {
                Decision::deny(Reason::RoleHasNoAccess)
            } else if addressed {
                if matches!(subject.consent, Consent::Given { scope, .. } if Some(scope) == action.scope())
                {
                    Decision::allow(Reason::Consent)
                } else {
                    Decision::deny(Reason::NoConsentOrLegalBasis)
                }
            } else if same_org && action == Action::CoordinationOverdoseRead {
                Decision::allow(Reason::OwnOrganisation)
            } else if same_org {
                Decision::deny(Reason::RoleHasNoAccess)
            } else {
                Decision::deny(Reason::OtherOrganisation)
            }
        }
        Action::CoordinationRead | Action::CoordinationWrite => {
            if !actor.role.works_with_personal_data() {
                return Decision::deny(Reason::RoleHasNoAccess);
            }
            if same_org {
                return Decision::allow(Reason::OwnOrganisation);
            }
            let scope = action.scope();
            if action == Action::CoordinationRead
                && matches!(subject.consent, Consent::Given { scope: s, .. } if Some(s) == scope)
            {
                return Decision::allow(Reason::Consent);
            }
            if let Some(basis) = subject
                .basis
                .filter(|b| *b != LegalBasis::Emergency && scope.is_some_and(|s| b.covers(s)))
            {
                return Decision::allow(Reason::LegalBasis(basis));
            }
            match break_glass {
                None => Decision::deny(Reason::NoConsentOrLegalBasis),
                Some(_) if action == Action::CoordinationWrite => {
                    Decision::deny(Reason::BreakGlassNotForWrites)
                }
                Some(_) if !may_break_glass(actor.role) => Decision::deny(Reason::RoleHasNoAccess),
                Some(reason) if !is_break_glass_reason(reason) => {
                    Decision::deny(Reason::BreakGlassReasonMissing)
                }
                Some(_) => Decision::allow(Reason::BreakGlass),
            }
        }
        Action::CoordinationPathwayStatus => {
            if !actor.role.works_with_personal_data() {
                Decision::deny(Reason::RoleHasNoAccess)
            } else if same_org {
                Decision::allow(Reason::OwnOrganisation)
            } else if matches!(
                subject.consent,
                Consent::Given {
                    scope: Scope::PathwayStatus,
                    ..
                }
            ) {
                Decision::allow(Reason::Consent)
            } else {
                Decision::deny(Reason::NoConsentOrLegalBasis)
            }
        }
        Action::ConsentManage => {
            if !actor.role.works_with_personal_data() {
                Decision::deny(Reason::RoleHasNoAccess)
            } else if same_org {
                Decision::allow(Reason::OwnOrganisation)
            } else {
                Decision::deny(Reason::OtherOrganisation)
            }
        }
        Action::CoordinationFigures => match actor.role {
            Role::Analyst => Decision::allow(Reason::AggregateStatistics),
            r if r.works_with_personal_data() && same_org => {
                Decision::allow(Reason::OwnOrganisation)
            }
            r if r.works_with_personal_data() => Decision::deny(Reason::OtherOrganisation),
            _ => Decision::deny(Reason::RoleHasNoAccess),
        },
    }
}

#[cfg(test)]
#[path = "authz_tests.rs"]
mod tests;
