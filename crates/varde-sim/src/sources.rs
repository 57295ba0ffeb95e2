//! Seeded rows of every monitoring source, in the import format of `POST
//! /api/v1/monitoring/import/{source}`: what `varde demo` loads and what the detection is
//! scored on.
//!
//! The weekly count sources come from [`crate::monitoring::generate`] (five ISO years of
//! counts per family × substance × county, with injected outbreaks and their ground truth),
//! turned into one row per counted event and moved in time so that the last simulated week is
//! the last whole ISO week before `today`:
//!
//! * `ambulance` → `overdoses` (one row per ambulance or emergency-ward overdose);
//! * `seizures` → `seizures`, thinned by `seizure_scale` (the national level, ≈ 500 a week,
//!   is 130,000 rows in five years; the demo keeps a tenth);
//! * `deaths` → `deaths` (one row per death, by month and county).
//!
//! The sim's family substances are groups (`opioids`, `benzodiazepines`, …); each is written as
//! one substance of the reference list ([`substance_of`]), so that a sim series is one
//! substance series of the area. Drug checking is not here: its samples come through the
//! drug-checking service.
//!
//! The other sources are small and drawn directly: `syringe_residue` (six sites, with
//! protonitazene appearing in the last weeks, the watchlist's case), `wastewater` (five
//! cities, four substances, weekly), `surveys` (a few national indicators per year) and
//! `rapid_assessments` (a dozen notes).
//!
//! Same options, same bytes: one `ChaCha8Rng` per source, fixed orders, no hash maps.

use jiff::civil::Date;
use jiff::ToSpan as _;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::monitoring::{generate, WEEKS};

/// What to generate.
#[derive(Clone, Debug, PartialEq)]
pub struct Options {
    pub seed: u64,
    /// The day the data is generated on: the last simulated week is the last whole ISO week
    /// before it, so no row is dated in the future.
    pub today: Date,
    /// The share of simulated seizures written (1.0: the national level).
    pub seizure_scale: f64,
    /// How many of the five simulated years' weeks to write, counted back from the last (at
    /// most 261).
    pub weeks: usize,
}

impl Options {
    /// The demo's options: five years (the history Farrington flexible needs), a tenth of the
    /// seizures.
    pub fn demo(seed: u64, today: Date) -> Options {
        Options {
            seed,
            today,
            seizure_scale: 0.1,
            weeks: WEEKS,
        }
    }
}

/// One source's rows as a CSV file (header first).
#[derive(Clone, Debug, PartialEq)]
pub struct SourceFile {
    /// `overdoses`, `seizures`, …
    pub source: &'static str,
    pub csv: String,
    pub rows: usize,
}

/// An injected outbreak, in the area's terms.
#[derive(Clone, Debug, PartialEq)]
pub struct Outbreak {
    pub source: &'static str,
    /// The reference list's name of the substance.
    pub substance: &'static str,
    /// `county:NN`.
    pub area: String,
    /// The Monday of its first week.
    pub start: Date,
    pub weeks: usize,
    /// Rows added in total.
    pub size: u64,
}

/// Every source's file, and the outbreaks injected into the count sources.
#[derive(Clone, Debug, PartialEq)]
pub struct Sources {
    pub files: Vec<SourceFile>,
    pub truth: Vec<Outbreak>,
}

impl Sources {
    /// One source's file.
    pub fn file(&self, source: &str) -> Option<&SourceFile> {
        self.files.iter().find(|f| f.source == source)
    }

    /// The ground truth as CSV: `source,substance,area,start_week,weeks,size`.
    pub fn truth_csv(&self) -> String {
        let mut out = String::from("source,substance,area,start_week,weeks,size\n");
        for o in &self.truth {
            out.push_str(&format!(
                "{},{},{},{},{},{}\n",
                o.source,
                field(o.substance),
                o.area,
                iso_week_label(o.start),
                o.weeks,
                o.size
            ));
        }
        out
    }
}

