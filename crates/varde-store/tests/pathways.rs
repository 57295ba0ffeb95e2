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
    fields_of_logged_row, AccessFilter, Batch, ImportOutcome, NewAccess, NewOrg, PathwayStamp,
    Store, StoreError, StoredEvent, StoredPathwayEvent, PATHWAY_CORRECTED_KIND,
    PATHWAY_EVENTS_KIND, PATHWAY_INSERT_CHUNK,
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
    pathway_concurrent_imports_of_one_org_take_turns,
    pathway_writes_checked_against_a_version_refuse_a_newer_one,
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

/// A batch whose digest is its id (these tests send each batch id with one content).
fn b(id: &str) -> Batch<'_> {
    Batch { id, digest: id }
}

/// The fields a projection row's log event holds for it: row `row_index` of a chunk, or the
/// replacement of a correction.
fn logged(log: &HashMap<i64, StoredEvent>, row: &StoredPathwayEvent) -> EventFields {
    let ev = &log[&row.event_id];
    let body: serde_json::Value = serde_json::from_str(&ev.body).unwrap();
    let value = match ev.kind.as_str() {
        PATHWAY_EVENTS_KIND => body["rows"][row.row_index as usize].clone(),
        PATHWAY_CORRECTED_KIND => {
            assert_eq!(row.row_index, 0);
            body["replacement"].clone()
        }
        other => panic!("unexpected kind {other}"),
    };
    fields_of_logged_row(&serde_json::from_value(value).unwrap())
}

async fn log_by_id(s: &Store) -> HashMap<i64, StoredEvent> {
    all_events(s).await.into_iter().map(|e| (e.id, e)).collect()
}

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
    // The log holds one event per chunk of rows, in the organisation's stream, and each
    // projection row is the row of its event at its index.
    let log = log_by_id(s).await;
    assert_eq!(log.len(), events.len().div_ceil(PATHWAY_INSERT_CHUNK));
    assert_eq!(log.len(), 2);
    let stream = format!("pathways:{}", o.0);
    for (k, (chunk, rows)) in events
        .chunks(PATHWAY_INSERT_CHUNK)
        .zip(stored.chunks(PATHWAY_INSERT_CHUNK))
        .enumerate()
    {
        let ev = &log[&rows[0].event_id];
        assert_eq!(ev.stream, stream);
        assert_eq!(
            ev.seq,
            k as i64 + 1,
            "sequence numbers follow the order given"
        );
        assert_eq!(ev.kind, PATHWAY_EVENTS_KIND);
        assert_eq!(ev.actor_id, Some(ACTOR.0));
        assert_eq!(ev.org_id, Some(o.0));
        let earliest = chunk.iter().map(|f| f.date.as_str()).min().unwrap();
        assert_eq!(
            ev.effective_date, earliest,
            "a chunk is effective from its first date"
        );
        let body: serde_json::Value = serde_json::from_str(&ev.body).unwrap();
        assert_eq!(body["batch"], serde_json::Value::Null);
        assert_eq!(body["rows"].as_array().unwrap().len(), chunk.len());
        for (i, row) in rows.iter().enumerate() {
            assert_eq!(row.event_id, ev.id);
            assert_eq!(row.row_index, i as i64);
            assert_eq!(logged(&log, row), row.fields);
        }
    }
    assert_eq!(
        s.pathway_stamp(Some(o)).await.unwrap(),
        PathwayStamp {
            seq: 2,
            corrections: 0
        }
    );
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
    let stream = s.read_stream(&format!("pathways:{}", o.0)).await.unwrap();
    assert_eq!(stream.len(), 3);
    assert_eq!(stream[2].id, last.event_id);
    assert_eq!(stream[2].seq, 3);
    assert_eq!(last.row_index, 0);
    assert_eq!(logged(&log_by_id(s).await, last), later_trimmed(&later));
    // Nothing to import is fine, and changes nothing.
    assert_eq!(
        s.append_pathway_events(o, ACTOR, None, &[], now(), None)
            .await
            .unwrap(),
        ImportOutcome::Imported { events: 0 }
    );
    assert_eq!(s.pathway_stamp(Some(o)).await.unwrap().seq, 3);
    assert_eq!(s.pathway_stamp(None).await.unwrap().seq, 3);
    assert_eq!(all_events(s).await.len(), 3);
}

