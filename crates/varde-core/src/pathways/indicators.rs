//! Quality indicators and waiting time for a period, at unit, HF, RHF and nation level, with
//! suppression of small cells (`definitions.md`, "Indicators").

use std::collections::BTreeMap;

use jiff::civil::Date;
use serde::Serialize;

use super::fxhash::FxHashMap;
use super::history::{histories, History};
use super::limits::{limit_days, Interval};
use super::model::{CareLevel, Event, EventKind, Outcome};
use crate::calendar::{add_working_days, days_between};

/// Cells with a denominator (or `n`) under this are suppressed.
pub const SUPPRESSION_THRESHOLD: u64 = crate::suppression::THRESHOLD;

/// Key used for the nation level.
pub const NATION_KEY: &str = "Norge";

/// Every indicator id, in report order.
pub const INDICATOR_IDS: [&str; 12] = [
    "assessment_within_10_workdays",
    "decision_within_limit_outpatient",
    "decision_within_limit_inpatient",
    "first_evaluation_within_limit_outpatient",
    "first_evaluation_within_limit_inpatient",
    "evaluation_interval_within_limit_outpatient",
    "evaluation_interval_within_limit_inpatient",
    "treatment_after_detox_within_limit_outpatient",
    "treatment_after_detox_within_limit_inpatient",
    "fristbrudd",
    "involvement_in_treatment_plan",
    "feedback_tool_used",
];

/// An aggregation level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// Health trust.
    Hf,
    /// The nation (key `Norge`).
    Nation,
    /// Regional health authority.
    Rhf,
    /// Unit.
    Unit,
}

impl Level {
    /// All levels.
    pub const ALL: [Level; 4] = [Level::Nation, Level::Rhf, Level::Hf, Level::Unit];

    /// The key of an event's row at this level.
    pub fn key_of(self, e: &Event) -> &str {
        match self {
            Level::Nation => NATION_KEY,
            Level::Rhf => &e.rhf,
            Level::Hf => &e.hf,
            Level::Unit => &e.unit,
        }
    }

    /// The contract name.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Nation => "nation",
            Level::Rhf => "rhf",
            Level::Hf => "hf",
            Level::Unit => "unit",
        }
    }
}

/// One indicator cell.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IndicatorRow {
    /// Indicator id.
    pub id: &'static str,
    /// Level.
    pub level: Level,
    /// Unit, HF or RHF name, or `Norge`.
    pub key: String,
    /// Numerator (null when suppressed).
    pub numerator: Option<u64>,
    /// Denominator (null when suppressed).
    pub denominator: Option<u64>,
    /// numerator / denominator (null when suppressed).
    pub share: Option<f64>,
    /// True when the denominator is under 5.
    pub suppressed: bool,
}

/// One waiting-time cell (days from referral received to first attendance).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WaitingRow {
    /// Level.
    pub level: Level,
    /// Unit, HF or RHF name, or `Norge`.
    pub key: String,
    /// Number of first attendances.
    pub n: Option<u64>,
    /// Median (mean of the two middle values for even n).
    pub median_days: Option<f64>,
    /// Mean.
    pub mean_days: Option<f64>,
    /// Smallest value with at least 90 % of values at or below it.
    pub p90_days: Option<i64>,
    /// True when n is under 5.
    pub suppressed: bool,
}

/// The report of `varde pathways report`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// Period start (included).
    pub from: Date,
    /// Period end (included).
    pub to: Date,
    /// Indicator cells, sorted by id, level and key.
    pub indicators: Vec<IndicatorRow>,
    /// Waiting-time cells, sorted by level and key.
    pub waiting_time: Vec<WaitingRow>,
}

/// One measured interval or count: which indicator, the row it is attributed to, and whether it
/// counts in the numerator.
#[derive(Debug, Clone, Copy)]
pub struct Measure<'a> {
    /// Indicator id.
    pub id: &'static str,
    /// The row that closes the measured interval.
    pub row: &'a Event,
    /// Counted in the numerator.
    pub hit: bool,
}

fn by_level(outpatient: &'static str, inpatient: &'static str, level: CareLevel) -> &'static str {
    match level {
        CareLevel::Outpatient => outpatient,
        CareLevel::Inpatient => inpatient,
    }
}

