//! Organisations: municipalities, health trusts, the national bodies.

use jiff::Timestamp;
use sqlx::Row;
use varde_core::org::{OrgId, OrgKind};

use crate::db::{map_unique, on_pool, Db};
use crate::{Store, StoreError};

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Org {
    pub id: OrgId,
    pub kind: String,
    pub name: String,
    pub slug: String,
    pub kommunenummer: Option<String>,
    pub orgnr: Option<String>,
    pub parent_id: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct NewOrg {
    pub kind: OrgKind,
    pub name: String,
    pub slug: String,
    pub kommunenummer: Option<String>,
    pub orgnr: Option<String>,
    pub parent_id: Option<i64>,
}

impl Store {
    /// Creates an organisation, or returns the existing one with the same slug.
    pub async fn ensure_org(&self, org: &NewOrg, now: Timestamp) -> Result<OrgId, StoreError> {
        on_pool!(
            self,
            write | pool | {
                sqlx::query(ORG_INSERT)
                    .bind(org.kind.as_str())
                    .bind(&org.name)
                    .bind(&org.slug)
                    .bind(&org.kommunenummer)
                    .bind(&org.orgnr)
                    .bind(org.parent_id)
                    .bind(now.to_string())
                    .execute(pool)
                    .await
                    .map_err(|e| map_unique(e, "an organisation with this number exists"))?;
                let id: i64 = sqlx::query_scalar("SELECT id FROM orgs WHERE slug = $1")
                    .bind(&org.slug)
                    .fetch_one(pool)
                    .await?;
                Ok(OrgId(id))
            }
        )
    }

    /// Creates many organisations in one transaction, skipping slugs that exist.
    pub async fn ensure_orgs(&self, orgs: &[NewOrg], now: Timestamp) -> Result<(), StoreError> {
        let at = now.to_string();
        on_pool!(
            self,
            write | pool | {
                let mut tx = pool.begin().await?;
                for org in orgs {
                    sqlx::query(ORG_INSERT)
                        .bind(org.kind.as_str())
                        .bind(&org.name)
                        .bind(&org.slug)
                        .bind(&org.kommunenummer)
                        .bind(&org.orgnr)
                        .bind(org.parent_id)
                        .bind(&at)
                        .execute(&mut *tx)
                        .await?;
                }
                tx.commit().await?;
                Ok(())
            }
        )
    }

    /// Finds an organisation by municipality number, organisation number or slug.
    pub async fn org_by_key(&self, key: &str) -> Result<Option<Org>, StoreError> {
        on_pool!(
            self,
            read | pool
                | {
                    let row = sqlx::query(&format!(
                    "{ORG_COLS} WHERE kommunenummer = $1 OR orgnr = $1 OR slug = $1 ORDER BY id LIMIT 1"
                ))
                .bind(key)
                .fetch_optional(pool)
                .await?;
                    row.map(|r| org_from_row(&r)).transpose()
                }
        )
    }

    pub async fn org(&self, id: OrgId) -> Result<Org, StoreError> {
        on_pool!(
            self,
            read | pool | {
                let row = sqlx::query(&format!("{ORG_COLS} WHERE id = $1"))
                    .bind(id.0)
                    .fetch_optional(pool)
                    .await?
                    .ok_or(StoreError::NotFound)?;
                org_from_row(&row)
            }
        )
    }

    pub async fn list_orgs(&self) -> Result<Vec<Org>, StoreError> {
        on_pool!(
            self,
            read | pool | {
                let rows = sqlx::query(&format!(
                    "{ORG_COLS} ORDER BY kind, COALESCE(kommunenummer, ''), name"
                ))
                .fetch_all(pool)
                .await?;
                rows.iter().map(org_from_row).collect()
            }
        )
    }
}

const ORG_INSERT: &str =
    "INSERT INTO orgs (kind, name, slug, kommunenummer, orgnr, parent_id, created_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (slug) DO NOTHING";
const ORG_COLS: &str = "SELECT id, kind, name, slug, kommunenummer, orgnr, parent_id FROM orgs";

fn org_from_row<R: Row>(r: &R) -> Result<Org, StoreError>
where
    usize: sqlx::ColumnIndex<R>,
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<String>: sqlx::Decode<'a, R::Database>,
    for<'a> Option<i64>: sqlx::Decode<'a, R::Database>,
{
    Ok(Org {
        id: OrgId(r.try_get(0)?),
        kind: r.try_get(1)?,
        name: r.try_get(2)?,
        slug: r.try_get(3)?,
        kommunenummer: r.try_get(4)?,
        orgnr: r.try_get(5)?,
        parent_id: r.try_get(6)?,
    })
}
