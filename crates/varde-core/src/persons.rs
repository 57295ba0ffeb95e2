//! People known to an organisation: the first record with personal data.
//!
//! A person is registered by one organisation, which owns the record. Changes are events
//! ([`PersonEvent`]); the current record is their fold ([`PersonRecord::apply`]).

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

pub use crate::fields::FieldError;
use crate::ids::{IdPolicy, Kommunenummer, NationalId, NationalIdError};

/// Maximum length of a name, in characters.
pub const NAME_MAX: usize = 200;
/// Maximum length of a correction's reason, in characters.
pub const REASON_MAX: usize = 500;

impl From<NationalIdError> for FieldError {
    fn from(e: NationalIdError) -> Self {
        FieldError::new("national_id", e.to_string())
    }
}

/// Unchecked input for registering a person, as it comes from a form or JSON.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct NewPersonInput {
    pub national_id: String,
    pub name: String,
    #[serde(default)]
    pub birth_date: Option<String>,
    #[serde(default)]
    pub kommune: Option<String>,
}

/// A validated registration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPerson {
    pub national_id: NationalId,
    pub name: String,
    pub birth_date: Option<Date>,
    pub kommune: Option<Kommunenummer>,
}

fn parse_name(name: &str) -> Result<String, FieldError> {
    let n = name.trim();
    if n.is_empty() {
        return Err(FieldError::new("name", "must not be empty"));
    }
    if n.chars().count() > NAME_MAX {
        return Err(FieldError::new(
            "name",
            format!("at most {NAME_MAX} characters"),
        ));
    }
    if n.chars().any(char::is_control) {
        return Err(FieldError::new(
            "name",
            "must not contain control characters",
        ));
    }
    Ok(n.to_owned())
}

fn parse_date(field: &'static str, s: &str, today: Date) -> Result<Date, FieldError> {
    let d: Date = s
        .trim()
        .parse()
        .map_err(|_| FieldError::new(field, "must be a date as YYYY-MM-DD"))?;
    if d > today {
        return Err(FieldError::new(field, "must not be in the future"));
    }
    Ok(d)
}

fn parse_kommune(s: &str) -> Result<Option<Kommunenummer>, FieldError> {
    if s.trim().is_empty() {
        return Ok(None);
    }
    Kommunenummer::parse(s)
        .map(Some)
        .map_err(|e| FieldError::new("kommune", e.to_string()))
}

impl NewPersonInput {
    /// Parses the input; the birth date defaults to the one the identity number gives, and
    /// must agree with it when both are given.
    pub fn parse(&self, policy: &IdPolicy, today: Date) -> Result<NewPerson, FieldError> {
        let national_id = NationalId::parse(&self.national_id, policy)?;
        let name = parse_name(&self.name)?;
        let birth_date = match self.birth_date.as_deref().filter(|s| !s.trim().is_empty()) {
            Some(s) => {
                let d = parse_date("birth_date", s, today)?;
                if national_id.birth_date().is_some_and(|b| b != d) {
                    return Err(FieldError::new(
                        "birth_date",
                        "does not agree with the national identity number",
                    ));
                }
                Some(d)
            }
            None => national_id.birth_date(),
        };
        let kommune = parse_kommune(self.kommune.as_deref().unwrap_or(""))?;
        Ok(NewPerson {
            national_id,
            name,
            birth_date,
            kommune,
        })
    }
}

/// Unchecked input for a correction: fields left out (or empty) stay as they are.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct CorrectionInput {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub birth_date: Option<String>,
    #[serde(default)]
    pub kommune: Option<String>,
    /// Why the record is corrected. Required.
    #[serde(default)]
    pub reason: String,
}

impl CorrectionInput {
    pub fn parse(&self, today: Date) -> Result<PersonEvent, FieldError> {
        let reason = self.reason.trim();
        if reason.is_empty() {
            return Err(FieldError::new("reason", "a correction needs a reason"));
        }
        if reason.chars().count() > REASON_MAX {
            return Err(FieldError::new(
                "reason",
                format!("at most {REASON_MAX} characters"),
            ));
        }
        let some = |o: &Option<String>| {
            o.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        let name = some(&self.name).map(|n| parse_name(&n)).transpose()?;
        let birth_date = some(&self.birth_date)
            .map(|d| parse_date("birth_date", &d, today))
            .transpose()?;
        let kommune = match some(&self.kommune) {
            Some(k) => parse_kommune(&k)?.map(|k| k.as_str().to_owned()),
            None => None,
        };
        if name.is_none() && birth_date.is_none() && kommune.is_none() {
            return Err(FieldError::new(
                "name",
                "a correction must change at least one field",
            ));
        }
        Ok(PersonEvent::Corrected {
            name,
            birth_date: birth_date.map(|d| d.to_string()),
            kommune,
            reason: reason.to_owned(),
        })
    }
}

/// What happens to a person record. Stored as JSON in the event log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum PersonEvent {
    Registered {
        national_id: String,
        name: String,
        birth_date: Option<String>,
        kommune: Option<String>,
    },
    Corrected {
        name: Option<String>,
        birth_date: Option<String>,
        kommune: Option<String>,
        reason: String,
    },
}

