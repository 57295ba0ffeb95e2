//! The coordinator's worklist: what needs doing now across the plans a coordinator sees.
//!
//! - evaluations due within [`DUE_DAYS`] days, or past due;
//! - stale plans: not closed, and no evaluation in the last [`STALE_MONTHS`] months (counted
//!   from the plan's creation when it has none yet);
//! - meetings held with no minutes;
//! - consents in force that end within [`EXPIRY_DAYS`] days.

use jiff::civil::Date;
use jiff::ToSpan;
use serde::Serialize;

/// An evaluation this many days ahead is due.
pub const DUE_DAYS: i64 = 14;
/// A plan without an evaluation for this many months is stale.
pub const STALE_MONTHS: i64 = 6;
/// A consent ending within this many days is expiring.
pub const EXPIRY_DAYS: i64 = 30;

/// A measure's next evaluation: its latest evaluation's next date, or its own evaluation date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeasureDue {
    pub plan: i64,
    pub measure: i64,
    pub due: Date,
}

/// A plan as the worklist needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanFacts {
    pub plan: i64,
    pub created: Date,
    pub closed: bool,
    pub last_evaluation: Option<Date>,
}

/// A meeting as the worklist needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeetingFacts {
    pub plan: i64,
    pub meeting: i64,
    pub held_on: Date,
    pub has_minutes: bool,
}

/// A consent in force as the worklist needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentFacts {
    pub consent: i64,
    pub until: Date,
}

/// What an item asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    EvaluationOverdue,
    EvaluationDue,
    StalePlan,
    MinutesMissing,
    ConsentExpiring,
}

impl ItemKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ItemKind::EvaluationOverdue => "evaluation_overdue",
            ItemKind::EvaluationDue => "evaluation_due",
            ItemKind::StalePlan => "stale_plan",
            ItemKind::MinutesMissing => "minutes_missing",
            ItemKind::ConsentExpiring => "consent_expiring",
        }
    }
}

/// One thing to do: its kind, the record (a measure, a plan, a meeting, a consent), the plan
/// it belongs to (none for a consent) and the date that puts it here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Item {
    pub kind: ItemKind,
    pub record: i64,
    pub plan: Option<i64>,
    pub date: Date,
}

/// The worklist on `today`, by kind and then by date.
pub fn worklist(
    today: Date,
    measures: &[MeasureDue],
    plans: &[PlanFacts],
    meetings: &[MeetingFacts],
    consents: &[ConsentFacts],
) -> Vec<Item> {
    let mut out = Vec::new();
    let horizon = today.saturating_add(DUE_DAYS.days());
    let closed: Vec<i64> = plans.iter().filter(|p| p.closed).map(|p| p.plan).collect();
    for m in measures.iter().filter(|m| !closed.contains(&m.plan)) {
        let kind = if m.due < today {
            ItemKind::EvaluationOverdue
        } else if m.due <= horizon {
            ItemKind::EvaluationDue
        } else {
            continue;
        };
        out.push(Item {
            kind,
            record: m.measure,
            plan: Some(m.plan),
            date: m.due,
        });
    }
    let stale_before = today.saturating_sub(STALE_MONTHS.months());
    for p in plans.iter().filter(|p| !p.closed) {
        let last = p.last_evaluation.unwrap_or(p.created);
        if last < stale_before {
            out.push(Item {
                kind: ItemKind::StalePlan,
                record: p.plan,
                plan: Some(p.plan),
                date: last,
            });
        }
    }
    for m in meetings.iter().filter(|m| !m.has_minutes) {
        out.push(Item {
            kind: ItemKind::MinutesMissing,
            record: m.meeting,
            plan: Some(m.plan),
            date: m.held_on,
        });
    }
    let expiry = today.saturating_add(EXPIRY_DAYS.days());
    for c in consents
        .iter()
        .filter(|c| c.until >= today && c.until <= expiry)
    {
        out.push(Item {
            kind: ItemKind::ConsentExpiring,
            record: c.consent,
            plan: None,
            date: c.until,
        });
    }
    out.sort_by_key(|i| (i.kind, i.date, i.record));
    out
}
