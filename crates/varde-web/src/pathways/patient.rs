//! The patient on a pathway: who a pathway belongs to, read with its access-log entry. A
//! pathway's page and its API document are reads of the person (the entry's subject is the
//! person's pseudonym, so the person's § 18 access report lists them); the worklist's names
//! are one list read.

use std::collections::HashMap;

use serde::Serialize;
use varde_core::authz::{decide, Action, Subject};
use varde_core::org::Principal;
use varde_store::PathwayPerson;

use crate::authz::{decide_for, OrgAccess, ReadPathways, Target};
use crate::error::WebError;
use crate::AppState;

/// The patient as the pathway pages and the API show them.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Patient {
    /// The person's id in the organisation's register (`/persons/{id}`).
    pub person_id: i64,
    pub name: String,
    /// `YYYY-MM-DD`, when the register knows it.
    pub birth_date: Option<String>,
}

impl From<PathwayPerson> for Patient {
    fn from(p: PathwayPerson) -> Self {
        Patient {
            person_id: p.person_id,
            name: p.name,
            birth_date: p.birth_date,
        }
    }
}

impl Patient {
    /// "Name (born YYYY-MM-DD)" as a list shows it.
    pub fn label(&self) -> String {
        match &self.birth_date {
            Some(b) => format!("{} ({b})", self.name),
            None => self.name.clone(),
        }
    }
}

/// Reads the patient of one of the principal's organisation's pathways, deciding and logging
/// the read of the pathway (`pathway:{id}`) with the person as its subject, in one
/// transaction with the read (one query besides the decision). `None` for a pathway without a person (the read still logged).
pub async fn read_logged(
    state: &AppState,
    principal: &Principal,
    pathway_id: &str,
) -> Result<Option<Patient>, WebError> {
    let org = principal.org;
    // The entry's subject (the person's pseudonym) is set by the store, in the transaction
    // that reads the person.
    let target = Target {
        owner: org,
        subject: "",
        record: format!("pathway:{pathway_id}"),
    };
    let (_, entry) = decide_for(state, principal, Action::PathwayRead, target, None).await?;
    let patient = state
        .store
        .pathway_person_logged(org, pathway_id, &entry)
        .await?;
    Ok(patient.map(Patient::from))
}

/// The patients of the organisation's pathways (pathway id → patient) for a list (the
/// worklist), when the principal may list the organisation's persons, logged as ONE read of
/// `record`; without that right, no names (and the list read logged as before).
pub async fn names_logged(
    state: &AppState,
    access: &OrgAccess<ReadPathways>,
    record: String,
) -> Result<HashMap<String, Patient>, WebError> {
    let org = access.org();
    let entry = access.access(state, "", record);
    if !decide(
        &access.principal,
        Action::PersonList,
        &Subject::of_org(org),
        None,
    )
    .allowed
    {
        state.store.log_access(&entry).await?;
        return Ok(HashMap::new());
    }
    let persons = state.store.pathway_persons_logged(org, &entry).await?;
    Ok(persons
        .into_iter()
        .map(|p| (p.pathway_id.clone(), Patient::from(p)))
        .collect())
}
