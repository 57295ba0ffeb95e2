//! The tables Norway reports to the EU drugs agency (EUDA) as national focal point, from the
//! same data the rest of Varde holds, for one calendar year (see `docs/euda.md` for every
//! mapping and what cannot be mapped):
//!
//! - the treatment demand indicator (TDI, in [`super::tdi`]): treatment entrants — TSB
//!   pathways whose first attendance falls in the year — by type of treatment centre, primary
//!   drug (from the pathway's ICD-10 diagnosis), sex, age group and first treatment or not (from
//!   the person register, for pathways registered with their person);
//! - drug-related deaths (DRD): the cause-of-death rows of the year (the monitoring area's
//!   `deaths` source), in total, under the EUDA's selection B by underlying cause, and by
//!   substance mentioned (a death naming several substances counts under each). Sex and age
//!   group are not in the source: `unknown`.
//!
//! - seizures (`seizures`): the seizures of the year (the monitoring area's `seizures`
//!   source, police and customs), in total and by substance — events, not people, shown as
//!   they are;
//! - drug checking (`drug_checking`): the samples analysed in the year, in total and by
//!   substance found (a sample naming several counts under each); a sample is a person's, so
//!   these are suppressed as counts of people;
//! - warnings (`warnings`): the warnings issued in the year (first approved then; drills left
//!   out), in total, by substance and by severity.
//!
//! Every count of people of 1–4 is suppressed, and so is what would give one back from its
//! total (`suppression::complementary` along each breakdown).

use serde::Serialize;

use crate::suppression;
use crate::warnings::Warning;

/// One row of a table: its breakdown and the count as published (`None`: suppressed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Row {
    /// What the row counts: `total`, or the breakdown's value (`outpatient`, `heroin`, …).
    pub breakdown: String,
    pub value: String,
    pub primary_drug: String,
    pub sex: String,
    pub age_group: String,
    pub first_treatment: String,
    pub count: Option<u64>,
    pub suppressed: bool,
}

/// A table for a year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Table {
    /// `tdi`, `drd`, `seizures`, `drug_checking` or `warnings`.
    pub table: String,
    pub year: i16,
    pub rows: Vec<Row>,
}

pub(super) const UNKNOWN: &str = "unknown";

/// Which of a row's dimension columns its value fills (the others say `unknown`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Column {
    None,
    Drug,
    Sex,
    AgeGroup,
    FirstTreatment,
}

fn row(breakdown: &str, value: &str, column: Column, count: Option<u64>, suppressed: bool) -> Row {
    let of = |c: Column| (if c == column { value } else { UNKNOWN }).to_owned();
    Row {
        breakdown: breakdown.to_owned(),
        value: value.to_owned(),
        primary_drug: of(Column::Drug),
        sex: of(Column::Sex),
        age_group: of(Column::AgeGroup),
        first_treatment: of(Column::FirstTreatment),
        count,
        suppressed,
    }
}

/// A total and its breakdown, suppressed together: small cells, and what would give one back.
pub(super) fn published(
    breakdown: &str,
    total: u64,
    parts: &[(String, u64)],
    column: Column,
) -> Vec<Row> {
    let counts: Vec<u64> = parts.iter().map(|p| p.1).collect();
    let hidden = suppression::complementary(&counts);
    let total_shown = suppression::cell(total);
    let mut rows = vec![row(
        "total",
        "total",
        Column::None,
        total_shown,
        total_shown.is_none(),
    )];
    for ((value, n), hide) in parts.iter().zip(hidden) {
        let hide = hide || total_shown.is_none() && *n > 0;
        rows.push(row(breakdown, value, column, (!hide).then_some(*n), hide));
    }
    rows
}

/// The EUDA's selection B by underlying cause (ICD-10): mental and behavioural disorders due
/// to opioids, cannabinoids, cocaine, other stimulants, hallucinogens and multiple drugs
/// (F11, F12, F14, F15, F16, F19), and poisonings by narcotics and hallucinogens, accidental,
/// intentional or undetermined (X42, X44, X62, X64, Y12, Y14).
pub fn in_selection_b(icd10: &str) -> bool {
    const CODES: [&str; 12] = [
        "F11", "F12", "F14", "F15", "F16", "F19", "X42", "X44", "X62", "X64", "Y12", "Y14",
    ];
    let code = icd10.trim().to_ascii_uppercase();
    CODES.iter().any(|c| code.starts_with(c))
}

