//! The detection rules as analysts see and change them: per source, on or off, the
//! `varde-signal` method with its parameters in R syntax, and the short-history method. A
//! change is checked by `varde-signal` (a refusal names the parameter), stored as an event in
//! `monitoring:rules` with its author and an access entry, and re-evaluates the source's
//! series. The page `/monitoring/rules` and the API `GET /api/v1/monitoring/rules`,
//! `GET`/`PUT /api/v1/monitoring/rules/{source}` call the same operation.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};
use varde_core::authz::{decide, Action, Subject};
use varde_core::monitoring::rules::{split_params, MethodSpec, Rule};
use varde_core::monitoring::series::Source;
use varde_store::StoredRule;

use super::series;
use crate::api::ApiJson;
use crate::authz::{OrgAccess, ReadMonitoring, WorkSignals};
use crate::error::{Problem, WebError};
use crate::forms::{finish, render, CsrfForm, FormError, PageResult};
use crate::shell::{Chrome, Page};
use crate::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/monitoring/rules", get(page))
        .route("/monitoring/rules/{source}", post(save))
}

pub(super) fn api_routes() -> Router<AppState> {
    Router::new()
        .route("/monitoring/rules", get(list))
        .route("/monitoring/rules/{source}", get(one).put(put))
}

#[derive(OpenApi)]
#[openapi(paths(list, one, put), components(schemas(RuleDoc, RuleBody)))]
pub(super) struct ApiDoc;

/// A source's detection rule.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RuleDoc {
    /// `overdoses`, `seizures`, `syringe_residue`, `drugcheck` or `wastewater`.
    pub source: String,
    /// Off: the series are counted and shown, never evaluated.
    pub enabled: bool,
    /// The `varde-signal` method: `farrington-flexible`, `farrington`, `ears-c1`…`ears-c3`,
    /// `cusum`, `glr-poisson`.
    pub method: String,
    /// Its parameters in R syntax, `name=value`.
    pub params: Vec<String>,
    /// The method used while a series is too young for `method` (none: no threshold then).
    pub fallback_method: Option<String>,
    pub fallback_params: Vec<String>,
    /// 0: the documented default, never changed.
    pub version: i64,
    pub changed_by: Option<String>,
    pub changed_at: Option<String>,
}

impl RuleDoc {
    fn of(r: &StoredRule) -> RuleDoc {
        RuleDoc {
            source: r.rule.source.as_str().to_owned(),
            enabled: r.rule.enabled,
            method: r.rule.main.method.clone(),
            params: r.rule.main.params.clone(),
            fallback_method: r.rule.fallback.as_ref().map(|f| f.method.clone()),
            fallback_params: r
                .rule
                .fallback
                .as_ref()
                .map(|f| f.params.clone())
                .unwrap_or_default(),
            version: r.version,
            changed_by: r.changed_by.clone(),
            changed_at: r.changed_at.clone(),
        }
    }
}

/// A rule to set.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleBody {
    pub enabled: bool,
    pub method: String,
    #[serde(default)]
    pub params: Vec<String>,
    /// Empty or absent: no short-history method.
    #[serde(default)]
    pub fallback_method: Option<String>,
    #[serde(default)]
    pub fallback_params: Vec<String>,
}

fn source_of(v: &str) -> Result<Source, WebError> {
    Source::parse("source", v).map_err(|_| WebError::not_found())
}

/// Sets the rule of `source` as the holder of `access` and re-evaluates the source's series;
/// the rule as stored.
pub async fn set(
    state: &AppState,
    access: &OrgAccess<WorkSignals>,
    source: Source,
    body: RuleBody,
) -> Result<StoredRule, WebError> {
    let rule = Rule {
        source,
        enabled: body.enabled,
        main: MethodSpec {
            method: body.method.trim().to_owned(),
            params: body
                .params
                .iter()
                .map(|p| p.trim().to_owned())
                .filter(|p| !p.is_empty())
                .collect(),
        },
        fallback: body
            .fallback_method
            .as_deref()
            .map(str::trim)
            .filter(|m| !m.is_empty())
            .map(|m| MethodSpec {
                method: m.to_owned(),
                params: body
                    .fallback_params
                    .iter()
                    .map(|p| p.trim().to_owned())
                    .filter(|p| !p.is_empty())
                    .collect(),
            }),
    };
    rule.compile()
        .map_err(|e| WebError::invalid_fields(vec![e]))?;
    let entry = access.access(state, "", format!("monitoring:rule:{}", source.as_str()));
    state
        .store
        .monitoring_rule_set(
            &rule,
            access.principal.user.0,
            access.org().0,
            state.clock.now(),
            &entry,
        )
        .await?;
    series::reevaluate_source(state, source, None).await?;
    series::rule_of(state, source).await
}

/// Every source's detection rule.
#[utoipa::path(get, path = "/api/v1/monitoring/rules",
    responses((status = 200, body = [RuleDoc]), (status = 403, body = Problem)))]
async fn list(
    State(state): State<AppState>,
    _access: OrgAccess<ReadMonitoring>,
) -> Result<Response, WebError> {
    let rules: Vec<RuleDoc> = state
        .store
        .monitoring_rules()
        .await?
        .iter()
        .map(RuleDoc::of)
        .collect();
    Ok(axum::Json(rules).into_response())
}

