//! Storage of the weekly series and the detection rules, on both engines.
//!
//! The series' weeks (`monitoring_series_weeks`) are derived from the sources — the imported
//! rows (`monitoring_records` with `monitoring_findings`) and the drug-checking results — and
//! hold each week's evaluation with the version of the rule that made it. A re-evaluation
//! writes its weeks and the aberration signals of its alarms in one transaction
//! ([`Store::series_write`]); a rule change is an event in [`RULES_STREAM`] with its author,
//! written with the rule's row and the access entry ([`Store::monitoring_rule_set`]).

use jiff::Timestamp;
use varde_core::monitoring::rules::{MethodSpec, Rule};
use varde_core::monitoring::series::{Source, SourceRow, Week};
use varde_core::monitoring::signals::NewSignal;

use super::insert_signal_tx;
use crate::audit::{append_access_tx, NewAccess};
use crate::db::{on_pool, Db};
use crate::events::{append_event_tx, NewEvent};
use crate::{Store, StoreError};

/// The event-log stream of the detection rules' changes.
pub const RULES_STREAM: &str = "monitoring:rules";

/// A stored week of a series.
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesWeek {
    pub scope: String,
    pub area: String,
    /// `year * 100 + week`.
    pub week: i64,
    pub observed: f64,
    pub threshold: Option<f64>,
    pub alarm: Option<bool>,
    /// `main`, `fallback`, or none (not evaluated, or too little history).
    pub method: Option<String>,
    pub rule_version: i64,
}

/// A source's stored rule with its version and who set it (none: the default, version 0).
#[derive(Debug, Clone, PartialEq)]
pub struct StoredRule {
    pub rule: Rule,
    pub version: i64,
    pub changed_by: Option<String>,
    pub changed_at: Option<String>,
}

fn corrupt(what: &str) -> StoreError {
    StoreError::Corrupt(format!("monitoring series: {what}"))
}

/// `(scope, area, week, observed, threshold, alarm, method, rule_version)`.
type WeekRow = (
    String,
    String,
    i64,
    f64,
    Option<f64>,
    Option<bool>,
    Option<String>,
    i64,
);

fn week_of(r: WeekRow) -> SeriesWeek {
    SeriesWeek {
        scope: r.0,
        area: r.1,
        week: r.2,
        observed: r.3,
        threshold: r.4,
        alarm: r.5,
        method: r.6,
        rule_version: r.7,
    }
}

const WEEK_COLS: &str = "SELECT scope, area, week, observed, threshold, alarm, method, rule_version FROM monitoring_series_weeks";

/// `(record, week, municipality, county, value, substance, class)` of an imported row.
type RecordRow = (
    i64,
    Option<i32>,
    Option<String>,
    Option<String>,
    Option<f64>,
    Option<String>,
    Option<String>,
);

impl Store {
    /// The rows of `source` in the weeks `from..=to` (every week without bounds), one per
    /// substance named (a row naming none once): the counting's input.
    pub async fn monitoring_source_rows(
        &self,
        source: Source,
        from: Option<Week>,
        to: Option<Week>,
    ) -> Result<Vec<SourceRow>, StoreError> {
        if source == Source::Drugcheck {
            return self.drugcheck_source_rows(from, to).await;
        }
        let (lo, hi) = (from.map_or(0, Week::code), to.map_or(i64::MAX, Week::code));
        let rows: Vec<RecordRow> = on_pool!(
            self,
            read | pool | {
                sqlx::query_as(
                    "SELECT r.id, r.week, r.municipality, r.county, r.value, f.substance, f.class \
                     FROM monitoring_records r LEFT JOIN monitoring_findings f \
                     ON f.record_id = r.id AND f.source = $1 AND f.week >= $2 AND f.week <= $3 \
                     WHERE r.source = $1 AND r.week >= $2 AND r.week <= $3",
                )
                .bind(source.as_str())
                .bind(lo)
                .bind(hi)
                .fetch_all(pool)
                .await?
            }
        );
        Ok(rows
            .into_iter()
            .filter_map(|r| {
                Some(SourceRow {
                    record: r.0,
                    week: Week::from_code(i64::from(r.1?))?,
                    municipality: r.2,
                    county: r.3,
                    value: r.4,
                    substance: r.5,
                    class: r.6,
                })
            })
            .collect())
    }

