//! The overdose notices' operations, one per command, called by the pages, the API and the
//! demo: register (with the consent and the monitoring row), take a step (attempt, close),
//! read one, list; and the notice as JSON.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use varde_core::authz::{decide, Action, Subject};
use varde_core::calendar::time_in_oslo;
use varde_core::coordination::consent::{Grantee, NewConsent};
use varde_core::coordination::overdose::{
    monitoring_row, ConsentBy, Notice, RegisterFields, Step, StepFields,
};
use varde_core::coordination::Scope;
use varde_core::fields::FieldError;
use varde_core::monitoring::sources::{self, Source};
use varde_core::org::{OrgId, OrgKind, Principal};
use varde_store::{
    monitoring_batch_key, OverdoseList, OverdoseRef, OverdoseRegister, StoreError, StoredOverdose,
};

use super::access::{decide_on, OverdoseAccess};
use crate::authz::{OrgAccess, ReadOverdose, RegisterOverdose};
use crate::coordination::notices::{message, take_step, Hook};
use crate::error::WebError;
use crate::AppState;

/// How many notices a list shows.
pub const LIST_MAX: i64 = 200;

/// The purpose recorded with the consent.
pub const PURPOSE: &str = "follow-up by the municipality after a non-fatal overdose";

/// A registration as the API takes it.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct RegisterBody {
    /// A person of the registering organisation's register.
    pub person: i64,
    /// The municipality (an organisation's id) that follows up; empty: the person's
    /// municipality of residence.
    pub municipality: Option<i64>,
    /// `YYYY-MM-DDTHH:MM`, Oslo time, within the last 7 days.
    pub occurred_at: String,
    /// `ambulance` or `emergency_ward`.
    pub service: String,
    /// `person` or `guardian` (under 16: `guardian`, named).
    pub consent_by: String,
    pub guardian_name: String,
    /// The consent's last day (required; at most 90 days after the overdose).
    pub consent_until: String,
    /// `written` or `oral`.
    pub given_how: String,
    pub note: String,
}

impl RegisterBody {
    pub fn fields(&self) -> RegisterFields {
        RegisterFields {
            occurred_at: self.occurred_at.clone(),
            service: self.service.clone(),
            consent_by: self.consent_by.clone(),
            guardian_name: self.guardian_name.clone(),
            consent_until: self.consent_until.clone(),
            given_how: self.given_how.clone(),
            note: self.note.clone(),
        }
    }
}

/// A step's fields: `at` (`YYYY-MM-DDTHH:MM`, empty: now) and `means` (`phone`, `sms`,
/// `visit`, `letter`, `other`) for an attempt; `outcome` (`reached`, `declined`,
/// `not_reached`, `referred_to_treatment`, `linked_to_plan`) and `plan` (a coordination
/// plan of the person, `linked_to_plan` only) to close.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct StepBody {
    pub at: String,
    pub means: String,
    pub outcome: String,
    pub plan: String,
}

impl StepBody {
    pub fn fields(&self) -> StepFields {
        StepFields {
            at: self.at.clone(),
            means: self.means.clone(),
            outcome: self.outcome.clone(),
            plan: self.plan.clone(),
        }
    }
}

/// A notice as the API gives it: the person by name and birth date from the registering
/// organisation's register (never the identity number).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OverdoseDoc {
    pub id: i64,
    /// `open`, `attempted`, `closed`.
    pub status: String,
    pub reporter: String,
    pub municipality: String,
    pub kommune: String,
    pub person_name: String,
    pub birth_date: Option<String>,
    pub occurred_at: String,
    /// `ambulance` or `emergency_ward`.
    pub service: String,
    /// `person` or `guardian`.
    pub consent_by: String,
    pub guardian_name: Option<String>,
    /// The consent the municipality reads the notice by.
    pub consent: i64,
    pub consent_until: String,
    pub note: Option<String>,
    /// Hours left of the risk week (7 days from the overdose) while open; negative: overdue.
    pub hours_left: Option<i64>,
    pub overdue: bool,
    pub attempts: Vec<AttemptDoc>,
    pub outcome: Option<String>,
    pub plan: Option<i64>,
    pub closed_at: Option<String>,
    pub version: i64,
}

/// A contact attempt.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AttemptDoc {
    pub at: String,
    pub means: String,
}

fn minute(t: jiff::civil::DateTime) -> String {
    t.strftime("%Y-%m-%dT%H:%M").to_string()
}

