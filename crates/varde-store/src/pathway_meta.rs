//! Small questions about stored pathway events that the web layer asks before the heavy
//! ones: whether a batch was imported, and a version stamp for caching parsed events.

use varde_core::org::OrgId;

use crate::store::{on_pool, Db};
use crate::{Store, StoreError};

/// A version of an organisation's effective pathway events: the highest row id and the number
/// of effective rows. Rows are only ever added (raising the id) or withdrawn (lowering the
/// count, never restored), so any change to the effective set changes the stamp.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PathwayStamp {
    pub max_id: i64,
    pub effective: i64,
}

impl Store {
    /// The number of events recorded with the batch, when this organisation imported it.
    pub async fn pathway_batch(
        &self,
        org: OrgId,
        batch_id: &str,
    ) -> Result<Option<i64>, StoreError> {
        on_pool!(
            self,
            read | pool | {
                let n: Option<i64> = sqlx::query_scalar(
                    "SELECT events FROM pathway_batches WHERE org_id = $1 AND batch_id = $2",
                )
                .bind(org.0)
                .bind(batch_id)
                .fetch_optional(pool)
                .await?;
                Ok(n)
            }
        )
    }

    /// The stamp of one organisation's effective events, or of everyone's with `None`.
    pub async fn pathway_stamp(&self, org: Option<OrgId>) -> Result<PathwayStamp, StoreError> {
        on_pool!(
            self,
            read | pool | {
                let (max_id, effective): (Option<i64>, i64) = sqlx::query_as(
                    "SELECT MAX(id), COUNT(*) FROM pathway_events \
                     WHERE ($1 IS NULL OR org_id = $1) AND withdrawn = FALSE",
                )
                .bind(org.map(|o| o.0))
                .fetch_one(pool)
                .await?;
                Ok(PathwayStamp {
                    max_id: max_id.unwrap_or(0),
                    effective,
                })
            }
        )
    }
}
