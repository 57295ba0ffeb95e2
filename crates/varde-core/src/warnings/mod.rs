//! Overdose warnings (overdosevarslingssystem, OVS): the warning, its versions and their life.
//!
//! A warning is a stream of events (`warnings:{id}`): a version is drafted by a
//! `warning-editor`, approved by a `warning-approver` who did not write it (approval publishes
//! it at once and supersedes the earlier published version), and the warning may be cancelled
//! with a reason. [`Warning`] is the state those events replay into; its `check_*` methods are
//! the rules, run again by the store inside the transaction that writes the event.
//!
//! Rendering: [`cap`] (CAP 1.2, one `alert` per version), [`atom`] (the RFC 4287 feed),
//! [`export`] (the fields of a national alert to the EU drugs agency), [`signature`] (Standard
//! Webhooks signatures). Input: [`draft`] parses and checks a version's content.

pub mod atom;
pub mod cap;
pub mod draft;
pub mod export;
pub mod signature;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::fields::FieldError;

/// CAP `severity`, most severe first (so that sorting ascending puts the worst first).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Extreme,
    Severe,
    Moderate,
    Minor,
}

/// CAP `urgency`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Urgency {
    Immediate,
    Expected,
    Future,
    Past,
    Unknown,
}

/// CAP `certainty`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Certainty {
    Observed,
    Likely,
    Possible,
    Unlikely,
    Unknown,
}

/// How the substance was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FoundBy {
    DrugChecking,
    Seizure,
    Deaths,
    Signal,
    Other,
}

macro_rules! words {
    ($ty:ident { $($v:ident => $api:literal, $cap:literal),* $(,)? }) => {
        impl $ty {
            pub const ALL: &'static [$ty] = &[$($ty::$v),*];
            /// The API's (and the store's) word.
            pub fn as_str(self) -> &'static str {
                match self { $($ty::$v => $api),* }
            }
            /// CAP's word.
            pub fn cap(self) -> &'static str {
                match self { $($ty::$v => $cap),* }
            }
            /// Parses the API's word (or CAP's: case does not matter).
            pub fn parse(field: &'static str, v: &str) -> Result<$ty, FieldError> {
                match v.trim().to_ascii_lowercase().replace(' ', "_").as_str() {
                    $($api => Ok($ty::$v),)*
                    _ => Err(FieldError::new(
                        field,
                        format!("one of {}", [$($api),*].join(", ")),
                    )),
                }
            }
        }
    };
}

words!(Severity { Extreme => "extreme", "Extreme", Severe => "severe", "Severe", Moderate => "moderate", "Moderate", Minor => "minor", "Minor" });
words!(Urgency { Immediate => "immediate", "Immediate", Expected => "expected", "Expected", Future => "future", "Future", Past => "past", "Past", Unknown => "unknown", "Unknown" });
words!(Certainty { Observed => "observed", "Observed", Likely => "likely", "Likely", Possible => "possible", "Possible", Unlikely => "unlikely", "Unlikely", Unknown => "unknown", "Unknown" });
words!(FoundBy { DrugChecking => "drug_checking", "drug checking", Seizure => "seizure", "seizure", Deaths => "deaths", "deaths", Signal => "signal", "signal", Other => "other", "other" });

/// A text in bokmål, and in English when it has been written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Text {
    pub nb: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub en: Option<String>,
}

impl Text {
    /// The text in `lang` (`nb` or `en`), falling back to bokmål.
    pub fn get(&self, lang: &str) -> &str {
        match (&self.en, lang) {
            (Some(en), "en") => en,
            _ => &self.nb,
        }
    }
}

/// Where a warning applies: a municipality (`0301`), a county (`county:46`) or the whole
/// country (`national`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Area {
    National,
    County(String),
    Municipality(String),
}

