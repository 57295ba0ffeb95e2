//! The demo's advisory cases, relative to today, recorded through the same operations as an
//! advisor's work (decided and logged as the demo advisors of Oslo and Bergen): in Oslo a youth
//! case with guardians and drug testing whose period has ended (a missed meeting with two
//! outreach attempts, two meetings with consent, a positive and two negative tests, the report
//! sent, a referral), a case from the police with a meeting today and one from the emergency
//! ward with a meeting this week, a condition closed five years ago less ten days (its erasure
//! due on the worklist) and advice logged; in Bergen a condition with a missed meeting awaiting
//! outreach, an anonymous voluntary contact, and a condition closed six years ago that the real
//! erasure job (run with today's clock) has erased, so the erased page and the statistics'
//! stored records show.

use jiff::civil::Date;
use jiff::ToSpan;
use varde_core::advisory::advice::AdviceInput;
use varde_core::advisory::{latest_end, DecisionInput, TestingInput};
use varde_core::calendar::add_days;
use varde_core::org::Principal;

use super::access::CaseAccess;
use super::entries;
use super::ops::{self, GuardianInput, OpenCase, PersonInput};
use crate::authz::{OrgAccess, WriteAdvisory};
use crate::error::WebError;
use crate::AppState;

async fn principal(state: &AppState, username: &'static str) -> Result<Principal, WebError> {
    let user = state
        .store
        .user_by_username(username)
        .await?
        .ok_or_else(WebError::not_found)?;
    crate::auth::principal_of(&user).ok_or_else(WebError::not_found)
}

/// A synthetic identity number (month + 80) of someone born on `born` (1900–2039).
fn synthetic(born: Date, n: u32) -> Option<String> {
    let yy = born.year() % 100;
    let range = if born.year() >= 2000 {
        500..1000
    } else {
        0..500
    };
    range.filter(|i| i % 7 == n % 7).find_map(|ind| {
        varde_core::ids::synth::with_control_digits(&format!(
            "{:02}{:02}{yy:02}{ind:03}",
            born.day(),
            born.month() + 80
        ))
    })
}

fn at(day: Date, hh: u32) -> String {
    format!("{day}T{hh:02}:00:00+01:00")
}

async fn open(
    state: &AppState,
    p: &Principal,
    input: OpenCase,
) -> Result<CaseAccess<WriteAdvisory>, WebError> {
    let access = OrgAccess::<WriteAdvisory>::decide(state, p.clone()).await?;
    let id = ops::open_case(state, &access, &input).await?;
    CaseAccess::decide(state, p.clone(), id).await
}

/// A condition of one meeting decided on `decided`, attended two weeks later, closed as
/// completed on `closed` (after the period of 60 days): a case of years ago, registered now.
async fn past_case(
    state: &AppState,
    p: &Principal,
    name: &str,
    national_id: String,
    decided: Date,
    closed: Date,
) -> Result<usize, WebError> {
    let case = open(
        state,
        p,
        OpenCase {
            route: "prosecution_condition".into(),
            person: PersonInput {
                national_id: Some(national_id),
                name: Some(name.into()),
            },
            guardians: vec![],
            decision: Some(DecisionInput {
                reference: format!("DEMO-{decided}"),
                decided_on: decided.to_string(),
                meetings_required: Some(1),
                period_end: add_days(decided, 60).to_string(),
                drug_testing: None,
            }),
        },
    )
    .await?;
    let script = vec![
        entries::meeting(&at(add_days(decided, 14), 10), "Rådhuset")?,
        entries::attendance(1, "attended", None, None, None, None)?,
        entries::referral(add_days(decided, 14), "gp", true)?,
        entries::close(closed, "completed")?,
    ];
    let n = script.len();
    for e in script {
        ops::record(state, &case, e).await?;
    }
    Ok(n)
}

