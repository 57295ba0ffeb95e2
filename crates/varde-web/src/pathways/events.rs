//! Writing pathway events: one event registered (checked against its pathway's registered
//! events), and corrections (a registered event withdrawn or replaced, with a reason). The
//! page forms and the JSON API call these operations.
//!
//! A check runs outside the transaction that writes, so every write expects the stamp it
//! checked against: the store refuses with [`StoreError::Changed`] (nothing written) if the
//! organisation's head moved since, and the write is checked again ([`retrying`], three tries
//! in all) — two clicks on "register", or two imports of one pathway, can never both pass a
//! rule checked outside the transaction.

use std::collections::HashMap;

use axum::http::StatusCode;
use serde::Serialize;
use varde_core::authz::Action;
use varde_core::org::{OrgId, Principal};
use varde_core::pathways::place::{self, org_hf};
use varde_core::pathways::{check_new, validate, Event, EventFields, EventKind};
use varde_store::{PathwayWrite, StoreError};

use super::cache::{load, load_pathway};
use crate::authz::{decide_for, OrgAccess, Target, WritePathways};
use crate::error::WebError;
use crate::AppState;

/// What an attempt at a checked write ended in: the store saw the data change since it was
/// read (check again), or an answer to give.
pub enum Attempt {
    Changed,
    Failed(WebError),
}

impl From<WebError> for Attempt {
    fn from(e: WebError) -> Self {
        Attempt::Failed(e)
    }
}

impl From<StoreError> for Attempt {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Changed(_) => Attempt::Changed,
            other => Attempt::Failed(other.into()),
        }
    }
}

impl From<varde_core::fields::FieldError> for Attempt {
    fn from(e: varde_core::fields::FieldError) -> Self {
        Attempt::Failed(e.into())
    }
}

/// Runs a checked write again (up to three times in all) while another write comes between
/// its check and its write; the third time, the conflict is the answer.
pub async fn retrying<T, F, Fut>(mut attempt: F) -> Result<T, WebError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, Attempt>>,
{
    for _ in 1..3 {
        match attempt().await {
            Err(Attempt::Changed) => {
                tracing::debug!("pathway write raced another; checking again");
            }
            Ok(v) => return Ok(v),
            Err(Attempt::Failed(e)) => return Err(e),
        }
    }
    match attempt().await {
        Ok(v) => Ok(v),
        Err(Attempt::Failed(e)) => Err(e),
        Err(Attempt::Changed) => Err(WebError::conflict(varde_store::PATHWAYS_CHANGED)),
    }
}

/// The answer to a pathway the caller's organisation does not hold: 404, with nothing about
/// the pathway. When another organisation holds a pathway with this id, the attempt is decided
/// — and denied — as an access to that organisation's record, and so logged where its auditor
/// sees it, as an attempt on a person of another organisation is.
pub async fn not_held(
    state: &AppState,
    principal: &Principal,
    action: Action,
    pathway_id: &str,
) -> WebError {
    let holders = match state.store.pathway_holders(pathway_id).await {
        Ok(h) => h,
        Err(e) => return e.into(),
    };
    for holder in holders.into_iter().filter(|o| *o != principal.org) {
        let target = Target {
            owner: holder,
            subject: "",
            record: format!("pathway:{pathway_id}"),
        };
        if let Err(e) = decide_for(state, principal, action, target, None).await {
            if e.status.is_server_error() {
                return e;
            }
        }
    }
    WebError::not_found()
}

/// As [`not_held`], for one registered event (a projection row) named by its id.
pub async fn event_not_held(state: &AppState, principal: &Principal, id: i64) -> WebError {
    match state.store.pathway_event_holder(id).await {
        Ok(Some(holder)) if holder != principal.org => {
            let target = Target {
                owner: holder,
                subject: "",
                record: format!("pathway-event:{id}"),
            };
            match decide_for(state, principal, Action::PathwayWrite, target, None).await {
                Err(e) if e.status.is_server_error() => e,
                _ => WebError::not_found(),
            }
        }
        Ok(_) => WebError::not_found(),
        Err(e) => e.into(),
    }
}

