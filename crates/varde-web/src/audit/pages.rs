//! The access-log page (`/audit`) and the person report form.

use askama::Template;
use axum::extract::{Query, State};
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;
use varde_core::audit::AccessEntry;
use varde_store::AccessFilter;

use crate::authz::{OrgAccess, PersonReport, ReadAudit};
use crate::forms::{render, CsrfForm, FormError, PageResult};
use crate::shell::{Chrome, Page};
use crate::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/audit", get(log))
        .route("/audit/person-report", post(report))
}

pub struct ChainView {
    pub ok: bool,
    pub count: u64,
}

#[derive(Template)]
#[template(path = "audit/log.html")]
struct AuditT {
    c: Chrome,
    heading: String,
    entries: Vec<AccessEntry>,
    chain: Option<ChainView>,
    show_filters: bool,
    flagged_only: bool,
    /// The person report's form: empty, or as typed after a refusal.
    form: ReportForm,
    error: FormError,
}

#[derive(Deserialize)]
struct AuditQuery {
    #[serde(default)]
    flagged: Option<String>,
}

async fn log(
    State(state): State<AppState>,
    page: Page,
    access: OrgAccess<ReadAudit>,
    Query(q): Query<AuditQuery>,
) -> PageResult {
    let flagged_only = q.flagged.is_some();
    log_page(
        &state,
        page,
        &access,
        flagged_only,
        ReportForm::default(),
        FormError::default(),
    )
    .await
}

/// The organisation's log, with the person report's form as given.
async fn log_page(
    state: &AppState,
    page: Page,
    access: &OrgAccess<ReadAudit>,
    flagged_only: bool,
    form: ReportForm,
    error: FormError,
) -> PageResult {
    let entries = state
        .store
        .access_log(&AccessFilter {
            org_id: Some(access.org().0),
            flagged_only,
            limit: 500,
            ..Default::default()
        })
        .await?;
    let chain = match state.store.verify_access_log().await? {
        Ok(n) => ChainView { ok: true, count: n },
        Err(b) => ChainView {
            ok: false,
            count: b.id as u64,
        },
    };
    let heading = page.c.l.t("audit").to_owned();
    render(&AuditT {
        c: page.c,
        heading,
        entries,
        chain: Some(chain),
        show_filters: true,
        flagged_only,
        form,
        error,
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ReportForm {
    national_id: String,
}

async fn report(
    State(state): State<AppState>,
    page: Page,
    access: OrgAccess<PersonReport>,
    CsrfForm(f): CsrfForm<ReportForm>,
) -> PageResult {
    let entries = match super::person_report(&state, &access, &f.national_id).await {
        Ok(entries) => entries,
        // The log again, the number as typed and the rule beside it.
        Err(e) if e.is_mendable() => {
            let read = OrgAccess::<ReadAudit>::decide(&state, page.user.principal.clone()).await?;
            let error = FormError::new(&e, page.c.l);
            let mut res = log_page(&state, page, &read, false, f, error).await?;
            *res.status_mut() = e.status;
            return Ok(res);
        }
        Err(e) => return Err(e),
    };
    let heading = page.c.l.t("audit.person_report").to_owned();
    render(&AuditT {
        c: page.c,
        heading,
        entries,
        chain: None,
        show_filters: false,
        flagged_only: false,
        form: f,
        error: FormError::default(),
    })
}
