//! Test and benchmark hooks, compiled only with the cargo feature `testing` (which tests,
//! examples and other crates' tests enable; a normal build has none of this): a tamperer's
//! rewrite of the access log, administrative statements, migrations up to a version, and the
//! engine's raw insert rate for the append benchmark. The pathways area's benchmark hook is
//! `pathways::hooks`, beside the private items it uses.

use crate::db::{on_pool, Db, POSTGRES_MIGRATIONS, SQLITE_MIGRATIONS};
use crate::{NewEvent, Store, StoreError};

impl Store {
    /// Applies the engine's migrations up to and including `version` only (for tests of a
    /// migration over data written by the schema before it).
    #[doc(hidden)]
    pub async fn migrate_to(&self, version: i64) -> Result<(), StoreError> {
        let upto = |m: &sqlx::migrate::Migrator| sqlx::migrate::Migrator {
            migrations: m
                .migrations
                .iter()
                .filter(|x| x.version <= version)
                .cloned()
                .collect::<Vec<_>>()
                .into(),
            ..sqlx::migrate::Migrator::DEFAULT
        };
        match &self.db {
            Db::Sqlite { write, .. } => upto(&SQLITE_MIGRATIONS).run(write).await?,
            Db::Postgres(pool) => upto(&POSTGRES_MIGRATIONS).run(pool).await?,
        }
        Ok(())
    }

    /// The ceiling for append benchmarks: plain inserts into a scratch table of the same
    /// shape, in one transaction, with no sequence check.
    pub async fn raw_insert_benchmark(&self, rows: &[NewEvent]) -> Result<(), StoreError> {
        on_pool!(
            self,
            write
                | pool
                | {
                    sqlx::query("CREATE TABLE IF NOT EXISTS bench_raw (stream TEXT, seq BIGINT, kind TEXT, body TEXT, actor_id BIGINT, org_id BIGINT, recorded_at TEXT, effective_date TEXT)")
                .execute(pool)
                .await?;
                    let mut tx = pool.begin().await?;
                    for (i, ev) in rows.iter().enumerate() {
                        sqlx::query(
                    "INSERT INTO bench_raw (stream, seq, kind, body, actor_id, org_id, recorded_at, effective_date) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                )
                .bind(&ev.stream)
                .bind(i as i64)
                .bind(&ev.kind)
                .bind(&ev.body)
                .bind(ev.actor_id)
                .bind(ev.org_id)
                .bind(ev.recorded_at.to_string())
                .bind(&ev.effective_date)
                .execute(&mut *tx)
                .await?;
                    }
                    tx.commit().await?;
                    Ok(())
                }
        )
    }

    /// Test and demonstration helper: rewrites one field of one access-log entry, as an
    /// attacker with database access could. Used by the tamper tests.
    pub async fn tamper_access_entry(&self, id: i64, new_actor: &str) -> Result<(), StoreError> {
        on_pool!(
            self,
            write | pool | {
                sqlx::query("UPDATE access_log SET actor = $1 WHERE id = $2")
                    .bind(new_actor)
                    .bind(id)
                    .execute(pool)
                    .await?;
                Ok(())
            }
        )
    }

    /// Runs one administrative statement (used by test support to create databases).
    #[doc(hidden)]
    pub async fn exec_admin(&self, sql: &str) -> Result<(), StoreError> {
        on_pool!(
            self,
            write | pool | {
                sqlx::query(sql).execute(pool).await?;
                Ok(())
            }
        )
    }
}