/// The reference-list substance a sim family's group is written as.
pub fn substance_of(family: &str, group: &str) -> &'static str {
    match (family, group) {
        (_, "opioids") => "heroin",
        (_, "benzodiazepines") => "alprazolam",
        (_, "stimulants") => "amphetamine",
        (_, "ghb") => "GHB",
        (_, "cocaine") => "cocaine",
        (_, "mdma") => "MDMA",
        (_, "amphetamine") => "amphetamine",
        (_, "ketamine") => "ketamine",
        (_, "heroin") => "heroin",
        (_, "cannabis") => "cannabis",
        _ => "pregabalin",
    }
}

/// The source a sim family is written as (`None`: not written here).
fn source_of(family: &str) -> Option<&'static str> {
    match family {
        "ambulance" => Some("overdoses"),
        "seizures" => Some("seizures"),
        "deaths" => Some("deaths"),
        _ => None,
    }
}

/// The municipality most of a county's rows are placed in (its largest town), and a few
/// others.
fn municipalities(county: &str) -> &'static [&'static str] {
    match county {
        "03" => &["0301"],
        "11" => &["1103", "1108", "1106"],
        "15" => &["1508", "1505", "1506"],
        "18" => &["1804", "1806", "1833"],
        "31" => &["3107", "3105", "3103"],
        "32" => &["3201", "3205", "3203"],
        "33" => &["3301", "3303", "3305"],
        "34" => &["3403", "3405", "3407"],
        "39" => &["3905", "3907", "3909"],
        "40" => &["4003", "4001", "4005"],
        "42" => &["4204", "4203", "4202"],
        "46" => &["4601", "4602", "4627"],
        "50" => &["5001", "5006", "5007"],
        "55" => &["5501", "5503", "5510"],
        "56" => &["5601", "5603", "5605"],
        _ => &["0301"],
    }
}

/// The Monday of the ISO week `date` is in.
fn monday(date: Date) -> Date {
    let back = i64::from(date.weekday().to_monday_zero_offset());
    date.checked_sub(back.days()).unwrap_or(date)
}

/// `2026-W48`.
pub fn iso_week_label(date: Date) -> String {
    let w = date.iso_week_date();
    format!("{}-W{:02}", w.year(), w.week())
}

fn add_days(date: Date, days: i64) -> Date {
    date.checked_add(days.days()).unwrap_or(date)
}

/// Quotes a CSV field when it needs it.
fn field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

fn pick<'a, T>(rng: &mut ChaCha8Rng, items: &'a [T]) -> &'a T {
    &items[rng.gen_range(0..items.len())]
}

/// Draws from weighted choices.
fn weighted<'a, T>(rng: &mut ChaCha8Rng, items: &'a [(T, f64)]) -> &'a T {
    let total: f64 = items.iter().map(|i| i.1).sum();
    let mut x = rng.gen::<f64>() * total;
    for (item, w) in items {
        if x < *w {
            return item;
        }
        x -= w;
    }
    &items[items.len() - 1].0
}

const AGE_BANDS: [(&str, f64); 6] = [
    ("15-24", 0.18),
    ("25-34", 0.27),
    ("35-44", 0.22),
    ("45-54", 0.18),
    ("55-64", 0.1),
    ("65+", 0.05),
];

