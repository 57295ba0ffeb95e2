//! Browser tests: the login flow and the main pages in headless Chromium, driven over raw
//! W3C WebDriver (HTTP against chromedriver), with axe-core checking accessibility.
//!
//! Needs `VARDE_CHROMEDRIVER` (path to chromedriver) and optionally `VARDE_CHROMIUM` (path to
//! the browser). Without `VARDE_CHROMEDRIVER` the tests are skipped, unless
//! `VARDE_REQUIRE_BROWSER=1`, in which case they fail.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "browser/advisory.rs"]
mod advisory;
#[path = "browser/axe.rs"]
mod axe;
mod common;
#[path = "browser/coordination.rs"]
mod coordination;
#[path = "browser/coordination_discharge.rs"]
mod coordination_discharge;
#[path = "browser/coordination_overdose.rs"]
mod coordination_overdose;
#[path = "browser/coordination_walk.rs"]
mod coordination_walk;
#[path = "browser/drugcheck.rs"]
mod drugcheck;
#[path = "browser/feedback.rs"]
mod feedback;
#[path = "browser/monitoring.rs"]
mod monitoring;
#[path = "browser/monitoring_prescriptions.rs"]
mod monitoring_prescriptions;
#[path = "browser/monitoring_series.rs"]
mod monitoring_series;
#[path = "browser/monitoring_sources.rs"]
mod monitoring_sources;
#[path = "browser/phone.rs"]
mod phone;
#[path = "browser/results.rs"]
mod results;
#[path = "browser/walk.rs"]
mod walk;
#[path = "browser/warnings.rs"]
mod warnings;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::TestApp;
use serde_json::{json, Value};
use varde_store::Engine;

/// How long any explicit wait polls before giving up.
const WAIT: Duration = Duration::from_secs(30);
/// The interval between polls of an explicit wait.
const POLL: Duration = Duration::from_millis(100);
/// The W3C WebDriver key of an element reference.
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

// ------------------------------------------------------------------ chromedriver process

/// A chromedriver child process with its WebDriver session. Dropping it (also on a failing
/// assert) deletes the session, asks chromedriver to shut down and kills it after 5 s.
struct Driver {
    child: Child,
    port: u16,
    session: Option<String>,
    http: reqwest::Client,
    // Chromium leaves directories in TMPDIR; this one goes away with the guard.
    _tmp: tempfile::TempDir,
}

/// The outcome of the environment check.
enum Browser {
    Skip,
    Paths {
        chromedriver: PathBuf,
        chromium: Option<PathBuf>,
    },
}

fn browser_paths() -> Browser {
    match std::env::var_os("VARDE_CHROMEDRIVER").filter(|v| !v.is_empty()) {
        Some(driver) => Browser::Paths {
            chromedriver: PathBuf::from(driver),
            chromium: std::env::var_os("VARDE_CHROMIUM")
                .filter(|v| !v.is_empty())
                .map(PathBuf::from),
        },
        None => {
            if std::env::var("VARDE_REQUIRE_BROWSER").is_ok_and(|v| v == "1") {
                panic!("VARDE_REQUIRE_BROWSER=1 but VARDE_CHROMEDRIVER is not set");
            }
            eprintln!("skipping browser test: VARDE_CHROMEDRIVER is not set (set VARDE_REQUIRE_BROWSER=1 to make this an error)");
            Browser::Skip
        }
    }
}

fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    listener.local_addr().expect("local addr").port()
}

