//! Seeded weekly monitoring series for the signal engine: five ISO years
//! (2020-W01 … 2024-W52, 261 weeks) of counts per family × substance ×
//! county, with seasonality, trend and negative binomial overdispersion, plus
//! injected outbreaks written to a ground truth.
//!
//! Families and national levels (order of magnitude from public figures):
//! * `ambulance` – ambulance-attended overdoses, ≈ 60 a week;
//! * `drugcheck` – drug-checking findings, ≈ 25 a week, concentrated in cities;
//! * `seizures` – police and customs seizures, ≈ 500 a week;
//! * `deaths` – drug-induced deaths, 280–390 a year (drawn per run).
//!
//! Same seed, same bytes: one `ChaCha8Rng`, a fixed iteration order and no
//! hash maps.

use std::io::{self, Write};

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// County codes (2024 county structure) and approximate populations.
pub const COUNTIES: [(&str, f64); 15] = [
    ("03", 717_710.0),
    ("11", 499_417.0),
    ("15", 269_840.0),
    ("18", 243_081.0),
    ("31", 304_959.0),
    ("32", 719_574.0),
    ("33", 270_425.0),
    ("34", 375_474.0),
    ("39", 256_432.0),
    ("40", 177_093.0),
    ("42", 318_888.0),
    ("46", 651_299.0),
    ("50", 482_956.0),
    ("55", 169_610.0),
    ("56", 75_185.0),
];

/// A monitored series family.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Family {
    pub name: &'static str,
    /// National weekly mean over all substances (deaths: drawn per run).
    pub weekly: f64,
    pub substances: &'static [(&'static str, f64)],
    /// Negative binomial size (smaller = more overdispersed).
    pub nb_size: f64,
    /// Extra weight of the big cities (Oslo, Vestland) relative to population.
    pub urban: f64,
    /// Amplitude of the seasonal log-mean.
    pub season: f64,
    /// Largest absolute log-change per year of a series' trend.
    pub trend: f64,
    /// Probability that a series gets an outbreak in the scored period.
    pub outbreak_rate: f64,
}

pub const FAMILIES: [Family; 4] = [
    Family {
        name: "ambulance",
        weekly: 60.0,
        substances: &[
            ("opioids", 0.45),
            ("benzodiazepines", 0.2),
            ("stimulants", 0.2),
            ("ghb", 0.15),
        ],
        nb_size: 10.0,
        urban: 2.0,
        season: 0.15,
        trend: 0.08,
        outbreak_rate: 0.35,
    },
    Family {
        name: "drugcheck",
        weekly: 25.0,
        substances: &[
            ("cocaine", 0.3),
            ("mdma", 0.25),
            ("amphetamine", 0.2),
            ("ketamine", 0.15),
            ("heroin", 0.1),
        ],
        nb_size: 3.0,
        urban: 3.0,
        season: 0.3,
        trend: 0.15,
        outbreak_rate: 0.35,
    },
    Family {
        name: "seizures",
        weekly: 500.0,
        substances: &[
            ("cannabis", 0.5),
            ("amphetamine", 0.2),
            ("cocaine", 0.12),
            ("benzodiazepines", 0.12),
            ("heroin", 0.06),
        ],
        nb_size: 5.0,
        urban: 1.5,
        season: 0.1,
        trend: 0.05,
        outbreak_rate: 0.3,
    },
    Family {
        name: "deaths",
        weekly: 0.0,
        substances: &[("opioids", 0.7), ("stimulants", 0.15), ("other", 0.15)],
        nb_size: 20.0,
        urban: 1.5,
        season: 0.05,
        trend: 0.03,
        outbreak_rate: 0.15,
    },
];

/// Number of weeks: ISO 2020-W01 to 2024-W52.
pub const WEEKS: usize = 261;
/// Outbreaks are mainly injected in the last `EVAL_WEEKS` weeks, the period
/// the detectors are scored on.
pub const EVAL_WEEKS: usize = 100;

/// One generated series.
#[derive(Clone, Debug, PartialEq)]
pub struct SimSeries {
    /// `family:substance:county`
    pub name: String,
    pub family: &'static str,
    pub county: &'static str,
    pub population: f64,
    /// Expected counts without outbreaks.
    pub mu: Vec<f64>,
    pub observed: Vec<u64>,
}

/// One injected outbreak.
#[derive(Clone, Debug, PartialEq)]
pub struct Injected {
    pub series: String,
    /// 1-based first week.
    pub start: usize,
    pub length: usize,
    pub place: &'static str,
    /// Extra cases added in total.
    pub size: u64,
}