/// Generates every source.
pub fn generate_sources(opts: &Options) -> Sources {
    let sim = generate(opts.seed);
    let weeks = opts.weeks.clamp(1, WEEKS);
    let first = WEEKS - weeks + 1;
    // The last simulated week is the last whole ISO week before `today`.
    let last_monday = add_days(monday(opts.today), -7);
    let monday_of = |t: usize| add_days(last_monday, -7 * (WEEKS - t) as i64);

    let mut overdoses = String::from("service,date,municipality,substances,outcome,age_band,sex\n");
    let mut seizures =
        String::from("agency,date,municipality,substance,amount,unit,purity_percent\n");
    let mut deaths = String::from("month,county,substances,icd10\n");
    let (mut n_over, mut n_seiz, mut n_deaths) = (0, 0, 0);
    let mut rng = ChaCha8Rng::seed_from_u64(opts.seed ^ 0x5EED_0F50);
    // Deaths are counted per month and county, then written in that order.
    let mut death_rows: Vec<(String, &str, &str, &str)> = Vec::new();
    for s in &sim.series {
        let Some(source) = source_of(s.family) else {
            continue;
        };
        let group = s.name.split(':').nth(1).unwrap_or("");
        let substance = substance_of(s.family, group);
        let places = municipalities(s.county);
        for t in first..=WEEKS {
            let mut count = s.observed[t - 1];
            if source == "seizures" {
                count = (0..count)
                    .filter(|_| rng.gen::<f64>() < opts.seizure_scale)
                    .count() as u64;
            }
            let week_monday = monday_of(t);
            for _ in 0..count {
                let day = add_days(week_monday, rng.gen_range(0..7));
                let municipality = if rng.gen::<f64>() < 0.7 {
                    places[0]
                } else {
                    *pick(&mut rng, places)
                };
                match source {
                    "overdoses" => {
                        let service = if rng.gen::<f64>() < 0.7 {
                            "ambulance"
                        } else {
                            "emergency_ward"
                        };
                        let outcome = if rng.gen::<f64>() < 0.02 {
                            "fatal"
                        } else {
                            "non_fatal"
                        };
                        let sex = weighted(
                            &mut rng,
                            &[("male", 0.68), ("female", 0.3), ("unknown", 0.02)],
                        );
                        // One in ten without a known substance; one in five with alcohol too.
                        let substances = if rng.gen::<f64>() < 0.1 {
                            String::new()
                        } else if rng.gen::<f64>() < 0.2 {
                            format!("{substance};ethanol")
                        } else {
                            substance.to_owned()
                        };
                        let age = weighted(&mut rng, &AGE_BANDS);
                        overdoses.push_str(&format!(
                            "{service},{day},{municipality},{},{outcome},{age},{sex}\n",
                            field(&substances)
                        ));
                        n_over += 1;
                    }
                    "seizures" => {
                        let agency = if rng.gen::<f64>() < 0.9 {
                            "police"
                        } else {
                            "customs"
                        };
                        let (amount, unit, purity) = seizure_amount(&mut rng, substance);
                        let purity = purity.map(|p| format!("{p:.1}")).unwrap_or_default();
                        seizures.push_str(&format!(
                            "{agency},{day},{municipality},{substance},{amount},{unit},{purity}\n"
                        ));
                        n_seiz += 1;
                    }
                    _ => {
                        let month = format!("{:04}-{:02}", day.year(), day.month());
                        let (substances, icd10) = match substance {
                            "heroin" => (
                                *pick(&mut rng, &["heroin", "heroin;oxycodone", "methadone"]),
                                "X42",
                            ),
                            "amphetamine" => ("amphetamine", "X41"),
                            _ => ("pregabalin;alprazolam", "X44"),
                        };
                        death_rows.push((month, s.county, substances, icd10));
                    }
                }
            }
        }
    }
    death_rows.sort();
    for (month, county, substances, icd10) in &death_rows {
        deaths.push_str(&format!("{month},{county},{},{icd10}\n", field(substances)));
        n_deaths += 1;
    }

    let truth = sim
        .truth
        .iter()
        .filter_map(|o| {
            let mut parts = o.series.split(':');
            let family = parts.next()?;
            let group = parts.next()?;
            let county = parts.next()?;
            let source = source_of(family)?;
            (o.start >= first).then(|| Outbreak {
                source,
                substance: substance_of(family, group),
                area: format!("county:{county}"),
                start: monday_of(o.start),
                weeks: o.length,
                size: o.size,
            })
        })
        .collect();

    let span = (last_monday, weeks);
    let mut files = vec![
        SourceFile {
            source: "overdoses",
            csv: overdoses,
            rows: n_over,
        },
        SourceFile {
            source: "seizures",
            csv: seizures,
            rows: n_seiz,
        },
        SourceFile {
            source: "deaths",
            csv: deaths,
            rows: n_deaths,
        },
    ];
    files.push(syringe_residue(opts.seed, span));
    files.push(wastewater(opts.seed, span));
    files.push(surveys(opts.today));
    files.push(rapid_assessments(last_monday));
    Sources { files, truth }
}

