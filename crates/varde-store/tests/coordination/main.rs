//! The coordination area's storage, on SQLite and PostgreSQL (`sqlite::…`, `postgres::…`;
//! PostgreSQL is skipped without `VARDE_TEST_POSTGRES_URL`): a consent is found in force for its
//! grantee, scope and days only, and not from the instant it is withdrawn (its events written);
//! a plan's writes commit with their access entry, and a write that expects an older version
//! writes nothing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use jiff::civil::date;
use jiff::Timestamp;
use varde_core::audit::Outcome;
use varde_core::coordination::consent::{GivenHow, Grantee, NewConsent};
use varde_core::coordination::plan::PlanStatus;
use varde_core::coordination::Scope;
use varde_core::org::{OrgId, OrgKind, Role};
use varde_core::persons::PersonEvent;
use varde_store::testing::TestDb;
use varde_store::{AccessFilter, NewAccess, PlanWrite, StoreError};

fn now() -> Timestamp {
    "2026-12-07T10:00:00Z".parse().unwrap()
}

async fn org(db: &TestDb, slug: &str, kind: OrgKind) -> (OrgId, i64) {
    let org = db.org(kind, slug, None, now()).await;
    (org, db.user(org, Role::Coordinator, slug, now()).await)
}

fn access(org: OrgId, user: i64, action: &str) -> NewAccess {
    NewAccess {
        at: now(),
        actor: "coordinator".into(),
        actor_id: user,
        org_id: org.0,
        owner_org_id: org.0,
        action: action.into(),
        subject: "pseudo-1".into(),
        record: String::new(),
        purpose: "test".into(),
        outcome: Outcome::Allowed,
        flagged: false,
    }
}

async fn person(db: &TestDb, org: OrgId, user: i64) -> i64 {
    db.store
        .register_person(
            org,
            user,
            "pseudo-1",
            &PersonEvent::Registered {
                national_id: "03851598730".into(),
                name: "Kari Nordmann".into(),
                birth_date: None,
                kommune: None,
            },
            &access(org, user, "person.create"),
            now(),
        )
        .await
        .unwrap()
}

async fn logged(db: &TestDb) -> usize {
    db.store
        .access_log(&AccessFilter::default())
        .await
        .unwrap()
        .len()
}

/// A written consent of scope `plan` to `org`, from 1 December 2026 to 1 June 2027.
fn plan_consent_to(org: OrgId) -> NewConsent {
    NewConsent {
        scope: Scope::Plan,
        grantee: Grantee::Org(org.0),
        purpose: "Samarbeid".into(),
        valid_from: date(2026, 12, 1),
        valid_until: date(2027, 6, 1),
        given_how: GivenHow::Written,
    }
}

async fn a_consent_is_in_force_until_withdrawn(db: &TestDb) {
    let (kommune, user) = org(db, "kommune", OrgKind::Municipality).await;
    let (tsb, tsb_user) = org(db, "tsb", OrgKind::TreatmentUnit).await;
    let (third, third_user) = org(db, "tredje", OrgKind::TreatmentUnit).await;
    let p = person(db, kommune, user).await;
    let c = plan_consent_to(tsb);
    let id = db
        .store
        .coordination_record_consent(
            kommune,
            p,
            "pseudo-1",
            &c,
            user,
            now(),
            &access(kommune, user, "coordination.consent"),
        )
        .await
        .unwrap();
    let find = |actor: OrgId, u: i64, scope: Scope, day| {
        db.store
            .coordination_consent_in_force(kommune, "pseudo-1", scope, actor, u, day)
    };
    assert_eq!(
        find(tsb, tsb_user, Scope::Plan, date(2026, 12, 7))
            .await
            .unwrap(),
        Some(id)
    );
    assert_eq!(
        find(tsb, tsb_user, Scope::PathwayStatus, date(2026, 12, 7))
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        find(third, third_user, Scope::Plan, date(2026, 12, 7))
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        find(tsb, tsb_user, Scope::Plan, date(2027, 6, 2))
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        find(tsb, tsb_user, Scope::Plan, date(2026, 11, 30))
            .await
            .unwrap(),
        None
    );
    // An unknown grantee: nothing written.
    let before = logged(db).await;
    let bad = NewConsent {
        grantee: Grantee::Org(999_999),
        ..c.clone()
    };
    let res = db
        .store
        .coordination_record_consent(
            kommune,
            p,
            "pseudo-1",
            &bad,
            user,
            now(),
            &access(kommune, user, "coordination.consent"),
        )
        .await;
    assert!(matches!(res, Err(StoreError::NotFound)));
    assert_eq!(logged(db).await, before);
    // Withdrawn: gone from that instant; a second withdrawal is refused.
    let w = access(kommune, user, "coordination.consent");
    db.store
        .coordination_withdraw_consent(kommune, id, user, now(), &w)
        .await
        .unwrap();
    assert_eq!(
        find(tsb, tsb_user, Scope::Plan, date(2026, 12, 7))
            .await
            .unwrap(),
        None
    );
    let again = db
        .store
        .coordination_withdraw_consent(kommune, id, user, now(), &w)
        .await;
    assert!(matches!(again, Err(StoreError::Conflict(_))));
    let events = db
        .store
        .read_stream(&format!("coordination:consent:{id}"))
        .await
        .unwrap();
    assert_eq!(events.len(), 2);
}

