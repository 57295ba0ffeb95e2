//! Discharge notices' storage, on SQLite and PostgreSQL: a raise writes the notice, its event,
//! one outbox row per active subscriber of the municipality and its access entry together; a
//! step expecting a stale version writes nothing; a list logs one entry per notice read; the
//! shared outbox claims the notices' deliveries apart from the warnings'.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use jiff::civil::date;
use jiff::Timestamp;
use varde_core::audit::Outcome;
use varde_core::coordination::discharge::{Notice, RaiseFields, Step};
use varde_core::org::{OrgId, OrgKind, Qualification, Role};
use varde_core::persons::PersonEvent;
use varde_store::testing::TestDb;
use varde_store::{
    AccessFilter, DischargeMessage, DischargeRaise, DischargeStep, NewAccess, NewOrg, Outbox,
    StoreError,
};

fn now() -> Timestamp {
    "2026-11-24T10:00:00Z".parse().unwrap()
}

async fn org(db: &TestDb, kind: OrgKind, slug: &str, kommune: Option<&str>) -> OrgId {
    db.store
        .ensure_org(
            &NewOrg {
                kind,
                name: slug.into(),
                slug: slug.into(),
                kommunenummer: kommune.map(str::to_owned),
                orgnr: None,
                parent_id: None,
            },
            now(),
        )
        .await
        .unwrap()
}

fn access(org: OrgId, user: i64, action: &str) -> NewAccess {
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

fn message(id: i64, kind: &str) -> DischargeMessage {
    DischargeMessage {
        message_base: format!("m{id}{kind}"),
        event_type: kind.into(),
        body: "{}".into(),
    }
}

struct Setup {
    unit: OrgId,
    municipality: OrgId,
    user: i64,
    hook_user: i64,
    person: i64,
}

async fn setup(db: &TestDb) -> Setup {
    let unit = org(db, OrgKind::TreatmentUnit, "tsb", None).await;
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

async fn raise(db: &TestDb, s: &Setup) -> i64 {
    let raise = RaiseFields {
        expected_discharge: "2026-12-01".into(),
        no_home: true,
        ..Default::default()
    }
    .check(date(2026, 11, 24))
    .unwrap();
    let make = |id: i64| message(id, "coordination.discharge.raised");
    db.store
        .discharge_raise(&DischargeRaise {
            unit_org: s.unit,
            municipality_org: s.municipality,
            kommune: "0301",
            person_id: s.person,
            pseudonym: &"p".repeat(32),
            raise: &raise,
            actor_id: s.user,
            at: now(),
            access: &access(s.unit, s.user, "coordination.discharge.write"),
            message: &make,
        })
        .await
        .unwrap()
}

async fn a_raise_and_its_deliveries_commit_together(db: &TestDb) {
    let s = setup(db).await;
    db.store
        .discharge_webhook_create(
            s.municipality,
            "http://example.org/h",
            "whsec_AAAA",
            s.hook_user,
            "t",
        )
        .await
        .unwrap();
    let before = db.store.discharge_stamp(s.municipality).await.unwrap();
    let id = raise(db, &s).await;
    assert_ne!(
        db.store.discharge_stamp(s.municipality).await.unwrap(),
        before
    );
    let deliveries = db
        .store
        .discharge_deliveries(s.municipality, 10)
        .await
        .unwrap();
    assert_eq!(deliveries.len(), 1);
    assert_eq!(deliveries[0].notice_id, id);
    // The shared outbox: the warnings' claims none, the notices' claims it.
    let t = now().as_millisecond();
    assert!(db
        .store
        .outbox_claim(Outbox::Warnings, "w", t, 60_000, 5)
        .await
        .unwrap()
        .is_empty());
    let claimed = db
        .store
        .outbox_claim(Outbox::CoordinationDischarge, "w", t, 60_000, 5)
        .await
        .unwrap();
    assert_eq!(claimed.len(), 1);
    assert_eq!(claimed[0].outbox, Outbox::CoordinationDischarge);
    assert!(
        db.store
            .outbox_claim(Outbox::CoordinationDischarge, "v", t, 60_000, 5)
            .await
            .unwrap()
            .is_empty(),
        "leased"
    );
}

async fn a_stale_step_writes_nothing(db: &TestDb) {
    let s = setup(db).await;
    let id = raise(db, &s).await;
    let (notice, version): (Notice, i64) = db.store.discharge_state(id).await.unwrap();
    assert_eq!(version, 1);
    let step = Step::Ready {
        on: date(2026, 11, 24),
    };
    let after = notice.clone().apply(&step);
    let entry = access(s.unit, s.user, "coordination.discharge.write");
    let m = message(id, "x");
    let write = |v: i64| DischargeStep {
        id,
        expected_version: v,
        step: &step,
        after: &after,
        actor_id: s.user,
        actor_org: s.unit,
        at: now(),
        access: &entry,
        message: &m,
    };
    let log_before = db
        .store
        .access_log(&AccessFilter {
            limit: 100,
            ..Default::default()
        })
        .await
        .unwrap()
        .len();
    let err = db.store.discharge_step(&write(0)).await.unwrap_err();
    assert!(matches!(err, StoreError::Changed(_)), "{err:?}");
    assert_eq!(db.store.discharge_state(id).await.unwrap().1, 1);
    assert_eq!(
        db.store
            .read_stream(&format!("coordination_discharge:{id}"))
            .await
            .unwrap()
            .len(),
        1
    );
    let log_after = db
        .store
        .access_log(&AccessFilter {
            limit: 100,
            ..Default::default()
        })
        .await
        .unwrap()
        .len();
    assert_eq!(log_before, log_after);
    db.store.discharge_step(&write(1)).await.unwrap();
    let (n, v) = db.store.discharge_state(id).await.unwrap();
    assert_eq!((n.ready_on, v), (Some(date(2026, 11, 24)), 2));
    // Discharged notices of the year, for the national figures.
    assert!(db
        .store
        .discharge_discharged_in(2026)
        .await
        .unwrap()
        .is_empty());
}

async fn a_list_logs_each_notice(db: &TestDb) {
    let s = setup(db).await;
    raise(db, &s).await;
    raise(db, &s).await;
    let before = db
        .store
        .access_log(&AccessFilter {
            limit: 100,
            ..Default::default()
        })
        .await
        .unwrap()
        .len();
    let entry = |_: &varde_store::StoredNotice, p: &str| {
        let mut a = access(s.municipality, s.hook_user, "coordination.discharge.read");
        a.subject = p.to_owned();
        a
    };
    let list = db
        .store
        .discharge_list_logged(s.municipality, true, 50, &entry)
        .await
        .unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0].person_name, "Ola");
    let after = db
        .store
        .access_log(&AccessFilter {
            limit: 100,
            ..Default::default()
        })
        .await
        .unwrap()
        .len();
    assert_eq!(after, before + 2);
    // The unit's list is its own; another municipality's is empty.
    assert_eq!(
        db.store
            .discharge_list_logged(s.unit, false, 50, &entry)
            .await
            .unwrap()
            .len(),
        2
    );
    assert!(db
        .store
        .discharge_list_logged(s.unit, true, 50, &entry)
        .await
        .unwrap()
        .is_empty());
}

varde_store::conformance!(
    a_raise_and_its_deliveries_commit_together,
    a_stale_step_writes_nothing,
    a_list_logs_each_notice,
);
