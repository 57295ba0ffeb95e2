//! Writing pathway events (an import, or a registration: an import of one row) and reading
//! the effective ones back.

use jiff::Timestamp;
use varde_core::org::{OrgId, UserId};
use varde_core::pathways::EventFields;

use super::chunks::{
    chunk_at, insert_and_prepare_next, Links, CHUNK_ROWS, PROJECTION_COLS, PROJECTION_SELECT,
};
use super::stamp::{unchanged_since, HEAD_BUMP};
use super::{
    pathway_from_row, pathway_stream, trimmed, Fields, PathwayStamp, StoredPathwayEvent,
    EVENT_INSERT, PATHWAY_COLS, PATHWAY_EVENTS_KIND, PATHWAY_INSERT_CHUNK,
};
use crate::audit::{append_access_tx, NewAccess};
use crate::batches::{claim_batch_tx, Batch, BatchTable, ImportOutcome};
use crate::db::{map_unique_changed, on_pool, Db};
use crate::{Store, StoreError};

/// One write of pathway events: what [`Store::append_pathway_write`] takes.
#[derive(Clone, Copy)]
pub struct PathwayWrite<'a> {
    pub org: OrgId,
    pub actor: UserId,
    /// The import batch (idempotency), if any.
    pub batch: Option<Batch<'a>>,
    pub events: &'a [EventFields],
    /// `(row in events, person id)`: the person a `referral_received` row names.
    pub persons: &'a [(usize, i64)],
    pub recorded_at: Timestamp,
    /// The access-log entry written in the same transaction.
    pub access: Option<&'a NewAccess>,
    /// The organisation's version the caller checked the rules against.
    pub expected: Option<PathwayStamp>,
}

/// A pathway's person, projected (a referral registered again names it anew).
const PERSON_LINK: &str = "INSERT INTO pathways_persons (org_id, pathway_id, person_id, event_id, recorded_at) \
     VALUES ($1, $2, $3, $4, $5) ON CONFLICT (org_id, pathway_id) DO UPDATE SET \
     person_id = excluded.person_id, event_id = excluded.event_id, recorded_at = excluded.recorded_at";

/// A parameter of a projection read.
#[derive(Clone, Copy)]
enum Param<'a> {
    Int(i64),
    Text(&'a str),
}

impl Store {
    /// Appends pathway events of one organisation in ONE transaction, in the order given: to
    /// the event log, one [`PATHWAY_EVENTS_KIND`] event per chunk of up to
    /// [`PATHWAY_INSERT_CHUNK`] rows in the stream `pathways:{org_id}` (actor and organisation
    /// set), and to the projection `pathways_events`.
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
    /// rules against): otherwise `Changed` and nothing is written, so a rule checked outside
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
        let write = PathwayWrite {
            org,
            actor,
            batch,
            events,
            persons: &[],
            recorded_at,
            access,
            expected,
        };
        self.append_pathway_write(write).await
    }

    /// As [`Store::append_pathway_events_expecting`], with the persons the write's
    /// `referral_received` rows name ([`PathwayWrite::persons`]): each link is logged in the
    /// body of its row's chunk and projected into `pathways_persons` (one person per pathway; a
    /// referral registered again after its withdrawal names the pathway's person anew), in the
    /// same transaction. The caller has checked that each person is of `org`'s register.
    pub async fn append_pathway_write(
        &self,
        w: PathwayWrite<'_>,
    ) -> Result<ImportOutcome, StoreError> {
        let PathwayWrite {
            org,
            actor,
            batch,
            events,
            persons,
            recorded_at,
            access,
            expected,
        } = w;
        let mut links: Vec<Links> = vec![Links::new(); events.len().div_ceil(PATHWAY_INSERT_CHUNK)];
        for &(row, person) in persons {
            if row >= events.len() {
                return Err(StoreError::Corrupt(format!(
                    "person link to row {row} of {}",
                    events.len()
                )));
            }
            if let Some(l) = links.get_mut(row / PATHWAY_INSERT_CHUNK) {
                l.insert(row % PATHWAY_INSERT_CHUNK, person);
            }
        }
        let at = recorded_at.to_string();
        let batch_id = batch.map(|b| b.id);
        let rows: Vec<Fields<'_>> = events.iter().map(trimmed).collect();
        let chunks: Vec<&[Fields<'_>]> = rows.chunks(PATHWAY_INSERT_CHUNK).collect();
        let count = i64::try_from(events.len()).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let log_events =
            i64::try_from(chunks.len()).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let stream = pathway_stream(org);
        let projection_sql = format!(
            "{CHUNK_ROWS} INSERT INTO pathways_events ({PROJECTION_COLS}) {PROJECTION_SELECT}"
        );
        on_pool!(
            self,
            write | pool | {
                let mut tx = pool.begin().await?;
                if let Some(batch) = batch {
                    let claimed =
                        claim_batch_tx!(tx, BatchTable::Pathways, org.0, batch, count, &at);
                    if let Some(already) = claimed {
                        return Ok(already);
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
                    let mut next = chunk_at(batch_id, &chunks, &links, 0)?;
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
                                    map_unique_changed(
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
                            for (&row, &person) in links.get(k).into_iter().flatten() {
                                let pathway_id = chunks
                                    .get(k)
                                    .and_then(|c| c.get(row))
                                    .map(|r| r[0])
                                    .unwrap_or_default();
                                sqlx::query(PERSON_LINK)
                                    .bind(org.0)
                                    .bind(pathway_id)
                                    .bind(person)
                                    .bind(event_id)
                                    .bind(&at)
                                    .execute(&mut *tx)
                                    .await?;
                            }
                            Ok::<_, StoreError>(())
                        };
                        next =
                            insert_and_prepare_next(insert, batch_id, &chunks, &links, k).await?;
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

    /// The organisations that hold a pathway with this id (an id names a pathway within its
    /// organisation; two may use the same). For deciding — and logging — an attempt to read
    /// another organisation's pathway; returns no pathway data.
    pub async fn pathway_holders(&self, pathway_id: &str) -> Result<Vec<OrgId>, StoreError> {
        on_pool!(
            self,
            read | pool
                | {
                    let rows: Vec<(i64,)> = sqlx::query_as(
                    "SELECT DISTINCT org_id FROM pathways_events WHERE pathway_id = $1 AND withdrawn = FALSE ORDER BY org_id",
                )
                .bind(pathway_id.trim_ascii())
                .fetch_all(pool)
                .await?;
                    Ok(rows.into_iter().map(|(o,)| OrgId(o)).collect())
                }
        )
    }

    /// The organisation that holds the pathway event (projection row) `id`, if any.
    pub async fn pathway_event_holder(&self, id: i64) -> Result<Option<OrgId>, StoreError> {
        on_pool!(
            self,
            read | pool | {
                let row: Option<(i64,)> =
                    sqlx::query_as("SELECT org_id FROM pathways_events WHERE id = $1")
                        .bind(id)
                        .fetch_optional(pool)
                        .await?;
                Ok(row.map(|(o,)| OrgId(o)))
            }
        )
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
}