async fn a_plan_write_checks_its_version(db: &TestDb) {
    let (kommune, user) = org(db, "kommune", OrgKind::Municipality).await;
    let p = person(db, kommune, user).await;
    let w = access(kommune, user, "coordination.write");
    let plan = db
        .store
        .coordination_create_plan(
            kommune,
            p,
            "pseudo-1",
            Some(user),
            PlanStatus::Active,
            user,
            date(2026, 12, 7),
            now(),
            &w,
        )
        .await
        .unwrap();
    let before = logged(db).await;
    db.store
        .coordination_write(
            plan,
            0,
            &PlanWrite::Goal("Bo trygt".into()),
            user,
            now(),
            &w,
        )
        .await
        .unwrap();
    assert_eq!(logged(db).await, before + 1);
    // Another write came first: nothing written.
    let stale = db
        .store
        .coordination_write(plan, 0, &PlanWrite::Goal("Jobb".into()), user, now(), &w)
        .await;
    assert!(matches!(stale, Err(StoreError::Changed(_))));
    assert_eq!(logged(db).await, before + 1);
    let read = db.store.coordination_plan(plan, Some(&w)).await.unwrap();
    assert_eq!(read.goals.len(), 1);
    assert_eq!(read.plan.version, 1);
    assert_eq!(read.person_name, "Kari Nordmann");
    assert_eq!(logged(db).await, before + 2);
}

/// What the FHIR export reads beside the plan: the consents the plan's organisation recorded
/// for the person (withdrawn too, oldest first; not another organisation's), without an access
/// entry of their own; and the person's discharge notices' references (none here).
async fn the_fhir_export_reads_the_organisations_consents(db: &TestDb) {
    let (kommune, user) = org(db, "kommune", OrgKind::Municipality).await;
    let (tsb, tsb_user) = org(db, "tsb", OrgKind::TreatmentUnit).await;
    let p = person(db, kommune, user).await;
    let in_tsb = person(db, tsb, tsb_user).await;
    let c = plan_consent_to(tsb);
    let a = access(kommune, user, "coordination.consent");
    let first = db
        .store
        .coordination_record_consent(kommune, p, "pseudo-1", &c, user, now(), &a)
        .await
        .unwrap();
    let second = db
        .store
        .coordination_record_consent(kommune, p, "pseudo-1", &c, user, now(), &a)
        .await
        .unwrap();
    db.store
        .coordination_withdraw_consent(kommune, first, user, now(), &a)
        .await
        .unwrap();
    // The TSB unit's own consent for the same person is not the municipality's.
    let theirs = NewConsent {
        grantee: Grantee::Org(kommune.0),
        ..c.clone()
    };
    db.store
        .coordination_record_consent(
            tsb,
            in_tsb,
            "pseudo-1",
            &theirs,
            tsb_user,
            now(),
            &access(tsb, tsb_user, "coordination.consent"),
        )
        .await
        .unwrap();
    let before = logged(db).await;
    let got = db
        .store
        .coordination_plan_consents(kommune, "pseudo-1")
        .await
        .unwrap();
    let ids: Vec<(i64, bool)> = got
        .iter()
        .map(|c| (c.id, c.withdrawn_at.is_some()))
        .collect();
    assert_eq!(ids, [(first, true), (second, false)]);
    assert_eq!(got[0].grantee_org_id, Some(tsb.0));
    assert!(db
        .store
        .coordination_plan_consents(kommune, "pseudo-2")
        .await
        .unwrap()
        .is_empty());
    assert!(db
        .store
        .coordination_discharge_refs_of("pseudo-1")
        .await
        .unwrap()
        .is_empty());
    assert_eq!(logged(db).await, before);
}

varde_store::conformance!(
    a_consent_is_in_force_until_withdrawn,
    a_plan_write_checks_its_version,
    the_fhir_export_reads_the_organisations_consents
);
