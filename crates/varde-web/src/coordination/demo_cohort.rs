//! The rest of the demo's shared people: 30 more synthetic people beside the six of
//! [`super::demo`], 20 living in Oslo and 10 in Bergen, each registered both by their
//! municipality and by the demo TSB unit, so that the coordination figures (hidden below five)
//! have shown cells in Oslo. Deterministic, by each person's number, with dates relative to
//! the demo's today:
//!
//! - plans in every status (draft, active, closed) and people with none; a coordinator for
//!   most; responsibility groups with the TSB clinician or an external member (a GP, NAV);
//!   evaluations in the last six months, stale ones (eight months ago) and none;
//! - consents to the TSB unit in force, expiring within 30 days, withdrawn;
//! - discharge notices from the TSB unit for five of the Oslo people, one in each state
//!   (raised, acknowledged, planned, ready, discharged);
//! - a non-fatal overdose of one Oslo person with a plan, registered by the emergency ward,
//!   attempted by other means and closed as linked to that plan (the outcome the overdose
//!   demo does not reach).
//!
//! Every write goes through the same operations as the pages, decided and logged as the demo
//! users.

use jiff::civil::Date;
use jiff::Span;
use varde_core::calendar::add_days;
use varde_core::coordination::discharge::{Meeting, RaiseFields, Side, Step};
use varde_core::coordination::plan::{EvaluationInput, MeasureInput, MemberInput};
use varde_core::org::Principal;

use super::demo::{consent, d, person, principal};
use super::ops::{self, Change};
use crate::error::WebError;
use crate::AppState;

/// The people: name and municipality (the first 20 in Oslo, the rest in Bergen).
const PEOPLE: [&str; 30] = [
    "Aslak Kohort",
    "Berit Kohort",
    "Carl Kohort",
    "Ditte Kohort",
    "Espen Kohort",
    "Fride Kohort",
    "Gaute Kohort",
    "Hilde Kohort",
    "Ivar Kohort",
    "Janne Kohort",
    "Kjell Kohort",
    "Laila Kohort",
    "Magne Kohort",
    "Nora Kohort",
    "Oddvar Kohort",
    "Pia Kohort",
    "Rune Kohort",
    "Sunniva Kohort",
    "Trond Kohort",
    "Unni Kohort",
    "Vegard Kohort",
    "Wenche Kohort",
    "Yngve Kohort",
    "Åse Kohort",
    "Arild Kohort",
    "Bodil Kohort",
    "Dag Kohort",
    "Elin Kohort",
    "Frode Kohort",
    "Gunn Kohort",
];

/// How many live in Oslo (the rest in Bergen).
const IN_OSLO: usize = 20;

fn demo_error(e: crate::bootstrap::DemoError) -> WebError {
    WebError::internal(&e.to_string())
}

/// A synthetic identity number (born in the 1960s), distinct for each `i` < 30 and from the
/// other demo people's.
fn synthetic(i: usize) -> Option<String> {
    let n = i as u32 + 6;
    varde_core::ids::synth::born(2 + n % 27, 1 + n % 12, 60 + n % 10)
}

/// What person `i` has, by its number.
struct Shape {
    /// `None`: no plan.
    status: Option<&'static str>,
    coordinator: bool,
    /// `Some(true)`: the TSB clinician in the group; `Some(false)`: an external member.
    group: Option<bool>,
    /// Days ago of the last evaluation (`None`: never evaluated).
    evaluated: Option<i64>,
}

fn shape(i: usize) -> Shape {
    let k = i % IN_OSLO;
    let status = match k {
        0 | 7 | 14 => None,
        5 | 15 => Some("closed"),
        3 | 11 => Some("draft"),
        _ => Some("active"),
    };
    let open = matches!(status, Some("active" | "draft"));
    Shape {
        status,
        coordinator: open && k % 4 != 1,
        group: (open && k.is_multiple_of(3)).then_some(k.is_multiple_of(2)),
        evaluated: status.and(match k % 4 {
            0 | 2 => Some(30 + 7 * k as i64),
            1 => Some(240),
            _ => None,
        }),
    }
}