/// The measures of one pathway history (cut at the period end) for the period.
pub fn measures<'a>(h: &History<'a>, from: Date, to: Date, out: &mut Vec<Measure<'a>>) {
    let in_period = |d: Date| from <= d && d <= to;
    let variant = h.variant();
    let receipt = h.receipt();

    for a in h.all(EventKind::ReferralAssessed) {
        if in_period(a.date) {
            if let Some(r) = receipt {
                out.push(Measure {
                    id: "assessment_within_10_workdays",
                    row: a,
                    hit: a.date <= add_working_days(r, 10),
                });
            }
        }
        if a.outcome == Some(Outcome::Right) {
            if let Some(deadline) = a.deadline.filter(|d| in_period(*d)) {
                out.push(Measure {
                    id: "fristbrudd",
                    row: a,
                    hit: !h.has_on_or_before(EventKind::FirstAttendance, deadline),
                });
            }
        }
    }

    let first_attendance = h.first(EventKind::FirstAttendance);
    if let Some(cd) = h.first(EventKind::ClinicalDecision) {
        if in_period(cd.date) {
            if let Some(fa) = first_attendance.filter(|fa| fa.date <= cd.date) {
                let limit = limit_days(
                    variant,
                    Interval::FirstAttendanceToClinicalDecision,
                    cd.care_level,
                );
                out.push(Measure {
                    id: by_level(
                        "decision_within_limit_outpatient",
                        "decision_within_limit_inpatient",
                        cd.care_level,
                    ),
                    row: cd,
                    hit: days_between(fa.date, cd.date) <= limit,
                });
            }
        }
    }

    let mut previous: Option<&Event> = None;
    for ev in h.all(EventKind::Evaluation) {
        if in_period(ev.date) {
            match previous {
                None => {
                    if let Some(cd) = h.last_on_or_before(EventKind::ClinicalDecision, ev.date) {
                        let limit = limit_days(
                            variant,
                            Interval::ClinicalDecisionToFirstEvaluation,
                            ev.care_level,
                        );
                        out.push(Measure {
                            id: by_level(
                                "first_evaluation_within_limit_outpatient",
                                "first_evaluation_within_limit_inpatient",
                                ev.care_level,
                            ),
                            row: ev,
                            hit: days_between(cd.date, ev.date) <= limit,
                        });
                    }
                }
                Some(prev) => {
                    let limit = limit_days(variant, Interval::BetweenEvaluations, ev.care_level);
                    out.push(Measure {
                        id: by_level(
                            "evaluation_interval_within_limit_outpatient",
                            "evaluation_interval_within_limit_inpatient",
                            ev.care_level,
                        ),
                        row: ev,
                        hit: days_between(prev.date, ev.date) <= limit,
                    });
                }
            }
        }
        previous = Some(ev);
    }

    let starts: Vec<&Event> = h.all(EventKind::TreatmentStart).collect();
    for (i, t) in starts.iter().enumerate() {
        if !in_period(t.date) {
            continue;
        }
        let Some(detox) = h.last_on_or_before(EventKind::DetoxEnd, t.date) else {
            continue;
        };
        let other_between = starts[..i].iter().any(|o| o.date >= detox.date);
        if other_between {
            continue;
        }
        let limit = limit_days(variant, Interval::DetoxEndToTreatmentStart, t.care_level);
        out.push(Measure {
            id: by_level(
                "treatment_after_detox_within_limit_outpatient",
                "treatment_after_detox_within_limit_inpatient",
                t.care_level,
            ),
            row: t,
            hit: days_between(detox.date, t.date) <= limit,
        });
    }

    if let Some(end) = h.first(EventKind::PathwayEnd).filter(|e| in_period(e.date)) {
        out.push(Measure {
            id: "involvement_in_treatment_plan",
            row: end,
            hit: h.has_on_or_before(EventKind::TreatmentPlanInvolvement, end.date),
        });
        out.push(Measure {
            id: "feedback_tool_used",
            row: end,
            hit: h.has_on_or_before(EventKind::FeedbackToolUsed, end.date),
        });
    }
}

/// The waiting time of one pathway history: (first attendance row, days from receipt), when the
/// first attendance is in the period and the pathway has a `referral_received`.
pub fn waiting<'a>(h: &History<'a>, from: Date, to: Date) -> Option<(&'a Event, i32)> {
    let fa = h.first(EventKind::FirstAttendance)?;
    if fa.date < from || fa.date > to {
        return None;
    }
    let receipt = h.receipt()?;
    Some((fa, days_between(receipt, fa.date)))
}

