//! One error type for the web layer, and where it becomes a response.
//!
//! A handler or extractor fails with a [`WebError`]; its response is a problem document
//! (RFC 9457, `application/problem+json`) that also carries the error itself as a response
//! extension. Which form the client gets is decided once per router, not per handler: the
//! HTML router is wrapped in [`pages`], which turns every error response into an error page
//! in the page frame (menu, language switch) and the user's language (and an unauthenticated
//! request into a redirect to the login page); the API router keeps the problem documents.
//! [`rejections`] wraps both: axum's own extractor rejections (a path segment, query or form
//! that does not parse, a method or media type not taken) are plain developer text, and become
//! [`WebError`]s with their status and a message a person can read ([`rejection`]). The user
//! sees what was wrong (the field and the rule, never a type name or a bare status line); the
//! cause chain goes to the log, never to the response.

use askama::Template;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Serialize;
use varde_core::authz::Decision;
use varde_core::fields::FieldError;
use varde_store::StoreError;

use crate::auth::CurrentUser;
use crate::i18n::Lang;
use crate::shell::Chrome;
use crate::AppState;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FieldProblem {
    pub field: String,
    /// The rule broken, in English.
    pub rule: String,
    /// The rule's stable code (`date.format`, `lar.specialist`, …), when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
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

#[derive(Debug, Clone)]
pub struct WebError {
    pub status: StatusCode,
    pub slug: &'static str,
    pub title: &'static str,
    pub detail: String,
    pub errors: Vec<FieldProblem>,
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
        }
    }

    pub fn invalid(field: &str, rule: impl Into<String>) -> Self {
        let rule = rule.into();
        Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid-input",
            "Invalid input",
            format!("{field}: {rule}"),
        )
        .and_field(field, rule)
    }

    /// Every refusal of a form or a body at once (422), each naming its field; the detail is
    /// the first.
    pub fn invalid_fields(errors: Vec<varde_core::fields::FieldError>) -> Self {
        let mut it = errors.into_iter();
        let Some(first) = it.next() else {
            return Self::invalid_input("invalid input");
        };
        it.fold(Self::invalid(&first.field, first.rule), |e, f| {
            e.and_field(&f.field, f.rule)
        })
    }

    /// The problem with one more field's refusal in its list.
    pub fn and_field(mut self, field: &str, rule: impl Into<String>) -> Self {
        let rule = rule.into();
        self.errors.push(FieldProblem {
            field: field.to_owned(),
            code: crate::i18n::rule_code(&rule).map(str::to_owned),
            rule,
        });
        self
    }

    /// Invalid input that no single field names (the rows of a file): 422, `invalid-input`.
    pub fn invalid_input(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid-input",
            "Invalid input",
            detail,
        )
    }

    /// The error as a problem document with extension members (RFC 9457, § 3.2) beside its
    /// own: `members` must serialise as a map whose keys are not the problem's.
    pub fn with_members<T: Serialize>(self, members: T) -> Response {
        #[derive(Serialize)]
        struct WithMembers<T> {
            #[serde(flatten)]
            problem: Problem,
            #[serde(flatten)]
            members: T,
        }
        let body = serde_json::to_string(&WithMembers {
            problem: self.problem(),
            members,
        });
        self.respond(body.unwrap_or_else(|_| "{}".to_owned()))
    }

    fn respond(self, body: String) -> Response {
        let mut res = (
            self.status,
            [(header::CONTENT_TYPE, "application/problem+json")],
            body,
        )
            .into_response();
        // For [`pages`]: the HTML router shows the same error as a page.
        res.extensions_mut().insert(self);
        res
    }

    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "bad-request",
            "Bad request",
            detail,
        )
    }

    /// The same error with another status (a body too large, a media type not accepted).
    pub fn with_status(mut self, status: StatusCode) -> Self {
        self.status = status;
        self
    }

    pub fn login_failed() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "login-failed",
            "Login failed",
            "Wrong username or password, or the account is temporarily locked after repeated failures.",
        )
    }

    pub fn unauthenticated() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "Not logged in",
            "Log in to continue.",
        )
    }

    /// The refusal of a denied [`Decision`], naming its reason.
    pub fn denied(decision: &Decision) -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "Access denied",
            format!("Access denied: {}.", decision.reason.as_str()),
        )
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

    /// A client over its rate limit (`crate::limits`): try again in `secs` seconds.
    pub fn too_many_requests(secs: u64) -> Self {
        Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate-limited",
            "Too many requests",
            format!("Too many requests from this client; try again in {secs} s."),
        )
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

    /// Whether the user can mend what was refused and send the form again: a client error
    /// other than a missing page or a missing login.
    pub fn is_mendable(&self) -> bool {
        self.status.is_client_error()
            && self.status != StatusCode::NOT_FOUND
            && self.status != StatusCode::UNAUTHORIZED
    }

    /// What went wrong, for a person reading a page in `l`: each field and its rule, or the
    /// error's text, translated (the problem document keeps the English with a rule code).
    pub fn message(&self, l: Lang) -> String {
        if l == Lang::En {
            return self.detail.clone();
        }
        if self.errors.is_empty() {
            return l.rule(&self.detail);
        }
        self.errors
            .iter()
            .map(|p| format!("{}: {}", l.field(&p.field), l.rule(&p.rule)))
            .collect::<Vec<_>>()
            .join("; ")
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

    /// The field the refusal names first, if any: a form shown again puts the message beside
    /// that field (`forms::FormError`).
    pub fn field(&self) -> Option<&str> {
        self.errors.first().map(|p| p.field.as_str())
    }

    /// The error as an HTML page in `l`, in the frame of a page shown to someone not logged in
    /// (a refusal made before the session is read: a rate limit); see [`WebError::page_in`].
    pub fn page(&self, l: Lang) -> Response {
        self.page_in(Chrome::anonymous(l, "/"))
    }

    /// The error as an HTML page in the frame `c` (menu, language switch), in its language;
    /// not logged in, the way to the login page instead.
    pub fn page_in(&self, c: Chrome) -> Response {
        if self.slug == "unauthenticated" {
            return Redirect::to("/login").into_response();
        }
        let l = c.l;
        let items = self
            .errors
            .iter()
            .map(|f| format!("{}: {}", l.field(&f.field), l.rule(&f.rule)))
            .collect();
        let detail = if self.errors.is_empty() {
            l.rule(&self.detail)
        } else {
            String::new()
        };
        let page = ErrorT {
            title: l.rule(self.title),
            c,
            detail,
            items,
        };
        let body = page.render().unwrap_or_else(|_| {
            // The template is compiled in; should it fail, still a page and no detail.
            format!(
                "<!doctype html><html lang=\"{}\"><title>Varde</title><h1>{}</h1>",
                l.code(),
                escape(&page.title)
            )
        });
        (
            self.status,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            body,
        )
            .into_response()
    }
}

