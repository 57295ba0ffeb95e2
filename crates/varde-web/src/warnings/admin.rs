//! The system admin's pages: the subscribers (`/warnings/webhooks`, with the register form,
//! whose answer shows the new secret once), one subscriber with its latest deliveries and their
//! attempts (`/warnings/webhooks/{id}`), resending a delivery and removing a subscriber.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;
use varde_core::warnings::Severity;
use varde_store::{Attempt, Delivery, Webhook};

use super::ops::{self, WebhookInput};
use super::pages::when;
use crate::authz::{ManageWebhooks, OrgAccess};
use crate::error::WebError;
use crate::forms::{finish, render, CsrfForm, FormError, NoFields, PageResult};
use crate::i18n::Lang;
use crate::shell::{Chrome, Page};
use crate::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/warnings/webhooks", get(list).post(register))
        .route("/warnings/webhooks/{id}", get(one))
        .route("/warnings/webhooks/{id}/remove", post(remove))
        .route("/warnings/webhooks/deliveries/{id}/resend", post(resend))
}

fn ms(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms).map_or_else(|_| ms.to_string(), when)
}

/// The register form as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct HookForm {
    url: String,
    /// Area codes separated by commas or spaces.
    areas: String,
    min_severity: String,
    format: String,
}

impl HookForm {
    fn input(&self) -> WebhookInput {
        WebhookInput {
            url: self.url.clone(),
            areas: self
                .areas
                .split(|c: char| c == ',' || c.is_whitespace())
                .filter(|a| !a.is_empty())
                .map(str::to_owned)
                .collect(),
            min_severity: Some(self.min_severity.clone()),
            format: Some(self.format.clone()),
        }
    }
}

struct HookRow {
    id: i64,
    url: String,
    areas: String,
    min_severity: &'static str,
    format: String,
    active: bool,
    failing: bool,
    consecutive_failures: i64,
}

fn hook_row(h: &Webhook, l: Lang) -> HookRow {
    HookRow {
        id: h.id,
        url: h.url.clone(),
        areas: if h.areas.is_empty() {
            l.t("warnings.every_area").to_owned()
        } else {
            h.areas.join(", ")
        },
        min_severity: h
            .min_severity
            .as_deref()
            .and_then(|s| Severity::parse("min_severity", s).ok())
            .map_or(l.t("warnings.every_severity"), |s| {
                l.t_in("warnings.severity", s.as_str())
            }),
        format: h.format.clone(),
        active: h.active,
        failing: h.failing,
        consecutive_failures: h.consecutive_failures,
    }
}

#[derive(Template)]
#[template(path = "warnings/webhooks.html")]
struct HooksT {
    c: Chrome,
    hooks: Vec<HookRow>,
    form: HookForm,
    error: FormError,
    /// The subscriber just registered and its secret (shown this once).
    created: Option<(i64, String)>,
    severities: Vec<(&'static str, &'static str)>,
    removed: bool,
}

