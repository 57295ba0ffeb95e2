//! The FHIR R4 export of one plan and its consents (issue 16 § 6):
//! `GET /api/v1/coordination/plans/{id}/fhir` (`application/fhir+json`), the plan page's
//! "Eksporter FHIR" link and `varde coordination fhir` all come here.
//!
//! The export is a read of the plan: the same decision ([`PlanAccess`] with `ReadPlans`: the
//! own organisation, the coordinator's legal basis, or the person's consent of scope `plan`
//! in force now), the same 404 when it is not allowed, and the plan read's access entry naming
//! the consent or legal basis. What it adds is read under that decision: the consents of the
//! plan's organisation for the person (to a reader of another organisation only those given to
//! it or to this plan's group), and each discharge notice about the person that the reader's
//! own decision on the notice allows (the raising unit, or the municipality it is addressed
//! to), each read logged with its own entry. The bundle is
//! `varde_core::coordination::fhir::bundle`: the person only by pseudonym.

use std::collections::BTreeSet;

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use jiff::civil::Date;
use serde_json::Value;
use utoipa::OpenApi;
use varde_core::authz::decide;
use varde_core::coordination::consent::{GivenHow, Grantee};
use varde_core::coordination::fhir::{self, PlanExport};
use varde_core::coordination::plan::{MemberKind, PlanStatus};
use varde_core::coordination::Scope;
use varde_core::org::OrgId;

use super::access::PlanAccess;
use super::discharge::access as notice_access;
use crate::authz::{ActionKind, ReadDischarge, ReadPlans};
use crate::error::{Problem, WebError};
use crate::AppState;

/// The media type of FHIR JSON.
pub const FHIR_JSON: &str = "application/fhir+json";

pub(super) fn routes() -> Router<AppState> {
    Router::new().route("/coordination/plans/{id}/fhir", get(fhir_export))
}

#[derive(OpenApi)]
#[openapi(paths(fhir_export))]
pub(super) struct ApiDoc;

/// The plan and its consents as a FHIR R4 `Bundle` (type `collection`): CarePlan with its
/// Goals, the responsibility group as CareTeam, a Consent for each consent the reader may see,
/// an EpisodeOfCare for each discharge notice the reader may see, and every Organization
/// referenced (`no-basis-Organization`). The person is identified only by the keyed
/// pseudonym. Allowed as reading the plan is; otherwise 404, the same as no plan.
#[utoipa::path(get, path = "/api/v1/coordination/plans/{id}/fhir",
    params(("id" = i64, Path, description = "The plan's id")),
    responses(
        (status = 200, description = "A FHIR R4 Bundle", content_type = "application/fhir+json", body = Object),
        (status = 404, body = Problem), (status = 403, body = Problem)))]
async fn fhir_export(
    State(state): State<AppState>,
    access: PlanAccess<ReadPlans>,
) -> Result<Response, WebError> {
    let bundle = export(&state, &access).await?;
    let body = serde_json::to_vec_pretty(&bundle)
        .map_err(|_| WebError::internal("the FHIR bundle could not be written"))?;
    Ok((
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, FHIR_JSON),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body,
    )
        .into_response())
}

fn corrupt() -> WebError {
    WebError::internal("a stored plan's field could not be read")
}

fn day(s: &str) -> Result<Date, WebError> {
    s.parse().map_err(|_| corrupt())
}

