//! The decision table, written out independently of `decide`.
use super::*;
use crate::coordination::{LegalBasis, Scope};
use crate::org::UserId;

const OWN: OrgId = OrgId(1);
const OTHER: OrgId = OrgId(2);
const CONSENTS: [Consent; 5] = [
    Consent::None,
    Consent::Given {
        id: 1,
        scope: Scope::Plan,
    },
    Consent::Given {
        id: 2,
        scope: Scope::DischargeNotice,
    },
    Consent::Given {
        id: 3,
        scope: Scope::OverdoseNotice,
    },
    Consent::Withdrawn,
];
const BASES: [Option<LegalBasis>; 4] = [
    None,
    Some(LegalBasis::CoordinatorPlan),
    Some(LegalBasis::DischargeNotice),
    Some(LegalBasis::Emergency),
];

fn actor(role: Role) -> Principal {
    actor_of(role, Some(OrgKind::Municipality))
}

fn actor_of(role: Role, org_kind: Option<OrgKind>) -> Principal {
    Principal {
        user: UserId(7),
        username: "u".into(),
        org: OWN,
        role,
        qualification: crate::org::Qualification::Other,
        org_kind,
    }
}

/// The expected decision, written out independently of `decide` as a table of rules.
#[allow(clippy::too_many_arguments)]
fn expected(
    role: Role,
    kind: Option<OrgKind>,
    action: Action,
    same: bool,
    rel: Relationship,
    consent: Consent,
    basis: Option<LegalBasis>,
    bg: Option<&str>,
) -> (bool, bool) {
    let casework = matches!(role, Role::Advisor | Role::Clinician | Role::Coordinator);
    let bg_ok = bg.is_some_and(|r| r.chars().filter(|c| !c.is_whitespace()).count() >= 10);
    match action {
        Action::PersonCreate | Action::PersonList => (casework && same, false),
        Action::PersonRead => {
            if !casework {
                (false, false)
            } else if same
                || (matches!(consent, Consent::Given { .. }) && rel == Relationship::Assigned)
            {
                (true, false)
            } else if role == Role::Clinician && bg_ok {
                (true, true)
            } else {
                (false, false)
            }
        }
        Action::PersonCorrect => (
            casework
                && (same
                    || (matches!(consent, Consent::Given { .. }) && rel == Relationship::Assigned)),
            false,
        ),
        Action::UserManage => (
            role == Role::SystemAdmin || (role == Role::OrgAdmin && same),
            false,
        ),
        Action::AuditRead | Action::AuditPersonReport => (role == Role::Auditor && same, false),
        Action::PathwayRead | Action::PathwayWrite => (role == Role::Clinician && same, false),
        Action::LarRead | Action::LarWrite | Action::CoercionRead | Action::CoercionWrite => {
            (role == Role::Clinician && same, false)
        }
        Action::PathwayIndicators => (
            role == Role::Analyst || (role == Role::Clinician && same),
            false,
        ),
        Action::PathwayNational => (role == Role::Analyst, false),
        Action::WarningRead => (
            matches!(role, Role::WarningEditor | Role::WarningApprover),
            false,
        ),
        Action::WarningDraft => (
            matches!(role, Role::WarningEditor | Role::WarningApprover),
            false,
        ),
        Action::WarningApprove => (role == Role::WarningApprover, false),
        Action::WebhookManage => (role == Role::SystemAdmin, false),
        Action::MonitoringRead | Action::MonitoringWrite => (role == Role::Analyst, false),
        Action::MonitoringImport => (
            role == Role::Analyst
                || kind == Some(OrgKind::Laboratory)
                || kind == Some(OrgKind::NationalAuthority),
            false,
        ),
        Action::DrugcheckIntake | Action::DrugcheckResult => (role == Role::Lab, false),
        Action::FeedbackLink | Action::FeedbackRead => (role == Role::Clinician && same, false),
        Action::FeedbackSurveyShare => (
            same && matches!(
                role,
                Role::Clinician | Role::Advisor | Role::Coordinator | Role::OrgAdmin
            ),
            false,
        ),
        Action::FeedbackSurveyRead => (
            role == Role::Analyst
                || (same
                    && matches!(
                        role,
                        Role::Clinician | Role::Advisor | Role::Coordinator | Role::OrgAdmin
                    )),
            false,
        ),
        Action::ResultsRead | Action::ResultsImport => (
            role == Role::Analyst || kind == Some(OrgKind::NationalAuthority),
            false,
        ),
        Action::ResultsRate => (
            role == Role::Analyst && kind == Some(OrgKind::NationalAuthority),
            false,
        ),
        Action::AdvisoryRead | Action::AdvisoryWrite => (
            matches!(role, Role::Advisor | Role::Clinician)
                && same
                && kind == Some(OrgKind::Municipality),
            false,
        ),
        Action::AdvisoryHealth => (
            role == Role::Clinician && same && kind == Some(OrgKind::Municipality),
            false,
        ),
        Action::CoordinationRead => {
            let plan_consent = matches!(
                consent,
                Consent::Given {
                    scope: Scope::Plan,
                    ..
                }
            );
            if !casework {
                (false, false)
            } else if same || plan_consent || basis == Some(LegalBasis::CoordinatorPlan) {
                (true, false)
            } else if role == Role::Clinician && bg_ok {
                (true, true)
            } else {
                (false, false)
            }
        }
        Action::CoordinationWrite => (
            casework && (same || basis == Some(LegalBasis::CoordinatorPlan)),
            false,
        ),
        Action::AdvisoryStatistics => (
            role == Role::Analyst
                || (matches!(role, Role::Advisor | Role::Clinician)
                    && same
                    && kind == Some(OrgKind::Municipality)),
            false,
        ),
        Action::CoordinationDischargeWrite => (
            role == Role::Clinician
                && same
                && matches!(kind, Some(OrgKind::TreatmentUnit | OrgKind::HealthTrust)),
            false,
        ),
        Action::CoordinationDischargeRespond => (
            casework
                && kind == Some(OrgKind::Municipality)
                && (same || rel == Relationship::Addressee),
            false,
        ),
        Action::CoordinationDischargeRead => (
            if kind == Some(OrgKind::Municipality) {
                casework && (same || rel == Relationship::Addressee)
            } else {
                role == Role::Clinician
                    && same
                    && matches!(kind, Some(OrgKind::TreatmentUnit | OrgKind::HealthTrust))
            },
            false,
        ),
        Action::CoordinationDischargeWebhook => (
            role == Role::OrgAdmin && same && kind == Some(OrgKind::Municipality),
            false,
        ),
        Action::CoordinationDischargeNational | Action::CoordinationOverdoseNational => {
            (role == Role::Analyst, false)
        }
        Action::CoordinationOverdoseWrite => (
            role == Role::Clinician
                && same
                && matches!(kind, Some(OrgKind::HealthTrust | OrgKind::Municipality)),
            false,
        ),
        Action::CoordinationOverdoseRead | Action::CoordinationOverdoseFollowUp => (
            casework
                && if rel == Relationship::Addressee && kind == Some(OrgKind::Municipality) {
                    matches!(
                        consent,
                        Consent::Given {
                            scope: Scope::OverdoseNotice,
                            ..
                        }
                    )
                } else {
                    same && action == Action::CoordinationOverdoseRead
                },
            false,
        ),
        Action::ConsentManage => (casework && same, false),
        Action::CoordinationFigures => (role == Role::Analyst || (casework && same), false),
        Action::CoordinationPathwayStatus => (
            casework
                && (same
                    || matches!(
                        consent,
                        Consent::Given {
                            scope: Scope::PathwayStatus,
                            ..
                        }
                    )),
            false,
        ),
    }
}

