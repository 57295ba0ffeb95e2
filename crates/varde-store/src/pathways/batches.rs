//! Import batches: a batch id names one file, imported once per organisation. Whether a batch
//! was imported is one of the small questions the web layer asks before the heavy ones.

use varde_core::org::OrgId;

use crate::db::{on_pool, Db};
use crate::{Store, StoreError};

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

/// Records a batch (`$1` the organisation, `$2` the batch id, `$3` its number of events, `$4`
/// the time, `$5` the digest), or nothing if the organisation has it already.
pub(super) const BATCH_INSERT: &str =
    "INSERT INTO pathways_batches (org_id, batch_id, events, recorded_at, digest) VALUES ($1, $2, $3, $4, $5) \
     ON CONFLICT (org_id, batch_id) DO NOTHING";
/// A recorded batch's number of events and digest (`$1` the organisation, `$2` the batch id).
pub(super) const BATCH_SELECT: &str =
    "SELECT events, digest FROM pathways_batches WHERE org_id = $1 AND batch_id = $2";

impl Store {
    /// The batch as this organisation imported it: the number of events recorded, and the
    /// digest of its content (none for batches recorded before digests were kept).
    pub async fn pathway_batch(
        &self,
        org: OrgId,
        batch_id: &str,
    ) -> Result<Option<StoredBatch>, StoreError> {
        on_pool!(
            self,
            read | pool | {
                let row: Option<(i64, Option<String>)> = sqlx::query_as(BATCH_SELECT)
                    .bind(org.0)
                    .bind(batch_id)
                    .fetch_optional(pool)
                    .await?;
                Ok(row.map(|(events, digest)| StoredBatch { events, digest }))
            }
        )
    }
}
