//! The storage conformance suite: every test runs against SQLite and PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use jiff::Timestamp;
use varde_core::audit::Outcome;
use varde_core::org::{OrgId, OrgKind, Qualification, Role, UserChange, UserChanged, UserId};
use varde_core::persons::PersonEvent;
use varde_store::testing::TestDb;
use varde_store::{
    AccessFilter, Engine, NewAccess, NewEvent, NewOrg, PersonRef, Store, StoreError,
};

varde_store::conformance!(
    events_append_in_order_and_read_back,
    optimistic_concurrency_rejects_stale_writer,
    failed_batch_writes_nothing,
    events_are_append_only,
    orgs_and_users,
    person_register_read_correct_and_replay,
    duplicate_person_is_a_conflict_and_writes_nothing,
    access_log_chain_verifies_and_catches_tampering,
    sessions_expire_and_die_with_disabled_user,
);

fn now() -> Timestamp {
    "2026-11-24T10:00:00Z".parse().unwrap()
}

fn ev(stream: &str, kind: &str, expected: Option<i64>) -> NewEvent {
    NewEvent {
        stream: stream.into(),
        kind: kind.into(),
        body: r#"{"x":1}"#.into(),
        actor_id: Some(1),
        org_id: Some(1),
        recorded_at: now(),
        effective_date: "2026-11-24".into(),
        expected_seq: expected,
    }
}

fn access(action: &str, outcome: Outcome) -> NewAccess {
    NewAccess {
        at: now(),
        actor: "kari".into(),
        actor_id: 1,
        org_id: 1,
        owner_org_id: 1,
        action: action.into(),
        subject: "abc".into(),
        record: String::new(),
        purpose: String::new(),
        outcome,
        flagged: false,
    }
}

async fn org(store: &Store, slug: &str) -> OrgId {
    store
        .ensure_org(
            &NewOrg {
                kind: OrgKind::Municipality,
                name: slug.into(),
                slug: slug.into(),
                kommunenummer: None,
                orgnr: None,
                parent_id: None,
            },
            now(),
        )
        .await
        .unwrap()
}

async fn events_append_in_order_and_read_back(db: &TestDb) {
    let s = &db.store;
    let seqs = s
        .append(&[
            ev("a", "k1", Some(0)),
            ev("a", "k2", None),
            ev("b", "k1", None),
        ])
        .await
        .unwrap();
    assert_eq!(seqs, vec![1, 2, 1]);
    let a = s.read_stream("a").await.unwrap();
    assert_eq!(
        a.iter()
            .map(|e| (e.seq, e.kind.as_str()))
            .collect::<Vec<_>>(),
        vec![(1, "k1"), (2, "k2")]
    );
    assert_eq!(a[0].effective_date, "2026-11-24");
    let all = s.read_all(0, 100).await.unwrap();
    assert_eq!(all.len(), 3);
    assert!(all.windows(2).all(|w| w[0].id < w[1].id));
    assert_eq!(s.read_all(all[1].id, 100).await.unwrap().len(), 1);
}

async fn optimistic_concurrency_rejects_stale_writer(db: &TestDb) {
    let s = &db.store;
    s.append(&[ev("c", "k", Some(0))]).await.unwrap();
    let err = s.append(&[ev("c", "k", Some(0))]).await.unwrap_err();
    assert!(matches!(err, StoreError::Changed(_)), "{err:?}");
    s.append(&[ev("c", "k", Some(1))]).await.unwrap();
}

async fn failed_batch_writes_nothing(db: &TestDb) {
    let s = &db.store;
    let err = s
        .append(&[ev("d", "k", Some(0)), ev("d", "k", Some(0))])
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Changed(_)), "{err:?}");
    assert!(s.read_stream("d").await.unwrap().is_empty());
}

async fn events_are_append_only(db: &TestDb) {
    let s = &db.store;
    s.append(&[ev("e", "k", None)]).await.unwrap();
    assert!(s
        .exec_admin("UPDATE events SET kind = 'changed'")
        .await
        .is_err());
    assert!(s.exec_admin("DELETE FROM events").await.is_err());
    assert_eq!(s.read_stream("e").await.unwrap()[0].kind, "k");
}

