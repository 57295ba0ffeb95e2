//! Storage of TSB care pathway events, on both engines.
//!
//! Every event is appended to the event log, in the stream `pathway:{org_id}:{pathway_id}`
//! (kind `pathway.event`, body the JSON of [`EventFields`], effective date the event's date),
//! and to the projection table `pathway_events`, in the same transaction. A correction
//! withdraws a projection row and may insert its replacement, with one `pathway.corrected`
//! event in the pathway's stream. An import may carry a batch id: a batch already imported by
//! the organisation writes nothing the second time.
//!
//! The store does not check the domain rules (`check_new`, `validate`): the caller does, before.
//! It guarantees atomicity: the events, their projection rows, the batch record and the
//! access-log entry commit together or not at all.
//!
//! Fields are stored trimmed of ASCII whitespace, as the row rules read them (so the parsed
//! event is unchanged and the stream of `" P1"` is that of `"P1"`).
//!
//! Imports are written in statements of [`PATHWAY_INSERT_CHUNK`] rows whose rows travel as
//! one JSON parameter (see there), after one read of the current sequence numbers of every
//! stream touched (not one per event); the next chunk's parameter is written while the previous statement
//! runs. `examples/pathways_import_bench.rs` measures an import of the national year against
//! the engine's raw insert rate.

use std::borrow::Cow;
use std::collections::HashMap;

use jiff::Timestamp;
use sqlx::Row;
use varde_core::audit::AccessEntry;
use varde_core::org::{OrgId, UserId};
use varde_core::pathways::EventFields;

use crate::store::{append_access_tx, map_unique, on_pool, Db};
use crate::{NewAccess, Store, StoreError};

/// The event kind of a pathway event in the log.
pub const PATHWAY_EVENT_KIND: &str = "pathway.event";
/// The event kind of a correction in the log.
pub const PATHWAY_CORRECTED_KIND: &str = "pathway.corrected";

/// Rows per insert statement of an import. A statement's rows travel as ONE parameter, a JSON
/// object `{"0": row, "1": row, …}` (each row an array) that both engines expand with the same
/// SQL, `json_each($1)` (see `CHUNK_ROWS`), rather than as a multi-row `VALUES`: SQLite looks
/// each bound parameter up by name in a list (`sqlite3_bind_parameter_name` is linear in the
/// parameter's position), so a `VALUES` of k parameters costs O(k²) to bind, and small
/// statements each cost a round trip to the driver's worker thread. Measured on SQLite, the
/// JSON form inserts the projection's rows about 2.5 times as fast as the best `VALUES` size.
pub const PATHWAY_INSERT_CHUNK: usize = 2000;

/// The event-log stream of a pathway of an organisation.
pub fn pathway_stream(org: OrgId, pathway_id: &str) -> String {
    format!("pathway:{}:{}", org.0, pathway_id.trim_ascii())
}

/// A stored pathway event: a row of the projection.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct StoredPathwayEvent {
    /// The projection row's id (what a correction names).
    pub id: i64,
    /// The event-log entry that recorded it (the import's event, or the correction's).
    pub event_id: i64,
    pub org_id: OrgId,
    pub fields: EventFields,
    /// The import batch, if it came with one.
    pub batch_id: Option<String>,
    pub recorded_at: String,
}

/// What an import did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportOutcome {
    /// The events were written.
    Imported { events: usize },
    /// The organisation had imported this batch before: nothing was written. `events` is the
    /// number of events recorded then.
    AlreadyImported { events: usize },
}

/// The fields trimmed, in CSV column order (then the variant).
fn trimmed(f: &EventFields) -> [&str; 12] {
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

/// The JSON of [`EventFields`], written from borrowed (trimmed) fields without a copy.
#[derive(serde::Serialize)]
struct Body<'a> {
    pathway_id: &'a str,
    unit: &'a str,
    hf: &'a str,
    rhf: &'a str,
    kommune: &'a str,
    care_level: &'a str,
    event: &'a str,
    date: &'a str,
    code: &'a str,
    outcome: &'a str,
    deadline: &'a str,
    pathway_variant: &'a str,
}

