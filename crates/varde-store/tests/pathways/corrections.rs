//! Corrections: a correction withdraws a row and replaces it (or not), in the organisation's
//! stream, and stays visible with its reason, author and replacement.

use jiff::Timestamp;
use varde_store::testing::TestDb;
use varde_store::{PathwayStamp, StoreError, PATHWAY_CORRECTED_KIND};

use crate::{fields, log_by_id, logged, now, org, ACTOR};

varde_store::conformance!(pathway_correction_withdraws_and_replaces);

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
