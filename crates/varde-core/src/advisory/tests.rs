//! The advisory rules with fixed dates.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use jiff::civil::{date, Date};
use jiff::Timestamp;

use super::case::*;
use super::worklist::worklist;
use super::*;

fn d(s: &str) -> Date {
    s.parse().unwrap()
}

fn at(s: &str) -> Timestamp {
    s.parse().unwrap()
}

fn decision(decided: &str, end: &str, meetings: i64) -> DecisionInput {
    DecisionInput {
        reference: "POL-2026-123".into(),
        decided_on: decided.into(),
        meetings_required: Some(meetings),
        period_end: end.into(),
        drug_testing: None,
    }
}

fn testing(until: &str) -> TestingInput {
    TestingInput {
        test_type: "urine".into(),
        interval_days: Some(14),
        until: until.into(),
    }
}

const MIN: OutreachMinimum = OutreachMinimum {
    attempts: 2,
    distinct_means: 2,
};

/// A youth case across the new year: decided 2026-11-20, period to 2027-02-19, tests to the same.
fn youth_case() -> Case {
    let mut dec = decision("2026-11-20", "2027-02-19", 2);
    dec.drug_testing = Some(testing("2027-02-19"));
    let opening = open(Route::ProsecutionCondition, Some(&dec), d("2026-11-23")).unwrap();
    Case::new(opening, Some(d("2010-01-10")), 2)
}

fn rec(case: &mut Case, e: Entry, today: &str) -> Result<(), FieldError> {
    let e = case.check(e, d(today), MIN)?;
    case.apply(&e);
    Ok(())
}

fn plan(case: &mut Case, when: &str) -> Result<(), FieldError> {
    rec(
        case,
        Entry::MeetingPlanned {
            planned_at: at(when),
            place: "Storgata 1".into(),
        },
        "2026-11-23",
    )
}

fn attend(meeting: u32, status: AttendanceStatus, consent: Option<bool>) -> Entry {
    Entry::Attendance {
        meeting,
        status,
        consent,
        reason: None,
        assessment: None,
        advice: None,
    }
}

#[test]
fn a_decision_keeps_its_limits() {
    let today = d("2026-12-07");
    assert!(decision("2026-11-01", "2027-02-01", 3).parse(today).is_ok());
    let e = decision("2026-11-01", "2027-02-02", 3)
        .parse(today)
        .unwrap_err();
    assert_eq!(e.field, "decision.period_end");
    let e = decision("2026-11-01", "2027-01-01", 4)
        .parse(today)
        .unwrap_err();
    assert_eq!(e.field, "decision.meetings_required");
    let e = decision("2026-11-01", "2027-01-01", 0)
        .parse(today)
        .unwrap_err();
    assert_eq!(e.field, "decision.meetings_required");
    let e = decision("2026-12-08", "2027-01-01", 1)
        .parse(today)
        .unwrap_err();
    assert_eq!(e.field, "decision.decided_on");
    let e = decision("2026-11-01", "2026-10-31", 1)
        .parse(today)
        .unwrap_err();
    assert_eq!(e.field, "decision.period_end");
    let mut t = decision("2026-11-01", "2027-01-01", 1);
    t.drug_testing = Some(testing("2027-02-02"));
    assert_eq!(
        t.parse(today).unwrap_err().field,
        "decision.drug_testing.until"
    );
    t.drug_testing = Some(testing("2027-02-01"));
    assert!(t.parse(today).is_ok());
    t.drug_testing = Some(TestingInput {
        test_type: "blood".into(),
        ..testing("2027-01-01")
    });
    assert_eq!(
        t.parse(today).unwrap_err().field,
        "decision.drug_testing.test_type"
    );
    t.drug_testing = Some(TestingInput {
        interval_days: Some(0),
        ..testing("2027-01-01")
    });
    assert_eq!(
        t.parse(today).unwrap_err().field,
        "decision.drug_testing.interval_days"
    );
}

