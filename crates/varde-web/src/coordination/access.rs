//! Permission to act on one individual plan, decided by `varde_core::authz::decide` with what
//! the decision needs across organisations: the person's consent in force now for the scope
//! (read from the database at this moment — no cache, so a withdrawal holds from the instant it
//! commits) and the legal basis of the coordinator's own plan. The access-log entry names the
//! consent (its id) or the legal basis (its paragraph) used.
//!
//! A denial is logged. Within the plan's own organisation it is a 403; from another
//! organisation it is the same 404 as a plan that does not exist — a user of a third
//! organisation learns nothing, not even that a plan exists.

use std::marker::PhantomData;

use axum::extract::{FromRequestParts, RawPathParams};
use axum::http::request::Parts;
use varde_core::authz::{decide, Action, Consent, Decision, Reason, Subject};
use varde_core::coordination::{LegalBasis, Scope};
use varde_core::org::Principal;
use varde_store::{coordination_plan_record, NewAccess, PlanRef};

use crate::auth::CurrentUser;
use crate::authz::{access_entry, ActionKind, Target, BREAK_GLASS_HEADER};
use crate::error::WebError;
use crate::AppState;

/// The subject of an action on `plan` by `principal`: the consent in force for the action's
/// scope (another organisation's plan only) and the coordinator's legal basis.
pub async fn subject_of(
    state: &AppState,
    principal: &Principal,
    plan: &PlanRef,
    action: Action,
) -> Result<Subject, WebError> {
    let mut subject = Subject::of_org(plan.org_id);
    if plan.org_id != principal.org {
        let scope = action.scope().unwrap_or(Scope::Plan);
        if let Some(id) = state
            .store
            .coordination_consent_in_force(
                plan.org_id,
                &plan.pseudonym,
                scope,
                principal.org,
                principal.user.0,
                state.clock.today(),
            )
            .await?
        {
            subject.consent = Consent::Given { id, scope };
        }
    }
    if plan.coordinator_id == Some(principal.user.0) {
        subject.basis = Some(LegalBasis::CoordinatorPlan);
    }
    Ok(subject)
}

/// What the access-log entry says the access rested on: the consent by id, the legal basis by
/// paragraph, the break-glass reason, or the decision's reason.
pub fn purpose_of(decision: &Decision, subject: &Subject, break_glass: Option<&str>) -> String {
    match (decision.reason, subject.consent, subject.basis) {
        (Reason::Consent, Consent::Given { id, scope }, _) => {
            format!("consent #{id} ({})", scope.as_str())
        }
        (Reason::LegalBasis(b), _, _) => format!("legal basis: {}", b.paragraph()),
        (Reason::BreakGlass, _, _) => format!(
            "break-glass ({}): {}",
            LegalBasis::Emergency.paragraph(),
            break_glass.unwrap_or("").trim()
        ),
        (r, _, _) => r.as_str().to_owned(),
    }
}

/// Permission to perform `A` on one plan.
pub struct PlanAccess<A> {
    pub principal: Principal,
    pub plan: PlanRef,
    pub decision: Decision,
    /// The entry to log with the access, naming its consent or legal basis.
    pub access: NewAccess,
    _action: PhantomData<A>,
}

impl<A: ActionKind> PlanAccess<A> {
    /// Decides `A` on plan `id` for `principal`, logging a denial; see the module's doc for
    /// what a denial answers.
    pub async fn decide(
        state: &AppState,
        principal: Principal,
        id: i64,
        break_glass: Option<&str>,
    ) -> Result<Self, WebError> {
        let plan = state
            .store
            .coordination_plan_ref(id)
            .await?
            .ok_or_else(WebError::not_found)?;
        let (decision, access) =
            decide_on(state, &principal, &plan, A::ACTION, break_glass).await?;
        Ok(PlanAccess {
            principal,
            plan,
            decision,
            access,
            _action: PhantomData,
        })
    }

    pub fn id(&self) -> i64 {
        self.plan.id
    }
}

/// Decides `action` on `plan`: the entry on allow; on denial the entry is logged and the
/// answer is 403 (own organisation) or 404 (another's).
pub async fn decide_on(
    state: &AppState,
    principal: &Principal,
    plan: &PlanRef,
    action: Action,
    break_glass: Option<&str>,
) -> Result<(Decision, NewAccess), WebError> {
    const MAX: usize = varde_core::persons::REASON_MAX;
    if break_glass.is_some_and(|r| r.trim().chars().count() > MAX) {
        return Err(WebError::invalid(
            "reason",
            format!("at most {MAX} characters"),
        ));
    }
    let subject = subject_of(state, principal, plan, action).await?;
    let decision = decide(principal, action, &subject, break_glass);
    let purpose = purpose_of(&decision, &subject, break_glass);
    let entry = access_entry(
        state,
        principal,
        action,
        Target {
            owner: plan.org_id,
            subject: &plan.pseudonym,
            record: coordination_plan_record(plan.id),
        },
        &decision,
        Some(&purpose),
    );
    if !decision.allowed {
        state.store.log_access(&entry).await?;
        tracing::warn!(target: "security", user_id = principal.user.0, action = action.as_str(), reason = decision.reason.as_str(), "access denied");
        return Err(if plan.org_id == principal.org {
            WebError::denied(&decision)
        } else {
            WebError::not_found()
        });
    }
    Ok((decision, entry))
}

/// Whether `principal` may read `plan` now, without logging (a list decides what to show; it
/// logs each plan it shows).
pub async fn may(
    state: &AppState,
    principal: &Principal,
    plan: &PlanRef,
    action: Action,
) -> Result<Option<NewAccess>, WebError> {
    let subject = subject_of(state, principal, plan, action).await?;
    let decision = decide(principal, action, &subject, None);
    if !decision.allowed {
        return Ok(None);
    }
    let purpose = purpose_of(&decision, &subject, None);
    Ok(Some(access_entry(
        state,
        principal,
        action,
        Target {
            owner: plan.org_id,
            subject: &plan.pseudonym,
            record: coordination_plan_record(plan.id),
        },
        &decision,
        Some(&purpose),
    )))
}

impl<A: ActionKind> FromRequestParts<AppState> for PlanAccess<A> {
    type Rejection = WebError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let user = CurrentUser::from_request_parts(parts, state).await?;
        let params = RawPathParams::from_request_parts(parts, state)
            .await
            .map_err(|_| WebError::bad_request("the plan id in the path must be a number"))?;
        let id = params
            .iter()
            .find(|(k, _)| *k == "id")
            .and_then(|(_, v)| v.parse::<i64>().ok())
            .ok_or_else(|| WebError::bad_request("the plan id in the path must be a number"))?;
        let break_glass = parts
            .headers
            .get(BREAK_GLASS_HEADER)
            .and_then(|v| std::str::from_utf8(v.as_bytes()).ok())
            .map(str::to_owned);
        Self::decide(state, user.principal, id, break_glass.as_deref()).await
    }
}
