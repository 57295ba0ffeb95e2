//! The results area in a browser: the public dashboard, not logged in, at a phone's width
//! (no sideways scroll) with axe-core clean; and the analysts' pages (the plans, a focus
//! area's dashboard with its charts and tables, the rating form, the import page).

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_results_public_dashboard_on_a_phone_and_the_analysts_pages_sqlite_are_accessible()
{
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
    let n = varde_web::results::demo::seed_demo_results(&app.state)
        .await
        .expect("demo values");
    assert!(n > 0);
    let token = app.token("analytiker").await;
    let res = common::post(
        &app,
        &token,
        "/api/v1/results/reform-2024/ratings",
        &json!({"goal": "3.3", "year": 2025, "rating": "++", "reason": "Færre unge har vært beruset, men effekten er liten."}),
    )
    .await;
    assert_eq!(res.status(), 201);
    let d = Driver::start(&chromedriver, chromium.as_ref()).await;

    // The public, not logged in, on a phone.
    for path in ["/public/results", "/public/results/reform-2024/3"] {
        d.goto(&app.url(path)).await;
        d.wait_path(path).await;
        d.check_axe(&axe, path).await;
        d.assert_fits_phone(path).await;
    }
    assert!(d.count("svg.chart").await >= 2, "trend charts");
    d.goto(&app.url("/public/results/escalation-2007-2012/1"))
        .await;
    d.wait_path("/public/results/escalation-2007-2012/1").await;
    d.check_axe(&axe, "the escalation plan's main goal 1").await;
    d.assert_fits_phone("/public/results/escalation-2007-2012/1")
        .await;

    // The analyst.
    login(&d, &app, "analytiker").await;
    open_page(&d, &app, &axe, "/results", "analytiker").await;
    open_page(&d, &app, &axe, "/results/reform-2024/3", "analytiker").await;
    d.assert_fits_phone("/results/reform-2024/3").await;
    d.goto(&app.url("/results/reform-2024/rate?goal=3.3")).await;
    d.wait_path("/results/reform-2024/rate").await;
    d.check_axe(&axe, "the rating form").await;
    d.goto(&app.url("/results/euda?year=2025")).await;
    d.wait_path("/results/euda").await;
    d.check_axe(&axe, "the EUDA tables").await;
    d.goto(&app.url("/results/import?source=ungdata")).await;
    d.wait_path("/results/import").await;
    d.check_axe(&axe, "the import page").await;
    logout(&d).await;

    d.quit().await;
    app.stop().await;
}
