//! Tests of the pathway rules, worklist and indicators with fixed dates.

use jiff::civil::{date, Date};
use proptest::strategy::Strategy;
use serde_json::Value;

use super::*;

const SAMPLE: &str = include_str!("../../testdata/pathways/sample.csv");
const SAMPLE_REPORT: &str = include_str!("../../testdata/pathways/sample_report_2025H1.json");
const SAMPLE_DUE: &str = include_str!("../../testdata/pathways/sample_due_2025-05-15.json");

/// A fixed "today" (the day these tests were written).
const TODAY: Date = date(2026, 11, 24);

fn sample(cutoff: Date) -> Vec<Event> {
    let loaded = load(SAMPLE.as_bytes(), cutoff, TODAY).unwrap();
    assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
    loaded.events
}

/// Compares two JSON values; numbers within 1e-9, arrays as multisets when `unordered`.
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            (x.as_f64().unwrap() - y.as_f64().unwrap()).abs() <= 1e-9
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && {
                let mut used = vec![false; y.len()];
                x.iter().all(|xi| {
                    let found = y
                        .iter()
                        .enumerate()
                        .find(|(j, yj)| !used[*j] && same(xi, yj));
                    match found {
                        Some((j, _)) => {
                            used[j] = true;
                            true
                        }
                        None => false,
                    }
                })
            }
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

fn missing(got: &Value, want: &Value) -> Vec<String> {
    let (Some(g), Some(w)) = (got.as_array(), want.as_array()) else {
        return vec![];
    };
    let mut out: Vec<String> = w
        .iter()
        .filter(|wi| !g.iter().any(|gi| same(gi, wi)))
        .map(|wi| format!("want {wi}"))
        .collect();
    out.extend(
        g.iter()
            .filter(|gi| !w.iter().any(|wi| same(gi, wi)))
            .map(|gi| format!("got  {gi}")),
    );
    out
}

#[test]
fn sample_report_matches_expected_json() {
    let events = sample(date(2025, 6, 30));
    let got = serde_json::to_value(report(&events, date(2025, 1, 1), date(2025, 6, 30))).unwrap();
    let want: Value = serde_json::from_str(SAMPLE_REPORT).unwrap();
    let diff_i = missing(&got["indicators"], &want["indicators"]);
    let diff_w = missing(&got["waiting_time"], &want["waiting_time"]);
    assert!(diff_i.is_empty(), "indicators:\n{}", diff_i.join("\n"));
    assert!(diff_w.is_empty(), "waiting_time:\n{}", diff_w.join("\n"));
    assert!(same(&got, &want));
}

#[test]
fn sample_due_matches_expected_json() {
    let events = sample(date(2025, 5, 15));
    let got = serde_json::to_value(worklist(&events, date(2025, 5, 15))).unwrap();
    let want: Value = serde_json::from_str(SAMPLE_DUE).unwrap();
    let diff = missing(&got, &want);
    assert!(diff.is_empty(), "{}", diff.join("\n"));
    assert!(same(&got, &want));
}

// ---------------------------------------------------------------------------------------------
// Parsing

const HEADER: &str = "pathway_id,unit,hf,rhf,kommune,care_level,event,date,code,outcome,deadline\n";

fn parse_ok(body: &str) -> parse::Parsed {
    read_events(format!("{HEADER}{body}").as_bytes()).unwrap()
}

fn row_rules(body: &str) -> Vec<(u64, Rule)> {
    parse_ok(body)
        .errors
        .into_iter()
        .map(|e| (e.line, e.rule))
        .collect()
}

#[test]
fn parse_reads_a_row_with_its_line() {
    let p = parse_ok(
        "P1,U,H,R,0301,outpatient,referral_received,2025-01-02,,,\n\
         P1,U,H,R,0301,outpatient,referral_assessed,2025-01-06,,right,2025-02-15\n",
    );
    assert!(p.errors.is_empty(), "{:?}", p.errors);
    assert_eq!(p.events.len(), 2);
    assert_eq!(p.events[0].line, 2);
    assert_eq!(p.events[1].line, 3);
    assert_eq!(p.events[1].kind, EventKind::ReferralAssessed);
    assert_eq!(p.events[1].outcome, Some(Outcome::Right));
    assert_eq!(p.events[1].deadline, Some(date(2025, 2, 15)));
    assert_eq!(&*p.events[1].kommune, "0301");
}

#[test]
fn parse_accepts_any_column_order_and_extra_columns() {
    let csv =
        "extra,date,event,care_level,pathway_id,unit,hf,rhf,kommune,code,outcome,deadline,more\n\
               x,2025-03-03,clinical_decision,inpatient,P9,U,H,R,,D01CT,,,y\n";
    let p = read_events(csv.as_bytes()).unwrap();
    assert!(p.errors.is_empty(), "{:?}", p.errors);
    assert_eq!(
        p.events[0].outcome,
        Some(Outcome::Decision(DecisionCode::CT))
    );
    assert_eq!(p.events[0].care_level, CareLevel::Inpatient);
}

#[test]
fn parse_requires_the_header() {
    let err = read_events("".as_bytes()).unwrap_err();
    assert!(matches!(
        err,
        FileError::Header(RowError {
            line: 1,
            rule: Rule::MissingHeader,
            ..
        })
    ));
    let err = read_events(
        "pathway_id,unit,hf,rhf,kommune,care_level,event,date,code,outcome\n".as_bytes(),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "1: header required: column `deadline` is missing"
    );
    // A file that starts with data instead of a header.
    let err = read_events("P1,U,H,R,0301,outpatient,referral_received,2025-01-02,,,\n".as_bytes())
        .unwrap_err();
    assert!(matches!(err, FileError::Header(_)));
}

#[test]
fn parse_counts_lines_across_quoted_newlines() {
    let p = parse_ok(
        "P1,\"Unit\nwith newline\",H,R,,outpatient,referral_received,2025-01-02,,,\n\
         P1,U,H,R,,outpatient,bogus,2025-01-03,,,\n",
    );
    assert_eq!(p.events[0].line, 2);
    assert_eq!(p.errors.len(), 1);
    assert_eq!(p.errors[0].line, 4);
}

