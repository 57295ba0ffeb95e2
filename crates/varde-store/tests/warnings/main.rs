//! The warnings area's storage, on SQLite and PostgreSQL (`sqlite::…`, `postgres::…`;
//! PostgreSQL is skipped without `VARDE_TEST_POSTGRES_URL`): a step is checked inside its
//! transaction and a refused one writes nothing; a publication writes its outbox rows with it;
//! deliveries are claimed with leases that no two workers share and that run out; a lost lease
//! records nothing; a subscriber failing again and again is marked.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use jiff::Timestamp;
use varde_core::audit::Outcome;
use varde_core::org::{OrgKind, Qualification, Role};
use varde_core::warnings::{draft, Actor, Event, Refusal};
use varde_store::testing::TestDb;
use varde_store::{
    AccessFilter, Attempt, DeliveryOutcome, NewAccess, NewDelivery, NewOrg, NewWebhook,
    WarningWrite, Webhook,
};

fn now() -> Timestamp {
    "2026-11-24T10:00:00Z".parse().unwrap()
}

/// An organisation with two users; their actors.
async fn users(db: &TestDb) -> (i64, Actor, Actor) {
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
    let mut actors = Vec::new();
    for name in ["ada", "bo"] {
        let id = store
            .create_user(
                org,
                Role::WarningApprover,
                Qualification::Other,
                name,
                "x",
                now(),
            )
            .await
            .unwrap();
        actors.push(Actor {
            id: id.0,
            name: name.into(),
        });
    }
    let bo = actors.pop().unwrap();
    let ada = actors.pop().unwrap();
    (org.0, ada, bo)
}

fn access(org: i64, who: &Actor, action: &str, id: &str) -> NewAccess {
    NewAccess {
        at: now(),
        actor: who.name.clone(),
        actor_id: who.id,
        org_id: org,
        owner_org_id: org,
        action: action.into(),
        subject: String::new(),
        record: format!("warning:{id}"),
        purpose: "test".into(),
        outcome: Outcome::Allowed,
        flagged: false,
    }
}

fn drafted() -> Event {
    let input = draft::DraftInput {
        title: draft::TextInput {
            nb: "Protonitazen".into(),
            en: None,
        },
        substance: "protonitazene".into(),
        areas: vec!["0301".into()],
        severity: "extreme".into(),
        description: draft::TextInput {
            nb: "Funnet".into(),
            en: None,
        },
        advice_public: draft::TextInput {
            nb: "Ikke bruk alene".into(),
            en: None,
        },
        advice_services: draft::TextInput {
            nb: "Nalokson".into(),
            en: None,
        },
        expires: "2026-12-20T12:00:00+01:00".into(),
        ..Default::default()
    };
    Event::Drafted {
        version: 1,
        content: Box::new(draft::parse(&input, now()).unwrap()),
    }
}

/// A delivery for the first subscriber only (the filter the web layer applies).
fn first_only(
    first: i64,
) -> impl Fn(&varde_core::warnings::Warning, &Webhook) -> Option<NewDelivery> + Send + Sync {
    move |w, hook| {
        (hook.id == first).then(|| NewDelivery {
            message_id: format!("msg_{}_{}", w.id, hook.id),
            version: 1,
            event_type: "warning.published".into(),
            content_type: "application/json".into(),
            body: "{}".into(),
        })
    }
}

async fn hook(db: &TestDb, by: &Actor, url: &str) -> i64 {
    db.store
        .webhook_create(&NewWebhook {
            url: url.into(),
            areas: vec![],
            min_severity: None,
            format: "json".into(),
            secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw".into(),
            created_by: by.id,
            created_at: now().to_string(),
        })
        .await
        .unwrap()
}

/// Drafts warning `id` by `ada` and has it approved by `bo`; the outbox rows `first_only`.
async fn publish(db: &TestDb, org: i64, ada: &Actor, bo: &Actor, id: &str, first: i64) {
    let no = |_: &varde_core::warnings::Warning, _: &Webhook| None;
    let ev = drafted();
    let a = access(org, ada, "warnings.draft", id);
    let w = WarningWrite {
        id,
        event: &ev,
        actor: ada,
        org_id: org,
        at: now(),
        access: &a,
    };
    db.store.warnings_write(w, no).await.unwrap().unwrap();
    let ev = Event::Approved { version: 1 };
    let a = access(org, bo, "warnings.approve", id);
    let w = WarningWrite {
        id,
        event: &ev,
        actor: bo,
        org_id: org,
        at: now(),
        access: &a,
    };
    db.store
        .warnings_write(w, first_only(first))
        .await
        .unwrap()
        .unwrap();
}

