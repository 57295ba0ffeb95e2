//! Order rules of a pathway.

use super::*;

#[test]
fn a_valid_pathway_passes_in_any_row_order() {
    let mut events = valid_pathway("P1");
    events.reverse();
    let (valid, errors) = validate(events, date(2025, 6, 1));
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(valid.len(), 8);
}

#[test]
fn no_evaluation_before_a_clinical_decision() {
    let mut events = valid_pathway("P1");
    events.push(ev("P1", EventKind::Evaluation, date(2025, 1, 25)).with_line(10));
    let r = refused(events, date(2025, 6, 1));
    assert_eq!(
        r,
        vec![(10, Rule::EvaluationBeforeDecision(date(2025, 1, 25)))]
    );
    assert!(r[0]
        .1
        .to_string()
        .starts_with("no evaluation before a clinical decision"));
}

#[test]
fn evaluation_on_the_day_of_the_decision_is_allowed() {
    let mut events = valid_pathway("P1");
    events.push(ev("P1", EventKind::Evaluation, date(2025, 2, 3)).with_line(10));
    assert!(refused(events, date(2025, 6, 1)).is_empty());
}

#[test]
fn at_most_two_clinical_decisions() {
    let mut events = valid_pathway("P1");
    let cd = |d, line| {
        ev("P1", EventKind::ClinicalDecision, d)
            .with_outcome(Outcome::Decision(DecisionCode::CU))
            .with_line(line)
    };
    events.push(cd(date(2025, 2, 20), 10));
    events.push(cd(date(2025, 3, 1), 11));
    assert_eq!(
        refused(events, date(2025, 6, 1)),
        vec![(11, Rule::TooManyDecisions(date(2025, 3, 1)))]
    );
}

#[test]
fn nothing_after_the_end_except_late_registrations() {
    let mut events = valid_pathway("P1");
    events.push(ev("P1", EventKind::Evaluation, date(2025, 5, 2)).with_line(10));
    events.push(ev("P1", EventKind::FeedbackToolUsed, date(2025, 5, 2)).with_line(11));
    events.push(ev("P1", EventKind::TreatmentPlanInvolvement, date(2025, 5, 3)).with_line(12));
    let r = refused(events, date(2025, 6, 1));
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].0, 10);
    assert!(matches!(r[0].1, Rule::AfterEnd { end, .. } if end == date(2025, 4, 30)));
    // Same-day events at the end are fine.
    let mut events = valid_pathway("P1");
    events.push(ev("P1", EventKind::Evaluation, date(2025, 4, 30)).with_line(10));
    assert!(refused(events, date(2025, 6, 1)).is_empty());
}

#[test]
fn no_date_before_the_referral() {
    let mut events = valid_pathway("P1");
    events.push(ev("P1", EventKind::PathwayStart, date(2024, 12, 31)).with_line(10));
    assert_eq!(
        refused(events, date(2025, 6, 1)),
        vec![(
            10,
            Rule::DateBeforeReferral {
                date: date(2024, 12, 31),
                referral: date(2025, 1, 2)
            }
        )]
    );
}

#[test]
fn no_date_in_the_future() {
    let events = valid_pathway("P1");
    // Today 1 April 2025: the end on 30 April is in the future.
    let r = refused(events, date(2025, 4, 1));
    assert_eq!(
        r,
        vec![(
            9,
            Rule::DateInFuture {
                date: date(2025, 4, 30),
                today: date(2025, 4, 1)
            }
        )]
    );
}

#[test]
fn deadline_not_before_the_referral() {
    let mut events = valid_pathway("P1");
    events[1].deadline = Some(date(2024, 12, 20));
    let r = refused(events, date(2025, 6, 1));
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].0, 3);
    assert!(matches!(r[0].1, Rule::DeadlineBeforeReferral { .. }));
}

#[test]
fn duplicate_events_are_refused() {
    let mut events = valid_pathway("P1");
    events.push(ev("P1", EventKind::Evaluation, date(2025, 2, 10)).with_line(10));
    events.push(ev("P1", EventKind::ReferralReceived, date(2025, 1, 3)).with_line(11));
    let r = refused(events, date(2025, 6, 1));
    assert_eq!(r.len(), 2);
    assert_eq!(
        r[0],
        (
            10,
            Rule::Duplicate {
                event: EventKind::Evaluation,
                date: date(2025, 2, 10),
                first_line: 7
            }
        )
    );
    assert_eq!(r[1].0, 11);
}

