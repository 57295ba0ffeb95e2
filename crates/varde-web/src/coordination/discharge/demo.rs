//! The demo's discharge notices: between the demo TSB unit and Oslo and Bergen, in every state,
//! and discharges over the past months for the national view. Each step is checked by the
//! core's rules on the day it happened and written with its access entry, as the demo users.

use jiff::civil::Date;
use jiff::{Span, Timestamp};
use varde_core::authz::{decide, Action};
use varde_core::coordination::discharge::{Meeting, Notice, RaiseFields, Side, Step};
use varde_core::org::{OrgId, Principal};
use varde_store::{DischargeRaise, DischargeStep, NoticeMessage, NoticeRef};

use super::access::{entry, subject};
use crate::bootstrap::DemoError;
use crate::AppState;

fn noon(d: Date) -> Timestamp {
    d.at(12, 0, 0, 0)
        .to_zoned(jiff::tz::TimeZone::UTC)
        .map(|z| z.timestamp())
        .unwrap_or_else(|_| Timestamp::UNIX_EPOCH)
}

fn quiet(id: i64, kind: &str) -> NoticeMessage {
    NoticeMessage {
        message_base: format!("msg_demo_discharge_{id}_{kind}"),
        event_type: kind.to_owned(),
        body: serde_json::json!({"type": kind, "data": {"notice": id}}).to_string(),
    }
}

/// One person of the unit, living in `kommune`, registered as a clinician does: their
/// register id and pseudonym.
async fn person(
    state: &AppState,
    clinician: &Principal,
    n: u32,
    name: &str,
    kommune: &str,
) -> Result<(i64, String), DemoError> {
    let national_id = varde_core::ids::synth::born(1 + n % 28, 1 + (n / 28) % 12, 51 + n % 7)
        .ok_or_else(|| DemoError::Request(format!("no synthetic id for {n}")))?;
    let access =
        crate::authz::OrgAccess::<crate::authz::CreatePerson>::decide(state, clinician.clone())
            .await
            .map_err(|e| DemoError::Request(e.message(crate::i18n::Lang::En)))?;
    let input = varde_core::persons::NewPersonInput {
        national_id: national_id.clone(),
        name: name.to_owned(),
        birth_date: None,
        kommune: Some(kommune.to_owned()),
    };
    let id = crate::persons::create(state, &access, &input)
        .await
        .map_err(|e| DemoError::Request(e.message(crate::i18n::Lang::En)))?;
    let r = state
        .store
        .person_ref(id)
        .await?
        .ok_or(DemoError::Missing("a demo person"))?;
    Ok((id, r.pseudonym))
}

/// One notice raised on `raised` and taken through `steps` (by side, on their days).
#[allow(clippy::too_many_arguments)]
pub(crate) async fn notice(
    state: &AppState,
    unit: &Principal,
    municipality: (&Principal, OrgId, &str),
    person: (i64, String),
    raised: Date,
    fields: RaiseFields,
    steps: Vec<(Side, Step)>,
) -> Result<i64, DemoError> {
    let raise = fields
        .check(raised)
        .map_err(|e| DemoError::Request(e.to_string()))?;
    let (responder, municipality_org, kommune) = municipality;
    let mut r = NoticeRef {
        id: 0,
        unit_org: unit.org,
        municipality_org,
        pseudonym: person.1.clone(),
    };
    let d = decide(
        unit,
        Action::CoordinationDischargeWrite,
        &subject(unit, &r),
        None,
    );
    let access = entry(state, unit, Action::CoordinationDischargeWrite, &r, &d);
    let quiet_raise = |id: i64| quiet(id, "coordination.discharge.raised");
    let id = state
        .store
        .discharge_raise(&DischargeRaise {
            unit_org: unit.org,
            municipality_org,
            kommune,
            person_id: person.0,
            pseudonym: &person.1,
            raise: &raise,
            actor_id: unit.user.0,
            at: noon(raised),
            access: &access,
            message: &quiet_raise,
        })
        .await?;
    r.id = id;
    let mut n = Notice::new(raise);
    for (version, (side, step)) in (1i64..).zip(steps) {
        let (who, action) = match side {
            Side::Unit => (unit, Action::CoordinationDischargeWrite),
            Side::Municipality => (responder, Action::CoordinationDischargeRespond),
        };
        let day = match &step {
            Step::Acknowledge { on, .. } | Step::Ready { on } | Step::Discharge { on, .. } => *on,
            Step::Meeting(m) => m.held_on,
        };
        n.check(&step, side, day)
            .map_err(|e| DemoError::Request(e.to_string()))?;
        let after = n.clone().apply(&step);
        let d = decide(who, action, &subject(who, &r), None);
        let mut access = entry(state, who, action, &r, &d);
        access.at = noon(day);
        state
            .store
            .notice_step(&DischargeStep {
                id,
                expected_version: version,
                step: &step,
                after: &after,
                actor_id: who.user.0,
                actor_org: who.org,
                at: noon(day),
                access: &access,
                message: &quiet(id, step.kind()),
            })
            .await?;
        n = after;
    }
    Ok(id)
}