fn later_trimmed(f: &EventFields) -> EventFields {
    EventFields {
        pathway_id: f.pathway_id.trim().into(),
        ..f.clone()
    }
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
            Some(b("2025-01")),
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
            Some(b("2025-01")),
            &[fields("P9", "referral_received", "2025-01-09")],
            now(),
            Some(&access("pathway.import", o)),
        )
        .await
        .unwrap();
    assert_eq!(
        again,
        ImportOutcome::AlreadyImported {
            events: 3,
            same_content: true
        }
    );
    assert_eq!(all_events(s).await.len(), events_before);
    assert_eq!(access_count(s).await, log_before);
    // The same id with another digest is told apart, and writes nothing either.
    let other_file = Batch {
        id: "2025-01",
        digest: "sha256:another",
    };
    assert_eq!(
        s.append_pathway_events(o, ACTOR, Some(other_file), &first, now(), None)
            .await
            .unwrap(),
        ImportOutcome::AlreadyImported {
            events: 3,
            same_content: false
        }
    );
    assert_eq!(all_events(s).await.len(), events_before);
    let kept = s.pathway_batch(o, "2025-01").await.unwrap().unwrap();
    assert_eq!((kept.events, kept.digest.as_deref()), (3, Some("2025-01")));
    assert_eq!(s.pathway_batch(o, "2025-02").await.unwrap(), None);
    let rows = s.pathway_events(Some(o)).await.unwrap();
    assert_eq!(rows.len(), 3);
    assert!(rows
        .iter()
        .all(|r| r.batch_id.as_deref() == Some("2025-01")));
    let body: serde_json::Value =
        serde_json::from_str(&log_by_id(s).await[&rows[0].event_id].body).unwrap();
    assert_eq!(body["batch"], "2025-01");
    // The batch id is per organisation; without one, nothing is deduplicated.
    assert_eq!(
        s.append_pathway_events(other, ACTOR, Some(b("2025-01")), &first, now(), None)
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
    // The log holds the correction, in the organisation's stream, naming its target by
    // (event, row); the replacement points at it.
    let stream = s.read_stream(&format!("pathways:{}", o.0)).await.unwrap();
    assert_eq!(stream.len(), 2);
    let corr = &stream[1];
    assert_eq!(corr.kind, PATHWAY_CORRECTED_KIND);
    assert_eq!(corr.seq, 2);
    assert_eq!(corr.effective_date, "2026-11-25");
    assert_eq!(corr.id, replaced.event_id);
    let body: serde_json::Value = serde_json::from_str(&corr.body).unwrap();
    assert_eq!(
        body["target"],
        serde_json::json!({"event": rows[1].event_id, "row": 1})
    );
    assert_eq!(body["reason"], "typo");
    assert_eq!(logged(&log_by_id(s).await, replaced), fixed);
    assert_eq!(
        s.pathway_stamp(Some(o)).await.unwrap(),
        PathwayStamp {
            seq: 2,
            corrections: 1
        }
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
    // The pathway's corrections: what was withdrawn, why, by whom, when, and what replaced it.
    let corrections = s.pathway_corrections_of(o, "P1").await.unwrap();
    assert_eq!(corrections.len(), 2);
    assert_eq!(corrections[0].withdrawn.id, target);
    assert_eq!(corrections[0].withdrawn.fields, assessed);
    let first = corrections[0].correction.as_ref().unwrap();
    assert_eq!(
        (first.reason.as_str(), first.actor_id, first.replacement_id),
        ("typo", Some(ACTOR.0), Some(new_id))
    );
    assert_eq!(first.recorded_at, later.to_string());
    assert_eq!(corrections[1].withdrawn.id, start);
    let second = corrections[1].correction.as_ref().unwrap();
    assert_eq!(
        (second.reason.as_str(), second.replacement_id),
        ("wrong pathway", None)
    );
    assert!(s.pathway_corrections_of(o, "P2").await.unwrap().is_empty());
    assert!(s
        .pathway_corrections_of(other, "P1")
        .await
        .unwrap()
        .is_empty());
    let stream = s.read_stream(&format!("pathways:{}", o.0)).await.unwrap();
    let body: serde_json::Value = serde_json::from_str(&stream[2].body).unwrap();
    assert_eq!(body["replacement"], serde_json::Value::Null);
    assert_eq!(
        body["target"],
        serde_json::json!({"event": rows[2].event_id, "row": 2})
    );
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
    let stream = s.read_stream(&format!("pathways:{}", o.0)).await.unwrap();
    assert_eq!(
        stream.iter().map(|e| e.seq).collect::<Vec<_>>(),
        [1, 2, 3, 4]
    );
    assert_eq!(
        s.pathway_stamp(Some(o)).await.unwrap(),
        PathwayStamp {
            seq: 4,
            corrections: 2
        }
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
    // Each organisation's pathways are a stream of their own.
    for (o, rows) in [(a, 2), (b, 1)] {
        let stream = s.read_stream(&format!("pathways:{}", o.0)).await.unwrap();
        assert_eq!(stream.len(), 1);
        let body: serde_json::Value = serde_json::from_str(&stream[0].body).unwrap();
        assert_eq!(body["rows"].as_array().unwrap().len(), rows);
    }
    assert_eq!(s.pathway_stamps().await.unwrap().len(), 2);
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
        Some(b("b1")),
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
    // An organisation that does not exist: refused by the foreign key of its stream's head,
    // before anything else is written; the rollback takes the head.
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
            Some(b("b1")),
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
        s.append_pathway_events(o, ACTOR, Some(b("b1")), &events, now(), None)
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
    assert_eq!(
        all_events(s).await.len(),
        2,
        "the import's two chunks, no correction"
    );
    assert_eq!(s.pathway_stamp(Some(o)).await.unwrap().corrections, 0);
}

async fn pathway_concurrent_imports_of_one_batch_write_it_once(db: &TestDb) {
    let s = &db.store;
    let o = org(s, "helse-bergen").await;
    let events = sample_twice();
    let import = || s.append_pathway_events(o, ACTOR, Some(b("2025")), &events, now(), None);
    let (a, b) = tokio::join!(import(), import());
    let mut got = [a.unwrap(), b.unwrap()];
    got.sort_by_key(|g| matches!(g, ImportOutcome::AlreadyImported { .. }));
    assert_eq!(
        got,
        [
            ImportOutcome::Imported { events: 2574 },
            ImportOutcome::AlreadyImported {
                events: 2574,
                same_content: true
            }
        ]
    );
    assert_eq!(s.pathway_events(Some(o)).await.unwrap().len(), 2574);
    assert_eq!(all_events(s).await.len(), 2);
}

async fn pathway_concurrent_imports_of_one_org_take_turns(db: &TestDb) {
    let s = &db.store;
    let o = org(s, "helse-bergen").await;
    let events = sample_twice();
    let import = |batch: &'static str| {
        let events = &events;
        async move {
            s.append_pathway_events(o, ACTOR, Some(b(batch)), events, now(), None)
                .await
        }
    };
    let (a, b) = tokio::join!(import("a"), import("b"));
    assert_eq!(a.unwrap(), ImportOutcome::Imported { events: 2574 });
    assert_eq!(b.unwrap(), ImportOutcome::Imported { events: 2574 });
    let stream = s.read_stream(&format!("pathways:{}", o.0)).await.unwrap();
    assert_eq!(
        stream.iter().map(|e| e.seq).collect::<Vec<_>>(),
        [1, 2, 3, 4]
    );
    // One import's rows all come before the other's: ids rise in commit order.
    let rows = s.pathway_events(Some(o)).await.unwrap();
    assert_eq!(rows.len(), 2 * 2574);
    let first = rows[0].batch_id.clone();
    assert!(rows[..2574].iter().all(|r| r.batch_id == first));
    assert!(rows[2574..].iter().all(|r| r.batch_id != first));
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
    s.append_pathway_events(o, ACTOR, Some(b("odd \"batch\"")), &events, now(), None)
        .await
        .unwrap();
    let stored = s.pathway_events(Some(o)).await.unwrap();
    assert_eq!(stored.len(), 2);
    assert_eq!(stored[0].fields, odd);
    assert_eq!(stored[1].fields, plain);
    assert_eq!(stored[0].batch_id.as_deref(), Some("odd \"batch\""));
    assert_eq!(s.pathway_events_of(o, "P\"1\\x").await.unwrap().len(), 1);
    assert_eq!(logged(&log_by_id(s).await, &stored[0]), odd);
    assert_eq!(logged(&log_by_id(s).await, &stored[1]), plain);
}

/// Migration 0004 (and those after it) over rows written by the schema before it (a log event
/// per row, in a stream per pathway): they stay readable, correctable, and the organisation's
/// head starts from them.
async fn pathway_rows_from_before_chunks_survive_the_migration(engine: varde_store::Engine) {
    let Some(db) = TestDb::new_at(engine, Some(20261124000003)).await else {
        return;
    };
    let s = &db.store;
    let o = org(s, "helse-bergen").await;
    let old = fields("P1", "referral_received", "2025-01-02");
    // The schema of that time: the tables have their names from before migration 0005.
    for (id, withdrawn) in [(1, "FALSE"), (2, "TRUE")] {
        s.exec_admin(&format!(
            "INSERT INTO events (id, stream, seq, kind, body, actor_id, org_id, recorded_at, effective_date) \
             VALUES ({id}, 'pathway:{o}:P1', {id}, 'pathway.event', '{body}', 7, {o}, '2025-01-02T10:00:00Z', '2025-01-02')",
            o = o.0,
            body = serde_json::to_string(&old).unwrap(),
        ))
        .await
        .unwrap();
        s.exec_admin(&format!(
            "INSERT INTO pathway_events (id, org_id, event_id, pathway_id, unit, hf, rhf, kommune, care_level, event, date, \
             code, outcome, deadline, pathway_variant, batch_id, recorded_at, withdrawn) \
             VALUES ({id}, {o}, {id}, 'P1', '{unit}', '{hf}', '{rhf}', '{kommune}', '{level}', 'referral_received', \
             '2025-01-02', '', '', '', '', NULL, '2025-01-02T10:00:00Z', {withdrawn})",
            o = o.0,
            unit = old.unit,
            hf = old.hf,
            rhf = old.rhf,
            kommune = old.kommune,
            level = old.care_level,
        ))
        .await
        .unwrap();
    }
    // Row 2 was withdrawn by a correction of that time, which named the row by its id.
    s.exec_admin(&format!(
        "INSERT INTO events (id, stream, seq, kind, body, actor_id, org_id, recorded_at, effective_date) \
         VALUES (3, 'pathway:{o}:P1', 3, 'pathway.corrected', '{{\"target\":2,\"replacement\":null,\"reason\":\"old duplicate\"}}', \
         7, {o}, '2025-01-03T10:00:00Z', '2025-01-03')",
        o = o.0,
    ))
    .await
    .unwrap();
    if engine == varde_store::Engine::Postgres {
        // Explicit ids do not move PostgreSQL's identity sequences.
        for (table, last) in [("events", 3), ("pathway_events", 2)] {
            s.exec_admin(&format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'), {last})"
            ))
            .await
            .unwrap();
        }
    }
    s.migrate().await.unwrap();
    // Migration 0005 gave the tables the area's name.
    assert!(s.exec_admin("SELECT 1 FROM pathway_events").await.is_err());
    let rows = s.pathway_events(Some(o)).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!((rows[0].id, rows[0].event_id, rows[0].row_index), (1, 1, 0));
    assert_eq!(rows[0].fields, old);
    assert_eq!(
        s.pathway_stamp(Some(o)).await.unwrap(),
        PathwayStamp {
            seq: 0,
            corrections: 1
        }
    );
    // New writes go to the organisation's stream, after the old rows.
    s.append_pathway_events(
        o,
        ACTOR,
        None,
        &[fields("P1", "pathway_start", "2025-01-05")],
        now(),
        None,
    )
    .await
    .unwrap();
    s.correct_pathway_event(o, ACTOR, 1, None, "duplicate", now(), None)
        .await
        .unwrap();
    let rows = s.pathway_events(Some(o)).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert!(rows[0].id > 2);
    // The row withdrawn before the migration is linked to its correction from the old body.
    let corrections = s.pathway_corrections_of(o, "P1").await.unwrap();
    assert_eq!(corrections.len(), 2);
    assert_eq!(corrections[0].withdrawn.id, 1);
    assert_eq!(
        corrections[0].correction.as_ref().unwrap().reason,
        "duplicate"
    );
    assert_eq!(corrections[1].withdrawn.id, 2);
    let old = corrections[1].correction.as_ref().unwrap();
    assert_eq!((old.event_id, old.reason.as_str()), (3, "old duplicate"));
    let stream = s.read_stream(&format!("pathways:{}", o.0)).await.unwrap();
    assert_eq!(stream.len(), 2);
    let body: serde_json::Value = serde_json::from_str(&stream[1].body).unwrap();
    assert_eq!(body["target"], serde_json::json!({"event": 1, "row": 0}));
    assert_eq!(
        s.pathway_stamp(Some(o)).await.unwrap(),
        PathwayStamp {
            seq: 2,
            corrections: 2
        }
    );
    db.cleanup().await;
}

