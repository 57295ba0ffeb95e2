//! Storage of the monitoring sources, on both engines: an import's rows
//! (`monitoring_records`, with their provenance: source, organisation, batch, line, who
//! imported them and when they were received), the substances they name
//! (`monitoring_findings`), the batch claim (`monitoring_batches`, idempotent per
//! organisation and `{source}/{batch id}`), the signals the rows raise and the access entry —
//! in one transaction ([`Store::monitoring_import`]). Rows travel as multi-row `INSERT …
//! VALUES` statements in chunks (the shared parameters written once per statement); each
//! record's id comes back with its line (`RETURNING id, line`), so its findings need no lookup.

use std::collections::{BTreeSet, HashMap};

use jiff::civil::Date;
use jiff::Timestamp;
use sqlx::Row;
use varde_core::monitoring::purity;
use varde_core::monitoring::signals::Watchlist;
use varde_core::monitoring::sources::{watchlist_signals, Record, Source};
use varde_core::org::OrgId;

use super::insert_signals_tx;
use crate::audit::{append_access_tx, NewAccess};
use crate::batches::{claim_batch_tx, Batch, BatchTable, ImportOutcome};
use crate::db::{on_pool, values, Db, Engine, Indexed, JsonParam};

use crate::{Store, StoreError};

/// The batch key of a source's batch: `{source}/{batch id}`.
pub fn monitoring_batch_key(source: Source, batch_id: &str) -> String {
    format!("{}/{batch_id}", source.as_str())
}

/// An import to write.
#[derive(Debug, Clone, Copy)]
pub struct MonitoringImport<'a> {
    pub source: Source,
    pub org: OrgId,
    /// The importing user.
    pub actor: i64,
    /// The batch: its id is the key `{source}/{batch id}` ([`monitoring_batch_key`]).
    pub batch: Batch<'a>,
    pub records: &'a [Record],
    pub watchlist: &'a Watchlist,
    /// The day the purity rule's 12 months end.
    pub today: Date,
    pub at: Timestamp,
    pub access: &'a NewAccess,
}

/// What an import wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonitoringImported {
    pub outcome: ImportOutcome,
    /// The ids of the signals it raised.
    pub signals: Vec<i64>,
}

/// A source's figures: its rows, latest day and latest batch.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceSummary {
    pub source: String,
    pub rows: i64,
    pub latest_day: Option<String>,
    /// The key `{source}/{batch id}` of the latest row's batch.
    pub latest_batch: Option<String>,
}

/// An imported row, with its provenance.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceRow {
    pub id: i64,
    pub batch_id: String,
    pub line: i64,
    pub imported_by: String,
    pub received_at: String,
    pub day: Option<String>,
    pub municipality: Option<String>,
    pub county: Option<String>,
    pub value: Option<f64>,
    pub body: String,
}

/// A recorded import batch.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceBatch {
    /// `{source}/{batch id}`.
    pub batch_id: String,
    pub rows: i64,
    pub imported_by: Option<String>,
    pub recorded_at: String,
}

/// A source's rows and latest day, as read.
type SourceCount = (String, i64, Option<String>);

/// How an import's rows travel, chosen per engine by measurement (`docs/benchmarks.md`,
/// `monitoring_import_bench`): on SQLite as ONE JSON parameter per 2,000 rows expanded by
/// `json_each` (as the pathway import's chunks: SQLite finds a bound parameter by a linear
/// search, so a statement of k parameters costs O(k²)); on PostgreSQL as multi-row `VALUES`
/// with a parameter per column (there reading the JSON back costs more than binding: 1.5 s
/// against 1.0–1.3 s for the same 100,000 rows into plain tables). Both forms write the same
/// rows; each engine's tests run its form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum InsertForm {
    Json,
    Values,
}

impl InsertForm {
    fn of(engine: Engine) -> InsertForm {
        match engine {
            Engine::Sqlite => InsertForm::Json,
            Engine::Postgres => InsertForm::Values,
        }
    }

    /// Rows per statement, for rows of `per_row` parameters.
    fn rows(self, per_row: usize) -> usize {
        match self {
            InsertForm::Json => 2000,
            // PostgreSQL takes up to 65,535 parameters a statement.
            InsertForm::Values => 8000 / per_row,
        }
    }
}

const RECORD_COLS: &str = "monitoring_records (source, org_id, batch_id, imported_by, received_at, line, day, week, municipality, county, value, body)";
const FINDING_COLS: &str = "monitoring_findings (source, record_id, substance, class, day, week, municipality, county, purity_percent)";

