//! The page frame every area's pages share: the language, the logged-in user, the CSRF token
//! and the navigation ([`Chrome`], extracted as a [`Page`]); the start page; the language
//! switch; and the placeholder of each area whose issue has not landed yet (it says so, and
//! names the section of `ARCHITECTURE.md` that tells how an area is added).

use askama::Template;
use axum::extract::FromRequestParts;
use axum::http::header::SET_COOKIE;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;
use varde_core::authz::{decide, Action, Subject};
use varde_core::org::{OrgId, Principal};

use crate::auth::CurrentUser;
use crate::error::WebError;
use crate::forms::{render, PageResult};
use crate::i18n::{Lang, LANG_COOKIE};
use crate::AppState;

/// The eight areas of the product, in the order of the product description: the URL slug
/// and the i18n key of the area's name (the same word: an area has one name).
pub const AREAS: [&str; 8] = [
    "pathways",
    "advisory",
    "coordination",
    "feedback",
    "monitoring",
    "warnings",
    "drugcheck",
    "results",
];

/// The areas that are built: each mounts its own router. The others are placeholders.
pub const BUILT: [&str; 8] = [
    "pathways",
    "advisory",
    "coordination",
    "warnings",
    "drugcheck",
    "monitoring",
    "feedback",
    "results",
];

pub fn routes() -> Router<AppState> {
    let mut r = Router::new()
        .route("/", get(home))
        .route("/lang", post(set_lang));
    for slug in AREAS.iter().filter(|slug| !BUILT.contains(slug)) {
        r = r.route(&format!("/{slug}"), get(area_page));
    }
    r
}

pub struct UserBar {
    pub username: String,
    pub role: String,
    pub org_name: String,
}

/// A link of the main menu: where it goes and the i18n key of its name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MenuLink {
    pub href: String,
    pub key: &'static str,
    /// One of the product's areas (the start page lists these as cards).
    pub area: bool,
}

/// What every page's frame needs: language, user, CSRF token, the current path and the menu.
pub struct Chrome {
    pub l: Lang,
    pub user: Option<UserBar>,
    pub csrf: String,
    pub path: String,
    /// Where the language switch goes back to: the page's path when it was opened by a link
    /// (GET), the start page after a form was posted (the path of a form's action is not a
    /// page to open).
    pub back: String,
    /// The links the user may open (empty when not logged in): see [`menu`].
    pub menu: Vec<MenuLink>,
}

