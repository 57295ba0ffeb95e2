//! Varde's web application: server-rendered HTML (askama) that works without JavaScript, and
//! a JSON API under `/api/v1` with an OpenAPI document. Sessions, CSRF, security headers and
//! the authorisation extractors live here; the rules they apply live in `varde-core`.
//!
//! The crate is laid out by area, as `varde-core` and `varde-store` are: the foundation's
//! pieces (`session`, `persons`, `users`, `audit`, the page frame in `shell`) and the product's
//! areas (`pathways`, …) each have one module whose `mod.rs` is the area's router; the pieces
//! every area calls (`error`, `forms`, `import`, `cache`, `chart`, `authz`) sit beside them.
//! See `ARCHITECTURE.md`, "Adding an area".
//!
//! **Architecture invariant:** handlers never decide access themselves. They receive an
//! [`authz::OrgAccess`] or [`authz::PersonAccess`] from an extractor that called
//! [`varde_core::authz::decide`] and logged any denial; a handler without such an extractor
//! cannot reach personal data.

pub mod advisory;
pub mod api;
mod app;
pub mod audit;
pub mod auth;
pub mod authz;
pub mod bootstrap;
pub mod cache;
pub mod chart;
mod clock;
pub mod coordination;
pub mod display;
pub mod download;
pub mod drugcheck;
pub mod error;
pub mod feedback;
pub mod forms;
pub mod i18n;
pub mod import;
pub mod limits;
pub mod monitoring;
pub mod pathways;
pub mod pdf;
pub mod persons;
pub mod results;
pub mod security;
pub mod sessions;
pub mod shell;
pub mod users;
pub mod warnings;

pub use app::StartError;
pub use app::{router, AppState, Application, Config, Inner, IMPORTS_AT_ONCE};
pub use clock::{check_zone, Clock, TIME_ZONE};
