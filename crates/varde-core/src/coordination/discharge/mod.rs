//! The discharge notice and the joint plan (issue 16, section 3): a TSB unit tells the
//! person's municipality that a discharge is coming, with the needs it sees and a request for a
//! joint planning meeting; the municipality acknowledges and names its contact; both sides
//! record the joint meeting and its outcome; the unit records the day the patient is
//! discharge-ready (utskrivningsklar) and the discharge, and whether "no home to go to" was
//! still flagged then.
//!
//! The notice needs no consent: it rests on the legal basis
//! [`crate::authz::LegalBasis::DischargeNotice`]. The rules are pure: a [`Step`] is checked
//! against the [`Notice`] as stored ([`Notice::check`]) and applied ([`Notice::apply`]); the
//! figures per municipality ([`figures`]) are suppressed below five.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::fields::{self, FieldError};
use crate::suppression;

#[cfg(test)]
mod tests;

/// The most characters of a contact, an outcome or a note.
pub const TEXT_MAX: usize = 500;

/// Which side of the notice acts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    /// The TSB unit that raised the notice.
    Unit,
    /// The municipality it is addressed to.
    Municipality,
}

/// The needs the unit flags.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Needs {
    pub housing: bool,
    /// No home to go to: its own flag, counted at discharge.
    pub no_home: bool,
    pub income: bool,
    pub work_school: bool,
    pub substance_use: bool,
    pub mental_health: bool,
    pub children: bool,
}

impl Needs {
    /// The names of the flags, in order (the form's fields and the API's).
    pub const NAMES: [&'static str; 7] = [
        "housing",
        "no_home",
        "income",
        "work_school",
        "substance_use",
        "mental_health",
        "children",
    ];

    /// The flags in the order of [`Needs::NAMES`].
    pub fn flags(&self) -> [bool; 7] {
        [
            self.housing,
            self.no_home,
            self.income,
            self.work_school,
            self.substance_use,
            self.mental_health,
            self.children,
        ]
    }

    /// The names of the flags set.
    pub fn flagged(&self) -> Vec<&'static str> {
        Self::NAMES
            .iter()
            .zip(self.flags())
            .filter(|(_, f)| *f)
            .map(|(n, _)| *n)
            .collect()
    }
}

/// The notice as raised.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Raise {
    pub raised_on: Date,
    pub expected_discharge: Date,
    pub needs: Needs,
    pub meeting_requested: bool,
    pub note: Option<String>,
}

/// A joint plan meeting, as one side recorded it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Meeting {
    pub held_on: Date,
    pub outcome: String,
    pub recorded_by: Side,
}

/// A step on a notice after it is raised.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum Step {
    /// The municipality has the notice and names its contact.
    Acknowledge { on: Date, contact: String },
    /// A joint plan meeting was held.
    Meeting(Meeting),
    /// The patient is discharge-ready (utskrivningsklar) from this day.
    Ready { on: Date },
    /// The patient was discharged; whether "no home to go to" was still flagged.
    Discharge { on: Date, no_home: bool },
}

impl Step {
    /// The event kind (`coordination.discharge.{verb}`).
    pub fn kind(&self) -> &'static str {
        match self {
            Step::Acknowledge { .. } => "coordination.discharge.acknowledged",
            Step::Meeting(_) => "coordination.discharge.meeting",
            Step::Ready { .. } => "coordination.discharge.ready",
            Step::Discharge { .. } => "coordination.discharge.discharged",
        }
    }

    /// The side that may take the step.
    pub fn sides(&self) -> &'static [Side] {
        match self {
            Step::Acknowledge { .. } => &[Side::Municipality],
            Step::Meeting(_) => &[Side::Unit, Side::Municipality],
            Step::Ready { .. } | Step::Discharge { .. } => &[Side::Unit],
        }
    }
}

/// Where a notice stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Raised, not yet acknowledged.
    Raised,
    Acknowledged,
    /// A joint plan meeting is recorded.
    Planned,
    /// Discharge-ready, not yet discharged.
    Ready,
    Discharged,
}

impl Status {
    pub const ALL: [Status; 5] = [
        Status::Raised,
        Status::Acknowledged,
        Status::Planned,
        Status::Ready,
        Status::Discharged,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Raised => "raised",
            Status::Acknowledged => "acknowledged",
            Status::Planned => "planned",
            Status::Ready => "ready",
            Status::Discharged => "discharged",
        }
    }
}

/// A notice: as raised, and every step since, folded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    pub raise: Raise,
    pub acknowledged_on: Option<Date>,
    pub contact: Option<String>,
    pub meetings: Vec<Meeting>,
    pub ready_on: Option<Date>,
    pub discharged_on: Option<Date>,
    /// At discharge: whether "no home to go to" was still flagged.
    pub no_home_at_discharge: Option<bool>,
}

