//! Weekly series of the monitoring sources: their keys (source × substances × area), ISO
//! weeks as values, and the counting of source rows into weeks.
//!
//! A series counts the distinct rows (records, drug-checking samples) per ISO week that name
//! its substance (or any substance of its class, or any row at all), in its area (the whole
//! country or a county; a municipality's series is counted on demand). A row naming two
//! substances counts once in each substance's series, and once in their class's and in the
//! source's series of all substances. `wastewater` is a measured value: its series is the
//! mean of the rows' values per week. Weeks without rows are zero from the series' first week
//! to its last.

use std::collections::{BTreeMap, BTreeSet};

use jiff::civil::{Date, ISOWeekDate, Weekday};
use serde::{Deserialize, Serialize};

use crate::fields::FieldError;
use crate::warnings::Area;

/// An ISO week that exists (`2026-W48`; W53 only in the years that have one).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Week {
    pub year: i16,
    pub week: i8,
}

impl Week {
    /// The week `year`-W`week`, if it exists.
    pub fn new(year: i16, week: i8) -> Option<Week> {
        ISOWeekDate::new(year, week, Weekday::Monday)
            .ok()
            .map(|_| Week { year, week })
    }

    /// The week a day lies in.
    pub fn of(day: Date) -> Week {
        let w = day.iso_week_date();
        Week {
            year: w.year(),
            week: w.week(),
        }
    }

    /// Parses `2026-W48` (also `2026W48`, `2026-w48`); a week that does not exist is refused.
    pub fn parse(field: &'static str, v: &str) -> Result<Week, FieldError> {
        let rule = "an ISO week as YYYY-Www (2026-W48) that exists in its year";
        let v = v.trim().to_ascii_uppercase();
        let (y, w) = v
            .split_once('W')
            .ok_or_else(|| FieldError::new(field, rule))?;
        let y = y.strip_suffix('-').unwrap_or(y);
        let year: i16 = y.parse().map_err(|_| FieldError::new(field, rule))?;
        let week: i8 = w.parse().map_err(|_| FieldError::new(field, rule))?;
        if !(1900..=2999).contains(&year) || w.len() != 2 {
            return Err(FieldError::new(field, rule));
        }
        Week::new(year, week).ok_or_else(|| FieldError::new(field, rule))
    }

    /// The week as the stores keep it: `year * 100 + week`.
    pub fn code(self) -> i64 {
        i64::from(self.year) * 100 + i64::from(self.week)
    }

    /// The week of a stored `year * 100 + week`, if it exists.
    pub fn from_code(code: i64) -> Option<Week> {
        let year = i16::try_from(code / 100).ok()?;
        let week = i8::try_from(code % 100).ok()?;
        Week::new(year, week)
    }

    /// Its Monday.
    pub fn monday(self) -> Date {
        ISOWeekDate::new(self.year, self.week, Weekday::Monday)
            .map(|d| d.date())
            .unwrap_or(Date::MIN)
    }

    /// Its Sunday.
    pub fn sunday(self) -> Date {
        ISOWeekDate::new(self.year, self.week, Weekday::Sunday)
            .map(|d| d.date())
            .unwrap_or(Date::MIN)
    }

    /// Weeks since 1970-W01 (a running index: consecutive weeks differ by one).
    pub fn index(self) -> i64 {
        let epoch = jiff::civil::date(1969, 12, 29);
        let days = (self.monday() - epoch).get_days();
        i64::from(days).div_euclid(7)
    }

    /// The week `n` weeks after (before, if negative).
    pub fn plus(self, n: i64) -> Week {
        let days = n.saturating_mul(7);
        let moved = jiff::Span::new()
            .try_days(days)
            .ok()
            .and_then(|s| self.monday().checked_add(s).ok());
        moved.map_or(self, Week::of)
    }
}

impl std::fmt::Display for Week {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}-W{:02}", self.year, self.week)
    }
}

