//! A person's pathway status at other organisations (consent scope `pathway_status`, issue 16
//! section 1): for each TSB unit whose consent in force names the reader's organisation (or a
//! responsibility group the reader is a member of), where the person stands in that unit's
//! pathways — steps and next point, no clinical content (`varde_core::coordination::
//! pathway_status`). Each holder's read is decided by `authz::decide` with the consent and
//! logged naming it (`consent #{id} (pathway_status)`), before the pathways are read; the
//! person's § 18 report lists it. Without a consent in force nothing is read and nothing is
//! shown — not even that the person has a pathway elsewhere.
//!
//! Shown on the person's coordination page and at
//! `GET /api/v1/coordination/persons/{id}/pathway-status`.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use serde::Serialize;
use utoipa::ToSchema;
use varde_core::authz::{decide, Action, Consent, Subject};
use varde_core::coordination::pathway_status::{statuses, PathwayStatus};
use varde_core::coordination::Scope;
use varde_core::org::Principal;
use varde_store::PersonRef;

use super::access::purpose_of;
use crate::api::json;
use crate::auth::CurrentUser;
use crate::authz::{access_entry, decide_for, Target};
use crate::error::{Problem, WebError};
use crate::AppState;

/// One pathway's status as shared.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StatusDoc {
    /// The unit of the pathway's latest step.
    pub unit: String,
    /// `YYYY-MM-DD`: the referral received.
    pub received: Option<String>,
    /// The last step reached (an event name of the pathways contract).
    pub step: String,
    pub step_date: String,
    /// `YYYY-MM-DD`: the pathway's end, when it has ended.
    pub ended: Option<String>,
    /// The next measurement point of an open pathway, its due date and urgency
    /// (`overdue`, `due_soon`, `on_time`).
    pub next: Option<String>,
    pub due: Option<String>,
    pub urgency: Option<String>,
}

impl From<&PathwayStatus> for StatusDoc {
    fn from(s: &PathwayStatus) -> Self {
        StatusDoc {
            unit: s.unit.clone(),
            received: s.received.map(|d| d.to_string()),
            step: s.step.as_str().to_owned(),
            step_date: s.step_date.to_string(),
            ended: s.ended.map(|d| d.to_string()),
            next: s.next.map(|k| k.as_str().to_owned()),
            due: s.due.map(|d| d.to_string()),
            urgency: s.urgency.map(|u| u.as_str().to_owned()),
        }
    }
}

/// One holding organisation's pathways of the person, shown by one consent.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SharedStatus {
    pub holder: i64,
    pub holder_name: String,
    /// The consent it is shown by.
    pub consent: i64,
    pub pathways: Vec<StatusDoc>,
}

/// The pathway status of `person` (of the reader's own register) at every organisation whose
/// consent in force opens it to the reader; each holder's read decided and logged first.
pub async fn shared(
    state: &AppState,
    principal: &Principal,
    person: &PersonRef,
) -> Result<Vec<SharedStatus>, WebError> {
    let today = state.clock.today();
    let action = Action::CoordinationPathwayStatus;
    let consents = state
        .store
        .coordination_status_consents(&person.pseudonym, principal.org, principal.user.0, today)
        .await?;
    let mut out = Vec::with_capacity(consents.len());
    for c in consents {
        let subject = Subject {
            consent: Consent::Given {
                id: c.consent_id,
                scope: Scope::PathwayStatus,
            },
            ..Subject::of_org(c.holder)
        };
        let decision = decide(principal, action, &subject, None);
        let purpose = purpose_of(&decision, &subject, None);
        let entry = access_entry(
            state,
            principal,
            action,
            Target {
                owner: c.holder,
                subject: &person.pseudonym,
                record: format!("coordination:pathway_status:{}", c.holder.0),
            },
            &decision,
            Some(&purpose),
        );
        state.store.log_access(&entry).await?;
        if !decision.allowed {
            continue;
        }
        let mut events = Vec::new();
        for id in state
            .store
            .pathway_ids_of_pseudonym(c.holder, &person.pseudonym)
            .await?
        {
            events.extend(
                crate::pathways::cache::load_pathway(state, c.holder, &id)
                    .await?
                    .events,
            );
        }
        out.push(SharedStatus {
            holder: c.holder.0,
            holder_name: c.holder_name,
            consent: c.consent_id,
            pathways: statuses(&events, today)
                .iter()
                .map(StatusDoc::from)
                .collect(),
        });
    }
    Ok(out)
}

pub(super) fn api_routes() -> Router<AppState> {
    Router::new().route(
        "/coordination/persons/{id}/pathway-status",
        get(pathway_status),
    )
}

/// The person's pathway status at other organisations.
#[derive(Debug, Serialize, ToSchema)]
pub struct PathwayStatusDoc {
    pub person: i64,
    /// One entry per organisation whose consent in force opens it; none without.
    pub shared: Vec<SharedStatus>,
}

/// The pathway status of a person of the own register at the organisations whose consent in
/// force opens it to the user (each read logged with its consent).
#[utoipa::path(get, path = "/api/v1/coordination/persons/{id}/pathway-status",
    responses((status = 200, body = PathwayStatusDoc), (status = 404, body = Problem), (status = 403, body = Problem)))]
async fn pathway_status(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let p = &user.principal;
    let person = match state.store.person_ref(id).await? {
        Some(person) if person.org_id == p.org => person,
        _ => return Err(WebError::not_found()),
    };
    // The own person: decided (and a denial logged) as the same action on the own register.
    decide_for(
        &state,
        p,
        Action::CoordinationPathwayStatus,
        Target {
            owner: person.org_id,
            subject: &person.pseudonym,
            record: format!("person:{id}"),
        },
        None,
    )
    .await?;
    let shared = shared(&state, p, &person).await?;
    Ok(json(
        StatusCode::OK,
        &PathwayStatusDoc { person: id, shared },
    ))
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(pathway_status),
    components(schemas(PathwayStatusDoc, SharedStatus, StatusDoc))
)]
pub(super) struct ApiDoc;