#[test]
fn three_months_from_the_end_of_a_month() {
    // 30 November + 3 months is the last day of February.
    assert_eq!(latest_end(d("2026-11-30")), d("2027-02-28"));
    assert_eq!(latest_end(d("2027-11-30")), d("2028-02-29"));
}

#[test]
fn the_route_decides_the_condition_and_its_basis() {
    let today = d("2026-12-07");
    let dec = decision("2026-11-01", "2027-01-01", 1);
    assert_eq!(
        open(Route::ProsecutionCondition, None, today)
            .unwrap_err()
            .field,
        "decision"
    );
    assert_eq!(
        open(Route::Voluntary, Some(&dec), today).unwrap_err().field,
        "decision"
    );
    let o = open(Route::EmergencyWard, None, today).unwrap();
    assert!(o.decision.is_none() && o.legal_basis.contains("samtykke"));
    let mut t = dec.clone();
    t.drug_testing = Some(testing("2027-01-01"));
    let o = open(Route::ProsecutionCondition, Some(&t), today).unwrap();
    assert!(o
        .legal_basis
        .contains("straffeloven § 37 første ledd bokstav d"));
    assert!(o.legal_basis.contains("påtaleinstruksen"));
    assert_eq!(Route::parse("route", "court").unwrap_err().field, "route");
}

#[test]
fn age_is_computed_on_the_day_and_turning_18_ends_the_guardians_summons() {
    let birth = date(2008, 12, 31);
    assert_eq!(age_on(birth, date(2026, 12, 30)), 17);
    assert_eq!(age_on(birth, date(2026, 12, 31)), 18);
    let mut dec = decision("2026-12-01", "2027-02-28", 2);
    dec.drug_testing = None;
    let opening = open(Route::ProsecutionCondition, Some(&dec), d("2026-12-07")).unwrap();
    let case = Case::new(opening, Some(birth), 1);
    assert!(case.guardians_summoned_on(d("2026-12-30")));
    assert!(!case.guardians_summoned_on(d("2026-12-31")));
    assert!(!case.guardians_summoned_on(d("2027-01-15")));
    // A notice of concern to child welfare is for a child only.
    let mut c = case.clone();
    let concern = |on: &str| Entry::Referral {
        on: d(on),
        to: ReferralTo::ChildWelfare,
        consent: false,
    };
    assert!(rec(&mut c, concern("2026-12-30"), "2027-01-02").is_ok());
    assert_eq!(
        rec(&mut c, concern("2026-12-31"), "2027-01-02")
            .unwrap_err()
            .field,
        "to"
    );
    // A 29 February birthday is reached on 1 March in a common year.
    assert_eq!(age_on(date(2008, 2, 29), date(2026, 2, 28)), 17);
    assert_eq!(age_on(date(2008, 2, 29), date(2026, 3, 1)), 18);
}

#[test]
fn meetings_are_planned_within_the_period_across_the_new_year() {
    let mut case = youth_case();
    assert!(plan(&mut case, "2027-01-05T09:00:00Z").is_ok());
    assert!(plan(&mut case, "2027-02-19T12:00:00Z").is_ok());
    // 20 February in Oslo is after the period.
    let e = plan(&mut case, "2027-02-19T23:30:00Z").unwrap_err();
    assert_eq!(e.field, "planned_at");
    assert_eq!(
        plan(&mut case, "2026-11-19T10:00:00Z").unwrap_err().field,
        "planned_at"
    );
    let e = rec(
        &mut case,
        Entry::MeetingPlanned {
            planned_at: at("2027-01-06T09:00:00Z"),
            place: " ".into(),
        },
        "2026-11-23",
    )
    .unwrap_err();
    assert_eq!(e.field, "place");
}

