//! One error type for the web layer. API errors are problem documents (RFC 9457,
//! `application/problem+json`); HTML errors are a page. The user sees what was wrong (the
//! field and the rule); the cause chain goes to the log, never to the response.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Serialize;
use varde_core::authz::Decision;
use varde_core::person::FieldError;
use varde_store::StoreError;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FieldProblem {
    pub field: String,
    pub rule: String,
}

/// An RFC 9457 problem document.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldProblem>,
}

#[derive(Debug)]
pub struct WebError {
    pub status: StatusCode,
    pub slug: &'static str,
    pub title: &'static str,
    pub detail: String,
    pub errors: Vec<FieldProblem>,
    /// Render as an HTML page rather than a problem document.
    pub html: bool,
    /// For HTML: send the browser to the login page instead of an error page.
    pub to_login: bool,
}

impl WebError {
    fn new(
        status: StatusCode,
        slug: &'static str,
        title: &'static str,
        detail: impl Into<String>,
    ) -> Self {
        WebError {
            status,
            slug,
            title,
            detail: detail.into(),
            errors: Vec::new(),
            html: false,
            to_login: false,
        }
    }

    pub fn html(mut self) -> Self {
        self.html = true;
        self
    }

    pub fn invalid(field: &str, rule: impl Into<String>) -> Self {
        let rule = rule.into();
        let mut e = Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid-input",
            "Invalid input",
            format!("{field}: {rule}"),
        );
        e.errors.push(FieldProblem {
            field: field.to_owned(),
            rule,
        });
        e
    }

    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "bad-request",
            "Bad request",
            detail,
        )
    }

    pub fn login_failed() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "login-failed",
            "Login failed",
            "Wrong username or password, or the account is temporarily locked after repeated failures.",
        )
    }

    pub fn unauthenticated(api: bool) -> Self {
        let mut e = Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "Not logged in",
            "Log in to continue.",
        );
        e.html = !api;
        e.to_login = !api;
        e
    }

    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", "Access denied", detail)
    }

    /// The refusal of a denied [`Decision`], naming its reason.
    pub fn denied(decision: &Decision) -> Self {
        Self::forbidden(format!("Access denied: {}.", decision.reason.as_str()))
    }

    pub fn not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not-found",
            "Not found",
            "There is nothing here.",
        )
    }

    pub fn conflict(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, "conflict", "Conflict", detail)
    }

    pub fn csrf() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "csrf",
            "Form expired",
            "The form's security token is missing or stale. Reload the page and try again.",
        )
    }

    pub fn internal(cause: &str) -> Self {
        tracing::error!(cause, "internal error");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "Internal error",
            "Something went wrong on our side. Nothing was saved.",
        )
    }

    pub fn problem(&self) -> Problem {
        Problem {
            kind: format!("https://varde.invalid/problems/{}", self.slug),
            title: self.title.to_owned(),
            status: self.status.as_u16(),
            detail: self.detail.clone(),
            errors: self.errors.clone(),
        }
    }
}

impl From<FieldError> for WebError {
    fn from(e: FieldError) -> Self {
        WebError::invalid(e.field, e.rule)
    }
}

impl From<StoreError> for WebError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => WebError::not_found(),
            StoreError::Conflict(what) => WebError::conflict(what),
            other => {
                // The cause goes to the log only; it may name tables or values.
                tracing::error!(error = %other, "storage error");
                WebError::internal("storage")
            }
        }
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        if self.html && self.to_login {
            return Redirect::to("/login").into_response();
        }
        if self.html {
            let items: String = self
                .errors
                .iter()
                .map(|f| format!("<li>{}: {}</li>", escape(&f.field), escape(&f.rule)))
                .collect();
            let body = format!(
                "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
                 <title>{title} – Varde</title><link rel=\"stylesheet\" href=\"/static/varde.css\"></head>\
                 <body><main id=\"main\" class=\"narrow\"><h1>{title}</h1><p role=\"alert\">{detail}</p><ul>{items}</ul>\
                 <p><a href=\"/\">Varde</a></p></main></body></html>",
                title = escape(self.title),
                detail = escape(&self.detail),
            );
            return (
                self.status,
                [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
                body,
            )
                .into_response();
        }
        let body = serde_json::to_string(&self.problem()).unwrap_or_else(|_| "{}".to_owned());
        (
            self.status,
            [(header::CONTENT_TYPE, "application/problem+json")],
            body,
        )
            .into_response()
    }
}
