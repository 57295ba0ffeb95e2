//! What the two notices between organisations share on the web side (the store's half is
//! `varde_store::coordination::notices`): the webhook message of a step, and taking a step —
//! checked against the notice as stored, written expecting the version read, three tries when
//! another step came first — then waking the outbox.

use varde_core::fields::FieldError;
use varde_core::org::Principal;
use varde_store::{NewAccess, NoticeKind, NoticeMessage, NoticeStep, StoreError};

use crate::error::WebError;
use crate::AppState;

/// Where a kind of notice is reached: its API path segment and its key in a webhook body.
pub struct Hook {
    /// `/api/v1/coordination/{path}/{id}`.
    pub path: &'static str,
    /// The key naming the notice's id in a webhook body's `data`.
    pub key: &'static str,
}

/// A webhook body: the notice and its step, never the person (the subscriber reads the notice
/// through the API, decided and logged).
pub fn message(
    state: &AppState,
    hook: &Hook,
    id: i64,
    event_type: &str,
    status: &str,
) -> NoticeMessage {
    let now = state.clock.now();
    let base = state.config.public_url.trim_end_matches('/');
    let mut data = serde_json::Map::new();
    data.insert(hook.key.to_owned(), id.into());
    data.insert("status".to_owned(), status.into());
    data.insert(
        "url".to_owned(),
        format!("{base}/api/v1/coordination/{}/{id}", hook.path).into(),
    );
    let body = serde_json::json!({
        "type": event_type,
        "timestamp": now.to_string(),
        "data": data,
    });
    NoticeMessage {
        message_base: format!(
            "msg_{}_{id}_{}_{}",
            hook.path,
            now.as_millisecond(),
            crate::auth::random_token().get(..8).unwrap_or("")
        ),
        event_type: event_type.to_owned(),
        body: body.to_string(),
    }
}

/// Takes `step` on notice `id` for `principal` (already decided, `entry` its access entry):
/// `check_apply` checks it against the notice as stored and gives the notice after it; the
/// write expects the version read, and is tried again (three tries in all) when another step
/// came first. The notice after the step.
pub async fn take_step<N: NoticeKind>(
    state: &AppState,
    hook: &Hook,
    id: i64,
    principal: &Principal,
    entry: &NewAccess,
    step: &N::Step,
    check_apply: impl Fn(N) -> Result<N, FieldError>,
) -> Result<N, WebError> {
    for attempt in 0..3 {
        let (notice, version) = state.store.notice_state::<N>(id).await?;
        let after = check_apply(notice).map_err(|e| WebError::invalid_fields(vec![e]))?;
        let m = message(state, hook, id, N::step_kind(step), after.status());
        match state
            .store
            .notice_step(&NoticeStep {
                id,
                expected_version: version,
                step,
                after: &after,
                actor_id: principal.user.0,
                actor_org: principal.org,
                at: state.clock.now(),
                access: entry,
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
