//! Varde's domain layer: the rules of the substance-use field.
//!
//! **Architecture invariant:** this crate performs no I/O, has no async code and knows no
//! database or HTTP types. Time is an input: functions that depend on "today" take it as an
//! argument.

pub mod calendar;
pub mod pathways;
