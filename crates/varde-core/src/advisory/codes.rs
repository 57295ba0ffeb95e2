//! The codes of a case's entries: attendance, what a meeting was, test results, outreach means
//! and outcomes, referral destinations, closing outcomes — each with its name in the API.

use serde::{Deserialize, Serialize};

use crate::fields::FieldError;

/// How a planned meeting went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AttendanceStatus {
    Attended,
    NotAttended,
    /// Cancelled, with its reason.
    Cancelled,
    /// Held remotely (video or phone): attended.
    Remote,
}

impl AttendanceStatus {
    pub const ALL: [AttendanceStatus; 4] = [
        AttendanceStatus::Attended,
        AttendanceStatus::NotAttended,
        AttendanceStatus::Cancelled,
        AttendanceStatus::Remote,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            AttendanceStatus::Attended => "attended",
            AttendanceStatus::NotAttended => "not_attended",
            AttendanceStatus::Cancelled => "cancelled",
            AttendanceStatus::Remote => "remote",
        }
    }
    /// Whether the person met the unit.
    pub fn met(self) -> bool {
        matches!(self, AttendanceStatus::Attended | AttendanceStatus::Remote)
    }
}

/// What a held meeting was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MeetingKind {
    /// Without consent: the ban, the consequences, the help available.
    Information,
    /// With consent: a needs assessment (kartlegging) and tailored advice.
    HealthCare,
}

impl MeetingKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MeetingKind::Information => "information",
            MeetingKind::HealthCare => "health_care",
        }
    }
}

/// A drug test's result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TestResult {
    Negative,
    /// With the substances found, from the reference list.
    Positive,
    NotDelivered,
    Invalid,
}

impl TestResult {
    pub const ALL: [TestResult; 4] = [
        TestResult::Negative,
        TestResult::Positive,
        TestResult::NotDelivered,
        TestResult::Invalid,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            TestResult::Negative => "negative",
            TestResult::Positive => "positive",
            TestResult::NotDelivered => "not_delivered",
            TestResult::Invalid => "invalid",
        }
    }
}

/// How the unit tried to reach someone who did not come.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutreachMeans {
    Letter,
    Phone,
    /// A home visit.
    Visit,
    /// Through the municipality's youth outreach workers (utekontakt).
    OutreachWorker,
}

impl OutreachMeans {
    pub const ALL: [OutreachMeans; 4] = [
        OutreachMeans::Letter,
        OutreachMeans::Phone,
        OutreachMeans::Visit,
        OutreachMeans::OutreachWorker,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            OutreachMeans::Letter => "letter",
            OutreachMeans::Phone => "phone",
            OutreachMeans::Visit => "visit",
            OutreachMeans::OutreachWorker => "outreach_worker",
        }
    }
}

/// Whether an outreach attempt reached the person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutreachOutcome {
    Reached,
    NotReached,
}

impl OutreachOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            OutreachOutcome::Reached => "reached",
            OutreachOutcome::NotReached => "not_reached",
        }
    }
}

/// Where a person is referred onward.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReferralTo {
    /// The municipality's substance-use services.
    Municipal,
    /// The person's GP (fastlege).
    Gp,
    /// Specialised substance-use treatment (TSB).
    Tsb,
    /// Child and adolescent psychiatry (BUP).
    Bup,
    Nav,
    Other,
    /// A notice of concern to child welfare (barnevernsloven § 13-2): a duty that overrides
    /// consent, for a child only.
    ChildWelfare,
}

impl ReferralTo {
    pub const ALL: [ReferralTo; 7] = [
        ReferralTo::Municipal,
        ReferralTo::Gp,
        ReferralTo::Tsb,
        ReferralTo::Bup,
        ReferralTo::Nav,
        ReferralTo::Other,
        ReferralTo::ChildWelfare,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            ReferralTo::Municipal => "municipal",
            ReferralTo::Gp => "gp",
            ReferralTo::Tsb => "tsb",
            ReferralTo::Bup => "bup",
            ReferralTo::Nav => "nav",
            ReferralTo::Other => "other",
            ReferralTo::ChildWelfare => "child_welfare",
        }
    }
}

/// How a case ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClosingOutcome {
    Completed,
    NotCompleted,
    /// The person withdrew (a voluntary case), or the decision was withdrawn.
    Withdrawn,
}

impl ClosingOutcome {
    pub const ALL: [ClosingOutcome; 3] = [
        ClosingOutcome::Completed,
        ClosingOutcome::NotCompleted,
        ClosingOutcome::Withdrawn,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            ClosingOutcome::Completed => "completed",
            ClosingOutcome::NotCompleted => "not_completed",
            ClosingOutcome::Withdrawn => "withdrawn",
        }
    }
}

/// Parses one of an enum's values by its name; the rule lists them.
pub fn one_of<T: Copy>(
    field: &'static str,
    v: &str,
    all: &[T],
    name: fn(T) -> &'static str,
) -> Result<T, FieldError> {
    all.iter()
        .copied()
        .find(|t| name(*t) == v.trim())
        .ok_or_else(|| {
            let names: Vec<&str> = all.iter().map(|t| name(*t)).collect();
            FieldError::new(field, format!("one of {}", names.join(", ")))
        })
}
