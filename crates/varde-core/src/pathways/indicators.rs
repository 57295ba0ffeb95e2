//! Quality indicators and waiting time for a period, at unit, HF, RHF and nation level, with
//! suppression of small cells (`definitions.md`, "Indicators").

use std::collections::{BTreeMap, BTreeSet};

use jiff::civil::Date;
use serde::Serialize;

use super::fxhash::FxHashMap;
use super::history::{histories, History};
use super::limits::{limit_days, Interval};
use super::model::{CareLevel, Event, EventKind, Outcome};
use crate::calendar::{add_working_days, days_between};
use crate::suppression::{protect_with, Sum};

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
    /// True when hidden: the denominator is under 5, or the cell is hidden so that no other
    /// can be recovered from it (complementary suppression).
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
    /// True when hidden: n is under 5, or hidden so that no other can be recovered.
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
pub type Org<'a> = (&'a str, &'a str, &'a str);

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

/// How a report hides small cells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Suppression {
    /// As `definitions.md` defines the report (the `varde pathways report` contract): a row
    /// whose denominator (a waiting-time row: whose `n`) is under 5 is hidden, nothing more.
    Rows,
    /// As Varde publishes figures (the pages, the API, the downloads): those rows, and as many
    /// more as keep each of them from being recovered by subtraction or addition along unit ⊂
    /// HF ⊂ RHF ⊂ nation ([`crate::suppression::protect`]).
    Complementary,
}

/// Computes the report for the period `from`–`to` (both included) from validated events, as
/// `definitions.md` defines it (rows under 5 hidden: [`Suppression::Rows`]).
pub fn report(events: &[Event], from: Date, to: Date) -> Report {
    report_with(events, from, to, Suppression::Rows)
}

/// As [`report`], with the suppression given.
pub fn report_with(events: &[Event], from: Date, to: Date, how: Suppression) -> Report {
    let hs = histories(events, to);
    let (cells, waits) = count(&hs, from, to);
    publish(from, to, &cells, &waits, how)
}

/// The report for `from`–`to` as it stands on `today`: a period that ends after today is cut at
/// today, so that a deadline not yet reached is not counted as missed (`fristbrudd`), and no
/// limit is judged before its day. The report's `to` is the cut date.
pub fn report_as_of(events: &[Event], from: Date, to: Date, today: Date) -> Report {
    report(events, from, to.min(today))
}

/// The report as Varde publishes it on `today`: cut at today as [`report_as_of`], with
/// complementary suppression ([`Suppression::Complementary`]).
pub fn published_report(events: &[Event], from: Date, to: Date, today: Date) -> Report {
    report_with(events, from, to.min(today), Suppression::Complementary)
}

/// The measured counts of a period before suppression, by indicator and place: (numerator,
/// denominator) per (indicator, unit, HF, RHF).
pub type Counts<'a> = BTreeMap<(&'static str, Org<'a>), (u64, u64)>;
/// The waiting times of a period before suppression, per (unit, HF, RHF).
pub type Waits<'a> = BTreeMap<Org<'a>, Vec<i32>>;

