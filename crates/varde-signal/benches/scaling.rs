#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Scaling benchmark (not a timed test).
//!
//! 1. The synthetic workload of the reference folder: 1,000 series × 315
//!    weeks, farringtonFlexible with the Noufaily settings on weeks 264–315,
//!    on one core; outputs are checked against R's file and the throughput is
//!    compared with R's 584.4 s.
//! 2. A national deployment: 357 municipalities × 30 substances, five years
//!    of history (+ the current week), one new week, on two threads.
//!
//! Run: `cargo bench -p varde-signal --bench scaling`

use std::io::{BufRead, BufReader};
use std::time::Instant;

use varde_signal::farrington::{farrington_flexible, FlexibleControl};
use varde_signal::special::{pnbinom, ppois};
use varde_signal::{Compat, Series, WeekResult};

const R_SECONDS: f64 = 584.4;

fn gz_lines(name: &str) -> Vec<String> {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata")
        .join(name);
    let f = std::fs::File::open(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    BufReader::new(flate2::read::GzDecoder::new(f))
        .lines()
        .skip(1)
        .map(|l| l.unwrap())
        .collect()
}

fn num(s: &str) -> Option<f64> {
    match s.trim_matches('"') {
        "NA" => None,
        "Inf" => Some(f64::INFINITY),
        v => Some(v.parse().unwrap()),
    }
}

fn close(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => a == b || (a - b).abs() <= 1e-6 * a.abs().max(b.abs()) + 1e-12,
        _ => false,
    }
}

fn check(ours: &[WeekResult], r: &[Vec<Option<f64>>]) -> (usize, usize, usize) {
    // returns (mismatches, weeks checked, ambiguous nbPlugin bounds accepted)
    let mut bad = 0;
    let mut amb = 0;
    for (o, f) in ours.iter().zip(r) {
        // f: series, week_index, observed, upperbound, alarm, expected, score, pvalue, phi, trend, trend_coef, mu0
        let mut ok = o.week_index as f64 == f[1].unwrap() && o.observed == f[2].unwrap();
        ok &= o.alarm.map(|a| if a { 1.0 } else { 0.0 }) == f[4];
        if !close(o.upperbound, f[3]) {
            let both = o.upperbound.zip(f[3]);
            let ambiguous = both.is_some_and(|(a, b)| {
                let u = a.min(b);
                let (mu, phi) = (f[5].or(f[11]).unwrap_or(f64::NAN), f[8].unwrap_or(f64::NAN));
                let cdf = if phi > 1.0 {
                    pnbinom(u, mu / (phi - 1.0), 1.0 / phi)
                } else {
                    ppois(u, mu)
                };
                (a - b).abs() == 1.0 && (cdf - 0.95).abs() < 1e-8
            });
            if ambiguous {
                amb += 1;
            } else {
                ok = false;
            }
        }
        ok &= close(o.expected, f[5])
            && close(o.score, f[6])
            && close(o.pvalue, f[7])
            && close(o.phi, f[8]);
        ok &= close(o.trend.map(|t| if t { 1.0 } else { 0.0 }), f[9])
            && close(o.trend_coef, f[10])
            && close(o.mu0, f[11]);
        if !ok {
            bad += 1;
            if bad <= 5 {
                eprintln!("mismatch: ours {o:?}\n          R    {f:?}");
            }
        }
    }
    (bad, ours.len(), amb)
}

fn synthetic() {
    let inputs = gz_lines("synthetic_inputs.csv.gz");
    let mut series: Vec<Vec<f64>> = vec![Vec::new(); 1000];
    for l in &inputs {
        let f: Vec<&str> = l.split(',').collect();
        let s: usize = f[0].parse().unwrap();
        series[s - 1].push(f[2].parse().unwrap());
    }
    let expected: Vec<Vec<Option<f64>>> = gz_lines("synthetic_1000x315_last52__ff_noufaily.csv.gz")
        .iter()
        .map(|l| l.split(',').map(num).collect())
        .collect();
    let ctl = FlexibleControl::noufaily();
    let series: Vec<Series> = series.into_iter().map(Series::new).collect();
    let t0 = Instant::now();
    let mut all = Vec::with_capacity(52_000);
    for s in &series {
        all.extend(farrington_flexible(s, 264..=315, &ctl, Compat::R).unwrap());
    }
    let secs = t0.elapsed().as_secs_f64();
    let (bad, n, amb) = check(&all, &expected);
    let alarms = all.iter().filter(|w| w.alarm == Some(true)).count();
    println!("synthetic 1000 x 315, weeks 264-315, ff_noufaily, 1 thread:");
    println!(
        "  {n} weeks in {secs:.3} s = {:.1} us/week, {:.0} weeks/s, {alarms} alarms (R: 1983)",
        secs * 1e6 / n as f64,
        n as f64 / secs
    );
    println!("  check against R: {} mismatching weeks, {amb} nbPlugin bounds off by 1 at a CDF within 1e-8 of 0.95", bad);
    println!("  ratio vs R's {R_SECONDS} s: {:.0}x", R_SECONDS / secs);
    if bad > 0 {
        std::process::exit(1);
    }
}

/// xorshift64* and Poisson by inversion: enough for a load test.
struct Rng(u64);
impl Rng {
    fn next_f64(&mut self) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64
    }
    fn poisson(&mut self, mu: f64) -> f64 {
        if mu > 50.0 {
            // normal approximation for large means
            let u1 = self.next_f64().max(1e-300);
            let u2 = self.next_f64();
            let z = (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos();
            return (mu + z * mu.sqrt()).round().max(0.0);
        }
        let l = (-mu).exp();
        let mut k = 0.0;
        let mut p = 1.0;
        loop {
            p *= self.next_f64();
            if p <= l {
                return k;
            }
            k += 1.0;
        }
    }
}

fn national() {
    let n_series = 357 * 30;
    let weeks = 5 * 52 + 4 + 1; // five years of history plus the b/w margin and the new week
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let series: Vec<Series> = (0..n_series)
        .map(|_| {
            let base = (rng.next_f64() * (30f64).ln()).exp() * 0.2; // 0.2 .. 6 a week
            let amp = rng.next_f64() * 0.5;
            let ph = rng.next_f64() * std::f64::consts::TAU;
            Series::new(
                (1..=weeks)
                    .map(|t| {
                        rng.poisson(
                            base * (amp * (std::f64::consts::TAU * t as f64 / 52.0 + ph).cos())
                                .exp(),
                        )
                    })
                    .collect(),
            )
        })
        .collect();
    let ctl = FlexibleControl::noufaily();
    let t0 = Instant::now();
    let alarms = std::sync::atomic::AtomicUsize::new(0);
    let half = series.len() / 2;
    std::thread::scope(|sc| {
        for chunk in [&series[..half], &series[half..]] {
            let ctl = &ctl;
            let alarms = &alarms;
            sc.spawn(move || {
                let mut a = 0;
                for s in chunk {
                    let r = farrington_flexible(s, weeks..=weeks, ctl, Compat::Published).unwrap();
                    a += r.iter().filter(|w| w.alarm == Some(true)).count();
                }
                alarms.fetch_add(a, std::sync::atomic::Ordering::Relaxed);
            });
        }
    });
    let secs = t0.elapsed().as_secs_f64();
    println!("national: {n_series} series x {weeks} weeks, one new week, ff_noufaily, 2 threads:");
    println!(
        "  {secs:.3} s ({} alarms)",
        alarms.load(std::sync::atomic::Ordering::Relaxed)
    );
}

fn main() {
    synthetic();
    national();
}
