//! The monitoring series pages in a browser: the dashboard (with a series that has recent
//! alarms and a drug-checking finding), a series with its chart, and the detection rules,
//! each checked with axe-core and at phone width.

use super::*;
use varde_core::monitoring::series::Week;

/// Four years of weekly overdoses in Oslo with an outbreak in the last two weeks, evaluated.
async fn seed_series(app: &TestApp) {
    let analyst = app
        .db
        .store
        .user_by_username("analytiker")
        .await
        .expect("read")
        .expect("analyst");
    let mut rows = Vec::new();
    let mut week = Week::new(2022, 1).expect("week");
    let last = Week::new(2026, 47).expect("week");
    let mut i = 0usize;
    while week <= last {
        let n = if week >= Week::new(2026, 46).expect("week") {
            30
        } else {
            4 + (i * 7 + i / 3) % 5
        };
        for _ in 0..n {
            rows.push((week, "0301".to_owned(), vec!["heroin".to_owned()], None));
        }
        week = week.plus(1);
        i += 1;
    }
    app.db
        .store
        .monitoring_insert_rows_for_tests(
            "overdoses",
            analyst.org_id.0,
            analyst.id.0,
            "overdoses/b",
            &rows,
        )
        .await
        .expect("rows");
    varde_web::monitoring::series::reevaluate_batch(&app.state, analyst.org_id, "overdoses/b")
        .await
        .expect("evaluated");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_monitoring_dashboard_series_and_rules_sqlite_are_accessible() {
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
    seed_series(&app).await;
    let d = Driver::start(&chromedriver, chromium.as_ref()).await;
    login(&d, &app, "analytiker").await;

    open_page(&d, &app, &axe, "/monitoring/dashboard", "analytiker").await;
    assert!(
        d.count("main svg").await >= 1,
        "a chart of a series with alarms"
    );
    d.assert_fits_phone("/monitoring/dashboard").await;
    let series = "/monitoring/series?source=overdoses&substance=heroin&area=county:03";
    d.goto(&app.url(series)).await;
    d.wait_path("/monitoring/series").await;
    d.check_axe(&axe, series).await;
    assert_eq!(d.count("main svg").await, 1);
    d.assert_fits_phone(series).await;
    open_page(&d, &app, &axe, "/monitoring/rules", "analytiker").await;
    assert_eq!(d.count("main form textarea[name=params]").await, 5);
    d.assert_fits_phone("/monitoring/rules").await;

    d.quit().await;
    app.stop().await;
}
