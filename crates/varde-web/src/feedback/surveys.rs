//! User and relative surveys: an organisation's staff share a link per survey
//! (`POST /feedback/surveys/share`, shown on `/feedback/surveys`); anyone with the link answers
//! anonymously on `/s/{token}` (no login; the same rate limit as the feedback links); the
//! figures per organisation and year, with small cells suppressed
//! (`varde_core::feedback::surveys::publish`), are on `/feedback/surveys` (a chart of each
//! question's mean beside the table of its counts) and `/feedback/surveys.csv`, and in the API.
//! Analysts see every organisation's; the staff their own.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use varde_core::authz::{decide, Action, Subject};
use varde_core::feedback::surveys::{
    publish, PublishedSurvey, SurveyAnswer, SurveyCounts, SurveyKind, POINTS,
};
use varde_core::feedback::{AnswerInput, Number};
use varde_core::org::{OrgId, Principal};

use super::ops::{link_url, mint};
use super::public::Item;
use crate::authz::{OrgAccess, ReadSurveys, ShareSurveys};
use crate::chart::{BarChart, Value};
use crate::drugcheck::Client;
use crate::error::WebError;
use crate::forms::{render, render_status, CsrfForm, FormError, PageResult};
use crate::i18n::Lang;
use crate::shell::{Chrome, Page};
use crate::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/feedback/surveys", get(figures_page))
        .route("/feedback/surveys.csv", get(figures_csv))
        .route("/feedback/surveys/share", post(share_submit))
        .route("/s/{token}", get(form).post(send))
}

/// One organisation's survey in one year, as published.
#[derive(Debug, Serialize, ToSchema)]
pub struct SurveyDoc {
    pub org_id: i64,
    pub org_name: String,
    pub year: i64,
    /// Counts of 1–4, and what would give them back, are `null`; a mean only where no count of
    /// its question is hidden.
    #[schema(value_type = Object)]
    pub figures: PublishedSurvey,
}

/// The figures `principal` may read: every organisation's for whoever may read any
/// organisation's (analysts), else the own organisation's.
pub async fn figures(state: &AppState, principal: &Principal) -> Result<Vec<SurveyDoc>, WebError> {
    let any = Subject::of_org(OrgId(i64::MIN));
    let all = decide(principal, Action::FeedbackSurveyRead, &any, None).allowed;
    let groups = state
        .store
        .feedback_survey_answers((!all).then_some(principal.org))
        .await?;
    Ok(groups
        .into_iter()
        .map(|g| SurveyDoc {
            org_id: g.org.0,
            org_name: g.org_name,
            year: g.year,
            figures: publish(&SurveyCounts::of(g.kind, &g.answers)),
        })
        .collect())
}

/// Opens a new link for `kind` of the organisation (the earlier one closes); its address.
pub async fn share(
    state: &AppState,
    access: &OrgAccess<ShareSurveys>,
    kind: SurveyKind,
) -> Result<String, WebError> {
    let token = mint();
    let entry = access.access(state, "", format!("feedback:survey:{}", kind.as_str()));
    state
        .store
        .feedback_survey_share(
            access.org(),
            kind,
            token.as_str(),
            access.principal.user.0,
            state.clock.now(),
            &entry,
        )
        .await?;
    Ok(link_url(state, &format!("/s/{}", token.as_str())))
}

pub(super) struct Block {
    pub heading: String,
    pub chart: BarChart,
    pub rows: Vec<(String, Vec<String>, String)>,
}

pub(super) struct OpenLink {
    pub kind: &'static str,
    pub url: String,
}

