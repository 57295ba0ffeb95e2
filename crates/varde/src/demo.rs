//! The demo's pathway events: two synthetic years of TSB pathways (1 % of a national year
//! each, `varde_sim::pathways`), so that the indicators' trends span 24 months. The first is
//! moved in time so that it ends today; the second (another seed) so that it ends a year
//! earlier, keeping only its pathways that ended (an open one would sit on the worklist, a
//! year overdue), under ids of their own (`Y1-…`). Each pathway gets a diagnosis at its first
//! attendance (for the EU drugs agency's treatment demand table). The same `today`, the same
//! events.

use std::collections::HashSet;
use std::sync::Arc;

use anyhow::Context as _;
use jiff::civil::Date;
use jiff::Span;
use varde_core::pathways::{read_events, Event, EventKind, Outcome};

/// The demo's feedback (`varde_web::feedback::demo`): answered sessions on three patients'
/// pathways, one link left open, and anonymous survey answers. Call after the demo patients.
pub async fn load_feedback(
    state: &varde_web::AppState,
) -> anyhow::Result<varde_web::feedback::demo::FeedbackDemo> {
    varde_web::feedback::demo::seed_demo_feedback(state)
        .await
        .context("the demo's feedback")
}

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
    let diagnoses: Vec<Event> = out
        .iter()
        .filter(|e| e.kind == EventKind::FirstAttendance)
        .map(|e| {
            let mut d = e.clone();
            d.kind = EventKind::Diagnosis;
            d.outcome = Some(Outcome::Diagnosis(Arc::from(diagnosis_of(&e.pathway_id))));
            d.code = None;
            d
        })
        .collect();
    out.extend(diagnoses);
    Ok(out)
}

/// The demo's diagnosis of a pathway, set at its first attendance: chosen by the pathway id
/// (the same every time) so that about a third are alcohol (F10, out of the EU drugs agency's
/// treatment demand table) and the rest spread over opioids, cannabis, stimulants, multiple
/// drugs, sedatives and cocaine roughly as TSB's patients are.
fn diagnosis_of(id: &str) -> &'static str {
    const CODES: [(&str, u32); 7] = [
        ("F10.2", 35),
        ("F11.2", 15),
        ("F12.2", 15),
        ("F15.2", 12),
        ("F19.2", 15),
        ("F13.2", 5),
        ("F14.2", 3),
    ];
    let h = id.bytes().fold(2_166_136_261u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(16_777_619)
    });
    let mut at = h % 100;
    for (code, share) in CODES {
        if at < share {
            return code;
        }
        at -= share;
    }
    "F19.2"
}

/// Loads two small synthetic years of TSB pathways ending today ([`pathway_events`]):
/// Oslo universitetssykehus' units go to the demo treatment unit (whose clinician sees them in
/// the worklist), the rest to a second demo organisation so that the indicators have a health
/// trust, a region and a nation to compare with.
pub async fn load_pathways(store: &varde_store::Store) -> anyhow::Result<usize> {
    use varde_core::pathways::EventFields;
    let today = varde_web::Clock::System.today();
    let events = pathway_events(today)?;
    let demo_unit = store
        .org_by_key(varde_web::bootstrap::DEMO_TREATMENT_ORGNR)
        .await?
        .context("demo treatment unit")?;
    let others = store
        .ensure_org(
            &varde_store::NewOrg {
                kind: varde_core::org::OrgKind::TreatmentUnit,
                name: "Demo: øvrige TSB-enheter".into(),
                slug: "demo-ovrige-enheter".into(),
                kommunenummer: None,
                orgnr: None,
                parent_id: None,
            },
            crate::now(),
        )
        .await?;
    let clinician = store
        .user_by_username("kliniker")
        .await?
        .context("demo clinician")?;
    let (mut own, mut rest) = (Vec::new(), Vec::new());
    for e in events {
        let fields = EventFields::of(&e);
        if &*e.hf == "Oslo universitetssykehus HF" {
            own.push(fields);
        } else {
            rest.push(fields);
        }
    }
    // A few referrals of these weeks, so that every part of the worklist has something: two
    // awaiting assessment (one past its 10 working days), one on the waiting list within its
    // legal deadline and one past it (fristbrudd).
    let day = |back: i64| today.checked_sub(jiff::Span::new().days(back));
    let row = |id: &str,
               event: &str,
               date: jiff::civil::Date,
               outcome: &str,
               deadline: Option<jiff::civil::Date>| {
        EventFields {
            pathway_id: id.into(),
            unit: "OUS TSB poliklinikk".into(),
            hf: "Oslo universitetssykehus HF".into(),
            rhf: "Helse Sør-Øst RHF".into(),
            kommune: "0301".into(),
            care_level: "outpatient".into(),
            event: event.into(),
            date: date.to_string(),
            outcome: outcome.into(),
            deadline: deadline.map(|d| d.to_string()).unwrap_or_default(),
            ..EventFields::default()
        }
    };
    own.push(row("DEMO-H1", "referral_received", day(2)?, "", None));
    own.push(row("DEMO-H2", "referral_received", day(20)?, "", None));
    own.push(row("DEMO-V1", "referral_received", day(21)?, "", None));
    own.push(row(
        "DEMO-V1",
        "referral_assessed",
        day(14)?,
        "right",
        Some(day(-30)?),
    ));
    own.push(row("DEMO-V2", "referral_received", day(90)?, "", None));
    own.push(row(
        "DEMO-V2",
        "referral_assessed",
        day(84)?,
        "right",
        Some(day(6)?),
    ));
    let n = own.len() + rest.len();
    for (org, events) in [(demo_unit.id, own), (others, rest)] {
        store
            .append_pathway_events(
                org,
                clinician.id,
                Some(varde_store::Batch {
                    id: "demo",
                    digest: "demo",
                }),
                &events,
                jiff::Timestamp::now(),
                None,
            )
            .await?;
    }
    Ok(n)
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
        // Last year's entrants have their primary drug for the treatment demand table.
        let people = std::collections::HashMap::new();
        let tdi = varde_core::results::tdi::tdi(&events, &people, 2025);
        let count = |v: &str| {
            tdi.rows
                .iter()
                .find(|r| r.breakdown == "primary_drug" && r.value == v)
                .and_then(|r| r.count)
        };
        assert_eq!(count("unknown"), Some(0));
        assert!(count("opioids").unwrap() >= 5, "{tdi:?}");
    }
}
