//! Drug checking in a browser: the public lookup and its result page (on a phone too), the
//! summary, and the laboratory's intake form with its receipt, each checked with axe-core.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_drugcheck_lookup_result_and_receipt_sqlite_are_accessible() {
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
    // One analysed sample, through the API.
    let token = app.token("lab").await;
    let res = common::post(
        &app,
        &token,
        "/api/v1/drugcheck/samples",
        &json!({"sold_as": "heroin", "municipality": "0301", "received_on": "2026-11-20"}),
    )
    .await;
    let code = res.json::<Value>().await.unwrap()["code"]
        .as_str()
        .unwrap()
        .to_owned();
    let res = common::post(
        &app,
        &token,
        &format!("/api/v1/drugcheck/samples/{code}/result"),
        &json!({"analysed_on": "2026-11-23", "method": "GC-MS",
                "found": [{"substance": "protonitazene", "purity_percent": 2.5}, {"substance": "heroin", "purity_percent": 20}]}),
    )
    .await;
    assert_eq!(res.status(), 201);
    let d = Driver::start(&chromedriver, chromium.as_ref()).await;

    // The public, not logged in: the form, then the result.
    d.goto(&app.url("/drugcheck")).await;
    d.wait_path("/drugcheck").await;
    d.check_axe(&axe, "/drugcheck").await;
    d.assert_fits_phone("/drugcheck").await;
    d.fill("input#code", &code.to_lowercase()).await;
    d.click("form[action='/drugcheck/result'] button[type=submit]")
        .await;
    d.wait_path("/drugcheck/result").await;
    assert_eq!(d.count("main li strong").await, 2, "two substances found");
    d.check_axe(&axe, "/drugcheck/result").await;
    d.assert_fits_phone("/drugcheck/result").await;
    d.goto(&app.url("/drugcheck/summary")).await;
    d.wait_path("/drugcheck/summary").await;
    d.check_axe(&axe, "/drugcheck/summary").await;
    d.assert_fits_phone("/drugcheck/summary").await;

    // The laboratory: the intake form, then the receipt.
    login(&d, &app, "lab").await;
    open_page(&d, &app, &axe, "/drugcheck/lab", "lab").await;
    d.fill("input#sold_as", "kokain").await;
    d.fill("input#municipality", "0301").await;
    d.click("form[action='/drugcheck/lab/samples'] button[type=submit]")
        .await;
    d.wait_path("/drugcheck/lab/samples").await;
    assert_eq!(
        d.text(".receipt-code").await.len(),
        17,
        "the code in groups"
    );
    d.check_axe(&axe, "the receipt").await;
    d.assert_fits_phone("the receipt").await;
    logout(&d).await;

    d.quit().await;
    app.stop().await;
}
