//! Overdose notices' storage, on SQLite and PostgreSQL: a registration writes the consent, the
//! notice, their events, the anonymous monitoring row, one outbox row per coordination
//! subscriber of the municipality and its access entry together; the consent is in force until
//! withdrawn; a step expecting a stale version writes nothing; the shared outbox claims the
//! overdose deliveries apart from the discharge notices'.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use jiff::civil::date;
use varde_core::coordination::consent::{Grantee, NewConsent};
use varde_core::coordination::overdose::{monitoring_row, Notice, RegisterFields, StepFields};
use varde_core::coordination::Scope;
use varde_core::monitoring::sources::{self, Source};
use varde_core::org::OrgKind;
use varde_store::testing::TestDb;
use varde_store::{Outbox, OverdoseRegister, OverdoseStep, StoreError};

#[path = "../notice_fixture/mod.rs"]
mod notice_fixture;
use notice_fixture::{access, message, now, Setup};

async fn setup(db: &TestDb) -> Setup {
    notice_fixture::setup(db, OrgKind::HealthTrust, "hf").await
}

fn at() -> jiff::civil::DateTime {
    date(2026, 11, 24).at(11, 0, 0, 0)
}

async fn register(db: &TestDb, s: &Setup) -> (i64, i64) {
    let r = RegisterFields {
        occurred_at: "2026-11-24T02:30".into(),
        service: "ambulance".into(),
        consent_by: "person".into(),
        consent_until: "2026-12-24".into(),
        given_how: "oral".into(),
        ..Default::default()
    }
    .check(None, at())
    .unwrap();
    let consent = NewConsent {
        scope: Scope::OverdoseNotice,
        grantee: Grantee::Org(s.municipality.0),
        purpose: "follow-up".into(),
        valid_from: r.occurred_at.date(),
        valid_until: r.consent_until,
        given_how: r.given_how,
    };
    let csv = monitoring_row(&r, "0301", None);
    let record = sources::parse(Source::Overdoses, &mut csv.as_bytes(), date(2026, 11, 24))
        .records
        .remove(0);
    let notice = Notice::new(r);
    let key = |id: i64| format!("overdoses/coordination-overdose-{id}");
    let make = |id: i64| message(id, "coordination.overdose.registered");
    db.store
        .overdose_register(&OverdoseRegister {
            reporter_org: s.unit,
            municipality_org: s.municipality,
            kommune: "0301",
            person_id: s.person,
            pseudonym: &"p".repeat(32),
            notice: &notice,
            consent: &consent,
            monitoring: &record,
            batch_key: &key,
            actor_id: s.user,
            at: now(),
            access: &access(s.unit, s.user, "coordination.overdose.write"),
            message: &make,
        })
        .await
        .unwrap()
}

async fn overdose_rows(db: &TestDb) -> usize {
    db.store
        .monitoring_source_rows(
            varde_core::monitoring::series::Source::Overdoses,
            None,
            None,
        )
        .await
        .unwrap()
        .len()
}

async fn a_registration_commits_everything_together(db: &TestDb) {
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
    let before = db.store.overdose_stamp(s.municipality).await.unwrap();
    let (id, consent) = register(db, &s).await;
    assert_ne!(
        db.store.overdose_stamp(s.municipality).await.unwrap(),
        before
    );
    let r = db.store.overdose_ref(id).await.unwrap().unwrap();
    assert_eq!(r.consent_id, consent);
    assert_eq!(r.municipality_org, s.municipality);
    assert!(db
        .store
        .overdose_consent_in_force(consent, date(2026, 11, 24))
        .await
        .unwrap());
    assert!(!db
        .store
        .overdose_consent_in_force(consent, date(2026, 12, 25))
        .await
        .unwrap());
    assert_eq!(overdose_rows(db).await, 1);
    let events = db
        .store
        .read_streams_with_prefix("coordination_overdose:")
        .await
        .unwrap();
    assert_eq!(events.len(), 1);
    // The shared outbox: the discharge notices' claims none, the overdose notices' claims it.
    let t = now().as_millisecond();
    assert!(db
        .store
        .outbox_claim(Outbox::CoordinationDischarge, "w", t, 60_000, 5)
        .await
        .unwrap()
        .is_empty());
    let claimed = db
        .store
        .outbox_claim(Outbox::CoordinationOverdose, "w", t, 60_000, 5)
        .await
        .unwrap();
    assert_eq!(claimed.len(), 1);
    assert_eq!(claimed[0].outbox, Outbox::CoordinationOverdose);
    // Withdrawn: no longer in force, and the stamp moves.
    let stamp = db.store.overdose_stamp(s.municipality).await.unwrap();
    db.store
        .coordination_withdraw_consent(
            s.unit,
            consent,
            s.user,
            now(),
            &access(s.unit, s.user, "coordination.consent"),
        )
        .await
        .unwrap();
    assert!(!db
        .store
        .overdose_consent_in_force(consent, date(2026, 11, 24))
        .await
        .unwrap());
    assert_ne!(
        db.store.overdose_stamp(s.municipality).await.unwrap(),
        stamp
    );
    let entry = |_: &varde_store::StoredOverdose, _: &str| {
        access(s.municipality, s.hook_user, "coordination.overdose.read")
    };
    assert!(db
        .store
        .overdose_list_logged(
            s.municipality,
            varde_store::OverdoseList::AddressedTo,
            date(2026, 11, 24),
            50,
            &entry
        )
        .await
        .unwrap()
        .is_empty());
    assert_eq!(
        db.store
            .overdose_list_logged(
                s.unit,
                varde_store::OverdoseList::RegisteredBy,
                date(2026, 11, 24),
                50,
                &entry
            )
            .await
            .unwrap()
            .len(),
        1
    );
}

async fn a_stale_step_writes_nothing(db: &TestDb) {
    let s = setup(db).await;
    let (id, _) = register(db, &s).await;
    let (notice, version) = db
        .store
        .notice_state::<varde_core::coordination::overdose::Notice>(id)
        .await
        .unwrap();
    let step = StepFields {
        at: "2026-11-24T10:00".into(),
        means: "phone".into(),
        ..Default::default()
    }
    .parse("attempt", at())
    .unwrap();
    let after = notice.apply(&step);
    let m = message(id, "coordination.overdose.attempt");
    let entry = access(
        s.municipality,
        s.hook_user,
        "coordination.overdose.follow_up",
    );
    let w = |v: i64| OverdoseStep {
        id,
        expected_version: v,
        step: &step,
        after: &after,
        actor_id: s.hook_user,
        actor_org: s.municipality,
        at: now(),
        access: &entry,
        message: &m,
    };
    db.store.notice_step(&w(version)).await.unwrap();
    assert!(matches!(
        db.store.notice_step(&w(version)).await,
        Err(StoreError::Changed(_))
    ));
    let (stored, v) = db
        .store
        .notice_state::<varde_core::coordination::overdose::Notice>(id)
        .await
        .unwrap();
    assert_eq!(v, version + 1);
    assert_eq!(stored.attempts.len(), 1);
}

varde_store::conformance!(
    a_registration_commits_everything_together,
    a_stale_step_writes_nothing,
);