/// Records the demo's cases; the number of entries recorded.
pub async fn seed_demo_advisory(state: &AppState) -> Result<usize, WebError> {
    let today = state.clock.today();
    let oslo = principal(state, "radgiver.oslo").await?;
    let bergen = principal(state, "radgiver.bergen").await?;
    let none = || WebError::internal("demo date");
    let mut n = 0;

    // Oslo: a youth case whose period has ended, reported.
    let decided = add_days(today, -100);
    let end = latest_end(decided);
    let youth = synthetic(add_days(today, -16 * 365 - 40), 1).ok_or_else(none)?;
    let parent = synthetic(add_days(today, -45 * 365), 2).ok_or_else(none)?;
    let case = open(
        state,
        &oslo,
        OpenCase {
            route: "prosecution_condition".into(),
            person: PersonInput {
                national_id: Some(youth),
                name: Some("Jonas Demo".into()),
            },
            guardians: vec![
                GuardianInput {
                    name: "Hilde Demo".into(),
                    national_id: Some(parent),
                },
                GuardianInput {
                    name: "Tor Demo".into(),
                    national_id: None,
                },
            ],
            decision: Some(DecisionInput {
                reference: "OSL-DEMO-1".into(),
                decided_on: decided.to_string(),
                meetings_required: Some(2),
                period_end: end.to_string(),
                drug_testing: Some(TestingInput {
                    test_type: "urine".into(),
                    interval_days: Some(14),
                    until: end.to_string(),
                }),
            }),
        },
    )
    .await?;
    let d = |k: i64| add_days(decided, k);
    let script = vec![
        entries::meeting(&at(d(10), 10), "Rådhusgata 2")?,
        entries::meeting(&at(d(30), 10), "Rådhusgata 2")?,
        entries::meeting(&at(d(50), 10), "Rådhusgata 2")?,
        entries::attendance(1, "not_attended", None, None, None, None)?,
        entries::outreach(d(11), "letter", "not_reached")?,
        entries::outreach(d(13), "phone", "reached")?,
        entries::attendance(2, "attended", Some(true), None, None, None)?,
        entries::attendance(3, "attended", None, None, None, None)?,
        entries::test(d(15), "positive", vec!["cannabis".into()])?,
        entries::test(d(29), "negative", vec![])?,
        entries::test(d(43), "negative", vec![])?,
        entries::report_sent(today),
        entries::referral(today, "municipal", true)?,
    ];
    for e in script {
        ops::record(state, &case, e).await?;
        n += 1;
    }

    // Oslo: the police did not investigate; a meeting today.
    let adult = synthetic(add_days(today, -22 * 365), 3).ok_or_else(none)?;
    let case = open(
        state,
        &oslo,
        OpenCase {
            route: "police_no_investigation".into(),
            person: PersonInput {
                national_id: Some(adult),
                name: Some("Sara Demo".into()),
            },
            ..OpenCase::default()
        },
    )
    .await?;
    ops::record(
        state,
        &case,
        entries::meeting(&at(today, 14), "Rådhusgata 2")?,
    )
    .await?;
    n += 1;

    // Oslo: seen at the emergency ward; a meeting in two days, the guardian summoned.
    let teen = synthetic(add_days(today, -15 * 365 - 100), 4).ok_or_else(none)?;
    let case = open(
        state,
        &oslo,
        OpenCase {
            route: "emergency_ward".into(),
            person: PersonInput {
                national_id: Some(teen),
                name: Some("Emil Demo".into()),
            },
            guardians: vec![GuardianInput {
                name: "Lise Demo".into(),
                national_id: None,
            }],
            decision: None,
        },
    )
    .await?;
    ops::record(
        state,
        &case,
        entries::meeting(&at(add_days(today, 2), 10), "Legevakten")?,
    )
    .await?;
    n += 1;

    // Bergen: a condition with a missed meeting awaiting outreach.
    let decided = add_days(today, -20);
    let grown = synthetic(add_days(today, -19 * 365), 5).ok_or_else(none)?;
    let case = open(
        state,
        &bergen,
        OpenCase {
            route: "prosecution_condition".into(),
            person: PersonInput {
                national_id: Some(grown),
                name: Some("Nora Demo".into()),
            },
            guardians: vec![],
            decision: Some(DecisionInput {
                reference: "BRG-DEMO-7".into(),
                decided_on: decided.to_string(),
                meetings_required: Some(1),
                period_end: add_days(decided, 60).to_string(),
                drug_testing: None,
            }),
        },
    )
    .await?;
    ops::record(
        state,
        &case,
        entries::meeting(&at(add_days(decided, 7), 12), "Bergen rådhus")?,
    )
    .await?;
    ops::record(
        state,
        &case,
        entries::attendance(1, "not_attended", None, None, None, None)?,
    )
    .await?;
    n += 2;

    // Bergen: an anonymous voluntary contact.
    open(
        state,
        &bergen,
        OpenCase {
            route: "voluntary".into(),
            ..OpenCase::default()
        },
    )
    .await?;

    // Oslo: a condition closed five years ago less ten days: its erasure is due on the
    // worklist (the default retention is five years).
    let closed = add_days(today.checked_sub(5.years()).map_err(|_| none())?, 10);
    let old = synthetic(add_days(today, -27 * 365), 6).ok_or_else(none)?;
    n += past_case(state, &oslo, "Ida Demo", old, add_days(closed, -61), closed).await?;
    // Bergen: a condition closed six years ago, erased by the real job with today's clock.
    let closed = today.checked_sub(6.years()).map_err(|_| none())?;
    let old = synthetic(add_days(today, -24 * 365), 0).ok_or_else(none)?;
    n += past_case(
        state,
        &bergen,
        "Lars Demo",
        old,
        add_days(closed, -61),
        closed,
    )
    .await?;
    super::erasure::run_once(&state.store, today, state.clock.now(), "demo")
        .await
        .map_err(WebError::from)?;

    // Advice logged in Oslo over the last weeks, apart from the cases.
    let access = OrgAccess::<WriteAdvisory>::decide(state, oslo.clone()).await?;
    for (k, (asker, means, topic, age)) in [
        ("relative", "phone", "concern", Some("15_17")),
        ("school", "meeting", "law", Some("15_17")),
        ("person", "digital", "substances", Some("18_25")),
        ("relative", "phone", "help", None),
        ("service", "phone", "law", None),
        ("relative", "meeting", "concern", Some("under_15")),
    ]
    .into_iter()
    .enumerate()
    {
        let input = AdviceInput {
            on: add_days(today, -3 * k as i64).to_string(),
            asker: asker.into(),
            means: means.into(),
            topic: topic.into(),
            age_group: age.map(str::to_owned),
        };
        super::advice::log(state, &access, &input).await?;
    }
    Ok(n)
}
