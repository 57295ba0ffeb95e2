//! Prescription risk figures (issue 10, item 6): counts of people per area, year, age band,
//! sex and measure, aggregated from the prescription register and imported as CSV, shown as
//! rates per 1,000 inhabitants with cells under 5 suppressed.
//!
//! The measures' thresholds are data (`data/prescription_thresholds.csv`, with their source:
//! Folkehelseinstituttet's definitions as quoted in Meld. St. 5 (2024–2025), footnote 8), not
//! constants here: [`thresholds`] reads them, and an import names a measure by its key
//! ([`Measure::parse`], an unknown key refused with the known ones).
//!
//! Suppression ([`publish`]): every figure of one measure and year is published from the same
//! set of cells, so that no query can be subtracted from another: the cells are every area ×
//! age band × sex imported, and the sums a reader knows link them — `all` sexes = male +
//! female, age band `all` = the bands, a county = its municipalities, the nation = the counties
//! — each with the part the import does not show (the remainder, unpublished) where the parts
//! do not add up to the total. [`suppression::protect_with`] hides the cells under 5 and every
//! cell that would give one back along any of those sums; a hidden count hides its rate.

use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

use serde::Serialize;

use crate::fields::{holds_national_id, FieldError};
use crate::suppression::{self, Sum};
use crate::warnings::Area;

const THRESHOLDS: &str = include_str!("../../data/prescription_thresholds.csv");

/// A measure of risky prescription use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    PersistentOpioidUse,
    ProblematicDailyUse,
    ProblematicCombination,
}

impl Measure {
    pub const ALL: [Measure; 3] = [
        Measure::PersistentOpioidUse,
        Measure::ProblematicDailyUse,
        Measure::ProblematicCombination,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Measure::PersistentOpioidUse => "persistent_opioid_use",
            Measure::ProblematicDailyUse => "problematic_daily_use",
            Measure::ProblematicCombination => "problematic_combination",
        }
    }

    /// A measure by its key; an unknown key is refused with the known ones.
    pub fn parse(field: &'static str, v: &str) -> Result<Measure, FieldError> {
        let v = v.trim();
        Measure::ALL
            .into_iter()
            .find(|m| m.as_str() == v)
            .ok_or_else(|| {
                let known: Vec<&str> = Measure::ALL.iter().map(|m| m.as_str()).collect();
                FieldError::new(
                    field,
                    format!(
                        "unknown measure '{}'; expected one of: {}",
                        shown(v),
                        known.join(", ")
                    ),
                )
            })
    }
}

/// A value as it may be echoed in a refusal: never an identity number, at most 40 characters.
fn shown(v: &str) -> String {
    if holds_national_id(v) {
        "…".to_owned()
    } else {
        v.chars().take(40).collect()
    }
}

/// One measure's definition and thresholds, as the data file gives them (`None`: not part of
/// the measure).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Threshold {
    pub measure: Measure,
    pub definition_nb: String,
    pub definition_en: String,
    /// At least this many DDD of opioids in a calendar year.
    pub ddd_per_year_min: Option<f64>,
    /// At least this many mg oral morphine equivalents in a calendar year.
    pub ome_mg_per_year_min: Option<f64>,
    /// More than this many DDD of opioids a day.
    pub ddd_per_day_over: Option<f64>,
    /// More than this many mg oral morphine equivalents a day.
    pub ome_mg_per_day_over: Option<f64>,
    /// More than this many DDD of benzodiazepines or z-drugs in a calendar year.
    pub benzo_z_ddd_per_year_over: Option<f64>,
    /// Who defined it, where it is quoted.
    pub source: String,
    /// The definition in the source's words.
    pub source_quote: String,
}

impl Threshold {
    /// The definition in `lang` (`nb` or `en`).
    pub fn definition(&self, lang: &str) -> &str {
        if lang == "en" {
            &self.definition_en
        } else {
            &self.definition_nb
        }
    }
}

