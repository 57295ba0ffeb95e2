//! The quality indicators and their suppression.

use super::*;

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
    let rows = report(&e, date(2025, 4, 1), date(2025, 6, 30));
    let r = published(&e, date(2025, 4, 1), date(2025, 6, 30));
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
    // B (1) and C, HF2, RHF2 (2) are small. HF1 (6) less A (5) would give B back, and the
    // nation (8) less RHF1 (6) would give RHF2 back: HF1 and RHF1 (the smallest cells that
    // protect them) are hidden too. B + C (3) is all that the nation less A tells.
    for (level, key) in [
        (Level::Unit, "B"),
        (Level::Unit, "C"),
        (Level::Hf, "HF1"),
        (Level::Hf, "HF2"),
        (Level::Rhf, "RHF1"),
        (Level::Rhf, "RHF2"),
    ] {
        let x = cell(level, key);
        assert!(x.suppressed, "{level:?} {key}");
        assert_eq!((x.numerator, x.denominator, x.share), (None, None, None));
    }
    // The report as definitions.md defines it (`varde pathways report`) hides the small rows
    // only: HF1 and RHF1 are shown there.
    let row = |level: Level, key: &str| {
        rows.indicators
            .iter()
            .find(|c| c.id == "assessment_within_10_workdays" && c.level == level && c.key == key)
            .unwrap()
            .clone()
    };
    assert_eq!(
        (
            row(Level::Hf, "HF1").numerator,
            row(Level::Hf, "HF1").denominator
        ),
        (Some(4), Some(6))
    );
    assert_eq!(
        (
            row(Level::Rhf, "RHF1").numerator,
            row(Level::Rhf, "RHF1").denominator
        ),
        (Some(4), Some(6))
    );
    assert!(row(Level::Unit, "B").suppressed && row(Level::Hf, "HF2").suppressed);
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
    assert!(
        w(Level::Hf, "HF1").suppressed,
        "6 less A's 5 would give B's 1"
    );
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

/// The report as Varde publishes it (complementary suppression).
fn published(events: &[Event], from: Date, to: Date) -> Report {
    crate::pathways::report_with(
        events,
        from,
        to,
        crate::pathways::Suppression::Complementary,
    )
}

/// Compares a report with an expected one made with cells under 5 hidden alone: every row is
/// the same, or hidden where the expected one is shown (complementary suppression). Returns
/// how many were hidden so.
pub(super) fn same_but_complementary(got: &Value, want: &Value) -> Result<usize, String> {
    if got["from"] != want["from"] || got["to"] != want["to"] {
        return Err(format!("period {} {}", got["from"], got["to"]));
    }
    let mut hidden = 0;
    for part in ["indicators", "waiting_time"] {
        let (g, w) = (
            got[part].as_array().unwrap(),
            want[part].as_array().unwrap(),
        );
        if g.len() != w.len() {
            return Err(format!("{part}: {} rows, want {}", g.len(), w.len()));
        }
        for wr in w {
            let gr = g
                .iter()
                .find(|r| r["id"] == wr["id"] && r["level"] == wr["level"] && r["key"] == wr["key"])
                .ok_or_else(|| format!("no row {wr}"))?;
            if same(gr, wr) {
                continue;
            }
            let nulls = gr
                .as_object()
                .unwrap()
                .iter()
                .filter(|(k, _)| !["id", "level", "key", "suppressed"].contains(&k.as_str()))
                .all(|(_, v)| v.is_null());
            if wr["suppressed"] == false && gr["suppressed"] == true && nulls {
                hidden += 1;
            } else {
                return Err(format!("got {gr}, want {wr}"));
            }
        }
    }
    Ok(hidden)
}

/// The issue's case: a health trust of 9/22 whose unit has 8/21 gave the other unit's 1/1 away.
#[test]
fn a_trust_less_its_unit_gives_no_small_unit_away() {
    let mut e = Vec::new();
    // Unit A: 21 referrals, 8 assessed within 10 working days (by 28 April); unit B: 1 of 1.
    for i in 0..21 {
        let assessed = if i < 8 {
            date(2025, 4, 16)
        } else {
            date(2025, 5, 20)
        };
        e.extend(referral(&format!("A{i}"), ("A", "HF", "RHF"), assessed, 30));
    }
    e.extend(referral("B0", ("B", "HF", "RHF"), date(2025, 4, 16), 30));
    let r = published(&e, date(2025, 4, 1), date(2025, 6, 30));
    let find = |level: Level, key: &str| {
        r.indicators
            .iter()
            .find(|x| x.id == "assessment_within_10_workdays" && x.level == level && x.key == key)
            .unwrap()
    };
    let hf = find(Level::Hf, "HF");
    assert_eq!((hf.numerator, hf.denominator), (Some(9), Some(22)));
    assert!(find(Level::Unit, "B").suppressed);
    assert!(
        find(Level::Unit, "A").suppressed,
        "21 beside 22 gives 1 away"
    );
    assert_nothing_recoverable(&r, &e, date(2025, 4, 1), date(2025, 6, 30));
}

