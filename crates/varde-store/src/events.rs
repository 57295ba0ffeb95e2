//! The append-only event log: appending (with the optimistic sequence check) and reading
//! streams back.

use jiff::Timestamp;
use sqlx::Row;

use crate::audit::{append_access_tx, NewAccess};
use crate::db::{on_pool, Db};
use crate::{Store, StoreError};

/// Appends one event to `stream` inside `$tx`, after the stream's last event. Returns the
/// event's sequence number in its stream.
macro_rules! append_event_tx {
    ($tx:expr, $ev:expr) => {{
        let ev: &$crate::events::NewEvent = $ev;
        let seq: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(seq), 0) + 1 FROM events WHERE stream = $1")
            .bind(&ev.stream)
            .fetch_one(&mut *$tx)
            .await?;
        if let Some(expected) = ev.expected_seq {
            if expected != seq - 1 {
                return Err($crate::StoreError::Changed("the stream has changed since it was read"));
            }
        }
        sqlx::query(
            "INSERT INTO events (stream, seq, kind, body, actor_id, org_id, recorded_at, effective_date) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&ev.stream)
        .bind(seq)
        .bind(&ev.kind)
        .bind(&ev.body)
        .bind(ev.actor_id)
        .bind(ev.org_id)
        .bind(ev.recorded_at.to_string())
        .bind(&ev.effective_date)
        .execute(&mut *$tx)
        .await
        .map_err(|e| $crate::db::map_unique_changed(e, "the stream has changed since it was read"))?;
        seq
    }};
}

// For the other storage modules of this crate (e.g. `persons`).
pub(crate) use append_event_tx;

/// An event to append.
#[derive(Debug, Clone)]
pub struct NewEvent {
    pub stream: String,
    pub kind: String,
    /// JSON.
    pub body: String,
    pub actor_id: Option<i64>,
    pub org_id: Option<i64>,
    pub recorded_at: Timestamp,
    /// The date the event takes effect in the domain (`YYYY-MM-DD`).
    pub effective_date: String,
    /// Optimistic concurrency: the stream's last sequence number as the writer saw it. If the
    /// stream has moved on, the append is refused with `Changed` and nothing is written.
    pub expected_seq: Option<i64>,
}

impl NewEvent {
    /// An event a user records now, taking effect on the day (in Oslo) it is recorded, with no
    /// sequence check (set `expected_seq` on the result for one).
    pub fn by(
        stream: String,
        kind: &str,
        body: String,
        actor_id: i64,
        org_id: i64,
        at: Timestamp,
    ) -> NewEvent {
        NewEvent {
            stream,
            kind: kind.to_owned(),
            body,
            actor_id: Some(actor_id),
            org_id: Some(org_id),
            recorded_at: at,
            effective_date: varde_core::calendar::day_in_oslo(at).to_string(),
            expected_seq: None,
        }
    }
}

/// A stored event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEvent {
    pub id: i64,
    pub stream: String,
    pub seq: i64,
    pub kind: String,
    pub body: String,
    pub actor_id: Option<i64>,
    pub org_id: Option<i64>,
    pub recorded_at: String,
    pub effective_date: String,
}

impl Store {
    /// Appends events in one transaction (all or none). Returns their sequence numbers.
    pub async fn append(&self, events: &[NewEvent]) -> Result<Vec<i64>, StoreError> {
        self.append_with_access(events, None).await
    }

    /// The events of one stream in order.
    pub async fn read_stream(&self, stream: &str) -> Result<Vec<StoredEvent>, StoreError> {
        on_pool!(
            self,
            read | pool | {
                let rows = sqlx::query(&format!("{EVENT_COLS} WHERE stream = $1 ORDER BY seq"))
                    .bind(stream)
                    .fetch_all(pool)
                    .await?;
                rows.iter().map(event_from_row).collect()
            }
        )
    }

    /// All events after global position `after`, at most `limit`.
    pub async fn read_all(&self, after: i64, limit: i64) -> Result<Vec<StoredEvent>, StoreError> {
        on_pool!(
            self,
            read | pool | {
                let rows = sqlx::query(&format!("{EVENT_COLS} WHERE id > $1 ORDER BY id LIMIT $2"))
                    .bind(after)
                    .bind(limit)
                    .fetch_all(pool)
                    .await?;
                rows.iter().map(event_from_row).collect()
            }
        )
    }

    /// Appends events and, if given, one access-log entry, in one transaction (all or none).
    /// Returns the events' sequence numbers in their streams.
    pub async fn append_with_access(
        &self,
        events: &[NewEvent],
        access: Option<&NewAccess>,
    ) -> Result<Vec<i64>, StoreError> {
        on_pool!(
            self,
            write | pool | {
                let mut tx = pool.begin().await?;
                let mut seqs = Vec::with_capacity(events.len());
                for ev in events {
                    seqs.push(append_event_tx!(tx, ev));
                }
                if let Some(access) = access {
                    append_access_tx!(tx, access);
                }
                tx.commit().await?;
                Ok(seqs)
            }
        )
    }

    /// The events of every stream whose name starts with `prefix`, in the order they were
    /// appended. Matched with `substr` (same text on both engines; not a `LIKE`, which would
    /// need escaping, nor a range, which PostgreSQL's locale collations would reorder), so it
    /// reads the event table's stream column; at the scale of one unit's decisions that is
    /// cheap.
    pub async fn read_streams_with_prefix(
        &self,
        prefix: &str,
    ) -> Result<Vec<StoredEvent>, StoreError> {
        let len = i32::try_from(prefix.chars().count())
            .map_err(|_| StoreError::Corrupt("stream prefix too long".into()))?;
        on_pool!(
            self,
            read | pool | {
                let rows = sqlx::query(&format!(
                    "{EVENT_COLS} WHERE substr(stream, 1, $1) = $2 ORDER BY id"
                ))
                .bind(len)
                .bind(prefix)
                .fetch_all(pool)
                .await?;
                rows.iter().map(event_from_row).collect()
            }
        )
    }
}

const EVENT_COLS: &str =
    "SELECT id, stream, seq, kind, body, actor_id, org_id, recorded_at, effective_date FROM events";

fn event_from_row<R: Row>(r: &R) -> Result<StoredEvent, StoreError>
where
    usize: sqlx::ColumnIndex<R>,
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<i64>: sqlx::Decode<'a, R::Database>,
{
    Ok(StoredEvent {
        id: r.try_get(0)?,
        stream: r.try_get(1)?,
        seq: r.try_get(2)?,
        kind: r.try_get(3)?,
        body: r.try_get(4)?,
        actor_id: r.try_get(5)?,
        org_id: r.try_get(6)?,
        recorded_at: r.try_get(7)?,
        effective_date: r.try_get(8)?,
    })
}
