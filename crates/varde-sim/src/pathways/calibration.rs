//! The calibration of the synthetic year: the health trusts and their weights, and the
//! exact allotment of national figures over patients.

use rand::Rng;
use rand_chacha::ChaCha8Rng;

pub(super) struct Hf {
    pub(super) name: &'static str,
    pub(super) rhf: &'static str,
    pub(super) short: &'static str,
    pub(super) weight: u32,
    pub(super) kommuner: &'static [&'static str],
}

pub(super) const HFS: &[Hf] = &[
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
        kommuner: &["1508", "1506", "1505"],
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

pub(super) fn pick_hf(rng: &mut ChaCha8Rng) -> usize {
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

pub(super) fn units(hf: &Hf) -> [String; 3] {
    [
        format!("{} TSB poliklinikk", hf.short),
        format!("{} TSB døgn", hf.short),
        format!("{} avrusning", hf.short),
    ]
}

pub(super) fn scaled(figure: u64, scale: f64) -> u64 {
    ((figure as f64) * scale).round().max(1.0) as u64
}

pub(super) fn exp(rng: &mut ChaCha8Rng, mean: f64) -> f64 {
    let u: f64 = rng.gen_range(0.0..1.0);
    -mean * (1.0 - u).ln()
}

/// Splits `total` into `n` positive integer parts proportional to `weights` (largest
/// remainder), so the parts add up to `total` exactly. Needs `total >= n`.
pub(super) fn allot(total: u64, weights: &[f64], min: u64, max: u64) -> Vec<u64> {
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
