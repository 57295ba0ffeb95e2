//! One synthetic national year of TSB care pathways, calibrated to SAMDATA 2023.
//!
//! Same seed and scale, same bytes. At `scale = 1.0` (national) the data hold exactly the
//! SAMDATA 2023 figures for TSB, scaled and rounded: 34,360 patients, 9,813 inpatients, 15,416
//! stays, 608,359 bed days, 568,528 outpatient contacts, 66 % men and 53 % over 39. Counts are
//! met exactly by construction (exact allotment rather than independent draws), so the manifest
//! is within 2 % at any scale down to a few hundred patients.
//!
//! Files written by [`simulate_pathways`]:
//! - `events.csv` — the pathway event CSV of the stable contract, one pathway per patient plus
//!   referrals that gave no right; all events are dated in the simulated year or before it, so
//!   they load without a rule breach with `today` = 1 January of the next year;
//! - `patients.csv` — `patient_id,pathway_id,sex,age,kommune,hf,inpatient`;
//! - `stays.csv` — `patient_id,unit,hf,admitted,discharged,bed_days` (bed days = discharged −
//!   admitted, all counted in the simulated year);
//! - `contacts.csv` — `patient_id,unit,hf,outpatient_contacts`;
//! - `manifest.json` — the figures reached beside their targets.
//!
//! Timing is plausible rather than fitted: about 2 % of referrals are assessed after 10 working
//! days, about 5 % of first attendances miss the legal deadline, a fifth to a quarter of decisions
//! and evaluations miss their time limit, and the mean wait to first attendance is about a month.

use std::fmt::Write as _;
use std::fs;
use std::path::Path;

use jiff::civil::Date;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use varde_core::calendar::{add_days, add_working_days, days_between};

/// SAMDATA 2023 figures for TSB (national).
pub mod samdata_2023 {
    /// Patients in TSB.
    pub const PATIENTS: u64 = 34_360;
    /// Patients with at least one inpatient stay.
    pub const INPATIENTS: u64 = 9_813;
    /// Inpatient stays.
    pub const STAYS: u64 = 15_416;
    /// Bed days.
    pub const BED_DAYS: u64 = 608_359;
    /// Outpatient contacts.
    pub const OUTPATIENT_CONTACTS: u64 = 568_528;
    /// Share of patients who are men.
    pub const SHARE_MEN: f64 = 0.66;
    /// Share of patients older than 39.
    pub const SHARE_OVER_39: f64 = 0.53;
}

/// The year simulated.
pub const YEAR: i16 = 2023;

/// An error writing the files.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    /// The scale is not a positive number.
    #[error("scale must be positive and at most 10, got {0}")]
    Scale(f64),
    /// Writing failed.
    #[error("cannot write {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
}

/// One figure of the manifest.
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    /// Name.
    pub name: &'static str,
    /// Target (SAMDATA 2023 × scale).
    pub target: f64,
    /// Reached.
    pub reached: f64,
}

impl Figure {
    /// Relative deviation |reached − target| / target.
    pub fn deviation(&self) -> f64 {
        if self.target == 0.0 {
            0.0
        } else {
            (self.reached - self.target).abs() / self.target
        }
    }
}

/// What the generator produced.
#[derive(Debug, Clone, PartialEq)]
pub struct Manifest {
    /// Seed.
    pub seed: u64,
    /// Scale (1.0 = national).
    pub scale: f64,
    /// Calibrated figures.
    pub figures: Vec<Figure>,
    /// Event rows written.
    pub events: usize,
    /// Pathways (including referrals without a right).
    pub pathways: usize,
}

