//! Permission to act on one overdose notice: the notice named in the path (`{id}`), the
//! organisation that registered it, the municipality that follows up, the person's pseudonym
//! and the consent it was registered with — what the decision needs, not the notice —
//! decided for the current user by `varde_core::authz::decide`. On the municipality's side
//! the consent is read from the store at each decision (never cached: a withdrawal holds from
//! its commit), and the access entry names it. A denial is logged (with the registering
//! organisation as owner) and answered 404, as an unknown notice is: a user of a third
//! organisation learns nothing, not even that the notice exists.

use std::marker::PhantomData;

use axum::extract::{FromRequestParts, RawPathParams};
use axum::http::request::Parts;
use varde_core::authz::{decide, Action, Consent, Decision, Relationship, Subject};
use varde_core::coordination::Scope;
use varde_core::org::Principal;
use varde_store::{overdose_stream, NewAccess, OverdoseRef};

use crate::auth::CurrentUser;
use crate::authz::{access_entry, ActionKind, Target};
use crate::coordination::access::purpose_of;
use crate::error::WebError;
use crate::AppState;

/// Permission to perform `A` on one notice.
pub struct OverdoseAccess<A> {
    pub principal: Principal,
    pub notice: OverdoseRef,
    pub decision: Decision,
    /// The entry to log with the access (naming the consent on the municipality's side).
    pub access: NewAccess,
    _action: PhantomData<A>,
}

/// The subject of a decision on `notice` for `principal`, with the notice's consent as it
/// stands now (`in_force`, read by the caller from the store).
pub fn subject(principal: &Principal, notice: &OverdoseRef, in_force: bool) -> Subject {
    let addressee = principal.org == notice.municipality_org;
    Subject {
        org: notice.reporter_org,
        relationship: if addressee {
            Relationship::Addressee
        } else {
            Relationship::None
        },
        consent: match (addressee, in_force) {
            (true, true) => Consent::Given {
                id: notice.consent_id,
                scope: Scope::OverdoseNotice,
            },
            (true, false) => Consent::Withdrawn,
            (false, _) => Consent::None,
        },
        basis: None,
    }
}

/// Decides `action` on `notice` for `principal`, reading the consent now: the decision and
/// its access entry.
pub async fn decide_on(
    state: &AppState,
    principal: &Principal,
    action: Action,
    notice: &OverdoseRef,
) -> Result<(Decision, NewAccess), WebError> {
    let in_force = principal.org == notice.municipality_org
        && state
            .store
            .overdose_consent_in_force(notice.consent_id, state.clock.today())
            .await?;
    let s = subject(principal, notice, in_force);
    let decision = decide(principal, action, &s, None);
    let purpose = purpose_of(&decision, &s, None);
    let access = entry(state, principal, action, notice, &decision, &purpose);
    Ok((decision, access))
}

/// The access-log entry of `action` on `notice`.
pub fn entry(
    state: &AppState,
    principal: &Principal,
    action: Action,
    notice: &OverdoseRef,
    decision: &Decision,
    purpose: &str,
) -> NewAccess {
    access_entry(
        state,
        principal,
        action,
        Target {
            owner: notice.reporter_org,
            subject: &notice.pseudonym,
            record: overdose_stream(notice.id),
        },
        decision,
        Some(purpose),
    )
}

impl<A: ActionKind> OverdoseAccess<A> {
    /// Decides `A` on notice `id` for `principal`, logging a denial; 404 for no such notice
    /// and for a denial.
    pub async fn decide(state: &AppState, principal: Principal, id: i64) -> Result<Self, WebError> {
        let notice = state
            .store
            .overdose_ref(id)
            .await?
            .ok_or_else(WebError::not_found)?;
        let (decision, access) = decide_on(state, &principal, A::ACTION, &notice).await?;
        if !decision.allowed {
            state.store.log_access(&access).await?;
            tracing::warn!(target: "security", user_id = principal.user.0, action = A::ACTION.as_str(), reason = decision.reason.as_str(), "access denied");
            return Err(WebError::not_found());
        }
        Ok(OverdoseAccess {
            principal,
            notice,
            decision,
            access,
            _action: PhantomData,
        })
    }

    /// Whether the user's organisation is the municipality that follows up.
    pub fn follows_up(&self) -> bool {
        self.principal.org == self.notice.municipality_org
    }
}

impl<A: ActionKind> FromRequestParts<AppState> for OverdoseAccess<A> {
    type Rejection = WebError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let user = CurrentUser::from_request_parts(parts, state).await?;
        let params = RawPathParams::from_request_parts(parts, state)
            .await
            .map_err(|_| WebError::bad_request("the notice id in the path must be a number"))?;
        let id = params
            .iter()
            .find(|(k, _)| *k == "id")
            .and_then(|(_, v)| v.parse::<i64>().ok())
            .ok_or_else(|| WebError::bad_request("the notice id in the path must be a number"))?;
        Self::decide(state, user.principal, id).await
    }
}
