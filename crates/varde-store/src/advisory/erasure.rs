//! Retention and erasure of closed cases (issue 12, item 9): the candidates (closed, not yet
//! erased, with their unit's retention), the claim of one with a lease, the case as the
//! erasure reads it, and the erasure itself — the people and entries deleted, the opening
//! emptied, the anonymous statistics record written and the access entry appended, in one
//! transaction that holds only while the lease is still the claimer's and the case is not yet
//! erased, so a case is erased once however many servers run the job, and a second run
//! changes nothing.
//!
//! The claim is `FOR UPDATE SKIP LOCKED` on PostgreSQL (a row another server is claiming is
//! skipped, not waited for); SQLite has one writer, which serialises the claim.

use jiff::Timestamp;
use varde_core::advisory::erasure::StatsRecord;
use varde_core::org::OrgId;

use super::{assemble, entry_from_row, person_from_row, CaseRow, CASES, ENTRIES, PEOPLE};
use crate::audit::{append_access_tx, NewAccess};
use crate::db::{on_pool, Db};
use crate::{Store, StoreError};

/// A closed case not yet erased, with what decides whether it is due. No content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErasureCandidate {
    pub id: i64,
    pub org_id: OrgId,
    /// `YYYY-MM-DD`.
    pub closed_on: String,
    /// The unit's own retention in years, if it set one.
    pub retention_years: Option<i64>,
}

/// A case as the erasure reads it: the case, the person's pseudonym (the access entry's
/// subject) and identity number (for the record's sex; never stored there), and the unit's
/// municipality number.
#[derive(Debug, Clone)]
pub struct CaseForErasure {
    pub case: super::StoredCase,
    pub pseudonym: String,
    pub national_id: Option<String>,
    pub kommunenummer: Option<String>,
}

/// A statistics record as stored (read back by the statistics, and by the tests).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct StoredStats {
    pub org_id: i64,
    pub route: String,
    pub municipality: Option<String>,
    pub county: Option<String>,
    pub age_group: Option<String>,
    pub sex: Option<String>,
    pub opened_on: String,
    pub decided_on: Option<String>,
    pub first_meeting_on: Option<String>,
    pub closed_on: Option<String>,
    pub outcome: Option<String>,
    pub meetings_required: Option<i64>,
    pub meetings_attended: i64,
    pub outreach_attempts: i64,
    pub tests: i64,
    pub positives: i64,
    /// JSON array of destinations.
    pub referrals: String,
    pub recorded_on: String,
    /// None for a record written before the column existed (read as 0).
    pub meetings_missed: Option<i64>,
}

impl StoredStats {
    /// The core's record of a stored row (None for a row whose opening day does not read).
    pub fn record(&self) -> Option<StatsRecord> {
        use varde_core::advisory::advice::AGE_GROUPS;
        use varde_core::advisory::erasure::Sex;
        let date = |v: &Option<String>| v.as_deref().and_then(|d| d.parse().ok());
        Some(StatsRecord {
            route: self.route.clone(),
            org_id: self.org_id,
            municipality: self.municipality.clone(),
            county: self.county.clone(),
            age_group: self
                .age_group
                .as_deref()
                .and_then(|g| AGE_GROUPS.iter().copied().find(|a| a.as_str() == g)),
            sex: self.sex.as_deref().and_then(|x| {
                [Sex::Female, Sex::Male]
                    .into_iter()
                    .find(|v| v.as_str() == x)
            }),
            opened_on: self.opened_on.parse().ok()?,
            decided_on: date(&self.decided_on),
            first_meeting_on: date(&self.first_meeting_on),
            closed_on: date(&self.closed_on),
            outcome: self.outcome.clone(),
            meetings_required: self.meetings_required.and_then(|m| u8::try_from(m).ok()),
            meetings_attended: u32::try_from(self.meetings_attended).unwrap_or(0),
            meetings_missed: self
                .meetings_missed
                .and_then(|m| u32::try_from(m).ok())
                .unwrap_or(0),
            outreach_attempts: u32::try_from(self.outreach_attempts).unwrap_or(0),
            tests: u32::try_from(self.tests).unwrap_or(0),
            positives: u32::try_from(self.positives).unwrap_or(0),
            referrals: serde_json::from_str(&self.referrals).unwrap_or_default(),
        })
    }
}

