//! Municipal advisory units for drug cases (rådgivende enhet for russaker, helse- og
//! omsorgstjenesteloven § 3-9 b): how a case comes in, the condition it follows, and the
//! rules every step of the case keeps.
//!
//! A case opens by one of four routes ([`Route`]). Only a decision of the prosecution or a
//! court (betinget påtaleunnlatelse med særvilkår, or a youth follow-up) sets a *condition*
//! ([`Decision`]): the number of meetings (1–3), the period (at most three months from the
//! decision) and any drug testing (ruskontroll, straffeloven § 37 first paragraph d: the test
//! type, how often and until when, at most three months — the limits the drug-reform
//! committee proposed for påtaleinstruksen, Meld. St. 5 (2024–2025) ch. 1.5, seeds
//! `000_…txt` lines 152–153 and 732). The route decides which rules apply, and where each comes
//! from is recorded with the case ([`Opening::legal_basis`]).
//!
//! Age is computed from the birth date on the day of each event ([`age_on`]) and never
//! stored: a person who turns 18 during a case is an adult from that day, and their guardians
//! are no longer summoned. The rest of a case — meetings, consent, tests, outreach, the report,
//! referrals, closing — is [`case`]; the unit's worklist is [`worklist`].
//!
//! Every refusal is a [`FieldError`] naming the field and the rule, never the value.

pub mod advice;
pub mod case;
pub mod codes;
pub mod erasure;
pub mod statistics;
pub mod worklist;

#[cfg(test)]
mod erasure_tests;
#[cfg(test)]
mod statistics_tests;
#[cfg(test)]
mod tests;

use jiff::civil::Date;
use jiff::ToSpan;
use serde::{Deserialize, Serialize};

use crate::fields::{self, FieldError};

pub use case::{
    AttendanceStatus, Case, ClosingOutcome, Entry, MeetingKind, OutreachMeans, OutreachMinimum,
    OutreachOutcome, ReferralTo, Report, TestResult, TestingReport,
};

/// The most meetings a condition may require.
pub const MAX_MEETINGS: u8 = 3;
/// The longest a condition (its period, its drug testing) may run from the decision, in months.
pub const MAX_MONTHS: i8 = 3;
/// The longest a decision reference may be, in characters.
pub const REFERENCE_MAX: usize = 64;
/// The age of majority: under it, guardians are summoned too.
pub const ADULT_AGE: i16 = 18;

/// How a case comes to the unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Route {
    /// A decision of the prosecution or a court setting attendance as a condition.
    ProsecutionCondition,
    /// The police decided not to investigate, or dropped the case.
    PoliceNoInvestigation,
    /// A young person seen at the emergency ward after intoxication or overdose.
    EmergencyWard,
    /// The person, a relative, a school or another service asked.
    Voluntary,
}

impl Route {
    pub const ALL: [Route; 4] = [
        Route::ProsecutionCondition,
        Route::PoliceNoInvestigation,
        Route::EmergencyWard,
        Route::Voluntary,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Route::ProsecutionCondition => "prosecution_condition",
            Route::PoliceNoInvestigation => "police_no_investigation",
            Route::EmergencyWard => "emergency_ward",
            Route::Voluntary => "voluntary",
        }
    }

    pub fn parse(field: &'static str, v: &str) -> Result<Route, FieldError> {
        Route::ALL
            .into_iter()
            .find(|r| r.as_str() == v.trim())
            .ok_or_else(|| {
                FieldError::new(
                    field,
                    "one of prosecution_condition, police_no_investigation, emergency_ward, voluntary",
                )
            })
    }

    /// Where the rules of a case of this route come from (recorded with the case).
    pub fn legal_basis(self, testing: bool) -> &'static str {
        match (self, testing) {
            (Route::ProsecutionCondition, true) => {
                "helse- og omsorgstjenesteloven § 3-9 b; straffeloven § 37 første ledd bokstav d (ruskontroll); påtaleinstruksen (inntil tre møter og ruskontroll i inntil tre måneder)"
            }
            (Route::ProsecutionCondition, false) => {
                "helse- og omsorgstjenesteloven § 3-9 b; vilkår om oppmøte ved betinget påtaleunnlatelse; påtaleinstruksen (inntil tre møter i inntil tre måneder)"
            }
            (Route::PoliceNoInvestigation, _) => {
                "helse- og omsorgstjenesteloven § 3-9 b; politiets beslutning om ikke å etterforske eller å henlegge: frivillig oppmøte"
            }
            (Route::EmergencyWard, _) | (Route::Voluntary, _) => {
                "helse- og omsorgstjenesteloven § 3-9 b; frivillig kontakt: helsehjelp bare med samtykke (pasient- og brukerrettighetsloven kap. 4)"
            }
        }
    }

    /// Whether the route comes with a condition set by a decision.
    pub fn has_condition(self) -> bool {
        self == Route::ProsecutionCondition
    }
}

/// The kinds of drug test a condition names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TestType {
    Urine,
    Saliva,
    Hair,
    Breath,
}

impl TestType {
    pub const ALL: [TestType; 4] = [
        TestType::Urine,
        TestType::Saliva,
        TestType::Hair,
        TestType::Breath,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TestType::Urine => "urine",
            TestType::Saliva => "saliva",
            TestType::Hair => "hair",
            TestType::Breath => "breath",
        }
    }
}

/// Drug testing as a condition (ruskontroll, straffeloven § 37 first paragraph d).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Testing {
    pub test_type: TestType,
    /// How often a test is taken, in days.
    pub interval_days: u16,
    /// The last day of testing: at most three months after the decision.
    pub until: Date,
}

