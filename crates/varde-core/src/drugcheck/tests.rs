#![allow(clippy::unwrap_used)]

use jiff::civil::date;

use super::*;

fn today() -> Date {
    date(2026, 11, 24)
}

#[test]
fn a_code_has_70_bits_in_the_alphabet_and_reads_back_leniently() {
    let code = Code::mint(u64::MAX, 0x1234_5678_9abc_def0);
    assert_eq!(code.as_str().len(), CODE_LEN);
    const { assert!(CODE_LEN * 5 >= 64) };
    assert!(code.as_str().bytes().all(|b| CROCKFORD.contains(&b)));
    assert_eq!(&code.as_str()[..7], "ZZZZZZZ");
    let grouped = code.grouped();
    assert_eq!(grouped.len(), CODE_LEN + 3);
    assert_eq!(grouped.matches('-').count(), 3);
    assert_eq!(Code::parse(&grouped), Some(code.clone()));
    assert_eq!(Code::parse(&grouped.to_lowercase()), Some(code.clone()));
    let spaced = grouped.replace('-', " ");
    assert_eq!(Code::parse(&format!(" {spaced} ")), Some(code.clone()));
    // Look-alikes read as the digits they look like.
    let c = Code::parse("0000-1111-0000-11").unwrap();
    assert_eq!(Code::parse("oOoO-iIlL-0000-11"), Some(c));
    // Wrong length, a character outside the alphabet.
    assert_eq!(Code::parse("0000-1111-0000-1"), None);
    assert_eq!(Code::parse("0000-1111-0000-111"), None);
    assert_eq!(Code::parse("0000-1111-0000-1U"), None);
    assert_eq!(Code::parse(""), None);
    // Each draw gives its own 35 bits: different draws, different codes.
    assert_ne!(Code::mint(1, 2), Code::mint(2, 1));
    assert_ne!(Code::mint(1 << 34, 0), Code::mint(0, 0));
}

#[test]
fn only_the_hash_is_kept_and_a_wrong_text_hashes_to_no_code() {
    let code = Code::mint(42, 43);
    let h = code.hash();
    assert_eq!(h.len(), 64);
    assert!(!h.contains(code.as_str()));
    assert_eq!(lookup_hash(&code.grouped().to_lowercase()), h);
    assert_ne!(lookup_hash("nonsense"), h);
    assert_eq!(lookup_hash("nonsense").len(), 64);
    assert!(!format!("{code:?}").contains(code.as_str()));
}

fn intake(sold_as: &str, municipality: &str, received_on: &str) -> IntakeInput {
    IntakeInput {
        sold_as: sold_as.into(),
        municipality: municipality.into(),
        received_on: received_on.into(),
    }
}

#[test]
fn an_intake_resolves_what_it_was_sold_as_and_names_every_bad_field() {
    let i = Intake::check(&intake("kokain", "0301", "2026-11-20"), today()).unwrap();
    assert_eq!(i.sold_as_substance.as_deref(), Some("cocaine"));
    let i = Intake::check(&intake("blå pille fra fest", "0301", "2026-11-24"), today()).unwrap();
    assert_eq!(i.sold_as_substance, None);
    let e = Intake::check(&intake("", "9999", "2026-11-25"), today()).unwrap_err();
    let fields: Vec<&str> = e.iter().map(|f| f.field.as_ref()).collect();
    assert_eq!(fields, ["sold_as", "municipality", "received_on"]);
    let id = crate::ids::synth::born(1, 1, 90).unwrap();
    let e =
        Intake::check(&intake(&format!("fra {id}"), "0301", "2026-11-20"), today()).unwrap_err();
    assert_eq!(e[0].field, "sold_as");
    let long = "x".repeat(TEXT_MAX + 1);
    assert!(Intake::check(&intake(&long, "0301", "2026-11-20"), today()).is_err());
}

fn analysis(found: &[(&str, Option<f64>)]) -> AnalysisInput {
    AnalysisInput {
        analysed_on: "2026-11-23".into(),
        method: "GC-MS".into(),
        found: found
            .iter()
            .map(|(s, p)| FoundInput {
                substance: (*s).into(),
                purity_percent: *p,
                amount_mg: None,
            })
            .collect(),
        contaminants: vec!["koffein".into()],
    }
}

