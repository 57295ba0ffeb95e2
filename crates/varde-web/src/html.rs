//! The server-rendered pages. Every form posts back with a CSRF token; every page works
//! without JavaScript.

use askama::Template;
use axum::extract::{Form, FromRequestParts, Path, Query, State};
use axum::http::header::SET_COOKIE;
use axum::http::request::Parts;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;
use varde_core::authz::Action;
use varde_core::ids::NationalId;
use varde_core::org::{Role, UserId};
use varde_core::person::{CorrectionInput, FieldError, NewPersonInput, PersonEvent};
use varde_core::pseudonym::pseudonymise;
use varde_store::{AccessFilter, PersonRow, User};

use crate::auth::{self, CurrentUser, LOGIN_CSRF_COOKIE};
use crate::authz::{
    authorize_person, CorrectPerson, CreatePerson, ListPersons, ManageUsers, OrgAccess,
    PersonAccess, PersonReport, ReadAudit, ReadPerson,
};
use crate::error::WebError;
use crate::i18n::{Lang, LANG_COOKIE};
use crate::AppState;

type PageResult = Result<Response, WebError>;

/// The eight areas of the product, in the order of the product description.
pub const AREAS: [(&str, &str); 8] = [
    ("pathways", "pathways"),
    ("advisory", "advisory"),
    ("coordination", "coordination"),
    ("feedback", "feedback"),
    ("monitoring", "monitoring"),
    ("warnings", "warnings"),
    ("drugcheck", "drugcheck"),
    ("results", "results"),
];

pub fn routes() -> Router<AppState> {
    let mut r = Router::new()
        .route("/", get(home))
        .route("/login", get(login_page).post(login_submit))
        .route("/logout", post(logout))
        .route("/lang", post(set_lang))
        .route("/persons", get(persons_page))
        .route("/persons/new", get(person_new_page).post(person_new_submit))
        .route("/persons/break-glass", post(break_glass))
        .route("/persons/{id}", get(person_page))
        .route("/persons/{id}/correct", post(person_correct))
        .route("/admin/users", get(users_page).post(user_add))
        .route("/admin/users/{id}/{op}", post(user_op))
        .route("/audit", get(audit_page))
        .route("/audit/person-report", post(audit_person_report));
    // Areas with their own module register their own routes.
    for (slug, _) in AREAS.iter().filter(|(slug, _)| *slug != "pathways") {
        r = r.route(&format!("/{slug}"), get(area_page));
    }
    r
}

pub struct UserBar {
    pub username: String,
    pub role: String,
    pub org_name: String,
}

/// What every page's frame needs: language, user, CSRF token and the current path.
pub struct Chrome {
    pub l: Lang,
    pub user: Option<UserBar>,
    pub csrf: String,
    pub path: String,
}

impl Chrome {
    pub fn areas(&self) -> &'static [(&'static str, &'static str)] {
        &AREAS
    }

    async fn for_user(
        state: &AppState,
        l: Lang,
        user: &CurrentUser,
        path: &str,
    ) -> Result<Chrome, WebError> {
        let org = state
            .store
            .org(user.principal.org)
            .await
            .map_err(WebError::from)?;
        Ok(Chrome {
            l,
            user: Some(UserBar {
                username: user.principal.username.clone(),
                role: user.principal.role.to_string(),
                org_name: org.name,
            }),
            csrf: user.csrf_token.clone(),
            path: path.to_owned(),
        })
    }
}

/// An HTML page's request context: the language, the user and the chrome.
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
        let c = Chrome::for_user(state, l, &user, parts.uri.path())
            .await
            .map_err(WebError::html)?;
        Ok(Page { user, c })
    }
}

pub(crate) fn render<T: Template>(t: &T) -> PageResult {
    t.render()
        .map(|s| Html(s).into_response())
        .map_err(|_| WebError::internal("template").html())
}

/// Turns any error of a page handler into an HTML error page.
pub(crate) trait HtmlErr<T> {
    fn html(self) -> Result<T, WebError>;
}
impl<T, E: Into<WebError>> HtmlErr<T> for Result<T, E> {
    fn html(self) -> Result<T, WebError> {
        self.map_err(|e| e.into().html())
    }
}

