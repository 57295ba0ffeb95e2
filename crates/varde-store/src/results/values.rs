//! Indicator values: the import ([`Store::results_import`]: the batch claimed in
//! `results_batches` as `{source}/{batch id}`, every row kept with its provenance in
//! `results_value_rows`, each made the value in force of its indicator, year and area in
//! `results_values`, and the access entry — one transaction), the values in force, and the
//! figures read from the other areas at view time (`Store::results_records_per_year` and the
//! rest).

use jiff::Timestamp;
use varde_core::org::{OrgId, UserId};
use varde_core::results::values::Value;
use varde_core::results::Source;

use crate::audit::{append_access_tx, NewAccess};
use crate::batches::{claim_batch_tx, Batch, BatchTable, ImportOutcome};
use crate::db::{on_pool, Db};
use crate::{Store, StoreError};

/// The kind of a rating's event.
pub const RESULTS_RATED_KIND: &str = "results.rated";

/// An import of one source's values.
pub struct ResultsImport<'a> {
    pub org: OrgId,
    pub actor: UserId,
    pub source: Source,
    pub batch: Batch<'a>,
    pub rows: &'a [(u64, Value)],
    pub at: Timestamp,
    pub access: &'a NewAccess,
}

/// A value in force, with when it was received.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredValue {
    pub value: Value,
    /// When the import that gave it was received (RFC 3339).
    pub received_at: String,
}

impl Store {
    /// Writes an import: `Imported { events }` with the rows written, or `AlreadyImported`
    /// (nothing written) when the organisation has the batch.
    pub async fn results_import(
        &self,
        import: &ResultsImport<'_>,
    ) -> Result<ImportOutcome, StoreError> {
        let batch_id = format!("{}/{}", import.source.as_str(), import.batch.id);
        let batch = Batch {
            id: &batch_id,
            digest: import.batch.digest,
        };
        let at = import.at.to_string();
        let n = i64::try_from(import.rows.len()).unwrap_or(i64::MAX);
        on_pool!(
            self,
            write
                | pool
                | {
                    let mut tx = pool.begin().await?;
                    if let Some(then) =
                        claim_batch_tx!(tx, BatchTable::Results, import.org.0, batch, n, &at)
                    {
                        return Ok(then);
                    }
                    for (line, v) in import.rows {
                        let line = i64::try_from(*line).unwrap_or(i64::MAX);
                        let id: i64 = sqlx::query_scalar(
                        "INSERT INTO results_value_rows (org_id, batch_id, line, imported_by, received_at, indicator_id, year, area, value) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
                    )
                    .bind(import.org.0)
                    .bind(&batch_id)
                    .bind(line)
                    .bind(import.actor.0)
                    .bind(&at)
                    .bind(&v.indicator)
                    .bind(i32::from(v.year))
                    .bind(&v.area)
                    .bind(v.value)
                    .fetch_one(&mut *tx)
                    .await?;
                        sqlx::query(
                        "INSERT INTO results_values (indicator_id, year, area, value, row_id) VALUES ($1, $2, $3, $4, $5) \
                         ON CONFLICT (indicator_id, year, area) DO UPDATE SET value = excluded.value, row_id = excluded.row_id",
                    )
                    .bind(&v.indicator)
                    .bind(i32::from(v.year))
                    .bind(&v.area)
                    .bind(v.value)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                    }
                    append_access_tx!(tx, import.access);
                    tx.commit().await?;
                    Ok(ImportOutcome::Imported {
                        events: import.rows.len(),
                    })
                }
        )
    }

    /// Every value in force of the area `area` (`national`, `county:03`, …), by indicator and
    /// year.
    pub async fn results_values(&self, area: &str) -> Result<Vec<StoredValue>, StoreError> {
        let rows: Vec<(String, i64, String, f64, String)> = on_pool!(
            self,
            read | pool | {
                sqlx::query_as(
                    "SELECT v.indicator_id, CAST(v.year AS BIGINT), v.area, v.value, r.received_at \
                     FROM results_values v JOIN results_value_rows r ON r.id = v.row_id \
                     WHERE v.area = $1 ORDER BY v.indicator_id, v.year",
                )
                .bind(area)
                .fetch_all(pool)
                .await?
            }
        );
        rows.into_iter()
            .map(|(indicator, year, area, value, received_at)| {
                Ok(StoredValue {
                    value: Value {
                        indicator,
                        year: i16::try_from(year)
                            .map_err(|_| StoreError::Corrupt("results value: year".into()))?,
                        area,
                        value,
                    },
                    received_at,
                })
            })
            .collect()
    }

