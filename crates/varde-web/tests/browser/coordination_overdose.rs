//! Overdose notices in a browser: an emergency ward's clinician registers a non-fatal
//! overdose through the form (a refusal first: a consent needs an end date) → Oslo's
//! follow-up worklist shows it with the hours left of the risk week → Oslo records a contact
//! attempt; each page checked with axe-core.

use super::*;

/// Logs in a user whose start page is the one their role opens (the ward's clinician lands on
/// the pathways).
async fn login_any(d: &Driver, app: &TestApp, username: &str) {
    d.goto(&app.url("/login")).await;
    d.wait_path("/login").await;
    d.fill("input[name=username]", username).await;
    d.fill("input[name=password]", common::PASSWORD).await;
    d.click("form[action='/login'] button[type=submit]").await;
    d.wait_js("logged in", "location.pathname !== '/login'")
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_coordination_overdose_sqlite_is_accessible() {
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
    let store = &app.db.store;
    let org = store
        .org_by_key("oslo-universitetssykehus-hf")
        .await
        .unwrap()
        .expect("the health trust")
        .id;
    let hash = varde_web::auth::hash_password_blocking(common::PASSWORD).unwrap();
    store
        .create_user(
            org,
            varde_core::org::Role::Clinician,
            varde_core::org::Qualification::Other,
            "legevakt.ous",
            &hash,
            common::NOW.parse().unwrap(),
        )
        .await
        .unwrap();
    let token = app.token("legevakt.ous").await;
    let res = common::post(
        &app,
        &token,
        "/api/v1/persons",
        &json!({"national_id": common::synthetic_id(42), "name": "Ola Overdose", "kommune": "0301"}),
    )
    .await;
    let person = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let d = Driver::start(&chromedriver, chromium.as_ref()).await;

    // The ward registers through its form: without an end date first, then with one.
    login_any(&d, &app, "legevakt.ous").await;
    open_page(&d, &app, &axe, "/coordination/overdose", "legevakt.ous").await;
    d.exec(&format!(
        "document.getElementById('person').value = '{person}'; document.getElementById('occurred_at').value = '2026-11-24T02:30'; document.getElementById('consent_until').removeAttribute('required'); document.getElementById('consent_until').value = '';"
    ))
    .await;
    d.click("form[action='/coordination/overdose'] button[type=submit]")
        .await;
    d.wait_js(
        "the refusal",
        "document.getElementById('consent_until-error')",
    )
    .await;
    d.check_axe(&axe, "/coordination/overdose (refused)").await;
    d.exec("document.getElementById('consent_until').value = '2026-12-24';")
        .await;
    d.click("form[action='/coordination/overdose'] button[type=submit]")
        .await;
    d.wait_js(
        "the notice",
        "location.pathname.match(/^\\/coordination\\/overdose\\/\\d+$/)",
    )
    .await;
    let notice = d.current_path().await;
    d.check_axe(&axe, "the notice (ward)").await;
    logout(&d).await;

    // Oslo's worklist shows it with the hours left; Oslo records an attempt.
    login(&d, &app, "koordinator.oslo").await;
    open_page(&d, &app, &axe, "/coordination/overdose", "koordinator.oslo").await;
    assert_eq!(d.count("#overdose-worklist tbody tr").await, 1);
    d.wait_js(
        "the hours left",
        "document.getElementById('overdose-worklist').textContent.includes('158')",
    )
    .await;
    d.goto(&app.url(&notice)).await;
    d.wait_path(&notice).await;
    d.check_axe(&axe, "the notice (municipality)").await;
    d.exec("document.getElementById('attempt-at').value = '2026-11-24T11:00';")
        .await;
    d.click(&format!(
        "form[action='{notice}/attempt'] button[type=submit]"
    ))
    .await;
    d.wait_js(
        "the attempt",
        "document.body.textContent.includes('2026-11-24T11:00')",
    )
    .await;
    d.check_axe(&axe, "the notice after an attempt").await;
    d.assert_fits_phone("the notice after an attempt").await;
    logout(&d).await;

    // The national follow-up figures.
    login(&d, &app, "analytiker").await;
    open_page(
        &d,
        &app,
        &axe,
        "/coordination/overdose/national",
        "analytiker",
    )
    .await;
    logout(&d).await;
    d.quit().await;
    app.stop().await;
}
