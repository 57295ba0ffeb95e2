//! Permission to act on one discharge notice: the notice named in the path (`{id}`), the unit
//! that raised it, the municipality it is addressed to and the person's pseudonym — what the
//! decision needs, not the notice — decided for the current user by
//! `varde_core::authz::decide`. The subject's organisation is the raising unit (it holds the
//! record); the relationship is `Addressee` when the user's organisation is the municipality
//! the notice is addressed to, which the legal basis covers. A denial is logged (with the unit
//! as owner, so its auditor sees it) and answered 404, as an unknown notice is: a user of a
//! third organisation learns nothing, not even that the notice exists.

use std::marker::PhantomData;

use axum::extract::{FromRequestParts, RawPathParams};
use axum::http::request::Parts;
use varde_core::authz::{decide, Action, Consent, Decision, Relationship, Subject};
use varde_core::coordination::discharge::Side;
use varde_core::org::Principal;
use varde_store::{discharge_record, NewAccess, NoticeRef};

use crate::auth::CurrentUser;
use crate::authz::{access_entry, ActionKind, Target};
use crate::error::WebError;
use crate::AppState;

/// Permission to perform `A` on one notice.
pub struct NoticeAccess<A> {
    pub principal: Principal,
    pub notice: NoticeRef,
    pub decision: Decision,
    /// The entry to log with the access.
    pub access: NewAccess,
    _action: PhantomData<A>,
}

/// The subject of a decision on `notice` for `principal`.
pub fn subject(principal: &Principal, notice: &NoticeRef) -> Subject {
    Subject {
        org: notice.unit_org,
        relationship: if principal.org == notice.municipality_org {
            Relationship::Addressee
        } else {
            Relationship::None
        },
        consent: Consent::None,
        // The legal basis is the addressee relationship itself (`decide` names it).
        basis: None,
    }
}

impl<A: ActionKind> NoticeAccess<A> {
    /// Decides `A` on notice `id` for `principal`, logging a denial; 404 for no such notice
    /// and for a denial.
    pub async fn decide(state: &AppState, principal: Principal, id: i64) -> Result<Self, WebError> {
        let notice = state
            .store
            .discharge_ref(id)
            .await?
            .ok_or_else(WebError::not_found)?;
        let decision = decide(&principal, A::ACTION, &subject(&principal, &notice), None);
        let access = entry(state, &principal, A::ACTION, &notice, &decision);
        if !decision.allowed {
            state.store.log_access(&access).await?;
            tracing::warn!(target: "security", user_id = principal.user.0, action = A::ACTION.as_str(), reason = decision.reason.as_str(), "access denied");
            return Err(WebError::not_found());
        }
        Ok(NoticeAccess {
            principal,
            notice,
            decision,
            access,
            _action: PhantomData,
        })
    }

    /// The side the user acts for.
    pub fn side(&self) -> Side {
        if self.principal.org == self.notice.unit_org {
            Side::Unit
        } else {
            Side::Municipality
        }
    }
}

/// The access-log entry of `action` on `notice`.
pub fn entry(
    state: &AppState,
    principal: &Principal,
    action: Action,
    notice: &NoticeRef,
    decision: &Decision,
) -> NewAccess {
    access_entry(
        state,
        principal,
        action,
        Target {
            owner: notice.unit_org,
            subject: &notice.pseudonym,
            record: discharge_record(notice.id),
        },
        decision,
        None,
    )
}

impl<A: ActionKind> FromRequestParts<AppState> for NoticeAccess<A> {
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
