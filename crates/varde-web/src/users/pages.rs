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
use crate::forms::{finish, render, CsrfForm, FormError, PageResult};
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
    /// The form to add a user, as typed (never the password).
    add: UserForm,
    /// A refusal of the add form.
    add_error: FormError,
    /// A refusal of one user's form: the user, the form (`role`, `qualification`, `disable`,
    /// `enable`), the form as typed and the refusal.
    row: Option<RowError>,
}

struct RowError {
    user: i64,
    op: String,
    form: UserOpForm,
    error: FormError,
}

impl UsersT {
    /// The refusal of user `id`'s form `op`, if it was that one.
    fn row_error(&self, id: &UserId, op: &str) -> Option<&FormError> {
        self.row
            .as_ref()
            .filter(|r| r.user == id.0 && r.op == op)
            .map(|r| &r.error)
    }

    /// The reason typed in user `id`'s form `op`, when it is shown again.
    fn reason_of(&self, id: &UserId, op: &str) -> &str {
        self.row
            .as_ref()
            .filter(|r| r.user == id.0 && r.op == op)
            .map_or("", |r| r.form.reason.as_str())
    }

    /// The value to select in user `u`'s `op` form: as typed when shown again, else the
    /// user's own.
    fn selected(&self, u: &User, op: &str) -> String {
        match self.row.as_ref().filter(|r| r.user == u.id.0 && r.op == op) {
            Some(r) if op == "role" => r.form.role.clone(),
            Some(r) => r.form.qualification.clone(),
            None if op == "role" => u.role.clone(),
            None => u.qualification.clone(),
        }
    }
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
    add: UserForm,
    add_error: FormError,
    row: Option<RowError>,
) -> PageResult {
    let users = state.store.list_users(Some(access.org())).await?;
    render(&UsersT {
        c,
        users,
        roles: role_names(),
        add,
        add_error,
        row,
    })
}

async fn list(
    State(state): State<AppState>,
    page: Page,
    access: OrgAccess<ManageUsers>,
) -> PageResult {
    let add = UserForm::default();
    users_page(&state, page.c, &access, add, FormError::default(), None).await
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
        |e| {
            // As typed, but the password is never sent back.
            let typed = UserForm {
                password: String::new(),
                ..f
            };
            users_page(&state, page.c, &access, typed, FormError::new(&e, l), None)
        },
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
        |e| {
            let row = RowError {
                user: id,
                op,
                form: f,
                error: FormError::new(&e, l),
            };
            let add = UserForm::default();
            users_page(
                &state,
                page.c,
                &access,
                add,
                FormError::default(),
                Some(row),
            )
        },
    )
    .await
}