/// The JSON of a notice at `state`'s time.
pub fn doc(state: &AppState, n: &StoredOverdose) -> OverdoseDoc {
    let now = time_in_oslo(state.clock.now());
    let r = &n.notice.register;
    let hours = n.notice.hours_left(now);
    OverdoseDoc {
        id: n.id,
        status: n.notice.status().as_str().to_owned(),
        reporter: n.reporter_name.clone(),
        municipality: n.municipality_name.clone(),
        kommune: n.kommune.clone(),
        person_name: n.person_name.clone(),
        birth_date: n.birth_date.clone(),
        occurred_at: minute(r.occurred_at),
        service: r.service.as_str().to_owned(),
        consent_by: match r.consent_by {
            ConsentBy::Person => "person".into(),
            ConsentBy::Guardian { .. } => "guardian".into(),
        },
        guardian_name: match &r.consent_by {
            ConsentBy::Guardian { name } => Some(name.clone()),
            ConsentBy::Person => None,
        },
        consent: n.consent_id,
        consent_until: r.consent_until.to_string(),
        note: r.note.clone(),
        hours_left: hours,
        overdue: hours.is_some_and(|h| h < 0),
        attempts: n
            .notice
            .attempts
            .iter()
            .map(|a| AttemptDoc {
                at: minute(a.at),
                means: a.means.as_str().to_owned(),
            })
            .collect(),
        outcome: n.notice.outcome.map(|o| o.as_str().to_owned()),
        plan: n.notice.plan,
        closed_at: n.notice.closed_at.map(minute),
        version: n.version,
    }
}

/// Where an overdose notice is reached from a webhook.
const HOOK: Hook = Hook {
    path: "overdose",
    key: "overdose_notice",
};

/// The municipality that follows up: the one chosen (an organisation of kind municipality),
/// or the one of the person's municipality of residence. Its id and municipality number.
async fn municipality_of(
    state: &AppState,
    chosen: Option<i64>,
    residence: Option<&str>,
    errors: &mut Vec<FieldError>,
) -> Result<Option<(OrgId, String)>, WebError> {
    let is_municipality = |kind: &str| kind == OrgKind::Municipality.as_str();
    if let Some(id) = chosen {
        let found = match state.store.org(OrgId(id)).await {
            Ok(o) => Some(o),
            Err(StoreError::NotFound) => None,
            Err(e) => return Err(e.into()),
        };
        return Ok(
            match found.filter(|o| is_municipality(&o.kind) && o.kommunenummer.is_some()) {
                Some(o) => Some((o.id, o.kommunenummer.unwrap_or_default())),
                None => {
                    errors.push(FieldError::new("municipality", "a municipality in Varde"));
                    None
                }
            },
        );
    }
    let Some(k) = residence else {
        errors.push(FieldError::new(
            "municipality",
            "the person has no municipality of residence in the register: choose one",
        ));
        return Ok(None);
    };
    Ok(
        match state
            .store
            .org_by_key(k)
            .await?
            .filter(|o| is_municipality(&o.kind))
        {
            Some(m) => Some((m.id, k.to_owned())),
            None => {
                errors.push(FieldError::new(
                    "municipality",
                    "no municipality in Varde has the person's municipality number: choose one",
                ));
                None
            }
        },
    )
}

/// Registers a notice about `body.person` (of the user's organisation's register) with the
/// consent to the municipality's follow-up. Its id.
pub async fn register(
    state: &AppState,
    access: &OrgAccess<RegisterOverdose>,
    body: &RegisterBody,
) -> Result<i64, WebError> {
    let now = time_in_oslo(state.clock.now());
    let today = state.clock.today();
    let mut errors = Vec::new();
    let person = state
        .store
        .overdose_person(body.person)
        .await?
        .filter(|(org, ..)| *org == access.org());
    let Some((_, pseudonym, residence, birth)) = person else {
        errors.push(FieldError::new(
            "person",
            "no person with this id in the register",
        ));
        // The other fields' rules too, at once.
        if let Err(mut e) = body.fields().check(None, now) {
            errors.append(&mut e);
        }
        return Err(WebError::invalid_fields(errors));
    };
    let birth = birth.and_then(|b| b.parse::<jiff::civil::Date>().ok());
    let target =
        municipality_of(state, body.municipality, residence.as_deref(), &mut errors).await?;
    let checked = body
        .fields()
        .check(birth, now)
        .map_err(|mut e| errors.append(&mut e))
        .ok();
    let (Some((municipality, kommune)), Some(register)) = (target, checked) else {
        return Err(WebError::invalid_fields(errors));
    };
    let consent = NewConsent {
        scope: Scope::OverdoseNotice,
        grantee: Grantee::Org(municipality.0),
        purpose: PURPOSE.to_owned(),
        valid_from: register.occurred_at.date(),
        valid_until: register.consent_until,
        given_how: register.given_how,
    };
    let csv = monitoring_row(&register, &kommune, birth);
    let parsed = sources::parse(Source::Overdoses, &mut csv.as_bytes(), today);
    let Some(record) = parsed.records.into_iter().next() else {
        // The monitoring's rules refuse the municipality number (the only field that
        // comes from outside the checked registration).
        let rule = parsed
            .refused
            .into_iter()
            .next()
            .map_or_else(|| "a municipality number".to_owned(), |e| e.rule);
        return Err(WebError::invalid("municipality", rule));
    };
    let notice = Notice::new(register);
    let mut entry = access.access(state, &pseudonym, String::new());
    entry.owner_org_id = access.org().0;
    let key =
        |id: i64| monitoring_batch_key(Source::Overdoses, &format!("coordination-overdose-{id}"));
    let make = |id: i64| message(state, &HOOK, id, "coordination.overdose.registered", "open");
    let (id, _) = state
        .store
        .overdose_register(&OverdoseRegister {
            reporter_org: access.org(),
            municipality_org: municipality,
            kommune: &kommune,
            person_id: body.person,
            pseudonym: &pseudonym,
            notice: &notice,
            consent: &consent,
            monitoring: &record,
            batch_key: &key,
            actor_id: access.principal.user.0,
            at: state.clock.now(),
            access: &entry,
            message: &make,
        })
        .await?;
    state.warnings.wake.notify_one();
    // The monitoring's series of the week: the aberration detection sees the row.
    if let Err(e) = crate::monitoring::series::reevaluate_batch(state, access.org(), &key(id)).await
    {
        tracing::warn!(error = ?e, "the overdose series could not be re-evaluated");
    }
    Ok(id)
}

