//! Tests of [`EventFields`] and [`write_events_csv`]: the text form of an event round-trips
//! through the row rules and through the export.

use std::collections::BTreeSet;

use proptest::prelude::*;

use super::*;
use crate::pathways::model::{CareLevel, DecisionCode, Event, EventKind, Outcome, Variant};
use crate::pathways::rules::Rule;

const SAMPLE: &str = include_str!("../../testdata/pathways/sample.csv");

fn sample() -> Vec<Event> {
    let parsed = read_events(SAMPLE.as_bytes()).unwrap();
    assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
    parsed.events
}

fn valid() -> EventFields {
    EventFields {
        pathway_id: "P1".into(),
        unit: "Bergen Klinikk rus".into(),
        hf: "Helse Bergen HF".into(),
        rhf: "Helse Vest RHF".into(),
        kommune: "4601".into(),
        care_level: "outpatient".into(),
        event: "referral_assessed".into(),
        date: "2025-01-10".into(),
        code: String::new(),
        outcome: "right".into(),
        deadline: "2025-02-10".into(),
        pathway_variant: String::new(),
    }
}

#[test]
fn every_sample_event_round_trips_through_its_fields() {
    // The shared sample predates the diagnosis: one is added.
    let mut events = sample();
    events.push(
        Event::new(
            "P9",
            "Unit",
            CareLevel::Outpatient,
            EventKind::Diagnosis,
            jiff::civil::date(2025, 3, 1),
        )
        .with_outcome(Outcome::Diagnosis("F11.2".into())),
    );
    let kinds: BTreeSet<EventKind> = events.iter().map(|e| e.kind).collect();
    assert_eq!(kinds.len(), EventKind::ALL.len(), "every kind");
    for e in &events {
        let fields = EventFields::of(e);
        let back = fields.parse(e.line).unwrap();
        assert_eq!(&back, e, "{fields:?}");
        assert_eq!(fields.parse(0).unwrap(), e.clone().with_line(0));
        // Again through JSON, the form of the API and the store.
        let json = serde_json::to_string(&fields).unwrap();
        let again: EventFields = serde_json::from_str(&json).unwrap();
        assert_eq!(again, fields);
    }
}

#[test]
fn variants_and_codes_round_trip() {
    let e = Event::new(
        "P9",
        "Unit",
        CareLevel::Inpatient,
        EventKind::ClinicalDecision,
        jiff::civil::date(2025, 3, 1),
    )
    .with_outcome(Outcome::Decision(DecisionCode::CT))
    .with_variant(Variant::Pregnant);
    let mut e = e;
    e.code = Some("D01CT".into());
    let f = EventFields::of(&e);
    assert_eq!(f.pathway_variant, "pregnant");
    assert_eq!(f.outcome, "CT");
    assert_eq!(f.code, "D01CT");
    assert_eq!(f.parse(0).unwrap(), e);
    let standard = EventFields::of(&e.clone().with_variant(Variant::Standard));
    assert_eq!(standard.pathway_variant, "standard");
    assert_eq!(standard.parse(0).unwrap().variant, Variant::Standard);
}

#[test]
fn missing_keys_in_json_default_to_empty() {
    let f: EventFields = serde_json::from_str(
        r#"{"pathway_id":"P1","unit":"U","hf":"H","rhf":"R","care_level":"outpatient","event":"referral_received","date":"2025-01-01"}"#,
    )
    .unwrap();
    assert_eq!(f.pathway_variant, "");
    assert_eq!(f.code, "");
    let e = f.parse(3).unwrap();
    assert_eq!(e.line, 3);
    assert_eq!(e.variant, Variant::Standard);
    assert_eq!(e.kind, EventKind::ReferralReceived);
}

#[test]
fn fields_are_trimmed_like_csv_fields() {
    let mut f = valid();
    f.pathway_id = "  P1 ".into();
    f.event = " referral_assessed\t".into();
    let e = f.parse(0).unwrap();
    assert_eq!(&*e.pathway_id, "P1");
    assert_eq!(e, valid().parse(0).unwrap());
}

#[test]
fn parse_errors_name_the_rule() {
    type Change = fn(&mut EventFields);
    let cases: Vec<(Change, Rule)> = vec![
        (|f| f.pathway_id.clear(), Rule::MissingField("pathway_id")),
        (|f| f.unit.clear(), Rule::MissingField("unit")),
        (|f| f.hf.clear(), Rule::MissingField("hf")),
        (|f| f.rhf = " ".into(), Rule::MissingField("rhf")),
        (
            |f| f.unit = "Enhet\u{0}A".into(),
            Rule::Malformed("column `unit` contains a NUL character".into()),
        ),
        (
            |f| f.care_level = "day".into(),
            Rule::UnknownCareLevel("day".into()),
        ),
        (
            |f| f.event = "referral".into(),
            Rule::UnknownEvent("referral".into()),
        ),
        (
            |f| f.date = "2025-13-01".into(),
            Rule::InvalidDate {
                field: "date",
                value: "2025-13-01".into(),
            },
        ),
        (
            |f| f.deadline = "10.02.2025".into(),
            Rule::InvalidDate {
                field: "deadline",
                value: "10.02.2025".into(),
            },
        ),
        (
            |f| f.outcome.clear(),
            Rule::MissingOutcome(EventKind::ReferralAssessed),
        ),
        (
            |f| f.outcome = "maybe".into(),
            Rule::UnknownOutcome {
                event: EventKind::ReferralAssessed,
                value: "maybe".into(),
            },
        ),
        (|f| f.code = "X99".into(), Rule::UnknownCode("X99".into())),
        (
            |f| f.code = "D01CT".into(),
            Rule::CodeDisagrees {
                code: "D01CT".into(),
                event: EventKind::ReferralAssessed,
            },
        ),
        (
            |f| f.pathway_variant = "child".into(),
            Rule::UnknownVariant("child".into()),
        ),
    ];
    for (change, rule) in cases {
        let mut f = valid();
        change(&mut f);
        let err = f.parse(7).unwrap_err();
        assert_eq!(err.rule, rule, "{f:?}");
        assert_eq!(err.line, 7);
        let pid = (!f.pathway_id.trim().is_empty()).then(|| "P1".to_owned());
        assert_eq!(err.pathway_id, pid);
        // The same row in a file gives the same rule.
        let mut csv = Vec::new();
        write_events_csv(&mut csv, &[f]).unwrap();
        let parsed = read_events(csv.as_slice()).unwrap();
        assert_eq!(parsed.errors.len(), 1);
        assert_eq!(parsed.errors[0].rule, rule);
        assert_eq!(parsed.errors[0].line, 2);
    }
}

