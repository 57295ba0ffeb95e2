//! The follow-up after a non-fatal overdose, counted (the national follow-up view and the
//! results dashboard): per municipality and year, how many notices had a contact attempt
//! within the risk week, and how many were closed within it with contact made.
//!
//! A notice counts in the year of its overdose, and only once its risk week is over (a week
//! still running has no result yet; counting it as "not attempted" would make this year look
//! worse than it is). "Contact made" is every outcome but `not_reached`: a person reached, or
//! who declined, or was referred to treatment, or linked to a plan, was spoken to. The register
//! keeps when the notice was closed, not when contact was first made, so contact within the
//! week is the closing within the week with contact made — a lower bound, said on the page.
//!
//! Pure: no I/O, no clock; `now` is an argument (Oslo wall-clock time).

use jiff::civil::DateTime;
use serde::Serialize;

use super::overdose::{hours_between, Notice, Outcome, RISK_HOURS};
use crate::suppression;

/// One municipality's notices of a year whose risk week is over.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    /// Notices whose risk week is over.
    pub notices: u64,
    /// Of them, with a first contact attempt within the risk week.
    pub attempted_in_week: u64,
    /// Of them, closed within the risk week with contact made.
    pub contact_in_week: u64,
    /// Notices with an attempt at all (the mean's denominator; never published).
    pub attempted: u64,
    /// Hours from the overdose to the first attempt, summed over `attempted`.
    pub hours_to_attempt: u64,
}

/// Whether an outcome means the person was spoken to.
pub fn contact_made(o: Outcome) -> bool {
    o != Outcome::NotReached
}

impl Tally {
    /// Counts `n` if its risk week is over at `now` (others are not counted).
    pub fn add(&mut self, n: &Notice, now: DateTime) {
        self.count(
            n.register.occurred_at,
            n.attempts.first().map(|a| a.at),
            n.closed_at.zip(n.outcome),
            now,
        );
    }

    /// Counts a notice given by its parts — the overdose's time, the first attempt's, the
    /// closing's with its outcome — if its risk week is over at `now` (the simulator's records
    /// are counted here too).
    pub fn count(
        &mut self,
        occurred_at: DateTime,
        first_attempt: Option<DateTime>,
        closed: Option<(DateTime, Outcome)>,
        now: DateTime,
    ) {
        if hours_between(occurred_at, now) < RISK_HOURS {
            return;
        }
        self.notices += 1;
        if let Some(first) = first_attempt {
            let h = hours_between(occurred_at, first).max(0);
            self.attempted += 1;
            self.hours_to_attempt += u64::try_from(h).unwrap_or(0);
            self.attempted_in_week += u64::from(h <= RISK_HOURS);
        }
        let contact = closed
            .is_some_and(|(at, o)| contact_made(o) && hours_between(occurred_at, at) <= RISK_HOURS);
        self.contact_in_week += u64::from(contact);
    }

    fn plus(mut self, t: &Tally) -> Tally {
        self.notices += t.notices;
        self.attempted_in_week += t.attempted_in_week;
        self.contact_in_week += t.contact_in_week;
        self.attempted += t.attempted;
        self.hours_to_attempt += t.hours_to_attempt;
        self
    }
}

/// A municipality's (or the nation's) row, as published.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FigureRow {
    /// The municipality number, or `national`.
    pub kommune: String,
    /// `None`: 1–4, or hidden so that no hidden cell can be had back from the total.
    pub notices: Option<u64>,
    pub attempted_in_week: Option<u64>,
    pub contact_in_week: Option<u64>,
    /// Mean hours from the overdose to the first attempt, over the notices with an attempt:
    /// shown only beside a shown count of notices and over at least five attempts.
    pub mean_hours_to_attempt: Option<f64>,
}

impl FigureRow {
    /// The share (0–100) of the notices with contact within the week, when both are shown and
    /// the notices are at least five.
    pub fn contact_share(&self) -> Option<f64> {
        match (self.notices, self.contact_in_week) {
            (Some(n), Some(c)) if n >= suppression::THRESHOLD => Some(100.0 * c as f64 / n as f64),
            _ => None,
        }
    }
}

