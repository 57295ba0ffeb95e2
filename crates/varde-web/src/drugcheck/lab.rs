//! The laboratory's pages (role `lab`): `/drugcheck/lab` with the intake form and the form to
//! record a result by code. The intake's answer is the receipt, printable for the person who
//! handed the sample in: the code in large type and how to look the result up — rendered in the
//! answer itself, since the code is kept nowhere to be shown again.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;
use varde_core::drugcheck::{AnalysisInput, FoundInput, IntakeInput};

use super::ops;
use crate::authz::{OrgAccess, RecordAnalyses, TakeSamples};
use crate::error::WebError;
use crate::forms::{render, render_status, CsrfForm, FormError, PageResult};
use crate::shell::{Chrome, Page};
use crate::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/drugcheck/lab", get(lab))
        .route("/drugcheck/lab/samples", post(intake))
        .route("/drugcheck/lab/results", post(result))
}

/// Rows of the result form (a form without JavaScript has a fixed number).
const ROWS: usize = 4;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct IntakeForm {
    sold_as: String,
    municipality: String,
    received_on: String,
    /// The form's one-time token (see `ops::intake`).
    once: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ResultForm {
    code: String,
    analysed_on: String,
    method: String,
    substance_1: String,
    purity_1: String,
    amount_1: String,
    substance_2: String,
    purity_2: String,
    amount_2: String,
    substance_3: String,
    purity_3: String,
    amount_3: String,
    substance_4: String,
    purity_4: String,
    amount_4: String,
    /// One a line, or separated by commas.
    contaminants: String,
}

/// One row of the result form as shown again.
struct Row {
    n: usize,
    substance: String,
    purity: String,
    amount: String,
    /// The rules its fields broke (the refusal names them `found[0].substance`, …).
    es: Option<String>,
    ep: Option<String>,
    ea: Option<String>,
}

impl ResultForm {
    fn cells(&self) -> [(&str, &str, &str); ROWS] {
        [
            (&self.substance_1, &self.purity_1, &self.amount_1),
            (&self.substance_2, &self.purity_2, &self.amount_2),
            (&self.substance_3, &self.purity_3, &self.amount_3),
            (&self.substance_4, &self.purity_4, &self.amount_4),
        ]
        .map(|(a, b, c)| (a.as_str(), b.as_str(), c.as_str()))
    }

    /// The result as the API takes it, and the rows with the index each filled one has in it.
    /// A number that does not parse is refused naming its row's field.
    fn input(&self) -> Result<AnalysisInput, WebError> {
        let mut found = Vec::new();
        let mut bad: Option<WebError> = None;
        for (substance, purity, amount) in self.cells() {
            if substance.trim().is_empty() && purity.trim().is_empty() && amount.trim().is_empty() {
                continue;
            }
            let at = format!("found[{}]", found.len());
            let mut number = |v: &str, field: &str, rule: &str| -> Option<f64> {
                let v = v.trim().replace(',', ".");
                if v.is_empty() {
                    return None;
                }
                v.parse::<f64>().ok().filter(|x| x.is_finite()).or_else(|| {
                    let name = format!("{at}.{field}");
                    bad = Some(match bad.take() {
                        Some(e) => e.and_field(&name, rule),
                        None => WebError::invalid(&name, rule),
                    });
                    None
                })
            };
            let purity_percent = number(purity, "purity_percent", "a percentage from 0 to 100");
            let amount_mg = number(amount, "amount_mg", "a number of milligrams, not negative");
            found.push(FoundInput {
                substance: substance.to_owned(),
                purity_percent,
                amount_mg,
            });
        }
        if let Some(e) = bad {
            return Err(e);
        }
        Ok(AnalysisInput {
            analysed_on: self.analysed_on.clone(),
            method: self.method.clone(),
            found,
            contaminants: self
                .contaminants
                .split(['\n', ','])
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .map(str::to_owned)
                .collect(),
        })
    }

    fn rows(&self, error: &FormError) -> Vec<Row> {
        let mut filled = 0;
        self.cells()
            .iter()
            .enumerate()
            .map(|(i, (s, p, a))| {
                let empty = s.trim().is_empty() && p.trim().is_empty() && a.trim().is_empty();
                let at = if empty {
                    format!("row{i}")
                } else {
                    filled += 1;
                    format!("found[{}]", filled - 1)
                };
                let rule = |f: &str| error.at(&format!("{at}.{f}")).map(str::to_owned);
                Row {
                    n: i + 1,
                    substance: (*s).to_owned(),
                    purity: (*p).to_owned(),
                    amount: (*a).to_owned(),
                    es: rule("substance"),
                    ep: rule("purity_percent"),
                    ea: rule("amount_mg"),
                }
            })
            .collect()
    }
}

#[derive(Template)]
#[template(path = "drugcheck/lab.html")]
struct LabT {
    c: Chrome,
    may_intake: bool,
    may_record: bool,
    intake: IntakeForm,
    intake_error: FormError,
    result: ResultForm,
    rows: Vec<Row>,
    result_error: FormError,
    substances: Vec<&'static str>,
    done: bool,
    today: String,
    /// A fresh one-time token for the intake form.
    once: String,
}

#[derive(Template)]
#[template(path = "drugcheck/receipt.html")]
struct ReceiptT {
    c: Chrome,
    code: String,
    lookup_url: String,
    received_on: String,
}

#[derive(Deserialize)]
struct LabQuery {
    done: Option<String>,
}

fn allowed(p: &varde_core::org::Principal, action: varde_core::authz::Action) -> bool {
    use varde_core::authz::{decide, Subject};
    decide(p, action, &Subject::of_org(p.org), None).allowed
}

#[allow(clippy::too_many_arguments)]
fn lab_page(
    state: &AppState,
    page: Page,
    intake: IntakeForm,
    intake_error: FormError,
    result: ResultForm,
    result_error: FormError,
    done: bool,
    status: StatusCode,
) -> PageResult {
    let p = &page.user.principal;
    let t = LabT {
        may_intake: allowed(p, varde_core::authz::Action::DrugcheckIntake),
        may_record: allowed(p, varde_core::authz::Action::DrugcheckResult),
        rows: result.rows(&result_error),
        substances: varde_core::substances::get()
            .all()
            .iter()
            .map(|s| s.name(page.c.l.code()))
            .collect(),
        today: state.clock.today().to_string(),
        c: page.c,
        once: crate::auth::random_token(),
        intake,
        intake_error,
        result,
        result_error,
        done,
    };
    render_status(&t, status)
}

/// `GET /drugcheck/lab`: the intake form and the result form.
async fn lab(
    State(state): State<AppState>,
    page: Page,
    _access: OrgAccess<TakeSamples>,
    Query(q): Query<LabQuery>,
) -> PageResult {
    let intake = IntakeForm {
        received_on: state.clock.today().to_string(),
        ..IntakeForm::default()
    };
    let result = ResultForm {
        analysed_on: state.clock.today().to_string(),
        ..ResultForm::default()
    };
    let done = q.done.as_deref() == Some("recorded");
    lab_page(
        &state,
        page,
        intake,
        FormError::default(),
        result,
        FormError::default(),
        done,
        StatusCode::OK,
    )
}

/// `POST /drugcheck/lab/samples`: the receipt, or the form again with the rules.
async fn intake(
    State(state): State<AppState>,
    page: Page,
    access: OrgAccess<TakeSamples>,
    CsrfForm(form): CsrfForm<IntakeForm>,
) -> PageResult {
    let input = IntakeInput {
        sold_as: form.sold_as.clone(),
        municipality: form.municipality.clone(),
        received_on: form.received_on.clone(),
    };
    match ops::intake(
        &state,
        &access,
        &input,
        Some(form.once.as_str()).filter(|t| !t.is_empty()),
    )
    .await
    {
        Ok(code) => {
            let t = ReceiptT {
                code: code.grouped(),
                lookup_url: format!(
                    "{}/drugcheck",
                    state.config.public_url.trim_end_matches('/')
                ),
                received_on: form.received_on.trim().to_owned(),
                c: page.c,
            };
            let mut res = render(&t)?;
            // The code is on this page only: no cache may keep it.
            res.headers_mut().insert(
                axum::http::header::CACHE_CONTROL,
                axum::http::HeaderValue::from_static("no-store"),
            );
            Ok(res)
        }
        Err(e) if e.is_mendable() => {
            let l = page.c.l;
            let result = ResultForm {
                analysed_on: state.clock.today().to_string(),
                ..ResultForm::default()
            };
            let status = e.status;
            lab_page(
                &state,
                page,
                form,
                FormError::new(&e, l),
                result,
                FormError::default(),
                false,
                status,
            )
        }
        Err(e) => Err(e),
    }
}

/// `POST /drugcheck/lab/results`: records the result; back to the lab page, or the form again
/// with the rules (an unknown code, a sample with a result already, a bad field).
async fn result(
    State(state): State<AppState>,
    page: Page,
    access: OrgAccess<RecordAnalyses>,
    CsrfForm(form): CsrfForm<ResultForm>,
) -> PageResult {
    let outcome = match form.input() {
        Ok(input) => ops::record(&state, &access, &form.code, &input).await,
        Err(e) => Err(e),
    };
    let e = match outcome {
        Ok(_) => return Ok(Redirect::to("/drugcheck/lab?done=recorded").into_response()),
        Err(e) if e.status == StatusCode::NOT_FOUND => {
            WebError::invalid("code", "no sample has this code").with_status(StatusCode::NOT_FOUND)
        }
        Err(e) if e.status == StatusCode::CONFLICT => {
            WebError::invalid("code", "the sample has a result already")
                .with_status(StatusCode::CONFLICT)
        }
        Err(e) if e.is_mendable() => e,
        Err(e) => return Err(e),
    };
    let l = page.c.l;
    let intake = IntakeForm {
        received_on: state.clock.today().to_string(),
        ..IntakeForm::default()
    };
    let status = e.status;
    lab_page(
        &state,
        page,
        intake,
        FormError::default(),
        form,
        FormError::new(&e, l),
        false,
        status,
    )
}
