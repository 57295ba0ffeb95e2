//! Storage of coercion decisions (TSB treatment units, helse- og omsorgstjenesteloven
//! kap. 10), on both engines.
//!
//! Event-sourced, without a projection table: every command is one event in the generic event
//! log, in the stream [`coercion_stream`] (`coercion:{org_id}:{stay_id}`), its body the command
//! as JSON. The current state is rebuilt by replaying an organisation's events (all its stays:
//! [`Store::read_streams_with_prefix`](crate::Store::read_streams_with_prefix) with
//! [`coercion_prefix`]) into the coercion stays (the caller does that, and checks the domain
//! rules before writing). The store guarantees atomicity: the events and the access-log entry
//! commit together or not at all
//! ([`Store::append_with_access`](crate::Store::append_with_access)), and the optimistic
//! sequence check (`NewEvent::expected_seq`) refuses a write whose stream changed after it was
//! read ([`StoreError::Changed`](crate::StoreError::Changed)).

use varde_core::org::OrgId;

/// The prefix shared by every coercion stream of an organisation.
pub fn coercion_prefix(org: OrgId) -> String {
    format!("coercion:{}:", org.0)
}

/// The event-log stream of one institutional stay's coercion decisions.
pub fn coercion_stream(org: OrgId, stay_id: &str) -> String {
    format!("{}{}", coercion_prefix(org), stay_id)
}
