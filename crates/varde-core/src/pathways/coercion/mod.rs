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
use crate::fields::FieldError;

pub mod command;
pub mod due;

pub use command::{CoercionCommand, StayState};

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

impl Section {
    pub const ALL: [Section; 3] = [Section::S10_2, Section::S10_3, Section::S10_4];

    /// `10-2`, `10-3` or `10-4`.
    pub fn as_str(self) -> &'static str {
        match self {
            Section::S10_2 => "10-2",
            Section::S10_3 => "10-3",
            Section::S10_4 => "10-4",
        }
    }

    /// Parses `10-2`, `§ 10-2`, … (the `section` field of a request).
    pub fn parse(v: &str) -> Result<Section, FieldError> {
        let v = v.trim().trim_start_matches('§').trim();
        Section::ALL
            .into_iter()
            .find(|s| s.as_str() == v)
            .ok_or_else(|| FieldError::new("section", "one of 10-2, 10-3, 10-4"))
    }
}

/// Main decision or temporary decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// Vedtak by the county board (§§ 10-2, 10-3) or the institution (§ 10-4 retention).
    Main,
    /// Midlertidig vedtak (§§ 10-2, 10-3).
    Temporary,
}

impl Kind {
    /// `main` or `temporary`.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Main => "main",
            Kind::Temporary => "temporary",
        }
    }

    /// Parses the `kind` field of a request.
    pub fn parse(v: &str) -> Result<Kind, FieldError> {
        match v.trim() {
            "main" => Ok(Kind::Main),
            "temporary" => Ok(Kind::Temporary),
            _ => Err(FieldError::new("kind", "main or temporary")),
        }
    }
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
    /// § 10-3 with an expected delivery date before the retention starts.
    #[error("§ 10-3: the expected date of delivery is before the retention starts")]
    DeliveryBeforeRetention,
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
                match d.expected_delivery {
                    None => errors.push(CoercionError::NoExpectedDelivery),
                    Some(delivery) if delivery < d.from => {
                        errors.push(CoercionError::DeliveryBeforeRetention);
                    }
                    Some(_) => {}
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
    /// The stay went on after the legal end of its retention with no later decision: still
    /// going on (seen on the as-of date), or it ended later than that legal end allowed.
    PastLegalLimit {
        /// The section of that retention.
        section: Section,
        /// Its legal end: the last lawful day.
        legal_end: Date,
    },
    /// Days of the stay between two decisions that no decision's legal period covers: the
    /// retention ran out on `legal_end` and the next decision's retention began on `next_from`.
    GapBetweenDecisions {
        /// The section of the retention that ran out.
        section: Section,
        /// Its legal end: the last lawful day before the gap.
        legal_end: Date,
        /// The first day of the next retention (the day after the gap).
        next_from: Date,
    },
    /// A temporary decision not sent to the county board within 2 weeks: it has lapsed.
    TemporaryDecisionLapsed {
        /// The section.
        section: Section,
        /// The due date.
        due: Date,
    },
}

