//! The CLI commands' logic, invariance, and checks of new events.

use super::*;

#[test]
fn report_command_prints_the_expected_json_for_the_sample() {
    let out = commands::run_report(
        SAMPLE.as_bytes(),
        "sample.csv",
        date(2025, 1, 1),
        date(2025, 6, 30),
        TODAY,
        commands::Format::Json,
        false,
    );
    assert!(out.ok, "{:?}", out.stderr);
    assert!(out.stderr.is_empty());
    let got: Value = serde_json::from_str(&out.stdout).unwrap();
    let want: Value = serde_json::from_str(SAMPLE_REPORT).unwrap();
    assert!(
        same(&got, &want),
        "the contract: rows under 5 hidden, as definitions.md"
    );
}

#[test]
fn due_command_prints_the_expected_json_for_the_sample() {
    let out = commands::run_due(
        SAMPLE.as_bytes(),
        "sample.csv",
        date(2025, 5, 15),
        TODAY,
        commands::Format::Json,
        false,
    );
    assert!(out.ok, "{:?}", out.stderr);
    let got: Value = serde_json::from_str(&out.stdout).unwrap();
    let want: Value = serde_json::from_str(SAMPLE_DUE).unwrap();
    assert!(same(&got, &want));
    // The contract's fields, nothing more.
    let first = got[0].as_object().unwrap();
    let mut keys: Vec<&str> = first.keys().map(|k| k.as_str()).collect();
    keys.sort_unstable();
    assert_eq!(keys, vec!["due", "next", "pathway_id", "status", "unit"]);
}

#[test]
fn a_broken_rule_fails_the_command_unless_skipped() {
    let body = format!(
        "{HEADER}P1,U,H,R,,outpatient,referral_received,2025-01-02,,,\n\
         P1,U,H,R,,outpatient,evaluation,2025-01-10,,,\n\
         P1,U,H,R,,outpatient,first_attendance,2025-01-10,,,\n"
    );
    let out = commands::run_due(
        body.as_bytes(),
        "ev.csv",
        date(2025, 2, 1),
        TODAY,
        commands::Format::Json,
        false,
    );
    assert!(!out.ok);
    assert!(out.stdout.is_empty());
    assert_eq!(
        out.stderr,
        vec![
            "ev.csv:3: no evaluation before a clinical decision: evaluation 2025-01-10 has no \
             clinical decision on or before it"
                .to_string()
        ]
    );
    let out = commands::run_due(
        body.as_bytes(),
        "ev.csv",
        date(2025, 2, 1),
        TODAY,
        commands::Format::Json,
        true,
    );
    assert!(out.ok);
    assert_eq!(out.stderr.len(), 2);
    assert!(out.stderr[0].starts_with("ev.csv:3: "));
    // The first attendance opens the pathway (definitions.md: "or any later event").
    assert_eq!(
        out.stdout.trim(),
        r#"[{"pathway_id":"P1","unit":"U","next":"clinical_decision","due":"2025-01-31","status":"overdue"}]"#
    );
    // A missing header column fails on line 1 even with --skip-invalid.
    let out = commands::run_report(
        "pathway_id,unit\n".as_bytes(),
        "bad.csv",
        date(2025, 1, 1),
        date(2025, 6, 30),
        TODAY,
        commands::Format::Json,
        true,
    );
    assert!(!out.ok);
    assert_eq!(
        out.stderr,
        vec!["bad.csv:1: header required: column `hf` is missing"]
    );
}

