//! The security suite: what an outside review of the running server (OWASP ASVS level 2 as the
//! yardstick) tried, as tests on SQLite and PostgreSQL, so that nothing found comes back and
//! nothing that held breaks. Run it alone with `cargo test -p varde-web --test security`.
//!
//! | file | what |
//! |---|---|
//! | `access.rs` | the § 18 report shows only the auditor's organisation's records and users; another organisation's pathway is 404 and the attempt logged; LAR, coercion and the export hold only the own organisation's records |
//! | `csrf.rs` | every form needs the session's CSRF token; an API write with only the session cookie is refused |
//! | `redirect.rs` | the language switch goes back only to a path of this site |
//! | `limits.rs` | login and public endpoints are rate limited per client (429 with `Retry-After`) |
//! | `passwords.rs` | the password policy; usernames do not tell other organisations' users apart |
//! | `input.rs` | break-glass needs words; identity numbers, long texts and spreadsheet formulas are kept out; every 4xx is a problem document |
//! | `trail.rs` | changes of a user's role and qualification are events with their author and reason, shown to the auditor |
//! | `language.rs` | a refusal on a bokmål page is in bokmål |
//! | `headers.rs` | security headers, `/healthz`, the OpenAPI document; errors as pages or problem documents by router |
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[macro_use]
#[path = "../common/mod.rs"]
mod common;

mod access;
mod csrf;
mod headers;
mod input;
mod language;
mod limits;
mod passwords;
mod redirect;
mod trail;

use common::{create_person, get, post, TestApp};
use varde_core::org::{Qualification, Role};

/// A user `username` (the demo password) with `role` in the organisation `org_key`
/// (municipality number, organisation number or slug).
async fn add_user(app: &TestApp, org_key: &str, role: Role, username: &str) {
    let store = &app.db.store;
    let org = store
        .org_by_key(org_key)
        .await
        .unwrap()
        .expect("organisation");
    let hash = varde_web::auth::hash_password_blocking(common::PASSWORD).unwrap();
    let now: jiff::Timestamp = common::NOW.parse().unwrap();
    store
        .create_user(org.id, role, Qualification::Other, username, &hash, now)
        .await
        .unwrap();
}

/// The content type of a response, without parameters.
fn kind(res: &reqwest::Response) -> String {
    res.headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .to_owned()
}
