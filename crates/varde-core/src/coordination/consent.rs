//! A consent as recorded: the person, who may see (an organisation, or the members of one
//! responsibility group), what (a [`Scope`]), for which purpose, from and until (required),
//! and how it was given (written or oral, recorded by the user who records it). Withdrawal is
//! immediate; a consent is in force only from its first to its last day and never after it is
//! withdrawn.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::Scope;
use crate::fields::{self, FieldError};

/// The longest purpose, in characters.
pub const PURPOSE_MAX: usize = 500;

/// How a consent was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GivenHow {
    Written,
    Oral,
}

impl GivenHow {
    pub fn as_str(self) -> &'static str {
        match self {
            GivenHow::Written => "written",
            GivenHow::Oral => "oral",
        }
    }
    pub fn parse(s: &str) -> Option<GivenHow> {
        match s.trim() {
            "written" => Some(GivenHow::Written),
            "oral" => Some(GivenHow::Oral),
            _ => None,
        }
    }
}

/// Who may see: an organisation, or the members of one responsibility group (a plan's).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "id")]
pub enum Grantee {
    Org(i64),
    Group(i64),
}

/// A consent's fields as typed (a form or a JSON body).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ConsentInput {
    pub scope: String,
    /// An organisation's id, or empty when the grantee is a group.
    pub grantee_org: String,
    /// A plan's id (its responsibility group), or empty when the grantee is an organisation.
    pub grantee_group: String,
    pub purpose: String,
    pub valid_from: String,
    pub valid_until: String,
    pub given_how: String,
}

/// A checked consent, ready to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewConsent {
    pub scope: Scope,
    pub grantee: Grantee,
    pub purpose: String,
    pub valid_from: Date,
    pub valid_until: Date,
    pub given_how: GivenHow,
}

fn id(field: &'static str, v: &str) -> Result<Option<i64>, FieldError> {
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

/// Checks a consent's fields, every rule at once. `today` is the first day when `valid_from`
/// is empty. The grantee's existence (an organisation, a plan's group) is the store's to
/// check.
pub fn check(input: &ConsentInput, today: Date) -> Result<NewConsent, Vec<FieldError>> {
    let mut errors = Vec::new();
    let scope = Scope::parse(&input.scope);
    if scope.is_none() {
        errors.push(FieldError::new(
            "scope",
            "one of plan, discharge_notice, overdose_notice, pathway_status",
        ));
    }
    let org = id("grantee_org", &input.grantee_org).map_err(|e| errors.push(e));
    let group = id("grantee_group", &input.grantee_group).map_err(|e| errors.push(e));
    let grantee = match (org, group) {
        (Ok(Some(o)), Ok(None)) => Some(Grantee::Org(o)),
        (Ok(None), Ok(Some(g))) => Some(Grantee::Group(g)),
        (Ok(_), Ok(_)) => {
            errors.push(FieldError::new(
                "grantee_org",
                "name either an organisation or a responsibility group, not both or neither",
            ));
            None
        }
        _ => None,
    };
    let purpose = match fields::safe_text("purpose", &input.purpose, PURPOSE_MAX) {
        Ok(Some(p)) => Some(p),
        Ok(None) => {
            errors.push(FieldError::new("purpose", "must not be empty"));
            None
        }
        Err(e) => {
            errors.push(e);
            None
        }
    };
    let from = if input.valid_from.trim().is_empty() {
        Some(today)
    } else {
        fields::date("valid_from", &input.valid_from)
            .map_err(|e| errors.push(e))
            .ok()
    };
    let until = fields::required_date(
        "valid_until",
        &input.valid_until,
        "a consent must have an end date",
    )
    .map_err(|e| errors.push(e))
    .ok();
    if let (Some(f), Some(u)) = (from, until) {
        if u < f {
            errors.push(FieldError::new(
                "valid_until",
                "must not be before the first day",
            ));
        } else if u < today {
            errors.push(FieldError::new("valid_until", "must not be in the past"));
        }
    }
    let how = GivenHow::parse(&input.given_how);
    if how.is_none() {
        errors.push(FieldError::new("given_how", "one of written, oral"));
    }
    match (scope, grantee, purpose, from, until, how) {
        (Some(scope), Some(grantee), Some(purpose), Some(f), Some(u), Some(how))
            if errors.is_empty() =>
        {
            Ok(NewConsent {
                scope,
                grantee,
                purpose,
                valid_from: f,
                valid_until: u,
                given_how: how,
            })
        }
        _ => Err(errors),
    }
}

/// Whether a consent from `from` to `until`, withdrawn or not, is in force on `day`.
pub fn in_force(from: Date, until: Date, withdrawn: bool, day: Date) -> bool {
    !withdrawn && from <= day && day <= until
}
