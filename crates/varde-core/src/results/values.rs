//! The values' import: a CSV file of one source, columns `indicator,year,area,value`.
//!
//! Each row is checked on its own and refused with its line, field and rule: the indicator
//! must be one of the source's (and not one read from inside Varde), the year `YYYY` and not
//! after this year, the area one of the indicator's level or `national` (`county:NN`, a
//! municipality number, `hf:{the trust's name}`), the value a number not negative (a whole
//! number where the indicator counts people). No field may hold an identity number (the row
//! is refused naming the field, never echoing it). A second row for the same indicator, year
//! and area in one file is refused.

use std::collections::HashMap;

use serde::Serialize;

use super::plans::IndicatorDef;
use super::{Level, Source};
use crate::fields::{holds_national_id, FieldError};

/// The columns of the file, in any order.
pub const COLUMNS: [&str; 4] = ["indicator", "year", "area", "value"];

/// One value: an indicator's figure for a year and an area.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Value {
    pub indicator: String,
    pub year: i16,
    /// `national`, `county:NN`, a municipality number or `hf:{name}`.
    pub area: String,
    pub value: f64,
}

pub use crate::csv_rows::RowProblem;

/// A file read: the valid rows with their lines, and the refused ones.
pub type Parsed = crate::csv_rows::Table<Value>;

/// The area code `v` checked against `level` (the whole country always accepted).
pub fn area(field: &'static str, v: &str, level: Level) -> Result<String, FieldError> {
    let v = v.trim();
    if v == "national" {
        return Ok(v.to_owned());
    }
    let refdata = crate::refdata::get();
    let ok = match level {
        Level::Nation => false,
        Level::County => v
            .strip_prefix("county:")
            .is_some_and(|c| refdata.fylker().iter().any(|f| f.fylkesnummer == c)),
        Level::Municipality => refdata.kommune(v).is_some(),
        Level::Hf => v.strip_prefix("hf:").is_some_and(|h| {
            refdata
                .helseforetak()
                .iter()
                .any(|t| t.level == "HF" && t.name == h)
        }),
    };
    if ok {
        Ok(v.to_owned())
    } else {
        Err(FieldError::new(
            field,
            match level {
                Level::Nation => "this indicator has national values only: national",
                Level::County => "national, or a county as county:NN (county:46)",
                Level::Municipality => "national, or a municipality number (0301)",
                Level::Hf => {
                    "national, or a health trust as hf: and its name (hf:Sykehuset Innlandet HF)"
                }
            },
        ))
    }
}

/// Any area code a value may have: `national`, `county:NN`, a municipality number or
/// `hf:{name}`.
pub fn any_area(field: &'static str, v: &str) -> Result<String, FieldError> {
    [Level::County, Level::Municipality, Level::Hf]
        .into_iter()
        .find_map(|l| area(field, v, l).ok())
        .ok_or_else(|| {
            FieldError::new(
                field,
                "national, county:NN, a municipality number, or hf: and a health trust's name",
            )
        })
}

/// One row checked: the value, or the first field that breaks a rule.
pub fn check_row(
    cell: &dyn Fn(&str) -> String,
    source: Source,
    defs: &[IndicatorDef],
    this_year: i16,
) -> Result<Value, FieldError> {
    for c in COLUMNS {
        if holds_national_id(&cell(c)) {
            return Err(FieldError::new(
                c,
                "must not hold a national identity number",
            ));
        }
    }
    let id = cell("indicator");
    let def = defs
        .iter()
        .find(|d| d.id == id.trim())
        .ok_or_else(|| FieldError::new("indicator", "no indicator has this id"))?;
    if def.source != source {
        return Err(FieldError::new(
            "indicator",
            "the indicator is of another source than the import's",
        ));
    }
    if def.internal.is_some() {
        return Err(FieldError::new(
            "indicator",
            "the indicator's values are read from inside Varde, not imported",
        ));
    }
    let year = cell("year")
        .trim()
        .parse::<i16>()
        .ok()
        .filter(|y| (1900..=2999).contains(y))
        .ok_or_else(|| FieldError::new("year", "a year as YYYY"))?;
    if year > this_year {
        return Err(FieldError::new("year", "must not be in the future"));
    }
    let area = area("area", &cell("area"), def.level)?;
    let v = cell("value");
    let value = v
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|x| x.is_finite() && *x >= 0.0)
        .ok_or_else(|| FieldError::new("value", "a number (with a decimal point), not negative"))?;
    if def.counts_people && value.fract() != 0.0 {
        return Err(FieldError::new(
            "value",
            "a whole number: the indicator counts people",
        ));
    }
    Ok(Value {
        indicator: def.id.clone(),
        year,
        area,
        value,
    })
}

fn header(cols: &[&str]) -> Result<HashMap<&'static str, usize>, FieldError> {
    let mut at = HashMap::new();
    for (i, h) in cols.iter().enumerate() {
        let h = h.trim().trim_start_matches('\u{feff}');
        if holds_national_id(h) {
            return Err(FieldError::new(
                "header",
                "must not hold a national identity number",
            ));
        }
        let Some(col) = COLUMNS.into_iter().find(|c| *c == h) else {
            return Err(FieldError::new(
                "header",
                "an unknown column; expected indicator, year, area, value",
            ));
        };
        if at.insert(col, i).is_some() {
            return Err(FieldError::new(col, "a column named twice in the header"));
        }
    }
    for c in COLUMNS {
        if !at.contains_key(c) {
            return Err(FieldError::new(c, "a required column is missing"));
        }
    }
    Ok(at)
}

/// Reads a file of `source`: the header checked (an error refuses the file), then every row.
/// Line numbers count the header as line 1.
pub fn read(
    r: &mut dyn std::io::Read,
    source: Source,
    defs: &[IndicatorDef],
    this_year: i16,
) -> Result<Parsed, FieldError> {
    crate::csv_rows::read(
        r,
        &crate::csv_rows::Rules {
            header: &header,
            row: &|cell| check_row(cell, source, defs, this_year),
            key: &|v: &Value| (v.indicator.clone(), v.year, v.area.clone()),
            repeated: "indicator, year and area",
        },
    )
}