/// The bundle of the plan `access` allows reading, read and logged as the plan read is.
pub async fn export(state: &AppState, access: &PlanAccess<ReadPlans>) -> Result<Value, WebError> {
    let principal = &access.principal;
    let plan_ref = &access.plan;
    let stored = state
        .store
        .coordination_plan(access.id(), Some(&access.access))
        .await?;
    let today = state.clock.today();
    let consents = state
        .store
        .coordination_plan_consents(plan_ref.org_id, &plan_ref.pseudonym)
        .await?
        .into_iter()
        .map(|c| {
            Ok(fhir::Consent {
                id: c.id,
                org: c.org_id,
                scope: Scope::parse(&c.scope).ok_or_else(corrupt)?,
                grantee: match (c.grantee_org_id, c.grantee_plan_id) {
                    (Some(o), _) => Grantee::Org(o),
                    (None, Some(p)) => Grantee::Group(p),
                    (None, None) => return Err(corrupt()),
                },
                purpose: c.purpose,
                valid_from: day(&c.valid_from)?,
                valid_until: day(&c.valid_until)?,
                given_how: GivenHow::parse(&c.given_how).ok_or_else(corrupt)?,
                recorded_at: c.recorded_at.parse().map_err(|_| corrupt())?,
                withdrawn: c.withdrawn_at.is_some(),
            })
        })
        .collect::<Result<Vec<_>, WebError>>()?;
    let consents =
        fhir::consents_for_reader(consents, plan_ref.org_id.0, plan_ref.id, principal.org.0);

    // The discharge notices about the person the reader's own decision on each allows.
    let mut episodes = Vec::new();
    for n in state
        .store
        .coordination_discharge_refs_of(&plan_ref.pseudonym)
        .await?
    {
        let action = ReadDischarge::ACTION;
        let decision = decide(
            principal,
            action,
            &notice_access::subject(principal, &n),
            None,
        );
        if !decision.allowed {
            continue;
        }
        let entry = notice_access::entry(state, principal, action, &n, &decision);
        let stored = state.store.discharge_read_logged(n.id, &entry).await?;
        episodes.push(fhir::Episode {
            id: stored.id,
            unit_org: stored.unit_org.0,
            municipality_org: stored.municipality_org.0,
            notice: stored.notice,
        });
    }

    let mut org_ids = BTreeSet::from([plan_ref.org_id.0]);
    org_ids.extend(stored.measures.iter().map(|m| m.owner_org_id));
    org_ids.extend(stored.members.iter().filter_map(|m| m.org_id));
    for c in &consents {
        org_ids.insert(c.org);
        if let Grantee::Org(o) = c.grantee {
            org_ids.insert(o);
        }
    }
    for e in &episodes {
        org_ids.insert(e.unit_org);
        org_ids.insert(e.municipality_org);
    }
    let mut orgs = Vec::new();
    for id in org_ids {
        let o = state.store.org(OrgId(id)).await?;
        orgs.push(fhir::Org {
            id,
            name: o.name,
            kind: o.kind,
            kommunenummer: o.kommunenummer,
            orgnr: o.orgnr,
        });
    }

    let export = PlanExport {
        id: plan_ref.id,
        org: plan_ref.org_id.0,
        pseudonym: plan_ref.pseudonym.clone(),
        status: PlanStatus::parse(&stored.plan.status).ok_or_else(corrupt)?,
        created_on: day(&stored.created_on)?,
        coordinator: match (stored.plan.coordinator_id, stored.coordinator.clone()) {
            (Some(id), Some(name)) => Some((id, name)),
            _ => None,
        },
        goals: stored
            .goals
            .iter()
            .map(|g| fhir::Goal {
                id: g.id,
                text: g.text.clone(),
            })
            .collect(),
        measures: stored
            .measures
            .iter()
            .map(|m| {
                Ok(fhir::Measure {
                    id: m.id,
                    goal: m.goal_id,
                    text: m.text.clone(),
                    owner_org: m.owner_org_id,
                    owner_name: m.owner_name.clone(),
                    start: day(&m.start_on)?,
                    evaluate_on: day(&m.evaluate_on)?,
                })
            })
            .collect::<Result<_, WebError>>()?,
        evaluations: stored
            .evaluations
            .iter()
            .map(|e| {
                Ok(fhir::Evaluation {
                    id: e.id,
                    measure: e.measure_id,
                    on: day(&e.on_day)?,
                    note: e.note.clone(),
                    next: day(&e.next_on)?,
                    recorded_by: e.recorded_by.clone(),
                })
            })
            .collect::<Result<_, WebError>>()?,
        members: stored
            .members
            .iter()
            .map(|m| {
                let kind = MemberKind::parse(&m.kind).ok_or_else(corrupt)?;
                Ok(fhir::Member {
                    id: m.id,
                    kind,
                    user: m.user_id,
                    // The person is the Patient: never by name.
                    name: if kind == MemberKind::Person {
                        None
                    } else {
                        m.name.clone()
                    },
                    org: m.org_id,
                    role: m.role.clone(),
                })
            })
            .collect::<Result<_, WebError>>()?,
        consents,
        episodes,
        orgs,
    };
    Ok(fhir::bundle(&export, today, state.clock.now()))
}
