//! Identifiers, parsed not validated: a value of these types is always well formed.
//!
//! * [`NationalId`]: the Norwegian national identity number (fødselsnummer) with D-, H- and
//!   FH-numbers and synthetic test numbers, after `reference/fodselsnummer.md`.
//! * [`OrgNumber`]: the nine-digit organisation number (organisasjonsnummer), mod-11.
//! * [`Kommunenummer`]: a municipality number from the built-in reference list.
//!
//! A national identity number never appears in `Debug` output, so it cannot leak into logs
//! through a stray `{:?}`.

use std::fmt;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// What a deployment accepts when it parses national identity numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IdPolicy {
    /// Accept synthetic test numbers (Skatteetaten/Tenor: month + 80). On by default so that
    /// the demo and the tests work; a production deployment turns it off.
    pub allow_synthetic: bool,
    /// The rules for numbers issued from 2032-01-01 are in force: the first control digit may
    /// leave remainder 0–3, and the individual number no longer gives the century.
    pub rules_2032: bool,
}

impl IdPolicy {
    /// The policy in force on `today`.
    pub fn on(today: Date, allow_synthetic: bool) -> Self {
        IdPolicy {
            allow_synthetic,
            rules_2032: today >= Date::constant(2032, 1, 1),
        }
    }
}

impl Default for IdPolicy {
    fn default() -> Self {
        IdPolicy {
            allow_synthetic: true,
            rules_2032: false,
        }
    }
}

/// The kind of a national identity number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NationalIdKind {
    /// Ordinary fødselsnummer.
    Fodselsnummer,
    /// D-number (first digit + 4).
    DNumber,
    /// H-number, a health enterprise's help number (third digit + 4).
    HNumber,
    /// FH-number, the common help number of Norsk helsenett (first digit 8 or 9).
    FhNumber,
}

/// Why a string is not a national identity number. Each variant names the rule broken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NationalIdError {
    #[error("a national identity number has exactly 11 digits")]
    Length,
    #[error("a national identity number has digits only")]
    NotDigits,
    #[error("the first six digits are not a date (DDMMYY, with +40 on the day for D-numbers, +40 on the month for H-numbers)")]
    InvalidDate,
    #[error("the individual number (digits 7–9) gives no century for this birth year")]
    NoCentury,
    #[error("synthetic test numbers (month + 80) are not accepted in this deployment")]
    SyntheticNotAllowed,
    #[error("the first control digit (digit 10, mod 11) is wrong")]
    ControlDigit1,
    #[error("the second control digit (digit 11, mod 11) is wrong")]
    ControlDigit2,
}

/// A Norwegian national identity number (fødselsnummer, D-, H- or FH-number).
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NationalId {
    digits: String,
    kind: NationalIdKind,
    synthetic: bool,
    birth_date: Option<Date>,
}

const K1_WEIGHTS: [u32; 10] = [3, 7, 6, 1, 8, 9, 4, 5, 2, 1];
const K2_WEIGHTS: [u32; 11] = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2, 1];
const ORGNR_WEIGHTS: [u32; 9] = [3, 2, 7, 6, 5, 4, 3, 2, 1];

fn weighted_mod11(digits: &[u32], weights: &[u32]) -> u32 {
    digits.iter().zip(weights).map(|(d, w)| d * w).sum::<u32>() % 11
}

