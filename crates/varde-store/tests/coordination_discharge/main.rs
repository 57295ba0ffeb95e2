//! Discharge notices' storage, on SQLite and PostgreSQL: a raise writes the notice, its event,
//! one outbox row per active subscriber of the municipality and its access entry together; a
//! step expecting a stale version writes nothing; a list logs one entry per notice read; the
//! shared outbox claims the notices' deliveries apart from the warnings'.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use jiff::civil::date;
use varde_core::coordination::discharge::{Notice, RaiseFields, Step};
use varde_core::org::OrgKind;
use varde_store::testing::TestDb;
use varde_store::{AccessFilter, DischargeRaise, DischargeStep, Outbox, StoreError};

#[path = "../notice_fixture/mod.rs"]
mod notice_fixture;
use notice_fixture::{access, message, now, Setup};

async fn setup(db: &TestDb) -> Setup {
    notice_fixture::setup(db, OrgKind::TreatmentUnit, "tsb").await
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
    let (notice, version): (Notice, i64) = db
        .store
        .notice_state::<varde_core::coordination::discharge::Notice>(id)
        .await
        .unwrap();
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
    let err = db.store.notice_step(&write(0)).await.unwrap_err();
    assert!(matches!(err, StoreError::Changed(_)), "{err:?}");
    assert_eq!(
        db.store
            .notice_state::<varde_core::coordination::discharge::Notice>(id)
            .await
            .unwrap()
            .1,
        1
    );
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
    db.store.notice_step(&write(1)).await.unwrap();
    let (n, v) = db
        .store
        .notice_state::<varde_core::coordination::discharge::Notice>(id)
        .await
        .unwrap();
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
