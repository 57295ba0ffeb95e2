//! Agreements with relatives (pårørendeavtale) of a person with an individual plan: who the
//! relative is (name, contact), the relation, what may be shared with them (named
//! [`Scope`]s, as a consent's; there is no "everything"), the person's consent to it (how it
//! was given and on which day; who recorded it is the recording user) and a review date,
//! which is required and not in the past. An agreement ends (it has run its course) or is
//! withdrawn (the person takes the consent back); either is an event. A relative with an
//! agreement in force can be made a member of the plan's responsibility group.
//!
//! Sources: pasient- og brukerrettighetsloven § 3-3 (the relative's right to information,
//! with the patient's consent) and the national guideline on relatives in the health and care
//! services (IS-2587); the sources are silent on a review interval, so the agreement carries
//! its own review date and the worklist shows it [`REVIEW_DAYS`] days ahead.

use jiff::civil::Date;
use jiff::ToSpan;
use serde::{Deserialize, Serialize};

use super::consent::GivenHow;
use super::Scope;
use crate::fields::{self, FieldError};

/// A review this many days ahead, or past, is on the coordinator's worklist.
pub const REVIEW_DAYS: i64 = 30;
/// The longest name, contact or reason, in characters.
pub const TEXT_MAX: usize = 200;

/// The relative's relation to the person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Relation {
    Partner,
    Parent,
    Child,
    Sibling,
    OtherFamily,
    Friend,
    Other,
}

impl Relation {
    pub const ALL: [Relation; 7] = [
        Relation::Partner,
        Relation::Parent,
        Relation::Child,
        Relation::Sibling,
        Relation::OtherFamily,
        Relation::Friend,
        Relation::Other,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Relation::Partner => "partner",
            Relation::Parent => "parent",
            Relation::Child => "child",
            Relation::Sibling => "sibling",
            Relation::OtherFamily => "other_family",
            Relation::Friend => "friend",
            Relation::Other => "other",
        }
    }
    pub fn parse(s: &str) -> Option<Relation> {
        Relation::ALL.into_iter().find(|r| r.as_str() == s.trim())
    }
}

/// An agreement's fields as typed (a form or a JSON body).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct AgreementInput {
    pub name: String,
    pub contact: String,
    pub relation: String,
    /// The scopes that may be shared, by name.
    pub scopes: Vec<String>,
    /// How the person gave consent: written or oral.
    pub consent_how: String,
    /// The day the person consented (empty: today).
    pub consent_on: String,
    pub review_on: String,
}

/// A checked agreement, ready to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAgreement {
    pub name: String,
    pub contact: Option<String>,
    pub relation: Relation,
    pub scopes: Vec<Scope>,
    pub consent_how: GivenHow,
    pub consent_on: Date,
    pub review_on: Date,
}

/// Checks an agreement's fields, every rule at once: a name; a contact if any; a relation; at
/// least one named scope, each once; how and when the person consented (not in the future);
/// a review date not in the past and not before the consent.
pub fn check(input: &AgreementInput, today: Date) -> Result<NewAgreement, Vec<FieldError>> {
    let mut errors = Vec::new();
    let name = match fields::safe_text("name", &input.name, TEXT_MAX) {
        Ok(Some(n)) => Some(n),
        Ok(None) => {
            errors.push(FieldError::new("name", "must not be empty"));
            None
        }
        Err(e) => {
            errors.push(e);
            None
        }
    };
    let contact = fields::safe_text("contact", &input.contact, TEXT_MAX)
        .map_err(|e| errors.push(e))
        .ok()
        .flatten();
    let relation = Relation::parse(&input.relation);
    if relation.is_none() {
        errors.push(FieldError::new(
            "relation",
            "one of partner, parent, child, sibling, other_family, friend, other",
        ));
    }
    let mut scopes = Vec::new();
    for s in input.scopes.iter().filter(|s| !s.trim().is_empty()) {
        match Scope::parse(s) {
            Some(x) if !scopes.contains(&x) => scopes.push(x),
            Some(_) => {}
            None => {
                errors.push(FieldError::new(
                    "scopes",
                    "each one of plan, discharge_notice, overdose_notice, pathway_status",
                ));
                break;
            }
        }
    }
    if scopes.is_empty() && !errors.iter().any(|e| e.field == "scopes") {
        errors.push(FieldError::new(
            "scopes",
            "name at least one thing that may be shared",
        ));
    }
    let how = GivenHow::parse(&input.consent_how);
    if how.is_none() {
        errors.push(FieldError::new("consent_how", "one of written, oral"));
    }
    let consent_on = if input.consent_on.trim().is_empty() {
        Some(today)
    } else {
        fields::past_date("consent_on", &input.consent_on, today)
            .map_err(|e| errors.push(e))
            .ok()
    };
    let review_on = fields::required_date(
        "review_on",
        &input.review_on,
        "an agreement must have a review date",
    )
    .map_err(|e| errors.push(e))
    .ok();
    if let Some(r) = review_on {
        if r < today {
            errors.push(FieldError::new("review_on", "must not be in the past"));
        } else if consent_on.is_some_and(|c| r < c) {
            errors.push(FieldError::new(
                "review_on",
                "must not be before the consent",
            ));
        }
    }
    match (name, relation, how, consent_on, review_on) {
        (Some(name), Some(relation), Some(consent_how), Some(consent_on), Some(review_on))
            if errors.is_empty() =>
        {
            Ok(NewAgreement {
                name,
                contact,
                relation,
                scopes,
                consent_how,
                consent_on,
                review_on,
            })
        }
        _ => Err(errors),
    }
}

