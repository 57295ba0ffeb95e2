//! Import batches, for every area that imports files: a batch id names one file, imported once
//! per organisation. The batch record keeps the number of events and the SHA-256 of the file,
//! so that the same file sent again is "already imported" and the same id with another file is
//! told apart. Each area keeps its batches in its own `{area}_batches` table (columns `org_id`,
//! `batch_id`, `events`, `recorded_at`, `digest`; key `(org_id, batch_id)`), named by a
//! [`BatchTable`]; the claim is made inside the transaction that writes the batch's events
//! ([`claim_batch_tx!`]), so a batch is recorded if and only if its events are.

use varde_core::org::OrgId;

use crate::db::{on_pool, Db};
use crate::{Store, StoreError};

/// An area's table of import batches. A new importing area adds a variant (and its table, in a
/// migration on both engines).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BatchTable {
    /// `pathways_batches`: imports of pathway events.
    Pathways,
    /// `monitoring_batches`: imports of a monitoring source's rows (the batch id is
    /// `{source}/{batch id}`, so that each source has its own ids).
    Monitoring,
    /// `results_batches`: imports of an indicator source's values (the batch id is
    /// `{source}/{batch id}`).
    Results,
}

impl BatchTable {
    /// Records a batch (`$1` the organisation, `$2` the batch id, `$3` its number of events,
    /// `$4` the time, `$5` the digest), or nothing if the organisation has it already.
    pub(crate) fn insert_sql(self) -> &'static str {
        match self {
            BatchTable::Pathways => {
                "INSERT INTO pathways_batches (org_id, batch_id, events, recorded_at, digest) \
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (org_id, batch_id) DO NOTHING"
            }
            BatchTable::Monitoring => {
                "INSERT INTO monitoring_batches (org_id, batch_id, events, recorded_at, digest) \
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (org_id, batch_id) DO NOTHING"
            }
            BatchTable::Results => {
                "INSERT INTO results_batches (org_id, batch_id, events, recorded_at, digest) \
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (org_id, batch_id) DO NOTHING"
            }
        }
    }

    /// A recorded batch's number of events and digest (`$1` the organisation, `$2` the id).
    pub(crate) fn select_sql(self) -> &'static str {
        match self {
            BatchTable::Pathways => {
                "SELECT events, digest FROM pathways_batches WHERE org_id = $1 AND batch_id = $2"
            }
            BatchTable::Monitoring => {
                "SELECT events, digest FROM monitoring_batches WHERE org_id = $1 AND batch_id = $2"
            }
            BatchTable::Results => {
                "SELECT events, digest FROM results_batches WHERE org_id = $1 AND batch_id = $2"
            }
        }
    }
}

/// An import batch: its id (unique per organisation) and a digest of its content, so that the
/// same id sent with other content can be told apart from the same file sent again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Batch<'a> {
    pub id: &'a str,
    pub digest: &'a str,
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

/// A batch an organisation has imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredBatch {
    pub events: i64,
    pub digest: Option<String>,
}

/// Claims `$batch` for organisation `$org` in table `$table` inside the open transaction `$tx`
/// (`$events` its number of events, `$at` the time as text). Evaluates to `None` when the
/// batch is new (the caller writes its events in the same transaction), or to
/// `Some(ImportOutcome::AlreadyImported { … })` when the organisation had it already (the
/// caller writes nothing). A concurrent import of the same batch waits on the key for the
/// first to end.
macro_rules! claim_batch_tx {
    ($tx:expr, $table:expr, $org:expr, $batch:expr, $events:expr, $at:expr) => {{
        let table: $crate::batches::BatchTable = $table;
        let batch: $crate::batches::Batch<'_> = $batch;
        let new = sqlx::query(table.insert_sql())
            .bind($org)
            .bind(batch.id)
            .bind($events)
            .bind($at)
            .bind(batch.digest)
            .execute(&mut *$tx)
            .await?
            .rows_affected();
        if new == 0 {
            let (then, digest): (i64, Option<String>) = sqlx::query_as(table.select_sql())
                .bind($org)
                .bind(batch.id)
                .fetch_one(&mut *$tx)
                .await?;
            Some($crate::batches::ImportOutcome::AlreadyImported {
                events: usize::try_from(then).unwrap_or_default(),
                same_content: digest.is_none_or(|d| d == batch.digest),
            })
        } else {
            None
        }
    }};
}
pub(crate) use claim_batch_tx;

impl Store {
    /// The batch as this organisation imported it into `table`: the number of events
    /// recorded, and the digest of its content (none for batches recorded before digests were
    /// kept).
    pub async fn batch(
        &self,
        table: BatchTable,
        org: OrgId,
        batch_id: &str,
    ) -> Result<Option<StoredBatch>, StoreError> {
        on_pool!(
            self,
            read | pool | {
                let row: Option<(i64, Option<String>)> = sqlx::query_as(table.select_sql())
                    .bind(org.0)
                    .bind(batch_id)
                    .fetch_optional(pool)
                    .await?;
                Ok(row.map(|(events, digest)| StoredBatch { events, digest }))
            }
        )
    }

    /// The batch as this organisation imported it as pathway events (see [`Store::batch`]).
    pub async fn pathway_batch(
        &self,
        org: OrgId,
        batch_id: &str,
    ) -> Result<Option<StoredBatch>, StoreError> {
        self.batch(BatchTable::Pathways, org, batch_id).await
    }
}
