//! An indicator's trend as the dashboard shows it: its values by year for one area, values
//! that count people suppressed when 1–4 (`suppression::cell`), the latest value, and the
//! direction of the last change against the goal.

use serde::Serialize;

use super::plans::IndicatorDef;
use super::Direction;
use crate::suppression;

/// One year's value as published.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Point {
    pub year: i16,
    /// `None` when suppressed.
    pub value: Option<f64>,
    pub suppressed: bool,
}

/// The last change against the goal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// The last change went the goal's way.
    Better,
    /// It went against the goal.
    Worse,
    /// No change.
    Unchanged,
    /// Fewer than two published years (or the last two not both published).
    Unknown,
    /// The indicator has no direction (context only).
    NotJudged,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Better => "better",
            Verdict::Worse => "worse",
            Verdict::Unchanged => "unchanged",
            Verdict::Unknown => "unknown",
            Verdict::NotJudged => "not_judged",
        }
    }
}

/// An indicator's series for one area.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Trend {
    pub points: Vec<Point>,
    /// The latest year with a value (published or suppressed).
    pub latest: Option<Point>,
    pub verdict: Verdict,
}

/// The trend of `def` from its `(year, value)` pairs (any order; one per year).
pub fn trend(def: &IndicatorDef, values: &[(i16, f64)]) -> Trend {
    let mut v = values.to_vec();
    v.sort_by_key(|(y, _)| *y);
    v.dedup_by_key(|(y, _)| *y);
    let points: Vec<Point> = v
        .into_iter()
        .map(|(year, value)| {
            let hidden = def.counts_people && suppression::cell(value.round() as u64).is_none();
            Point {
                year,
                value: (!hidden).then_some(value),
                suppressed: hidden,
            }
        })
        .collect();
    from_points(def.direction, points)
}

/// The trend of points already published (suppressed where their source says), in year
/// order.
pub fn from_points(direction: Direction, points: Vec<Point>) -> Trend {
    let verdict = match points.as_slice() {
        _ if direction == Direction::Neither => Verdict::NotJudged,
        [.., a, b] => match (a.value, b.value) {
            (Some(a), Some(b)) => verdict(direction, a, b),
            _ => Verdict::Unknown,
        },
        _ => Verdict::Unknown,
    };
    Trend {
        latest: points.last().cloned(),
        points,
        verdict,
    }
}

/// The change from `before` to `after` against `direction`.
pub fn verdict(direction: Direction, before: f64, after: f64) -> Verdict {
    if direction == Direction::Neither {
        return Verdict::NotJudged;
    }
    if (after - before).abs() < 1e-9 {
        return Verdict::Unchanged;
    }
    let up = after > before;
    match (direction, up) {
        (Direction::HigherIsBetter, true) | (Direction::LowerIsBetter, false) => Verdict::Better,
        _ => Verdict::Worse,
    }
}
