#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The CSV contract end to end: all reference datasets in one input file,
//! evaluated through `csvio::run`, agree with R's result files.

mod common;
use common::*;
use varde_signal::{csvio, Compat, Method, MethodParams};

fn input_csv(datasets: &[&str]) -> String {
    let mut s = String::from("series,week_index,year,week,observed,population\n");
    for name in datasets {
        let text =
            std::fs::read_to_string(testdata().join("data").join(format!("{name}.csv"))).unwrap();
        for line in text.lines().skip(1) {
            let f: Vec<&str> = line.split(',').map(|x| x.trim_matches('"')).collect();
            let pop = if f[6] == "NA" { "" } else { f[6] };
            s.push_str(&format!(
                "{},{},{},{},{},{}\n",
                f[0], f[1], f[2], f[3], f[5], pop
            ));
        }
    }
    s
}

fn check(method: Method, params: &[&str], r_method: &str, datasets: &[&str]) {
    let p = MethodParams::parse(method, params).unwrap();
    let mut errs = vec![];
    for name in datasets {
        let r = read_results(name, r_method);
        let mut out = Vec::new();
        csvio::run(
            input_csv(&[name]).as_bytes(),
            &mut out,
            &p,
            Compat::R,
            r.len(),
        )
        .unwrap();
        let text = String::from_utf8(out).unwrap();
        let rows: Vec<&str> = text.lines().skip(1).collect();
        assert_eq!(rows.len(), r.len());
        for (line, rr) in rows.iter().zip(&r) {
            let f: Vec<&str> = line.split(',').collect();
            assert_eq!(f[0], *name);
            assert_eq!(f[1].parse::<usize>().unwrap(), rr.week_index);
            let ctx = format!("{name} {r_method} week {}", rr.week_index);
            cmp_opt("observed", &ctx, num(f[2]), Some(rr.observed), &mut errs);
            cmp_opt("upperbound", &ctx, num(f[3]), rr.upperbound, &mut errs);
            cmp_opt(
                "alarm",
                &ctx,
                num(f[4]),
                rr.alarm.map(|a| if a { 1.0 } else { 0.0 }),
                &mut errs,
            );
            if rr.expected.is_some() {
                cmp_opt("expected", &ctx, num(f[5]), rr.expected, &mut errs);
            }
        }
    }
    assert!(errs.is_empty(), "{errs:#?}");
}

const FF: [&str; 5] = [
    "salmonella.agona",
    "ha.sts_total",
    "shadar",
    "influMen_meningococcus",
    "campyDE",
];

#[test]
fn ff_noufaily_through_csv() {
    check(
        Method::FarringtonFlexible,
        &[
            "b=5",
            "w=3",
            "reweight=TRUE",
            "weightsThreshold=2.58",
            "glmWarnings=FALSE",
            "alpha=0.05",
            "trend=TRUE",
            "pThresholdTrend=0.05",
            "limit54=c(5,4)",
            "powertrans=2/3",
            "fitFun=algo.farrington.fitGLM.flexible",
            "populationOffset=FALSE",
            "noPeriods=10",
            "pastWeeksNotIncluded=26",
            "thresholdMethod=nbPlugin",
        ],
        "ff_noufaily",
        &FF,
    );
}

#[test]
fn ff_noufaily_by_iso_week_dates_through_csv() {
    // campyDE's year/week are ISO weeks of Monday dates: epochAsDate=TRUE
    // derives the same dates R used.
    check(
        Method::FarringtonFlexible,
        &[
            "b=5",
            "noPeriods=10",
            "pastWeeksNotIncluded=26",
            "thresholdMethod=nbPlugin",
            "epochAsDate=TRUE",
        ],
        "ff_noufaily_bydate",
        &["campyDE"],
    );
}

#[test]
fn epoch_as_date_needs_consecutive_iso_weeks() {
    let p = MethodParams::parse(Method::FarringtonFlexible, &["epochAsDate=TRUE"]).unwrap();
    let text = "series,week_index,year,week,observed,population\ns,1,2020,52,1,\ns,2,2021,1,1,\n";
    // 2020 has 53 ISO weeks: week 52 is not followed by 2021-W01.
    match csvio::run(text.as_bytes(), &mut Vec::new(), &p, Compat::R, 1) {
        Err(varde_signal::Error::Input { series, line, .. }) => {
            assert_eq!((series.as_str(), line), ("s", 3))
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn ff_classic_through_csv() {
    check(
        Method::FarringtonFlexible,
        &[
            "b=5",
            "w=3",
            "weightsThreshold=1",
            "noPeriods=1",
            "pastWeeksNotIncluded=3",
            "thresholdMethod=delta",
        ],
        "ff_classic",
        &FF,
    );
}

#[test]
fn others_through_csv() {
    let all = [
        "salmonella.agona",
        "ha.sts_total",
        "shadar",
        "influMen_meningococcus",
        "campyDE",
        "abattoir",
        "hepatitisA",
    ];
    check(
        Method::Farrington,
        &[
            "b=5",
            "w=3",
            "alpha=0.05",
            "fitFun=algo.farrington.fitGLM.fast",
        ],
        "farrington_classic",
        &FF,
    );
    check(
        Method::EarsC1,
        &["baseline=7", "minSigma=0", "alpha=0.001"],
        "earsC_C1",
        &all,
    );
    check(
        Method::EarsC2,
        &["baseline=7", "minSigma=0", "alpha=0.001"],
        "earsC_C2",
        &all,
    );
    check(
        Method::EarsC3,
        &["method=C3", "baseline=7", "minSigma=0", "alpha=0.001"],
        "earsC_C3",
        &all,
    );
    check(
        Method::Cusum,
        &["k=1.04", "h=2.26", "m=NULL", "trans=standard"],
        "cusum_standard",
        &all,
    );
    check(
        Method::GlrPoisson,
        &[
            "alpha=0",
            "c.ARL=5",
            "Mtilde=1",
            "M=-1",
            "change=intercept",
            "dir=inc",
            "ret=cases",
            "mu0=NULL",
        ],
        "glrpois_cases",
        &all,
    );
}

#[test]
fn many_series_in_one_file() {
    let p = MethodParams::parse(Method::EarsC1, &["alpha=0.001"]).unwrap();
    let text = input_csv(&["shadar", "ha.sts_total"]);
    let mut out = Vec::new();
    let n = csvio::run(text.as_bytes(), &mut out, &p, Compat::R, 10).unwrap();
    assert_eq!(n, 20);
    let s = String::from_utf8(out).unwrap();
    assert_eq!(s.lines().filter(|l| l.starts_with("shadar,")).count(), 10);
    assert_eq!(
        s.lines().filter(|l| l.starts_with("ha.sts_total,")).count(),
        10
    );
}
