//! Storage of LAR decisions (TSB treatment units), on both engines.
//!
//! Event-sourced, without a projection table: every command is one event in the generic event
//! log, in the stream [`lar_stream`] (`lar:{org_id}`), its body the command as JSON. The
//! current state is rebuilt by replaying an organisation's events into
//! `varde_core::pathways::lar::LarRegister` (the caller does that, and checks the domain rules
//! before writing). The store guarantees atomicity: the events and the access-log entry commit
//! together or not at all ([`Store::append_with_access`](crate::Store::append_with_access)),
//! and the optimistic sequence check (`NewEvent::expected_seq`) refuses a write whose stream
//! changed after it was read ([`StoreError::Changed`](crate::StoreError::Changed)).

use varde_core::org::OrgId;

/// The event-log stream of an organisation's LAR register.
pub fn lar_stream(org: OrgId) -> String {
    format!("lar:{}", org.0)
}
