#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The published-method mode and how it departs from R (quirks Q1–Q4); the
//! counts pinned here are the ones the README reports.

mod common;
use common::*;
use varde_signal::ears::{self, EarsControl, EarsMethod};
use varde_signal::special::qnorm;
use varde_signal::{Compat, Method, MethodParams, Series};

const FF: [&str; 5] = [
    "salmonella.agona",
    "ha.sts_total",
    "shadar",
    "influMen_meningococcus",
    "campyDE",
];

fn mean_sd(v: &[f64]) -> (f64, f64) {
    let m = v.iter().sum::<f64>() / v.len() as f64;
    let ss = v.iter().map(|x| (x - m).powi(2)).sum::<f64>();
    (m, (ss / (v.len() - 1) as f64).sqrt())
}

#[test]
fn ears_c3_published_is_centred_on_the_baseline_mean() {
    let y: Vec<f64> = vec![3., 5., 4., 6., 2., 5., 4., 3., 9., 12., 14., 4., 7.];
    let s = Series::new(y.clone());
    let ctl = EarsControl {
        method: EarsMethod::C3,
        alpha: Some(0.001),
        ..Default::default()
    };
    let t = 13; // 1-based week evaluated
    let z = qnorm(0.999);
    // C2 statistics at lags 1, 2 with the baseline y[s-9 .. s-3] (0-based s).
    let c2 = |s0: usize| {
        let (m, sd) = mean_sd(&y[s0 - 9..s0 - 2]);
        ((y[s0] - m) / sd, m, sd)
    };
    let (_, m_t, sd_t) = c2(t - 1);
    let (c_1, _, _) = c2(t - 2);
    let (c_2, _, _) = c2(t - 3);
    let excess = (c_1 - 1.0).max(0.0) + (c_2 - 1.0).max(0.0);
    let published = (m_t + sd_t * (z - excess)).max(0.0);
    let r_quirk = (y[t - 1] + sd_t * (z - excess)).max(0.0);
    let p = ears::ears(&s, t..=t, &ctl, Compat::Published).unwrap();
    let r = ears::ears(&s, t..=t, &ctl, Compat::R).unwrap();
    assert!((p[0].upperbound.unwrap() - published).abs() < 1e-12);
    assert!((r[0].upperbound.unwrap() - r_quirk).abs() < 1e-12);
    assert_eq!(p[0].alarm, Some(y[t - 1] > published));
}

fn ff_noufaily() -> MethodParams {
    MethodParams::parse(
        Method::FarringtonFlexible,
        &[
            "b=5",
            "noPeriods=10",
            "pastWeeksNotIncluded=26",
            "thresholdMethod=nbPlugin",
        ],
    )
    .unwrap()
}

#[test]
fn nbplugin_published_score_and_alarm_use_the_mean() {
    let p = ff_noufaily();
    let mut checked = 0;
    for name in FF {
        let ds = read_dataset(name);
        let n = ds.observed.len();
        let res = p
            .evaluate(
                &Series::new(ds.observed.clone()),
                264..=n,
                Compat::Published,
            )
            .unwrap();
        for w in res {
            if let (Some(u), Some(mu)) = (w.upperbound, w.expected) {
                let score = w.score.unwrap();
                assert!(
                    close(score, (w.observed - mu) / (u - mu)),
                    "{name} {}",
                    w.week_index
                );
                assert_eq!(w.alarm, Some(w.observed > u && w.observed > 0.0));
                assert!(close(w.mu0.unwrap(), mu));
                checked += 1;
            }
        }
    }
    assert!(checked > 300, "{checked}");
}