impl NationalId {
    /// Parses a national identity number under `policy`.
    pub fn parse(input: &str, policy: &IdPolicy) -> Result<Self, NationalIdError> {
        let s = input.trim();
        if !s.chars().all(|c| c.is_ascii_digit()) {
            return Err(NationalIdError::NotDigits);
        }
        if s.len() != 11 {
            return Err(NationalIdError::Length);
        }
        let d: Vec<u32> = s.bytes().map(|b| u32::from(b - b'0')).collect();

        // Control digits first: they are what catches a mistyped number.
        let r1 = weighted_mod11(&d[..10], &K1_WEIGHTS);
        let k1_ok = if policy.rules_2032 { r1 <= 3 } else { r1 == 0 };
        if !k1_ok {
            return Err(NationalIdError::ControlDigit1);
        }
        if weighted_mod11(&d, &K2_WEIGHTS) != 0 {
            return Err(NationalIdError::ControlDigit2);
        }

        if d[0] >= 8 {
            return Ok(NationalId {
                digits: s.to_owned(),
                kind: NationalIdKind::FhNumber,
                synthetic: false,
                birth_date: None,
            });
        }

        let mut day = d[0] * 10 + d[1];
        let mut month = d[2] * 10 + d[3];
        let yy = d[4] * 10 + d[5];
        let individual = d[6] * 100 + d[7] * 10 + d[8];

        let synthetic = month > 80;
        if synthetic {
            if !policy.allow_synthetic {
                return Err(NationalIdError::SyntheticNotAllowed);
            }
            month -= 80;
        }
        let mut kind = NationalIdKind::Fodselsnummer;
        if day > 40 {
            day -= 40;
            kind = NationalIdKind::DNumber;
        }
        // Month + 40 is the H-number rule in the health domain (NAV's Dolly uses the same
        // offset for test numbers; in Varde's domain the H-number reading wins).
        if month > 40 {
            month -= 40;
            kind = if kind == NationalIdKind::DNumber {
                return Err(NationalIdError::InvalidDate);
            } else {
                NationalIdKind::HNumber
            };
        }

        let century = if policy.rules_2032 {
            // From 2032 the individual number carries no century; check the date as 20YY
            // (Skatteetaten's reference validator does the same) and leave the birth date to
            // the register.
            None
        } else {
            match kind {
                NationalIdKind::DNumber => d_number_century(individual, yy),
                _ => ordinary_century(individual, yy),
            }
        };
        let check_year = century.map_or(2000 + yy as i16, |c| c + yy as i16);
        let date = Date::new(check_year, month as i8, day as i8)
            .map_err(|_| NationalIdError::InvalidDate)?;
        if century.is_none() && !policy.rules_2032 {
            return Err(NationalIdError::NoCentury);
        }
        Ok(NationalId {
            digits: s.to_owned(),
            kind,
            synthetic,
            birth_date: century.map(|_| date),
        })
    }

    /// The eleven digits. Personal data: never log it.
    pub fn as_str(&self) -> &str {
        &self.digits
    }

    pub fn kind(&self) -> NationalIdKind {
        self.kind
    }

    /// A synthetic test number (month + 80).
    pub fn is_synthetic(&self) -> bool {
        self.synthetic
    }

    /// The birth date the number encodes, where the number gives one.
    pub fn birth_date(&self) -> Option<Date> {
        self.birth_date
    }

    /// The number with all but the birth-date digits hidden, for display to people who
    /// already know whose record they look at.
    pub fn masked(&self) -> String {
        format!("{}*****", &self.digits[..6])
    }
}

impl fmt::Debug for NationalId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NationalId")
            .field("kind", &self.kind)
            .field("digits", &"<redacted>")
            .finish()
    }
}

/// Century of an ordinary fødselsnummer (forskrift om folkeregistrering § 2-2).
fn ordinary_century(individual: u32, yy: u32) -> Option<i16> {
    match individual {
        0..=499 => Some(1900),
        500..=749 if yy >= 54 => Some(1800),
        900..=999 if yy >= 40 => Some(1900),
        500..=999 if yy <= 39 => Some(2000),
        _ => None,
    }
}

/// Century of a D-number after the 2021 extension of the D-number series.
fn d_number_century(individual: u32, yy: u32) -> Option<i16> {
    if yy <= 39 {
        match individual {
            0..=199 => Some(1900),
            _ => Some(2000),
        }
    } else {
        match individual {
            500..=599 if yy >= 58 => Some(1800),
            500..=599 => None,
            _ => Some(1900),
        }
    }
}

/// Why a string is not an organisation number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OrgNumberError {
    #[error("an organisation number has exactly 9 digits")]
    Length,
    #[error("an organisation number has digits only")]
    NotDigits,
    #[error("the control digit (digit 9, mod 11 with weights 3,2,7,6,5,4,3,2) is wrong")]
    ControlDigit,
}

/// A Norwegian organisation number (organisasjonsnummer, Enhetsregisteret).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct OrgNumber(String);

