//! Feedback in a browser: the patient's answer page on a phone (filled in and sent), the thanks
//! page, the anonymous survey page, and the clinician's trend page and the survey figures, each
//! checked with axe-core.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_feedback_answer_page_and_trend_sqlite_are_accessible() {
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
    let person =
        common::create_person(&app, &token, &common::synthetic_id(1), "Kari Nordmann").await;
    let make = |n: u32, day: &'static str| {
        let app = &app;
        let token = token.clone();
        async move {
            let res = common::post(
                app,
                &token,
                &format!("/api/v1/feedback/patients/{person}/links"),
                &json!({"session_date": day, "session_number": n}),
            )
            .await;
            assert_eq!(res.status(), 201);
            res.json::<Value>().await.unwrap()["path"]
                .as_str()
                .unwrap()
                .to_owned()
        }
    };
    for (n, day) in [(1, "2026-11-03"), (2, "2026-11-10")] {
        let path = make(n, day).await;
        let items: Vec<(&str, String)> = varde_core::feedback::ITEMS
            .iter()
            .map(|(id, _)| (*id, (3 + n).to_string()))
            .collect();
        let res = app
            .client()
            .post(app.url(&path))
            .form(&items)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
    }
    let open = make(3, "2026-11-17").await;
    let res = common::post(
        &app,
        &token,
        "/api/v1/feedback/surveys/users/links",
        &json!({}),
    )
    .await;
    let survey = res.json::<Value>().await.unwrap()["url"]
        .as_str()
        .unwrap()
        .to_owned();
    let survey = survey[survey.find("/s/").unwrap()..].to_owned();

    let d = Driver::start(&chromedriver, chromium.as_ref()).await;
    // The patient, on a phone, not logged in: the form, filled in and sent.
    d.goto(&app.url(&open)).await;
    d.wait_path(&open).await;
    d.check_axe(&axe, "the answer page").await;
    d.assert_fits_phone("the answer page").await;
    for (id, _) in varde_core::feedback::ITEMS {
        d.click(&format!("input[name='{id}'][value='8']")).await;
    }
    d.click("main form button[type=submit]").await;
    d.wait_js(
        "the thanks page",
        "document.querySelector('main form') === null",
    )
    .await;
    d.check_axe(&axe, "the thanks page").await;
    d.assert_fits_phone("the thanks page").await;
    // The same link again: the one page for every link that does not work.
    d.goto(&app.url(&open)).await;
    d.wait_path(&open).await;
    d.check_axe(&axe, "the used link").await;
    // The anonymous survey.
    d.goto(&app.url(&survey)).await;
    d.wait_path(&survey).await;
    d.check_axe(&axe, "the survey").await;
    d.assert_fits_phone("the survey").await;

    // The clinician: the list and the patient's trend.
    login(&d, &app, "kliniker").await;
    open_page(&d, &app, &axe, "/feedback", "kliniker").await;
    let page = format!("/feedback/patients/{person}");
    open_page(&d, &app, &axe, &page, "kliniker").await;
    assert_eq!(
        d.count("svg.chart polyline").await,
        2,
        "outcome and alliance"
    );
    d.assert_fits_phone("the trend page").await;
    open_page(&d, &app, &axe, "/feedback/surveys", "kliniker").await;
    logout(&d).await;

    d.quit().await;
    app.stop().await;
}