#[test]
fn parse_refuses_bad_rows_naming_the_rule() {
    let rules = row_rules(
        "P1,U,H,R,,outpatient,bogus,2025-01-02,,,\n\
         P1,U,H,R,,daycare,evaluation,2025-01-02,,,\n\
         P1,U,H,R,,outpatient,evaluation,2025-02-30,,,\n\
         P1,U,H,R,,outpatient,evaluation,02.01.2025,,,\n\
         P1,U,H,R,,outpatient,referral_assessed,2025-01-02,,maybe,\n\
         P1,U,H,R,,outpatient,referral_assessed,2025-01-02,,,\n\
         P1,U,H,R,,outpatient,clinical_decision,2025-01-02,,XX,\n\
         P1,U,H,R,,outpatient,clinical_decision,2025-01-02,,,\n\
         P1,U,H,R,,outpatient,clinical_decision,2025-01-02,D01CT,CU,\n\
         P1,U,H,R,,outpatient,evaluation,2025-01-02,D01CT,,\n\
         P1,U,H,R,,outpatient,evaluation,2025-01-02,Z99,,\n\
         P1,U,H,R,,outpatient,pathway_end,2025-01-02,,,\n\
         ,U,H,R,,outpatient,evaluation,2025-01-02,,,\n\
         P1,U,H,R,,outpatient,referral_assessed,2025-01-02,,right,2025-13-01\n",
    );
    let lines: Vec<u64> = rules.iter().map(|r| r.0).collect();
    assert_eq!(lines, (2..=15).collect::<Vec<u64>>());
    assert!(matches!(rules[0].1, Rule::UnknownEvent(_)));
    assert!(matches!(rules[1].1, Rule::UnknownCareLevel(_)));
    assert!(matches!(
        rules[2].1,
        Rule::InvalidDate { field: "date", .. }
    ));
    assert!(matches!(
        rules[3].1,
        Rule::InvalidDate { field: "date", .. }
    ));
    assert!(matches!(rules[4].1, Rule::UnknownOutcome { .. }));
    assert!(matches!(
        rules[5].1,
        Rule::MissingOutcome(EventKind::ReferralAssessed)
    ));
    assert!(matches!(rules[6].1, Rule::UnknownOutcome { .. }));
    assert!(matches!(
        rules[7].1,
        Rule::MissingOutcome(EventKind::ClinicalDecision)
    ));
    assert!(matches!(rules[8].1, Rule::CodeDisagrees { .. }));
    assert!(matches!(rules[9].1, Rule::CodeDisagrees { .. }));
    assert!(matches!(rules[10].1, Rule::UnknownCode(_)));
    assert!(matches!(
        rules[11].1,
        Rule::MissingOutcome(EventKind::PathwayEnd)
    ));
    assert!(matches!(rules[12].1, Rule::MissingField("pathway_id")));
    assert!(matches!(
        rules[13].1,
        Rule::InvalidDate {
            field: "deadline",
            ..
        }
    ));
    assert_eq!(
        rules[9].1.to_string(),
        "code disagrees with its event: `D01CT` on evaluation"
    );
}

#[test]
fn decision_code_alone_gives_the_outcome() {
    let p = parse_ok("P1,U,H,R,,outpatient,clinical_decision,2025-01-02,D01CK,,\n");
    assert_eq!(
        p.events[0].outcome,
        Some(Outcome::Decision(DecisionCode::CK))
    );
}

#[test]
fn parse_reads_the_optional_variant_column() {
    let csv = "pathway_id,unit,hf,rhf,kommune,care_level,event,date,code,outcome,deadline,pathway_variant\n\
               P1,U,H,R,,outpatient,first_attendance,2025-01-02,,,,pregnant\n\
               P2,U,H,R,,outpatient,first_attendance,2025-01-02,,,,\n\
               P3,U,H,R,,outpatient,first_attendance,2025-01-02,,,,twins\n";
    let p = read_events(csv.as_bytes()).unwrap();
    assert_eq!(p.events[0].variant, Variant::Pregnant);
    assert_eq!(p.events[1].variant, Variant::Standard);
    assert!(matches!(p.errors[0].rule, Rule::UnknownVariant(_)));
}

// ---------------------------------------------------------------------------------------------
// Order rules

fn ev(id: &str, kind: EventKind, d: Date) -> Event {
    Event::new(id, "U", CareLevel::Outpatient, kind, d)
}

fn refused(events: Vec<Event>, today: Date) -> Vec<(u64, Rule)> {
    let (_, errors) = validate(events, today);
    errors.into_iter().map(|e| (e.line, e.rule)).collect()
}

/// A valid pathway: referral 2 Jan, assessed 6 Jan, attendance, decision, evaluations, end.
fn valid_pathway(id: &str) -> Vec<Event> {
    use EventKind::*;
    vec![
        ev(id, ReferralReceived, date(2025, 1, 2)).with_line(2),
        ev(id, ReferralAssessed, date(2025, 1, 6))
            .with_outcome(Outcome::Right)
            .with_deadline(date(2025, 2, 17))
            .with_line(3),
        ev(id, PathwayStart, date(2025, 1, 6)).with_line(4),
        ev(id, FirstAttendance, date(2025, 1, 20)).with_line(5),
        ev(id, ClinicalDecision, date(2025, 2, 3))
            .with_outcome(Outcome::Decision(DecisionCode::CT))
            .with_line(6),
        ev(id, Evaluation, date(2025, 2, 10)).with_line(7),
        ev(id, Evaluation, date(2025, 3, 31)).with_line(8),
        ev(id, PathwayEnd, date(2025, 4, 30))
            .with_outcome(Outcome::EndReason("avsluttet".into()))
            .with_line(9),
    ]
}

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

// ---------------------------------------------------------------------------------------------
// Worklist

fn next_of(events: &[Event], as_of: Date) -> Option<(EventKind, Date, Status)> {
    let items = worklist(events, as_of);
    items.first().map(|i| (i.next, i.due, i.status))
}