/// Takes step `kind` (`attempt`, `close`) on a notice the user may read: decided as the
/// follow-up (the consent read again now), checked against the notice as stored and written
/// expecting its version (checked again, three tries).
pub async fn step(
    state: &AppState,
    access: &OverdoseAccess<ReadOverdose>,
    kind: &str,
    body: &StepBody,
) -> Result<Notice, WebError> {
    let action = Action::CoordinationOverdoseFollowUp;
    let (decision, entry) = decide_on(state, &access.principal, action, &access.notice).await?;
    if !decision.allowed {
        state.store.log_access(&entry).await?;
        return Err(WebError::denied(&decision));
    }
    let now = time_in_oslo(state.clock.now());
    let step = body
        .fields()
        .parse(kind, now)
        .map_err(|e| WebError::invalid_fields(vec![e]))?;
    if let Step::Close {
        plan: Some(plan), ..
    } = step
    {
        if !state
            .store
            .overdose_plan_matches(
                plan,
                access.notice.municipality_org,
                &access.notice.pseudonym,
            )
            .await?
        {
            return Err(WebError::invalid(
                "plan",
                "a coordination plan of the person in the municipality",
            ));
        }
    }
    take_step(
        state,
        &HOOK,
        access.notice.id,
        &access.principal,
        &entry,
        &step,
        |notice: Notice| {
            notice.check(&step, now)?;
            Ok(notice.apply(&step))
        },
    )
    .await
}

/// One notice, read with its access entry (naming the consent on the municipality's side).
pub async fn read(
    state: &AppState,
    access: &OverdoseAccess<ReadOverdose>,
) -> Result<StoredOverdose, WebError> {
    Ok(state
        .store
        .overdose_read_logged(access.notice.id, &access.access)
        .await?)
}

/// The notices on the user's list: a municipality's follow-up worklist (the notices addressed
/// to it whose consent is in force today), or the notices an ambulance service or emergency
/// ward registered. Each read is logged.
pub async fn list(
    state: &AppState,
    access: &OrgAccess<ReadOverdose>,
) -> Result<Vec<StoredOverdose>, WebError> {
    let list = if access.principal.org_kind == Some(OrgKind::Municipality) {
        OverdoseList::AddressedTo
    } else {
        OverdoseList::RegisteredBy
    };
    list_of(state, access, list).await
}

/// The notices a municipality (its legevakt) registered for follow-up by another
/// municipality; none for other organisations (their own registrations are [`list`]). Each
/// read is logged, as a read of the organisation's own notice.
pub async fn sent(
    state: &AppState,
    access: &OrgAccess<ReadOverdose>,
) -> Result<Vec<StoredOverdose>, WebError> {
    if access.principal.org_kind != Some(OrgKind::Municipality) {
        return Ok(Vec::new());
    }
    list_of(state, access, OverdoseList::SentElsewhere).await
}

async fn list_of(
    state: &AppState,
    access: &OrgAccess<ReadOverdose>,
    list: OverdoseList,
) -> Result<Vec<StoredOverdose>, WebError> {
    let p = &access.principal;
    let log = |n: &StoredOverdose, pseudonym: &str| {
        let r = OverdoseRef {
            id: n.id,
            reporter_org: n.reporter_org,
            municipality_org: n.municipality_org,
            pseudonym: pseudonym.to_owned(),
            consent_id: n.consent_id,
        };
        // The store's worklist holds only the notices whose consent is in force today; the
        // other lists hold the organisation's own registrations.
        let s = super::access::subject(p, &r, true);
        let d = decide(p, Action::CoordinationOverdoseRead, &s, None);
        let purpose = crate::coordination::access::purpose_of(&d, &s, None);
        super::access::entry(state, p, Action::CoordinationOverdoseRead, &r, &d, &purpose)
    };
    Ok(state
        .store
        .overdose_list_logged(p.org, list, state.clock.today(), LIST_MAX, &log)
        .await?)
}

/// Whether `p` registers overdoses (a health trust's or municipality's clinician) — a pure
/// check for a page's links.
pub fn may_register(p: &Principal) -> bool {
    decide(
        p,
        Action::CoordinationOverdoseWrite,
        &Subject::of_org(p.org),
        None,
    )
    .allowed
}