impl Store {
    /// Closed cases not yet erased, with their unit's retention; unlogged (no personal data).
    pub async fn advisory_erasure_candidates(&self) -> Result<Vec<ErasureCandidate>, StoreError> {
        on_pool!(
            self,
            read | pool | {
                let rows: Vec<(i64, i64, String, Option<i64>)> = sqlx::query_as(
                    "SELECT c.id, c.org_id, c.closed_on, u.retention_years FROM advisory_cases c \
                     LEFT JOIN advisory_units u ON u.org_id = c.org_id \
                     WHERE c.closed_on IS NOT NULL AND c.erased_at IS NULL ORDER BY c.id",
                )
                .fetch_all(pool)
                .await?;
                Ok(rows
                    .into_iter()
                    .map(|(id, org, closed_on, retention_years)| ErasureCandidate {
                        id,
                        org_id: OrgId(org),
                        closed_on,
                        retention_years,
                    })
                    .collect())
            }
        )
    }

    /// Claims case `id` for erasure by `owner` until `now_ms + lease_ms`: only a closed case
    /// not yet erased and not leased by a live claim. True if claimed.
    pub async fn advisory_erasure_claim(
        &self,
        id: i64,
        owner: &str,
        now_ms: i64,
        lease_ms: i64,
    ) -> Result<bool, StoreError> {
        let lock = if self.engine() == crate::Engine::Postgres {
            " FOR UPDATE SKIP LOCKED"
        } else {
            ""
        };
        let claim = format!(
            "UPDATE advisory_cases SET erase_lease_owner = $1, erase_lease_until = $2 WHERE id IN (\
             SELECT id FROM advisory_cases WHERE id = $3 AND closed_on IS NOT NULL \
             AND erased_at IS NULL AND (erase_lease_until IS NULL OR erase_lease_until < $4){lock})"
        );
        on_pool!(
            self,
            write | pool | {
                let n = sqlx::query(&claim)
                    .bind(owner)
                    .bind(now_ms + lease_ms)
                    .bind(id)
                    .bind(now_ms)
                    .execute(pool)
                    .await?
                    .rows_affected();
                Ok(n == 1)
            }
        )
    }

    /// The case as the erasure reads it, unlogged: the erasure's own access entry records the
    /// read with the write (as a write's read of its case is logged as part of the write).
    /// None if the case is gone or already erased.
    pub async fn advisory_case_for_erasure(
        &self,
        id: i64,
    ) -> Result<Option<CaseForErasure>, StoreError> {
        on_pool!(
            self,
            read | pool
                | {
                    let case: Option<CaseRow> =
                        sqlx::query_as(&format!("{CASES} WHERE id = $1 AND erased_at IS NULL"))
                            .bind(id)
                            .fetch_optional(pool)
                            .await?;
                    let Some(case) = case else {
                        return Ok(None);
                    };
                    let people =
                        sqlx::query(&format!("{PEOPLE} WHERE a.case_id = $1 ORDER BY a.idx"))
                            .bind(id)
                            .fetch_all(pool)
                            .await?
                            .iter()
                            .map(person_from_row)
                            .collect::<Result<Vec<_>, _>>()?;
                    let entries = sqlx::query(&format!("{ENTRIES} WHERE case_id = $1 ORDER BY n"))
                        .bind(id)
                        .fetch_all(pool)
                        .await?
                        .iter()
                        .map(entry_from_row)
                        .collect::<Result<Vec<_>, _>>()?;
                    let who: Option<(String, String)> = sqlx::query_as(
                    "SELECT p.pseudonym, p.national_id FROM advisory_people a \
                     JOIN persons p ON p.id = a.person_id WHERE a.case_id = $1 AND a.role = 'person'",
                )
                .bind(id)
                .fetch_optional(pool)
                .await?;
                    let kommunenummer: Option<String> =
                        sqlx::query_scalar("SELECT kommunenummer FROM orgs WHERE id = $1")
                            .bind(case.1)
                            .fetch_one(pool)
                            .await?;
                    let Some(case) = assemble(vec![case], people, entries).pop() else {
                        return Ok(None);
                    };
                    let (pseudonym, national_id) = who.unzip();
                    Ok(Some(CaseForErasure {
                        case,
                        pseudonym: pseudonym.unwrap_or_default(),
                        national_id,
                        kommunenummer,
                    }))
                }
        )
    }