/// Generated data set.
#[derive(Clone, Debug, PartialEq)]
pub struct Monitoring {
    pub series: Vec<SimSeries>,
    pub truth: Vec<Injected>,
    /// Annual national drug-induced deaths used for this run.
    pub deaths_per_year: f64,
}

fn normal(rng: &mut ChaCha8Rng) -> f64 {
    let u1: f64 = 1.0 - rng.gen::<f64>();
    let u2: f64 = rng.gen::<f64>();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// Marsaglia–Tsang gamma(shape, 1).
fn gamma(rng: &mut ChaCha8Rng, shape: f64) -> f64 {
    if shape < 1.0 {
        let u: f64 = 1.0 - rng.gen::<f64>();
        return gamma(rng, shape + 1.0) * u.powf(1.0 / shape);
    }
    let d = shape - 1.0 / 3.0;
    let c = 1.0 / (9.0 * d).sqrt();
    loop {
        let x = normal(rng);
        let v = (1.0 + c * x).powi(3);
        if v <= 0.0 {
            continue;
        }
        let u: f64 = 1.0 - rng.gen::<f64>();
        if u.ln() < 0.5 * x * x + d - d * v + d * v.ln() {
            return d * v;
        }
    }
}

/// Poisson by inversion in chunks of mean <= 20 (exact, O(mean)).
fn poisson(rng: &mut ChaCha8Rng, mean: f64) -> u64 {
    if mean <= 0.0 {
        return 0;
    }
    let chunks = (mean / 20.0).ceil().max(1.0) as usize;
    let m = mean / chunks as f64;
    let l = (-m).exp();
    let mut total = 0;
    for _ in 0..chunks {
        let mut p: f64 = 1.0;
        loop {
            p *= rng.gen::<f64>();
            if p <= l {
                break;
            }
            total += 1;
        }
    }
    total
}

fn neg_binomial(rng: &mut ChaCha8Rng, mean: f64, size: f64) -> u64 {
    if mean <= 0.0 {
        return 0;
    }
    let lambda = gamma(rng, size) * mean / size;
    poisson(rng, lambda)
}

/// ISO (year, week) of 1-based week index `t` (week 1 = 2020-W01).
pub fn iso_week(t: usize) -> (i32, u32) {
    // Monday of 2020-W01 is 2019-12-30; count days from 2020-01-01.
    let thursday = -2 + 7 * (t as i64 - 1) + 3;
    let mut year = 2020i32;
    let mut day = thursday;
    loop {
        let len = if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 {
            366
        } else {
            365
        };
        if day < 0 {
            year -= 1;
            let plen = if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 {
                366
            } else {
                365
            };
            day += plen;
        } else if day >= len {
            day -= len;
            year += 1;
        } else {
            break;
        }
    }
    (year, (day / 7 + 1) as u32)
}

/// Generates the data set for `seed`.
pub fn generate(seed: u64) -> Monitoring {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let deaths_per_year = 280.0 + 110.0 * rng.gen::<f64>();
    let total_pop: f64 = COUNTIES.iter().map(|c| c.1).sum();
    let mut series = Vec::new();
    let mut truth = Vec::new();
    for fam in FAMILIES {
        let weekly = if fam.name == "deaths" {
            deaths_per_year / 52.18
        } else {
            fam.weekly
        };
        let phase = rng.gen::<f64>() * std::f64::consts::TAU;
        let urban_w: Vec<f64> = COUNTIES
            .iter()
            .map(|(code, pop)| {
                pop / total_pop
                    * if *code == "03" || *code == "46" {
                        fam.urban
                    } else {
                        1.0
                    }
            })
            .collect();
        let wsum: f64 = urban_w.iter().sum();
        for &(sub, share) in fam.substances {
            for (ci, &(code, pop)) in COUNTIES.iter().enumerate() {
                let base = weekly * share * urban_w[ci] / wsum;
                let slope = (2.0 * rng.gen::<f64>() - 1.0) * fam.trend; // log change per year
                let amp = fam.season * (0.5 + rng.gen::<f64>());
                let mu: Vec<f64> = (1..=WEEKS)
                    .map(|t| {
                        let years = (t as f64 - WEEKS as f64) / 52.18;
                        let s = amp * (std::f64::consts::TAU * t as f64 / 52.18 + phase).cos();
                        base * (slope * years + s).exp()
                    })
                    .collect();
                let mut observed: Vec<u64> = mu
                    .iter()
                    .map(|&m| neg_binomial(&mut rng, m, fam.nb_size))
                    .collect();
                let name = format!("{}:{}:{}", fam.name, sub, code);
                // Outbreaks: about one per three series in the scored period,
                // and a few in the history.
                let n_out = usize::from(rng.gen::<f64>() < fam.outbreak_rate)
                    + usize::from(rng.gen::<f64>() < fam.outbreak_rate / 4.0);
                let hist = rng.gen::<f64>() < 0.15;
                let mut planned: Vec<(usize, bool)> = (0..n_out).map(|_| (0, true)).collect();
                if hist {
                    planned.push((0, false));
                }
                let mut taken: Vec<(usize, usize)> = Vec::new();
                for (_, in_eval) in planned {
                    let length = 1 + (rng.gen::<f64>() * 4.0) as usize;
                    let lo = if in_eval { WEEKS - EVAL_WEEKS + 1 } else { 60 };
                    let hi = if in_eval {
                        WEEKS + 1 - length
                    } else {
                        WEEKS - EVAL_WEEKS - length
                    };
                    let start = lo + (rng.gen::<f64>() * (hi + 1 - lo) as f64) as usize;
                    let mult = 2.0 + 4.0 * rng.gen::<f64>();
                    if taken
                        .iter()
                        .any(|&(a, b)| start <= b + 2 && start + length + 2 >= a)
                    {
                        continue;
                    }
                    let mut size = 0;
                    for t in start..start + length {
                        let m = mu[t - 1];
                        let sd = (m + m * m / fam.nb_size).sqrt().max(1.0);
                        let extra = poisson(&mut rng, mult * sd);
                        observed[t - 1] += extra;
                        size += extra;
                    }
                    if size == 0 {
                        continue;
                    }
                    taken.push((start, start + length - 1));
                    truth.push(Injected {
                        series: name.clone(),
                        start,
                        length,
                        place: code,
                        size,
                    });
                }
                series.push(SimSeries {
                    name,
                    family: fam.name,
                    county: code,
                    population: pop,
                    mu,
                    observed,
                });
            }
        }
    }
    Monitoring {
        series,
        truth,
        deaths_per_year,
    }
}

impl Monitoring {
    /// Writes the series in `varde signal`'s input format.
    pub fn write_series(&self, mut w: impl Write) -> io::Result<()> {
        writeln!(w, "series,week_index,year,week,observed,population")?;
        for s in &self.series {
            for (i, y) in s.observed.iter().enumerate() {
                let (yr, wk) = iso_week(i + 1);
                writeln!(
                    w,
                    "{},{},{},{},{},{}",
                    s.name,
                    i + 1,
                    yr,
                    wk,
                    y,
                    s.population
                )?;
            }
        }
        Ok(())
    }

    /// Writes the ground truth: `series,start_week_index,length,place,size`.
    pub fn write_truth(&self, mut w: impl Write) -> io::Result<()> {
        writeln!(w, "series,start_week_index,length,place,size")?;
        for o in &self.truth {
            writeln!(
                w,
                "{},{},{},{},{}",
                o.series, o.start, o.length, o.place, o.size
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_bytes() {
        let mut a = Vec::new();
        let mut b = Vec::new();
        generate(7).write_series(&mut a).unwrap();
        generate(7).write_series(&mut b).unwrap();
        assert_eq!(a, b);
        let mut c = Vec::new();
        generate(8).write_series(&mut c).unwrap();
        assert_ne!(a, c);
    }

    #[test]
    fn iso_weeks() {
        assert_eq!(iso_week(1), (2020, 1));
        assert_eq!(iso_week(53), (2020, 53));
        assert_eq!(iso_week(54), (2021, 1));
        assert_eq!(iso_week(WEEKS), (2024, 52));
    }

    #[test]
    fn deaths_and_shape_are_plausible() {
        let m = generate(42);
        assert_eq!(m.series.len(), 15 * (4 + 5 + 5 + 3));
        assert!(m.series.iter().all(|s| s.observed.len() == WEEKS));
        for year in 0..5 {
            let weeks = (year * 52)..(year * 52 + 52);
            let deaths = |f: &dyn Fn(&SimSeries, usize) -> f64| -> f64 {
                m.series
                    .iter()
                    .filter(|s| s.family == "deaths")
                    .map(|s| weeks.clone().map(|t| f(s, t)).sum::<f64>())
                    .sum()
            };
            let expected = deaths(&|s, t| s.mu[t]);
            let observed = deaths(&|s, t| s.observed[t] as f64);
            assert!(
                (260.0..=410.0).contains(&expected),
                "year {year}: {expected} expected deaths"
            );
            assert!(
                (230.0..=460.0).contains(&observed),
                "year {year}: {observed} deaths"
            );
        }
        assert!(m.truth.len() >= 40, "{} outbreaks", m.truth.len());
        assert!(m
            .truth
            .iter()
            .all(|o| o.start >= 1 && o.start + o.length - 1 <= WEEKS && o.size > 0));
    }
}
