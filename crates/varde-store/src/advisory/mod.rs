//! Storage of the advisory units' drug cases, on both engines: a case (`advisory_cases`, its
//! opening as JSON), its people (`advisory_people`, linked to the organisation's person
//! register or named only), the entries recorded on it in order (`advisory_entries`) and a
//! unit's minimum outreach (`advisory_units`).
//!
//! Every write and every read of a case commits with its access-log entry in one transaction.
//! A write names the number of entries it saw (`expected`): if another write came first the
//! counter has moved, [`StoreError::Changed`] is returned and nothing is written — the rule the
//! caller checked against the case as it read it is never bypassed.

mod erasure;
mod statistics;

pub use erasure::{CaseForErasure, ErasureCandidate, StoredStats};
pub use statistics::{AdvisoryAggregate, NewAdvice, StatisticsSource, StoredAdvice};

use jiff::Timestamp;
use sqlx::Row;
use varde_core::org::OrgId;

use crate::audit::{append_access_tx, NewAccess};
use crate::db::{on_pool, Db};
use crate::{Store, StoreError};

/// One person of a case as opened: the person (`guardian` false) or a guardian, linked to the
/// person register (`person_id`) or named only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCasePerson {
    pub guardian: bool,
    pub person_id: Option<i64>,
    pub name: Option<String>,
}

/// A person of a stored case.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CasePerson {
    pub guardian: bool,
    pub person_id: Option<i64>,
    /// The register's name, or the name given; none for an anonymous contact.
    pub name: Option<String>,
    /// `YYYY-MM-DD`, from the register.
    pub birth_date: Option<String>,
}

/// An entry of a stored case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseEntry {
    pub n: i64,
    pub kind: String,
    pub body: String,
    pub actor_id: i64,
    pub recorded_at: String,
}

/// A stored case with its people and entries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCase {
    pub id: i64,
    pub org_id: OrgId,
    pub route: String,
    /// JSON of `varde_core::advisory::Opening`.
    pub opening: String,
    /// The number of entries: what a write expects.
    pub entries_seen: i64,
    pub people: Vec<CasePerson>,
    pub entries: Vec<CaseEntry>,
}

impl StoredCase {
    /// The core's case of these rows (`Case::from_stored`: the person's birth date, the
    /// number of guardians, the entries in order). The error names the part that does not
    /// read.
    pub fn fold(&self) -> Result<varde_core::advisory::Case, &'static str> {
        let birth = self
            .people
            .iter()
            .find(|p| !p.guardian)
            .and_then(|p| p.birth_date.as_deref());
        let guardians = self.people.iter().filter(|p| p.guardian).count();
        varde_core::advisory::Case::from_stored(
            &self.opening,
            birth,
            guardians,
            self.entries.iter().map(|e| e.body.as_str()),
        )
    }
}

/// What an access decision on a case needs: its organisation and its person's pseudonym
/// (empty for an anonymous contact). No content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseRef {
    pub id: i64,
    pub org_id: OrgId,
    pub pseudonym: String,
    /// When its personal data was erased (RFC 3339): then it has no people, no entries and
    /// no opening, and only this is shown.
    pub erased_at: Option<String>,
}

/// The access-log record of a case.
pub fn advisory_record(id: i64) -> String {
    format!("advisory:{id}")
}

const PEOPLE: &str =
    "SELECT a.case_id, a.role, a.person_id, COALESCE(p.name, a.name), p.birth_date \
     FROM advisory_people a LEFT JOIN persons p ON p.id = a.person_id";
const ENTRIES: &str = "SELECT case_id, n, kind, body, actor_id, recorded_at FROM advisory_entries";
const CASES: &str = "SELECT id, org_id, route, opening, entries FROM advisory_cases";
/// The cases of a list: never an erased one (its opening is empty).
const LIVE: &str = " AND erased_at IS NULL";

type CaseRow = (i64, i64, String, String, i64);

fn person_from_row<R: Row>(r: &R) -> Result<(i64, CasePerson), StoreError>
where
    usize: sqlx::ColumnIndex<R>,
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<String>: sqlx::Decode<'a, R::Database>,
    for<'a> Option<i64>: sqlx::Decode<'a, R::Database>,
{
    let role: String = r.try_get(1)?;
    Ok((
        r.try_get(0)?,
        CasePerson {
            guardian: role == "guardian",
            person_id: r.try_get(2)?,
            name: r.try_get(3)?,
            birth_date: r.try_get(4)?,
        },
    ))
}

fn entry_from_row<R: Row>(r: &R) -> Result<(i64, CaseEntry), StoreError>
where
    usize: sqlx::ColumnIndex<R>,
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    Ok((
        r.try_get(0)?,
        CaseEntry {
            n: r.try_get(1)?,
            kind: r.try_get(2)?,
            body: r.try_get(3)?,
            actor_id: r.try_get(4)?,
            recorded_at: r.try_get(5)?,
        },
    ))
}

