//! The statistics checked against a small dataset computed by hand (issue 12's acceptance:
//! "Statistics checked against a hand-computed small dataset, with suppression and the
//! subtraction rule").
//!
//! Three units: Oslo (org 1, 0301, county 03) with 10 condition cases, Bergen (org 2, 4601,
//! county 46) with 6 cases from the emergency ward, Stavanger (org 3, 1103, county 11) with 2
//! voluntary cases; Oslo logged 5 pieces of advice. By hand:
//!
//! - Stavanger's 2 cases are hidden at every level (1–4). The nation's 18 would give them
//!   back (18 − 10 − 6), so the smallest other county, Bergen's 6, is hidden too, and with it
//!   Bergen's municipality and unit (each is the sum of the one below it). Oslo's 10 stay.
//! - Oslo's 10 cases: 5 completed, 5 not completed → share 0.5. First meetings after 2, 4, 6,
//!   9, 12, 20, 35, 70 days (8 cases; 2 had none): median (9 + 12) / 2 = 10.5; the bins 3, 2,
//!   1, 1, 1 are all small and hidden, their total 8 shown (they add up to 8 ≥ 5).
//! - 5 cases with a missed meeting and 2 + 2 + 3 + 2 + 1 = 10 outreach attempts: 2.0 each.
//! - 12 tests, 1 positive: the positive is hidden, and so is "not positive" (11 = 12 − 1 would
//!   give it back); the share positive is hidden with its numerator.
//! - A share or median over fewer than 5 is hidden: Bergen has no condition cases, and the
//!   nation's median is over Oslo's 8.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use jiff::civil::{date, Date};

use super::advice::{AdviceRecord, Asker, Means, Topic};
use super::erasure::{AgeGroup, Sex, StatsRecord};
use super::statistics::{median, statistics, Cell, Level, Value};

fn rec(org: i64, muni: &str, county: &str, route: &str) -> StatsRecord {
    StatsRecord {
        route: route.into(),
        org_id: org,
        municipality: Some(muni.into()),
        county: Some(county.into()),
        age_group: None,
        sex: None,
        opened_on: date(2026, 3, 2),
        decided_on: None,
        first_meeting_on: None,
        closed_on: None,
        outcome: None,
        meetings_required: None,
        meetings_attended: 0,
        meetings_missed: 0,
        outreach_attempts: 0,
        tests: 0,
        positives: 0,
        referrals: vec![],
    }
}

fn dataset() -> (Vec<StatsRecord>, Vec<AdviceRecord>) {
    let mut out = Vec::new();
    let firsts = [
        Some(2),
        Some(4),
        Some(6),
        Some(9),
        Some(12),
        Some(20),
        Some(35),
        Some(70),
        None,
        None,
    ];
    let outreach = [2, 2, 3, 2, 1];
    for (i, first) in firsts.iter().enumerate() {
        let mut r = rec(1, "0301", "03", "prosecution_condition");
        r.age_group = Some(AgeGroup::From15To17);
        r.sex = Some(Sex::Male);
        r.decided_on = Some(date(2026, 3, 1));
        r.first_meeting_on =
            first.map(|d| jiff::civil::date(2026, 3, 1) + jiff::Span::new().days(d));
        r.outcome = Some(if i < 5 { "completed" } else { "not_completed" }.into());
        r.closed_on = Some(date(2026, 6, 1));
        if i < 5 {
            r.meetings_missed = 1;
            r.outreach_attempts = outreach[i];
        }
        if i < 4 {
            r.tests = 3;
            r.positives = u32::from(i == 0);
        }
        out.push(r);
    }
    for _ in 0..6 {
        let mut r = rec(2, "4601", "46", "emergency_ward");
        r.age_group = Some(AgeGroup::From18To25);
        r.sex = Some(Sex::Female);
        out.push(r);
    }
    for _ in 0..2 {
        out.push(rec(3, "1103", "11", "voluntary"));
    }
    // Outside the period: never counted.
    let mut late = rec(1, "0301", "03", "voluntary");
    late.opened_on = date(2027, 1, 1);
    out.push(late);
    let advice = (0..5)
        .map(|_| AdviceRecord {
            org_id: 1,
            municipality: Some("0301".into()),
            county: Some("03".into()),
            on: date(2026, 4, 1),
            asker: Asker::Relative,
            means: Means::Phone,
            topic: Topic::Law,
            age_group: None,
        })
        .collect();
    (out, advice)
}

