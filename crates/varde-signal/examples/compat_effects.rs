#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! How much the R-compat quirks matter: runs every reference dataset in both
//! modes and counts weeks whose alarm, trend decision or upper bound differ.
//!
//! Run: `cargo run --release -p varde-signal --example compat_effects`

use varde_signal::{csvio, Compat, Method, MethodParams};

fn main() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/data");
    let mut input = String::from("series,week_index,year,week,observed,population\n");
    let mut names = vec![];
    for e in std::fs::read_dir(&dir).unwrap() {
        names.push(e.unwrap().path());
    }
    names.sort();
    for p in &names {
        for line in std::fs::read_to_string(p).unwrap().lines().skip(1) {
            let f: Vec<&str> = line.split(',').map(|x| x.trim_matches('"')).collect();
            input.push_str(&format!("{},{},{},{},{},\n", f[0], f[1], f[2], f[3], f[5]));
        }
    }
    let series = csvio::read_series(input.as_bytes()).unwrap();
    let cases: Vec<(&str, Method, Vec<&str>, usize)> = vec![
        (
            "ff_noufaily",
            Method::FarringtonFlexible,
            vec![
                "b=5",
                "noPeriods=10",
                "pastWeeksNotIncluded=26",
                "thresholdMethod=nbPlugin",
            ],
            264,
        ),
        (
            "ff_classic",
            Method::FarringtonFlexible,
            vec!["b=5", "weightsThreshold=1"],
            264,
        ),
        ("earsC_C3", Method::EarsC3, vec!["alpha=0.001"], 13),
    ];
    for (label, m, params, first) in cases {
        let p = MethodParams::parse(m, &params).unwrap();
        let (mut weeks, mut alarm_diff, mut ub_diff, mut r_alarms, mut pub_alarms) =
            (0, 0, 0, 0, 0);
        for s in &series {
            let n = s.series.observed.len();
            if n < first {
                continue;
            }
            let range = first..=n;
            let r = p.evaluate(&s.series, range.clone(), Compat::R).unwrap();
            let q = p.evaluate(&s.series, range, Compat::Published).unwrap();
            for (a, b) in r.iter().zip(&q) {
                weeks += 1;
                alarm_diff += usize::from(a.alarm != b.alarm);
                ub_diff += usize::from(a.upperbound != b.upperbound);
                r_alarms += usize::from(a.alarm == Some(true));
                pub_alarms += usize::from(b.alarm == Some(true));
            }
        }
        println!("{label:12} weeks {weeks:5}  alarms R {r_alarms:4} published {pub_alarms:4}  alarm differs {alarm_diff:4}  upperbound differs {ub_diff:4}");
    }
}
