//! Coercion under helse- og omsorgstjenesteloven chapter 10: retention in an institution
//! without consent (§ 10-2), of pregnant women (§ 10-3), and on the patient's own prior consent
//! (§ 10-4). Computed end dates, rule checks, warnings when a stay passes its legal limit, and
//! the yearly table of temporary decisions, appeals and main cases per section.
//!
//! - § 10-2: retention for up to 3 months. A temporary decision (midlertidig vedtak) must be
//!   followed by the proposal for a main decision to the county board (fylkesnemnda) within
//!   2 weeks, or it lapses.
//! - § 10-3: a pregnant woman may be retained for the whole pregnancy; the child welfare service
//!   is notified. Temporary decisions as for § 10-2.
//! - § 10-4: retention on own consent, given to the institution's management at the latest when
//!   the stay begins: retention lasts up to 3 weeks after consent is withdrawn and may be
//!   effected at most 3 times per stay.

use std::collections::BTreeMap;

use jiff::civil::Date;
use jiff::Span;
use serde::Serialize;

use crate::calendar::add_days;

/// The section a decision is made under.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Section {
    /// § 10-2 retention without consent.
    #[serde(rename = "10-2")]
    S10_2,
    /// § 10-3 retention of pregnant women.
    #[serde(rename = "10-3")]
    S10_3,
    /// § 10-4 retention on own consent.
    #[serde(rename = "10-4")]
    S10_4,
}

/// Main decision or temporary decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// Vedtak by the county board (§§ 10-2, 10-3) or the institution (§ 10-4 retention).
    Main,
    /// Midlertidig vedtak (§§ 10-2, 10-3).
    Temporary,
}

/// One coercion decision within a stay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// The section.
    pub section: Section,
    /// Main or temporary.
    pub kind: Kind,
    /// Date of the decision.
    pub decided: Date,
    /// Date the retention starts (for § 10-4: the date consent was withdrawn).
    pub from: Date,
    /// § 10-3: the expected date of delivery (end of the pregnancy).
    pub expected_delivery: Option<Date>,
    /// § 10-3: the date the child welfare service was notified.
    pub child_welfare_notified: Option<Date>,
    /// Date an appeal (klage) was lodged, if any.
    pub appealed: Option<Date>,
    /// Temporary decisions: date the case was sent to the county board, if it was.
    pub sent_to_county_board: Option<Date>,
}

impl Decision {
    /// A decision with no optional facts.
    pub fn new(section: Section, kind: Kind, decided: Date, from: Date) -> Decision {
        Decision {
            section,
            kind,
            decided,
            from,
            expected_delivery: None,
            child_welfare_notified: None,
            appealed: None,
            sent_to_county_board: None,
        }
    }
}

/// A coercion rule broken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CoercionError {
    /// § 10-3 without an expected delivery date.
    #[error("§ 10-3 needs the expected date of delivery")]
    NoExpectedDelivery,
    /// § 10-3 without notice to the child welfare service.
    #[error("§ 10-3: the child welfare service has not been notified")]
    ChildWelfareNotNotified,
    /// A fourth § 10-4 retention in one stay.
    #[error("§ 10-4: retention may be effected at most 3 times per stay (this is number {0})")]
    TooManyConsentRetentions(usize),
    /// § 10-4 is never a temporary decision.
    #[error("§ 10-4 has no temporary decisions")]
    TemporaryUnder10_4,
    /// A retention that starts before the decision or the stay.
    #[error("retention starts {from}, before the stay began {stay_start}")]
    BeforeStay {
        /// Start of retention.
        from: Date,
        /// Start of stay.
        stay_start: Date,
    },
}

/// The legal end of a retention: the last day it may last.
pub fn legal_end(d: &Decision) -> Result<Date, CoercionError> {
    match d.section {
        // Up to three months from the start.
        Section::S10_2 => Ok(d.from.saturating_add(Span::new().months(3))),
        // For the pregnancy.
        Section::S10_3 => d.expected_delivery.ok_or(CoercionError::NoExpectedDelivery),
        // Three weeks after the consent was withdrawn.
        Section::S10_4 => Ok(add_days(d.from, 21)),
    }
}

/// The date by which a temporary decision must have been sent to the county board (2 weeks).
pub fn county_board_due(d: &Decision) -> Option<Date> {
    (d.kind == Kind::Temporary).then(|| add_days(d.decided, 14))
}

/// One institutional stay with its coercion decisions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stay {
    /// First day of the stay.
    pub start: Date,
    /// Day the stay ended, if it has.
    pub end: Option<Date>,
    /// Decisions in date order.
    pub decisions: Vec<Decision>,
}

