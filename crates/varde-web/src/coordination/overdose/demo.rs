//! The demo's overdose notices: an emergency ward's clinician (`ambulanse`, a user of Oslo
//! universitetssykehus HF, created here when missing) registers non-fatal overdoses of people
//! living in Oslo and Bergen with their consent, relative to now (the risk week counts from
//! the real clock), and the municipalities' coordinators take them to every state: open,
//! attempted, closed with each outcome. Each registration and step goes through the same
//! operations as the pages, decided and logged as the demo users.
//!
//! So that the national follow-up figures have a finished week to count, a second set of
//! notices is registered as of eight days ago (through a server state whose clock stands
//! then): their risk weeks are over today, most attempted and closed within them, some late.

use jiff::{Span, Timestamp};
use varde_core::calendar::time_in_oslo;
use varde_core::org::{Principal, Qualification, Role};

use super::ops::{self, RegisterBody, StepBody};
use super::OverdoseAccess;
use crate::authz::{OrgAccess, ReadOverdose, RegisterOverdose};
use crate::bootstrap::DemoError;
use crate::AppState;

/// The demo's emergency ward clinician.
pub const WARD_USER: &str = "ambulanse";

fn request(e: crate::error::WebError) -> DemoError {
    DemoError::Request(e.message(crate::i18n::Lang::En))
}

async fn principal(state: &AppState, username: &'static str) -> Result<Principal, DemoError> {
    let user = state
        .store
        .user_by_username(username)
        .await?
        .ok_or(DemoError::Missing(username))?;
    crate::auth::principal_of(&user).ok_or(DemoError::Missing(username))
}

/// The emergency ward's clinician, created on first use.
pub(crate) async fn ward(state: &AppState) -> Result<Principal, DemoError> {
    if state.store.user_by_username(WARD_USER).await?.is_none() {
        let org = state
            .store
            .org_by_key("oslo-universitetssykehus-hf")
            .await?
            .ok_or(DemoError::Missing("Oslo universitetssykehus HF"))?;
        let hash = crate::auth::hash_password_blocking(crate::bootstrap::DEMO_PASSWORD)
            .map_err(|_| DemoError::Hash)?;
        state
            .store
            .create_user(
                org.id,
                Role::Clinician,
                Qualification::Other,
                WARD_USER,
                &hash,
                state.clock.now(),
            )
            .await?;
    }
    principal(state, WARD_USER).await
}

fn at(now: Timestamp, hours_ago: i64) -> String {
    let t = now.checked_sub(Span::new().hours(hours_ago)).unwrap_or(now);
    time_in_oslo(t).strftime("%Y-%m-%dT%H:%M").to_string()
}

