//! The demo's coordination data, relative to today, recorded through the same operations as a
//! coordinator's work: six synthetic people registered both by Oslo municipality and by the
//! demo TSB unit; plans in Oslo (coordinated by `koordinator.oslo`) in every status, with goals,
//! measures owned by Oslo and by the TSB unit, evaluations (one overdue, one due soon), a
//! responsibility group with the TSB clinician, a relative and the person, meetings with and
//! without minutes; consents to the TSB unit in force, expiring within 30 days, withdrawn, and
//! one to a responsibility group; agreements with relatives and children-as-relatives records
//! (`relatives::seed_demo`).

use jiff::civil::Date;
use varde_core::calendar::add_days;
use varde_core::coordination::consent::ConsentInput;
use varde_core::coordination::plan::{EvaluationInput, MeasureInput, MeetingInput, MemberInput};
use varde_core::org::Principal;
use varde_core::persons::NewPersonInput;
use varde_core::pseudonym::pseudonymise;

use super::ops::{self, Change};
use crate::authz::{CreatePerson, OrgAccess, WritePathways};
use crate::error::WebError;
use crate::pathways::events::register;
use crate::AppState;
use varde_core::pathways::EventFields;

pub(super) async fn principal(
    state: &AppState,
    username: &'static str,
) -> Result<Principal, WebError> {
    let user = state
        .store
        .user_by_username(username)
        .await?
        .ok_or_else(WebError::not_found)?;
    crate::auth::principal_of(&user).ok_or_else(WebError::not_found)
}

/// A synthetic identity number (month + 80) born in 1980–1985, distinct for each `n` < 6.
fn synthetic(n: u32) -> Option<String> {
    (0..500u32).find_map(|ind| {
        varde_core::ids::synth::with_control_digits(&format!(
            "{:02}{:02}{:02}{:03}",
            10 + n,
            80 + 3 + n,
            80 + n,
            ind
        ))
    })
}

/// The person of `national_id` in the principal's organisation: found or registered, living
/// in `kommune`.
pub(super) async fn person(
    state: &AppState,
    p: &Principal,
    national_id: &str,
    name: &str,
    kommune: &str,
) -> Result<i64, WebError> {
    let nid = varde_core::ids::NationalId::parse(national_id, &state.id_policy())
        .map_err(varde_core::persons::FieldError::from)?;
    let pseudonym = pseudonymise(&state.key, &nid);
    if let Some(id) = state
        .store
        .person_of_org_by_pseudonym(p.org, pseudonym.as_str())
        .await?
    {
        return Ok(id);
    }
    let access = OrgAccess::<CreatePerson>::decide(state, p.clone()).await?;
    let input = NewPersonInput {
        national_id: national_id.to_owned(),
        name: name.to_owned(),
        birth_date: None,
        kommune: Some(kommune.into()),
    };
    crate::persons::create(state, &access, &input).await
}

pub(super) fn d(day: Date) -> String {
    day.to_string()
}

pub(super) fn consent(
    scope: &str,
    org: i64,
    group: Option<i64>,
    from: Date,
    until: Date,
) -> ConsentInput {
    ConsentInput {
        scope: scope.into(),
        grantee_org: if group.is_some() {
            String::new()
        } else {
            org.to_string()
        },
        grantee_group: group.map(|g| g.to_string()).unwrap_or_default(),
        purpose: "Samarbeid mellom kommunen og behandlingsenheten om oppfølging".into(),
        valid_from: d(from),
        valid_until: d(until),
        given_how: "written".into(),
    }
}

