//! The entries of a case from the text a form or a JSON body carries: each field parsed with
//! the core's parsers, a refusal naming the field. The API and the pages call the same
//! functions, so a rule reads the same on both.

use jiff::civil::{Date, DateTime};
use jiff::Timestamp;
use varde_core::advisory::case::one_of;
use varde_core::advisory::{
    AttendanceStatus, ClosingOutcome, Entry, OutreachMeans, OutreachOutcome, ReferralTo, Report,
    TestResult,
};
use varde_core::fields::FieldError;

/// An instant as RFC 3339 (`2027-01-05T09:00:00+01:00`), or a wall time in Oslo as a
/// browser's date-and-time field sends it (`2027-01-05T09:00`).
pub fn instant(field: &'static str, v: &str) -> Result<Timestamp, FieldError> {
    let v = v.trim();
    if let Ok(t) = v.parse::<Timestamp>() {
        return Ok(t);
    }
    v.parse::<DateTime>()
        .ok()
        .and_then(|dt| dt.to_zoned(crate::display::oslo()).ok())
        .map(|z| z.timestamp())
        .ok_or_else(|| {
            FieldError::new(
                field,
                "a time as RFC 3339 (YYYY-MM-DDTHH:MM:SS+01:00), or YYYY-MM-DDTHH:MM in Oslo",
            )
        })
}

pub fn meeting(planned_at: &str, place: &str) -> Result<Entry, FieldError> {
    Ok(Entry::MeetingPlanned {
        planned_at: instant("planned_at", planned_at)?,
        place: place.to_owned(),
    })
}

/// Attendance at meeting `n`.
pub fn attendance(
    n: u32,
    status: &str,
    consent: Option<bool>,
    reason: Option<String>,
    assessment: Option<String>,
    advice: Option<String>,
) -> Result<Entry, FieldError> {
    Ok(Entry::Attendance {
        meeting: n,
        status: one_of(
            "status",
            status,
            &AttendanceStatus::ALL,
            AttendanceStatus::as_str,
        )?,
        consent,
        reason,
        assessment: assessment.filter(|s| !s.trim().is_empty()),
        advice: advice.filter(|s| !s.trim().is_empty()),
    })
}

pub fn consent(on: Date, given: bool, scope: Option<String>) -> Entry {
    Entry::Consent { on, given, scope }
}

pub fn test(on: Date, result: &str, substances: Vec<String>) -> Result<Entry, FieldError> {
    Ok(Entry::Test {
        on,
        result: one_of("result", result, &TestResult::ALL, TestResult::as_str)?,
        substances: substances
            .into_iter()
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect(),
    })
}

pub fn outreach(on: Date, means: &str, outcome: &str) -> Result<Entry, FieldError> {
    Ok(Entry::Outreach {
        on,
        means: one_of("means", means, &OutreachMeans::ALL, OutreachMeans::as_str)?,
        outcome: one_of(
            "outcome",
            outcome,
            &[OutreachOutcome::Reached, OutreachOutcome::NotReached],
            OutreachOutcome::as_str,
        )?,
    })
}

pub fn referral(on: Date, to: &str, consent: bool) -> Result<Entry, FieldError> {
    Ok(Entry::Referral {
        on,
        to: one_of("to", to, &ReferralTo::ALL, ReferralTo::as_str)?,
        consent,
    })
}

pub fn close(on: Date, outcome: &str) -> Result<Entry, FieldError> {
    Ok(Entry::Closed {
        on,
        outcome: one_of(
            "outcome",
            outcome,
            &ClosingOutcome::ALL,
            ClosingOutcome::as_str,
        )?,
    })
}

/// The report's entry: the core fills in the report as the case stands and the day.
pub fn report_sent(today: Date) -> Entry {
    Entry::ReportSent {
        on: today,
        report: Report {
            completed: false,
            meetings_required: 0,
            meetings_attended: 0,
            testing: None,
        },
    }
}

/// A yes/no of a form: `true`/`yes`/`on`/`1` or `false`/`no`/`0`; empty is `None`.
pub fn yes_no(field: &'static str, v: &str) -> Result<Option<bool>, FieldError> {
    match v.trim() {
        "" => Ok(None),
        "true" | "yes" | "on" | "1" => Ok(Some(true)),
        "false" | "no" | "0" => Ok(Some(false)),
        _ => Err(FieldError::new(field, "yes or no")),
    }
}
