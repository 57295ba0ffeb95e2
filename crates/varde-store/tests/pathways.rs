//! Conformance of the pathway event storage: every scenario runs against SQLite and
//! PostgreSQL (`sqlite::…` and `postgres::…`; PostgreSQL is skipped without
//! `VARDE_TEST_POSTGRES_URL`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::HashMap;

use jiff::Timestamp;
use varde_core::audit::Outcome;
use varde_core::org::{OrgId, OrgKind, UserId};
use varde_core::pathways::{read_events, EventFields};
use varde_store::testing::TestDb;
use varde_store::{
    AccessFilter, ImportOutcome, NewAccess, NewOrg, Store, StoreError, StoredEvent,
    PATHWAY_CORRECTED_KIND, PATHWAY_EVENT_KIND,
};

macro_rules! conformance {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $name() {
                    let db = varde_store::testing::TestDb::new(varde_store::Engine::Sqlite).await.expect("sqlite test db");
                    super::$name(&db).await;
                    db.cleanup().await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test]
                async fn $name() {
                    let Some(db) = varde_store::testing::TestDb::new(varde_store::Engine::Postgres).await else { return };
                    super::$name(&db).await;
                    db.cleanup().await;
                }
            )*
        }
    };
}

conformance!(
    pathway_events_append_and_read_back_in_order,
    pathway_batch_is_imported_once,
    pathway_correction_withdraws_and_replaces,
    pathway_events_of_other_orgs_are_not_returned,
    pathway_access_entry_commits_with_the_write,
    pathway_failure_mid_batch_writes_nothing,
    pathway_concurrent_imports_of_one_batch_write_it_once,
    pathway_text_is_stored_as_given,
);

const SAMPLE: &str = include_str!("../../varde-core/testdata/pathways/sample.csv");

fn now() -> Timestamp {
    "2026-11-24T10:00:00Z".parse().unwrap()
}

/// The sample file's events as text (1287 rows).
fn sample() -> Vec<EventFields> {
    let parsed = read_events(SAMPLE.as_bytes()).unwrap();
    assert!(parsed.errors.is_empty());
    parsed.events.iter().map(EventFields::of).collect()
}

/// The sample twice, the second time under other pathway ids: more rows than one insert
/// statement takes.
fn sample_twice() -> Vec<EventFields> {
    let mut events = sample();
    let again: Vec<EventFields> = events
        .iter()
        .map(|e| EventFields {
            pathway_id: format!("{}-B", e.pathway_id),
            ..e.clone()
        })
        .collect();
    events.extend(again);
    assert!(events.len() > varde_store::PATHWAY_INSERT_CHUNK);
    events
}

fn fields(pathway_id: &str, event: &str, date: &str) -> EventFields {
    EventFields {
        pathway_id: pathway_id.into(),
        unit: "Bergen Klinikk rus".into(),
        hf: "Helse Bergen HF".into(),
        rhf: "Helse Vest RHF".into(),
        kommune: "4601".into(),
        care_level: "outpatient".into(),
        event: event.into(),
        date: date.into(),
        ..EventFields::default()
    }
}