impl Notice {
    /// A notice just raised.
    pub fn new(raise: Raise) -> Notice {
        Notice {
            raise,
            acknowledged_on: None,
            contact: None,
            meetings: Vec::new(),
            ready_on: None,
            discharged_on: None,
            no_home_at_discharge: None,
        }
    }

    pub fn status(&self) -> Status {
        if self.discharged_on.is_some() {
            Status::Discharged
        } else if self.ready_on.is_some() {
            Status::Ready
        } else if !self.meetings.is_empty() {
            Status::Planned
        } else if self.acknowledged_on.is_some() {
            Status::Acknowledged
        } else {
            Status::Raised
        }
    }

    /// Days the patient waited after being discharge-ready: until discharge, or until `today`
    /// while still waiting. `None` before the patient is discharge-ready.
    pub fn days_waiting(&self, today: Date) -> Option<i64> {
        let ready = self.ready_on?;
        let end = self.discharged_on.unwrap_or(today);
        Some(days_between(ready, end).max(0))
    }

    /// Whether `side` may take `step` on this notice on `today`: the first rule broken, by
    /// field.
    pub fn check(&self, step: &Step, side: Side, today: Date) -> Result<(), FieldError> {
        if !step.sides().contains(&side) {
            return Err(FieldError::new(
                "step",
                match side {
                    Side::Unit => {
                        "only the municipality the notice is addressed to takes this step"
                    }
                    Side::Municipality => "only the unit that raised the notice takes this step",
                },
            ));
        }
        if self.discharged_on.is_some() {
            return Err(FieldError::new(
                "step",
                "the patient is discharged: the notice is closed",
            ));
        }
        let raised = self.raise.raised_on;
        let on = match step {
            Step::Acknowledge { on, .. } | Step::Ready { on } | Step::Discharge { on, .. } => *on,
            Step::Meeting(m) => m.held_on,
        };
        let date_field = match step {
            Step::Meeting(_) => "held_on",
            _ => "on",
        };
        if on > today {
            return Err(FieldError::new(date_field, "must not be in the future"));
        }
        if on < raised {
            return Err(FieldError::new(
                date_field,
                format!("not before the notice was raised ({raised})"),
            ));
        }
        match step {
            Step::Acknowledge { contact, .. } => {
                if self.acknowledged_on.is_some() {
                    return Err(FieldError::new(
                        "step",
                        "the notice is acknowledged already",
                    ));
                }
                if contact.trim().is_empty() {
                    return Err(FieldError::new("contact", "must not be empty"));
                }
            }
            Step::Meeting(m) => {
                if m.outcome.trim().is_empty() {
                    return Err(FieldError::new("outcome", "must not be empty"));
                }
            }
            Step::Ready { .. } => {
                if self.ready_on.is_some() {
                    return Err(FieldError::new(
                        "step",
                        "the discharge-ready day is recorded already",
                    ));
                }
            }
            Step::Discharge { on, .. } => match self.ready_on {
                None => {
                    return Err(FieldError::new(
                        "step",
                        "record the discharge-ready day before the discharge",
                    ))
                }
                Some(ready) if *on < ready => {
                    return Err(FieldError::new(
                        "on",
                        format!("not before the patient was discharge-ready ({ready})"),
                    ))
                }
                Some(_) => {}
            },
        }
        Ok(())
    }

    /// The notice with `step` taken (checked already).
    pub fn apply(mut self, step: &Step) -> Notice {
        match step {
            Step::Acknowledge { on, contact } => {
                self.acknowledged_on = Some(*on);
                self.contact = Some(contact.trim().to_owned());
            }
            Step::Meeting(m) => self.meetings.push(m.clone()),
            Step::Ready { on } => self.ready_on = Some(*on),
            Step::Discharge { on, no_home } => {
                self.discharged_on = Some(*on);
                self.no_home_at_discharge = Some(*no_home);
            }
        }
        self
    }
}

fn days_between(a: Date, b: Date) -> i64 {
    a.until(b).map(|s| i64::from(s.get_days())).unwrap_or(0)
}

/// The text form of a new notice (the form's fields and the API body).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct RaiseFields {
    #[serde(default)]
    pub expected_discharge: String,
    #[serde(default)]
    pub housing: bool,
    #[serde(default)]
    pub no_home: bool,
    #[serde(default)]
    pub income: bool,
    #[serde(default)]
    pub work_school: bool,
    #[serde(default)]
    pub substance_use: bool,
    #[serde(default)]
    pub mental_health: bool,
    #[serde(default)]
    pub children: bool,
    #[serde(default)]
    pub meeting_requested: bool,
    #[serde(default)]
    pub note: String,
}

