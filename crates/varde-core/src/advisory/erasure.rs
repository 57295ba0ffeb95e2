//! Retention and erasure of a closed case (issue 12, item 9): how long a closed case keeps its
//! personal data ([`Retention`], per unit), when it is due for erasure ([`erase_due`]), and the
//! anonymous statistics record that is all that remains of it ([`StatsRecord`]).
//!
//! The record carries no name, no identity number, no pseudonym and no case id (the access log
//! ties a case id to its person's pseudonym, so a record naming the case could be traced
//! back); only what the national statistics count: route, unit, municipality, county, age
//! group on the opening day, sex if known, the dates, the outcome and the counts.

use jiff::civil::Date;
use jiff::ToSpan;
use serde::{Deserialize, Serialize};

use super::{age_on, Case};
use crate::calendar::day_in_oslo;
use crate::fields::FieldError;

/// How long a closed case keeps its personal data, in whole years after the closing day.
///
/// The default is five years. The sources (seeds `000`–`004`) say nothing of how long an
/// advisory unit keeps a case. Five years lets a unit that meets the same young person again
/// see what was tried the last time (a new condition typically follows within a few years, if
/// at all), covers complaints and the county governor's supervision of the unit's work (the
/// general limitation period is three years, foreldelsesloven § 2) with margin, and does not
/// follow a young person far into adulthood with a drug case that ended without a sentence.
/// A unit that must keep its cases longer or shorter (its own archive rules) sets 1–20 years.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Retention {
    pub years: u8,
}

/// The default retention, in years (see [`Retention`]).
pub const DEFAULT_RETENTION_YEARS: u8 = 5;

impl Default for Retention {
    fn default() -> Self {
        Retention {
            years: DEFAULT_RETENTION_YEARS,
        }
    }
}

impl Retention {
    /// A unit's own retention: 1 to 20 years.
    pub fn new(years: i64) -> Result<Retention, FieldError> {
        if !(1..=20).contains(&years) {
            return Err(FieldError::new("retention_years", "1 to 20 years"));
        }
        Ok(Retention { years: years as u8 })
    }

    /// The first day on which a case closed on `closed_on` is erased: the same calendar day
    /// `years` later (29 February closes to 28 February in a common year).
    pub fn erase_on(self, closed_on: Date) -> Date {
        closed_on
            .checked_add(i64::from(self.years).years())
            .unwrap_or(Date::MAX)
    }
}

/// Whether a case closed on `closed_on` (none: still open, never due) is due for erasure on
/// `today` under `retention`.
pub fn erase_due(closed_on: Option<Date>, retention: Retention, today: Date) -> bool {
    closed_on.is_some_and(|c| today >= retention.erase_on(c))
}

/// The age groups of the statistics, by age on the day the case opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AgeGroup {
    Under15,
    From15To17,
    From18To25,
    Over25,
}

impl AgeGroup {
    pub fn of_age(age: i16) -> AgeGroup {
        match age {
            ..=14 => AgeGroup::Under15,
            15..=17 => AgeGroup::From15To17,
            18..=25 => AgeGroup::From18To25,
            _ => AgeGroup::Over25,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            AgeGroup::Under15 => "under_15",
            AgeGroup::From15To17 => "15_17",
            AgeGroup::From18To25 => "18_25",
            AgeGroup::Over25 => "over_25",
        }
    }
}

/// Sex as the identity number gives it (shared with the other areas' statistics).
pub use crate::persons::Sex;

/// What remains of an erased case: anonymous, for the statistics.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatsRecord {
    pub route: String,
    /// The unit's organisation id.
    pub org_id: i64,
    /// The unit's municipality number, if it has one.
    pub municipality: Option<String>,
    /// The county number of that municipality.
    pub county: Option<String>,
    pub age_group: Option<AgeGroup>,
    pub sex: Option<Sex>,
    pub opened_on: Date,
    pub decided_on: Option<Date>,
    /// The day of the first meeting the person came to (in person or remotely).
    pub first_meeting_on: Option<Date>,
    pub closed_on: Option<Date>,
    pub outcome: Option<String>,
    pub meetings_required: Option<u8>,
    pub meetings_attended: u32,
    /// Meetings the person did not come to (a case with one is a non-attending case).
    pub meetings_missed: u32,
    pub outreach_attempts: u32,
    pub tests: u32,
    pub positives: u32,
    /// The destinations referred to, in order (repeats kept: each referral counts).
    pub referrals: Vec<String>,
}

impl StatsRecord {
    /// THE record of a case, live or at its erasure: the one function both the erasure job
    /// (which stores it) and the statistics (which compute it for cases not yet erased) call,
    /// so that the two never drift and an erasure leaves the statistics unchanged. The county
    /// comes from the unit's municipality number (reference data), the sex from the person's
    /// identity number when known (read here, never kept).
    pub fn of_unit(
        case: &Case,
        org_id: i64,
        kommunenummer: Option<&str>,
        national_id: Option<&str>,
    ) -> StatsRecord {
        let county = kommunenummer
            .and_then(|k| crate::refdata::get().kommune(k))
            .map(|k| k.fylkesnummer.clone());
        StatsRecord::of(
            case,
            org_id,
            kommunenummer.map(str::to_owned),
            county,
            national_id.and_then(Sex::of_national_id),
        )
    }

    /// The record of `case` of unit `org_id` (in `municipality`, of `county`), with the
    /// person's `sex` when known. Age group from the birth date on the opening day.
    pub fn of(
        case: &Case,
        org_id: i64,
        municipality: Option<String>,
        county: Option<String>,
        sex: Option<Sex>,
    ) -> StatsRecord {
        let opening = &case.opening;
        let decision = opening.decision.as_ref();
        StatsRecord {
            route: opening.route.as_str().to_owned(),
            org_id,
            municipality,
            county,
            age_group: case
                .birth_date
                .map(|b| AgeGroup::of_age(age_on(b, opening.opened_on))),
            sex,
            opened_on: opening.opened_on,
            decided_on: decision.map(|d| d.decided_on),
            first_meeting_on: case
                .meetings
                .iter()
                .filter(|m| m.status.is_some_and(|s| s.met()))
                .map(|m| day_in_oslo(m.planned_at))
                .min(),
            closed_on: case.closed.map(|c| c.0),
            outcome: case.closed.map(|c| c.1.as_str().to_owned()),
            meetings_required: decision.map(|d| d.meetings_required),
            meetings_attended: case.meetings_attended(),
            meetings_missed: case.missed().count() as u32,
            outreach_attempts: case.outreach.len() as u32,
            tests: case.tests.len() as u32,
            positives: case
                .tests
                .iter()
                .filter(|t| t.1 == super::TestResult::Positive)
                .count() as u32,
            referrals: case
                .referrals
                .iter()
                .map(|r| r.1.as_str().to_owned())
                .collect(),
        }
    }
}
