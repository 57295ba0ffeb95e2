//! Events append and read back in order, a chunk of rows per log event in the organisation's
//! stream; other organisations' events are not returned; text is stored as given.

use varde_core::org::OrgId;
use varde_core::pathways::EventFields;
use varde_store::testing::TestDb;
use varde_store::{ImportOutcome, PathwayStamp, PATHWAY_EVENTS_KIND, PATHWAY_INSERT_CHUNK};

use crate::{all_events, b, fields, log_by_id, logged, now, org, sample_twice, ACTOR};

varde_store::conformance!(
    pathway_events_append_and_read_back_in_order,
    pathway_events_of_other_orgs_are_not_returned,
    pathway_text_is_stored_as_given,
);

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
