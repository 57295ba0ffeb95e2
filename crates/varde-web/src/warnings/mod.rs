//! Area 6, overdose warnings (overdosevarslingssystem): the router of the area's pages and
//! JSON API, its state, and its OpenAPI document.
//!
//! | file | what |
//! |---|---|
//! | `ops.rs` | the operations: draft, new version, approve, cancel, register a subscriber |
//! | `docs.rs` | a warning as JSON (the API's and the webhooks' form) |
//! | `public.rs` | what the public reads, cached per stamp: the list, the Atom feed, CAP documents |
//! | `outbox.rs` | the background worker that delivers to subscribers, signed, with leases |
//! | `api.rs` | the JSON API (staff, subscribers, public), with its OpenAPI description |
//! | `pages.rs` | the public pages: `/warnings` (in force), `/warnings/archive`, `/warnings/{id}` |
//! | `manage.rs` | the staff's pages: `/warnings/manage`, `/warnings/new`, `/warnings/manage/{id}` (versions, approve, cancel) |
//! | `admin.rs` | the system admin's pages: `/warnings/webhooks`, `/warnings/webhooks/{id}` (deliveries, resend, remove) |
//!
//! The rules are `varde_core::warnings`; storage is `varde_store::warnings`.

mod admin;
mod api;
mod docs;
mod manage;
pub mod ops;
pub mod outbox;
mod pages;
mod public;

use std::net::SocketAddr;
use std::sync::{Mutex, PoisonError};

use axum::routing::get;
use axum::Router;
use utoipa::OpenApi as _;
use varde_core::warnings::cap::CapConfig;

pub use docs::WarningDoc;

use crate::AppState;

/// The area's state in [`crate::Inner`].
#[derive(Debug)]
pub struct AreaState {
    /// What the public reads, rendered once per stamp.
    pub(crate) public: public::PublicCache,
    /// Wakes this server's delivery worker when a publication wrote outbox rows.
    pub(crate) wake: tokio::sync::Notify,
    /// This server's name in leases and attempt logs.
    pub(crate) instance: String,
    /// The addresses this server listens on (a subscriber may not point here).
    own_addrs: Mutex<Vec<SocketAddr>>,
}

impl Default for AreaState {
    fn default() -> Self {
        AreaState {
            public: public::PublicCache::default(),
            wake: tokio::sync::Notify::new(),
            instance: format!(
                "{}-{}",
                std::process::id(),
                varde_core::ids::crockford("", rand::random::<u64>(), 6)
            ),
            own_addrs: Mutex::new(Vec::new()),
        }
    }
}

impl AreaState {
    /// Notes an address this server listens on.
    pub(crate) fn serving_at(&self, addr: SocketAddr) {
        self.own_addrs
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(addr);
    }

    pub(crate) fn own_addrs(&self) -> Vec<SocketAddr> {
        self.own_addrs
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

/// The CAP sender and links of this deployment.
pub fn cap_config(state: &AppState) -> CapConfig {
    let base_url = state.config.public_url.trim_end_matches('/').to_owned();
    let host = reqwest::Url::parse(&base_url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned))
        .unwrap_or_else(|| "localhost".to_owned());
    CapConfig {
        sender: format!("ovs@{host}"),
        sender_name: "Varde – overdosevarsling".to_owned(),
        base_url,
    }
}

/// The area's pages and documents (public ones need no login).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/warnings.atom", get(public::atom))
        .route("/warnings/cap.xml", get(public::cap_index))
        .route("/warnings/{id}/cap.xml", get(public::cap_latest))
        .route(
            "/warnings/{id}/v/{version}/cap.xml",
            get(public::cap_version),
        )
        .merge(pages::routes())
        .merge(manage::routes())
        .merge(admin::routes())
}

/// The area's JSON API (mounted under `/api/v1`).
pub fn api_routes() -> Router<AppState> {
    api::routes()
}

/// The area's OpenAPI document.
pub fn api_doc() -> utoipa::openapi::OpenApi {
    api::ApiDoc::openapi()
}