/// Registers one event after checking it against its pathway's registered events. Returns
/// the pathway id.
///
/// A `referral_received` may name `person` (a person id of the caller's organisation's
/// register, as text from a form or a JSON body): the pathway then belongs to that person.
/// A referral with no pathway id gets one minted by the server ([`mint_pathway_id`]). Later
/// events name the pathway only: a person on them is refused.
pub async fn register(
    state: &AppState,
    access: &OrgAccess<WritePathways>,
    mut fields: EventFields,
    person: Option<&str>,
) -> Result<String, WebError> {
    let org = access.org();
    let referral = fields.event.trim() == EventKind::ReferralReceived.as_str();
    let person = match person.map(str::trim).filter(|p| !p.is_empty()) {
        None => None,
        Some(_) if !referral => return Err(WebError::invalid(
            "person_id",
            "only the referral (referral_received) names the person; later events name the pathway",
        )),
        Some(p) => Some(person_of_org(state, access, p).await?),
    };
    if referral && fields.pathway_id.trim().is_empty() {
        fields.pathway_id = mint_pathway_id(state, org).await?;
    }
    let event = fields
        .parse(0)
        .map_err(|e| WebError::invalid(e.rule.field(), e.rule.to_string()))?;
    let links: Vec<(usize, i64)> = person.iter().map(|(id, _)| (0, *id)).collect();
    let subject = person
        .as_ref()
        .map_or("", |(_, pseudonym)| pseudonym.as_str());
    retrying(|| async {
        // The version first, then the events checked: the write expects that version.
        let all = load(state, Some(org)).await?;
        place::check(&fields, org_hf(&all.events))?;
        let existing = load_pathway(state, org, &fields.pathway_id).await?;
        check_new(&existing.events, &event, state.clock.today())
            .map_err(|rule| WebError::invalid(rule.field(), rule.to_string()))?;
        let entry = access.access(state, subject, format!("pathway:{}", fields.pathway_id));
        state
            .store
            .append_pathway_write(PathwayWrite {
                org,
                actor: access.principal.user,
                batch: None,
                events: std::slice::from_ref(&fields),
                persons: &links,
                recorded_at: state.clock.now(),
                access: Some(&entry),
                expected: Some(all.stamp),
            })
            .await?;
        Ok::<(), Attempt>(())
    })
    .await?;
    Ok(fields.pathway_id)
}

/// The person `raw` names (id and pseudonym), if it is of the caller's organisation's
/// register: an id that is not a number or names no one is refused (422); a person of another
/// organisation is an attempt on that organisation's record, decided — and denied, and logged
/// where its auditor sees it — as a read of it (403).
pub async fn person_of_org(
    state: &AppState,
    access: &OrgAccess<WritePathways>,
    raw: &str,
) -> Result<(i64, String), WebError> {
    let unknown = || WebError::invalid("person_id", "no person with this id in the register");
    let id: i64 = raw.trim().parse().map_err(|_| unknown())?;
    let person = state.store.person_ref(id).await?.ok_or_else(unknown)?;
    if person.org_id != access.org() {
        let target = Target {
            owner: person.org_id,
            subject: &person.pseudonym,
            record: format!("person:{id}"),
        };
        decide_for(state, &access.principal, Action::PersonRead, target, None).await?;
        // Allowed to read (consent, assignment) is not enough: a pathway belongs to a person
        // of its own organisation's register.
        return Err(WebError::invalid(
            "person_id",
            "the person is registered with another organisation; register them with yours",
        )
        .with_status(StatusCode::FORBIDDEN));
    }
    Ok((person.id, person.pseudonym))
}

/// A fresh pathway id for the organisation: `TSB-` and ten characters of Crockford's base32
/// (50 random bits), never derived from the person and never all digits (so never mistaken
/// for an identity number). Drawn again in the unlikely case the organisation has it.
pub async fn mint_pathway_id(state: &AppState, org: OrgId) -> Result<String, WebError> {
    loop {
        let id = varde_core::ids::crockford("TSB-", rand::random::<u64>() >> 14, 10);
        if load_pathway(state, org, &id).await?.rows.is_empty() {
            return Ok(id);
        }
    }
}

/// Withdraws (or replaces) one registered event, checking that the corrected pathway still
/// keeps the rules. Returns the pathway id.
pub async fn correct(
    state: &AppState,
    access: &OrgAccess<WritePathways>,
    id: i64,
    replacement: Option<EventFields>,
    reason: &str,
) -> Result<String, WebError> {
    let reason = reason.trim();
    if reason.chars().count() < 3 {
        return Err(WebError::invalid(
            "reason",
            "a correction needs a reason (at least 3 characters)",
        ));
    }
    if reason.chars().count() > varde_core::persons::REASON_MAX {
        return Err(WebError::invalid(
            "reason",
            format!("at most {} characters", varde_core::persons::REASON_MAX),
        ));
    }
    retrying(|| correct_once(state, access, id, replacement.as_ref(), reason)).await
}

