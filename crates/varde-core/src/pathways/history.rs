//! A pathway's history: its events up to a cut-off date, in date order.

use jiff::civil::Date;

use super::fxhash::FxHashMap;
use super::model::{Event, EventKind, Variant};

/// One pathway's events dated on or before a cut-off, sorted by date (same-day events in the
/// canonical order of [`EventKind::ALL`]).
#[derive(Debug, Clone)]
pub struct History<'a> {
    /// The pathway's identifier.
    pub id: &'a str,
    /// Its events, sorted.
    pub events: Vec<&'a Event>,
}

impl<'a> History<'a> {
    /// The first event of a kind.
    pub fn first(&self, kind: EventKind) -> Option<&'a Event> {
        self.events.iter().copied().find(|e| e.kind == kind)
    }

    /// The last event of a kind.
    pub fn last(&self, kind: EventKind) -> Option<&'a Event> {
        self.events.iter().rev().copied().find(|e| e.kind == kind)
    }

    /// All events of a kind, in order.
    pub fn all(&self, kind: EventKind) -> impl Iterator<Item = &'a Event> + '_ {
        self.events.iter().copied().filter(move |e| e.kind == kind)
    }

    /// The latest event of a kind dated on or before `date`.
    pub fn last_on_or_before(&self, kind: EventKind, date: Date) -> Option<&'a Event> {
        self.events
            .iter()
            .rev()
            .copied()
            .find(|e| e.kind == kind && e.date <= date)
    }

    /// True when an event of `kind` is dated on or before `date`.
    pub fn has_on_or_before(&self, kind: EventKind, date: Date) -> bool {
        self.events.iter().any(|e| e.kind == kind && e.date <= date)
    }

    /// The date the referral was received (the first `referral_received`).
    pub fn receipt(&self) -> Option<Date> {
        self.first(EventKind::ReferralReceived).map(|e| e.date)
    }

    /// The legal deadline (juridisk frist) of the latest row that gives a right and sets one.
    pub fn legal_deadline(&self) -> Option<Date> {
        self.events
            .iter()
            .rev()
            .filter(|e| e.gives_right())
            .find_map(|e| e.deadline)
    }

    /// The pathway's variant: pregnant when any of its rows says so.
    pub fn variant(&self) -> Variant {
        if self.events.iter().any(|e| e.variant == Variant::Pregnant) {
            Variant::Pregnant
        } else {
            Variant::Standard
        }
    }

    /// The latest row (its unit and care level are the pathway's current ones).
    pub fn latest(&self) -> Option<&'a Event> {
        self.events.last().copied()
    }
}

/// Groups events by pathway, keeping those dated on or before `cutoff`. Pathways come out in
/// identifier order so results are deterministic.
///
/// When each pathway's events are contiguous (as [`super::validate`] returns them) the groups
/// are taken as runs without a hash map; otherwise the events are grouped by hashing.
pub fn histories(events: &[Event], cutoff: Date) -> Vec<History<'_>> {
    let mut out = runs(events, cutoff).unwrap_or_else(|| hashed(events, cutoff));
    for h in &mut out {
        if !h.events.is_sorted_by_key(|e| (e.date, e.kind, e.line)) {
            h.events.sort_by_key(|e| (e.date, e.kind, e.line));
        }
    }
    out.sort_unstable_by(|a, b| a.id.cmp(b.id));
    out
}

fn same_id(a: &Event, b: &Event) -> bool {
    std::sync::Arc::ptr_eq(&a.pathway_id, &b.pathway_id) || a.pathway_id == b.pathway_id
}

/// Contiguous runs, or `None` when some pathway's events are not contiguous.
fn runs(events: &[Event], cutoff: Date) -> Option<Vec<History<'_>>> {
    let mut out: Vec<History<'_>> = Vec::new();
    let mut seen: FxHashMap<&str, ()> = FxHashMap::default();
    let mut start = 0;
    while start < events.len() {
        let first = &events[start];
        let len = events[start..]
            .iter()
            .position(|e| !same_id(e, first))
            .unwrap_or(events.len() - start);
        if seen.insert(&first.pathway_id, ()).is_some() {
            return None;
        }
        let evs: Vec<&Event> = events[start..start + len]
            .iter()
            .filter(|e| e.date <= cutoff)
            .collect();
        if !evs.is_empty() {
            out.push(History {
                id: &first.pathway_id,
                events: evs,
            });
        }
        start += len;
    }
    Some(out)
}

fn hashed(events: &[Event], cutoff: Date) -> Vec<History<'_>> {
    let mut map: FxHashMap<&str, Vec<&Event>> = FxHashMap::default();
    for e in events {
        if e.date <= cutoff {
            map.entry(&*e.pathway_id).or_default().push(e);
        }
    }
    map.into_iter()
        .map(|(id, events)| History { id, events })
        .collect()
}
