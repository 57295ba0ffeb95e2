//! Children as relatives (helsepersonelloven § 10 a): for a person in treatment — in Varde a
//! person with an individual plan, recorded by the plan's organisation — whether they have
//! minor children (how many, ages optional), whether the children's needs were talked about
//! and followed up, and with whom (the other parent, child welfare, the school or health
//! nurse, others). Each record is dated and by its recording user; the latest counts. Per
//! unit: the share of people with minor children whose children's needs were talked about,
//! and followed up, counts of 1–4 hidden with `suppression::protect`.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::fields::{self, FieldError};
use crate::suppression::{protect, Sum};

/// The most minor children a record may name.
pub const COUNT_MAX: u32 = 20;

/// Whom the children's needs were followed up with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Party {
    OtherParent,
    ChildWelfare,
    SchoolNurse,
    Other,
}

impl Party {
    pub const ALL: [Party; 4] = [
        Party::OtherParent,
        Party::ChildWelfare,
        Party::SchoolNurse,
        Party::Other,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Party::OtherParent => "other_parent",
            Party::ChildWelfare => "child_welfare",
            Party::SchoolNurse => "school_nurse",
            Party::Other => "other",
        }
    }
    pub fn parse(s: &str) -> Option<Party> {
        Party::ALL.into_iter().find(|p| p.as_str() == s.trim())
    }
}

/// A record's fields as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ChildrenInput {
    /// How many minor children (0: none).
    pub count: String,
    /// Their ages, comma separated (optional).
    pub ages: String,
    /// "yes" or empty.
    pub talked: String,
    /// "yes" or empty.
    pub followed_up: String,
    /// Whom with, by name.
    pub with: Vec<String>,
    /// The day (empty: today).
    pub on: String,
}

/// A checked record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewChildren {
    pub count: u32,
    pub ages: Vec<u8>,
    pub talked: bool,
    pub followed_up: bool,
    pub with: Vec<Party>,
    pub on: Date,
}

fn yes(field: &'static str, v: &str) -> Result<bool, FieldError> {
    match v.trim() {
        "" | "no" | "false" => Ok(false),
        "yes" | "true" | "on" => Ok(true),
        _ => Err(FieldError::new(field, "yes or no")),
    }
}

/// Checks a record, every rule at once: a count of 0–20; ages (each 0–17) no more than the
/// count; with no children nothing talked about or followed up; followed up only after talked
/// about; whom with only when followed up, each once; the day not in the future.
pub fn check(input: &ChildrenInput, today: Date) -> Result<NewChildren, Vec<FieldError>> {
    let mut errors = Vec::new();
    let count = match input.count.trim().parse::<u32>() {
        Ok(n) if n <= COUNT_MAX => Some(n),
        _ => {
            errors.push(FieldError::new("count", "a whole number from 0 to 20"));
            None
        }
    };
    let mut ages = Vec::new();
    for a in input
        .ages
        .split(',')
        .map(str::trim)
        .filter(|a| !a.is_empty())
    {
        match a.parse::<u8>() {
            Ok(n) if n < 18 => ages.push(n),
            _ => {
                errors.push(FieldError::new(
                    "ages",
                    "ages of minor children (0 to 17), separated by commas",
                ));
                break;
            }
        }
    }
    if count.is_some_and(|c| ages.len() as u32 > c) {
        errors.push(FieldError::new("ages", "no more ages than children"));
    }
    let talked = yes("talked", &input.talked)
        .map_err(|e| errors.push(e))
        .ok();
    let followed = yes("followed_up", &input.followed_up)
        .map_err(|e| errors.push(e))
        .ok();
    if count == Some(0) && (talked == Some(true) || followed == Some(true)) {
        errors.push(FieldError::new(
            "count",
            "with no minor children nothing is talked about or followed up",
        ));
    }
    if followed == Some(true) && talked == Some(false) {
        errors.push(FieldError::new(
            "followed_up",
            "the children's needs are talked about before they are followed up",
        ));
    }
    let mut with = Vec::new();
    for w in input.with.iter().filter(|w| !w.trim().is_empty()) {
        match Party::parse(w) {
            Some(p) if !with.contains(&p) => with.push(p),
            Some(_) => {}
            None => {
                errors.push(FieldError::new(
                    "with",
                    "each one of other_parent, child_welfare, school_nurse, other",
                ));
                break;
            }
        }
    }
    if !with.is_empty() && followed == Some(false) {
        errors.push(FieldError::new(
            "with",
            "name whom with only when the needs were followed up",
        ));
    }
    let on = if input.on.trim().is_empty() {
        Some(today)
    } else {
        fields::past_date("on", &input.on, today)
            .map_err(|e| errors.push(e))
            .ok()
    };
    match (count, talked, followed, on) {
        (Some(count), Some(talked), Some(followed_up), Some(on)) if errors.is_empty() => {
            Ok(NewChildren {
                count,
                ages,
                talked,
                followed_up,
                with,
                on,
            })
        }
        _ => Err(errors),
    }
}