impl<'a> Body<'a> {
    fn of(c: &[&'a str; 12]) -> Body<'a> {
        Body {
            pathway_id: c[0],
            unit: c[1],
            hf: c[2],
            rhf: c[3],
            kommune: c[4],
            care_level: c[5],
            event: c[6],
            date: c[7],
            code: c[8],
            outcome: c[9],
            deadline: c[10],
            pathway_variant: c[11],
        }
    }
}

fn json<T: serde::Serialize>(v: &T) -> Result<String, StoreError> {
    serde_json::to_string(v).map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// `VALUES` rows for a multi-row insert: each row is `prefix` (the shared parameters, written
/// as they are) followed by `per_row` fresh placeholders numbered from `first`, so that
/// placeholders first appear in increasing order.
fn values(prefix: &str, first: usize, per_row: usize, rows: usize) -> String {
    let mut s = String::with_capacity(rows * (prefix.len() + per_row * 7 + 4));
    let mut n = first;
    for r in 0..rows {
        if r > 0 {
            s.push_str(", ");
        }
        s.push('(');
        s.push_str(prefix);
        for c in 0..per_row {
            if c > 0 || !prefix.is_empty() {
                s.push_str(", ");
            }
            s.push('$');
            s.push_str(&n.to_string());
            n += 1;
        }
        s.push(')');
    }
    s
}

/// The rows of a chunk, from its one parameter `$1`, `{"0": row, "1": row, …}`, as `(i, v)`:
/// each row is read from the document once and materialised as `jsonb`, which both engines
/// index into cheaply (`v ->> 3`), rather than once per column. The same text on both engines:
/// `json_each` of an object (PostgreSQL's on the `json` parameter of [`JsonParam`]), `jsonb(…)`
/// (SQLite's function, PostgreSQL's function-style cast), `->>` with an integer and
/// `AS MATERIALIZED` are common to both.
const CHUNK_ROWS: &str =
    "WITH r AS MATERIALIZED (SELECT CAST(key AS BIGINT) AS i, jsonb(value) AS v FROM json_each($1))";

const EVENT_COLS: &str = "actor_id, org_id, recorded_at, kind, stream, seq, body, effective_date";
/// The event-log rows of an import: each row of `$1` is `[stream, seq, body, effective_date]`;
/// `$2` the actor, `$3` the organisation, `$4` the time recorded.
const EVENTS_SELECT: &str = "SELECT $2, $3, $4, 'pathway.event', v ->> 0, CAST(v ->> 1 AS BIGINT), v ->> 2, v ->> 3 FROM r ORDER BY i";
const PROJECTION_COLS: &str = "org_id, batch_id, recorded_at, event_id, pathway_id, unit, hf, rhf, kommune, care_level, event, date, code, outcome, deadline, pathway_variant";
/// The projection rows of an import: each row of `$1` is `[event_id, the 12 fields]`; `$2` the
/// organisation, `$3` the batch, `$4` the time recorded.
const PROJECTION_SELECT: &str =
    "SELECT $2, $3, $4, CAST(v ->> 0 AS BIGINT), v ->> 1, v ->> 2, v ->> 3, v ->> 4, \
     v ->> 5, v ->> 6, v ->> 7, v ->> 8, v ->> 9, v ->> 10, v ->> 11, v ->> 12 FROM r ORDER BY i";
const PATHWAY_COLS: &str = "SELECT id, event_id, org_id, pathway_id, unit, hf, rhf, kommune, care_level, event, date, code, outcome, deadline, pathway_variant, batch_id, recorded_at FROM pathway_events";

/// A JSON document as a statement parameter: typed `json` on PostgreSQL (so that
/// `json_each($n)` resolves without a cast), text on SQLite.
struct JsonParam(String);

impl sqlx::Type<sqlx::Postgres> for JsonParam {
    fn type_info() -> sqlx::postgres::PgTypeInfo {
        sqlx::postgres::PgTypeInfo::with_oid(sqlx::postgres::types::Oid(JSON_OID))
    }
}

/// The OID of PostgreSQL's built-in `json` type (fixed in `pg_type.dat`).
const JSON_OID: u32 = 114;

impl sqlx::Encode<'_, sqlx::Postgres> for JsonParam {
    fn encode_by_ref(
        &self,
        buf: &mut sqlx::postgres::PgArgumentBuffer,
    ) -> Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
        // The binary form of `json` is its text.
        buf.extend_from_slice(self.0.as_bytes());
        Ok(sqlx::encode::IsNull::No)
    }
}

impl sqlx::Type<sqlx::Sqlite> for JsonParam {
    fn type_info() -> sqlx::sqlite::SqliteTypeInfo {
        <String as sqlx::Type<sqlx::Sqlite>>::type_info()
    }
}

impl<'q> sqlx::Encode<'q, sqlx::Sqlite> for JsonParam {
    fn encode(
        self,
        args: &mut Vec<sqlx::sqlite::SqliteArgumentValue<'q>>,
    ) -> Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
        args.push(sqlx::sqlite::SqliteArgumentValue::Text(Cow::Owned(self.0)));
        Ok(sqlx::encode::IsNull::No)
    }