pub async fn not_found() -> WebError {
    WebError::not_found().html()
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomeT {
    c: Chrome,
}

/// The start page; a clinician's is their unit's pathway worklist (`/pathways`), so that is
/// where they land.
async fn home(page: Page) -> PageResult {
    if page.user.principal.role == varde_core::org::Role::Clinician {
        return Ok(Redirect::to("/pathways").into_response());
    }
    render(&HomeT { c: page.c })
}

#[derive(Template)]
#[template(path = "area.html")]
struct AreaT {
    c: Chrome,
    key: &'static str,
}

async fn area_page(page: Page) -> PageResult {
    let key = AREAS
        .iter()
        .find(|(slug, _)| page.c.path == format!("/{slug}"))
        .map_or("home", |(_, k)| *k);
    render(&AreaT { c: page.c, key })
}

// ------------------------------------------------------------------ login

#[derive(Template)]
#[template(path = "login.html")]
struct LoginT {
    c: Chrome,
    error: Option<&'static str>,
    login_csrf: String,
    username: String,
}

/// Adds a `Set-Cookie` header (every cookie value here is ASCII, so it always parses).
fn append_cookie(res: &mut Response, cookie: &str) {
    if let Ok(v) = cookie.parse() {
        res.headers_mut().append(SET_COOKIE, v);
    }
}

fn anonymous(l: Lang, path: &str) -> Chrome {
    Chrome {
        l,
        user: None,
        csrf: String::new(),
        path: path.to_owned(),
    }
}

fn login_form(
    state: &AppState,
    l: Lang,
    error: Option<&'static str>,
    username: String,
) -> PageResult {
    // Login CSRF: a double-submit token in a cookie and in the form.
    let token = auth::random_token();
    let secure = if state.config.tls { "; Secure" } else { "" };
    let cookie = format!(
        "{LOGIN_CSRF_COOKIE}={token}; Path=/login; HttpOnly; SameSite=Strict; Max-Age=3600{secure}"
    );
    let mut res = render(&LoginT {
        c: anonymous(l, "/login"),
        error,
        login_csrf: token,
        username,
    })?;
    append_cookie(&mut res, &cookie);
    if error.is_some() {
        *res.status_mut() = axum::http::StatusCode::UNAUTHORIZED;
    }
    Ok(res)
}

async fn login_page(State(state): State<AppState>, l: Lang) -> PageResult {
    login_form(&state, l, None, String::new())
}

#[derive(Deserialize)]
struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    csrf: String,
}

struct LoginCsrf(Option<String>);
impl<S: Send + Sync> FromRequestParts<S> for LoginCsrf {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(LoginCsrf(
            auth::cookie(parts, LOGIN_CSRF_COOKIE).map(str::to_owned),
        ))
    }
}

async fn login_submit(
    State(state): State<AppState>,
    l: Lang,
    LoginCsrf(cookie): LoginCsrf,
    Form(f): Form<LoginForm>,
) -> PageResult {
    if cookie
        .as_deref()
        .is_none_or(|c| c.is_empty() || c != f.csrf)
    {
        return Err(WebError::csrf().html());
    }
    match auth::authenticate(&state, &f.username, &f.password).await {
        Ok(user) => {
            let (token, _) = auth::start_session(&state, &user).await.html()?;
            let max_age = state.config.session_ttl.as_secs() as i64;
            let mut res = Redirect::to("/").into_response();
            append_cookie(
                &mut res,
                &auth::session_cookie(&token, state.config.tls, max_age),
            );
            append_cookie(
                &mut res,
                &auth::clear_cookie(LOGIN_CSRF_COOKIE, state.config.tls)
                    .replace("Path=/;", "Path=/login;"),
            );
            Ok(res)
        }
        Err(e) if e.slug == "login-failed" => {
            let msg = if l == Lang::Nb {
                "Feil brukernavn eller passord, eller kontoen er midlertidig sperret etter gjentatte feil."
            } else {
                "Wrong username or password, or the account is temporarily locked after repeated failures."
            };
            login_form(&state, l, Some(msg), f.username.chars().take(100).collect())
        }
        Err(e) => Err(e.html()),
    }
}