#[test]
fn a_result_is_checked_against_the_list_the_dates_and_the_ranges() {
    let received = date(2026, 11, 20);
    let a = Analysis::check(&analysis(&[("protonitazen", Some(2.5))]), received, today()).unwrap();
    assert_eq!(a.found[0].substance, "protonitazene");
    let e = Analysis::check(
        &analysis(&[("heroin", None), ("protonitazine", None)]),
        received,
        today(),
    )
    .unwrap_err();
    assert_eq!(e[0].field, "found[1].substance");
    assert!(e[0].rule.contains("protonitazen"), "{}", e[0].rule);
    let e = Analysis::check(&analysis(&[("heroin", Some(100.5))]), received, today()).unwrap_err();
    assert_eq!(e[0].field, "found[0].purity_percent");
    let mut late = analysis(&[("heroin", None)]);
    late.analysed_on = "2026-11-19".into();
    let e = Analysis::check(&late, received, today()).unwrap_err();
    assert_eq!(e[0].field, "analysed_on");
    late.analysed_on = "2026-11-25".into();
    assert_eq!(
        Analysis::check(&late, received, today()).unwrap_err()[0].field,
        "analysed_on"
    );
    late.analysed_on = "2026-11-20".into();
    late.method = " ".into();
    assert_eq!(
        Analysis::check(&late, received, today()).unwrap_err()[0].field,
        "method"
    );
    let e = Analysis::check(
        &analysis(&[("heroin", None), ("diacetylmorphine", None)]),
        received,
        today(),
    )
    .unwrap_err();
    assert_eq!(e[0].field, "found[1].substance");
}

#[test]
fn a_watchlist_finding_and_a_missold_sample_raise_signals_without_the_code() {
    let received = date(2026, 11, 20);
    let a = Analysis::check(
        &analysis(&[("protonitazene", Some(1.0))]),
        received,
        today(),
    )
    .unwrap();
    let facts = SampleFacts {
        id: 7,
        sold_as: "heroin",
        sold_as_substance: Some("heroin"),
        municipality: "0301",
    };
    let s = signals(&facts, &a, &Watchlist::default());
    assert_eq!(s.len(), 2);
    assert_eq!(s[0].rule, RULE_WATCHLIST);
    assert_eq!(s[0].substance.as_deref(), Some("protonitazene"));
    assert_eq!(s[0].week, "2026-W48");
    assert_eq!(s[0].area, "0301");
    assert_eq!(s[0].dedupe, "drugcheck:7:protonitazene");
    assert!(s[0].detail.contains("sold as heroin"), "{}", s[0].detail);
    assert_eq!(s[1].rule, RULE_MISSOLD);
    assert_ne!(s[0].dedupe, s[1].dedupe);
    // Sold as what it held, nothing on the watchlist: no signal.
    let a = Analysis::check(&analysis(&[("heroin", Some(30.0))]), received, today()).unwrap();
    assert!(signals(&facts, &a, &Watchlist::default()).is_empty());
    // Free text "sold as": only the watchlist rule applies.
    let free = SampleFacts {
        sold_as_substance: None,
        sold_as: "ukjent pulver",
        ..facts
    };
    let a = Analysis::check(&analysis(&[("cocaine", None)]), received, today()).unwrap();
    assert!(signals(&free, &a, &Watchlist::default()).is_empty());
}

#[test]
fn the_summary_hides_small_cells() {
    let counts = vec![
        ("2026-10".to_owned(), "cocaine".to_owned(), 7),
        ("2026-10".to_owned(), "heroin".to_owned(), 2),
        ("2026-11".to_owned(), "mdma".to_owned(), 5),
    ];
    let analysed = vec![("2026-10".to_owned(), 9), ("2026-11".to_owned(), 3)];
    let s = summary(&counts, &analysed);
    assert_eq!(s[0].month, "2026-11");
    assert_eq!(s[0].analysed, None);
    assert_eq!(s[0].cells[0].samples, Some(5));
    assert_eq!(s[1].analysed, Some(9));
    assert_eq!(
        s[1].cells[0],
        SummaryCell {
            substance: "cocaine".into(),
            samples: Some(7)
        }
    );
    assert_eq!(s[1].cells[1].samples, None);
}
