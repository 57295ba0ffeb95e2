//! The area's operations, one function per command, called by the pages, the API and the demo
//! alike: each decides through `varde_core::authz::decide`, checks its input with the core's
//! rules (`varde_core::coordination`) against the plan as stored, and writes through the store
//! with its access entry. A write to a plan names the version it checked; if another write came
//! first nothing is written and the check runs again on the plan as it now is (three tries,
//! then 409).

use jiff::civil::Date;
use varde_core::authz::Action;
use varde_core::coordination::consent::{self, ConsentInput, Grantee};
use varde_core::coordination::plan::{
    self, EvaluationInput, MeasureInput, MeetingInput, MemberInput, MemberKind,
};
use varde_core::org::Principal;
use varde_store::{
    NewAccess, PersonRef, PlanRef, PlanWrite, StoreError, StoredConsent, StoredPlan,
};

use super::access::{self, PlanAccess};
use crate::authz::{decide_for, Target, WritePlans};
use crate::error::WebError;
use crate::AppState;

/// The person `id` of the principal's own organisation; a person of another organisation is
/// the same refusal as none (nothing tells that it exists).
pub async fn own_person(
    state: &AppState,
    principal: &Principal,
    id: i64,
) -> Result<PersonRef, WebError> {
    match state.store.person_ref(id).await? {
        Some(p) if p.org_id == principal.org => Ok(p),
        _ => Err(WebError::invalid(
            "person_id",
            "no such person registered by your organisation",
        )),
    }
}

/// The entry of `action` on a person of the own organisation (a denial logged and 403).
async fn person_entry(
    state: &AppState,
    principal: &Principal,
    action: Action,
    person: &PersonRef,
    record: String,
) -> Result<NewAccess, WebError> {
    let target = Target {
        owner: person.org_id,
        subject: &person.pseudonym,
        record,
    };
    Ok(decide_for(state, principal, action, target, None).await?.1)
}

/// A user of the plan's organisation, or a user member of its group, by username.
fn coordinator_of(
    plan_org: i64,
    members: &[(i64, Option<i64>)],
    user: Option<&varde_store::User>,
) -> Result<i64, WebError> {
    match user {
        Some(u) if u.org_id.0 == plan_org || members.iter().any(|m| m.0 == u.id.0) => Ok(u.id.0),
        _ => Err(WebError::invalid(
            "coordinator",
            "a user of the plan's organisation or a member of its group",
        )),
    }
}

/// Creates a plan for person `person_id` of the own organisation. Returns its id.
pub async fn create_plan(
    state: &AppState,
    principal: &Principal,
    person_id: i64,
    coordinator: &str,
    status: &str,
) -> Result<i64, WebError> {
    let person = own_person(state, principal, person_id).await?;
    let status = plan::status(status)?;
    let coordinator = match coordinator.trim() {
        "" => None,
        u => {
            let user = state.store.user_by_username(u).await?;
            Some(coordinator_of(principal.org.0, &[], user.as_ref())?)
        }
    };
    let entry = person_entry(
        state,
        principal,
        Action::CoordinationWrite,
        &person,
        format!("person:{person_id}"),
    )
    .await?;
    Ok(state
        .store
        .coordination_create_plan(
            principal.org,
            person.id,
            &person.pseudonym,
            coordinator,
            status,
            principal.user.0,
            state.clock.today(),
            state.clock.now(),
            &entry,
        )
        .await?)
}

/// Records a consent the person of `person_id` (of the own organisation) gave. Returns its id.
pub async fn record_consent(
    state: &AppState,
    principal: &Principal,
    person_id: i64,
    input: &ConsentInput,
) -> Result<i64, WebError> {
    let person = own_person(state, principal, person_id).await?;
    let entry = person_entry(
        state,
        principal,
        Action::ConsentManage,
        &person,
        format!("person:{person_id}"),
    )
    .await?;
    let c = consent::check(input, state.clock.today()).map_err(WebError::invalid_fields)?;
    if c.grantee == Grantee::Org(principal.org.0) {
        return Err(WebError::invalid(
            "grantee_org",
            "another organisation than your own (your own needs no consent)",
        ));
    }
    let res = state
        .store
        .coordination_record_consent(
            principal.org,
            person.id,
            &person.pseudonym,
            &c,
            principal.user.0,
            state.clock.now(),
            &entry,
        )
        .await;
    match res {
        Err(StoreError::NotFound) => Err(match c.grantee {
            Grantee::Org(_) => WebError::invalid("grantee_org", "no such organisation"),
            Grantee::Group(_) => WebError::invalid(
                "grantee_group",
                "no such responsibility group in your organisation",
            ),
        }),
        other => Ok(other?),
    }
}

