#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Scores candidate methods per series family on simulated outbreaks
//! (`varde_sim::monitoring`), published mode, last 100 weeks.
//!
//! Run: `cargo run --release -p varde-signal --example choose_defaults [seeds]`

use varde_signal::score::{score, AlarmRow, Outbreak};
use varde_signal::{csvio, Compat, Method, MethodParams};

fn main() {
    let seeds: u64 = std::env::args().nth(1).map_or(3, |s| s.parse().unwrap());
    let candidates: Vec<(&str, Method, Vec<&str>)> = vec![
        (
            "ff noufaily b=3 a=.05",
            Method::FarringtonFlexible,
            vec![
                "b=3",
                "noPeriods=10",
                "pastWeeksNotIncluded=26",
                "thresholdMethod=nbPlugin",
            ],
        ),
        (
            "ff noufaily b=3 a=.01",
            Method::FarringtonFlexible,
            vec![
                "b=3",
                "noPeriods=10",
                "pastWeeksNotIncluded=26",
                "thresholdMethod=nbPlugin",
                "alpha=0.01",
            ],
        ),
        (
            "ff noufaily b=3 a=.01 date",
            Method::FarringtonFlexible,
            vec![
                "b=3",
                "noPeriods=10",
                "pastWeeksNotIncluded=26",
                "thresholdMethod=nbPlugin",
                "alpha=0.01",
                "epochAsDate=TRUE",
            ],
        ),
        (
            "ff noufaily b=3 a=.05 date",
            Method::FarringtonFlexible,
            vec![
                "b=3",
                "noPeriods=10",
                "pastWeeksNotIncluded=26",
                "thresholdMethod=nbPlugin",
                "epochAsDate=TRUE",
            ],
        ),
        (
            "ff noufaily b=3 a=.005 date",
            Method::FarringtonFlexible,
            vec![
                "b=3",
                "noPeriods=10",
                "pastWeeksNotIncluded=26",
                "thresholdMethod=nbPlugin",
                "alpha=0.005",
                "epochAsDate=TRUE",
            ],
        ),
        (
            "ff noufaily b=3 a=.005",
            Method::FarringtonFlexible,
            vec![
                "b=3",
                "noPeriods=10",
                "pastWeeksNotIncluded=26",
                "thresholdMethod=nbPlugin",
                "alpha=0.005",
            ],
        ),
        (
            "ff noufaily b=3 muan .05",
            Method::FarringtonFlexible,
            vec![
                "b=3",
                "noPeriods=10",
                "pastWeeksNotIncluded=26",
                "thresholdMethod=muan",
            ],
        ),
        (
            "ff classic b=3 a=.05",
            Method::FarringtonFlexible,
            vec!["b=3", "weightsThreshold=1"],
        ),
        ("farrington b=3 a=.05", Method::Farrington, vec!["b=3"]),
        ("ears C1 a=.001", Method::EarsC1, vec!["alpha=0.001"]),
        ("ears C2 a=.001", Method::EarsC2, vec!["alpha=0.001"]),
        ("ears C3 a=.025", Method::EarsC3, vec![]),
        ("cusum standard", Method::Cusum, vec![]),
        ("glr-poisson c.ARL=5", Method::GlrPoisson, vec![]),
    ];
    let families = ["ambulance", "drugcheck", "seizures", "deaths"];
    println!("family     method                      outbreaks  sens   spec    ppv   median-delay alarms/100w");
    for fam in families {
        for (label, method, params) in &candidates {
            let p = MethodParams::parse(*method, params).unwrap();
            let mut truth_all = Vec::new();
            let mut alarms_all = Vec::new();
            for seed in 1..=seeds {
                let m = varde_sim::monitoring::generate(seed);
                let mut buf = Vec::new();
                m.write_series(&mut buf).unwrap();
                let input: Vec<_> = csvio::read_series(buf.as_slice())
                    .unwrap()
                    .into_iter()
                    .filter(|s| s.name.starts_with(&format!("{fam}:")))
                    .collect();
                let res = csvio::evaluate_all(
                    &input,
                    &p,
                    Compat::Published,
                    varde_sim::monitoring::EVAL_WEEKS,
                )
                .unwrap();
                for (name, weeks) in res {
                    for w in weeks {
                        alarms_all.push(AlarmRow {
                            series: format!("{seed}/{name}"),
                            week_index: w.week_index,
                            alarm: w.alarm,
                        });
                    }
                }
                for o in m
                    .truth
                    .iter()
                    .filter(|o| o.series.starts_with(&format!("{fam}:")))
                {
                    truth_all.push(Outbreak {
                        series: format!("{seed}/{}", o.series),
                        start: o.start,
                        length: o.length,
                        place: o.place.to_string(),
                        size: o.size as f64,
                    });
                }
            }
            let s = score(&truth_all, &alarms_all);
            let series_count = alarms_all.len() as f64 / varde_sim::monitoring::EVAL_WEEKS as f64;
            println!(
                "{fam:10} {label:27} {:9} {:5.3} {:6.4} {:6.3} {:>12} {:8.2}",
                s.outbreaks,
                s.sensitivity,
                s.specificity,
                s.ppv,
                s.median_weeks_to_detection
                    .map_or("-".into(), |d| format!("{d}")),
                s.alarm_weeks as f64 / series_count
            );
        }
    }
}
