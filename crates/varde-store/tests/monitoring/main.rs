//! The monitoring area's storage, on SQLite and PostgreSQL (`sqlite::…`, `postgres::…`;
//! PostgreSQL is skipped without `VARDE_TEST_POSTGRES_URL`): a raise is deduplicated by its
//! key; a change is checked inside its transaction and a refused one writes no event, no
//! projection change and no access entry; a link into a closed signal is refused; the
//! watchlist's changes read back over the reference list's flag.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use jiff::Timestamp;
use varde_core::audit::Outcome;
use varde_core::monitoring::signals::{NewSignal, SignalChange, SignalKind};
use varde_core::org::{OrgKind, Qualification, Role};
use varde_store::testing::TestDb;
use varde_store::{signal_stream, AccessFilter, NewAccess, NewOrg, WATCHLIST_STREAM};

mod series;

fn now() -> Timestamp {
    "2026-11-24T10:00:00Z".parse().unwrap()
}

/// An organisation with an analyst: (org id, user id).
async fn analyst(db: &TestDb) -> (i64, i64) {
    let store = &db.store;
    let org = store
        .ensure_org(
            &NewOrg {
                kind: OrgKind::NationalAuthority,
                name: "Helsedirektoratet".into(),
                slug: "hdir".into(),
                kommunenummer: None,
                orgnr: None,
                parent_id: None,
            },
            now(),
        )
        .await
        .unwrap();
    let user = store
        .create_user(org, Role::Analyst, Qualification::Other, "ana", "x", now())
        .await
        .unwrap();
    (org.0, user.0)
}

fn access(org: i64, user: i64, record: String) -> NewAccess {
    NewAccess {
        at: now(),
        actor: "ana".into(),
        actor_id: user,
        org_id: org,
        owner_org_id: org,
        action: "monitoring.write".into(),
        subject: String::new(),
        record,
        purpose: "test".into(),
        outcome: Outcome::Allowed,
        flagged: false,
    }
}

fn signal(dedupe: &str) -> NewSignal {
    NewSignal {
        kind: SignalKind::Watchlist,
        source: "drugcheck".into(),
        substance: Some("protonitazene".into()),
        area: "0301".into(),
        week: "2026-W48".into(),
        observed: 1.0,
        threshold: None,
        rule: "a finding of a substance on the watchlist".into(),
        detail: "tablet sold as oxycodone".into(),
        dedupe: dedupe.into(),
    }
}

async fn entries(db: &TestDb) -> usize {
    db.store
        .access_log(&AccessFilter {
            limit: 1000,
            ..Default::default()
        })
        .await
        .unwrap()
        .len()
}

async fn a_raise_is_deduplicated_by_its_key(db: &TestDb) {
    let store = &db.store;
    let first = store.signal_raise(&signal("k1"), now()).await.unwrap();
    assert!(first.is_some());
    assert_eq!(
        store.signal_raise(&signal("k1"), now()).await.unwrap(),
        None
    );
    let other = store.signal_raise(&signal("k2"), now()).await.unwrap();
    assert!(other.is_some() && other != first);
    let all = store.signals(None, 100).await.unwrap();
    assert_eq!(all.len(), 2);
    let s = store.signal(first.unwrap()).await.unwrap().unwrap();
    assert_eq!((s.status.as_str(), s.kind.as_str()), ("new", "watchlist"));
    assert_eq!(s.substance.as_deref(), Some("protonitazene"));
    assert_eq!(store.signals(Some("new"), 100).await.unwrap().len(), 2);
    assert!(store
        .signals(Some("dismissed"), 100)
        .await
        .unwrap()
        .is_empty());
}

