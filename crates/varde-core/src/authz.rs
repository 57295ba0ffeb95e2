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

/// What the actor wants to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Register a person with the actor's organisation.
    PersonCreate,
    /// Read one person's record.
    PersonRead,
    /// Correct one person's record (appends a correction event).
    PersonCorrect,
    /// List the people registered with an organisation.
    PersonList,
    /// Create, change or disable users of an organisation.
    UserManage,
    /// Read the access log of an organisation.
    AuditRead,
    /// Produce the report of who accessed one person's data (pasientjournalloven § 18).
    AuditPersonReport,
    /// Read the TSB pathways of an organisation: worklist, pathway events, export.
    PathwayRead,
    /// Register, import or correct pathway events of an organisation.
    PathwayWrite,
    /// Read the pathway quality indicators of an organisation's units (aggregates with small
    /// cells suppressed): a clinician their own, beside their health trust, region and nation.
    PathwayIndicators,
    /// Read the national LAR and coercion figures, summed over every organisation (small cells
    /// suppressed, and protected against recovery by subtraction).
    PathwayNational,
    /// Read an organisation's LAR register: episodes, delegations, agreements, population.
    LarRead,
    /// Record LAR decisions of an organisation (admission, discharge, delegation, agreements).
    LarWrite,
    /// Read an organisation's coercion decisions (helse- og omsorgstjenesteloven chapter 10).
    CoercionRead,
    /// Record coercion decisions and appeals of an organisation.
    CoercionWrite,
    /// Read overdose warnings as staff: drafts, drills, history, the EU drugs agency export.
    WarningRead,
    /// Draft an overdose warning or a new version of one.
    WarningDraft,
    /// Approve (publish) a version another user wrote, or cancel a warning.
    WarningApprove,
    /// Register and manage the warnings' webhook subscribers and their deliveries.
    WebhookManage,
    /// Read the monitoring area: signals, series, imports, the watchlist.
    MonitoringRead,
    /// Work the signals (acknowledge, link, dismiss), change the watchlist and the rules.
    MonitoringWrite,
    /// Import a monitoring source's rows (an analyst, or any user of a laboratory or a
    /// national authority: the organisations that hold such data).
    MonitoringImport,
    /// Take in a drug-checking sample and give its code (a laboratory's `lab` users).
    DrugcheckIntake,
    /// Record a drug-checking sample's analysis.
    DrugcheckResult,
    /// Create a one-time feedback link for a patient of the organisation and a session.
    FeedbackLink,
    /// Read a patient's session feedback (their answers and trend).
    FeedbackRead,
    /// Share an organisation's anonymous user or relative survey link.
    FeedbackSurveyShare,
    /// Read an organisation's survey figures (aggregates with small cells suppressed).
    FeedbackSurveyRead,
    /// Read the results area as staff: plans, indicators with every value, ratings (no
    /// personal data): analysts, and any user of a national authority.
    ResultsRead,
    /// Set a goal's status rating for a year: analysts of a national authority (the
    /// Directorate's judgement, as the escalation plan's report was).
    ResultsRate,
    /// Import an indicator source's values: analysts, and any user of a national authority
    /// (the organisations that hold the registers' figures).
    ResultsImport,
    /// Read an advisory unit's drug cases: the people, the condition, meetings (what they
    /// were, not their health-care content), tests, outreach, the report, referrals.
    AdvisoryRead,
    /// Open and record on an advisory unit's drug cases.
    AdvisoryWrite,
    /// Read and write the health-care content of an advisory case (a meeting held with
    /// consent: the needs assessment and the advice): clinical staff only.
    AdvisoryHealth,
    /// Read the advisory units' statistics (anonymous aggregates, small cells suppressed):
    /// analysts, every level; a unit's advisors and clinicians, their own unit's cells and
    /// every municipality's, county's and the nation's.
    AdvisoryStatistics,
    /// Raise a discharge notice to a person's municipality, and record on it as the unit that
    /// raised it (the joint meeting, discharge-ready, the discharge): a TSB unit's clinicians.
    CoordinationDischargeWrite,
    /// Answer a discharge notice addressed to the actor's municipality: acknowledge, name the
    /// contact, record the joint meeting.
    CoordinationDischargeRespond,
    /// Read a discharge notice: the raising unit's clinicians, and the casework staff of the
    /// municipality it is addressed to (legal basis, no consent).
    CoordinationDischargeRead,
    /// Register a municipality's own webhook subscriber for its discharge notices.
    CoordinationDischargeWebhook,
    /// Read the national discharge figures (aggregates, small cells suppressed).
    CoordinationDischargeNational,
    /// Register a non-fatal overdose, with the person's consent to a municipality's follow-up:
    /// the clinicians of an ambulance service or emergency ward (a health trust's or a
    /// municipality's — legevakt is municipal), for a person of their own register.
    CoordinationOverdoseWrite,
    /// Read an overdose notice: the registering organisation's casework staff, and the casework
    /// staff of the municipality it is addressed to with the person's consent in force (scope
    /// `overdose_notice`; no legal basis covers it).
    CoordinationOverdoseRead,
    /// Record the follow-up of an overdose notice (attempts, the outcome): the addressed
    /// municipality's casework staff, with the consent in force.
    CoordinationOverdoseFollowUp,
    /// Read a person's individual plan, its responsibility group and meetings (coordination,
    /// scope `plan`): the own organisation's, or another's with the person's consent or a
    /// legal basis.
    CoordinationRead,
    /// Write an individual plan: goals, measures, evaluations, members, meetings.
    CoordinationWrite,
    /// Record or withdraw a person's consent, and show the person their consents and who read
    /// their data.
    ConsentManage,
    /// Read the coordination figures of an organisation (aggregates, small cells suppressed).
    CoordinationFigures,
    /// See where a person stands in another organisation's pathways (scope `pathway_status`:
    /// steps and next point, no clinical content): the casework staff of an organisation the
    /// person's consent in force names. No legal basis covers it, and no break-glass.
    CoordinationPathwayStatus,
}

