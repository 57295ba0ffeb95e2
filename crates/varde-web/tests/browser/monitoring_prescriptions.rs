//! The prescription risk figures in a browser: figures imported through the API, then the
//! analyst's page (trend chart with its table, the series, the thresholds with their source)
//! and the import page, each checked with axe-core and at phone width.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_monitoring_prescriptions_page_sqlite_is_accessible() {
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
    // Five years of Bergen and the nation, both sexes; one small cell.
    let mut csv = String::from("year,area,age_band,sex,measure,count,population\n");
    for (i, year) in (2021..=2025).enumerate() {
        let i = i as u64;
        for (area, male, female, pop) in [
            ("4601", 1_200 + 20 * i, 1_500 + 30 * i, 145_000),
            ("national", 26_000 + 400 * i, 33_000 + 500 * i, 2_750_000),
        ] {
            csv.push_str(&format!(
                "{year},{area},all,male,persistent_opioid_use,{male},{pop}\n\
                 {year},{area},all,female,persistent_opioid_use,{female},{pop}\n\
                 {year},{area},all,all,persistent_opioid_use,{},{}\n",
                male + female,
                2 * pop
            ));
        }
    }
    csv.push_str("2025,4601,0-17,all,persistent_opioid_use,3,50000\n");
    let token = app.token("analytiker").await;
    let res = app
        .client()
        .post(app.url("/api/v1/monitoring/import/prescriptions?batch_id=browser"))
        .bearer_auth(&token)
        .header("content-type", "text/csv")
        .body(csv)
        .send()
        .await
        .expect("import");
    assert_eq!(
        res.status(),
        201,
        "{}",
        res.text().await.unwrap_or_default()
    );

    let d = Driver::start(&chromedriver, chromium.as_ref()).await;
    login(&d, &app, "analytiker").await;
    // The page with a chosen series (the query stays in the address).
    for (query, what) in [
        (
            "?area=4601&measure=persistent_opioid_use&age_band=all&sex=all",
            "Bergen",
        ),
        ("?area=4601&age_band=0-17", "a suppressed cell"),
    ] {
        let page = format!("/monitoring/prescriptions{query}");
        d.goto(&app.url(&page)).await;
        let q = serde_json::to_string(query).expect("json");
        d.wait_js(what, &format!("location.search === {q}")).await;
        d.check_axe(&axe, &page).await;
        assert_eq!(
            d.count("main svg[role=img]").await,
            1,
            "the trend chart: {what}"
        );
        d.assert_fits_phone(&page).await;
    }
    open_page(
        &d,
        &app,
        &axe,
        "/monitoring/prescriptions/import",
        "analytiker",
    )
    .await;
    d.assert_fits_phone("/monitoring/prescriptions/import")
        .await;

    d.quit().await;
    app.stop().await;
}