impl Manifest {
    /// The manifest as JSON.
    pub fn to_json(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "{{");
        let _ = writeln!(
            s,
            "  \"source\": \"SAMDATA spesialisthelsetjenesten 2023, TSB\","
        );
        let _ = writeln!(s, "  \"year\": {YEAR},");
        let _ = writeln!(s, "  \"seed\": {},", self.seed);
        let _ = writeln!(s, "  \"scale\": {},", self.scale);
        let _ = writeln!(s, "  \"events\": {},", self.events);
        let _ = writeln!(s, "  \"pathways\": {},", self.pathways);
        let _ = writeln!(s, "  \"figures\": [");
        for (i, f) in self.figures.iter().enumerate() {
            let comma = if i + 1 < self.figures.len() { "," } else { "" };
            let _ = writeln!(
                s,
                "    {{\"name\": \"{}\", \"target\": {}, \"reached\": {}, \"deviation\": {:.6}, \"within_2_percent\": {}}}{comma}",
                f.name,
                f.target,
                f.reached,
                f.deviation(),
                f.deviation() <= 0.02
            );
        }
        let _ = writeln!(s, "  ]");
        let _ = writeln!(s, "}}");
        s
    }
}

/// The generated data as CSV text, plus the manifest.
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    /// `events.csv`.
    pub events_csv: String,
    /// `patients.csv`.
    pub patients_csv: String,
    /// `stays.csv`.
    pub stays_csv: String,
    /// `contacts.csv`.
    pub contacts_csv: String,
    /// The manifest.
    pub manifest: Manifest,
}

struct Hf {
    name: &'static str,
    rhf: &'static str,
    short: &'static str,
    weight: u32,
    kommuner: &'static [&'static str],
}

const HFS: &[Hf] = &[
    Hf {
        name: "Oslo universitetssykehus HF",
        rhf: "Helse Sør-Øst RHF",
        short: "OUS",
        weight: 14,
        kommuner: &["0301"],
    },
    Hf {
        name: "Akershus universitetssykehus HF",
        rhf: "Helse Sør-Øst RHF",
        short: "Ahus",
        weight: 11,
        kommuner: &["3201", "3205", "3301"],
    },
    Hf {
        name: "Sykehuset Innlandet HF",
        rhf: "Helse Sør-Øst RHF",
        short: "SI",
        weight: 7,
        kommuner: &["3403", "3405", "3407"],
    },
    Hf {
        name: "Vestre Viken HF",
        rhf: "Helse Sør-Øst RHF",
        short: "VV",
        weight: 9,
        kommuner: &["3301", "3303", "3310"],
    },
    Hf {
        name: "Sykehuset i Vestfold HF",
        rhf: "Helse Sør-Øst RHF",
        short: "SiV",
        weight: 5,
        kommuner: &["3905", "3907", "3909"],
    },
    Hf {
        name: "Sykehuset Telemark HF",
        rhf: "Helse Sør-Øst RHF",
        short: "STHF",
        weight: 4,
        kommuner: &["4001", "4003", "4005"],
    },
    Hf {
        name: "Sykehuset Østfold HF",
        rhf: "Helse Sør-Øst RHF",
        short: "SØ",
        weight: 6,
        kommuner: &["3101", "3103", "3105"],
    },
    Hf {
        name: "Sørlandet sykehus HF",
        rhf: "Helse Sør-Øst RHF",
        short: "SSHF",
        weight: 6,
        kommuner: &["4204", "4203", "4201"],
    },
    Hf {
        name: "Helse Bergen HF",
        rhf: "Helse Vest RHF",
        short: "Bergen",
        weight: 8,
        kommuner: &["4601", "4626", "4627"],
    },
    Hf {
        name: "Helse Stavanger HF",
        rhf: "Helse Vest RHF",
        short: "Stavanger",
        weight: 6,
        kommuner: &["1103", "1108", "1124"],
    },
    Hf {
        name: "Helse Fonna HF",
        rhf: "Helse Vest RHF",
        short: "Fonna",
        weight: 3,
        kommuner: &["1106", "4613"],
    },
    Hf {
        name: "Helse Førde HF",
        rhf: "Helse Vest RHF",
        short: "Førde",
        weight: 2,
        kommuner: &["4647", "4602"],
    },
    Hf {
        name: "St. Olavs hospital HF",
        rhf: "Helse Midt-Norge RHF",
        short: "St. Olav",
        weight: 6,
        kommuner: &["5001", "5031", "5035"],
    },
    Hf {
        name: "Helse Møre og Romsdal HF",
        rhf: "Helse Midt-Norge RHF",
        short: "HMR",
        weight: 4,
        kommuner: &["1507", "1506", "1505"],
    },
    Hf {
        name: "Helse Nord-Trøndelag HF",
        rhf: "Helse Midt-Norge RHF",
        short: "HNT",
        weight: 2,
        kommuner: &["5006", "5007"],
    },
    Hf {
        name: "Universitetssykehuset Nord-Norge HF",
        rhf: "Helse Nord RHF",
        short: "UNN",
        weight: 3,
        kommuner: &["5501", "5503"],
    },
    Hf {
        name: "Nordlandssykehuset HF",
        rhf: "Helse Nord RHF",
        short: "NLSH",
        weight: 2,
        kommuner: &["1804", "1806"],
    },
    Hf {
        name: "Helgelandssykehuset HF",
        rhf: "Helse Nord RHF",
        short: "Helgeland",
        weight: 1,
        kommuner: &["1833", "1824"],
    },
    Hf {
        name: "Finnmarkssykehuset HF",
        rhf: "Helse Nord RHF",
        short: "Finnmark",
        weight: 1,
        kommuner: &["5601", "5603"],
    },
];