/// A period that ends after today is cut at today: a legal deadline not yet reached is not a
/// missed one.
#[test]
fn a_period_after_today_is_cut_at_today() {
    use EventKind::*;
    let today = date(2025, 2, 10);
    let e = vec![
        at(CareLevel::Outpatient, ReferralReceived, date(2025, 1, 2)),
        at(CareLevel::Outpatient, ReferralAssessed, date(2025, 1, 6))
            .with_outcome(Outcome::Right)
            .with_deadline(date(2025, 2, 17)),
    ];
    let ids = |r: &Report| -> Vec<&str> { r.indicators.iter().map(|x| x.id).collect() };
    // Measured to the end of February as if it had passed: a breach on 17 February.
    let full = report(&e, date(2025, 1, 1), date(2025, 2, 28));
    assert!(ids(&full).contains(&"fristbrudd"));
    // As of 10 February: the deadline is ahead, nothing is counted, and the period says so.
    let cut = report_as_of(&e, date(2025, 1, 1), date(2025, 2, 28), today);
    assert!(!ids(&cut).contains(&"fristbrudd"), "{cut:?}");
    assert_eq!(cut.to, today);
    assert!(ids(&cut).contains(&"assessment_within_10_workdays"));
}

#[test]
fn periods_split_by_month_tertial_and_year() {
    use trends::{periods, Period, Step};
    let p = |a: Date, b: Date| Period { from: a, to: b };
    assert_eq!(
        periods(date(2025, 1, 15), date(2025, 3, 10), Step::Month),
        vec![
            p(date(2025, 1, 15), date(2025, 1, 31)),
            p(date(2025, 2, 1), date(2025, 2, 28)),
            p(date(2025, 3, 1), date(2025, 3, 10)),
        ]
    );
    assert_eq!(
        periods(date(2024, 3, 1), date(2025, 5, 2), Step::Tertial),
        vec![
            p(date(2024, 3, 1), date(2024, 4, 30)),
            p(date(2024, 5, 1), date(2024, 8, 31)),
            p(date(2024, 9, 1), date(2024, 12, 31)),
            p(date(2025, 1, 1), date(2025, 4, 30)),
            p(date(2025, 5, 1), date(2025, 5, 2)),
        ]
    );
    assert_eq!(
        periods(date(2023, 6, 1), date(2024, 2, 1), Step::Year),
        vec![
            p(date(2023, 6, 1), date(2023, 12, 31)),
            p(date(2024, 1, 1), date(2024, 2, 1)),
        ]
    );
    assert!(periods(date(2025, 2, 1), date(2025, 1, 1), Step::Month).is_empty());
    assert_eq!(trends::Step::parse("tertial"), Some(Step::Tertial));
    assert_eq!(trends::Step::parse("week"), None);
}

/// Each point of the trends is the report of its part alone, suppression included.
#[test]
fn trends_are_the_reports_of_each_part() {
    use trends::{periods, reports, trends, Step};
    let events = sample(date(2025, 6, 30));
    let (from, to) = (date(2025, 1, 1), date(2025, 6, 30));
    for step in Step::ALL {
        let parts = reports(&events, from, to, TODAY, step);
        let expected: Vec<Report> = periods(from, to, step)
            .iter()
            .map(|p| published(&events, p.from, p.to))
            .collect();
        assert_eq!(parts, expected, "{step:?}");
        let t = trends(&events, from, to, TODAY, step);
        assert_eq!(t.periods.len(), expected.len());
        for s in &t.series {
            assert_eq!(s.points.len(), expected.len());
            for (pt, r) in s.points.iter().zip(&expected) {
                match r
                    .indicators
                    .iter()
                    .find(|x| x.id == s.id && x.level == s.level && x.key == s.key)
                {
                    Some(row) => assert_eq!(
                        (pt.numerator, pt.denominator, pt.suppressed),
                        (row.numerator, row.denominator, row.suppressed)
                    ),
                    None => assert_eq!((pt.numerator, pt.denominator), (Some(0), Some(0))),
                }
            }
        }
    }
    // Cut at today: a period running past it ends today.
    let t = trends(
        &events,
        from,
        date(2025, 12, 31),
        date(2025, 5, 20),
        Step::Month,
    );
    assert_eq!(t.periods.last().unwrap().to, date(2025, 5, 20));
    assert_eq!(t.periods.len(), 5);
}