    fn encode_by_ref(
        &self,
        args: &mut Vec<sqlx::sqlite::SqliteArgumentValue<'q>>,
    ) -> Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
        args.push(sqlx::sqlite::SqliteArgumentValue::Text(Cow::Owned(
            self.0.clone(),
        )));
        Ok(sqlx::encode::IsNull::No)
    }
}

/// A slice as a JSON object keyed by position (`{"0": …, "1": …}`), the one parameter of
/// a chunk's insert.
struct Indexed<'a, T>(&'a [T]);

impl<T: serde::Serialize> serde::Serialize for Indexed<'_, T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.0.iter().enumerate())
    }
}

/// The keys of a map as a JSON object (`{"key": 0, …}`).
struct Keys<'a>(&'a HashMap<&'a str, i64>);

impl serde::Serialize for Keys<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.0.keys().map(|k| (k, 0)))
    }
}

/// A projection row for [`Indexed`]: the event id, then the fields.
type ProjectionRow<'a> = (
    i64,
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    &'a str,
);

fn projection_row<'a>(event_id: i64, c: &[&'a str; 12]) -> ProjectionRow<'a> {
    (
        event_id, c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], c[8], c[9], c[10], c[11],
    )
}

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
        org_id: OrgId(r.try_get(2)?),
        fields: EventFields {
            pathway_id: r.try_get(3)?,
            unit: r.try_get(4)?,
            hf: r.try_get(5)?,
            rhf: r.try_get(6)?,
            kommune: r.try_get(7)?,
            care_level: r.try_get(8)?,
            event: r.try_get(9)?,
            date: r.try_get(10)?,
            code: r.try_get(11)?,
            outcome: r.try_get(12)?,
            deadline: r.try_get(13)?,
            pathway_variant: r.try_get(14)?,
        },
        batch_id: r.try_get(15)?,
        recorded_at: r.try_get(16)?,
    })
}