fn pick_hf(rng: &mut ChaCha8Rng) -> usize {
    let total: u32 = HFS.iter().map(|h| h.weight).sum();
    let mut x = rng.gen_range(0..total);
    for (i, h) in HFS.iter().enumerate() {
        if x < h.weight {
            return i;
        }
        x -= h.weight;
    }
    0
}

fn units(hf: &Hf) -> [String; 3] {
    [
        format!("{} TSB poliklinikk", hf.short),
        format!("{} TSB døgn", hf.short),
        format!("{} avrusning", hf.short),
    ]
}

fn scaled(figure: u64, scale: f64) -> u64 {
    ((figure as f64) * scale).round().max(1.0) as u64
}

fn exp(rng: &mut ChaCha8Rng, mean: f64) -> f64 {
    let u: f64 = rng.gen_range(0.0..1.0);
    -mean * (1.0 - u).ln()
}

/// Splits `total` into `n` positive integer parts proportional to `weights` (largest
/// remainder), so the parts add up to `total` exactly. Needs `total >= n`.
fn allot(total: u64, weights: &[f64], min: u64, max: u64) -> Vec<u64> {
    let n = weights.len() as u64;
    if n == 0 {
        return Vec::new();
    }
    let sum: f64 = weights.iter().sum();
    let free = total.saturating_sub(min * n) as f64;
    let raw: Vec<f64> = weights.iter().map(|w| free * w / sum).collect();
    let mut parts: Vec<u64> = raw
        .iter()
        .map(|r| (min + r.floor() as u64).min(max))
        .collect();
    let mut left = total as i64 - parts.iter().sum::<u64>() as i64;
    let mut order: Vec<usize> = (0..parts.len()).collect();
    order.sort_by(|&a, &b| {
        let fa = raw[a] - raw[a].floor();
        let fb = raw[b] - raw[b].floor();
        fb.total_cmp(&fa).then(a.cmp(&b))
    });
    // Hand out what is left one by one, in order of the largest remainders, within the bounds.
    let mut guard = 0;
    while left != 0 && guard < 100 {
        for &i in &order {
            if left > 0 && parts[i] < max {
                parts[i] += 1;
                left -= 1;
            } else if left < 0 && parts[i] > min {
                parts[i] -= 1;
                left += 1;
            }
            if left == 0 {
                break;
            }
        }
        guard += 1;
    }
    parts
}

struct Writer {
    out: String,
    rows: usize,
}

