//! Corrections: a wrongly registered event is corrected by a correction event, never edited
//! away. The log keeps both; the effective history used by the worklist and the indicators is
//! the log with each corrected event withdrawn and its replacement (if any) in its place.

use jiff::civil::Date;

use super::model::{Event, EventKind};
use super::rules::{validate, RowError};

/// Identifies a registered event. Within the valid events of a pathway an event kind occurs at
/// most once per day (the duplicate rule), so pathway, event and date name one event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventRef {
    /// The pathway.
    pub pathway_id: String,
    /// The event.
    pub kind: EventKind,
    /// Its date.
    pub date: Date,
}

impl EventRef {
    /// The reference of an event.
    pub fn of(e: &Event) -> EventRef {
        EventRef {
            pathway_id: e.pathway_id.to_string(),
            kind: e.kind,
            date: e.date,
        }
    }

    fn matches(&self, e: &Event) -> bool {
        e.kind == self.kind && e.date == self.date && *e.pathway_id == *self.pathway_id
    }
}

/// A correction event: withdraws one registered event and optionally replaces it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Correction {
    /// The event corrected.
    pub target: EventRef,
    /// What it should have been; `None` withdraws it.
    pub replacement: Option<Event>,
    /// Why (free text, required).
    pub reason: String,
    /// The day the correction was registered.
    pub registered: Date,
}

/// A correction that cannot be applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CorrectionError {
    /// No event matches the target (it may already have been corrected).
    #[error("correction target not found: {} on {} in pathway {}", .0.kind, .0.date, .0.pathway_id)]
    NotFound(EventRef),
    /// The replacement belongs to another pathway.
    #[error("a correction may not move an event to another pathway ({0})")]
    OtherPathway(String),
    /// No reason given.
    #[error("a correction needs a reason")]
    NoReason,
    /// The corrected history breaks an order rule.
    #[error("the corrected history breaks a rule: {0}")]
    Breaks(RowError),
}

/// The effective events: the log with the corrections applied in order, then checked against
/// the order rules (as of `today`), so a correction can never leave an invalid pathway behind.
pub fn effective_events(
    log: &[Event],
    corrections: &[Correction],
    today: Date,
) -> Result<Vec<Event>, CorrectionError> {
    let mut events: Vec<Event> = log.to_vec();
    for c in corrections {
        if c.reason.trim().is_empty() {
            return Err(CorrectionError::NoReason);
        }
        let pos = events
            .iter()
            .position(|e| c.target.matches(e))
            .ok_or_else(|| CorrectionError::NotFound(c.target.clone()))?;
        match &c.replacement {
            Some(r) if *r.pathway_id != *c.target.pathway_id => {
                return Err(CorrectionError::OtherPathway(r.pathway_id.to_string()));
            }
            Some(r) => events[pos] = r.clone(),
            None => {
                events.remove(pos);
            }
        }
    }
    let (valid, errors) = validate(events, today);
    match errors.into_iter().next() {
        Some(e) => Err(CorrectionError::Breaks(e)),
        None => Ok(valid),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use crate::pathways::model::{CareLevel, DecisionCode, Outcome};
    use crate::pathways::rules::Rule;
    use jiff::civil::date;

    fn ev(kind: EventKind, d: Date) -> Event {
        Event::new("P1", "U", CareLevel::Outpatient, kind, d)
    }

    fn log() -> Vec<Event> {
        vec![
            ev(EventKind::ReferralReceived, date(2025, 1, 2)),
            ev(EventKind::FirstAttendance, date(2025, 1, 20)),
            ev(EventKind::ClinicalDecision, date(2025, 2, 3))
                .with_outcome(Outcome::Decision(DecisionCode::CT)),
            ev(EventKind::Evaluation, date(2025, 2, 10)),
        ]
    }

    fn fix(target: &Event, replacement: Option<Event>) -> Correction {
        Correction {
            target: EventRef::of(target),
            replacement,
            reason: "registered on the wrong date".into(),
            registered: date(2025, 3, 1),
        }
    }

    #[test]
    fn a_correction_replaces_and_the_log_is_kept() {
        let log = log();
        let c = fix(
            &log[1],
            Some(ev(EventKind::FirstAttendance, date(2025, 1, 22))),
        );
        let eff = effective_events(&log, &[c], date(2025, 3, 1)).unwrap();
        assert!(eff
            .iter()
            .any(|e| e.kind == EventKind::FirstAttendance && e.date == date(2025, 1, 22)));
        assert!(!eff.iter().any(|e| e.date == date(2025, 1, 20)));
        // The log itself is untouched.
        assert_eq!(log[1].date, date(2025, 1, 20));
    }

    #[test]
    fn a_correction_may_withdraw_and_the_result_must_obey_the_rules() {
        let log = log();
        let withdraw_eval = fix(&log[3], None);
        let eff = effective_events(&log, &[withdraw_eval], date(2025, 3, 1)).unwrap();
        assert_eq!(eff.len(), 3);
        // Withdrawing the decision would leave an evaluation before any decision.
        let withdraw_decision = fix(&log[2], None);
        let err = effective_events(&log, &[withdraw_decision], date(2025, 3, 1)).unwrap_err();
        assert!(matches!(
            err,
            CorrectionError::Breaks(RowError {
                rule: Rule::EvaluationBeforeDecision(_),
                ..
            })
        ));
    }

    #[test]
    fn a_correction_names_an_existing_event_with_a_reason() {
        let log = log();
        let mut c = fix(&log[3], None);
        c.target.date = date(2025, 2, 11);
        assert!(matches!(
            effective_events(&log, &[c], date(2025, 3, 1)),
            Err(CorrectionError::NotFound(_))
        ));
        let mut c = fix(&log[3], None);
        c.reason = " ".into();
        assert_eq!(
            effective_events(&log, &[c], date(2025, 3, 1)),
            Err(CorrectionError::NoReason)
        );
        let other = Event::new(
            "P2",
            "U",
            CareLevel::Outpatient,
            EventKind::Evaluation,
            date(2025, 2, 10),
        );
        let c = fix(&log[3], Some(other));
        assert!(matches!(
            effective_events(&log, &[c], date(2025, 3, 1)),
            Err(CorrectionError::OtherPathway(_))
        ));
        // The same event cannot be corrected twice: the second finds nothing.
        let c1 = fix(&log[3], None);
        let c2 = fix(&log[3], None);
        assert!(matches!(
            effective_events(&log, &[c1, c2], date(2025, 3, 1)),
            Err(CorrectionError::NotFound(_))
        ));
    }
}
