//! Corrections of pathway events: a `pathway.corrected` event naming its target by (event,
//! row) withdraws a projection row and may add its replacement; rows are never updated
//! otherwise.

use jiff::Timestamp;
use sqlx::Row;
use varde_core::calendar::day_in_oslo;
use varde_core::org::{OrgId, UserId};
use varde_core::pathways::EventFields;

use super::chunks::{values, PROJECTION_COLS};
use super::stamp::{unchanged_since, HEAD_BUMP};
use super::{
    json, pathway_from_row, pathway_stream, trimmed, Fields, PathwayStamp, StoredPathwayEvent,
    EVENT_INSERT, PATHWAY_CORRECTED_KIND,
};
use crate::audit::{append_access_tx, NewAccess};
use crate::db::{map_unique_changed, on_pool, Db};
use crate::{Store, StoreError};

/// A withdrawn pathway event and the correction that withdrew it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PathwayCorrection {
    pub withdrawn: StoredPathwayEvent,
    /// `None` for rows withdrawn before corrections were linked to their rows.
    pub correction: Option<CorrectionEvent>,
}

/// A correction as logged.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CorrectionEvent {
    /// Its event-log entry.
    pub event_id: i64,
    pub actor_id: Option<i64>,
    pub recorded_at: String,
    pub reason: String,
    /// The row that replaced the withdrawn one, if the correction had a replacement.
    pub replacement_id: Option<i64>,
}

/// The body of a [`PATHWAY_CORRECTED_KIND`] event.
#[derive(serde::Serialize)]
struct CorrectionBody<'a> {
    target: Target,
    replacement: Option<&'a Fields<'a>>,
    reason: &'a str,
}

/// A logged row: the `row`-th row of event `event`.
#[derive(serde::Serialize)]
struct Target {
    event: i64,
    row: i64,
}

fn already_corrected() -> StoreError {
    StoreError::Conflict("the event has been corrected already")
}

const PATHWAY_COLS_WITH_WITHDRAWN: &str = "SELECT id, event_id, row_index, org_id, pathway_id, unit, hf, rhf, kommune, care_level, event, date, code, outcome, deadline, pathway_variant, batch_id, recorded_at, withdrawn, withdrawn_by FROM pathways_events";

impl Store {
    /// The corrections of one pathway of an organisation, oldest first: each withdrawn row with
    /// the correction that withdrew it (reason, who, when) and its replacement's row id, if
    /// any. Rows withdrawn before corrections were linked to their rows have `correction`
    /// `None`.
    pub async fn pathway_corrections_of(
        &self,
        org: OrgId,
        pathway_id: &str,
    ) -> Result<Vec<PathwayCorrection>, StoreError> {
        // Each row of the pathway with the correction event that withdrew it, if any, in one
        // read: columns 0..=17 as `PATHWAY_COLS`, then withdrawn, withdrawn_by and the event's
        // body, actor and time.
        let sql = format!(
            "SELECT p.*, e.body, e.actor_id, e.recorded_at FROM \
             ({PATHWAY_COLS_WITH_WITHDRAWN} WHERE org_id = $1 AND pathway_id = $2) p \
             LEFT JOIN events e ON e.id = p.withdrawn_by ORDER BY p.id"
        );
        on_pool!(
            self,
            read | pool | {
                let rows = sqlx::query(&sql)
                    .bind(org.0)
                    .bind(pathway_id.trim_ascii())
                    .fetch_all(pool)
                    .await?;
                let all = rows
                    .iter()
                    .map(|r| Ok((pathway_from_row(r)?, r)))
                    .collect::<Result<Vec<_>, StoreError>>()?;
                let mut out = Vec::new();
                for (row, r) in &all {
                    if !r.try_get::<bool, _>(18)? {
                        continue;
                    }
                    let correction = match r.try_get::<Option<i64>, _>(19)? {
                        None => None,
                        Some(event_id) => {
                            let body: String =
                                r.try_get::<Option<String>, _>(20)?.ok_or_else(|| {
                                    StoreError::Corrupt(format!(
                                        "correction event {event_id} is missing"
                                    ))
                                })?;
                            let reason = serde_json::from_str::<serde_json::Value>(&body)
                                .ok()
                                .and_then(|v| v["reason"].as_str().map(str::to_owned))
                                .unwrap_or_default();
                            Some(CorrectionEvent {
                                event_id,
                                actor_id: r.try_get(21)?,
                                recorded_at: r.try_get(22)?,
                                reason,
                                replacement_id: all
                                    .iter()
                                    .find(|(p, _)| p.event_id == event_id)
                                    .map(|(p, _)| p.id),
                            })
                        }
                    };
                    out.push(PathwayCorrection {
                        withdrawn: row.clone(),
                        correction,
                    });
                }
                Ok(out)
            }
        )
    }

