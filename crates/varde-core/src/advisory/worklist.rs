//! The unit's worklist on a day: meetings today and in the rest of the week, conditions
//! nearing their deadline without the required meetings, non-attendance needing outreach, and
//! reports due.

use jiff::civil::Date;
use jiff::Timestamp;
use serde::Serialize;

use super::case::{Case, OutreachMinimum};
use crate::calendar::{add_days, day_in_oslo};

/// A condition shows as nearing its deadline this many days before its period ends.
pub const NEARING_DAYS: i64 = 14;

/// A meeting on the worklist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DueMeeting {
    pub case: i64,
    pub meeting: u32,
    pub planned_at: Timestamp,
    pub place: String,
}

/// A case on the worklist, with the day that puts it there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DueCase {
    pub case: i64,
    pub day: Date,
}

/// What the unit has to do.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Worklist {
    /// Meetings planned today, attendance not yet recorded.
    pub today: Vec<DueMeeting>,
    /// Meetings planned after today up to Sunday of this ISO week.
    pub this_week: Vec<DueMeeting>,
    /// Open conditions whose period ends within [`NEARING_DAYS`] (or has ended) without the
    /// required meetings attended, and no report sent; the day is the period's end.
    pub nearing_deadline: Vec<DueCase>,
    /// Open cases with a missed meeting and less than the unit's minimum outreach; the day is
    /// the first missed meeting's.
    pub outreach_needed: Vec<DueCase>,
    /// Open conditions whose period has ended and whose report is not sent; the day is the
    /// period's end.
    pub reports_due: Vec<DueCase>,
}

/// The worklist of `cases` on `today`.
pub fn worklist(cases: &[(i64, Case)], today: Date, min: OutreachMinimum) -> Worklist {
    let sunday = add_days(today, 7 - i64::from(today.weekday().to_monday_one_offset()));
    let mut w = Worklist::default();
    for (id, case) in cases {
        if case.closed.is_some() {
            continue;
        }
        for m in case.meetings.iter().filter(|m| m.status.is_none()) {
            let day = day_in_oslo(m.planned_at);
            let due = DueMeeting {
                case: *id,
                meeting: m.number,
                planned_at: m.planned_at,
                place: m.place.clone(),
            };
            if day == today {
                w.today.push(due);
            } else if day > today && day <= sunday {
                w.this_week.push(due);
            }
        }
        if let Some(d) = &case.opening.decision {
            let unreported = case.report_sent.is_none();
            if unreported
                && case.meetings_attended() < u32::from(d.meetings_required)
                && add_days(today, NEARING_DAYS) >= d.period_end
            {
                w.nearing_deadline.push(DueCase {
                    case: *id,
                    day: d.period_end,
                });
            }
            if unreported && today > d.period_end {
                w.reports_due.push(DueCase {
                    case: *id,
                    day: d.period_end,
                });
            }
        }
        if let Some(first) = case.missed().next() {
            if !case.outreach_done(min) {
                w.outreach_needed.push(DueCase {
                    case: *id,
                    day: day_in_oslo(first.planned_at),
                });
            }
        }
    }
    w.today.sort_by_key(|m| m.planned_at);
    w.this_week.sort_by_key(|m| m.planned_at);
    w.nearing_deadline.sort_by_key(|c| c.day);
    w.reports_due.sort_by_key(|c| c.day);
    w.outreach_needed.sort_by_key(|c| c.day);
    w
}

/// A closed case shows on the worklist as due for erasure this many days before its erasure day
/// (and stays there if the job is late).
pub const ERASURE_NOTICE_DAYS: i64 = 30;

/// Closed cases of `cases` whose personal data is erased under `retention` within
/// [`ERASURE_NOTICE_DAYS`] of `today` (or already due): the day is the erasure day. The unit
/// sees what is about to go (a case it must keep longer needs its retention set before then).
pub fn erasures_due(
    cases: &[(i64, Case)],
    retention: super::erasure::Retention,
    today: Date,
) -> Vec<DueCase> {
    let horizon = add_days(today, ERASURE_NOTICE_DAYS);
    let mut out: Vec<DueCase> = cases
        .iter()
        .filter_map(|(id, case)| {
            let (closed_on, _) = case.closed?;
            let day = retention.erase_on(closed_on);
            (day <= horizon).then_some(DueCase { case: *id, day })
        })
        .collect();
    out.sort_by_key(|c| (c.day, c.case));
    out
}
