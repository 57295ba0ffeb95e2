//! Test support: the real application on a random port over a fresh database.
#![allow(dead_code)]

pub mod receiver;

use std::net::SocketAddr;

use jiff::Timestamp;
use tokio::sync::oneshot;
use varde_core::pseudonym::PseudonymKey;
use varde_store::testing::TestDb;
use varde_store::Engine;
use varde_web::{AppState, Application, Clock, Config};

/// The fixed "now" of every web test.
pub const NOW: &str = "2026-11-24T12:00:00Z";

pub const PASSWORD: &str = varde_web::bootstrap::DEMO_PASSWORD;

pub struct TestApp {
    pub addr: SocketAddr,
    pub base: String,
    pub db: TestDb,
    pub state: AppState,
    stop: Option<oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

impl TestApp {
    /// Starts the app with the built-in and demo organisations and users, or `None` when
    /// the engine is not available (PostgreSQL without `VARDE_TEST_POSTGRES_URL`). Rate limits
    /// are off (a scenario logs in and posts as fast as the machine goes; the limits have their
    /// own tests, which start the app with them on).
    pub async fn start(engine: Engine) -> Option<TestApp> {
        let config = Config {
            limits: varde_web::limits::Limits::off(),
            ..Config::default()
        };
        Self::start_with(engine, config).await
    }

