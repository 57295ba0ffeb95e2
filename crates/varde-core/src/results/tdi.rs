//! The treatment demand indicator (TDI) the EU drugs agency collects: the people entering
//! treatment in a year, from the TSB pathways (see `docs/euda.md` for the mapping).
//!
//! - An **entrant** is a pathway whose first `first_attendance` falls in the year; its type of
//!   treatment centre is the level of care at that attendance.
//! - Its **primary drug** comes from its `diagnosis` (ICD-10 F11–F19): the latest on or before
//!   the first attendance, else the first after it within the year. A pathway whose primary
//!   diagnosis is alcohol (F10) or tobacco (F17) is not a TDI entrant (the protocol covers
//!   drugs; alcohol is reported only as a secondary substance, which Varde does not hold). With
//!   no diagnosis the drug is `unknown`.
//! - **Sex**, **age group** (on the day of the first attendance) and **first treatment** come
//!   from the person register, for pathways registered with their person: sex from the
//!   identity number, the age from the birth date, and a treatment is not the first when the
//!   same person (by pseudonym, in any organisation) had a pathway with an earlier first
//!   attendance in Varde. "First treatment" thus means the first seen in Varde. A pathway with
//!   no person is `unknown` on all three.
//!
//! Each breakdown is published against the total as every count of people is: 1–4 hidden, and
//! what would give a hidden cell back (`suppression::complementary`).

use std::collections::HashMap;
use std::sync::Arc;

use jiff::civil::Date;

use super::euda::{published, Column, Table, UNKNOWN};
use crate::pathways::{CareLevel, Event, EventKind, Outcome};
use crate::persons::Sex;

/// What the person register says of a pathway's person, for this statistic only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonFacts {
    /// The person's pseudonym: the same person across organisations.
    pub person: String,
    pub sex: Option<Sex>,
    pub birth_date: Option<Date>,
}

/// The TDI's primary drug groups, in the table's order (`unknown` last).
pub const PRIMARY_DRUGS: [&str; 9] = [
    "opioids",
    "cannabis",
    "hypnotics_sedatives",
    "cocaine",
    "other_stimulants",
    "hallucinogens",
    "volatile_inhalants",
    "other_substances",
    UNKNOWN,
];

/// The TDI's age groups, in the table's order (`unknown` last).
pub const AGE_GROUPS: [&str; 13] = [
    "under_15", "15_19", "20_24", "25_29", "30_34", "35_39", "40_44", "45_49", "50_54", "55_59",
    "60_64", "65_over", UNKNOWN,
];

/// The primary drug group of a substance-use diagnosis (ICD-10 F11–F19); `None` for alcohol
/// (F10), tobacco (F17) and anything else, which are no TDI primary drug.
pub fn primary_drug(icd10: &str) -> Option<&'static str> {
    let code = icd10.trim().to_ascii_uppercase();
    Some(match code.get(..3)? {
        "F11" => "opioids",
        "F12" => "cannabis",
        "F13" => "hypnotics_sedatives",
        "F14" => "cocaine",
        "F15" => "other_stimulants",
        "F16" => "hallucinogens",
        "F18" => "volatile_inhalants",
        "F19" => "other_substances",
        _ => return None,
    })
}

/// The TDI age group of someone born on `birth` on the day `on`.
pub fn age_group(birth: Date, on: Date) -> &'static str {
    let mut age = i32::from(on.year()) - i32::from(birth.year());
    if (on.month(), on.day()) < (birth.month(), birth.day()) {
        age -= 1;
    }
    match age {
        i32::MIN..=14 => "under_15",
        15..=19 => "15_19",
        20..=24 => "20_24",
        25..=29 => "25_29",
        30..=34 => "30_34",
        35..=39 => "35_39",
        40..=44 => "40_44",
        45..=49 => "45_49",
        50..=54 => "50_54",
        55..=59 => "55_59",
        60..=64 => "60_64",
        _ => "65_over",
    }
}

/// One pathway as the TDI sees it.
#[derive(Default)]
struct Pathway {
    first: Option<(Date, CareLevel)>,
    diagnoses: Vec<(Date, Arc<str>)>,
}

