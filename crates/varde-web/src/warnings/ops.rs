//! The warnings' operations, one function per command, called by the pages and the API alike:
//! each parses its input with the core's rules, writes through
//! [`varde_store::Store::warnings_write`] (which checks the step again in its transaction,
//! writes the outbox rows of a publication and logs the access), then wakes the delivery
//! worker and drops the public cache of this server.

use axum::http::StatusCode;
use jiff::Timestamp;
use serde::Deserialize;
use utoipa::ToSchema;
use varde_core::fields::FieldError;
use varde_core::warnings::cap::{self, CapConfig};
use varde_core::warnings::draft::{self, DraftInput};
use varde_core::warnings::{subscriber_matches, Actor, Area, Event, Refusal, Severity, Warning};
use varde_store::{NewDelivery, NewWebhook, WarningWrite, Webhook};

use super::docs::WarningDoc;
use crate::authz::{ActionKind, ApproveWarnings, DraftWarnings, ManageWebhooks, OrgAccess};
use crate::error::WebError;
use crate::AppState;

fn refusal(r: Refusal) -> WebError {
    match r {
        Refusal::OwnVersion => {
            WebError::invalid("approver", r.to_string()).with_status(StatusCode::FORBIDDEN)
        }
        Refusal::State(f) => WebError::invalid(&f.field, f.rule).with_status(StatusCode::CONFLICT),
    }
}

fn actor<A: ActionKind>(access: &OrgAccess<A>) -> Actor {
    Actor {
        id: access.principal.user.0,
        name: access.principal.username.clone(),
    }
}

/// A new warning's id: `OVS-` and 10 characters of Crockford's base 32 (50 random bits).
fn mint_id() -> String {
    varde_core::ids::crockford("OVS-", rand::random::<u64>() >> 14, 10)
}

/// What a subscriber is sent for the state `w` is in after a publication or cancellation.
/// Drills are not sent (a receiver might pass them on to the public).
pub(crate) fn delivery_for(
    cfg: &CapConfig,
    w: &Warning,
    hook: &Webhook,
    at: Timestamp,
) -> Option<NewDelivery> {
    let published = w.published()?;
    if published.content.exercise {
        return None;
    }
    let areas: Vec<Area> = hook
        .areas
        .iter()
        .filter_map(|a| Area::parse("areas", a).ok())
        .collect();
    let min = hook
        .min_severity
        .as_deref()
        .and_then(|s| Severity::parse("min_severity", s).ok());
    if !subscriber_matches(&areas, min, &published.content) {
        return None;
    }
    let (event_type, tag, xml) = if w.cancelled.is_some() {
        (
            "warning.cancelled",
            "cancel".to_owned(),
            cap::cancel(cfg, w)?,
        )
    } else if w.approved_versions().count() > 1 {
        (
            "warning.updated",
            format!("v{}", published.number),
            cap::alert(cfg, w, published.number)?,
        )
    } else {
        (
            "warning.published",
            format!("v{}", published.number),
            cap::alert(cfg, w, published.number)?,
        )
    };
    let message_id = format!("msg_{}_{}_{}", w.id, tag, hook.id);
    let (content_type, body) = if hook.format == "cap" {
        ("application/cap+xml", xml)
    } else {
        let doc = WarningDoc::of(cfg, w, published, at);
        let envelope = serde_json::json!({
            "type": event_type,
            "timestamp": cap::oslo(at),
            "data": { "warning": doc, "cap_xml": xml },
        });
        ("application/json", envelope.to_string())
    };
    Some(NewDelivery {
        message_id,
        version: published.number,
        event_type: event_type.to_owned(),
        content_type: content_type.to_owned(),
        body,
    })
}

