//! Storage of TSB care pathway events, on both engines.
//!
//! The event log holds an organisation's pathway writes in ONE stream, `pathways:{org_id}`
//! ([`pathway_stream`]):
//!
//! - an import (or a single registration, an import of one row) writes one
//!   [`PATHWAY_EVENTS_KIND`] event per chunk of up to [`PATHWAY_INSERT_CHUNK`] rows, body
//!   `{"batch": id or null, "rows": [[the 12 fields], …]}` (each row the CSV columns in order,
//!   then the pathway variant: [`EventFields`] by position), effective date the chunk's earliest
//!   event date; when a `referral_received` row names its person, the body has `persons`
//!   (row index → person id), projected into `pathways_persons` (one person per pathway);
//! - a correction writes one [`PATHWAY_CORRECTED_KIND`] event, body `{"target": {"event": id,
//!   "row": n}, "replacement": [the 12 fields] or null, "reason": …}`, effective date the day
//!   it was recorded.
//!
//! The projection `pathways_events` holds one row per event row (`event_id`, `row_index`), in
//! the same transaction; a correction withdraws its target's row and may add the replacement
//! (row 0 of the correction event). Logging a chunk rather than a row per event is what makes
//! an import cost about one write of its data rather than two (a log row with its JSON body per
//! event took the import to 0.30 of the engine's raw insert rate; see `docs/benchmarks.md`).
//!
//! Every write first bumps the organisation's row in `pathways_heads` (the stream's last
//! sequence number and its number of corrections): writers of one organisation take turns
//! (PostgreSQL holds the row lock until commit), sequence numbers need no lookup, projection
//! ids of one organisation rise in commit order, and [`PathwayStamp`] is one key lookup.
//!
//! An import may carry a batch id: a batch already imported by the organisation writes nothing
//! the second time. The store does not check the domain rules (`check_new`, `validate`): the
//! caller does, before. It guarantees atomicity: the events, their projection rows, the batch
//! record and the access-log entry commit together or not at all.
//!
//! Fields are stored trimmed of ASCII whitespace, as the row rules read them (so the parsed
//! event is unchanged and `" P1"` is the pathway `"P1"`).
//!
//! Rows written before migration 0004 were logged one event each (kind `pathway.event`, body
//! the JSON object of [`EventFields`], stream `pathway:{org_id}:{pathway_id}`); their projection
//! rows have row index 0. `examples/pathways_import_bench.rs` measures an import of the national
//! year against the engine's raw insert rate. Since migration 0005 the area's tables carry its
//! name (`pathways_events`, `pathways_batches`, `pathways_heads`), as its streams, URLs and
//! modules do.
//!
//! The area's sub-modules: `events` (writing and reading the events; its import batches are
//! the shared `crate::batches`), `corrections`, `stamp` (the organisation's head: turns and versions), `chunks`
//! (how an import's rows travel), and the treatment units' registers, `lar` and `coercion`,
//! whose events are kept in the event log with no projection.

use sqlx::Row;
use varde_core::org::OrgId;
use varde_core::pathways::EventFields;

use crate::db::json;
use crate::StoreError;

mod chunks;
mod coercion;
mod corrections;
mod events;
#[cfg(feature = "testing")]
mod hooks;
mod lar;
mod persons;
mod stamp;

pub use coercion::{coercion_prefix, coercion_stream};
pub use corrections::{CorrectionEvent, PathwayCorrection};
pub use events::PathwayWrite;
#[cfg(feature = "testing")]
pub use hooks::PathwayRawInsert;
pub use lar::lar_stream;
pub use persons::PathwayPerson;
pub use stamp::{PathwayStamp, PATHWAYS_CHANGED};

/// The event kind of a chunk of imported or registered pathway events in the log.
pub const PATHWAY_EVENTS_KIND: &str = "pathway.events";
/// The event kind of a correction in the log.
pub const PATHWAY_CORRECTED_KIND: &str = "pathway.corrected";

/// Rows per log event and per insert statement of an import. A statement's projection rows
/// travel as ONE parameter, a JSON object `{"0": row, "1": row, …}` (each row an array) that
/// both engines expand with the same SQL, `json_each($1)` (see `CHUNK_ROWS`), rather than as a
/// multi-row `VALUES`: SQLite looks each bound parameter up by name in a list
/// (`sqlite3_bind_parameter_name` is linear in the parameter's position), so a `VALUES` of k
/// parameters costs O(k²) to bind, and small statements each cost a round trip to the driver's
/// worker thread. Measured on SQLite, the JSON form inserts rows about 2.5 times as fast as the
/// best `VALUES` size.
pub const PATHWAY_INSERT_CHUNK: usize = 2000;

