#![allow(clippy::unwrap_used)]

use super::draft::{self, DraftInput, TextInput};
use super::*;

fn now() -> Timestamp {
    "2026-12-06T12:00:00+01:00".parse().unwrap()
}

fn t(nb: &str) -> TextInput {
    TextInput {
        nb: nb.into(),
        en: None,
    }
}

pub(super) fn input() -> DraftInput {
    DraftInput {
        title: t("Protonitazen solgt som oksykodon"),
        substance: "protonitazene".into(),
        sold_as: Some("oksykodon 80 mg".into()),
        areas: vec!["0301".into(), "county:46".into()],
        severity: "extreme".into(),
        description: t("Funnet i tabletter levert til rusmiddelanalyse."),
        advice_public: t("Ikke bruk alene. Ha nalokson tilgjengelig."),
        advice_services: t("Ha nalokson klart."),
        expires: "2027-01-05T12:00:00+01:00".into(),
        ..DraftInput::default()
    }
}

fn ada() -> Actor {
    Actor {
        id: 1,
        name: "ada".into(),
    }
}
fn bo() -> Actor {
    Actor {
        id: 2,
        name: "bo".into(),
    }
}

#[test]
fn a_good_draft_parses_with_defaults() {
    let c = draft::parse(&input(), now()).unwrap();
    assert_eq!(c.substance, "protonitazene");
    assert_eq!(c.urgency, Urgency::Immediate);
    assert_eq!(
        c.areas,
        vec![Area::County("46".into()), Area::Municipality("0301".into())]
    );
    assert_eq!(
        c.missing_english(),
        vec!["title", "description", "advice_public", "advice_services"]
    );
}

#[test]
fn bad_drafts_name_every_field() {
    let mut i = input();
    i.areas.clear();
    i.expires = "2026-12-01T00:00:00+01:00".into();
    i.substance = "protonitazine".into();
    i.title = t(&"x".repeat(161));
    i.severity = "high".into();
    let e = draft::parse(&i, now()).unwrap_err();
    let fields: Vec<&str> = e.iter().map(|e| e.field.as_ref()).collect();
    for f in ["areas", "expires", "substance", "title", "severity"] {
        assert!(fields.contains(&f), "{f} in {fields:?}");
    }
    let mut i = input();
    i.expires = "2027-03-07T12:00:00+01:00".into();
    assert_eq!(
        draft::parse(&i, now()).unwrap_err()[0].rule,
        "at most 90 days ahead"
    );
    i.expires = "2027-01-01T12:00:00".into();
    assert_eq!(draft::parse(&i, now()).unwrap_err()[0].field, "expires");
    let mut i = input();
    i.areas = vec!["9999".into()];
    assert_eq!(draft::parse(&i, now()).unwrap_err()[0].field, "areas");
    let mut i = input();
    i.advice_public.nb = format!("Ring {} nå", crate::ids::synth::born(1, 1, 90).unwrap());
    assert_eq!(
        draft::parse(&i, now()).unwrap_err()[0].field,
        "advice_public"
    );
}

#[test]
fn the_author_never_approves_their_own_version() {
    let mut w = Warning::new("OVS-1");
    let c = draft::parse(&input(), now()).unwrap();
    let drafted = Event::Drafted {
        version: 1,
        content: Box::new(c.clone()),
    };
    w.check(&drafted, &ada()).unwrap();
    w.apply(&drafted, ada(), now());
    assert_eq!(w.status(now()), Status::Draft);
    assert_eq!(
        w.check(&Event::Approved { version: 1 }, &ada()),
        Err(Refusal::OwnVersion)
    );
    w.check(&Event::Approved { version: 1 }, &bo()).unwrap();
    w.apply(&Event::Approved { version: 1 }, bo(), now());
    assert_eq!(w.status(now()), Status::Published);
    assert!(w.public_in_force(now()));
    // An update by bo is approved by ada, never by bo.
    let update = Event::Drafted {
        version: 2,
        content: Box::new(c.clone()),
    };
    w.check(&update, &bo()).unwrap();
    w.apply(&update, bo(), now());
    assert_eq!(w.published().unwrap().number, 1);
    assert_eq!(
        w.check(&Event::Approved { version: 2 }, &bo()),
        Err(Refusal::OwnVersion)
    );
    assert!(matches!(
        w.check(&Event::Approved { version: 1 }, &ada()),
        Err(Refusal::State(_))
    ));
    w.apply(&Event::Approved { version: 2 }, ada(), now());
    assert_eq!(w.published().unwrap().number, 2);
    assert_eq!(w.approved_versions().count(), 2);
    // Cancelled: no update, no second cancel.
    let cancel = Event::Cancelled {
        reason: "Feil stoff".into(),
    };
    w.check(&cancel, &ada()).unwrap();
    w.apply(&cancel, ada(), now());
    assert_eq!(w.status(now()), Status::Cancelled);
    assert!(w.check(&cancel, &ada()).is_err());
    assert!(w
        .check(
            &Event::Drafted {
                version: 3,
                content: Box::new(c)
            },
            &ada()
        )
        .is_err());
}