/// An error page: the page frame with the error's title, its text or the fields and their
/// rules, and the way back.
#[derive(Template)]
#[template(path = "shell/error.html")]
struct ErrorT {
    c: Chrome,
    title: String,
    detail: String,
    items: Vec<String>,
}

impl From<FieldError> for WebError {
    fn from(e: FieldError) -> Self {
        WebError::invalid(&e.field, e.rule)
    }
}

impl From<StoreError> for WebError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => WebError::not_found(),
            StoreError::Conflict(what) | StoreError::Changed(what) => WebError::conflict(what),
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
        let body = serde_json::to_string(&self.problem()).unwrap_or_else(|_| "{}".to_owned());
        self.respond(body)
    }
}

/// Middleware of the HTML router: every error response becomes an error page in the page
/// frame (the menu of the logged-in user, the language switch), in the language of the
/// request.
pub async fn pages(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let l = Lang::of(req.headers());
    let path = req.uri().path().to_owned();
    let method = req.method().clone();
    let headers = req.headers().clone();
    let res = next.run(req).await;
    let Some(e) = res.extensions().get::<WebError>() else {
        return res;
    };
    let e = e.clone();
    if e.slug == "unauthenticated" {
        return e.page(l);
    }
    // The request's user, for the frame: read again (the handler's extractors kept it in
    // their own copy of the request). Without one — not logged in, or the database is what
    // failed — the frame of an anonymous page.
    let mut probe = Request::new(axum::body::Body::empty());
    *probe.headers_mut() = headers;
    let (mut parts, _) = probe.into_parts();
    let mut c = match CurrentUser::from_request_parts(&mut parts, &state).await {
        Ok(user) => Chrome::for_user(&state, l, &user, &path)
            .await
            .unwrap_or_else(|_| Chrome::anonymous(l, &path)),
        Err(_) => Chrome::anonymous(l, &path),
    };
    c.after(&method);
    let mut page = e.page_in(c);
    // Headers the refusal set (`Allow` of a 405, `Retry-After`) stay.
    for (name, value) in res.headers() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            page.headers_mut().insert(name.clone(), value.clone());
        }
    }
    page
}

