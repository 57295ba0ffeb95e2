//! Storage of the monitoring area, on both engines: signals and the watchlist (this part).
//!
//! A signal is inserted by the rule that raises it — in the transaction of the write that
//! made the finding (a drug-checking result: [`insert_signal_tx!`]) or on its own
//! ([`Store::signal_raise`]) — once per `dedupe` key. Analysts' changes are events in
//! [`signal_stream`] with their author, written with the projection (`status`, `linked_into`)
//! and the access entry in one transaction, the change checked against the stored status
//! there ([`Store::signal_change`]).

pub mod prescriptions;
pub mod series;
pub mod sources;

use jiff::Timestamp;
use sqlx::Row;
use varde_core::fields::FieldError;
use varde_core::monitoring::signals::{NewSignal, SignalChange, SignalStatus, Watchlist};

use crate::audit::{append_access_tx, NewAccess};
use crate::db::{on_pool, Db};
use crate::events::{append_event_tx, NewEvent};
use crate::{Store, StoreError};

/// The event-log stream of one signal's changes.
pub fn signal_stream(id: i64) -> String {
    format!("monitoring:signal:{id}")
}

/// The event-log stream of the watchlist's changes.
pub const WATCHLIST_STREAM: &str = "monitoring:watchlist";

/// A stored signal.
#[derive(Debug, Clone, PartialEq)]
pub struct Signal {
    pub id: i64,
    pub kind: String,
    pub source: String,
    pub substance: Option<String>,
    pub area: String,
    pub week: String,
    pub observed: f64,
    pub threshold: Option<f64>,
    pub rule: String,
    pub detail: String,
    pub status: String,
    pub linked_into: Option<i64>,
    pub created_at: String,
    pub updated_at: String,
}

const SIGNAL_COLS: &str = "SELECT id, kind, source, substance, area, week, observed, threshold, rule, detail, status, linked_into, created_at, updated_at FROM monitoring_signals";

fn signal_of<R: Row>(r: &R) -> Result<Signal, StoreError>
where
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> f64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<String>: sqlx::Decode<'a, R::Database>,
    for<'a> Option<i64>: sqlx::Decode<'a, R::Database>,
    for<'a> Option<f64>: sqlx::Decode<'a, R::Database>,
    usize: sqlx::ColumnIndex<R>,
{
    Ok(Signal {
        id: r.try_get(0)?,
        kind: r.try_get(1)?,
        source: r.try_get(2)?,
        substance: r.try_get(3)?,
        area: r.try_get(4)?,
        week: r.try_get(5)?,
        observed: r.try_get(6)?,
        threshold: r.try_get(7)?,
        rule: r.try_get(8)?,
        detail: r.try_get(9)?,
        status: r.try_get(10)?,
        linked_into: r.try_get(11)?,
        created_at: r.try_get(12)?,
        updated_at: r.try_get(13)?,
    })
}

/// Inserts a new signal inside a transaction, unless one with its `dedupe` key exists; the
/// new signal's id, or `None`.
macro_rules! insert_signal_tx {
    ($tx:expr, $signal:expr, $at:expr) => {{
        let s: &varde_core::monitoring::signals::NewSignal = $signal;
        let at: String = $at.to_string();
        let id: Option<i64> = sqlx::query_scalar(
            "INSERT INTO monitoring_signals (kind, source, substance, area, week, observed, threshold, rule, detail, dedupe, status, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'new', $11, $11) ON CONFLICT (dedupe) DO NOTHING RETURNING id",
        )
        .bind(s.kind.as_str())
        .bind(&s.source)
        .bind(&s.substance)
        .bind(&s.area)
        .bind(&s.week)
        .bind(s.observed)
        .bind(s.threshold)
        .bind(&s.rule)
        .bind(&s.detail)
        .bind(&s.dedupe)
        .bind(&at)
        .fetch_optional(&mut *$tx)
        .await?;
        id
    }};
}
pub(crate) use insert_signal_tx;