async fn a_refused_step_writes_nothing(db: &TestDb) {
    let (org, ada, bo) = users(db).await;
    let h1 = hook(db, &ada, "https://a.example/hook").await;
    hook(db, &ada, "https://b.example/hook").await;
    let no = |_: &varde_core::warnings::Warning, _: &Webhook| None;
    let ev = drafted();
    let a = access(org, &ada, "warnings.draft", "OVS-1");
    let w = WarningWrite {
        id: "OVS-1",
        event: &ev,
        actor: &ada,
        org_id: org,
        at: now(),
        access: &a,
    };
    db.store.warnings_write(w, no).await.unwrap().unwrap();
    let stamp = db.store.warnings_stamp().await.unwrap();
    let log = db
        .store
        .access_log(&AccessFilter::default())
        .await
        .unwrap()
        .len();
    // Ada approving her own version: refused inside the transaction, nothing written.
    let ev = Event::Approved { version: 1 };
    let a = access(org, &ada, "warnings.approve", "OVS-1");
    let w = WarningWrite {
        id: "OVS-1",
        event: &ev,
        actor: &ada,
        org_id: org,
        at: now(),
        access: &a,
    };
    assert_eq!(
        db.store
            .warnings_write(w, first_only(h1))
            .await
            .unwrap()
            .unwrap_err(),
        Refusal::OwnVersion
    );
    assert_eq!(db.store.warnings_stamp().await.unwrap(), stamp);
    assert_eq!(
        db.store
            .access_log(&AccessFilter::default())
            .await
            .unwrap()
            .len(),
        log
    );
    assert!(db.store.deliveries(None, 10).await.unwrap().is_empty());
    assert!(db
        .store
        .warning("OVS-1")
        .await
        .unwrap()
        .unwrap()
        .published()
        .is_none());
    // Bo approves: published, one outbox row (for the first subscriber only), logged.
    let a = access(org, &bo, "warnings.approve", "OVS-1");
    let w = WarningWrite {
        id: "OVS-1",
        event: &ev,
        actor: &bo,
        org_id: org,
        at: now(),
        access: &a,
    };
    let published = db
        .store
        .warnings_write(w, first_only(h1))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        published.published().unwrap().approved.as_ref().unwrap().by,
        bo
    );
    assert_eq!(db.store.warnings_stamp().await.unwrap(), stamp + 1);
    let d = db.store.deliveries(None, 10).await.unwrap();
    assert_eq!(d.len(), 1);
    assert_eq!((d[0].webhook_id, d[0].status.as_str()), (h1, "pending"));
    assert_eq!(
        db.store
            .access_log(&AccessFilter::default())
            .await
            .unwrap()
            .len(),
        log + 1
    );
    // The projection is what the events replay to.
    let events = db.store.read_stream("warnings:OVS-1").await.unwrap();
    assert_eq!(events.len(), 2);
    let (read_at, all) = db.store.warnings_all().await.unwrap();
    assert_eq!(
        (read_at, all.len()),
        (stamp + 1, 1),
        "the list is of the current stamp"
    );
    assert_eq!(all[0], published);
}

async fn leases_are_never_shared_and_run_out(db: &TestDb) {
    let (org, ada, bo) = users(db).await;
    let h = hook(db, &ada, "https://a.example/hook").await;
    for i in 0..3 {
        publish(db, org, &ada, &bo, &format!("OVS-{i}"), h).await;
    }
    let t = now().as_millisecond();
    let a = db.store.deliveries_claim("a", t, 60_000, 2).await.unwrap();
    let b = db.store.deliveries_claim("b", t, 60_000, 2).await.unwrap();
    let c = db
        .store
        .deliveries_claim("c", t + 1_000, 60_000, 2)
        .await
        .unwrap();
    assert_eq!((a.len(), b.len(), c.len()), (2, 1, 0));
    assert!(a.iter().all(|x| x.id != b[0].id));
    // "a" crashed: its leases run out and "c" takes them over.
    let c = db
        .store
        .deliveries_claim("c", t + 61_000, 60_000, 5)
        .await
        .unwrap();
    let mut taken: Vec<i64> = c.iter().map(|x| x.id).collect();
    taken.sort();
    let mut lost: Vec<i64> = a.iter().map(|x| x.id).collect();
    lost.extend(b.iter().map(|x| x.id));
    lost.sort();
    assert_eq!(taken, lost, "every expired lease is taken over");
    // A worker whose lease ran out records nothing; the holder does.
    let attempt = Attempt {
        at: t + 62_000,
        duration_ms: 5,
        status_code: Some(200),
        error: None,
        instance: "a".into(),
    };
    assert!(!db
        .store
        .delivery_record(a[0].id, "a", &attempt, DeliveryOutcome::Delivered)
        .await
        .unwrap());
    assert!(db
        .store
        .delivery_record(a[0].id, "c", &attempt, DeliveryOutcome::Delivered)
        .await
        .unwrap());
    let d = db.store.delivery(a[0].id).await.unwrap().unwrap();
    assert_eq!((d.status.as_str(), d.attempts), ("delivered", 1));
    assert_eq!(db.store.delivery_attempts(a[0].id).await.unwrap().len(), 1);
    // A delivered row is never claimed again.
    let again = db
        .store
        .deliveries_claim("d", t + 200_000, 60_000, 5)
        .await
        .unwrap();
    assert!(again.iter().all(|x| x.id != a[0].id));
}

