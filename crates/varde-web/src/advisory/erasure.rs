//! The erasure job (issue 12, item 9): every closed case whose unit's retention has run out
//! (`varde_core::advisory::erasure`) loses its personal data — people, identity links, names,
//! every entry with its free text, the opening with the decision's reference — and leaves the
//! anonymous statistics record. Run by the server's background loop ([`run`], beside the
//! warnings' deliveries) and by `varde advisory erase`.
//!
//! Safe with several servers on one database: each due case is claimed with a lease
//! (`Store::advisory_erasure_claim`), and the erasure writes only while the lease is held and
//! the case is not yet erased, so each case is erased once; a second run changes nothing.

use std::time::Duration;

use jiff::civil::Date;
use jiff::Timestamp;
use tokio::sync::watch;
use varde_core::advisory::erasure::{erase_due, Retention, StatsRecord};
use varde_store::{advisory_record, Store, StoreError};

use crate::AppState;

/// The access-log action of an erasure.
pub const ERASE_ACTION: &str = "advisory.erase";
/// The actor the access log names for the job.
pub const ERASE_ACTOR: &str = "varde (erasure job)";
/// How long a claim holds: far longer than one erasure takes.
const LEASE_MS: i64 = 5 * 60 * 1000;
/// How often the server looks for due cases.
const POLL: Duration = Duration::from_secs(60 * 60);

/// Erases every case due on `today` (the day in Oslo) at `now`, claimed as `owner`. Returns
/// how many this call erased (cases another server took are not counted).
pub async fn run_once(
    store: &Store,
    today: Date,
    now: Timestamp,
    owner: &str,
) -> Result<usize, StoreError> {
    let mut erased = 0;
    for c in store.advisory_erasure_candidates().await? {
        let retention = c
            .retention_years
            .and_then(|y| Retention::new(y).ok())
            .unwrap_or_default();
        let closed = c.closed_on.parse::<Date>().ok();
        if !erase_due(closed, retention, today) {
            continue;
        }
        if !store
            .advisory_erasure_claim(c.id, owner, now.as_millisecond(), LEASE_MS)
            .await?
        {
            continue;
        }
        let Some(read) = store.advisory_case_for_erasure(c.id).await? else {
            continue;
        };
        let case = crate::advisory::ops::fold(&read.case).map_err(|_| {
            StoreError::Corrupt(format!("advisory case {} does not read back", c.id))
        })?;
        let record = StatsRecord::of_unit(
            &case,
            c.org_id.0,
            read.kommunenummer.as_deref(),
            read.national_id.as_deref(),
        );
        let access = varde_store::NewAccess {
            at: now,
            actor: ERASE_ACTOR.into(),
            actor_id: 0,
            org_id: c.org_id.0,
            owner_org_id: c.org_id.0,
            action: ERASE_ACTION.into(),
            subject: read.pseudonym.clone(),
            record: advisory_record(c.id),
            purpose: format!("retention of {} years ended", retention.years),
            outcome: varde_core::audit::Outcome::Allowed,
            flagged: false,
        };
        if store
            .advisory_erase(c.id, owner, &record, now, &access)
            .await?
        {
            erased += 1;
        }
    }
    Ok(erased)
}

/// Runs the job until `stop` turns true: once at start, then every hour.
pub async fn run(state: AppState, mut stop: watch::Receiver<bool>) {
    let owner = format!("erasure-{}", rand::random::<u64>());
    loop {
        if *stop.borrow() {
            return;
        }
        match run_once(&state.store, state.clock.today(), state.clock.now(), &owner).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(erased = n, "advisory cases erased after their retention"),
            Err(e) => tracing::error!(error = %e, "cannot erase advisory cases"),
        }
        tokio::select! {
            _ = tokio::time::sleep(POLL) => {}
            _ = stop.changed() => return,
        }
    }
}