/// How an agreement stops.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Ending {
    /// It has run its course (the relation ended, the plan closed).
    Ended,
    /// The person took the consent back.
    Withdrawn,
}

impl Ending {
    pub fn as_str(self) -> &'static str {
        match self {
            Ending::Ended => "ended",
            Ending::Withdrawn => "withdrawn",
        }
    }
    pub fn parse(s: &str) -> Option<Ending> {
        match s.trim() {
            "ended" => Some(Ending::Ended),
            "withdrawn" => Some(Ending::Withdrawn),
            _ => None,
        }
    }
}

/// Checks an ending: how, and an optional reason.
pub fn ending(how: &str, reason: &str) -> Result<(Ending, Option<String>), Vec<FieldError>> {
    let mut errors = Vec::new();
    let e = Ending::parse(how);
    if e.is_none() {
        errors.push(FieldError::new("ending", "one of ended, withdrawn"));
    }
    let reason = fields::safe_text("reason", reason, TEXT_MAX)
        .map_err(|e| errors.push(e))
        .ok()
        .flatten();
    match e {
        Some(e) if errors.is_empty() => Ok((e, reason)),
        _ => Err(errors),
    }
}

/// Whether an agreement in force with review date `review_on` is due for review on `today`:
/// within [`REVIEW_DAYS`] days, or past.
pub fn review_due(review_on: Date, today: Date) -> bool {
    review_on <= today.saturating_add(REVIEW_DAYS.days())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use jiff::civil::date;

    const TODAY: Date = date(2026, 12, 7);

    fn input() -> AgreementInput {
        AgreementInput {
            name: "Kari Nordmann".into(),
            contact: "kari@example.no".into(),
            relation: "parent".into(),
            scopes: vec!["plan".into(), "discharge_notice".into()],
            consent_how: "written".into(),
            consent_on: "2026-12-01".into(),
            review_on: "2027-06-01".into(),
        }
    }

    fn fields_of(r: Result<NewAgreement, Vec<FieldError>>) -> Vec<String> {
        r.unwrap_err()
            .into_iter()
            .map(|e| e.field.to_string())
            .collect()
    }

    #[test]
    fn relatives_a_whole_agreement_is_accepted() {
        let a = check(&input(), TODAY).unwrap();
        assert_eq!(a.relation, Relation::Parent);
        assert_eq!(a.scopes, vec![Scope::Plan, Scope::DischargeNotice]);
        assert_eq!(a.consent_on, date(2026, 12, 1));
        assert_eq!(a.contact.as_deref(), Some("kari@example.no"));
    }

    #[test]
    fn relatives_review_date_is_required_and_not_in_the_past() {
        let mut i = input();
        i.review_on = String::new();
        assert_eq!(fields_of(check(&i, TODAY)), vec!["review_on"]);
        i.review_on = "2026-12-06".into();
        assert_eq!(fields_of(check(&i, TODAY)), vec!["review_on"]);
        i.review_on = "2026-12-07".into();
        assert!(check(&i, TODAY).is_ok());
    }

    #[test]
    fn relatives_scopes_are_named_and_required() {
        let mut i = input();
        i.scopes = vec![];
        assert_eq!(fields_of(check(&i, TODAY)), vec!["scopes"]);
        i.scopes = vec!["everything".into()];
        assert_eq!(fields_of(check(&i, TODAY)), vec!["scopes"]);
        i.scopes = vec!["plan".into(), "plan".into()];
        assert_eq!(check(&i, TODAY).unwrap().scopes, vec![Scope::Plan]);
    }

    #[test]
    fn relatives_consent_is_not_in_the_future_and_every_rule_is_told_at_once() {
        let i = AgreementInput {
            consent_on: "2026-12-08".into(),
            name: " ".into(),
            relation: "neighbour".into(),
            consent_how: "nodded".into(),
            ..input()
        };
        let f = fields_of(check(&i, TODAY));
        for x in ["name", "relation", "consent_how", "consent_on"] {
            assert!(f.contains(&x.to_owned()), "{x} in {f:?}");
        }
    }

    #[test]
    fn relatives_identity_numbers_are_refused_in_free_text() {
        let nid = crate::ids::synth::with_control_digits("018190123").unwrap();
        let i = AgreementInput {
            contact: format!("tlf {nid}"),
            ..input()
        };
        assert_eq!(fields_of(check(&i, TODAY)), vec!["contact"]);
    }

    #[test]
    fn relatives_review_is_due_thirty_days_ahead_or_past() {
        assert!(review_due(date(2027, 1, 6), TODAY));
        assert!(!review_due(date(2027, 1, 7), TODAY));
        assert!(review_due(date(2026, 11, 1), TODAY));
    }

    #[test]
    fn relatives_endings_are_named() {
        assert_eq!(ending("withdrawn", "").unwrap(), (Ending::Withdrawn, None));
        assert!(ending("paused", "").is_err());
    }
}
