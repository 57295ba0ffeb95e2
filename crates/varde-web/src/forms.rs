//! The round trip of an HTML form, the same in every area: the form posts back with the
//! session's CSRF token ([`CsrfForm`] checks it before the handler runs); the handler runs the
//! area's operation — the same one the JSON API calls; on success the browser is sent to the
//! result (303); on a refusal the user can mend, the same page is shown again with the message,
//! what was typed, and the refusal's status ([`finish`]).

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
use crate::error::WebError;
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
            return Err(WebError::bad_request(
                "Form requests must have `Content-Type: application/x-www-form-urlencoded`",
            )
            .with_status(StatusCode::UNSUPPORTED_MEDIA_TYPE));
        }
        let bytes = Bytes::from_request(Request::from_parts(parts, body), state)
            .await
            .map_err(|_| {
                WebError::bad_request("the form is too large or could not be read")
                    .with_status(StatusCode::PAYLOAD_TOO_LARGE)
            })?;
        let token: Token = serde_urlencoded::from_bytes(&bytes).map_err(|e| failed(&e))?;
        user.check_csrf(&token.csrf)?;
        serde_urlencoded::from_bytes(&bytes)
            .map(CsrfForm)
            .map_err(|e| failed(&e))
    }
}

fn failed(e: &serde_urlencoded::de::Error) -> WebError {
    WebError::bad_request(format!("Failed to deserialize form body: {e}"))
        .with_status(StatusCode::UNPROCESSABLE_ENTITY)
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
