//! The application: its settings, its shared state, the router that mounts every area, and a
//! bound server that runs until told to stop.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::middleware::from_fn;
use axum::Router;
use tokio::net::TcpListener;
use varde_core::ids::IdPolicy;
use varde_core::org::OrgId;
use varde_core::pseudonym::PseudonymKey;
use varde_store::Store;

use crate::limits::{Limiters, Limits};
use crate::{
    api, audit, auth, drugcheck, error, feedback, pathways, persons, security, sessions, shell,
    users, warnings, Clock,
};

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
    /// Rate limits per client (`crate::limits`).
    pub limits: Limits,
    /// The address the public reaches this deployment at (no trailing slash): the links in
    /// CAP documents and the Atom feed, and the sender of CAP alerts.
    pub public_url: String,
    /// Run the background work (the warnings' webhook deliveries, the advisory cases' erasure
    /// after their retention). Every server of a
    /// deployment may; tests turn it off to stop "between approval and delivery".
    pub background: bool,
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
            limits: Limits::default(),
            public_url: "http://localhost:8080".to_owned(),
            background: true,
        }
    }
}

/// How many CSV imports (of any area) are read and checked at the same time; the others wait
/// their turn (within the request timeout). Each may hold a large file's parsed rows.
pub const IMPORTS_AT_ONCE: usize = 2;

pub struct Inner {
    pub store: Store,
    pub key: PseudonymKey,
    pub clock: Clock,
    pub config: Config,
    /// A real Argon2id hash of a random password, verified against when the username is
    /// unknown so that the answer takes as long as for a known user.
    pub dummy_hash: String,
    /// Imports under way at once: at most [`IMPORTS_AT_ONCE`].
    pub imports: tokio::sync::Semaphore,
    /// The pathways area's state (its cache of parsed events).
    pub pathways: pathways::AreaState,
    /// The rate limiters of this server.
    pub limiters: Arc<Limiters>,
    /// The warnings area's state (its public cache, the delivery worker's wake-up).
    pub warnings: warnings::AreaState,
    /// The drug-checking area's state (the public lookups' limiter).
    pub drugcheck: drugcheck::AreaState,
    /// The feedback area's state (the answer pages' limiter).
    pub feedback: feedback::AreaState,
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

/// Why a server could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Auth(#[from] auth::AuthError),
    /// Oslo's time zone could not be loaded: no date would be right.
    #[error("{0}")]
    Zone(String),
}

impl AppState {
    pub fn new(
        store: Store,
        key: PseudonymKey,
        clock: Clock,
        config: Config,
    ) -> Result<Self, StartError> {
        crate::clock::check_zone().map_err(StartError::Zone)?;
        let dummy_hash = auth::hash_password_blocking(&auth::random_token())?;
        Ok(AppState(Arc::new(Inner {
            store,
            key,
            clock,
            limiters: Arc::new(Limiters::new(&config.limits)),
            drugcheck: drugcheck::AreaState::new(&config),
            feedback: feedback::AreaState::new(&config),
            config,
            dummy_hash,
            imports: tokio::sync::Semaphore::new(IMPORTS_AT_ONCE),
            pathways: pathways::AreaState::default(),
            warnings: warnings::AreaState::default(),
        })))
    }

    pub fn id_policy(&self) -> IdPolicy {
        IdPolicy::on(self.clock.today(), self.config.allow_synthetic_ids)
    }

    /// An organisation's name, or `#{id}` when it cannot be read (for labels, never for
    /// access).
    pub async fn org_label(&self, org: OrgId) -> String {
        match self.store.org(org).await {
            Ok(o) => o.name,
            Err(_) => format!("#{}", org.0),
        }
    }
}

/// The whole router with its middleware: the HTML pages of every area (errors as pages), the
/// JSON API under `/api/v1` (errors as problem documents), the health check and the stylesheet.
pub fn router(state: AppState) -> Router {
    let body_limit = state.config.body_limit;
    let timeout = state.config.request_timeout;
    let tls = state.config.tls;
    let pages = Router::new()
        .merge(shell::routes())
        .merge(sessions::routes())
        .merge(persons::routes())
        .merge(users::routes())
        .merge(audit::routes())
        .merge(pathways::routes())
        .merge(warnings::routes())
        .merge(drugcheck::routes())
        .merge(feedback::routes())
        .merge(crate::monitoring::routes())
        .merge(crate::results::routes())
        .merge(crate::advisory::routes())
        .merge(crate::coordination::routes())
        .fallback(shell::not_found)
        .layer(from_fn(error::rejections))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            error::pages,
        ));
    Router::new()
        .merge(pages)
        .nest("/api/v1", api::routes())
        .route("/healthz", axum::routing::get(|| async { "ok" }))
        .route(
            "/static/varde.css",
            axum::routing::get(security::stylesheet),
        )
        .layer(axum::extract::DefaultBodyLimit::max(body_limit))
        .layer(axum::middleware::from_fn_with_state(
            state.limiters.clone(),
            crate::limits::middleware,
        ))
        .layer(from_fn(move |req, next| security::headers(tls, req, next)))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            timeout,
        ))
        .with_state(state)
}

/// A bound server, ready to run. Binding port 0 picks a free port ([`Application::addr`]).
pub struct Application {
    listener: TcpListener,
    router: Router,
    state: AppState,
}

impl Application {
    pub async fn bind(addr: &str, state: AppState) -> std::io::Result<Application> {
        let listener = TcpListener::bind(addr).await?;
        state.warnings.serving_at(listener.local_addr()?);
        Ok(Application {
            listener,
            router: router(state.clone()),
            state,
        })
    }

    pub fn addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves until `shutdown` resolves, then finishes the requests in flight. The background
    /// work (webhook deliveries, the advisory cases' erasure) runs beside it when the configuration says so, and stops with
    /// it (a delivery in flight is left to its lease: another server, or this one restarted,
    /// takes it over).
    pub async fn run<F>(self, shutdown: F) -> std::io::Result<()>
    where
        F: std::future::Future<Output = ()> + Send + 'static,
    {
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let background = self.state.config.background;
        let erasure = background.then(|| {
            tokio::spawn(crate::advisory::erasure::run(
                self.state.clone(),
                stopped.clone(),
            ))
        });
        let worker =
            background.then(|| tokio::spawn(warnings::outbox::run(self.state.clone(), stopped)));
        let served = axum::serve(
            self.listener,
            self.router
                .into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown)
        .await;
        let _ = stop.send(true);
        if let Some(worker) = worker {
            let _ = worker.await;
        }
        if let Some(erasure) = erasure {
            let _ = erasure.await;
        }
        served
    }
}
