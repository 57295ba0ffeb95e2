//! The tables Norway reports to the EU drugs agency (EUDA) as national focal point, from the
//! same data the rest of Varde holds, for one calendar year (see `docs/euda.md` for every
//! mapping and what cannot be mapped):
//!
//! - the treatment demand indicator (TDI): treatment entrants — TSB pathways whose first
//!   attendance falls in the year — by type of treatment centre (the pathway's level of care at
//!   that attendance: outpatient or inpatient). Primary drug, sex, age group and whether it is a
//!   first treatment are not on pathway events: they are reported as `unknown`, the code the
//!   TDI protocol has for it;
//! - drug-related deaths (DRD): the cause-of-death rows of the year (the monitoring area's
//!   `deaths` source), in total, under the EUDA's selection B by underlying cause, and by
//!   substance mentioned (a death naming several substances counts under each). Sex and age
//!   group are not in the source: `unknown`.
//!
//! Every count of people of 1–4 is suppressed, and so is what would give one back from its
//! total (`suppression::complementary` along each breakdown).

use serde::Serialize;

use crate::pathways::{CareLevel, Event, EventKind};
use crate::suppression;

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
    /// `tdi` or `drd`.
    pub table: String,
    pub year: i16,
    pub rows: Vec<Row>,
}

const UNKNOWN: &str = "unknown";

fn row(breakdown: &str, value: &str, drug: &str, count: Option<u64>, suppressed: bool) -> Row {
    Row {
        breakdown: breakdown.to_owned(),
        value: value.to_owned(),
        primary_drug: drug.to_owned(),
        sex: UNKNOWN.to_owned(),
        age_group: UNKNOWN.to_owned(),
        first_treatment: UNKNOWN.to_owned(),
        count,
        suppressed,
    }
}

/// A total and its breakdown, suppressed together: small cells, and what would give one back.
fn published(breakdown: &str, total: u64, parts: &[(String, u64)], drug_of: bool) -> Vec<Row> {
    let counts: Vec<u64> = parts.iter().map(|p| p.1).collect();
    let hidden = suppression::complementary(&counts);
    let total_shown = suppression::cell(total);
    let mut rows = vec![row(
        "total",
        "total",
        UNKNOWN,
        total_shown,
        total_shown.is_none(),
    )];
    for ((value, n), hide) in parts.iter().zip(hidden) {
        let hide = hide || total_shown.is_none() && *n > 0;
        rows.push(row(
            breakdown,
            value,
            if drug_of { value } else { UNKNOWN },
            (!hide).then_some(*n),
            hide,
        ));
    }
    rows
}

/// The TDI table of `year` from every pathway's events (pathway ids unique across the set):
/// a pathway is an entrant in the year of its first `first_attendance`.
pub fn tdi(events: &[Event], year: i16) -> Table {
    let mut first: std::collections::HashMap<&str, (jiff::civil::Date, CareLevel)> =
        std::collections::HashMap::new();
    for e in events
        .iter()
        .filter(|e| e.kind == EventKind::FirstAttendance)
    {
        let at = first.entry(&e.pathway_id).or_insert((e.date, e.care_level));
        if e.date < at.0 {
            *at = (e.date, e.care_level);
        }
    }
    let mut out = 0;
    let mut inp = 0;
    for (date, level) in first.values().filter(|(d, _)| d.year() == year) {
        let _ = date;
        match level {
            CareLevel::Outpatient => out += 1,
            CareLevel::Inpatient => inp += 1,
        }
    }
    Table {
        table: "tdi".into(),
        year,
        rows: published(
            "treatment_centre",
            out + inp,
            &[("outpatient".into(), out), ("inpatient".into(), inp)],
            false,
        ),
    }
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
    let mut rows = published("substance", total, by_substance, true);
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
            UNKNOWN,
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

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn attend(id: &str, level: CareLevel, y: i16, m: i8) -> Event {
        Event::new(id, "U", level, EventKind::FirstAttendance, date(y, m, 1))
    }

    #[test]
    fn tdi_counts_entrants_by_their_first_attendance_and_suppresses_small_cells() {
        let mut events = Vec::new();
        for i in 0..12 {
            events.push(attend(&format!("o{i}"), CareLevel::Outpatient, 2025, 3));
        }
        for i in 0..6 {
            events.push(attend(&format!("i{i}"), CareLevel::Inpatient, 2025, 5));
        }
        // A pathway that began in 2024 is no entrant in 2025.
        events.push(attend("old", CareLevel::Outpatient, 2024, 12));
        events.push(attend("old", CareLevel::Outpatient, 2025, 1));
        let t = tdi(&events, 2025);
        let counts: Vec<Option<u64>> = t.rows.iter().map(|r| r.count).collect();
        assert_eq!(counts, [Some(18), Some(12), Some(6)]);
        assert!(t.rows.iter().all(|r| r.sex == "unknown"));
        // Three inpatients: hidden, and the outpatients with them (15 − 12 = 3).
        let t = tdi(&events[..15], 2025);
        let counts: Vec<Option<u64>> = t.rows.iter().map(|r| r.count).collect();
        assert_eq!(counts, [Some(15), None, None]);
    }

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
}