/// Withdraws consent `id` of the own organisation, from this instant.
pub async fn withdraw_consent(
    state: &AppState,
    principal: &Principal,
    id: i64,
) -> Result<(), WebError> {
    let (org, pseudonym) = match state.store.coordination_consent_ref(id).await? {
        Some(r) if r.0 == principal.org => r,
        _ => return Err(WebError::not_found()),
    };
    let target = Target {
        owner: org,
        subject: &pseudonym,
        record: varde_store::coordination_consent_record(id),
    };
    let (_, entry) = decide_for(state, principal, Action::ConsentManage, target, None).await?;
    state
        .store
        .coordination_withdraw_consent(org, id, principal.user.0, state.clock.now(), &entry)
        .await?;
    Ok(())
}

/// The organisations of the plan's responsibility group: its own and its members'.
pub fn group_orgs(p: &StoredPlan) -> Vec<i64> {
    let mut orgs = vec![p.plan.org_id.0];
    orgs.extend(p.members.iter().filter_map(|m| m.org_id));
    orgs.sort_unstable();
    orgs.dedup();
    orgs
}

/// One change to a plan, as asked (resolved against the plan as stored by [`write`]).
pub enum Change {
    Goal(String),
    Measure(MeasureInput),
    Evaluation(i64, EvaluationInput),
    /// A member; a user member resolved by username to (user, organisation).
    Member(MemberInput),
    Meeting(MeetingInput),
    Minutes(i64, String),
    Settings {
        coordinator: String,
        status: String,
    },
}

fn check(
    p: &StoredPlan,
    change: &Change,
    user: Option<&varde_store::User>,
    today: Date,
) -> Result<PlanWrite, WebError> {
    let bad = WebError::invalid_fields;
    Ok(match change {
        Change::Goal(text) => PlanWrite::Goal(plan::goal(text).map_err(bad)?),
        Change::Measure(m) => {
            let goals: Vec<i64> = p.goals.iter().map(|g| g.id).collect();
            let meetings: Vec<i64> = p.meetings.iter().map(|m| m.id).collect();
            PlanWrite::Measure(plan::measure(m, &goals, &group_orgs(p), &meetings).map_err(bad)?)
        }
        Change::Evaluation(measure, e) => {
            let m = p
                .measures
                .iter()
                .find(|m| m.id == *measure)
                .ok_or_else(|| WebError::invalid("measure", "one of the plan's measures"))?;
            let start = varde_core::fields::date("start", &m.start_on)?;
            PlanWrite::Evaluation {
                measure: m.id,
                e: plan::evaluation(e, start, today).map_err(bad)?,
            }
        }
        Change::Member(m) => {
            let new = plan::member(m).map_err(bad)?;
            let (user_id, org_id) = match new.kind {
                MemberKind::User => match user {
                    Some(u) => (Some(u.id.0), Some(u.org_id.0)),
                    None => return Err(WebError::invalid("username", "no such user")),
                },
                _ => (None, None),
            };
            if user_id.is_some() && p.members.iter().any(|x| x.user_id == user_id) {
                return Err(WebError::invalid(
                    "username",
                    "already a member of the group",
                ));
            }
            PlanWrite::Member {
                kind: new.kind,
                user_id,
                org_id,
                name: new.name,
                role: new.role,
            }
        }
        Change::Meeting(m) => {
            let members: Vec<i64> = p.members.iter().map(|m| m.id).collect();
            PlanWrite::Meeting(plan::meeting(m, &members, today).map_err(bad)?)
        }
        Change::Minutes(meeting, text) => {
            if !p.meetings.iter().any(|m| m.id == *meeting) {
                return Err(WebError::not_found());
            }
            PlanWrite::Minutes {
                meeting: *meeting,
                text: plan::minutes(text).map_err(bad)?,
            }
        }
        Change::Settings {
            coordinator,
            status,
        } => {
            let status = plan::status(status)?;
            let coordinator = if coordinator.trim().is_empty() {
                None
            } else {
                let members: Vec<(i64, Option<i64>)> = p
                    .members
                    .iter()
                    .filter_map(|m| m.user_id.map(|u| (u, m.org_id)))
                    .collect();
                Some(coordinator_of(p.plan.org_id.0, &members, user)?)
            };
            PlanWrite::Settings {
                coordinator,
                status,
            }
        }
    })
}