fn start(id: &str, level: CareLevel, deadline: Date) -> Vec<Event> {
    use EventKind::*;
    vec![
        Event::new(id, "U", level, ReferralReceived, date(2025, 1, 2)),
        Event::new(id, "U", level, ReferralAssessed, date(2025, 1, 6))
            .with_outcome(Outcome::Right)
            .with_deadline(deadline),
    ]
}

#[test]
fn worklist_first_attendance_due_on_the_legal_deadline() {
    let events = start("P1", CareLevel::Outpatient, date(2025, 2, 17));
    use EventKind::FirstAttendance;
    assert_eq!(
        next_of(&events, date(2025, 2, 1)),
        Some((FirstAttendance, date(2025, 2, 17), Status::OnTime))
    );
    assert_eq!(
        next_of(&events, date(2025, 2, 14)),
        Some((FirstAttendance, date(2025, 2, 17), Status::DueSoon))
    );
    assert_eq!(
        next_of(&events, date(2025, 2, 17)),
        Some((FirstAttendance, date(2025, 2, 17), Status::DueSoon))
    );
    assert_eq!(
        next_of(&events, date(2025, 2, 18)),
        Some((FirstAttendance, date(2025, 2, 17), Status::Overdue))
    );
    // 4 days ahead is on time.
    assert_eq!(
        next_of(&events, date(2025, 2, 13)).map(|x| x.2),
        Some(Status::OnTime)
    );
}

#[test]
fn worklist_skips_closed_and_rightless_pathways() {
    use EventKind::*;
    let mut no_deadline = start("P1", CareLevel::Outpatient, date(2025, 2, 17));
    no_deadline[1].deadline = None;
    assert!(worklist(&no_deadline, date(2025, 2, 1)).is_empty());
    let no_right = vec![
        ev("P2", ReferralReceived, date(2025, 1, 2)),
        ev("P2", ReferralAssessed, date(2025, 1, 6)).with_outcome(Outcome::NoRight),
    ];
    assert!(worklist(&no_right, date(2025, 2, 1)).is_empty());
    let only_received = vec![ev("P3", ReferralReceived, date(2025, 1, 2))];
    assert!(worklist(&only_received, date(2025, 2, 1)).is_empty());
    let ended = valid_pathway("P4");
    assert!(worklist(&ended, date(2025, 5, 1)).is_empty());
    // Before its end the same pathway is open.
    assert_eq!(worklist(&ended, date(2025, 4, 29)).len(), 1);
}

#[test]
fn worklist_limits_by_care_level() {
    use EventKind::*;
    for (level, decision_days, detox_days, eval_gap) in [
        (CareLevel::Outpatient, 21, 3, 56),
        (CareLevel::Inpatient, 7, 0, 42),
    ] {
        let mut e = start("P1", level, date(2025, 2, 17));
        e.push(Event::new(
            "P1",
            "U",
            level,
            FirstAttendance,
            date(2025, 1, 20),
        ));
        assert_eq!(
            next_of(&e, date(2025, 1, 21)).map(|x| (x.0, x.1)),
            Some((
                ClinicalDecision,
                crate::calendar::add_days(date(2025, 1, 20), decision_days)
            ))
        );
        e.push(Event::new("P1", "U", level, DetoxEnd, date(2025, 1, 24)));
        assert_eq!(
            next_of(&e, date(2025, 1, 24)).map(|x| (x.0, x.1)),
            Some((
                TreatmentStart,
                crate::calendar::add_days(date(2025, 1, 24), detox_days)
            ))
        );
        e.push(Event::new(
            "P1",
            "U",
            level,
            TreatmentStart,
            date(2025, 1, 25),
        ));
        e.push(
            Event::new("P1", "U", level, ClinicalDecision, date(2025, 1, 27))
                .with_outcome(Outcome::Decision(DecisionCode::CT)),
        );
        assert_eq!(
            next_of(&e, date(2025, 1, 28)).map(|x| (x.0, x.1)),
            Some((Evaluation, date(2025, 2, 3)))
        );
        e.push(Event::new("P1", "U", level, Evaluation, date(2025, 2, 3)));
        assert_eq!(
            next_of(&e, date(2025, 2, 4)).map(|x| (x.0, x.1)),
            Some((
                Evaluation,
                crate::calendar::add_days(date(2025, 2, 3), eval_gap)
            ))
        );
        // A second decision after the evaluation asks for a new first evaluation.
        e.push(
            Event::new("P1", "U", level, ClinicalDecision, date(2025, 2, 10))
                .with_outcome(Outcome::Decision(DecisionCode::CT)),
        );
        assert_eq!(
            next_of(&e, date(2025, 2, 11)).map(|x| (x.0, x.1)),
            Some((Evaluation, date(2025, 2, 17)))
        );
    }
}

#[test]
fn worklist_uses_the_latest_rows_unit_and_level() {
    use EventKind::*;
    let mut e = start("P1", CareLevel::Outpatient, date(2025, 2, 17));
    e.push(Event::new(
        "P1",
        "Døgn",
        CareLevel::Inpatient,
        FirstAttendance,
        date(2025, 1, 20),
    ));
    let items = worklist(&e, date(2025, 1, 21));
    assert_eq!(items[0].unit, "Døgn");
    assert_eq!(items[0].due, date(2025, 1, 27)); // inpatient: + 7
}

#[test]
fn pregnant_pathway_has_its_own_limits() {
    use EventKind::*;
    let mut e: Vec<Event> = start("P1", CareLevel::Outpatient, date(2025, 2, 17))
        .into_iter()
        .map(|x| x.with_variant(Variant::Pregnant))
        .collect();
    e.push(ev("P1", FirstAttendance, date(2025, 1, 20)).with_variant(Variant::Pregnant));
    assert_eq!(
        next_of(&e, date(2025, 1, 21)).map(|x| x.1),
        Some(date(2025, 1, 27))
    );
    e.push(
        ev("P1", ClinicalDecision, date(2025, 1, 24))
            .with_outcome(Outcome::Decision(DecisionCode::CT)),
    );
    // Outpatient pregnant: decision + 14.
    assert_eq!(
        next_of(&e, date(2025, 1, 25)).map(|x| x.1),
        Some(date(2025, 2, 7))
    );
    e.push(ev("P1", Evaluation, date(2025, 2, 7)));
    assert_eq!(
        next_of(&e, date(2025, 2, 8)).map(|x| x.1),
        Some(date(2025, 3, 21))
    );
    e.push(ev("P1", DetoxEnd, date(2025, 2, 10)));
    assert_eq!(
        next_of(&e, date(2025, 2, 10)).map(|x| (x.0, x.1)),
        Some((TreatmentStart, date(2025, 2, 10)))
    );
}