/// Checks a stay's decisions against the rules of chapter 10.
pub fn check_stay(stay: &Stay) -> Vec<CoercionError> {
    let mut errors = Vec::new();
    let mut consent_retentions = 0;
    for d in &stay.decisions {
        if d.from < stay.start {
            errors.push(CoercionError::BeforeStay {
                from: d.from,
                stay_start: stay.start,
            });
        }
        match d.section {
            Section::S10_3 => {
                if d.expected_delivery.is_none() {
                    errors.push(CoercionError::NoExpectedDelivery);
                }
                if d.child_welfare_notified.is_none() {
                    errors.push(CoercionError::ChildWelfareNotNotified);
                }
            }
            Section::S10_4 => {
                if d.kind == Kind::Temporary {
                    errors.push(CoercionError::TemporaryUnder10_4);
                }
                consent_retentions += 1;
                if consent_retentions > 3 {
                    errors.push(CoercionError::TooManyConsentRetentions(consent_retentions));
                }
            }
            Section::S10_2 => {}
        }
    }
    errors
}

/// A warning about a stay on a given day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Warning {
    /// The stay is still going on after the legal end of its latest retention.
    PastLegalLimit {
        /// The section of that retention.
        section: Section,
        /// Its legal end.
        legal_end: Date,
    },
    /// A temporary decision not sent to the county board within 2 weeks: it has lapsed.
    TemporaryDecisionLapsed {
        /// The section.
        section: Section,
        /// The due date.
        due: Date,
    },
}

/// Warnings for a stay seen on `as_of`: an ongoing stay past the legal end of its latest
/// retention, and temporary decisions not sent on to the county board in time.
pub fn warnings(stay: &Stay, as_of: Date) -> Vec<Warning> {
    let mut out = Vec::new();
    let ongoing = stay.end.is_none_or(|e| as_of < e);
    if ongoing {
        if let Some(latest) = stay
            .decisions
            .iter()
            .filter(|d| d.from <= as_of)
            .max_by_key(|d| d.from)
        {
            if let Ok(end) = legal_end(latest) {
                if as_of > end {
                    out.push(Warning::PastLegalLimit {
                        section: latest.section,
                        legal_end: end,
                    });
                }
            }
        }
    }
    for d in &stay.decisions {
        if let Some(due) = county_board_due(d) {
            let sent_in_time = d.sent_to_county_board.is_some_and(|s| s <= due);
            if !sent_in_time && as_of > due {
                out.push(Warning::TemporaryDecisionLapsed {
                    section: d.section,
                    due,
                });
            }
        }
    }
    out
}

/// One row of the yearly table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct YearRow {
    /// Temporary decisions made in the year.
    pub temporary: u32,
    /// Main decisions (main cases) made in the year.
    pub main: u32,
    /// Appeals lodged in the year.
    pub appeals: u32,
}

