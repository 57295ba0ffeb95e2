#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use jiff::civil::{date, DateTime};

use super::*;

fn now() -> DateTime {
    date(2026, 12, 7).at(12, 0, 0, 0)
}

fn fields() -> RegisterFields {
    RegisterFields {
        occurred_at: "2026-12-06T22:30".into(),
        service: "ambulance".into(),
        consent_by: "person".into(),
        consent_until: "2027-01-05".into(),
        given_how: "oral".into(),
        ..Default::default()
    }
}

fn adult() -> Option<Date> {
    Some(date(1990, 5, 1))
}

#[test]
fn a_registration_is_checked() {
    let r = fields().check(adult(), now()).unwrap();
    assert_eq!(r.service, Service::Ambulance);
    assert_eq!(r.consent_by, ConsentBy::Person);
    assert_eq!(r.consent_until, date(2027, 1, 5));
}

#[test]
fn every_rule_of_a_registration_is_named() {
    let f = RegisterFields {
        occurred_at: "2026-12-08T10:00".into(),
        service: "taxi".into(),
        consent_by: "".into(),
        consent_until: "".into(),
        given_how: "telepathy".into(),
        ..Default::default()
    };
    let errs = f.check(adult(), now()).unwrap_err();
    let names: Vec<&str> = errs.iter().map(|e| e.field.as_ref()).collect();
    for f in [
        "occurred_at",
        "service",
        "consent_by",
        "consent_until",
        "given_how",
    ] {
        assert!(names.contains(&f), "{f} in {names:?}");
    }
}

#[test]
fn the_consent_needs_an_end_within_ninety_days() {
    let mut f = fields();
    f.consent_until = "2027-06-01".into();
    assert_eq!(
        f.check(adult(), now()).unwrap_err()[0].field,
        "consent_until"
    );
    f.consent_until = "2026-12-01".into();
    assert_eq!(
        f.check(adult(), now()).unwrap_err()[0].field,
        "consent_until"
    );
}

#[test]
fn an_overdose_more_than_a_week_ago_is_refused() {
    let mut f = fields();
    f.occurred_at = "2026-11-30T11:00".into();
    assert_eq!(f.check(adult(), now()).unwrap_err()[0].field, "occurred_at");
    f.occurred_at = "2026-11-30T12:00".into();
    assert!(f.check(adult(), now()).is_ok());
}

#[test]
fn under_sixteen_a_guardian_consents_by_name() {
    let child = Some(date(2011, 1, 1));
    let errs = fields().check(child, now()).unwrap_err();
    assert_eq!(errs[0].field, "consent_by");
    let mut f = fields();
    f.consent_by = "guardian".into();
    assert_eq!(f.check(child, now()).unwrap_err()[0].field, "guardian_name");
    f.guardian_name = "Kari Nordmann".into();
    let r = f.check(child, now()).unwrap();
    assert_eq!(
        r.consent_by,
        ConsentBy::Guardian {
            name: "Kari Nordmann".into()
        }
    );
    // Sixteen on the day: the person consents.
    assert!(fields().check(Some(date(2010, 12, 6)), now()).is_ok());
}

#[test]
fn hours_left_of_the_risk_week_with_a_fixed_clock() {
    let at = date(2026, 12, 6).at(22, 30, 0, 0);
    assert_eq!(hours_left(at, at), 168);
    assert_eq!(hours_left(at, now()), 168 - 13);
    assert_eq!(hours_left(at, date(2026, 12, 13).at(22, 30, 0, 0)), 0);
    assert_eq!(hours_left(at, date(2026, 12, 14).at(0, 30, 0, 0)), -2);
}

#[test]
fn attempts_and_closing_follow_the_rules() {
    let r = fields().check(adult(), now()).unwrap();
    let n = Notice::new(r);
    assert_eq!(n.status(), Status::Open);
    assert_eq!(n.hours_left(now()), Some(155));
    let empty = StepFields::default();
    assert_eq!(empty.parse("attempt", now()).unwrap_err().field, "means");
    assert_eq!(empty.parse("close", now()).unwrap_err().field, "outcome");
    assert_eq!(empty.parse("skip", now()).unwrap_err().field, "step");
    let early = StepFields {
        at: "2026-12-06T20:00".into(),
        means: "phone".into(),
        ..Default::default()
    };
    let s = early.parse("attempt", now()).unwrap();
    assert_eq!(n.check(&s, now()).unwrap_err().field, "at");
    let late = StepFields {
        at: "2026-12-07T13:00".into(),
        means: "phone".into(),
        ..Default::default()
    };
    let s = late.parse("attempt", now()).unwrap();
    assert_eq!(n.check(&s, now()).unwrap_err().field, "at");
    let call = StepFields {
        at: "2026-12-07T09:00".into(),
        means: "phone".into(),
        ..Default::default()
    }
    .parse("attempt", now())
    .unwrap();
    n.check(&call, now()).unwrap();
    let n = n.apply(&call);
    assert_eq!(n.status(), Status::Attempted);
    let link = StepFields {
        outcome: "linked_to_plan".into(),
        ..Default::default()
    };
    assert_eq!(link.parse("close", now()).unwrap_err().field, "plan");
    let stray = StepFields {
        outcome: "reached".into(),
        plan: "4".into(),
        ..Default::default()
    };
    assert_eq!(stray.parse("close", now()).unwrap_err().field, "plan");
    let close = StepFields {
        outcome: "linked_to_plan".into(),
        plan: "4".into(),
        ..Default::default()
    }
    .parse("close", now())
    .unwrap();
    n.check(&close, now()).unwrap();
    let n = n.apply(&close);
    assert_eq!(n.status(), Status::Closed);
    assert_eq!(n.outcome, Some(Outcome::LinkedToPlan));
    assert_eq!(n.plan, Some(4));
    assert_eq!(n.hours_left(now()), None);
    assert_eq!(n.check(&call, now()).unwrap_err().field, "step");
}

#[test]
fn the_monitoring_row_is_anonymous_and_parses() {
    let r = fields().check(adult(), now()).unwrap();
    let csv = monitoring_row(&r, "0301", adult());
    assert!(!csv.contains("1990"));
    let parsed = crate::monitoring::sources::parse(
        crate::monitoring::sources::Source::Overdoses,
        &mut csv.as_bytes(),
        now().date(),
    );
    assert!(parsed.refused.is_empty(), "{:?}", parsed.refused);
    assert_eq!(parsed.records.len(), 1);
    let rec = &parsed.records[0];
    assert_eq!(rec.municipality.as_deref(), Some("0301"));
    assert!(rec.body.contains("\"age_band\":\"35-44\""), "{}", rec.body);
    assert!(rec.body.contains("non_fatal"));
    assert_eq!(age_band(Some(date(2011, 1, 1)), date(2026, 12, 6)), "15-24");
    assert_eq!(age_band(None, date(2026, 12, 6)), "unknown");
}
