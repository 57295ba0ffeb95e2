//! The rules an event row can break, and the order rules checked per pathway.

use jiff::civil::Date;

use super::event_rules::{
    after_end, attendance_before_assessment, before_referral, closed_pathway,
    deadline_before_assessment, deadline_before_referral, evaluation_before_decision, future_date,
    registered_end, right_without_deadline, second_first_attendance, too_many_decisions,
};
use super::fxhash::FxHashMap;
use super::model::{Event, EventKind, Outcome};

/// A rule broken by a row. Its `Display` is the text printed after `FILE:LINE: `.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Rule {
    /// The file has no header row.
    #[error("header required: the file is empty")]
    MissingHeader,
    /// A required column is missing from the header.
    #[error("header required: column `{0}` is missing")]
    MissingColumn(&'static str),
    /// The row is not valid CSV or not UTF-8.
    #[error("malformed row: {0}")]
    Malformed(String),
    /// A required field is empty.
    #[error("missing field: `{0}` is empty")]
    MissingField(&'static str),
    /// Unknown event name.
    #[error("unknown event `{0}`")]
    UnknownEvent(String),
    /// Unknown care level.
    #[error("unknown care_level `{0}` (outpatient or inpatient)")]
    UnknownCareLevel(String),
    /// Unknown pathway variant in the optional `pathway_variant` column.
    #[error("unknown pathway_variant `{0}` (standard or pregnant)")]
    UnknownVariant(String),
    /// A date that is not `YYYY-MM-DD`.
    #[error("invalid {field} `{value}` (expected YYYY-MM-DD)")]
    InvalidDate {
        /// `date` or `deadline`.
        field: &'static str,
        /// The value found.
        value: String,
    },
    /// An event that needs an outcome has none.
    #[error("missing outcome for {0}")]
    MissingOutcome(EventKind),
    /// An outcome that is not valid for the event.
    #[error("unknown outcome `{value}` for {event}")]
    UnknownOutcome {
        /// The event.
        event: EventKind,
        /// The value found.
        value: String,
    },
    /// A national code Varde does not know.
    #[error("unknown code `{0}`")]
    UnknownCode(String),
    /// A code that belongs to another event (or another decision than the outcome).
    #[error("code disagrees with its event: `{code}` on {event}")]
    CodeDisagrees {
        /// The code.
        code: String,
        /// The event.
        event: EventKind,
    },
    /// A date after `today`.
    #[error("date in the future: {date} is after today ({today})")]
    DateInFuture {
        /// The row's date.
        date: Date,
        /// The reference day.
        today: Date,
    },
    /// A date before the pathway's referral was received.
    #[error("date before the referral: {date} is before the referral received {referral}")]
    DateBeforeReferral {
        /// The row's date.
        date: Date,
        /// The referral date.
        referral: Date,
    },
    /// A legal deadline before the referral was received.
    #[error("deadline before the referral: {deadline} is before the referral received {referral}")]
    DeadlineBeforeReferral {
        /// The deadline.
        deadline: Date,
        /// The referral date.
        referral: Date,
    },
    /// An assessment giving the right to necessary health care with no legal deadline.
    #[error("a right needs its legal deadline: the assessment on {0} gives the right to necessary health care without one")]
    RightWithoutDeadline(Date),
    /// A legal deadline before the assessment that sets it.
    #[error("deadline before the assessment: {deadline} is before the assessment on {assessed}")]
    DeadlineBeforeAssessment {
        /// The deadline.
        deadline: Date,
        /// The assessment date.
        assessed: Date,
    },
    /// A second first attendance.
    #[error(
        "one first attendance per pathway: {date} would be a second, after the first on {first}"
    )]
    SecondFirstAttendance {
        /// The new attendance's date.
        date: Date,
        /// The date of the one registered.
        first: Date,
    },
    /// A first attendance dated before the referral was assessed.
    #[error("no attendance before the assessment: first attendance {date} is before the referral was assessed on {assessed}")]
    AttendanceBeforeAssessment {
        /// The attendance's date.
        date: Date,
        /// The assessment's date.
        assessed: Date,
    },
    /// A new event on a pathway whose end is registered.
    #[error("the pathway is closed: it ended on {end}, so {event} cannot be added; correct a registered event instead (the code list has no reopening)")]
    PathwayClosed {
        /// The event refused.
        event: EventKind,
        /// The registered end.
        end: Date,
    },
    /// An evaluation with no clinical decision on or before it.
    #[error("no evaluation before a clinical decision: evaluation {0} has no clinical decision on or before it")]
    EvaluationBeforeDecision(Date),
    /// A third clinical decision.
    #[error("at most two clinical decisions per pathway: a third on {0}")]
    TooManyDecisions(Date),
    /// An event after the pathway's end.
    #[error("nothing after the end: {event} on {date} is after the pathway end {end}")]
    AfterEnd {
        /// The event.
        event: EventKind,
        /// Its date.
        date: Date,
        /// The end date.
        end: Date,
    },
    /// A duplicate event.
    #[error("duplicate event: {event} on {date} ({})", first_seen(*.first_line))]
    Duplicate {
        /// The event.
        event: EventKind,
        /// Its date.
        date: Date,
        /// The line of the row kept; 0 for an event registered before (not in the file).
        first_line: u64,
    },
}

