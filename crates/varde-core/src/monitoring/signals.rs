//! Signals, their states and the watchlist.

use std::collections::BTreeMap;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::fields::FieldError;
use crate::substances::Substance;

/// What raised a signal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignalKind {
    /// A finding of a substance on the high-risk watchlist.
    Watchlist,
    /// A weekly count above its threshold (a `varde-signal` method).
    Aberration,
    /// A purity far above the recent range for the substance.
    Purity,
}

impl SignalKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SignalKind::Watchlist => "watchlist",
            SignalKind::Aberration => "aberration",
            SignalKind::Purity => "purity",
        }
    }
}

/// Where a signal is in the analysts' inbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignalStatus {
    New,
    Acknowledged,
    /// Linked into another signal (the one it is linked to stays open).
    Linked,
    Dismissed,
}

impl SignalStatus {
    pub const ALL: [SignalStatus; 4] = [
        SignalStatus::New,
        SignalStatus::Acknowledged,
        SignalStatus::Linked,
        SignalStatus::Dismissed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SignalStatus::New => "new",
            SignalStatus::Acknowledged => "acknowledged",
            SignalStatus::Linked => "linked",
            SignalStatus::Dismissed => "dismissed",
        }
    }

    pub fn parse(field: &'static str, v: &str) -> Result<SignalStatus, FieldError> {
        SignalStatus::ALL
            .into_iter()
            .find(|s| s.as_str() == v.trim())
            .ok_or_else(|| FieldError::new(field, "one of new, acknowledged, linked, dismissed"))
    }

    /// Still to be worked (new or acknowledged).
    pub fn is_open(self) -> bool {
        matches!(self, SignalStatus::New | SignalStatus::Acknowledged)
    }
}

/// A signal to raise.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewSignal {
    pub kind: SignalKind,
    /// The source family: `drugcheck`, `seizures`, `overdoses`, …
    pub source: String,
    /// The substance's id in the reference list, when the signal is about one.
    pub substance: Option<String>,
    /// `0301`, `county:03` or `national`.
    pub area: String,
    /// ISO week, `2026-W48`.
    pub week: String,
    /// The observed count (or purity, or 1 for a finding).
    pub observed: f64,
    /// The threshold it crossed, if the rule has one.
    pub threshold: Option<f64>,
    /// What raised it: the rule, the method and its parameters, in words.
    pub rule: String,
    /// What was found (never a person, never a drug-checking code).
    pub detail: String,
    /// One signal per key: a second raise with the same key is not a new signal.
    pub dedupe: String,
}

/// A change an analyst makes to a signal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum SignalChange {
    Acknowledge,
    /// Linked into signal `into` (a related signal that stays open).
    Link {
        into: i64,
    },
    Dismiss {
        reason: String,
    },
}

impl SignalChange {
    /// The event kind in the log.
    pub fn kind(&self) -> &'static str {
        match self {
            SignalChange::Acknowledge => "monitoring.signal_acknowledged",
            SignalChange::Link { .. } => "monitoring.signal_linked",
            SignalChange::Dismiss { .. } => "monitoring.signal_dismissed",
        }
    }

    /// The status after the change from `current`, or why the change does not apply.
    /// `into_status` is the status of the signal linked into (for a link).
    pub fn apply(
        &self,
        id: i64,
        current: SignalStatus,
        into_status: Option<SignalStatus>,
    ) -> Result<SignalStatus, FieldError> {
        if !current.is_open() {
            return Err(FieldError::new(
                "status",
                "the signal is linked or dismissed already",
            ));
        }
        match self {
            SignalChange::Acknowledge if current == SignalStatus::Acknowledged => Err(
                FieldError::new("status", "the signal is acknowledged already"),
            ),
            SignalChange::Acknowledge => Ok(SignalStatus::Acknowledged),
            SignalChange::Link { into } if *into == id => Err(FieldError::new(
                "into",
                "a signal cannot be linked into itself",
            )),
            SignalChange::Link { .. } => match into_status {
                None => Err(FieldError::new("into", "no such signal")),
                Some(s) if !s.is_open() => Err(FieldError::new(
                    "into",
                    "a signal can only be linked into an open one",
                )),
                Some(_) => Ok(SignalStatus::Linked),
            },
            SignalChange::Dismiss { reason } if reason.trim().is_empty() => {
                Err(FieldError::new("reason", "must not be empty"))
            }
            SignalChange::Dismiss { .. } => Ok(SignalStatus::Dismissed),
        }
    }
}

