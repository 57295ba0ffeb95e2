//! Area 4, feedback from users and relatives (tilbakemeldinger).
//!
//! **Session-by-session feedback** in the manner of the feedback-informed treatment tools
//! (an outcome rating and an alliance rating each session): a clinician creates a one-time
//! link for a patient and a session; the patient answers without an account. The rules here,
//! pure:
//!
//! - the fixed item set ([`ITEMS`]): four outcome items (how things have gone since the last
//!   session: personally, in close relationships, at work, school or with friends, and
//!   overall) and four alliance items (about the session just held: being heard and respected,
//!   talking about what mattered to the patient, whether the way of working fits, and the
//!   session overall), each rated on a 0–10 scale, so each total is 0–40. The item wording is
//!   Varde's own (texts in the web crate's `i18n/feedback.rs`), not any published tool's;
//! - the link's token ([`Token`]: 256 bits the caller draws from the operating system,
//!   base64url, stored only as its SHA-256; [`lookup_hash`] for whatever was typed), its life
//!   ([`LINK_DAYS`]) and the session it is for ([`LinkRequest::check`]);
//! - an answer ([`Answer::check`]: every item, a whole number 0–10, no other field);
//! - a patient's trend over sessions ([`trend`]).
//!
//! **User and relative surveys** are [`surveys`].

pub mod surveys;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use base64::Engine as _;
use jiff::civil::Date;
use jiff::{Span, Timestamp};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::fields::{self, FieldError};

/// Days a link works after it was made.
pub const LINK_DAYS: i64 = 7;

/// Bytes of randomness in a token (256 bits).
pub const TOKEN_BYTES: usize = 32;

/// Characters of a token (base64url without padding of [`TOKEN_BYTES`]).
pub const TOKEN_LEN: usize = 43;

/// The highest rating of an item (the lowest is 0).
pub const ITEM_MAX: u8 = 10;

/// The highest session number a link takes.
pub const SESSION_MAX: u32 = 999;

/// How far back a session may lie when its link is made.
pub const SESSION_DAYS_BACK: i64 = 30;

/// Which rating an item belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Scale {
    /// How the patient has been doing (since the last session).
    Outcome,
    /// How the session just held went (the working alliance).
    Alliance,
}

/// The fixed items, in the order they are asked: id and scale. Each is rated 0–[`ITEM_MAX`].
pub const ITEMS: [(&str, Scale); 8] = [
    ("outcome_personal", Scale::Outcome),
    ("outcome_relations", Scale::Outcome),
    ("outcome_social", Scale::Outcome),
    ("outcome_overall", Scale::Outcome),
    ("alliance_heard", Scale::Alliance),
    ("alliance_goals", Scale::Alliance),
    ("alliance_approach", Scale::Alliance),
    ("alliance_overall", Scale::Alliance),
];

/// The highest total of a scale (four items of 0–10).
pub const TOTAL_MAX: u32 = 40;

/// A link's token, in its normal form. Never printed whole.
#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Token(…)")
    }
}

impl Token {
    /// The token of `bytes` (the caller draws them from the operating system's generator).
    pub fn mint(bytes: [u8; TOKEN_BYTES]) -> Token {
        Token(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
    }

    /// A token as it arrives in a path: exactly [`TOKEN_LEN`] characters of the base64url
    /// alphabet, or `None`.
    pub fn parse(typed: &str) -> Option<Token> {
        let ok = typed.len() == TOKEN_LEN
            && typed
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        ok.then(|| Token(typed.to_owned()))
    }

    /// The token's text (for the link, shown once to the clinician who made it).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// What is stored: the SHA-256 of the token, in hex.
    pub fn hash(&self) -> String {
        hex::encode(Sha256::digest(self.0.as_bytes()))
    }
}

/// The hash looked up for a typed text: the token's, or for a text that is no token the hash
/// of a text no token has. Either way the same query runs, so a malformed token is answered
/// as a wrong one is, in the same time.
pub fn lookup_hash(typed: &str) -> String {
    match Token::parse(typed) {
        Some(t) => t.hash(),
        None => hex::encode(Sha256::digest(format!("not a token:{typed}").as_bytes())),
    }
}

/// When a link made at `made` stops working.
pub fn expires_at(made: Timestamp) -> Timestamp {
    made.checked_add(Span::new().hours(24 * LINK_DAYS))
        .unwrap_or(made)
}

/// A number as a form (text) or a JSON body (a number) gives it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Number {
    Int(i64),
    Float(f64),
    Text(String),
}

impl Default for Number {
    fn default() -> Self {
        Number::Text(String::new())
    }
}

impl Number {
    /// The whole number it is, if it is one.
    pub fn whole(&self) -> Option<i64> {
        match self {
            Number::Int(n) => Some(*n),
            Number::Float(_) => None,
            Number::Text(t) => t.trim().parse().ok(),
        }
    }
}

/// A link asked for, as the form or the API gives it.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LinkInput {
    /// The day of the session, `YYYY-MM-DD`: today, or up to 30 days back.
    pub session_date: String,
    /// The session's number in the treatment (1, 2, …).
    pub session_number: Number,
    /// The patient's pathway in this organisation (optional): an answer marks the pathway's
    /// feedback tool as used (the quality indicator `feedback_tool_used`).
    pub pathway_id: String,
}