impl Area {
    /// Parses `0301`, `county:46` or `national` against the reference data.
    pub fn parse(field: &'static str, v: &str) -> Result<Area, FieldError> {
        let v = v.trim();
        let refdata = crate::refdata::get();
        if v == "national" {
            Ok(Area::National)
        } else if let Some(c) = v.strip_prefix("county:") {
            if refdata.fylker().iter().any(|f| f.fylkesnummer == c) {
                Ok(Area::County(c.to_owned()))
            } else {
                Err(FieldError::new(
                    field,
                    "an area is a municipality number (0301), a county as county:NN (county:46) or national; no county has this number",
                ))
            }
        } else if refdata.kommune(v).is_some() {
            Ok(Area::Municipality(v.to_owned()))
        } else {
            Err(FieldError::new(
                field,
                "an area is a municipality number (0301), a county as county:NN (county:46) or national; no municipality has this number",
            ))
        }
    }

    /// The code as the API writes it.
    pub fn code(&self) -> String {
        match self {
            Area::National => "national".into(),
            Area::County(c) => format!("county:{c}"),
            Area::Municipality(m) => m.clone(),
        }
    }

    /// The county the area lies in (none for the whole country).
    pub fn county(&self) -> Option<String> {
        match self {
            Area::National => None,
            Area::County(c) => Some(c.clone()),
            Area::Municipality(m) => crate::refdata::get()
                .kommune(m)
                .map(|k| k.fylkesnummer.clone()),
        }
    }

    /// The area's name in `lang` (Norway / Norge, the county's or municipality's name).
    pub fn name(&self, lang: &str) -> String {
        let refdata = crate::refdata::get();
        match self {
            Area::National => if lang == "en" {
                "Norway"
            } else {
                "Hele landet"
            }
            .to_owned(),
            Area::County(c) => refdata
                .fylker()
                .iter()
                .find(|f| &f.fylkesnummer == c)
                .map_or_else(|| c.clone(), |f| f.name.clone()),
            Area::Municipality(m) => refdata
                .kommune(m)
                .map_or_else(|| m.clone(), |k| k.name.clone()),
        }
    }

    /// Whether a warning for `self` concerns a subscriber of `other`: the same place, one
    /// inside the other, or either the whole country.
    pub fn overlaps(&self, other: &Area) -> bool {
        match (self, other) {
            (Area::National, _) | (_, Area::National) => true,
            (a, b) if a == b => true,
            (Area::Municipality(_), Area::County(c)) | (Area::County(c), Area::Municipality(_)) => {
                self.county().as_deref() == Some(c.as_str())
                    && other.county().as_deref() == Some(c.as_str())
            }
            _ => false,
        }
    }
}

impl TryFrom<String> for Area {
    type Error = String;
    fn try_from(v: String) -> Result<Self, Self::Error> {
        Area::parse("areas", &v).map_err(|e| e.rule)
    }
}

impl From<Area> for String {
    fn from(a: Area) -> String {
        a.code()
    }
}

/// The content of one version: everything the editor writes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Content {
    pub title: Text,
    /// The substance's id in the reference list ([`crate::substances`]).
    pub substance: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sold_as: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub found_by: Option<FoundBy>,
    pub areas: Vec<Area>,
    pub severity: Severity,
    pub urgency: Urgency,
    pub certainty: Certainty,
    pub description: Text,
    pub advice_public: Text,
    pub advice_services: Text,
    /// When the warning stops being in force.
    pub expires: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signal_id: Option<String>,
    /// A drill: shown only to staff, CAP `status` Exercise.
    #[serde(default)]
    pub exercise: bool,
}

impl Content {
    /// The texts that have no English yet (field names), for the editor's page.
    pub fn missing_english(&self) -> Vec<&'static str> {
        [
            ("title", &self.title),
            ("description", &self.description),
            ("advice_public", &self.advice_public),
            ("advice_services", &self.advice_services),
        ]
        .into_iter()
        .filter(|(_, t)| t.en.is_none())
        .map(|(f, _)| f)
        .collect()
    }
}

/// Who did something: the user's id and name as they were then.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub id: i64,
    pub name: String,
}

/// An approval (or a cancellation's author and time).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stamp {
    pub by: Actor,
    pub at: Timestamp,
}

/// One version of a warning.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Version {
    pub number: u32,
    pub content: Content,
    pub drafted: Stamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approved: Option<Stamp>,
}

/// A cancellation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cancellation {
    pub by: Actor,
    pub at: Timestamp,
    pub reason: String,
}

