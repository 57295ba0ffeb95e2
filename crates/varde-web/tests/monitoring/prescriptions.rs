//! Prescription risk figures over HTTP (issue 10, item 6): the import's refusals (line and
//! field; all or nothing, or the valid rows), its idempotency by batch id, an identity number
//! refused without its value, the figures as rates with small cells suppressed, who may
//! read and who may import, a later batch replacing a figure, the page with its upload form,
//! and the demo's figures seeded once.

use reqwest::StatusCode;
use serde_json::Value;
use varde_core::monitoring::prescriptions::Measure;

use crate::common::{browser_login, csrf_of, get, get_page, TestApp};

const HEAD: &str = "year,area,age_band,sex,measure,count,population\n";
const IMPORT: &str = "/api/v1/monitoring/import/prescriptions";

async fn import(app: &TestApp, token: &str, query: &str, body: &str) -> (StatusCode, Value) {
    let res = app
        .client()
        .post(app.url(&format!("{IMPORT}{query}")))
        .bearer_auth(token)
        .header("content-type", "text/csv")
        .body(body.to_owned())
        .send()
        .await
        .unwrap();
    let status = res.status();
    let text = res.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

async fn figures(app: &TestApp, token: &str, query: &str) -> (StatusCode, Value) {
    let res = get(
        app,
        token,
        &format!("/api/v1/monitoring/prescriptions{query}"),
    )
    .await;
    (res.status(), res.json().await.unwrap())
}

async fn stored(app: &TestApp) -> usize {
    app.db
        .store
        .prescription_figures(Measure::PersistentOpioidUse)
        .await
        .unwrap()
        .len()
}

/// Oslo, 2024: men 3, women 37, both 40 (men hidden, and women with them: 40 − 37 = 3).
fn oslo() -> String {
    format!(
        "{HEAD}2024,0301,all,male,persistent_opioid_use,3,350000\n\
         2024,0301,all,female,persistent_opioid_use,37,360000\n\
         2024,0301,all,all,persistent_opioid_use,40,710000\n\
         2023,0301,all,all,persistent_opioid_use,30,700000\n"
    )
}

pub async fn an_import_with_a_bad_row_names_its_line_and_field_and_writes_nothing(app: &TestApp) {
    let token = app.token("analytiker").await;
    let body = format!(
        "{HEAD}2024,0301,all,all,persistent_opioid_use,40,710000\n\
         2024,0301,all,male,persistent_opioid_use,-1,350000\n\
         2024,0301,all,female,opioids,20,360000\n"
    );
    let (status, v) = import(app, &token, "?batch_id=b1", &body).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["accepted"], 0, "{v}");
    assert_eq!(v["refused"][0]["line"], 3, "{v}");
    assert_eq!(v["refused"][0]["field"], "count");
    assert_eq!(v["refused"][1]["line"], 4);
    assert_eq!(v["refused"][1]["field"], "measure");
    assert!(
        v["refused"][1]["rule"]
            .as_str()
            .unwrap()
            .contains("persistent_opioid_use, problematic_daily_use, problematic_combination"),
        "the known measures are listed: {v}"
    );
    assert_eq!(stored(app).await, 0, "all or nothing: nothing written");
    // The batch id was not used up; with valid_only the valid row is written.
    let (status, v) = import(app, &token, "?batch_id=b1&valid_only=true", &body).await;
    assert_eq!(status, StatusCode::CREATED, "{v}");
    assert_eq!(v["accepted"], 1);
    assert_eq!(v["refused"].as_array().unwrap().len(), 2);
    assert_eq!(stored(app).await, 1);
    // An extra column refuses the file, naming the header.
    let (status, v) = import(
        app,
        &token,
        "?batch_id=b2",
        "year,area,age_band,sex,measure,count,population,name\n",
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["errors"][0]["field"], "header", "{v}");
}