async fn a_change_is_checked_in_its_transaction(db: &TestDb) {
    let store = &db.store;
    let (org, user) = analyst(db).await;
    let id = store
        .signal_raise(&signal("k"), now())
        .await
        .unwrap()
        .unwrap();
    let acc = access(org, user, format!("signal:{id}"));
    let s = store
        .signal_change(id, &SignalChange::Acknowledge, user, org, now(), &acc)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(s.status, "acknowledged");
    let before = entries(db).await;
    // Acknowledged twice: refused, nothing written.
    let refused = store
        .signal_change(id, &SignalChange::Acknowledge, user, org, now(), &acc)
        .await
        .unwrap()
        .unwrap_err();
    assert_eq!(refused.field, "status");
    assert_eq!(entries(db).await, before, "no access entry for a refusal");
    let events = store.read_stream(&signal_stream(id)).await.unwrap();
    assert_eq!(events.len(), 1, "no event for a refusal");
    assert_eq!(events[0].kind, "monitoring.signal_acknowledged");
    assert_eq!(events[0].actor_id, Some(user));
    // Dismissed with a reason; then closed for every change.
    let dismiss = SignalChange::Dismiss {
        reason: "known finding".into(),
    };
    let s = store
        .signal_change(id, &dismiss, user, org, now(), &acc)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(s.status, "dismissed");
    assert!(store
        .signal_change(id, &dismiss, user, org, now(), &acc)
        .await
        .unwrap()
        .is_err());
    assert_eq!(
        store.read_stream(&signal_stream(id)).await.unwrap().len(),
        2
    );
    // An unknown signal.
    assert!(matches!(
        store
            .signal_change(9999, &SignalChange::Acknowledge, user, org, now(), &acc)
            .await,
        Err(varde_store::StoreError::NotFound)
    ));
}

async fn a_link_into_a_closed_signal_is_refused(db: &TestDb) {
    let store = &db.store;
    let (org, user) = analyst(db).await;
    let a = store
        .signal_raise(&signal("a"), now())
        .await
        .unwrap()
        .unwrap();
    let b = store
        .signal_raise(&signal("b"), now())
        .await
        .unwrap()
        .unwrap();
    let c = store
        .signal_raise(&signal("c"), now())
        .await
        .unwrap()
        .unwrap();
    let acc = access(org, user, "signal".into());
    // c linked into a: c is closed, a stays open.
    let s = store
        .signal_change(c, &SignalChange::Link { into: a }, user, org, now(), &acc)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((s.status.as_str(), s.linked_into), ("linked", Some(a)));
    // b into c (closed): refused; b into itself, into nothing: refused.
    for into in [c, b, 4242] {
        let refused = store
            .signal_change(b, &SignalChange::Link { into }, user, org, now(), &acc)
            .await
            .unwrap()
            .unwrap_err();
        assert_eq!(refused.field, "into", "{into}");
    }
    let b_now = store.signal(b).await.unwrap().unwrap();
    assert_eq!((b_now.status.as_str(), b_now.linked_into), ("new", None));
    assert!(store
        .read_stream(&signal_stream(b))
        .await
        .unwrap()
        .is_empty());
    assert_eq!(store.signal(a).await.unwrap().unwrap().status, "new");
}

async fn the_watchlists_changes_read_back(db: &TestDb) {
    let store = &db.store;
    let (org, user) = analyst(db).await;
    let list = varde_core::substances::get();
    let heroin = list.find("heroin").unwrap();
    let proto = list.find("protonitazene").unwrap();
    let w = store.watchlist().await.unwrap();
    assert!(w.overrides.is_empty() && w.contains(proto) && !w.contains(heroin));
    let acc = access(org, user, "watchlist".into());
    let before = entries(db).await;
    store
        .watchlist_set("heroin", true, user, org, now(), &acc)
        .await
        .unwrap();
    store
        .watchlist_set("protonitazene", false, user, org, now(), &acc)
        .await
        .unwrap();
    let w = store.watchlist().await.unwrap();
    assert!(w.contains(heroin) && !w.contains(proto));
    // Put back on: the latest change counts.
    store
        .watchlist_set("protonitazene", true, user, org, now(), &acc)
        .await
        .unwrap();
    let w = store.watchlist().await.unwrap();
    assert!(w.contains(proto));
    assert_eq!(w.overrides.get("protonitazene"), Some(&true));
    let events = store.read_stream(WATCHLIST_STREAM).await.unwrap();
    assert_eq!(events.len(), 3);
    assert!(events.iter().all(|e| e.actor_id == Some(user)));
    assert_eq!(entries(db).await, before + 3);
}

varde_store::conformance!(
    a_raise_is_deduplicated_by_its_key,
    a_change_is_checked_in_its_transaction,
    a_link_into_a_closed_signal_is_refused,
    the_watchlists_changes_read_back,
);
