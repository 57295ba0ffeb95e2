//! The JSON API under `/api/v1`: the same operations as the pages, for other systems.
//! Errors are problem documents (RFC 9457). Described by `/api/v1/openapi.json`.

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Path, Query, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};
use varde_core::org::UserId;
use varde_core::person::{CorrectionInput, NewPersonInput};
use varde_store::{AccessFilter, PersonRow};

use crate::auth::{self, CurrentUser};
use crate::authz::{
    CorrectPerson, CreatePerson, ListPersons, ManageUsers, OrgAccess, PersonAccess, PersonReport,
    ReadAudit, ReadPerson,
};
use crate::error::{FieldProblem, Problem, WebError};
use crate::html::{create_person, parse_assignable_role, parse_username, person_report};
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/session", post(login).delete(logout))
        .route("/me", get(me))
        .route("/persons", post(create).get(list))
        .route("/persons/{id}", get(read))
        .route("/persons/{id}/corrections", post(correct))
        .route("/orgs", get(orgs))
        .route("/users", get(users).post(add_user))
        .route("/users/{id}/disable", post(disable_user))
        .route("/audit", get(audit))
        .route("/audit/person-report", post(audit_report))
        .route("/openapi.json", get(openapi))
        .merge(crate::pathways::api_routes())
        .merge(crate::treatment::api_routes())
        .merge(crate::treatment_national::api_routes())
        .fallback(|| async { WebError::not_found() })
}

/// `Json` whose rejections are problem documents naming what was wrong.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = WebError;
    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(ApiJson(v)),
            Err(rej) => Err(match rej {
                JsonRejection::MissingJsonContentType(_) => {
                    let mut e = WebError::bad_request(
                        "expected a JSON body with Content-Type: application/json",
                    );
                    e.status = StatusCode::UNSUPPORTED_MEDIA_TYPE;
                    e
                }
                JsonRejection::JsonSyntaxError(e) => WebError::bad_request(format!(
                    "malformed JSON: {}",
                    e.body_text().chars().take(200).collect::<String>()
                )),
                JsonRejection::JsonDataError(e) => {
                    WebError::invalid("body", e.body_text().chars().take(300).collect::<String>())
                }
                JsonRejection::BytesRejection(_) => {
                    let mut e =
                        WebError::bad_request("the request body is too large or could not be read");
                    e.status = StatusCode::PAYLOAD_TOO_LARGE;
                    e
                }
                _ => WebError::bad_request("the request body could not be read as JSON"),
            }),
        }
    }
}

fn json<T: Serialize>(status: StatusCode, v: &T) -> Response {
    (status, axum::Json(v)).into_response()
}

#[derive(Deserialize, ToSchema)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
}

#[derive(Serialize, ToSchema)]
pub struct TokenResponse {
    /// Send as `Authorization: Bearer TOKEN`.
    pub token: String,
    pub expires_at: String,
}

/// Log in; answers a bearer token.
#[utoipa::path(post, path = "/api/v1/session", request_body = LoginRequest,
    responses((status = 200, body = TokenResponse), (status = 401, body = Problem)))]
async fn login(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<LoginRequest>,
) -> Result<Response, WebError> {
    let user = auth::authenticate(&state, &req.username, &req.password).await?;
    let (token, expires) = auth::start_session(&state, &user).await?;
    Ok(json(
        StatusCode::OK,
        &TokenResponse {
            token,
            expires_at: expires.to_string(),
        },
    ))
}

/// End the session of the bearer token.
#[utoipa::path(delete, path = "/api/v1/session", responses((status = 204)))]
async fn logout(State(state): State<AppState>, user: CurrentUser) -> Result<StatusCode, WebError> {
    state.store.delete_session(&user.token_hash).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct Me {
    pub username: String,
    pub role: String,
    pub org_id: i64,
}

/// Who the token belongs to.
#[utoipa::path(get, path = "/api/v1/me", responses((status = 200, body = Me), (status = 401, body = Problem)))]
async fn me(user: CurrentUser) -> Response {
    json(
        StatusCode::OK,
        &Me {
            username: user.principal.username,
            role: user.principal.role.to_string(),
            org_id: user.principal.org.0,
        },
    )
}

#[derive(Deserialize, ToSchema)]
pub struct NewPersonRequest {
    pub national_id: String,
    pub name: String,
    /// YYYY-MM-DD; defaults to the date the identity number gives.
    #[serde(default)]
    pub birth_date: Option<String>,
    /// Municipality number of residence.
    #[serde(default)]
    pub kommune: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct Created {
    pub id: i64,
}

/// Register a person with the caller's organisation.
#[utoipa::path(post, path = "/api/v1/persons", request_body = NewPersonRequest,
    responses((status = 201, body = Created), (status = 422, body = Problem), (status = 409, body = Problem), (status = 403, body = Problem)))]
