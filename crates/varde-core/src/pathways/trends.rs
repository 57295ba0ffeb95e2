//! The indicators over time: the period `from`–`to` (cut at today) split into months, tertials
//! (January–April, May–August, September–December) or years, each part computed exactly as
//! the report of that part alone would be — suppression included — and given as one series
//! per indicator and place.

use std::collections::{BTreeMap, BTreeSet};

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::history::{histories, History};
use super::indicators::{count_into, publish, Counts, Level, Report, Suppression, Waits};
use super::model::Event;

/// How a period is split.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// Calendar months.
    Month,
    /// Tertials: January–April, May–August, September–December.
    Tertial,
    /// Calendar years.
    Year,
}

impl Step {
    /// Every step, as the contract names them.
    pub const ALL: [Step; 3] = [Step::Month, Step::Tertial, Step::Year];

    /// The contract name.
    pub fn as_str(self) -> &'static str {
        match self {
            Step::Month => "month",
            Step::Tertial => "tertial",
            Step::Year => "year",
        }
    }

    /// The step named `s`.
    pub fn parse(s: &str) -> Option<Step> {
        Step::ALL.into_iter().find(|v| v.as_str() == s)
    }

    /// The first day of the part that holds `d`.
    fn start_of(self, d: Date) -> Date {
        let month = match self {
            Step::Month => d.month(),
            Step::Tertial => (d.month() - 1) / 4 * 4 + 1,
            Step::Year => 1,
        };
        Date::new(d.year(), month, 1).unwrap_or(d)
    }

    /// The first day of the next part after the one starting on `start`.
    fn next(self, start: Date) -> Option<Date> {
        let months = match self {
            Step::Month => 1,
            Step::Tertial => 4,
            Step::Year => 12,
        };
        start.checked_add(jiff::Span::new().months(months)).ok()
    }
}

/// One part of the period (both days included).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Period {
    /// First day.
    pub from: Date,
    /// Last day.
    pub to: Date,
}

/// `from`–`to` split by `step`: whole months, tertials or years, the first and the last cut at
/// `from` and `to`. Empty when `from` is after `to`.
pub fn periods(from: Date, to: Date, step: Step) -> Vec<Period> {
    let mut out = Vec::new();
    let mut start = step.start_of(from);
    while start <= to {
        let Some(next) = step.next(start) else {
            break;
        };
        let end = next.yesterday().unwrap_or(next).min(to);
        out.push(Period {
            from: start.max(from),
            to: end,
        });
        start = next;
    }
    out
}

/// One point of a series: an indicator at one place in one part of the period. A part with
/// nothing measured is 0 / 0 with no share.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Point {
    /// First day of the part.
    pub from: Date,
    /// Last day of the part.
    pub to: Date,
    /// Numerator (null when suppressed).
    pub numerator: Option<u64>,
    /// Denominator (null when suppressed).
    pub denominator: Option<u64>,
    /// numerator / denominator (null when suppressed or nothing measured).
    pub share: Option<f64>,
    /// True when hidden (as in the report of the part alone).
    pub suppressed: bool,
}

/// One indicator at one place over the parts of the period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Series {
    /// Indicator id.
    pub id: &'static str,
    /// Level.
    pub level: Level,
    /// Unit, HF or RHF name, or `Norge`.
    pub key: String,
    /// One point per part, in order.
    pub points: Vec<Point>,
}

/// The indicators of a period as series.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Trends {
    /// How the period is split.
    pub by: Step,
    /// The parts, in order.
    pub periods: Vec<Period>,
    /// One series per indicator and place with a measure in some part, sorted by indicator,
    /// level and key.
    pub series: Vec<Series>,
}

/// The reports of each part of `from`–`to` (cut at `today`), split by `step`: each equal to
/// [`super::indicators::report`] of the part alone. One pass over the pathways: each pathway
/// is measured only in the parts it has an event or a deadline in, on its history up to the
/// part's end.
pub fn reports(events: &[Event], from: Date, to: Date, today: Date, step: Step) -> Vec<Report> {
    let parts = periods(from, to.min(today), step);
    let Some(last) = parts.last() else {
        return Vec::new();
    };
    let hs = histories(events, last.to);
    let mut acc: Vec<(Counts<'_>, Waits<'_>)> = parts
        .iter()
        .map(|_| (BTreeMap::new(), BTreeMap::new()))
        .collect();
    let part_of = |d: Date| {
        let i = parts.partition_point(|p| p.to < d);
        (i < parts.len() && parts[i].from <= d).then_some(i)
    };
    let mut buf = Vec::new();
    for h in &hs {
        let touched: BTreeSet<usize> = h
            .events
            .iter()
            .flat_map(|e| [Some(e.date), e.deadline])
            .flatten()
            .filter_map(part_of)
            .collect();
        for i in touched {
            let p = parts[i];
            let n = h.events.partition_point(|e| e.date <= p.to);
            let cut = History {
                id: h.id,
                events: h.events[..n].to_vec(),
            };
            let (cells, waits) = &mut acc[i];
            count_into(&cut, p.from, p.to, &mut buf, cells, waits);
        }
    }
    parts
        .iter()
        .zip(&acc)
        .map(|(p, (cells, waits))| publish(p.from, p.to, cells, waits, Suppression::Complementary))
        .collect()
}

/// The indicators of `from`–`to` (cut at `today`) as series split by `step`.
pub fn trends(events: &[Event], from: Date, to: Date, today: Date, step: Step) -> Trends {
    let reports = reports(events, from, to, today, step);
    series_of(&reports, step)
}

/// The series of the parts' reports (already filtered, if need be, to what a reader may see).
pub fn series_of(reports: &[Report], step: Step) -> Trends {
    let periods: Vec<Period> = reports
        .iter()
        .map(|r| Period {
            from: r.from,
            to: r.to,
        })
        .collect();
    let mut series: BTreeMap<(&'static str, Level, String), Vec<Point>> = BTreeMap::new();
    for r in reports {
        for row in &r.indicators {
            series
                .entry((row.id, row.level, row.key.clone()))
                .or_default();
        }
    }
    for (i, r) in reports.iter().enumerate() {
        for row in &r.indicators {
            if let Some(points) = series.get_mut(&(row.id, row.level, row.key.clone())) {
                points.push(Point {
                    from: r.from,
                    to: r.to,
                    numerator: row.numerator,
                    denominator: row.denominator,
                    share: row.share,
                    suppressed: row.suppressed,
                });
            }
        }
        // Parts where a series had nothing measured: 0 / 0.
        for points in series.values_mut() {
            if points.len() == i {
                points.push(Point {
                    from: r.from,
                    to: r.to,
                    numerator: Some(0),
                    denominator: Some(0),
                    share: None,
                    suppressed: false,
                });
            }
        }
    }
    Trends {
        by: step,
        periods,
        series: series
            .into_iter()
            .map(|((id, level, key), points)| Series {
                id,
                level,
                key,
                points,
            })
            .collect(),
    }
}