    pub async fn start_with(engine: Engine, mut config: Config) -> Option<TestApp> {
        let db = TestDb::new(engine).await?;
        let now: Timestamp = NOW.parse().expect("fixed time");
        varde_web::bootstrap::seed_builtin(&db.store, now)
            .await
            .expect("seed built-in orgs");
        varde_web::bootstrap::seed_demo(&db.store, now)
            .await
            .expect("seed demo");
        config.data_dir = db.data_dir.path().to_path_buf();
        let key = PseudonymKey::from_bytes([7u8; 32]);
        let state = AppState::new(db.store.clone(), key, Clock::Fixed(now), config).expect("state");
        let app = Application::bind("127.0.0.1:0", state.clone())
            .await
            .expect("bind");
        let addr = app.addr().expect("addr");
        let (tx, rx) = oneshot::channel::<()>();
        let server = tokio::spawn(app.run(async move {
            let _ = rx.await;
        }));
        Some(TestApp {
            addr,
            base: format!("http://{addr}"),
            db,
            state,
            stop: Some(tx),
            server: Some(server),
        })
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// A client without cookies or redirects.
    pub fn client(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client")
    }

    /// A browser-like client: keeps cookies, does not follow redirects.
    pub fn browser(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client")
    }

    /// A second treatment organisation `name` with a specialist clinician `username` (the
    /// demo password): for tests that need two organisations.
    pub async fn add_treatment_org(&self, name: &str, username: &str) -> varde_core::org::OrgId {
        let store = &self.db.store;
        let now: jiff::Timestamp = NOW.parse().expect("fixed clock");
        let org = store
            .ensure_org(
                &varde_store::NewOrg {
                    kind: varde_core::org::OrgKind::TreatmentUnit,
                    name: name.into(),
                    slug: name.to_lowercase().replace(' ', "-"),
                    kommunenummer: None,
                    orgnr: None,
                    parent_id: None,
                },
                now,
            )
            .await
            .expect("organisation");
        let hash = varde_web::auth::hash_password_blocking(PASSWORD).expect("hash");
        store
            .create_user(
                org,
                varde_core::org::Role::Clinician,
                varde_core::org::Qualification::Specialist,
                username,
                &hash,
                now,
            )
            .await
            .expect("user");
        org
    }

    /// GETs a path with a bearer token; the status and the body.
    pub async fn get_text(&self, token: &str, path: &str) -> (reqwest::StatusCode, String) {
        let res = self
            .client()
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .expect("GET");
        (res.status(), res.text().await.expect("body"))
    }

    /// Posts a form with a logged-in browser `client`; the status and the page.
    pub async fn submit<F: serde::Serialize + ?Sized>(
        &self,
        client: &reqwest::Client,
        path: &str,
        form: &F,
    ) -> (reqwest::StatusCode, String) {
        let res = client
            .post(self.url(path))
            .form(form)
            .send()
            .await
            .expect("POST");
        (res.status(), res.text().await.expect("body"))
    }

    /// The newest `limit` entries of the whole access log.
    pub async fn access_log(&self, limit: i64) -> Vec<varde_core::audit::AccessEntry> {
        self.db
            .store
            .access_log(&varde_store::AccessFilter {
                limit,
                ..Default::default()
            })
            .await
            .expect("access log")
    }

    /// Logs in through the API and returns the bearer token.
    pub async fn token(&self, username: &str) -> String {
        let res = self
            .client()
            .post(self.url("/api/v1/session"))
            .json(&serde_json::json!({"username": username, "password": PASSWORD}))
            .send()
            .await
            .expect("login request");
        assert_eq!(res.status(), 200, "login of {username}");
        let body: serde_json::Value = res.json().await.expect("json");
        body["token"].as_str().expect("token").to_string()
    }

    /// Stops the server but keeps the database (a test that restarts the application).
    pub async fn halt(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(server) = self.server.take() {
            let _ = server.await.expect("server task");
        }
    }

    /// Another server on the same database, with its own connection pool: a second instance
    /// of a deployment (or the first one restarted). Stop it with [`Instance::stop`].
    pub async fn instance(&self, config: Config) -> Instance {
        let store = varde_store::Store::connect(&self.db.url)
            .await
            .expect("second connection");
        let now: Timestamp = NOW.parse().expect("fixed time");
        let config = Config {
            data_dir: self.db.data_dir.path().to_path_buf(),
            ..config
        };
        let key = PseudonymKey::from_bytes([7u8; 32]);
        let state = AppState::new(store, key, Clock::Fixed(now), config).expect("state");
        let app = Application::bind("127.0.0.1:0", state.clone())
            .await
            .expect("bind");
        let addr = app.addr().expect("addr");
        let (tx, rx) = oneshot::channel::<()>();
        let server = tokio::spawn(app.run(async move {
            let _ = rx.await;
        }));
        Instance {
            base: format!("http://{addr}"),
            state,
            stop: tx,
            server,
        }
    }

    /// Stops the server and drops the database.
    pub async fn stop(mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(server) = self.server.take() {
            let _ = server.await;
        }
        self.db.cleanup().await;
    }
}

/// A second server on a test app's database.
pub struct Instance {
    pub base: String,
    pub state: AppState,
    stop: oneshot::Sender<()>,
    server: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Instance {
    pub async fn stop(self) {
        let _ = self.stop.send(());
        let _ = self.server.await.expect("server task");
    }
}

/// A valid synthetic national identity number (month + 80) for the given 9 leading digits
/// pattern index: distinct numbers for distinct `n`.
pub fn synthetic_id(n: u32) -> String {
    // Birth date 1990-01-DD with month 01+80 = 81 (synthetic), individual number varies.
    for i in 0..1000u32 {
        let ind = (n * 37 + i) % 500;
        let nine = format!("{:02}8190{:03}", 1 + (n % 28), ind);
        if let Some(id) = varde_core::ids::synth::with_control_digits(&nine) {
            return id;
        }
    }
    panic!("no synthetic id for {n}");
}

/// Runs each named scenario `async fn name(app: &TestApp)` as two tests, `sqlite::name` and
/// `postgres::name`, each on a fresh app (PostgreSQL skips without `VARDE_TEST_POSTGRES_URL`).
#[allow(unused_macros)]
macro_rules! on_both_engines {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    if let Some(app) = crate::common::TestApp::start(varde_store::Engine::Sqlite).await {
                        super::$name(&app).await;
                        app.stop().await;
                    }
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    if let Some(app) = crate::common::TestApp::start(varde_store::Engine::Postgres).await {
                        super::$name(&app).await;
                        app.stop().await;
                    }
                }
            )*
        }
    };
}