#[test]
fn table_formats_are_readable() {
    let out = commands::run_due(
        SAMPLE.as_bytes(),
        "sample.csv",
        date(2025, 5, 15),
        TODAY,
        commands::Format::Table,
        false,
    );
    assert!(out.ok);
    let first = out.stdout.lines().next().unwrap();
    let items = worklist(&sample(date(2025, 5, 15)), date(2025, 5, 15));
    let (o, d, t) = worklist::status_counts(&items);
    assert_eq!(o + d + t, 58);
    assert_eq!(
        first,
        format!("Worklist 2025-05-15: {o} overdue, {d} due within 3 days, {t} on time")
    );
    assert_eq!(out.stdout.lines().count(), 2 + 58);
    let out = commands::run_report(
        SAMPLE.as_bytes(),
        "sample.csv",
        date(2025, 1, 1),
        date(2025, 6, 30),
        TODAY,
        commands::Format::Table,
        false,
    );
    assert!(out.ok);
    assert!(out.stdout.contains("assessment_within_10_workdays"));
    assert!(out.stdout.contains("67.6 %"));
}

#[test]
fn report_is_the_same_on_grouped_and_shuffled_events() {
    let parsed = read_events(SAMPLE.as_bytes()).unwrap();
    let validated = sample(date(2025, 6, 30));
    let (from, to) = (date(2025, 1, 1), date(2025, 6, 30));
    // Raw parsed events are in file order (shuffled): the hashed grouping path.
    assert_eq!(
        report(&parsed.events, from, to),
        report(&validated, from, to)
    );
    let mut reversed = validated.clone();
    reversed.reverse();
    assert_eq!(report(&reversed, from, to), report(&validated, from, to));
    assert_eq!(
        worklist(&parsed.events, date(2025, 5, 15)),
        worklist(&sample(date(2025, 5, 15)), date(2025, 5, 15))
    );
}

#[test]
fn unit_worklist_waiting_list_and_unassessed_referrals() {
    use EventKind::*;
    let mut e = start("P1", CareLevel::Outpatient, date(2025, 2, 17));
    e.push(ev("P2", ReferralReceived, date(2025, 4, 14)));
    e.extend(start("P3", CareLevel::Outpatient, date(2025, 1, 20)));
    e.push(Event::new(
        "P4",
        "Other",
        CareLevel::Outpatient,
        ReferralReceived,
        date(2025, 1, 2),
    ));
    e.push(
        Event::new(
            "P4",
            "Other",
            CareLevel::Outpatient,
            ReferralAssessed,
            date(2025, 1, 3),
        )
        .with_outcome(Outcome::Right)
        .with_deadline(date(2025, 3, 1)),
    );
    let as_of = date(2025, 2, 1);
    let (items, counts) = worklist::unit_worklist(&e, "U", as_of);
    let ids: Vec<&str> = items.iter().map(|i| i.pathway_id.as_str()).collect();
    assert_eq!(ids, vec!["P3", "P1"]); // most urgent first
    assert_eq!(counts, (1, 0, 1));
    let w = worklist::waiting_list(&e, as_of);
    let flags: Vec<(&str, bool)> = w
        .iter()
        .map(|x| (x.pathway_id.as_str(), x.fristbrudd))
        .collect();
    assert_eq!(flags, vec![("P1", false), ("P3", true), ("P4", false)]);
    assert_eq!(w[0].days_waiting, Some(30));
    let w = worklist::waiting_list(&e, date(2025, 2, 18));
    assert!(w[0].fristbrudd);
    // P2: received Monday 14 April 2025, assess by Friday 2 May (Easter inside).
    let u = worklist::unassessed(&e, date(2025, 5, 2));
    assert_eq!(u.len(), 1);
    assert_eq!(u[0].assess_by, date(2025, 5, 2));
    assert!(!u[0].overdue);
    assert!(worklist::unassessed(&e, date(2025, 5, 5))[0].overdue);
    assert_eq!(
        worklist::assessment_deadline(date(2025, 12, 19)),
        date(2026, 1, 7)
    );
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(12))]

    /// Row order never changes what is valid, the report or the worklist.
    #[test]
    fn results_do_not_depend_on_row_order(
        perm in proptest::strategy::Just((0..1287usize).collect::<Vec<usize>>())
            .prop_shuffle()
    ) {
        let rows: Vec<&str> = SAMPLE.lines().skip(1).collect();
        let mut body = String::from(HEADER);
        for &i in &perm {
            body.push_str(rows[i]);
            body.push('\n');
        }
        let (from, to) = (date(2025, 1, 1), date(2025, 6, 30));
        let a = load(body.as_bytes(), to, TODAY).unwrap();
        proptest::prop_assert!(a.errors.is_empty());
        proptest::prop_assert_eq!(report(&a.events, from, to), report(&sample(to), from, to));
        let as_of = date(2025, 5, 15);
        let b = load(body.as_bytes(), as_of, TODAY).unwrap();
        proptest::prop_assert_eq!(worklist(&b.events, as_of), worklist(&sample(as_of), as_of));
    }
}

