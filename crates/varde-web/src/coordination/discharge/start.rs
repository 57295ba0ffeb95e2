//! The coordination area's start page (`/coordination`), open to everyone logged in: what of
//! the area the user's role may open (decided by `authz::decide`, nothing attempted, so nothing
//! logged), and what the area is for.

use askama::Template;
use axum::routing::get;
use axum::Router;
use varde_core::authz::{decide, Action, Subject};

use crate::forms::{render, PageResult};
use crate::shell::{Chrome, Page};
use crate::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new().route("/coordination", get(start))
}

#[derive(Template)]
#[template(path = "coordination/discharge/start.html")]
struct StartT {
    c: Chrome,
    /// (href, text key) of what the user may open.
    links: Vec<(&'static str, &'static str)>,
}

async fn start(page: Page) -> PageResult {
    let p = &page.user.principal;
    let own = Subject::of_org(p.org);
    let mut links = Vec::new();
    for (action, href, key) in [
        (
            Action::CoordinationDischargeRead,
            "/coordination/discharge",
            "coordination.discharge.title",
        ),
        (
            Action::CoordinationDischargeNational,
            "/coordination/discharge/national",
            "coordination.discharge.national_title",
        ),
    ] {
        if decide(p, action, &own, None).allowed {
            links.push((href, key));
        }
    }
    render(&StartT { c: page.c, links })
}
