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