    /// Drug-checking samples with a result, in the week they were received, with what was
    /// found (classes from the reference list, counties from the municipality).
    async fn drugcheck_source_rows(
        &self,
        from: Option<Week>,
        to: Option<Week>,
    ) -> Result<Vec<SourceRow>, StoreError> {
        let lo = from.map_or_else(|| "0000-01-01".to_owned(), |w| w.monday().to_string());
        let hi = to.map_or_else(|| "9999-12-31".to_owned(), |w| w.sunday().to_string());
        let rows: Vec<(i64, String, String, Option<String>)> = on_pool!(
            self,
            read | pool
                | {
                    sqlx::query_as(
                    "SELECT s.id, s.received_on, s.municipality, f.substance FROM drugcheck_samples s \
                     JOIN drugcheck_results r ON r.sample_id = s.id \
                     LEFT JOIN drugcheck_findings f ON f.sample_id = s.id \
                     WHERE s.received_on >= $1 AND s.received_on <= $2",
                )
                .bind(lo)
                .bind(hi)
                .fetch_all(pool)
                .await?
                }
        );
        let list = varde_core::substances::get();
        let refdata = varde_core::refdata::get();
        rows.into_iter()
            .map(|(id, day, municipality, substance)| {
                let day: jiff::civil::Date = day.parse().map_err(|_| corrupt("received_on"))?;
                Ok(SourceRow {
                    record: id,
                    week: Week::of(day),
                    county: refdata
                        .kommune(&municipality)
                        .map(|k| k.fylkesnummer.clone()),
                    municipality: Some(municipality),
                    class: substance
                        .as_deref()
                        .and_then(|s| list.by_id(s))
                        .map(|s| s.class.clone()),
                    substance,
                    value: None,
                })
            })
            .collect()
    }

    /// The first and last ISO week of an imported batch (`{source}/{batch id}`, the rows'
    /// `monitoring_records.batch_id`) of organisation `org_id`, as its import recorded them:
    /// none when the batch has no weekly rows (or is unknown).
    pub async fn monitoring_batch_span(
        &self,
        org_id: i64,
        batch_id: &str,
    ) -> Result<Option<(Week, Week)>, StoreError> {
        let row: Option<(Option<i32>, Option<i32>)> = on_pool!(
            self,
            read | pool
                | {
                    sqlx::query_as(
                        "SELECT first_week, last_week FROM monitoring_batches WHERE org_id = $1 AND batch_id = $2",
                    )
                    .bind(org_id)
                    .bind(batch_id)
                    .fetch_optional(pool)
                    .await?
                }
        );
        let week = |w: Option<i32>| w.and_then(|w| Week::from_code(i64::from(w)));
        Ok(row.and_then(|(a, b)| Some((week(a)?, week(b)?))))
    }

    /// The week a drug-checking sample was received in.
    pub async fn drugcheck_sample_week(&self, sample_id: i64) -> Result<Option<Week>, StoreError> {
        let day: Option<String> = on_pool!(
            self,
            read | pool | {
                sqlx::query_scalar("SELECT received_on FROM drugcheck_samples WHERE id = $1")
                    .bind(sample_id)
                    .fetch_optional(pool)
                    .await?
            }
        );
        day.map(|d| {
            d.parse::<jiff::civil::Date>()
                .map(Week::of)
                .map_err(|_| corrupt("received_on"))
        })
        .transpose()
    }

    /// The stored weeks of `source` from week `since` on (every week with `None`).
    pub async fn series_weeks(
        &self,
        source: Source,
        since: Option<Week>,
    ) -> Result<Vec<SeriesWeek>, StoreError> {
        let rows: Vec<WeekRow> = on_pool!(
            self,
            read | pool | {
                sqlx::query_as(&format!(
                    "{WEEK_COLS} WHERE source = $1 AND week >= $2 ORDER BY scope, area, week"
                ))
                .bind(source.as_str())
                .bind(since.map_or(0, Week::code))
                .fetch_all(pool)
                .await?
            }
        );
        Ok(rows.into_iter().map(week_of).collect())
    }

    /// The stored weeks of one series, in order.
    pub async fn series_of(
        &self,
        source: Source,
        scope: &str,
        area: &str,
    ) -> Result<Vec<SeriesWeek>, StoreError> {
        let rows: Vec<WeekRow> = on_pool!(
            self,
            read | pool | {
                sqlx::query_as(&format!(
                    "{WEEK_COLS} WHERE source = $1 AND scope = $2 AND area = $3 ORDER BY week"
                ))
                .bind(source.as_str())
                .bind(scope)
                .bind(area)
                .fetch_all(pool)
                .await?
            }
        );
        Ok(rows.into_iter().map(week_of).collect())
    }

    /// The series (source, scope, area) with an alarm in a week from `since` on.
    pub async fn series_with_alarms(
        &self,
        since: Week,
    ) -> Result<Vec<(String, String, String)>, StoreError> {
        on_pool!(
            self,
            read | pool | {
                Ok(sqlx::query_as(
                    "SELECT DISTINCT source, scope, area FROM monitoring_series_weeks \
                     WHERE alarm = $1 AND week >= $2 ORDER BY source, scope, area",
                )
                .bind(true)
                .bind(since.code())
                .fetch_all(pool)
                .await?)
            }
        )
    }