/// Extracts `name="csrf" value="…"` from an HTML page.
pub fn csrf_of(html: &str) -> String {
    let at =
        html.find("name=\"csrf\" value=\"").expect("csrf field") + "name=\"csrf\" value=\"".len();
    html[at..].split('"').next().unwrap().to_string()
}

/// Logs in through the HTML form; returns a client holding the session cookie.
pub async fn browser_login(app: &TestApp, username: &str) -> reqwest::Client {
    let client = app.browser();
    let (_, page) = get_page(&client, app, "/login").await;
    let csrf = csrf_of(&page);
    let res = client
        .post(app.url("/login"))
        .form(&[
            ("username", username),
            ("password", PASSWORD),
            ("csrf", &csrf),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        reqwest::StatusCode::SEE_OTHER,
        "form login of {username}"
    );
    let cookie = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|c| c.starts_with("varde_session="))
        .expect("session cookie");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    client
}

/// GETs a page with a browser `client` (logged in or not); the status and the text.
pub async fn get_page(
    client: &reqwest::Client,
    app: &TestApp,
    path: &str,
) -> (reqwest::StatusCode, String) {
    let res = client.get(app.url(path)).send().await.expect("GET");
    (res.status(), res.text().await.expect("body"))
}

/// GETs an API path with a bearer token.
pub async fn get(app: &TestApp, token: &str, path: &str) -> reqwest::Response {
    app.client()
        .get(app.url(path))
        .bearer_auth(token)
        .send()
        .await
        .expect("GET")
}

/// POSTs JSON to an API path with a bearer token.
pub async fn post(
    app: &TestApp,
    token: &str,
    path: &str,
    body: &serde_json::Value,
) -> reqwest::Response {
    app.client()
        .post(app.url(path))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .expect("POST")
}

/// Registers a person through the API; the person's id.
pub async fn create_person(app: &TestApp, token: &str, national_id: &str, name: &str) -> i64 {
    let res = post(
        app,
        token,
        "/api/v1/persons",
        &serde_json::json!({"national_id": national_id, "name": name}),
    )
    .await;
    assert_eq!(res.status(), reqwest::StatusCode::CREATED);
    let body: serde_json::Value = res.json().await.expect("JSON");
    body["id"].as_i64().expect("id")
}

/// Asserts that the OpenAPI document names every path of `paths`.
pub async fn assert_openapi_names(app: &TestApp, paths: &[&str]) {
    let res = app
        .client()
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap();
    let doc = res.text().await.unwrap();
    for p in paths {
        assert!(
            doc.contains(&format!("\"{p}\"")),
            "the OpenAPI document names {p}"
        );
    }
}

/// The goal `id` of a dashboard document (a focus area's, as the results API serves it).
pub fn goal(focus: &serde_json::Value, id: &str) -> serde_json::Value {
    focus["goals"]
        .as_array()
        .expect("goals")
        .iter()
        .find(|g| g["id"] == id)
        .unwrap_or_else(|| panic!("goal {id} in {focus}"))
        .clone()
}

/// The indicator `id` of a dashboard document, whichever goal it follows.
pub fn indicator(focus: &serde_json::Value, id: &str) -> serde_json::Value {
    focus["goals"]
        .as_array()
        .expect("goals")
        .iter()
        .flat_map(|g| g["indicators"].as_array().expect("indicators").iter())
        .find(|i| i["id"] == id)
        .unwrap_or_else(|| panic!("{id} in {focus}"))
        .clone()
}

/// An indicator's point of year `y`, if it has one.
pub fn year(indicator: &serde_json::Value, y: i64) -> Option<serde_json::Value> {
    indicator["points"]
        .as_array()
        .expect("points")
        .iter()
        .find(|p| p["year"] == y)
        .cloned()
}
