//! Logging in and out: the login page (with a double-submit CSRF token, since there is no
//! session yet) and logout, and the API's session (`POST /api/v1/session` gives a bearer
//! token) and `GET /api/v1/me`. Passwords, sessions and back-off are `crate::auth`.

use askama::Template;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::{json, ApiJson};
use crate::auth::{self, CurrentUser, LOGIN_CSRF_COOKIE};
use crate::error::{Problem, WebError};
use crate::forms::{render, CsrfForm, NoFields, PageResult};
use crate::i18n::Lang;
use crate::shell::{append_cookie, Chrome};
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/login", get(login_page).post(login_submit))
        .route("/logout", post(logout))
}

pub fn api_routes() -> Router<AppState> {
    Router::new()
        .route("/session", post(api_login).delete(api_logout))
        .route("/me", get(me))
}

#[derive(Template)]
#[template(path = "sessions/login.html")]
struct LoginT {
    c: Chrome,
    error: Option<String>,
    login_csrf: String,
    username: String,
}

fn login_form(state: &AppState, l: Lang, error: Option<String>, username: String) -> PageResult {
    // Login CSRF: a double-submit token in a cookie and in the form.
    let token = auth::random_token();
    let secure = if state.config.tls { "; Secure" } else { "" };
    let cookie = format!(
        "{LOGIN_CSRF_COOKIE}={token}; Path=/login; HttpOnly; SameSite=Strict; Max-Age=3600{secure}"
    );
    let refused = error.is_some();
    let mut res = render(&LoginT {
        c: Chrome::anonymous(l, "/login"),
        error,
        login_csrf: token,
        username,
    })?;
    append_cookie(&mut res, &cookie);
    if refused {
        *res.status_mut() = StatusCode::UNAUTHORIZED;
    }
    Ok(res)
}

async fn login_page(State(state): State<AppState>, l: Lang) -> PageResult {
    login_form(&state, l, None, String::new())
}

#[derive(Deserialize)]
struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    csrf: String,
}

struct LoginCsrf(Option<String>);
impl<S: Send + Sync> FromRequestParts<S> for LoginCsrf {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(LoginCsrf(
            auth::cookie(&parts.headers, LOGIN_CSRF_COOKIE).map(str::to_owned),
        ))
    }
}

async fn login_submit(
    State(state): State<AppState>,
    l: Lang,
    LoginCsrf(cookie): LoginCsrf,
    Form(f): Form<LoginForm>,
) -> PageResult {
    if cookie
        .as_deref()
        .is_none_or(|c| c.is_empty() || c != f.csrf)
    {
        return Err(WebError::csrf());
    }
    match auth::authenticate(&state, &f.username, &f.password).await {
        Ok(user) => {
            let (token, _) = auth::start_session(&state, &user).await?;
            let max_age = state.config.session_ttl.as_secs() as i64;
            let mut res = Redirect::to("/").into_response();
            append_cookie(
                &mut res,
                &auth::session_cookie(&token, state.config.tls, max_age),
            );
            append_cookie(
                &mut res,
                &auth::clear_cookie(LOGIN_CSRF_COOKIE, state.config.tls)
                    .replace("Path=/;", "Path=/login;"),
            );
            Ok(res)
        }
        Err(e) if e.slug == "login-failed" => {
            let msg = e.message(l);
            login_form(&state, l, Some(msg), f.username.chars().take(100).collect())
        }
        Err(e) => Err(e),
    }
}

async fn logout(
    State(state): State<AppState>,
    user: CurrentUser,
    CsrfForm(NoFields {}): CsrfForm<NoFields>,
) -> PageResult {
    state.store.delete_session(&user.token_hash).await?;
    let mut res = Redirect::to("/login").into_response();
    append_cookie(
        &mut res,
        &auth::clear_cookie(auth::SESSION_COOKIE, state.config.tls),
    );
    Ok(res)
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
async fn api_login(
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
async fn api_logout(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<StatusCode, WebError> {
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

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(api_login, api_logout, me),
    components(schemas(LoginRequest, TokenResponse, Me))
)]
pub struct ApiDoc;