/// Records the demo's coordination data; the number of plans made.
pub async fn seed_demo_coordination(state: &AppState) -> Result<usize, WebError> {
    let today = state.clock.today();
    let oslo = principal(state, "koordinator.oslo").await?;
    let tsb = principal(state, "kliniker").await?;
    let names = [
        "Are Demo",
        "Bente Demo",
        "Cato Demo",
        "Dina Demo",
        "Eirik Demo",
        "Frida Demo",
    ];
    let mut plans = 0;
    let mut open = Vec::new();
    for (n, name) in names.iter().enumerate() {
        let nid = synthetic(n as u32).ok_or_else(|| WebError::internal("demo number"))?;
        let in_oslo = person(state, &oslo, &nid, name, "0301").await?;
        let in_tsb = person(state, &tsb, &nid, name, "0301").await?;
        if n < 2 {
            shared_pathway(state, &tsb, in_tsb, oslo.org.0).await?;
        }
        let status = match n {
            4 => "draft",
            5 => "closed",
            _ => "active",
        };
        // One person has no coordinator yet.
        let coordinator = if n == 3 { "" } else { "koordinator.oslo" };
        let plan = ops::create_plan(state, &oslo, in_oslo, coordinator, status).await?;
        plans += 1;
        if status != "closed" {
            open.push(plan);
        }
        let w = |c: Change| ops::write(state, &oslo, plan, c);
        if n < 3 {
            w(Change::Member(MemberInput {
                kind: "user".into(),
                username: "kliniker".into(),
                role: "Behandler i TSB".into(),
                ..Default::default()
            }))
            .await?;
            w(Change::Member(MemberInput {
                kind: "relative".into(),
                name: "Pårørende Demo".into(),
                role: "Søster".into(),
                ..Default::default()
            }))
            .await?;
            w(Change::Member(MemberInput {
                kind: "person".into(),
                role: "Personen selv".into(),
                ..Default::default()
            }))
            .await?;
        }
        let goal = w(Change::Goal("Ha et trygt sted å bo".into())).await?;
        let start = add_days(today, -120);
        let measure = w(Change::Measure(MeasureInput {
            goal: goal.to_string(),
            text: "Bolig med oppfølging fra boligkontoret".into(),
            owner_org: oslo.org.0.to_string(),
            owner_name: "Boligkontoret".into(),
            start: d(start),
            evaluate_on: d(add_days(today, -60)),
            meeting: String::new(),
        }))
        .await?;
        // Evaluated once; the next date is overdue for the first, soon for the second, later
        // for the rest.
        let next = match n {
            0 => add_days(today, -5),
            1 => add_days(today, 10),
            _ => add_days(today, 90),
        };
        if n != 2 {
            w(Change::Evaluation(
                measure,
                EvaluationInput {
                    on: d(add_days(today, -60)),
                    note: "Har fått tilbud om leilighet".into(),
                    next: d(next),
                },
            ))
            .await?;
        }
        if n < 3 {
            let meeting = w(Change::Meeting(MeetingInput {
                held_on: d(add_days(today, -14)),
                attendance: Vec::new(),
                minutes: if n == 0 {
                    String::new()
                } else {
                    "Avtalt oppfølging i TSB og bolig.".into()
                },
            }))
            .await?;
            w(Change::Measure(MeasureInput {
                goal: goal.to_string(),
                text: "Poliklinisk oppfølging etter døgnbehandling".into(),
                owner_org: tsb.org.0.to_string(),
                owner_name: "Kliniker Demo".into(),
                start: d(add_days(today, -14)),
                evaluate_on: d(add_days(today, 30)),
                meeting: meeting.to_string(),
            }))
            .await?;
        }
        // Consents to the TSB unit: in force, expiring within 30 days, withdrawn, to the group.
        let c = match n {
            0 => Some(consent(
                "plan",
                tsb.org.0,
                None,
                add_days(today, -30),
                add_days(today, 150),
            )),
            1 => Some(consent(
                "plan",
                tsb.org.0,
                None,
                add_days(today, -300),
                add_days(today, 20),
            )),
            2 => Some(consent(
                "plan",
                tsb.org.0,
                Some(plan),
                add_days(today, -10),
                add_days(today, 170),
            )),
            3 => Some(consent(
                "plan",
                tsb.org.0,
                None,
                add_days(today, -30),
                add_days(today, 60),
            )),
            _ => None,
        };
        if let Some(c) = c {
            let id = ops::record_consent(state, &oslo, in_oslo, &c).await?;
            if n == 3 {
                ops::withdraw_consent(state, &oslo, id).await?;
            }
        }
    }
    // Relatives and children as relatives (section 5).
    super::relatives::seed_demo(state, &oslo, &open).await?;
    // The other 30 shared people, in Oslo and Bergen.
    plans += super::demo_cohort::seed(state, &oslo, &tsb).await?;
    Ok(plans)
}

/// A pathway at the TSB unit for its person `in_tsb` (referral 60 days ago, a right with its
/// deadline, first attendance 30 days ago), and the person's consent (recorded by the unit) that
/// the municipality `oslo_org` may see its status: the person's coordination page in Oslo shows
/// "Status i pasientforløp hos andre".
async fn shared_pathway(
    state: &AppState,
    tsb: &Principal,
    in_tsb: i64,
    oslo_org: i64,
) -> Result<(), WebError> {
    let today = state.clock.today();
    let write = OrgAccess::<WritePathways>::decide(state, tsb.clone()).await?;
    let unit = state.org_label(write.org()).await;
    let event = |pathway: &str, kind: &str, back: i64| EventFields {
        pathway_id: pathway.to_owned(),
        unit: unit.clone(),
        hf: "Oslo universitetssykehus HF".into(),
        rhf: "Helse Sør-Øst RHF".into(),
        kommune: "0301".into(),
        care_level: "outpatient".into(),
        event: kind.into(),
        date: d(add_days(today, -back)),
        ..EventFields::default()
    };
    let id = register(
        state,
        &write,
        event("", "referral_received", 60),
        Some(&in_tsb.to_string()),
    )
    .await?;
    let mut assessed = event(&id, "referral_assessed", 55);
    assessed.outcome = "right".into();
    assessed.deadline = d(add_days(today, 5));
    register(state, &write, assessed, None).await?;
    register(state, &write, event(&id, "first_attendance", 30), None).await?;
    let c = consent(
        "pathway_status",
        oslo_org,
        None,
        add_days(today, -30),
        add_days(today, 150),
    );
    ops::record_consent(state, tsb, in_tsb, &c).await?;
    Ok(())
}