/// A seizure's amount, unit and (for some) purity.
fn seizure_amount(rng: &mut ChaCha8Rng, substance: &str) -> (String, &'static str, Option<f64>) {
    let grams = |rng: &mut ChaCha8Rng, median: f64| {
        let x: f64 = median * (1.2 * (rng.gen::<f64>() - 0.5) * 4.0).exp();
        format!("{:.1}", x.max(0.1))
    };
    match substance {
        "alprazolam" => (format!("{}", rng.gen_range(5..200)), "tablets", None::<f64>),
        "cannabis" => (grams(rng, 20.0), "g", None),
        "cocaine" => (grams(rng, 3.0), "g", purity(rng, 62.0, 14.0)),
        "amphetamine" => (grams(rng, 5.0), "g", purity(rng, 32.0, 12.0)),
        "heroin" => (grams(rng, 2.0), "g", purity(rng, 28.0, 10.0)),
        _ => (grams(rng, 1.0), "g", None),
    }
}

/// A purity measured for four seizures in ten.
fn purity(rng: &mut ChaCha8Rng, mean: f64, sd: f64) -> Option<f64> {
    if rng.gen::<f64>() >= 0.4 {
        return None;
    }
    let u1: f64 = 1.0 - rng.gen::<f64>();
    let u2: f64 = rng.gen::<f64>();
    let z = (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos();
    Some((mean + sd * z).clamp(1.0, 99.0))
}

/// Syringe residue from six sites, weekly, five years; protonitazene appears in Oslo and Bergen in the
/// last four weeks.
fn syringe_residue(seed: u64, (last_monday, weeks): (Date, usize)) -> SourceFile {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5721_4E6E);
    let sites = [
        ("Oslo sentrum sprøyteutdeling", "0301"),
        ("Oslo Grønland lavterskel", "0301"),
        ("Bergen lavterskel", "4601"),
        ("Trondheim sprøyteutdeling", "5001"),
        ("Stavanger lavterskel", "1103"),
        ("Kristiansand lavterskel", "4204"),
    ];
    let base = [
        "heroin",
        "amphetamine",
        "heroin;amphetamine",
        "methamphetamine",
        "heroin;alprazolam",
    ];
    let mut csv = String::from("site,municipality,date,substances,syringes\n");
    let mut rows = 0;
    // As many weeks as the count sources: Farrington flexible needs three years of history.
    let n = weeks;
    for back in (0..n).rev() {
        let week_monday = add_days(last_monday, -7 * back as i64);
        for (site, municipality) in sites {
            let finds = rng.gen_range(0..3);
            for _ in 0..finds {
                let day = add_days(week_monday, rng.gen_range(0..7));
                let mut substances = (*pick(&mut rng, &base)).to_owned();
                if back < 4 && (municipality == "0301" || municipality == "4601") {
                    substances.push_str(";protonitazene");
                }
                let syringes = rng.gen_range(1..25);
                csv.push_str(&format!(
                    "{},{municipality},{day},{},{syringes}\n",
                    field(site),
                    field(&substances)
                ));
                rows += 1;
            }
        }
    }
    SourceFile {
        source: "syringe_residue",
        csv,
        rows,
    }
}

/// Wastewater from five cities: four substances, weekly, with seasonality (MDMA peaks in
/// summer) and a slow rise of cocaine.
fn wastewater(seed: u64, (last_monday, weeks): (Date, usize)) -> SourceFile {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x3A57_E3A7);
    let cities = [
        ("VEAS Oslo", "0301", 1.3),
        ("Bergen Flesland", "4601", 1.0),
        ("Trondheim Ladehammeren", "5001", 0.9),
        ("Stavanger SNJ", "1103", 0.8),
        ("Tromsø Breivika", "5501", 0.7),
    ];
    let substances = [
        ("cocaine", 350.0),
        ("amphetamine", 120.0),
        ("MDMA", 25.0),
        ("methamphetamine", 40.0),
    ];
    let mut csv = String::from("site,municipality,date,substance,mg_per_1000_per_day\n");
    let mut rows = 0;
    let n = weeks.min(156);
    for back in (0..n).rev() {
        let week_monday = add_days(last_monday, -7 * back as i64);
        let t = (n - back) as f64;
        for (site, municipality, level) in cities {
            for (substance, mean) in substances {
                let season = if substance == "MDMA" {
                    0.4 * (std::f64::consts::TAU * (t - 26.0) / 52.18).cos()
                } else {
                    0.05 * (std::f64::consts::TAU * t / 52.18).cos()
                };
                let trend = if substance == "cocaine" {
                    0.002 * t
                } else {
                    0.0
                };
                let noise = 0.15 * (rng.gen::<f64>() - 0.5);
                let v = mean * level * (season + trend + noise).exp();
                // Samples are taken on a Wednesday.
                let day = add_days(week_monday, 2);
                csv.push_str(&format!(
                    "{},{municipality},{day},{substance},{v:.1}\n",
                    field(site)
                ));
                rows += 1;
            }
        }
    }
    SourceFile {
        source: "wastewater",
        csv,
        rows,
    }
}

