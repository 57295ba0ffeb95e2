//! The figures of a unit or municipality: of its people (the persons it has registered), the
//! share with an individual plan, with a coordinator, with a responsibility group, and with a
//! plan evaluated in the last six months. Counts of people of 1–4 are hidden, and so is
//! whatever would give them back (the count beside the total: the rest by subtraction), by
//! `suppression::protect`.

use jiff::civil::Date;
use jiff::ToSpan;
use serde::Serialize;

use crate::suppression::{protect, Sum};

/// What is known of one person for the figures.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PersonFacts {
    pub plan: bool,
    pub coordinator: bool,
    pub group: bool,
    pub last_evaluation: Option<Date>,
}

/// One figure: how many of `total` have it, and the share; `None` where hidden.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Figure {
    pub key: &'static str,
    pub count: Option<u64>,
    pub total: Option<u64>,
    /// Percent, one decimal.
    pub share: Option<f64>,
}

/// The four figures on `today`.
pub fn figures(people: &[PersonFacts], today: Date) -> Vec<Figure> {
    let since = today.saturating_sub(6.months());
    let total = people.len() as u64;
    let count = |f: &dyn Fn(&PersonFacts) -> bool| people.iter().filter(|p| f(p)).count() as u64;
    let rows: [(&'static str, u64); 4] = [
        ("plan", count(&|p| p.plan)),
        ("coordinator", count(&|p| p.coordinator)),
        ("group", count(&|p| p.group)),
        (
            "evaluated",
            count(&|p| p.last_evaluation.is_some_and(|d| d >= since)),
        ),
    ];
    rows.into_iter()
        .map(|(key, n)| {
            let hidden = protect(
                &[n, total - n, total],
                &[Sum {
                    total: 2,
                    parts: vec![0, 1],
                }],
            );
            let count = (!hidden[0]).then_some(n);
            let tot = (!hidden[2]).then_some(total);
            let share = match (count, tot) {
                (Some(c), Some(t)) if t > 0 => Some((c as f64 * 1000.0 / t as f64).round() / 10.0),
                _ => None,
            };
            Figure {
                key,
                count,
                total: tot,
                share,
            }
        })
        .collect()
}