impl Writer {
    #[allow(clippy::too_many_arguments)]
    fn event(
        &mut self,
        pid: &str,
        unit: &str,
        hf: &Hf,
        kommune: &str,
        level: &str,
        event: &str,
        date: Date,
        outcome: &str,
        deadline: Option<Date>,
    ) {
        let deadline = deadline.map(|d| d.to_string()).unwrap_or_default();
        let _ = writeln!(
            self.out,
            "{pid},{unit},{},{},{kommune},{level},{event},{date},,{outcome},{deadline}",
            hf.name, hf.rhf
        );
        self.rows += 1;
    }
}

fn year_end() -> Date {
    Date::new(YEAR, 12, 31).unwrap_or(Date::ZERO)
}

fn year_start() -> Date {
    Date::new(YEAR, 1, 1).unwrap_or(Date::ZERO)
}

/// Generates the national year in memory.
pub fn generate(seed: u64, scale: f64) -> Result<Dataset, SimError> {
    if !(scale > 0.0 && scale <= 10.0) {
        return Err(SimError::Scale(scale));
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let n = scaled(samdata_2023::PATIENTS, scale) as usize;
    let n_in = (scaled(samdata_2023::INPATIENTS, scale) as usize).min(n);
    let n_stays = scaled(samdata_2023::STAYS, scale).max(n_in as u64);
    let bed_days = scaled(samdata_2023::BED_DAYS, scale).max(n_stays);
    let contacts = scaled(samdata_2023::OUTPATIENT_CONTACTS, scale);

    // Exact allotment of sex, age band and inpatient status.
    let mut idx: Vec<usize> = (0..n).collect();
    idx.shuffle(&mut rng);
    let n_men = ((n as f64) * samdata_2023::SHARE_MEN).round() as usize;
    let mut male = vec![false; n];
    for &i in &idx[..n_men.min(n)] {
        male[i] = true;
    }
    idx.shuffle(&mut rng);
    let n_old = ((n as f64) * samdata_2023::SHARE_OVER_39).round() as usize;
    let mut age = vec![0u8; n];
    for (k, &i) in idx.iter().enumerate() {
        age[i] = if k < n_old {
            rng.gen_range(40..=79)
        } else if rng.gen_bool(0.06) {
            rng.gen_range(16..=17)
        } else {
            rng.gen_range(18..=39)
        };
    }
    idx.shuffle(&mut rng);
    let mut inpatient = vec![false; n];
    for &i in &idx[..n_in] {
        inpatient[i] = true;
    }
    let hf_of: Vec<usize> = (0..n).map(|_| pick_hf(&mut rng)).collect();
    let kommune_of: Vec<&str> = hf_of
        .iter()
        .map(|&h| {
            let k = HFS[h].kommuner;
            k[rng.gen_range(0..k.len())]
        })
        .collect();

    let mut w = Writer {
        out: String::with_capacity(n * 1200),
        rows: 0,
    };
    w.out
        .push_str("pathway_id,unit,hf,rhf,kommune,care_level,event,date,code,outcome,deadline\n");
    let mut patients_csv = String::from("patient_id,pathway_id,sex,age,kommune,hf,inpatient\n");
    let mut pathways = 0usize;
    for p in 0..n {
        let hf = &HFS[hf_of[p]];
        let pid = format!("F{:06}", p + 1);
        let _ = writeln!(
            patients_csv,
            "N{:06},{pid},{},{},{},{},{}",
            p + 1,
            if male[p] { "M" } else { "K" },
            age[p],
            kommune_of[p],
            hf.name,
            inpatient[p]
        );
        pathway(
            &mut rng,
            &mut w,
            &pid,
            hf,
            kommune_of[p],
            inpatient[p],
            age[p],
        );
        pathways += 1;
    }
    // Referrals that gave no right (not patients): about 12 % on top.
    let n_rejected = n * 12 / 100;
    for r in 0..n_rejected {
        let hf = &HFS[pick_hf(&mut rng)];
        let pid = format!("R{:06}", r + 1);
        let u = units(hf);
        let kommune = hf.kommuner[0];
        let received = add_days(year_start(), rng.gen_range(0..350));
        let assessed = add_working_days(received, assessment_delay(&mut rng));
        w.event(
            &pid,
            &u[0],
            hf,
            kommune,
            "outpatient",
            "referral_received",
            received,
            "",
            None,
        );
        if assessed <= year_end() {
            w.event(
                &pid,
                &u[0],
                hf,
                kommune,
                "outpatient",
                "referral_assessed",
                assessed,
                "no_right",
                None,
            );
        }
        pathways += 1;
    }

    // Stays: one per inpatient, the rest allotted at random (at most 8 per patient).
    let inpatients: Vec<usize> = (0..n).filter(|&i| inpatient[i]).collect();
    let mut stays_per = vec![1u64; inpatients.len()];
    let mut extra = n_stays - inpatients.len() as u64;
    while extra > 0 && !inpatients.is_empty() {
        let k = rng.gen_range(0..inpatients.len());
        if stays_per[k] < 8 {
            stays_per[k] += 1;
            extra -= 1;
        }
    }
    let stay_weights: Vec<f64> = (0..n_stays).map(|_| 0.15 + exp(&mut rng, 1.0)).collect();
    let lengths = allot(bed_days, &stay_weights, 1, 364);
    let mut stays_csv = String::from("patient_id,unit,hf,admitted,discharged,bed_days\n");
    let mut li = 0usize;
    let mut bed_days_reached = 0u64;
    let mut stays_reached = 0u64;
    for (k, &p) in inpatients.iter().enumerate() {
        let hf = &HFS[hf_of[p]];
        let u = units(hf);
        let count = stays_per[k] as usize;
        let lens: Vec<u64> = lengths[li..li + count].to_vec();
        li += count;
        let gaps: Vec<u64> = (0..count).map(|_| rng.gen_range(7..=45)).collect();
        let span: u64 = lens.iter().sum::<u64>() + gaps.iter().sum::<u64>();
        // Place the stays back to back so the last one ends in the year.
        let slack = 364u64.saturating_sub(span);
        let mut admitted = add_days(year_end(), -(span as i64) - rng.gen_range(0..=slack) as i64);
        for (j, len) in lens.iter().enumerate() {
            let discharged = add_days(admitted, *len as i64);
            let unit = if j == 0 { &u[2] } else { &u[1] };
            let _ = writeln!(
                stays_csv,
                "N{:06},{unit},{},{admitted},{discharged},{len}",
                p + 1,
                hf.name
            );
            bed_days_reached += *len;
            stays_reached += 1;
            admitted = add_days(discharged, gaps[j] as i64);
        }
    }

    // Outpatient contacts: every patient without a stay and 60 % of inpatients.
    let outpatients: Vec<usize> = (0..n)
        .filter(|&i| !inpatient[i] || rng.gen_bool(0.6))
        .collect();
    let contact_weights: Vec<f64> = outpatients
        .iter()
        .map(|_| 0.1 + exp(&mut rng, 1.0))
        .collect();
    let per = allot(contacts, &contact_weights, 1, 400);
    let mut contacts_csv = String::from("patient_id,unit,hf,outpatient_contacts\n");
    let mut contacts_reached = 0u64;
    for (k, &p) in outpatients.iter().enumerate() {
        let hf = &HFS[hf_of[p]];
        let _ = writeln!(
            contacts_csv,
            "N{:06},{} TSB poliklinikk,{},{}",
            p + 1,
            hf.short,
            hf.name,
            per[k]
        );
        contacts_reached += per[k];
    }

    let men = male.iter().filter(|&&m| m).count() as f64 / n as f64;
    let old = age.iter().filter(|&&a| a > 39).count() as f64 / n as f64;
    let figures = vec![
        Figure {
            name: "patients",
            target: samdata_2023::PATIENTS as f64 * scale,
            reached: n as f64,
        },
        Figure {
            name: "inpatients",
            target: samdata_2023::INPATIENTS as f64 * scale,
            reached: inpatients.len() as f64,
        },
        Figure {
            name: "stays",
            target: samdata_2023::STAYS as f64 * scale,
            reached: stays_reached as f64,
        },
        Figure {
            name: "bed_days",
            target: samdata_2023::BED_DAYS as f64 * scale,
            reached: bed_days_reached as f64,
        },
        Figure {
            name: "outpatient_contacts",
            target: samdata_2023::OUTPATIENT_CONTACTS as f64 * scale,
            reached: contacts_reached as f64,
        },
        Figure {
            name: "share_men",
            target: samdata_2023::SHARE_MEN,
            reached: men,
        },
        Figure {
            name: "share_over_39",
            target: samdata_2023::SHARE_OVER_39,
            reached: old,
        },
    ];
    let manifest = Manifest {
        seed,
        scale,
        figures,
        events: w.rows,
        pathways,
    };
    Ok(Dataset {
        events_csv: w.out,
        patients_csv,
        stays_csv,
        contacts_csv,
        manifest,
    })
}

/// Working days from receipt to assessment: 98 % within 10.
fn assessment_delay(rng: &mut ChaCha8Rng) -> u32 {
    if rng.gen_bool(0.98) {
        rng.gen_range(1..=10)
    } else {
        rng.gen_range(11..=20)
    }
}

/// Days within a limit with probability `p`, else beyond it.
fn timed(rng: &mut ChaCha8Rng, low: i64, limit: i64, p: f64, late_max: i64) -> i64 {
    if rng.gen_bool(p) {
        rng.gen_range(low.min(limit)..=limit)
    } else {
        rng.gen_range(limit + 1..=limit + late_max)
    }
}

#[allow(clippy::too_many_arguments)]
fn pathway(
    rng: &mut ChaCha8Rng,
    w: &mut Writer,
    pid: &str,
    hf: &Hf,
    kommune: &str,
    inpatient: bool,
    age: u8,
) {
    let u = units(hf);
    let end_of_year = year_end();
    // Received from September of the year before to early December.
    // 40 % of the year's patients are in a pathway that began before the year (TSB treatment
    // often lasts long); their earlier events are part of the file, as in a full export.
    let continuing = rng.gen_bool(0.4);
    let received = if continuing {
        add_days(year_start(), rng.gen_range(-540..-60))
    } else {
        add_days(year_start(), rng.gen_range(-60..340))
    };
    let assessed = add_working_days(received, assessment_delay(rng));
    // Legal deadline: 4 weeks under 23, otherwise 2, 6 or 12 weeks.
    let weeks = if age < 23 {
        4
    } else {
        *[2, 6, 6, 6, 12, 12].choose(rng).unwrap_or(&6)
    };
    let deadline = add_days(received, weeks * 7);
    let window = days_between(received, deadline) as f64;
    let wait = if rng.gen_bool(0.95) {
        ((window * rng.gen_range(0.3..1.0)).round() as i64)
            .max(days_between(received, assessed) as i64)
    } else {
        window as i64 + rng.gen_range(1..=30)
    };
    let first_attendance = add_days(received, wait).max(assessed);
    let (level, unit) = if inpatient {
        ("inpatient", &u[2])
    } else {
        ("outpatient", &u[0])
    };
    let emit = |w: &mut Writer,
                unit: &str,
                level: &str,
                event: &str,
                d: Date,
                outcome: &str,
                dl: Option<Date>| {
        if d <= end_of_year {
            w.event(pid, unit, hf, kommune, level, event, d, outcome, dl);
        }
    };
    emit(
        w,
        &u[0],
        "outpatient",
        "referral_received",
        received,
        "",
        None,
    );
    emit(
        w,
        &u[0],
        "outpatient",
        "referral_assessed",
        assessed,
        "right",
        Some(deadline),
    );
    emit(w, &u[0], "outpatient", "pathway_start", assessed, "", None);
    emit(
        w,
        unit,
        level,
        "first_attendance",
        first_attendance,
        "",
        None,
    );

    let mut level = level;
    let mut unit: &str = unit;
    // Nothing may follow the end: the pathway ends no earlier than the start of treatment.
    let mut floor = first_attendance;
    if inpatient {
        let detox_end = add_days(first_attendance, rng.gen_range(4..=14));
        emit(w, unit, level, "detox_end", detox_end, "", None);
        let start = add_days(detox_end, timed(rng, 0, 0, 0.8, 3));
        unit = &u[1];
        emit(w, unit, level, "treatment_start", start, "", None);
        floor = start;
    }
    let decision_limit = if level == "inpatient" { 7 } else { 21 };
    // The decision after basic assessment may be taken during detox.
    let decision = add_days(first_attendance, timed(rng, 3, decision_limit, 0.78, 25));
    let codes = ["CT", "CT", "CT", "CT", "CT", "CT", "CT", "CU", "CK", "CA"];
    let code = if continuing {
        "CT"
    } else {
        *codes.choose(rng).unwrap_or(&"CT")
    };
    emit(w, unit, level, "clinical_decision", decision, code, None);
    let mut latest_decision = decision;
    if code == "CU" {
        latest_decision = add_days(decision, rng.gen_range(14..=40));
        emit(
            w,
            unit,
            level,
            "clinical_decision",
            latest_decision,
            "CT",
            None,
        );
    }
    let ends = matches!(code, "CK" | "CA");
    let duration = if ends {
        rng.gen_range(0..=14)
    } else {
        let d = (20.0 + exp(rng, 240.0)) as i64;
        if continuing {
            // Still in treatment in the simulated year.
            d.max(i64::from(days_between(latest_decision, year_start())) + rng.gen_range(1..=240))
        } else {
            d
        }
    };
    let end = add_days(latest_decision, duration).max(floor);
    if rng.gen_bool(0.45) {
        let d = add_days(latest_decision, rng.gen_range(0..=30)).min(end);
        emit(w, unit, level, "treatment_plan_involvement", d, "", None);
    }
    if !ends {
        // Inpatients go back to outpatient follow-up after a while.
        let mut ev = add_days(latest_decision, timed(rng, 2, 7, 0.72, 30));
        let mut k = 0;
        while ev <= end && ev <= end_of_year {
            emit(w, unit, level, "evaluation", ev, "", None);
            k += 1;
            if level == "inpatient" && k >= 2 && rng.gen_bool(0.5) {
                level = "outpatient";
                unit = &u[0];
            }
            let gap = if level == "inpatient" { 42 } else { 56 };
            ev = add_days(ev, timed(rng, 21, gap, 0.76, 40));
        }
    }
    if end <= end_of_year {
        if rng.gen_bool(0.3) {
            emit(w, unit, level, "feedback_tool_used", end, "", None);
        }
        let reason = *["avsluttet", "avsluttet", "avbrutt", "overført"]
            .choose(rng)
            .unwrap_or(&"avsluttet");
        emit(w, unit, level, "pathway_end", end, reason, None);
    }
}

/// Parses `--scale`: `national` (1.0) or a positive number (`0.1` for a tenth).
pub fn parse_scale(s: &str) -> Result<f64, SimError> {
    let scale = match s {
        "national" => 1.0,
        other => other
            .parse::<f64>()
            .map_err(|_| SimError::Scale(f64::NAN))?,
    };
    if scale > 0.0 && scale <= 10.0 {
        Ok(scale)
    } else {
        Err(SimError::Scale(scale))
    }
}

/// Generates the national year and writes `events.csv`, `patients.csv`, `stays.csv`,
/// `contacts.csv` and `manifest.json` into `out_dir` (created if missing). `scale` is 1.0 for
/// the national year (`--scale national`).
pub fn simulate_pathways(seed: u64, scale: f64, out_dir: &Path) -> Result<Manifest, SimError> {
    let data = generate(seed, scale)?;
    let io = |path: &Path| {
        let path = path.display().to_string();
        move |source| SimError::Io { path, source }
    };
    fs::create_dir_all(out_dir).map_err(io(out_dir))?;
    for (name, text) in [
        ("events.csv", &data.events_csv),
        ("patients.csv", &data.patients_csv),
        ("stays.csv", &data.stays_csv),
        ("contacts.csv", &data.contacts_csv),
    ] {
        let path = out_dir.join(name);
        fs::write(&path, text).map_err(io(&path))?;
    }
    let path = out_dir.join("manifest.json");
    fs::write(&path, data.manifest.to_json()).map_err(io(&path))?;
    Ok(data.manifest)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn same_seed_same_bytes_and_other_seed_other_bytes() {
        let a = generate(7, 0.02).unwrap();
        let b = generate(7, 0.02).unwrap();
        assert_eq!(a, b);
        let c = generate(8, 0.02).unwrap();
        assert_ne!(a.events_csv, c.events_csv);
    }

    #[test]
    fn calibration_within_two_percent_at_reduced_scale() {
        for scale in [0.05, 0.2] {
            let d = generate(42, scale).unwrap();
            for f in &d.manifest.figures {
                assert!(
                    f.deviation() <= 0.02,
                    "scale {scale}: {} target {} reached {}",
                    f.name,
                    f.target,
                    f.reached
                );
            }
            assert!(d.manifest.to_json().contains("\"within_2_percent\": true"));
            assert!(!d.manifest.to_json().contains("\"within_2_percent\": false"));
        }
    }

    #[test]
    fn events_follow_the_pathway_rules() {
        let d = generate(3, 0.05).unwrap();
        let loaded = varde_core::pathways::load(
            d.events_csv.as_bytes(),
            date(2023, 12, 31),
            date(2024, 1, 1),
        )
        .unwrap();
        assert!(
            loaded.errors.is_empty(),
            "{:?}",
            &loaded.errors[..loaded.errors.len().min(5)]
        );
        assert_eq!(loaded.events.len(), d.manifest.events);
        // Plausible timing: some but not all limits are missed.
        let r = varde_core::pathways::report(&loaded.events, date(2023, 1, 1), date(2023, 12, 31));
        let nation = |id: &str| {
            r.indicators
                .iter()
                .find(|x| x.id == id && x.key == "Norge")
                .and_then(|x| x.share)
                .unwrap()
        };
        let assessed = nation("assessment_within_10_workdays");
        assert!((0.95..1.0).contains(&assessed), "{assessed}");
        let frist = nation("fristbrudd");
        assert!((0.01..0.15).contains(&frist), "{frist}");
        let decision = nation("decision_within_limit_outpatient");
        assert!((0.6..0.95).contains(&decision), "{decision}");
        let wait = r
            .waiting_time
            .iter()
            .find(|x| x.key == "Norge")
            .and_then(|x| x.mean_days)
            .unwrap();
        assert!((20.0..45.0).contains(&wait), "{wait}");
    }

    #[test]
    fn allot_is_exact() {
        let parts = allot(100, &[1.0, 2.0, 3.0, 0.5], 1, 60);
        assert_eq!(parts.iter().sum::<u64>(), 100);
        assert!(parts.iter().all(|&p| (1..=60).contains(&p)));
    }

    #[test]
    fn writes_the_files() {
        let dir = std::env::temp_dir().join(format!("varde-sim-test-{}", std::process::id()));
        let m = simulate_pathways(1, 0.01, &dir).unwrap();
        for f in [
            "events.csv",
            "patients.csv",
            "stays.csv",
            "contacts.csv",
            "manifest.json",
        ] {
            assert!(dir.join(f).exists(), "{f}");
        }
        assert_eq!(m.figures.len(), 7);
        assert!(matches!(generate(1, 0.0), Err(SimError::Scale(_))));
        assert_eq!(parse_scale("national").unwrap(), 1.0);
        assert_eq!(parse_scale("0.25").unwrap(), 0.25);
        assert!(parse_scale("huge").is_err());
        assert!(parse_scale("-1").is_err());
        let _ = fs::remove_dir_all(&dir);
    }
}
