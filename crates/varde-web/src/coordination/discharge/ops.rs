//! The discharge notices' operations, one per command, called by the pages, the API and the
//! demo: raise, take a step, read one, list, the national figures, and a municipality's
//! subscribers.

use serde::Serialize;
use utoipa::ToSchema;
use varde_core::authz::{decide, Action};
use varde_core::coordination::discharge::{
    figures, FigureRow, Notice, RaiseFields, Side, StepFields, Tally,
};
use varde_core::fields::FieldError;
use varde_core::org::{OrgKind, Principal};
use varde_store::{DischargeMessage, DischargeRaise, DischargeStep, StoreError, StoredNotice};

use super::access::{entry, subject, NoticeAccess};
use crate::authz::{DischargeWebhooks, OrgAccess, ReadDischarge, WriteDischarge};
use crate::error::WebError;
use crate::AppState;

/// How many notices a list shows.
pub const LIST_MAX: i64 = 200;

/// A webhook body: the notice and its step, never the person (the subscriber reads the notice
/// through the API, decided and logged).
fn message(state: &AppState, id: i64, event_type: &str, status: &str) -> DischargeMessage {
    let now = state.clock.now();
    let base = state.config.public_url.trim_end_matches('/');
    let body = serde_json::json!({
        "type": event_type,
        "timestamp": now.to_string(),
        "data": {
            "notice": id,
            "status": status,
            "url": format!("{base}/api/v1/coordination/discharge/{id}"),
        }
    });
    DischargeMessage {
        message_base: format!(
            "msg_discharge_{id}_{}_{}",
            now.as_millisecond(),
            crate::auth::random_token().get(..8).unwrap_or("")
        ),
        event_type: event_type.to_owned(),
        body: body.to_string(),
    }
}

/// Raises a notice about `person` (a person of the unit's register) to the municipality of
/// the person's residence. Its id.
pub async fn raise(
    state: &AppState,
    access: &OrgAccess<WriteDischarge>,
    person: i64,
    fields: &RaiseFields,
) -> Result<i64, WebError> {
    let today = state.clock.today();
    let found = state
        .store
        .discharge_person(person)
        .await?
        .filter(|(org, _, _)| *org == access.org());
    let mut errors = Vec::new();
    let target = match found {
        None => {
            errors.push(FieldError::new(
                "person",
                "no person with this id in the register",
            ));
            None
        }
        Some((_, pseudonym, None)) => {
            errors.push(FieldError::new(
                "person",
                "the person has no municipality of residence in the register",
            ));
            let _ = pseudonym;
            None
        }
        Some((_, pseudonym, Some(kommune))) => {
            match state
                .store
                .org_by_key(&kommune)
                .await?
                .filter(|o| o.kind == OrgKind::Municipality.as_str())
            {
                Some(m) => Some((pseudonym, kommune, m.id)),
                None => {
                    errors.push(FieldError::new(
                        "person",
                        "no municipality in Varde has the person's municipality number",
                    ));
                    None
                }
            }
        }
    };
    let raise = fields.check(today).map_err(|e| errors.push(e)).ok();
    let (Some((pseudonym, kommune, municipality)), Some(raise)) = (target, raise) else {
        return Err(WebError::invalid_fields(errors));
    };
    let mut access_entry = access.access(state, &pseudonym, String::new());
    access_entry.owner_org_id = access.org().0;
    let make = |id: i64| message(state, id, "coordination.discharge.raised", "raised");
    let id = state
        .store
        .discharge_raise(&DischargeRaise {
            unit_org: access.org(),
            municipality_org: municipality,
            kommune: &kommune,
            person_id: person,
            pseudonym: &pseudonym,
            raise: &raise,
            actor_id: access.principal.user.0,
            at: state.clock.now(),
            access: &access_entry,
            message: &make,
        })
        .await?;
    state.warnings.wake.notify_one();
    Ok(id)
}

/// The action a side's steps are decided as.
fn step_action(side: Side) -> Action {
    match side {
        Side::Unit => Action::CoordinationDischargeWrite,
        Side::Municipality => Action::CoordinationDischargeRespond,
    }
}