async fn orgs_and_users(db: &TestDb) {
    let s = &db.store;
    let o = org(s, "oslo").await;
    assert_eq!(org(s, "oslo").await, o, "ensure_org is idempotent");
    let u = s
        .create_user(
            o,
            Role::Advisor,
            Qualification::Other,
            "kari",
            "hash",
            now(),
        )
        .await
        .unwrap();
    let err = s
        .create_user(
            o,
            Role::Advisor,
            Qualification::Other,
            "kari",
            "hash",
            now(),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)));
    let user = s.user_by_username("kari").await.unwrap().unwrap();
    assert_eq!(user.id, u);
    assert_eq!(user.role(), Some(Role::Advisor));
    assert!(s.user_by_username("nobody").await.unwrap().is_none());
    assert_eq!(s.record_login_failure(u, None).await.unwrap(), 1);
    assert_eq!(s.record_login_failure(u, Some(now())).await.unwrap(), 2);
    s.record_login_success(u).await.unwrap();
    assert_eq!(s.user(u).await.unwrap().failed_logins, 0);
    // Changes of a user are events with their author and reason, and access-log entries.
    let log_before = s.verify_access_log().await.unwrap().unwrap();
    let manage = access("user.manage", Outcome::Allowed);
    let changed = s
        .change_user(
            u,
            UserChange::Role(Role::Clinician),
            "ny stilling",
            None,
            &manage,
            now(),
        )
        .await
        .unwrap();
    assert_eq!(
        (changed.from.as_str(), changed.to.as_str()),
        ("advisor", "clinician")
    );
    // 23:30 UTC on New Year's Eve is already 1 January in Oslo: the event's date says so.
    let new_year: Timestamp = "2026-12-31T23:30:00Z".parse().unwrap();
    s.change_user(
        u,
        UserChange::Disable,
        "sluttet",
        Some(u),
        &manage,
        new_year,
    )
    .await
    .unwrap();
    let user = s.user(u).await.unwrap();
    assert!(user.disabled);
    assert_eq!(user.role, "clinician");
    let events = s.read_stream(&varde_store::users_stream(o)).await.unwrap();
    let kinds: Vec<&str> = events.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds, ["user.role_changed", "user.disabled"]);
    assert_eq!(events[0].actor_id, None);
    assert_eq!(events[1].actor_id, Some(u.0));
    assert_eq!(events[0].effective_date, "2026-11-24");
    assert_eq!(events[1].effective_date, "2027-01-01");
    let body: UserChanged = serde_json::from_str(&events[0].body).unwrap();
    assert_eq!(body.reason, "ny stilling");
    assert_eq!(
        s.verify_access_log().await.unwrap().unwrap(),
        log_before + 2
    );
    let logged = s
        .access_log(&AccessFilter {
            org_id: Some(o.0),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(
        logged[1]
            .purpose
            .contains("role advisor → clinician (ny stilling)"),
        "{:?}",
        logged[1]
    );
    assert_eq!(logged[1].record, format!("user:{}", u.0));
    // An unknown user: nothing written.
    let err = s
        .change_user(
            UserId(999_999),
            UserChange::Enable,
            "x",
            None,
            &manage,
            now(),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound));
    assert_eq!(s.list_users(Some(o)).await.unwrap().len(), 1);
    assert_eq!(s.org_by_key("oslo").await.unwrap().unwrap().id, o);
}

fn registered() -> PersonEvent {
    PersonEvent::Registered {
        national_id: "03851598730".into(),
        name: "Kari Nordmann".into(),
        birth_date: Some("2015-05-03".into()),
        kommune: Some("0301".into()),
    }
}

async fn person_register_read_correct_and_replay(db: &TestDb) {
    let s = &db.store;
    let o = org(s, "oslo").await;
    let id = s
        .register_person(
            o,
            1,
            "pseudo1",
            &registered(),
            &access("person.create", Outcome::Allowed),
            now(),
        )
        .await
        .unwrap();
    let p = s
        .read_person_logged(id, &access("person.read", Outcome::Allowed))
        .await
        .unwrap();
    assert_eq!(p.record.name, "Kari Nordmann");
    assert_eq!(p.org_id, o);
    let correction = PersonEvent::Corrected {
        name: Some("Kari Nordfrau".into()),
        birth_date: None,
        kommune: None,
        reason: "typo".into(),
    };
    // A correction refused by the caller, given the current record, writes nothing.
    let events_before = s.read_all(0, 1000).await.unwrap().len();
    let err = s
        .correct_person(
            id,
            1,
            &access("person.correct", Outcome::Allowed),
            now(),
            |current| {
                assert_eq!(current.name, "Kari Nordmann");
                Err::<PersonEvent, _>(StoreError::Conflict("refused"))
            },
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict("refused")), "{err:?}");
    assert_eq!(s.read_all(0, 1000).await.unwrap().len(), events_before);
    let p2 = s
        .correct_person(
            id,
            1,
            &access("person.correct", Outcome::Allowed),
            now(),
            |_| Ok::<_, StoreError>(correction),
        )
        .await
        .unwrap();
    assert_eq!(p2.record.name, "Kari Nordfrau");
    assert_eq!(p2.record.corrections, 1);
    // The reference an authorisation decision reads: no content.
    assert_eq!(
        s.person_ref(id).await.unwrap(),
        Some(PersonRef {
            id,
            org_id: o,
            pseudonym: "pseudo1".into()
        })
    );
    assert_eq!(s.person_ref(id + 100).await.unwrap(), None);
    let list = s
        .list_persons_logged(o, &access("person.list", Outcome::Allowed))
        .await
        .unwrap();
    assert_eq!(list.len(), 1);
    // The projection equals the replay of the log.
    assert_eq!(s.replay_person(id).await.unwrap(), list[0].record);
    // Every step was logged: create, read, correct, list.
    let log = s.access_log(&AccessFilter::default()).await.unwrap();
    let actions: Vec<&str> = log.iter().rev().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "person.create",
            "person.read",
            "person.correct",
            "person.list"
        ]
    );
    assert_eq!(log.last().unwrap().record, format!("person:{id}"));
    assert!(matches!(
        s.read_person_logged(id + 100, &access("person.read", Outcome::Allowed))
            .await,
        Err(StoreError::NotFound)
    ));
    // A read of a missing record logs nothing (the transaction rolled back).
    assert_eq!(
        s.access_log(&AccessFilter::default()).await.unwrap().len(),
        4
    );
}

