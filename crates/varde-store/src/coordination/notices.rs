//! What the two notices between organisations share — the discharge notice (a TSB unit to the
//! municipality) and the overdose notice (an ambulance service or emergency ward to the
//! municipality): each is a stream of events folded into a projection row, each step is written
//! expecting the version its check read, and each write puts one outbox row per active
//! coordination subscriber of the municipality, all in one transaction with the access entry.
//!
//! A kind of notice says where it lives ([`NoticeKind`]); [`Store::notice_step`] and
//! [`Store::notice_state`] serve both. The kinds' own writes (raising, registering with a
//! consent and a monitoring row) and reads (their columns differ) stay in their modules.

use jiff::Timestamp;
use serde::de::DeserializeOwned;
use serde::Serialize;
use varde_core::calendar::day_in_oslo;
use varde_core::coordination::{discharge, overdose};
use varde_core::org::OrgId;

use crate::audit::{append_access_tx, NewAccess};
use crate::db::json;
use crate::db::{on_pool, Db};
use crate::events::{append_event_tx, NewEvent};
use crate::{Store, StoreError};

/// A message to the municipality's subscribers about one step (the body names the notice and
/// its step, never the person).
#[derive(Debug, Clone)]
pub struct NoticeMessage {
    /// A unique base; each subscriber's `webhook-id` is `{base}.{subscriber}`.
    pub message_base: String,
    pub event_type: String,
    pub body: String,
}

/// A kind of notice: its folded state (the projection's `state`), its steps, and where it is
/// stored.
pub trait NoticeKind: Serialize + DeserializeOwned + Send + Sync {
    type Step: Serialize + Sync;
    /// The projection table (`id`, `state`, `status`, `version`, `municipality_org_id`,
    /// `updated_at`).
    const TABLE: &'static str;
    /// The stream prefix: the notice's stream is `{STREAM}:{id}`.
    const STREAM: &'static str;
    /// The outbox (deliveries) table, each row with a `notice_id`.
    const DELIVERIES: &'static str;
    /// The status column's value.
    fn status(&self) -> &'static str;
    /// The event kind of a step.
    fn step_kind(step: &Self::Step) -> &'static str;
    /// The day column the projection keeps besides the state, if any (name, value).
    fn day_column(&self) -> Option<(&'static str, Option<String>)> {
        None
    }
}

impl NoticeKind for discharge::Notice {
    type Step = discharge::Step;
    const TABLE: &'static str = "coordination_discharge_notices";
    const STREAM: &'static str = "coordination_discharge";
    const DELIVERIES: &'static str = "coordination_discharge_deliveries";
    fn status(&self) -> &'static str {
        discharge::Notice::status(self).as_str()
    }
    fn step_kind(step: &discharge::Step) -> &'static str {
        step.kind()
    }
    fn day_column(&self) -> Option<(&'static str, Option<String>)> {
        Some(("discharged_on", self.discharged_on.map(|d| d.to_string())))
    }
}

impl NoticeKind for overdose::Notice {
    type Step = overdose::Step;
    const TABLE: &'static str = "coordination_overdose_notices";
    const STREAM: &'static str = "coordination_overdose";
    const DELIVERIES: &'static str = "coordination_overdose_deliveries";
    fn status(&self) -> &'static str {
        overdose::Notice::status(self).as_str()
    }
    fn step_kind(step: &overdose::Step) -> &'static str {
        step.kind()
    }
}

/// The event-log stream (and access-log record) of one notice of kind `N`.
pub fn notice_stream<N: NoticeKind>(id: i64) -> String {
    format!("{}:{id}", N::STREAM)
}

/// A step on a notice, to write.
pub struct NoticeStep<'a, N: NoticeKind> {
    pub id: i64,
    /// The version the step was checked against.
    pub expected_version: i64,
    pub step: &'a N::Step,
    /// The notice with the step applied.
    pub after: &'a N,
    pub actor_id: i64,
    pub actor_org: OrgId,
    pub at: Timestamp,
    pub access: &'a NewAccess,
    pub message: &'a NoticeMessage,
}