impl OrgNumber {
    pub fn parse(input: &str) -> Result<Self, OrgNumberError> {
        let s: String = input.chars().filter(|c| !c.is_whitespace()).collect();
        if !s.chars().all(|c| c.is_ascii_digit()) {
            return Err(OrgNumberError::NotDigits);
        }
        if s.len() != 9 {
            return Err(OrgNumberError::Length);
        }
        let d: Vec<u32> = s.bytes().map(|b| u32::from(b - b'0')).collect();
        // Weight 1 on the control digit: the weighted sum is 0 mod 11 exactly when the control
        // digit is the one the first eight give (a required control digit of 10 never is).
        if weighted_mod11(&d, &ORGNR_WEIGHTS) != 0 {
            return Err(OrgNumberError::ControlDigit);
        }
        Ok(OrgNumber(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for OrgNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Why a string is not a municipality number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KommunenummerError {
    #[error("a municipality number has exactly 4 digits (with a leading zero, e.g. 0301)")]
    Format,
    #[error("no municipality has this number in the reference list valid from 2024-01-01")]
    Unknown,
}

/// A municipality number (kommunenummer) that exists in the built-in reference list.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct Kommunenummer(String);

impl Kommunenummer {
    pub fn parse(input: &str) -> Result<Self, KommunenummerError> {
        let s = input.trim();
        if s.len() != 4 || !s.chars().all(|c| c.is_ascii_digit()) {
            return Err(KommunenummerError::Format);
        }
        if crate::refdata::get().kommune(s).is_none() {
            return Err(KommunenummerError::Unknown);
        }
        Ok(Kommunenummer(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The municipality's name from the reference list.
    pub fn name(&self) -> &'static str {
        crate::refdata::get()
            .kommune(&self.0)
            .map_or("", |k| k.name.as_str())
    }
}

impl fmt::Display for Kommunenummer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Helpers for tests and synthetic data: computes control digits.
/// Crockford's base-32 alphabet: digits and letters without I, L, O and U (no look-alikes).
pub const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// `prefix` followed by the lowest `5 * n` bits of `bits` in [`CROCKFORD`] characters, most
/// significant first: a minted id (the caller brings the randomness).
pub fn crockford(prefix: &str, bits: u64, n: u32) -> String {
    prefix
        .chars()
        .chain((0..n).rev().map(|k| {
            let i = ((bits >> (5 * k)) & 31) as usize;
            char::from(CROCKFORD[i])
        }))
        .collect()
}

pub mod synth {
    use super::{weighted_mod11, K1_WEIGHTS, K2_WEIGHTS};

    /// A synthetic test number (month + 80) of someone born on `day`.`month`.19`yy`: the
    /// first individual number (000–499, the 1900s) that gives valid control digits.
    pub fn born(day: u32, month: u32, yy: u32) -> Option<String> {
        (0..500u32).find_map(|ind| {
            with_control_digits(&format!("{day:02}{:02}{yy:02}{ind:03}", month + 80))
        })
    }

    /// Appends both control digits (old rule) to nine digits, or `None` when either would be 10.
    pub fn with_control_digits(nine: &str) -> Option<String> {
        if nine.len() != 9 || !nine.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        let mut d: Vec<u32> = nine.bytes().map(|b| u32::from(b - b'0')).collect();
        for weights in [&K1_WEIGHTS[..], &K2_WEIGHTS[..]] {
            let n = weights.len() - 1;
            let r = weighted_mod11(&d, &weights[..n]);
            let k = (11 - r) % 11;
            if k == 10 {
                return None;
            }
            d.push(k);
        }
        Some(d.iter().map(|x| char::from(b'0' + *x as u8)).collect())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn p() -> IdPolicy {
        IdPolicy::default()
    }

    #[test]
    fn reference_examples() {
        let a = NationalId::parse("03851598730", &p()).unwrap();
        assert!(a.is_synthetic());
        assert_eq!(a.kind(), NationalIdKind::Fodselsnummer);
        assert_eq!(a.birth_date(), Some(Date::constant(2015, 5, 3)));
        let d = NationalId::parse("41814061033", &p()).unwrap();
        assert_eq!(d.kind(), NationalIdKind::DNumber);
        assert_eq!(d.birth_date(), Some(Date::constant(1940, 1, 1)));
        let e = NationalId::parse("23906398699", &p()).unwrap();
        assert_eq!(e.birth_date(), Some(Date::constant(1963, 10, 23)));
        assert_eq!(
            NationalId::parse("30908299902", &p()),
            Err(NationalIdError::ControlDigit1)
        );
        let after_2032 = IdPolicy::on(Date::constant(2032, 1, 1), true);
        assert!(NationalId::parse("30908299902", &after_2032).is_ok());
        assert_eq!(
            NationalId::parse("03851598731", &p()),
            Err(NationalIdError::ControlDigit2)
        );
        assert_eq!(
            NationalId::parse("03851598720", &p()),
            Err(NationalIdError::ControlDigit1)
        );
        assert!(NationalId::parse("03931598730", &p()).is_err());
    }

    #[test]
    fn synthetic_refused_in_production() {
        let prod = IdPolicy {
            allow_synthetic: false,
            rules_2032: false,
        };
        assert_eq!(
            NationalId::parse("03851598730", &prod),
            Err(NationalIdError::SyntheticNotAllowed)
        );
    }

    #[test]
    fn shape_errors() {
        assert_eq!(NationalId::parse("123", &p()), Err(NationalIdError::Length));
        assert_eq!(
            NationalId::parse("0385159873a", &p()),
            Err(NationalIdError::NotDigits)
        );
    }

    #[test]
    fn h_number_and_fh_number() {
        // 01 (01+40=41) 85 individual 123 → H-number of 1985-01-01.
        let h = synth::with_control_digits("014185123").unwrap();
        let id = NationalId::parse(&h, &p()).unwrap();
        assert_eq!(id.kind(), NationalIdKind::HNumber);
        assert_eq!(id.birth_date(), Some(Date::constant(1985, 1, 1)));
        let fh = synth::with_control_digits("812345678").unwrap();
        assert_eq!(
            NationalId::parse(&fh, &p()).unwrap().kind(),
            NationalIdKind::FhNumber
        );
    }

    #[test]
    fn debug_never_shows_digits() {
        let a = NationalId::parse("03851598730", &p()).unwrap();
        assert!(!format!("{a:?}").contains("0385"));
    }

    #[test]
    fn org_numbers() {
        // Brønnøysundregistrene's own number.
        assert!(OrgNumber::parse("974760673").is_ok());
        assert_eq!(
            OrgNumber::parse("974760674"),
            Err(OrgNumberError::ControlDigit)
        );
        assert_eq!(OrgNumber::parse("97476067"), Err(OrgNumberError::Length));
        assert_eq!(
            OrgNumber::parse("97476067x"),
            Err(OrgNumberError::NotDigits)
        );
    }

    #[test]
    fn kommunenummer() {
        assert_eq!(Kommunenummer::parse("0301").unwrap().name(), "Oslo");
        assert_eq!(
            Kommunenummer::parse("0300"),
            Err(KommunenummerError::Unknown)
        );
        assert_eq!(Kommunenummer::parse("301"), Err(KommunenummerError::Format));
        // Renumbered in 2024: the old number is no longer valid.
        assert_eq!(
            Kommunenummer::parse("1507"),
            Err(KommunenummerError::Unknown)
        );
    }

    fn synthetic_base() -> impl Strategy<Value = String> {
        // Valid dates in 1940–1999 with the 900 series, month + 80.
        (1u32..=28, 1u32..=12, 40u32..=99, 900u32..=999)
            .prop_map(|(d, m, y, i)| format!("{d:02}{:02}{y:02}{i:03}", m + 80))
    }

    proptest! {
        #[test]
        fn every_number_with_correct_control_digits_parses(base in synthetic_base()) {
            if let Some(full) = synth::with_control_digits(&base) {
                let id = NationalId::parse(&full, &p()).unwrap();
                prop_assert!(id.is_synthetic());
                prop_assert_eq!(id.as_str(), full.as_str());
            }
        }

        #[test]
        fn any_single_digit_change_is_caught(base in synthetic_base(), pos in 0usize..11, delta in 1u32..10) {
            if let Some(full) = synth::with_control_digits(&base) {
                let mut digits: Vec<u32> = full.bytes().map(|b| u32::from(b - b'0')).collect();
                digits[pos] = (digits[pos] + delta) % 10;
                let changed: String = digits.iter().map(|x| char::from(b'0' + *x as u8)).collect();
                prop_assert!(NationalId::parse(&changed, &p()).is_err());
            }
        }

        #[test]
        fn parse_never_panics(s in "\\PC{0,20}") {
            let _ = NationalId::parse(&s, &p());
            let _ = OrgNumber::parse(&s);
            let _ = Kommunenummer::parse(&s);
        }

        #[test]
        fn org_number_control_digit(base in "[89][0-9]{7}") {
            let d: Vec<u32> = base.bytes().map(|b| u32::from(b - b'0')).collect();
            let sum: u32 = d.iter().zip([3, 2, 7, 6, 5, 4, 3, 2]).map(|(a, w)| a * w).sum();
            let k = (11 - sum % 11) % 11;
            if k < 10 {
                let full = format!("{base}{k}");
                prop_assert!(OrgNumber::parse(&full).is_ok());
                let wrong = format!("{base}{}", (k + 1) % 10);
                prop_assert!(OrgNumber::parse(&wrong).is_err());
            } else {
                // A control digit of 10 cannot be written: no number with this base is valid.
                for c in 0..10 {
                    let number = format!("{base}{c}");
                    prop_assert!(OrgNumber::parse(&number).is_err());
                }
            }
        }
    }
}
