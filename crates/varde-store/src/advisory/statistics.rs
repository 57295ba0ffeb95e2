//! What the advisory statistics read (issue 12, items 11 and 12), in one transaction with its
//! access entry: the anonymous records of erased cases opened in the period, every case not
//! yet erased (the statistics compute the same anonymous record from it, with the one core
//! function the erasure uses), and the advice logged in the period. The anonymous advice log
//! is written here too.

use jiff::Timestamp;
use varde_core::advisory::advice::AdviceRecord;
use varde_core::advisory::erasure::StatsRecord;
use varde_core::org::OrgId;

use super::erasure::StoredStats;
use super::{assemble, entry_from_row, person_from_row, CaseForErasure, CaseRow, CASES, PEOPLE};
use crate::audit::{append_access_tx, NewAccess};
use crate::db::{on_pool, Db};
use crate::{Store, StoreError};

/// A piece of advice given, as logged: no name, no id, no free text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAdvice {
    /// `YYYY-MM-DD`.
    pub given_on: String,
    pub asker: String,
    pub means: String,
    pub topic: String,
    pub age_group: Option<String>,
}

/// A piece of advice as stored, with its unit's municipality number.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct StoredAdvice {
    pub org_id: i64,
    pub kommunenummer: Option<String>,
    pub given_on: String,
    pub asker: String,
    pub means: String,
    pub topic: String,
    pub age_group: Option<String>,
}

/// What the statistics of a period read.
#[derive(Debug, Clone, Default)]
pub struct StatisticsSource {
    /// Erased cases' records opened in the period.
    pub erased: Vec<StoredStats>,
    /// Every case not yet erased, as the erasure would read it (the pseudonym left empty: the
    /// statistics need none). The period is applied to their opening day by the core.
    pub live: Vec<CaseForErasure>,
    /// Advice given in the period.
    pub advice: Vec<StoredAdvice>,
}

/// What the advisory statistics count, and nothing else: the cases' anonymous records and
/// the anonymous advice log.
#[derive(Debug, Clone, Default)]
pub struct AdvisoryAggregate {
    pub records: Vec<StatsRecord>,
    pub advice: Vec<AdviceRecord>,
}

impl StatisticsSource {
    /// The anonymous records and advice the statistics count: an erased case's record as
    /// stored, a live case's computed now by `StatsRecord::of_unit` (the erasure's one
    /// function), the advice that reads back.
    pub fn aggregate(&self) -> Result<AdvisoryAggregate, StoreError> {
        let mut records: Vec<StatsRecord> =
            self.erased.iter().filter_map(StoredStats::record).collect();
        for live in &self.live {
            let case = live.case.fold().map_err(|what| {
                StoreError::Corrupt(format!("advisory case {}: its {what}", live.case.id))
            })?;
            records.push(StatsRecord::of_unit(
                &case,
                live.case.org_id.0,
                live.kommunenummer.as_deref(),
                live.national_id.as_deref(),
            ));
        }
        let advice = self
            .advice
            .iter()
            .filter_map(|a| {
                AdviceRecord::read(
                    a.org_id,
                    a.kommunenummer.as_deref(),
                    &a.given_on,
                    &a.asker,
                    &a.means,
                    &a.topic,
                    a.age_group.as_deref(),
                )
            })
            .collect();
        Ok(AdvisoryAggregate { records, advice })
    }
}

const STATS: &str = "SELECT org_id, route, municipality, county, age_group, sex, opened_on, \
     decided_on, first_meeting_on, closed_on, outcome, meetings_required, meetings_attended, \
     outreach_attempts, tests, positives, referrals, recorded_on, meetings_missed \
     FROM advisory_statistics WHERE opened_on >= $1 AND opened_on <= $2 ORDER BY id";
const ADVICE: &str = "SELECT a.org_id, o.kommunenummer, a.given_on, a.asker, a.means, a.topic, \
     a.age_group FROM advisory_advice a JOIN orgs o ON o.id = a.org_id \
     WHERE a.given_on >= $1 AND a.given_on <= $2 ORDER BY a.id";

