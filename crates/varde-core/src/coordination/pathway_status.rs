//! What a consent of scope `pathway_status` opens to another organisation (issue 16, section
//! 1): where the person stands in each pathway a TSB unit holds — when the referral came, the
//! last step reached and its day, whether the pathway has ended, and the next measurement point
//! with its due date and urgency. Nothing of the clinical content: no diagnosis, no assessment
//! or decision outcome, no end reason, no registrations about the pathway (involvement,
//! feedback tool), and not the unit's own pathway id.

use jiff::civil::Date;
use serde::Serialize;

use crate::pathways::history::histories;
use crate::pathways::model::{Event, EventKind};
use crate::pathways::worklist::{next_point, Status};

/// One pathway's status, as shared.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PathwayStatus {
    /// The unit of the pathway's latest step.
    pub unit: String,
    /// The day the referral was received, when recorded.
    pub received: Option<Date>,
    /// The last step reached (an event name: never `diagnosis`, `treatment_plan_involvement`
    /// or `feedback_tool_used`).
    pub step: EventKind,
    pub step_date: Date,
    /// The day the pathway ended, when it has.
    pub ended: Option<Date>,
    /// The next measurement point of an open pathway, its due date and urgency.
    pub next: Option<EventKind>,
    pub due: Option<Date>,
    pub urgency: Option<Status>,
}

/// Whether an event kind is a step a status may name.
fn is_step(kind: EventKind) -> bool {
    !kind.is_registration() && kind != EventKind::Diagnosis
}

/// The status on `today` of every pathway among `events` (one person's, of one organisation),
/// newest referral first (ties by the last step's day).
pub fn statuses(events: &[Event], today: Date) -> Vec<PathwayStatus> {
    let mut out: Vec<PathwayStatus> = histories(events, today)
        .iter()
        .filter_map(|h| {
            let last = h.events.iter().rev().find(|e| is_step(e.kind))?;
            let next = next_point(h);
            Some(PathwayStatus {
                unit: last.unit.to_string(),
                received: h.first(EventKind::ReferralReceived).map(|e| e.date),
                step: last.kind,
                step_date: last.date,
                ended: h.first(EventKind::PathwayEnd).map(|e| e.date),
                next: next.map(|(k, _)| k),
                due: next.map(|(_, d)| d),
                urgency: next.map(|(_, d)| Status::of(d, today)),
            })
        })
        .collect();
    out.sort_by_key(|s| std::cmp::Reverse((s.received, s.step_date)));
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use jiff::civil::date;

    use super::*;
    use crate::pathways::model::{CareLevel, Outcome};

    fn ev(id: &str, kind: EventKind, d: Date) -> Event {
        Event::new(id, "Rusklinikken", CareLevel::Outpatient, kind, d)
    }

    #[test]
    fn an_open_pathway_shows_its_last_step_and_next_point_without_clinical_content() {
        let events = vec![
            ev("p1", EventKind::ReferralReceived, date(2026, 10, 1)),
            ev("p1", EventKind::ReferralAssessed, date(2026, 10, 5))
                .with_outcome(Outcome::Right)
                .with_deadline(date(2026, 11, 30)),
            ev("p1", EventKind::FirstAttendance, date(2026, 10, 20)),
            ev("p1", EventKind::Diagnosis, date(2026, 10, 21))
                .with_outcome(Outcome::Diagnosis("F11.2".into())),
            ev("p1", EventKind::FeedbackToolUsed, date(2026, 10, 22)),
        ];
        let s = statuses(&events, date(2026, 11, 24));
        assert_eq!(s.len(), 1);
        let s = &s[0];
        assert_eq!(
            s.step,
            EventKind::FirstAttendance,
            "diagnosis and registrations are not steps"
        );
        assert_eq!(s.step_date, date(2026, 10, 20));
        assert_eq!(s.received, Some(date(2026, 10, 1)));
        assert_eq!(s.ended, None);
        assert_eq!(s.next, Some(EventKind::ClinicalDecision));
        assert!(s.due.is_some());
        let json = serde_json::to_string(s).unwrap();
        assert!(!json.contains("F11"), "no diagnosis: {json}");
        assert!(!json.contains("p1"), "not the unit's pathway id: {json}");
    }

    #[test]
    fn an_ended_pathway_has_no_next_point_and_the_newest_referral_comes_first() {
        let events = vec![
            ev("a", EventKind::ReferralReceived, date(2025, 1, 10)),
            ev("a", EventKind::PathwayEnd, date(2025, 6, 1))
                .with_outcome(Outcome::EndReason("completed".into())),
            ev("b", EventKind::ReferralReceived, date(2026, 11, 1)),
        ];
        let s = statuses(&events, date(2026, 11, 24));
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].received, Some(date(2026, 11, 1)));
        assert_eq!(s[1].ended, Some(date(2025, 6, 1)));
        assert_eq!(s[1].step, EventKind::PathwayEnd);
        assert_eq!(s[1].next, None);
        assert_eq!(s[1].urgency, None);
    }

    #[test]
    fn events_after_today_are_not_shown() {
        let events = vec![ev("a", EventKind::ReferralReceived, date(2026, 12, 1))];
        assert!(statuses(&events, date(2026, 11, 24)).is_empty());
    }
}
