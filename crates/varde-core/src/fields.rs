//! Input parsing shared by every area: a field-level error that names the field and the rule
//! (never the value, which may be personal data), and parsers for the kinds of field that
//! forms and JSON bodies carry (dates, pseudonymous references, municipality numbers, ids that
//! appear in paths, years).
//!
//! The web layer turns a [`FieldError`] into a problem document (`errors: [{field, rule}]`) or
//! a form shown again with the message; the parsers here are pure and take "today" as an
//! argument.

use std::borrow::Cow;

use jiff::civil::Date;

use crate::ids::{IdPolicy, Kommunenummer, NationalId};
use crate::pathways::parse::parse_date;

/// A field-level validation error: the field and the rule broken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {rule}")]
pub struct FieldError {
    pub field: Cow<'static, str>,
    pub rule: String,
}

impl FieldError {
    pub fn new(field: impl Into<Cow<'static, str>>, rule: impl Into<String>) -> Self {
        FieldError {
            field: field.into(),
            rule: rule.into(),
        }
    }

    /// The same error on a field nested under `prefix` (`replacement.date`).
    pub fn within(self, prefix: &str) -> Self {
        FieldError {
            field: Cow::Owned(format!("{prefix}.{}", self.field)),
            rule: self.rule,
        }
    }
}

/// A date as `YYYY-MM-DD`.
pub fn date(field: &'static str, v: &str) -> Result<Date, FieldError> {
    parse_date(v.trim()).ok_or_else(|| FieldError::new(field, "a date as YYYY-MM-DD"))
}

/// A required date: empty is refused with `missing` (the rule that says why it is needed).
pub fn required_date(field: &'static str, v: &str, missing: &str) -> Result<Date, FieldError> {
    if v.trim().is_empty() {
        Err(FieldError::new(field, missing))
    } else {
        date(field, v)
    }
}

/// An optional date: empty is `None`.
pub fn opt_date(field: &'static str, v: &str) -> Result<Option<Date>, FieldError> {
    if v.trim().is_empty() {
        Ok(None)
    } else {
        date(field, v).map(Some)
    }
}

/// The date of something that has already happened (a decision, an admission, the start of a
/// stay, a notification): not after `today`. Dates that may lie ahead (the end of an
/// agreement, an expected date of delivery) use [`date`].
pub fn past_date(field: &'static str, v: &str, today: Date) -> Result<Date, FieldError> {
    let d = date(field, v)?;
    if d > today {
        return Err(FieldError::new(
            field,
            format!("a date that has happened: not after today ({today})"),
        ));
    }
    Ok(d)
}

/// An optional [`past_date`]: empty is `None`.
pub fn opt_past_date(
    field: &'static str,
    v: &str,
    today: Date,
) -> Result<Option<Date>, FieldError> {
    if v.trim().is_empty() {
        Ok(None)
    } else {
        past_date(field, v, today).map(Some)
    }
}

/// Whether `v` has the shape of a national identity number (11 digits). Used to keep identity
/// numbers out of fields that must hold pseudonymous references.
pub fn looks_like_national_id(v: &str) -> bool {
    let v = v.trim();
    v.len() == 11 && v.bytes().all(|b| b.is_ascii_digit())
}

/// Whether the text holds a national identity number: a run of exactly 11 digits (not part of
/// a longer number) that parses as a fødselsnummer, D- or H-number, or synthetic test number,
/// under the rules of today or of 2032. Keeps identity numbers out of fields that are stored
/// or exported as pseudonymous (pathway ids, unit names, free-text codes).
pub fn holds_national_id(v: &str) -> bool {
    let policies = [false, true].map(|rules_2032| IdPolicy {
        allow_synthetic: true,
        rules_2032,
    });
    let b = v.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if !b[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i - start == 11 {
            let run = &v[start..i];
            if policies.iter().any(|p| NationalId::parse(run, p).is_ok()) {
                return true;
            }
        }
    }
    false
}

