//! The monitoring sources in a browser: the import page (its source choice, upload form and
//! recent batches) and the sources' pages (the overview; deaths with the note on the revised
//! count, surveys, seizures), each checked with axe-core and at phone width.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_monitoring_import_and_sources_sqlite_are_accessible() {
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
    // Rows of three sources through the API, so that the pages have something to show.
    let token = app.token("analytiker").await;
    for (source, csv) in [
        ("deaths", "month,county,substances,icd10\n2026-09,03,heroin;fentanyl,X42\n2026-10,46,,F11.2\n"),
        ("surveys", "source,year,indicator,value,ci_low,ci_high\nUngdata,2025,cannabis last year (%),7.1,6.5,7.8\n"),
        ("seizures", "agency,date,municipality,substance,amount,unit,purity_percent\npolice,2026-11-20,0301,heroin,12.5,g,35\n"),
    ] {
        let res = app
            .client()
            .post(app.url(&format!("/api/v1/monitoring/import/{source}?batch_id=b1")))
            .bearer_auth(&token)
            .header("content-type", "text/csv")
            .body(csv)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 201, "{source}");
    }
    let d = Driver::start(&chromedriver, chromium.as_ref()).await;
    login(&d, &app, "analytiker").await;
    open_page(&d, &app, &axe, "/monitoring/import", "analytiker").await;
    d.assert_fits_phone("/monitoring/import").await;
    open_page(&d, &app, &axe, "/monitoring/sources", "analytiker").await;
    d.assert_fits_phone("/monitoring/sources").await;
    for source in ["deaths", "surveys", "seizures"] {
        let path = format!("/monitoring/sources/{source}");
        open_page(&d, &app, &axe, &path, "analytiker").await;
        d.assert_fits_phone(&path).await;
    }
    d.quit().await;
    app.stop().await;
}
