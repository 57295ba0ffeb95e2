//! The coordinator's worklist (`/coordination`, a coordinator's start page, and
//! `GET /api/v1/coordination/worklist`) and the figures (`/coordination/figures`,
//! `GET /api/v1/coordination/figures`).

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use jiff::civil::Date;
use serde::Serialize;
use utoipa::ToSchema;
use varde_core::coordination::children::ChildrenFigure;
use varde_core::coordination::figures::{self, Figure, PersonFacts};
use varde_core::coordination::relatives;
use varde_core::coordination::worklist::{self, ConsentFacts, MeasureDue, MeetingFacts, PlanFacts};

use crate::api::json;
use crate::authz::{OrgAccess, ReadPlans, SeeCoordinationFigures};
use crate::error::{Problem, WebError};
use crate::forms::{render, PageResult};
use crate::shell::{Chrome, Page};
use crate::AppState;

pub(super) fn page_routes() -> Router<AppState> {
    Router::new()
        .route("/coordination", get(page))
        .route("/coordination/figures", get(figures_page))
}

pub(super) fn api_routes() -> Router<AppState> {
    Router::new()
        .route("/coordination/worklist", get(api))
        .route("/coordination/figures", get(figures_api))
}

/// One row of the worklist.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Row {
    /// `evaluation_overdue`, `evaluation_due`, `stale_plan`, `minutes_missing`, `consent_expiring`,
    /// `relatives_review` (an agreement with a relative due for review).
    pub kind: String,
    /// The plan (none for a consent).
    pub plan: Option<i64>,
    /// The measure, plan, meeting or consent.
    pub record: i64,
    /// The date that puts it here.
    pub date: String,
    /// The person's name.
    pub person: String,
    /// The measure's text, the consent's scope and grantee, or the relative's name.
    pub what: String,
}

fn day(s: &str) -> Option<Date> {
    s.parse().ok()
}

/// The worklist of the user, logged as one read.
pub async fn rows(state: &AppState, access: &OrgAccess<ReadPlans>) -> Result<Vec<Row>, WebError> {
    let today = state.clock.today();
    let f = state
        .store
        .coordination_worklist_facts(access.org(), access.principal.user.0)
        .await?;
    let consents = state
        .store
        .coordination_consents_in_force(access.org(), today)
        .await?;
    let plans: Vec<PlanFacts> = f
        .plans
        .iter()
        .filter_map(|p| {
            Some(PlanFacts {
                plan: p.0,
                created: day(&p.2)?,
                closed: p.3 == "closed",
                last_evaluation: p.4.as_deref().and_then(day),
            })
        })
        .collect();
    let measures: Vec<MeasureDue> = f
        .measures
        .iter()
        .filter_map(|m| {
            Some(MeasureDue {
                plan: m.0,
                measure: m.1,
                due: day(&m.3)?,
            })
        })
        .collect();
    let meetings: Vec<MeetingFacts> = f
        .meetings
        .iter()
        .filter_map(|m| {
            Some(MeetingFacts {
                plan: m.0,
                meeting: m.1,
                held_on: day(&m.2)?,
                has_minutes: m.3,
            })
        })
        .collect();
    let cf: Vec<ConsentFacts> = consents
        .iter()
        .filter_map(|c| {
            Some(ConsentFacts {
                consent: c.id,
                until: day(&c.valid_until)?,
            })
        })
        .collect();
    let items = worklist::worklist(today, &measures, &plans, &meetings, &cf);
    let reviews = state
        .store
        .coordination_relatives_reviews(access.org(), access.principal.user.0)
        .await?;
    access.log(state, "coordination:worklist".into()).await?;
    let name_of = |plan: i64| {
        f.plans
            .iter()
            .find(|p| p.0 == plan)
            .map(|p| p.1.clone())
            .unwrap_or_default()
    };
    let mut out: Vec<Row> = items
        .into_iter()
        .map(|i| {
            let (person, what) = match i.plan {
                Some(plan) => (
                    name_of(plan),
                    f.measures
                        .iter()
                        .find(|m| m.1 == i.record && i.kind.as_str().starts_with("evaluation"))
                        .map(|m| m.2.clone())
                        .unwrap_or_default(),
                ),
                None => consents
                    .iter()
                    .find(|c| c.id == i.record)
                    .map(|c| (String::new(), format!("{} → {}", c.scope, c.grantee_name)))
                    .unwrap_or_default(),
            };
            Row {
                kind: i.kind.as_str().to_owned(),
                plan: i.plan,
                record: i.record,
                date: i.date.to_string(),
                person,
                what,
            }
        })
        .collect();
    // Agreements with relatives due for review (within 30 days, or past).
    for (agreement, plan, name, review_on) in reviews {
        if day(&review_on).is_some_and(|d| relatives::review_due(d, today)) {
            out.push(Row {
                kind: "relatives_review".to_owned(),
                plan: Some(plan),
                record: agreement,
                date: review_on,
                person: name_of(plan),
                what: name,
            });
        }
    }
    Ok(out)
}