/// The DRD table of `year`: `deaths` the year's deaths with their underlying cause, and
/// `by_substance` the deaths naming each substance (the reference list's id).
pub fn drd(deaths: &[String], by_substance: &[(String, u64)], year: i16) -> Table {
    let total = deaths.len() as u64;
    let selection_b = deaths.iter().filter(|c| in_selection_b(c)).count() as u64;
    let mut rows = published("substance", total, by_substance, Column::Drug);
    // Selection B is a subset of the total, published beside it: hidden when small, and when
    // the rest (total minus it) would be.
    let rest = total - selection_b;
    let hide_b = suppression::cell(selection_b).is_none()
        || suppression::cell(rest).is_none()
        || rows[0].suppressed;
    rows.insert(
        1,
        row(
            "selection_b",
            "selection_b",
            Column::None,
            (!hide_b).then_some(selection_b),
            hide_b,
        ),
    );
    Table {
        table: "drd".into(),
        year,
        rows,
    }
}

/// One breakdown: its name, its values' counts, and the column its value fills.
type Breakdown<'a> = (&'a str, &'a [(String, u64)], Column);

/// A total and its breakdowns as they are (counts of events, not of people: nothing hidden).
fn shown(total: u64, breakdowns: &[Breakdown<'_>]) -> Vec<Row> {
    let mut rows = vec![row("total", "total", Column::None, Some(total), false)];
    for (breakdown, parts, column) in breakdowns {
        for (value, n) in parts.iter() {
            rows.push(row(breakdown, value, *column, Some(*n), false));
        }
    }
    rows
}

/// The seizures table of `year`: `total` seizures, `by_substance` the seizures of each
/// substance (the reference list's id).
pub fn seizures(total: u64, by_substance: &[(String, u64)], year: i16) -> Table {
    Table {
        table: "seizures".into(),
        year,
        rows: shown(total, &[("substance", by_substance, Column::Drug)]),
    }
}

/// The drug-checking table of `year`: `total` samples analysed, `by_substance` the samples in
/// which each substance was found. Suppressed as counts of people.
pub fn drug_checking(total: u64, by_substance: &[(String, u64)], year: i16) -> Table {
    Table {
        table: "drug_checking".into(),
        year,
        rows: published("substance", total, by_substance, Column::Drug),
    }
}

/// The warnings table of `year`: the warnings whose first version was approved in the year
/// (in Oslo's calendar), drills left out; by substance and by severity (of that first
/// version).
pub fn warnings(all: &[Warning], year: i16) -> Table {
    let mut by_substance: std::collections::BTreeMap<String, u64> = Default::default();
    let mut by_severity: std::collections::BTreeMap<String, u64> = Default::default();
    let mut total = 0;
    for w in all {
        let Some((issued, first)) = issued(w) else {
            continue;
        };
        if issued != year {
            continue;
        }
        total += 1;
        *by_substance
            .entry(first.content.substance.clone())
            .or_default() += 1;
        *by_severity
            .entry(first.content.severity.as_str().to_owned())
            .or_default() += 1;
    }
    let subs: Vec<(String, u64)> = by_substance.into_iter().collect();
    let sev: Vec<(String, u64)> = by_severity.into_iter().collect();
    Table {
        table: "warnings".into(),
        year,
        rows: shown(
            total,
            &[
                ("substance", &subs, Column::Drug),
                ("severity", &sev, Column::None),
            ],
        ),
    }
}

/// When a warning was issued (the year, in Oslo, its first version was approved) and that
/// version; none for a warning never approved or issued as an exercise.
fn issued(w: &Warning) -> Option<(i16, &crate::warnings::Version)> {
    let first = w.approved_versions().next()?;
    let approved = first.approved.as_ref()?;
    (!first.content.exercise).then(|| (crate::calendar::day_in_oslo(approved.at).year(), first))
}

/// The warnings issued per year, counted as the `warnings` table counts them (the results
/// area's indicator `warnings_issued`), in year order.
pub fn warnings_per_year(all: &[Warning]) -> Vec<(i16, u64)> {
    let mut per: std::collections::BTreeMap<i16, u64> = Default::default();
    for (year, _) in all.iter().filter_map(issued) {
        *per.entry(year).or_default() += 1;
    }
    per.into_iter().collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn drd_counts_deaths_selection_b_and_substances_with_suppression() {
        let deaths: Vec<String> = ["X42", "X42", "F11.2", "X44", "X42", "X62", "K70", "X42"]
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
        let subs = vec![("heroin".to_owned(), 6), ("fentanyl".to_owned(), 2)];
        let t = drd(&deaths, &subs, 2025);
        assert_eq!(t.rows[0].count, Some(8));
        // Selection B 7 of 8: the rest (1) would be small, so it is hidden.
        assert_eq!(t.rows[1].breakdown, "selection_b");
        assert_eq!(t.rows[1].count, None);
        let fentanyl = t.rows.iter().find(|r| r.value == "fentanyl").unwrap();
        assert!(fentanyl.suppressed);
        assert_eq!(fentanyl.primary_drug, "fentanyl");
        assert!(in_selection_b("y14"));
        assert!(!in_selection_b("T40"));
    }

    #[test]
    fn seizures_are_shown_as_they_are_and_drug_checking_is_suppressed() {
        let subs = vec![("cocaine".to_owned(), 2), ("heroin".to_owned(), 9)];
        let t = seizures(11, &subs, 2025);
        let counts: Vec<Option<u64>> = t.rows.iter().map(|r| r.count).collect();
        assert_eq!(counts, [Some(11), Some(2), Some(9)]);
        let t = drug_checking(11, &subs, 2025);
        let cocaine = t.rows.iter().find(|r| r.value == "cocaine").unwrap();
        assert!(cocaine.suppressed && cocaine.count.is_none());
        assert_eq!(t.rows[0].count, Some(11));
        assert_eq!(t.table, "drug_checking");
    }

    #[test]
    fn warnings_count_those_first_approved_in_the_year_and_leave_drills_out() {
        use crate::warnings::{Actor, Event as W, Warning};
        let who = |id| Actor {
            id,
            name: format!("u{id}"),
        };
        let make = |id: &str, approved: &str, exercise: bool| {
            let mut content = crate::warnings::cap::tests::content();
            content.exercise = exercise;
            let mut w = Warning::new(id);
            let at: jiff::Timestamp = approved.parse().unwrap();
            w.apply(
                &W::Drafted {
                    version: 1,
                    content: Box::new(content),
                },
                who(1),
                at,
            );
            w.apply(&W::Approved { version: 1 }, who(2), at);
            w
        };
        let all = vec![
            make("a", "2025-03-01T10:00:00Z", false),
            make("b", "2025-12-31T23:30:00Z", false), // 1 January 2026 in Oslo
            make("c", "2025-06-01T10:00:00Z", true),  // a drill
            make("d", "2025-07-01T10:00:00Z", false),
        ];
        let t = warnings(&all, 2025);
        assert_eq!(t.rows[0].count, Some(2));
        let severity: u64 = t
            .rows
            .iter()
            .filter(|r| r.breakdown == "severity")
            .filter_map(|r| r.count)
            .sum();
        assert_eq!(severity, 2);
        assert_eq!(warnings(&all, 2026).rows[0].count, Some(1));
        // A draft never approved is no warning issued.
        let mut draft = Warning::new("e");
        draft.apply(
            &W::Drafted {
                version: 1,
                content: Box::new(crate::warnings::cap::tests::content()),
            },
            who(1),
            "2025-03-01T10:00:00Z".parse().unwrap(),
        );
        assert_eq!(warnings(&[draft.clone()], 2025).rows[0].count, Some(0));
        // The results area's indicator counts the same way, per year.
        let mut with_draft = all.clone();
        with_draft.push(draft);
        assert_eq!(warnings_per_year(&with_draft), [(2025, 2), (2026, 1)]);
    }
}
