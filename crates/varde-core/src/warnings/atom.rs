//! (placeholder until the Atom module lands)
use super::Warning;
pub fn feed(_cfg: &super::cap::CapConfig, _warnings: &[Warning], _now: jiff::Timestamp, _lang: &str) -> String { unimplemented!() }
