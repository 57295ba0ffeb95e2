//! Webhook subscribers and the outbox of deliveries to them.
//!
//! The delivery machinery is shared: every area that sends webhooks keeps its subscribers,
//! deliveries and attempts in tables of the same shape, named by an [`Outbox`]
//! (the warnings' `warnings_*`, the discharge notices' `coordination_discharge_*`), and one
//! worker claims and records them all through [`Store::outbox_claim`] and
//! [`Store::outbox_record`]. Each area writes its own delivery rows in its own transaction.
//!
//! A delivery row is written in the transaction that publishes (see
//! [`Store::warnings_write`]), so nothing is lost if a server stops between approval and
//! delivery. Workers on any number of servers claim due rows with a lease
//! ([`Store::deliveries_claim`]: `FOR UPDATE SKIP LOCKED` on PostgreSQL; SQLite has one
//! writer): a claimed row is invisible to the others until its lease ends, so two servers never
//! make the same attempt, and a crashed server's rows are taken over when its leases expire.
//! [`Store::delivery_record`] writes an attempt's outcome only while the lease is still held.

use sqlx::Row;

use crate::db::{on_pool, Db};
use crate::{Store, StoreError};

/// A subscriber.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Webhook {
    pub id: i64,
    pub url: String,
    /// Area codes (`0301`, `county:46`, `national`); empty: every area.
    pub areas: Vec<String>,
    pub min_severity: Option<String>,
    /// `json` (a Standard Webhooks JSON envelope holding the CAP document) or `cap` (the CAP
    /// XML itself).
    pub format: String,
    pub secret: String,
    pub created_by: i64,
    pub created_at: String,
    pub active: bool,
    /// Marked after repeated failures; shown to the admin.
    pub failing: bool,
    pub consecutive_failures: i64,
}

/// A subscriber to register.
#[derive(Debug, Clone)]
pub struct NewWebhook {
    pub url: String,
    pub areas: Vec<String>,
    pub min_severity: Option<String>,
    pub format: String,
    pub secret: String,
    pub created_by: i64,
    pub created_at: String,
}

/// A message to deliver to one subscriber.
#[derive(Debug, Clone)]
pub struct NewDelivery {
    /// The Standard Webhooks `webhook-id`: the same on every retry.
    pub message_id: String,
    pub version: u32,
    /// `warning.published`, `warning.updated`, `warning.cancelled`.
    pub event_type: String,
    pub content_type: String,
    pub body: String,
}

/// A delivery as the admin's page shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    pub id: i64,
    pub webhook_id: i64,
    pub message_id: String,
    pub warning_id: String,
    pub version: i64,
    pub event_type: String,
    /// `pending`, `delivered` or `failed` (given up after retrying for a day).
    pub status: String,
    pub attempts: i64,
    pub created_at: i64,
    pub next_attempt_at: i64,
    pub delivered_at: Option<i64>,
    pub last_status: Option<i64>,
    pub last_error: Option<String>,
}

/// An outbox: an area's subscribers, deliveries and attempts, in tables of one shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outbox {
    /// The overdose warnings' (`warnings_webhooks`, `warnings_deliveries`, `warnings_attempts`).
    Warnings,
    /// The discharge notices' (`coordination_discharge_webhooks`, …).
    CoordinationDischarge,
    /// The overdose notices': the same coordination subscribers of a municipality
    /// (`coordination_discharge_webhooks`), their own deliveries and attempts
    /// (`coordination_overdose_deliveries`, `coordination_overdose_attempts`).
    CoordinationOverdose,
}

impl Outbox {
    /// Every outbox, in the order a worker serves them.
    pub const ALL: [Outbox; 3] = [
        Outbox::Warnings,
        Outbox::CoordinationDischarge,
        Outbox::CoordinationOverdose,
    ];

