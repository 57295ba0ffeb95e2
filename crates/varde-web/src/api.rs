//! The JSON API under `/api/v1`: the same operations as the pages, for other systems. Each
//! area mounts its own `api_routes()` here and contributes its OpenAPI document (its
//! `ApiDoc`) to `/api/v1/openapi.json`. Errors are problem documents (RFC 9457).

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::middleware::from_fn;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde::de::DeserializeOwned;
use serde::Serialize;
use utoipa::{OpenApi, ToSchema};

use crate::error::{FieldProblem, Problem, WebError};
use crate::{
    audit, auth, drugcheck, error, feedback, pathways, persons, sessions, users, warnings, AppState,
};

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(sessions::api_routes())
        .merge(persons::api_routes())
        .merge(users::api_routes())
        .merge(audit::api_routes())
        .merge(pathways::api_routes())
        .merge(warnings::api_routes())
        .merge(drugcheck::api_routes())
        .merge(feedback::api_routes())
        .merge(crate::monitoring::api_routes())
        .merge(crate::results::api_routes())
        .merge(crate::advisory::api_routes())
        .merge(crate::coordination::api_routes())
        .route("/openapi.json", get(openapi))
        .fallback(|| async { WebError::not_found() })
        .layer(from_fn(error::rejections))
        .layer(from_fn(mark))
}

/// Marks every request the API router serves as one ([`auth::ApiRequest`]).
async fn mark(mut req: Request, next: axum::middleware::Next) -> Response {
    req.extensions_mut().insert(auth::ApiRequest);
    next.run(req).await
}

/// `Json` whose rejections are problem documents naming what was wrong.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = WebError;
    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(ApiJson(v)),
            Err(rej) => Err(match rej {
                JsonRejection::MissingJsonContentType(_) => WebError::bad_request(
                    "expected a JSON body with Content-Type: application/json",
                )
                .with_status(StatusCode::UNSUPPORTED_MEDIA_TYPE),
                JsonRejection::JsonSyntaxError(e) => WebError::bad_request(format!(
                    "malformed JSON: {}",
                    e.body_text().chars().take(200).collect::<String>()
                )),
                JsonRejection::JsonDataError(e) => {
                    WebError::invalid("body", e.body_text().chars().take(300).collect::<String>())
                }
                JsonRejection::BytesRejection(_) => {
                    WebError::bad_request("the request body is too large or could not be read")
                        .with_status(StatusCode::PAYLOAD_TOO_LARGE)
                }
                _ => WebError::bad_request("the request body could not be read as JSON"),
            }),
        }
    }
}

/// A JSON answer with a status.
pub fn json<T: Serialize>(status: StatusCode, v: &T) -> Response {
    (status, axum::Json(v)).into_response()
}

/// The id of a record created.
#[derive(Serialize, ToSchema)]
pub struct Created {
    pub id: i64,
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Varde API",
        description = "The information system for Norway's substance-use field."
    ),
    components(schemas(Created, Problem, FieldProblem))
)]
struct Root;

/// The whole API's document: the root and every area's, merged once (it does not change while
/// running).
static OPENAPI: std::sync::LazyLock<utoipa::openapi::OpenApi> = std::sync::LazyLock::new(|| {
    let mut doc = Root::openapi();
    doc.merge(sessions::ApiDoc::openapi());
    doc.merge(persons::ApiDoc::openapi());
    doc.merge(users::ApiDoc::openapi());
    doc.merge(audit::ApiDoc::openapi());
    doc.merge(pathways::api_doc());
    doc.merge(warnings::api_doc());
    doc.merge(drugcheck::api_doc());
    doc.merge(feedback::api_doc());
    doc.merge(crate::monitoring::api_doc());
    doc.merge(crate::results::api_doc());
    doc.merge(crate::advisory::api_doc());
    doc.merge(crate::coordination::api_doc());
    doc
});

async fn openapi() -> Response {
    json(StatusCode::OK, &*OPENAPI)
}