async fn create(
    State(state): State<AppState>,
    access: OrgAccess<CreatePerson>,
    ApiJson(req): ApiJson<NewPersonRequest>,
) -> Result<Response, WebError> {
    let input = NewPersonInput {
        national_id: req.national_id,
        name: req.name,
        birth_date: req.birth_date,
        kommune: req.kommune,
    };
    let id = create_person(&state, &access, &input).await?;
    Ok(json(StatusCode::CREATED, &Created { id }))
}

#[derive(Serialize, ToSchema)]
pub struct PersonDoc {
    pub id: i64,
    pub org_id: i64,
    pub national_id: String,
    pub name: String,
    pub birth_date: Option<String>,
    pub kommune: Option<String>,
    pub corrections: u32,
    pub updated_at: String,
}

impl From<PersonRow> for PersonDoc {
    fn from(p: PersonRow) -> Self {
        PersonDoc {
            id: p.id,
            org_id: p.org_id.0,
            national_id: p.record.national_id,
            name: p.record.name,
            birth_date: p.record.birth_date,
            kommune: p.record.kommune,
            corrections: p.record.corrections,
            updated_at: p.updated_at,
        }
    }
}

/// The people registered with the caller's organisation.
#[utoipa::path(get, path = "/api/v1/persons", responses((status = 200, body = [PersonDoc]), (status = 403, body = Problem)))]
async fn list(
    State(state): State<AppState>,
    access: OrgAccess<ListPersons>,
) -> Result<Response, WebError> {
    let entry = access.access(&state, "", format!("org:{}", access.user.principal.org.0));
    let rows = state
        .store
        .list_persons_logged(access.user.principal.org, &entry)
        .await?;
    Ok(json(
        StatusCode::OK,
        &rows.into_iter().map(PersonDoc::from).collect::<Vec<_>>(),
    ))
}