/// The characters a spreadsheet reads a cell as a formula by when it starts with one (OWASP,
/// CSV injection).
pub const FORMULA_LEADS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A cell of a CSV file people open in a spreadsheet: one that starts like a formula gets a `'`
/// before it (OWASP's advice for CSV injection), so that it is shown as text, never run.
pub fn spreadsheet_cell(v: &str) -> std::borrow::Cow<'_, str> {
    if v.starts_with(FORMULA_LEADS) {
        std::borrow::Cow::Owned(format!("'{v}"))
    } else {
        std::borrow::Cow::Borrowed(v)
    }
}

/// A free-text field that is stored and exported (a unit's name, a reason): trimmed, at most
/// `max` characters, no control characters, no national identity number, and not starting like
/// a spreadsheet formula. Empty is `None`.
pub fn safe_text(field: &'static str, v: &str, max: usize) -> Result<Option<String>, FieldError> {
    Ok(safe_str(field, v, max)?.map(str::to_owned))
}

/// [`safe_text`] without the copy: the trimmed text, borrowed (a check on a hot path).
pub fn safe_str<'a>(
    field: &'static str,
    v: &'a str,
    max: usize,
) -> Result<Option<&'a str>, FieldError> {
    let Some(v) = text_str(field, v, max)? else {
        return Ok(None);
    };
    if holds_national_id(v) {
        return Err(FieldError::new(
            field,
            "must not hold a national identity number",
        ));
    }
    if v.starts_with(FORMULA_LEADS) {
        return Err(FieldError::new(
            field,
            "must not start with =, +, -, or @ (a spreadsheet would read it as a formula)",
        ));
    }
    Ok(Some(v))
}

/// A pseudonymous reference (a patient, a GP): 1–64 characters, not a national identity number.
pub fn reference(field: &'static str, v: &str) -> Result<String, FieldError> {
    let v = v.trim();
    if v.is_empty() || v.chars().count() > 64 {
        return Err(FieldError::new(field, "1–64 characters"));
    }
    if looks_like_national_id(v) {
        return Err(FieldError::new(
            field,
            "a pseudonymous reference, not a national identity number",
        ));
    }
    Ok(v.to_owned())
}

/// A municipality number (4 digits, one of the reference data's).
pub fn kommune(field: &'static str, v: &str) -> Result<String, FieldError> {
    Kommunenummer::parse(v.trim())
        .map(|k| k.as_str().to_owned())
        .map_err(|e| FieldError::new(field, e.to_string()))
}

/// An id that appears in paths: 1–64 of `A–Z a–z 0–9 . _ -`.
pub fn path_id(field: &'static str, v: &str) -> Result<String, FieldError> {
    let v = v.trim();
    if v.is_empty()
        || v.len() > 64
        || !v
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
    {
        return Err(FieldError::new(
            field,
            "1–64 characters of letters A–Z, digits, '.', '_' and '-'",
        ));
    }
    Ok(v.to_owned())
}

/// A year as `YYYY` (1900–2999); empty is `default`.
pub fn year(field: &'static str, v: &str, default: i16) -> Result<i16, FieldError> {
    match v.trim() {
        "" => Ok(default),
        s => s
            .parse::<i16>()
            .ok()
            .filter(|y| (1900..=2999).contains(y))
            .ok_or_else(|| FieldError::new(field, "a year as YYYY")),
    }
}

/// A free-text name (a unit, an organisation's label): trimmed, at most `max` characters, no
/// control characters; empty is `None`.
pub fn opt_text(field: &'static str, v: &str, max: usize) -> Result<Option<String>, FieldError> {
    Ok(text_str(field, v, max)?.map(str::to_owned))
}

