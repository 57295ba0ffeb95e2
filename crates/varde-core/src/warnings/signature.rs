//! (placeholder until the signature module lands)
pub const PREFIX: &str = "whsec_";
#[derive(Debug)]
pub struct SignatureError;
pub fn secret_from_bytes(_random: &[u8; 32]) -> String { unimplemented!() }
pub fn sign(_secret: &str, _msg_id: &str, _timestamp: i64, _body: &[u8]) -> Result<String, SignatureError> { unimplemented!() }
pub fn verify(_secret: &str, _msg_id: &str, _timestamp: i64, _body: &[u8], _header: &str) -> bool { unimplemented!() }