#[test]
fn export_then_import_gives_the_same_events() {
    let events = sample();
    let fields: Vec<EventFields> = events.iter().map(EventFields::of).collect();
    let mut out = Vec::new();
    write_events_csv(&mut out, &fields).unwrap();
    let text = String::from_utf8(out.clone()).unwrap();
    assert!(text.starts_with(
        "pathway_id,unit,hf,rhf,kommune,care_level,event,date,code,outcome,deadline,pathway_variant\n"
    ));
    let back = read_events(out.as_slice()).unwrap();
    assert!(back.errors.is_empty(), "{:?}", back.errors);
    assert_eq!(back.events.len(), events.len());
    for (i, (a, b)) in back.events.iter().zip(&events).enumerate() {
        assert_eq!(a.line, i as u64 + 2);
        assert_eq!(a, &b.clone().with_line(a.line));
    }
}

#[test]
fn export_of_nothing_is_the_header() {
    let mut out = Vec::new();
    write_events_csv(&mut out, &[]).unwrap();
    let back = read_events(out.as_slice()).unwrap();
    assert!(back.events.is_empty() && back.errors.is_empty());
}

/// Text that stresses the CSV writer: separators, quotes, line breaks, padding, non-ASCII.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        1 => Just(String::new()),
        4 => "[a-zA-Z0-9 ]{1,8}",
        2 => "[ ,\"\r\n\tæøåÆØÅ;a-c0-9-]{0,10}",
    ]
}

fn date_text() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => (2000i16..2030, 1i8..=12, 1i8..=28)
            .prop_map(|(y, m, d)| format!("{y:04}-{m:02}-{d:02}")),
        1 => text(),
    ]
}

fn one_of(values: &'static [&'static str]) -> impl Strategy<Value = String> {
    prop_oneof![
        4 => proptest::sample::select(values).prop_map(str::to_owned),
        1 => text(),
    ]
}

fn any_fields() -> impl Strategy<Value = EventFields> {
    let kinds: &'static [&'static str] = &[
        "referral_received",
        "referral_assessed",
        "pathway_start",
        "first_attendance",
        "clinical_decision",
        "detox_end",
        "treatment_start",
        "evaluation",
        "treatment_plan_involvement",
        "feedback_tool_used",
        "pathway_end",
    ];
    (
        (text(), text(), text(), text(), text()),
        one_of(&["outpatient", "inpatient"]),
        one_of(kinds),
        date_text(),
        prop_oneof![
            6 => Just(String::new()),
            4 => one_of(&["D01", "D01CT", "D01CU", "D01UF", "D11", "D01L"]),
        ],
        one_of(&["", "right", "no_right", "CT", "D01CI", "completed"]),
        date_text(),
        one_of(&["", "standard", "pregnant"]),
    )
        .prop_map(
            |(
                (pathway_id, unit, hf, rhf, kommune),
                care_level,
                event,
                date,
                code,
                outcome,
                deadline,
                pathway_variant,
            )| EventFields {
                pathway_id,
                unit,
                hf,
                rhf,
                kommune,
                care_level,
                event,
                date,
                code,
                outcome,
                deadline,
                pathway_variant,
            },
        )
}

proptest! {
    /// Whatever the fields, the export read back gives, row by row, what `parse` gives: the
    /// same event or the same rule (rows that are blank throughout are skipped by the reader).
    #[test]
    fn export_round_trips_like_parse(rows in proptest::collection::vec(any_fields(), 0..12)) {
        let mut out = Vec::new();
        write_events_csv(&mut out, &rows).unwrap();
        let back = read_events(out.as_slice()).unwrap();
        let mut events = back.events.into_iter();
        let mut errors = back.errors.into_iter();
        let mut line = 2u64;
        for f in &rows {
            let blank = f.columns().iter().all(|c| c.trim_ascii().is_empty());
            if !blank {
                match f.parse(line) {
                    Ok(e) => {
                        let got = events.next().expect("an event");
                        prop_assert_eq!(&got, &e);
                        // An event's own text form gives it back.
                        prop_assert_eq!(EventFields::of(&got).parse(0).unwrap(), e.with_line(0));
                    }
                    Err(err) => {
                        let got = errors.next().expect("an error");
                        prop_assert_eq!(got.line, line);
                        prop_assert_eq!(got.rule, err.rule);
                        prop_assert_eq!(got.pathway_id, err.pathway_id);
                    }
                }
            }
            // A row spans as many lines as it has line breaks, plus one.
            let breaks = f.columns().iter().map(|c| c.matches('\n').count()).sum::<usize>();
            line += breaks as u64 + 1;
        }
        prop_assert!(events.next().is_none());
        prop_assert!(errors.next().is_none());
    }
}