/// Records the 30 people; the number of plans made. `tsb` is the demo TSB unit's clinician.
pub async fn seed(state: &AppState, oslo: &Principal, tsb: &Principal) -> Result<usize, WebError> {
    let today = state.clock.today();
    let bergen = principal(state, "koordinator.bergen").await?;
    let mut plans = 0;
    let mut linked = None;
    let mut notices = 0usize;
    for (i, name) in PEOPLE.iter().enumerate() {
        let (muni, kommune, coordinator) = if i < IN_OSLO {
            (oslo, "0301", "koordinator.oslo")
        } else {
            (&bergen, "4601", "koordinator.bergen")
        };
        let nid = synthetic(i).ok_or_else(|| WebError::internal("demo number"))?;
        let own = person(state, muni, &nid, name, kommune).await?;
        let in_tsb = person(state, tsb, &nid, name, kommune).await?;
        let s = shape(i);
        // Five of the Oslo people have a discharge notice, one in each state.
        if i < IN_OSLO && i % 4 == 2 && notices < 5 {
            discharge(state, tsb, oslo, in_tsb, notices, today).await?;
            notices += 1;
        }
        let Some(status) = s.status else { continue };
        let plan = ops::create_plan(
            state,
            muni,
            own,
            if s.coordinator { coordinator } else { "" },
            status,
        )
        .await?;
        plans += 1;
        let w = |c: Change| ops::write(state, muni, plan, c);
        let goal = w(Change::Goal(
            if i % 2 == 0 {
                "Komme i arbeid eller aktivitet"
            } else {
                "Stabil bolig og trygg hverdag"
            }
            .into(),
        ))
        .await?;
        let evaluated = s.evaluated.unwrap_or(0);
        let start = add_days(today, -(evaluated + 60));
        let measure = w(Change::Measure(MeasureInput {
            goal: goal.to_string(),
            text: if i % 2 == 0 {
                "Arbeidstrening gjennom NAV"
            } else {
                "Oppfølging fra boligkontoret"
            }
            .into(),
            owner_org: muni.org.0.to_string(),
            owner_name: if i % 2 == 0 { "NAV" } else { "Boligkontoret" }.into(),
            start: d(start),
            evaluate_on: d(add_days(start, 30)),
            meeting: String::new(),
        }))
        .await?;
        if let Some(ago) = s.evaluated {
            w(Change::Evaluation(
                measure,
                EvaluationInput {
                    on: d(add_days(today, -ago)),
                    note: "Gjennomgått med personen; fortsetter".into(),
                    next: d(add_days(today, 90 - ago)),
                },
            ))
            .await?;
        }
        match s.group {
            Some(true) => {
                w(Change::Member(MemberInput {
                    kind: "user".into(),
                    username: "kliniker".into(),
                    role: "Behandler i TSB".into(),
                    ..Default::default()
                }))
                .await?;
            }
            Some(false) => {
                w(Change::Member(MemberInput {
                    kind: "external".into(),
                    name: "Fastlege Demo".into(),
                    role: "Fastlege".into(),
                    ..Default::default()
                }))
                .await?;
            }
            None => {}
        }
        // Consents to the TSB unit: in force, expiring within 30 days, withdrawn, none.
        let (from, until) = match i % 4 {
            0 => (-20, 200),
            1 => (-340, 5 + (i % IN_OSLO) as i64),
            2 => (-60, 100),
            _ => (0, 0),
        };
        if until > 0 {
            let c = consent(
                "plan",
                tsb.org.0,
                None,
                add_days(today, from),
                add_days(today, until),
            );
            let id = ops::record_consent(state, muni, own, &c).await?;
            if i % 8 == 2 {
                ops::withdraw_consent(state, muni, id).await?;
            }
        }
        if i < IN_OSLO && status == "active" && s.coordinator && linked.is_none() {
            linked = Some((nid, *name, plan));
        }
    }
    if let Some((nid, name, plan)) = linked {
        overdose_linked(state, oslo, &nid, name, plan).await?;
    }
    Ok(plans)
}