/// The TDI table of `year` from every pathway's events (pathway ids unique across the set)
/// and the persons of the pathways registered with one (keyed by the same pathway id).
pub fn tdi(events: &[Event], people: &HashMap<String, PersonFacts>, year: i16) -> Table {
    let mut pathways: HashMap<&str, Pathway> = HashMap::new();
    for e in events {
        let p = pathways.entry(&e.pathway_id).or_default();
        match (e.kind, &e.outcome) {
            (EventKind::FirstAttendance, _) if p.first.is_none_or(|(d, _)| e.date < d) => {
                p.first = Some((e.date, e.care_level));
            }
            (EventKind::Diagnosis, Some(Outcome::Diagnosis(code))) if e.date.year() <= year => {
                p.diagnoses.push((e.date, code.clone()));
            }
            _ => {}
        }
    }
    // Each person's first attendances, for "treated before".
    let mut firsts: HashMap<&str, Vec<Date>> = HashMap::new();
    for (id, p) in &pathways {
        if let (Some((d, _)), Some(f)) = (p.first, people.get(*id)) {
            firsts.entry(&f.person).or_default().push(d);
        }
    }
    let mut levels = [0u64; 2];
    let mut drugs = [0u64; PRIMARY_DRUGS.len()];
    let mut sexes = [0u64; 3];
    let mut ages = [0u64; AGE_GROUPS.len()];
    let mut first_treatment = [0u64; 3];
    for (id, p) in &pathways {
        let Some((first, level)) = p.first.filter(|(d, _)| d.year() == year) else {
            continue;
        };
        let diagnosis = p
            .diagnoses
            .iter()
            .filter(|(d, _)| *d <= first)
            .max_by_key(|(d, _)| *d)
            .or_else(|| p.diagnoses.iter().min_by_key(|(d, _)| *d));
        let drug = match diagnosis {
            Some((_, code)) => match primary_drug(code) {
                Some(drug) => drug,
                None => continue,
            },
            None => UNKNOWN,
        };
        levels[usize::from(level == CareLevel::Inpatient)] += 1;
        drugs[index(&PRIMARY_DRUGS, drug)] += 1;
        let person = people.get(*id);
        sexes[match person.and_then(|f| f.sex) {
            Some(Sex::Male) => 0,
            Some(Sex::Female) => 1,
            None => 2,
        }] += 1;
        let age = person
            .and_then(|f| f.birth_date)
            .map_or(UNKNOWN, |b| age_group(b, first));
        ages[index(&AGE_GROUPS, age)] += 1;
        first_treatment[match person {
            Some(f) if firsts[f.person.as_str()].iter().any(|d| *d < first) => 1,
            Some(_) => 0,
            None => 2,
        }] += 1;
    }
    let total = levels.iter().sum();
    let parts = |names: &[&str], counts: &[u64]| -> Vec<(String, u64)> {
        names
            .iter()
            .zip(counts)
            .map(|(n, c)| ((*n).to_owned(), *c))
            .collect()
    };
    let mut rows = published(
        "treatment_centre",
        total,
        &parts(&["outpatient", "inpatient"], &levels),
        Column::None,
    );
    for (breakdown, names, counts, column) in [
        ("primary_drug", &PRIMARY_DRUGS[..], &drugs[..], Column::Drug),
        (
            "sex",
            &["male", "female", UNKNOWN][..],
            &sexes[..],
            Column::Sex,
        ),
        ("age_group", &AGE_GROUPS[..], &ages[..], Column::AgeGroup),
        (
            "first_treatment",
            &["yes", "no", UNKNOWN][..],
            &first_treatment[..],
            Column::FirstTreatment,
        ),
    ] {
        rows.extend(
            published(breakdown, total, &parts(names, counts), column)
                .into_iter()
                .skip(1),
        );
    }
    Table {
        table: "tdi".into(),
        year,
        rows,
    }
}

