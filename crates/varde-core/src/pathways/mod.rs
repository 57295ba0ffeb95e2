//! Care pathways in specialised substance-use treatment (TSB): the national pathway
//! (nasjonalt pasientforløp, type `D01`), its coded events, time limits (forløpstider), the
//! worklist and the quality indicators.
//!
//! Everything here is pure and works on an in-memory set of [`Event`]s, so the storage layer
//! can call the same functions: [`parse::read_events`] reads the event CSV from any `impl Read`,
//! [`rules::validate`] applies the order rules against a given `today`, [`worklist::worklist`]
//! and [`indicators::report`] compute what `varde pathways due` and `varde pathways report`
//! print. The exact definitions are in `shared/reference/pathways/definitions.md`; where they
//! are silent, the choices are documented on the functions and in `data/pathways/SOURCES.md`.

pub mod codes;
pub mod coercion;
pub mod commands;
pub mod corrections;
pub mod event_rules;
mod fxhash;
pub mod history;
pub mod import;
pub mod indicators;
pub mod lar;
pub mod limits;
pub mod model;
pub mod parse;
pub mod place;
pub mod rules;
pub mod trends;
pub mod worklist;

use std::io::Read;

use jiff::civil::Date;

pub use indicators::{
    published_report, report, report_as_of, report_with, IndicatorRow, Level, Report, Suppression,
    WaitingRow,
};
pub use model::{CareLevel, DecisionCode, Event, EventKind, Outcome, Variant};
pub use parse::{export_events_csv, write_events_csv, EventFields};
pub use parse::{read_events, FileError, PERSON_COLUMN};
pub use rules::{check_new, validate, validate_file, validate_with, Checks, RowError, Rule};
pub use worklist::{worklist, Status, WorkItem};

/// Events read from a file and checked: the valid ones, and every row that broke a rule
/// (row rules and order rules), sorted by line.
#[derive(Debug, Default)]
pub struct Loaded {
    /// The valid events.
    pub events: Vec<Event>,
    /// The rows refused, sorted by line.
    pub errors: Vec<RowError>,
}

/// Reads and validates an event CSV for a computation whose history ends on `cutoff` (the
/// period end of a report, the as-of date of a worklist).
///
/// Every row must parse; rows dated after `cutoff` are then dropped (definitions.md: "later
/// rows are ignored"), and the order rules are checked on the rest against `today` (the real
/// current date, taken by the caller). So a row dated after the cut-off can never make a
/// command fail through an order rule, and a report for a past period still runs on a file that
/// holds later events.
pub fn load<R: Read>(input: R, cutoff: Date, today: Date) -> Result<Loaded, FileError> {
    let mut parsed = read_events(input)?;
    parsed.events.retain(|e| e.date <= cutoff);
    let (events, mut errors) = validate_file(parsed.events, today);
    errors.extend(parsed.errors);
    errors.sort_by_key(|e| e.line);
    Ok(Loaded { events, errors })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests;
