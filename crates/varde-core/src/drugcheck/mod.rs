//! Area 7, anonymous drug checking (rusmiddelanalyse): a person hands in a sample and gets a
//! receipt with a code; the laboratory records what it found; the person looks the result up
//! with the code, without ever giving a name.
//!
//! The rules, pure: the code ([`Code`]: 70 random bits the caller draws, in Crockford's base
//! 32, stored only as the SHA-256 of its normal form), the intake ([`Intake::check`]), the
//! result ([`Analysis::check`]), the monitoring signals a result raises ([`signals`]) and the
//! monthly public summary with small cells suppressed ([`summary`]).

use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::fields::{self, FieldError};
use crate::ids::{crockford, CROCKFORD};
use crate::monitoring::signals::{iso_week, NewSignal, SignalKind, Watchlist};
use crate::substances;

#[cfg(test)]
mod tests;

/// Characters of a code: 14, five bits each (70 bits).
pub const CODE_LEN: usize = 14;

/// The most characters of the free text "sold as" and of a method or contaminant.
pub const TEXT_MAX: usize = 200;

/// A sample's code, in its normal form (14 characters of [`CROCKFORD`]).
#[derive(Clone, PartialEq, Eq)]
pub struct Code(String);

impl std::fmt::Debug for Code {
    // A code is the key to a result: never printed whole by accident.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Code({}…)", &self.0[..2])
    }
}

impl Code {
    /// The code of two random draws (the caller brings the randomness: the OS's): 35 bits of
    /// each, 70 in all.
    pub fn mint(a: u64, b: u64) -> Code {
        Code(format!("{}{}", crockford("", a, 7), crockford("", b, 7)))
    }

    /// A code as typed: case-insensitive, dashes and spaces ignored, `O` read as 0 and `I`,
    /// `L` as 1. `None` when it is not 14 characters of the alphabet.
    pub fn parse(typed: &str) -> Option<Code> {
        let mut out = String::with_capacity(CODE_LEN);
        for c in typed.chars() {
            let c = match c.to_ascii_uppercase() {
                '-' | ' ' | '\t' => continue,
                'O' => '0',
                'I' | 'L' => '1',
                c => c,
            };
            if !c.is_ascii() || !CROCKFORD.contains(&(c as u8)) {
                return None;
            }
            out.push(c);
            if out.len() > CODE_LEN {
                return None;
            }
        }
        (out.len() == CODE_LEN).then_some(Code(out))
    }

    /// The normal form (14 characters, no dashes).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// As printed on the receipt: groups of four (`K7QX-3M9D-PZ2A-HB`).
    pub fn grouped(&self) -> String {
        self.0
            .as_bytes()
            .chunks(4)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect::<Vec<_>>()
            .join("-")
    }

    /// What is stored: the SHA-256 of the normal form, in hex (the table reveals no code).
    pub fn hash(&self) -> String {
        hash_text(&self.0)
    }
}

fn hash_text(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

/// The hash looked up for a typed text: the code's, or — for a text that is no code — the hash
/// of the text itself, which no stored code has. Either way the same query runs, so that a
/// wrong code takes as long to answer as a right one.
pub fn lookup_hash(typed: &str) -> String {
    match Code::parse(typed) {
        Some(code) => code.hash(),
        None => hash_text(&format!("not a code:{typed}")),
    }
}

/// A sample handed in, as the form or the API gives it.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct IntakeInput {
    /// What the sample was sold or bought as: a substance of the reference list, or free text.
    pub sold_as: String,
    /// The municipality number where the sample was handed in (`0301`).
    pub municipality: String,
    /// The day it was received, `YYYY-MM-DD`.
    pub received_on: String,
}

/// A checked intake.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Intake {
    pub sold_as: String,
    /// The reference list's id, when `sold_as` names a substance of it.
    pub sold_as_substance: Option<String>,
    pub municipality: String,
    pub received_on: Date,
}

