//! A cache that is correct on several servers: every value is kept with the stamp (a version
//! read from the database) it was computed at, and a reader first reads the current stamp —
//! one key lookup — then reuses the value only if the stamps agree. A write on another server
//! moves the stamp in the shared database, so no server ever answers from a value older than
//! what it just read. Areas keep their parsed data this way (the pathways area: parsed events
//! per organisation, keyed by `varde_store::PathwayStamp`).

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

/// Values by key, each with the stamp it is of.
#[derive(Debug)]
pub struct StampCache<K, S, V> {
    entries: Mutex<HashMap<K, (S, Arc<V>)>>,
}

impl<K, S, V> Default for StampCache<K, S, V> {
    fn default() -> Self {
        StampCache {
            entries: Mutex::new(HashMap::new()),
        }
    }
}

impl<K: Eq + Hash, S: PartialEq + Clone, V> StampCache<K, S, V> {
    fn entries(&self) -> MutexGuard<'_, HashMap<K, (S, Arc<V>)>> {
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The value of `key` if it is of `stamp`.
    pub fn get(&self, key: &K, stamp: &S) -> Option<Arc<V>> {
        self.entries()
            .get(key)
            .filter(|(s, _)| s == stamp)
            .map(|(_, v)| v.clone())
    }

    /// The value of `key` at whatever stamp it is (for a reader that can bring an older value
    /// up to date, e.g. by reading only what was added since).
    pub fn get_any(&self, key: &K) -> Option<(S, Arc<V>)> {
        self.entries().get(key).cloned()
    }

    /// Keeps `value` as `key`'s at `stamp`.
    pub fn put(&self, key: K, stamp: S, value: Arc<V>) {
        self.entries().insert(key, (stamp, value));
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_value_is_reused_only_at_its_stamp() {
        let c: StampCache<&str, u32, String> = StampCache::default();
        assert!(c.get(&"a", &1).is_none());
        c.put("a", 1, Arc::new("one".into()));
        assert_eq!(c.get(&"a", &1).as_deref().map(String::as_str), Some("one"));
        assert!(c.get(&"a", &2).is_none());
        let (stamp, v) = c.get_any(&"a").unwrap();
        assert_eq!((stamp, v.as_str()), (1, "one"));
        c.put("a", 2, Arc::new("two".into()));
        assert!(c.get(&"a", &1).is_none());
    }
}
