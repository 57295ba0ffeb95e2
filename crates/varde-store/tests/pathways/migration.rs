//! The migrations over rows written by an older schema.

use varde_store::testing::TestDb;
use varde_store::PathwayStamp;

use crate::{fields, now, org, ACTOR};

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