/// A checked link request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkRequest {
    pub session_date: Date,
    pub session_number: u32,
    pub pathway_id: Option<String>,
}

impl LinkRequest {
    /// Checks every field against `today`; each broken rule names its field.
    pub fn check(input: &LinkInput, today: Date) -> Result<LinkRequest, Vec<FieldError>> {
        let mut errors = Vec::new();
        let session_date = match fields::past_date("session_date", &input.session_date, today) {
            Ok(d)
                if today
                    .checked_sub(Span::new().days(SESSION_DAYS_BACK))
                    .is_ok_and(|earliest| d < earliest) =>
            {
                errors.push(FieldError::new(
                    "session_date",
                    format!("a session of the last {SESSION_DAYS_BACK} days"),
                ));
                None
            }
            Ok(d) => Some(d),
            Err(e) => {
                errors.push(e);
                None
            }
        };
        let session_number = match input.session_number.whole() {
            Some(n) if (1..=i64::from(SESSION_MAX)).contains(&n) => u32::try_from(n).ok(),
            _ => {
                errors.push(FieldError::new(
                    "session_number",
                    format!("a whole number from 1 to {SESSION_MAX}"),
                ));
                None
            }
        };
        let pathway_id = match input.pathway_id.trim() {
            "" => None,
            p => match fields::reference("pathway_id", p) {
                Ok(p) => Some(p),
                Err(e) => {
                    errors.push(e);
                    None
                }
            },
        };
        match (session_date, session_number) {
            (Some(session_date), Some(session_number)) if errors.is_empty() => Ok(LinkRequest {
                session_date,
                session_number,
                pathway_id,
            }),
            _ => Err(errors),
        }
    }
}

/// An answer as the form (text) or the API (numbers) gives it: item id → rating.
pub type AnswerInput = BTreeMap<String, Number>;

/// A checked answer: the ratings in the order of [`ITEMS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answer(pub [u8; 8]);

impl Answer {
    /// Checks an answer: every item of [`ITEMS`] rated with a whole number 0–10, and no other
    /// field.
    pub fn check(input: &AnswerInput) -> Result<Answer, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut out = [0u8; 8];
        for (i, (id, _)) in ITEMS.iter().enumerate() {
            match input.get(*id).map(Number::whole) {
                Some(Some(n)) if (0..=i64::from(ITEM_MAX)).contains(&n) => {
                    out[i] = u8::try_from(n).unwrap_or(0);
                }
                Some(_) => errors.push(FieldError::new(
                    *id,
                    format!("a whole number from 0 to {ITEM_MAX}"),
                )),
                None => errors.push(FieldError::new(*id, "must be answered")),
            }
        }
        for k in input.keys() {
            if !ITEMS.iter().any(|(id, _)| id == k) {
                errors.push(FieldError::new(
                    k.clone(),
                    "not an item of this feedback form",
                ));
            }
        }
        if errors.is_empty() {
            Ok(Answer(out))
        } else {
            Err(errors)
        }
    }

    /// The ratings by item id.
    pub fn items(&self) -> impl Iterator<Item = (&'static str, u8)> + '_ {
        ITEMS.iter().zip(self.0).map(|((id, _), v)| (*id, v))
    }

    /// The total of a scale, 0–[`TOTAL_MAX`].
    pub fn total(&self, scale: Scale) -> u32 {
        ITEMS
            .iter()
            .zip(self.0)
            .filter(|((_, s), _)| *s == scale)
            .map(|(_, v)| u32::from(v))
            .sum()
    }
}

/// One answered session of a patient.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Session {
    pub session_date: Date,
    pub session_number: u32,
    pub answer: Answer,
}

/// One point of a patient's trend.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TrendPoint {
    pub session_date: Date,
    pub session_number: u32,
    /// Outcome total, 0–40.
    pub outcome: u32,
    /// Alliance total, 0–40.
    pub alliance: u32,
}

/// A patient's trend: the answered sessions in order (date, then number), each with its two
/// totals, and the change of the outcome total from the first to the last.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Trend {
    pub points: Vec<TrendPoint>,
    /// Last outcome total minus the first (`None` with fewer than two sessions).
    pub outcome_change: Option<i64>,
}

/// The trend of `sessions` (any order).
pub fn trend(sessions: &[Session]) -> Trend {
    let mut points: Vec<TrendPoint> = sessions
        .iter()
        .map(|s| TrendPoint {
            session_date: s.session_date,
            session_number: s.session_number,
            outcome: s.answer.total(Scale::Outcome),
            alliance: s.answer.total(Scale::Alliance),
        })
        .collect();
    points.sort_by_key(|p| (p.session_date, p.session_number));
    let outcome_change = match (points.first(), points.last()) {
        (Some(a), Some(b)) if points.len() > 1 => Some(i64::from(b.outcome) - i64::from(a.outcome)),
        _ => None,
    };
    Trend {
        points,
        outcome_change,
    }
}
