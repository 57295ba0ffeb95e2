//! A version's content as the editor sends it (the API's JSON body, the form's fields), parsed
//! and checked: every field's refusal at once, named by field and rule.

use jiff::{Span, Timestamp};
use serde::Deserialize;

use super::{Area, Certainty, Content, FoundBy, Severity, Text, Urgency};
use crate::fields::{self, FieldError};

/// The longest headline CAP consumers accept (and the title's limit).
pub const TITLE_MAX: usize = 160;
/// The longest description or advice text.
pub const TEXT_MAX: usize = 4000;
/// The longest "sold as".
pub const SOLD_AS_MAX: usize = 200;
/// The longest a warning may be in force, in days.
pub const MAX_DAYS: i64 = 90;

/// A text in bokmål and (optionally) English, as sent.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct TextInput {
    pub nb: String,
    pub en: Option<String>,
}

/// The body of `POST /api/v1/warnings` and `…/versions` (and the editor's form).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DraftInput {
    pub title: TextInput,
    pub substance: String,
    pub sold_as: Option<String>,
    pub found_by: Option<String>,
    pub areas: Vec<String>,
    pub severity: String,
    pub urgency: Option<String>,
    pub certainty: Option<String>,
    pub description: TextInput,
    pub advice_public: TextInput,
    pub advice_services: TextInput,
    pub expires: String,
    pub signal_id: Option<String>,
    pub exercise: Option<bool>,
}

/// A free text of a warning: trimmed, at most `max` characters, no control characters but line
/// breaks, no national identity number (no personal data enters this area). Empty is `None`.
fn text(field: &'static str, v: &str, max: usize) -> Result<Option<String>, FieldError> {
    let v = v.trim();
    if v.is_empty() {
        return Ok(None);
    }
    if v.chars().count() > max {
        return Err(FieldError::new(field, format!("at most {max} characters")));
    }
    if v.chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        return Err(FieldError::new(
            field,
            "must not contain control characters",
        ));
    }
    if fields::holds_national_id(v) {
        return Err(FieldError::new(
            field,
            "must not hold a national identity number",
        ));
    }
    Ok(Some(v.replace("\r\n", "\n")))
}

fn both(
    errors: &mut Vec<FieldError>,
    field: &'static str,
    en_field: &'static str,
    t: &TextInput,
    max: usize,
) -> Option<Text> {
    let nb = match text(field, &t.nb, max) {
        Ok(Some(nb)) => Some(nb),
        Ok(None) => {
            errors.push(FieldError::new(field, "must not be empty"));
            None
        }
        Err(e) => {
            errors.push(e);
            None
        }
    };
    let en = match text(en_field, t.en.as_deref().unwrap_or(""), max) {
        Ok(en) => en,
        Err(e) => {
            errors.push(e);
            None
        }
    };
    nb.map(|nb| Text { nb, en })
}

/// Parses `input` into a version's content, checked against `now`: every refusal, or the
/// content.
pub fn parse(input: &DraftInput, now: Timestamp) -> Result<Content, Vec<FieldError>> {
    let mut errors = Vec::new();
    fn take<T>(errors: &mut Vec<FieldError>, r: Result<T, FieldError>) -> Option<T> {
        r.map_err(|e| errors.push(e)).ok()
    }
    let substance = take(
        &mut errors,
        crate::substances::get()
            .resolve("substance", &input.substance)
            .map(|s| s.id.clone()),
    );
    let sold_as = take(
        &mut errors,
        text(
            "sold_as",
            input.sold_as.as_deref().unwrap_or(""),
            SOLD_AS_MAX,
        ),
    );
    let found_by = take(
        &mut errors,
        match input.found_by.as_deref().map(str::trim) {
            None | Some("") => Ok(None),
            Some(v) => FoundBy::parse("found_by", v).map(Some),
        },
    );
    let areas = take(
        &mut errors,
        if input.areas.iter().all(|a| a.trim().is_empty()) {
            Err(FieldError::new(
                "areas",
                "at least one area: a municipality number, county:NN or national",
            ))
        } else {
            let mut areas = Vec::new();
            let mut bad = None;
            for a in input.areas.iter().filter(|a| !a.trim().is_empty()) {
                match Area::parse("areas", a) {
                    Ok(area) if !areas.contains(&area) => areas.push(area),
                    Ok(_) => {}
                    Err(e) => bad = bad.or(Some(e)),
                }
            }
            areas.sort();
            bad.map_or(Ok(areas), Err)
        },
    );
    let severity = take(&mut errors, Severity::parse("severity", &input.severity));
    let urgency = take(
        &mut errors,
        match input.urgency.as_deref().map(str::trim) {
            None | Some("") => Ok(Urgency::Immediate),
            Some(v) => Urgency::parse("urgency", v),
        },
    );
    let certainty = take(
        &mut errors,
        match input.certainty.as_deref().map(str::trim) {
            None | Some("") => Ok(Certainty::Likely),
            Some(v) => Certainty::parse("certainty", v),
        },
    );
    let expires = take(&mut errors, expires(&input.expires, now));
    let signal_id = take(
        &mut errors,
        match input.signal_id.as_deref().map(str::trim) {
            None | Some("") => Ok(None),
            Some(v) => fields::path_id("signal_id", v).map(Some),
        },
    );
    let title = both(&mut errors, "title", "title_en", &input.title, TITLE_MAX);
    let description = both(
        &mut errors,
        "description",
        "description_en",
        &input.description,
        TEXT_MAX,
    );
    let advice_public = both(
        &mut errors,
        "advice_public",
        "advice_public_en",
        &input.advice_public,
        TEXT_MAX,
    );
    let advice_services = both(
        &mut errors,
        "advice_services",
        "advice_services_en",
        &input.advice_services,
        TEXT_MAX,
    );
    match (
        title,
        substance,
        sold_as,
        found_by,
        areas,
        severity,
        urgency,
        certainty,
        description,
        advice_public,
        advice_services,
        expires,
        signal_id,
    ) {
        (
            Some(title),
            Some(substance),
            Some(sold_as),
            Some(found_by),
            Some(areas),
            Some(severity),
            Some(urgency),
            Some(certainty),
            Some(description),
            Some(advice_public),
            Some(advice_services),
            Some(expires),
            Some(signal_id),
        ) if errors.is_empty() => Ok(Content {
            title,
            substance,
            sold_as,
            found_by,
            areas,
            severity,
            urgency,
            certainty,
            description,
            advice_public,
            advice_services,
            expires,
            signal_id,
            exercise: input.exercise.unwrap_or(false),
        }),
        _ => Err(errors),
    }
}

/// The end of the period in force: RFC 3339 with an offset, after `now`, at most
/// [`MAX_DAYS`] ahead.
pub fn expires(v: &str, now: Timestamp) -> Result<Timestamp, FieldError> {
    let v = v.trim();
    if v.is_empty() {
        return Err(FieldError::new("expires", "must not be empty"));
    }
    let t: Timestamp = v.parse().map_err(|_| {
        FieldError::new(
            "expires",
            "a time as RFC 3339 with its offset, e.g. 2026-12-24T12:00:00+01:00",
        )
    })?;
    if t <= now {
        return Err(FieldError::new("expires", "must be in the future"));
    }
    let limit = now
        .checked_add(Span::new().hours(24 * MAX_DAYS))
        .unwrap_or(Timestamp::MAX);
    if t > limit {
        return Err(FieldError::new(
            "expires",
            format!("at most {MAX_DAYS} days ahead"),
        ));
    }
    Ok(t)
}