/// The event-log stream of an organisation's pathway events.
pub fn pathway_stream(org: OrgId) -> String {
    format!("pathways:{}", org.0)
}

/// A stored pathway event: a row of the projection.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct StoredPathwayEvent {
    /// The projection row's id (what a correction names).
    pub id: i64,
    /// The event-log entry that recorded it (its import chunk, or the correction).
    pub event_id: i64,
    /// Its position among that entry's rows (from 0).
    pub row_index: i64,
    pub org_id: OrgId,
    pub fields: EventFields,
    /// The import batch, if it came with one.
    pub batch_id: Option<String>,
    pub recorded_at: String,
}

/// A row: the fields trimmed, in CSV column order (then the variant).
type Fields<'a> = [&'a str; 12];

fn trimmed(f: &EventFields) -> Fields<'_> {
    [
        f.pathway_id.trim_ascii(),
        f.unit.trim_ascii(),
        f.hf.trim_ascii(),
        f.rhf.trim_ascii(),
        f.kommune.trim_ascii(),
        f.care_level.trim_ascii(),
        f.event.trim_ascii(),
        f.date.trim_ascii(),
        f.code.trim_ascii(),
        f.outcome.trim_ascii(),
        f.deadline.trim_ascii(),
        f.pathway_variant.trim_ascii(),
    ]
}

/// The fields of a logged row (the inverse of [`trimmed`], for readers of the log).
pub fn fields_of_logged_row(row: &[String; 12]) -> EventFields {
    let [pathway_id, unit, hf, rhf, kommune, care_level, event, date, code, outcome, deadline, pathway_variant] =
        row.clone();
    EventFields {
        pathway_id,
        unit,
        hf,
        rhf,
        kommune,
        care_level,
        event,
        date,
        code,
        outcome,
        deadline,
        pathway_variant,
    }
}

const PATHWAY_COLS: &str = "SELECT id, event_id, row_index, org_id, pathway_id, unit, hf, rhf, kommune, care_level, event, date, code, outcome, deadline, pathway_variant, batch_id, recorded_at FROM pathways_events";
const EVENT_INSERT: &str =
    "INSERT INTO events (stream, seq, kind, body, actor_id, org_id, recorded_at, effective_date) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id";

fn pathway_from_row<R: Row>(r: &R) -> Result<StoredPathwayEvent, StoreError>
where
    usize: sqlx::ColumnIndex<R>,
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<String>: sqlx::Decode<'a, R::Database>,
{
    Ok(StoredPathwayEvent {
        id: r.try_get(0)?,
        event_id: r.try_get(1)?,
        row_index: r.try_get(2)?,
        org_id: OrgId(r.try_get(3)?),
        fields: EventFields {
            pathway_id: r.try_get(4)?,
            unit: r.try_get(5)?,
            hf: r.try_get(6)?,
            rhf: r.try_get(7)?,
            kommune: r.try_get(8)?,
            care_level: r.try_get(9)?,
            event: r.try_get(10)?,
            date: r.try_get(11)?,
            code: r.try_get(12)?,
            outcome: r.try_get(13)?,
            deadline: r.try_get(14)?,
            pathway_variant: r.try_get(15)?,
        },
        batch_id: r.try_get(16)?,
        recorded_at: r.try_get(17)?,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::chunks::chunk;
    use super::*;

    #[test]
    fn logged_rows_read_back_as_the_fields() {
        let f = EventFields {
            pathway_id: " P1 ".into(),
            event: "referral_received".into(),
            date: "2025-01-02".into(),
            pathway_variant: "standard".into(),
            ..EventFields::default()
        };
        let rows = [trimmed(&f)];
        let body: serde_json::Value =
            serde_json::from_str(&chunk(None, &rows, None).unwrap().body).unwrap();
        let row: [String; 12] = serde_json::from_value(body["rows"][0].clone()).unwrap();
        assert_eq!(
            fields_of_logged_row(&row),
            EventFields {
                pathway_id: "P1".into(),
                ..f
            }
        );
        assert_eq!(pathway_stream(OrgId(3)), "pathways:3");
    }
}