/// Counts the measures and waiting times of the histories for `from`–`to`.
fn count<'a>(hs: &[History<'a>], from: Date, to: Date) -> (Counts<'a>, Waits<'a>) {
    // First aggregate per (indicator, unit, HF, RHF) keyed by string addresses (cheap to hash),
    // then merge by name, so the result does not depend on how the strings were allocated.
    let org_key = |e: &Event| [addr(&e.unit), addr(&e.hf), addr(&e.rhf)];
    let mut first: FxHashMap<(Addr, OrgKey), (&'static str, Org<'_>, u64, u64)> =
        FxHashMap::default();
    let mut first_waits: FxHashMap<OrgKey, (Org<'_>, Vec<i32>)> = FxHashMap::default();
    let mut buf = Vec::new();
    for h in hs {
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
    let mut cells: Counts<'_> = BTreeMap::new();
    for (id, org, num, den) in first.into_values() {
        let cell = cells.entry((id, org)).or_default();
        cell.0 += num;
        cell.1 += den;
    }
    let mut waits: Waits<'_> = BTreeMap::new();
    for (org, values) in first_waits.into_values() {
        waits.entry(org).or_default().extend_from_slice(&values);
    }
    (cells, waits)
}

/// Counts one history's measures and waiting time for `from`–`to` into `cells` and `waits`
/// (by name: for many small periods, see `trends`).
pub(super) fn count_into<'a>(
    h: &History<'a>,
    from: Date,
    to: Date,
    buf: &mut Vec<Measure<'a>>,
    cells: &mut Counts<'a>,
    waits: &mut Waits<'a>,
) {
    buf.clear();
    measures(h, from, to, buf);
    for m in buf.iter() {
        let r = m.row;
        let cell = cells.entry((m.id, (&r.unit, &r.hf, &r.rhf))).or_default();
        cell.1 += 1;
        if m.hit {
            cell.0 += 1;
        }
    }
    if let Some((r, days)) = waiting(h, from, to) {
        waits
            .entry((&r.unit, &r.hf, &r.rhf))
            .or_default()
            .push(days);
    }
}

/// The report's rows from the counts: rolled up to the four levels, with the cells of 1–4
/// hidden and, along the sums the levels make (unit within HF, HF within RHF, RHF within the
/// nation), as many more as keep every hidden cell from being recovered
/// ([`crate::suppression::protect`]).
pub(super) fn publish(
    from: Date,
    to: Date,
    cells: &Counts<'_>,
    waits: &Waits<'_>,
    how: Suppression,
) -> Report {
    let small = |n: u64| n < crate::suppression::THRESHOLD;
    let mut by_id: BTreeMap<&'static str, Vec<Atom<'_>>> = BTreeMap::new();
    for (&(id, org), &counts) in cells {
        by_id.entry(id).or_default().push((org, counts));
    }
    let mut indicators = Vec::new();
    for (id, atoms) in by_id {
        let rows = roll_up(&atoms);
        let dens: Vec<(Org<'_>, u64)> = atoms.iter().map(|(o, (_, d))| (*o, *d)).collect();
        let hidden = match how {
            Suppression::Complementary => hidden_cells(&dens),
            Suppression::Rows => BTreeSet::new(),
        };
        for ((level, key), (num, den)) in rows {
            let suppressed = small(den) || hidden.contains(&(level, key));
            indicators.push(IndicatorRow {
                id,
                level,
                key: key.to_string(),
                numerator: (!suppressed).then_some(num),
                denominator: (!suppressed).then_some(den),
                share: (!suppressed).then(|| num as f64 / den as f64),
                suppressed,
            });
        }
    }
    let mut rolled: BTreeMap<(Level, &str), Vec<i32>> = BTreeMap::new();
    for (org, values) in waits {
        for (level, key) in level_keys(*org) {
            rolled
                .entry((level, key))
                .or_default()
                .extend_from_slice(values);
        }
    }
    let ns: Vec<(Org<'_>, u64)> = waits.iter().map(|(o, v)| (*o, v.len() as u64)).collect();
    let hidden = match how {
        Suppression::Complementary => hidden_cells(&ns),
        Suppression::Rows => BTreeSet::new(),
    };
    let waiting_time = rolled
        .into_iter()
        .map(|((level, key), mut values)| {
            let n = values.len() as u64;
            let suppressed = small(n) || hidden.contains(&(level, key));
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

/// The (numerator, denominator) of a (unit, HF, RHF).
type Atom<'a> = (Org<'a>, (u64, u64));

/// (numerator, denominator) per level and key, for the keys with a denominator of at least 1.
fn roll_up<'a>(atoms: &[Atom<'a>]) -> BTreeMap<(Level, &'a str), (u64, u64)> {
    let mut rows: BTreeMap<(Level, &str), (u64, u64)> = BTreeMap::new();
    for (org, (num, den)) in atoms {
        if *den == 0 {
            continue;
        }
        for key in level_keys(*org) {
            let cell = rows.entry(key).or_default();
            cell.0 += num;
            cell.1 += den;
        }
    }
    rows
}

/// The (level, key) cells to hide, from the counts of each (unit, HF, RHF): the published
/// cells are the four levels' sums. When the places are a hierarchy (every unit in one HF,
/// every HF in one RHF — what the web's place rules make sure of), the sums are the
/// hierarchy's; otherwise (a report over names that are not) each place is the sum of its
/// (unit, HF, RHF) parts, which are not published.
pub fn hidden_cells<'a>(atoms: &[(Org<'a>, u64)]) -> BTreeSet<(Level, &'a str)> {
    let atoms: Vec<(Org<'a>, u64)> = atoms.iter().copied().filter(|(_, n)| *n > 0).collect();
    let mut index: BTreeMap<(Level, &'a str), usize> = BTreeMap::new();
    let mut counts: Vec<u64> = Vec::new();
    for (org, n) in &atoms {
        for key in level_keys(*org) {
            let i = *index.entry(key).or_insert_with(|| {
                counts.push(0);
                counts.len() - 1
            });
            counts[i] += n;
        }
    }
    let mut parents: BTreeMap<usize, BTreeSet<usize>> = BTreeMap::new();
    for (org, _) in &atoms {
        let keys = level_keys(*org);
        for pair in keys.windows(2) {
            parents
                .entry(index[&pair[1]])
                .or_default()
                .insert(index[&pair[0]]);
        }
    }
    let hierarchy = parents.values().all(|p| p.len() == 1);
    let mut published = vec![true; counts.len()];
    let mut sums: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    if hierarchy {
        for (child, ps) in &parents {
            for p in ps {
                sums.entry(*p).or_default().push(*child);
            }
        }
    } else {
        for (org, n) in &atoms {
            counts.push(*n);
            published.push(false);
            let part = counts.len() - 1;
            for key in level_keys(*org) {
                sums.entry(index[&key]).or_default().push(part);
            }
        }
    }
    let sums: Vec<Sum> = sums
        .into_iter()
        .map(|(total, parts)| Sum { total, parts })
        .collect();
    let hidden = protect_with(&counts, &published, &sums);
    index
        .into_iter()
        .filter(|(_, i)| hidden[*i])
        .map(|(key, _)| key)
        .collect()
}