#[test]
fn consent_turns_a_meeting_into_health_care() {
    let mut case = youth_case();
    plan(&mut case, "2026-12-01T09:00:00Z").unwrap();
    plan(&mut case, "2026-12-08T09:00:00Z").unwrap();
    plan(&mut case, "2026-12-15T09:00:00Z").unwrap();
    // Notes without consent are refused.
    let notes = Entry::Attendance {
        meeting: 1,
        status: AttendanceStatus::Attended,
        consent: None,
        reason: None,
        assessment: Some("kartlegging".into()),
        advice: None,
    };
    assert_eq!(
        case.check(notes, d("2026-12-01"), MIN).unwrap_err().field,
        "assessment"
    );
    rec(
        &mut case,
        attend(1, AttendanceStatus::Attended, None),
        "2026-12-01",
    )
    .unwrap();
    assert_eq!(case.meetings[0].kind, Some(MeetingKind::Information));
    // Not before the meeting's day.
    let e = case
        .check(
            attend(2, AttendanceStatus::Attended, None),
            d("2026-12-07"),
            MIN,
        )
        .unwrap_err();
    assert_eq!(e.field, "status");
    let with = Entry::Attendance {
        meeting: 2,
        status: AttendanceStatus::Remote,
        consent: Some(true),
        reason: None,
        assessment: Some("kartlegging".into()),
        advice: Some("råd".into()),
    };
    rec(&mut case, with, "2026-12-08").unwrap();
    assert_eq!(case.meetings[1].kind, Some(MeetingKind::HealthCare));
    assert_eq!(case.consent.as_ref().unwrap().since, d("2026-12-08"));
    // Withdrawn: the next meeting is information only.
    let withdraw = Entry::Consent {
        on: d("2026-12-10"),
        given: false,
        scope: None,
    };
    rec(&mut case, withdraw.clone(), "2026-12-10").unwrap();
    assert_eq!(
        rec(&mut case, withdraw, "2026-12-10").unwrap_err().field,
        "given"
    );
    rec(
        &mut case,
        attend(3, AttendanceStatus::Attended, None),
        "2026-12-15",
    )
    .unwrap();
    assert_eq!(case.meetings[2].kind, Some(MeetingKind::Information));
    assert_eq!(case.consent_history.len(), 2);
    // Recorded once.
    let e = case
        .check(
            attend(1, AttendanceStatus::Attended, None),
            d("2026-12-15"),
            MIN,
        )
        .unwrap_err();
    assert_eq!(e.field, "meeting");
    assert_eq!(
        case.check(
            attend(9, AttendanceStatus::Attended, None),
            d("2026-12-15"),
            MIN
        )
        .unwrap_err()
        .field,
        "meeting"
    );
}

#[test]
fn a_cancelled_meeting_has_a_reason_and_consent_needs_a_met_meeting() {
    let mut case = youth_case();
    plan(&mut case, "2026-12-20T09:00:00Z").unwrap();
    let e = case
        .check(
            attend(1, AttendanceStatus::Cancelled, None),
            d("2026-12-07"),
            MIN,
        )
        .unwrap_err();
    assert_eq!(e.field, "reason");
    let e = case
        .check(
            attend(1, AttendanceStatus::NotAttended, Some(true)),
            d("2026-12-21"),
            MIN,
        )
        .unwrap_err();
    assert_eq!(e.field, "consent");
    let cancel = Entry::Attendance {
        meeting: 1,
        status: AttendanceStatus::Cancelled,
        consent: None,
        reason: Some("sick".into()),
        assessment: None,
        advice: None,
    };
    assert!(rec(&mut case, cancel, "2026-12-07").is_ok());
}

