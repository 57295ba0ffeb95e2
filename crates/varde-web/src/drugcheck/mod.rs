//! Area 7, anonymous drug checking (rusmiddelanalyse): the router of the area's pages and JSON
//! API, its state (the lookups' rate limiter), and its OpenAPI document.
//!
//! | file | what |
//! |---|---|
//! | `ops.rs` | the operations: intake (a code, shown once), a result (with its signals), the public lookup (padded, rate-limited), the summary |
//! | `api.rs` | the JSON API (the laboratory's and the public's), with its OpenAPI description |
//! | `lab.rs` | the laboratory's pages: `/drugcheck/lab` (intake → receipt, result by code) |
//! | `public.rs` | the public pages: `/drugcheck` (type the code), `/drugcheck/result`, `/drugcheck/summary` |
//!
//! The rules are `varde_core::drugcheck`; storage is `varde_store`'s `drugcheck_*` methods.

mod api;
mod lab;
pub mod ops;
mod public;
pub(crate) use public::Viewer;

use std::net::IpAddr;
use std::num::NonZeroU32;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::HeaderName;
use axum::Router;
use governor::{DefaultKeyedRateLimiter, Quota};
use utoipa::OpenApi as _;

use crate::{AppState, Config};

/// Public lookups a client may make a minute (and at once).
pub const LOOKUPS_PER_MINUTE: u32 = 10;

/// The area's state in [`crate::Inner`]: the lookups' limiter per client (off when the
/// server's limits for requests without credentials are off, as in tests not about them).
pub struct AreaState {
    lookups: Option<DefaultKeyedRateLimiter<IpAddr>>,
    client_ip_header: Option<HeaderName>,
}

impl std::fmt::Debug for AreaState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "drugcheck::AreaState(limited: {})",
            self.lookups.is_some()
        )
    }
}

impl AreaState {
    pub fn new(config: &Config) -> AreaState {
        let quota = NonZeroU32::new(LOOKUPS_PER_MINUTE).map(Quota::per_minute);
        AreaState {
            lookups: config
                .limits
                .anonymous
                .and(quota)
                .map(DefaultKeyedRateLimiter::dashmap),
            client_ip_header: config.limits.client_ip_header.clone(),
        }
    }
}

/// The client of a request, as `crate::limits` names it: the last address of the trusted
/// proxy's header when configured, else the peer.
pub(crate) struct Client(pub Option<IpAddr>);

impl FromRequestParts<AppState> for Client {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(Client(crate::limits::client_ip(
            state.drugcheck.client_ip_header.as_ref(),
            &parts.headers,
            &parts.extensions,
        )))
    }
}

/// The area's pages (the public ones need no login).
pub fn routes() -> Router<AppState> {
    Router::new().merge(public::routes()).merge(lab::routes())
}

/// The area's JSON API (mounted under `/api/v1`).
pub fn api_routes() -> Router<AppState> {
    api::routes()
}

/// The area's OpenAPI document.
pub fn api_doc() -> utoipa::openapi::OpenApi {
    api::ApiDoc::openapi()
}