/// An event of a warning's stream (the body stored in the event log).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    /// A version drafted (the first, or an update of the warning).
    Drafted { version: u32, content: Box<Content> },
    /// A version approved and published.
    Approved { version: u32 },
    /// The warning cancelled.
    Cancelled { reason: String },
}

impl Event {
    /// The event kind in the log (`warnings.{verb}`).
    pub fn kind(&self) -> &'static str {
        match self {
            Event::Drafted { .. } => "warnings.drafted",
            Event::Approved { .. } => "warnings.approved",
            Event::Cancelled { .. } => "warnings.cancelled",
        }
    }
}

/// Why a step is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// The same person may never both write and approve a version (403).
    #[error("the author of a version may not approve it; another warning-approver must")]
    OwnVersion,
    /// The step does not fit the warning's state (409 / 422), with field and rule.
    #[error("{0}")]
    State(FieldError),
}

/// Where a warning is in its life, at a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Never approved.
    Draft,
    /// Approved, not expired, not cancelled.
    Published,
    Expired,
    Cancelled,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Published => "published",
            Status::Expired => "expired",
            Status::Cancelled => "cancelled",
        }
    }
}

/// A warning: its versions and whether it was cancelled.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Warning {
    pub id: String,
    pub versions: Vec<Version>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancelled: Option<Cancellation>,
}

impl Warning {
    /// A warning with no versions yet.
    pub fn new(id: impl Into<String>) -> Warning {
        Warning {
            id: id.into(),
            versions: Vec::new(),
            cancelled: None,
        }
    }

    /// The latest approved version: what the public sees while it is in force.
    pub fn published(&self) -> Option<&Version> {
        self.versions.iter().rev().find(|v| v.approved.is_some())
    }

    /// Every approved version, oldest first (the CAP `references` of a later message).
    pub fn approved_versions(&self) -> impl Iterator<Item = &Version> {
        self.versions.iter().filter(|v| v.approved.is_some())
    }

    /// The latest version, if it waits for approval.
    pub fn pending(&self) -> Option<&Version> {
        self.versions.last().filter(|v| v.approved.is_none())
    }

    /// The latest version (draft or approved).
    pub fn latest(&self) -> Option<&Version> {
        self.versions.last()
    }

    /// The warning's status at `now`.
    pub fn status(&self, now: Timestamp) -> Status {
        if self.cancelled.is_some() {
            return Status::Cancelled;
        }
        match self.published() {
            None => Status::Draft,
            Some(v) if v.content.expires <= now => Status::Expired,
            Some(_) => Status::Published,
        }
    }

    /// Whether the public sees it in force at `now`: published, not expired, not cancelled,
    /// not a drill.
    pub fn public_in_force(&self, now: Timestamp) -> bool {
        self.status(now) == Status::Published
            && self.published().is_some_and(|v| !v.content.exercise)
    }

    /// Whether the public sees it at all (in the archive too): approved once, not a drill.
    pub fn public(&self) -> bool {
        self.published().is_some_and(|v| !v.content.exercise)
    }

    /// The last moment anything happened to the warning.
    pub fn updated(&self) -> Option<Timestamp> {
        let last = self
            .versions
            .iter()
            .flat_map(|v| [Some(v.drafted.at), v.approved.as_ref().map(|a| a.at)])
            .flatten()
            .max();
        match (&self.cancelled, last) {
            (Some(c), Some(l)) => Some(c.at.max(l)),
            (Some(c), None) => Some(c.at),
            (None, l) => l,
        }
    }

    /// The number a new version gets, or why no version may be drafted now.
    pub fn check_draft(&self) -> Result<u32, Refusal> {
        if self.cancelled.is_some() {
            return Err(Refusal::State(FieldError::new(
                "status",
                "a cancelled warning cannot be updated; write a new warning",
            )));
        }
        Ok(self.versions.len() as u32 + 1)
    }

