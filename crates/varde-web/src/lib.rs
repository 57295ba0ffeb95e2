//! Varde's web application: server-rendered HTML (askama) that works without JavaScript, and
//! a JSON API under `/api/v1` with an OpenAPI document. Sessions, CSRF, security headers and
//! the authorisation extractors live here; the rules they apply live in `varde-core`.
//!
//! **Architecture invariant:** handlers never decide access themselves. They receive an
//! [`authz::Allowed`] from an extractor that called [`varde_core::authz::decide`] and logged
//! any denial; a handler without such an extractor cannot reach personal data.

pub mod api;
pub mod auth;
pub mod authz;
pub mod bootstrap;
pub mod error;
pub mod html;
pub mod i18n;
pub mod pathways;
pub mod security;
pub mod treatment;
pub mod treatment_national;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use jiff::Timestamp;
use tokio::net::TcpListener;
use varde_core::ids::IdPolicy;
use varde_core::pseudonym::PseudonymKey;
use varde_store::Store;

/// Where "now" comes from: the system clock, or a fixed instant in tests.
#[derive(Debug, Clone)]
pub enum Clock {
    System,
    Fixed(Timestamp),
}

impl Clock {
    pub fn now(&self) -> Timestamp {
        match self {
            Clock::System => Timestamp::now(),
            Clock::Fixed(t) => *t,
        }
    }

    pub fn today(&self) -> jiff::civil::Date {
        self.now()
            .to_zoned(jiff::tz::TimeZone::get("Europe/Oslo").unwrap_or(jiff::tz::TimeZone::UTC))
            .date()
    }
}

/// Settings of one running server.
#[derive(Debug, Clone)]
pub struct Config {
    pub data_dir: PathBuf,
    /// Served behind TLS: cookies get `Secure`, responses get HSTS.
    pub tls: bool,
    /// Accept synthetic test identity numbers (the default; production turns it off).
    pub allow_synthetic_ids: bool,
    pub request_timeout: Duration,
    pub body_limit: usize,
    pub session_ttl: Duration,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            data_dir: PathBuf::from("data"),
            tls: false,
            allow_synthetic_ids: true,
            request_timeout: Duration::from_secs(30),
            body_limit: 64 * 1024,
            session_ttl: Duration::from_secs(8 * 3600),
        }
    }
}

pub struct Inner {
    pub store: Store,
    pub key: PseudonymKey,
    pub clock: Clock,
    pub config: Config,
    /// A real Argon2id hash of a random password, verified against when the username is
    /// unknown so that the answer takes as long as for a known user.
    pub dummy_hash: String,
    /// Parsed pathway events per organisation, reused while unchanged.
    pub pathway_cache: pathways::PathwayCache,
    /// Imports under way at once (each may hold a large file's parsed rows): at most
    /// [`pathways::IMPORTS_AT_ONCE`]; the others wait their turn (within the request timeout).
    pub imports: tokio::sync::Semaphore,
}

/// Shared application state.
#[derive(Clone)]
pub struct AppState(pub Arc<Inner>);

impl std::ops::Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl AppState {
    pub fn new(
        store: Store,
        key: PseudonymKey,
        clock: Clock,
        config: Config,
    ) -> Result<Self, auth::AuthError> {
        let dummy_hash = auth::hash_password_blocking(&auth::random_token())?;
        Ok(AppState(Arc::new(Inner {
            store,
            key,
            clock,
            config,
            dummy_hash,
            pathway_cache: Default::default(),
            imports: tokio::sync::Semaphore::new(pathways::IMPORTS_AT_ONCE),
        })))
    }

    pub fn id_policy(&self) -> IdPolicy {
        IdPolicy::on(self.clock.today(), self.config.allow_synthetic_ids)
    }
}

/// The whole router with its middleware.
pub fn router(state: AppState) -> Router {
    let body_limit = state.config.body_limit;
    let timeout = state.config.request_timeout;
    let tls = state.config.tls;
    Router::new()
        .merge(html::routes())
        .merge(pathways::html_routes())
        .merge(treatment::html_routes())
        .merge(treatment_national::html_routes())
        .nest("/api/v1", api::routes())
        .route("/healthz", axum::routing::get(|| async { "ok" }))
        .route(
            "/static/varde.css",
            axum::routing::get(security::stylesheet),
        )
        .fallback(html::not_found)
        .layer(axum::middleware::from_fn(rejections_as_problems))
        .layer(axum::extract::DefaultBodyLimit::max(body_limit))
        .layer(axum::middleware::from_fn(move |req, next| {
            security::headers(tls, req, next)
        }))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            timeout,
        ))
        .with_state(state)
}

/// Extractor rejections (a path segment, query or form that does not parse, a body too large)
/// come from axum as plain text; every error this server sends is a problem document (API) or
/// an error page, so they are rewritten here, keeping their status and message.
async fn rejections_as_problems(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let api = auth::is_api_path(req.uri().path());
    let res = next.run(req).await;
    let plain = res
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/plain"));
    if !(plain && res.status().is_client_error()) {
        return res;
    }
    let (parts, body) = res.into_parts();
    let detail = match axum::body::to_bytes(body, 16 * 1024).await {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(_) => String::new(),
    };
    let mut e = error::WebError::bad_request(detail);
    e.status = parts.status;
    e.title = parts.status.canonical_reason().unwrap_or("Bad request");
    if !api {
        e = e.html();
    }
    let mut out = e.into_response();
    // Keep the rejection's other headers (e.g. `Allow`); the body and its type are new.
    for (name, value) in &parts.headers {
        if name != axum::http::header::CONTENT_TYPE && name != axum::http::header::CONTENT_LENGTH {
            out.headers_mut().insert(name.clone(), value.clone());
        }
    }
    out
}

/// A bound server, ready to run. Binding port 0 picks a free port ([`Application::addr`]).
pub struct Application {
    listener: TcpListener,
    router: Router,
}

impl Application {
    pub async fn bind(addr: &str, state: AppState) -> std::io::Result<Application> {
        let listener = TcpListener::bind(addr).await?;
        Ok(Application {
            listener,
            router: router(state),
        })
    }

    pub fn addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves until `shutdown` resolves, then finishes the requests in flight.
    pub async fn run<F>(self, shutdown: F) -> std::io::Result<()>
    where
        F: std::future::Future<Output = ()> + Send + 'static,
    {
        axum::serve(
            self.listener,
            self.router
                .into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown)
        .await
    }
}
