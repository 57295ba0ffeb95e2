//! The head of an organisation's pathway stream, `pathways_heads`: every write bumps it
//! first (so writers of an organisation take turns), and it is the version stamp by which the
//! web layer caches parsed events and checks that the events it checked a write against are
//! still current.

use varde_core::org::OrgId;

use crate::db::{on_pool, Db};
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

/// Moves an organisation's head on by `$2` log events (`$3` of them corrections), creating it
/// at the first write; returns the new last sequence number and number of corrections.
pub(super) const HEAD_BUMP: &str =
    "INSERT INTO pathways_heads (org_id, seq, corrections) VALUES ($1, $2, $3) \
     ON CONFLICT (org_id) DO UPDATE SET seq = pathways_heads.seq + excluded.seq, \
     corrections = pathways_heads.corrections + excluded.corrections RETURNING seq, corrections";

/// The message of the `Changed` error of a write whose expected version is no longer current:
/// check again.
pub const PATHWAYS_CHANGED: &str = "the organisation's pathways changed while this was checked";

/// Whether the head before a bump of `seqs` log events and `corrections` corrections (`after`
/// is what the bump returned) was `expected`: a writer that checked the rules against the
/// events of version `expected` may write only if no one wrote since.
pub(super) fn unchanged_since(
    expected: Option<PathwayStamp>,
    after: (i64, i64),
    seqs: i64,
    corrections: i64,
) -> Result<(), StoreError> {
    match expected {
        Some(e) if (after.0 - seqs, after.1 - corrections) != (e.seq, e.corrections) => {
            Err(StoreError::Changed(PATHWAYS_CHANGED))
        }
        _ => Ok(()),
    }
}

impl Store {
    /// The stamp of one organisation's effective events, or of everyone's with `None`: one
    /// key lookup (or a read of one small row per organisation).
    pub async fn pathway_stamp(&self, org: Option<OrgId>) -> Result<PathwayStamp, StoreError> {
        on_pool!(
            self,
            read | pool
                | {
                    let (seq, corrections): (i64, i64) = sqlx::query_as(
                    "SELECT CAST(COALESCE(SUM(seq), 0) AS BIGINT), CAST(COALESCE(SUM(corrections), 0) AS BIGINT) \
                     FROM pathways_heads WHERE ($1 IS NULL OR org_id = $1)",
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
                    "SELECT org_id, seq, corrections FROM pathways_heads ORDER BY org_id",
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
