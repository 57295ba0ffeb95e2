//! The hash-chained access log: every read and write of personal data, allowed or denied,
//! appends an entry (its id gapless under the row lock of `access_head`, its hash over its
//! fields and the previous entry's hash), and the chain can be verified end to end.

use jiff::Timestamp;
use sqlx::Row;
use varde_core::audit::{AccessEntry, ChainBroken, ChainVerifier, Outcome};

use crate::db::{on_pool, Db};
use crate::{Store, StoreError};

/// Appends one access-log entry inside an open transaction `$tx`, taking the next id and the
/// previous hash from `access_head` (whose row lock serialises writers on both engines).
macro_rules! append_access_tx {
    ($tx:expr, $e:expr) => {{
        let head = sqlx::query(
            "UPDATE access_head SET last_id = last_id + 1 WHERE id = 1 RETURNING last_id, last_hash",
        )
        .fetch_one(&mut *$tx)
        .await?;
        let new: &$crate::audit::NewAccess = $e;
        let entry = varde_core::audit::AccessEntry {
            id: sqlx::Row::try_get::<i64, _>(&head, 0)?,
            at: new.at.to_string(),
            actor: new.actor.clone(),
            actor_id: new.actor_id,
            org_id: new.org_id,
            owner_org_id: new.owner_org_id,
            action: new.action.clone(),
            subject: new.subject.clone(),
            record: new.record.clone(),
            purpose: new.purpose.clone(),
            outcome: new.outcome.as_str().to_owned(),
            flagged: new.flagged,
            prev_hash: sqlx::Row::try_get::<String, _>(&head, 1)?,
        };
        let hash = entry.hash();
        sqlx::query(
            "INSERT INTO access_log (id, at, actor, actor_id, org_id, action, subject, record, purpose, outcome, flagged, prev_hash, hash, owner_org_id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
        )
        .bind(entry.id)
        .bind(&entry.at)
        .bind(&entry.actor)
        .bind(entry.actor_id)
        .bind(entry.org_id)
        .bind(&entry.action)
        .bind(&entry.subject)
        .bind(&entry.record)
        .bind(&entry.purpose)
        .bind(entry.outcome.as_str())
        .bind(entry.flagged)
        .bind(&entry.prev_hash)
        .bind(&hash)
        .bind(entry.owner_org_id)
        .execute(&mut *$tx)
        .await?;
        sqlx::query("UPDATE access_head SET last_hash = $1 WHERE id = 1")
            .bind(&hash)
            .execute(&mut *$tx)
            .await?;
        entry.id
    }};
}

// For the other storage modules of this crate (e.g. `pathways`).
pub(crate) use append_access_tx;

/// An access-log entry to append (id and hashes are assigned by the store).
#[derive(Debug, Clone)]
pub struct NewAccess {
    pub at: Timestamp,
    pub actor: String,
    pub actor_id: i64,
    pub org_id: i64,
    /// The organisation holding the record (its auditor sees the entry).
    pub owner_org_id: i64,
    pub action: String,
    pub subject: String,
    pub record: String,
    pub purpose: String,
    pub outcome: Outcome,
    pub flagged: bool,
}

/// Filter for reading the access log.
#[derive(Debug, Clone, Default)]
pub struct AccessFilter {
    pub org_id: Option<i64>,
    pub subject: Option<String>,
    pub flagged_only: bool,
    pub limit: i64,
}

impl Store {
    /// Appends one access-log entry on its own (used for denials and non-person accesses).
    pub async fn log_access(&self, access: &NewAccess) -> Result<i64, StoreError> {
        on_pool!(
            self,
            write | pool | {
                let mut tx = pool.begin().await?;
                let id = append_access_tx!(tx, access);
                tx.commit().await?;
                Ok(id)
            }
        )
    }

    /// Entries matching the filter, newest first.
    pub async fn access_log(&self, filter: &AccessFilter) -> Result<Vec<AccessEntry>, StoreError> {
        let limit = if filter.limit <= 0 { 500 } else { filter.limit };
        on_pool!(
            self,
            read | pool
                | {
                    let rows = sqlx::query(&format!(
                "{ACCESS_COLS} WHERE ($1 IS NULL OR org_id = $1 OR owner_org_id = $1) AND ($2 IS NULL OR subject = $2) AND ($3 = FALSE OR flagged = TRUE) \
                 ORDER BY id DESC LIMIT $4"
            ))
            .bind(filter.org_id)
            .bind(&filter.subject)
            .bind(filter.flagged_only)
            .bind(limit)
            .fetch_all(pool)
            .await?;
                    rows.iter()
                        .map(|r| access_from_row(r).map(|(e, _)| e))
                        .collect()
                }
        )
    }

    /// Verifies the whole access-log chain, streaming it in pages. Returns the number of
    /// entries, or the first broken one.
    pub async fn verify_access_log(&self) -> Result<Result<u64, ChainBroken>, StoreError> {
        let mut verifier = ChainVerifier::default();
        let mut after = 0i64;
        loop {
            let page: Vec<(AccessEntry, String)> = on_pool!(
                self,
                read | pool | {
                    let rows = sqlx::query(&format!(
                        "{ACCESS_COLS} WHERE id > $1 ORDER BY id LIMIT 5000"
                    ))
                    .bind(after)
                    .fetch_all(pool)
                    .await?;
                    rows.iter()
                        .map(access_from_row)
                        .collect::<Result<Vec<_>, _>>()?
                }
            );
            let Some((last, _)) = page.last() else { break };
            after = last.id;
            for (entry, hash) in &page {
                if let Err(broken) = verifier.check(entry, hash) {
                    return Ok(Err(broken));
                }
            }
        }
        // The head must agree with the last entry, or entries were cut off the end.
        let (last_id, last_hash): (i64, String) = on_pool!(
            self,
            read | pool | {
                let r = sqlx::query("SELECT last_id, last_hash FROM access_head WHERE id = 1")
                    .fetch_one(pool)
                    .await?;
                (r.try_get(0)?, r.try_get(1)?)
            }
        );
        let n = verifier.count();
        if last_id != n as i64 || last_hash != verifier.last_hash() {
            return Ok(Err(ChainBroken {
                id: n as i64 + 1,
                why: "entries after this point were removed (the log head does not match)",
            }));
        }
        Ok(Ok(n))
    }
}

const ACCESS_COLS: &str = "SELECT id, at, actor, actor_id, org_id, action, subject, record, purpose, outcome, flagged, prev_hash, hash, owner_org_id FROM access_log";

fn access_from_row<R: Row>(r: &R) -> Result<(AccessEntry, String), StoreError>
where
    usize: sqlx::ColumnIndex<R>,
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> bool: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    Ok((
        AccessEntry {
            id: r.try_get(0)?,
            at: r.try_get(1)?,
            actor: r.try_get(2)?,
            actor_id: r.try_get(3)?,
            org_id: r.try_get(4)?,
            action: r.try_get(5)?,
            subject: r.try_get(6)?,
            record: r.try_get(7)?,
            purpose: r.try_get(8)?,
            outcome: r.try_get(9)?,
            flagged: r.try_get(10)?,
            prev_hash: r.try_get(11)?,
            owner_org_id: r.try_get(13)?,
        },
        r.try_get(12)?,
    ))
}
