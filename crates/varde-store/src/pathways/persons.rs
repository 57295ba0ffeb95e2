//! The person a pathway belongs to: the `pathways_persons` projection of the links logged with
//! each `referral_received` row that names one (see [`super::PathwayWrite`]). Reads that return
//! a name or a birth date write their access-log entry in the same transaction.

use sqlx::Row;
use varde_core::org::OrgId;

use crate::audit::{append_access_tx, NewAccess};
use crate::db::{on_pool, Db};
use crate::{Store, StoreError};

/// A pathway's person as the pathway pages show it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PathwayPerson {
    pub pathway_id: String,
    pub person_id: i64,
    pub name: String,
    /// `YYYY-MM-DD`, when the register knows it.
    pub birth_date: Option<String>,
}

const LINKED: &str = "SELECT l.pathway_id, p.id, p.name, p.birth_date, p.pseudonym \
     FROM pathways_persons l JOIN persons p ON p.id = l.person_id";

fn linked_from_row<R: Row>(r: &R) -> Result<PathwayPerson, StoreError>
where
    usize: sqlx::ColumnIndex<R>,
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<String>: sqlx::Decode<'a, R::Database>,
{
    Ok(PathwayPerson {
        pathway_id: r.try_get(0)?,
        person_id: r.try_get(1)?,
        name: r.try_get(2)?,
        birth_date: r.try_get(3)?,
    })
}

impl Store {
    /// One pathway's person (name, birth date), with the read's access-log entry in the same
    /// transaction; the entry's subject is set to the person's pseudonym, so that their § 18
    /// access report lists the read. `None` (and the entry still written, with no subject) for
    /// a pathway without a person.
    pub async fn pathway_person_logged(
        &self,
        org: OrgId,
        pathway_id: &str,
        access: &NewAccess,
    ) -> Result<Option<PathwayPerson>, StoreError> {
        let sql = format!("{LINKED} WHERE l.org_id = $1 AND l.pathway_id = $2");
        on_pool!(
            self,
            write | pool | {
                let mut tx = pool.begin().await?;
                let row = sqlx::query(&sql)
                    .bind(org.0)
                    .bind(pathway_id.trim_ascii())
                    .fetch_optional(&mut *tx)
                    .await?;
                let person = row.as_ref().map(linked_from_row).transpose()?;
                let mut access = access.clone();
                access.subject = match &row {
                    Some(r) => r.try_get(4)?,
                    None => String::new(),
                };
                append_access_tx!(tx, &access);
                tx.commit().await?;
                Ok(person)
            }
        )
    }

    /// The persons of every pathway of an organisation that names one, with ONE access-log
    /// entry for the list (the worklist's names), in the same transaction.
    pub async fn pathway_persons_logged(
        &self,
        org: OrgId,
        access: &NewAccess,
    ) -> Result<Vec<PathwayPerson>, StoreError> {
        let sql = format!("{LINKED} WHERE l.org_id = $1 ORDER BY l.pathway_id");
        on_pool!(
            self,
            write | pool | {
                let mut tx = pool.begin().await?;
                let rows = sqlx::query(&sql).bind(org.0).fetch_all(&mut *tx).await?;
                let persons = rows
                    .iter()
                    .map(linked_from_row)
                    .collect::<Result<Vec<_>, _>>()?;
                append_access_tx!(tx, access);
                tx.commit().await?;
                Ok(persons)
            }
        )
    }

    /// The id of the person of the organisation's register with this pseudonym, if any (an
    /// import's person reference, resolved). Returns no personal data.
    pub async fn person_of_org_by_pseudonym(
        &self,
        org: OrgId,
        pseudonym: &str,
    ) -> Result<Option<i64>, StoreError> {
        on_pool!(
            self,
            read | pool | {
                let id: Option<i64> = sqlx::query_scalar(
                    "SELECT id FROM persons WHERE org_id = $1 AND pseudonym = $2",
                )
                .bind(org.0)
                .bind(pseudonym)
                .fetch_optional(pool)
                .await?;
                Ok(id)
            }
        )
    }
}