    /// The tables: (subscribers, deliveries, attempts).
    fn tables(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Outbox::Warnings => (
                "warnings_webhooks",
                "warnings_deliveries",
                "warnings_attempts",
            ),
            Outbox::CoordinationDischarge => (
                "coordination_discharge_webhooks",
                "coordination_discharge_deliveries",
                "coordination_discharge_attempts",
            ),
            Outbox::CoordinationOverdose => (
                "coordination_discharge_webhooks",
                "coordination_overdose_deliveries",
                "coordination_overdose_attempts",
            ),
        }
    }
}

/// A delivery claimed by a worker, with what it needs to send it.
#[derive(Debug, Clone)]
pub struct ClaimedDelivery {
    /// The outbox it is of (its attempt is recorded there).
    pub outbox: Outbox,
    pub id: i64,
    pub message_id: String,
    pub url: String,
    pub secret: String,
    pub content_type: String,
    pub body: String,
    pub attempts: i64,
    pub created_at: i64,
}

/// One attempt, as logged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    pub at: i64,
    pub duration_ms: i64,
    pub status_code: Option<i64>,
    pub error: Option<String>,
    pub instance: String,
}

/// What follows an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryOutcome {
    Delivered,
    /// Failed; try again at this time (ms).
    Retry(i64),
    /// Failed, and retried long enough: given up.
    GiveUp,
}

/// After how many failures in a row a subscriber is marked as failing.
pub const FAILING_AFTER: i64 = 5;

const WEBHOOK_COLS: &str = "SELECT id, url, areas, min_severity, format, secret, created_by, created_at, active, failing, consecutive_failures FROM warnings_webhooks";
const DELIVERY_COLS: &str = "SELECT id, webhook_id, message_id, warning_id, version, event_type, status, attempts, created_at, next_attempt_at, delivered_at, last_status, last_error FROM warnings_deliveries";

pub(crate) fn webhook_of<R: Row>(r: &R) -> Result<Webhook, StoreError>
where
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> bool: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<String>: sqlx::Decode<'a, R::Database>,
    usize: sqlx::ColumnIndex<R>,
{
    let areas: String = r.try_get(2)?;
    Ok(Webhook {
        id: r.try_get(0)?,
        url: r.try_get(1)?,
        areas: serde_json::from_str(&areas)
            .map_err(|e| StoreError::Corrupt(format!("webhook areas: {e}")))?,
        min_severity: r.try_get(3)?,
        format: r.try_get(4)?,
        secret: r.try_get(5)?,
        created_by: r.try_get(6)?,
        created_at: r.try_get(7)?,
        active: r.try_get(8)?,
        failing: r.try_get(9)?,
        consecutive_failures: r.try_get(10)?,
    })
}

fn delivery_of<R: Row>(r: &R) -> Result<Delivery, StoreError>
where
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<String>: sqlx::Decode<'a, R::Database>,
    for<'a> Option<i64>: sqlx::Decode<'a, R::Database>,
    usize: sqlx::ColumnIndex<R>,
{
    Ok(Delivery {
        id: r.try_get(0)?,
        webhook_id: r.try_get(1)?,
        message_id: r.try_get(2)?,
        warning_id: r.try_get(3)?,
        version: r.try_get(4)?,
        event_type: r.try_get(5)?,
        status: r.try_get(6)?,
        attempts: r.try_get(7)?,
        created_at: r.try_get(8)?,
        next_attempt_at: r.try_get(9)?,
        delivered_at: r.try_get(10)?,
        last_status: r.try_get(11)?,
        last_error: r.try_get(12)?,
    })
}

/// The active subscribers, inside a transaction.
macro_rules! active_webhooks_tx {
    ($tx:expr) => {{
        let rows = sqlx::query(&format!(
            "{} WHERE active = TRUE ORDER BY id",
            $crate::warnings::outbox::webhook_cols()
        ))
        .fetch_all(&mut *$tx)
        .await?;
        rows.iter()
            .map($crate::warnings::outbox::webhook_of)
            .collect::<Result<Vec<_>, _>>()?
    }};
}
pub(crate) use active_webhooks_tx;