fn access(action: &str, org: OrgId) -> NewAccess {
    NewAccess {
        at: now(),
        actor: "kari".into(),
        actor_id: 1,
        org_id: org.0,
        owner_org_id: org.0,
        action: action.into(),
        subject: String::new(),
        record: String::new(),
        purpose: String::new(),
        outcome: Outcome::Allowed,
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

async fn all_events(s: &Store) -> Vec<StoredEvent> {
    s.read_all(0, 1_000_000).await.unwrap()
}

async fn access_count(s: &Store) -> usize {
    s.access_log(&AccessFilter {
        limit: 100_000,
        ..AccessFilter::default()
    })
    .await
    .unwrap()
    .len()
}

const ACTOR: UserId = UserId(7);

async fn pathway_events_append_and_read_back_in_order(db: &TestDb) {
    let s = &db.store;
    let o = org(s, "helse-bergen").await;
    let events = sample_twice();
    let got = s
        .append_pathway_events(o, ACTOR, None, &events, now(), None)
        .await
        .unwrap();
    assert_eq!(got, ImportOutcome::Imported { events: 2574 });
    let stored = s.pathway_events(Some(o)).await.unwrap();
    assert_eq!(stored.len(), events.len());
    assert!(stored.windows(2).all(|w| w[0].id < w[1].id));
    for (row, f) in stored.iter().zip(&events) {
        assert_eq!(&row.fields, f);
        assert_eq!(row.org_id, o);
        assert_eq!(row.batch_id, None);
        assert_eq!(row.recorded_at, now().to_string());
    }
    // Each projection row points at its event in the log: right stream, kind, body, date.
    let log: HashMap<i64, StoredEvent> =
        all_events(s).await.into_iter().map(|e| (e.id, e)).collect();
    assert_eq!(log.len(), events.len());
    let mut next_seq: HashMap<String, i64> = HashMap::new();
    for row in &stored {
        let ev = &log[&row.event_id];
        let stream = format!("pathway:{}:{}", o.0, row.fields.pathway_id);
        assert_eq!(ev.stream, stream);
        let seq = next_seq.entry(stream).or_insert(0);
        *seq += 1;
        assert_eq!(ev.seq, *seq, "sequence numbers follow the order given");
        assert_eq!(ev.kind, PATHWAY_EVENT_KIND);
        assert_eq!(
            serde_json::from_str::<EventFields>(&ev.body).unwrap(),
            row.fields
        );
        assert_eq!(ev.effective_date, row.fields.date);
        assert_eq!(ev.actor_id, Some(ACTOR.0));
        assert_eq!(ev.org_id, Some(o.0));
    }
    // One pathway, and a later append to it continues its stream.
    let pid = events[0].pathway_id.clone();
    let before = s.pathway_events_of(o, &pid).await.unwrap();
    assert!(!before.is_empty());
    assert!(before.iter().all(|r| r.fields.pathway_id == pid));
    let later = fields(&format!("  {pid} "), "evaluation", "2025-12-01");
    s.append_pathway_events(o, ACTOR, None, std::slice::from_ref(&later), now(), None)
        .await
        .unwrap();
    let after = s.pathway_events_of(o, &pid).await.unwrap();
    assert_eq!(after.len(), before.len() + 1);
    let last = after.last().unwrap();
    assert_eq!(last.fields.pathway_id, pid, "fields are stored trimmed");
    let stream = s
        .read_stream(&format!("pathway:{}:{pid}", o.0))
        .await
        .unwrap();
    assert_eq!(stream.len(), after.len());
    assert_eq!(stream.last().unwrap().id, last.event_id);
    assert_eq!(stream.last().unwrap().seq, after.len() as i64);
    // Nothing to import is fine.
    assert_eq!(
        s.append_pathway_events(o, ACTOR, None, &[], now(), None)
            .await
            .unwrap(),
        ImportOutcome::Imported { events: 0 }
    );
}

async fn pathway_batch_is_imported_once(db: &TestDb) {
    let s = &db.store;
    let o = org(s, "helse-bergen").await;
    let other = org(s, "helse-stavanger").await;
    let first = vec![
        fields("P1", "referral_received", "2025-01-02"),
        fields("P2", "referral_received", "2025-01-03"),
        fields("P1", "pathway_start", "2025-01-05"),
    ];
    let got = s
        .append_pathway_events(
            o,
            ACTOR,
            Some("2025-01"),
            &first,
            now(),
            Some(&access("pathway.import", o)),
        )
        .await
        .unwrap();
    assert_eq!(got, ImportOutcome::Imported { events: 3 });
    let events_before = all_events(s).await.len();
    let log_before = access_count(s).await;
    // Again, even with other rows: nothing is written.
    let again = s
        .append_pathway_events(
            o,
            ACTOR,
            Some("2025-01"),
            &[fields("P9", "referral_received", "2025-01-09")],
            now(),
            Some(&access("pathway.import", o)),
        )
        .await
        .unwrap();
    assert_eq!(again, ImportOutcome::AlreadyImported { events: 3 });
    assert_eq!(all_events(s).await.len(), events_before);
    assert_eq!(access_count(s).await, log_before);
    let rows = s.pathway_events(Some(o)).await.unwrap();
    assert_eq!(rows.len(), 3);
    assert!(rows
        .iter()
        .all(|r| r.batch_id.as_deref() == Some("2025-01")));
    // The batch id is per organisation; without one, nothing is deduplicated.
    assert_eq!(
        s.append_pathway_events(other, ACTOR, Some("2025-01"), &first, now(), None)
            .await
            .unwrap(),
        ImportOutcome::Imported { events: 3 }
    );
    for _ in 0..2 {
        s.append_pathway_events(o, ACTOR, None, &first[..1], now(), None)
            .await
            .unwrap();
    }
    assert_eq!(s.pathway_events(Some(o)).await.unwrap().len(), 5);
    assert_eq!(s.pathway_events(None).await.unwrap().len(), 8);
    assert_eq!(s.verify_access_log().await.unwrap(), Ok(1));
}

async fn pathway_correction_withdraws_and_replaces(db: &TestDb) {
    let s = &db.store;
    let o = org(s, "helse-bergen").await;
    let other = org(s, "helse-stavanger").await;
    let mut assessed = fields("P1", "referral_assessed", "2025-01-10");
    assessed.outcome = "right".into();
    assessed.deadline = "2025-02-10".into();
    let events = vec![
        fields("P1", "referral_received", "2025-01-02"),
        assessed.clone(),
        fields("P1", "pathway_start", "2025-01-12"),
    ];
    s.append_pathway_events(o, ACTOR, None, &events, now(), None)
        .await
        .unwrap();
    let rows = s.pathway_events_of(o, "P1").await.unwrap();
    let target = rows[1].id;
    // Another organisation cannot correct it, and a missing row is not found.
    let mut fixed = assessed.clone();
    fixed.deadline = "2025-02-11".into();
    for (who, id) in [(other, target), (o, target + 1000)] {
        let err = s
            .correct_pathway_event(who, ACTOR, id, Some(&fixed), "typo", now(), None)
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::NotFound), "{err:?}");
    }
    assert_eq!(s.pathway_events_of(o, "P1").await.unwrap(), rows);
    let later: Timestamp = "2026-11-25T09:00:00Z".parse().unwrap();
    let new_id = s
        .correct_pathway_event(o, ACTOR, target, Some(&fixed), "typo", later, None)
        .await
        .unwrap()
        .expect("a replacement id");
    let now_rows = s.pathway_events_of(o, "P1").await.unwrap();
    assert_eq!(now_rows.len(), 3);
    assert!(now_rows.iter().all(|r| r.id != target));
    let replaced = now_rows.iter().find(|r| r.id == new_id).unwrap();
    assert_eq!(replaced.fields, fixed);
    assert_eq!(replaced.batch_id, None);
    assert_eq!(replaced.recorded_at, later.to_string());
    // The log holds the correction, in the pathway's stream, and the replacement points at it.
    let stream = s.read_stream(&format!("pathway:{}:P1", o.0)).await.unwrap();
    assert_eq!(stream.len(), 4);
    let corr = &stream[3];
    assert_eq!(corr.kind, PATHWAY_CORRECTED_KIND);
    assert_eq!(corr.seq, 4);
    assert_eq!(corr.effective_date, "2026-11-25");
    assert_eq!(corr.id, replaced.event_id);
    let body: serde_json::Value = serde_json::from_str(&corr.body).unwrap();
    assert_eq!(body["target"], target);
    assert_eq!(body["reason"], "typo");
    assert_eq!(
        serde_json::from_value::<EventFields>(body["replacement"].clone()).unwrap(),
        fixed
    );
    // A withdrawn row cannot be corrected again.
    let err = s
        .correct_pathway_event(o, ACTOR, target, None, "again", now(), None)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
    // A correction without a replacement removes the event.
    let start = rows[2].id;
    assert_eq!(
        s.correct_pathway_event(o, ACTOR, start, None, "wrong pathway", now(), None)
            .await
            .unwrap(),
        None
    );
    let left = s.pathway_events_of(o, "P1").await.unwrap();
    assert_eq!(
        left.iter().map(|r| r.id).collect::<Vec<_>>(),
        vec![rows[0].id, new_id]
    );
    let stream = s.read_stream(&format!("pathway:{}:P1", o.0)).await.unwrap();
    let body: serde_json::Value = serde_json::from_str(&stream[4].body).unwrap();
    assert_eq!(body["replacement"], serde_json::Value::Null);
    assert_eq!(body["target"], start);
    // An import after the corrections continues the stream.
    s.append_pathway_events(
        o,
        ACTOR,
        None,
        &[fields("P1", "evaluation", "2025-03-01")],
        now(),
        None,
    )
    .await
    .unwrap();
    let stream = s.read_stream(&format!("pathway:{}:P1", o.0)).await.unwrap();
    assert_eq!(
        stream.iter().map(|e| e.seq).collect::<Vec<_>>(),
        [1, 2, 3, 4, 5, 6]
    );
}

