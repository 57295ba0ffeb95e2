//! The advisory unit in a browser: the worklist (the advisor's start page), a case page, and
//! recording a meeting's attendance through its form, each checked with axe-core (and the
//! worklist and the case on a phone); the summons letter too.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_advisory_worklist_case_and_meeting_sqlite_are_accessible() {
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
    // A youth case decided last week, with two meetings: today and Friday.
    let token = app.token("radgiver.oslo").await;
    let res = common::post(
        &app,
        &token,
        "/api/v1/advisory/cases",
        &json!({
            "route": "prosecution_condition",
            "person": {"name": "Ola Nettleser", "national_id": common::synthetic_id(11)},
            "decision": {"reference": "OSL-2026-1", "decided_on": "2026-11-20", "meetings_required": 2,
                         "period_end": "2027-02-19",
                         "drug_testing": {"test_type": "saliva", "interval_days": 14, "until": "2027-02-19"}}
        }),
    )
    .await;
    assert_eq!(res.status(), 201);
    let id = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    for at in ["2026-11-24T14:00:00+01:00", "2026-11-27T10:00:00+01:00"] {
        let res = common::post(
            &app,
            &token,
            &format!("/api/v1/advisory/cases/{id}/meetings"),
            &json!({"planned_at": at, "place": "Rådhusgata 2"}),
        )
        .await;
        assert_eq!(res.status(), 201);
    }
    let d = Driver::start(&chromedriver, chromium.as_ref()).await;
    login(&d, &app, "radgiver.oslo").await;
    d.check_axe(&axe, "/advisory").await;
    assert!(d.text("main").await.contains("Ola Nettleser"));
    d.assert_fits_phone("/advisory").await;

    let case = format!("/advisory/cases/{id}");
    open_page(&d, &app, &axe, &case, "radgiver.oslo").await;
    d.assert_fits_phone(&case).await;
    // Record today's meeting: attended, consent given.
    d.exec("document.getElementById('att-1-status').value = 'attended';")
        .await;
    d.exec("document.getElementById('att-1-consent').value = 'yes';")
        .await;
    d.click(&format!(
        "form[action='/advisory/cases/{id}/meetings/1/attendance'] button[type=submit]"
    ))
    .await;
    d.wait_js(
        "the meeting recorded",
        "document.querySelector('main') && document.querySelector('main').innerText.includes('helsehjelp (med samtykke)')",
    )
    .await;
    assert_eq!(d.current_path().await, case);
    d.check_axe(&axe, "the case after the meeting").await;
    // A refused form (a meeting outside the period) is accessible too.
    // A date-and-time field takes its value from script (typing depends on the locale).
    d.exec("document.getElementById('planned_at').value = '2027-03-01T10:00';")
        .await;
    d.fill("input#place", "Storgata 1").await;
    d.click(&format!(
        "form[action='/advisory/cases/{id}/meetings'] button[type=submit]"
    ))
    .await;
    d.wait_js("the refusal", "document.getElementById('planned_at-error')")
        .await;
    d.check_axe(&axe, "the refused meeting form").await;
    // The new-case form and the summons letter.
    open_page(&d, &app, &axe, "/advisory/new", "radgiver.oslo").await;
    open_page(
        &d,
        &app,
        &axe,
        &format!("/advisory/cases/{id}/meetings/2/summons"),
        "radgiver.oslo",
    )
    .await;
    assert!(d.text("main").await.contains("27.11.2026 10:00"));
    logout(&d).await;
    d.quit().await;
    app.stop().await;
}

/// The statistics page (an analyst's: the period form, the chart and its table, every place)
/// and the erased case's page (the demo's Bergen case closed six years ago, erased by the real
/// job), each checked with axe-core, the statistics on a phone too; the worklist with its
/// erasures due and the advice form.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_advisory_statistics_and_erased_case_sqlite_are_accessible() {
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
    varde_web::advisory::demo::seed_demo_advisory(&app.state)
        .await
        .map_err(|e| e.detail)
        .unwrap();
    let d = Driver::start(&chromedriver, chromium.as_ref()).await;
    login(&d, &app, "analytiker").await;
    open_page(&d, &app, &axe, "/advisory/statistics", "analytiker").await;
    let main = d.text("main").await;
    assert!(
        main.contains("Hele landet") && main.contains("Saker etter vei inn"),
        "{main}"
    );
    let charts = d
        .exec("return document.querySelectorAll('main svg').length")
        .await;
    assert!(charts.as_u64() >= Some(1), "{charts}");
    d.assert_fits_phone("/advisory/statistics").await;
    logout(&d).await;

    login(&d, &app, "radgiver.bergen").await;
    open_page(&d, &app, &axe, "/advisory/cases/7", "radgiver.bergen").await;
    let main = d.text("main").await;
    assert!(
        main.contains("Personopplysningene er slettet") && !main.contains("Lars Demo"),
        "{main}"
    );
    open_page(&d, &app, &axe, "/advisory/statistics", "radgiver.bergen").await;
    logout(&d).await;

    login(&d, &app, "radgiver.oslo").await;
    d.check_axe(&axe, "/advisory with erasures due and the advice form")
        .await;
    assert!(d.text("main").await.contains("Ida Demo"));
    logout(&d).await;
    d.quit().await;
    app.stop().await;
}
