//! The coercion page (`/pathways/coercion`): stays with their decisions and warnings, the
//! yearly table, and one form per command, each posting to its own route and calling
//! [`super::record`].

use askama::Template;
use axum::extract::{Query, State};
use axum::routing::{get, post};
use axum::Router;
use jiff::civil::Date;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use varde_core::authz::Action;
use varde_core::fields::{self, FieldError};
use varde_core::org::Principal;
use varde_core::pathways::coercion::command::CoercionCommand;

use super::{
    load_stays, stay_doc, table, DateRequest, DecisionDoc, DecisionRequest, StayDoc, StayRequest,
    YearTable,
};
use crate::authz::{read_entry, OrgAccess, ReadCoercion, WriteCoercion};
use crate::forms::{finish, render, CsrfForm, PageResult, YearQuery};
use crate::shell::{Chrome, Page};
use crate::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/pathways/coercion", get(page))
        .route("/pathways/coercion/stay", post(submit::<StayRequest>))
        .route("/pathways/coercion/decision", post(submit::<DecisionForm>))
        .route("/pathways/coercion/appeal", post(submit::<AppealForm>))
        .route("/pathways/coercion/end", post(submit::<EndForm>))
        .route(
            "/pathways/coercion/county-board",
            post(submit::<CountyBoardForm>),
        )
}

/// A form of the page: the stay it concerns and the command.
trait CoercionForm {
    fn command(&self, today: Date) -> Result<(String, CoercionCommand), FieldError>;
}

impl CoercionForm for StayRequest {
    fn command(&self, today: Date) -> Result<(String, CoercionCommand), FieldError> {
        StayRequest::command(self, today)
    }
}

/// A new decision in a stay (the page does not record a county-board date with it).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct DecisionForm {
    stay_id: String,
    section: String,
    kind: String,
    decided: String,
    from: String,
    expected_delivery: String,
    child_welfare_notified: String,
}

impl CoercionForm for DecisionForm {
    fn command(&self, today: Date) -> Result<(String, CoercionCommand), FieldError> {
        let stay_id = fields::path_id("stay_id", &self.stay_id)?;
        let req = DecisionRequest {
            section: self.section.clone(),
            kind: self.kind.clone(),
            decided: self.decided.clone(),
            from: self.from.clone(),
            expected_delivery: self.expected_delivery.clone(),
            child_welfare_notified: self.child_welfare_notified.clone(),
            sent_to_county_board: String::new(),
        };
        Ok((stay_id, req.command(today)?))
    }
}

/// An appeal against decision number `decision` of a stay.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct AppealForm {
    stay_id: String,
    decision: String,
    date: String,
}

impl CoercionForm for AppealForm {
    fn command(&self, today: Date) -> Result<(String, CoercionCommand), FieldError> {
        let stay_id = fields::path_id("stay_id", &self.stay_id)?;
        let decision = decision_number(&self.decision)?;
        let date = DateRequest {
            date: self.date.clone(),
        };
        Ok((stay_id, date.appeal(decision, today)?))
    }
}

/// The number of a decision in a stay, as a form gives it.
fn decision_number(v: &str) -> Result<usize, FieldError> {
    v.trim()
        .parse()
        .map_err(|_| FieldError::new("decision", "the decision's number in the stay"))
}

/// The end of a stay (the first day out), as the API's `end` records it.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct EndForm {
    stay_id: String,
    date: String,
}

impl CoercionForm for EndForm {
    fn command(&self, today: Date) -> Result<(String, CoercionCommand), FieldError> {
        let stay_id = fields::path_id("stay_id", &self.stay_id)?;
        let date = DateRequest {
            date: self.date.clone(),
        };
        Ok((stay_id, date.end(today)?))
    }
}

/// A temporary decision (number `decision` of a stay) sent to the county board, as the API's
/// `county-board` records it. The board's own decision is then a main decision of the stay.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct CountyBoardForm {
    stay_id: String,
    decision: String,
    date: String,
}

impl CoercionForm for CountyBoardForm {
    fn command(&self, today: Date) -> Result<(String, CoercionCommand), FieldError> {
        let stay_id = fields::path_id("stay_id", &self.stay_id)?;
        let decision = decision_number(&self.decision)?;
        let date = DateRequest {
            date: self.date.clone(),
        };
        Ok((stay_id, date.county_board(decision, today)?))
    }
}

/// A decision as shown.
struct DecisionView {
    stay_id: String,
    doc: DecisionDoc,
}

/// A warning as shown.
struct WarningView {
    stay_id: String,
    text: String,
}

#[derive(Template)]
#[template(path = "pathways/coercion.html")]
struct CoercionT {
    c: Chrome,
    as_of: String,
    year: i16,
    stays: Vec<StayDoc>,
    decisions: Vec<DecisionView>,
    warnings: Vec<WarningView>,
    table: YearTable,
    error: Option<String>,
}

/// The page, its read decided and logged (also when it is shown again after a refused form:
/// that is a read).
async fn view(
    state: &AppState,
    c: Chrome,
    principal: &Principal,
    year: i16,
    error: Option<String>,
) -> PageResult {
    let today = state.clock.today();
    let org = principal.org;
    let record = format!("coercion:org:{}", org.0);
    let entry = read_entry(state, principal, Action::CoercionRead, record).await?;
    let stays = load_stays(state, org).await?;
    state.store.log_access(&entry).await?;
    let docs: Vec<StayDoc> = stays.iter().map(|(id, s)| stay_doc(id, s, today)).collect();
    let l = c.l;
    let decisions = docs
        .iter()
        .flat_map(|s| {
            s.decisions.iter().map(|d| DecisionView {
                stay_id: s.stay_id.clone(),
                doc: d.clone(),
            })
        })
        .collect();
    let warnings = docs
        .iter()
        .flat_map(|s| {
            s.warnings.iter().map(|w| {
                let mut text = format!(
                    "§ {} – {} {}",
                    w.section,
                    l.t_in("pathways.coercion", &w.kind),
                    w.date
                );
                if let Some(next) = &w.next_from {
                    text.push_str(&format!(", {} {next}", l.t("pathways.coercion.next_from")));
                }
                WarningView {
                    stay_id: s.stay_id.clone(),
                    text,
                }
            })
        })
        .collect();
    render(&CoercionT {
        c,
        as_of: today.to_string(),
        year,
        table: table(&stays, year),
        stays: docs,
        decisions,
        warnings,
        error,
    })
}

async fn page(
    State(state): State<AppState>,
    page: Page,
    access: OrgAccess<ReadCoercion>,
    Query(q): Query<YearQuery>,
) -> PageResult {
    let year = q.year(state.clock.today())?;
    view(&state, page.c, &access.principal, year, None).await
}

/// One form's command: recorded, then the page again (with the refusal if there was one).
async fn submit<F: CoercionForm + DeserializeOwned + Send + Sync>(
    State(state): State<AppState>,
    page: Page,
    access: OrgAccess<WriteCoercion>,
    CsrfForm(f): CsrfForm<F>,
) -> PageResult {
    let today = state.clock.today();
    let result = async {
        let (stay_id, cmd) = f.command(today)?;
        super::record(&state, &access, &stay_id, cmd).await
    }
    .await;
    let l = page.c.l;
    finish(
        result,
        |_| "/pathways/coercion".to_owned(),
        |e| {
            view(
                &state,
                page.c,
                &access.principal,
                today.year(),
                Some(e.message(l)),
            )
        },
    )
    .await
}