/// Writes `event` on warning `id` for the holder of `access`.
async fn write<A: ActionKind>(
    state: &AppState,
    access: &OrgAccess<A>,
    id: &str,
    event: Event,
) -> Result<Warning, WebError> {
    let cfg = super::cap_config(state);
    let at = state.clock.now();
    let entry = access.access(state, "", format!("warning:{id}"));
    let by = actor(access);
    let written = state
        .store
        .warnings_write(
            WarningWrite {
                id,
                event: &event,
                actor: &by,
                org_id: access.org().0,
                at,
                access: &entry,
            },
            |w, hook| delivery_for(&cfg, w, hook, at),
        )
        .await?
        .map_err(refusal)?;
    state.warnings.public.invalidate();
    if matches!(event, Event::Approved { .. } | Event::Cancelled { .. }) {
        state.warnings.wake.notify_one();
    }
    Ok(written)
}

/// Drafts a new warning (version 1).
pub async fn draft(
    state: &AppState,
    access: &OrgAccess<DraftWarnings>,
    input: &DraftInput,
) -> Result<Warning, WebError> {
    let content = draft::parse(input, state.clock.now()).map_err(WebError::invalid_fields)?;
    let event = Event::Drafted {
        version: 1,
        content: Box::new(content),
    };
    // A minted id is new; on the 2^-50 chance it is not, the write refuses and we mint again.
    for _ in 0..3 {
        match write(state, access, &mint_id(), event.clone()).await {
            Err(e) if e.status == StatusCode::CONFLICT => continue,
            other => return other,
        }
    }
    Err(WebError::internal("could not mint a new warning id"))
}

/// Drafts a new version of warning `id`, to supersede the published one once approved.
pub async fn new_version(
    state: &AppState,
    access: &OrgAccess<DraftWarnings>,
    id: &str,
    input: &DraftInput,
) -> Result<Warning, WebError> {
    let w = load(state, id).await?;
    let version = w.check_draft().map_err(refusal)?;
    let content = draft::parse(input, state.clock.now()).map_err(WebError::invalid_fields)?;
    write(
        state,
        access,
        id,
        Event::Drafted {
            version,
            content: Box::new(content),
        },
    )
    .await
}

/// Approves (and so publishes) the version waiting for approval; `version`, when given, must
/// be that one.
pub async fn approve(
    state: &AppState,
    access: &OrgAccess<ApproveWarnings>,
    id: &str,
    version: Option<u32>,
) -> Result<Warning, WebError> {
    let w = load(state, id).await?;
    let pending = w.pending().map(|v| v.number);
    let version = version.or(pending).ok_or_else(|| {
        WebError::invalid("version", "no version waits for approval")
            .with_status(StatusCode::CONFLICT)
    })?;
    write(state, access, id, Event::Approved { version }).await
}

/// The longest cancellation reason.
pub const REASON_MAX: usize = 1000;

/// Cancels warning `id` with a reason.
pub async fn cancel(
    state: &AppState,
    access: &OrgAccess<ApproveWarnings>,
    id: &str,
    reason: &str,
) -> Result<Warning, WebError> {
    load(state, id).await?;
    let reason = varde_core::fields::opt_text("reason", reason, REASON_MAX)?
        .ok_or_else(|| WebError::invalid("reason", "must not be empty"))?;
    if varde_core::fields::holds_national_id(&reason) {
        return Err(WebError::invalid(
            "reason",
            "must not hold a national identity number",
        ));
    }
    write(state, access, id, Event::Cancelled { reason }).await
}

/// Warning `id`, or 404.
pub async fn load(state: &AppState, id: &str) -> Result<Warning, WebError> {
    if varde_core::fields::path_id("id", id).is_err() {
        return Err(WebError::not_found());
    }
    state
        .store
        .warning(id)
        .await?
        .ok_or_else(WebError::not_found)
}

/// A subscriber as the admin registers it.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct WebhookInput {
    /// Where to POST: `http://` or `https://`, not this server.
    pub url: String,
    /// Area codes (`0301`, `county:46`, `national`); empty or absent: every area.
    pub areas: Vec<String>,
    /// The least severity sent (`extreme` … `minor`); absent: every severity.
    pub min_severity: Option<String>,
    /// `json` (default: a JSON envelope holding the warning and its CAP document) or `cap`
    /// (the CAP XML itself).
    pub format: Option<String>,
}