fn first_seen(line: u64) -> String {
    if line == 0 {
        "already registered".to_owned()
    } else {
        format!("first on line {line}")
    }
}

impl Rule {
    /// The field (CSV column, or `file` / `row` for the whole input or row) the rule is about:
    /// what an API error names.
    pub fn field(&self) -> &'static str {
        match self {
            Rule::MissingHeader | Rule::MissingColumn(_) => "file",
            Rule::Malformed(_) => "row",
            Rule::MissingField(field) => field,
            Rule::UnknownEvent(_)
            | Rule::EvaluationBeforeDecision(_)
            | Rule::TooManyDecisions(_)
            | Rule::AfterEnd { .. }
            | Rule::SecondFirstAttendance { .. }
            | Rule::PathwayClosed { .. }
            | Rule::Duplicate { .. } => "event",
            Rule::UnknownCareLevel(_) => "care_level",
            Rule::UnknownVariant(_) => "pathway_variant",
            Rule::InvalidDate { field, .. } => field,
            Rule::MissingOutcome(_) | Rule::UnknownOutcome { .. } => "outcome",
            Rule::UnknownCode(_) | Rule::CodeDisagrees { .. } => "code",
            Rule::DateInFuture { .. }
            | Rule::DateBeforeReferral { .. }
            | Rule::AttendanceBeforeAssessment { .. } => "date",
            Rule::DeadlineBeforeReferral { .. }
            | Rule::RightWithoutDeadline(_)
            | Rule::DeadlineBeforeAssessment { .. } => "deadline",
        }
    }
}

/// A rule broken by the row on `line` (header = line 1; 0 when not read from a file).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{line}: {rule}")]
pub struct RowError {
    /// The line.
    pub line: u64,
    /// The pathway, when known.
    pub pathway_id: Option<String>,
    /// The rule.
    pub rule: Rule,
}

/// Checks the order rules of every pathway and splits the events into the valid ones and the
/// rule breaches.
///
/// Each pathway's rows are taken in date order (same-day rows in the canonical event order of
/// [`EventKind::ALL`]); a row that breaks a rule is refused and is not part of the state that
/// later rows are checked against, so the valid rows are consistent on their own. Rules (each a
/// named function of [`super::event_rules`]): no date after `today`; no date before the referral
/// was received; no first attendance before the referral was assessed; no legal deadline before
/// the referral was received; a right to necessary health care carries its legal deadline, not
/// before the assessment; one first attendance; no evaluation before a clinical decision; at
/// most two clinical decisions; nothing after the end (except the registrations
/// `treatment_plan_involvement` and `feedback_tool_used`, which may be recorded after the end and
/// then simply do not count for their indicator); no duplicate event (the same event on the same
/// date, or a second `referral_received`, `referral_assessed` or `pathway_end`).
///
/// The valid events come back grouped by pathway (pathways in order of first appearance), each
/// pathway's rows in date order, which is the order the computations read them in; the errors
/// are sorted by line.
///
/// These are the rules of what is registered in Varde ([`Checks::Register`]). The file commands
/// (`varde pathways report|due`) check a file by the rules `definitions.md` gives it
/// ([`Checks::File`], [`validate_file`]).
pub fn validate(events: Vec<Event>, today: Date) -> (Vec<Event>, Vec<RowError>) {
    validate_with(events, today, Checks::Register)
}