/// The main menu of `p`: the start page, each area, and the foundation's pages — only those
/// the user's role may open, as [`decide`] says (a link that would be denied is never
/// offered, so a click never fills the access log with a denial). A placeholder area is open
/// to everyone logged in; the pathways area to whoever may read the own organisation's
/// pathways, or see indicators (an analyst's link goes to the indicators); the warnings area
/// to the staff's list, the admin's subscribers, or else the public page.
pub fn menu(p: &Principal) -> Vec<MenuLink> {
    let own = Subject::of_org(p.org);
    let allowed = |action: Action| decide(p, action, &own, None).allowed;
    // An organisation id no organisation has: "the indicators of any organisation".
    let any_other = Subject::of_org(OrgId(i64::MIN));
    let link = |href: &str, key: &'static str, area: bool| MenuLink {
        href: href.to_owned(),
        key,
        area,
    };
    let mut links = vec![link("/", "home", false)];
    for slug in AREAS {
        let href = match slug {
            "pathways" if allowed(Action::PathwayRead) => Some("/pathways".to_owned()),
            // Straight to the indicators: the worklist would log a denied read first.
            "pathways" if decide(p, Action::PathwayIndicators, &any_other, None).allowed => {
                Some("/pathways/indicators".to_owned())
            }
            // Staff to their list; the admin to the subscribers; everyone else to the public
            // page (which needs no login).
            "warnings" if allowed(Action::WarningRead) => Some("/warnings/manage".to_owned()),
            "warnings" if allowed(Action::WebhookManage) => Some("/warnings/webhooks".to_owned()),
            "warnings" => Some("/warnings".to_owned()),
            "drugcheck" if allowed(Action::DrugcheckIntake) => Some("/drugcheck/lab".to_owned()),
            "drugcheck" => Some("/drugcheck".to_owned()),
            "feedback" if allowed(Action::FeedbackRead) => Some("/feedback".to_owned()),
            "feedback" if allowed(Action::FeedbackSurveyRead) => {
                Some("/feedback/surveys".to_owned())
            }
            "monitoring" if allowed(Action::MonitoringRead) => Some("/monitoring".to_owned()),
            "advisory" if allowed(Action::AdvisoryRead) => Some("/advisory".to_owned()),
            // An analyst reads the advisory units' statistics only.
            "advisory" if allowed(Action::AdvisoryStatistics) => {
                Some("/advisory/statistics".to_owned())
            }
            // The coordinator's worklist (with links to the discharge notices), else the
            // discharge notices, else the overdose follow-up, else the figures, else the national
            // discharge view.
            "coordination" if allowed(Action::CoordinationRead) => Some("/coordination".to_owned()),
            "coordination" if allowed(Action::CoordinationDischargeRead) => {
                Some("/coordination/discharge".to_owned())
            }
            "coordination" if allowed(Action::CoordinationOverdoseRead) => {
                Some("/coordination/overdose".to_owned())
            }
            "coordination" if allowed(Action::CoordinationFigures) => {
                Some("/coordination/figures".to_owned())
            }
            "coordination" if allowed(Action::CoordinationDischargeNational) => {
                Some("/coordination/discharge/national".to_owned())
            }
            // A laboratory's or national authority's user who is no analyst may import.
            "monitoring" if allowed(Action::MonitoringImport) => {
                Some("/monitoring/import".to_owned())
            }
            // Staff to their dashboard; everyone else to the public one (no login needed).
            "results" if allowed(Action::ResultsRead) => Some("/results".to_owned()),
            "results" => Some("/public/results".to_owned()),
            _ if BUILT.contains(&slug) => None,
            _ => Some(format!("/{slug}")),
        };
        if let Some(href) = href {
            links.push(link(&href, slug, true));
        }
    }
    for (action, href, key) in [
        (Action::PersonList, "/persons", "persons"),
        (Action::UserManage, "/admin/users", "users"),
        (Action::AuditRead, "/audit", "audit"),
    ] {
        if allowed(action) {
            links.push(link(href, key, false));
        }
    }
    links
}

impl Chrome {
    /// The areas of the menu (the start page's cards).
    pub fn area_links(&self) -> impl Iterator<Item = &MenuLink> {
        self.menu.iter().filter(|m| m.area)
    }

    /// Whether `link` is the current page's section (marked `aria-current`).
    pub fn is_current(&self, link: &MenuLink) -> bool {
        if link.href == "/" {
            return self.path == "/";
        }
        self.path == link.href || self.path.starts_with(&format!("{}/", link.href))
    }

    pub(crate) async fn for_user(
        state: &AppState,
        l: Lang,
        user: &CurrentUser,
        path: &str,
    ) -> Result<Chrome, WebError> {
        let org = state.store.org(user.principal.org).await?;
        Ok(Chrome {
            l,
            user: Some(UserBar {
                username: user.principal.username.clone(),
                role: user.principal.role.to_string(),
                org_name: org.name,
            }),
            csrf: user.csrf_token.clone(),
            path: path.to_owned(),
            back: path.to_owned(),
            menu: menu(&user.principal),
        })
    }

    /// The frame of a page shown to someone not logged in.
    pub fn anonymous(l: Lang, path: &str) -> Chrome {
        Chrome {
            l,
            user: None,
            csrf: String::new(),
            path: path.to_owned(),
            back: path.to_owned(),
            menu: Vec::new(),
        }
    }

    /// The frame of an answer to a request with `method`: after a form was posted, the
    /// language switch goes back to the start page.
    pub fn after(&mut self, method: &axum::http::Method) {
        if method != axum::http::Method::GET && method != axum::http::Method::HEAD {
            "/".clone_into(&mut self.back);
        }
    }

    /// The name of the user's organisation (read for the frame already).
    pub fn org_name(&self) -> Option<&str> {
        self.user.as_ref().map(|u| u.org_name.as_str())
    }
}

/// An HTML page's request context: the user and the frame.
pub struct Page {
    pub user: CurrentUser,
    pub c: Chrome,
}

