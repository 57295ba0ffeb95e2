//! Storage of overdose warnings, on both engines.
//!
//! Every step of a warning is an event in the stream [`warnings_stream`] (`warnings:{id}`),
//! its body a `varde_core::warnings::Event`; the table `warnings` is their projection (the
//! replayed `Warning` as JSON and the stream position it is of). [`Store::warnings_write`]
//! reads the warning inside its transaction, checks the step against it there (so that an
//! approval is checked again where it is written), appends the event, updates the projection,
//! writes the outbox rows of a publication or cancellation, logs the access and moves the
//! stamp — all or nothing. Subscribers and the outbox are in [`outbox`].

mod outbox;

pub use outbox::{
    Attempt, ClaimedDelivery, Delivery, DeliveryOutcome, NewDelivery, NewWebhook, Outbox, Webhook,
};

use jiff::Timestamp;
use sqlx::Row;
use varde_core::warnings::{Actor, Event, Refusal, Warning};

use crate::audit::{append_access_tx, NewAccess};
use crate::db::{on_pool, Db};
use crate::events::{append_event_tx, NewEvent};
use crate::{Store, StoreError};

/// The event-log stream of one warning.
pub fn warnings_stream(id: &str) -> String {
    format!("warnings:{id}")
}

/// One step of a warning, to write.
pub struct WarningWrite<'a> {
    pub id: &'a str,
    pub event: &'a Event,
    pub actor: &'a Actor,
    pub org_id: i64,
    pub at: Timestamp,
    pub access: &'a NewAccess,
}

fn parse_state(state: &str) -> Result<Warning, StoreError> {
    serde_json::from_str(state).map_err(|e| StoreError::Corrupt(format!("warning state: {e}")))
}

impl Store {
    /// The stamp of the warnings: moves on every write (caches are keyed by it).
    pub async fn warnings_stamp(&self) -> Result<i64, StoreError> {
        on_pool!(
            self,
            read | pool | {
                Ok(
                    sqlx::query_scalar("SELECT stamp FROM warnings_stamp WHERE id = 1")
                        .fetch_one(pool)
                        .await?,
                )
            }
        )
    }

    /// One warning, as its events replay.
    pub async fn warning(&self, id: &str) -> Result<Option<Warning>, StoreError> {
        let state: Option<String> = on_pool!(
            self,
            read | pool | {
                sqlx::query_scalar("SELECT state FROM warnings WHERE id = $1")
                    .bind(id)
                    .fetch_optional(pool)
                    .await?
            }
        );
        state.as_deref().map(parse_state).transpose()
    }

    /// Every warning, the most recently changed first, with the stamp they are of (read in
    /// one transaction, so that a cache keyed by the stamp holds exactly these).
    pub async fn warnings_all(&self) -> Result<(i64, Vec<Warning>), StoreError> {
        let (stamp, rows): (i64, Vec<String>) = on_pool!(
            self,
            read | pool | {
                let mut tx = pool.begin().await?;
                let stamp: i64 =
                    sqlx::query_scalar("SELECT stamp FROM warnings_stamp WHERE id = 1")
                        .fetch_one(&mut *tx)
                        .await?;
                let rows: Vec<String> =
                    sqlx::query_scalar("SELECT state FROM warnings ORDER BY updated_at DESC, id")
                        .fetch_all(&mut *tx)
                        .await?;
                tx.commit().await?;
                (stamp, rows)
            }
        );
        let warnings = rows
            .iter()
            .map(|s| parse_state(s))
            .collect::<Result<_, _>>()?;
        Ok((stamp, warnings))
    }

    /// Writes one step of a warning: checked against the warning as it is inside the
    /// transaction (`Refusal` on a broken rule, nothing written), then the event, the
    /// projection, the outbox rows `deliveries` gives for the new state and each active
    /// subscriber (publication and cancellation only), the access entry and the stamp.
    pub async fn warnings_write<F>(
        &self,
        write: WarningWrite<'_>,
        deliveries: F,
    ) -> Result<Result<Warning, Refusal>, StoreError>
    where
        F: Fn(&Warning, &Webhook) -> Option<NewDelivery> + Send + Sync,
    {
        let WarningWrite {
            id,
            event,
            actor,
            org_id,
            at,
            access,
        } = write;
        let body = serde_json::to_string(event)
            .map_err(|e| StoreError::Corrupt(format!("warning event: {e}")))?;
        let at_text = at.to_string();
        let at_ms = at.as_millisecond();
        on_pool!(
            self,
            write
                | pool
                | {
                    let mut tx = pool.begin().await?;
                    let row = sqlx::query("SELECT state, seq FROM warnings WHERE id = $1")
                        .bind(id)
                        .fetch_optional(&mut *tx)
                        .await?;
                    let (mut warning, seq) = match &row {
                        Some(r) => (
                            parse_state(r.try_get::<&str, _>(0)?)?,
                            r.try_get::<i64, _>(1)?,
                        ),
                        None => (Warning::new(id), 0),
                    };
                    if let Err(refusal) = warning.check(event, actor) {
                        tx.rollback().await?;
                        return Ok(Err(refusal));
                    }
                    let ev = NewEvent {
                        expected_seq: Some(seq),
                        ..NewEvent::by(
                            warnings_stream(id),
                            event.kind(),
                            body.clone(),
                            actor.id,
                            org_id,
                            at,
                        )
                    };
                    let new_seq = append_event_tx!(tx, &ev);
                    warning.apply(event, actor.clone(), at);
                    let state = serde_json::to_string(&warning)
                        .map_err(|e| StoreError::Corrupt(format!("warning state: {e}")))?;
                    sqlx::query(
                "INSERT INTO warnings (id, state, seq, created_at, updated_at) VALUES ($1, $2, $3, $4, $4) \
                 ON CONFLICT (id) DO UPDATE SET state = excluded.state, seq = excluded.seq, updated_at = excluded.updated_at",
            )
            .bind(id)
            .bind(&state)
            .bind(new_seq)
            .bind(&at_text)
            .execute(&mut *tx)
            .await?;
                    if matches!(event, Event::Approved { .. } | Event::Cancelled { .. }) {
                        let hooks = outbox::active_webhooks_tx!(tx);
                        for hook in &hooks {
                            if let Some(d) = deliveries(&warning, hook) {
                                outbox::insert_delivery_tx!(tx, hook.id, id, &d, at_ms);
                            }
                        }
                    }
                    append_access_tx!(tx, access);
                    sqlx::query("UPDATE warnings_stamp SET stamp = stamp + 1 WHERE id = 1")
                        .execute(&mut *tx)
                        .await?;
                    tx.commit().await?;
                    Ok(Ok(warning))
                }
        )
    }
}