/// The demo's notices, relative to today: in Oslo and Bergen one in every state, and 14
/// discharges in the year so far (Oslo 8, three without a home; Bergen 6) for the national
/// view. Call on a database prepared by `bootstrap::seed_demo`. The number of notices.
pub async fn seed(state: &AppState) -> Result<usize, DemoError> {
    let unit = crate::bootstrap::demo_clinician(state).await?;
    let oslo_user = crate::bootstrap::demo_user(state, "koordinator.oslo").await?;
    let bergen_user = crate::bootstrap::demo_user(state, "radgiver.bergen").await?;
    let oslo = (&oslo_user, oslo_user.org, "0301");
    let bergen = (&bergen_user, bergen_user.org, "4601");
    let today = state.clock.today();
    let day = |back: i64| today.saturating_sub(Span::new().days(back));
    let names = [
        "Ola Nordmann",
        "Kari Hansen",
        "Per Olsen",
        "Anne Larsen",
        "Jon Berg",
        "Lise Dahl",
        "Nils Moen",
        "Eva Lie",
        "Tor Bakke",
        "Mona Strand",
        "Geir Holm",
        "Siri Lund",
        "Arne Vik",
        "Hege Sand",
        "Knut Eide",
        "Rita Foss",
        "Odd Aas",
        "Tone Ruud",
        "Bjørn Haug",
        "Guro Nes",
    ];
    let mut count = 0;
    let mut next = 0u32;
    let meeting = |d: Date, side: Side, outcome: &str| {
        (
            side,
            Step::Meeting(Meeting {
                held_on: d,
                outcome: outcome.to_owned(),
                recorded_by: side,
            }),
        )
    };
    for (m, place) in [(oslo, "0301"), (bergen, "4601")] {
        // One notice in every state.
        for state_no in 0..5usize {
            let raised = day(20 - state_no as i64);
            let fields = RaiseFields {
                expected_discharge: raised.saturating_add(Span::new().days(14)).to_string(),
                housing: true,
                no_home: state_no % 2 == 0,
                income: true,
                substance_use: true,
                meeting_requested: true,
                ..RaiseFields::default()
            };
            let mut steps = Vec::new();
            if state_no >= 1 {
                steps.push((
                    Side::Municipality,
                    Step::Acknowledge {
                        on: day(19 - state_no as i64),
                        contact: "Koordinerende enhet, 21 80 21 80".into(),
                    },
                ));
            }
            if state_no >= 2 {
                steps.push(meeting(
                    day(10),
                    Side::Unit,
                    "Kommunen skaffer midlertidig bolig og tar over oppfølgingen.",
                ));
            }
            if state_no >= 3 {
                steps.push((Side::Unit, Step::Ready { on: day(4) }));
            }
            if state_no >= 4 {
                steps.push((
                    Side::Unit,
                    Step::Discharge {
                        on: day(1),
                        no_home: false,
                    },
                ));
            }
            let p = person(
                state,
                &unit,
                next,
                names[next as usize % names.len()],
                place,
            )
            .await?;
            next += 1;
            notice(state, &unit, m, p, raised, fields, steps).await?;
            count += 1;
        }
    }
    // Discharges earlier in the year, for the national view.
    let start = Date::new(today.year(), 1, 2).unwrap_or(today);
    for (m, place, total, homeless) in [(oslo, "0301", 8u32, 3u32), (bergen, "4601", 6, 1)] {
        for i in 0..total {
            let raised = start.saturating_add(Span::new().days(i64::from(i) * 3));
            if raised.saturating_add(Span::new().days(12)) > today {
                break;
            }
            let ready = raised.saturating_add(Span::new().days(5));
            let out = ready.saturating_add(Span::new().days(i64::from(i % 4)));
            let no_home = i < homeless;
            let fields = RaiseFields {
                expected_discharge: ready.to_string(),
                housing: no_home,
                no_home,
                substance_use: true,
                meeting_requested: true,
                ..RaiseFields::default()
            };
            let steps = vec![
                (
                    Side::Municipality,
                    Step::Acknowledge {
                        on: raised,
                        contact: "Tildelingskontoret".into(),
                    },
                ),
                meeting(
                    raised.saturating_add(Span::new().days(2)),
                    Side::Municipality,
                    "Plan for bolig og oppfølging avtalt.",
                ),
                (Side::Unit, Step::Ready { on: ready }),
                (Side::Unit, Step::Discharge { on: out, no_home }),
            ];
            let p = person(
                state,
                &unit,
                next,
                names[next as usize % names.len()],
                place,
            )
            .await?;
            next += 1;
            notice(state, &unit, m, p, raised, fields, steps).await?;
            count += 1;
        }
    }
    Ok(count)
}