#[tokio::test]
async fn sqlite_pathway_rows_from_before_chunks_survive_the_migration() {
    pathway_rows_from_before_chunks_survive_the_migration(varde_store::Engine::Sqlite).await;
}

#[tokio::test]
async fn postgres_pathway_rows_from_before_chunks_survive_the_migration() {
    pathway_rows_from_before_chunks_survive_the_migration(varde_store::Engine::Postgres).await;
}

/// A writer that checked the rules against version S writes only while the events are still
/// at S: a write in between (another click, another import) makes it a conflict that writes
/// nothing (`Changed`), for additions and corrections alike.
async fn pathway_writes_checked_against_a_version_refuse_a_newer_one(db: &TestDb) {
    let s = &db.store;
    let o = org(s, "helse-bergen").await;
    let referral = fields("P1", "referral_received", "2025-01-02");
    let seen = s.pathway_stamp(Some(o)).await.unwrap();
    let write = |expected| {
        s.append_pathway_events_expecting(
            o,
            ACTOR,
            None,
            std::slice::from_ref(&referral),
            now(),
            None,
            Some(expected),
        )
    };
    assert_eq!(
        write(seen).await.unwrap(),
        ImportOutcome::Imported { events: 1 }
    );
    // The second click checked against the same version: refused, nothing written.
    let err = write(seen).await.unwrap_err();
    assert!(matches!(err, StoreError::Changed(_)), "{err:?}");
    assert_eq!(s.pathway_events(Some(o)).await.unwrap().len(), 1);
    assert_eq!(all_events(s).await.len(), 1);
    // Corrections likewise.
    let id = s.pathway_events(Some(o)).await.unwrap()[0].id;
    let err = s
        .correct_pathway_event_expecting(o, ACTOR, id, None, "dup", now(), None, Some(seen))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Changed(_)), "{err:?}");
    assert_eq!(s.pathway_events(Some(o)).await.unwrap().len(), 1);
    let current = s.pathway_stamp(Some(o)).await.unwrap();
    s.correct_pathway_event_expecting(o, ACTOR, id, None, "dup", now(), None, Some(current))
        .await
        .unwrap();
    assert!(s.pathway_events(Some(o)).await.unwrap().is_empty());
    assert_eq!(
        s.pathway_stamp(Some(o)).await.unwrap(),
        PathwayStamp {
            seq: 2,
            corrections: 1
        }
    );
}