/// The condition a decision sets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    /// The prosecution's or the court's reference.
    pub reference: String,
    pub decided_on: Date,
    /// 1–3.
    pub meetings_required: u8,
    /// The last day of the period: at most three months after the decision.
    pub period_end: Date,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drug_testing: Option<Testing>,
}

/// A case as it opened: its route, its condition and where its rules come from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Opening {
    pub route: Route,
    pub opened_on: Date,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision: Option<Decision>,
    pub legal_basis: String,
}

/// Unchecked drug testing, as the API body and the form carry it.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct TestingInput {
    #[serde(default)]
    pub test_type: String,
    #[serde(default)]
    pub interval_days: Option<i64>,
    #[serde(default)]
    pub until: String,
}

/// An unchecked decision.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct DecisionInput {
    #[serde(default)]
    pub reference: String,
    #[serde(default)]
    pub decided_on: String,
    #[serde(default)]
    pub meetings_required: Option<i64>,
    #[serde(default)]
    pub period_end: String,
    #[serde(default)]
    pub drug_testing: Option<TestingInput>,
}

/// The last day a condition may run to: three months after the decision.
pub fn latest_end(decided_on: Date) -> Date {
    decided_on
        .checked_add(i64::from(MAX_MONTHS).months())
        .unwrap_or(decided_on)
}

impl DecisionInput {
    /// Checks a decision: its reference, its date (not after today), 1–3 meetings, a period
    /// ending after the decision and at most three months from it, and drug testing of a
    /// known type, a positive interval and an end within the same three months.
    pub fn parse(&self, today: Date) -> Result<Decision, FieldError> {
        let reference = fields::safe_text("decision.reference", &self.reference, REFERENCE_MAX)?
            .ok_or_else(|| FieldError::new("decision.reference", "the decision's reference"))?;
        let decided_on = fields::past_date("decision.decided_on", &self.decided_on, today)?;
        let meetings_required = match self.meetings_required {
            Some(n) if (1..=i64::from(MAX_MEETINGS)).contains(&n) => n as u8,
            _ => {
                return Err(FieldError::new(
                    "decision.meetings_required",
                    "1 to 3 meetings (påtaleinstruksen: at most three)",
                ))
            }
        };
        let latest = latest_end(decided_on);
        let period_end = fields::date("decision.period_end", &self.period_end)?;
        if period_end < decided_on {
            return Err(FieldError::new(
                "decision.period_end",
                "not before the decision",
            ));
        }
        if period_end > latest {
            return Err(FieldError::new(
                "decision.period_end",
                "at most three months after the decision",
            ));
        }
        let drug_testing = match &self.drug_testing {
            None => None,
            Some(t) => Some(t.parse(decided_on)?),
        };
        Ok(Decision {
            reference,
            decided_on,
            meetings_required,
            period_end,
            drug_testing,
        })
    }
}

impl TestingInput {
    fn parse(&self, decided_on: Date) -> Result<Testing, FieldError> {
        let test_type = TestType::ALL
            .into_iter()
            .find(|t| t.as_str() == self.test_type.trim())
            .ok_or_else(|| {
                FieldError::new(
                    "decision.drug_testing.test_type",
                    "one of urine, saliva, hair, breath",
                )
            })?;
        let interval_days = match self.interval_days {
            Some(n) if (1..=92).contains(&n) => n as u16,
            _ => {
                return Err(FieldError::new(
                    "decision.drug_testing.interval_days",
                    "a number of days from 1 to 92",
                ))
            }
        };
        let until = fields::date("decision.drug_testing.until", &self.until)?;
        if until < decided_on {
            return Err(FieldError::new(
                "decision.drug_testing.until",
                "not before the decision",
            ));
        }
        if until > latest_end(decided_on) {
            return Err(FieldError::new(
                "decision.drug_testing.until",
                "drug testing at most three months after the decision (straffeloven § 37 d, påtaleinstruksen)",
            ));
        }
        Ok(Testing {
            test_type,
            interval_days,
            until,
        })
    }
}

/// Checks how a case opens: a condition only with (and always with) the prosecution's route.
pub fn open(
    route: Route,
    decision: Option<&DecisionInput>,
    today: Date,
) -> Result<Opening, FieldError> {
    let decision = match (route.has_condition(), decision) {
        (true, Some(d)) => Some(d.parse(today)?),
        (true, None) => {
            return Err(FieldError::new(
                "decision",
                "a case from the prosecution names its decision",
            ))
        }
        (false, Some(_)) => {
            return Err(FieldError::new(
                "decision",
                "only a case from the prosecution or a court has a decision with a condition",
            ))
        }
        (false, None) => None,
    };
    let testing = decision.as_ref().is_some_and(|d| d.drug_testing.is_some());
    Ok(Opening {
        route,
        opened_on: today,
        decision,
        legal_basis: route.legal_basis(testing).to_owned(),
    })
}

/// Age in whole years on `day` of a person born on `birth`.
pub fn age_on(birth: Date, day: Date) -> i16 {
    let mut age = day.year() - birth.year();
    if (day.month(), day.day()) < (birth.month(), birth.day()) {
        age -= 1;
    }
    age
}

/// Whether a person born on `birth` is a child (under 18) on `day`; unknown birth: not known
/// to be a child.
pub fn is_child_on(birth: Option<Date>, day: Date) -> bool {
    birth.is_some_and(|b| age_on(b, day) < ADULT_AGE)
}