/// A record's columns as the import sends them: line, day, week, municipality, county, value,
/// body.
type RecordRow<'a> = (
    i64,
    Option<String>,
    Option<i32>,
    Option<&'a str>,
    Option<&'a str>,
    Option<f64>,
    &'a str,
);

/// A finding's columns as the import sends them: record id, substance, class, day, week,
/// municipality, county, purity.
type FindingRow<'a> = (
    i64,
    &'a str,
    &'a str,
    Option<String>,
    Option<i32>,
    Option<&'a str>,
    Option<&'a str>,
    Option<f64>,
);

fn line_of(r: &Record) -> i64 {
    i64::try_from(r.line).unwrap_or(i64::MAX)
}

fn json_text<T: serde::Serialize>(v: &T) -> Result<String, StoreError> {
    serde_json::to_string(v).map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// The one parameter of a records statement.
fn record_rows(chunk: &[Record]) -> Result<JsonParam, StoreError> {
    let rows: Vec<RecordRow<'_>> = chunk
        .iter()
        .map(|r| {
            (
                line_of(r),
                r.day.map(|d| d.to_string()),
                r.week,
                r.municipality.as_deref(),
                r.county.as_deref(),
                r.value,
                r.body.as_str(),
            )
        })
        .collect();
    Ok(JsonParam(json_text(&Indexed(&rows))?))
}

/// `$1` the rows ([`RecordRow`]); `$2`–`$6` source, organisation, batch, importer, time.
const RECORD_INSERT: &str = concat!(
    "WITH r AS MATERIALIZED (SELECT CAST(key AS BIGINT) AS i, jsonb(value) AS v FROM json_each($1)) ",
    "INSERT INTO monitoring_records (source, org_id, batch_id, imported_by, received_at, line, day, week, municipality, county, value, body) ",
    "SELECT $2, $3, $4, $5, $6, CAST(v ->> 0 AS BIGINT), v ->> 1, CAST(v ->> 2 AS INTEGER), v ->> 3, v ->> 4, ",
    "CAST(v ->> 5 AS DOUBLE PRECISION), v ->> 6 FROM r ORDER BY i RETURNING id, line"
);
/// `$1` the rows ([`FindingRow`]); `$2` the source.
const FINDING_INSERT: &str = concat!(
    "WITH r AS MATERIALIZED (SELECT CAST(key AS BIGINT) AS i, jsonb(value) AS v FROM json_each($1)) ",
    "INSERT INTO monitoring_findings (source, record_id, substance, class, day, week, municipality, county, purity_percent) ",
    "SELECT $2, CAST(v ->> 0 AS BIGINT), v ->> 1, v ->> 2, v ->> 3, CAST(v ->> 4 AS INTEGER), v ->> 5, v ->> 6, ",
    "CAST(v ->> 7 AS DOUBLE PRECISION) FROM r ORDER BY i"
);

/// The purities of `$substance` found since `$since` (seizures and drug checking), read in
/// the open transaction `$tx`.
macro_rules! purity_history_tx {
    ($tx:expr, $substance:expr, $since:expr) => {{
        let v: Vec<Option<f64>> = sqlx::query_scalar(
            "SELECT purity_percent FROM monitoring_findings WHERE source = 'seizures' AND substance = $1 AND purity_percent IS NOT NULL AND day >= $2 \
             UNION ALL SELECT f.purity_percent FROM drugcheck_findings f JOIN drugcheck_results r ON r.sample_id = f.sample_id \
             WHERE f.substance = $1 AND f.purity_percent IS NOT NULL AND r.analysed_on >= $2",
        )
        .bind($substance)
        .bind($since)
        .fetch_all(&mut *$tx)
        .await?;
        v.into_iter().flatten().collect::<Vec<f64>>()
    }};
}
pub(crate) use purity_history_tx;

impl Store {
    /// Writes an import: the batch claim, every record with its findings, the signals they
    /// raise (watchlist; purity for seizures) and the access entry, in one transaction. A
    /// batch the organisation has imported before writes nothing
    /// (`ImportOutcome::AlreadyImported`, with whether its digest is the same).
    pub async fn monitoring_import(
        &self,
        w: MonitoringImport<'_>,
    ) -> Result<MonitoringImported, StoreError> {
        let engine = self.engine();
        let form = InsertForm::of(engine);
        let at = w.at.to_string();
        let source = w.source.as_str();
        let since = purity::window_start(w.today).to_string();
        let count = i64::try_from(w.records.len()).unwrap_or(i64::MAX);
        let mut signals = watchlist_signals(w.source, w.records, w.watchlist);
        on_pool!(
            self,
            write
                | pool
                | {
                    let mut tx = pool.begin().await?;
                    if let Some(then) =
                        claim_batch_tx!(tx, BatchTable::Monitoring, w.org.0, w.batch, count, &at)
                    {
                        tx.rollback().await?;
                        return Ok(MonitoringImported {
                            outcome: then,
                            signals: Vec::new(),
                        });
                    }
                    let weeks = w.records.iter().filter_map(|r| r.week);
                    sqlx::query(
                    "UPDATE monitoring_batches SET imported_by = $1, first_week = $2, last_week = $3 \
                     WHERE org_id = $4 AND batch_id = $5",
                )
                .bind(w.actor)
                .bind(weeks.clone().min())
                .bind(weeks.max())
                .bind(w.org.0)
                .bind(w.batch.id)
                .execute(&mut *tx)
                .await?;
                    // The purity rule reads the recent range before the batch is written.
                    if w.source == Source::Seizures {
                        let named: BTreeSet<&str> = w
                            .records
                            .iter()
                            .flat_map(|r| &r.findings)
                            .filter(|f| f.purity_percent.is_some())
                            .map(|f| f.substance.as_str())
                            .collect();
                        let mut history: HashMap<&str, Vec<f64>> = HashMap::new();
                        for s in named {
                            history.insert(s, purity_history_tx!(tx, s, &since));
                        }
                        let found: Vec<purity::Found<'_>> = w
                            .records
                            .iter()
                            .filter_map(|r| r.day.map(|d| (r, d)))
                            .flat_map(|(r, day)| {
                                r.findings.iter().filter_map(move |f| {
                                    f.purity_percent.map(|p| purity::Found {
                                        substance: &f.substance,
                                        area: r.area(),
                                        day,
                                        purity: p,
                                    })
                                })
                            })
                            .collect();
                        signals.extend(purity::signals(source, &found, &|s| {
                            history.get(s).cloned().unwrap_or_default()
                        }));
                    }
                    let mut ids: HashMap<i64, i64> = HashMap::with_capacity(w.records.len());
                    for chunk in w.records.chunks(form.rows(7)) {
                        let inserted = match form {
                            InsertForm::Json => {
                                sqlx::query(RECORD_INSERT)
                                    .bind(record_rows(chunk)?)
                                    .bind(source)
                                    .bind(w.org.0)
                                    .bind(w.batch.id)
                                    .bind(w.actor)
                                    .bind(&at)
                                    .fetch_all(&mut *tx)
                                    .await?
                            }
                            InsertForm::Values => {
                                let sql = format!(
                                    "INSERT INTO {RECORD_COLS} VALUES {} RETURNING id, line",
                                    values("$1, $2, $3, $4, $5", 6, 7, chunk.len())
                                );
                                let mut q = sqlx::query(&sql)
                                    .bind(source)
                                    .bind(w.org.0)
                                    .bind(w.batch.id)
                                    .bind(w.actor)
                                    .bind(&at);
                                for r in chunk {
                                    q = q
                                        .bind(line_of(r))
                                        .bind(r.day.map(|d| d.to_string()))
                                        .bind(r.week)
                                        .bind(&r.municipality)
                                        .bind(&r.county)
                                        .bind(r.value)
                                        .bind(&r.body);
                                }
                                q.fetch_all(&mut *tx).await?
                            }
                        };
                        for row in inserted {
                            let id: i64 = row.try_get(0)?;
                            let line: i64 = row.try_get(1)?;
                            ids.insert(line, id);
                        }
                    }
                    let findings: Vec<FindingRow<'_>> = w
                        .records
                        .iter()
                        .flat_map(|r| {
                            let id = ids.get(&line_of(r)).copied().unwrap_or_default();
                            r.findings.iter().map(move |f| {
                                (
                                    id,
                                    f.substance.as_str(),
                                    f.class.as_str(),
                                    r.day.map(|d| d.to_string()),
                                    r.week,
                                    r.municipality.as_deref(),
                                    r.county.as_deref(),
                                    f.purity_percent,
                                )
                            })
                        })
                        .collect();
                    for chunk in findings.chunks(form.rows(8)) {
                        match form {
                            InsertForm::Json => {
                                sqlx::query(FINDING_INSERT)
                                    .bind(JsonParam(json_text(&Indexed(chunk))?))
                                    .bind(source)
                                    .execute(&mut *tx)
                                    .await?
                            }
                            InsertForm::Values => {
                                let sql = format!(
                                    "INSERT INTO {FINDING_COLS} VALUES {}",
                                    values("$1", 2, 8, chunk.len())
                                );
                                let mut q = sqlx::query(&sql).bind(source);
                                for f in chunk {
                                    q = q
                                        .bind(f.0)
                                        .bind(f.1)
                                        .bind(f.2)
                                        .bind(&f.3)
                                        .bind(f.4)
                                        .bind(f.5)
                                        .bind(f.6)
                                        .bind(f.7);
                                }
                                q.execute(&mut *tx).await?
                            }
                        };
                    }
                    let raised = insert_signals_tx!(tx, engine, &signals, w.at);
                    append_access_tx!(tx, w.access);
                    tx.commit().await?;
                    Ok(MonitoringImported {
                        outcome: ImportOutcome::Imported {
                            events: w.records.len(),
                        },
                        signals: raised,
                    })
                }
        )
    }

    /// Per source with rows: their number, the latest day and the latest row's batch.
    pub async fn monitoring_sources(&self) -> Result<Vec<SourceSummary>, StoreError> {
        let (counts, latest): (Vec<SourceCount>, Vec<(String, String)>) = on_pool!(
            self,
            read | pool
                | {
                    let counts = sqlx::query_as(
                    "SELECT source, COUNT(*), MAX(day) FROM monitoring_records GROUP BY source ORDER BY source",
                )
                .fetch_all(pool)
                .await?;
                    let latest = sqlx::query_as(
                    "SELECT source, batch_id FROM monitoring_records WHERE id IN (SELECT MAX(id) FROM monitoring_records GROUP BY source)",
                )
                .fetch_all(pool)
                .await?;
                    (counts, latest)
                }
        );
        let latest: HashMap<String, String> = latest.into_iter().collect();
        Ok(counts
            .into_iter()
            .map(|(source, rows, latest_day)| SourceSummary {
                latest_batch: latest.get(&source).cloned(),
                source,
                rows,
                latest_day,
            })
            .collect())
    }

    /// The latest `limit` rows of `source`, newest first, with who imported them.
    pub async fn monitoring_rows(
        &self,
        source: Source,
        limit: i64,
    ) -> Result<Vec<SourceRow>, StoreError> {
        on_pool!(
            self,
            read | pool
                | {
                    let rows = sqlx::query(
                    "SELECT r.id, r.batch_id, r.line, COALESCE(u.username, ''), r.received_at, r.day, r.municipality, r.county, r.value, r.body \
                     FROM monitoring_records r LEFT JOIN users u ON u.id = r.imported_by \
                     WHERE r.source = $1 ORDER BY r.id DESC LIMIT $2",
                )
                .bind(source.as_str())
                .bind(limit)
                .fetch_all(pool)
                .await?;
                    rows.iter()
                        .map(|r| {
                            Ok(SourceRow {
                                id: r.try_get(0)?,
                                batch_id: r.try_get(1)?,
                                line: r.try_get(2)?,
                                imported_by: r.try_get(3)?,
                                received_at: r.try_get(4)?,
                                day: r.try_get(5)?,
                                municipality: r.try_get(6)?,
                                county: r.try_get(7)?,
                                value: r.try_get(8)?,
                                body: r.try_get(9)?,
                            })
                        })
                        .collect()
                }
        )
    }

    /// The latest `limit` import batches of every source, newest first, with who imported
    /// them: every organisation's, or only organisation `org`'s.
    pub async fn monitoring_batches(
        &self,
        org: Option<OrgId>,
        limit: i64,
    ) -> Result<Vec<SourceBatch>, StoreError> {
        let rows: Vec<(String, i64, Option<String>, String)> = on_pool!(
            self,
            read | pool | {
                sqlx::query_as(
                    "SELECT b.batch_id, b.events, u.username, b.recorded_at \
                         FROM monitoring_batches b LEFT JOIN users u ON u.id = b.imported_by \
                         WHERE (CAST($1 AS BIGINT) IS NULL OR b.org_id = $1) \
                         ORDER BY b.recorded_at DESC, b.batch_id LIMIT $2",
                )
                .bind(org.map(|o| o.0))
                .bind(limit)
                .fetch_all(pool)
                .await?
            }
        );
        Ok(rows
            .into_iter()
            .map(|(batch_id, rows, imported_by, recorded_at)| SourceBatch {
                batch_id,
                rows,
                imported_by,
                recorded_at,
            })
            .collect())
    }

    /// The engine's raw insert rate for the import benchmark: the records' columns into a
    /// plain table (no key, index or constraint); with `findings`, each record's findings too,
    /// into a second plain table (the rows the import writes, without their keys, indexes,
    /// constraints and lookups). `json`: by the import's statements (one JSON parameter per
    /// 2,000 rows); otherwise by multi-row `INSERT … VALUES` with a parameter per column.
    #[cfg(feature = "testing")]
    #[doc(hidden)]
    pub async fn raw_insert_monitoring_rows_benchmark(
        &self,
        source: Source,
        records: &[Record],
        findings: bool,
        json: bool,
    ) -> Result<(), StoreError> {
        let records_cols = RECORD_COLS.replace("monitoring_records", "bench_monitoring_raw");
        let findings_cols =
            FINDING_COLS.replace("monitoring_findings", "bench_monitoring_findings_raw");
        let per = |n: usize| match self.engine() {
            Engine::Sqlite => 24,
            Engine::Postgres => 8000 / n,
        };
        let all: Vec<FindingRow<'_>> = records
            .iter()
            .flat_map(|r| {
                r.findings.iter().map(move |f| {
                    (
                        line_of(r),
                        f.substance.as_str(),
                        f.class.as_str(),
                        r.day.map(|d| d.to_string()),
                        r.week,
                        r.municipality.as_deref(),
                        r.county.as_deref(),
                        f.purity_percent,
                    )
                })
            })
            .collect();
        on_pool!(
            self,
            write
                | pool
                | {
                    sqlx::query("CREATE TABLE IF NOT EXISTS bench_monitoring_raw (source TEXT, org_id BIGINT, batch_id TEXT, imported_by BIGINT, received_at TEXT, line BIGINT, day TEXT, week INTEGER, municipality TEXT, county TEXT, value DOUBLE PRECISION, body TEXT)")
                    .execute(pool)
                    .await?;
                    sqlx::query("CREATE TABLE IF NOT EXISTS bench_monitoring_findings_raw (source TEXT, record_id BIGINT, substance TEXT, class TEXT, day TEXT, week INTEGER, municipality TEXT, county TEXT, purity_percent DOUBLE PRECISION)")
                    .execute(pool)
                    .await?;
                    let mut tx = pool.begin().await?;
                    if json {
                        let records_sql = RECORD_INSERT
                            .replace(RECORD_COLS, &records_cols)
                            .replace(" RETURNING id, line", "");
                        for chunk in records.chunks(InsertForm::Json.rows(7)) {
                            sqlx::query(&records_sql)
                                .bind(record_rows(chunk)?)
                                .bind(source.as_str())
                                .bind(1i64)
                                .bind("raw")
                                .bind(1i64)
                                .bind("now")
                                .execute(&mut *tx)
                                .await?;
                        }
                        if findings {
                            let findings_sql = FINDING_INSERT.replace(FINDING_COLS, &findings_cols);
                            for chunk in all.chunks(InsertForm::Json.rows(8)) {
                                sqlx::query(&findings_sql)
                                    .bind(JsonParam(json_text(&Indexed(chunk))?))
                                    .bind(source.as_str())
                                    .execute(&mut *tx)
                                    .await?;
                            }
                        }
                    } else {
                        for chunk in records.chunks(per(7)) {
                            let sql = format!(
                                "INSERT INTO {records_cols} VALUES {}",
                                values("$1, $2, $3, $4, $5", 6, 7, chunk.len())
                            );
                            let mut q = sqlx::query(&sql)
                                .bind(source.as_str())
                                .bind(1i64)
                                .bind("raw")
                                .bind(1i64)
                                .bind("now");
                            for r in chunk {
                                q = q
                                    .bind(line_of(r))
                                    .bind(r.day.map(|d| d.to_string()))
                                    .bind(r.week)
                                    .bind(&r.municipality)
                                    .bind(&r.county)
                                    .bind(r.value)
                                    .bind(&r.body);
                            }
                            q.execute(&mut *tx).await?;
                        }
                        if findings {
                            for chunk in all.chunks(per(8)) {
                                let sql = format!(
                                    "INSERT INTO {findings_cols} VALUES {}",
                                    values("$1", 2, 8, chunk.len())
                                );
                                let mut q = sqlx::query(&sql).bind(source.as_str());
                                for f in chunk {
                                    q = q
                                        .bind(f.0)
                                        .bind(f.1)
                                        .bind(f.2)
                                        .bind(&f.3)
                                        .bind(f.4)
                                        .bind(f.5)
                                        .bind(f.6)
                                        .bind(f.7);
                                }
                                q.execute(&mut *tx).await?;
                            }
                        }
                    }
                    tx.commit().await?;
                    Ok(())
                }
        )
    }
}