#[test]
fn worklist_across_a_year_boundary() {
    use EventKind::*;
    let e = vec![
        ev("P1", ReferralReceived, date(2025, 12, 15)),
        ev("P1", ReferralAssessed, date(2025, 12, 19)).with_outcome(Outcome::Right),
        ev("P1", FirstAttendance, date(2025, 12, 22)),
    ];
    assert_eq!(
        next_of(&e, date(2026, 1, 5)),
        Some((ClinicalDecision, date(2026, 1, 12), Status::OnTime))
    );
    assert_eq!(
        next_of(&e, date(2026, 1, 13)).map(|x| x.2),
        Some(Status::Overdue)
    );
}

#[test]
fn line_numbers_with_crlf_endings() {
    let csv = HEADER.replace('\n', "\r\n")
        + "P1,U,H,R,,outpatient,referral_received,2025-01-02,,,\r\n\
           P1,U,H,R,,outpatient,bogus,2025-01-03,,,\r\n";
    let p = read_events(csv.as_bytes()).unwrap();
    assert_eq!(p.events[0].line, 2);
    assert_eq!(p.errors[0].line, 3);
    // The shared sample uses CRLF; its row for P0083's involvement is on line 762.
    let p = read_events(SAMPLE.as_bytes()).unwrap();
    let row = p
        .events
        .iter()
        .find(|e| &*e.pathway_id == "P0083" && e.kind == EventKind::TreatmentPlanInvolvement)
        .unwrap();
    assert_eq!(row.line, 762);
    assert_eq!(p.events.len(), 1287);
}

// ---------------------------------------------------------------------------------------------
// Indicators