impl Action {
    pub const ALL: [Action; 48] = [
        Action::PersonCreate,
        Action::PersonRead,
        Action::PersonCorrect,
        Action::PersonList,
        Action::UserManage,
        Action::AuditRead,
        Action::AuditPersonReport,
        Action::PathwayRead,
        Action::PathwayWrite,
        Action::PathwayIndicators,
        Action::PathwayNational,
        Action::LarRead,
        Action::LarWrite,
        Action::CoercionRead,
        Action::CoercionWrite,
        Action::WarningRead,
        Action::WarningDraft,
        Action::WarningApprove,
        Action::WebhookManage,
        Action::MonitoringRead,
        Action::MonitoringWrite,
        Action::MonitoringImport,
        Action::DrugcheckIntake,
        Action::DrugcheckResult,
        Action::FeedbackLink,
        Action::FeedbackRead,
        Action::FeedbackSurveyShare,
        Action::FeedbackSurveyRead,
        Action::ResultsRead,
        Action::ResultsRate,
        Action::ResultsImport,
        Action::AdvisoryRead,
        Action::AdvisoryWrite,
        Action::AdvisoryHealth,
        Action::AdvisoryStatistics,
        Action::CoordinationDischargeWrite,
        Action::CoordinationDischargeRespond,
        Action::CoordinationDischargeRead,
        Action::CoordinationDischargeWebhook,
        Action::CoordinationDischargeNational,
        Action::CoordinationOverdoseWrite,
        Action::CoordinationOverdoseRead,
        Action::CoordinationOverdoseFollowUp,
        Action::CoordinationRead,
        Action::CoordinationWrite,
        Action::ConsentManage,
        Action::CoordinationFigures,
        Action::CoordinationPathwayStatus,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Action::PersonCreate => "person.create",
            Action::PersonRead => "person.read",
            Action::PersonCorrect => "person.correct",
            Action::PersonList => "person.list",
            Action::UserManage => "user.manage",
            Action::AuditRead => "audit.read",
            Action::AuditPersonReport => "audit.person_report",
            Action::PathwayRead => "pathway.read",
            Action::PathwayWrite => "pathway.write",
            Action::PathwayIndicators => "pathway.indicators",
            Action::PathwayNational => "pathway.national",
            Action::LarRead => "lar.read",
            Action::LarWrite => "lar.write",
            Action::CoercionRead => "coercion.read",
            Action::CoercionWrite => "coercion.write",
            Action::WarningRead => "warnings.read",
            Action::WarningDraft => "warnings.draft",
            Action::WarningApprove => "warnings.approve",
            Action::WebhookManage => "warnings.webhooks",
            Action::MonitoringRead => "monitoring.read",
            Action::MonitoringWrite => "monitoring.write",
            Action::MonitoringImport => "monitoring.import",
            Action::DrugcheckIntake => "drugcheck.intake",
            Action::DrugcheckResult => "drugcheck.result",
            Action::FeedbackLink => "feedback.link",
            Action::FeedbackRead => "feedback.read",
            Action::FeedbackSurveyShare => "feedback.survey_share",
            Action::FeedbackSurveyRead => "feedback.survey_read",
            Action::ResultsRead => "results.read",
            Action::ResultsRate => "results.rate",
            Action::ResultsImport => "results.import",
            Action::AdvisoryRead => "advisory.read",
            Action::AdvisoryWrite => "advisory.write",
            Action::AdvisoryHealth => "advisory.health",
            Action::AdvisoryStatistics => "advisory.statistics",
            Action::CoordinationDischargeWrite => "coordination.discharge.write",
            Action::CoordinationDischargeRespond => "coordination.discharge.respond",
            Action::CoordinationDischargeRead => "coordination.discharge.read",
            Action::CoordinationDischargeWebhook => "coordination.discharge.webhook",
            Action::CoordinationDischargeNational => "coordination.discharge.national",
            Action::CoordinationOverdoseWrite => "coordination.overdose.write",
            Action::CoordinationOverdoseRead => "coordination.overdose.read",
            Action::CoordinationOverdoseFollowUp => "coordination.overdose.follow_up",
            Action::CoordinationRead => "coordination.read",
            Action::CoordinationWrite => "coordination.write",
            Action::ConsentManage => "coordination.consent",
            Action::CoordinationFigures => "coordination.figures",
            Action::CoordinationPathwayStatus => "coordination.pathway_status",
        }
    }

    /// Whether the action touches personal data (and so is written to the access log).
    pub fn is_personal_data(self) -> bool {
        matches!(
            self,
            Action::PersonCreate
                | Action::PersonRead
                | Action::PersonCorrect
                | Action::PersonList
                | Action::AuditPersonReport
                | Action::PathwayRead
                | Action::PathwayWrite
                | Action::LarRead
                | Action::LarWrite
                | Action::CoercionRead
                | Action::CoercionWrite
                | Action::FeedbackLink
                | Action::FeedbackRead
                | Action::AdvisoryRead
                | Action::AdvisoryWrite
                | Action::AdvisoryHealth
                | Action::CoordinationRead
                | Action::CoordinationWrite
                | Action::ConsentManage
                | Action::CoordinationOverdoseWrite
                | Action::CoordinationOverdoseRead
                | Action::CoordinationOverdoseFollowUp
                | Action::CoordinationPathwayStatus
        )
    }

    /// The consent scope an action on another organisation's record needs, if it is one a
    /// consent or a legal basis can open.
    pub fn scope(self) -> Option<Scope> {
        match self {
            Action::CoordinationRead | Action::CoordinationWrite => Some(Scope::Plan),
            Action::CoordinationOverdoseRead | Action::CoordinationOverdoseFollowUp => {
                Some(Scope::OverdoseNotice)
            }
            Action::CoordinationPathwayStatus => Some(Scope::PathwayStatus),
            _ => None,
        }
    }
}

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
        Action::CoordinationDischargeNational => match actor.role {
            Role::Analyst => Decision::allow(Reason::AggregateStatistics),
            _ => Decision::deny(Reason::RoleHasNoAccess),
        },
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
