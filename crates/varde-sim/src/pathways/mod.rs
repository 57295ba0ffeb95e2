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

use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use varde_core::calendar::{add_days, add_working_days};

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

mod calibration;
mod events;

use calibration::*;
use events::*;

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
mod tests;