fn measured(events: &[Event], from: Date, to: Date) -> Vec<(&'static str, bool)> {
    let hs = history::histories(events, to);
    let mut out = Vec::new();
    for h in &hs {
        indicators::measures(h, from, to, &mut out);
    }
    let mut v: Vec<(&'static str, bool)> = out.iter().map(|m| (m.id, m.hit)).collect();
    v.sort();
    v
}

const Y_FROM: Date = date(2025, 1, 1);
const Y_TO: Date = date(2025, 12, 31);

fn at(level: CareLevel, kind: EventKind, d: Date) -> Event {
    Event::new("P1", "U", level, kind, d)
}

#[test]
fn decision_limit_boundaries() {
    use CareLevel::*;
    use EventKind::*;
    for (level, limit, id) in [
        (Outpatient, 21, "decision_within_limit_outpatient"),
        (Inpatient, 7, "decision_within_limit_inpatient"),
    ] {
        for (extra, hit) in [(0, true), (1, false)] {
            let fa = date(2025, 3, 1);
            let e = vec![
                at(level, FirstAttendance, fa),
                at(
                    level,
                    ClinicalDecision,
                    crate::calendar::add_days(fa, limit + extra),
                )
                .with_outcome(Outcome::Decision(DecisionCode::CT)),
            ];
            assert_eq!(measured(&e, Y_FROM, Y_TO), vec![(id, hit)]);
        }
    }
    // Only the first decision counts, and only with a first attendance on or before it.
    let e = vec![
        at(Outpatient, ClinicalDecision, date(2025, 3, 1))
            .with_outcome(Outcome::Decision(DecisionCode::CU)),
        at(Outpatient, FirstAttendance, date(2025, 3, 2)),
        at(Outpatient, ClinicalDecision, date(2025, 3, 5))
            .with_outcome(Outcome::Decision(DecisionCode::CT)),
    ];
    assert_eq!(measured(&e, Y_FROM, Y_TO), vec![]);
}

#[test]
fn evaluation_limits() {
    use CareLevel::*;
    use EventKind::*;
    let cd = date(2025, 3, 22);
    let e = |level, first: Date, second: Date| {
        vec![
            at(level, ClinicalDecision, cd).with_outcome(Outcome::Decision(DecisionCode::CT)),
            at(level, Evaluation, first),
            at(level, Evaluation, second),
        ]
    };
    assert_eq!(
        measured(
            &e(Outpatient, date(2025, 3, 29), date(2025, 5, 24)),
            Y_FROM,
            Y_TO
        ),
        vec![
            ("evaluation_interval_within_limit_outpatient", true),
            ("first_evaluation_within_limit_outpatient", true),
        ]
    );
    assert_eq!(
        measured(
            &e(Outpatient, date(2025, 3, 30), date(2025, 5, 26)),
            Y_FROM,
            Y_TO
        ),
        vec![
            ("evaluation_interval_within_limit_outpatient", false),
            ("first_evaluation_within_limit_outpatient", false),
        ]
    );
    assert_eq!(
        measured(
            &e(Inpatient, date(2025, 3, 29), date(2025, 5, 10)),
            Y_FROM,
            Y_TO
        ),
        vec![
            ("evaluation_interval_within_limit_inpatient", true),
            ("first_evaluation_within_limit_inpatient", true),
        ]
    );
    assert_eq!(
        measured(
            &e(Inpatient, date(2025, 3, 29), date(2025, 5, 11)),
            Y_FROM,
            Y_TO
        ),
        vec![
            ("evaluation_interval_within_limit_inpatient", false),
            ("first_evaluation_within_limit_inpatient", true),
        ]
    );
    // First evaluation measured from the latest decision on or before it.
    let e2 = vec![
        at(Outpatient, ClinicalDecision, date(2025, 3, 1))
            .with_outcome(Outcome::Decision(DecisionCode::CU)),
        at(Outpatient, ClinicalDecision, date(2025, 3, 20))
            .with_outcome(Outcome::Decision(DecisionCode::CT)),
        at(Outpatient, Evaluation, date(2025, 3, 27)),
    ];
    assert_eq!(
        measured(&e2, Y_FROM, Y_TO),
        vec![("first_evaluation_within_limit_outpatient", true)]
    );
    // Only the part of the history in the period counts: the first evaluation before the
    // period is not measured, the interval to the next one is.
    assert_eq!(
        measured(
            &e(Outpatient, date(2025, 3, 29), date(2025, 5, 24)),
            date(2025, 4, 1),
            Y_TO
        ),
        vec![("evaluation_interval_within_limit_outpatient", true)]
    );
}

#[test]
fn treatment_after_detox() {
    use CareLevel::*;
    use EventKind::*;
    let d = date(2025, 3, 10);
    for (level, days, hit, id) in [
        (
            Outpatient,
            3,
            true,
            "treatment_after_detox_within_limit_outpatient",
        ),
        (
            Outpatient,
            4,
            false,
            "treatment_after_detox_within_limit_outpatient",
        ),
        (
            Inpatient,
            0,
            true,
            "treatment_after_detox_within_limit_inpatient",
        ),
        (
            Inpatient,
            1,
            false,
            "treatment_after_detox_within_limit_inpatient",
        ),
    ] {
        let e = vec![
            at(level, DetoxEnd, d),
            at(level, TreatmentStart, crate::calendar::add_days(d, days)),
        ];
        assert_eq!(measured(&e, Y_FROM, Y_TO), vec![(id, hit)]);
    }
    // A second treatment start with no new detox end is not paired; a start with no detox
    // end before it is not measured either.
    let e = vec![
        at(Outpatient, TreatmentStart, date(2025, 3, 1)),
        at(Outpatient, DetoxEnd, d),
        at(Outpatient, TreatmentStart, date(2025, 3, 11)),
        at(Outpatient, TreatmentStart, date(2025, 3, 20)),
        at(Outpatient, DetoxEnd, date(2025, 4, 1)),
        at(Outpatient, TreatmentStart, date(2025, 4, 10)),
    ];
    assert_eq!(
        measured(&e, Y_FROM, Y_TO),
        vec![
            ("treatment_after_detox_within_limit_outpatient", false),
            ("treatment_after_detox_within_limit_outpatient", true),
        ]
    );
}

#[test]
fn fristbrudd_counts_deadlines_in_the_period() {
    use CareLevel::*;
    use EventKind::*;
    let assessed = |deadline| {
        at(Outpatient, ReferralAssessed, date(2025, 1, 6))
            .with_outcome(Outcome::Right)
            .with_deadline(deadline)
    };
    let received = at(Outpatient, ReferralReceived, date(2025, 1, 2));
    // Attendance on the deadline: no breach.
    let e = vec![
        received.clone(),
        assessed(date(2025, 2, 17)),
        at(Outpatient, FirstAttendance, date(2025, 2, 17)),
    ];
    let period = (date(2025, 2, 1), date(2025, 2, 28));
    assert_eq!(
        measured(&e, period.0, period.1),
        vec![("fristbrudd", false)]
    );
    // A day late, or no attendance at all: breach.
    let e = vec![
        received.clone(),
        assessed(date(2025, 2, 17)),
        at(Outpatient, FirstAttendance, date(2025, 2, 18)),
    ];
    assert_eq!(measured(&e, period.0, period.1)[0], ("fristbrudd", true));
    let e = vec![received.clone(), assessed(date(2025, 2, 17))];
    assert_eq!(measured(&e, period.0, period.1), vec![("fristbrudd", true)]);
    // Deadline outside the period: not counted (the assessment in January is).
    let e = vec![received, assessed(date(2025, 3, 17))];
    assert_eq!(measured(&e, period.0, period.1), vec![]);
}

#[test]
fn assessment_within_ten_working_days_across_easter() {
    use CareLevel::*;
    use EventKind::*;
    // Received Monday 14 April 2025; the 10th working day is Friday 2 May.
    for (assessed, hit) in [(date(2025, 5, 2), true), (date(2025, 5, 5), false)] {
        let e = vec![
            at(Outpatient, ReferralReceived, date(2025, 4, 14)),
            at(Outpatient, ReferralAssessed, assessed).with_outcome(Outcome::NoRight),
        ];
        assert_eq!(
            measured(&e, Y_FROM, Y_TO),
            vec![("assessment_within_10_workdays", hit)]
        );
    }
    // Received 19 December 2025, assessed 7 January 2026: within, across the year boundary.
    let e = vec![
        at(Outpatient, ReferralReceived, date(2025, 12, 19)),
        at(Outpatient, ReferralAssessed, date(2026, 1, 7)).with_outcome(Outcome::NoRight),
    ];
    assert_eq!(
        measured(&e, date(2026, 1, 1), date(2026, 12, 31)),
        vec![("assessment_within_10_workdays", true)]
    );
    // No referral_received: not counted.
    let e = vec![at(Outpatient, ReferralAssessed, date(2025, 5, 2)).with_outcome(Outcome::NoRight)];
    assert_eq!(measured(&e, Y_FROM, Y_TO), vec![]);
}

#[test]
fn involvement_and_feedback_at_the_end() {
    use CareLevel::*;
    use EventKind::*;
    let end = || {
        at(Outpatient, PathwayEnd, date(2025, 6, 1))
            .with_outcome(Outcome::EndReason("avsluttet".into()))
    };
    let e = vec![
        at(Outpatient, TreatmentPlanInvolvement, date(2025, 3, 1)),
        at(Outpatient, FeedbackToolUsed, date(2025, 6, 2)),
        end(),
    ];
    assert_eq!(
        measured(&e, Y_FROM, Y_TO),
        vec![
            ("feedback_tool_used", false),
            ("involvement_in_treatment_plan", true)
        ]
    );
    // End outside the period: nothing.
    assert_eq!(measured(&[end()], Y_FROM, date(2025, 5, 31)), vec![]);
}

#[test]
fn waiting_time_statistics() {
    let mut v: Vec<i32> = (1..=10).map(|i| i * 10).collect();
    assert_eq!(indicators::waiting_stats(&mut v), Some((55.0, 55.0, 90)));
    let mut v = vec![100, 1, 3, 2, 4];
    assert_eq!(indicators::waiting_stats(&mut v), Some((3.0, 22.0, 100)));
    let mut v = vec![7];
    assert_eq!(indicators::waiting_stats(&mut v), Some((7.0, 7.0, 7)));
    assert_eq!(indicators::waiting_stats(&mut []), None);
}

/// A referral received 14 April 2025 at `unit` and assessed on `assessed`, with a first
/// attendance `wait` days after receipt.
fn referral(id: &str, unit: (&str, &str, &str), assessed: Date, wait: i64) -> Vec<Event> {
    use EventKind::*;
    let mk =
        |kind, d| Event::new(id, unit.0, CareLevel::Outpatient, kind, d).at(unit.0, unit.1, unit.2);
    let received = date(2025, 4, 14);
    vec![
        mk(ReferralReceived, received),
        mk(ReferralAssessed, assessed).with_outcome(Outcome::NoRight),
        mk(FirstAttendance, crate::calendar::add_days(received, wait)),
    ]
}

#[test]
fn report_aggregates_and_suppresses_at_every_level() {
    let a = ("A", "HF1", "RHF1");
    let b = ("B", "HF1", "RHF1");
    let c = ("C", "HF2", "RHF2");
    let mut e = Vec::new();
    // Unit A: 3 of 5 within 10 working days (the 10th working day is 2 May).
    for (i, (d, wait)) in [
        (date(2025, 5, 2), 20),
        (date(2025, 5, 5), 30),
        (date(2025, 4, 15), 40),
        (date(2025, 4, 28), 50),
        (date(2025, 5, 6), 60),
    ]
    .into_iter()
    .enumerate()
    {
        e.extend(referral(&format!("A{i}"), a, d, wait));
    }
    // Unit B: 1 of 1; unit C: 2 of 2.
    e.extend(referral("B0", b, date(2025, 4, 16), 10));
    e.extend(referral("C0", c, date(2025, 4, 16), 10));
    e.extend(referral("C1", c, date(2025, 4, 17), 70));
    let r = report(&e, date(2025, 4, 1), date(2025, 6, 30));
    let cell = |level: Level, key: &str| {
        r.indicators
            .iter()
            .find(|x| x.id == "assessment_within_10_workdays" && x.level == level && x.key == key)
            .cloned()
            .unwrap()
    };
    let a_row = cell(Level::Unit, "A");
    assert_eq!((a_row.numerator, a_row.denominator), (Some(3), Some(5)));
    assert_eq!(a_row.share, Some(0.6));
    assert!(!a_row.suppressed);
    for (level, key) in [
        (Level::Unit, "B"),
        (Level::Unit, "C"),
        (Level::Hf, "HF2"),
        (Level::Rhf, "RHF2"),
    ] {
        let x = cell(level, key);
        assert!(x.suppressed, "{level:?} {key}");
        assert_eq!((x.numerator, x.denominator, x.share), (None, None, None));
    }
    let hf1 = cell(Level::Hf, "HF1");
    assert_eq!((hf1.numerator, hf1.denominator), (Some(4), Some(6)));
    let rhf1 = cell(Level::Rhf, "RHF1");
    assert_eq!((rhf1.numerator, rhf1.denominator), (Some(4), Some(6)));
    let norge = cell(Level::Nation, "Norge");
    assert_eq!(
        (norge.numerator, norge.denominator, norge.share),
        (Some(6), Some(8), Some(0.75))
    );
    // 4 units/HF/RHF rows + nation: A, B, C, HF1, HF2, RHF1, RHF2, Norge.
    assert_eq!(r.indicators.len(), 8);

    // Waiting time: A has 5 (20..60), nation 8 values.
    let w = |level: Level, key: &str| {
        r.waiting_time
            .iter()
            .find(|x| x.level == level && x.key == key)
            .cloned()
            .unwrap()
    };
    let wa = w(Level::Unit, "A");
    assert_eq!(
        (
            wa.n,
            wa.median_days,
            wa.mean_days,
            wa.p90_days,
            wa.suppressed
        ),
        (Some(5), Some(40.0), Some(40.0), Some(60), false)
    );
    let wn = w(Level::Nation, "Norge");
    // Values 10,10,20,30,40,50,60,70: median 35, mean 36.25, p90 = 8th value (ceil 7.2) = 70.
    assert_eq!(
        (wn.n, wn.median_days, wn.mean_days, wn.p90_days),
        (Some(8), Some(35.0), Some(36.25), Some(70))
    );
    let wc = w(Level::Hf, "HF2");
    assert!(wc.suppressed);
    assert_eq!(
        (wc.n, wc.median_days, wc.mean_days, wc.p90_days),
        (None, None, None, None)
    );

    // A nation with fewer than 5 is suppressed too.
    let small: Vec<Event> = referral("X", a, date(2025, 4, 16), 5);
    let r = report(&small, date(2025, 4, 1), date(2025, 6, 30));
    assert!(r.indicators.iter().all(|x| x.suppressed));
    assert_eq!(r.indicators.len(), 4);
}

#[test]
fn report_attributes_to_the_closing_row_and_ignores_later_rows() {
    use EventKind::*;
    let e = vec![
        Event::new(
            "P1",
            "Poli",
            CareLevel::Outpatient,
            FirstAttendance,
            date(2025, 3, 1),
        ),
        Event::new(
            "P1",
            "Døgn",
            CareLevel::Inpatient,
            ClinicalDecision,
            date(2025, 3, 5),
        )
        .with_outcome(Outcome::Decision(DecisionCode::CT)),
        Event::new(
            "P1",
            "Døgn",
            CareLevel::Inpatient,
            Evaluation,
            date(2025, 3, 12),
        ),
    ];
    let r = report(&e, date(2025, 3, 1), date(2025, 3, 10));
    let ids: Vec<(&str, &str)> = r
        .indicators
        .iter()
        .filter(|x| x.level == Level::Unit)
        .map(|x| (x.id, x.key.as_str()))
        .collect();
    assert_eq!(ids, vec![("decision_within_limit_inpatient", "Døgn")]);
}

#[test]
fn report_json_shape() {
    let e = referral("X", ("A", "H", "R"), date(2025, 4, 16), 5);
    let text = serde_json::to_string(&report(&e, date(2025, 4, 1), date(2025, 6, 30))).unwrap();
    assert!(text.starts_with(r#"{"from":"2025-04-01","to":"2025-06-30","indicators":[{"id":"#));
    assert!(text.contains(
        r#""level":"hf","key":"H","numerator":null,"denominator":null,"share":null,"suppressed":true}"#
    ));
    assert!(text.contains(
        r#"{"level":"hf","key":"H","n":null,"median_days":null,"mean_days":null,"p90_days":null,"suppressed":true}"#
    ));
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["from"], "2025-04-01");
    assert_eq!(v["to"], "2025-06-30");
    assert_eq!(v["indicators"].as_array().unwrap().len(), 4);
    assert_eq!(v["waiting_time"].as_array().unwrap().len(), 4);
}

// ---------------------------------------------------------------------------------------------
// Commands

#[test]
fn report_command_prints_the_expected_json_for_the_sample() {
    let out = commands::run_report(
        SAMPLE.as_bytes(),
        "sample.csv",
        date(2025, 1, 1),
        date(2025, 6, 30),
        TODAY,
        commands::Format::Json,
        false,
    );
    assert!(out.ok, "{:?}", out.stderr);
    assert!(out.stderr.is_empty());
    let got: Value = serde_json::from_str(&out.stdout).unwrap();
    let want: Value = serde_json::from_str(SAMPLE_REPORT).unwrap();
    assert!(same(&got, &want));
}

#[test]
fn due_command_prints_the_expected_json_for_the_sample() {
    let out = commands::run_due(
        SAMPLE.as_bytes(),
        "sample.csv",
        date(2025, 5, 15),
        TODAY,
        commands::Format::Json,
        false,
    );
    assert!(out.ok, "{:?}", out.stderr);
    let got: Value = serde_json::from_str(&out.stdout).unwrap();
    let want: Value = serde_json::from_str(SAMPLE_DUE).unwrap();
    assert!(same(&got, &want));
    // The contract's fields, nothing more.
    let first = got[0].as_object().unwrap();
    let mut keys: Vec<&str> = first.keys().map(|k| k.as_str()).collect();
    keys.sort_unstable();
    assert_eq!(keys, vec!["due", "next", "pathway_id", "status", "unit"]);
}

#[test]
fn a_broken_rule_fails_the_command_unless_skipped() {
    let body = format!(
        "{HEADER}P1,U,H,R,,outpatient,referral_received,2025-01-02,,,\n\
         P1,U,H,R,,outpatient,evaluation,2025-01-10,,,\n\
         P1,U,H,R,,outpatient,first_attendance,2025-01-10,,,\n"
    );
    let out = commands::run_due(
        body.as_bytes(),
        "ev.csv",
        date(2025, 2, 1),
        TODAY,
        commands::Format::Json,
        false,
    );
    assert!(!out.ok);
    assert!(out.stdout.is_empty());
    assert_eq!(
        out.stderr,
        vec![
            "ev.csv:3: no evaluation before a clinical decision: evaluation 2025-01-10 has no \
             clinical decision on or before it"
                .to_string()
        ]
    );
    let out = commands::run_due(
        body.as_bytes(),
        "ev.csv",
        date(2025, 2, 1),
        TODAY,
        commands::Format::Json,
        true,
    );
    assert!(out.ok);
    assert_eq!(out.stderr.len(), 2);
    assert!(out.stderr[0].starts_with("ev.csv:3: "));
    // The first attendance opens the pathway (definitions.md: "or any later event").
    assert_eq!(
        out.stdout.trim(),
        r#"[{"pathway_id":"P1","unit":"U","next":"clinical_decision","due":"2025-01-31","status":"overdue"}]"#
    );
    // A missing header column fails on line 1 even with --skip-invalid.
    let out = commands::run_report(
        "pathway_id,unit\n".as_bytes(),
        "bad.csv",
        date(2025, 1, 1),
        date(2025, 6, 30),
        TODAY,
        commands::Format::Json,
        true,
    );
    assert!(!out.ok);
    assert_eq!(
        out.stderr,
        vec!["bad.csv:1: header required: column `hf` is missing"]
    );
}

#[test]
fn table_formats_are_readable() {
    let out = commands::run_due(
        SAMPLE.as_bytes(),
        "sample.csv",
        date(2025, 5, 15),
        TODAY,
        commands::Format::Table,
        false,
    );
    assert!(out.ok);
    let first = out.stdout.lines().next().unwrap();
    let items = worklist(&sample(date(2025, 5, 15)), date(2025, 5, 15));
    let (o, d, t) = worklist::status_counts(&items);
    assert_eq!(o + d + t, 58);
    assert_eq!(
        first,
        format!("Worklist 2025-05-15: {o} overdue, {d} due within 3 days, {t} on time")
    );
    assert_eq!(out.stdout.lines().count(), 2 + 58);
    let out = commands::run_report(
        SAMPLE.as_bytes(),
        "sample.csv",
        date(2025, 1, 1),
        date(2025, 6, 30),
        TODAY,
        commands::Format::Table,
        false,
    );
    assert!(out.ok);
    assert!(out.stdout.contains("assessment_within_10_workdays"));
    assert!(out.stdout.contains("67.6 %"));
}

#[test]
fn report_is_the_same_on_grouped_and_shuffled_events() {
    let parsed = read_events(SAMPLE.as_bytes()).unwrap();
    let validated = sample(date(2025, 6, 30));
    let (from, to) = (date(2025, 1, 1), date(2025, 6, 30));
    // Raw parsed events are in file order (shuffled): the hashed grouping path.
    assert_eq!(
        report(&parsed.events, from, to),
        report(&validated, from, to)
    );
    let mut reversed = validated.clone();
    reversed.reverse();
    assert_eq!(report(&reversed, from, to), report(&validated, from, to));
    assert_eq!(
        worklist(&parsed.events, date(2025, 5, 15)),
        worklist(&sample(date(2025, 5, 15)), date(2025, 5, 15))
    );
}

#[test]
fn unit_worklist_waiting_list_and_unassessed_referrals() {
    use EventKind::*;
    let mut e = start("P1", CareLevel::Outpatient, date(2025, 2, 17));
    e.push(ev("P2", ReferralReceived, date(2025, 4, 14)));
    e.extend(start("P3", CareLevel::Outpatient, date(2025, 1, 20)));
    e.push(Event::new(
        "P4",
        "Other",
        CareLevel::Outpatient,
        ReferralReceived,
        date(2025, 1, 2),
    ));
    e.push(
        Event::new(
            "P4",
            "Other",
            CareLevel::Outpatient,
            ReferralAssessed,
            date(2025, 1, 3),
        )
        .with_outcome(Outcome::Right)
        .with_deadline(date(2025, 3, 1)),
    );
    let as_of = date(2025, 2, 1);
    let (items, counts) = worklist::unit_worklist(&e, "U", as_of);
    let ids: Vec<&str> = items.iter().map(|i| i.pathway_id.as_str()).collect();
    assert_eq!(ids, vec!["P3", "P1"]); // most urgent first
    assert_eq!(counts, (1, 0, 1));
    let w = worklist::waiting_list(&e, as_of);
    let flags: Vec<(&str, bool)> = w
        .iter()
        .map(|x| (x.pathway_id.as_str(), x.fristbrudd))
        .collect();
    assert_eq!(flags, vec![("P1", false), ("P3", true), ("P4", false)]);
    assert_eq!(w[0].days_waiting, Some(30));
    let w = worklist::waiting_list(&e, date(2025, 2, 18));
    assert!(w[0].fristbrudd);
    // P2: received Monday 14 April 2025, assess by Friday 2 May (Easter inside).
    let u = worklist::unassessed(&e, date(2025, 5, 2));
    assert_eq!(u.len(), 1);
    assert_eq!(u[0].assess_by, date(2025, 5, 2));
    assert!(!u[0].overdue);
    assert!(worklist::unassessed(&e, date(2025, 5, 5))[0].overdue);
    assert_eq!(
        worklist::assessment_deadline(date(2025, 12, 19)),
        date(2026, 1, 7)
    );
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(12))]

    /// Row order never changes what is valid, the report or the worklist.
    #[test]
    fn results_do_not_depend_on_row_order(
        perm in proptest::strategy::Just((0..1287usize).collect::<Vec<usize>>())
            .prop_shuffle()
    ) {
        let rows: Vec<&str> = SAMPLE.lines().skip(1).collect();
        let mut body = String::from(HEADER);
        for &i in &perm {
            body.push_str(rows[i]);
            body.push('\n');
        }
        let (from, to) = (date(2025, 1, 1), date(2025, 6, 30));
        let a = load(body.as_bytes(), to, TODAY).unwrap();
        proptest::prop_assert!(a.errors.is_empty());
        proptest::prop_assert_eq!(report(&a.events, from, to), report(&sample(to), from, to));
        let as_of = date(2025, 5, 15);
        let b = load(body.as_bytes(), as_of, TODAY).unwrap();
        proptest::prop_assert_eq!(worklist(&b.events, as_of), worklist(&sample(as_of), as_of));
    }
}

