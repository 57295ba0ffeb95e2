//! The area's operations, one function per command, called by the pages, the API and the demo
//! data alike: each checks its input with the core's rules (`varde_core::advisory`) against the
//! case as stored, and writes through the store with its access entry.
//!
//! A write reads the case (logged as part of the write), checks the entry against it, and
//! writes it expecting the number of entries it read: if another write came first the store
//! refuses (`Changed`, nothing written) and the check runs again on the case as it now is (up
//! to three times, then 409) — so no rule is ever checked against a stale case.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use varde_core::advisory::erasure::Retention;
use varde_core::advisory::{self, Case, DecisionInput, Entry, OutreachMinimum, Route};
use varde_core::authz::Action;
use varde_core::fields::{self, FieldError};
use varde_core::ids::NationalId;
use varde_core::org::{OrgId, Principal};
use varde_core::persons::NewPersonInput;
use varde_core::pseudonym::pseudonymise;
use varde_store::{NewCasePerson, StoreError, StoredCase};

use super::access::CaseAccess;
use crate::authz::{ActionKind, CreatePerson, OrgAccess, WriteAdvisory};
use crate::error::WebError;
use crate::AppState;

/// The person of a new case: an identity number when known (then a name too), or a name, or
/// nothing (an anonymous voluntary contact).
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct PersonInput {
    #[serde(default)]
    pub national_id: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
}

/// A guardian of a person under 18.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct GuardianInput {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub national_id: Option<String>,
}

/// A new case, as the API body and the form carry it.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct OpenCase {
    #[serde(default)]
    pub route: String,
    #[serde(default)]
    pub person: PersonInput,
    #[serde(default)]
    pub guardians: Vec<GuardianInput>,
    #[serde(default)]
    pub decision: Option<DecisionInput>,
}

/// The longest name of a person named without an identity number.
const NAME_MAX: usize = varde_core::persons::NAME_MAX;

/// A person as checked: registered (identity number and name) or named only.
enum Who {
    Registered(NationalId, String),
    Named(Option<String>),
}

fn who(
    state: &AppState,
    field: &'static str,
    id_field: &'static str,
    name_field: &'static str,
    national_id: Option<&str>,
    name: Option<&str>,
) -> Result<Who, FieldError> {
    let name = fields::safe_text(name_field, name.unwrap_or(""), NAME_MAX)?;
    match national_id.map(str::trim).filter(|s| !s.is_empty()) {
        Some(id) => {
            let id = NationalId::parse(id, &state.id_policy())
                .map_err(|e| FieldError::new(id_field, e.to_string()))?;
            let name = name.ok_or_else(|| {
                FieldError::new(name_field, "a person with an identity number has a name")
            })?;
            Ok(Who::Registered(id, name))
        }
        None => {
            let _ = field;
            Ok(Who::Named(name))
        }
    }
}

/// The id of the person in the organisation's register, registered now if new.
async fn find_or_register(
    state: &AppState,
    principal: &Principal,
    id: &NationalId,
    name: &str,
) -> Result<i64, WebError> {
    let pseudonym = pseudonymise(&state.key, id);
    if let Some(found) = state
        .store
        .person_of_org_by_pseudonym(principal.org, pseudonym.as_str())
        .await?
    {
        return Ok(found);
    }
    let create = OrgAccess::<CreatePerson>::decide(state, principal.clone()).await?;
    let input = NewPersonInput {
        national_id: id.as_str().to_owned(),
        name: name.to_owned(),
        birth_date: None,
        kommune: None,
    };
    crate::persons::create(state, &create, &input).await
}

/// Opens a case: every field checked first (route, condition, people), then the person and
/// guardians with identity numbers found in (or registered with) the organisation's register,
/// then the case with its people and its access entry. Returns the case's id.
pub async fn open_case(
    state: &AppState,
    access: &OrgAccess<WriteAdvisory>,
    input: &OpenCase,
) -> Result<i64, WebError> {
    let today = state.clock.today();
    let route = Route::parse("route", &input.route)?;
    let opening = advisory::open(route, input.decision.as_ref(), today)?;
    let person = who(
        state,
        "person",
        "person.national_id",
        "person.name",
        input.person.national_id.as_deref(),
        input.person.name.as_deref(),
    )?;
    let birth = match &person {
        Who::Registered(id, _) => id.birth_date(),
        Who::Named(None) if route != Route::Voluntary => {
            return Err(WebError::invalid(
                "person",
                "only a voluntary contact may stay anonymous",
            ))
        }
        Who::Named(_) if route == Route::ProsecutionCondition => {
            return Err(WebError::invalid(
                "person.national_id",
                "a case from the prosecution names the person's identity number",
            ))
        }
        Who::Named(_) => None,
    };
    if !input.guardians.is_empty() && birth.is_some() && !advisory::is_child_on(birth, today) {
        return Err(WebError::invalid(
            "guardians",
            "guardians are recorded for a person under 18",
        ));
    }
    let mut guardians = Vec::new();
    for g in &input.guardians {
        let w = who(
            state,
            "guardians",
            "guardians.national_id",
            "guardians.name",
            g.national_id.as_deref(),
            Some(&g.name),
        )?;
        if matches!(w, Who::Named(None)) {
            return Err(WebError::invalid("guardians.name", "a guardian has a name"));
        }
        guardians.push(w);
    }
    let mut people = Vec::new();
    for (w, guardian) in
        std::iter::once((person, false)).chain(guardians.into_iter().map(|g| (g, true)))
    {
        people.push(match w {
            Who::Registered(id, name) => NewCasePerson {
                guardian,
                person_id: Some(find_or_register(state, &access.principal, &id, &name).await?),
                name: None,
            },
            Who::Named(name) => NewCasePerson {
                guardian,
                person_id: None,
                name,
            },
        });
    }
    let subject = match people.first().and_then(|p| p.person_id) {
        Some(pid) => state
            .store
            .person_ref(pid)
            .await?
            .map(|r| r.pseudonym)
            .unwrap_or_default(),
        None => String::new(),
    };
    let body = serde_json::to_string(&opening).map_err(|_| WebError::internal("json"))?;
    let entry = access.access(state, &subject, String::new());
    let id = state
        .store
        .advisory_open(
            access.org(),
            route.as_str(),
            &body,
            &people,
            access.principal.user.0,
            state.clock.now(),
            &entry,
        )
        .await?;
    Ok(id)
}