impl FromRequestParts<AppState> for Page {
    type Rejection = WebError;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let Ok(l) = Lang::from_request_parts(parts, state).await;
        let user = CurrentUser::from_request_parts(parts, state).await?;
        let mut c = Chrome::for_user(state, l, &user, parts.uri.path()).await?;
        c.after(&parts.method);
        Ok(Page { user, c })
    }
}

/// The HTML router's answer to a path it does not have.
pub async fn not_found() -> WebError {
    WebError::not_found()
}

/// Adds a `Set-Cookie` header (every cookie value here is ASCII, so it always parses).
pub fn append_cookie(res: &mut Response, cookie: &str) {
    if let Ok(v) = cookie.parse() {
        res.headers_mut().append(SET_COOKIE, v);
    }
}

#[derive(Template)]
#[template(path = "shell/home.html")]
struct HomeT {
    c: Chrome,
}

/// The start page; for a user who may read their unit's pathways (a clinician) it is the
/// pathway worklist (`/pathways`), so that is where they land.
async fn home(page: Page) -> PageResult {
    let p = &page.user.principal;
    if decide(p, Action::PathwayRead, &Subject::of_org(p.org), None).allowed {
        return Ok(Redirect::to("/pathways").into_response());
    }
    // An advisor's start page is the unit's worklist.
    if decide(p, Action::AdvisoryRead, &Subject::of_org(p.org), None).allowed {
        return Ok(Redirect::to("/advisory").into_response());
    }
    // A coordinator's start page is the coordinator's worklist.
    if p.role == varde_core::org::Role::Coordinator
        && decide(p, Action::CoordinationRead, &Subject::of_org(p.org), None).allowed
    {
        return Ok(Redirect::to("/coordination").into_response());
    }
    render(&HomeT { c: page.c })
}

#[derive(Template)]
#[template(path = "shell/area.html")]
struct AreaT {
    c: Chrome,
    key: &'static str,
}

async fn area_page(page: Page) -> PageResult {
    let key = AREAS
        .iter()
        .find(|slug| page.c.path == format!("/{slug}"))
        .copied()
        .unwrap_or("home");
    render(&AreaT { c: page.c, key })
}

#[derive(Deserialize)]
struct LangForm {
    #[serde(default)]
    lang: String,
    #[serde(default)]
    back: String,
}

/// A path of this site to send the browser back to, or `/`: never an open redirect. Accepted
/// only is a path that parses as one and stays on this origin: it starts with one `/`, holds
/// only printable ASCII (no white space or control characters, which browsers drop — `/\t/x`
/// is `//x`), no backslash (which browsers read as `/`), no `//`, and no `.` or `..` segment
/// (which a browser's normalisation could turn into `//`).
pub fn local_path(back: &str) -> &str {
    let printable = back.bytes().all(|b| (0x21..=0x7e).contains(&b));
    let segments_ok = back
        .split(['?', '#'])
        .next()
        .unwrap_or("")
        .split('/')
        .all(|s| s != "." && s != "..");
    let ok = printable
        && back.starts_with('/')
        && !back.contains("//")
        && !back.contains('\\')
        && segments_ok
        && back.parse::<axum::http::uri::PathAndQuery>().is_ok();
    if ok {
        back
    } else {
        "/"
    }
}

/// Sets the language cookie (a display preference, not server state) and goes back.
async fn set_lang(Form(f): Form<LangForm>) -> Response {
    let lang = if f.lang == "en" { "en" } else { "nb" };
    let mut res = Redirect::to(local_path(&f.back)).into_response();
    append_cookie(
        &mut res,
        &format!("{LANG_COOKIE}={lang}; Path=/; SameSite=Strict; Max-Age=31536000"),
    );
    res
}

#[cfg(test)]
mod tests {
    use super::local_path;

    #[test]
    fn only_paths_of_this_site_are_gone_back_to() {
        for ok in ["/", "/persons", "/pathways/p/P%201", "/pathways?unit=A"] {
            assert_eq!(local_path(ok), ok);
        }
        for bad in [
            "",
            "x",
            "//evil.example",
            "/\t/evil.example",
            "/\\evil.example",
            "\\/evil",
            "/\r\nSet-Cookie: x=1",
            "/ /evil",
            "/./%2f/x",
            "/a/../..//evil",
            "/.//evil",
            "https://evil.example",
            "/ø",
        ] {
            assert_eq!(local_path(bad), "/", "{bad:?}");
        }
    }
}