/// The published sums of a report (for each indicator: the nation the sum of its regions, a
/// region of its trusts, a trust of its units), solved one at a time from the shown rows as
/// far as they go — every subtraction and addition — with the true counts from the measures:
/// no hidden row's numerator or denominator comes out, and where a total is shown its hidden
/// parts add up to at least 5.
fn assert_nothing_recoverable(r: &Report, events: &[Event], from: Date, to: Date) {
    use std::collections::{BTreeMap, BTreeSet};
    // The true counts per indicator and (unit, HF, RHF).
    let hs = history::histories(events, to);
    let mut ms = Vec::new();
    for h in &hs {
        indicators::measures(h, from, to, &mut ms);
    }
    type Key = (&'static str, Level, String);
    let mut truth: BTreeMap<Key, (u64, u64)> = BTreeMap::new();
    let mut children: BTreeMap<Key, BTreeSet<Key>> = BTreeMap::new();
    for m in &ms {
        let e = m.row;
        let keys: Vec<Key> = Level::ALL
            .iter()
            .map(|&l| (m.id, l, l.key_of(e).to_string()))
            .collect();
        for k in &keys {
            let c = truth.entry(k.clone()).or_default();
            c.1 += 1;
            c.0 += u64::from(m.hit);
        }
        for pair in keys.windows(2) {
            children
                .entry(pair[0].clone())
                .or_default()
                .insert(pair[1].clone());
        }
    }
    let hidden: BTreeSet<Key> = r
        .indicators
        .iter()
        .filter(|x| x.suppressed)
        .map(|x| (x.id, x.level, x.key.clone()))
        .collect();
    for x in &r.indicators {
        let k = (x.id, x.level, x.key.clone());
        let t = truth[&k];
        assert!(
            t.1 >= crate::suppression::THRESHOLD || x.suppressed,
            "{x:?}"
        );
        if !x.suppressed {
            assert_eq!((x.numerator, x.denominator), (Some(t.0), Some(t.1)));
        }
    }
    let mut known: BTreeSet<Key> = truth
        .keys()
        .filter(|k| !hidden.contains(*k))
        .cloned()
        .collect();
    loop {
        let mut progress = false;
        for (total, parts) in &children {
            let cells: Vec<&Key> = std::iter::once(total).chain(parts.iter()).collect();
            let unknown: Vec<&&Key> = cells.iter().filter(|c| !known.contains(**c)).collect();
            if let [u] = unknown[..] {
                let u = (*u).clone();
                assert!(
                    !hidden.contains(&u),
                    "{u:?} recovered from {total:?} = {parts:?}"
                );
                known.insert(u);
                progress = true;
            }
        }
        if !progress {
            break;
        }
    }
    for (total, parts) in &children {
        if known.contains(total) {
            let rest: u64 = parts
                .iter()
                .filter(|p| !known.contains(*p))
                .map(|p| truth[p].1)
                .sum();
            let any = parts.iter().any(|p| !known.contains(p));
            assert!(
                !any || rest >= 5,
                "{total:?}: hidden parts add up to {rest}"
            );
        }
    }
}

proptest::proptest! {
    /// Random trees of units (a few regions, trusts and units, each unit with a random number
    /// of referrals assessed early or late): no hidden cell of the report can be recovered by
    /// subtraction or addition along the published sums.
    #[test]
    fn no_hidden_indicator_cell_can_be_recovered(
        places in proptest::collection::vec((0usize..3, 0usize..3, 0usize..8), 1..10),
        late in proptest::collection::vec(proptest::bool::ANY, 80),
    ) {
        let mut e = Vec::new();
        let mut n = 0;
        for (i, (rhf, hf, count)) in places.iter().enumerate() {
            let (unit, hf, rhf) = (format!("U{i}"), format!("H{rhf}.{hf}"), format!("R{rhf}"));
            for _ in 0..*count {
                let assessed = if late[n % late.len()] { date(2025, 5, 20) } else { date(2025, 4, 16) };
                e.extend(referral(&format!("P{n}"), (&unit, &hf, &rhf), assessed, 30));
                n += 1;
            }
        }
        let (from, to) = (date(2025, 4, 1), date(2025, 6, 30));
        let r = published(&e, from, to);
        assert_nothing_recoverable(&r, &e, from, to);
    }
}