#[test]
fn a_new_event_is_checked_against_the_registered_ones() {
    use EventKind::*;
    let registered = valid_pathway("P1");
    let today = date(2025, 6, 1);
    // Another pathway's events do not matter.
    let other = ev("P2", Evaluation, date(2025, 1, 1));
    assert_eq!(
        check_new(&registered, &other, today),
        Err(Rule::EvaluationBeforeDecision(date(2025, 1, 1)))
    );
    // A new evaluation before the end is fine.
    let mut open = registered.clone();
    open.retain(|e| e.kind != PathwayEnd);
    assert_eq!(
        check_new(&open, &ev("P1", Evaluation, date(2025, 4, 20)), today),
        Ok(())
    );
    // An end dated before a registered evaluation would leave that evaluation after the end.
    let early_end =
        ev("P1", PathwayEnd, date(2025, 3, 1)).with_outcome(Outcome::EndReason("avbrutt".into()));
    assert!(matches!(
        check_new(&open, &early_end, today),
        Err(Rule::AfterEnd { .. })
    ));
    // A second referral is a duplicate of a registered event (said so, not by a line number);
    // anything new on the ended pathway is refused as closed; a future date is refused.
    let again = ev("P1", ReferralReceived, date(2025, 1, 3));
    let dup = check_new(&open, &again, today).unwrap_err();
    assert!(
        matches!(dup, Rule::Duplicate { first_line: 0, .. }),
        "{dup:?}"
    );
    assert_eq!(
        dup.to_string(),
        "duplicate event: referral_received on 2025-01-03 (already registered)"
    );
    let second_end =
        ev("P1", PathwayEnd, date(2025, 5, 1)).with_outcome(Outcome::EndReason("x".into()));
    assert!(matches!(
        check_new(&registered, &second_end, today),
        Err(Rule::PathwayClosed { .. })
    ));
    assert_eq!(dup.field(), "event");
    let future = check_new(&open, &ev("P1", Evaluation, date(2025, 7, 1)), today).unwrap_err();
    assert!(matches!(future, Rule::DateInFuture { .. }));
    assert_eq!(future.field(), "date");
}

#[test]
fn each_rule_names_its_field() {
    let d = date(2025, 1, 1);
    for (rule, field) in [
        (Rule::MissingField("hf"), "hf"),
        (Rule::UnknownCareLevel("x".into()), "care_level"),
        (
            Rule::InvalidDate {
                field: "deadline",
                value: "x".into(),
            },
            "deadline",
        ),
        (Rule::UnknownCode("x".into()), "code"),
        (Rule::MissingOutcome(EventKind::PathwayEnd), "outcome"),
        (
            Rule::DeadlineBeforeReferral {
                deadline: d,
                referral: d,
            },
            "deadline",
        ),
        (Rule::TooManyDecisions(d), "event"),
    ] {
        assert_eq!(rule.field(), field, "{rule}");
    }
    // In a file, a duplicate names the line of the row kept.
    let dup = Rule::Duplicate {
        event: EventKind::Evaluation,
        date: d,
        first_line: 7,
    };
    assert_eq!(
        dup.to_string(),
        "duplicate event: evaluation on 2025-01-01 (first on line 7)"
    );
}
