//! The foundation over HTTP: the real server on a random port, against SQLite and PostgreSQL.
//!
//! | file | what |
//! |---|---|
//! | `persons.rs` | register, read, correct and list persons; another municipality is denied; bad input; failed writes; synthetic numbers in production |
//! | `users.rs` | the org-admin manages the users of the own organisation |
//! | `audit.rs` | the auditor's person report |
//! | `sessions.rs` | login through the API and the form, back-off, logout, the session cookie; TLS cookies |
//! | `forms.rs` | refused forms come back as typed, the rule beside the field; bad requests on pages are framed pages in the user's language |
//! | `frame.rs` | the menu offers only what the role may open; times in Oslo |
//! | `admins.rs` | nobody disables or demotes their own account, nor the last administrator (also concurrently) |
//!
//! The security suite (CSRF, headers, limits, input rules) is its own binary, `tests/security/`.
//!
//! Every scenario runs on both engines (`persons::sqlite::…` and `persons::postgres::…`);
//! PostgreSQL tests skip without `VARDE_TEST_POSTGRES_URL` unless `VARDE_REQUIRE_POSTGRES=1`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[macro_use]
#[path = "../common/mod.rs"]
mod common;

mod admins;
mod audit;
mod forms;
mod frame;
mod persons;
mod sessions;
mod users;

use common::{create_person, get, post};
