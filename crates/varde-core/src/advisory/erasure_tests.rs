//! Retention, what is due for erasure and the statistics record, with fixed dates.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use jiff::civil::Date;

use super::case::*;
use super::erasure::*;
use super::*;

fn d(s: &str) -> Date {
    s.parse().unwrap()
}

#[test]
fn the_default_is_five_years_and_a_unit_sets_one_to_twenty() {
    assert_eq!(Retention::default().years, 5);
    assert!(Retention::new(0).is_err());
    assert!(Retention::new(21).is_err());
    assert_eq!(Retention::new(10).unwrap().years, 10);
    assert_eq!(Retention::new(0).unwrap_err().field, "retention_years");
}

#[test]
fn a_closed_case_is_due_on_the_same_day_years_later() {
    let r = Retention::default();
    let closed = Some(d("2027-03-15"));
    assert!(!erase_due(closed, r, d("2032-03-14")));
    assert!(erase_due(closed, r, d("2032-03-15")));
    assert!(erase_due(closed, r, d("2040-01-01")));
    // An open case is never due.
    assert!(!erase_due(None, r, d("2099-01-01")));
    // 29 February closes to 28 February in a common year.
    assert_eq!(
        Retention::new(1).unwrap().erase_on(d("2028-02-29")),
        d("2029-02-28")
    );
    // A unit's shorter retention.
    assert!(erase_due(
        closed,
        Retention::new(2).unwrap(),
        d("2029-03-15")
    ));
}

#[test]
fn age_groups_and_sex() {
    assert_eq!(AgeGroup::of_age(14), AgeGroup::Under15);
    assert_eq!(AgeGroup::of_age(15), AgeGroup::From15To17);
    assert_eq!(AgeGroup::of_age(17), AgeGroup::From15To17);
    assert_eq!(AgeGroup::of_age(18), AgeGroup::From18To25);
    assert_eq!(AgeGroup::of_age(25), AgeGroup::From18To25);
    assert_eq!(AgeGroup::of_age(26), AgeGroup::Over25);
    // The ninth digit: 3 odd (a man), 2 even (a woman).
    assert_eq!(Sex::of_national_id("01010112345"), Some(Sex::Male));
    assert_eq!(Sex::of_national_id("01010112245"), Some(Sex::Female));
    assert_eq!(Sex::of_national_id("0101011234"), None);
}

#[test]
fn the_record_keeps_counts_and_dates_and_nothing_personal() {
    let dec = DecisionInput {
        reference: "POL-2026-123".into(),
        decided_on: "2026-11-20".into(),
        meetings_required: Some(1),
        period_end: "2027-02-19".into(),
        drug_testing: None,
    };
    let opening = open(Route::ProsecutionCondition, Some(&dec), d("2026-11-23")).unwrap();
    // Born 2009-11-24: 16 on the opening day, 17 by the meeting.
    let mut case = Case::new(opening, Some(d("2009-11-24")), 1);
    for e in [
        Entry::MeetingPlanned {
            planned_at: "2026-12-01T09:00:00Z".parse().unwrap(),
            place: "Storgata 1".into(),
        },
        Entry::Attendance {
            meeting: 1,
            status: AttendanceStatus::Attended,
            consent: None,
            reason: None,
            assessment: None,
            advice: None,
        },
        Entry::Outreach {
            on: d("2026-11-28"),
            means: OutreachMeans::Phone,
            outcome: OutreachOutcome::Reached,
        },
        Entry::Referral {
            on: d("2026-12-02"),
            to: ReferralTo::Gp,
            consent: true,
        },
        Entry::Closed {
            on: d("2027-02-20"),
            outcome: ClosingOutcome::Completed,
        },
    ] {
        case.apply(&e);
    }
    let r = StatsRecord::of(
        &case,
        7,
        Some("0301".into()),
        Some("03".into()),
        Some(Sex::Male),
    );
    assert_eq!(r.route, "prosecution_condition");
    assert_eq!(r.age_group, Some(AgeGroup::From15To17));
    assert_eq!(r.decided_on, Some(d("2026-11-20")));
    assert_eq!(r.first_meeting_on, Some(d("2026-12-01")));
    assert_eq!(r.closed_on, Some(d("2027-02-20")));
    assert_eq!(r.outcome.as_deref(), Some("completed"));
    assert_eq!((r.meetings_required, r.meetings_attended), (Some(1), 1));
    assert_eq!((r.outreach_attempts, r.tests, r.positives), (1, 0, 0));
    assert_eq!(r.referrals, vec!["gp".to_owned()]);
    let json = serde_json::to_string(&r).unwrap();
    assert!(!json.contains("POL-2026-123") && !json.contains("Storgata"));
}

#[test]
fn the_worklist_shows_erasures_due_within_thirty_days_or_overdue() {
    let open_case = |closed: Option<&str>| {
        let mut c = Case::new(
            open(Route::Voluntary, None, d("2020-01-02")).unwrap(),
            None,
            0,
        );
        if let Some(day) = closed {
            c.apply(&Entry::Closed {
                on: d(day),
                outcome: ClosingOutcome::Withdrawn,
            });
        }
        c
    };
    let cases = vec![
        (1, open_case(Some("2021-03-01"))), // erased on 2026-03-01: overdue
        (2, open_case(Some("2021-03-31"))), // 2026-03-31: in 30 days
        (3, open_case(Some("2021-04-01"))), // 2026-04-01: 31 days ahead, not yet
        (4, open_case(None)),               // open: never
    ];
    let due = super::worklist::erasures_due(&cases, Retention::default(), d("2026-03-01"));
    let ids: Vec<(i64, String)> = due.iter().map(|c| (c.case, c.day.to_string())).collect();
    assert_eq!(
        ids,
        vec![(1, "2026-03-01".to_owned()), (2, "2026-03-31".to_owned())]
    );
    // A unit keeping cases for one year sees case 3 long overdue.
    let due = super::worklist::erasures_due(&cases, Retention::new(1).unwrap(), d("2026-03-01"));
    assert_eq!(due.len(), 3);
}

#[test]
fn the_record_counts_missed_meetings_and_is_the_same_through_of_unit() {
    let mut case = Case::new(
        open(Route::Voluntary, None, d("2026-01-05")).unwrap(),
        None,
        0,
    );
    for e in [
        Entry::MeetingPlanned {
            planned_at: "2026-01-06T09:00:00Z".parse().unwrap(),
            place: "Rådhuset".into(),
        },
        Entry::Attendance {
            meeting: 1,
            status: AttendanceStatus::NotAttended,
            consent: None,
            reason: None,
            assessment: None,
            advice: None,
        },
    ] {
        case.apply(&e);
    }
    // 01010012345-style numbers are not needed: the ninth digit decides (here 1: male).
    let r = StatsRecord::of_unit(&case, 3, Some("4601"), Some("01010000100"));
    assert_eq!(r.meetings_missed, 1);
    assert_eq!(r.county.as_deref(), Some("46"));
    assert_eq!(r.sex, Some(Sex::Male));
    assert_eq!(
        r,
        StatsRecord::of(
            &case,
            3,
            Some("4601".into()),
            Some("46".into()),
            Some(Sex::Male)
        )
    );
}
