#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Simulated monitoring series → CSV contract → family default → scoring.

use varde_signal::score::{read_alarms, read_truth, score};
use varde_signal::{csvio, family_default, Compat, MethodParams};

#[test]
fn family_defaults_detect_simulated_outbreaks() {
    let m = varde_sim::monitoring::generate(11);
    let mut series_csv = Vec::new();
    m.write_series(&mut series_csv).unwrap();
    let mut truth_csv = Vec::new();
    m.write_truth(&mut truth_csv).unwrap();
    let all = csvio::read_series(series_csv.as_slice()).unwrap();
    let truth = read_truth(truth_csv.as_slice()).unwrap();
    for (family, min_sens, min_spec) in [("ambulance", 0.5, 0.98), ("deaths", 0.5, 0.99)] {
        let (method, params) = family_default(family).unwrap();
        let p = MethodParams::parse(method, params).unwrap();
        let input: Vec<_> = all
            .iter()
            .filter(|s| s.name.starts_with(&format!("{family}:")))
            .cloned()
            .collect();
        let res = csvio::evaluate_all(
            &input,
            &p,
            Compat::Published,
            varde_sim::monitoring::EVAL_WEEKS,
        )
        .unwrap();
        let mut out = Vec::new();
        csvio::write_results(
            &mut out,
            res.iter()
                .flat_map(|(n, r)| r.iter().map(move |w| (n.as_str(), w))),
        )
        .unwrap();
        let alarms = read_alarms(out.as_slice()).unwrap();
        let s = score(&truth, &alarms);
        assert!(s.outbreaks > 3, "{family}: {s:?}");
        assert!(s.sensitivity >= min_sens, "{family}: {s:?}");
        assert!(s.specificity >= min_spec, "{family}: {s:?}");
    }
}
