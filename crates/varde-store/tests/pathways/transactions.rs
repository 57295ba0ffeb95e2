//! A write and its access entry commit together: the entry is in the log with the write, and a
//! failure anywhere in a batch or a correction leaves nothing behind.

use varde_core::org::OrgId;
use varde_store::testing::TestDb;
use varde_store::{AccessFilter, ImportOutcome, StoreError};

use crate::{access, access_count, all_events, b, now, org, sample, sample_twice, ACTOR};

varde_store::conformance!(
    pathway_access_entry_commits_with_the_write,
    pathway_failure_mid_batch_writes_nothing,
);

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