/// Inserts a due delivery, inside a transaction.
macro_rules! insert_delivery_tx {
    ($tx:expr, $webhook:expr, $warning:expr, $d:expr, $now_ms:expr) => {{
        let d: &$crate::warnings::NewDelivery = $d;
        sqlx::query(
            "INSERT INTO warnings_deliveries (webhook_id, message_id, warning_id, version, event_type, content_type, body, status, created_at, next_attempt_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', $8, $8)",
        )
        .bind($webhook)
        .bind(&d.message_id)
        .bind($warning)
        .bind(i64::from(d.version))
        .bind(&d.event_type)
        .bind(&d.content_type)
        .bind(&d.body)
        .bind($now_ms)
        .execute(&mut *$tx)
        .await?;
    }};
}
pub(crate) use insert_delivery_tx;

pub(crate) fn webhook_cols() -> &'static str {
    WEBHOOK_COLS
}

impl Store {
    /// Registers a subscriber; its id.
    pub async fn webhook_create(&self, w: &NewWebhook) -> Result<i64, StoreError> {
        let areas = serde_json::to_string(&w.areas)
            .map_err(|e| StoreError::Corrupt(format!("webhook areas: {e}")))?;
        on_pool!(
            self,
            write
                | pool
                | {
                    Ok(sqlx::query_scalar(
                "INSERT INTO warnings_webhooks (url, areas, min_severity, format, secret, created_by, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            )
            .bind(&w.url)
            .bind(&areas)
            .bind(&w.min_severity)
            .bind(&w.format)
            .bind(&w.secret)
            .bind(w.created_by)
            .bind(&w.created_at)
            .fetch_one(pool)
            .await?)
                }
        )
    }

    /// Every subscriber, newest first.
    pub async fn webhooks(&self) -> Result<Vec<Webhook>, StoreError> {
        on_pool!(
            self,
            read | pool | {
                let rows = sqlx::query(&format!("{WEBHOOK_COLS} ORDER BY id DESC"))
                    .fetch_all(pool)
                    .await?;
                rows.iter().map(webhook_of).collect()
            }
        )
    }

    /// One subscriber.
    pub async fn webhook(&self, id: i64) -> Result<Option<Webhook>, StoreError> {
        on_pool!(
            self,
            read | pool | {
                let row = sqlx::query(&format!("{WEBHOOK_COLS} WHERE id = $1"))
                    .bind(id)
                    .fetch_optional(pool)
                    .await?;
                row.as_ref().map(webhook_of).transpose()
            }
        )
    }

    /// Stops sending to a subscriber (its pending deliveries are given up). False if unknown.
    pub async fn webhook_deactivate(&self, id: i64) -> Result<bool, StoreError> {
        on_pool!(
            self,
            write
                | pool
                | {
                    let mut tx = pool.begin().await?;
                    let n =
                        sqlx::query("UPDATE warnings_webhooks SET active = FALSE WHERE id = $1")
                            .bind(id)
                            .execute(&mut *tx)
                            .await?
                            .rows_affected();
                    sqlx::query("UPDATE warnings_deliveries SET status = 'failed', last_error = 'subscriber removed' WHERE webhook_id = $1 AND status = 'pending'")
                .bind(id)
                .execute(&mut *tx)
                .await?;
                    tx.commit().await?;
                    Ok(n == 1)
                }
        )
    }

    /// The warnings' [`Store::outbox_claim`].
    pub async fn deliveries_claim(
        &self,
        owner: &str,
        now_ms: i64,
        lease_ms: i64,
        limit: i64,
    ) -> Result<Vec<ClaimedDelivery>, StoreError> {
        self.outbox_claim(Outbox::Warnings, owner, now_ms, lease_ms, limit)
            .await
    }

    /// The warnings' [`Store::outbox_record`].
    pub async fn delivery_record(
        &self,
        id: i64,
        owner: &str,
        attempt: &Attempt,
        outcome: DeliveryOutcome,
    ) -> Result<bool, StoreError> {
        self.outbox_record(Outbox::Warnings, id, owner, attempt, outcome)
            .await
    }

    /// Claims up to `limit` due deliveries of `outbox` for `owner` until `now_ms +
    /// lease_ms`: pending, due, and not leased by a live worker. No other worker gets them
    /// while the lease runs.
    pub async fn outbox_claim(
        &self,
        outbox: Outbox,
        owner: &str,
        now_ms: i64,
        lease_ms: i64,
        limit: i64,
    ) -> Result<Vec<ClaimedDelivery>, StoreError> {
        let (webhooks, deliveries, _) = outbox.tables();
        // The only text that differs by engine: SQLite has no row locks (its one writer
        // serialises the claim), PostgreSQL skips rows another transaction is claiming.
        let lock = if self.engine() == crate::Engine::Postgres {
            " FOR UPDATE SKIP LOCKED"
        } else {
            ""
        };
        let claim = format!(
            "UPDATE {deliveries} SET lease_owner = $1, lease_until = $2 WHERE id IN (\
             SELECT id FROM {deliveries} WHERE status = 'pending' AND next_attempt_at <= $3 \
             AND (lease_until IS NULL OR lease_until < $3) ORDER BY next_attempt_at, id LIMIT $4{lock}) \
             RETURNING id"
        );
        on_pool!(
            self,
            write
                | pool
                | {
                    let mut tx = pool.begin().await?;
                    let ids: Vec<i64> = sqlx::query_scalar(&claim)
                        .bind(owner)
                        .bind(now_ms + lease_ms)
                        .bind(now_ms)
                        .bind(limit)
                        .fetch_all(&mut *tx)
                        .await?;
                    let mut out = Vec::with_capacity(ids.len());
                    for id in ids {
                        let r = sqlx::query(&format!(
                    "SELECT d.id, d.message_id, w.url, w.secret, d.content_type, d.body, d.attempts, d.created_at \
                     FROM {deliveries} d JOIN {webhooks} w ON w.id = d.webhook_id WHERE d.id = $1",
                ))
                .bind(id)
                .fetch_one(&mut *tx)
                .await?;
                        out.push(ClaimedDelivery {
                            outbox,
                            id: r.try_get(0)?,
                            message_id: r.try_get(1)?,
                            url: r.try_get(2)?,
                            secret: r.try_get(3)?,
                            content_type: r.try_get(4)?,
                            body: r.try_get(5)?,
                            attempts: r.try_get(6)?,
                            created_at: r.try_get(7)?,
                        });
                    }
                    tx.commit().await?;
                    Ok(out)
                }
        )
    }

    /// Records an attempt on delivery `id` of `outbox` by `owner` and what follows it,
    /// releasing the lease; the subscriber's failure count moves with it. False (nothing
    /// written) if the lease is no longer `owner`'s.
    pub async fn outbox_record(
        &self,
        outbox: Outbox,
        id: i64,
        owner: &str,
        attempt: &Attempt,
        outcome: DeliveryOutcome,
    ) -> Result<bool, StoreError> {
        let (status, next, delivered_at) = match outcome {
            DeliveryOutcome::Delivered => ("delivered", attempt.at, Some(attempt.at)),
            DeliveryOutcome::Retry(at) => ("pending", at, None),
            DeliveryOutcome::GiveUp => ("failed", attempt.at, None),
        };
        let ok = outcome == DeliveryOutcome::Delivered;
        let (webhooks, deliveries, attempts) = outbox.tables();
        let update = format!(
            "UPDATE {deliveries} SET status = $1, next_attempt_at = $2, delivered_at = $3, \
             attempts = attempts + 1, last_status = $4, last_error = $5, lease_owner = NULL, lease_until = NULL \
             WHERE id = $6 AND lease_owner = $7 RETURNING webhook_id"
        );
        let insert = format!(
            "INSERT INTO {attempts} (delivery_id, at, duration_ms, status_code, error, instance) \
             VALUES ($1, $2, $3, $4, $5, $6)"
        );
        let cleared = format!(
            "UPDATE {webhooks} SET consecutive_failures = 0, failing = FALSE WHERE id = $1"
        );
        let failed = format!(
            "UPDATE {webhooks} SET consecutive_failures = consecutive_failures + 1, \
             failing = (consecutive_failures + 1 >= $1) WHERE id = $2"
        );
        on_pool!(
            self,
            write | pool | {
                let mut tx = pool.begin().await?;
                let webhook: Option<i64> = sqlx::query_scalar(&update)
                    .bind(status)
                    .bind(next)
                    .bind(delivered_at)
                    .bind(attempt.status_code)
                    .bind(&attempt.error)
                    .bind(id)
                    .bind(owner)
                    .fetch_optional(&mut *tx)
                    .await?;
                let Some(webhook) = webhook else {
                    tx.rollback().await?;
                    return Ok(false);
                };
                sqlx::query(&insert)
                    .bind(id)
                    .bind(attempt.at)
                    .bind(attempt.duration_ms)
                    .bind(attempt.status_code)
                    .bind(&attempt.error)
                    .bind(&attempt.instance)
                    .execute(&mut *tx)
                    .await?;
                if ok {
                    sqlx::query(&cleared)
                        .bind(webhook)
                        .execute(&mut *tx)
                        .await?;
                } else {
                    sqlx::query(&failed)
                        .bind(FAILING_AFTER)
                        .bind(webhook)
                        .execute(&mut *tx)
                        .await?;
                }
                tx.commit().await?;
                Ok(true)
            }
        )
    }

    /// The latest `limit` deliveries to a subscriber (every subscriber's with `None`).
    pub async fn deliveries(
        &self,
        webhook: Option<i64>,
        limit: i64,
    ) -> Result<Vec<Delivery>, StoreError> {
        on_pool!(
            self,
            read | pool | {
                let rows = sqlx::query(&format!(
                "{DELIVERY_COLS} WHERE ($1 IS NULL OR webhook_id = $1) ORDER BY id DESC LIMIT $2"
            ))
                .bind(webhook)
                .bind(limit)
                .fetch_all(pool)
                .await?;
                rows.iter().map(delivery_of).collect()
            }
        )
    }

    /// One delivery.
    pub async fn delivery(&self, id: i64) -> Result<Option<Delivery>, StoreError> {
        on_pool!(
            self,
            read | pool | {
                let row = sqlx::query(&format!("{DELIVERY_COLS} WHERE id = $1"))
                    .bind(id)
                    .fetch_optional(pool)
                    .await?;
                row.as_ref().map(delivery_of).transpose()
            }
        )
    }

    /// The attempts of a delivery, oldest first.
    pub async fn delivery_attempts(&self, id: i64) -> Result<Vec<Attempt>, StoreError> {
        on_pool!(
            self,
            read | pool
                | {
                    let rows = sqlx::query(
                "SELECT at, duration_ms, status_code, error, instance FROM warnings_attempts WHERE delivery_id = $1 ORDER BY id",
            )
            .bind(id)
            .fetch_all(pool)
            .await?;
                    rows.iter()
                        .map(|r| {
                            Ok(Attempt {
                                at: r.try_get(0)?,
                                duration_ms: r.try_get(1)?,
                                status_code: r.try_get(2)?,
                                error: r.try_get(3)?,
                                instance: r.try_get(4)?,
                            })
                        })
                        .collect()
                }
        )
    }

    /// Sends a delivery again (the admin's resend): due now, with the same message id, so that
    /// a receiver that got it already can tell. False if unknown, its subscriber is removed, or a
    /// worker holds it right now.
    pub async fn delivery_resend(&self, id: i64, now_ms: i64) -> Result<bool, StoreError> {
        on_pool!(
            self,
            write
                | pool
                | {
                    let n = sqlx::query(
                "UPDATE warnings_deliveries SET status = 'pending', next_attempt_at = $1, lease_owner = NULL, lease_until = NULL \
                 WHERE id = $2 AND (lease_until IS NULL OR lease_until < $1) \
                 AND webhook_id IN (SELECT id FROM warnings_webhooks WHERE active = TRUE)",
            )
            .bind(now_ms)
            .bind(id)
            .execute(pool)
            .await?
            .rows_affected();
                    Ok(n == 1)
                }
        )
    }
}
