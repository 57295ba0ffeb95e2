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
use varde_store::{DischargeRaise, StoredNotice};

use super::access::{entry, subject, NoticeAccess};
use crate::authz::{DischargeWebhooks, OrgAccess, ReadDischarge, WriteDischarge};
use crate::coordination::notices::{message, take_step, Hook};
use crate::error::WebError;
use crate::AppState;

/// How many notices a list shows.
pub const LIST_MAX: i64 = 200;

/// Where a discharge notice is reached from a webhook.
const HOOK: Hook = Hook {
    path: "discharge",
    key: "notice",
};

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
    let make = |id: i64| message(state, &HOOK, id, "coordination.discharge.raised", "raised");
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
    take_step(
        state,
        &HOOK,
        access.notice.id,
        &access.principal,
        &entry,
        &step,
        |notice: Notice| {
            notice.check(&step, side, today)?;
            Ok(notice.apply(&step))
        },
    )
    .await
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
    Ok(NationalDoc {
        year,
        rows: rows
            .into_iter()
            .map(|r| {
                let n = crate::coordination::national::kommune_name(&r.kommune);
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