async fn pathway_events_of_other_orgs_are_not_returned(db: &TestDb) {
    let s = &db.store;
    let a = org(s, "helse-bergen").await;
    let b = org(s, "helse-stavanger").await;
    let e = fields("P1", "referral_received", "2025-01-02");
    s.append_pathway_events(a, ACTOR, None, &[e.clone(), e.clone()], now(), None)
        .await
        .unwrap();
    s.append_pathway_events(b, ACTOR, None, std::slice::from_ref(&e), now(), None)
        .await
        .unwrap();
    let of_a = s.pathway_events(Some(a)).await.unwrap();
    let of_b = s.pathway_events(Some(b)).await.unwrap();
    assert_eq!(of_a.len(), 2);
    assert_eq!(of_b.len(), 1);
    assert!(of_a.iter().all(|r| r.org_id == a));
    assert!(of_b.iter().all(|r| r.org_id == b));
    assert_eq!(s.pathway_events(None).await.unwrap().len(), 3);
    assert_eq!(s.pathway_events_of(b, "P1").await.unwrap(), of_b);
    assert!(s.pathway_events_of(b, "P2").await.unwrap().is_empty());
    // The same pathway id in two organisations is two streams.
    assert_eq!(
        s.read_stream(&format!("pathway:{}:P1", a.0))
            .await
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        s.read_stream(&format!("pathway:{}:P1", b.0))
            .await
            .unwrap()
            .len(),
        1
    );
    assert!(s
        .pathway_events(Some(OrgId(a.0 + b.0 + 100)))
        .await
        .unwrap()
        .is_empty());
}