#[test]
fn a_refused_row_does_not_count_for_later_rows() {
    // The only decision is in the future, so the evaluation after it has no decision either.
    use EventKind::*;
    let events = vec![
        ev("P1", ReferralReceived, date(2025, 1, 2)).with_line(2),
        ev("P1", ClinicalDecision, date(2025, 3, 1))
            .with_outcome(Outcome::Decision(DecisionCode::CT))
            .with_line(3),
        ev("P1", Evaluation, date(2025, 3, 5)).with_line(4),
    ];
    let r = refused(events, date(2025, 2, 1));
    assert_eq!(r.len(), 2);
}

#[test]
fn load_checks_order_rules_only_up_to_the_cutoff_and_names_the_line() {
    let csv = format!(
        "{HEADER}P1,U,H,R,,outpatient,referral_received,2025-01-02,,,\n\
         P1,U,H,R,,outpatient,evaluation,2025-01-10,,,\n\
         P1,U,H,R,,outpatient,evaluation,2025-09-10,,,\n\
         P1,U,H,R,,outpatient,bogus,2025-09-10,,,\n"
    );
    let loaded = load(csv.as_bytes(), date(2025, 6, 30), date(2025, 11, 1)).unwrap();
    let lines: Vec<(u64, String)> = loaded
        .errors
        .iter()
        .map(|e| (e.line, e.rule.to_string()))
        .collect();
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert_eq!(lines[0].0, 3);
    assert!(lines[0]
        .1
        .starts_with("no evaluation before a clinical decision"));
    assert_eq!(lines[1], (5, "unknown event `bogus`".to_string()));
    assert_eq!(loaded.events.len(), 1);
}

// The event rules of issue 15, each by its named function and through `validate`/`check_new`.

fn assessed(id: &str, d: Date, deadline: Option<Date>) -> Event {
    let e = ev(id, EventKind::ReferralAssessed, d).with_outcome(Outcome::Right);
    match deadline {
        Some(dl) => e.with_deadline(dl),
        None => e,
    }
}

#[test]
fn a_right_needs_its_legal_deadline() {
    let no_deadline = assessed("P1", date(2025, 1, 6), None);
    assert_eq!(
        event_rules::right_without_deadline(&no_deadline),
        Some(Rule::RightWithoutDeadline(date(2025, 1, 6)))
    );
    let with = assessed("P1", date(2025, 1, 6), Some(date(2025, 2, 17)));
    assert_eq!(event_rules::right_without_deadline(&with), None);
    // No right, no deadline needed.
    let no_right =
        ev("P1", EventKind::ReferralAssessed, date(2025, 1, 6)).with_outcome(Outcome::NoRight);
    assert_eq!(event_rules::right_without_deadline(&no_right), None);
    // Through validate (an import) and check_new (a new event): the same rule, on `deadline`.
    let mut events = valid_pathway("P1");
    events[1].deadline = None;
    let r = refused(events, date(2025, 6, 1));
    assert_eq!(r[0], (3, Rule::RightWithoutDeadline(date(2025, 1, 6))));
    let registered = vec![ev("P2", EventKind::ReferralReceived, date(2025, 1, 2))];
    let rule = check_new(
        &registered,
        &assessed("P2", date(2025, 1, 6), None),
        date(2025, 6, 1),
    )
    .unwrap_err();
    assert_eq!(rule.field(), "deadline");
    assert!(rule
        .to_string()
        .starts_with("a right needs its legal deadline"));
}

#[test]
fn a_deadline_is_not_before_the_assessment() {
    let early = assessed("P1", date(2025, 1, 6), Some(date(2025, 1, 5)));
    let rule = Rule::DeadlineBeforeAssessment {
        deadline: date(2025, 1, 5),
        assessed: date(2025, 1, 6),
    };
    assert_eq!(
        event_rules::deadline_before_assessment(&early),
        Some(rule.clone())
    );
    // On the day of the assessment is allowed.
    let same_day = assessed("P1", date(2025, 1, 6), Some(date(2025, 1, 6)));
    assert_eq!(event_rules::deadline_before_assessment(&same_day), None);
    let mut events = valid_pathway("P1");
    events[1].deadline = Some(date(2025, 1, 5));
    assert_eq!(refused(events, date(2025, 6, 1)), vec![(3, rule.clone())]);
    assert_eq!(rule.field(), "deadline");
}

#[test]
fn one_first_attendance_per_pathway() {
    let second = ev("P1", EventKind::FirstAttendance, date(2025, 1, 27));
    assert_eq!(
        event_rules::second_first_attendance(&second, Some(date(2025, 1, 20))),
        Some(Rule::SecondFirstAttendance {
            date: date(2025, 1, 27),
            first: date(2025, 1, 20)
        })
    );
    assert_eq!(event_rules::second_first_attendance(&second, None), None);
    let mut events = valid_pathway("P1");
    events.push(second.with_line(10));
    let r = refused(events.clone(), date(2025, 6, 1));
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].0, 10);
    assert_eq!(r[0].1.field(), "event");
    // As a new event on the registered (open) pathway: the same rule.
    events.truncate(7);
    let rule = check_new(
        &events,
        &ev("P1", EventKind::FirstAttendance, date(2025, 1, 21)),
        date(2025, 6, 1),
    );
    assert!(matches!(rule, Err(Rule::SecondFirstAttendance { .. })));
}

