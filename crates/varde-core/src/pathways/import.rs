//! What an import of pathway events may write: the file's rows checked for their places
//! ([`super::place`]) and, together with the registered events of the pathways they touch,
//! for the order rules; the refused rows named by line and rule; and the rows to write.
//!
//! An import never writes half a pathway: a pathway with one refused row keeps all its rows
//! back. With errors, nothing is written at all unless the caller asked for the valid rows
//! only (`valid_only`), in which case the pathways without errors are written whole.

use std::collections::{BTreeMap, BTreeSet};

use jiff::civil::Date;

use super::event_rules::closed_pathway;
use super::parse::Parsed;
use super::place;
use super::{validate, Event, EventFields, EventKind};

/// One refused row of an import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowProblem {
    /// The line of the file (a registered event that a new row would break is line 0).
    pub line: u64,
    pub pathway_id: Option<String>,
    /// The field (CSV column, or `file`/`row`) the rule is about.
    pub field: String,
    /// The rule broken, as text that names the field or the rule.
    pub rule: String,
}

/// What an import may write.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    /// Every refused row, sorted by line.
    pub errors: Vec<RowProblem>,
    /// The rows to write, in file order (empty when nothing may be written).
    pub writable: Vec<EventFields>,
    /// The line of the file of each row of `writable`.
    pub lines: Vec<u64>,
    /// Valid rows not written: because their pathway has a refused row, or (without
    /// `valid_only`) because the file has errors.
    pub held_back: usize,
}

/// The health trust rows of this import are checked against: the organisation's (that of its
/// first registered event), or else that of the file's first row naming a known health trust.
pub fn health_trust(existing: &[Event], parsed: &Parsed) -> Option<String> {
    place::org_hf(existing).map(str::to_owned).or_else(|| {
        parsed
            .events
            .iter()
            .find(|e| place::is_health_trust(&e.hf))
            .map(|e| e.hf.to_string())
    })
}

/// Plans the import of `parsed` into an organisation whose registered (effective) events are
/// `existing`.
pub fn plan(parsed: &Parsed, existing: &[Event], today: Date, valid_only: bool) -> Plan {
    plan_with(parsed, existing, today, valid_only, Vec::new())
}

