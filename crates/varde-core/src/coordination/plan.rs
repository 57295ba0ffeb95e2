//! The individual plan (pasient- og brukerrettighetsloven § 2-5; helse- og omsorgstjenesteloven
//! § 7-1) and its responsibility group: the rules a goal, a measure, an evaluation, a member
//! and a meeting must keep. Each check takes what it is checked against (the group's
//! organisations, the measure's start) as arguments.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::fields::{self, FieldError};

/// The longest goal, measure, note or minutes, in characters.
pub const TEXT_MAX: usize = 2000;
/// The longest name or role, in characters.
pub const NAME_MAX: usize = 200;

/// A plan's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlanStatus {
    /// Being worked out with the person.
    Draft,
    /// In force.
    Active,
    /// Ended (the person no longer wants it, or needs it).
    Closed,
}

impl PlanStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            PlanStatus::Draft => "draft",
            PlanStatus::Active => "active",
            PlanStatus::Closed => "closed",
        }
    }
    pub fn parse(s: &str) -> Option<PlanStatus> {
        match s.trim() {
            "draft" => Some(PlanStatus::Draft),
            "active" => Some(PlanStatus::Active),
            "closed" => Some(PlanStatus::Closed),
            _ => None,
        }
    }
}

/// The plan's status as typed (empty: draft).
pub fn status(v: &str) -> Result<PlanStatus, FieldError> {
    if v.trim().is_empty() {
        return Ok(PlanStatus::Draft);
    }
    PlanStatus::parse(v).ok_or_else(|| FieldError::new("status", "one of draft, active, closed"))
}

/// A required free text: trimmed, 1–`max` characters, no identity number.
pub fn required_text(field: &'static str, v: &str, max: usize) -> Result<String, FieldError> {
    fields::safe_text(field, v, max)?.ok_or_else(|| FieldError::new(field, "must not be empty"))
}

/// A goal: the person's own words.
pub fn goal(text: &str) -> Result<String, Vec<FieldError>> {
    required_text("text", text, TEXT_MAX).map_err(|e| vec![e])
}

/// A measure's fields as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct MeasureInput {
    /// The goal's id.
    pub goal: String,
    pub text: String,
    /// The owning organisation's id.
    pub owner_org: String,
    /// The owning person (a name, a role).
    pub owner_name: String,
    pub start: String,
    pub evaluate_on: String,
    /// The meeting whose decision the measure is (its id), if any.
    pub meeting: String,
}

/// A checked measure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMeasure {
    pub goal: i64,
    pub text: String,
    pub owner_org: i64,
    pub owner_name: String,
    pub start: Date,
    pub evaluate_on: Date,
    pub meeting: Option<i64>,
}

fn opt_id(field: &'static str, v: &str) -> Result<Option<i64>, FieldError> {
    match v.trim() {
        "" => Ok(None),
        s => s
            .parse::<i64>()
            .ok()
            .filter(|n| *n > 0)
            .map(Some)
            .ok_or_else(|| FieldError::new(field, "a record id (a whole number)")),
    }
}

