#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use jiff::civil::date;
use proptest::prelude::*;

use super::*;
use crate::monitoring::purity;

fn today() -> Date {
    date(2026, 11, 24)
}

fn read(source: Source, text: &str) -> Parsed {
    parse(source, &mut text.as_bytes(), today())
}

#[test]
fn a_seizure_row_is_normalised_with_its_week_county_and_class() {
    let p = read(
        Source::Seizures,
        "date,agency,municipality,substance,amount,unit,purity_percent\n\
         2026-11-23,police,0301,Protonitazen,2.5,g,12\n",
    );
    assert!(p.refused.is_empty(), "{:?}", p.refused);
    let r = &p.records[0];
    assert_eq!(r.line, 2);
    assert_eq!(r.week, Some(202648));
    assert_eq!(r.county.as_deref(), Some("03"));
    assert_eq!(r.value, Some(2.5));
    assert_eq!(r.findings[0].substance, "protonitazene");
    assert_eq!(
        r.findings[0].class,
        crate::substances::get()
            .by_id("protonitazene")
            .unwrap()
            .class
    );
    assert_eq!(r.findings[0].purity_percent, Some(12.0));
    assert!(r.body.contains("\"agency\":\"police\""));
}

/// Wastewater may be reported per ISO week: the week is kept as its Monday; a week that does
/// not exist, or one that has not begun, is refused on `date`.
#[test]
fn a_wastewater_row_may_name_its_week() {
    let p = read(
        Source::Wastewater,
        "site,municipality,date,substance,mg_per_1000_per_day\n\
         VEAS,0301,2026-W47,kokain,412.5\n\
         VEAS,0301,2025-W53,kokain,400\n\
         VEAS,0301,2026-W49,kokain,400\n",
    );
    assert_eq!(p.records.len(), 1);
    assert_eq!(p.records[0].day, Some(date(2026, 11, 16)));
    assert_eq!(p.records[0].week, Some(202647));
    let refused: Vec<(u64, &str)> = p
        .refused
        .iter()
        .map(|e| (e.line, e.field.as_str()))
        .collect();
    assert_eq!(refused, [(3, "date"), (4, "date")]);
}

#[test]
fn each_source_refuses_its_broken_rows_by_line_and_field() {
    let cases: &[(Source, &str, &str)] = &[
        (Source::Seizures, "agency,date,municipality,substance,amount,unit,purity_percent\npolice,2026-11-01,0301,heroin,-1,g,\n", "amount"),
        (Source::Seizures, "agency,date,municipality,substance,amount,unit,purity_percent\npolice,2026-11-01,0301,heroin,abc,g,\n", "amount"),
        (Source::Seizures, "agency,date,municipality,substance,amount,unit,purity_percent\npolice,2026-11-01,0301,heroin,1,g,101\n", "purity_percent"),
        (Source::Wastewater, "site,municipality,date,substance,mg_per_1000_per_day\nVEAS,0301,2026-11-01,cocaine,-0.1\n", "mg_per_1000_per_day"),
        (Source::SyringeResidue, "site,municipality,date,substances,syringes\nA,0301,2026-11-01,heroin;fentanyl,0\n", "syringes"),
        (Source::Overdoses, "service,date,municipality,substances,outcome,age_band,sex\nambulance,2026-11-01,0301,,fatal,30-20,male\n", "age_band"),
        (Source::Overdoses, "service,date,municipality,substances,outcome,age_band,sex\nambulance,2026-11-01,9999,,fatal,30+,male\n", "municipality"),
        (Source::Deaths, "month,county,substances,icd10\n2026-13,03,heroin,X42\n", "month"),
        (Source::Deaths, "month,county,substances,icd10\n2026-10,99,heroin,X42\n", "county"),
        (Source::Deaths, "month,county,substances,icd10\n2026-10,03,heroin,X4\n", "icd10"),
        (Source::Surveys, "source,year,indicator,value,ci_low,ci_high\nSSB,2025,cannabis,5,6,7\n", "ci_low"),
        (Source::Surveys, "source,year,indicator,value,ci_low,ci_high\nSSB,2025,cannabis,5,4,\n", "ci_high"),
        (Source::RapidAssessments, "municipality,date,text,tags\n0301,2026-12-01,Mer røyking,crack\n", "date"),
    ];
    for (source, text, field) in cases {
        let p = read(*source, text);
        assert!(p.records.is_empty(), "{source:?} {text}");
        assert_eq!(p.refused.len(), 1, "{source:?} {text}");
        assert_eq!(
            (p.refused[0].line, p.refused[0].field.as_str()),
            (2, *field),
            "{text}"
        );
    }
}

#[test]
fn an_identity_number_is_refused_in_any_field_without_its_value() {
    let fnr = (100..500)
        .find_map(|i| crate::ids::synth::with_control_digits(&format!("010190{i:03}")))
        .unwrap();
    assert!(crate::fields::holds_national_id(&fnr));
    let text = format!("municipality,date,text,tags\n0301,2026-11-01,Ring {fnr} i dag,x\n");
    let p = read(Source::RapidAssessments, &text);
    assert_eq!(p.refused[0].field, "text");
    assert!(p.refused[0].rule.contains("identity number"));
    assert!(!p.refused[0].rule.contains(&fnr));
}

