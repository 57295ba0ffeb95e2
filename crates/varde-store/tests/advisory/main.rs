//! The advisory cases' storage, on SQLite and PostgreSQL (`sqlite::…`, `postgres::…`;
//! PostgreSQL is skipped without `VARDE_TEST_POSTGRES_URL`): a case opens with its people and
//! its access entry; entries are numbered in order, each with its access entry; a write that
//! expects another number of entries writes nothing; a read and a list are logged; closing
//! marks the case; a unit's minimum outreach is kept.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use jiff::Timestamp;
use varde_core::audit::Outcome;
use varde_core::org::{OrgId, OrgKind, Qualification, Role};
use varde_store::testing::TestDb;
use varde_store::{AccessFilter, NewAccess, NewCasePerson, NewOrg, StoreError};

fn now() -> Timestamp {
    "2026-12-07T10:00:00Z".parse().unwrap()
}

async fn unit(db: &TestDb, slug: &str) -> (OrgId, i64) {
    let org = db
        .store
        .ensure_org(
            &NewOrg {
                kind: OrgKind::Municipality,
                name: format!("Kommune {slug}"),
                slug: slug.into(),
                kommunenummer: None,
                orgnr: None,
                parent_id: None,
            },
            now(),
        )
        .await
        .unwrap();
    let user = db
        .store
        .create_user(org, Role::Advisor, Qualification::Other, slug, "x", now())
        .await
        .unwrap();
    (org, user.0)
}

fn access(org: OrgId, user: i64, action: &str, record: &str) -> NewAccess {
    NewAccess {
        at: now(),
        actor: "advisor".into(),
        actor_id: user,
        org_id: org.0,
        owner_org_id: org.0,
        action: action.into(),
        subject: String::new(),
        record: record.into(),
        purpose: "test".into(),
        outcome: Outcome::Allowed,
        flagged: false,
    }
}

async fn entries_logged(db: &TestDb) -> usize {
    db.store
        .access_log(&AccessFilter::default())
        .await
        .unwrap()
        .len()
}

async fn a_case_and_its_entries(db: &TestDb) {
    let (org, user) = unit(db, "a").await;
    let people = [
        NewCasePerson {
            guardian: false,
            person_id: None,
            name: Some("Ola".into()),
        },
        NewCasePerson {
            guardian: true,
            person_id: None,
            name: Some("Kari".into()),
        },
    ];
    let w = access(org, user, "advisory.write", "");
    let id = db
        .store
        .advisory_open(org, "voluntary", "{}", &people, user, now(), &w)
        .await
        .unwrap();
    let r = db.store.advisory_case_ref(id).await.unwrap().unwrap();
    assert_eq!((r.org_id, r.pseudonym.as_str()), (org, ""));
    assert!(db
        .store
        .advisory_case_ref(id + 100)
        .await
        .unwrap()
        .is_none());
    let before = entries_logged(db).await;
    assert_eq!(
        db.store
            .advisory_record(
                org,
                id,
                0,
                "advisory.outreach",
                "{\"a\":1}",
                None,
                user,
                now(),
                &w
            )
            .await
            .unwrap(),
        1
    );
    // A stale writer (it saw no entries) writes nothing, not even its access entry.
    let stale = db
        .store
        .advisory_record(org, id, 0, "advisory.outreach", "{}", None, user, now(), &w)
        .await;
    assert!(matches!(stale, Err(StoreError::Changed(_))), "{stale:?}");
    // Another organisation's id never reaches the case.
    let (other, other_user) = unit(db, "b").await;
    let wrong = db
        .store
        .advisory_record(
            other,
            id,
            1,
            "advisory.outreach",
            "{}",
            None,
            other_user,
            now(),
            &w,
        )
        .await;
    assert!(matches!(wrong, Err(StoreError::Changed(_))));
    assert_eq!(entries_logged(db).await, before + 1);
    db.store
        .advisory_record(
            org,
            id,
            1,
            "advisory.closed",
            "{}",
            Some(("2026-12-07", "withdrawn")),
            user,
            now(),
            &w,
        )
        .await
        .unwrap();
    let read = access(
        org,
        user,
        "advisory.read",
        &varde_store::advisory_record(id),
    );
    let case = db.store.advisory_case_logged(id, &read).await.unwrap();
    assert_eq!(case.entries_seen, 2);
    assert_eq!(case.entries.len(), 2);
    assert_eq!(case.entries[0].body, "{\"a\":1}");
    assert_eq!(case.people.len(), 2);
    assert!(case.people[1].guardian);
    assert_eq!(case.people[0].name.as_deref(), Some("Ola"));
    let open = db
        .store
        .advisory_cases_logged(org, true, &read)
        .await
        .unwrap();
    assert!(open.is_empty());
    let all = db
        .store
        .advisory_cases_logged(org, false, &read)
        .await
        .unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].entries.len(), 2);
    assert!(db
        .store
        .advisory_cases_logged(other, false, &read)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(entries_logged(db).await, before + 6);
    let missing = db.store.advisory_case_logged(id + 100, &read).await;
    assert!(matches!(missing, Err(StoreError::NotFound)));
}

