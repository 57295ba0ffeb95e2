//! What the tests of the two notices between organisations (discharge, overdose) share: a
//! fixed clock, organisations, an access entry, a message, and a unit with a municipality, a
//! clinician, the municipality's administrator and one person registered by the unit.
#![allow(dead_code)]

use jiff::Timestamp;
use varde_core::audit::Outcome;
use varde_core::org::{OrgId, OrgKind, Qualification, Role};
use varde_core::persons::PersonEvent;
use varde_store::testing::TestDb;
use varde_store::{NewAccess, NoticeMessage};

pub fn now() -> Timestamp {
    "2026-11-24T10:00:00Z".parse().unwrap()
}

pub async fn org(db: &TestDb, kind: OrgKind, slug: &str, kommune: Option<&str>) -> OrgId {
    db.org(kind, slug, kommune, now()).await
}

pub fn access(org: OrgId, user: i64, action: &str) -> NewAccess {
    NewAccess {
        at: now(),
        actor: "u".into(),
        actor_id: user,
        org_id: org.0,
        owner_org_id: org.0,
        action: action.into(),
        subject: "p".repeat(32),
        record: String::new(),
        purpose: "test".into(),
        outcome: Outcome::Allowed,
        flagged: false,
    }
}

pub fn message(id: i64, kind: &str) -> NoticeMessage {
    NoticeMessage {
        message_base: format!("m{id}{kind}"),
        event_type: kind.into(),
        body: "{}".into(),
    }
}

pub struct Setup {
    pub unit: OrgId,
    pub municipality: OrgId,
    pub user: i64,
    pub hook_user: i64,
    pub person: i64,
}

pub async fn setup(db: &TestDb, unit_kind: OrgKind, unit_slug: &str) -> Setup {
    let unit = org(db, unit_kind, unit_slug, None).await;
    let municipality = org(db, OrgKind::Municipality, "oslo", Some("0301")).await;
    let user = db
        .store
        .create_user(
            unit,
            Role::Clinician,
            Qualification::Specialist,
            "k",
            "x",
            now(),
        )
        .await
        .unwrap()
        .0;
    let hook_user = db
        .store
        .create_user(
            municipality,
            Role::OrgAdmin,
            Qualification::Other,
            "a",
            "x",
            now(),
        )
        .await
        .unwrap()
        .0;
    let event = PersonEvent::Registered {
        national_id: "x".into(),
        name: "Ola".into(),
        birth_date: None,
        kommune: Some("0301".into()),
    };
    let person = db
        .store
        .register_person(
            unit,
            user,
            &"p".repeat(32),
            &event,
            &access(unit, user, "person.create"),
            now(),
        )
        .await
        .unwrap();
    Setup {
        unit,
        municipality,
        user,
        hook_user,
        person,
    }
}