/// [`opt_text`] without the copy.
fn text_str<'a>(
    field: &'static str,
    v: &'a str,
    max: usize,
) -> Result<Option<&'a str>, FieldError> {
    let v = v.trim();
    if v.is_empty() {
        return Ok(None);
    }
    if v.chars().count() > max {
        return Err(FieldError::new(field, format!("at most {max} characters")));
    }
    if v.chars().any(char::is_control) {
        return Err(FieldError::new(
            field,
            "must not contain control characters",
        ));
    }
    Ok(Some(v))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    #[test]
    fn dates_name_the_field_and_the_rule() {
        assert_eq!(date("from", " 2026-01-31 ").unwrap(), d("2026-01-31"));
        let e = date("from", "31.01.2026").unwrap_err();
        assert_eq!(
            (e.field.as_ref(), e.rule.as_str()),
            ("from", "a date as YYYY-MM-DD")
        );
        assert_eq!(opt_date("until", "  ").unwrap(), None);
        let today = d("2026-12-06");
        assert!(past_date("date", "2026-12-06", today).is_ok());
        let e = past_date("date", "2026-12-07", today).unwrap_err();
        assert!(e.rule.contains("not after today (2026-12-06)"), "{e}");
        assert_eq!(opt_past_date("date", "", today).unwrap(), None);
    }

    #[test]
    fn references_refuse_identity_numbers() {
        assert_eq!(reference("patient", " P-17 ").unwrap(), "P-17");
        assert!(reference("patient", "").is_err());
        assert!(reference("patient", &"x".repeat(65)).is_err());
        let e = reference("patient", "01017012345").unwrap_err();
        assert!(e.rule.contains("not a national identity number"));
        // Ten or twelve digits are references like any other.
        assert!(reference("patient", "0101701234").is_ok());
    }

    #[test]
    fn path_ids_years_and_municipalities() {
        assert_eq!(path_id("stay_id", "opphold-1").unwrap(), "opphold-1");
        assert!(path_id("stay_id", "a/b").is_err());
        assert!(path_id("stay_id", "ø").is_err());
        assert_eq!(year("year", "", 2026).unwrap(), 2026);
        assert_eq!(year("year", "2024", 2026).unwrap(), 2024);
        assert!(year("year", "24", 2026).is_err());
        assert_eq!(kommune("kommune", " 0301 ").unwrap(), "0301");
        assert_eq!(kommune("kommune", "9999").unwrap_err().field, "kommune");
    }

    #[test]
    fn identity_numbers_and_formulas_are_kept_out_of_free_text() {
        // A valid synthetic number (month + 80) alone, and inside a text.
        let nid = crate::ids::synth::with_control_digits("018190123").unwrap();
        assert!(holds_national_id(&nid));
        assert!(holds_national_id(&format!("Pasient {nid}, Oslo")));
        assert!(
            !holds_national_id(&format!("{nid}7")),
            "part of a longer number"
        );
        assert!(safe_text("unit", &format!("Enhet {nid}"), 200)
            .unwrap_err()
            .rule
            .contains("identity number"));
        for v in [
            "12345678901",
            "1234567890",
            "123456789012",
            "P-1",
            "Enhet 7",
        ] {
            assert!(!holds_national_id(v), "{v}");
        }
        assert_eq!(
            safe_text("unit", "  Enhet A ", 200).unwrap().as_deref(),
            Some("Enhet A")
        );
        for v in ["=SUM(A1)", "+47", "-1", "@x", "=1\t"] {
            assert!(
                safe_text("unit", v, 200)
                    .unwrap_err()
                    .rule
                    .contains("formula"),
                "{v:?}"
            );
        }
        assert!(safe_text("unit", &"x".repeat(201), 200).is_err());
        assert_eq!(spreadsheet_cell("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(spreadsheet_cell("-1"), "'-1");
        assert_eq!(spreadsheet_cell("Enhet"), "Enhet");
    }

    #[test]
    fn nested_fields_and_text() {
        let e = FieldError::new("date", "a date as YYYY-MM-DD").within("replacement");
        assert_eq!(e.field, "replacement.date");
        assert_eq!(opt_text("unit", "  ", 10).unwrap(), None);
        assert!(opt_text("unit", "a\u{7}b", 10).is_err());
        assert!(opt_text("unit", "abcdefghijk", 10).is_err());
    }
}