/// Which rules a check applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Checks {
    /// Every rule: what is registered in Varde (a page, the API, an import, a correction).
    Register,
    /// The rules of the event CSV contract of `definitions.md` (the file commands): a right may
    /// come without its legal deadline (the worklist then skips the pathway), a pathway may
    /// have several first attendances (the first counts), and an attendance may precede the
    /// assessment. The rules that Varde adds for what it registers
    /// ([`super::event_rules::right_without_deadline`], `deadline_before_assessment`,
    /// `second_first_attendance`, `attendance_before_assessment`) are not applied.
    File,
}

/// [`validate`] by the rules of the event CSV contract ([`Checks::File`]).
pub fn validate_file(events: Vec<Event>, today: Date) -> (Vec<Event>, Vec<RowError>) {
    validate_with(events, today, Checks::File)
}

/// [`validate`] with the rules `checks` says.
pub fn validate_with(
    events: Vec<Event>,
    today: Date,
    checks: Checks,
) -> (Vec<Event>, Vec<RowError>) {
    let mut groups = group_by_pathway(&events);
    let mut refused = vec![false; events.len()];
    let mut errors = Vec::new();
    let mut keyed: Vec<(Date, EventKind, u64, usize)> = Vec::new();
    for idx in &mut groups {
        // Read each event's sort key once rather than at every comparison.
        keyed.clear();
        keyed.extend(idx.iter().map(|&i| {
            let e = &events[i];
            (e.date, e.kind, e.line, i)
        }));
        keyed.sort_unstable();
        idx.clear();
        idx.extend(keyed.iter().map(|k| k.3));
        check_pathway(&events, idx, today, checks, &mut refused, &mut errors);
    }
    errors.sort_by_key(|e: &RowError| e.line);
    let mut slots: Vec<Option<Event>> = events.into_iter().map(Some).collect();
    let mut valid = Vec::with_capacity(slots.len() - errors.len().min(slots.len()));
    for i in groups.into_iter().flatten() {
        if !refused[i] {
            if let Some(e) = slots.get_mut(i).and_then(Option::take) {
                valid.push(e);
            }
        }
    }
    (valid, errors)
}

/// Indices of each pathway's events, pathways in order of first appearance. Grouped first by
/// the address of the (usually interned) identifier, which is cheap to hash, then merged by
/// name so separately allocated equal identifiers still form one pathway.
fn group_by_pathway(events: &[Event]) -> Vec<Vec<usize>> {
    let mut by_addr: FxHashMap<(usize, usize), usize> = FxHashMap::default();
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for (i, e) in events.iter().enumerate() {
        let key = (e.pathway_id.as_ptr() as usize, e.pathway_id.len());
        let g = *by_addr.entry(key).or_insert_with(|| {
            groups.push(Vec::new());
            groups.len() - 1
        });
        if let Some(group) = groups.get_mut(g) {
            group.push(i);
        }
    }
    let mut by_name: FxHashMap<&str, usize> = FxHashMap::default();
    let mut merged: Vec<Vec<usize>> = Vec::with_capacity(groups.len());
    for group in groups {
        let Some(&first) = group.first() else {
            continue;
        };
        match by_name.get(&*events[first].pathway_id) {
            Some(&m) => {
                if let Some(target) = merged.get_mut(m) {
                    target.extend(group);
                }
            }
            None => {
                by_name.insert(&events[first].pathway_id, merged.len());
                merged.push(group);
            }
        }
    }
    merged
}