/// The national follow-up view: a row per municipality (in the order given) and the nation's
/// total, suppressed along the three column sums ([`suppression::protect_table`]).
pub fn figures(rows: &[(String, Tally)]) -> (Vec<FigureRow>, FigureRow) {
    let counts: Vec<[u64; 3]> = rows
        .iter()
        .map(|(_, t)| [t.notices, t.attempted_in_week, t.contact_in_week])
        .collect();
    let (hidden, hidden_total) = suppression::protect_table(&counts);
    let row = |kommune: String, t: &Tally, h: [bool; 3]| FigureRow {
        kommune,
        notices: (!h[0]).then_some(t.notices),
        attempted_in_week: (!h[1]).then_some(t.attempted_in_week),
        contact_in_week: (!h[2]).then_some(t.contact_in_week),
        mean_hours_to_attempt: (!h[0] && t.attempted >= suppression::THRESHOLD)
            .then(|| t.hours_to_attempt as f64 / t.attempted as f64),
    };
    let total = rows.iter().fold(Tally::default(), |a, (_, t)| a.plus(t));
    let out = rows
        .iter()
        .zip(hidden)
        .map(|((k, t), h)| row(k.clone(), t, h))
        .collect();
    (out, row("national".into(), &total, hidden_total))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use jiff::civil::{date, DateTime};

    use super::*;
    use crate::coordination::overdose::{Attempt, Means, RegisterFields, Step};

    fn now() -> DateTime {
        date(2026, 12, 7).at(12, 0, 0, 0)
    }

    /// A notice of an overdose at `at`, registered then.
    fn notice(at: &str) -> Notice {
        let f = RegisterFields {
            occurred_at: at.into(),
            service: "ambulance".into(),
            consent_by: "person".into(),
            consent_until: "2027-01-05".into(),
            given_how: "oral".into(),
            ..Default::default()
        };
        let occurred: DateTime = format!("{at}:00").parse().unwrap();
        Notice::new(f.check(Some(date(1990, 5, 1)), occurred).unwrap())
    }

    fn attempt(n: &Notice, at: &str) -> Notice {
        n.apply(&Step::Attempt(Attempt {
            at: format!("{at}:00").parse().unwrap(),
            means: Means::Phone,
        }))
    }

    fn close(n: &Notice, at: &str, outcome: Outcome) -> Notice {
        n.apply(&Step::Close {
            at: format!("{at}:00").parse().unwrap(),
            outcome,
            plan: None,
        })
    }

    #[test]
    fn a_notice_counts_once_its_risk_week_is_over() {
        let mut t = Tally::default();
        // 6 days 23 hours ago: the week is still running.
        t.add(&notice("2026-11-30T13:00"), now());
        assert_eq!(t, Tally::default());
        // Exactly 7 days ago: over.
        t.add(&notice("2026-11-30T12:00"), now());
        assert_eq!(t.notices, 1);
        assert_eq!(t.attempted_in_week, 0);
        assert_eq!(t.contact_in_week, 0);
    }

    #[test]
    fn attempts_and_contact_count_within_the_week_only() {
        let n = notice("2026-11-01T10:00");
        let mut t = Tally::default();
        // Attempted after 26 hours, reached on day 3.
        let reached = close(
            &attempt(&n, "2026-11-02T12:00"),
            "2026-11-04T09:00",
            Outcome::Reached,
        );
        t.add(&reached, now());
        // Attempted on day 9 (late), closed declined on day 10: contact, but not in the week.
        let late = close(
            &attempt(&n, "2026-11-10T10:00"),
            "2026-11-11T10:00",
            Outcome::Declined,
        );
        t.add(&late, now());
        // Attempted at 168 hours exactly, closed not reached in the week: attempted, no contact.
        let not_reached = close(
            &attempt(&n, "2026-11-08T10:00"),
            "2026-11-08T11:00",
            Outcome::NotReached,
        );
        t.add(&not_reached, now());
        // Never attempted.
        t.add(&n, now());
        assert_eq!(t.notices, 4);
        assert_eq!(t.attempted_in_week, 2);
        assert_eq!(t.contact_in_week, 1);
        assert_eq!(t.attempted, 3);
        assert_eq!(t.hours_to_attempt, 26 + 216 + 168);
    }

    #[test]
    fn every_outcome_but_not_reached_is_contact() {
        let contact: Vec<_> = Outcome::ALL
            .into_iter()
            .filter(|o| contact_made(*o))
            .collect();
        assert_eq!(contact.len(), 4);
        assert!(!contact.contains(&Outcome::NotReached));
    }

    #[test]
    fn small_cells_are_hidden_and_cannot_be_had_back_from_the_total() {
        let t = |notices, attempted_in_week, contact_in_week, attempted, hours| Tally {
            notices,
            attempted_in_week,
            contact_in_week,
            attempted,
            hours_to_attempt: hours,
        };
        let rows = vec![
            ("0301".to_owned(), t(40, 30, 20, 35, 35 * 30)),
            ("4601".to_owned(), t(12, 9, 3, 4, 4 * 50)),
            ("5001".to_owned(), t(3, 2, 1, 2, 2 * 10)),
        ];
        let (out, total) = figures(&rows);
        // Trondheim's 3 notices are hidden, and the smallest other (12) with them; the rows'
        // other columns follow their first.
        assert_eq!(out[2].notices, None);
        assert_eq!(out[1].notices, None);
        assert_eq!(out[1].attempted_in_week, None);
        assert_eq!(out[0].notices, Some(40));
        assert_eq!(out[0].mean_hours_to_attempt, Some(30.0));
        // Contacts: Bergen's 3 and Trondheim's 1 are hidden, but add up to under five, so
        // Oslo's 20 is hidden too (the shown total 24 would tell them apart otherwise).
        assert_eq!(out[0].contact_in_week, None);
        assert_eq!(total.notices, Some(55));
        assert_eq!(total.contact_in_week, Some(24));
        assert_eq!(
            total.mean_hours_to_attempt,
            Some((1050.0 + 200.0 + 20.0) / 41.0)
        );
        assert_eq!(total.contact_share(), Some(100.0 * 24.0 / 55.0));
        assert_eq!(out[0].contact_share(), None);
    }

    #[test]
    fn a_mean_over_fewer_than_five_attempts_is_not_shown() {
        let rows = vec![(
            "0301".to_owned(),
            Tally {
                notices: 8,
                attempted_in_week: 4,
                contact_in_week: 0,
                attempted: 4,
                hours_to_attempt: 40,
            },
        )];
        let (out, _) = figures(&rows);
        assert_eq!(out[0].notices, Some(8));
        assert_eq!(out[0].mean_hours_to_attempt, None);
    }
}
