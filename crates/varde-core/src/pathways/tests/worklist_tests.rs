//! The worklist: next measurement point, due dates, care levels.

use super::*;

#[test]
fn worklist_first_attendance_due_on_the_legal_deadline() {
    let events = start("P1", CareLevel::Outpatient, date(2025, 2, 17));
    use EventKind::FirstAttendance;
    assert_eq!(
        next_of(&events, date(2025, 2, 1)),
        Some((FirstAttendance, date(2025, 2, 17), Status::OnTime))
    );
    assert_eq!(
        next_of(&events, date(2025, 2, 14)),
        Some((FirstAttendance, date(2025, 2, 17), Status::DueSoon))
    );
    assert_eq!(
        next_of(&events, date(2025, 2, 17)),
        Some((FirstAttendance, date(2025, 2, 17), Status::DueSoon))
    );
    assert_eq!(
        next_of(&events, date(2025, 2, 18)),
        Some((FirstAttendance, date(2025, 2, 17), Status::Overdue))
    );
    // 4 days ahead is on time.
    assert_eq!(
        next_of(&events, date(2025, 2, 13)).map(|x| x.2),
        Some(Status::OnTime)
    );
}

#[test]
fn worklist_skips_closed_and_rightless_pathways() {
    use EventKind::*;
    let mut no_deadline = start("P1", CareLevel::Outpatient, date(2025, 2, 17));
    no_deadline[1].deadline = None;
    assert!(worklist(&no_deadline, date(2025, 2, 1)).is_empty());
    let no_right = vec![
        ev("P2", ReferralReceived, date(2025, 1, 2)),
        ev("P2", ReferralAssessed, date(2025, 1, 6)).with_outcome(Outcome::NoRight),
    ];
    assert!(worklist(&no_right, date(2025, 2, 1)).is_empty());
    let only_received = vec![ev("P3", ReferralReceived, date(2025, 1, 2))];
    assert!(worklist(&only_received, date(2025, 2, 1)).is_empty());
    let ended = valid_pathway("P4");
    assert!(worklist(&ended, date(2025, 5, 1)).is_empty());
    // Before its end the same pathway is open.
    assert_eq!(worklist(&ended, date(2025, 4, 29)).len(), 1);
}

#[test]
fn worklist_limits_by_care_level() {
    use EventKind::*;
    for (level, decision_days, detox_days, eval_gap) in [
        (CareLevel::Outpatient, 21, 3, 56),
        (CareLevel::Inpatient, 7, 0, 42),
    ] {
        let mut e = start("P1", level, date(2025, 2, 17));
        e.push(Event::new(
            "P1",
            "U",
            level,
            FirstAttendance,
            date(2025, 1, 20),
        ));
        assert_eq!(
            next_of(&e, date(2025, 1, 21)).map(|x| (x.0, x.1)),
            Some((
                ClinicalDecision,
                crate::calendar::add_days(date(2025, 1, 20), decision_days)
            ))
        );
        e.push(Event::new("P1", "U", level, DetoxEnd, date(2025, 1, 24)));
        assert_eq!(
            next_of(&e, date(2025, 1, 24)).map(|x| (x.0, x.1)),
            Some((
                TreatmentStart,
                crate::calendar::add_days(date(2025, 1, 24), detox_days)
            ))
        );
        e.push(Event::new(
            "P1",
            "U",
            level,
            TreatmentStart,
            date(2025, 1, 25),
        ));
        e.push(
            Event::new("P1", "U", level, ClinicalDecision, date(2025, 1, 27))
                .with_outcome(Outcome::Decision(DecisionCode::CT)),
        );
        assert_eq!(
            next_of(&e, date(2025, 1, 28)).map(|x| (x.0, x.1)),
            Some((Evaluation, date(2025, 2, 3)))
        );
        e.push(Event::new("P1", "U", level, Evaluation, date(2025, 2, 3)));
        assert_eq!(
            next_of(&e, date(2025, 2, 4)).map(|x| (x.0, x.1)),
            Some((
                Evaluation,
                crate::calendar::add_days(date(2025, 2, 3), eval_gap)
            ))
        );
        // A second decision after the evaluation asks for a new first evaluation.
        e.push(
            Event::new("P1", "U", level, ClinicalDecision, date(2025, 2, 10))
                .with_outcome(Outcome::Decision(DecisionCode::CT)),
        );
        assert_eq!(
            next_of(&e, date(2025, 2, 11)).map(|x| (x.0, x.1)),
            Some((Evaluation, date(2025, 2, 17)))
        );
    }
}