/// As [`plan`], with rows the caller refused on its own grounds (`refused`: an import's person
/// reference that names no one in the register): their pathways are held back as any other
/// refused row's.
pub fn plan_with(
    parsed: &Parsed,
    existing: &[Event],
    today: Date,
    valid_only: bool,
    refused: Vec<RowProblem>,
) -> Plan {
    let mut errors: Vec<RowProblem> = refused;
    errors.extend(parsed.errors.iter().map(|e| RowProblem {
        line: e.line,
        pathway_id: e.pathway_id.clone(),
        field: e.rule.field().to_owned(),
        rule: e.rule.to_string(),
    }));
    let hf = health_trust(existing, parsed);
    let misplaced: BTreeSet<u64> = parsed
        .events
        .iter()
        .filter_map(|e| {
            let err = place::check(e, hf.as_deref()).err()?;
            errors.push(RowProblem {
                line: e.line,
                pathway_id: Some(e.pathway_id.to_string()),
                field: err.field.to_string(),
                rule: err.to_string(),
            });
            Some(e.line)
        })
        .collect();
    // A row of a pathway whose end is registered is refused: a closed pathway takes only
    // corrections.
    let ends: BTreeMap<&str, Date> = existing
        .iter()
        .filter(|e| e.kind == EventKind::PathwayEnd)
        .map(|e| (&*e.pathway_id, e.date))
        .collect();
    let closed: BTreeSet<u64> = parsed
        .events
        .iter()
        .filter(|e| !misplaced.contains(&e.line))
        .filter_map(|e| {
            let rule = closed_pathway(e, ends.get(&*e.pathway_id).copied())?;
            errors.push(RowProblem {
                line: e.line,
                pathway_id: Some(e.pathway_id.to_string()),
                field: rule.field().to_owned(),
                rule: rule.to_string(),
            });
            Some(e.line)
        })
        .collect();
    let placed: Vec<Event> = parsed
        .events
        .iter()
        .filter(|e| !misplaced.contains(&e.line) && !closed.contains(&e.line))
        .cloned()
        .collect();
    // The new rows together with the registered events of the pathways they touch (line 0).
    let touched: BTreeSet<&str> = placed.iter().map(|e| &*e.pathway_id).collect();
    let mut together: Vec<Event> = existing
        .iter()
        .filter(|e| touched.contains(&*e.pathway_id))
        .map(|e| Event {
            line: 0,
            ..e.clone()
        })
        .collect();
    together.extend(placed);
    let (valid, order_errors) = validate(together, today);
    errors.extend(order_errors.iter().map(|e| RowProblem {
        line: e.line,
        pathway_id: e.pathway_id.clone(),
        field: e.rule.field().to_owned(),
        rule: if e.line == 0 {
            format!(
                "a registered event of this pathway would break a rule: {}",
                e.rule
            )
        } else {
            e.rule.to_string()
        },
    }));
    errors.sort_by_key(|e| e.line);
    let fresh: Vec<&Event> = valid.iter().filter(|e| e.line != 0).collect();
    if !errors.is_empty() && !valid_only {
        return Plan {
            errors,
            writable: Vec::new(),
            lines: Vec::new(),
            held_back: fresh.len(),
        };
    }
    let failing: BTreeSet<&str> = errors
        .iter()
        .filter_map(|e| e.pathway_id.as_deref())
        .collect();
    let kept: Vec<&&Event> = fresh
        .iter()
        .filter(|e| !failing.contains(&*e.pathway_id))
        .collect();
    Plan {
        held_back: fresh.len() - kept.len(),
        errors,
        writable: kept.iter().map(|e| EventFields::of(e)).collect(),
        lines: kept.iter().map(|e| e.line).collect(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::pathways::read_events;

    const HEADER: &str =
        "pathway_id,unit,hf,rhf,kommune,care_level,event,date,code,outcome,deadline\n";
    const PLACE: &str = "Enhet,Oslo universitetssykehus HF,Helse Sør-Øst RHF,0301,outpatient";

    fn file(rows: &[&str]) -> Parsed {
        let mut s = HEADER.to_owned();
        for r in rows {
            s.push_str(r);
            s.push('\n');
        }
        read_events(s.as_bytes()).unwrap()
    }

    fn today() -> Date {
        "2026-12-06".parse().unwrap()
    }

    #[test]
    fn a_pathway_with_an_error_is_held_back_whole() {
        let parsed = file(&[
            &format!("P1,{PLACE},referral_received,2026-10-01,,,"),
            &format!("P2,{PLACE},referral_received,2026-10-01,,,"),
            &format!("P2,{PLACE},teleportation,2026-10-02,,,"),
        ]);
        let all_or_nothing = plan(&parsed, &[], today(), false);
        assert_eq!(all_or_nothing.errors.len(), 1);
        assert_eq!(all_or_nothing.errors[0].line, 4);
        assert!(all_or_nothing.writable.is_empty());
        assert_eq!(all_or_nothing.held_back, 2);
        let valid_only = plan(&parsed, &[], today(), true);
        assert_eq!(valid_only.writable.len(), 1);
        assert_eq!(valid_only.writable[0].pathway_id, "P1");
        assert_eq!(valid_only.held_back, 1);
    }

    #[test]
    fn rows_are_checked_with_the_registered_events_and_the_organisations_trust() {
        let registered = file(&[&format!("P1,{PLACE},referral_received,2026-10-01,,,")]).events;
        // A second referral on a registered pathway breaks an order rule; a row under another
        // health trust than the organisation's is misplaced.
        let parsed = file(&[
            &format!("P1,{PLACE},referral_received,2026-10-03,,,"),
            "P3,Enhet,Sykehuset Innlandet HF,Helse Sør-Øst RHF,3403,outpatient,referral_received,2026-10-01,,,",
        ]);
        let p = plan(&parsed, &registered, today(), true);
        assert!(p.writable.is_empty());
        assert_eq!(p.errors.len(), 2);
        assert!(p
            .errors
            .iter()
            .any(|e| e.line == 3 && e.rule.starts_with("hf:")));
        assert_eq!(
            health_trust(&registered, &parsed).as_deref(),
            Some("Oslo universitetssykehus HF")
        );
        assert_eq!(
            health_trust(&[], &parsed).as_deref(),
            Some("Oslo universitetssykehus HF")
        );
    }
}
