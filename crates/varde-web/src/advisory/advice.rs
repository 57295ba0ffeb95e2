//! Quick anonymous logging of advice given (issue 12, item 12): the small form on the worklist
//! (`POST /advisory/advice`) and `POST /api/v1/advisory/advice`. No name, no identity number,
//! no free text (`varde_core::advisory::advice`); written with its access entry; counted in the
//! statistics apart from the condition cases.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::post;
use axum::Router;
use serde::Deserialize;
use utoipa::ToSchema;
use varde_core::advisory::advice::AdviceInput;
use varde_store::NewAdvice;

use crate::api::{json, ApiJson, Created};
use crate::authz::{OrgAccess, ReadAdvisory, WriteAdvisory};
use crate::error::{Problem, WebError};
use crate::forms::{CsrfForm, FormError, PageResult};
use crate::AppState;

pub(super) fn page_routes() -> Router<AppState> {
    Router::new().route("/advisory/advice", post(form))
}

pub(super) fn api_routes() -> Router<AppState> {
    Router::new().route("/advisory/advice", post(api))
}

/// Checks and logs a piece of advice for the unit of `access`. Returns its id.
pub async fn log(
    state: &AppState,
    access: &OrgAccess<WriteAdvisory>,
    input: &AdviceInput,
) -> Result<i64, WebError> {
    let a = input.parse(state.clock.today())?;
    let entry = access.access(state, "", format!("advisory:advice:org:{}", access.org().0));
    let id = state
        .store
        .advisory_advice_add(
            access.org(),
            &NewAdvice {
                given_on: a.on.to_string(),
                asker: a.asker.as_str().to_owned(),
                means: a.means.as_str().to_owned(),
                topic: a.topic.as_str().to_owned(),
                age_group: a.age_group.map(|g| g.as_str().to_owned()),
            },
            state.clock.now(),
            &entry,
        )
        .await?;
    Ok(id)
}

/// A piece of advice given, as the API takes it.
#[derive(Deserialize, ToSchema)]
pub(super) struct AdviceDoc {
    /// `YYYY-MM-DD`: not in the future, at most a year back.
    on: String,
    /// `person`, `relative`, `school`, `service` or `other`.
    asker: String,
    /// `phone`, `meeting` or `digital`.
    means: String,
    /// `substances`, `law`, `help`, `concern` or `other`.
    topic: String,
    /// `under_15`, `15_17`, `18_25` or `over_25`; left out when not known.
    #[serde(default)]
    age_group: Option<String>,
}

/// Logs a piece of advice given to anyone who asked, anonymously (no name, no id).
#[utoipa::path(post, path = "/api/v1/advisory/advice", request_body = AdviceDoc,
    responses((status = 201, body = Created), (status = 422, body = Problem), (status = 403, body = Problem)))]
pub(super) async fn api(
    State(state): State<AppState>,
    access: OrgAccess<WriteAdvisory>,
    ApiJson(b): ApiJson<AdviceDoc>,
) -> Result<Response, WebError> {
    let input = AdviceInput {
        on: b.on,
        asker: b.asker,
        means: b.means,
        topic: b.topic,
        age_group: b.age_group,
    };
    let id = log(&state, &access, &input).await?;
    Ok(json(StatusCode::CREATED, &Created { id }))
}

/// The worklist's form: back to the worklist, or the worklist with the refusal beside its
/// field and the form as typed.
async fn form(
    State(state): State<AppState>,
    page: crate::shell::Page,
    access: OrgAccess<WriteAdvisory>,
    CsrfForm(f): CsrfForm<AdviceInput>,
) -> PageResult {
    let result = log(&state, &access, &f).await;
    let l = page.c.l;
    crate::forms::finish(
        result,
        |_| "/advisory?logged=1#advice".to_owned(),
        |e| async move {
            let read = OrgAccess::<ReadAdvisory>::decide(&state, access.principal).await?;
            super::pages::worklist_with(&state, page.c, &read, f, FormError::new(&e, l), false)
                .await
        },
    )
    .await
}