    /// Writes evaluated weeks of `source` and raises the signals of their alarms, in one
    /// transaction; the new signals' ids (a signal raised before is not raised again).
    pub async fn series_write(
        &self,
        source: Source,
        weeks: &[SeriesWeek],
        signals: &[NewSignal],
        at: Timestamp,
    ) -> Result<Vec<i64>, StoreError> {
        on_pool!(
            self,
            write
                | pool
                | {
                    let mut tx = pool.begin().await?;
                    for w in weeks {
                        sqlx::query(
                        "INSERT INTO monitoring_series_weeks (source, scope, area, week, observed, threshold, alarm, method, rule_version) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (source, scope, area, week) DO UPDATE SET \
                         observed = excluded.observed, threshold = excluded.threshold, alarm = excluded.alarm, \
                         method = excluded.method, rule_version = excluded.rule_version",
                    )
                    .bind(source.as_str())
                    .bind(&w.scope)
                    .bind(&w.area)
                    .bind(w.week)
                    .bind(w.observed)
                    .bind(w.threshold)
                    .bind(w.alarm)
                    .bind(&w.method)
                    .bind(w.rule_version)
                    .execute(&mut *tx)
                    .await?;
                    }
                    let mut ids = Vec::new();
                    for s in signals {
                        if let Some(id) = insert_signal_tx!(tx, s, at) {
                            ids.push(id);
                        }
                    }
                    tx.commit().await?;
                    Ok(ids)
                }
        )
    }

    /// Every source's rule: the stored one, or the documented default (version 0).
    pub async fn monitoring_rules(&self) -> Result<Vec<StoredRule>, StoreError> {
        type RuleRow = (
            String,
            i64,
            bool,
            String,
            String,
            Option<String>,
            String,
            Option<String>,
            String,
        );
        let rows: Vec<RuleRow> = on_pool!(
            self,
            read | pool
                | {
                    sqlx::query_as(
                    "SELECT r.source, r.version, r.enabled, r.method, r.params, r.fallback_method, r.fallback_params, u.username, r.changed_at \
                     FROM monitoring_rules r LEFT JOIN users u ON u.id = r.changed_by",
                )
                .fetch_all(pool)
                .await?
                }
        );
        let mut out = Vec::new();
        for source in Source::ALL {
            let stored = rows.iter().find(|r| r.0 == source.as_str());
            out.push(match stored {
                None => StoredRule {
                    rule: Rule::default_for(source),
                    version: 0,
                    changed_by: None,
                    changed_at: None,
                },
                Some(r) => {
                    let params = |t: &str| -> Result<Vec<String>, StoreError> {
                        serde_json::from_str(t).map_err(|_| corrupt("rule parameters"))
                    };
                    StoredRule {
                        rule: Rule {
                            source,
                            enabled: r.2,
                            main: MethodSpec {
                                method: r.3.clone(),
                                params: params(&r.4)?,
                            },
                            fallback: match &r.5 {
                                Some(m) => Some(MethodSpec {
                                    method: m.clone(),
                                    params: params(&r.6)?,
                                }),
                                None => None,
                            },
                        },
                        version: r.1,
                        changed_by: r.7.clone(),
                        changed_at: Some(r.8.clone()),
                    }
                }
            });
        }
        Ok(out)
    }

    /// Stores an analyst's rule (checked before: `Rule::compile`) as the next version, with
    /// its event and access entry in one transaction; the new version.
    pub async fn monitoring_rule_set(
        &self,
        rule: &Rule,
        actor_id: i64,
        org_id: i64,
        at: Timestamp,
        access: &NewAccess,
    ) -> Result<i64, StoreError> {
        let body = serde_json::to_string(rule).map_err(|_| corrupt("rule"))?;
        let params = serde_json::to_string(&rule.main.params).map_err(|_| corrupt("rule"))?;
        let fallback_params = serde_json::to_string(
            &rule
                .fallback
                .as_ref()
                .map(|f| f.params.clone())
                .unwrap_or_default(),
        )
        .map_err(|_| corrupt("rule"))?;
        on_pool!(
            self,
            write
                | pool
                | {
                    let mut tx = pool.begin().await?;
                    let ev = NewEvent::by(
                        RULES_STREAM.to_owned(),
                        "monitoring.rule_changed",
                        body.clone(),
                        actor_id,
                        org_id,
                        at,
                    );
                    append_event_tx!(tx, &ev);
                    let version: i64 = sqlx::query_scalar(
                    "INSERT INTO monitoring_rules (source, version, enabled, method, params, fallback_method, fallback_params, changed_by, changed_at) \
                     VALUES ($1, 1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (source) DO UPDATE SET \
                     version = monitoring_rules.version + 1, enabled = excluded.enabled, method = excluded.method, \
                     params = excluded.params, fallback_method = excluded.fallback_method, \
                     fallback_params = excluded.fallback_params, changed_by = excluded.changed_by, \
                     changed_at = excluded.changed_at RETURNING version",
                )
                .bind(rule.source.as_str())
                .bind(rule.enabled)
                .bind(&rule.main.method)
                .bind(&params)
                .bind(rule.fallback.as_ref().map(|f| f.method.clone()))
                .bind(&fallback_params)
                .bind(actor_id)
                .bind(at.to_string())
                .fetch_one(&mut *tx)
                .await?;
                    append_access_tx!(tx, access);
                    tx.commit().await?;
                    Ok(version)
                }
        )
    }