/// The embedded threshold file does not parse (a build that broke it; the test catches it).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("built-in reference data {file}: {message}")]
pub struct ThresholdError {
    pub file: &'static str,
    pub message: String,
}

/// Parses the thresholds from the data file's text (its first line, `#`, names the source).
pub fn parse_thresholds(text: &str) -> Result<Vec<Threshold>, ThresholdError> {
    let err = |message: String| ThresholdError {
        file: "prescription_thresholds.csv",
        message,
    };
    let body = text.split_once('\n').map_or("", |(_, rest)| rest);
    let mut out = Vec::new();
    for row in csv::Reader::from_reader(body.as_bytes()).deserialize::<BTreeMap<String, String>>() {
        let r = row.map_err(|e| err(e.to_string()))?;
        let g = |k: &str| r.get(k).map(|v| v.trim().to_owned()).unwrap_or_default();
        let n = |k: &str| -> Result<Option<f64>, ThresholdError> {
            match g(k).as_str() {
                "" => Ok(None),
                v => v
                    .parse::<f64>()
                    .map(Some)
                    .map_err(|_| err(format!("{k} is not a number"))),
            }
        };
        let measure = Measure::parse("measure", &g("measure")).map_err(|e| err(e.rule))?;
        out.push(Threshold {
            measure,
            definition_nb: g("definition_nb"),
            definition_en: g("definition_en"),
            ddd_per_year_min: n("ddd_per_year_min")?,
            ome_mg_per_year_min: n("ome_mg_per_year_min")?,
            ddd_per_day_over: n("ddd_per_day_over")?,
            ome_mg_per_day_over: n("ome_mg_per_day_over")?,
            benzo_z_ddd_per_year_over: n("benzo_z_ddd_per_year_over")?,
            source: g("source"),
            source_quote: g("source_quote"),
        });
    }
    for m in Measure::ALL {
        if !out.iter().any(|t| t.measure == m) {
            return Err(err(format!("no row for {}", m.as_str())));
        }
    }
    Ok(out)
}

static PARSED: OnceLock<Vec<Threshold>> = OnceLock::new();

/// The thresholds of every measure, from the embedded data file (empty, should it ever fail
/// to parse: the test `the_threshold_data_names_the_three_measures_and_their_numbers` keeps
/// it from shipping so).
pub fn thresholds() -> &'static [Threshold] {
    PARSED.get_or_init(|| parse_thresholds(THRESHOLDS).unwrap_or_default())
}

/// The threshold of `m`.
pub fn threshold(m: Measure) -> Option<&'static Threshold> {
    thresholds().iter().find(|t| t.measure == m)
}

/// The age bands that partition every age (without `all`).
pub const AGE_PARTS: [&str; 5] = ["0-17", "18-44", "45-64", "65-79", "80+"];