#[derive(Deserialize)]
struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

async fn logout(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(f): Form<CsrfForm>,
) -> PageResult {
    user.check_csrf(&f.csrf).html()?;
    state.store.delete_session(&user.token_hash).await.html()?;
    let mut res = Redirect::to("/login").into_response();
    append_cookie(
        &mut res,
        &auth::clear_cookie(auth::SESSION_COOKIE, state.config.tls),
    );
    Ok(res)
}

#[derive(Deserialize)]
struct LangForm {
    lang: String,
    #[serde(default)]
    back: String,
}

/// Sets the language cookie (a display preference, not server state) and goes back.
async fn set_lang(Form(f): Form<LangForm>) -> Response {
    let lang = if f.lang == "en" { "en" } else { "nb" };
    // Only local paths: never an open redirect.
    let back = if f.back.starts_with('/') && !f.back.starts_with("//") && !f.back.contains('\\') {
        f.back.as_str()
    } else {
        "/"
    };
    let mut res = Redirect::to(back).into_response();
    append_cookie(
        &mut res,
        &format!("{LANG_COOKIE}={lang}; Path=/; SameSite=Strict; Max-Age=31536000"),
    );
    res
}

// ------------------------------------------------------------------ persons

pub struct PersonView {
    pub id: i64,
    pub name: String,
    pub national_id: String,
    pub masked_id: String,
    pub birth_date: String,
    pub kommune: String,
    pub corrections: u32,
}

impl From<&PersonRow> for PersonView {
    fn from(p: &PersonRow) -> Self {
        let kommune = match &p.record.kommune {
            Some(k) => match varde_core::refdata::get().kommune(k) {
                Some(m) => format!("{k} {}", m.name),
                None => k.clone(),
            },
            None => String::new(),
        };
        PersonView {
            id: p.id,
            name: p.record.name.clone(),
            national_id: p.record.national_id.clone(),
            masked_id: p
                .record
                .national_id
                .chars()
                .take(6)
                .chain("*****".chars())
                .collect(),
            birth_date: p.record.birth_date.clone().unwrap_or_default(),
            kommune,
            corrections: p.record.corrections,
        }
    }
}

#[derive(Template)]
#[template(path = "persons.html")]
struct PersonsT {
    c: Chrome,
    persons: Vec<PersonView>,
    clinician: bool,
}

async fn persons_page(
    State(state): State<AppState>,
    page: Page,
    access: Result<OrgAccess<ListPersons>, WebError>,
) -> PageResult {
    let access = access.html()?;
    let entry = access.access(&state, "", format!("org:{}", access.user.principal.org.0));
    let persons = state
        .store
        .list_persons_logged(access.user.principal.org, &entry)
        .await
        .html()?;
    render(&PersonsT {
        clinician: page.user.principal.role == Role::Clinician,
        c: page.c,
        persons: persons.iter().map(PersonView::from).collect(),
    })
}

#[derive(Default, Deserialize)]
struct PersonForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    national_id: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    birth_date: String,
    #[serde(default)]
    kommune: String,
}

#[derive(Template)]
#[template(path = "person_new.html")]
struct PersonNewT {
    c: Chrome,
    form: PersonForm,
    error: Option<String>,
}

async fn person_new_page(
    page: Page,
    access: Result<OrgAccess<CreatePerson>, WebError>,
) -> PageResult {
    access.html()?;
    render(&PersonNewT {
        c: page.c,
        form: PersonForm::default(),
        error: None,
    })
}

/// Registers a person for the actor's organisation; shared by the form and the API.
pub async fn create_person(
    state: &AppState,
    access: &OrgAccess<CreatePerson>,
    input: &NewPersonInput,
) -> Result<i64, WebError> {
    let person = input.parse(&state.id_policy(), state.clock.today())?;
    let pseudonym = pseudonymise(&state.key, &person.national_id);
    let entry = access.access(state, pseudonym.as_str(), String::new());
    let id = state
        .store
        .register_person(
            access.user.principal.org,
            access.user.principal.user.0,
            pseudonym.as_str(),
            &PersonEvent::registered(&person),
            &entry,
            state.clock.now(),
        )
        .await?;
    Ok(id)
}