fn assemble(
    cases: Vec<CaseRow>,
    people: Vec<(i64, CasePerson)>,
    entries: Vec<(i64, CaseEntry)>,
) -> Vec<StoredCase> {
    let mut out: Vec<StoredCase> = cases
        .into_iter()
        .map(|(id, org, route, opening, seen)| StoredCase {
            id,
            org_id: OrgId(org),
            route,
            opening,
            entries_seen: seen,
            people: Vec::new(),
            entries: Vec::new(),
        })
        .collect();
    let index: std::collections::HashMap<i64, usize> =
        out.iter().enumerate().map(|(i, c)| (c.id, i)).collect();
    for (case, p) in people {
        if let Some(&i) = index.get(&case) {
            out[i].people.push(p);
        }
    }
    for (case, e) in entries {
        if let Some(&i) = index.get(&case) {
            out[i].entries.push(e);
        }
    }
    out
}

impl Store {
    /// Opens a case with its people and the access entry (its record set to the new case's),
    /// in one transaction. Returns the case's id.
    #[allow(clippy::too_many_arguments)]
    pub async fn advisory_open(
        &self,
        org: OrgId,
        route: &str,
        opening: &str,
        people: &[NewCasePerson],
        actor_id: i64,
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
                    "INSERT INTO advisory_cases (org_id, route, opening, entries, opened_by, created_at) \
                     VALUES ($1, $2, $3, 0, $4, $5) RETURNING id",
                )
                .bind(org.0)
                .bind(route)
                .bind(opening)
                .bind(actor_id)
                .bind(&at)
                .fetch_one(&mut *tx)
                .await?;
                    for (i, p) in people.iter().enumerate() {
                        sqlx::query(
                            "INSERT INTO advisory_people (case_id, idx, role, person_id, name) \
                         VALUES ($1, $2, $3, $4, $5)",
                        )
                        .bind(id)
                        .bind(i as i64)
                        .bind(if p.guardian { "guardian" } else { "person" })
                        .bind(p.person_id)
                        .bind(&p.name)
                        .execute(&mut *tx)
                        .await?;
                    }
                    let mut access = access.clone();
                    access.record = advisory_record(id);
                    append_access_tx!(tx, &access);
                    tx.commit().await?;
                    Ok(id)
                }
        )
    }

    /// The case's organisation and its person's pseudonym, unlogged and without content: for
    /// the access decision only.
    pub async fn advisory_case_ref(&self, id: i64) -> Result<Option<CaseRef>, StoreError> {
        on_pool!(
            self,
            read | pool
                | {
                    let row: Option<(i64, Option<String>, Option<String>)> = sqlx::query_as(
                    "SELECT c.org_id, (SELECT p.pseudonym FROM advisory_people a JOIN persons p \
                       ON p.id = a.person_id WHERE a.case_id = c.id AND a.role = 'person'), c.erased_at \
                     FROM advisory_cases c WHERE c.id = $1",
                )
                .bind(id)
                .fetch_optional(pool)
                .await?;
                    Ok(row.map(|(org, pseudonym, erased_at)| CaseRef {
                        id,
                        org_id: OrgId(org),
                        pseudonym: pseudonym.unwrap_or_default(),
                        erased_at,
                    }))
                }
        )
    }

    /// One case with its people and entries, read with its access entry in one transaction.
    pub async fn advisory_case_logged(
        &self,
        id: i64,
        access: &NewAccess,
    ) -> Result<StoredCase, StoreError> {
        on_pool!(
            self,
            write | pool | {
                let mut tx = pool.begin().await?;
                let case: Option<CaseRow> = sqlx::query_as(&format!("{CASES} WHERE id = $1"))
                    .bind(id)
                    .fetch_optional(&mut *tx)
                    .await?;
                let case = case.ok_or(StoreError::NotFound)?;
                let people = sqlx::query(&format!("{PEOPLE} WHERE a.case_id = $1 ORDER BY a.idx"))
                    .bind(id)
                    .fetch_all(&mut *tx)
                    .await?
                    .iter()
                    .map(person_from_row)
                    .collect::<Result<Vec<_>, _>>()?;
                let entries = sqlx::query(&format!("{ENTRIES} WHERE case_id = $1 ORDER BY n"))
                    .bind(id)
                    .fetch_all(&mut *tx)
                    .await?
                    .iter()
                    .map(entry_from_row)
                    .collect::<Result<Vec<_>, _>>()?;
                append_access_tx!(tx, access);
                tx.commit().await?;
                assemble(vec![case], people, entries)
                    .pop()
                    .ok_or(StoreError::NotFound)
            }
        )
    }

    /// Every case of an organisation (open ones, or all), with people and entries, with ONE
    /// access entry for the list, in one transaction (the worklist, the case list).
    pub async fn advisory_cases_logged(
        &self,
        org: OrgId,
        open_only: bool,
        access: &NewAccess,
    ) -> Result<Vec<StoredCase>, StoreError> {
        let open = if open_only {
            " AND closed_on IS NULL"
        } else {
            ""
        };
        let cases_sql = format!("{CASES} WHERE org_id = $1{open}{LIVE} ORDER BY id");
        let people_sql = format!(
            "{PEOPLE} JOIN advisory_cases c ON c.id = a.case_id WHERE c.org_id = $1{} ORDER BY a.case_id, a.idx",
            if open_only { " AND c.closed_on IS NULL" } else { "" }
        );
        let entries_sql = format!(
            "SELECT e.case_id, e.n, e.kind, e.body, e.actor_id, e.recorded_at FROM advisory_entries e \
             JOIN advisory_cases c ON c.id = e.case_id WHERE c.org_id = $1{} ORDER BY e.case_id, e.n",
            if open_only { " AND c.closed_on IS NULL" } else { "" }
        );
        on_pool!(
            self,
            write | pool | {
                let mut tx = pool.begin().await?;
                let cases: Vec<CaseRow> = sqlx::query_as(&cases_sql)
                    .bind(org.0)
                    .fetch_all(&mut *tx)
                    .await?;
                let people = sqlx::query(&people_sql)
                    .bind(org.0)
                    .fetch_all(&mut *tx)
                    .await?
                    .iter()
                    .map(person_from_row)
                    .collect::<Result<Vec<_>, _>>()?;
                let entries = sqlx::query(&entries_sql)
                    .bind(org.0)
                    .fetch_all(&mut *tx)
                    .await?
                    .iter()
                    .map(entry_from_row)
                    .collect::<Result<Vec<_>, _>>()?;
                append_access_tx!(tx, access);
                tx.commit().await?;
                Ok(assemble(cases, people, entries))
            }
        )
    }

    /// Records an entry on case `id` (of `org`) as number `expected + 1`, with its access entry,
    /// in one transaction. `closing` (day, outcome) marks the case closed. `Changed` (nothing
    /// written) if the case has another number of entries than `expected`.
    #[allow(clippy::too_many_arguments)]
    pub async fn advisory_record(
        &self,
        org: OrgId,
        id: i64,
        expected: i64,
        kind: &str,
        body: &str,
        closing: Option<(&str, &str)>,
        actor_id: i64,
        at: Timestamp,
        access: &NewAccess,
    ) -> Result<i64, StoreError> {
        let at = at.to_string();
        let (closed_on, outcome) = closing.unzip();
        on_pool!(
            self,
            write | pool | {
                let mut tx = pool.begin().await?;
                let moved = sqlx::query(
                    "UPDATE advisory_cases SET entries = entries + 1, \
                       closed_on = COALESCE($1, closed_on), outcome = COALESCE($2, outcome) \
                     WHERE id = $3 AND org_id = $4 AND entries = $5",
                )
                .bind(closed_on)
                .bind(outcome)
                .bind(id)
                .bind(org.0)
                .bind(expected)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if moved != 1 {
                    return Err(StoreError::Changed(
                        "the case changed since it was read; look again",
                    ));
                }
                let n = expected + 1;
                sqlx::query(
                    "INSERT INTO advisory_entries (case_id, n, kind, body, actor_id, recorded_at) \
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(id)
                .bind(n)
                .bind(kind)
                .bind(body)
                .bind(actor_id)
                .bind(&at)
                .execute(&mut *tx)
                .await?;
                append_access_tx!(tx, access);
                tx.commit().await?;
                Ok(n)
            }
        )
    }

    /// A unit's own minimum outreach (attempts, different means), if it set one.
    pub async fn advisory_minimum(&self, org: OrgId) -> Result<Option<(i64, i64)>, StoreError> {
        on_pool!(
            self,
            read | pool | {
                let row: Option<(i64, i64)> = sqlx::query_as(
                    "SELECT min_attempts, min_means FROM advisory_units WHERE org_id = $1",
                )
                .bind(org.0)
                .fetch_optional(pool)
                .await?;
                Ok(row)
            }
        )
    }

    /// Sets a unit's minimum outreach and, when given, its retention (kept otherwise), with
    /// the access entry, in one transaction.
    #[allow(clippy::too_many_arguments)]
    pub async fn advisory_set_minimum(
        &self,
        org: OrgId,
        attempts: i64,
        means: i64,
        retention_years: Option<i64>,
        actor_id: i64,
        at: Timestamp,
        access: &NewAccess,
    ) -> Result<(), StoreError> {
        let at = at.to_string();
        on_pool!(
            self,
            write
                | pool
                | {
                    let mut tx = pool.begin().await?;
                    sqlx::query(
                    "INSERT INTO advisory_units (org_id, min_attempts, min_means, retention_years, changed_by, changed_at) \
                     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (org_id) DO UPDATE SET \
                     min_attempts = excluded.min_attempts, min_means = excluded.min_means, \
                     retention_years = COALESCE(excluded.retention_years, advisory_units.retention_years), \
                     changed_by = excluded.changed_by, changed_at = excluded.changed_at",
                )
                .bind(org.0)
                .bind(attempts)
                .bind(means)
                .bind(retention_years)
                .bind(actor_id)
                .bind(&at)
                .execute(&mut *tx)
                .await?;
                    append_access_tx!(tx, access);
                    tx.commit().await?;
                    Ok(())
                }
        )
    }
}
