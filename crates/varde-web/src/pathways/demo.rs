//! The demo's patients: a few synthetic people (synthetic identity numbers, month + 80) in the
//! demo clinic's register, each with a referral that starts a pathway, through the same
//! operations the pages and the API call (decided and logged as the demo clinician's), so that
//! the demo worklist shows who is waiting. The bulk of the demo's pathways stays pseudonymous,
//! as an NPR-style import is.

use varde_core::ids::synth::born;
use varde_core::pathways::EventFields;
use varde_core::persons::NewPersonInput;

use super::events::register;
use varde_core::pathways::lar::person_reference;

use crate::authz::{CreatePerson, OrgAccess, WriteLar, WritePathways};
use crate::bootstrap::{demo_clinician, DemoError};
use crate::AppState;

/// The demo patients: name, birth date (DDMMYY of a synthetic number), days since referral.
const PATIENTS: [(&str, &str, i64); 6] = [
    ("Kari Nordmann", "120385", 2),
    ("Ola Hansen", "030790", 6),
    ("Ingrid Berg", "251172", 11),
    ("Ahmed Khalil", "090201", 15),
    ("Sofie Lund", "170698", 30),
    ("Jonas Dahl", "280466", 44),
];

/// A synthetic identity number for `ddmmyy` (month + 80).
fn synthetic(ddmmyy: &str) -> Option<String> {
    let part = |r: std::ops::Range<usize>| ddmmyy.get(r)?.parse().ok();
    born(part(0..2)?, part(2..4)?, part(4..6)?)
}

/// Registers the demo patients with the demo clinic and a referral for each. Returns how many.
pub async fn seed_demo_patients(state: &AppState) -> Result<usize, DemoError> {
    let principal = demo_clinician(state).await?;
    let failed = |e: crate::error::WebError| DemoError::Request(e.detail);
    let create = OrgAccess::<CreatePerson>::decide(state, principal.clone())
        .await
        .map_err(failed)?;
    let write = OrgAccess::<WritePathways>::decide(state, principal)
        .await
        .map_err(failed)?;
    let unit = state.org_label(write.org()).await;
    let today = state.clock.today();
    let mut n = 0;
    for (name, born, back) in PATIENTS {
        let national_id = synthetic(born).ok_or(DemoError::Missing("synthetic id"))?;
        let input = NewPersonInput {
            national_id,
            name: name.into(),
            birth_date: None,
            kommune: Some("0301".into()),
        };
        let person = crate::persons::create(state, &create, &input)
            .await
            .map_err(failed)?;
        let date = today
            .checked_sub(jiff::Span::new().days(back))
            .map_err(|e| DemoError::Request(e.to_string()))?;
        let referral = EventFields {
            unit: unit.clone(),
            hf: "Oslo universitetssykehus HF".into(),
            rhf: "Helse Sør-Øst RHF".into(),
            kommune: "0301".into(),
            care_level: "outpatient".into(),
            event: "referral_received".into(),
            date: date.to_string(),
            ..EventFields::default()
        };
        register(state, &write, referral, Some(&person.to_string()))
            .await
            .map_err(failed)?;
        if n == 0 {
            lar_treatment(state, person).await?;
        }
        n += 1;
    }
    Ok(n)
}

/// The first demo patient is in LAR, named as the person (`person:{id}`), with prescribing
/// delegated to a GP: the pathway page shows it.
async fn lar_treatment(state: &AppState, person: i64) -> Result<(), DemoError> {
    use super::lar::{self, AdmitRequest, DelegateRequest};
    let principal = demo_clinician(state).await?;
    let failed = |e: crate::error::WebError| DemoError::Request(e.detail);
    let write = OrgAccess::<WriteLar>::decide(state, principal)
        .await
        .map_err(failed)?;
    let day = |back: i64| {
        state
            .clock
            .today()
            .checked_sub(jiff::Span::new().days(back))
            .map(|d| d.to_string())
            .map_err(|e| DemoError::Request(e.to_string()))
    };
    let patient = person_reference(person);
    let admit = AdmitRequest {
        patient: patient.clone(),
        kommune: "0301".into(),
        date: day(300)?,
        decided_by: "specialist".into(),
        ..Default::default()
    };
    lar::record(state, &write, &admit).await.map_err(failed)?;
    let delegate = DelegateRequest {
        patient,
        gp: "HPR 9144889".into(),
        date: day(120)?,
        decided_by: "specialist".into(),
    };
    lar::record(state, &write, &delegate)
        .await
        .map_err(failed)?;
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn demo_numbers_are_valid_synthetic_numbers_of_their_birth_dates() {
        for (_, born, _) in PATIENTS {
            let id = synthetic(born).unwrap();
            assert_eq!(id.len(), 11);
            assert_eq!(&id[..2], &born[..2]);
            assert_eq!(&id[4..6], &born[4..6]);
            let policy = varde_core::ids::IdPolicy::on("2026-12-06".parse().unwrap(), true);
            assert!(
                varde_core::ids::NationalId::parse(&id, &policy).is_ok(),
                "{id}"
            );
        }
    }
}