#[test]
fn no_attendance_before_the_assessment() {
    let early = ev("P1", EventKind::FirstAttendance, date(2025, 1, 4));
    let rule = Rule::AttendanceBeforeAssessment {
        date: date(2025, 1, 4),
        assessed: date(2025, 1, 6),
    };
    assert_eq!(
        event_rules::attendance_before_assessment(&early, Some(date(2025, 1, 6))),
        Some(rule.clone())
    );
    // On the day of the assessment, or with no assessment yet (an emergency admission), it is
    // allowed.
    let same_day = ev("P1", EventKind::FirstAttendance, date(2025, 1, 6));
    assert_eq!(
        event_rules::attendance_before_assessment(&same_day, Some(date(2025, 1, 6))),
        None
    );
    assert_eq!(
        event_rules::attendance_before_assessment(&early, None),
        None
    );
    // The attendance moved before the assessment in a file.
    let mut events = valid_pathway("P1");
    events[3].date = date(2025, 1, 4);
    assert_eq!(refused(events, date(2025, 6, 1)), vec![(5, rule.clone())]);
    assert_eq!(rule.field(), "date");
    // An assessment registered after an attendance it would put before it is refused: the
    // registered attendance would break the rule.
    let registered = vec![
        ev("P2", EventKind::ReferralReceived, date(2025, 1, 2)),
        ev("P2", EventKind::FirstAttendance, date(2025, 1, 4)),
    ];
    let late = assessed("P2", date(2025, 1, 6), Some(date(2025, 2, 17)));
    assert!(matches!(
        check_new(&registered, &late, date(2025, 6, 1)),
        Err(Rule::AttendanceBeforeAssessment { .. })
    ));
}

#[test]
fn no_event_in_the_future_by_its_named_rule() {
    let e = ev("P1", EventKind::Evaluation, date(2025, 4, 2));
    assert_eq!(
        event_rules::future_date(&e, date(2025, 4, 1)),
        Some(Rule::DateInFuture {
            date: date(2025, 4, 2),
            today: date(2025, 4, 1)
        })
    );
    assert_eq!(event_rules::future_date(&e, date(2025, 4, 2)), None);
    let registered = vec![ev("P1", EventKind::ReferralReceived, date(2025, 1, 2))];
    assert!(matches!(
        check_new(&registered, &e, date(2025, 4, 1)),
        Err(Rule::DateInFuture { .. })
    ));
}

#[test]
fn no_event_before_the_referral_by_its_named_rule() {
    let e = ev("P1", EventKind::PathwayStart, date(2025, 1, 1));
    assert_eq!(
        event_rules::before_referral(&e, Some(date(2025, 1, 2))),
        Some(Rule::DateBeforeReferral {
            date: date(2025, 1, 1),
            referral: date(2025, 1, 2)
        })
    );
    assert_eq!(event_rules::before_referral(&e, None), None);
    assert_eq!(
        event_rules::before_referral(&e, Some(date(2025, 1, 1))),
        None
    );
    let registered = vec![ev("P1", EventKind::ReferralReceived, date(2025, 1, 2))];
    assert!(matches!(
        check_new(&registered, &e, date(2025, 6, 1)),
        Err(Rule::DateBeforeReferral { .. })
    ));
}

#[test]
fn nothing_after_the_end_by_its_named_rule() {
    let eval = ev("P1", EventKind::Evaluation, date(2025, 5, 2));
    assert!(matches!(
        event_rules::after_end(&eval, Some(date(2025, 4, 30))),
        Some(Rule::AfterEnd { .. })
    ));
    let late_registration = ev("P1", EventKind::FeedbackToolUsed, date(2025, 5, 2));
    assert_eq!(
        event_rules::after_end(&late_registration, Some(date(2025, 4, 30))),
        None
    );
    assert_eq!(event_rules::after_end(&eval, None), None);
}