async fn pathway_access_entry_commits_with_the_write(db: &TestDb) {
    let s = &db.store;
    let o = org(s, "helse-bergen").await;
    let events = sample();
    s.append_pathway_events(
        o,
        ACTOR,
        Some("b1"),
        &events,
        now(),
        Some(&access("pathway.import", o)),
    )
    .await
    .unwrap();
    let target = s.pathway_events(Some(o)).await.unwrap()[5].id;
    s.correct_pathway_event(
        o,
        ACTOR,
        target,
        None,
        "duplicate",
        now(),
        Some(&access("pathway.correct", o)),
    )
    .await
    .unwrap();
    let log = s.access_log(&AccessFilter::default()).await.unwrap();
    let actions: Vec<&str> = log.iter().rev().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["pathway.import", "pathway.correct"]);
    assert_eq!(s.verify_access_log().await.unwrap(), Ok(2));
    // A refused correction logs nothing (the transaction rolled back).
    let err = s
        .correct_pathway_event(
            o,
            ACTOR,
            target,
            None,
            "again",
            now(),
            Some(&access("pathway.correct", o)),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)));
    assert_eq!(s.verify_access_log().await.unwrap(), Ok(2));
}

async fn pathway_failure_mid_batch_writes_nothing(db: &TestDb) {
    let s = &db.store;
    let o = org(s, "helse-bergen").await;
    let events = sample_twice();
    // An organisation that does not exist: every event-log row (two statements' worth) is
    // written before the projection's foreign key refuses the first projection row; the
    // rollback takes them all.
    let missing = OrgId(o.0 + 1000);
    let err = s
        .append_pathway_events(
            missing,
            ACTOR,
            None,
            &events,
            now(),
            Some(&access("pathway.import", o)),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Db(_)), "{err:?}");
    assert!(all_events(s).await.is_empty());
    assert!(s.pathway_events(None).await.unwrap().is_empty());
    assert_eq!(access_count(s).await, 0);
    // The access entry fails after every event and projection row of the batch is written
    // (its log head is gone): nothing stays, not even the batch id.
    s.exec_admin("DELETE FROM access_head").await.unwrap();
    let err = s
        .append_pathway_events(
            o,
            ACTOR,
            Some("b1"),
            &events,
            now(),
            Some(&access("pathway.import", o)),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Db(_)), "{err:?}");
    assert!(all_events(s).await.is_empty());
    assert!(s.pathway_events(None).await.unwrap().is_empty());
    assert_eq!(access_count(s).await, 0);
    // A correction whose access entry fails withdraws nothing.
    s.exec_admin(
        "INSERT INTO access_head (id, last_id, last_hash) \
         VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000')",
    )
    .await
    .unwrap();
    assert_eq!(
        s.append_pathway_events(o, ACTOR, Some("b1"), &events, now(), None)
            .await
            .unwrap(),
        ImportOutcome::Imported {
            events: events.len()
        },
        "the failed import did not record its batch"
    );
    s.exec_admin("DELETE FROM access_head").await.unwrap();
    let rows = s.pathway_events(Some(o)).await.unwrap();
    let err = s
        .correct_pathway_event(
            o,
            ACTOR,
            rows[0].id,
            Some(&events[1]),
            "typo",
            now(),
            Some(&access("pathway.correct", o)),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Db(_)), "{err:?}");
    assert_eq!(s.pathway_events(Some(o)).await.unwrap(), rows);
    assert_eq!(all_events(s).await.len(), events.len());
}

