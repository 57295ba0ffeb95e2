//! The tamper-evident access log: entries and their hash chain.
//!
//! Every read and write of personal data appends an [`AccessEntry`]. Each entry stores the
//! hash of the entry before it ([`GENESIS`] for the first), and its own hash is SHA-256 over a
//! length-prefixed encoding of all its fields including that previous hash. Changing,
//! removing or reordering any entry breaks the chain at that entry, which
//! [`verify_chain`] reports.

use serde::Serialize;
use sha2::{Digest, Sha256};

/// The "previous hash" of the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Allowed or denied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Allowed,
    Denied,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Allowed => "allowed",
            Outcome::Denied => "denied",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "allowed" => Some(Outcome::Allowed),
            "denied" => Some(Outcome::Denied),
            _ => None,
        }
    }
}

/// One access to personal data (or one attempt).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccessEntry {
    /// Position in the log, 1-based and without gaps.
    pub id: i64,
    /// When, as an RFC 3339 UTC timestamp.
    pub at: String,
    /// Who: the username of the actor.
    pub actor: String,
    /// The actor's user id.
    pub actor_id: i64,
    /// The actor's organisation id.
    pub org_id: i64,
    /// The organisation that holds the record (the data controller whose auditor must see
    /// the entry); the actor's own organisation for lists and creations.
    pub owner_org_id: i64,
    /// The action (see [`crate::authz::Action::as_str`]).
    pub action: String,
    /// The subject: the person's pseudonym, never the identity number. Empty for lists.
    pub subject: String,
    /// The record concerned, when there is one (e.g. `person:42`).
    pub record: String,
    /// Purpose or reason (the break-glass reason when one was given).
    pub purpose: String,
    /// `allowed` or `denied` ([`Outcome::as_str`]); kept as stored text so that any change
    /// to it changes the hash.
    pub outcome: String,
    /// Break-glass access, flagged for the auditor.
    pub flagged: bool,
    pub prev_hash: String,
}

impl AccessEntry {
    /// The entry's hash (lowercase hex SHA-256).
    pub fn hash(&self) -> String {
        let mut h = Sha256::new();
        let id = self.id.to_string();
        let actor_id = self.actor_id.to_string();
        let org_id = self.org_id.to_string();
        let owner_org_id = self.owner_org_id.to_string();
        let fields: [&str; 13] = [
            &id,
            &self.at,
            &self.actor,
            &actor_id,
            &org_id,
            &owner_org_id,
            &self.action,
            &self.subject,
            &self.record,
            &self.purpose,
            &self.outcome,
            if self.flagged { "1" } else { "0" },
            &self.prev_hash,
        ];
        for f in fields {
            h.update((f.len() as u64).to_be_bytes());
            h.update(f.as_bytes());
        }
        hex::encode(h.finalize())
    }
}

/// Where and why a chain is broken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("access log broken at entry {id}: {why}")]
pub struct ChainBroken {
    pub id: i64,
    pub why: &'static str,
}

/// Checks a chain entry by entry, so that a long log can be streamed through it.
#[derive(Debug, Clone)]
pub struct ChainVerifier {
    expected_id: i64,
    prev: String,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        ChainVerifier {
            expected_id: 1,
            prev: GENESIS.to_owned(),
        }
    }
}

impl ChainVerifier {
    /// Checks the next entry (in id order) against its stored hash.
    pub fn check(&mut self, entry: &AccessEntry, stored_hash: &str) -> Result<(), ChainBroken> {
        let broken = |why| Err(ChainBroken { id: entry.id, why });
        if entry.id != self.expected_id {
            return broken("an entry is missing before this one");
        }
        if entry.prev_hash != self.prev {
            return broken("its previous-hash does not match the entry before it");
        }
        if entry.hash() != stored_hash {
            return broken("its content does not match its hash");
        }
        self.prev = stored_hash.to_owned();
        self.expected_id += 1;
        Ok(())
    }

    /// Number of entries checked so far.
    pub fn count(&self) -> u64 {
        u64::try_from(self.expected_id - 1).unwrap_or(0)
    }

    /// The hash of the last entry checked ([`GENESIS`] before any).
    pub fn last_hash(&self) -> &str {
        &self.prev
    }
}

/// Checks a chain given in id order as (entry, stored hash) pairs. Returns the number of
/// entries checked, or the first broken entry.
pub fn verify_chain<I>(entries: I) -> Result<u64, ChainBroken>
where
    I: IntoIterator<Item = (AccessEntry, String)>,
{
    let mut v = ChainVerifier::default();
    for (entry, stored) in entries {
        v.check(&entry, &stored)?;
    }
    Ok(v.count())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: i64) -> Vec<(AccessEntry, String)> {
        let mut prev = GENESIS.to_owned();
        (1..=n)
            .map(|id| {
                let e = AccessEntry {
                    id,
                    at: format!("2026-11-24T10:00:{id:02}Z"),
                    actor: "kari".into(),
                    actor_id: 3,
                    org_id: 1,
                    owner_org_id: 1,
                    action: "person.read".into(),
                    subject: format!("pseudo{id}"),
                    record: format!("person:{id}"),
                    purpose: String::new(),
                    outcome: "allowed".into(),
                    flagged: false,
                    prev_hash: prev.clone(),
                };
                prev = e.hash();
                (e, prev.clone())
            })
            .collect()
    }

    #[test]
    fn whole_chain_verifies() {
        assert_eq!(verify_chain(chain(20)), Ok(20));
        assert_eq!(verify_chain(Vec::new()), Ok(0));
    }

    #[test]
    fn any_field_change_is_caught_at_that_entry() {
        for victim in 1..=5usize {
            for field in 0..9 {
                let mut c = chain(5);
                let e = &mut c[victim - 1].0;
                match field {
                    0 => e.at.push('1'),
                    1 => e.actor.push('x'),
                    2 => e.actor_id += 1,
                    3 => e.org_id += 1,
                    4 => e.action = "person.correct".into(),
                    5 => e.subject.push('x'),
                    6 => e.purpose.push('x'),
                    7 => e.outcome = "denied".into(),
                    _ => e.flagged = true,
                }
                assert_eq!(
                    verify_chain(c).map_err(|b| b.id),
                    Err(victim as i64),
                    "field {field}"
                );
            }
        }
    }

    #[test]
    fn removal_and_rehash_are_caught() {
        let mut c = chain(5);
        c.remove(2);
        assert_eq!(verify_chain(c.clone()).map_err(|b| b.id), Err(4));
        // Rewriting an entry and its own hash still breaks the next link.
        let mut c = chain(5);
        c[1].0.actor = "mallory".into();
        c[1].1 = c[1].0.hash();
        assert_eq!(verify_chain(c).map_err(|b| b.id), Err(3));
    }
}
