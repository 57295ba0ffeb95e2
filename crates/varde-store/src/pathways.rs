//! Storage of TSB care pathway events, on both engines.
//!
//! The event log holds an organisation's pathway writes in ONE stream, `pathways:{org_id}`
//! ([`pathway_stream`]):
//!
//! - an import (or a single registration, an import of one row) writes one
//!   [`PATHWAY_EVENTS_KIND`] event per chunk of up to [`PATHWAY_INSERT_CHUNK`] rows, body
//!   `{"batch": id or null, "rows": [[the 12 fields], …]}` (each row the CSV columns in order,
//!   then the pathway variant: [`EventFields`] by position), effective date the chunk's earliest
//!   event date;
//! - a correction writes one [`PATHWAY_CORRECTED_KIND`] event, body `{"target": {"event": id,
//!   "row": n}, "replacement": [the 12 fields] or null, "reason": …}`, effective date the day
//!   it was recorded.
//!
//! The projection `pathway_events` holds one row per event row (`event_id`, `row_index`), in
//! the same transaction; a correction withdraws its target's row and may add the replacement
//! (row 0 of the correction event). Logging a chunk rather than a row per event is what makes
//! an import cost about one write of its data rather than two (a log row with its JSON body per
//! event took the import to 0.30 of the engine's raw insert rate; see `docs/benchmarks.md`).
//!
//! Every write first bumps the organisation's row in `pathway_heads` (the stream's last
//! sequence number and its number of corrections): writers of one organisation take turns
//! (PostgreSQL holds the row lock until commit), sequence numbers need no lookup, projection
//! ids of one organisation rise in commit order, and [`crate::PathwayStamp`] is one key lookup.
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
//! year against the engine's raw insert rate.

use std::borrow::Cow;

use jiff::Timestamp;
use sqlx::Row;
use varde_core::audit::AccessEntry;
use varde_core::org::{OrgId, UserId};
use varde_core::pathways::EventFields;

use crate::store::{append_access_tx, map_unique, on_pool, Db};
use crate::{NewAccess, PathwayStamp, Store, StoreError};

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

/// An import batch: its id (unique per organisation) and a digest of its content, so that the
/// same id sent with other content can be told apart from the same file sent again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Batch<'a> {
    pub id: &'a str,
    pub digest: &'a str,
}

/// A withdrawn pathway event and the correction that withdrew it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PathwayCorrection {
    pub withdrawn: StoredPathwayEvent,
    /// `None` for rows withdrawn before corrections were linked to their rows.
    pub correction: Option<CorrectionEvent>,
}

/// A correction as logged.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CorrectionEvent {
    /// Its event-log entry.
    pub event_id: i64,
    pub actor_id: Option<i64>,
    pub recorded_at: String,
    pub reason: String,
    /// The row that replaced the withdrawn one, if the correction had a replacement.
    pub replacement_id: Option<i64>,
}

/// What an import did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportOutcome {
    /// The events were written.
    Imported { events: usize },
    /// The organisation had imported this batch id before: nothing was written. `events` is
    /// the number of events recorded then; `same_content` whether the digest was the same (or
    /// none was recorded then).
    AlreadyImported { events: usize, same_content: bool },
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

/// The body of a [`PATHWAY_EVENTS_KIND`] event.
#[derive(serde::Serialize)]
struct ChunkBody<'a> {
    batch: Option<&'a str>,
    rows: &'a [Fields<'a>],
}

/// The body of a [`PATHWAY_CORRECTED_KIND`] event.
#[derive(serde::Serialize)]
struct CorrectionBody<'a> {
    target: Target,
    replacement: Option<&'a Fields<'a>>,
    reason: &'a str,
}

/// A logged row: the `row`-th row of event `event`.
#[derive(serde::Serialize)]
struct Target {
    event: i64,
    row: i64,
}

