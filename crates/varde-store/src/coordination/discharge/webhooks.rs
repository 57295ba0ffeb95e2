//! A municipality's own webhook subscribers for the discharge notices addressed to it, and
//! their deliveries. The deliveries are claimed and recorded by the shared outbox machinery
//! ([`crate::Outbox::CoordinationDischarge`]).

use varde_core::org::OrgId;

use crate::db::{on_pool, Db};
use crate::{Store, StoreError};

/// A municipality's subscriber.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DischargeWebhook {
    pub id: i64,
    pub org_id: OrgId,
    pub url: String,
    pub created_at: String,
    pub active: bool,
    pub failing: bool,
}

/// A delivery as the municipality's page shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DischargeDelivery {
    pub id: i64,
    pub webhook_id: i64,
    pub notice_id: i64,
    pub event_type: String,
    pub status: String,
    pub attempts: i64,
    pub last_error: Option<String>,
}

/// A delivery row as read.
type DeliveryTuple = (i64, i64, i64, String, String, i64, Option<String>);

impl Store {
    /// Registers a subscriber of `org`; its id. The secret is stored to sign every delivery.
    pub async fn discharge_webhook_create(
        &self,
        org: OrgId,
        url: &str,
        secret: &str,
        created_by: i64,
        created_at: &str,
    ) -> Result<i64, StoreError> {
        on_pool!(
            self,
            write
                | pool
                | {
                    Ok(sqlx::query_scalar(
                    "INSERT INTO coordination_discharge_webhooks (org_id, url, secret, created_by, created_at) \
                     VALUES ($1, $2, $3, $4, $5) RETURNING id",
                )
                .bind(org.0)
                .bind(url)
                .bind(secret)
                .bind(created_by)
                .bind(created_at)
                .fetch_one(pool)
                .await?)
                }
        )
    }

    /// The subscribers of `org`, newest first (never their secrets).
    pub async fn discharge_webhooks(
        &self,
        org: OrgId,
    ) -> Result<Vec<DischargeWebhook>, StoreError> {
        on_pool!(
            self,
            read | pool
                | {
                    let rows: Vec<(i64, i64, String, String, bool, bool)> = sqlx::query_as(
                    "SELECT id, org_id, url, created_at, active, failing FROM coordination_discharge_webhooks \
                     WHERE org_id = $1 ORDER BY id DESC",
                )
                .bind(org.0)
                .fetch_all(pool)
                .await?;
                    Ok(rows
                        .into_iter()
                        .map(
                            |(id, org, url, created_at, active, failing)| DischargeWebhook {
                                id,
                                org_id: OrgId(org),
                                url,
                                created_at,
                                active,
                                failing,
                            },
                        )
                        .collect())
                }
        )
    }

    /// Stops sending to a subscriber of `org` (its pending deliveries are given up). False if
    /// `org` has no such subscriber.
    pub async fn discharge_webhook_deactivate(
        &self,
        org: OrgId,
        id: i64,
    ) -> Result<bool, StoreError> {
        on_pool!(
            self,
            write
                | pool
                | {
                    let mut tx = pool.begin().await?;
                    let n = sqlx::query(
                    "UPDATE coordination_discharge_webhooks SET active = FALSE WHERE id = $1 AND org_id = $2",
                )
                .bind(id)
                .bind(org.0)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                    sqlx::query(
                    "UPDATE coordination_discharge_deliveries SET status = 'failed', last_error = 'subscriber removed' \
                     WHERE webhook_id = $1 AND status = 'pending'",
                )
                .bind(id)
                .execute(&mut *tx)
                .await?;
                    // The same subscribers receive the overdose notices.
                    sqlx::query(
                    "UPDATE coordination_overdose_deliveries SET status = 'failed', last_error = 'subscriber removed' \
                     WHERE webhook_id = $1 AND status = 'pending'",
                )
                .bind(id)
                .execute(&mut *tx)
                .await?;
                    if n == 1 {
                        tx.commit().await?;
                    } else {
                        tx.rollback().await?;
                    }
                    Ok(n == 1)
                }
        )
    }

    /// The latest `limit` deliveries to `org`'s subscribers.
    pub async fn discharge_deliveries(
        &self,
        org: OrgId,
        limit: i64,
    ) -> Result<Vec<DischargeDelivery>, StoreError> {
        on_pool!(
            self,
            read | pool
                | {
                    let rows: Vec<DeliveryTuple> = sqlx::query_as(
                    "SELECT d.id, d.webhook_id, d.notice_id, d.event_type, d.status, d.attempts, d.last_error \
                     FROM coordination_discharge_deliveries d JOIN coordination_discharge_webhooks w ON w.id = d.webhook_id \
                     WHERE w.org_id = $1 ORDER BY d.id DESC LIMIT $2",
                )
                .bind(org.0)
                .bind(limit)
                .fetch_all(pool)
                .await?;
                    Ok(rows
                        .into_iter()
                        .map(|r| DischargeDelivery {
                            id: r.0,
                            webhook_id: r.1,
                            notice_id: r.2,
                            event_type: r.3,
                            status: r.4,
                            attempts: r.5,
                            last_error: r.6,
                        })
                        .collect())
                }
        )
    }
}

impl Store {
    /// The servers that made attempts on `org`'s deliveries (the several-server test, and
    /// the subscribers' page).
    pub async fn discharge_delivery_instances(
        &self,
        org: OrgId,
    ) -> Result<Vec<String>, StoreError> {
        on_pool!(
            self,
            read | pool | {
                Ok(sqlx::query_scalar(
                    "SELECT DISTINCT a.instance FROM coordination_discharge_attempts a \
                     JOIN coordination_discharge_deliveries d ON d.id = a.delivery_id \
                     JOIN coordination_discharge_webhooks w ON w.id = d.webhook_id \
                     WHERE w.org_id = $1 ORDER BY a.instance",
                )
                .bind(org.0)
                .fetch_all(pool)
                .await?)
            }
        )
    }
}