#[test]
fn worklist_uses_the_latest_rows_unit_and_level() {
    use EventKind::*;
    let mut e = start("P1", CareLevel::Outpatient, date(2025, 2, 17));
    e.push(Event::new(
        "P1",
        "Døgn",
        CareLevel::Inpatient,
        FirstAttendance,
        date(2025, 1, 20),
    ));
    let items = worklist(&e, date(2025, 1, 21));
    assert_eq!(items[0].unit, "Døgn");
    assert_eq!(items[0].due, date(2025, 1, 27)); // inpatient: + 7
}

#[test]
fn pregnant_pathway_has_its_own_limits() {
    use EventKind::*;
    let mut e: Vec<Event> = start("P1", CareLevel::Outpatient, date(2025, 2, 17))
        .into_iter()
        .map(|x| x.with_variant(Variant::Pregnant))
        .collect();
    e.push(ev("P1", FirstAttendance, date(2025, 1, 20)).with_variant(Variant::Pregnant));
    assert_eq!(
        next_of(&e, date(2025, 1, 21)).map(|x| x.1),
        Some(date(2025, 1, 27))
    );
    e.push(
        ev("P1", ClinicalDecision, date(2025, 1, 24))
            .with_outcome(Outcome::Decision(DecisionCode::CT)),
    );
    // Outpatient pregnant: decision + 14.
    assert_eq!(
        next_of(&e, date(2025, 1, 25)).map(|x| x.1),
        Some(date(2025, 2, 7))
    );
    e.push(ev("P1", Evaluation, date(2025, 2, 7)));
    assert_eq!(
        next_of(&e, date(2025, 2, 8)).map(|x| x.1),
        Some(date(2025, 3, 21))
    );
    e.push(ev("P1", DetoxEnd, date(2025, 2, 10)));
    assert_eq!(
        next_of(&e, date(2025, 2, 10)).map(|x| (x.0, x.1)),
        Some((TreatmentStart, date(2025, 2, 10)))
    );
}

#[test]
fn worklist_across_a_year_boundary() {
    use EventKind::*;
    let e = vec![
        ev("P1", ReferralReceived, date(2025, 12, 15)),
        ev("P1", ReferralAssessed, date(2025, 12, 19)).with_outcome(Outcome::Right),
        ev("P1", FirstAttendance, date(2025, 12, 22)),
    ];
    assert_eq!(
        next_of(&e, date(2026, 1, 5)),
        Some((ClinicalDecision, date(2026, 1, 12), Status::OnTime))
    );
    assert_eq!(
        next_of(&e, date(2026, 1, 13)).map(|x| x.2),
        Some(Status::Overdue)
    );
}

#[test]
fn line_numbers_with_crlf_endings() {
    let csv = HEADER.replace('\n', "\r\n")
        + "P1,U,H,R,,outpatient,referral_received,2025-01-02,,,\r\n\
           P1,U,H,R,,outpatient,bogus,2025-01-03,,,\r\n";
    let p = read_events(csv.as_bytes()).unwrap();
    assert_eq!(p.events[0].line, 2);
    assert_eq!(p.errors[0].line, 3);
    // The shared sample uses CRLF; its row for P0083's involvement is on line 762.
    let p = read_events(SAMPLE.as_bytes()).unwrap();
    let row = p
        .events
        .iter()
        .find(|e| &*e.pathway_id == "P0083" && e.kind == EventKind::TreatmentPlanInvolvement)
        .unwrap();
    assert_eq!(row.line, 762);
    assert_eq!(p.events.len(), 1287);
}