/// The ISO week of a day, as `2026-W48`.
pub fn iso_week(day: Date) -> String {
    let w = day.iso_week_date();
    format!("{}-W{:02}", w.year(), w.week())
}

/// The watchlist: the reference list's high-risk flag, with the analysts' additions and
/// removals (`true`: on the list, `false`: off it) over it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Watchlist {
    pub overrides: BTreeMap<String, bool>,
}

impl Watchlist {
    /// Whether `s` is on the watchlist.
    pub fn contains(&self, s: &Substance) -> bool {
        self.overrides.get(&s.id).copied().unwrap_or(s.high_risk)
    }

    /// Every substance on the list.
    pub fn substances(&self) -> Vec<&'static Substance> {
        crate::substances::get()
            .all()
            .iter()
            .filter(|s| self.contains(s))
            .collect()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_signal_moves_through_the_inbox_once() {
        let ack = SignalChange::Acknowledge;
        assert_eq!(
            ack.apply(1, SignalStatus::New, None).unwrap(),
            SignalStatus::Acknowledged
        );
        assert!(ack.apply(1, SignalStatus::Acknowledged, None).is_err());
        let link = SignalChange::Link { into: 2 };
        assert_eq!(
            link.apply(1, SignalStatus::Acknowledged, Some(SignalStatus::New))
                .unwrap(),
            SignalStatus::Linked
        );
        assert_eq!(
            link.apply(1, SignalStatus::New, None).unwrap_err().field,
            "into"
        );
        assert!(link
            .apply(1, SignalStatus::New, Some(SignalStatus::Dismissed))
            .is_err());
        assert!(SignalChange::Link { into: 1 }
            .apply(1, SignalStatus::New, Some(SignalStatus::New))
            .is_err());
        let dismiss = SignalChange::Dismiss { reason: " ".into() };
        assert_eq!(
            dismiss.apply(1, SignalStatus::New, None).unwrap_err().field,
            "reason"
        );
        let dismiss = SignalChange::Dismiss {
            reason: "kjent funn".into(),
        };
        assert_eq!(
            dismiss.apply(1, SignalStatus::New, None).unwrap(),
            SignalStatus::Dismissed
        );
        for closed in [SignalStatus::Linked, SignalStatus::Dismissed] {
            assert!(ack.apply(1, closed, None).is_err());
        }
    }

    #[test]
    fn weeks_are_iso_weeks() {
        assert_eq!(iso_week(jiff::civil::date(2026, 12, 6)), "2026-W49");
        assert_eq!(iso_week(jiff::civil::date(2027, 1, 1)), "2026-W53");
        assert_eq!(iso_week(jiff::civil::date(2024, 12, 30)), "2025-W01");
    }

    #[test]
    fn the_watchlist_is_the_flag_with_the_analysts_changes() {
        let list = crate::substances::get();
        let mut w = Watchlist::default();
        let proto = list.find("protonitazene").unwrap();
        let heroin = list.find("heroin").unwrap();
        assert!(w.contains(proto) && !w.contains(heroin));
        w.overrides.insert("heroin".into(), true);
        w.overrides.insert("protonitazene".into(), false);
        assert!(!w.contains(proto) && w.contains(heroin));
        assert!(w.substances().iter().any(|s| s.id == "heroin"));
    }
}
