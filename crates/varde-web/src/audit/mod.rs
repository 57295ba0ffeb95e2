//! The access log for an organisation's auditor: every read and write of personal data by the
//! organisation or on its records, the state of the hash chain, and the report of who
//! accessed one person's data (pasientjournalloven § 18). Pages in `pages.rs`, the JSON API in
//! `api.rs`; both call the operation here.

mod api;
mod pages;

use axum::Router;
use varde_core::audit::AccessEntry;
use varde_core::ids::NationalId;
use varde_core::persons::FieldError;
use varde_core::pseudonym::pseudonymise;
use varde_store::AccessFilter;

pub use api::ApiDoc;

use crate::authz::{OrgAccess, PersonReport};
use crate::error::WebError;
use crate::AppState;

pub fn routes() -> Router<AppState> {
    pages::routes()
}

pub fn api_routes() -> Router<AppState> {
    api::routes()
}

/// The § 18 report for one person, as an organisation's auditor may see it: the accesses to
/// records the organisation holds and the accesses by its own users — never another
/// organisation's own accesses to its own records (that alone would tell that it holds a
/// record on the person).
pub async fn person_report(
    state: &AppState,
    access: &OrgAccess<PersonReport>,
    national_id: &str,
) -> Result<Vec<AccessEntry>, WebError> {
    let nid = NationalId::parse(national_id, &state.id_policy()).map_err(FieldError::from)?;
    let pseudonym = pseudonymise(&state.key, &nid);
    let entries = state
        .store
        .access_log(&AccessFilter {
            subject: Some(pseudonym.as_str().to_owned()),
            org_id: Some(access.org().0),
            limit: 10_000,
            ..Default::default()
        })
        .await?;
    // Producing the report is itself an access to the person's data.
    state
        .store
        .log_access(&access.access(state, pseudonym.as_str(), String::new()))
        .await?;
    Ok(entries)
}
