//! Parsing of the event CSV: row rules, header, lines.

use super::*;

#[test]
fn parse_reads_a_row_with_its_line() {
    let p = parse_ok(
        "P1,U,H,R,0301,outpatient,referral_received,2025-01-02,,,\n\
         P1,U,H,R,0301,outpatient,referral_assessed,2025-01-06,,right,2025-02-15\n",
    );
    assert!(p.errors.is_empty(), "{:?}", p.errors);
    assert_eq!(p.events.len(), 2);
    assert_eq!(p.events[0].line, 2);
    assert_eq!(p.events[1].line, 3);
    assert_eq!(p.events[1].kind, EventKind::ReferralAssessed);
    assert_eq!(p.events[1].outcome, Some(Outcome::Right));
    assert_eq!(p.events[1].deadline, Some(date(2025, 2, 15)));
    assert_eq!(&*p.events[1].kommune, "0301");
}

#[test]
fn parse_accepts_any_column_order_and_extra_columns() {
    let csv =
        "extra,date,event,care_level,pathway_id,unit,hf,rhf,kommune,code,outcome,deadline,more\n\
               x,2025-03-03,clinical_decision,inpatient,P9,U,H,R,,D01CT,,,y\n";
    let p = read_events(csv.as_bytes()).unwrap();
    assert!(p.errors.is_empty(), "{:?}", p.errors);
    assert_eq!(
        p.events[0].outcome,
        Some(Outcome::Decision(DecisionCode::CT))
    );
    assert_eq!(p.events[0].care_level, CareLevel::Inpatient);
}

#[test]
fn parse_requires_the_header() {
    let err = read_events("".as_bytes()).unwrap_err();
    assert!(matches!(
        err,
        FileError::Header(RowError {
            line: 1,
            rule: Rule::MissingHeader,
            ..
        })
    ));
    let err = read_events(
        "pathway_id,unit,hf,rhf,kommune,care_level,event,date,code,outcome\n".as_bytes(),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "1: header required: column `deadline` is missing"
    );
    // A file that starts with data instead of a header.
    let err = read_events("P1,U,H,R,0301,outpatient,referral_received,2025-01-02,,,\n".as_bytes())
        .unwrap_err();
    assert!(matches!(err, FileError::Header(_)));
}

#[test]
fn parse_counts_lines_across_quoted_newlines() {
    let p = parse_ok(
        "P1,\"Unit\nwith newline\",H,R,,outpatient,referral_received,2025-01-02,,,\n\
         P1,U,H,R,,outpatient,bogus,2025-01-03,,,\n",
    );
    assert_eq!(p.events[0].line, 2);
    assert_eq!(p.errors.len(), 1);
    assert_eq!(p.errors[0].line, 4);
}

