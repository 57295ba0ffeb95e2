//! Follow-up after a non-fatal overdose (issue 16, section 4): an ambulance service or an
//! emergency ward (legevakt) registers the overdose of a person who consents (or whose
//! guardian consents, under 16) to be followed up by a municipality; the municipality must
//! attempt contact within the risk week (7 days, counted in hours from the overdose), records
//! its attempts and closes the notice with an outcome.
//!
//! The notice is read by the municipality on the person's consent (scope
//! [`super::Scope::OverdoseNotice`], granted to that municipality, with a required end date);
//! no legal basis covers it. Each notice also feeds the monitoring area's `overdoses` source
//! with one anonymous row ([`monitoring_row`]: service, day, municipality, outcome, age band,
//! sex — no id, no name).
//!
//! Pure: no I/O, no clock; the time "now" is an argument (Oslo wall-clock time).

use jiff::civil::{Date, DateTime};
use serde::{Deserialize, Serialize};

use super::consent::GivenHow;
use crate::fields::{self, FieldError};

#[cfg(test)]
#[path = "overdose_tests.rs"]
mod tests;

/// The risk week, in hours.
pub const RISK_HOURS: i64 = 7 * 24;
/// The longest consent, in days from the overdose.
pub const CONSENT_MAX_DAYS: i64 = 90;
/// The most characters of a guardian's name or a note.
pub const TEXT_MAX: usize = 500;
/// The age below which a guardian consents.
pub const GUARDIAN_BELOW: i16 = 16;

/// Who registers the overdose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Service {
    Ambulance,
    EmergencyWard,
}

impl Service {
    /// As the monitoring source names it.
    pub fn as_str(self) -> &'static str {
        match self {
            Service::Ambulance => "ambulance",
            Service::EmergencyWard => "emergency_ward",
        }
    }
    pub fn parse(s: &str) -> Option<Service> {
        match s.trim() {
            "ambulance" => Some(Service::Ambulance),
            "emergency_ward" => Some(Service::EmergencyWard),
            _ => None,
        }
    }
}

/// How a contact was attempted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Means {
    Phone,
    Sms,
    Visit,
    Letter,
    Other,
}

impl Means {
    pub const ALL: [Means; 5] = [
        Means::Phone,
        Means::Sms,
        Means::Visit,
        Means::Letter,
        Means::Other,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Means::Phone => "phone",
            Means::Sms => "sms",
            Means::Visit => "visit",
            Means::Letter => "letter",
            Means::Other => "other",
        }
    }
    pub fn parse(s: &str) -> Option<Means> {
        Means::ALL.into_iter().find(|m| m.as_str() == s.trim())
    }
}

/// How the follow-up ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Reached,
    Declined,
    NotReached,
    ReferredToTreatment,
    /// Linked to a coordination plan of the person (named).
    LinkedToPlan,
}

impl Outcome {
    pub const ALL: [Outcome; 5] = [
        Outcome::Reached,
        Outcome::Declined,
        Outcome::NotReached,
        Outcome::ReferredToTreatment,
        Outcome::LinkedToPlan,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Reached => "reached",
            Outcome::Declined => "declined",
            Outcome::NotReached => "not_reached",
            Outcome::ReferredToTreatment => "referred_to_treatment",
            Outcome::LinkedToPlan => "linked_to_plan",
        }
    }
    pub fn parse(s: &str) -> Option<Outcome> {
        Outcome::ALL.into_iter().find(|o| o.as_str() == s.trim())
    }
}

/// Who consented.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "by", rename_all = "snake_case")]
pub enum ConsentBy {
    Person,
    Guardian { name: String },
}

/// The registration's fields as typed (a form or a JSON body).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct RegisterFields {
    /// When the overdose happened, `YYYY-MM-DDTHH:MM` (Oslo time).
    pub occurred_at: String,
    pub service: String,
    /// `person` or `guardian`.
    pub consent_by: String,
    pub guardian_name: String,
    /// The consent's last day (required).
    pub consent_until: String,
    pub given_how: String,
    pub note: String,
}

/// A checked registration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Register {
    pub occurred_at: DateTime,
    pub service: Service,
    pub consent_by: ConsentBy,
    pub consent_until: Date,
    pub given_how: GivenHow,
    pub note: Option<String>,
}

/// The person's age on `day`, from the birth date.
pub fn age_on(birth: Date, day: Date) -> i16 {
    let mut age = day.year() - birth.year();
    if (day.month(), day.day()) < (birth.month(), birth.day()) {
        age -= 1;
    }
    age
}

fn datetime(field: &'static str, v: &str) -> Result<DateTime, FieldError> {
    v.trim()
        .parse::<DateTime>()
        .map_err(|_| FieldError::new(field, "a date and time as YYYY-MM-DDTHH:MM"))
}