pub async fn the_same_batch_twice_changes_nothing_and_another_file_under_its_id_is_refused(
    app: &TestApp,
) {
    let token = app.token("analytiker").await;
    let (status, v) = import(app, &token, "?batch_id=fhi-2024", &oslo()).await;
    assert_eq!(status, StatusCode::CREATED, "{v}");
    assert_eq!(v["accepted"], 4);
    let log = app.access_log(1).await;
    assert_eq!(
        log[0].actor, "analytiker",
        "the import is logged with its author"
    );
    assert_eq!(log[0].record, "prescriptions-import:fhi-2024");
    let rows = app.db.store.prescription_rows().await.unwrap();
    let (status, v) = import(app, &token, "?batch_id=fhi-2024", &oslo()).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(
        (v["accepted"].as_u64(), v["already_imported"].as_bool()),
        (Some(0), Some(true))
    );
    assert_eq!(app.db.store.prescription_rows().await.unwrap(), rows);
    let other = oslo().replace(",40,710000", ",41,710000");
    let (status, v) = import(app, &token, "?batch_id=fhi-2024", &other).await;
    assert_eq!(status, StatusCode::CONFLICT, "{v}");
    assert_eq!(v["errors"][0]["field"], "batch_id");
    assert_eq!(app.db.store.prescription_rows().await.unwrap(), rows);
}

pub async fn an_identity_number_is_refused_without_its_value(app: &TestApp) {
    let token = app.token("analytiker").await;
    let fnr = "01019010046";
    let body = format!("{HEAD}2024,0301,all,all,persistent_opioid_use,{fnr},710000\n");
    let (status, v) = import(app, &token, "", &body).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["refused"][0]["field"], "count");
    assert!(
        !v.to_string().contains(fnr),
        "the number is never echoed: {v}"
    );
    assert_eq!(stored(app).await, 0);
}

pub async fn the_figures_are_rates_per_1000_with_small_cells_suppressed(app: &TestApp) {
    let token = app.token("analytiker").await;
    let (status, v) = import(app, &token, "", &oslo()).await;
    assert_eq!(status, StatusCode::CREATED, "{v}");
    let (status, v) = figures(app, &token, "?area=0301&measure=persistent_opioid_use").await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let years = v["years"].as_array().unwrap();
    assert_eq!(years.len(), 2);
    assert_eq!(years[0]["year"], 2023);
    assert_eq!(years[1]["count"], 40);
    assert_eq!(years[1]["population"], 710_000);
    let rate = years[1]["rate_per_1000"].as_f64().unwrap();
    assert!((rate - 40.0 * 1000.0 / 710_000.0).abs() < 1e-9, "{rate}");
    assert_eq!(v["threshold"]["ddd_per_year_min"], 180.0);
    assert!(v["threshold"]["source"]
        .as_str()
        .unwrap()
        .contains("Meld. St. 5 (2024–2025)"));
    for sex in ["male", "female"] {
        let (_, v) = figures(app, &token, &format!("?area=0301&sex={sex}")).await;
        let y = &v["years"][0];
        assert_eq!(
            (
                y["count"].clone(),
                y["rate_per_1000"].clone(),
                y["suppressed"].clone()
            ),
            (Value::Null, Value::Null, Value::Bool(true)),
            "{sex}: {v}"
        );
    }
    let (status, v) = figures(app, &token, "?area=0301&measure=opioids").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(v["errors"][0]["field"], "measure");
    let res = get(app, &token, "/api/v1/monitoring/prescriptions/thresholds").await;
    assert_eq!(res.status(), StatusCode::OK);
    let v: Value = res.json().await.unwrap();
    assert_eq!(v.as_array().unwrap().len(), 3);
    let doc: Value = get(app, &token, "/api/v1/openapi.json")
        .await
        .json()
        .await
        .unwrap();
    for p in [
        IMPORT,
        "/api/v1/monitoring/prescriptions",
        "/api/v1/monitoring/prescriptions/thresholds",
    ] {
        assert!(doc["paths"].get(p).is_some(), "{p} in the OpenAPI document");
    }
}

pub async fn only_analysts_read_the_figures_and_a_lab_user_may_import(app: &TestApp) {
    let clinician = app.token("kliniker").await;
    let (status, _) = figures(app, &clinician, "").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = import(app, &clinician, "", &oslo()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let lab = app.token("lab").await;
    let (status, _) = figures(app, &lab, "").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "importing is not reading");
    let (status, v) = import(app, &lab, "?batch_id=lab-1", &oslo()).await;
    assert_eq!(status, StatusCode::CREATED, "{v}");
    assert_eq!(app.access_log(1).await[0].actor, "lab");
}

