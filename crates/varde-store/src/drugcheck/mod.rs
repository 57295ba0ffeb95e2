//! Storage of anonymous drug checking, on both engines: samples (`drugcheck_samples`, the code
//! kept only as its SHA-256), their results (`drugcheck_results`, one per sample) and what was
//! found (`drugcheck_findings`).
//!
//! [`Store::drugcheck_record`] reads the sample inside its transaction, refuses a second
//! result, writes the result, its findings, the monitoring signals it raises
//! (`varde_core::drugcheck::signals`, through `insert_signal_tx!`) and the access entry — all
//! or nothing. [`Store::drugcheck_lookup`] is the public lookup: one query on the unique index
//! of `code_hash`, the same for a code that exists and one that does not.

use std::collections::HashMap;

use jiff::civil::Date;
use jiff::Timestamp;
use sqlx::Row;
use varde_core::drugcheck::{signals, Analysis, Intake, SampleFacts};
use varde_core::monitoring::purity;
use varde_core::monitoring::signals::Watchlist;

use crate::audit::{append_access_tx, NewAccess};
use crate::db::{map_unique, on_pool, Db};
use crate::monitoring::insert_signal_tx;
use crate::monitoring::sources::purity_history_tx;
use crate::{Store, StoreError};

/// A stored sample (never its code).
#[derive(Debug, Clone, PartialEq)]
pub struct DrugcheckSample {
    pub id: i64,
    pub sold_as: String,
    pub sold_as_substance: Option<String>,
    pub municipality: String,
    pub received_on: Date,
    /// Whether a result is recorded.
    pub analysed: bool,
}

/// What the public lookup gives.
#[derive(Debug, Clone, PartialEq)]
pub struct DrugcheckLookup {
    pub sold_as: String,
    pub received_on: String,
    /// `None` while pending.
    pub analysed_on: Option<String>,
    pub method: Option<String>,
    /// (substance id, purity %), by substance.
    pub found: Vec<(String, Option<f64>)>,
}

/// What a recorded result raised.
#[derive(Debug, Clone, PartialEq)]
pub struct DrugcheckRecorded {
    pub sample_id: i64,
    /// The ids of the signals raised.
    pub signals: Vec<i64>,
}

/// The counts of the monthly summary: `(month, substance, samples)` and `(month, analysed)`.
pub type DrugcheckCounts = (Vec<(String, String, u64)>, Vec<(String, u64)>);

/// A sample's row: id, sold as, its substance, municipality, received on, a result's sample id.
type SampleRow = (i64, String, Option<String>, String, String, Option<i64>);
/// The summary's rows: (month, substance, samples) and (month, analysed).
type CountRows = (Vec<(String, String, i64)>, Vec<(String, i64)>);

fn date_of(s: &str) -> Result<Date, StoreError> {
    s.parse()
        .map_err(|e| StoreError::Corrupt(format!("drugcheck date: {e}")))
}

fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

/// The conflict of an intake form sent a second time.
pub const INTAKE_SENT_TWICE: &str =
    "this form was sent before: the sample is registered, and its code was on the receipt then";