async fn concurrent_claims_take_each_row_once(db: &TestDb) {
    let (org, ada, bo) = users(db).await;
    let h = hook(db, &ada, "https://a.example/hook").await;
    for i in 0..10 {
        publish(db, org, &ada, &bo, &format!("OVS-{i}"), h).await;
    }
    let t = now().as_millisecond();
    let mut tasks = Vec::new();
    for w in 0..8 {
        let store = db.store.clone();
        tasks.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            loop {
                let got = store
                    .deliveries_claim(&format!("w{w}"), t, 60_000, 1)
                    .await
                    .unwrap();
                if got.is_empty() {
                    return mine;
                }
                mine.extend(got.into_iter().map(|d| d.id));
            }
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    all.sort();
    let n = all.len();
    all.dedup();
    assert_eq!((n, all.len()), (10, 10), "each row claimed once");
}

async fn a_subscriber_failing_again_and_again_is_marked(db: &TestDb) {
    let (org, ada, bo) = users(db).await;
    let h = hook(db, &ada, "https://down.example/hook").await;
    publish(db, org, &ada, &bo, "OVS-1", h).await;
    let mut t = now().as_millisecond();
    for i in 0..5 {
        let d = db.store.deliveries_claim("a", t, 60_000, 1).await.unwrap();
        assert_eq!(d.len(), 1, "attempt {i}");
        let attempt = Attempt {
            at: t,
            duration_ms: 1,
            status_code: Some(503),
            error: Some("HTTP 503".into()),
            instance: "a".into(),
        };
        assert!(db
            .store
            .delivery_record(d[0].id, "a", &attempt, DeliveryOutcome::Retry(t + 10))
            .await
            .unwrap());
        t += 20;
        let w = db.store.webhook(h).await.unwrap().unwrap();
        assert_eq!((w.failing, w.consecutive_failures), (i == 4, i + 1));
    }
    let d = db.store.deliveries_claim("a", t, 60_000, 1).await.unwrap();
    let attempt = Attempt {
        at: t,
        duration_ms: 1,
        status_code: None,
        error: Some("could not connect".into()),
        instance: "a".into(),
    };
    db.store
        .delivery_record(d[0].id, "a", &attempt, DeliveryOutcome::GiveUp)
        .await
        .unwrap();
    assert_eq!(
        db.store.delivery(d[0].id).await.unwrap().unwrap().status,
        "failed"
    );
    assert!(db
        .store
        .deliveries_claim("a", t + 100_000, 60_000, 1)
        .await
        .unwrap()
        .is_empty());
    // Resent by the admin: pending again, same message id; a success clears the mark.
    assert!(db.store.delivery_resend(d[0].id, t).await.unwrap());
    let again = db.store.deliveries_claim("a", t, 60_000, 1).await.unwrap();
    assert_eq!(again[0].message_id, d[0].message_id);
    let ok = Attempt {
        at: t,
        duration_ms: 1,
        status_code: Some(200),
        error: None,
        instance: "a".into(),
    };
    db.store
        .delivery_record(again[0].id, "a", &ok, DeliveryOutcome::Delivered)
        .await
        .unwrap();
    let w = db.store.webhook(h).await.unwrap().unwrap();
    assert_eq!((w.failing, w.consecutive_failures), (false, 0));
    // A removed subscriber is sent nothing more, and cannot be resent to.
    assert!(db.store.webhook_deactivate(h).await.unwrap());
    assert!(!db.store.delivery_resend(d[0].id, t).await.unwrap());
}

varde_store::conformance!(
    a_refused_step_writes_nothing,
    leases_are_never_shared_and_run_out,
    concurrent_claims_take_each_row_once,
    a_subscriber_failing_again_and_again_is_marked,
);
