//! Area 4, feedback from users and relatives (tilbakemeldinger): the router of the area's
//! pages and JSON API, its state (the public answer pages' rate limiter), and its OpenAPI
//! document.
//!
//! | file | what |
//! |---|---|
//! | `ops.rs` | the operations: a one-time link (shown once), a patient's feedback (read logged), the public answer (padded, rate-limited; marks the link's pathway) |
//! | `api.rs` | the JSON API: make a link, read a patient's answers and trend; the survey figures |
//! | `patients.rs` | the clinician's pages: `/feedback` (the organisation's patients), `/feedback/patients/{id}` (trend, links, a new link) |
//! | `public.rs` | the patient's answer page `/f/{token}` (no login, no JavaScript, readable on a phone) |
//! | `surveys.rs` | the surveys: share a link, the public survey page `/s/{token}`, the figures (page, CSV) |
//!
//! The rules are `varde_core::feedback`; storage is `varde_store`'s `feedback_*` methods.

mod api;
pub mod demo;
pub mod ops;
mod patients;
mod public;
mod surveys;

use std::net::IpAddr;
use std::num::NonZeroU32;

use axum::Router;
use governor::{DefaultKeyedRateLimiter, Quota};
use utoipa::OpenApi as _;

use crate::{AppState, Config};

/// Answer pages (opened or sent) a client may reach a minute (and at once).
pub const ANSWERS_PER_MINUTE: u32 = 10;

/// The area's state in [`crate::Inner`]: the answer pages' limiter per client (off when the
/// server's limits for requests without credentials are off, as in tests not about them).
pub struct AreaState {
    answers: Option<DefaultKeyedRateLimiter<IpAddr>>,
}

impl std::fmt::Debug for AreaState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "feedback::AreaState(limited: {})",
            self.answers.is_some()
        )
    }
}

impl AreaState {
    pub fn new(config: &Config) -> AreaState {
        let quota = NonZeroU32::new(ANSWERS_PER_MINUTE).map(Quota::per_minute);
        AreaState {
            answers: config
                .limits
                .anonymous
                .and(quota)
                .map(DefaultKeyedRateLimiter::dashmap),
        }
    }
}

/// The area's pages (the answer pages need no login).
pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(public::routes())
        .merge(patients::routes())
        .merge(surveys::routes())
}

/// The area's JSON API (mounted under `/api/v1`).
pub fn api_routes() -> Router<AppState> {
    api::routes()
}

/// The area's OpenAPI document.
pub fn api_doc() -> utoipa::openapi::OpenApi {
    api::ApiDoc::openapi()
}
