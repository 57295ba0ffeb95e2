//! The stamp: a write checked against a version of the events is refused once they are newer.

use varde_store::testing::TestDb;
use varde_store::{ImportOutcome, PathwayStamp, StoreError};

use crate::{all_events, fields, now, org, ACTOR};

varde_store::conformance!(pathway_writes_checked_against_a_version_refuse_a_newer_one);

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