    /// The monitoring area's rows of `source` (`deaths`: one per death; `overdoses`: one per
    /// overdose reported) counted per calendar year of their day: read at view time, never
    /// copied.
    pub async fn results_records_per_year(
        &self,
        source: &str,
    ) -> Result<Vec<(i16, u64)>, StoreError> {
        let rows: Vec<(String, i64)> = on_pool!(
            self,
            read | pool | {
                sqlx::query_as(
                    "SELECT SUBSTR(day, 1, 4) AS y, COUNT(*) FROM monitoring_records \
                     WHERE source = $1 AND day IS NOT NULL GROUP BY SUBSTR(day, 1, 4) ORDER BY y",
                )
                .bind(source)
                .fetch_all(pool)
                .await?
            }
        );
        per_year(rows, source)
    }

    /// The monitoring area's `overdoses` rows with the outcome `non_fatal`, counted per
    /// calendar year of their day: read at view time, never copied.
    pub async fn results_nonfatal_overdoses_per_year(&self) -> Result<Vec<(i16, u64)>, StoreError> {
        let rows: Vec<(String, String)> = on_pool!(
            self,
            read | pool | {
                sqlx::query_as(
                    "SELECT SUBSTR(day, 1, 4), body FROM monitoring_records \
                     WHERE source = 'overdoses' AND day IS NOT NULL",
                )
                .fetch_all(pool)
                .await?
            }
        );
        let mut per: std::collections::BTreeMap<String, i64> = Default::default();
        for (year, body) in rows {
            let body: serde_json::Value = serde_json::from_str(&body)
                .map_err(|_| StoreError::Corrupt("overdoses: body".into()))?;
            if body["outcome"] == "non_fatal" {
                *per.entry(year).or_default() += 1;
            }
        }
        per_year(per.into_iter().collect(), "overdoses")
    }

    /// The persons of the pathways registered with one, for the treatment demand indicator
    /// only: (organisation, pathway id, the person's pseudonym, birth date, identity number).
    /// The caller derives sex and age group from them and keeps neither the number nor the
    /// date; the read is access-logged with the table.
    pub async fn results_pathway_people(&self) -> Result<Vec<TdiPerson>, StoreError> {
        let rows: Vec<(i64, String, String, Option<String>, String)> = on_pool!(
            self,
            read | pool | {
                sqlx::query_as(
                    "SELECT pp.org_id, pp.pathway_id, p.pseudonym, p.birth_date, p.national_id \
                         FROM pathways_persons pp JOIN persons p ON p.id = pp.person_id",
                )
                .fetch_all(pool)
                .await?
            }
        );
        Ok(rows
            .into_iter()
            .map(
                |(org, pathway_id, pseudonym, birth_date, national_id)| TdiPerson {
                    org: OrgId(org),
                    pathway_id,
                    pseudonym,
                    birth_date,
                    national_id,
                },
            )
            .collect())
    }

    /// The drug-checking samples analysed, counted per calendar year of their analysis: read
    /// at view time, never copied.
    pub async fn results_drug_checking_per_year(&self) -> Result<Vec<(i16, u64)>, StoreError> {
        let rows: Vec<(String, i64)> = on_pool!(
            self,
            read | pool | {
                sqlx::query_as(
                    "SELECT SUBSTR(analysed_on, 1, 4) AS y, COUNT(*) FROM drugcheck_results \
                     GROUP BY SUBSTR(analysed_on, 1, 4) ORDER BY y",
                )
                .fetch_all(pool)
                .await?
            }
        );
        per_year(rows, "drug checking")
    }