impl Driver {
    /// Starts chromedriver, waits until it is ready and opens a headless Chromium session.
    async fn start(chromedriver: &PathBuf, chromium: Option<&PathBuf>) -> Driver {
        let tmp = tempfile::tempdir().expect("tempdir for chromedriver");
        let port = free_port();
        let child = Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .env("TMPDIR", tmp.path())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("cannot start chromedriver {}: {e}", chromedriver.display())
            });
        let http = reqwest::Client::builder()
            .no_proxy()
            .timeout(Duration::from_secs(120))
            .build()
            .expect("http client");
        let mut driver = Driver {
            child,
            port,
            session: None,
            http,
            _tmp: tmp,
        };
        driver.wait_ready().await;

        let mut options = json!({
            "args": [
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-quic",
                "--no-first-run",
                "--no-default-browser-check",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-extensions",
                "--window-size=1280,800",
            ]
        });
        if let Some(bin) = chromium {
            options["binary"] = json!(bin.to_string_lossy());
        }
        let caps = json!({
            "capabilities": {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": options}}
        });
        let res = driver
            .command(reqwest::Method::POST, "/session", Some(caps))
            .await;
        let session = res["sessionId"]
            .as_str()
            .expect("sessionId in new session response")
            .to_owned();
        driver.session = Some(session);
        driver
            .cmd_post(
                "/timeouts",
                json!({"implicit": 0, "pageLoad": 60_000, "script": 60_000}),
            )
            .await;
        driver
    }

    fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    async fn wait_ready(&mut self) {
        let deadline = Instant::now() + WAIT;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("chromedriver exited before becoming ready: {status}");
            }
            if let Ok(res) = self
                .http
                .get(format!("{}/status", self.base()))
                .send()
                .await
            {
                if let Ok(body) = res.json::<Value>().await {
                    if body["value"]["ready"] == json!(true) {
                        return;
                    }
                }
            }
            assert!(
                Instant::now() < deadline,
                "chromedriver did not become ready within {WAIT:?}"
            );
            tokio::time::sleep(POLL).await;
        }
    }

    /// Sends a WebDriver command and returns its `value`; panics on a WebDriver error.
    async fn command(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        match self.try_command(method.clone(), path, body).await {
            Ok(v) => v,
            Err(e) => panic!("WebDriver {method} {path} failed: {e}"),
        }
    }

    async fn try_command(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<Value, String> {
        let mut req = self
            .http
            .request(method, format!("{}{}", self.base(), path));
        if let Some(body) = body {
            req = req.json(&body);
        }
        let res = req.send().await.map_err(|e| format!("request: {e}"))?;
        let status = res.status();
        let body: Value = res
            .json()
            .await
            .map_err(|e| format!("response body: {e}"))?;
        if !status.is_success() {
            return Err(format!(
                "{status}: {} – {}",
                body["value"]["error"].as_str().unwrap_or("?"),
                body["value"]["message"].as_str().unwrap_or("?")
            ));
        }
        Ok(body["value"].clone())
    }

    fn session_path(&self, path: &str) -> String {
        format!(
            "/session/{}{}",
            self.session.as_deref().expect("open session"),
            path
        )
    }

    async fn cmd_post(&self, path: &str, body: Value) -> Value {
        self.command(reqwest::Method::POST, &self.session_path(path), Some(body))
            .await
    }

    async fn cmd_get(&self, path: &str) -> Value {
        self.command(reqwest::Method::GET, &self.session_path(path), None)
            .await
    }

    // -------------------------------------------------------------- browser operations

    async fn goto(&self, url: &str) {
        self.cmd_post("/url", json!({"url": url})).await;
    }

    async fn current_url(&self) -> String {
        self.cmd_get("/url")
            .await
            .as_str()
            .expect("url string")
            .to_owned()
    }

    /// The path part of the current URL.
    async fn current_path(&self) -> String {
        let url = self.current_url().await;
        let rest = url.split_once("://").map(|(_, r)| r).unwrap_or(&url);
        let path = rest.find('/').map(|i| &rest[i..]).unwrap_or("/");
        path.split(['?', '#']).next().unwrap_or("/").to_owned()
    }

    async fn exec(&self, script: &str) -> Value {
        self.cmd_post("/execute/sync", json!({"script": script, "args": []}))
            .await
    }

    async fn try_exec(&self, script: &str) -> Result<Value, String> {
        self.try_command(
            reqwest::Method::POST,
            &self.session_path("/execute/sync"),
            Some(json!({"script": script, "args": []})),
        )
        .await
    }

    /// Finds an element by CSS selector, waiting until it appears.
    async fn find(&self, css: &str) -> String {
        let deadline = Instant::now() + WAIT;
        loop {
            let res = self
                .try_command(
                    reqwest::Method::POST,
                    &self.session_path("/element"),
                    Some(json!({"using": "css selector", "value": css})),
                )
                .await;
            if let Ok(v) = res {
                return v[ELEMENT_KEY]
                    .as_str()
                    .expect("element reference")
                    .to_owned();
            }
            assert!(
                Instant::now() < deadline,
                "no element {css:?} within {WAIT:?} on {}",
                self.current_url().await
            );
            tokio::time::sleep(POLL).await;
        }
    }

    async fn count(&self, css: &str) -> usize {
        let v = self
            .cmd_post("/elements", json!({"using": "css selector", "value": css}))
            .await;
        v.as_array().map(Vec::len).unwrap_or(0)
    }

    async fn text(&self, css: &str) -> String {
        let el = self.find(css).await;
        self.cmd_get(&format!("/element/{el}/text"))
            .await
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    async fn fill(&self, css: &str, value: &str) {
        self.on_element(
            css,
            &[("clear", json!({})), ("value", json!({"text": value}))],
        )
        .await;
    }

    async fn click(&self, css: &str) {
        self.on_element(css, &[("click", json!({}))]).await;
    }

    /// Finds `css` and sends it the element commands in order. An element found on a page that
    /// is being replaced (a form just submitted: the old page still matches) goes stale; it is
    /// found again on the new page and the commands are sent again, until [`WAIT`].
    async fn on_element(&self, css: &str, commands: &[(&str, Value)]) {
        let deadline = Instant::now() + WAIT;
        'found: loop {
            let el = self.find(css).await;
            for (command, body) in commands {
                let path = self.session_path(&format!("/element/{el}/{command}"));
                match self
                    .try_command(reqwest::Method::POST, &path, Some(body.clone()))
                    .await
                {
                    Ok(_) => {}
                    Err(e) if e.contains("stale element") && Instant::now() < deadline => {
                        tokio::time::sleep(POLL).await;
                        continue 'found;
                    }
                    Err(e) => panic!("WebDriver {command} on {css:?} failed: {e}"),
                }
            }
            return;
        }
    }

    /// Polls a JavaScript expression until it is `true` (script errors during a navigation
    /// count as "not yet").
    async fn wait_js(&self, what: &str, expr: &str) {
        let script = format!("return document.readyState === 'complete' && !!({expr});");
        let deadline = Instant::now() + WAIT;
        loop {
            if let Ok(Value::Bool(true)) = self.try_exec(&script).await {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what} ({expr}) on {}",
                self.current_url().await
            );
            tokio::time::sleep(POLL).await;
        }
    }

    /// Waits until the current page has the given path and is fully loaded.
    async fn wait_path(&self, path: &str) {
        let p = serde_json::to_string(path).expect("json string");
        self.wait_js(
            &format!("path {path}"),
            &format!("location.pathname === {p}"),
        )
        .await;
    }

    /// Ends the session and chromedriver in an orderly way.
    async fn quit(mut self) {
        if let Some(session) = self.session.take() {
            let _ = self
                .try_command(
                    reqwest::Method::DELETE,
                    &format!("/session/{session}"),
                    None,
                )
                .await;
        }
        let _ = self
            .http
            .get(format!("{}/shutdown", self.base()))
            .send()
            .await;
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            tokio::time::sleep(POLL).await;
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A minimal blocking HTTP request for use in `Drop` (no runtime available there).
fn raw_http(port: u16, method: &str, path: &str) {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let Ok(mut stream) = TcpStream::connect_timeout(&addr, Duration::from_secs(2)) else {
        return;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let _ = stream.set_write_timeout(Some(Duration::from_secs(2)));
    let req = format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    if stream.write_all(req.as_bytes()).is_ok() {
        let mut sink = Vec::new();
        let _ = stream.read_to_end(&mut sink);
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        if let Ok(Some(_)) = self.child.try_wait() {
            return;
        }
        if let Some(session) = self.session.take() {
            raw_http(self.port, "DELETE", &format!("/session/{session}"));
        }
        raw_http(self.port, "GET", "/shutdown");
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(POLL);
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

// ------------------------------------------------------------------ flows

fn axe_source() -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../web/vendor/axe.min.js");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// Logs in through the login form and waits for the start page (a clinician's is the
/// worklist).
async fn login(d: &Driver, app: &TestApp, username: &str) {
    d.goto(&app.url("/login")).await;
    d.wait_path("/login").await;
    d.fill("input[name=username]", username).await;
    d.fill("input[name=password]", common::PASSWORD).await;
    d.click("form[action='/login'] button[type=submit]").await;
    d.wait_path(if username == "kliniker" {
        "/pathways"
    } else if username.starts_with("radgiver.") {
        // An advisor's start page is the unit's worklist.
        "/advisory"
    } else if username.starts_with("koordinator.") {
        // A coordinator's start page is the coordinator's worklist.
        "/coordination"
    } else {
        "/"
    })
    .await;
    assert_eq!(
        d.text("header .session strong").await,
        username,
        "logged-in user shown in the header"
    );
    assert_eq!(
        d.count("form[action='/logout'] button").await,
        1,
        "logout control on the home page"
    );
}

/// Logs out through the logout button and waits for the login page.
async fn logout(d: &Driver) {
    d.click("form[action='/logout'] button[type=submit]").await;
    d.wait_path("/login").await;
    assert_eq!(
        d.count("form[action='/logout']").await,
        0,
        "no logout control after logout"
    );
}

/// Opens an application page as the logged-in user, checks that it is the page itself (the
/// header shows the user; error pages have no header) and runs axe-core on it.
async fn open_page(d: &Driver, app: &TestApp, axe: &str, path: &str, username: &str) {
    d.goto(&app.url(path)).await;
    d.wait_path(path).await;
    assert_eq!(
        d.text("header .session strong").await,
        username,
        "{path} is an application page for {username}"
    );
    d.check_axe(axe, path).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_login_flow_sqlite_is_accessible() {
    let Browser::Paths {
        chromedriver,
        chromium,
    } = browser_paths()
    else {
        return;
    };
    let started = Instant::now();
    let axe = axe_source();
    let app = TestApp::start(Engine::Sqlite)
        .await
        .expect("sqlite test app");
    let d = Driver::start(&chromedriver, chromium.as_ref()).await;
    eprintln!("browser ready after {:?}", started.elapsed());

    // 1. The login page: Norwegian, accessible.
    d.goto(&app.url("/login")).await;
    d.wait_path("/login").await;
    assert_eq!(
        d.exec("return document.documentElement.lang;").await,
        json!("nb"),
        "login page language"
    );
    d.check_axe(&axe, "/login").await;

    // A wrong password keeps us on the login page with an error, which is itself accessible.
    d.fill("input[name=username]", "radgiver.oslo").await;
    d.fill("input[name=password]", "not-the-password").await;
    d.click("form[action='/login'] button[type=submit]").await;
    d.wait_js("login error", "document.getElementById('login-error')")
        .await;
    assert_eq!(d.current_path().await, "/login");
    d.check_axe(&axe, "/login (failed login)").await;

    // 2. Log in as the advisor and land on the start page (the unit's worklist).
    login(&d, &app, "radgiver.oslo").await;
    assert_ne!(d.current_path().await, "/login");

    // 3. The main pages are accessible.
    d.check_axe(&axe, "/advisory (start page)").await;
    for path in ["/persons", "/persons/new"] {
        open_page(&d, &app, &axe, path, "radgiver.oslo").await;
    }

    // 4. Register a person through the form and see the person page.
    let name = "Kari Nettleser";
    d.goto(&app.url("/persons/new")).await;
    d.wait_path("/persons/new").await;
    d.fill("input[name=national_id]", &common::synthetic_id(1))
        .await;
    d.fill("input[name=name]", name).await;
    d.click("form[action='/persons/new'] button[type=submit]")
        .await;
    d.wait_js(
        "person page",
        "/^\\/persons\\/[0-9]+$/.test(location.pathname) && document.querySelector('main h1')",
    )
    .await;
    assert_eq!(d.text("main h1").await, name, "person page shows the name");
    let person_path = d.current_path().await;
    d.check_axe(&axe, &person_path).await;
    d.assert_fits_phone(&person_path).await;
    d.goto(&app.url("/persons")).await;
    d.wait_path("/persons").await;
    assert!(
        d.text("main").await.contains(name),
        "the person list shows the new person"
    );
    // On a phone the list reads without the page scrolling sideways.
    d.assert_fits_phone("/persons").await;
    // A refused form (the rule beside its field) and an error page (in the frame) are
    // accessible too.
    d.goto(&app.url("/persons/new")).await;
    d.wait_path("/persons/new").await;
    d.fill("input[name=national_id]", "123").await;
    d.fill("input[name=name]", name).await;
    d.click("form[action='/persons/new'] button[type=submit]")
        .await;
    d.wait_js(
        "the rule beside the field",
        "document.getElementById('national_id-error')",
    )
    .await;
    d.check_axe(&axe, "/persons/new (refused)").await;
    d.assert_fits_phone("/persons/new (refused)").await;
    d.goto(&app.url("/persons/abc")).await;
    d.wait_path("/persons/abc").await;
    assert!(
        d.count("nav.areas a").await > 1,
        "the error page has the menu"
    );
    d.check_axe(&axe, "/persons/abc (error page)").await;

    // 5. Log out; the person list then sends us to the login page.
    logout(&d).await;
    d.goto(&app.url("/persons")).await;
    d.wait_path("/login").await;

    // The organisation admin's user page and the auditor's audit log.
    login(&d, &app, "admin.oslo").await;
    open_page(&d, &app, &axe, "/admin/users", "admin.oslo").await;
    d.assert_fits_phone("/admin/users").await;
    assert!(
        d.text("main table").await.contains("radgiver.oslo"),
        "the user list shows the organisation's users"
    );
    logout(&d).await;

    login(&d, &app, "revisor.oslo").await;
    open_page(&d, &app, &axe, "/audit", "revisor.oslo").await;
    d.assert_fits_phone("/audit").await;
    assert_eq!(
        d.count("main p.ok[role=status]").await,
        1,
        "the audit page reports an intact hash chain"
    );
    logout(&d).await;

    // 6. Switch language on the login page and see English.
    d.goto(&app.url("/login")).await;
    d.wait_path("/login").await;
    assert_eq!(
        d.exec("return document.documentElement.lang;").await,
        json!("nb")
    );
    d.click("form[action='/lang'] button[type=submit]").await;
    d.wait_js("English page", "document.documentElement.lang === 'en'")
        .await;
    assert_eq!(
        d.current_path().await,
        "/login",
        "the language switch returns to the same page"
    );
    assert_eq!(d.text("main h1").await, "Log in", "English heading");
    d.check_axe(&axe, "/login (English)").await;

    d.quit().await;
    app.stop().await;
    eprintln!("browser test finished in {:?}", started.elapsed());
}

/// Registers pathway events through the API as the demo clinician.
async fn seed_pathways(app: &TestApp) {
    let token = app.token("kliniker").await;
    let client = app.client();
    // A LAR patient with an agreement, and a stay past its § 10-2 limit (a warning).
    for (path, body) in [
        (
            "/api/v1/lar/admissions",
            json!({"patient": "L1", "kommune": "0301", "date": "2026-02-02", "decided_by": "specialist"}),
        ),
        (
            "/api/v1/lar/agreements",
            json!({"kommune": "0301", "from": "2026-01-01"}),
        ),
        (
            "/api/v1/coercion/stays",
            json!({"stay_id": "T1", "patient": "pt-T1", "start": "2026-07-01"}),
        ),
        (
            "/api/v1/coercion/stays/T1/decisions",
            json!({"section": "10-2", "kind": "main", "decided": "2026-07-01", "from": "2026-07-01"}),
        ),
    ] {
        let res = client
            .post(app.url(path))
            .bearer_auth(&token)
            .json(&body)
            .send()
            .await
            .expect("post");
        assert_eq!(res.status(), 201, "{path} {body}");
    }
    let ev = |p: &str, event: &str, date: &str, outcome: &str, deadline: &str| {
        json!({"pathway_id": p, "unit": "Demo TSB poliklinikk", "hf": "Oslo universitetssykehus HF",
               "rhf": "Helse Sør-Øst RHF", "kommune": "0301", "care_level": "outpatient",
               "event": event, "date": date, "outcome": outcome, "deadline": deadline})
    };
    for i in 0..6 {
        let p = format!("W{i}");
        let decision = if i == 5 { "2026-10-20" } else { "2026-09-15" };
        for body in [
            ev(&p, "referral_received", "2026-08-03", "", ""),
            ev(&p, "referral_assessed", "2026-08-05", "right", "2026-09-30"),
            ev(&p, "pathway_start", "2026-08-05", "", ""),
            ev(&p, "first_attendance", "2026-09-01", "", ""),
            ev(&p, "clinical_decision", decision, "CT", ""),
        ] {
            let res = client
                .post(app.url("/api/v1/pathways/events"))
                .bearer_auth(&token)
                .json(&body)
                .send()
                .await
                .expect("post event");
            assert_eq!(res.status(), 201, "{body}");
        }
    }
    let res = client
        .post(app.url("/api/v1/pathways/events"))
        .bearer_auth(&token)
        .json(&ev("R1", "referral_received", "2026-11-20", "", ""))
        .send()
        .await
        .expect("post event");
    assert_eq!(res.status(), 201);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_pathways_worklist_and_indicators_sqlite_are_accessible() {
    let Browser::Paths {
        chromedriver,
        chromium,
    } = browser_paths()
    else {
        return;
    };
    let axe = axe_source();
    let app = TestApp::start(Engine::Sqlite)
        .await
        .expect("sqlite test app");
    seed_pathways(&app).await;
    let d = Driver::start(&chromedriver, chromium.as_ref()).await;

    login(&d, &app, "kliniker").await;
    // The worklist: counts per status and the rows, most urgent first.
    open_page(&d, &app, &axe, "/pathways", "kliniker").await;
    assert!(d.count("main table tbody tr").await >= 6, "worklist rows");
    assert_eq!(d.count("ul.counts li").await, 3, "counts per status");

    // A pathway page, reached by the link in the worklist.
    d.click("main table tbody tr a").await;
    d.wait_js(
        "pathway page",
        "location.pathname.startsWith('/pathways/p/')",
    )
    .await;
    d.check_axe(&axe, "/pathways/p/…").await;
    // Register an event through its form: an evaluation (the next point).
    d.fill("#date", "2026-11-20").await;
    d.exec("document.getElementById('event').value = 'evaluation'; return true;")
        .await;
    d.click("section form button[type=submit]").await;
    d.wait_js(
        "the evaluation in the table",
        "[...document.querySelectorAll('main table tbody td')].some(td => td.textContent === 'Evaluering')",
    )
    .await;

    open_page(&d, &app, &axe, "/pathways/new", "kliniker").await;
    open_page(&d, &app, &axe, "/pathways/import", "kliniker").await;
    // LAR and coercion: tables, warnings and the decision forms.
    open_page(&d, &app, &axe, "/pathways/lar", "kliniker").await;
    d.assert_fits_phone("/pathways/lar").await;
    open_page(&d, &app, &axe, "/pathways/coercion", "kliniker").await;
    d.assert_fits_phone("/pathways/coercion").await;
    // The indicator page: the SVG chart with its data table beside it.
    open_page(&d, &app, &axe, "/pathways/indicators", "kliniker").await;
    assert!(
        d.count("svg[role=img] title").await >= 1,
        "chart with a title"
    );
    assert!(
        d.count("section.indicator table").await >= 1,
        "data table beside the chart"
    );
    logout(&d).await;

    // The analyst sees the indicators too.
    login(&d, &app, "analytiker").await;
    open_page(&d, &app, &axe, "/pathways/indicators", "analytiker").await;
    // And the national LAR and coercion figures, reached from there.
    open_page(&d, &app, &axe, "/pathways/national", "analytiker").await;
    d.assert_fits_phone("/pathways/national").await;
    assert!(d.count("main table").await >= 1, "the coercion table");

    d.quit().await;
    app.stop().await;
}