fn check_pathway(
    events: &[Event],
    idx: &[usize],
    today: Date,
    checks: Checks,
    refused: &mut [bool],
    errors: &mut Vec<RowError>,
) {
    // The pathway's referral and assessment dates (not in the future), which every row is
    // checked against whatever its place in date order.
    let first_on = |kind: EventKind| {
        idx.iter()
            .map(|&i| &events[i])
            .filter(|e| e.kind == kind && e.date <= today)
            .map(|e| e.date)
            .min()
    };
    let mut state = PathwayState {
        referral: first_on(EventKind::ReferralReceived),
        assessed: first_on(EventKind::ReferralAssessed),
        ..PathwayState::default()
    };
    for &i in idx {
        let e = &events[i];
        if let Some(rule) = check_row(e, today, &state, checks) {
            refused[i] = true;
            errors.push(RowError {
                line: e.line,
                pathway_id: Some(e.pathway_id.to_string()),
                rule,
            });
            continue;
        }
        let key_date = (!e.kind.is_unique()).then_some(e.date);
        state.seen.push(((e.kind, key_date), e.line));
        match e.kind {
            EventKind::ClinicalDecision => state.decisions += 1,
            EventKind::FirstAttendance => state.first_attendance = Some(e.date),
            EventKind::PathwayEnd => state.end = Some(e.date),
            _ => {}
        }
    }
}

/// What the rows kept so far (in date order) say about their pathway.
#[derive(Default)]
struct PathwayState {
    referral: Option<Date>,
    assessed: Option<Date>,
    decisions: u32,
    first_attendance: Option<Date>,
    end: Option<Date>,
    /// (kind, date) -> line of the row kept; unique kinds keyed with no date.
    seen: Vec<((EventKind, Option<Date>), u64)>,
}

fn check_row(e: &Event, today: Date, s: &PathwayState, checks: Checks) -> Option<Rule> {
    let register = checks == Checks::Register;
    // In this order: the first rule broken is the one reported.
    [
        future_date(e, today),
        before_referral(e, s.referral),
        attendance_before_assessment(e, s.assessed).filter(|_| register),
        deadline_before_referral(e, s.referral),
        right_without_deadline(e).filter(|_| register),
        deadline_before_assessment(e).filter(|_| register),
        second_first_attendance(e, s.first_attendance).filter(|_| register),
        duplicate(e, &s.seen),
        after_end(e, s.end),
        evaluation_before_decision(e, s.decisions),
        too_many_decisions(e, s.decisions),
    ]
    .into_iter()
    .flatten()
    .next()
}

/// The same event on the same date, or a second event of a kind that occurs once.
fn duplicate(e: &Event, seen: &[((EventKind, Option<Date>), u64)]) -> Option<Rule> {
    let key_date = (!e.kind.is_unique()).then_some(e.date);
    let &(_, first_line) = seen.iter().find(|(k, _)| *k == (e.kind, key_date))?;
    Some(Rule::Duplicate {
        event: e.kind,
        date: e.date,
        first_line,
    })
}

/// True when a `referral_assessed` outcome is the right to necessary health care.
pub fn is_right(outcome: Option<&Outcome>) -> bool {
    matches!(outcome, Some(Outcome::Right))
}

/// Checks one new event against the events already registered (the command check before the
/// store appends it). Only the new event's pathway is looked at. The new event is refused when
/// its pathway is closed ([`closed_pathway`]), when it breaks a rule itself, or when it would
/// make a registered event break one (e.g. an end dated before a registered evaluation); the
/// rule broken is returned. A registered event that breaks a rule on its own (registered under
/// an earlier rule) does not hold a new event back.
pub fn check_new(existing: &[Event], new: &Event, today: Date) -> Result<(), Rule> {
    const NEW: u64 = u64::MAX;
    let registered: Vec<Event> = existing
        .iter()
        .filter(|e| *e.pathway_id == *new.pathway_id)
        .map(|e| Event {
            // Registered, not from a file: a duplicate is "already registered".
            line: 0,
            ..e.clone()
        })
        .collect();
    if let Some(rule) = closed_pathway(new, registered_end(&registered, &new.pathway_id)) {
        return Err(rule);
    }
    let (_, before) = validate(registered.clone(), today);
    let mut pathway = registered;
    let mut candidate = new.clone();
    candidate.line = NEW;
    pathway.push(candidate);
    let (_, errors) = validate(pathway, today);
    let own = errors.iter().find(|e| e.line == NEW);
    let caused = errors.iter().find(|e| e.line != NEW && !before.contains(e));
    match own.or(caused) {
        Some(e) => Err(e.rule.clone()),
        None => Ok(()),
    }
}
