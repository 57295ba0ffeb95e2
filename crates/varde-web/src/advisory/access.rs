//! Permission to act on one advisory case: the case named in the path (`{id}`), its
//! organisation and its person's pseudonym — what the decision needs, not the case — decided
//! for the current user by `varde_core::authz::decide` (through [`decide_for`]). A denial is
//! logged and answered 403 before the handler runs; an allow hands the handler the access
//! entry it writes with the read or the write, in the same transaction.

use std::marker::PhantomData;

use axum::extract::{FromRequestParts, RawPathParams};
use axum::http::request::Parts;
use varde_core::authz::{decide, Action, Decision, Subject};
use varde_core::org::Principal;
use varde_store::{advisory_record, CaseRef, NewAccess};

use crate::auth::CurrentUser;
use crate::authz::{access_entry, decide_for, ActionKind, Target};
use crate::error::WebError;
use crate::AppState;

/// Permission to perform `A` on one case.
pub struct CaseAccess<A> {
    pub principal: Principal,
    pub case: CaseRef,
    pub decision: Decision,
    /// The entry to log with the access.
    pub access: NewAccess,
    _action: PhantomData<A>,
}

impl<A: ActionKind> CaseAccess<A> {
    /// Decides `A` on case `id` for `principal`, logging a denial; 404 for no such case.
    pub async fn decide(state: &AppState, principal: Principal, id: i64) -> Result<Self, WebError> {
        let case = state
            .store
            .advisory_case_ref(id)
            .await?
            .ok_or_else(WebError::not_found)?;
        let target = Target {
            owner: case.org_id,
            subject: &case.pseudonym,
            record: advisory_record(id),
        };
        let (decision, access) = decide_for(state, &principal, A::ACTION, target, None).await?;
        Ok(CaseAccess {
            principal,
            case,
            decision,
            access,
            _action: PhantomData,
        })
    }

    pub fn id(&self) -> i64 {
        self.case.id
    }

    /// Whether the user may read and write the case's health-care content (a pure check, as
    /// the menu makes: nothing is attempted, so nothing is logged).
    pub fn may_health(&self) -> bool {
        decide(
            &self.principal,
            Action::AdvisoryHealth,
            &Subject::of_org(self.case.org_id),
            None,
        )
        .allowed
    }

    /// The entry of a read or write of the case's health-care content (allowed: see
    /// [`Self::may_health`]; a denial is logged and 403).
    pub async fn health_entry(&self, state: &AppState) -> Result<NewAccess, WebError> {
        let target = Target {
            owner: self.case.org_id,
            subject: &self.case.pseudonym,
            record: advisory_record(self.case.id),
        };
        let (_, entry) =
            decide_for(state, &self.principal, Action::AdvisoryHealth, target, None).await?;
        Ok(entry)
    }

    /// The same access as another action's entry (a read made for a write).
    pub fn entry_as(&self, state: &AppState, action: Action) -> NewAccess {
        access_entry(
            state,
            &self.principal,
            action,
            Target {
                owner: self.case.org_id,
                subject: &self.case.pseudonym,
                record: advisory_record(self.case.id),
            },
            &self.decision,
            None,
        )
    }
}

impl<A: ActionKind> FromRequestParts<AppState> for CaseAccess<A> {
    type Rejection = WebError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let user = CurrentUser::from_request_parts(parts, state).await?;
        let params = RawPathParams::from_request_parts(parts, state)
            .await
            .map_err(|_| WebError::bad_request("the case id in the path must be a number"))?;
        let id = params
            .iter()
            .find(|(k, _)| *k == "id")
            .and_then(|(_, v)| v.parse::<i64>().ok())
            .ok_or_else(|| WebError::bad_request("the case id in the path must be a number"))?;
        Self::decide(state, user.principal, id).await
    }
}
