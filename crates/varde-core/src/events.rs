//! What every event-sourced area shares: an area's state is the replay of its stored commands
//! (each the JSON body of one event in the log), through the same rules that checked them when
//! they were written.

/// A stored event that did not replay: it no longer parses or keeps the rules (it did when it
/// was written, so this means stored data or a rule changed). The replay goes on without it;
/// the caller logs it (the core does no I/O).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// The event's id in the log.
    pub event: i64,
    /// Why, without the event's content (it may hold personal data).
    pub why: String,
}
