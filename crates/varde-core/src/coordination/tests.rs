//! The coordination rules, on fixed dates.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use jiff::civil::{date, Date};

use super::consent::{self, ConsentInput, Grantee};
use super::figures::{figures, PersonFacts};
use super::plan::{self, EvaluationInput, MeasureInput, MeetingInput, MemberInput};
use super::worklist::{self, ItemKind};
use super::{LegalBasis, Scope};

const TODAY: Date = date(2026, 11, 24);

fn fields(errs: Vec<crate::fields::FieldError>) -> Vec<String> {
    errs.into_iter().map(|e| e.field.into_owned()).collect()
}

fn consent_input() -> ConsentInput {
    ConsentInput {
        scope: "plan".into(),
        grantee_org: "7".into(),
        purpose: "Samarbeid om individuell plan".into(),
        valid_from: "2026-11-24".into(),
        valid_until: "2027-05-24".into(),
        given_how: "written".into(),
        ..Default::default()
    }
}

#[test]
fn a_consent_names_scope_grantee_purpose_and_both_dates() {
    let c = consent::check(&consent_input(), TODAY).unwrap();
    assert_eq!(c.scope, Scope::Plan);
    assert_eq!(c.grantee, Grantee::Org(7));
    let mut no_end = consent_input();
    no_end.valid_until = String::new();
    assert_eq!(
        fields(consent::check(&no_end, TODAY).unwrap_err()),
        ["valid_until"]
    );
    let everything = ConsentInput {
        scope: "everything".into(),
        grantee_group: "3".into(),
        purpose: String::new(),
        valid_until: "2026-11-01".into(),
        given_how: "nodded".into(),
        ..consent_input()
    };
    assert_eq!(
        fields(consent::check(&everything, TODAY).unwrap_err()),
        [
            "scope",
            "grantee_org",
            "purpose",
            "valid_until",
            "given_how"
        ]
    );
}

#[test]
fn a_consent_is_in_force_between_its_days_until_withdrawn() {
    let (f, u) = (date(2026, 11, 1), date(2026, 12, 1));
    assert!(consent::in_force(f, u, false, TODAY));
    assert!(consent::in_force(f, u, false, u));
    assert!(!consent::in_force(f, u, true, TODAY));
    assert!(!consent::in_force(f, u, false, date(2026, 12, 2)));
    assert!(!consent::in_force(f, u, false, date(2026, 10, 31)));
}

#[test]
fn legal_bases_name_their_paragraph_and_reach_one_scope() {
    assert!(LegalBasis::CoordinatorPlan.paragraph().contains("§ 2-5 b"));
    assert!(LegalBasis::DischargeNotice
        .paragraph()
        .contains("utskrivningsklare"));
    assert!(LegalBasis::CoordinatorPlan.covers(Scope::Plan));
    assert!(!LegalBasis::CoordinatorPlan.covers(Scope::DischargeNotice));
    assert!(!LegalBasis::DischargeNotice.covers(Scope::Plan));
    assert!(LegalBasis::Emergency.covers(Scope::OverdoseNotice));
}

fn measure_input() -> MeasureInput {
    MeasureInput {
        goal: "1".into(),
        text: "Bolig med oppfølging".into(),
        owner_org: "10".into(),
        owner_name: "Boligkontoret".into(),
        start: "2026-12-01".into(),
        evaluate_on: "2027-03-01".into(),
        meeting: String::new(),
    }
}

#[test]
fn a_measure_has_an_owner_in_the_group_and_an_evaluation_date() {
    let m = plan::measure(&measure_input(), &[1], &[10, 20], &[]).unwrap();
    assert_eq!(m.owner_org, 10);
    let outside = MeasureInput {
        owner_org: "30".into(),
        ..measure_input()
    };
    assert_eq!(
        fields(plan::measure(&outside, &[1], &[10, 20], &[]).unwrap_err()),
        ["owner_org"]
    );
    let bare = MeasureInput {
        owner_org: String::new(),
        owner_name: String::new(),
        evaluate_on: String::new(),
        ..measure_input()
    };
    assert_eq!(
        fields(plan::measure(&bare, &[1], &[10], &[]).unwrap_err()),
        ["owner_org", "owner_name", "evaluate_on"]
    );
    let early = MeasureInput {
        evaluate_on: "2026-11-30".into(),
        goal: "9".into(),
        meeting: "4".into(),
        ..measure_input()
    };
    assert_eq!(
        fields(plan::measure(&early, &[1], &[10], &[]).unwrap_err()),
        ["goal", "evaluate_on", "meeting"]
    );
}