async fn person_new_submit(
    State(state): State<AppState>,
    page: Page,
    access: Result<OrgAccess<CreatePerson>, WebError>,
    Form(f): Form<PersonForm>,
) -> PageResult {
    let access = access.html()?;
    access.user.check_csrf(&f.csrf).html()?;
    let input = NewPersonInput {
        national_id: f.national_id.clone(),
        name: f.name.clone(),
        birth_date: Some(f.birth_date.clone()),
        kommune: Some(f.kommune.clone()),
    };
    match create_person(&state, &access, &input).await {
        Ok(id) => Ok(Redirect::to(&format!("/persons/{id}")).into_response()),
        Err(e) if e.status.is_client_error() => {
            let mut res = render(&PersonNewT {
                c: page.c,
                form: PersonForm {
                    csrf: String::new(),
                    national_id: String::new(),
                    ..f
                },
                error: Some(e.detail),
            })?;
            *res.status_mut() = e.status;
            Ok(res)
        }
        Err(e) => Err(e.html()),
    }
}

#[derive(Template)]
#[template(path = "person.html")]
struct PersonT {
    c: Chrome,
    p: PersonView,
    can_correct: bool,
    flagged: bool,
    error: Option<String>,
}

async fn person_page(
    State(state): State<AppState>,
    page: Page,
    access: PersonAccess<ReadPerson>,
) -> PageResult {
    let p = state
        .store
        .read_person_logged(access.person.id, &access.access)
        .await
        .html()?;
    let can_correct = p.org_id == access.user.principal.org;
    render(&PersonT {
        c: page.c,
        p: PersonView::from(&p),
        can_correct,
        flagged: access.decision.flagged,
        error: None,
    })
}

#[derive(Deserialize)]
struct CorrectForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    birth_date: String,
    #[serde(default)]
    kommune: String,
    #[serde(default)]
    reason: String,
}

async fn person_correct(
    State(state): State<AppState>,
    page: Page,
    access: PersonAccess<CorrectPerson>,
    Form(f): Form<CorrectForm>,
) -> PageResult {
    access.user.check_csrf(&f.csrf).html()?;
    let current = &access.person.record;
    // Only fields that changed become part of the correction.
    let changed =
        |new: &str, old: Option<&str>| (new.trim() != old.unwrap_or("")).then(|| new.to_owned());
    let input = CorrectionInput {
        name: changed(&f.name, Some(&current.name)),
        birth_date: changed(&f.birth_date, current.birth_date.as_deref()),
        kommune: changed(&f.kommune, current.kommune.as_deref()),
        reason: f.reason,
    };
    match input.parse(state.clock.today()) {
        Ok(event) => {
            state
                .store
                .correct_person(
                    access.person.id,
                    access.user.principal.user.0,
                    &event,
                    &access.access,
                    state.clock.now(),
                )
                .await
                .html()?;
            Ok(Redirect::to(&format!("/persons/{}", access.person.id)).into_response())
        }
        Err(e) => {
            // The form is shown again with the record: that is a read, and it is logged.
            let mut shown = access.access.clone();
            shown.action = Action::PersonRead.as_str().to_owned();
            state.store.log_access(&shown).await.html()?;
            let mut res = render(&PersonT {
                c: page.c,
                p: PersonView::from(&access.person),
                can_correct: true,
                flagged: false,
                error: Some(e.to_string()),
            })?;
            *res.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            Ok(res)
        }
    }
}

#[derive(Deserialize)]
struct BreakGlassForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    national_id: String,
    #[serde(default)]
    reason: String,
}

