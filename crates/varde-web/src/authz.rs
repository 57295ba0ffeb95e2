//! Authorisation extractors: the bridge from a request to [`varde_core::authz::decide`].
//!
//! [`PersonAccess<A>`] finds the person named in the path (its organisation and pseudonym —
//! what the decision needs, not the record), decides action `A` for the current user, logs a
//! denial in the access log and rejects; on allow it hands the handler the decision and a
//! prepared access-log entry, which the handler passes to the store method that reads or
//! writes the record in the same transaction. [`OrgAccess<A>`] does the same for actions on
//! the user's own organisation (create, list, an area's worklist, users, audit). Both can be
//! built outside a request too ([`OrgAccess::decide`]), for the demo data set and the CLI.
//!
//! A handler that needs a second decision (a page shown again after a refused form, which is
//! a read; an operation on a record of another organisation) asks [`decide_for`] — never a
//! comparison of its own.

use std::marker::PhantomData;

use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use varde_core::audit::Outcome;
use varde_core::authz::{decide, Action, Decision, Subject};
use varde_core::org::{OrgId, Principal};
use varde_store::{NewAccess, NewEvent, PersonRef};

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
    SeePathwayNational => PathwayNational,
    ReadLar => LarRead,
    WriteLar => LarWrite,
    ReadCoercion => CoercionRead,
    WriteCoercion => CoercionWrite,
    ReadWarnings => WarningRead,
    DraftWarnings => WarningDraft,
    ApproveWarnings => WarningApprove,
    ManageWebhooks => WebhookManage,
    ReadMonitoring => MonitoringRead,
    WorkSignals => MonitoringWrite,
    ImportMonitoring => MonitoringImport,
    TakeSamples => DrugcheckIntake,
    RecordAnalyses => DrugcheckResult,
    WriteFeedback => FeedbackLink,
    ReadFeedback => FeedbackRead,
    ShareSurveys => FeedbackSurveyShare,
    ReadSurveys => FeedbackSurveyRead,
    ReadResults => ResultsRead,
    RateResults => ResultsRate,
    ImportResults => ResultsImport,
    ReadAdvisory => AdvisoryRead,
    WriteAdvisory => AdvisoryWrite,
    AdvisoryHealthCare => AdvisoryHealth,
    SeeAdvisoryStatistics => AdvisoryStatistics,
    WriteDischarge => CoordinationDischargeWrite,
    RespondDischarge => CoordinationDischargeRespond,
    ReadDischarge => CoordinationDischargeRead,
    DischargeWebhooks => CoordinationDischargeWebhook,
    SeeDischargeNational => CoordinationDischargeNational,
    SeeOverdoseNational => CoordinationOverdoseNational,
    RegisterOverdose => CoordinationOverdoseWrite,
    ReadOverdose => CoordinationOverdoseRead,
    FollowUpOverdose => CoordinationOverdoseFollowUp,
    ReadPlans => CoordinationRead,
    WritePlans => CoordinationWrite,
    ManageConsents => ConsentManage,
    SeeCoordinationFigures => CoordinationFigures,
);

/// What an access concerns: the record, its pseudonymous subject and the organisation that
/// holds it.
pub struct Target<'a> {
    pub owner: OrgId,
    pub subject: &'a str,
    pub record: String,
}

