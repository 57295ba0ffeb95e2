//! Children as relatives (`coordination_children_records`, helsepersonelloven § 10 a): each
//! record dated and by its user, written and read with its access entry; the latest record
//! per plan feeds the unit's figures.

use jiff::Timestamp;
use varde_core::coordination::children::{ChildrenFacts, NewChildren};
use varde_core::org::OrgId;

use crate::audit::{append_access_tx, NewAccess};
use crate::db::{on_pool, Db};
use crate::{Store, StoreError};

/// A stored record.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct StoredChildren {
    pub id: i64,
    pub plan_id: i64,
    pub count: i64,
    pub ages: Vec<i64>,
    pub talked: bool,
    pub followed_up: bool,
    pub with: Vec<String>,
    pub on_day: String,
    pub recorded_by: String,
    pub recorded_at: String,
}

type Row = (
    i64,
    i64,
    i64,
    String,
    i64,
    i64,
    String,
    String,
    String,
    String,
);

fn list(s: &str) -> Vec<String> {
    s.split(',')
        .filter(|x| !x.is_empty())
        .map(str::to_owned)
        .collect()
}

impl Store {
    /// Records children as relatives on plan `plan`, with the access entry. Returns its id.
    pub async fn coordination_children_add(
        &self,
        plan: i64,
        c: &NewChildren,
        actor_id: i64,
        at: Timestamp,
        access: &NewAccess,
    ) -> Result<i64, StoreError> {
        let ages: Vec<String> = c.ages.iter().map(|a| a.to_string()).collect();
        let with: Vec<&str> = c.with.iter().map(|w| w.as_str()).collect();
        on_pool!(
            self,
            write | pool | {
                let mut tx = pool.begin().await?;
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO coordination_children_records (plan_id, child_count, ages, \
                     talked, followed_up, with_parties, on_day, recorded_by, recorded_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
                )
                .bind(plan)
                .bind(i64::from(c.count))
                .bind(ages.join(","))
                .bind(i64::from(c.talked))
                .bind(i64::from(c.followed_up))
                .bind(with.join(","))
                .bind(c.on.to_string())
                .bind(actor_id)
                .bind(at.to_string())
                .fetch_one(&mut *tx)
                .await?;
                append_access_tx!(tx, access);
                tx.commit().await?;
                Ok(id)
            }
        )
    }

    /// The records of plan `plan`, newest first, read with the access entry (none: the read
    /// is logged with another of the same page).
    pub async fn coordination_children_of(
        &self,
        plan: i64,
        access: Option<&NewAccess>,
    ) -> Result<Vec<StoredChildren>, StoreError> {
        on_pool!(
            self,
            write | pool | {
                let mut tx = pool.begin().await?;
                let rows: Vec<Row> = sqlx::query_as(
                    "SELECT c.id, c.plan_id, c.child_count, c.ages, c.talked, c.followed_up, \
                     c.with_parties, c.on_day, u.username, c.recorded_at \
                     FROM coordination_children_records c JOIN users u ON u.id = c.recorded_by \
                     WHERE c.plan_id = $1 ORDER BY c.on_day DESC, c.id DESC",
                )
                .bind(plan)
                .fetch_all(&mut *tx)
                .await?;
                if let Some(access) = access {
                    append_access_tx!(tx, access);
                }
                tx.commit().await?;
                Ok(rows
                    .into_iter()
                    .map(|r| StoredChildren {
                        id: r.0,
                        plan_id: r.1,
                        count: r.2,
                        ages: list(&r.3).iter().filter_map(|a| a.parse().ok()).collect(),
                        talked: r.4 == 1,
                        followed_up: r.5 == 1,
                        with: list(&r.6),
                        on_day: r.7,
                        recorded_by: r.8,
                        recorded_at: r.9,
                    })
                    .collect())
            }
        )
    }

    /// The latest record of each plan of `org` that is not closed (no personal data: counts
    /// and flags only), for the unit's figures.
    pub async fn coordination_children_facts(
        &self,
        org: OrgId,
    ) -> Result<Vec<ChildrenFacts>, StoreError> {
        on_pool!(
            self,
            read | pool
                | {
                    let rows: Vec<(i64, i64, i64)> = sqlx::query_as(
                    "SELECT c.child_count, c.talked, c.followed_up \
                     FROM coordination_children_records c \
                     JOIN coordination_plans p ON p.id = c.plan_id \
                     WHERE p.org_id = $1 AND p.status <> 'closed' AND c.id = ( \
                       SELECT c2.id FROM coordination_children_records c2 WHERE c2.plan_id = c.plan_id \
                       ORDER BY c2.on_day DESC, c2.id DESC LIMIT 1)",
                )
                .bind(org.0)
                .fetch_all(pool)
                .await?;
                    Ok(rows
                        .into_iter()
                        .map(|r| ChildrenFacts {
                            count: r.0.max(0) as u32,
                            talked: r.1 == 1,
                            followed_up: r.2 == 1,
                        })
                        .collect())
                }
        )
    }
}