async fn a_unit_sets_its_minimum_outreach(db: &TestDb) {
    let (org, user) = unit(db, "c").await;
    assert_eq!(db.store.advisory_minimum(org).await.unwrap(), None);
    let w = access(org, user, "advisory.write", "advisory:unit");
    db.store
        .advisory_set_minimum(org, 3, 2, None, user, now(), &w)
        .await
        .unwrap();
    db.store
        .advisory_set_minimum(org, 3, 3, None, user, now(), &w)
        .await
        .unwrap();
    assert_eq!(db.store.advisory_minimum(org).await.unwrap(), Some((3, 3)));
}

/// Advice is logged with its access entry and counted per day; the statistics' read gives the
/// advice of the period only, every live case with its people and entries, and appends one
/// access entry.
async fn advice_and_the_statistics_source(db: &TestDb) {
    let (org, user) = unit(db, "d").await;
    let w = access(org, user, "advisory.write", "advisory:advice");
    for day in ["2026-11-30", "2026-12-01", "2027-01-02"] {
        db.store
            .advisory_advice_add(
                org,
                &varde_store::NewAdvice {
                    given_on: day.into(),
                    asker: "relative".into(),
                    means: "phone".into(),
                    topic: "law".into(),
                    age_group: (day == "2026-12-01").then(|| "15_17".to_owned()),
                },
                now(),
                &w,
            )
            .await
            .unwrap();
    }
    assert_eq!(
        db.store
            .advisory_advice_count(org, "2026-12-01")
            .await
            .unwrap(),
        1
    );
    let people = [NewCasePerson {
        guardian: false,
        person_id: None,
        name: Some("Ola".into()),
    }];
    let id = db
        .store
        .advisory_open(org, "voluntary", "{}", &people, user, now(), &w)
        .await
        .unwrap();
    let before = entries_logged(db).await;
    let r = access(org, user, "advisory.statistics", "advisory:statistics");
    let src = db
        .store
        .advisory_statistics_source("2026-12-01", "2026-12-31", &r)
        .await
        .unwrap();
    assert_eq!(entries_logged(db).await, before + 1);
    assert_eq!(src.advice.len(), 1);
    assert_eq!(src.advice[0].given_on, "2026-12-01");
    assert_eq!(src.advice[0].age_group.as_deref(), Some("15_17"));
    assert_eq!(src.live.len(), 1);
    assert_eq!(src.live[0].case.id, id);
    assert_eq!(src.live[0].case.people.len(), 1);
    assert_eq!(src.live[0].national_id, None);
    assert!(src.erased.is_empty());
}

varde_store::conformance!(
    a_case_and_its_entries,
    a_unit_sets_its_minimum_outreach,
    advice_and_the_statistics_source
);