/// Emergency access: a clinician names the person and writes a reason; each matching record
/// of another organisation is opened through the same authorisation (and flagged).
async fn break_glass(
    State(state): State<AppState>,
    page: Page,
    Form(f): Form<BreakGlassForm>,
) -> PageResult {
    page.user.check_csrf(&f.csrf).html()?;
    let nid = NationalId::parse(&f.national_id, &state.id_policy())
        .map_err(FieldError::from)
        .html()?;
    let pseudonym = pseudonymise(&state.key, &nid);
    let ids = state
        .store
        .person_ids_by_pseudonym(pseudonym.as_str())
        .await
        .html()?;
    let Some(id) = ids
        .into_iter()
        .find(|(_, org)| *org != page.user.principal.org)
        .map(|(id, _)| id)
    else {
        return Err(WebError::not_found().html());
    };
    let (_, _, decision, entry) = authorize_person(
        &state,
        page.user.clone(),
        id,
        Action::PersonRead,
        Some(&f.reason),
    )
    .await
    .html()?;
    let p = state.store.read_person_logged(id, &entry).await.html()?;
    render(&PersonT {
        c: page.c,
        p: PersonView::from(&p),
        can_correct: false,
        flagged: decision.flagged,
        error: None,
    })
}

// ------------------------------------------------------------------ users

#[derive(Template)]
#[template(path = "users.html")]
struct UsersT {
    c: Chrome,
    users: Vec<User>,
    roles: Vec<&'static str>,
    error: Option<String>,
}

fn role_names() -> Vec<&'static str> {
    Role::ALL
        .iter()
        .filter(|r| **r != Role::SystemAdmin)
        .map(|r| r.as_str())
        .collect()
}

async fn users_page(
    State(state): State<AppState>,
    page: Page,
    access: Result<OrgAccess<ManageUsers>, WebError>,
) -> PageResult {
    let access = access.html()?;
    let users = state
        .store
        .list_users(Some(access.user.principal.org))
        .await
        .html()?;
    render(&UsersT {
        c: page.c,
        users,
        roles: role_names(),
        error: None,
    })
}

#[derive(Deserialize)]
struct UserForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    role: String,
}

/// Parses a username: 3–64 characters of letters, digits, `.`, `-`, `_`, `@`.
pub fn parse_username(s: &str) -> Result<String, WebError> {
    let u = s.trim();
    let ok_chars = u
        .chars()
        .all(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | '_' | '@'));
    if u.chars().count() < 3 || u.chars().count() > 64 || !ok_chars {
        return Err(WebError::invalid(
            "username",
            "3–64 characters: letters, digits, '.', '-', '_' or '@'",
        ));
    }
    Ok(u.to_owned())
}

/// Parses a role an org-admin may give (system-admin is given only by the CLI).
pub fn parse_assignable_role(s: &str) -> Result<Role, WebError> {
    match s.parse::<Role>() {
        Ok(Role::SystemAdmin) => Err(WebError::invalid(
            "role",
            "system-admin is given only with the varde command",
        )),
        Ok(r) => Ok(r),
        Err(e) => Err(WebError::invalid("role", e.to_string())),
    }
}

async fn user_add(
    State(state): State<AppState>,
    page: Page,
    access: Result<OrgAccess<ManageUsers>, WebError>,
    Form(f): Form<UserForm>,
) -> PageResult {
    let access = access.html()?;
    access.user.check_csrf(&f.csrf).html()?;
    let result = async {
        let username = parse_username(&f.username)?;
        let role = parse_assignable_role(&f.role)?;
        auth::check_new_password(&f.password)?;
        let hash = auth::hash_password(f.password.clone()).await?;
        state
            .store
            .create_user(
                access.user.principal.org,
                role,
                varde_core::org::Qualification::Other,
                &username,
                &hash,
                state.clock.now(),
            )
            .await?;
        Ok::<_, WebError>(())
    }
    .await;
    match result {
        Ok(()) => Ok(Redirect::to("/admin/users").into_response()),
        Err(e) if e.status.is_client_error() => {
            let users = state
                .store
                .list_users(Some(access.user.principal.org))
                .await
                .html()?;
            let mut res = render(&UsersT {
                c: page.c,
                users,
                roles: role_names(),
                error: Some(e.detail),
            })?;
            *res.status_mut() = e.status;
            Ok(res)
        }
        Err(e) => Err(e.html()),
    }
}

#[derive(Deserialize)]
struct UserOpForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    qualification: String,
}