/// Takes step `kind` (`acknowledge`, `meeting`, `ready`, `discharge`) on a notice the user may
/// read, as the side the user's organisation is: decided as that side's write, checked against
/// the notice as stored and written expecting its version (checked again, three tries).
pub async fn step(
    state: &AppState,
    access: &NoticeAccess<ReadDischarge>,
    kind: &str,
    fields: &StepFields,
) -> Result<Notice, WebError> {
    let side = access.side();
    let action = step_action(side);
    let decision = decide(
        &access.principal,
        action,
        &subject(&access.principal, &access.notice),
        None,
    );
    let entry = entry(state, &access.principal, action, &access.notice, &decision);
    if !decision.allowed {
        state.store.log_access(&entry).await?;
        return Err(WebError::denied(&decision));
    }
    let step = fields
        .parse(kind, side)
        .map_err(|e| WebError::invalid_fields(vec![e]))?;
    let today = state.clock.today();
    for attempt in 0..3 {
        let (notice, version) = state.store.discharge_state(access.notice.id).await?;
        notice
            .check(&step, side, today)
            .map_err(|e| WebError::invalid_fields(vec![e]))?;
        let after = notice.apply(&step);
        let m = message(
            state,
            access.notice.id,
            step.kind(),
            after.status().as_str(),
        );
        match state
            .store
            .discharge_step(&DischargeStep {
                id: access.notice.id,
                expected_version: version,
                step: &step,
                after: &after,
                actor_id: access.principal.user.0,
                actor_org: access.principal.org,
                at: state.clock.now(),
                access: &entry,
                message: &m,
            })
            .await
        {
            Ok(()) => {
                state.warnings.wake.notify_one();
                return Ok(after);
            }
            Err(StoreError::Changed(_)) if attempt < 2 => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(WebError::conflict(
        "the notice has changed since it was read",
    ))
}

/// One notice, read with its access entry (which names the legal basis on the
/// municipality's side).
pub async fn read(
    state: &AppState,
    access: &NoticeAccess<ReadDischarge>,
) -> Result<StoredNotice, WebError> {
    Ok(state
        .store
        .discharge_read_logged(access.notice.id, &access.access)
        .await?)
}

/// The notices addressed to the user's municipality, or raised by the user's unit, each read
/// logged.
pub async fn list(
    state: &AppState,
    access: &OrgAccess<ReadDischarge>,
) -> Result<Vec<StoredNotice>, WebError> {
    let p = &access.principal;
    let to_municipality = p.org_kind == Some(OrgKind::Municipality);
    let log = |n: &StoredNotice, pseudonym: &str| {
        let r = varde_store::NoticeRef {
            id: n.id,
            unit_org: n.unit_org,
            municipality_org: n.municipality_org,
            pseudonym: pseudonym.to_owned(),
        };
        let d = decide(p, Action::CoordinationDischargeRead, &subject(p, &r), None);
        entry(state, p, Action::CoordinationDischargeRead, &r, &d)
    };
    Ok(state
        .store
        .discharge_list_logged(p.org, to_municipality, LIST_MAX, &log)
        .await?)
}

/// Whether `p` raises notices (a TSB unit's clinician) — a pure check for a page's links.
pub fn may_raise(p: &Principal) -> bool {
    decide(
        p,
        Action::CoordinationDischargeWrite,
        &varde_core::authz::Subject::of_org(p.org),
        None,
    )
    .allowed
}

/// The national view of a year: a row per municipality with discharges, by name.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NationalDoc {
    pub year: i16,
    pub rows: Vec<NationalRow>,
    pub national: NationalRow,
}

/// One municipality's (or the nation's) discharges; `null`: 1–4, suppressed.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NationalRow {
    /// The municipality number, or `national`.
    pub kommune: String,
    pub name: String,
    pub discharges: Option<u64>,
    /// Mean days waited after discharge-ready (utskrivningsklar) until discharge.
    pub mean_days_waiting: Option<f64>,
    /// Discharges with "no home to go to" still flagged.
    pub no_home: Option<u64>,
}

fn national_row(r: FigureRow, name: String) -> NationalRow {
    NationalRow {
        kommune: r.kommune,
        name,
        discharges: r.discharges,
        mean_days_waiting: r.mean_days_waiting.map(|m| (m * 10.0).round() / 10.0),
        no_home: r.no_home,
    }
}

/// The national discharge figures of `year` (no personal data: counts per municipality,
/// suppressed below five).
pub async fn national(state: &AppState, year: i16) -> Result<NationalDoc, WebError> {
    let mut tallies: Vec<(String, Tally)> = Vec::new();
    for (kommune, n) in state.store.discharge_discharged_in(year).await? {
        match tallies.last_mut() {
            Some((k, t)) if *k == kommune => t.add(&n),
            _ => {
                let mut t = Tally::default();
                t.add(&n);
                tallies.push((kommune, t));
            }
        }
    }
    let (rows, national) = figures(&tallies);
    let name = |k: &str| {
        varde_core::refdata::get()
            .kommune(k)
            .map(|m| m.name.clone())
            .unwrap_or_else(|| k.to_owned())
    };
    Ok(NationalDoc {
        year,
        rows: rows
            .into_iter()
            .map(|r| {
                let n = name(&r.kommune);
                national_row(r, n)
            })
            .collect(),
        national: national_row(national, "Norge".into()),
    })
}

/// Registers a subscriber of the user's municipality; its id and secret (shown this once).
pub async fn register_webhook(
    state: &AppState,
    access: &OrgAccess<DischargeWebhooks>,
    url: &str,
) -> Result<(i64, String), WebError> {
    let url = crate::warnings::ops::check_url(state, url)
        .map_err(|e| WebError::invalid_fields(vec![e]))?;
    let mut random = [0u8; 32];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut random);
    let secret = varde_core::warnings::signature::secret_from_bytes(&random);
    let id = state
        .store
        .discharge_webhook_create(
            access.org(),
            &url,
            &secret,
            access.principal.user.0,
            &state.clock.now().to_string(),
        )
        .await?;
    access
        .log(state, format!("coordination_discharge_webhook:{id}"))
        .await?;
    Ok((id, secret))
}
