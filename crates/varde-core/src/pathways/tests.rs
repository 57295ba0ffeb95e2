//! Tests of the pathway rules, worklist and indicators with fixed dates.

use jiff::civil::{date, Date};
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