impl Intake {
    /// Checks every field; every refusal at once.
    pub fn check(input: &IntakeInput, today: Date) -> Result<Intake, Vec<FieldError>> {
        let mut errors = Vec::new();
        let sold_as = match fields::safe_text("sold_as", &input.sold_as, TEXT_MAX) {
            Ok(Some(s)) => Some(s),
            Ok(None) => {
                errors.push(FieldError::new("sold_as", "must not be empty"));
                None
            }
            Err(e) => {
                errors.push(e);
                None
            }
        };
        let municipality = fields::kommune("municipality", &input.municipality)
            .map_err(|e| errors.push(e))
            .ok();
        let received_on = fields::past_date("received_on", &input.received_on, today)
            .map_err(|e| errors.push(e))
            .ok();
        match (sold_as, municipality, received_on) {
            (Some(sold_as), Some(municipality), Some(received_on)) if errors.is_empty() => {
                let sold_as_substance = substances::get().find(&sold_as).map(|s| s.id.clone());
                Ok(Intake {
                    sold_as,
                    sold_as_substance,
                    municipality,
                    received_on,
                })
            }
            _ => Err(errors),
        }
    }
}

/// One substance found, as given.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FoundInput {
    /// A substance of the reference list (any of its names).
    pub substance: String,
    /// Its share of the sample, 0–100.
    pub purity_percent: Option<f64>,
    /// Its amount in the sample, in milligrams.
    pub amount_mg: Option<f64>,
}

/// A laboratory's result, as given.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AnalysisInput {
    /// `YYYY-MM-DD`: not before the sample was received, not in the future.
    pub analysed_on: String,
    /// The method (`GC-MS`, `FTIR`, …).
    pub method: String,
    pub found: Vec<FoundInput>,
    /// Cutting agents and other contaminants, in words.
    pub contaminants: Vec<String>,
}

/// A substance found, checked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Found {
    /// The reference list's id.
    pub substance: String,
    pub purity_percent: Option<f64>,
    pub amount_mg: Option<f64>,
}

/// A checked result.
#[derive(Debug, Clone, PartialEq)]
pub struct Analysis {
    pub analysed_on: Date,
    pub method: String,
    pub found: Vec<Found>,
    pub contaminants: Vec<String>,
}

impl Analysis {
    /// Checks a result of a sample received on `received_on`; every refusal at once.
    pub fn check(
        input: &AnalysisInput,
        received_on: Date,
        today: Date,
    ) -> Result<Analysis, Vec<FieldError>> {
        let mut errors = Vec::new();
        let analysed_on = match fields::past_date("analysed_on", &input.analysed_on, today) {
            Ok(d) if d < received_on => {
                errors.push(FieldError::new(
                    "analysed_on",
                    format!("not before the sample was received ({received_on})"),
                ));
                None
            }
            Ok(d) => Some(d),
            Err(e) => {
                errors.push(e);
                None
            }
        };
        let method = match fields::safe_text("method", &input.method, TEXT_MAX) {
            Ok(Some(m)) => m,
            Ok(None) => {
                errors.push(FieldError::new("method", "must not be empty"));
                String::new()
            }
            Err(e) => {
                errors.push(e);
                String::new()
            }
        };
        let list = substances::get();
        let mut found: Vec<Found> = Vec::new();
        for (i, f) in input.found.iter().enumerate() {
            let at = format!("found[{i}]");
            match list.resolve("substance", &f.substance) {
                Ok(s) if found.iter().any(|g| g.substance == s.id) => errors
                    .push(FieldError::new("substance", "named twice in the result").within(&at)),
                Ok(s) => found.push(Found {
                    substance: s.id.clone(),
                    purity_percent: f.purity_percent,
                    amount_mg: f.amount_mg,
                }),
                Err(e) => errors.push(e.within(&at)),
            }
            if let Some(p) = f.purity_percent {
                if !(0.0..=100.0).contains(&p) {
                    errors.push(
                        FieldError::new("purity_percent", "a percentage from 0 to 100").within(&at),
                    );
                }
            }
            if let Some(a) = f.amount_mg {
                if !a.is_finite() || a < 0.0 {
                    errors.push(
                        FieldError::new("amount_mg", "a number of milligrams, not negative")
                            .within(&at),
                    );
                }
            }
        }
        let mut contaminants = Vec::new();
        for (i, c) in input.contaminants.iter().enumerate() {
            match fields::safe_text("contaminants", c, TEXT_MAX) {
                Ok(Some(c)) => contaminants.push(c),
                Ok(None) => {}
                Err(e) => errors.push(FieldError::new(format!("contaminants[{i}]"), e.rule)),
            }
        }
        match analysed_on {
            Some(analysed_on) if errors.is_empty() => Ok(Analysis {
                analysed_on,
                method,
                found,
                contaminants,
            }),
            _ => Err(errors),
        }
    }
}