const FROM: Date = date(2026, 1, 1);
const TO: Date = date(2026, 12, 31);

fn find<'a>(
    cells: &'a [Cell],
    level: Level,
    key: &str,
    measure: &str,
    group: Option<&str>,
) -> &'a Cell {
    cells
        .iter()
        .find(|c| c.level == level && c.key == key && c.measure == measure && c.group == group)
        .unwrap_or_else(|| panic!("no cell {level:?} {key} {measure} {group:?}"))
}

fn value(
    cells: &[Cell],
    level: Level,
    key: &str,
    measure: &str,
    group: Option<&str>,
) -> Option<f64> {
    let c = find(cells, level, key, measure, group);
    assert_eq!(c.suppressed, c.value.is_none());
    c.value.map(Value::as_f64)
}

#[test]
fn the_hand_computed_cells() {
    let (records, advice) = dataset();
    let cells = statistics(&records, &advice, FROM, TO);
    use Level::*;
    // Cases: Stavanger hidden everywhere, Bergen hidden by the subtraction rule, Oslo shown.
    assert_eq!(value(&cells, Nation, "NO", "cases", None), Some(18.0));
    assert_eq!(value(&cells, County, "03", "cases", None), Some(10.0));
    assert_eq!(
        value(&cells, Municipality, "0301", "cases", None),
        Some(10.0)
    );
    assert_eq!(value(&cells, Unit, "1", "cases", None), Some(10.0));
    for (level, key) in [(County, "11"), (Municipality, "1103"), (Unit, "3")] {
        assert_eq!(
            value(&cells, level, key, "cases", None),
            None,
            "{level:?} {key}"
        );
    }
    for (level, key) in [(County, "46"), (Municipality, "4601"), (Unit, "2")] {
        assert_eq!(
            value(&cells, level, key, "cases", None),
            None,
            "{level:?} {key}"
        );
    }
    // By route in the nation: the condition cases and the zero shown; the two routes that
    // would give Bergen and Stavanger back hidden together (6 + 2 ≥ 5).
    assert_eq!(
        value(
            &cells,
            Nation,
            "NO",
            "cases_by_route",
            Some("prosecution_condition")
        ),
        Some(10.0)
    );
    assert_eq!(
        value(
            &cells,
            Nation,
            "NO",
            "cases_by_route",
            Some("police_no_investigation")
        ),
        Some(0.0)
    );
    assert_eq!(
        value(&cells, Nation, "NO", "cases_by_route", Some("voluntary")),
        None
    );
    assert_eq!(
        value(
            &cells,
            Nation,
            "NO",
            "cases_by_route",
            Some("emergency_ward")
        ),
        None
    );
    assert_eq!(
        value(&cells, Unit, "1", "cases_by_age_group", Some("15_17")),
        Some(10.0)
    );
    assert_eq!(
        value(&cells, Unit, "1", "cases_by_sex", Some("male")),
        Some(10.0)
    );
    // Completion.
    assert_eq!(
        value(&cells, Unit, "1", "condition_cases_closed", None),
        Some(10.0)
    );
    assert_eq!(
        value(
            &cells,
            Unit,
            "1",
            "condition_cases_by_outcome",
            Some("completed")
        ),
        Some(5.0)
    );
    assert_eq!(value(&cells, Unit, "1", "share_completed", None), Some(0.5));
    assert_eq!(
        value(&cells, Nation, "NO", "share_completed", None),
        Some(0.5)
    );
    assert_eq!(
        value(&cells, Unit, "2", "share_completed", None),
        None,
        "no base"
    );
    // Days to the first meeting.
    assert_eq!(
        value(&cells, Unit, "1", "cases_with_first_meeting", None),
        Some(8.0)
    );
    assert_eq!(
        value(&cells, Unit, "1", "days_to_first_meeting_median", None),
        Some(10.5)
    );
    for bin in ["0_7", "8_14", "15_30", "31_60", "over_60"] {
        assert_eq!(
            value(&cells, Unit, "1", "days_to_first_meeting", Some(bin)),
            None,
            "{bin}"
        );
    }
    // Outreach per non-attending case.
    assert_eq!(
        value(&cells, Unit, "1", "non_attending_cases", None),
        Some(5.0)
    );
    assert_eq!(
        value(&cells, Unit, "1", "outreach_per_non_attending_case", None),
        Some(2.0)
    );
    // Tests: 12 shown, the 1 positive and the 11 others hidden, the share with them.
    assert_eq!(value(&cells, Unit, "1", "tests", None), Some(12.0));
    assert_eq!(
        value(&cells, Unit, "1", "tests_by_result", Some("positive")),
        None
    );
    assert_eq!(
        value(&cells, Unit, "1", "tests_by_result", Some("not_positive")),
        None
    );
    assert_eq!(value(&cells, Unit, "1", "share_positive", None), None);
    // Advice, apart from the cases.
    assert_eq!(value(&cells, Unit, "1", "advice", None), Some(5.0));
    assert_eq!(
        value(&cells, Unit, "1", "advice_by_asker", Some("relative")),
        Some(5.0)
    );
    assert_eq!(
        value(&cells, Unit, "1", "advice_by_age_group", Some("unknown")),
        Some(5.0)
    );
    assert_eq!(value(&cells, Nation, "NO", "advice", None), Some(5.0));
    // No unit without data is listed, and nothing outside the period is counted.
    assert!(!cells.iter().any(|c| c.level == Unit && c.key == "4"));
}

