//! Imports: a batch is imported once per organisation (its id and digest kept); concurrent
//! imports of one batch write it once, of one organisation take turns.

use varde_store::testing::TestDb;
use varde_store::{Batch, ImportOutcome};

use crate::{
    access, access_count, all_events, b, fields, log_by_id, now, org, sample_twice, ACTOR,
};

varde_store::conformance!(
    pathway_batch_is_imported_once,
    pathway_concurrent_imports_of_one_batch_write_it_once,
    pathway_concurrent_imports_of_one_org_take_turns,
);

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
