//! The demo's prescription risk figures: one year as the import CSV, seeded and plausible.
//!
//! The populations are SSB's for 1 January 2024 (rounded), the same each year but for a
//! small growth; the rates per 1,000 by age band put persistent opioid use at about 11 per
//! 1,000 inhabitants — the order FHI reported (about 60,000 people in 2019, Meld. St. 5
//! (2024–2025)) — rising about 1.5 % a year, somewhat higher among women and varying by
//! county; problematic daily use is about 15 % of persistent use, problematic combined use
//! about 40 % of that. Counts add up: `all` sexes is male + female, age band `all` the bands,
//! the nation its counties; the municipalities are drawn apart from their counties.

use std::fmt::Write as _;

use varde_core::monitoring::prescriptions::{Measure, AGE_PARTS};

/// Counties: number and inhabitants (SSB, 1 January 2024, rounded).
const COUNTIES: [(&str, u64); 15] = [
    ("03", 717_700),
    ("11", 499_400),
    ("15", 270_600),
    ("18", 243_100),
    ("31", 304_400),
    ("32", 723_100),
    ("33", 269_800),
    ("34", 375_600),
    ("39", 256_400),
    ("40", 176_700),
    ("42", 318_900),
    ("46", 651_300),
    ("50", 483_500),
    ("55", 169_600),
    ("56", 75_100),
];

/// Large municipalities: number and inhabitants (Oslo is also its county: the same cell).
const MUNICIPALITIES: [(&str, u64); 5] = [
    ("4601", 291_900),
    ("5001", 214_600),
    ("1103", 148_700),
    ("4204", 117_000),
    ("3301", 103_300),
];

/// Share of the inhabitants per age band, and persistent opioid use per 1,000 of the band.
const BANDS: [(f64, f64); 5] = [
    (0.21, 0.2),
    (0.36, 5.0),
    (0.25, 17.0),
    (0.13, 24.0),
    (0.05, 32.0),
];

/// A fixed variation from a key: 0.85–1.15.
fn vary(key: &str) -> f64 {
    let h = key.bytes().fold(2_166_136_261_u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(16_777_619)
    });
    0.85 + f64::from(h % 301) / 1000.0
}

fn share(m: Measure) -> f64 {
    match m {
        Measure::PersistentOpioidUse => 1.0,
        Measure::ProblematicDailyUse => 0.15,
        Measure::ProblematicCombination => 0.06,
    }
}

/// Counts of one area by band and sex (male, female), with their populations.
struct Cells {
    // [band][sex] = (count, population)
    cells: [[(u64, u64); 2]; 5],
}

fn cells(area: &str, inhabitants: u64, year: i16, m: Measure) -> Cells {
    let trend = 1.015_f64.powi(i32::from(year) - 2019);
    let growth = 1.0 + 0.007 * f64::from(year - 2024);
    let place = vary(area);
    let mut out = Cells {
        cells: [[(0, 0); 2]; 5],
    };
    for (b, (pop_share, rate)) in BANDS.iter().enumerate() {
        for (s, (sex_share, sex_rate)) in [(0.505, 0.87), (0.495, 1.13)].iter().enumerate() {
            let population = (inhabitants as f64 * growth * pop_share * sex_share).round();
            let noise = vary(&format!("{area}:{year}:{b}:{s}:{}", m.as_str()));
            let count = population * rate * sex_rate * share(m) * trend * place * noise / 1000.0;
            out.cells[b][s] = (count.round() as u64, population as u64);
        }
    }
    out
}

fn write_area(out: &mut String, area: &str, c: &Cells, year: i16, m: Measure) {
    let mut row = |band: &str, sex: &str, (count, population): (u64, u64)| {
        let _ = writeln!(
            out,
            "{year},{area},{band},{sex},{},{count},{population}",
            m.as_str()
        );
    };
    let add = |a: (u64, u64), b: (u64, u64)| (a.0 + b.0, a.1 + b.1);
    let mut all = [(0, 0); 3];
    for (b, band) in AGE_PARTS.iter().enumerate() {
        let [male, female] = c.cells[b];
        row(band, "male", male);
        row(band, "female", female);
        row(band, "all", add(male, female));
        all[0] = add(all[0], male);
        all[1] = add(all[1], female);
        all[2] = add(all[2], add(male, female));
    }
    row("all", "male", all[0]);
    row("all", "female", all[1]);
    row("all", "all", all[2]);
}

/// The import CSV of one year: the nation, every county and the large municipalities.
pub fn csv(year: i16) -> String {
    let mut out = String::from("year,area,age_band,sex,measure,count,population\n");
    for m in Measure::ALL {
        let mut nation = Cells {
            cells: [[(0, 0); 2]; 5],
        };
        for (county, inhabitants) in COUNTIES {
            let c = cells(&format!("county:{county}"), inhabitants, year, m);
            for (b, sexes) in c.cells.iter().enumerate() {
                for (s, (count, population)) in sexes.iter().enumerate() {
                    nation.cells[b][s].0 += count;
                    nation.cells[b][s].1 += population;
                }
            }
            write_area(&mut out, &format!("county:{county}"), &c, year, m);
            if county == "03" {
                // Oslo the municipality is Oslo the county.
                write_area(&mut out, "0301", &c, year, m);
            }
        }
        for (municipality, inhabitants) in MUNICIPALITIES {
            let c = cells(municipality, inhabitants, year, m);
            write_area(&mut out, municipality, &c, year, m);
        }
        write_area(&mut out, "national", &nation, year, m);
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use varde_core::monitoring::prescriptions::read;

    /// A demo year is a valid import, and persistent use nationally is about 60,000 people.
    #[test]
    fn a_demo_year_is_valid_and_of_the_right_order() {
        let p = read(&mut super::csv(2024).as_bytes(), 2026).unwrap();
        assert!(p.refused.is_empty(), "{:?}", p.refused.first());
        assert_eq!(p.rows.len(), 3 * 22 * 6 * 3);
        let nation = p
            .rows
            .iter()
            .map(|(_, f)| f)
            .find(|f| {
                f.area == "national"
                    && f.age_band == "all"
                    && f.sex == "all"
                    && f.measure.as_str() == "persistent_opioid_use"
            })
            .unwrap();
        assert!((50_000..75_000).contains(&nation.count), "{}", nation.count);
        assert!((5_300_000..5_700_000).contains(&nation.population));
    }
}