    /// The latest drug-checking findings, newest analysis first: (substance id,
    /// municipality, analysed on). No code, no sample id.
    pub async fn drugcheck_latest_findings(
        &self,
        limit: i64,
    ) -> Result<Vec<(String, String, String)>, StoreError> {
        on_pool!(
            self,
            read | pool | {
                Ok(sqlx::query_as(
                    "SELECT f.substance, s.municipality, r.analysed_on FROM drugcheck_findings f \
                     JOIN drugcheck_results r ON r.sample_id = f.sample_id \
                     JOIN drugcheck_samples s ON s.id = f.sample_id \
                     ORDER BY r.analysed_on DESC, r.recorded_at DESC, f.substance LIMIT $1",
                )
                .bind(limit)
                .fetch_all(pool)
                .await?)
            }
        )
    }

    /// Test and benchmark data only: writes imported rows of `source` straight into
    /// `monitoring_records` and `monitoring_findings` under batch `batch_id` (no batch row, no
    /// event, no access entry — not the import's path). Each row: week, municipality, the
    /// substances' ids, value.
    #[doc(hidden)]
    pub async fn monitoring_insert_rows_for_tests(
        &self,
        source: &str,
        org_id: i64,
        user_id: i64,
        batch_id: &str,
        rows: &[(Week, String, Vec<String>, Option<f64>)],
    ) -> Result<(), StoreError> {
        let list = varde_core::substances::get();
        let refdata = varde_core::refdata::get();
        on_pool!(
            self,
            write
                | pool
                | {
                    let mut tx = pool.begin().await?;
                    for (line, (week, municipality, substances, value)) in rows.iter().enumerate() {
                        let county = refdata
                            .kommune(municipality)
                            .map(|k| k.fylkesnummer.clone());
                        let day = week.monday().to_string();
                        let id: i64 = sqlx::query_scalar(
                        "INSERT INTO monitoring_records (source, org_id, batch_id, line, imported_by, received_at, day, week, municipality, county, value, body) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, '{}') RETURNING id",
                    )
                    .bind(source)
                    .bind(org_id)
                    .bind(batch_id)
                    .bind(line as i64 + 1)
                    .bind(user_id)
                    .bind(&day)
                    .bind(&day)
                    .bind(week.code() as i32)
                    .bind(municipality)
                    .bind(&county)
                    .bind(value)
                    .fetch_one(&mut *tx)
                    .await?;
                        for s in substances {
                            let class = list
                                .by_id(s)
                                .map_or_else(|| "other".to_owned(), |s| s.class.clone());
                            sqlx::query(
                            "INSERT INTO monitoring_findings (record_id, source, substance, class, day, week, municipality, county) \
                             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                        )
                        .bind(id)
                        .bind(source)
                        .bind(s)
                        .bind(&class)
                        .bind(&day)
                        .bind(week.code() as i32)
                        .bind(municipality)
                        .bind(&county)
                        .execute(&mut *tx)
                        .await?;
                        }
                    }
                    let weeks = rows.iter().map(|r| r.0.code() as i32);
                    sqlx::query(
                        "INSERT INTO monitoring_batches (org_id, batch_id, events, recorded_at, imported_by, first_week, last_week) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7)",
                    )
                    .bind(org_id)
                    .bind(batch_id)
                    .bind(rows.len() as i64)
                    .bind("2026-01-01T00:00:00Z")
                    .bind(user_id)
                    .bind(weeks.clone().min())
                    .bind(weeks.max())
                    .execute(&mut *tx)
                    .await?;
                    tx.commit().await?;
                    Ok(())
                }
        )
    }
}