impl RaiseFields {
    /// The notice raised on `today`, every field checked: the expected discharge is not
    /// before today (the person is still in treatment) and at most a year ahead; "no home to
    /// go to" is a housing need.
    pub fn check(&self, today: Date) -> Result<Raise, FieldError> {
        let expected = fields::date("expected_discharge", &self.expected_discharge)?;
        if expected < today {
            return Err(FieldError::new(
                "expected_discharge",
                format!("not before the notice is raised ({today})"),
            ));
        }
        if expected > today.saturating_add(jiff::Span::new().days(366)) {
            return Err(FieldError::new(
                "expected_discharge",
                "at most a year ahead",
            ));
        }
        let note = fields::safe_text("note", &self.note, TEXT_MAX)?;
        Ok(Raise {
            raised_on: today,
            expected_discharge: expected,
            needs: Needs {
                housing: self.housing || self.no_home,
                no_home: self.no_home,
                income: self.income,
                work_school: self.work_school,
                substance_use: self.substance_use,
                mental_health: self.mental_health,
                children: self.children,
            },
            meeting_requested: self.meeting_requested,
            note,
        })
    }
}

/// The text form of a step (the forms' fields and the API body).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct StepFields {
    #[serde(default)]
    pub on: String,
    #[serde(default)]
    pub contact: String,
    #[serde(default)]
    pub outcome: String,
    #[serde(default)]
    pub no_home: bool,
}

impl StepFields {
    /// The step named `kind` (`acknowledge`, `meeting`, `ready`, `discharge`), its fields
    /// parsed (the rules against the notice are [`Notice::check`]'s).
    pub fn parse(&self, kind: &str, side: Side) -> Result<Step, FieldError> {
        let date_field = if kind == "meeting" { "held_on" } else { "on" };
        let on = || fields::date(date_field, &self.on);
        Ok(match kind {
            "acknowledge" => Step::Acknowledge {
                on: on()?,
                contact: fields::safe_text("contact", &self.contact, TEXT_MAX)?
                    .ok_or_else(|| FieldError::new("contact", "must not be empty"))?,
            },
            "meeting" => Step::Meeting(Meeting {
                held_on: on()?,
                outcome: fields::safe_text("outcome", &self.outcome, TEXT_MAX)?
                    .ok_or_else(|| FieldError::new("outcome", "must not be empty"))?,
                recorded_by: side,
            }),
            "ready" => Step::Ready { on: on()? },
            "discharge" => Step::Discharge {
                on: on()?,
                no_home: self.no_home,
            },
            _ => {
                return Err(FieldError::new(
                    "step",
                    "one of acknowledge, meeting, ready, discharge",
                ))
            }
        })
    }
}

/// One municipality's discharges in a period, as counted for the national view.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    /// Discharges.
    pub discharges: u64,
    /// Days waited after discharge-ready, summed over the discharges.
    pub days_waiting: u64,
    /// Discharges with "no home to go to" still flagged.
    pub no_home: u64,
}

impl Tally {
    /// Counts a discharged notice (others are not counted).
    pub fn add(&mut self, n: &Notice) {
        let (Some(ready), Some(out)) = (n.ready_on, n.discharged_on) else {
            return;
        };
        self.discharges += 1;
        self.days_waiting += u64::try_from(days_between(ready, out).max(0)).unwrap_or(0);
        self.no_home += u64::from(n.no_home_at_discharge == Some(true));
    }
}

/// A municipality's row of the national view, as published.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FigureRow {
    pub kommune: String,
    /// `None`: 1–4, suppressed.
    pub discharges: Option<u64>,
    /// Mean days waited after discharge-ready; shown only beside a shown count.
    pub mean_days_waiting: Option<f64>,
    /// `None`: suppressed (1–4, or a hidden count of discharges).
    pub no_home: Option<u64>,
}

/// The national view: a row per municipality (in the order given) and the nation's total.
/// Counts of 1–4 are hidden, and further cells where the published national sum would give a
/// hidden one back ([`suppression::protect_table`] along both sums: discharges and "no home").
pub fn figures(rows: &[(String, Tally)]) -> (Vec<FigureRow>, FigureRow) {
    let counts: Vec<[u64; 2]> = rows
        .iter()
        .map(|(_, t)| [t.discharges, t.no_home])
        .collect();
    let (hidden, hidden_total) = suppression::protect_table(&counts);
    let row = |kommune: String, t: &Tally, h: [bool; 2]| FigureRow {
        kommune,
        discharges: (!h[0]).then_some(t.discharges),
        mean_days_waiting: (!h[0] && t.discharges > 0)
            .then(|| t.days_waiting as f64 / t.discharges as f64),
        no_home: (!h[1]).then_some(t.no_home),
    };
    let total = rows.iter().fold(Tally::default(), |mut a, (_, t)| {
        a.discharges += t.discharges;
        a.days_waiting += t.days_waiting;
        a.no_home += t.no_home;
        a
    });
    let out = rows
        .iter()
        .zip(hidden)
        .map(|((k, t), h)| row(k.clone(), t, h))
        .collect();
    (out, row("national".into(), &total, hidden_total))
}
