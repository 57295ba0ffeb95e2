//! The monitoring area in a browser: the analyst's inbox (with the demo's signals in it), a
//! signal's page and the watchlist, each checked with axe-core and at phone width.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_monitoring_inbox_signal_and_watchlist_sqlite_are_accessible() {
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
    let now = common::NOW.parse().expect("now");
    let ids = varde_web::bootstrap::seed_demo_signals(&app.db.store, now)
        .await
        .expect("demo signals");
    assert_eq!(ids.len(), 4);
    let d = Driver::start(&chromedriver, chromium.as_ref()).await;
    login(&d, &app, "analytiker").await;

    open_page(&d, &app, &axe, "/monitoring", "analytiker").await;
    assert_eq!(d.count("main article.signal").await, 3, "the new signals");
    d.assert_fits_phone("/monitoring").await;
    d.goto(&app.url("/monitoring?status=acknowledged")).await;
    d.wait_js(
        "the acknowledged tab",
        "location.search === '?status=acknowledged'",
    )
    .await;
    d.check_axe(&axe, "/monitoring?status=acknowledged").await;
    let signal = format!("/monitoring/signals/{}", ids[1]);
    open_page(&d, &app, &axe, &signal, "analytiker").await;
    d.assert_fits_phone(&signal).await;
    open_page(&d, &app, &axe, "/monitoring/watchlist", "analytiker").await;
    d.assert_fits_phone("/monitoring/watchlist").await;

    d.quit().await;
    app.stop().await;
}