impl Store {
    /// Records a sample handed in under `code_hash`, with the access entry; its internal id.
    ///
    /// `once` is the SHA-256 of the intake form's one-time token (none from the API): a token
    /// used before is a `Conflict` and nothing is written, so that the form sent twice (a
    /// reload of the receipt) makes one sample.
    pub async fn drugcheck_intake(
        &self,
        code_hash: &str,
        intake: &Intake,
        org_id: i64,
        at: Timestamp,
        access: &NewAccess,
        once: Option<&str>,
    ) -> Result<i64, StoreError> {
        on_pool!(
            self,
            write
                | pool
                | {
                    let mut tx = pool.begin().await?;
                    let id: i64 = sqlx::query_scalar(
                    "INSERT INTO drugcheck_samples (code_hash, org_id, sold_as, sold_as_substance, municipality, received_on, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                )
                .bind(code_hash)
                .bind(org_id)
                .bind(&intake.sold_as)
                .bind(&intake.sold_as_substance)
                .bind(&intake.municipality)
                .bind(intake.received_on.to_string())
                .bind(at.to_string())
                .fetch_one(&mut *tx)
                .await
                .map_err(|e| map_unique(e, "the code is taken; hand in the sample again"))?;
                    if let Some(token) = once {
                        sqlx::query(
                            "INSERT INTO drugcheck_intake_once (token_hash, sample_id, used_at) \
                             VALUES ($1, $2, $3)",
                        )
                        .bind(token)
                        .bind(id)
                        .bind(at.to_string())
                        .execute(&mut *tx)
                        .await
                        .map_err(|e| map_unique(e, INTAKE_SENT_TWICE))?;
                    }
                    append_access_tx!(tx, access);
                    tx.commit().await?;
                    Ok(id)
                }
        )
    }

    /// The sample stored under `code_hash`.
    pub async fn drugcheck_sample(
        &self,
        code_hash: &str,
    ) -> Result<Option<DrugcheckSample>, StoreError> {
        let row: Option<SampleRow> = on_pool!(
            self,
            read | pool
                | {
                    sqlx::query_as(
                    "SELECT s.id, s.sold_as, s.sold_as_substance, s.municipality, s.received_on, r.sample_id \
                     FROM drugcheck_samples s LEFT JOIN drugcheck_results r ON r.sample_id = s.id WHERE s.code_hash = $1",
                )
                .bind(code_hash)
                .fetch_optional(pool)
                .await?
                }
        );
        row.map(
            |(id, sold_as, sold_as_substance, municipality, received_on, r)| {
                Ok(DrugcheckSample {
                    id,
                    sold_as,
                    sold_as_substance,
                    municipality,
                    received_on: date_of(&received_on)?,
                    analysed: r.is_some(),
                })
            },
        )
        .transpose()
    }

    /// Records the result of the sample under `code_hash`: checked inside the transaction
    /// (`NotFound`: no such sample; `Conflict`: it has a result already, nothing written),
    /// then the result, its findings, the signals [`signals`] gives against `watchlist`, and
    /// the access entry, in one transaction.
    pub async fn drugcheck_record(
        &self,
        code_hash: &str,
        analysis: &Analysis,
        watchlist: &Watchlist,
        recorded_by: i64,
        at: Timestamp,
        access: &NewAccess,
    ) -> Result<DrugcheckRecorded, StoreError> {
        let contaminants = serde_json::to_string(&analysis.contaminants)
            .map_err(|e| StoreError::Corrupt(format!("contaminants: {e}")))?;
        let at_text = at.to_string();
        on_pool!(
            self,
            write
                | pool
                | {
                    let mut tx = pool.begin().await?;
                    let row = sqlx::query(
                    "SELECT s.id, s.sold_as, s.sold_as_substance, s.municipality, r.sample_id \
                     FROM drugcheck_samples s LEFT JOIN drugcheck_results r ON r.sample_id = s.id WHERE s.code_hash = $1",
                )
                .bind(code_hash)
                .fetch_optional(&mut *tx)
                .await?;
                    let Some(row) = row else {
                        tx.rollback().await?;
                        return Err(StoreError::NotFound);
                    };
                    let id: i64 = row.try_get(0)?;
                    let sold_as: String = row.try_get(1)?;
                    let sold_as_substance: Option<String> = row.try_get(2)?;
                    let municipality: String = row.try_get(3)?;
                    let done: Option<i64> = row.try_get(4)?;
                    if done.is_some() {
                        tx.rollback().await?;
                        return Err(StoreError::Conflict("the sample has a result already"));
                    }
                    sqlx::query(
                    "INSERT INTO drugcheck_results (sample_id, analysed_on, method, contaminants, recorded_by, recorded_at) \
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(id)
                .bind(analysis.analysed_on.to_string())
                .bind(&analysis.method)
                .bind(&contaminants)
                .bind(recorded_by)
                .bind(&at_text)
                .execute(&mut *tx)
                .await
                .map_err(|e| map_unique(e, "the sample has a result already"))?;
                    // The purity rule (`varde_core::monitoring::purity`): each purity
                    // against the recent range of its substance, read before it is written.
                    let since = purity::window_start(analysis.analysed_on).to_string();
                    let mut history: HashMap<String, Vec<f64>> = HashMap::new();
                    for f in analysis.found.iter().filter(|f| f.purity_percent.is_some()) {
                        let h = purity_history_tx!(tx, &f.substance, &since);
                        history.insert(f.substance.clone(), h);
                    }
                    let found: Vec<purity::Found<'_>> = analysis
                        .found
                        .iter()
                        .filter_map(|f| {
                            f.purity_percent.map(|p| purity::Found {
                                substance: &f.substance,
                                area: municipality.clone(),
                                day: analysis.analysed_on,
                                purity: p,
                            })
                        })
                        .collect();
                    let purity_signals = purity::signals("drugcheck", &found, &|s| {
                        history.get(s).cloned().unwrap_or_default()
                    });
                    for f in &analysis.found {
                        sqlx::query(
                        "INSERT INTO drugcheck_findings (sample_id, substance, purity_percent, amount_mg) VALUES ($1, $2, $3, $4)",
                    )
                    .bind(id)
                    .bind(&f.substance)
                    .bind(f.purity_percent)
                    .bind(f.amount_mg)
                    .execute(&mut *tx)
                    .await?;
                    }
                    let facts = SampleFacts {
                        id,
                        sold_as: &sold_as,
                        sold_as_substance: sold_as_substance.as_deref(),
                        municipality: &municipality,
                    };
                    let mut raised = Vec::new();
                    for s in signals(&facts, analysis, watchlist)
                        .into_iter()
                        .chain(purity_signals)
                    {
                        if let Some(sid) = insert_signal_tx!(tx, &s, at) {
                            raised.push(sid);
                        }
                    }
                    append_access_tx!(tx, access);
                    tx.commit().await?;
                    Ok(DrugcheckRecorded {
                        sample_id: id,
                        signals: raised,
                    })
                }
        )
    }

    /// The public lookup: one query on the unique index of `code_hash`, whether a sample has it
    /// or not.
    pub async fn drugcheck_lookup(
        &self,
        code_hash: &str,
    ) -> Result<Option<DrugcheckLookup>, StoreError> {
        type Row = (
            String,
            String,
            Option<String>,
            Option<String>,
            Option<String>,
            Option<f64>,
        );
        let rows: Vec<Row> = on_pool!(
            self,
            read | pool
                | {
                    sqlx::query_as(
                    "SELECT s.sold_as, s.received_on, r.analysed_on, r.method, f.substance, f.purity_percent \
                     FROM drugcheck_samples s LEFT JOIN drugcheck_results r ON r.sample_id = s.id \
                     LEFT JOIN drugcheck_findings f ON f.sample_id = s.id \
                     WHERE s.code_hash = $1 ORDER BY f.substance",
                )
                .bind(code_hash)
                .fetch_all(pool)
                .await?
                }
        );
        let Some(first) = rows.first() else {
            return Ok(None);
        };
        Ok(Some(DrugcheckLookup {
            sold_as: first.0.clone(),
            received_on: first.1.clone(),
            analysed_on: first.2.clone(),
            method: first.3.clone(),
            found: rows
                .iter()
                .filter_map(|r| r.4.clone().map(|s| (s, r.5)))
                .collect(),
        }))
    }

    /// The counts of the monthly summary (by the month of analysis).
    pub async fn drugcheck_counts(&self) -> Result<DrugcheckCounts, StoreError> {
        let (cells, months): CountRows = on_pool!(
            self,
            read | pool
                | {
                    let mut tx = pool.begin().await?;
                    let cells = sqlx::query_as(
                    "SELECT substr(r.analysed_on, 1, 7) AS month, f.substance, COUNT(*) \
                     FROM drugcheck_findings f JOIN drugcheck_results r ON r.sample_id = f.sample_id \
                     GROUP BY substr(r.analysed_on, 1, 7), f.substance",
                )
                .fetch_all(&mut *tx)
                .await?;
                    let months = sqlx::query_as(
                    "SELECT substr(analysed_on, 1, 7) AS month, COUNT(*) FROM drugcheck_results \
                     GROUP BY substr(analysed_on, 1, 7)",
                )
                .fetch_all(&mut *tx)
                .await?;
                    tx.commit().await?;
                    (cells, months)
                }
        );
        Ok((
            cells
                .into_iter()
                .map(|(m, s, n)| (m, s, count(n)))
                .collect(),
            months.into_iter().map(|(m, n)| (m, count(n))).collect(),
        ))
    }
}