impl RegisterFields {
    /// Checks every rule at once: the overdose is not in the future nor more than the risk
    /// week ago; a person under 16 on the day (by `birth`) needs a guardian's consent, named;
    /// the consent ends on a day from the overdose's to [`CONSENT_MAX_DAYS`] after it, not in
    /// the past.
    pub fn check(&self, birth: Option<Date>, now: DateTime) -> Result<Register, Vec<FieldError>> {
        let mut errors = Vec::new();
        let today = now.date();
        let occurred = match datetime("occurred_at", &self.occurred_at) {
            Ok(t) if t > now => {
                errors.push(FieldError::new("occurred_at", "must not be in the future"));
                None
            }
            Ok(t) if hours_between(t, now) > RISK_HOURS => {
                errors.push(FieldError::new(
                    "occurred_at",
                    "must be within the last 7 days",
                ));
                None
            }
            Ok(t) => Some(t),
            Err(e) => {
                errors.push(e);
                None
            }
        };
        let service = Service::parse(&self.service);
        if service.is_none() {
            errors.push(FieldError::new(
                "service",
                "one of ambulance, emergency_ward",
            ));
        }
        let minor = match (birth, occurred) {
            (Some(b), Some(t)) => age_on(b, t.date()) < GUARDIAN_BELOW,
            _ => false,
        };
        let guardian = fields::safe_text("guardian_name", &self.guardian_name, TEXT_MAX)
            .map_err(|e| errors.push(e))
            .ok()
            .flatten();
        let by = match (self.consent_by.trim(), guardian) {
            ("person", _) if minor => {
                errors.push(FieldError::new(
                    "consent_by",
                    "a person under 16 consents through a guardian",
                ));
                None
            }
            ("person", _) => Some(ConsentBy::Person),
            ("guardian", Some(name)) => Some(ConsentBy::Guardian { name }),
            ("guardian", None) => {
                errors.push(FieldError::new(
                    "guardian_name",
                    "name the guardian who consents",
                ));
                None
            }
            _ => {
                errors.push(FieldError::new("consent_by", "one of person, guardian"));
                None
            }
        };
        let until = if self.consent_until.trim().is_empty() {
            errors.push(FieldError::new(
                "consent_until",
                "a consent must have an end date",
            ));
            None
        } else {
            fields::date("consent_until", &self.consent_until)
                .map_err(|e| errors.push(e))
                .ok()
        };
        if let (Some(u), Some(t)) = (until, occurred) {
            if u < today {
                errors.push(FieldError::new("consent_until", "must not be in the past"));
            } else if t.date().until(u).map_or(0, |s| i64::from(s.get_days())) > CONSENT_MAX_DAYS {
                errors.push(FieldError::new(
                    "consent_until",
                    "at most 90 days after the overdose",
                ));
            }
        }
        let how = GivenHow::parse(&self.given_how);
        if how.is_none() {
            errors.push(FieldError::new("given_how", "one of written, oral"));
        }
        let note = fields::safe_text("note", &self.note, TEXT_MAX)
            .map_err(|e| errors.push(e))
            .ok()
            .flatten();
        match (occurred, service, by, until, how) {
            (
                Some(occurred_at),
                Some(service),
                Some(consent_by),
                Some(consent_until),
                Some(how),
            ) if errors.is_empty() => Ok(Register {
                occurred_at,
                service,
                consent_by,
                consent_until,
                given_how: how,
                note,
            }),
            _ => Err(errors),
        }
    }
}

/// Whole hours from `from` to `to` (negative when `to` is earlier).
pub fn hours_between(from: DateTime, to: DateTime) -> i64 {
    let span = from
        .until((jiff::Unit::Hour, to))
        .unwrap_or_else(|_| jiff::Span::new());
    i64::from(span.get_hours())
}

/// Hours left of the risk week at `now`; negative when overdue.
pub fn hours_left(occurred_at: DateTime, now: DateTime) -> i64 {
    RISK_HOURS - hours_between(occurred_at, now)
}

/// A contact attempt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attempt {
    pub at: DateTime,
    pub means: Means,
}

/// A step on a notice after it is registered (the municipality's).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum Step {
    Attempt(Attempt),
    Close {
        at: DateTime,
        outcome: Outcome,
        /// The coordination plan the person was linked to (`linked_to_plan` only).
        plan: Option<i64>,
    },
}

impl Step {
    /// The event kind.
    pub fn kind(&self) -> &'static str {
        match self {
            Step::Attempt(_) => "coordination.overdose.attempt",
            Step::Close { .. } => "coordination.overdose.closed",
        }
    }
}

/// A step's fields as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct StepFields {
    /// `YYYY-MM-DDTHH:MM`; empty: now.
    pub at: String,
    pub means: String,
    pub outcome: String,
    /// A coordination plan's id (`linked_to_plan`).
    pub plan: String,
}