/// An age band: one of [`AGE_PARTS`] or `all`.
pub fn age_band(field: &'static str, v: &str) -> Result<&'static str, FieldError> {
    let v = v.trim();
    AGE_PARTS
        .into_iter()
        .chain(["all"])
        .find(|b| *b == v)
        .ok_or_else(|| FieldError::new(field, "one of 0-17, 18-44, 45-64, 65-79, 80+, all"))
}

/// The sexes figures are imported by.
pub const SEXES: [&str; 3] = ["male", "female", "all"];

/// A sex: `male`, `female` or `all`.
pub fn sex(field: &'static str, v: &str) -> Result<&'static str, FieldError> {
    let v = v.trim();
    SEXES
        .into_iter()
        .find(|s| *s == v)
        .ok_or_else(|| FieldError::new(field, "one of male, female, all"))
}

/// The columns of the import, in any order; no other column is taken.
pub const COLUMNS: [&str; 7] = [
    "year",
    "area",
    "age_band",
    "sex",
    "measure",
    "count",
    "population",
];

/// One figure: how many people of `population` in the cell met the measure in the year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Figure {
    pub year: i16,
    /// `0301`, `county:03` or `national`.
    pub area: String,
    pub age_band: String,
    pub sex: String,
    pub measure: Measure,
    pub count: u64,
    pub population: u64,
}

impl Figure {
    /// The cell the figure belongs to (a later import of the same cell replaces it).
    pub fn key(&self) -> (i16, &str, &str, &str, Measure) {
        (
            self.year,
            &self.area,
            &self.age_band,
            &self.sex,
            self.measure,
        )
    }
}

pub use crate::csv_rows::RowProblem;

/// A file read: the valid rows with their lines, and the refused ones.
pub type Parsed = crate::csv_rows::Table<Figure>;

/// Checks the header: every column of [`COLUMNS`] once, nothing else. A column that holds an
/// identity number is named `header`, never echoed.
pub fn check_header(header: &[&str]) -> Result<HashMap<&'static str, usize>, FieldError> {
    let mut at = HashMap::new();
    for (i, h) in header.iter().enumerate() {
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
                format!(
                    "unknown column '{}'; expected one of: {}",
                    shown(h),
                    COLUMNS.join(", ")
                ),
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

/// A count: a whole number, not negative.
fn whole(field: &'static str, v: &str) -> Result<u64, FieldError> {
    v.trim()
        .parse::<u64>()
        .map_err(|_| FieldError::new(field, "a whole number, not negative"))
}

/// One row's cells (by column) checked: the figure, or the first field that breaks a rule.
/// `this_year`: the current year (a later year is refused).
pub fn check_row(cell: &dyn Fn(&str) -> String, this_year: i16) -> Result<Figure, FieldError> {
    // An identity number in any field is refused first, naming the field, never the value.
    for c in COLUMNS {
        if holds_national_id(&cell(c)) {
            return Err(FieldError::new(
                c,
                "must not hold a national identity number",
            ));
        }
    }
    let y = cell("year");
    let year = y
        .trim()
        .parse::<i16>()
        .ok()
        .filter(|y| (1900..=2999).contains(y))
        .ok_or_else(|| FieldError::new("year", "a year as YYYY"))?;
    if year > this_year {
        return Err(FieldError::new("year", "must not be in the future"));
    }
    let area = Area::parse("area", &cell("area"))?.code();
    let age_band = age_band("age_band", &cell("age_band"))?.to_owned();
    let sex = sex("sex", &cell("sex"))?.to_owned();
    let measure = Measure::parse("measure", &cell("measure"))?;
    let count = whole("count", &cell("count"))?;
    let population = whole("population", &cell("population"))?;
    if population == 0 {
        return Err(FieldError::new(
            "population",
            "a whole number above zero (the inhabitants the rate is of)",
        ));
    }
    if count > population {
        return Err(FieldError::new("count", "not more than the population"));
    }
    Ok(Figure {
        year,
        area,
        age_band,
        sex,
        measure,
        count,
        population,
    })
}

/// Reads the import CSV: the header checked ([`check_header`]; an error refuses the file),
/// then every row ([`check_row`]); a row for a cell an earlier row of the file gave is
/// refused. Line numbers count the header as line 1.
pub fn read(r: &mut dyn std::io::Read, this_year: i16) -> Result<Parsed, FieldError> {
    crate::csv_rows::read(
        r,
        &crate::csv_rows::Rules {
            header: &check_header,
            row: &|cell| check_row(cell, this_year),
            key: &|f: &Figure| {
                (
                    f.year,
                    f.area.clone(),
                    f.age_band.clone(),
                    f.sex.clone(),
                    f.measure,
                )
            },
            repeated: "year, area, age band, sex and measure",
        },
    )
}

/// The rate per 1,000 inhabitants.
pub fn rate_per_1000(count: u64, population: u64) -> Option<f64> {
    (population > 0).then(|| count as f64 * 1000.0 / population as f64)
}

/// A figure as published: the count and its rate are `None` when suppressed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Published {
    pub year: i16,
    pub area: String,
    pub age_band: String,
    pub sex: String,
    pub measure: Measure,
    pub count: Option<u64>,
    pub population: u64,
    pub rate_per_1000: Option<f64>,
    pub suppressed: bool,
}

/// The county a municipality lies in (none for a county or the nation).
fn county_of(area: &str) -> Option<String> {
    match Area::parse("area", area) {
        Ok(a @ Area::Municipality(_)) => a.county().map(|c| format!("county:{c}")),
        _ => None,
    }
}

/// Every figure as published, suppressed together (see the module's documentation): the
/// sums are built per measure and year over every figure given, so the caller passes every
/// stored figure of the measure, never a selection.
pub fn publish(figures: &[Figure]) -> Vec<Published> {
    let mut groups: BTreeMap<(Measure, i16), Vec<usize>> = BTreeMap::new();
    for (i, f) in figures.iter().enumerate() {
        groups.entry((f.measure, f.year)).or_default().push(i);
    }
    let mut hidden = vec![false; figures.len()];
    for idx in groups.values() {
        let flags = protect_group(figures, idx);
        for (k, &i) in idx.iter().enumerate() {
            hidden[i] = flags[k];
        }
    }
    figures
        .iter()
        .zip(hidden)
        .map(|(f, h)| Published {
            year: f.year,
            area: f.area.clone(),
            age_band: f.age_band.clone(),
            sex: f.sex.clone(),
            measure: f.measure,
            count: (!h).then_some(f.count),
            population: f.population,
            rate_per_1000: if h {
                None
            } else {
                rate_per_1000(f.count, f.population)
            },
            suppressed: h,
        })
        .collect()
}

/// The hidden flags of one measure and year's figures (`idx` into `figures`).
fn protect_group(figures: &[Figure], idx: &[usize]) -> Vec<bool> {
    let mut counts: Vec<u64> = idx.iter().map(|&i| figures[i].count).collect();
    let mut published = vec![true; counts.len()];
    let pos: HashMap<(&str, &str, &str), usize> = idx
        .iter()
        .enumerate()
        .map(|(k, &i)| {
            let f = &figures[i];
            ((f.area.as_str(), f.age_band.as_str(), f.sex.as_str()), k)
        })
        .collect();
    let mut sums = Vec::new();
    // A sum `total = parts + the remainder the import does not show`.
    let mut add = |total: Option<usize>, parts: Vec<usize>, counts: &mut Vec<u64>| {
        let Some(total) = total else { return };
        if parts.is_empty() {
            return;
        }
        let covered: u64 = parts.iter().map(|&p| counts[p]).sum();
        let Some(rest) = counts[total].checked_sub(covered) else {
            // Parts larger than their total: no true sum a reader could solve.
            return;
        };
        let mut parts = parts;
        if rest > 0 {
            counts.push(rest);
            published.push(false);
            parts.push(counts.len() - 1);
        }
        sums.push(Sum { total, parts });
    };
    let areas: Vec<&str> = {
        let mut a: Vec<&str> = idx.iter().map(|&i| figures[i].area.as_str()).collect();
        a.sort_unstable();
        a.dedup();
        a
    };
    let bands = AGE_PARTS.iter().copied().chain(["all"]);
    for &area in &areas {
        for band in bands.clone() {
            let parts = ["male", "female"]
                .iter()
                .filter_map(|s| pos.get(&(area, band, *s)).copied())
                .collect();
            add(pos.get(&(area, band, "all")).copied(), parts, &mut counts);
        }
        for s in SEXES {
            let parts = AGE_PARTS
                .iter()
                .filter_map(|b| pos.get(&(area, *b, s)).copied())
                .collect();
            add(pos.get(&(area, "all", s)).copied(), parts, &mut counts);
        }
    }
    // Geography: the nation is its counties, a county its municipalities.
    let mut within: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    for &area in &areas {
        if area.starts_with("county:") {
            within.entry("national".into()).or_default().push(area);
        } else if let Some(c) = county_of(area) {
            within.entry(c).or_default().push(area);
        }
    }
    for band in bands {
        for s in SEXES {
            for (total, members) in &within {
                let parts = members
                    .iter()
                    .filter_map(|a| pos.get(&(*a, band, s)).copied())
                    .collect();
                add(
                    pos.get(&(total.as_str(), band, s)).copied(),
                    parts,
                    &mut counts,
                );
            }
        }
    }
    let mut flags = suppression::protect_with(&counts, &published, &sums);
    flags.truncate(idx.len());
    flags
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn the_threshold_data_names_the_three_measures_and_their_numbers() {
        let t = parse_thresholds(THRESHOLDS).unwrap();
        assert_eq!(t.len(), 3);
        let p = threshold(Measure::PersistentOpioidUse).unwrap();
        assert_eq!(p.ddd_per_year_min, Some(180.0));
        assert_eq!(p.ome_mg_per_year_min, Some(4500.0));
        assert_eq!(p.ddd_per_day_over, None);
        let d = threshold(Measure::ProblematicDailyUse).unwrap();
        assert_eq!(d.ddd_per_day_over, Some(2.0));
        assert_eq!(d.ome_mg_per_day_over, Some(50.0));
        let c = threshold(Measure::ProblematicCombination).unwrap();
        assert_eq!(c.benzo_z_ddd_per_year_over, Some(100.0));
        for t in thresholds() {
            assert!(t.source.contains("Meld. St. 5 (2024–2025)"), "{t:?}");
            assert!(t.source_quote.contains("DDD"), "{t:?}");
            assert!(!t.definition("nb").is_empty() && !t.definition("en").is_empty());
        }
    }

    #[test]
    fn an_unknown_measure_is_refused_with_the_known_ones() {
        let e = Measure::parse("measure", "opioids").unwrap_err();
        assert_eq!(e.field, "measure");
        assert!(e
            .rule
            .contains("persistent_opioid_use, problematic_daily_use, problematic_combination"));
        assert!(!Measure::parse("measure", "01019010046")
            .unwrap_err()
            .rule
            .contains("0101901"));
    }

    const HEAD: &str = "year,area,age_band,sex,measure,count,population\n";

    fn read_str(csv: &str) -> Result<Parsed, FieldError> {
        read(&mut csv.as_bytes(), 2026)
    }

    fn refused_field(row: &str) -> (String, String) {
        let p = read_str(&format!("{HEAD}{row}\n")).unwrap();
        assert!(p.rows.is_empty(), "{row} was taken");
        assert_eq!(p.refused[0].line, 2);
        (p.refused[0].field.clone(), p.refused[0].rule.clone())
    }

    #[test]
    fn each_rule_of_a_row_names_its_field() {
        let ok = read_str(&format!(
            "{HEAD}2024,0301,18-44,female,persistent_opioid_use,812,240000\n"
        ))
        .unwrap();
        assert_eq!(ok.rows.len(), 1);
        assert_eq!(ok.rows[0].1.area, "0301");
        for (row, field) in [
            ("2027,0301,all,all,persistent_opioid_use,5,100", "year"),
            ("24,0301,all,all,persistent_opioid_use,5,100", "year"),
            ("2024,9999,all,all,persistent_opioid_use,5,100", "area"),
            ("2024,county:99,all,all,persistent_opioid_use,5,100", "area"),
            (
                "2024,0301,18-40,all,persistent_opioid_use,5,100",
                "age_band",
            ),
            ("2024,0301,all,unknown,persistent_opioid_use,5,100", "sex"),
            ("2024,0301,all,all,opioids,5,100", "measure"),
            ("2024,0301,all,all,persistent_opioid_use,-5,100", "count"),
            ("2024,0301,all,all,persistent_opioid_use,2.5,100", "count"),
            ("2024,0301,all,all,persistent_opioid_use,500,100", "count"),
            ("2024,0301,all,all,persistent_opioid_use,5,0", "population"),
            ("2024,0301,all,all,persistent_opioid_use,5,", "population"),
        ] {
            assert_eq!(refused_field(row).0, field, "{row}");
        }
    }

    #[test]
    fn an_identity_number_is_refused_naming_the_field_without_the_value() {
        // A valid fødselsnummer (1 January 1990).
        let fnr = "01019010046";
        assert!(holds_national_id(fnr));
        let (field, rule) =
            refused_field(&format!("2024,0301,all,all,persistent_opioid_use,5,{fnr}"));
        assert_eq!(field, "population");
        assert!(!rule.contains(fnr));
        let e = read_str(&format!("year,area,age_band,sex,measure,count,{fnr}\n")).unwrap_err();
        assert_eq!(e.field, "header");
        assert!(!e.rule.contains(fnr));
    }

    #[test]
    fn an_unknown_extra_or_missing_column_refuses_the_file() {
        let e = read_str("year,area,age_band,sex,measure,count,population,name\n").unwrap_err();
        assert_eq!(e.field, "header");
        assert!(e.rule.contains("unknown column 'name'"));
        let e = read_str("year,area,age_band,sex,measure,count\n").unwrap_err();
        assert_eq!(e.field, "population");
        let e = read_str("").unwrap_err();
        assert_eq!(e.field, "file");
    }

    #[test]
    fn a_second_row_for_the_same_cell_is_refused() {
        let p = read_str(&format!(
            "{HEAD}2024,0301,all,all,persistent_opioid_use,50,700000\n2024,0301,all,all,persistent_opioid_use,51,700000\n"
        ))
        .unwrap();
        assert_eq!(p.rows.len(), 1);
        assert_eq!(p.refused[0].line, 3);
        assert!(p.refused[0].rule.contains("as line 2"));
    }

    fn fig(area: &str, band: &str, sex: &str, count: u64) -> Figure {
        Figure {
            year: 2024,
            area: area.into(),
            age_band: band.into(),
            sex: sex.into(),
            measure: Measure::PersistentOpioidUse,
            count,
            population: 10_000,
        }
    }

    #[test]
    fn rates_are_per_1000_inhabitants() {
        assert_eq!(
            rate_per_1000(60_000, 5_300_000).map(|r| (r * 100.0).round()),
            Some(1132.0)
        );
        assert_eq!(rate_per_1000(1, 0), None);
        let p = publish(&[fig("0301", "all", "all", 25)]);
        assert_eq!(p[0].rate_per_1000, Some(2.5));
    }

    #[test]
    fn a_cell_under_5_is_hidden_and_cannot_be_recovered_from_its_total() {
        // all = male + female: hiding male (3) alone would give it back as 40 − 37.
        let p = publish(&[
            fig("0301", "all", "male", 3),
            fig("0301", "all", "female", 37),
            fig("0301", "all", "all", 40),
        ]);
        assert!(p[0].suppressed && p[0].count.is_none() && p[0].rate_per_1000.is_none());
        assert!(p[1].suppressed, "the complement is hidden too");
        assert_eq!(p[2].count, Some(40));
        // Zero is shown; nothing small, nothing hidden.
        let p = publish(&[fig("0301", "all", "male", 0), fig("0301", "all", "all", 9)]);
        assert!(p.iter().all(|f| !f.suppressed));
    }

    #[test]
    fn suppression_holds_along_age_bands_and_geography() {
        let mut fs: Vec<Figure> = AGE_PARTS
            .iter()
            .zip([2, 30, 40, 50, 60])
            .map(|(b, n)| fig("0301", b, "all", n))
            .collect();
        fs.push(fig("0301", "all", "all", 182));
        let p = publish(&fs);
        assert!(p[0].suppressed);
        assert_eq!(p.iter().filter(|f| f.suppressed).count(), 2);
        // A county's only published municipality, small, and the county: the county minus
        // the rest is not known (the rest is not published), but with the whole county in
        // the municipality the county would give it back.
        let p = publish(&[
            fig("0301", "all", "all", 4),
            fig("county:03", "all", "all", 4),
        ]);
        assert!(p.iter().all(|f| f.suppressed));
        let p = publish(&[
            fig("4601", "all", "all", 3),
            fig("county:46", "all", "all", 900),
        ]);
        assert!(p[0].suppressed);
        assert!(!p[1].suppressed, "the rest of the county is not published");
    }
}