#[test]
fn expiry_and_drills_leave_the_public_view() {
    let mut w = Warning::new("OVS-2");
    let mut c = draft::parse(&input(), now()).unwrap();
    w.apply(
        &Event::Drafted {
            version: 1,
            content: Box::new(c.clone()),
        },
        ada(),
        now(),
    );
    w.apply(&Event::Approved { version: 1 }, bo(), now());
    let later: Timestamp = "2027-01-05T12:00:00+01:00".parse().unwrap();
    assert_eq!(w.status(later), Status::Expired);
    assert!(!w.public_in_force(later));
    c.exercise = true;
    let mut drill = Warning::new("OVS-3");
    drill.apply(
        &Event::Drafted {
            version: 1,
            content: Box::new(c),
        },
        ada(),
        now(),
    );
    drill.apply(&Event::Approved { version: 1 }, bo(), now());
    assert!(!drill.public_in_force(now()));
    assert!(!drill.public());
}

#[test]
fn subscribers_get_what_overlaps_and_is_severe_enough() {
    let c = draft::parse(&input(), now()).unwrap();
    let bergen = Area::Municipality("4601".into());
    let trondheim = Area::Municipality("5001".into());
    assert!(subscriber_matches(&[], None, &c));
    assert!(subscriber_matches(&[bergen], Some(Severity::Severe), &c));
    assert!(!subscriber_matches(
        std::slice::from_ref(&trondheim),
        None,
        &c
    ));
    assert!(subscriber_matches(&[Area::National], None, &c));
    let mut minor = c.clone();
    minor.severity = Severity::Minor;
    assert!(!subscriber_matches(&[], Some(Severity::Moderate), &minor));
    assert!(Area::County("50".into()).overlaps(&trondheim));
    assert!(!Area::County("46".into()).overlaps(&trondheim));
}

#[test]
fn events_round_trip_as_json() {
    let c = draft::parse(&input(), now()).unwrap();
    for e in [
        Event::Drafted {
            version: 1,
            content: Box::new(c),
        },
        Event::Approved { version: 1 },
        Event::Cancelled { reason: "r".into() },
    ] {
        let s = serde_json::to_string(&e).unwrap();
        assert_eq!(serde_json::from_str::<Event>(&s).unwrap(), e);
    }
}

#[test]
fn retries_back_off_and_go_on_for_a_day() {
    let created = 0;
    let d = |attempts, jitter| next_attempt(attempts, created, 1_000, jitter).unwrap() - 1_000;
    assert_eq!(d(1, 0.5), 5_000);
    assert_eq!(d(2, 0.5), 10_000);
    assert_eq!(d(3, 0.5), 20_000);
    assert_eq!(d(30, 0.5), RETRY_MAX_MS);
    assert_eq!(d(1, 0.0), 3_750);
    assert_eq!(d(1, 0.999_999), 6_249);
    // Every attempt inside the day is retried; the first after it is given up.
    let mut now = created;
    let mut attempts = 0;
    while let Some(next) = next_attempt(attempts + 1, created, now, 0.0) {
        attempts += 1;
        now = next;
    }
    assert!(now >= RETRY_FOR_MS, "{now}");
    assert!(attempts > 20, "{attempts}");
}

#[test]
fn words_are_taken_in_the_api_s_or_cap_s_case() {
    assert_eq!(
        Severity::parse("severity", "Extreme").unwrap(),
        Severity::Extreme
    );
    assert_eq!(
        Urgency::parse("urgency", " immediate ").unwrap(),
        Urgency::Immediate
    );
    assert_eq!(
        FoundBy::parse("found_by", "Drug checking").unwrap(),
        FoundBy::DrugChecking
    );
    assert_eq!(
        Certainty::parse("certainty", "sure").unwrap_err().rule,
        "one of observed, likely, possible, unlikely, unknown"
    );
}