#[test]
fn an_evaluation_sets_the_next_date_not_before_the_start() {
    let start = date(2026, 10, 1);
    let e = EvaluationInput {
        on: "2026-11-20".into(),
        note: "Har fått leilighet".into(),
        next: "2027-02-20".into(),
    };
    assert_eq!(
        plan::evaluation(&e, start, TODAY).unwrap().next,
        date(2027, 2, 20)
    );
    let bad = EvaluationInput {
        on: "2026-11-25".into(),
        note: String::new(),
        next: "2026-09-01".into(),
    };
    assert_eq!(
        fields(plan::evaluation(&bad, start, TODAY).unwrap_err()),
        ["on", "note", "next"]
    );
    let no_next = EvaluationInput {
        next: String::new(),
        ..e
    };
    assert_eq!(
        fields(plan::evaluation(&no_next, start, TODAY).unwrap_err()),
        ["next"]
    );
}

#[test]
fn members_and_meetings() {
    let user = MemberInput {
        kind: "user".into(),
        username: "kliniker".into(),
        role: "Behandler".into(),
        ..Default::default()
    };
    assert!(plan::member(&user).is_ok());
    let relative = MemberInput {
        kind: "relative".into(),
        role: "Mor".into(),
        ..Default::default()
    };
    assert_eq!(fields(plan::member(&relative).unwrap_err()), ["name"]);
    let m = MeetingInput {
        held_on: "2026-11-20".into(),
        attendance: vec![2, 1, 2],
        minutes: String::new(),
    };
    let ok = plan::meeting(&m, &[1, 2], TODAY).unwrap();
    assert_eq!((ok.attendance, ok.minutes), (vec![1, 2], None));
    assert_eq!(
        fields(plan::meeting(&m, &[1], TODAY).unwrap_err()),
        ["attendance"]
    );
}

#[test]
fn the_worklist_finds_what_is_due_stale_unminuted_and_expiring() {
    let items = worklist::worklist(
        TODAY,
        &[
            worklist::MeasureDue {
                plan: 1,
                measure: 11,
                due: date(2026, 11, 20),
            },
            worklist::MeasureDue {
                plan: 1,
                measure: 12,
                due: date(2026, 12, 8),
            },
            worklist::MeasureDue {
                plan: 1,
                measure: 13,
                due: date(2026, 12, 9),
            },
            worklist::MeasureDue {
                plan: 2,
                measure: 21,
                due: date(2026, 1, 1),
            },
        ],
        &[
            worklist::PlanFacts {
                plan: 1,
                created: date(2026, 1, 1),
                closed: false,
                last_evaluation: Some(date(2026, 5, 24)),
            },
            worklist::PlanFacts {
                plan: 2,
                created: date(2025, 1, 1),
                closed: true,
                last_evaluation: None,
            },
            worklist::PlanFacts {
                plan: 3,
                created: date(2026, 5, 23),
                closed: false,
                last_evaluation: None,
            },
        ],
        &[worklist::MeetingFacts {
            plan: 1,
            meeting: 5,
            held_on: date(2026, 11, 1),
            has_minutes: false,
        }],
        &[
            worklist::ConsentFacts {
                consent: 8,
                until: date(2026, 12, 24),
            },
            worklist::ConsentFacts {
                consent: 9,
                until: date(2026, 12, 25),
            },
        ],
    );
    let got: Vec<(ItemKind, i64)> = items.iter().map(|i| (i.kind, i.record)).collect();
    assert_eq!(
        got,
        [
            (ItemKind::EvaluationOverdue, 11),
            (ItemKind::EvaluationDue, 12),
            (ItemKind::StalePlan, 3),
            (ItemKind::MinutesMissing, 5),
            (ItemKind::ConsentExpiring, 8),
        ]
    );
}

#[test]
fn figures_hide_small_counts_and_their_complement() {
    let with = |plan: bool| PersonFacts {
        plan,
        coordinator: plan,
        group: false,
        last_evaluation: plan.then_some(date(2026, 10, 1)),
    };
    let mut people: Vec<PersonFacts> = (0..6).map(|_| with(true)).collect();
    people.extend((0..14).map(|_| with(false)));
    let f = figures(&people, TODAY);
    assert_eq!(f[0].key, "plan");
    assert_eq!(
        (f[0].count, f[0].total, f[0].share),
        (Some(6), Some(20), Some(30.0))
    );
    assert_eq!((f[2].count, f[2].share), (Some(0), Some(0.0)));
    // 18 of 20: the two without would be given away by subtraction.
    let mut most: Vec<PersonFacts> = (0..18).map(|_| with(true)).collect();
    most.extend((0..2).map(|_| with(false)));
    let f = figures(&most, TODAY);
    assert_eq!(f[0].share, None);
}