#[test]
fn delta_published_mu0_is_the_mean() {
    let p =
        MethodParams::parse(Method::FarringtonFlexible, &["b=5", "weightsThreshold=1"]).unwrap();
    let ds = read_dataset("shadar");
    let n = ds.observed.len();
    let res = p
        .evaluate(
            &Series::new(ds.observed.clone()),
            264..=n,
            Compat::Published,
        )
        .unwrap();
    for w in res.iter().filter(|w| w.expected.is_some()) {
        assert!(close(w.mu0.unwrap(), w.expected.unwrap()));
    }
}

/// (weeks, weeks whose alarm differs, weeks whose upper bound differs)
fn differences(p: &MethodParams, datasets: &[&str], first: usize) -> (usize, usize, usize) {
    let (mut weeks, mut alarm, mut ub) = (0, 0, 0);
    for name in datasets {
        let ds = read_dataset(name);
        let s = Series::new(ds.observed.clone());
        let n = ds.observed.len();
        let r = p.evaluate(&s, first..=n, Compat::R).unwrap();
        let q = p.evaluate(&s, first..=n, Compat::Published).unwrap();
        for (a, b) in r.iter().zip(&q) {
            weeks += 1;
            alarm += usize::from(a.alarm != b.alarm);
            ub += usize::from(a.upperbound != b.upperbound);
        }
    }
    (weeks, alarm, ub)
}

#[test]
fn effect_of_the_quirks_on_the_reference_data() {
    assert_eq!(differences(&ff_noufaily(), &FF, 264), (416, 5, 78));
    let classic =
        MethodParams::parse(Method::FarringtonFlexible, &["b=5", "weightsThreshold=1"]).unwrap();
    assert_eq!(differences(&classic, &FF, 264), (416, 12, 386));
    let c3 = MethodParams::parse(Method::EarsC3, &["alpha=0.001"]).unwrap();
    let all = [
        "abattoir",
        "campyDE",
        "ha.sts_total",
        "hepatitisA",
        "influMen_meningococcus",
        "salmonella.agona",
        "shadar",
    ];
    let (weeks, alarm, _) = differences(&c3, &all, 13);
    assert_eq!((weeks, alarm), (2026, 183));
}

#[test]
fn population_offset_scales_the_expected_count() {
    // With a constant population the offset is absorbed by the intercept;
    // doubling the population of the evaluated week doubles the expectation.
    let ds = read_dataset("salmonella.agona");
    let n = ds.observed.len();
    let plain = ff_noufaily();
    let off = MethodParams::parse(
        Method::FarringtonFlexible,
        &[
            "b=5",
            "noPeriods=10",
            "pastWeeksNotIncluded=26",
            "thresholdMethod=nbPlugin",
            "populationOffset=TRUE",
            "trend=FALSE",
        ],
    )
    .unwrap();
    let no_trend = MethodParams::parse(
        Method::FarringtonFlexible,
        &[
            "b=5",
            "noPeriods=10",
            "pastWeeksNotIncluded=26",
            "thresholdMethod=nbPlugin",
            "trend=FALSE",
        ],
    )
    .unwrap();
    let mut s = Series::new(ds.observed.clone());
    s.population = Some(vec![50_000.0; n]);
    let a = no_trend.evaluate(&s, n..=n, Compat::R).unwrap();
    let b = off.evaluate(&s, n..=n, Compat::R).unwrap();
    assert!(close(a[0].mu0.unwrap(), b[0].mu0.unwrap()));
    assert!(close(a[0].phi.unwrap(), b[0].phi.unwrap()));
    let mut pop = vec![50_000.0; n];
    pop[n - 1] = 100_000.0;
    s.population = Some(pop);
    let c = off.evaluate(&s, n..=n, Compat::R).unwrap();
    assert!(close(c[0].mu0.unwrap(), 2.0 * a[0].mu0.unwrap()));
    // Without populationOffset the population is ignored.
    let d = plain.evaluate(&s, n..=n, Compat::R).unwrap();
    let e = plain
        .evaluate(&Series::new(ds.observed.clone()), n..=n, Compat::R)
        .unwrap();
    assert_eq!(d, e);
}