#[test]
fn a_new_event_is_checked_against_the_registered_ones() {
    use EventKind::*;
    let registered = valid_pathway("P1");
    let today = date(2025, 6, 1);
    // Another pathway's events do not matter.
    let other = ev("P2", Evaluation, date(2025, 1, 1));
    assert_eq!(
        check_new(&registered, &other, today),
        Err(Rule::EvaluationBeforeDecision(date(2025, 1, 1)))
    );
    // A new evaluation before the end is fine.
    let mut open = registered.clone();
    open.retain(|e| e.kind != PathwayEnd);
    assert_eq!(
        check_new(&open, &ev("P1", Evaluation, date(2025, 4, 20)), today),
        Ok(())
    );
    // An end dated before a registered evaluation would leave that evaluation after the end.
    let early_end =
        ev("P1", PathwayEnd, date(2025, 3, 1)).with_outcome(Outcome::EndReason("avbrutt".into()));
    assert!(matches!(
        check_new(&open, &early_end, today),
        Err(Rule::AfterEnd { .. })
    ));
    // A second end is a duplicate of a registered event (said so, not by a line number); a
    // future date is refused.
    let again = ev("P1", PathwayEnd, date(2025, 5, 1)).with_outcome(Outcome::EndReason("x".into()));
    let dup = check_new(&registered, &again, today).unwrap_err();
    assert!(
        matches!(dup, Rule::Duplicate { first_line: 0, .. }),
        "{dup:?}"
    );
    assert_eq!(
        dup.to_string(),
        "duplicate event: pathway_end on 2025-05-01 (already registered)"
    );
    assert_eq!(dup.field(), "event");
    let future = check_new(&open, &ev("P1", Evaluation, date(2025, 7, 1)), today).unwrap_err();
    assert!(matches!(future, Rule::DateInFuture { .. }));
    assert_eq!(future.field(), "date");
}

#[test]
fn each_rule_names_its_field() {
    let d = date(2025, 1, 1);
    for (rule, field) in [
        (Rule::MissingField("hf"), "hf"),
        (Rule::UnknownCareLevel("x".into()), "care_level"),
        (
            Rule::InvalidDate {
                field: "deadline",
                value: "x".into(),
            },
            "deadline",
        ),
        (Rule::UnknownCode("x".into()), "code"),
        (Rule::MissingOutcome(EventKind::PathwayEnd), "outcome"),
        (
            Rule::DeadlineBeforeReferral {
                deadline: d,
                referral: d,
            },
            "deadline",
        ),
        (Rule::TooManyDecisions(d), "event"),
    ] {
        assert_eq!(rule.field(), field, "{rule}");
    }
    // In a file, a duplicate names the line of the row kept.
    let dup = Rule::Duplicate {
        event: EventKind::Evaluation,
        date: d,
        first_line: 7,
    };
    assert_eq!(
        dup.to_string(),
        "duplicate event: evaluation on 2025-01-01 (first on line 7)"
    );
}