    /// The deaths of `year` in the monitoring area's `deaths` source (read, never copied):
    /// each death's underlying cause (ICD-10, from the row as imported), and per substance
    /// named the deaths naming it.
    pub async fn results_deaths_of_year(
        &self,
        year: i16,
    ) -> Result<(Vec<String>, Vec<(String, u64)>), StoreError> {
        let (lo, hi) = (format!("{year:04}-01-01"), format!("{year:04}-12-31"));
        let (bodies, subs): (Vec<String>, Vec<(String, i64)>) = on_pool!(
            self,
            read | pool
                | {
                    let bodies: Vec<String> = sqlx::query_scalar(
                        "SELECT body FROM monitoring_records WHERE source = 'deaths' AND day >= $1 AND day <= $2",
                    )
                    .bind(&lo)
                    .bind(&hi)
                    .fetch_all(pool)
                    .await?;
                    let subs: Vec<(String, i64)> = sqlx::query_as(
                        "SELECT f.substance, COUNT(DISTINCT f.record_id) FROM monitoring_findings f \
                         JOIN monitoring_records r ON r.id = f.record_id \
                         WHERE r.source = 'deaths' AND r.day >= $1 AND r.day <= $2 \
                         GROUP BY f.substance ORDER BY f.substance",
                    )
                    .bind(&lo)
                    .bind(&hi)
                    .fetch_all(pool)
                    .await?;
                    (bodies, subs)
                }
        );
        let causes = bodies
            .iter()
            .map(|b| {
                serde_json::from_str::<serde_json::Value>(b)
                    .ok()
                    .and_then(|v| v.get("icd10").and_then(|c| c.as_str()).map(str::to_owned))
                    .unwrap_or_default()
            })
            .collect();
        Ok((
            causes,
            subs.into_iter()
                .map(|(s, n)| (s, u64::try_from(n).unwrap_or(0)))
                .collect(),
        ))
    }

    /// The seizures of `year` (the monitoring area's `seizures` source, by the day seized):
    /// how many, and how many of each substance (the reference list's id).
    pub async fn results_seizures_of_year(
        &self,
        year: i16,
    ) -> Result<(u64, Vec<(String, u64)>), StoreError> {
        let (lo, hi) = (format!("{year:04}-01-01"), format!("{year:04}-12-31"));
        let (total, subs): (i64, Vec<(String, i64)>) = on_pool!(
            self,
            read | pool
                | {
                    let total: i64 = sqlx::query_scalar(
                        "SELECT COUNT(*) FROM monitoring_records WHERE source = 'seizures' AND day >= $1 AND day <= $2",
                    )
                    .bind(&lo)
                    .bind(&hi)
                    .fetch_one(pool)
                    .await?;
                    let subs: Vec<(String, i64)> = sqlx::query_as(
                        "SELECT substance, COUNT(DISTINCT record_id) FROM monitoring_findings \
                         WHERE source = 'seizures' AND day >= $1 AND day <= $2 \
                         GROUP BY substance ORDER BY substance",
                    )
                    .bind(&lo)
                    .bind(&hi)
                    .fetch_all(pool)
                    .await?;
                    (total, subs)
                }
        );
        Ok((count(total), counts(subs)))
    }

    /// The drug-checking samples analysed in `year`: how many, and in how many each substance
    /// was found.
    pub async fn results_drug_checking_of_year(
        &self,
        year: i16,
    ) -> Result<(u64, Vec<(String, u64)>), StoreError> {
        let (lo, hi) = (format!("{year:04}-01-01"), format!("{year:04}-12-31"));
        let (total, subs): (i64, Vec<(String, i64)>) = on_pool!(
            self,
            read | pool
                | {
                    let total: i64 = sqlx::query_scalar(
                        "SELECT COUNT(*) FROM drugcheck_results WHERE analysed_on >= $1 AND analysed_on <= $2",
                    )
                    .bind(&lo)
                    .bind(&hi)
                    .fetch_one(pool)
                    .await?;
                    let subs: Vec<(String, i64)> = sqlx::query_as(
                        "SELECT f.substance, COUNT(*) FROM drugcheck_findings f \
                         JOIN drugcheck_results r ON r.sample_id = f.sample_id \
                         WHERE r.analysed_on >= $1 AND r.analysed_on <= $2 \
                         GROUP BY f.substance ORDER BY f.substance",
                    )
                    .bind(&lo)
                    .bind(&hi)
                    .fetch_all(pool)
                    .await?;
                    (total, subs)
                }
        );
        Ok((count(total), counts(subs)))
    }
}

fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

fn counts(v: Vec<(String, i64)>) -> Vec<(String, u64)> {
    v.into_iter().map(|(s, n)| (s, count(n))).collect()
}

/// Rows of (year as text, count) as (year, count).
fn per_year(rows: Vec<(String, i64)>, what: &str) -> Result<Vec<(i16, u64)>, StoreError> {
    rows.into_iter()
        .map(|(y, n)| {
            Ok((
                y.parse()
                    .map_err(|_| StoreError::Corrupt(format!("{what}: year")))?,
                u64::try_from(n).unwrap_or(0),
            ))
        })
        .collect()
}

/// A pathway's person as the treatment demand indicator reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TdiPerson {
    pub org: OrgId,
    pub pathway_id: String,
    pub pseudonym: String,
    pub birth_date: Option<String>,
    pub national_id: String,
}
