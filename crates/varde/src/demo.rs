//! The demo's pathway events: two synthetic years of TSB pathways (1 % of a national year
//! each, `varde_sim::pathways`), so that the indicators' trends span 24 months. The first is
//! moved in time so that it ends today; the second (another seed) so that it ends a year
//! earlier, keeping only its pathways that ended (an open one would sit on the worklist, a
//! year overdue), under ids of their own (`Y1-…`). The same `today`, the same events.

use std::collections::HashSet;
use std::sync::Arc;

use jiff::civil::Date;
use jiff::Span;
use varde_core::pathways::{read_events, Event, EventKind};

/// The demo's pathway events up to `today`, oldest year last.
pub fn pathway_events(today: Date) -> anyhow::Result<Vec<Event>> {
    let mut out = Vec::new();
    for (seed, years_back) in [(2023u64, 0i64), (2022, 1)] {
        let data = varde_sim::pathways::generate(seed, 0.01)?;
        let parsed = read_events(data.events_csv.as_bytes())?;
        let Some(last) = parsed.events.iter().map(|e| e.date).max() else {
            continue;
        };
        let end = today.checked_sub(Span::new().years(years_back))?;
        let shift = Span::new().days(i64::from((end - last).get_days()));
        let ended: HashSet<Arc<str>> = parsed
            .events
            .iter()
            .filter(|e| e.kind == EventKind::PathwayEnd)
            .map(|e| e.pathway_id.clone())
            .collect();
        for mut e in parsed.events {
            if years_back > 0 {
                if !ended.contains(&e.pathway_id) {
                    continue;
                }
                e.pathway_id = Arc::from(format!("Y{years_back}-{}", e.pathway_id));
            }
            e.date = e.date.checked_add(shift)?;
            if let Some(d) = e.deadline {
                e.deadline = Some(d.checked_add(shift)?);
            }
            out.push(e);
        }
    }
    Ok(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use jiff::civil::date;
    use varde_core::pathways::trends::{trends, Step};
    use varde_core::pathways::{validate, Level};

    use super::*;

    /// The demo's events are valid on the day they are made for, and every one of the last 24
    /// months has figures for the nation.
    #[test]
    fn the_demo_spans_24_months_of_valid_pathways() {
        let today = date(2026, 11, 24);
        let events = pathway_events(today).unwrap();
        assert!(events.iter().all(|e| e.date <= today));
        let (valid, errors) = validate(events.clone(), today);
        assert!(errors.is_empty(), "{:?}", &errors[..errors.len().min(3)]);
        assert_eq!(valid.len(), events.len());
        let t = trends(&events, date(2024, 12, 1), today, today, Step::Month);
        assert_eq!(t.periods.len(), 24);
        for id in [
            "assessment_within_10_workdays",
            "involvement_in_treatment_plan",
        ] {
            let nation = t
                .series
                .iter()
                .find(|s| s.id == id && s.level == Level::Nation)
                .unwrap();
            let measured: Vec<u64> = nation
                .points
                .iter()
                .map(|p| p.denominator.unwrap_or(1))
                .collect();
            assert!(measured.iter().all(|n| *n > 0), "{id}: {measured:?}");
        }
    }
}