/// Checks a measure against the plan: its goal is one of `goals`, its owner an organisation
/// of the group (`group_orgs`: the plan's own and its members'), with a person, a start and an
/// evaluation date not before the start; a meeting named is one of `meetings`.
pub fn measure(
    m: &MeasureInput,
    goals: &[i64],
    group_orgs: &[i64],
    meetings: &[i64],
) -> Result<NewMeasure, Vec<FieldError>> {
    let mut errors = Vec::new();
    let goal = match opt_id("goal", &m.goal) {
        Ok(Some(g)) if goals.contains(&g) => Some(g),
        Ok(_) => {
            errors.push(FieldError::new("goal", "one of the plan's goals"));
            None
        }
        Err(e) => {
            errors.push(e);
            None
        }
    };
    let text = required_text("text", &m.text, TEXT_MAX)
        .map_err(|e| errors.push(e))
        .ok();
    let owner_org = match opt_id("owner_org", &m.owner_org) {
        Ok(Some(o)) if group_orgs.contains(&o) => Some(o),
        Ok(Some(_)) => {
            errors.push(FieldError::new(
                "owner_org",
                "must be an organisation of the responsibility group",
            ));
            None
        }
        Ok(None) => {
            errors.push(FieldError::new(
                "owner_org",
                "a measure must have an owner organisation",
            ));
            None
        }
        Err(e) => {
            errors.push(e);
            None
        }
    };
    let owner_name = match fields::safe_text("owner_name", &m.owner_name, NAME_MAX) {
        Ok(Some(n)) => Some(n),
        Ok(None) => {
            errors.push(FieldError::new(
                "owner_name",
                "a measure must have an owner person",
            ));
            None
        }
        Err(e) => {
            errors.push(e);
            None
        }
    };
    let start = fields::date("start", &m.start)
        .map_err(|e| errors.push(e))
        .ok();
    let evaluate_on = fields::required_date(
        "evaluate_on",
        &m.evaluate_on,
        "a measure must have an evaluation date",
    )
    .map_err(|e| errors.push(e))
    .ok();
    if let (Some(s), Some(e)) = (start, evaluate_on) {
        if e < s {
            errors.push(FieldError::new(
                "evaluate_on",
                "must not be before the start",
            ));
        }
    }
    let meeting = match opt_id("meeting", &m.meeting) {
        Ok(Some(x)) if !meetings.contains(&x) => {
            errors.push(FieldError::new("meeting", "one of the group's meetings"));
            None
        }
        Ok(x) => x,
        Err(e) => {
            errors.push(e);
            None
        }
    };
    match (goal, text, owner_org, owner_name, start, evaluate_on) {
        (Some(goal), Some(text), Some(owner_org), Some(owner_name), Some(start), Some(ev))
            if errors.is_empty() =>
        {
            Ok(NewMeasure {
                goal,
                text,
                owner_org,
                owner_name,
                start,
                evaluate_on: ev,
                meeting,
            })
        }
        _ => Err(errors),
    }
}

/// An evaluation's fields as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct EvaluationInput {
    /// The day of the evaluation (not after today).
    pub on: String,
    /// What happened.
    pub note: String,
    /// The next evaluation date.
    pub next: String,
}

/// A checked evaluation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEvaluation {
    pub on: Date,
    pub note: String,
    pub next: Date,
}

/// Checks an evaluation of a measure that started on `start`: its day has happened and is not
/// before the start, it says what happened, and the next date is after it.
pub fn evaluation(
    e: &EvaluationInput,
    start: Date,
    today: Date,
) -> Result<NewEvaluation, Vec<FieldError>> {
    let mut errors = Vec::new();
    let on = fields::past_date("on", &e.on, today)
        .map_err(|x| errors.push(x))
        .ok();
    if on.is_some_and(|d| d < start) {
        errors.push(FieldError::new(
            "on",
            "must not be before the measure's start",
        ));
    }
    let note = required_text("note", &e.note, TEXT_MAX)
        .map_err(|x| errors.push(x))
        .ok();
    let next = if e.next.trim().is_empty() {
        errors.push(FieldError::new(
            "next",
            "an evaluation must set the next evaluation date",
        ));
        None
    } else {
        fields::date("next", &e.next)
            .map_err(|x| errors.push(x))
            .ok()
    };
    if let Some(n) = next {
        if n < start {
            errors.push(FieldError::new(
                "next",
                "must not be before the measure's start",
            ));
        } else if on.is_some_and(|d| n <= d) {
            errors.push(FieldError::new(
                "next",
                "must be after the evaluation's day",
            ));
        }
    }
    match (on, note, next) {
        (Some(on), Some(note), Some(next)) if errors.is_empty() => {
            Ok(NewEvaluation { on, note, next })
        }
        _ => Err(errors),
    }
}