async fn view(
    state: &AppState,
    c: Chrome,
    form: HookForm,
    error: FormError,
    created: Option<(i64, String)>,
    removed: bool,
) -> PageResult {
    let l = c.l;
    let hooks = state
        .store
        .webhooks()
        .await?
        .iter()
        .map(|h| hook_row(h, l))
        .collect();
    render(&HooksT {
        hooks,
        form,
        error,
        created,
        severities: Severity::ALL
            .iter()
            .map(|s| (s.as_str(), l.t_in("warnings.severity", s.as_str())))
            .collect(),
        removed,
        c,
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct DoneQuery {
    done: String,
}

/// `GET /warnings/webhooks`: the subscribers and the register form.
async fn list(
    State(state): State<AppState>,
    page: Page,
    _access: OrgAccess<ManageWebhooks>,
    Query(q): Query<DoneQuery>,
) -> PageResult {
    view(
        &state,
        page.c,
        HookForm::default(),
        FormError::default(),
        None,
        q.done == "removed",
    )
    .await
}

/// `POST /warnings/webhooks`: registers a subscriber. The answer is the page itself (not a
/// redirect): it shows the secret, once.
async fn register(
    State(state): State<AppState>,
    page: Page,
    access: OrgAccess<ManageWebhooks>,
    CsrfForm(form): CsrfForm<HookForm>,
) -> PageResult {
    let l = page.c.l;
    match ops::register_webhook(&state, &access, &form.input()).await {
        Ok(created) => {
            let mut res = view(
                &state,
                page.c,
                HookForm::default(),
                FormError::default(),
                Some(created),
                false,
            )
            .await?;
            res.headers_mut().insert(
                axum::http::header::CACHE_CONTROL,
                axum::http::HeaderValue::from_static("no-store"),
            );
            Ok(res)
        }
        Err(e) if e.is_mendable() => {
            let status = e.status;
            let mut res = view(&state, page.c, form, FormError::new(&e, l), None, false).await?;
            *res.status_mut() = status;
            Ok(res)
        }
        Err(e) => Err(e),
    }
}

struct DeliveryRow {
    d: Delivery,
    created: String,
    delivered: Option<String>,
    next: Option<String>,
    status: &'static str,
    attempts: Vec<AttemptRow>,
}

/// One attempt as shown: when, how long, the answer's status or the error, and which server.
struct AttemptRow {
    at: String,
    duration_ms: i64,
    status_code: Option<i64>,
    error: Option<String>,
    instance: String,
}

#[derive(Template)]
#[template(path = "warnings/webhook.html")]
struct HookT {
    c: Chrome,
    hook: HookRow,
    deliveries: Vec<DeliveryRow>,
    error: FormError,
    resent: Option<i64>,
}

fn attempt(a: Attempt) -> AttemptRow {
    AttemptRow {
        at: ms(a.at),
        duration_ms: a.duration_ms,
        status_code: a.status_code,
        error: a.error,
        instance: a.instance,
    }
}

async fn hook_view(
    state: &AppState,
    c: Chrome,
    id: i64,
    error: FormError,
    resent: Option<i64>,
) -> PageResult {
    let l = c.l;
    let hook = state
        .store
        .webhook(id)
        .await?
        .ok_or_else(WebError::not_found)?;
    let mut deliveries = Vec::new();
    for d in state.store.deliveries(Some(id), 100).await? {
        let attempts = state
            .store
            .delivery_attempts(d.id)
            .await?
            .into_iter()
            .map(attempt)
            .collect();
        deliveries.push(DeliveryRow {
            created: ms(d.created_at),
            delivered: d.delivered_at.map(ms),
            next: (d.status == "pending").then(|| ms(d.next_attempt_at)),
            status: l.t_in("warnings.delivery", &d.status),
            attempts,
            d,
        });
    }
    render(&HookT {
        hook: hook_row(&hook, l),
        deliveries,
        error,
        resent,
        c,
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ResentQuery {
    resent: Option<i64>,
}

/// `GET /warnings/webhooks/{id}`: a subscriber's latest deliveries and their attempts.
async fn one(
    State(state): State<AppState>,
    page: Page,
    _access: OrgAccess<ManageWebhooks>,
    Path(id): Path<i64>,
    Query(q): Query<ResentQuery>,
) -> PageResult {
    hook_view(&state, page.c, id, FormError::default(), q.resent).await
}

/// `POST /warnings/webhooks/{id}/remove`: nothing more is sent to the subscriber.
async fn remove(
    State(state): State<AppState>,
    _page: Page,
    access: OrgAccess<ManageWebhooks>,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> PageResult {
    if !state.store.webhook_deactivate(id).await? {
        return Err(WebError::not_found());
    }
    access.log(&state, format!("webhook:{id}")).await?;
    Ok(Redirect::to("/warnings/webhooks?done=removed").into_response())
}

/// `POST /warnings/webhooks/deliveries/{id}/resend`: sends a delivery again; back to its
/// subscriber's page.
async fn resend(
    State(state): State<AppState>,
    page: Page,
    access: OrgAccess<ManageWebhooks>,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> PageResult {
    let d = state
        .store
        .delivery(id)
        .await?
        .ok_or_else(WebError::not_found)?;
    let hook = d.webhook_id;
    let result = ops::resend(&state, &access, id).await;
    let l = page.c.l;
    finish(
        result,
        |()| format!("/warnings/webhooks/{hook}?resent={id}"),
        |e| hook_view(&state, page.c, hook, FormError::new(&e, l), None),
    )
    .await
}
