//! Small questions about stored pathway events that the web layer asks before the heavy
//! ones: whether a batch was imported, and version stamps for caching parsed events.

use varde_core::org::OrgId;

use crate::store::{on_pool, Db};
use crate::{Store, StoreError};

/// A version of an organisation's effective pathway events (or everyone's): the last sequence
/// number of its `pathways:{org_id}` stream and the number of corrections in it (summed over
/// organisations for everyone's). Every write moves `seq` on, and only corrections withdraw a
/// row, so a reader holding the rows of an older stamp with the same `corrections` is missing
/// only added rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct PathwayStamp {
    pub seq: i64,
    pub corrections: i64,
}

/// A batch an organisation has imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredBatch {
    pub events: i64,
    pub digest: Option<String>,
}

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
            read | pool
                | {
                    let row: Option<(i64, Option<String>)> = sqlx::query_as(
                    "SELECT events, digest FROM pathway_batches WHERE org_id = $1 AND batch_id = $2",
                )
                .bind(org.0)
                .bind(batch_id)
                .fetch_optional(pool)
                .await?;
                    Ok(row.map(|(events, digest)| StoredBatch { events, digest }))
                }
        )
    }

    /// The stamp of one organisation's effective events, or of everyone's with `None`: one
    /// key lookup (or a read of one small row per organisation).
    pub async fn pathway_stamp(&self, org: Option<OrgId>) -> Result<PathwayStamp, StoreError> {
        on_pool!(
            self,
            read | pool
                | {
                    let (seq, corrections): (i64, i64) = sqlx::query_as(
                    "SELECT CAST(COALESCE(SUM(seq), 0) AS BIGINT), CAST(COALESCE(SUM(corrections), 0) AS BIGINT) \
                     FROM pathway_heads WHERE ($1 IS NULL OR org_id = $1)",
                )
                .bind(org.map(|o| o.0))
                .fetch_one(pool)
                .await?;
                    Ok(PathwayStamp { seq, corrections })
                }
        )
    }

    /// The stamp of every organisation that has written pathway events, by organisation id.
    pub async fn pathway_stamps(&self) -> Result<Vec<(OrgId, PathwayStamp)>, StoreError> {
        on_pool!(
            self,
            read | pool | {
                let rows: Vec<(i64, i64, i64)> = sqlx::query_as(
                    "SELECT org_id, seq, corrections FROM pathway_heads ORDER BY org_id",
                )
                .fetch_all(pool)
                .await?;
                Ok(rows
                    .into_iter()
                    .map(|(org, seq, corrections)| (OrgId(org), PathwayStamp { seq, corrections }))
                    .collect())
            }
        )
    }
}