/// A case as read: the stored rows and the core's fold of them.
pub struct Loaded {
    pub stored: StoredCase,
    pub case: Case,
}

fn corrupt(what: &str) -> WebError {
    tracing::error!(what, "advisory case damaged");
    WebError::internal("storage")
}

/// The core's case of stored rows.
pub fn fold(stored: &StoredCase) -> Result<Case, WebError> {
    stored.fold().map_err(corrupt)
}

/// Reads a case with the access entry `entry` (a read, or the read a write makes).
pub async fn load_with(
    state: &AppState,
    id: i64,
    entry: &varde_store::NewAccess,
) -> Result<Loaded, WebError> {
    let stored = state.store.advisory_case_logged(id, entry).await?;
    let case = fold(&stored)?;
    Ok(Loaded { stored, case })
}

/// Refuses an erased case (410): it has no content left to read or add to.
pub fn not_erased(case: &varde_store::CaseRef) -> Result<(), WebError> {
    if case.erased_at.is_some() {
        return Err(WebError::conflict(
            "the case's personal data was erased after its retention period",
        )
        .with_status(axum::http::StatusCode::GONE));
    }
    Ok(())
}

/// Reads a case for its page or the API (410 once erased).
pub async fn load<A: ActionKind>(
    state: &AppState,
    access: &CaseAccess<A>,
) -> Result<Loaded, WebError> {
    not_erased(&access.case)?;
    load_with(state, access.id(), &access.access).await
}

/// The unit's minimum outreach: its own, or the default.
pub async fn minimum(state: &AppState, org: OrgId) -> Result<OutreachMinimum, WebError> {
    Ok(match state.store.advisory_minimum(org).await? {
        Some((a, m)) => OutreachMinimum {
            attempts: u8::try_from(a).unwrap_or(u8::MAX),
            distinct_means: u8::try_from(m).unwrap_or(u8::MAX),
        },
        None => OutreachMinimum::default(),
    })
}

/// The unit's retention of closed cases: its own, or the default (five years).
pub async fn retention(state: &AppState, org: OrgId) -> Result<Retention, WebError> {
    Ok(state
        .store
        .advisory_retention(org)
        .await?
        .and_then(|y| Retention::new(y).ok())
        .unwrap_or_default())
}

/// Records `entry` on the case: checked against the case as stored, written with its access
/// entry (and, for health-care content, the user's clinical access decided first). Returns the
/// case after the entry.
pub async fn record(
    state: &AppState,
    access: &CaseAccess<WriteAdvisory>,
    entry: Entry,
) -> Result<Case, WebError> {
    not_erased(&access.case)?;
    if entry.is_health_care() {
        // Denied (logged, 403) unless the user has a clinical role of the unit.
        access.health_entry(state).await?;
    }
    let min = minimum(state, access.case.org_id).await?;
    let mut tries = 0;
    loop {
        tries += 1;
        let read = access.entry_as(state, Action::AdvisoryWrite);
        let Loaded { stored, mut case } = load_with(state, access.id(), &read).await?;
        let checked = case.check(entry.clone(), state.clock.today(), min)?;
        let body = serde_json::to_string(&checked).map_err(|_| WebError::internal("json"))?;
        let closing = match &checked {
            Entry::Closed { on, outcome } => Some((on.to_string(), outcome.as_str())),
            _ => None,
        };
        let written = state
            .store
            .advisory_record(
                access.case.org_id,
                access.id(),
                stored.entries_seen,
                checked.kind(),
                &body,
                closing.as_ref().map(|(d, o)| (d.as_str(), *o)),
                access.principal.user.0,
                state.clock.now(),
                &access.access,
            )
            .await;
        match written {
            Ok(_) => {
                case.apply(&checked);
                return Ok(case);
            }
            Err(StoreError::Changed(_)) if tries < 3 => continue,
            Err(e) => return Err(e.into()),
        }
    }
}

/// A day in a form or body, for an entry (`on`): empty is today.
pub fn day_or_today(state: &AppState, field: &'static str, v: &str) -> Result<Date, FieldError> {
    if v.trim().is_empty() {
        Ok(state.clock.today())
    } else {
        fields::date(field, v)
    }
}