/// Every sum the tables publish, solved one at a time from the shown cells as far as it goes,
/// gives no hidden cell back.
#[test]
fn no_hidden_cell_is_recoverable_by_subtraction() {
    let (records, advice) = dataset();
    let cells = statistics(&records, &advice, FROM, TO);
    assert_recoverable_none(&cells);
}

/// The check itself: the places' hierarchy (unit ⊂ municipality ⊂ county ⊂ nation) is read
/// from the test's dataset; the breakdowns from the cells' measures.
fn assert_recoverable_none(cells: &[Cell]) {
    use std::collections::HashMap;
    let parent: HashMap<(Level, &str), (Level, &str)> = [
        ((Level::Unit, "1"), (Level::Municipality, "0301")),
        ((Level::Unit, "2"), (Level::Municipality, "4601")),
        ((Level::Unit, "3"), (Level::Municipality, "1103")),
        ((Level::Municipality, "0301"), (Level::County, "03")),
        ((Level::Municipality, "4601"), (Level::County, "46")),
        ((Level::Municipality, "1103"), (Level::County, "11")),
        ((Level::County, "03"), (Level::Nation, "NO")),
        ((Level::County, "46"), (Level::Nation, "NO")),
        ((Level::County, "11"), (Level::Nation, "NO")),
    ]
    .into_iter()
    .collect();
    let breakdowns: [(&str, &str); 11] = [
        ("cases_by_route", "cases"),
        ("cases_by_age_group", "cases"),
        ("cases_by_sex", "cases"),
        ("condition_cases_by_outcome", "condition_cases_closed"),
        ("days_to_first_meeting", "cases_with_first_meeting"),
        ("tests_by_result", "tests"),
        ("referrals_by_destination", "referrals"),
        ("advice_by_asker", "advice"),
        ("advice_by_means", "advice"),
        ("advice_by_topic", "advice"),
        ("advice_by_age_group", "advice"),
    ];
    let counts: Vec<&Cell> = cells
        .iter()
        .filter(|c| {
            !matches!(c.value, Some(Value::Number(_)))
                && !c.measure.starts_with("share")
                && !c.measure.ends_with("median")
                && !c.measure.starts_with("outreach_per")
        })
        .collect();
    let idx: HashMap<(Level, &str, &str, Option<&str>), usize> = counts
        .iter()
        .enumerate()
        .map(|(i, c)| ((c.level, c.key.as_str(), c.measure, c.group), i))
        .collect();
    let mut sums: Vec<Vec<usize>> = Vec::new(); // [total, parts…]
    for c in &counts {
        // Across levels: a cell of a parent is the sum of its children's.
        let children: Vec<usize> = counts
            .iter()
            .enumerate()
            .filter(|(_, k)| {
                k.measure == c.measure
                    && k.group == c.group
                    && parent.get(&(k.level, k.key.as_str())) == Some(&(c.level, c.key.as_str()))
            })
            .map(|(i, _)| i)
            .collect();
        if !children.is_empty() {
            let mut s = vec![idx[&(c.level, c.key.as_str(), c.measure, c.group)]];
            s.extend(children);
            sums.push(s);
        }
        // Within a place: a breakdown adds up to its total.
        if c.group.is_none() {
            for (b, total) in breakdowns {
                if total == c.measure {
                    let mut s = vec![idx[&(c.level, c.key.as_str(), c.measure, None)]];
                    s.extend(
                        counts
                            .iter()
                            .enumerate()
                            .filter(|(_, k)| k.level == c.level && k.key == c.key && k.measure == b)
                            .map(|(i, _)| i),
                    );
                    if s.len() > 1 {
                        sums.push(s);
                    }
                }
            }
        }
    }
    // Solving the sums one at a time from the shown cells: a sum with exactly one unknown
    // cell gives that (hidden) cell back.
    let known: Vec<bool> = counts.iter().map(|c| !c.suppressed).collect();
    for s in &sums {
        let unknown: Vec<usize> = s.iter().copied().filter(|&i| !known[i]).collect();
        if let [i] = unknown[..] {
            let c = counts[i];
            panic!(
                "hidden cell recoverable: {:?} {} {} {:?}",
                c.level, c.key, c.measure, c.group
            );
        }
    }
    // Shown cells are all nonzero-or-≥5: nothing of 1–4 is shown.
    for c in &counts {
        if let Some(Value::Count(n)) = c.value {
            assert!(n == 0 || n >= 5, "{c:?}");
        }
    }
}