#[test]
fn tests_only_under_a_testing_condition_with_substances_when_positive() {
    let opening = open(
        Route::ProsecutionCondition,
        Some(&decision("2026-11-20", "2027-02-19", 1)),
        d("2026-11-23"),
    )
    .unwrap();
    let plain = Case::new(opening, None, 0);
    let test = |on: &str, result, subs: &[&str]| Entry::Test {
        on: d(on),
        result,
        substances: subs.iter().map(|s| s.to_string()).collect(),
    };
    let e = plain
        .check(
            test("2026-12-01", TestResult::Negative, &[]),
            d("2026-12-07"),
            MIN,
        )
        .unwrap_err();
    assert_eq!(e.field, "drug_testing");
    let mut case = youth_case();
    let e = case
        .check(
            test("2026-12-01", TestResult::Positive, &[]),
            d("2026-12-07"),
            MIN,
        )
        .unwrap_err();
    assert_eq!(e.field, "substances");
    let e = case
        .check(
            test("2026-12-01", TestResult::Positive, &["unobtainium"]),
            d("2026-12-07"),
            MIN,
        )
        .unwrap_err();
    assert_eq!(e.field, "substances");
    let e = case
        .check(
            test("2026-12-01", TestResult::Negative, &["cannabis"]),
            d("2026-12-07"),
            MIN,
        )
        .unwrap_err();
    assert_eq!(e.field, "substances");
    assert_eq!(
        case.check(
            test("2026-12-08", TestResult::Negative, &[]),
            d("2026-12-07"),
            MIN
        )
        .unwrap_err()
        .field,
        "on"
    );
    assert_eq!(
        case.check(
            test("2027-02-20", TestResult::Negative, &[]),
            d("2027-03-01"),
            MIN
        )
        .unwrap_err()
        .field,
        "on"
    );
    rec(
        &mut case,
        test("2026-12-01", TestResult::Positive, &["cannabis"]),
        "2026-12-07",
    )
    .unwrap();
    assert_eq!(case.tests[0].2.len(), 1);
    rec(
        &mut case,
        test("2027-01-04", TestResult::Negative, &[]),
        "2027-01-04",
    )
    .unwrap();
    assert!(!case.testing_complied());
}

#[test]
fn the_report_waits_for_the_period_and_every_meeting_and_says_nothing_clinical() {
    let mut case = youth_case();
    plan(&mut case, "2026-12-01T09:00:00Z").unwrap();
    plan(&mut case, "2026-12-08T09:00:00Z").unwrap();
    assert_eq!(
        case.report(d("2027-02-19")).unwrap_err().field,
        "period_end"
    );
    assert_eq!(case.report(d("2027-02-20")).unwrap_err().field, "meetings");
    rec(
        &mut case,
        attend(1, AttendanceStatus::NotAttended, None),
        "2026-12-01",
    )
    .unwrap();
    let with = Entry::Attendance {
        meeting: 2,
        status: AttendanceStatus::Attended,
        consent: Some(true),
        reason: None,
        assessment: Some("kartlegging".into()),
        advice: None,
    };
    rec(&mut case, with, "2026-12-08").unwrap();
    for on in ["2026-12-08", "2027-01-05"] {
        let t = Entry::Test {
            on: d(on),
            result: TestResult::Negative,
            substances: vec![],
        };
        rec(&mut case, t, "2027-01-05").unwrap();
    }
    let r = case.report(d("2027-02-20")).unwrap();
    assert_eq!(
        r,
        Report {
            completed: false,
            meetings_required: 2,
            meetings_attended: 1,
            testing: Some(TestingReport { complied: true }),
        }
    );
    let json = serde_json::to_string(&r).unwrap();
    for clinical in [
        "kartlegging",
        "consent",
        "assessment",
        "substance",
        "negative",
    ] {
        assert!(!json.contains(clinical), "{json}");
    }
    let sent = case
        .check(
            Entry::ReportSent {
                on: d("2000-01-01"),
                report: r.clone(),
            },
            d("2027-02-20"),
            MIN,
        )
        .unwrap();
    assert_eq!(
        sent,
        Entry::ReportSent {
            on: d("2027-02-20"),
            report: r.clone()
        }
    );
    case.apply(&sent);
    let again = case.check(sent, d("2027-02-21"), MIN).unwrap_err();
    assert_eq!(again.field, "report");
    let voluntary = Case::new(
        open(Route::Voluntary, None, d("2026-11-01")).unwrap(),
        None,
        0,
    );
    assert_eq!(
        voluntary.report(d("2027-03-01")).unwrap_err().field,
        "route"
    );
}