/// Writes `change` to plan `id`: decided, checked against the plan as stored, written with its
/// access entry; retried when another write came first. Returns the new row's id.
pub async fn write(
    state: &AppState,
    principal: &Principal,
    id: i64,
    change: Change,
) -> Result<i64, WebError> {
    let username = match &change {
        Change::Member(m) if m.kind.trim() == "user" => Some(m.username.trim().to_owned()),
        Change::Settings { coordinator, .. } => Some(coordinator.trim().to_owned()),
        _ => None,
    };
    let user = match username.filter(|u| !u.is_empty()) {
        Some(u) => state.store.user_by_username(&u).await?,
        None => None,
    };
    for _ in 0..3 {
        let access = PlanAccess::<WritePlans>::decide(state, principal.clone(), id, None).await?;
        let p = state.store.coordination_plan(id, None).await?;
        let w = check(&p, &change, user.as_ref(), state.clock.today())?;
        match state
            .store
            .coordination_write(
                id,
                p.plan.version,
                &w,
                principal.user.0,
                state.clock.now(),
                &access.access,
            )
            .await
        {
            Err(StoreError::Changed(_)) => continue,
            other => return Ok(other?),
        }
    }
    Err(WebError::conflict("the plan has changed since it was read"))
}

/// A person as the coordination area shows them: their plans that the user may see (each one
/// of another organisation logged with the consent or legal basis it was shown by), and the
/// consents the own organisation recorded or was given.
pub struct PersonView {
    pub person: PersonRef,
    pub name: String,
    pub plans: Vec<PlanRef>,
    pub consents: Vec<StoredConsent>,
}

pub async fn person_view(
    state: &AppState,
    principal: &Principal,
    person_id: i64,
) -> Result<PersonView, WebError> {
    let person = match state.store.person_ref(person_id).await? {
        Some(p) if p.org_id == principal.org => p,
        _ => return Err(WebError::not_found()),
    };
    let entry = person_entry(
        state,
        principal,
        Action::ConsentManage,
        &person,
        format!("person:{person_id}"),
    )
    .await?;
    let name = state
        .store
        .read_person_logged(person.id, &entry)
        .await?
        .record
        .name;
    let mut plans = Vec::new();
    for p in state.store.coordination_plans_of(&person.pseudonym).await? {
        if p.org_id == principal.org {
            plans.push(p);
        } else if let Some(e) = access::may(state, principal, &p, Action::CoordinationRead).await? {
            state.store.log_access(&e).await?;
            plans.push(p);
        }
    }
    let consents = state
        .store
        .coordination_consents_of(principal.org, &person.pseudonym, &entry)
        .await?;
    Ok(PersonView {
        person,
        name,
        plans,
        consents,
    })
}

/// The person's own overview: the consents in force today and every organisation that read
/// the data the own organisation holds on them.
pub struct Overview {
    pub view: PersonView,
    pub in_force: Vec<StoredConsent>,
    pub readers: Vec<varde_store::Reader>,
}

pub async fn overview(
    state: &AppState,
    principal: &Principal,
    person_id: i64,
) -> Result<Overview, WebError> {
    let view = person_view(state, principal, person_id).await?;
    let today = state.clock.today();
    let in_force = view
        .consents
        .iter()
        .filter(|c| {
            let d = |s: &str| s.parse::<Date>().ok();
            matches!((d(&c.valid_from), d(&c.valid_until)), (Some(f), Some(u))
                if consent::in_force(f, u, c.withdrawn_at.is_some(), today))
        })
        .cloned()
        .collect();
    let readers = state
        .store
        .coordination_readers(principal.org, &view.person.pseudonym)
        .await?;
    Ok(Overview {
        view,
        in_force,
        readers,
    })
}