/// One source's detection rule.
#[utoipa::path(get, path = "/api/v1/monitoring/rules/{source}", params(("source" = String, Path)),
    responses((status = 200, body = RuleDoc), (status = 404, body = Problem), (status = 403, body = Problem)))]
async fn one(
    State(state): State<AppState>,
    _access: OrgAccess<ReadMonitoring>,
    Path(source): Path<String>,
) -> Result<Response, WebError> {
    let r = series::rule_of(&state, source_of(&source)?).await?;
    Ok(axum::Json(RuleDoc::of(&r)).into_response())
}

/// Sets a source's detection rule (checked: an unknown method or parameter, or a value out of
/// its range, is refused naming it); the source's series are evaluated again with it.
#[utoipa::path(put, path = "/api/v1/monitoring/rules/{source}", params(("source" = String, Path)), request_body = RuleBody,
    responses((status = 200, body = RuleDoc), (status = 422, body = Problem), (status = 404, body = Problem), (status = 403, body = Problem)))]
async fn put(
    State(state): State<AppState>,
    access: OrgAccess<WorkSignals>,
    Path(source): Path<String>,
    ApiJson(body): ApiJson<RuleBody>,
) -> Result<Response, WebError> {
    let r = set(&state, &access, source_of(&source)?, body).await?;
    Ok(axum::Json(RuleDoc::of(&r)).into_response())
}

/// One rule's form on the page, as stored or as typed.
struct RuleForm {
    source: String,
    version: i64,
    changed_by: String,
    changed_at: String,
    enabled: bool,
    method: String,
    params: String,
    fallback_method: String,
    fallback_params: String,
    error: FormError,
}

impl RuleForm {
    fn of(r: &StoredRule) -> RuleForm {
        let d = RuleDoc::of(r);
        RuleForm {
            source: d.source,
            version: d.version,
            changed_by: d.changed_by.unwrap_or_default(),
            changed_at: d.changed_at.unwrap_or_default(),
            enabled: d.enabled,
            method: d.method,
            params: d.params.join("\n"),
            fallback_method: d.fallback_method.unwrap_or_default(),
            fallback_params: d.fallback_params.join("\n"),
            error: FormError::default(),
        }
    }
}

#[derive(Template)]
#[template(path = "monitoring/rules.html")]
struct RulesT {
    c: Chrome,
    rules: Vec<RuleForm>,
    methods: Vec<&'static str>,
    may_work: bool,
    done: bool,
}

async fn view(
    state: &AppState,
    c: Chrome,
    may_work: bool,
    done: bool,
    typed: Option<RuleForm>,
) -> PageResult {
    let mut rules: Vec<RuleForm> = state
        .store
        .monitoring_rules()
        .await?
        .iter()
        .map(RuleForm::of)
        .collect();
    if let Some(t) = typed {
        if let Some(r) = rules.iter_mut().find(|r| r.source == t.source) {
            *r = RuleForm {
                version: r.version,
                changed_by: r.changed_by.clone(),
                changed_at: r.changed_at.clone(),
                ..t
            };
        }
    }
    render(&RulesT {
        c,
        rules,
        methods: varde_signal_methods(),
        may_work,
        done,
    })
}

fn varde_signal_methods() -> Vec<&'static str> {
    vec![
        "farrington-flexible",
        "farrington",
        "ears-c1",
        "ears-c2",
        "ears-c3",
        "cusum",
        "glr-poisson",
    ]
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct DoneQuery {
    done: String,
}

/// `GET /monitoring/rules`.
async fn page(
    State(state): State<AppState>,
    page: Page,
    access: OrgAccess<ReadMonitoring>,
    Query(q): Query<DoneQuery>,
) -> PageResult {
    let p = &access.principal;
    let may_work = decide(p, Action::MonitoringWrite, &Subject::of_org(p.org), None).allowed;
    view(&state, page.c, may_work, q.done == "saved", None).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RuleFormBody {
    enabled: String,
    method: String,
    params: String,
    fallback_method: String,
    fallback_params: String,
}

/// `POST /monitoring/rules/{source}`: one rule's form.
async fn save(
    State(state): State<AppState>,
    page: Page,
    access: OrgAccess<WorkSignals>,
    Path(source): Path<String>,
    CsrfForm(form): CsrfForm<RuleFormBody>,
) -> PageResult {
    let source = source_of(&source)?;
    let body = RuleBody {
        enabled: form.enabled == "on",
        method: form.method.clone(),
        params: split_params(&form.params),
        fallback_method: Some(form.fallback_method.clone()),
        fallback_params: split_params(&form.fallback_params),
    };
    let result = set(&state, &access, source, body).await;
    let l = page.c.l;
    finish(
        result,
        |_| "/monitoring/rules?done=saved".to_owned(),
        |e| {
            let typed = RuleForm {
                source: source.as_str().to_owned(),
                version: 0,
                changed_by: String::new(),
                changed_at: String::new(),
                enabled: form.enabled == "on",
                method: form.method,
                params: form.params,
                fallback_method: form.fallback_method,
                fallback_params: form.fallback_params,
                error: FormError::new(&e, l),
            };
            view(&state, page.c, true, false, Some(typed))
        },
    )
    .await
}