impl Store {
    /// Appends pathway events of one organisation in ONE transaction: each to the event log
    /// (stream `pathway:{org_id}:{pathway_id}`, kind `pathway.event`, body the JSON of its
    /// [`EventFields`], effective date the event's date, actor and organisation set) and to
    /// the projection `pathway_events`, in the order given.
    ///
    /// With a `batch_id` this organisation has imported before, nothing is written (not even
    /// the access entry: log the attempt with [`Store::log_access`] if wanted) and the answer
    /// is [`ImportOutcome::AlreadyImported`] with the number of events recorded then. With
    /// `access`, its access-log entry is written in the same transaction.
    ///
    /// Domain rules are not checked here. `Conflict` if a concurrent writer appended to one of
    /// the same pathways' streams meanwhile (PostgreSQL); retry. An organisation that does not
    /// exist is refused by a foreign key (`Db`). On any error nothing is written.
    pub async fn append_pathway_events(
        &self,
        org: OrgId,
        actor: UserId,
        batch_id: Option<&str>,
        events: &[EventFields],
        recorded_at: Timestamp,
        access: Option<&NewAccess>,
    ) -> Result<ImportOutcome, StoreError> {
        let at = recorded_at.to_string();
        let rows: Vec<[&str; 12]> = events.iter().map(trimmed).collect();
        let bodies = rows
            .iter()
            .map(|r| json(&Body::of(r)))
            .collect::<Result<Vec<_>, _>>()?;
        let streams: Vec<String> = rows.iter().map(|r| pathway_stream(org, r[0])).collect();
        // The last sequence number of each stream touched (0 for a new one), read once.
        let mut last: HashMap<&str, i64> = HashMap::with_capacity(streams.len());
        for s in &streams {
            last.entry(s.as_str()).or_insert(0);
        }
        let streams_json = json(&Keys(&last))?;
        let count = i64::try_from(events.len()).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let events_sql = format!(
            "{CHUNK_ROWS} INSERT INTO events ({EVENT_COLS}) {EVENTS_SELECT} RETURNING id, stream, seq"
        );
        let projection_sql = format!(
            "{CHUNK_ROWS} INSERT INTO pathway_events ({PROJECTION_COLS}) {PROJECTION_SELECT}"
        );
        let chunks: Vec<std::ops::Range<usize>> = (0..rows.len())
            .step_by(PATHWAY_INSERT_CHUNK)
            .map(|start| start..(start + PATHWAY_INSERT_CHUNK).min(rows.len()))
            .collect();
        on_pool!(
            self,
            write
                | pool
                | {
                    let mut tx = pool.begin().await?;
                    if let Some(batch) = batch_id {
                        // A concurrent import of the same batch waits here for the first to end.
                        let new = sqlx::query(
                        "INSERT INTO pathway_batches (org_id, batch_id, events, recorded_at) VALUES ($1, $2, $3, $4) \
                         ON CONFLICT (org_id, batch_id) DO NOTHING",
                    )
                    .bind(org.0)
                    .bind(batch)
                    .bind(count)
                    .bind(&at)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                        if new == 0 {
                            let then: i64 = sqlx::query_scalar(
                            "SELECT events FROM pathway_batches WHERE org_id = $1 AND batch_id = $2",
                        )
                        .bind(org.0)
                        .bind(batch)
                        .fetch_one(&mut *tx)
                        .await?;
                            return Ok(ImportOutcome::AlreadyImported {
                                events: usize::try_from(then).unwrap_or_default(),
                            });
                        }
                    }
                    // One index lookup per stream (`MAX` over the `(stream, seq)` key), whatever
                    // the planner's statistics say.
                    let found = sqlx::query(
                    "SELECT key, (SELECT MAX(seq) FROM events WHERE stream = key) FROM json_each($1)",
                )
                .bind(JsonParam(streams_json))
                .fetch_all(&mut *tx)
                .await?;
                    for r in &found {
                        let stream: String = r.try_get(0)?;
                        let seq: Option<i64> = r.try_get(1)?;
                        if let (Some(last), Some(seq)) = (last.get_mut(stream.as_str()), seq) {
                            *last = seq;
                        }
                    }
                    let seqs: Vec<i64> = streams
                        .iter()
                        .map(|s| {
                            let n = last.entry(s.as_str()).or_insert(0);
                            *n += 1;
                            *n
                        })
                        .collect();
                    // The event log, chunk by chunk; each chunk's parameter is written while the
                    // previous chunk's statement runs.
                    let events_chunk = |range: &std::ops::Range<usize>| {
                        let chunk: Vec<(&str, i64, &str, &str)> = range
                            .clone()
                            .map(|i| (streams[i].as_str(), seqs[i], bodies[i].as_str(), rows[i][7]))
                            .collect();
                        json(&Indexed(&chunk)).map(JsonParam)
                    };
                    let mut event_ids = vec![0i64; rows.len()];
                    let mut next = chunks.first().map(events_chunk).transpose()?;
                    for (k, range) in chunks.iter().enumerate() {
                        let Some(param) = next.take() else { break };
                        let insert = sqlx::query(&events_sql)
                            .bind(param)
                            .bind(actor.0)
                            .bind(org.0)
                            .bind(&at)
                            .fetch_all(&mut *tx);
                        let (returned, following) = tokio::join!(insert, async {
                            chunks.get(k + 1).map(events_chunk).transpose()
                        });
                        let returned = returned.map_err(|e| {
                            map_unique(e, "a pathway has changed since it was read")
                        })?;
                        next = following?;
                        // RETURNING order is not promised: match rows by their (stream, seq).
                        let index: HashMap<(&str, i64), usize> = range
                            .clone()
                            .map(|i| ((streams[i].as_str(), seqs[i]), i))
                            .collect();
                        if returned.len() != range.len() {
                            return Err(StoreError::Corrupt(
                                "an inserted event was not returned".into(),
                            ));
                        }
                        for r in &returned {
                            let stream: String = r.try_get(1)?;
                            let at_row = index
                                .get(&(stream.as_str(), r.try_get::<i64, _>(2)?))
                                .ok_or_else(|| {
                                    StoreError::Corrupt("an inserted event was not returned".into())
                                })?;
                            event_ids[*at_row] = r.try_get(0)?;
                        }
                    }
                    // The projection, likewise.
                    let projection_chunk = |range: &std::ops::Range<usize>| {
                        let chunk: Vec<ProjectionRow<'_>> = range
                            .clone()
                            .map(|i| projection_row(event_ids[i], &rows[i]))
                            .collect();
                        json(&Indexed(&chunk)).map(JsonParam)
                    };
                    let mut next = chunks.first().map(projection_chunk).transpose()?;
                    for k in 0..chunks.len() {
                        let Some(param) = next.take() else { break };
                        let insert = sqlx::query(&projection_sql)
                            .bind(param)
                            .bind(org.0)
                            .bind(batch_id)
                            .bind(&at)
                            .execute(&mut *tx);
                        let (done, following) = tokio::join!(insert, async {
                            chunks.get(k + 1).map(projection_chunk).transpose()
                        });
                        done?;
                        next = following?;
                    }
                    if let Some(access) = access {
                        append_access_tx!(tx, access);
                    }
                    tx.commit().await?;
                    Ok(ImportOutcome::Imported {
                        events: events.len(),
                    })
                }
        )
    }