impl Store {
    /// Logs a piece of advice given by unit `org`, with its access entry, in one transaction.
    pub async fn advisory_advice_add(
        &self,
        org: OrgId,
        advice: &NewAdvice,
        at: Timestamp,
        access: &NewAccess,
    ) -> Result<i64, StoreError> {
        let at = at.to_string();
        on_pool!(
            self,
            write
                | pool
                | {
                    let mut tx = pool.begin().await?;
                    let id: i64 = sqlx::query_scalar(
                    "INSERT INTO advisory_advice (org_id, given_on, asker, means, topic, age_group, \
                     recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                )
                .bind(org.0)
                .bind(&advice.given_on)
                .bind(&advice.asker)
                .bind(&advice.means)
                .bind(&advice.topic)
                .bind(&advice.age_group)
                .bind(&at)
                .fetch_one(&mut *tx)
                .await?;
                    append_access_tx!(tx, access);
                    tx.commit().await?;
                    Ok(id)
                }
        )
    }

    /// How many pieces of advice unit `org` logged on `day` (`YYYY-MM-DD`); no personal data.
    pub async fn advisory_advice_count(&self, org: OrgId, day: &str) -> Result<i64, StoreError> {
        on_pool!(
            self,
            read | pool | {
                Ok(sqlx::query_scalar(
                    "SELECT COUNT(*) FROM advisory_advice WHERE org_id = $1 AND given_on = $2",
                )
                .bind(org.0)
                .bind(day)
                .fetch_one(pool)
                .await?)
            }
        )
    }

    /// What the statistics of `from`–`to` (`YYYY-MM-DD`, both included) read, with ONE
    /// access entry, in one transaction (the live cases are personal data, read to be counted).
    pub async fn advisory_statistics_source(
        &self,
        from: &str,
        to: &str,
        access: &NewAccess,
    ) -> Result<StatisticsSource, StoreError> {
        self.advisory_statistics_read(from, to, Some(access)).await
    }

    /// The read of [`Store::advisory_statistics_source`]; without an access entry only for a
    /// caller inside the store that hands nothing personal on (the results area's aggregate,
    /// `results/aggregates.rs`, which returns the anonymous records alone).
    pub(crate) async fn advisory_statistics_read(
        &self,
        from: &str,
        to: &str,
        access: Option<&NewAccess>,
    ) -> Result<StatisticsSource, StoreError> {
        let cases_sql = format!("{CASES} WHERE erased_at IS NULL ORDER BY id");
        let people_sql = format!(
            "{PEOPLE} JOIN advisory_cases c ON c.id = a.case_id WHERE c.erased_at IS NULL \
             ORDER BY a.case_id, a.idx"
        );
        let entries_sql = "SELECT e.case_id, e.n, e.kind, e.body, e.actor_id, e.recorded_at \
             FROM advisory_entries e JOIN advisory_cases c ON c.id = e.case_id \
             WHERE c.erased_at IS NULL ORDER BY e.case_id, e.n";
        let ids_sql = "SELECT a.case_id, p.national_id FROM advisory_people a \
             JOIN persons p ON p.id = a.person_id JOIN advisory_cases c ON c.id = a.case_id \
             WHERE a.role = 'person' AND c.erased_at IS NULL";
        let kommuner_sql = "SELECT id, kommunenummer FROM orgs WHERE id IN \
             (SELECT org_id FROM advisory_cases WHERE erased_at IS NULL)";
        on_pool!(
            self,
            write | pool | {
                let mut tx = pool.begin().await?;
                let erased: Vec<StoredStats> = sqlx::query_as(STATS)
                    .bind(from)
                    .bind(to)
                    .fetch_all(&mut *tx)
                    .await?;
                let advice: Vec<StoredAdvice> = sqlx::query_as(ADVICE)
                    .bind(from)
                    .bind(to)
                    .fetch_all(&mut *tx)
                    .await?;
                let cases: Vec<CaseRow> = sqlx::query_as(&cases_sql).fetch_all(&mut *tx).await?;
                let people = sqlx::query(&people_sql)
                    .fetch_all(&mut *tx)
                    .await?
                    .iter()
                    .map(person_from_row)
                    .collect::<Result<Vec<_>, _>>()?;
                let entries = sqlx::query(entries_sql)
                    .fetch_all(&mut *tx)
                    .await?
                    .iter()
                    .map(entry_from_row)
                    .collect::<Result<Vec<_>, _>>()?;
                let ids: Vec<(i64, String)> = sqlx::query_as(ids_sql).fetch_all(&mut *tx).await?;
                let kommuner: Vec<(i64, Option<String>)> =
                    sqlx::query_as(kommuner_sql).fetch_all(&mut *tx).await?;
                if let Some(access) = access {
                    append_access_tx!(tx, access);
                }
                tx.commit().await?;
                let ids: std::collections::HashMap<i64, String> = ids.into_iter().collect();
                let kommuner: std::collections::HashMap<i64, Option<String>> =
                    kommuner.into_iter().collect();
                let live = assemble(cases, people, entries)
                    .into_iter()
                    .map(|case| CaseForErasure {
                        pseudonym: String::new(),
                        national_id: ids.get(&case.id).cloned(),
                        kommunenummer: kommuner.get(&case.org_id.0).cloned().flatten(),
                        case,
                    })
                    .collect();
                Ok(StatisticsSource {
                    erased,
                    live,
                    advice,
                })
            }
        )
    }
}
