//! The warnings area in a browser: the public pages (on a phone too, with a published warning
//! in them), the editor's form and the approver's page, each checked with axe-core.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_warnings_public_editor_and_approver_sqlite_are_accessible() {
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
    // One published warning and one draft, through the operations.
    let id = varde_web::bootstrap::seed_demo_warnings(&app.state)
        .await
        .expect("demo warnings");
    let d = Driver::start(&chromedriver, chromium.as_ref()).await;

    // The public, not logged in.
    d.goto(&app.url("/warnings")).await;
    d.wait_path("/warnings").await;
    assert_eq!(
        d.count("article.warning-card").await,
        1,
        "the published warning"
    );
    d.check_axe(&axe, "/warnings").await;
    d.assert_fits_phone("/warnings").await;
    d.click("article.warning-card h2 a").await;
    let path = format!("/warnings/{id}");
    d.wait_path(&path).await;
    d.check_axe(&axe, &path).await;
    d.assert_fits_phone(&path).await;
    d.goto(&app.url("/warnings/archive")).await;
    d.wait_path("/warnings/archive").await;
    d.check_axe(&axe, "/warnings/archive").await;

    // The editor's form.
    login(&d, &app, "varselredaktor").await;
    open_page(&d, &app, &axe, "/warnings/new", "varselredaktor").await;
    d.assert_fits_phone("/warnings/new").await;
    open_page(&d, &app, &axe, "/warnings/manage", "varselredaktor").await;
    logout(&d).await;

    // The approver's pages: the list, and the draft waiting with its approve button.
    login(&d, &app, "varselgodkjenner").await;
    open_page(&d, &app, &axe, "/warnings/manage", "varselgodkjenner").await;
    d.assert_fits_phone("/warnings/manage").await;
    d.click("main table tbody tr.flagged a").await;
    d.wait_js(
        "the draft's page",
        "location.pathname.startsWith('/warnings/manage/OVS-')",
    )
    .await;
    assert_eq!(
        d.count("form[action$='/approve'] button").await,
        1,
        "the approve button"
    );
    d.check_axe(&axe, "/warnings/manage/…").await;
    d.assert_fits_phone("/warnings/manage/…").await;
    let manage = format!("/warnings/manage/{id}");
    open_page(&d, &app, &axe, &manage, "varselgodkjenner").await;
    logout(&d).await;

    // The admin's subscribers.
    login(&d, &app, "systemadmin").await;
    open_page(&d, &app, &axe, "/warnings/webhooks", "systemadmin").await;

    d.quit().await;
    app.stop().await;
}