    /// A correction: withdraws projection row `id` and, with a replacement, inserts it as a
    /// new projection row (row 0 of the correction's log event); one [`PATHWAY_CORRECTED_KIND`]
    /// event goes to the organisation's stream, with the date of `recorded_at` as its effective
    /// date. With `access`, its entry is written in the same transaction. Returns the
    /// replacement's projection id, if any.
    ///
    /// `NotFound` if row `id` does not exist or belongs to another organisation; `Conflict`
    /// if it has been withdrawn already.
    #[allow(clippy::too_many_arguments)]
    pub async fn correct_pathway_event(
        &self,
        org: OrgId,
        actor: UserId,
        id: i64,
        replacement: Option<&EventFields>,
        reason: &str,
        recorded_at: Timestamp,
        access: Option<&NewAccess>,
    ) -> Result<Option<i64>, StoreError> {
        self.correct_pathway_event_expecting(
            org,
            actor,
            id,
            replacement,
            reason,
            recorded_at,
            access,
            None,
        )
        .await
    }

    /// As [`Store::correct_pathway_event`], only if the organisation's events are still at
    /// version `expected` (see [`Store::append_pathway_events_expecting`]).
    #[allow(clippy::too_many_arguments)]
    pub async fn correct_pathway_event_expecting(
        &self,
        org: OrgId,
        actor: UserId,
        id: i64,
        replacement: Option<&EventFields>,
        reason: &str,
        recorded_at: Timestamp,
        access: Option<&NewAccess>,
        expected: Option<PathwayStamp>,
    ) -> Result<Option<i64>, StoreError> {
        let at = recorded_at.to_string();
        let effective = day_in_oslo(recorded_at).to_string();
        let row = replacement.map(trimmed);
        let stream = pathway_stream(org);
        on_pool!(
            self,
            write
                | pool
                | {
                    let mut tx = pool.begin().await?;
                    // The head first: a concurrent correction of the same row waits here, then
                    // finds it withdrawn.
                    let (seq, corrections): (i64, i64) = sqlx::query_as(HEAD_BUMP)
                        .bind(org.0)
                        .bind(1i64)
                        .bind(1i64)
                        .fetch_one(&mut *tx)
                        .await?;
                    unchanged_since(expected, (seq, corrections), 1, 1)?;
                    let target = sqlx::query(
                    "SELECT event_id, row_index, withdrawn FROM pathways_events WHERE id = $1 AND org_id = $2",
                )
                .bind(id)
                .bind(org.0)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or(StoreError::NotFound)?;
                    if target.try_get::<bool, _>(2)? {
                        return Err(already_corrected());
                    }
                    let target = Target {
                        event: target.try_get(0)?,
                        row: target.try_get(1)?,
                    };
                    let body = json(&CorrectionBody {
                        target,
                        replacement: row.as_ref(),
                        reason,
                    })?;
                    let event_id: i64 = sqlx::query_scalar(EVENT_INSERT)
                        .bind(&stream)
                        .bind(seq)
                        .bind(PATHWAY_CORRECTED_KIND)
                        .bind(&body)
                        .bind(actor.0)
                        .bind(org.0)
                        .bind(&at)
                        .bind(&effective)
                        .fetch_one(&mut *tx)
                        .await
                        .map_err(|e| {
                            map_unique_changed(e, "the organisation's pathways changed meanwhile")
                        })?;
                    let n = sqlx::query(
                    "UPDATE pathways_events SET withdrawn = TRUE, withdrawn_by = $2 WHERE id = $1 AND withdrawn = FALSE",
                )
                .bind(id)
                .bind(event_id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                    if n == 0 {
                        return Err(already_corrected());
                    }
                    let new_id = match &row {
                        None => None,
                        Some(cols) => {
                            let sql = format!(
                            "INSERT INTO pathways_events ({PROJECTION_COLS}) VALUES {} RETURNING id",
                            values("$1, $2, $3, $4", 5, 13, 1)
                        );
                            let mut q = sqlx::query(&sql)
                                .bind(org.0)
                                .bind(None::<&str>)
                                .bind(&at)
                                .bind(event_id)
                                .bind(0i64);
                            for col in cols {
                                q = q.bind(*col);
                            }
                            let new_id: i64 = q.fetch_one(&mut *tx).await?.try_get(0)?;
                            Some(new_id)
                        }
                    };
                    if let Some(access) = access {
                        append_access_tx!(tx, access);
                    }
                    tx.commit().await?;
                    Ok(new_id)
                }
        )
    }
}