async fn duplicate_person_is_a_conflict_and_writes_nothing(db: &TestDb) {
    let s = &db.store;
    let o = org(s, "oslo").await;
    let other = org(s, "bergen").await;
    s.register_person(
        o,
        1,
        "p",
        &registered(),
        &access("person.create", Outcome::Allowed),
        now(),
    )
    .await
    .unwrap();
    let events_before = s.read_all(0, 1000).await.unwrap().len();
    let log_before = s.access_log(&AccessFilter::default()).await.unwrap().len();
    let err = s
        .register_person(
            o,
            1,
            "p",
            &registered(),
            &access("person.create", Outcome::Allowed),
            now(),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
    assert_eq!(s.read_all(0, 1000).await.unwrap().len(), events_before);
    assert_eq!(
        s.access_log(&AccessFilter::default()).await.unwrap().len(),
        log_before
    );
    assert_eq!(s.verify_access_log().await.unwrap(), Ok(1));
    // Another organisation may register the same person.
    s.register_person(
        other,
        1,
        "p",
        &registered(),
        &access("person.create", Outcome::Allowed),
        now(),
    )
    .await
    .unwrap();
}

async fn access_log_chain_verifies_and_catches_tampering(db: &TestDb) {
    let s = &db.store;
    for i in 0..12 {
        let outcome = if i % 3 == 0 {
            Outcome::Denied
        } else {
            Outcome::Allowed
        };
        s.log_access(&access("person.read", outcome)).await.unwrap();
    }
    assert_eq!(s.verify_access_log().await.unwrap(), Ok(12));
    let flagged = s
        .access_log(&AccessFilter {
            flagged_only: true,
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(flagged.is_empty());
    s.tamper_access_entry(7, "mallory").await.unwrap();
    let broken = s.verify_access_log().await.unwrap().unwrap_err();
    assert_eq!(broken.id, 7);
    // Deleting the last entries is caught by the head.
    s.tamper_access_entry(7, "kari").await.unwrap();
    assert_eq!(s.verify_access_log().await.unwrap(), Ok(12));
    s.exec_admin("DELETE FROM access_log WHERE id = 12")
        .await
        .unwrap();
    assert_eq!(s.verify_access_log().await.unwrap().unwrap_err().id, 12);
}

async fn sessions_expire_and_die_with_disabled_user(db: &TestDb) {
    let s = &db.store;
    let o = org(s, "oslo").await;
    let u = s
        .create_user(
            o,
            Role::Advisor,
            Qualification::Other,
            "kari",
            "hash",
            now(),
        )
        .await
        .unwrap();
    let later: Timestamp = "2026-11-24T18:00:00Z".parse().unwrap();
    s.create_session("h1", u, "csrf", now(), later)
        .await
        .unwrap();
    assert_eq!(
        s.session("h1", now()).await.unwrap().unwrap().csrf_token,
        "csrf"
    );
    assert!(s.session("h1", later).await.unwrap().is_none(), "expired");
    assert!(
        s.session("h1", now()).await.unwrap().is_none(),
        "expired sessions are deleted"
    );
    s.create_session("h2", u, "csrf", now(), later)
        .await
        .unwrap();
    let manage = access("user.manage", Outcome::Allowed);
    s.change_user(u, UserChange::Disable, "test", None, &manage, now())
        .await
        .unwrap();
    assert!(s.session("h2", now()).await.unwrap().is_none());
}

#[test]
fn unknown_scheme_is_refused() {
    assert!(matches!(
        varde_store::engine_of("mysql://x"),
        Err(StoreError::UnknownScheme(_))
    ));
    assert!(matches!(
        varde_store::engine_of("varde.db"),
        Err(StoreError::UnknownScheme(_))
    ));
    assert_eq!(
        varde_store::engine_of("postgresql://h/db").unwrap(),
        Engine::Postgres
    );
    assert_eq!(
        varde_store::testing::replace_db_name(
            "postgres://u:p@h:5432/postgres?sslmode=disable",
            "t"
        ),
        "postgres://u:p@h:5432/t?sslmode=disable"
    );
}
