//! The monitoring sources (issue 10, items 1, 2 and 4): seizures, wastewater, syringe residue,
//! overdoses, drug-induced deaths, surveys and rapid assessments, each imported from a CSV file
//! with its own columns. A file is read row by row ([`parse`]): every row is checked against
//! its source's rules (`rows.rs`) and becomes a [`Record`] (its day, ISO week, place, measure,
//! the row as normalised JSON and the substances it names, resolved against the reference
//! list), or a [`RowError`] naming its line (the header is line 1), the field and the rule —
//! never the value. No row may hold a person: a field holding an identity number (a valid
//! fødselsnummer or D-number) is refused whatever its column.
//!
//! The signals an import raises are here too: a watchlist substance ([`watchlist_signals`],
//! one per source × substance × area × ISO week) and a purity far above the recent range
//! ([`super::purity`]).

pub mod json;
mod rows;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use jiff::civil::Date;
use serde::Serialize;

use super::signals::{iso_week, NewSignal, SignalKind, Watchlist};
use crate::fields::FieldError;

/// A monitoring source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    Seizures,
    Wastewater,
    SyringeResidue,
    Overdoses,
    Deaths,
    Surveys,
    RapidAssessments,
}

impl Source {
    pub const ALL: [Source; 7] = [
        Source::Seizures,
        Source::Wastewater,
        Source::SyringeResidue,
        Source::Overdoses,
        Source::Deaths,
        Source::Surveys,
        Source::RapidAssessments,
    ];

    /// The source's name in URLs, tables and signals.
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Seizures => "seizures",
            Source::Wastewater => "wastewater",
            Source::SyringeResidue => "syringe_residue",
            Source::Overdoses => "overdoses",
            Source::Deaths => "deaths",
            Source::Surveys => "surveys",
            Source::RapidAssessments => "rapid_assessments",
        }
    }

    /// The source named `v`, if any.
    pub fn parse(v: &str) -> Option<Source> {
        Source::ALL.into_iter().find(|s| s.as_str() == v.trim())
    }

    /// The file's columns (every one required, in any order).
    pub fn columns(self) -> &'static [&'static str] {
        match self {
            Source::Seizures => &[
                "agency",
                "date",
                "municipality",
                "substance",
                "amount",
                "unit",
                "purity_percent",
            ],
            Source::Wastewater => &[
                "site",
                "municipality",
                "date",
                "substance",
                "mg_per_1000_per_day",
            ],
            Source::SyringeResidue => &["site", "municipality", "date", "substances", "syringes"],
            Source::Overdoses => &[
                "service",
                "date",
                "municipality",
                "substances",
                "outcome",
                "age_band",
                "sex",
            ],
            Source::Deaths => &["month", "county", "substances", "icd10"],
            Source::Surveys => &["source", "year", "indicator", "value", "ci_low", "ci_high"],
            Source::RapidAssessments => &["municipality", "date", "text", "tags"],
        }
    }

    /// Whether the source's rows have a day (and so an ISO week): every source but deaths
    /// (a month) and surveys (a year).
    pub fn is_weekly(self) -> bool {
        !matches!(self, Source::Deaths | Source::Surveys)
    }
}

/// A substance a record names: the reference list's id and class, and the purity where the
/// source has one.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    pub substance: String,
    pub class: String,
    pub purity_percent: Option<f64>,
}

/// One accepted row, normalised.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// The row's line in the file (the header is line 1).
    pub line: u64,
    /// The day (deaths: the month's first day; surveys: none).
    pub day: Option<Date>,
    /// The ISO week of `day` as `year * 100 + week` (weekly sources only).
    pub week: Option<i32>,
    pub municipality: Option<String>,
    /// The municipality's county, or the row's own (deaths).
    pub county: Option<String>,
    /// The measure: the seized amount, mg per 1,000 per day, syringes, the survey's value.
    pub value: Option<f64>,
    /// The row as normalised, a JSON object (column → value).
    pub body: String,
    /// The substances named, each once.
    pub findings: Vec<Finding>,
}

impl Record {
    /// The area a signal about this record names: its municipality, its county as
    /// `county:NN`, or `national`.
    pub fn area(&self) -> String {
        match (&self.municipality, &self.county) {
            (Some(m), _) => m.clone(),
            (None, Some(c)) => format!("county:{c}"),
            _ => "national".to_owned(),
        }
    }
}

/// A refused row: its line (the header is line 1), the field and the rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowError {
    pub line: u64,
    pub field: String,
    pub rule: String,
}

impl RowError {
    fn of(line: u64, e: FieldError) -> RowError {
        RowError {
            line,
            field: e.field.into_owned(),
            rule: e.rule,
        }
    }
}

/// A file as parsed: the accepted rows and the refused ones, in line order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Parsed {
    pub records: Vec<Record>,
    pub refused: Vec<RowError>,
}

