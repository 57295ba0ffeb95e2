//! Issue 16's browser walk, on SQLite: the TSB unit raises a discharge notice → the
//! municipality acknowledges → the joint meeting → the municipality's plan with a goal and a
//! measure → consent to the TSB unit, which reads the plan → the consent withdrawn → the TSB
//! unit's next read is denied (and logged). Then the relatives page (section 5): a refused
//! agreement, a recorded one, children as relatives, and the figures. axe-core on each page.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_coordination_walk_and_relatives_sqlite_are_accessible() {
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
    let nid = common::synthetic_id(61);
    let tsb = app.token("kliniker").await;
    let res = common::post(
        &app,
        &tsb,
        "/api/v1/persons",
        &json!({"national_id": nid, "name": "Ola Vandring", "kommune": "0301"}),
    )
    .await;
    let tsb_person = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let oslo = app.token("koordinator.oslo").await;
    let res = common::post(
        &app,
        &oslo,
        "/api/v1/persons",
        &json!({"national_id": nid, "name": "Ola Vandring", "kommune": "0301"}),
    )
    .await;
    let oslo_person = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let tsb_org = app
        .db
        .store
        .user_by_username("kliniker")
        .await
        .unwrap()
        .unwrap()
        .org_id
        .0;
    let d = Driver::start(&chromedriver, chromium.as_ref()).await;

    // 1. The TSB unit raises the discharge notice.
    login(&d, &app, "kliniker").await;
    open_page(&d, &app, &axe, "/coordination/discharge", "kliniker").await;
    d.exec(&format!(
        "document.getElementById('person').value = '{tsb_person}'; document.getElementById('expected_discharge').value = '2026-12-10';"
    ))
    .await;
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
    logout(&d).await;

    // 2. The municipality acknowledges, 3. records the joint meeting.
    login(&d, &app, "koordinator.oslo").await;
    open_page(&d, &app, &axe, &notice, "koordinator.oslo").await;
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
    d.fill("textarea#outcome", "Felles plan: bolig og oppfølging")
        .await;
    d.click(&format!(
        "form[action='{notice}/meeting'] button[type=submit]"
    ))
    .await;
    d.wait_js(
        "the meeting",
        "document.body.textContent.includes('Felles plan: bolig')",
    )
    .await;
    d.check_axe(&axe, "the notice after the joint meeting")
        .await;

    // 4. The plan with a goal and a measure.
    let person_page = format!("/coordination/persons/{oslo_person}");
    open_page(&d, &app, &axe, &person_page, "koordinator.oslo").await;
    d.fill("input#plan-coordinator", "koordinator.oslo").await;
    d.exec("document.getElementById('plan-status').value = 'active';")
        .await;
    d.click(&format!(
        "form[action='{person_page}/plans'] button[type=submit]"
    ))
    .await;
    d.wait_js(
        "the plan",
        "location.pathname.match(/^\\/coordination\\/plans\\/\\d+$/)",
    )
    .await;
    let plan = d.current_path().await;
    d.fill("textarea#goal-text", "Egen bolig innen sommeren")
        .await;
    d.click(&format!("form[action='{plan}/goals'] button[type=submit]"))
        .await;
    d.wait_js("the goal", "document.getElementById('m-goal') !== null")
        .await;
    d.fill("input#m-text", "Søknad om kommunal bolig").await;
    d.exec("var s = document.getElementById('m-owner-org'); s.selectedIndex = 1;")
        .await;
    d.fill("input#m-owner-name", "Boligkontoret").await;
    d.exec("document.getElementById('m-start').value = '2026-12-01'; document.getElementById('m-evaluate').value = '2027-02-01';")
        .await;
    d.click(&format!(
        "form[action='{plan}/measures'] button[type=submit]"
    ))
    .await;
    d.wait_js(
        "the measure",
        "document.body.textContent.includes('Boligkontoret')",
    )
    .await;
    d.check_axe(&axe, "the plan with a goal and a measure")
        .await;

    // 5. Consent to the TSB unit for the plan.
    open_page(&d, &app, &axe, &person_page, "koordinator.oslo").await;
    d.exec(&format!(
        "document.getElementById('scope').value = 'plan'; document.getElementById('grantee_org').value = '{tsb_org}'; document.getElementById('valid_until').value = '2027-05-24';"
    ))
    .await;
    d.fill("input#purpose", "Oppfølging etter utskrivning")
        .await;
    d.click("input#given-written").await;
    d.click(&format!(
        "form[action='{person_page}/consents'] button[type=submit]"
    ))
    .await;
    d.wait_js(
        "the consent",
        "document.querySelector(\"form[action*='/withdraw']\") !== null",
    )
    .await;
    d.check_axe(&axe, "the person with a consent").await;
    logout(&d).await;

    // The TSB unit reads the plan with the consent.
    login(&d, &app, "kliniker").await;
    open_page(&d, &app, &axe, &plan, "kliniker").await;
    assert!(d.text("main").await.contains("Egen bolig innen sommeren"));
    logout(&d).await;

    // 6. The consent withdrawn.
    login(&d, &app, "koordinator.oslo").await;
    open_page(&d, &app, &axe, &person_page, "koordinator.oslo").await;
    d.click("form[action*='/withdraw'] button[type=submit]")
        .await;
    d.wait_js(
        "withdrawn",
        "document.querySelector(\"form[action*='/withdraw']\") === null",
    )
    .await;
    d.check_axe(&axe, "the person after the withdrawal").await;

    // Section 5 on the same plan: the relatives page, a refusal, an agreement, children.
    let relatives = format!("{plan}/relatives");
    open_page(&d, &app, &axe, &relatives, "koordinator.oslo").await;
    d.fill("input#r-name", "Kari Vandring").await;
    d.click("input[name=scopes][value=plan]").await;
    d.exec("document.getElementById('r-review').value = '';")
        .await;
    d.click(&format!("form[action='{relatives}'] button[type=submit]"))
        .await;
    d.wait_js(
        "the refusal",
        "document.querySelector('main').innerText.includes('en avtale må ha en dato for gjennomgang')",
    )
    .await;
    d.check_axe(&axe, "the relatives page with a refusal").await;
    d.exec("document.getElementById('r-review').value = '2026-12-15';")
        .await;
    d.click(&format!("form[action='{relatives}'] button[type=submit]"))
        .await;
    // The listed agreement (the refusal page already says "skal gjennomgås" in its intro,
    // and shows the typed name only in the input).
    d.wait_js(
        "the agreement",
        "!document.querySelector('main').innerText.includes('en avtale må ha en dato for gjennomgang') \
         && document.querySelector('main').innerText.includes('Kari Vandring')",
    )
    .await;
    d.fill("input#ch-count", "2").await;
    d.fill("input#ch-ages", "6, 14").await;
    d.click("input[name=talked]").await;
    d.click(&format!(
        "form[action='{plan}/children'] button[type=submit]"
    ))
    .await;
    d.wait_js(
        "the children",
        "document.body.textContent.includes('6, 14')",
    )
    .await;
    d.check_axe(&axe, "the relatives page").await;
    d.assert_fits_phone("the relatives page").await;
    open_page(&d, &app, &axe, "/coordination", "koordinator.oslo").await;
    assert!(d
        .text("main")
        .await
        .contains("Pårørendeavtale skal gjennomgås"));
    open_page(&d, &app, &axe, "/coordination/figures", "koordinator.oslo").await;
    logout(&d).await;

    // 7. The TSB unit's next read is denied: the page of no plan, and the denial logged.
    login(&d, &app, "kliniker").await;
    d.goto(&app.url(&plan)).await;
    d.wait_path(&plan).await;
    assert!(!d.text("body").await.contains("Egen bolig innen sommeren"));
    let e = &app.access_log(1).await[0];
    assert_eq!(
        (e.actor.as_str(), e.outcome.as_str()),
        ("kliniker", "denied")
    );
    d.quit().await;
    app.stop().await;
}
