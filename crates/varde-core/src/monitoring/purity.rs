//! The purity rule: a purity far above the recent range for its substance raises a `purity`
//! signal. "Far above" is above the 95th percentile of the purities of that substance found in
//! the 12 months before the day of the check (seizures' `purity_percent` and drug-checking
//! findings' `purity_percent` together), when there are at least [`MIN_FINDINGS`] of them.
//!
//! The percentile is the nearest-rank one: the purities sorted ascending, the value at rank
//! ⌈0.95 · n⌉ (1-based). It is one of the values found (no interpolation), and "above" is
//! strict, so a purity equal to the highest seen never raises a signal.

use jiff::civil::Date;

use super::signals::{iso_week, NewSignal, SignalKind};

/// The fewest purities the rule needs before it speaks.
pub const MIN_FINDINGS: usize = 10;

/// The percentile the rule compares with.
pub const PERCENTILE: f64 = 0.95;

/// The first day of the 12 months before `today` (the window of recent purities).
pub fn window_start(today: Date) -> Date {
    today.saturating_sub(jiff::Span::new().years(1))
}

/// The nearest-rank 95th percentile of `purities`, or `None` when there are fewer than
/// [`MIN_FINDINGS`] (non-finite values are left out).
pub fn threshold(purities: &[f64]) -> Option<f64> {
    let mut v: Vec<f64> = purities.iter().copied().filter(|p| p.is_finite()).collect();
    if v.len() < MIN_FINDINGS {
        return None;
    }
    v.sort_by(f64::total_cmp);
    // ⌈0.95 n⌉ in integers: (95 n + 99) / 100.
    let rank = (95 * v.len()).div_ceil(100);
    v.get(rank.saturating_sub(1)).copied()
}

/// Whether `purity` is far above the recent range `history` (see the module).
pub fn is_far_above(purity: f64, history: &[f64]) -> Option<f64> {
    threshold(history).filter(|t| purity > *t)
}

/// One purity found: where, when and what.
#[derive(Debug, Clone, PartialEq)]
pub struct Found<'a> {
    pub substance: &'a str,
    /// `0301`, `county:03` or `national`.
    pub area: String,
    pub day: Date,
    pub purity: f64,
}

/// The purity signals of `found` (the findings of one write) against `history` (the recent
/// purities of each substance, from before the write): one per source × substance × area ×
/// ISO week, `observed` the highest purity above the threshold there.
pub fn signals<'a>(
    source: &str,
    found: &[Found<'a>],
    history: &dyn Fn(&str) -> Vec<f64>,
) -> Vec<NewSignal> {
    use std::collections::BTreeMap;
    let mut thresholds: BTreeMap<&str, Option<f64>> = BTreeMap::new();
    let mut top: BTreeMap<(&str, String, String), (f64, f64)> = BTreeMap::new();
    for f in found {
        let t = *thresholds
            .entry(f.substance)
            .or_insert_with(|| threshold(&history(f.substance)));
        let Some(t) = t.filter(|t| f.purity > *t) else {
            continue;
        };
        let e = top
            .entry((f.substance, f.area.clone(), iso_week(f.day)))
            .or_insert((f.purity, t));
        e.0 = e.0.max(f.purity);
    }
    top.into_iter()
        .map(|((substance, area, week), (observed, t))| NewSignal {
            kind: SignalKind::Purity,
            source: source.to_owned(),
            substance: Some(substance.to_owned()),
            dedupe: format!("purity:{source}:{substance}:{area}:{week}"),
            detail: format!(
                "a purity of {observed} % of {substance} in {area}, week {week}, above the recent range"
            ),
            rule: format!(
                "a purity above the 95th percentile (nearest rank) of the last 12 months' purities of the substance, at least {MIN_FINDINGS} of them"
            ),
            area,
            week,
            observed,
            threshold: Some(t),
        })
        .collect()
}
