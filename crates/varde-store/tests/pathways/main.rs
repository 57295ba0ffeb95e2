//! The pathways area's storage: every scenario runs against SQLite and PostgreSQL
//! (`events::sqlite::…` and `events::postgres::…`; PostgreSQL is skipped without
//! `VARDE_TEST_POSTGRES_URL`).
//!
//! | file | what |
//! |---|---|
//! | `events.rs` | events append and read back in order, per organisation, their text as given |
//! | `import.rs` | a batch is imported once; concurrent imports of one batch, of one organisation |
//! | `corrections.rs` | a correction withdraws and replaces |
//! | `transactions.rs` | the access entry commits with the write; a failure mid-batch writes nothing |
//! | `stamp.rs` | writes checked against a version refuse a newer one |
//! | `migration.rs` | rows from before the chunks survive the migration |
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::HashMap;

use jiff::Timestamp;
use varde_core::audit::Outcome;
use varde_core::org::{OrgId, OrgKind, UserId};
use varde_core::pathways::{read_events, EventFields};
use varde_store::{
    fields_of_logged_row, AccessFilter, Batch, NewAccess, NewOrg, Store, StoredEvent,
    StoredPathwayEvent, PATHWAY_CORRECTED_KIND, PATHWAY_EVENTS_KIND,
};

mod corrections;
mod events;
mod import;
mod migration;
mod stamp;
mod transactions;

const SAMPLE: &str = include_str!("../../../varde-core/testdata/pathways/sample.csv");

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