/// What a member of a responsibility group is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MemberKind {
    /// A user of an organisation in Varde.
    User,
    /// Someone outside Varde, by name and role (a GP, a NAV adviser), of an organisation or none.
    External,
    /// The person the plan is for.
    Person,
    /// A relative (pårørende).
    Relative,
}

impl MemberKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MemberKind::User => "user",
            MemberKind::External => "external",
            MemberKind::Person => "person",
            MemberKind::Relative => "relative",
        }
    }
    pub fn parse(s: &str) -> Option<MemberKind> {
        [
            MemberKind::User,
            MemberKind::External,
            MemberKind::Person,
            MemberKind::Relative,
        ]
        .into_iter()
        .find(|k| k.as_str() == s.trim())
    }
}

/// A member's fields as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct MemberInput {
    pub kind: String,
    /// A user's username (kind `user`).
    pub username: String,
    /// A name (kinds `external` and `relative`).
    pub name: String,
    /// The role in the group (a GP, the coordinator, a mother).
    pub role: String,
}

/// A checked member (a user's id is the store's to find from the username).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMember {
    pub kind: MemberKind,
    pub username: Option<String>,
    pub name: Option<String>,
    pub role: String,
}

/// Checks a member: a user by username, an external person or a relative by name, each with a
/// role; the person needs neither.
pub fn member(m: &MemberInput) -> Result<NewMember, Vec<FieldError>> {
    let mut errors = Vec::new();
    let kind = MemberKind::parse(&m.kind);
    if kind.is_none() {
        errors.push(FieldError::new(
            "kind",
            "one of user, external, person, relative",
        ));
    }
    let role = required_text("role", &m.role, NAME_MAX)
        .map_err(|e| errors.push(e))
        .ok();
    let mut username = None;
    let mut name = None;
    match kind {
        Some(MemberKind::User) => match fields::opt_text("username", &m.username, 128) {
            Ok(Some(u)) => username = Some(u),
            Ok(None) => errors.push(FieldError::new("username", "must not be empty")),
            Err(e) => errors.push(e),
        },
        Some(MemberKind::External | MemberKind::Relative) => {
            match required_text("name", &m.name, NAME_MAX) {
                Ok(n) => name = Some(n),
                Err(e) => errors.push(e),
            }
        }
        _ => {}
    }
    match (kind, role) {
        (Some(kind), Some(role)) if errors.is_empty() => Ok(NewMember {
            kind,
            username,
            name,
            role,
        }),
        _ => Err(errors),
    }
}

/// A meeting's fields as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct MeetingInput {
    pub held_on: String,
    /// The ids of the members who came.
    pub attendance: Vec<i64>,
    /// Empty: written later.
    pub minutes: String,
}

/// A checked meeting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMeeting {
    pub held_on: Date,
    pub attendance: Vec<i64>,
    pub minutes: Option<String>,
}

/// Checks a meeting held (not after today) by members of the group (`members`).
pub fn meeting(
    m: &MeetingInput,
    members: &[i64],
    today: Date,
) -> Result<NewMeeting, Vec<FieldError>> {
    let mut errors = Vec::new();
    let held_on = fields::past_date("held_on", &m.held_on, today)
        .map_err(|e| errors.push(e))
        .ok();
    let mut attendance = m.attendance.clone();
    attendance.sort_unstable();
    attendance.dedup();
    if attendance.iter().any(|a| !members.contains(a)) {
        errors.push(FieldError::new(
            "attendance",
            "every one present must be a member of the group",
        ));
    }
    let minutes = fields::safe_text("minutes", &m.minutes, TEXT_MAX)
        .map_err(|e| errors.push(e))
        .ok()
        .flatten();
    match held_on {
        Some(held_on) if errors.is_empty() => Ok(NewMeeting {
            held_on,
            attendance,
            minutes,
        }),
        _ => Err(errors),
    }
}

/// Minutes written after the meeting.
pub fn minutes(text: &str) -> Result<String, Vec<FieldError>> {
    required_text("minutes", text, TEXT_MAX).map_err(|e| vec![e])
}
