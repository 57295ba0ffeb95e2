//! Coordination in a browser, on the demo's data: the coordinator's worklist (their start
//! page), a plan page, a refused measure form, the person page and the printable overview,
//! each checked with axe-core (the worklist and the plan on a phone too); then the TSB unit's
//! clinician reads the plan shared with consent.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_coordination_worklist_and_plan_sqlite_are_accessible() {
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
    varde_web::coordination::demo::seed_demo_coordination(&app.state)
        .await
        .expect("demo coordination");
    let d = Driver::start(&chromedriver, chromium.as_ref()).await;
    login(&d, &app, "koordinator.oslo").await;
    d.check_axe(&axe, "/coordination").await;
    assert!(d.text("main").await.contains("Evaluering forfalt"));
    d.assert_fits_phone("/coordination").await;

    let plan = "/coordination/plans/1";
    open_page(&d, &app, &axe, plan, "koordinator.oslo").await;
    assert!(d.text("main").await.contains("Ha et trygt sted å bo"));
    d.assert_fits_phone(plan).await;
    // A measure with no owner: refused, the page again with the rule beside the field.
    d.fill("input#m-text", "Arbeidstrening").await;
    d.fill("input#m-owner-name", "NAV").await;
    d.exec("document.getElementById('m-start').value = '2026-12-01';")
        .await;
    d.exec("document.getElementById('m-evaluate').value = '2027-03-01';")
        .await;
    d.click("form[action='/coordination/plans/1/measures'] button[type=submit]")
        .await;
    d.wait_js(
        "the refusal",
        "document.querySelector('main') && document.querySelector('main').innerText.includes('et tiltak må ha en ansvarlig virksomhet')",
    )
    .await;
    d.check_axe(&axe, "the plan with a refused measure").await;

    let person = app
        .db
        .store
        .coordination_plan_ref(1)
        .await
        .unwrap()
        .unwrap()
        .person_id;
    open_page(
        &d,
        &app,
        &axe,
        &format!("/coordination/persons/{person}"),
        "koordinator.oslo",
    )
    .await;
    open_page(
        &d,
        &app,
        &axe,
        &format!("/coordination/persons/{person}/overview"),
        "koordinator.oslo",
    )
    .await;
    open_page(&d, &app, &axe, "/coordination/figures", "koordinator.oslo").await;
    logout(&d).await;

    // The TSB unit's clinician reads the plan the person consented to share.
    login(&d, &app, "kliniker").await;
    open_page(&d, &app, &axe, plan, "kliniker").await;
    assert!(d.text("main").await.contains("Ha et trygt sted å bo"));
    app.stop().await;
}