/// The ISO week of `day` as `year * 100 + week` (the tables' `week`).
pub fn week_number(day: Date) -> i32 {
    let w = super::series::Week::of(day);
    i32::from(w.year) * 100 + i32::from(w.week)
}

/// Reads a file of `source` (CSV with a header, UTF-8), checking each row with `today` as the
/// last day a row may name. A header that lacks a column or has one the source does not
/// know refuses the file (line 1, the column as field); a row that breaks a rule is refused
/// with its first broken rule, and the rest are read on.
pub fn parse(source: Source, r: &mut dyn std::io::Read, today: Date) -> Parsed {
    let mut out = Parsed::default();
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(r);
    let header = match reader.headers() {
        Ok(h) => h.clone(),
        Err(_) => {
            out.refused.push(RowError {
                line: 1,
                field: "file".into(),
                rule: "a CSV file with a header line, in UTF-8".into(),
            });
            return out;
        }
    };
    let columns = source.columns();
    // Column name → its index in the file.
    let mut at: BTreeMap<&'static str, usize> = BTreeMap::new();
    for (i, name) in header.iter().enumerate() {
        let name = name.trim().trim_start_matches('\u{feff}');
        match columns.iter().find(|c| **c == name) {
            Some(c) if at.contains_key(c) => out.refused.push(RowError {
                line: 1,
                field: (*c).to_owned(),
                rule: "a column named twice".into(),
            }),
            Some(c) => {
                at.insert(c, i);
            }
            None => out.refused.push(RowError {
                line: 1,
                field: name.to_owned(),
                rule: format!(
                    "not a column of this source; its columns: {}",
                    columns.join(", ")
                ),
            }),
        }
    }
    for c in columns {
        if !at.contains_key(c) {
            out.refused.push(RowError {
                line: 1,
                field: (*c).to_owned(),
                rule: "a required column is missing".into(),
            });
        }
    }
    if !out.refused.is_empty() {
        return out;
    }
    let index: Vec<usize> = columns.iter().map(|c| at[c]).collect();
    let mut record = csv::StringRecord::new();
    loop {
        let line = reader.position().line() + 1;
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) if matches!(e.kind(), csv::ErrorKind::Io(_)) => {
                out.refused.push(RowError {
                    line,
                    field: "file".into(),
                    rule: "a CSV file with a header line, in UTF-8".into(),
                });
                break;
            }
            Err(_) => {
                out.refused.push(RowError {
                    line,
                    field: "row".into(),
                    rule: "not a readable CSV row in UTF-8".into(),
                });
                // A broken row (bad UTF-8) is skipped; a broken file ends here.
                if reader.is_done() {
                    break;
                }
                continue;
            }
        }
        let line = record.position().map_or(line, |p| p.line());
        if record.iter().all(str::is_empty) {
            continue;
        }
        if record.len() != header.len() {
            out.refused.push(RowError {
                line,
                field: "row".into(),
                rule: format!("{} fields, as the header has", header.len()),
            });
            continue;
        }
        let values: Vec<&str> = index.iter().map(|&i| record.get(i).unwrap_or("")).collect();
        match rows::check(source, columns, &values, today) {
            Ok(mut rec) => {
                rec.line = line;
                out.records.push(rec);
            }
            Err(e) => out.refused.push(RowError::of(line, e)),
        }
    }
    out
}

/// The watchlist signals of a batch's records: one per substance on the watchlist × area
/// (municipality, or `county:NN`) × ISO week, `observed` the number of the batch's records
/// naming it there that week. Deduplicated per source × substance × area × week, so a later
/// batch of the same week adds no second signal.
pub fn watchlist_signals(
    source: Source,
    records: &[Record],
    watchlist: &Watchlist,
) -> Vec<NewSignal> {
    let list = crate::substances::get();
    let mut count: BTreeMap<(String, String, String), u32> = BTreeMap::new();
    for r in records {
        let Some(day) = r.day else { continue };
        for f in &r.findings {
            let on = list
                .by_id(&f.substance)
                .is_some_and(|s| watchlist.contains(s));
            if on {
                *count
                    .entry((f.substance.clone(), r.area(), iso_week(day)))
                    .or_default() += 1;
            }
        }
    }
    count
        .into_iter()
        .map(|((substance, area, week), n)| NewSignal {
            kind: SignalKind::Watchlist,
            source: source.as_str().to_owned(),
            dedupe: format!("watchlist:{}:{substance}:{area}:{week}", source.as_str()),
            detail: format!(
                "{n} {} row(s) of one import name {substance} in {area}, week {week}",
                source.as_str()
            ),
            rule: "a substance on the high-risk watchlist was named by a source".to_owned(),
            substance: Some(substance),
            area,
            week,
            observed: f64::from(n),
            threshold: None,
        })
        .collect()
}
