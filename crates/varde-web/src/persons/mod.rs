//! People known to an organisation (the foundation's first personal data): register, read,
//! correct (a correction is an event with a reason, never an edit), list, and emergency access
//! (break-glass) to another organisation's record. Pages in `pages.rs`, the JSON API in
//! `api.rs`; both call the operations here. The rules are `varde_core::persons`.

mod api;
mod pages;

use axum::Router;
use varde_core::persons::{NewPersonInput, PersonEvent};
use varde_core::pseudonym::pseudonymise;
use varde_store::PersonRow;

pub use api::ApiDoc;

use crate::authz::{CreatePerson, OrgAccess};
use crate::error::WebError;
use crate::AppState;

pub fn routes() -> Router<AppState> {
    pages::routes()
}

pub fn api_routes() -> Router<AppState> {
    api::routes()
}

/// Registers a person for the actor's organisation; shared by the form and the API.
pub async fn create(
    state: &AppState,
    access: &OrgAccess<CreatePerson>,
    input: &NewPersonInput,
) -> Result<i64, WebError> {
    let person = input.parse(&state.id_policy(), state.clock.today())?;
    let pseudonym = pseudonymise(&state.key, &person.national_id);
    let entry = access.access(state, pseudonym.as_str(), String::new());
    let id = state
        .store
        .register_person(
            access.org(),
            access.principal.user.0,
            pseudonym.as_str(),
            &PersonEvent::registered(&person),
            &entry,
            state.clock.now(),
        )
        .await?;
    Ok(id)
}

/// A person as a page shows it.
pub struct PersonView {
    pub id: i64,
    pub name: String,
    pub national_id: String,
    pub masked_id: String,
    pub birth_date: String,
    pub kommune: String,
    pub corrections: u32,
}

impl From<&PersonRow> for PersonView {
    fn from(p: &PersonRow) -> Self {
        let kommune = match &p.record.kommune {
            Some(k) => match varde_core::refdata::get().kommune(k) {
                Some(m) => format!("{k} {}", m.name),
                None => k.clone(),
            },
            None => String::new(),
        };
        PersonView {
            id: p.id,
            name: p.record.name.clone(),
            national_id: p.record.national_id.clone(),
            masked_id: p
                .record
                .national_id
                .chars()
                .take(6)
                .chain("*****".chars())
                .collect(),
            birth_date: p.record.birth_date.clone().unwrap_or_default(),
            kommune,
            corrections: p.record.corrections,
        }
    }
}