#[test]
fn not_completed_needs_the_minimum_outreach_by_different_means() {
    let mut case = youth_case();
    let close = |outcome| Entry::Closed {
        on: d("2027-02-21"),
        outcome,
    };
    let out = |on: &str, means| Entry::Outreach {
        on: d(on),
        means,
        outcome: OutreachOutcome::NotReached,
    };
    let e = case
        .check(close(ClosingOutcome::NotCompleted), d("2027-02-21"), MIN)
        .unwrap_err();
    assert_eq!(e.field, "outcome");
    rec(
        &mut case,
        out("2026-12-02", OutreachMeans::Letter),
        "2026-12-02",
    )
    .unwrap();
    rec(
        &mut case,
        out("2026-12-03", OutreachMeans::Letter),
        "2026-12-03",
    )
    .unwrap();
    // Two letters are two attempts by one means.
    assert!(case
        .check(close(ClosingOutcome::NotCompleted), d("2027-02-21"), MIN)
        .is_err());
    let one = OutreachMinimum {
        attempts: 2,
        distinct_means: 1,
    };
    assert!(case
        .check(close(ClosingOutcome::NotCompleted), d("2027-02-21"), one)
        .is_ok());
    rec(
        &mut case,
        out("2026-12-04", OutreachMeans::Phone),
        "2026-12-04",
    )
    .unwrap();
    // Completed needs the meetings.
    let e = case
        .check(close(ClosingOutcome::Completed), d("2027-02-21"), MIN)
        .unwrap_err();
    assert_eq!(e.field, "outcome");
    rec(&mut case, close(ClosingOutcome::NotCompleted), "2027-02-21").unwrap();
    let e = case
        .check(
            out("2027-02-21", OutreachMeans::Visit),
            d("2027-02-21"),
            MIN,
        )
        .unwrap_err();
    assert_eq!(e.field, "case");
    assert_eq!(
        out("2026-12-02", OutreachMeans::Visit).kind(),
        "advisory.outreach"
    );
}

#[test]
fn the_worklist_of_a_day() {
    let mut a = youth_case();
    // Monday 2027-01-04 in Oslo; Sunday is 2027-01-10.
    plan(&mut a, "2027-01-04T08:00:00Z").unwrap();
    plan(&mut a, "2027-01-10T12:00:00Z").unwrap();
    plan(&mut a, "2027-01-11T12:00:00Z").unwrap();
    let mut b = youth_case();
    plan(&mut b, "2026-12-01T09:00:00Z").unwrap();
    rec(
        &mut b,
        attend(1, AttendanceStatus::NotAttended, None),
        "2026-12-01",
    )
    .unwrap();
    let cases = vec![(1, a.clone()), (2, b.clone())];
    let w = worklist(&cases, d("2027-01-04"), MIN);
    assert_eq!(w.today.len(), 1);
    assert_eq!(w.this_week.len(), 1);
    assert_eq!(w.outreach_needed.len(), 1);
    assert_eq!(w.outreach_needed[0].case, 2);
    assert!(w.nearing_deadline.is_empty() && w.reports_due.is_empty());
    let w = worklist(&cases, d("2027-02-10"), MIN);
    assert_eq!(w.nearing_deadline.len(), 2);
    let w = worklist(&cases, d("2027-02-20"), MIN);
    assert_eq!(w.reports_due.len(), 2);
}

#[test]
fn a_unit_sets_its_own_minimum_outreach() {
    assert_eq!(OutreachMinimum::new(3, 2).unwrap().attempts, 3);
    assert_eq!(
        OutreachMinimum::new(0, 1).unwrap_err().field,
        "min_attempts"
    );
    assert_eq!(
        OutreachMinimum::new(11, 1).unwrap_err().field,
        "min_attempts"
    );
    assert_eq!(OutreachMinimum::new(2, 3).unwrap_err().field, "min_means");
    assert_eq!(OutreachMinimum::new(5, 5).unwrap_err().field, "min_means");
}
