//! Overdose warnings over HTTP, on SQLite and PostgreSQL. The clock is fixed at 2026-11-24.
//!
//! | file | what |
//! |---|---|
//! | `flow.rs` | draft → refused self-approval → approval → page, feed, CAP (xmllint) → signed webhook → update → cancel; bad input |
//! | `outbox.rs` | the outbox survives a stop; two servers on one PostgreSQL deliver each message once |
//! | `pages.rs` | the public pages and the staff's and admin's pages and forms |
//!
//! PostgreSQL tests skip without `VARDE_TEST_POSTGRES_URL` unless `VARDE_REQUIRE_POSTGRES=1`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[macro_use]
#[path = "../common/mod.rs"]
mod common;

mod flow;
mod outbox;
mod pages;