#[derive(Template)]
#[template(path = "feedback/surveys.html")]
struct FiguresT {
    c: Chrome,
    kind: &'static str,
    blocks: Vec<Block>,
    may_share: bool,
    links: Vec<OpenLink>,
    points: Vec<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct KindQuery {
    kind: String,
}

fn kind_of(q: &str) -> Result<SurveyKind, WebError> {
    if q.trim().is_empty() {
        return Ok(SurveyKind::Users);
    }
    SurveyKind::parse(q).map_err(WebError::from)
}

fn mean_text(m: Option<f64>) -> String {
    m.map_or_else(|| "–".to_owned(), |m| format!("{m:.1}").replace('.', ","))
}

fn count_text(c: Option<u64>) -> String {
    c.map_or_else(|| "–".to_owned(), |c| c.to_string())
}

fn block(l: Lang, d: &SurveyDoc) -> Block {
    let f = &d.figures;
    let heading = format!(
        "{} {} · {}: {}",
        d.org_name,
        d.year,
        l.t("feedback.survey_answers"),
        count_text(f.answers)
    );
    let values = f
        .questions
        .iter()
        .map(|q| Value {
            label: l.t(&format!("feedback.q.{}", q.question)).to_owned(),
            kind: l.t("feedback.mean").to_owned(),
            share: q.mean.map(|m| m / f64::from(POINTS)),
            shown: mean_text(q.mean),
            detail: format!("{} / {POINTS}", mean_text(q.mean)),
            suppressed: q.mean.is_none(),
        })
        .collect();
    let chart = BarChart::new(
        format!("survey-{}-{}-{}", d.org_id, d.year, f.kind.as_str()),
        heading.clone(),
        [
            l.t("feedback.what").to_owned(),
            l.t("feedback.question").to_owned(),
            l.t("feedback.mean_of_5").to_owned(),
            l.t("feedback.mean").to_owned(),
        ],
        values,
    );
    let rows = f
        .questions
        .iter()
        .map(|q| {
            (
                l.t(&format!("feedback.q.{}", q.question)).to_owned(),
                q.counts.iter().map(|c| count_text(*c)).collect(),
                mean_text(q.mean),
            )
        })
        .collect();
    Block {
        heading,
        chart,
        rows,
    }
}

/// `GET /feedback/surveys?kind=users|relatives`: the figures, and the organisation's links for
/// staff who may share them.
async fn figures_page(
    State(state): State<AppState>,
    page: Page,
    access: OrgAccess<ReadSurveys>,
    Query(q): Query<KindQuery>,
) -> PageResult {
    let kind = kind_of(&q.kind)?;
    let l = page.c.l;
    let docs = figures(&state, &access.principal).await?;
    let blocks = docs
        .iter()
        .filter(|d| d.figures.kind == kind)
        .map(|d| block(l, d))
        .collect();
    let may_share = decide(
        &access.principal,
        Action::FeedbackSurveyShare,
        &Subject::of_org(access.org()),
        None,
    )
    .allowed;
    let links = if may_share {
        state
            .store
            .feedback_survey_links(access.org())
            .await?
            .into_iter()
            .map(|s| OpenLink {
                kind: s.kind.as_str(),
                url: link_url(&state, &format!("/s/{}", s.token)),
            })
            .collect()
    } else {
        Vec::new()
    };
    render(&FiguresT {
        c: page.c,
        kind: kind.as_str(),
        blocks,
        may_share,
        links,
        points: (1..=POINTS).map(|p| p.to_string()).collect(),
    })
}

/// `GET /feedback/surveys.csv`: every figure the user may read, one row per question
/// (hidden counts and means empty).
async fn figures_csv(
    State(state): State<AppState>,
    access: OrgAccess<ReadSurveys>,
) -> Result<Response, WebError> {
    let docs = figures(&state, &access.principal).await?;
    let headings = [
        "org", "year", "survey", "question", "answers", "p1", "p2", "p3", "p4", "p5", "mean",
    ];
    let mut rows = Vec::new();
    for d in &docs {
        for q in &d.figures.questions {
            let mut rec = vec![
                d.org_name.clone(),
                d.year.to_string(),
                d.figures.kind.as_str().to_owned(),
                q.question.to_owned(),
                d.figures.answers.map(|n| n.to_string()).unwrap_or_default(),
            ];
            rec.extend(
                q.counts
                    .iter()
                    .map(|c| c.map(|c| c.to_string()).unwrap_or_default()),
            );
            rec.push(
                q.mean
                    .map(|m| format!("{m:.2}").replace('.', ","))
                    .unwrap_or_default(),
            );
            rows.push(rec);
        }
    }
    let body = crate::download::csv_document(&headings, &rows);
    Ok(crate::download::csv(body, "surveys.csv"))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ShareForm {
    kind: String,
}

/// `POST /feedback/surveys/share`: a new link for the survey; back to the page.
async fn share_submit(
    State(state): State<AppState>,
    access: OrgAccess<ShareSurveys>,
    CsrfForm(f): CsrfForm<ShareForm>,
) -> Result<Response, WebError> {
    let kind = kind_of(&f.kind)?;
    share(&state, &access, kind).await?;
    Ok(Redirect::to(&format!("/feedback/surveys?kind={}", kind.as_str())).into_response())
}

#[derive(Template)]
#[template(path = "feedback/survey.html")]
struct SurveyT {
    c: Chrome,
    token: String,
    org_name: String,
    kind: &'static str,
    questions: Vec<Item>,
    points: Vec<String>,
    error: FormError,
}

#[derive(Template)]
#[template(path = "feedback/gone.html")]
struct GoneT {
    c: Chrome,
}

#[derive(Template)]
#[template(path = "feedback/thanks.html")]
struct ThanksT {
    c: Chrome,
}

/// The 429 answer when `client` has spent its allowance of answer pages.
fn limited(state: &AppState, client: Option<std::net::IpAddr>) -> Option<Response> {
    match super::ops::limited(state, client) {
        Err(super::ops::Missed::Limited(wait)) => Some(crate::drugcheck::ops::too_many(wait)),
        _ => None,
    }
}

async fn survey_page(
    state: &AppState,
    l: Lang,
    token: String,
    typed: &BTreeMap<String, String>,
    error: FormError,
    status: StatusCode,
) -> PageResult {
    let Some(open) = state.store.feedback_survey_open(&token).await? else {
        let c = Chrome::anonymous(l, "/");
        return render_status(&GoneT { c }, StatusCode::NOT_FOUND);
    };
    let c = Chrome::anonymous(l, &format!("/s/{token}"));
    let questions = open
        .kind
        .questions()
        .iter()
        .map(|id| Item {
            id,
            text: l.t(&format!("feedback.q.{id}")),
            value: typed.get(*id).cloned().unwrap_or_default(),
        })
        .collect();
    render_status(
        &SurveyT {
            c,
            token,
            org_name: open.org_name,
            kind: open.kind.as_str(),
            questions,
            points: (1..=POINTS).map(|p| p.to_string()).collect(),
            error,
        },
        status,
    )
}

/// `GET /s/{token}`: the survey, or the 404 page.
async fn form(
    State(state): State<AppState>,
    Client(client): Client,
    l: Lang,
    Path(token): Path<String>,
) -> PageResult {
    if let Some(r) = limited(&state, client) {
        return Ok(r);
    }
    survey_page(
        &state,
        l,
        token,
        &BTreeMap::new(),
        FormError::default(),
        StatusCode::OK,
    )
    .await
}

/// `POST /s/{token}`: an anonymous answer; thanks, or the form again naming each question
/// missed (422).
async fn send(
    State(state): State<AppState>,
    Client(client): Client,
    l: Lang,
    Path(token): Path<String>,
    axum::Form(typed): axum::Form<BTreeMap<String, String>>,
) -> PageResult {
    if let Some(r) = limited(&state, client) {
        return Ok(r);
    }
    let Some(open) = state.store.feedback_survey_open(&token).await? else {
        return survey_page(
            &state,
            l,
            token,
            &typed,
            FormError::default(),
            StatusCode::OK,
        )
        .await;
    };
    let input: AnswerInput = typed
        .iter()
        .map(|(k, v)| (k.clone(), Number::Text(v.clone())))
        .collect();
    let answer = match SurveyAnswer::check(open.kind, &input) {
        Ok(a) => a,
        Err(errors) => {
            let e = WebError::invalid_fields(errors);
            let status = e.status;
            let err = FormError::new(&e, l);
            return survey_page(&state, l, token, &typed, err, status).await;
        }
    };
    match state
        .store
        .feedback_survey_answer(&token, open.kind, &answer, state.clock.today().year())
        .await
    {
        Ok(()) => render(&ThanksT {
            c: Chrome::anonymous(l, "/"),
        }),
        Err(varde_store::StoreError::NotFound) => render_status(
            &GoneT {
                c: Chrome::anonymous(l, "/"),
            },
            StatusCode::NOT_FOUND,
        ),
        Err(e) => Err(e.into()),
    }
}