/// The latest record of one person, as the figures need it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChildrenFacts {
    pub count: u32,
    pub talked: bool,
    pub followed_up: bool,
}

/// One figure: of the people with minor children, how many had their children's needs
/// talked about (`talked`) or followed up (`followed_up`); `None` where hidden.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChildrenFigure {
    pub key: &'static str,
    pub count: Option<u64>,
    pub total: Option<u64>,
    /// Percent, one decimal.
    pub share: Option<f64>,
}

/// The two figures of a unit: the people with minor children are the total.
pub fn figures(people: &[ChildrenFacts]) -> Vec<ChildrenFigure> {
    let with: Vec<&ChildrenFacts> = people.iter().filter(|p| p.count > 0).collect();
    let total = with.len() as u64;
    let rows: [(&'static str, u64); 2] = [
        ("talked", with.iter().filter(|p| p.talked).count() as u64),
        (
            "followed_up",
            with.iter().filter(|p| p.followed_up).count() as u64,
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
            ChildrenFigure {
                key,
                count,
                total: tot,
                share,
            }
        })
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use jiff::civil::date;

    const TODAY: Date = date(2026, 12, 7);

    fn input() -> ChildrenInput {
        ChildrenInput {
            count: "2".into(),
            ages: "4, 11".into(),
            talked: "yes".into(),
            followed_up: "yes".into(),
            with: vec!["other_parent".into(), "school_nurse".into()],
            on: "2026-12-01".into(),
        }
    }

    fn fields_of(r: Result<NewChildren, Vec<FieldError>>) -> Vec<String> {
        r.unwrap_err()
            .into_iter()
            .map(|e| e.field.to_string())
            .collect()
    }

    #[test]
    fn children_a_whole_record_is_accepted() {
        let c = check(&input(), TODAY).unwrap();
        assert_eq!(c.count, 2);
        assert_eq!(c.ages, vec![4, 11]);
        assert_eq!(c.with, vec![Party::OtherParent, Party::SchoolNurse]);
    }

    #[test]
    fn children_rules_hold() {
        let none = ChildrenInput {
            count: "0".into(),
            ages: String::new(),
            with: vec![],
            ..input()
        };
        assert!(fields_of(check(&none, TODAY)).contains(&"count".to_owned()));
        let adult = ChildrenInput {
            ages: "4, 19".into(),
            ..input()
        };
        assert_eq!(fields_of(check(&adult, TODAY)), vec!["ages"]);
        let too_many = ChildrenInput {
            ages: "1,2,3".into(),
            ..input()
        };
        assert_eq!(fields_of(check(&too_many, TODAY)), vec!["ages"]);
        let untalked = ChildrenInput {
            talked: String::new(),
            ..input()
        };
        assert_eq!(fields_of(check(&untalked, TODAY)), vec!["followed_up"]);
        let whom = ChildrenInput {
            followed_up: String::new(),
            ..input()
        };
        assert_eq!(fields_of(check(&whom, TODAY)), vec!["with"]);
        let ahead = ChildrenInput {
            on: "2026-12-08".into(),
            ..input()
        };
        assert_eq!(fields_of(check(&ahead, TODAY)), vec!["on"]);
        let zero = ChildrenInput {
            count: "0".into(),
            ages: String::new(),
            talked: String::new(),
            followed_up: String::new(),
            with: vec![],
            on: String::new(),
        };
        assert_eq!(check(&zero, TODAY).unwrap().on, TODAY);
    }

    fn facts(count: u32, talked: bool, followed_up: bool) -> ChildrenFacts {
        ChildrenFacts {
            count,
            talked,
            followed_up,
        }
    }

    #[test]
    fn children_counts_are_of_people_with_minor_children() {
        let mut people = vec![facts(0, false, false); 9];
        people.extend(vec![facts(1, true, true); 6]);
        people.extend(vec![facts(2, true, false); 6]);
        people.extend(vec![facts(3, false, false); 8]);
        let f = figures(&people);
        assert_eq!(f[0].key, "talked");
        assert_eq!((f[0].count, f[0].total), (Some(12), Some(20)));
        assert_eq!(f[0].share, Some(60.0));
        assert_eq!((f[1].count, f[1].total), (Some(6), Some(20)));
    }

    #[test]
    fn children_small_counts_are_suppressed() {
        let mut people = vec![facts(1, true, true); 3];
        people.extend(vec![facts(1, false, false); 10]);
        let f = figures(&people);
        assert_eq!(f[0].count, None);
        assert_eq!(f[0].share, None);
        let few = vec![facts(1, true, true); 4];
        assert!(figures(&few)
            .iter()
            .all(|x| x.count.is_none() && x.total.is_none()));
    }
}