/// The longest subscriber URL.
pub const URL_MAX: usize = 2000;

pub(crate) fn check_url(state: &AppState, v: &str) -> Result<String, FieldError> {
    let v = v.trim();
    let bad = |rule: &str| FieldError::new("url", rule.to_owned());
    if v.is_empty() {
        return Err(bad("must not be empty"));
    }
    if v.chars().count() > URL_MAX {
        return Err(FieldError::new(
            "url",
            format!("at most {URL_MAX} characters"),
        ));
    }
    let url = reqwest::Url::parse(v).map_err(|_| bad("an http:// or https:// address"))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(bad("an http:// or https:// address"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(bad("must not carry a user name or password"));
    }
    let port = url.port_or_known_default();
    let host = url.host_str().unwrap_or("").trim_matches(['[', ']']);
    let loopback = host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback() || ip.is_unspecified());
    let own = state.warnings.own_addrs();
    let points_here = own.iter().any(|a| {
        Some(a.port()) == port
            && (loopback
                || host
                    .parse::<std::net::IpAddr>()
                    .is_ok_and(|ip| ip == a.ip()))
    }) || reqwest::Url::parse(&state.config.public_url).is_ok_and(|p| {
        p.host_str().is_some_and(|h| h.eq_ignore_ascii_case(host))
            && p.port_or_known_default() == port
    });
    if points_here {
        return Err(bad("must not point at this server"));
    }
    Ok(url.to_string())
}

/// Registers a subscriber; its id and its secret (shown this once).
pub async fn register_webhook(
    state: &AppState,
    access: &OrgAccess<ManageWebhooks>,
    input: &WebhookInput,
) -> Result<(i64, String), WebError> {
    let mut errors = Vec::new();
    let url = check_url(state, &input.url)
        .map_err(|e| errors.push(e))
        .ok();
    let mut areas = Vec::new();
    for a in input.areas.iter().filter(|a| !a.trim().is_empty()) {
        match Area::parse("areas", a) {
            Ok(area) if !areas.contains(&area.code()) => areas.push(area.code()),
            Ok(_) => {}
            Err(e) => errors.push(e),
        }
    }
    let min_severity = match input.min_severity.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(s) => Severity::parse("min_severity", s)
            .map_err(|e| errors.push(e))
            .ok()
            .map(|s| s.as_str().to_owned()),
    };
    let format = match input.format.as_deref().map(str::trim) {
        None | Some("") | Some("json") => "json",
        Some("cap") => "cap",
        Some(_) => {
            errors.push(FieldError::new("format", "one of json, cap"));
            "json"
        }
    };
    let Some(url) = url.filter(|_| errors.is_empty()) else {
        return Err(WebError::invalid_fields(errors));
    };
    let mut random = [0u8; 32];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut random);
    let secret = varde_core::warnings::signature::secret_from_bytes(&random);
    let id = state
        .store
        .webhook_create(&NewWebhook {
            url,
            areas,
            min_severity,
            format: format.to_owned(),
            secret: secret.clone(),
            created_by: access.principal.user.0,
            created_at: state.clock.now().to_string(),
        })
        .await?;
    access.log(state, format!("webhook:{id}")).await?;
    Ok((id, secret))
}

/// Sends a delivery again (the admin's resend).
pub async fn resend(
    state: &AppState,
    access: &OrgAccess<ManageWebhooks>,
    delivery: i64,
) -> Result<(), WebError> {
    if !state
        .store
        .delivery_resend(delivery, state.clock.now().as_millisecond())
        .await?
    {
        return Err(if state.store.delivery(delivery).await?.is_none() {
            WebError::not_found()
        } else {
            WebError::invalid(
                "delivery",
                "is being delivered right now, or its subscriber is removed",
            )
            .with_status(StatusCode::CONFLICT)
        });
    }
    access.log(state, format!("delivery:{delivery}")).await?;
    state.warnings.wake.notify_one();
    Ok(())
}