    /// The effective (not withdrawn) pathway events of one organisation, or of all with
    /// `None`, ordered by id.
    pub async fn pathway_events(
        &self,
        org: Option<OrgId>,
    ) -> Result<Vec<StoredPathwayEvent>, StoreError> {
        on_pool!(
            self,
            read | pool | {
                let rows = match org {
                    Some(o) => {
                        sqlx::query(&format!(
                            "{PATHWAY_COLS} WHERE org_id = $1 AND withdrawn = FALSE ORDER BY id"
                        ))
                        .bind(o.0)
                        .fetch_all(pool)
                        .await?
                    }
                    None => {
                        sqlx::query(&format!(
                            "{PATHWAY_COLS} WHERE withdrawn = FALSE ORDER BY id"
                        ))
                        .fetch_all(pool)
                        .await?
                    }
                };
                rows.iter().map(pathway_from_row).collect()
            }
        )
    }

    /// The effective events with a row id above `after`, of one organisation or of all, ordered
    /// by id: what a cache that holds the rows up to `after` is missing.
    pub async fn pathway_events_after(
        &self,
        org: Option<OrgId>,
        after: i64,
    ) -> Result<Vec<StoredPathwayEvent>, StoreError> {
        on_pool!(
            self,
            read | pool
                | {
                    let rows = sqlx::query(&format!(
                    "{PATHWAY_COLS} WHERE ($1 IS NULL OR org_id = $1) AND id > $2 AND withdrawn = FALSE ORDER BY id"
                ))
                .bind(org.map(|o| o.0))
                .bind(after)
                .fetch_all(pool)
                .await?;
                    rows.iter().map(pathway_from_row).collect()
                }
        )
    }