/// One person. 403 for a record of another organisation (logged); the optional header
/// `Varde-Break-Glass: REASON` asks for emergency access (clinicians, flagged).
#[utoipa::path(get, path = "/api/v1/persons/{id}", params(("id" = i64, Path)),
    responses((status = 200, body = PersonDoc), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn read(
    State(state): State<AppState>,
    access: PersonAccess<ReadPerson>,
) -> Result<Response, WebError> {
    let p = state
        .store
        .read_person_logged(access.person.id, &access.access)
        .await?;
    Ok(json(StatusCode::OK, &PersonDoc::from(p)))
}

#[derive(Deserialize, ToSchema)]
pub struct CorrectionRequest {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub birth_date: Option<String>,
    #[serde(default)]
    pub kommune: Option<String>,
    pub reason: String,
}

/// Correct a person's record (appends a correction event).
#[utoipa::path(post, path = "/api/v1/persons/{id}/corrections", params(("id" = i64, Path)), request_body = CorrectionRequest,
    responses((status = 200, body = PersonDoc), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn correct(
    State(state): State<AppState>,
    access: PersonAccess<CorrectPerson>,
    ApiJson(req): ApiJson<CorrectionRequest>,
) -> Result<Response, WebError> {
    let input = CorrectionInput {
        name: req.name,
        birth_date: req.birth_date,
        kommune: req.kommune,
        reason: req.reason,
    };
    let event = input.parse(state.clock.today())?;
    let p = state
        .store
        .correct_person(
            access.person.id,
            access.user.principal.user.0,
            &event,
            &access.access,
            state.clock.now(),
        )
        .await?;
    Ok(json(StatusCode::OK, &PersonDoc::from(p)))
}

#[derive(Serialize, ToSchema)]
pub struct OrgDoc {
    pub id: i64,
    pub kind: String,
    pub name: String,
    pub kommunenummer: Option<String>,
    pub orgnr: Option<String>,
    pub slug: String,
}

/// All organisations.
#[utoipa::path(get, path = "/api/v1/orgs", responses((status = 200, body = [OrgDoc])))]
async fn orgs(State(state): State<AppState>, _user: CurrentUser) -> Result<Response, WebError> {
    let orgs = state.store.list_orgs().await?;
    let docs: Vec<OrgDoc> = orgs
        .into_iter()
        .map(|o| OrgDoc {
            id: o.id.0,
            kind: o.kind,
            name: o.name,
            kommunenummer: o.kommunenummer,
            orgnr: o.orgnr,
            slug: o.slug,
        })
        .collect();
    Ok(json(StatusCode::OK, &docs))
}

#[derive(Serialize, ToSchema)]
pub struct UserDoc {
    pub id: i64,
    pub username: String,
    pub role: String,
    pub disabled: bool,
}

/// Users of the caller's organisation (org-admin).
#[utoipa::path(get, path = "/api/v1/users", responses((status = 200, body = [UserDoc]), (status = 403, body = Problem)))]
async fn users(
    State(state): State<AppState>,
    access: OrgAccess<ManageUsers>,
) -> Result<Response, WebError> {
    let users = state
        .store
        .list_users(Some(access.user.principal.org))
        .await?;
    let docs: Vec<UserDoc> = users
        .into_iter()
        .map(|u| UserDoc {
            id: u.id.0,
            username: u.username,
            role: u.role,
            disabled: u.disabled,
        })
        .collect();
    Ok(json(StatusCode::OK, &docs))
}

#[derive(Deserialize, ToSchema)]
pub struct NewUserRequest {
    pub username: String,
    pub password: String,
    pub role: String,
    /// Health-personnel qualification: specialist, physician, gp or other (the default).
    #[serde(default)]
    pub qualification: Option<String>,
}

/// Add a user to the caller's organisation (org-admin).
#[utoipa::path(post, path = "/api/v1/users", request_body = NewUserRequest,
    responses((status = 201, body = Created), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn add_user(
    State(state): State<AppState>,
    access: OrgAccess<ManageUsers>,
    ApiJson(req): ApiJson<NewUserRequest>,
) -> Result<Response, WebError> {
    let username = parse_username(&req.username)?;
    let role = parse_assignable_role(&req.role)?;
    let qualification = req
        .qualification
        .as_deref()
        .map(crate::html::parse_qualification)
        .transpose()?
        .unwrap_or(varde_core::org::Qualification::Other);
    auth::check_new_password(&req.password)?;
    let hash = auth::hash_password(req.password).await?;
    let id = state
        .store
        .create_user(
            access.user.principal.org,
            role,
            qualification,
            &username,
            &hash,
            state.clock.now(),
        )
        .await?;
    Ok(json(StatusCode::CREATED, &Created { id: id.0 }))
}

/// Disable a user of the caller's organisation (org-admin); ends their sessions.
#[utoipa::path(post, path = "/api/v1/users/{id}/disable", params(("id" = i64, Path)), responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn disable_user(
    State(state): State<AppState>,
    access: OrgAccess<ManageUsers>,
    Path(id): Path<i64>,
) -> Result<StatusCode, WebError> {
    let target = state.store.user(UserId(id)).await?;
    if target.org_id != access.user.principal.org {
        return Err(WebError::not_found());
    }
    state.store.set_user_disabled(target.id, true).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
pub struct AuditQuery {
    #[serde(default)]
    pub flagged: bool,
    #[serde(default)]
    pub limit: Option<i64>,
}

/// The access log of the caller's organisation, newest first (auditor).
#[utoipa::path(get, path = "/api/v1/audit", params(("flagged" = Option<bool>, Query), ("limit" = Option<i64>, Query)),
    responses((status = 200, description = "access-log entries"), (status = 403, body = Problem)))]
async fn audit(
    State(state): State<AppState>,
    access: OrgAccess<ReadAudit>,
    Query(q): Query<AuditQuery>,
) -> Result<Response, WebError> {
    let entries = state
        .store
        .access_log(&AccessFilter {
            org_id: Some(access.user.principal.org.0),
            flagged_only: q.flagged,
            limit: q.limit.unwrap_or(500).clamp(1, 10_000),
            ..Default::default()
        })
        .await?;
    Ok(json(StatusCode::OK, &entries))
}

#[derive(Deserialize, ToSchema)]
pub struct PersonReportRequest {
    pub national_id: String,
}

/// Who accessed one person's data, and when (pasientjournalloven § 18). The identity
/// number goes in the body, never in a URL.
#[utoipa::path(post, path = "/api/v1/audit/person-report", request_body = PersonReportRequest,
    responses((status = 200, description = "access-log entries for the person"), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn audit_report(
    State(state): State<AppState>,
    access: OrgAccess<PersonReport>,
    ApiJson(req): ApiJson<PersonReportRequest>,
) -> Result<Response, WebError> {
    let entries = person_report(&state, &access, &req.national_id).await?;
    Ok(json(StatusCode::OK, &entries))
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Varde API",
        description = "The information system for Norway's substance-use field."
    ),
    paths(
        login,
        logout,
        me,
        create,
        list,
        read,
        correct,
        orgs,
        users,
        add_user,
        disable_user,
        audit,
        audit_report
    ),
    components(schemas(
        LoginRequest,
        TokenResponse,
        Me,
        NewPersonRequest,
        Created,
        PersonDoc,
        CorrectionRequest,
        OrgDoc,
        UserDoc,
        NewUserRequest,
        PersonReportRequest,
        Problem,
        FieldProblem
    ))
)]
pub struct ApiDoc;

/// The whole API's document, built and merged once (it does not change while running).
static OPENAPI: std::sync::LazyLock<utoipa::openapi::OpenApi> = std::sync::LazyLock::new(|| {
    let mut doc = ApiDoc::openapi();
    doc.merge(crate::pathways::PathwaysApiDoc::openapi());
    doc.merge(crate::treatment::TreatmentApiDoc::openapi());
    doc.merge(crate::treatment_national::NationalApiDoc::openapi());
    doc
});

async fn openapi() -> Response {
    json(StatusCode::OK, &*OPENAPI)
}