/// Parses a health-personnel qualification.
pub fn parse_qualification(s: &str) -> Result<varde_core::org::Qualification, WebError> {
    s.trim().parse().map_err(|e: varde_core::org::UnknownName| {
        WebError::invalid("qualification", e.to_string())
    })
}

async fn user_op(
    State(state): State<AppState>,
    access: Result<OrgAccess<ManageUsers>, WebError>,
    Path((id, op)): Path<(i64, String)>,
    Form(f): Form<UserOpForm>,
) -> PageResult {
    let access = access.html()?;
    access.user.check_csrf(&f.csrf).html()?;
    let target = state.store.user(UserId(id)).await.html()?;
    if target.org_id != access.user.principal.org && access.user.principal.role != Role::SystemAdmin
    {
        return Err(WebError::not_found().html());
    }
    match op.as_str() {
        "disable" => state
            .store
            .set_user_disabled(target.id, true)
            .await
            .html()?,
        "enable" => state
            .store
            .set_user_disabled(target.id, false)
            .await
            .html()?,
        "role" => state
            .store
            .set_user_role(target.id, parse_assignable_role(&f.role).html()?)
            .await
            .html()?,
        "qualification" => state
            .store
            .set_user_qualification(target.id, parse_qualification(&f.qualification).html()?)
            .await
            .html()?,
        _ => return Err(WebError::not_found().html()),
    }
    Ok(Redirect::to("/admin/users").into_response())
}

// ------------------------------------------------------------------ audit

pub struct ChainView {
    pub ok: bool,
    pub count: u64,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditT {
    c: Chrome,
    heading: String,
    entries: Vec<varde_core::audit::AccessEntry>,
    chain: Option<ChainView>,
    show_filters: bool,
    flagged_only: bool,
}

#[derive(Deserialize)]
struct AuditQuery {
    #[serde(default)]
    flagged: Option<String>,
}

async fn audit_page(
    State(state): State<AppState>,
    page: Page,
    access: Result<OrgAccess<ReadAudit>, WebError>,
    Query(q): Query<AuditQuery>,
) -> PageResult {
    let access = access.html()?;
    let flagged_only = q.flagged.is_some();
    let entries = state
        .store
        .access_log(&AccessFilter {
            org_id: Some(access.user.principal.org.0),
            flagged_only,
            limit: 500,
            ..Default::default()
        })
        .await
        .html()?;
    let chain = match state.store.verify_access_log().await.html()? {
        Ok(n) => ChainView { ok: true, count: n },
        Err(b) => ChainView {
            ok: false,
            count: b.id as u64,
        },
    };
    let heading = page.c.l.t("audit").to_owned();
    render(&AuditT {
        c: page.c,
        heading,
        entries,
        chain: Some(chain),
        show_filters: true,
        flagged_only,
    })
}

#[derive(Deserialize)]
struct ReportForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    national_id: String,
}

/// The § 18 report for one person: who accessed their data in any organisation, and when.
pub async fn person_report(
    state: &AppState,
    access: &OrgAccess<PersonReport>,
    national_id: &str,
) -> Result<Vec<varde_core::audit::AccessEntry>, WebError> {
    let nid = NationalId::parse(national_id, &state.id_policy()).map_err(FieldError::from)?;
    let pseudonym = pseudonymise(&state.key, &nid);
    let entries = state
        .store
        .access_log(&AccessFilter {
            subject: Some(pseudonym.as_str().to_owned()),
            limit: 10_000,
            ..Default::default()
        })
        .await?;
    // Producing the report is itself an access to the person's data.
    state
        .store
        .log_access(&access.access(state, pseudonym.as_str(), String::new()))
        .await?;
    Ok(entries)
}

async fn audit_person_report(
    State(state): State<AppState>,
    page: Page,
    access: Result<OrgAccess<PersonReport>, WebError>,
    Form(f): Form<ReportForm>,
) -> PageResult {
    let access = access.html()?;
    access.user.check_csrf(&f.csrf).html()?;
    let entries = person_report(&state, &access, &f.national_id)
        .await
        .html()?;
    let heading = page.c.l.t("person_report").to_owned();
    render(&AuditT {
        c: page.c,
        heading,
        entries,
        chain: None,
        show_filters: false,
        flagged_only: false,
    })
}