async fn correct_once(
    state: &AppState,
    access: &OrgAccess<WritePathways>,
    id: i64,
    replacement: Option<&EventFields>,
    reason: &str,
) -> Result<String, Attempt> {
    let org = access.org();
    let all = load(state, Some(org)).await?;
    let Some(pos) = all.ids.iter().position(|r| *r == id) else {
        return Err(event_not_held(state, &access.principal, id).await.into());
    };
    let pathway_id = all.events[pos].pathway_id.to_string();
    let mut corrected: Vec<Event> = all
        .ids
        .iter()
        .zip(&all.events)
        .filter(|(r, e)| *e.pathway_id == *pathway_id && **r != id)
        .map(|(_, e)| e.clone())
        .collect();
    if let Some(rep) = replacement {
        if rep.pathway_id.trim_ascii() != pathway_id {
            return Err(WebError::invalid(
                "replacement.pathway_id",
                "a correction may not move an event to another pathway",
            )
            .into());
        }
        place::check(rep, org_hf(&all.events)).map_err(|e| e.within("replacement"))?;
        corrected.push(
            rep.parse(0)
                .map_err(|e| WebError::invalid("replacement", e.rule.to_string()))?,
        );
    }
    let (_, errors) = validate(corrected, state.clock.today());
    if let Some(e) = errors.first() {
        return Err(WebError::invalid(
            "replacement",
            format!("the corrected pathway breaks a rule: {}", e.rule),
        )
        .into());
    }
    let entry = access.access(state, "", format!("pathway:{pathway_id}"));
    state
        .store
        .correct_pathway_event_expecting(
            org,
            access.principal.user,
            id,
            replacement,
            reason,
            state.clock.now(),
            Some(&entry),
            Some(all.stamp),
        )
        .await?;
    Ok(pathway_id)
}

/// A registered event as the API answers it.
#[derive(Debug, Clone, Serialize)]
pub struct StoredDoc {
    pub id: i64,
    #[serde(flatten)]
    pub fields: EventFields,
    pub recorded_at: String,
}

/// A correction of a pathway as the API and the page show it.
#[derive(Debug, Clone, Serialize)]
pub struct CorrectionDoc {
    /// The event withdrawn.
    pub withdrawn: StoredDoc,
    /// Why; empty for a correction recorded before reasons were linked to their rows.
    pub reason: String,
    /// The user who corrected it (username), when known.
    pub by: Option<String>,
    /// When the correction was recorded.
    pub recorded_at: Option<String>,
    /// The row that replaced the withdrawn one, if any.
    pub replacement_id: Option<i64>,
}

/// The corrections of one pathway, oldest first, with who made them. Usernames are read once
/// per user.
pub async fn corrections_of(
    state: &AppState,
    org: OrgId,
    pathway_id: &str,
) -> Result<Vec<CorrectionDoc>, WebError> {
    let mut names: HashMap<i64, Option<String>> = HashMap::new();
    let mut out = Vec::new();
    for c in state.store.pathway_corrections_of(org, pathway_id).await? {
        let by = match c.correction.as_ref().and_then(|c| c.actor_id) {
            None => None,
            Some(id) => match names.get(&id) {
                Some(name) => name.clone(),
                None => {
                    let name = state
                        .store
                        .user(varde_core::org::UserId(id))
                        .await
                        .ok()
                        .map(|u| u.username);
                    names.insert(id, name.clone());
                    name
                }
            },
        };
        out.push(CorrectionDoc {
            withdrawn: StoredDoc {
                id: c.withdrawn.id,
                fields: c.withdrawn.fields,
                recorded_at: c.withdrawn.recorded_at,
            },
            reason: c
                .correction
                .as_ref()
                .map(|c| c.reason.clone())
                .unwrap_or_default(),
            by,
            recorded_at: c.correction.as_ref().map(|c| c.recorded_at.clone()),
            replacement_id: c.correction.and_then(|c| c.replacement_id),
        });
    }
    Ok(out)
}

/// Registers that a feedback tool was used on the organisation's pathway `pathway_id` on
/// `day` (`feedback_tool_used`, code D01UF, where it belongs taken from the pathway's latest
/// row), unless the pathway has that event already: the quality indicator counts a pathway
/// once. `false` when nothing was written (marked before, or no such pathway). Called by the
/// feedback area when a patient answers a session's feedback on a link that names the pathway.
pub async fn mark_feedback_tool_used(
    state: &AppState,
    access: &OrgAccess<WritePathways>,
    pathway_id: &str,
    day: jiff::civil::Date,
) -> Result<bool, WebError> {
    let existing = load_pathway(state, access.org(), pathway_id).await?;
    if existing
        .events
        .iter()
        .any(|e| e.kind == EventKind::FeedbackToolUsed)
    {
        return Ok(false);
    }
    let Some(latest) = existing.rows.last() else {
        return Ok(false);
    };
    let fields = EventFields {
        pathway_id: pathway_id.to_owned(),
        unit: latest.fields.unit.clone(),
        hf: latest.fields.hf.clone(),
        rhf: latest.fields.rhf.clone(),
        kommune: latest.fields.kommune.clone(),
        care_level: latest.fields.care_level.clone(),
        event: EventKind::FeedbackToolUsed.as_str().to_owned(),
        date: day.to_string(),
        code: "D01UF".to_owned(),
        pathway_variant: latest.fields.pathway_variant.clone(),
        ..EventFields::default()
    };
    register(state, access, fields, None).await?;
    Ok(true)
}