#[test]
fn a_closed_pathway_takes_no_new_event_only_corrections() {
    let registered = valid_pathway("P1");
    let end = event_rules::registered_end(&registered, "P1");
    assert_eq!(end, Some(date(2025, 4, 30)));
    assert_eq!(event_rules::registered_end(&registered, "P2"), None);
    // Whatever its kind and date, even one before the end or a late registration.
    for (kind, d) in [
        (EventKind::Evaluation, date(2025, 3, 1)),
        (EventKind::TreatmentPlanInvolvement, date(2025, 4, 1)),
        (EventKind::FeedbackToolUsed, date(2025, 5, 2)),
        (EventKind::ReferralReceived, date(2025, 5, 2)),
    ] {
        let new = ev("P1", kind, d);
        let rule = Rule::PathwayClosed {
            event: kind,
            end: date(2025, 4, 30),
        };
        assert_eq!(event_rules::closed_pathway(&new, end), Some(rule.clone()));
        assert_eq!(check_new(&registered, &new, date(2025, 6, 1)), Err(rule));
    }
    assert_eq!(
        event_rules::closed_pathway(&ev("P2", EventKind::Evaluation, date(2025, 3, 1)), None),
        None
    );
    let rule = Rule::PathwayClosed {
        event: EventKind::Evaluation,
        end: date(2025, 4, 30),
    };
    assert_eq!(rule.field(), "event");
    assert!(rule.to_string().contains("no reopening"));
    // The code list has no code for reopening a pathway.
    let list = codes::code_list().unwrap();
    assert!(!list.iter().any(|c| {
        let t = format!("{} {}", c.text_nb, c.text_en).to_lowercase();
        t.contains("gjenåpn") || t.contains("reopen")
    }));
    // A correction is how a closed pathway changes: withdrawing its end opens it again.
    let withdraw_end = corrections::Correction {
        target: corrections::EventRef::of(&registered[7]),
        replacement: None,
        reason: "avsluttet ved en feil".into(),
        registered: date(2025, 6, 1),
    };
    let eff =
        corrections::effective_events(&registered, &[withdraw_end], date(2025, 6, 1)).unwrap();
    let new = ev("P1", EventKind::Evaluation, date(2025, 5, 2));
    assert_eq!(check_new(&eff, &new, date(2025, 6, 1)), Ok(()));
}

#[test]
fn an_import_applies_the_closed_pathway_rule() {
    use crate::pathways::import::plan;
    let place = "Enhet,Oslo universitetssykehus HF,Helse Sør-Øst RHF,0301,outpatient";
    let file = |rows: &[String]| {
        let mut s = HEADER.to_owned();
        for r in rows {
            s.push_str(r);
            s.push('\n');
        }
        read_events(s.as_bytes()).unwrap()
    };
    let registered = file(&[
        format!("P1,{place},referral_received,2026-10-01,,,"),
        format!("P1,{place},pathway_end,2026-10-05,,avsluttet,"),
    ])
    .events;
    let parsed = file(&[format!(
        "P1,{place},referral_assessed,2026-10-02,,no_right,"
    )]);
    let p = plan(&parsed, &registered, date(2026, 12, 6), true);
    assert!(p.writable.is_empty());
    assert_eq!(p.errors.len(), 1);
    assert_eq!(p.errors[0].line, 2);
    assert_eq!(p.errors[0].field, "event");
    assert!(p.errors[0].rule.starts_with("the pathway is closed"));
}

#[test]
fn a_rule_broken_by_a_registered_event_alone_does_not_hold_a_new_one_back() {
    // Registered under an earlier rule: a right with no deadline.
    let registered = vec![
        ev("P1", EventKind::ReferralReceived, date(2025, 1, 2)),
        assessed("P1", date(2025, 1, 6), None),
    ];
    let new = ev("P1", EventKind::PathwayStart, date(2025, 1, 6));
    assert_eq!(check_new(&registered, &new, date(2025, 6, 1)), Ok(()));
}

/// The file commands follow the event CSV contract of `definitions.md`: a right without its
/// deadline (the worklist skips the pathway), a second first attendance (the first counts) and
/// an attendance before the assessment are accepted there; what Varde registers refuses them.
#[test]
fn the_file_contract_keeps_its_own_rules() {
    let referral = ev("P1", EventKind::ReferralReceived, date(2025, 1, 2)).with_line(2);
    let attended = ev("P1", EventKind::FirstAttendance, date(2025, 1, 5)).with_line(3);
    let right = assessed("P1", date(2025, 1, 6), None).with_line(4);
    let again = ev("P1", EventKind::FirstAttendance, date(2025, 1, 20)).with_line(5);
    let file = vec![referral, attended, right, again];
    let (valid, errors) = crate::pathways::validate_file(file.clone(), date(2025, 6, 1));
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(valid.len(), 4);
    let (_, errors) = validate(file, date(2025, 6, 1));
    let rules: Vec<&Rule> = errors.iter().map(|e| &e.rule).collect();
    assert!(
        rules
            .iter()
            .any(|r| matches!(r, Rule::AttendanceBeforeAssessment { .. }))
            && rules
                .iter()
                .any(|r| matches!(r, Rule::RightWithoutDeadline(_))),
        "{rules:?}"
    );
}
