//! Pseudonymisation: the only person key used in analytics, exports and the access log.
//!
//! A pseudonym is HMAC-SHA-256 of the national identity number under a secret key held by the
//! deployment (generated on first run, kept in the data directory, never logged). The same
//! person gets the same pseudonym everywhere in one deployment; without the key the pseudonym
//! cannot be reversed or recomputed from a guessed number.

use std::fmt;

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::ids::NationalId;

/// The secret key. Its `Debug` output is redacted.
#[derive(Clone)]
pub struct PseudonymKey([u8; 32]);

impl PseudonymKey {
    pub const LEN: usize = 32;

    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        PseudonymKey(bytes)
    }

    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

impl fmt::Debug for PseudonymKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PseudonymKey(<redacted>)")
    }
}

/// A person's pseudonym: 32 lowercase hex digits (128 bits of the HMAC).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct Pseudonym(String);

impl Pseudonym {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Pseudonym {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The pseudonym of `id` under `key`.
pub fn pseudonymise(key: &PseudonymKey, id: &NationalId) -> Pseudonym {
    // HMAC accepts keys of any length, so this cannot fail for a 32-byte key.
    let mut mac = match Hmac::<Sha256>::new_from_slice(&key.0) {
        Ok(m) => m,
        Err(_) => return Pseudonym(String::new()),
    };
    mac.update(b"varde-person-v1:");
    mac.update(id.as_str().as_bytes());
    let out = mac.finalize().into_bytes();
    Pseudonym(hex::encode(&out[..16]))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::ids::IdPolicy;

    #[test]
    fn keyed_and_stable() {
        let id = NationalId::parse("03851598730", &IdPolicy::default()).unwrap();
        let k1 = PseudonymKey::from_bytes([1; 32]);
        let k2 = PseudonymKey::from_bytes([2; 32]);
        let p = pseudonymise(&k1, &id);
        assert_eq!(p, pseudonymise(&k1, &id));
        assert_ne!(p, pseudonymise(&k2, &id));
        assert_eq!(p.as_str().len(), 32);
        assert!(!p.as_str().contains("0385"));
        assert!(!format!("{k1:?}").contains('1'));
    }
}