/// A few national survey indicators per year (values of the order the sources publish).
fn surveys(today: Date) -> SourceFile {
    let last = i32::from(today.year()) - 1;
    let indicators: [(&str, &str, f64, f64, f64); 4] = [
        (
            "SSB levekårsundersøkelsen",
            "cannabis last 12 months, 16-64 years (%)",
            4.6,
            0.15,
            0.6,
        ),
        (
            "SSB levekårsundersøkelsen",
            "cocaine last 12 months, 16-64 years (%)",
            1.1,
            0.08,
            0.25,
        ),
        (
            "Ungdata",
            "cannabis last 12 months, upper secondary (%)",
            11.0,
            -0.2,
            1.0,
        ),
        ("ESPAD", "cannabis ever, 15-16 years (%)", 7.0, 0.0, 1.1),
    ];
    let mut csv = String::from("source,year,indicator,value,ci_low,ci_high\n");
    let mut rows = 0;
    for year in (last - 4)..=last {
        for (source, indicator, base, slope, half) in indicators {
            if source == "ESPAD" && year % 4 != 3 {
                continue; // ESPAD runs every four years (2019, 2023, …).
            }
            let v = base + slope * f64::from(year - (last - 4));
            csv.push_str(&format!(
                "{},{year},{},{v:.1},{:.1},{:.1}\n",
                field(source),
                field(indicator),
                v - half,
                v + half
            ));
            rows += 1;
        }
    }
    SourceFile {
        source: "surveys",
        csv,
        rows,
    }
}

