//! Tests of the pathway rules, worklist and indicators with fixed dates, by topic. The shared
//! fixtures live here; each topic is a file of its own.

use super::*;
use jiff::civil::{date, Date};
use proptest::strategy::Strategy;
use serde_json::Value;

mod commands_tests;
mod indicators_tests;
mod parse_tests;
mod rules_tests;
mod worklist_tests;

const SAMPLE: &str = include_str!("../../../testdata/pathways/sample.csv");

const SAMPLE_REPORT: &str = include_str!("../../../testdata/pathways/sample_report_2025H1.json");

const SAMPLE_DUE: &str = include_str!("../../../testdata/pathways/sample_due_2025-05-15.json");

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
fn sample_report_matches_expected_json() {
    let events = sample(date(2025, 6, 30));
    let got = serde_json::to_value(report(&events, date(2025, 1, 1), date(2025, 6, 30))).unwrap();
    let want: Value = serde_json::from_str(SAMPLE_REPORT).unwrap();
    let diff_i = missing(&got["indicators"], &want["indicators"]);
    let diff_w = missing(&got["waiting_time"], &want["waiting_time"]);
    assert!(diff_i.is_empty(), "indicators:\n{}", diff_i.join("\n"));
    assert!(diff_w.is_empty(), "waiting_time:\n{}", diff_w.join("\n"));
    assert!(same(&got, &want));
    // As published (pages, API): the same rows, with more hidden so that no hidden one can be
    // recovered.
    let published = crate::pathways::report_with(
        &events,
        date(2025, 1, 1),
        date(2025, 6, 30),
        crate::pathways::Suppression::Complementary,
    );
    let published = serde_json::to_value(published).unwrap();
    let hidden = indicators_tests::same_but_complementary(&published, &want).unwrap();
    assert!(hidden > 0, "the sample has cells that give small ones away");
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