fn already_corrected() -> StoreError {
    StoreError::Conflict("the event has been corrected already")
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

const PROJECTION_COLS: &str = "org_id, batch_id, recorded_at, event_id, row_index, pathway_id, unit, hf, rhf, kommune, care_level, event, date, code, outcome, deadline, pathway_variant";
/// The projection rows of a chunk: each row of `$1` is the 12 fields, its key the row index;
/// `$2` the organisation, `$3` the batch, `$4` the time recorded, `$5` the chunk's log event.
const PROJECTION_SELECT: &str =
    "SELECT $2, $3, $4, $5, i, v ->> 0, v ->> 1, v ->> 2, v ->> 3, v ->> 4, \
     v ->> 5, v ->> 6, v ->> 7, v ->> 8, v ->> 9, v ->> 10, v ->> 11 FROM r ORDER BY i";
const PATHWAY_COLS: &str = "SELECT id, event_id, row_index, org_id, pathway_id, unit, hf, rhf, kommune, care_level, event, date, code, outcome, deadline, pathway_variant, batch_id, recorded_at FROM pathway_events";
const PATHWAY_COLS_WITH_WITHDRAWN: &str = "SELECT id, event_id, row_index, org_id, pathway_id, unit, hf, rhf, kommune, care_level, event, date, code, outcome, deadline, pathway_variant, batch_id, recorded_at, withdrawn, withdrawn_by FROM pathway_events";
const EVENT_INSERT: &str =
    "INSERT INTO events (stream, seq, kind, body, actor_id, org_id, recorded_at, effective_date) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id";
/// Moves an organisation's head on by `$2` log events (`$3` of them corrections), creating it
/// at the first write; returns the new last sequence number and number of corrections.
const HEAD_BUMP: &str = "INSERT INTO pathway_heads (org_id, seq, corrections) VALUES ($1, $2, $3) \
     ON CONFLICT (org_id) DO UPDATE SET seq = pathway_heads.seq + excluded.seq, \
     corrections = pathway_heads.corrections + excluded.corrections RETURNING seq, corrections";

/// The `Conflict` of a write whose expected version is no longer current: check again.
pub const PATHWAYS_CHANGED: &str = "the organisation's pathways changed while this was checked";

/// Whether the head before a bump of `seqs` log events and `corrections` corrections (`after`
/// is what the bump returned) was `expected`: a writer that checked the rules against the
/// events of version `expected` may write only if no one wrote since.
fn unchanged_since(
    expected: Option<PathwayStamp>,
    after: (i64, i64),
    seqs: i64,
    corrections: i64,
) -> Result<(), StoreError> {
    match expected {
        Some(e) if (after.0 - seqs, after.1 - corrections) != (e.seq, e.corrections) => {
            Err(StoreError::Conflict(PATHWAYS_CHANGED))
        }
        _ => Ok(()),
    }
}

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

/// A parameter of a projection read.
#[derive(Clone, Copy)]
enum Param<'a> {
    Int(i64),
    Text(&'a str),
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

/// What one chunk of an import sends: its log body, its projection parameter, its effective
/// date.
struct Chunk<'a> {
    body: String,
    rows: JsonParam,
    effective: &'a str,
}

fn chunk<'a>(batch: Option<&'a str>, rows: &'a [Fields<'a>]) -> Result<Chunk<'a>, StoreError> {
    Ok(Chunk {
        body: json(&ChunkBody { batch, rows })?,
        rows: JsonParam(json(&Indexed(rows))?),
        // ISO dates order as text.
        effective: rows.iter().map(|r| r[7]).min().unwrap_or_default(),
    })
}

/// The parameters of chunk `k`, if there is one.
fn chunk_at<'a>(
    batch: Option<&'a str>,
    chunks: &[&'a [Fields<'a>]],
    k: usize,
) -> Result<Option<Chunk<'a>>, StoreError> {
    chunks.get(k).map(|c| chunk(batch, c)).transpose()
}

/// Runs `insert`, the statements of chunk `k`, while writing the parameters of chunk `k + 1`,
/// which it returns: an import's chunks are sent this way, one after the other.
async fn insert_and_prepare_next<'a>(
    insert: impl std::future::Future<Output = Result<(), StoreError>>,
    batch: Option<&'a str>,
    chunks: &[&'a [Fields<'a>]],
    k: usize,
) -> Result<Option<Chunk<'a>>, StoreError> {
    let (done, following) = tokio::join!(insert, async { chunk_at(batch, chunks, k + 1) });
    done?;
    following
}

