//! What falls due on the stays under chapter 10, for the unit's worklist: every limit that
//! falls due within [`DUE_WITHIN_DAYS`] days of the as-of date, or is past it, on a stay that
//! goes on.
//!
//! - § 10-2/10-3: a temporary decision not yet sent to the county board (fylkesnemnda) within
//!   2 weeks of the decision, unless a main decision under the same section followed it (the
//!   board has decided);
//! - § 10-2: a retention reaching its 3 months, unless another recorded decision takes over;
//! - § 10-4: the 3 weeks after consent was withdrawn, unless another recorded decision takes
//!   over;
//! - § 10-4: the third retention in the stay, from the day it begins: the limit of three per
//!   stay is reached, and no further retention may be effected in it.

use jiff::civil::Date;
use serde::Serialize;

use super::command::StayState;
use super::{county_board_due, legal_end, Decision, Kind, Section};
use crate::calendar::add_days;

/// A limit shows on the worklist from this many days before it.
pub const DUE_WITHIN_DAYS: i64 = 7;

/// The limit a worklist row is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DueKind {
    /// A temporary decision to be sent to the county board within 2 weeks.
    CountyBoard,
    /// A § 10-2 retention's 3 months.
    ThreeMonths,
    /// A § 10-4 retention's 3 weeks after consent was withdrawn.
    ConsentWithdrawn,
    /// The third § 10-4 retention of the stay (its 3 weeks are the limit shown).
    ThirdConsentRetention,
}

impl DueKind {
    /// The contract name.
    pub fn as_str(self) -> &'static str {
        match self {
            DueKind::CountyBoard => "county_board",
            DueKind::ThreeMonths => "three_months",
            DueKind::ConsentWithdrawn => "consent_withdrawn",
            DueKind::ThirdConsentRetention => "third_consent_retention",
        }
    }
}

/// One row of the coercion worklist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DueItem {
    /// The stay.
    pub stay_id: String,
    /// The patient's pseudonymous reference.
    pub patient: String,
    /// What falls due.
    pub kind: DueKind,
    /// The section of the decision.
    pub section: Section,
    /// The decision's number in the stay (1-based, as an appeal names it).
    pub decision: usize,
    /// The limit: the last lawful day of the retention, or the day by which the case must reach
    /// the county board.
    pub limit: Date,
    /// The limit is before the as-of date.
    pub overdue: bool,
}

/// True when another decision of the stay takes over from `d` after its legal end `end`: its
/// retention lasts longer and begins by the day after that end (the stay is carried on), or has
/// begun by the as-of date (a lapse between them is a warning of the coercion page, no longer
/// a limit to act on).
fn taken_over(stay: &[Decision], d: &Decision, end: Date, as_of: Date) -> bool {
    stay.iter().any(|o| {
        !std::ptr::eq(o, d)
            && (o.from <= add_days(end, 1) || o.from <= as_of)
            && legal_end(o).is_ok_and(|other_end| other_end > end)
    })
}

/// The rows of one stay seen on `as_of` (none once the stay has ended).
pub fn stay_due(stay_id: &str, s: &StayState, as_of: Date) -> Vec<DueItem> {
    if s.stay.end.is_some_and(|end| end <= as_of) {
        return Vec::new();
    }
    let horizon = add_days(as_of, DUE_WITHIN_DAYS);
    let decisions = &s.stay.decisions;
    let mut out = Vec::new();
    let mut consent_retentions = 0;
    for (i, d) in decisions.iter().enumerate() {
        let item = |kind, limit: Date| DueItem {
            stay_id: stay_id.to_owned(),
            patient: s.patient.clone(),
            kind,
            section: d.section,
            decision: i + 1,
            limit,
            overdue: limit < as_of,
        };
        if let Some(due) = county_board_due(d) {
            let board_decided = decisions
                .iter()
                .any(|o| o.kind == Kind::Main && o.section == d.section && o.decided >= d.decided);
            if d.sent_to_county_board.is_none() && !board_decided && due <= horizon {
                out.push(item(DueKind::CountyBoard, due));
            }
        }
        if d.section == Section::S10_4 {
            consent_retentions += 1;
        }
        if d.from > as_of {
            continue;
        }
        let Ok(end) = legal_end(d) else { continue };
        let kind = match d.section {
            Section::S10_4 if consent_retentions == 3 => {
                out.push(item(DueKind::ThirdConsentRetention, end));
                continue;
            }
            Section::S10_4 => DueKind::ConsentWithdrawn,
            Section::S10_2 => DueKind::ThreeMonths,
            // § 10-3 lasts the pregnancy: its end is the expected delivery, no limit to watch.
            Section::S10_3 => continue,
        };
        if end <= horizon && !taken_over(decisions, d, end, as_of) {
            out.push(item(kind, end));
        }
    }
    out
}