/// A source with a weekly series.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// Ambulance-attended overdoses (imported rows).
    Overdoses,
    /// Police and customs seizures (imported rows).
    Seizures,
    /// Syringe residue analyses (imported rows).
    SyringeResidue,
    /// Drug-checking results (the drug-checking area's samples with a result).
    Drugcheck,
    /// Wastewater: the mean measured value per week.
    Wastewater,
}

impl Source {
    pub const ALL: [Source; 5] = [
        Source::Overdoses,
        Source::Seizures,
        Source::SyringeResidue,
        Source::Drugcheck,
        Source::Wastewater,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Source::Overdoses => "overdoses",
            Source::Seizures => "seizures",
            Source::SyringeResidue => "syringe_residue",
            Source::Drugcheck => "drugcheck",
            Source::Wastewater => "wastewater",
        }
    }

    /// One of the sources with a weekly series (`deaths` is monthly; `surveys` and
    /// `rapid_assessments` have none).
    pub fn parse(field: &'static str, v: &str) -> Result<Source, FieldError> {
        Source::ALL
            .into_iter()
            .find(|s| s.as_str() == v.trim())
            .ok_or_else(|| {
                FieldError::new(
                    field,
                    "one of overdoses, seizures, syringe_residue, drugcheck, wastewater",
                )
            })
    }

    /// Whether the series is a mean of measured values rather than a count.
    pub fn is_measured(self) -> bool {
        self == Source::Wastewater
    }
}

/// Which substances a series counts.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Scope {
    /// Every row of the source.
    All,
    /// Rows naming this substance (its id in the reference list).
    Substance(String),
    /// Rows naming a substance of this class (the reference list's class, verbatim).
    Class(String),
}

impl Scope {
    /// The scope as stored: `all`, `substance:{id}` or `class:{class}`.
    pub fn code(&self) -> String {
        match self {
            Scope::All => "all".into(),
            Scope::Substance(s) => format!("substance:{s}"),
            Scope::Class(c) => format!("class:{c}"),
        }
    }

    /// The scope of a stored code.
    pub fn from_code(v: &str) -> Option<Scope> {
        if v == "all" {
            Some(Scope::All)
        } else if let Some(s) = v.strip_prefix("substance:") {
            Some(Scope::Substance(s.to_owned()))
        } else {
            v.strip_prefix("class:").map(|c| Scope::Class(c.to_owned()))
        }
    }

    /// What a person types: empty (every substance), a class of the reference list, or a
    /// substance's name or synonym (refused with the nearest names).
    pub fn parse(field: &'static str, v: &str) -> Result<Scope, FieldError> {
        let v = v.trim();
        if v.is_empty() || v.eq_ignore_ascii_case("all") {
            return Ok(Scope::All);
        }
        let list = crate::substances::get();
        let class = v.strip_prefix("class:").unwrap_or(v);
        if let Some(c) = classes()
            .into_iter()
            .find(|c| c.eq_ignore_ascii_case(class))
        {
            return Ok(Scope::Class(c));
        }
        let name = v.strip_prefix("substance:").unwrap_or(v);
        if let Some(s) = list.by_id(name) {
            return Ok(Scope::Substance(s.id.clone()));
        }
        Ok(Scope::Substance(list.resolve(field, name)?.id.clone()))
    }

    /// The scope's name in `lang` (the substance's name; the class as the list has it).
    pub fn name(&self, lang: &str) -> String {
        match self {
            Scope::All => if lang == "en" {
                "all substances"
            } else {
                "alle stoffer"
            }
            .to_owned(),
            Scope::Substance(id) => crate::substances::get()
                .by_id(id)
                .map_or_else(|| id.clone(), |s| s.name(lang).to_owned()),
            Scope::Class(c) => c.clone(),
        }
    }
}

/// The reference list's classes, sorted.
pub fn classes() -> Vec<String> {
    let set: BTreeSet<String> = crate::substances::get()
        .all()
        .iter()
        .map(|s| s.class.clone())
        .collect();
    set.into_iter().collect()
}

/// One series: a source's rows of a scope in an area.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SeriesKey {
    pub source: Source,
    pub scope: Scope,
    pub area: Area,
}