#[test]
fn the_header_must_name_every_column_and_no_other() {
    let p = read(
        Source::Wastewater,
        "site,municipality,date,substance,mg_per_1000_per_day,comment\n",
    );
    assert_eq!(p.refused[0].field, "comment");
    assert_eq!(p.refused[0].line, 1);
    let p = read(
        Source::Wastewater,
        "site,municipality,date,substance\nA,0301,2026-11-01,cocaine\n",
    );
    assert_eq!(p.refused[0].field, "mg_per_1000_per_day");
    assert!(p.records.is_empty());
}

#[test]
fn an_unknown_substance_is_refused_with_the_nearest_names() {
    let p = read(
        Source::Wastewater,
        "site,municipality,date,substance,mg_per_1000_per_day\nA,0301,2026-11-01,kokian,3\n",
    );
    assert_eq!(p.refused[0].field, "substance");
    assert!(
        p.refused[0].rule.contains("nearest"),
        "{}",
        p.refused[0].rule
    );
}

#[test]
fn deaths_are_placed_in_their_county_and_month() {
    let p = read(
        Source::Deaths,
        "month,county,substances,icd10\n2023-05,46,heroin;Heroin;fentanyl,f11.2\n",
    );
    let r = &p.records[0];
    assert_eq!(r.day, Some(date(2023, 5, 1)));
    assert_eq!(r.week, None);
    assert_eq!(r.area(), "county:46");
    assert_eq!(
        r.findings.len(),
        2,
        "a substance named twice is one finding"
    );
    assert!(r.body.contains("F11.2"));
}

#[test]
fn age_bands_and_icd10_codes_have_their_shapes() {
    for ok in ["15-24", "0-14", "65+", "unknown"] {
        assert!(rows::age_band("age_band", ok).is_ok(), "{ok}");
    }
    for bad in ["24-15", "15-15", "x", "15", "-5", "200+"] {
        assert!(rows::age_band("age_band", bad).is_err(), "{bad}");
    }
    for ok in ["X42", "F11.2", "t40"] {
        assert!(rows::icd10("icd10", ok).is_ok(), "{ok}");
    }
    for bad in ["42", "X4", "F11.", "F11.23", "XX1"] {
        assert!(rows::icd10("icd10", bad).is_err(), "{bad}");
    }
}

#[test]
fn a_watchlist_seizure_batch_is_one_signal_per_place_and_week() {
    let mut text = String::from("agency,date,municipality,substance,amount,unit,purity_percent\n");
    for d in 16..=22 {
        text.push_str(&format!("police,2026-11-{d},0301,protonitazene,1,g,\n"));
    }
    text.push_str(
        "police,2026-11-23,0301,protonitazene,1,g,\npolice,2026-11-16,4601,heroin,1,g,\n",
    );
    let p = read(Source::Seizures, &text);
    let s = watchlist_signals(Source::Seizures, &p.records, &Watchlist::default());
    assert_eq!(s.len(), 2, "{s:?}");
    assert_eq!((s[0].week.as_str(), s[0].observed), ("2026-W47", 7.0));
    assert_eq!((s[1].week.as_str(), s[1].observed), ("2026-W48", 1.0));
}

#[test]
fn the_purity_rule_needs_ten_findings_and_a_value_above_the_95th_percentile() {
    let h: Vec<f64> = (1..=9).map(f64::from).collect();
    assert_eq!(purity::threshold(&h), None);
    let h: Vec<f64> = (1..=20).map(f64::from).collect();
    assert_eq!(purity::threshold(&h), Some(19.0));
    assert_eq!(purity::is_far_above(19.0, &h), None);
    assert_eq!(purity::is_far_above(19.5, &h), Some(19.0));
    let found = [purity::Found {
        substance: "heroin",
        area: "0301".into(),
        day: today(),
        purity: 80.0,
    }];
    let s = purity::signals("seizures", &found, &|_| h.clone());
    assert_eq!(s.len(), 1);
    assert_eq!((s[0].observed, s[0].threshold), (80.0, Some(19.0)));
}

proptest! {
    /// The threshold is one of the values, at least 95 % of them are at or below it, at most
    /// 5 % above it (those the rule would flag), and a purity above every value is flagged.
    #[test]
    fn the_threshold_is_the_nearest_rank_percentile(v in prop::collection::vec(0.0f64..100.0, 10..200)) {
        let t = purity::threshold(&v).unwrap();
        prop_assert!(v.contains(&t));
        let at_or_below = v.iter().filter(|x| **x <= t).count();
        prop_assert!(at_or_below * 100 >= 95 * v.len());
        let rank = (95 * v.len()).div_ceil(100);
        let below = v.iter().filter(|x| **x < t).count();
        prop_assert!(below < rank);
        let max = v.iter().copied().fold(f64::MIN, f64::max);
        prop_assert_eq!(purity::is_far_above(max + 1.0, &v), Some(t));
    }

    /// Any text in a free-text field never puts its value in a refusal.
    #[test]
    fn a_refusal_never_holds_the_value(text in "[0-9]{11}") {
        let csv = format!("municipality,date,text,tags\n0301,2026-11-01,{text},{text}\n");
        let p = read(Source::RapidAssessments, &csv);
        for e in &p.refused {
            prop_assert!(!e.rule.contains(&text));
        }
    }
}