/// What a refusal axum makes itself (an extractor's plain text, an empty 405) says, as a
/// [`WebError`] a person can read: the field of a query or form that does not parse (never
/// serde's or Rust's words for it), an address that is not one of this site's, a method or a
/// media type the page does not take, a body too large.
pub fn rejection(status: StatusCode, text: &str) -> WebError {
    let field_of = |rest: &str| {
        rest.split_once(": ")
            .map(|(f, _)| f)
            .filter(|f| {
                !f.is_empty()
                    && f.chars()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '[' | ']'))
            })
            .map(str::to_owned)
    };
    let named = |prefix: &str| text.strip_prefix(prefix).map(field_of);
    let mut e = if let Some(field) = named("Failed to deserialize query string: ") {
        match field {
            Some(f) => WebError::invalid(&f, "not a valid value"),
            None => WebError::bad_request("the address holds a value that is not valid"),
        }
    } else if let Some(field) = named("Failed to deserialize form body: ") {
        match field {
            Some(f) => WebError::invalid(&f, "not a valid value"),
            None => WebError::bad_request("the form holds a value that is not valid"),
        }
    } else {
        match status {
            StatusCode::METHOD_NOT_ALLOWED => WebError::new(
                status,
                "method-not-allowed",
                "Not available this way",
                "this address cannot be used this way: follow the links and forms of the pages",
            ),
            StatusCode::UNSUPPORTED_MEDIA_TYPE => WebError::new(
                status,
                "unsupported-media-type",
                "Wrong format",
                "what was sent is not in a form this address takes",
            ),
            StatusCode::PAYLOAD_TOO_LARGE => WebError::new(
                status,
                "too-large",
                "Too large",
                "what was sent is too large",
            ),
            StatusCode::NOT_FOUND => WebError::not_found(),
            // An address whose path does not parse (`/persons/abc`), or any other refusal.
            _ if text.contains("URL") || text.contains("path") => {
                WebError::bad_request("the address is not valid: check the link")
            }
            _ => WebError::bad_request("the request could not be handled"),
        }
    };
    e.status = status;
    e
}

/// Middleware of both routers: axum's own answers to a request it refuses (4xx: a plain-text
/// rejection, or an empty 405 with its `Allow`) become [`WebError`]s ([`rejection`]) with the
/// same status, keeping their other headers — so that every 4xx is a problem document or a
/// page, and none shows developer text.
pub async fn rejections(req: Request, next: Next) -> Response {
    let res = next.run(req).await;
    let content_type = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    let bare = content_type.is_none_or(|v| v.starts_with("text/plain"));
    if !(bare && res.status().is_client_error()) || res.extensions().get::<WebError>().is_some() {
        return res;
    }
    let (parts, body) = res.into_parts();
    let text = match axum::body::to_bytes(body, 16 * 1024).await {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(_) => String::new(),
    };
    // The cause, for whoever reads the log; never for the response.
    tracing::debug!(status = parts.status.as_u16(), text, "request refused");
    let mut out = rejection(parts.status, &text).into_response();
    for (name, value) in &parts.headers {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            out.headers_mut().insert(name.clone(), value.clone());
        }
    }
    out
}