/// The rule of a watchlist finding's signal.
pub const RULE_WATCHLIST: &str = "first finding of a watchlist substance in drug checking";
/// The rule of a sample that held something other than it was sold as.
pub const RULE_MISSOLD: &str = "a substance other than what it was sold as";

/// A sample as the signals need it.
#[derive(Debug, Clone)]
pub struct SampleFacts<'a> {
    /// The internal id (never the code).
    pub id: i64,
    pub sold_as: &'a str,
    pub sold_as_substance: Option<&'a str>,
    pub municipality: &'a str,
}

/// The signals a result raises: one per watchlist substance found, and one when the sample was
/// sold as a substance of the list that was not found in it (while something else was).
pub fn signals(
    sample: &SampleFacts<'_>,
    analysis: &Analysis,
    watchlist: &Watchlist,
) -> Vec<NewSignal> {
    let list = substances::get();
    let week = iso_week(analysis.analysed_on);
    let signal = |substance: &str, rule: &str, detail: String, dedupe: String| NewSignal {
        kind: SignalKind::Watchlist,
        source: "drugcheck".to_owned(),
        substance: Some(substance.to_owned()),
        area: sample.municipality.to_owned(),
        week: week.clone(),
        observed: 1.0,
        threshold: None,
        rule: rule.to_owned(),
        detail,
        dedupe,
    };
    let mut out = Vec::new();
    for f in &analysis.found {
        let Some(s) = list.by_id(&f.substance) else {
            continue;
        };
        if watchlist.contains(s) {
            out.push(signal(
                &s.id,
                RULE_WATCHLIST,
                format!("{} found in a sample sold as {}", s.name_en, sample.sold_as),
                format!("drugcheck:{}:{}", sample.id, s.id),
            ));
        }
    }
    if let Some(expected) = sample.sold_as_substance {
        let others: Vec<&Found> = analysis
            .found
            .iter()
            .filter(|f| f.substance != expected)
            .collect();
        if !others.is_empty() && !analysis.found.iter().any(|f| f.substance == expected) {
            let names: Vec<&str> = others
                .iter()
                .map(|f| {
                    list.by_id(&f.substance)
                        .map_or(f.substance.as_str(), |s| s.name_en.as_str())
                })
                .collect();
            out.push(signal(
                &others[0].substance,
                RULE_MISSOLD,
                format!(
                    "{} found in a sample sold as {}, which was not found",
                    names.join(", "),
                    sample.sold_as
                ),
                format!("drugcheck:{}:sold-as", sample.id),
            ));
        }
    }
    out
}

/// One published cell of the monthly summary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SummaryCell {
    /// The reference list's id.
    pub substance: String,
    /// The analysed samples it was found in; `None` when 1–4 (suppressed).
    pub samples: Option<u64>,
}

/// One month of the summary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SummaryMonth {
    /// `YYYY-MM`.
    pub month: String,
    /// The samples analysed in the month; `None` when 1–4.
    pub analysed: Option<u64>,
    pub cells: Vec<SummaryCell>,
}

/// The monthly summary from the counts (`(month, substance, samples)`, and the analysed
/// samples per month), newest month first, substances by name. A sample may hold several
/// substances, so a month's cells do not add up to its total: no sum links them, and plain
/// small-cell suppression ([`crate::suppression::cell`]) protects each.
pub fn summary(counts: &[(String, String, u64)], analysed: &[(String, u64)]) -> Vec<SummaryMonth> {
    let mut months: Vec<SummaryMonth> = analysed
        .iter()
        .map(|(m, n)| SummaryMonth {
            month: m.clone(),
            analysed: crate::suppression::cell(*n),
            cells: Vec::new(),
        })
        .collect();
    months.sort_by(|a, b| b.month.cmp(&a.month));
    for (m, s, n) in counts {
        if let Some(month) = months.iter_mut().find(|x| &x.month == m) {
            month.cells.push(SummaryCell {
                substance: s.clone(),
                samples: crate::suppression::cell(*n),
            });
        }
    }
    for m in &mut months {
        m.cells.sort_by(|a, b| a.substance.cmp(&b.substance));
    }
    months
}
