//! One row of each source, checked: every rule a field must keep, as a function of the
//! field's text. The first broken rule refuses the row (naming the field, never the value).

use jiff::civil::Date;
use serde_json::{json, Map, Value};

use super::{week_number, Finding, Record, Source};
use crate::fields::{self, FieldError};
use crate::substances::Substance;

/// The rule of a field that holds an identity number.
pub const NO_PERSONS: &str = "looks like an identity number; this area stores no personal data";

/// The longest site, indicator or survey-source name.
const NAME_MAX: usize = 200;
/// The longest text of a rapid assessment.
const TEXT_MAX: usize = 4000;
/// The longest tag.
const TAG_MAX: usize = 60;

/// Checks one row of `source` (`values` in the order of `columns`).
pub(super) fn check(
    source: Source,
    columns: &[&'static str],
    values: &[&str],
    today: Date,
) -> Result<Record, FieldError> {
    for (c, v) in columns.iter().zip(values) {
        if fields::holds_national_id(v) {
            return Err(FieldError::new(*c, NO_PERSONS));
        }
    }
    let v = |name: &str| field(columns, values, name);
    let mut rec = Record {
        line: 0,
        day: None,
        week: None,
        municipality: None,
        county: None,
        value: None,
        body: String::new(),
        findings: Vec::new(),
    };
    let mut body = Map::new();
    if let Some(i) = columns.iter().position(|c| *c == "municipality") {
        let (m, county) = municipality("municipality", values.get(i).copied().unwrap_or(""))?;
        body.insert("municipality".into(), json!(m));
        rec.municipality = Some(m);
        rec.county = Some(county);
    }
    if columns.contains(&"date") {
        // Wastewater is often reported per week: `date` may be an ISO week (`2026-W48`),
        // kept as its Monday; a week that does not exist is refused.
        let raw = v("date");
        let d = if source == Source::Wastewater && raw.to_ascii_uppercase().contains('W') {
            let week = crate::monitoring::series::Week::parse("date", raw)?;
            fields::past_date("date", &week.monday().to_string(), today)?
        } else {
            fields::past_date("date", raw, today)?
        };
        body.insert("date".into(), json!(d.to_string()));
        rec.day = Some(d);
        rec.week = Some(week_number(d));
    }
    match source {
        Source::Seizures => {
            let agency = one_of("agency", v("agency"), &["police", "customs"])?;
            let s = substance("substance", v("substance"))?;
            let amount = number(v("amount"))
                .filter(|a| *a > 0.0)
                .ok_or_else(|| FieldError::new("amount", "a number greater than 0"))?;
            let unit = one_of("unit", v("unit"), &["g", "ml", "tablets"])?;
            let purity =
                match v("purity_percent") {
                    "" => None,
                    p => Some(number(p).filter(|p| (0.0..=100.0).contains(p)).ok_or_else(
                        || FieldError::new("purity_percent", "a percentage from 0 to 100"),
                    )?),
                };
            body.insert("agency".into(), json!(agency));
            body.insert("substance".into(), json!(s.id));
            body.insert("amount".into(), json!(amount));
            body.insert("unit".into(), json!(unit));
            body.insert("purity_percent".into(), json!(purity));
            rec.value = Some(amount);
            rec.findings.push(finding(s, purity));
        }
        Source::Wastewater => {
            let site = name("site", v("site"))?;
            let s = substance("substance", v("substance"))?;
            let mg = number(v("mg_per_1000_per_day"))
                .filter(|m| *m >= 0.0)
                .ok_or_else(|| FieldError::new("mg_per_1000_per_day", "a number, not negative"))?;
            body.insert("site".into(), json!(site));
            body.insert("substance".into(), json!(s.id));
            body.insert("mg_per_1000_per_day".into(), json!(mg));
            rec.value = Some(mg);
            rec.findings.push(finding(s, None));
        }
        Source::SyringeResidue => {
            let site = name("site", v("site"))?;
            let found = substances("substances", v("substances"))?;
            if found.is_empty() {
                return Err(FieldError::new("substances", "must not be empty"));
            }
            let n = v("syringes")
                .parse::<u32>()
                .ok()
                .filter(|n| *n >= 1)
                .ok_or_else(|| FieldError::new("syringes", "a whole number, at least 1"))?;
            body.insert("site".into(), json!(site));
            body.insert("substances".into(), ids(&found));
            body.insert("syringes".into(), json!(n));
            rec.value = Some(f64::from(n));
            rec.findings = found.into_iter().map(|s| finding(s, None)).collect();
        }
        Source::Overdoses => {
            let service = one_of("service", v("service"), &["ambulance", "emergency_ward"])?;
            let found = substances("substances", v("substances"))?;
            let outcome = one_of("outcome", v("outcome"), &["non_fatal", "fatal"])?;
            let age = age_band("age_band", v("age_band"))?;
            let sex = one_of("sex", v("sex"), &["male", "female", "unknown"])?;
            body.insert("service".into(), json!(service));
            body.insert("substances".into(), ids(&found));
            body.insert("outcome".into(), json!(outcome));
            body.insert("age_band".into(), json!(age));
            body.insert("sex".into(), json!(sex));
            rec.findings = found.into_iter().map(|s| finding(s, None)).collect();
        }
        Source::Deaths => {
            let first = month("month", v("month"), today)?;
            let county = county("county", v("county"))?;
            let found = substances("substances", v("substances"))?;
            let icd = icd10("icd10", v("icd10"))?;
            body.insert("month".into(), json!(&first.to_string()[..7]));
            body.insert("county".into(), json!(county));
            body.insert("substances".into(), ids(&found));
            body.insert("icd10".into(), json!(icd));
            rec.day = Some(first);
            rec.county = Some(county);
            rec.findings = found.into_iter().map(|s| finding(s, None)).collect();
        }
        Source::Surveys => {
            let src = name("source", v("source"))?;
            let year = fields::year("year", v("year"), 0)
                .ok()
                .filter(|y| *y > 0)
                .ok_or_else(|| FieldError::new("year", "a year as YYYY"))?;
            if i32::from(year) > i32::from(today.year()) {
                return Err(FieldError::new("year", "must not be in the future"));
            }
            let indicator = name("indicator", v("indicator"))?;
            let value = number(v("value")).ok_or_else(|| FieldError::new("value", "a number"))?;
            let (lo, hi) = interval(value, v("ci_low"), v("ci_high"))?;
            body.insert("source".into(), json!(src));
            body.insert("year".into(), json!(year));
            body.insert("indicator".into(), json!(indicator));
            body.insert("value".into(), json!(value));
            body.insert("ci_low".into(), json!(lo));
            body.insert("ci_high".into(), json!(hi));
            rec.value = Some(value);
        }
        Source::RapidAssessments => {
            let text = fields::safe_str("text", v("text"), TEXT_MAX)?
                .ok_or_else(|| FieldError::new("text", "must not be empty"))?;
            let mut tags: Vec<&str> = Vec::new();
            for t in v("tags")
                .split(';')
                .map(str::trim)
                .filter(|t| !t.is_empty())
            {
                let t = fields::safe_str("tags", t, TAG_MAX)?.unwrap_or_default();
                if !tags.contains(&t) {
                    tags.push(t);
                }
            }
            body.insert("text".into(), json!(text));
            body.insert("tags".into(), json!(tags));
        }
    }
    rec.body = Value::Object(body).to_string();
    Ok(rec)
}

/// The text of column `name`.
fn field<'a>(columns: &[&'static str], values: &[&'a str], name: &str) -> &'a str {
    columns
        .iter()
        .position(|c| *c == name)
        .and_then(|i| values.get(i).copied())
        .unwrap_or("")
}

fn finding(s: &Substance, purity_percent: Option<f64>) -> Finding {
    Finding {
        substance: s.id.clone(),
        class: s.class.clone(),
        purity_percent,
    }
}

fn ids(found: &[&Substance]) -> Value {
    json!(found.iter().map(|s| s.id.as_str()).collect::<Vec<_>>())
}

/// A finite number (a decimal point or comma).
fn number(v: &str) -> Option<f64> {
    v.trim()
        .replace(',', ".")
        .parse::<f64>()
        .ok()
        .filter(|n| n.is_finite())
}

/// One of `allowed`, as written (lower case).
fn one_of(
    field: &'static str,
    v: &str,
    allowed: &[&'static str],
) -> Result<&'static str, FieldError> {
    let v = v.trim().to_lowercase();
    allowed
        .iter()
        .find(|a| **a == v)
        .copied()
        .ok_or_else(|| FieldError::new(field, format!("one of {}", allowed.join(", "))))
}

/// A required name (a site, a survey, an indicator).
fn name(field: &'static str, v: &str) -> Result<String, FieldError> {
    fields::safe_str(field, v, NAME_MAX)?
        .map(str::to_owned)
        .ok_or_else(|| FieldError::new(field, "must not be empty"))
}

fn substance(field: &'static str, v: &str) -> Result<&'static Substance, FieldError> {
    crate::substances::get().resolve(field, v)
}

/// Substances separated by `;` (empty: none), each once.
fn substances(field: &'static str, v: &str) -> Result<Vec<&'static Substance>, FieldError> {
    let mut out: Vec<&'static Substance> = Vec::new();
    for name in v.split(';').map(str::trim).filter(|n| !n.is_empty()) {
        let s = substance(field, name)?;
        if !out.iter().any(|o| o.id == s.id) {
            out.push(s);
        }
    }
    Ok(out)
}

/// A municipality of the reference data, with its county.
fn municipality(field: &'static str, v: &str) -> Result<(String, String), FieldError> {
    let m = fields::kommune(field, v)?;
    let county = crate::refdata::get()
        .kommune(&m)
        .map(|k| k.fylkesnummer.clone())
        .ok_or_else(|| {
            FieldError::new(
                field,
                "no municipality has this number in the reference list valid from 2024-01-01",
            )
        })?;
    Ok((m, county))
}

/// A county of the reference data, by its two-digit number.
fn county(field: &'static str, v: &str) -> Result<String, FieldError> {
    let v = v.trim();
    crate::refdata::get()
        .fylker()
        .iter()
        .find(|f| f.fylkesnummer == v)
        .map(|f| f.fylkesnummer.clone())
        .ok_or_else(|| {
            FieldError::new(
                field,
                "a county number of the reference list (two digits, e.g. 03)",
            )
        })
}

/// A month as `YYYY-MM`, not after this month: its first day.
fn month(field: &'static str, v: &str, today: Date) -> Result<Date, FieldError> {
    let first = fields::date(field, &format!("{}-01", v.trim()))
        .ok()
        .filter(|_| v.trim().len() == 7)
        .ok_or_else(|| FieldError::new(field, "a month as YYYY-MM"))?;
    if first > today {
        return Err(FieldError::new(field, "must not be in the future"));
    }
    Ok(first)
}

/// An ICD-10 code: a capital letter, two digits and an optional `.digit` (`X42`, `F11.2`).
pub fn icd10(field: &'static str, v: &str) -> Result<String, FieldError> {
    let v = v.trim().to_uppercase();
    let b = v.as_bytes();
    let ok = match b.len() {
        3 | 5 => {
            b[0].is_ascii_uppercase()
                && b[1].is_ascii_digit()
                && b[2].is_ascii_digit()
                && (b.len() == 3 || (b[3] == b'.' && b[4].is_ascii_digit()))
        }
        _ => false,
    };
    if ok {
        Ok(v)
    } else {
        Err(FieldError::new(
            field,
            "an ICD-10 code: a letter, two digits and an optional .digit (e.g. X42, F11.2)",
        ))
    }
}

/// An age band: `N-M` with N below M, `N+`, or `unknown` (ages 0–120).
pub fn age_band(field: &'static str, v: &str) -> Result<String, FieldError> {
    let v = v.trim().to_lowercase();
    let age = |s: &str| {
        s.parse::<u8>()
            .ok()
            .filter(|a| *a <= 120 && !s.is_empty() && s.len() <= 3)
    };
    let ok = if v == "unknown" {
        true
    } else if let Some(n) = v.strip_suffix('+') {
        age(n).is_some()
    } else if let Some((n, m)) = v.split_once('-') {
        matches!((age(n), age(m)), (Some(n), Some(m)) if n < m)
    } else {
        false
    };
    if ok {
        Ok(v)
    } else {
        Err(FieldError::new(
            field,
            "an age band as N-M (N below M), N+ or unknown",
        ))
    }
}

/// A survey's confidence interval: both bounds or neither, with `ci_low ≤ value ≤ ci_high`.
fn interval(value: f64, lo: &str, hi: &str) -> Result<(Option<f64>, Option<f64>), FieldError> {
    match (lo.trim(), hi.trim()) {
        ("", "") => Ok((None, None)),
        ("", _) => Err(FieldError::new(
            "ci_low",
            "both ci_low and ci_high, or neither",
        )),
        (_, "") => Err(FieldError::new(
            "ci_high",
            "both ci_low and ci_high, or neither",
        )),
        (l, h) => {
            let l = number(l).ok_or_else(|| FieldError::new("ci_low", "a number"))?;
            let h = number(h).ok_or_else(|| FieldError::new("ci_high", "a number"))?;
            if l > value {
                return Err(FieldError::new("ci_low", "ci_low ≤ value ≤ ci_high"));
            }
            if value > h {
                return Err(FieldError::new("ci_high", "ci_low ≤ value ≤ ci_high"));
            }
            Ok((Some(l), Some(h)))
        }
    }
}