    /// The effective events of one pathway of an organisation, ordered by id.
    pub async fn pathway_events_of(
        &self,
        org: OrgId,
        pathway_id: &str,
    ) -> Result<Vec<StoredPathwayEvent>, StoreError> {
        on_pool!(
            self,
            read | pool
                | {
                    let rows = sqlx::query(&format!(
                    "{PATHWAY_COLS} WHERE org_id = $1 AND pathway_id = $2 AND withdrawn = FALSE ORDER BY id"
                ))
                .bind(org.0)
                .bind(pathway_id.trim_ascii())
                .fetch_all(pool)
                .await?;
                    rows.iter().map(pathway_from_row).collect()
                }
        )
    }

    /// A correction: withdraws projection row `id` and, with a replacement, inserts it as a
    /// new projection row; one `pathway.corrected` event (body `{"target": id, "replacement":
    /// fields or null, "reason": …}`) goes to the withdrawn event's pathway stream, with the
    /// date of `recorded_at` as its effective date. With `access`, its entry is written in
    /// the same transaction. Returns the replacement's projection id, if any.
    ///
    /// `NotFound` if row `id` does not exist or belongs to another organisation; `Conflict`
    /// if it has been withdrawn already.
    #[allow(clippy::too_many_arguments)]
    pub async fn correct_pathway_event(
        &self,
        org: OrgId,
        actor: UserId,
        id: i64,
        replacement: Option<&EventFields>,
        reason: &str,
        recorded_at: Timestamp,
        access: Option<&NewAccess>,
    ) -> Result<Option<i64>, StoreError> {
        let at = recorded_at.to_string();
        let effective = recorded_at.strftime("%Y-%m-%d").to_string();
        let row = replacement.map(trimmed);
        let body = json(&serde_json::json!({
            "target": id,
            "replacement": row.as_ref().map(Body::of),
            "reason": reason,
        }))?;
        on_pool!(
            self,
            write
                | pool
                | {
                    let mut tx = pool.begin().await?;
                    let target = sqlx::query(
                    "SELECT pathway_id, withdrawn FROM pathway_events WHERE id = $1 AND org_id = $2",
                )
                .bind(id)
                .bind(org.0)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or(StoreError::NotFound)?;
                    let pathway_id: String = target.try_get(0)?;
                    let withdrawn: bool = target.try_get(1)?;
                    let gone = || StoreError::Conflict("the event has been corrected already");
                    if withdrawn {
                        return Err(gone());
                    }
                    let n = sqlx::query(
                    "UPDATE pathway_events SET withdrawn = TRUE WHERE id = $1 AND withdrawn = FALSE",
                )
                .bind(id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                    if n == 0 {
                        return Err(gone());
                    }
                    let stream = pathway_stream(org, &pathway_id);
                    let seq: i64 = sqlx::query_scalar(
                        "SELECT COALESCE(MAX(seq), 0) + 1 FROM events WHERE stream = $1",
                    )
                    .bind(&stream)
                    .fetch_one(&mut *tx)
                    .await?;
                    let event_id: i64 = sqlx::query_scalar(
                    "INSERT INTO events (stream, seq, kind, body, actor_id, org_id, recorded_at, effective_date) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
                )
                .bind(&stream)
                .bind(seq)
                .bind(PATHWAY_CORRECTED_KIND)
                .bind(&body)
                .bind(actor.0)
                .bind(org.0)
                .bind(&at)
                .bind(&effective)
                .fetch_one(&mut *tx)
                .await
                .map_err(|e| map_unique(e, "the pathway has changed since it was read"))?;
                    let new_id = match &row {
                        None => None,
                        Some(cols) => {
                            let sql = format!(
                            "INSERT INTO pathway_events ({PROJECTION_COLS}) VALUES {} RETURNING id",
                            values("$1, $2, $3", 4, 13, 1)
                        );
                            let mut q = sqlx::query(&sql)
                                .bind(org.0)
                                .bind(None::<&str>)
                                .bind(&at)
                                .bind(event_id);
                            for col in cols {
                                q = q.bind(*col);
                            }
                            let new_id: i64 = q.fetch_one(&mut *tx).await?.try_get(0)?;
                            Some(new_id)
                        }
                    };
                    if let Some(access) = access {
                        append_access_tx!(tx, access);
                    }
                    tx.commit().await?;
                    Ok(new_id)
                }
        )
    }

    /// Benchmark helper: the raw insert rate of the engine for the rows of an import, into
    /// scratch tables with no key, index or constraint, in one transaction, by one of the
    /// methods of [`PathwayRawInsert`]: `bench_pathway_raw` has the projection's columns,
    /// `bench_pathway_raw_log` the event log's.
    #[doc(hidden)]
    pub async fn raw_insert_pathway_rows_benchmark(
        &self,
        org: OrgId,
        batch_id: Option<&str>,
        events: &[EventFields],
        recorded_at: Timestamp,
        method: PathwayRawInsert,
    ) -> Result<(), StoreError> {
        let at = recorded_at.to_string();
        let rows: Vec<[&str; 12]> = events.iter().map(trimmed).collect();
        // As an import has them (sequence numbers are positions here).
        let (bodies, streams) = match method {
            PathwayRawInsert::JsonWithLog => (
                rows.iter()
                    .map(|r| json(&Body::of(r)))
                    .collect::<Result<Vec<_>, _>>()?,
                rows.iter().map(|r| pathway_stream(org, r[0])).collect(),
            ),
            _ => (Vec::new(), Vec::new()),
        };
        let per_statement = match method {
            PathwayRawInsert::Values { rows_per_statement } => rows_per_statement.max(1),
            PathwayRawInsert::Json | PathwayRawInsert::JsonWithLog => PATHWAY_INSERT_CHUNK,
        };
        let chunks: Vec<std::ops::Range<usize>> = (0..rows.len())
            .step_by(per_statement)
            .map(|start| start..(start + per_statement).min(rows.len()))
            .collect();
        let projection_head = format!("INSERT INTO bench_pathway_raw ({PROJECTION_COLS})");
        let values_sql = |n: usize| {
            format!(
                "{projection_head} VALUES {}",
                values("$1, $2, $3", 4, 13, n)
            )
        };
        let full_values_sql = values_sql(per_statement);
        let json_sql = format!("{CHUNK_ROWS} {projection_head} {PROJECTION_SELECT}");
        let log_sql = format!(
            "{CHUNK_ROWS} INSERT INTO bench_pathway_raw_log ({EVENT_COLS}) {EVENTS_SELECT}"
        );
        let projection_chunk = |range: &std::ops::Range<usize>| {
            let chunk: Vec<ProjectionRow<'_>> = range
                .clone()
                .map(|i| projection_row(i as i64, &rows[i]))
                .collect();
            json(&Indexed(&chunk)).map(JsonParam)
        };
        let log_chunk = |range: &std::ops::Range<usize>| {
            let chunk: Vec<(&str, i64, &str, &str)> = range
                .clone()
                .map(|i| {
                    (
                        streams[i].as_str(),
                        i as i64,
                        bodies[i].as_str(),
                        rows[i][7],
                    )
                })
                .collect();
            json(&Indexed(&chunk)).map(JsonParam)
        };
        on_pool!(
            self,
            write | pool | {
                for table in [
                    format!("bench_pathway_raw ({RAW_PROJECTION_TYPES})"),
                    format!("bench_pathway_raw_log ({RAW_LOG_TYPES})"),
                ] {
                    sqlx::query(&format!("CREATE TABLE IF NOT EXISTS {table}"))
                        .execute(pool)
                        .await?;
                }
                let mut tx = pool.begin().await?;
                match method {
                    PathwayRawInsert::Values { .. } => {
                        for range in &chunks {
                            let sql: Cow<'_, str> = if range.len() == per_statement {
                                Cow::Borrowed(&full_values_sql)
                            } else {
                                Cow::Owned(values_sql(range.len()))
                            };
                            let mut q = sqlx::query(&sql).bind(org.0).bind(batch_id).bind(&at);
                            for i in range.clone() {
                                q = q.bind(i as i64);
                                for col in &rows[i] {
                                    q = q.bind(*col);
                                }
                            }
                            q.execute(&mut *tx).await?;
                        }
                    }
                    PathwayRawInsert::Json | PathwayRawInsert::JsonWithLog => {
                        // Each chunk's parameter is written while the previous statement runs,
                        // as an import does.
                        if method == PathwayRawInsert::JsonWithLog {
                            let mut next = chunks.first().map(log_chunk).transpose()?;
                            for k in 0..chunks.len() {
                                let Some(param) = next.take() else { break };
                                let insert = sqlx::query(&log_sql)
                                    .bind(param)
                                    .bind(0i64)
                                    .bind(org.0)
                                    .bind(&at)
                                    .execute(&mut *tx);
                                let (done, following) = tokio::join!(insert, async {
                                    chunks.get(k + 1).map(log_chunk).transpose()
                                });
                                done?;
                                next = following?;
                            }
                        }
                        let mut next = chunks.first().map(projection_chunk).transpose()?;
                        for k in 0..chunks.len() {
                            let Some(param) = next.take() else { break };
                            let insert = sqlx::query(&json_sql)
                                .bind(param)
                                .bind(org.0)
                                .bind(batch_id)
                                .bind(&at)
                                .execute(&mut *tx);
                            let (done, following) = tokio::join!(insert, async {
                                chunks.get(k + 1).map(projection_chunk).transpose()
                            });
                            done?;
                            next = following?;
                        }
                    }
                }
                tx.commit().await?;
                Ok(())
            }
        )
    }
}

