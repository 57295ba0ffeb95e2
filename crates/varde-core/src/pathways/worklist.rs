//! The worklist: for every open pathway, its next measurement point, due date and status
//! (`definitions.md`, "Worklist").

use jiff::civil::Date;
use serde::Serialize;

use super::history::{histories, History};
use super::limits::{limit_days, Interval};
use super::model::{CareLevel, EventKind};
use crate::calendar::{add_days, days_between};

/// How urgent a measurement point is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Due before the as-of date.
    Overdue,
    /// Due from the as-of date to 3 days after it.
    DueSoon,
    /// Due later.
    OnTime,
}

impl Status {
    /// The contract name.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Overdue => "overdue",
            Status::DueSoon => "due_soon",
            Status::OnTime => "on_time",
        }
    }

    /// The status of a point due on `due`, seen on `as_of`.
    pub fn of(due: Date, as_of: Date) -> Status {
        let d = days_between(as_of, due);
        if d < 0 {
            Status::Overdue
        } else if d <= 3 {
            Status::DueSoon
        } else {
            Status::OnTime
        }
    }
}

/// One row of the worklist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WorkItem {
    /// The pathway.
    pub pathway_id: String,
    /// The unit of the pathway's latest row.
    pub unit: String,
    /// The HF of the pathway's latest row.
    #[serde(skip)]
    pub hf: String,
    /// The RHF of the pathway's latest row.
    #[serde(skip)]
    pub rhf: String,
    /// The care level of the pathway's latest row.
    #[serde(skip)]
    pub care_level: CareLevel,
    /// The next measurement point (an event name).
    pub next: EventKind,
    /// Its due date.
    pub due: Date,
    /// Its status.
    pub status: Status,
}

/// The next measurement point of one pathway history (already cut at `as_of`), or `None` when
/// the pathway is not open or has no next point.
pub fn next_point(h: &History<'_>) -> Option<(EventKind, Date)> {
    let latest = h.latest()?;
    let open = h.events.iter().any(|e| {
        e.gives_right()
            || !matches!(
                e.kind,
                EventKind::ReferralReceived | EventKind::ReferralAssessed
            )
    });
    if !open || h.first(EventKind::PathwayEnd).is_some() {
        return None;
    }
    let level = latest.care_level;
    let variant = h.variant();
    let limit = |i| i64::from(limit_days(variant, i, level));
    let Some(first_attendance) = h.first(EventKind::FirstAttendance) else {
        return Some((EventKind::FirstAttendance, h.legal_deadline()?));
    };
    if let Some(detox) = h.last(EventKind::DetoxEnd) {
        let treated = h
            .all(EventKind::TreatmentStart)
            .any(|t| t.date >= detox.date);
        if !treated {
            return Some((
                EventKind::TreatmentStart,
                add_days(detox.date, limit(Interval::DetoxEndToTreatmentStart)),
            ));
        }
    }
    let Some(decision) = h.last(EventKind::ClinicalDecision) else {
        return Some((
            EventKind::ClinicalDecision,
            add_days(
                first_attendance.date,
                limit(Interval::FirstAttendanceToClinicalDecision),
            ),
        ));
    };
    match h.last(EventKind::Evaluation) {
        Some(ev) if ev.date >= decision.date => Some((
            EventKind::Evaluation,
            add_days(ev.date, limit(Interval::BetweenEvaluations)),
        )),
        _ => Some((
            EventKind::Evaluation,
            add_days(
                decision.date,
                limit(Interval::ClinicalDecisionToFirstEvaluation),
            ),
        )),
    }
}

/// The worklist on `as_of` for every open pathway that has a next measurement point, sorted by
/// urgency: due date, then pathway.
pub fn worklist(events: &[super::model::Event], as_of: Date) -> Vec<WorkItem> {
    let mut out: Vec<WorkItem> = histories(events, as_of)
        .iter()
        .filter_map(|h| {
            let (next, due) = next_point(h)?;
            let latest = h.latest()?;
            Some(WorkItem {
                pathway_id: h.id.to_string(),
                unit: latest.unit.to_string(),
                hf: latest.hf.to_string(),
                rhf: latest.rhf.to_string(),
                care_level: latest.care_level,
                next,
                due,
                status: Status::of(due, as_of),
            })
        })
        .collect();
    out.sort_by(|a, b| (a.due, &a.pathway_id).cmp(&(b.due, &b.pathway_id)));
    out
}