#[test]
fn parse_refuses_bad_rows_naming_the_rule() {
    let rules = row_rules(
        "P1,U,H,R,,outpatient,bogus,2025-01-02,,,\n\
         P1,U,H,R,,daycare,evaluation,2025-01-02,,,\n\
         P1,U,H,R,,outpatient,evaluation,2025-02-30,,,\n\
         P1,U,H,R,,outpatient,evaluation,02.01.2025,,,\n\
         P1,U,H,R,,outpatient,referral_assessed,2025-01-02,,maybe,\n\
         P1,U,H,R,,outpatient,referral_assessed,2025-01-02,,,\n\
         P1,U,H,R,,outpatient,clinical_decision,2025-01-02,,XX,\n\
         P1,U,H,R,,outpatient,clinical_decision,2025-01-02,,,\n\
         P1,U,H,R,,outpatient,clinical_decision,2025-01-02,D01CT,CU,\n\
         P1,U,H,R,,outpatient,evaluation,2025-01-02,D01CT,,\n\
         P1,U,H,R,,outpatient,evaluation,2025-01-02,Z99,,\n\
         P1,U,H,R,,outpatient,pathway_end,2025-01-02,,,\n\
         ,U,H,R,,outpatient,evaluation,2025-01-02,,,\n\
         P1,U,H,R,,outpatient,referral_assessed,2025-01-02,,right,2025-13-01\n",
    );
    let lines: Vec<u64> = rules.iter().map(|r| r.0).collect();
    assert_eq!(lines, (2..=15).collect::<Vec<u64>>());
    assert!(matches!(rules[0].1, Rule::UnknownEvent(_)));
    assert!(matches!(rules[1].1, Rule::UnknownCareLevel(_)));
    assert!(matches!(
        rules[2].1,
        Rule::InvalidDate { field: "date", .. }
    ));
    assert!(matches!(
        rules[3].1,
        Rule::InvalidDate { field: "date", .. }
    ));
    assert!(matches!(rules[4].1, Rule::UnknownOutcome { .. }));
    assert!(matches!(
        rules[5].1,
        Rule::MissingOutcome(EventKind::ReferralAssessed)
    ));
    assert!(matches!(rules[6].1, Rule::UnknownOutcome { .. }));
    assert!(matches!(
        rules[7].1,
        Rule::MissingOutcome(EventKind::ClinicalDecision)
    ));
    assert!(matches!(rules[8].1, Rule::CodeDisagrees { .. }));
    assert!(matches!(rules[9].1, Rule::CodeDisagrees { .. }));
    assert!(matches!(rules[10].1, Rule::UnknownCode(_)));
    assert!(matches!(
        rules[11].1,
        Rule::MissingOutcome(EventKind::PathwayEnd)
    ));
    assert!(matches!(rules[12].1, Rule::MissingField("pathway_id")));
    assert!(matches!(
        rules[13].1,
        Rule::InvalidDate {
            field: "deadline",
            ..
        }
    ));
    assert_eq!(
        rules[9].1.to_string(),
        "code disagrees with its event: `D01CT` on evaluation"
    );
}

#[test]
fn decision_code_alone_gives_the_outcome() {
    let p = parse_ok("P1,U,H,R,,outpatient,clinical_decision,2025-01-02,D01CK,,\n");
    assert_eq!(
        p.events[0].outcome,
        Some(Outcome::Decision(DecisionCode::CK))
    );
}

#[test]
fn parse_reads_the_optional_variant_column() {
    let csv = "pathway_id,unit,hf,rhf,kommune,care_level,event,date,code,outcome,deadline,pathway_variant\n\
               P1,U,H,R,,outpatient,first_attendance,2025-01-02,,,,pregnant\n\
               P2,U,H,R,,outpatient,first_attendance,2025-01-02,,,,\n\
               P3,U,H,R,,outpatient,first_attendance,2025-01-02,,,,twins\n";
    let p = read_events(csv.as_bytes()).unwrap();
    assert_eq!(p.events[0].variant, Variant::Pregnant);
    assert_eq!(p.events[1].variant, Variant::Standard);
    assert!(matches!(p.errors[0].rule, Rule::UnknownVariant(_)));
}

#[test]
fn a_diagnosis_names_a_substance_use_code_of_icd10_in_its_outcome() {
    let p = parse_ok(
        "P1,U,H,R,,outpatient,diagnosis,2025-01-02,,F11.2,\n\
         P2,U,H,R,,outpatient,diagnosis,2025-01-02,,f12,\n",
    );
    let outcomes: Vec<&str> = p
        .events
        .iter()
        .filter_map(|e| e.outcome.as_ref().map(Outcome::as_str))
        .collect();
    assert_eq!(outcomes, ["F11.2", "F12"]);
    let rules = row_rules(
        "P1,U,H,R,,outpatient,diagnosis,2025-01-02,,F20.0,\n\
         P2,U,H,R,,outpatient,diagnosis,2025-01-02,,,\n\
         P3,U,H,R,,outpatient,diagnosis,2025-01-02,,F11.234,\n\
         P4,U,H,R,,outpatient,diagnosis,2025-01-02,D01CT,F11,\n",
    );
    assert!(matches!(rules[0].1, Rule::UnknownOutcome { .. }));
    assert!(matches!(
        rules[1].1,
        Rule::MissingOutcome(EventKind::Diagnosis)
    ));
    assert!(matches!(rules[2].1, Rule::UnknownOutcome { .. }));
    assert!(matches!(rules[3].1, Rule::CodeDisagrees { .. }));
    assert_eq!(rules.len(), 4);
}
