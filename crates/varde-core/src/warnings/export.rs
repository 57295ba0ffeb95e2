//! (placeholder until the export module lands)
use super::Warning;
#[derive(serde::Serialize)]
pub struct EudaAlert {}
pub const CSV_COLUMNS: &[&str] = &[];
pub fn euda(_w: &Warning, _now: jiff::Timestamp) -> Option<EudaAlert> { unimplemented!() }
pub fn euda_csv(_alerts: &[EudaAlert]) -> String { unimplemented!() }
