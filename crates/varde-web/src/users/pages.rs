//! The user administration page (`/admin/users`) and its forms.

use askama::Template;
use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;
use varde_core::org::{Role, UserId};
use varde_store::User;

use super::{Change, NewUser};
use crate::authz::{ManageUsers, OrgAccess};
use crate::error::WebError;
use crate::forms::{finish, render, CsrfForm, PageResult};
use crate::shell::{Chrome, Page};
use crate::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/users", get(list).post(add))
        .route("/admin/users/{id}/{op}", post(change))
}

#[derive(Template)]
#[template(path = "users/list.html")]
struct UsersT {
    c: Chrome,
    users: Vec<User>,
    roles: Vec<&'static str>,
    error: Option<String>,
}

fn role_names() -> Vec<&'static str> {
    Role::ALL
        .iter()
        .filter(|r| **r != Role::SystemAdmin)
        .map(|r| r.as_str())
        .collect()
}

async fn users_page(
    state: &AppState,
    c: Chrome,
    access: &OrgAccess<ManageUsers>,
    error: Option<String>,
) -> PageResult {
    let users = state.store.list_users(Some(access.org())).await?;
    render(&UsersT {
        c,
        users,
        roles: role_names(),
        error,
    })
}

async fn list(
    State(state): State<AppState>,
    page: Page,
    access: OrgAccess<ManageUsers>,
) -> PageResult {
    users_page(&state, page.c, &access, None).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct UserForm {
    username: String,
    password: String,
    role: String,
}

async fn add(
    State(state): State<AppState>,
    page: Page,
    access: OrgAccess<ManageUsers>,
    CsrfForm(f): CsrfForm<UserForm>,
) -> PageResult {
    let new = NewUser {
        username: &f.username,
        password: &f.password,
        role: &f.role,
        qualification: "",
    };
    let result = super::add(&state, &access, new).await;
    let l = page.c.l;
    finish(
        result,
        |_| "/admin/users".to_owned(),
        |e| users_page(&state, page.c, &access, Some(e.message(l))),
    )
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct UserOpForm {
    role: String,
    qualification: String,
    reason: String,
}

async fn change(
    State(state): State<AppState>,
    page: Page,
    access: OrgAccess<ManageUsers>,
    Path((id, op)): Path<(i64, String)>,
    CsrfForm(f): CsrfForm<UserOpForm>,
) -> PageResult {
    let change = match op.as_str() {
        "disable" => Change::Disable,
        "enable" => Change::Enable,
        "role" => Change::Role(&f.role),
        "qualification" => Change::Qualification(&f.qualification),
        _ => return Err(WebError::not_found()),
    };
    let result = super::change(&state, &access, UserId(id), change, &f.reason).await;
    let l = page.c.l;
    finish(
        result,
        |_| "/admin/users".to_owned(),
        |e| users_page(&state, page.c, &access, Some(e.message(l))),
    )
    .await
}
