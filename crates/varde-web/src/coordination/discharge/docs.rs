//! A notice as JSON (the API's answer, and what the pages show).

use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use varde_core::coordination::discharge::{RaiseFields, Side, StepFields};
use varde_store::StoredNotice;

/// A notice as the API gives it: the person by name and birth date from the raising unit's
/// register (never the identity number).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NoticeDoc {
    pub id: i64,
    /// `raised`, `acknowledged`, `planned` (a joint meeting recorded), `ready`
    /// (discharge-ready), `discharged`.
    pub status: String,
    pub unit: String,
    pub municipality: String,
    /// The municipality number the notice is addressed to.
    pub kommune: String,
    pub person_name: String,
    pub birth_date: Option<String>,
    pub raised_on: String,
    pub expected_discharge: String,
    /// The needs flagged: `housing`, `no_home`, `income`, `work_school`, `substance_use`,
    /// `mental_health`, `children`.
    pub needs: Vec<String>,
    pub meeting_requested: bool,
    pub note: Option<String>,
    pub acknowledged_on: Option<String>,
    /// The municipality's contact.
    pub contact: Option<String>,
    pub meetings: Vec<MeetingDoc>,
    /// The day the patient was discharge-ready (utskrivningsklar).
    pub ready_on: Option<String>,
    pub discharged_on: Option<String>,
    /// At discharge: whether "no home to go to" was still flagged.
    pub no_home_at_discharge: Option<bool>,
    /// Days waited after discharge-ready: until discharge, or until today.
    pub days_waiting: Option<i64>,
    /// The number of steps: moves with every change.
    pub version: i64,
}

/// A joint plan meeting.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MeetingDoc {
    pub held_on: String,
    pub outcome: String,
    /// `unit` or `municipality`.
    pub recorded_by: String,
}

fn side(s: Side) -> &'static str {
    match s {
        Side::Unit => "unit",
        Side::Municipality => "municipality",
    }
}

/// The document of a stored notice on `today`.
pub fn doc(n: &StoredNotice, today: Date) -> NoticeDoc {
    let x = &n.notice;
    NoticeDoc {
        id: n.id,
        status: x.status().as_str().to_owned(),
        unit: n.unit_name.clone(),
        municipality: n.municipality_name.clone(),
        kommune: n.kommune.clone(),
        person_name: n.person_name.clone(),
        birth_date: n.birth_date.clone(),
        raised_on: x.raise.raised_on.to_string(),
        expected_discharge: x.raise.expected_discharge.to_string(),
        needs: x
            .raise
            .needs
            .flagged()
            .into_iter()
            .map(str::to_owned)
            .collect(),
        meeting_requested: x.raise.meeting_requested,
        note: x.raise.note.clone(),
        acknowledged_on: x.acknowledged_on.map(|d| d.to_string()),
        contact: x.contact.clone(),
        meetings: x
            .meetings
            .iter()
            .map(|m| MeetingDoc {
                held_on: m.held_on.to_string(),
                outcome: m.outcome.clone(),
                recorded_by: side(m.recorded_by).to_owned(),
            })
            .collect(),
        ready_on: x.ready_on.map(|d| d.to_string()),
        discharged_on: x.discharged_on.map(|d| d.to_string()),
        no_home_at_discharge: x.no_home_at_discharge,
        days_waiting: x.days_waiting(today),
        version: n.version,
    }
}

/// A new notice (the API body; the form's fields are the same).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct RaiseBody {
    /// The person's id in the unit's register; their municipality of residence is the
    /// register's.
    pub person: i64,
    /// `YYYY-MM-DD`: not before today, at most a year ahead.
    pub expected_discharge: String,
    pub housing: bool,
    /// No home to go to (a housing need).
    pub no_home: bool,
    /// Income, NAV.
    pub income: bool,
    pub work_school: bool,
    pub substance_use: bool,
    pub mental_health: bool,
    pub children: bool,
    /// A joint planning meeting is requested.
    pub meeting_requested: bool,
    /// At most 500 characters; no identity number.
    pub note: String,
}

impl RaiseBody {
    pub fn fields(&self) -> RaiseFields {
        RaiseFields {
            expected_discharge: self.expected_discharge.clone(),
            housing: self.housing,
            no_home: self.no_home,
            income: self.income,
            work_school: self.work_school,
            substance_use: self.substance_use,
            mental_health: self.mental_health,
            children: self.children,
            meeting_requested: self.meeting_requested,
            note: self.note.clone(),
        }
    }
}

/// A step on a notice (the API body; the forms' fields are the same).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct StepBody {
    /// `YYYY-MM-DD`: the day of the step (the meeting's day), not before the notice, not in the
    /// future.
    pub on: String,
    /// `acknowledge`: the municipality's contact (name, phone).
    pub contact: String,
    /// `meeting`: what was agreed.
    pub outcome: String,
    /// `discharge`: "no home to go to" is still flagged.
    pub no_home: bool,
}

impl StepBody {
    pub fn fields(&self) -> StepFields {
        StepFields {
            on: self.on.clone(),
            contact: self.contact.clone(),
            outcome: self.outcome.clone(),
            no_home: self.no_home,
        }
    }
}