const RAW_PROJECTION_TYPES: &str = "org_id BIGINT, batch_id TEXT, recorded_at TEXT, event_id BIGINT, pathway_id TEXT, \
     unit TEXT, hf TEXT, rhf TEXT, kommune TEXT, care_level TEXT, event TEXT, date TEXT, code TEXT, outcome TEXT, \
     deadline TEXT, pathway_variant TEXT, withdrawn BOOLEAN NOT NULL DEFAULT FALSE";
const RAW_LOG_TYPES: &str =
    "actor_id BIGINT, org_id BIGINT, recorded_at TEXT, kind TEXT, stream TEXT, seq BIGINT, \
     body TEXT, effective_date TEXT";

/// How [`Store::raw_insert_pathway_rows_benchmark`] inserts.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathwayRawInsert {
    /// Projection rows by multi-row `INSERT … VALUES`, every value bound, this many rows a
    /// statement.
    Values { rows_per_statement: usize },
    /// Projection rows as an import writes them: [`PATHWAY_INSERT_CHUNK`] rows a statement,
    /// as one JSON parameter.
    Json,
    /// As `Json`, and before them the event-log rows an import writes (with their bodies):
    /// the same bytes as an import, without its keys, indexes, constraints and lookups.
    JsonWithLog,
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn the_import_writes_the_documented_kind() {
        assert!(EVENTS_SELECT.contains(&format!("'{PATHWAY_EVENT_KIND}'")));
    }

    #[test]
    fn values_number_placeholders_in_order_of_appearance() {
        assert_eq!(values("$1", 2, 2, 2), "($1, $2, $3), ($1, $4, $5)");
        assert_eq!(values("", 1, 3, 1), "($1, $2, $3)");
    }

    #[test]
    fn chunk_rows_are_an_object_keyed_by_position() {
        let fields = ["a\"b", "", "c", "", "", "", "", "", "", "", "", "standard"];
        let rows = [projection_row(7, &fields), projection_row(8, &fields)];
        let text = json(&Indexed(&rows)).unwrap();
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["0"][0], 7);
        assert_eq!(v["1"][0], 8);
        assert_eq!(v["1"][1], "a\"b");
        assert_eq!(v["1"][12], "standard");
        assert_eq!(v.as_object().unwrap().len(), 2);
    }

    #[test]
    fn body_is_the_json_of_event_fields() {
        let f = EventFields {
            pathway_id: " P1 ".into(),
            event: "referral_received".into(),
            ..EventFields::default()
        };
        let body = json(&Body::of(&trimmed(&f))).unwrap();
        let back: EventFields = serde_json::from_str(&body).unwrap();
        assert_eq!(
            back,
            EventFields {
                pathway_id: "P1".into(),
                ..f.clone()
            }
        );
        assert_eq!(body, serde_json::to_string(&back).unwrap());
        assert_eq!(pathway_stream(OrgId(3), " P1"), "pathway:3:P1");
    }
}
