//! The round trip of an HTML form, the same in every area: the form posts back with the
//! session's CSRF token ([`CsrfForm`] checks it before the handler runs); the handler runs the
//! area's operation — the same one the JSON API calls; on success the browser is sent to the
//! result (303); on a refusal the user can mend, the same page is shown again with the message,
//! what was typed, the rule beside the field it names ([`FormError`]), and the refusal's status
//! ([`finish`]). A body that is not a form, or a field that does not parse, is refused before
//! the handler runs, naming the field, in the user's language (`error::rejection`).

use askama::Template;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use jiff::civil::Date;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use varde_core::fields::{self, FieldError};

use crate::auth::CurrentUser;
use crate::error::{rejection, WebError};
use crate::i18n::Lang;
use crate::AppState;

/// What a page handler answers.
pub type PageResult = Result<Response, WebError>;

/// A form body whose `csrf` field matched the session's token. Any other field is `T`'s.
pub struct CsrfForm<T>(pub T);

/// A form that carries nothing but its CSRF token (a logout button).
#[derive(Deserialize)]
pub struct NoFields {}

#[derive(Deserialize)]
struct Token {
    #[serde(default)]
    csrf: String,
}

impl<T: DeserializeOwned + Send> FromRequest<AppState> for CsrfForm<T> {
    type Rejection = WebError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let user = CurrentUser::from_request_parts(&mut parts, state).await?;
        let urlencoded = parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
        if !urlencoded {
            return Err(rejection(StatusCode::UNSUPPORTED_MEDIA_TYPE, ""));
        }
        let bytes = Bytes::from_request(Request::from_parts(parts, body), state)
            .await
            .map_err(|_| {
                WebError::bad_request("the form is too large or could not be read")
                    .with_status(StatusCode::PAYLOAD_TOO_LARGE)
            })?;
        let token: Token = parse(&bytes).await?;
        user.check_csrf(&token.csrf)?;
        parse(&bytes).await.map(CsrfForm)
    }
}

/// A form body as `T`; a field that does not parse is a 422 naming the field (axum's `Form`
/// knows the field's path; [`rejection`] turns its text into the field and a rule).
async fn parse<T: DeserializeOwned>(bytes: &Bytes) -> Result<T, WebError> {
    let mut req = Request::new(axum::body::Body::from(bytes.clone()));
    // A form in a body (axum reads a GET's form from the query).
    *req.method_mut() = axum::http::Method::POST;
    req.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("application/x-www-form-urlencoded"),
    );
    match axum::Form::<T>::from_request(req, &()).await {
        Ok(axum::Form(v)) => Ok(v),
        Err(r) => Err(rejection(StatusCode::UNPROCESSABLE_ENTITY, &r.body_text())),
    }
}

/// Renders a template as a page.
pub fn render<T: Template>(t: &T) -> PageResult {
    t.render()
        .map(|s| Html(s).into_response())
        .map_err(|_| WebError::internal("template"))
}

/// Renders a template as a page with a status (a form shown again after a refusal: 422 …).
pub fn render_status<T: Template>(t: &T, status: StatusCode) -> PageResult {
    let mut res = render(t)?;
    *res.status_mut() = status;
    Ok(res)
}

/// The end of a form's round trip: on success, a 303 to `to(value)`; on a refusal the user can
/// mend ([`WebError::is_mendable`]), `again(error)` — the page with the form again, which the
/// caller renders with the message and what was typed, at the refusal's status; any other
/// error is an error page.
pub async fn finish<T, F>(
    result: Result<T, WebError>,
    to: impl FnOnce(T) -> String,
    again: impl FnOnce(WebError) -> F,
) -> PageResult
where
    F: std::future::Future<Output = PageResult>,
{
    match result {
        Ok(v) => Ok(Redirect::to(&to(v)).into_response()),
        Err(e) if e.is_mendable() => {
            let status = e.status;
            let mut res = again(e).await?;
            *res.status_mut() = status;
            Ok(res)
        }
        Err(e) => Err(e),
    }
}

/// A refusal as a form shows it: the whole message above the form, and each field it names
/// beside that field, in the page's language. Every area's forms use it the same way: the
/// page's template struct has `error: FormError` (`FormError::default()` when nothing was
/// refused; `FormError::new(&e, l)` in [`finish`]'s `again`, with the values as typed), and the
/// template writes
///
/// ```text
/// {% if let Some(m) = error.message %}<p class="error" role="alert">{{ m }}</p>{% endif %}
/// <label for="name">…</label>
/// {% if let Some(r) = error.at("name") %}<span class="error" id="name-error">{{ r }}</span>{% endif %}
/// <input id="name" name="name" value="{{ form.name }}"{% if error.is("name") %} aria-invalid="true" aria-describedby="name-error"{% endif %}>
/// ```
///
/// `error_field` is the field named first (where a page with several forms shows the message,
/// or which field to focus); a refusal that names no field of the form has only `message`.
#[derive(Debug, Clone, Default)]
pub struct FormError {
    /// The refusal as one text ([`WebError::message`]).
    pub message: Option<String>,
    /// The field the refusal names first, by its form name (`birth_date`).
    pub error_field: Option<String>,
    /// Each field named, with its rule as shown.
    rules: Vec<(String, String)>,
}

impl FormError {
    pub fn new(e: &WebError, l: Lang) -> FormError {
        FormError {
            message: Some(e.message(l)),
            error_field: e.field().map(str::to_owned),
            rules: e
                .errors
                .iter()
                .map(|p| (p.field.clone(), l.rule(&p.rule)))
                .collect(),
        }
    }

    /// Whether the refusal names `field`.
    pub fn is(&self, field: &str) -> bool {
        self.rules.iter().any(|(f, _)| f == field)
    }

    /// The rule `field` broke, to show beside it.
    pub fn at(&self, field: &str) -> Option<&str> {
        self.rules
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, r)| r.as_str())
    }
}

/// `?as_of=YYYY-MM-DD`, today by default: the day a view of a register is of.
#[derive(Deserialize)]
pub struct AsOfQuery {
    pub as_of: Option<String>,
}

impl AsOfQuery {
    pub fn date(&self, today: Date) -> Result<Date, FieldError> {
        Ok(fields::opt_date("as_of", self.as_of.as_deref().unwrap_or(""))?.unwrap_or(today))
    }
}

/// `?year=YYYY`, this year by default.
#[derive(Deserialize)]
pub struct YearQuery {
    pub year: Option<String>,
}

impl YearQuery {
    pub fn year(&self, today: Date) -> Result<i16, FieldError> {
        fields::year("year", self.year.as_deref().unwrap_or(""), today.year())
    }
}

/// Percent-encodes a path segment (an id typed by a user, in a link or a redirect).
pub fn path_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_segments_are_encoded() {
        assert_eq!(path_segment("P-1_a.b~"), "P-1_a.b~");
        assert_eq!(path_segment("a/b c"), "a%2Fb%20c");
        assert_eq!(path_segment("ø"), "%C3%B8");
    }
}
