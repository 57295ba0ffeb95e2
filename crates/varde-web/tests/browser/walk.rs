//! A clinician's day in bokmål, in the browser: a new referral for a new person, the
//! assessment, the first attendance, the patient on the worklist, and the indicators — each
//! page checked with axe and shown on a 360 px phone (the screenshots are kept:
//! `VARDE_SCREENSHOT_DIR`, in CI `target/ci-artifacts/screenshots`).

use varde_store::Engine;

use super::common::{synthetic_id, TestApp};
use super::{axe_source, browser_paths, login, open_page, seed_pathways, Browser, Driver};

/// Chooses `value` in the `<select id=…>` (the driver types into inputs only).
async fn choose(d: &Driver, id: &str, value: &str) {
    let script = format!(
        "const s = document.getElementById({id}); s.value = {value}; return s.value === {value};",
        id = serde_json::to_string(id).unwrap(),
        value = serde_json::to_string(value).unwrap(),
    );
    assert_eq!(
        d.exec(&script).await,
        serde_json::Value::Bool(true),
        "{id} = {value}"
    );
}

/// Registers the pathway's next event through its form and waits for the page to show it.
async fn register_event(d: &Driver, event: &str, shown_as: &str, date: &str, outcome: &str) {
    choose(d, "event", event).await;
    d.fill("#date", date).await;
    if !outcome.is_empty() {
        choose(d, "outcome", outcome).await;
    }
    if event == "referral_assessed" {
        d.fill("#deadline", "2026-12-20").await;
    }
    d.click("section form button[type=submit]").await;
    let shown = serde_json::to_string(shown_as).unwrap();
    d.wait_js(
        &format!("{event} in the table"),
        &format!(
            "[...document.querySelectorAll('main table tbody td')].some(td => td.textContent === {shown})"
        ),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_walk_new_referral_to_indicators_sqlite() {
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
    // Other pathways of the clinic, so that the indicators have something to compare.
    seed_pathways(&app).await;
    let d = Driver::start(&chromedriver, chromium.as_ref()).await;
    login(&d, &app, "kliniker").await;

    // A new referral for a person not yet in the register, registered in the same form.
    open_page(&d, &app, &axe, "/pathways/new", "kliniker").await;
    assert_eq!(d.text("main h1").await, "Registrer ny henvisning");
    d.fill("#national_id", &synthetic_id(31)).await;
    d.fill("#name", "Vandre Pasient").await;
    d.fill("#date", "2026-11-02").await;
    d.fill("#kommune", "0301").await;
    d.click("main form[action='/pathways/new'][method=post] button[type=submit]")
        .await;
    d.wait_js(
        "the new pathway's page",
        "location.pathname.startsWith('/pathways/p/TSB-')",
    )
    .await;
    assert!(
        d.text("main dl").await.contains("Vandre Pasient"),
        "the pathway names the patient"
    );
    d.check_axe(&axe, "/pathways/p/… (new)").await;

    // The assessment (a right, with its deadline), then the first attendance.
    register_event(
        &d,
        "referral_assessed",
        "Henvisning vurdert",
        "2026-11-04",
        "right",
    )
    .await;
    register_event(&d, "first_attendance", "Første fremmøte", "2026-11-10", "").await;
    d.check_axe(&axe, "/pathways/p/… (after the events)").await;
    d.assert_fits_phone_at("pathways-pathway", Some("main h1"))
        .await;

    // The worklist shows the patient by name.
    open_page(&d, &app, &axe, "/pathways", "kliniker").await;
    d.wait_js(
        "the patient on the worklist",
        "document.querySelector('main').textContent.includes('Vandre Pasient')",
    )
    .await;
    d.assert_fits_phone_at("pathways-worklist", Some("main table"))
        .await;

    // The indicators, with their trends and every unit side by side.
    open_page(&d, &app, &axe, "/pathways/indicators", "kliniker").await;
    assert!(d.count("svg[role=img]").await >= 1, "charts");
    d.assert_fits_phone_at("pathways-indicators", Some("section.indicator"))
        .await;

    d.quit().await;
    app.stop().await;
}