/// The access-log entry for `action` by `principal` on `target`.
pub fn access_entry(
    state: &AppState,
    principal: &Principal,
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
        actor: principal.username.clone(),
        actor_id: principal.user.0,
        org_id: principal.org.0,
        owner_org_id: owner.0,
        action: action.as_str().to_owned(),
        subject: subject.to_owned(),
        record,
        purpose: match purpose {
            Some(p) if !p.trim().is_empty() => p.trim().to_owned(),
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

/// Decides `action` on `target` for `principal`. A denial of an action on personal data is
/// logged, and answered with 403; an allow gives the entry to log with the access.
pub async fn decide_for(
    state: &AppState,
    principal: &Principal,
    action: Action,
    target: Target<'_>,
    break_glass: Option<&str>,
) -> Result<(Decision, NewAccess), WebError> {
    const MAX: usize = varde_core::persons::REASON_MAX;
    if break_glass.is_some_and(|r| r.trim().chars().count() > MAX) {
        return Err(WebError::invalid(
            "reason",
            format!("at most {MAX} characters"),
        ));
    }
    let decision = decide(
        principal,
        action,
        &Subject::of_org(target.owner),
        break_glass,
    );
    let entry = access_entry(
        state,
        principal,
        action,
        target,
        &decision,
        break_glass.filter(|_| decision.flagged),
    );
    if !decision.allowed {
        if action.is_personal_data() {
            state.store.log_access(&entry).await?;
        }
        tracing::warn!(target: "security", user_id = principal.user.0, action = action.as_str(), reason = decision.reason.as_str(), "access denied");
        return Err(WebError::denied(&decision));
    }
    Ok((decision, entry))
}

/// The entry of a read of `record`, a record of the principal's own organisation without a
/// person subject (a page of an area's register), decided as `action`: a page shown again
/// after a refused form is reached with the write permission, and still logs a read.
pub async fn read_entry(
    state: &AppState,
    principal: &Principal,
    action: Action,
    record: String,
) -> Result<NewAccess, WebError> {
    let target = Target {
        owner: principal.org,
        subject: "",
        record,
    };
    let (_, entry) = decide_for(state, principal, action, target, None).await?;
    Ok(entry)
}

/// Permission to perform `A` on one person record.
pub struct PersonAccess<A> {
    pub principal: Principal,
    /// The record's id, organisation and pseudonym (not its content: the handler reads that
    /// in the logged call).
    pub person: PersonRef,
    pub decision: Decision,
    /// The entry to log with the access, in the same transaction.
    pub access: NewAccess,
    _action: PhantomData<A>,
}

impl<A: ActionKind> PersonAccess<A> {
    /// Decides `A` on person `id` for `principal`, logging a denial. The one path by which
    /// person-level access is granted, for the extractor and for the break-glass form alike.
    pub async fn decide(
        state: &AppState,
        principal: Principal,
        id: i64,
        break_glass: Option<&str>,
    ) -> Result<Self, WebError> {
        let person = state
            .store
            .person_ref(id)
            .await?
            .ok_or_else(WebError::not_found)?;
        let target = Target {
            owner: person.org_id,
            subject: &person.pseudonym,
            record: format!("person:{id}"),
        };
        let (decision, access) =
            decide_for(state, &principal, A::ACTION, target, break_glass).await?;
        Ok(PersonAccess {
            principal,
            person,
            decision,
            access,
            _action: PhantomData,
        })
    }
}

impl<A: ActionKind> FromRequestParts<AppState> for PersonAccess<A> {
    type Rejection = WebError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let user = CurrentUser::from_request_parts(parts, state).await?;
        let Path(id) = Path::<i64>::from_request_parts(parts, state)
            .await
            .map_err(|_| WebError::bad_request("the record id in the path must be a number"))?;
        // A reason is written in Norwegian: the header's bytes are read as UTF-8 (not only
        // as visible ASCII, which would drop every reason with an æ, ø or å).
        let break_glass = parts
            .headers
            .get(BREAK_GLASS_HEADER)
            .and_then(|v| std::str::from_utf8(v.as_bytes()).ok())
            .map(str::to_owned);
        Self::decide(state, user.principal, id, break_glass.as_deref()).await
    }
}

/// Permission to perform `A` within the user's own organisation.
pub struct OrgAccess<A> {
    pub principal: Principal,
    pub decision: Decision,
    _action: PhantomData<A>,
}

impl<A: ActionKind> OrgAccess<A> {
    /// Decides `A` on the principal's own organisation, logging a denial of an action on
    /// personal data.
    pub async fn decide(state: &AppState, principal: Principal) -> Result<Self, WebError> {
        let target = Target {
            owner: principal.org,
            subject: "",
            record: format!("org:{}", principal.org.0),
        };
        let (decision, _) = decide_for(state, &principal, A::ACTION, target, None).await?;
        Ok(OrgAccess {
            principal,
            decision,
            _action: PhantomData,
        })
    }

    /// The organisation acted in.
    pub fn org(&self) -> OrgId {
        self.principal.org
    }

    /// The access-log entry for this (allowed) action on `record` of the organisation.
    pub fn access(&self, state: &AppState, subject: &str, record: String) -> NewAccess {
        access_entry(
            state,
            &self.principal,
            A::ACTION,
            Target {
                owner: self.principal.org,
                subject,
                record,
            },
            &self.decision,
            None,
        )
    }

    /// An event recording this (allowed) action in `stream`, attributed to the principal and
    /// its organisation; `expected_seq` is the stream's last sequence number as it was read
    /// (a write after another is refused: the data changed).
    pub fn event(
        &self,
        state: &AppState,
        stream: String,
        kind: &str,
        body: String,
        effective: jiff::civil::Date,
        expected_seq: i64,
    ) -> NewEvent {
        NewEvent {
            stream,
            kind: kind.to_owned(),
            body,
            actor_id: Some(self.principal.user.0),
            org_id: Some(self.principal.org.0),
            recorded_at: state.clock.now(),
            effective_date: effective.to_string(),
            expected_seq: Some(expected_seq),
        }
    }

    /// Logs this (allowed) access to `record` on its own: for reads whose data does not come
    /// from one store call that could log it in its transaction.
    pub async fn log(&self, state: &AppState, record: String) -> Result<(), WebError> {
        state
            .store
            .log_access(&self.access(state, "", record))
            .await?;
        Ok(())
    }
}

impl<A: ActionKind> FromRequestParts<AppState> for OrgAccess<A> {
    type Rejection = WebError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let user = CurrentUser::from_request_parts(parts, state).await?;
        Self::decide(state, user.principal).await
    }
}