async fn pathway_concurrent_imports_of_one_batch_write_it_once(db: &TestDb) {
    let s = &db.store;
    let o = org(s, "helse-bergen").await;
    let events = sample_twice();
    let import = || s.append_pathway_events(o, ACTOR, Some("2025"), &events, now(), None);
    let (a, b) = tokio::join!(import(), import());
    let mut got = [a.unwrap(), b.unwrap()];
    got.sort_by_key(|g| matches!(g, ImportOutcome::AlreadyImported { .. }));
    assert_eq!(
        got,
        [
            ImportOutcome::Imported { events: 2574 },
            ImportOutcome::AlreadyImported { events: 2574 }
        ]
    );
    assert_eq!(s.pathway_events(Some(o)).await.unwrap().len(), 2574);
    assert_eq!(all_events(s).await.len(), 2574);
}

async fn pathway_text_is_stored_as_given(db: &TestDb) {
    let s = &db.store;
    let o = org(s, "helse-bergen").await;
    let mut odd = fields("P\"1\\x", "pathway_end", "2025-02-01");
    odd.unit = "Ålesund «rus» 🚑".into();
    odd.outcome = "flyttet,\n\tsee \u{1} note; 'quoted' \"twice\"".into();
    odd.kommune = "0301".into();
    odd.code = "12".into();
    let plain = fields("P2", "referral_received", "2025-01-01");
    let events = vec![odd.clone(), plain.clone()];
    s.append_pathway_events(o, ACTOR, Some("odd \"batch\""), &events, now(), None)
        .await
        .unwrap();
    let stored = s.pathway_events(Some(o)).await.unwrap();
    assert_eq!(stored.len(), 2);
    assert_eq!(stored[0].fields, odd);
    assert_eq!(stored[1].fields, plain);
    assert_eq!(stored[0].batch_id.as_deref(), Some("odd \"batch\""));
    assert_eq!(s.pathway_events_of(o, "P\"1\\x").await.unwrap().len(), 1);
    let log = s
        .read_stream(&format!("pathway:{}:P\"1\\x", o.0))
        .await
        .unwrap();
    assert_eq!(
        serde_json::from_str::<EventFields>(&log[0].body).unwrap(),
        odd
    );
}