/// The rows of every stay on `as_of`, most urgent first (limit, then stay and decision).
pub fn due<'a>(
    stays: impl IntoIterator<Item = (&'a str, &'a StayState)>,
    as_of: Date,
) -> Vec<DueItem> {
    let mut out: Vec<DueItem> = stays
        .into_iter()
        .flat_map(|(id, s)| stay_due(id, s, as_of))
        .collect();
    out.sort_by(|a, b| (a.limit, &a.stay_id, a.decision).cmp(&(b.limit, &b.stay_id, b.decision)));
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::super::Stay;
    use super::*;
    use jiff::civil::date;

    fn stay(start: Date, decisions: Vec<Decision>) -> StayState {
        StayState {
            patient: "TVANG-01".into(),
            stay: Stay {
                start,
                end: None,
                decisions,
            },
        }
    }

    fn main(section: Section, from: Date) -> Decision {
        Decision::new(section, Kind::Main, from, from)
    }

    #[test]
    fn a_temporary_decision_not_sent_to_the_county_board_shows_a_week_before_its_two_weeks() {
        let t = Decision::new(
            Section::S10_2,
            Kind::Temporary,
            date(2026, 11, 1),
            date(2026, 11, 1),
        );
        let s = stay(date(2026, 11, 1), vec![t.clone()]);
        // Due 15 November: not yet on 7 November, from 8 November, overdue from the 16th.
        assert!(stay_due("o1", &s, date(2026, 11, 7)).is_empty());
        let row = &stay_due("o1", &s, date(2026, 11, 8))[0];
        assert_eq!(
            (row.kind, row.section, row.limit, row.overdue, row.decision),
            (
                DueKind::CountyBoard,
                Section::S10_2,
                date(2026, 11, 15),
                false,
                1
            )
        );
        assert!(stay_due("o1", &s, date(2026, 11, 16))[0].overdue);
        // Sent: nothing more to do.
        let mut sent = t.clone();
        sent.sent_to_county_board = Some(date(2026, 11, 10));
        assert!(stay_due(
            "o1",
            &stay(date(2026, 11, 1), vec![sent]),
            date(2026, 11, 16)
        )
        .iter()
        .all(|r| r.kind != DueKind::CountyBoard));
        // The board's main decision followed: nothing more to do either.
        let board = Decision::new(
            Section::S10_2,
            Kind::Main,
            date(2026, 11, 12),
            date(2026, 11, 1),
        );
        let decided = stay(date(2026, 11, 1), vec![t, board]);
        assert!(stay_due("o1", &decided, date(2026, 11, 16))
            .iter()
            .all(|r| r.kind != DueKind::CountyBoard));
    }

    #[test]
    fn a_10_2_stay_shows_a_week_before_its_three_months_until_it_ends() {
        let s = stay(
            date(2026, 8, 1),
            vec![main(Section::S10_2, date(2026, 8, 1))],
        );
        // Legal end 1 November.
        assert!(stay_due("o1", &s, date(2026, 10, 24)).is_empty());
        let row = &stay_due("o1", &s, date(2026, 10, 25))[0];
        assert_eq!(
            (row.kind, row.limit, row.overdue),
            (DueKind::ThreeMonths, date(2026, 11, 1), false)
        );
        let late = &stay_due("o1", &s, date(2026, 11, 24))[0];
        assert!(late.overdue);
        // Ended: off the list.
        let mut ended = s.clone();
        ended.stay.end = Some(date(2026, 10, 30));
        assert!(stay_due("o1", &ended, date(2026, 10, 30)).is_empty());
        // A new decision carries the stay on: the first limit is not shown.
        let carried = stay(
            date(2026, 8, 1),
            vec![
                main(Section::S10_2, date(2026, 8, 1)),
                main(Section::S10_2, date(2026, 11, 2)),
            ],
        );
        assert!(stay_due("o1", &carried, date(2026, 10, 30)).is_empty());
    }

    #[test]
    fn a_10_4_retention_shows_its_three_weeks_and_the_third_is_flagged_from_its_start() {
        let r = |from| main(Section::S10_4, from);
        let one = stay(date(2026, 11, 1), vec![r(date(2026, 11, 3))]);
        // 3 weeks after 3 November: 24 November, shown from 17 November.
        assert!(stay_due("o2", &one, date(2026, 11, 16)).is_empty());
        let row = &stay_due("o2", &one, date(2026, 11, 17))[0];
        assert_eq!(
            (row.kind, row.section, row.limit),
            (
                DueKind::ConsentWithdrawn,
                Section::S10_4,
                date(2026, 11, 24)
            )
        );
        let three = stay(
            date(2026, 10, 1),
            vec![
                r(date(2026, 10, 1)),
                r(date(2026, 10, 5)),
                r(date(2026, 11, 20)),
            ],
        );
        let rows = stay_due("o2", &three, date(2026, 11, 20));
        assert_eq!(rows.len(), 1, "{rows:?}");
        assert_eq!(
            (rows[0].kind, rows[0].decision, rows[0].limit),
            (DueKind::ThirdConsentRetention, 3, date(2026, 12, 11))
        );
    }

    #[test]
    fn the_list_of_every_stay_is_most_urgent_first() {
        let a = stay(
            date(2026, 8, 1),
            vec![main(Section::S10_2, date(2026, 8, 1))],
        );
        let b = stay(
            date(2026, 11, 1),
            vec![main(Section::S10_4, date(2026, 11, 3))],
        );
        let rows = due([("b", &b), ("a", &a)], date(2026, 11, 24));
        let order: Vec<(&str, Date)> = rows.iter().map(|r| (&*r.stay_id, r.limit)).collect();
        assert_eq!(
            order,
            vec![("a", date(2026, 11, 1)), ("b", date(2026, 11, 24))]
        );
    }
}
