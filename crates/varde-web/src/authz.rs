//! Authorisation extractors: the bridge from a request to [`varde_core::authz::decide`].
//!
//! [`PersonAccess<A>`] loads the person named in the path, decides action `A` for the current
//! user, logs a denial in the access log and rejects; on allow it hands the handler the
//! decision and a prepared access-log entry, which the handler passes to the store method
//! that reads or writes the record in the same transaction. [`OrgAccess<A>`] does the same
//! for actions on the user's own organisation (create, list, users, audit).

use std::marker::PhantomData;

use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use varde_core::audit::Outcome;
use varde_core::authz::{decide, Action, Decision, Subject};
use varde_core::org::OrgId;
use varde_store::{NewAccess, PersonRow};

use crate::auth::CurrentUser;
use crate::error::WebError;
use crate::AppState;

/// The header an API client sends a break-glass reason in.
pub const BREAK_GLASS_HEADER: &str = "varde-break-glass";

/// A type-level action.
pub trait ActionKind: Send + Sync {
    const ACTION: Action;
}

macro_rules! action_kinds {
    ($($name:ident => $action:ident),* $(,)?) => {
        $(
            #[derive(Debug)]
            pub struct $name;
            impl ActionKind for $name {
                const ACTION: Action = Action::$action;
            }
        )*
    };
}

action_kinds!(
    ReadPerson => PersonRead,
    CorrectPerson => PersonCorrect,
    CreatePerson => PersonCreate,
    ListPersons => PersonList,
    ManageUsers => UserManage,
    ReadAudit => AuditRead,
    PersonReport => AuditPersonReport,
    ReadPathways => PathwayRead,
    WritePathways => PathwayWrite,
    SeePathwayIndicators => PathwayIndicators,
    ReadLar => LarRead,
    WriteLar => LarWrite,
    ReadCoercion => CoercionRead,
    WriteCoercion => CoercionWrite,
);

/// What an access concerns: the record, its pseudonymous subject and the organisation that
/// holds it.
pub struct Target<'a> {
    pub owner: OrgId,
    pub subject: &'a str,
    pub record: String,
}

/// The access-log entry for `action` by `user` on `target`.
pub fn access_entry(
    state: &AppState,
    user: &CurrentUser,
    action: Action,
    target: Target<'_>,
    decision: &Decision,
    purpose: Option<&str>,
) -> NewAccess {
    let Target {
        owner,
        subject,
        record,
    } = target;
    NewAccess {
        at: state.clock.now(),
        actor: user.principal.username.clone(),
        actor_id: user.principal.user.0,
        org_id: user.principal.org.0,
        owner_org_id: owner.0,
        action: action.as_str().to_owned(),
        subject: subject.to_owned(),
        record,
        purpose: match purpose {
            Some(p) if !p.trim().is_empty() => p.trim().chars().take(500).collect(),
            _ => decision.reason.as_str().to_owned(),
        },
        outcome: if decision.allowed {
            Outcome::Allowed
        } else {
            Outcome::Denied
        },
        flagged: decision.flagged,
    }
}

/// Permission to perform `A` on one person record.
pub struct PersonAccess<A> {
    pub user: CurrentUser,
    pub person: PersonRow,
    pub decision: Decision,
    /// The entry to log with the access, in the same transaction.
    pub access: NewAccess,
    _action: PhantomData<A>,
}

/// Decides `action` on person `id` for `user`, logging a denial. The one path by which
/// person-level access is granted, for the extractor and for the break-glass form alike.
pub async fn authorize_person(
    state: &AppState,
    user: CurrentUser,
    id: i64,
    action: Action,
    break_glass: Option<&str>,
) -> Result<(CurrentUser, PersonRow, Decision, NewAccess), WebError> {
    let person = state
        .store
        .person_unlogged(id)
        .await?
        .ok_or_else(WebError::not_found)?;
    let subject = Subject::of_org(person.org_id);
    let decision = decide(&user.principal, action, &subject, break_glass);
    let access = access_entry(
        state,
        &user,
        action,
        Target {
            owner: person.org_id,
            subject: &person.pseudonym,
            record: format!("person:{id}"),
        },
        &decision,
        break_glass.filter(|_| decision.flagged),
    );
    if !decision.allowed {
        state.store.log_access(&access).await?;
        tracing::warn!(target: "security", user_id = user.principal.user.0, action = action.as_str(), reason = decision.reason.as_str(), "access denied");
        return Err(WebError::denied(&decision));
    }
    Ok((user, person, decision, access))
}

impl<A: ActionKind> FromRequestParts<AppState> for PersonAccess<A> {
    type Rejection = WebError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let html = !crate::auth::is_api(parts);
        let wrap = |e: WebError| if html { e.html() } else { e };
        let user = CurrentUser::from_request_parts(parts, state).await?;
        let Path(id) = Path::<i64>::from_request_parts(parts, state)
            .await
            .map_err(|_| {
                wrap(WebError::bad_request(
                    "the record id in the path must be a number",
                ))
            })?;
        let break_glass = parts
            .headers
            .get(BREAK_GLASS_HEADER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let (user, person, decision, access) =
            authorize_person(state, user, id, A::ACTION, break_glass.as_deref())
                .await
                .map_err(wrap)?;
        Ok(PersonAccess {
            user,
            person,
            decision,
            access,
            _action: PhantomData,
        })
    }
}

/// Permission to perform `A` within the user's own organisation.
pub struct OrgAccess<A> {
    pub user: CurrentUser,
    pub decision: Decision,
    action: Action,
    _action: PhantomData<A>,
}

impl<A> OrgAccess<A> {
    /// The access-log entry for this (allowed) action.
    pub fn access(&self, state: &AppState, subject: &str, record: String) -> NewAccess {
        access_entry(
            state,
            &self.user,
            self.action,
            Target {
                owner: self.user.principal.org,
                subject,
                record,
            },
            &self.decision,
            None,
        )
    }
}

impl<A: ActionKind> FromRequestParts<AppState> for OrgAccess<A> {
    type Rejection = WebError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let html = !crate::auth::is_api(parts);
        let user = CurrentUser::from_request_parts(parts, state).await?;
        let decision = decide(
            &user.principal,
            A::ACTION,
            &Subject::of_org(user.principal.org),
            None,
        );
        if !decision.allowed {
            if A::ACTION.is_personal_data() {
                let access = access_entry(
                    state,
                    &user,
                    A::ACTION,
                    Target {
                        owner: user.principal.org,
                        subject: "",
                        record: format!("org:{}", user.principal.org.0),
                    },
                    &decision,
                    None,
                );
                state.store.log_access(&access).await?;
            }
            let e = WebError::denied(&decision);
            return Err(if html { e.html() } else { e });
        }
        Ok(OrgAccess {
            user,
            decision,
            action: A::ACTION,
            _action: PhantomData,
        })
    }
}
