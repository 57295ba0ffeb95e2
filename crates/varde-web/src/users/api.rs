//! The user administration JSON API: `/api/v1/users`, and the organisations `/api/v1/orgs`.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use varde_core::org::UserId;

use super::{Change, NewUser};
use crate::api::{json, ApiJson};
use crate::auth::CurrentUser;
use crate::authz::{ManageUsers, OrgAccess};
use crate::error::{Problem, WebError};
use crate::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/orgs", get(orgs))
        .route("/users", get(users).post(add_user))
        .route("/users/{id}/disable", post(disable_user))
        .route("/users/{id}/enable", post(enable_user))
        .route("/users/{id}/role", post(change_role))
        .route("/users/{id}/qualification", post(change_qualification))
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
    let users = state.store.list_users(Some(access.org())).await?;
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

/// A user created: the id, and the username to log in with (the name given, scoped to the
/// organisation: `kari@kommune-0301`).
#[derive(Serialize, ToSchema)]
pub struct CreatedUser {
    pub id: i64,
    pub username: String,
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

/// Add a user to the caller's organisation (org-admin). The username is scoped to the
/// organisation: `kari` in Oslo is `kari@kommune-0301` (the answer gives it).
#[utoipa::path(post, path = "/api/v1/users", request_body = NewUserRequest,
    responses((status = 201, body = CreatedUser), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn add_user(
    State(state): State<AppState>,
    access: OrgAccess<ManageUsers>,
    ApiJson(req): ApiJson<NewUserRequest>,
) -> Result<Response, WebError> {
    let new = NewUser {
        username: &req.username,
        password: &req.password,
        role: &req.role,
        qualification: req.qualification.as_deref().unwrap_or(""),
    };
    let (id, username) = super::add(&state, &access, new).await?;
    Ok(json(
        StatusCode::CREATED,
        &CreatedUser { id: id.0, username },
    ))
}

/// Disable a user of the caller's organisation (org-admin); ends their sessions. Recorded as
/// an event with its author (a reason may be given, as `{"reason": …}`).
#[utoipa::path(post, path = "/api/v1/users/{id}/disable", params(("id" = i64, Path)), responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn disable_user(
    State(state): State<AppState>,
    access: OrgAccess<ManageUsers>,
    Path(id): Path<i64>,
    OptionalReason(reason): OptionalReason,
) -> Result<StatusCode, WebError> {
    super::change(&state, &access, UserId(id), Change::Disable, &reason).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Enable a user of the caller's organisation again (org-admin).
#[utoipa::path(post, path = "/api/v1/users/{id}/enable", params(("id" = i64, Path)), responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn enable_user(
    State(state): State<AppState>,
    access: OrgAccess<ManageUsers>,
    Path(id): Path<i64>,
    OptionalReason(reason): OptionalReason,
) -> Result<StatusCode, WebError> {
    super::change(&state, &access, UserId(id), Change::Enable, &reason).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The reason of a body `{"reason": …}`, if there is one (enabling and disabling need none;
/// any other body is no reason).
struct OptionalReason(String);

impl<S: Send + Sync> axum::extract::FromRequest<S> for OptionalReason {
    type Rejection = WebError;
    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, WebError> {
        let body = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|_| WebError::bad_request("the request body could not be read"))?;
        Ok(OptionalReason(
            serde_json::from_slice::<serde_json::Value>(&body)
                .ok()
                .and_then(|v| v["reason"].as_str().map(str::to_owned))
                .unwrap_or_default(),
        ))
    }
}

/// A change of a user's role, with its reason.
#[derive(Deserialize, ToSchema)]
pub struct RoleChange {
    pub role: String,
    pub reason: String,
}

/// A change of a user's health-personnel qualification, with its reason.
#[derive(Deserialize, ToSchema)]
pub struct QualificationChange {
    pub qualification: String,
    pub reason: String,
}

/// What a change did: the user, what changed from what to what, and why.
#[derive(Serialize, ToSchema)]
pub struct ChangeDoc {
    pub user: i64,
    pub username: String,
    pub field: String,
    pub from: String,
    pub to: String,
    pub reason: String,
}

impl From<varde_core::org::UserChanged> for ChangeDoc {
    fn from(c: varde_core::org::UserChanged) -> Self {
        ChangeDoc {
            user: c.user,
            username: c.username,
            field: c.field,
            from: c.from,
            to: c.to,
            reason: c.reason,
        }
    }
}

/// Change a user's role (org-admin); the reason is required. An event with its author and
/// reason, shown to the auditor.
#[utoipa::path(post, path = "/api/v1/users/{id}/role", params(("id" = i64, Path)), request_body = RoleChange,
    responses((status = 200, body = ChangeDoc), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn change_role(
    State(state): State<AppState>,
    access: OrgAccess<ManageUsers>,
    Path(id): Path<i64>,
    ApiJson(req): ApiJson<RoleChange>,
) -> Result<Response, WebError> {
    let change = Change::Role(&req.role);
    let c = super::change(&state, &access, UserId(id), change, &req.reason).await?;
    Ok(json(StatusCode::OK, &ChangeDoc::from(c)))
}

/// Change a user's health-personnel qualification (org-admin); the reason is required.
#[utoipa::path(post, path = "/api/v1/users/{id}/qualification", params(("id" = i64, Path)), request_body = QualificationChange,
    responses((status = 200, body = ChangeDoc), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn change_qualification(
    State(state): State<AppState>,
    access: OrgAccess<ManageUsers>,
    Path(id): Path<i64>,
    ApiJson(req): ApiJson<QualificationChange>,
) -> Result<Response, WebError> {
    let change = Change::Qualification(&req.qualification);
    let c = super::change(&state, &access, UserId(id), change, &req.reason).await?;
    Ok(json(StatusCode::OK, &ChangeDoc::from(c)))
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        orgs,
        users,
        add_user,
        disable_user,
        enable_user,
        change_role,
        change_qualification
    ),
    components(schemas(
        OrgDoc,
        UserDoc,
        NewUserRequest,
        CreatedUser,
        RoleChange,
        QualificationChange,
        ChangeDoc
    ))
)]
pub struct ApiDoc;
