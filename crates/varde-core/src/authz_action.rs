//! The actions [`super::decide`] decides: their names (as in the access log), the ones that
//! touch a person's data, and the consent scope each needs across organisations.

use serde::Serialize;

use crate::coordination::Scope;

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
    /// Read the national figures of the follow-up after overdoses (aggregates, small cells
    /// suppressed).
    CoordinationOverdoseNational,
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
    pub const ALL: [Action; 49] = [
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
        Action::CoordinationOverdoseNational,
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
            Action::CoordinationOverdoseNational => "coordination.overdose.national",
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