/// A discharge notice for the TSB unit's person `in_tsb` to Oslo, taken to state `state_no`
/// (0 raised … 4 discharged).
async fn discharge(
    state: &AppState,
    tsb: &Principal,
    oslo: &Principal,
    in_tsb: i64,
    state_no: usize,
    today: Date,
) -> Result<(), WebError> {
    let day = |back: i64| today.saturating_sub(Span::new().days(back));
    let r = state
        .store
        .person_ref(in_tsb)
        .await?
        .ok_or_else(WebError::not_found)?;
    let raised = day(25 - state_no as i64);
    let fields = RaiseFields {
        expected_discharge: raised.saturating_add(Span::new().days(21)).to_string(),
        housing: true,
        no_home: state_no % 2 == 1,
        mental_health: true,
        work_school: state_no.is_multiple_of(2),
        children: state_no == 2,
        substance_use: true,
        meeting_requested: true,
        ..RaiseFields::default()
    };
    let mut steps = Vec::new();
    if state_no >= 1 {
        steps.push((
            Side::Municipality,
            Step::Acknowledge {
                on: day(23 - state_no as i64),
                contact: "Koordinator i Oslo kommune".into(),
            },
        ));
    }
    if state_no >= 2 {
        steps.push((
            Side::Municipality,
            Step::Meeting(Meeting {
                held_on: day(12),
                outcome: "Individuell plan oppdateres; bolig og arbeidstrening avtalt.".into(),
                recorded_by: Side::Municipality,
            }),
        ));
    }
    if state_no >= 3 {
        steps.push((Side::Unit, Step::Ready { on: day(6) }));
    }
    if state_no >= 4 {
        steps.push((
            Side::Unit,
            Step::Discharge {
                on: day(2),
                no_home: false,
            },
        ));
    }
    super::discharge::demo::notice(
        state,
        tsb,
        (oslo, oslo.org, "0301"),
        (in_tsb, r.pseudonym),
        raised,
        fields,
        steps,
    )
    .await
    .map_err(demo_error)?;
    Ok(())
}

/// A non-fatal overdose of the Oslo person `nid` (with plan `plan`), registered by the
/// emergency ward, attempted by other means and closed as linked to the plan.
async fn overdose_linked(
    state: &AppState,
    oslo: &Principal,
    nid: &str,
    name: &str,
    plan: i64,
) -> Result<(), WebError> {
    use super::overdose::ops::{register, step, RegisterBody, StepBody};
    use crate::authz::{OrgAccess, ReadOverdose, RegisterOverdose};
    let er = super::overdose::demo::ward(state)
        .await
        .map_err(demo_error)?;
    let in_er = person(state, &er, nid, name, "0301").await?;
    let now = state.clock.now();
    let at = |hours: i64| {
        let t = now.checked_sub(Span::new().hours(hours)).unwrap_or(now);
        varde_core::calendar::time_in_oslo(t)
            .strftime("%Y-%m-%dT%H:%M")
            .to_string()
    };
    let access = OrgAccess::<RegisterOverdose>::decide(state, er.clone()).await?;
    let id = register(
        state,
        &access,
        &RegisterBody {
            person: in_er,
            municipality: None,
            occurred_at: at(70),
            service: "emergency_ward".into(),
            consent_by: "person".into(),
            guardian_name: String::new(),
            consent_until: add_days(state.clock.today(), 60).to_string(),
            given_how: "written".into(),
            note: String::new(),
        },
    )
    .await?;
    let follow =
        super::overdose::OverdoseAccess::<ReadOverdose>::decide(state, oslo.clone(), id).await?;
    for (hours, kind, value) in [(50, "attempt", "other"), (49, "close", "linked_to_plan")] {
        let body = StepBody {
            at: at(hours),
            means: if kind == "attempt" { value } else { "" }.into(),
            outcome: if kind == "close" { value } else { "" }.into(),
            plan: if kind == "close" {
                plan.to_string()
            } else {
                String::new()
            },
        };
        step(state, &follow, kind, &body).await?;
    }
    Ok(())
}
