//! Relatives' agreements and children as relatives in storage, on SQLite and PostgreSQL
//! (`sqlite::…`, `postgres::…`; PostgreSQL is skipped without `VARDE_TEST_POSTGRES_URL`): an
//! agreement commits with its event and access entry, ends once, joins the group once and
//! not after it ended, and leaves the reviews when it ends; the children facts are each
//! open plan's latest record.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use jiff::civil::date;
use jiff::Timestamp;
use varde_core::audit::Outcome;
use varde_core::coordination::children::{ChildrenFacts, NewChildren, Party};
use varde_core::coordination::consent::GivenHow;
use varde_core::coordination::plan::PlanStatus;
use varde_core::coordination::relatives::{Ending, NewAgreement, Relation};
use varde_core::coordination::Scope;
use varde_core::org::{OrgId, OrgKind, Role};
use varde_core::persons::PersonEvent;
use varde_store::testing::TestDb;
use varde_store::{AccessFilter, NewAccess, PlanWrite, StoreError};

fn now() -> Timestamp {
    "2026-12-07T10:00:00Z".parse().unwrap()
}

async fn setup(db: &TestDb) -> (OrgId, i64, i64) {
    let org = db.org(OrgKind::Municipality, "kommune", None, now()).await;
    let user = db.user(org, Role::Coordinator, "k", now()).await;
    let person = db
        .store
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
            &access(org, user),
            now(),
        )
        .await
        .unwrap();
    (org, user, person)
}

fn access(org: OrgId, user: i64) -> NewAccess {
    NewAccess {
        at: now(),
        actor: "k".into(),
        actor_id: user,
        org_id: org.0,
        owner_org_id: org.0,
        action: "coordination.write".into(),
        subject: "pseudo-1".into(),
        record: String::new(),
        purpose: "test".into(),
        outcome: Outcome::Allowed,
        flagged: false,
    }
}

async fn plan(db: &TestDb, org: OrgId, user: i64, person: i64) -> i64 {
    db.store
        .coordination_create_plan(
            org,
            person,
            "pseudo-1",
            Some(user),
            PlanStatus::Active,
            user,
            date(2026, 12, 7),
            now(),
            &access(org, user),
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

fn agreement() -> NewAgreement {
    NewAgreement {
        name: "Ola Bror".into(),
        contact: None,
        relation: Relation::Sibling,
        scopes: vec![Scope::Plan, Scope::PathwayStatus],
        consent_how: GivenHow::Oral,
        consent_on: date(2026, 12, 7),
        review_on: date(2026, 12, 20),
    }
}

async fn an_agreement_ends_once_and_joins_the_group_once(db: &TestDb) {
    let (org, user, person) = setup(db).await;
    let p = plan(db, org, user, person).await;
    let a = access(org, user);
    let before = logged(db).await;
    let id = db
        .store
        .coordination_relatives_add(org, p, &agreement(), user, now(), &a)
        .await
        .unwrap();
    assert_eq!(logged(db).await, before + 1);
    let list = db.store.coordination_relatives_of(p, &a).await.unwrap();
    assert_eq!(list[0].scopes, vec!["plan", "pathway_status"]);
    assert_eq!(list[0].relation, "sibling");
    assert_eq!(
        db.store
            .coordination_relatives_reviews(org, user)
            .await
            .unwrap()
            .len(),
        1
    );
    // Joins the group: the plan's version moves on, so a write that read the older is refused.
    let member = db
        .store
        .coordination_relatives_to_group(org, p, id, user, now(), &a)
        .await
        .unwrap();
    let read = db.store.coordination_plan(p, None).await.unwrap();
    assert!(read
        .members
        .iter()
        .any(|m| m.id == member && m.kind == "relative"));
    let stale = db
        .store
        .coordination_write(p, 0, &PlanWrite::Goal("Bo".into()), user, now(), &a)
        .await;
    assert!(matches!(stale, Err(StoreError::Changed(_))));
    let twice = db
        .store
        .coordination_relatives_to_group(org, p, id, user, now(), &a)
        .await;
    assert!(matches!(twice, Err(StoreError::Conflict(_))));
    // Ends once; a second ending writes nothing.
    db.store
        .coordination_relatives_end(org, p, id, Ending::Ended, None, user, now(), &a)
        .await
        .unwrap();
    let n = logged(db).await;
    let again = db
        .store
        .coordination_relatives_end(org, p, id, Ending::Withdrawn, None, user, now(), &a)
        .await;
    assert!(matches!(again, Err(StoreError::Conflict(_))));
    assert_eq!(logged(db).await, n);
    assert!(db
        .store
        .coordination_relatives_reviews(org, user)
        .await
        .unwrap()
        .is_empty());
    let events = db
        .store
        .read_stream(&format!("coordination:relative:{id}"))
        .await
        .unwrap();
    assert_eq!(events.len(), 3);
    // Another plan's agreement is not found through this plan.
    let other = plan(db, org, user, person).await;
    let res = db
        .store
        .coordination_relatives_end(org, other, id, Ending::Ended, None, user, now(), &a)
        .await;
    assert!(matches!(res, Err(StoreError::NotFound)));
}

async fn the_children_facts_are_each_open_plans_latest(db: &TestDb) {
    let (org, user, person) = setup(db).await;
    let a = access(org, user);
    let rec = |count, talked, followed_up, day| NewChildren {
        count,
        ages: vec![],
        talked,
        followed_up,
        with: if followed_up {
            vec![Party::ChildWelfare]
        } else {
            vec![]
        },
        on: day,
    };
    let p1 = plan(db, org, user, person).await;
    db.store
        .coordination_children_add(
            p1,
            &rec(1, false, false, date(2026, 11, 1)),
            user,
            now(),
            &a,
        )
        .await
        .unwrap();
    db.store
        .coordination_children_add(p1, &rec(1, true, true, date(2026, 12, 1)), user, now(), &a)
        .await
        .unwrap();
    let p2 = plan(db, org, user, person).await;
    db.store
        .coordination_children_add(p2, &rec(2, true, false, date(2026, 12, 1)), user, now(), &a)
        .await
        .unwrap();
    db.store
        .coordination_write(
            p2,
            0,
            &PlanWrite::Settings {
                coordinator: Some(user),
                status: PlanStatus::Closed,
            },
            user,
            now(),
            &a,
        )
        .await
        .unwrap();
    let facts = db.store.coordination_children_facts(org).await.unwrap();
    assert_eq!(
        facts,
        vec![ChildrenFacts {
            count: 1,
            talked: true,
            followed_up: true
        }]
    );
    let list = db.store.coordination_children_of(p1, None).await.unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0].with, vec!["child_welfare"]);
}

varde_store::conformance!(
    an_agreement_ends_once_and_joins_the_group_once,
    the_children_facts_are_each_open_plans_latest
);