/// Writes one outbox row per active subscriber of the municipality (its coordination
/// subscribers, `coordination_discharge_webhooks`) into the deliveries table `$deliveries`,
/// inside a transaction.
macro_rules! outbox_rows_tx {
    ($tx:expr, $deliveries:expr, $org:expr, $notice:expr, $m:expr, $now_ms:expr) => {{
        let m: &$crate::coordination::notices::NoticeMessage = $m;
        let hooks: Vec<i64> = sqlx::query_scalar(
            "SELECT id FROM coordination_discharge_webhooks WHERE org_id = $1 AND active = TRUE ORDER BY id",
        )
        .bind($org)
        .fetch_all(&mut *$tx)
        .await?;
        let insert = format!(
            "INSERT INTO {} (webhook_id, message_id, notice_id, event_type, content_type, body, status, created_at, next_attempt_at) \
             VALUES ($1, $2, $3, $4, 'application/json', $5, 'pending', $6, $6)",
            $deliveries
        );
        for hook in hooks {
            sqlx::query(&insert)
                .bind(hook)
                .bind(format!("{}.{hook}", m.message_base))
                .bind($notice)
                .bind(&m.event_type)
                .bind(&m.body)
                .bind($now_ms)
                .execute(&mut *$tx)
                .await?;
        }
    }};
}
pub(crate) use outbox_rows_tx;

fn folded<N: NoticeKind>(state: &str) -> Result<N, StoreError> {
    serde_json::from_str(state).map_err(|e| StoreError::Corrupt(format!("{}: {e}", N::TABLE)))
}

impl Store {
    /// Takes a step on a notice: the event, the projection (only if it is still at
    /// `expected_version`), the outbox rows and the access entry in one transaction
    /// ([`StoreError::Changed`], nothing written, if another step came first).
    pub async fn notice_step<N: NoticeKind>(
        &self,
        w: &NoticeStep<'_, N>,
    ) -> Result<(), StoreError> {
        let state = json(w.after)?;
        let body = json(w.step)?;
        let at = w.at.to_string();
        let now_ms = w.at.as_millisecond();
        let (day_set, day) = match w.after.day_column() {
            Some((column, value)) => (format!(", {column} = $6"), value),
            None => (String::new(), None),
        };
        let sql = format!(
            "UPDATE {} SET state = $1, status = $2, version = version + 1, updated_at = $3{day_set} \
             WHERE id = $4 AND version = $5 RETURNING municipality_org_id",
            N::TABLE
        );
        on_pool!(
            self,
            write | pool | {
                let mut tx = pool.begin().await?;
                let mut update = sqlx::query_scalar(&sql)
                    .bind(&state)
                    .bind(w.after.status())
                    .bind(&at)
                    .bind(w.id)
                    .bind(w.expected_version);
                if !day_set.is_empty() {
                    update = update.bind(&day);
                }
                let org: Option<i64> = update.fetch_optional(&mut *tx).await?;
                let Some(org) = org else {
                    tx.rollback().await?;
                    return Err(StoreError::Changed(
                        "the notice has changed since it was read",
                    ));
                };
                let ev = NewEvent {
                    stream: notice_stream::<N>(w.id),
                    kind: N::step_kind(w.step).to_owned(),
                    body: body.clone(),
                    actor_id: Some(w.actor_id),
                    org_id: Some(w.actor_org.0),
                    recorded_at: w.at,
                    effective_date: day_in_oslo(w.at).to_string(),
                    expected_seq: Some(w.expected_version),
                };
                append_event_tx!(tx, &ev);
                outbox_rows_tx!(tx, N::DELIVERIES, org, w.id, w.message, now_ms);
                append_access_tx!(tx, w.access);
                tx.commit().await?;
                Ok(())
            }
        )
    }

    /// A notice's state and version, for the check of a step (the step's write logs the
    /// access; nothing of it leaves the server otherwise).
    pub async fn notice_state<N: NoticeKind>(&self, id: i64) -> Result<(N, i64), StoreError> {
        let sql = format!("SELECT state, version FROM {} WHERE id = $1", N::TABLE);
        on_pool!(
            self,
            read | pool | {
                let (state, version): (String, i64) = sqlx::query_as(&sql)
                    .bind(id)
                    .fetch_optional(pool)
                    .await?
                    .ok_or(StoreError::NotFound)?;
                Ok((folded::<N>(&state)?, version))
            }
        )
    }
}