pub async fn a_later_batch_replaces_the_figure_and_keeps_the_old_row(app: &TestApp) {
    let token = app.token("analytiker").await;
    import(app, &token, "?batch_id=first", &oslo()).await;
    let revised = format!("{HEAD}2023,0301,all,all,persistent_opioid_use,33,700000\n");
    let (status, v) = import(app, &token, "?batch_id=revised", &revised).await;
    assert_eq!(status, StatusCode::CREATED, "{v}");
    let (_, v) = figures(app, &token, "?area=0301").await;
    assert_eq!(v["years"][0]["count"], 33, "{v}");
    assert_eq!(
        app.db.store.prescription_rows().await.unwrap(),
        5,
        "the history keeps both"
    );
    assert_eq!(stored(app).await, 4);
}

pub async fn the_page_shows_the_trend_and_the_thresholds_and_takes_an_upload(app: &TestApp) {
    let client = browser_login(app, "analytiker").await;
    let (status, page) = get_page(&client, app, "/monitoring/prescriptions/import").await;
    assert_eq!(status, StatusCode::OK);
    let csrf = csrf_of(&page);
    let upload = |csrf: String| {
        reqwest::multipart::Form::new()
            .text("csrf", csrf)
            .text("batch_id", "page-1")
            .part(
                "file",
                reqwest::multipart::Part::bytes(oslo().into_bytes()).file_name("figures.csv"),
            )
    };
    // A forged upload is refused before the file is read.
    let res = client
        .post(app.url("/monitoring/prescriptions/import"))
        .multipart(upload("wrong".into()))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(stored(app).await, 0);
    let res = client
        .post(app.url("/monitoring/prescriptions/import"))
        .multipart(upload(csrf.clone()))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.text().await.unwrap().contains("4 rader importert"));
    // A bad row comes back in the table with its line and field.
    let bad = reqwest::multipart::Form::new().text("csrf", csrf).part(
        "file",
        reqwest::multipart::Part::bytes(
            format!("{HEAD}2024,0301,all,all,persistent_opioid_use,40,0\n").into_bytes(),
        )
        .file_name("bad.csv"),
    );
    let res = client
        .post(app.url("/monitoring/prescriptions/import"))
        .multipart(bad)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let text = res.text().await.unwrap();
    assert!(text.contains("<td>2</td><td>innbyggere</td>"), "{text}");
    let (status, page) = get_page(&client, app, "/monitoring/prescriptions?area=0301").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("<svg role=\"img\""), "a chart");
    assert!(
        page.contains("skjult (&#60;5)"),
        "the hidden cells say so: {page}"
    );
    assert!(
        page.contains("Meld. St. 5 (2024–2025)"),
        "the source is cited"
    );
    assert!(
        page.contains("4500 mg OMEQ"),
        "the definition in its source's words"
    );
    assert!(
        page.contains("href=\"/monitoring/prescriptions\""),
        "the area's tab"
    );
    let clinician = browser_login(app, "kliniker").await;
    let (status, _) = get_page(&clinician, app, "/monitoring/prescriptions").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

pub async fn the_demo_figures_are_seeded_once(app: &TestApp) {
    let n = varde_web::monitoring::prescriptions::seed_demo_prescriptions(&app.state)
        .await
        .unwrap();
    assert_eq!(
        n,
        5 * 3 * 22 * 6 * 3,
        "the nation, 15 counties, Oslo and 5 more municipalities"
    );
    let again = varde_web::monitoring::prescriptions::seed_demo_prescriptions(&app.state)
        .await
        .unwrap();
    assert_eq!(again, 0);
    let token = app.token("analytiker").await;
    let (_, v) = figures(app, &token, "?area=national").await;
    let years = v["years"].as_array().unwrap();
    assert_eq!(years.len(), 5);
    assert_eq!(years[4]["year"], 2025);
    let rate = years[4]["rate_per_1000"].as_f64().unwrap();
    assert!((9.0..14.0).contains(&rate), "{rate}");
}
