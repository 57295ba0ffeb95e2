//! Standard Webhooks signatures (<https://www.standardwebhooks.com/>), for the warnings sent to
//! subscribers' endpoints.
//!
//! A delivery carries three headers: `webhook-id` (the message id, the same on every retry),
//! `webhook-timestamp` (seconds since the epoch) and `webhook-signature`: `v1,` and the base64
//! of HMAC-SHA256 over `{id}.{timestamp}.{body}`. The key is the secret after its `whsec_`
//! prefix, base64-decoded. A header may hold several space-separated signatures (while a secret
//! is rotated); one that matches is enough.
//!
//! The crate has no clock: the receiver's check that the timestamp is recent is [`fresh`],
//! given the time.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, Mac};
use jiff::Timestamp;
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// The prefix of a secret.
pub const PREFIX: &str = "whsec_";
/// How far a timestamp may be from the receiver's clock, in seconds (the specification's
/// reference libraries use five minutes).
pub const TOLERANCE_SECONDS: i64 = 5 * 60;

/// Why a secret cannot sign.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// The part after `whsec_` is not standard base64, or is empty.
    #[error("the webhook secret is not whsec_ followed by base64")]
    Secret,
}

/// A new secret from 32 random bytes: `whsec_` and their standard base64.
pub fn secret_from_bytes(random: &[u8; 32]) -> String {
    format!("{PREFIX}{}", STANDARD.encode(random))
}

/// The HMAC key of `secret` (with or without its prefix).
fn key(secret: &str) -> Result<Vec<u8>, SignatureError> {
    let encoded = secret.strip_prefix(PREFIX).unwrap_or(secret);
    match STANDARD.decode(encoded.trim()) {
        Ok(k) if !k.is_empty() => Ok(k),
        _ => Err(SignatureError::Secret),
    }
}

/// The MAC over `{msg_id}.{timestamp}.{body}`, before finalising.
fn mac(
    secret: &str,
    msg_id: &str,
    timestamp: i64,
    body: &[u8],
) -> Result<HmacSha256, SignatureError> {
    let mut mac = HmacSha256::new_from_slice(&key(secret)?).map_err(|_| SignatureError::Secret)?;
    mac.update(msg_id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    Ok(mac)
}

/// The `webhook-signature` header's value: `v1,` and the base64 of the HMAC.
pub fn sign(
    secret: &str,
    msg_id: &str,
    timestamp: i64,
    body: &[u8],
) -> Result<String, SignatureError> {
    let tag = mac(secret, msg_id, timestamp, body)?
        .finalize()
        .into_bytes();
    Ok(format!("v1,{}", STANDARD.encode(tag)))
}

/// Whether one of the header's space-separated `v1,` signatures is right for this message
/// (compared in constant time). Other versions and malformed entries are skipped; a bad secret
/// verifies nothing.
pub fn verify(secret: &str, msg_id: &str, timestamp: i64, body: &[u8], header: &str) -> bool {
    let Ok(mac) = mac(secret, msg_id, timestamp, body) else {
        return false;
    };
    header.split_whitespace().any(|entry| {
        let Some(("v1", sig)) = entry.split_once(',') else {
            return false;
        };
        STANDARD
            .decode(sig)
            .is_ok_and(|sig| mac.clone().verify_slice(&sig).is_ok())
    })
}

/// Whether `timestamp` (seconds) lies within [`TOLERANCE_SECONDS`] of `now`, either way.
pub fn fresh(timestamp: i64, now: Timestamp) -> bool {
    now.as_second()
        .checked_sub(timestamp)
        .is_some_and(|d| d.unsigned_abs() <= TOLERANCE_SECONDS.unsigned_abs())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    // The test vector of the Standard Webhooks reference libraries.
    const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const ID: &str = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    const TS: i64 = 1614265330;
    const BODY: &[u8] = br#"{"test": 2432232314}"#;
    const SIGNATURE: &str = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    #[test]
    fn the_specifications_vector() {
        assert_eq!(sign(SECRET, ID, TS, BODY).unwrap(), SIGNATURE);
        assert!(verify(SECRET, ID, TS, BODY, SIGNATURE));
        // The key without its prefix is the same key.
        assert_eq!(
            sign(SECRET.trim_start_matches(PREFIX), ID, TS, BODY).unwrap(),
            SIGNATURE
        );
    }

    #[test]
    fn anything_changed_fails() {
        assert!(!verify(
            SECRET,
            ID,
            TS,
            br#"{"test": 2432232315}"#,
            SIGNATURE
        ));
        assert!(!verify(SECRET, ID, TS + 1, BODY, SIGNATURE));
        assert!(!verify(SECRET, "msg_other", TS, BODY, SIGNATURE));
        let other = secret_from_bytes(&[7; 32]);
        assert!(!verify(&other, ID, TS, BODY, SIGNATURE));
        let tampered = SIGNATURE.replace("g0h", "g1h");
        assert!(!verify(SECRET, ID, TS, BODY, &tampered));
        assert!(!verify(
            SECRET,
            ID,
            TS,
            BODY,
            &SIGNATURE.replace("v1,", "v2,")
        ));
        assert!(!verify(SECRET, ID, TS, BODY, ""));
        assert!(!verify(SECRET, ID, TS, BODY, "v1,not base64!"));
    }

    #[test]
    fn one_of_several_signatures_is_enough() {
        let other = sign(&secret_from_bytes(&[1; 32]), ID, TS, BODY).unwrap();
        let header = format!("v1a,xyz {other} {SIGNATURE}");
        assert!(verify(SECRET, ID, TS, BODY, &header));
        assert!(!verify(SECRET, ID, TS, BODY, &format!("v1a,xyz {other}")));
    }

    #[test]
    fn secrets_round_trip() {
        let s = secret_from_bytes(&[0xab; 32]);
        assert!(s.starts_with(PREFIX));
        assert_eq!(key(&s).unwrap(), vec![0xab; 32]);
        let sig = sign(&s, "msg_1", 1, b"body").unwrap();
        assert!(verify(&s, "msg_1", 1, b"body", &sig));
        assert_eq!(sign("whsec_%%%", ID, TS, BODY), Err(SignatureError::Secret));
        assert_eq!(sign("whsec_", ID, TS, BODY), Err(SignatureError::Secret));
        assert!(!verify("whsec_%%%", ID, TS, BODY, SIGNATURE));
    }

    #[test]
    fn timestamps_must_be_recent() {
        let now = Timestamp::from_second(TS).unwrap();
        assert!(fresh(TS, now));
        assert!(fresh(TS - 300, now));
        assert!(fresh(TS + 300, now));
        assert!(!fresh(TS - 301, now));
        assert!(!fresh(TS + 301, now));
        assert!(!fresh(i64::MIN, now));
        assert!(!fresh(i64::MAX, now));
    }
}
