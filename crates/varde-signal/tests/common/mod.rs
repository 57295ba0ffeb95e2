#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, dead_code)]
//! Readers for the reference files in `testdata/` (R `surveillance` 1.20.3 outputs).

use std::path::PathBuf;

pub fn testdata() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("testdata")
}

pub struct Dataset {
    pub observed: Vec<f64>,
    pub population: Vec<Option<f64>>,
    pub dates: Vec<Option<i64>>,
}

fn unquote(s: &str) -> &str {
    s.trim_matches('"')
}

pub fn num(s: &str) -> Option<f64> {
    match unquote(s) {
        "NA" | "" => None,
        "Inf" => Some(f64::INFINITY),
        "-Inf" => Some(f64::NEG_INFINITY),
        "NaN" => Some(f64::NAN),
        v => Some(v.parse().unwrap_or_else(|_| panic!("bad number {v}"))),
    }
}

fn days(date: &str) -> i64 {
    let p: Vec<i64> = date.split('-').map(|x| x.parse().unwrap()).collect();
    let (y, m, d) = (p[0], p[1], p[2]);
    let y2 = if m <= 2 { y - 1 } else { y };
    let era = y2.div_euclid(400);
    let yoe = y2.rem_euclid(400);
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + d - 1;
    era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719_468
}

pub fn read_dataset(name: &str) -> Dataset {
    let text =
        std::fs::read_to_string(testdata().join("data").join(format!("{name}.csv"))).unwrap();
    let mut ds = Dataset {
        observed: vec![],
        population: vec![],
        dates: vec![],
    };
    for (i, line) in text.lines().skip(1).enumerate() {
        let f: Vec<&str> = line.split(',').collect();
        assert_eq!(num(f[1]).unwrap() as usize, i + 1);
        ds.observed.push(num(f[5]).unwrap());
        ds.population.push(num(f[6]));
        let d = unquote(f[4]);
        ds.dates.push(if d == "NA" { None } else { Some(days(d)) });
    }
    ds
}

#[derive(Debug, Clone)]
pub struct RRow {
    pub week_index: usize,
    pub observed: f64,
    pub upperbound: Option<f64>,
    pub alarm: Option<bool>,
    pub expected: Option<f64>,
    pub score: Option<f64>,
    pub pvalue: Option<f64>,
    pub phi: Option<f64>,
    pub trend: Option<f64>,
    pub trend_coef: Option<f64>,
    pub mu0: Option<f64>,
}

pub fn parse_result_line(f: &[&str]) -> RRow {
    RRow {
        week_index: num(f[0]).unwrap() as usize,
        observed: num(f[1]).unwrap(),
        upperbound: num(f[2]),
        alarm: num(f[3]).map(|v| v != 0.0),
        expected: num(f[4]),
        score: num(f[5]),
        pvalue: num(f[6]),
        phi: num(f[7]),
        trend: num(f[8]),
        trend_coef: num(f[9]),
        mu0: num(f[10]),
    }
}

pub fn read_results(dataset: &str, method: &str) -> Vec<RRow> {
    let text = std::fs::read_to_string(
        testdata()
            .join("results")
            .join(format!("{dataset}__{method}.csv")),
    )
    .unwrap();
    text.lines()
        .skip(1)
        .map(|line| {
            let f: Vec<&str> = line.split(',').collect();
            parse_result_line(&f[2..])
        })
        .collect()
}

/// `a` and `b` agree to 1e-6 relative (absolute floor 1e-12 for values at 0).
pub fn close(a: f64, b: f64) -> bool {
    if a.is_infinite() || b.is_infinite() {
        return a == b;
    }
    (a - b).abs() <= 1e-6 * a.abs().max(b.abs()) + 1e-12
}

thread_local! {
    /// Largest relative difference seen by `cmp_opt` (for reporting).
    pub static MAX_REL: std::cell::Cell<f64> = const { std::cell::Cell::new(0.0) };
}

pub fn cmp_opt(what: &str, ctx: &str, ours: Option<f64>, r: Option<f64>, errs: &mut Vec<String>) {
    if let (Some(a), Some(b)) = (ours, r) {
        if a.is_finite() && b.is_finite() && a != b {
            let rel = (a - b).abs() / a.abs().max(b.abs());
            MAX_REL.with(|m| m.set(m.get().max(rel)));
        }
    }
    match (ours, r) {
        (None, None) => {}
        (Some(a), Some(b)) if close(a, b) => {}
        _ => errs.push(format!("{ctx} {what}: ours {ours:?} R {r:?}")),
    }
}