impl PersonEvent {
    pub fn kind(&self) -> &'static str {
        match self {
            PersonEvent::Registered { .. } => "person.registered",
            PersonEvent::Corrected { .. } => "person.corrected",
        }
    }

    pub fn registered(p: &NewPerson) -> Self {
        PersonEvent::Registered {
            national_id: p.national_id.as_str().to_owned(),
            name: p.name.clone(),
            birth_date: p.birth_date.map(|d| d.to_string()),
            kommune: p.kommune.as_ref().map(|k| k.as_str().to_owned()),
        }
    }
}

/// The current state of a person record (the projection).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PersonRecord {
    pub national_id: String,
    pub name: String,
    pub birth_date: Option<String>,
    pub kommune: Option<String>,
    /// Number of corrections applied.
    pub corrections: u32,
}

impl PersonRecord {
    pub fn apply(mut self, event: &PersonEvent) -> Self {
        match event {
            PersonEvent::Registered {
                national_id,
                name,
                birth_date,
                kommune,
            } => {
                self.national_id = national_id.clone();
                self.name = name.clone();
                self.birth_date = birth_date.clone();
                self.kommune = kommune.clone();
            }
            PersonEvent::Corrected {
                name,
                birth_date,
                kommune,
                ..
            } => {
                if let Some(n) = name {
                    self.name = n.clone();
                }
                if let Some(b) = birth_date {
                    self.birth_date = Some(b.clone());
                }
                if let Some(k) = kommune {
                    self.kommune = Some(k.clone());
                }
                self.corrections += 1;
            }
        }
        self
    }
}

/// Sex as the identity number gives it: for statistics (the advisory units', the EU drugs
/// agency's treatment demand), never stored beside the person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    Female,
    Male,
}

impl Sex {
    /// The ninth digit of a fødselsnummer, D- or H-number: even for women, odd for men. None
    /// for anything that is not eleven digits.
    pub fn of_national_id(digits: &str) -> Option<Sex> {
        let b = digits.as_bytes();
        if b.len() != 11 || !b.iter().all(u8::is_ascii_digit) {
            return None;
        }
        Some(if (b[8] - b'0').is_multiple_of(2) {
            Sex::Female
        } else {
            Sex::Male
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Sex::Female => "female",
            Sex::Male => "male",
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const TODAY: Date = Date::constant(2026, 11, 24);

    #[test]
    fn registration_fills_birth_date_and_checks_fields() {
        let input = NewPersonInput {
            national_id: "03851598730".into(),
            name: " Kari Nordmann ".into(),
            kommune: Some("0301".into()),
            ..Default::default()
        };
        let p = input.parse(&IdPolicy::default(), TODAY).unwrap();
        assert_eq!(p.name, "Kari Nordmann");
        assert_eq!(p.birth_date, Some(Date::constant(2015, 5, 3)));
        let bad = NewPersonInput {
            kommune: Some("9999".into()),
            ..input.clone()
        };
        assert_eq!(
            bad.parse(&IdPolicy::default(), TODAY).unwrap_err().field,
            "kommune"
        );
        let bad = NewPersonInput {
            name: "  ".into(),
            ..input.clone()
        };
        assert_eq!(
            bad.parse(&IdPolicy::default(), TODAY).unwrap_err().field,
            "name"
        );
        let bad = NewPersonInput {
            birth_date: Some("2015-05-04".into()),
            ..input.clone()
        };
        assert_eq!(
            bad.parse(&IdPolicy::default(), TODAY).unwrap_err().field,
            "birth_date"
        );
        let bad = NewPersonInput {
            national_id: "03851598731".into(),
            ..input
        };
        assert_eq!(
            bad.parse(&IdPolicy::default(), TODAY).unwrap_err().field,
            "national_id"
        );
    }

    #[test]
    fn corrections_fold() {
        let r = PersonRecord::default()
            .apply(&PersonEvent::Registered {
                national_id: "x".into(),
                name: "A".into(),
                birth_date: None,
                kommune: None,
            })
            .apply(
                &CorrectionInput {
                    name: Some("B".into()),
                    reason: "typo".into(),
                    ..Default::default()
                }
                .parse(TODAY)
                .unwrap(),
            );
        assert_eq!(r.name, "B");
        assert_eq!(r.corrections, 1);
        assert!(CorrectionInput {
            reason: "x".into(),
            ..Default::default()
        }
        .parse(TODAY)
        .is_err());
        assert!(CorrectionInput {
            name: Some("B".into()),
            ..Default::default()
        }
        .parse(TODAY)
        .is_err());
    }
}