#[derive(Template)]
#[template(path = "coordination/worklist.html")]
struct WorklistPage {
    c: Chrome,
    today: String,
    rows: Vec<Row>,
    /// The discharge pages the role may open (href, text key).
    links: Vec<(&'static str, &'static str)>,
}

async fn page(
    State(state): State<AppState>,
    page: Page,
    access: OrgAccess<ReadPlans>,
) -> PageResult {
    let rows = rows(&state, &access).await?;
    render(&WorklistPage {
        links: super::discharge::start::links(&page.user.principal),
        c: page.c,
        today: state.clock.today().to_string(),
        rows,
    })
}

/// The coordinator's worklist.
#[utoipa::path(get, path = "/api/v1/coordination/worklist",
    responses((status = 200, body = [Row]), (status = 403, body = Problem)))]
async fn api(
    State(state): State<AppState>,
    access: OrgAccess<ReadPlans>,
) -> Result<Response, WebError> {
    Ok(json(StatusCode::OK, &rows(&state, &access).await?))
}

/// The organisation's figures (small counts hidden).
pub async fn figures_of(
    state: &AppState,
    access: &OrgAccess<SeeCoordinationFigures>,
) -> Result<Vec<Figure>, WebError> {
    let facts = state.store.coordination_figure_facts(access.org()).await?;
    let people: Vec<PersonFacts> = facts
        .into_iter()
        .map(|f| PersonFacts {
            plan: f.plan,
            coordinator: f.coordinator,
            group: f.group,
            last_evaluation: f.last_evaluation.as_deref().and_then(day),
        })
        .collect();
    Ok(figures::figures(&people, state.clock.today()))
}

#[derive(Template)]
#[template(path = "coordination/figures.html")]
struct FiguresPage {
    c: Chrome,
    figures: Vec<Figure>,
    /// Children as relatives (section 5).
    children: Vec<ChildrenFigure>,
    /// The discharge pages the role may open (href, text key).
    links: Vec<(&'static str, &'static str)>,
}

async fn figures_page(
    State(state): State<AppState>,
    page: Page,
    access: OrgAccess<SeeCoordinationFigures>,
) -> PageResult {
    let figures = figures_of(&state, &access).await?;
    let children = super::relatives_api::figures_of(&state, &access).await?;
    render(&FiguresPage {
        children,
        links: super::discharge::start::links(&page.user.principal),
        c: page.c,
        figures,
    })
}

/// The shares of the organisation's people with a plan, a coordinator, a responsibility group
/// and a plan evaluated in the last six months (`count`, `total` and `share` null where hidden).
#[utoipa::path(get, path = "/api/v1/coordination/figures",
    responses((status = 200, description = "the four figures"), (status = 403, body = Problem)))]
async fn figures_api(
    State(state): State<AppState>,
    access: OrgAccess<SeeCoordinationFigures>,
) -> Result<Response, WebError> {
    Ok(json(StatusCode::OK, &figures_of(&state, &access).await?))
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(api, figures_api), components(schemas(Row)))]
pub(super) struct ApiDoc;