/// The yearly table per section: temporary decisions and main cases by decision date, appeals
/// by the date they were lodged.
pub fn yearly_table<'a>(
    decisions: impl IntoIterator<Item = &'a Decision>,
    year: i16,
) -> BTreeMap<Section, YearRow> {
    let mut out: BTreeMap<Section, YearRow> = [Section::S10_2, Section::S10_3, Section::S10_4]
        .into_iter()
        .map(|s| (s, YearRow::default()))
        .collect();
    for d in decisions {
        let row = out.entry(d.section).or_default();
        if d.decided.year() == year {
            match d.kind {
                Kind::Main => row.main += 1,
                Kind::Temporary => row.temporary += 1,
            }
        }
        if d.appealed.is_some_and(|a| a.year() == year) {
            row.appeals += 1;
        }
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn legal_end_dates() {
        let d = Decision::new(
            Section::S10_2,
            Kind::Main,
            date(2025, 1, 31),
            date(2025, 1, 31),
        );
        // Three months from 31 January ends on 30 April (month-end clamps).
        assert_eq!(legal_end(&d), Ok(date(2025, 4, 30)));
        let d = Decision::new(
            Section::S10_2,
            Kind::Main,
            date(2025, 11, 15),
            date(2025, 11, 15),
        );
        assert_eq!(legal_end(&d), Ok(date(2026, 2, 15)));
        let d = Decision::new(
            Section::S10_4,
            Kind::Main,
            date(2025, 3, 10),
            date(2025, 3, 10),
        );
        assert_eq!(legal_end(&d), Ok(date(2025, 3, 31)));
        let mut d = Decision::new(
            Section::S10_3,
            Kind::Main,
            date(2025, 3, 10),
            date(2025, 3, 10),
        );
        assert_eq!(legal_end(&d), Err(CoercionError::NoExpectedDelivery));
        d.expected_delivery = Some(date(2025, 9, 1));
        assert_eq!(legal_end(&d), Ok(date(2025, 9, 1)));
    }

    #[test]
    fn pregnancy_needs_child_welfare_notified() {
        let mut d = Decision::new(
            Section::S10_3,
            Kind::Main,
            date(2025, 3, 10),
            date(2025, 3, 10),
        );
        d.expected_delivery = Some(date(2025, 9, 1));
        let stay = Stay {
            start: date(2025, 3, 10),
            end: None,
            decisions: vec![d.clone()],
        };
        assert_eq!(
            check_stay(&stay),
            vec![CoercionError::ChildWelfareNotNotified]
        );
        d.child_welfare_notified = Some(date(2025, 3, 10));
        let stay = Stay {
            decisions: vec![d],
            ..stay
        };
        assert!(check_stay(&stay).is_empty());
    }

    #[test]
    fn consent_retention_at_most_three_times_per_stay() {
        let r = |day| {
            Decision::new(
                Section::S10_4,
                Kind::Main,
                date(2025, 5, day),
                date(2025, 5, day),
            )
        };
        let mut stay = Stay {
            start: date(2025, 5, 1),
            end: None,
            decisions: vec![r(2), r(5), r(9)],
        };
        assert!(check_stay(&stay).is_empty());
        stay.decisions.push(r(20));
        assert_eq!(
            check_stay(&stay),
            vec![CoercionError::TooManyConsentRetentions(4)]
        );
        let t = Decision::new(
            Section::S10_4,
            Kind::Temporary,
            date(2025, 5, 2),
            date(2025, 5, 2),
        );
        let stay = Stay {
            start: date(2025, 5, 1),
            end: None,
            decisions: vec![t],
        };
        assert_eq!(check_stay(&stay), vec![CoercionError::TemporaryUnder10_4]);
    }

    #[test]
    fn warning_when_a_stay_passes_its_legal_limit() {
        let d = Decision::new(
            Section::S10_2,
            Kind::Main,
            date(2025, 1, 10),
            date(2025, 1, 10),
        );
        let stay = Stay {
            start: date(2025, 1, 10),
            end: None,
            decisions: vec![d],
        };
        assert!(warnings(&stay, date(2025, 4, 10)).is_empty());
        assert_eq!(
            warnings(&stay, date(2025, 4, 11)),
            vec![Warning::PastLegalLimit {
                section: Section::S10_2,
                legal_end: date(2025, 4, 10)
            }]
        );
        // A stay that ended in time gives no warning later.
        let ended = Stay {
            end: Some(date(2025, 4, 1)),
            ..stay
        };
        assert!(warnings(&ended, date(2025, 6, 1)).is_empty());
    }

    #[test]
    fn temporary_decision_lapses_without_county_board() {
        let mut t = Decision::new(
            Section::S10_2,
            Kind::Temporary,
            date(2025, 2, 3),
            date(2025, 2, 3),
        );
        assert_eq!(county_board_due(&t), Some(date(2025, 2, 17)));
        let stay = Stay {
            start: date(2025, 2, 3),
            end: Some(date(2025, 2, 10)),
            decisions: vec![t.clone()],
        };
        assert!(warnings(&stay, date(2025, 2, 17)).is_empty());
        assert_eq!(
            warnings(&stay, date(2025, 2, 18)),
            vec![Warning::TemporaryDecisionLapsed {
                section: Section::S10_2,
                due: date(2025, 2, 17)
            }]
        );
        t.sent_to_county_board = Some(date(2025, 2, 14));
        let stay = Stay {
            decisions: vec![t],
            ..stay
        };
        assert!(warnings(&stay, date(2025, 3, 1)).is_empty());
    }

    #[test]
    fn yearly_table_per_section() {
        let mut a = Decision::new(
            Section::S10_2,
            Kind::Temporary,
            date(2025, 2, 3),
            date(2025, 2, 3),
        );
        a.appealed = Some(date(2025, 2, 5));
        let b = Decision::new(
            Section::S10_2,
            Kind::Main,
            date(2025, 2, 14),
            date(2025, 2, 3),
        );
        let mut c = Decision::new(
            Section::S10_3,
            Kind::Main,
            date(2024, 12, 20),
            date(2024, 12, 20),
        );
        c.appealed = Some(date(2025, 1, 3));
        let d = Decision::new(
            Section::S10_4,
            Kind::Main,
            date(2025, 6, 1),
            date(2025, 6, 1),
        );
        let t = yearly_table([&a, &b, &c, &d], 2025);
        assert_eq!(
            t[&Section::S10_2],
            YearRow {
                temporary: 1,
                main: 1,
                appeals: 1
            }
        );
        assert_eq!(
            t[&Section::S10_3],
            YearRow {
                temporary: 0,
                main: 0,
                appeals: 1
            }
        );
        assert_eq!(t[&Section::S10_4].main, 1);
        let t24 = yearly_table([&a, &b, &c, &d], 2024);
        assert_eq!(t24[&Section::S10_3].main, 1);
        assert_eq!(t24[&Section::S10_2], YearRow::default());
    }
}