/// Warnings for a stay seen on `as_of`.
///
/// From the first retention on, every day of the stay up to the as-of date or the stay's last
/// day (the day before its end), whichever is earlier, must lie in the legal period (start to
/// legal end) of some decision whose retention has begun by then. Uncovered days between two
/// decisions are a [`Warning::GapBetweenDecisions`]; uncovered days after the last legal end are
/// a [`Warning::PastLegalLimit`], whether the stay is still going on or has ended. Days before
/// the first retention are not coercion and give no warning. Temporary decisions not sent on to
/// the county board in time give a [`Warning::TemporaryDecisionLapsed`].
pub fn warnings(stay: &Stay, as_of: Date) -> Vec<Warning> {
    let mut out = Vec::new();
    // The last day of the stay looked at: the as-of date while the stay goes on, otherwise the
    // day before the end (the end is the first day out).
    let last_day = match stay.end {
        Some(end) if end <= as_of => add_days(end, -1),
        _ => as_of,
    };
    let mut periods: Vec<(Date, Date, Section)> = stay
        .decisions
        .iter()
        .filter(|d| d.from <= last_day)
        .filter_map(|d| legal_end(d).ok().map(|end| (d.from, end, d.section)))
        .collect();
    // By start (a stable sort: equal starts stay in the order recorded).
    periods.sort_by_key(|p| p.0);
    // The last day covered so far, and the section of the retention that covers it.
    let mut covered: Option<(Date, Section)> = None;
    for (from, end, section) in periods {
        match covered {
            Some((until, until_section)) if add_days(until, 1) < from => {
                out.push(Warning::GapBetweenDecisions {
                    section: until_section,
                    legal_end: until,
                    next_from: from,
                });
                covered = Some((end, section));
            }
            Some((until, _)) if end < until => {}
            _ => covered = Some((end, section)),
        }
    }
    if let Some((until, section)) = covered {
        if last_day > until {
            out.push(Warning::PastLegalLimit {
                section,
                legal_end: until,
            });
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

    fn main_10_2(from: Date) -> Decision {
        Decision::new(Section::S10_2, Kind::Main, from, from)
    }

    #[test]
    fn an_ended_stay_keeps_its_warning_for_days_past_the_legal_limit() {
        // Retention from 1 January runs out on 1 April; the stay ended (first day out) on
        // 1 June with no further decision.
        let stay = Stay {
            start: date(2026, 1, 1),
            end: Some(date(2026, 6, 1)),
            decisions: vec![main_10_2(date(2026, 1, 1))],
        };
        let past = vec![Warning::PastLegalLimit {
            section: Section::S10_2,
            legal_end: date(2026, 4, 1),
        }];
        assert_eq!(warnings(&stay, date(2026, 11, 24)), past);
        assert_eq!(warnings(&stay, date(2026, 6, 1)), past);
        assert_eq!(warnings(&stay, date(2026, 4, 2)), past);
        assert!(warnings(&stay, date(2026, 4, 1)).is_empty());
        // Ended on the day after the legal end: every day of the stay was covered.
        let in_time = Stay {
            end: Some(date(2026, 4, 2)),
            ..stay
        };
        assert!(warnings(&in_time, date(2026, 11, 24)).is_empty());
    }

    #[test]
    fn a_gap_between_decisions_is_flagged_during_and_after_the_stay() {
        // 1 January → 1 April, nothing 2–30 April, a new decision from 1 May (to 1 August);
        // the stay ended on 1 June, within the second decision's legal period.
        let stay = Stay {
            start: date(2026, 1, 1),
            end: Some(date(2026, 6, 1)),
            decisions: vec![main_10_2(date(2026, 1, 1)), main_10_2(date(2026, 5, 1))],
        };
        let gap = Warning::GapBetweenDecisions {
            section: Section::S10_2,
            legal_end: date(2026, 4, 1),
            next_from: date(2026, 5, 1),
        };
        assert_eq!(warnings(&stay, date(2026, 11, 24)), vec![gap.clone()]);
        assert_eq!(warnings(&stay, date(2026, 5, 1)), vec![gap]);
        // Seen during the gap: the stay is past its legal limit (the next decision has not
        // begun yet).
        assert_eq!(
            warnings(&stay, date(2026, 4, 15)),
            vec![Warning::PastLegalLimit {
                section: Section::S10_2,
                legal_end: date(2026, 4, 1),
            }]
        );
        // Back to back (the next retention begins the day after the legal end): no gap.
        let seamless = Stay {
            decisions: vec![main_10_2(date(2026, 1, 1)), main_10_2(date(2026, 4, 2))],
            ..stay.clone()
        };
        assert!(warnings(&seamless, date(2026, 11, 24)).is_empty());
        // Overlapping decisions: the union of their legal periods counts, whatever the order
        // they were recorded in.
        let mut pregnancy = Decision::new(
            Section::S10_3,
            Kind::Main,
            date(2026, 1, 1),
            date(2026, 1, 1),
        );
        pregnancy.expected_delivery = Some(date(2026, 7, 1));
        pregnancy.child_welfare_notified = Some(date(2026, 1, 1));
        let overlapping = Stay {
            decisions: vec![main_10_2(date(2026, 2, 1)), pregnancy],
            ..stay.clone()
        };
        assert!(warnings(&overlapping, date(2026, 11, 24)).is_empty());
        // Days before the first retention are not coercion.
        let late_start = Stay {
            decisions: vec![main_10_2(date(2026, 3, 1))],
            ..stay
        };
        assert!(warnings(&late_start, date(2026, 11, 24)).is_empty());
    }

    #[test]
    fn pregnancy_retention_needs_a_delivery_date_after_its_start() {
        let mut d = Decision::new(
            Section::S10_3,
            Kind::Main,
            date(2026, 3, 10),
            date(2026, 3, 10),
        );
        d.child_welfare_notified = Some(date(2026, 3, 10));
        d.expected_delivery = Some(date(2026, 3, 9));
        let stay = Stay {
            start: date(2026, 3, 1),
            end: None,
            decisions: vec![d.clone()],
        };
        assert_eq!(
            check_stay(&stay),
            vec![CoercionError::DeliveryBeforeRetention]
        );
        d.expected_delivery = Some(date(2026, 3, 10));
        let stay = Stay {
            decisions: vec![d],
            ..stay
        };
        assert!(check_stay(&stay).is_empty());
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