fn index(names: &[&str], name: &str) -> usize {
    names
        .iter()
        .position(|n| *n == name)
        .unwrap_or(names.len() - 1)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn attend(id: &str, level: CareLevel, y: i16, m: i8) -> Event {
        Event::new(id, "U", level, EventKind::FirstAttendance, date(y, m, 1))
    }

    fn diagnosis(id: &str, on: Date, code: &str) -> Event {
        Event::new(id, "U", CareLevel::Outpatient, EventKind::Diagnosis, on)
            .with_outcome(Outcome::Diagnosis(code.into()))
    }

    fn count(t: &Table, breakdown: &str, value: &str) -> Option<u64> {
        t.rows
            .iter()
            .find(|r| r.breakdown == breakdown && r.value == value)
            .unwrap_or_else(|| panic!("{breakdown} {value}"))
            .count
    }

    #[test]
    fn entrants_are_counted_by_their_first_attendance_and_small_cells_are_hidden() {
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
        let none = HashMap::new();
        let t = tdi(&events, &none, 2025);
        assert_eq!(
            t.rows[..3].iter().map(|r| r.count).collect::<Vec<_>>(),
            [Some(18), Some(12), Some(6)]
        );
        // No diagnosis and no person: every entrant is unknown on the other breakdowns.
        assert_eq!(count(&t, "primary_drug", "unknown"), Some(18));
        assert_eq!(count(&t, "primary_drug", "opioids"), Some(0));
        assert_eq!(count(&t, "sex", "unknown"), Some(18));
        assert_eq!(count(&t, "age_group", "unknown"), Some(18));
        assert_eq!(count(&t, "first_treatment", "unknown"), Some(18));
        let sex = t.rows.iter().find(|r| r.breakdown == "sex").unwrap();
        assert_eq!(
            (sex.sex.as_str(), sex.primary_drug.as_str()),
            ("male", "unknown")
        );
        // Three inpatients: hidden, and the outpatients with them (15 − 12 = 3).
        let t = tdi(&events[..15], &none, 2025);
        assert_eq!(
            t.rows[..3].iter().map(|r| r.count).collect::<Vec<_>>(),
            [Some(15), None, None]
        );
    }

    #[test]
    fn the_primary_drug_is_the_diagnosis_at_entry_and_alcohol_is_left_out() {
        let mut events = Vec::new();
        for i in 0..6 {
            let id = format!("p{i}");
            events.push(attend(&id, CareLevel::Outpatient, 2025, 3));
            // An earlier cannabis diagnosis, then opioids before the first attendance.
            events.push(diagnosis(&id, date(2025, 1, 10), "F12.1"));
            events.push(diagnosis(&id, date(2025, 2, 10), "F11.2"));
            // A later one does not change the drug at entry.
            events.push(diagnosis(&id, date(2025, 6, 1), "F14"));
        }
        for i in 0..5 {
            let id = format!("c{i}");
            events.push(attend(&id, CareLevel::Inpatient, 2025, 3));
            // Only a diagnosis after entry: it is the one.
            events.push(diagnosis(&id, date(2025, 4, 1), "F14.2"));
        }
        events.push(attend("a", CareLevel::Outpatient, 2025, 3));
        events.push(diagnosis("a", date(2025, 3, 1), "F10.2"));
        let t = tdi(&events, &HashMap::new(), 2025);
        assert_eq!(
            count(&t, "total", "total"),
            Some(11),
            "alcohol is no TDI entrant"
        );
        assert_eq!(count(&t, "primary_drug", "opioids"), Some(6));
        assert_eq!(count(&t, "primary_drug", "cocaine"), Some(5));
        assert_eq!(count(&t, "primary_drug", "cannabis"), Some(0));
        assert_eq!(primary_drug("f19"), Some("other_substances"));
        assert_eq!(primary_drug("F17.2"), None);
    }

    #[test]
    fn sex_age_and_first_treatment_come_from_the_person_and_are_suppressed() {
        let mut events = Vec::new();
        let mut people = HashMap::new();
        let born = |i: usize| {
            if i < 10 {
                // Turns 25 on 2 June 2025: 24 on the day of the first attendance.
                date(2000, 6, 2)
            } else {
                date(1990, 1, 1)
            }
        };
        for i in 0..12 {
            let id = format!("1/p{i}");
            events.push(attend(&id, CareLevel::Outpatient, 2025, 6));
            people.insert(
                id,
                PersonFacts {
                    person: format!("ps{i}"),
                    sex: Some(if i < 7 { Sex::Male } else { Sex::Female }),
                    birth_date: Some(born(i)),
                },
            );
        }
        // Five of them were in treatment at another unit in 2023 (the same pseudonym).
        for i in 0..5 {
            let id = format!("2/q{i}");
            events.push(attend(&id, CareLevel::Inpatient, 2023, 1));
            people.insert(
                id,
                PersonFacts {
                    person: format!("ps{i}"),
                    sex: Some(Sex::Male),
                    birth_date: Some(born(i)),
                },
            );
        }
        // One entrant with no person.
        events.push(attend("1/anon", CareLevel::Outpatient, 2025, 6));
        let t = tdi(&events, &people, 2025);
        assert_eq!(count(&t, "total", "total"), Some(13));
        assert_eq!(count(&t, "sex", "male"), Some(7));
        // Five women and one unknown: the unknown is hidden, and the women with it.
        assert_eq!(count(&t, "sex", "unknown"), None);
        assert_eq!(count(&t, "sex", "female"), None);
        // Seven first treatments, five treated before, one unknown (hidden, and the five).
        assert_eq!(count(&t, "first_treatment", "yes"), Some(7));
        assert_eq!(count(&t, "first_treatment", "no"), None);
        assert_eq!(count(&t, "first_treatment", "unknown"), None);
        // Ten aged 20–24, two 35–39, one unknown: the hidden cells must sum to 5 or more, so
        // the ten are hidden too.
        assert_eq!(count(&t, "age_group", "35_39"), None);
        assert_eq!(count(&t, "age_group", "20_24"), None);
        assert_eq!(count(&t, "age_group", "30_34"), Some(0));
        assert_eq!(age_group(date(2000, 6, 2), date(2025, 6, 2)), "25_29");
        assert_eq!(age_group(date(2012, 1, 1), date(2025, 6, 2)), "under_15");
    }
}