    /// Whether `by` may approve `version` now: the latest version, not yet approved, not
    /// written by `by`, and the warning not cancelled.
    pub fn check_approve(&self, version: u32, by: &Actor) -> Result<(), Refusal> {
        if self.cancelled.is_some() {
            return Err(Refusal::State(FieldError::new(
                "status",
                "the warning is cancelled",
            )));
        }
        let Some(pending) = self.pending() else {
            return Err(Refusal::State(FieldError::new(
                "version",
                "no version waits for approval",
            )));
        };
        if pending.number != version {
            return Err(Refusal::State(FieldError::new(
                "version",
                "only the latest version can be approved",
            )));
        }
        if pending.drafted.by.id == by.id {
            return Err(Refusal::OwnVersion);
        }
        Ok(())
    }

    /// Whether the warning may be cancelled now: published once and not cancelled already.
    pub fn check_cancel(&self) -> Result<(), Refusal> {
        if self.cancelled.is_some() {
            return Err(Refusal::State(FieldError::new(
                "status",
                "the warning is cancelled already",
            )));
        }
        if self.published().is_none() {
            return Err(Refusal::State(FieldError::new(
                "status",
                "only a published warning can be cancelled",
            )));
        }
        Ok(())
    }

    /// Checks `event` by `by` against the state (the rules above).
    pub fn check(&self, event: &Event, by: &Actor) -> Result<(), Refusal> {
        match event {
            Event::Drafted { version, .. } => {
                let next = self.check_draft()?;
                if *version != next {
                    return Err(Refusal::State(FieldError::new(
                        "version",
                        "the warning changed since it was read; load it again",
                    )));
                }
                Ok(())
            }
            Event::Approved { version } => self.check_approve(*version, by),
            Event::Cancelled { .. } => self.check_cancel(),
        }
    }

    /// Applies an event recorded by `by` at `at` (replay does not check again).
    pub fn apply(&mut self, event: &Event, by: Actor, at: Timestamp) {
        match event {
            Event::Drafted { version, content } => self.versions.push(Version {
                number: *version,
                content: (**content).clone(),
                drafted: Stamp { by, at },
                approved: None,
            }),
            Event::Approved { version } => {
                if let Some(v) = self.versions.iter_mut().find(|v| v.number == *version) {
                    v.approved = Some(Stamp { by, at });
                }
            }
            Event::Cancelled { reason } => {
                self.cancelled = Some(Cancellation {
                    by,
                    at,
                    reason: reason.clone(),
                })
            }
        }
    }
}

/// Whether a subscriber of `areas` (empty: every area) and `min_severity` (none: every
/// severity) is sent `content`.
pub fn subscriber_matches(
    areas: &[Area],
    min_severity: Option<Severity>,
    content: &Content,
) -> bool {
    let severe_enough = min_severity.is_none_or(|m| content.severity <= m);
    let somewhere = areas.is_empty()
        || areas
            .iter()
            .any(|a| content.areas.iter().any(|w| w.overlaps(a)));
    severe_enough && somewhere
}

/// The first retry's delay after a failed delivery, in milliseconds.
pub const RETRY_FIRST_MS: i64 = 5_000;
/// The longest delay between two attempts.
pub const RETRY_MAX_MS: i64 = 3_600_000;
/// How long a delivery is retried before it is given up: at least a day.
pub const RETRY_FOR_MS: i64 = 24 * 3_600_000;

/// When to try a failed delivery again: exponential back-off (5 s, 10 s, 20 s, … at most an
/// hour) after `attempts` failed attempts, spread by `jitter` in `[0, 1)` to ±25 % so that
/// many deliveries do not retry in step; `None` once the delivery, created at `created_ms`,
/// has been retried for [`RETRY_FOR_MS`].
pub fn next_attempt(attempts: i64, created_ms: i64, now_ms: i64, jitter: f64) -> Option<i64> {
    if now_ms - created_ms >= RETRY_FOR_MS {
        return None;
    }
    let exp = u32::try_from(attempts.clamp(1, 40) - 1).unwrap_or(0);
    let base = RETRY_FIRST_MS
        .saturating_mul(2_i64.saturating_pow(exp))
        .min(RETRY_MAX_MS);
    let spread = 0.75 + 0.5 * jitter.clamp(0.0, 1.0);
    Some(now_ms + (base as f64 * spread) as i64)
}

#[cfg(test)]
mod tests;