impl SeriesKey {
    /// `drugcheck|substance:heroin|county:03`, the series' name in dedupe keys.
    pub fn name(&self) -> String {
        format!(
            "{}|{}|{}",
            self.source.as_str(),
            self.scope.code(),
            self.area.code()
        )
    }
}

/// One row of a source as the counting needs it: the row (record or sample) it belongs to,
/// its week and place, one substance it names with its class (none: it names none), and its
/// measured value. A row naming several substances comes once per substance.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceRow {
    pub record: i64,
    pub week: Week,
    pub municipality: Option<String>,
    pub county: Option<String>,
    pub substance: Option<String>,
    pub class: Option<String>,
    pub value: Option<f64>,
}

/// Which areas to count: the whole country and the counties (detection), or one area only
/// (a municipality's series, counted when asked for).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Areas {
    NationalAndCounties,
    Only(Area),
}

/// Counts `rows` of `source` into weekly values per series: distinct rows per week (or the
/// mean of their values for a measured source). Only weeks with rows appear.
pub fn count(
    source: Source,
    rows: &[SourceRow],
    areas: &Areas,
) -> BTreeMap<SeriesKey, BTreeMap<Week, f64>> {
    // Per series and week: the distinct rows, with their value.
    let mut seen: BTreeMap<(SeriesKey, Week), BTreeMap<i64, Option<f64>>> = BTreeMap::new();
    for r in rows {
        let mut scopes = vec![Scope::All];
        if let Some(s) = &r.substance {
            scopes.push(Scope::Substance(s.clone()));
        }
        if let Some(c) = &r.class {
            scopes.push(Scope::Class(c.clone()));
        }
        let places: Vec<Area> = match areas {
            Areas::NationalAndCounties => {
                let mut v = vec![Area::National];
                if let Some(c) = &r.county {
                    v.push(Area::County(c.clone()));
                }
                v
            }
            Areas::Only(a) => {
                let inside = match a {
                    Area::National => true,
                    Area::County(c) => r.county.as_deref() == Some(c.as_str()),
                    Area::Municipality(m) => r.municipality.as_deref() == Some(m.as_str()),
                };
                if inside {
                    vec![a.clone()]
                } else {
                    vec![]
                }
            }
        };
        for area in &places {
            for scope in &scopes {
                let key = SeriesKey {
                    source,
                    scope: scope.clone(),
                    area: area.clone(),
                };
                seen.entry((key, r.week))
                    .or_default()
                    .insert(r.record, r.value);
            }
        }
    }
    let mut out: BTreeMap<SeriesKey, BTreeMap<Week, f64>> = BTreeMap::new();
    for ((key, week), records) in seen {
        let v = if source.is_measured() {
            let vals: Vec<f64> = records.values().flatten().copied().collect();
            if vals.is_empty() {
                continue;
            }
            vals.iter().sum::<f64>() / vals.len() as f64
        } else {
            records.len() as f64
        };
        out.entry(key).or_default().insert(week, v);
    }
    out
}

/// The weeks from `first` to `last` (inclusive) with their values, zero where `values` has
/// none.
pub fn zero_filled(values: &BTreeMap<Week, f64>, first: Week, last: Week) -> Vec<(Week, f64)> {
    let n = last.index() - first.index();
    if n < 0 {
        return Vec::new();
    }
    (0..=n)
        .map(|i| {
            let w = first.plus(i);
            (w, values.get(&w).copied().unwrap_or(0.0))
        })
        .collect()
}

/// A series from its first week with a value to `last` (or to its own last week if later).
pub fn weekly(values: &BTreeMap<Week, f64>, last: Option<Week>) -> Vec<(Week, f64)> {
    let (Some((&first, _)), Some((&own_last, _))) =
        (values.first_key_value(), values.last_key_value())
    else {
        return Vec::new();
    };
    zero_filled(values, first, last.map_or(own_last, |l| l.max(own_last)))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
#[path = "series_tests.rs"]
mod tests;
