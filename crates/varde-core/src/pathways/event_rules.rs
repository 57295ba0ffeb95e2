//! The rules one event must keep against its pathway, each a named function: the order rules
//! ([`super::rules::validate`] calls them for every row of a file, an import and a new event)
//! and the rule of a closed pathway ([`closed_pathway`], checked against the registered events
//! by [`super::rules::check_new`] and [`super::import::plan`]).
//!
//! Each function returns the [`Rule`] the event breaks, or `None`. They read only the event
//! and what the caller knows of its pathway, so a rule reads the same wherever it is checked:
//! the page, the API and an import give the same message.

use jiff::civil::Date;

use super::model::{Event, EventKind};
use super::rules::Rule;

/// No event dated after today (the day in Europe/Oslo, taken by the caller).
pub fn future_date(e: &Event, today: Date) -> Option<Rule> {
    (e.date > today).then_some(Rule::DateInFuture {
        date: e.date,
        today,
    })
}

/// No event dated before the pathway's referral was received (`referral`: the date of its
/// `referral_received`, when it has one).
pub fn before_referral(e: &Event, referral: Option<Date>) -> Option<Rule> {
    let referral = referral?;
    (e.date < referral).then_some(Rule::DateBeforeReferral {
        date: e.date,
        referral,
    })
}

/// No legal deadline before the referral was received.
pub fn deadline_before_referral(e: &Event, referral: Option<Date>) -> Option<Rule> {
    let (referral, deadline) = (referral?, e.deadline?);
    (e.kind == EventKind::ReferralAssessed && deadline < referral)
        .then_some(Rule::DeadlineBeforeReferral { deadline, referral })
}

/// An assessment that gives the right to necessary health care carries its legal deadline
/// (juridisk frist, pasient- og brukerrettighetsloven § 2-2): without one, neither the worklist
/// nor the fristbrudd indicator can follow the patient.
pub fn right_without_deadline(e: &Event) -> Option<Rule> {
    (e.gives_right() && e.deadline.is_none()).then_some(Rule::RightWithoutDeadline(e.date))
}

/// A legal deadline is not before the assessment that sets it.
pub fn deadline_before_assessment(e: &Event) -> Option<Rule> {
    let deadline = e.deadline?;
    (e.kind == EventKind::ReferralAssessed && deadline < e.date).then_some(
        Rule::DeadlineBeforeAssessment {
            deadline,
            assessed: e.date,
        },
    )
}

/// A pathway has one first attendance (`first`: the date of the one kept, if any).
pub fn second_first_attendance(e: &Event, first: Option<Date>) -> Option<Rule> {
    let first = first?;
    (e.kind == EventKind::FirstAttendance).then_some(Rule::SecondFirstAttendance {
        date: e.date,
        first,
    })
}

/// No first attendance before the referral was assessed (`assessed`: the date of the
/// pathway's `referral_assessed`, when it has one). A pathway with no assessment yet (an
/// emergency admission, assessed afterwards) may register its attendance; the assessment must
/// then not be dated after it.
pub fn attendance_before_assessment(e: &Event, assessed: Option<Date>) -> Option<Rule> {
    let assessed = assessed?;
    (e.kind == EventKind::FirstAttendance && e.date < assessed).then_some(
        Rule::AttendanceBeforeAssessment {
            date: e.date,
            assessed,
        },
    )
}

/// No evaluation before the pathway's first clinical decision (`decisions`: those kept so far).
pub fn evaluation_before_decision(e: &Event, decisions: u32) -> Option<Rule> {
    (e.kind == EventKind::Evaluation && decisions == 0)
        .then_some(Rule::EvaluationBeforeDecision(e.date))
}

/// At most two clinical decisions per pathway.
pub fn too_many_decisions(e: &Event, decisions: u32) -> Option<Rule> {
    (e.kind == EventKind::ClinicalDecision && decisions >= 2)
        .then_some(Rule::TooManyDecisions(e.date))
}

/// Nothing dated after the pathway's end (`end`), except the registrations
/// (`treatment_plan_involvement`, `feedback_tool_used`) that a file may hold after the end
/// (they then do not count for their indicator).
pub fn after_end(e: &Event, end: Option<Date>) -> Option<Rule> {
    let end = end?;
    (e.date > end && !e.kind.is_registration()).then_some(Rule::AfterEnd {
        event: e.kind,
        date: e.date,
        end,
    })
}

/// A closed pathway takes no new event, whatever its kind or date: once its `pathway_end` is
/// registered (`registered_end`, see [`registered_end`]), what is wrong with it is put right
/// by a correction, which withdraws or replaces a registered event.
///
/// The national code list (`data/pathways/codes.csv`, after Helsedirektoratet's
/// «Kodeveileder») has no code for reopening (gjenåpning) a pathway: a patient who comes back
/// is referred again and gets a new pathway, so no event is let through here.
pub fn closed_pathway(new: &Event, registered_end: Option<Date>) -> Option<Rule> {
    Some(Rule::PathwayClosed {
        event: new.kind,
        end: registered_end?,
    })
}

/// The registered end of pathway `pathway_id` among `registered` (effective registered
/// events), if it has one.
pub fn registered_end(registered: &[Event], pathway_id: &str) -> Option<Date> {
    registered
        .iter()
        .filter(|e| *e.pathway_id == *pathway_id && e.kind == EventKind::PathwayEnd)
        .map(|e| e.date)
        .min()
}
