//! Storage of the prescription risk figures, on both engines.
//!
//! An import ([`Store::prescriptions_import`]) claims its batch (`monitoring_batches`, as
//! `prescriptions/{id}`), appends every row with its provenance to
//! `monitoring_prescription_rows` (the history, never changed), makes each row the figure in
//! force of its cell in `monitoring_prescription_figures` (a later import of the same cell
//! replaces it: the newest import to commit wins) and appends the access entry — all in one
//! transaction, so a refused or failed import leaves nothing.

use jiff::Timestamp;
use varde_core::monitoring::prescriptions::{Figure, Measure};
use varde_core::org::{OrgId, UserId};

use crate::audit::{append_access_tx, NewAccess};
use crate::batches::{claim_batch_tx, Batch, BatchTable, ImportOutcome};
use crate::db::{on_pool, Db};
use crate::{Store, StoreError};

/// The source name of the prescription figures in `monitoring_batches`.
pub const PRESCRIPTIONS_SOURCE: &str = "prescriptions";

/// A figure in force, with the row it came from (`monitoring_prescription_rows.id`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredFigure {
    pub figure: Figure,
    pub row_id: i64,
}

/// An import of prescription figures: who, which batch (the id as given; the store prefixes
/// the source), and the rows with their lines.
pub struct PrescriptionImport<'a> {
    pub org: OrgId,
    pub actor: UserId,
    pub batch: Batch<'a>,
    pub rows: &'a [(u64, Figure)],
    pub at: Timestamp,
    pub access: &'a NewAccess,
}

fn figure_of(
    measure: Measure,
    (year, area, age_band, sex, count, population, row_id): (
        i64,
        String,
        String,
        String,
        i64,
        i64,
        i64,
    ),
) -> Result<StoredFigure, StoreError> {
    let corrupt = |what: &str| StoreError::Corrupt(format!("prescription figure: {what}"));
    Ok(StoredFigure {
        figure: Figure {
            year: i16::try_from(year).map_err(|_| corrupt("year"))?,
            area,
            age_band,
            sex,
            measure,
            count: u64::try_from(count).map_err(|_| corrupt("count"))?,
            population: u64::try_from(population).map_err(|_| corrupt("population"))?,
        },
        row_id,
    })
}

fn as_i64(n: u64) -> Result<i64, StoreError> {
    i64::try_from(n).map_err(|_| StoreError::Corrupt("a count beyond 64 bits".into()))
}

impl Store {
    /// Writes an import (see the module's documentation): `Imported { events }` with the rows
    /// written, or `AlreadyImported` (nothing written) when the organisation has the batch.
    pub async fn prescriptions_import(
        &self,
        import: &PrescriptionImport<'_>,
    ) -> Result<ImportOutcome, StoreError> {
        let batch_id = format!("{PRESCRIPTIONS_SOURCE}/{}", import.batch.id);
        let batch = Batch {
            id: &batch_id,
            digest: import.batch.digest,
        };
        let at = import.at.to_string();
        let n = i64::try_from(import.rows.len()).unwrap_or(i64::MAX);
        let rows: Vec<(i64, &Figure, i64, i64)> = import
            .rows
            .iter()
            .map(|(line, f)| Ok((as_i64(*line)?, f, as_i64(f.count)?, as_i64(f.population)?)))
            .collect::<Result<_, StoreError>>()?;
        on_pool!(
            self,
            write
                | pool
                | {
                    let mut tx = pool.begin().await?;
                    if let Some(then) =
                        claim_batch_tx!(tx, BatchTable::Monitoring, import.org.0, batch, n, &at)
                    {
                        return Ok(then);
                    }
                    for (line, f, count, population) in &rows {
                        let id: i64 = sqlx::query_scalar(
                            "INSERT INTO monitoring_prescription_rows (org_id, batch_id, line, imported_by, received_at, year, area, age_band, sex, measure, count, population) \
                             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
                        )
                        .bind(import.org.0)
                        .bind(&batch_id)
                        .bind(*line)
                        .bind(import.actor.0)
                        .bind(&at)
                        .bind(i32::from(f.year))
                        .bind(&f.area)
                        .bind(&f.age_band)
                        .bind(&f.sex)
                        .bind(f.measure.as_str())
                        .bind(*count)
                        .bind(*population)
                        .fetch_one(&mut *tx)
                        .await?;
                        sqlx::query(
                            "INSERT INTO monitoring_prescription_figures (measure, year, area, age_band, sex, count, population, row_id) \
                             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
                             ON CONFLICT (measure, year, area, age_band, sex) DO UPDATE SET \
                             count = excluded.count, population = excluded.population, row_id = excluded.row_id",
                        )
                        .bind(f.measure.as_str())
                        .bind(i32::from(f.year))
                        .bind(&f.area)
                        .bind(&f.age_band)
                        .bind(&f.sex)
                        .bind(*count)
                        .bind(*population)
                        .bind(id)
                        .execute(&mut *tx)
                        .await?;
                    }
                    append_access_tx!(tx, import.access);
                    tx.commit().await?;
                    Ok(ImportOutcome::Imported { events: rows.len() })
                }
        )
    }

    /// Every figure in force of `measure` (every area, year, age band and sex: what
    /// suppression needs), by year, area, age band and sex.
    pub async fn prescription_figures(
        &self,
        measure: Measure,
    ) -> Result<Vec<StoredFigure>, StoreError> {
        on_pool!(
            self,
            read | pool | {
                let rows: Vec<(i64, String, String, String, i64, i64, i64)> = sqlx::query_as(
                    "SELECT CAST(year AS BIGINT), area, age_band, sex, count, population, row_id \
                     FROM monitoring_prescription_figures WHERE measure = $1 \
                     ORDER BY year, area, age_band, sex",
                )
                .bind(measure.as_str())
                .fetch_all(pool)
                .await?;
                rows.into_iter().map(|r| figure_of(measure, r)).collect()
            }
        )
    }

    /// The number of imported rows kept (the history, every import's rows).
    pub async fn prescription_rows(&self) -> Result<i64, StoreError> {
        on_pool!(
            self,
            read | pool | {
                let n: i64 =
                    sqlx::query_scalar("SELECT COUNT(*) FROM monitoring_prescription_rows")
                        .fetch_one(pool)
                        .await?;
                Ok(n)
            }
        )
    }
}
