//! (placeholder until the CAP module lands)
use super::Warning;
pub struct CapConfig { pub sender: String, pub sender_name: String, pub base_url: String }
pub fn alert(_cfg: &CapConfig, _w: &Warning, _version: u32) -> Option<String> { unimplemented!() }
pub fn cancel(_cfg: &CapConfig, _w: &Warning) -> Option<String> { unimplemented!() }
pub fn latest(_cfg: &CapConfig, _w: &Warning) -> Option<String> { unimplemented!() }
pub fn oslo(_ts: jiff::Timestamp) -> String { unimplemented!() }