    /// Erases case `id` under `owner`'s lease: deletes its people and entries, empties its
    /// opening, marks it erased at `at`, writes `stats` and appends `access`, in one
    /// transaction. False (nothing written) if the case is already erased or the lease is no
    /// longer `owner`'s.
    pub async fn advisory_erase(
        &self,
        id: i64,
        owner: &str,
        stats: &StatsRecord,
        at: Timestamp,
        access: &NewAccess,
    ) -> Result<bool, StoreError> {
        let at_s = at.to_string();
        let day = varde_core::calendar::day_in_oslo(at).to_string();
        let referrals = serde_json::to_string(&stats.referrals)
            .map_err(|e| StoreError::Corrupt(format!("referrals: {e}")))?;
        let date = |d: Option<jiff::civil::Date>| d.map(|d| d.to_string());
        on_pool!(
            self,
            write
                | pool
                | {
                    let mut tx = pool.begin().await?;
                    let n = sqlx::query(
                        "UPDATE advisory_cases SET erased_at = $1, opening = '', \
                       erase_lease_owner = NULL, erase_lease_until = NULL \
                     WHERE id = $2 AND erased_at IS NULL AND erase_lease_owner = $3",
                    )
                    .bind(&at_s)
                    .bind(id)
                    .bind(owner)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                    if n != 1 {
                        tx.rollback().await?;
                        return Ok(false);
                    }
                    sqlx::query("DELETE FROM advisory_people WHERE case_id = $1")
                        .bind(id)
                        .execute(&mut *tx)
                        .await?;
                    sqlx::query("DELETE FROM advisory_entries WHERE case_id = $1")
                        .bind(id)
                        .execute(&mut *tx)
                        .await?;
                    sqlx::query(
                    "INSERT INTO advisory_statistics (org_id, route, municipality, county, \
                       age_group, sex, opened_on, decided_on, first_meeting_on, closed_on, outcome, \
                       meetings_required, meetings_attended, outreach_attempts, tests, positives, \
                       referrals, recorded_on, meetings_missed) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)",
                )
                .bind(stats.org_id)
                .bind(&stats.route)
                .bind(&stats.municipality)
                .bind(&stats.county)
                .bind(stats.age_group.map(|g| g.as_str()))
                .bind(stats.sex.map(|s| s.as_str()))
                .bind(stats.opened_on.to_string())
                .bind(date(stats.decided_on))
                .bind(date(stats.first_meeting_on))
                .bind(date(stats.closed_on))
                .bind(&stats.outcome)
                .bind(stats.meetings_required.map(i64::from))
                .bind(i64::from(stats.meetings_attended))
                .bind(i64::from(stats.outreach_attempts))
                .bind(i64::from(stats.tests))
                .bind(i64::from(stats.positives))
                .bind(&referrals)
                .bind(&day)
                .bind(i64::from(stats.meetings_missed))
                .execute(&mut *tx)
                .await?;
                    append_access_tx!(tx, access);
                    tx.commit().await?;
                    Ok(true)
                }
        )
    }

    /// Every statistics record, in the order written.
    pub async fn advisory_statistics_records(&self) -> Result<Vec<StoredStats>, StoreError> {
        on_pool!(
            self,
            read | pool
                | {
                    Ok(sqlx::query_as(
                    "SELECT org_id, route, municipality, county, age_group, sex, opened_on, \
                     decided_on, first_meeting_on, closed_on, outcome, meetings_required, \
                     meetings_attended, outreach_attempts, tests, positives, referrals, recorded_on, \
                     meetings_missed FROM advisory_statistics ORDER BY id",
                )
                .fetch_all(pool)
                .await?)
                }
        )
    }

    /// A unit's own retention in years, if it set one.
    pub async fn advisory_retention(&self, org: OrgId) -> Result<Option<i64>, StoreError> {
        on_pool!(
            self,
            read | pool | {
                let v: Option<Option<i64>> = sqlx::query_scalar(
                    "SELECT retention_years FROM advisory_units WHERE org_id = $1",
                )
                .bind(org.0)
                .fetch_optional(pool)
                .await?;
                Ok(v.flatten())
            }
        )
    }
}

#[cfg(feature = "testing")]
impl Store {
    /// Test hook: every value of case `id` left in the case's own tables (`advisory_cases`,
    /// `advisory_people`, `advisory_entries`), as text, to check that an erasure left nothing
    /// personal.
    pub async fn advisory_case_dump(&self, id: i64) -> Result<Vec<String>, StoreError> {
        on_pool!(
            self,
            read | pool
                | {
                    let mut out = Vec::new();
                    let case: Option<(String, String, Option<String>, Option<String>)> =
                    sqlx::query_as(
                        "SELECT route, opening, closed_on, outcome FROM advisory_cases WHERE id = $1",
                    )
                    .bind(id)
                    .fetch_optional(pool)
                    .await?;
                    if let Some((route, opening, closed, outcome)) = case {
                        out.extend([route, opening]);
                        out.extend(closed);
                        out.extend(outcome);
                    }
                    let people: Vec<(Option<i64>, Option<String>)> = sqlx::query_as(
                        "SELECT person_id, name FROM advisory_people WHERE case_id = $1",
                    )
                    .bind(id)
                    .fetch_all(pool)
                    .await?;
                    for (person, name) in people {
                        out.push(format!("person:{person:?}"));
                        out.extend(name);
                    }
                    let bodies: Vec<String> =
                        sqlx::query_scalar("SELECT body FROM advisory_entries WHERE case_id = $1")
                            .bind(id)
                            .fetch_all(pool)
                            .await?;
                    out.extend(bodies);
                    Ok(out)
                }
        )
    }
}