/// Summary statistics of a set of day counts: (median, mean, p90). `None` when empty.
pub fn waiting_stats(values: &mut [i32]) -> Option<(f64, f64, i64)> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    let n = values.len();
    let median = if n % 2 == 1 {
        f64::from(values[n / 2])
    } else {
        (f64::from(values[n / 2 - 1]) + f64::from(values[n / 2])) / 2.0
    };
    let sum: i64 = values.iter().map(|&v| i64::from(v)).sum();
    let mean = sum as f64 / n as f64;
    // Smallest value with at least 90 % at or below it: the ceil(0.9 n)-th value.
    let rank = (9 * n).div_ceil(10).max(1);
    let p90 = i64::from(values[rank - 1]);
    Some((median, mean, p90))
}

/// A string's address and length: equal for the same allocation, cheap to hash.
type Addr = (usize, usize);
/// The addresses of a row's unit, HF and RHF.
type OrgKey = [Addr; 3];
/// A row's unit, HF and RHF.
type Org<'a> = (&'a str, &'a str, &'a str);

fn addr(s: &str) -> Addr {
    (s.as_ptr() as usize, s.len())
}

/// The four (level, key) cells a row at `(unit, HF, RHF)` counts in.
fn level_keys<'a>((unit, hf, rhf): (&'a str, &'a str, &'a str)) -> [(Level, &'a str); 4] {
    [
        (Level::Nation, NATION_KEY),
        (Level::Rhf, rhf),
        (Level::Hf, hf),
        (Level::Unit, unit),
    ]
}

/// Computes the report for the period `from`–`to` (both included) from validated events.
pub fn report(events: &[Event], from: Date, to: Date) -> Report {
    let hs = histories(events, to);
    // First aggregate per (indicator, unit, HF, RHF) keyed by string addresses (cheap to hash),
    // then roll up to the four levels by name. Equal names behind different addresses merge in
    // the roll-up, so the result does not depend on how the strings were allocated.
    let org_key = |e: &Event| [addr(&e.unit), addr(&e.hf), addr(&e.rhf)];
    let mut first: FxHashMap<(Addr, OrgKey), (&'static str, Org<'_>, u64, u64)> =
        FxHashMap::default();
    let mut first_waits: FxHashMap<OrgKey, (Org<'_>, Vec<i32>)> = FxHashMap::default();
    let mut buf = Vec::new();
    for h in &hs {
        buf.clear();
        measures(h, from, to, &mut buf);
        for m in &buf {
            let row = m.row;
            let cell = first.entry((addr(m.id), org_key(row))).or_insert((
                m.id,
                (&row.unit, &row.hf, &row.rhf),
                0,
                0,
            ));
            cell.3 += 1;
            if m.hit {
                cell.2 += 1;
            }
        }
        if let Some((row, days)) = waiting(h, from, to) {
            first_waits
                .entry(org_key(row))
                .or_insert(((&row.unit, &row.hf, &row.rhf), Vec::new()))
                .1
                .push(days);
        }
    }
    let mut cells: BTreeMap<(&'static str, Level, &str), (u64, u64)> = BTreeMap::new();
    for (id, org, num, den) in first.into_values() {
        for (level, key) in level_keys(org) {
            let cell = cells.entry((id, level, key)).or_default();
            cell.0 += num;
            cell.1 += den;
        }
    }
    let mut waits: BTreeMap<(Level, &str), Vec<i32>> = BTreeMap::new();
    for (org, values) in first_waits.into_values() {
        for (level, key) in level_keys(org) {
            waits
                .entry((level, key))
                .or_default()
                .extend_from_slice(&values);
        }
    }
    let indicators = cells
        .into_iter()
        .map(|((id, level, key), (num, den))| {
            let suppressed = den < SUPPRESSION_THRESHOLD;
            IndicatorRow {
                id,
                level,
                key: key.to_string(),
                numerator: (!suppressed).then_some(num),
                denominator: (!suppressed).then_some(den),
                share: (!suppressed).then(|| num as f64 / den as f64),
                suppressed,
            }
        })
        .collect();
    let waiting_time = waits
        .into_iter()
        .map(|((level, key), mut values)| {
            let n = values.len() as u64;
            let suppressed = n < SUPPRESSION_THRESHOLD;
            let stats = if suppressed {
                None
            } else {
                waiting_stats(&mut values)
            };
            WaitingRow {
                level,
                key: key.to_string(),
                n: (!suppressed).then_some(n),
                median_days: stats.map(|s| s.0),
                mean_days: stats.map(|s| s.1),
                p90_days: stats.map(|s| s.2),
                suppressed,
            }
        })
        .collect();
    Report {
        from,
        to,
        indicators,
        waiting_time,
    }
}