type Steps = &'static [(i64, &'static str, &'static str)];
/// (name, municipality, hours before the set's "now", service, who follows up (Oslo or Bergen),
/// steps: (hours before the set's "now", kind, means or outcome)).
type Person = (&'static str, &'static str, i64, &'static str, bool, Steps);

/// This week's notices, in every state.
const THIS_WEEK: [Person; 8] = [
    ("Ola Overdose", "0301", 3, "ambulance", true, &[]),
    ("Kari Kveld", "0301", 150, "emergency_ward", true, &[]),
    (
        "Per Prøve",
        "0301",
        40,
        "ambulance",
        true,
        &[(30, "attempt", "phone")],
    ),
    (
        "Siri Samtale",
        "0301",
        90,
        "emergency_ward",
        true,
        &[
            (80, "attempt", "phone"),
            (60, "attempt", "visit"),
            (59, "close", "reached"),
        ],
    ),
    (
        "Jon Henvist",
        "0301",
        120,
        "ambulance",
        true,
        &[
            (100, "attempt", "sms"),
            (99, "close", "referred_to_treatment"),
        ],
    ),
    (
        "Lise Nei",
        "4601",
        20,
        "ambulance",
        false,
        &[(10, "attempt", "phone"), (9, "close", "declined")],
    ),
    (
        "Tor Ukjent",
        "4601",
        160,
        "emergency_ward",
        false,
        &[
            (150, "attempt", "phone"),
            (100, "attempt", "letter"),
            (5, "close", "not_reached"),
        ],
    ),
    ("Mona Morgen", "4601", 8, "ambulance", false, &[]),
];

/// Last week's notices, registered as of eight days ago: Oslo's ten mostly reached within
/// the week (one not reached, one attempted and left open), Bergen's six with one never
/// attempted.
const LAST_WEEK: [Person; 16] = [
    (
        "Arne Tidlig",
        "0301",
        160,
        "ambulance",
        true,
        &[(150, "attempt", "phone"), (140, "close", "reached")],
    ),
    (
        "Berit Raskt",
        "0301",
        150,
        "emergency_ward",
        true,
        &[(148, "attempt", "phone"), (147, "close", "reached")],
    ),
    (
        "Cato Henvist",
        "0301",
        140,
        "ambulance",
        true,
        &[
            (120, "attempt", "visit"),
            (110, "close", "referred_to_treatment"),
        ],
    ),
    (
        "Dina Dag",
        "0301",
        130,
        "ambulance",
        true,
        &[(125, "attempt", "phone"), (100, "close", "reached")],
    ),
    (
        "Eirik Nei",
        "0301",
        120,
        "emergency_ward",
        true,
        &[(119, "attempt", "sms"), (90, "close", "declined")],
    ),
    (
        "Frida Funnet",
        "0301",
        100,
        "ambulance",
        true,
        &[(96, "attempt", "phone"), (70, "close", "reached")],
    ),
    (
        "Geir Borte",
        "0301",
        90,
        "ambulance",
        true,
        &[
            (80, "attempt", "phone"),
            (40, "attempt", "visit"),
            (10, "close", "not_reached"),
        ],
    ),
    (
        "Hanne Hjemme",
        "0301",
        70,
        "emergency_ward",
        true,
        &[(60, "attempt", "visit"), (59, "close", "reached")],
    ),
    (
        "Ivar Ivrig",
        "0301",
        50,
        "ambulance",
        true,
        &[(48, "attempt", "phone"), (30, "close", "reached")],
    ),
    (
        "Julie Sent",
        "0301",
        30,
        "ambulance",
        true,
        &[(2, "attempt", "phone")],
    ),
    (
        "Knut Kyst",
        "4601",
        165,
        "ambulance",
        false,
        &[(160, "attempt", "phone"), (150, "close", "reached")],
    ),
    (
        "Laila Lys",
        "4601",
        140,
        "emergency_ward",
        false,
        &[(130, "attempt", "sms"), (129, "close", "declined")],
    ),
    (
        "Magne Mot",
        "4601",
        120,
        "ambulance",
        false,
        &[
            (100, "attempt", "phone"),
            (99, "close", "referred_to_treatment"),
        ],
    ),
    (
        "Nina Nord",
        "4601",
        100,
        "ambulance",
        false,
        &[(90, "attempt", "visit"), (20, "close", "reached")],
    ),
    (
        "Odd Ute",
        "4601",
        80,
        "emergency_ward",
        false,
        &[
            (70, "attempt", "phone"),
            (30, "attempt", "visit"),
            (29, "close", "reached"),
        ],
    ),
    ("Pia Glemt", "4601", 60, "ambulance", false, &[]),
];

/// Seeds the notices (this week's and last week's); how many.
pub async fn seed(state: &AppState) -> Result<usize, DemoError> {
    let mut n = seed_set(state, &THIS_WEEK, 0).await?;
    let then = state
        .clock
        .now()
        .checked_sub(Span::new().hours(8 * 24))
        .map_err(|_| DemoError::Request("eight days ago".into()))?;
    let past = AppState::new(
        state.store.clone(),
        state.key.clone(),
        crate::Clock::Fixed(then),
        state.config.clone(),
    )
    .map_err(|e| DemoError::Request(e.to_string()))?;
    n += seed_set(&past, &LAST_WEEK, THIS_WEEK.len()).await?;
    Ok(n)
}

/// Registers `people` as of `state`'s clock, the synthetic ids numbered from `first`; how many.
async fn seed_set(state: &AppState, people: &[Person], first: usize) -> Result<usize, DemoError> {
    let er = ward(state).await?;
    let oslo = principal(state, "koordinator.oslo").await?;
    let bergen = principal(state, "radgiver.bergen").await?;
    let now = state.clock.now();
    let today = state.clock.today();
    let until = varde_core::calendar::add_days(today, 30).to_string();
    let register = OrgAccess::<RegisterOverdose>::decide(state, er.clone())
        .await
        .map_err(request)?;
    let mut n = 0;
    for (i, (name, kommune, ago, service, in_oslo, steps)) in people.iter().enumerate() {
        let i = first + i;
        let national_id = if i < THIS_WEEK.len() {
            varde_core::ids::synth::born(1 + i as u32 * 3, 1 + i as u32, 80 + i as u32)
        } else {
            varde_core::ids::synth::born(1 + (i - THIS_WEEK.len()) as u32, 10, 90)
        }
        .ok_or_else(|| DemoError::Request(format!("no synthetic id for {i}")))?;
        let create = OrgAccess::<crate::authz::CreatePerson>::decide(state, er.clone())
            .await
            .map_err(request)?;
        let input = varde_core::persons::NewPersonInput {
            national_id,
            name: (*name).to_owned(),
            birth_date: None,
            kommune: Some((*kommune).to_owned()),
        };
        let person = crate::persons::create(state, &create, &input)
            .await
            .map_err(request)?;
        let body = RegisterBody {
            person,
            municipality: None,
            occurred_at: at(now, *ago),
            service: (*service).to_owned(),
            consent_by: "person".into(),
            guardian_name: String::new(),
            consent_until: until.clone(),
            given_how: if i.is_multiple_of(2) {
                "oral"
            } else {
                "written"
            }
            .into(),
            note: String::new(),
        };
        let id = ops::register(state, &register, &body)
            .await
            .map_err(request)?;
        let follower = if *in_oslo { &oslo } else { &bergen };
        let access = OverdoseAccess::<ReadOverdose>::decide(state, follower.clone(), id)
            .await
            .map_err(request)?;
        for (hours, kind, value) in steps.iter() {
            let step = StepBody {
                at: at(now, *hours),
                means: if *kind == "attempt" {
                    value.to_string()
                } else {
                    String::new()
                },
                outcome: if *kind == "close" {
                    value.to_string()
                } else {
                    String::new()
                },
                plan: String::new(),
            };
            ops::step(state, &access, kind, &step)
                .await
                .map_err(request)?;
        }
        n += 1;
    }
    Ok(n)
}
