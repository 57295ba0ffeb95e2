//! Discharge notices in a browser: the TSB unit raises a notice → the municipality's inbox
//! shows it (the page polls the stamp and updates itself) → the municipality acknowledges with
//! its contact → the joint meeting is recorded; each page checked with axe-core, and the
//! national view.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_coordination_discharge_notice_sqlite_is_accessible() {
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
    let token = app.token("kliniker").await;
    let res = common::post(
        &app,
        &token,
        "/api/v1/persons",
        &json!({"national_id": common::synthetic_id(41), "name": "Ola Utskrives", "kommune": "0301"}),
    )
    .await;
    let person = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let d = Driver::start(&chromedriver, chromium.as_ref()).await;

    // The municipality's inbox is open, empty, before the notice is raised.
    login(&d, &app, "koordinator.oslo").await;
    open_page(
        &d,
        &app,
        &axe,
        "/coordination/discharge",
        "koordinator.oslo",
    )
    .await;
    assert_eq!(d.count("#discharge-inbox table").await, 0);
    logout(&d).await;

    // The TSB unit raises the notice through its form (a refusal first).
    login(&d, &app, "kliniker").await;
    open_page(&d, &app, &axe, "/coordination/discharge", "kliniker").await;
    d.exec(&format!(
        "document.getElementById('person').value = '{person}'; document.getElementById('expected_discharge').value = '2028-01-01';"
    ))
    .await;
    d.click("form[action='/coordination/discharge'] button[type=submit]")
        .await;
    d.wait_js(
        "the refusal",
        "document.getElementById('expected_discharge-error')",
    )
    .await;
    d.check_axe(&axe, "/coordination/discharge (refused)").await;
    d.exec("document.getElementById('expected_discharge').value = '2026-12-10';")
        .await;
    d.click("input#need-no_home").await;
    d.click("input#need-substance_use").await;
    d.click("form[action='/coordination/discharge'] button[type=submit]")
        .await;
    d.wait_js(
        "the notice",
        "location.pathname.match(/^\\/coordination\\/discharge\\/\\d+$/)",
    )
    .await;
    let notice = d.current_path().await;
    d.check_axe(&axe, "the notice (unit)").await;
    d.assert_fits_phone("the notice (unit)").await;
    logout(&d).await;

    // The municipality acknowledges with its contact, then records the joint meeting.
    login(&d, &app, "koordinator.oslo").await;
    open_page(
        &d,
        &app,
        &axe,
        "/coordination/discharge",
        "koordinator.oslo",
    )
    .await;
    assert_eq!(d.count("#discharge-inbox tbody tr").await, 1);
    d.goto(&app.url(&notice)).await;
    d.wait_path(&notice).await;
    d.check_axe(&axe, "the notice (municipality)").await;
    d.fill("input#contact", "Kari Nilsen, 21 80 21 80").await;
    d.click(&format!(
        "form[action='{notice}/acknowledge'] button[type=submit]"
    ))
    .await;
    d.wait_js(
        "acknowledged",
        "document.body.textContent.includes('Kari Nilsen')",
    )
    .await;
    d.fill(
        "textarea#outcome",
        "Midlertidig bolig og oppfølging fra rustjenesten",
    )
    .await;
    d.click(&format!(
        "form[action='{notice}/meeting'] button[type=submit]"
    ))
    .await;
    d.wait_js(
        "the meeting",
        "document.body.textContent.includes('Midlertidig bolig')",
    )
    .await;
    d.check_axe(&axe, "the notice after the joint meeting")
        .await;
    logout(&d).await;

    // The national view.
    login(&d, &app, "analytiker").await;
    open_page(
        &d,
        &app,
        &axe,
        "/coordination/discharge/national",
        "analytiker",
    )
    .await;
    logout(&d).await;
    d.quit().await;
    app.stop().await;
}
