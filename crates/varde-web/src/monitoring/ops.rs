//! The monitoring area's operations, one function per command, called by the pages and the
//! API alike: a change of a signal (checked again by [`varde_store::Store::signal_change`] in
//! its transaction, which logs it with its author and the access entry) and a change of the
//! watchlist.

use axum::http::StatusCode;
use serde::Serialize;
use utoipa::ToSchema;
use varde_core::fields::FieldError;
use varde_core::monitoring::signals::{SignalChange, SignalStatus};
use varde_store::{Signal, StoreError};

use crate::authz::{OrgAccess, WorkSignals};
use crate::error::WebError;
use crate::i18n::Lang;
use crate::AppState;

/// The most signals read at once (the inbox and the API).
pub const LIMIT: i64 = 1000;

/// The longest reason for dismissing a signal.
pub const REASON_MAX: usize = 1000;

/// A signal as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SignalDoc {
    pub id: i64,
    /// `watchlist`, `aberration` or `purity`.
    pub kind: String,
    /// The source family: `drugcheck`, `seizures`, `overdoses`, …
    pub source: String,
    /// The substance's id in the reference list.
    pub substance: Option<String>,
    /// The substance's name in the request's language.
    pub substance_name: Option<String>,
    /// `0301`, `county:03` or `national`.
    pub area: String,
    /// ISO week, `2026-W48`.
    pub week: String,
    pub observed: f64,
    pub threshold: Option<f64>,
    /// What raised it.
    pub rule: String,
    pub detail: String,
    pub created_at: String,
    /// `new`, `acknowledged`, `linked` or `dismissed`.
    pub status: String,
    /// The signal it is linked into.
    pub linked_into: Option<i64>,
}

impl SignalDoc {
    pub fn of(s: &Signal, l: Lang) -> SignalDoc {
        SignalDoc {
            id: s.id,
            kind: s.kind.clone(),
            source: s.source.clone(),
            substance: s.substance.clone(),
            substance_name: s.substance.as_deref().map(|id| substance_name(id, l)),
            area: s.area.clone(),
            week: s.week.clone(),
            observed: s.observed,
            threshold: s.threshold,
            rule: s.rule.clone(),
            detail: s.detail.clone(),
            created_at: s.created_at.clone(),
            status: s.status.clone(),
            linked_into: s.linked_into,
        }
    }
}

/// A substance's name in the language (the id when the reference list does not know it).
pub fn substance_name(id: &str, l: Lang) -> String {
    varde_core::substances::get()
        .by_id(id)
        .map_or_else(|| id.to_owned(), |s| s.name(l.code()).to_owned())
}

/// An area code's name in the language (the code when the reference data does not know it).
pub fn area_name(code: &str, l: Lang) -> String {
    varde_core::warnings::Area::parse("area", code)
        .map_or_else(|_| code.to_owned(), |a| a.name(l.code()))
}

/// `?status=`: one of the inbox's states, or every signal.
pub fn parse_status(v: Option<&str>) -> Result<Option<SignalStatus>, WebError> {
    match v.map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => Ok(Some(SignalStatus::parse("status", v)?)),
    }
}

/// The signals with `status` (every one with `None`), newest first.
pub async fn list(state: &AppState, status: Option<SignalStatus>) -> Result<Vec<Signal>, WebError> {
    Ok(state
        .store
        .signals(status.map(SignalStatus::as_str), LIMIT)
        .await?)
}

/// A signal id from a path: a number, or 404.
pub fn parse_id(id: &str) -> Result<i64, WebError> {
    id.trim()
        .parse::<i64>()
        .ok()
        .filter(|i| *i > 0)
        .ok_or_else(WebError::not_found)
}

/// Signal `id`, or 404.
pub async fn load(state: &AppState, id: i64) -> Result<Signal, WebError> {
    state
        .store
        .signal(id)
        .await?
        .ok_or_else(WebError::not_found)
}

/// A refused change: 409 when the signal's (or the target's) state forbids it, 422 when the
/// input does.
fn refused(f: FieldError) -> WebError {
    let state = f.field == "status" || f.rule == "a signal can only be linked into an open one";
    let e = WebError::invalid(&f.field, f.rule);
    if state {
        e.with_status(StatusCode::CONFLICT)
    } else {
        e
    }
}

/// Changes signal `id` (acknowledge, link, dismiss) as the holder of `access`.
pub async fn change(
    state: &AppState,
    access: &OrgAccess<WorkSignals>,
    id: i64,
    change: SignalChange,
) -> Result<Signal, WebError> {
    let change = match change {
        SignalChange::Dismiss { reason } => {
            let reason = varde_core::fields::opt_text("reason", &reason, REASON_MAX)?
                .ok_or_else(|| WebError::invalid("reason", "must not be empty"))?;
            if varde_core::fields::holds_national_id(&reason) {
                return Err(WebError::invalid(
                    "reason",
                    "must not hold a national identity number",
                ));
            }
            SignalChange::Dismiss { reason }
        }
        other => other,
    };
    let entry = access.access(state, "", format!("signal:{id}"));
    match state
        .store
        .signal_change(
            id,
            &change,
            access.principal.user.0,
            access.org().0,
            state.clock.now(),
            &entry,
        )
        .await
    {
        Ok(Ok(s)) => Ok(s),
        Ok(Err(f)) => Err(refused(f)),
        Err(StoreError::NotFound) => Err(WebError::not_found()),
        Err(e) => Err(e.into()),
    }
}

/// A substance on the watchlist.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WatchEntry {
    /// The id in the reference list.
    pub id: String,
    pub name: String,
    /// `reference` (the reference list's high-risk flag) or `analyst` (put on by an analyst).
    pub source: String,
}

/// The substances on the watchlist, by name in the language.
pub async fn watchlist(state: &AppState, l: Lang) -> Result<Vec<WatchEntry>, WebError> {
    let w = state.store.watchlist().await?;
    let mut out: Vec<WatchEntry> = w
        .substances()
        .into_iter()
        .map(|s| WatchEntry {
            id: s.id.clone(),
            name: s.name(l.code()).to_owned(),
            source: if w.overrides.contains_key(&s.id) {
                "analyst"
            } else {
                "reference"
            }
            .to_owned(),
        })
        .collect();
    out.sort_by_key(|a| a.name.to_lowercase());
    Ok(out)
}

/// Puts the substance named `name` (resolved against the reference list) on the watchlist or
/// takes it off; the substance's id.
pub async fn watchlist_set(
    state: &AppState,
    access: &OrgAccess<WorkSignals>,
    name: &str,
    on_list: bool,
) -> Result<String, WebError> {
    let s = varde_core::substances::get().resolve("substance", name)?;
    let entry = access.access(state, "", format!("watchlist:{}", s.id));
    state
        .store
        .watchlist_set(
            &s.id,
            on_list,
            access.principal.user.0,
            access.org().0,
            state.clock.now(),
            &entry,
        )
        .await?;
    Ok(s.id.clone())
}