/// A dozen rapid assessments (notes from services and outreach), the last three months.
fn rapid_assessments(last_monday: Date) -> SourceFile {
    let notes: [(&str, i64, &str, &str); 12] = [
        ("0301", 2, "Outreach reports blue tablets sold as oxycodone around Oslo S; two users describe unusually strong effect.", "opioids;counterfeit tablets"),
        ("4601", 5, "Low-threshold service in Bergen sees more smoking of heroin, fewer injecting.", "heroin;route of use"),
        ("5001", 9, "Student health service: questions about ketamine at parties rise after the autumn semester started.", "ketamine;students"),
        ("0301", 12, "Ambulance staff note several GHB overdoses at the same venue two weekends in a row.", "GHB;nightlife"),
        ("1103", 16, "Harm-reduction staff report cocaine prices falling; more first-time users at the service.", "cocaine;price"),
        ("4204", 20, "Police and outreach: synthetic cannabinoids sold as cannabis to young people.", "synthetic cannabinoids;young people"),
        ("5501", 24, "Pharmacy reports more requests for naloxone nasal spray.", "naloxone;opioids"),
        ("3201", 28, "School nurse: vaping products with HHC circulating among pupils.", "HHC;school"),
        ("0301", 31, "Night shelter: residents report xylazine rumours; no confirmed finding yet.", "xylazine;rumour"),
        ("4601", 35, "Outreach: more benzodiazepine tablets without prescription in the city centre.", "benzodiazepines;tablets"),
        ("3301", 40, "Municipal team: amphetamine use stable, methamphetamine seen more often.", "methamphetamine;amphetamine"),
        ("5001", 44, "Low-threshold service reports a calm period with no overdoses for four weeks.", "overdoses"),
    ];
    let mut csv = String::from("municipality,date,text,tags\n");
    let sunday = add_days(last_monday, 6);
    let mut rows: Vec<(Date, String)> = notes
        .iter()
        .map(|(m, back, text, tags)| {
            let day = add_days(sunday, -2 * back);
            (day, format!("{m},{day},{},{}\n", field(text), field(tags)))
        })
        .collect();
    rows.sort();
    for (_, line) in &rows {
        csv.push_str(line);
    }
    SourceFile {
        source: "rapid_assessments",
        csv,
        rows: rows.len(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn opts() -> Options {
        Options {
            seed: 7,
            today: jiff::civil::date(2026, 12, 6),
            seizure_scale: 0.1,
            weeks: WEEKS,
        }
    }

    /// Same options, same bytes; another seed, other bytes.
    #[test]
    fn the_same_options_give_the_same_bytes() {
        let a = generate_sources(&opts());
        assert_eq!(a, generate_sources(&opts()));
        let b = generate_sources(&Options { seed: 8, ..opts() });
        assert_ne!(a.file("overdoses"), b.file("overdoses"));
    }

    /// Every source is there with the import's header, every row has the header's number of
    /// fields, and no row is dated on or after `today`.
    #[test]
    fn every_source_is_written_in_the_import_format() {
        let s = generate_sources(&opts());
        let headers = [
            (
                "overdoses",
                "service,date,municipality,substances,outcome,age_band,sex",
            ),
            (
                "seizures",
                "agency,date,municipality,substance,amount,unit,purity_percent",
            ),
            ("deaths", "month,county,substances,icd10"),
            (
                "syringe_residue",
                "site,municipality,date,substances,syringes",
            ),
            (
                "wastewater",
                "site,municipality,date,substance,mg_per_1000_per_day",
            ),
            ("surveys", "source,year,indicator,value,ci_low,ci_high"),
            ("rapid_assessments", "municipality,date,text,tags"),
        ];
        for (source, header) in headers {
            let f = s.file(source).unwrap();
            let mut reader = csv::Reader::from_reader(f.csv.as_bytes());
            assert_eq!(
                reader
                    .headers()
                    .unwrap()
                    .iter()
                    .collect::<Vec<_>>()
                    .join(","),
                header
            );
            let records: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
            assert_eq!(records.len(), f.rows, "{source}");
            assert!(f.rows > 0, "{source}");
            if let Some(col) = header.split(',').position(|h| h == "date") {
                for r in &records {
                    let day: Date = r[col].parse().unwrap();
                    assert!(day < opts().today, "{source}: {day}");
                }
            }
        }
        // The demo's size: about 15,700 overdoses and 13,000 seizures in five years.
        let over = s.file("overdoses").unwrap().rows;
        assert!((12_000..20_000).contains(&over), "{over}");
        let seiz = s.file("seizures").unwrap().rows;
        assert!((10_000..17_000).contains(&seiz), "{seiz}");
    }

    /// Every substance and municipality written is one the import accepts.
    #[test]
    fn every_name_is_in_the_reference_data() {
        let s = generate_sources(&opts());
        let list = varde_core::substances::get();
        let places = varde_core::refdata::get();
        for f in &s.files {
            let mut reader = csv::Reader::from_reader(f.csv.as_bytes());
            let header: Vec<String> = reader
                .headers()
                .unwrap()
                .iter()
                .map(str::to_owned)
                .collect();
            for r in reader.records() {
                let r = r.unwrap();
                for (h, v) in header.iter().zip(r.iter()) {
                    match h.as_str() {
                        "substance" | "substances" => {
                            for name in v.split(';').filter(|n| !n.is_empty()) {
                                assert!(list.find(name).is_some(), "{}: {name}", f.source);
                            }
                        }
                        "municipality" => {
                            assert!(places.kommune(v).is_some(), "{}: {v}", f.source)
                        }
                        _ => {}
                    }
                }
            }
        }
    }

    /// The outbreaks are in the written weeks, in Mondays, and the protonitazene of the last
    /// weeks is there for the watchlist.
    #[test]
    fn the_truth_names_written_weeks() {
        let s = generate_sources(&opts());
        assert!(!s.truth.is_empty());
        let last_monday = jiff::civil::date(2026, 11, 23);
        for o in &s.truth {
            assert_eq!(o.start.weekday(), jiff::civil::Weekday::Monday);
            assert!(o.start <= last_monday, "{o:?}");
            assert!(o.area.starts_with("county:"));
        }
        assert!(s
            .file("syringe_residue")
            .unwrap()
            .csv
            .contains("protonitazene"));
        assert!(s
            .truth_csv()
            .starts_with("source,substance,area,start_week,weeks,size\n"));
    }
}