impl StepFields {
    /// The step `kind` (`attempt` or `close`) these fields make, `now` for an empty time.
    pub fn parse(&self, kind: &str, now: DateTime) -> Result<Step, FieldError> {
        let at = if self.at.trim().is_empty() {
            now
        } else {
            datetime("at", &self.at)?
        };
        match kind {
            "attempt" => {
                let means = Means::parse(&self.means).ok_or_else(|| {
                    FieldError::new("means", "one of phone, sms, visit, letter, other")
                })?;
                Ok(Step::Attempt(Attempt { at, means }))
            }
            "close" => {
                let outcome = Outcome::parse(&self.outcome).ok_or_else(|| {
                    FieldError::new(
                        "outcome",
                        "closing needs an outcome: one of reached, declined, not_reached, referred_to_treatment, linked_to_plan",
                    )
                })?;
                let plan = match (outcome, self.plan.trim()) {
                    (Outcome::LinkedToPlan, "") => {
                        return Err(FieldError::new("plan", "name the coordination plan"))
                    }
                    (Outcome::LinkedToPlan, p) => {
                        Some(p.parse::<i64>().ok().filter(|n| *n > 0).ok_or_else(|| {
                            FieldError::new("plan", "a record id (a whole number)")
                        })?)
                    }
                    (_, "") => None,
                    _ => {
                        return Err(FieldError::new(
                            "plan",
                            "only with the outcome linked_to_plan",
                        ))
                    }
                };
                Ok(Step::Close { at, outcome, plan })
            }
            _ => Err(FieldError::new("step", "one of attempt, close")),
        }
    }
}

/// Where a notice stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Registered, no attempt yet.
    Open,
    /// At least one attempt.
    Attempted,
    Closed,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Open => "open",
            Status::Attempted => "attempted",
            Status::Closed => "closed",
        }
    }
}

/// A notice: as registered, and every step since, folded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    pub register: Register,
    pub attempts: Vec<Attempt>,
    pub closed_at: Option<DateTime>,
    pub outcome: Option<Outcome>,
    pub plan: Option<i64>,
}

impl Notice {
    pub fn new(register: Register) -> Notice {
        Notice {
            register,
            attempts: Vec::new(),
            closed_at: None,
            outcome: None,
            plan: None,
        }
    }

    pub fn status(&self) -> Status {
        if self.closed_at.is_some() {
            Status::Closed
        } else if self.attempts.is_empty() {
            Status::Open
        } else {
            Status::Attempted
        }
    }

    /// Hours left of the risk week at `now` while open (negative: overdue); none once closed.
    pub fn hours_left(&self, now: DateTime) -> Option<i64> {
        self.closed_at
            .is_none()
            .then(|| hours_left(self.register.occurred_at, now))
    }

    /// Whether `step` may be taken now: nothing after closing, no step before the overdose
    /// or in the future, attempts and the closing in order.
    pub fn check(&self, step: &Step, now: DateTime) -> Result<(), FieldError> {
        if self.closed_at.is_some() {
            return Err(FieldError::new("step", "the notice is closed"));
        }
        let at = match step {
            Step::Attempt(a) => a.at,
            Step::Close { at, .. } => *at,
        };
        if at > now {
            return Err(FieldError::new("at", "must not be in the future"));
        }
        if at < self.register.occurred_at {
            return Err(FieldError::new("at", "must not be before the overdose"));
        }
        if let Some(last) = self.attempts.last() {
            if at < last.at {
                return Err(FieldError::new("at", "must not be before the last attempt"));
            }
        }
        Ok(())
    }

    /// The notice with `step` taken (checked first with [`Notice::check`]).
    pub fn apply(&self, step: &Step) -> Notice {
        let mut n = self.clone();
        match step {
            Step::Attempt(a) => n.attempts.push(a.clone()),
            Step::Close { at, outcome, plan } => {
                n.closed_at = Some(*at);
                n.outcome = Some(*outcome);
                n.plan = *plan;
            }
        }
        n
    }
}

/// The age band of the monitoring's overdoses source (ten-year bands from 15, `unknown`).
pub fn age_band(birth: Option<Date>, day: Date) -> &'static str {
    let Some(b) = birth else { return "unknown" };
    match age_on(b, day) {
        a if a < 0 => "unknown",
        0..=14 => "0-14",
        15..=24 => "15-24",
        25..=34 => "25-34",
        35..=44 => "35-44",
        45..=54 => "45-54",
        55..=64 => "55-64",
        _ => "65+",
    }
}

/// The anonymous row a notice adds to the monitoring's `overdoses` source, as one line of
/// its CSV (header first): the service, the day, the municipality number, `non_fatal`, the
/// age band and `unknown` sex (the register keeps none) — no id, no name. Parsed by the
/// monitoring's own rules ([`crate::monitoring::sources::parse`]).
pub fn monitoring_row(r: &Register, kommune: &str, birth: Option<Date>) -> String {
    format!(
        "service,date,municipality,substances,outcome,age_band,sex\n{},{},{},,non_fatal,{},unknown\n",
        r.service.as_str(),
        r.occurred_at.date(),
        kommune,
        age_band(birth, r.occurred_at.date()),
    )
}