#[test]
fn the_whole_table() {
    let mut rows = 0;
    let mut allowed = 0;
    let kinds = [
        None,
        Some(OrgKind::Municipality),
        Some(OrgKind::TreatmentUnit),
        Some(OrgKind::Laboratory),
        Some(OrgKind::NationalAuthority),
    ];
    for role in Role::ALL {
        for kind in kinds {
            for action in Action::ALL {
                for same in [true, false] {
                    for rel in [
                        Relationship::None,
                        Relationship::Assigned,
                        Relationship::Addressee,
                    ] {
                        for consent in CONSENTS {
                            for basis in BASES {
                                for bg in [
                                    None,
                                    Some("short"),
                                    Some("a           "),
                                    Some("p a t i e n t  u n c"),
                                    Some("patient unconscious at the emergency ward"),
                                ] {
                                    let subject = Subject {
                                        org: if same { OWN } else { OTHER },
                                        relationship: rel,
                                        consent,
                                        basis,
                                    };
                                    let d = decide(&actor_of(role, kind), action, &subject, bg);
                                    let (allow, flag) =
                                        expected(role, kind, action, same, rel, consent, basis, bg);
                                    assert_eq!(
                                (d.allowed, d.flagged),
                                (allow, flag),
                                "{role} {kind:?} {action:?} same={same} {rel:?} {consent:?} bg={bg:?}: {:?}",
                                d.reason
                            );
                                    rows += 1;
                                    allowed += usize::from(d.allowed);
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    assert_eq!(
        rows,
        10 * kinds.len() * Action::ALL.len() * 2 * 3 * CONSENTS.len() * BASES.len() * 5
    );
    // Deny by default: most of the table is denied.
    assert!(allowed * 3 < rows, "{allowed} of {rows} allowed");
}

#[test]
fn denials_name_the_reason() {
    let s = Subject::of_org(OTHER);
    assert_eq!(
        decide(&actor(Role::Advisor), Action::PersonRead, &s, None).reason,
        Reason::OtherOrganisation
    );
    assert_eq!(
        decide(
            &actor(Role::Analyst),
            Action::PersonRead,
            &Subject::of_org(OWN),
            None
        )
        .reason,
        Reason::RoleHasNoAccess
    );
    assert_eq!(
        decide(&actor(Role::Clinician), Action::PersonRead, &s, Some("  ")).reason,
        Reason::BreakGlassReasonMissing
    );
    assert_eq!(
        decide(
            &actor(Role::Clinician),
            Action::PersonCorrect,
            &s,
            Some("patient unconscious")
        )
        .reason,
        Reason::BreakGlassNotForWrites
    );
}

#[test]
fn withdrawn_consent_is_no_consent() {
    let s = Subject {
        org: OTHER,
        relationship: Relationship::Assigned,
        consent: Consent::Withdrawn,
        basis: None,
    };
    assert!(!decide(&actor(Role::Coordinator), Action::PersonRead, &s, None).allowed);
}

#[test]
fn a_plan_across_organisations_needs_consent_for_its_scope_or_a_legal_basis() {
    let with = |consent, basis| Subject {
        org: OTHER,
        relationship: Relationship::None,
        consent,
        basis,
    };
    let c = actor(Role::Clinician);
    let read = |s: &Subject| decide(&c, Action::CoordinationRead, s, None);
    assert_eq!(
        read(&with(Consent::None, None)).reason,
        Reason::NoConsentOrLegalBasis
    );
    assert_eq!(
        read(&with(
            Consent::Given {
                id: 4,
                scope: Scope::Plan
            },
            None
        ))
        .reason,
        Reason::Consent
    );
    // A consent for another scope opens nothing here; nor does a basis for another scope.
    assert!(
        !read(&with(
            Consent::Given {
                id: 4,
                scope: Scope::PathwayStatus
            },
            Some(LegalBasis::DischargeNotice)
        ))
        .allowed
    );
    assert_eq!(
        read(&with(Consent::Withdrawn, Some(LegalBasis::CoordinatorPlan))).reason,
        Reason::LegalBasis(LegalBasis::CoordinatorPlan)
    );
    // Consent gives reads, never writes.
    assert!(
        !decide(
            &c,
            Action::CoordinationWrite,
            &with(
                Consent::Given {
                    id: 4,
                    scope: Scope::Plan
                },
                None
            ),
            None
        )
        .allowed
    );
}