/// Raises `$signals` (a slice of `NewSignal`) in the open transaction `$tx`, each once per
/// dedupe key, by multi-row statements (an import may raise a thousand): the ids of those
/// raised now.
macro_rules! insert_signals_tx {
    ($tx:expr, $engine:expr, $signals:expr, $at:expr) => {{
        let signals: &[varde_core::monitoring::signals::NewSignal] = $signals;
        let at: String = $at.to_string();
        let per = match $engine {
            $crate::db::Engine::Sqlite => 24,
            $crate::db::Engine::Postgres => 500,
        };
        let mut ids: Vec<i64> = Vec::new();
        for chunk in signals.chunks(per) {
            let sql = format!(
                "INSERT INTO monitoring_signals (created_at, updated_at, status, kind, source, substance, area, week, observed, threshold, rule, detail, dedupe) \
                 VALUES {} ON CONFLICT (dedupe) DO NOTHING RETURNING id",
                $crate::db::values("$1, $1, 'new'", 2, 10, chunk.len())
            );
            let mut q = sqlx::query_scalar(&sql).bind(&at);
            for s in chunk {
                q = q
                    .bind(s.kind.as_str())
                    .bind(&s.source)
                    .bind(&s.substance)
                    .bind(&s.area)
                    .bind(&s.week)
                    .bind(s.observed)
                    .bind(s.threshold)
                    .bind(&s.rule)
                    .bind(&s.detail)
                    .bind(&s.dedupe);
            }
            let raised: Vec<i64> = q.fetch_all(&mut *$tx).await?;
            ids.extend(raised);
        }
        ids.sort_unstable();
        ids
    }};
}
pub(crate) use insert_signals_tx;

impl Store {
    /// Raises a signal (once per `dedupe` key): its id, or `None` if it was raised already.
    pub async fn signal_raise(
        &self,
        s: &NewSignal,
        at: Timestamp,
    ) -> Result<Option<i64>, StoreError> {
        on_pool!(
            self,
            write | pool | {
                let mut tx = pool.begin().await?;
                let id = insert_signal_tx!(tx, s, at);
                tx.commit().await?;
                Ok(id)
            }
        )
    }

    /// Signals with `status` (every status with `None`), newest first.
    pub async fn signals(
        &self,
        status: Option<&str>,
        limit: i64,
    ) -> Result<Vec<Signal>, StoreError> {
        on_pool!(
            self,
            read | pool | {
                let rows = sqlx::query(&format!(
                    "{SIGNAL_COLS} WHERE ($1 IS NULL OR status = $1) ORDER BY id DESC LIMIT $2"
                ))
                .bind(status)
                .bind(limit)
                .fetch_all(pool)
                .await?;
                rows.iter().map(signal_of).collect()
            }
        )
    }

    /// One signal.
    pub async fn signal(&self, id: i64) -> Result<Option<Signal>, StoreError> {
        on_pool!(
            self,
            read | pool | {
                let row = sqlx::query(&format!("{SIGNAL_COLS} WHERE id = $1"))
                    .bind(id)
                    .fetch_optional(pool)
                    .await?;
                row.as_ref().map(signal_of).transpose()
            }
        )
    }