impl Store {
    /// Appends pathway events of one organisation in ONE transaction, in the order given: to
    /// the event log, one [`PATHWAY_EVENTS_KIND`] event per chunk of up to
    /// [`PATHWAY_INSERT_CHUNK`] rows in the stream `pathways:{org_id}` (actor and organisation
    /// set), and to the projection `pathway_events`.
    ///
    /// With a `batch` whose id this organisation has imported before, nothing is written (not
    /// even the access entry: log the attempt with [`Store::log_access`] if wanted) and the
    /// answer is [`ImportOutcome::AlreadyImported`] with the number of events recorded then and
    /// whether the digest matches. With
    /// `access`, its access-log entry is written in the same transaction.
    ///
    /// Domain rules are not checked here. Writers of one organisation take turns. An
    /// organisation that does not exist is refused by a foreign key (`Db`). On any error
    /// nothing is written.
    pub async fn append_pathway_events(
        &self,
        org: OrgId,
        actor: UserId,
        batch: Option<Batch<'_>>,
        events: &[EventFields],
        recorded_at: Timestamp,
        access: Option<&NewAccess>,
    ) -> Result<ImportOutcome, StoreError> {
        self.append_pathway_events_expecting(org, actor, batch, events, recorded_at, access, None)
            .await
    }