/// Counts per status: (overdue, due_soon, on_time).
pub fn status_counts(items: &[WorkItem]) -> (usize, usize, usize) {
    items.iter().fold((0, 0, 0), |(o, d, t), i| match i.status {
        Status::Overdue => (o + 1, d, t),
        Status::DueSoon => (o, d + 1, t),
        Status::OnTime => (o, d, t + 1),
    })
}

/// The worklist of one unit (the unit of each pathway's latest row), most urgent first, with
/// its counts per status (overdue, due_soon, on_time).
pub fn unit_worklist(
    events: &[super::model::Event],
    unit: &str,
    as_of: Date,
) -> (Vec<WorkItem>, (usize, usize, usize)) {
    let items: Vec<WorkItem> = worklist(events, as_of)
        .into_iter()
        .filter(|i| i.unit == unit)
        .collect();
    let counts = status_counts(&items);
    (items, counts)
}

/// The last day a referral received on `received` may be assessed: the 10th working day after
/// it (pasient- og brukerrettighetsloven § 2-2; the receipt day is day 0).
pub fn assessment_deadline(received: Date) -> Date {
    crate::calendar::add_working_days(received, 10)
}

/// A referral waiting for assessment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unassessed {
    /// The pathway.
    pub pathway_id: String,
    /// The unit that received the referral.
    pub unit: String,
    /// Date received.
    pub received: Date,
    /// Last day for the assessment (10 working days).
    pub assess_by: Date,
    /// True when that day has passed.
    pub overdue: bool,
}

/// Referrals received on or before `as_of` and not yet assessed, oldest first.
pub fn unassessed(events: &[super::model::Event], as_of: Date) -> Vec<Unassessed> {
    let mut out: Vec<Unassessed> = histories(events, as_of)
        .iter()
        .filter(|h| h.first(EventKind::ReferralAssessed).is_none())
        .filter_map(|h| {
            let r = h.first(EventKind::ReferralReceived)?;
            let assess_by = assessment_deadline(r.date);
            Some(Unassessed {
                pathway_id: h.id.to_string(),
                unit: r.unit.to_string(),
                received: r.date,
                assess_by,
                overdue: assess_by < as_of,
            })
        })
        .collect();
    out.sort_by(|a, b| (a.received, &a.pathway_id).cmp(&(b.received, &b.pathway_id)));
    out
}

/// A patient with a right waiting for the first attendance (the waiting list).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Waiting {
    /// The pathway.
    pub pathway_id: String,
    /// The unit of the pathway's latest row.
    pub unit: String,
    /// Date the referral was received, when known.
    pub received: Option<Date>,
    /// The legal deadline (juridisk frist), when set.
    pub deadline: Option<Date>,
    /// Days waited so far (from receipt), when the receipt is known.
    pub days_waiting: Option<i32>,
    /// Fristbrudd: the deadline has passed with no first attendance.
    pub fristbrudd: bool,
}

/// The waiting list on `as_of`: pathways with a right, not ended, with no first attendance yet,
/// missed deadlines (fristbrudd) flagged; longest waiting first.
pub fn waiting_list(events: &[super::model::Event], as_of: Date) -> Vec<Waiting> {
    let mut out: Vec<Waiting> = histories(events, as_of)
        .iter()
        .filter(|h| {
            h.events.iter().any(|e| e.gives_right())
                && h.first(EventKind::FirstAttendance).is_none()
                && h.first(EventKind::PathwayEnd).is_none()
        })
        .filter_map(|h| {
            let latest = h.latest()?;
            let deadline = h.legal_deadline();
            let received = h.receipt();
            Some(Waiting {
                pathway_id: h.id.to_string(),
                unit: latest.unit.to_string(),
                received,
                deadline,
                days_waiting: received.map(|r| days_between(r, as_of)),
                fristbrudd: deadline.is_some_and(|d| d < as_of),
            })
        })
        .collect();
    out.sort_by(|a, b| (a.received, &a.pathway_id).cmp(&(b.received, &b.pathway_id)));
    out
}
