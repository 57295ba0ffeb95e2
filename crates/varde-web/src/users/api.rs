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

/// Disable a user of the caller's organisation (org-admin); ends their sessions.
#[utoipa::path(post, path = "/api/v1/users/{id}/disable", params(("id" = i64, Path)), responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn disable_user(
    State(state): State<AppState>,
    access: OrgAccess<ManageUsers>,
    Path(id): Path<i64>,
) -> Result<StatusCode, WebError> {
    super::change(&state, &access, UserId(id), Change::Disable).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(orgs, users, add_user, disable_user),
    components(schemas(OrgDoc, UserDoc, NewUserRequest, CreatedUser))
)]
pub struct ApiDoc;
