//! The pathways area's benchmark hook (cargo feature `testing` only): the engine's raw insert
//! rate for an import's rows, beside the private items an import uses.

use std::borrow::Cow;

use jiff::Timestamp;
use varde_core::org::OrgId;
use varde_core::pathways::EventFields;

use super::chunks::{
    chunk_at, insert_and_prepare_next, values, CHUNK_ROWS, PROJECTION_COLS, PROJECTION_SELECT,
};
use super::{trimmed, Fields, EVENT_INSERT, PATHWAY_EVENTS_KIND, PATHWAY_INSERT_CHUNK};
use crate::db::{on_pool, Db};
use crate::{Store, StoreError};

impl Store {
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
                        let mut next = chunk_at(batch_id, &chunks, &[], 0)?;
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
                            next =
                                insert_and_prepare_next(insert, batch_id, &chunks, &[], k).await?;
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