    /// As [`Store::append_pathway_events`], writing only if the organisation's events are still
    /// at version `expected` (the [`PathwayStamp`] read before the events the caller checked the
    /// rules against): otherwise `Conflict` and nothing is written, so a rule checked outside
    /// the transaction cannot be bypassed by a concurrent write (two clicks on "register",
    /// two imports touching one pathway). With `None`, as `append_pathway_events`.
    #[allow(clippy::too_many_arguments)]
    pub async fn append_pathway_events_expecting(
        &self,
        org: OrgId,
        actor: UserId,
        batch: Option<Batch<'_>>,
        events: &[EventFields],
        recorded_at: Timestamp,
        access: Option<&NewAccess>,
        expected: Option<PathwayStamp>,
    ) -> Result<ImportOutcome, StoreError> {
        let at = recorded_at.to_string();
        let batch_id = batch.map(|b| b.id);
        let rows: Vec<Fields<'_>> = events.iter().map(trimmed).collect();
        let chunks: Vec<&[Fields<'_>]> = rows.chunks(PATHWAY_INSERT_CHUNK).collect();
        let count = i64::try_from(events.len()).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let log_events =
            i64::try_from(chunks.len()).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let stream = pathway_stream(org);
        let projection_sql = format!(
            "{CHUNK_ROWS} INSERT INTO pathway_events ({PROJECTION_COLS}) {PROJECTION_SELECT}"
        );
        on_pool!(
            self,
            write
                | pool
                | {
                    let mut tx = pool.begin().await?;
                    if let Some(batch) = batch {
                        // A concurrent import of the same batch waits here for the first to end.
                        let new = sqlx::query(
                        "INSERT INTO pathway_batches (org_id, batch_id, events, recorded_at, digest) VALUES ($1, $2, $3, $4, $5) \
                         ON CONFLICT (org_id, batch_id) DO NOTHING",
                    )
                    .bind(org.0)
                    .bind(batch.id)
                    .bind(count)
                    .bind(&at)
                    .bind(batch.digest)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                        if new == 0 {
                            let (then, digest): (i64, Option<String>) = sqlx::query_as(
                            "SELECT events, digest FROM pathway_batches WHERE org_id = $1 AND batch_id = $2",
                        )
                        .bind(org.0)
                        .bind(batch.id)
                        .fetch_one(&mut *tx)
                        .await?;
                            return Ok(ImportOutcome::AlreadyImported {
                                events: usize::try_from(then).unwrap_or_default(),
                                same_content: digest.is_none_or(|d| d == batch.digest),
                            });
                        }
                    }
                    if !chunks.is_empty() {
                        let (last, corrections): (i64, i64) = sqlx::query_as(HEAD_BUMP)
                            .bind(org.0)
                            .bind(log_events)
                            .bind(0i64)
                            .fetch_one(&mut *tx)
                            .await?;
                        unchanged_since(expected, (last, corrections), log_events, 0)?;
                        let mut next = chunk_at(batch_id, &chunks, 0)?;
                        for (k, seq) in (last - log_events + 1..=last).enumerate() {
                            let Some(this) = next.take() else { break };
                            let insert = async {
                                let event_id: i64 = sqlx::query_scalar(EVENT_INSERT)
                                    .bind(&stream)
                                    .bind(seq)
                                    .bind(PATHWAY_EVENTS_KIND)
                                    .bind(&this.body)
                                    .bind(actor.0)
                                    .bind(org.0)
                                    .bind(&at)
                                    .bind(this.effective)
                                    .fetch_one(&mut *tx)
                                    .await
                                    .map_err(|e| {
                                        map_unique(
                                            e,
                                            "the organisation's pathways changed meanwhile",
                                        )
                                    })?;
                                sqlx::query(&projection_sql)
                                    .bind(this.rows)
                                    .bind(org.0)
                                    .bind(batch_id)
                                    .bind(&at)
                                    .bind(event_id)
                                    .execute(&mut *tx)
                                    .await?;
                                Ok::<_, StoreError>(())
                            };
                            next = insert_and_prepare_next(insert, batch_id, &chunks, k).await?;
                        }
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
        match org {
            Some(o) => {
                self.effective_pathway_rows("org_id = $1", &[Param::Int(o.0)])
                    .await
            }
            None => self.effective_pathway_rows("TRUE", &[]).await,
        }
    }

    /// The effective events with a row id above `after`, of one organisation or of all, ordered
    /// by id: what a cache that holds the rows up to `after` is missing.
    pub async fn pathway_events_after(
        &self,
        org: Option<OrgId>,
        after: i64,
    ) -> Result<Vec<StoredPathwayEvent>, StoreError> {
        match org {
            Some(o) => {
                self.effective_pathway_rows(
                    "org_id = $1 AND id > $2",
                    &[Param::Int(o.0), Param::Int(after)],
                )
                .await
            }
            None => {
                self.effective_pathway_rows("id > $1", &[Param::Int(after)])
                    .await
            }
        }
    }

    /// The effective events of one pathway of an organisation, ordered by id.
    pub async fn pathway_events_of(
        &self,
        org: OrgId,
        pathway_id: &str,
    ) -> Result<Vec<StoredPathwayEvent>, StoreError> {
        self.effective_pathway_rows(
            "org_id = $1 AND pathway_id = $2",
            &[Param::Int(org.0), Param::Text(pathway_id.trim_ascii())],
        )
        .await
    }

    /// The effective projection rows matching `condition` (on `params`, bound in order),
    /// ordered by id: the one reader behind the `pathway_events*` methods.
    async fn effective_pathway_rows(
        &self,
        condition: &str,
        params: &[Param<'_>],
    ) -> Result<Vec<StoredPathwayEvent>, StoreError> {
        let sql = format!("{PATHWAY_COLS} WHERE {condition} AND withdrawn = FALSE ORDER BY id");
        on_pool!(
            self,
            read | pool | {
                let mut q = sqlx::query(&sql);
                for p in params {
                    q = match *p {
                        Param::Int(v) => q.bind(v),
                        Param::Text(v) => q.bind(v),
                    };
                }
                let rows = q.fetch_all(pool).await?;
                rows.iter().map(pathway_from_row).collect()
            }
        )
    }

    /// The corrections of one pathway of an organisation, oldest first: each withdrawn row with
    /// the correction that withdrew it (reason, who, when) and its replacement's row id, if
    /// any. Rows withdrawn before corrections were linked to their rows have `correction`
    /// `None`.
    pub async fn pathway_corrections_of(
        &self,
        org: OrgId,
        pathway_id: &str,
    ) -> Result<Vec<PathwayCorrection>, StoreError> {
        // Each row of the pathway with the correction event that withdrew it, if any, in one
        // read: columns 0..=17 as `PATHWAY_COLS`, then withdrawn, withdrawn_by and the event's
        // body, actor and time.
        let sql = format!(
            "SELECT p.*, e.body, e.actor_id, e.recorded_at FROM \
             ({PATHWAY_COLS_WITH_WITHDRAWN} WHERE org_id = $1 AND pathway_id = $2) p \
             LEFT JOIN events e ON e.id = p.withdrawn_by ORDER BY p.id"
        );
        on_pool!(
            self,
            read | pool | {
                let rows = sqlx::query(&sql)
                    .bind(org.0)
                    .bind(pathway_id.trim_ascii())
                    .fetch_all(pool)
                    .await?;
                let all = rows
                    .iter()
                    .map(|r| Ok((pathway_from_row(r)?, r)))
                    .collect::<Result<Vec<_>, StoreError>>()?;
                let mut out = Vec::new();
                for (row, r) in &all {
                    if !r.try_get::<bool, _>(18)? {
                        continue;
                    }
                    let correction = match r.try_get::<Option<i64>, _>(19)? {
                        None => None,
                        Some(event_id) => {
                            let body: String =
                                r.try_get::<Option<String>, _>(20)?.ok_or_else(|| {
                                    StoreError::Corrupt(format!(
                                        "correction event {event_id} is missing"
                                    ))
                                })?;
                            let reason = serde_json::from_str::<serde_json::Value>(&body)
                                .ok()
                                .and_then(|v| v["reason"].as_str().map(str::to_owned))
                                .unwrap_or_default();
                            Some(CorrectionEvent {
                                event_id,
                                actor_id: r.try_get(21)?,
                                recorded_at: r.try_get(22)?,
                                reason,
                                replacement_id: all
                                    .iter()
                                    .find(|(p, _)| p.event_id == event_id)
                                    .map(|(p, _)| p.id),
                            })
                        }
                    };
                    out.push(PathwayCorrection {
                        withdrawn: row.clone(),
                        correction,
                    });
                }
                Ok(out)
            }
        )
    }

    /// A correction: withdraws projection row `id` and, with a replacement, inserts it as a
    /// new projection row (row 0 of the correction's log event); one [`PATHWAY_CORRECTED_KIND`]
    /// event goes to the organisation's stream, with the date of `recorded_at` as its effective
    /// date. With `access`, its entry is written in the same transaction. Returns the
    /// replacement's projection id, if any.
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
        self.correct_pathway_event_expecting(
            org,
            actor,
            id,
            replacement,
            reason,
            recorded_at,
            access,
            None,
        )
        .await
    }

    /// As [`Store::correct_pathway_event`], only if the organisation's events are still at
    /// version `expected` (see [`Store::append_pathway_events_expecting`]).
    #[allow(clippy::too_many_arguments)]
    pub async fn correct_pathway_event_expecting(
        &self,
        org: OrgId,
        actor: UserId,
        id: i64,
        replacement: Option<&EventFields>,
        reason: &str,
        recorded_at: Timestamp,
        access: Option<&NewAccess>,
        expected: Option<PathwayStamp>,
    ) -> Result<Option<i64>, StoreError> {
        let at = recorded_at.to_string();
        let effective = recorded_at.strftime("%Y-%m-%d").to_string();
        let row = replacement.map(trimmed);
        let stream = pathway_stream(org);
        on_pool!(
            self,
            write
                | pool
                | {
                    let mut tx = pool.begin().await?;
                    // The head first: a concurrent correction of the same row waits here, then
                    // finds it withdrawn.
                    let (seq, corrections): (i64, i64) = sqlx::query_as(HEAD_BUMP)
                        .bind(org.0)
                        .bind(1i64)
                        .bind(1i64)
                        .fetch_one(&mut *tx)
                        .await?;
                    unchanged_since(expected, (seq, corrections), 1, 1)?;
                    let target = sqlx::query(
                    "SELECT event_id, row_index, withdrawn FROM pathway_events WHERE id = $1 AND org_id = $2",
                )
                .bind(id)
                .bind(org.0)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or(StoreError::NotFound)?;
                    if target.try_get::<bool, _>(2)? {
                        return Err(already_corrected());
                    }
                    let target = Target {
                        event: target.try_get(0)?,
                        row: target.try_get(1)?,
                    };
                    let body = json(&CorrectionBody {
                        target,
                        replacement: row.as_ref(),
                        reason,
                    })?;
                    let event_id: i64 = sqlx::query_scalar(EVENT_INSERT)
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
                        .map_err(|e| {
                            map_unique(e, "the organisation's pathways changed meanwhile")
                        })?;
                    let n = sqlx::query(
                    "UPDATE pathway_events SET withdrawn = TRUE, withdrawn_by = $2 WHERE id = $1 AND withdrawn = FALSE",
                )
                .bind(id)
                .bind(event_id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                    if n == 0 {
                        return Err(already_corrected());
                    }
                    let new_id = match &row {
                        None => None,
                        Some(cols) => {
                            let sql = format!(
                            "INSERT INTO pathway_events ({PROJECTION_COLS}) VALUES {} RETURNING id",
                            values("$1, $2, $3, $4", 5, 13, 1)
                        );
                            let mut q = sqlx::query(&sql)
                                .bind(org.0)
                                .bind(None::<&str>)
                                .bind(&at)
                                .bind(event_id)
                                .bind(0i64);
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
        let rows: Vec<Fields<'_>> = events.iter().map(trimmed).collect();
        let per_statement = match method {
            PathwayRawInsert::Values { rows_per_statement } => rows_per_statement.max(1),
            PathwayRawInsert::Json | PathwayRawInsert::JsonWithLog => PATHWAY_INSERT_CHUNK,
        };
        let chunks: Vec<&[Fields<'_>]> = rows.chunks(per_statement).collect();
        let projection_head = format!("INSERT INTO bench_pathway_raw ({PROJECTION_COLS})");
        let values_sql = |n: usize| {
            format!(
                "{projection_head} VALUES {}",
                values("$1, $2, $3, $4", 5, 13, n)
            )
        };
        let full_values_sql = values_sql(per_statement);
        let json_sql = format!("{CHUNK_ROWS} {projection_head} {PROJECTION_SELECT}");
        let log_sql = EVENT_INSERT
            .replace("INTO events", "INTO bench_pathway_raw_log")
            .replace(" RETURNING id", "");
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
                        for (k, rows) in chunks.iter().enumerate() {
                            let sql: Cow<'_, str> = if rows.len() == per_statement {
                                Cow::Borrowed(&full_values_sql)
                            } else {
                                Cow::Owned(values_sql(rows.len()))
                            };
                            let mut q = sqlx::query(&sql)
                                .bind(org.0)
                                .bind(batch_id)
                                .bind(&at)
                                .bind(k as i64);
                            for (i, row) in rows.iter().enumerate() {
                                q = q.bind(i as i64);
                                for col in row {
                                    q = q.bind(*col);
                                }
                            }
                            q.execute(&mut *tx).await?;
                        }
                    }
                    PathwayRawInsert::Json | PathwayRawInsert::JsonWithLog => {
                        // Chunk by chunk, as an import sends them.
                        let with_log = method == PathwayRawInsert::JsonWithLog;
                        let mut next = chunk_at(batch_id, &chunks, 0)?;
                        for k in 0..chunks.len() {
                            let Some(this) = next.take() else { break };
                            let insert = async {
                                if with_log {
                                    sqlx::query(&log_sql)
                                        .bind("bench")
                                        .bind(k as i64)
                                        .bind(PATHWAY_EVENTS_KIND)
                                        .bind(&this.body)
                                        .bind(0i64)
                                        .bind(org.0)
                                        .bind(&at)
                                        .bind(this.effective)
                                        .execute(&mut *tx)
                                        .await?;
                                }
                                sqlx::query(&json_sql)
                                    .bind(this.rows)
                                    .bind(org.0)
                                    .bind(batch_id)
                                    .bind(&at)
                                    .bind(k as i64)
                                    .execute(&mut *tx)
                                    .await?;
                                Ok::<_, StoreError>(())
                            };
                            next = insert_and_prepare_next(insert, batch_id, &chunks, k).await?;
                        }
                    }
                }
                tx.commit().await?;
                Ok(())
            }
        )
    }
}

const RAW_PROJECTION_TYPES: &str = "org_id BIGINT, batch_id TEXT, recorded_at TEXT, event_id BIGINT, row_index BIGINT, \
     pathway_id TEXT, unit TEXT, hf TEXT, rhf TEXT, kommune TEXT, care_level TEXT, event TEXT, date TEXT, code TEXT, \
     outcome TEXT, deadline TEXT, pathway_variant TEXT, withdrawn BOOLEAN NOT NULL DEFAULT FALSE";
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
    /// As `Json`, each chunk after its event-log row (with its body): the same bytes as an
    /// import, without its keys, indexes, constraints and lookups.
    JsonWithLog,
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn values_number_placeholders_in_order_of_appearance() {
        assert_eq!(values("$1", 2, 2, 2), "($1, $2, $3), ($1, $4, $5)");
        assert_eq!(values("", 1, 3, 1), "($1, $2, $3)");
    }

    #[test]
    fn a_chunk_is_a_log_body_and_rows_keyed_by_position() {
        let a = [
            "a\"b",
            "",
            "c",
            "",
            "",
            "",
            "",
            "2025-03-02",
            "",
            "",
            "",
            "standard",
        ];
        let b = [
            "P2",
            "",
            "",
            "",
            "",
            "",
            "",
            "2025-01-09",
            "",
            "",
            "",
            "pregnant",
        ];
        let rows = [a, b];
        let c = chunk(Some("b1"), &rows).unwrap();
        let v: serde_json::Value = serde_json::from_str(&c.rows.0).unwrap();
        assert_eq!(v["0"][0], "a\"b");
        assert_eq!(v["1"][11], "pregnant");
        assert_eq!(v.as_object().unwrap().len(), 2);
        let body: serde_json::Value = serde_json::from_str(&c.body).unwrap();
        assert_eq!(body["batch"], "b1");
        assert_eq!(body["rows"][1][0], "P2");
        assert_eq!(c.effective, "2025-01-09", "the chunk's earliest date");
    }

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
            serde_json::from_str(&chunk(None, &rows).unwrap().body).unwrap();
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
