//! Varde's domain layer: the rules of the substance-use field.
//!
//! **Architecture invariant:** this crate performs no I/O, has no async code and knows no
//! database or HTTP types. Time is an input: functions that depend on "today" take it as an
//! argument (clippy's `disallowed-methods` bans the clock here).

pub mod advisory;
pub mod audit;
pub mod authz;
pub mod calendar;
pub mod coordination;
pub mod csv_rows;
pub mod drugcheck;
pub mod events;
pub mod feedback;
pub mod fields;
pub mod ids;
pub mod monitoring;
pub mod org;
pub mod passwords;
pub mod pathways;
pub mod persons;
pub mod pseudonym;
pub mod refdata;
pub mod results;
pub mod substances;
pub mod suppression;
pub mod warnings;