    /// An analyst's change of signal `id`, checked inside the transaction against the stored
    /// status (and, for a link, the target's); the event with its author, the projection and
    /// the access entry commit together. `Ok(Err(_))`: refused, nothing written; `NotFound`:
    /// no such signal.
    pub async fn signal_change(
        &self,
        id: i64,
        change: &SignalChange,
        actor_id: i64,
        org_id: i64,
        at: Timestamp,
        access: &NewAccess,
    ) -> Result<Result<Signal, FieldError>, StoreError> {
        let body = serde_json::to_string(change)
            .map_err(|e| StoreError::Corrupt(format!("signal change: {e}")))?;
        on_pool!(
            self,
            write
                | pool
                | {
                    let mut tx = pool.begin().await?;
                    let current: Option<String> =
                        sqlx::query_scalar("SELECT status FROM monitoring_signals WHERE id = $1")
                            .bind(id)
                            .fetch_optional(&mut *tx)
                            .await?;
                    let Some(current) = current else {
                        return Err(StoreError::NotFound);
                    };
                    let current = SignalStatus::parse("status", &current)
                        .map_err(|e| StoreError::Corrupt(e.rule))?;
                    let into = match change {
                        SignalChange::Link { into } => {
                            let s: Option<String> = sqlx::query_scalar(
                                "SELECT status FROM monitoring_signals WHERE id = $1",
                            )
                            .bind(into)
                            .fetch_optional(&mut *tx)
                            .await?;
                            s.and_then(|s| SignalStatus::parse("status", &s).ok())
                        }
                        _ => None,
                    };
                    let next = match change.apply(id, current, into) {
                        Ok(next) => next,
                        Err(refused) => {
                            tx.rollback().await?;
                            return Ok(Err(refused));
                        }
                    };
                    let ev = NewEvent::by(
                        signal_stream(id),
                        change.kind(),
                        body.clone(),
                        actor_id,
                        org_id,
                        at,
                    );
                    append_event_tx!(tx, &ev);
                    let linked = match change {
                        SignalChange::Link { into } => Some(*into),
                        _ => None,
                    };
                    sqlx::query(
                "UPDATE monitoring_signals SET status = $1, linked_into = COALESCE($2, linked_into), updated_at = $3 WHERE id = $4",
            )
            .bind(next.as_str())
            .bind(linked)
            .bind(at.to_string())
            .bind(id)
            .execute(&mut *tx)
            .await?;
                    append_access_tx!(tx, access);
                    let row = sqlx::query(&format!("{SIGNAL_COLS} WHERE id = $1"))
                        .bind(id)
                        .fetch_one(&mut *tx)
                        .await?;
                    let signal = signal_of(&row)?;
                    tx.commit().await?;
                    Ok(Ok(signal))
                }
        )
    }

    /// The watchlist: the reference list's flag with the analysts' changes.
    pub async fn watchlist(&self) -> Result<Watchlist, StoreError> {
        let rows: Vec<(String, bool)> = on_pool!(
            self,
            read | pool | {
                sqlx::query_as("SELECT substance, on_list FROM monitoring_watchlist")
                    .fetch_all(pool)
                    .await?
            }
        );
        Ok(Watchlist {
            overrides: rows.into_iter().collect(),
        })
    }

    /// Puts `substance` (an id of the reference list) on the watchlist or takes it off, as
    /// an event with its author and an access entry.
    pub async fn watchlist_set(
        &self,
        substance: &str,
        on_list: bool,
        actor_id: i64,
        org_id: i64,
        at: Timestamp,
        access: &NewAccess,
    ) -> Result<(), StoreError> {
        let body = serde_json::json!({ "substance": substance, "on_list": on_list }).to_string();
        on_pool!(
            self,
            write
                | pool
                | {
                    let mut tx = pool.begin().await?;
                    let ev = NewEvent::by(
                        WATCHLIST_STREAM.to_owned(),
                        "monitoring.watchlist_changed",
                        body.clone(),
                        actor_id,
                        org_id,
                        at,
                    );
                    append_event_tx!(tx, &ev);
                    sqlx::query(
                "INSERT INTO monitoring_watchlist (substance, on_list, changed_by, changed_at) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (substance) DO UPDATE SET on_list = excluded.on_list, changed_by = excluded.changed_by, changed_at = excluded.changed_at",
            )
            .bind(substance)
            .bind(on_list)
            .bind(actor_id)
            .bind(at.to_string())
            .execute(&mut *tx)
            .await?;
                    append_access_tx!(tx, access);
                    tx.commit().await?;
                    Ok(())
                }
        )
    }
}