#[test]
fn shares_and_medians_need_a_base_of_five() {
    let (mut records, _) = dataset();
    // Only four condition cases in Oslo: its share and median are hidden with their bases.
    records.retain(|r| r.org_id != 1);
    for i in 0..4 {
        let mut r = rec(1, "0301", "03", "prosecution_condition");
        r.decided_on = Some(date(2026, 3, 1));
        r.first_meeting_on = Some(date(2026, 3, 5));
        r.outcome = Some(if i < 2 { "completed" } else { "not_completed" }.into());
        records.push(r);
    }
    let cells = statistics(&records, &[], FROM, TO);
    assert_eq!(
        value(&cells, Level::Unit, "1", "condition_cases_closed", None),
        None
    );
    assert_eq!(
        value(&cells, Level::Unit, "1", "share_completed", None),
        None
    );
    assert_eq!(
        value(
            &cells,
            Level::Unit,
            "1",
            "days_to_first_meeting_median",
            None
        ),
        None
    );
    assert_eq!(
        value(
            &cells,
            Level::Nation,
            "NO",
            "days_to_first_meeting_median",
            None
        ),
        None
    );
}

#[test]
fn the_median_of_an_even_and_an_odd_count() {
    assert_eq!(median(&[]), None);
    assert_eq!(median(&[5, 1, 3]), Some(3.0));
    assert_eq!(median(&[70, 2, 12, 9]), Some(10.5));
}

#[test]
fn a_unit_without_a_municipality_counts_in_the_nation_only() {
    let mut records = Vec::new();
    for _ in 0..6 {
        let mut r = rec(9, "x", "x", "voluntary");
        r.municipality = None;
        r.county = None;
        records.push(r);
    }
    let cells = statistics(&records, &[], FROM, TO);
    assert_eq!(value(&cells, Level::Unit, "9", "cases", None), Some(6.0));
    assert_eq!(value(&cells, Level::Nation, "NO", "cases", None), Some(6.0));
    assert!(!cells
        .iter()
        .any(|c| c.level == Level::Municipality || c.level == Level::County));
}

#[test]
fn the_json_of_a_cell() {
    let (records, advice) = dataset();
    let cells = statistics(&records, &advice, FROM, TO);
    let j = serde_json::to_value(find(&cells, Level::Nation, "NO", "cases", None)).unwrap();
    assert_eq!(
        j,
        serde_json::json!({"level": "nation", "key": "NO", "measure": "cases", "value": 18, "suppressed": false})
    );
    let j = serde_json::to_value(find(
        &cells,
        Level::Unit,
        "3",
        "cases_by_route",
        Some("voluntary"),
    ))
    .unwrap();
    assert_eq!(
        j,
        serde_json::json!({"level": "unit", "key": "3", "measure": "cases_by_route", "group": "voluntary", "value": null, "suppressed": true})
    );
}
