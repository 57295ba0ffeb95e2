//! Storage of LAR and coercion decisions (TSB treatment units), on both engines.
//!
//! Event-sourced, without a projection table: every command is one event in the generic event
//! log, in the stream [`lar_stream`] (`lar:{org_id}`) or [`coercion_stream`]
//! (`coercion:{org_id}:{stay_id}`), its body the command as JSON. The current state is rebuilt
//! by replaying an organisation's events into `varde_core::pathways::lar::LarRegister` and the
//! coercion stays (the caller does that, and checks the domain rules before writing). The
//! store guarantees atomicity: the events and the access-log entry commit together or not at
//! all, and the optimistic sequence check (`NewEvent::expected_seq`) refuses a write whose
//! stream changed after it was read.

use sqlx::Row;
use varde_core::audit::AccessEntry;
use varde_core::org::OrgId;

use crate::store::{
    append_access_tx, append_event_tx, event_from_row, map_unique, on_pool, Db, EVENT_COLS,
};
use crate::{NewAccess, NewEvent, Store, StoreError, StoredEvent};

/// The event-log stream of an organisation's LAR register.
pub fn lar_stream(org: OrgId) -> String {
    format!("lar:{}", org.0)
}

/// The prefix shared by every coercion stream of an organisation.
pub fn coercion_prefix(org: OrgId) -> String {
    format!("coercion:{}:", org.0)
}

/// The event-log stream of one institutional stay's coercion decisions.
pub fn coercion_stream(org: OrgId, stay_id: &str) -> String {
    format!("{}{}", coercion_prefix(org), stay_id)
}

impl Store {
    /// Appends events and, if given, one access-log entry, in one transaction (all or none).
    /// Returns the events' sequence numbers in their streams.
    pub async fn append_with_access(
        &self,
        events: &[NewEvent],
        access: Option<&NewAccess>,
    ) -> Result<Vec<i64>, StoreError> {
        on_pool!(
            self,
            write | pool | {
                let mut tx = pool.begin().await?;
                let mut seqs = Vec::with_capacity(events.len());
                for ev in events {
                    seqs.push(append_event_tx!(tx, ev));
                }
                if let Some(access) = access {
                    append_access_tx!(tx, access);
                }
                tx.commit().await?;
                Ok(seqs)
            }
        )
    }

    /// The events of every stream whose name starts with `prefix`, in the order they were
    /// appended. Matched with `substr` (same text on both engines; not a `LIKE`, which would
    /// need escaping, nor a range, which PostgreSQL's locale collations would reorder), so it
    /// reads the event table's stream column; at the scale of one unit's decisions that is
    /// cheap.
    pub async fn read_streams_with_prefix(
        &self,
        prefix: &str,
    ) -> Result<Vec<StoredEvent>, StoreError> {
        let len = i32::try_from(prefix.chars().count())
            .map_err(|_| StoreError::Corrupt("stream prefix too long".into()))?;
        on_pool!(
            self,
            read | pool | {
                let rows = sqlx::query(&format!(
                    "{EVENT_COLS} WHERE substr(stream, 1, $1) = $2 ORDER BY id"
                ))
                .bind(len)
                .bind(prefix)
                .fetch_all(pool)
                .await?;
                rows.iter().map(event_from_row).collect()
            }
        )
    }
}
